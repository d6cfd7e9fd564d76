//! Budgets: how many of something a key may spend in a fixed window (SMS per number per
//! hour, per account per hour, process-wide per minute). A unit is reserved in the same
//! statement that checks the count — an upsert whose update only happens below the cap,
//! returning the new count — so concurrent requests cannot all pass a read and then write:
//! on PostgreSQL the conflicting row is locked and its condition re-read by each writer in
//! turn; on SQLite every write goes through the one writer.

use super::{Store, StoreError};
use sqlx::Row;

/// What a reservation got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reservation {
    /// One unit is reserved: `used` of the window's cap are now spent.
    Granted { used: i64 },
    /// The window's cap is spent; the next window starts in `retry_after_ms`.
    Exhausted { retry_after_ms: i64 },
}

/// The start of the fixed window of `window_ms` that holds `now_ms`.
fn window_start(now_ms: i64, window_ms: i64) -> i64 {
    now_ms - now_ms.rem_euclid(window_ms.max(1))
}

impl Store {
    /// Reserves one unit of `key`'s budget of `cap` per `window_ms`, or says when the next
    /// window opens.
    pub async fn reserve(
        &self,
        key: &str,
        window_ms: i64,
        cap: i64,
        now_ms: i64,
    ) -> Result<Reservation, StoreError> {
        const SQL: &str = "INSERT INTO budgets (key, window_start, used) VALUES ($1, $2, 1) \
            ON CONFLICT (key, window_start) DO UPDATE SET used = budgets.used + 1 \
            WHERE budgets.used < $3 RETURNING used";
        let start = window_start(now_ms, window_ms);
        if cap <= 0 {
            return Ok(Reservation::Exhausted {
                retry_after_ms: start + window_ms - now_ms,
            });
        }
        let used = on_write!(self, |conn| {
            sqlx::query(SQL)
                .bind(key)
                .bind(start)
                .bind(cap)
                .fetch_optional(conn)
                .await?
                .map(|row| row.try_get::<i64, _>("used"))
                .transpose()?
        });
        Ok(match used {
            Some(used) => Reservation::Granted { used },
            None => Reservation::Exhausted {
                retry_after_ms: start + window_ms - now_ms,
            },
        })
    }

    /// Gives back a unit reserved at `now_ms` (the work it was for did not happen).
    pub async fn release(&self, key: &str, window_ms: i64, now_ms: i64) -> Result<(), StoreError> {
        const SQL: &str = "UPDATE budgets SET used = used - 1 \
            WHERE key = $1 AND window_start = $2 AND used > 0";
        on_write!(self, |conn| {
            sqlx::query(SQL)
                .bind(key)
                .bind(window_start(now_ms, window_ms))
                .execute(conn)
                .await?;
        });
        Ok(())
    }

    /// Forgets windows that started before `before_ms`.
    pub async fn purge_budgets(&self, before_ms: i64) -> Result<u64, StoreError> {
        let purged = on_write!(self, |conn| {
            sqlx::query("DELETE FROM budgets WHERE window_start < $1")
                .bind(before_ms)
                .execute(conn)
                .await?
                .rows_affected()
        });
        Ok(purged)
    }
}

#[cfg(test)]
mod tests {
    use super::window_start;

    #[test]
    fn windows_are_aligned_to_their_length() {
        assert_eq!(window_start(3_600_000 * 5 + 17, 3_600_000), 3_600_000 * 5);
        assert_eq!(window_start(59_999, 60_000), 0);
        assert_eq!(window_start(60_000, 60_000), 60_000);
    }
}
