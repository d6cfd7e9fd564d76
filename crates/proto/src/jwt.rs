//! The claims of the JWTs that cross between the device and the gateway. The device signs
//! them with its key (ES256 or EdDSA, compact JWS: `assent_acme::jws::sign_compact`); the
//! gateway verifies the signature, then reads the claims. Each lives at most five minutes
//! (`exp`) and is used once (`jti`).

use assent_prompt::wire::WireDevice;
use serde::{Deserialize, Serialize};

/// The assertion of `POST /device/register` (RFC 7523 §3): signed by the certificate's key,
/// for the registration URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegistrationAssertion {
    /// `<gateway>/device/register`.
    pub aud: String,
    /// Seconds since the Unix epoch; at most five minutes ahead.
    pub exp: i64,
    pub jti: String,
}

/// The assertion of `POST /device/token` (RFC 7523 §3): `iss` = `sub` = the device id, for
/// the token URL, signed by the device key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TokenAssertion {
    /// `<gateway>/device/token`.
    pub aud: String,
    pub exp: i64,
    /// The device id.
    pub iss: String,
    pub jti: String,
    /// The device id.
    pub sub: String,
}

/// A DPoP proof's claims (RFC 9449 §4.2), in a JWT of `typ` `dpop+jwt` whose header carries
/// the device key's public JWK; one per request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DpopProof {
    /// With an access token: base64url SHA-256 of it (RFC 9449 §4.2). Read leniently: an
    /// `ath` that is not text names no token (a proof without an access token is not asked
    /// for one; with a token, such a proof is not for it).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::lenient"
    )]
    pub ath: Option<String>,
    /// The request's method.
    pub htm: String,
    /// The request's URL without query.
    pub htu: String,
    /// Seconds since the Unix epoch; within a minute of the gateway's clock.
    pub iat: i64,
    pub jti: String,
}

/// The user's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    Approve,
    Deny,
}

/// The claims of a signed decision (`POST /device/inbox/{id}/decision`): bound to the
/// request and to the SHA-256 of the exact text the user saw. Without `shown` that text is
/// the gateway's own rendering; with it, the app rendered the request's content itself and
/// says how, and the gateway renders it the same way to check the hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DecisionClaims {
    pub answer: Answer,
    /// The gateway's issuer URL.
    pub aud: String,
    pub exp: i64,
    pub jti: String,
    /// SHA-256 (lowercase hex) of the text shown.
    pub prompt_sha256: String,
    /// The request id.
    pub request: String,
    /// How the app rendered the text; absent (or `null`): the gateway's own text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shown: Option<Shown>,
}

/// How the app rendered a request's content: for which device profile, in which language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Shown {
    pub device: WireDevice,
    pub locale: String,
}

/// The JWS header's `typ` of a checkpoint of the audit trail.
pub const CHECKPOINT_TYP: &str = "assent-checkpoint+jwt";

/// The claims of a signed checkpoint of the whole audit trail: the gateway's ES256
/// statement that the trail ended at entry `seq` with hash `head` at `iat`. Written to the
/// gateway's `audit-checkpoints.jws` and sent in every user's export; `typ` is
/// [`CHECKPOINT_TYP`], so that nothing else the key signs passes for one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CheckpointClaims {
    /// The gateway's issuer URL.
    pub iss: String,
    /// The trail's last entry when signed.
    pub seq: u64,
    /// That entry's hash (hex).
    pub head: String,
    /// When it was signed (seconds since the epoch).
    pub iat: i64,
}

/// The gateway's statement of a user's audit head, signed with its ES256 key (its JWKS): the
/// `signed_head` of `GET /device/audit/export`, so an export can be shown to a third party.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HeadStatement {
    /// How many entries the chain has.
    pub count: u64,
    /// The hash of the user's last entry (hex).
    pub head: String,
    pub iat: i64,
    /// The gateway's issuer URL.
    pub iss: String,
    /// The user's opaque id.
    pub sub: String,
}
