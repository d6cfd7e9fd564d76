//! Shared Signals over HTTP (OpenID SSF 1.0 §7, §8; RFC 8936): the transmitter's
//! configuration, stream management, status, verification and the poll endpoint. Every call
//! but the configuration carries an SP's client-credentials token of scope `ssf` in
//! `Authorization: Bearer`; changes spend the SP's per-client budget of the token endpoint.

use crate::flows::ssf::{self, Polled, SsfError};
use crate::http::error::no_store_headers;
use crate::http::state::AppState;
use crate::rules::resource::wire::bearer;
use crate::rules::ssf::{self as rules, Change};
use crate::store::{Client, SsfStream};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// The SP behind the request's bearer token.
async fn caller(state: &AppState, headers: &HeaderMap) -> Result<Client, SsfError> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| bearer(v.as_bytes()))
        .ok_or(SsfError::InvalidToken)?;
    ssf::caller(state, &token).await
}

/// A change by `client`, within its per-client budget (each change is a write and an
/// audit entry).
async fn changing(state: &AppState, headers: &HeaderMap) -> Result<Client, Response> {
    let client = caller(state, headers)
        .await
        .map_err(IntoResponse::into_response)?;
    state
        .limits
        .token
        .check(&client.client_id)
        .map_err(|limited| limited.oauth_response())?;
    Ok(client)
}

fn json_body(body: &[u8]) -> Result<Value, SsfError> {
    serde_json::from_slice(body).map_err(|_| SsfError::Invalid("the body is not JSON".into()))
}

/// `stream_id` from the query string, if given.
fn stream_id_param(query: Option<&str>) -> Option<String> {
    url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "stream_id")
        .map(|(_, v)| v.into_owned())
}

/// A stream as SSF §8.1.1 describes it; the push `authorization_header` is the SP's secret
/// and is never read back.
fn stream_body(state: &AppState, s: &SsfStream) -> Value {
    let endpoint_url = match s.delivery_method.as_str() {
        rules::PUSH => s.endpoint_url.clone().unwrap_or_default(),
        _ => ssf::poll_url(state, &s.stream_id),
    };
    let mut body = json!({
        "stream_id": s.stream_id,
        "iss": state.issuer,
        "aud": s.client_id,
        "delivery": {"method": s.delivery_method, "endpoint_url": endpoint_url},
        "events_supported": rules::EVENTS_SUPPORTED,
        "events_requested": s.events_requested,
        "events_delivered": rules::events_delivered(&s.events_requested),
        "min_verification_interval": rules::MIN_VERIFICATION_INTERVAL_S,
    });
    if let Some(description) = &s.description {
        body["description"] = json!(description);
    }
    body
}

fn status_body(s: &SsfStream) -> Value {
    let mut body = json!({"stream_id": s.stream_id, "status": s.status});
    if let Some(reason) = &s.reason {
        body["reason"] = json!(reason);
    }
    body
}

fn answer(status: StatusCode, body: Value) -> Response {
    (status, no_store_headers(), Json(body)).into_response()
}

/// `GET /.well-known/ssf-configuration` (SSF 1.0 §7.1).
#[utoipa::path(get, path = "/.well-known/ssf-configuration", tag = "ssf",
    responses((status = 200, description = "Transmitter Configuration Metadata: `spec_version`, `issuer`, `jwks_uri`, `delivery_methods_supported` (push RFC 8935, poll RFC 8936), `configuration_endpoint`, `status_endpoint`, `verification_endpoint`, `authorization_schemes` (OAuth 2.0 client credentials, scope `ssf`), `default_subjects` (`ALL`)", body = Object)))]
pub async fn configuration(State(state): State<AppState>) -> Json<Value> {
    let issuer = &state.issuer;
    Json(json!({
        "spec_version": rules::SPEC_VERSION,
        "issuer": issuer,
        "jwks_uri": format!("{issuer}/jwks"),
        "delivery_methods_supported": [rules::PUSH, rules::POLL],
        "configuration_endpoint": format!("{issuer}/ssf/streams"),
        "status_endpoint": format!("{issuer}/ssf/status"),
        "verification_endpoint": format!("{issuer}/ssf/verify"),
        "authorization_schemes": [{"spec_urn": "urn:ietf:rfc:6749"}],
        "default_subjects": "ALL",
    }))
}

/// `POST /ssf/streams` (SSF 1.0 §8.1.1.1): creates the caller's stream.
#[utoipa::path(post, path = "/ssf/streams", tag = "ssf",
    request_body(content = Object, description = "`delivery` (`{\"method\": \"urn:ietf:rfc:8935\", \"endpoint_url\": one of the SP's ssf_push_endpoints, \"authorization_header\"?}` or `{\"method\": \"urn:ietf:rfc:8936\"}`; poll when absent), `events_requested` (all supported when absent), `description`", content_type = "application/json"),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The stream: `stream_id`, `iss`, `aud`, `delivery` (for poll, the `endpoint_url` to poll), `events_supported`, `events_requested`, `events_delivered`, `min_verification_interval`", body = Object),
        (status = 400, description = "invalid_request: a member of the wrong type, an unknown delivery method, a push URL not registered for the SP", body = crate::http::wire::OAuthError),
        (status = 401, description = "invalid_token: none, unknown, expired, or not a client-credentials token of an SP registered for Shared Signals", body = crate::http::wire::OAuthError),
        (status = 403, description = "insufficient_scope: the token lacks ssf", body = crate::http::wire::OAuthError),
        (status = 409, description = "conflict: the SP has its stream already (one per SP)", body = crate::http::wire::OAuthError),
        (status = 429, description = "temporarily_unavailable: over the SP's per-client rate limit", body = crate::http::wire::OAuthError),
        (status = 503, description = "server_error: the database cannot be reached", body = crate::http::wire::OAuthError),
    ))]
pub async fn create_stream(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Response> {
    let client = changing(&state, &headers).await?;
    let created = async { ssf::create(&state, &client, &json_body(&body)?).await }
        .await
        .map_err(IntoResponse::into_response)?;
    Ok(answer(StatusCode::CREATED, stream_body(&state, &created)))
}

/// `GET /ssf/streams` (SSF 1.0 §8.1.1.2): the caller's stream by `stream_id`, or all of
/// its streams (an array) without one.
#[utoipa::path(get, path = "/ssf/streams", tag = "ssf",
    params(("stream_id" = Option<String>, Query, description = "the stream; without it, every stream of the caller's (an array)")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The stream (with `stream_id`), or an array of the caller's streams", body = Object),
        (status = 401, description = "invalid_token", body = crate::http::wire::OAuthError),
        (status = 403, description = "insufficient_scope: the token lacks ssf", body = crate::http::wire::OAuthError),
        (status = 404, description = "not_found: no stream of the caller's by that id", body = crate::http::wire::OAuthError),
        (status = 503, description = "server_error: the database cannot be reached", body = crate::http::wire::OAuthError),
    ))]
pub async fn read_stream(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, SsfError> {
    let client = caller(&state, &headers).await?;
    let id = stream_id_param(query.as_deref());
    let streams = ssf::read(&state, &client, id.as_deref()).await?;
    let body = match (id, streams.first()) {
        (Some(_), Some(stream)) => stream_body(&state, stream),
        _ => Value::Array(streams.iter().map(|s| stream_body(&state, s)).collect()),
    };
    Ok(answer(StatusCode::OK, body))
}

async fn change_stream(
    state: AppState,
    headers: HeaderMap,
    body: Bytes,
    how: Change,
) -> Result<Response, Response> {
    let client = changing(&state, &headers).await?;
    let changed = async { ssf::change(&state, &client, &json_body(&body)?, how).await }
        .await
        .map_err(IntoResponse::into_response)?;
    Ok(answer(StatusCode::OK, stream_body(&state, &changed)))
}

/// `PATCH /ssf/streams` (SSF 1.0 §8.1.1.3): changes what the body names.
#[utoipa::path(patch, path = "/ssf/streams", tag = "ssf",
    request_body(content = Object, description = "`stream_id` and the members to change (`delivery`, `events_requested`, `description`)", content_type = "application/json"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The stream as it is now", body = Object),
        (status = 400, description = "invalid_request", body = crate::http::wire::OAuthError),
        (status = 401, description = "invalid_token", body = crate::http::wire::OAuthError),
        (status = 403, description = "insufficient_scope: the token lacks ssf", body = crate::http::wire::OAuthError),
        (status = 404, description = "not_found: no stream of the caller's by that id", body = crate::http::wire::OAuthError),
        (status = 429, description = "temporarily_unavailable: over the SP's per-client rate limit", body = crate::http::wire::OAuthError),
        (status = 503, description = "server_error: the database cannot be reached", body = crate::http::wire::OAuthError),
    ))]
pub async fn update_stream(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Response> {
    change_stream(state, headers, body, Change::Update).await
}

/// `PUT /ssf/streams` (SSF 1.0 §8.1.1.4): replaces the stream's settings; what the body
/// does not name takes its default.
#[utoipa::path(put, path = "/ssf/streams", tag = "ssf",
    request_body(content = Object, description = "`stream_id` and the stream's settings (`delivery`, `events_requested`, `description`)", content_type = "application/json"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The stream as it is now", body = Object),
        (status = 400, description = "invalid_request", body = crate::http::wire::OAuthError),
        (status = 401, description = "invalid_token", body = crate::http::wire::OAuthError),
        (status = 403, description = "insufficient_scope: the token lacks ssf", body = crate::http::wire::OAuthError),
        (status = 404, description = "not_found: no stream of the caller's by that id", body = crate::http::wire::OAuthError),
        (status = 429, description = "temporarily_unavailable: over the SP's per-client rate limit", body = crate::http::wire::OAuthError),
        (status = 503, description = "server_error: the database cannot be reached", body = crate::http::wire::OAuthError),
    ))]
pub async fn replace_stream(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Response> {
    change_stream(state, headers, body, Change::Replace).await
}

/// `DELETE /ssf/streams?stream_id=…` (SSF 1.0 §8.1.1.5): the stream and its waiting SETs.
#[utoipa::path(delete, path = "/ssf/streams", tag = "ssf",
    params(("stream_id" = String, Query, description = "the stream")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted, with the SETs waiting on it (audited)"),
        (status = 400, description = "invalid_request: no stream_id", body = crate::http::wire::OAuthError),
        (status = 401, description = "invalid_token", body = crate::http::wire::OAuthError),
        (status = 403, description = "insufficient_scope: the token lacks ssf", body = crate::http::wire::OAuthError),
        (status = 404, description = "not_found: no stream of the caller's by that id", body = crate::http::wire::OAuthError),
        (status = 429, description = "temporarily_unavailable: over the SP's per-client rate limit", body = crate::http::wire::OAuthError),
        (status = 503, description = "server_error: the database cannot be reached", body = crate::http::wire::OAuthError),
    ))]
pub async fn delete_stream(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, Response> {
    let client = changing(&state, &headers).await?;
    let id = stream_id_param(query.as_deref())
        .ok_or_else(|| SsfError::Invalid("stream_id is required".into()).into_response())?;
    ssf::delete(&state, &client, &id)
        .await
        .map_err(IntoResponse::into_response)?;
    Ok((StatusCode::NO_CONTENT, no_store_headers()).into_response())
}

/// `GET /ssf/status?stream_id=…` (SSF 1.0 §8.1.2.1).
#[utoipa::path(get, path = "/ssf/status", tag = "ssf",
    params(("stream_id" = String, Query, description = "the stream")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "`stream_id`, `status` (`enabled`, `paused`, `disabled`), `reason`", body = Object),
        (status = 400, description = "invalid_request: no stream_id", body = crate::http::wire::OAuthError),
        (status = 401, description = "invalid_token", body = crate::http::wire::OAuthError),
        (status = 403, description = "insufficient_scope: the token lacks ssf", body = crate::http::wire::OAuthError),
        (status = 404, description = "not_found: no stream of the caller's by that id", body = crate::http::wire::OAuthError),
        (status = 503, description = "server_error: the database cannot be reached", body = crate::http::wire::OAuthError),
    ))]
pub async fn read_status(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, SsfError> {
    let client = caller(&state, &headers).await?;
    let id = stream_id_param(query.as_deref())
        .ok_or_else(|| SsfError::Invalid("stream_id is required".into()))?;
    let stream = ssf::read(&state, &client, Some(&id))
        .await?
        .into_iter()
        .next()
        .ok_or(SsfError::NotFound)?;
    Ok(answer(StatusCode::OK, status_body(&stream)))
}

/// `POST /ssf/status` (SSF 1.0 §8.1.2.2): `paused` holds events, `disabled` drops them.
#[utoipa::path(post, path = "/ssf/status", tag = "ssf",
    request_body(content = Object, description = "`stream_id`, `status` (`enabled`, `paused`, `disabled`), `reason`", content_type = "application/json"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "`stream_id`, `status`, `reason` as they are now", body = Object),
        (status = 400, description = "invalid_request", body = crate::http::wire::OAuthError),
        (status = 401, description = "invalid_token", body = crate::http::wire::OAuthError),
        (status = 403, description = "insufficient_scope: the token lacks ssf", body = crate::http::wire::OAuthError),
        (status = 404, description = "not_found: no stream of the caller's by that id", body = crate::http::wire::OAuthError),
        (status = 429, description = "temporarily_unavailable: over the SP's per-client rate limit", body = crate::http::wire::OAuthError),
        (status = 503, description = "server_error: the database cannot be reached", body = crate::http::wire::OAuthError),
    ))]
pub async fn update_status(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Response> {
    let client = changing(&state, &headers).await?;
    let stream = async { ssf::set_status(&state, &client, &json_body(&body)?).await }
        .await
        .map_err(IntoResponse::into_response)?;
    Ok(answer(StatusCode::OK, status_body(&stream)))
}

/// `POST /ssf/verify` (SSF 1.0 §8.1.4.2): queues a verification event with the `state`.
#[utoipa::path(post, path = "/ssf/verify", tag = "ssf",
    request_body(content = Object, description = "`stream_id`, `state` (echoed in the event)", content_type = "application/json"),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "A verification SET is on its way (by push, or at the next poll)"),
        (status = 400, description = "invalid_request", body = crate::http::wire::OAuthError),
        (status = 401, description = "invalid_token", body = crate::http::wire::OAuthError),
        (status = 403, description = "insufficient_scope: the token lacks ssf", body = crate::http::wire::OAuthError),
        (status = 404, description = "not_found: no stream of the caller's by that id", body = crate::http::wire::OAuthError),
        (status = 429, description = "too_many_requests with Retry-After: within min_verification_interval of the last one, or over the SP's per-client rate limit", body = crate::http::wire::OAuthError),
        (status = 503, description = "server_error: the database cannot be reached", body = crate::http::wire::OAuthError),
    ))]
pub async fn verify(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Response> {
    let client = changing(&state, &headers).await?;
    async { ssf::verify(&state, &client, &json_body(&body)?).await }
        .await
        .map_err(IntoResponse::into_response)?;
    Ok((StatusCode::NO_CONTENT, no_store_headers()).into_response())
}

/// `POST /ssf/poll/{stream_id}` (RFC 8936 §2.4): acknowledges (`ack`, `setErrs`) and
/// collects SETs.
#[utoipa::path(post, path = "/ssf/poll/{stream_id}", tag = "ssf",
    params(("stream_id" = String, Path, description = "the stream (its `delivery.endpoint_url`)")),
    request_body(content = Object, description = "`maxEvents` (at most 100; 0 only acknowledges), `returnImmediately` (else up to 10 s for a SET), `ack` (jtis taken), `setErrs` (`{jti: {\"err\", \"description\"}}`)", content_type = "application/json"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "`sets` (`{jti: SET}`, the oldest waiting; each until acknowledged; a JSON object has no order: order by `event_timestamp`) and `moreAvailable`", body = Object),
        (status = 429, description = "temporarily_unavailable with Retry-After: over the SP's per-client rate limit", body = crate::http::wire::OAuthError),
        (status = 400, description = "invalid_request: a member of the wrong type, or a push stream", body = crate::http::wire::OAuthError),
        (status = 401, description = "invalid_token", body = crate::http::wire::OAuthError),
        (status = 403, description = "insufficient_scope: the token lacks ssf", body = crate::http::wire::OAuthError),
        (status = 404, description = "not_found: no stream of the caller's by that id", body = crate::http::wire::OAuthError),
        (status = 503, description = "server_error: the database cannot be reached", body = crate::http::wire::OAuthError),
    ))]
pub async fn poll(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(stream_id): Path<String>,
    body: Bytes,
) -> Result<Response, Response> {
    // A poll is a read (and the acknowledgements it carries): within the SP's per-client
    // budget too, so that polling in a loop without waiting cannot take the database.
    let client = changing(&state, &headers).await?;
    let Polled {
        sets,
        more_available,
    } = ssf::poll(&state, &client, &stream_id, &body)
        .await
        .map_err(IntoResponse::into_response)?;
    let sets: serde_json::Map<String, Value> = sets
        .into_iter()
        .map(|(jti, set)| (jti, Value::String(set)))
        .collect();
    Ok(answer(
        StatusCode::OK,
        json!({"sets": sets, "moreAvailable": more_available}),
    ))
}
