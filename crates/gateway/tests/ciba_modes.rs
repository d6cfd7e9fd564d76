//! OpenID CIBA ping and push (CIBA Core §10.2, §10.3, §12) to a real HTTPS notification
//! endpoint, delivery retries, `private_key_jwt` (RFC 7523), every login hint type, and the
//! SMS authenticator (MC_ATTR_04) — over TLS against SQLite and PostgreSQL.

// Test helpers may unwrap: a failure there is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use base64::Engine;
use common::{
    Gateway, admin, answer_latest, client, fresh_postgres, handset, jwt_claims,
    notification_receiver, post_basic, register, start,
};
use p256::pkcs8::{EncodePrivateKey, LineEnding};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::time::Duration;

const CIBA: &str = "urn:openid:params:grant-type:ciba";
const MARIE: &str = "447700900001";

fn half_hash(token: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&Sha256::digest(token.as_bytes())[..16])
}

fn registration(id: &str, mode: &str, endpoint: Option<&str>) -> Value {
    let mut r = json!({
        "client_id": id,
        "client_secret": common::sp_secret(id),
        "client_name": format!("{id} shop"),
        "grant_types": [CIBA],
        "scope": "openid mc_vm_share",
        "backchannel_token_delivery_mode": mode,
        "token_policy": "long_lived",
        "token_ttl_seconds": 3600,
    });
    if let Some(endpoint) = endpoint {
        r["backchannel_client_notification_endpoint"] = json!(endpoint);
    }
    r
}

async fn ping_and_push(database_url: Option<&str>) {
    let dir = tempfile::tempdir().unwrap();
    let gateway = start(&dir.path().join("gw"), database_url);
    let http = client(&gateway, false);

    // Ping: the SP is told the id, then fetches the tokens itself.
    let mut pinged = notification_receiver(&gateway, 0).await;
    register(
        &gateway,
        database_url,
        &registration("ping-sp", "ping", Some(&pinged.url)),
    );
    let ask = [
        ("scope", "openid mc_vm_share"),
        ("login_hint", "MSISDN:447700900001"),
    ];
    let (status, body) = post_basic(&gateway, &http, "ping-sp", "/bc-authorize", &ask).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_request")),
        "{body}"
    );
    let mut with_token = ask.to_vec();
    with_token.push(("client_notification_token", "ntok-ping-1"));
    let (status, grant) =
        post_basic(&gateway, &http, "ping-sp", "/bc-authorize", &with_token).await;
    assert_eq!(status, 200, "{grant}");
    assert_eq!(grant["interval"], 2, "ping mode polls too (CIBA §7.3)");
    let auth_req_id = grant["auth_req_id"].as_str().unwrap().to_owned();
    answer_latest(&gateway, &http, MARIE, "1").await;
    let ping = pinged.next(10).await;
    assert_eq!(ping.bearer.as_deref(), Some("ntok-ping-1"));
    assert_eq!(
        ping.body,
        json!({"auth_req_id": auth_req_id}),
        "a ping carries the id only"
    );
    let poll = [("grant_type", CIBA), ("auth_req_id", auth_req_id.as_str())];
    let (status, tokens) = post_basic(&gateway, &http, "ping-sp", "/token", &poll).await;
    assert_eq!(status, 200, "{tokens}");
    assert!(tokens["access_token"].is_string());

    // Push: the tokens come to the SP; the token endpoint is not for push requests.
    let mut pushed = notification_receiver(&gateway, 0).await;
    register(
        &gateway,
        database_url,
        &registration("push-sp", "push", Some(&pushed.url)),
    );
    let mut push_ask = ask.to_vec();
    push_ask.push(("client_notification_token", "ntok-push-1"));
    let (status, grant) = post_basic(&gateway, &http, "push-sp", "/bc-authorize", &push_ask).await;
    assert_eq!(status, 200, "{grant}");
    assert!(
        grant.get("interval").is_none(),
        "no interval in push mode (CIBA §7.3)"
    );
    let auth_req_id = grant["auth_req_id"].as_str().unwrap().to_owned();
    let poll = [("grant_type", CIBA), ("auth_req_id", auth_req_id.as_str())];
    let (status, body) = post_basic(&gateway, &http, "push-sp", "/token", &poll).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    answer_latest(&gateway, &http, MARIE, "1").await;
    let push = pushed.next(10).await;
    assert_eq!(push.bearer.as_deref(), Some("ntok-push-1"));
    let body = &push.body;
    assert_eq!(body["auth_req_id"], auth_req_id.as_str());
    assert_eq!(body["token_type"], "Bearer");
    let access = body["access_token"].as_str().unwrap();
    let refresh = body["refresh_token"].as_str().unwrap();
    let id_token = jwt_claims(body["id_token"].as_str().unwrap());
    // CIBA §10.3.1: the ID token binds the tokens and the request.
    assert_eq!(id_token["at_hash"], half_hash(access).as_str());
    assert_eq!(
        id_token["urn:openid:params:jwt:claim:rt_hash"],
        half_hash(refresh).as_str()
    );
    assert_eq!(
        id_token["urn:openid:params:jwt:claim:auth_req_id"],
        auth_req_id.as_str()
    );
    let (_, introspected) = post_basic(
        &gateway,
        &http,
        "push-sp",
        "/introspect",
        &[("token", access)],
    )
    .await;
    assert_eq!(introspected["active"], true, "{introspected}");

    // A "no" is pushed as access_denied (CIBA §12).
    let (_, grant) = post_basic(&gateway, &http, "push-sp", "/bc-authorize", &push_ask).await;
    answer_latest(&gateway, &http, MARIE, "2").await;
    let denied = pushed.next(10).await;
    assert_eq!(denied.body["auth_req_id"], grant["auth_req_id"]);
    assert_eq!(denied.body["error"], "access_denied");
    assert!(denied.body.get("access_token").is_none());

    // Delivered: the secrets kept for delivery are wiped; everything is in the trail.
    let store = assent_gateway::store::Store::open(database_url, &gateway.data_dir)
        .await
        .unwrap();
    // The gateway records the delivery once the SP's answer reaches it, which may be a
    // moment after the SP has the body.
    let mut row = None;
    for _ in 0..50 {
        let current = store
            .ciba(&assent_gateway::base::ids::token_hash(&auth_req_id))
            .await
            .unwrap()
            .unwrap();
        if current.notified_ms.is_some() {
            row = Some(current);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let row = row.expect("the delivery is recorded");
    assert_eq!((row.auth_req_id, row.notification_token), (None, None));
    let (ok, out) = admin(&gateway.data_dir, database_url, &["audit", "verify"]);
    assert!(ok, "{out}");
}

#[tokio::test]
async fn sqlite_ciba_ping_and_push_to_a_real_https_endpoint() {
    ping_and_push(None).await;
}

#[tokio::test]
async fn postgres_ciba_ping_and_push_to_a_real_https_endpoint() {
    ping_and_push(Some(&fresh_postgres().await)).await;
}

async fn unacknowledged_push_is_revoked_and_retried(database_url: Option<&str>) {
    let dir = tempfile::tempdir().unwrap();
    let gateway = start(&dir.path().join("gw"), database_url);
    let http = client(&gateway, false);
    // The SP's endpoint fails the first delivery.
    let mut pushed = notification_receiver(&gateway, 1).await;
    register(
        &gateway,
        database_url,
        &registration("push-sp", "push", Some(&pushed.url)),
    );
    let ask = [
        ("scope", "openid mc_vm_share"),
        ("login_hint", "MSISDN:447700900001"),
        ("client_notification_token", "ntok-2"),
    ];
    let (status, _) = post_basic(&gateway, &http, "push-sp", "/bc-authorize", &ask).await;
    assert_eq!(status, 200);
    answer_latest(&gateway, &http, MARIE, "1").await;
    let first = pushed.next(10).await;
    let second = pushed.next(10).await;
    let (t1, t2) = (
        first.body["access_token"].as_str().unwrap(),
        second.body["access_token"].as_str().unwrap(),
    );
    assert_ne!(t1, t2, "every attempt carries fresh tokens");
    assert_eq!(first.body["auth_req_id"], second.body["auth_req_id"]);
    // The refused delivery's tokens were revoked; the acknowledged ones live.
    let (_, one) = post_basic(&gateway, &http, "push-sp", "/introspect", &[("token", t1)]).await;
    let (_, two) = post_basic(&gateway, &http, "push-sp", "/introspect", &[("token", t2)]).await;
    assert_eq!(
        (one["active"].clone(), two["active"].clone()),
        (json!(false), json!(true))
    );
    // No third delivery.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert!(pushed.received.try_recv().is_err());
}

#[tokio::test]
async fn sqlite_unacknowledged_push_is_revoked_and_retried() {
    unacknowledged_push_is_revoked_and_retried(None).await;
}

#[tokio::test]
async fn postgres_unacknowledged_push_is_revoked_and_retried() {
    unacknowledged_push_is_revoked_and_retried(Some(&fresh_postgres().await)).await;
}

/// An SP's P-256 key and its JWK Set.
struct SpKey {
    encoding: jsonwebtoken::EncodingKey,
    jwks: Value,
    kid: &'static str,
}

fn sp_key(kid: &'static str) -> SpKey {
    let key = p256::ecdsa::SigningKey::random(&mut rand::rngs::OsRng);
    let pem = key.to_pkcs8_pem(LineEnding::LF).unwrap();
    let public = p256::PublicKey::from(key.verifying_key());
    let mut jwk: Value = serde_json::from_str(&public.to_jwk_string()).unwrap();
    jwk["kid"] = json!(kid);
    jwk["alg"] = json!("ES256");
    jwk["use"] = json!("sig");
    SpKey {
        encoding: jsonwebtoken::EncodingKey::from_ec_pem(pem.as_bytes()).unwrap(),
        jwks: json!({"keys": [jwk]}),
        kid,
    }
}

impl SpKey {
    fn sign(&self, claims: &Value) -> String {
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
        header.kid = Some(self.kid.to_owned());
        jsonwebtoken::encode(&header, claims, &self.encoding).unwrap()
    }

    /// A client assertion (RFC 7523 §3) for `aud`, fresh `jti`.
    fn assertion(&self, client_id: &str, aud: &str, exp_in: i64) -> String {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        self.sign(&json!({
            "iss": client_id, "sub": client_id, "aud": aud,
            "iat": now, "exp": now + exp_in,
            "jti": assent_gateway::base::ids::new_token(),
        }))
    }
}

async fn post_jwt(
    gateway: &Gateway,
    http: &reqwest::Client,
    assertion: &str,
    path: &str,
    form: &[(&str, &str)],
) -> (u16, Value) {
    let mut form = form.to_vec();
    form.push((
        "client_assertion_type",
        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
    ));
    form.push(("client_assertion", assertion));
    let response = http
        .post(format!("{}{path}", gateway.url))
        .form(&form)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

/// Registers `jwt-sp`, a CIBA SP that authenticates with `private_key_jwt` by `key`.
fn register_jwt_sp(gateway: &Gateway, key: &SpKey) {
    register(
        gateway,
        None,
        &json!({
            "client_id": "jwt-sp", "client_name": "JWT Shop", "grant_types": [CIBA],
            "scope": "openid mc_vm_share", "token_policy": "long_lived",
            "token_ttl_seconds": 3600, "jwks": key.jwks,
        }),
    );
}

/// RFC 7523 §3 item 7: a client assertion is used once, for as long as it is accepted —
/// which is past its `exp` by the leeway too: replayed then, it is still refused.
#[tokio::test]
async fn an_assertion_replayed_within_the_leeway_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let gateway = start(&dir.path().join("gw"), None);
    let http = client(&gateway, false);
    let key = sp_key("k1");
    register_jwt_sp(&gateway, &key);
    let token_url = format!("{}/token", gateway.url);
    // Expired 5 s ago: within the 30 s leeway, so accepted once.
    let assertion = key.assertion("jwt-sp", &token_url, -5);
    let form = [("grant_type", CIBA), ("auth_req_id", "unknown")];
    let (status, body) = post_jwt(&gateway, &http, &assertion, "/token", &form).await;
    assert_eq!(
        (status, &body["error"]),
        (400, &json!("invalid_grant")),
        "{body}"
    );
    let (status, body) = post_jwt(&gateway, &http, &assertion, "/token", &form).await;
    assert_eq!(
        (status, &body["error"]),
        (401, &json!("invalid_client")),
        "{body}"
    );
}

#[tokio::test]
async fn private_key_jwt_and_every_login_hint_type() {
    let dir = tempfile::tempdir().unwrap();
    let gateway = start(&dir.path().join("gw"), None);
    let http = client(&gateway, false);
    let key = sp_key("k1");
    register_jwt_sp(&gateway, &key);
    let token_url = format!("{}/token", gateway.url);
    let issuer = gateway.url.clone();

    // ENCR_MSISDN: the number encrypted to the key the JWKS publishes for encryption.
    let jwks: Value = http
        .get(format!("{}/jwks", gateway.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let enc_jwk = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["use"] == "enc")
        .unwrap()
        .clone();
    let encrypted =
        assent_gateway::rules::encr_msisdn::encrypt_to(&enc_jwk, "+447700900001").unwrap();
    let hint = format!("ENCR_MSISDN:{encrypted}");
    let ask = |hint: &'static str, value: String| {
        vec![("scope", "openid mc_vm_share".to_owned()), (hint, value)]
    };
    let send = |form: Vec<(&'static str, String)>| {
        let assertion = key.assertion("jwt-sp", &issuer, 60);
        let gateway = &gateway;
        let http = &http;
        async move {
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            post_jwt(gateway, http, &assertion, "/bc-authorize", &form).await
        }
    };
    let (status, grant) = send(ask("login_hint", hint)).await;
    assert_eq!(status, 200, "{grant}");
    answer_latest(&gateway, &http, MARIE, "1").await;
    tokio::time::sleep(Duration::from_millis(2150)).await;
    let auth_req_id = grant["auth_req_id"].as_str().unwrap();
    let poll = [("grant_type", CIBA), ("auth_req_id", auth_req_id)];
    let assertion = key.assertion("jwt-sp", &token_url, 60);
    let (status, tokens) = post_jwt(&gateway, &http, &assertion, "/token", &poll).await;
    assert_eq!(status, 200, "{tokens}");
    let id_token = tokens["id_token"].as_str().unwrap().to_owned();
    let pcr = jwt_claims(&id_token)["sub"].as_str().unwrap().to_owned();

    // RFC 7523 §3: an assertion is used once, for this gateway, short-lived, signed by the
    // registered key.
    let (status, body) = post_jwt(&gateway, &http, &assertion, "/token", &poll).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client")),
        "replay"
    );
    let elsewhere = key.assertion("jwt-sp", "https://elsewhere.example", 60);
    let (status, _) = post_jwt(&gateway, &http, &elsewhere, "/token", &poll).await;
    assert_eq!(status, 401, "foreign audience");
    let too_long = key.assertion("jwt-sp", &token_url, 3600);
    let (status, _) = post_jwt(&gateway, &http, &too_long, "/token", &poll).await;
    assert_eq!(status, 401, "an hour-long assertion");
    let forged = sp_key("k1").assertion("jwt-sp", &token_url, 60);
    let (status, _) = post_jwt(&gateway, &http, &forged, "/token", &poll).await;
    assert_eq!(status, 401, "another key");
    // Two methods at once.
    let both = key.assertion("jwt-sp", &token_url, 60);
    let mut form: Vec<(&str, &str)> = poll.to_vec();
    form.push(("client_secret", "x"));
    let (status, body) = post_jwt(&gateway, &http, &both, "/token", &form).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_request"))
    );

    // The other hints each reach Marie's handset.
    let prompts_before = handset(&gateway, &http, MARIE).await.len();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let hint_token = key.sign(&json!({
        "iss": "jwt-sp", "aud": issuer, "exp": now + 60,
        "sub_id": {"format": "phone_number", "phone_number": "+447700900001"},
    }));
    for form in [
        ask("login_hint", format!("PCR:{pcr}")),
        ask("id_token_hint", id_token.clone()),
        ask("login_hint_token", hint_token.clone()),
    ] {
        let (status, body) = send(form).await;
        assert_eq!(status, 200, "{body}");
    }
    assert_eq!(
        handset(&gateway, &http, MARIE).await.len(),
        prompts_before + 3
    );

    // Refusals: a PCR is pairwise (another SP's is unknown here), tokens not ours, two hints.
    let demo_pcr = format!("PCR:{}", "A".repeat(43));
    let (status, body) = send(ask("login_hint", demo_pcr)).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("unknown_user_id"))
    );
    let (status, body) = send(ask("login_hint", "ENCR_MSISDN:not-a-jwe".into())).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_request")),
        "{body}"
    );
    let foreign = sp_key("k1").sign(&json!({
        "iss": "jwt-sp", "aud": issuer, "exp": now + 60,
        "sub_id": {"format": "phone_number", "phone_number": "+447700900001"},
    }));
    let (status, body) = send(ask("login_hint_token", foreign)).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_request")),
        "{body}"
    );
    let mut two = ask("login_hint", "MSISDN:447700900001".into());
    two.push(("id_token_hint", id_token.clone()));
    let (status, body) = send(two).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_request")),
        "{body}"
    );
    // demo-sp cannot use jwt-sp's ID token or PCR to name the user.
    let (status, body) = post_basic(
        &gateway,
        &http,
        "demo-sp",
        "/bc-authorize",
        &[
            ("scope", "openid mc_vm_share"),
            ("login_hint", &format!("PCR:{pcr}")),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("unknown_user_id"))
    );
    let (status, body) = post_basic(
        &gateway,
        &http,
        "demo-sp",
        "/bc-authorize",
        &[
            ("scope", "openid mc_vm_share"),
            ("id_token_hint", &id_token),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_request"))
    );
}

#[tokio::test]
async fn the_sms_authenticator_carries_consent_for_users_registered_for_it() {
    let dir = tempfile::tempdir().unwrap();
    let gateway = start(&dir.path().join("gw"), None);
    let http = client(&gateway, false);
    let ana = "447700900003";
    let (ok, out) = admin(
        &gateway.data_dir,
        None,
        &["users", "authenticators", ana, "carrier-pigeon"],
    );
    assert!(!ok && out.contains("unknown authenticator"), "{out}");
    let (ok, out) = admin(
        &gateway.data_dir,
        None,
        &["users", "authenticators", ana, "sms", "ussd"],
    );
    assert!(ok, "{out}");

    let ask = [
        ("scope", "openid mc_vm_share"),
        ("login_hint", "MSISDN:447700900003"),
    ];
    let (status, grant) = post_basic(&gateway, &http, "demo-sp", "/bc-authorize", &ask).await;
    assert_eq!(status, 200, "{grant}");
    let prompt = answer_latest(&gateway, &http, ana, "1").await;
    assert_eq!(prompt["kind"], "sms");
    let text = prompt["text"].as_str().unwrap();
    assert!(
        text.contains("Demo Shop") && text.contains("1 Yes") && text.contains("2 No"),
        "{text}"
    );
    assert!(prompt["units"].as_i64().unwrap() <= 160, "one SMS segment");
    tokio::time::sleep(Duration::from_millis(2150)).await;
    let auth_req_id = grant["auth_req_id"].as_str().unwrap();
    let (status, tokens) = post_basic(
        &gateway,
        &http,
        "demo-sp",
        "/token",
        &[("grant_type", CIBA), ("auth_req_id", auth_req_id)],
    )
    .await;
    assert_eq!(status, 200, "{tokens}");
    assert_eq!(
        jwt_claims(tokens["id_token"].as_str().unwrap())["amr"],
        json!(["sms"])
    );
    // Marie still answers by USSD.
    let (status, _) = post_basic(
        &gateway,
        &http,
        "demo-sp",
        "/bc-authorize",
        &[
            ("scope", "openid mc_vm_share"),
            ("login_hint", "MSISDN:447700900001"),
        ],
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(handset(&gateway, &http, MARIE).await[0]["kind"], "ussd");
}

/// MC_ATTR_18: long-lived (with a refresh token), one-time, and transactional (at most 10 s,
/// whatever the SP registered) lifetimes, by the SP's policy.
#[tokio::test]
async fn token_lifetimes_follow_the_sp_s_policy() {
    let dir = tempfile::tempdir().unwrap();
    let gateway = start(&dir.path().join("gw"), None);
    let http = client(&gateway, false);
    register(
        &gateway,
        None,
        &json!({
            "client_id": "trans-sp", "client_secret": common::sp_secret("trans-sp"), "client_name": "Trans",
            "grant_types": [CIBA], "scope": "openid mc_vm_share",
            "token_policy": "transactional", "token_ttl_seconds": 3600,
        }),
    );
    for (sp, expires_in, refresh) in [
        ("demo-sp", 3600, true),
        ("once-sp", 3600, false),
        ("trans-sp", 10, false),
    ] {
        let ask = [
            ("scope", "openid mc_vm_share"),
            ("login_hint", "MSISDN:447700900001"),
        ];
        let (status, grant) = post_basic(&gateway, &http, sp, "/bc-authorize", &ask).await;
        assert_eq!(status, 200, "{grant}");
        answer_latest(&gateway, &http, MARIE, "1").await;
        let id = grant["auth_req_id"].as_str().unwrap();
        let (status, tokens) = post_basic(
            &gateway,
            &http,
            sp,
            "/token",
            &[("grant_type", CIBA), ("auth_req_id", id)],
        )
        .await;
        assert_eq!(status, 200, "{tokens}");
        assert_eq!(tokens["expires_in"], expires_in, "{sp}");
        assert_eq!(tokens.get("refresh_token").is_some(), refresh, "{sp}");
        let exp = jwt_claims(tokens["id_token"].as_str().unwrap())["exp"]
            .as_i64()
            .unwrap();
        let iat = jwt_claims(tokens["id_token"].as_str().unwrap())["iat"]
            .as_i64()
            .unwrap();
        assert_eq!(exp - iat, 600, "ID tokens live ten minutes");
    }
}
