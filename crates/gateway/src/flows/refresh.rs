//! `grant_type=refresh_token` (RFC 6749 §6) with rotation: every use replaces the refresh
//! token, and a refresh token presented twice revokes its whole family — the legitimate
//! client and the thief cannot both keep going (OAuth 2.0 Security BCP, RFC 9700 §4.14.2).

use crate::base::ids::token_hash;
use crate::flows::Gateway;
use crate::flows::issue::{Issue, TokenResponse, issue_tokens_in};
use crate::rules::oauth::OAuthError;
use crate::store::Client;
use assent_audit::{EntryKind, NewEntry};
use std::collections::HashMap;

/// `grant_type=refresh_token`: a new access token and a new refresh token for the presented
/// one, which is spent; a refresh token presented again revokes every token of its family.
pub async fn grant(
    gateway: &Gateway,
    client: &Client,
    params: &HashMap<String, String>,
    jkt: Option<&str>,
) -> Result<TokenResponse, OAuthError> {
    let presented = params
        .get("refresh_token")
        .ok_or_else(|| OAuthError::invalid_request("refresh_token is missing"))?;
    let invalid_grant =
        || OAuthError::bad_request("invalid_grant", "unknown, expired or revoked refresh token");
    let hash = token_hash(presented);
    let token = match gateway.store.token(&hash).await? {
        Some(t) if t.kind == "refresh" && t.client_id == client.client_id => t,
        _ => return Err(invalid_grant()),
    };
    let (Some(family), Some(user_id)) = (token.family.clone(), token.user_id.clone()) else {
        return Err(invalid_grant());
    };
    // The new scope may narrow the old one, never widen it (RFC 6749 §6). Checked before the
    // token is claimed, so a bad request does not burn a good token.
    let scope = crate::rules::oauth::scope_param(params).unwrap_or_else(|| token.scope.clone());
    if scope.is_empty() || scope.iter().any(|s| !token.scope.contains(s)) {
        return Err(OAuthError::bad_request(
            "invalid_scope",
            "a refresh cannot widen the scope",
        ));
    }
    let now = gateway.now_ms();
    if !token.revoked && token.expires_ms <= now {
        return Err(invalid_grant());
    }
    // The consent behind the grant may have been revoked by the user since. Its grant is
    // when the user authenticated, which a refresh does not repeat (OIDC Core §12.2).
    let consent = match &token.consent_id {
        Some(id) => gateway.store.consent(id).await?,
        None => None,
    };
    // Its end, too: a consent past its lifetime buys no more tokens.
    let Some(consent) =
        consent.filter(|c| crate::rules::consent::in_force(c.revoked_ms, c.expires_ms, now))
    else {
        return Err(invalid_grant());
    };
    // Claim it and issue its successor in one transaction: only one presentation may
    // succeed, and a concurrent one that finds the token claimed revokes the family only
    // after the successor is written (it waits for this transaction), so the successor is
    // revoked with the rest. A revoked one here means reuse.
    let issue = Issue {
        user_id: &user_id,
        scope: &scope,
        authenticator: "refresh",
        nonce: None,
        grant: "refresh_token",
        request_hash: &family,
        family: Some(&family),
        auth_req_id: None,
        consent_id: token.consent_id.as_deref(),
        auth_time_ms: consent.granted_ms,
        jkt,
    };
    if !token.revoked {
        let mut tx = gateway.store.begin().await?;
        if tx.revoke_token(&hash, &client.client_id).await? {
            let issued = issue_tokens_in(&mut tx, gateway, client, &issue, now).await?;
            tx.commit().await?;
            return Ok(issued.body);
        }
    }
    let revoked = gateway.store.revoke_family(&family).await?;
    gateway
        .store
        .append_audit(NewEntry {
            at_ms: now,
            kind: EntryKind::Revocation,
            user: Some(user_id),
            sp: Some(client.client_id.clone()),
            authenticator: None,
            detail: serde_json::json!({"by": "gateway", "reason": "refresh_token_reused", "revoked": revoked})
                .to_string(),
        })
        .await?;
    Err(invalid_grant())
}
