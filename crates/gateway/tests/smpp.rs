//! The gateway's SMSC transport (`serve --sms-transport smpp://…`) against node-smpp's
//! server (npm `smpp`, `tests/smsc/smsc.mjs`) on loopback, with the real binary: the bind,
//! prompts in GSM 7-bit and UCS-2 as node-smpp decodes them, a mobile-originated answer that
//! approves a CIBA request, a delivery receipt recorded on its message, `enquire_link`, a
//! throttled submit, a connection lost mid-submit, USSD by `ussd_service_op` (the consent
//! prompt and the self-care menu) and a concatenated ACME code message.
//!
//! Needs `npm ci` in `crates/gateway/tests/smsc` (scripts/test does it).

// Test helpers may unwrap: a failure there is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::{BIN, Gateway, admin, client, post_basic, storage_args};
use serde_json::{Value, json};
use sqlx::Connection;
use std::collections::VecDeque;
use std::path::Path;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout};

const MARIE: &str = "447700900001";
const ANA: &str = "447700900003";

/// node-smpp's server, driven through its standard streams.
struct Smsc {
    _child: Child,
    stdin: ChildStdin,
    lines: Lines<BufReader<ChildStdout>>,
    /// Events read while waiting for another kind.
    seen: VecDeque<Value>,
    port: u16,
}

impl Smsc {
    async fn start() -> Smsc {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/smsc");
        assert!(
            dir.join("node_modules/smpp").exists(),
            "node-smpp is missing: run `npm ci` in {}",
            dir.display()
        );
        let mut child = tokio::process::Command::new("node")
            .arg("smsc.mjs")
            .args(["assent", "secret"])
            .current_dir(&dir)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("node runs");
        let stdin = child.stdin.take().unwrap();
        let lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut smsc = Smsc {
            _child: child,
            stdin,
            lines,
            seen: VecDeque::new(),
            port: 0,
        };
        let listening = smsc.next("listening").await;
        smsc.port = u16::try_from(listening["port"].as_u64().unwrap()).unwrap();
        smsc
    }

    fn url(&self) -> String {
        format!(
            "smpp://assent:secret@127.0.0.1:{}?source=Assent&enquire_link=1",
            self.port
        )
    }

    /// The next event of `kind` (earlier ones of other kinds are kept for later).
    async fn next(&mut self, kind: &str) -> Value {
        if let Some(i) = self.seen.iter().position(|e| e["event"] == kind) {
            return self.seen.remove(i).unwrap();
        }
        loop {
            let line = tokio::time::timeout(Duration::from_secs(30), self.lines.next_line())
                .await
                .unwrap_or_else(|_| panic!("no {kind} from the SMSC; saw {:?}", self.seen))
                .unwrap()
                .expect("the SMSC ended");
            let event: Value = serde_json::from_str(&line).unwrap();
            if event["event"] == kind {
                return event;
            }
            self.seen.push_back(event);
        }
    }

    async fn command(&mut self, command: Value) {
        self.stdin
            .write_all(format!("{command}\n").as_bytes())
            .await
            .unwrap();
        self.stdin.flush().await.unwrap();
    }

    /// Delivers `pdu` to the gateway and returns the `command_status` of its answer.
    async fn deliver(&mut self, pdu: Value) -> u64 {
        self.command(json!({"do": "deliver", "ref": 1, "pdu": pdu}))
            .await;
        self.next("deliver_resp").await["status"].as_u64().unwrap()
    }
}

/// The gateway with demo data and the SMSC as its network (no simulator).
fn start(data_dir: &Path, smsc: &Smsc, extra: &[&str]) -> Gateway {
    start_on(data_dir, None, smsc, extra)
}

fn start_on(data_dir: &Path, db: Option<&str>, smsc: &Smsc, extra: &[&str]) -> Gateway {
    let mut command = std::process::Command::new(BIN);
    command
        .arg("serve")
        .args(storage_args(data_dir, db))
        .args(["--demo", "--sms-transport", &smsc.url()])
        .args(extra)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::inherit());
    if !extra.contains(&"--listen") {
        command.args(["--listen", "127.0.0.1:0"]);
    }
    common::launch(command, data_dir)
}

/// node-smpp, and the demo gateway bound to it, where `user` answers by `authenticator`.
struct Setup {
    smsc: Smsc,
    gateway: Gateway,
    http: reqwest::Client,
    data_dir: std::path::PathBuf,
    /// The SMSC's report of the gateway's bind.
    bind: Value,
    _dir: tempfile::TempDir,
}

async fn setup(db: Option<&str>, user: &str, authenticator: &str) -> Setup {
    let mut smsc = Smsc::start().await;
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("gw");
    let gateway = start_on(&data_dir, db, &smsc, &[]);
    let http = client(&gateway, false);
    let bind = smsc.next("bind").await;
    let (ok, out) = admin(
        &data_dir,
        db,
        &["users", "authenticators", user, authenticator],
    );
    assert!(ok, "{out}");
    Setup {
        smsc,
        gateway,
        http,
        data_dir,
        bind,
        _dir: dir,
    }
}

async fn bc_authorize(
    gateway: &Gateway,
    http: &reqwest::Client,
    sp: &str,
    msisdn: &str,
    scope: Option<&str>,
) -> String {
    let hint = format!("MSISDN:+{msisdn}");
    let scope = scope.unwrap_or("openid mc_vm_share");
    let ask = vec![("scope", scope), ("login_hint", hint.as_str())];
    let (status, grant) = post_basic(gateway, http, sp, "/bc-authorize", &ask).await;
    assert_eq!(status, 200, "{grant}");
    grant["auth_req_id"].as_str().unwrap().to_owned()
}

/// Polls the token endpoint until the request is answered; the last answer.
async fn token(
    gateway: &Gateway,
    http: &reqwest::Client,
    sp: &str,
    auth_req_id: &str,
) -> (u16, Value) {
    for _ in 0..150 {
        let form = [
            ("grant_type", "urn:openid:params:grant-type:ciba"),
            ("auth_req_id", auth_req_id),
        ];
        let (status, body) = post_basic(gateway, http, sp, "/token", &form).await;
        if body["error"] != "authorization_pending" && body["error"] != "slow_down" {
            return (status, body);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("the request was never answered");
}

/// The text the gateway recorded for the message the SMSC knows as `smsc_id`, and the state
/// of that part.
async fn recorded(data_dir: &Path, db: Option<&str>, smsc_id: &str) -> (String, Option<String>) {
    const SQL: &str = "SELECT m.text, s.state FROM smsc_submissions s \
        JOIN sim_messages m ON m.id = s.message_id WHERE s.smsc_id = $1";
    match db {
        Some(url) => {
            let mut db = sqlx::PgConnection::connect(url).await.unwrap();
            sqlx::query_as(SQL)
                .bind(smsc_id)
                .fetch_one(&mut db)
                .await
                .unwrap()
        }
        None => {
            let url = format!("sqlite://{}?mode=ro", data_dir.join("gateway.db").display());
            let mut db = sqlx::SqliteConnection::connect(&url).await.unwrap();
            sqlx::query_as(SQL)
                .bind(smsc_id)
                .fetch_one(&mut db)
                .await
                .unwrap()
        }
    }
}

#[tokio::test]
#[ignore = "needs node-smpp: npm ci in crates/gateway/tests/smsc"]
async fn sqlite_prompts_go_out_by_smpp_and_an_sms_answer_approves_ciba() {
    prompts_and_answers(None).await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs node-smpp: npm ci in crates/gateway/tests/smsc"]
async fn postgres_prompts_go_out_by_smpp_and_an_sms_answer_approves_ciba() {
    let url = common::fresh_postgres().await;
    prompts_and_answers(Some(&url)).await;
}

async fn prompts_and_answers(db: Option<&str>) {
    // Ana answers by SMS.
    let Setup {
        mut smsc,
        gateway,
        http,
        data_dir,
        bind,
        _dir,
    } = setup(db, ANA, "sms").await;

    // The bind: a transceiver, SMPP 3.4, with the URL's credentials.
    assert_eq!(bind["system_id"], "assent");
    assert_eq!(bind["interface_version"], 0x34);
    assert_eq!(bind["accepted"], true);

    // A prompt in GSM 7-bit: data_coding 0, to her number in international digits (TON 1,
    // NPI 1), from the configured sender, with a receipt asked for; node-smpp reads it as
    // the gateway recorded it.
    let first = bc_authorize(&gateway, &http, "demo-sp", ANA, None).await;
    let submit = smsc.next("submit").await;
    assert_eq!(submit["status"], 0);
    assert_eq!(submit["to"], ANA);
    assert_eq!(
        (submit["to_ton"].as_u64(), submit["to_npi"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(submit["source"], "Assent");
    assert_eq!(submit["data_coding"], 0);
    assert_eq!(submit["esm_class"], 0);
    assert_eq!(submit["udh"], Value::Null);
    assert_eq!(submit["ussd_service_op"], Value::Null);
    assert_eq!(submit["registered_delivery"], 1);
    let smsc_id = submit["id"].as_str().unwrap().to_owned();
    let (text, state) = recorded(&data_dir, db, &smsc_id).await;
    assert_eq!(submit["text"], text.as_str());
    assert!(text.contains("1") && text.contains("2"), "{text}");
    assert_eq!(state, None);

    // Her reply "1", mobile-originated, approves the request.
    let status = smsc
        .deliver(
            json!({"source_addr": ANA, "source_addr_ton": 1, "source_addr_npi": 1,
                        "destination_addr": "Assent", "short_message": "1"}),
        )
        .await;
    assert_eq!(status, 0);
    let (status, tokens) = token(&gateway, &http, "demo-sp", &first).await;
    assert_eq!(status, 200, "{tokens}");
    assert!(tokens["access_token"].is_string());

    // The delivery receipt is recorded on the message's part.
    let receipt = format!(
        "id:{smsc_id} sub:001 dlvrd:001 submit date:2612070130 done date:2612070131 stat:DELIVRD err:000 text:"
    );
    let status = smsc
        .deliver(
            json!({"source_addr": ANA, "destination_addr": "Assent", "esm_class": 4,
                        "short_message": receipt, "receipted_message_id": smsc_id,
                        "message_state": 2}),
        )
        .await;
    assert_eq!(status, 0);
    assert_eq!(
        recorded(&data_dir, db, &smsc_id).await.1.as_deref(),
        Some("delivered")
    );

    // A prompt that GSM 7-bit cannot carry (an SP named in Cyrillic) goes as UCS-2
    // (data_coding 8); "2" refuses it.
    common::register(
        &gateway,
        db,
        &json!({
            "client_id": "magazin", "client_secret": common::sp_secret("magazin"),
            "client_name": "Магазин", "grant_types": ["urn:openid:params:grant-type:ciba"],
            "scope": "openid mc_vm_share", "backchannel_token_delivery_mode": "poll",
            "token_policy": "long_lived", "token_ttl_seconds": 3600,
        }),
    );
    let second = bc_authorize(&gateway, &http, "magazin", ANA, None).await;
    let submit = smsc.next("submit").await;
    assert_eq!(submit["data_coding"], 8, "{submit}");
    let text = submit["text"].as_str().unwrap();
    assert!(text.starts_with("Магазин"), "{text}");
    assert_eq!(
        recorded(&data_dir, db, submit["id"].as_str().unwrap())
            .await
            .0,
        text
    );
    let status = smsc
        .deliver(json!({"source_addr": ANA, "destination_addr": "Assent", "short_message": "2"}))
        .await;
    assert_eq!(status, 0);
    let (status, refused) = token(&gateway, &http, "magazin", &second).await;
    assert_eq!(
        (status, refused["error"].as_str()),
        (400, Some("access_denied")),
        "{refused}"
    );

    // A text that answers nothing is taken and changes nothing.
    let status = smsc
        .deliver(json!({"source_addr": ANA, "destination_addr": "Assent", "short_message": "1"}))
        .await;
    assert_eq!(status, 0);

    // Two prompts open on one handset: a "1" could be meant for either, so it approves
    // neither (it is acknowledged all the same).
    let third = bc_authorize(&gateway, &http, "demo-sp", ANA, None).await;
    let fourth = bc_authorize(&gateway, &http, "magazin", ANA, None).await;
    smsc.next("submit").await;
    smsc.next("submit").await;
    let status = smsc
        .deliver(json!({"source_addr": ANA, "destination_addr": "Assent", "short_message": "1"}))
        .await;
    assert_eq!(status, 0);
    for (sp, id) in [("demo-sp", &third), ("magazin", &fourth)] {
        let form = [
            ("grant_type", "urn:openid:params:grant-type:ciba"),
            ("auth_req_id", id.as_str()),
        ];
        let (_, body) = post_basic(&gateway, &http, sp, "/token", &form).await;
        assert_eq!(body["error"], "authorization_pending", "{body}");
    }

    // The idle link is checked (enquire_link=1 in the URL).
    smsc.next("enquire_link").await;
}

#[tokio::test]
#[ignore = "needs node-smpp: npm ci in crates/gateway/tests/smsc"]
async fn throttled_and_lost_submits_are_sent_again() {
    let Setup {
        mut smsc,
        gateway,
        http,
        _dir,
        ..
    } = setup(None, ANA, "sms").await;

    // ESME_RTHROTTLED: the same part again after a pause, and the request goes on.
    smsc.command(json!({"do": "throttle", "count": 1})).await;
    let first = bc_authorize(&gateway, &http, "demo-sp", ANA, None).await;
    let throttled = smsc.next("submit").await;
    assert_eq!(throttled["status"], 0x58);
    let again = smsc.next("submit").await;
    assert_eq!(again["status"], 0);
    assert_eq!(again["text"], throttled["text"]);
    smsc.deliver(json!({"source_addr": ANA, "destination_addr": "Assent", "short_message": "1"}))
        .await;
    assert_eq!(token(&gateway, &http, "demo-sp", &first).await.0, 200);

    // The link is cut while a submit waits for its answer: the gateway binds again and the
    // same message goes out; the SP's request was taken all the same.
    smsc.command(json!({"do": "drop_on_submit"})).await;
    let second = bc_authorize(&gateway, &http, "demo-sp", ANA, None).await;
    let lost = smsc.next("submit").await;
    assert_eq!(lost["status"], Value::Null);
    smsc.next("closed").await;
    assert_eq!(smsc.next("bind").await["accepted"], true);
    let resent = smsc.next("submit").await;
    assert_eq!(resent["status"], 0);
    assert_eq!(resent["text"], lost["text"]);
    smsc.deliver(json!({"source_addr": ANA, "destination_addr": "Assent", "short_message": "1"}))
        .await;
    assert_eq!(token(&gateway, &http, "demo-sp", &second).await.0, 200);

    // Cut with nothing in flight: the next prompt goes out on the new link.
    smsc.command(json!({"do": "drop"})).await;
    smsc.next("closed").await;
    assert_eq!(smsc.next("bind").await["accepted"], true);
    let third = bc_authorize(&gateway, &http, "demo-sp", ANA, None).await;
    assert_eq!(smsc.next("submit").await["status"], 0);
    smsc.deliver(json!({"source_addr": ANA, "destination_addr": "Assent", "short_message": "2"}))
        .await;
    assert_eq!(token(&gateway, &http, "demo-sp", &third).await.0, 400);
}

#[tokio::test]
#[ignore = "needs node-smpp: npm ci in crates/gateway/tests/smsc"]
async fn ussd_prompts_and_the_self_care_menu_go_by_ussd_service_op() {
    let Setup {
        mut smsc,
        gateway,
        http,
        _dir,
        ..
    } = setup(None, MARIE, "ussd").await;

    // The consent prompt: a USSR request (2); the answer comes back as a USSR confirm (18)
    // and a PSSR response (17) ends the dialogue.
    let request = bc_authorize(&gateway, &http, "demo-sp", MARIE, None).await;
    let prompt = smsc.next("submit").await;
    assert_eq!(prompt["ussd_service_op"], 2);
    assert_eq!(prompt["service_type"], "USSD");
    assert_eq!(prompt["registered_delivery"], 0);
    assert_eq!(prompt["data_coding"], 0);
    assert!(prompt["text"].as_str().unwrap().chars().count() <= 182);
    let status = smsc
        .deliver(json!({"source_addr": MARIE, "destination_addr": "Assent",
                        "short_message": "1", "ussd_service_op": 18}))
        .await;
    assert_eq!(status, 0);
    let last = smsc.next("submit").await;
    assert_eq!(last["ussd_service_op"], 17);
    assert_eq!(last["text"], "Thank you, your answer is recorded.");
    assert_eq!(token(&gateway, &http, "demo-sp", &request).await.0, 200);

    // The self-care menu: dialled (PSSR indication 1), each screen a USSR request, the
    // last a PSSR response.
    let status = smsc
        .deliver(json!({"source_addr": MARIE, "destination_addr": "*123#",
                        "short_message": "*123#", "ussd_service_op": 1}))
        .await;
    assert_eq!(status, 0);
    let menu = smsc.next("submit").await;
    assert_eq!(menu["ussd_service_op"], 2);
    assert_eq!(menu["to"], MARIE);
    assert_eq!(
        menu["text"],
        "Assent\n1 My consents\n2 Recent access\n3 Report an SP"
    );
    smsc.deliver(json!({"source_addr": MARIE, "destination_addr": "*123#",
                        "short_message": "1", "ussd_service_op": 18}))
        .await;
    let consents = smsc.next("submit").await;
    assert_eq!(consents["ussd_service_op"], 2);
    assert_eq!(consents["text"], "My consents\n1 Demo Shop\n0 Back");
    smsc.deliver(json!({"source_addr": MARIE, "destination_addr": "*123#",
                        "short_message": "0", "ussd_service_op": 18}))
        .await;
    assert_eq!(smsc.next("submit").await["text"], menu["text"]);
    smsc.deliver(json!({"source_addr": MARIE, "destination_addr": "*123#",
                        "short_message": "2", "ussd_service_op": 18}))
        .await;
    let recent = smsc.next("submit").await;
    assert_eq!(recent["ussd_service_op"], 17, "{recent}");
    assert_eq!(recent["text"], "No service read your data lately.");

    // An answer after the dialogue ended, and a code dialled by a stranger, end at once.
    smsc.deliver(json!({"source_addr": MARIE, "destination_addr": "*123#",
                        "short_message": "1", "ussd_service_op": 18}))
        .await;
    let ended = smsc.next("submit").await;
    assert_eq!(
        (ended["ussd_service_op"].as_u64(), ended["text"].as_str()),
        (Some(17), Some("This session has ended."))
    );
    smsc.deliver(
        json!({"source_addr": "447700900999", "destination_addr": "*123#",
                        "short_message": "*123#", "ussd_service_op": 1}),
    )
    .await;
    let refused = smsc.next("submit").await;
    assert_eq!(refused["to"], "447700900999");
    assert_eq!(refused["text"], "This service is not available.");
}

#[tokio::test]
#[ignore = "needs node-smpp: npm ci in crates/gateway/tests/smsc"]
async fn a_code_message_longer_than_one_sms_is_concatenated() {
    // The code SMS names the issuer's host: a long one makes it two segments.
    let host = "identity-gateway.mobile-connect.an-operator-with-a-rather-long-name.localhost";
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut smsc = Smsc::start().await;
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("gw");
    let listen = format!("127.0.0.1:{port}");
    let issuer = format!("https://{host}:{port}");
    let gateway = start(
        &data_dir,
        &smsc,
        &["--listen", &listen, "--issuer", &issuer],
    );
    smsc.next("bind").await;

    // The ACME client reaches the issuer's host on loopback; the gateway's certificate names
    // localhost only, so this client does not check the name.
    let ca = std::fs::read(data_dir.join("ca.pem")).unwrap();
    let http = reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(&ca).unwrap()])
        .resolve(host, format!("127.0.0.1:{port}").parse().unwrap())
        .tls_danger_accept_invalid_hostnames(true)
        .build()
        .unwrap();
    let mut acme = common::acme_client::Acme::with_http(http, &issuer).await;
    acme.register().await;
    let order = acme.order(MARIE).await;
    assert_eq!(order.status, 201, "{}", order.text);
    let (challenge_url, token) = acme.challenge_of(&order).await;
    acme.post(&challenge_url, Some(&json!({}))).await;

    let first = smsc.next("submit").await;
    let second = smsc.next("submit").await;
    // One reference, two segments, in order (TS 23.040 §9.2.3.24.1), GSM 7-bit.
    let udh = |s: &Value| s["udh"].as_str().unwrap().to_owned();
    // node-smpp shows the header's elements without its length octet.
    assert_eq!(&udh(&first)[..4], "0003");
    assert_eq!(&udh(&first)[..6], &udh(&second)[..6]);
    assert_eq!(&udh(&first)[6..], "0201");
    assert_eq!(&udh(&second)[6..], "0202");
    assert_eq!(
        (
            first["data_coding"].as_u64(),
            second["data_coding"].as_u64()
        ),
        (Some(0), Some(0))
    );
    assert_eq!(
        (first["esm_class"].as_u64(), second["esm_class"].as_u64()),
        (Some(0x40), Some(0x40))
    );
    assert_eq!(first["text"].as_str().unwrap().chars().count(), 153);
    let text = format!(
        "{}{}",
        first["text"].as_str().unwrap(),
        second["text"].as_str().unwrap()
    );
    let last = text.lines().last().unwrap();
    assert!(last.starts_with(&format!("@{host} #")), "{last}");
    let code = last.rsplit('#').next().unwrap();
    let done = acme
        .post(&challenge_url, Some(&acme.key_authorization(&token, code)))
        .await;
    assert_eq!(done.status, 200, "{}", done.text);
    drop(gateway);
}
