//! The service catalog: which attributes each Mobile Connect service (scope) covers, the
//! level of assurance it needs (MC_ATTR_04) and where its consent is captured (MC_ATTR_08).
//!
//! It is a JSON file (`serve --catalog FILE`); without one, the demo defaults of the gateway
//! issue apply, which are `config/catalog.default.json` in this crate (embedded at build
//! time, so the file in the repository is the one source of truth for the defaults).

use serde::Deserialize;
use std::path::Path;

/// The default catalog, as shipped.
pub const DEFAULT_JSON: &str = include_str!("../../config/catalog.default.json");

/// Attributes the gateway can supply (see `ciba::user_value`); a catalog naming another is
/// refused at start, not discovered at the first prompt.
pub const KNOWN_ATTRIBUTES: &[&str] = &[
    "given_name",
    "family_name",
    "email",
    "birthdate",
    "address",
    "postal_code",
    "device_msisdn",
    "sim_change",
];

/// How a service uses its attributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceKind {
    /// Returns the user's values (share).
    Share,
    /// Compares values the SP submits (match): the prompt names the attributes only.
    Match,
    /// Account takeover protection for generic tokens: no consent, the user is notified.
    Atp,
}

/// Where the user's consent is captured (MC_ATTR_08).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentCapture {
    /// On the Authentication Device, in the same interaction as authentication.
    Authenticator,
    /// Device-Initiated requests: on the Consumption Device (the browser page), after the
    /// user authenticated on the Authentication Device. Server-Initiated requests have no
    /// browser and fall back to the authenticator.
    ConsumptionDevice,
    /// No consent (`mc_atp`, seed 003): the user is notified instead.
    None,
}

/// How a match service answers (IDY.03 §4.3, MC_ATTR_27).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchAnswer {
    /// `<claim>_verified`: `true` or `false` (mc_vm_match, Annex B).
    Verified,
    /// `<claim>_match`: `"true"`, `"false"` or `"not_available"`; each claim also has a
    /// `<claim>_hashed` twin, the lowercase hex SHA-256 of the UTF-8 value (mc_kyc_match).
    Tristate,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttributeRule {
    pub name: String,
    pub required: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Service {
    pub scope: String,
    pub kind: ServiceKind,
    /// Level of assurance the authenticator must reach (MC_ATTR_04), 1 to 4.
    pub loa: u8,
    pub consent: ConsentCapture,
    /// What the SP may use the data for, as a term of the W3C Data Privacy Vocabulary
    /// (`dpv:IdentityVerification` when absent): named in the consent receipts.
    #[serde(default)]
    pub purpose: Option<String>,
    /// The longest a long-lived consent to this service lives, in days; absent: until the
    /// user revokes it. The user is reminded a week before it ends.
    #[serde(default)]
    pub max_lifetime_days: Option<u32>,
    pub attributes: Vec<AttributeRule>,
    /// Match services only.
    #[serde(default)]
    pub match_answer: Option<MatchAnswer>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    services: Vec<Service>,
}

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("service catalog {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("service catalog: not valid JSON of the expected shape: {0}")]
    Parse(#[from] serde_json::Error),
    #[error("service catalog: {0}")]
    Invalid(String),
}

impl Catalog {
    /// The demo defaults.
    pub fn default_demo() -> Result<Catalog, CatalogError> {
        Catalog::parse(DEFAULT_JSON)
    }

    pub fn load(path: &Path) -> Result<Catalog, CatalogError> {
        let text = std::fs::read_to_string(path).map_err(|source| CatalogError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Catalog::parse(&text)
    }

    pub fn parse(text: &str) -> Result<Catalog, CatalogError> {
        let catalog: Catalog = serde_json::from_str(text)?;
        catalog.validate()?;
        Ok(catalog)
    }

    fn validate(&self) -> Result<(), CatalogError> {
        let invalid = |m: String| Err(CatalogError::Invalid(m));
        for (i, service) in self.services.iter().enumerate() {
            let scope = &service.scope;
            let scope_ok = !scope.is_empty()
                && scope
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            if !scope_ok || scope == "openid" {
                return invalid(format!(
                    "service {i}: scope {scope:?} must be lowercase letters, digits and _ (and not openid)"
                ));
            }
            if self.services[..i].iter().any(|s| &s.scope == scope) {
                return invalid(format!("scope {scope} is listed twice"));
            }
            if !(1..=4).contains(&service.loa) {
                return invalid(format!("{scope}: loa must be 1 to 4"));
            }
            if service.attributes.is_empty() {
                return invalid(format!("{scope}: no attributes"));
            }
            for attribute in &service.attributes {
                if !KNOWN_ATTRIBUTES.contains(&attribute.name.as_str()) {
                    return invalid(format!(
                        "{scope}: unknown attribute {} (known: {})",
                        attribute.name,
                        KNOWN_ATTRIBUTES.join(", ")
                    ));
                }
            }
            if let Some(purpose) = &service.purpose
                && !is_dpv_term(purpose)
            {
                return invalid(format!(
                    "{scope}: purpose {purpose:?} is not a DPV term (dpv:Name)"
                ));
            }
            if service.max_lifetime_days == Some(0) || service.max_lifetime_days > Some(3_650) {
                return invalid(format!("{scope}: max_lifetime_days must be 1 to 3650"));
            }
            if (service.kind == ServiceKind::Match) != service.match_answer.is_some() {
                return invalid(format!(
                    "{scope}: match services (and only they) name their match_answer"
                ));
            }
            let no_consent = service.consent == ConsentCapture::None;
            if no_consent != (service.kind == ServiceKind::Atp) {
                return invalid(format!(
                    "{scope}: consent \"none\" is for atp services only, and atp services have no consent"
                ));
            }
        }
        Ok(())
    }

    pub fn service(&self, scope: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.scope == scope)
    }

    pub fn services(&self) -> &[Service] {
        &self.services
    }

    /// The scopes that exist: `openid` and every service.
    pub fn scopes(&self) -> Vec<String> {
        std::iter::once("openid".to_owned())
            .chain(self.services.iter().map(|s| s.scope.clone()))
            .collect()
    }

    /// The level of assurance a request for `scope` needs: the highest of its services,
    /// and 2 for `openid` alone (authentication by possession of the handset).
    pub fn required_loa(&self, scope: &[String]) -> u8 {
        scope
            .iter()
            .filter_map(|s| self.service(s))
            .map(|s| s.loa)
            .fold(2, u8::max)
    }

    /// How long a long-lived consent to `scope` lives: the shortest `max_lifetime_days` of
    /// its services, in milliseconds; `None`: until revoked.
    pub fn consent_lifetime_ms(&self, scope: &[String]) -> Option<i64> {
        scope
            .iter()
            .filter_map(|s| self.service(s))
            .filter_map(|s| s.max_lifetime_days)
            .min()
            .map(|days| i64::from(days) * 24 * 3_600_000)
    }

    /// MC_ATTR_08: consent goes to the Consumption Device when any requested service says so.
    pub fn consent_on_consumption_device(&self, scope: &[String]) -> bool {
        scope
            .iter()
            .filter_map(|s| self.service(s))
            .any(|s| s.consent == ConsentCapture::ConsumptionDevice)
    }
}

/// The purpose of a service as a DPV term (the receipts' `purposes`).
pub fn purpose_of(service: &Service) -> &str {
    service
        .purpose
        .as_deref()
        .unwrap_or("dpv:IdentityVerification")
}

/// `dpv:` or `pd:` followed by a name in UpperCamelCase, as the vocabulary writes its terms.
fn is_dpv_term(term: &str) -> bool {
    let name = term
        .strip_prefix("dpv:")
        .or_else(|| term.strip_prefix("pd:"));
    name.is_some_and(|n| {
        n.starts_with(|c: char| c.is_ascii_uppercase())
            && n.chars().all(|c| c.is_ascii_alphanumeric())
    })
}

/// The category of personal data an attribute is, as a term of DPV's personal data
/// extension (`pd:`), for the receipts' data categories.
pub fn data_category(attribute: &str) -> &'static str {
    match attribute {
        "given_name" | "family_name" => "pd:Name",
        "email" => "pd:EmailAddress",
        "birthdate" => "pd:BirthDate",
        "address" => "pd:PhysicalAddress",
        "postal_code" => "pd:PostalCode",
        "device_msisdn" => "pd:TelephoneNumber",
        "sim_change" => "pd:DeviceBased",
        _ => "pd:Identifying",
    }
}

/// The attribute group shown when the prompt falls back to groups (MC_ATTR_11).
pub fn group_of(attribute: &str) -> &'static str {
    match attribute {
        "given_name" | "family_name" | "name" | "middle_name" => "name",
        "email" => "contact",
        "birthdate" => "birthdate",
        "address" | "street_address" | "postal_code" | "locality" | "country" => "address",
        "device_msisdn" | "phone_number" => "phone",
        _ => "identity",
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_shipped_defaults_are_the_issue_s_catalog() {
        let catalog = Catalog::default_demo().unwrap();
        assert_eq!(
            catalog.scopes(),
            [
                "openid",
                "mc_vm_share",
                "mc_vm_match",
                "mc_identity_signup",
                "mc_kyc_match",
                "mc_atp"
            ]
        );
        let signup = catalog.service("mc_identity_signup").unwrap();
        let required: Vec<&str> = signup
            .attributes
            .iter()
            .filter(|a| a.required)
            .map(|a| a.name.as_str())
            .collect();
        assert_eq!(required, ["given_name", "family_name"]);
        assert_eq!(
            catalog.service("mc_atp").unwrap().consent,
            ConsentCapture::None
        );
        assert_eq!(catalog.required_loa(&["openid".into()]), 2);
        assert!(!catalog.consent_on_consumption_device(&["mc_identity_signup".into()]));
        // Long-lived consents live 180 days at most; the shortest service decides.
        assert_eq!(
            catalog.consent_lifetime_ms(&["openid".into(), "mc_vm_share".into()]),
            Some(180 * 24 * 3_600_000)
        );
        assert_eq!(catalog.consent_lifetime_ms(&["openid".into()]), None);
        assert_eq!(
            purpose_of(catalog.service("mc_atp").unwrap()),
            "dpv:FraudPreventionAndDetection"
        );
    }

    #[test]
    fn bad_catalogs_are_refused_with_the_reason() {
        let one = |service: &str| format!("{{\"services\": [{service}]}}");
        let cases = [
            (
                one(
                    r#"{"scope": "openid", "kind": "share", "loa": 2, "consent": "authenticator", "attributes": [{"name": "email", "required": true}]}"#,
                ),
                "openid",
            ),
            (
                one(
                    r#"{"scope": "x", "kind": "share", "loa": 9, "consent": "authenticator", "attributes": [{"name": "email", "required": true}]}"#,
                ),
                "loa",
            ),
            (
                one(
                    r#"{"scope": "x", "kind": "share", "loa": 2, "consent": "authenticator", "attributes": [{"name": "shoe_size", "required": true}]}"#,
                ),
                "unknown attribute shoe_size",
            ),
            (
                one(
                    r#"{"scope": "x", "kind": "share", "loa": 2, "consent": "none", "attributes": [{"name": "email", "required": true}]}"#,
                ),
                "atp",
            ),
            (
                one(
                    r#"{"scope": "x", "kind": "share", "loa": 2, "consent": "authenticator", "attributes": [], "extra": 1}"#,
                ),
                "unknown field",
            ),
            (
                one(
                    r#"{"scope": "x", "kind": "share", "loa": 2, "consent": "authenticator", "purpose": "marketing", "attributes": [{"name": "email", "required": true}]}"#,
                ),
                "not a DPV term",
            ),
            (
                one(
                    r#"{"scope": "x", "kind": "share", "loa": 2, "consent": "authenticator", "max_lifetime_days": 0, "attributes": [{"name": "email", "required": true}]}"#,
                ),
                "max_lifetime_days",
            ),
            ("not json".to_owned(), "JSON"),
        ];
        for (text, expected) in cases {
            let error = Catalog::parse(&text).unwrap_err().to_string();
            assert!(
                error.contains(expected),
                "{error} should mention {expected}"
            );
        }
    }
}
