//! The read cache: in-memory copies of the rows the hot requests read (a token's view, an
//! SP, a user by number, a user's long-lived consents to an SP), each tagged with the read
//! epoch it was read at, in the same statement (migration 0020).
//!
//! A copy is only ever *used* by a request whose writes carry that epoch ([`Record::read_at`]):
//! the writer writes them only if the database's epoch is still the same, in the transaction
//! that writes (under the audit lock). Every change that could make a copy wrong bumps the
//! epoch by trigger, whoever makes it (this process, another gateway, `assent-gateway admin`),
//! so a request served from a stale copy writes nothing, is told [`Recorded::Stale`], and is
//! served again from fresh reads. A request that would be *refused* on a copy is decided
//! again on fresh reads before it is refused (a copy never refuses anybody). So the cache
//! changes what a request costs, never what it is answered.
//!
//! Written here rather than taken from a crate: the caches of crates.io (moka, quick_cache)
//! expire by time or size, and what is needed is validity tied to a database counter read in
//! the same statement as the row; a map under a mutex does that in a page.
//!
//! [`Record::read_at`]: super::Record::read_at
//! [`Recorded::Stale`]: super::Recorded::Stale

use super::consents::{CONSENT_COLUMNS, consent_from_row};
use super::registry::{
    CLIENT_COLUMNS, USER_COLUMNS, client_from_prefixed_row, user_from_prefixed_row,
};
use super::{Client, Consent, Store, StoreError, TokenView, User};
use sqlx::Row;
use std::collections::HashMap;
use std::sync::Mutex;

/// The read epoch: a counter every relevant change bumps (migration 0020).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Epoch(pub i64);

/// Copies kept at most, per kind; beyond, that kind's copies are all dropped (a bound on
/// memory against a caller cycling through tokens, cheaper than an LRU on every hit). A
/// token's view holds its SP and user: ~1–2 KiB, so this bounds the tokens' copies to some
/// 20 MiB. Only rows that exist are copied: unknown tokens, numbers and SPs always cost a
/// read, as they did before there were copies.
const MAX_COPIES: usize = 10_000;

/// Where a read may come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reads {
    /// A copy when there is one of the newest epoch seen (else the database, then copied).
    Cached,
    /// The database (and the copy replaced).
    Fresh,
}

/// A value and the epoch it was read at.
#[derive(Debug, Clone)]
pub struct AtEpoch<T> {
    pub value: T,
    pub epoch: Epoch,
    /// Whether it came from a copy (a refusal decided on it is decided again, fresh).
    pub copied: bool,
}

/// The copies (see the module's comment). One per gateway process, shared by its requests.
#[derive(Debug, Default)]
pub struct ReadCache {
    copies: Mutex<Copies>,
}

#[derive(Debug, Default)]
struct Copies {
    /// The newest epoch seen; every copy below is of it.
    epoch: i64,
    tokens: HashMap<String, TokenView>,
    clients: HashMap<String, Client>,
    users_by_msisdn: HashMap<String, User>,
    /// (user, SP) → that user's long-lived consents to that SP not revoked, any end.
    consents: HashMap<(String, String), Vec<Consent>>,
}

impl Copies {
    /// Learns of epoch `epoch`: a newer one drops every copy. Whether copies of `epoch` may
    /// be kept (not older than what is known).
    fn learn(&mut self, epoch: Epoch) -> bool {
        if epoch.0 > self.epoch {
            self.epoch = epoch.0;
            self.tokens.clear();
            self.clients.clear();
            self.users_by_msisdn.clear();
            self.consents.clear();
        }
        epoch.0 == self.epoch
    }
}

fn keep<K: std::hash::Hash + Eq, V>(map: &mut HashMap<K, V>, key: K, value: V) {
    if map.len() >= MAX_COPIES {
        map.clear();
    }
    map.insert(key, value);
}

impl ReadCache {
    fn copies(&self) -> std::sync::MutexGuard<'_, Copies> {
        // A panic while holding the lock leaves plain maps behind, still consistent.
        self.copies
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The database is at `epoch` (a writer found a record stale): older copies go.
    pub fn learn(&self, epoch: Epoch) {
        self.copies().learn(epoch);
    }

    /// The newest epoch seen.
    pub fn epoch(&self) -> Epoch {
        Epoch(self.copies().epoch)
    }

    /// A token's view ([`Store::token_view`]) by its hash.
    pub async fn token_view(
        &self,
        store: &Store,
        token_hash: &str,
        reads: Reads,
    ) -> Result<Option<AtEpoch<TokenView>>, StoreError> {
        if reads == Reads::Cached {
            let copies = self.copies();
            if let Some(view) = copies.tokens.get(token_hash) {
                return Ok(Some(AtEpoch {
                    value: view.clone(),
                    epoch: Epoch(copies.epoch),
                    copied: true,
                }));
            }
        }
        let Some(view) = store.token_view(token_hash).await? else {
            return Ok(None);
        };
        let epoch = view.read_at;
        let mut copies = self.copies();
        if copies.learn(epoch) {
            keep(&mut copies.tokens, token_hash.to_owned(), view.clone());
        }
        Ok(Some(AtEpoch {
            value: view,
            epoch,
            copied: false,
        }))
    }

    /// An SP by its client_id; `value` is `None` for an unknown SP (never copied).
    pub async fn client(
        &self,
        store: &Store,
        client_id: &str,
        reads: Reads,
    ) -> Result<AtEpoch<Option<Client>>, StoreError> {
        self.read_through(
            reads,
            |copies| &mut copies.clients,
            client_id.to_owned(),
            store.client_at_epoch(client_id),
        )
        .await
    }

    /// A user by number; `value` is `None` for an unknown number (never copied: it may be
    /// imported at any moment, and it is the probing case, not the hot one).
    pub async fn user_by_msisdn(
        &self,
        store: &Store,
        msisdn: &str,
        reads: Reads,
    ) -> Result<AtEpoch<Option<User>>, StoreError> {
        self.read_through(
            reads,
            |copies| &mut copies.users_by_msisdn,
            msisdn.to_owned(),
            store.user_by_msisdn_at_epoch(msisdn),
        )
        .await
    }

    /// A user's long-lived consents to an SP that are not revoked, whatever their end (the
    /// caller decides which are in force at its own time).
    pub async fn long_lived_consents(
        &self,
        store: &Store,
        user_id: &str,
        client_id: &str,
        reads: Reads,
    ) -> Result<AtEpoch<Vec<Consent>>, StoreError> {
        let read = async {
            let (consents, epoch) = store
                .long_lived_consents_at_epoch(user_id, client_id)
                .await?;
            Ok((Some(consents), epoch))
        };
        let key = (user_id.to_owned(), client_id.to_owned());
        let consents = self
            .read_through(reads, |copies| &mut copies.consents, key, read)
            .await?;
        Ok(AtEpoch {
            value: consents.value.unwrap_or_default(),
            epoch: consents.epoch,
            copied: consents.copied,
        })
    }

    /// The copy under `key` in the map `map` picks when `reads` allows one, else `read` (a
    /// row and the epoch, in one statement), copied when the row exists and its epoch is not
    /// older than the copies'.
    async fn read_through<K, V>(
        &self,
        reads: Reads,
        map: fn(&mut Copies) -> &mut HashMap<K, V>,
        key: K,
        read: impl std::future::Future<Output = Result<(Option<V>, Epoch), StoreError>>,
    ) -> Result<AtEpoch<Option<V>>, StoreError>
    where
        K: std::hash::Hash + Eq,
        V: Clone,
    {
        if reads == Reads::Cached {
            let mut copies = self.copies();
            let epoch = Epoch(copies.epoch);
            if let Some(copy) = map(&mut copies).get(&key) {
                return Ok(AtEpoch {
                    value: Some(copy.clone()),
                    epoch,
                    copied: true,
                });
            }
        }
        let (value, epoch) = read.await?;
        if let Some(value) = &value {
            let mut copies = self.copies();
            if copies.learn(epoch) {
                keep(map(&mut copies), key, value.clone());
            }
        }
        Ok(AtEpoch {
            value,
            epoch,
            copied: false,
        })
    }
}

/// `SELECT` of the epoch beside `columns` of `table` (aliased `t`) where `condition`, as
/// one statement: one row with NULL columns when no row matches.
fn at_epoch_sql(columns: &str, table: &str, condition: &str) -> String {
    let prefixed = columns
        .split(", ")
        .map(|c| format!("t.{c} AS {c}"))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "SELECT e.n AS read_epoch, {prefixed} FROM read_epoch e \
         LEFT JOIN {table} t ON {condition} WHERE e.id = 1"
    )
}

impl Store {
    /// An SP and the read epoch, in one statement.
    pub async fn client_at_epoch(
        &self,
        client_id: &str,
    ) -> Result<(Option<Client>, Epoch), StoreError> {
        static SQL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        let sql = SQL.get_or_init(|| at_epoch_sql(CLIENT_COLUMNS, "clients", "t.client_id = $1"));
        let (client, epoch) = on_pool!(self, |pool| {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(client_id)
                .fetch_one(pool)
                .await?;
            let client = match row.try_get::<Option<String>, _>("client_id")? {
                Some(_) => Some(client_from_prefixed_row(&row, "")?),
                None => None,
            };
            (client, Epoch(row.try_get("read_epoch")?))
        });
        Ok((client, epoch))
    }

    /// A user by number and the read epoch, in one statement.
    pub async fn user_by_msisdn_at_epoch(
        &self,
        msisdn: &str,
    ) -> Result<(Option<User>, Epoch), StoreError> {
        static SQL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        let sql = SQL.get_or_init(|| at_epoch_sql(USER_COLUMNS, "users", "t.msisdn = $1"));
        let (user, epoch) = on_pool!(self, |pool| {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(msisdn)
                .fetch_one(pool)
                .await?;
            let user = match row.try_get::<Option<String>, _>("id")? {
                Some(_) => Some(user_from_prefixed_row(&row, "")?),
                None => None,
            };
            (user, Epoch(row.try_get("read_epoch")?))
        });
        Ok((user, epoch))
    }

    /// A user's long-lived consents to an SP not revoked (any end, newest first) and the
    /// read epoch, in one statement.
    pub async fn long_lived_consents_at_epoch(
        &self,
        user_id: &str,
        client_id: &str,
    ) -> Result<(Vec<Consent>, Epoch), StoreError> {
        static SQL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        let sql = SQL.get_or_init(|| {
            format!(
                "{} ORDER BY t.granted_ms DESC",
                at_epoch_sql(
                    CONSENT_COLUMNS,
                    "consents",
                    "t.user_id = $1 AND t.client_id = $2 AND t.kind = 'long_lived' \
                     AND t.revoked_ms IS NULL",
                )
            )
        });
        let (consents, epoch) = on_pool!(self, |pool| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(user_id)
                .bind(client_id)
                .fetch_all(pool)
                .await?;
            let mut epoch = None;
            let mut consents = Vec::new();
            for row in &rows {
                epoch = Some(Epoch(row.try_get("read_epoch")?));
                if row.try_get::<Option<String>, _>("id")?.is_some() {
                    consents.push(consent_from_row(row)?);
                }
            }
            (consents, epoch)
        });
        // The epoch's row always exists (migration 0020); its absence is a broken database.
        let epoch = epoch.ok_or_else(|| StoreError::Database(sqlx::Error::RowNotFound))?;
        Ok((consents, epoch))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(id: &str) -> Client {
        Client {
            client_id: id.into(),
            secret_hash: String::new(),
            client_name: id.into(),
            grant_types: Vec::new(),
            scopes: Vec::new(),
            redirect_uris: Vec::new(),
            delivery_modes: Vec::new(),
            token_policy: "long_lived".into(),
            token_ttl_seconds: 60,
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

    #[test]
    fn a_newer_epoch_drops_every_copy_and_an_older_one_is_not_kept() {
        let mut copies = Copies::default();
        assert!(copies.learn(Epoch(0)));
        copies.clients.insert("a".into(), client("a"));
        assert!(copies.learn(Epoch(3)), "a newer epoch is kept");
        assert!(
            copies.clients.is_empty(),
            "and drops what was read before it"
        );
        copies.clients.insert("b".into(), client("b"));
        assert!(
            !copies.learn(Epoch(2)),
            "a read of an older epoch is not kept"
        );
        assert_eq!(copies.epoch, 3);
        assert_eq!(copies.clients.len(), 1, "nor does it drop the newer copies");
    }

    #[test]
    fn copies_are_bounded() {
        let mut map = HashMap::new();
        for n in 0..MAX_COPIES + 5 {
            keep(&mut map, n, n);
        }
        assert!(map.len() <= MAX_COPIES);
        assert_eq!(map.get(&(MAX_COPIES + 4)), Some(&(MAX_COPIES + 4)));
    }
}
