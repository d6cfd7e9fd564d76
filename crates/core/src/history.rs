//! The user's audit history, cached on the device in SQLite (through sqlx) so that it reads
//! offline: filtered, exported and verified here, without the gateway.
//!
//! The copy also pins the past: every sync checks that the gateway's export still holds
//! each entry this device has seen, unchanged; a rewritten or dropped entry is reported,
//! never silently replaced.

use assent_audit::{AuditEntry, Digest32, EntryKind, NewEntry};
use serde::{Deserialize, Serialize};
use sqlx::sqlite::SqlitePool;
use sqlx::{QueryBuilder, Row};
use std::collections::BTreeMap;
use std::path::Path;

pub const FILE: &str = "history.sqlite";

#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error("the history on this device cannot be read or written: {0}")]
    Database(#[from] sqlx::Error),
    #[error("the history on this device cannot be opened: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("the history does not verify: {0}")]
    Broken(String),
    #[error(
        "the gateway's history differs from the copy on this device at entry {seq}: an entry \
         seen before was {what}"
    )]
    Rewritten { seq: u64, what: &'static str },
    #[error("the history belongs to another user than this device's")]
    OtherUser,
    #[error(
        "the gateway's audit trail went back: it reached entry {kept} when this device last \
         looked, and now ends at entry {now} (entries were cut from its end)"
    )]
    TrailWentBack { kept: u64, now: u64 },
    #[error("the gateway no longer vouches for its audit trail with a signed checkpoint")]
    Unvouched,
    #[error(transparent)]
    Checkpoint(#[from] crate::checkpoint::CheckpointError),
    #[error("cannot write the export to {path}: {reason}")]
    Export { path: String, reason: String },
}

/// The gateway's export of one user's history (`GET /device/audit/export`), which is also
/// the file [`History::export_to`] writes: the contract's own type.
pub use assent_proto::audit::UserExport as Export;

/// Checks an export's chain from the user's first entry and that its `head` is the chain's
/// last hash.
fn verified(export: &Export) -> Result<Digest32, HistoryError> {
    export
        .verify()
        .map_err(|e| HistoryError::Broken(e.to_string()))
}

/// Which entries to list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "HistoryFilter"))]
pub struct Filter {
    pub sp: Option<String>,
    pub kind: Option<EntryKind>,
    /// Entries at or after this instant (ms since the epoch).
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub since_ms: Option<i64>,
    pub limit: Option<u32>,
}

/// What a verification found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Verified {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub entries: usize,
    pub head: String,
    /// When the copy was last brought up to date (ms since the epoch).
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub synced_ms: Option<i64>,
    /// The last entry of the gateway's whole trail its latest signed checkpoint vouches for
    /// (checked again here), when the gateway sent one.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub checkpoint_seq: Option<u64>,
}

/// The history cache of one profile.
#[derive(Debug, Clone)]
pub struct History {
    pool: SqlitePool,
    /// One sync at a time: a sync reads, then writes, in one transaction, and SQLite cannot
    /// upgrade two such readers to writers at once (the second gets "database is locked").
    sync_lock: std::sync::Arc<tokio::sync::Mutex<()>>,
}

impl History {
    pub async fn open(profile_dir: &Path) -> Result<Self, HistoryError> {
        let pool = crate::profile::open_sqlite(&profile_dir.join(FILE)).await?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        Ok(History {
            pool,
            sync_lock: std::sync::Arc::default(),
        })
    }

    async fn meta(&self, key: &str) -> Result<Option<String>, HistoryError> {
        Ok(sqlx::query_scalar("SELECT value FROM meta WHERE key = ?")
            .bind(key)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// Brings the copy up to date with a verified export; returns how many entries are new.
    /// Nothing is written unless the export verifies and agrees with every entry kept, and
    /// its checkpoint (checked with `keys`, the gateway's published keys) vouches for a trail
    /// that reaches the user's last entry and is not behind the checkpoint kept before.
    pub async fn sync(
        &self,
        export: &Export,
        keys: &[crate::checkpoint::GatewayKey],
        now_ms: i64,
    ) -> Result<usize, HistoryError> {
        verified(export)?;
        let vouched = export
            .checkpoint
            .as_deref()
            .map(|jws| crate::checkpoint::verify(jws, keys))
            .transpose()?;
        let _one_at_a_time = self.sync_lock.lock().await;
        if let Some(user) = self.meta("user").await?
            && user != export.user
        {
            return Err(HistoryError::OtherUser);
        }
        let kept = self
            .meta("checkpoint_seq")
            .await?
            .and_then(|s| s.parse::<u64>().ok());
        match (&vouched, kept) {
            (None, Some(_)) => return Err(HistoryError::Unvouched),
            (Some(checkpoint), kept) => {
                let now = checkpoint.claims.seq;
                if let Some(last) = export.entries.last()
                    && last.seq > now
                {
                    return Err(HistoryError::Broken(format!(
                        "the gateway's checkpoint (entry {now}) does not reach the history's \
                         last entry ({})",
                        last.seq
                    )));
                }
                if let Some(kept) = kept
                    && kept > now
                {
                    return Err(HistoryError::TrailWentBack { kept, now });
                }
            }
            (None, None) => {}
        }
        let mut tx = self.pool.begin().await?;
        let kept: Vec<(i64, String)> = sqlx::query_as("SELECT seq, hash FROM entries ORDER BY seq")
            .fetch_all(&mut *tx)
            .await?;
        let exported: std::collections::HashMap<u64, &AuditEntry> =
            export.entries.iter().map(|e| (e.seq, e)).collect();
        for (seq, hash) in &kept {
            let seq = u64::try_from(*seq).unwrap_or_default();
            match exported.get(&seq) {
                None => {
                    return Err(HistoryError::Rewritten {
                        seq,
                        what: "dropped",
                    });
                }
                Some(entry) if entry.hash.to_hex() != *hash => {
                    return Err(HistoryError::Rewritten {
                        seq,
                        what: "changed",
                    });
                }
                Some(_) => {}
            }
        }
        let mut added = 0;
        for entry in &export.entries {
            let inserted = sqlx::query(
                "INSERT INTO entries (seq, at_ms, kind, user, sp, authenticator, detail, \
                 prev_hash, user_prev_hash, hash, detail_digest, detail_salt) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (seq) DO NOTHING",
            )
            .bind(i64::try_from(entry.seq).unwrap_or(i64::MAX))
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
            .execute(&mut *tx)
            .await?;
            added += usize::try_from(inserted.rows_affected()).unwrap_or(0);
        }
        let mut meta = vec![
            ("user", export.user.clone()),
            ("head", export.head.clone()),
            (
                "signed_head",
                export.signed_head.clone().unwrap_or_default(),
            ),
            ("synced_ms", now_ms.to_string()),
        ];
        if let Some(checkpoint) = &vouched {
            let keys =
                serde_json::to_string(keys).map_err(|e| HistoryError::Broken(e.to_string()))?;
            meta.extend([
                ("checkpoint", checkpoint.jws.clone()),
                ("checkpoint_seq", checkpoint.claims.seq.to_string()),
                ("gateway_keys", keys),
            ]);
        }
        // The names come as the gateway knows them today: a renamed SP shows its new name.
        for (client_id, name) in &export.sp_names {
            sqlx::query(
                "INSERT INTO sp_names (client_id, name) VALUES (?, ?) \
                 ON CONFLICT (client_id) DO UPDATE SET name = excluded.name",
            )
            .bind(client_id)
            .bind(name)
            .execute(&mut *tx)
            .await?;
        }
        for (key, value) in meta {
            sqlx::query(
                "INSERT INTO meta (key, value) VALUES (?, ?) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )
            .bind(key)
            .bind(value)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(added)
    }

    /// The entries that match, newest first.
    pub async fn list(&self, filter: &Filter) -> Result<Vec<AuditEntry>, HistoryError> {
        let mut query = QueryBuilder::new(
            "SELECT seq, at_ms, kind, user, sp, authenticator, detail, prev_hash, \
             user_prev_hash, hash, detail_digest, detail_salt FROM entries WHERE 1 = 1",
        );
        if let Some(sp) = &filter.sp {
            query.push(" AND sp = ").push_bind(sp.clone());
        }
        if let Some(kind) = filter.kind {
            query.push(" AND kind = ").push_bind(kind.name());
        }
        if let Some(since) = filter.since_ms {
            query.push(" AND at_ms >= ").push_bind(since);
        }
        query.push(" ORDER BY seq DESC");
        if let Some(limit) = filter.limit {
            query.push(" LIMIT ").push_bind(i64::from(limit));
        }
        let rows = query.build().fetch_all(&self.pool).await?;
        rows.iter().map(entry_from_row).collect()
    }

    /// The SPs' names the gateway sent with the history (client_id → client_name).
    pub async fn sp_names(&self) -> Result<BTreeMap<String, String>, HistoryError> {
        let rows: Vec<(String, String)> = sqlx::query_as("SELECT client_id, name FROM sp_names")
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.into_iter().collect())
    }

    /// The whole copy, oldest first, as an export that verifies anywhere.
    pub async fn export(&self) -> Result<Option<Export>, HistoryError> {
        let Some(user) = self.meta("user").await? else {
            return Ok(None);
        };
        let mut entries = self.list(&Filter::default()).await?;
        entries.reverse();
        let signed_head = self.meta("signed_head").await?.filter(|s| !s.is_empty());
        let head = self.meta("head").await?.unwrap_or_default();
        let checkpoint = self.meta("checkpoint").await?.filter(|s| !s.is_empty());
        // Only the names of SPs the entries name, as the gateway's export has them.
        let mut sp_names = self.sp_names().await?;
        sp_names.retain(|id, _| entries.iter().any(|e| e.content.sp.as_deref() == Some(id)));
        Ok(Some(Export {
            checkpoint,
            entries,
            head,
            signed_head,
            sp_names,
            user,
            verify: None,
        }))
    }

    /// Verifies the copy on this device: every entry intact and linked, from the first.
    pub async fn verify(&self) -> Result<Option<Verified>, HistoryError> {
        let Some(export) = self.export().await? else {
            return Ok(None);
        };
        let head = verified(&export)?;
        let synced_ms = self.meta("synced_ms").await?.and_then(|s| s.parse().ok());
        // The kept checkpoint, checked again with the keys it was checked with.
        let checkpoint_seq = match &export.checkpoint {
            Some(jws) => {
                let keys: Vec<crate::checkpoint::GatewayKey> = self
                    .meta("gateway_keys")
                    .await?
                    .and_then(|text| serde_json::from_str(&text).ok())
                    .unwrap_or_default();
                Some(crate::checkpoint::verify(jws, &keys)?.claims.seq)
            }
            None => None,
        };
        Ok(Some(Verified {
            entries: export.entries.len(),
            head: head.to_hex(),
            synced_ms,
            checkpoint_seq,
        }))
    }

    /// Writes the copy, as an export, to `path` (atomically).
    pub async fn export_to(&self, path: &Path) -> Result<usize, HistoryError> {
        let export = self.export().await?.ok_or_else(|| HistoryError::Export {
            path: path.display().to_string(),
            reason: "there is no history on this device yet".into(),
        })?;
        verified(&export)?;
        let text = serde_json::to_vec_pretty(&export).map_err(|e| HistoryError::Export {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        crate::profile::write_atomically(path, &text).map_err(|e| HistoryError::Export {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        Ok(export.entries.len())
    }
}

/// The default name of an exported history: `assent-history-YYYY-MM-DD.json`.
pub fn export_file_name() -> String {
    let today = time::OffsetDateTime::now_utc().date();
    format!("assent-history-{today}.json")
}

fn entry_from_row(row: &sqlx::sqlite::SqliteRow) -> Result<AuditEntry, HistoryError> {
    let damaged = |what: &str| HistoryError::Broken(format!("a stored entry has a bad {what}"));
    let kind: String = row.try_get("kind")?;
    let kind: EntryKind =
        serde_json::from_value(serde_json::Value::String(kind)).map_err(|_| damaged("kind"))?;
    let hash = |column: &str| -> Result<Digest32, HistoryError> {
        let text: String = row.try_get(column)?;
        Digest32::from_hex(&text).map_err(|_| damaged(column))
    };
    let user_prev: Option<String> = row.try_get("user_prev_hash")?;
    let digest: Option<String> = row.try_get("detail_digest")?;
    let seal = digest
        .map(|digest| {
            Ok::<_, HistoryError>(assent_audit::DetailSeal {
                digest: Digest32::from_hex(&digest).map_err(|_| damaged("detail_digest"))?,
                salt: row.try_get("detail_salt")?,
            })
        })
        .transpose()?;
    Ok(AuditEntry {
        seq: u64::try_from(row.try_get::<i64, _>("seq")?).map_err(|_| damaged("seq"))?,
        content: NewEntry {
            at_ms: row.try_get("at_ms")?,
            kind,
            user: row.try_get("user")?,
            sp: row.try_get("sp")?,
            authenticator: row.try_get("authenticator")?,
            detail: row.try_get("detail")?,
        },
        prev_hash: hash("prev_hash")?,
        user_prev_hash: user_prev
            .map(|h| Digest32::from_hex(&h).map_err(|_| damaged("user_prev_hash")))
            .transpose()?,
        hash: hash("hash")?,
        seal,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use assent_audit::Head;

    /// A user's chain of `n` entries, interleaved in a trail with another user's.
    fn export(n: usize) -> Export {
        let mut head = Head::GENESIS;
        let mut mine = None;
        let mut theirs = None;
        let mut entries = Vec::new();
        for i in 0..n * 2 {
            let (user, sp, kind) = if i % 2 == 0 {
                (
                    "u-marie",
                    if i % 4 == 0 { "demo-sp" } else { "other-sp" },
                    EntryKind::ResourceAccess,
                )
            } else {
                ("u-ana", "demo-sp", EntryKind::Consent)
            };
            let content = NewEntry {
                at_ms: 1_700_000_000_000 + i64::try_from(i).unwrap() * 1000,
                kind,
                user: Some(user.into()),
                sp: Some(sp.into()),
                authenticator: None,
                detail: "{}".into(),
            };
            let prev = if user == "u-marie" { mine } else { theirs };
            let salt = [u8::try_from(i % 256).unwrap(); 16];
            let entry =
                AuditEntry::link(content, salt, head, Some(prev.unwrap_or(Digest32::GENESIS)));
            head = Head {
                seq: entry.seq,
                hash: entry.hash,
            };
            if user == "u-marie" {
                mine = Some(entry.hash);
                entries.push(entry);
            } else {
                theirs = Some(entry.hash);
            }
        }
        Export {
            checkpoint: None,
            entries,
            head: mine.unwrap_or(Digest32::GENESIS).to_hex(),
            signed_head: None,
            sp_names: Default::default(),
            user: "u-marie".into(),
            verify: None,
        }
    }

    #[tokio::test]
    async fn syncs_filters_exports_and_verifies_offline() {
        let dir = tempfile::tempdir().unwrap();
        let history = History::open(dir.path()).await.unwrap();
        assert_eq!(history.verify().await.unwrap(), None);
        let first = export(3);
        assert_eq!(history.sync(&first, &[], 1).await.unwrap(), 3);
        let later = export(6);
        assert_eq!(
            history.sync(&later, &[], 2).await.unwrap(),
            3,
            "only the new ones"
        );
        assert_eq!(history.sync(&later, &[], 3).await.unwrap(), 0);
        let all = history.list(&Filter::default()).await.unwrap();
        assert_eq!(all.len(), 6);
        assert!(all.windows(2).all(|w| w[0].seq > w[1].seq), "newest first");
        let demo = Filter {
            sp: Some("demo-sp".into()),
            ..Filter::default()
        };
        assert_eq!(history.list(&demo).await.unwrap().len(), 3);
        let since = Filter {
            since_ms: Some(all[1].content.at_ms),
            limit: Some(1),
            ..Filter::default()
        };
        assert_eq!(history.list(&since).await.unwrap(), vec![all[0].clone()]);
        let verified = history.verify().await.unwrap().unwrap();
        assert_eq!((verified.entries, verified.synced_ms), (6, Some(3)));
        // Reopened (offline, after a restart) it still reads and verifies.
        drop(history);
        let history = History::open(dir.path()).await.unwrap();
        assert_eq!(history.verify().await.unwrap().unwrap().head, later.head);
        let file = dir.path().join("export.json");
        assert_eq!(history.export_to(&file).await.unwrap(), 6);
        let read: Export = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
        assert_eq!(read.verify().unwrap().to_hex(), later.head);
    }

    /// The SPs' names come with the export and stay with the copy (offline too); a renamed
    /// SP shows its new name; the file names only the SPs its entries name; a refused sync
    /// keeps none of the names it brought.
    #[tokio::test]
    async fn the_sps_names_are_kept_with_the_copy() {
        let dir = tempfile::tempdir().unwrap();
        let history = History::open(dir.path()).await.unwrap();
        let named = |n: usize, demo: &str| Export {
            sp_names: BTreeMap::from([
                ("demo-sp".to_owned(), demo.to_owned()),
                ("other-sp".to_owned(), "Other Shop".to_owned()),
                ("unused-sp".to_owned(), "Nobody's Entries".to_owned()),
            ]),
            ..export(n)
        };
        history.sync(&named(3, "Demo Shop"), &[], 1).await.unwrap();
        assert_eq!(history.sp_names().await.unwrap()["demo-sp"], "Demo Shop");
        history
            .sync(&named(4, "Demo Shop Ltd"), &[], 2)
            .await
            .unwrap();
        let mut tampered = named(5, "Evil Shop");
        tampered.entries[1].content.detail = r#"{"edited":true}"#.into();
        assert!(history.sync(&tampered, &[], 3).await.is_err());
        drop(history);
        let history = History::open(dir.path()).await.unwrap();
        let names = history.sp_names().await.unwrap();
        assert_eq!(
            (names["demo-sp"].as_str(), names["other-sp"].as_str()),
            ("Demo Shop Ltd", "Other Shop")
        );
        let file = history.export().await.unwrap().unwrap();
        assert_eq!(
            file.sp_names.keys().collect::<Vec<_>>(),
            ["demo-sp", "other-sp"],
            "only the SPs of the entries"
        );
        assert!(file.verify().is_ok());
    }

    #[tokio::test]
    async fn a_rewritten_or_shortened_history_is_refused_and_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let history = History::open(dir.path()).await.unwrap();
        history.sync(&export(4), &[], 1).await.unwrap();
        // Dropping entries from the end still chains: only the copy catches it.
        let shorter = export(2);
        assert!(matches!(
            history.sync(&shorter, &[], 2).await,
            Err(HistoryError::Rewritten {
                seq: 5,
                what: "dropped"
            })
        ));
        let mut tampered = export(5);
        tampered.entries[1].content.detail = r#"{"edited":true}"#.into();
        assert!(matches!(
            history.sync(&tampered, &[], 2).await,
            Err(HistoryError::Broken(_))
        ));
        let mut other = export(4);
        other.user = "u-ana".into();
        assert!(history.sync(&other, &[], 2).await.is_err());
        assert_eq!(history.verify().await.unwrap().unwrap().entries, 4);
        assert_eq!(history.verify().await.unwrap().unwrap().synced_ms, Some(1));
    }

    /// The gateway's signed checkpoint of its whole trail: kept, and a later export whose
    /// checkpoint is behind it is refused — entries cut from the trail's end, even where none
    /// of this user's went — as is one without a checkpoint, one not signed by the gateway's
    /// published key, and one that does not reach the user's last entry. None changes the
    /// copy.
    #[tokio::test]
    async fn a_trail_that_went_back_behind_the_kept_checkpoint_is_refused() {
        use crate::checkpoint::tests::{checkpoint, test_key};
        let dir = tempfile::tempdir().unwrap();
        let history = History::open(dir.path()).await.unwrap();
        let (key, public) = test_key("k1");
        let keys = std::slice::from_ref(&public);
        let vouched = |n: usize, seq: u64| Export {
            checkpoint: Some(checkpoint(&key, "k1", seq)),
            ..export(n)
        };
        // Marie's last entry is 5; the trail went on to 10 (others' entries).
        assert_eq!(history.sync(&vouched(3, 10), keys, 1).await.unwrap(), 3);
        assert_eq!(
            history.verify().await.unwrap().unwrap().checkpoint_seq,
            Some(10)
        );
        assert!(matches!(
            history.sync(&vouched(4, 9), keys, 2).await,
            Err(HistoryError::TrailWentBack { kept: 10, now: 9 })
        ));
        assert!(matches!(
            history.sync(&export(4), keys, 2).await,
            Err(HistoryError::Unvouched)
        ));
        let (stranger, _) = test_key("k1");
        let forged = Export {
            checkpoint: Some(checkpoint(&stranger, "k1", 20)),
            ..export(4)
        };
        assert!(matches!(
            history.sync(&forged, keys, 2).await,
            Err(HistoryError::Checkpoint(_))
        ));
        assert!(matches!(
            history.sync(&vouched(4, 6), keys, 2).await,
            Err(HistoryError::Broken(_))
        ));
        let verified = history.verify().await.unwrap().unwrap();
        assert_eq!(
            (
                verified.entries,
                verified.synced_ms,
                verified.checkpoint_seq
            ),
            (3, Some(1), Some(10))
        );
        // The trail moved on: the newer checkpoint is kept, and goes into the file.
        assert_eq!(history.sync(&vouched(4, 12), keys, 3).await.unwrap(), 1);
        assert_eq!(
            history.verify().await.unwrap().unwrap().checkpoint_seq,
            Some(12)
        );
        let file = dir.path().join("export.json");
        history.export_to(&file).await.unwrap();
        let read: Export = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
        let kept = crate::checkpoint::verify(read.checkpoint.as_deref().unwrap(), keys).unwrap();
        assert_eq!(kept.claims.seq, 12);
    }

    /// The app's History screen syncs for its list and its chart at once.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_syncs_all_succeed() {
        let dir = tempfile::tempdir().unwrap();
        let history = History::open(dir.path()).await.unwrap();
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..8 {
            let (history, export) = (history.clone(), export(8));
            tasks.spawn(async move { history.sync(&export, &[], 1).await });
        }
        let mut added = 0;
        while let Some(result) = tasks.join_next().await {
            added += result.unwrap().unwrap();
        }
        assert_eq!(added, 8, "each entry added once");
        assert_eq!(history.verify().await.unwrap().unwrap().entries, 8);
    }

    #[tokio::test]
    async fn a_copy_edited_on_disk_fails_verification() {
        let dir = tempfile::tempdir().unwrap();
        let history = History::open(dir.path()).await.unwrap();
        history.sync(&export(3), &[], 1).await.unwrap();
        sqlx::query("UPDATE entries SET sp = 'nobody' WHERE seq = 3")
            .execute(&history.pool)
            .await
            .unwrap();
        assert!(matches!(
            history.verify().await,
            Err(HistoryError::Broken(_))
        ));
    }
}
