//! The handset simulator is a transport chosen explicitly, from outside: `--demo` and
//! `--simulator` listen on loopback only; without the simulator the app is the only
//! authenticator, no ACME code is sent and no message is stored for a simulated handset;
//! the demo SPs (public secrets) are gone once the gateway starts without `--demo` on the
//! same data.

// Test helpers may unwrap: a failure there is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::acme_client::Acme;
use common::{BIN, client, start, start_plain, storage_args};
use serde_json::json;
use std::process::Command;

#[test]
fn the_simulator_refuses_a_listen_address_other_than_loopback() {
    let dir = tempfile::tempdir().unwrap();
    for flag in ["--demo", "--simulator"] {
        let output = Command::new(BIN)
            .arg("serve")
            .args(storage_args(dir.path(), None))
            .args(["--listen", "0.0.0.0:0", flag])
            .output()
            .unwrap();
        assert!(!output.status.success(), "{flag} on 0.0.0.0 was accepted");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("loopback"), "{flag}: {stderr}");
    }
}

#[tokio::test]
async fn without_demo_the_demo_sps_are_gone_and_no_handset_is_simulated() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("gw");
    let demo = start(&data_dir, None);
    let http = client(&demo, false);
    let token = |url: String| {
        http.post(format!("{url}/token"))
            .basic_auth("demo-sp", Some("demo-sp-secret"))
            .form(&[("grant_type", "client_credentials"), ("scope", "openid")])
            .send()
    };
    // Under --demo, demo-sp's public secret authenticates it (whatever the grant says).
    assert_ne!(token(demo.url.clone()).await.unwrap().status(), 401);
    drop(demo);

    let gateway = start_plain(&data_dir, None, &[]);
    let url = gateway.url.clone();
    let refused = token(url.clone()).await.unwrap();
    assert_eq!(refused.status(), 401, "the demo SP is gone");
    // No simulator: its routes are not there, and an ACME code cannot be sent.
    let sim = http
        .get(format!("{url}/sim/handsets/447700900001/messages"))
        .send()
        .await
        .unwrap();
    assert_eq!(sim.status(), 404);
    let mut acme = Acme::new(&gateway).await;
    acme.register().await;
    let order = acme.order("447700900001").await;
    let (challenge_url, _) = acme.challenge_of(&order).await;
    let ready = acme.post(&challenge_url, Some(&json!({}))).await;
    assert_eq!(ready.status, 500, "{}", ready.text);
    assert!(ready.text.contains("no SMS network"), "{}", ready.text);
    drop(gateway);

    // Nothing was stored for a simulated handset while it ran.
    use sqlx::Connection;
    let db_url = format!("sqlite:{}", data_dir.join("gateway.db").display());
    let mut db = sqlx::SqliteConnection::connect(&db_url).await.unwrap();
    let after_demo: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sim_messages")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(after_demo, 0);
}
