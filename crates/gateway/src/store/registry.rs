//! Who is who: users' authenticators, pairwise subject look-up, client assertion replay
//! protection, and users' reports of SPs (flags).

use super::{Store, StoreError, User, authenticators_or_default};
use sqlx::Row;

/// A user's report of an SP (the app's "Report this SP").
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Flag {
    pub id: String,
    pub client_id: String,
    /// The reporting user's opaque id (never a number).
    pub user_id: Option<String>,
    pub reason: String,
    pub at_ms: i64,
}

impl Store {
    /// Replaces the authenticators of the user with this number; `false` if there is none.
    pub async fn set_authenticators(
        &self,
        msisdn: &str,
        authenticators: &[String],
    ) -> Result<bool, StoreError> {
        const SQL: &str = "UPDATE users SET authenticators = $1 WHERE msisdn = $2";
        let affected = on_write!(self, |pool| {
            sqlx::query(SQL)
                .bind(authenticators_or_default(authenticators))
                .bind(msisdn)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(affected == 1)
    }

    /// Remembers that `pcr` names `user_id` for SPs of `sector` (idempotent).
    pub async fn remember_pcr(
        &self,
        sector: &str,
        pcr: &str,
        user_id: &str,
    ) -> Result<(), StoreError> {
        const SQL: &str = "INSERT INTO pcrs (sector, pcr, user_id) VALUES ($1, $2, $3) \
            ON CONFLICT (sector, pcr) DO NOTHING";
        on_write!(self, |pool| {
            sqlx::query(SQL)
                .bind(sector)
                .bind(pcr)
                .bind(user_id)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// The user a PCR names for SPs of `sector`: one unique look-up (seed 001, SEC-2).
    pub async fn user_by_pcr(&self, sector: &str, pcr: &str) -> Result<Option<User>, StoreError> {
        const SQL: &str = "SELECT user_id FROM pcrs WHERE sector = $1 AND pcr = $2";
        let user_id: Option<String> = on_pool!(self, |pool| {
            match sqlx::query(SQL)
                .bind(sector)
                .bind(pcr)
                .fetch_optional(pool)
                .await?
            {
                Some(row) => Some(row.try_get("user_id")?),
                None => None,
            }
        });
        match user_id {
            Some(id) => self.user_by_id(&id).await,
            None => Ok(None),
        }
    }

    /// Records the `jti` of a client assertion; `false` if it was seen before (a replay).
    /// Assertions past their expiry are forgotten first: they would be refused anyway.
    pub async fn use_assertion_jti(
        &self,
        client_id: &str,
        jti: &str,
        expires_ms: i64,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        const PURGE: &str = "DELETE FROM client_assertions WHERE expires_ms < $1";
        const SQL: &str = "INSERT INTO client_assertions (client_id, jti, expires_ms) \
            VALUES ($1, $2, $3) ON CONFLICT (client_id, jti) DO NOTHING";
        let affected = on_write!(self, |pool| {
            sqlx::query(PURGE).bind(now_ms).execute(&mut *pool).await?;
            sqlx::query(SQL)
                .bind(client_id)
                .bind(jti)
                .bind(expires_ms)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(affected == 1)
    }

    pub async fn insert_flag(&self, flag: &Flag) -> Result<(), StoreError> {
        const SQL: &str =
            "INSERT INTO flags (id, client_id, user_id, reason, at_ms) VALUES ($1, $2, $3, $4, $5)";
        on_write!(self, |pool| {
            sqlx::query(SQL)
                .bind(&flag.id)
                .bind(&flag.client_id)
                .bind(&flag.user_id)
                .bind(&flag.reason)
                .bind(flag.at_ms)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Flags, oldest first; only those of `client_id` when given.
    pub async fn flags(&self, client_id: Option<&str>) -> Result<Vec<Flag>, StoreError> {
        const SQL: &str = "SELECT id, client_id, user_id, reason, at_ms FROM flags \
            WHERE (CAST($1 AS TEXT) IS NULL OR client_id = $1) ORDER BY at_ms, id";
        let rows = on_pool!(self, |pool| {
            sqlx::query(SQL)
                .bind(client_id)
                .fetch_all(pool)
                .await?
                .into_iter()
                .map(|row| {
                    Ok::<_, sqlx::Error>(Flag {
                        id: row.try_get("id")?,
                        client_id: row.try_get("client_id")?,
                        user_id: row.try_get("user_id")?,
                        reason: row.try_get("reason")?,
                        at_ms: row.try_get("at_ms")?,
                    })
                })
                .collect::<Result<Vec<_>, _>>()?
        });
        Ok(rows)
    }
}
