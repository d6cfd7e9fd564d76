//! JWTs signed by an SP with a key of its registered JWK Set: client assertions for
//! `private_key_jwt` (RFC 7523 §2.2, §3; OIDC Core §9) and signed `login_hint_token`s
//! (CIBA §7.1). Signature checks are jsonwebtoken's; this module only says which keys,
//! algorithms and claims are acceptable.

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::Value;

/// Asymmetric algorithms only: the gateway holds no SP secret in clear, so HMAC-signed
/// assertions (client_secret_jwt) cannot be verified, and `none` is never acceptable.
pub const ALGORITHMS: &[Algorithm] = &[
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::PS256,
    Algorithm::RS256,
    Algorithm::EdDSA,
];
/// Names of [`ALGORITHMS`] for discovery.
pub const ALGORITHM_NAMES: &[&str] = &["ES256", "ES384", "PS256", "RS256", "EdDSA"];

/// Clock skew tolerated on `exp`, `nbf` and `iat` (seconds).
pub const LEEWAY_S: u64 = 30;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SpJwtError {
    #[error("the SP has no registered keys")]
    NoKeys,
    #[error("the SP's registered keys are not a valid JWK Set")]
    BadKeySet,
    #[error("not a JWT")]
    Malformed,
    #[error("algorithm {0} is not accepted")]
    Algorithm(String),
    #[error("no registered key matches the JWT's kid")]
    UnknownKey,
    #[error("the JWT is not valid: {0}")]
    Invalid(String),
}

/// What the JWT must say about itself.
#[derive(Debug)]
pub struct Expect<'a> {
    /// `iss` must be this (the client_id).
    pub issuer: &'a str,
    /// `aud` must contain one of these.
    pub audiences: &'a [String],
    /// `sub` must be this, when given (client assertions: the client_id).
    pub subject: Option<&'a str>,
}

/// Verifies `token` with the SP's JWK Set (JSON text) and returns its claims.
pub fn verify(jwks: Option<&str>, token: &str, expect: &Expect<'_>) -> Result<Value, SpJwtError> {
    let jwks = jwks.ok_or(SpJwtError::NoKeys)?;
    let set: JwkSet = serde_json::from_str(jwks).map_err(|_| SpJwtError::BadKeySet)?;
    let header = jsonwebtoken::decode_header(token).map_err(|_| SpJwtError::Malformed)?;
    if !ALGORITHMS.contains(&header.alg) {
        return Err(SpJwtError::Algorithm(format!("{:?}", header.alg)));
    }
    let jwk = match &header.kid {
        Some(kid) => set.find(kid).ok_or(SpJwtError::UnknownKey)?,
        // Without a kid only an unambiguous key set will do.
        None if set.keys.len() == 1 => set.keys.first().ok_or(SpJwtError::UnknownKey)?,
        None => return Err(SpJwtError::UnknownKey),
    };
    let key = DecodingKey::from_jwk(jwk).map_err(|_| SpJwtError::BadKeySet)?;
    let mut validation = Validation::new(header.alg);
    validation.leeway = LEEWAY_S;
    validation.set_issuer(&[expect.issuer]);
    validation.set_audience(expect.audiences);
    validation.set_required_spec_claims(&["exp", "iss", "aud"]);
    if let Some(subject) = expect.subject {
        validation.sub = Some(subject.to_owned());
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    }
    let data = jsonwebtoken::decode::<Value>(token, &key, &validation)
        .map_err(|e| SpJwtError::Invalid(e.to_string()))?;
    Ok(data.claims)
}
