//! Introspection answered as a signed JWT (RFC 9701) when the caller asks for
//! `application/token-introspection+jwt`, checked by an implementation nobody here wrote
//! (Python jwcrypto, `tests/oracles/jws_jwcrypto.py`) against the gateway's published keys.

// Test helpers may unwrap: a failure there is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::{Gateway, client, start, verified_by_jwcrypto};
use serde_json::{Value, json};

const JWT_TYPE: &str = "application/token-introspection+jwt";

async fn introspect(
    http: &reqwest::Client,
    gateway: &Gateway,
    auth: (&str, &str),
    token: &str,
    accept: Option<&str>,
) -> reqwest::Response {
    let mut request = http
        .post(format!("{}/introspect", gateway.url))
        .basic_auth(auth.0, Some(auth.1))
        .form(&[("token", token)]);
    if let Some(accept) = accept {
        request = request.header("accept", accept);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn introspection_as_a_jwt_is_signed_for_the_caller_and_verifies_with_jwcrypto() {
    let dir = tempfile::tempdir().unwrap();
    let gateway = start(&dir.path().join("gw"), None);
    let http = client(&gateway, false);
    let discovery = common::discovery(&gateway, &http).await;
    // RFC 9701 §7: what the server signs introspection responses with; nothing encrypted.
    assert_eq!(
        discovery["introspection_signing_alg_values_supported"],
        json!(["ES256"])
    );
    let issuer = discovery["issuer"].as_str().unwrap().to_owned();
    let jwks: Value = http
        .get(discovery["jwks_uri"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();

    let atp = ("atp-sp", "atp-sp-secret");
    let token: Value = http
        .post(format!("{}/token", gateway.url))
        .basic_auth(atp.0, Some(atp.1))
        .form(&[("grant_type", "client_credentials"), ("scope", "mc_atp")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = token["access_token"].as_str().unwrap().to_owned();

    // RFC 9701 §4, §5: asked for, the answer is a JWT of its own media type, not cached.
    let response = introspect(&http, &gateway, atp, &token, Some(JWT_TYPE)).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], JWT_TYPE);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let jwt = response.text().await.unwrap();
    let verified = verified_by_jwcrypto(&jwks, &jwt).unwrap();
    let (header, claims) = (&verified["header"], &verified["claims"]);
    assert_eq!(header["typ"], "token-introspection+jwt");
    assert_eq!(header["alg"], "ES256");
    assert_eq!(header["kid"], jwks["keys"][0]["kid"]);
    assert_eq!(claims["iss"], issuer.as_str());
    assert_eq!(claims["aud"], "atp-sp", "the caller is the audience");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert!(
        (claims["iat"].as_i64().unwrap() - now).abs() <= 60,
        "{claims}"
    );
    // §5: no `sub` or `exp` at the top, so the answer cannot pass for an access token.
    assert!(
        claims.get("sub").is_none() && claims.get("exp").is_none(),
        "{claims}"
    );
    let inner = &claims["token_introspection"];
    assert_eq!(inner["active"], true, "{claims}");
    assert_eq!(inner["client_id"], "atp-sp");
    assert_eq!(inner["scope"], "mc_atp");
    assert_eq!(
        inner["exp"].as_i64().unwrap() - inner["iat"].as_i64().unwrap(),
        300
    );

    // The same answer in JSON when JSON is asked for, or nothing in particular.
    for accept in [None, Some("application/json")] {
        let response = introspect(&http, &gateway, atp, &token, accept).await;
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/json")
        );
        let body: Value = response.json().await.unwrap();
        assert_eq!(&body, inner);
    }
    // A media range that lists it beside JSON gets the JWT; one that refuses it (q=0) not.
    let response = introspect(
        &http,
        &gateway,
        atp,
        &token,
        Some("application/json;q=0.5, Application/Token-Introspection+JWT"),
    )
    .await;
    assert_eq!(response.headers()["content-type"], JWT_TYPE);
    let response = introspect(
        &http,
        &gateway,
        atp,
        &token,
        Some("application/token-introspection+jwt;q=0, application/json"),
    )
    .await;
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );

    // Another SP's token (or none) is inactive, signed for that caller all the same.
    let demo = ("demo-sp", "demo-sp-secret");
    for (caller, token) in [(demo, token.as_str()), (atp, "not-a-token")] {
        let response = introspect(&http, &gateway, caller, token, Some(JWT_TYPE)).await;
        assert_eq!(response.status(), 200);
        let jwt = response.text().await.unwrap();
        let claims = verified_by_jwcrypto(&jwks, &jwt).unwrap()["claims"].clone();
        assert_eq!(claims["aud"], caller.0);
        assert_eq!(claims["token_introspection"], json!({"active": false}));
    }

    // The oracle is not a rubber stamp: one changed byte of the payload fails it.
    let mut parts: Vec<String> = jwt.split('.').map(str::to_owned).collect();
    let flipped = if parts[1].ends_with('A') { 'B' } else { 'A' };
    parts[1].pop();
    parts[1].push(flipped);
    assert!(verified_by_jwcrypto(&jwks, &parts.join(".")).is_err());

    // A failed client authentication is still the JSON error of RFC 6749 §5.2.
    let response = introspect(&http, &gateway, ("atp-sp", "wrong"), &token, Some(JWT_TYPE)).await;
    assert_eq!(response.status(), 401);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "invalid_client");
}
