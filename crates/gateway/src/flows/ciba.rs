//! Server-Initiated Mobile Connect = OpenID CIBA Core 1.0 in its three modes: the SP asks
//! at the backchannel authentication endpoint (§7), the gateway reaches the user's
//! Authentication Device (MC_ATTR_09) with a consent prompt (MC_ATTR_10..17), the user
//! answers, and the SP gets its tokens by polling (§10.1), after a ping (§10.2), or pushed to
//! its notification endpoint (§10.3; delivery in [`crate::flows::notify`]). The rules
//! without I/O are in [`crate::rules::ciba`]; the endpoint's HTTP side is `http::ciba`.

use crate::base::ids::{new_token, token_hash};
use crate::flows::Gateway;
use crate::flows::client_auth::audit_refusal;
use crate::flows::consent::{self, Answered, ConsentTerms, Purpose};
use crate::flows::issue::{Issue, TokenResponse, issue_tokens};
use crate::rules::ciba::{self as rules, POLL_INTERVAL_S};
pub use crate::rules::ciba::{CIBA_GRANT, DeliveryMode};
use crate::rules::oauth::OAuthError;
use crate::store::{CibaRequest, Client, Tx};
use assent_audit::{EntryKind, NewEntry};
use serde_json::json;
use std::collections::HashMap;

/// A backchannel authentication request accepted (CIBA §7.3): the SP polls, is pinged or is
/// pushed the result for `auth_req_id`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BackchannelAuthorized {
    pub auth_req_id: String,
    /// Seconds until the request expires.
    pub expires_in: i64,
    /// The poll interval (seconds); `None` in push mode, where the SP does not poll.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval: Option<i64>,
}

/// A backchannel authentication request of an authenticated `client` (CIBA §7.1): the user
/// named by the hint is sent a consent prompt, and the request waits for the answer.
pub async fn bc_authorize(
    gateway: &Gateway,
    client: &Client,
    params: &HashMap<String, String>,
) -> Result<BackchannelAuthorized, OAuthError> {
    if client.blacklisted {
        audit_refusal(gateway, client, None, "bc-authorize", "blacklisted").await?;
        return Err(OAuthError::bad_request(
            "unauthorized_client",
            "this SP may not use the gateway",
        ));
    }
    rules::check_registered(client)?;
    let param = |name: &str| params.get(name).map(String::as_str);
    let grant_change = crate::rules::grant_management::check_request(
        param("grant_management_action"),
        param("grant_id"),
    )
    .map_err(|e| OAuthError::invalid_request(e.to_string()))?;
    let mode = DeliveryMode::of(client);
    let notification_token = match mode {
        DeliveryMode::Poll => None,
        DeliveryMode::Ping | DeliveryMode::Push => Some(rules::notification_token(param(
            "client_notification_token",
        ))?),
    };
    let scope = rules::requested_scope(&gateway.catalog, client, params)?;
    let user = crate::flows::hints::hinted_user(gateway, client, params).await?;
    if let Some((_, grant_id)) = grant_change
        && !crate::flows::grants::changeable(gateway, &client.client_id, &user.id, grant_id).await?
    {
        return Err(OAuthError::bad_request(
            "invalid_grant_id",
            "no grant of this SP's for this user in force by that grant_id",
        ));
    }
    let expiry_s = rules::requested_expiry(param("requested_expiry"))?;
    let binding_message = rules::binding_message(param("binding_message"))?;

    // MC_ATTR_21: minors are refused; the SP learns only access_denied.
    consent::refuse_minor(gateway, client, &user, "bc-authorize").await?;
    // MC_ATTR_04: the authenticator follows the gateway's policy, never the SP's acr_values.
    let sent = consent::reach_user(
        gateway,
        client,
        &user,
        &scope,
        Purpose::Consent,
        binding_message.as_deref(),
        "bc-authorize",
    )
    .await?;
    let auth_req_id = new_token();
    let created_ms = gateway.now_ms();
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
    // Before the request, so that no request that changes a grant exists without it.
    if let Some((update, grant_id)) = grant_change {
        gateway
            .store
            .insert_grant_update(&request.auth_req_hash, grant_id, update.name())
            .await?;
    }
    gateway.store.insert_ciba(&request).await?;
    let audit = |kind, authenticator: Option<&str>, detail: serde_json::Value| NewEntry {
        at_ms: created_ms,
        kind,
        user: Some(user.id.clone()),
        sp: Some(client.client_id.clone()),
        authenticator: authenticator.map(str::to_owned),
        detail: detail.to_string(),
    };
    gateway
        .store
        .append_audit(audit(
            EntryKind::AuthorizationRequest,
            None,
            json!({"flow": "ciba", "mode": mode.name(), "scope": scope.join(" "),
                   "binding_message": binding_message}),
        ))
        .await?;
    gateway
        .store
        .append_audit(audit(
            EntryKind::PromptSent,
            Some(sent.authenticator),
            json!({"prompt": sent.prompt.text, "encoding": sent.prompt.encoding,
                   "units": sent.prompt.units}),
        ))
        .await?;
    Ok(BackchannelAuthorized {
        auth_req_id,
        expires_in: expiry_s,
        interval: mode.interval_s(),
    })
}

/// The requested scope ([`rules::requested_scope`] against this gateway's catalog).
pub(crate) fn requested_scope(
    gateway: &Gateway,
    client: &Client,
    params: &HashMap<String, String>,
) -> Result<Vec<String>, OAuthError> {
    rules::requested_scope(&gateway.catalog, client, params)
}

/// Records the user's answer to a CIBA request inside `tx` ("1"/approve moves it to
/// `approved`, else `denied`), with its consent and audit entries stamped `at_ms` (the
/// gateway's time when the answer came in); `false` when the request was no longer pending
/// (answered already).
pub async fn answer_in(
    tx: &mut Tx,
    request: &CibaRequest,
    terms: &ConsentTerms,
    shown: Option<&str>,
    approve: bool,
    at_ms: i64,
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
        prompt: shown.unwrap_or(&request.prompt),
        authenticator: &request.authenticator,
        terms,
    };
    consent::record_answer(tx, &answered, approve, at_ms).await?;
    Ok(true)
}

/// The token endpoint for `grant_type=urn:openid:params:grant-type:ciba` (CIBA §10.1, §11).
pub async fn grant(
    gateway: &Gateway,
    client: &Client,
    params: &HashMap<String, String>,
    jkt: Option<&str>,
) -> Result<TokenResponse, OAuthError> {
    rules::check_registered(client)?;
    let auth_req_id = params
        .get("auth_req_id")
        .ok_or_else(|| OAuthError::invalid_request("auth_req_id is missing"))?;
    let request = match gateway.store.ciba(&token_hash(auth_req_id)).await? {
        Some(r) if r.client_id == client.client_id => r,
        _ => return Err(rules::unknown_or_used()),
    };
    let now = gateway.now_ms();
    rules::check_pollable(
        &request.status,
        &request.delivery_mode,
        request.expires_ms,
        now,
    )?;
    if !gateway.store.record_poll(&request, now).await? {
        return Err(rules::slow_down());
    }
    rules::check_answered(&request.status)?;
    let consent_id = consent::consent_of_request(gateway, &request.auth_req_hash).await?;
    // The answer commits the request's state and its consent together (`answer_in`), so an
    // approved request without its consent can only come from a gateway before that change,
    // killed between the two (found by tests/scale_out.rs). Tokens issued for it would be
    // refused at once by the resource server: issue none, so the SP waits until the request
    // expires. The tests check the invariant on the database itself, not through this guard.
    let Some(consent) = gateway.store.consent(&consent_id).await? else {
        return Err(OAuthError::bad_request(
            "authorization_pending",
            "the user's answer is still being recorded",
        ));
    };
    // Single use: only the poll that moves approved → issued gets the tokens.
    if !gateway
        .store
        .transition_ciba(&request.auth_req_hash, "approved", "issued")
        .await?
    {
        return Err(rules::unknown_or_used());
    }
    let issued = Issue {
        user_id: &request.user_id,
        // The grant's services: what was asked, or with a merge what the grant now gives.
        scope: &consent.scope,
        authenticator: &request.authenticator,
        nonce: None,
        grant: "ciba",
        request_hash: &request.auth_req_hash,
        family: None,
        auth_req_id: None,
        consent_id: Some(&consent_id),
        auth_time_ms: consent.granted_ms,
        jkt,
    };
    Ok(issue_tokens(gateway, client, &issued, now).await?.body)
}
