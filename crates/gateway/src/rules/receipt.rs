//! Consent receipts (ISO/IEC TS 27560, with the W3C Data Privacy Vocabulary's terms): what a
//! consent given, or withdrawn, says, and the gateway's signature over it.
//!
//! A receipt names the attributes, never their values, and carries the SHA-256 of the exact
//! prompt shown, so the user's app can hold it against the text it keeps. It is a compact JWS
//! with its own `typ`, so nothing else the gateway's key signs (ID tokens, checkpoints,
//! export heads) passes for one; it never expires: it states a past fact.

use crate::base::clock::rfc3339;
use crate::rules::catalog::{Catalog, data_category, purpose_of};
pub use assent_proto::jwt::{
    RECEIPT_TYP, ReceiptClaims, ReceiptController, ReceiptDuration, ReceiptMethod, ReceiptPurpose,
};

/// The structure the receipts follow.
pub const SCHEMA: &str = "ISO/IEC TS 27560:2023";
/// Every consent here is given under the data protection law's consent basis.
const LEGAL_BASIS: &str = "dpv:Consent";
/// How a user withdraws a consent (the same words on every receipt: they say where, not what).
const HOW_TO_WITHDRAW: &str = "In the Assent app: Access, choose the service, then Revoke \
    (or stop sharing one item); or ask your operator. Withdrawing does not undo what was \
    shared before.";

/// What happened to the consent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event<'a> {
    /// The user said yes: where, and the SHA-256 of the exact text shown.
    Given {
        authenticator: &'a str,
        prompt_sha256: &'a str,
    },
    /// The user withdrew `attributes` (every attribute: the whole consent); `remaining` is
    /// what the consent still gives.
    Withdrawn {
        attributes: &'a [String],
        remaining: &'a [String],
    },
}

impl Event<'_> {
    /// The receipt's kind as the app and the command list it.
    pub fn kind(&self) -> &'static str {
        match self {
            Event::Given { .. } => "consent",
            Event::Withdrawn { .. } => "withdrawal",
        }
    }
}

/// The consent a receipt is about.
#[derive(Debug, Clone, Copy)]
pub struct ConsentFacts<'a> {
    pub consent_id: &'a str,
    pub user_id: &'a str,
    pub client_id: &'a str,
    pub client_name: &'a str,
    pub scope: &'a [String],
    /// `long_lived` or `transaction`.
    pub kind: &'a str,
    pub expires_ms: Option<i64>,
}

#[derive(Debug, thiserror::Error)]
pub enum ReceiptError {
    #[error("signing failed: {0}")]
    Sign(#[from] jsonwebtoken::errors::Error),
    #[error("not a receipt signed by this gateway's key: {0}")]
    Signature(jsonwebtoken::errors::Error),
    #[error("not a consent receipt (typ {0:?})")]
    NotAReceipt(Option<String>),
}

/// The attributes each service of `scope` covers, as the catalog says, with their purpose;
/// `only` keeps those attributes alone (a withdrawal names what it withdrew). Services left
/// with no attribute are left out.
fn purposes(catalog: &Catalog, scope: &[String], only: Option<&[String]>) -> Vec<ReceiptPurpose> {
    scope
        .iter()
        .filter_map(|s| catalog.service(s))
        .filter_map(|service| {
            let attributes: Vec<String> = service
                .attributes
                .iter()
                .map(|a| a.name.clone())
                .filter(|name| only.is_none_or(|only| only.contains(name)))
                .collect();
            if attributes.is_empty() {
                return None;
            }
            let mut data_categories: Vec<String> = Vec::new();
            for name in &attributes {
                let category = data_category(name).to_owned();
                if !data_categories.contains(&category) {
                    data_categories.push(category);
                }
            }
            Some(ReceiptPurpose {
                service: service.scope.clone(),
                purpose: purpose_of(service).to_owned(),
                legal_basis: LEGAL_BASIS.into(),
                data_categories,
                attributes,
            })
        })
        .collect()
}

/// The claims of receipt `id` for `event` on `consent` at `at_ms`, signed at `now_s`.
pub fn claims(
    catalog: &Catalog,
    issuer: &str,
    id: &str,
    consent: &ConsentFacts<'_>,
    event: &Event<'_>,
    at_ms: i64,
    now_s: i64,
) -> ReceiptClaims {
    let (event_name, method, purposes, remaining) = match event {
        Event::Given {
            authenticator,
            prompt_sha256,
        } => (
            "given",
            Some(ReceiptMethod {
                authenticator: (*authenticator).to_owned(),
                prompt_sha256: (*prompt_sha256).to_owned(),
            }),
            purposes(catalog, consent.scope, None),
            Vec::new(),
        ),
        Event::Withdrawn {
            attributes,
            remaining,
        } => (
            "withdrawn",
            None,
            purposes(catalog, consent.scope, Some(attributes)),
            remaining.to_vec(),
        ),
    };
    ReceiptClaims {
        iss: issuer.to_owned(),
        jti: id.to_owned(),
        iat: now_s,
        schema: SCHEMA.into(),
        record_id: consent.consent_id.to_owned(),
        event: event_name.into(),
        pii_principal: consent.user_id.to_owned(),
        at: rfc3339(at_ms),
        controller: ReceiptController {
            id: consent.client_id.to_owned(),
            name: consent.client_name.to_owned(),
        },
        purposes,
        method,
        duration: ReceiptDuration {
            kind: consent.kind.to_owned(),
            expires_at: consent.expires_ms.map(rfc3339),
        },
        remaining,
        withdrawal: HOW_TO_WITHDRAW.into(),
    }
}

/// Signs a receipt with the gateway's ES256 key.
pub fn sign(
    keys: &crate::base::keys::SigningKeys,
    claims: &ReceiptClaims,
) -> Result<String, ReceiptError> {
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
    header.kid = Some(keys.kid.clone());
    header.typ = Some(RECEIPT_TYP.into());
    Ok(jsonwebtoken::encode(&header, claims, &keys.encoding)?)
}

/// Checks a receipt's signature against the gateway's public key and returns its claims.
pub fn verify(
    decoding: &jsonwebtoken::DecodingKey,
    jws: &str,
) -> Result<ReceiptClaims, ReceiptError> {
    let header = jsonwebtoken::decode_header(jws).map_err(ReceiptError::Signature)?;
    if header.typ.as_deref() != Some(RECEIPT_TYP) {
        return Err(ReceiptError::NotAReceipt(header.typ));
    }
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::ES256);
    validation.required_spec_claims.clear();
    validation.validate_exp = false;
    validation.validate_aud = false;
    Ok(
        jsonwebtoken::decode::<ReceiptClaims>(jws, decoding, &validation)
            .map_err(ReceiptError::Signature)?
            .claims,
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn new_keys() -> (tempfile::TempDir, crate::base::keys::SigningKeys) {
        let dir = tempfile::tempdir().unwrap();
        let keys = crate::base::keys::SigningKeys::load_or_create(dir.path()).unwrap();
        (dir, keys)
    }

    fn signup<'a>(scope: &'a [String]) -> ConsentFacts<'a> {
        ConsentFacts {
            consent_id: "c-1",
            user_id: "u-1",
            client_id: "demo-sp",
            client_name: "Demo Shop",
            scope,
            kind: "long_lived",
            expires_ms: Some(1_780_000_000_000),
        }
    }

    #[test]
    fn a_consent_receipt_names_the_attributes_their_categories_and_the_prompt_hash() {
        let catalog = Catalog::default_demo().unwrap();
        let scope = ["openid".to_owned(), "mc_identity_signup".to_owned()];
        let given = Event::Given {
            authenticator: "app",
            prompt_sha256: "ab12",
        };
        let claims = claims(
            &catalog,
            "https://gw",
            "rc-1",
            &signup(&scope),
            &given,
            1_764_237_600_000,
            1_764_237_601,
        );
        assert_eq!(claims.event, "given");
        assert_eq!(claims.schema, SCHEMA);
        assert_eq!(claims.at, "2025-11-27T10:00:00Z");
        assert_eq!(claims.purposes.len(), 1, "openid has no purpose of its own");
        let purpose = &claims.purposes[0];
        assert_eq!(purpose.service, "mc_identity_signup");
        assert_eq!(purpose.legal_basis, "dpv:Consent");
        assert_eq!(
            purpose.attributes,
            ["given_name", "family_name", "email", "birthdate", "address"]
        );
        assert_eq!(
            purpose.data_categories,
            [
                "pd:Name",
                "pd:EmailAddress",
                "pd:BirthDate",
                "pd:PhysicalAddress"
            ]
        );
        assert_eq!(claims.method.as_ref().unwrap().prompt_sha256, "ab12");
        assert_eq!(
            claims.duration.expires_at.as_deref(),
            Some("2026-05-28T20:26:40Z")
        );
        // Names, never values: nothing of the user's data is in the receipt.
        let text = serde_json::to_string(&claims).unwrap();
        assert!(!text.contains("+44") && !text.contains("Marie"));
    }

    #[test]
    fn a_withdrawal_names_what_was_withdrawn_and_what_remains() {
        let catalog = Catalog::default_demo().unwrap();
        let scope = ["openid".to_owned(), "mc_identity_signup".to_owned()];
        let withdrawn = ["email".to_owned()];
        let remaining = ["given_name".to_owned(), "family_name".to_owned()];
        let event = Event::Withdrawn {
            attributes: &withdrawn,
            remaining: &remaining,
        };
        let claims = claims(
            &catalog,
            "https://gw",
            "rc-2",
            &signup(&scope),
            &event,
            0,
            0,
        );
        assert_eq!(event.kind(), "withdrawal");
        assert_eq!(claims.event, "withdrawn");
        assert_eq!(claims.purposes[0].attributes, ["email"]);
        assert_eq!(claims.purposes[0].data_categories, ["pd:EmailAddress"]);
        assert_eq!(claims.remaining, remaining);
        assert!(claims.method.is_none());
    }

    #[test]
    fn a_receipt_verifies_with_its_key_only_and_nothing_else_passes_for_one() {
        let catalog = Catalog::default_demo().unwrap();
        let scope = ["mc_vm_share".to_owned()];
        let given = Event::Given {
            authenticator: "ussd",
            prompt_sha256: "00",
        };
        let claims = claims(
            &catalog,
            "https://gw",
            "rc-3",
            &signup(&scope),
            &given,
            0,
            0,
        );
        let (_dir, keys) = new_keys();
        let jws = sign(&keys, &claims).unwrap();
        assert_eq!(verify(&keys.decoding, &jws).unwrap(), claims);
        let (_other_dir, other) = new_keys();
        assert!(matches!(
            verify(&other.decoding, &jws),
            Err(ReceiptError::Signature(_))
        ));
        let head = assent_audit::Head {
            seq: 1,
            hash: assent_audit::Digest32::from_hex(&"00".repeat(32)).unwrap(),
        };
        let checkpoint = crate::rules::checkpoint::sign(&keys, "https://gw", head, 0).unwrap();
        assert!(matches!(
            verify(&keys.decoding, &checkpoint),
            Err(ReceiptError::NotAReceipt(_))
        ));
    }
}
