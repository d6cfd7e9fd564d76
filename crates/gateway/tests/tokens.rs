//! The token endpoint with client credentials (seed 003, RFC 6749 §4.4), introspection
//! (RFC 7662) and revocation (RFC 7009), over TLS against SQLite and PostgreSQL.

// Test helpers may unwrap: a failure there is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::{Gateway, admin, client, fresh_postgres, start};
use serde_json::Value;

struct Sp<'a> {
    gateway: &'a Gateway,
    http: reqwest::Client,
}

impl Sp<'_> {
    async fn post(
        &self,
        path: &str,
        auth: Option<(&str, &str)>,
        form: &[(&str, &str)],
    ) -> (u16, reqwest::header::HeaderMap, Value) {
        let mut request = self
            .http
            .post(format!("{}{path}", self.gateway.url))
            .form(form);
        if let Some((id, secret)) = auth {
            request = request.basic_auth(id, Some(secret));
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        (status, headers, response.json().await.unwrap())
    }
}

const ATP: Option<(&str, &str)> = Some(("atp-sp", "atp-sp-secret"));

async fn client_credentials_tokens(database_url: Option<&str>) {
    let dir = tempfile::tempdir().unwrap();
    let gateway = start(&dir.path().join("gw"), database_url);
    let sp = Sp {
        gateway: &gateway,
        http: client(&gateway, false),
    };

    // Seed 003 §2.1/2.2: a generic token for mc_atp, not cached.
    let (status, headers, body) = sp
        .post(
            "/token",
            ATP,
            &[("grant_type", "client_credentials"), ("scope", "mc_atp")],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 300);
    assert_eq!(body["scope"], "mc_atp");
    assert!(
        body.get("refresh_token").is_none(),
        "generic tokens are not refreshed"
    );
    assert_eq!(headers["cache-control"], "no-store");
    assert_eq!(headers["pragma"], "no-cache");
    let token = body["access_token"].as_str().unwrap().to_owned();
    assert!(token.len() >= 43, "256 bits: {token}");

    // client_secret_post works the same.
    let (status, _, _) = sp
        .post(
            "/token",
            None,
            &[
                ("grant_type", "client_credentials"),
                ("client_id", "atp-sp"),
                ("client_secret", "atp-sp-secret"),
            ],
        )
        .await;
    assert_eq!(status, 200);

    // Refusals, each with its RFC 6749 §5.2 code.
    /// (credentials, form, expected status, expected error code)
    type Refusal = (
        Option<(&'static str, &'static str)>,
        Vec<(&'static str, &'static str)>,
        u16,
        &'static str,
    );
    let cases: Vec<Refusal> = vec![
        (
            ATP,
            vec![
                ("grant_type", "client_credentials"),
                ("scope", "openid mc_atp"),
            ],
            400,
            "invalid_scope",
        ),
        (
            ATP,
            vec![
                ("grant_type", "client_credentials"),
                ("scope", "mc_vm_share"),
            ],
            400,
            "invalid_scope",
        ),
        (
            ATP,
            vec![("grant_type", "password")],
            400,
            "unsupported_grant_type",
        ),
        (ATP, vec![("scope", "mc_atp")], 400, "invalid_request"),
        (
            ATP,
            vec![
                ("grant_type", "client_credentials"),
                ("client_secret", "atp-sp-secret"),
            ],
            400,
            "invalid_request",
        ),
        (
            Some(("atp-sp", "wrong")),
            vec![("grant_type", "client_credentials")],
            401,
            "invalid_client",
        ),
        (
            Some(("nobody", "x")),
            vec![("grant_type", "client_credentials")],
            401,
            "invalid_client",
        ),
        (
            None,
            vec![("grant_type", "client_credentials")],
            401,
            "invalid_client",
        ),
        (
            Some(("demo-sp", "demo-sp-secret")),
            vec![("grant_type", "client_credentials")],
            400,
            "unauthorized_client",
        ),
        (
            Some(("blocked-sp", "blocked-sp-secret")),
            vec![("grant_type", "client_credentials")],
            400,
            "unauthorized_client",
        ),
    ];
    for (auth, form, status, code) in cases {
        let (got, headers, body) = sp.post("/token", auth, &form).await;
        assert_eq!(
            (got, body["error"].as_str()),
            (status, Some(code)),
            "{form:?}: {body}"
        );
        assert!(body["error_description"].is_string());
        if code == "invalid_client" && auth.is_some() {
            assert_eq!(headers["www-authenticate"], "Basic realm=\"assent\"");
        }
    }
    // A JSON body is not a token request.
    let response = sp
        .http
        .post(format!("{}/token", gateway.url))
        .basic_auth("atp-sp", Some("atp-sp-secret"))
        .json(&serde_json::json!({"grant_type": "client_credentials"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);

    // Introspection: the SP sees its own token; another SP sees nothing.
    let (status, _, body) = sp.post("/introspect", ATP, &[("token", &token)]).await;
    assert_eq!(status, 200);
    assert_eq!(body["active"], true);
    assert_eq!(body["client_id"], "atp-sp");
    assert_eq!(body["scope"], "mc_atp");
    assert_eq!(
        body["exp"].as_i64().unwrap() - body["iat"].as_i64().unwrap(),
        300
    );
    let demo = Some(("demo-sp", "demo-sp-secret"));
    let (_, _, body) = sp.post("/introspect", demo, &[("token", &token)]).await;
    assert_eq!(body, serde_json::json!({"active": false}));
    let (_, _, body) = sp
        .post("/introspect", ATP, &[("token", "not-a-token")])
        .await;
    assert_eq!(body, serde_json::json!({"active": false}));

    // Revocation: another SP cannot revoke it (but gets 200, RFC 7009 §2.2); its own SP can.
    let (status, _, _) = sp.post("/revoke", demo, &[("token", &token)]).await;
    assert_eq!(status, 200);
    let (_, _, body) = sp.post("/introspect", ATP, &[("token", &token)]).await;
    assert_eq!(body["active"], true);
    let (status, _, _) = sp.post("/revoke", ATP, &[("token", &token)]).await;
    assert_eq!(status, 200);
    let (_, _, body) = sp.post("/introspect", ATP, &[("token", &token)]).await;
    assert_eq!(body["active"], false);

    // Two tokens issued, one refusal (blacklisted SP), one revocation: all in the trail.
    drop(gateway);
    let (ok, out) = admin(&dir.path().join("gw"), database_url, &["audit", "verify"]);
    assert!(ok, "{out}");
    assert!(out.starts_with("audit trail verified: 4 entries"), "{out}");
}

#[tokio::test]
async fn sqlite_client_credentials_introspection_revocation() {
    client_credentials_tokens(None).await;
}

#[tokio::test]
async fn postgres_client_credentials_introspection_revocation() {
    let url = fresh_postgres().await;
    client_credentials_tokens(Some(&url)).await;
}

#[tokio::test]
async fn jwks_publishes_one_es256_key_that_survives_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let gateway = start(&dir.path().join("gw"), None);
    let get = |g: &Gateway| {
        let http = client(g, false);
        let url = format!("{}/jwks", g.url);
        async move {
            http.get(url)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let jwks = get(&gateway).await;
    let key = &jwks["keys"][0];
    assert_eq!(
        (
            key["kty"].as_str(),
            key["crv"].as_str(),
            key["alg"].as_str()
        ),
        (Some("EC"), Some("P-256"), Some("ES256"))
    );
    assert!(key.get("d").is_none(), "no private part: {key}");
    drop(gateway);
    let gateway = start(&dir.path().join("gw"), None);
    assert_eq!(get(&gateway).await, jwks);
}
