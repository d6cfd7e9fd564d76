//! Write transactions: statements that must commit together or not at all, such as a user's
//! answer, its consent and their audit entries (a crash between them once left a request
//! approved without its consent).

use super::audit::parse_digest;
use super::ciba::TRANSITION_CIBA;
use super::code_flow::TRANSITION_CODE_REQUEST;
use super::consents::INSERT_CONSENT;
use super::record::{KnownHeads, Record, Recorded, look_up, write_records_on};
use super::simulator::ANSWER_SIM_MESSAGE;
use super::ssf::sql as ssf_sql;
use super::{Consent, Store, StoreError};
use assent_audit::{AuditEntry, Digest32, Head, NewEntry};
use sqlx::Row;

/// Arbitrary key of the advisory lock that serializes audit appends on PostgreSQL.
const AUDIT_LOCK: i64 = 0x6173_7365_6e74;

/// A write transaction that holds the audit lock from its start (SQLite: `BEGIN IMMEDIATE`,
/// the database's one writer lock; PostgreSQL: a transaction-scoped advisory lock), so audit
/// entries appended inside it extend one chain, and two transactions never wait on each other
/// in opposite orders (the lock is always taken first). Dropped without [`Tx::commit`], it
/// rolls back.
///
/// While it is open, do not use the [`Store`] it came from: that would wait for another pool
/// connection (and, on SQLite, for the write lock this transaction holds). Read first, then
/// begin.
pub struct Tx {
    pub(super) conn: TxConn,
    /// The heads appended under the audit lock this transaction holds (on SQLite, under the
    /// batch's write lock, so also those of the requests before it in the batch).
    heads: KnownHeads,
    /// Audit entries appended in this transaction (counted for the metrics at commit).
    appended: u64,
}

pub(super) enum TxConn {
    /// SQLite's writing connection, lent inside the writer's batch (see [`super::writer`]).
    Sqlite(super::writer::Lease),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

impl std::fmt::Debug for Tx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.conn {
            TxConn::Sqlite(_) => f.write_str("Tx::Sqlite"),
            TxConn::Postgres(_) => f.write_str("Tx::Postgres"),
        }
    }
}

/// What [`Tx::acme_validate`] did. Only `Valid` changed anything: the transaction should be
/// dropped (rolled back) otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Validation {
    /// The challenge and its authorization are `valid`, the order `ready`.
    Valid,
    /// The challenge was no longer `processing` (answered concurrently, or ended).
    ChallengeClosed,
    /// The authorization is no longer `pending` or expired: nothing completes it.
    AuthzClosed,
}

impl Store {
    /// Begins a write transaction holding the audit lock (see [`Tx`]).
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        let mut heads = KnownHeads::default();
        let conn = match self {
            Store::Sqlite(sqlite) => {
                let mut lease = sqlite.writer.lease().await?;
                heads = std::mem::take(&mut lease.heads);
                TxConn::Sqlite(lease)
            }
            Store::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                sqlx::query("SELECT pg_advisory_xact_lock($1)")
                    .bind(AUDIT_LOCK)
                    .execute(&mut *tx)
                    .await?;
                TxConn::Postgres(tx)
            }
        };
        Ok(Tx {
            conn,
            heads,
            appended: 0,
        })
    }
}

impl Store {
    /// Writes a request's [`Record`] durably, or nothing if its read epoch is no longer the
    /// database's. On SQLite the writer takes it with every other record waiting (one
    /// multi-row statement per table, one commit); on PostgreSQL it is written in a
    /// transaction of its own under the audit lock.
    pub async fn record(&self, record: Record) -> Result<Recorded, StoreError> {
        if let Store::Sqlite(sqlite) = self {
            return Ok(sqlite.writer.record(record).await?);
        }
        let mut tx = self.begin().await?;
        let recorded = tx.record(&record).await?;
        if recorded == Recorded::Durable {
            tx.commit().await?;
        }
        Ok(recorded)
    }
}

impl Tx {
    /// [`Store::record`] inside this transaction. Nothing is written when the record is
    /// stale; the transaction may then be dropped.
    pub async fn record(&mut self, record: &Record) -> Result<Recorded, StoreError> {
        let mut heads = std::mem::take(&mut self.heads);
        let recorded = on_tx!(self, |conn| {
            let now = look_up(&mut *conn, &mut heads, &[record], record.read_at.is_some()).await?;
            match (record.read_at, now) {
                (Some(read_at), Some(now)) if read_at != now => {
                    self.heads = heads;
                    return Ok(Recorded::Stale { now });
                }
                _ => {}
            }
            write_records_on(conn, &mut heads, &[record]).await?;
            Recorded::Durable
        });
        self.heads = heads;
        Ok(recorded)
    }

    pub async fn commit(self) -> Result<(), StoreError> {
        let Tx {
            conn,
            heads,
            appended,
        } = self;
        match conn {
            // Returns once the batch holding this work is committed (durable). The heads go
            // back to the writer for the next request of the batch.
            TxConn::Sqlite(mut lease) => {
                lease.heads = heads;
                lease.commit().await?
            }
            TxConn::Postgres(tx) => tx.commit().await?,
        }
        if appended > 0 {
            metrics::counter!("assent_audit_appends_total").increment(appended);
        }
        Ok(())
    }

    /// Appends to the audit trail (the lock taken at [`Store::begin`] serializes appends).
    ///
    /// The entry is stamped no earlier than the one before it (`at_ms` raised to the head's,
    /// before hashing): a handler reads the clock before it waits for the lock, so appends
    /// may arrive out of order by that wait. Time filters rely on it (migration 0012).
    pub async fn append_audit(&mut self, mut content: NewEntry) -> Result<AuditEntry, StoreError> {
        const HEAD: &str = "SELECT seq, at_ms, hash FROM audit ORDER BY seq DESC LIMIT 1";
        const USER_HEAD: &str = "SELECT hash FROM audit_user_heads WHERE user_id = $1";
        const INSERT: &str = "INSERT INTO audit (seq, at_ms, kind, user_id, sp, authenticator, \
            detail, prev_hash, user_prev_hash, hash, detail_digest, detail_salt) \
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";
        const SET_USER_HEAD: &str = "INSERT INTO audit_user_heads (user_id, hash) VALUES ($1, $2) \
            ON CONFLICT (user_id) DO UPDATE SET hash = excluded.hash";
        // Taken out: if anything below fails, what is known is forgotten (the caller might go
        // on and commit a half-done append).
        let mut heads = std::mem::take(&mut self.heads);
        let entry = on_tx!(self, |conn| {
            let head = match heads.trail {
                Some((head, at_ms)) => {
                    content.at_ms = content.at_ms.max(at_ms);
                    head
                }
                None => match sqlx::query(HEAD).fetch_optional(&mut *conn).await? {
                    Some(row) => {
                        content.at_ms = content.at_ms.max(row.try_get::<i64, _>("at_ms")?);
                        Head {
                            seq: u64::try_from(row.try_get::<i64, _>("seq")?).unwrap_or(0),
                            hash: parse_digest(
                                row.try_get::<i64, _>("seq")?,
                                &row.try_get::<String, _>("hash")?,
                            )?,
                        }
                    }
                    None => Head::GENESIS,
                },
            };
            let user_head = match &content.user {
                Some(user) => match heads.users.get(user) {
                    Some(known) => Some(*known),
                    None => match sqlx::query(USER_HEAD)
                        .bind(user)
                        .fetch_optional(&mut *conn)
                        .await?
                    {
                        Some(row) => Some(parse_digest(-1, &row.try_get::<String, _>("hash")?)?),
                        None => None,
                    },
                },
                None => None,
            };
            let entry = AuditEntry::link(content, super::audit::new_salt(), head, user_head);
            let seq = i64::try_from(entry.seq).map_err(|_| StoreError::CorruptAudit {
                seq: i64::MAX,
                reason: "sequence overflow".into(),
            })?;
            sqlx::query(INSERT)
                .bind(seq)
                .bind(entry.content.at_ms)
                .bind(entry.content.kind.name())
                .bind(&entry.content.user)
                .bind(&entry.content.sp)
                .bind(&entry.content.authenticator)
                .bind(&entry.content.detail)
                .bind(entry.prev_hash.to_hex())
                .bind(entry.user_prev_hash.map(Digest32::to_hex))
                .bind(entry.hash.to_hex())
                .bind(entry.seal.as_ref().map(|seal| seal.digest.to_hex()))
                .bind(entry.seal.as_ref().and_then(|seal| seal.salt.clone()))
                .execute(&mut *conn)
                .await?;
            if let Some(user) = &entry.content.user {
                sqlx::query(SET_USER_HEAD)
                    .bind(user)
                    .bind(entry.hash.to_hex())
                    .execute(&mut *conn)
                    .await?;
            }
            entry
        });
        heads.trail = Some((
            Head {
                seq: entry.seq,
                hash: entry.hash,
            },
            entry.content.at_ms,
        ));
        if let Some(user) = &entry.content.user {
            heads.users.insert(user.clone(), entry.hash);
        }
        self.heads = heads;
        self.appended += 1;
        Ok(entry)
    }

    /// [`Store::transition_ciba`] inside the transaction.
    pub async fn transition_ciba(
        &mut self,
        auth_req_hash: &str,
        from: &str,
        to: &str,
    ) -> Result<bool, StoreError> {
        let affected = on_tx!(self, |conn| {
            sqlx::query(TRANSITION_CIBA)
                .bind(to)
                .bind(auth_req_hash)
                .bind(from)
                .execute(conn)
                .await?
                .rows_affected()
        });
        Ok(affected == 1)
    }

    /// Moves a code request from `from` to `to` (no code or token is set by an answer).
    pub async fn transition_code_request(
        &mut self,
        session_hash: &str,
        from: &str,
        to: &str,
    ) -> Result<bool, StoreError> {
        let affected = on_tx!(self, |conn| {
            sqlx::query(TRANSITION_CODE_REQUEST)
                .bind(to)
                .bind(None::<&str>)
                .bind(None::<i64>)
                .bind(None::<&str>)
                .bind(session_hash)
                .bind(from)
                .execute(conn)
                .await?
                .rows_affected()
        });
        Ok(affected == 1)
    }

    pub async fn queue_user_notification(
        &mut self,
        n: &super::UserNotification,
    ) -> Result<(), StoreError> {
        on_tx!(self, |conn| {
            sqlx::query(super::consents::INSERT_USER_NOTIFICATION)
                .bind(&n.id)
                .bind(&n.user_id)
                .bind(&n.client_id)
                .bind(&n.kind)
                .bind(&n.detail)
                .bind(n.created_ms)
                .execute(conn)
                .await?;
        });
        Ok(())
    }

    /// Revokes a consent and every token bought with it; `false` if it was not live.
    pub async fn revoke_consent(&mut self, id: &str, now_ms: i64) -> Result<bool, StoreError> {
        const CONSENT: &str =
            "UPDATE consents SET revoked_ms = $1 WHERE id = $2 AND revoked_ms IS NULL";
        const TOKENS: &str = "UPDATE tokens SET revoked = 1 WHERE consent_id = $1 AND revoked = 0";
        let affected = on_tx!(self, |conn| {
            let affected = sqlx::query(CONSENT)
                .bind(now_ms)
                .bind(id)
                .execute(&mut *conn)
                .await?
                .rows_affected();
            sqlx::query(TOKENS).bind(id).execute(conn).await?;
            affected
        });
        Ok(affected == 1)
    }

    /// Grant Management §4.1: the user approved a change of consent `id` (`client_id`'s, of
    /// `user_id`): it now gives `scope` with `withdrawn` withdrawn, was given at `granted_ms`
    /// with the text `prompt`, and ends at `expires_ms`; with `revoke_tokens` (a replace),
    /// the tokens bought with it die. `false` when it is no longer that SP's and user's
    /// consent in force (revoked or ended meanwhile): nothing changed.
    #[allow(clippy::too_many_arguments)]
    pub async fn update_consent(
        &mut self,
        id: &str,
        client_id: &str,
        user_id: &str,
        scope: &[String],
        withdrawn: &[String],
        prompt: &str,
        granted_ms: i64,
        expires_ms: Option<i64>,
        revoke_tokens: bool,
    ) -> Result<bool, StoreError> {
        const CONSENT: &str = "UPDATE consents SET scope = $1, withdrawn = $2, prompt = $3, \
            granted_ms = $4, expires_ms = $5, reminded_ms = NULL WHERE id = $6 AND client_id = $7 \
            AND user_id = $8 AND revoked_ms IS NULL AND ended_ms IS NULL";
        const TOKENS: &str = "UPDATE tokens SET revoked = 1 WHERE consent_id = $1 AND revoked = 0";
        let affected = on_tx!(self, |conn| {
            let affected = sqlx::query(CONSENT)
                .bind(scope.join(" "))
                .bind(withdrawn.join(" "))
                .bind(prompt)
                .bind(granted_ms)
                .bind(expires_ms)
                .bind(id)
                .bind(client_id)
                .bind(user_id)
                .execute(&mut *conn)
                .await?
                .rows_affected();
            if affected == 1 && revoke_tokens {
                sqlx::query(TOKENS).bind(id).execute(conn).await?;
            }
            affected
        });
        Ok(affected == 1)
    }

    /// Forgets that request `request_hash` changes a grant (the grant ended first: the
    /// user's yes became a grant of its own).
    pub async fn forget_grant_update(&mut self, request_hash: &str) -> Result<(), StoreError> {
        const SQL: &str = "DELETE FROM grant_updates WHERE request_hash = $1";
        on_tx!(self, |conn| {
            sqlx::query(SQL).bind(request_hash).execute(conn).await?;
        });
        Ok(())
    }

    /// Revokes a certificate and, with it, the devices registered with its key (a device is
    /// only as trusted as the proof of the number behind it); `false` if it was not live.
    pub async fn revoke_certificate(
        &mut self,
        id: &str,
        reason: i64,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        const CERTIFICATE: &str = "UPDATE acme_certificates SET revoked_ms = $1, \
            revocation_reason = $2 WHERE id = $3 AND revoked_ms IS NULL";
        const DEVICES: &str =
            "UPDATE devices SET revoked_ms = $1 WHERE cert_id = $2 AND revoked_ms IS NULL";
        let affected = on_tx!(self, |conn| {
            let affected = sqlx::query(CERTIFICATE)
                .bind(now_ms)
                .bind(reason)
                .bind(id)
                .execute(&mut *conn)
                .await?
                .rows_affected();
            sqlx::query(DEVICES)
                .bind(now_ms)
                .bind(id)
                .execute(conn)
                .await?;
            affected
        });
        Ok(affected == 1)
    }

    /// Ends an ACME authorization that is still `from` (expired: `pending` → `invalid`,
    /// `valid` → `expired`; deactivated by its account) and, with it, what it left open: its
    /// challenge (`pending` or `processing` → `invalid`) and its order (`pending` or `ready`
    /// → `invalid`), both carrying `error` (RFC 8555 §7.1.6). `false` if the authorization
    /// was no longer `from`.
    pub async fn acme_end_authz(
        &mut self,
        authz_id: &str,
        from: &str,
        to: &str,
        error: &str,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        const AUTHZ: &str = "UPDATE acme_authzs SET status = $1 WHERE id = $2 AND status = $3";
        const CHALLENGE: &str = "UPDATE acme_challenges SET status = 'invalid', \
            validated_ms = $1, error = $2, code_hash = NULL \
            WHERE authz_id = $3 AND status IN ('pending', 'processing')";
        const ORDER: &str = "UPDATE acme_orders SET status = 'invalid', error = $1 \
            WHERE authz_id = $2 AND status IN ('pending', 'ready')";
        let ended = on_tx!(self, |conn| {
            let ended = sqlx::query(AUTHZ)
                .bind(to)
                .bind(authz_id)
                .bind(from)
                .execute(&mut *conn)
                .await?
                .rows_affected();
            if ended == 1 {
                sqlx::query(CHALLENGE)
                    .bind(now_ms)
                    .bind(error)
                    .bind(authz_id)
                    .execute(&mut *conn)
                    .await?;
                sqlx::query(ORDER)
                    .bind(error)
                    .bind(authz_id)
                    .execute(&mut *conn)
                    .await?;
            }
            ended
        });
        Ok(ended == 1)
    }

    /// The right answer to a `processing` challenge: the challenge and its authorization
    /// become `valid` and its `pending` order `ready`, all or nothing, and only while the
    /// authorization is still `pending` and alive at `now_ms` (not deactivated, not expired
    /// meanwhile). What happened is [`Validation`].
    pub async fn acme_validate(
        &mut self,
        challenge_id: &str,
        authz_id: &str,
        now_ms: i64,
    ) -> Result<Validation, StoreError> {
        const AUTHZ: &str = "UPDATE acme_authzs SET status = 'valid' \
            WHERE id = $1 AND status = 'pending' AND expires_ms >= $2";
        const CHALLENGE: &str = "UPDATE acme_challenges SET status = 'valid', \
            validated_ms = $1, error = NULL, code_hash = NULL \
            WHERE id = $2 AND authz_id = $3 AND status = 'processing'";
        const ORDER: &str = "UPDATE acme_orders SET status = 'ready' \
            WHERE authz_id = $1 AND status = 'pending' AND expires_ms >= $2";
        let outcome = on_tx!(self, |conn| {
            let challenge = sqlx::query(CHALLENGE)
                .bind(now_ms)
                .bind(challenge_id)
                .bind(authz_id)
                .execute(&mut *conn)
                .await?
                .rows_affected();
            if challenge != 1 {
                Validation::ChallengeClosed
            } else if sqlx::query(AUTHZ)
                .bind(authz_id)
                .bind(now_ms)
                .execute(&mut *conn)
                .await?
                .rows_affected()
                != 1
            {
                Validation::AuthzClosed
            } else {
                sqlx::query(ORDER)
                    .bind(authz_id)
                    .bind(now_ms)
                    .execute(&mut *conn)
                    .await?;
                Validation::Valid
            }
        });
        Ok(outcome)
    }

    /// [`Store::insert_token`] inside the transaction.
    pub async fn insert_token(&mut self, token: &super::TokenRecord) -> Result<(), StoreError> {
        on_tx!(self, |conn| {
            super::tokens::bind_token(sqlx::query(super::tokens::INSERT_TOKEN), token)
                .execute(conn)
                .await?;
        });
        Ok(())
    }

    /// [`Store::revoke_token`] inside the transaction: the token stays claimed by it (locked
    /// on PostgreSQL, behind the one writer on SQLite) until it commits or rolls back.
    pub async fn revoke_token(
        &mut self,
        token_hash: &str,
        client_id: &str,
    ) -> Result<bool, StoreError> {
        let affected = on_tx!(self, |conn| {
            sqlx::query(super::tokens::REVOKE_TOKEN)
                .bind(token_hash)
                .bind(client_id)
                .execute(conn)
                .await?
                .rows_affected()
        });
        Ok(affected == 1)
    }

    /// [`Store::revoke_family`] inside the transaction: how many were still live.
    pub async fn revoke_family(&mut self, family: &str) -> Result<u64, StoreError> {
        let affected = on_tx!(self, |conn| {
            sqlx::query(super::tokens::REVOKE_FAMILY)
                .bind(family)
                .execute(conn)
                .await?
                .rows_affected()
        });
        Ok(affected)
    }

    /// [`Store::remember_pcr`] inside the transaction.
    pub async fn remember_pcr(
        &mut self,
        sector: &str,
        pcr: &str,
        user_id: &str,
    ) -> Result<(), StoreError> {
        on_tx!(self, |conn| {
            sqlx::query(super::registry::REMEMBER_PCR)
                .bind(sector)
                .bind(pcr)
                .bind(user_id)
                .execute(conn)
                .await?;
        });
        Ok(())
    }

    pub async fn insert_consent(&mut self, c: &Consent) -> Result<(), StoreError> {
        on_tx!(self, |conn| {
            sqlx::query(INSERT_CONSENT)
                .bind(&c.id)
                .bind(&c.user_id)
                .bind(&c.client_id)
                .bind(c.scope.join(" "))
                .bind(&c.kind)
                .bind(&c.prompt)
                .bind(c.granted_ms)
                .bind(c.revoked_ms)
                .bind(c.expires_ms)
                .bind(c.withdrawn.join(" "))
                .execute(conn)
                .await?;
        });
        Ok(())
    }

    /// The consent as this transaction sees it.
    pub async fn consent(&mut self, id: &str) -> Result<Option<Consent>, StoreError> {
        let sql = format!(
            "SELECT {} FROM consents WHERE id = $1",
            super::consents::CONSENT_COLUMNS
        );
        let row = on_tx!(self, |conn| {
            sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(id)
                .fetch_optional(conn)
                .await?
                .map(|row| super::consents::consent_from_row(&row))
        });
        Ok(row.transpose()?)
    }

    /// Sets the attributes withdrawn from a consent in force, if they are still `before`
    /// (compare and set: of two withdrawals at once, the second finds the first's and is
    /// retried by its caller); `false` if the consent changed or is no longer live.
    pub async fn set_withdrawn(
        &mut self,
        id: &str,
        before: &[String],
        after: &[String],
    ) -> Result<bool, StoreError> {
        const SQL: &str = "UPDATE consents SET withdrawn = $1 WHERE id = $2 AND withdrawn = $3 \
            AND revoked_ms IS NULL";
        let affected = on_tx!(self, |conn| {
            sqlx::query(SQL)
                .bind(after.join(" "))
                .bind(id)
                .bind(before.join(" "))
                .execute(conn)
                .await?
                .rows_affected()
        });
        Ok(affected == 1)
    }

    /// Records a consent's end at its expiry and revokes the tokens it bought; `false` if its
    /// end was recorded already or it was revoked first (one sweeper wins).
    pub async fn end_consent(&mut self, id: &str, now_ms: i64) -> Result<bool, StoreError> {
        const CONSENT: &str = "UPDATE consents SET ended_ms = $1 WHERE id = $2 \
            AND ended_ms IS NULL AND revoked_ms IS NULL AND expires_ms <= $1";
        const TOKENS: &str = "UPDATE tokens SET revoked = 1 WHERE consent_id = $1 AND revoked = 0";
        let affected = on_tx!(self, |conn| {
            let affected = sqlx::query(CONSENT)
                .bind(now_ms)
                .bind(id)
                .execute(&mut *conn)
                .await?
                .rows_affected();
            if affected == 1 {
                sqlx::query(TOKENS).bind(id).execute(conn).await?;
            }
            affected
        });
        Ok(affected == 1)
    }

    /// Claims the reminder of a consent's end: `true` for exactly one caller.
    pub async fn claim_reminder(&mut self, id: &str, now_ms: i64) -> Result<bool, StoreError> {
        const SQL: &str = "UPDATE consents SET reminded_ms = $1 WHERE id = $2 \
            AND reminded_ms IS NULL AND revoked_ms IS NULL";
        let affected = on_tx!(self, |conn| {
            sqlx::query(SQL)
                .bind(now_ms)
                .bind(id)
                .execute(conn)
                .await?
                .rows_affected()
        });
        Ok(affected == 1)
    }

    /// Creates `stream`; `false` when its SP has one already (one stream per SP) or the id
    /// is taken.
    pub async fn insert_ssf_stream(&mut self, s: &super::SsfStream) -> Result<bool, StoreError> {
        let events = serde_json::to_string(&s.events_requested).unwrap_or_else(|_| "[]".into());
        let affected = on_tx!(self, |conn| {
            sqlx::query(ssf_sql::INSERT_STREAM)
                .bind(&s.stream_id)
                .bind(&s.client_id)
                .bind(&s.delivery_method)
                .bind(&s.endpoint_url)
                .bind(&s.authorization_header)
                .bind(events)
                .bind(&s.description)
                .bind(&s.status)
                .bind(&s.reason)
                .bind(s.created_ms)
                .bind(s.updated_ms)
                .execute(conn)
                .await?
                .rows_affected()
        });
        Ok(affected == 1)
    }

    /// Replaces what can change of `stream` (settings, status); `false` when it is gone.
    pub async fn update_ssf_stream(&mut self, s: &super::SsfStream) -> Result<bool, StoreError> {
        let events = serde_json::to_string(&s.events_requested).unwrap_or_else(|_| "[]".into());
        let affected = on_tx!(self, |conn| {
            sqlx::query(ssf_sql::UPDATE_STREAM)
                .bind(&s.delivery_method)
                .bind(&s.endpoint_url)
                .bind(&s.authorization_header)
                .bind(events)
                .bind(&s.description)
                .bind(&s.status)
                .bind(&s.reason)
                .bind(s.updated_ms)
                .bind(&s.stream_id)
                .bind(&s.client_id)
                .execute(conn)
                .await?
                .rows_affected()
        });
        Ok(affected == 1)
    }

    /// Deletes `client_id`'s stream `stream_id` and the SETs waiting on it; how many SETs
    /// were dropped, or `None` when there was no such stream.
    pub async fn delete_ssf_stream(
        &mut self,
        stream_id: &str,
        client_id: &str,
    ) -> Result<Option<u64>, StoreError> {
        let dropped = on_tx!(self, |conn| {
            let deleted = sqlx::query(ssf_sql::DELETE_STREAM)
                .bind(stream_id)
                .bind(client_id)
                .execute(&mut *conn)
                .await?
                .rows_affected();
            if deleted == 1 {
                Some(
                    sqlx::query(ssf_sql::DELETE_STREAM_EVENTS)
                        .bind(stream_id)
                        .execute(conn)
                        .await?
                        .rows_affected(),
                )
            } else {
                None
            }
        });
        Ok(dropped)
    }

    /// Drops the SETs waiting on `stream_id` (a stream disabled keeps none); how many.
    pub async fn drop_ssf_events(&mut self, stream_id: &str) -> Result<u64, StoreError> {
        let dropped = on_tx!(self, |conn| {
            sqlx::query(ssf_sql::DELETE_STREAM_EVENTS)
                .bind(stream_id)
                .execute(conn)
                .await?
                .rows_affected()
        });
        Ok(dropped)
    }

    /// Reserves a verification of `client_id`'s stream at `now_ms` if the last one was at
    /// least `min_interval_ms` ago; `false` otherwise (or when there is no such stream).
    pub async fn reserve_ssf_verification(
        &mut self,
        stream_id: &str,
        client_id: &str,
        now_ms: i64,
        min_interval_ms: i64,
    ) -> Result<bool, StoreError> {
        let affected = on_tx!(self, |conn| {
            sqlx::query(ssf_sql::RESERVE_VERIFICATION)
                .bind(now_ms)
                .bind(stream_id)
                .bind(client_id)
                .bind(now_ms - min_interval_ms)
                .execute(conn)
                .await?
                .rows_affected()
        });
        Ok(affected == 1)
    }

    /// Revokes device `id` at `now_ms`; `false` when it is unknown or revoked already.
    pub async fn revoke_device(&mut self, id: &str, now_ms: i64) -> Result<bool, StoreError> {
        let affected = on_tx!(self, |conn| {
            sqlx::query(super::devices::REVOKE_DEVICE)
                .bind(now_ms)
                .bind(id)
                .execute(conn)
                .await?
                .rows_affected()
        });
        Ok(affected == 1)
    }

    /// Puts a SET in its stream's outbox, due at once.
    pub async fn insert_ssf_event(&mut self, e: &super::NewSsfEvent) -> Result<(), StoreError> {
        on_tx!(self, |conn| {
            sqlx::query(ssf_sql::INSERT_EVENT)
                .bind(&e.stream_id)
                .bind(&e.jti)
                .bind(&e.user_id)
                .bind(&e.event_type)
                .bind(&e.events)
                .bind(&e.txn)
                .bind(e.created_ms)
                .execute(conn)
                .await?;
        });
        Ok(())
    }

    /// Takes SET `jti` out of stream `stream_id`'s outbox (the SP has it); `None` when it
    /// is not there (acknowledged already, or never this stream's).
    pub async fn take_ssf_event(
        &mut self,
        stream_id: &str,
        jti: &str,
    ) -> Result<Option<super::SsfEvent>, StoreError> {
        let taken = on_tx!(self, |conn| {
            sqlx::query(ssf_sql::TAKE_EVENT)
                .bind(stream_id)
                .bind(jti)
                .fetch_optional(conn)
                .await?
                .map(|row| super::ssf::event_from_row(&row))
                .transpose()?
        });
        Ok(taken)
    }

    pub async fn insert_receipt(&mut self, r: &super::Receipt) -> Result<(), StoreError> {
        const SQL: &str = "INSERT INTO receipts (id, user_id, client_id, consent_id, kind, \
            at_ms, jws) VALUES ($1, $2, $3, $4, $5, $6, $7)";
        on_tx!(self, |conn| {
            sqlx::query(SQL)
                .bind(&r.id)
                .bind(&r.user_id)
                .bind(&r.client_id)
                .bind(&r.consent_id)
                .bind(&r.kind)
                .bind(r.at_ms)
                .bind(&r.jws)
                .execute(conn)
                .await?;
        });
        Ok(())
    }

    /// Closes an open message of `msisdn` with the user's reply; `false` if there is no such
    /// open message (unknown, another handset's, or already answered).
    pub async fn answer_sim_message(
        &mut self,
        msisdn: &str,
        id: &str,
        reply: &str,
    ) -> Result<bool, StoreError> {
        let affected = on_tx!(self, |conn| {
            sqlx::query(ANSWER_SIM_MESSAGE)
                .bind(reply)
                .bind(id)
                .bind(msisdn)
                .execute(conn)
                .await?
                .rows_affected()
        });
        Ok(affected == 1)
    }

    /// Closes an app prompt with the answering device; `false` if it was answered already.
    pub async fn answer_app_prompt(
        &mut self,
        message_id: &str,
        device_id: &str,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        const SQL: &str = "UPDATE app_prompts SET answered_ms = $1, device_id = $2 \
            WHERE message_id = $3 AND answered_ms IS NULL";
        let moved = on_tx!(self, |conn| {
            sqlx::query(SQL)
                .bind(now_ms)
                .bind(device_id)
                .bind(message_id)
                .execute(conn)
                .await?
                .rows_affected()
        });
        Ok(moved == 1)
    }

    /// Settles a pending binding: `approved` or `refused`, only while it is pending and its
    /// approval has not expired at `now_ms`; `false` otherwise.
    pub async fn settle_binding(
        &mut self,
        device_id: &str,
        approve: bool,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        const SQL: &str = "UPDATE devices SET approval = $1 WHERE id = $2 \
            AND approval = 'pending' AND approval_expires_ms >= $3";
        let moved = on_tx!(self, |conn| {
            sqlx::query(SQL)
                .bind(if approve { "approved" } else { "refused" })
                .bind(device_id)
                .bind(now_ms)
                .execute(conn)
                .await?
                .rows_affected()
        });
        Ok(moved == 1)
    }
}
