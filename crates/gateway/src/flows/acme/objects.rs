//! ACME resources (RFC 8555 §7.1.1–7.1.6) as the contract's types (`assent_proto::acme`,
//! which are `assent-acme`'s), from the stored records and the issuer URL the gateway is
//! reached at. The app core's ACME client reads these same types.

use super::{AcmeError, problem};
use crate::base::clock::rfc3339;
use crate::rules::acme::resource_url as url;
use crate::store::{AcmeAccount, AcmeAuthz, AcmeChallenge, AcmeOrder};
use assent_acme::problem::ProblemType;
use assent_acme::{sms_link, tnauthlist};
use assent_proto::acme::{
    Account, Authorization, Challenge, Directory, DirectoryMeta, Identifier, Order, OrdersList,
    ProblemDocument, Status,
};

/// A stored status as the wire names it (RFC 8555 §7.1.6). The store writes only these
/// names; another one is a fault of the server, not of the client.
fn status(name: &str) -> Result<Status, AcmeError> {
    Status::from_name(name).ok_or_else(|| {
        tracing::error!(
            status = name,
            "an ACME record has a status with no wire name"
        );
        problem(
            ProblemType::ServerInternal,
            "the server could not complete the request",
        )
    })
}

/// The `TNAuthList` identifier of a number (RFC 9448 §3).
fn identifier(number: &str) -> Identifier {
    Identifier {
        kind: tnauthlist::IDENTIFIER_TYPE.to_owned(),
        value: tnauthlist::identifier_value(number).unwrap_or_default(),
    }
}

/// A stored problem document (an order's or a challenge's `error`), as it was written.
fn stored_problem(text: Option<&str>) -> Option<ProblemDocument> {
    text.and_then(|e| serde_json::from_str(e).ok())
}

/// The directory (RFC 8555 §7.1.1): no `newAuthz` (no pre-authorization, §7.4.1), and
/// `meta` with the website and no external account binding.
pub fn directory(issuer: &str) -> Directory {
    Directory {
        key_change: url(issuer, "/key-change"),
        meta: Some(DirectoryMeta {
            caa_identities: None,
            external_account_required: Some(false),
            terms_of_service: None,
            website: Some(issuer.to_owned()),
        }),
        new_account: url(issuer, "/new-account"),
        new_authz: None,
        new_nonce: url(issuer, "/new-nonce"),
        new_order: url(issuer, "/new-order"),
        revoke_cert: url(issuer, "/revoke-cert"),
    }
}

/// An account (§7.1.2): its contacts (always listed, `[]` when none) and its orders' URL.
pub fn account(issuer: &str, a: &AcmeAccount) -> Result<Account, AcmeError> {
    Ok(Account {
        contact: Some(serde_json::from_str(&a.contact).unwrap_or_default()),
        orders: Some(url(issuer, &format!("/account/{}/orders", a.id))),
        status: status(&a.status)?,
        terms_of_service_agreed: None,
    })
}

/// An account's orders list (§7.1.2.1).
pub fn orders(urls: Vec<String>) -> OrdersList {
    OrdersList { orders: urls }
}

/// An order (§7.1.3): one identifier, one authorization; the certificate once issued, the
/// error once invalid. No `notBefore` / `notAfter` (certificates live from issuance).
pub fn order(issuer: &str, o: &AcmeOrder) -> Result<Order, AcmeError> {
    Ok(Order {
        authorizations: vec![url(issuer, &format!("/authz/{}", o.authz_id))],
        certificate: o
            .cert_id
            .as_ref()
            .map(|cert| url(issuer, &format!("/cert/{cert}"))),
        error: stored_problem(o.error.as_deref()),
        expires: Some(rfc3339(o.expires_ms)),
        finalize: url(issuer, &format!("/order/{}/finalize", o.id)),
        identifiers: vec![identifier(&o.number)],
        not_after: None,
        not_before: None,
        status: status(&o.status)?,
    })
}

/// An authorization (§7.1.4) with its one challenge, if it has one.
pub fn authz(
    issuer: &str,
    a: &AcmeAuthz,
    c: Option<&AcmeChallenge>,
) -> Result<Authorization, AcmeError> {
    Ok(Authorization {
        challenges: c
            .map(|c| challenge(issuer, c))
            .transpose()?
            .into_iter()
            .collect(),
        expires: Some(rfc3339(a.expires_ms)),
        identifier: identifier(&a.number),
        status: status(&a.status)?,
        wildcard: None,
    })
}

/// An `sms-link-00` challenge (§7.1.5): `validated` once valid, the error once invalid.
pub fn challenge(issuer: &str, c: &AcmeChallenge) -> Result<Challenge, AcmeError> {
    Ok(Challenge {
        error: stored_problem(c.error.as_deref()),
        status: status(&c.status)?,
        token: Some(c.token.clone()),
        kind: sms_link::CHALLENGE_TYPE.to_owned(),
        url: url(issuer, &format!("/chall/{}", c.id)),
        validated: c.validated_ms.filter(|_| c.status == "valid").map(rfc3339),
    })
}

#[cfg(test)]
mod tests {
    //! The objects are written with exactly the members, values and bytes the server wrote
    //! when it built them as JSON literals: those builders are kept here as the reference.
    #![allow(clippy::unwrap_used)]

    use super::*;
    use serde::Serialize;
    use serde_json::{Value, json};

    const ISSUER: &str = "https://127.0.0.1:8443";

    fn reference_identifier(number: &str) -> Value {
        json!({
            "type": tnauthlist::IDENTIFIER_TYPE,
            "value": tnauthlist::identifier_value(number).unwrap_or_default(),
        })
    }

    fn reference_account(issuer: &str, a: &AcmeAccount) -> Value {
        json!({
            "status": a.status,
            "contact": serde_json::from_str::<Value>(&a.contact).unwrap_or_else(|_| json!([])),
            "orders": url(issuer, &format!("/account/{}/orders", a.id)),
        })
    }

    fn reference_order(issuer: &str, o: &AcmeOrder) -> Value {
        let mut body = json!({
            "status": o.status,
            "expires": rfc3339(o.expires_ms),
            "identifiers": [reference_identifier(&o.number)],
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

    fn reference_authz(issuer: &str, a: &AcmeAuthz, c: Option<&AcmeChallenge>) -> Value {
        json!({
            "status": a.status,
            "expires": rfc3339(a.expires_ms),
            "identifier": reference_identifier(&a.number),
            "challenges": c.map(|c| vec![reference_challenge(issuer, c)]).unwrap_or_default(),
        })
    }

    fn reference_challenge(issuer: &str, c: &AcmeChallenge) -> Value {
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

    fn reference_directory(issuer: &str) -> Value {
        json!({
            "newNonce": url(issuer, "/new-nonce"),
            "newAccount": url(issuer, "/new-account"),
            "newOrder": url(issuer, "/new-order"),
            "revokeCert": url(issuer, "/revoke-cert"),
            "keyChange": url(issuer, "/key-change"),
            "meta": {
                "website": issuer,
                "externalAccountRequired": false,
            },
        })
    }

    /// The same bytes, written directly from the type and through a JSON value.
    fn same(typed: &impl Serialize, reference: &Value) {
        let written = serde_json::to_string(typed).unwrap();
        assert_eq!(written, reference.to_string());
        assert_eq!(
            serde_json::to_value(typed).unwrap().to_string(),
            reference.to_string()
        );
    }

    fn problem_text(kind: ProblemType, detail: &str) -> String {
        assent_acme::problem::AcmeProblem::new(kind, detail)
            .to_json()
            .to_string()
    }

    #[test]
    fn objects_are_written_as_they_always_were() {
        same(&directory(ISSUER), &reference_directory(ISSUER));
        for (status, contact) in [
            ("valid", r#"["tel:+447700900001","mailto:qa@example.org"]"#),
            ("deactivated", "[]"),
            ("valid", "not json"),
        ] {
            let a = AcmeAccount {
                id: "a-1".into(),
                jwk: "{}".into(),
                thumbprint: "t".into(),
                status: status.into(),
                contact: contact.into(),
                created_ms: 0,
            };
            same(
                &account(ISSUER, &a).unwrap(),
                &reference_account(ISSUER, &a),
            );
        }
        let expired = problem_text(ProblemType::IncorrectResponse, "the code expired");
        for (status, cert_id, error) in [
            ("pending", None, None),
            ("ready", None, None),
            ("valid", Some("t-1"), None),
            ("invalid", None, Some(expired.as_str())),
            ("invalid", None, Some("not json")),
        ] {
            let o = AcmeOrder {
                id: "o-1".into(),
                account_id: "a-1".into(),
                number: "447700900001".into(),
                status: status.into(),
                expires_ms: 1_796_083_200_000,
                authz_id: "z-1".into(),
                cert_id: cert_id.map(str::to_owned),
                error: error.map(str::to_owned),
            };
            same(&order(ISSUER, &o).unwrap(), &reference_order(ISSUER, &o));
        }
        let wrong = problem_text(
            ProblemType::IncorrectResponse,
            "wrong code; the challenge is now invalid",
        );
        for (status, validated_ms, error) in [
            ("pending", None, None),
            ("processing", None, None),
            ("valid", Some(1_796_083_230_000), None),
            // `validated` only once valid.
            ("invalid", Some(1_796_083_230_000), Some(wrong.as_str())),
        ] {
            let c = AcmeChallenge {
                id: "c-1".into(),
                authz_id: "z-1".into(),
                token: "tok".into(),
                status: status.into(),
                code_hash: None,
                code_expires_ms: None,
                wrong_answers: 0,
                validated_ms,
                error: error.map(str::to_owned),
            };
            same(
                &challenge(ISSUER, &c).unwrap(),
                &reference_challenge(ISSUER, &c),
            );
            let a = AcmeAuthz {
                id: "z-1".into(),
                account_id: "a-1".into(),
                number: "447700900001".into(),
                status: "pending".into(),
                expires_ms: 1_796_083_200_000,
            };
            same(
                &authz(ISSUER, &a, Some(&c)).unwrap(),
                &reference_authz(ISSUER, &a, Some(&c)),
            );
            same(
                &authz(ISSUER, &a, None).unwrap(),
                &reference_authz(ISSUER, &a, None),
            );
        }
        let list = vec![format!("{ISSUER}/acme/order/o-1")];
        same(&orders(list.clone()), &json!({ "orders": list }));
    }

    #[test]
    fn a_status_the_wire_has_no_name_for_is_the_servers_fault() {
        let a = AcmeAccount {
            id: "a-1".into(),
            jwk: "{}".into(),
            thumbprint: "t".into(),
            status: "frozen".into(),
            contact: "[]".into(),
            created_ms: 0,
        };
        let error = account(ISSUER, &a).unwrap_err();
        assert_eq!(error.problem.kind, ProblemType::ServerInternal);
    }
}
