//! Records: the writes of a hot request (an access's audit entries and notification, a
//! client-credentials token and its entry) handed to the writer as values rather than run
//! statement by statement on a leased connection.
//!
//! The writer takes every record waiting, links their audit entries into the chain itself and
//! writes each table's rows in one multi-row statement, then commits once and only then
//! acknowledges them (see [`super::writer`]). A request used to cross to the thread sqlx runs
//! the SQLite connection on some eight times to write what it now hands over in one message;
//! those hand-offs, not SQLite, were most of the CPU an access cost.
//!
//! A record may carry the read epoch its request's reads were made at ([`super::cache`]): it
//! is written only if the epoch is still the database's, read in the same transaction that
//! writes it; otherwise nothing is written and the request is told to read again.

use super::audit::parse_digest;
use super::cache::Epoch;
use super::{StoreError, TokenRecord, UserNotification};
use assent_audit::{AuditEntry, Digest32, Head, NewEntry};
use sqlx::{Database, QueryBuilder, Row};

use std::collections::{BTreeMap, HashMap, HashSet};

/// The writes of one request, made together or not at all.
#[derive(Debug, Clone, Default)]
pub struct Record {
    /// Written only if the read epoch is still this one (`None`: unconditionally).
    pub read_at: Option<Epoch>,
    pub tokens: Vec<TokenRecord>,
    /// Appended to the trail in this order, after every earlier record's.
    pub entries: Vec<NewEntry>,
    pub notifications: Vec<UserNotification>,
}

/// Audit heads known without a look-up: those appended while the audit lock has been held
/// without a break. Nobody else can append while it is held, so the last entry appended is
/// the trail's head and each user's last entry is that user's head; the next append then
/// needs no `SELECT` (an access and its notification, an answer and its consent, and on
/// SQLite every request of a group-commit batch after the first). Forgotten whenever the
/// lock is let go or an append or a request's work may have been undone.
#[derive(Debug, Default)]
pub(crate) struct KnownHeads {
    /// The trail's head and its stamp.
    pub(super) trail: Option<(Head, i64)>,
    /// Users' heads (their last entry's hash).
    pub(super) users: HashMap<String, Digest32>,
}

/// What became of a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    /// Written and durable.
    Durable,
    /// Nothing was written: what the request read may have changed since (the database is
    /// at `now`). The request reads again and makes a new record.
    Stale { now: Epoch },
}

/// Rows per statement: SQLite allows 32,766 parameters per statement and PostgreSQL 65,535;
/// the widest row here has 13 columns, so chunks of this many rows stay well under both.
const ROWS_PER_STATEMENT: usize = 500;

/// Looks up, in one statement, what writing `records` needs and is not known yet: the read
/// epoch (when `want_epoch`), the trail's head and the heads of the records' users (a user
/// with no entry yet gets the genesis digest, as [`AuditEntry::link`] would give). Returns
/// the epoch when it was wanted. Nothing is looked up when everything is known.
pub(super) async fn look_up<C, DB>(
    conn: &mut C,
    heads: &mut KnownHeads,
    records: &[&Record],
    want_epoch: bool,
) -> Result<Option<Epoch>, StoreError>
where
    C: sqlx::Connection<Database = DB>,
    DB: Database,
    for<'e> &'e mut C: sqlx::Executor<'e, Database = DB>,
    for<'q> <DB as Database>::Arguments: sqlx::IntoArguments<DB>,
    for<'q> String: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'r> String: sqlx::Decode<'r, DB>,
    for<'r> i64: sqlx::Decode<'r, DB> + sqlx::Type<DB>,
    for<'c> &'c str: sqlx::ColumnIndex<DB::Row>,
{
    let unknown: Vec<&String> = records
        .iter()
        .flat_map(|r| r.entries.iter())
        .filter_map(|e| e.user.as_ref())
        .filter(|u| !heads.users.contains_key(*u))
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let want_trail = heads.trail.is_none();
    if !want_epoch && !want_trail && unknown.is_empty() {
        return Ok(None);
    }
    // Every part is one SELECT of (what, user_id, n, at_ms, hash), joined by UNION ALL; each
    // names its columns, since any of them may come alone.
    let mut query: QueryBuilder<DB> = QueryBuilder::new("");
    let mut parts = 0;
    let mut part = |query: &mut QueryBuilder<DB>, sql: &str| {
        if parts > 0 {
            query.push(" UNION ALL ");
        }
        parts += 1;
        query.push(sql);
    };
    if want_epoch {
        part(
            &mut query,
            "SELECT 'epoch' AS what, CAST(NULL AS TEXT) AS user_id, n, \
             CAST(NULL AS BIGINT) AS at_ms, CAST(NULL AS TEXT) AS hash \
             FROM read_epoch WHERE id = 1",
        );
    }
    if want_trail {
        part(
            &mut query,
            "SELECT 'trail' AS what, CAST(NULL AS TEXT) AS user_id, seq AS n, at_ms, hash FROM \
             (SELECT seq, at_ms, hash FROM audit ORDER BY seq DESC LIMIT 1) head",
        );
    }
    if !unknown.is_empty() {
        part(
            &mut query,
            "SELECT 'user' AS what, user_id, CAST(NULL AS BIGINT) AS n, \
             CAST(NULL AS BIGINT) AS at_ms, hash \
             FROM audit_user_heads WHERE user_id IN (",
        );
        let mut list = query.separated(", ");
        for user in &unknown {
            list.push_bind((*user).clone());
        }
        query.push(")");
    }
    let mut epoch = None;
    let mut trail = None;
    for row in query.build().fetch_all(&mut *conn).await? {
        let what: String = row.try_get("what")?;
        let n: Option<i64> = row.try_get("n")?;
        match (what.as_str(), n) {
            ("epoch", Some(n)) => epoch = Some(Epoch(n)),
            ("trail", Some(seq)) => {
                let at_ms: Option<i64> = row.try_get("at_ms")?;
                let hash: Option<String> = row.try_get("hash")?;
                trail = Some((
                    Head {
                        seq: u64::try_from(seq).unwrap_or(0),
                        hash: parse_digest(seq, hash.as_deref().unwrap_or_default())?,
                    },
                    at_ms.unwrap_or(i64::MIN),
                ));
            }
            ("user", _) => {
                let user: Option<String> = row.try_get("user_id")?;
                let hash: Option<String> = row.try_get("hash")?;
                if let Some(user) = user {
                    let hash = parse_digest(-1, hash.as_deref().unwrap_or_default())?;
                    heads.users.insert(user, hash);
                }
            }
            _ => {
                return Err(StoreError::CorruptAudit {
                    seq: -1,
                    reason: format!("unexpected look-up row {what}"),
                });
            }
        }
    }
    if want_trail {
        heads.trail = Some(trail.unwrap_or((Head::GENESIS, i64::MIN)));
    }
    for user in unknown {
        heads.users.entry(user.clone()).or_insert(Digest32::GENESIS);
    }
    if want_epoch && epoch.is_none() {
        // The epoch's row always exists (migration 0020): its absence is a broken database.
        return Err(StoreError::Database(sqlx::Error::RowNotFound));
    }
    Ok(epoch)
}

/// Writes `records` (already checked against the epoch) on `conn`, inside a transaction that
/// holds the audit lock, linking their entries after the heads in `heads` (looked up where
/// unknown) and leaving the new heads there. On SQLite every row goes in one call (one
/// multi-statement query: one hand-off to the connection's thread); PostgreSQL's extended
/// protocol takes one statement per call. On an error the caller must undo the writes and
/// forget `heads`.
pub(super) async fn write_records_on<C, DB>(
    conn: &mut C,
    heads: &mut KnownHeads,
    records: &[&Record],
) -> Result<(), StoreError>
where
    C: sqlx::Connection<Database = DB>,
    DB: Database,
    for<'e> &'e mut C: sqlx::Executor<'e, Database = DB>,
    for<'q> <DB as Database>::Arguments: sqlx::IntoArguments<DB>,
    for<'q> String: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> Option<String>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'r> String: sqlx::Decode<'r, DB>,
    for<'r> i64: sqlx::Decode<'r, DB> + sqlx::Type<DB>,
    DB: sqlx::database::HasStatementCache,
    for<'c> &'c str: sqlx::ColumnIndex<DB::Row>,
{
    look_up(&mut *conn, heads, records, false).await?;

    // Link every entry in order (pure: the hash chain is computed here, in the writer).
    let Some((mut trail, mut stamp)) = heads.trail else {
        return Err(StoreError::Unmade("the trail's head is unknown".into()));
    };
    let mut linked: Vec<AuditEntry> = Vec::new();
    let mut user_heads: BTreeMap<String, Digest32> = BTreeMap::new();
    for record in records {
        for entry in &record.entries {
            let mut content = entry.clone();
            // Stamped no earlier than the entry before it (time filters rely on it).
            content.at_ms = content.at_ms.max(stamp);
            let user_head = content
                .user
                .as_ref()
                .and_then(|u| user_heads.get(u).or_else(|| heads.users.get(u)).copied());
            let linked_entry =
                AuditEntry::link(content, super::audit::new_salt(), trail, user_head);
            trail = Head {
                seq: linked_entry.seq,
                hash: linked_entry.hash,
            };
            stamp = linked_entry.content.at_ms;
            if let Some(user) = &linked_entry.content.user {
                user_heads.insert(user.clone(), linked_entry.hash);
            }
            linked.push(linked_entry);
        }
    }

    // The statements, as one multi-statement query on SQLite, one each on PostgreSQL.
    let one_call = DB::NAME == "SQLite";
    let mut statements: Vec<QueryBuilder<DB>> = Vec::new();
    let start = |statements: &mut Vec<QueryBuilder<DB>>, sql: &str| {
        match statements.last_mut() {
            Some(query) if one_call => {
                query.push("; ");
                query.push(sql);
            }
            _ => statements.push(QueryBuilder::new(sql)),
        }
        statements.len() - 1
    };
    let tokens: Vec<&TokenRecord> = records.iter().flat_map(|r| r.tokens.iter()).collect();
    for chunk in tokens.chunks(ROWS_PER_STATEMENT) {
        let at = start(
            &mut statements,
            "INSERT INTO tokens (token_hash, kind, client_id, user_id, scope, policy, \
             issued_ms, expires_ms, spent, revoked, consent_id, family, jkt) ",
        );
        statements[at].push_values(chunk, |mut row, token| {
            row.push_bind(token.token_hash.clone())
                .push_bind(token.kind.clone())
                .push_bind(token.client_id.clone())
                .push_bind(token.user_id.clone())
                .push_bind(token.scope.join(" "))
                .push_bind(token.policy.clone())
                .push_bind(token.issued_ms)
                .push_bind(token.expires_ms)
                .push_bind(i64::from(token.spent))
                .push_bind(i64::from(token.revoked))
                .push_bind(token.consent_id.clone())
                .push_bind(token.family.clone())
                .push_bind(token.jkt.clone());
        });
    }
    for chunk in linked.chunks(ROWS_PER_STATEMENT) {
        if chunk.iter().any(|entry| i64::try_from(entry.seq).is_err()) {
            return Err(StoreError::CorruptAudit {
                seq: i64::MAX,
                reason: "sequence overflow".into(),
            });
        }
        let at = start(
            &mut statements,
            "INSERT INTO audit (seq, at_ms, kind, user_id, sp, authenticator, detail, \
             prev_hash, user_prev_hash, hash, detail_digest, detail_salt) ",
        );
        statements[at].push_values(chunk, |mut row, entry| {
            row.push_bind(i64::try_from(entry.seq).unwrap_or(i64::MAX))
                .push_bind(entry.content.at_ms)
                .push_bind(entry.content.kind.name().to_owned())
                .push_bind(entry.content.user.clone())
                .push_bind(entry.content.sp.clone())
                .push_bind(entry.content.authenticator.clone())
                .push_bind(entry.content.detail.clone())
                .push_bind(entry.prev_hash.to_hex())
                .push_bind(entry.user_prev_hash.map(Digest32::to_hex))
                .push_bind(entry.hash.to_hex())
                .push_bind(entry.seal.as_ref().map(|seal| seal.digest.to_hex()))
                .push_bind(entry.seal.as_ref().and_then(|seal| seal.salt.clone()));
        });
    }
    // One row per user (PostgreSQL refuses to update a row twice in one statement).
    let heads_now: Vec<(&String, &Digest32)> = user_heads.iter().collect();
    for chunk in heads_now.chunks(ROWS_PER_STATEMENT) {
        let at = start(
            &mut statements,
            "INSERT INTO audit_user_heads (user_id, hash) ",
        );
        statements[at].push_values(chunk, |mut row, (user, hash)| {
            row.push_bind((*user).clone()).push_bind(hash.to_hex());
        });
        statements[at].push(" ON CONFLICT (user_id) DO UPDATE SET hash = excluded.hash");
    }
    let notifications: Vec<&UserNotification> = records
        .iter()
        .flat_map(|r| r.notifications.iter())
        .collect();
    for chunk in notifications.chunks(ROWS_PER_STATEMENT) {
        let at = start(
            &mut statements,
            "INSERT INTO user_notifications (id, user_id, client_id, kind, detail, created_ms) ",
        );
        statements[at].push_values(chunk, |mut row, n| {
            row.push_bind(n.id.clone())
                .push_bind(n.user_id.clone())
                .push_bind(n.client_id.clone())
                .push_bind(n.kind.clone())
                .push_bind(n.detail.clone())
                .push_bind(n.created_ms);
        });
    }
    for mut statement in statements {
        // Not kept prepared: its text changes with the number of rows.
        statement
            .build()
            .persistent(false)
            .execute(&mut *conn)
            .await?;
    }

    heads.trail = Some((trail, stamp));
    heads.users.extend(user_heads);
    metrics::counter!("assent_audit_appends_total").increment(linked.len() as u64);
    Ok(())
}
