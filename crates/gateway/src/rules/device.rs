//! The device API's rules without I/O (seed 001): the bodies a device sends and the JWTs it
//! signs with the key of its certificate — assertions (RFC 7523 §2.1), DPoP proofs (RFC 9449
//! §4) and signed consent decisions — read as the contract's types (`assent_proto::device`,
//! `assent_proto::jwt`) and checked against a time passed in, and the error a device request
//! ends in. What an error looks like on the wire (status, the DPoP challenge) is decided in
//! `http::error`; what is stored (used `jti`s, devices, tokens) in `flows::device`.
//!
//! A body or a claim set that does not read as its type is answered as each check has always
//! answered for the member at fault (a missing or mistyped `client_id`: "client_id is
//! required"); [`Fault`] names that member.

use assent_proto::device::{
    DecisionRequest, FlagRequest, Registration, TokenRequest, WithdrawRequest,
};
use assent_proto::jwt::{DecisionClaims, DpopProof, RegistrationAssertion, Shown, TokenAssertion};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::HashMap;

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

/// Where a JSON object stops reading as its type: the path of the member at fault from the
/// top (`["shown", "locale"]`: the `locale` of `shown` is missing or not text); empty when
/// the value is not an object at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    pub path: Vec<String>,
}

impl Fault {
    /// The top-level member at fault.
    pub fn member(&self) -> Option<&str> {
        self.path.first().map(String::as_str)
    }

    /// The member at fault inside [`Fault::member`].
    pub fn inner(&self) -> Option<&str> {
        self.path.get(1).map(String::as_str)
    }
}

/// Reads a JSON object as `T`, or names the member that does not read ([`Fault`]). Serde
/// would also read a struct from an array; a body or a claim set is an object, as the
/// gateway has always required.
pub fn read_object<T: DeserializeOwned>(value: &Value) -> Result<T, Fault> {
    if !value.is_object() {
        return Err(Fault { path: Vec::new() });
    }
    serde_path_to_error::deserialize(value).map_err(|error| {
        use serde_path_to_error::Segment;
        let mut path: Vec<String> = error
            .path()
            .iter()
            .map(|segment| match segment {
                Segment::Map { key } => key.clone(),
                Segment::Seq { index } => index.to_string(),
                Segment::Enum { variant } => variant.clone(),
                Segment::Unknown => "?".to_owned(),
            })
            .collect();
        // A missing member is reported at the object that lacks it, in serde's words.
        let message = error.inner().to_string();
        if let Some(missing) = message
            .strip_prefix("missing field `")
            .and_then(|rest| rest.strip_suffix('`'))
        {
            path.push(missing.to_owned());
        }
        Fault { path }
    })
}

/// Reads a JSON object as `T`; when it does not read, the fault is the first of `checks`
/// that does not read — the members in the order their checks have always run, each
/// required (`true`) or not — rather than the first serde meets (serde reports a missing
/// member only after all present ones, and in the order the type declares them).
pub fn read_checked<T: DeserializeOwned>(
    value: &Value,
    checks: &[(&str, bool)],
) -> Result<T, Fault> {
    let fault = match read_object::<T>(value) {
        Ok(read) => return Ok(read),
        Err(fault) => fault,
    };
    let Value::Object(members) = value else {
        return Err(fault);
    };
    for &(name, required) in checks {
        if fault.member() == Some(name) {
            break;
        }
        match members.get(name) {
            None if required => {
                return Err(Fault {
                    path: vec![name.to_owned()],
                });
            }
            None => {}
            // The member alone reads as its type, or the fault is in it.
            Some(member) => {
                let alone =
                    Value::Object([(name.to_owned(), member.clone())].into_iter().collect());
                if let Err(inner) = read_object::<T>(&alone)
                    && inner.member() == Some(name)
                {
                    return Err(inner);
                }
            }
        }
    }
    Err(fault)
}

/// A JSON request body read as `T` ([`read_checked`]): `not_json` when it is not JSON, else
/// what `fault` says for the member that does not read.
fn body<T: DeserializeOwned>(
    body: &[u8],
    checks: &[(&str, bool)],
    not_json: &str,
    fault: impl FnOnce(&Fault) -> DeviceError,
) -> Result<T, DeviceError> {
    let value: Value = serde_json::from_slice(body).map_err(|_| DeviceError::bad(not_json))?;
    read_checked(&value, checks).map_err(|f| fault(&f))
}

/// The body of `POST /device/register` (seed 001): `{"certificate", "jwk", "assertion",
/// "name"}`. A member that is missing or not of its type is answered as its own check
/// answers it (a `name` that is not text is no name: the device is called `device`).
pub fn registration(request: &[u8]) -> Result<Registration, DeviceError> {
    body(
        request,
        &[("certificate", true), ("jwk", true), ("assertion", true)],
        "expected {certificate, jwk, assertion, name}",
        |fault| match fault.member() {
            Some("jwk") => jwk_error(&Value::Null),
            Some("assertion") => DeviceError::bad("assertion is required"),
            _ => DeviceError::bad("certificate must be base64url DER"),
        },
    )
}

/// Why `jwk` is not a device key (RFC 7517; EC P-256 or Ed25519), as `invalid_request`.
pub fn jwk_error(jwk: &Value) -> DeviceError {
    match assent_acme::jws::AccountKey::from_jwk(jwk) {
        Err(e) => DeviceError::bad(format!("jwk: {}", e.detail)),
        Ok(_) => DeviceError::bad("jwk: not a device key"),
    }
}

/// The form of `POST /device/token` (RFC 7523 §2.1): the grant type first
/// (`unsupported_grant_type`, RFC 6749 §5.2), then the assertion.
pub fn token_request(params: &HashMap<String, String>) -> Result<TokenRequest, DeviceError> {
    let grant_type = params
        .get("grant_type")
        .filter(|g| g.as_str() == TokenRequest::JWT_BEARER)
        .ok_or_else(|| {
            DeviceError::new(
                DeviceErrorKind::BadRequest,
                "unsupported_grant_type",
                "use urn:ietf:params:oauth:grant-type:jwt-bearer",
            )
        })?;
    let assertion = params
        .get("assertion")
        .ok_or_else(|| DeviceError::bad("assertion is missing"))?;
    Ok(TokenRequest {
        grant_type: grant_type.clone(),
        assertion: assertion.clone(),
    })
}

/// The body of `POST /device/inbox/{id}/decision`: `{"decision": JWT}`.
pub fn decision_request(request: &[u8]) -> Result<DecisionRequest, DeviceError> {
    body(
        request,
        &[("decision", true)],
        "expected {\"decision\": JWT}",
        |_| DeviceError::bad("decision is required"),
    )
}

/// The body of `POST /device/flags`: `{"client_id", "reason"}` (MC_ATTR_20).
pub fn flag_request(request: &[u8]) -> Result<FlagRequest, DeviceError> {
    body(
        request,
        &[("client_id", true), ("reason", true)],
        "expected {\"client_id\", \"reason\"}",
        |fault| match fault.member() {
            Some("reason") => DeviceError::bad("a reason is required"),
            _ => DeviceError::bad("client_id is required"),
        },
    )
}

/// `POST /device/grants/{id}/withdraw`'s body: `{"attributes": [names]}`.
pub fn withdraw_request(request: &[u8]) -> Result<WithdrawRequest, DeviceError> {
    body(
        request,
        &[("attributes", true)],
        "expected {\"attributes\": [names]}",
        |_| DeviceError::bad("attributes must be a list of attribute names"),
    )
}

/// Reads a JWT's verified claims as `T` ([`read_checked`]), with `jti` left to the check that
/// has always come last, when it is spent (RFC 7519 §4.1.7): one that is missing or not text
/// reads as empty, which spending refuses ("jti is required") after the other checks.
fn read_claims<T: DeserializeOwned>(claims: &Value, checks: &[(&str, bool)]) -> Result<T, Fault> {
    let mut claims = claims.clone();
    if let Value::Object(members) = &mut claims
        && !members.get("jti").is_some_and(Value::is_string)
    {
        members.insert("jti".to_owned(), Value::String(String::new()));
    }
    read_checked(&claims, checks)
}

/// The claims of a verified registration assertion (RFC 7523 §3; `aud` and `exp` were
/// checked by [`verify_jwt`]; `jti` is spent next).
pub fn registration_assertion(claims: &Value) -> Result<RegistrationAssertion, DeviceError> {
    read_claims(claims, &[]).map_err(|_| DeviceError::bad("jti is required"))
}

/// The issuer of a token assertion, read before its signature can be checked: the device
/// whose key checks it (RFC 7523 §3: `iss`). Nothing else of the unverified claims is read.
pub fn unverified_issuer(assertion: &str) -> Result<String, DeviceError> {
    #[derive(Deserialize)]
    struct Issuer {
        iss: String,
    }
    let claims: Value = jsonwebtoken::dangerous::insecure_decode(assertion)
        .map(|d| d.claims)
        .map_err(|_| DeviceError::unauthorized("the assertion is not a JWT"))?;
    read_object::<Issuer>(&claims)
        .map(|issuer| issuer.iss)
        .map_err(|_| DeviceError::unauthorized("the assertion has no iss"))
}

/// The claims of a verified token assertion (RFC 7523 §3): `sub` must then be the device
/// id, and `jti` is spent.
pub fn token_assertion(claims: &Value) -> Result<TokenAssertion, DeviceError> {
    read_claims(claims, &[("sub", true)])
        .map_err(|_| DeviceError::unauthorized("the assertion's sub must be the device id"))
}

/// `exp` as the library accepted it: a NumericDate (RFC 7519 §2), which may have a fraction.
#[derive(Deserialize)]
struct Expiry {
    #[serde(default)]
    exp: Option<serde_json::Number>,
}

/// Verifies a JWT signed by `jwk` (ES256 or EdDSA); `aud` checked when given; with
/// `expiring`, `exp` is required, not past at `now_s` (30 s of leeway) and at most five
/// minutes ahead of it. Returns the claims, to be read as their type.
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
    let mut claims = jsonwebtoken::decode::<Value>(jwt, &key, &validation)
        .map_err(|e| e.to_string())?
        .claims;
    if expiring {
        let exp = read_object::<Expiry>(&claims).ok().and_then(|e| e.exp);
        // The library read `exp` as a whole number of seconds (a fraction rounds).
        let expired = exp
            .as_ref()
            .and_then(serde_json::Number::as_f64)
            .is_none_or(|exp| exp.round() < (now_s - EXP_LEEWAY_S) as f64);
        if expired {
            return Err(jsonwebtoken::errors::Error::from(
                jsonwebtoken::errors::ErrorKind::ExpiredSignature,
            )
            .to_string());
        }
        if exp
            .as_ref()
            .and_then(serde_json::Number::as_i64)
            .is_none_or(|exp| exp > now_s + JWT_MAX_LIFETIME_S)
        {
            return Err("the JWT may live at most five minutes".into());
        }
    }
    // RFC 7519 §4.1.3: `aud` may be a list of audiences, and the library checked that it
    // names `aud`. The claims read on with that audience, as the contract's types hold it.
    if let (Some(aud), Value::Object(members)) = (aud, &mut claims)
        && members.get("aud").is_some_and(Value::is_array)
    {
        members.insert("aud".to_owned(), Value::String(aud.to_owned()));
    }
    Ok(claims)
}

/// The `DPoP` header of a request as the HTTP layer found it (RFC 9449 §4.3: exactly one
/// field).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DpopHeader<'a> {
    /// No `DPoP` field.
    Absent,
    /// Several `DPoP` fields.
    NotOne,
    /// One field whose value is not visible ASCII (so no JWT).
    Unreadable,
    /// The one proof.
    One(&'a str),
}

/// A DPoP proof that passed every check of RFC 9449 §4.3 but its single use: the caller
/// spends its `jti`, then takes its key's thumbprint.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedProof {
    pub claims: DpopProof,
    jwk: Value,
}

/// Why a DPoP proof is refused (RFC 9449 §4.3); the description of the answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DpopError {
    #[error("exactly one DPoP proof is required")]
    NotOne,
    #[error("the DPoP proof is not a JWT")]
    NotAJwt,
    #[error("the DPoP proof's typ must be dpop+jwt")]
    WrongType,
    #[error("the DPoP proof carries no jwk")]
    NoJwk,
    #[error("the DPoP jwk is unreadable")]
    UnreadableJwk,
    #[error("DPoP jwk: {0}")]
    UnusableJwk(String),
    #[error("DPoP proof: {0}")]
    Signature(String),
    #[error("the DPoP proof is for another request")]
    AnotherRequest,
    #[error("the DPoP proof is too old or too new")]
    Untimely,
    #[error("the DPoP proof is not for this token")]
    AnotherToken,
}

impl From<DpopError> for DeviceError {
    fn from(error: DpopError) -> Self {
        DeviceError::unauthorized(error.to_string())
    }
}

impl CheckedProof {
    /// The JWK SHA-256 thumbprint (RFC 7638) of the proof's key: what tokens are bound to
    /// (RFC 9449 §6.1).
    pub fn thumbprint(&self) -> Result<String, DpopError> {
        let key = assent_acme::jws::AccountKey::from_jwk(&self.jwk)
            .map_err(|e| DpopError::UnusableJwk(e.detail))?;
        Ok(key.thumbprint())
    }
}

/// Checks a DPoP proof (RFC 9449 §4.3) for `method` on `htu` at `now_s`: a `dpop+jwt`
/// signed by the public key in its header, for this request, issued within
/// [`DPOP_SKEW_S`] of now; with `access_token`, the proof must also name it (`ath`). The
/// device API's and the SPs' proofs alike (`rules::dpop` has what only SPs' need).
pub fn check_dpop_proof(
    header: DpopHeader<'_>,
    method: &str,
    htu: &str,
    access_token: Option<&str>,
    now_s: i64,
) -> Result<CheckedProof, DpopError> {
    let proof = match header {
        DpopHeader::Absent | DpopHeader::NotOne => return Err(DpopError::NotOne),
        DpopHeader::Unreadable => return Err(DpopError::NotAJwt),
        DpopHeader::One(proof) => proof,
    };
    let jose = jsonwebtoken::decode_header(proof).map_err(|_| DpopError::NotAJwt)?;
    if jose.typ.as_deref() != Some("dpop+jwt") {
        return Err(DpopError::WrongType);
    }
    let jwk = jose.jwk.ok_or(DpopError::NoJwk)?;
    let jwk = serde_json::to_value(&jwk).map_err(|_| DpopError::UnreadableJwk)?;
    let claims = verify_jwt(&jwk, proof, None, false, now_s)
        .map_err(|e| DpopError::Signature(e.to_string()))?;
    let checks = [("htm", true), ("htu", true), ("iat", true)];
    let claims: DpopProof =
        read_claims(&claims, &checks).map_err(|fault| match fault.member() {
            Some("iat") => DpopError::Untimely,
            _ => DpopError::AnotherRequest,
        })?;
    if claims.htm != method || claims.htu != htu {
        return Err(DpopError::AnotherRequest);
    }
    if claims.iat.abs_diff(now_s) > DPOP_SKEW_S.unsigned_abs() {
        return Err(DpopError::Untimely);
    }
    if let Some(token) = access_token {
        let ath = URL_SAFE_NO_PAD.encode(Sha256::digest(token.as_bytes()));
        if claims.ath.as_deref() != Some(ath.as_str()) {
            return Err(DpopError::AnotherToken);
        }
    }
    Ok(CheckedProof { claims, jwk })
}

/// A decision the device signed, checked against the request it answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub approve: bool,
    /// The SHA-256 (hex) of the text the user was shown and the decision was signed over.
    pub prompt_sha256: String,
    /// That text: the gateway's own rendering, or the content rendered as the app did.
    pub shown_text: String,
    /// The decision's `jti`, to be spent once.
    pub jti: String,
}

/// The content a request's prompt was made from, when the app may render it itself.
fn prompt_content_of(prompt_content: Option<&str>) -> Option<assent_prompt::wire::PromptContent> {
    prompt_content.and_then(|c| serde_json::from_str(c).ok())
}

const ONLY_AS_RENDERED: &str = "this request can only be shown as the gateway rendered it";

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
    let checks = [
        ("request", true),
        ("shown", false),
        ("prompt_sha256", true),
        ("answer", true),
    ];
    let claims: DecisionClaims =
        read_claims(claims, &checks).map_err(|fault| match fault.member() {
            Some("shown") if prompt_content_of(prompt_content).is_none() => {
                DeviceError::bad(ONLY_AS_RENDERED)
            }
            Some("shown") if fault.inner() == Some("locale") => {
                DeviceError::bad("shown.locale is required")
            }
            Some("shown") => DeviceError::bad("shown.device is not a device profile"),
            Some("prompt_sha256") => {
                DeviceError::bad("the decision is not bound to the prompt this request showed")
            }
            Some("answer") => DeviceError::bad("answer is approve or deny"),
            _ => DeviceError::bad("the decision is for another request"),
        })?;
    if claims.request != request_id {
        return Err(DeviceError::bad("the decision is for another request"));
    }
    let shown_text = shown_text(prompt_text, prompt_content, claims.shown.as_ref())?;
    let shown = sha256_hex(&shown_text);
    if claims.prompt_sha256 != shown {
        return Err(DeviceError::bad(
            "the decision is not bound to the prompt this request showed",
        ));
    }
    Ok(Decision {
        approve: claims.answer == assent_proto::jwt::Answer::Approve,
        prompt_sha256: shown,
        shown_text,
        jti: claims.jti,
    })
}

/// The text the decision says was shown.
fn shown_text(
    prompt_text: &str,
    prompt_content: Option<&str>,
    shown: Option<&Shown>,
) -> Result<String, DeviceError> {
    let Some(shown) = shown else {
        return Ok(prompt_text.to_owned());
    };
    let content =
        prompt_content_of(prompt_content).ok_or_else(|| DeviceError::bad(ONLY_AS_RENDERED))?;
    let renderer =
        assent_prompt::Renderer::shared().map_err(|_| DeviceError::server("no renderer"))?;
    // A large screen shows the whole consent card and signs its canonical text (MC_ATTR_13
    // limits only the phone); every other device signs its fitted rendering.
    if shown.device.kind == assent_prompt::DeviceKind::Screen {
        let card = assent_prompt::card::Card::of(renderer, &content, Some(&shown.locale))
            .map_err(|_| DeviceError::bad("the content has no card in the language shown"))?;
        return Ok(card.canonical_text());
    }
    let rendered = content
        .render(renderer, &(&shown.device).into(), Some(&shown.locale))
        .map_err(|_| DeviceError::bad("the content does not render on the device shown"))?;
    Ok(rendered.text)
}

/// How long a new device's binding waits for approval on the user's other device.
pub const BINDING_APPROVAL_MS: i64 = 10 * 60 * 1000;

/// The prompt an existing device answers before a new one is bound to the account (NIST
/// SP 800-63B §6.1.2.1). The name is the new device's own (already cleaned, [`device_name`]).
pub fn binding_prompt(name: &str) -> String {
    format!(
        "Add a new device? \u{201c}{name}\u{201d} asks to approve requests for your number. \
         Approve only if you are adding it yourself."
    )
}

/// Whether a device's binding lets it act at `now_ms`: approved; or 403 while its approval
/// is pending (`approval_pending`); or refused — denied, or not approved in time
/// (`approval_refused`).
pub fn binding_in_force(
    approval: &str,
    approval_expires_ms: Option<i64>,
    now_ms: i64,
) -> Result<(), DeviceError> {
    match approval {
        "approved" => Ok(()),
        "pending" if approval_expires_ms.is_some_and(|e| now_ms <= e) => {
            Err(DeviceError::forbidden(
                "approval_pending",
                "approve this device on your other device first",
            ))
        }
        _ => Err(DeviceError::forbidden(
            "approval_refused",
            "this device was not approved on your other device: verify your number on it again",
        )),
    }
}

/// The SMS that tells the number's holder a device was bound to it (NIST SP 800-63B
/// §6.1.2.1: the subscriber is notified of a new binding through an independent channel),
/// at `at` (RFC 3339). GSM 7-bit only and one segment, whatever name the device gave itself:
/// the name is the registrant's text, so it is left out.
pub fn binding_notice(at: &str) -> String {
    let when = at.get(..16).unwrap_or(at).replace('T', " ");
    format!(
        "Assent: a new device was added to your number on {when} UTC. If it was not you, \
         revoke it in the app (Access) or call your operator."
    )
}

/// Whether a device's certificate still stands at `now_ms` (every use of the device API
/// asks, after the revocation check): the app authenticator lives exactly as long as the
/// proof of the number behind it, since numbers are reassigned (seed 000 §1). An expired
/// one is `401 certificate_expired`, saying when and what to do.
pub fn certificate_in_force(cert_not_after_ms: i64, now_ms: i64) -> Result<(), DeviceError> {
    // RFC 5280 §4.1.2.5: valid through notAfter, inclusive.
    if now_ms <= cert_not_after_ms {
        return Ok(());
    }
    Err(DeviceError::new(
        DeviceErrorKind::Unauthorized,
        "certificate_expired",
        format!(
            "the device's certificate expired at {}: prove the number again \
             (assent enroll --renew)",
            crate::base::clock::rfc3339(cert_not_after_ms)
        ),
    ))
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

#[cfg(test)]
mod tests {
    //! The bodies and claims read as the contract's types answer a member that does not read
    //! as its own check always has, in the order the checks have always run.
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use assent_acme::jws::{SigningKey, sign_compact};
    use serde_json::json;

    const NOW: i64 = 1_796_083_200;

    fn description(result: Result<impl std::fmt::Debug, DeviceError>) -> (&'static str, String) {
        let error = result.unwrap_err();
        (error.code, error.description)
    }

    fn bad(description: &str) -> (&'static str, String) {
        ("invalid_request", description.to_owned())
    }

    #[test]
    fn a_body_is_refused_for_its_first_member_in_check_order() {
        let read = |body: Value| registration(body.to_string().as_bytes());
        let certificate = bad("certificate must be base64url DER");
        assert_eq!(
            description(read(json!({}))),
            certificate,
            "the certificate is checked first, though serde meets `assertion` first"
        );
        assert_eq!(
            description(read(json!({"certificate": 5, "assertion": 5}))),
            certificate
        );
        assert_eq!(description(read(json!(["MIIB"]))), certificate);
        assert_eq!(
            description(read(json!({"certificate": "MIIB", "assertion": "a"}))),
            bad("jwk: jwk must be a JSON object")
        );
        assert_eq!(
            description(read(json!({"certificate": "MIIB", "jwk": {}}))),
            bad("assertion is required")
        );
        assert_eq!(
            description(registration(b"{")),
            bad("expected {certificate, jwk, assertion, name}")
        );
        let named = read(json!({"certificate": "MIIB", "jwk": {}, "assertion": "a",
                                        "name": 7}))
        .unwrap();
        assert_eq!(named.name, None, "a name that is not text is no name");

        let flag = |body: Value| flag_request(body.to_string().as_bytes());
        assert_eq!(
            description(flag(json!({"reason": 5}))),
            bad("client_id is required")
        );
        assert_eq!(
            description(flag(json!({"client_id": "demo-sp"}))),
            bad("a reason is required")
        );
        let decision = |body: &[u8]| decision_request(body);
        assert_eq!(
            description(decision(br#"{"decision": 5}"#)),
            bad("decision is required")
        );
        assert_eq!(
            description(decision(br#"["eyJ.a.b"]"#)),
            bad("decision is required"),
            "serde would read a struct from an array; a body is an object"
        );
    }

    #[test]
    fn a_decision_is_checked_in_order_and_its_jti_when_spent() {
        let text = "Demo Shop asks for: given name = Marie. Allow?";
        let sha = sha256_hex(text);
        let check = |claims: Value| check_decision(&claims, "p-1", text, None);
        let base = json!({"aud": "https://gw", "exp": NOW, "request": "p-1",
                          "answer": "approve", "prompt_sha256": sha});
        let without = |member: &str| {
            let mut claims = base.clone();
            claims.as_object_mut().unwrap().remove(member);
            claims
        };
        assert_eq!(
            description(check(json!({}))),
            bad("the decision is for another request"),
            "`request` is checked first, though serde meets `answer` first"
        );
        assert_eq!(
            description(check(without("prompt_sha256"))),
            bad("the decision is not bound to the prompt this request showed")
        );
        assert_eq!(
            description(check(without("answer"))),
            bad("answer is approve or deny")
        );
        let mut shown = base.clone();
        shown["shown"] = json!({"device": {"kind": "phone"}, "locale": "fr"});
        assert_eq!(
            description(check(shown)),
            bad("this request can only be shown as the gateway rendered it")
        );
        // No `jti`: the claims read, and spending the empty one refuses it.
        let decision = check(without("jti")).unwrap();
        assert_eq!((decision.approve, decision.jti.as_str()), (true, ""));
        assert_eq!(decision.prompt_sha256, sha);
    }

    #[test]
    fn a_list_of_audiences_naming_the_gateway_reads_as_that_audience() {
        let key = SigningKey::generate_es256();
        let aud = "https://gw/device/register";
        let signed = sign_compact(
            &key,
            None,
            false,
            &json!({"aud": ["https://other", aud], "exp": NOW + 60, "jti": "j"}),
        );
        let claims = verify_jwt(&key.public().to_jwk(), &signed, Some(aud), true, NOW).unwrap();
        let assertion = registration_assertion(&claims).unwrap();
        assert_eq!((assertion.aud.as_str(), assertion.jti.as_str()), (aud, "j"));
    }

    #[test]
    fn a_dpop_proof_is_read_with_its_checks_in_order() {
        let key = SigningKey::generate_es256();
        let htu = "https://gw/device/inbox";
        let proof = |claims: Value| sign_compact(&key, Some("dpop+jwt"), true, &claims);
        let check = |signed: &str| {
            check_dpop_proof(DpopHeader::One(signed), "GET", htu, None, NOW)
                .map_err(DeviceError::from)
        };
        // For another URL and without `jti`: the URL is checked first.
        let other = proof(json!({"htm": "GET", "htu": "https://gw/device/grants", "iat": NOW}));
        assert_eq!(
            description(check(&other)),
            (
                "invalid_token",
                "the DPoP proof is for another request".to_owned()
            )
        );
        // An `iat` as far from now as can be is refused, not wrapped around.
        let ancient = proof(json!({"htm": "GET", "htu": htu, "iat": i64::MIN, "jti": "j"}));
        assert_eq!(
            description(check(&ancient)),
            (
                "invalid_token",
                "the DPoP proof is too old or too new".to_owned()
            )
        );
        let fine = proof(json!({"htm": "GET", "htu": htu, "iat": NOW, "jti": "j", "ath": 5}));
        assert_eq!(check(&fine).unwrap().claims.ath, None, "no token asked for");
    }

    #[test]
    fn the_binding_notice_is_one_gsm7_segment() {
        let text = binding_notice("2026-12-06T07:30:12Z");
        assert!(text.contains("on 2026-12-06 07:30 UTC"), "{text}");
        let measure = assent_prompt::encoding::measure(
            &text,
            assent_prompt::DeviceKind::Sms,
            assent_prompt::encoding::Encoding::Gsm7,
        )
        .unwrap();
        assert_eq!(measure.segments, 1, "{} septets: {text}", measure.units);
    }
}
