//! The token endpoint (RFC 6749 §3.2), introspection (RFC 7662) and revocation (RFC 7009),
//! for a client the HTTP layer has authenticated.
//!
//! Grants: `client_credentials` (MC Client Credentials, seed 003): generic tokens that name
//! no user, for SPs registered for it, never with the `openid` scope; CIBA, authorization
//! code and refresh in their own flows.

use crate::base::ids::{new_token, token_hash};
use crate::flows::Gateway;
use crate::flows::client_auth::Authenticated;
use crate::flows::client_auth::audit_refusal;
use crate::flows::dpop::TokenProof;
use crate::flows::issue::TokenResponse;
use crate::rules::oauth::{OAuthError, OAuthErrorKind, check_granted, scope_param};
use crate::rules::{grant_management, introspection};
use crate::store::{Client, Epoch, Record, Recorded, TokenRecord};
use assent_audit::{EntryKind, NewEntry};
use serde_json::json;
use std::collections::HashMap;

/// A blacklisted SP gets nothing at any endpoint that authenticates it (`/token`,
/// `/introspect`, `/revoke`): 400 `unauthorized_client`, audited.
async fn refuse_blacklisted(
    gateway: &Gateway,
    client: &Client,
    endpoint: &str,
) -> Result<(), OAuthError> {
    if client.blacklisted {
        audit_refusal(gateway, client, None, endpoint, "blacklisted").await?;
        return Err(OAuthError::bad_request(
            "unauthorized_client",
            "this SP may not use the gateway",
        ));
    }
    Ok(())
}

/// The token endpoint's grants (RFC 6749 §4.1.3, §4.4, §6; CIBA §10.1) for `client`, by
/// `grant_type`. A blacklisted SP gets nothing, whatever it asks (audited, MC_ATTR_31).
pub async fn grant(
    gateway: &Gateway,
    client: &Client,
    params: &HashMap<String, String>,
) -> Result<TokenResponse, OAuthError> {
    grant_proven(gateway, client, params, &mut TokenProof::none()).await
}

/// [`grant`] with the request's DPoP proof (RFC 9449 §5): the access token is bound to its
/// key; an SP registered with `dpop_bound_access_tokens` gets nothing without one.
pub async fn grant_proven(
    gateway: &Gateway,
    client: &Client,
    params: &HashMap<String, String>,
    proof: &mut TokenProof<'_>,
) -> Result<TokenResponse, OAuthError> {
    refuse_blacklisted(gateway, client, "token").await?;
    let jkt = proof.jkt(gateway, client).await?;
    let jkt = jkt.as_deref();
    match params.get("grant_type").map(String::as_str) {
        Some("client_credentials") => {
            match client_credentials(gateway, client, params, None, jkt).await? {
                Granted::Issued(issued) => Ok(issued),
                // Unguarded records are never stale.
                Granted::ReadAgain => Err(OAuthError::server_error()),
            }
        }
        Some(crate::flows::ciba::CIBA_GRANT) => {
            crate::flows::ciba::grant(gateway, client, params, jkt).await
        }
        Some("authorization_code") => {
            crate::flows::code_flow::grant(gateway, client, params, jkt).await
        }
        Some("refresh_token") => crate::flows::refresh::grant(gateway, client, params, jkt).await,
        Some(other) => Err(OAuthError::bad_request(
            "unsupported_grant_type",
            format!("grant_type {other} is not supported here"),
        )),
        None => Err(OAuthError::invalid_request("grant_type is missing")),
    }
}

/// What a grant on read copies came to.
#[derive(Debug)]
pub enum Granted {
    Issued(TokenResponse),
    /// The client was read from a copy that may be stale (it was refused on it, or its
    /// record found the database moved): nothing was issued; authenticate again on fresh
    /// reads.
    ReadAgain,
}

/// The token endpoint's `client_credentials` grant for a client authenticated on reads of
/// `client.read_at` ([`crate::store::cache`]): the token is written only if that epoch still
/// holds (`guarded`), so a blacklisting or a change of the SP made a moment ago by anyone
/// takes effect on this request. Every other grant is served by [`grant`] on fresh reads.
pub async fn grant_client_credentials(
    gateway: &Gateway,
    client: &Authenticated,
    params: &HashMap<String, String>,
    guarded: bool,
    proof: &mut TokenProof<'_>,
) -> Result<Granted, OAuthError> {
    if client.copied && client.client.blacklisted {
        // A copy never refuses: decided again on fresh reads.
        return Ok(Granted::ReadAgain);
    }
    refuse_blacklisted(gateway, &client.client, "token").await?;
    let read_at = client.read_at.filter(|_| guarded);
    let jkt = proof.jkt(gateway, &client.client).await?;
    let granted =
        client_credentials(gateway, &client.client, params, read_at, jkt.as_deref()).await;
    match granted {
        // A refusal decided on a copy is decided again on fresh reads. A database that
        // failed is answered as it is: asking it again would only double the wait (a
        // PostgreSQL out of reach took two connection timeouts to answer 503).
        Err(e) if client.copied && e.kind == OAuthErrorKind::Request => Ok(Granted::ReadAgain),
        other => other,
    }
}

/// The scopes of the SP-facing endpoints `client` is registered for (Grant Management's
/// query and revoke, Shared Signals' `ssf`): never part of a user's consent.
fn endpoint_scopes(client: &Client) -> Vec<&'static str> {
    let mut scopes = Vec::new();
    if client.grant_management {
        scopes.extend_from_slice(grant_management::SCOPES);
    }
    if client.ssf {
        scopes.push(crate::rules::ssf::SCOPE);
    }
    scopes
}

/// `grant_type=client_credentials` (RFC 6749 §4.4, seed 003 §2.1): a generic token for the
/// requested scopes (all the SP's when none is named), living the SP's token lifetime,
/// written only if the read epoch is still `read_at` (when given).
async fn client_credentials(
    gateway: &Gateway,
    client: &Client,
    params: &HashMap<String, String>,
    read_at: Option<Epoch>,
    jkt: Option<&str>,
) -> Result<Granted, OAuthError> {
    let named = scope_param(params);
    // An SP registered for Grant Management or Shared Signals gets their scopes by client
    // credentials whether or not it is registered for that grant otherwise.
    let endpoint_scopes = endpoint_scopes(client);
    let management = named
        .as_deref()
        .is_some_and(|named| grant_management::endpoint_scopes_only(named, &endpoint_scopes));
    if !management && !client.grant_types.iter().any(|g| g == "client_credentials") {
        return Err(OAuthError::bad_request(
            "unauthorized_client",
            "this SP is not registered for client_credentials",
        ));
    }
    let requested = named.unwrap_or_else(|| client.scopes.clone());
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
    let mut permitted = client.scopes.clone();
    permitted.extend(endpoint_scopes.iter().map(|s| (*s).to_owned()));
    check_granted(&permitted, &requested)?;
    let token = new_token();
    let issued_ms = gateway.now_ms();
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
        jkt: jkt.map(str::to_owned),
    };
    // The token and its audit entry are one record: written together (one commit, one fsync
    // on SQLite shared with every request waiting), and no token exists without its entry.
    let record = Record {
        read_at,
        entries: vec![NewEntry {
            at_ms: issued_ms,
            kind: EntryKind::TokenIssued,
            user: None,
            sp: Some(client.client_id.clone()),
            authenticator: None,
            detail: json!({"grant": "client_credentials", "scope": requested.join(" "),
                               "policy": "generic", "expires_in": client.token_ttl_seconds})
            .to_string(),
        }],
        tokens: vec![record],
        notifications: Vec::new(),
    };
    match gateway.store.record(record).await? {
        Recorded::Durable => {}
        Recorded::Stale { now } => {
            gateway.reads.learn(now);
            return Ok(Granted::ReadAgain);
        }
    }
    Ok(Granted::Issued(TokenResponse {
        access_token: token,
        token_type: crate::flows::issue::token_type(jkt).into(),
        expires_in: client.token_ttl_seconds,
        scope: requested.join(" "),
        id_token: None,
        refresh_token: None,
        grant_id: None,
    }))
}

/// What introspection tells the caller about a token (RFC 7662 §2.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Introspection {
    /// Unknown, not the caller's, or no longer good: the caller learns nothing more.
    Inactive,
    Active(ActiveToken),
}

/// A token that grants access now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActiveToken {
    pub scope: Vec<String>,
    pub client_id: String,
    pub issued_ms: i64,
    pub expires_ms: i64,
    /// RFC 9449 §6.2: the thumbprint of the key a DPoP-bound token is bound to.
    pub jkt: Option<String>,
    /// For the operator's resource servers only: what they need to serve the token.
    pub for_resource_server: Option<ResourceServerView>,
}

/// What a resource server learns beyond RFC 7662's members.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceServerView {
    /// The user's opaque id; `None` for a generic (client credentials) token.
    pub user_id: Option<String>,
    /// The token's policy (MC_ATTR_18): `long_lived`, `one_time`, `transactional`, `generic`.
    pub policy: String,
    /// Attributes the user withdrew from the token's consent: the resource server answers
    /// them empty.
    pub withheld: Vec<String>,
}

/// RFC 7662: an SP learns only about its own tokens: anyone else's token is simply inactive,
/// so introspection cannot be used to probe tokens. The operator's resource servers
/// (registered with `resource_server`) may introspect any access token.
pub async fn introspect(
    gateway: &Gateway,
    client: &Client,
    token: &str,
) -> Result<Introspection, OAuthError> {
    refuse_blacklisted(gateway, client, "introspect").await?;
    let now = gateway.now_ms();
    let record = match gateway.store.token(&token_hash(token)).await? {
        Some(t)
            if t.client_id == client.client_id
                || (client.resource_server && t.kind == "access") =>
        {
            match crate::flows::resource::refusal(gateway, &t, now).await? {
                None => t,
                Some(_) => return Ok(Introspection::Inactive),
            }
        }
        _ => return Ok(Introspection::Inactive),
    };
    let withheld = match (&record.consent_id, client.resource_server) {
        (Some(id), true) => gateway
            .store
            .consent(id)
            .await?
            .map(|c| c.withdrawn)
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    Ok(Introspection::Active(ActiveToken {
        for_resource_server: client.resource_server.then_some(ResourceServerView {
            user_id: record.user_id,
            policy: record.policy,
            withheld,
        }),
        scope: record.scope,
        client_id: record.client_id,
        issued_ms: record.issued_ms,
        expires_ms: record.expires_ms,
        jkt: record.jkt,
    }))
}

/// RFC 9701: `answer` (the RFC 7662 members) as a JWT for `client`, the authenticated
/// caller, signed with the gateway's key now.
pub fn signed_introspection(
    gateway: &Gateway,
    client: &Client,
    answer: serde_json::Value,
) -> Result<String, OAuthError> {
    let claims = introspection::claims(
        &gateway.issuer,
        &client.client_id,
        gateway.now_ms().div_euclid(1000),
        answer,
    );
    introspection::sign(&gateway.keys, &claims).map_err(|e| {
        tracing::error!(error = %e, "introspection signing");
        OAuthError::server_error()
    })
}

/// RFC 7009: the client's own token is revoked (audited); anyone else's, or an unknown one,
/// is left as it is without saying so (§2.2: the answer is the same).
pub async fn revoke(gateway: &Gateway, client: &Client, token: &str) -> Result<(), OAuthError> {
    refuse_blacklisted(gateway, client, "revoke").await?;
    let hash = token_hash(token);
    let Some(found) = gateway.store.token(&hash).await? else {
        return Ok(());
    };
    // The revocation and its audit entry commit together; a token that is not the
    // client's, or already revoked, changes nothing.
    let mut tx = gateway.store.begin().await?;
    if !tx.revoke_token(&hash, &client.client_id).await? {
        return Ok(());
    }
    // RFC 7009 §2.1: a refresh token takes the access tokens of its grant with it (its
    // family: every token issued from the same authorization, refreshes included). An
    // access token alone leaves the refresh token, as the RFC allows.
    let also = match (&found.kind[..], &found.family) {
        ("refresh", Some(family)) => tx.revoke_family(family).await?,
        _ => 0,
    };
    tx.append_audit(NewEntry {
        at_ms: gateway.now_ms(),
        kind: EntryKind::Revocation,
        user: found.user_id,
        sp: Some(client.client_id.clone()),
        authenticator: None,
        detail: json!({"by": "sp", "token": &hash[..16], "revoked": also}).to_string(),
    })
    .await?;
    tx.commit().await?;
    Ok(())
}
