//! `assent-gateway serve` and `admin …` as QA runs them: the real binary on loopback over
//! TLS 1.3, against SQLite (the default) and a real PostgreSQL (`ASSENT_TEST_POSTGRES_URL`,
//! which `scripts/test` provides).

// Test helpers may unwrap: a failure there is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::{admin, client, fresh_postgres, start};

async fn serves_over_tls13_with_its_own_ca(database_url: Option<&str>) {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("gw");
    let gateway = start(&data_dir, database_url);

    // The CA and its key are in the data directory; the key is the owner's only.
    assert!(data_dir.join("ca.pem").is_file());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(data_dir.join("ca-key.pem"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    // The handset simulator answers for demo numbers, with or without '+'.
    let http = client(&gateway, false);
    for number in ["447700900001", "%2B447700900001"] {
        let response = http
            .get(format!("{}/sim/handsets/{number}/messages", gateway.url))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body, serde_json::json!([]));
    }
    let response = http
        .get(format!(
            "{}/sim/handsets/447700999999/messages",
            gateway.url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    let response = http
        .get(format!(
            "{}/sim/handsets/not-a-number/messages",
            gateway.url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"], "invalid_request");

    // TLS 1.2 is refused.
    let error = client(&gateway, true)
        .get(format!(
            "{}/sim/handsets/447700900001/messages",
            gateway.url
        ))
        .send()
        .await
        .unwrap_err();
    assert!(error.is_connect(), "{error:?}");

    // A restart keeps the CA (clients keep trusting it) and re-seeds idempotently.
    let ca_before = std::fs::read(data_dir.join("ca.pem")).unwrap();
    drop(gateway);
    let gateway = start(&data_dir, database_url);
    assert_eq!(std::fs::read(data_dir.join("ca.pem")).unwrap(), ca_before);
    let response = client(&gateway, false)
        .get(format!(
            "{}/sim/handsets/447700900003/messages",
            gateway.url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn sqlite_serves_over_tls13_with_its_own_ca() {
    serves_over_tls13_with_its_own_ca(None).await;
}

#[tokio::test]
async fn postgres_serves_over_tls13_with_its_own_ca() {
    let url = fresh_postgres().await;
    serves_over_tls13_with_its_own_ca(Some(&url)).await;
}

/// Blacklist changes are audited; the trail verifies; a tampered entry is detected.
async fn blacklist_and_audit(database_url: Option<&str>) {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("gw");
    drop(start(&data_dir, database_url)); // create and seed

    let (ok, out) = admin(&data_dir, database_url, &["blacklist", "list"]);
    assert!(ok, "{out}");
    assert_eq!(out.trim(), "blocked-sp\tShady Ads");

    let (ok, out) = admin(&data_dir, database_url, &["blacklist", "add", "once-sp"]);
    assert!(ok, "{out}");
    let (ok, out) = admin(
        &data_dir,
        database_url,
        &["blacklist", "remove", "blocked-sp"],
    );
    assert!(ok, "{out}");
    let (_, out) = admin(&data_dir, database_url, &["blacklist", "list"]);
    assert_eq!(out.trim(), "once-sp\tOnce Bank");
    let (ok, out) = admin(&data_dir, database_url, &["blacklist", "add", "no-such-sp"]);
    assert!(!ok);
    assert!(out.contains("no SP with client_id no-such-sp"), "{out}");

    // A restart with --demo does not undo the operator's blacklist changes to other SPs.
    drop(start(&data_dir, database_url));
    let (_, out) = admin(&data_dir, database_url, &["blacklist", "list"]);
    assert!(out.contains("once-sp"), "{out}");

    let (ok, out) = admin(&data_dir, database_url, &["audit", "verify"]);
    assert!(ok, "{out}");
    assert!(
        out.starts_with("audit trail verified: 2 entries, head "),
        "{out}"
    );

    // Someone edits an entry in the database: verification names it.
    let tamper = |sql: &'static str| {
        let data_dir = data_dir.clone();
        async move {
            match database_url {
                Some(url) => {
                    let pool = sqlx::PgPool::connect(url).await.unwrap();
                    sqlx::query(sql).execute(&pool).await.unwrap();
                }
                None => {
                    let url = format!("sqlite:{}", data_dir.join("gateway.db").display());
                    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
                    sqlx::query(sql).execute(&pool).await.unwrap();
                }
            }
        }
    };
    tamper("UPDATE audit SET detail = '{\"action\":\"blacklist_remove\"}' WHERE seq = 1").await;
    let (ok, out) = admin(&data_dir, database_url, &["audit", "verify"]);
    assert!(!ok, "{out}");
    assert!(
        out.contains("entry 1: its detail is not the one its seal was made of"),
        "{out}"
    );
    // Or its seal (what the hash covers), made for the new detail or dropped.
    for sql in [
        "UPDATE audit SET detail = '{\"action\":\"blacklist_add\"}', \
         detail_digest = '0000000000000000000000000000000000000000000000000000000000000000' \
         WHERE seq = 1",
        "UPDATE audit SET detail_digest = NULL WHERE seq = 1",
    ] {
        tamper(sql).await;
        let (ok, out) = admin(&data_dir, database_url, &["audit", "verify"]);
        assert!(!ok, "{out}");
        assert!(
            out.contains("entry 1: its hash does not match its content"),
            "{sql}: {out}"
        );
    }
}

#[tokio::test]
async fn sqlite_blacklist_changes_are_audited_and_tampering_is_detected() {
    blacklist_and_audit(None).await;
}

#[tokio::test]
async fn postgres_blacklist_changes_are_audited_and_tampering_is_detected() {
    let url = fresh_postgres().await;
    blacklist_and_audit(Some(&url)).await;
}

/// Concurrent writers (here: many tasks on one PostgreSQL) extend one chain, never fork it.
#[tokio::test]
async fn postgres_concurrent_audit_appends_keep_one_chain() {
    let url = fresh_postgres().await;
    let dir = tempfile::tempdir().unwrap();
    let store = assent_gateway::open_store(dir.path(), Some(&url), true)
        .await
        .unwrap();
    let mut tasks = Vec::new();
    for i in 0..40 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            store
                .append_audit(assent_audit::NewEntry {
                    at_ms: i,
                    kind: assent_audit::EntryKind::Admin,
                    user: Some(format!("u{}", i % 3)),
                    sp: None,
                    authenticator: None,
                    detail: "{}".into(),
                })
                .await
                .unwrap()
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let key = assent_gateway::base::keys::SigningKeys::load_or_create(dir.path())
        .unwrap()
        .decoding;
    let head = assent_gateway::flows::admin::verify_audit(&store, &key, &[])
        .await
        .unwrap()
        .head;
    assert_eq!(head.seq, 40);
    let entries = store.audit_page(0, 100).await.unwrap();
    for user in ["u0", "u1", "u2"] {
        let mine: Vec<_> = entries
            .iter()
            .filter(|e| e.content.user.as_deref() == Some(user))
            .collect();
        assent_audit::verify_user_chain(user, mine).unwrap();
    }
}

/// Runs one statement on the gateway's database (SQLite in the data directory, or `url`).
async fn on_database(data_dir: &std::path::Path, database_url: Option<&str>, sql: &'static str) {
    match database_url {
        Some(url) => {
            let pool = sqlx::PgPool::connect(url).await.unwrap();
            sqlx::query(sql).execute(&pool).await.unwrap();
        }
        None => {
            let url = format!("sqlite:{}", data_dir.join("gateway.db").display());
            let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
            sqlx::query(sql).execute(&pool).await.unwrap();
        }
    }
}

/// The newest checkpoint's claims, once the serving gateway has written one for entry `seq`.
async fn checkpoint_for(data_dir: &std::path::Path, seq: u64) -> serde_json::Value {
    let file = data_dir.join("audit-checkpoints.jws");
    for _ in 0..100 {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        if let Some(last) = text.lines().last() {
            let claims = common::jwt_claims(last);
            if claims["seq"] == seq {
                return claims;
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("no checkpoint for entry {seq} in {}", file.display());
}

/// The trail's head is anchored by signed checkpoints outside the database: entries cut
/// from the trail's end leave a chain that still links (which `admin audit verify` used to
/// accept), and verification now says the trail does not reach its checkpoint; a checkpoint
/// not signed by the gateway's key is refused.
async fn checkpoints_show_a_shortened_trail(database_url: Option<&str>) {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("gw");
    let gateway = common::start_with(
        &data_dir,
        database_url,
        None,
        &["--audit-checkpoint-interval", "1s"],
    );
    let http = client(&gateway, false);
    let generic = [("grant_type", "client_credentials"), ("scope", "mc_atp")];
    for _ in 0..4 {
        let (status, body) =
            common::post_basic(&gateway, &http, "atp-sp", "/token", &generic).await;
        assert_eq!(status, 200, "{body}");
    }
    // Four tokens, four entries: the gateway checkpoints entry 4 within a second or so.
    let claims = checkpoint_for(&data_dir, 4).await;
    assert_eq!(claims["iss"], gateway.url.as_str(), "{claims}");
    drop(gateway);

    let (ok, out) = admin(&data_dir, database_url, &["audit", "verify"]);
    assert!(ok, "{out}");
    assert!(out.starts_with("audit trail verified: 4 entries"), "{out}");
    assert!(out.contains("the latest vouches for entry 4"), "{out}");

    // Someone with the database cuts the two newest entries: what is left still links.
    on_database(&data_dir, database_url, "DELETE FROM audit WHERE seq > 2").await;
    let (ok, out) = admin(&data_dir, database_url, &["audit", "verify"]);
    assert!(!ok, "{out}");
    assert!(
        out.contains("a checkpoint vouches for entry 4, but the trail ends at entry 2 (truncated)"),
        "{out}"
    );
    // A checkpoint kept elsewhere is checked the same way; one signed by another key is not
    // a checkpoint of this gateway.
    let elsewhere = tempfile::tempdir().unwrap();
    let other = assent_gateway::base::keys::SigningKeys::load_or_create(elsewhere.path()).unwrap();
    let head = assent_audit::Head {
        seq: 1,
        hash: assent_audit::Digest32([0; 32]),
    };
    let forged =
        assent_gateway::rules::checkpoint::sign(&other, &claims["iss"].to_string(), head, 1)
            .unwrap();
    let file = elsewhere.path().join("kept.jws");
    std::fs::write(&file, format!("{forged}\n")).unwrap();
    let (ok, out) = admin(
        &data_dir,
        database_url,
        &["audit", "verify", "--checkpoints", file.to_str().unwrap()],
    );
    assert!(!ok, "{out}");
    assert!(
        out.contains("kept.jws, line 1: not a checkpoint signed by this gateway's key"),
        "{out}"
    );
}

#[tokio::test]
async fn sqlite_signed_checkpoints_show_a_shortened_trail() {
    checkpoints_show_a_shortened_trail(None).await;
}

#[tokio::test]
async fn postgres_signed_checkpoints_show_a_shortened_trail() {
    let url = fresh_postgres().await;
    checkpoints_show_a_shortened_trail(Some(&url)).await;
}
