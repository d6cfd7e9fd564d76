//! `GET` and `DELETE /grants/{grant_id}` (Grant Management for OAuth 2.0 §5, §6): an SP's
//! client-credentials token of the management scope, in `Authorization: Bearer`.

use crate::flows::grants::{self, GrantError, GrantView};
use crate::http::error::no_store_headers;
use crate::http::state::AppState;
use crate::rules::resource::wire::bearer;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// The bearer token of the request, or none (answered `invalid_token`).
fn token(headers: &HeaderMap) -> Result<String, GrantError> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| bearer(v.as_bytes()))
        .ok_or(GrantError::InvalidToken)
}

/// §5.1: the grant's scopes (each `{"scope": …}`), the claims it gives now, and when it
/// began and ends.
fn grant_body(view: &GrantView) -> serde_json::Value {
    let mut body = json!({
        "grant_id": view.grant_id,
        "scopes": [{"scope": view.scopes.join(" ")}],
        "claims": view.claims,
        "created_at": view.created_at,
        "kind": view.kind,
    });
    if let Some(expires_at) = &view.expires_at {
        body["expires_at"] = json!(expires_at);
    }
    body
}

/// `GET /grants/{grant_id}`: the caller's grant, for a token of scope
/// `grant_management_query`.
#[utoipa::path(get, path = "/grants/{grant_id}", tag = "oauth",
    params(("grant_id" = String, Path, description = "the `grant_id` of a token response")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Grant Management §5.1: `grant_id`, `scopes` (`[{\"scope\": \"…\"}]`), `claims` (the attributes it gives now), `created_at`, `expires_at` (when it ends by itself), `kind` (`long_lived`, `one_time`, `transactional`)", body = Object),
        (status = 401, description = "invalid_token: none, unknown, expired, or not a client-credentials token of an SP registered for Grant Management", body = crate::http::wire::OAuthError),
        (status = 403, description = "insufficient_scope: the token lacks grant_management_query", body = crate::http::wire::OAuthError),
        (status = 404, description = "invalid_grant_id: no grant of the caller's in force by that id", body = crate::http::wire::OAuthError),
        (status = 503, description = "server_error: the database cannot be reached", body = crate::http::wire::OAuthError),
    ))]
pub async fn query_grant(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(grant_id): Path<String>,
) -> Result<Response, GrantError> {
    let view = grants::query(&state, &token(&headers)?, &grant_id).await?;
    Ok((no_store_headers(), Json(grant_body(&view))).into_response())
}

/// `DELETE /grants/{grant_id}`: ends the caller's grant and every token bought with it, as
/// the user's revoke does, for a token of scope `grant_management_revoke`.
#[utoipa::path(delete, path = "/grants/{grant_id}", tag = "oauth",
    params(("grant_id" = String, Path, description = "the `grant_id` of a token response")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Grant Management §6: the grant and its tokens are revoked (audited, with a withdrawal receipt for the user)"),
        (status = 401, description = "invalid_token", body = crate::http::wire::OAuthError),
        (status = 403, description = "insufficient_scope: the token lacks grant_management_revoke", body = crate::http::wire::OAuthError),
        (status = 404, description = "invalid_grant_id: no grant of the caller's in force by that id", body = crate::http::wire::OAuthError),
        (status = 503, description = "server_error: the database cannot be reached", body = crate::http::wire::OAuthError),
    ))]
pub async fn revoke_grant(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(grant_id): Path<String>,
) -> Result<Response, GrantError> {
    grants::revoke(&state, &token(&headers)?, &grant_id).await?;
    Ok((StatusCode::NO_CONTENT, no_store_headers()).into_response())
}
