//! The Shared Signals transmitter (OpenID SSF 1.0, CAEP 1.0, RFC 8935 push, RFC 8936 poll)
//! against the real binary on SQLite and PostgreSQL: the configuration, an SP's stream by
//! its `ssf` client-credentials token, push to its registered HTTPS endpoint over TLS 1.3,
//! every SET verified by an implementation nobody here wrote (Python jwcrypto) against the
//! published keys, and the refusals: no token, the wrong scope, a push URL not registered, a
//! second stream, another SP's stream, a verification too soon. A push endpoint that is down
//! while the gateway restarts gets every event once, in order per subject, when it is back;
//! a poll stream hands SETs out until they are acknowledged.

// Test helpers may unwrap: a failure there is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::{
    Gateway, client, fresh_postgres, jwt_claims, post_basic, register, set_receiver, sp_secret,
    start, verified_by_jwcrypto,
};
use serde_json::{Value, json};

const CIBA: &str = "urn:openid:params:grant-type:ciba";
const PUSH: &str = "urn:ietf:rfc:8935";
const POLL: &str = "urn:ietf:rfc:8936";
const SESSION_REVOKED: &str = "https://schemas.openid.net/secevent/caep/event-type/session-revoked";
const TOKENS_REVOKED: &str = "https://schemas.openid.net/secevent/oauth/event-type/tokens-revoked";
const VERIFICATION: &str = "https://schemas.openid.net/secevent/ssf/event-type/verification";

async fn consent_tokens(
    gateway: &Gateway,
    http: &reqwest::Client,
    sp: &str,
    msisdn: &str,
    scope: &str,
) -> Value {
    common::ciba_tokens(gateway, http, sp, msisdn, scope, &[]).await
}

/// A client-credentials token of `sp` for `scope`: (status, body).
async fn cc_token(
    gateway: &Gateway,
    http: &reqwest::Client,
    sp: &str,
    scope: &str,
) -> (u16, Value) {
    let form = [("grant_type", "client_credentials"), ("scope", scope)];
    post_basic(gateway, http, sp, "/token", &form).await
}

async fn bearer_token(gateway: &Gateway, http: &reqwest::Client, sp: &str, scope: &str) -> String {
    let (status, body) = cc_token(gateway, http, sp, scope).await;
    assert_eq!(status, 200, "{body}");
    body["access_token"].as_str().unwrap().to_owned()
}

/// A call to an SSF endpoint: (status, headers, JSON body or null).
async fn call(
    gateway: &Gateway,
    http: &reqwest::Client,
    method: reqwest::Method,
    path: &str,
    bearer: Option<&str>,
    body: Option<Value>,
) -> (u16, reqwest::header::HeaderMap, Value) {
    let mut request = http.request(method, format!("{}{path}", gateway.url));
    if let Some(token) = bearer {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap();
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"))
    };
    (status, headers, body)
}

async fn jwks(gateway: &Gateway, http: &reqwest::Client) -> Value {
    let url = format!("{}/jwks", gateway.url);
    http.get(url).send().await.unwrap().json().await.unwrap()
}

/// The SET's claims, once jwcrypto verified it against the gateway's keys (and its header
/// is that of a SET).
fn verified_set(jwks: &Value, set: &str) -> Value {
    let verified = verified_by_jwcrypto(jwks, set).unwrap_or_else(|why| panic!("{why}: {set}"));
    assert_eq!(verified["header"]["typ"], "secevent+jwt");
    assert_eq!(verified["header"]["alg"], "ES256");
    verified["claims"].clone()
}

/// The one event type of a SET's claims.
fn event_type(claims: &Value) -> String {
    let events = claims["events"].as_object().unwrap();
    assert_eq!(events.len(), 1, "one event per SET: {claims}");
    events.keys().next().unwrap().clone()
}

async fn shared_signals(database_url: Option<&str>) {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("gw");
    let gateway = start(&data_dir, database_url);
    let http = client(&gateway, false);
    let mut receiver = set_receiver(&gateway).await;
    // A shop registered for Shared Signals (pushing to its own endpoint) and for Grant
    // Management, not for client credentials.
    register(
        &gateway,
        database_url,
        &json!({
            "client_id": "signals-sp", "client_secret": sp_secret("signals-sp"),
            "client_name": "Signals Shop",
            "grant_types": [CIBA, "refresh_token"], "scope": "openid mc_identity_signup",
            "token_policy": "long_lived", "token_ttl_seconds": 3600,
            "grant_management": true, "ssf": true,
            "ssf_push_endpoints": [receiver.url]
        }),
    );

    // SSF §7.1: the transmitter's configuration.
    let (status, _, config) = call(
        &gateway,
        &http,
        reqwest::Method::GET,
        "/.well-known/ssf-configuration",
        None,
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(config["issuer"], gateway.url.as_str());
    assert_eq!(config["delivery_methods_supported"], json!([PUSH, POLL]));
    assert_eq!(
        config["configuration_endpoint"],
        format!("{}/ssf/streams", gateway.url).as_str()
    );
    assert_eq!(config["jwks_uri"], format!("{}/jwks", gateway.url).as_str());
    let discovery = common::discovery(&gateway, &http).await;
    assert_eq!(
        discovery["ssf_configuration_uri"],
        format!("{}/.well-known/ssf-configuration", gateway.url).as_str()
    );
    assert_eq!(
        discovery["camara_kyc_match_endpoint"],
        format!("{}/kyc-match/v1/match", gateway.url).as_str()
    );

    // The `ssf` scope by client credentials, though the SP is not registered for that grant;
    // its other client-credentials requests keep today's answer.
    let token = bearer_token(&gateway, &http, "signals-sp", "ssf").await;
    for (sp, scope) in [("signals-sp", "ssf mc_identity_signup"), ("once-sp", "ssf")] {
        let (status, body) = cc_token(&gateway, &http, sp, scope).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("unauthorized_client")),
            "{sp} {scope}: {body}"
        );
    }

    // Refusals, each changing nothing.
    let push = |url: &str| json!({"delivery": {"method": PUSH, "endpoint_url": url}});
    let (status, headers, body) = call(
        &gateway,
        &http,
        reqwest::Method::POST,
        "/ssf/streams",
        None,
        Some(push(&receiver.url)),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_token"))
    );
    assert!(headers.contains_key("www-authenticate"));
    let query = bearer_token(&gateway, &http, "signals-sp", "grant_management_query").await;
    let (status, _, body) = call(
        &gateway,
        &http,
        reqwest::Method::POST,
        "/ssf/streams",
        Some(&query),
        Some(push(&receiver.url)),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (403, Some("insufficient_scope"))
    );
    let (status, _, body) = call(
        &gateway,
        &http,
        reqwest::Method::POST,
        "/ssf/streams",
        Some(&token),
        Some(push("https://127.0.0.1:1/elsewhere")),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_request")),
        "a push goes only to a registered URL: {body}"
    );
    let (status, _, streams) = call(
        &gateway,
        &http,
        reqwest::Method::GET,
        "/ssf/streams",
        Some(&token),
        None,
    )
    .await;
    assert_eq!((status, streams), (200, json!([])), "nothing was created");

    // SSF §8.1.1.1: the stream, pushed with the SP's own Authorization value.
    let mut ask = push(&receiver.url);
    ask["delivery"]["authorization_header"] = json!("Bearer shop-inbox-secret");
    ask["description"] = json!("Signals Shop sessions");
    let (status, _, stream) = call(
        &gateway,
        &http,
        reqwest::Method::POST,
        "/ssf/streams",
        Some(&token),
        Some(ask.clone()),
    )
    .await;
    assert_eq!(status, 201, "{stream}");
    let stream_id = stream["stream_id"].as_str().unwrap().to_owned();
    assert_eq!(stream["aud"], "signals-sp");
    assert_eq!(stream["iss"], gateway.url.as_str());
    assert_eq!(
        stream["delivery"],
        json!({"method": PUSH, "endpoint_url": receiver.url})
    );
    assert_eq!(stream["events_delivered"].as_array().unwrap().len(), 3);
    assert!(
        !stream.to_string().contains("shop-inbox-secret"),
        "the SP's header is never read back"
    );
    let (status, _, body) = call(
        &gateway,
        &http,
        reqwest::Method::POST,
        "/ssf/streams",
        Some(&token),
        Some(ask),
    )
    .await;
    assert_eq!((status, body["error"].as_str()), (409, Some("conflict")));

    // Another SP (Demo Shop, registered for Shared Signals too) cannot see or touch it.
    let demo = bearer_token(&gateway, &http, "demo-sp", "ssf").await;
    let by_id = format!("/ssf/streams?stream_id={stream_id}");
    for (method, path, body) in [
        (reqwest::Method::GET, by_id.clone(), None),
        (reqwest::Method::DELETE, by_id.clone(), None),
        (
            reqwest::Method::PATCH,
            "/ssf/streams".to_owned(),
            Some(json!({"stream_id": stream_id, "description": "mine"})),
        ),
        (
            reqwest::Method::POST,
            "/ssf/status".to_owned(),
            Some(json!({"stream_id": stream_id, "status": "disabled"})),
        ),
        (
            reqwest::Method::POST,
            "/ssf/verify".to_owned(),
            Some(json!({"stream_id": stream_id})),
        ),
        (
            reqwest::Method::POST,
            format!("/ssf/poll/{stream_id}"),
            Some(json!({"returnImmediately": true})),
        ),
    ] {
        let (status, _, answer) =
            call(&gateway, &http, method.clone(), &path, Some(&demo), body).await;
        assert_eq!(
            (status, answer["error"].as_str()),
            (404, Some("not_found")),
            "{method} {path}"
        );
    }
    let (status, _, status_body) = call(
        &gateway,
        &http,
        reqwest::Method::GET,
        &format!("/ssf/status?stream_id={stream_id}"),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(
        (status, status_body["status"].as_str()),
        (200, Some("enabled"))
    );

    // SSF §8.1.4.2: a verification comes by push, signed, with the SP's state; a second one
    // at once is refused.
    let keys = jwks(&gateway, &http).await;
    let verify = json!({"stream_id": stream_id, "state": "v-1"});
    let (status, _, _) = call(
        &gateway,
        &http,
        reqwest::Method::POST,
        "/ssf/verify",
        Some(&token),
        Some(verify.clone()),
    )
    .await;
    assert_eq!(status, 204);
    let delivery = receiver.next(10).await;
    assert_eq!(
        delivery.content_type.as_deref(),
        Some("application/secevent+jwt")
    );
    assert_eq!(
        delivery.authorization.as_deref(),
        Some("Bearer shop-inbox-secret")
    );
    let claims = verified_set(&keys, &delivery.set);
    assert_eq!(event_type(&claims), VERIFICATION);
    assert_eq!(claims["events"][VERIFICATION]["state"], "v-1");
    assert_eq!(claims["aud"], "signals-sp");
    assert_eq!(claims["iss"], gateway.url.as_str());
    assert_eq!(
        claims["sub_id"],
        json!({"format": "opaque", "id": stream_id})
    );
    let (status, headers, body) = call(
        &gateway,
        &http,
        reqwest::Method::POST,
        "/ssf/verify",
        Some(&token),
        Some(verify),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (429, Some("too_many_requests"))
    );
    assert!(headers.contains_key("retry-after"));

    // Two users consent to the shop.
    let marie = consent_tokens(
        &gateway,
        &http,
        "signals-sp",
        "447700900001",
        "openid mc_identity_signup",
    )
    .await;
    let ana = consent_tokens(
        &gateway,
        &http,
        "signals-sp",
        "447700900003",
        "openid mc_identity_signup",
    )
    .await;
    let sub_of = |tokens: &Value| jwt_claims(tokens["id_token"].as_str().unwrap())["sub"].clone();
    let grants = [
        (
            marie["grant_id"].as_str().unwrap().to_owned(),
            sub_of(&marie),
        ),
        (ana["grant_id"].as_str().unwrap().to_owned(), sub_of(&ana)),
    ];

    // The shop's endpoint goes down; both grants end (by the shop's Grant Management call,
    // which revokes like the user's own revoke); the gateway restarts while the SETs wait.
    receiver.set_down(true);
    let revoke = bearer_token(&gateway, &http, "signals-sp", "grant_management_revoke").await;
    for (grant_id, _) in &grants {
        let (status, _, _) = call(
            &gateway,
            &http,
            reqwest::Method::DELETE,
            &format!("/grants/{grant_id}"),
            Some(&revoke),
            None,
        )
        .await;
        assert_eq!(status, 204);
    }
    for _ in 0..100 {
        if receiver.refused.load(std::sync::atomic::Ordering::SeqCst) > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        receiver.refused.load(std::sync::atomic::Ordering::SeqCst) > 0,
        "a push was tried while down"
    );
    // (Once the refusal is recorded: a gateway killed mid-attempt leaves its lease, which
    // another takes up only when it runs out.)
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    drop(gateway);
    let gateway = start(&data_dir, database_url);
    let http = client(&gateway, false);
    receiver.set_down(false);

    // Back: every event once, in order per subject (the stream's order), each verified.
    let mut seen = Vec::new();
    for _ in 0..4 {
        let delivery = receiver.next(30).await;
        let claims = verified_set(&keys, &delivery.set);
        assert!(!delivery.set.contains("447700900"), "never the MSISDN");
        seen.push(claims);
    }
    assert!(
        receiver.quiet_for(1500).await.is_none(),
        "each event is delivered once"
    );
    let expected = [
        (&grants[0], SESSION_REVOKED),
        (&grants[0], TOKENS_REVOKED),
        (&grants[1], SESSION_REVOKED),
        (&grants[1], TOKENS_REVOKED),
    ];
    for (claims, ((grant_id, sub), event)) in seen.iter().zip(expected) {
        assert_eq!(event_type(claims), event, "{claims}");
        assert_eq!(claims["txn"], grant_id.as_str());
        // The SP's pairwise sub, as its ID token named the user.
        assert_eq!(
            claims["sub_id"],
            json!({"format": "iss_sub", "iss": gateway.url, "sub": sub})
        );
        assert_eq!(claims["events"][event]["initiating_entity"], "system");
        assert!(claims["events"][event]["event_timestamp"].is_i64());
        assert_eq!(claims["aud"], "signals-sp");
    }
    let jtis: std::collections::BTreeSet<_> = seen.iter().map(|c| c["jti"].to_string()).collect();
    assert_eq!(jtis.len(), 4);
    // And the grants' tokens died at once.
    let read = http
        .get(format!("{}/premiuminfo", gateway.url))
        .bearer_auth(marie["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), 401);

    // Poll (RFC 8936): Demo Shop's stream, polled with its `ssf` token.
    let demo = bearer_token(&gateway, &http, "demo-sp", "ssf").await;
    let (status, _, polled) = call(
        &gateway,
        &http,
        reqwest::Method::POST,
        "/ssf/streams",
        Some(&demo),
        Some(json!({})),
    )
    .await;
    assert_eq!(status, 201, "{polled}");
    let poll_id = polled["stream_id"].as_str().unwrap().to_owned();
    let poll_path = format!("/ssf/poll/{poll_id}");
    assert_eq!(
        polled["delivery"],
        json!({"method": POLL, "endpoint_url": format!("{}{poll_path}", gateway.url)})
    );
    let (status, _, body) = call(
        &gateway,
        &http,
        reqwest::Method::POST,
        &poll_path,
        Some(&demo),
        Some(json!({"returnImmediately": true})),
    )
    .await;
    assert_eq!(
        (status, body),
        (200, json!({"sets": {}, "moreAvailable": false}))
    );
    let shop = consent_tokens(
        &gateway,
        &http,
        "demo-sp",
        "447700900001",
        "openid mc_identity_signup",
    )
    .await;
    let demo_revoke = bearer_token(&gateway, &http, "demo-sp", "grant_management_revoke").await;
    let shop_grant = shop["grant_id"].as_str().unwrap();
    // A long poll, answered when the revocation queues its SETs.
    let waiting = {
        let (gateway_url, http, demo, path) = (
            gateway.url.clone(),
            http.clone(),
            demo.clone(),
            poll_path.clone(),
        );
        tokio::spawn(async move {
            http.post(format!("{gateway_url}{path}"))
                .bearer_auth(demo)
                .json(&json!({"maxEvents": 10}))
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let (status, _, _) = call(
        &gateway,
        &http,
        reqwest::Method::DELETE,
        &format!("/grants/{shop_grant}"),
        Some(&demo_revoke),
        None,
    )
    .await;
    assert_eq!(status, 204);
    let first = waiting.await.unwrap();
    let mut jtis = Vec::new();
    let mut sets = first["sets"].as_object().unwrap().clone();
    if sets.len() < 2 {
        // The long poll may have been answered between the two SETs' commit and read.
        let (_, _, more) = call(
            &gateway,
            &http,
            reqwest::Method::POST,
            &poll_path,
            Some(&demo),
            Some(json!({"returnImmediately": true})),
        )
        .await;
        sets = more["sets"].as_object().unwrap().clone();
    }
    assert_eq!(sets.len(), 2, "{sets:?}");
    for (jti, set) in &sets {
        let claims = verified_set(&keys, set.as_str().unwrap());
        assert_eq!(claims["jti"], jti.as_str());
        assert_eq!(claims["aud"], "demo-sp");
        assert_eq!(claims["txn"], shop_grant);
        jtis.push(jti.clone());
    }
    // Until acknowledged, a poll hands them out again; acknowledged, never again.
    let (_, _, again) = call(
        &gateway,
        &http,
        reqwest::Method::POST,
        &poll_path,
        Some(&demo),
        Some(json!({"returnImmediately": true})),
    )
    .await;
    assert_eq!(again["sets"].as_object().unwrap().len(), 2);
    let (status, _, acked) = call(
        &gateway,
        &http,
        reqwest::Method::POST,
        &poll_path,
        Some(&demo),
        Some(json!({"ack": jtis, "returnImmediately": true})),
    )
    .await;
    assert_eq!(
        (status, acked),
        (200, json!({"sets": {}, "moreAvailable": false}))
    );
    let (status, _, body) = call(
        &gateway,
        &http,
        reqwest::Method::POST,
        &format!("/ssf/poll/{stream_id}"),
        Some(&token_for(&gateway, &http).await),
        Some(json!({})),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_request")),
        "a push stream is not polled"
    );

    // Each delivery and acknowledgement is in the audit trail.
    let (ok, audit) = common::admin(
        &data_dir,
        database_url,
        &["audit", "list", "--kind", "notification", "--json"],
    );
    assert!(ok, "{audit}");
    let details: Vec<Value> = audit
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).unwrap()["detail"].clone())
        .collect();
    let delivered = |how: &str| {
        details
            .iter()
            .filter(|d| d["delivery"] == how && d["outcome"] == "delivered")
            .count()
    };
    assert_eq!(delivered("push"), 5, "the verification and four events");
    assert_eq!(delivered("poll"), 2);

    // Paused, then deleted.
    let (status, _, paused) = call(
        &gateway,
        &http,
        reqwest::Method::POST,
        "/ssf/status",
        Some(&demo),
        Some(json!({"stream_id": poll_id, "status": "paused", "reason": "maintenance"})),
    )
    .await;
    assert_eq!(
        (status, paused),
        (
            200,
            json!({"stream_id": poll_id, "status": "paused", "reason": "maintenance"})
        )
    );
    // Paused, the stream holds what happens (a poll gets nothing); enabled, it hands it out;
    // disabled, it drops what waits and keeps nothing more.
    let poll_now = |token: String| {
        let (gateway_url, http, path) = (gateway.url.clone(), http.clone(), poll_path.clone());
        async move {
            let answer: Value = http
                .post(format!("{gateway_url}{path}"))
                .bearer_auth(token)
                .json(&json!({"returnImmediately": true}))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            answer["sets"].as_object().unwrap().len()
        }
    };
    let set_status = |status: &'static str| {
        let (gateway_url, http, demo, id) = (
            gateway.url.clone(),
            http.clone(),
            demo.clone(),
            poll_id.clone(),
        );
        async move {
            let response = http
                .post(format!("{gateway_url}/ssf/status"))
                .bearer_auth(demo)
                .json(&json!({"stream_id": id, "status": status}))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200);
        }
    };
    let held = consent_tokens(
        &gateway,
        &http,
        "demo-sp",
        "447700900001",
        "openid mc_identity_signup",
    )
    .await;
    let (status, _, _) = call(
        &gateway,
        &http,
        reqwest::Method::DELETE,
        &format!("/grants/{}", held["grant_id"].as_str().unwrap()),
        Some(&demo_revoke),
        None,
    )
    .await;
    assert_eq!(status, 204);
    assert_eq!(poll_now(demo.clone()).await, 0, "paused: held");
    set_status("enabled").await;
    assert_eq!(poll_now(demo.clone()).await, 2, "enabled: handed out");
    set_status("disabled").await;
    set_status("enabled").await;
    assert_eq!(poll_now(demo.clone()).await, 0, "disabled: dropped");
    let (status, _, _) = call(
        &gateway,
        &http,
        reqwest::Method::DELETE,
        &format!("/ssf/streams?stream_id={poll_id}"),
        Some(&demo),
        None,
    )
    .await;
    assert_eq!(status, 204);
    let (status, _, _) = call(
        &gateway,
        &http,
        reqwest::Method::GET,
        &format!("/ssf/streams?stream_id={poll_id}"),
        Some(&demo),
        None,
    )
    .await;
    assert_eq!(status, 404);
}

/// A fresh `ssf` token of the pushing shop.
async fn token_for(gateway: &Gateway, http: &reqwest::Client) -> String {
    bearer_token(gateway, http, "signals-sp", "ssf").await
}

#[tokio::test]
async fn shared_signals_on_sqlite() {
    shared_signals(None).await;
}

#[tokio::test]
async fn shared_signals_on_postgres() {
    let url = fresh_postgres().await;
    shared_signals(Some(&url)).await;
}
