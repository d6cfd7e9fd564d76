//! The device API's rules without I/O (seed 001): the JWTs a device signs with the key of its
//! certificate — assertions (RFC 7523 §2.1), DPoP proofs (RFC 9449 §4) and signed consent
//! decisions — checked against a time passed in, and the error a device request ends in.
//! What an error looks like on the wire (status, the DPoP challenge) is decided in
//! `http::error`; what is stored (used `jti`s, devices, tokens) in `flows::device`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// An assertion or decision JWT may live at most this long (s).
pub const JWT_MAX_LIFETIME_S: i64 = 300;
/// A DPoP proof's `iat` may be this far from now (s): RFC 9449 §11.1 leaves the window to
/// the server; a minute covers a phone's clock drift.
pub const DPOP_SKEW_S: i64 = 60;
/// Clock skew tolerated on `exp` (s).
const EXP_LEEWAY_S: i64 = 30;

/// Why a device request failed; the HTTP layer gives each its status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceErrorKind {
    /// The request is malformed or contradicts itself.
    BadRequest,
    /// No valid device token, assertion or DPoP proof (answered with a DPoP challenge,
    /// RFC 9449 §7.1).
    Unauthorized,
    /// Understood and refused: the certificate is unknown, revoked or expired, not the
    /// key's, or its number has no account.
    Forbidden,
    /// No such request, grant or SP — for this device's user.
    NotFound,
    /// Done already: the certificate is registered, the request answered.
    Conflict,
    /// The gateway failed.
    Server,
    /// The gateway cannot reach its database: the same request may succeed later.
    Unavailable,
}

/// A device API error: its kind, an OAuth-style `error` code and a description.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {description}")]
pub struct DeviceError {
    pub kind: DeviceErrorKind,
    pub code: &'static str,
    pub description: String,
}

impl DeviceError {
    pub fn new(kind: DeviceErrorKind, code: &'static str, description: impl Into<String>) -> Self {
        DeviceError {
            kind,
            code,
            description: description.into(),
        }
    }

    /// `invalid_request`.
    pub fn bad(description: impl Into<String>) -> Self {
        Self::new(DeviceErrorKind::BadRequest, "invalid_request", description)
    }

    /// `invalid_token` (RFC 6750 §3.1, as RFC 9449 §7.1 uses it).
    pub fn unauthorized(description: impl Into<String>) -> Self {
        Self::new(DeviceErrorKind::Unauthorized, "invalid_token", description)
    }

    pub fn forbidden(code: &'static str, description: impl Into<String>) -> Self {
        Self::new(DeviceErrorKind::Forbidden, code, description)
    }

    /// `not_found`.
    pub fn not_found(description: impl Into<String>) -> Self {
        Self::new(DeviceErrorKind::NotFound, "not_found", description)
    }

    pub fn conflict(code: &'static str, description: impl Into<String>) -> Self {
        Self::new(DeviceErrorKind::Conflict, code, description)
    }

    /// `server_error`.
    pub fn server(description: impl Into<String>) -> Self {
        Self::new(DeviceErrorKind::Server, "server_error", description)
    }

    /// `server_error`, to be tried again later.
    pub fn unavailable(description: impl Into<String>) -> Self {
        Self::new(DeviceErrorKind::Unavailable, "server_error", description)
    }
}

/// The SHA-256 of a text, in hex: how a decision names the prompt it was signed over.
pub fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// Verifies a JWT signed by `jwk` (ES256 or EdDSA); `aud` checked when given; with
/// `expiring`, `exp` is required, not past at `now_s` (30 s of leeway) and at most five
/// minutes ahead of it.
pub fn verify_jwt(
    jwk: &Value,
    jwt: &str,
    aud: Option<&str>,
    expiring: bool,
    now_s: i64,
) -> Result<Value, String> {
    let jwk: jsonwebtoken::jwk::Jwk =
        serde_json::from_value(jwk.clone()).map_err(|_| "the key is not a JWK".to_owned())?;
    let key = jsonwebtoken::DecodingKey::from_jwk(&jwk).map_err(|e| e.to_string())?;
    let header = jsonwebtoken::decode_header(jwt).map_err(|_| "not a JWT".to_owned())?;
    if !matches!(
        header.alg,
        jsonwebtoken::Algorithm::ES256 | jsonwebtoken::Algorithm::EdDSA
    ) {
        return Err("only ES256 and EdDSA are accepted".into());
    }
    let mut validation = jsonwebtoken::Validation::new(header.alg);
    // jsonwebtoken would compare `exp` with the system clock: the time passed in decides
    // (below); the library checks the signature, that the claims are there, and `aud`.
    validation.validate_exp = false;
    match aud {
        Some(aud) => validation.set_audience(&[aud]),
        None => validation.validate_aud = false,
    }
    if expiring {
        validation.set_required_spec_claims(&["exp"]);
    } else {
        validation.required_spec_claims.clear();
    }
    let claims = jsonwebtoken::decode::<Value>(jwt, &key, &validation)
        .map_err(|e| e.to_string())?
        .claims;
    if expiring {
        // The library read `exp` as a whole number of seconds (a fraction rounds).
        let expired = claims["exp"]
            .as_f64()
            .is_none_or(|exp| exp.round() < (now_s - EXP_LEEWAY_S) as f64);
        if expired {
            return Err(jsonwebtoken::errors::Error::from(
                jsonwebtoken::errors::ErrorKind::ExpiredSignature,
            )
            .to_string());
        }
        if claims["exp"]
            .as_i64()
            .is_none_or(|exp| exp > now_s + JWT_MAX_LIFETIME_S)
        {
            return Err("the JWT may live at most five minutes".into());
        }
    }
    Ok(claims)
}

/// The `DPoP` header of a request as the HTTP layer found it (RFC 9449 §4.3: exactly one
/// field).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DpopHeader<'a> {
    /// No `DPoP` field, or several.
    NotOne,
    /// One field whose value is not visible ASCII (so no JWT).
    Unreadable,
    /// The one proof.
    One(&'a str),
}

/// A DPoP proof that passed every check of RFC 9449 §4.3 but its single use: the caller
/// spends its `jti`, then takes its key's thumbprint.
#[derive(Debug, Clone, PartialEq)]
pub struct DpopProof {
    pub claims: Value,
    jwk: Value,
}

impl DpopProof {
    /// The JWK SHA-256 thumbprint (RFC 7638) of the proof's key: what tokens are bound to
    /// (RFC 9449 §6.1).
    pub fn thumbprint(&self) -> Result<String, DeviceError> {
        let key = assent_acme::jws::AccountKey::from_jwk(&self.jwk)
            .map_err(|e| DeviceError::unauthorized(format!("DPoP jwk: {}", e.detail)))?;
        Ok(key.thumbprint())
    }
}

/// Checks a DPoP proof (RFC 9449 §4.3) for `method` on `htu` at `now_s`: a `dpop+jwt`
/// signed by the public key in its header, for this request, issued within
/// [`DPOP_SKEW_S`] of now; with `access_token`, the proof must also name it (`ath`).
pub fn check_dpop_proof(
    header: DpopHeader<'_>,
    method: &str,
    htu: &str,
    access_token: Option<&str>,
    now_s: i64,
) -> Result<DpopProof, DeviceError> {
    let proof = match header {
        DpopHeader::NotOne => {
            return Err(DeviceError::unauthorized(
                "exactly one DPoP proof is required",
            ));
        }
        DpopHeader::Unreadable => {
            return Err(DeviceError::unauthorized("the DPoP proof is not a JWT"));
        }
        DpopHeader::One(proof) => proof,
    };
    let jose = jsonwebtoken::decode_header(proof)
        .map_err(|_| DeviceError::unauthorized("the DPoP proof is not a JWT"))?;
    if jose.typ.as_deref() != Some("dpop+jwt") {
        return Err(DeviceError::unauthorized(
            "the DPoP proof's typ must be dpop+jwt",
        ));
    }
    let jwk = jose
        .jwk
        .ok_or_else(|| DeviceError::unauthorized("the DPoP proof carries no jwk"))?;
    let jwk = serde_json::to_value(&jwk)
        .map_err(|_| DeviceError::unauthorized("the DPoP jwk is unreadable"))?;
    let claims = verify_jwt(&jwk, proof, None, false, now_s)
        .map_err(|e| DeviceError::unauthorized(format!("DPoP proof: {e}")))?;
    if claims["htm"] != method || claims["htu"] != htu {
        return Err(DeviceError::unauthorized(
            "the DPoP proof is for another request",
        ));
    }
    if claims["iat"]
        .as_i64()
        .is_none_or(|iat| (iat - now_s).abs() > DPOP_SKEW_S)
    {
        return Err(DeviceError::unauthorized(
            "the DPoP proof is too old or too new",
        ));
    }
    if let Some(token) = access_token {
        let ath = URL_SAFE_NO_PAD.encode(Sha256::digest(token.as_bytes()));
        if claims["ath"] != ath.as_str() {
            return Err(DeviceError::unauthorized(
                "the DPoP proof is not for this token",
            ));
        }
    }
    Ok(DpopProof { claims, jwk })
}

/// A decision the device signed, checked against the request it answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub approve: bool,
    /// The SHA-256 (hex) of the text the user was shown and the decision was signed over.
    pub prompt_sha256: String,
}

/// Checks the claims of a decision whose signature was verified against the request it
/// answers (`request_id`, whose prompt is `prompt_text`, with `prompt_content` the
/// `PromptContent` JSON the app may render itself): `request` must name it and
/// `prompt_sha256` must be the hash of the text shown — the gateway's own rendering, or the
/// content rendered again as `shown` says the app did. `answer` is `approve` or `deny`.
pub fn check_decision(
    claims: &Value,
    request_id: &str,
    prompt_text: &str,
    prompt_content: Option<&str>,
) -> Result<Decision, DeviceError> {
    if claims["request"] != request_id {
        return Err(DeviceError::bad("the decision is for another request"));
    }
    let shown = shown_prompt_sha256(prompt_text, prompt_content, claims)?;
    if claims["prompt_sha256"] != shown.as_str() {
        return Err(DeviceError::bad(
            "the decision is not bound to the prompt this request showed",
        ));
    }
    let approve = match claims["answer"].as_str() {
        Some("approve") => true,
        Some("deny") => false,
        _ => return Err(DeviceError::bad("answer is approve or deny")),
    };
    Ok(Decision {
        approve,
        prompt_sha256: shown,
    })
}

/// The SHA-256 (hex) of the text the decision says was shown.
fn shown_prompt_sha256(
    prompt_text: &str,
    prompt_content: Option<&str>,
    claims: &Value,
) -> Result<String, DeviceError> {
    let Some(shown) = claims.get("shown").filter(|s| !s.is_null()) else {
        return Ok(sha256_hex(prompt_text));
    };
    let content: assent_prompt::wire::PromptContent = prompt_content
        .and_then(|c| serde_json::from_str(c).ok())
        .ok_or_else(|| {
            DeviceError::bad("this request can only be shown as the gateway rendered it")
        })?;
    let device: assent_prompt::wire::WireDevice =
        serde_json::from_value(shown["device"].clone())
            .map_err(|_| DeviceError::bad("shown.device is not a device profile"))?;
    let locale = shown["locale"]
        .as_str()
        .ok_or_else(|| DeviceError::bad("shown.locale is required"))?;
    let renderer =
        assent_prompt::Renderer::shared().map_err(|_| DeviceError::server("no renderer"))?;
    let rendered = content
        .render(renderer, &(&device).into(), Some(locale))
        .map_err(|_| DeviceError::bad("the content does not render on the device shown"))?;
    Ok(sha256_hex(&rendered.text))
}

/// A device's name as the user gave it, shown back to them: control characters dropped, at
/// most 64 characters, `device` when nothing is left.
pub fn device_name(given: Option<&str>) -> String {
    given
        .map(|n| {
            n.chars()
                .filter(|c| !c.is_control())
                .take(64)
                .collect::<String>()
        })
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| "device".into())
}

/// The reason a user gives when reporting an SP, as operators read it: control characters
/// dropped, at most 500 characters; `None` when nothing is left.
pub fn flag_reason(given: &str) -> Option<String> {
    Some(
        given
            .chars()
            .filter(|c| !c.is_control())
            .take(500)
            .collect::<String>(),
    )
    .filter(|r| !r.trim().is_empty())
}
