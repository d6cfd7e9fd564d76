//! ACME resources as JSON (RFC 8555 §7.1.2–7.1.6).

use super::{rfc3339, url};
use crate::http::AppState;
use crate::store::{AcmeAccount, AcmeAuthz, AcmeChallenge, AcmeOrder};
use assent_acme::{sms_link, tnauthlist};
use serde_json::{Value, json};

fn identifier(number: &str) -> Value {
    json!({
        "type": tnauthlist::IDENTIFIER_TYPE,
        "value": tnauthlist::identifier_value(number).unwrap_or_default(),
    })
}

pub fn account(state: &AppState, a: &AcmeAccount) -> Value {
    json!({
        "status": a.status,
        "contact": serde_json::from_str::<Value>(&a.contact).unwrap_or_else(|_| json!([])),
        "orders": url(state, &format!("/account/{}/orders", a.id)),
    })
}

pub fn order(state: &AppState, o: &AcmeOrder) -> Value {
    let mut body = json!({
        "status": o.status,
        "expires": rfc3339(o.expires_ms),
        "identifiers": [identifier(&o.number)],
        "authorizations": [url(state, &format!("/authz/{}", o.authz_id))],
        "finalize": url(state, &format!("/order/{}/finalize", o.id)),
    });
    if let Some(cert) = &o.cert_id {
        body["certificate"] = json!(url(state, &format!("/cert/{cert}")));
    }
    if let Some(error) = o
        .error
        .as_deref()
        .and_then(|e| serde_json::from_str::<Value>(e).ok())
    {
        body["error"] = error;
    }
    body
}

pub fn authz(state: &AppState, a: &AcmeAuthz, c: Option<&AcmeChallenge>) -> Value {
    json!({
        "status": a.status,
        "expires": rfc3339(a.expires_ms),
        "identifier": identifier(&a.number),
        "challenges": c.map(|c| vec![challenge(state, c)]).unwrap_or_default(),
    })
}

pub fn challenge(state: &AppState, c: &AcmeChallenge) -> Value {
    let mut body = json!({
        "type": sms_link::CHALLENGE_TYPE,
        "url": url(state, &format!("/chall/{}", c.id)),
        "status": c.status,
        "token": c.token,
    });
    if let Some(validated) = c.validated_ms.filter(|_| c.status == "valid") {
        body["validated"] = json!(rfc3339(validated));
    }
    if let Some(error) = c
        .error
        .as_deref()
        .and_then(|e| serde_json::from_str::<Value>(e).ok())
    {
        body["error"] = error;
    }
    body
}
