//! The handset simulator's messages: what it received, and the answer given to one.

use super::{Store, StoreError};
use sqlx::Row;

/// A message the handset simulator received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimMessage {
    pub id: String,
    pub kind: String,
    pub text: String,
    pub encoding: String,
    pub units: i64,
    pub sent_at: String,
    pub open: bool,
}

/// A message sent to a handset (simulated), waiting for an answer while `open`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSimMessage {
    pub id: String,
    pub msisdn: String,
    pub kind: String,
    pub text: String,
    pub encoding: String,
    pub units: i64,
    pub sent_ms: i64,
    pub sent_at: String,
    pub open: bool,
}

/// Also run inside a [`super::Tx`] (an answer commits with what it decides).
const INSERT_SIM_MESSAGE: &str = "INSERT INTO sim_messages (id, msisdn, kind, text, encoding, \
    units, sent_at, sent_ms, open) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";

/// Where a subscriber is in the USSD self-care menu, while a screen waits for their choice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UssdSession {
    /// The screen's message.
    pub message_id: String,
    pub msisdn: String,
    pub user_id: String,
    /// `rules::self_care::State` as JSON.
    pub state: String,
    pub expires_ms: i64,
}

impl super::Tx {
    /// A screen of a USSD session sent: its message to the handset and, while it waits for a
    /// choice, where the subscriber is (`session`; `None` for a last screen).
    pub async fn send_ussd_screen(
        &mut self,
        message: &NewSimMessage,
        session: Option<&UssdSession>,
    ) -> Result<(), StoreError> {
        const SESSION: &str = "INSERT INTO ussd_sessions (message_id, msisdn, user_id, state, \
            expires_ms) VALUES ($1, $2, $3, $4, $5)";
        on_tx!(self, |conn| {
            sqlx::query(INSERT_SIM_MESSAGE)
                .bind(&message.id)
                .bind(&message.msisdn)
                .bind(&message.kind)
                .bind(&message.text)
                .bind(&message.encoding)
                .bind(message.units)
                .bind(&message.sent_at)
                .bind(message.sent_ms)
                .bind(i64::from(message.open))
                .execute(&mut *conn)
                .await?;
            if let Some(s) = session {
                sqlx::query(SESSION)
                    .bind(&s.message_id)
                    .bind(&s.msisdn)
                    .bind(&s.user_id)
                    .bind(&s.state)
                    .bind(s.expires_ms)
                    .execute(&mut *conn)
                    .await?;
            }
        });
        Ok(())
    }

    /// Takes the session waiting on `message_id` of `msisdn` (deleted: each answer is taken
    /// once); `None` when there is none.
    pub async fn take_ussd_session(
        &mut self,
        msisdn: &str,
        message_id: &str,
    ) -> Result<Option<UssdSession>, StoreError> {
        const SQL: &str = "DELETE FROM ussd_sessions WHERE message_id = $1 AND msisdn = $2 \
            RETURNING message_id, msisdn, user_id, state, expires_ms";
        let row = on_tx!(self, |conn| {
            sqlx::query(SQL)
                .bind(message_id)
                .bind(msisdn)
                .fetch_optional(&mut *conn)
                .await?
                .map(|row| {
                    Ok::<_, sqlx::Error>(UssdSession {
                        message_id: row.try_get("message_id")?,
                        msisdn: row.try_get("msisdn")?,
                        user_id: row.try_get("user_id")?,
                        state: row.try_get("state")?,
                        expires_ms: row.try_get("expires_ms")?,
                    })
                })
                .transpose()?
        });
        Ok(row)
    }
}

impl Store {
    /// Whether `message_id` is a screen of a USSD self-care session on `msisdn`.
    pub async fn is_ussd_session(
        &self,
        msisdn: &str,
        message_id: &str,
    ) -> Result<bool, StoreError> {
        const SQL: &str =
            "SELECT COUNT(*) FROM ussd_sessions WHERE message_id = $1 AND msisdn = $2";
        let n: i64 = on_pool!(self, |pool| {
            sqlx::query_scalar(SQL)
                .bind(message_id)
                .bind(msisdn)
                .fetch_one(pool)
                .await?
        });
        Ok(n > 0)
    }

    /// Ends the sessions that timed out before `now_ms`: their screens closed on the
    /// handset, their rows deleted; how many.
    pub async fn purge_ussd_sessions(&self, now_ms: i64) -> Result<u64, StoreError> {
        const CLOSE: &str = "UPDATE sim_messages SET open = 0 WHERE id IN \
            (SELECT message_id FROM ussd_sessions WHERE expires_ms < $1)";
        const DELETE: &str = "DELETE FROM ussd_sessions WHERE expires_ms < $1";
        let purged = on_write!(self, |conn| {
            sqlx::query(CLOSE).bind(now_ms).execute(&mut *conn).await?;
            sqlx::query(DELETE)
                .bind(now_ms)
                .execute(&mut *conn)
                .await?
                .rows_affected()
        });
        Ok(purged)
    }
}

pub(super) const ANSWER_SIM_MESSAGE: &str = "UPDATE sim_messages SET open = 0, reply = $1 \
    WHERE id = $2 AND msisdn = $3 AND open = 1";

impl Store {
    /// Messages the simulator holds for a number, oldest first.
    pub async fn sim_messages(&self, msisdn: &str) -> Result<Vec<SimMessage>, StoreError> {
        const SQL: &str = "SELECT id, kind, text, encoding, units, sent_at, open FROM sim_messages \
            WHERE msisdn = $1 ORDER BY sent_ms, id";
        let rows = on_pool!(self, |pool| {
            sqlx::query(SQL)
                .bind(msisdn)
                .fetch_all(pool)
                .await?
                .into_iter()
                .map(|row| {
                    Ok::<_, sqlx::Error>(SimMessage {
                        id: row.try_get("id")?,
                        kind: row.try_get("kind")?,
                        text: row.try_get("text")?,
                        encoding: row.try_get("encoding")?,
                        units: row.try_get("units")?,
                        sent_at: row.try_get("sent_at")?,
                        open: row.try_get::<i64, _>("open")? != 0,
                    })
                })
                .collect::<Result<Vec<_>, _>>()?
        });
        Ok(rows)
    }

    /// Deletes the messages to handsets sent before `before_ms`, with what the SMSC said of
    /// them.
    pub async fn purge_sim_messages(&self, before_ms: i64) -> Result<u64, StoreError> {
        let purged = on_write!(self, |conn| {
            sqlx::query("DELETE FROM smsc_submissions WHERE submitted_ms < $1")
                .bind(before_ms)
                .execute(&mut *conn)
                .await?;
            sqlx::query("DELETE FROM sim_messages WHERE sent_ms < $1")
                .bind(before_ms)
                .execute(&mut *conn)
                .await?
                .rows_affected()
        });
        Ok(purged)
    }

    /// The messages of `kind` (`sms`, `ussd`) on handset `msisdn` that still wait for an
    /// answer, newest first, at most `limit`: where a mobile-originated reply may go, since an
    /// SMS or a USSD answer names no message.
    pub async fn open_messages(
        &self,
        msisdn: &str,
        kind: &str,
        limit: i64,
    ) -> Result<Vec<String>, StoreError> {
        const SQL: &str = "SELECT id FROM sim_messages WHERE msisdn = $1 AND kind = $2 \
            AND open = 1 ORDER BY sent_ms DESC, id DESC LIMIT $3";
        let ids = on_pool!(self, |pool| {
            sqlx::query_scalar(SQL)
                .bind(msisdn)
                .bind(kind)
                .bind(limit)
                .fetch_all(pool)
                .await?
        });
        Ok(ids)
    }

    /// Closes a message that will not be answered (the network did not take it).
    pub async fn close_sim_message(&self, id: &str) -> Result<(), StoreError> {
        on_write!(self, |conn| {
            sqlx::query("UPDATE sim_messages SET open = 0 WHERE id = $1")
                .bind(id)
                .execute(conn)
                .await?;
        });
        Ok(())
    }

    /// The SMSC took the parts of message `message_id` under `smsc_ids`, in order.
    pub async fn record_submissions(
        &self,
        message_id: &str,
        smsc_ids: &[String],
        at_ms: i64,
    ) -> Result<(), StoreError> {
        const SQL: &str = "INSERT INTO smsc_submissions (smsc_id, message_id, part, \
            submitted_ms) VALUES ($1, $2, $3, $4) ON CONFLICT (smsc_id) DO NOTHING";
        on_write!(self, |conn| {
            for (part, smsc_id) in (1i64..).zip(smsc_ids) {
                sqlx::query(SQL)
                    .bind(smsc_id)
                    .bind(message_id)
                    .bind(part)
                    .bind(at_ms)
                    .execute(&mut *conn)
                    .await?;
            }
        });
        Ok(())
    }

    /// A delivery receipt: the part the SMSC knows as `smsc_id` reached `state`. `false`
    /// when no such part is known (a receipt for a message purged, or not ours).
    pub async fn record_receipt(
        &self,
        smsc_id: &str,
        state: &str,
        at_ms: i64,
    ) -> Result<bool, StoreError> {
        const SQL: &str =
            "UPDATE smsc_submissions SET state = $1, state_ms = $2 WHERE smsc_id = $3";
        let updated = on_write!(self, |conn| {
            sqlx::query(SQL)
                .bind(state)
                .bind(at_ms)
                .bind(smsc_id)
                .execute(conn)
                .await?
                .rows_affected()
        });
        Ok(updated > 0)
    }

    /// What the SMSC said of each part of message `message_id`: its id and the receipt's
    /// state (`None` before one came), in order.
    pub async fn message_deliveries(
        &self,
        message_id: &str,
    ) -> Result<Vec<(String, Option<String>)>, StoreError> {
        const SQL: &str = "SELECT smsc_id, state FROM smsc_submissions WHERE message_id = $1 \
            ORDER BY part";
        let rows = on_pool!(self, |pool| {
            sqlx::query_as(SQL).bind(message_id).fetch_all(pool).await?
        });
        Ok(rows)
    }

    pub async fn insert_sim_message(&self, m: &NewSimMessage) -> Result<(), StoreError> {
        on_write!(self, |pool| {
            sqlx::query(INSERT_SIM_MESSAGE)
                .bind(&m.id)
                .bind(&m.msisdn)
                .bind(&m.kind)
                .bind(&m.text)
                .bind(&m.encoding)
                .bind(m.units)
                .bind(&m.sent_at)
                .bind(m.sent_ms)
                .bind(i64::from(m.open))
                .execute(pool)
                .await?;
        });
        Ok(())
    }
}
