//! Server-Initiated Mobile Connect (OpenID CIBA, poll mode) through the USSD handset
//! simulator, over TLS against SQLite and PostgreSQL: the SP asks, the user's handset gets
//! the consent prompt, the user answers, the SP polls for tokens.

// Test helpers may unwrap: a failure there is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::{Gateway, admin, client, fresh_postgres, handset, reply, start, start_logging};
use serde_json::Value;
use std::time::Duration;

struct Sp<'a> {
    gateway: &'a Gateway,
    http: reqwest::Client,
    id: &'a str,
}

impl Sp<'_> {
    async fn post(&self, path: &str, form: &[(&str, &str)]) -> (u16, Value) {
        let response = self
            .http
            .post(format!("{}{path}", self.gateway.url))
            .basic_auth(self.id, Some(format!("{}-secret", self.id)))
            .form(form)
            .send()
            .await
            .unwrap();
        (response.status().as_u16(), response.json().await.unwrap())
    }

    async fn ask(&self, msisdn: &str, scope: &str) -> (u16, Value) {
        let hint = format!("MSISDN:{msisdn}");
        self.post(
            "/bc-authorize",
            &[
                ("scope", scope),
                ("login_hint", &hint),
                ("binding_message", "ORDER 42"),
            ],
        )
        .await
    }

    async fn poll(&self, auth_req_id: &str) -> (u16, Value) {
        self.post(
            "/token",
            &[
                ("grant_type", "urn:openid:params:grant-type:ciba"),
                ("auth_req_id", auth_req_id),
            ],
        )
        .await
    }
}

/// Waits out the poll interval the gateway asked for.
async fn wait_interval(grant: &Value) {
    let seconds = grant["interval"].as_u64().unwrap();
    tokio::time::sleep(Duration::from_millis(seconds * 1000 + 150)).await;
}

async fn ciba_through_ussd(database_url: Option<&str>) {
    let dir = tempfile::tempdir().unwrap();
    let gateway = start(&dir.path().join("gw"), database_url);
    let http = client(&gateway, false);
    let demo = Sp {
        gateway: &gateway,
        http: http.clone(),
        id: "demo-sp",
    };

    // 1. Demo Shop asks Marie for sign-up data.
    let (status, grant) = demo.ask("447700900001", "openid mc_identity_signup").await;
    assert_eq!(status, 200, "{grant}");
    assert_eq!(grant["expires_in"], 300);
    assert_eq!(grant["interval"], 2);
    let auth_req_id = grant["auth_req_id"].as_str().unwrap().to_owned();
    let (status, body) = demo.poll(&auth_req_id).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("authorization_pending"))
    );

    // 2. Her handset shows one USSD prompt that names the SP and asks 1/2, within one interaction.
    let messages = handset(&gateway, &http, "+447700900001").await;
    assert_eq!(messages.len(), 1, "{messages:?}");
    let prompt = &messages[0];
    assert_eq!(prompt["kind"], "ussd");
    assert_eq!(prompt["open"], true);
    let text = prompt["text"].as_str().unwrap();
    assert!(text.starts_with("Demo Shop asks for:"), "{text}");
    assert!(
        text.replace('\n', " ").ends_with("Share? 1 Yes / 2 No"),
        "{text}"
    );
    assert!(text.lines().all(|l| l.chars().count() <= 30), "{text}");
    assert_eq!(prompt["encoding"], "gsm7");
    assert!(prompt["units"].as_u64().unwrap() <= 182);
    let message_id = prompt["id"].as_str().unwrap().to_owned();

    // 3. A wrong key changes nothing; "1" approves; the prompt is then closed.
    assert_eq!(
        reply(&gateway, &http, "447700900001", &message_id, "3").await,
        400
    );
    assert_eq!(
        reply(&gateway, &http, "447700900002", &message_id, "1").await,
        404,
        "another handset"
    );
    assert_eq!(
        reply(&gateway, &http, "447700900001", &message_id, "1").await,
        200
    );
    assert_eq!(
        reply(&gateway, &http, "447700900001", &message_id, "1").await,
        404
    );
    assert_eq!(
        handset(&gateway, &http, "447700900001").await[0]["open"],
        false
    );

    // 4. The next poll gets the tokens, once.
    wait_interval(&grant).await;
    let (status, tokens) = demo.poll(&auth_req_id).await;
    assert_eq!(status, 200, "{tokens}");
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 3600); // demo-sp: long-lived
    assert_eq!(tokens["scope"], "openid mc_identity_signup");
    wait_interval(&grant).await;
    let (status, body) = demo.poll(&auth_req_id).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant")),
        "single use"
    );

    // 5. The ID token verifies against the published key and names Marie by a pairwise PCR.
    let jwks: Value = http
        .get(format!("{}/jwks", gateway.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let key = &jwks["keys"][0];
    let id_token = tokens["id_token"].as_str().unwrap();
    let header = jsonwebtoken::decode_header(id_token).unwrap();
    assert_eq!(header.alg, jsonwebtoken::Algorithm::ES256);
    assert_eq!(header.kid.as_deref(), key["kid"].as_str());
    let decoding = jsonwebtoken::DecodingKey::from_ec_components(
        key["x"].as_str().unwrap(),
        key["y"].as_str().unwrap(),
    )
    .unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::ES256);
    validation.set_audience(&["demo-sp"]);
    validation.set_issuer(&[gateway.url.as_str()]);
    let claims = jsonwebtoken::decode::<Value>(id_token, &decoding, &validation)
        .unwrap()
        .claims;
    let sub = claims["sub"].as_str().unwrap();
    assert!(sub.len() >= 43 && !sub.contains("447700900001"), "{sub}");

    // 5b. Long-lived consent comes with a refresh token, rotated at every use; a replayed one
    //     revokes the whole family (the thief and the client both lose it).
    let refresh = tokens["refresh_token"].as_str().unwrap().to_owned();
    let (status, body) = demo
        .post(
            "/token",
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", &refresh),
                ("scope", "openid mc_kyc_match"),
            ],
        )
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_scope")),
        "never wider"
    );
    let (status, renewed) = demo
        .post(
            "/token",
            &[("grant_type", "refresh_token"), ("refresh_token", &refresh)],
        )
        .await;
    assert_eq!(status, 200, "{renewed}");
    let new_refresh = renewed["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(new_refresh, refresh);
    let new_access = renewed["access_token"].as_str().unwrap().to_owned();
    let active = |token: String| {
        let demo = &demo;
        async move { demo.post("/introspect", &[("token", &token)]).await.1["active"].clone() }
    };
    assert_eq!(active(new_access.clone()).await, true);
    let (_, body) = demo
        .post(
            "/token",
            &[("grant_type", "refresh_token"), ("refresh_token", &refresh)],
        )
        .await;
    assert_eq!(body["error"], "invalid_grant", "replayed");
    assert_eq!(active(new_access).await, false, "the family is revoked");
    assert_eq!(
        active(tokens["access_token"].as_str().unwrap().to_owned()).await,
        false
    );
    let (_, body) = demo
        .post(
            "/token",
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", &new_refresh),
            ],
        )
        .await;
    assert_eq!(body["error"], "invalid_grant");

    // 6. Once Bank asks; Marie says no.
    let once = Sp {
        gateway: &gateway,
        http: http.clone(),
        id: "once-sp",
    };
    let (status, grant) = once.ask("447700900001", "openid mc_vm_share").await;
    assert_eq!(status, 200, "{grant}");
    let messages = handset(&gateway, &http, "447700900001").await;
    let last = messages.last().unwrap();
    assert!(
        last["text"]
            .as_str()
            .unwrap()
            .starts_with("Once Bank asks for:"),
        "{last}"
    );
    assert_eq!(
        reply(
            &gateway,
            &http,
            "447700900001",
            last["id"].as_str().unwrap(),
            "2"
        )
        .await,
        200
    );
    let (status, body) = once.poll(grant["auth_req_id"].as_str().unwrap()).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("access_denied"))
    );

    // 7. Polling too fast is slowed down; a request nobody answers expires.
    let (_, grant) = demo
        .post(
            "/bc-authorize",
            &[
                ("scope", "openid mc_vm_share"),
                ("login_hint", "MSISDN:+447700900003"),
                ("requested_expiry", "1"),
            ],
        )
        .await;
    let id = grant["auth_req_id"].as_str().unwrap().to_owned();
    assert_eq!(demo.poll(&id).await.1["error"], "authorization_pending");
    assert_eq!(demo.poll(&id).await.1["error"], "slow_down");
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!(demo.poll(&id).await.1["error"], "expired_token");

    // 8. Refusals: a minor (nothing more than access_denied), an unknown number, a
    //    blacklisted SP, no openid, two hints, a long binding message.
    let (status, body) = demo.ask("447700900002", "openid mc_vm_share").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (403, Some("access_denied"))
    );
    assert!(!body.to_string().contains("minor"), "{body}");
    assert!(
        handset(&gateway, &http, "447700900002").await.is_empty(),
        "no prompt to a minor"
    );
    let (status, body) = demo.ask("447700900099", "openid mc_vm_share").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("unknown_user_id"))
    );
    let blocked = Sp {
        gateway: &gateway,
        http: http.clone(),
        id: "blocked-sp",
    };
    let (status, body) = blocked.ask("447700900001", "openid mc_vm_share").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("unauthorized_client"))
    );
    let (_, body) = demo.ask("447700900001", "mc_vm_share").await;
    assert_eq!(body["error"], "invalid_scope");
    let (_, body) = demo
        .post(
            "/bc-authorize",
            &[
                ("scope", "openid"),
                ("login_hint", "MSISDN:447700900001"),
                ("id_token_hint", "x"),
            ],
        )
        .await;
    assert_eq!(body["error"], "invalid_request");
    let (_, body) = demo
        .post(
            "/bc-authorize",
            &[
                ("scope", "openid"),
                ("login_hint", "MSISDN:447700900001"),
                (
                    "binding_message",
                    "a binding message much too long for a handset",
                ),
            ],
        )
        .await;
    assert_eq!(body["error"], "invalid_binding_message");

    // 9. Everything above is in one intact trail.
    drop(gateway);
    let (ok, out) = admin(&dir.path().join("gw"), database_url, &["audit", "verify"]);
    assert!(ok, "{out}");
}

#[tokio::test]
async fn sqlite_ciba_poll_through_the_ussd_simulator() {
    ciba_through_ussd(None).await;
}

#[tokio::test]
async fn postgres_ciba_poll_through_the_ussd_simulator() {
    let url = fresh_postgres().await;
    ciba_through_ussd(Some(&url)).await;
}

/// No MSISDN, token, auth_req_id, code or secret in the logs of a whole flow, even at debug.
#[tokio::test]
async fn logs_hold_no_numbers_tokens_or_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("gateway.log");
    let gateway = start_logging(&dir.path().join("gw"), None, Some(&log));
    let http = client(&gateway, false);
    let demo = Sp {
        gateway: &gateway,
        http: http.clone(),
        id: "demo-sp",
    };
    let (_, grant) = demo.ask("447700900001", "openid mc_identity_signup").await;
    let auth_req_id = grant["auth_req_id"].as_str().unwrap().to_owned();
    let messages = handset(&gateway, &http, "447700900001").await;
    let message_id = messages[0]["id"].as_str().unwrap();
    assert_eq!(
        reply(&gateway, &http, "447700900001", message_id, "1").await,
        200
    );
    wait_interval(&grant).await;
    let (status, tokens) = demo.poll(&auth_req_id).await;
    assert_eq!(status, 200);
    let atp = Sp {
        gateway: &gateway,
        http: http.clone(),
        id: "atp-sp",
    };
    let (_, generic) = atp
        .post(
            "/token",
            &[("grant_type", "client_credentials"), ("scope", "mc_atp")],
        )
        .await;
    drop(gateway);

    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.contains("store ready"), "the log was captured: {text}");
    let secrets = [
        "447700900001",
        "7700900001",
        auth_req_id.as_str(),
        tokens["access_token"].as_str().unwrap(),
        tokens["id_token"].as_str().unwrap(),
        generic["access_token"].as_str().unwrap(),
        "demo-sp-secret",
        "atp-sp-secret",
        "Marie",
        "marie.curie@example.org",
    ];
    for secret in secrets {
        assert!(!text.contains(secret), "the log holds {secret:?}");
    }
}
