//! Every domain error to its HTTP response, in one place: which status, which headers.
//!
//! One decision for a database out of reach, on every endpoint: `503` with `server_error`
//! and `Retry-After` (the request may be sent again as it was); any other failure of the
//! gateway is `500` without it.

use crate::rules::oauth::{OAuthError, OAuthErrorKind};
use crate::rules::resource::wire::{ResourceError, ResourceErrorKind};
use axum::Json;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// What `Retry-After` says when the database is out of reach (seconds): long enough for a
/// connection pool to find a restarted server, short enough that a poll keeps its pace.
pub const UNAVAILABLE_RETRY_AFTER_S: u32 = 2;

/// `Cache-Control: no-store` and `Pragma: no-cache` (RFC 6749 §5.1, MC_ATTR_25).
pub fn no_store_headers() -> [(HeaderName, HeaderValue); 2] {
    [
        (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        (header::PRAGMA, HeaderValue::from_static("no-cache")),
    ]
}

/// Adds `Retry-After` to a 503 (RFC 9110 §10.2.3).
pub fn retry_after_if_unavailable(mut response: Response) -> Response {
    if response.status() == StatusCode::SERVICE_UNAVAILABLE {
        response.headers_mut().insert(
            header::RETRY_AFTER,
            HeaderValue::from(UNAVAILABLE_RETRY_AFTER_S),
        );
    }
    response
}

/// The status of an OAuth error (RFC 6749 §5.2, CIBA §13).
pub fn oauth_status(kind: OAuthErrorKind) -> StatusCode {
    match kind {
        OAuthErrorKind::Request => StatusCode::BAD_REQUEST,
        OAuthErrorKind::Client { .. } => StatusCode::UNAUTHORIZED,
        OAuthErrorKind::Refused => StatusCode::FORBIDDEN,
        OAuthErrorKind::Server => StatusCode::INTERNAL_SERVER_ERROR,
        OAuthErrorKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let body = json!({"error": self.code, "error_description": self.description});
        let mut response =
            (oauth_status(self.kind), no_store_headers(), Json(body)).into_response();
        // RFC 6749 §5.2: 401 with `WWW-Authenticate` naming the scheme the client tried.
        if let OAuthErrorKind::Client { basic: true } = self.kind {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"assent\""),
            );
        }
        retry_after_if_unavailable(response)
    }
}

/// A JSON error response of the handset simulator: `{"error": code, "error_description":
/// text}`.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    description: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, description: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            description: description.into(),
        }
    }
}

impl From<crate::store::StoreError> for ApiError {
    fn from(error: crate::store::StoreError) -> Self {
        OAuthError::from(error).into()
    }
}

impl From<OAuthError> for ApiError {
    fn from(error: OAuthError) -> Self {
        ApiError::new(oauth_status(error.kind), error.code, error.description)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Json(json!({"error": self.code, "error_description": self.description}));
        retry_after_if_unavailable(
            (self.status, [("cache-control", "no-store")], body).into_response(),
        )
    }
}

// ---- resource: the resource server's refusals (IDY.03 Annex A, RFC 6750 §3) ----

/// The status of each Annex A row.
pub fn resource_status(kind: ResourceErrorKind) -> StatusCode {
    match kind {
        ResourceErrorKind::InvalidRequest => StatusCode::BAD_REQUEST,
        ResourceErrorKind::NoToken | ResourceErrorKind::InvalidToken => StatusCode::UNAUTHORIZED,
        ResourceErrorKind::InsufficientScope | ResourceErrorKind::AccessDenied => {
            StatusCode::FORBIDDEN
        }
        ResourceErrorKind::Server => StatusCode::INTERNAL_SERVER_ERROR,
        ResourceErrorKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
    }
}

/// The `WWW-Authenticate` challenge of a refusal (RFC 6750 §3): a bare `Bearer` without a
/// token (§3.1: no error code), the error and its description on the other 401s and on
/// 403s; none otherwise.
pub fn resource_challenge(error: &ResourceError) -> Option<HeaderValue> {
    match (resource_status(error.kind), error.code()) {
        (StatusCode::UNAUTHORIZED, None) => Some(HeaderValue::from_static("Bearer")),
        (StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN, Some(code)) => {
            // The description is ours, ASCII without quotes; keep it that way on the wire
            // (RFC 6750 §3: error_description is %x20-21 / %x23-5B / %x5D-7E).
            let description: String = error
                .description
                .chars()
                .filter(|c| c.is_ascii() && !c.is_ascii_control() && *c != '"' && *c != '\\')
                .collect();
            HeaderValue::from_str(&format!(
                "Bearer error=\"{code}\", error_description=\"{description}\""
            ))
            .ok()
        }
        _ => None,
    }
}

/// The body of a refusal: `{"error", "error_description"}`, or `{}` when there is no code
/// (Annex A, no token).
pub fn resource_error_body(error: &ResourceError) -> serde_json::Value {
    match error.code() {
        Some(code) => json!({"error": code, "error_description": error.description}),
        None => json!({}),
    }
}

/// MC_ATTR_25: JSON (UTF-8), `Cache-Control: no-store`, `Pragma: no-cache` (answers and
/// refusals alike).
pub fn resource_json(status: StatusCode, body: serde_json::Value) -> Response {
    let mut response = (status, no_store_headers(), Json(body)).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    response
}

/// MC_ATTR_25 for refusals too: JSON in UTF-8, not stored; the challenge of RFC 6750 §3; and
/// `Retry-After` when a system the resource server depends on is out of reach.
impl IntoResponse for ResourceError {
    fn into_response(self) -> Response {
        let mut response = resource_json(resource_status(self.kind), resource_error_body(&self));
        if let Some(challenge) = resource_challenge(&self) {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, challenge);
        }
        retry_after_if_unavailable(response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oauth_errors_take_the_status_their_kind_names() {
        let status = |e: OAuthError| e.into_response().status();
        assert_eq!(
            status(OAuthError::invalid_request("x")),
            StatusCode::BAD_REQUEST
        );
        assert_eq!(
            status(OAuthError::invalid_client(false)),
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(status(OAuthError::access_denied()), StatusCode::FORBIDDEN);
        assert_eq!(
            status(OAuthError::server_error()),
            StatusCode::INTERNAL_SERVER_ERROR
        );
        assert_eq!(
            status(OAuthError::unavailable()),
            StatusCode::SERVICE_UNAVAILABLE
        );
    }

    #[test]
    fn a_failed_basic_authentication_names_basic_and_an_outage_says_when_to_retry() {
        let basic = OAuthError::invalid_client(true).into_response();
        assert_eq!(
            basic.headers()[header::WWW_AUTHENTICATE],
            "Basic realm=\"assent\""
        );
        assert!(
            OAuthError::invalid_client(false)
                .into_response()
                .headers()
                .get(header::WWW_AUTHENTICATE)
                .is_none()
        );
        let down = OAuthError::unavailable().into_response();
        assert_eq!(down.headers()[header::RETRY_AFTER], "2");
        assert!(
            OAuthError::server_error()
                .into_response()
                .headers()
                .get(header::RETRY_AFTER)
                .is_none()
        );
        let sim = ApiError::from(OAuthError::unavailable()).into_response();
        assert_eq!(
            (sim.status(), &sim.headers()[header::RETRY_AFTER]),
            (StatusCode::SERVICE_UNAVAILABLE, &HeaderValue::from(2u32))
        );
    }

    #[test]
    fn annex_a_rows_take_their_status_and_rfc_6750_challenge() {
        let respond = |e: ResourceError| e.into_response();
        let bare = respond(ResourceError::no_token());
        assert_eq!(bare.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(bare.headers()[header::WWW_AUTHENTICATE], "Bearer");
        assert_eq!(
            bare.headers()[header::CONTENT_TYPE],
            "application/json; charset=utf-8"
        );
        assert_eq!(bare.headers()[header::CACHE_CONTROL], "no-store");
        assert_eq!(resource_error_body(&ResourceError::no_token()), json!({}));
        let expired = ResourceError::invalid_token("expired access token");
        assert_eq!(
            resource_challenge(&expired).unwrap(),
            "Bearer error=\"invalid_token\", error_description=\"expired access token\""
        );
        assert_eq!(
            resource_error_body(&expired),
            json!({"error": "invalid_token", "error_description": "expired access token"})
        );
        let quoted = ResourceError::access_denied("a \"quoted\" é\\ text");
        assert_eq!(
            resource_challenge(&quoted).unwrap(),
            "Bearer error=\"access_denied\", error_description=\"a quoted  text\""
        );
        for (error, status, challenged) in [
            (ResourceError::invalid_request("x"), 400, false),
            (ResourceError::insufficient_scope(), 403, true),
            (ResourceError::access_denied("x"), 403, true),
            (ResourceError::server_error(), 500, false),
            (ResourceError::unavailable(), 503, false),
        ] {
            let response = respond(error.clone());
            assert_eq!(response.status().as_u16(), status, "{error:?}");
            assert_eq!(
                response.headers().contains_key(header::WWW_AUTHENTICATE),
                challenged,
                "{error:?}"
            );
            assert_eq!(
                response.headers().contains_key(header::RETRY_AFTER),
                status == 503,
                "{error:?}"
            );
        }
    }
}
