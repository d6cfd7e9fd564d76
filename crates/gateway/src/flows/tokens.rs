//! The token endpoint (RFC 6749 §3.2), introspection (RFC 7662) and revocation (RFC 7009).
//!
//! Grants so far: `client_credentials` (MC Client Credentials, seed 003): generic tokens
//! that name no user, for SPs registered for it, never with the `openid` scope.

use crate::base::clock::now_ms;
use crate::base::ids::{new_token, token_hash};
use crate::flows::issue::TokenResponse;
use crate::http::AppState;
use crate::http::error::no_store_headers;
use crate::http::oauth::authenticate_client;
use crate::http::oauth::authenticated_token_request;
use crate::http::oauth::form;
use crate::rules::oauth::OAuthError;
use crate::rules::oauth::check_granted;
use crate::rules::oauth::scope_param;
use crate::store::{Client, TokenRecord};
use assent_audit::{EntryKind, NewEntry};
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// `POST /token`.
#[utoipa::path(post, path = "/token", tag = "oauth",
    request_body(content = crate::http::openapi::wire::TokenRequest, content_type = "application/x-www-form-urlencoded"),
    security((), ("client_secret_basic" = [])),
    responses(
        (status = 200, description = "Tokens (RFC 6749 §5.1; ID token for openid)", body = Object),
        (status = 400, description = "RFC 6749 §5.2 / CIBA §11 error, e.g. invalid_grant, authorization_pending, slow_down", body = crate::http::openapi::wire::OAuthError),
        (status = 401, description = "invalid_client (with WWW-Authenticate: Basic after a failed Basic authentication)", body = crate::http::openapi::wire::OAuthError),
        (status = 429, description = "temporarily_unavailable: over the per-client rate limit, with Retry-After", body = crate::http::openapi::wire::OAuthError),
        (status = 503, description = "server_error: the database cannot be reached", body = crate::http::openapi::wire::OAuthError),
    ))]
pub async fn token(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, OAuthError> {
    let mut params = form(&headers, &body)?;
    let client = authenticate_client(&state, &headers, &mut params).await?;
    // Per authenticated client: a limit keyed on an unauthenticated client_id would let
    // anyone exhaust another SP's budget.
    if let Err(limited) = state.limits.token.check(&client.client_id) {
        return Ok(limited.oauth_response());
    }
    if client.blacklisted {
        crate::flows::client_auth::audit_refusal(&state, &client, None, "token", "blacklisted")
            .await?;
        return Err(OAuthError::bad_request(
            "unauthorized_client",
            "this SP may not use the gateway",
        ));
    }
    let issued = match params.get("grant_type").map(String::as_str) {
        Some("client_credentials") => client_credentials(&state, &client, &params).await,
        Some(crate::flows::ciba::CIBA_GRANT) => {
            crate::flows::ciba::grant(&state, &client, &params).await
        }
        Some("authorization_code") => {
            crate::flows::code_flow::grant(&state, &client, &params).await
        }
        Some("refresh_token") => crate::flows::refresh::grant(&state, &client, &params).await,
        Some(other) => Err(OAuthError::bad_request(
            "unsupported_grant_type",
            format!("grant_type {other} is not supported here"),
        )),
        None => Err(OAuthError::invalid_request("grant_type is missing")),
    }?;
    Ok((no_store_headers(), Json(issued)).into_response())
}

async fn client_credentials(
    state: &AppState,
    client: &Client,
    params: &std::collections::HashMap<String, String>,
) -> Result<TokenResponse, OAuthError> {
    if !client.grant_types.iter().any(|g| g == "client_credentials") {
        return Err(OAuthError::bad_request(
            "unauthorized_client",
            "this SP is not registered for client_credentials",
        ));
    }
    let requested = scope_param(params).unwrap_or_else(|| client.scopes.clone());
    // Seed 003 §2.1: MC Client Credentials is not OIDC; `openid` must not be requested.
    if requested.iter().any(|s| s == "openid") {
        return Err(OAuthError::bad_request(
            "invalid_scope",
            "openid is not allowed with client_credentials",
        ));
    }
    if requested.is_empty() {
        return Err(OAuthError::bad_request(
            "invalid_scope",
            "no scope requested",
        ));
    }
    check_granted(&client.scopes, &requested)?;
    let token = new_token();
    let issued_ms = now_ms();
    let record = TokenRecord {
        token_hash: token_hash(&token),
        kind: "access".into(),
        client_id: client.client_id.clone(),
        user_id: None,
        scope: requested.clone(),
        policy: "generic".into(),
        issued_ms,
        expires_ms: issued_ms + client.token_ttl_seconds * 1000,
        spent: false,
        revoked: false,
        consent_id: None,
        family: None,
    };
    // The token and its audit entry commit together: one commit (one fsync on SQLite,
    // shared with concurrent requests by the writer's group commit) instead of two, and no
    // token exists without its entry.
    let mut tx = state.store.begin().await?;
    tx.insert_token(&record).await?;
    tx.append_audit(NewEntry {
        at_ms: issued_ms,
        kind: EntryKind::TokenIssued,
        user: None,
        sp: Some(client.client_id.clone()),
        authenticator: None,
        detail: json!({"grant": "client_credentials", "scope": requested.join(" "),
                           "policy": "generic", "expires_in": client.token_ttl_seconds})
        .to_string(),
    })
    .await?;
    tx.commit().await?;
    Ok(TokenResponse {
        access_token: token,
        token_type: "Bearer".into(),
        expires_in: client.token_ttl_seconds,
        scope: requested.join(" "),
        id_token: None,
        refresh_token: None,
    })
}

/// `POST /introspect` (RFC 7662). An SP learns only about its own tokens: anyone else's
/// token is simply inactive, so the endpoint cannot be used to probe tokens. The operator's
/// resource servers (registered with `resource_server`) may introspect any access token and
/// learn what they need to serve it: the user's opaque id and the token's policy.
#[utoipa::path(post, path = "/introspect", tag = "oauth",
    request_body(content = crate::http::openapi::wire::TokenQuery, content_type = "application/x-www-form-urlencoded"),
    security((), ("client_secret_basic" = [])),
    responses(
        (status = 200, description = "RFC 7662 §2.2: `{\"active\": false}` for any token not the caller's", body = Object),
        (status = 400, description = "RFC 6749 §5.2 error", body = crate::http::openapi::wire::OAuthError),
        (status = 401, description = "invalid_client", body = crate::http::openapi::wire::OAuthError),
        (status = 503, description = "server_error: the database cannot be reached", body = crate::http::openapi::wire::OAuthError),
    ))]
pub async fn introspect(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, OAuthError> {
    let (client, token) = authenticated_token_request(&state, &headers, &body).await?;
    let now = now_ms();
    let record = match state.store.token(&token_hash(&token)).await? {
        Some(t)
            if t.client_id == client.client_id
                || (client.resource_server && t.kind == "access") =>
        {
            match crate::flows::resource::refusal(&state, &t, now).await? {
                None => Some(t),
                Some(_) => None,
            }
        }
        _ => None,
    };
    let body = match record {
        Some(t) => {
            let mut body = json!({
                "active": true,
                "scope": t.scope.join(" "),
                "client_id": t.client_id,
                "token_type": "Bearer",
                "iat": t.issued_ms / 1000,
                "exp": t.expires_ms / 1000,
            });
            if client.resource_server {
                body["assent_user"] = json!(t.user_id);
                body["assent_policy"] = json!(t.policy);
            }
            body
        }
        None => json!({"active": false}),
    };
    Ok((no_store_headers(), Json(body)).into_response())
}

/// `POST /revoke` (RFC 7009): 200 whether or not the token existed (§2.2).
#[utoipa::path(post, path = "/revoke", tag = "oauth",
    request_body(content = crate::http::openapi::wire::TokenQuery, content_type = "application/x-www-form-urlencoded"),
    security((), ("client_secret_basic" = [])),
    responses(
        (status = 200, description = "RFC 7009 §2.2: `{}` whether or not the token existed", body = Object),
        (status = 400, description = "RFC 6749 §5.2 error", body = crate::http::openapi::wire::OAuthError),
        (status = 401, description = "invalid_client", body = crate::http::openapi::wire::OAuthError),
        (status = 503, description = "server_error: the database cannot be reached", body = crate::http::openapi::wire::OAuthError),
    ))]
pub async fn revoke(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, OAuthError> {
    let (client, token) = authenticated_token_request(&state, &headers, &body).await?;
    let hash = token_hash(&token);
    if state.store.revoke_token(&hash, &client.client_id).await? {
        let user = state.store.token(&hash).await?.and_then(|t| t.user_id);
        state
            .store
            .append_audit(NewEntry {
                at_ms: now_ms(),
                kind: EntryKind::Revocation,
                user,
                sp: Some(client.client_id.clone()),
                authenticator: None,
                detail: json!({"by": "sp", "token": &hash[..16]}).to_string(),
            })
            .await?;
    }
    Ok((no_store_headers(), Json(json!({}))).into_response())
}
