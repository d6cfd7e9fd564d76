//! Shared Signals: SPs' event streams and the outbox of signed events (SETs) waiting for
//! them. A pushed SET is claimed with a lease (a conditional update of `next_attempt_ms`),
//! as CIBA notifications are ([`super::delivery`]), and only the oldest SET of a stream is
//! ever due, so a stream's events reach the SP in the order they happened, across retries,
//! workers and restarts. What is written together with an audit entry (a stream's changes,
//! a new SET, an acknowledgement) is in [`super::Tx`].

use super::{Store, StoreError};
use sqlx::Row;

/// An SP's event stream as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsfStream {
    pub stream_id: String,
    pub client_id: String,
    /// `urn:ietf:rfc:8935` (push) or `urn:ietf:rfc:8936` (poll).
    pub delivery_method: String,
    /// Push: the SP's registered URL.
    pub endpoint_url: Option<String>,
    /// Push: the `Authorization` value the SP asked the gateway to send.
    pub authorization_header: Option<String>,
    pub events_requested: Vec<String>,
    pub description: Option<String>,
    /// `enabled`, `paused` or `disabled`.
    pub status: String,
    pub reason: Option<String>,
    pub created_ms: i64,
    pub updated_ms: i64,
}

/// A SET waiting for its SP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsfEvent {
    /// The outbox order (commit order, see migration 0023).
    pub seq: i64,
    pub stream_id: String,
    pub jti: String,
    /// Whose event it is (the audit entry of its delivery is theirs); none for verification.
    pub user_id: Option<String>,
    pub event_type: String,
    /// The SET's `events` claim (JSON).
    pub events: String,
    pub txn: Option<String>,
    pub created_ms: i64,
    pub next_attempt_ms: i64,
    pub attempts: i64,
}

/// A SET to put in a stream's outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSsfEvent {
    pub stream_id: String,
    pub jti: String,
    pub user_id: Option<String>,
    pub event_type: String,
    /// The SET's `events` claim (JSON).
    pub events: String,
    /// The consent it is about (`txn`), if any.
    pub txn: Option<String>,
    pub created_ms: i64,
}

pub(super) const STREAM_COLUMNS: &str = "stream_id, client_id, delivery_method, endpoint_url, \
    authorization_header, events_requested, description, status, reason, created_ms, updated_ms";

const EVENT_COLUMNS: &str = "seq, stream_id, jti, user_id, event_type, events, txn, \
    created_ms, next_attempt_ms, attempts";

pub(super) fn stream_from_row<R: Row>(row: &R) -> Result<SsfStream, sqlx::Error>
where
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<String>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'c> &'c str: sqlx::ColumnIndex<R>,
{
    let events: String = row.try_get("events_requested")?;
    Ok(SsfStream {
        stream_id: row.try_get("stream_id")?,
        client_id: row.try_get("client_id")?,
        delivery_method: row.try_get("delivery_method")?,
        endpoint_url: row.try_get("endpoint_url")?,
        authorization_header: row.try_get("authorization_header")?,
        // Written by this module as a JSON array of strings; anything else reads as none.
        events_requested: serde_json::from_str(&events).unwrap_or_default(),
        description: row.try_get("description")?,
        status: row.try_get("status")?,
        reason: row.try_get("reason")?,
        created_ms: row.try_get("created_ms")?,
        updated_ms: row.try_get("updated_ms")?,
    })
}

pub(super) fn event_from_row<R: Row>(row: &R) -> Result<SsfEvent, sqlx::Error>
where
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<String>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'c> &'c str: sqlx::ColumnIndex<R>,
{
    Ok(SsfEvent {
        seq: row.try_get("seq")?,
        stream_id: row.try_get("stream_id")?,
        jti: row.try_get("jti")?,
        user_id: row.try_get("user_id")?,
        event_type: row.try_get("event_type")?,
        events: row.try_get("events")?,
        txn: row.try_get("txn")?,
        created_ms: row.try_get("created_ms")?,
        next_attempt_ms: row.try_get("next_attempt_ms")?,
        attempts: row.try_get("attempts")?,
    })
}

/// The statements [`super::Tx`] runs for streams and their outbox.
pub(super) mod sql {
    pub const INSERT_STREAM: &str = "INSERT INTO ssf_streams (stream_id, client_id, \
        delivery_method, endpoint_url, authorization_header, events_requested, description, \
        status, reason, created_ms, updated_ms) \
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT DO NOTHING";
    pub const UPDATE_STREAM: &str = "UPDATE ssf_streams SET delivery_method = $1, \
        endpoint_url = $2, authorization_header = $3, events_requested = $4, description = $5, \
        status = $6, reason = $7, updated_ms = $8 WHERE stream_id = $9 AND client_id = $10";
    pub const DELETE_STREAM: &str =
        "DELETE FROM ssf_streams WHERE stream_id = $1 AND client_id = $2";
    pub const DELETE_STREAM_EVENTS: &str = "DELETE FROM ssf_events WHERE stream_id = $1";
    /// Reserves a verification in the statement that reads the last one (SSF §8.1.4.2
    /// `min_verification_interval`): two requests at once cannot both pass.
    pub const RESERVE_VERIFICATION: &str = "UPDATE ssf_streams SET last_verification_ms = $1 \
        WHERE stream_id = $2 AND client_id = $3 AND last_verification_ms <= $4";
    /// Only while the stream is there and keeps events: a stream deleted or disabled after
    /// the SET was made (and before this transaction) gets nothing, rather than a row no
    /// worker would ever deliver or drop.
    pub const INSERT_EVENT: &str = "INSERT INTO ssf_events (stream_id, jti, user_id, \
        event_type, events, txn, created_ms, next_attempt_ms) \
        SELECT $1, $2, $3, $4, $5, $6, $7, $7 WHERE EXISTS (SELECT 1 FROM ssf_streams \
        WHERE stream_id = $1 AND status <> 'disabled')";
    /// An SP's acknowledgement takes the SET out of the outbox, once.
    pub const TAKE_EVENT: &str = "DELETE FROM ssf_events WHERE stream_id = $1 AND jti = $2 \
        RETURNING seq, stream_id, jti, user_id, event_type, events, txn, created_ms, \
        next_attempt_ms, attempts";
}

impl Store {
    /// Stream `stream_id`, whoever's it is.
    pub async fn ssf_stream(&self, stream_id: &str) -> Result<Option<SsfStream>, StoreError> {
        let sql = format!("SELECT {STREAM_COLUMNS} FROM ssf_streams WHERE stream_id = $1");
        let stream = on_pool!(self, |pool| {
            sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(stream_id)
                .fetch_optional(pool)
                .await?
                .map(|row| stream_from_row(&row))
                .transpose()?
        });
        Ok(stream)
    }

    /// The SPs user `user_id` consented to and has not revoked: those that know them, and
    /// are told when a credential of theirs changes.
    pub async fn consented_clients(
        &self,
        user_id: &str,
        now_ms: i64,
    ) -> Result<Vec<String>, StoreError> {
        const SQL: &str = "SELECT DISTINCT client_id FROM consents WHERE user_id = $1 \
            AND revoked_ms IS NULL AND (expires_ms IS NULL OR expires_ms > $2) ORDER BY client_id";
        let clients = on_pool!(self, |pool| {
            sqlx::query(SQL)
                .bind(user_id)
                .bind(now_ms)
                .fetch_all(pool)
                .await?
                .iter()
                .map(|row| row.try_get::<String, _>("client_id"))
                .collect::<Result<Vec<_>, _>>()?
        });
        Ok(clients)
    }

    /// The stream of SP `client_id`, if it has one.
    pub async fn ssf_stream_of(&self, client_id: &str) -> Result<Option<SsfStream>, StoreError> {
        let sql = format!("SELECT {STREAM_COLUMNS} FROM ssf_streams WHERE client_id = $1");
        let stream = on_pool!(self, |pool| {
            sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(client_id)
                .fetch_optional(pool)
                .await?
                .map(|row| stream_from_row(&row))
                .transpose()?
        });
        Ok(stream)
    }

    /// The oldest waiting SET of each enabled push stream, if its next attempt is due: the
    /// only SETs a push worker may send (a stream's order holds).
    pub async fn due_ssf_pushes(
        &self,
        now_ms: i64,
        limit: i64,
    ) -> Result<Vec<SsfEvent>, StoreError> {
        let sql = format!(
            "SELECT {EVENT_COLUMNS} FROM ssf_events e WHERE e.next_attempt_ms <= $1 \
             AND e.seq = (SELECT MIN(f.seq) FROM ssf_events f WHERE f.stream_id = e.stream_id) \
             AND EXISTS (SELECT 1 FROM ssf_streams s WHERE s.stream_id = e.stream_id \
                 AND s.status = 'enabled' AND s.delivery_method = 'urn:ietf:rfc:8935') \
             ORDER BY e.next_attempt_ms LIMIT $2"
        );
        let events = on_pool!(self, |pool| {
            sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(now_ms)
                .bind(limit)
                .fetch_all(pool)
                .await?
                .iter()
                .map(event_from_row)
                .collect::<Result<Vec<_>, _>>()?
        });
        Ok(events)
    }

    /// Claims a push until `lease_until_ms`; `false` if another worker claimed it first or
    /// it left the outbox.
    pub async fn claim_ssf_push(
        &self,
        event: &SsfEvent,
        lease_until_ms: i64,
    ) -> Result<bool, StoreError> {
        const SQL: &str = "UPDATE ssf_events SET next_attempt_ms = $1 \
            WHERE seq = $2 AND next_attempt_ms = $3";
        let affected = on_write!(self, |conn| {
            sqlx::query(SQL)
                .bind(lease_until_ms)
                .bind(event.seq)
                .bind(event.next_attempt_ms)
                .execute(conn)
                .await?
                .rows_affected()
        });
        Ok(affected == 1)
    }

    /// A push failed: try again at `next_attempt_ms`.
    pub async fn ssf_push_failed(&self, seq: i64, next_attempt_ms: i64) -> Result<(), StoreError> {
        const SQL: &str =
            "UPDATE ssf_events SET attempts = attempts + 1, next_attempt_ms = $1 WHERE seq = $2";
        on_write!(self, |conn| {
            sqlx::query(SQL)
                .bind(next_attempt_ms)
                .bind(seq)
                .execute(conn)
                .await?;
        });
        Ok(())
    }

    /// Up to `limit` SETs waiting on `stream_id`, oldest first (a poll's answer).
    pub async fn ssf_waiting(
        &self,
        stream_id: &str,
        limit: i64,
    ) -> Result<Vec<SsfEvent>, StoreError> {
        let sql = format!(
            "SELECT {EVENT_COLUMNS} FROM ssf_events WHERE stream_id = $1 ORDER BY seq LIMIT $2"
        );
        let events = on_pool!(self, |pool| {
            sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(stream_id)
                .bind(limit)
                .fetch_all(pool)
                .await?
                .iter()
                .map(event_from_row)
                .collect::<Result<Vec<_>, _>>()?
        });
        Ok(events)
    }
}
