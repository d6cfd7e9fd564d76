//! Operator commands: audit verification, the SP blacklist, SP registration, users'
//! authenticators, users' reports of SPs.

use crate::base::clock::now_ms;
use crate::store::{Client, Store, StoreError};
use assent_audit::{AuditError, EntryKind, Head, NewEntry};

#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("audit trail broken: {0}")]
    Audit(#[from] AuditError),
    #[error("no SP with client_id {0}")]
    UnknownClient(String),
    #[error("no user with this number")]
    UnknownUser,
    #[error("invalid client registration: {0}")]
    Registration(String),
    #[error("unknown authenticator {0} (known: ussd, sms; app comes with a registered device)")]
    UnknownAuthenticator(String),
    #[error("this number is not locked")]
    NotLocked,
}

/// An SP registration, in the metadata names of RFC 7591 and CIBA §4 where they exist.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Registration {
    pub client_id: String,
    /// Absent for an SP that authenticates with `private_key_jwt` only.
    #[serde(default)]
    pub client_secret: Option<String>,
    pub client_name: String,
    pub grant_types: Vec<String>,
    /// Space-separated (RFC 7591 §2).
    pub scope: String,
    #[serde(default)]
    pub redirect_uris: Vec<String>,
    #[serde(default)]
    pub backchannel_token_delivery_mode: Option<String>,
    #[serde(default)]
    pub backchannel_client_notification_endpoint: Option<String>,
    /// The SP's public keys (RFC 7591 §2 `jwks`).
    #[serde(default)]
    pub jwks: Option<serde_json::Value>,
    /// `long_lived`, `one_time`, `transactional` or `generic` (MC_ATTR_18).
    pub token_policy: String,
    pub token_ttl_seconds: i64,
    /// An operator's resource server (introspects any access token).
    #[serde(default)]
    pub resource_server: bool,
}

const GRANT_TYPES: &[&str] = &[
    "authorization_code",
    "client_credentials",
    "refresh_token",
    crate::flows::ciba::CIBA_GRANT,
];
const TOKEN_POLICIES: &[&str] = &["long_lived", "one_time", "transactional", "generic"];

impl Registration {
    /// Checks the registration and turns it into a stored SP (secret hashed).
    pub fn into_client(self) -> Result<Client, AdminError> {
        let bad = |m: String| Err(AdminError::Registration(m));
        let id_ok = !self.client_id.is_empty()
            && self.client_id.len() <= 64
            && self
                .client_id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._".contains(&b));
        if !id_ok {
            return bad("client_id must be 1 to 64 of A-Z a-z 0-9 - . _".into());
        }
        if self.client_name.trim().is_empty() {
            return bad("client_name is empty".into());
        }
        if let Some(g) = self
            .grant_types
            .iter()
            .find(|g| !GRANT_TYPES.contains(&g.as_str()))
        {
            return bad(format!("grant type {g} is not supported"));
        }
        if !TOKEN_POLICIES.contains(&self.token_policy.as_str()) {
            return bad(format!(
                "token_policy must be one of {}",
                TOKEN_POLICIES.join(", ")
            ));
        }
        if self.token_ttl_seconds <= 0 {
            return bad("token_ttl_seconds must be positive".into());
        }
        let scopes: Vec<String> = self.scope.split_whitespace().map(str::to_owned).collect();
        if scopes.is_empty() && !self.resource_server {
            return bad("scope is empty".into());
        }
        for uri in &self.redirect_uris {
            if !(uri.starts_with("https://") || uri.starts_with("http://127.0.0.1:"))
                || uri.contains('#')
            {
                return bad(format!(
                    "redirect URI {uri} must be https (or loopback http) without a fragment"
                ));
            }
        }
        let mode = self.backchannel_token_delivery_mode.clone();
        let endpoint = self.backchannel_client_notification_endpoint.clone();
        match (mode.as_deref(), &endpoint) {
            (None | Some("poll"), None) => {}
            (Some("ping" | "push"), Some(e)) if e.starts_with("https://") && !e.contains('#') => {}
            (Some("ping" | "push"), _) => {
                return bad("ping and push need an https backchannel_client_notification_endpoint (CIBA §4)".into());
            }
            (None | Some("poll"), Some(_)) => {
                return bad("a notification endpoint is for ping and push modes only".into());
            }
            (Some(other), _) => return bad(format!("unknown delivery mode {other}")),
        }
        let jwks = match &self.jwks {
            None => None,
            Some(value) => {
                let set: jsonwebtoken::jwk::JwkSet = serde_json::from_value(value.clone())
                    .map_err(|e| AdminError::Registration(format!("jwks: {e}")))?;
                if set.keys.is_empty() {
                    return bad("jwks holds no key".into());
                }
                Some(value.to_string())
            }
        };
        let secret_hash = match &self.client_secret {
            Some(secret) if secret.len() >= 8 => crate::base::secrets::hash_secret(secret),
            Some(_) => return bad("client_secret must be at least 8 characters".into()),
            None if jwks.is_some() => String::new(),
            None => return bad("give a client_secret, jwks, or both".into()),
        };
        Ok(Client {
            client_id: self.client_id,
            secret_hash,
            client_name: self.client_name.trim().to_owned(),
            grant_types: self.grant_types,
            scopes,
            redirect_uris: self.redirect_uris,
            delivery_modes: mode.into_iter().collect(),
            token_policy: self.token_policy,
            token_ttl_seconds: self.token_ttl_seconds,
            blacklisted: false,
            notification_endpoint: endpoint,
            jwks,
            resource_server: self.resource_server,
        })
    }
}

/// Registers (or updates) an SP from its registration JSON; audited.
pub async fn register_client(store: &Store, json: &str) -> Result<Client, AdminError> {
    let registration: Registration =
        serde_json::from_str(json).map_err(|e| AdminError::Registration(e.to_string()))?;
    let client = registration.into_client()?;
    store.upsert_client(&client).await?;
    audit_admin(store, None, Some(&client.client_id), "client_registered").await?;
    Ok(client)
}

/// Sets the authenticators of the user with this number (MC_ATTR_04), most preferred first.
pub async fn set_authenticators(
    store: &Store,
    msisdn: &str,
    authenticators: &[String],
) -> Result<(), AdminError> {
    if let Some(unknown) = authenticators
        .iter()
        // `app` comes with a registered device, never by hand.
        .find(|a| !["ussd", "sms"].contains(&a.as_str()))
    {
        return Err(AdminError::UnknownAuthenticator(unknown.clone()));
    }
    let msisdn = crate::base::msisdn::normalize_msisdn(msisdn).ok_or(AdminError::UnknownUser)?;
    let user = store
        .user_by_msisdn(&msisdn)
        .await?
        .ok_or(AdminError::UnknownUser)?;
    store.set_authenticators(&msisdn, authenticators).await?;
    audit_admin(store, Some(&user.id), None, "authenticators_set").await?;
    Ok(())
}

/// Unlocks a number the ACME server locked after too many failed answers; audited.
pub async fn acme_unlock(store: &Store, msisdn: &str) -> Result<(), AdminError> {
    let number = crate::base::msisdn::normalize_msisdn(msisdn).ok_or(AdminError::NotLocked)?;
    if !store.acme_unlock(&number).await? {
        return Err(AdminError::NotLocked);
    }
    let user = store.user_by_msisdn(&number).await?.map(|u| u.id);
    audit_admin(store, user.as_deref(), None, "acme_number_unlocked").await?;
    Ok(())
}

async fn audit_admin(
    store: &Store,
    user: Option<&str>,
    sp: Option<&str>,
    action: &str,
) -> Result<(), StoreError> {
    store
        .append_audit(NewEntry {
            at_ms: now_ms(),
            kind: EntryKind::Admin,
            user: user.map(str::to_owned),
            sp: sp.map(str::to_owned),
            authenticator: None,
            detail: serde_json::json!({ "action": action }).to_string(),
        })
        .await?;
    Ok(())
}

/// `admin audit list`: the entries of the whole trail matching `filter`, as the operator
/// reads them (see [`Store::audit_list`]); at most 10,000.
pub async fn list_audit(
    store: &Store,
    filter: &crate::store::AuditFilter,
    limit: u32,
) -> Result<Vec<assent_audit::AuditEntry>, AdminError> {
    Ok(store
        .audit_list(filter, i64::from(limit.clamp(1, 10_000)))
        .await?)
}

/// Verifies the whole audit trail page by page; returns the number of entries and the head.
pub async fn verify_audit(store: &Store) -> Result<Head, AdminError> {
    const PAGE: u32 = 10_000;
    let mut head = Head::GENESIS;
    loop {
        let page = store.audit_page(head.seq, PAGE).await?;
        if page.is_empty() {
            return Ok(head);
        }
        head = assent_audit::verify_trail(&page, head)?;
    }
}

/// Adds an SP to the blacklist (or removes it), recording who did what in the audit trail.
pub async fn set_blacklisted(store: &Store, client_id: &str, on: bool) -> Result<(), AdminError> {
    if !store.set_blacklisted(client_id, on).await? {
        return Err(AdminError::UnknownClient(client_id.to_owned()));
    }
    let action = if on {
        "blacklist_add"
    } else {
        "blacklist_remove"
    };
    store
        .append_audit(NewEntry {
            at_ms: now_ms(),
            kind: EntryKind::Admin,
            user: None,
            sp: Some(client_id.to_owned()),
            authenticator: None,
            detail: serde_json::json!({ "action": action }).to_string(),
        })
        .await?;
    Ok(())
}
