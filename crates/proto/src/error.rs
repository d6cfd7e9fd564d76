use serde::{Deserialize, Serialize};

/// An error answer (RFC 6749 §5.2 shape): every 4xx and 5xx of the device API (`/device/…`,
/// 401s with `WWW-Authenticate: DPoP`, RFC 9449 §7.1) and of the handset simulator, e.g.
/// `{"error": "already_registered", "error_description": "this certificate is registered
/// already; each registration is unique"}`. The gateway always sends a description.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct OAuthError {
    /// A stable code: `invalid_request`, `invalid_token`, `unsupported_grant_type`,
    /// `not_found`, `already_answered`, `key_mismatch`, `server_error`, …
    pub error: String,
    /// A sentence for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub error_description: Option<String>,
}
