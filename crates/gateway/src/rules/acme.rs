//! The ACME server's rules without I/O (RFC 8555 with TNAuthList, RFC 9448, and
//! `sms-link-00`, docs/acme-sms-link.md): resource URLs, what a request's payload may say
//! (contacts, the order's identifier, a revocation reason), whether a key is the account
//! key, and the host the code's SMS is bound to. The wire formats themselves (JWS, problems,
//! TNAuthList DER, CSRs, key authorizations) are `assent-acme`'s.

use crate::base::msisdn::normalize_msisdn;
use assent_acme::jws::AccountKey;
use assent_acme::problem::{AcmeProblem, ProblemType};
use assent_acme::tnauthlist;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value, json};

/// The URL of an ACME resource as clients see it: `path` under `ISSUER/acme`.
pub fn resource_url(issuer: &str, path: &str) -> String {
    format!("{issuer}/acme{path}")
}

/// `contact` (RFC 8555 §7.3): `mailto:` or `tel:` URLs; an empty list is fine.
pub fn contacts(value: Option<&Value>) -> Result<Value, AcmeProblem> {
    match value {
        None => Ok(json!([])),
        Some(Value::Array(items)) => {
            for item in items {
                let Some(text) = item.as_str() else {
                    return Err(AcmeProblem::new(
                        ProblemType::InvalidContact,
                        "contacts are URLs",
                    ));
                };
                if !(text.starts_with("mailto:") || text.starts_with("tel:")) {
                    return Err(AcmeProblem::new(
                        ProblemType::UnsupportedContact,
                        "only mailto: and tel: contacts are supported",
                    ));
                }
            }
            Ok(Value::Array(items.clone()))
        }
        Some(_) => Err(AcmeProblem::malformed("contact must be an array")),
    }
}

/// The number a newOrder payload asks for (RFC 8555 §7.4): exactly one `TNAuthList`
/// identifier (RFC 9448 §3) naming one E.164 number, as the gateway stores numbers (digits,
/// no `+`). No `notBefore` / `notAfter`: certificates live from issuance.
pub fn order_number(payload: &Map<String, Value>) -> Result<String, AcmeProblem> {
    if payload.contains_key("notBefore") || payload.contains_key("notAfter") {
        return Err(AcmeProblem::malformed(
            "notBefore and notAfter are not supported: certificates live 30 days from issuance",
        ));
    }
    let identifiers = payload
        .get("identifiers")
        .and_then(Value::as_array)
        .ok_or_else(|| AcmeProblem::malformed("identifiers is missing"))?;
    if let Some(other) = identifiers
        .iter()
        .find(|i| i["type"] != tnauthlist::IDENTIFIER_TYPE)
    {
        return Err(AcmeProblem::new(
            ProblemType::UnsupportedIdentifier,
            format!(
                "this server issues certificates for telephone numbers only (TNAuthList, RFC 9448), not {}",
                other["type"]
            ),
        ));
    }
    let [identifier] = identifiers.as_slice() else {
        return Err(AcmeProblem::new(
            ProblemType::RejectedIdentifier,
            "an order names exactly one telephone number",
        ));
    };
    let value = identifier["value"]
        .as_str()
        .ok_or_else(|| AcmeProblem::malformed("the identifier value must be a string"))?;
    let number = tnauthlist::number_from_identifier_value(value).map_err(|e| {
        AcmeProblem::new(
            ProblemType::RejectedIdentifier,
            format!("not a single telephone number: {e}"),
        )
    })?;
    normalize_msisdn(&number)
        .ok_or_else(|| AcmeProblem::new(ProblemType::RejectedIdentifier, "not an E.164 number"))
}

/// A member of a payload that carries DER in base64url (`csr` in finalize, RFC 8555 §7.4;
/// `certificate` in revokeCert, §7.6).
pub fn der_member(payload: &Map<String, Value>, name: &str) -> Result<Vec<u8>, AcmeProblem> {
    payload
        .get(name)
        .and_then(Value::as_str)
        .and_then(|b64| URL_SAFE_NO_PAD.decode(b64).ok())
        .ok_or_else(|| AcmeProblem::malformed(format!("{name} must be base64url DER")))
}

/// The revocation reason of a revokeCert payload (RFC 8555 §7.6): an RFC 5280 §5.3.1
/// CRLReason code, 0 (unspecified) when absent; 7 is not a code.
pub fn revocation_reason(value: Option<&Value>) -> Result<i64, AcmeProblem> {
    match value {
        None => Ok(0),
        Some(value) => match value.as_i64() {
            Some(r) if (0..=10).contains(&r) && r != 7 => Ok(r),
            _ => Err(AcmeProblem::new(
                ProblemType::BadRevocationReason,
                "reason must be an RFC 5280 code (0–10, not 7)",
            )),
        },
    }
}

/// Whether an SPKI (DER) holds the same public key as an account key: the subjectPublicKey
/// BIT STRING ends the SPKI and carries the raw key (the uncompressed P-256 point, or the 32
/// Ed25519 bytes), which the JWK also carries. A certificate's key must not be the account
/// key (RFC 8555 §11.1), and a certificate may be revoked by a request signed with its key
/// (§7.6).
pub fn spki_is(spki_der: &[u8], key: &AccountKey) -> bool {
    let jwk = key.to_jwk();
    let decode = |member: &str| {
        jwk[member]
            .as_str()
            .and_then(|v| URL_SAFE_NO_PAD.decode(v).ok())
    };
    let raw = match jwk["kty"].as_str() {
        Some("EC") => match (decode("x"), decode("y")) {
            (Some(x), Some(y)) => [vec![4u8], x, y].concat(),
            _ => return false,
        },
        Some("OKP") => match decode("x") {
            Some(x) => x,
            None => return false,
        },
        _ => return false,
    };
    !raw.is_empty() && spki_der.ends_with(&raw)
}

/// The host of the issuer URL, for the origin-bound code line (`@host #code`): without the
/// scheme, port or path. An issuer given with `--issuer` may have neither port nor path.
pub fn issuer_host(issuer: &str) -> &str {
    let rest = issuer.strip_prefix("https://").unwrap_or(issuer);
    let authority = rest.split('/').next().unwrap_or(rest);
    match authority.rsplit_once(':') {
        Some((host, port)) if !host.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => host,
        _ => authority,
    }
}

/// A budget: at most `cap` reservations per fixed window of `window_ms` for `key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Budget {
    pub key: String,
    pub window_ms: i64,
    pub cap: i64,
    /// What the budget protects, for the `rateLimited` detail.
    pub what: &'static str,
}

const HOUR_MS: i64 = 3_600_000;

/// The budgets one code SMS spends, each reserved before the SMS is sent
/// (docs/acme-sms-link.md): the number's (5 an hour: nobody is bombed with codes), the
/// account's (10 an hour: one client cannot spread SMS pumping over many numbers) and the
/// whole gateway's (60 a minute, every number and account: a ceiling on what a flood can
/// cost, whoever sends it).
pub fn sms_budgets(number: &str, account_id: &str) -> [Budget; 3] {
    [
        Budget {
            key: format!("sms:number:{number}"),
            window_ms: HOUR_MS,
            cap: i64::from(assent_acme::sms_link::MAX_SMS_PER_NUMBER_PER_HOUR),
            what: "codes per number per hour",
        },
        Budget {
            key: format!("sms:account:{account_id}"),
            window_ms: HOUR_MS,
            cap: 10,
            what: "codes per account per hour",
        },
        Budget {
            key: "sms:gateway".to_owned(),
            window_ms: 60_000,
            cap: 60,
            what: "codes per minute on this gateway",
        },
    ]
}

/// Whole seconds to wait for `ms` (at least 1): `Retry-After` (RFC 8555 §6.6).
/// The SIM-swap hold (NIST SP 800-63B §5.1.3.3: a SIM change is a risk indicator for codes
/// sent by SMS; RFC 8555 §10.1 leaves the identifier's proof to the server): a number whose
/// SIM changed less than `hold_ms` before `now_ms` cannot be proven, since a swapped SIM
/// receives the codes. Returns when the hold ends, if it holds. `sim_change` is the operator's
/// record (RFC 3339); one that cannot be read holds as if the SIM changed now — a record
/// nobody can date must not let a proof through.
pub fn sim_swap_hold_until(sim_change: Option<&str>, hold_ms: i64, now_ms: i64) -> Option<i64> {
    let text = sim_change?;
    let changed_ms =
        time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
            .ok()
            .and_then(|t| i64::try_from(t.unix_timestamp_nanos() / 1_000_000).ok())
            .unwrap_or(now_ms);
    let until = changed_ms.saturating_add(hold_ms);
    (now_ms < until).then_some(until)
}

pub fn retry_after_s(ms: i64) -> u64 {
    u64::try_from((ms.max(1) + 999) / 1000).unwrap_or(3600)
}

/// What an authorization in `status` becomes once `now_ms` is past its `expires_ms`
/// (RFC 8555 §7.1.6): `pending` → `invalid`, `valid` → `expired`. `None` while it is alive
/// or already final. An order lives exactly as long as its one authorization, so the order
/// (and the challenge) end with it.
pub fn authz_status_at(status: &str, expires_ms: i64, now_ms: i64) -> Option<&'static str> {
    if now_ms <= expires_ms {
        return None;
    }
    match status {
        "pending" => Some("invalid"),
        "valid" => Some("expired"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_code_line_names_the_issuer_host_only() {
        for (issuer, host) in [
            ("https://127.0.0.1:8443", "127.0.0.1"),
            ("https://assent.example", "assent.example"),
            ("https://assent.example/mc", "assent.example"),
            ("https://[::1]:8443", "[::1]"),
            ("https://[::1]", "[::1]"),
        ] {
            assert_eq!(issuer_host(issuer), host, "{issuer}");
        }
    }

    #[test]
    fn an_order_names_one_telephone_number() {
        let payload = |v: Value| v.as_object().cloned().unwrap_or_default();
        let tn = tnauthlist::identifier_value("+447700900001").unwrap_or_default();
        assert_eq!(
            order_number(&payload(
                json!({"identifiers": [{"type": "TNAuthList", "value": tn}]})
            )),
            Ok("447700900001".to_owned())
        );
        let kind = |v: Value| order_number(&payload(v)).map_err(|p| p.kind);
        assert_eq!(
            kind(json!({"identifiers": [{"type": "dns", "value": "example.org"}]})),
            Err(ProblemType::UnsupportedIdentifier)
        );
        assert_eq!(
            kind(json!({"identifiers": [
                {"type": "TNAuthList", "value": tn},
                {"type": "TNAuthList", "value": tn},
            ]})),
            Err(ProblemType::RejectedIdentifier)
        );
        assert_eq!(
            kind(json!({"identifiers": [{"type": "TNAuthList", "value": tn}], "notAfter": "x"})),
            Err(ProblemType::Malformed)
        );
    }

    #[test]
    fn reasons_are_crl_reason_codes_and_contacts_mailto_or_tel() {
        assert_eq!(revocation_reason(None), Ok(0));
        assert_eq!(revocation_reason(Some(&json!(4))), Ok(4));
        for bad in [json!(7), json!(11), json!(-1), json!("1")] {
            assert_eq!(
                revocation_reason(Some(&bad)).map_err(|p| p.kind),
                Err(ProblemType::BadRevocationReason),
                "{bad}"
            );
        }
        assert_eq!(contacts(None), Ok(json!([])));
        assert_eq!(
            contacts(Some(&json!(["tel:+447700900001"]))),
            Ok(json!(["tel:+447700900001"]))
        );
        assert_eq!(
            contacts(Some(&json!(["https://x"]))).map_err(|p| p.kind),
            Err(ProblemType::UnsupportedContact)
        );
    }

    #[test]
    fn an_open_authorization_ends_once_past_its_expiry() {
        assert_eq!(authz_status_at("pending", 1000, 1000), None);
        assert_eq!(authz_status_at("pending", 1000, 1001), Some("invalid"));
        assert_eq!(authz_status_at("valid", 1000, 1001), Some("expired"));
        for done in ["invalid", "deactivated", "expired", "revoked"] {
            assert_eq!(authz_status_at(done, 1000, 5000), None, "{done}");
        }
    }

    #[test]
    fn a_code_sms_spends_the_numbers_the_accounts_and_the_gateways_budget() {
        let [number, account, all] = sms_budgets("447700900001", "a-1");
        assert_eq!((number.cap, number.window_ms), (5, 3_600_000));
        assert_eq!((account.cap, account.window_ms), (10, 3_600_000));
        assert_eq!((all.cap, all.window_ms), (60, 60_000));
        // Keys never collide across kinds: a number is never taken for an account.
        assert_ne!(number.key, sms_budgets("a-1", "447700900001")[1].key);
        assert_eq!(retry_after_s(1), 1);
        assert_eq!(retry_after_s(1001), 2);
        assert_eq!(retry_after_s(-5), 1);
    }

    #[test]
    fn a_recent_sim_change_holds_proofs_for_the_hold_period_only() {
        let hold = 24 * 3_600_000;
        let changed = "2026-12-01T00:00:00Z";
        let changed_ms = 1_796_083_200_000;
        assert_eq!(
            sim_swap_hold_until(Some(changed), hold, changed_ms + 1000),
            Some(changed_ms + hold)
        );
        assert_eq!(
            sim_swap_hold_until(Some(changed), hold, changed_ms + hold),
            None
        );
        assert_eq!(sim_swap_hold_until(None, hold, changed_ms), None);
        assert_eq!(sim_swap_hold_until(Some(changed), 0, changed_ms), None);
        // A record nobody can date holds from now.
        assert_eq!(
            sim_swap_hold_until(Some("last Tuesday"), hold, 5),
            Some(5 + hold)
        );
    }
}
