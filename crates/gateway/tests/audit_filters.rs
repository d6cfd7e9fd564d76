//! The user's history page (`Store::user_audit`, behind `GET /device/audit`) under every
//! combination of its filters (SP, kind, since, until) and cursors, compared with the same
//! filters applied in memory to the whole trail — on SQLite and PostgreSQL. The query is
//! built per combination (so the indexes of migration 0011 can serve it); this pins that
//! each combination still means what the endpoint documents.

// Test helpers may unwrap: a failure there is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use assent_audit::{AuditEntry, EntryKind, NewEntry};
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
    // 240 entries; at_ms not monotonic in seq (appends may be stamped out of order).
    let mut all: Vec<AuditEntry> = Vec::new();
    for i in 0..240usize {
        let at_ms = 1_000_000 + (i as i64 * 7919) % 240 * 10;
        let entry = store
            .append_audit(NewEntry {
                at_ms,
                kind: KINDS[(i / 3) % 3],
                user: Some(USERS[i % 3].into()),
                sp: (i % 11 != 0).then(|| SPS[(i / 2) % 3].into()),
                authenticator: None,
                detail: format!("{{\"i\":{i}}}"),
            })
            .await
            .unwrap();
        all.push(entry);
    }
    let mut checked = 0;
    for user in USERS {
        for sp in [None, Some("sp-2")] {
            for kind in [None, Some("consent")] {
                for since in [None, Some(1_000_800)] {
                    for until in [None, Some(1_001_900)] {
                        for (after, limit) in [(0, 500), (0, 5), (100, 7), (239, 10)] {
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

#[tokio::test]
async fn sqlite_user_history_filters_match_the_trail() {
    filters_match_the_trail(None).await;
}

#[tokio::test]
async fn postgres_user_history_filters_match_the_trail() {
    filters_match_the_trail(Some(&fresh_postgres().await)).await;
}
