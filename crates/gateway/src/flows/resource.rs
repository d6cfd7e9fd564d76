//! The Mobile Connect Resource Server (IDY.03 §5–6, §8.2; seed 003): `premiuminfo_endpoint`
//! serves every attribute service the token's scopes name (MC_RES_01), `userinfo_endpoint`
//! the OIDC standard claims (MC_RES_03, MC_RES_04 are the wire's, `http::resource`). Wire
//! rules live in [`wire`] and answers in [`claims`] (`rules::resource`), both without I/O;
//! this module validates the token, looks the user up, decides, spends one-time tokens,
//! audits and notifies.
//!
//! Tokens are validated in-process (same database) or, when the resource server runs as
//! its own process, at the gateway's introspection endpoint (MC_RES_05).

use crate::base::clock::Clock;
use crate::base::ids::token_hash;
use crate::flows::Gateway;
use crate::rules::catalog::{Catalog, ConsentCapture, Service, ServiceKind};
use crate::rules::consent::{in_force, withheld_by_all};
use crate::rules::encr_msisdn::EncryptionKey;
use crate::rules::idtoken::PcrSecret;
use crate::rules::resource::{claims, wire};
use crate::store::{
    Client, Epoch, ReadCache, Reads, Record, Recorded, Store, StoreError, TokenRecord, User,
    UserNotification,
};
use assent_audit::{EntryKind, NewEntry};
use claims::Answer;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use wire::{ResourceCall, ResourceError};

/// The resource server's domain handle: what serving PremiumInfo and UserInfo takes, and
/// nothing else. The gateway hands out one over its own store and keys
/// ([`Gateway::resource_server`]); a resource server in its own process is built from this
/// alone (no authenticators, no ACME CA, no signing keys).
#[derive(Debug, Clone)]
pub struct ResourceServer {
    pub store: Store,
    pub catalog: Arc<Catalog>,
    /// Decrypts an `ENCR_MSISDN` `User-ID` (seed 003 §2.3).
    pub encryption: Arc<EncryptionKey>,
    /// MC_ATTR_30: `sub` is the PCR of the token's user for its SP.
    pub pcr: PcrSecret,
    pub tokens: TokenValidation,
    /// Where the resource server reads the time (expiry, audit).
    pub clock: Arc<dyn Clock>,
    /// How many refusals were audited this minute, per SP and per client address.
    pub refusals: Arc<RefusalAudit>,
    /// Copies of the token views, users and consents read (see [`crate::store::cache`]).
    pub reads: Arc<ReadCache>,
}

impl ResourceServer {
    /// Milliseconds since the epoch, by this resource server's clock.
    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }
}

impl Gateway {
    /// The gateway's own resource server: its store, keys and clock, tokens read from the
    /// token table directly.
    pub fn resource_server(&self) -> ResourceServer {
        ResourceServer {
            store: self.store.clone(),
            catalog: self.catalog.clone(),
            encryption: self.encryption.clone(),
            pcr: self.pcr.clone(),
            tokens: TokenValidation::InProcess,
            clock: self.clock.clone(),
            refusals: self.refusals.clone(),
            reads: self.reads.clone(),
        }
    }
}

/// How the resource server validates access tokens (MC_RES_05).
#[derive(Debug, Clone)]
pub enum TokenValidation {
    /// Read the token table directly (the gateway's own resource server).
    InProcess,
    /// Ask the gateway's introspection endpoint (a resource server in its own process).
    Introspection(Arc<Introspector>),
}

/// A resource server's client of the gateway's introspection endpoint (RFC 7662).
#[derive(Debug)]
pub struct Introspector {
    pub http: reqwest::Client,
    pub url: String,
    pub client_id: String,
    pub client_secret: String,
}

/// The two endpoints of the resource server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// Every attribute service of the token's scopes (MC_RES_01).
    PremiumInfo,
    /// OIDC Core §5.3: the standard claims, for OpenID tokens.
    UserInfo,
    /// CAMARA KYC Match: the match services' answers only (`flows::kyc_match`).
    KycMatch,
}

impl Endpoint {
    fn name(self) -> &'static str {
        match self {
            Endpoint::PremiumInfo => "premiuminfo",
            Endpoint::UserInfo => "userinfo",
            Endpoint::KycMatch => "kyc-match",
        }
    }

    /// The endpoint's path, as refusals are audited.
    pub fn path(self) -> &'static str {
        match self {
            Endpoint::PremiumInfo => "/premiuminfo",
            Endpoint::UserInfo => "/userinfo",
            Endpoint::KycMatch => "/kyc-match/v1/match",
        }
    }
}

/// Refusals audited one entry each, per SP and per client address, in a minute.
pub const REFUSALS_LISTED_PER_MINUTE: u32 = 60;

/// The audit budget of refusals (an SP probing numbers with a generic token, or anyone
/// sending garbage, must not grow the trail without end): one entry per refusal up to
/// [`REFUSALS_LISTED_PER_MINUTE`] per SP and per client address in a minute; beyond, the
/// refusals are counted, and one summary entry per key and minute says how many were not
/// listed. Kept in memory, per process: the budget bounds this process's writes.
#[derive(Debug, Default)]
pub struct RefusalAudit {
    minutes: std::sync::Mutex<std::collections::HashMap<String, RefusalMinute>>,
}

/// One key's minute: its start, the entries written and the refusals not listed.
#[derive(Debug, Clone, Copy)]
struct RefusalMinute {
    start_ms: i64,
    listed: u32,
    unlisted: u64,
}

/// A summary due: `unlisted` refusals of `key` in the minute from `start_ms`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Unlisted {
    key: String,
    start_ms: i64,
    unlisted: u64,
}

impl RefusalAudit {
    /// Counts a refusal for `keys` at `now_ms`: whether it is listed (no key over its
    /// budget), and the summaries of minutes that ended.
    fn count(&self, keys: &[String], now_ms: i64) -> (bool, Vec<Unlisted>) {
        let minute = now_ms - now_ms.rem_euclid(60_000);
        let mut minutes = self
            .minutes
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut due = Vec::new();
        let mut listed = true;
        for key in keys {
            let entry = minutes.entry(key.clone()).or_insert(RefusalMinute {
                start_ms: minute,
                listed: 0,
                unlisted: 0,
            });
            if entry.start_ms != minute {
                if entry.unlisted > 0 {
                    due.push(Unlisted {
                        key: key.clone(),
                        start_ms: entry.start_ms,
                        unlisted: entry.unlisted,
                    });
                }
                *entry = RefusalMinute {
                    start_ms: minute,
                    listed: 0,
                    unlisted: 0,
                };
            }
            listed &= entry.listed < REFUSALS_LISTED_PER_MINUTE;
        }
        for key in keys {
            if let Some(entry) = minutes.get_mut(key) {
                if listed {
                    entry.listed += 1;
                } else if entry.listed >= REFUSALS_LISTED_PER_MINUTE {
                    entry.unlisted += 1;
                }
            }
        }
        (listed, due)
    }

    /// The summaries of every minute that ended before `now_ms`, forgetting those keys.
    fn ended(&self, now_ms: i64) -> Vec<Unlisted> {
        let minute = now_ms - now_ms.rem_euclid(60_000);
        let mut minutes = self
            .minutes
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut due = Vec::new();
        minutes.retain(|key, entry| {
            if entry.start_ms == minute {
                return true;
            }
            if entry.unlisted > 0 {
                due.push(Unlisted {
                    key: key.clone(),
                    start_ms: entry.start_ms,
                    unlisted: entry.unlisted,
                });
            }
            false
        });
        due
    }
}

/// A refused request: the Annex A answer, and the SP it came from when the token named one
/// (the HTTP edge limits refusals per SP and per address).
#[derive(Debug, Clone)]
pub struct Refused {
    pub error: ResourceError,
    pub sp: Option<String>,
}

/// What the flow learned of a request before refusing it, and how it read it.
#[derive(Debug, Default)]
struct Known {
    sp: Option<String>,
    user: Option<String>,
    /// The read epochs of what was read (one, unless the database moved between reads).
    epochs: Vec<Epoch>,
    /// Whether anything came from a copy: a refusal decided on a copy is decided again on
    /// fresh reads before it is given.
    copied: bool,
}

impl Known {
    fn read<T>(&mut self, read: crate::store::AtEpoch<T>) -> T {
        self.epochs.push(read.epoch);
        self.copied |= read.copied;
        read.value
    }

    /// The epoch every read was made at, if they were all made at one.
    fn read_at(&self) -> Option<Epoch> {
        let first = *self.epochs.first()?;
        self.epochs.iter().all(|e| *e == first).then_some(first)
    }
}

/// How many times a request is served before its record is written without an epoch check
/// (the reads of the last attempt are fresh, and the writes follow them as they did before
/// there was a cache): a stale record means the database moved between the reads and the
/// writer, which takes a revocation or a user import landing in that millisecond.
const GUARDED_ATTEMPTS: usize = 3;

/// What one attempt at serving a request came to.
enum Attempt {
    Served(Disclosure),
    /// The reads were stale by the time of writing: nothing was written.
    ReadAgain,
}

/// Audits a refusal as a `resource_refused` entry (the SP when known, the endpoint and the
/// reason, never the token), within the per-minute budget of [`RefusalAudit`]; writes the
/// summaries of minutes that ended. Failures of the gateway itself (500, 503) are not
/// refusals and are logged, not audited.
pub async fn audit_refusal(
    rs: &ResourceServer,
    endpoint: Endpoint,
    sp: Option<&str>,
    user: Option<&str>,
    peer: Option<std::net::IpAddr>,
    error: &ResourceError,
) -> Result<(), StoreError> {
    if matches!(
        error.kind,
        wire::ResourceErrorKind::Server | wire::ResourceErrorKind::Unavailable
    ) {
        return Ok(());
    }
    let now = rs.now_ms();
    let mut keys = Vec::new();
    if let Some(sp) = sp {
        keys.push(format!("sp:{sp}"));
    }
    if let Some(peer) = peer {
        keys.push(format!("address:{peer}"));
    }
    let (listed, due) = rs.refusals.count(&keys, now);
    write_summaries(rs, due, now).await?;
    if listed {
        let reason = json!({
            "endpoint": endpoint.path(),
            "error": error.code().unwrap_or("no_token"),
            "reason": error.description,
        });
        rs.store
            .append_audit(NewEntry {
                at_ms: now,
                kind: EntryKind::ResourceRefused,
                user: user.map(str::to_owned),
                sp: sp.map(str::to_owned),
                authenticator: None,
                detail: reason.to_string(),
            })
            .await?;
    }
    Ok(())
}

/// Writes the summary entries of minutes that ended (run once a minute, so that a minute's
/// count is written even when no refusal follows it).
pub async fn flush_refusal_summaries(rs: &ResourceServer) -> Result<(), StoreError> {
    let now = rs.now_ms();
    let due = rs.refusals.ended(now);
    write_summaries(rs, due, now).await
}

async fn write_summaries(
    rs: &ResourceServer,
    due: Vec<Unlisted>,
    now: i64,
) -> Result<(), StoreError> {
    for summary in due {
        let (sp, detail) = match summary.key.split_once(':') {
            Some(("sp", sp)) => (
                Some(sp.to_owned()),
                json!({"summary": true, "per": "sp", "minute": crate::base::clock::rfc3339(summary.start_ms),
                       "refusals_not_listed": summary.unlisted}),
            ),
            Some((_, address)) => (
                None,
                json!({"summary": true, "per": "address", "address": address,
                       "minute": crate::base::clock::rfc3339(summary.start_ms),
                       "refusals_not_listed": summary.unlisted}),
            ),
            None => continue,
        };
        rs.store
            .append_audit(NewEntry {
                at_ms: now,
                kind: EntryKind::ResourceRefused,
                user: None,
                sp,
                authenticator: None,
                detail: detail.to_string(),
            })
            .await?;
    }
    Ok(())
}

/// A Resource Response (MC_ATTR_25) and what it disclosed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disclosure {
    /// The response body's claims.
    pub claims: Map<String, Value>,
    /// The names of the attributes shared or matched (for the audit; never the values).
    pub attributes: Vec<String>,
    /// How close the values that did not match came (CAMARA KYC Match's scores).
    pub similarity: Vec<(String, u8)>,
}

/// Annex A: a database that cannot be reached is a system connection problem (the server
/// stays up and recovers); anything else unexpected is an unexpected error. Details go to
/// the log only.
impl From<StoreError> for ResourceError {
    fn from(error: StoreError) -> Self {
        tracing::error!(%error, "resource server store error");
        if error.is_unreachable() {
            ResourceError::unavailable()
        } else {
            ResourceError::server_error()
        }
    }
}

/// What the resource server knows of a valid token.
#[derive(Debug, Clone)]
pub struct TokenFacts {
    pub hash: String,
    pub client_id: String,
    /// `None` for a generic token (seed 003): the request names its user by header.
    pub user_id: Option<String>,
    pub scope: Vec<String>,
    /// MC_ATTR_18: a one-time token is spent by its first successful request.
    pub one_time: bool,
    /// Attributes the user withdrew from the token's consent: answered empty.
    pub withheld: Vec<String>,
    /// The token's SP and user when they were read with the token (in-process validation).
    pub client: Option<Client>,
    pub user: Option<User>,
    /// RFC 9449 §6: the thumbprint of the key a DPoP-bound token is bound to.
    pub jkt: Option<String>,
}

/// RFC 9449 §7.1: a DPoP-bound token comes as `DPoP <token>` with a proof by its key for
/// this request, whose `jti` is spent once; a bearer token comes as a bearer token. The
/// thumbprint a proof was spent for is kept across the attempts of one request (a request
/// read on copies first may be tried again on fresh reads).
#[derive(Debug, Default)]
struct Proven {
    spent: Option<String>,
}

impl Proven {
    async fn check(
        &mut self,
        rs: &ResourceServer,
        token: &TokenFacts,
        call: &ResourceCall,
    ) -> Result<(), ResourceError> {
        let refuse =
            |why: String| ResourceError::new(wire::ResourceErrorKind::InvalidDpopProof, why);
        let (jkt, sender) = (token.jkt.as_deref(), &call.sender);
        let (proof, method, htu) = match (jkt, sender) {
            (None, wire::Sender::Bearer) => return Ok(()),
            (None, wire::Sender::Dpop { .. }) => {
                return Err(refuse(
                    "this token is not DPoP-bound: send it as Bearer".into(),
                ));
            }
            (Some(_), wire::Sender::Bearer) => {
                return Err(refuse(
                    "this token is DPoP-bound: send it as DPoP with a proof (RFC 9449 §7.1)".into(),
                ));
            }
            (Some(_), wire::Sender::Dpop { proof, method, htu }) => (proof, method, htu),
        };
        let thumbprint = match &self.spent {
            Some(thumbprint) => thumbprint.clone(),
            None => {
                let header = match proof {
                    wire::ProofField::Absent => crate::rules::device::DpopHeader::Absent,
                    wire::ProofField::Several => crate::rules::device::DpopHeader::NotOne,
                    wire::ProofField::Unreadable => crate::rules::device::DpopHeader::Unreadable,
                    wire::ProofField::One(p) => crate::rules::device::DpopHeader::One(p),
                };
                let now_s = rs.now_ms().div_euclid(1000);
                let checked = crate::rules::dpop::resource_request_proof(
                    header,
                    method,
                    htu,
                    &call.token,
                    now_s,
                )
                .map_err(|e| refuse(e.to_string()))?;
                let thumbprint = spend_proof(rs, &checked).await.map_err(|e| match e {
                    crate::flows::dpop::SpendError::Store(error) => error.into(),
                    other => refuse(other.to_string()),
                })?;
                self.spent = Some(thumbprint.clone());
                thumbprint
            }
        };
        if Some(thumbprint.as_str()) != jkt {
            return Err(refuse("the DPoP proof is not by the token's key".into()));
        }
        Ok(())
    }
}

/// Spends a resource request's proof (its `jti`, once) on the resource server's store.
async fn spend_proof(
    rs: &ResourceServer,
    proof: &crate::rules::device::CheckedProof,
) -> Result<String, crate::flows::dpop::SpendError> {
    crate::flows::dpop::spend_on(&rs.store, rs.now_ms(), proof).await
}

/// Why a stored token does not grant access now, if it does not (shared by the in-process
/// check and the introspection endpoint).
pub async fn refusal(
    gateway: &Gateway,
    token: &TokenRecord,
    now: i64,
) -> Result<Option<&'static str>, StoreError> {
    let consent_live = match &token.consent_id {
        Some(consent) => Some(
            gateway
                .store
                .consent(consent)
                .await?
                .is_some_and(|c| in_force(c.revoked_ms, c.expires_ms, now)),
        ),
        None => None,
    };
    Ok(refusal_of(token, consent_live, now))
}

/// [`refusal`] once the token's consent is known: `consent_live` is `None` for a token not
/// bought with a consent, else whether that consent exists and is in force (not revoked,
/// not past its end).
pub fn refusal_of(
    token: &TokenRecord,
    consent_live: Option<bool>,
    now: i64,
) -> Option<&'static str> {
    if token.kind != "access" {
        return Some("access token does not exist");
    }
    if token.revoked {
        return Some("revoked access token");
    }
    // MC_ATTR_18: a transactional token lives seconds, any token no longer than its expiry.
    if token.expires_ms <= now {
        return Some("expired access token");
    }
    if token.policy == "one_time" && token.spent {
        return Some("the one-time access token was already used");
    }
    // Revoking a consent revokes what it bought (MC_ATTR_06); so does its end.
    if consent_live == Some(false) {
        return Some("the consent behind this access token was revoked or has ended");
    }
    None
}

/// MC_RES_05: the token is valid now, read from the token table or asked of the gateway's
/// introspection endpoint (RFC 7662).
pub async fn validate(rs: &ResourceServer, token: &str) -> Result<TokenFacts, ResourceError> {
    validate_reading(rs, token, Reads::Fresh, &mut Known::default()).await
}

/// [`validate`], reading the token's view as `reads` says (its epoch noted in `known`).
async fn validate_reading(
    rs: &ResourceServer,
    token: &str,
    reads: Reads,
    known: &mut Known,
) -> Result<TokenFacts, ResourceError> {
    match &rs.tokens {
        TokenValidation::InProcess => {
            let hash = token_hash(token);
            let view = rs
                .reads
                .token_view(&rs.store, &hash, reads)
                .await?
                .ok_or_else(|| ResourceError::invalid_token("access token does not exist"))?;
            let view = known.read(view);
            let record = view.token;
            let now = rs.now_ms();
            let consent_live = view
                .consent_live
                .map(|live| live && in_force(None, view.consent_expires_ms, now));
            if let Some(why) = refusal_of(&record, consent_live, now) {
                return Err(ResourceError::invalid_token(why));
            }
            Ok(TokenFacts {
                hash,
                client_id: record.client_id,
                user_id: record.user_id,
                scope: record.scope,
                one_time: record.policy == "one_time",
                withheld: view.consent_withdrawn,
                client: view.client,
                user: view.user,
                jkt: record.jkt,
            })
        }
        TokenValidation::Introspection(introspector) => introspect(introspector, token).await,
    }
}

async fn introspect(introspector: &Introspector, token: &str) -> Result<TokenFacts, ResourceError> {
    let response = introspector
        .http
        .post(&introspector.url)
        .basic_auth(&introspector.client_id, Some(&introspector.client_secret))
        .form(&[("token", token)])
        .send()
        .await
        .map_err(|e| {
            tracing::error!(error = %e.without_url(), "introspection unreachable");
            ResourceError::unavailable()
        })?;
    if !response.status().is_success() {
        tracing::error!(status = %response.status(), "introspection refused the resource server");
        return Err(ResourceError::server_error());
    }
    let facts: Value = response
        .json()
        .await
        .map_err(|_| ResourceError::server_error())?;
    if facts["active"] != true {
        return Err(ResourceError::invalid_token(
            "Invalid access token (or) access token does not exist (or) expired access token",
        ));
    }
    let text = |name: &str| facts[name].as_str().map(str::to_owned);
    Ok(TokenFacts {
        hash: token_hash(token),
        client_id: text("client_id").ok_or_else(ResourceError::server_error)?,
        user_id: text("assent_user"),
        scope: text("scope")
            .unwrap_or_default()
            .split_whitespace()
            .map(str::to_owned)
            .collect(),
        one_time: text("assent_policy").as_deref() == Some("one_time"),
        withheld: text("assent_withheld")
            .unwrap_or_default()
            .split_whitespace()
            .map(str::to_owned)
            .collect(),
        client: None,
        user: None,
        // RFC 9449 §6.2: introspection names the key of a bound token.
        jkt: facts["cnf"]["jkt"].as_str().map(str::to_owned),
    })
}

/// The user a generic token's request names (seed 003 §2.3, Annex A.2).
pub async fn named_user(rs: &ResourceServer, call: &ResourceCall) -> Result<User, ResourceError> {
    named_user_reading(rs, call, Reads::Fresh, &mut Known::default()).await
}

async fn named_user_reading(
    rs: &ResourceServer,
    call: &ResourceCall,
    reads: Reads,
    known: &mut Known,
) -> Result<User, ResourceError> {
    let msisdn = match wire::named_user(call.user_id.as_ref())? {
        wire::NamedUser::Msisdn(msisdn) => msisdn,
        wire::NamedUser::EncryptedMsisdn(jwe) => {
            let plaintext = rs
                .encryption
                .decrypt(&jwe)
                .map_err(|_| wire::invalid_user_id("cannot be decrypted with the gateway's key"))?;
            crate::base::msisdn::normalize_msisdn(&plaintext)
                .ok_or_else(|| wire::invalid_user_id("wrong format"))?
        }
    };
    let user = rs.reads.user_by_msisdn(&rs.store, &msisdn, reads).await?;
    known
        .read(user)
        .ok_or_else(|| ResourceError::invalid_request(wire::UNKNOWN_USER))
}

/// Serves a well-formed Resource Request: validates its token, finds its user, checks scope
/// and consent, answers (share and match), spends a one-time token, audits and notifies. A
/// refusal is audited ([`audit_refusal`]) and comes back with the SP it came from.
pub async fn serve(
    rs: &ResourceServer,
    endpoint: Endpoint,
    call: &ResourceCall,
    peer: Option<std::net::IpAddr>,
) -> Result<Disclosure, Refused> {
    // First from copies, then fresh (see `crate::store::cache`): a request is answered as
    // if nothing were cached, whatever changed since the copies were made.
    let mut reads = Reads::Cached;
    let mut attempt = 0;
    let mut proven = Proven::default();
    let (known, error) = loop {
        attempt += 1;
        let guarded = attempt <= GUARDED_ATTEMPTS;
        let mut known = Known::default();
        match serve_known(rs, endpoint, call, &mut known, reads, guarded, &mut proven).await {
            Ok(Attempt::Served(disclosure)) => return Ok(disclosure),
            Ok(Attempt::ReadAgain) => reads = Reads::Fresh,
            Err(_) if known.copied => reads = Reads::Fresh,
            Err(error) => break (known, error),
        }
    };
    if let Err(failure) = audit_refusal(
        rs,
        endpoint,
        known.sp.as_deref(),
        known.user.as_deref(),
        peer,
        &error,
    )
    .await
    {
        // The refusal stands; the trail could not be written (logged with the cause).
        return Err(Refused {
            error: failure.into(),
            sp: known.sp,
        });
    }
    Err(Refused {
        error,
        sp: known.sp,
    })
}

async fn serve_known(
    rs: &ResourceServer,
    endpoint: Endpoint,
    call: &ResourceCall,
    known: &mut Known,
    reads: Reads,
    guarded: bool,
    proven: &mut Proven,
) -> Result<Attempt, ResourceError> {
    let mut token = validate_reading(rs, &call.token, reads, known).await?;
    // The token's SP is known from here: a refusal, DPoP's included, is audited as its.
    known.sp = Some(token.client_id.clone());
    proven.check(rs, &token, call).await?;
    if token.one_time && known.copied {
        // A one-time token is spent below by its own conditional UPDATE, outside the record:
        // decided on fresh reads only, so that a stale record never follows a spend.
        return Ok(Attempt::ReadAgain);
    }
    known.sp = Some(token.client_id.clone());
    let client = match token.client.take() {
        Some(client) => client,
        None => rs
            .store
            .client(&token.client_id)
            .await?
            .ok_or_else(|| ResourceError::invalid_token("access token does not exist"))?,
    };
    if client.blacklisted {
        return Err(ResourceError::access_denied(
            "this SP may not use the gateway",
        ));
    }
    let generic = token.user_id.is_none();
    let user =
        match &token.user_id {
            Some(user_id) => {
                if call.user_id.is_some() {
                    return Err(ResourceError::invalid_request(wire::TIED));
                }
                match token.user.take() {
                    Some(user) => user,
                    None => rs.store.user_by_id(user_id).await?.ok_or_else(|| {
                        ResourceError::invalid_token("access token does not exist")
                    })?,
                }
            }
            None => named_user_reading(rs, call, reads, known).await?,
        };
    known.user = Some(user.id.clone());

    let services: Vec<&Service> = token
        .scope
        .iter()
        .filter_map(|s| rs.catalog.service(s))
        .collect();
    check_scope(&rs.catalog, endpoint, &token.scope, &services, call)?;
    // A generic token reaches a user's data only under that user's live long-lived consent
    // to this SP for each service that needs consent (seed 003 with MC_ATTR_06).
    let mut withheld = std::mem::take(&mut token.withheld);
    if generic {
        let now = rs.now_ms();
        let consents = rs
            .reads
            .long_lived_consents(&rs.store, &user.id, &client.client_id, reads)
            .await?;
        let live: Vec<_> = known
            .read(consents)
            .into_iter()
            .filter(|c| in_force(c.revoked_ms, c.expires_ms, now))
            .collect();
        let covering: Vec<&[String]> = live
            .iter()
            .filter(|c| services.iter().any(|s| c.scope.contains(&s.scope)))
            .map(|c| c.withdrawn.as_slice())
            .collect();
        withheld = withheld_by_all(&covering);
        for service in &services {
            let consented = service.consent == ConsentCapture::None
                || live.iter().any(|c| c.scope.contains(&service.scope));
            if !consented {
                return Err(ResourceError::access_denied(format!(
                    "the user has not consented to {} for this SP",
                    service.scope
                )));
            }
        }
    }

    let answer = answer(&rs.catalog, endpoint, &token.scope, &user, &withheld, call)?;
    // A one-time token's reads are fresh and its record unguarded (see above): the spend is
    // its guard, as before there were copies.
    let read_at = match (guarded && !token.one_time, known.read_at()) {
        (false, _) => None,
        (true, Some(epoch)) => Some(epoch),
        // The database moved between two reads of this attempt: read again.
        (true, None) if !known.epochs.is_empty() => return Ok(Attempt::ReadAgain),
        // Nothing was read here (introspection): nothing to guard.
        (true, None) => None,
    };
    spend(rs, &token).await?;
    let mut body = answer.claims;
    if !generic {
        // MC_ATTR_30: sub (the PCR) ties the response to the ID token; never for generic
        // tokens (seed 003 §2.4).
        body.insert("sub".into(), json!(rs.pcr.pcr(&client.client_id, &user.id)));
    }
    let disclosure = Disclosure {
        claims: body,
        attributes: answer.attributes,
        similarity: answer.similarity,
    };
    let access = access_record(
        rs,
        endpoint,
        &client.client_id,
        &user.id,
        &token,
        &disclosure,
        &services,
    );
    match rs.store.record(Record { read_at, ..access }).await? {
        Recorded::Durable => Ok(Attempt::Served(disclosure)),
        Recorded::Stale { now } => {
            rs.reads.learn(now);
            Ok(Attempt::ReadAgain)
        }
    }
}

/// Annex A `insufficient_scope`: the token's scopes must cover the endpoint and the
/// request.
fn check_scope(
    catalog: &Catalog,
    endpoint: Endpoint,
    scope: &[String],
    services: &[&Service],
    call: &ResourceCall,
) -> Result<(), ResourceError> {
    if endpoint == Endpoint::UserInfo && !scope.iter().any(|s| s == "openid") {
        // OIDC Core §5.3: the UserInfo endpoint is for OpenID tokens.
        return Err(ResourceError::insufficient_scope());
    }
    if services.is_empty() && endpoint == Endpoint::PremiumInfo {
        return Err(ResourceError::insufficient_scope());
    }
    // KYC Match is the match services' only.
    if endpoint == Endpoint::KycMatch && !claims::has_match_service(catalog, scope) {
        return Err(ResourceError::insufficient_scope());
    }
    // Claims to match need a match service to match them (MC_ATTR_22).
    if call.mc_claims.is_some() && !claims::has_match_service(catalog, scope) {
        return Err(ResourceError::insufficient_scope());
    }
    // A token whose services only match answers nothing without claims to match: refused
    // before anything is spent (a one-time token stays unspent).
    if call.mc_claims.is_none()
        && endpoint == Endpoint::PremiumInfo
        && services.iter().all(|s| s.kind == ServiceKind::Match)
    {
        return Err(ResourceError::invalid_request(
            "mc_claims is required: this token's services only match claims",
        ));
    }
    Ok(())
}

/// What the response says: the share services' attributes (MC_ATTR_29) and the answers to
/// the submitted claims (MC_ATTR_22, 27), under OIDC names on UserInfo.
pub fn answer(
    catalog: &Catalog,
    endpoint: Endpoint,
    scope: &[String],
    user: &User,
    withheld: &[String],
    call: &ResourceCall,
) -> Result<Answer, ResourceError> {
    let mut answer = Answer::default();
    // KYC Match answers what it was asked to match, and shares nothing.
    if endpoint != Endpoint::KycMatch {
        claims::share(catalog, scope, user, withheld, &mut answer);
    }
    if let Some(submitted) = &call.mc_claims {
        // KYC Match may ask only for fields the operator does not hold: nothing to match,
        // every field `not_available`, after every check of the request has passed.
        if !(endpoint == Endpoint::KycMatch && submitted.is_empty()) {
            claims::match_claims(catalog, scope, user, withheld, submitted, &mut answer)?;
        }
    }
    if endpoint == Endpoint::UserInfo {
        answer = userinfo_claims(answer);
    }
    Ok(answer)
}

/// MC_ATTR_18: a one-time token is spent by exactly one request, the one that gets here
/// first; the others are refused as if it had never been valid.
pub async fn spend(rs: &ResourceServer, token: &TokenFacts) -> Result<(), ResourceError> {
    if token.one_time && !rs.store.spend_token(&token.hash).await? {
        return Err(ResourceError::invalid_token(
            "the one-time access token was already used",
        ));
    }
    Ok(())
}

/// OIDC Core §5.1 names for what the share services disclose.
fn userinfo_claims(answer: Answer) -> Answer {
    let mut claims = Map::new();
    for (name, value) in answer.claims {
        match name.as_str() {
            "device_msisdn" => {
                claims.insert("phone_number".into(), value);
                claims.insert("phone_number_verified".into(), json!(true));
            }
            "given_name" | "family_name" | "email" | "birthdate" | "address" => {
                claims.insert(name, value);
            }
            _ => {}
        }
    }
    Answer {
        claims,
        attributes: answer.attributes,
        similarity: answer.similarity,
    }
}

/// MC_ATTR_31 and 19: every access is audited (names of what was returned and a hash of the
/// response, never the values) and queued as a notification for the user's devices.
///
/// One record: the access, its notification and the notification's entry are written
/// together (one commit, shared with the other requests waiting), and an access is never
/// audited without its notification queued.
pub fn access_record(
    rs: &ResourceServer,
    endpoint: Endpoint,
    client_id: &str,
    user_id: &str,
    token: &TokenFacts,
    disclosure: &Disclosure,
    services: &[&Service],
) -> Record {
    let now = rs.now_ms();
    let body = Value::Object(disclosure.claims.clone());
    let response_hash = hex::encode(Sha256::digest(body.to_string().as_bytes()));
    let scope: Vec<&str> = services.iter().map(|s| s.scope.as_str()).collect();
    let attributes = &disclosure.attributes;
    let detail = json!({
        "endpoint": endpoint.name(),
        "services": scope,
        "attributes": attributes,
        "response_sha256": response_hash,
        "token": token.hash.get(..16),
        "generic_token": token.user_id.is_none(),
    });
    let atp = services.iter().any(|s| s.kind == ServiceKind::Atp);
    let kind = if atp { "atp_check" } else { "resource_access" };
    Record {
        read_at: None,
        tokens: Vec::new(),
        entries: vec![
            NewEntry {
                at_ms: now,
                kind: EntryKind::ResourceAccess,
                user: Some(user_id.to_owned()),
                sp: Some(client_id.to_owned()),
                authenticator: None,
                detail: detail.to_string(),
            },
            NewEntry {
                at_ms: now,
                kind: EntryKind::Notification,
                user: Some(user_id.to_owned()),
                sp: Some(client_id.to_owned()),
                authenticator: None,
                detail: json!({"to": "user", "kind": kind}).to_string(),
            },
        ],
        notifications: vec![UserNotification {
            id: crate::base::ids::new_id("n"),
            user_id: user_id.to_owned(),
            client_id: client_id.to_owned(),
            kind: kind.into(),
            detail: json!({"services": scope, "attributes": attributes}).to_string(),
            created_ms: now,
        }],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wire::ResourceErrorKind;

    #[test]
    fn annex_a_unexpected_errors_are_server_errors_and_unreachable_databases_unavailable() {
        let unexpected =
            ResourceError::from(StoreError::Database(sqlx::Error::Protocol("bad".into())));
        assert_eq!(
            (unexpected.kind, unexpected.code()),
            (ResourceErrorKind::Server, Some("server_error"))
        );
        assert_eq!(unexpected.description, "Internal server error");
        let corrupt = ResourceError::from(StoreError::CorruptAudit {
            seq: 1,
            reason: "x".into(),
        });
        assert_eq!(corrupt.kind, ResourceErrorKind::Server);
        for unreachable in [sqlx::Error::PoolTimedOut, sqlx::Error::PoolClosed] {
            let error = ResourceError::from(StoreError::Database(unreachable));
            assert_eq!(
                (error.kind, error.code()),
                (ResourceErrorKind::Unavailable, Some("server_error"))
            );
            assert_eq!(error.description, "Service is not available");
        }
    }
}
