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

    /// Deletes the simulator's messages sent before `before_ms`.
    pub async fn purge_sim_messages(&self, before_ms: i64) -> Result<u64, StoreError> {
        let purged = on_write!(self, |conn| {
            sqlx::query("DELETE FROM sim_messages WHERE sent_ms < $1")
                .bind(before_ms)
                .execute(conn)
                .await?
                .rows_affected()
        });
        Ok(purged)
    }

    pub async fn insert_sim_message(&self, m: &NewSimMessage) -> Result<(), StoreError> {
        const SQL: &str = "INSERT INTO sim_messages (id, msisdn, kind, text, encoding, units, sent_at, \
            sent_ms, open) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
        on_write!(self, |pool| {
            sqlx::query(SQL)
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
