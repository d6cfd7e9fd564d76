//! DPoP for SPs' tokens (RFC 9449) against the real binary on SQLite and PostgreSQL, with
//! proofs made and thumbprints computed by `jsonwebtoken` (nobody here wrote it): an SP
//! that sends a proof with the server's nonce gets a token bound to its key (`token_type`
//! `DPoP`, introspection's `cnf.jkt`), PremiumInfo serves it only as `DPoP <token>` with a
//! fresh proof by that key for that request, and refuses a replayed proof, another key's,
//! one for another URL or token, and the token sent as a bearer token. A refresh binds the
//! new token to the key of its proof; a generic token can be bound too. `par-sp` (registered
//! with `dpop_bound_access_tokens`) is covered in `par.rs`.

// Test helpers may unwrap: a failure there is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::{DpopKey, Gateway, client, fresh_postgres, start, token_with_proof};
use serde_json::Value;

const CIBA: &str = "urn:openid:params:grant-type:ciba";
const MARIE: &str = "447700900001";

/// A PremiumInfo GET with `authorization` and, when given, a `DPoP` field: (status, the
/// challenge, body).
async fn premiuminfo(
    gateway: &Gateway,
    http: &reqwest::Client,
    authorization: &str,
    proof: Option<&str>,
) -> (u16, String, Value) {
    let mut request = http
        .get(format!("{}/premiuminfo", gateway.url))
        .header("authorization", authorization);
    if let Some(proof) = proof {
        request = request.header("DPoP", proof);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let challenge = response
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (
        status,
        challenge,
        response.json().await.unwrap_or(Value::Null),
    )
}

async fn dpop(database_url: Option<&str>) {
    let dir = tempfile::tempdir().unwrap();
    let gateway = start(&dir.path().join("gw"), database_url);
    let http = client(&gateway, false);
    let token_url = format!("{}/token", gateway.url);
    let premium_url = format!("{}/premiuminfo", gateway.url);
    let key = DpopKey::generate();

    // RFC 9449 §5.1: discovery names the algorithms.
    let discovery = common::discovery(&gateway, &http).await;
    assert_eq!(
        discovery["dpop_signing_alg_values_supported"],
        serde_json::json!(["ES256", "EdDSA"])
    );

    // Demo Shop's CIBA request, answered; the token request carries a proof.
    let ask = [
        ("scope", "openid mc_identity_signup"),
        ("login_hint", "MSISDN:+447700900001"),
    ];
    let (status, grant) =
        common::post_basic(&gateway, &http, "demo-sp", "/bc-authorize", &ask).await;
    assert_eq!(status, 200, "{grant}");
    let auth_req_id = grant["auth_req_id"].as_str().unwrap().to_owned();
    common::answer_latest(&gateway, &http, MARIE, "1").await;
    let poll = [("grant_type", CIBA), ("auth_req_id", auth_req_id.as_str())];
    // §8: the first proof lacks a nonce; the answer gives one.
    let (status, headers, body) = token_with_proof(
        &gateway,
        &http,
        "demo-sp",
        &poll,
        Some(&key.proof("POST", &token_url, None, None)),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("use_dpop_nonce"))
    );
    let nonce = headers["dpop-nonce"].to_str().unwrap().to_owned();
    // A proof for another URL, or made with a nonce nobody gave, is refused.
    for (htu, nonce) in [
        (format!("{}/introspect", gateway.url), nonce.as_str()),
        (
            token_url.clone(),
            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        ),
    ] {
        let proof = key.proof("POST", &htu, None, Some(nonce));
        let (status, _, body) =
            token_with_proof(&gateway, &http, "demo-sp", &poll, Some(&proof)).await;
        assert_eq!(status, 400, "{body}");
        assert!(
            ["invalid_dpop_proof", "use_dpop_nonce"].contains(&body["error"].as_str().unwrap()),
            "{body}"
        );
    }
    let mut tokens = Value::Null;
    for _ in 0..100 {
        let proof = key.proof("POST", &token_url, None, Some(&nonce));
        let (status, _, body) =
            token_with_proof(&gateway, &http, "demo-sp", &poll, Some(&proof)).await;
        if status == 200 {
            tokens = body;
            break;
        }
        assert_eq!(body["error"], "authorization_pending", "{body}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(tokens["token_type"], "DPoP", "{tokens}");
    let access = tokens["access_token"].as_str().unwrap().to_owned();
    // A proof is good once: the same one again is refused.
    let once = key.proof("POST", &token_url, None, Some(&nonce));
    let (status, _, _) = token_with_proof(&gateway, &http, "demo-sp", &poll, Some(&once)).await;
    assert_ne!(status, 200);
    let (status, _, body) = token_with_proof(&gateway, &http, "demo-sp", &poll, Some(&once)).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_dpop_proof"))
    );

    // §6.2: introspection says the token is bound, to this key.
    let introspected: Value = http
        .post(format!("{}/introspect", gateway.url))
        .basic_auth("demo-sp", Some("demo-sp-secret"))
        .form(&[("token", access.as_str())])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(introspected["token_type"], "DPoP");
    assert_eq!(introspected["cnf"]["jkt"], key.thumbprint().as_str());

    // §7.1: PremiumInfo with `DPoP <token>` and a proof for this request.
    let dpop_auth = format!("DPoP {access}");
    let good = key.proof("GET", &premium_url, Some(&access), None);
    let (status, _, shared) = premiuminfo(&gateway, &http, &dpop_auth, Some(&good)).await;
    assert_eq!(status, 200, "{shared}");
    assert!(shared["sub"].is_string());
    // The refusals, each 401 with the DPoP challenge.
    let other = DpopKey::generate();
    for (what, authorization, proof) in [
        ("replayed", dpop_auth.clone(), Some(good.clone())),
        ("as a bearer token", format!("Bearer {access}"), None),
        ("no proof", dpop_auth.clone(), None),
        (
            "another key",
            dpop_auth.clone(),
            Some(other.proof("GET", &premium_url, Some(&access), None)),
        ),
        (
            "another URL",
            dpop_auth.clone(),
            Some(key.proof(
                "GET",
                &format!("{}/userinfo", gateway.url),
                Some(&access),
                None,
            )),
        ),
        (
            "another method",
            dpop_auth.clone(),
            Some(key.proof("POST", &premium_url, Some(&access), None)),
        ),
        (
            "another token",
            dpop_auth.clone(),
            Some(key.proof("GET", &premium_url, Some("not-this-token"), None)),
        ),
    ] {
        let (status, challenge, body) =
            premiuminfo(&gateway, &http, &authorization, proof.as_deref()).await;
        assert_eq!(status, 401, "{what}: {body}");
        assert_eq!(body["error"], "invalid_dpop_proof", "{what}: {body}");
        assert!(challenge.starts_with("DPoP "), "{what}: {challenge}");
    }

    // A bearer token sent as DPoP is refused too.
    let (status, bearer) = common::post_basic(
        &gateway,
        &http,
        "atp-sp",
        "/token",
        &[("grant_type", "client_credentials"), ("scope", "mc_atp")],
    )
    .await;
    assert_eq!(
        (status, bearer["token_type"].as_str()),
        (200, Some("Bearer"))
    );
    let bearer = bearer["access_token"].as_str().unwrap();
    let proof = key.proof("GET", &premium_url, Some(bearer), None);
    let (status, _, body) =
        premiuminfo(&gateway, &http, &format!("DPoP {bearer}"), Some(&proof)).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_dpop_proof"))
    );

    // A generic token bound to a key by its proof.
    let generic_form = [("grant_type", "client_credentials"), ("scope", "mc_atp")];
    let proof = key.proof("POST", &token_url, None, Some(&nonce));
    let (status, _, generic) =
        token_with_proof(&gateway, &http, "atp-sp", &generic_form, Some(&proof)).await;
    assert_eq!(
        (status, generic["token_type"].as_str()),
        (200, Some("DPoP")),
        "{generic}"
    );

    // A refresh with a proof by a new key: the new access token is bound to it.
    let refreshed_key = DpopKey::generate();
    let refresh = [
        ("grant_type", "refresh_token"),
        ("refresh_token", tokens["refresh_token"].as_str().unwrap()),
    ];
    let proof = refreshed_key.proof("POST", &token_url, None, Some(&nonce));
    let (status, _, renewed) =
        token_with_proof(&gateway, &http, "demo-sp", &refresh, Some(&proof)).await;
    assert_eq!(
        (status, renewed["token_type"].as_str()),
        (200, Some("DPoP")),
        "{renewed}"
    );
    let renewed_access = renewed["access_token"].as_str().unwrap();
    let (status, _, _) = premiuminfo(
        &gateway,
        &http,
        &format!("DPoP {renewed_access}"),
        Some(&refreshed_key.proof("GET", &premium_url, Some(renewed_access), None)),
    )
    .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn dpop_bound_sp_tokens_on_sqlite() {
    dpop(None).await;
}

#[tokio::test]
async fn dpop_bound_sp_tokens_on_postgres() {
    let url = fresh_postgres().await;
    dpop(Some(&url)).await;
}
