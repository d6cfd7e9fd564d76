//! Operator commands: audit verification, the SP blacklist.

use crate::store::{Store, StoreError};
use assent_audit::{AuditError, EntryKind, Head, NewEntry};

#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("audit trail broken: {0}")]
    Audit(#[from] AuditError),
    #[error("no SP with client_id {0}")]
    UnknownClient(String),
}

/// Verifies the whole audit trail page by page; returns the number of entries and the head.
pub async fn verify_audit(store: &Store) -> Result<Head, AdminError> {
    const PAGE: u32 = 10_000;
    let mut head = Head::GENESIS;
    loop {
        let page = store.audit_page(head.seq, PAGE).await?;
        if page.is_empty() {
            return Ok(head);
        }
        head = assent_audit::verify_trail(&page, head)?;
    }
}

/// Adds an SP to the blacklist (or removes it), recording who did what in the audit trail.
pub async fn set_blacklisted(store: &Store, client_id: &str, on: bool) -> Result<(), AdminError> {
    if !store.set_blacklisted(client_id, on).await? {
        return Err(AdminError::UnknownClient(client_id.to_owned()));
    }
    let action = if on {
        "blacklist_add"
    } else {
        "blacklist_remove"
    };
    store
        .append_audit(NewEntry {
            at_ms: now_ms(),
            kind: EntryKind::Admin,
            user: None,
            sp: Some(client_id.to_owned()),
            authenticator: None,
            detail: serde_json::json!({ "action": action }).to_string(),
        })
        .await?;
    Ok(())
}

pub fn now_ms() -> i64 {
    let now = time::OffsetDateTime::now_utc();
    i64::try_from(now.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}
