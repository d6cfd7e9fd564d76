//! Access notices by SMS for subscribers without the app (MC_ATTR_19), by each subscriber's
//! policy (`admin users set MSISDN notify=off|each|daily`): the serving gateway's sweep reads
//! the resource accesses audited since it last looked, and tells each subscriber whose
//! notice is due, through the SMS transport. App users are told in the app instead.
//!
//! A notice is claimed (its accesses marked told) in the transaction that audits it, then
//! sent: two gateways never send the same notice, and a send that fails is logged, not
//! retried — the accesses stay in the subscriber's history and the self-care menu.

use crate::flows::Gateway;
use crate::flows::consent::client_name;
use crate::flows::handset::OutgoingPrompt;
use crate::store::{AuditFilter, StoreError};
use assent_audit::{EntryKind, NewEntry};
use serde_json::json;

const DAY_MS: i64 = 86_400_000;
/// Accesses read from the trail per batch, and batches per sweep (the rest waits for the
/// next sweep).
const BATCH: i64 = 1_000;
const BATCHES: usize = 10;
/// Notices sent per sweep at most.
const NOTICES: i64 = 500;

/// What a sweep did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Told {
    /// Notices sent by SMS.
    pub sent: usize,
    /// Subscribers whose waiting accesses were let go without a notice (they have the app
    /// now, or their policy became `off`).
    pub skipped: usize,
}

pub async fn sweep(gateway: &Gateway) -> Result<Told, StoreError> {
    let mut told = Told::default();
    let sms = gateway.sms.clone();
    let now = gateway.now_ms();
    for _ in 0..BATCHES {
        let (from, to, users) = gateway.store.new_accesses(BATCH).await?;
        if to == from {
            break;
        }
        // Without an SMS network nothing can be told: the accesses are passed over, not
        // kept to flood the subscribers the day a network comes.
        let users = if sms.is_some() { users } else { Vec::new() };
        let mut tx = gateway.store.begin().await?;
        if !tx.mark_notices(from, to, &users).await? {
            break; // another gateway's sweep is reading the same accesses
        }
        tx.commit().await?;
    }
    let Some(sms) = sms else {
        return Ok(told);
    };
    told.sent += send_queued(gateway, sms.as_ref(), now).await?;
    for due in gateway.store.notices_due(now - DAY_MS, NOTICES).await? {
        let filter = AuditFilter {
            kind: Some(EntryKind::ResourceAccess.name().to_owned()),
            ..AuditFilter::default()
        };
        let accesses = gateway
            .store
            .user_audit(&due.user_id, due.notified_seq, BATCH, &filter)
            .await?;
        let last_seq = accesses
            .last()
            .and_then(|e| i64::try_from(e.seq).ok())
            .unwrap_or(due.notified_seq);
        let has_app = !gateway
            .store
            .live_devices(&due.user_id, now)
            .await?
            .is_empty();
        if due.notify == "off" || has_app || accesses.is_empty() {
            let mut tx = gateway.store.begin().await?;
            if tx.claim_notice(&due, last_seq, now, false).await? {
                tx.commit().await?;
                told.skipped += 1;
            }
            continue;
        }
        // The SPs, most recent first, with their accesses.
        let mut sps: Vec<(String, String, usize)> = Vec::new();
        for entry in accesses.iter().rev() {
            let Some(sp) = &entry.content.sp else {
                continue;
            };
            match sps.iter_mut().find(|(id, _, _)| id == sp) {
                Some((_, _, n)) => *n += 1,
                None => sps.push((sp.clone(), client_name(gateway, sp).await?, 1)),
            }
        }
        let named: Vec<(String, usize)> =
            sps.iter().map(|(_, name, n)| (name.clone(), *n)).collect();
        let text = crate::rules::notice::text(&due.notify, &named, &gateway.ussd_self_care_code);
        let mut tx = gateway.store.begin().await?;
        if !tx.claim_notice(&due, last_seq, now, true).await? {
            continue;
        }
        tx.append_audit(NewEntry {
            at_ms: now,
            kind: EntryKind::Notification,
            user: Some(due.user_id.clone()),
            sp: None,
            authenticator: Some("sms".into()),
            detail: json!({"to": "user", "kind": "access_notice", "channel": "sms",
                           "policy": due.notify, "accesses": accesses.len(),
                           "sps": sps.iter().map(|(id, _, _)| id.as_str()).collect::<Vec<_>>()})
            .to_string(),
        })
        .await?;
        tx.commit().await?;
        let notice = OutgoingPrompt::plain(text);
        match sms.send_sms(&due.msisdn, &notice, false).await {
            Ok(_) => told.sent += 1,
            Err(error) => tracing::warn!(%error, "an access notice SMS could not be sent"),
        }
    }
    Ok(told)
}

/// Sends what waits in the SMS outbox (customer care's notices), each taken once and audited
/// as handed to the network; a send that fails is logged, not retried.
async fn send_queued(
    gateway: &Gateway,
    sms: &dyn crate::flows::handset::SmsSender,
    now: i64,
) -> Result<usize, StoreError> {
    let mut sent = 0;
    for queued in gateway.store.take_queued_sms(NOTICES).await? {
        let text = OutgoingPrompt::plain(queued.text.clone());
        match sms.send_sms(&queued.msisdn, &text, false).await {
            Ok(_) => {
                sent += 1;
                gateway
                    .store
                    .append_audit(NewEntry {
                        at_ms: now,
                        kind: EntryKind::Notification,
                        user: Some(queued.user_id.clone()),
                        sp: None,
                        authenticator: Some("sms".into()),
                        detail: json!({"to": "user", "kind": "care_notice", "channel": "sms",
                                       "queued": queued.id})
                        .to_string(),
                    })
                    .await?;
            }
            Err(error) => tracing::warn!(%error, "a queued SMS could not be sent"),
        }
    }
    Ok(sent)
}
