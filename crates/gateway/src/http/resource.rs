//! The resource server's endpoints (IDY.03 §5–6): PremiumInfo and UserInfo over GET and
//! POST (MC_RES_03) with a bearer token (MC_RES_04, RFC 6750 §2). Each handler reads the
//! request into plain values, lets `rules::resource::wire` check it, hands the call to
//! `flows::resource` and writes the answer as MC_ATTR_25 says; refusals are written by
//! `http::error`.
//!
//! The routes need only the [`ResourceServer`] handle, so they serve under any state that
//! provides one: the gateway's ([`AppState`]) or a resource server's in its own process
//! (the handle itself).

use crate::flows::resource::{self as flow, Endpoint, ResourceServer};
use crate::http::error::resource_json;
use crate::http::state::AppState;
use crate::rules::resource::wire::{self, RequestHeaders};
use axum::body::Bytes;
use axum::extract::{FromRef, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The two endpoints, for any state that provides the resource server's handle.
pub fn routes<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    ResourceServer: FromRef<S>,
{
    OpenApiRouter::new()
        .routes(routes!(premiuminfo, premiuminfo_post))
        .routes(routes!(userinfo, userinfo_post))
}

/// The gateway serves the resource endpoints with its own store and keys, validating
/// tokens in-process.
impl FromRef<AppState> for ResourceServer {
    fn from_ref(state: &AppState) -> ResourceServer {
        state.gateway.resource_server()
    }
}

/// `GET /premiuminfo`: PremiumInfo: every attribute service of the token's scopes (MC_RES_01).
#[utoipa::path(get, path = "/premiuminfo", tag = "resource",
    security(("bearer" = [])),
    params(
        ("User-ID-Type" = Option<String>, Header, description = "Generic tokens only: `MSISDN` or `ENCR_MSISDN`"),
        ("User-ID" = Option<String>, Header, description = "Generic tokens only: the number (digits, no `+`) or its JWE"),
    ),
    responses(
        (status = 200, description = "The attributes of the token's services (MC_ATTR_25)", body = Object),
        (status = 400, description = "Annex A: invalid_request (content type, encoding, parameters, User-ID headers)", body = schema::AnnexAError),
        (status = 401, description = "Annex A: no token (`{}`, `WWW-Authenticate: Bearer`) or invalid_token", body = schema::AnnexAError),
        (status = 403, description = "Annex A: insufficient_scope or access_denied", body = schema::AnnexAError),
        (status = 500, description = "Annex A: unexpected error", body = schema::AnnexAError),
        (status = 503, description = "Annex A: system connection problems", body = schema::AnnexAError),
    ))]
async fn premiuminfo(
    State(rs): State<ResourceServer>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    serve(&rs, Endpoint::PremiumInfo, &method, &uri, &headers, &body).await
}

/// `POST /premiuminfo`: the same handler, described apart because only POST carries a body.
#[utoipa::path(post, path = "/premiuminfo", tag = "resource",
    security((), ("bearer" = [])),
    params(
        ("User-ID-Type" = Option<String>, Header, description = "Generic tokens only: `MSISDN` or `ENCR_MSISDN`"),
        ("User-ID" = Option<String>, Header, description = "Generic tokens only: the number (digits, no `+`) or its JWE"),
    ),
    request_body(content(
        (schema::ResourceForm = "application/x-www-form-urlencoded"),
        (schema::ResourceJson = "application/json"),
    )),
    responses(
        (status = 200, description = "The attributes of the token's services (MC_ATTR_25)", body = Object),
        (status = 400, description = "Annex A: invalid_request (content type, encoding, parameters, User-ID headers)", body = schema::AnnexAError),
        (status = 401, description = "Annex A: no token (`{}`, `WWW-Authenticate: Bearer`) or invalid_token", body = schema::AnnexAError),
        (status = 403, description = "Annex A: insufficient_scope or access_denied", body = schema::AnnexAError),
        (status = 500, description = "Annex A: unexpected error", body = schema::AnnexAError),
        (status = 503, description = "Annex A: system connection problems", body = schema::AnnexAError),
    ))]
async fn premiuminfo_post(
    state: State<ResourceServer>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    premiuminfo(state, method, uri, headers, body).await
}

/// `GET /userinfo`: UserInfo: OIDC standard claims for OpenID tokens.
#[utoipa::path(get, path = "/userinfo", tag = "resource",
    security(("bearer" = [])),
    params(
        ("User-ID-Type" = Option<String>, Header, description = "Generic tokens only: `MSISDN` or `ENCR_MSISDN`"),
        ("User-ID" = Option<String>, Header, description = "Generic tokens only: the number (digits, no `+`) or its JWE"),
    ),
    responses(
        (status = 200, description = "The attributes of the token's services (MC_ATTR_25)", body = Object),
        (status = 400, description = "Annex A: invalid_request (content type, encoding, parameters, User-ID headers)", body = schema::AnnexAError),
        (status = 401, description = "Annex A: no token (`{}`, `WWW-Authenticate: Bearer`) or invalid_token", body = schema::AnnexAError),
        (status = 403, description = "Annex A: insufficient_scope or access_denied", body = schema::AnnexAError),
        (status = 500, description = "Annex A: unexpected error", body = schema::AnnexAError),
        (status = 503, description = "Annex A: system connection problems", body = schema::AnnexAError),
    ))]
async fn userinfo(
    State(rs): State<ResourceServer>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    serve(&rs, Endpoint::UserInfo, &method, &uri, &headers, &body).await
}

/// `POST /userinfo`: the same handler, described apart because only POST carries a body.
#[utoipa::path(post, path = "/userinfo", tag = "resource",
    security((), ("bearer" = [])),
    params(
        ("User-ID-Type" = Option<String>, Header, description = "Generic tokens only: `MSISDN` or `ENCR_MSISDN`"),
        ("User-ID" = Option<String>, Header, description = "Generic tokens only: the number (digits, no `+`) or its JWE"),
    ),
    request_body(content(
        (schema::ResourceForm = "application/x-www-form-urlencoded"),
        (schema::ResourceJson = "application/json"),
    )),
    responses(
        (status = 200, description = "The attributes of the token's services (MC_ATTR_25)", body = Object),
        (status = 400, description = "Annex A: invalid_request (content type, encoding, parameters, User-ID headers)", body = schema::AnnexAError),
        (status = 401, description = "Annex A: no token (`{}`, `WWW-Authenticate: Bearer`) or invalid_token", body = schema::AnnexAError),
        (status = 403, description = "Annex A: insufficient_scope or access_denied", body = schema::AnnexAError),
        (status = 500, description = "Annex A: unexpected error", body = schema::AnnexAError),
        (status = 503, description = "Annex A: system connection problems", body = schema::AnnexAError),
    ))]
async fn userinfo_post(
    state: State<ResourceServer>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    userinfo(state, method, uri, headers, body).await
}

/// Reads the request into plain values, checks it (Annex A) and serves it.
async fn serve(
    rs: &ResourceServer,
    endpoint: Endpoint,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Response {
    let read = RequestHeaders::from_pairs(
        headers
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_bytes())),
    );
    let call = match wire::parse(method.as_str(), uri.query(), &read, body) {
        Ok(call) => call,
        Err(error) => return error.into_response(),
    };
    match flow::serve(rs, endpoint, &call).await {
        Ok(disclosure) => resource_json(StatusCode::OK, Value::Object(disclosure.claims)),
        Err(error) => error.into_response(),
    }
}

/// The resource server's shapes on the wire. Handlers read bytes themselves (the Annex A
/// rows need every problem seen), so these types are only read by the document generator.
#[allow(dead_code)]
pub mod schema {
    use serde_json::Value;
    use utoipa::ToSchema;

    /// IDY.03 Annex A error of the resource server. With no token at all the body is `{}`
    /// and the answer says only `WWW-Authenticate: Bearer`.
    #[derive(Debug, ToSchema)]
    pub struct AnnexAError {
        /// `invalid_request`, `invalid_token`, `insufficient_scope`, `access_denied` or
        /// `server_error`.
        pub error: Option<String>,
        pub error_description: Option<String>,
    }

    /// The form body of a resource request (ASCII only, no repeated parameter).
    #[derive(Debug, ToSchema)]
    pub struct ResourceForm {
        /// Instead of `Authorization: Bearer` (never both).
        pub access_token: Option<String>,
        /// Match claims as a JSON object, e.g. `{"given_name": "Tom"}`.
        pub mc_claims: Option<String>,
    }

    /// The JSON body of a resource request.
    #[derive(Debug, ToSchema)]
    pub struct ResourceJson {
        /// Match claims: plain values or lowercase hex SHA-256 in `<claim>_hashed`.
        #[schema(value_type = Option<Object>)]
        pub mc_claims: Option<Value>,
    }
}
