//! The operator provisions its subscribers (`admin users import`, `show`, `set`, `delete`):
//! an import is all or nothing, every change is audited without the values it set, and a
//! deletion erases the person while the audit trail keeps verifying.

use crate::base::ids::new_id;
use crate::base::model::User;
use crate::flows::admin::{AdminError, subscriber};
use crate::rules::ssf::Initiator;
use crate::rules::subscriber::{
    self, DEFAULT_AUTHENTICATORS, DEFAULT_NOTIFY, Field, Format, Refusal, Today,
};
use crate::store::{Erased, Store, SubscriberUpsert};
use assent_audit::{EntryKind, NewEntry};
use serde_json::json;

/// What an import did, or would have done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportReport {
    /// Rows accepted.
    pub accepted: usize,
    /// Of them, subscribers that were new, and ones updated (zero when nothing was written).
    pub new: u64,
    pub updated: u64,
    /// Rows refused, by line: any of them means nothing was imported.
    pub refused: Vec<Refusal>,
}

impl ImportReport {
    pub fn imported(&self) -> bool {
        self.refused.is_empty()
    }
}

/// Imports the subscribers of `text` (`path` helps tell JSON Lines from CSV): every row
/// checked first; if any is refused nothing is written, else all are, in one transaction
/// with one audit entry that counts them.
pub async fn import(
    store: &Store,
    path: &str,
    text: &str,
    now_ms: i64,
) -> Result<ImportReport, AdminError> {
    let (rows, refused) = subscriber::parse(text, Format::of(path, text), Today { now_ms });
    let mut report = ImportReport {
        accepted: rows.len(),
        new: 0,
        updated: 0,
        refused,
    };
    if !report.imported() {
        return Ok(report);
    }
    let ids: Vec<String> = rows.iter().map(|_| new_id("u")).collect();
    let upserts: Vec<SubscriberUpsert<'_>> = rows
        .iter()
        .zip(&ids)
        .map(|(row, id)| SubscriberUpsert {
            id,
            msisdn: &row.msisdn,
            fields: &row.fields,
        })
        .collect();
    let mut tx = store.begin().await?;
    (report.new, report.updated) = tx
        .import_subscribers(&upserts, DEFAULT_AUTHENTICATORS, DEFAULT_NOTIFY)
        .await?;
    tx.append_audit(NewEntry {
        at_ms: now_ms,
        kind: EntryKind::Admin,
        user: None,
        sp: None,
        authenticator: None,
        detail: json!({"action": "subscribers_imported", "new": report.new,
                       "updated": report.updated})
        .to_string(),
    })
    .await?;
    tx.commit().await?;
    Ok(report)
}

/// `admin users show`: the subscriber with this number.
pub async fn show(store: &Store, msisdn: &str) -> Result<User, AdminError> {
    subscriber(store, msisdn).await
}

/// The subscriber as `admin users show --json` prints it: the number and every stored field
/// (absent ones `null`), the authenticators as a list.
pub fn user_json(user: &User) -> serde_json::Value {
    json!({
        "msisdn": user.msisdn,
        "id": user.id,
        "given_name": user.given_name,
        "family_name": user.family_name,
        "birthdate": user.birthdate,
        "email": user.email,
        "street_address": user.street_address,
        "postal_code": user.postal_code,
        "locality": user.locality,
        "country": user.country,
        "sim_change": user.sim_change,
        "authenticators": user.authenticators,
        "notify": user.notify,
    })
}

/// `admin users set MSISDN KEY=VALUE…`: every change checked before any is written; audited
/// with the names of the fields, not their values.
pub async fn set(
    store: &Store,
    msisdn: &str,
    assignments: &[String],
    now_ms: i64,
) -> Result<Vec<Field>, AdminError> {
    let today = Today { now_ms };
    let mut changes: Vec<(Field, Option<String>)> = Vec::new();
    for assignment in assignments {
        let (field, value) = subscriber::change(assignment, today).map_err(AdminError::BadField)?;
        if changes.iter().any(|(f, _)| *f == field) {
            return Err(AdminError::BadField(format!(
                "{} is given twice",
                field.name()
            )));
        }
        changes.push((field, value));
    }
    let user = subscriber(store, msisdn).await?;
    let mut tx = store.begin().await?;
    if !tx.set_user_fields(&user.msisdn, &changes).await? {
        return Err(AdminError::UnknownUser);
    }
    let fields: Vec<Field> = changes.iter().map(|(f, _)| *f).collect();
    tx.append_audit(NewEntry {
        at_ms: now_ms,
        kind: EntryKind::Admin,
        user: Some(user.id.clone()),
        sp: None,
        authenticator: None,
        detail: json!({"action": "user_fields_set",
                       "fields": fields.iter().map(|f| f.name()).collect::<Vec<_>>()})
        .to_string(),
    })
    .await?;
    tx.commit().await?;
    Ok(fields)
}

/// What `admin users delete` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deletion {
    /// The opaque id the audit trail keeps for the erased user.
    pub user_id: String,
    /// Grants that ended with the user (their SPs are told, when they have a stream).
    pub grants_ended: usize,
    pub erased: Erased,
}

/// `admin users delete MSISDN`: erases the subscriber (GDPR Art. 17). Their grants end (the
/// SPs' tokens die, and SPs with a Shared Signals stream are told), and every row that holds
/// them goes, in one transaction; their audit entries stay, under the opaque id, with their
/// details erased and their seals keeping the chain verifying (assent-audit, "Erasure and
/// tamper evidence"). The deletion itself is audited under that id, without personal data.
pub async fn delete(store: &Store, msisdn: &str, now_ms: i64) -> Result<Deletion, AdminError> {
    let user = subscriber(store, msisdn).await?;
    let consents = store.user_live_consents(&user.id, now_ms).await?;
    let signals: Vec<_> = consents
        .iter()
        .map(|consent| {
            crate::flows::ssf::consent_ended(
                consent,
                Initiator::Admin,
                "the user's account was deleted",
                now_ms,
            )
        })
        .collect();
    let sets = crate::flows::ssf::sets_for(store, &signals, now_ms).await?;
    let mut tx = store.begin().await?;
    crate::flows::ssf::queue(&mut tx, &sets).await?;
    let erased = tx.erase_user(&user.id, &user.msisdn).await?;
    if !erased.rows.contains_key("users") {
        // Deleted meanwhile: nothing of this transaction is kept.
        return Err(AdminError::UnknownUser);
    }
    tx.append_audit(NewEntry {
        at_ms: now_ms,
        kind: EntryKind::Admin,
        user: Some(user.id.clone()),
        sp: None,
        authenticator: None,
        detail: json!({"action": "user_erased", "grants_ended": consents.len(),
                       "audit_details_erased": erased.audit_details})
        .to_string(),
    })
    .await?;
    tx.commit().await?;
    Ok(Deletion {
        user_id: user.id,
        grants_ended: consents.len(),
        erased,
    })
}
