//! Device-Initiated Mobile Connect: the OpenID Connect authorization code flow with PKCE
//! (RFC 7636, S256 only). The browser (Consumption Device) waits on a page while the user
//! authenticates on the Authentication Device, then is redirected back to the SP with a
//! single-use code. Consent (MC_ATTR_08) is captured where the operator's policy (the service
//! catalog) says: on the Authentication Device in the same interaction, or on the browser
//! page after the user authenticated on the handset.

use crate::base::clock::now_ms;
use crate::base::ids::{new_token, token_hash};
use crate::flows::ciba;
use crate::flows::consent::{self, Answered, Purpose};
use crate::flows::issue::{Issue, TokenResponse, issue_tokens};
use crate::http::AppState;
use crate::rules::oauth::OAuthError;
use crate::store::{Client, CodeKey, CodeRequest, Tx};
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use base64::Engine;
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// How long the browser may wait for the user (seconds) and how long a code lives.
const REQUEST_LIFETIME_S: i64 = 300;
const CODE_LIFETIME_S: i64 = 60;

/// An error shown in the browser because the redirect URI cannot be trusted (RFC 6749
/// §4.1.2.1: never redirect to an unverified URI).
fn error_page(status: StatusCode, message: &str) -> Response {
    let body = format!(
        "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>Assent</title>\
         <h1>This sign-in request cannot continue</h1><p>{}</p></html>",
        html_escape(message)
    );
    (status, [(header::CACHE_CONTROL, "no-store")], Html(body)).into_response()
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Back to the SP with an error (the redirect URI and client are verified by then).
fn redirect_error(redirect_uri: &str, code: &str, state: &str) -> Response {
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("error", code)
        .append_pair("state", state)
        .finish();
    Redirect::to(&format!("{redirect_uri}?{query}")).into_response()
}

/// `GET /authorize` (OIDC Core §3.1.2.1, RFC 7636 §4.3).
#[utoipa::path(get, path = "/authorize", tag = "oauth",
    params(crate::http::openapi::wire::AuthorizationRequest),
    responses(
        (status = 200, description = "The waiting page (HTML) while the user answers on the handset", content_type = "text/html"),
        (status = 303, description = "Back to the SP's redirect URI with `error` and `state` once the client and redirect URI are verified"),
        (status = 400, description = "An error page (HTML) when the client or redirect URI cannot be trusted", content_type = "text/html"),
        (status = 500, description = "The gateway could not complete the request (HTML)", content_type = "text/html"),
    ))]
pub async fn authorize(
    State(state): State<AppState>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    match start(&state, &params).await {
        Ok(response) | Err(response) => response,
    }
}

async fn start(state: &AppState, params: &HashMap<String, String>) -> Result<Response, Response> {
    let server_error = |_| {
        error_page(
            StatusCode::INTERNAL_SERVER_ERROR,
            "The gateway could not complete the request.",
        )
    };
    let client_id = params
        .get("client_id")
        .ok_or_else(|| error_page(StatusCode::BAD_REQUEST, "client_id is missing."))?;
    let client = state
        .store
        .client(client_id)
        .await
        .map_err(server_error)?
        .ok_or_else(|| error_page(StatusCode::BAD_REQUEST, "Unknown client."))?;
    let redirect_uri = params
        .get("redirect_uri")
        .ok_or_else(|| error_page(StatusCode::BAD_REQUEST, "redirect_uri is missing."))?;
    // Exact match with a registered URI (OIDC Core §3.1.2.1).
    if !client.redirect_uris.iter().any(|r| r == redirect_uri) {
        return Err(error_page(
            StatusCode::BAD_REQUEST,
            "The redirect URI is not registered for this client.",
        ));
    }
    // From here errors go back to the SP. MC requires state (and nonce) for CSRF/replay.
    let Some(state_param) = params.get("state").filter(|s| !s.is_empty()) else {
        return Err(redirect_error(redirect_uri, "invalid_request", ""));
    };
    let back = |code: &str| redirect_error(redirect_uri, code, state_param);
    if client.blacklisted {
        crate::flows::client_auth::audit_refusal(state, &client, None, "authorize", "blacklisted")
            .await
            .map_err(|_| back("server_error"))?;
        return Err(back("unauthorized_client"));
    }
    if !client.grant_types.iter().any(|g| g == "authorization_code") {
        return Err(back("unauthorized_client"));
    }
    if params.get("response_type").map(String::as_str) != Some("code") {
        return Err(back("unsupported_response_type"));
    }
    let scope = ciba::requested_scope(state, &client, params).map_err(|e| back(e.code))?;
    // PKCE is mandatory, and only S256 (RFC 7636 §4.2: "plain" only for constrained clients).
    let challenge = params
        .get("code_challenge")
        .filter(|c| is_s256_challenge(c))
        .ok_or_else(|| back("invalid_request"))?;
    if params.get("code_challenge_method").map(String::as_str) != Some("S256") {
        return Err(back("invalid_request"));
    }
    let nonce = params.get("nonce").cloned();
    let user = crate::flows::hints::hinted_user(state, &client, params)
        .await
        .map_err(|e| match e.code {
            // The browser user is not told whether a number is registered.
            "unknown_user_id" => back("access_denied"),
            "server_error" => back("server_error"),
            _ => back("invalid_request"),
        })?;
    let refused = |e: OAuthError| match e.code {
        "access_denied" => back("access_denied"),
        _ => back("server_error"),
    };
    consent::refuse_minor(state, &client, &user, "authorize")
        .await
        .map_err(refused)?;
    // MC_ATTR_08: the catalog decides where consent is captured.
    let on_browser = state.catalog.consent_on_consumption_device(&scope);
    let purpose = if on_browser {
        Purpose::SignIn
    } else {
        Purpose::Consent
    };
    let sent = consent::reach_user(state, &client, &user, &scope, purpose, "authorize")
        .await
        .map_err(refused)?;
    let session = new_token();
    let created_ms = now_ms();
    let request = CodeRequest {
        session_hash: token_hash(&session),
        client_id: client.client_id.clone(),
        user_id: user.id.clone(),
        scope: scope.clone(),
        redirect_uri: redirect_uri.clone(),
        state: state_param.clone(),
        nonce,
        code_challenge: challenge.clone(),
        status: "pending".into(),
        authenticator: sent.authenticator.into(),
        message_id: Some(sent.message_id),
        prompt: sent.prompt.text.clone(),
        code_hash: None,
        access_hash: None,
        created_ms,
        expires_ms: created_ms + REQUEST_LIFETIME_S * 1000,
        code_expires_ms: None,
        consent_on: if on_browser {
            "browser"
        } else {
            "authenticator"
        }
        .into(),
        consent_text: None,
    };
    state
        .store
        .insert_code_request(&request)
        .await
        .map_err(|_| back("server_error"))?;
    audit(
        state,
        &request,
        assent_audit::EntryKind::AuthorizationRequest,
        serde_json::json!({"flow": "code", "scope": scope.join(" "),
                           "consent_on": request.consent_on}),
    )
    .await
    .map_err(|_| back("server_error"))?;
    audit(
        state,
        &request,
        assent_audit::EntryKind::PromptSent,
        serde_json::json!({"prompt": sent.prompt.text, "encoding": sent.prompt.encoding,
                           "purpose": if on_browser { "sign_in" } else { "consent" }}),
    )
    .await
    .map_err(|_| back("server_error"))?;
    Ok(waiting_page(&session, &client))
}

async fn audit(
    state: &AppState,
    r: &CodeRequest,
    kind: assent_audit::EntryKind,
    detail: serde_json::Value,
) -> Result<(), crate::store::StoreError> {
    state
        .store
        .append_audit(assent_audit::NewEntry {
            at_ms: now_ms(),
            kind,
            user: Some(r.user_id.clone()),
            sp: Some(r.client_id.clone()),
            authenticator: Some(r.authenticator.clone()),
            detail: detail.to_string(),
        })
        .await?;
    Ok(())
}

/// 43–128 characters of base64url: the encoding of a SHA-256 (RFC 7636 §4.2).
fn is_s256_challenge(challenge: &str) -> bool {
    challenge.len() == 43
        && challenge
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The page the browser waits on; it reloads itself until the user has answered.
fn waiting_page(session: &str, client: &Client) -> Response {
    let body = format!(
        "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\">\
         <meta http-equiv=\"refresh\" content=\"2;url=/authorize/wait?session={session}\">\
         <title>Assent: check your phone</title>\
         <h1>Check your phone</h1><p>{} asked to sign you in. Answer the message on your phone; \
         this page continues by itself.</p><p><a href=\"/authorize/wait?session={session}\">Continue</a></p></html>",
        html_escape(&client.client_name)
    );
    (
        StatusCode::OK,
        [(header::CACHE_CONTROL, "no-store")],
        Html(body),
    )
        .into_response()
}

/// `GET /authorize/wait?session=…`: still waiting (the page again), or back to the SP with
/// a code (approved) or `access_denied` (denied, or expired).
#[utoipa::path(get, path = "/authorize/wait", tag = "oauth",
    params(crate::http::openapi::wire::WaitQuery),
    responses(
        (status = 200, description = "Still waiting, or the consent page (HTML)", content_type = "text/html"),
        (status = 303, description = "Back to the SP with `code` or `error`, and `state`"),
        (status = 400, description = "No session (HTML)", content_type = "text/html"),
        (status = 404, description = "Unknown or finished request (HTML)", content_type = "text/html"),
        (status = 409, description = "The request continued in another window (HTML)", content_type = "text/html"),
        (status = 500, description = "The gateway could not complete the request (HTML)", content_type = "text/html"),
    ))]
pub async fn wait(
    State(state): State<AppState>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let Some(session) = params.get("session") else {
        return error_page(
            StatusCode::BAD_REQUEST,
            "The waiting page lost its session.",
        );
    };
    let request = match state
        .store
        .code_request_by(CodeKey::Session, &token_hash(session))
        .await
    {
        Ok(Some(r)) => r,
        Ok(None) => {
            return error_page(
                StatusCode::NOT_FOUND,
                "This sign-in request is unknown or finished.",
            );
        }
        Err(_) => {
            return error_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "The gateway could not complete the request.",
            );
        }
    };
    let client = match state.store.client(&request.client_id).await {
        Ok(Some(c)) => c,
        _ => {
            return error_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "The gateway could not complete the request.",
            );
        }
    };
    let now = now_ms();
    match request.status.as_str() {
        "pending" if now > request.expires_ms => {
            redirect_error(&request.redirect_uri, "access_denied", &request.state)
        }
        "pending" => waiting_page(session, &client),
        "authenticated" if now > request.expires_ms => {
            redirect_error(&request.redirect_uri, "access_denied", &request.state)
        }
        "authenticated" => consent_page(&state, session, &request, &client).await,
        "denied" => redirect_error(&request.redirect_uri, "access_denied", &request.state),
        "approved" => {
            let code = new_token();
            let expires = now + CODE_LIFETIME_S * 1000;
            match state
                .store
                .transition_code_request(
                    &request.session_hash,
                    "approved",
                    "code_issued",
                    Some((&token_hash(&code), expires)),
                    None,
                )
                .await
            {
                Ok(true) => {
                    let query = form_urlencoded::Serializer::new(String::new())
                        .append_pair("code", &code)
                        .append_pair("state", &request.state)
                        .finish();
                    Redirect::to(&format!("{}?{query}", request.redirect_uri)).into_response()
                }
                _ => error_page(
                    StatusCode::CONFLICT,
                    "This sign-in request already continued in another window.",
                ),
            }
        }
        _ => error_page(
            StatusCode::NOT_FOUND,
            "This sign-in request is unknown or finished.",
        ),
    }
}

/// MC_ATTR_08, consent on the Consumption Device: the page shows the consent text (the same
/// renderer as the handset's prompts, for a screen) with Allow and Deny. The text is recorded
/// when first shown, and the answer is recorded with exactly that text. The form carries the
/// session id, a 256-bit secret only this browser holds, which is what makes a forged
/// cross-site answer impossible.
async fn consent_page(
    state: &AppState,
    session: &str,
    request: &CodeRequest,
    client: &Client,
) -> Response {
    let failed = || {
        error_page(
            StatusCode::INTERNAL_SERVER_ERROR,
            "The gateway could not complete the request.",
        )
    };
    let text = match &request.consent_text {
        Some(text) => text.clone(),
        None => {
            let Ok(Some(user)) = state.store.user_by_id(&request.user_id).await else {
                return failed();
            };
            let Ok(prompt) =
                consent::render_for_browser(&state.catalog, client, &user, &request.scope)
            else {
                return failed();
            };
            if state
                .store
                .set_consent_text(&request.session_hash, &prompt.text)
                .await
                .is_err()
            {
                return failed();
            }
            // Another window may have recorded its text first: show what is stored.
            match state
                .store
                .code_request_by(CodeKey::Session, &request.session_hash)
                .await
            {
                Ok(Some(CodeRequest {
                    consent_text: Some(text),
                    ..
                })) => text,
                _ => return failed(),
            }
        }
    };
    let body = format!(
        "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width\">\
         <title>Assent: share your data?</title>\
         <h1>{name} asks for your data</h1><p id=\"consent-text\">{text}</p>\
         <form method=\"post\" action=\"/authorize/consent\">\
         <input type=\"hidden\" name=\"session\" value=\"{session}\">\
         <button name=\"decision\" value=\"allow\">Allow</button> \
         <button name=\"decision\" value=\"deny\">Deny</button></form></html>",
        name = html_escape(&client.client_name),
        text = html_escape(&text),
        session = html_escape(session),
    );
    (
        StatusCode::OK,
        [(header::CACHE_CONTROL, "no-store")],
        Html(body),
    )
        .into_response()
}

/// `POST /authorize/consent` with `session` and `decision=allow|deny`: the answer given on
/// the browser page; then on to `/authorize/wait`, which redirects to the SP.
#[utoipa::path(post, path = "/authorize/consent", tag = "oauth",
    request_body(content = crate::http::openapi::wire::ConsentDecision, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 303, description = "To the waiting page, which then redirects to the SP"),
        (status = 400, description = "An unreadable form or a decision other than allow/deny (HTML)", content_type = "text/html"),
        (status = 409, description = "The request is not waiting for this answer (HTML)", content_type = "text/html"),
        (status = 500, description = "The gateway could not complete the request (HTML)", content_type = "text/html"),
    ))]
pub async fn consent_decision(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> Response {
    let params = match crate::http::oauth::form(&headers, &body) {
        Ok(params) => params,
        Err(_) => return error_page(StatusCode::BAD_REQUEST, "The answer could not be read."),
    };
    let (Some(session), Some(decision)) = (params.get("session"), params.get("decision")) else {
        return error_page(StatusCode::BAD_REQUEST, "The answer could not be read.");
    };
    let approve = match decision.as_str() {
        "allow" => true,
        "deny" => false,
        _ => return error_page(StatusCode::BAD_REQUEST, "Answer Allow or Deny."),
    };
    let session_hash = token_hash(session);
    let request = match state
        .store
        .code_request_by(CodeKey::Session, &session_hash)
        .await
    {
        Ok(Some(r)) if r.status == "authenticated" && now_ms() <= r.expires_ms => r,
        Ok(_) => {
            return error_page(
                StatusCode::CONFLICT,
                "This sign-in request is not waiting for an answer.",
            );
        }
        Err(_) => {
            return error_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "The gateway could not complete the request.",
            );
        }
    };
    let Some(text) = request.consent_text.as_deref() else {
        // The page was never shown: nothing was consented to.
        return error_page(StatusCode::CONFLICT, "Reload the page to see the request.");
    };
    let failed = || {
        error_page(
            StatusCode::INTERNAL_SERVER_ERROR,
            "The gateway could not complete the request.",
        )
    };
    let Ok(consent_kind) = consent::consent_kind(&state, &request.client_id).await else {
        return failed();
    };
    let answered = Answered {
        request_hash: &request.session_hash,
        user_id: &request.user_id,
        client_id: &request.client_id,
        scope: &request.scope,
        prompt: text,
        authenticator: "browser",
        consent_kind,
    };
    match record_browser_answer(&state, &session_hash, &answered, approve).await {
        Ok(true) => Redirect::to(&format!("/authorize/wait?session={session}")).into_response(),
        Ok(false) => error_page(
            StatusCode::CONFLICT,
            "This sign-in request was already answered.",
        ),
        Err(_) => failed(),
    }
}

/// The browser page's answer: the request's state, the consent and their audit entries in
/// one transaction; `false` when the request was answered already.
async fn record_browser_answer(
    state: &AppState,
    session_hash: &str,
    answered: &Answered<'_>,
    approve: bool,
) -> Result<bool, crate::store::StoreError> {
    let to = if approve { "approved" } else { "denied" };
    let mut tx = state.store.begin().await?;
    if !tx
        .transition_code_request(session_hash, "authenticated", to)
        .await?
    {
        return Ok(false);
    }
    consent::record_answer(&mut tx, answered, approve).await?;
    tx.commit().await?;
    Ok(true)
}

/// Records the handset's answer to a Device-Initiated request inside `tx`, with what belongs
/// to it (the sign-in audit entry, or the consent and its audit entries); `false` when the
/// request was no longer pending.
pub async fn answer_in(
    tx: &mut Tx,
    request: &CodeRequest,
    consent_kind: &'static str,
    approve: bool,
) -> Result<bool, crate::store::StoreError> {
    if request.consent_on == "browser" {
        // The handset only authenticated; consent follows on the browser page.
        let to = if approve { "authenticated" } else { "denied" };
        if !tx
            .transition_code_request(&request.session_hash, "pending", to)
            .await?
        {
            return Ok(false);
        }
        consent::record_sign_in(
            tx,
            &request.user_id,
            &request.client_id,
            &request.authenticator,
            approve,
        )
        .await?;
        return Ok(true);
    }
    let to = if approve { "approved" } else { "denied" };
    if !tx
        .transition_code_request(&request.session_hash, "pending", to)
        .await?
    {
        return Ok(false);
    }
    let answered = Answered {
        request_hash: &request.session_hash,
        user_id: &request.user_id,
        client_id: &request.client_id,
        scope: &request.scope,
        prompt: &request.prompt,
        authenticator: &request.authenticator,
        consent_kind,
    };
    consent::record_answer(tx, &answered, approve).await?;
    Ok(true)
}

/// `grant_type=authorization_code` (RFC 6749 §4.1.3, RFC 7636 §4.5): the code is single-use;
/// a replayed code revokes the token it bought (RFC 6749 §4.1.2).
pub async fn grant(
    state: &AppState,
    client: &Client,
    params: &HashMap<String, String>,
) -> Result<TokenResponse, OAuthError> {
    let invalid_grant = |why: &str| OAuthError::bad_request("invalid_grant", why.to_owned());
    let code = params
        .get("code")
        .ok_or_else(|| OAuthError::invalid_request("code is missing"))?;
    let verifier = params
        .get("code_verifier")
        .ok_or_else(|| OAuthError::invalid_request("code_verifier is missing"))?;
    let request = match state
        .store
        .code_request_by(CodeKey::Code, &token_hash(code))
        .await?
    {
        Some(r) if r.client_id == client.client_id => r,
        _ => return Err(invalid_grant("unknown code")),
    };
    if request.status != "code_issued" {
        // Replay: whatever the code bought is revoked.
        if let Some(access_hash) = &request.access_hash
            && state
                .store
                .transition_code_request(&request.session_hash, "redeemed", "reused", None, None)
                .await?
        {
            state
                .store
                .revoke_token(access_hash, &client.client_id)
                .await?;
            audit(
                state,
                &request,
                assent_audit::EntryKind::Revocation,
                serde_json::json!({"by": "gateway", "reason": "code_reused"}),
            )
            .await?;
        }
        return Err(invalid_grant("the code was already used"));
    }
    if request.code_expires_ms.is_none_or(|e| now_ms() > e) {
        return Err(invalid_grant("the code expired"));
    }
    if params.get("redirect_uri") != Some(&request.redirect_uri) {
        return Err(invalid_grant(
            "redirect_uri differs from the authorization request",
        ));
    }
    let computed = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(Sha256::digest(verifier.as_bytes()));
    let verifier_ok = (43..=128).contains(&verifier.len())
        && subtle::ConstantTimeEq::ct_eq(computed.as_bytes(), request.code_challenge.as_bytes())
            .into();
    if !verifier_ok {
        return Err(invalid_grant(
            "code_verifier does not match the code_challenge",
        ));
    }
    let consent_id = consent::consent_id_for(&request.session_hash);
    let issue = Issue {
        user_id: &request.user_id,
        scope: &request.scope,
        authenticator: &request.authenticator,
        nonce: request.nonce.as_deref(),
        grant: "authorization_code",
        request_hash: &request.session_hash,
        family: None,
        auth_req_id: None,
        consent_id: Some(&consent_id),
    };
    // Claim the code first, so that two concurrent redemptions cannot both succeed.
    if !state
        .store
        .transition_code_request(&request.session_hash, "code_issued", "redeemed", None, None)
        .await?
    {
        return Err(invalid_grant("the code was already used"));
    }
    let issued = issue_tokens(state, client, &issue, now_ms()).await?;
    let access_hash = issued.access_hash.clone();
    state
        .store
        .transition_code_request(
            &request.session_hash,
            "redeemed",
            "redeemed",
            None,
            Some(&access_hash),
        )
        .await?;
    Ok(issued.body)
}
