//! One decision for a database out of reach, on every endpoint family (the OAuth endpoints,
//! CIBA, the code flow's pages, the resource server, ACME, the simulator; the device API's,
//! which needs a registered device, in `tests/device.rs`): `503` with `server_error` and `Retry-After`, the
//! same request to be sent again later; the gateway serves again once the database is back.
//!
//! The gateway runs on its own PostgreSQL database, which the test closes to connections and
//! whose sessions it ends, then opens again.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::acme_client::Acme;
use common::{Gateway, client, fresh_postgres, set_connections, start};
use serde_json::{Value, json};
use std::time::Duration;

/// What an answer says when the database is out of reach.
#[derive(Debug, PartialEq, Eq)]
struct Seen {
    status: u16,
    error: Option<String>,
    retry_after: Option<String>,
}

async fn seen(request: reqwest::RequestBuilder) -> Seen {
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_owned());
    let body: Value = response.json().await.unwrap_or(Value::Null);
    // OAuth and the device API say `error`; ACME problems say `type`.
    let error = body["error"]
        .as_str()
        .or_else(|| body["type"].as_str())
        .map(str::to_owned);
    Seen {
        status,
        error,
        retry_after,
    }
}

fn unavailable(error: &str) -> Seen {
    Seen {
        status: 503,
        error: Some(error.to_owned()),
        retry_after: Some("2".to_owned()),
    }
}

fn basic(
    http: &reqwest::Client,
    gateway: &Gateway,
    path: &str,
    sp: &str,
) -> reqwest::RequestBuilder {
    http.post(format!("{}{path}", gateway.url))
        .basic_auth(sp, Some(format!("{sp}-secret")))
}

#[tokio::test]
async fn every_endpoint_family_answers_503_with_retry_after_while_the_database_is_out_of_reach() {
    let url = fresh_postgres().await;
    let dir = tempfile::tempdir().unwrap();
    let gateway = start(&dir.path().join("gw"), Some(&url));
    let http = client(&gateway, false);
    // Before the outage: a generic token and an ACME account, to be used during it.
    let token: Value = basic(&http, &gateway, "/token", "atp-sp")
        .form(&[("grant_type", "client_credentials"), ("scope", "mc_atp")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = token["access_token"].as_str().unwrap().to_owned();
    let mut acme = Acme::new(&gateway).await;
    acme.register().await;
    let new_order = acme.url("newOrder");
    let order_payload = json!({"identifiers": [{"type": "TNAuthList", "value": "MAigBhYENDQ3Nw"}]});
    let nonce = acme.fresh_nonce().await;
    let order_body = acme.body(&nonce, &new_order, Some(&order_payload));

    set_connections(&url, false).await;
    let oauth = unavailable("server_error");
    let checks: Vec<(&str, Seen)> = vec![
        (
            "POST /token",
            seen(
                basic(&http, &gateway, "/token", "atp-sp")
                    .form(&[("grant_type", "client_credentials"), ("scope", "mc_atp")]),
            )
            .await,
        ),
        (
            "POST /introspect",
            seen(basic(&http, &gateway, "/introspect", "atp-sp").form(&[("token", &token)])).await,
        ),
        (
            "POST /revoke",
            seen(basic(&http, &gateway, "/revoke", "atp-sp").form(&[("token", &token)])).await,
        ),
        (
            "POST /bc-authorize",
            seen(basic(&http, &gateway, "/bc-authorize", "demo-sp").form(&[
                ("scope", "openid mc_vm_share"),
                ("login_hint", "MSISDN:447700900001"),
            ]))
            .await,
        ),
        (
            "GET /premiuminfo",
            seen(
                http.get(format!("{}/premiuminfo", gateway.url))
                    .bearer_auth(&token),
            )
            .await,
        ),
        (
            "GET /sim/handsets/…/messages",
            seen(http.get(format!(
                "{}/sim/handsets/447700900001/messages",
                gateway.url
            )))
            .await,
        ),
    ];
    for (endpoint, answer) in checks {
        assert_eq!(answer, oauth, "{endpoint}");
    }
    // The code flow's browser page: an HTML page, 503 with Retry-After.
    let page = seen(http.get(format!(
        "{}/authorize?response_type=code&client_id=demo-sp&scope=openid&redirect_uri={}&state=s&nonce=n&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256&login_hint=MSISDN:447700900001",
        gateway.url, "http%3A%2F%2F127.0.0.1%3A9%2Fcallback"
    )))
    .await;
    assert_eq!(
        (page.status, page.retry_after.as_deref()),
        (503, Some("2")),
        "GET /authorize"
    );
    // ACME: a problem document (RFC 8555 §6.7) of type serverInternal, with Retry-After.
    let acme_answer = seen(
        http.post(&new_order)
            .header("content-type", "application/jose+json")
            .json(&order_body),
    )
    .await;
    assert_eq!(
        acme_answer,
        unavailable("urn:ietf:params:acme:error:serverInternal"),
        "POST /acme/new-order"
    );

    set_connections(&url, true).await;
    let mut recovered = 0;
    for _ in 0..40 {
        recovered =
            seen(basic(&http, &gateway, "/introspect", "atp-sp").form(&[("token", &token)]))
                .await
                .status;
        if recovered == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert_eq!(recovered, 200, "the same process serves again");
}

/// A client-credentials request asks a database out of reach once: a refusal decided on a
/// cached copy of the SP is decided again on fresh reads, a failing database is not (asking
/// twice doubled the wait for the 503: two connection timeouts of a stopped PostgreSQL).
#[tokio::test]
async fn a_client_credentials_request_asks_a_database_out_of_reach_once() {
    let url = fresh_postgres().await;
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("gateway.log");
    let gateway = common::start_logging(&dir.path().join("gw"), Some(&url), Some(&log));
    let http = client(&gateway, false);
    let token = || {
        basic(&http, &gateway, "/token", "atp-sp")
            .form(&[("grant_type", "client_credentials"), ("scope", "mc_atp")])
    };
    // The SP is now a cached copy.
    assert_eq!(token().send().await.unwrap().status(), 200);
    let store_errors = || {
        std::fs::read_to_string(&log)
            .unwrap()
            .lines()
            .filter(|l| l.contains("store error"))
            .count()
    };

    set_connections(&url, false).await;
    let before = store_errors();
    assert_eq!(seen(token()).await, unavailable("server_error"));
    assert_eq!(
        store_errors() - before,
        1,
        "the database was asked more than once"
    );
    set_connections(&url, true).await;
    assert_eq!(token().send().await.unwrap().status(), 200);
}
