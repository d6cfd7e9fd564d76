//! Grant Management for OAuth 2.0 (FAPI, draft 03), the SP's side of a user's consent: an SP
//! registered for it queries (§5) and revokes (§6) the grants its users gave it, with a
//! client-credentials token of the management scope. A grant is the user's consent, by the
//! id the token response's `grant_id` and the user's app name it with. Revoking ends it as
//! the user's revoke does: the tokens bought with it die at once, with a withdrawal receipt,
//! and the user's history says the SP ended it.

use crate::base::clock::rfc3339;
use crate::flows::Gateway;
use crate::flows::client_auth::{BearerRefusal, client_credentials_bearer};
use crate::flows::consent::{EndedBy, end_consent, given_attributes};
use crate::rules::grant_management::Action;
use crate::store::{Client, Consent, StoreError};

/// Why a management call was refused.
#[derive(Debug, thiserror::Error)]
pub enum GrantError {
    /// No bearer token, or one that is unknown, expired, revoked, or not a client-credentials
    /// token of an SP registered for Grant Management (RFC 6750 §3.1 `invalid_token`).
    #[error("the access token is not valid here")]
    InvalidToken,
    /// A good token without the action's scope (RFC 6750 §3.1 `insufficient_scope`).
    #[error("the access token lacks scope {0}")]
    InsufficientScope(&'static str),
    /// No grant of the caller's in force by that id: unknown, another SP's, or ended. The
    /// same answer for all three, so the endpoint tells nothing about others' grants.
    #[error("no such grant")]
    NotFound,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A grant as its SP sees it (§5.1): what it covers and since when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantView {
    pub grant_id: String,
    /// The services (scopes) the user consented to.
    pub scopes: Vec<String>,
    /// The attributes (claims) the grant gives now: what the services cover less what the
    /// user withdrew.
    pub claims: Vec<String>,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339; `None` for a grant without an end of its own.
    pub expires_at: Option<String>,
    /// MC_ATTR_18: `long_lived`, `one_time` or `transactional`.
    pub kind: String,
}

/// §5: the caller's grant `grant_id`, for a bearer of the query scope.
pub async fn query(
    gateway: &Gateway,
    bearer: &str,
    grant_id: &str,
) -> Result<GrantView, GrantError> {
    let client = authorized(gateway, bearer, Action::Query).await?;
    let consent = own_grant(gateway, &client, grant_id).await?;
    let claims = given_attributes(gateway, &consent);
    Ok(GrantView {
        grant_id: consent.id,
        scopes: consent.scope,
        claims,
        created_at: rfc3339(consent.granted_ms),
        expires_at: consent.expires_ms.map(rfc3339),
        kind: consent.kind,
    })
}

/// §6: ends the caller's grant `grant_id` and every token bought with it, for a bearer of
/// the revoke scope.
pub async fn revoke(gateway: &Gateway, bearer: &str, grant_id: &str) -> Result<(), GrantError> {
    let client = authorized(gateway, bearer, Action::Revoke).await?;
    let consent = own_grant(gateway, &client, grant_id).await?;
    // Ended meanwhile by the user, an expiry or another call: not found, as it is now.
    if !end_consent(gateway, &consent, EndedBy::Sp).await? {
        return Err(GrantError::NotFound);
    }
    Ok(())
}

/// The SP behind `bearer`, when the token may do `action` now (an SP registered for Grant
/// Management, with the action's scope: [`client_credentials_bearer`]).
async fn authorized(gateway: &Gateway, bearer: &str, action: Action) -> Result<Client, GrantError> {
    client_credentials_bearer(gateway, bearer, action.scope(), |c| c.grant_management)
        .await
        .map_err(|refusal| match refusal {
            BearerRefusal::InvalidToken => GrantError::InvalidToken,
            BearerRefusal::InsufficientScope(scope) => GrantError::InsufficientScope(scope),
            BearerRefusal::Store(error) => GrantError::Store(error),
        })
}

/// The consent `grant_id` if it is `client`'s and in force now.
async fn own_grant(
    gateway: &Gateway,
    client: &Client,
    grant_id: &str,
) -> Result<Consent, GrantError> {
    gateway
        .store
        .consent(grant_id)
        .await?
        .filter(|c| {
            c.client_id == client.client_id
                && crate::rules::consent::in_force(c.revoked_ms, c.expires_ms, gateway.now_ms())
        })
        .ok_or(GrantError::NotFound)
}

/// §4.1: whether a request of `client_id` for `user_id` may change grant `grant_id`: it is
/// that SP's grant of that user, in force. Anything else is `invalid_grant_id`, whoever's it
/// is (the answer tells nothing about others' grants).
pub async fn changeable(
    gateway: &Gateway,
    client_id: &str,
    user_id: &str,
    grant_id: &str,
) -> Result<bool, StoreError> {
    let now = gateway.now_ms();
    Ok(gateway.store.consent(grant_id).await?.is_some_and(|c| {
        c.client_id == client_id
            && c.user_id == user_id
            && crate::rules::consent::in_force(c.revoked_ms, c.expires_ms, now)
    }))
}
