//! `POST /bc-authorize` (CIBA §7.1) over HTTP: the form, the client's authentication, the
//! per-client rate limit, and the answer without caching (CIBA §7.3, RFC 6749 §5.1). What
//! the request does is [`crate::flows::ciba::bc_authorize`].

use crate::http::error::no_store_headers;
use crate::http::oauth::{authenticate_client, form};
use crate::http::state::AppState;
use crate::rules::oauth::OAuthError;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};

/// `POST /bc-authorize` (CIBA §7.1).
#[utoipa::path(post, path = "/bc-authorize", tag = "oauth",
    request_body(content = crate::http::wire::BackchannelAuthenticationRequest, content_type = "application/x-www-form-urlencoded"),
    security((), ("client_secret_basic" = [])),
    responses(
        (status = 200, description = "CIBA §7.3: `auth_req_id`, `expires_in`, and `interval` in poll and ping modes", body = crate::http::wire::BackchannelAuthenticationResponse),
        (status = 400, description = "CIBA §13 error, e.g. invalid_request, unknown_user_id, invalid_scope, access_denied", body = crate::http::wire::OAuthError),
        (status = 401, description = "invalid_client", body = crate::http::wire::OAuthError),
        (status = 429, description = "temporarily_unavailable with Retry-After: over the per-client rate limit, or too many failed client authentications from this address", body = crate::http::wire::OAuthError),
        (status = 503, description = "server_error: the database cannot be reached", body = crate::http::wire::OAuthError),
    ))]
pub async fn bc_authorize(
    State(state): State<AppState>,
    extensions: axum::http::Extensions,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, OAuthError> {
    let mut params = form(&headers, &body)?;
    let client = authenticate_client(&state, &extensions, &headers, &mut params).await?;
    // Per authenticated client (each request may put a prompt on a person's handset).
    if let Err(limited) = state.limits.ciba.check(&client.client_id) {
        return Ok(limited.oauth_response());
    }
    let accepted = crate::flows::ciba::bc_authorize(&state, &client, &params).await?;
    Ok((no_store_headers(), Json(accepted)).into_response())
}
