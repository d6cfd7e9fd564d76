//! Consents as the resource server needs them, one-time tokens spent atomically, and the
//! notifications queued for users' devices (MC_ATTR_19).

use super::{Store, StoreError, words};
use sqlx::Row;

/// A consent the user gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consent {
    pub id: String,
    pub user_id: String,
    pub client_id: String,
    pub scope: Vec<String>,
    pub kind: String,
    pub prompt: String,
    pub granted_ms: i64,
    pub revoked_ms: Option<i64>,
    /// When it ends by itself (long-lived consents under a catalog lifetime).
    pub expires_ms: Option<i64>,
    /// Attributes the user withdrew from it while keeping the rest.
    pub withdrawn: Vec<String>,
}

/// Also run inside a [`super::Tx`] (a consent commits with the answer that gave it).
pub(super) const INSERT_CONSENT: &str = "INSERT INTO consents (id, user_id, client_id, scope, kind, prompt, \
    granted_ms, revoked_ms, expires_ms, withdrawn) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";

/// The user's (`$1`) long-lived consents in force at `$2`: not revoked, not ended.
const IN_FORCE: &str = "user_id = $1 AND kind = 'long_lived' AND revoked_ms IS NULL \
    AND (expires_ms IS NULL OR expires_ms > $2)";

pub(super) const CONSENT_COLUMNS: &str =
    "id, user_id, client_id, scope, kind, prompt, granted_ms, revoked_ms, expires_ms, withdrawn";

pub(super) fn consent_from_row<R: Row>(row: &R) -> Result<Consent, sqlx::Error>
where
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<i64>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'c> &'c str: sqlx::ColumnIndex<R>,
{
    Ok(Consent {
        id: row.try_get("id")?,
        user_id: row.try_get("user_id")?,
        client_id: row.try_get("client_id")?,
        scope: words(&row.try_get::<String, _>("scope")?),
        kind: row.try_get("kind")?,
        prompt: row.try_get("prompt")?,
        granted_ms: row.try_get("granted_ms")?,
        revoked_ms: row.try_get("revoked_ms")?,
        expires_ms: row.try_get("expires_ms")?,
        withdrawn: words(&row.try_get::<String, _>("withdrawn")?),
    })
}

/// A consent receipt as issued (the JWS kept byte for byte).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub id: String,
    pub user_id: String,
    pub client_id: String,
    pub consent_id: String,
    /// `consent` or `withdrawal`.
    pub kind: String,
    pub at_ms: i64,
    pub jws: String,
}

/// A notification for a user's devices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserNotification {
    pub id: String,
    pub user_id: String,
    pub client_id: String,
    pub kind: String,
    pub detail: String,
    pub created_ms: i64,
}

/// Also run inside a [`super::tx::Tx`] (a resource access and its notification commit together).
pub(super) const INSERT_USER_NOTIFICATION: &str = "INSERT INTO user_notifications (id, user_id, \
    client_id, kind, detail, created_ms) VALUES ($1, $2, $3, $4, $5, $6)";

impl Store {
    pub async fn consent(&self, id: &str) -> Result<Option<Consent>, StoreError> {
        let sql = format!("SELECT {CONSENT_COLUMNS} FROM consents WHERE id = $1");
        let row = on_pool!(self, |pool| {
            sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(id)
                .fetch_optional(pool)
                .await?
                .map(|row| consent_from_row(&row))
        });
        Ok(row.transpose()?)
    }

    /// The user's long-lived consents to this SP in force at `now_ms` (not revoked, not
    /// ended), newest first.
    pub async fn live_consents(
        &self,
        user_id: &str,
        client_id: &str,
        now_ms: i64,
    ) -> Result<Vec<Consent>, StoreError> {
        let sql = format!(
            "SELECT {CONSENT_COLUMNS} FROM consents WHERE {IN_FORCE} AND client_id = $3 \
             ORDER BY granted_ms DESC"
        );
        let rows = on_pool!(self, |pool| {
            sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(user_id)
                .bind(now_ms)
                .bind(client_id)
                .fetch_all(pool)
                .await?
                .iter()
                .map(consent_from_row)
                .collect::<Result<Vec<_>, _>>()?
        });
        Ok(rows)
    }

    /// The user's long-lived consents in force at `now_ms`, to every SP, oldest first.
    pub async fn user_live_consents(
        &self,
        user_id: &str,
        now_ms: i64,
    ) -> Result<Vec<Consent>, StoreError> {
        let sql = format!(
            "SELECT {CONSENT_COLUMNS} FROM consents WHERE {IN_FORCE} ORDER BY granted_ms, id"
        );
        let rows = on_pool!(self, |pool| {
            sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(user_id)
                .bind(now_ms)
                .fetch_all(pool)
                .await?
                .iter()
                .map(consent_from_row)
                .collect::<Result<Vec<_>, _>>()?
        });
        Ok(rows)
    }

    /// Revokes a consent and every token bought with it; `false` if it was not live.
    pub async fn revoke_consent(&self, id: &str, now_ms: i64) -> Result<bool, StoreError> {
        let mut tx = self.begin().await?;
        let revoked = tx.revoke_consent(id, now_ms).await?;
        tx.commit().await?;
        Ok(revoked)
    }

    /// The user's consent receipts, oldest first (a consent before a withdrawal of the same
    /// millisecond).
    pub async fn receipts(&self, user_id: &str) -> Result<Vec<Receipt>, StoreError> {
        const SQL: &str = "SELECT id, user_id, client_id, consent_id, kind, at_ms, jws \
            FROM receipts WHERE user_id = $1 \
            ORDER BY at_ms, CASE kind WHEN 'consent' THEN 0 ELSE 1 END, id";
        let rows = on_pool!(self, |pool| {
            sqlx::query(SQL)
                .bind(user_id)
                .fetch_all(pool)
                .await?
                .into_iter()
                .map(|row| {
                    Ok::<_, sqlx::Error>(Receipt {
                        id: row.try_get("id")?,
                        user_id: row.try_get("user_id")?,
                        client_id: row.try_get("client_id")?,
                        consent_id: row.try_get("consent_id")?,
                        kind: row.try_get("kind")?,
                        at_ms: row.try_get("at_ms")?,
                        jws: row.try_get("jws")?,
                    })
                })
                .collect::<Result<Vec<_>, _>>()?
        });
        Ok(rows)
    }

    /// Long-lived consents in force that end within `(now_ms, until_ms]` and whose user was
    /// not reminded yet, soonest first, at most `limit`.
    pub async fn consents_to_remind(
        &self,
        now_ms: i64,
        until_ms: i64,
        limit: i64,
    ) -> Result<Vec<Consent>, StoreError> {
        let sql = format!(
            "SELECT {CONSENT_COLUMNS} FROM consents WHERE revoked_ms IS NULL \
             AND reminded_ms IS NULL AND expires_ms > $1 AND expires_ms <= $2 \
             ORDER BY expires_ms, id LIMIT $3"
        );
        self.consents_where(&sql, &[now_ms, until_ms, limit]).await
    }

    /// Consents past their end (`expires_ms <= now_ms`) whose end is not recorded yet, and
    /// that were not revoked first, oldest end first, at most `limit`.
    pub async fn consents_ended(
        &self,
        now_ms: i64,
        limit: i64,
    ) -> Result<Vec<Consent>, StoreError> {
        let sql = format!(
            "SELECT {CONSENT_COLUMNS} FROM consents WHERE revoked_ms IS NULL \
             AND ended_ms IS NULL AND expires_ms <= $1 ORDER BY expires_ms, id LIMIT $2"
        );
        self.consents_where(&sql, &[now_ms, limit]).await
    }

    /// The consents `sql` selects, its parameters `$1…` bound in order.
    async fn consents_where(&self, sql: &str, binds: &[i64]) -> Result<Vec<Consent>, StoreError> {
        let rows = on_pool!(self, |pool| {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()));
            for value in binds {
                query = query.bind(*value);
            }
            query
                .fetch_all(pool)
                .await?
                .iter()
                .map(consent_from_row)
                .collect::<Result<Vec<_>, _>>()?
        });
        Ok(rows)
    }

    /// Spends a one-time token: of any number of concurrent callers exactly one gets `true`
    /// (one conditional UPDATE, atomic on SQLite and PostgreSQL alike).
    pub async fn spend_token(&self, token_hash: &str) -> Result<bool, StoreError> {
        const SQL: &str = "UPDATE tokens SET spent = 1 WHERE token_hash = $1 AND spent = 0";
        let affected = on_write!(self, |pool| {
            sqlx::query(SQL)
                .bind(token_hash)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(affected == 1)
    }

    pub async fn queue_user_notification(&self, n: &UserNotification) -> Result<(), StoreError> {
        on_write!(self, |pool| {
            sqlx::query(INSERT_USER_NOTIFICATION)
                .bind(&n.id)
                .bind(&n.user_id)
                .bind(&n.client_id)
                .bind(&n.kind)
                .bind(&n.detail)
                .bind(n.created_ms)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// A user's queued notifications, oldest first.
    pub async fn user_notifications(
        &self,
        user_id: &str,
    ) -> Result<Vec<UserNotification>, StoreError> {
        const SQL: &str = "SELECT id, user_id, client_id, kind, detail, created_ms \
            FROM user_notifications WHERE user_id = $1 ORDER BY created_ms, id";
        let rows = on_pool!(self, |pool| {
            sqlx::query(SQL)
                .bind(user_id)
                .fetch_all(pool)
                .await?
                .into_iter()
                .map(|row| {
                    Ok::<_, sqlx::Error>(UserNotification {
                        id: row.try_get("id")?,
                        user_id: row.try_get("user_id")?,
                        client_id: row.try_get("client_id")?,
                        kind: row.try_get("kind")?,
                        detail: row.try_get("detail")?,
                        created_ms: row.try_get("created_ms")?,
                    })
                })
                .collect::<Result<Vec<_>, _>>()?
        });
        Ok(rows)
    }
}

impl Store {
    /// Grant Management §4.1: request `request_hash` asks to `action` (`merge`, `replace`)
    /// the grant `grant_id`.
    pub async fn insert_grant_update(
        &self,
        request_hash: &str,
        grant_id: &str,
        action: &str,
    ) -> Result<(), StoreError> {
        const SQL: &str =
            "INSERT INTO grant_updates (request_hash, grant_id, action) VALUES ($1, $2, $3)";
        on_write!(self, |conn| {
            sqlx::query(SQL)
                .bind(request_hash)
                .bind(grant_id)
                .bind(action)
                .execute(conn)
                .await?;
        });
        Ok(())
    }

    /// The grant request `request_hash` changes and how, if it changes one.
    pub async fn grant_update(
        &self,
        request_hash: &str,
    ) -> Result<Option<(String, String)>, StoreError> {
        const SQL: &str = "SELECT grant_id, action FROM grant_updates WHERE request_hash = $1";
        let found = on_pool!(self, |pool| {
            sqlx::query(SQL)
                .bind(request_hash)
                .fetch_optional(pool)
                .await?
                .map(|row| -> Result<(String, String), sqlx::Error> {
                    Ok((row.try_get("grant_id")?, row.try_get("action")?))
                })
                .transpose()?
        });
        Ok(found)
    }
}
