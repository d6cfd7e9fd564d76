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
    /// RFC 9449 §8: the server's nonce (the `DPoP-Nonce` header it gave), where it asks
    /// for one (an SP's token requests). Read leniently, as `ath`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::lenient"
    )]
    pub nonce: Option<String>,
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

/// The JWS header's `typ` of a consent receipt.
pub const RECEIPT_TYP: &str = "assent-receipt+jwt";

/// The claims of a consent receipt, after ISO/IEC TS 27560 (consent record information
/// structure) with the W3C Data Privacy Vocabulary's terms: who the controller is, for which
/// purposes, which data (categories and the exact attributes, never their values), on which
/// legal basis, when and how the consent was given (the authenticator and the SHA-256 of the
/// exact prompt shown), for how long, and how to withdraw it. Signed ES256 by the gateway
/// with `typ` [`RECEIPT_TYP`], so nothing else its key signs passes for one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReceiptClaims {
    /// RFC 3339: when the consent was given (or withdrawn).
    pub at: String,
    pub controller: ReceiptController,
    /// How long the consent lives.
    pub duration: ReceiptDuration,
    /// `given` or `withdrawn`.
    pub event: String,
    /// When it was signed (seconds since the epoch).
    pub iat: i64,
    /// The gateway's issuer URL.
    pub iss: String,
    /// The receipt id (`rc-…`).
    pub jti: String,
    /// How the consent was given (absent on a withdrawal).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<ReceiptMethod>,
    /// The user, by the gateway's opaque id (never the number).
    pub pii_principal: String,
    /// For `given`: what was consented to; for `withdrawn`: what was withdrawn.
    pub purposes: Vec<ReceiptPurpose>,
    /// The consent (grant) id: the record this receipt is about.
    pub record_id: String,
    /// After a withdrawal of some attributes: those the consent still gives.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remaining: Vec<String>,
    /// `ISO/IEC TS 27560:2023`.
    pub schema: String,
    /// How the user withdraws the consent.
    pub withdrawal: String,
}

/// The controller the data goes to: the SP.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReceiptController {
    /// The SP's client_id.
    pub id: String,
    pub name: String,
}

/// One purpose: a Mobile Connect service, its DPV purpose and legal basis, and its data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReceiptPurpose {
    /// The exact attributes (names, never values).
    pub attributes: Vec<String>,
    /// DPV personal data categories (`pd:TelephoneNumber`, …).
    pub data_categories: Vec<String>,
    /// `dpv:Consent`.
    pub legal_basis: String,
    /// A DPV purpose (`dpv:IdentityVerification`, …).
    pub purpose: String,
    /// The Mobile Connect service (scope).
    pub service: String,
}

/// How the consent was given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReceiptMethod {
    /// Where: `app`, `ussd`, `sms` or `browser` (MC_ATTR_08).
    pub authenticator: String,
    /// SHA-256 (lowercase hex) of the exact prompt the user was shown.
    pub prompt_sha256: String,
}

/// How long the consent lives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReceiptDuration {
    /// RFC 3339: when it ends by itself; absent: until withdrawn (or, for a transaction,
    /// with its one access).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    /// `long_lived` or `transaction`.
    pub kind: String,
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
