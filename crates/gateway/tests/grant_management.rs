//! Grant Management for OAuth 2.0 (FAPI, draft 03) against the real binary on SQLite and
//! PostgreSQL: the token response names the grant (`grant_id`), the SP queries it (§5) and
//! revokes it (§6) with client-credentials tokens of the management scopes, and the
//! refusals: no token, the wrong scope, another SP's grant, an unknown or ended one, an SP
//! not registered for it.

// Test helpers may unwrap: a failure there is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::{Gateway, admin, client, fresh_postgres, post_basic, register, sp_secret, start};
use serde_json::{Value, json};

const MARIE: &str = "447700900001";
const CIBA: &str = "urn:openid:params:grant-type:ciba";

/// Demo Shop's tokens for Marie's consent to `scope`, answered Yes on her handset.
async fn demo_shop_tokens(gateway: &Gateway, http: &reqwest::Client, scope: &str) -> Value {
    // §4.1: what every request does, said explicitly.
    let extra = [
        ("binding_message", "GM-1"),
        ("grant_management_action", "create"),
    ];
    common::ciba_tokens(gateway, http, "demo-sp", MARIE, scope, &extra).await
}

/// A client-credentials token of `sp` for `scope`: (status, body).
async fn management_token(
    gateway: &Gateway,
    http: &reqwest::Client,
    sp: &str,
    scope: &str,
) -> (u16, Value) {
    post_basic(
        gateway,
        http,
        sp,
        "/token",
        &[("grant_type", "client_credentials"), ("scope", scope)],
    )
    .await
}

async fn call(
    gateway: &Gateway,
    http: &reqwest::Client,
    method: reqwest::Method,
    grant_id: &str,
    bearer: Option<&str>,
) -> (u16, reqwest::header::HeaderMap, Value) {
    let mut request = http.request(method, format!("{}/grants/{grant_id}", gateway.url));
    if let Some(token) = bearer {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap();
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap()
    };
    (status, headers, body)
}

async fn grant_management(database_url: Option<&str>) {
    let dir = tempfile::tempdir().unwrap();
    let gateway = start(&dir.path().join("gw"), database_url);
    let http = client(&gateway, false);
    // A second SP registered for Grant Management, to be refused Demo Shop's grants.
    register(
        &gateway,
        database_url,
        &json!({
            "client_id": "other-sp", "client_secret": sp_secret("other-sp"),
            "client_name": "Other Shop",
            "grant_types": [CIBA], "scope": "openid mc_identity_signup",
            "token_policy": "long_lived", "token_ttl_seconds": 3600,
            "grant_management": true
        }),
    );

    // §8: discovery says where and what.
    let discovery = common::discovery(&gateway, &http).await;
    assert_eq!(
        discovery["grant_management_endpoint"],
        json!(format!("{}/grants", gateway.url))
    );
    assert_eq!(
        discovery["grant_management_actions_supported"],
        json!(["create", "query", "revoke", "merge", "replace"])
    );

    let tokens = demo_shop_tokens(&gateway, &http, "openid mc_identity_signup").await;
    let grant_id = tokens["grant_id"].as_str().unwrap().to_owned();

    // §4.1: a grant_id without an update, an update without a grant_id, or an action
    // nobody defined is refused.
    for (action, grant) in [
        (Some("merge"), None),
        (Some("replace"), Some("")),
        (Some("create"), Some(grant_id.as_str())),
        (None, Some(grant_id.as_str())),
        (Some("update"), None),
    ] {
        let mut ask = vec![
            ("scope", "openid mc_vm_share"),
            ("login_hint", "MSISDN:+447700900001"),
        ];
        ask.extend(action.map(|a| ("grant_management_action", a)));
        ask.extend(grant.map(|g| ("grant_id", g)));
        let (status, body) = post_basic(&gateway, &http, "demo-sp", "/bc-authorize", &ask).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_request")),
            "{action:?} {grant:?}: {body}"
        );
    }
    let access = tokens["access_token"].as_str().unwrap().to_owned();
    let refresh = tokens["refresh_token"].as_str().unwrap().to_owned();

    // Demo Shop is registered for Grant Management, not for client credentials: it gets the
    // management scopes, and nothing else by that grant (today's answer).
    let (status, body) = management_token(&gateway, &http, "demo-sp", "mc_identity_signup").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("unauthorized_client"))
    );
    let (status, body) =
        management_token(&gateway, &http, "demo-sp", "grant_management_query mc_atp").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("unauthorized_client"))
    );
    let (status, query) =
        management_token(&gateway, &http, "demo-sp", "grant_management_query").await;
    assert_eq!(status, 200, "{query}");
    assert!(query.get("grant_id").is_none(), "no user grant: {query}");
    let query = query["access_token"].as_str().unwrap().to_owned();
    let (_, revoke) = management_token(&gateway, &http, "demo-sp", "grant_management_revoke").await;
    let revoke = revoke["access_token"].as_str().unwrap().to_owned();
    // An SP not registered for it is refused the scopes.
    let (status, _) = management_token(&gateway, &http, "atp-sp", "grant_management_query").await;
    assert_eq!(status, 400);
    // The scopes are the SP's, never part of a user's consent.
    let (status, body) = post_basic(
        &gateway,
        &http,
        "demo-sp",
        "/bc-authorize",
        &[
            ("scope", "openid grant_management_query"),
            ("login_hint", "MSISDN:+447700900001"),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_scope")),
        "{body}"
    );

    // §5: the grant as Demo Shop sees it.
    let (status, headers, body) = call(
        &gateway,
        &http,
        reqwest::Method::GET,
        &grant_id,
        Some(&query),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(headers["cache-control"], "no-store");
    assert_eq!(body["grant_id"], json!(grant_id));
    assert_eq!(
        body["scopes"],
        json!([{"scope": "openid mc_identity_signup"}])
    );
    let claims = body["claims"].as_array().unwrap();
    assert!(
        claims.contains(&json!("given_name")) && claims.contains(&json!("email")),
        "{body}"
    );
    assert!(
        body["created_at"].as_str().unwrap().ends_with('Z'),
        "{body}"
    );
    assert_eq!(body["kind"], "long_lived");

    // The refusals, each changing nothing.
    let (status, headers, body) =
        call(&gateway, &http, reqwest::Method::GET, &grant_id, None).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_token"))
    );
    assert_eq!(
        headers["www-authenticate"],
        "Bearer error=\"invalid_token\""
    );
    let (status, _, _) = call(
        &gateway,
        &http,
        reqwest::Method::GET,
        &grant_id,
        Some("not-a-token"),
    )
    .await;
    assert_eq!(status, 401);
    // The user's own access token is not a management token.
    let (status, _, _) = call(
        &gateway,
        &http,
        reqwest::Method::GET,
        &grant_id,
        Some(&access),
    )
    .await;
    assert_eq!(status, 401);
    let (status, headers, body) = call(
        &gateway,
        &http,
        reqwest::Method::DELETE,
        &grant_id,
        Some(&query),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (403, Some("insufficient_scope"))
    );
    assert_eq!(
        headers["www-authenticate"],
        "Bearer error=\"insufficient_scope\", scope=\"grant_management_revoke\""
    );
    let (status, _, body) = call(
        &gateway,
        &http,
        reqwest::Method::GET,
        "no-such-grant",
        Some(&query),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (404, Some("invalid_grant_id"))
    );
    // Another SP learns nothing of Demo Shop's grant and cannot end it: the same 404.
    let (status, other) = management_token(
        &gateway,
        &http,
        "other-sp",
        "grant_management_query grant_management_revoke",
    )
    .await;
    assert_eq!(status, 200, "{other}");
    let other = other["access_token"].as_str().unwrap().to_owned();
    for method in [reqwest::Method::GET, reqwest::Method::DELETE] {
        let (status, _, body) = call(&gateway, &http, method, &grant_id, Some(&other)).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (404, Some("invalid_grant_id"))
        );
    }
    let read = http
        .get(format!("{}/premiuminfo", gateway.url))
        .bearer_auth(&access)
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), 200, "the grant still stands");

    // §6: Demo Shop ends it: 204, and its tokens die at once.
    let (status, headers, body) = call(
        &gateway,
        &http,
        reqwest::Method::DELETE,
        &grant_id,
        Some(&revoke),
    )
    .await;
    assert_eq!((status, body), (204, Value::Null));
    assert_eq!(headers["cache-control"], "no-store");
    let read = http
        .get(format!("{}/premiuminfo", gateway.url))
        .bearer_auth(&access)
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), 401);
    let (status, body) = post_basic(
        &gateway,
        &http,
        "demo-sp",
        "/token",
        &[("grant_type", "refresh_token"), ("refresh_token", &refresh)],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    // Ended, it is gone for the SP: queried or revoked again, 404.
    for (method, token) in [
        (reqwest::Method::GET, &query),
        (reqwest::Method::DELETE, &revoke),
    ] {
        let (status, _, _) = call(&gateway, &http, method, &grant_id, Some(token)).await;
        assert_eq!(status, 404);
    }

    // The trail (and so the user's history) says the SP ended it, once, with a receipt.
    drop(gateway);
    let (ok, out) = admin(
        &dir.path().join("gw"),
        database_url,
        &[
            "audit",
            "list",
            "--kind",
            "revocation",
            "--sp",
            "demo-sp",
            "--json",
        ],
    );
    assert!(ok, "{out}");
    let ended: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|e| e["detail"]["consent"] == json!(grant_id))
        .collect();
    assert_eq!(ended.len(), 1, "{out}");
    assert_eq!(ended[0]["detail"]["by"], "sp");
    assert!(ended[0]["detail"]["receipt"].is_string(), "{out}");
    let (ok, out) = admin(&dir.path().join("gw"), database_url, &["audit", "verify"]);
    assert!(ok, "{out}");
}

#[tokio::test]
async fn sqlite_an_sp_queries_and_revokes_its_grant() {
    grant_management(None).await;
}

#[tokio::test]
async fn postgres_an_sp_queries_and_revokes_its_grant() {
    let url = fresh_postgres().await;
    grant_management(Some(&url)).await;
}

/// `sp`'s CIBA tokens for `msisdn`'s consent to `scope` with Grant Management `extra`.
async fn tokens_with(
    gateway: &Gateway,
    http: &reqwest::Client,
    msisdn: &str,
    scope: &str,
    extra: &[(&str, &str)],
) -> Value {
    common::ciba_tokens(gateway, http, "demo-sp", msisdn, scope, extra).await
}

async fn premiuminfo_status(gateway: &Gateway, http: &reqwest::Client, access: &Value) -> u16 {
    http.get(format!("{}/premiuminfo", gateway.url))
        .bearer_auth(access.as_str().unwrap())
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// §4.1: `merge` and `replace` change the grant the request names, under the same
/// `grant_id`, once the user approves; the grant must be the SP's, of that user, in force.
async fn grant_updates(database_url: Option<&str>) {
    let dir = tempfile::tempdir().unwrap();
    let gateway = start(&dir.path().join("gw"), database_url);
    let http = client(&gateway, false);
    let first = tokens_with(&gateway, &http, MARIE, "openid mc_identity_signup", &[]).await;
    let grant_id = first["grant_id"].as_str().unwrap().to_owned();
    let query = management_token(&gateway, &http, "demo-sp", "grant_management_query")
        .await
        .1["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let scopes_of = |grant: Value| grant["scopes"][0]["scope"].as_str().unwrap().to_owned();

    // A grant that is not this SP's and this user's, or none at all: invalid_grant_id, and
    // nobody is prompted.
    let before = common::handset(&gateway, &http, "447700900003").await.len();
    for (hint, grant) in [
        ("MSISDN:+447700900001", "c-nobody"),
        ("MSISDN:+447700900003", grant_id.as_str()),
    ] {
        let ask = [
            ("scope", "openid mc_kyc_match"),
            ("login_hint", hint),
            ("grant_management_action", "merge"),
            ("grant_id", grant),
        ];
        let (status, body) = post_basic(&gateway, &http, "demo-sp", "/bc-authorize", &ask).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_grant_id")),
            "{hint} {grant}: {body}"
        );
    }
    assert_eq!(
        common::handset(&gateway, &http, "447700900003").await.len(),
        before
    );

    // Merge: the same grant, now with both services; its earlier tokens still work.
    let merge = [
        ("grant_management_action", "merge"),
        ("grant_id", grant_id.as_str()),
    ];
    let merged = tokens_with(&gateway, &http, MARIE, "openid mc_kyc_match", &merge).await;
    assert_eq!(merged["grant_id"], grant_id.as_str());
    assert_eq!(merged["scope"], "openid mc_identity_signup mc_kyc_match");
    let (status, _, grant) = call(
        &gateway,
        &http,
        reqwest::Method::GET,
        &grant_id,
        Some(&query),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(scopes_of(grant), "openid mc_identity_signup mc_kyc_match");
    assert_eq!(
        premiuminfo_status(&gateway, &http, &first["access_token"]).await,
        200
    );
    assert_eq!(
        premiuminfo_status(&gateway, &http, &merged["access_token"]).await,
        200
    );

    // Replace: the same grant, now only what was asked; the tokens bought before die.
    let replace = [
        ("grant_management_action", "replace"),
        ("grant_id", grant_id.as_str()),
    ];
    let replaced = tokens_with(&gateway, &http, MARIE, "openid mc_vm_share", &replace).await;
    assert_eq!(replaced["grant_id"], grant_id.as_str());
    assert_eq!(replaced["scope"], "openid mc_vm_share");
    let (_, _, grant) = call(
        &gateway,
        &http,
        reqwest::Method::GET,
        &grant_id,
        Some(&query),
    )
    .await;
    assert_eq!(scopes_of(grant), "openid mc_vm_share");
    assert_eq!(
        premiuminfo_status(&gateway, &http, &first["access_token"]).await,
        401
    );
    assert_eq!(
        premiuminfo_status(&gateway, &http, &merged["access_token"]).await,
        401
    );
    assert_eq!(
        premiuminfo_status(&gateway, &http, &replaced["access_token"]).await,
        200
    );

    // The code flow names the grant too: a merge through /authorize, and a grant that is
    // not the SP's refused back to its redirect URI.
    let browser = crate::code_flow::browser(&gateway);
    let url = crate::code_flow::authorize_url(
        &gateway,
        "demo-sp",
        &[
            ("scope", "openid mc_kyc_match"),
            ("grant_management_action", "merge"),
            ("grant_id", grant_id.as_str()),
        ],
    );
    let page = browser.get(&url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    let session: String = page[page.find("session=").unwrap() + "session=".len()..]
        .chars()
        .take_while(|c| *c != '"')
        .collect();
    common::answer_latest(&gateway, &http, MARIE, "1").await;
    let wait = format!("{}/authorize/wait?session={session}", gateway.url);
    let back = browser.get(&wait).send().await.unwrap();
    assert_eq!(back.status(), 303);
    let code = crate::code_flow::query_of(&crate::code_flow::location(&back))["code"].clone();
    let (status, coded) =
        crate::code_flow::token(&http, &gateway, &code, crate::code_flow::VERIFIER).await;
    assert_eq!(status, 200, "{coded}");
    assert_eq!(coded["grant_id"], grant_id.as_str());
    assert_eq!(coded["scope"], "openid mc_vm_share mc_kyc_match");
    let refused = browser
        .get(crate::code_flow::authorize_url(
            &gateway,
            "demo-sp",
            &[
                ("grant_management_action", "merge"),
                ("grant_id", "c-nobody"),
            ],
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 303);
    let error = crate::code_flow::query_of(&crate::code_flow::location(&refused));
    assert_eq!(error["error"], "invalid_grant_id");

    // Revoked, it can no longer be changed.
    let revoke = management_token(&gateway, &http, "demo-sp", "grant_management_revoke")
        .await
        .1["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, _, _) = call(
        &gateway,
        &http,
        reqwest::Method::DELETE,
        &grant_id,
        Some(&revoke),
    )
    .await;
    assert_eq!(status, 204);
    let ask = [
        ("scope", "openid mc_kyc_match"),
        ("login_hint", "MSISDN:+447700900001"),
        ("grant_management_action", "merge"),
        ("grant_id", grant_id.as_str()),
    ];
    let (status, body) = post_basic(&gateway, &http, "demo-sp", "/bc-authorize", &ask).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant_id"))
    );
}

#[tokio::test]
async fn sqlite_merge_and_replace_change_the_grant_they_name() {
    grant_updates(None).await;
}

#[tokio::test]
async fn postgres_merge_and_replace_change_the_grant_they_name() {
    let url = fresh_postgres().await;
    grant_updates(Some(&url)).await;
}
