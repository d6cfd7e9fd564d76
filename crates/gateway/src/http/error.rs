//! Every domain error to its HTTP response, in one place: which status, which headers.
//!
//! One decision for a database out of reach, on every endpoint: `503` with `server_error`
//! and `Retry-After` (the request may be sent again as it was); any other failure of the
//! gateway is `500` without it.

use crate::flows::grants::GrantError;
use crate::flows::ssf::SsfError;
use crate::rules::code_flow::{CodeFlowError, CodeFlowErrorKind};
use crate::rules::device::{DeviceError, DeviceErrorKind};
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
        OAuthErrorKind::Limited { .. } => StatusCode::TOO_MANY_REQUESTS,
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
        if let OAuthErrorKind::Limited { retry_after_s } = self.kind {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_s));
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

// ---- ACME (RFC 8555 §6.7) ----

/// An ACME refusal as `application/problem+json` (RFC 8555 §6.7) with the status its type
/// names and `Retry-After` on `rateLimited` (§6.6). A database out of reach is 503 with
/// `Retry-After`, as on every endpoint, its document `serverInternal` with that status.
/// The headers of every ACME response (nonce, directory link) are `http::acme`'s.
impl IntoResponse for crate::flows::acme::AcmeError {
    fn into_response(self) -> Response {
        let mut document = assent_proto::acme::ProblemDocument::from(&self.problem);
        let status = if self.unavailable {
            document.status = Some(StatusCode::SERVICE_UNAVAILABLE.as_u16());
            StatusCode::SERVICE_UNAVAILABLE
        } else {
            StatusCode::from_u16(self.problem.status()).unwrap_or(StatusCode::BAD_REQUEST)
        };
        let mut response = (status, Json(document)).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(seconds) = self.retry_after_s {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        retry_after_if_unavailable(response)
    }
}

// ---- The handset simulator ----

/// The simulator's refusals: 400 `invalid_request`, 404 `not_found`; a store failure as
/// every endpoint answers it (503 with `Retry-After` when the database is out of reach).
impl IntoResponse for crate::flows::handset::SimulatorError {
    fn into_response(self) -> Response {
        use crate::flows::handset::SimulatorError;
        match self {
            SimulatorError::Invalid(description) => {
                ApiError::new(StatusCode::BAD_REQUEST, "invalid_request", description)
            }
            SimulatorError::NotFound(description) => {
                ApiError::new(StatusCode::NOT_FOUND, "not_found", description)
            }
            SimulatorError::Store(error) => ApiError::from(error),
            SimulatorError::Menu(error) => {
                tracing::error!(%error, "a self-care screen does not fit");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "server_error",
                    "the menu could not be shown",
                )
            }
        }
        .into_response()
    }
}

// ---- The authorization code flow's browser pages ----

/// HTML text (element content and double-quoted attribute values).
pub fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The status of a code flow request that stops on a page.
pub fn code_flow_status(kind: CodeFlowErrorKind) -> StatusCode {
    match kind {
        CodeFlowErrorKind::BadRequest => StatusCode::BAD_REQUEST,
        CodeFlowErrorKind::NotFound => StatusCode::NOT_FOUND,
        CodeFlowErrorKind::Conflict => StatusCode::CONFLICT,
        CodeFlowErrorKind::Failed => StatusCode::INTERNAL_SERVER_ERROR,
        CodeFlowErrorKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
    }
}

/// An error shown in the browser, never a redirect: the redirect URI may not be trusted
/// (RFC 6749 §4.1.2.1), or the browser is not where the request is.
impl IntoResponse for CodeFlowError {
    fn into_response(self) -> Response {
        let body = format!(
            "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>Assent</title>\
             <h1>This sign-in request cannot continue</h1><p>{}</p></html>",
            html_escape(self.message)
        );
        retry_after_if_unavailable(
            (
                code_flow_status(self.kind),
                [(header::CACHE_CONTROL, "no-store")],
                axum::response::Html(body),
            )
                .into_response(),
        )
    }
}

// ---- The resource server's refusals (IDY.03 Annex A, RFC 6750 §3) ----

/// The status of each Annex A row.
pub fn resource_status(kind: ResourceErrorKind) -> StatusCode {
    match kind {
        ResourceErrorKind::InvalidRequest => StatusCode::BAD_REQUEST,
        ResourceErrorKind::NoToken
        | ResourceErrorKind::InvalidToken
        | ResourceErrorKind::InvalidDpopProof => StatusCode::UNAUTHORIZED,
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
            // RFC 9449 §7.1: a DPoP refusal challenges with the DPoP scheme and its algs.
            let scheme = if error.kind == ResourceErrorKind::InvalidDpopProof {
                "DPoP algs=\"ES256 EdDSA\","
            } else {
                "Bearer"
            };
            HeaderValue::from_str(&format!(
                "{scheme} error=\"{code}\", error_description=\"{description}\""
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

// ---- Grant Management ----
//
// RFC 6750 §3.1 for the bearer token (401 `invalid_token`, 403 `insufficient_scope`, each
// with its challenge); 404 `invalid_grant_id` (the code Grant Management gives an unknown
// grant) for a grant that is not the caller's, not in force, or not there at all.

impl IntoResponse for GrantError {
    fn into_response(self) -> Response {
        let refusal = match &self {
            GrantError::InvalidToken => SpRefusal::InvalidToken,
            GrantError::InsufficientScope(scope) => SpRefusal::InsufficientScope(scope),
            GrantError::NotFound => SpRefusal::Plain(StatusCode::NOT_FOUND, "invalid_grant_id"),
            GrantError::Store(error) => SpRefusal::Store(error, "grant management"),
        };
        sp_endpoint_refusal(refusal, &self)
    }
}

/// What an SP-facing endpoint (Grant Management, Shared Signals) refuses with.
enum SpRefusal<'a> {
    /// RFC 6750 §3.1: 401 with its challenge.
    InvalidToken,
    /// RFC 6750 §3.1: 403 naming the scope needed.
    InsufficientScope(&'a str),
    /// 503 when the database is out of reach (with `Retry-After`), else 500; logged with
    /// what was being done.
    Store(&'a crate::store::StoreError, &'static str),
    Plain(StatusCode, &'static str),
}

/// The answer: `{"error", "error_description"}` (the error's own words, but never a store
/// error's), not stored, with the bearer challenge where RFC 6750 asks for one.
fn sp_endpoint_refusal(refusal: SpRefusal<'_>, error: &dyn std::fmt::Display) -> Response {
    let (status, code, challenge) = match refusal {
        SpRefusal::InvalidToken => (
            StatusCode::UNAUTHORIZED,
            "invalid_token",
            Some("Bearer error=\"invalid_token\"".to_owned()),
        ),
        SpRefusal::InsufficientScope(scope) => (
            StatusCode::FORBIDDEN,
            "insufficient_scope",
            Some(format!(
                "Bearer error=\"insufficient_scope\", scope=\"{scope}\""
            )),
        ),
        SpRefusal::Store(store_error, doing) => {
            tracing::error!(error = %store_error, "{doing}: store error");
            let status = if store_error.is_unreachable() {
                StatusCode::SERVICE_UNAVAILABLE
            } else {
                StatusCode::INTERNAL_SERVER_ERROR
            };
            (status, "server_error", None)
        }
        SpRefusal::Plain(status, code) => (status, code, None),
    };
    let description = if code == "server_error" {
        "the request could not be completed".to_owned()
    } else {
        error.to_string()
    };
    let body = json!({"error": code, "error_description": description});
    let mut response = (status, no_store_headers(), Json(body)).into_response();
    if let Some(challenge) = challenge.and_then(|c| HeaderValue::from_str(&c).ok()) {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, challenge);
    }
    retry_after_if_unavailable(response)
}

// ---- Shared Signals ----
//
// SSF 1.0 §8.1 gives statuses, not bodies: the bodies are OAuth-style JSON as elsewhere.
// RFC 6750 §3.1 for the bearer token; 404 for a stream that is not the caller's (unknown
// and another SP's alike); 409 for a second stream; 429 with `Retry-After` for a
// verification asked too soon.

impl IntoResponse for SsfError {
    fn into_response(self) -> Response {
        let refusal = match &self {
            SsfError::InvalidToken => SpRefusal::InvalidToken,
            SsfError::InsufficientScope(scope) => SpRefusal::InsufficientScope(scope),
            SsfError::NotFound => SpRefusal::Plain(StatusCode::NOT_FOUND, "not_found"),
            SsfError::Exists => SpRefusal::Plain(StatusCode::CONFLICT, "conflict"),
            SsfError::Invalid(_) => SpRefusal::Plain(StatusCode::BAD_REQUEST, "invalid_request"),
            SsfError::TooSoon(_) => {
                SpRefusal::Plain(StatusCode::TOO_MANY_REQUESTS, "too_many_requests")
            }
            SsfError::Store(error) => SpRefusal::Store(error, "shared signals"),
        };
        let mut response = sp_endpoint_refusal(refusal, &self);
        if let SsfError::TooSoon(seconds) = self {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

// ---- The device API ----
//
// The device API's errors: OAuth-style JSON, `Cache-Control: no-store`. A 401 carries the
// DPoP challenge (RFC 9449 §7.1) naming the algorithms a device key may use. A database out
// of reach is 503 with `Retry-After`, as on every endpoint: this API answered 500 before the
// gateway took that one decision (issue 15), so an app now knows to try again.

/// The status of a device API error.
pub fn device_status(kind: DeviceErrorKind) -> StatusCode {
    match kind {
        DeviceErrorKind::BadRequest => StatusCode::BAD_REQUEST,
        DeviceErrorKind::Unauthorized => StatusCode::UNAUTHORIZED,
        DeviceErrorKind::Forbidden => StatusCode::FORBIDDEN,
        DeviceErrorKind::NotFound => StatusCode::NOT_FOUND,
        DeviceErrorKind::Conflict => StatusCode::CONFLICT,
        DeviceErrorKind::Server => StatusCode::INTERNAL_SERVER_ERROR,
        DeviceErrorKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
    }
}

impl IntoResponse for DeviceError {
    fn into_response(self) -> Response {
        let body = json!({"error": self.code, "error_description": self.description});
        let mut response =
            (device_status(self.kind), no_store_headers(), Json(body)).into_response();
        if self.kind == DeviceErrorKind::Unauthorized {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("DPoP algs=\"ES256 EdDSA\""),
            );
        }
        retry_after_if_unavailable(response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flows::acme::AcmeError;
    use assent_acme::problem::{AcmeProblem, ProblemType};

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

    // tokens: the code flow's pages
    #[test]
    fn code_flow_pages_take_their_status_and_an_outage_says_when_to_retry() {
        let page = |kind| CodeFlowError::new(kind, "<why>").into_response();
        let down = page(CodeFlowErrorKind::Unavailable);
        assert_eq!(down.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(down.headers()[header::RETRY_AFTER], "2");
        let failed = page(CodeFlowErrorKind::Failed);
        assert_eq!(failed.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(failed.headers().get(header::RETRY_AFTER).is_none());
        assert_eq!(failed.headers()[header::CACHE_CONTROL], "no-store");
        assert_eq!(
            page(CodeFlowErrorKind::Conflict).status(),
            StatusCode::CONFLICT
        );
    }

    async fn read(error: AcmeError) -> (StatusCode, Option<String>, String, serde_json::Value) {
        let response = error.into_response();
        let header = |name| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let retry_after = header(header::RETRY_AFTER);
        let content_type = header(header::CONTENT_TYPE).unwrap_or_default();
        let status = response.status();
        let body = axum::body::to_bytes(response.into_body(), 4096)
            .await
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default();
        (status, retry_after, content_type, body)
    }

    #[tokio::test]
    async fn a_problem_takes_its_status_a_rate_limit_and_an_outage_say_when_to_retry() {
        let wrong = AcmeProblem::new(ProblemType::IncorrectResponse, "wrong code").into();
        let (status, retry_after, content_type, body) = read(wrong).await;
        assert_eq!((status, retry_after), (StatusCode::FORBIDDEN, None));
        assert_eq!(content_type, "application/problem+json");
        assert_eq!(body["type"], "urn:ietf:params:acme:error:incorrectResponse");

        let (status, retry_after, _, body) = read(AcmeError::rate_limited(7)).await;
        assert_eq!(
            (status, retry_after.as_deref()),
            (StatusCode::TOO_MANY_REQUESTS, Some("7"))
        );
        assert_eq!(body["type"], "urn:ietf:params:acme:error:rateLimited");

        let down = AcmeError {
            problem: AcmeProblem::new(ProblemType::ServerInternal, "x"),
            retry_after_s: None,
            unavailable: true,
        };
        let (status, retry_after, _, body) = read(down).await;
        assert_eq!(
            (status, retry_after.as_deref()),
            (StatusCode::SERVICE_UNAVAILABLE, Some("2"))
        );
        assert_eq!(
            (body["type"].as_str(), body["status"].as_u64()),
            (Some("urn:ietf:params:acme:error:serverInternal"), Some(503))
        );
    }

    /// The typed document writes the bytes `AcmeProblem::to_json` wrote, for every type
    /// (`algorithms` only for badSignatureAlgorithm, RFC 8555 §6.2).
    #[test]
    fn problem_documents_are_written_as_they_always_were() {
        for kind in ProblemType::ALL {
            let problem = AcmeProblem::new(kind, "the detail");
            assert_eq!(
                serde_json::to_string(&assent_proto::acme::ProblemDocument::from(&problem))
                    .unwrap_or_default(),
                problem.to_json().to_string(),
                "{kind:?}"
            );
        }
    }

    #[test]
    fn device_errors_take_their_kind_s_status_a_401_challenges_and_an_outage_retries() {
        let unauthorized = DeviceError::unauthorized("x").into_response();
        assert_eq!(unauthorized.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(
            unauthorized.headers()[header::WWW_AUTHENTICATE],
            "DPoP algs=\"ES256 EdDSA\""
        );
        assert_eq!(
            DeviceError::conflict("already_answered", "x")
                .into_response()
                .status(),
            StatusCode::CONFLICT
        );
        let forbidden = DeviceError::forbidden("key_mismatch", "x").into_response();
        assert_eq!(forbidden.status(), StatusCode::FORBIDDEN);
        assert!(forbidden.headers().get(header::WWW_AUTHENTICATE).is_none());
        let down = DeviceError::unavailable("x").into_response();
        assert_eq!(
            (down.status(), &down.headers()[header::RETRY_AFTER]),
            (StatusCode::SERVICE_UNAVAILABLE, &HeaderValue::from(2u32))
        );
        let failed = DeviceError::server("x").into_response();
        assert_eq!(failed.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(failed.headers().get(header::RETRY_AFTER).is_none());
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
