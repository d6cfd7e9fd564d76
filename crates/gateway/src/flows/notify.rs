//! CIBA ping and push delivery (CIBA Core §10.2, §10.3, §12): the gateway POSTs to the SP's
//! `backchannel_client_notification_endpoint` with the SP's `client_notification_token` as a
//! bearer token.
//!
//! - ping: `{"auth_req_id"}` once the user answered (or the request expired); the SP then
//!   calls the token endpoint.
//! - push: the token response itself, plus `auth_req_id`, with an ID token carrying
//!   `at_hash`, `urn:openid:params:jwt:claim:auth_req_id` (and `rt_hash`); or
//!   `{"auth_req_id", "error": "access_denied" | "expired_token"}`.
//!
//! Delivery is durable: the outbox is the request table itself. A worker wakes on every
//! answer (and sweeps once a second), claims a due delivery with a lease, and retries with
//! backoff until the SP acknowledges with a 2xx. Pushed tokens are issued per attempt and
//! revoked when the attempt fails, so no unacknowledged token stays valid; a worker that
//! dies mid-push leaves an `issued` request whose tokens the next worker revokes before it
//! issues new ones.

use crate::flows::Gateway;
use crate::flows::issue::{Issue, issue_tokens};
use crate::rules::ciba::{DeliveryMode, notification};
use crate::store::{CibaRequest, StoreError};
use assent_audit::{EntryKind, NewEntry};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// How long a claimed delivery is exclusive (ms): longer than one attempt can take.
const LEASE_MS: i64 = 30_000;
/// One attempt's time limit.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(5);
/// The sweep that finds expirations and retries.
const SWEEP_EVERY: Duration = Duration::from_secs(1);
/// Backoff between attempts: 1 s doubling to at most a minute.
const MAX_BACKOFF_MS: i64 = 60_000;
/// After the request's expiry, give up delivering after this long (ms).
const GIVE_UP_AFTER_EXPIRY_MS: i64 = 10 * 60_000;

#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    #[error("cannot build the notification client: {0}")]
    Client(#[from] reqwest::Error),
}

/// The delivery worker's handle: what wakes it, and its HTTPS client.
#[derive(Debug)]
pub struct Deliveries {
    wake: Notify,
    http: reqwest::Client,
}

impl Deliveries {
    /// An HTTPS client for SPs' endpoints: TLS 1.3 only, the platform's roots plus
    /// `extra_roots` (the gateway's own CA, so that QA's local SPs can be reached), no
    /// redirects (a notification goes where the SP registered, nowhere else).
    pub fn new(extra_roots: Vec<reqwest::Certificate>) -> Result<Arc<Self>, NotifyError> {
        let http = reqwest::Client::builder()
            .tls_certs_merge(extra_roots)
            .tls_version_min(reqwest::tls::Version::TLS_1_3)
            .https_only(true)
            .redirect(reqwest::redirect::Policy::none())
            .tcp_nodelay(true)
            .timeout(ATTEMPT_TIMEOUT)
            .build()?;
        Ok(Arc::new(Deliveries {
            wake: Notify::new(),
            http,
        }))
    }

    /// The client SPs' endpoints are reached with (Shared Signals pushes go out with it too).
    pub fn http(&self) -> reqwest::Client {
        self.http.clone()
    }

    /// Something became due: deliver now rather than at the next sweep.
    pub fn wake(&self) {
        self.wake.notify_one();
    }
}

/// Runs the worker for as long as the process lives.
pub fn spawn(gateway: Gateway) {
    tokio::spawn(async move {
        loop {
            if let Err(error) = deliver_due(&gateway).await {
                tracing::warn!(%error, "notification sweep failed; retrying");
            }
            tokio::select! {
                () = gateway.deliveries.wake.notified() => {}
                () = tokio::time::sleep(SWEEP_EVERY) => {}
            }
        }
    });
}

/// The deliveries due at the gateway's time that this worker claimed: each is its own until
/// the lease runs out (another worker, or a later sweep, takes it up after that).
pub async fn claim_due(gateway: &Gateway) -> Result<Vec<CibaRequest>, StoreError> {
    let now = gateway.now_ms();
    let mut claimed = Vec::new();
    for request in gateway.store.due_deliveries(now, 64).await? {
        if gateway
            .store
            .claim_delivery(&request, now + LEASE_MS)
            .await?
        {
            claimed.push(request);
        }
    }
    Ok(claimed)
}

async fn deliver_due(gateway: &Gateway) -> Result<(), StoreError> {
    for request in claim_due(gateway).await? {
        let gateway = gateway.clone();
        tokio::spawn(async move {
            if let Err(error) = deliver(&gateway, request).await {
                tracing::warn!(%error, "notification bookkeeping failed; the lease will retry it");
            }
        });
    }
    Ok(())
}

/// Why an attempt did not land.
#[derive(Debug, thiserror::Error)]
pub enum Attempt {
    #[error("the SP has no usable notification endpoint")]
    NoEndpoint,
    #[error("the request lost its delivery secrets")]
    NoSecrets,
    #[error("another worker already moved the request")]
    Raced,
    #[error("the SP's endpoint failed: {0}")]
    Http(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

async fn deliver(gateway: &Gateway, request: CibaRequest) -> Result<(), StoreError> {
    let mode = DeliveryMode::parse(&request.delivery_mode).unwrap_or(DeliveryMode::Poll);
    let result = attempt(gateway, &request).await;
    let now = gateway.now_ms();
    let outcome = match &result {
        Ok(()) => {
            // Acknowledged: recording it must not be lost to a passing database error, or
            // the lease would run out and a redelivery would replace tokens the SP holds.
            let mut recorded = gateway
                .store
                .mark_delivered(&request.auth_req_hash, now)
                .await;
            for wait_ms in [50, 200, 1000] {
                if recorded.is_ok() {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(wait_ms)).await;
                recorded = gateway
                    .store
                    .mark_delivered(&request.auth_req_hash, now)
                    .await;
            }
            recorded?;
            "delivered"
        }
        Err(Attempt::Raced) => return Ok(()),
        Err(Attempt::Store(error)) => {
            tracing::warn!(%error, "notification attempt failed on the store");
            "retrying"
        }
        Err(error) if now > request.expires_ms + GIVE_UP_AFTER_EXPIRY_MS => {
            tracing::warn!(%error, "notification abandoned");
            gateway
                .store
                .mark_delivered(&request.auth_req_hash, now)
                .await?;
            "abandoned"
        }
        Err(error) => {
            tracing::info!(%error, attempts = request.notify_attempts + 1, "notification failed; will retry");
            let backoff = 1000_i64
                .saturating_mul(1 << request.notify_attempts.clamp(0, 6))
                .min(MAX_BACKOFF_MS);
            gateway
                .store
                .delivery_failed(&request.auth_req_hash, now + backoff)
                .await?;
            "retrying"
        }
    };
    gateway
        .store
        .append_audit(NewEntry {
            at_ms: now,
            kind: EntryKind::Notification,
            user: Some(request.user_id.clone()),
            sp: Some(request.client_id.clone()),
            authenticator: None,
            detail: json!({"to": "sp", "mode": mode.name(), "outcome": outcome,
                           "request": request.auth_req_hash.get(..16),
                           "attempt": request.notify_attempts + 1})
            .to_string(),
        })
        .await?;
    Ok(())
}

/// A notification ready to go: where, with which bearer token, what.
#[derive(Debug)]
pub struct Outgoing {
    /// The SP's `backchannel_client_notification_endpoint` (https).
    pub endpoint: String,
    /// The SP's `client_notification_token` (CIBA §10.2: the bearer of the notification).
    pub bearer: String,
    pub body: Value,
    /// Push: the family of the tokens issued for this attempt, revoked if it fails.
    pub pushed_family: Option<String>,
}

/// What a claimed delivery sends, decided at the gateway's time ([`notification`]): a ping,
/// a pushed error, or pushed tokens, issued now for this attempt (the request moves to
/// `issued`; the tokens of an earlier attempt that died are revoked first).
pub async fn prepare(gateway: &Gateway, r: &CibaRequest) -> Result<Outgoing, Attempt> {
    let mode = DeliveryMode::parse(&r.delivery_mode).unwrap_or(DeliveryMode::Poll);
    let client = gateway
        .store
        .client(&r.client_id)
        .await?
        .ok_or(Attempt::NoEndpoint)?;
    let endpoint = client
        .notification_endpoint
        .clone()
        .filter(|e| e.starts_with("https://"))
        .ok_or(Attempt::NoEndpoint)?;
    let (Some(auth_req_id), Some(bearer)) = (&r.auth_req_id, &r.notification_token) else {
        return Err(Attempt::NoSecrets);
    };
    let what =
        notification(mode, &r.status, r.expires_ms, gateway.now_ms()).ok_or(Attempt::Raced)?;
    if let Some(body) = what.body(auth_req_id) {
        return Ok(Outgoing {
            endpoint,
            bearer: bearer.clone(),
            body,
            pushed_family: None,
        });
    }
    // Pushed tokens (Notification::PushTokens) are issued for this attempt, dated by the
    // user's answer, which commits with its consent (none: nothing was approved to push).
    let consent_id = crate::flows::consent::consent_of_request(gateway, &r.auth_req_hash).await?;
    let consent = gateway
        .store
        .consent(&consent_id)
        .await?
        .ok_or(Attempt::Raced)?;
    let auth_time_ms = consent.granted_ms;
    if r.status == "issued" {
        // A previous attempt died after issuing: its tokens were never acknowledged.
        revoke_pushed(gateway, r).await?;
        if !gateway
            .store
            .transition_ciba(&r.auth_req_hash, "issued", "approved")
            .await?
        {
            return Err(Attempt::Raced);
        }
    }
    if !gateway
        .store
        .transition_ciba(&r.auth_req_hash, "approved", "issued")
        .await?
    {
        return Err(Attempt::Raced);
    }
    // The family is recorded before the tokens exist, so that a crash in between still lets
    // the next worker revoke them.
    let family = crate::base::ids::new_id("f");
    gateway
        .store
        .set_token_family(&r.auth_req_hash, Some(&family))
        .await?;
    let issue = Issue {
        user_id: &r.user_id,
        scope: &consent.scope,
        authenticator: &r.authenticator,
        nonce: None,
        grant: "ciba",
        request_hash: &r.auth_req_hash,
        family: Some(&family),
        auth_req_id: Some(auth_req_id),
        consent_id: Some(&consent_id),
        auth_time_ms,
        // Pushed to the SP with no request of its own: nothing to bind to (a DPoP-bound
        // SP cannot register for push mode).
        jkt: None,
    };
    let issued = issue_tokens(gateway, &client, &issue, gateway.now_ms())
        .await
        .map_err(|e| Attempt::Http(format!("issuing tokens: {}", e.description)))?;
    // CIBA §10.3.1: the token response, with the auth_req_id it answers.
    let mut body = serde_json::to_value(issued.body).unwrap_or_default();
    body["auth_req_id"] = json!(auth_req_id);
    Ok(Outgoing {
        endpoint,
        bearer: bearer.clone(),
        body,
        pushed_family: Some(family),
    })
}

async fn attempt(gateway: &Gateway, r: &CibaRequest) -> Result<(), Attempt> {
    let outgoing = prepare(gateway, r).await?;
    let sent = gateway
        .deliveries
        .http
        .post(&outgoing.endpoint)
        .bearer_auth(&outgoing.bearer)
        .json(&outgoing.body)
        .send()
        .await;
    let failure = match sent {
        Ok(response) if response.status().is_success() => None,
        Ok(response) => Some(format!("HTTP {}", response.status().as_u16())),
        Err(error) => Some(crate::base::outbound::without_url(&error)),
    };
    match failure {
        None => Ok(()),
        Some(why) => {
            if outgoing.pushed_family.is_some() {
                revoke_pushed(gateway, r).await?;
                gateway
                    .store
                    .transition_ciba(&r.auth_req_hash, "issued", "approved")
                    .await?;
            }
            Err(Attempt::Http(why))
        }
    }
}

/// Revokes the tokens a push attempt issued (their family is recorded on the request).
async fn revoke_pushed(gateway: &Gateway, r: &CibaRequest) -> Result<(), StoreError> {
    let Some(current) = gateway.store.ciba(&r.auth_req_hash).await? else {
        return Ok(());
    };
    if let Some(family) = current.token_family {
        let revoked = gateway.store.revoke_family(&family).await?;
        gateway
            .store
            .set_token_family(&r.auth_req_hash, None)
            .await?;
        if revoked > 0 {
            gateway
                .store
                .append_audit(NewEntry {
                    at_ms: gateway.now_ms(),
                    kind: EntryKind::Revocation,
                    user: Some(r.user_id.clone()),
                    sp: Some(r.client_id.clone()),
                    authenticator: None,
                    detail: json!({"by": "gateway", "reason": "push_not_acknowledged",
                                   "revoked": revoked})
                    .to_string(),
                })
                .await?;
        }
    }
    Ok(())
}
