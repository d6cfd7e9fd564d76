//! The USSD self-care menu on the handset network (MC_ATTR_19, 20, 32 for subscribers
//! without the app): a dialled service code opens a session; each answer moves it on
//! ([`crate::rules::self_care`]), and what the subscriber does there — a revocation, a
//! report — is done and audited exactly as in the app. Served by the handset simulator today
//! (`POST /sim/handsets/{msisdn}/dial`, then `…/reply`).

use super::Gateway;
use crate::flows::consent::{EndedBy, client_name, end_consent};
use crate::flows::handset::SimulatorError;
use crate::rules::self_care::{self, Action, Next, State, View};
use crate::store::{AuditFilter, NewSimMessage, UssdSession};
use assent_audit::{EntryKind, NewEntry};
use assent_proto::sim::UssdScreen;
use serde_json::json;

/// The operator's USSD service code for self-care when none is configured.
pub const DEFAULT_CODE: &str = "*123#";

/// How long a screen waits for the subscriber's choice: networks end an idle USSD dialogue
/// after about three minutes.
const SESSION_MS: i64 = 180_000;

/// How far back "Recent access" looks, and how many accesses it reads.
const RECENT_MS: i64 = 30 * 86_400_000;
const RECENT_READ: i64 = 1_000;

/// The subscriber of handset `msisdn` (normalized) dials `code`: the self-care menu's first
/// screen.
pub async fn dial(
    gateway: &Gateway,
    msisdn: &str,
    code: &str,
) -> Result<UssdScreen, SimulatorError> {
    if code.trim() != gateway.ussd_self_care_code {
        return Err(SimulatorError::NotFound("no service at this code"));
    }
    let user = gateway
        .store
        .user_by_msisdn(msisdn)
        .await?
        .ok_or(SimulatorError::NotFound("not a subscriber of this gateway"))?;
    let next = self_care::start()?;
    let now_ms = gateway.now_ms();
    let mut tx = gateway.store.begin().await?;
    let screen = send(&mut tx, msisdn, &user.id, &next, now_ms).await?;
    tx.commit().await?;
    Ok(screen)
}

/// The subscriber answers `text` on the screen `message_id` of their session: the next
/// screen. `Ok(None)` when `message_id` is no screen of a self-care session on this handset
/// (it may be a consent prompt).
pub async fn reply(
    gateway: &Gateway,
    msisdn: &str,
    message_id: &str,
    text: &str,
) -> Result<Option<UssdScreen>, SimulatorError> {
    if !gateway.store.is_ussd_session(msisdn, message_id).await? {
        return Ok(None);
    }
    let now_ms = gateway.now_ms();
    // What the screen may show, read before the transaction (the store is not used inside).
    let mut tx = gateway.store.begin().await?;
    let Some(session) = tx.take_ussd_session(msisdn, message_id).await? else {
        return Err(SimulatorError::NotFound("this USSD session has ended"));
    };
    if session.expires_ms < now_ms || !tx.answer_sim_message(msisdn, message_id, text).await? {
        // The network ended it: the screen is closed and the answer goes nowhere.
        tx.commit().await?;
        return Err(SimulatorError::NotFound("this USSD session has ended"));
    }
    tx.commit().await?;
    let state: State = serde_json::from_str(&session.state)
        .map_err(|_| SimulatorError::Invalid("this USSD session cannot be read".into()))?;
    let view = view(gateway, &session.user_id, now_ms).await?;
    let next = self_care::step(&state, text, &view)?;
    act(gateway, &session.user_id, &next.action).await?;
    let mut tx = gateway.store.begin().await?;
    let screen = send(&mut tx, msisdn, &session.user_id, &next, now_ms).await?;
    tx.commit().await?;
    Ok(Some(screen))
}

/// The next screen sent to the handset, and the session kept while it waits.
async fn send(
    tx: &mut crate::store::Tx,
    msisdn: &str,
    user_id: &str,
    next: &Next,
    now_ms: i64,
) -> Result<UssdScreen, SimulatorError> {
    let id = crate::base::ids::new_id("m");
    let end = next.state.is_none();
    tx.send_ussd_screen(
        &NewSimMessage {
            id: id.clone(),
            msisdn: msisdn.to_owned(),
            kind: "ussd".into(),
            text: next.screen.text.clone(),
            encoding: next.screen.measure.encoding.name().into(),
            units: i64::try_from(next.screen.measure.units).unwrap_or(i64::MAX),
            sent_ms: now_ms,
            sent_at: crate::base::clock::rfc3339(now_ms),
            open: !end,
        },
        next.state
            .as_ref()
            .map(|state| UssdSession {
                message_id: id.clone(),
                msisdn: msisdn.to_owned(),
                user_id: user_id.to_owned(),
                state: serde_json::to_string(state).unwrap_or_default(),
                expires_ms: now_ms + SESSION_MS,
            })
            .as_ref(),
    )
    .await?;
    Ok(UssdScreen {
        id,
        text: next.screen.text.clone(),
        end,
    })
}

/// What the menu shows the subscriber now.
async fn view(gateway: &Gateway, user_id: &str, now_ms: i64) -> Result<View, SimulatorError> {
    let mut consents: Vec<(String, String)> = Vec::new();
    for consent in gateway.store.user_live_consents(user_id, now_ms).await? {
        if !consents.iter().any(|(id, _)| *id == consent.client_id) {
            let name = client_name(gateway, &consent.client_id).await?;
            consents.push((consent.client_id, name));
        }
    }
    let filter = AuditFilter {
        kind: Some(EntryKind::ResourceAccess.name().to_owned()),
        since_ms: Some(now_ms - RECENT_MS),
        ..AuditFilter::default()
    };
    let accesses = gateway
        .store
        .user_audit(user_id, 0, RECENT_READ, &filter)
        .await?;
    let mut recent = Vec::new();
    let mut reportable = consents.clone();
    for entry in accesses.iter().rev() {
        let Some(sp) = &entry.content.sp else {
            continue;
        };
        let name = client_name(gateway, sp).await?;
        if !reportable.iter().any(|(id, _)| id == sp) {
            reportable.push((sp.clone(), name.clone()));
        }
        recent.push((name, entry.content.at_ms));
    }
    Ok(View {
        consents,
        recent,
        reportable,
    })
}

/// Does what the subscriber chose, as the app would: a revocation ends every consent in
/// force to the SP (tokens, receipt, the SP told, audited as the user's by USSD); a report
/// joins the flag queue, audited.
async fn act(gateway: &Gateway, user_id: &str, action: &Action) -> Result<(), SimulatorError> {
    match action {
        Action::None => {}
        Action::Revoke { client_id } => {
            let now_ms = gateway.now_ms();
            for consent in gateway
                .store
                .live_consents(user_id, client_id, now_ms)
                .await?
            {
                end_consent(gateway, &consent, EndedBy::Ussd).await?;
            }
        }
        Action::Report { client_id } => {
            let flag = crate::store::Flag {
                id: crate::base::ids::new_id("fl"),
                client_id: client_id.clone(),
                user_id: Some(user_id.to_owned()),
                reason: "reported on the USSD self-care menu".into(),
                at_ms: gateway.now_ms(),
            };
            gateway.store.insert_flag(&flag).await?;
            gateway
                .store
                .append_audit(NewEntry {
                    at_ms: flag.at_ms,
                    kind: EntryKind::SpFlagged,
                    user: Some(user_id.to_owned()),
                    sp: Some(client_id.clone()),
                    authenticator: Some("ussd".into()),
                    detail: json!({"flag": flag.id, "reason": flag.reason}).to_string(),
                })
                .await?;
        }
    }
    Ok(())
}
