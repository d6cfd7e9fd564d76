//! The user's history page (`Store::user_audit`, behind `GET /device/audit`) under every
//! combination of its filters (SP, kind, since, until) and cursors, compared with the same
//! filters applied in memory to the whole trail — on SQLite and PostgreSQL. The query is
//! built per combination (so the indexes of migration 0011 can serve it); this pins that
//! each combination still means what the endpoint documents.
//!
//! A time filter is also a `seq` bound (migration 0012), which holds because appends are
//! stamped in order from then on. Trails written before that are not: the second test
//! writes an out-of-order trail with the schema before 0012, as the gateway did, then
//! migrates and appends to it, and compares again (bounds on both sides of the old stamps).

// Test helpers may unwrap: a failure there is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use assent_audit::{AuditEntry, Digest32, EntryKind, Head, NewEntry};
use assent_gateway::store::{AuditFilter, Store};
use common::fresh_postgres;

const USERS: [&str; 3] = ["u-a", "u-b", "u-c"];
const SPS: [&str; 3] = ["sp-1", "sp-2", "sp-3"];
const KINDS: [EntryKind; 3] = [
    EntryKind::ResourceAccess,
    EntryKind::Consent,
    EntryKind::Revocation,
];

async fn filters_match_the_trail(database_url: Option<&str>) {
    let dir = tempfile::tempdir().unwrap();
    let store: Store = assent_gateway::open_store(dir.path(), database_url, false)
        .await
        .unwrap();
    // 240 entries asked with stamps out of order (a handler reads the clock before it waits
    // for the audit lock); the store stamps them in order.
    let mut all: Vec<AuditEntry> = Vec::new();
    for i in 0..240usize {
        all.push(store.append_audit(content(i, asked(i))).await.unwrap());
    }
    for pair in all.windows(2) {
        assert!(pair[0].content.at_ms <= pair[1].content.at_ms, "{pair:?}");
    }
    // Some were raised, most kept their own stamp.
    let kept = (0..240)
        .filter(|&i| all[i].content.at_ms == asked(i))
        .count();
    assert!((100..240).contains(&kept), "{kept} stamps kept");
    compare(
        &store,
        &all,
        &[1_000_800, 1_002_000],
        &[1_001_900, 1_002_390],
        &[(0, 500), (0, 5), (100, 7), (239, 10)],
    )
    .await;
}

/// The stamp the `i`-th entry of the first test asks for: one in five 25 ms earlier than the
/// entry before it.
fn asked(i: usize) -> i64 {
    1_000_000 + i as i64 * 10 - if i % 5 == 3 { 25 } else { 0 }
}

/// The `i`-th entry of a test trail, stamped `at_ms`.
fn content(i: usize, at_ms: i64) -> NewEntry {
    NewEntry {
        at_ms,
        kind: KINDS[(i / 3) % 3],
        user: Some(USERS[i % 3].into()),
        sp: (!i.is_multiple_of(11)).then(|| SPS[(i / 2) % 3].into()),
        authenticator: None,
        detail: format!("{{\"i\":{i}}}"),
    }
}

/// Every combination of filters and cursors on `store`, against `all` (the whole trail).
async fn compare(
    store: &Store,
    all: &[AuditEntry],
    sinces: &[i64],
    untils: &[i64],
    cursors: &[(i64, i64)],
) {
    let sinces: Vec<Option<i64>> = [None]
        .into_iter()
        .chain(sinces.iter().copied().map(Some))
        .collect();
    let untils: Vec<Option<i64>> = [None]
        .into_iter()
        .chain(untils.iter().copied().map(Some))
        .collect();
    let mut checked = 0;
    for user in USERS {
        for sp in [None, Some("sp-2")] {
            for kind in [None, Some("consent")] {
                for &since in &sinces {
                    for &until in &untils {
                        for &(after, limit) in cursors {
                            let filter = AuditFilter {
                                sp: sp.map(str::to_owned),
                                kind: kind.map(str::to_owned),
                                since_ms: since,
                                until_ms: until,
                            };
                            let got: Vec<u64> = store
                                .user_audit(user, after, limit, &filter)
                                .await
                                .unwrap()
                                .iter()
                                .map(|e| e.seq)
                                .collect();
                            let want: Vec<u64> = all
                                .iter()
                                .filter(|e| {
                                    e.content.user.as_deref() == Some(user)
                                        && e.seq > after as u64
                                        && sp.is_none_or(|sp| e.content.sp.as_deref() == Some(sp))
                                        && kind.is_none_or(|k| e.content.kind.name() == k)
                                        && since.is_none_or(|s| e.content.at_ms >= s)
                                        && until.is_none_or(|u| e.content.at_ms < u)
                                })
                                .take(limit as usize)
                                .map(|e| e.seq)
                                .collect();
                            assert_eq!(
                                got, want,
                                "user {user} sp {sp:?} kind {kind:?} since {since:?} \
                                 until {until:?} after {after} limit {limit}"
                            );
                            checked += usize::from(!want.is_empty());
                        }
                    }
                }
            }
        }
    }
    // The combinations are not all vacuous.
    assert!(checked > 100, "only {checked} non-empty pages");
}

/// Writes `count` entries stamped by `at` straight into the audit table, linked as the
/// gateway linked them before migration 0012 (no stamp order); returns them.
fn legacy_trail(count: usize, at: impl Fn(usize) -> i64) -> Vec<AuditEntry> {
    let mut head = Head::GENESIS;
    let mut user_heads = std::collections::HashMap::new();
    (0..count)
        .map(|i| {
            let c = content(i, at(i));
            let user = c.user.clone().unwrap();
            // Format 1: what the gateway wrote before migration 0026.
            let entry = AuditEntry::link_unsealed(c, head, user_heads.get(&user).copied());
            head = Head {
                seq: entry.seq,
                hash: entry.hash,
            };
            user_heads.insert(user, entry.hash);
            entry
        })
        .collect()
}

/// Migrates `conn` up to 0011 and stores `trail` there (rows and user heads).
macro_rules! store_legacy {
    ($conn:expr, $backend:literal, $trail:expr) => {{
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/", $backend);
        let migrator = sqlx::migrate::Migrator::new(std::path::Path::new(path))
            .await
            .unwrap();
        assert!(
            migrator.version_exists(12),
            "this test is about migration 0012"
        );
        migrator.run_to(11, &mut *$conn).await.unwrap();
        for e in $trail {
            sqlx::query(
                "INSERT INTO audit (seq, at_ms, kind, user_id, sp, authenticator, detail, \
                 prev_hash, user_prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(e.seq as i64)
            .bind(e.content.at_ms)
            .bind(e.content.kind.name())
            .bind(&e.content.user)
            .bind(&e.content.sp)
            .bind(&e.content.authenticator)
            .bind(&e.content.detail)
            .bind(e.prev_hash.to_hex())
            .bind(e.user_prev_hash.map(Digest32::to_hex))
            .bind(e.hash.to_hex())
            .execute(&mut *$conn)
            .await
            .unwrap();
            sqlx::query(
                "INSERT INTO audit_user_heads (user_id, hash) VALUES ($1, $2) \
                 ON CONFLICT (user_id) DO UPDATE SET hash = excluded.hash",
            )
            .bind(&e.content.user)
            .bind(e.hash.to_hex())
            .execute(&mut *$conn)
            .await
            .unwrap();
        }
    }};
}

async fn old_out_of_order_trail_still_matches(database_url: Option<&str>) {
    use sqlx::Connection;
    let dir = tempfile::tempdir().unwrap();
    // 180 entries stamped out of order over 1 000 000..1 001 790, then in order.
    let legacy = legacy_trail(200, |i| {
        if i < 180 {
            1_000_000 + (i as i64 * 7919) % 180 * 10
        } else {
            1_001_000 + i as i64
        }
    });
    // What migration 0012 must record: the latest stamp up to the last one out of order.
    let last_break = legacy
        .windows(2)
        .rposition(|p| p[0].content.at_ms > p[1].content.at_ms)
        .unwrap();
    let before_max = legacy[..=last_break]
        .iter()
        .map(|e| e.content.at_ms)
        .max()
        .unwrap();
    assert_eq!(before_max, 1_001_790);
    match database_url {
        None => {
            let url = format!(
                "sqlite://{}?mode=rwc",
                dir.path().join("gateway.db").display()
            );
            let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
            store_legacy!(&mut conn, "sqlite", &legacy);
            conn.close().await.unwrap();
        }
        Some(url) => {
            let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
            store_legacy!(&mut conn, "postgres", &legacy);
            conn.close().await.unwrap();
        }
    }
    let store: Store = assent_gateway::open_store(dir.path(), database_url, false)
        .await
        .unwrap();
    // 100 more through the store, asked out of order around and below the old stamps.
    let mut all = legacy;
    for i in 200..300usize {
        let asked = 1_001_500 + (i as i64 * 7919) % 100 * 10;
        let entry = store.append_audit(content(i, asked)).await.unwrap();
        assert!(entry.content.at_ms >= asked);
        assert!(entry.content.at_ms >= all.last().unwrap().content.at_ms);
        all.push(entry);
    }
    // The stamps raised before hashing: the trail verifies.
    let stored = store.audit_page(0, 1000).await.unwrap();
    assert_eq!(stored, all);
    assent_audit::verify_trail(&stored, Head::GENESIS).unwrap();
    compare(
        &store,
        &all,
        // Below and at the old stamps' latest (no seq bound may be used), above it, and
        // after every entry.
        &[1_000_800, before_max, before_max + 1, 1_002_000, 1_003_000],
        &[1_000_800, before_max, before_max + 1, 1_002_000, 1_003_000],
        &[(0, 500), (0, 5), (150, 7), (199, 10), (250, 3)],
    )
    .await;
}

#[tokio::test]
async fn sqlite_user_history_filters_match_the_trail() {
    filters_match_the_trail(None).await;
}

#[tokio::test]
async fn postgres_user_history_filters_match_the_trail() {
    filters_match_the_trail(Some(&fresh_postgres().await)).await;
}

#[tokio::test]
async fn sqlite_old_out_of_order_trail_still_matches() {
    old_out_of_order_trail_still_matches(None).await;
}

#[tokio::test]
async fn postgres_old_out_of_order_trail_still_matches() {
    old_out_of_order_trail_still_matches(Some(&fresh_postgres().await)).await;
}
