//! Scale-out (IDY.03 MC_RES_07: a high-availability deployment) and crash safety, with the
//! real `assent-gateway` binary as separate OS processes over TLS 1.3 on loopback:
//!
//! - two instances on one PostgreSQL database serve as one: a CIBA request started on A is
//!   answered through B and its token polled from A; an ID token of A is a valid hint at B;
//!   a one-time token and a refresh token spent on both at once have exactly one winner;
//!   concurrent writers through both extend one audit chain;
//! - an instance killed with SIGKILL mid-load (two on PostgreSQL; the SQLite default with one)
//!   loses nothing it acknowledged: every token still works, every consent is stored, every
//!   resource access is in the audit trail, and the trail verifies.
//!
//! The instances share one data directory (keys, CA, pairwise-subject secret) and one issuer
//! (`--issuer`), as instances behind one load-balanced address do. docs/gateway.md, "Scale-out
//! and crash safety", says why. The PostgreSQL tests are skipped, saying so, only when
//! ASSENT_TEST_POSTGRES_URL is absent (scripts/test always sets it).

// Test helpers may unwrap: a failure there is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::{BIN, Gateway, client, fresh_postgres, start_with};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The one address clients know all instances by.
const ISSUER: &str = "https://gateway.assent.test";
const CIBA: &str = "urn:openid:params:grant-type:ciba";
const MARIE: &str = "447700900001";
const ANA: &str = "447700900003";
/// No request of these tests may take longer, even on a busy machine.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);

fn postgres_available() -> bool {
    if std::env::var_os("ASSENT_TEST_POSTGRES_URL").is_some() {
        return true;
    }
    eprintln!(
        "SKIPPED: ASSENT_TEST_POSTGRES_URL is not set (scripts/test starts a PostgreSQL and sets it)"
    );
    false
}

fn instance(data_dir: &Path, database_url: Option<&str>) -> Gateway {
    // Refused resource requests are not limited here: the one-time token's race below
    // counts every refusal as a 401.
    start_with(
        data_dir,
        database_url,
        None,
        &["--issuer", ISSUER, "--rate-limit-resource-refused", "off"],
    )
}

/// A form POST authenticated with the SP's demo secret: (status, body bytes).
async fn post(
    http: &reqwest::Client,
    base: &str,
    sp: &str,
    path: &str,
    form: &[(&str, &str)],
) -> Result<(u16, axum::body::Bytes), reqwest::Error> {
    let response = http
        .post(format!("{base}{path}"))
        .basic_auth(sp, Some(common::sp_secret(sp)))
        .form(form)
        .timeout(REQUEST_TIMEOUT)
        .send()
        .await?;
    let status = response.status().as_u16();
    Ok((status, response.bytes().await?))
}

async fn post_json(
    http: &reqwest::Client,
    base: &str,
    sp: &str,
    path: &str,
    form: &[(&str, &str)],
) -> (u16, Value) {
    let (status, body) = post(http, base, sp, path, form).await.unwrap();
    (status, serde_json::from_slice(&body).unwrap())
}

async fn premiuminfo(
    http: &reqwest::Client,
    base: &str,
    token: &str,
) -> Result<(u16, axum::body::Bytes), reqwest::Error> {
    let response = http
        .get(format!("{base}/premiuminfo"))
        .bearer_auth(token)
        .timeout(REQUEST_TIMEOUT)
        .send()
        .await?;
    let status = response.status().as_u16();
    Ok((status, response.bytes().await?))
}

/// Answers the newest open prompt of `msisdn` through the instance at `base`:
/// Some(true) when the gateway acknowledged an applied answer.
async fn approve_on(http: &reqwest::Client, base: &str, msisdn: &str) -> Option<bool> {
    let messages: Vec<Value> = http
        .get(format!("{base}/sim/handsets/{msisdn}/messages"))
        .timeout(REQUEST_TIMEOUT)
        .send()
        .await
        .ok()?
        .json()
        .await
        .ok()?;
    let open = messages.iter().rev().find(|m| m["open"] == true)?;
    let body = serde_json::json!({"message_id": open["id"], "text": "1"});
    let response = http
        .post(format!("{base}/sim/handsets/{msisdn}/reply"))
        .json(&body)
        .timeout(REQUEST_TIMEOUT)
        .send()
        .await
        .ok()?;
    if response.status() != 200 {
        return Some(false);
    }
    let answer: Value = response.json().await.ok()?;
    Some(answer["accepted"] == true)
}

/// A CIBA sign-in of `msisdn` to demo-sp: asked on `start`, approved on `answer`, polled on
/// `start` (the first poll needs no wait).
async fn ciba_token(http: &reqwest::Client, start: &str, answer: &str, msisdn: &str) -> Value {
    let hint = format!("MSISDN:{msisdn}");
    let form = [
        ("scope", "openid mc_vm_share"),
        ("login_hint", hint.as_str()),
    ];
    let (status, grant) = post_json(http, start, "demo-sp", "/bc-authorize", &form).await;
    assert_eq!(status, 200, "{grant}");
    assert_eq!(approve_on(http, answer, msisdn).await, Some(true));
    let id = grant["auth_req_id"].as_str().unwrap();
    let form = [("grant_type", CIBA), ("auth_req_id", id)];
    let (status, tokens) = post_json(http, start, "demo-sp", "/token", &form).await;
    assert_eq!(status, 200, "{tokens}");
    tokens
}

/// The whole audit trail, read back through the gateway's store and checked as one chain
/// and as one chain per user (a fork in either is an error).
async fn audit_trail(data_dir: &Path, database_url: Option<&str>) -> Vec<assent_audit::AuditEntry> {
    let store = assent_gateway::open_store(data_dir, database_url, false)
        .await
        .unwrap();
    let mut entries = Vec::new();
    loop {
        let after = entries
            .last()
            .map_or(0, |e: &assent_audit::AuditEntry| e.seq);
        let page = store.audit_page(after, 10_000).await.unwrap();
        if page.is_empty() {
            break;
        }
        entries.extend(page);
    }
    let head = assent_audit::verify_trail(&entries, assent_audit::Head::GENESIS).unwrap();
    assert_eq!(head.seq, entries.len() as u64);
    let mut by_user: HashMap<&str, Vec<&assent_audit::AuditEntry>> = HashMap::new();
    for entry in &entries {
        if let Some(user) = entry.content.user.as_deref() {
            by_user.entry(user).or_default().push(entry);
        }
    }
    for (user, mine) in by_user {
        assent_audit::verify_user_chain(user, mine).unwrap();
    }
    // The operator's own check agrees.
    let (ok, out) = common::admin(data_dir, database_url, &["audit", "verify"]);
    assert!(ok, "{out}");
    assert!(
        out.starts_with(&format!("audit trail verified: {} entries", entries.len())),
        "{out}"
    );
    entries
}

fn detail(entry: &assent_audit::AuditEntry) -> Value {
    serde_json::from_str(&entry.content.detail).unwrap()
}

fn issued_by_grant(entries: &[assent_audit::AuditEntry], grant: &str) -> usize {
    entries
        .iter()
        .filter(|e| e.content.kind == assent_audit::EntryKind::TokenIssued)
        .filter(|e| detail(e)["grant"] == grant)
        .count()
}

#[tokio::test]
async fn postgres_two_instances_serve_as_one() {
    if !postgres_available() {
        return;
    }
    let db = fresh_postgres().await;
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("gw");
    let a = instance(&data_dir, Some(&db));
    let b = instance(&data_dir, Some(&db));
    let http = client(&a, false);
    let (a, b) = (a.url.clone(), b.url.clone());

    // Both describe one issuer.
    for base in [&a, &b] {
        let discovery: Value = http
            .get(format!("{base}/.well-known/openid-configuration"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(discovery["issuer"], ISSUER);
    }

    // A CIBA request started on A, approved through B, its token polled from A.
    let tokens = ciba_token(&http, &a, &b, MARIE).await;
    let id_token = tokens["id_token"].as_str().unwrap();
    assert_eq!(common::jwt_claims(id_token)["iss"], ISSUER);
    let access = tokens["access_token"].as_str().unwrap();
    let (status, body) = post_json(&http, &b, "demo-sp", "/introspect", &[("token", access)]).await;
    assert_eq!(
        (status, &body["active"]),
        (200, &Value::Bool(true)),
        "{body}"
    );

    // A's ID token names the user at B (an instance with its own issuer refuses it).
    let form = [("scope", "openid mc_vm_share"), ("id_token_hint", id_token)];
    let (status, grant) = post_json(&http, &b, "demo-sp", "/bc-authorize", &form).await;
    assert_eq!(status, 200, "{grant}");
    assert_eq!(approve_on(&http, &a, MARIE).await, Some(true));
    let form = [
        ("grant_type", CIBA),
        ("auth_req_id", grant["auth_req_id"].as_str().unwrap()),
    ];
    let (status, body) = post_json(&http, &b, "demo-sp", "/token", &form).await;
    assert_eq!(status, 200, "{body}");

    // A one-time token spent on both instances at once: exactly one 200.
    let once = {
        let hint = format!("MSISDN:{ANA}");
        let form = [
            ("scope", "openid mc_vm_share"),
            ("login_hint", hint.as_str()),
        ];
        let (status, grant) = post_json(&http, &a, "once-sp", "/bc-authorize", &form).await;
        assert_eq!(status, 200, "{grant}");
        assert_eq!(approve_on(&http, &b, ANA).await, Some(true));
        let form = [
            ("grant_type", CIBA),
            ("auth_req_id", grant["auth_req_id"].as_str().unwrap()),
        ];
        let (status, tokens) = post_json(&http, &b, "once-sp", "/token", &form).await;
        assert_eq!(status, 200, "{tokens}");
        tokens["access_token"].as_str().unwrap().to_owned()
    };
    let spends: Vec<_> = (0..200)
        .map(|i| {
            let (http, base, token) = (http.clone(), [&a, &b][i % 2].clone(), once.clone());
            tokio::spawn(async move { premiuminfo(&http, &base, &token).await.unwrap().0 })
        })
        .collect();
    let mut statuses = Vec::new();
    for spend in spends {
        statuses.push(spend.await.unwrap());
    }
    let count = |s: u16| statuses.iter().filter(|x| **x == s).count();
    assert_eq!((count(200), count(401)), (1, 199), "{statuses:?}");

    // A refresh token presented to both at once: rotated exactly once.
    let refresh = tokens["refresh_token"].as_str().unwrap().to_owned();
    let rotations: Vec<_> = (0..20)
        .map(|i| {
            let (http, base, refresh) = (http.clone(), [&a, &b][i % 2].clone(), refresh.clone());
            tokio::spawn(async move {
                let form = [("grant_type", "refresh_token"), ("refresh_token", &refresh)];
                post(&http, &base, "demo-sp", "/token", &form)
                    .await
                    .unwrap()
                    .0
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for rotation in rotations {
        statuses.push(rotation.await.unwrap());
    }
    let count = |s: u16| statuses.iter().filter(|x| **x == s).count();
    assert_eq!((count(200), count(400)), (1, 19), "{statuses:?}");

    // Concurrent writers through both instances: every one acknowledged, one chain.
    const WRITERS: usize = 80;
    let writers: Vec<_> = (0..WRITERS)
        .map(|i| {
            let (http, base) = (http.clone(), [&a, &b][i % 2].clone());
            tokio::spawn(async move {
                let form = [("grant_type", "client_credentials"), ("scope", "mc_atp")];
                post(&http, &base, "atp-sp", "/token", &form)
                    .await
                    .unwrap()
                    .0
            })
        })
        .collect();
    for writer in writers {
        assert_eq!(writer.await.unwrap(), 200);
    }
    let entries = audit_trail(&data_dir, Some(&db)).await;
    assert_eq!(issued_by_grant(&entries, "client_credentials"), WRITERS);
}

/// What the gateways acknowledged during the load.
#[derive(Debug, Default)]
struct Acked {
    /// atp-sp's client-credentials tokens (200 from /token).
    generic_tokens: Vec<String>,
    /// demo-sp's user tokens (200 from a CIBA poll).
    user_tokens: Vec<String>,
    /// auth_req_ids whose approval the handset simulator acknowledged (a consent).
    consents: Vec<String>,
    /// SHA-256 of each 200 response of /premiuminfo (each must be an audited access).
    accesses: Vec<String>,
}

/// The load: instances' addresses (None while one is down), what was acknowledged, per
/// instance how much, and server errors (which must never happen).
struct Load {
    http: reqwest::Client,
    urls: Mutex<Vec<Option<String>>>,
    acked: Mutex<Acked>,
    acked_by: Vec<AtomicUsize>,
    server_errors: Mutex<Vec<String>>,
    stop: AtomicBool,
    user_token: String,
}

impl Load {
    fn url(&self, i: usize) -> Option<String> {
        self.urls.lock().unwrap()[i].clone()
    }

    fn count(&self, i: usize) {
        self.acked_by[i].fetch_add(1, Ordering::SeqCst);
    }

    fn check_status(&self, what: &str, status: u16, body: &[u8]) {
        if status >= 500 {
            let body = String::from_utf8_lossy(body);
            self.server_errors
                .lock()
                .unwrap()
                .push(format!("{what}: {status} {body}"));
        }
    }

    /// Waits until instance `i` acknowledged `more` items more (at most a minute).
    async fn until(&self, i: usize, more: usize) {
        let target = self.acked_by[i].load(Ordering::SeqCst) + more;
        for _ in 0..600 {
            if self.acked_by[i].load(Ordering::SeqCst) >= target {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("instance {i} acknowledged too little within a minute");
    }
}

/// Client-credentials tokens and resource accesses through instance `i`.
async fn token_and_access_lane(load: Arc<Load>, i: usize) {
    while !load.stop.load(Ordering::SeqCst) {
        let Some(base) = load.url(i) else {
            tokio::time::sleep(Duration::from_millis(20)).await;
            continue;
        };
        let form = [("grant_type", "client_credentials"), ("scope", "mc_atp")];
        if let Ok((status, body)) = post(&load.http, &base, "atp-sp", "/token", &form).await {
            load.check_status("token", status, &body);
            if status == 200 {
                let body: Value = serde_json::from_slice(&body).unwrap();
                let token = body["access_token"].as_str().unwrap().to_owned();
                load.acked.lock().unwrap().generic_tokens.push(token);
                load.count(i);
            }
        }
        if let Ok((status, body)) = premiuminfo(&load.http, &base, &load.user_token).await {
            load.check_status("premiuminfo", status, &body);
            if status == 200 {
                let hash = hex::encode(Sha256::digest(&body));
                load.acked.lock().unwrap().accesses.push(hash);
                load.count(i);
            }
        }
    }
}

/// CIBA sign-ins of one user: asked on `start`, approved on `answer`, polled on `start` (or
/// on `answer` while `start` is down), as an SP that keeps polling until it has an answer.
async fn ciba_lane(load: Arc<Load>, msisdn: &'static str, start: usize, answer: usize) {
    let hint = format!("MSISDN:{msisdn}");
    while !load.stop.load(Ordering::SeqCst) {
        let Some(base) = load.url(start) else {
            tokio::time::sleep(Duration::from_millis(20)).await;
            continue;
        };
        let form = [
            ("scope", "openid mc_vm_share"),
            ("login_hint", hint.as_str()),
        ];
        let Ok((status, body)) = post(&load.http, &base, "demo-sp", "/bc-authorize", &form).await
        else {
            continue;
        };
        load.check_status("bc-authorize", status, &body);
        if status != 200 {
            continue;
        }
        let grant: Value = serde_json::from_slice(&body).unwrap();
        let auth_req_id = grant["auth_req_id"].as_str().unwrap().to_owned();
        if let Some(answer_base) = load.url(answer)
            && approve_on(&load.http, &answer_base, msisdn).await == Some(true)
        {
            load.acked
                .lock()
                .unwrap()
                .consents
                .push(auth_req_id.clone());
            load.count(answer);
        }
        for _ in 0..2 {
            let Some((i, base)) = [start, answer]
                .into_iter()
                .find_map(|i| load.url(i).map(|u| (i, u)))
            else {
                break;
            };
            let form = [("grant_type", CIBA), ("auth_req_id", auth_req_id.as_str())];
            let Ok((status, body)) = post(&load.http, &base, "demo-sp", "/token", &form).await
            else {
                continue;
            };
            load.check_status("ciba poll", status, &body);
            let body: Value = serde_json::from_slice(&body).unwrap();
            if status == 200 {
                let token = body["access_token"].as_str().unwrap().to_owned();
                load.acked.lock().unwrap().user_tokens.push(token);
                load.count(i);
                break;
            }
            if body["error"] != "authorization_pending" {
                break;
            }
            tokio::time::sleep(Duration::from_millis(2_100)).await;
        }
    }
}

/// Drives load through `instances` gateways on one database, kills instance 0 with SIGKILL
/// mid-load, restarts it on the same database and data directory, and checks that nothing
/// acknowledged was lost.
async fn kill_9_mid_load(database_url: Option<&str>, instances: usize) {
    let dir = tempfile::tempdir().unwrap();
    let data_dir: PathBuf = dir.path().join("gw");
    let mut gateways: Vec<Option<Gateway>> = (0..instances)
        .map(|_| Some(instance(&data_dir, database_url)))
        .collect();
    let http = client(gateways[0].as_ref().unwrap(), false);
    let urls: Vec<Option<String>> = gateways
        .iter()
        .map(|g| Some(g.as_ref().unwrap().url.clone()))
        .collect();
    let last = instances - 1;
    let first = ciba_token(
        &http,
        urls[0].as_ref().unwrap(),
        urls[last].as_ref().unwrap(),
        MARIE,
    )
    .await;
    let user_token = first["access_token"].as_str().unwrap().to_owned();
    let load = Arc::new(Load {
        http: http.clone(),
        urls: Mutex::new(urls),
        acked: Mutex::new(Acked {
            user_tokens: vec![user_token.clone()],
            ..Acked::default()
        }),
        acked_by: (0..instances).map(|_| AtomicUsize::new(0)).collect(),
        server_errors: Mutex::new(Vec::new()),
        stop: AtomicBool::new(false),
        user_token,
    });
    let mut lanes = Vec::new();
    for i in 0..instances {
        for _ in 0..2 {
            lanes.push(tokio::spawn(token_and_access_lane(load.clone(), i)));
        }
    }
    lanes.push(tokio::spawn(ciba_lane(load.clone(), MARIE, 0, last)));
    lanes.push(tokio::spawn(ciba_lane(load.clone(), ANA, last, 0)));

    // Mid-load, instance 0 dies without a chance to flush or roll back anything.
    load.until(0, 60).await;
    drop(gateways[0].take()); // Child::kill: SIGKILL on Unix
    load.urls.lock().unwrap()[0] = None;
    if instances > 1 {
        // The survivor keeps serving, CIBA included (its lane answers and polls there).
        load.until(last, 40).await;
    }
    let restarted = instance(&data_dir, database_url);
    load.urls.lock().unwrap()[0] = Some(restarted.url.clone());
    gateways[0] = Some(restarted);
    load.until(0, 30).await;
    load.stop.store(true, Ordering::SeqCst);
    for lane in lanes {
        lane.await.unwrap();
    }
    let errors = load.server_errors.lock().unwrap().clone();
    assert!(errors.is_empty(), "server errors: {errors:?}");
    let acked = std::mem::take(&mut *load.acked.lock().unwrap());
    assert!(
        !acked.consents.is_empty() && acked.user_tokens.len() > 1,
        "the load made no CIBA sign-ins: {acked:?}"
    );

    // The audit trail: one chain, and it holds every acknowledged access and token.
    let entries = audit_trail(&data_dir, database_url).await;
    let mut audited: HashMap<String, usize> = HashMap::new();
    for entry in &entries {
        if entry.content.kind == assent_audit::EntryKind::ResourceAccess
            && let Some(hash) = detail(entry)["response_sha256"].as_str()
        {
            *audited.entry(hash.to_owned()).or_default() += 1;
        }
    }
    let mut acknowledged: HashMap<&str, usize> = HashMap::new();
    for hash in &acked.accesses {
        *acknowledged.entry(hash).or_default() += 1;
    }
    for (hash, n) in acknowledged {
        let found = audited.get(hash).copied().unwrap_or(0);
        assert!(
            found >= n,
            "{n} accesses answered, {found} audited ({hash})"
        );
    }
    assert!(issued_by_grant(&entries, "client_credentials") >= acked.generic_tokens.len());
    assert!(issued_by_grant(&entries, "ciba") >= acked.user_tokens.len());

    // Every acknowledged consent is stored, live, and audited.
    let store = assent_gateway::open_store(&data_dir, database_url, false)
        .await
        .unwrap();
    let consent_entries: Vec<String> = entries
        .iter()
        .filter(|e| e.content.kind == assent_audit::EntryKind::Consent)
        .filter_map(|e| detail(e)["consent"].as_str().map(str::to_owned))
        .collect();
    for auth_req_id in &acked.consents {
        let id = assent_gateway::flows::consent::consent_id_for(
            &assent_gateway::base::ids::token_hash(auth_req_id),
        );
        let consent = store.consent(&id).await.unwrap();
        assert!(
            consent.is_some_and(|c| c.revoked_ms.is_none()),
            "acknowledged consent {id} is gone"
        );
        assert!(consent_entries.contains(&id), "consent {id} is not audited");
    }

    // Every acknowledged token still works, on the restarted instance.
    let base = gateways[0].as_ref().unwrap().url.clone();
    for token in &acked.generic_tokens {
        let (status, body) =
            post_json(&http, &base, "atp-sp", "/introspect", &[("token", token)]).await;
        assert_eq!(
            (status, &body["active"]),
            (200, &Value::Bool(true)),
            "{body}"
        );
    }
    for token in &acked.user_tokens {
        let (status, body) = premiuminfo(&http, &base, token).await.unwrap();
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    }
    eprintln!(
        "acknowledged and found after kill -9: {} generic tokens, {} user tokens, {} consents, \
         {} resource accesses; {} audit entries in one chain",
        acked.generic_tokens.len(),
        acked.user_tokens.len(),
        acked.consents.len(),
        acked.accesses.len(),
        entries.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_kill_9_of_one_of_two_instances_loses_nothing_acknowledged() {
    if !postgres_available() {
        return;
    }
    let db = fresh_postgres().await;
    kill_9_mid_load(Some(&db), 2).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_kill_9_loses_nothing_acknowledged() {
    kill_9_mid_load(None, 1).await;
}

/// An issuer that is not an https URL stops the gateway at start, with the reason.
#[test]
fn a_bad_issuer_is_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(BIN)
        .args(["serve", "--data-dir"])
        .arg(dir.path().join("gw"))
        .args([
            "--listen",
            "127.0.0.1:0",
            "--issuer",
            "http://gateway.assent.test",
        ])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("it must be an https URL"), "{stderr}");
    assert!(!dir.path().join("gw").exists(), "nothing was created");
}
