//! SQLite's one writer, with group commit.
//!
//! SQLite lets one connection write at a time, and with `synchronous=FULL` every commit waits
//! for an fsync (~1–2 ms on the disks seen here). Letting each request commit on its own pool
//! connection made concurrent writers queue on SQLite's busy handler, which sleeps and retries
//! in steps of up to 100 ms: throughput was one fsync per request and the tail hundreds of ms.
//!
//! Here one task owns the only connection that writes. A request asks for it
//! ([`SqliteWriter::lease`]) and gets it inside a savepoint of the batch transaction the task
//! holds open; it runs its statements and hands the connection back, either keeping its work
//! (savepoint released) or undoing it (rolled back to the savepoint, which touches nobody
//! else's work). While requests are waiting the task lends the connection to the next one in
//! the same transaction; when none is left (or the batch is full) it commits once and only
//! then tells every request of the batch that its work is durable. So an acknowledged write
//! is still on disk before anyone is told, as with a commit of its own, and N concurrent
//! writers cost one fsync instead of N. Requests queue in FIFO order in memory, never on a
//! sleeping busy handler.
//!
//! Written here rather than taken from a crate: sqlx has no group commit, and the known
//! SQLite group-commit wrappers are not async or not sqlx.

use super::StoreError;
use super::cache::Epoch;
use super::record::{KnownHeads, Record, Recorded, look_up, write_records_on};
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{ConnectOptions, Connection};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

/// At most this many requests share one commit, so a steady stream of writers still sees
/// commits (and their acknowledgements) at least every this many requests.
const MAX_BATCH: usize = 128;

/// How long a request waits for the connection before giving up, as SQLite's busy timeout
/// did before (a request holding the connection for that long is a bug, not load).
const LEASE_TIMEOUT: Duration = Duration::from_secs(10);

/// Requests that may wait for the connection at once; more wait on the queue's capacity.
const QUEUE: usize = 4096;

/// Why a write could not be done through the writer.
#[derive(Debug, thiserror::Error)]
pub enum WriterError {
    #[error("the database writer did not answer within {0:?}")]
    Busy(Duration),
    #[error("the database writer has stopped")]
    Stopped,
    #[error("the batch commit failed: {0}")]
    Commit(String),
}

/// A handle to the writer task (cheap to clone; the task ends when the last handle is gone).
#[derive(Debug, Clone)]
pub struct SqliteWriter {
    queue: mpsc::Sender<Waiting>,
    stats: Arc<Stats>,
}

/// What waits for the writer: a request that wants the connection for statements of its
/// own, or a [`Record`] to write with the others waiting.
enum Waiting {
    Lease(oneshot::Sender<Lease>),
    Record(Box<Record>, RecordReply),
}

/// Where a record's outcome goes.
type RecordReply = oneshot::Sender<Result<Recorded, String>>;

/// What the writer owes a request once its batch is committed.
enum Owed {
    Lease(oneshot::Sender<Result<(), String>>),
    Record(RecordReply),
}

impl Owed {
    fn settle(self, outcome: &Result<(), String>) {
        // The request may have stopped waiting; its work is durable (or not) all the same.
        match self {
            Owed::Lease(reply) => {
                let _ = reply.send(outcome.clone());
            }
            Owed::Record(reply) => {
                let _ = reply.send(outcome.clone().map(|()| Recorded::Durable));
            }
        }
    }
}

/// Counters, for tests and benchmarks.
#[derive(Debug, Default)]
pub struct Stats {
    commits: AtomicU64,
    leases: AtomicU64,
    records: AtomicU64,
}

impl SqliteWriter {
    /// Opens the writing connection and starts its task on the current tokio runtime.
    pub async fn start(options: &SqliteConnectOptions) -> Result<SqliteWriter, sqlx::Error> {
        let conn = options.connect().await?;
        let (queue, waiting) = mpsc::channel(QUEUE);
        let stats = Arc::new(Stats::default());
        tokio::spawn(run(conn, options.clone(), waiting, stats.clone()));
        Ok(SqliteWriter { queue, stats })
    }

    /// Waits for the connection (in FIFO order) and returns it inside a savepoint of the
    /// current batch.
    pub async fn lease(&self) -> Result<Lease, WriterError> {
        let (reply, lease) = oneshot::channel();
        let wait = async {
            self.queue
                .send(Waiting::Lease(reply))
                .await
                .map_err(|_| WriterError::Stopped)?;
            lease.await.map_err(|_| WriterError::Stopped)
        };
        tokio::time::timeout(LEASE_TIMEOUT, wait)
            .await
            .map_err(|_| WriterError::Busy(LEASE_TIMEOUT))?
    }

    /// Hands `record` to the writer and waits until it is durable (or found stale, which
    /// writes nothing). Once handed over it is written even if this request stops waiting.
    pub async fn record(&self, record: Record) -> Result<Recorded, WriterError> {
        let (reply, recorded) = oneshot::channel();
        self.queue
            .send_timeout(Waiting::Record(Box::new(record), reply), LEASE_TIMEOUT)
            .await
            .map_err(|e| match e {
                mpsc::error::SendTimeoutError::Timeout(_) => WriterError::Busy(LEASE_TIMEOUT),
                mpsc::error::SendTimeoutError::Closed(_) => WriterError::Stopped,
            })?;
        match recorded.await {
            Ok(Ok(recorded)) => Ok(recorded),
            Ok(Err(reason)) => Err(WriterError::Commit(reason)),
            Err(_) => Err(WriterError::Stopped),
        }
    }

    /// Batch commits made so far.
    pub fn commits(&self) -> u64 {
        self.stats.commits.load(Ordering::Relaxed)
    }

    /// Leases handed out so far.
    pub fn leases(&self) -> u64 {
        self.stats.leases.load(Ordering::Relaxed)
    }

    /// Records written (or found stale) so far.
    pub fn records(&self) -> u64 {
        self.stats.records.load(Ordering::Relaxed)
    }

    /// Requests waiting for the connection right now.
    pub fn waiting(&self) -> usize {
        self.queue.max_capacity() - self.queue.capacity()
    }
}

/// The writing connection, lent to one request inside a savepoint. Dropped without
/// [`Lease::commit`], its work is rolled back (and nobody else's).
pub struct Lease {
    conn: Option<SqliteConnection>,
    back: Option<oneshot::Sender<Returned>>,
    /// The audit heads appended earlier in this batch (the batch holds the write lock, so
    /// they are the database's), handed from request to request; see [`KnownHeads`].
    pub(crate) heads: KnownHeads,
}

impl std::fmt::Debug for Lease {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Lease")
    }
}

/// What a request hands back to the writer task.
enum Returned {
    Keep {
        conn: SqliteConnection,
        durable: oneshot::Sender<Result<(), String>>,
        heads: KnownHeads,
    },
    Undo {
        conn: SqliteConnection,
    },
}

impl Lease {
    /// The connection, for statements of this request. (`conn` is only taken by `commit`,
    /// which consumes the lease, or by `drop`: the error cannot happen, but is typed rather
    /// than a panic.)
    pub fn conn(&mut self) -> Result<&mut SqliteConnection, WriterError> {
        self.conn.as_mut().ok_or(WriterError::Stopped)
    }

    /// Keeps this request's work and waits until the batch holding it is committed.
    pub async fn commit(mut self) -> Result<(), WriterError> {
        let (durable, committed) = oneshot::channel();
        let (Some(conn), Some(back)) = (self.conn.take(), self.back.take()) else {
            return Err(WriterError::Stopped);
        };
        let heads = std::mem::take(&mut self.heads);
        back.send(Returned::Keep {
            conn,
            durable,
            heads,
        })
        .map_err(|_| WriterError::Stopped)?;
        match committed.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(reason)) => Err(WriterError::Commit(reason)),
            Err(_) => Err(WriterError::Stopped),
        }
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        if let (Some(conn), Some(back)) = (self.conn.take(), self.back.take()) {
            // The task may be gone (runtime shutting down); then the connection closes.
            let _ = back.send(Returned::Undo { conn });
        }
    }
}

async fn run(
    conn: SqliteConnection,
    options: SqliteConnectOptions,
    mut waiting: mpsc::Receiver<Waiting>,
    stats: Arc<Stats>,
) {
    let mut conn = Some(conn);
    while let Some(first) = waiting.recv().await {
        let connection = match conn.take() {
            Some(c) => c,
            // The connection was lost with a failed batch: open a new one. If that fails
            // too, this request is told (its reply is dropped) and the next one retries.
            None => match options.connect().await {
                Ok(c) => c,
                Err(e) => {
                    tracing::error!(error = %e, "sqlite writer cannot reconnect");
                    continue;
                }
            },
        };
        let mut owed: Vec<Owed> = Vec::new();
        let mut connection =
            match lend_batch(connection, first, &mut waiting, &stats, &mut owed).await {
                Ok(c) => c,
                Err(e) => {
                    // Beginning the batch or a statement between requests failed and the
                    // connection went with it (in an unknown state). Nothing of this batch
                    // is acknowledged; SQLite rolls back what a closed connection had not
                    // committed. The next batch opens a new connection.
                    let reason = Err(e.to_string());
                    tracing::error!(error = %e, "sqlite writer lost its batch");
                    for debt in owed {
                        debt.settle(&reason);
                    }
                    continue;
                }
            };
        let result = sqlx::raw_sql("COMMIT").execute(&mut connection).await;
        stats.commits.fetch_add(1, Ordering::Relaxed);
        match result {
            Ok(_) => {
                for debt in owed {
                    debt.settle(&Ok(()));
                }
                conn = Some(connection);
            }
            Err(e) => {
                let reason = Err(e.to_string());
                tracing::error!(error = %e, "sqlite writer batch commit failed");
                for debt in owed {
                    debt.settle(&reason);
                }
                // Whatever state the failed commit left, a new connection starts clean.
                let _ = sqlx::raw_sql("ROLLBACK").execute(&mut connection).await;
                let _ = connection.close().await;
            }
        }
    }
}

/// Serves `first`, then each request already waiting, up to [`MAX_BATCH`], in one
/// transaction; collects what is owed once the batch commits.
///
/// A request that leases the connection gets it inside `SAVEPOINT request`, so that undoing
/// its work touches nobody else's. Records waiting one after the other are written together
/// by one multi-statement query ([`write_records_on`]) outside any savepoint: a savepoint
/// makes SQLite copy every page a statement changes into its sub-journal first, which was a
/// tenth of an access's CPU; records are values the writer built itself, so the only way
/// they fail is the database failing, and then the whole batch is given up (nobody in it is
/// acknowledged, nothing of it is committed). The statements between two turns (end a
/// lease's savepoint, rolling it back if its work was undone, and open the next one's) go as
/// one batch of SQL: every statement is a round trip to the thread sqlx runs the connection
/// on. The batch's `COMMIT` ends the last savepoint with it.
async fn lend_batch(
    mut connection: SqliteConnection,
    first: Waiting,
    waiting: &mut mpsc::Receiver<Waiting>,
    stats: &Stats,
    owed: &mut Vec<Owed>,
) -> Result<SqliteConnection, StoreError> {
    let begin = match first {
        Waiting::Lease(_) => "BEGIN IMMEDIATE; SAVEPOINT request",
        Waiting::Record(..) => "BEGIN IMMEDIATE",
    };
    sqlx::raw_sql(begin).execute(&mut connection).await?;
    let mut heads = KnownHeads::default();
    // The read epoch once read in this batch: nobody else can change it while the batch
    // holds the write lock, only a lease of this batch can (it is forgotten after each).
    let mut epoch = None;
    let mut turn = first;
    let mut served = 0usize;
    loop {
        let mut next = None;
        // What ends this turn: a lease's savepoint, kept or rolled back.
        let end = match turn {
            Waiting::Lease(reply) => {
                epoch = None;
                let (c, durable) = lend(connection, reply, &mut heads, stats).await?;
                connection = c;
                served += 1;
                match durable {
                    Some(durable) => {
                        owed.push(Owed::Lease(durable));
                        "RELEASE request"
                    }
                    None => "ROLLBACK TO request; RELEASE request",
                }
            }
            Waiting::Record(record, reply) => {
                let mut group = vec![(record, reply)];
                while served + group.len() < MAX_BATCH {
                    match waiting.try_recv() {
                        Ok(Waiting::Record(record, reply)) => group.push((record, reply)),
                        Ok(lease) => {
                            next = Some(lease);
                            break;
                        }
                        Err(_) => break,
                    }
                }
                served += group.len();
                stats
                    .records
                    .fetch_add(group.len() as u64, Ordering::Relaxed);
                write_group(&mut connection, group, &mut heads, &mut epoch, owed).await?;
                ""
            }
        };
        if next.is_none() && served < MAX_BATCH {
            next = waiting.try_recv().ok();
        }
        let between = match (end, &next) {
            // The batch's COMMIT keeps the last savepoint's work.
            ("RELEASE request", None) => String::new(),
            ("", Some(Waiting::Lease(_))) => "SAVEPOINT request".to_owned(),
            (end, Some(Waiting::Lease(_))) => format!("{end}; SAVEPOINT request"),
            (end, _) => end.to_owned(),
        };
        if !between.is_empty() {
            sqlx::raw_sql(sqlx::AssertSqlSafe(between))
                .execute(&mut connection)
                .await?;
        }
        match next {
            Some(waiting_request) => turn = waiting_request,
            None => return Ok(connection),
        }
    }
}

/// Writes a group of records: those whose read epoch is no longer the database's are
/// answered [`Recorded::Stale`] at once (nothing of theirs is written); the others are owed
/// their acknowledgement after the commit. On an error every record of the group still
/// waiting has been told, and the batch must be given up.
async fn write_group(
    connection: &mut SqliteConnection,
    group: Vec<(Box<Record>, RecordReply)>,
    heads: &mut KnownHeads,
    epoch: &mut Option<Epoch>,
    owed: &mut Vec<Owed>,
) -> Result<(), StoreError> {
    // One look-up for the epoch (if not known in this batch yet) and the heads.
    let records: Vec<&Record> = group.iter().map(|(record, _)| record.as_ref()).collect();
    let want_epoch = epoch.is_none() && records.iter().any(|r| r.read_at.is_some());
    let looked_up = look_up(&mut *connection, heads, &records, want_epoch).await;
    let now = match looked_up {
        Ok(Some(now)) => {
            *epoch = Some(now);
            Some(now)
        }
        Ok(None) => *epoch,
        Err(e) => {
            for (_, reply) in group {
                let _ = reply.send(Err(e.to_string()));
            }
            return Err(e);
        }
    };
    let mut current = Vec::with_capacity(group.len());
    for (record, reply) in group {
        match (record.read_at, now) {
            (Some(read_at), Some(now)) if read_at != now => {
                let _ = reply.send(Ok(Recorded::Stale { now }));
            }
            _ => current.push((record, reply)),
        }
    }
    let records: Vec<&Record> = current.iter().map(|(record, _)| record.as_ref()).collect();
    if records.is_empty() {
        return Ok(());
    }
    match write_records_on(&mut *connection, heads, &records).await {
        Ok(()) => {
            owed.extend(current.into_iter().map(|(_, reply)| Owed::Record(reply)));
            Ok(())
        }
        Err(e) => {
            tracing::error!(error = %e, "sqlite writer could not write records");
            for (_, reply) in current {
                let _ = reply.send(Err(e.to_string()));
            }
            Err(e)
        }
    }
}

/// Lends the connection (inside the savepoint [`lend_batch`] opened) to one waiting request
/// and takes it back: `Some(durable)` if the request kept its work, `None` if it undid it or
/// was gone. `heads` goes with the lease and comes back with kept work; after undone work it
/// is forgotten (the entries it named may be gone).
#[allow(clippy::type_complexity)]
async fn lend(
    conn: SqliteConnection,
    reply: oneshot::Sender<Lease>,
    heads: &mut KnownHeads,
    stats: &Stats,
) -> Result<
    (
        SqliteConnection,
        Option<oneshot::Sender<Result<(), String>>>,
    ),
    sqlx::Error,
> {
    let (back, returned) = oneshot::channel();
    let lease = Lease {
        conn: Some(conn),
        back: Some(back),
        heads: std::mem::take(heads),
    };
    stats.leases.fetch_add(1, Ordering::Relaxed);
    match reply.send(lease) {
        // The request stopped waiting (timed out or cancelled): take the connection back
        // without running its drop, which would send it to `returned`.
        Err(mut lease) => {
            lease.back = None;
            match lease.conn.take() {
                Some(c) => Ok((c, None)),
                None => Err(sqlx::Error::PoolClosed),
            }
        }
        Ok(()) => match returned.await {
            Ok(Returned::Keep {
                conn,
                durable,
                heads: known,
            }) => {
                *heads = known;
                Ok((conn, Some(durable)))
            }
            Ok(Returned::Undo { conn }) => Ok((conn, None)),
            // Unreachable while `Lease::drop` returns the connection; treated as lost.
            Err(_) => Err(sqlx::Error::PoolClosed),
        },
    }
}
