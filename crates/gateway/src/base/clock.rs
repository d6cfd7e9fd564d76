//! Time, passed in. Rules take the time as an argument; flows read it from the [`Clock`]
//! their handle was built with, so a test can fix it and move it (as rustls passes a
//! `TimeProvider` and kanidm passes `ct` to every operation).

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// Where the gateway's flows read the time.
pub trait Clock: std::fmt::Debug + Send + Sync {
    /// Milliseconds since the Unix epoch.
    fn now_ms(&self) -> i64;

    /// Today's date in UTC (MC_ATTR_21 counts ages in whole years).
    fn today(&self) -> time::Date {
        time::OffsetDateTime::from_unix_timestamp(self.now_ms() / 1000)
            .map(|t| t.date())
            .unwrap_or(time::Date::MIN)
    }
}

/// The system's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        now_ms()
    }
}

/// A clock that stands still until told to move: for tests of the flows.
#[derive(Debug, Clone)]
pub struct FixedClock(Arc<AtomicI64>);

impl FixedClock {
    pub fn at_ms(ms: i64) -> Self {
        FixedClock(Arc::new(AtomicI64::new(ms)))
    }

    /// Moves every copy of this clock forward (or back) by `ms`.
    pub fn advance_ms(&self, ms: i64) {
        self.0.fetch_add(ms, Ordering::SeqCst);
    }

    pub fn set_ms(&self, ms: i64) {
        self.0.store(ms, Ordering::SeqCst);
    }
}

impl Clock for FixedClock {
    fn now_ms(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// The system time in milliseconds since the epoch. Only the edges (the [`SystemClock`],
/// the store's housekeeping, the operator's commands) call it; rules never do.
pub fn now_ms() -> i64 {
    let now = time::OffsetDateTime::now_utc();
    i64::try_from(now.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

/// Milliseconds since the epoch as RFC 3339 (UTC, whole seconds); "" if out of range.
pub fn rfc3339(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(ms / 1000)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fixed_clock_moves_only_when_told_and_every_copy_sees_it() {
        let clock = FixedClock::at_ms(1_764_547_200_000); // 2025-12-01T00:00:00Z
        let copy = clock.clone();
        assert_eq!(copy.now_ms(), 1_764_547_200_000);
        clock.advance_ms(86_400_000);
        assert_eq!(copy.now_ms(), 1_764_633_600_000);
        assert_eq!(copy.today(), time::macros::date!(2025 - 12 - 02));
        assert_eq!(rfc3339(copy.now_ms()), "2025-12-02T00:00:00Z");
    }
}
