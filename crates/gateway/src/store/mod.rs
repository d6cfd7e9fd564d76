//! Storage through sqlx: SQLite (embedded default, `DIR/gateway.db`) or PostgreSQL (for
//! deployments that outgrow one machine). Each backend has its own migrations folder; the
//! queries are written once (portable SQL, `$n` placeholders in order) and run on either pool
//! through [`on_pool!`], so the two cannot drift apart silently — both are tested against
//! real servers.

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
    /// A record to be written with others could not be made (a receipt's signature): the
    /// transaction is given up, nothing is written.
    #[error("a record could not be made: {0}")]
    Unmade(String),
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

/// Runs the same statement on whichever [`Tx`] this is (`$conn` is the connection): for every
/// module of the store that adds work to a transaction.
macro_rules! on_tx {
    ($tx:expr, |$conn:ident| $body:expr) => {
        match &mut $tx.conn {
            $crate::store::TxConn::Sqlite(lease) => {
                let $conn = lease.conn()?;
                $body
            }
            $crate::store::TxConn::Postgres(tx) => {
                let $conn = &mut **tx;
                $body
            }
        }
    };
}

// After the macros, so that the submodules can use them.
mod acme;
mod audit;
mod budgets;
pub mod cache;
mod ciba;
mod code_flow;
mod consents;
mod delivery;
mod devices;
mod notices;
mod record;
mod registry;
mod simulator;
mod ssf;
mod subscribers;
mod tokens;
mod tx;
pub mod writer;

pub use crate::base::model::{Client, User};
pub use acme::{AcmeAccount, AcmeAuthz, AcmeCertificate, AcmeChallenge, AcmeOrder};
pub use budgets::Reservation;
pub use cache::{AtEpoch, Epoch, ReadCache, Reads};
pub use ciba::CibaRequest;
pub use code_flow::{CodeKey, CodeRequest};
pub use consents::{Consent, Receipt, UserNotification};
pub use devices::{AppPrompt, AuditFilter, Device};
pub use notices::{NoticeDue, QueuedSms};
pub use record::{Record, Recorded};
pub use registry::Flag;
pub use simulator::{NewSimMessage, SimMessage, UssdSession};
pub use ssf::{NewSsfEvent, SsfEvent, SsfStream};
pub use subscribers::{Erased, SubscriberUpsert};
pub use tokens::{TokenRecord, TokenView};
pub use tx::{Tx, Validation};
// For `on_tx!` in the store's modules.
use tx::TxConn;
pub use writer::SqliteWriter;

/// A stored list of words (scopes, grant types, URIs, authenticators), split on whitespace.
fn words(text: &str) -> Vec<String> {
    text.split_whitespace().map(str::to_owned).collect()
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
        // Erasure (admin users delete): deleted rows are overwritten with zeros, not left
        // readable in free pages of the file.
        .pragma("secure_delete", "on")
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
