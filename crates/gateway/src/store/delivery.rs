//! The CIBA ping/push outbox (CIBA Core §10.2, §10.3, §12): requests whose SP must be told.
//! A delivery is claimed with a lease (a conditional update of `next_attempt_ms`), so that
//! several workers — threads or gateway processes on one database — never deliver one
//! request twice at the same time, and a worker that dies mid-delivery is replaced when its
//! lease runs out.

use super::ciba::{CIBA_COLUMNS, ciba_from_row};
use super::{CibaRequest, Store, StoreError};

impl Store {
    /// How much waits to go out at `now_ms`: CIBA ping/push notifications not yet delivered
    /// (answered, or expired unanswered), and Shared Signals events not yet delivered or
    /// acknowledged. For the metrics.
    pub async fn outbox_depths(&self, now_ms: i64) -> Result<(i64, i64), StoreError> {
        const CIBA: &str = "SELECT COUNT(*) FROM ciba_requests WHERE notified_ms IS NULL \
            AND delivery_mode IN ('ping', 'push') \
            AND (status IN ('approved', 'denied', 'issued') OR expires_ms < $1)";
        const SSF: &str = "SELECT COUNT(*) FROM ssf_events";
        let depths = on_pool!(self, |pool| {
            let ciba: i64 = sqlx::query_scalar(CIBA)
                .bind(now_ms)
                .fetch_one(pool)
                .await?;
            let ssf: i64 = sqlx::query_scalar(SSF).fetch_one(pool).await?;
            (ciba, ssf)
        });
        Ok(depths)
    }

    /// Ping/push requests that need a delivery now: answered (or issued but not delivered,
    /// after a crash), or expired unanswered, and not yet delivered.
    pub async fn due_deliveries(
        &self,
        now_ms: i64,
        limit: i64,
    ) -> Result<Vec<CibaRequest>, StoreError> {
        let sql = format!(
            "SELECT {CIBA_COLUMNS} FROM ciba_requests \
             WHERE notified_ms IS NULL AND delivery_mode IN ('ping', 'push') \
             AND next_attempt_ms <= $1 \
             AND (status IN ('approved', 'denied', 'issued') OR expires_ms < $1) \
             ORDER BY next_attempt_ms LIMIT $2"
        );
        let rows = on_pool!(self, |pool| {
            sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(now_ms)
                .bind(limit)
                .fetch_all(pool)
                .await?
                .iter()
                .map(ciba_from_row)
                .collect::<Result<Vec<_>, _>>()?
        });
        Ok(rows)
    }

    /// Claims a delivery until `lease_until_ms`; `false` if another worker claimed it first
    /// (its `next_attempt_ms` is no longer the one this worker read).
    pub async fn claim_delivery(
        &self,
        r: &CibaRequest,
        lease_until_ms: i64,
    ) -> Result<bool, StoreError> {
        const SQL: &str = "UPDATE ciba_requests SET next_attempt_ms = $1 \
            WHERE auth_req_hash = $2 AND next_attempt_ms = $3 AND notified_ms IS NULL";
        let affected = on_write!(self, |pool| {
            sqlx::query(SQL)
                .bind(lease_until_ms)
                .bind(&r.auth_req_hash)
                .bind(r.next_attempt_ms)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(affected == 1)
    }

    /// The SP acknowledged the delivery: the secrets kept for it are wiped.
    pub async fn mark_delivered(&self, auth_req_hash: &str, now_ms: i64) -> Result<(), StoreError> {
        const SQL: &str = "UPDATE ciba_requests SET notified_ms = $1, auth_req_id = NULL, \
            notification_token = NULL WHERE auth_req_hash = $2";
        on_write!(self, |pool| {
            sqlx::query(SQL)
                .bind(now_ms)
                .bind(auth_req_hash)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// A delivery failed: try again at `next_attempt_ms`.
    pub async fn delivery_failed(
        &self,
        auth_req_hash: &str,
        next_attempt_ms: i64,
    ) -> Result<(), StoreError> {
        const SQL: &str = "UPDATE ciba_requests SET notify_attempts = notify_attempts + 1, \
            next_attempt_ms = $1 WHERE auth_req_hash = $2";
        on_write!(self, |pool| {
            sqlx::query(SQL)
                .bind(next_attempt_ms)
                .bind(auth_req_hash)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Push: records the family of the tokens issued for delivery.
    pub async fn set_token_family(
        &self,
        auth_req_hash: &str,
        family: Option<&str>,
    ) -> Result<(), StoreError> {
        const SQL: &str = "UPDATE ciba_requests SET token_family = $1 WHERE auth_req_hash = $2";
        on_write!(self, |pool| {
            sqlx::query(SQL)
                .bind(family)
                .bind(auth_req_hash)
                .execute(pool)
                .await?;
        });
        Ok(())
    }
}
