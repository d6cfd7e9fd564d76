//! Consent lifetimes (issue 17): a long-lived consent ends at the catalog's lifetime for its
//! services; a week before, the user is reminded (in the app when one of their devices is
//! live, else by SMS); at the end the tokens it bought are revoked and the user's history
//! says so. Tokens stop working at the end whether or not a sweep ran (the resource server
//! and the refresh grant read the end themselves); the sweep records what happened.
//!
//! Every step is claimed by a conditional UPDATE inside the transaction that writes its
//! audit entry, so two gateways sweeping one database remind and record each consent once.

use crate::base::clock::rfc3339;
use crate::flows::Gateway;
use crate::flows::handset::OutgoingPrompt;
use crate::flows::ssf;
use crate::rules::ssf::Initiator;
use crate::store::{Consent, StoreError, UserNotification};
use assent_audit::{EntryKind, NewEntry};
use serde_json::json;

/// How long before its end a consent's user is reminded.
pub const REMIND_BEFORE_MS: i64 = 7 * 24 * 3_600_000;
/// At most this many consents are handled per step of a sweep; the next sweep takes the rest.
const BATCH: i64 = 200;

/// What one sweep did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Swept {
    pub reminded_in_app: usize,
    pub reminded_by_sms: usize,
    pub ended: usize,
}

/// Reminds the users of consents ending within a week, and records the end of those past it.
pub async fn sweep(gateway: &Gateway) -> Result<Swept, StoreError> {
    let now = gateway.now_ms();
    let mut swept = Swept::default();
    for consent in gateway
        .store
        .consents_to_remind(now, now + REMIND_BEFORE_MS, BATCH)
        .await?
    {
        match remind(gateway, &consent, now).await? {
            Some(Channel::App) => swept.reminded_in_app += 1,
            Some(Channel::Sms) => swept.reminded_by_sms += 1,
            None => {}
        }
    }
    for consent in gateway.store.consents_ended(now, BATCH).await? {
        // The event happened at the consent's end, whenever the sweep records it.
        let signal = ssf::consent_ended(
            &consent,
            Initiator::Policy,
            "the consent reached the end of its lifetime",
            consent.expires_ms.unwrap_or(now),
        );
        let sets = ssf::sets_for(&gateway.store, &[signal], now).await?;
        let mut tx = gateway.store.begin().await?;
        if !tx.end_consent(&consent.id, now).await? {
            continue; // another sweeper, or the user's revocation, came first
        }
        ssf::queue(&mut tx, &sets).await?;
        tx.append_audit(NewEntry {
            at_ms: now,
            kind: EntryKind::Revocation,
            user: Some(consent.user_id.clone()),
            sp: Some(consent.client_id.clone()),
            authenticator: None,
            detail: json!({"by": "expiry", "consent": consent.id,
                           "expired_at": consent.expires_ms.map(rfc3339)})
            .to_string(),
        })
        .await?;
        tx.commit().await?;
        if !sets.is_empty() {
            gateway.signals.queued();
        }
        swept.ended += 1;
    }
    Ok(swept)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Channel {
    App,
    Sms,
}

impl Channel {
    fn name(self) -> &'static str {
        match self {
            Channel::App => "app",
            Channel::Sms => "sms",
        }
    }
}

async fn remind(
    gateway: &Gateway,
    consent: &Consent,
    now: i64,
) -> Result<Option<Channel>, StoreError> {
    let Some(expires_ms) = consent.expires_ms else {
        return Ok(None);
    };
    let expires_at = rfc3339(expires_ms);
    let client_name = crate::flows::consent::client_name(gateway, &consent.client_id).await?;
    let channel = if gateway
        .store
        .live_devices(&consent.user_id, now)
        .await?
        .is_empty()
    {
        Channel::Sms
    } else {
        Channel::App
    };
    let user = gateway.store.user_by_id(&consent.user_id).await?;
    let mut tx = gateway.store.begin().await?;
    if !tx.claim_reminder(&consent.id, now).await? {
        return Ok(None);
    }
    if channel == Channel::App {
        tx.queue_user_notification(&UserNotification {
            id: crate::base::ids::new_id("n"),
            user_id: consent.user_id.clone(),
            client_id: consent.client_id.clone(),
            kind: "consent_expiry".into(),
            detail: json!({"consent": consent.id, "expires_at": expires_at}).to_string(),
            created_ms: now,
        })
        .await?;
    }
    tx.append_audit(NewEntry {
        at_ms: now,
        kind: EntryKind::Notification,
        user: Some(consent.user_id.clone()),
        sp: Some(consent.client_id.clone()),
        authenticator: Some(channel.name().into()),
        detail: json!({"reminder": "consent_expiry", "consent": consent.id,
                       "expires_at": expires_at, "channel": channel.name()})
        .to_string(),
    })
    .await?;
    tx.commit().await?;
    if channel == Channel::Sms
        && let (Some(sms), Some(user)) = (gateway.sms.as_ref(), user)
    {
        let text = reminder_sms(&client_name, &expires_at);
        let reminder = OutgoingPrompt::plain(text);
        // Sent once the reminder is recorded: a failure is logged, not retried (the user
        // still sees the end in the app and in their history).
        if let Err(error) = sms.send_sms(&user.msisdn, &reminder, false).await {
            tracing::warn!(%error, "the consent reminder SMS could not be sent");
        }
    }
    Ok(Some(channel))
}

/// The reminder by SMS: one GSM 7-bit segment for an SP name of up to 40 characters.
pub fn reminder_sms(client_name: &str, expires_at: &str) -> String {
    let day = expires_at.get(..10).unwrap_or(expires_at);
    format!(
        "Assent: {client_name} can use your data until {day}. To keep sharing, approve its \
         next request; to stop now, call your operator."
    )
}
