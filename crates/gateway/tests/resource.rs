//! The Mobile Connect Resource Server over TLS, against SQLite and PostgreSQL: GET and POST
//! forms of share and match (IDY.03 §4.3, §6, Annex B), the audit and the user's
//! notifications, generic tokens under a user's consent, one-time tokens spent exactly once by
//! 1,000 concurrent requests, a database outage (503, then recovery), and the resource server
//! in its own process validating tokens by introspection (MC_RES_05), building nothing it
//! does not serve with. Each Annex A and seed
//! 003 row is its own test in `resource_rows.rs`.

// Test helpers may unwrap: a failure there is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::{
    Gateway, admin, answer_latest, client, fresh_postgres, post_basic, register, set_connections,
    start, start_resource_server,
};
use serde_json::{Value, json};
use std::time::Duration;

const CIBA: &str = "urn:openid:params:grant-type:ciba";

/// A user token through CIBA: the SP asks, the user says yes on the handset, the SP polls.
async fn user_token(
    gateway: &Gateway,
    http: &reqwest::Client,
    sp: &str,
    msisdn: &str,
    scope: &str,
) -> Value {
    let hint = format!("MSISDN:{msisdn}");
    let (status, grant) = post_basic(
        gateway,
        http,
        sp,
        "/bc-authorize",
        &[("scope", scope), ("login_hint", &hint)],
    )
    .await;
    assert_eq!(status, 200, "{grant}");
    answer_latest(gateway, http, msisdn, "1").await;
    // The first poll needs no wait: the interval runs from one poll to the next.
    let id = grant["auth_req_id"].as_str().unwrap();
    let (status, tokens) = post_basic(
        gateway,
        http,
        sp,
        "/token",
        &[("grant_type", CIBA), ("auth_req_id", id)],
    )
    .await;
    assert_eq!(status, 200, "{tokens}");
    tokens
}

/// A response as the SP sees it.
struct Seen {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Value,
}

async fn seen(request: reqwest::RequestBuilder) -> Seen {
    let response = request.send().await.unwrap();
    let headers = response.headers().clone();
    Seen {
        status: response.status().as_u16(),
        body: response.json().await.unwrap(),
        headers,
    }
}

async fn share_match_audited_and_notified(database_url: Option<&str>) {
    let dir = tempfile::tempdir().unwrap();
    let gateway = start(&dir.path().join("gw"), database_url);
    let http = client(&gateway, false);
    let premium = format!("{}/premiuminfo", gateway.url);
    let tokens = user_token(
        &gateway,
        &http,
        "demo-sp",
        "447700900001",
        "openid mc_identity_signup mc_vm_share mc_vm_match mc_kyc_match",
    )
    .await;
    let token = tokens["access_token"].as_str().unwrap().to_owned();
    let sub = common::jwt_claims(tokens["id_token"].as_str().unwrap())["sub"].clone();

    // Share (GET with the header; POST with the form body): every attribute, sub always.
    let get = seen(http.get(&premium).bearer_auth(&token)).await;
    assert_eq!(get.status, 200, "{}", get.body);
    assert_eq!(
        get.headers["content-type"],
        "application/json; charset=utf-8"
    );
    assert_eq!(get.headers["cache-control"], "no-store");
    assert_eq!(get.headers["pragma"], "no-cache");
    assert_eq!(get.body["sub"], sub);
    assert_eq!(get.body["device_msisdn"], "+447700900001");
    assert_eq!(get.body["given_name"], "Marie");
    assert_eq!(get.body["address"]["postal_code"], "75005");
    let post = seen(
        http.post(&premium)
            .form(&[("access_token", token.as_str())]),
    )
    .await;
    assert_eq!((post.status, &post.body), (200, &get.body));

    // Match: JSON body, or the form parameter; unsupported claims ignored; none → 400.
    let json_match = seen(http.post(&premium).bearer_auth(&token).json(
        &json!({"mc_claims": {"device_msisdn": "+447700900001", "given_name": "MARIE",
                                         "email": "x@y.z", "shoe_size": "38"}}),
    ))
    .await;
    assert_eq!(json_match.status, 200, "{}", json_match.body);
    assert_eq!(json_match.body["device_msisdn_verified"], true);
    assert_eq!(json_match.body["given_name_match"], "true");
    assert_eq!(json_match.body["email_match"], "false");
    assert!(json_match.body.get("shoe_size_match").is_none());
    let claims = json!({"device_msisdn": "+447700900009"}).to_string();
    let form_match = seen(http.post(&premium).form(&[
        ("access_token", token.as_str()),
        ("mc_claims", claims.as_str()),
    ]))
    .await;
    assert_eq!(
        form_match.body["device_msisdn_verified"], false,
        "{}",
        form_match.body
    );
    let none = seen(
        http.post(&premium)
            .bearer_auth(&token)
            .json(&json!({"mc_claims": {"shoe_size": "38"}})),
    )
    .await;
    assert_eq!(
        (none.status, none.body["error"].as_str()),
        (400, Some("invalid_request"))
    );

    // A share-only token sending match claims needs a scope it lacks: 403 insufficient_scope.
    let share_only = user_token(
        &gateway,
        &http,
        "demo-sp",
        "447700900001",
        "openid mc_vm_share",
    )
    .await;
    let share_token = share_only["access_token"].as_str().unwrap();
    // userinfo: standard claim names.
    let userinfo = seen(
        http.get(format!("{}/userinfo", gateway.url))
            .bearer_auth(share_token),
    )
    .await;
    assert_eq!(userinfo.status, 200, "{}", userinfo.body);
    assert_eq!(userinfo.body["phone_number"], "+447700900001");

    let store = assent_gateway::store::Store::open(database_url, &gateway.data_dir)
        .await
        .unwrap();
    // Every access is in the trail (names and a response hash, never values) and queued
    // for the user's devices.
    let entries = store.audit_page(0, 10_000).await.unwrap();
    let accesses: Vec<_> = entries
        .iter()
        .filter(|e| e.content.kind == assent_audit::EntryKind::ResourceAccess)
        .collect();
    assert!(accesses.len() >= 5);
    assert!(accesses.iter().all(|e| !e.content.detail.contains("Marie")
        && !e.content.detail.contains("447700900001")
        && e.content.detail.contains("response_sha256")));
    let notifications = store.user_notifications("u-demo-marie").await.unwrap();
    assert_eq!(notifications.len(), accesses.len());
    let (ok, out) = admin(&gateway.data_dir, database_url, &["audit", "verify"]);
    assert!(ok, "{out}");
}

#[tokio::test]
async fn sqlite_share_match_audited_and_notified() {
    share_match_audited_and_notified(None).await;
}

#[tokio::test]
async fn postgres_share_match_audited_and_notified() {
    share_match_audited_and_notified(Some(&fresh_postgres().await)).await;
}

/// The figure: 1,000 requests with one one-time token, all in flight at once.
const CONCURRENT: usize = 1000;

async fn one_time_tokens_are_spent_once(database_url: Option<&str>) {
    let dir = tempfile::tempdir().unwrap();
    // The 999 refusals would otherwise meet the limit on refused requests (429): what is
    // counted here is who spends the token.
    let gateway = common::start_with(
        &dir.path().join("gw"),
        database_url,
        None,
        &["--rate-limit-resource-refused", "off"],
    );
    let http = client(&gateway, false);
    let tokens = user_token(
        &gateway,
        &http,
        "once-sp",
        "447700900001",
        "openid mc_vm_share",
    )
    .await;
    let token = tokens["access_token"].as_str().unwrap().to_owned();
    let premium = format!("{}/premiuminfo", gateway.url);
    let attempts: Vec<_> = (0..CONCURRENT)
        .map(|_| {
            let request = http.get(&premium).bearer_auth(&token);
            tokio::spawn(async move { request.send().await.unwrap().status().as_u16() })
        })
        .collect();
    let mut statuses = Vec::new();
    for attempt in attempts {
        statuses.push(attempt.await.unwrap());
    }
    let count = |status: u16| statuses.iter().filter(|s| **s == status).count();
    assert_eq!(
        (count(200), count(401)),
        (1, CONCURRENT - 1),
        "200s and 401s of {CONCURRENT}"
    );
}

#[tokio::test]
async fn sqlite_one_time_tokens_are_spent_exactly_once_under_concurrency() {
    one_time_tokens_are_spent_once(None).await;
}

#[tokio::test]
async fn postgres_one_time_tokens_are_spent_exactly_once_under_concurrency() {
    one_time_tokens_are_spent_once(Some(&fresh_postgres().await)).await;
}

#[tokio::test]
async fn generic_tokens_name_the_user_by_header() {
    let dir = tempfile::tempdir().unwrap();
    let gateway = start(&dir.path().join("gw"), None);
    let http = client(&gateway, false);
    let premium = format!("{}/premiuminfo", gateway.url);
    let (status, body) = post_basic(
        &gateway,
        &http,
        "atp-sp",
        "/token",
        &[("grant_type", "client_credentials"), ("scope", "mc_atp")],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let generic = body["access_token"].as_str().unwrap().to_owned();
    let with = |id_type: &str, id: &str| {
        http.get(&premium)
            .bearer_auth(&generic)
            .header("User-ID-Type", id_type.to_owned())
            .header("User-ID", id.to_owned())
    };

    // Seed 003 Annex A.2, the four rows.
    let missing = seen(http.get(&premium).bearer_auth(&generic)).await;
    assert_eq!(
        (missing.status, missing.body["error_description"].as_str()),
        (
            400,
            Some(
                "User-ID / User-ID-Type header is not used and the Access Token is not tied to an End-User"
            )
        )
    );
    for (id_type, id, reason) in [
        ("IMSI", "234150000000001", "unsupported type"),
        ("MSISDN", "+447700900001", "wrong format"),
        ("MSISDN", "44-7700", "wrong format"),
        ("ENCR_MSISDN", "garbage", "cannot be decrypted"),
    ] {
        let invalid = seen(with(id_type, id)).await;
        let description = invalid.body["error_description"].as_str().unwrap();
        assert_eq!(invalid.status, 400);
        assert!(
            description.starts_with("Invalid User-ID / User-ID-Type value: ")
                && description.contains(reason),
            "{description}"
        );
    }
    let unknown = seen(with("MSISDN", "447700900099")).await;
    assert_eq!(
        (unknown.status, unknown.body["error_description"].as_str()),
        (400, Some("Unknown user"))
    );
    // Names and values are case-insensitive; no sub for generic tokens.
    let atp = seen(
        http.get(&premium)
            .bearer_auth(&generic)
            .header("USER-ID-TYPE", "msisdn")
            .header("user-id", "447700900001"),
    )
    .await;
    assert_eq!(atp.status, 200, "{}", atp.body);
    assert_eq!(atp.body, json!({"sim_change": "2026-01-30T18:39:50Z"}));
    // ENCR_MSISDN works too.
    let jwks: Value = http
        .get(format!("{}/jwks", gateway.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let enc = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["use"] == "enc")
        .unwrap()
        .clone();
    let encrypted = assent_gateway::rules::encr_msisdn::encrypt_to(&enc, "447700900001").unwrap();
    assert_eq!(seen(with("ENCR_MSISDN", &encrypted)).await.status, 200);
    // A user token with the headers is refused.
    let user = user_token(
        &gateway,
        &http,
        "demo-sp",
        "447700900001",
        "openid mc_vm_share",
    )
    .await;
    let refused = seen(
        http.get(&premium)
            .bearer_auth(user["access_token"].as_str().unwrap())
            .header("User-ID-Type", "MSISDN")
            .header("User-ID", "447700900001"),
    )
    .await;
    assert_eq!(
        (refused.status, refused.body["error_description"].as_str()),
        (
            400,
            Some(
                "User-ID / User-ID-Type header MUST NOT be used if the Access Token is tied to an End-User"
            )
        )
    );
    // mc_atp needs no consent but the user is told (MC_ATTR_19).
    let store = assent_gateway::store::Store::open(None, &gateway.data_dir)
        .await
        .unwrap();
    let told = store.user_notifications("u-demo-marie").await.unwrap();
    assert!(
        told.iter()
            .any(|n| n.kind == "atp_check" && n.client_id == "atp-sp")
    );

    // A generic token for a consent service works only under the user's long-lived consent.
    register(
        &gateway,
        None,
        &json!({
            "client_id": "gen-sp", "client_secret": common::sp_secret("gen-sp"), "client_name": "Gen",
            "grant_types": ["client_credentials", CIBA], "scope": "openid mc_vm_share",
            "token_policy": "long_lived", "token_ttl_seconds": 600,
        }),
    );
    let (_, body) = post_basic(
        &gateway,
        &http,
        "gen-sp",
        "/token",
        &[
            ("grant_type", "client_credentials"),
            ("scope", "mc_vm_share"),
        ],
    )
    .await;
    let gen_token = body["access_token"].as_str().unwrap().to_owned();
    let ask = || {
        http.get(&premium)
            .bearer_auth(&gen_token)
            .header("User-ID-Type", "MSISDN")
            .header("User-ID", "447700900001")
    };
    let before = seen(ask()).await;
    assert_eq!(
        (before.status, before.body["error"].as_str()),
        (403, Some("access_denied"))
    );
    user_token(
        &gateway,
        &http,
        "gen-sp",
        "447700900001",
        "openid mc_vm_share",
    )
    .await;
    let during = seen(ask()).await;
    assert_eq!(during.status, 200, "{}", during.body);
    assert_eq!(during.body, json!({"device_msisdn": "+447700900001"}));
    for consent in store
        .live_consents("u-demo-marie", "gen-sp", 0)
        .await
        .unwrap()
    {
        store.revoke_consent(&consent.id, 1).await.unwrap();
    }
    assert_eq!(seen(ask()).await.status, 403);
}

#[tokio::test]
async fn postgres_outage_is_503_and_the_gateway_recovers() {
    let url = fresh_postgres().await;
    let dir = tempfile::tempdir().unwrap();
    let gateway = start(&dir.path().join("gw"), Some(&url));
    let http = client(&gateway, false);
    let tokens = user_token(
        &gateway,
        &http,
        "demo-sp",
        "447700900001",
        "openid mc_vm_share",
    )
    .await;
    let token = tokens["access_token"].as_str().unwrap();
    let premium = format!("{}/premiuminfo", gateway.url);
    assert_eq!(
        seen(http.get(&premium).bearer_auth(token)).await.status,
        200
    );

    // Close the database to connections and cut the gateway's.
    set_connections(&url, false).await;
    let down = seen(http.get(&premium).bearer_auth(token)).await;
    assert_eq!(
        (down.status, down.body["error"].as_str()),
        (503, Some("server_error")),
        "{}",
        down.body
    );
    set_connections(&url, true).await;
    let mut recovered = 0;
    for _ in 0..20 {
        recovered = seen(http.get(&premium).bearer_auth(token)).await.status;
        if recovered == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert_eq!(recovered, 200, "the same process serves again");
}

#[tokio::test]
async fn a_resource_server_in_its_own_process_validates_by_introspection() {
    let dir = tempfile::tempdir().unwrap();
    let gateway = start(&dir.path().join("gw"), None);
    let http = client(&gateway, false);
    let (mut child, rs) = start_resource_server(&gateway, "rs-1", &gateway.data_dir, &[]);
    let premium = format!("{rs}/premiuminfo");

    let long = user_token(
        &gateway,
        &http,
        "demo-sp",
        "447700900001",
        "openid mc_vm_share",
    )
    .await;
    let long = long["access_token"].as_str().unwrap().to_owned();
    let via_rs = seen(http.get(&premium).bearer_auth(&long)).await;
    let in_gateway = seen(
        http.get(format!("{}/premiuminfo", gateway.url))
            .bearer_auth(&long),
    )
    .await;
    assert_eq!(via_rs.status, 200, "{}", via_rs.body);
    assert_eq!(via_rs.body, in_gateway.body);
    // One-time tokens are spent through the resource server too.
    let once = user_token(
        &gateway,
        &http,
        "once-sp",
        "447700900001",
        "openid mc_vm_share",
    )
    .await;
    let once = once["access_token"].as_str().unwrap();
    assert_eq!(seen(http.get(&premium).bearer_auth(once)).await.status, 200);
    assert_eq!(seen(http.get(&premium).bearer_auth(once)).await.status, 401);
    // A token the SP revoked is refused on the next request.
    let (status, _) = post_basic(&gateway, &http, "demo-sp", "/revoke", &[("token", &long)]).await;
    assert_eq!(status, 200);
    let revoked = seen(http.get(&premium).bearer_auth(&long)).await;
    assert_eq!(
        (revoked.status, revoked.body["error"].as_str()),
        (401, Some("invalid_token"))
    );
    // An SP cannot use introspection to learn about others' tokens.
    let (_, probe) = post_basic(
        &gateway,
        &http,
        "once-sp",
        "/introspect",
        &[("token", &long)],
    )
    .await;
    assert_eq!(probe, json!({"active": false}));
    let _ = child.kill();
    let _ = child.wait();
}

/// A resource server in its own process builds only what it serves (MC_RES_05): on a data
/// directory of its own, holding just the gateway's TLS CA, it serves, validates tokens at
/// the gateway's introspection endpoint, and leaves no ACME CA and no ID token signing key
/// behind (it used to create both, and a dummy authenticator chain, to fill the gateway's
/// state).
#[tokio::test]
async fn a_stand_alone_resource_server_makes_no_acme_ca_and_no_signing_key() {
    let dir = tempfile::tempdir().unwrap();
    let gateway = start(&dir.path().join("gw"), None);
    let http = client(&gateway, false);
    // The resource server's host gets the gateway's CA (its certificate is issued under it,
    // and it trusts the gateway by it), nothing else.
    let rs_dir = dir.path().join("rs");
    std::fs::create_dir_all(&rs_dir).unwrap();
    for file in ["ca.pem", "ca-key.pem"] {
        std::fs::copy(gateway.data_dir.join(file), rs_dir.join(file)).unwrap();
    }
    let (mut child, rs) = start_resource_server(&gateway, "rs-2", &rs_dir, &[]);
    let premium = format!("{rs}/premiuminfo");

    let bare = seen(http.get(&premium)).await;
    assert_eq!(bare.status, 401);
    assert_eq!(bare.headers["www-authenticate"], "Bearer");
    // The words of the introspection path: the gateway was asked and said inactive.
    let unknown = seen(http.get(&premium).bearer_auth("not-a-token")).await;
    assert_eq!(
        (unknown.status, unknown.body["error_description"].as_str()),
        (
            401,
            Some("Invalid access token (or) access token does not exist (or) expired access token")
        )
    );
    let _ = child.kill();
    let _ = child.wait();

    // The gateway made its ACME CA and signing key; the resource server made neither.
    assert!(gateway.data_dir.join("acme-ca-key.pem").exists());
    assert!(gateway.data_dir.join("keys/signing-es256.pem").exists());
    for made_by_the_gateway_only in ["acme-ca-key.pem", "acme-ca.pem", "keys/signing-es256.pem"] {
        assert!(
            !rs_dir.join(made_by_the_gateway_only).exists(),
            "the resource server made {made_by_the_gateway_only}"
        );
    }
}

/// The spend itself, without HTTP in between to spread the requests out: of many concurrent
/// spends of one token exactly one wins (a conditional UPDATE, atomic on both databases).
async fn concurrent_spends_have_one_winner(database_url: Option<&str>) {
    let dir = tempfile::tempdir().unwrap();
    let store = assent_gateway::store::Store::open(database_url, dir.path())
        .await
        .unwrap();
    store
        .insert_token(&assent_gateway::store::TokenRecord {
            token_hash: "once".into(),
            kind: "access".into(),
            client_id: "once-sp".into(),
            user_id: Some("u-demo-marie".into()),
            scope: vec!["openid".into(), "mc_vm_share".into()],
            policy: "one_time".into(),
            issued_ms: 0,
            expires_ms: i64::MAX,
            spent: false,
            revoked: false,
            consent_id: None,
            family: None,
            jkt: None,
        })
        .await
        .unwrap();
    let spends: Vec<_> = (0..64)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move { store.spend_token("once").await.unwrap() })
        })
        .collect();
    let mut winners = 0;
    for spend in spends {
        winners += usize::from(spend.await.unwrap());
    }
    assert_eq!(winners, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_concurrent_spends_have_one_winner() {
    concurrent_spends_have_one_winner(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_concurrent_spends_have_one_winner() {
    concurrent_spends_have_one_winner(Some(&fresh_postgres().await)).await;
}
