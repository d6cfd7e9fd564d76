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
use crate::http::limits::{Limited, RateLimits, peer_ip};
use crate::http::state::AppState;
use crate::rules::resource::wire::{
    self, RequestHeaders, ResourceError, ResourceErrorKind, Sender,
};
use axum::body::Bytes;
use axum::extract::{FromRef, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The two endpoints, for any state that provides the resource server's handle and its
/// edge settings.
pub fn routes<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    ResourceServer: FromRef<S>,
    ResourceEdge: FromRef<S>,
{
    OpenApiRouter::new()
        .routes(routes!(premiuminfo, premiuminfo_post))
        .routes(routes!(userinfo, userinfo_post))
        .routes(routes!(kyc_match))
}

/// The gateway serves the resource endpoints with its own store and keys, validating
/// tokens in-process.
impl FromRef<AppState> for ResourceServer {
    fn from_ref(state: &AppState) -> ResourceServer {
        state.gateway.resource_server()
    }
}

/// What the resource endpoints need at the edge: the limits on refused requests and the
/// request deadline.
#[derive(Debug, Clone)]
pub struct ResourceEdge {
    pub limits: Arc<RateLimits>,
    /// Past it, the request is answered with Annex A's timeout row.
    pub deadline: Duration,
}

impl FromRef<AppState> for ResourceEdge {
    fn from_ref(state: &AppState) -> ResourceEdge {
        ResourceEdge {
            limits: state.limits.clone(),
            deadline: state.resource_deadline,
        }
    }
}

/// A resource server in its own process: its handle and its edge.
#[derive(Debug, Clone)]
pub struct ResourceState {
    pub server: ResourceServer,
    pub edge: ResourceEdge,
}

impl FromRef<ResourceState> for ResourceServer {
    fn from_ref(state: &ResourceState) -> ResourceServer {
        state.server.clone()
    }
}

impl FromRef<ResourceState> for ResourceEdge {
    fn from_ref(state: &ResourceState) -> ResourceEdge {
        state.edge.clone()
    }
}

/// `GET /premiuminfo`: PremiumInfo: every attribute service of the token's scopes (MC_RES_01).
#[utoipa::path(get, path = "/premiuminfo", tag = "resource",
    security(("bearer" = [])),
    params(
        ("User-ID-Type" = Option<String>, Header, description = "Generic tokens only: `MSISDN` or `ENCR_MSISDN`"),
        ("User-ID" = Option<String>, Header, description = "Generic tokens only: the number (digits, no `+`) or its JWE"),
        ("DPoP" = Option<String>, Header, description = "RFC 9449 §7.1: with `Authorization: DPoP <token>`, a proof for this method and URL naming the token (`ath`), by the key a DPoP-bound token is bound to"),
    ),
    responses(
        (status = 200, description = "The attributes of the token's services (MC_ATTR_25)", body = Object),
        (status = 400, description = "Annex A: invalid_request (content type, encoding, parameters, User-ID headers)", body = schema::AnnexAError),
        (status = 401, description = "Annex A: no token (`{}`, `WWW-Authenticate: Bearer`) or invalid_token; RFC 9449: invalid_dpop_proof (`WWW-Authenticate: DPoP`) for a bound token without a good proof by its key, or a token sent with the other scheme", body = schema::AnnexAError),
        (status = 403, description = "Annex A: insufficient_scope or access_denied", body = schema::AnnexAError),
        (status = 429, description = "Too many refused requests from this SP or address, with Retry-After", body = schema::AnnexAError),
        (status = 500, description = "Annex A: unexpected error, or the timeout row (\"Timeout: Server internal error.\")", body = schema::AnnexAError),
        (status = 503, description = "Annex A: system connection problems", body = schema::AnnexAError),
    ))]
async fn premiuminfo(
    State(rs): State<ResourceServer>,
    State(edge): State<ResourceEdge>,
    extensions: axum::http::Extensions,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request = Request {
        endpoint: Endpoint::PremiumInfo,
        method: &method,
        uri: &uri,
        headers: &headers,
        body: &body,
        peer: peer_ip(&extensions),
    };
    serve(&rs, &edge, request).await
}

/// `POST /premiuminfo`: the same handler, described apart because only POST carries a body.
#[utoipa::path(post, path = "/premiuminfo", tag = "resource",
    security((), ("bearer" = [])),
    params(
        ("User-ID-Type" = Option<String>, Header, description = "Generic tokens only: `MSISDN` or `ENCR_MSISDN`"),
        ("User-ID" = Option<String>, Header, description = "Generic tokens only: the number (digits, no `+`) or its JWE"),
        ("DPoP" = Option<String>, Header, description = "RFC 9449 §7.1: with `Authorization: DPoP <token>`, a proof for this method and URL naming the token (`ath`), by the key a DPoP-bound token is bound to"),
    ),
    request_body(content(
        (schema::ResourceForm = "application/x-www-form-urlencoded"),
        (schema::ResourceJson = "application/json"),
    )),
    responses(
        (status = 200, description = "The attributes of the token's services (MC_ATTR_25)", body = Object),
        (status = 400, description = "Annex A: invalid_request (content type, encoding, parameters, User-ID headers)", body = schema::AnnexAError),
        (status = 401, description = "Annex A: no token (`{}`, `WWW-Authenticate: Bearer`) or invalid_token; RFC 9449: invalid_dpop_proof (`WWW-Authenticate: DPoP`) for a bound token without a good proof by its key, or a token sent with the other scheme", body = schema::AnnexAError),
        (status = 403, description = "Annex A: insufficient_scope or access_denied", body = schema::AnnexAError),
        (status = 429, description = "Too many refused requests from this SP or address, with Retry-After", body = schema::AnnexAError),
        (status = 500, description = "Annex A: unexpected error, or the timeout row (\"Timeout: Server internal error.\")", body = schema::AnnexAError),
        (status = 503, description = "Annex A: system connection problems", body = schema::AnnexAError),
    ))]
async fn premiuminfo_post(
    state: State<ResourceServer>,
    edge: State<ResourceEdge>,
    extensions: axum::http::Extensions,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    premiuminfo(state, edge, extensions, method, uri, headers, body).await
}

/// `GET /userinfo`: UserInfo: OIDC standard claims for OpenID tokens.
#[utoipa::path(get, path = "/userinfo", tag = "resource",
    security(("bearer" = [])),
    params(
        ("User-ID-Type" = Option<String>, Header, description = "Generic tokens only: `MSISDN` or `ENCR_MSISDN`"),
        ("User-ID" = Option<String>, Header, description = "Generic tokens only: the number (digits, no `+`) or its JWE"),
        ("DPoP" = Option<String>, Header, description = "RFC 9449 §7.1: with `Authorization: DPoP <token>`, a proof for this method and URL naming the token (`ath`), by the key a DPoP-bound token is bound to"),
    ),
    responses(
        (status = 200, description = "The attributes of the token's services (MC_ATTR_25)", body = Object),
        (status = 400, description = "Annex A: invalid_request (content type, encoding, parameters, User-ID headers)", body = schema::AnnexAError),
        (status = 401, description = "Annex A: no token (`{}`, `WWW-Authenticate: Bearer`) or invalid_token; RFC 9449: invalid_dpop_proof (`WWW-Authenticate: DPoP`) for a bound token without a good proof by its key, or a token sent with the other scheme", body = schema::AnnexAError),
        (status = 403, description = "Annex A: insufficient_scope or access_denied", body = schema::AnnexAError),
        (status = 429, description = "Too many refused requests from this SP or address, with Retry-After", body = schema::AnnexAError),
        (status = 500, description = "Annex A: unexpected error, or the timeout row (\"Timeout: Server internal error.\")", body = schema::AnnexAError),
        (status = 503, description = "Annex A: system connection problems", body = schema::AnnexAError),
    ))]
async fn userinfo(
    State(rs): State<ResourceServer>,
    State(edge): State<ResourceEdge>,
    extensions: axum::http::Extensions,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request = Request {
        endpoint: Endpoint::UserInfo,
        method: &method,
        uri: &uri,
        headers: &headers,
        body: &body,
        peer: peer_ip(&extensions),
    };
    serve(&rs, &edge, request).await
}

/// `POST /userinfo`: the same handler, described apart because only POST carries a body.
#[utoipa::path(post, path = "/userinfo", tag = "resource",
    security((), ("bearer" = [])),
    params(
        ("User-ID-Type" = Option<String>, Header, description = "Generic tokens only: `MSISDN` or `ENCR_MSISDN`"),
        ("User-ID" = Option<String>, Header, description = "Generic tokens only: the number (digits, no `+`) or its JWE"),
        ("DPoP" = Option<String>, Header, description = "RFC 9449 §7.1: with `Authorization: DPoP <token>`, a proof for this method and URL naming the token (`ath`), by the key a DPoP-bound token is bound to"),
    ),
    request_body(content(
        (schema::ResourceForm = "application/x-www-form-urlencoded"),
        (schema::ResourceJson = "application/json"),
    )),
    responses(
        (status = 200, description = "The attributes of the token's services (MC_ATTR_25)", body = Object),
        (status = 400, description = "Annex A: invalid_request (content type, encoding, parameters, User-ID headers)", body = schema::AnnexAError),
        (status = 401, description = "Annex A: no token (`{}`, `WWW-Authenticate: Bearer`) or invalid_token; RFC 9449: invalid_dpop_proof (`WWW-Authenticate: DPoP`) for a bound token without a good proof by its key, or a token sent with the other scheme", body = schema::AnnexAError),
        (status = 403, description = "Annex A: insufficient_scope or access_denied", body = schema::AnnexAError),
        (status = 429, description = "Too many refused requests from this SP or address, with Retry-After", body = schema::AnnexAError),
        (status = 500, description = "Annex A: unexpected error, or the timeout row (\"Timeout: Server internal error.\")", body = schema::AnnexAError),
        (status = 503, description = "Annex A: system connection problems", body = schema::AnnexAError),
    ))]
async fn userinfo_post(
    state: State<ResourceServer>,
    edge: State<ResourceEdge>,
    extensions: axum::http::Extensions,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    userinfo(state, edge, extensions, method, uri, headers, body).await
}

/// A resource request as it came.
struct Request<'a> {
    endpoint: Endpoint,
    method: &'a Method,
    uri: &'a Uri,
    headers: &'a HeaderMap,
    body: &'a [u8],
    peer: Option<IpAddr>,
}

/// `POST /kyc-match/v1/match` (CAMARA Know Your Customer Match): the match service of the
/// token's scopes on the fields the operator holds, in CAMARA's words.
#[utoipa::path(post, path = "/kyc-match/v1/match", tag = "resource",
    params(("x-correlator" = Option<String>, Header, description = "Correlation id (`^[a-zA-Z0-9-]{0,55}$`), echoed")),
    request_body(content = Object, description = "CAMARA KYC Match: `phoneNumber` (E.164 with +; two-legged tokens only) and the fields to match (`givenName`, `familyName`, `birthdate`, `email`, `postalCode` are matched; `idDocument`, `name`, `address`, … are `not_available`)", content_type = "application/json"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "`<field>Match` (`true`, `false`, `not_available`) per field asked, and `<field>MatchScore` (0–100, Jaro-Winkler) for a `false` where the definition gives one", body = Object),
        (status = 400, description = "INVALID_ARGUMENT or KNOW_YOUR_CUSTOMER.INVALID_PARAM_COMBINATION (`{status, code, message}`)", body = Object),
        (status = 401, description = "UNAUTHENTICATED", body = Object),
        (status = 403, description = "PERMISSION_DENIED: no match service in the token's scopes, no consent of the user's in force for a generic token, a blacklisted SP", body = Object),
        (status = 404, description = "IDENTIFIER_NOT_FOUND: the phoneNumber of a two-legged request is no subscriber's", body = Object),
        (status = 422, description = "MISSING_IDENTIFIER (a two-legged token without phoneNumber) or UNNECESSARY_IDENTIFIER (a phoneNumber beside a three-legged token)", body = Object),
        (status = 429, description = "TOO_MANY_REQUESTS with Retry-After: too many refused requests from this SP or address", body = Object),
        (status = 500, description = "INTERNAL", body = Object),
        (status = 503, description = "UNAVAILABLE", body = Object),
        (status = 504, description = "TIMEOUT", body = Object),
    ))]
async fn kyc_match(
    State(rs): State<ResourceServer>,
    State(edge): State<ResourceEdge>,
    extensions: axum::http::Extensions,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    use crate::flows::kyc_match::{self as flow_kyc, KycRefused};
    use crate::rules::kyc_match::{self as rules, KycError};
    let correlator = rules::correlator(headers.get("x-correlator").map(|v| v.as_bytes()));
    let request = Request {
        endpoint: Endpoint::KycMatch,
        method: &method,
        uri: &uri,
        headers: &headers,
        body: &body,
        peer: peer_ip(&extensions),
    };
    let refusal = |error: KycError| KycRefused {
        error,
        refused: None,
    };
    let answered: Result<Value, KycRefused> = async {
        correlator.clone().map_err(refusal)?;
        let json = headers
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"));
        let read = RequestHeaders::from_pairs(
            headers
                .iter()
                .map(|(name, value)| (name.as_str(), value.as_bytes())),
        );
        let (token, mut sender) = wire::authorization(&read, method.as_str())
            .map_err(|e| refusal(flow_kyc::camara(&e)))?
            .ok_or_else(|| refusal(KycError::unauthenticated()))?;
        if !json {
            return Err(refusal(KycError::invalid_argument(
                "the body must be application/json",
            )));
        }
        if let Sender::Dpop { htu, .. } = &mut sender {
            *htu = request_url(&request);
        }
        let asked = rules::parse(&body).map_err(refusal)?;
        tokio::time::timeout(
            edge.deadline,
            flow_kyc::kyc_match(&rs, &token, sender, &asked, request.peer),
        )
        .await
        .unwrap_or_else(|_| {
            Err(refusal(KycError::new(
                504,
                "TIMEOUT",
                "Request timeout exceeded.",
            )))
        })
    }
    .await;
    // An SP or address that keeps being refused is answered 429 instead, as at PremiumInfo.
    let limited = match &answered {
        Err(KycRefused {
            refused: Some(refused),
            ..
        }) => over_refusal_limit(&edge, refused, request.peer),
        _ => None,
    };
    let (status, body) = match (answered, &limited) {
        (_, Some(limited)) => (
            StatusCode::TOO_MANY_REQUESTS,
            KycError::new(
                429,
                "TOO_MANY_REQUESTS",
                format!(
                    "Too many refused requests: retry after {} s",
                    limited.retry_after_s
                ),
            )
            .body(),
        ),
        (Ok(body), None) => (StatusCode::OK, body),
        (Err(refused), None) => (
            StatusCode::from_u16(refused.error.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            refused.error.body(),
        ),
    };
    let mut response = resource_json(status, body);
    if let Some(limited) = limited {
        response.headers_mut().insert(
            axum::http::header::RETRY_AFTER,
            axum::http::HeaderValue::from(limited.retry_after_s),
        );
    }
    // RFC 6750 §3: a 401 names the scheme.
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            axum::http::header::WWW_AUTHENTICATE,
            axum::http::HeaderValue::from_static("Bearer"),
        );
    }
    if let Ok(Some(correlator)) = correlator
        && let Ok(value) = axum::http::HeaderValue::from_str(&correlator)
    {
        response.headers_mut().insert("x-correlator", value);
    }
    response
}

/// The request's URL without query (RFC 9449 §4.3 `htu`): https, the authority the client
/// addressed (HTTP/2's `:authority`, else `Host`) and the path.
fn request_url(request: &Request<'_>) -> String {
    let authority = request
        .uri
        .authority()
        .map(|a| a.as_str().to_owned())
        .or_else(|| {
            request
                .headers
                .get(axum::http::header::HOST)
                .and_then(|h| h.to_str().ok())
                .map(str::to_owned)
        })
        .unwrap_or_default();
    format!("https://{authority}{}", request.uri.path())
}

/// Reads the request into plain values, checks it (Annex A) and serves it within the
/// deadline. Refusals are audited by the flow; the SP or address that keeps being refused
/// is answered 429 with `Retry-After` instead (successful requests never count).
async fn serve(rs: &ResourceServer, edge: &ResourceEdge, request: Request<'_>) -> Response {
    let read = RequestHeaders::from_pairs(
        request
            .headers
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_bytes())),
    );
    let outcome = tokio::time::timeout(edge.deadline, async {
        match wire::parse(
            request.method.as_str(),
            request.uri.query(),
            &read,
            request.body,
        ) {
            Ok(mut call) => {
                if let Sender::Dpop { htu, .. } = &mut call.sender {
                    *htu = request_url(&request);
                }
                flow::serve(rs, request.endpoint, &call, request.peer).await
            }
            Err(error) => {
                if let Err(failure) =
                    flow::audit_refusal(rs, request.endpoint, None, None, request.peer, &error)
                        .await
                {
                    return Err(flow::Refused {
                        error: failure.into(),
                        sp: None,
                    });
                }
                Err(flow::Refused { error, sp: None })
            }
        }
    })
    .await;
    match outcome {
        Ok(Ok(disclosure)) => resource_json(StatusCode::OK, Value::Object(disclosure.claims)),
        Ok(Err(refused)) => {
            if let Some(limited) = over_refusal_limit(edge, &refused, request.peer) {
                return limited.resource_response();
            }
            refused.error.into_response()
        }
        Err(_elapsed) => {
            tracing::warn!(
                endpoint = request.endpoint.path(),
                "resource request past its deadline"
            );
            ResourceError::timeout().into_response()
        }
    }
}

/// Whether a refused request's SP or address is over its budget of refusals.
fn over_refusal_limit(
    edge: &ResourceEdge,
    refused: &flow::Refused,
    peer: Option<IpAddr>,
) -> Option<Limited> {
    // Failures of the gateway itself are not the caller's refusals; and a request with no
    // token at all probes nothing (it is refused before any look-up): it keeps its RFC 6750
    // §3.1 answer, a bare 401 with the challenge.
    if matches!(
        refused.error.kind,
        ResourceErrorKind::Server | ResourceErrorKind::Unavailable | ResourceErrorKind::NoToken
    ) {
        return None;
    }
    let by_sp = refused
        .sp
        .as_ref()
        .and_then(|sp| edge.limits.resource_refused_sp.check(sp).err());
    let by_address = peer.and_then(|ip| edge.limits.resource_refused_address.check(&ip).err());
    by_sp
        .into_iter()
        .chain(by_address)
        .max_by_key(|l| l.retry_after_s)
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
