//! Access notices by SMS for subscribers without the app (MC_ATTR_19), against the real
//! binary on SQLite and PostgreSQL: `each` texts soon after an SP reads the data, `daily`
//! at most once a day summing up, `off` never; each notice audited.

// Test helpers may unwrap: a failure there is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::{Gateway, admin, client, fresh_postgres, start_with};
use std::time::Duration;

const MARIE: &str = "447700900001";
const ANA: &str = "447700900003";
const ZOE: &str = "447701099300";

/// The access notices on the handset.
async fn notices(gateway: &Gateway, http: &reqwest::Client, msisdn: &str) -> Vec<String> {
    common::handset(gateway, http, msisdn)
        .await
        .iter()
        .filter(|m| m["kind"] == "sms")
        .map(|m| m["text"].as_str().unwrap().to_owned())
        .filter(|t| t.contains("read your data"))
        .collect()
}

/// Waits (up to 10 s, the sweep runs every second) for `count` notices.
async fn wait_for(
    gateway: &Gateway,
    http: &reqwest::Client,
    msisdn: &str,
    count: usize,
) -> Vec<String> {
    for _ in 0..100 {
        let got = notices(gateway, http, msisdn).await;
        if got.len() >= count {
            return got;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "fewer than {count} notices for {msisdn}: {:?}",
        notices(gateway, http, msisdn).await
    );
}

async fn read(gateway: &Gateway, http: &reqwest::Client, token: &str) {
    let status = http
        .get(format!("{}/premiuminfo", gateway.url))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 200);
}

async fn access_notices(db: Option<&str>) {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("gw");
    let gateway = start_with(&data_dir, db, None, &["--consent-sweep-interval", "1s"]);
    let http = client(&gateway, false);
    let subscribers = dir.path().join("zoe.jsonl");
    std::fs::write(
        &subscribers,
        format!("{{\"msisdn\":\"{ZOE}\",\"given_name\":\"Zoe\"}}\n"),
    )
    .unwrap();
    let (ok, out) = admin(
        &data_dir,
        db,
        &["users", "import", subscribers.to_str().unwrap()],
    );
    assert!(ok, "{out}");
    let zoe: serde_json::Value =
        serde_json::from_str(&admin(&data_dir, db, &["users", "show", ZOE, "--json"]).1).unwrap();
    assert_eq!(
        zoe["notify"], "daily",
        "an imported subscriber is told daily by default"
    );
    let (ok, out) = admin(&data_dir, db, &["users", "set", MARIE, "notify=each"]);
    assert!(ok, "{out}");
    let (ok, out) = admin(&data_dir, db, &["users", "set", MARIE, "notify=hourly"]);
    assert!(!ok && out.contains("off, each or daily"), "{out}");

    let token = |msisdn: &'static str| {
        let (gateway, http) = (&gateway, &http);
        async move {
            common::ciba_tokens(
                gateway,
                http,
                "demo-sp",
                msisdn,
                "openid mc_identity_signup",
                &[],
            )
            .await["access_token"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    };
    let (marie, zoe, ana) = (token(MARIE).await, token(ZOE).await, token(ANA).await);

    // each: one notice per sweep that found accesses.
    read(&gateway, &http, &marie).await;
    let told = wait_for(&gateway, &http, MARIE, 1).await;
    assert_eq!(
        told,
        ["Assent: Demo Shop read your data. Dial *123# to see or stop it."]
    );
    read(&gateway, &http, &marie).await;
    assert_eq!(wait_for(&gateway, &http, MARIE, 2).await.len(), 2);

    // daily: the first accesses are told at once, later ones wait for the day to pass.
    read(&gateway, &http, &zoe).await;
    read(&gateway, &http, &zoe).await;
    let told = wait_for(&gateway, &http, ZOE, 1).await;
    assert!(
        told[0].starts_with("Assent: in the last day, Demo Shop ("),
        "{told:?}"
    );
    read(&gateway, &http, &zoe).await;
    // off: Ana (the demo's default) is not texted.
    read(&gateway, &http, &ana).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        notices(&gateway, &http, ZOE).await.len(),
        1,
        "one a day at most"
    );
    assert!(notices(&gateway, &http, ANA).await.is_empty());

    // Each notice is audited as a notification by SMS.
    let (ok, out) = admin(
        &data_dir,
        db,
        &["audit", "list", "--kind", "notification", "--json"],
    );
    assert!(ok, "{out}");
    let sent: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|e| e["detail"]["kind"] == "access_notice")
        .collect();
    assert_eq!(sent.len(), 3, "{out}");
    assert!(
        sent.iter()
            .all(|e| e["authenticator"] == "sms" && e["detail"]["sps"][0] == "demo-sp")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn sqlite_subscribers_without_the_app_are_told_of_accesses_by_their_policy() {
    access_notices(None).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn postgres_subscribers_without_the_app_are_told_of_accesses_by_their_policy() {
    let url = fresh_postgres().await;
    access_notices(Some(&url)).await;
}
