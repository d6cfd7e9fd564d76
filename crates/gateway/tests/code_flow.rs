//! Device-Initiated Mobile Connect: authorization code with PKCE S256, the browser waiting
//! while the user answers on the handset; discovery, JWKS and the ID token verified by a stock
//! client library (the `openidconnect` crate). Over TLS against SQLite and PostgreSQL.

// Test helpers may unwrap: a failure there is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use base64::Engine;
use common::{Gateway, admin, client, fresh_postgres, start};
use openidconnect::core::{
    CoreIdToken, CoreIdTokenVerifier, CoreJsonWebKeySet, CoreProviderMetadata,
};
use openidconnect::{ClientId, ClientSecret, IssuerUrl, Nonce};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::str::FromStr;

pub const REDIRECT: &str = "http://127.0.0.1:9/callback";
pub const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"; // RFC 7636 Appendix B

pub fn challenge(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// A browser that does not follow redirects (we read them), trusting the gateway's CA.
pub fn browser(gateway: &Gateway) -> reqwest::Client {
    let ca = std::fs::read(gateway.data_dir.join("ca.pem")).unwrap();
    reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(&ca).unwrap()])
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

pub fn authorize_url(gateway: &Gateway, client_id: &str, overrides: &[(&str, &str)]) -> String {
    let challenge = challenge(VERIFIER);
    let mut params: Vec<(&str, &str)> = vec![
        ("response_type", "code"),
        ("client_id", client_id),
        ("redirect_uri", REDIRECT),
        ("scope", "openid mc_vm_share"),
        ("state", "st-1"),
        ("nonce", "n-123"),
        ("code_challenge", &challenge),
        ("code_challenge_method", "S256"),
        ("login_hint", "MSISDN:447700900001"),
    ];
    for (name, value) in overrides {
        params.retain(|(n, _)| n != name);
        if !value.is_empty() {
            params.push((name, value));
        }
    }
    let query = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params)
        .finish();
    format!("{}/authorize?{query}", gateway.url)
}

pub fn location(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().unwrap().to_owned()
}

pub fn query_of(url: &str) -> std::collections::HashMap<String, String> {
    let query = url.split_once('?').map(|(_, q)| q).unwrap_or("");
    form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect()
}

/// Starts a flow and returns the waiting page's session.
async fn begin(gateway: &Gateway, browser: &reqwest::Client, client_id: &str) -> String {
    let response = browser
        .get(authorize_url(gateway, client_id, &[]))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let page = response.text().await.unwrap();
    assert!(page.contains("Check your phone"), "{page}");
    let start = page.find("session=").unwrap() + "session=".len();
    page[start..].chars().take_while(|c| *c != '"').collect()
}

async fn answer_last_prompt(gateway: &Gateway, http: &reqwest::Client, text: &str) {
    let messages: Vec<Value> = http
        .get(format!(
            "{}/sim/handsets/447700900001/messages",
            gateway.url
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = messages.last().unwrap()["id"].as_str().unwrap().to_owned();
    let body = serde_json::json!({"message_id": id, "text": text});
    let url = format!("{}/sim/handsets/447700900001/reply", gateway.url);
    assert_eq!(
        http.post(url).json(&body).send().await.unwrap().status(),
        200
    );
}

pub async fn token(
    http: &reqwest::Client,
    gateway: &Gateway,
    code: &str,
    verifier: &str,
) -> (u16, Value) {
    let response = http
        .post(format!("{}/token", gateway.url))
        .basic_auth("demo-sp", Some("demo-sp-secret"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", verifier),
        ])
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

async fn code_flow(database_url: Option<&str>) {
    let dir = tempfile::tempdir().unwrap();
    let gateway = start(&dir.path().join("gw"), database_url);
    let http = client(&gateway, false);
    let browser = browser(&gateway);

    // The browser waits while the handset has the prompt.
    let session = begin(&gateway, &browser, "demo-sp").await;
    let wait = format!("{}/authorize/wait?session={session}", gateway.url);
    assert_eq!(
        browser.get(&wait).send().await.unwrap().status(),
        200,
        "still waiting"
    );
    answer_last_prompt(&gateway, &http, "1").await;
    let response = browser.get(&wait).send().await.unwrap();
    assert_eq!(response.status(), 303);
    let back = location(&response);
    assert!(back.starts_with(&format!("{REDIRECT}?")), "{back}");
    let params = query_of(&back);
    assert_eq!(params["state"], "st-1");
    let code = params["code"].clone();
    assert_eq!(
        browser.get(&wait).send().await.unwrap().status(),
        404,
        "the session is over"
    );

    // PKCE: a wrong verifier fails; the right one gets the tokens.
    let (status, body) = token(&http, &gateway, &code, "x".repeat(43).as_str()).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    let (status, tokens) = token(&http, &gateway, &code, VERIFIER).await;
    assert_eq!(status, 200, "{tokens}");
    let access_token = tokens["access_token"].as_str().unwrap().to_owned();

    // Discovery, JWKS and the ID token, as a stock OIDC client library sees them.
    let metadata: CoreProviderMetadata = http
        .get(format!("{}/.well-known/openid-configuration", gateway.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(metadata.issuer().as_str(), gateway.url);
    let jwks: CoreJsonWebKeySet = http
        .get(metadata.jwks_uri().as_str())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let verifier = CoreIdTokenVerifier::new_confidential_client(
        ClientId::new("demo-sp".into()),
        ClientSecret::new("demo-sp-secret".into()),
        IssuerUrl::new(gateway.url.clone()).unwrap(),
        jwks,
    )
    // As a client does: accept the algorithms discovery announces (ES256 here).
    .set_allowed_algs(metadata.id_token_signing_alg_values_supported().clone());
    let id_token = CoreIdToken::from_str(tokens["id_token"].as_str().unwrap()).unwrap();
    let nonce = Nonce::new("n-123".into());
    let claims = id_token.claims(&verifier, &nonce).unwrap();
    assert!(claims.subject().as_str().len() >= 43);
    let wrong = Nonce::new("other".into());
    assert!(id_token.claims(&verifier, &wrong).is_err());

    // Replaying the code fails and revokes the token it bought.
    let (status, body) = token(&http, &gateway, &code, VERIFIER).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    let introspection: Value = http
        .post(format!("{}/introspect", gateway.url))
        .basic_auth("demo-sp", Some("demo-sp-secret"))
        .form(&[("token", access_token.as_str())])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(introspection["active"], false);

    // The user says no: back to the SP with access_denied.
    let session = begin(&gateway, &browser, "demo-sp").await;
    answer_last_prompt(&gateway, &http, "2").await;
    let response = browser
        .get(format!("{}/authorize/wait?session={session}", gateway.url))
        .send()
        .await
        .unwrap();
    let params = query_of(&location(&response));
    assert_eq!(
        (params["error"].as_str(), params["state"].as_str()),
        ("access_denied", "st-1")
    );

    // Refusals: an unregistered redirect URI gets a page, never a redirect; others go back.
    let response = browser
        .get(authorize_url(
            &gateway,
            "demo-sp",
            &[("redirect_uri", "https://evil.example/cb")],
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert!(response.headers().get("location").is_none());
    /// (client, parameters changed, error expected back at the SP)
    type Refusal = (
        &'static str,
        &'static [(&'static str, &'static str)],
        &'static str,
    );
    let cases: [Refusal; 7] = [
        (
            "demo-sp",
            &[("code_challenge_method", "plain")],
            "invalid_request",
        ),
        ("demo-sp", &[("code_challenge", "")], "invalid_request"),
        ("demo-sp", &[("scope", "mc_vm_share")], "invalid_scope"),
        // Mobile Connect requires a nonce with openid.
        ("demo-sp", &[("nonce", "")], "invalid_request"),
        (
            "demo-sp",
            &[("request", "eyJhbGciOiJub25lIn0.e30.")],
            "request_not_supported",
        ),
        (
            "demo-sp",
            &[("request_uri", "https://sp.example/request.jwt")],
            "request_uri_not_supported",
        ),
        ("blocked-sp", &[], "unauthorized_client"),
    ];
    for (client_id, overrides, expected) in cases {
        let response = browser
            .get(authorize_url(&gateway, client_id, overrides))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 303, "{overrides:?}");
        assert_eq!(response.headers()["cache-control"], "no-store");
        let params = query_of(&location(&response));
        assert_eq!(params["error"], expected, "{overrides:?}");
        assert_eq!(params["state"], "st-1");
        // RFC 9207: the response names its issuer.
        assert_eq!(params["iss"], gateway.url);
    }

    // A subscriber, a minor and a number that is nobody's get the same answer: the waiting
    // page (the refused ones end later as access_denied, as a request nobody answered).
    for number in ["447700900001", "447700900002", "447700900099"] {
        let response = browser
            .get(authorize_url(
                &gateway,
                "demo-sp",
                &[("login_hint", &format!("MSISDN:{number}"))],
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{number}");
        // Never framed, cached, sniffed or leaked by referrer; HTTPS only.
        let headers = response.headers();
        assert_eq!(headers["x-frame-options"], "DENY");
        assert!(
            headers["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("frame-ancestors 'none'")
        );
        assert_eq!(headers["referrer-policy"], "no-referrer");
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert!(headers.contains_key("strict-transport-security"));
        assert_eq!(headers["cache-control"], "no-store");
        let page = response.text().await.unwrap();
        assert!(page.contains("Check your phone"), "{number}: {page}");
        let start = page.find("session=").unwrap() + "session=".len();
        let session: String = page[start..].chars().take_while(|c| *c != '"').collect();
        let again = browser
            .get(format!("{}/authorize/wait?session={session}", gateway.url))
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 200, "{number}: still waiting");
    }

    drop(gateway);
    let (ok, out) = admin(&dir.path().join("gw"), database_url, &["audit", "verify"]);
    assert!(ok, "{out}");
}

#[tokio::test]
async fn sqlite_authorization_code_with_pkce() {
    code_flow(None).await;
}

#[tokio::test]
async fn postgres_authorization_code_with_pkce() {
    let url = fresh_postgres().await;
    code_flow(Some(&url)).await;
}

/// MC_ATTR_08 with the operator's policy set to capture consent on the Consumption Device:
/// the handset only asks "is this you?", and the browser page shows what is shared with
/// Allow / Deny; the consent is recorded with the page's exact text and `browser`.
async fn consent_on_the_browser_page(database_url: Option<&str>) {
    let dir = tempfile::tempdir().unwrap();
    let catalog = dir.path().join("catalog.json");
    let mut defaults: Value =
        serde_json::from_str(assent_gateway::rules::catalog::DEFAULT_JSON).unwrap();
    for service in defaults["services"].as_array_mut().unwrap() {
        if service["scope"] == "mc_identity_signup" {
            service["consent"] = serde_json::json!("consumption_device");
        }
    }
    std::fs::write(&catalog, defaults.to_string()).unwrap();
    let gateway = common::start_with(
        &dir.path().join("gw"),
        database_url,
        None,
        &["--catalog", catalog.to_str().unwrap()],
    );
    let http = client(&gateway, false);
    let browser = browser(&gateway);
    let scope = [("scope", "openid mc_identity_signup")];

    let mut sessions = Vec::new();
    for _ in 0..2 {
        let response = browser
            .get(authorize_url(&gateway, "demo-sp", &scope))
            .send()
            .await
            .unwrap();
        let page = response.text().await.unwrap();
        let start = page.find("session=").unwrap() + "session=".len();
        sessions.push(
            page[start..]
                .chars()
                .take_while(|c| *c != '"')
                .collect::<String>(),
        );
        // The handset only authenticates.
        let messages: Vec<Value> = http
            .get(format!(
                "{}/sim/handsets/447700900001/messages",
                gateway.url
            ))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let prompt = messages.last().unwrap()["text"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(prompt.contains("asks to sign you in"), "{prompt}");
        assert!(
            !prompt.contains("Marie"),
            "no data on the handset: {prompt}"
        );
        answer_last_prompt(&gateway, &http, "1").await;
    }

    for (session, decision) in sessions.iter().zip(["allow", "deny"]) {
        let wait = format!("{}/authorize/wait?session={session}", gateway.url);
        let page = browser
            .get(&wait)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("Allow") && page.contains("Deny"), "{page}");
        assert!(
            page.contains("Marie") && page.contains("Curie"),
            "the data shown: {page}"
        );
        let response = browser
            .post(format!("{}/authorize/consent", gateway.url))
            .form(&[("session", session.as_str()), ("decision", decision)])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 303);
        let response = browser.get(&wait).send().await.unwrap();
        assert_eq!(response.status(), 303);
        let params = query_of(&location(&response));
        if decision == "allow" {
            let (status, tokens) = token(&http, &gateway, &params["code"], VERIFIER).await;
            assert_eq!(status, 200, "{tokens}");
        } else {
            assert_eq!(params["error"], "access_denied");
        }
        // A second answer is refused.
        let again = browser
            .post(format!("{}/authorize/consent", gateway.url))
            .form(&[("session", session.as_str()), ("decision", "allow")])
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 409);
    }

    // The trail holds the sign-in answer on the handset and the consent on the browser.
    let store = assent_gateway::store::Store::open(database_url, &gateway.data_dir)
        .await
        .unwrap();
    let entries = store.audit_page(0, 1000).await.unwrap();
    let consent = entries
        .iter()
        .find(|e| e.content.kind == assent_audit::EntryKind::Consent)
        .unwrap();
    assert_eq!(consent.content.authenticator.as_deref(), Some("browser"));
    assert!(
        consent.content.detail.contains("Marie"),
        "{}",
        consent.content.detail
    );
    assert!(
        entries
            .iter()
            .any(|e| e.content.kind == assent_audit::EntryKind::Answer
                && e.content.authenticator.as_deref() == Some("ussd")
                && e.content.detail.contains("sign_in"))
    );
    let (ok, out) = admin(&gateway.data_dir, database_url, &["audit", "verify"]);
    assert!(ok, "{out}");
}

#[tokio::test]
async fn sqlite_consent_on_the_browser_page() {
    consent_on_the_browser_page(None).await;
}

#[tokio::test]
async fn postgres_consent_on_the_browser_page() {
    consent_on_the_browser_page(Some(&fresh_postgres().await)).await;
}
