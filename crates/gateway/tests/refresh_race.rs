//! A refresh token presented several times at once, against the real binary on SQLite and
//! PostgreSQL (RFC 9700 §4.14.2, refresh token rotation with reuse detection): exactly one
//! presentation gets tokens, the others are `invalid_grant` and revoke the family — the
//! tokens the winner just received included. Claiming the token and issuing its successor in
//! separate writes let a loser revoke the family between the two, and the winner's new
//! tokens stayed alive: a revoked family gained tokens.

// Test helpers may unwrap: a failure there is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::{Gateway, answer_latest, client, fresh_postgres, post_basic, start};
use serde_json::Value;

const MARIE: &str = "447700900001";
const CIBA: &str = "urn:openid:params:grant-type:ciba";
/// Presentations of one refresh token at once.
const AT_ONCE: usize = 12;
/// Families raced, one after the other: the interleaving is left to the scheduler.
const ROUNDS: usize = 6;

/// A new family: demo-sp (long-lived consent) asks Marie, she approves, the SP polls.
async fn new_family(gateway: &Gateway, http: &reqwest::Client) -> String {
    let hint = format!("MSISDN:{MARIE}");
    let form = [
        ("scope", "openid mc_identity_signup"),
        ("login_hint", &hint),
    ];
    let (status, grant) = post_basic(gateway, http, "demo-sp", "/bc-authorize", &form).await;
    assert_eq!(status, 200, "{grant}");
    answer_latest(gateway, http, MARIE, "1").await;
    let auth_req_id = grant["auth_req_id"].as_str().unwrap();
    loop {
        let interval = grant["interval"].as_u64().unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(interval * 1000 + 100)).await;
        let form = [("grant_type", CIBA), ("auth_req_id", auth_req_id)];
        let (status, tokens) = post_basic(gateway, http, "demo-sp", "/token", &form).await;
        if status == 200 {
            return tokens["refresh_token"].as_str().unwrap().to_owned();
        }
        assert_eq!(tokens["error"], "authorization_pending", "{tokens}");
    }
}

async fn active(gateway: &Gateway, http: &reqwest::Client, token: &str) -> bool {
    let (status, body) =
        post_basic(gateway, http, "demo-sp", "/introspect", &[("token", token)]).await;
    assert_eq!(status, 200, "{body}");
    body["active"] == true
}

async fn concurrent_reuse_leaves_no_live_token(database_url: Option<&str>) {
    let dir = tempfile::tempdir().unwrap();
    let gateway = start(&dir.path().join("gw"), database_url);
    let http = client(&gateway, false);
    for round in 0..ROUNDS {
        let refresh = new_family(&gateway, &http).await;
        let mut presentations = tokio::task::JoinSet::new();
        for _ in 0..AT_ONCE {
            let request = http
                .post(format!("{}/token", gateway.url))
                .basic_auth("demo-sp", Some(common::sp_secret("demo-sp")))
                .form(&[("grant_type", "refresh_token"), ("refresh_token", &refresh)]);
            presentations.spawn(async move {
                let response = request.send().await.unwrap();
                let status = response.status().as_u16();
                (status, response.json::<Value>().await.unwrap())
            });
        }
        let answers: Vec<(u16, Value)> = presentations.join_all().await;
        let winners: Vec<&Value> = answers
            .iter()
            .filter(|(status, _)| *status == 200)
            .map(|(_, body)| body)
            .collect();
        assert_eq!(winners.len(), 1, "round {round}: {answers:?}");
        for (status, body) in answers.iter().filter(|(status, _)| *status != 200) {
            assert_eq!(
                (*status, &body["error"]),
                (400, &Value::from("invalid_grant"))
            );
        }
        let won = winners[0];
        for token in [&won["access_token"], &won["refresh_token"]] {
            assert!(
                !active(&gateway, &http, token.as_str().unwrap()).await,
                "round {round}: a token issued to a reused refresh token is alive"
            );
        }
        let form = [
            ("grant_type", "refresh_token"),
            ("refresh_token", won["refresh_token"].as_str().unwrap()),
        ];
        let (status, body) = post_basic(&gateway, &http, "demo-sp", "/token", &form).await;
        assert_eq!(
            (status, &body["error"]),
            (400, &Value::from("invalid_grant"))
        );
    }
}

#[tokio::test]
async fn sqlite_a_refresh_token_raced_revokes_every_token_of_its_family() {
    concurrent_reuse_leaves_no_live_token(None).await;
}

#[tokio::test]
async fn postgres_a_refresh_token_raced_revokes_every_token_of_its_family() {
    let url = fresh_postgres().await;
    concurrent_reuse_leaves_no_live_token(Some(&url)).await;
}
