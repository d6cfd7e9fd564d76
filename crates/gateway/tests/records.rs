//! Records and the read epoch (`store::record`, `store::cache`, migration 0020), on SQLite
//! and PostgreSQL: records waiting for SQLite's writer are written together under one
//! commit and extend one chain with the transactions around them; a record whose read epoch
//! is no longer the database's writes nothing; every change a copy could miss bumps the
//! epoch, and the hot writes do not (or the copies would never be used).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use assent_audit::{AuditEntry, EntryKind, Head, NewEntry};
use assent_gateway::store::{
    Client, Epoch, ReadCache, Reads, Record, Recorded, Store, TokenRecord, User, UserNotification,
};

#[derive(Clone, Copy, Debug)]
enum Backend {
    Sqlite,
    Postgres,
}

async fn open(backend: Backend, dir: &tempfile::TempDir) -> Store {
    let url = match backend {
        Backend::Sqlite => None,
        Backend::Postgres => Some(common::fresh_postgres().await),
    };
    Store::open(url.as_deref(), dir.path()).await.unwrap()
}

fn entry(n: usize, user: &str) -> NewEntry {
    NewEntry {
        at_ms: 1_700_000_000_000 + n as i64,
        kind: EntryKind::ResourceAccess,
        user: Some(user.into()),
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

fn client(id: &str) -> Client {
    Client {
        client_id: id.into(),
        secret_hash: String::new(),
        client_name: "Shop".into(),
        grant_types: vec!["client_credentials".into()],
        scopes: vec!["mc_atp".into()],
        redirect_uris: Vec::new(),
        delivery_modes: Vec::new(),
        token_policy: "long_lived".into(),
        token_ttl_seconds: 3600,
        blacklisted: false,
        notification_endpoint: None,
        jwks: None,
        resource_server: false,
        grant_management: false,
        require_par: false,
        ssf: false,
        ssf_push_endpoints: Vec::new(),
        dpop_bound: false,
    }
}

fn user(id: &str, msisdn: &str) -> User {
    User {
        id: id.into(),
        msisdn: msisdn.into(),
        given_name: Some("Marie".into()),
        ..User::default()
    }
}

/// An access's record: two entries and a notification, as the resource server makes.
fn access(n: usize, user: &str, read_at: Option<Epoch>) -> Record {
    Record {
        read_at,
        tokens: Vec::new(),
        entries: vec![entry(n, user), entry(n, user)],
        notifications: vec![UserNotification {
            id: format!("n-{n}"),
            user_id: user.into(),
            client_id: "demo-sp".into(),
            kind: "resource_access".into(),
            detail: "{}".into(),
            created_ms: 1,
        }],
    }
}

async fn epoch(store: &Store) -> Epoch {
    store.client_at_epoch("nobody").await.unwrap().1
}

async fn whole_trail(store: &Store) -> Vec<AuditEntry> {
    let entries = store.audit_page(0, 100_000).await.unwrap();
    assent_audit::verify_trail(&entries, Head::GENESIS).expect("one unbroken chain");
    entries
}

macro_rules! on_both {
    ($($name:ident),* $(,)?) => {
        mod sqlite { $( #[tokio::test(flavor = "multi_thread", worker_threads = 4)] async fn $name() { super::$name(super::Backend::Sqlite).await } )* }
        mod postgres { $( #[tokio::test(flavor = "multi_thread", worker_threads = 4)] async fn $name() { super::$name(super::Backend::Postgres).await } )* }
    };
}

on_both!(
    records_extend_one_chain_with_the_transactions_around_them,
    a_stale_record_writes_nothing,
    every_change_a_copy_could_miss_bumps_the_epoch_and_hot_writes_do_not,
    the_cache_serves_copies_of_the_newest_epoch_only,
);

async fn records_extend_one_chain_with_the_transactions_around_them(b: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let store = open(b, &dir).await;
    let mut writers = Vec::new();
    for n in 0..40 {
        let store = store.clone();
        writers.push(tokio::spawn(async move {
            let user = format!("user-{}", n % 3);
            if n % 5 == 0 {
                // A transaction of its own between the records.
                let mut tx = store.begin().await.unwrap();
                tx.append_audit(entry(n, &user)).await.unwrap();
                tx.commit().await.unwrap();
            } else {
                let mut record = access(n, &user, None);
                record.tokens.push(token(&format!("hash-{n}")));
                assert_eq!(store.record(record).await.unwrap(), Recorded::Durable);
            }
        }));
    }
    for w in writers {
        w.await.unwrap();
    }
    // 8 transactions of one entry, 32 records of two.
    let trail = whole_trail(&store).await;
    assert_eq!(trail.len(), 8 + 32 * 2);
    for n in (0..40).filter(|n| n % 5 != 0) {
        assert!(store.token(&format!("hash-{n}")).await.unwrap().is_some());
    }
    // Each user's own chain is unbroken too: every entry names the one before it.
    for user in ["user-0", "user-1", "user-2"] {
        let mine: Vec<&AuditEntry> = trail
            .iter()
            .filter(|e| e.content.user.as_deref() == Some(user))
            .collect();
        for pair in mine.windows(2) {
            assert_eq!(pair[1].user_prev_hash, Some(pair[0].hash), "{user}");
        }
        let notes = store.user_notifications(user).await.unwrap();
        assert_eq!(
            notes.len(),
            (0..40usize)
                .filter(|n| n % 5 != 0 && format!("user-{}", n % 3) == user)
                .count()
        );
    }
    // Stamps never go back (time filters rely on it).
    for pair in trail.windows(2) {
        assert!(pair[1].content.at_ms >= pair[0].content.at_ms);
    }
}

async fn a_stale_record_writes_nothing(b: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let store = open(b, &dir).await;
    store.upsert_client(&client("shop")).await.unwrap();
    let read_at = epoch(&store).await;
    // Someone blacklists the SP after the read.
    assert!(store.set_blacklisted("shop", true).await.unwrap());
    let now = epoch(&store).await;
    assert!(now > read_at);

    let mut record = access(1, "user-1", Some(read_at));
    record.tokens.push(token("stale-token"));
    assert_eq!(store.record(record).await.unwrap(), Recorded::Stale { now });
    assert!(whole_trail(&store).await.is_empty());
    assert!(store.token("stale-token").await.unwrap().is_none());
    assert!(store.user_notifications("user-1").await.unwrap().is_empty());

    // Read again at the epoch now: written.
    let mut record = access(2, "user-1", Some(now));
    record.tokens.push(token("fresh-token"));
    assert_eq!(store.record(record).await.unwrap(), Recorded::Durable);
    assert_eq!(whole_trail(&store).await.len(), 2);
    assert!(store.token("fresh-token").await.unwrap().is_some());
    assert_eq!(store.user_notifications("user-1").await.unwrap().len(), 1);
}

async fn every_change_a_copy_could_miss_bumps_the_epoch_and_hot_writes_do_not(b: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let store = open(b, &dir).await;
    store.upsert_client(&client("shop")).await.unwrap();
    store
        .upsert_user(&user("u1", "447700900001"))
        .await
        .unwrap();
    let mut long_lived = token("long-lived");
    long_lived.user_id = Some("u1".into());
    long_lived.consent_id = Some("c1".into());
    long_lived.policy = "long_lived".into();
    store.insert_token(&long_lived).await.unwrap();
    store.insert_token(&token("one-time")).await.unwrap();
    store.insert_token(&token("another")).await.unwrap();

    // What must not bump it: the writes of the hot requests.
    let quiet = epoch(&store).await;
    store.insert_token(&token("issued")).await.unwrap();
    store.append_audit(entry(1, "u1")).await.unwrap();
    store.record(access(2, "u1", None)).await.unwrap();
    let mut issued = Record::default();
    issued.tokens.push(token("issued-by-record"));
    store.record(issued).await.unwrap();
    assert!(store.spend_token("one-time").await.unwrap());
    assert_eq!(epoch(&store).await, quiet, "a hot write bumped the epoch");

    // What must: each change a copy could miss, one at a time.
    let mut before = quiet;
    let mut bumped = |what: &str, now: Epoch| {
        assert!(now > before, "{what} did not bump the read epoch");
        before = now;
    };
    let mut tx = store.begin().await.unwrap();
    tx.insert_consent(&assent_gateway::store::Consent {
        id: "c1".into(),
        user_id: "u1".into(),
        client_id: "shop".into(),
        scope: vec!["mc_vm_share".into()],
        kind: "long_lived".into(),
        prompt: "ok".into(),
        granted_ms: 1,
        revoked_ms: None,
        expires_ms: None,
        withdrawn: Vec::new(),
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();
    bumped("a consent given", epoch(&store).await);
    let mut tx = store.begin().await.unwrap();
    assert!(
        tx.set_withdrawn("c1", &[], &["email".to_owned()])
            .await
            .unwrap()
    );
    tx.commit().await.unwrap();
    bumped("a withdrawal", epoch(&store).await);
    assert!(store.revoke_token("another", "demo-sp").await.unwrap());
    bumped("a token revoked", epoch(&store).await);
    let reminded_at = epoch(&store).await;
    let mut tx = store.begin().await.unwrap();
    assert!(tx.claim_reminder("c1", 4).await.unwrap());
    tx.commit().await.unwrap();
    assert_eq!(
        epoch(&store).await,
        reminded_at,
        "a reminder's stamp bumped the epoch"
    );
    assert!(store.revoke_consent("c1", 5).await.unwrap());
    bumped("a consent revoked", epoch(&store).await);
    store
        .upsert_user(&user("u1", "447700900001"))
        .await
        .unwrap();
    bumped("a user imported again", epoch(&store).await);
    store
        .upsert_user(&user("u2", "447700900002"))
        .await
        .unwrap();
    bumped("a user imported", epoch(&store).await);
    assert!(
        store
            .set_sim_change("447700900001", "2026-12-01T00:00:00Z")
            .await
            .unwrap()
    );
    bumped("a SIM change", epoch(&store).await);
    assert!(store.set_blacklisted("shop", true).await.unwrap());
    bumped("a blacklisting", epoch(&store).await);
    store.upsert_client(&client("shop2")).await.unwrap();
    bumped("an SP registered", epoch(&store).await);
    assert!(store.delete_client("shop2").await.unwrap());
    bumped("an SP removed", epoch(&store).await);
}

async fn the_cache_serves_copies_of_the_newest_epoch_only(b: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let store = open(b, &dir).await;
    let cache = ReadCache::default();
    store.upsert_client(&client("shop")).await.unwrap();

    let first = cache.client(&store, "shop", Reads::Cached).await.unwrap();
    assert!(!first.copied);
    let again = cache.client(&store, "shop", Reads::Cached).await.unwrap();
    assert!(again.copied, "the second read is a copy");
    assert_eq!(again.epoch, first.epoch);
    assert!(!again.value.unwrap().blacklisted);

    // Another process blacklists the SP: the copy is still served (it is the record's
    // epoch check that catches it) until the cache learns the new epoch...
    assert!(store.set_blacklisted("shop", true).await.unwrap());
    let now = epoch(&store).await;
    cache.learn(now);
    // ...after which nothing older is served.
    let fresh = cache.client(&store, "shop", Reads::Cached).await.unwrap();
    assert!(!fresh.copied);
    assert!(fresh.value.unwrap().blacklisted);
    assert_eq!(fresh.epoch, now);

    // A fresh read replaces the copy; unknown rows are never copied.
    let unknown = cache.client(&store, "nobody", Reads::Cached).await.unwrap();
    assert!(unknown.value.is_none());
    store.upsert_client(&client("nobody")).await.unwrap();
    let known = cache.client(&store, "nobody", Reads::Cached).await.unwrap();
    assert!(!known.copied && known.value.is_some());

    // Users by number and consents alike.
    store
        .upsert_user(&user("u1", "447700900001"))
        .await
        .unwrap();
    let read = cache
        .user_by_msisdn(&store, "447700900001", Reads::Cached)
        .await
        .unwrap();
    assert!(!read.copied && read.value.is_some());
    let copy = cache
        .user_by_msisdn(&store, "447700900001", Reads::Cached)
        .await
        .unwrap();
    assert!(copy.copied);
    let fresh = cache
        .user_by_msisdn(&store, "447700900001", Reads::Fresh)
        .await
        .unwrap();
    assert!(!fresh.copied);
    let consents = cache
        .long_lived_consents(&store, "u1", "shop", Reads::Cached)
        .await
        .unwrap();
    assert!(consents.value.is_empty());
}

/// On SQLite, records waiting behind a transaction are written by the writer together and
/// acknowledged after one commit (what makes the hot path cheap).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_records_waiting_share_one_commit() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(Backend::Sqlite, &dir).await;
    let Store::Sqlite(sqlite) = &store else {
        unreachable!("opened SQLite")
    };
    let commits_before = sqlite.writer.commits();
    let records_before = sqlite.writer.records();
    // A transaction holds the writer while twenty records queue behind it.
    let mut first = store.begin().await.unwrap();
    first.append_audit(entry(0, "user-0")).await.unwrap();
    let mut writers = Vec::new();
    for n in 1..=20 {
        let store = store.clone();
        writers.push(tokio::spawn(async move {
            store.record(access(n, "user-1", None)).await.unwrap()
        }));
    }
    for _ in 0..10_000 {
        if sqlite.writer.waiting() >= 20 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(1)).await;
    }
    assert_eq!(sqlite.writer.waiting(), 20, "the records did not queue");
    first.commit().await.unwrap();
    for w in writers {
        assert_eq!(w.await.unwrap(), Recorded::Durable);
    }
    assert_eq!(sqlite.writer.commits() - commits_before, 1);
    assert_eq!(sqlite.writer.records() - records_before, 20);
    assert_eq!(whole_trail(&store).await.len(), 41);
}
