//! CAMARA Know Your Customer Match (`POST /kyc-match/v1/match`) against the real binary on
//! SQLite and PostgreSQL: a three-legged token (the user's consent to the match service)
//! and a two-legged one (a generic token naming the user by `phoneNumber`, under the user's
//! consent in force), per field `true` / `false` / `not_available` and a Jaro-Winkler score
//! (checked with `strsim`), `x-correlator` echoed, the CAMARA error model, and the refusals:
//! `UNNECESSARY_IDENTIFIER`, `MISSING_IDENTIFIER`, `IDENTIFIER_NOT_FOUND`, no consent, no
//! match service, no token, a body that names nothing to match. Each match is audited.

// Test helpers may unwrap: a failure there is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::{Gateway, client, fresh_postgres, post_basic, register, sp_secret, start};
use serde_json::{Value, json};

const CIBA: &str = "urn:openid:params:grant-type:ciba";
const MARIE: &str = "447700900001";

/// A match: (status, x-correlator echoed, body).
async fn kyc(
    gateway: &Gateway,
    http: &reqwest::Client,
    token: Option<&str>,
    body: Value,
) -> (u16, Option<String>, Value) {
    let mut request = http
        .post(format!("{}/kyc-match/v1/match", gateway.url))
        .header("x-correlator", "kyc-test-1")
        .json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let correlator = response
        .headers()
        .get("x-correlator")
        .map(|v| v.to_str().unwrap().to_owned());
    (status, correlator, response.json().await.unwrap())
}

fn refused(answer: &(u16, Option<String>, Value), status: u16, code: &str) {
    let (got, _, body) = answer;
    assert_eq!(
        (*got, body["code"].as_str()),
        (status, Some(code)),
        "{body}"
    );
    assert_eq!(body["status"], status, "{body}");
    assert!(body["message"].is_string(), "{body}");
}

async fn kyc_match(database_url: Option<&str>) {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("gw");
    let gateway = start(&data_dir, database_url);
    let http = client(&gateway, false);

    // Three-legged: Demo Shop's token for Marie's consent to the match service.
    let three = common::ciba_tokens(
        &gateway,
        &http,
        "demo-sp",
        MARIE,
        "openid mc_kyc_match",
        &[],
    )
    .await;
    let three = three["access_token"].as_str().unwrap().to_owned();
    let asked = json!({
        "givenName": "Marie", "familyName": "Curry", "birthdate": "1967-11-07",
        "email": "MARIE.CURIE@example.org ", "idDocument": "X123", "address": "1 Rue Pierre",
    });
    let (status, correlator, body) = kyc(&gateway, &http, Some(&three), asked.clone()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(correlator.as_deref(), Some("kyc-test-1"));
    let score = (strsim::jaro_winkler("curie", "curry") * 100.0).round() as u64;
    assert_eq!(
        body,
        json!({
            "idDocumentMatch": "not_available", "givenNameMatch": "true",
            "familyNameMatch": "false", "familyNameMatchScore": score,
            "addressMatch": "not_available", "birthdateMatch": "true", "emailMatch": "true",
        })
    );
    // A number beside a token that names the user is unnecessary; only a number names
    // nothing to match; bad input is INVALID_ARGUMENT.
    let mut with_number = asked.clone();
    with_number["phoneNumber"] = json!("+447700900001");
    refused(
        &kyc(&gateway, &http, Some(&three), with_number).await,
        422,
        "UNNECESSARY_IDENTIFIER",
    );
    refused(
        &kyc(
            &gateway,
            &http,
            Some(&three),
            json!({"phoneNumber": "+447700900001"}),
        )
        .await,
        400,
        "KNOW_YOUR_CUSTOMER.INVALID_PARAM_COMBINATION",
    );
    refused(
        &kyc(&gateway, &http, Some(&three), json!({"givenName": 7})).await,
        400,
        "INVALID_ARGUMENT",
    );
    refused(
        &kyc(&gateway, &http, None, asked.clone()).await,
        401,
        "UNAUTHENTICATED",
    );
    refused(
        &kyc(&gateway, &http, Some("not-a-token"), asked.clone()).await,
        401,
        "UNAUTHENTICATED",
    );
    // Only fields the operator does not hold: every check still runs, nothing is matched.
    let (status, _, body) = kyc(
        &gateway,
        &http,
        Some(&three),
        json!({"idDocument": "X123", "gender": "FEMALE"}),
    )
    .await;
    assert_eq!(
        (status, body),
        (
            200,
            json!({"idDocumentMatch": "not_available", "genderMatch": "not_available"})
        )
    );
    // A token whose match service does not cover the fields asked may not match them.
    let device =
        common::ciba_tokens(&gateway, &http, "demo-sp", MARIE, "openid mc_vm_match", &[]).await;
    refused(
        &kyc(
            &gateway,
            &http,
            device["access_token"].as_str(),
            json!({"givenName": "Marie"}),
        )
        .await,
        403,
        "PERMISSION_DENIED",
    );
    // A token without a match service may not match.
    let share = common::ciba_tokens(
        &gateway,
        &http,
        "demo-sp",
        MARIE,
        "openid mc_identity_signup",
        &[],
    )
    .await;
    refused(
        &kyc(
            &gateway,
            &http,
            share["access_token"].as_str(),
            asked.clone(),
        )
        .await,
        403,
        "PERMISSION_DENIED",
    );

    // Two-legged: an SP registered for client credentials and the match service, with
    // Marie's long-lived consent.
    register(
        &gateway,
        database_url,
        &json!({
            "client_id": "kyc-sp", "client_secret": sp_secret("kyc-sp"),
            "client_name": "KYC Bank",
            "grant_types": [CIBA, "client_credentials"], "scope": "openid mc_kyc_match",
            "token_policy": "long_lived", "token_ttl_seconds": 3600
        }),
    );
    common::ciba_tokens(&gateway, &http, "kyc-sp", MARIE, "openid mc_kyc_match", &[]).await;
    let (status, generic) = post_basic(
        &gateway,
        &http,
        "kyc-sp",
        "/token",
        &[
            ("grant_type", "client_credentials"),
            ("scope", "mc_kyc_match"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{generic}");
    let two = generic["access_token"].as_str().unwrap().to_owned();
    refused(
        &kyc(&gateway, &http, Some(&two), asked.clone()).await,
        422,
        "MISSING_IDENTIFIER",
    );
    let mut unknown = asked.clone();
    unknown["phoneNumber"] = json!("+447700900099");
    refused(
        &kyc(&gateway, &http, Some(&two), unknown).await,
        404,
        "IDENTIFIER_NOT_FOUND",
    );
    // Ana never consented to KYC Bank: nothing is matched.
    let mut ana = asked.clone();
    ana["phoneNumber"] = json!("+447700900003");
    refused(
        &kyc(&gateway, &http, Some(&two), ana).await,
        403,
        "PERMISSION_DENIED",
    );
    let mut marie = json!({"givenName": "marie", "postalCode": "75 005", "gender": "FEMALE"});
    marie["phoneNumber"] = json!("+447700900001");
    let (status, _, body) = kyc(&gateway, &http, Some(&two), marie).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        json!({"givenNameMatch": "true", "postalCodeMatch": "true", "genderMatch": "not_available"})
    );

    // Each match is audited as a resource access at this endpoint, naming what was matched.
    let (ok, audit) = common::admin(
        &data_dir,
        database_url,
        &["audit", "list", "--kind", "resource_access", "--json"],
    );
    assert!(ok, "{audit}");
    let matched: Vec<Value> = audit
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).unwrap()["detail"].clone())
        .filter(|d| d["endpoint"] == "kyc-match")
        .collect();
    assert_eq!(matched.len(), 3, "{audit}");
    assert!(!audit.contains("Curry"), "values are never in the trail");
    // And every refusal, the probe of a number that is nobody's included.
    let (ok, refusals) = common::admin(
        &data_dir,
        database_url,
        &["audit", "list", "--kind", "resource_refused", "--json"],
    );
    assert!(ok, "{refusals}");
    let at_kyc = refusals
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).unwrap()["detail"].clone())
        .filter(|d| d["endpoint"] == "/kyc-match/v1/match")
        .count();
    assert!(at_kyc >= 6, "{refusals}");
}

#[tokio::test]
async fn kyc_match_on_sqlite() {
    kyc_match(None).await;
}

#[tokio::test]
async fn kyc_match_on_postgres() {
    let url = fresh_postgres().await;
    kyc_match(Some(&url)).await;
}
