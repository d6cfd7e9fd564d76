//! The request bodies and error documents the OpenAPI description names that no Rust type
//! of the handlers is (the handlers read their bodies as bytes: see `http::openapi`); shared
//! by every handler file, so none of them needs the document's module. Only the document
//! generator reads these types.

#![allow(dead_code)]

use utoipa::{IntoParams, ToSchema};

/// RFC 6749 §5.2 error (also the device API's and the simulator's errors).
#[derive(Debug, ToSchema)]
pub struct OAuthError {
    /// An RFC 6749 / CIBA / RFC 6750 error code, e.g. `invalid_request`.
    pub error: String,
    pub error_description: Option<String>,
}

/// `200` of `POST /token` (RFC 6749 §5.1): `flows::issue::TokenResponse` on the wire.
#[derive(Debug, ToSchema)]
pub struct TokenResponse {
    pub access_token: String,
    /// `Bearer`.
    pub token_type: String,
    /// Seconds.
    pub expires_in: i64,
    /// Space-separated.
    pub scope: String,
    /// OIDC Core §3.1.3.3: for grants of a user's consent (not client credentials).
    pub id_token: Option<String>,
    /// With long-lived consent only (MC_ATTR_18), rotated at every use.
    pub refresh_token: Option<String>,
    /// Grant Management for OAuth 2.0: the user's consent the tokens rest on (the id the
    /// user's app shows it by); for grants of a user's consent only.
    pub grant_id: Option<String>,
}

/// `200` of `POST /bc-authorize` (CIBA §7.3).
#[derive(Debug, ToSchema)]
pub struct BackchannelAuthenticationResponse {
    pub auth_req_id: String,
    /// Seconds until the request expires.
    pub expires_in: i64,
    /// Seconds between polls: poll and ping modes only.
    pub interval: Option<i64>,
}

/// The form of `POST /token`. Client authentication: HTTP Basic, or `client_id` with
/// `client_secret` (client_secret_post), or `client_assertion` (private_key_jwt).
#[derive(Debug, ToSchema, serde::Deserialize)]
pub struct TokenRequest {
    /// `authorization_code`, `urn:openid:params:grant-type:ciba`, `refresh_token` or
    /// `client_credentials`.
    pub grant_type: String,
    /// authorization_code: the code from the redirect.
    pub code: Option<String>,
    /// authorization_code: as in the authorization request.
    pub redirect_uri: Option<String>,
    /// authorization_code: the PKCE verifier (RFC 7636).
    pub code_verifier: Option<String>,
    /// CIBA: the `auth_req_id` from /bc-authorize.
    pub auth_req_id: Option<String>,
    /// refresh_token: the refresh token (rotated at every use).
    pub refresh_token: Option<String>,
    /// client_credentials, refresh_token: space-separated scopes.
    pub scope: Option<String>,
    #[schema(inline)]
    #[serde(flatten)]
    pub client: ClientAuthentication,
}

/// Client authentication in the form body (when not HTTP Basic).
#[derive(Debug, ToSchema, serde::Deserialize)]
pub struct ClientAuthentication {
    pub client_id: Option<String>,
    /// client_secret_post.
    pub client_secret: Option<String>,
    /// private_key_jwt: `urn:ietf:params:oauth:client-assertion-type:jwt-bearer`.
    pub client_assertion_type: Option<String>,
    /// private_key_jwt: a JWT signed with a key of the SP's registered JWK Set.
    pub client_assertion: Option<String>,
}

/// The form of `POST /introspect` (RFC 7662) and `POST /revoke` (RFC 7009).
#[derive(Debug, ToSchema, serde::Deserialize)]
pub struct TokenQuery {
    pub token: String,
    /// `access_token` or `refresh_token` (a hint only).
    pub token_type_hint: Option<String>,
    #[schema(inline)]
    #[serde(flatten)]
    pub client: ClientAuthentication,
}

/// The form of `POST /bc-authorize` (CIBA §7.1). Exactly one hint.
#[derive(Debug, ToSchema, serde::Deserialize)]
pub struct BackchannelAuthenticationRequest {
    /// Space-separated; Mobile Connect services from the catalog, `openid` for sign-in.
    pub scope: String,
    /// `MSISDN:<digits>`, `ENCR_MSISDN:<JWE>` or `PCR:<sub>`.
    pub login_hint: Option<String>,
    /// A JWT signed with a key of the SP's JWK Set naming the user (RFC 9493 `sub_id`).
    pub login_hint_token: Option<String>,
    /// An ID token this gateway issued to this SP.
    pub id_token_hint: Option<String>,
    /// At most 32 characters of plain text.
    pub binding_message: Option<String>,
    /// Ping and push modes: the bearer token the gateway sends back.
    pub client_notification_token: Option<String>,
    /// Seconds, up to 600.
    pub requested_expiry: Option<String>,
    /// Grant Management §4.1: `create` (what every request does); `merge` and `replace`
    /// are refused with `invalid_request` (not supported yet).
    pub grant_management_action: Option<String>,
    /// Grant Management §4.1: for `merge` and `replace` only.
    pub grant_id: Option<String>,
    #[schema(inline)]
    #[serde(flatten)]
    pub client: ClientAuthentication,
}

/// The query of `GET /authorize` (OIDC Core §3.1.2.1, RFC 7636): either the request itself
/// (`redirect_uri`, `response_type`, `scope`, `state`, `code_challenge` and
/// `code_challenge_method` are then required), or `client_id` with the `request_uri` of a
/// request pushed to `/par` (RFC 9126 §4), which is the whole request.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuthorizationRequest {
    pub client_id: String,
    /// RFC 9126 §4: `urn:ietf:params:oauth:request_uri:…` from `/par`; usable once.
    pub request_uri: Option<String>,
    pub redirect_uri: Option<String>,
    /// `code`.
    pub response_type: Option<String>,
    pub scope: Option<String>,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    /// `S256`.
    pub code_challenge_method: Option<String>,
    /// `MSISDN:<digits>`, `ENCR_MSISDN:<JWE>` or `PCR:<sub>`.
    pub login_hint: Option<String>,
    pub login_hint_token: Option<String>,
    pub id_token_hint: Option<String>,
    /// Grant Management §4.1: `create` (what every request does); `merge` and `replace`
    /// are refused with `invalid_request` (not supported yet).
    pub grant_management_action: Option<String>,
    /// Grant Management §4.1: for `merge` and `replace` only.
    pub grant_id: Option<String>,
}

/// The form of `POST /par` (RFC 9126 §2.1): the parameters of an authorization request
/// (as `GET /authorize` takes them, without `request_uri`), and the client's authentication
/// as at `/token`.
#[derive(Debug, ToSchema)]
pub struct PushedAuthorizationRequest {
    pub client_id: Option<String>,
    pub redirect_uri: String,
    /// `code`.
    pub response_type: String,
    pub scope: String,
    pub state: String,
    pub nonce: Option<String>,
    pub code_challenge: String,
    /// `S256`.
    pub code_challenge_method: String,
    pub login_hint: Option<String>,
    pub login_hint_token: Option<String>,
    pub id_token_hint: Option<String>,
    /// Grant Management §4.1: `create` (what every request does); `merge` and `replace`
    /// are refused with `invalid_request` (not supported yet).
    pub grant_management_action: Option<String>,
    /// Grant Management §4.1: for `merge` and `replace` only.
    pub grant_id: Option<String>,
}

/// `201` of `POST /par` (RFC 9126 §2.2).
#[derive(Debug, ToSchema)]
pub struct PushedAuthorizationResponse {
    /// `urn:ietf:params:oauth:request_uri:…`, for `GET /authorize` with `client_id`, once.
    pub request_uri: String,
    /// Seconds it stays usable.
    pub expires_in: i64,
}

/// The query of `GET /authorize/wait`.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WaitQuery {
    /// The waiting page's session id (a 256-bit secret only that browser holds).
    pub session: String,
}

/// The form of `POST /authorize/consent`.
#[derive(Debug, ToSchema)]
pub struct ConsentDecision {
    pub session: String,
    /// `allow` or `deny`.
    pub decision: String,
}
