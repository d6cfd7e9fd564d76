//! A user's answer is recorded in one transaction: the request's state, its consent and
//! their audit entries, with the prompt's closing. The real binary is aborted (as SIGKILL or
//! a power cut would) between the answer's audit entry and its consent (`ASSENT_CRASH_AT`,
//! debug builds only); after a restart nothing of the answer may be left half-done: the
//! request is still pending without consent, the prompt is still open, and answering again
//! gives the SP tokens that work. Recorded in separate transactions, as before, the crash
//! left the request approved without its consent.

// Test helpers may unwrap: a failure there is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use assent_gateway::base::ids::token_hash;
use assent_gateway::flows::consent::consent_id_for;
use common::{Gateway, client, fresh_postgres, start, start_env};
use serde_json::Value;
use std::path::Path;

const MARIE: &str = "447700900001";
const CIBA: &str = "urn:openid:params:grant-type:ciba";

async fn crash_between_answer_and_consent(database_url: Option<&str>) {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("gw");
    let mut crashing = start_env(
        &data_dir,
        database_url,
        None,
        "info",
        &[],
        &[("ASSENT_CRASH_AT", "answer_recorded")],
    );
    let http = client(&crashing, false);
    let hint = format!("MSISDN:{MARIE}");
    let form = [
        ("scope", "openid mc_vm_share"),
        ("login_hint", hint.as_str()),
    ];
    let (status, grant) =
        common::post_basic(&crashing, &http, "demo-sp", "/bc-authorize", &form).await;
    assert_eq!(status, 200, "{grant}");
    let auth_req_id = grant["auth_req_id"].as_str().unwrap().to_owned();
    let prompt = common::handset(&crashing, &http, MARIE)
        .await
        .into_iter()
        .rev()
        .find(|m| m["open"] == true)
        .unwrap();
    let prompt_id = prompt["id"].as_str().unwrap().to_owned();

    // The answer: the gateway dies while recording it, so it is never acknowledged.
    let url = format!("{}/sim/handsets/{MARIE}/reply", crashing.url);
    let sent = http
        .post(url)
        .json(&serde_json::json!({"message_id": prompt_id, "text": "1"}))
        .send()
        .await;
    assert!(sent.is_err(), "the answer was acknowledged: {sent:?}");
    assert!(!crashing.wait().success());
    drop(crashing);

    // Nothing of the answer survived: not the request's state, not a consent, not an
    // audit entry of it.
    let request_hash = token_hash(&auth_req_id);
    let store = assent_gateway::open_store(&data_dir, database_url, false)
        .await
        .unwrap();
    let request = store.ciba(&request_hash).await.unwrap().unwrap();
    assert_eq!(request.status, "pending");
    let consent_id = consent_id_for(&request_hash);
    assert!(store.consent(&consent_id).await.unwrap().is_none());
    let entries = store.audit_page(0, 10_000).await.unwrap();
    assert!(
        !entries
            .iter()
            .any(|e| e.content.kind == assent_audit::EntryKind::Answer),
        "an answer is audited whose request is still pending"
    );
    assert_invariant(&store).await;
    drop(store);

    // After a restart the prompt is still open: the user answers again, and the SP's
    // tokens work.
    let gateway = start(&data_dir, database_url);
    let open = common::handset(&gateway, &http, MARIE).await;
    assert!(
        open.iter()
            .any(|m| m["id"] == prompt_id.as_str() && m["open"] == true),
        "{open:?}"
    );
    assert_eq!(
        common::reply(&gateway, &http, MARIE, &prompt_id, "1").await,
        200
    );
    let form = [("grant_type", CIBA), ("auth_req_id", auth_req_id.as_str())];
    let (status, tokens) = common::post_basic(&gateway, &http, "demo-sp", "/token", &form).await;
    assert_eq!(status, 200, "{tokens}");
    let access = tokens["access_token"].as_str().unwrap();
    let response = http
        .get(format!("{}/premiuminfo", gateway.url))
        .bearer_auth(access)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    check_trail(&gateway, &data_dir, database_url).await;
}

/// Every request whose answer was yes has its consent (the state and the consent commit
/// together), on any backend.
async fn assert_invariant(store: &assent_gateway::store::Store) {
    use sqlx::Row;
    const CIBA_YES: &str =
        "SELECT auth_req_hash FROM ciba_requests WHERE status IN ('approved', 'issued')";
    const CODE_YES: &str = "SELECT session_hash FROM code_requests \
        WHERE status IN ('approved', 'code_issued', 'redeemed', 'reused')";
    let mut hashes: Vec<String> = Vec::new();
    for sql in [CIBA_YES, CODE_YES] {
        match store {
            assent_gateway::store::Store::Sqlite(sqlite) => {
                for row in sqlx::query(sql).fetch_all(&sqlite.pool).await.unwrap() {
                    hashes.push(row.get(0));
                }
            }
            assent_gateway::store::Store::Postgres(pool) => {
                for row in sqlx::query(sql).fetch_all(pool).await.unwrap() {
                    hashes.push(row.get(0));
                }
            }
        }
    }
    for hash in hashes {
        let id = consent_id_for(&hash);
        assert!(
            store.consent(&id).await.unwrap().is_some(),
            "request {hash} was approved without its consent {id}"
        );
    }
}

async fn check_trail(gateway: &Gateway, data_dir: &Path, database_url: Option<&str>) {
    let (ok, out) = common::admin(data_dir, database_url, &["audit", "verify"]);
    assert!(ok, "{out}");
    let store = assent_gateway::open_store(&gateway.data_dir, database_url, false)
        .await
        .unwrap();
    assert_invariant(&store).await;
    let entries = store.audit_page(0, 10_000).await.unwrap();
    let kinds: Vec<Value> = entries
        .iter()
        .map(|e| serde_json::to_value(e.content.kind).unwrap())
        .collect();
    for kind in ["answer", "consent", "token_issued"] {
        assert!(kinds.iter().any(|k| k == kind), "no {kind} in {kinds:?}");
    }
}

#[tokio::test]
async fn sqlite_a_crash_mid_answer_leaves_no_half_answer() {
    crash_between_answer_and_consent(None).await;
}

#[tokio::test]
async fn postgres_a_crash_mid_answer_leaves_no_half_answer() {
    if std::env::var_os("ASSENT_TEST_POSTGRES_URL").is_none() {
        eprintln!("SKIPPED: ASSENT_TEST_POSTGRES_URL is not set (scripts/test sets it)");
        return;
    }
    let db = fresh_postgres().await;
    crash_between_answer_and_consent(Some(&db)).await;
}
