//! The ACME server (RFC 8555) at `/acme/directory`, for one kind of identifier — a single
//! telephone number as `TNAuthList` (RFC 9448) — and one challenge, `sms-link-00`
//! ([docs/acme-sms-link.md](../../../../docs/acme-sms-link.md)). Wire rules (JWS, problems,
//! TNAuthList, CSRs, certificates, key authorizations) are `assent-acme`'s, the server's
//! rules without I/O are `rules::acme`; this module is the server's state machine over the
//! store, the clock and the SMS sender of a [`Gateway`]. It answers with values
//! ([`AcmeReply`], [`AcmeError`]); what they look like on the wire is `http::acme`'s.
//!
//! Bounds, because a six-digit code carries only ~20 bits: a code lives 10 minutes; 3
//! answers per challenge, the third wrong one making it invalid; 100 failed answers for a
//! number, across all accounts, lock the number for 24 hours (or until an operator unlocks
//! it: `assent-gateway admin acme unlock`); at most 5 SMS per number and 10 per account an
//! hour, 60 a minute from the whole gateway (`rateLimited` with `Retry-After`), and only to
//! numbers the gateway serves unless told otherwise; every count is reserved in the
//! statement that checks it; codes are stored as keyed hashes and compared in constant
//! time; of concurrent "ready" POSTs exactly one sends an SMS.

mod account;
pub mod ca;
mod certificate;
mod challenge;
mod objects;
mod order;
mod request;

/// Whether an SPKI holds an account key (device registration asks it too).
pub use crate::rules::acme::spki_is;
pub use account::{account, account_orders, key_change, new_account};
pub use ca::AcmeCa;
pub use certificate::{certificate, finalize, revoke_cert};
pub use challenge::challenge;
pub use order::{authz, new_order, order};

use crate::flows::Gateway;
use crate::rules::acme::resource_url;
use crate::store::StoreError;
use assent_acme::problem::{AcmeProblem, ProblemType};
use assent_acme::sms_link;
use serde::Serialize;
use serde_json::Value;

/// How long a nonce may wait to be used (ms).
const NONCE_TTL_MS: i64 = 10 * 60_000;
// The bounds are the challenge's rules, pinned in assent-acme (and docs/acme-sms-link.md).
/// The code's lifetime (ms): at most 10 minutes.
const CODE_TTL_MS: i64 = sms_link::CODE_LIFETIME_SECS as i64 * 1000;
/// Wrong answers a challenge tolerates before it is invalid.
const MAX_WRONG_ANSWERS: i64 = sms_link::MAX_WRONG_ANSWERS_PER_CHALLENGE as i64;
/// Failed answers for a number, across all accounts, before it is locked.
const LOCK_AFTER_FAILURES: i64 = sms_link::MAX_FAILED_ANSWERS_PER_NUMBER as i64;
const HOUR_MS: i64 = 3_600_000;
/// How long a number stays locked after its failed answers reached the bound: the lock is
/// evidence of guessing, not a verdict on the subscriber, so it ends by itself (an operator
/// can end it sooner).
const LOCK_MS: i64 = 24 * HOUR_MS;
/// What a client waits before polling a pending or processing object (s).
const RETRY_AFTER_S: u64 = 2;

/// What a request achieved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyKind {
    /// Read, changed or done (an existing resource, a revocation).
    Done,
    /// A new resource, at the reply's `location` (newAccount, newOrder: RFC 8555 §7.3, §7.4).
    Created,
}

/// The body of a reply.
#[derive(Debug, Clone, PartialEq)]
pub enum ReplyBody {
    /// An ACME object (RFC 8555 §7.1.2–7.1.6) or the account's order list, as JSON written
    /// from its type (`assent_proto::acme`, [`objects`]).
    Json(Value),
    /// A certificate chain, PEM (§7.4.2).
    Pem(String),
    Empty,
}

/// A request's answer: what it achieved, the resource, where the resource lives (§7.3,
/// §7.4, §7.5.1: the challenge's answer names its authorization with `rel="up"` as
/// `Location`), and when to poll again for an object still in progress (§7.5.1).
#[derive(Debug, Clone, PartialEq)]
pub struct AcmeReply {
    pub kind: ReplyKind,
    pub body: ReplyBody,
    pub location: Option<String>,
    pub retry_after_s: Option<u64>,
}

impl AcmeReply {
    /// A reply whose body is `object` (an `assent_proto::acme` type) as JSON. Its members go
    /// in lexicographic order, as this server has always written them.
    fn object(kind: ReplyKind, object: &impl Serialize) -> Self {
        AcmeReply {
            kind,
            // An ACME object always serializes: its members are strings, numbers, booleans
            // and lists of them.
            body: ReplyBody::Json(serde_json::to_value(object).unwrap_or_default()),
            location: None,
            retry_after_s: None,
        }
    }

    fn done(object: &impl Serialize) -> Self {
        Self::object(ReplyKind::Done, object)
    }

    fn at(mut self, location: String) -> Self {
        self.location = Some(location);
        self
    }

    fn retry_after(mut self, seconds: u64) -> Self {
        self.retry_after_s = Some(seconds);
        self
    }

    /// The JSON body, if the reply has one.
    pub fn json_body(&self) -> Option<&Value> {
        match &self.body {
            ReplyBody::Json(value) => Some(value),
            _ => None,
        }
    }
}

/// Why a request failed: an RFC 8555 problem (its type says which status it takes), with
/// `Retry-After` when it is `rateLimited` (§6.6), or the database out of reach (the same
/// request may succeed later).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{problem}")]
pub struct AcmeError {
    pub problem: AcmeProblem,
    /// Seconds the client waits before asking again (rateLimited).
    pub retry_after_s: Option<u64>,
    /// The database could not be reached: nothing was refused, the request may be repeated.
    pub unavailable: bool,
}

impl AcmeError {
    /// Over a request budget: `rateLimited` with `Retry-After` (RFC 8555 §6.6).
    pub fn rate_limited(retry_after_s: u64) -> Self {
        AcmeError {
            problem: AcmeProblem::new(
                ProblemType::RateLimited,
                format!("too many requests: try again in {retry_after_s} s"),
            ),
            retry_after_s: Some(retry_after_s),
            unavailable: false,
        }
    }
}

impl From<AcmeProblem> for AcmeError {
    fn from(problem: AcmeProblem) -> Self {
        AcmeError {
            problem,
            retry_after_s: None,
            unavailable: false,
        }
    }
}

impl From<StoreError> for AcmeError {
    fn from(error: StoreError) -> Self {
        tracing::error!(%error, "acme store error");
        AcmeError {
            problem: AcmeProblem::new(
                ProblemType::ServerInternal,
                "the server could not complete the request",
            ),
            retry_after_s: None,
            unavailable: error.is_unreachable(),
        }
    }
}

fn problem(kind: ProblemType, detail: impl Into<String>) -> AcmeError {
    AcmeProblem::new(kind, detail).into()
}

/// A per-account request budget that the caller keeps (the HTTP edge's rate limits): a
/// flow spends from it once the JWS has named a valid account (RFC 8555 §6.2) and before
/// any work for that account, so the account is known but nothing was done for it yet.
pub trait AccountBudget: Sync {
    /// `Err(seconds)`: the account is over its budget; it may try again after that long.
    fn spend(&self, account_id: &str) -> Result<(), u64>;
}

impl<F: Fn(&str) -> Result<(), u64> + Sync> AccountBudget for F {
    fn spend(&self, account_id: &str) -> Result<(), u64> {
        self(account_id)
    }
}

/// No budget: every request may go on (tests, and a caller without rate limits).
#[derive(Debug, Clone, Copy, Default)]
pub struct Unlimited;

impl AccountBudget for Unlimited {
    fn spend(&self, _: &str) -> Result<(), u64> {
        Ok(())
    }
}

/// The URL of an ACME resource of this gateway.
fn url(gateway: &Gateway, path: &str) -> String {
    resource_url(&gateway.issuer, path)
}

/// A fresh `Replay-Nonce` (RFC 8555 §6.5), for every ACME response. Handing a nonce out
/// writes nothing: it carries its expiry and a MAC (`assent_acme::nonce`); only spending one
/// is recorded.
pub fn new_nonce(gateway: &Gateway) -> String {
    gateway
        .acme_ca
        .nonce_key()
        .mint(gateway.now_ms() + NONCE_TTL_MS)
}

/// The directory (RFC 8555 §7.1.1).
pub fn directory(gateway: &Gateway) -> assent_proto::acme::Directory {
    objects::directory(&gateway.issuer)
}

/// The directory's URL: every ACME response links to it with `rel="index"` (§7.1).
pub fn directory_url(gateway: &Gateway) -> String {
    url(gateway, "/directory")
}

/// A number locked after too many failed answers takes no new order, no new code and no
/// answer until the lock ends (a day after it began) or an operator lifts it.
async fn refuse_locked(gateway: &Gateway, number: &str) -> Result<(), AcmeError> {
    match gateway.store.acme_number(number).await?.1 {
        Some(since) if since > gateway.now_ms() - LOCK_MS => Err(locked()),
        _ => Ok(()),
    }
}

/// The refusal of a locked number.
fn locked() -> AcmeError {
    problem(
        ProblemType::RejectedIdentifier,
        "this number is locked after too many failed answers; the lock ends after 24 hours, \
         or an operator lifts it sooner",
    )
}
