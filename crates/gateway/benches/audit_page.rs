//! The user's audit history page over a trail of 10 million entries (docs/performance.md,
//! "Audit history page"): `Store::user_audit` — the query `GET /device/audit` runs — plus the
//! JSON the handler builds from it, timed one page at a time on SQLite (as the gateway opens
//! it: WAL, synchronous=FULL) and, with `ASSENT_BENCH_POSTGRES_URL`, on PostgreSQL.
//!
//! The trail is filled once (reused while it holds the asked number of entries) straight
//! into the gateway's own schema, linked with `assent_audit::AuditEntry::link` so every hash
//! is real: 100 000 ordinary users share 90 % of the entries (~90 each), ten heavy users
//! have 1 % each (~100 000 each), 50 SPs, kinds in the proportions a CIBA flow with
//! repeated resource reads leaves, one entry every ~3 s over a year, stamped in order as
//! `append_audit` stamps them. A trail left by an older build is migrated in place when the
//! store opens (the time it takes is printed).
//!
//! After the pages, appends through `Store::append_audit` are timed on the full trail, with
//! and without migration 0012's time index (its write cost), then taken back.
//!
//! Not included: TLS, the DPoP proof check of the device API (an ES256 verification and a
//! single-use `jti` insert); the page is what grows with the trail, the rest does not.
//!
//! Environment: `ASSENT_BENCH_AUDIT_ENTRIES` (default 10 000 000), `ASSENT_BENCH_DIR` (where
//! the SQLite trail lives; default `target/bench-audit-page`; deleted after the run unless
//! `ASSENT_BENCH_KEEP` is set, ~4 GB at 10 million entries), `ASSENT_BENCH_SAMPLES` per
//! page shape (default 2000), `ASSENT_BENCH_APPENDS` (default 200; 0 skips them),
//! `ASSENT_BENCH_POSTGRES_URL` (a server's admin URL: the bench uses a database
//! `assent_bench_audit_<entries>` there).

use assent_audit::{AuditEntry, Digest32, EntryKind, Head, NewEntry};
use assent_gateway::store::{AuditFilter, Store};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sqlx::Connection;
use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

type BenchResult<T> = Result<T, Box<dyn std::error::Error>>;

const ORDINARY_USERS: u64 = 100_000;
const HEAVY_USERS: u64 = 10;
const SPS: u64 = 50;
/// 2025-11-27T00:00:00Z; one entry every ~3 s after it.
const START_MS: i64 = 1_764_201_600_000;
const STEP_MS: i64 = 3_000;
const PAGE: i64 = 100;

/// Kinds by weight (out of 1000): a consent flow leaves five entries, each later read two.
const KINDS: [(EntryKind, u32); 10] = [
    (EntryKind::ResourceAccess, 400),
    (EntryKind::Notification, 400),
    (EntryKind::AuthorizationRequest, 40),
    (EntryKind::PromptSent, 40),
    (EntryKind::Answer, 40),
    (EntryKind::TokenIssued, 40),
    (EntryKind::Consent, 30),
    (EntryKind::Revocation, 5),
    (EntryKind::Refusal, 4),
    (EntryKind::SpFlagged, 1),
];

fn user_name(n: u64) -> String {
    format!("u-bench-{n:06}")
}

fn heavy_user(n: u64) -> String {
    format!("u-heavy-{n:02}")
}

fn sp_name(n: u64) -> String {
    format!("sp-bench-{n:02}")
}

/// The content of entry number `i` (from 0), deterministic in the seed.
fn content(rng: &mut StdRng, i: u64) -> NewEntry {
    let user = if rng.gen_range(0..100) < 10 {
        heavy_user(rng.gen_range(0..HEAVY_USERS))
    } else {
        user_name(rng.gen_range(0..ORDINARY_USERS))
    };
    // Each user mostly deals with one SP (its "main" one, from its name), sometimes others.
    let main_sp = user
        .bytes()
        .fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
    let sp = if rng.gen_range(0..100) < 60 {
        sp_name(main_sp % SPS)
    } else {
        sp_name(rng.gen_range(0..SPS))
    };
    let mut pick = rng.gen_range(0..1000u32);
    let mut kind = EntryKind::ResourceAccess;
    for (k, weight) in KINDS {
        if pick < weight {
            kind = k;
            break;
        }
        pick -= weight;
    }
    let token: u64 = rng.r#gen();
    let detail = match kind {
        EntryKind::ResourceAccess => format!(
            r#"{{"endpoint":"premiuminfo","services":["mc_vm_share"],"attributes":["given_name","family_name","email"],"response_sha256":"{:064x}","token":"{token:016x}","generic_token":false}}"#,
            u128::from(token) * 7
        ),
        EntryKind::Notification => r#"{"to":"user","kind":"resource_access"}"#.to_owned(),
        EntryKind::PromptSent => r#"{"encoding":"gsm7","octets":118,"text":"Demo Shop wants your name and e-mail. 1 Yes / 2 No"}"#.to_owned(),
        _ => format!(r#"{{"request":"{token:016x}"}}"#),
    };
    NewEntry {
        at_ms: START_MS + i as i64 * STEP_MS + rng.gen_range(0..STEP_MS),
        kind,
        user: Some(user),
        sp: Some(sp),
        authenticator: matches!(kind, EntryKind::PromptSent | EntryKind::Answer)
            .then(|| "ussd".to_owned()),
        detail,
    }
}

/// Generates the trail in order, `batch` entries at a time, with real hashes.
struct Trail {
    rng: StdRng,
    next: u64,
    total: u64,
    head: Head,
    /// The last entry's stamp: each entry is stamped no earlier, as `append_audit` does
    /// (the `since`/`until` pages rely on it, migration 0012).
    head_at_ms: i64,
    user_heads: HashMap<String, Digest32>,
}

impl Trail {
    fn new(total: u64) -> Self {
        Trail {
            rng: StdRng::seed_from_u64(8),
            next: 0,
            total,
            head: Head::GENESIS,
            head_at_ms: i64::MIN,
            user_heads: HashMap::new(),
        }
    }

    fn batch(&mut self, size: u64) -> Vec<AuditEntry> {
        let end = (self.next + size).min(self.total);
        let mut out = Vec::with_capacity((end - self.next) as usize);
        while self.next < end {
            let mut content = content(&mut self.rng, self.next);
            content.at_ms = content.at_ms.max(self.head_at_ms);
            self.head_at_ms = content.at_ms;
            let user = content.user.clone().unwrap_or_default();
            // Sealed as the gateway seals them (the salt's randomness does not matter here).
            let mut salt = [0u8; 16];
            salt[..8].copy_from_slice(&self.next.to_be_bytes());
            let entry = AuditEntry::link(
                content,
                salt,
                self.head,
                self.user_heads.get(&user).copied(),
            );
            self.head = Head {
                seq: entry.seq,
                hash: entry.hash,
            };
            self.user_heads.insert(user, entry.hash);
            out.push(entry);
            self.next += 1;
        }
        out
    }
}

/// Says how far the fill is each time it passes a million entries (`step` at a time).
fn progress(done: u64, step: u64, total: u64, started: Instant) {
    if done / 1_000_000 != done.saturating_sub(step) / 1_000_000 || done == total {
        eprintln!(
            "  {done} / {total} entries ({:.0} s)",
            started.elapsed().as_secs_f64()
        );
    }
}

async fn fill_sqlite(db: &std::path::Path, total: u64) -> BenchResult<()> {
    let url = format!("sqlite://{}", db.display());
    let mut conn = sqlx::SqliteConnection::connect(&url).await?;
    // The fill is not what is measured: no fsync per batch (the bench file is rebuilt if the
    // machine dies mid-fill, since the count would not match).
    sqlx::query("PRAGMA synchronous = OFF")
        .execute(&mut conn)
        .await?;
    let mut trail = Trail::new(total);
    let started = Instant::now();
    // 90 rows of 10 columns per statement, well under SQLite's bound-parameter limit.
    const ROWS: u64 = 90;
    while trail.next < total {
        let mut tx = conn.begin().await?;
        for _ in 0..(100_000 / ROWS) {
            let batch = trail.batch(ROWS);
            if batch.is_empty() {
                break;
            }
            let mut insert = sqlx::QueryBuilder::new(
                "INSERT INTO audit (seq, at_ms, kind, user_id, sp, authenticator, detail, \
                 prev_hash, user_prev_hash, hash, detail_digest, detail_salt) ",
            );
            insert.push_values(batch, |mut row, e| {
                row.push_bind(e.seq as i64)
                    .push_bind(e.content.at_ms)
                    .push_bind(e.content.kind.name())
                    .push_bind(e.content.user)
                    .push_bind(e.content.sp)
                    .push_bind(e.content.authenticator)
                    .push_bind(e.content.detail)
                    .push_bind(e.prev_hash.to_hex())
                    .push_bind(e.user_prev_hash.map(Digest32::to_hex))
                    .push_bind(e.hash.to_hex())
                    .push_bind(e.seal.as_ref().map(|seal| seal.digest.to_hex()))
                    .push_bind(e.seal.and_then(|seal| seal.salt));
            });
            insert.build().execute(&mut *tx).await?;
            progress(trail.next, ROWS, total, started);
        }
        tx.commit().await?;
    }
    sqlx::query(SET_USER_HEADS).execute(&mut conn).await?;
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&mut conn)
        .await?;
    Ok(())
}

/// Each user's chain head is their last entry (after a fill, or after the appends the bench
/// timed are taken back).
const SET_USER_HEADS: &str = "INSERT INTO audit_user_heads (user_id, hash) \
    SELECT a.user_id, a.hash FROM audit a JOIN (SELECT user_id, MAX(seq) AS seq FROM audit \
    WHERE user_id IS NOT NULL GROUP BY user_id) h ON a.seq = h.seq WHERE true \
    ON CONFLICT (user_id) DO UPDATE SET hash = excluded.hash";

/// PostgreSQL COPY text format: backslash, tab, newline and carriage return escaped.
fn copy_text(out: &mut String, value: Option<&str>) {
    match value {
        None => out.push_str("\\N"),
        Some(v) => {
            for c in v.chars() {
                match c {
                    '\\' => out.push_str("\\\\"),
                    '\t' => out.push_str("\\t"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    c => out.push(c),
                }
            }
        }
    }
}

async fn fill_postgres(url: &str, total: u64) -> BenchResult<()> {
    let mut conn = sqlx::PgConnection::connect(url).await?;
    let mut trail = Trail::new(total);
    let started = Instant::now();
    let mut copy = conn
        .copy_in_raw(
            "COPY audit (seq, at_ms, kind, user_id, sp, authenticator, detail, prev_hash, \
             user_prev_hash, hash, detail_digest, detail_salt) FROM STDIN",
        )
        .await?;
    while trail.next < total {
        let mut text = String::new();
        for e in trail.batch(10_000) {
            let user_prev = e.user_prev_hash.map(Digest32::to_hex);
            let digest = e.seal.as_ref().map(|seal| seal.digest.to_hex());
            let salt = e.seal.as_ref().and_then(|seal| seal.salt.clone());
            text.push_str(&format!("{}\t{}\t", e.seq, e.content.at_ms));
            for (i, field) in [
                Some(e.content.kind.name()),
                e.content.user.as_deref(),
                e.content.sp.as_deref(),
                e.content.authenticator.as_deref(),
                Some(e.content.detail.as_str()),
                Some(e.prev_hash.to_hex().as_str()),
                user_prev.as_deref(),
                Some(e.hash.to_hex().as_str()),
                digest.as_deref(),
                salt.as_deref(),
            ]
            .into_iter()
            .enumerate()
            {
                if i > 0 {
                    text.push('\t');
                }
                copy_text(&mut text, field);
            }
            text.push('\n');
        }
        copy.send(text.into_bytes()).await?;
        progress(trail.next, 10_000, total, started);
    }
    copy.finish().await?;
    sqlx::query(SET_USER_HEADS).execute(&mut conn).await?;
    // What autovacuum would have done by the time a trail is this long.
    sqlx::query("VACUUM ANALYZE audit")
        .execute(&mut conn)
        .await?;
    Ok(())
}

/// Whether the trail holds exactly `total` entries: sequence numbers have no gaps, so the
/// entries after `total - 1` are exactly one, numbered `total`.
async fn holds(store: &Store, total: u64) -> BenchResult<bool> {
    let tail = store.audit_page(total.saturating_sub(1), 2).await?;
    Ok(tail.len() == 1 && tail[0].seq == total)
}

/// One shape of page request: its name and how to draw one request.
struct Shape {
    name: &'static str,
    draw: fn(&mut StdRng) -> (String, i64, AuditFilter),
}

fn no_filter() -> AuditFilter {
    AuditFilter {
        sp: None,
        kind: None,
        since_ms: None,
        until_ms: None,
    }
}

fn shapes() -> Vec<Shape> {
    vec![
        Shape {
            name: "ordinary user, first page",
            draw: |rng| (user_name(rng.gen_range(0..ORDINARY_USERS)), 0, no_filter()),
        },
        Shape {
            name: "heavy user, first page",
            draw: |rng| (heavy_user(rng.gen_range(0..HEAVY_USERS)), 0, no_filter()),
        },
        Shape {
            name: "heavy user, page at a random cursor",
            draw: |rng| {
                let after = rng.gen_range(0..total_entries());
                (
                    heavy_user(rng.gen_range(0..HEAVY_USERS)),
                    after as i64,
                    no_filter(),
                )
            },
        },
        Shape {
            name: "heavy user, one SP (~1 % of theirs)",
            draw: |rng| {
                let filter = AuditFilter {
                    sp: Some(sp_name(rng.gen_range(0..SPS))),
                    ..no_filter()
                };
                (heavy_user(rng.gen_range(0..HEAVY_USERS)), 0, filter)
            },
        },
        Shape {
            name: "heavy user, kind consent (3 %)",
            draw: |rng| {
                let filter = AuditFilter {
                    kind: Some("consent".into()),
                    ..no_filter()
                };
                (heavy_user(rng.gen_range(0..HEAVY_USERS)), 0, filter)
            },
        },
        Shape {
            name: "heavy user, kind sp_flagged (0.1 %)",
            draw: |rng| {
                let filter = AuditFilter {
                    kind: Some("sp_flagged".into()),
                    ..no_filter()
                };
                (heavy_user(rng.gen_range(0..HEAVY_USERS)), 0, filter)
            },
        },
        Shape {
            name: "heavy user, the last 7 days",
            draw: |rng| {
                let end = START_MS + total_entries() as i64 * STEP_MS;
                let filter = AuditFilter {
                    since_ms: Some(end - 7 * 24 * 3600 * 1000),
                    ..no_filter()
                };
                (heavy_user(rng.gen_range(0..HEAVY_USERS)), 0, filter)
            },
        },
        Shape {
            name: "ordinary user, one SP",
            draw: |rng| {
                let filter = AuditFilter {
                    sp: Some(sp_name(rng.gen_range(0..SPS))),
                    ..no_filter()
                };
                (user_name(rng.gen_range(0..ORDINARY_USERS)), 0, filter)
            },
        },
    ]
}

/// The trail's length, for the shapes' draws (plain fn pointers, they capture nothing).
static TOTAL: std::sync::OnceLock<u64> = std::sync::OnceLock::new();

fn total_entries() -> u64 {
    TOTAL.get().copied().unwrap_or(1)
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let index = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[index].as_secs_f64() * 1000.0
}

/// Times every shape on `store`; returns the worst p99 in ms.
async fn measure(
    label: &str,
    store: &Store,
    samples: usize,
    only: fn(&Shape) -> bool,
) -> BenchResult<f64> {
    let mut rng = StdRng::seed_from_u64(27);
    let mut worst = 0.0f64;
    println!("\n== {label}: {samples} pages of up to {PAGE} entries per shape, one at a time");
    println!(
        "  {:<40} {:>9} {:>9} {:>9} {:>9}",
        "shape", "p50 ms", "p99 ms", "max ms", "entries"
    );
    for shape in shapes().into_iter().filter(only) {
        let mut times = Vec::with_capacity(samples);
        let mut returned = 0usize;
        for i in 0..samples + samples / 10 {
            let (user, after, filter) = (shape.draw)(&mut rng);
            let started = Instant::now();
            let page = store.user_audit(&user, after, PAGE, &filter).await?;
            // What the handler does with the rows.
            let next = (page.len() as i64 == PAGE)
                .then(|| page.last().map(|e| e.seq))
                .flatten();
            let body = serde_json::to_vec(&serde_json::json!({"entries": page, "next": next}))?;
            let elapsed = started.elapsed();
            std::hint::black_box(body);
            // The first tenth warms the caches and is not counted.
            if i >= samples / 10 {
                times.push(elapsed);
                returned += page.len();
            }
        }
        times.sort();
        let p99 = percentile(&times, 0.99);
        worst = worst.max(p99);
        println!(
            "  {:<40} {:>9.3} {:>9.3} {:>9.3} {:>9.1}",
            shape.name,
            percentile(&times, 0.50),
            p99,
            percentile(&times, 1.0),
            returned as f64 / times.len() as f64
        );
    }
    println!(
        "  worst p99 {worst:.3} ms (target <= 5 ms: {})",
        if worst <= 5.0 { "met" } else { "MISSED" }
    );
    Ok(worst)
}

/// Where a trail lives: both backends go through the same steps ([`bench_backend`]).
enum Backend {
    /// The gateway's data directory (`gateway.db` inside).
    Sqlite(PathBuf),
    /// The server's admin URL (to create the database) and the database's URL.
    Postgres { admin_url: String, url: String },
}

impl Backend {
    fn label(&self) -> &'static str {
        match self {
            Backend::Sqlite(_) => "SQLite",
            Backend::Postgres { .. } => "PostgreSQL",
        }
    }

    /// The gateway's store on the trail, with its migrations run (timed: on a trail filled
    /// by an older build, this is the upgrade an operator would wait for).
    async fn open(&self, pg_dir: &std::path::Path) -> BenchResult<Store> {
        let started = Instant::now();
        let store = match self {
            Backend::Sqlite(dir) => assent_gateway::open_store(dir, None, false).await?,
            Backend::Postgres { url, .. } => {
                assent_gateway::open_store(pg_dir, Some(url), false).await?
            }
        };
        let elapsed = started.elapsed();
        if elapsed > Duration::from_secs(1) {
            eprintln!(
                "  {}: opened and migrated in {:.1} s",
                self.label(),
                elapsed.as_secs_f64()
            );
        }
        Ok(store)
    }

    /// Whether the trail's database exists at all (opening would create it).
    async fn exists(&self) -> BenchResult<bool> {
        match self {
            Backend::Sqlite(dir) => Ok(dir.join("gateway.db").exists()),
            Backend::Postgres { admin_url, url } => {
                let mut admin = sqlx::PgConnection::connect(admin_url).await?;
                let found: Option<i32> =
                    sqlx::query_scalar("SELECT 1 FROM pg_database WHERE datname = $1")
                        .bind(database_name(url)?)
                        .fetch_optional(&mut admin)
                        .await?;
                Ok(found.is_some())
            }
        }
    }

    /// Starts from an empty database with the gateway's schema, then fills it.
    async fn refill(&self, pg_dir: &std::path::Path, total: u64) -> BenchResult<()> {
        match self {
            Backend::Sqlite(dir) => {
                if dir.exists() {
                    std::fs::remove_dir_all(dir)?;
                }
                drop(self.open(pg_dir).await?);
                fill_sqlite(&dir.join("gateway.db"), total).await
            }
            Backend::Postgres { admin_url, url } => {
                let name = database_name(url)?;
                let mut admin = sqlx::PgConnection::connect(admin_url).await?;
                // The name is ours: letters, digits and underscores only.
                let drop_db = sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name}"));
                sqlx::query(drop_db).execute(&mut admin).await?;
                let create = sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"));
                sqlx::query(create).execute(&mut admin).await?;
                drop(self.open(pg_dir).await?);
                fill_postgres(url, total).await
            }
        }
    }

    /// Runs `statements` in one transaction on the trail's database, outside the store.
    async fn run_sql(&self, statements: &[String]) -> BenchResult<()> {
        // The same statements on either backend's connection type.
        macro_rules! in_one_transaction {
            ($conn:expr) => {{
                let mut conn = $conn;
                let mut tx = conn.begin().await?;
                for sql in statements {
                    sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
            }};
        }
        match self {
            Backend::Sqlite(dir) => {
                let url = format!("sqlite://{}", dir.join("gateway.db").display());
                in_one_transaction!(sqlx::SqliteConnection::connect(&url).await?)
            }
            Backend::Postgres { url, .. } => {
                in_one_transaction!(sqlx::PgConnection::connect(url).await?)
            }
        }
        Ok(())
    }
}

fn database_name(url: &str) -> BenchResult<&str> {
    Ok(url
        .rsplit_once('/')
        .ok_or("ASSENT_BENCH_POSTGRES_URL is not a postgres://…/database URL")?
        .1)
}

/// Times `count` appends through `Store::append_audit` (the gateway's path: the audit lock,
/// the heads, the insert into every index, the durable commit) on the full trail, each to a
/// random user; prints p50/p99 ms. The bench takes them back afterwards.
async fn measure_appends(store: &Store, count: usize, name: &str) -> BenchResult<()> {
    let mut rng = StdRng::seed_from_u64(88);
    let mut times = Vec::with_capacity(count);
    let now = START_MS + total_entries() as i64 * STEP_MS;
    for i in 0..count + count / 10 {
        let entry = content(&mut rng, total_entries() + i as u64);
        let started = Instant::now();
        store
            .append_audit(NewEntry {
                at_ms: now,
                ..entry
            })
            .await?;
        if i >= count / 10 {
            times.push(started.elapsed());
        }
    }
    times.sort();
    println!(
        "  {:<40} {:>9.3} {:>9.3} {:>9.3} {:>9}",
        name,
        percentile(&times, 0.50),
        percentile(&times, 0.99),
        percentile(&times, 1.0),
        "-"
    );
    Ok(())
}

/// One backend from start to end: the trail (reused when it holds `total` entries, else
/// filled), every page shape, then the appends. Returns the worst p99 of the pages.
async fn bench_backend(
    backend: &Backend,
    pg_dir: &std::path::Path,
    total: u64,
    samples: usize,
    appends: usize,
) -> BenchResult<f64> {
    let label = backend.label();
    let reuse = backend.exists().await? && holds(&backend.open(pg_dir).await?, total).await?;
    if !reuse {
        eprintln!("filling the {label} trail with {total} entries");
        backend.refill(pg_dir, total).await?;
    }
    let store = backend.open(pg_dir).await?;
    if !holds(&store, total).await? {
        return Err(
            format!("the {label} trail does not hold {total} entries after the fill").into(),
        );
    }
    let worst = measure(
        &format!("{label}, {total} entries"),
        &store,
        samples,
        |_| true,
    )
    .await?;
    // The `since` page as it ran before migration 0012 (a walk of the user's history), on
    // the same trail: with `before_max_ms` past every stamp, no bound may become a `seq`
    // bound. Then back to NULL, which is right for this trail (stamped in order).
    backend
        .run_sql(&[format!(
            "UPDATE audit_time_order SET before_max_ms = {}",
            i64::MAX
        )])
        .await?;
    let walk = measure(
        &format!("{label}, as before migration 0012 (no seq bound)"),
        &store,
        (samples / 10).max(10),
        |shape| shape.name.contains("last 7 days"),
    )
    .await;
    backend
        .run_sql(&["UPDATE audit_time_order SET before_max_ms = NULL".into()])
        .await?;
    walk?;
    if appends > 0 {
        measure_appends(&store, appends, "one append (append_audit)").await?;
        // The same without migration 0012's index (its DDL repeated here): what the
        // `since`/`until` bound costs each append, in the same run.
        backend
            .run_sql(&["DROP INDEX audit_by_time".into()])
            .await?;
        let without = measure_appends(&store, appends, "one append, no audit_by_time").await;
        backend
            .run_sql(&["CREATE INDEX audit_by_time ON audit (at_ms, seq)".into()])
            .await?;
        without?;
        drop(store);
        // Taken back, so the trail holds `total` entries for the next run.
        backend
            .run_sql(&[
                format!("DELETE FROM audit WHERE seq > {total}"),
                SET_USER_HEADS.into(),
            ])
            .await?;
    }
    Ok(worst)
}

async fn run() -> BenchResult<()> {
    let env_u64 = |name: &str, default: u64| -> BenchResult<u64> {
        match std::env::var(name) {
            Ok(v) => Ok(v.replace('_', "").parse()?),
            Err(_) => Ok(default),
        }
    };
    let total = env_u64("ASSENT_BENCH_AUDIT_ENTRIES", 10_000_000)?;
    let samples = env_u64("ASSENT_BENCH_SAMPLES", 2000)? as usize;
    let appends = env_u64("ASSENT_BENCH_APPENDS", 200)? as usize;
    let _ = TOTAL.set(total);
    let dir = std::env::var_os("ASSENT_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-audit-page")
        });
    // PostgreSQL's store still wants a data directory (it holds no database then).
    let pg_dir = dir.join("postgres-data-dir");
    let mut backends = vec![Backend::Sqlite(dir.join(format!("sqlite-{total}")))];
    if let Ok(admin_url) = std::env::var("ASSENT_BENCH_POSTGRES_URL") {
        let (base, _) = admin_url
            .rsplit_once('/')
            .ok_or("ASSENT_BENCH_POSTGRES_URL is not a postgres://…/database URL")?;
        let url = format!("{base}/assent_bench_audit_{total}");
        backends.push(Backend::Postgres { admin_url, url });
    }

    let mut worst = Vec::new();
    for backend in &backends {
        worst.push((
            backend.label(),
            bench_backend(backend, &pg_dir, total, samples, appends).await?,
        ));
        // ~4 GB at 10 million entries: gone before PostgreSQL fills its own, unless kept.
        if let Backend::Sqlite(sqlite_dir) = backend
            && std::env::var_os("ASSENT_BENCH_KEEP").is_none()
        {
            std::fs::remove_dir_all(sqlite_dir)?;
        }
    }

    println!("\n== Summary (target: p99 <= 5 ms per page, every shape)");
    for (label, p99) in &worst {
        println!("  {label:<11} worst p99 {p99:.3} ms");
    }
    if backends.len() == 1 {
        println!("  PostgreSQL  not measured (set ASSENT_BENCH_POSTGRES_URL)");
    }
    Ok(())
}

fn main() -> std::process::ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("audit_page: cannot start the runtime: {error}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("audit_page: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}
