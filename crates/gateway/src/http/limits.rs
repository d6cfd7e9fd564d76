//! Rate limits on the endpoints an abusive or broken client can make expensive: the token
//! endpoint and CIBA's `bc-authorize` per authenticated client (each request costs a client
//! authentication and database writes; `bc-authorize` sends a prompt to a person's handset),
//! ACME `new-account` per client IP (no account exists yet), ACME `new-order` and challenge
//! POSTs per account (a "ready" sends an SMS).
//!
//! Token buckets (GCRA, `governor`): a rate `N/min` allows a burst of `N` requests and then
//! one more every `1/N` minute. The buckets live in this process: with several gateway
//! instances behind one address, a client gets up to the limit at each instance (the SMS
//! bounds of the ACME challenge, which matter more, are kept in the database and hold across
//! instances). Behind a reverse proxy the per-IP limit sees the proxy's address: forwarded
//! headers are not trusted, because any client can write them.

use crate::rules::oauth::OAuthError;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::str::FromStr;
use std::time::Duration;

/// `N` requests per period, in a burst of at most `N`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub count: NonZeroU32,
    pub per: Duration,
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("a rate is N/s, N/min or N/h with N ≥ 1, or off; not {0:?}")]
pub struct RateParseError(String);

impl FromStr for Rate {
    type Err = RateParseError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || RateParseError(text.to_owned());
        let (count, unit) = text.split_once('/').ok_or_else(bad)?;
        let count = count.trim().parse::<NonZeroU32>().map_err(|_| bad())?;
        let per = match unit.trim() {
            "s" => Duration::from_secs(1),
            "min" => Duration::from_secs(60),
            "h" => Duration::from_secs(3600),
            _ => return Err(bad()),
        };
        Ok(Rate { count, per })
    }
}

impl std::fmt::Display for Rate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let unit = match self.per.as_secs() {
            1 => "s",
            60 => "min",
            _ => "h",
        };
        write!(f, "{}/{unit}", self.count)
    }
}

/// A rate, or `off` (no limit: for benchmarks that measure the endpoints themselves).
pub fn parse_limit(text: &str) -> Result<Option<Rate>, RateParseError> {
    if text.trim() == "off" {
        Ok(None)
    } else {
        text.parse().map(Some)
    }
}

/// The configured limits; `None` is no limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitConfig {
    /// `POST /token`, per client.
    pub token: Option<Rate>,
    /// `POST /bc-authorize`, per client.
    pub ciba: Option<Rate>,
    /// ACME `new-account` per IP, `new-order` and challenge POSTs per account (each its own
    /// bucket).
    pub acme: Option<Rate>,
    /// `GET /authorize` prompts per target (the user, or the hint of a number that is
    /// nobody's): against prompt bombing. Over it, the request reaches nobody and ends as
    /// one nobody answered.
    pub authorize_target: Option<Rate>,
    /// `GET /authorize` per peer address: anyone can call it, and each call writes a
    /// request.
    pub authorize_address: Option<Rate>,
    /// Refused resource server requests, per SP and per peer address (each its own bucket;
    /// successful requests never spend from it).
    pub resource_refused: Option<Rate>,
    /// `POST /device/register` per peer address: anyone can call it, and each refused
    /// attempt is recorded (SEC-1).
    pub device_register: Option<Rate>,
    /// Failed client authentications per peer address at the token, CIBA, introspection
    /// and revocation endpoints (RFC 6819 §4.3.5: online guessing of client
    /// secrets); over it, every authentication from that address is refused until the
    /// window closes, right credentials included.
    pub client_auth_failures: Option<Rate>,
}

impl Default for RateLimitConfig {
    /// Generous enough for QA runs, the app and the tests (which never come near them), tight
    /// enough that a runaway client is stopped within a minute.
    fn default() -> Self {
        let per_minute = |n: u32| {
            NonZeroU32::new(n).map(|count| Rate {
                count,
                per: Duration::from_secs(60),
            })
        };
        RateLimitConfig {
            token: per_minute(600),
            ciba: per_minute(120),
            acme: per_minute(60),
            authorize_target: NonZeroU32::new(10).map(|count| Rate {
                count,
                per: Duration::from_secs(3600),
            }),
            authorize_address: per_minute(120),
            resource_refused: per_minute(60),
            device_register: per_minute(30),
            client_auth_failures: per_minute(60),
        }
    }
}

/// Over the limit: try again after this many seconds (at least 1, for `Retry-After`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limited {
    pub retry_after_s: u64,
}

impl Limited {
    /// The OAuth answer over the limit: HTTP 429 (RFC 6585 §4) with `Retry-After` and an
    /// RFC 6749 §5.2 body ([`OAuthError::limited`] says why `temporarily_unavailable`).
    pub fn oauth_response(self) -> axum::response::Response {
        use axum::response::IntoResponse;
        self.oauth_error().into_response()
    }

    pub fn oauth_error(self) -> OAuthError {
        OAuthError::limited(
            self.retry_after_s,
            format!(
                "too many requests from this client: try again in {} s",
                self.retry_after_s
            ),
        )
    }
}

impl Limited {
    /// The resource server's answer over the limit: 429 with `Retry-After` and an Annex A
    /// shaped body (`server_error` is the nearest row; RFC 6585 §4 gives the status).
    pub fn resource_response(self) -> axum::response::Response {
        let mut response = crate::http::error::resource_json(
            axum::http::StatusCode::TOO_MANY_REQUESTS,
            serde_json::json!({
                "error": "server_error",
                "error_description": format!(
                    "too many refused requests: try again in {} s",
                    self.retry_after_s
                ),
            }),
        );
        response.headers_mut().insert(
            axum::http::header::RETRY_AFTER,
            axum::http::HeaderValue::from(self.retry_after_s),
        );
        response
    }
}

/// One keyed bucket set, or none.
pub struct Limiter<K: Hash + Eq + Clone> {
    rate: Option<Rate>,
    buckets: Option<DefaultKeyedRateLimiter<K>>,
}

impl<K: Hash + Eq + Clone> Limiter<K> {
    pub fn new(rate: Option<Rate>) -> Self {
        let buckets = rate.and_then(|rate| {
            let quota = Quota::with_period(rate.per / rate.count.get())?.allow_burst(rate.count);
            Some(DefaultKeyedRateLimiter::keyed(quota))
        });
        Limiter { rate, buckets }
    }

    /// Takes one request from `key`'s bucket.
    pub fn check(&self, key: &K) -> Result<(), Limited> {
        let Some(buckets) = &self.buckets else {
            return Ok(());
        };
        buckets.check_key(key).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            // Round up: a client that waits the whole seconds it is told must succeed.
            let whole = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            Limited {
                retry_after_s: whole.max(1),
            }
        })
    }

    /// Forgets keys whose buckets are full again, so the map does not grow without end.
    fn retain_recent(&self) {
        if let Some(buckets) = &self.buckets {
            buckets.retain_recent();
            buckets.shrink_to_fit();
        }
    }
}

/// The client's address, as the connection gave it (`None` when the router is served
/// without connection information).
pub fn peer_ip(extensions: &axum::http::Extensions) -> Option<IpAddr> {
    extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|peer| peer.0.ip())
}

impl Limiter<IpAddr> {
    /// Takes one request from the bucket of the request's peer address: the only key for
    /// a request that names nobody yet. Without a known address, nothing is limited.
    pub fn check_peer(&self, extensions: &axum::http::Extensions) -> Result<(), Limited> {
        peer_ip(extensions).map_or(Ok(()), |ip| self.check(&ip))
    }
}

impl<K: Hash + Eq + Clone> std::fmt::Debug for Limiter<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.rate {
            Some(rate) => write!(f, "Limiter({rate})"),
            None => f.write_str("Limiter(off)"),
        }
    }
}

/// Failed client authentications per key (the peer address): a fixed window of `rate.per`
/// that opens at the key's first failure and admits `rate.count` of them.
///
/// Written here rather than with `governor`, because a failure is only known once the
/// credentials have been checked, and a guess must not be checked once the budget is spent:
/// every attempt reserves a slot before its credentials are looked at (read and reserve under
/// one lock, so concurrent guesses cannot all pass a read), and a success gives its slot
/// back. `governor` takes from a bucket but has no way to give back.
#[derive(Debug)]
pub struct FailureBudget<K: Hash + Eq + Clone> {
    rate: Option<Rate>,
    windows: std::sync::Mutex<std::collections::HashMap<K, FailureWindow>>,
}

#[derive(Debug, Clone, Copy)]
struct FailureWindow {
    opened: std::time::Instant,
    reserved: u32,
}

/// A reserved failure slot: kept (counted as a failure) unless given back. A request dropped
/// half way, say by a client that hangs up, keeps its slot.
#[derive(Debug)]
#[must_use = "a reservation is a failure unless given back"]
pub struct FailureReservation<'a, K: Hash + Eq + Clone> {
    budget: &'a FailureBudget<K>,
    slot: Option<(K, std::time::Instant)>,
}

impl<K: Hash + Eq + Clone> FailureBudget<K> {
    pub fn new(rate: Option<Rate>) -> Self {
        FailureBudget {
            rate,
            windows: std::sync::Mutex::default(),
        }
    }

    fn windows(&self) -> std::sync::MutexGuard<'_, std::collections::HashMap<K, FailureWindow>> {
        // Nothing can be left half-written under this lock, so a poisoned one is usable.
        self.windows
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Reserves one failure slot of `key` at `now`, or says how long until the window
    /// closes.
    pub fn reserve(
        &self,
        key: K,
        now: std::time::Instant,
    ) -> Result<FailureReservation<'_, K>, Limited> {
        let Some(rate) = self.rate else {
            return Ok(FailureReservation {
                budget: self,
                slot: None,
            });
        };
        let mut windows = self.windows();
        let window = windows.entry(key.clone()).or_insert(FailureWindow {
            opened: now,
            reserved: 0,
        });
        if now.saturating_duration_since(window.opened) >= rate.per {
            *window = FailureWindow {
                opened: now,
                reserved: 0,
            };
        }
        if window.reserved >= rate.count.get() {
            let left = rate
                .per
                .saturating_sub(now.saturating_duration_since(window.opened));
            let whole = left.as_secs() + u64::from(left.subsec_nanos() > 0);
            return Err(Limited {
                retry_after_s: whole.max(1),
            });
        }
        window.reserved += 1;
        let opened = window.opened;
        Ok(FailureReservation {
            budget: self,
            slot: Some((key, opened)),
        })
    }

    /// Forgets windows closed at `now`, so the map does not grow without end.
    fn retain_open(&self, now: std::time::Instant) {
        let Some(rate) = self.rate else { return };
        let mut windows = self.windows();
        windows.retain(|_, w| now.saturating_duration_since(w.opened) < rate.per);
        windows.shrink_to_fit();
    }
}

impl<K: Hash + Eq + Clone> FailureReservation<'_, K> {
    /// Not a failure after all: the slot is free again (if its window is still the one it
    /// was taken from).
    pub fn give_back(self) {
        let Some((key, opened)) = self.slot else {
            return;
        };
        let mut windows = self.budget.windows();
        if let Some(window) = windows.get_mut(&key)
            && window.opened == opened
        {
            window.reserved = window.reserved.saturating_sub(1);
        }
    }
}

impl FailureBudget<IpAddr> {
    /// Reserves a slot of the request's peer address; without a known address, nothing is
    /// limited.
    pub fn reserve_peer(
        &self,
        extensions: &axum::http::Extensions,
    ) -> Result<FailureReservation<'_, IpAddr>, Limited> {
        match peer_ip(extensions) {
            Some(ip) => self.reserve(ip, std::time::Instant::now()),
            None => Ok(FailureReservation {
                budget: self,
                slot: None,
            }),
        }
    }
}

/// Every limit of one gateway process.
#[derive(Debug)]
pub struct RateLimits {
    pub config: RateLimitConfig,
    pub token: Limiter<String>,
    pub ciba: Limiter<String>,
    pub acme_new_account: Limiter<IpAddr>,
    pub acme_new_order: Limiter<String>,
    pub acme_challenge: Limiter<String>,
    pub authorize_target: Limiter<String>,
    pub authorize_address: Limiter<IpAddr>,
    pub resource_refused_sp: Limiter<String>,
    pub resource_refused_address: Limiter<IpAddr>,
    pub device_register: Limiter<IpAddr>,
    pub client_auth_failures: FailureBudget<IpAddr>,
}

impl RateLimits {
    pub fn new(config: RateLimitConfig) -> Self {
        RateLimits {
            config,
            token: Limiter::new(config.token),
            ciba: Limiter::new(config.ciba),
            acme_new_account: Limiter::new(config.acme),
            acme_new_order: Limiter::new(config.acme),
            acme_challenge: Limiter::new(config.acme),
            authorize_target: Limiter::new(config.authorize_target),
            authorize_address: Limiter::new(config.authorize_address),
            resource_refused_sp: Limiter::new(config.resource_refused),
            resource_refused_address: Limiter::new(config.resource_refused),
            device_register: Limiter::new(config.device_register),
            client_auth_failures: FailureBudget::new(config.client_auth_failures),
        }
    }

    /// Drops the state of idle keys; run once a minute.
    pub fn retain_recent(&self) {
        self.token.retain_recent();
        self.ciba.retain_recent();
        self.acme_new_account.retain_recent();
        self.acme_new_order.retain_recent();
        self.acme_challenge.retain_recent();
        self.authorize_target.retain_recent();
        self.authorize_address.retain_recent();
        self.resource_refused_sp.retain_recent();
        self.resource_refused_address.retain_recent();
        self.device_register.retain_recent();
        self.client_auth_failures
            .retain_open(std::time::Instant::now());
    }
}

impl Default for RateLimits {
    fn default() -> Self {
        RateLimits::new(RateLimitConfig::default())
    }
}

/// Keeps the limiters' maps small for as long as the process runs.
pub fn spawn_cleanup(limits: std::sync::Arc<RateLimits>) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(60));
        loop {
            every.tick().await;
            limits.retain_recent();
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_parse_and_print() {
        let rate: Rate = "30/min".parse().unwrap();
        assert_eq!(rate.count.get(), 30);
        assert_eq!(rate.per, Duration::from_secs(60));
        assert_eq!(rate.to_string(), "30/min");
        assert_eq!("5/s".parse::<Rate>().unwrap().to_string(), "5/s");
        assert_eq!("100/h".parse::<Rate>().unwrap().to_string(), "100/h");
        assert_eq!(parse_limit("off"), Ok(None));
        for bad in ["", "30", "0/min", "-1/s", "30/day", "x/s", "/s"] {
            assert!(bad.parse::<Rate>().is_err(), "{bad}");
        }
    }

    #[test]
    fn failures_reserve_before_the_check_and_successes_give_back() {
        let budget = FailureBudget::new(Some("2/min".parse().unwrap()));
        let start = std::time::Instant::now();
        let a = "a".to_owned();
        // Two attempts in flight at once reserve both slots: a third is refused before its
        // credentials are looked at.
        let first = budget.reserve(a.clone(), start).unwrap();
        let second = budget.reserve(a.clone(), start).unwrap();
        let refused = budget.reserve(a.clone(), start).err().unwrap();
        assert_eq!(refused.retry_after_s, 60);
        // A success gives its slot back; a failure keeps it.
        first.give_back();
        drop(second);
        let third = budget
            .reserve(a.clone(), start + Duration::from_secs(20))
            .unwrap();
        drop(third);
        let refused = budget
            .reserve(a.clone(), start + Duration::from_secs(20))
            .err()
            .unwrap();
        assert_eq!(refused.retry_after_s, 40);
        // Other keys have their own window.
        assert!(budget.reserve("b".to_owned(), start).is_ok());
        // A slot of a window that has closed is not given back to the next one.
        let b = "c".to_owned();
        let old = budget.reserve(b.clone(), start).unwrap();
        let next = start + Duration::from_secs(60);
        let one = budget.reserve(b.clone(), next).unwrap();
        let two = budget.reserve(b.clone(), next).unwrap();
        old.give_back();
        assert!(budget.reserve(b.clone(), next).is_err());
        drop((one, two));
        budget.retain_open(start + Duration::from_secs(500));
        assert!(budget.windows().is_empty());
        let off = FailureBudget::new(None);
        for _ in 0..100 {
            drop(off.reserve(a.clone(), start).unwrap());
        }
    }

    #[test]
    fn a_burst_is_allowed_then_refused_per_key() {
        let limiter = Limiter::new(Some("3/h".parse().unwrap()));
        let a = "a".to_owned();
        for _ in 0..3 {
            assert_eq!(limiter.check(&a), Ok(()));
        }
        let limited = limiter.check(&a).unwrap_err();
        // One request comes back every 20 minutes.
        assert!((1..=1200).contains(&limited.retry_after_s), "{limited:?}");
        assert!(limited.retry_after_s > 600, "{limited:?}");
        assert_eq!(limiter.check(&"b".to_owned()), Ok(()));
    }

    #[test]
    fn off_never_limits() {
        let limiter = Limiter::<String>::new(None);
        for _ in 0..10_000 {
            assert_eq!(limiter.check(&"a".to_owned()), Ok(()));
        }
    }
}
