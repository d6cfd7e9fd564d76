//! Introspection answered as a JWT (RFC 9701): whether the caller asked for one, and the
//! signed answer. The RFC 7662 members themselves are built by the caller.

use serde_json::{Value, json};

/// The media type a resource server asks for (RFC 9701 §4) and the answer carries (§5).
pub const JWT_MEDIA_TYPE: &str = "application/token-introspection+jwt";

/// The JOSE `typ` of the answer (RFC 9701 §5): the media type without `application/`, so
/// nothing else this gateway's key signs (ID tokens, receipts, checkpoints) passes for it.
pub const JWT_TYP: &str = "token-introspection+jwt";

/// The one algorithm introspection answers are signed with (discovery's
/// `introspection_signing_alg_values_supported`): the gateway's only key is P-256.
pub const SIGNING_ALG: &str = "ES256";

#[derive(Debug, thiserror::Error)]
pub enum IntrospectionJwtError {
    #[error("signing failed: {0}")]
    Sign(#[from] jsonwebtoken::errors::Error),
}

/// Whether an `Accept` header (RFC 9110 §12.5.1) asks for [`JWT_MEDIA_TYPE`]: one of its
/// media ranges names it (case-insensitively) with a quality above 0. Wildcards do not: a
/// client that accepts anything gets the JSON of RFC 7662, as before this existed.
///
/// Parsed here: this one question is a few lines, and the content-negotiation crates bring a
/// whole ranking of types for it.
pub fn asks_for_jwt(accept: &str) -> bool {
    accept.split(',').any(|range| {
        let mut parts = range.split(';');
        let media_type = parts.next().unwrap_or("").trim();
        if !media_type.eq_ignore_ascii_case(JWT_MEDIA_TYPE) {
            return false;
        }
        let refused = parts.any(|param| {
            let Some((name, value)) = param.split_once('=') else {
                return false;
            };
            name.trim().eq_ignore_ascii_case("q")
                && value.trim().parse::<f32>().is_ok_and(|q| q <= 0.0)
        });
        !refused
    })
}

/// The claims of the answer (RFC 9701 §5): who says it (`iss`), for whom (`aud`: the
/// authenticated caller), when (`iat`), and the RFC 7662 answer as `token_introspection`.
/// No `sub` and no `exp` at the top, so the answer cannot pass for an access token (§8.1).
pub fn claims(issuer: &str, caller: &str, now_s: i64, token_introspection: Value) -> Value {
    json!({
        "iss": issuer,
        "aud": caller,
        "iat": now_s,
        "token_introspection": token_introspection,
    })
}

/// Signs `claims` with the gateway's key as an introspection answer.
pub fn sign(
    keys: &crate::base::keys::SigningKeys,
    claims: &Value,
) -> Result<String, IntrospectionJwtError> {
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
    header.kid = Some(keys.kid.clone());
    header.typ = Some(JWT_TYP.into());
    Ok(jsonwebtoken::encode(&header, claims, &keys.encoding)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_jwt_is_asked_for_only_by_name_and_not_refused() {
        for yes in [
            "application/token-introspection+jwt",
            "Application/Token-Introspection+JWT",
            "application/json;q=0.9, application/token-introspection+jwt",
            "application/token-introspection+jwt; q=0.1",
            " application/token-introspection+jwt ;charset=utf-8",
        ] {
            assert!(asks_for_jwt(yes), "{yes}");
        }
        for no in [
            "",
            "*/*",
            "application/*",
            "application/json",
            "application/jwt",
            "application/token-introspection+jwt;q=0",
            "application/token-introspection+jwt; Q = 0.0, application/json",
            "application/token-introspection+jwtx",
        ] {
            assert!(!asks_for_jwt(no), "{no}");
        }
    }

    #[test]
    fn the_claims_carry_no_sub_or_exp_at_the_top() {
        let c = claims(
            "https://gw",
            "atp-sp",
            1_700_000_000,
            json!({"active": true, "exp": 1_700_000_300, "sub": "x"}),
        );
        assert_eq!(c["aud"], "atp-sp");
        assert_eq!(c["iat"], 1_700_000_000);
        assert!(c.get("sub").is_none() && c.get("exp").is_none());
        assert_eq!(c["token_introspection"]["exp"], 1_700_000_300);
    }
}
