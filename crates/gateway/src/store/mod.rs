//! Storage through sqlx: SQLite (embedded default, `DIR/gateway.db`) or PostgreSQL (for
//! deployments that outgrow one machine). Each backend has its own migrations folder; the
//! queries are written once (portable SQL, `$n` placeholders in order) and run on either pool
//! through [`on_pool!`], so the two cannot drift apart silently — both are tested against
//! real servers.

use assent_audit::{AuditEntry, Digest32, EntryKind, NewEntry};
use sqlx::Row;
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use std::path::Path;
use std::str::FromStr;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database migration: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("stored audit entry {seq} is unreadable: {reason}")]
    CorruptAudit { seq: i64, reason: String },
    #[error("unsupported database URL (use postgres://… or sqlite:…)")]
    UnsupportedUrl,
    #[error(transparent)]
    Writer(#[from] writer::WriterError),
}

impl StoreError {
    /// Whether the database could not be reached (rather than the request being wrong or
    /// the gateway failing): callers answer 503 and the process recovers when it is back.
    pub fn is_unreachable(&self) -> bool {
        match self {
            StoreError::Database(
                sqlx::Error::PoolTimedOut
                | sqlx::Error::PoolClosed
                | sqlx::Error::Io(_)
                | sqlx::Error::Tls(_),
            ) => true,
            // Connection exceptions (08…), shutdowns (57P01–57P03) and a database closed to
            // connections (55000).
            StoreError::Database(sqlx::Error::Database(db)) => db
                .code()
                .is_some_and(|c| c.starts_with("08") || c.starts_with("57P") || c == "55000"),
            // SQLite's writer queue full for seconds, or gone: the database is not
            // writable now, which is a 503, not a bug in this request.
            StoreError::Writer(writer::WriterError::Busy(_) | writer::WriterError::Stopped) => true,
            _ => false,
        }
    }
}

/// The gateway's database.
#[derive(Debug, Clone)]
pub enum Store {
    Sqlite(SqliteStore),
    Postgres(PgPool),
}

/// SQLite: a pool of connections that read (and write outside [`Tx`]), and the one writer
/// task through which every [`Tx`] goes (group commit, see [`writer`]).
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pub pool: SqlitePool,
    pub writer: SqliteWriter,
}

/// Runs the same statement on whichever pool the store has.
macro_rules! on_pool {
    ($store:expr, |$pool:ident| $body:expr) => {
        match $store {
            Store::Sqlite(sqlite) => {
                let $pool = &sqlite.pool;
                $body
            }
            Store::Postgres($pool) => $body,
        }
    };
}

/// Runs a write on whichever store this is: on SQLite through the writer (in a savepoint of
/// the current batch, returning once the batch is durable; see [`writer`]) so that writers
/// queue in the process instead of on SQLite's sleeping busy handler; on PostgreSQL on the
/// pool. `$conn` is a `&mut SqliteConnection` or `&mut PgConnection`: reborrow it
/// (`&mut *conn`) to run more than one statement.
macro_rules! on_write {
    ($store:expr, |$conn:ident| $body:expr) => {
        match $store {
            Store::Sqlite(sqlite) => {
                let mut lease = sqlite.writer.lease().await?;
                let out = {
                    let $conn = lease.conn()?;
                    $body
                };
                lease.commit().await?;
                out
            }
            Store::Postgres(pool) => {
                let mut connection = pool.acquire().await?;
                let $conn = &mut *connection;
                $body
            }
        }
    };
}

// After the macros, so that the submodules can use them.
mod acme;
mod consents;
mod delivery;
mod devices;
mod registry;
mod tx;
pub mod writer;

pub use crate::base::model::{Client, User};
pub use acme::{AcmeAccount, AcmeAuthz, AcmeCertificate, AcmeChallenge, AcmeOrder};
pub use consents::UserNotification;
pub use devices::{AppPrompt, AuditFilter, Device};
pub use registry::Flag;
pub use tx::Tx;
pub use writer::SqliteWriter;

/// A message the handset simulator received.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct SimMessage {
    pub id: String,
    pub kind: String,
    pub text: String,
    pub encoding: String,
    pub units: i64,
    pub sent_at: String,
    pub open: bool,
}

// Statements that run both on the pool and inside a [`Tx`] (one text for both).
const TRANSITION_CIBA: &str =
    "UPDATE ciba_requests SET status = $1 WHERE auth_req_hash = $2 AND status = $3";
const TRANSITION_CODE_REQUEST: &str = "UPDATE code_requests SET status = $1, \
    code_hash = COALESCE($2, code_hash), code_expires_ms = COALESCE($3, code_expires_ms), \
    access_hash = COALESCE($4, access_hash) \
    WHERE session_hash = $5 AND status = $6";
const ANSWER_SIM_MESSAGE: &str = "UPDATE sim_messages SET open = 0, reply = $1 \
    WHERE id = $2 AND msisdn = $3 AND open = 1";
const INSERT_CONSENT: &str = "INSERT INTO consents (id, user_id, client_id, scope, kind, prompt, \
    granted_ms, revoked_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";

fn words(text: &str) -> Vec<String> {
    text.split_whitespace().map(str::to_owned).collect()
}

const CLIENT_COLUMNS: &str = "client_id, secret_hash, client_name, grant_types, scopes, \
    redirect_uris, delivery_modes, token_policy, token_ttl_seconds, blacklisted, \
    notification_endpoint, jwks, resource_server";

fn client_from_row<R: Row>(row: &R) -> Result<Client, sqlx::Error>
where
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<String>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'c> &'c str: sqlx::ColumnIndex<R>,
{
    client_from_prefixed_row(row, "")
}

/// [`client_from_row`] for columns named `{prefix}{column}` (a row that joins other tables).
fn client_from_prefixed_row<R: Row>(row: &R, prefix: &str) -> Result<Client, sqlx::Error>
where
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<String>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'c> &'c str: sqlx::ColumnIndex<R>,
{
    let col = |name: &str| format!("{prefix}{name}");
    Ok(Client {
        client_id: row.try_get(&*col("client_id"))?,
        secret_hash: row.try_get(&*col("secret_hash"))?,
        client_name: row.try_get(&*col("client_name"))?,
        grant_types: words(&row.try_get::<String, _>(&*col("grant_types"))?),
        scopes: words(&row.try_get::<String, _>(&*col("scopes"))?),
        redirect_uris: words(&row.try_get::<String, _>(&*col("redirect_uris"))?),
        delivery_modes: words(&row.try_get::<String, _>(&*col("delivery_modes"))?),
        token_policy: row.try_get(&*col("token_policy"))?,
        token_ttl_seconds: row.try_get(&*col("token_ttl_seconds"))?,
        blacklisted: row.try_get::<i64, _>(&*col("blacklisted"))? != 0,
        notification_endpoint: row.try_get(&*col("notification_endpoint"))?,
        jwks: row.try_get(&*col("jwks"))?,
        resource_server: row.try_get::<i64, _>(&*col("resource_server"))? != 0,
    })
}

const USER_COLUMNS: &str = "id, msisdn, given_name, family_name, birthdate, email, \
    street_address, postal_code, locality, country, sim_change, authenticators";

fn user_from_row<R: Row>(row: &R) -> Result<User, sqlx::Error>
where
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<String>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'c> &'c str: sqlx::ColumnIndex<R>,
{
    user_from_prefixed_row(row, "")
}

/// [`user_from_row`] for columns named `{prefix}{column}`.
fn user_from_prefixed_row<R: Row>(row: &R, prefix: &str) -> Result<User, sqlx::Error>
where
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<String>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'c> &'c str: sqlx::ColumnIndex<R>,
{
    let col = |name: &str| format!("{prefix}{name}");
    Ok(User {
        id: row.try_get(&*col("id"))?,
        msisdn: row.try_get(&*col("msisdn"))?,
        given_name: row.try_get(&*col("given_name"))?,
        family_name: row.try_get(&*col("family_name"))?,
        birthdate: row.try_get(&*col("birthdate"))?,
        email: row.try_get(&*col("email"))?,
        street_address: row.try_get(&*col("street_address"))?,
        postal_code: row.try_get(&*col("postal_code"))?,
        locality: row.try_get(&*col("locality"))?,
        country: row.try_get(&*col("country"))?,
        sim_change: row.try_get(&*col("sim_change"))?,
        authenticators: words(&row.try_get::<String, _>(&*col("authenticators"))?),
    })
}

/// A user registered without authenticators has USSD, which every handset has.
fn authenticators_or_default(list: &[String]) -> String {
    if list.is_empty() {
        "ussd".to_owned()
    } else {
        list.join(" ")
    }
}

impl Store {
    /// Opens the database named by `url`, or `DIR/gateway.db` when there is none, and runs
    /// the migrations.
    pub async fn open(url: Option<&str>, data_dir: &Path) -> Result<Store, StoreError> {
        let store = match url {
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                Store::Postgres(
                    PgPoolOptions::new()
                        .max_connections(16)
                        // A database that cannot be reached is reported (503) within
                        // seconds rather than after sqlx's default 30 s.
                        .acquire_timeout(std::time::Duration::from_secs(3))
                        .connect(url)
                        .await?,
                )
            }
            Some(url) if url.starts_with("sqlite:") => {
                Store::Sqlite(sqlite_store(SqliteConnectOptions::from_str(url)?).await?)
            }
            Some(_) => return Err(StoreError::UnsupportedUrl),
            None => {
                let options = SqliteConnectOptions::new().filename(data_dir.join("gateway.db"));
                Store::Sqlite(sqlite_store(options).await?)
            }
        };
        match &store {
            Store::Sqlite(sqlite) => {
                sqlx::migrate!("./migrations/sqlite")
                    .run(&sqlite.pool)
                    .await?
            }
            Store::Postgres(pool) => sqlx::migrate!("./migrations/postgres").run(pool).await?,
        }
        Ok(store)
    }

    pub fn backend(&self) -> &'static str {
        match self {
            Store::Sqlite(_) => "sqlite",
            Store::Postgres(_) => "postgres",
        }
    }

    pub async fn upsert_user(&self, user: &User) -> Result<(), StoreError> {
        const SQL: &str = "INSERT INTO users (id, msisdn, given_name, family_name, birthdate, \
            email, street_address, postal_code, locality, country, sim_change, authenticators) \
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
            ON CONFLICT (msisdn) DO UPDATE SET given_name = excluded.given_name, \
            family_name = excluded.family_name, birthdate = excluded.birthdate, \
            email = excluded.email, street_address = excluded.street_address, \
            postal_code = excluded.postal_code, locality = excluded.locality, \
            country = excluded.country, sim_change = excluded.sim_change";
        on_write!(self, |pool| {
            sqlx::query(SQL)
                .bind(&user.id)
                .bind(&user.msisdn)
                .bind(&user.given_name)
                .bind(&user.family_name)
                .bind(&user.birthdate)
                .bind(&user.email)
                .bind(&user.street_address)
                .bind(&user.postal_code)
                .bind(&user.locality)
                .bind(&user.country)
                .bind(&user.sim_change)
                .bind(authenticators_or_default(&user.authenticators))
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// The user with this number (E.164 digits, no `+`).
    pub async fn user_by_msisdn(&self, msisdn: &str) -> Result<Option<User>, StoreError> {
        self.user_where("msisdn", msisdn).await
    }

    /// The user with this opaque id.
    pub async fn user_by_id(&self, id: &str) -> Result<Option<User>, StoreError> {
        self.user_where("id", id).await
    }

    /// The user whose unique `column` (`id` or `msisdn`) is `value`.
    async fn user_where(&self, column: &str, value: &str) -> Result<Option<User>, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE {column} = $1");
        let row = on_pool!(self, |pool| {
            sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(value)
                .fetch_optional(pool)
                .await?
                .map(|row| user_from_row(&row))
        });
        Ok(row.transpose()?)
    }

    /// Registers or updates an SP; an existing SP keeps its blacklist flag unless `client`
    /// sets it.
    pub async fn upsert_client(&self, client: &Client) -> Result<(), StoreError> {
        const SQL: &str = "INSERT INTO clients (client_id, secret_hash, client_name, grant_types, \
            scopes, redirect_uris, delivery_modes, token_policy, token_ttl_seconds, blacklisted, \
            notification_endpoint, jwks, resource_server) \
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
            ON CONFLICT (client_id) DO UPDATE SET secret_hash = excluded.secret_hash, \
            client_name = excluded.client_name, grant_types = excluded.grant_types, \
            scopes = excluded.scopes, redirect_uris = excluded.redirect_uris, \
            delivery_modes = excluded.delivery_modes, token_policy = excluded.token_policy, \
            token_ttl_seconds = excluded.token_ttl_seconds, \
            notification_endpoint = excluded.notification_endpoint, jwks = excluded.jwks, \
            resource_server = excluded.resource_server, \
            blacklisted = CASE WHEN excluded.blacklisted = 1 THEN 1 ELSE clients.blacklisted END";
        on_write!(self, |pool| {
            sqlx::query(SQL)
                .bind(&client.client_id)
                .bind(&client.secret_hash)
                .bind(&client.client_name)
                .bind(client.grant_types.join(" "))
                .bind(client.scopes.join(" "))
                .bind(client.redirect_uris.join(" "))
                .bind(client.delivery_modes.join(" "))
                .bind(&client.token_policy)
                .bind(client.token_ttl_seconds)
                .bind(i64::from(client.blacklisted))
                .bind(&client.notification_endpoint)
                .bind(&client.jwks)
                .bind(i64::from(client.resource_server))
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    pub async fn client(&self, client_id: &str) -> Result<Option<Client>, StoreError> {
        let sql = format!("SELECT {CLIENT_COLUMNS} FROM clients WHERE client_id = $1");
        let row = on_pool!(self, |pool| {
            sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(client_id)
                .fetch_optional(pool)
                .await?
                .map(|row| client_from_row(&row))
        });
        Ok(row.transpose()?)
    }

    /// Every registered SP, by client_id.
    pub async fn clients(&self) -> Result<Vec<Client>, StoreError> {
        let sql = format!("SELECT {CLIENT_COLUMNS} FROM clients ORDER BY client_id");
        let rows = on_pool!(self, |pool| {
            sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .fetch_all(pool)
                .await?
                .iter()
                .map(client_from_row)
                .collect::<Result<Vec<_>, _>>()?
        });
        Ok(rows)
    }

    /// Sets an SP's blacklist flag; `false` when there is no such SP.
    pub async fn set_blacklisted(&self, client_id: &str, on: bool) -> Result<bool, StoreError> {
        const SQL: &str = "UPDATE clients SET blacklisted = $1 WHERE client_id = $2";
        let affected = on_write!(self, |pool| {
            sqlx::query(SQL)
                .bind(i64::from(on))
                .bind(client_id)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(affected == 1)
    }

    pub async fn blacklisted_clients(&self) -> Result<Vec<(String, String)>, StoreError> {
        const SQL: &str =
            "SELECT client_id, client_name FROM clients WHERE blacklisted = 1 ORDER BY client_id";
        let rows = on_pool!(self, |pool| {
            sqlx::query(SQL)
                .fetch_all(pool)
                .await?
                .into_iter()
                .map(|r| Ok::<_, sqlx::Error>((r.try_get("client_id")?, r.try_get("client_name")?)))
                .collect::<Result<Vec<_>, _>>()?
        });
        Ok(rows)
    }

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
    pub async fn audit_page(&self, after: u64, limit: u32) -> Result<Vec<AuditEntry>, StoreError> {
        const SQL: &str = "SELECT seq, at_ms, kind, user_id, sp, authenticator, detail, prev_hash, \
            user_prev_hash, hash FROM audit WHERE seq > $1 ORDER BY seq LIMIT $2";
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
}

async fn sqlite_store(options: SqliteConnectOptions) -> Result<SqliteStore, sqlx::Error> {
    // Durability: WAL with synchronous=FULL, so a committed consent, token or audit entry
    // survives a power cut, not only a process crash (WAL+NORMAL may lose the last commits).
    // The writer's group commit keeps that (one fsync per batch, acknowledged after it).
    let options = options
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(std::time::Duration::from_secs(10));
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        // sqlx pings a connection before lending it by default: a round trip to the
        // connection's thread for nothing on an embedded database (it cannot have gone
        // away), which was one of every four statements of a resource access.
        .test_before_acquire(false)
        .connect_with(options.clone())
        .await?;
    let writer = SqliteWriter::start(&options).await?;
    Ok(SqliteStore { pool, writer })
}

fn parse_digest(seq: i64, hex: &str) -> Result<Digest32, StoreError> {
    Digest32::from_hex(hex).map_err(|e| StoreError::CorruptAudit {
        seq,
        reason: e.to_string(),
    })
}

/// An audit row as stored, before its fields are checked.
struct StoredEntry {
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
}

impl StoredEntry {
    /// The columns `seq, at_ms, kind, user_id, sp, authenticator, detail, prev_hash,
    /// user_prev_hash, hash` of an audit row.
    fn from_row<R: Row>(row: &R) -> Result<Self, sqlx::Error>
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
        })
    }

    fn into_entry(self) -> Result<AuditEntry, StoreError> {
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
        })
    }
}

/// A stored token (the bearer value itself is never stored: `token_hash` is its SHA-256).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRecord {
    pub token_hash: String,
    pub kind: String,
    pub client_id: String,
    pub user_id: Option<String>,
    pub scope: Vec<String>,
    pub policy: String,
    pub issued_ms: i64,
    pub expires_ms: i64,
    pub spent: bool,
    pub revoked: bool,
    pub consent_id: Option<String>,
    /// Tokens from one grant (an access token, its refresh tokens and their successors).
    pub family: Option<String>,
}

const TOKEN_COLUMNS: &str = "token_hash, kind, client_id, user_id, scope, policy, issued_ms, \
    expires_ms, spent, revoked, consent_id, family";

fn token_from_row<R: Row>(row: &R) -> Result<TokenRecord, sqlx::Error>
where
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<String>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'c> &'c str: sqlx::ColumnIndex<R>,
{
    Ok(TokenRecord {
        token_hash: row.try_get("token_hash")?,
        kind: row.try_get("kind")?,
        client_id: row.try_get("client_id")?,
        user_id: row.try_get("user_id")?,
        scope: words(&row.try_get::<String, _>("scope")?),
        policy: row.try_get("policy")?,
        issued_ms: row.try_get("issued_ms")?,
        expires_ms: row.try_get("expires_ms")?,
        spent: row.try_get::<i64, _>("spent")? != 0,
        revoked: row.try_get::<i64, _>("revoked")? != 0,
        consent_id: row.try_get("consent_id")?,
        family: row.try_get("family")?,
    })
}

/// A token as the resource server decides on it ([`Store::token_view`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenView {
    pub token: TokenRecord,
    /// For a token bought with a consent: whether that consent exists and is not revoked.
    pub consent_live: Option<bool>,
    /// The token's SP, if it is (still) registered.
    pub client: Option<Client>,
    /// The token's user, for a token tied to one that still exists.
    pub user: Option<User>,
}

/// [`Store::token_view`]'s statement, built once from the column lists.
static TOKEN_VIEW_SQL: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Also run inside a [`Tx`] (a client-credentials token commits with its audit entry).
pub(crate) const INSERT_TOKEN: &str = "INSERT INTO tokens (token_hash, kind, client_id, \
    user_id, scope, policy, issued_ms, expires_ms, spent, revoked, consent_id, family) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";

/// Binds a token's columns to [`INSERT_TOKEN`], for either backend.
pub(crate) fn bind_token<'q, DB: sqlx::Database>(
    query: sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments>,
    token: &'q TokenRecord,
) -> sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments>
where
    String: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    &'q String: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    &'q Option<String>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    query
        .bind(&token.token_hash)
        .bind(&token.kind)
        .bind(&token.client_id)
        .bind(&token.user_id)
        .bind(token.scope.join(" "))
        .bind(&token.policy)
        .bind(token.issued_ms)
        .bind(token.expires_ms)
        .bind(i64::from(token.spent))
        .bind(i64::from(token.revoked))
        .bind(&token.consent_id)
        .bind(&token.family)
}

impl Store {
    pub async fn insert_token(&self, token: &TokenRecord) -> Result<(), StoreError> {
        on_write!(self, |pool| {
            bind_token(sqlx::query(INSERT_TOKEN), token)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    pub async fn token(&self, token_hash: &str) -> Result<Option<TokenRecord>, StoreError> {
        let sql = format!("SELECT {TOKEN_COLUMNS} FROM tokens WHERE token_hash = $1");
        let row = on_pool!(self, |pool| {
            sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(token_hash)
                .fetch_optional(pool)
                .await?
                .map(|row| token_from_row(&row))
        });
        Ok(row.transpose()?)
    }

    /// A token with what deciding on it needs: whether its consent is live, its client and
    /// its user. One statement where four look-ups used to be: on SQLite each statement is
    /// a hand-off to the thread sqlx runs the connection on, and on PostgreSQL a round trip,
    /// and an access is read on every resource request.
    pub async fn token_view(&self, token_hash: &str) -> Result<Option<TokenView>, StoreError> {
        let sql = TOKEN_VIEW_SQL.get_or_init(|| {
            let prefixed = |table: &str, prefix: &str, columns: &str| {
                columns
                    .split(", ")
                    .map(|c| format!("{table}.{c} AS {prefix}{c}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            format!(
                "SELECT {}, c.id AS consent_id_found, c.revoked_ms AS consent_revoked_ms, {}, {} \
                 FROM tokens t LEFT JOIN consents c ON c.id = t.consent_id \
                 LEFT JOIN clients cl ON cl.client_id = t.client_id \
                 LEFT JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1",
                prefixed("t", "", TOKEN_COLUMNS),
                prefixed("cl", "cl_", CLIENT_COLUMNS),
                prefixed("u", "u_", USER_COLUMNS),
            )
        });
        let view = on_pool!(self, |pool| {
            sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(token_hash)
                .fetch_optional(pool)
                .await?
                .map(|row| {
                    let token = token_from_row(&row)?;
                    let consent_live = match &token.consent_id {
                        None => None,
                        Some(_) => Some(
                            row.try_get::<Option<String>, _>("consent_id_found")?
                                .is_some()
                                && row
                                    .try_get::<Option<i64>, _>("consent_revoked_ms")?
                                    .is_none(),
                        ),
                    };
                    let client = match row.try_get::<Option<String>, _>("cl_client_id")? {
                        Some(_) => Some(client_from_prefixed_row(&row, "cl_")?),
                        None => None,
                    };
                    let user = match row.try_get::<Option<String>, _>("u_id")? {
                        Some(_) => Some(user_from_prefixed_row(&row, "u_")?),
                        None => None,
                    };
                    Ok::<_, sqlx::Error>(TokenView {
                        token,
                        consent_live,
                        client,
                        user,
                    })
                })
        });
        Ok(view.transpose()?)
    }

    /// Revokes every token of a family; returns how many were still live.
    pub async fn revoke_family(&self, family: &str) -> Result<u64, StoreError> {
        const SQL: &str = "UPDATE tokens SET revoked = 1 WHERE family = $1 AND revoked = 0";
        let affected = on_write!(self, |pool| {
            sqlx::query(SQL)
                .bind(family)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(affected)
    }

    /// Revokes a token of `client_id`; `false` when it has no such token (or it was revoked).
    pub async fn revoke_token(
        &self,
        token_hash: &str,
        client_id: &str,
    ) -> Result<bool, StoreError> {
        const SQL: &str = "UPDATE tokens SET revoked = 1 WHERE token_hash = $1 AND client_id = $2 AND revoked = 0";
        let affected = on_write!(self, |pool| {
            sqlx::query(SQL)
                .bind(token_hash)
                .bind(client_id)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(affected == 1)
    }
}

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
}

pub(crate) const CIBA_COLUMNS: &str = "auth_req_hash, client_id, user_id, scope, binding_message, \
    delivery_mode, status, authenticator, message_id, prompt, created_ms, expires_ms, interval_s, \
    last_poll_ms, auth_req_id, notification_token, notified_ms, notify_attempts, next_attempt_ms, \
    token_family";

pub(crate) fn ciba_from_row<R: Row>(row: &R) -> Result<CibaRequest, sqlx::Error>
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

/// A Device-Initiated (authorization code) request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeRequest {
    pub session_hash: String,
    pub client_id: String,
    pub user_id: String,
    pub scope: Vec<String>,
    pub redirect_uri: String,
    pub state: String,
    pub nonce: Option<String>,
    pub code_challenge: String,
    pub status: String,
    pub authenticator: String,
    pub message_id: Option<String>,
    pub prompt: String,
    pub code_hash: Option<String>,
    pub access_hash: Option<String>,
    pub created_ms: i64,
    pub expires_ms: i64,
    pub code_expires_ms: Option<i64>,
    /// Where consent is captured (MC_ATTR_08): `authenticator` or `browser`.
    pub consent_on: String,
    /// With `browser`: the consent text the page showed, recorded with the answer.
    pub consent_text: Option<String>,
}

const CODE_COLUMNS: &str = "session_hash, client_id, user_id, scope, redirect_uri, state, nonce, \
    code_challenge, status, authenticator, message_id, prompt, code_hash, access_hash, created_ms, \
    expires_ms, code_expires_ms, consent_on, consent_text";

fn code_from_row<R: Row>(row: &R) -> Result<CodeRequest, sqlx::Error>
where
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<String>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<i64>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'c> &'c str: sqlx::ColumnIndex<R>,
{
    Ok(CodeRequest {
        session_hash: row.try_get("session_hash")?,
        client_id: row.try_get("client_id")?,
        user_id: row.try_get("user_id")?,
        scope: words(&row.try_get::<String, _>("scope")?),
        redirect_uri: row.try_get("redirect_uri")?,
        state: row.try_get("state")?,
        nonce: row.try_get("nonce")?,
        code_challenge: row.try_get("code_challenge")?,
        status: row.try_get("status")?,
        authenticator: row.try_get("authenticator")?,
        message_id: row.try_get("message_id")?,
        prompt: row.try_get("prompt")?,
        code_hash: row.try_get("code_hash")?,
        access_hash: row.try_get("access_hash")?,
        created_ms: row.try_get("created_ms")?,
        expires_ms: row.try_get("expires_ms")?,
        code_expires_ms: row.try_get("code_expires_ms")?,
        consent_on: row.try_get("consent_on")?,
        consent_text: row.try_get("consent_text")?,
    })
}

impl Store {
    pub async fn insert_code_request(&self, r: &CodeRequest) -> Result<(), StoreError> {
        let sql = format!(
            "INSERT INTO code_requests ({CODE_COLUMNS}) VALUES \
             ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)"
        );
        on_write!(self, |pool| {
            sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(&r.session_hash)
                .bind(&r.client_id)
                .bind(&r.user_id)
                .bind(r.scope.join(" "))
                .bind(&r.redirect_uri)
                .bind(&r.state)
                .bind(&r.nonce)
                .bind(&r.code_challenge)
                .bind(&r.status)
                .bind(&r.authenticator)
                .bind(&r.message_id)
                .bind(&r.prompt)
                .bind(&r.code_hash)
                .bind(&r.access_hash)
                .bind(r.created_ms)
                .bind(r.expires_ms)
                .bind(r.code_expires_ms)
                .bind(&r.consent_on)
                .bind(&r.consent_text)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// The code request whose `column` (session_hash, message_id or code_hash) is `value`.
    pub async fn code_request_by(
        &self,
        column: CodeKey,
        value: &str,
    ) -> Result<Option<CodeRequest>, StoreError> {
        let column = match column {
            CodeKey::Session => "session_hash",
            CodeKey::Message => "message_id",
            CodeKey::Code => "code_hash",
        };
        let sql = format!("SELECT {CODE_COLUMNS} FROM code_requests WHERE {column} = $1");
        let row = on_pool!(self, |pool| {
            sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(value)
                .fetch_optional(pool)
                .await?
                .map(|row| code_from_row(&row))
        });
        Ok(row.transpose()?)
    }

    /// Moves a code request from `from` to `to`, setting the code or the access token hash
    /// when given; `false` if it was not in `from`.
    pub async fn transition_code_request(
        &self,
        session_hash: &str,
        from: &str,
        to: &str,
        code: Option<(&str, i64)>,
        access_hash: Option<&str>,
    ) -> Result<bool, StoreError> {
        let affected = on_pool!(self, |pool| {
            sqlx::query(TRANSITION_CODE_REQUEST)
                .bind(to)
                .bind(code.map(|(hash, _)| hash))
                .bind(code.map(|(_, expires)| expires))
                .bind(access_hash)
                .bind(session_hash)
                .bind(from)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(affected == 1)
    }
}

impl Store {
    /// Records the consent text the browser page shows (MC_ATTR_08), once: the first page
    /// shown is the one the answer refers to.
    pub async fn set_consent_text(&self, session_hash: &str, text: &str) -> Result<(), StoreError> {
        const SQL: &str = "UPDATE code_requests SET consent_text = $1 \
            WHERE session_hash = $2 AND consent_text IS NULL";
        on_write!(self, |pool| {
            sqlx::query(SQL)
                .bind(text)
                .bind(session_hash)
                .execute(pool)
                .await?;
        });
        Ok(())
    }
}

/// Which column finds a code request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeKey {
    Session,
    Message,
    Code,
}
