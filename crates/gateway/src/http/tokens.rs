//! `POST /token`, `/introspect` and `/revoke`: the form, client authentication, the
//! per-client rate limit, then the flow ([`crate::flows::tokens`]); answers are never cached
//! (RFC 6749 §5.1).

use crate::flows::dpop::TokenProof;
use crate::flows::tokens::{self, Granted, Introspection};
use crate::http::error::no_store_headers;
use crate::http::oauth::{
    authenticate_client, authenticate_client_reading, authenticated_token_request, dpop_header,
    form,
};
use crate::http::state::AppState;
use crate::rules::introspection;
use crate::rules::oauth::OAuthError;
use crate::store::Reads;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{Extensions, HeaderMap, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// `POST /token`.
#[utoipa::path(post, path = "/token", tag = "oauth",
    request_body(content = crate::http::wire::TokenRequest, content_type = "application/x-www-form-urlencoded"),
    params(("DPoP" = Option<String>, Header, description = "RFC 9449 §4: a proof for POST to this endpoint with the nonce of the last `DPoP-Nonce` header; the access token is then bound to its key (`token_type` `DPoP`). Required of an SP registered with `dpop_bound_access_tokens`")),
    security((), ("client_secret_basic" = [])),
    responses(
        (status = 200, description = "Tokens (RFC 6749 §5.1; ID token for openid); every answer carries `DPoP-Nonce` (RFC 9449 §8)", body = crate::http::wire::TokenResponse),
        (status = 400, description = "RFC 6749 §5.2 / CIBA §11 error, e.g. invalid_grant, authorization_pending, slow_down; RFC 9449 invalid_dpop_proof, use_dpop_nonce", body = crate::http::wire::OAuthError),
        (status = 401, description = "invalid_client (with WWW-Authenticate: Basic after a failed Basic authentication)", body = crate::http::wire::OAuthError),
        (status = 429, description = "temporarily_unavailable with Retry-After: over the per-client rate limit, or too many failed client authentications from this address", body = crate::http::wire::OAuthError),
        (status = 503, description = "server_error: the database cannot be reached", body = crate::http::wire::OAuthError),
    ))]
pub async fn token(
    State(state): State<AppState>,
    extensions: Extensions,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, OAuthError> {
    let answer = token_answer(&state, &extensions, &headers, &body).await;
    // RFC 9449 §8.1: every answer of the token endpoint gives the DPoP nonce to use, so an
    // SP whose proof lacked one retries once, and one that knows it never has to.
    let nonce = state.dpop_nonces.nonce(state.now_ms().div_euclid(1000));
    let mut response = answer.unwrap_or_else(IntoResponse::into_response);
    if let Ok(nonce) = axum::http::HeaderValue::from_str(&nonce) {
        response.headers_mut().insert("dpop-nonce", nonce);
    }
    Ok(response)
}

async fn token_answer(
    state: &AppState,
    extensions: &Extensions,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Response, OAuthError> {
    let form_params = form(headers, body)?;
    let mut proof = TokenProof::new(dpop_header(headers));
    if form_params.get("grant_type").map(String::as_str) == Some("client_credentials") {
        return client_credentials(state, extensions, headers, form_params, &mut proof).await;
    }
    let mut params = form_params;
    let client = authenticate_client(state, extensions, headers, &mut params).await?;
    // Per authenticated client: a limit keyed on an unauthenticated client_id would let
    // anyone exhaust another SP's budget.
    if let Err(limited) = state.limits.token.check(&client.client_id) {
        return Ok(limited.oauth_response());
    }
    let issued = tokens::grant_proven(state, &client, &params, &mut proof).await?;
    Ok((no_store_headers(), Json(issued)).into_response())
}

/// How many times a client-credentials request is served before its token is written
/// without an epoch check (see [`crate::store::cache`]; the last attempt's reads are
/// fresh, and the write follows them as it did before there were copies).
const GUARDED_ATTEMPTS: usize = 3;

/// `grant_type=client_credentials`, the hot one: the client read from a copy when there is
/// one, and everything read again fresh if the copy refused it or went stale.
async fn client_credentials(
    state: &AppState,
    extensions: &Extensions,
    headers: &HeaderMap,
    form_params: std::collections::HashMap<String, String>,
    proof: &mut TokenProof<'_>,
) -> Result<Response, OAuthError> {
    let mut reads = Reads::Cached;
    let mut limited_once = false;
    for attempt in 1.. {
        let mut params = form_params.clone();
        let client =
            authenticate_client_reading(state, extensions, headers, &mut params, reads).await?;
        if !limited_once {
            limited_once = true;
            // Per authenticated client, once per request.
            if let Err(limited) = state.limits.token.check(&client.client.client_id) {
                return Ok(limited.oauth_response());
            }
        }
        let guarded = attempt <= GUARDED_ATTEMPTS;
        match tokens::grant_client_credentials(state, &client, &params, guarded, proof).await? {
            Granted::Issued(issued) => {
                return Ok((no_store_headers(), Json(issued)).into_response());
            }
            Granted::ReadAgain => reads = Reads::Fresh,
        }
    }
    Err(OAuthError::server_error())
}

/// `POST /introspect` (RFC 7662). An SP learns only about its own tokens: anyone else's
/// token is simply inactive, so the endpoint cannot be used to probe tokens. The operator's
/// resource servers (registered with `resource_server`) may introspect any access token and
/// learn what they need to serve it: the user's opaque id and the token's policy.
#[utoipa::path(post, path = "/introspect", tag = "oauth",
    request_body(content = crate::http::wire::TokenQuery, content_type = "application/x-www-form-urlencoded"),
    security((), ("client_secret_basic" = [])),
    responses(
        (status = 200, description = "RFC 7662 §2.2: `{\"active\": false}` for any token not the caller's. \
            With `Accept: application/token-introspection+jwt` (RFC 9701), the same members as the \
            `token_introspection` claim of a JWT signed ES256 (`typ` `token-introspection+jwt`, `iss`, \
            `aud` the caller, `iat`)", content(
            (Object = "application/json"),
            (String = "application/token-introspection+jwt"),
        )),
        (status = 400, description = "RFC 6749 §5.2 error", body = crate::http::wire::OAuthError),
        (status = 401, description = "invalid_client", body = crate::http::wire::OAuthError),
        (status = 429, description = "temporarily_unavailable with Retry-After: too many failed client authentications from this address", body = crate::http::wire::OAuthError),
        (status = 503, description = "server_error: the database cannot be reached", body = crate::http::wire::OAuthError),
    ))]
pub async fn introspect(
    State(state): State<AppState>,
    extensions: Extensions,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, OAuthError> {
    let (client, token) = authenticated_token_request(&state, &extensions, &headers, &body).await?;
    let found = tokens::introspect(&state, &client, &token).await?;
    let answer = introspection_body(&found);
    let asks_for_jwt = headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(introspection::asks_for_jwt);
    if !asks_for_jwt {
        return Ok((no_store_headers(), Json(answer)).into_response());
    }
    let jwt = tokens::signed_introspection(&state, &client, answer)?;
    Ok((
        no_store_headers(),
        [(header::CONTENT_TYPE, introspection::JWT_MEDIA_TYPE)],
        jwt,
    )
        .into_response())
}

/// RFC 7662 §2.2: times in seconds; `assent_user`, `assent_policy` and `assent_withheld` (the
/// attributes the user withdrew, space-separated, when any) for resource servers.
fn introspection_body(found: &Introspection) -> serde_json::Value {
    let Introspection::Active(t) = found else {
        return json!({"active": false});
    };
    let mut body = json!({
        "active": true,
        "scope": t.scope.join(" "),
        "client_id": t.client_id,
        "token_type": crate::flows::issue::token_type(t.jkt.as_deref()),
        "iat": t.issued_ms / 1000,
        "exp": t.expires_ms / 1000,
    });
    // RFC 9449 §6.2: a bound token's confirmation, for the resource server to check.
    if let Some(jkt) = &t.jkt {
        body["cnf"] = json!({"jkt": jkt});
    }
    if let Some(view) = &t.for_resource_server {
        body["assent_user"] = json!(view.user_id);
        body["assent_policy"] = json!(view.policy);
        if !view.withheld.is_empty() {
            body["assent_withheld"] = json!(view.withheld.join(" "));
        }
    }
    body
}

/// `POST /revoke` (RFC 7009): 200 whether or not the token existed (§2.2).
#[utoipa::path(post, path = "/revoke", tag = "oauth",
    request_body(content = crate::http::wire::TokenQuery, content_type = "application/x-www-form-urlencoded"),
    security((), ("client_secret_basic" = [])),
    responses(
        (status = 200, description = "RFC 7009 §2.2: `{}` whether or not the token existed", body = Object),
        (status = 400, description = "RFC 6749 §5.2 error", body = crate::http::wire::OAuthError),
        (status = 401, description = "invalid_client", body = crate::http::wire::OAuthError),
        (status = 429, description = "temporarily_unavailable with Retry-After: too many failed client authentications from this address", body = crate::http::wire::OAuthError),
        (status = 503, description = "server_error: the database cannot be reached", body = crate::http::wire::OAuthError),
    ))]
pub async fn revoke(
    State(state): State<AppState>,
    extensions: Extensions,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, OAuthError> {
    let (client, token) = authenticated_token_request(&state, &extensions, &headers, &body).await?;
    tokens::revoke(&state, &client, &token).await?;
    Ok((no_store_headers(), Json(json!({}))).into_response())
}
