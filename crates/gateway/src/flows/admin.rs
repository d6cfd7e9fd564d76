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
    #[error("{0}")]
    BadField(String),
    #[error("the user has no consent in force to {0}")]
    NoConsent(String),
    #[error("invalid client registration: {0}")]
    Registration(String),
    #[error("unknown authenticator {0} (known: ussd, sms; app comes with a registered device)")]
    UnknownAuthenticator(String),
    #[error("this number is not locked")]
    NotLocked,
    #[error("no device {0} (or it is revoked already)")]
    UnknownDevice(String),
    #[error("audit trail does not reach its checkpoints: {0}")]
    Checkpoint(#[from] assent_audit::CheckpointError),
    #[error("{path}: {source}")]
    CheckpointFile {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}, line {line}: {error}")]
    BadCheckpoint {
        path: String,
        line: usize,
        error: crate::rules::checkpoint::CheckpointError,
    },
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
    /// Grant Management for OAuth 2.0: the SP may query and revoke its users' grants
    /// (`/grants/{grant_id}`), with client-credentials tokens of the management scopes.
    #[serde(default)]
    pub grant_management: bool,
    /// RFC 9126 §6: authorization requests only through `/par`.
    #[serde(default)]
    pub require_pushed_authorization_requests: bool,
    /// Shared Signals (SSF 1.0): the SP may manage an event stream and poll it, with
    /// client-credentials tokens of scope `ssf`.
    #[serde(default)]
    pub ssf: bool,
    /// The https URLs the SP's stream may push events to (RFC 8935); none: poll only.
    #[serde(default)]
    pub ssf_push_endpoints: Vec<String>,
    /// RFC 9449 §5.2: the SP's access tokens are DPoP-bound, always.
    #[serde(default)]
    pub dpop_bound_access_tokens: bool,
}

const GRANT_TYPES: &[&str] = &[
    "authorization_code",
    "client_credentials",
    "refresh_token",
    crate::flows::ciba::CIBA_GRANT,
];
const TOKEN_POLICIES: &[&str] = &["long_lived", "one_time", "transactional", "generic"];

/// MC_ATTR_11: an SP's name is at most 16 bytes.
pub const CLIENT_NAME_MAX_BYTES: usize = 16;
/// A client secret is guessed online at most as fast as failed authentications are let
/// through; 32 random characters put it out of reach whatever the rate (RFC 6819 §5.1.4.2.2).
pub const CLIENT_SECRET_MIN_CHARS: usize = 32;

/// A redirect URI as registered (RFC 6749 §3.1.2, RFC 9700 §4.1): an absolute https URL, or
/// http to a loopback address (RFC 8252 §7.3); no user information (which would let
/// `http://127.0.0.1:80@evil.example/` pass a prefix check), no fragment. Compared exactly
/// at `/authorize`.
fn check_redirect_uri(uri: &str) -> Result<(), String> {
    let bad = |why: &str| Err(format!("redirect URI {uri}: {why}"));
    // Registered URIs are kept space-separated: one with a space in it would be two.
    if uri.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return bad("white space or control characters are not allowed");
    }
    let Ok(url) = reqwest::Url::parse(uri) else {
        return bad("not an absolute URL");
    };
    if !url.username().is_empty() || url.password().is_some() {
        return bad("user information is not allowed");
    }
    if url.fragment().is_some() || uri.contains('#') {
        return bad("a fragment is not allowed");
    }
    let loopback = url
        .host_str()
        .map(|host| host.trim_start_matches('[').trim_end_matches(']'))
        .and_then(|host| host.parse::<std::net::IpAddr>().ok())
        .is_some_and(|ip| ip.is_loopback());
    match url.scheme() {
        "https" if url.host_str().is_some_and(|h| !h.is_empty()) => Ok(()),
        "http" if loopback => Ok(()),
        _ => bad("must be https, or http to a loopback address"),
    }
}

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
        let name = self.client_name.trim();
        if name.is_empty() {
            return bad("client_name is empty".into());
        }
        // MC_ATTR_11: the SP's name in a prompt is at most 16 bytes (it must fit a USSD line
        // beside the question).
        if name.len() > CLIENT_NAME_MAX_BYTES {
            return bad(format!(
                "client_name is {} bytes; at most {CLIENT_NAME_MAX_BYTES} (MC_ATTR_11)",
                name.len()
            ));
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
            check_redirect_uri(uri).map_err(AdminError::Registration)?;
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
        for endpoint in &self.ssf_push_endpoints {
            crate::rules::ssf::check_push_endpoint(endpoint)
                .map_err(|e| AdminError::Registration(format!("ssf_push_endpoints: {e}")))?;
        }
        // CIBA push delivers tokens the SP asked for with no request of its own: there is no
        // proof to bind them to.
        if self.dpop_bound_access_tokens && mode.as_deref() == Some("push") {
            return bad("DPoP-bound access tokens cannot be delivered in CIBA push mode".into());
        }
        if !self.ssf && !self.ssf_push_endpoints.is_empty() {
            return bad("ssf_push_endpoints are for an SP registered with \"ssf\": true".into());
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
            Some(secret) if secret.chars().count() >= CLIENT_SECRET_MIN_CHARS => {
                crate::base::secrets::hash_secret(secret)
            }
            Some(_) => {
                return bad(format!(
                    "client_secret must be at least {CLIENT_SECRET_MIN_CHARS} characters \
                     (a random one: it is the SP's password)"
                ));
            }
            None if jwks.is_some() => String::new(),
            None => return bad("give a client_secret, jwks, or both".into()),
        };
        Ok(Client {
            client_id: self.client_id,
            secret_hash,
            client_name: name.to_owned(),
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
            grant_management: self.grant_management,
            require_par: self.require_pushed_authorization_requests,
            ssf: self.ssf,
            ssf_push_endpoints: self.ssf_push_endpoints,
            dpop_bound: self.dpop_bound_access_tokens,
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
    let user = subscriber(store, msisdn).await?;
    store
        .set_authenticators(&user.msisdn, authenticators)
        .await?;
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

/// The subscriber with this number (E.164, `+` optional), for the operator's commands.
pub async fn subscriber(store: &Store, msisdn: &str) -> Result<crate::store::User, AdminError> {
    let number = crate::base::msisdn::normalize_msisdn(msisdn).ok_or(AdminError::UnknownUser)?;
    store
        .user_by_msisdn(&number)
        .await?
        .ok_or(AdminError::UnknownUser)
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

/// `admin registrations list [MSISDN]`: the device registration attempts (of the user with
/// this number, or everyone's), oldest first, after the refused ones older than
/// `retention_ms` are purged (the rule `serve` applies). An attempt that got no further than
/// an unreadable certificate names no user: it is listed without a number only.
pub async fn registration_attempts(
    store: &Store,
    msisdn: Option<&str>,
    now_ms: i64,
    retention_ms: i64,
) -> Result<Vec<(i64, String, String, Option<String>)>, AdminError> {
    let user = match msisdn {
        Some(msisdn) => {
            let number =
                crate::base::msisdn::normalize_msisdn(msisdn).ok_or(AdminError::UnknownUser)?;
            Some(
                store
                    .user_by_msisdn(&number)
                    .await?
                    .ok_or(AdminError::UnknownUser)?
                    .id,
            )
        }
        None => None,
    };
    store
        .purge_refused_registration_attempts(now_ms - retention_ms)
        .await?;
    Ok(store.registration_attempt_list(user.as_deref()).await?)
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

/// The audit trail as verified: its head, and the checkpoints it was held to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedTrail {
    pub head: Head,
    pub checkpoints: usize,
    /// The latest checkpoint: what it vouches for and when it was signed (seconds).
    pub latest_checkpoint: Option<(Head, i64)>,
}

/// Verifies the whole audit trail page by page, and holds it to every checkpoint: each must
/// be signed by `key` and vouch for an entry the trail has, with that entry's hash.
/// `checkpoints` are `(where it was read, its line, the JWS)`.
pub async fn verify_audit(
    store: &Store,
    key: &jsonwebtoken::DecodingKey,
    checkpoints: &[(String, usize, String)],
) -> Result<VerifiedTrail, AdminError> {
    const PAGE: u32 = 10_000;
    let mut vouched = Vec::with_capacity(checkpoints.len());
    let mut latest: Option<(Head, i64)> = None;
    for (path, line, jws) in checkpoints {
        let (head, claims) = crate::rules::checkpoint::verify(key, jws).map_err(|error| {
            AdminError::BadCheckpoint {
                path: path.clone(),
                line: *line,
                error,
            }
        })?;
        if latest.is_none_or(|(h, _)| h.seq <= head.seq) {
            latest = Some((head, claims.iat));
        }
        vouched.push(head);
    }
    let mut head = Head::GENESIS;
    loop {
        let page = store.audit_page(head.seq, PAGE).await?;
        if page.is_empty() {
            break;
        }
        head = assent_audit::verify_trail(&page, head)?;
        assent_audit::agrees_with_checkpoints(&page, &vouched)?;
    }
    assent_audit::reaches_checkpoints(head, &vouched)?;
    Ok(VerifiedTrail {
        head,
        checkpoints: vouched.len(),
        latest_checkpoint: latest,
    })
}

/// Signs a checkpoint of the trail's head at `now_ms` and appends it to `file`, unless the
/// latest one already vouches for that head (nothing new, or an empty trail). A trail that
/// no longer reaches the latest checkpoint gets none: that is the truncation it exists to
/// show, reported as an error.
pub async fn write_checkpoint(
    store: &Store,
    keys: &crate::base::keys::SigningKeys,
    issuer: &str,
    file: &crate::base::checkpoints::CheckpointFile,
    now_ms: i64,
) -> Result<Option<Head>, AdminError> {
    let Some(head) = store.audit_head().await? else {
        return Ok(None);
    };
    let path = file.path().display().to_string();
    let io = |source| AdminError::CheckpointFile {
        path: path.clone(),
        source,
    };
    let lines = file.read().map_err(io)?;
    if let Some(last) = lines.last() {
        let (latest, _) =
            crate::rules::checkpoint::verify(&keys.decoding, last).map_err(|error| {
                AdminError::BadCheckpoint {
                    path: path.clone(),
                    line: lines.len(),
                    error,
                }
            })?;
        assent_audit::reaches_checkpoints(head, &[latest])?;
        if latest.seq == head.seq {
            if latest.hash != head.hash {
                return Err(assent_audit::CheckpointError::Diverged { seq: head.seq }.into());
            }
            return Ok(None);
        }
    }
    let jws =
        crate::rules::checkpoint::sign(keys, issuer, head, now_ms / 1000).map_err(|error| {
            AdminError::BadCheckpoint {
                path: path.clone(),
                line: lines.len() + 1,
                error,
            }
        })?;
    file.append(&jws).map_err(io)?;
    Ok(Some(head))
}

/// The checkpoints of `file`, as [`verify_audit`] takes them.
pub fn read_checkpoints(
    file: &crate::base::checkpoints::CheckpointFile,
) -> Result<Vec<(String, usize, String)>, AdminError> {
    let path = file.path().display().to_string();
    let lines = file.read().map_err(|source| AdminError::CheckpointFile {
        path: path.clone(),
        source,
    })?;
    Ok(lines
        .into_iter()
        .enumerate()
        .map(|(i, jws)| (path.clone(), i + 1, jws))
        .collect())
}

/// Records that the number's SIM card changed at `at_ms` (the operator's SIM-swap feed, or
/// a call to the helpdesk): for the hold period after it, no proof of the number completes
/// (`serve --sim-swap-hold`). Audited.
pub async fn record_sim_change(store: &Store, msisdn: &str, at_ms: i64) -> Result<(), AdminError> {
    let user = subscriber(store, msisdn).await?;
    let number = user.msisdn.clone();
    let at = crate::base::clock::rfc3339(at_ms);
    if !store.set_sim_change(&number, &at).await? {
        return Err(AdminError::UnknownUser);
    }
    store
        .append_audit(NewEntry {
            at_ms: now_ms(),
            kind: EntryKind::Admin,
            user: Some(user.id),
            sp: None,
            authenticator: None,
            detail: serde_json::json!({"action": "sim_change", "at": at}).to_string(),
        })
        .await?;
    Ok(())
}

/// Every device bound to the number's account, oldest first.
pub async fn devices_of(
    store: &Store,
    msisdn: &str,
) -> Result<Vec<crate::store::Device>, AdminError> {
    let user = subscriber(store, msisdn).await?;
    Ok(store.user_devices(&user.id).await?)
}

/// The operator revokes a device (a lost phone reported by its owner, a fraud case): it can
/// no longer get a token and the tokens it holds stop working; audited as the operator's.
pub async fn revoke_device(store: &Store, id: &str) -> Result<crate::store::Device, AdminError> {
    crate::flows::device::revoke_device_of(store, None, id, serde_json::json!("operator"), now_ms())
        .await?
        .ok_or_else(|| AdminError::UnknownDevice(id.to_owned()))
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
