//! Server-Initiated Mobile Connect = OpenID CIBA Core 1.0 in its three modes: the SP asks
//! at the backchannel authentication endpoint (§7), the gateway reaches the user's
//! Authentication Device (MC_ATTR_09) with a consent prompt (MC_ATTR_10..17), the user
//! answers, and the SP gets its tokens by polling (§10.1), after a ping (§10.2), or pushed to
//! its notification endpoint (§10.3; delivery in [`crate::flows::notify`]).

use crate::base::clock::now_ms;
use crate::base::ids::{new_token, token_hash};
use crate::flows::client_auth::audit_refusal;
use crate::flows::consent::{self, Answered, Purpose};
use crate::flows::issue::{Issue, TokenResponse, issue_tokens};
use crate::http::AppState;
use crate::http::error::no_store_headers;
use crate::http::oauth::authenticate_client;
use crate::http::oauth::form;
use crate::rules::oauth::OAuthError;
use crate::store::{CibaRequest, Client, Tx};
use assent_audit::{EntryKind, NewEntry};
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use std::collections::HashMap;

pub const CIBA_GRANT: &str = "urn:openid:params:grant-type:ciba";
/// Default and maximum lifetime of a request (seconds): a person has to pick up the phone.
const DEFAULT_EXPIRY_S: i64 = 300;
const MAX_EXPIRY_S: i64 = 600;
/// Poll interval (seconds) we ask of SPs (CIBA §7.3; 5 if absent — we allow 2).
const POLL_INTERVAL_S: i64 = 2;
/// CIBA §7.1: the binding message should be short, plain text; it must fit on a handset.
const BINDING_MESSAGE_MAX_CHARS: usize = 32;
/// CIBA §7.1: the client_notification_token is a bearer token of the SP's; RFC 6750 §2.1
/// token characters, and a bound that keeps it a token rather than a payload.
const NOTIFICATION_TOKEN_MAX_LEN: usize = 1024;

/// How the SP registered to receive the result (CIBA §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryMode {
    Poll,
    Ping,
    Push,
}

impl DeliveryMode {
    pub fn name(self) -> &'static str {
        match self {
            DeliveryMode::Poll => "poll",
            DeliveryMode::Ping => "ping",
            DeliveryMode::Push => "push",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "poll" => Some(DeliveryMode::Poll),
            "ping" => Some(DeliveryMode::Ping),
            "push" => Some(DeliveryMode::Push),
            _ => None,
        }
    }

    /// The SP's registered mode (one per SP, CIBA §4); poll when none is registered.
    pub fn of(client: &Client) -> Self {
        client
            .delivery_modes
            .first()
            .and_then(|m| DeliveryMode::parse(m))
            .unwrap_or(DeliveryMode::Poll)
    }
}

/// `POST /bc-authorize` (CIBA §7.1).
#[utoipa::path(post, path = "/bc-authorize", tag = "oauth",
    request_body(content = crate::http::openapi::wire::BackchannelAuthenticationRequest, content_type = "application/x-www-form-urlencoded"),
    security((), ("client_secret_basic" = [])),
    responses(
        (status = 200, description = "CIBA §7.3: `auth_req_id`, `expires_in`, and `interval` in poll and ping modes", body = Object),
        (status = 400, description = "CIBA §13 error, e.g. invalid_request, unknown_user_id, invalid_scope, access_denied", body = crate::http::openapi::wire::OAuthError),
        (status = 401, description = "invalid_client", body = crate::http::openapi::wire::OAuthError),
        (status = 429, description = "temporarily_unavailable: over the per-client rate limit, with Retry-After", body = crate::http::openapi::wire::OAuthError),
        (status = 503, description = "server_error: the database cannot be reached", body = crate::http::openapi::wire::OAuthError),
    ))]
pub async fn bc_authorize(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, OAuthError> {
    let mut params = form(&headers, &body)?;
    let client = authenticate_client(&state, &headers, &mut params).await?;
    // Per authenticated client (each request may put a prompt on a person's handset).
    if let Err(limited) = state.limits.ciba.check(&client.client_id) {
        return Ok(limited.oauth_response());
    }
    if client.blacklisted {
        audit_refusal(&state, &client, None, "bc-authorize", "blacklisted").await?;
        return Err(OAuthError::bad_request(
            "unauthorized_client",
            "this SP may not use the gateway",
        ));
    }
    if !client.grant_types.iter().any(|g| g == CIBA_GRANT) {
        return Err(OAuthError::bad_request(
            "unauthorized_client",
            "this SP is not registered for CIBA",
        ));
    }
    let mode = DeliveryMode::of(&client);
    let notification_token = match mode {
        DeliveryMode::Poll => None,
        DeliveryMode::Ping | DeliveryMode::Push => Some(notification_token(&params)?),
    };
    let scope = requested_scope(&state, &client, &params)?;
    let user = crate::flows::hints::hinted_user(&state, &client, &params).await?;
    let expiry_s = requested_expiry(&params)?;
    let binding_message = binding_message(&params)?;

    // MC_ATTR_21: minors are refused; the SP learns only access_denied.
    consent::refuse_minor(&state, &client, &user, "bc-authorize").await?;
    // MC_ATTR_04: the authenticator follows the gateway's policy, never the SP's acr_values.
    let sent = consent::reach_user(
        &state,
        &client,
        &user,
        &scope,
        Purpose::Consent,
        "bc-authorize",
    )
    .await?;
    let auth_req_id = new_token();
    let created_ms = now_ms();
    let request = CibaRequest {
        auth_req_hash: token_hash(&auth_req_id),
        client_id: client.client_id.clone(),
        user_id: user.id.clone(),
        scope: scope.clone(),
        binding_message: binding_message.clone(),
        delivery_mode: mode.name().into(),
        status: "pending".into(),
        authenticator: sent.authenticator.into(),
        message_id: Some(sent.message_id),
        prompt: sent.prompt.text.clone(),
        created_ms,
        expires_ms: created_ms + expiry_s * 1000,
        interval_s: POLL_INTERVAL_S,
        last_poll_ms: 0,
        auth_req_id: (mode != DeliveryMode::Poll).then(|| auth_req_id.clone()),
        notification_token,
        notified_ms: None,
        notify_attempts: 0,
        next_attempt_ms: 0,
        token_family: None,
    };
    state.store.insert_ciba(&request).await?;
    let audit = |kind, authenticator: Option<&str>, detail: serde_json::Value| NewEntry {
        at_ms: created_ms,
        kind,
        user: Some(user.id.clone()),
        sp: Some(client.client_id.clone()),
        authenticator: authenticator.map(str::to_owned),
        detail: detail.to_string(),
    };
    state
        .store
        .append_audit(audit(
            EntryKind::AuthorizationRequest,
            None,
            json!({"flow": "ciba", "mode": mode.name(), "scope": scope.join(" "),
                   "binding_message": binding_message}),
        ))
        .await?;
    state
        .store
        .append_audit(audit(
            EntryKind::PromptSent,
            Some(sent.authenticator),
            json!({"prompt": sent.prompt.text, "encoding": sent.prompt.encoding,
                   "units": sent.prompt.units}),
        ))
        .await?;

    // CIBA §7.3: `interval` only for the modes in which the SP calls the token endpoint.
    let mut body = json!({"auth_req_id": auth_req_id, "expires_in": expiry_s});
    if mode != DeliveryMode::Push {
        body["interval"] = json!(POLL_INTERVAL_S);
    }
    Ok((no_store_headers(), Json(body)).into_response())
}

fn notification_token(params: &HashMap<String, String>) -> Result<String, OAuthError> {
    let is_token_char = |b: u8| b.is_ascii_alphanumeric() || b"-._~+/=".contains(&b);
    match params.get("client_notification_token") {
        Some(t)
            if !t.is_empty()
                && t.len() <= NOTIFICATION_TOKEN_MAX_LEN
                && t.bytes().all(is_token_char) =>
        {
            Ok(t.clone())
        }
        Some(_) => Err(OAuthError::invalid_request(
            "client_notification_token must be a bearer token (RFC 6750 §2.1) of at most 1024 characters",
        )),
        None => Err(OAuthError::invalid_request(
            "client_notification_token is required in ping and push modes",
        )),
    }
}

/// The requested scope: `openid` required, every scope granted to the SP and known to the
/// catalog.
pub(crate) fn requested_scope(
    state: &crate::flows::Gateway,
    client: &Client,
    params: &HashMap<String, String>,
) -> Result<Vec<String>, OAuthError> {
    let scope = crate::rules::oauth::scope_param(params).unwrap_or_default();
    if !scope.iter().any(|s| s == "openid") {
        return Err(OAuthError::bad_request(
            "invalid_scope",
            "the openid scope is required",
        ));
    }
    crate::rules::oauth::check_granted(&client.scopes, &scope)?;
    if let Some(unknown) = scope
        .iter()
        .find(|s| *s != "openid" && state.catalog.service(s).is_none())
    {
        return Err(OAuthError::bad_request(
            "invalid_scope",
            format!("scope {unknown} is not a service of this gateway"),
        ));
    }
    Ok(scope)
}

fn requested_expiry(params: &HashMap<String, String>) -> Result<i64, OAuthError> {
    match params.get("requested_expiry") {
        None => Ok(DEFAULT_EXPIRY_S),
        Some(text) => match text.parse::<i64>() {
            Ok(s) if (1..=MAX_EXPIRY_S).contains(&s) => Ok(s),
            _ => Err(OAuthError::invalid_request(format!(
                "requested_expiry must be a number of seconds from 1 to {MAX_EXPIRY_S}"
            ))),
        },
    }
}

fn binding_message(params: &HashMap<String, String>) -> Result<Option<String>, OAuthError> {
    match params.get("binding_message") {
        None => Ok(None),
        Some(m)
            if m.chars().count() <= BINDING_MESSAGE_MAX_CHARS
                && !m.chars().any(char::is_control) =>
        {
            Ok(Some(m.clone()))
        }
        Some(_) => Err(OAuthError::bad_request(
            "invalid_binding_message",
            format!(
                "binding_message must be plain text of at most {BINDING_MESSAGE_MAX_CHARS} characters"
            ),
        )),
    }
}

/// Records the user's answer to a CIBA request inside `tx` ("1"/approve moves it to
/// `approved`, else `denied`), with its consent and audit entries; `false` when the request
/// was no longer pending (answered already).
pub async fn answer_in(
    tx: &mut Tx,
    request: &CibaRequest,
    consent_kind: &'static str,
    approve: bool,
) -> Result<bool, crate::store::StoreError> {
    let to = if approve { "approved" } else { "denied" };
    if !tx
        .transition_ciba(&request.auth_req_hash, "pending", to)
        .await?
    {
        return Ok(false);
    }
    let answered = Answered {
        request_hash: &request.auth_req_hash,
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

/// The token endpoint for `grant_type=urn:openid:params:grant-type:ciba` (CIBA §10.1, §11).
pub async fn grant(
    state: &crate::flows::Gateway,
    client: &Client,
    params: &HashMap<String, String>,
) -> Result<TokenResponse, OAuthError> {
    if !client.grant_types.iter().any(|g| g == CIBA_GRANT) {
        return Err(OAuthError::bad_request(
            "unauthorized_client",
            "this SP is not registered for CIBA",
        ));
    }
    let auth_req_id = params
        .get("auth_req_id")
        .ok_or_else(|| OAuthError::invalid_request("auth_req_id is missing"))?;
    let invalid_grant =
        || OAuthError::bad_request("invalid_grant", "unknown or already used auth_req_id");
    let request = match state.store.ciba(&token_hash(auth_req_id)).await? {
        Some(r) if r.client_id == client.client_id => r,
        _ => return Err(invalid_grant()),
    };
    let now = now_ms();
    if request.status == "issued" {
        return Err(invalid_grant());
    }
    if request.delivery_mode == DeliveryMode::Push.name() {
        // CIBA §10.3: in push mode the tokens go to the SP's notification endpoint only.
        return Err(OAuthError::bad_request(
            "invalid_grant",
            "this request is in push mode: its result is delivered to the notification endpoint",
        ));
    }
    if now > request.expires_ms {
        return Err(OAuthError::bad_request(
            "expired_token",
            "the request expired before the user answered",
        ));
    }
    if !state.store.record_poll(&request, now).await? {
        return Err(OAuthError::bad_request(
            "slow_down",
            "poll less often: the interval grew by 5 seconds",
        ));
    }
    match request.status.as_str() {
        "pending" => Err(OAuthError::bad_request(
            "authorization_pending",
            "the user has not answered yet",
        )),
        "denied" => Err(OAuthError::bad_request("access_denied", "the user said no")),
        "approved" => {
            let consent_id = consent::consent_id_for(&request.auth_req_hash);
            // The answer now commits the request's state and its consent together
            // (`answer_in`), so an approved request without its consent can only come from
            // a gateway before that change, killed between the two (found by
            // tests/scale_out.rs). Tokens issued for it would be refused at once by the
            // resource server: issue none, so the SP waits until the request expires. The
            // tests check the invariant on the database itself, not through this guard.
            if state.store.consent(&consent_id).await?.is_none() {
                return Err(OAuthError::bad_request(
                    "authorization_pending",
                    "the user's answer is still being recorded",
                ));
            }
            // Single use: only the poll that moves approved → issued gets the tokens.
            if !state
                .store
                .transition_ciba(&request.auth_req_hash, "approved", "issued")
                .await?
            {
                return Err(invalid_grant());
            }
            let issued = Issue {
                user_id: &request.user_id,
                scope: &request.scope,
                authenticator: &request.authenticator,
                nonce: None,
                grant: "ciba",
                request_hash: &request.auth_req_hash,
                family: None,
                auth_req_id: None,
                consent_id: Some(&consent_id),
            };
            Ok(issue_tokens(state, client, &issued, now).await?.body)
        }
        _ => Err(invalid_grant()),
    }
}
