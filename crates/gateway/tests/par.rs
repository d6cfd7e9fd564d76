//! Pushed authorization requests (RFC 9126) against the real binary on SQLite and
//! PostgreSQL: `par-sp` (registered with `require_pushed_authorization_requests`) pushes its
//! request, the browser carries only `client_id` and the `request_uri`, and the flow ends in
//! tokens; the refusals: a request_uri used twice or by another client, the same SP without
//! PAR, a pushed request the gateway would not accept at `/authorize`, an unauthenticated
//! push.

// Test helpers may unwrap: a failure there is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use crate::code_flow::{REDIRECT, VERIFIER, browser, challenge, query_of};
use common::{Gateway, answer_latest, client, fresh_postgres, start};
use serde_json::Value;

const MARIE: &str = "447700900001";

/// The parameters of par-sp's request for Marie, with `overrides` (an empty value drops one).
fn request(overrides: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
    let mut params: Vec<(&'static str, String)> = vec![
        ("response_type", "code".into()),
        ("redirect_uri", REDIRECT.into()),
        ("scope", "openid mc_vm_share".into()),
        ("state", "st-par".into()),
        ("nonce", "n-par".into()),
        ("code_challenge", challenge(VERIFIER)),
        ("code_challenge_method", "S256".into()),
        ("login_hint", format!("MSISDN:{MARIE}")),
    ];
    for (name, value) in overrides {
        params.retain(|(n, _)| n != name);
        if !value.is_empty() {
            params.push((name, (*value).to_owned()));
        }
    }
    params
}

async fn push(
    gateway: &Gateway,
    http: &reqwest::Client,
    sp: &str,
    params: &[(&'static str, String)],
) -> (u16, reqwest::header::HeaderMap, Value) {
    let form: Vec<(&str, &str)> = params.iter().map(|(n, v)| (*n, v.as_str())).collect();
    let response = http
        .post(format!("{}/par", gateway.url))
        .basic_auth(sp, Some(format!("{sp}-secret")))
        .form(&form)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.json().await.unwrap())
}

fn authorize_url(gateway: &Gateway, query: &[(&str, &str)]) -> String {
    let query = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(query)
        .finish();
    format!("{}/authorize?{query}", gateway.url)
}

async fn pushed_authorization(database_url: Option<&str>) {
    let dir = tempfile::tempdir().unwrap();
    let gateway = start(&dir.path().join("gw"), database_url);
    let http = client(&gateway, false);
    let browser = browser(&gateway);

    let discovery = common::discovery(&gateway, &http).await;
    assert_eq!(
        discovery["pushed_authorization_request_endpoint"],
        format!("{}/par", gateway.url)
    );

    // §2.2: 201, a request_uri of the registered form, a short life, not cached.
    let (status, headers, pushed) = push(&gateway, &http, "par-sp", &request(&[])).await;
    assert_eq!(status, 201, "{pushed}");
    assert_eq!(headers["cache-control"], "no-store");
    let request_uri = pushed["request_uri"].as_str().unwrap().to_owned();
    assert!(
        request_uri.starts_with("urn:ietf:params:oauth:request_uri:") && request_uri.len() > 60,
        "{request_uri}"
    );
    assert_eq!(pushed["expires_in"], 60);

    // Another client cannot use it (and it stays for its own).
    let response = browser
        .get(authorize_url(
            &gateway,
            &[("client_id", "demo-sp"), ("request_uri", &request_uri)],
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);

    // §4: the browser carries client_id and request_uri, and no number: the flow starts.
    let url = authorize_url(
        &gateway,
        &[("client_id", "par-sp"), ("request_uri", &request_uri)],
    );
    assert!(!url.contains(MARIE));
    let response = browser.get(&url).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let page = response.text().await.unwrap();
    assert!(page.contains("Check your phone"), "{page}");
    let session: String = page[page.find("session=").unwrap() + "session=".len()..]
        .chars()
        .take_while(|c| *c != '"')
        .collect();
    // Once: the same request_uri again is refused.
    let again = browser.get(&url).send().await.unwrap();
    assert_eq!(again.status(), 400);

    answer_latest(&gateway, &http, MARIE, "1").await;
    let wait = format!("{}/authorize/wait?session={session}", gateway.url);
    let response = browser.get(&wait).send().await.unwrap();
    assert_eq!(response.status(), 303);
    let back = response.headers()["location"].to_str().unwrap().to_owned();
    let params = query_of(&back);
    assert!(back.starts_with(REDIRECT), "{back}");
    assert_eq!(params["state"], "st-par");
    // par-sp's tokens are DPoP-bound (RFC 9449 §5.2): without a proof, or with one that
    // lacks the server's nonce, nothing is issued and the code stays good.
    let redeem = [
        ("grant_type", "authorization_code"),
        ("code", params["code"].as_str()),
        ("redirect_uri", REDIRECT),
        ("code_verifier", VERIFIER),
    ];
    let key = common::DpopKey::generate();
    let token_url = format!("{}/token", gateway.url);
    let (status, headers, body) =
        common::token_with_proof(&gateway, &http, "par-sp", &redeem, None).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_dpop_proof"))
    );
    let nonce = headers["dpop-nonce"].to_str().unwrap().to_owned();
    let unnonced = key.proof("POST", &token_url, None, None);
    let (status, headers, body) =
        common::token_with_proof(&gateway, &http, "par-sp", &redeem, Some(&unnonced)).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("use_dpop_nonce"))
    );
    assert!(
        headers.contains_key("dpop-nonce"),
        "RFC 9449 §8: the nonce comes with it"
    );
    let proof = key.proof("POST", &token_url, None, Some(&nonce));
    let (status, _, tokens) =
        common::token_with_proof(&gateway, &http, "par-sp", &redeem, Some(&proof)).await;
    assert_eq!(status, 200, "{tokens}");
    assert_eq!(tokens["token_type"], "DPoP");
    assert!(tokens["id_token"].is_string() && tokens["grant_id"].is_string());

    // §6: par-sp without PAR is refused back to its redirect URI, and nobody is prompted.
    let before = common::handset(&gateway, &http, MARIE).await.len();
    let plain: Vec<(&str, String)> = [("client_id", "par-sp".to_owned())]
        .into_iter()
        .chain(request(&[]))
        .collect();
    let plain: Vec<(&str, &str)> = plain.iter().map(|(n, v)| (*n, v.as_str())).collect();
    let response = browser
        .get(authorize_url(&gateway, &plain))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let back = query_of(response.headers()["location"].to_str().unwrap());
    assert_eq!(back["error"], "invalid_request");
    assert_eq!(common::handset(&gateway, &http, MARIE).await.len(), before);
    // An SP without the requirement may push too.
    let (status, _, _) = push(&gateway, &http, "demo-sp", &request(&[])).await;
    assert_eq!(status, 201);

    // §2.3: a request /authorize would refuse is refused here, as JSON, and nothing is kept.
    for (overrides, error) in [
        (
            vec![("redirect_uri", "https://evil.example/cb")],
            "invalid_request",
        ),
        (vec![("state", "")], "invalid_request"),
        (vec![("code_challenge", "")], "invalid_request"),
        (vec![("scope", "openid mc_atp")], "invalid_scope"),
        (
            vec![("response_type", "token")],
            "unsupported_response_type",
        ),
        (
            vec![("request_uri", "urn:ietf:params:oauth:request_uri:x")],
            "invalid_request",
        ),
        (vec![("client_id", "demo-sp")], "invalid_request"),
        (
            vec![("grant_management_action", "merge")],
            "invalid_request",
        ),
    ] {
        let (status, _, body) = push(&gateway, &http, "par-sp", &request(&overrides)).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some(error)),
            "{overrides:?}: {body}"
        );
    }
    // Only an authenticated client pushes.
    let response = http
        .post(format!("{}/par", gateway.url))
        .form(&[("client_id", "par-sp"), ("response_type", "code")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    let response = http
        .post(format!("{}/par", gateway.url))
        .basic_auth("par-sp", Some("wrong-secret"))
        .form(&[("response_type", "code")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
}

#[tokio::test]
async fn sqlite_a_pushed_request_is_the_whole_request_once() {
    pushed_authorization(None).await;
}

#[tokio::test]
async fn postgres_a_pushed_request_is_the_whole_request_once() {
    let url = fresh_postgres().await;
    pushed_authorization(Some(&url)).await;
}
