//! The device API over HTTP (seed 001, RFC 9449): each handler reads the request — the
//! `DPoP` proof, `Authorization`, path, query and body — into values, calls
//! [`crate::flows::device`], and answers with the result as JSON (`Cache-Control:
//! no-store`). Errors are answered by `http::error` (its device section). The bodies are
//! the contract's types (`assent_proto::device`), which the app core reads.

use crate::flows::device::{self, DeviceError};
use crate::http::error::no_store_headers;
use crate::http::oauth::dpop_header;
use crate::http::state::AppState;
use crate::store::{AuditFilter, Device};
use assent_proto::device::{DecisionAnswer, Flagged, Grants, Inbox, Notifications, Revoked};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use std::collections::HashMap;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(register))
        .routes(routes!(token))
        .routes(routes!(inbox))
        .routes(routes!(decision))
        .routes(routes!(grants))
        .routes(routes!(revoke_grant))
        .routes(routes!(withdraw))
        .routes(routes!(receipts))
        .routes(routes!(devices))
        .routes(routes!(revoke_device))
        .routes(routes!(flag))
        .routes(routes!(notifications))
        .routes(routes!(audit))
        .routes(routes!(audit_export))
}

/// The device behind a request for `method path` ([`device::authenticate`]).
async fn authenticated(
    state: &AppState,
    headers: &HeaderMap,
    method: &str,
    path: &str,
) -> Result<Device, DeviceError> {
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    device::authenticate(state, authorization, dpop_header(headers), method, path).await
}

/// A body as JSON whose members go in lexicographic order at every depth: the order this
/// API has always written them in (its types declare their members so, but an audit entry
/// and a prompt's content, nested in some bodies, are other crates' types).
fn json(body: &impl Serialize) -> Json<serde_json::Value> {
    // The bodies always serialize: their members are strings, numbers, lists and JSON.
    Json(serde_json::to_value(body).unwrap_or_default())
}

/// 200 with a JSON body that must not be cached.
fn ok(body: &impl Serialize) -> Response {
    (no_store_headers(), json(body)).into_response()
}

/// 201 with a JSON body that must not be cached.
fn created(body: &impl Serialize) -> Response {
    (StatusCode::CREATED, no_store_headers(), json(body)).into_response()
}

/// `POST /device/register` with `{"certificate", "jwk", "assertion", "name"}`.
#[utoipa::path(post, path = "/device/register", tag = "device",
    request_body(content = assent_proto::device::Registration, content_type = "application/json"),
    responses(
        (status = 201, description = "`{device_id, number, name}`", body = assent_proto::device::Registered),
        (status = 400, description = "invalid_request", body = crate::http::wire::OAuthError),
        (status = 401, description = "invalid_token or an invalid DPoP proof (`WWW-Authenticate: DPoP`)", body = crate::http::wire::OAuthError),
        (status = 403, description = "refused (certificate unknown, revoked or expired…)", body = crate::http::wire::OAuthError),
        (status = 409, description = "conflict (already registered / already answered)", body = crate::http::wire::OAuthError),
        (status = 429, description = "temporarily_unavailable with Retry-After: too many attempts from this address", body = crate::http::wire::OAuthError),
        (status = 500, description = "server_error", body = crate::http::wire::OAuthError),
        (status = 503, description = "server_error with Retry-After: the database cannot be reached", body = crate::http::wire::OAuthError),
    ))]
async fn register(
    State(state): State<AppState>,
    extensions: axum::http::Extensions,
    body: Bytes,
) -> Response {
    // Before any work: nobody is identified yet, so the peer's address is the only key.
    if let Err(limited) = state.limits.device_register.check_peer(&extensions) {
        return limited.oauth_response();
    }
    match device::register(&state, &body).await {
        Ok(registered) => created(&registered),
        Err(error) => error.into_response(),
    }
}

/// `POST /device/token`: `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer` with an
/// assertion signed by the device key (iss = sub = the device id), and a DPoP proof by the
/// same key.
#[utoipa::path(post, path = "/device/token", tag = "device",
    request_body(content = assent_proto::device::TokenRequest, content_type = "application/x-www-form-urlencoded"),
    params(("DPoP" = String, Header, description = "RFC 9449 proof signed by the device key")),
    responses(
        (status = 200, description = "A five-minute DPoP-bound access token", body = assent_proto::device::TokenResponse),
        (status = 400, description = "invalid_request", body = crate::http::wire::OAuthError),
        (status = 401, description = "invalid_token or an invalid DPoP proof (`WWW-Authenticate: DPoP`)", body = crate::http::wire::OAuthError),
        (status = 403, description = "refused (certificate unknown, revoked or expired…)", body = crate::http::wire::OAuthError),
        (status = 500, description = "server_error", body = crate::http::wire::OAuthError),
        (status = 503, description = "server_error with Retry-After: the database cannot be reached", body = crate::http::wire::OAuthError),
    ))]
async fn token(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, DeviceError> {
    let params: HashMap<String, String> = form_urlencoded::parse(&body).into_owned().collect();
    let issued = device::token(&state, &params, dpop_header(&headers)).await?;
    Ok(ok(&issued))
}

/// `GET /device/inbox?wait=SECONDS`: the user's pending consent requests; waits (long
/// polling) up to `wait` seconds for one to arrive.
#[utoipa::path(get, path = "/device/inbox", tag = "device",
    security(("dpop" = [])),
    params(("Authorization" = String, Header, description = "`DPoP <device access token>`"), assent_proto::device::InboxQuery),
    responses(
        (status = 200, description = "Open prompts with their content, for the device to render", body = assent_proto::device::Inbox),
        (status = 400, description = "invalid_request", body = crate::http::wire::OAuthError),
        (status = 401, description = "invalid_token or an invalid DPoP proof (`WWW-Authenticate: DPoP`)", body = crate::http::wire::OAuthError),
        (status = 500, description = "server_error", body = crate::http::wire::OAuthError),
        (status = 503, description = "server_error with Retry-After: the database cannot be reached", body = crate::http::wire::OAuthError),
    ))]
async fn inbox(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, DeviceError> {
    let device = authenticated(&state, &headers, "GET", "/device/inbox").await?;
    let wait_s = match query.get("wait") {
        None => 0,
        Some(w) => w
            .parse::<u64>()
            .map_err(|_| DeviceError::bad("wait is a number of seconds"))?,
    };
    let requests = device::inbox(&state, &device, wait_s).await?;
    Ok(ok(&Inbox { requests }))
}

/// `POST /device/inbox/{id}/decision` with `{"decision": JWT}`: the JWT, signed by the
/// device key, says `{"request": id, "answer": "approve" | "deny", "prompt_sha256": …}` —
/// bound to the request and to the exact prompt text shown. The app may show the prompt's
/// content rendered for its own screen and language: it then says how in
/// `"shown": {"device": WireDevice, "locale": …}`, and the gateway renders the content the
/// same way to check that the text signed over is that rendering.
#[utoipa::path(post, path = "/device/inbox/{id}/decision", tag = "device",
    security(("dpop" = [])),
    params(("Authorization" = String, Header, description = "`DPoP <device access token>`"), ("id" = String, Path, description = "the request id from the inbox")),
    request_body(content = assent_proto::device::DecisionRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The decision was recorded", body = assent_proto::device::DecisionAnswer),
        (status = 400, description = "invalid_request", body = crate::http::wire::OAuthError),
        (status = 401, description = "invalid_token or an invalid DPoP proof (`WWW-Authenticate: DPoP`)", body = crate::http::wire::OAuthError),
        (status = 404, description = "not_found", body = crate::http::wire::OAuthError),
        (status = 409, description = "conflict (already registered / already answered)", body = crate::http::wire::OAuthError),
        (status = 500, description = "server_error", body = crate::http::wire::OAuthError),
        (status = 503, description = "server_error with Retry-After: the database cannot be reached", body = crate::http::wire::OAuthError),
    ))]
async fn decision(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, DeviceError> {
    let path = format!("/device/inbox/{id}/decision");
    let device = authenticated(&state, &headers, "POST", &path).await?;
    let request = device::decision_request(&body)?;
    let accepted = device::decide(&state, &device, &id, &request.decision).await?;
    Ok(ok(&DecisionAnswer { accepted, id }))
}

/// `GET /device/grants`: the user's long-lived consents, per SP, with what they cover and
/// when the SP last read the user's data.
#[utoipa::path(get, path = "/device/grants", tag = "device",
    security(("dpop" = [])),
    params(("Authorization" = String, Header, description = "`DPoP <device access token>`")),
    responses(
        (status = 200, description = "Live long-lived consents per SP", body = assent_proto::device::Grants),
        (status = 401, description = "invalid_token or an invalid DPoP proof (`WWW-Authenticate: DPoP`)", body = crate::http::wire::OAuthError),
        (status = 500, description = "server_error", body = crate::http::wire::OAuthError),
        (status = 503, description = "server_error with Retry-After: the database cannot be reached", body = crate::http::wire::OAuthError),
    ))]
async fn grants(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, DeviceError> {
    let device = authenticated(&state, &headers, "GET", "/device/grants").await?;
    let grants = device::grants(&state, &device).await?;
    Ok(ok(&Grants { grants }))
}

/// `POST /device/grants/{id}/revoke`: the consent and every token bought with it die at once
/// (MC_ATTR_20).
#[utoipa::path(post, path = "/device/grants/{id}/revoke", tag = "device",
    security(("dpop" = [])),
    params(("Authorization" = String, Header, description = "`DPoP <device access token>`"), ("id" = String, Path, description = "the grant id")),
    responses(
        (status = 200, description = "The consent and its tokens are revoked", body = assent_proto::device::Revoked),
        (status = 401, description = "invalid_token or an invalid DPoP proof (`WWW-Authenticate: DPoP`)", body = crate::http::wire::OAuthError),
        (status = 404, description = "not_found", body = crate::http::wire::OAuthError),
        (status = 500, description = "server_error", body = crate::http::wire::OAuthError),
        (status = 503, description = "server_error with Retry-After: the database cannot be reached", body = crate::http::wire::OAuthError),
    ))]
async fn revoke_grant(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, DeviceError> {
    let device = authenticated(
        &state,
        &headers,
        "POST",
        &format!("/device/grants/{id}/revoke"),
    )
    .await?;
    device::revoke_grant(&state, &device, &id).await?;
    Ok(ok(&Revoked { id, revoked: true }))
}

/// `POST /device/grants/{id}/withdraw` with `{"attributes": [names]}`: the user stops
/// sharing those attributes and keeps the rest of the consent; the SP's next share answers
/// them empty (MC_ATTR_29), its match `not_available`. Audited and receipted.
#[utoipa::path(post, path = "/device/grants/{id}/withdraw", tag = "device",
    security(("dpop" = [])),
    params(("Authorization" = String, Header, description = "`DPoP <device access token>`"), ("id" = String, Path, description = "the grant id")),
    request_body(content = assent_proto::device::WithdrawRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The attributes are withdrawn; what the consent still gives", body = assent_proto::device::Withdrawn),
        (status = 400, description = "invalid_request: not a list, an attribute the grant does not give, or every attribute (revoke instead)", body = crate::http::wire::OAuthError),
        (status = 401, description = "invalid_token or an invalid DPoP proof (`WWW-Authenticate: DPoP`)", body = crate::http::wire::OAuthError),
        (status = 404, description = "not_found", body = crate::http::wire::OAuthError),
        (status = 409, description = "grant_changed: another change to the grant committed first", body = crate::http::wire::OAuthError),
        (status = 500, description = "server_error", body = crate::http::wire::OAuthError),
        (status = 503, description = "server_error with Retry-After: the database cannot be reached", body = crate::http::wire::OAuthError),
    ))]
async fn withdraw(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, DeviceError> {
    let device = authenticated(
        &state,
        &headers,
        "POST",
        &format!("/device/grants/{id}/withdraw"),
    )
    .await?;
    let request = device::withdraw_request(&body)?;
    let withdrawn = device::withdraw(&state, &device, &id, &request.attributes).await?;
    Ok(ok(&withdrawn))
}

/// `GET /device/receipts`: the user's consent receipts (ISO/IEC TS 27560), signed by the
/// gateway, oldest first.
#[utoipa::path(get, path = "/device/receipts", tag = "device",
    security(("dpop" = [])),
    params(("Authorization" = String, Header, description = "`DPoP <device access token>`")),
    responses(
        (status = 200, description = "The user's consent receipts", body = assent_proto::device::Receipts),
        (status = 401, description = "invalid_token or an invalid DPoP proof (`WWW-Authenticate: DPoP`)", body = crate::http::wire::OAuthError),
        (status = 500, description = "server_error", body = crate::http::wire::OAuthError),
        (status = 503, description = "server_error with Retry-After: the database cannot be reached", body = crate::http::wire::OAuthError),
    ))]
async fn receipts(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, DeviceError> {
    let device = authenticated(&state, &headers, "GET", "/device/receipts").await?;
    let receipts = device::receipts(&state, &device).await?;
    Ok(ok(&assent_proto::device::Receipts { receipts }))
}

/// `GET /device/devices`: every device bound to the user's account, the asking one marked.
#[utoipa::path(get, path = "/device/devices", tag = "device",
    security(("dpop" = [])),
    params(("Authorization" = String, Header, description = "`DPoP <device access token>`")),
    responses(
        (status = 200, description = "The user's devices, oldest first", body = assent_proto::device::Devices),
        (status = 401, description = "invalid_token or an invalid DPoP proof (`WWW-Authenticate: DPoP`)", body = crate::http::wire::OAuthError),
        (status = 500, description = "server_error", body = crate::http::wire::OAuthError),
        (status = 503, description = "server_error with Retry-After: the database cannot be reached", body = crate::http::wire::OAuthError),
    ))]
async fn devices(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, DeviceError> {
    let device = authenticated(&state, &headers, "GET", "/device/devices").await?;
    let devices = device::devices(&state, &device).await?;
    Ok(ok(&assent_proto::device::Devices { devices }))
}

/// `POST /device/devices/{id}/revoke`: the device can no longer get a token, and the tokens
/// it holds stop working at once.
#[utoipa::path(post, path = "/device/devices/{id}/revoke", tag = "device",
    security(("dpop" = [])),
    params(("Authorization" = String, Header, description = "`DPoP <device access token>`"), ("id" = String, Path, description = "the device id")),
    responses(
        (status = 200, description = "The device is revoked", body = assent_proto::device::DeviceRevoked),
        (status = 401, description = "invalid_token or an invalid DPoP proof (`WWW-Authenticate: DPoP`)", body = crate::http::wire::OAuthError),
        (status = 404, description = "not_found: no such device of this user (or revoked already)", body = crate::http::wire::OAuthError),
        (status = 500, description = "server_error", body = crate::http::wire::OAuthError),
        (status = 503, description = "server_error with Retry-After: the database cannot be reached", body = crate::http::wire::OAuthError),
    ))]
async fn revoke_device(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, DeviceError> {
    let device = authenticated(
        &state,
        &headers,
        "POST",
        &format!("/device/devices/{id}/revoke"),
    )
    .await?;
    device::revoke_device(&state, &device, &id).await?;
    Ok(ok(&assent_proto::device::DeviceRevoked {
        id,
        revoked: true,
    }))
}

/// `POST /device/flags` with `{"client_id", "reason"}`: the user reports an SP (MC_ATTR_20);
/// operators read the reports with `assent-gateway admin flags` and may blacklist the SP.
#[utoipa::path(post, path = "/device/flags", tag = "device",
    security(("dpop" = [])),
    params(("Authorization" = String, Header, description = "`DPoP <device access token>`")),
    request_body(content = assent_proto::device::FlagRequest, content_type = "application/json"),
    responses(
        (status = 201, description = "The report was recorded (the answer this gateway sends)", body = assent_proto::device::Flagged),
        (status = 200, description = "Not sent by this gateway: an earlier description listed it for a recorded report", body = assent_proto::device::Flagged),
        (status = 400, description = "invalid_request", body = crate::http::wire::OAuthError),
        (status = 401, description = "invalid_token or an invalid DPoP proof (`WWW-Authenticate: DPoP`)", body = crate::http::wire::OAuthError),
        (status = 404, description = "not_found", body = crate::http::wire::OAuthError),
        (status = 500, description = "server_error", body = crate::http::wire::OAuthError),
        (status = 503, description = "server_error with Retry-After: the database cannot be reached", body = crate::http::wire::OAuthError),
    ))]
async fn flag(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, DeviceError> {
    let device = authenticated(&state, &headers, "POST", "/device/flags").await?;
    let request = device::flag_request(&body)?;
    let id = device::flag(&state, &device, &request.client_id, &request.reason).await?;
    Ok(created(&Flagged { id }))
}

/// `GET /device/notifications`: what SPs did with the user's data (MC_ATTR_19).
#[utoipa::path(get, path = "/device/notifications", tag = "device",
    security(("dpop" = [])),
    params(("Authorization" = String, Header, description = "`DPoP <device access token>`")),
    responses(
        (status = 200, description = "What SPs did with the user's data", body = assent_proto::device::Notifications),
        (status = 401, description = "invalid_token or an invalid DPoP proof (`WWW-Authenticate: DPoP`)", body = crate::http::wire::OAuthError),
        (status = 500, description = "server_error", body = crate::http::wire::OAuthError),
        (status = 503, description = "server_error with Retry-After: the database cannot be reached", body = crate::http::wire::OAuthError),
    ))]
async fn notifications(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, DeviceError> {
    let device = authenticated(&state, &headers, "GET", "/device/notifications").await?;
    let notifications = device::notifications(&state, &device).await?;
    Ok(ok(&Notifications { notifications }))
}

/// The filter of `GET /device/audit`: `sp`, `kind`, and `since` / `until` in RFC 3339.
fn audit_filter(query: &HashMap<String, String>) -> Result<AuditFilter, DeviceError> {
    let time = |name: &str| -> Result<Option<i64>, DeviceError> {
        query
            .get(name)
            .map(|t| {
                time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339)
                    .map(|t| t.unix_timestamp().saturating_mul(1000))
                    .map_err(|_| DeviceError::bad(format!("{name} must be RFC 3339")))
            })
            .transpose()
    };
    Ok(AuditFilter {
        sp: query.get("sp").cloned(),
        kind: query.get("kind").cloned(),
        since_ms: time("since")?,
        until_ms: time("until")?,
    })
}

/// `GET /device/audit?sp=&kind=&since=&until=&after=&limit=`: the user's own entries
/// (MC_ATTR_32), oldest first, cursor-paged by sequence number (`next` is the cursor).
#[utoipa::path(get, path = "/device/audit", tag = "device",
    security(("dpop" = [])),
    params(("Authorization" = String, Header, description = "`DPoP <device access token>`"), assent_proto::device::AuditQuery),
    responses(
        (status = 200, description = "The user's own audit entries, cursor-paged; `sp_names` names their SPs for display", body = assent_proto::device::AuditPage),
        (status = 400, description = "invalid_request", body = crate::http::wire::OAuthError),
        (status = 401, description = "invalid_token or an invalid DPoP proof (`WWW-Authenticate: DPoP`)", body = crate::http::wire::OAuthError),
        (status = 500, description = "server_error", body = crate::http::wire::OAuthError),
        (status = 503, description = "server_error with Retry-After: the database cannot be reached", body = crate::http::wire::OAuthError),
    ))]
async fn audit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, DeviceError> {
    let device = authenticated(&state, &headers, "GET", "/device/audit").await?;
    let filter = audit_filter(&query)?;
    let after = match query.get("after") {
        None => 0,
        Some(a) => a
            .parse::<i64>()
            .map_err(|_| DeviceError::bad("after is a sequence number"))?,
    };
    let max = device::AUDIT_PAGE_MAX;
    let limit = match query.get("limit") {
        None => 100,
        Some(l) => l
            .parse::<i64>()
            .ok()
            .filter(|l| (1..=max).contains(l))
            .ok_or_else(|| DeviceError::bad(format!("limit is 1 to {max}")))?,
    };
    let page = device::audit(&state, &device, after, limit, &filter).await?;
    Ok(ok(&page))
}

/// `GET /device/audit/export`: every entry of the user, in order, with the hash-chain proof:
/// each entry carries its hash and the hash of the user's previous entry, so the chain
/// verifies offline from the first entry (`assent_audit::verify_user_chain`); the gateway
/// signs the head (ES256, its JWKS key) so the export can be shown to a third party.
#[utoipa::path(get, path = "/device/audit/export", tag = "device",
    security(("dpop" = [])),
    params(("Authorization" = String, Header, description = "`DPoP <device access token>`")),
    responses(
        (status = 200, description = "Every entry with its hashes and the signed head; `sp_names` names the SPs for display (not signed)", body = assent_proto::audit::UserExport),
        (status = 401, description = "invalid_token or an invalid DPoP proof (`WWW-Authenticate: DPoP`)", body = crate::http::wire::OAuthError),
        (status = 500, description = "server_error", body = crate::http::wire::OAuthError),
        (status = 503, description = "server_error with Retry-After: the database cannot be reached", body = crate::http::wire::OAuthError),
    ))]
async fn audit_export(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, DeviceError> {
    let device = authenticated(&state, &headers, "GET", "/device/audit/export").await?;
    let export = device::audit_export(&state, &device).await?;
    Ok(ok(&export))
}
