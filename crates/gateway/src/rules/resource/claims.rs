//! What a Resource Response says, without I/O: share services return every supported
//! attribute (empty when unknown, MC_ATTR_29); match services answer only the submitted
//! claims they support (MC_ATTR_22, 27), plain or hashed.

use super::wire::ResourceError;
use crate::base::model::User;
use crate::rules::catalog::{Catalog, MatchAnswer, ServiceKind};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The claims a response carries, and the attribute names it disclosed (for the audit).
#[derive(Debug, Default)]
pub struct Answer {
    pub claims: Map<String, Value>,
    pub attributes: Vec<String>,
    /// How close each submitted plain value that did not match came to the stored one
    /// (Jaro-Winkler, 0–100: [`similarity`]), by attribute; for CAMARA KYC Match's scores,
    /// never part of a Mobile Connect answer.
    pub similarity: Vec<(String, u8)>,
}

/// CAMARA KYC Match's `*MatchScore`: the Jaro-Winkler similarity of the two values as
/// they are compared (case and surrounding space folded), 0 to 100.
pub fn similarity(stored: &str, submitted: &str) -> u8 {
    let fold = |s: &str| s.trim().to_lowercase();
    let score = strsim::jaro_winkler(&fold(stored), &fold(submitted)) * 100.0;
    // In 0..=100 by construction; the cast cannot wrap.
    score.round().clamp(0.0, 100.0) as u8
}

/// The user's stored value of an attribute, as text (the one the hashes are taken over).
fn stored(user: &User, name: &str) -> Option<String> {
    crate::rules::consent::user_value(user, name).filter(|v| !v.is_empty())
}

/// OIDC Core §5.1.1: the address claim is an object.
fn address(user: &User) -> Value {
    let parts = [
        ("street_address", &user.street_address),
        ("postal_code", &user.postal_code),
        ("locality", &user.locality),
        ("country", &user.country),
    ];
    if parts.iter().all(|(_, v)| v.is_none()) {
        return json!("");
    }
    let object: Map<String, Value> = parts
        .into_iter()
        .map(|(k, v)| (k.to_owned(), json!(v.clone().unwrap_or_default())))
        .collect();
    Value::Object(object)
}

/// MC_ATTR_29: every attribute of the share services in `scope`; a missing one is "", and
/// so is one the user `withheld` (withdrew from the consent while keeping the rest): it is
/// not disclosed, so it is not listed among the attributes the answer disclosed.
pub fn share(
    catalog: &Catalog,
    scope: &[String],
    user: &User,
    withheld: &[String],
    answer: &mut Answer,
) {
    for service in scope.iter().filter_map(|s| catalog.service(s)) {
        if !matches!(service.kind, ServiceKind::Share | ServiceKind::Atp) {
            continue;
        }
        for rule in &service.attributes {
            let name = rule.name.as_str();
            if answer.claims.contains_key(name) {
                continue;
            }
            if withheld.iter().any(|w| w == name) {
                answer.claims.insert(name.to_owned(), json!(""));
                continue;
            }
            let value = match name {
                "address" => address(user),
                _ => json!(stored(user, name).unwrap_or_default()),
            };
            answer.claims.insert(name.to_owned(), value);
            answer.attributes.push(name.to_owned());
        }
    }
}

/// Whether a match service in `scope` exists (an SP that sends claims needs one).
pub fn has_match_service(catalog: &Catalog, scope: &[String]) -> bool {
    scope
        .iter()
        .filter_map(|s| catalog.service(s))
        .any(|s| s.kind == ServiceKind::Match)
}

/// How two values compare for an attribute: the forms people write differ in case and
/// spacing, which is not a different value.
fn same(name: &str, stored: &str, submitted: &str) -> bool {
    let fold = |s: &str| -> String {
        match name {
            "device_msisdn" => s.chars().filter(char::is_ascii_digit).collect(),
            "postal_code" => s
                .chars()
                .filter(|c| !c.is_whitespace())
                .flat_map(char::to_lowercase)
                .collect(),
            "birthdate" => s.trim().to_owned(),
            _ => s.trim().to_lowercase(),
        }
    };
    let (a, b) = (fold(stored), fold(submitted));
    !a.is_empty() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

fn same_hash(stored: &str, submitted_hex: &str) -> bool {
    let digest = hex::encode(Sha256::digest(stored.as_bytes()));
    bool::from(
        digest
            .as_bytes()
            .ct_eq(submitted_hex.to_ascii_lowercase().as_bytes()),
    )
}

/// The refusal of a match whose claims no service of the token supports.
pub const NONE_SUPPORTED: &str =
    "none of the submitted claims is supported by the token's services";

/// MC_ATTR_22, 27: answers the submitted claims the match services in `scope` support;
/// others are ignored; none supported is `invalid_request`.
pub fn match_claims(
    catalog: &Catalog,
    scope: &[String],
    user: &User,
    withheld: &[String],
    submitted: &Map<String, Value>,
    answer: &mut Answer,
) -> Result<(), ResourceError> {
    let mut answered = 0;
    for service in scope.iter().filter_map(|s| catalog.service(s)) {
        let Some(style) = service.match_answer else {
            continue;
        };
        for rule in &service.attributes {
            let name = rule.name.as_str();
            let hashed_name = format!("{name}_hashed");
            let plain = submitted.get(name);
            let hashed = match style {
                MatchAnswer::Tristate => submitted.get(&hashed_name),
                MatchAnswer::Verified => None,
            };
            if plain.is_some() && hashed.is_some() {
                // §4.3: inconsistent input (one claim in two forms) is an error.
                return Err(ResourceError::invalid_request(format!(
                    "send {name} or {hashed_name}, not both"
                )));
            }
            let (claim, value, is_hashed) = match (plain, hashed) {
                (Some(v), None) => (name.to_owned(), v, false),
                (None, Some(v)) => (hashed_name, v, true),
                _ => continue,
            };
            let Some(value) = value.as_str() else {
                return Err(ResourceError::invalid_request(format!(
                    "the value of {claim} must be a string"
                )));
            };
            if is_hashed && !(value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit())) {
                return Err(ResourceError::invalid_request(format!(
                    "{claim} must be a hex SHA-256 (64 characters)"
                )));
            }
            // A withheld attribute is compared with nothing: `not_available` (or not
            // verified), exactly as a value the operator does not hold.
            let withheld = withheld.iter().any(|w| w == name);
            let mine = stored(user, name).filter(|_| !withheld);
            let result = mine.as_deref().map(|mine| {
                if is_hashed {
                    same_hash(mine, value)
                } else {
                    same(name, mine, value)
                }
            });
            if let (Some(false), Some(mine), false) = (result, mine.as_deref(), is_hashed) {
                answer
                    .similarity
                    .push((name.to_owned(), similarity(mine, value)));
            }
            match style {
                MatchAnswer::Verified => {
                    answer
                        .claims
                        .insert(format!("{claim}_verified"), json!(result == Some(true)));
                }
                MatchAnswer::Tristate => {
                    let text = match result {
                        Some(true) => "true",
                        Some(false) => "false",
                        None => "not_available",
                    };
                    answer.claims.insert(format!("{claim}_match"), json!(text));
                }
            }
            if !withheld {
                answer.attributes.push(name.to_owned());
            }
            answered += 1;
        }
    }
    if answered == 0 {
        return Err(ResourceError::invalid_request(NONE_SUPPORTED));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn demo_user(id: &str) -> User {
        crate::base::demo::users(time::macros::date!(2026 - 11 - 27))
            .into_iter()
            .find(|u| u.id == id)
            .unwrap()
    }

    /// Marie of the demo data: every attribute known.
    fn marie() -> User {
        demo_user("u-demo-marie")
    }

    /// Ana of the demo data: only a given name.
    fn ana() -> User {
        demo_user("u-demo-ana")
    }

    fn scope(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    fn claims(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn mc_attr_29_share_returns_every_attribute_and_empty_values() {
        let catalog = Catalog::default_demo().unwrap();
        let ana = ana();
        let mut answer = Answer::default();
        share(
            &catalog,
            &scope(&["openid", "mc_identity_signup"]),
            &ana,
            &[],
            &mut answer,
        );
        assert_eq!(
            Value::Object(answer.claims),
            json!({"given_name": "Ana", "family_name": "", "email": "", "birthdate": "", "address": ""})
        );
        let mut answer = Answer::default();
        share(
            &catalog,
            &scope(&["mc_identity_signup", "mc_vm_share"]),
            &marie(),
            &[],
            &mut answer,
        );
        assert_eq!(answer.claims["device_msisdn"], "+447700900001");
        assert_eq!(answer.claims["address"]["locality"], "Paris");
    }

    #[test]
    fn annex_b_vm_match_answers_verified() {
        let catalog = Catalog::default_demo().unwrap();
        let run = |number: &str| {
            let mut answer = Answer::default();
            match_claims(
                &catalog,
                &scope(&["mc_vm_match"]),
                &marie(),
                &[],
                &claims(json!({"device_msisdn": number})),
                &mut answer,
            )
            .unwrap();
            answer.claims
        };
        assert_eq!(run("+447700900001")["device_msisdn_verified"], true);
        assert_eq!(run("447700900001")["device_msisdn_verified"], true);
        assert_eq!(run("+447700900009")["device_msisdn_verified"], false);
    }

    #[test]
    fn mc_attr_22_27_kyc_match_plain_hashed_unknown_and_ignored() {
        let catalog = Catalog::default_demo().unwrap();
        let ana = ana();
        let hashed = hex::encode(Sha256::digest("Curie".as_bytes()));
        let mut answer = Answer::default();
        match_claims(
            &catalog,
            &scope(&["mc_kyc_match"]),
            &marie(),
            &[],
            &claims(
                json!({"given_name": " marie ", "family_name_hashed": hashed,
                           "email": "someone@else.org", "shoe_size": "38"}),
            ),
            &mut answer,
        )
        .unwrap();
        assert_eq!(
            Value::Object(answer.claims),
            json!({"given_name_match": "true", "family_name_hashed_match": "true",
                   "email_match": "false"})
        );
        let mut answer = Answer::default();
        match_claims(
            &catalog,
            &scope(&["mc_kyc_match"]),
            &ana,
            &[],
            &claims(json!({"birthdate": "1990-01-01"})),
            &mut answer,
        )
        .unwrap();
        assert_eq!(answer.claims["birthdate_match"], "not_available");
        // Nothing supported, both forms, non-strings, bad hashes: refused.
        for bad in [
            json!({"shoe_size": "38"}),
            json!({"given_name": "Marie", "given_name_hashed": hashed}),
            json!({"given_name": 7}),
            json!({"given_name_hashed": "abc"}),
        ] {
            let mut answer = Answer::default();
            let error = match_claims(
                &catalog,
                &scope(&["mc_kyc_match"]),
                &marie(),
                &[],
                &claims(bad.clone()),
                &mut answer,
            )
            .unwrap_err();
            assert_eq!(error.code(), Some("invalid_request"), "{bad}");
        }
        // A match service's claims do not apply to a token without it.
        let mut answer = Answer::default();
        assert!(
            match_claims(
                &catalog,
                &scope(&["mc_vm_match"]),
                &marie(),
                &[],
                &claims(json!({"given_name": "Marie"})),
                &mut answer
            )
            .is_err()
        );
    }

    #[test]
    fn a_withheld_attribute_is_shared_empty_and_matched_as_not_available() {
        let catalog = Catalog::default_demo().unwrap();
        let withheld = ["email".to_owned()];
        let mut answer = Answer::default();
        share(
            &catalog,
            &scope(&["mc_identity_signup"]),
            &marie(),
            &withheld,
            &mut answer,
        );
        assert_eq!(answer.claims["email"], "");
        assert_eq!(answer.claims["given_name"], "Marie");
        assert!(!answer.attributes.contains(&"email".to_owned()));
        let mut answer = Answer::default();
        match_claims(
            &catalog,
            &scope(&["mc_kyc_match"]),
            &marie(),
            &withheld,
            &claims(json!({"email": "marie.curie@example.org", "given_name": "Marie"})),
            &mut answer,
        )
        .unwrap();
        assert_eq!(answer.claims["email_match"], "not_available");
        assert_eq!(answer.claims["given_name_match"], "true");
        let mut answer = Answer::default();
        match_claims(
            &catalog,
            &scope(&["mc_vm_match"]),
            &marie(),
            &["device_msisdn".to_owned()],
            &claims(json!({"device_msisdn": "+447700900001"})),
            &mut answer,
        )
        .unwrap();
        assert_eq!(answer.claims["device_msisdn_verified"], false);
    }
}
