//! SQLite's writer (`store::writer`): concurrent write transactions share one commit (group
//! commit), each keeps or undoes its own work without touching the others', and the audit
//! chain they extend stays one chain. Durability of what is acknowledged is tested by
//! `scale_out.rs` (`kill -9` mid-load on SQLite loses nothing acknowledged).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use assent_audit::{AuditEntry, EntryKind, Head, NewEntry};
use assent_gateway::store::{SqliteStore, Store, StoreError, TokenRecord};
use std::time::Duration;

async fn sqlite_store(dir: &tempfile::TempDir) -> Store {
    Store::open(None, dir.path())
        .await
        .expect("open SQLite store")
}

fn sqlite(store: &Store) -> &SqliteStore {
    match store {
        Store::Sqlite(s) => s,
        Store::Postgres(_) => panic!("this test is about SQLite"),
    }
}

fn entry(n: usize) -> NewEntry {
    NewEntry {
        at_ms: 1_700_000_000_000 + n as i64,
        kind: EntryKind::TokenIssued,
        user: Some(format!("user-{}", n % 3)),
        sp: Some("demo-sp".into()),
        authenticator: None,
        detail: format!("{{\"n\":{n}}}"),
    }
}

fn token(hash: &str) -> TokenRecord {
    TokenRecord {
        token_hash: hash.into(),
        kind: "access".into(),
        client_id: "demo-sp".into(),
        user_id: None,
        scope: vec!["mc_atp".into()],
        policy: "generic".into(),
        issued_ms: 1,
        expires_ms: 2,
        spent: false,
        revoked: false,
        consent_id: None,
        family: None,
        jkt: None,
    }
}

/// Waits until `n` requests are queued for the writer (bounded: a writer that never queues
/// them fails the test rather than hanging it).
async fn until_waiting(store: &Store, n: usize) {
    for _ in 0..10_000 {
        if sqlite(store).writer.waiting() >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    panic!(
        "only {} of {n} writers queued",
        sqlite(store).writer.waiting()
    );
}

async fn whole_trail(store: &Store) -> Vec<AuditEntry> {
    let entries = store.audit_page(0, 10_000).await.expect("read the trail");
    assent_audit::verify_trail(&entries, Head::GENESIS).expect("one unbroken chain");
    entries
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn writers_queued_behind_a_transaction_share_its_commit() {
    let dir = tempfile::tempdir().unwrap();
    let store = sqlite_store(&dir).await;
    let commits_before = sqlite(&store).writer.commits();

    // The first transaction holds the writer while twenty more queue up behind it.
    let mut first = store.begin().await.unwrap();
    first.append_audit(entry(0)).await.unwrap();
    let mut writers = Vec::new();
    for n in 1..=20 {
        let store = store.clone();
        writers.push(tokio::spawn(async move {
            let mut tx = store.begin().await?;
            tx.insert_token(&token(&format!("hash-{n}"))).await?;
            tx.append_audit(entry(n)).await?;
            tx.commit().await?;
            Ok::<_, StoreError>(())
        }));
    }
    until_waiting(&store, 20).await;
    first.commit().await.unwrap();
    for w in writers {
        w.await.unwrap().unwrap();
    }

    // All 21 were acknowledged after a single commit of the batch.
    assert_eq!(sqlite(&store).writer.commits() - commits_before, 1);
    assert_eq!(whole_trail(&store).await.len(), 21);
    for n in 1..=20 {
        assert!(store.token(&format!("hash-{n}")).await.unwrap().is_some());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_request_undone_in_a_batch_takes_nothing_else_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let store = sqlite_store(&dir).await;
    store.insert_token(&token("taken")).await.unwrap();
    let commits_before = sqlite(&store).writer.commits();

    let first = store.begin().await.unwrap();
    let mut writers = Vec::new();
    for n in 1..=12 {
        let store = store.clone();
        writers.push(tokio::spawn(async move {
            let mut tx = store.begin().await?;
            tx.append_audit(entry(n)).await?;
            match n % 3 {
                // Kept.
                0 => {
                    tx.insert_token(&token(&format!("hash-{n}"))).await?;
                    tx.commit().await?;
                    Ok(true)
                }
                // A statement fails (the hash exists): the request gives up, its entry too.
                1 => {
                    tx.insert_token(&token("taken")).await?;
                    tx.commit().await?;
                    Ok(true)
                }
                // Dropped without commit: undone.
                _ => {
                    tx.insert_token(&token(&format!("hash-{n}"))).await?;
                    drop(tx);
                    Ok::<_, StoreError>(false)
                }
            }
        }));
    }
    until_waiting(&store, 12).await;
    drop(first);
    let mut outcomes = Vec::new();
    for w in writers {
        outcomes.push(w.await.unwrap());
    }

    assert_eq!(sqlite(&store).writer.commits() - commits_before, 1);
    for (i, outcome) in outcomes.iter().enumerate() {
        let n = i + 1;
        match n % 3 {
            0 => assert!(matches!(outcome, Ok(true)), "{n}: {outcome:?}"),
            1 => assert!(
                matches!(outcome, Err(StoreError::Database(_))),
                "{n}: {outcome:?}"
            ),
            _ => assert!(matches!(outcome, Ok(false)), "{n}: {outcome:?}"),
        }
        let kept = store.token(&format!("hash-{n}")).await.unwrap().is_some();
        assert_eq!(kept, n % 3 == 0, "token of request {n}");
    }
    // Only the kept requests' entries are in the trail, and it is one chain.
    // The spawned requests reach the writer in whatever order the runtime
    // schedules them, so the entries are compared as a set.
    let mut details: Vec<String> = whole_trail(&store)
        .await
        .into_iter()
        .map(|e| e.content.detail)
        .collect();
    details.sort();
    let mut expected = ["{\"n\":3}", "{\"n\":6}", "{\"n\":9}", "{\"n\":12}"].map(String::from);
    expected.sort();
    assert_eq!(details, expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn writes_outside_a_transaction_go_through_the_writer_too() {
    let dir = tempfile::tempdir().unwrap();
    let store = sqlite_store(&dir).await;
    let leases_before = sqlite(&store).writer.leases();
    store.insert_token(&token("plain")).await.unwrap();
    assert!(store.spend_token("plain").await.unwrap());
    assert!(!store.spend_token("plain").await.unwrap());
    // Three leases: the insert and both spends (the second changed nothing).
    assert_eq!(sqlite(&store).writer.leases() - leases_before, 3);
}
