//! Devices, their registration attempts, their tokens, and the app authenticator's inbox.

use super::{Store, StoreError};
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    pub id: String,
    pub user_id: String,
    pub cert_id: String,
    pub jwk: String,
    pub thumbprint: String,
    pub name: String,
    pub registered_ms: i64,
    pub revoked_ms: Option<i64>,
    /// When the certificate the device registered with expires: the device's app
    /// authenticator lives exactly as long (read with the device, from its certificate).
    pub cert_not_after_ms: i64,
    /// Its binding to the account: `approved`, `pending` (approval asked on the user's other
    /// devices, until `approval_expires_ms`, through the app prompt `approval_message`) or
    /// `refused` (NIST SP 800-63B §6.1.2.1).
    pub approval: String,
    pub approval_message: Option<String>,
    pub approval_expires_ms: Option<i64>,
}

/// A consent prompt waiting in the app.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AppPrompt {
    pub message_id: String,
    pub user_id: String,
    pub text: String,
    /// `assent_prompt::wire::PromptContent` as JSON, for the app to render.
    pub content: Option<String>,
    pub created_ms: i64,
    pub answered_ms: Option<i64>,
}

fn device_from<R: Row>(row: &R) -> Result<Device, sqlx::Error>
where
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<i64>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<String>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'c> &'c str: sqlx::ColumnIndex<R>,
{
    Ok(Device {
        id: row.try_get("id")?,
        user_id: row.try_get("user_id")?,
        cert_id: row.try_get("cert_id")?,
        jwk: row.try_get("jwk")?,
        thumbprint: row.try_get("thumbprint")?,
        name: row.try_get("name")?,
        registered_ms: row.try_get("registered_ms")?,
        revoked_ms: row.try_get("revoked_ms")?,
        cert_not_after_ms: row.try_get("cert_not_after_ms")?,
        approval: row.try_get("approval")?,
        approval_message: row.try_get("approval_message")?,
        approval_expires_ms: row.try_get("approval_expires_ms")?,
    })
}

fn prompt_from<R: Row>(row: &R) -> Result<AppPrompt, sqlx::Error>
where
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<i64>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<String>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'c> &'c str: sqlx::ColumnIndex<R>,
{
    Ok(AppPrompt {
        message_id: row.try_get("message_id")?,
        user_id: row.try_get("user_id")?,
        text: row.try_get("text")?,
        content: row.try_get("content")?,
        created_ms: row.try_get("created_ms")?,
        answered_ms: row.try_get("answered_ms")?,
    })
}

/// A device with its certificate's expiry.
const DEVICE: &str = "SELECT d.id, d.user_id, d.cert_id, d.jwk, d.thumbprint, d.name, \
    d.registered_ms, d.revoked_ms, c.not_after_ms AS cert_not_after_ms, d.approval, \
    d.approval_message, d.approval_expires_ms \
    FROM devices d JOIN acme_certificates c ON c.id = d.cert_id";
const PROMPT: &str =
    "SELECT message_id, user_id, text, content, created_ms, answered_ms FROM app_prompts";

/// Also run inside a [`super::Tx`] (with the events that tell SPs).
pub(super) const REVOKE_DEVICE: &str =
    "UPDATE devices SET revoked_ms = $1 WHERE id = $2 AND revoked_ms IS NULL";

const INSERT_DEVICE: &str = "INSERT INTO devices (id, user_id, cert_id, jwk, thumbprint, name, \
    registered_ms, approval, approval_message, approval_expires_ms) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (cert_id) DO NOTHING";
const INSERT_ATTEMPT: &str = "INSERT INTO device_registration_attempts (id, at_ms, cert_id, \
    user_id, outcome, reason) VALUES ($1, $2, $3, $4, $5, $6)";

impl super::Tx {
    /// [`Store::insert_device`] with its registration attempt recorded (SEC-1), together:
    /// a device is never registered without its record. Whether it was inserted (nothing is
    /// written when the certificate is registered already).
    pub async fn register_device(
        &mut self,
        d: &Device,
        attempt_id: &str,
    ) -> Result<bool, StoreError> {
        let inserted = on_tx!(self, |conn| {
            let inserted = sqlx::query(INSERT_DEVICE)
                .bind(&d.id)
                .bind(&d.user_id)
                .bind(&d.cert_id)
                .bind(&d.jwk)
                .bind(&d.thumbprint)
                .bind(&d.name)
                .bind(d.registered_ms)
                .bind(&d.approval)
                .bind(&d.approval_message)
                .bind(d.approval_expires_ms)
                .execute(&mut *conn)
                .await?
                .rows_affected()
                == 1;
            if inserted {
                sqlx::query(INSERT_ATTEMPT)
                    .bind(attempt_id)
                    .bind(d.registered_ms)
                    .bind(&d.cert_id)
                    .bind(&d.user_id)
                    .bind("registered")
                    .bind("ok")
                    .execute(&mut *conn)
                    .await?;
            }
            inserted
        });
        Ok(inserted)
    }
}

impl Store {
    pub async fn device(&self, id: &str) -> Result<Option<Device>, StoreError> {
        let sql = format!("{DEVICE} WHERE d.id = $1");
        let row = on_pool!(self, |pool| {
            sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(id)
                .fetch_optional(pool)
                .await?
                .map(|row| device_from(&row))
        });
        Ok(row.transpose()?)
    }

    /// The user's devices that are live at `now_ms`: not revoked, and their certificate not
    /// expired.
    pub async fn live_devices(
        &self,
        user_id: &str,
        now_ms: i64,
    ) -> Result<Vec<Device>, StoreError> {
        let sql = format!(
            "{DEVICE} WHERE d.user_id = $1 AND d.revoked_ms IS NULL AND c.not_after_ms >= $2 \
             AND d.approval = 'approved' ORDER BY d.registered_ms"
        );
        let rows = on_pool!(self, |pool| {
            sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(user_id)
                .bind(now_ms)
                .fetch_all(pool)
                .await?
                .iter()
                .map(device_from)
                .collect::<Result<Vec<_>, _>>()?
        });
        Ok(rows)
    }

    /// Renewal: moves the user's newest unrevoked device with the key `thumbprint` onto the
    /// certificate `cert_id`, unless that certificate is registered already; returns the
    /// device's id, `None` when there is no such device (or the certificate is taken).
    pub async fn renew_device(
        &self,
        user_id: &str,
        thumbprint: &str,
        cert_id: &str,
    ) -> Result<Option<String>, StoreError> {
        const SQL: &str = "UPDATE devices SET cert_id = $1 WHERE id = (SELECT id FROM devices \
            WHERE user_id = $2 AND thumbprint = $3 AND revoked_ms IS NULL \
            ORDER BY registered_ms DESC, id LIMIT 1) \
            AND NOT EXISTS (SELECT 1 FROM devices WHERE cert_id = $1) RETURNING id";
        let id = on_write!(self, |pool| {
            sqlx::query_scalar::<_, String>(SQL)
                .bind(cert_id)
                .bind(user_id)
                .bind(thumbprint)
                .fetch_optional(pool)
                .await?
        });
        Ok(id)
    }

    /// The device whose binding waits for the answer to the app prompt `message_id`.
    pub async fn device_by_approval_message(
        &self,
        message_id: &str,
    ) -> Result<Option<Device>, StoreError> {
        let sql = format!("{DEVICE} WHERE d.approval_message = $1");
        let row = on_pool!(self, |pool| {
            sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(message_id)
                .fetch_optional(pool)
                .await?
                .map(|row| device_from(&row))
        });
        Ok(row.transpose()?)
    }

    /// Every device of the user, live or not, oldest first.
    pub async fn user_devices(&self, user_id: &str) -> Result<Vec<Device>, StoreError> {
        let sql = format!("{DEVICE} WHERE d.user_id = $1 ORDER BY d.registered_ms, d.id");
        let rows = on_pool!(self, |pool| {
            sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(user_id)
                .fetch_all(pool)
                .await?
                .iter()
                .map(device_from)
                .collect::<Result<Vec<_>, _>>()?
        });
        Ok(rows)
    }

    /// Revokes a device: it can no longer get a token, and the tokens it holds stop working
    /// (every device call reads `revoked_ms`). `false` when it was revoked already.
    pub async fn revoke_device(&self, id: &str, now_ms: i64) -> Result<bool, StoreError> {
        let affected = on_write!(self, |pool| {
            sqlx::query(REVOKE_DEVICE)
                .bind(now_ms)
                .bind(id)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(affected == 1)
    }

    /// SEC-1: records a registration attempt, whatever its outcome.
    pub async fn record_registration_attempt(
        &self,
        id: &str,
        at_ms: i64,
        cert_id: Option<&str>,
        user_id: Option<&str>,
        outcome: &str,
        reason: &str,
    ) -> Result<(), StoreError> {
        on_write!(self, |pool| {
            sqlx::query(INSERT_ATTEMPT)
                .bind(id)
                .bind(at_ms)
                .bind(cert_id)
                .bind(user_id)
                .bind(outcome)
                .bind(reason)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Deletes refused registration attempts made before `before_ms`; how many.
    pub async fn purge_refused_registration_attempts(
        &self,
        before_ms: i64,
    ) -> Result<u64, StoreError> {
        const SQL: &str =
            "DELETE FROM device_registration_attempts WHERE outcome = 'refused' AND at_ms < $1";
        let purged = on_write!(self, |conn| {
            sqlx::query(SQL)
                .bind(before_ms)
                .execute(conn)
                .await?
                .rows_affected()
        });
        Ok(purged)
    }

    /// Every registration attempt, oldest first: (at, outcome, reason, certificate id).
    pub async fn registration_attempt_list(
        &self,
        user_id: Option<&str>,
    ) -> Result<Vec<(i64, String, String, Option<String>)>, StoreError> {
        const SQL: &str = "SELECT at_ms, outcome, reason, cert_id FROM device_registration_attempts \
            WHERE ($1 IS NULL OR user_id = $1) ORDER BY at_ms, id";
        let rows = on_pool!(self, |pool| {
            sqlx::query(SQL)
                .bind(user_id)
                .fetch_all(pool)
                .await?
                .iter()
                .map(|row| {
                    Ok::<_, sqlx::Error>((
                        row.try_get::<i64, _>("at_ms")?,
                        row.try_get::<String, _>("outcome")?,
                        row.try_get::<String, _>("reason")?,
                        row.try_get::<Option<String>, _>("cert_id")?,
                    ))
                })
                .collect::<Result<Vec<_>, _>>()?
        });
        Ok(rows)
    }

    /// (outcome, reason) of every registration attempt, oldest first.
    pub async fn registration_attempts(&self) -> Result<Vec<(String, String)>, StoreError> {
        const SQL: &str =
            "SELECT outcome, reason FROM device_registration_attempts ORDER BY at_ms, id";
        let rows = on_pool!(self, |pool| {
            sqlx::query(SQL)
                .fetch_all(pool)
                .await?
                .into_iter()
                .map(|r| Ok::<_, sqlx::Error>((r.try_get("outcome")?, r.try_get("reason")?)))
                .collect::<Result<Vec<_>, _>>()?
        });
        Ok(rows)
    }

    /// Uses a JWT id once; `false` if it was seen before (a replay).
    pub async fn use_device_jti(
        &self,
        jti: &str,
        expires_ms: i64,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        const PURGE: &str = "DELETE FROM device_jtis WHERE expires_ms < $1";
        const SQL: &str = "INSERT INTO device_jtis (jti, expires_ms) VALUES ($1, $2) \
            ON CONFLICT (jti) DO NOTHING";
        let inserted = on_write!(self, |pool| {
            sqlx::query(PURGE).bind(now_ms).execute(&mut *pool).await?;
            sqlx::query(SQL)
                .bind(jti)
                .bind(expires_ms)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(inserted == 1)
    }

    pub async fn insert_device_token(
        &self,
        token_hash: &str,
        device_id: &str,
        jkt: &str,
        expires_ms: i64,
    ) -> Result<(), StoreError> {
        const SQL: &str = "INSERT INTO device_tokens (token_hash, device_id, jkt, expires_ms) \
            VALUES ($1, $2, $3, $4)";
        on_write!(self, |pool| {
            sqlx::query(SQL)
                .bind(token_hash)
                .bind(device_id)
                .bind(jkt)
                .bind(expires_ms)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// (device id, jkt, expires) of a device token.
    pub async fn device_token(
        &self,
        token_hash: &str,
    ) -> Result<Option<(String, String, i64)>, StoreError> {
        const SQL: &str =
            "SELECT device_id, jkt, expires_ms FROM device_tokens WHERE token_hash = $1";
        let row = on_pool!(self, |pool| {
            match sqlx::query(SQL)
                .bind(token_hash)
                .fetch_optional(pool)
                .await?
            {
                Some(r) => Some((
                    r.try_get::<String, _>("device_id")?,
                    r.try_get::<String, _>("jkt")?,
                    r.try_get::<i64, _>("expires_ms")?,
                )),
                None => None,
            }
        });
        Ok(row)
    }

    pub async fn insert_app_prompt(&self, p: &AppPrompt) -> Result<(), StoreError> {
        const SQL: &str = "INSERT INTO app_prompts (message_id, user_id, text, content, created_ms) \
            VALUES ($1, $2, $3, $4, $5)";
        on_write!(self, |pool| {
            sqlx::query(SQL)
                .bind(&p.message_id)
                .bind(&p.user_id)
                .bind(&p.text)
                .bind(&p.content)
                .bind(p.created_ms)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// The user's unanswered app prompts created after `since_ms`, oldest first.
    pub async fn open_app_prompts(
        &self,
        user_id: &str,
        since_ms: i64,
    ) -> Result<Vec<AppPrompt>, StoreError> {
        let sql = format!(
            "{PROMPT} WHERE user_id = $1 AND answered_ms IS NULL AND created_ms > $2 \
             ORDER BY created_ms, message_id"
        );
        let rows = on_pool!(self, |pool| {
            sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(user_id)
                .bind(since_ms)
                .fetch_all(pool)
                .await?
                .iter()
                .map(prompt_from)
                .collect::<Result<Vec<_>, _>>()?
        });
        Ok(rows)
    }

    pub async fn app_prompt(&self, message_id: &str) -> Result<Option<AppPrompt>, StoreError> {
        let sql = format!("{PROMPT} WHERE message_id = $1");
        let row = on_pool!(self, |pool| {
            sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(message_id)
                .fetch_optional(pool)
                .await?
                .map(|row| prompt_from(&row))
        });
        Ok(row.transpose()?)
    }
}

/// A filter over one user's audit entries.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub sp: Option<String>,
    pub kind: Option<String>,
    pub since_ms: Option<i64>,
    pub until_ms: Option<i64>,
}

impl Store {
    /// The user's entries after sequence number `after`, oldest first, filtered.
    pub async fn user_audit(
        &self,
        user_id: &str,
        after: i64,
        limit: i64,
        filter: &AuditFilter,
    ) -> Result<Vec<assent_audit::AuditEntry>, StoreError> {
        // One SQL text per combination of filters, from fixed parts: a condition written
        // `($3 IS NULL OR sp = $3)` cannot use the (user_id, sp, seq) and (user_id, kind, seq)
        // indexes, since the plan is made before the value is known.
        let mut sql = String::from(
            "SELECT seq, at_ms, kind, user_id, sp, authenticator, detail, prev_hash, \
             user_prev_hash, hash, detail_digest, detail_salt FROM audit WHERE user_id = $1",
        );
        // The cursor `$2` is the page's lower `seq` bound, unless `since` gives one (below):
        // then the two are one bound, the greater, since SQLite ranges an index on one lower
        // bound only and walks the rest (a heavy user's "last 7 days" walked their whole
        // history from the cursor: p50 9.6 ms at 10 million entries).
        if filter.since_ms.is_none() {
            sql.push_str(" AND seq > $2");
        }
        let mut n = 2;
        for (present, condition) in [
            (filter.sp.is_some(), "sp ="),
            (filter.kind.is_some(), "kind ="),
        ] {
            if present {
                n += 1;
                sql.push_str(&format!(" AND {condition} ${n}"));
            }
        }
        // A time bound is also a `seq` bound (migration 0012): along `seq`, stamps never
        // decrease after `before_max_ms`, so for a bound above it the matching entries start
        // (`since`) or the others start (`until`) at the first entry of `audit_by_time` at or
        // after it, and the page reads a `seq` range of the user's index instead of walking
        // the user's history. A bound at or below `before_max_ms` may match entries written
        // out of order before the migration: no `seq` bound then (the old walk). The
        // `at_ms` condition stays, so the answer is exact either way.
        let first_at = |k: usize| {
            format!(
                "(SELECT CASE WHEN o.before_max_ms IS NULL OR ${k} > o.before_max_ms \
                 THEN COALESCE((SELECT t.seq FROM audit t WHERE t.at_ms >= ${k} \
                 ORDER BY t.at_ms, t.seq LIMIT 1), {}) END FROM audit_time_order o)",
                i64::MAX
            )
        };
        if filter.since_ms.is_some() {
            n += 1;
            // No entry at or after `since`: the bound is past every entry.
            sql.push_str(&format!(
                " AND at_ms >= ${n} AND seq > (SELECT CASE WHEN f.s - 1 > $2 THEN f.s - 1 \
                 ELSE $2 END FROM (SELECT COALESCE({}, 0) AS s) f)",
                first_at(n)
            ));
        }
        if filter.until_ms.is_some() {
            n += 1;
            // No entry at or after `until`: every entry is before it.
            sql.push_str(&format!(
                " AND at_ms < ${n} AND seq < COALESCE({}, {})",
                first_at(n),
                i64::MAX
            ));
        }
        sql.push_str(&format!(" ORDER BY seq LIMIT ${}", n + 1));
        let rows = on_pool!(self, |pool| {
            // Built only from the constant parts above; values are bound.
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(user_id)
                .bind(after);
            if let Some(sp) = &filter.sp {
                query = query.bind(sp);
            }
            if let Some(kind) = &filter.kind {
                query = query.bind(kind);
            }
            if let Some(since) = filter.since_ms {
                query = query.bind(since);
            }
            if let Some(until) = filter.until_ms {
                query = query.bind(until);
            }
            query
                .bind(limit)
                .fetch_all(pool)
                .await?
                .iter()
                .map(super::audit::StoredEntry::from_row)
                .collect::<Result<Vec<_>, _>>()?
        });
        rows.into_iter()
            .map(super::audit::StoredEntry::into_entry)
            .collect()
    }

    /// When `client_id` last read the user's data (a resource access), if ever.
    pub async fn last_access(
        &self,
        user_id: &str,
        client_id: &str,
    ) -> Result<Option<i64>, StoreError> {
        const SQL: &str = "SELECT MAX(at_ms) AS last FROM audit WHERE user_id = $1 AND sp = $2 \
            AND kind = 'resource_access'";
        let last = on_pool!(self, |pool| {
            sqlx::query(SQL)
                .bind(user_id)
                .bind(client_id)
                .fetch_one(pool)
                .await?
                .try_get::<Option<i64>, _>("last")?
        });
        Ok(last)
    }
}
