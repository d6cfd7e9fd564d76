//! The operator's subscribers: provisioning (upserts by number), field changes, and erasure
//! of everything the gateway holds about a person while the audit trail keeps verifying.

use super::{Store, StoreError, Tx};
use crate::base::model::UserField;
use std::collections::BTreeMap;

/// One subscriber of an import: the id it gets if new, its number, the fields its row sets.
#[derive(Debug, Clone, Copy)]
pub struct SubscriberUpsert<'a> {
    pub id: &'a str,
    pub msisdn: &'a str,
    pub fields: &'a BTreeMap<UserField, String>,
}

/// The fields in the order the import's statements bind them.
const FIELDS: [UserField; 11] = UserField::ALL;
/// Whether a new subscriber takes the field as its row gives it: the others get a default
/// when the row has none.
fn as_given(field: UserField) -> bool {
    !matches!(field, UserField::Authenticators | UserField::Notify)
}

/// What erasing a user removed, table by table (for the operator's report).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Erased {
    /// Rows deleted per table.
    pub rows: BTreeMap<&'static str, u64>,
    /// Audit entries whose detail was erased (their seals keep the trail verifying).
    pub audit_details: u64,
    /// Audit entries of the user written before details were sealed (format 1): their detail
    /// is part of their hash and stays.
    pub audit_unsealed: u64,
}

/// Which of the user's keys a statement of [`ERASE`] binds.
#[derive(Clone, Copy)]
enum Key {
    /// The opaque id.
    User,
    /// The number (E.164 digits).
    Number,
}

/// The user's rows, table by table, in an order that leaves no row pointing at a deleted
/// one. Each statement is fixed text binding one key. Not here, on purpose: the audit trail
/// (erased in place below), the user's chain head (a hash), refused registration attempts
/// and SP reports (SEC-1 and the flag queue keep them under the opaque id, which nothing
/// links to a number any more) and Shared Signals events (pairwise subjects; they tell the
/// SPs the grants ended).
const ERASE: &[(&str, Key, &str)] = &[
    (
        "grant_updates",
        Key::User,
        "DELETE FROM grant_updates WHERE grant_id IN (SELECT id FROM consents WHERE user_id = $1)",
    ),
    ("tokens", Key::User, "DELETE FROM tokens WHERE user_id = $1"),
    (
        "receipts",
        Key::User,
        "DELETE FROM receipts WHERE user_id = $1",
    ),
    (
        "consents",
        Key::User,
        "DELETE FROM consents WHERE user_id = $1",
    ),
    (
        "ciba_requests",
        Key::User,
        "DELETE FROM ciba_requests WHERE user_id = $1",
    ),
    (
        "code_requests",
        Key::User,
        "DELETE FROM code_requests WHERE user_id = $1",
    ),
    (
        "app_prompts",
        Key::User,
        "DELETE FROM app_prompts WHERE user_id = $1",
    ),
    (
        "user_notifications",
        Key::User,
        "DELETE FROM user_notifications WHERE user_id = $1",
    ),
    ("pcrs", Key::User, "DELETE FROM pcrs WHERE user_id = $1"),
    (
        "access_notices",
        Key::User,
        "DELETE FROM access_notices WHERE user_id = $1",
    ),
    (
        "device_tokens",
        Key::User,
        "DELETE FROM device_tokens WHERE device_id IN (SELECT id FROM devices WHERE user_id = $1)",
    ),
    (
        "devices",
        Key::User,
        "DELETE FROM devices WHERE user_id = $1",
    ),
    (
        "ussd_sessions",
        Key::User,
        "DELETE FROM ussd_sessions WHERE user_id = $1",
    ),
    (
        "sms_outbox",
        Key::User,
        "DELETE FROM sms_outbox WHERE user_id = $1",
    ),
    (
        "smsc_submissions",
        Key::Number,
        "DELETE FROM smsc_submissions WHERE message_id IN (SELECT id FROM sim_messages WHERE msisdn = $1)",
    ),
    (
        "sim_messages",
        Key::Number,
        "DELETE FROM sim_messages WHERE msisdn = $1",
    ),
    (
        "acme_challenges",
        Key::Number,
        "DELETE FROM acme_challenges WHERE authz_id IN (SELECT id FROM acme_authzs WHERE number = $1)",
    ),
    (
        "acme_authzs",
        Key::Number,
        "DELETE FROM acme_authzs WHERE number = $1",
    ),
    (
        "acme_orders",
        Key::Number,
        "DELETE FROM acme_orders WHERE number = $1",
    ),
    (
        "acme_certificates",
        Key::Number,
        "DELETE FROM acme_certificates WHERE number = $1",
    ),
    (
        "acme_numbers",
        Key::Number,
        "DELETE FROM acme_numbers WHERE number = $1",
    ),
    (
        "acme_sms_sent",
        Key::Number,
        "DELETE FROM acme_sms_sent WHERE number = $1",
    ),
    (
        "budgets",
        Key::Number,
        "DELETE FROM budgets WHERE key = 'sms:number:' || $1",
    ),
    // A pushed request lives a minute; its parameters may name the number as a login hint.
    (
        "pushed_requests",
        Key::Number,
        "DELETE FROM pushed_requests WHERE params LIKE '%' || $1 || '%'",
    ),
    ("users", Key::User, "DELETE FROM users WHERE id = $1"),
];

impl Tx {
    /// Inserts the subscribers whose numbers are new, and updates the others' fields that
    /// their row names (the rest keep their values); a new one gets its row's `id`, and
    /// `default_authenticators` and `default_notify` unless the row names them. Numbers must be distinct. Returns
    /// (new, updated). A few multi-row statements per 500 rows, not one per row: 10,000
    /// rows were 10,000 round trips on PostgreSQL.
    pub async fn import_subscribers(
        &mut self,
        rows: &[SubscriberUpsert<'_>],
        default_authenticators: &str,
        default_notify: &str,
    ) -> Result<(u64, u64), StoreError> {
        const ROWS_PER_STATEMENT: usize = 500;
        let (mut new, mut updated) = (0, 0);
        for chunk in rows.chunks(ROWS_PER_STATEMENT) {
            let existing: std::collections::HashSet<String> = on_tx!(self, |conn| {
                let mut query =
                    sqlx::QueryBuilder::new("SELECT msisdn FROM users WHERE msisdn IN (");
                let mut list = query.separated(", ");
                for row in chunk {
                    list.push_bind(row.msisdn.to_owned());
                }
                query.push(")");
                query
                    .build_query_scalar::<String>()
                    .fetch_all(&mut *conn)
                    .await?
                    .into_iter()
                    .collect()
            });
            let (old, fresh): (Vec<&SubscriberUpsert<'_>>, Vec<&SubscriberUpsert<'_>>) =
                chunk.iter().partition(|row| existing.contains(row.msisdn));
            if !fresh.is_empty() {
                on_tx!(self, |conn| {
                    let mut query = sqlx::QueryBuilder::new(
                        "INSERT INTO users (id, msisdn, given_name, family_name, birthdate, \
                         email, street_address, postal_code, locality, country, sim_change, \
                         authenticators, notify) ",
                    );
                    query.push_values(&fresh, |mut values, row: &&SubscriberUpsert<'_>| {
                        values
                            .push_bind(row.id.to_owned())
                            .push_bind(row.msisdn.to_owned());
                        for field in FIELDS.into_iter().filter(|f| as_given(*f)) {
                            values.push_bind(row.fields.get(&field).cloned());
                        }
                        values.push_bind(
                            row.fields
                                .get(&UserField::Authenticators)
                                .cloned()
                                .unwrap_or_else(|| default_authenticators.to_owned()),
                        );
                        values.push_bind(
                            row.fields
                                .get(&UserField::Notify)
                                .cloned()
                                .unwrap_or_else(|| default_notify.to_owned()),
                        );
                    });
                    query.build().execute(&mut *conn).await?;
                });
                new += fresh.len() as u64;
            }
            if !old.is_empty() {
                on_tx!(self, |conn| {
                    // `VALUES` names its columns column1, column2, … in both SQLite and
                    // PostgreSQL: column1 is the number, then the fields in `FIELDS` order.
                    let mut query = sqlx::QueryBuilder::new("UPDATE users SET ");
                    let sets: Vec<String> = FIELDS
                        .iter()
                        .enumerate()
                        .map(|(i, field)| {
                            format!(
                                "{name} = COALESCE(v.column{n}, users.{name})",
                                name = field.name(),
                                n = i + 2
                            )
                        })
                        .collect();
                    query.push(sets.join(", "));
                    query.push(" FROM (");
                    query.push_values(&old, |mut values, row: &&SubscriberUpsert<'_>| {
                        values.push_bind(row.msisdn.to_owned());
                        for field in &FIELDS {
                            values.push_bind(row.fields.get(field).cloned());
                        }
                    });
                    query.push(") AS v WHERE users.msisdn = v.column1");
                    query.build().execute(&mut *conn).await?;
                });
                updated += old.len() as u64;
            }
        }
        Ok((new, updated))
    }

    /// Sets (or, with `None`, clears) fields of the user with this number; `false` if there
    /// is none.
    pub async fn set_user_fields(
        &mut self,
        msisdn: &str,
        changes: &[(UserField, Option<String>)],
    ) -> Result<bool, StoreError> {
        if changes.is_empty() {
            return Ok(false);
        }
        // Column names come from `UserField::name` (fixed text); every value is bound.
        let assignments: Vec<String> = changes
            .iter()
            .enumerate()
            .map(|(i, (field, _))| format!("{} = ${}", field.name(), i + 1))
            .collect();
        let sql = format!(
            "UPDATE users SET {} WHERE msisdn = ${}",
            assignments.join(", "),
            changes.len() + 1
        );
        let affected = on_tx!(self, |conn| {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            for (_, value) in changes {
                query = query.bind(value.clone());
            }
            query
                .bind(msisdn)
                .execute(&mut *conn)
                .await?
                .rows_affected()
        });
        Ok(affected == 1)
    }

    /// Erases the user: their rows in every table that holds them, and the detail of their
    /// audit entries (sealed ones; see [`Erased::audit_unsealed`]). The audit entries, their
    /// seals and the user's chain head stay, under the opaque id.
    pub async fn erase_user(&mut self, user_id: &str, msisdn: &str) -> Result<Erased, StoreError> {
        const ERASE_AUDIT: &str = "UPDATE audit SET detail = '', detail_salt = NULL \
            WHERE user_id = $1 AND detail_digest IS NOT NULL AND detail_salt IS NOT NULL";
        const UNSEALED: &str =
            "SELECT COUNT(*) FROM audit WHERE user_id = $1 AND detail_digest IS NULL";
        let mut erased = Erased::default();
        for (table, key, sql) in ERASE {
            let value = match key {
                Key::User => user_id,
                Key::Number => msisdn,
            };
            let deleted = on_tx!(self, |conn| {
                sqlx::query(*sql)
                    .bind(value)
                    .execute(&mut *conn)
                    .await?
                    .rows_affected()
            });
            if deleted > 0 {
                erased.rows.insert(table, deleted);
            }
        }
        erased.audit_details = on_tx!(self, |conn| {
            sqlx::query(ERASE_AUDIT)
                .bind(user_id)
                .execute(&mut *conn)
                .await?
                .rows_affected()
        });
        let unsealed: i64 = on_tx!(self, |conn| {
            sqlx::query_scalar(UNSEALED)
                .bind(user_id)
                .fetch_one(&mut *conn)
                .await?
        });
        erased.audit_unsealed = u64::try_from(unsealed).unwrap_or(0);
        Ok(erased)
    }
}

impl Store {
    /// How many subscribers there are.
    pub async fn user_count(&self) -> Result<i64, StoreError> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_scalar("SELECT COUNT(*) FROM users")
                .fetch_one(pool)
                .await?
        }))
    }
}
