//! The audit trail: appends that extend one hash chain, and pages of it read back with every
//! field checked (a row that does not parse is reported as corrupt, never skipped).

use super::{Store, StoreError};
use assent_audit::{AuditEntry, Digest32, EntryKind, NewEntry};
use sqlx::Row;

impl Store {
    /// Appends to the audit trail. Appends are serialized (SQLite: an immediate transaction;
    /// PostgreSQL: a transaction-scoped advisory lock), so concurrent writers — threads or
    /// gateway processes — extend one chain and never fork it.
    pub async fn append_audit(&self, content: NewEntry) -> Result<AuditEntry, StoreError> {
        let mut tx = self.begin().await?;
        let entry = tx.append_audit(content).await?;
        tx.commit().await?;
        Ok(entry)
    }

    /// Up to `limit` entries after sequence number `after`, in order.
    /// The operator's view of the whole trail: the entries matching `filter` (kind, SP,
    /// since), the first `limit` of them from `since` when it is given, else the last
    /// `limit`; in sequence order either way.
    pub async fn audit_list(
        &self,
        filter: &super::AuditFilter,
        limit: i64,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        // Built from the fixed parts below only; every value is bound.
        let mut conditions = Vec::new();
        let mut n = 0;
        for (present, condition) in [
            (filter.kind.is_some(), "kind ="),
            (filter.sp.is_some(), "sp ="),
            (filter.since_ms.is_some(), "at_ms >="),
            (filter.until_ms.is_some(), "at_ms <"),
        ] {
            if present {
                n += 1;
                conditions.push(format!("{condition} ${n}"));
            }
        }
        let filtered = if conditions.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", conditions.join(" AND "))
        };
        let order = if filter.since_ms.is_some() {
            ""
        } else {
            " DESC"
        };
        let sql = format!(
            "SELECT * FROM (SELECT seq, at_ms, kind, user_id, sp, authenticator, detail, \
             prev_hash, user_prev_hash, hash, detail_digest, detail_salt FROM audit{filtered} ORDER BY seq{order} \
             LIMIT ${}) page ORDER BY seq",
            n + 1
        );
        let rows = on_pool!(self, |pool| {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            if let Some(kind) = &filter.kind {
                query = query.bind(kind);
            }
            if let Some(sp) = &filter.sp {
                query = query.bind(sp);
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
                .map(StoredEntry::from_row)
                .collect::<Result<Vec<_>, _>>()?
        });
        rows.into_iter().map(StoredEntry::into_entry).collect()
    }

    pub async fn audit_page(&self, after: u64, limit: u32) -> Result<Vec<AuditEntry>, StoreError> {
        const SQL: &str = "SELECT seq, at_ms, kind, user_id, sp, authenticator, detail, prev_hash, \
            user_prev_hash, hash, detail_digest, detail_salt FROM audit WHERE seq > $1 ORDER BY seq LIMIT $2";
        let after = i64::try_from(after).unwrap_or(i64::MAX);
        let rows = on_pool!(self, |pool| {
            sqlx::query(SQL)
                .bind(after)
                .bind(i64::from(limit))
                .fetch_all(pool)
                .await?
                .iter()
                .map(StoredEntry::from_row)
                .collect::<Result<Vec<_>, _>>()?
        });
        rows.into_iter().map(StoredEntry::into_entry).collect()
    }
    /// The trail's last entry: its sequence number and hash (`None` while it is empty).
    pub async fn audit_head(&self) -> Result<Option<assent_audit::Head>, StoreError> {
        const SQL: &str = "SELECT seq, at_ms, kind, user_id, sp, authenticator, detail, \
            prev_hash, user_prev_hash, hash, detail_digest, detail_salt FROM audit ORDER BY seq DESC LIMIT 1";
        let row = on_pool!(self, |pool| {
            sqlx::query(SQL)
                .fetch_optional(pool)
                .await?
                .as_ref()
                .map(StoredEntry::from_row)
                .transpose()?
        });
        let entry = row.map(StoredEntry::into_entry).transpose()?;
        Ok(entry.map(|e| assent_audit::Head {
            seq: e.seq,
            hash: e.hash,
        }))
    }
}

/// A fresh salt for an entry's detail seal (assent-audit, "Erasure and tamper evidence").
pub(super) fn new_salt() -> [u8; 16] {
    use rand::RngCore;
    let mut salt = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut salt);
    salt
}

pub(super) fn parse_digest(seq: i64, hex: &str) -> Result<Digest32, StoreError> {
    Digest32::from_hex(hex).map_err(|e| StoreError::CorruptAudit {
        seq,
        reason: e.to_string(),
    })
}

/// An audit row as stored, before its fields are checked.
pub(super) struct StoredEntry {
    seq: i64,
    at_ms: i64,
    kind: String,
    user: Option<String>,
    sp: Option<String>,
    authenticator: Option<String>,
    detail: String,
    prev_hash: String,
    user_prev_hash: Option<String>,
    hash: String,
    detail_digest: Option<String>,
    detail_salt: Option<String>,
}

impl StoredEntry {
    /// The columns `seq, at_ms, kind, user_id, sp, authenticator, detail, prev_hash,
    /// user_prev_hash, hash, detail_digest, detail_salt` of an audit row.
    pub(super) fn from_row<R: Row>(row: &R) -> Result<Self, sqlx::Error>
    where
        for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
        for<'r> Option<String>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
        for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
        for<'c> &'c str: sqlx::ColumnIndex<R>,
    {
        Ok(StoredEntry {
            seq: row.try_get("seq")?,
            at_ms: row.try_get("at_ms")?,
            kind: row.try_get("kind")?,
            user: row.try_get("user_id")?,
            sp: row.try_get("sp")?,
            authenticator: row.try_get("authenticator")?,
            detail: row.try_get("detail")?,
            prev_hash: row.try_get("prev_hash")?,
            user_prev_hash: row.try_get("user_prev_hash")?,
            hash: row.try_get("hash")?,
            detail_digest: row.try_get("detail_digest")?,
            detail_salt: row.try_get("detail_salt")?,
        })
    }

    pub(super) fn into_entry(self) -> Result<AuditEntry, StoreError> {
        let seq = self.seq;
        let corrupt = |reason: String| StoreError::CorruptAudit { seq, reason };
        let kind: EntryKind = serde_json::from_value(serde_json::Value::String(self.kind.clone()))
            .map_err(|_| corrupt(format!("unknown kind {}", self.kind)))?;
        Ok(AuditEntry {
            seq: u64::try_from(seq).map_err(|_| corrupt("negative sequence number".into()))?,
            content: NewEntry {
                at_ms: self.at_ms,
                kind,
                user: self.user,
                sp: self.sp,
                authenticator: self.authenticator,
                detail: self.detail,
            },
            prev_hash: parse_digest(seq, &self.prev_hash)?,
            user_prev_hash: self
                .user_prev_hash
                .as_deref()
                .map(|h| parse_digest(seq, h))
                .transpose()?,
            hash: parse_digest(seq, &self.hash)?,
            seal: self
                .detail_digest
                .as_deref()
                .map(|digest| {
                    Ok::<_, StoreError>(assent_audit::DetailSeal {
                        digest: parse_digest(seq, digest)?,
                        salt: self.detail_salt,
                    })
                })
                .transpose()?,
        })
    }
}
