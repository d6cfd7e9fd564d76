//! `GET /authorize`, `GET /authorize/wait` and `POST /authorize/consent`: the browser's side
//! of the authorization code flow. The flow ([`crate::flows::code_flow`]) says what comes
//! next; here it becomes a page or a redirect (`303 See Other`). Pages are never cached.

use crate::flows::code_flow::{self, AuthorizeOutcome, CodeFlowError, CodeFlowErrorKind};
use crate::http::error::{html_escape, no_store_headers};
use crate::http::oauth::{authenticate_client, form};
use crate::http::state::AppState;
use crate::rules::oauth::OAuthError;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde_json::json;
use std::collections::HashMap;

/// `GET /authorize` (OIDC Core §3.1.2.1, RFC 7636 §4.3).
#[utoipa::path(get, path = "/authorize", tag = "oauth",
    params(crate::http::wire::AuthorizationRequest),
    responses(
        (status = 200, description = "The waiting page (HTML) while the user answers on the handset", content_type = "text/html"),
        (status = 303, description = "Back to the SP's redirect URI with `error` and `state` once the client and redirect URI are verified"),
        (status = 400, description = "An error page (HTML) when the client or redirect URI cannot be trusted", content_type = "text/html"),
        (status = 429, description = "Too many requests from this address (HTML), with Retry-After", content_type = "text/html"),
        (status = 500, description = "The gateway could not complete the request (HTML)", content_type = "text/html"),
        (status = 503, description = "The database cannot be reached (HTML), with Retry-After", content_type = "text/html"),
    ))]
pub async fn authorize(
    State(state): State<AppState>,
    extensions: axum::http::Extensions,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    if let Err(limited) = state.limits.authorize_address.check_peer(&extensions) {
        return browser_headers(too_many(limited.retry_after_s));
    }
    let per_target = |key: &str| {
        state
            .limits
            .authorize_target
            .check(&key.to_owned())
            .map_err(|limited| limited.retry_after_s)
    };
    respond(code_flow::authorize(&state, &params, &per_target).await)
}

/// `POST /par` (RFC 9126): the client authenticates as at `/token` (and spends the same
/// per-client budget: every pushed request is a row kept for a minute), the request is
/// checked as `/authorize` would check it, and it is kept under a `request_uri` for the
/// browser to bring once.
#[utoipa::path(post, path = "/par", tag = "oauth",
    request_body(content = crate::http::wire::PushedAuthorizationRequest, content_type = "application/x-www-form-urlencoded"),
    security((), ("client_secret_basic" = [])),
    responses(
        (status = 201, description = "RFC 9126 §2.2", body = crate::http::wire::PushedAuthorizationResponse),
        (status = 400, description = "RFC 9126 §2.3: the error `/authorize` would have redirected with (invalid_request, invalid_scope, unsupported_response_type, unauthorized_client, request_not_supported)", body = crate::http::wire::OAuthError),
        (status = 401, description = "invalid_client", body = crate::http::wire::OAuthError),
        (status = 429, description = "temporarily_unavailable with Retry-After: over the per-client rate limit, or too many failed client authentications from this address", body = crate::http::wire::OAuthError),
        (status = 503, description = "server_error: the database cannot be reached", body = crate::http::wire::OAuthError),
    ))]
pub async fn par(
    State(state): State<AppState>,
    extensions: axum::http::Extensions,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, OAuthError> {
    let mut params = form(&headers, &body)?;
    let client = authenticate_client(&state, &extensions, &headers, &mut params).await?;
    if let Err(limited) = state.limits.token.check(&client.client_id) {
        return Ok(limited.oauth_response());
    }
    let pushed = code_flow::push(&state, &client, &params).await?;
    Ok((
        StatusCode::CREATED,
        no_store_headers(),
        Json(json!({"request_uri": pushed.request_uri, "expires_in": pushed.expires_in})),
    )
        .into_response())
}

/// Too many requests from one address: a page with `Retry-After` (RFC 6585 §4).
fn too_many(retry_after_s: u64) -> Response {
    let mut response = (
        StatusCode::TOO_MANY_REQUESTS,
        Html(
            "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\">\
             <title>Assent: too many requests</title><h1>Too many requests</h1>\
             <p>Try again in a moment.</p></html>"
                .to_owned(),
        ),
    )
        .into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_s));
    response
}

/// What every answer of the browser's side carries: never framed (clickjacking of the
/// consent page, RFC 6819 §4.4.1.9, RFC 9700 §4.16), never cached (pages hold a session,
/// redirects a code: RFC 6749 §4.1.2 and §10.5), no referrer leaking the session or code to
/// another site, no content sniffing, and HTTPS only from then on (HSTS).
fn browser_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    for (name, value) in [
        (header::X_FRAME_OPTIONS, "DENY"),
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
        ),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::STRICT_TRANSPORT_SECURITY, "max-age=31536000"),
        (header::CACHE_CONTROL, "no-store"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

/// `GET /authorize/wait?session=…`: still waiting (the page again), or back to the SP with
/// a code (approved) or `access_denied` (denied, or expired).
#[utoipa::path(get, path = "/authorize/wait", tag = "oauth",
    params(crate::http::wire::WaitQuery),
    responses(
        (status = 200, description = "Still waiting, or the consent page (HTML)", content_type = "text/html"),
        (status = 303, description = "Back to the SP with `code` or `error`, and `state`"),
        (status = 400, description = "No session (HTML)", content_type = "text/html"),
        (status = 404, description = "Unknown or finished request (HTML)", content_type = "text/html"),
        (status = 409, description = "The request continued in another window (HTML)", content_type = "text/html"),
        (status = 500, description = "The gateway could not complete the request (HTML)", content_type = "text/html"),
        (status = 503, description = "The database cannot be reached (HTML), with Retry-After", content_type = "text/html"),
    ))]
pub async fn wait(
    State(state): State<AppState>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let Some(session) = params.get("session") else {
        return browser_headers(unreadable("The waiting page lost its session."));
    };
    respond(code_flow::wait(&state, session).await)
}

/// `POST /authorize/consent` with `session` and `decision=allow|deny`: the answer given on
/// the browser page; then on to `/authorize/wait`, which redirects to the SP.
#[utoipa::path(post, path = "/authorize/consent", tag = "oauth",
    request_body(content = crate::http::wire::ConsentDecision, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 303, description = "To the waiting page, which then redirects to the SP"),
        (status = 400, description = "An unreadable form or a decision other than allow/deny (HTML)", content_type = "text/html"),
        (status = 409, description = "The request is not waiting for this answer (HTML)", content_type = "text/html"),
        (status = 500, description = "The gateway could not complete the request (HTML)", content_type = "text/html"),
        (status = 503, description = "The database cannot be reached (HTML), with Retry-After", content_type = "text/html"),
    ))]
pub async fn consent_decision(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Ok(params) = crate::http::oauth::form(&headers, &body) else {
        return browser_headers(unreadable("The answer could not be read."));
    };
    let (Some(session), Some(decision)) = (params.get("session"), params.get("decision")) else {
        return browser_headers(unreadable("The answer could not be read."));
    };
    let approve = match decision.as_str() {
        "allow" => true,
        "deny" => false,
        _ => return browser_headers(unreadable("Answer Allow or Deny.")),
    };
    respond(code_flow::decide(&state, session, approve).await)
}

/// A request the browser sent that cannot be read: an error page.
fn unreadable(message: &'static str) -> Response {
    CodeFlowError::new(CodeFlowErrorKind::BadRequest, message).into_response()
}

fn respond(outcome: Result<AuthorizeOutcome, CodeFlowError>) -> Response {
    browser_headers(match outcome {
        Ok(AuthorizeOutcome::Waiting {
            session,
            client_name,
        }) => waiting_page(&session, &client_name),
        Ok(AuthorizeOutcome::Consent {
            session,
            client_name,
            text,
        }) => consent_page(&session, &client_name, &text),
        Ok(AuthorizeOutcome::Answered { session }) => {
            Redirect::to(&format!("/authorize/wait?session={session}")).into_response()
        }
        Ok(AuthorizeOutcome::Redirect { location }) => Redirect::to(&location).into_response(),
        Err(error) => error.into_response(),
    })
}

/// A page that is never cached: it holds a session.
fn page(body: String) -> Response {
    (
        StatusCode::OK,
        [(header::CACHE_CONTROL, "no-store")],
        Html(body),
    )
        .into_response()
}

/// The page the browser waits on; it reloads itself until the user has answered.
fn waiting_page(session: &str, client_name: &str) -> Response {
    page(format!(
        "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\">\
         <meta http-equiv=\"refresh\" content=\"2;url=/authorize/wait?session={session}\">\
         <title>Assent: check your phone</title>\
         <h1>Check your phone</h1><p>{} asked to sign you in. Answer the message on your phone; \
         this page continues by itself.</p><p><a href=\"/authorize/wait?session={session}\">Continue</a></p></html>",
        html_escape(client_name)
    ))
}

/// MC_ATTR_08, consent on the Consumption Device: the consent text with Allow and Deny. The
/// form carries the session id, a 256-bit secret only this browser holds, which is what
/// makes a forged cross-site answer impossible.
fn consent_page(session: &str, client_name: &str, text: &str) -> Response {
    page(format!(
        "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width\">\
         <title>Assent: share your data?</title>\
         <h1>{name} asks for your data</h1><p id=\"consent-text\">{text}</p>\
         <form method=\"post\" action=\"/authorize/consent\">\
         <input type=\"hidden\" name=\"session\" value=\"{session}\">\
         <button name=\"decision\" value=\"allow\">Allow</button> \
         <button name=\"decision\" value=\"deny\">Deny</button></form></html>",
        name = html_escape(client_name),
        text = html_escape(text),
        session = html_escape(session),
    ))
}
