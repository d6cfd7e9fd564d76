//! ACME resources as JSON (RFC 8555 §7.1.2–7.1.6), from the stored records and the issuer
//! URL the gateway is reached at.

use crate::base::clock::rfc3339;
use crate::rules::acme::resource_url as url;
use crate::store::{AcmeAccount, AcmeAuthz, AcmeChallenge, AcmeOrder};
use assent_acme::{sms_link, tnauthlist};
use serde_json::{Value, json};

fn identifier(number: &str) -> Value {
    json!({
        "type": tnauthlist::IDENTIFIER_TYPE,
        "value": tnauthlist::identifier_value(number).unwrap_or_default(),
    })
}

pub fn account(issuer: &str, a: &AcmeAccount) -> Value {
    json!({
        "status": a.status,
        "contact": serde_json::from_str::<Value>(&a.contact).unwrap_or_else(|_| json!([])),
        "orders": url(issuer, &format!("/account/{}/orders", a.id)),
    })
}

pub fn order(issuer: &str, o: &AcmeOrder) -> Value {
    let mut body = json!({
        "status": o.status,
        "expires": rfc3339(o.expires_ms),
        "identifiers": [identifier(&o.number)],
        "authorizations": [url(issuer, &format!("/authz/{}", o.authz_id))],
        "finalize": url(issuer, &format!("/order/{}/finalize", o.id)),
    });
    if let Some(cert) = &o.cert_id {
        body["certificate"] = json!(url(issuer, &format!("/cert/{cert}")));
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

pub fn authz(issuer: &str, a: &AcmeAuthz, c: Option<&AcmeChallenge>) -> Value {
    json!({
        "status": a.status,
        "expires": rfc3339(a.expires_ms),
        "identifier": identifier(&a.number),
        "challenges": c.map(|c| vec![challenge(issuer, c)]).unwrap_or_default(),
    })
}

pub fn challenge(issuer: &str, c: &AcmeChallenge) -> Value {
    let mut body = json!({
        "type": sms_link::CHALLENGE_TYPE,
        "url": url(issuer, &format!("/chall/{}", c.id)),
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
