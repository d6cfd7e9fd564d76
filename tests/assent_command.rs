//! The `assent` command end to end, as QA and support use it: the real binary, the bundled
//! gateway with its demo data over TLS, and a real Secret Service (a private D-Bus session
//! with gnome-keyring) holding the keys.
//!
//! Enroll +447700900001 from the handset simulator; a CIBA request from demo-sp reaches
//! `assent inbox --wait`; approve; demo-sp gets a token and PremiumInfo answers; `assent
//! revoke` and demo-sp's token is refused at once; `assent audit` shows every step and
//! `assent audit verify` passes, online and offline; a flagged SP shows in
//! `assent-gateway admin flags`.

// A failure anywhere in an end-to-end test is the test's failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use assent_e2e::{DemoGateway, SecretService, workspace_binary};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const MARIE: &str = "+447700900001";

/// One `assent` profile run against one gateway with one Secret Service.
struct Assent {
    gateway_url: String,
    ca_file: PathBuf,
    env: Vec<(String, String)>,
    profile: PathBuf,
}

impl Assent {
    fn new(gateway: &DemoGateway, keyring: &SecretService, profile: &Path) -> Self {
        Assent {
            gateway_url: gateway.url.clone(),
            ca_file: gateway.ca_file(),
            env: keyring.env(),
            profile: profile.to_path_buf(),
        }
    }

    /// The gateway and CA as remembered in the profile.
    fn remembered(&self, args: &[&str]) -> (i32, Value) {
        let output = Command::new(workspace_binary("assent").unwrap())
            .arg("--profile")
            .arg(&self.profile)
            .args(args)
            .arg("--json")
            .envs(self.env.clone())
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let value = serde_json::from_slice(&output.stdout).unwrap_or_else(|_| {
            panic!("{}", String::from_utf8_lossy(&output.stderr));
        });
        (output.status.code().unwrap_or(-1), value)
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(workspace_binary("assent").unwrap());
        command
            .arg("--gateway")
            .arg(&self.gateway_url)
            .arg("--ca")
            .arg(&self.ca_file)
            .arg("--profile")
            .arg(&self.profile)
            .args(args)
            .envs(self.env.clone())
            .stdin(Stdio::null());
        command
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    /// Runs with `--json`; the exit code and the document printed.
    fn json(&self, args: &[&str]) -> (i32, Value) {
        let mut all = args.to_vec();
        all.push("--json");
        let output = self.run(&all);
        let stdout = String::from_utf8_lossy(&output.stdout);
        let value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
            panic!(
                "assent {args:?} printed no JSON ({e}): {stdout}\nstderr: {}",
                String::from_utf8_lossy(&output.stderr)
            )
        });
        (output.status.code().unwrap_or(-1), value)
    }

    /// Runs with `--json` and expects success.
    fn ok(&self, args: &[&str]) -> Value {
        let (code, value) = self.json(args);
        assert_eq!(code, 0, "assent {args:?}: {value}");
        value
    }
}

const DEMO_SP: (&str, &str) = ("demo-sp", "demo-sp-secret");

async fn sms_count(http: &reqwest::Client, gateway: &DemoGateway) -> usize {
    let messages: Vec<Value> = http
        .get(format!(
            "{}/sim/handsets/447700900001/messages",
            gateway.url
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    // Code SMS only (their last line is the origin-bound `@host #code`), not the notice
    // that a device was bound.
    messages
        .iter()
        .filter(|m| m["kind"] == "sms" && m["text"].as_str().is_some_and(|t| t.contains("\n@")))
        .count()
}

#[tokio::test]
async fn enroll_consent_revoke_and_a_verified_history_through_the_command() {
    let keyring = SecretService::start().unwrap();
    let gateway = DemoGateway::start().unwrap();
    let profile = tempfile::tempdir().unwrap();
    let assent = Assent::new(&gateway, &keyring, profile.path());
    let http = gateway.http().unwrap();

    // Enrollment from the simulator: the verified number and the certificate's expiry.
    let enrolled = assent.ok(&["enroll", MARIE, "--sms-from", "simulator"]);
    assert_eq!(enrolled["number"], MARIE);
    let expires = enrolled["certificate_expires"].as_str().unwrap();
    assert!(expires.starts_with("20"), "{expires}");
    // The account's devices: this one, active until its certificate expires.
    let devices = assent.ok(&["devices"]);
    let list = devices["devices"].as_array().unwrap();
    assert_eq!(list.len(), 1, "{devices}");
    assert_eq!(list[0]["id"], enrolled["device_id"]);
    assert_eq!(
        (&list[0]["status"], &list[0]["this_device"]),
        (&json!("active"), &json!(true))
    );
    let (code, failed) = assent.json(&["devices", "revoke", "d-nobody"]);
    assert_eq!(
        (code, failed["error"].as_str()),
        (1, Some("no_such_device")),
        "{failed}"
    );
    // Renewal opens a third of the certificate's lifetime before it ends; renewing proves the
    // number again and keeps the same device.
    let renew_from = enrolled["renew_from"].as_str().unwrap();
    assert!(
        renew_from.starts_with("20") && renew_from < expires,
        "{enrolled}"
    );
    let renewed = assent.ok(&["enroll", "--renew", "--sms-from", "simulator"]);
    assert_eq!(renewed["device_id"], enrolled["device_id"], "{renewed}");
    assert!(
        renewed["certificate_expires"].as_str().unwrap() >= expires,
        "{renewed}"
    );
    assert_eq!(
        assent.ok(&["devices"])["devices"].as_array().unwrap().len(),
        1
    );
    let usage = assent.run(&["enroll", "--renew", MARIE]);
    assert_eq!(
        usage.status.code(),
        Some(2),
        "a number with --renew is a usage error"
    );
    // Enrolling again is a no-op that says the same.
    assert_eq!(
        assent.ok(&["enroll", MARIE])["device_id"],
        enrolled["device_id"]
    );
    // No key is in the profile folder: they are in the keyring.
    for file in std::fs::read_dir(profile.path()).unwrap() {
        let path = file.unwrap().path();
        if path.is_file() {
            let bytes = std::fs::read(&path).unwrap();
            assert!(
                !String::from_utf8_lossy(&bytes).contains("PRIVATE KEY"),
                "{} holds a private key",
                path.display()
            );
        }
    }

    // A CIBA request from demo-sp reaches `assent inbox --wait`.
    let waiting = assent
        .command(&["inbox", "--wait", "20", "--json"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let auth_req_id = gateway
        .ciba_request(&http, DEMO_SP, "openid mc_vm_share", "447700900001")
        .await
        .unwrap();
    let inbox = waiting.wait_with_output().unwrap();
    assert!(inbox.status.success());
    let inbox: Value = serde_json::from_slice(&inbox.stdout).unwrap();
    let request = &inbox["requests"][0];
    assert_eq!(request["client_name"], "Demo Shop");
    let prompt = request["prompt"].as_str().unwrap();
    assert!(prompt.contains("Demo Shop"), "{prompt}");
    // Rendered for this device's display profile (a phone: 32 columns, 220 bytes).
    assert!(prompt.len() <= 220, "{prompt}");
    assert!(
        request["lines"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l.as_str().unwrap().chars().count() <= 32),
        "{request}"
    );
    let id = request["id"].as_str().unwrap().to_owned();

    // Approve; demo-sp gets its token and PremiumInfo answers.
    let decided = assent.ok(&["approve", &id]);
    assert_eq!(
        (decided["decision"].as_str(), decided["accepted"].as_bool()),
        (Some("approve"), Some(true))
    );
    let (code, again) = assent.json(&["approve", &id]);
    assert_eq!(
        (code, again["error"].as_str()),
        (1, Some("no_such_request")),
        "{again}"
    );
    let access = gateway
        .ciba_token(&http, DEMO_SP, &auth_req_id)
        .await
        .unwrap();
    let premium = format!("{}/premiuminfo", gateway.url);
    let status = |token: String| {
        let http = http.clone();
        let premium = premium.clone();
        async move {
            http.get(&premium)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(status(access.clone()).await, 200);
    // Each use of the user's data is told to the user.
    let told = assent.ok(&["notifications"]);
    assert!(
        told["notifications"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["client_id"] == "demo-sp"),
        "{told}"
    );

    // `assent revoke`: demo-sp's token is refused at once.
    let grants = assent.ok(&["grants"]);
    let demo = grants["grants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["client_id"] == "demo-sp")
        .expect("a grant for demo-sp")
        .clone();
    assert!(
        demo["services"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s == "mc_vm_share"),
        "{demo}"
    );
    assert_eq!(
        assent.ok(&["revoke", demo["id"].as_str().unwrap()])["revoked"],
        demo["id"]
    );
    assert_eq!(status(access.clone()).await, 401);
    let (code, unknown) = assent.json(&["revoke", "no-such-grant"]);
    assert_eq!(
        (code, unknown["error"].as_str()),
        (1, Some("no_such_grant")),
        "{unknown}"
    );

    // Report demo-sp: the operator sees it.
    assent.ok(&["flag", "demo-sp", "--reason", "asked again after I revoked"]);
    let flags = gateway.admin(&["flags"]).unwrap();
    assert!(
        flags.contains("demo-sp") && flags.contains("asked again after I revoked"),
        "{flags}"
    );

    // The history shows every step and verifies.
    let history = assent.ok(&["audit"]);
    assert_eq!(history["synced"], true);
    let entries = history["entries"].as_array().unwrap();
    let kinds: Vec<&str> = entries
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    for kind in [
        "prompt_sent",
        "answer",
        "consent",
        "token_issued",
        "resource_access",
        "revocation",
        "sp_flagged",
    ] {
        assert!(kinds.contains(&kind), "{kind} missing from {kinds:?}");
    }
    let seqs: Vec<u64> = entries.iter().map(|e| e["seq"].as_u64().unwrap()).collect();
    assert!(
        seqs.windows(2).all(|w| w[0] > w[1]),
        "newest first: {seqs:?}"
    );
    let two = assent.ok(&["audit", "--sp", "demo-sp", "--limit", "2"]);
    let two = two["entries"].as_array().unwrap();
    assert_eq!(two.len(), 2);
    assert!(two.iter().all(|e| e["sp"] == "demo-sp"));
    let future = assent.ok(&["audit", "--since", "2999-01-01T00:00:00Z"]);
    assert_eq!(future["entries"], serde_json::json!([]));
    let consents = assent.ok(&["audit", "--kind", "consent"]);
    assert!(
        consents["entries"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["kind"] == "consent")
    );
    let verified = assent.ok(&["audit", "verify"]);
    assert_eq!(verified["verified"], true);
    assert_eq!(
        verified["entries"].as_u64().unwrap() as usize,
        entries.len()
    );
    let export = profile.path().join("export.json");
    let exported = assent.ok(&["audit", "export", export.to_str().unwrap()]);
    assert_eq!(
        exported["entries"].as_u64().unwrap() as usize,
        entries.len()
    );
    let file: assent_core::history::Export =
        serde_json::from_slice(&std::fs::read(&export).unwrap()).unwrap();
    assert_eq!(
        file.verify().unwrap().to_hex(),
        verified["head"].as_str().unwrap()
    );
    // The gateway's signed checkpoint of its whole trail came with the history, was checked
    // and kept: it reaches Marie's last entry, and it verifies with the key the gateway
    // publishes, for anyone the file is shown to.
    let vouched = verified["checkpoint_seq"].as_u64().unwrap();
    assert!(vouched >= file.entries.last().unwrap().seq, "{verified}");
    let jwks: assent_core::checkpoint::GatewayKeys = http
        .get(format!("{}/jwks", gateway.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let checkpoint =
        assent_core::checkpoint::verify(file.checkpoint.as_deref().unwrap(), &jwks.keys).unwrap();
    assert_eq!(checkpoint.claims.seq, vouched);

    // People get sentences, not JSON.
    let text = assent.run(&["audit", "verify"]);
    assert!(String::from_utf8_lossy(&text.stdout).starts_with("The history verifies"));

    // The history for people: a local date and time and a sentence per entry, in words:
    // no JSON, no kind names, no dash for a missing SP.
    let listed = assent.run(&["audit"]);
    assert!(listed.status.success());
    let human = String::from_utf8(listed.stdout).unwrap();
    assert_eq!(human.lines().count(), entries.len(), "{human}");
    assert!(!human.contains('{') && !human.contains(" - "), "{human}");
    for word in human.split(|c: char| !c.is_alphanumeric() && c != '_') {
        assert!(!word.contains('_'), "an identifier {word:?} in {human}");
    }
    for line in human.lines() {
        let (date, sentence) = line.split_at(16);
        assert!(
            date.starts_with("20") && date.as_bytes()[10] == b' ' && sentence.starts_with("  "),
            "{line}"
        );
        assert!(
            !sentence.starts_with("  admin") && !sentence.starts_with("  answer"),
            "{line}"
        );
    }
    for said in [
        "You approved Demo Shop's request in the app.",
        // The consent ends at the catalog's lifetime (180 days): the day is today's + 180.
        "You allowed Demo Shop to use your data until ",
        ", or until you withdraw it.",
        "Demo Shop read your ",
        "You revoked Demo Shop's access on this device.",
        "You reported Demo Shop to the operator.",
    ] {
        assert!(human.contains(said), "{said:?} is not in\n{human}");
    }
    // In the profile's language.
    assent.ok(&["settings", "--locale", "de"]);
    let german = String::from_utf8(assent.run(&["audit", "--kind", "revocation"]).stdout).unwrap();
    assert!(
        german.contains("Sie haben den Zugriff von Demo Shop auf diesem Gerät widerrufen."),
        "{german}"
    );
    assent.ok(&["settings", "--locale", "en"]);

    // Revoking this device (a laptop given away): it can no longer act for Marie.
    let device_id = enrolled["device_id"].as_str().unwrap();
    let revoked = assent.ok(&["devices", "revoke", device_id]);
    assert_eq!(revoked["revoked"], device_id);
    let (code, failed) = assent.json(&["grants"]);
    assert_eq!(
        (code, failed["error"].as_str()),
        (1, Some("gateway")),
        "{failed}"
    );

    // Offline, the history still reads and verifies from the copy on this device.
    drop(gateway);
    // (The gateway's address and CA were remembered in the profile.)
    let (code, offline) = assent.remembered(&["audit", "--limit", "3"]);
    assert_eq!(
        (code, &offline["synced"]),
        (0, &Value::Bool(false)),
        "{offline}"
    );
    assert_eq!(offline["entries"].as_array().unwrap().len(), 3);
    let (code, verified) = assent.remembered(&["audit", "verify"]);
    assert_eq!(
        (code, &verified["verified"]),
        (0, &Value::Bool(true)),
        "{verified}"
    );
    // What needs the gateway says it cannot reach it, and fails.
    let (code, failed) = assent.remembered(&["grants"]);
    assert_eq!(
        (code, failed["error"].as_str()),
        (1, Some("gateway")),
        "{failed}"
    );
    // In words, with what to do, and the technical cause after them.
    let message = failed["message"].as_str().unwrap();
    assert!(
        message
            .starts_with("The gateway cannot be reached. Check this device's internet connection"),
        "{message}"
    );
    assert!(
        message.contains("The cause: cannot reach the gateway"),
        "{message}"
    );
    let people = Command::new(workspace_binary("assent").unwrap())
        .arg("--profile")
        .arg(profile.path())
        .arg("grants")
        .envs(keyring.env())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(people.status.code(), Some(1));
    let said = String::from_utf8(people.stderr).unwrap();
    let mut lines = said.lines();
    assert_eq!(
        lines.next(),
        Some(
            "assent: The gateway cannot be reached. Check this device's internet connection \
             and the gateway address in the settings, then try again."
        ),
        "{said}"
    );
    assert!(
        lines
            .next()
            .is_some_and(|l| l.trim_start().starts_with("The cause: ")),
        "{said}"
    );
}

/// Receipts, and withdrawing one attribute of a grant (issue 17): Marie consents to Demo
/// Shop's sign-up service in the command; the consent has a receipt the gateway signed over
/// the exact text shown, which verifies here; `assent revoke GRANT --attribute email` stops
/// sharing her email and keeps the rest, and Demo Shop's next PremiumInfo answers it empty
/// (MC_ATTR_29); the withdrawal has its receipt too; with the gateway gone, the receipts kept
/// on the device still verify, and the history's export carries them.
#[tokio::test]
async fn receipts_and_withdrawing_one_attribute_through_the_command() {
    let keyring = SecretService::start().unwrap();
    let gateway = DemoGateway::start().unwrap();
    let profile = tempfile::tempdir().unwrap();
    let assent = Assent::new(&gateway, &keyring, profile.path());
    let http = gateway.http().unwrap();
    assent.ok(&["enroll", MARIE, "--sms-from", "simulator"]);
    assert_eq!(assent.ok(&["receipts"]), json!([]));

    let waiting = assent
        .command(&["inbox", "--wait", "20", "--json"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let auth_req_id = gateway
        .ciba_request(&http, DEMO_SP, "openid mc_identity_signup", "447700900001")
        .await
        .unwrap();
    let inbox: Value = serde_json::from_slice(&waiting.wait_with_output().unwrap().stdout).unwrap();
    let request = &inbox["requests"][0];
    let shown = request["prompt"].as_str().unwrap().to_owned();
    assent.ok(&["approve", request["id"].as_str().unwrap()]);
    let access = gateway
        .ciba_token(&http, DEMO_SP, &auth_req_id)
        .await
        .unwrap();
    let premiuminfo = || {
        let request = http
            .get(format!("{}/premiuminfo", gateway.url))
            .bearer_auth(&access);
        async move { request.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    assert_eq!(premiuminfo().await["email"], "marie.curie@example.org");

    // The consent's receipt: signed by the gateway, over the exact text this device showed.
    let receipts = assent.ok(&["receipts"]);
    let list = receipts.as_array().unwrap();
    assert_eq!(list.len(), 1, "{receipts}");
    let consent = &list[0];
    for field in ["id", "sp", "kind", "at", "jws"] {
        assert!(consent[field].is_string(), "{field} in {consent}");
    }
    assert_eq!(
        (&consent["sp"], &consent["kind"], &consent["verified"]),
        (&json!("Demo Shop"), &json!("consent"), &json!(true)),
        "{consent}"
    );
    assert_eq!(consent["prompt"], json!(shown));
    assert_eq!(consent["jws"].as_str().unwrap().split('.').count(), 3);
    let claims = &consent["claims"];
    assert_eq!(claims["schema"], "ISO/IEC TS 27560:2023");
    assert_eq!(claims["method"]["authenticator"], "app");
    assert_eq!(
        claims["purposes"][0]["attributes"],
        json!(["given_name", "family_name", "email", "birthdate", "address"])
    );
    assert!(
        !consent["jws"].as_str().unwrap().contains("Marie"),
        "names, never values"
    );

    // Withdraw the email only: bad input is refused and changes nothing.
    let grants = assent.ok(&["grants"]);
    let grant = grants["grants"][0]["id"].as_str().unwrap().to_owned();
    assert!(grants["grants"][0]["expires_at"].is_string(), "{grants}");
    let (code, refused) = assent.json(&["revoke", &grant, "--attribute", "shoe_size"]);
    assert_eq!(
        (code, refused["error"].as_str()),
        (2, Some("invalid_input")),
        "{refused}"
    );
    assert!(
        refused["message"].as_str().unwrap().contains("shoe_size"),
        "{refused}"
    );
    assert_eq!(assent.ok(&["receipts"]).as_array().unwrap().len(), 1);
    let withdrawn = assent.ok(&["revoke", &grant, "--attribute", "email"]);
    assert_eq!(withdrawn["withdrawn"], json!(["email"]), "{withdrawn}");
    let after = premiuminfo().await;
    assert_eq!(
        (&after["email"], &after["given_name"]),
        (&json!(""), &json!("Marie"))
    );
    let receipts = assent.ok(&["receipts"]);
    let list = receipts.as_array().unwrap();
    assert_eq!(list.len(), 2, "{receipts}");
    assert_eq!(
        (&list[1]["kind"], &list[1]["verified"], &list[1]["id"]),
        (&json!("withdrawal"), &json!(true), &withdrawn["receipt"])
    );
    let words = assent.run(&["receipts", "show", list[1]["id"].as_str().unwrap()]);
    let words = String::from_utf8_lossy(&words.stdout).into_owned();
    assert!(
        words.contains("Consent withdrawn from Demo Shop") && words.contains("(verified)"),
        "{words}"
    );
    assent.ok(&["audit"]);

    // Offline: the receipts kept on the device verify with the keys kept beside them.
    drop(gateway);
    let offline = assent.remembered(&["receipts"]);
    assert_eq!(offline.0, 0, "{}", offline.1);
    assert!(
        offline
            .1
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["verified"] == true),
        "{}",
        offline.1
    );
    let exported = profile.path().join("history.json");
    assent.remembered(&["audit", "export", exported.to_str().unwrap()]);
    let beside: Value = serde_json::from_slice(
        &std::fs::read(profile.path().join("history.receipts.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(beside["receipts"].as_array().unwrap().len(), 2);
    assert!(!beside["keys"].as_array().unwrap().is_empty());
}

/// Runs `assent … --json` with `stdin` as its input.
fn with_stdin(assent: &Assent, args: &[&str], stdin: &str) -> (i32, Value) {
    use std::io::Write;
    let mut all = args.to_vec();
    all.push("--json");
    let mut child = assent
        .command(&all)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    (
        output.status.code().unwrap_or(-1),
        serde_json::from_slice(&output.stdout).unwrap(),
    )
}

#[tokio::test]
async fn enrollment_resumes_where_it_stopped_and_input_errors_are_clear() {
    let keyring = SecretService::start().unwrap();
    let gateway = DemoGateway::start().unwrap();
    let profile = tempfile::tempdir().unwrap();
    let assent = Assent::new(&gateway, &keyring, profile.path());
    let http = gateway.http().unwrap();

    // Usage errors: exit 2, nothing done.
    let (code, bad) = assent.json(&["enroll", "0123"]);
    assert_eq!(
        (code, bad["error"].as_str()),
        (2, Some("invalid_input")),
        "{bad}"
    );
    assert_eq!(
        assent.run(&["audit", "--since", "yesterday"]).status.code(),
        Some(2)
    );
    assert_eq!(assent.run(&[]).status.code(), Some(2));
    assert_eq!(assent.run(&["approve"]).status.code(), Some(2));
    assert_eq!(sms_count(&http, &gateway).await, 0);
    // Before enrollment, what needs a device says so.
    let (code, early) = assent.json(&["inbox"]);
    assert_eq!(
        (code, early["error"].as_str()),
        (1, Some("not_enrolled")),
        "{early}"
    );

    // The SMS is sent, then the run stops without a code: the enrollment waits.
    let (code, stopped) = with_stdin(&assent, &["enroll", MARIE, "--sms-from", "stdin"], "");
    assert_eq!(code, 2, "{stopped}");
    assert_eq!(sms_count(&http, &gateway).await, 1);
    // A wrong code is refused in words; the enrollment still waits.
    let (code, wrong) = with_stdin(
        &assent,
        &["enroll", MARIE, "--sms-from", "stdin"],
        "000000\n",
    );
    assert_eq!(
        (code, wrong["error"].as_str()),
        (1, Some("number_verification")),
        "{wrong}"
    );
    assert!(
        wrong["message"].as_str().unwrap().contains("wrong code"),
        "{wrong}"
    );
    // Two codes in one text are never guessed between.
    let (code, ambiguous) = with_stdin(
        &assent,
        &["enroll", MARIE, "--sms-from", "stdin"],
        "your code is 123456 or 654321",
    );
    assert_eq!(
        (code, ambiguous["error"].as_str()),
        (1, Some("code")),
        "{ambiguous}"
    );
    // The next run picks up the same order: no second SMS.
    let enrolled = assent.ok(&["enroll", MARIE, "--sms-from", "simulator"]);
    assert_eq!(enrolled["number"], MARIE);
    assert_eq!(
        sms_count(&http, &gateway).await,
        1,
        "resumed, not restarted"
    );
    // Another number in an enrolled profile is refused.
    let (code, other) = assent.json(&["enroll", "+447700900002"]);
    assert_eq!(
        (code, other["error"].as_str()),
        (1, Some("enrolled_elsewhere")),
        "{other}"
    );

    // Settings: a language the app does not ship is refused and changes nothing.
    let (code, _) = assent.json(&["settings", "--locale", "xx"]);
    assert_eq!(code, 2);
    let settings = assent.ok(&["settings", "--locale", "de", "--display", "desktop"]);
    assert_eq!(
        (settings["locale"].as_str(), settings["display"].as_str()),
        (Some("de"), Some("desktop"))
    );
}

#[test]
fn without_a_keyring_the_command_says_so_and_keeps_nothing() {
    let gateway = DemoGateway::start().unwrap();
    let profile = tempfile::tempdir().unwrap();
    let output = Command::new(workspace_binary("assent").unwrap())
        .args(["--gateway", &gateway.url, "--ca"])
        .arg(gateway.ca_file())
        .arg("--profile")
        .arg(profile.path())
        .args(["enroll", MARIE, "--sms-from", "simulator", "--json"])
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let failure: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(failure["error"], "keyring", "{failure}");
    assert!(
        failure["message"].as_str().unwrap().contains("keyring"),
        "{failure}"
    );
    assert!(!profile.path().join("enrollment.json").exists());

    // For people: what is wrong and what to do first, then the technical cause.
    let output = Command::new(workspace_binary("assent").unwrap())
        .args(["--gateway", &gateway.url, "--ca"])
        .arg(gateway.ca_file())
        .arg("--profile")
        .arg(profile.path())
        .args(["enroll", MARIE, "--sms-from", "simulator"])
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let said = String::from_utf8(output.stderr).unwrap();
    let (sentence, cause) = said.split_once('\n').unwrap();
    assert_eq!(
        sentence,
        "assent: This device's keys are kept in the system keyring, and no keyring could be \
         reached. Start your session's keyring (on Linux, log in to a desktop session or start \
         a Secret Service such as GNOME Keyring), then try again."
    );
    assert!(
        cause
            .trim_start()
            .starts_with("The cause: no keyring is available"),
        "{said}"
    );
    assert!(!profile.path().join("enrollment.json").exists());
}

#[tokio::test]
async fn a_rate_limited_number_says_when_to_try_again() {
    let keyring = SecretService::start().unwrap();
    let gateway = DemoGateway::start().unwrap();
    let http = gateway.http().unwrap();
    // Someone asked for five codes for Ana's number within the hour (the gateway's cap).
    let directory = format!("{}/acme/directory", gateway.url);
    let mut client = assent_core::acme_client::AcmeClient::connect(
        http.clone(),
        &directory,
        assent_acme::jws::SigningKey::generate_es256(),
    )
    .await
    .unwrap();
    client.account(&[]).await.unwrap();
    for _ in 0..5 {
        let order = client.order_number("447700900003").await.unwrap();
        client.ready(&order).await.unwrap();
    }
    let profile = tempfile::tempdir().unwrap();
    let assent = Assent::new(&gateway, &keyring, profile.path());
    let (code, limited) = assent.json(&["enroll", "+447700900003", "--sms-from", "simulator"]);
    assert_eq!(
        (code, limited["error"].as_str()),
        (1, Some("number_verification")),
        "{limited}"
    );
    let message = limited["message"].as_str().unwrap();
    // The budget is an hour's window (reserved atomically, docs/acme-sms-link.md §7): the
    // wait is until that window ends, at most an hour.
    let minutes: u64 = message
        .split("try again in ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("a wait in minutes: {message}"));
    assert!((1..=60).contains(&minutes), "{message}");
}
