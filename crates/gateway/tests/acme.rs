//! The ACME server (RFC 8555) with `TNAuthList` (RFC 9448) and `sms-link-00`, over TLS:
//! an ACME client written here against the RFC enrolls +447700900001 through the handset
//! simulator; the bounds (wrong, expired codes; the number lock; the SMS cap; concurrent
//! "ready") and the JWS rules are tested; the certificate's TNAuthList is decoded; `lego`
//! and `certbot` get a clean `unsupportedIdentifier`.

// Test helpers may unwrap: a failure there is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use assent_acme::jws::SigningKey;
use assent_acme::{cert, csr};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::acme_client::{Acme, code_on_handset};
use common::{admin, client, fresh_postgres, handset, start};
use serde_json::{Value, json};

const MARIE: &str = "447700900001";

fn sms_count(messages: &[Value]) -> usize {
    messages.iter().filter(|m| m["kind"] == "sms").count()
}

async fn enrollment(database_url: Option<&str>) {
    let dir = tempfile::tempdir().unwrap();
    let gateway = start(&dir.path().join("gw"), database_url);
    let http = client(&gateway, false);
    let mut acme = Acme::new(&gateway).await;
    acme.register().await;

    // newAccount takes a jwk, never a kid (RFC 8555 §6.2).
    let new_account = acme.url("newAccount");
    let again = acme
        .post(&new_account, Some(&json!({"onlyReturnExisting": true})))
        .await;
    assert_eq!(
        again.body["type"], "urn:ietf:params:acme:error:malformed",
        "{}",
        again.text
    );
    // The same key again names the same account (§7.3.1).
    let kid = acme.kid.take();
    let same = acme
        .post(&new_account, Some(&json!({"onlyReturnExisting": true})))
        .await;
    assert_eq!(
        (same.status, same.location.as_deref()),
        (200, kid.as_deref())
    );
    acme.kid = kid;

    let order = acme.order(MARIE).await;
    assert_eq!(order.status, 201, "{}", order.text);
    assert_eq!(order.body["status"], "pending");
    let order_url = order.location.clone().unwrap();
    let (challenge_url, token) = acme.challenge_of(&order).await;
    assert_eq!(
        URL_SAFE_NO_PAD.decode(&token).unwrap().len(),
        16,
        "128-bit token"
    );

    // "Ready": one SMS with the code; the challenge is processing.
    let ready = acme.post(&challenge_url, Some(&json!({}))).await;
    assert_eq!(
        (ready.status, ready.body["status"].as_str()),
        (200, Some("processing")),
        "{}",
        ready.text
    );
    assert!(ready.retry_after.is_some());
    let code = code_on_handset(&gateway, &http, MARIE).await;
    assert_eq!(code.len(), 6);
    let complete = acme
        .post(&challenge_url, Some(&acme.key_authorization(&token, &code)))
        .await;
    assert_eq!(
        (complete.status, complete.body["status"].as_str()),
        (200, Some("valid")),
        "{}",
        complete.text
    );
    let ready_order = acme.post(&order_url, None).await;
    assert_eq!(ready_order.body["status"], "ready");

    // Finalize: a CSR with the account key is refused; another key gets the certificate.
    let finalize = order.body["finalize"].as_str().unwrap().to_owned();
    let device_key = rcgen::KeyPair::generate().unwrap();
    let wrong_number = csr::build_csr("447700900002", &device_key).unwrap();
    let refused = acme
        .post(
            &finalize,
            Some(&json!({"csr": URL_SAFE_NO_PAD.encode(&wrong_number)})),
        )
        .await;
    assert_eq!(
        refused.body["type"], "urn:ietf:params:acme:error:badCSR",
        "{}",
        refused.text
    );
    let csr_der = csr::build_csr(MARIE, &device_key).unwrap();
    let done = acme
        .post(
            &finalize,
            Some(&json!({"csr": URL_SAFE_NO_PAD.encode(&csr_der)})),
        )
        .await;
    assert_eq!(
        (done.status, done.body["status"].as_str()),
        (200, Some("valid")),
        "{}",
        done.text
    );
    let cert_url = done.body["certificate"].as_str().unwrap().to_owned();
    let chain = acme.post(&cert_url, None).await;
    assert_eq!(chain.status, 200);
    assert_eq!(chain.content_type, "application/pem-certificate-chain");
    assert_eq!(
        chain.text.matches("BEGIN CERTIFICATE").count(),
        2,
        "leaf and ACME CA"
    );
    let leaf_pem = chain
        .text
        .split("-----END CERTIFICATE-----")
        .next()
        .unwrap()
        .to_owned()
        + "-----END CERTIFICATE-----\n";
    let leaf_der = rustls::pki_types::pem::PemObject::from_pem_slice(leaf_pem.as_bytes())
        .map(|d: rustls::pki_types::CertificateDer<'static>| d.to_vec())
        .unwrap();
    let list = cert::tn_auth_list_of_certificate(&leaf_der).unwrap();
    assert_eq!(
        list.single_number(),
        Some(MARIE),
        "the certificate names the number"
    );

    // Revocation by the account; twice is alreadyRevoked.
    let revoke_url = acme.url("revokeCert");
    let payload = json!({"certificate": URL_SAFE_NO_PAD.encode(&leaf_der), "reason": 4});
    let revoked = acme.post(&revoke_url, Some(&payload)).await;
    assert_eq!(revoked.status, 200, "{}", revoked.text);
    let again = acme.post(&revoke_url, Some(&payload)).await;
    assert_eq!(
        again.body["type"],
        "urn:ietf:params:acme:error:alreadyRevoked"
    );
    let (ok, out) = admin(&gateway.data_dir, database_url, &["audit", "verify"]);
    assert!(ok, "{out}");
}

#[tokio::test]
async fn sqlite_enrolls_a_number_through_the_simulator() {
    enrollment(None).await;
}

#[tokio::test]
async fn postgres_enrolls_a_number_through_the_simulator() {
    enrollment(Some(&fresh_postgres().await)).await;
}

#[tokio::test]
async fn wrong_and_expired_codes_the_lock_the_cap_and_concurrent_ready() {
    let dir = tempfile::tempdir().unwrap();
    let gateway = start(&dir.path().join("gw"), None);
    let http = client(&gateway, false);
    let mut acme = Acme::new(&gateway).await;
    acme.register().await;
    let sqlite_url = format!("sqlite:{}", gateway.data_dir.join("gateway.db").display());

    // Three wrong answers: invalid (challenge, order).
    let order = acme.order(MARIE).await;
    let (challenge_url, token) = acme.challenge_of(&order).await;
    acme.post(&challenge_url, Some(&json!({}))).await;
    let code = code_on_handset(&gateway, &http, MARIE).await;
    let wrong = if code == "000000" { "000001" } else { "000000" };
    for left in ["2 attempts left", "1 attempts left"] {
        let answer = acme
            .post(&challenge_url, Some(&acme.key_authorization(&token, wrong)))
            .await;
        assert_eq!(
            answer.body["type"],
            "urn:ietf:params:acme:error:incorrectResponse"
        );
        assert!(
            answer.body["detail"].as_str().unwrap().contains(left),
            "{}",
            answer.text
        );
    }
    let third = acme
        .post(&challenge_url, Some(&acme.key_authorization(&token, wrong)))
        .await;
    assert!(third.body["detail"].as_str().unwrap().contains("invalid"));
    let late = acme
        .post(&challenge_url, Some(&acme.key_authorization(&token, &code)))
        .await;
    assert_eq!(
        late.status, 400,
        "the right code is too late now: {}",
        late.text
    );
    let order_now = acme.post(order.location.as_deref().unwrap(), None).await;
    assert_eq!(order_now.body["status"], "invalid");

    // An expired code (the clock moved ten minutes on): invalid.
    let order = acme.order(MARIE).await;
    let (challenge_url, token) = acme.challenge_of(&order).await;
    acme.post(&challenge_url, Some(&json!({}))).await;
    let code = code_on_handset(&gateway, &http, MARIE).await;
    {
        use sqlx::Connection;
        let mut db = sqlx::SqliteConnection::connect(&sqlite_url).await.unwrap();
        sqlx::query("UPDATE acme_challenges SET code_expires_ms = 1 WHERE status = 'processing'")
            .execute(&mut db)
            .await
            .unwrap();
    }
    let expired = acme
        .post(&challenge_url, Some(&acme.key_authorization(&token, &code)))
        .await;
    assert_eq!(
        expired.body["detail"], "the code expired",
        "{}",
        expired.text
    );

    // Concurrent "ready": exactly one SMS.
    let before = sms_count(&handset(&gateway, &http, MARIE).await);
    let order = acme.order(MARIE).await;
    let (challenge_url, _) = acme.challenge_of(&order).await;
    let mut bodies = Vec::new();
    for _ in 0..10 {
        let nonce = acme.fresh_nonce().await;
        bodies.push(acme.body(&nonce, &challenge_url, Some(&json!({}))));
    }
    let sends: Vec<_> = bodies
        .into_iter()
        .map(|body| {
            let request = acme
                .http
                .post(&challenge_url)
                .header("content-type", "application/jose+json")
                .body(body.to_string());
            tokio::spawn(async move { request.send().await.unwrap().status().as_u16() })
        })
        .collect();
    for send in sends {
        assert_eq!(send.await.unwrap(), 200);
    }
    assert_eq!(
        sms_count(&handset(&gateway, &http, MARIE).await),
        before + 1,
        "one SMS"
    );

    // The cap: at most 5 SMS per number per hour (3 sent above), then rateLimited.
    for _ in 0..2 {
        let order = acme.order(MARIE).await;
        let (challenge_url, _) = acme.challenge_of(&order).await;
        assert_eq!(
            acme.post(&challenge_url, Some(&json!({}))).await.status,
            200
        );
    }
    let order = acme.order(MARIE).await;
    let (challenge_url, _) = acme.challenge_of(&order).await;
    let limited = acme.post(&challenge_url, Some(&json!({}))).await;
    assert_eq!(
        limited.body["type"], "urn:ietf:params:acme:error:rateLimited",
        "{}",
        limited.text
    );
    assert_eq!(limited.status, 429);
    let wait: u64 = limited.retry_after.unwrap().parse().unwrap();
    assert!((1..=3600).contains(&wait));

    // The lock: 100 failed answers for a number (97 more, as if from many accounts), then
    // no order until an operator unlocks it.
    {
        use sqlx::Connection;
        let mut db = sqlx::SqliteConnection::connect(&sqlite_url).await.unwrap();
        sqlx::query("UPDATE acme_numbers SET failures = 99 WHERE number = $1")
            .bind(MARIE)
            .execute(&mut db)
            .await
            .unwrap();
        sqlx::query("DELETE FROM budgets")
            .execute(&mut db)
            .await
            .unwrap();
    }
    let order = acme.order(MARIE).await;
    let (challenge_url, token) = acme.challenge_of(&order).await;
    acme.post(&challenge_url, Some(&json!({}))).await;
    acme.post(
        &challenge_url,
        Some(&acme.key_authorization(&token, "123456x")),
    )
    .await;
    let locked = acme.order(MARIE).await;
    assert_eq!(
        locked.body["type"], "urn:ietf:params:acme:error:rejectedIdentifier",
        "{}",
        locked.text
    );
    assert!(locked.body["detail"].as_str().unwrap().contains("locked"));
    let (ok, out) = admin(
        &gateway.data_dir,
        None,
        &["acme", "unlock", "+447700900001"],
    );
    assert!(ok, "{out}");
    assert_eq!(acme.order(MARIE).await.status, 201);
    let (ok, out) = admin(
        &gateway.data_dir,
        None,
        &["acme", "unlock", "+447700900001"],
    );
    assert!(!ok && out.contains("not locked"), "{out}");
}

#[tokio::test]
async fn rfc_8555_6_jws_rules() {
    let dir = tempfile::tempdir().unwrap();
    let gateway = start(&dir.path().join("gw"), None);
    let mut acme = Acme::new(&gateway).await;
    let new_account = acme.url("newAccount");
    let payload = json!({"termsOfServiceAgreed": true});

    // §6.5: a used nonce is badNonce, with a fresh Replay-Nonce to retry with.
    let nonce = acme.fresh_nonce().await;
    let body = acme.body(&nonce, &new_account, Some(&payload));
    let created = acme.send(&new_account, &body).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let kid = created.location;
    let replay = acme.send(&new_account, &body).await;
    assert_eq!(replay.body["type"], "urn:ietf:params:acme:error:badNonce");
    assert!(acme.nonce.is_some(), "a fresh nonce comes with badNonce");
    // A nonce this server did not hand out is badNonce: here a fresh one with its first
    // character (the expiry's high bits) changed, so it is well formed but not minted.
    let nonce = acme.fresh_nonce().await;
    let first = if nonce.starts_with('A') { "B" } else { "A" };
    let forged = format!("{first}{}", &nonce[1..]);
    let body = acme.body(&forged, &new_account, Some(&payload));
    let answer = acme.send(&new_account, &body).await;
    assert_eq!(
        answer.body["type"], "urn:ietf:params:acme:error:badNonce",
        "{}",
        answer.text
    );
    // §6.4: the url must be the request's.
    let nonce = acme.fresh_nonce().await;
    let elsewhere = acme.body(&nonce, &acme.url("newOrder"), Some(&payload));
    let answer = acme.send(&new_account, &elsewhere).await;
    assert_eq!(
        answer.body["type"], "urn:ietf:params:acme:error:unauthorized",
        "{}",
        answer.text
    );
    // §6.2: newOrder needs a kid.
    let new_order = acme.url("newOrder");
    let answer = acme
        .post(
            &new_order,
            Some(&json!({"identifiers": [{"type": "TNAuthList", "value": "x"}]})),
        )
        .await;
    assert_eq!(
        answer.body["type"], "urn:ietf:params:acme:error:malformed",
        "{}",
        answer.text
    );
    // Only TNAuthList identifiers.
    acme.kid = kid;
    let answer = acme
        .post(
            &new_order,
            Some(&json!({"identifiers": [{"type": "dns", "value": "example.org"}]})),
        )
        .await;
    assert_eq!(
        answer.body["type"],
        "urn:ietf:params:acme:error:unsupportedIdentifier"
    );
    assert_eq!(answer.content_type, "application/problem+json");
    // Ed25519 accounts work too.
    let mut ed = Acme::new(&gateway).await;
    ed.key = SigningKey::generate_ed25519();
    ed.register().await;
    assert_eq!(ed.order(MARIE).await.status, 201);
}

/// `lego` and `certbot` (Debian's) pointed at the directory ask for a DNS name: they must
/// get a clean `unsupportedIdentifier`, not a crash or a hang.
#[tokio::test]
async fn lego_and_certbot_get_a_clean_unsupported_identifier() {
    let dir = tempfile::tempdir().unwrap();
    let gateway = start(&dir.path().join("gw"), None);
    let directory = format!("{}/acme/directory", gateway.url);
    let ca = gateway.data_dir.join("ca.pem");
    let work = dir.path().join("work");
    std::fs::create_dir_all(&work).unwrap();

    let lego = std::process::Command::new("lego")
        .env("LEGO_CA_CERTIFICATES", &ca)
        .args([
            "--server",
            &directory,
            "--email",
            "qa@example.org",
            "--accept-tos",
        ])
        .args([
            "--domains",
            "example.org",
            "--http",
            "--http.port",
            "127.0.0.1:0",
        ])
        .arg("--path")
        .arg(work.join("lego"))
        .arg("run")
        .output()
        .expect("lego is installed (Debian package lego)");
    let said =
        String::from_utf8_lossy(&lego.stderr).to_string() + &String::from_utf8_lossy(&lego.stdout);
    assert!(!lego.status.success());
    assert!(said.contains("unsupportedIdentifier"), "lego said: {said}");

    let certbot = std::process::Command::new("certbot")
        .env("REQUESTS_CA_BUNDLE", &ca)
        .args([
            "certonly",
            "--non-interactive",
            "--agree-tos",
            "-m",
            "qa@example.org",
        ])
        .args([
            "--server",
            &directory,
            "--standalone",
            "--http-01-port",
            "0",
        ])
        .args(["-d", "example.org"])
        .arg("--config-dir")
        .arg(work.join("certbot/config"))
        .arg("--work-dir")
        .arg(work.join("certbot/work"))
        .arg("--logs-dir")
        .arg(work.join("certbot/logs"))
        .output()
        .expect("certbot is installed (Debian package certbot)");
    // Debian's certbot 2.1 with its josepy crashes while displaying any ACME error
    // ("AttributeError: can't set attribute", a certbot/josepy bug under Python 3.11); the
    // problem our server sent is in its log, which is where we read it.
    let log =
        std::fs::read_to_string(work.join("certbot/logs/letsencrypt.log")).unwrap_or_default();
    let said = String::from_utf8_lossy(&certbot.stderr).to_string()
        + &String::from_utf8_lossy(&certbot.stdout)
        + &log;
    assert!(!certbot.status.success());
    assert!(
        said.contains("urn:ietf:params:acme:error:unsupportedIdentifier"),
        "certbot said: {said}"
    );
    assert!(
        said.contains("telephone numbers only"),
        "the detail reached certbot: {said}"
    );
}

/// RFC 8555 §7.3.5 key rollover, §7.3.6 deactivation, §7.4 the account key refused in a CSR,
/// §7.6 revocation signed with the certified key.
#[tokio::test]
async fn rollover_deactivation_and_revocation_by_the_certified_key() {
    let dir = tempfile::tempdir().unwrap();
    let gateway = start(&dir.path().join("gw"), None);
    let http = client(&gateway, false);
    let mut acme = Acme::new(&gateway).await;
    acme.register().await;
    let kid = acme.kid.clone().unwrap();

    // Rollover: the new key signs the inner JWS; afterwards only it works.
    let new_key = SigningKey::generate_ed25519();
    let key_change = acme.url("keyChange");
    let inner = assent_acme::jws::sign_key_change(&new_key, &kid, &acme.key.public(), &key_change);
    let rolled = acme.post(&key_change, Some(&inner)).await;
    assert_eq!(rolled.status, 200, "{}", rolled.text);
    let old_key = std::mem::replace(&mut acme.key, new_key);
    assert_eq!(acme.order(MARIE).await.status, 201, "the new key works");
    let old = std::mem::replace(&mut acme.key, old_key);
    assert_eq!(
        acme.order(MARIE).await.status,
        403,
        "the old key no longer does"
    );
    acme.key = old;

    // A CSR with the account key is refused; the certificate is revocable with its own key.
    let order = acme.order(MARIE).await;
    let (challenge_url, token) = acme.challenge_of(&order).await;
    acme.post(&challenge_url, Some(&json!({}))).await;
    let code = code_on_handset(&gateway, &http, MARIE).await;
    acme.post(&challenge_url, Some(&acme.key_authorization(&token, &code)))
        .await;
    let finalize = order.body["finalize"].as_str().unwrap().to_owned();
    let account_pem = acme.key.to_pkcs8_pem();
    let account_as_rcgen = rcgen::KeyPair::from_pem(&account_pem).unwrap();
    let same_key = csr::build_csr(MARIE, &account_as_rcgen).unwrap();
    let refused = acme
        .post(
            &finalize,
            Some(&json!({"csr": URL_SAFE_NO_PAD.encode(&same_key)})),
        )
        .await;
    assert_eq!(
        refused.body["type"], "urn:ietf:params:acme:error:badCSR",
        "{}",
        refused.text
    );
    assert!(
        refused.body["detail"]
            .as_str()
            .unwrap()
            .contains("account key")
    );
    let device = SigningKey::generate_es256();
    let device_rcgen = rcgen::KeyPair::from_pem(&device.to_pkcs8_pem()).unwrap();
    let csr_der = csr::build_csr(MARIE, &device_rcgen).unwrap();
    let done = acme
        .post(
            &finalize,
            Some(&json!({"csr": URL_SAFE_NO_PAD.encode(&csr_der)})),
        )
        .await;
    let chain = acme
        .post(done.body["certificate"].as_str().unwrap(), None)
        .await;
    let leaf = chain
        .text
        .split("-----END CERTIFICATE-----")
        .next()
        .unwrap()
        .to_owned()
        + "-----END CERTIFICATE-----\n";
    let leaf_der = rustls::pki_types::pem::PemObject::from_pem_slice(leaf.as_bytes())
        .map(|d: rustls::pki_types::CertificateDer<'static>| d.to_vec())
        .unwrap();
    let mut by_key = Acme::new(&gateway).await;
    by_key.key = device;
    let revoke_url = by_key.url("revokeCert");
    let revoked = by_key
        .post(
            &revoke_url,
            Some(&json!({"certificate": URL_SAFE_NO_PAD.encode(&leaf_der)})),
        )
        .await;
    assert_eq!(revoked.status, 200, "{}", revoked.text);

    // Deactivation: the account is done for.
    let deactivated = acme
        .post(&kid, Some(&json!({"status": "deactivated"})))
        .await;
    assert_eq!(
        deactivated.body["status"], "deactivated",
        "{}",
        deactivated.text
    );
    let after = acme.order(MARIE).await;
    assert_eq!(
        after.body["type"],
        "urn:ietf:params:acme:error:unauthorized"
    );
}

/// §6.5 across processes: a nonce handed out by one gateway is good at another on the same
/// database and data directory, once: spent there, it is refused at both.
#[tokio::test]
async fn a_nonce_is_spent_once_across_gateways() {
    let dir = tempfile::tempdir().unwrap();
    let a = start(&dir.path().join("gw"), None);
    let b = start(&dir.path().join("gw"), None);
    let mut at_a = Acme::new(&a).await;
    let mut at_b = Acme::new(&b).await;
    let payload = json!({"termsOfServiceAgreed": true});

    let nonce = at_a.fresh_nonce().await;
    let to_b = at_b.body(&nonce, &at_b.url("newAccount"), Some(&payload));
    let created = at_b.send(&at_b.url("newAccount"), &to_b).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let again = at_b.send(&at_b.url("newAccount"), &to_b).await;
    assert_eq!(
        again.body["type"], "urn:ietf:params:acme:error:badNonce",
        "{}",
        again.text
    );
    let to_a = at_a.body(&nonce, &at_a.url("newAccount"), Some(&payload));
    let at_a_again = at_a.send(&at_a.url("newAccount"), &to_a).await;
    assert_eq!(
        at_a_again.body["type"], "urn:ietf:params:acme:error:badNonce",
        "{}",
        at_a_again.text
    );
}

/// From outside, with `--sim-swap-hold 3s`: after `admin users sim-change`, the right code
/// for Marie's number is refused (`rejectedIdentifier`, with `Retry-After`), and once the
/// hold is over the number is proven again; on SQLite and PostgreSQL.
async fn a_sim_change_holds_proofs(database_url: Option<&str>) {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("gw");
    let gateway = common::start_with(&data_dir, database_url, None, &["--sim-swap-hold", "3s"]);
    let (ok, out) = admin(
        &data_dir,
        database_url,
        &["users", "sim-change", "+447700900001"],
    );
    assert!(ok && out.starts_with("SIM change recorded at 20"), "{out}");
    let mut acme = Acme::new(&gateway).await;
    acme.register().await;
    let order = acme.order(MARIE).await;
    let (challenge_url, token) = acme.challenge_of(&order).await;
    acme.post(&challenge_url, Some(&json!({}))).await;
    let code = code_on_handset(&gateway, &acme.http.clone(), MARIE).await;
    let held = acme
        .post(&challenge_url, Some(&acme.key_authorization(&token, &code)))
        .await;
    assert_eq!(held.status, 400, "{}", held.text);
    assert_eq!(
        held.body["type"],
        "urn:ietf:params:acme:error:rejectedIdentifier"
    );
    assert!(
        held.body["detail"].as_str().unwrap().contains("SIM card"),
        "{}",
        held.text
    );
    let retry: u64 = held.retry_after.as_deref().unwrap().parse().unwrap();
    assert!((1..=3).contains(&retry), "{retry}");
    // The change is in the trail, with the user.
    let (ok, out) = admin(
        &data_dir,
        database_url,
        &["audit", "list", "--kind", "admin", "--json"],
    );
    assert!(ok && out.contains("sim_change"), "{out}");

    tokio::time::sleep(std::time::Duration::from_secs(retry + 1)).await;
    let (_key, certificate) = common::acme_client::enroll(&gateway, MARIE).await;
    assert!(!certificate.is_empty());
}

#[tokio::test]
async fn sqlite_a_sim_change_holds_proofs_of_the_number() {
    a_sim_change_holds_proofs(None).await;
}

#[tokio::test]
async fn postgres_a_sim_change_holds_proofs_of_the_number() {
    let url = fresh_postgres().await;
    a_sim_change_holds_proofs(Some(&url)).await;
}

/// The ACME CA certifies numbers only (RFC 5280 §4.2.1.10 name constraints): OpenSSL, a
/// verifier nobody here wrote, accepts a TNAuthList leaf it issued, and refuses a leaf for a
/// DNS name or an IP address signed by the same key ("excluded subtree violation").
#[test]
fn the_acme_ca_is_constrained_to_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let ca = assent_gateway::flows::acme::AcmeCa::load_or_create(dir.path()).unwrap();
    let ca_file = dir.path().join("acme-ca.pem");
    let verify = |leaf_pem: &str, name: &str| {
        let leaf = dir.path().join(format!("{name}.pem"));
        std::fs::write(&leaf, leaf_pem).unwrap();
        let out = std::process::Command::new("openssl")
            .args(["verify", "-CAfile"])
            .arg(&ca_file)
            .arg(&leaf)
            .output()
            .unwrap();
        (
            out.status.success(),
            format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
        )
    };
    let key = rcgen::KeyPair::generate().unwrap();
    let csr_der = csr::build_csr(MARIE, &key).unwrap();
    let generation = ca.current();
    let issued = cert::issue(&csr_der, MARIE, &generation.issuer, time::Duration::days(1)).unwrap();
    let (ok, out) = verify(&issued.pem, "number");
    assert!(ok, "{out}");
    for (name, san) in [
        (
            "dns",
            rcgen::SanType::DnsName("bank.example".try_into().unwrap()),
        ),
        (
            "ip",
            rcgen::SanType::IpAddress("127.0.0.1".parse().unwrap()),
        ),
    ] {
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params.subject_alt_names = vec![san];
        let forged = params.signed_by(&key, &generation.issuer).unwrap();
        let (ok, out) = verify(&forged.pem(), name);
        assert!(!ok, "{name}: {out}");
        assert!(out.contains("excluded subtree violation"), "{name}: {out}");
    }
}
