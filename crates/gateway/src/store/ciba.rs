//! Server-Initiated (CIBA) authentication requests: created, looked up, moved from status to
//! status, and polled (OpenID CIBA Core 1.0).

use super::{Store, StoreError, words};
use sqlx::Row;

/// A Server-Initiated (CIBA) authentication request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CibaRequest {
    pub auth_req_hash: String,
    pub client_id: String,
    pub user_id: String,
    pub scope: Vec<String>,
    pub binding_message: Option<String>,
    pub delivery_mode: String,
    pub status: String,
    pub authenticator: String,
    pub message_id: Option<String>,
    pub prompt: String,
    pub created_ms: i64,
    pub expires_ms: i64,
    pub interval_s: i64,
    pub last_poll_ms: i64,
    /// Ping/push only, until delivered: the id itself, to send it back to the SP.
    pub auth_req_id: Option<String>,
    /// Ping/push only, until delivered: the SP's `client_notification_token`.
    pub notification_token: Option<String>,
    pub notified_ms: Option<i64>,
    pub notify_attempts: i64,
    /// When the next delivery may start; a claimed delivery holds a lease until then.
    pub next_attempt_ms: i64,
    /// Push: the family of the tokens issued for delivery.
    pub token_family: Option<String>,
}

/// Also run inside a [`super::Tx`] (an answer commits with its consent and audit entries).
pub(super) const TRANSITION_CIBA: &str =
    "UPDATE ciba_requests SET status = $1 WHERE auth_req_hash = $2 AND status = $3";

pub(super) const CIBA_COLUMNS: &str = "auth_req_hash, client_id, user_id, scope, binding_message, \
    delivery_mode, status, authenticator, message_id, prompt, created_ms, expires_ms, interval_s, \
    last_poll_ms, auth_req_id, notification_token, notified_ms, notify_attempts, next_attempt_ms, \
    token_family";

pub(super) fn ciba_from_row<R: Row>(row: &R) -> Result<CibaRequest, sqlx::Error>
where
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<String>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<i64>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'c> &'c str: sqlx::ColumnIndex<R>,
{
    Ok(CibaRequest {
        auth_req_hash: row.try_get("auth_req_hash")?,
        client_id: row.try_get("client_id")?,
        user_id: row.try_get("user_id")?,
        scope: words(&row.try_get::<String, _>("scope")?),
        binding_message: row.try_get("binding_message")?,
        delivery_mode: row.try_get("delivery_mode")?,
        status: row.try_get("status")?,
        authenticator: row.try_get("authenticator")?,
        message_id: row.try_get("message_id")?,
        prompt: row.try_get("prompt")?,
        created_ms: row.try_get("created_ms")?,
        expires_ms: row.try_get("expires_ms")?,
        interval_s: row.try_get("interval_s")?,
        last_poll_ms: row.try_get("last_poll_ms")?,
        auth_req_id: row.try_get("auth_req_id")?,
        notification_token: row.try_get("notification_token")?,
        notified_ms: row.try_get("notified_ms")?,
        notify_attempts: row.try_get("notify_attempts")?,
        next_attempt_ms: row.try_get("next_attempt_ms")?,
        token_family: row.try_get("token_family")?,
    })
}

impl Store {
    pub async fn insert_ciba(&self, r: &CibaRequest) -> Result<(), StoreError> {
        let sql = format!(
            "INSERT INTO ciba_requests ({CIBA_COLUMNS}) VALUES \
             ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, \
             $19, $20)"
        );
        on_write!(self, |pool| {
            sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(&r.auth_req_hash)
                .bind(&r.client_id)
                .bind(&r.user_id)
                .bind(r.scope.join(" "))
                .bind(&r.binding_message)
                .bind(&r.delivery_mode)
                .bind(&r.status)
                .bind(&r.authenticator)
                .bind(&r.message_id)
                .bind(&r.prompt)
                .bind(r.created_ms)
                .bind(r.expires_ms)
                .bind(r.interval_s)
                .bind(r.last_poll_ms)
                .bind(&r.auth_req_id)
                .bind(&r.notification_token)
                .bind(r.notified_ms)
                .bind(r.notify_attempts)
                .bind(r.next_attempt_ms)
                .bind(&r.token_family)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    pub async fn ciba(&self, auth_req_hash: &str) -> Result<Option<CibaRequest>, StoreError> {
        let sql = format!("SELECT {CIBA_COLUMNS} FROM ciba_requests WHERE auth_req_hash = $1");
        let row = on_pool!(self, |pool| {
            sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(auth_req_hash)
                .fetch_optional(pool)
                .await?
                .map(|row| ciba_from_row(&row))
        });
        Ok(row.transpose()?)
    }

    pub async fn ciba_by_message(
        &self,
        message_id: &str,
    ) -> Result<Option<CibaRequest>, StoreError> {
        let sql = format!("SELECT {CIBA_COLUMNS} FROM ciba_requests WHERE message_id = $1");
        let row = on_pool!(self, |pool| {
            sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(message_id)
                .fetch_optional(pool)
                .await?
                .map(|row| ciba_from_row(&row))
        });
        Ok(row.transpose()?)
    }

    /// Moves a request from status `from` to `to`; `false` if it was not in `from` (someone
    /// else moved it first: the answer was already given, or the tokens already issued).
    pub async fn transition_ciba(
        &self,
        auth_req_hash: &str,
        from: &str,
        to: &str,
    ) -> Result<bool, StoreError> {
        let affected = on_pool!(self, |pool| {
            sqlx::query(TRANSITION_CIBA)
                .bind(to)
                .bind(auth_req_hash)
                .bind(from)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(affected == 1)
    }

    /// Records a poll; returns `false` (and slows the client down by 5 s, CIBA §11) when it
    /// came sooner than the interval after the previous one.
    pub async fn record_poll(&self, r: &CibaRequest, now_ms: i64) -> Result<bool, StoreError> {
        const ON_TIME: &str = "UPDATE ciba_requests SET last_poll_ms = $1 \
            WHERE auth_req_hash = $2 AND last_poll_ms <= $3";
        const TOO_SOON: &str = "UPDATE ciba_requests SET last_poll_ms = $1, interval_s = interval_s + 5 \
            WHERE auth_req_hash = $2";
        let earliest_previous = now_ms - r.interval_s * 1000;
        let on_time = on_write!(self, |pool| {
            sqlx::query(ON_TIME)
                .bind(now_ms)
                .bind(&r.auth_req_hash)
                .bind(earliest_previous)
                .execute(pool)
                .await?
                .rows_affected()
        }) == 1;
        if !on_time {
            on_write!(self, |pool| {
                sqlx::query(TOO_SOON)
                    .bind(now_ms)
                    .bind(&r.auth_req_hash)
                    .execute(pool)
                    .await?;
            });
        }
        Ok(on_time)
    }
}
