//! Consent (MC_ATTR_06..17): what the prompt shows, reaching the user through the chosen
//! authenticator, and recording the answer with the exact text the user saw. What a prompt
//! says, and the other consent rules without I/O, are in [`crate::rules::consent`].

use crate::base::clock::now_ms;
use crate::flows::Gateway;
use crate::flows::client_auth::audit_refusal;
use crate::flows::handset::OutgoingPrompt;
use crate::rules::consent::render_sign_in;
pub use crate::rules::consent::{
    Purpose, consent_id_for, is_minor, render_consent, render_for_browser, user_value,
};
use crate::rules::oauth::OAuthError;
use crate::store::{CibaRequest, Client, CodeKey, CodeRequest, Consent, StoreError, Tx, User};
use assent_audit::{EntryKind, NewEntry};
use serde_json::json;

/// A prompt on its way to the user.
#[derive(Debug)]
pub struct Sent {
    pub authenticator: &'static str,
    pub message_id: String,
    pub prompt: OutgoingPrompt,
}

/// Picks the authenticator (MC_ATTR_04), renders the prompt for its device and sends it.
/// A user none of whose authenticators reaches the services' level of assurance is refused
/// with `access_denied` (audited); the SP learns nothing more.
pub async fn reach_user(
    state: &Gateway,
    client: &Client,
    user: &User,
    scope: &[String],
    purpose: Purpose,
    endpoint: &str,
) -> Result<Sent, OAuthError> {
    let loa = state.catalog.required_loa(scope);
    // The app is the user's authenticator only while one of their devices is live: a prompt
    // sent to an inbox that no device can open (all revoked with their certificates) would
    // wait there unseen; the user's other authenticators are tried instead.
    let mut registered = user.authenticators.clone();
    if registered.iter().any(|a| a == "app") && state.store.live_devices(&user.id).await?.is_empty()
    {
        registered.retain(|a| a != "app");
    }
    let Some(authenticator) = state.authenticators.choose(&registered, loa) else {
        audit_refusal(state, client, Some(&user.id), endpoint, "no_authenticator").await?;
        return Err(denied());
    };
    let prompt = match purpose {
        Purpose::Consent => {
            render_consent(&state.catalog, client, user, scope, authenticator.device())?
        }
        Purpose::SignIn => render_sign_in(client, authenticator.device())?,
    };
    let message_id = authenticator.send_prompt(&user.msisdn, &prompt).await?;
    Ok(Sent {
        authenticator: authenticator.name(),
        message_id,
        prompt,
    })
}

/// `access_denied` as the SP sees it: nothing about why.
pub fn denied() -> OAuthError {
    OAuthError::access_denied()
}

/// Refuses minors (MC_ATTR_21): audited with the reason, `access_denied` to the SP.
pub async fn refuse_minor(
    state: &Gateway,
    client: &Client,
    user: &User,
    endpoint: &str,
) -> Result<(), OAuthError> {
    if is_minor(user, time::OffsetDateTime::now_utc().date()) {
        audit_refusal(state, client, Some(&user.id), endpoint, "user_not_allowed").await?;
        return Err(denied());
    }
    Ok(())
}

/// What any flow knows about a request the user just answered.
#[derive(Debug)]
pub struct Answered<'a> {
    pub request_hash: &'a str,
    pub user_id: &'a str,
    pub client_id: &'a str,
    pub scope: &'a [String],
    /// Exactly what the user was shown when consenting.
    pub prompt: &'a str,
    /// Where the answer was given: `ussd`, `sms`, `app`, or `browser` (MC_ATTR_08).
    pub authenticator: &'a str,
    /// The consent a yes records: `long_lived` or `transaction` ([`consent_kind`]).
    pub consent_kind: &'static str,
}

/// The consent a yes to `client_id` records: long-lived for SPs whose token policy is
/// long-lived, else per transaction. Read before the answer's transaction begins (a [`Tx`]
/// must not wait on the pool).
pub async fn consent_kind(state: &Gateway, client_id: &str) -> Result<&'static str, StoreError> {
    let client = state.store.client(client_id).await?;
    Ok(match client.as_ref().map(|c| c.token_policy.as_str()) {
        Some("long_lived") => "long_lived",
        _ => "transaction",
    })
}

/// A request waiting for the user's answer to the prompt it sent (USSD, SMS or app), read
/// before the answer's transaction begins.
#[derive(Debug)]
pub enum Waiting {
    Ciba(CibaRequest, &'static str),
    Code(CodeRequest, &'static str),
}

impl Waiting {
    /// The request that sent the prompt `message_id`, if it is still in time; its state is
    /// checked again, atomically, when the answer is recorded.
    pub async fn find(state: &Gateway, message_id: &str) -> Result<Option<Waiting>, StoreError> {
        let now = state.now_ms();
        if let Some(request) = state.store.ciba_by_message(message_id).await? {
            if now > request.expires_ms {
                return Ok(None);
            }
            let kind = consent_kind(state, &request.client_id).await?;
            return Ok(Some(Waiting::Ciba(request, kind)));
        }
        match state
            .store
            .code_request_by(CodeKey::Message, message_id)
            .await?
        {
            Some(request) if now <= request.expires_ms => {
                let kind = consent_kind(state, &request.client_id).await?;
                Ok(Some(Waiting::Code(request, kind)))
            }
            _ => Ok(None),
        }
    }

    /// Records the answer inside `tx`, together with whatever else the caller's transaction
    /// holds (the closed prompt); `false` when the request was answered meanwhile.
    pub async fn record(&self, tx: &mut Tx, approve: bool) -> Result<bool, StoreError> {
        match self {
            Waiting::Ciba(request, kind) => {
                crate::flows::ciba::answer_in(tx, request, kind, approve).await
            }
            Waiting::Code(request, kind) => {
                crate::flows::code_flow::answer_in(tx, request, kind, approve).await
            }
        }
    }

    /// What follows a committed answer: ping and push SPs are told now rather than at the
    /// next sweep.
    pub fn answered(&self, state: &Gateway) {
        if let Waiting::Ciba(request, _) = self
            && request.delivery_mode != crate::flows::ciba::DeliveryMode::Poll.name()
        {
            state.deliveries.wake();
        }
    }
}

/// The handset simulator's reply to the open message `message_id` of `msisdn`: the message
/// is closed and the answer recorded in one transaction, so a reply the gateway did not
/// acknowledge can be given again. `None` when there is no such open message; else whether
/// a waiting request took the answer.
pub async fn answer_sim_reply(
    state: &Gateway,
    msisdn: &str,
    message_id: &str,
    reply: &str,
    approve: bool,
) -> Result<Option<bool>, StoreError> {
    let waiting = Waiting::find(state, message_id).await?;
    let mut tx = state.store.begin().await?;
    if !tx.answer_sim_message(msisdn, message_id, reply).await? {
        return Ok(None); // dropped: rolled back
    }
    let applied = match &waiting {
        Some(waiting) => waiting.record(&mut tx, approve).await?,
        None => false,
    };
    tx.commit().await?;
    if applied && let Some(waiting) = &waiting {
        waiting.answered(state);
    }
    Ok(Some(applied))
}

/// Audits the answer and, on yes, records the consent (MC_ATTR_06..11: with the exact prompt
/// shown), inside the transaction that moved the request, so that the request's state, its
/// consent and their audit entries commit together or not at all.
pub async fn record_answer(tx: &mut Tx, a: &Answered<'_>, approve: bool) -> Result<(), StoreError> {
    let now = now_ms();
    let entry = |kind, detail: serde_json::Value| NewEntry {
        at_ms: now,
        kind,
        user: Some(a.user_id.to_owned()),
        sp: Some(a.client_id.to_owned()),
        authenticator: Some(a.authenticator.to_owned()),
        detail: detail.to_string(),
    };
    tx.append_audit(entry(
        EntryKind::Answer,
        json!({"answer": if approve { "yes" } else { "no" }, "purpose": "consent"}),
    ))
    .await?;
    if !approve {
        return Ok(());
    }
    crash_point("answer_recorded");
    let consent = Consent {
        id: consent_id_for(a.request_hash),
        user_id: a.user_id.to_owned(),
        client_id: a.client_id.to_owned(),
        scope: a.scope.to_vec(),
        kind: a.consent_kind.into(),
        prompt: a.prompt.to_owned(),
        granted_ms: now,
        revoked_ms: None,
    };
    tx.insert_consent(&consent).await?;
    tx.append_audit(entry(
        EntryKind::Consent,
        json!({"consent": consent.id, "kind": a.consent_kind, "scope": a.scope.join(" "),
               "prompt": a.prompt}),
    ))
    .await?;
    Ok(())
}

/// Audits an authentication-only answer on the handset (consent follows on the browser),
/// inside the transaction that moved the request.
pub async fn record_sign_in(
    tx: &mut Tx,
    user_id: &str,
    client_id: &str,
    authenticator: &str,
    approve: bool,
) -> Result<(), StoreError> {
    tx.append_audit(NewEntry {
        at_ms: now_ms(),
        kind: EntryKind::Answer,
        user: Some(user_id.to_owned()),
        sp: Some(client_id.to_owned()),
        authenticator: Some(authenticator.to_owned()),
        detail: json!({"answer": if approve { "yes" } else { "no" }, "purpose": "sign_in"})
            .to_string(),
    })
    .await?;
    Ok(())
}

/// Crash tests only (debug builds): `ASSENT_CRASH_AT=<point>` aborts the process at that
/// point, as a power cut or SIGKILL would, so that a test can show what survives. Release
/// builds compile it to nothing.
#[cfg(debug_assertions)]
fn crash_point(point: &str) {
    if std::env::var("ASSENT_CRASH_AT").is_ok_and(|at| at == point) {
        eprintln!("ASSENT_CRASH_AT={point}: aborting");
        std::process::abort();
    }
}

#[cfg(not(debug_assertions))]
fn crash_point(_point: &str) {}
