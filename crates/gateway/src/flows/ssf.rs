//! The Shared Signals transmitter (OpenID SSF 1.0, CAEP 1.0, RFC 8935 push, RFC 8936 poll):
//! an SP registered for it manages one event stream with a client-credentials token of
//! scope `ssf`, and hears — by push to its registered URL, or by polling — when a user's
//! consent to it ends (the user's revoke, its own Grant Management revoke, the consent's
//! end), when a user's device is revoked, and when a user's number is proven again on a new
//! device ([`crate::rules::ssf`] has the rules and the decisions).
//!
//! Delivery is durable: a SET is queued in the transaction that commits what it tells, and
//! leaves the outbox only when the SP acknowledged it (a 2xx to a push, an `ack` in a poll)
//! or refused it for good; each attempt and each acknowledgement is audited. A SET is signed
//! when it is sent, with the gateway's key, so that a queued SET needs no key to be written.

use crate::flows::Gateway;
use crate::flows::client_auth::{BearerRefusal, client_credentials_bearer};
use crate::rules::ssf::{
    self as rules, Change, Delivery, Event, Initiator, Poll, PushOutcome, Status, StreamSettings,
    Subject,
};
use crate::store::{Client, Consent, NewSsfEvent, SsfEvent, SsfStream, StoreError, Tx};
use assent_audit::{EntryKind, NewEntry};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// How long a claimed push is exclusive (ms): longer than one attempt can take (the
/// client's time limit is 5 s) with its bookkeeping; a worker that died mid-attempt is
/// replaced when it runs out.
const LEASE_MS: i64 = 15_000;
/// The sweep that finds retries and SETs queued by other processes.
const SWEEP_EVERY: Duration = Duration::from_secs(1);
/// Backoff between push attempts: 1 s doubling to at most 5 minutes, for as long as it
/// takes (an SP's outage does not lose its events; its stream waits).
const MAX_BACKOFF_MS: i64 = 300_000;
/// RFC 8936 §2.4 long polling: a poll that may wait waits at most this long for a SET.
const LONG_POLL: Duration = Duration::from_secs(10);
/// What a receiver's answer body is read up to (its error code is all that is needed).
const MAX_ANSWER_BYTES: usize = 4096;

/// Why a stream request is refused.
#[derive(Debug, thiserror::Error)]
pub enum SsfError {
    #[error("the access token is not valid here")]
    InvalidToken,
    #[error("the access token lacks scope {0}")]
    InsufficientScope(&'static str),
    /// No stream of the caller's by that id: unknown or another SP's, the same answer.
    #[error("no such stream")]
    NotFound,
    /// SSF §8.1.1.1: the SP has its stream already.
    #[error("this SP has a stream already; read, update or delete it")]
    Exists,
    #[error("{0}")]
    Invalid(String),
    /// SSF §8.1.4.2: verification asked again within `min_verification_interval`.
    #[error("a verification was asked less than {0} s ago")]
    TooSoon(i64),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<BearerRefusal> for SsfError {
    fn from(refusal: BearerRefusal) -> Self {
        match refusal {
            BearerRefusal::InvalidToken => SsfError::InvalidToken,
            BearerRefusal::InsufficientScope(scope) => SsfError::InsufficientScope(scope),
            BearerRefusal::Store(error) => SsfError::Store(error),
        }
    }
}

/// The transmitter's handle: what wakes the push worker and the waiting polls, and the
/// HTTPS client pushes go out with.
#[derive(Debug)]
pub struct Signals {
    wake: Notify,
    queued: Notify,
    http: reqwest::Client,
}

impl Signals {
    /// `http`: the client of SPs' endpoints (TLS 1.3, no redirects), the one CIBA
    /// notifications go out with.
    pub fn new(http: reqwest::Client) -> Arc<Self> {
        Arc::new(Signals {
            wake: Notify::new(),
            queued: Notify::new(),
            http,
        })
    }

    /// SETs were queued: push them now rather than at the next sweep, and answer the polls
    /// waiting for them.
    pub fn queued(&self) {
        self.wake.notify_one();
        self.queued.notify_waiters();
    }
}

// ---------------------------------------------------------------------------------------
// What SPs are told: SETs queued with what they tell.
// ---------------------------------------------------------------------------------------

/// Events about one user for one SP.
#[derive(Debug, Clone)]
pub struct Signal {
    pub user_id: String,
    pub client_id: String,
    /// The consent the events are about (the SET's `txn`: the SP's `grant_id`).
    pub txn: Option<String>,
    pub events: Vec<Event>,
}

/// The end of `consent` at `at_ms`, initiated by `by` for `reason`: its session and its
/// tokens.
pub fn consent_ended(consent: &Consent, by: Initiator, reason: &'static str, at_ms: i64) -> Signal {
    let at_s = at_ms / 1000;
    Signal {
        user_id: consent.user_id.clone(),
        client_id: consent.client_id.clone(),
        txn: Some(consent.id.clone()),
        events: vec![
            Event::SessionRevoked { at_s, by, reason },
            Event::TokensRevoked { at_s, by, reason },
        ],
    }
}

/// The SETs `signals` make for the SPs' streams as they are now: none for an SP without a
/// stream, with a disabled one, or whose stream did not ask for the event type. Read before
/// the transaction that queues them ([`queue`]) begins.
pub async fn sets_for(
    store: &crate::store::Store,
    signals: &[Signal],
    now_ms: i64,
) -> Result<Vec<NewSsfEvent>, StoreError> {
    let mut sets = Vec::new();
    for signal in signals {
        let Some(stream) = store.ssf_stream_of(&signal.client_id).await? else {
            continue;
        };
        if !Status::parse(&stream.status).is_ok_and(Status::keeps_events) {
            continue;
        }
        let delivered = rules::events_delivered(&stream.events_requested);
        for event in &signal.events {
            if !delivered.iter().any(|e| e == event.type_uri()) {
                continue;
            }
            sets.push(NewSsfEvent {
                stream_id: stream.stream_id.clone(),
                jti: crate::base::ids::new_id("set"),
                user_id: Some(signal.user_id.clone()),
                event_type: event.type_uri().to_owned(),
                events: event.events_claim().to_string(),
                txn: signal.txn.clone(),
                created_ms: now_ms,
            });
        }
    }
    Ok(sets)
}

/// Queues `sets` inside `tx` (they commit with what they tell).
pub async fn queue(tx: &mut Tx, sets: &[NewSsfEvent]) -> Result<(), StoreError> {
    for set in sets {
        tx.insert_ssf_event(set).await?;
    }
    Ok(())
}

/// [`sets_for`] and [`queue`] in a transaction of their own, for what committed already (a
/// device's registration); wakes the worker.
pub async fn tell(gateway: &Gateway, signals: &[Signal]) -> Result<(), StoreError> {
    let sets = sets_for(&gateway.store, signals, gateway.now_ms()).await?;
    if sets.is_empty() {
        return Ok(());
    }
    let mut tx = gateway.store.begin().await?;
    queue(&mut tx, &sets).await?;
    tx.commit().await?;
    gateway.signals.queued();
    Ok(())
}

/// A new app credential of `user_id` (their number proven on a new device, now in use):
/// what every SP they consented to is told.
pub async fn credential_signals(
    store: &crate::store::Store,
    user_id: &str,
    now_ms: i64,
) -> Result<Vec<Signal>, StoreError> {
    Ok(store
        .consented_clients(user_id, now_ms)
        .await?
        .into_iter()
        .map(|client_id| Signal {
            user_id: user_id.to_owned(),
            client_id,
            txn: None,
            events: vec![Event::CredentialCreated {
                at_s: now_ms / 1000,
            }],
        })
        .collect())
}

/// [`credential_signals`], told now (the device's registration committed already).
pub async fn credential_created(gateway: &Gateway, user_id: &str) -> Result<(), StoreError> {
    let signals = credential_signals(&gateway.store, user_id, gateway.now_ms()).await?;
    tell(gateway, &signals).await
}

/// A device of `user_id` revoked (`by`: the user or the operator): the SPs they consented
/// to end the sessions it may have started. Their tokens rest on the user's consents, which
/// stand, so no `tokens-revoked` is sent (a transmitter does not say what did not happen).
pub async fn device_revoked(
    store: &crate::store::Store,
    user_id: &str,
    by: Initiator,
    now_ms: i64,
) -> Result<Vec<NewSsfEvent>, StoreError> {
    let signals: Vec<Signal> = store
        .consented_clients(user_id, now_ms)
        .await?
        .into_iter()
        .map(|client_id| Signal {
            user_id: user_id.to_owned(),
            client_id,
            txn: None,
            events: vec![Event::SessionRevoked {
                at_s: now_ms / 1000,
                by,
                reason: "a device the user authenticates with was revoked",
            }],
        })
        .collect();
    sets_for(store, &signals, now_ms).await
}

/// A SET of `stream` signed now: `iss` and the key are this gateway's, `sub_id` is the SP's
/// pairwise `sub` of the user (never the MSISDN), or the stream for a verification.
fn signed(gateway: &Gateway, stream: &SsfStream, event: &SsfEvent) -> Result<String, StoreError> {
    let subject = match &event.user_id {
        Some(user) => Subject::IssSub {
            sub: gateway.pcr.pcr(&stream.client_id, user),
        },
        None => Subject::Stream {
            stream_id: stream.stream_id.clone(),
        },
    };
    let events: Value = serde_json::from_str(&event.events)
        .map_err(|e| StoreError::Unmade(format!("queued SET {}: {e}", event.jti)))?;
    let claims = rules::set_claims(
        &gateway.issuer,
        &stream.client_id,
        &event.jti,
        gateway.now_ms() / 1000,
        &subject,
        &events,
        event.txn.as_deref(),
    );
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
    header.kid = Some(gateway.keys.kid.clone());
    // RFC 8417 §2.3: explicit typing, so a SET is never taken for an ID or access token.
    header.typ = Some("secevent+jwt".into());
    jsonwebtoken::encode(&header, &claims, &gateway.keys.encoding)
        .map_err(|e| StoreError::Unmade(format!("signing SET {}: {e}", event.jti)))
}

/// The last part of an event type's URI (`session-revoked`), for audit entries.
fn short(event_type: &str) -> &str {
    event_type.rsplit('/').next().unwrap_or(event_type)
}

fn delivery_entry(
    stream: &SsfStream,
    event: &SsfEvent,
    at_ms: i64,
    detail: serde_json::Map<String, Value>,
) -> NewEntry {
    let mut detail = Value::Object(detail);
    detail["to"] = json!("sp");
    detail["signal"] = json!(short(&event.event_type));
    detail["stream"] = json!(stream.stream_id);
    detail["jti"] = json!(event.jti);
    NewEntry {
        at_ms,
        kind: EntryKind::Notification,
        user: event.user_id.clone(),
        sp: Some(stream.client_id.clone()),
        authenticator: None,
        detail: detail.to_string(),
    }
}

// ---------------------------------------------------------------------------------------
// Stream management (SSF 1.0 §8.1).
// ---------------------------------------------------------------------------------------

/// The SP behind `bearer`: registered for Shared Signals, token of scope `ssf`.
pub async fn caller(gateway: &Gateway, bearer: &str) -> Result<Client, SsfError> {
    Ok(client_credentials_bearer(gateway, bearer, rules::SCOPE, |c| c.ssf).await?)
}

/// The poll endpoint of `stream_id` (RFC 8936 delivery's `endpoint_url`).
pub fn poll_url(gateway: &Gateway, stream_id: &str) -> String {
    format!("{}/ssf/poll/{stream_id}", gateway.issuer)
}

fn settings_of(stream: &SsfStream) -> StreamSettings {
    StreamSettings {
        delivery: match (&stream.endpoint_url, stream.delivery_method.as_str()) {
            (Some(url), rules::PUSH) => Delivery::Push {
                endpoint_url: url.clone(),
                authorization_header: stream.authorization_header.clone(),
            },
            _ => Delivery::Poll,
        },
        events_requested: stream.events_requested.clone(),
        description: stream.description.clone(),
    }
}

fn apply(stream: &mut SsfStream, settings: StreamSettings) {
    stream.delivery_method = settings.delivery.method().to_owned();
    (stream.endpoint_url, stream.authorization_header) = match settings.delivery {
        Delivery::Push {
            endpoint_url,
            authorization_header,
        } => (Some(endpoint_url), authorization_header),
        Delivery::Poll => (None, None),
    };
    stream.events_requested = settings.events_requested;
    stream.description = settings.description;
}

fn invalid(error: impl std::fmt::Display) -> SsfError {
    SsfError::Invalid(error.to_string())
}

async fn own_stream(
    gateway: &Gateway,
    client: &Client,
    stream_id: &str,
) -> Result<SsfStream, SsfError> {
    gateway
        .store
        .ssf_stream(stream_id)
        .await?
        .filter(|s| s.client_id == client.client_id)
        .ok_or(SsfError::NotFound)
}

fn stream_id_of(body: &Value) -> Result<&str, SsfError> {
    body.get("stream_id")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid("stream_id is required"))
}

async fn audit_change(
    gateway: &Gateway,
    tx: &mut Tx,
    stream: &SsfStream,
    action: &str,
) -> Result<(), StoreError> {
    tx.append_audit(NewEntry {
        at_ms: gateway.now_ms(),
        kind: EntryKind::Admin,
        user: None,
        sp: Some(stream.client_id.clone()),
        authenticator: None,
        detail: json!({"action": action, "stream": stream.stream_id,
                       "delivery": stream.delivery_method, "status": stream.status})
        .to_string(),
    })
    .await?;
    Ok(())
}

/// §8.1.1.1: creates the caller's stream (enabled).
pub async fn create(
    gateway: &Gateway,
    client: &Client,
    body: &Value,
) -> Result<SsfStream, SsfError> {
    let settings = rules::settings_from(
        body,
        &StreamSettings::default(),
        Change::Replace,
        &client.ssf_push_endpoints,
    )
    .map_err(invalid)?;
    let now_ms = gateway.now_ms();
    let mut stream = SsfStream {
        stream_id: crate::base::ids::new_id("ss"),
        client_id: client.client_id.clone(),
        delivery_method: String::new(),
        endpoint_url: None,
        authorization_header: None,
        events_requested: Vec::new(),
        description: None,
        status: Status::Enabled.name().to_owned(),
        reason: None,
        created_ms: now_ms,
        updated_ms: now_ms,
    };
    apply(&mut stream, settings);
    let mut tx = gateway.store.begin().await?;
    if !tx.insert_ssf_stream(&stream).await? {
        return Err(SsfError::Exists);
    }
    audit_change(gateway, &mut tx, &stream, "ssf_stream_created").await?;
    tx.commit().await?;
    Ok(stream)
}

/// §8.1.1.2: the caller's stream `stream_id`, or all of its streams (none or one).
pub async fn read(
    gateway: &Gateway,
    client: &Client,
    stream_id: Option<&str>,
) -> Result<Vec<SsfStream>, SsfError> {
    match stream_id {
        Some(id) => Ok(vec![own_stream(gateway, client, id).await?]),
        None => Ok(gateway
            .store
            .ssf_stream_of(&client.client_id)
            .await?
            .into_iter()
            .collect()),
    }
}

/// §8.1.1.3 (PATCH, [`Change::Update`]) and §8.1.1.4 (PUT, [`Change::Replace`]).
pub async fn change(
    gateway: &Gateway,
    client: &Client,
    body: &Value,
    how: Change,
) -> Result<SsfStream, SsfError> {
    let mut stream = own_stream(gateway, client, stream_id_of(body)?).await?;
    let settings =
        rules::settings_from(body, &settings_of(&stream), how, &client.ssf_push_endpoints)
            .map_err(invalid)?;
    apply(&mut stream, settings);
    stream.updated_ms = gateway.now_ms();
    let mut tx = gateway.store.begin().await?;
    if !tx.update_ssf_stream(&stream).await? {
        return Err(SsfError::NotFound);
    }
    audit_change(gateway, &mut tx, &stream, "ssf_stream_updated").await?;
    tx.commit().await?;
    // A stream that now pushes may have SETs waiting.
    gateway.signals.queued();
    Ok(stream)
}

/// §8.1.1.5: deletes the caller's stream and the SETs waiting on it.
pub async fn delete(gateway: &Gateway, client: &Client, stream_id: &str) -> Result<(), SsfError> {
    let stream = own_stream(gateway, client, stream_id).await?;
    let mut tx = gateway.store.begin().await?;
    let Some(dropped) = tx.delete_ssf_stream(stream_id, &client.client_id).await? else {
        return Err(SsfError::NotFound);
    };
    tx.append_audit(NewEntry {
        at_ms: gateway.now_ms(),
        kind: EntryKind::Admin,
        user: None,
        sp: Some(client.client_id.clone()),
        authenticator: None,
        detail: json!({"action": "ssf_stream_deleted", "stream": stream.stream_id,
                       "dropped": dropped})
        .to_string(),
    })
    .await?;
    tx.commit().await?;
    Ok(())
}

/// §8.1.2.2: the receiver sets its stream's status (`paused` keeps events and delivers them
/// once enabled again, `disabled` drops those waiting and keeps none from then on).
pub async fn set_status(
    gateway: &Gateway,
    client: &Client,
    body: &Value,
) -> Result<SsfStream, SsfError> {
    let mut stream = own_stream(gateway, client, stream_id_of(body)?).await?;
    let (status, reason) = rules::status_change(body).map_err(invalid)?;
    stream.status = status.name().to_owned();
    stream.reason = reason;
    stream.updated_ms = gateway.now_ms();
    let mut tx = gateway.store.begin().await?;
    if !tx.update_ssf_stream(&stream).await? {
        return Err(SsfError::NotFound);
    }
    // §8.1.2: a disabled stream holds nothing, not even what waited when it was disabled.
    let dropped = if status == Status::Disabled {
        tx.drop_ssf_events(&stream.stream_id).await?
    } else {
        0
    };
    tx.append_audit(NewEntry {
        at_ms: gateway.now_ms(),
        kind: EntryKind::Admin,
        user: None,
        sp: Some(stream.client_id.clone()),
        authenticator: None,
        detail: json!({"action": "ssf_stream_status", "stream": stream.stream_id,
                       "status": stream.status, "dropped": dropped})
        .to_string(),
    })
    .await?;
    tx.commit().await?;
    gateway.signals.queued();
    Ok(stream)
}

/// §8.1.4.2: the receiver asks for a verification event, with an optional `state` it
/// will see in it; at most one per `min_verification_interval`.
pub async fn verify(gateway: &Gateway, client: &Client, body: &Value) -> Result<(), SsfError> {
    let stream = own_stream(gateway, client, stream_id_of(body)?).await?;
    let state = match body.get("state") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.chars().count() <= 256 => Some(s.clone()),
        Some(_) => return Err(invalid("state must be a string of at most 256 characters")),
    };
    let now_ms = gateway.now_ms();
    let event = Event::Verification { state };
    let set = NewSsfEvent {
        stream_id: stream.stream_id.clone(),
        jti: crate::base::ids::new_id("set"),
        user_id: None,
        event_type: event.type_uri().to_owned(),
        events: event.events_claim().to_string(),
        txn: None,
        created_ms: now_ms,
    };
    let mut tx = gateway.store.begin().await?;
    if !tx
        .reserve_ssf_verification(
            &stream.stream_id,
            &client.client_id,
            now_ms,
            rules::MIN_VERIFICATION_INTERVAL_S * 1000,
        )
        .await?
    {
        return Err(SsfError::TooSoon(rules::MIN_VERIFICATION_INTERVAL_S));
    }
    // A disabled stream keeps nothing, verifications included (§8.1.2).
    if Status::parse(&stream.status).is_ok_and(Status::keeps_events) {
        tx.insert_ssf_event(&set).await?;
    }
    tx.commit().await?;
    gateway.signals.queued();
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Poll delivery (RFC 8936).
// ---------------------------------------------------------------------------------------

/// What a poll answers: SETs by `jti`, oldest first, and whether more wait.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Polled {
    pub sets: Vec<(String, String)>,
    pub more_available: bool,
}

/// RFC 8936 §2.4: acknowledges what the poll acknowledges (each audited, in the transaction
/// that takes it out of the outbox), then answers the SETs waiting, waiting for one up to
/// [`LONG_POLL`] unless `returnImmediately`. A paused stream answers none (it holds them).
pub async fn poll(
    gateway: &Gateway,
    client: &Client,
    stream_id: &str,
    body: &[u8],
) -> Result<Polled, SsfError> {
    let request: Poll = rules::poll_from(body).map_err(invalid)?;
    let stream = own_stream(gateway, client, stream_id).await?;
    if stream.delivery_method != rules::POLL {
        return Err(invalid("this stream is delivered by push, not poll"));
    }
    acknowledge(gateway, &stream, &request).await?;
    let none = Polled {
        sets: Vec::new(),
        more_available: false,
    };
    if request.max_events == 0 || stream.status != Status::Enabled.name() {
        return Ok(none);
    }
    let limit = i64::try_from(request.max_events)
        .unwrap_or(i64::MAX)
        .saturating_add(1);
    let deadline = tokio::time::Instant::now() + LONG_POLL;
    let waiting = loop {
        // Listening before reading: a SET queued in between still wakes this poll.
        let queued = gateway.signals.queued.notified();
        tokio::pin!(queued);
        queued.as_mut().enable();
        let waiting = gateway.store.ssf_waiting(&stream.stream_id, limit).await?;
        if !waiting.is_empty() || request.return_immediately {
            break waiting;
        }
        // Another gateway process on the database queues without waking this one.
        let tick = tokio::time::sleep(SWEEP_EVERY);
        tokio::select! {
            () = queued => {}
            () = tick => {}
            () = tokio::time::sleep_until(deadline) => break Vec::new(),
        }
    };
    let more_available = waiting.len() > request.max_events;
    let mut sets = Vec::new();
    for event in waiting.iter().take(request.max_events) {
        sets.push((event.jti.clone(), signed(gateway, &stream, event)?));
    }
    Ok(Polled {
        sets,
        more_available,
    })
}

async fn acknowledge(
    gateway: &Gateway,
    stream: &SsfStream,
    request: &Poll,
) -> Result<(), StoreError> {
    if request.ack.is_empty() && request.set_errs.is_empty() {
        return Ok(());
    }
    let now_ms = gateway.now_ms();
    let mut tx = gateway.store.begin().await?;
    for jti in &request.ack {
        // An unknown or repeated ack changes nothing (RFC 8936 §2.4: acks are idempotent).
        if let Some(event) = tx.take_ssf_event(&stream.stream_id, jti).await? {
            let mut detail = serde_json::Map::new();
            detail.insert("delivery".into(), json!("poll"));
            detail.insert("outcome".into(), json!("delivered"));
            tx.append_audit(delivery_entry(stream, &event, now_ms, detail))
                .await?;
        }
    }
    for (jti, err) in &request.set_errs {
        if let Some(event) = tx.take_ssf_event(&stream.stream_id, jti).await? {
            let mut detail = serde_json::Map::new();
            detail.insert("delivery".into(), json!("poll"));
            detail.insert("outcome".into(), json!("refused"));
            detail.insert("err".into(), json!(err));
            tx.append_audit(delivery_entry(stream, &event, now_ms, detail))
                .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Push delivery (RFC 8935).
// ---------------------------------------------------------------------------------------

/// Runs the push worker for as long as the process lives.
pub fn spawn(gateway: Gateway) {
    tokio::spawn(async move {
        loop {
            match push_due(&gateway).await {
                Ok(()) => {}
                Err(error) => tracing::warn!(%error, "SET push sweep failed; retrying"),
            }
            tokio::select! {
                () = gateway.signals.wake.notified() => {}
                () = tokio::time::sleep(SWEEP_EVERY) => {}
            }
        }
    });
}

/// Pushes the oldest waiting SET of every enabled push stream that is due, each claimed
/// with a lease; a stream's next SET becomes due when this one leaves the outbox.
pub async fn push_due(gateway: &Gateway) -> Result<(), StoreError> {
    let now = gateway.now_ms();
    let mut tasks = Vec::new();
    for event in gateway.store.due_ssf_pushes(now, 64).await? {
        if gateway.store.claim_ssf_push(&event, now + LEASE_MS).await? {
            let gateway = gateway.clone();
            tasks.push(tokio::spawn(async move {
                match push(&gateway, event).await {
                    Ok(true) => gateway.signals.wake.notify_one(),
                    Ok(false) => {}
                    Err(error) => {
                        tracing::warn!(%error, "SET push bookkeeping failed; the lease will retry it");
                    }
                }
            }));
        }
    }
    for task in tasks {
        let _ = task.await;
    }
    Ok(())
}

/// One attempt at pushing `event`; whether it left the outbox.
async fn push(gateway: &Gateway, event: SsfEvent) -> Result<bool, StoreError> {
    let Some(stream) = gateway.store.ssf_stream(&event.stream_id).await? else {
        return Ok(false); // deleted meanwhile, with its SETs
    };
    let outcome = match push_target(gateway, &stream).await? {
        Some((endpoint, authorization)) => {
            let set = signed(gateway, &stream, &event)?;
            send(gateway, &endpoint, authorization.as_deref(), set).await
        }
        None => PushOutcome::Retry {
            why: "the stream's endpoint is no longer registered for the SP".into(),
        },
    };
    let now = gateway.now_ms();
    let attempt = event.attempts + 1;
    let mut detail = serde_json::Map::new();
    detail.insert("delivery".into(), json!("push"));
    detail.insert("attempt".into(), json!(attempt));
    match &outcome {
        PushOutcome::Accepted | PushOutcome::Refused { .. } => {
            let (name, err) = match &outcome {
                PushOutcome::Refused { err } => ("refused", Some(err.clone())),
                _ => ("delivered", None),
            };
            detail.insert("outcome".into(), json!(name));
            if let Some(err) = err {
                detail.insert("err".into(), json!(err));
            }
            // The SP has it: recording that must not be lost to a passing database error,
            // or the lease would run out and the SP would get it twice.
            let entry = delivery_entry(&stream, &event, now, detail);
            let mut recorded = took(gateway, &event, &entry).await;
            for wait_ms in [50, 200, 1000] {
                if recorded.is_ok() {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(wait_ms)).await;
                recorded = took(gateway, &event, &entry).await;
            }
            recorded?;
            Ok(true)
        }
        PushOutcome::Retry { why } => {
            tracing::info!(why, attempt, stream = %stream.stream_id, "SET push failed; will retry");
            let backoff = 1000_i64
                .saturating_mul(1 << event.attempts.clamp(0, 9))
                .min(MAX_BACKOFF_MS);
            gateway
                .store
                .ssf_push_failed(event.seq, now + backoff)
                .await?;
            // The first failure is recorded (the user's history says the SP could not be
            // told yet); the retries are not, so an endpoint down for days does not fill
            // the trail: the delivery's entry says how many attempts it took.
            if event.attempts == 0 {
                detail.insert("outcome".into(), json!("retrying"));
                detail.insert("why".into(), json!(why));
                gateway
                    .store
                    .append_audit(delivery_entry(&stream, &event, now, detail))
                    .await?;
            }
            Ok(false)
        }
    }
}

/// Takes a pushed SET out of the outbox with its audit entry.
async fn took(gateway: &Gateway, event: &SsfEvent, entry: &NewEntry) -> Result<(), StoreError> {
    let mut tx = gateway.store.begin().await?;
    if tx
        .take_ssf_event(&event.stream_id, &event.jti)
        .await?
        .is_some()
    {
        tx.append_audit(entry.clone()).await?;
    }
    tx.commit().await
}

/// Where a push stream's SETs go now: its URL while it is still registered for the SP (an
/// operator may have withdrawn it, or the SP's registration for Shared Signals).
async fn push_target(
    gateway: &Gateway,
    stream: &SsfStream,
) -> Result<Option<(String, Option<String>)>, StoreError> {
    let Some(endpoint) = &stream.endpoint_url else {
        return Ok(None);
    };
    let registered = gateway
        .store
        .client(&stream.client_id)
        .await?
        .is_some_and(|c| c.ssf && !c.blacklisted && c.ssf_push_endpoints.contains(endpoint));
    Ok(registered.then(|| (endpoint.clone(), stream.authorization_header.clone())))
}

/// RFC 8935 §2: `POST` of the SET as `application/secevent+jwt`.
async fn send(
    gateway: &Gateway,
    endpoint: &str,
    authorization: Option<&str>,
    set: String,
) -> PushOutcome {
    let mut request = gateway
        .signals
        .http
        .post(endpoint)
        .header(reqwest::header::CONTENT_TYPE, "application/secevent+jwt")
        .header(reqwest::header::ACCEPT, "application/json")
        .body(set);
    if let Some(authorization) = authorization {
        request = request.header(reqwest::header::AUTHORIZATION, authorization);
    }
    match request.send().await {
        Ok(response) => {
            let status = response.status().as_u16();
            let body = read_capped(response).await;
            rules::push_outcome(status, &body)
        }
        Err(error) => PushOutcome::Retry {
            why: crate::base::outbound::without_url(&error),
        },
    }
}

/// The first [`MAX_ANSWER_BYTES`] of an answer's body.
async fn read_capped(mut response: reqwest::Response) -> Vec<u8> {
    let mut body = Vec::new();
    while body.len() < MAX_ANSWER_BYTES {
        match response.chunk().await {
            Ok(Some(chunk)) => body.extend_from_slice(&chunk),
            _ => break,
        }
    }
    body.truncate(MAX_ANSWER_BYTES);
    body
}
