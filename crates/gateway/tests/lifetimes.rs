//! Lifetimes as settings, from outside: `serve --order-lifetime` bounds the time to finish
//! the SMS proof (RFC 8555 §7.1.6: past `expires` nothing completes an order), and
//! `--certificate-lifetime` how long a certificate, and the app authenticator holding its
//! key, lives. The real binary on loopback, on SQLite and on PostgreSQL.

// Test helpers may unwrap: a failure there is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::acme_client::{Acme, code_on_handset};
use common::{client, fresh_postgres, start_with};
use serde_json::json;
use std::time::Duration;

const MARIE: &str = "447700900001";

/// With `--order-lifetime 6s`, the right code relayed after 7 s validates nothing: the
/// order, its authorization and its challenge are `invalid`.
async fn a_late_right_code_validates_nothing(database_url: Option<&str>) {
    let dir = tempfile::tempdir().unwrap();
    let gateway = start_with(
        &dir.path().join("gw"),
        database_url,
        None,
        &["--order-lifetime", "6s"],
    );
    let http = client(&gateway, false);
    let mut acme = Acme::new(&gateway).await;
    acme.register().await;
    let order = acme.order(MARIE).await;
    assert_eq!(order.status, 201, "{}", order.text);
    let order_url = order.location.clone().unwrap();
    let (challenge_url, token) = acme.challenge_of(&order).await;
    let ready = acme.post(&challenge_url, Some(&json!({}))).await;
    assert_eq!(ready.body["status"], "processing", "{}", ready.text);
    let code = code_on_handset(&gateway, &http, MARIE).await;

    tokio::time::sleep(Duration::from_secs(7)).await;
    let late = acme
        .post(&challenge_url, Some(&acme.key_authorization(&token, &code)))
        .await;
    assert_eq!(late.status, 400, "{}", late.text);
    assert_eq!(late.body["type"], "urn:ietf:params:acme:error:malformed");
    let order_now = acme.post(&order_url, None).await;
    assert_eq!(order_now.body["status"], "invalid", "{}", order_now.text);
    let challenge_now = acme.post(&challenge_url, None).await;
    assert_eq!(
        challenge_now.body["status"], "invalid",
        "{}",
        challenge_now.text
    );
}

#[tokio::test]
async fn sqlite_order_lifetime_bounds_the_sms_proof() {
    a_late_right_code_validates_nothing(None).await;
}

#[tokio::test]
async fn postgres_order_lifetime_bounds_the_sms_proof() {
    let url = fresh_postgres().await;
    a_late_right_code_validates_nothing(Some(&url)).await;
}

#[test]
fn lifetimes_are_durations_within_bounds() {
    let dir = tempfile::tempdir().unwrap();
    for bad in [
        ["--certificate-lifetime", "31d"],
        ["--certificate-lifetime", "0s"],
        ["--order-lifetime", "soon"],
    ] {
        let output = std::process::Command::new(common::BIN)
            .arg("serve")
            .args(common::storage_args(dir.path(), None))
            .args(["--listen", "127.0.0.1:0"])
            .args(bad)
            .output()
            .unwrap();
        assert!(!output.status.success(), "{bad:?} was accepted");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(bad[0]), "{bad:?}: {stderr}");
    }
}
