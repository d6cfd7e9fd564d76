//! The device API (`/device/…`): the app registers the key of its number's ACME certificate
//! (seed 001: REG-3, SEC-1, SEC-2), gets five-minute DPoP-bound tokens with signed assertions
//! (RFC 7523 §2.1, RFC 9449), reads the user's pending consent requests, answers them with
//! decisions signed over the text shown, and manages the user's grants, reports, notifications
//! and audit history (GSMA IDY.03 MC_ATTR_19, 20, 32).
//!
//! Errors are [`crate::OAuthError`]. The claims of the JWTs inside these bodies are in
//! [`crate::jwt`].

use crate::lenient;
use assent_audit::AuditEntry;
use assent_prompt::wire::PromptContent;
use serde::{Deserialize, Serialize};

/// `POST /device/register` (seed 001): registers the key of an ACME certificate this gateway
/// issued for the user's number. Each certificate registers once (REG-3); the key must be
/// the certificate's; the assertion proves possession of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Registration {
    /// A fresh assertion ([`crate::jwt::RegistrationAssertion`]) signed by the key, with
    /// `aud` the registration URL.
    pub assertion: String,
    /// The ACME certificate, DER, base64url without padding.
    pub certificate: String,
    /// The certificate key's public JWK (RFC 7517; EC P-256 or Ed25519): free-form, its
    /// members depend on the key type.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub jwk: serde_json::Value,
    /// A name for the device, shown to the user; control characters are dropped, at most 64
    /// characters are kept. Absent or blank: `device`. Read leniently: a name that is not
    /// text is no name (the gateway has always named such a device `device`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient"
    )]
    pub name: Option<String>,
}

/// `201` to `POST /device/register`: `{"device_id", "name", "number", "pending_approval",
/// "renewed"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Registered {
    /// `d-…`: the `iss` and `sub` of the device's token assertions from now on.
    pub device_id: String,
    /// The name kept (see [`Registration::name`]).
    pub name: String,
    /// The certificate's number, E.164 with `+`.
    pub number: String,
    /// The user already has a live device: this one is bound only once approved there
    /// (NIST SP 800-63B §6.1.2.1), within 10 minutes; until then its token requests are
    /// 403 `approval_pending`.
    #[serde(default)]
    pub pending_approval: bool,
    /// The key was already that of a device of the number's user, not revoked: the new
    /// certificate renews it — same device, same id, its life now the new certificate's.
    #[serde(default)]
    pub renewed: bool,
}

/// The form (`application/x-www-form-urlencoded`) of `POST /device/token` (RFC 7523 §2.1),
/// sent with a DPoP proof by the device key (RFC 9449 §5). Its schema is named
/// `DeviceTokenRequest`: `TokenRequest` is the form of the gateway's OAuth `POST /token`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = DeviceTokenRequest))]
pub struct TokenRequest {
    /// [`TokenRequest::JWT_BEARER`].
    pub grant_type: String,
    /// A [`crate::jwt::TokenAssertion`] signed by the device key.
    pub assertion: String,
}

impl TokenRequest {
    /// The only grant type: `urn:ietf:params:oauth:grant-type:jwt-bearer`.
    pub const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

    pub fn jwt_bearer(assertion: String) -> Self {
        TokenRequest {
            grant_type: Self::JWT_BEARER.to_owned(),
            assertion,
        }
    }
}

/// `200` to `POST /device/token`: a five-minute access token bound to the device key
/// (RFC 9449 §5), used as `Authorization: DPoP <token>` with a proof naming it (`ath`). Its
/// schema is named `DeviceTokenResponse`, apart from the OAuth token endpoint's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = DeviceTokenResponse))]
pub struct TokenResponse {
    pub access_token: String,
    /// Seconds: 300.
    pub expires_in: u64,
    /// `DPoP`.
    pub token_type: String,
}

/// The query of `GET /device/inbox`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct InboxQuery {
    /// Long poll: seconds to wait for a prompt (at most 25).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait: Option<u64>,
}

/// `200` to `GET /device/inbox?wait=SECONDS`: the user's open prompts, oldest first; empty
/// when none arrived within the wait.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Inbox {
    pub requests: Vec<InboxItem>,
}

/// One pending consent (or sign-in) request in the inbox: the gateway's own rendering for an
/// app screen, and the content for the device to render for its own screen and language
/// (the decision then says how, [`crate::jwt::Shown`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InboxItem {
    /// What the prompt says (`null`: the request can only be shown as the gateway rendered
    /// it). Read leniently: a content this version cannot read is `None`, so the request is
    /// still listed, to be shown as the gateway rendered it.
    #[serde(default, deserialize_with = "lenient")]
    pub content: Option<PromptContent>,
    /// When the prompt was made, ms since the Unix epoch.
    pub created_ms: i64,
    /// The request id (the prompt's message id), for the decision's URL.
    pub id: String,
    /// The gateway's rendering of the prompt for an app screen, in the request's language.
    pub prompt: String,
    /// SHA-256 (lowercase hex) of `prompt`: what a decision over the gateway's own text
    /// signs.
    pub prompt_sha256: String,
}

/// `POST /device/inbox/{id}/decision`: the user's answer, as a JWT signed by the device key
/// ([`crate::jwt::DecisionClaims`]): bound to the request and to the SHA-256 of the exact
/// text shown, which the gateway checks before it records the answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DecisionRequest {
    /// The compact JWS.
    pub decision: String,
}

/// `200` to `POST /device/inbox/{id}/decision`: the decision was recorded; `accepted` says
/// whether it settled the request (false: the request had been settled another way, e.g. it
/// expired or was answered on USSD).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DecisionAnswer {
    pub accepted: bool,
    /// The request id.
    pub id: String,
}

/// `200` to `GET /device/grants`: the user's live long-lived consents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Grants {
    pub grants: Vec<Grant>,
}

/// A long-lived consent an SP holds (`GET /device/grants`): what it covers and when the SP
/// last read the user's data (MC_ATTR_20: the user sees and revokes it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Grant {
    /// The attributes the SP receives now: those its services release (from the service
    /// catalog) less those the user withdrew.
    pub attributes: Vec<String>,
    pub client_id: String,
    pub client_name: String,
    /// RFC 3339: when the consent ends by itself (the catalog's longest lifetime for its
    /// services; the user is reminded a week before); `None` (`null`): until revoked.
    #[serde(default)]
    pub expires_at: Option<String>,
    /// RFC 3339.
    pub granted_at: String,
    /// The grant id, for `POST /device/grants/{id}/revoke`.
    pub id: String,
    /// RFC 3339; `None` (`null`): never used since it was granted.
    #[serde(default)]
    pub last_used: Option<String>,
    /// The consent text the user agreed to.
    pub prompt: String,
    /// The Mobile Connect services (scopes) it covers, without `openid`.
    pub services: Vec<String>,
    /// The attributes the user withdrew from this consent while keeping the rest: the SP's
    /// share answers them empty (MC_ATTR_29), its match `not_available`.
    #[serde(default)]
    pub withdrawn: Vec<String>,
}

/// `POST /device/grants/{id}/withdraw`: stop sharing some attributes of a long-lived consent
/// and keep the rest. Withdrawing every attribute it still gives is a revocation
/// (`POST /device/grants/{id}/revoke`), and is refused here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WithdrawRequest {
    /// Attribute names (as in [`Grant::attributes`]).
    pub attributes: Vec<String>,
}

/// `200` to `POST /device/grants/{id}/withdraw`: what the consent gives now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Withdrawn {
    /// The attributes the SP still receives.
    pub attributes: Vec<String>,
    /// The grant id.
    pub id: String,
    /// The receipt of this withdrawal (`GET /device/receipts`).
    pub receipt: String,
    /// Every attribute withdrawn from this consent so far.
    pub withdrawn: Vec<String>,
}

/// `200` to `GET /device/receipts`: the user's consent receipts, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Receipts {
    pub receipts: Vec<ReceiptItem>,
}

/// One consent receipt (ISO/IEC TS 27560): the compact JWS the gateway signed
/// ([`crate::jwt::ReceiptClaims`]), with what the app keeps beside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReceiptItem {
    /// RFC 3339: when the consent was given or withdrawn.
    pub at: String,
    pub client_id: String,
    pub client_name: String,
    /// The consent (grant) it is about.
    pub consent_id: String,
    /// `rc-…`.
    pub id: String,
    /// The compact JWS (ES256, `typ` `assent-receipt+jwt`), verifiable with the gateway's
    /// JWKS.
    pub jws: String,
    /// `consent` or `withdrawal`.
    pub kind: String,
    /// For a consent: the exact text the user was shown, whose SHA-256 the receipt carries.
    #[serde(default)]
    pub prompt: Option<String>,
}

/// The body of a POST that carries nothing: `{}` (`POST /device/grants/{id}/revoke`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Empty {}

/// `200` to `POST /device/grants/{id}/revoke` (MC_ATTR_20): the consent and every token
/// bought with it are revoked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Revoked {
    /// The grant id.
    pub id: String,
    /// Always `true`.
    pub revoked: bool,
}

/// `200` to `GET /device/devices`: every device bound to the user's account (NIST SP
/// 800-63B §6.1: the subscriber sees the authenticators bound to it, and revokes them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Devices {
    pub devices: Vec<DeviceInfo>,
}

/// One device of the user (`GET /device/devices`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DeviceInfo {
    /// RFC 3339: when its certificate expires, and with it the device.
    pub expires_at: String,
    /// The device id, for `POST /device/devices/{id}/revoke`.
    pub id: String,
    /// The name it registered with.
    pub name: String,
    /// RFC 3339.
    pub registered_at: String,
    /// RFC 3339, once revoked.
    #[serde(default)]
    pub revoked_at: Option<String>,
    /// `active`, `pending` (waiting for approval on another device), `refused`, `expired`
    /// or `revoked`.
    pub status: String,
    /// The device asking.
    pub this_device: bool,
}

/// `200` to `POST /device/devices/{id}/revoke`: the device can no longer get a token, and
/// the tokens it holds stop working.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceRevoked {
    /// The device id.
    pub id: String,
    /// Always `true`.
    pub revoked: bool,
}

/// `POST /device/flags` (MC_ATTR_20): the user reports an SP to the operator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FlagRequest {
    pub client_id: String,
    /// Why; up to 500 characters are kept, control characters are dropped.
    pub reason: String,
}

/// `201` to `POST /device/flags`: the report was recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Flagged {
    /// `fl-…`.
    pub id: String,
}

/// `200` to `GET /device/notifications`: what SPs did with the user's data, oldest first
/// (MC_ATTR_19).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Notifications {
    pub notifications: Vec<Notification>,
}

/// One notification (MC_ATTR_19): an SP read the user's data under a long-lived consent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Notification {
    /// RFC 3339.
    pub at: String,
    pub client_id: String,
    /// What happened, by kind; free-form JSON (`null` when the stored text is not JSON). For
    /// `resource_access` and `atp_check`: `{"attributes": […], "services": […]}`.
    pub detail: serde_json::Value,
    /// `n-…`.
    pub id: String,
    /// `resource_access` or `atp_check` (more kinds may come: read it as text).
    pub kind: String,
}

/// The query of `GET /device/audit`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct AuditQuery {
    /// Only entries about this SP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sp: Option<String>,
    /// Only entries of this kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// RFC 3339: entries at or after.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
    /// RFC 3339: entries before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
    /// Cursor: entries after this sequence number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<u64>,
    /// Page size (1 to 500; 100 when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

/// `200` to `GET /device/audit?…` (MC_ATTR_32): a page of the user's own entries, oldest
/// first, cursor-paged by sequence number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    /// The cursor for the next page (`after=`): the last entry's sequence number when the
    /// page is full; `null` on the last page.
    #[serde(default)]
    pub next: Option<u64>,
    /// The name of each SP the page's entries name (client_id → client_name), for display
    /// only: not part of the entries or their hash chain. Absent from older gateways' pages
    /// and when no entry names an SP the gateway knows.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub sp_names: std::collections::BTreeMap<String, String>,
}

/// `200` to `GET /device/audit/export` (MC_ATTR_32): every entry of the user with the
/// hash-chain proof and the gateway's signed head: `assent-audit`'s type.
pub type AuditExport = assent_audit::UserExport;
