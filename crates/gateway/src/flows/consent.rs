//! Consent (MC_ATTR_06..17): what the prompt shows, reaching the user through the chosen
//! authenticator, and recording the answer with the exact text the user saw. What a prompt
//! says, and the other consent rules without I/O, are in [`crate::rules::consent`].

use crate::flows::Gateway;
use crate::flows::client_auth::audit_refusal;
use crate::rules::consent::{OutgoingPrompt, render_sign_in};
pub use crate::rules::consent::{
    Purpose, consent_id_for, is_minor, render_consent, render_for_browser, user_value,
};
use crate::rules::oauth::OAuthError;
use crate::store::{Client, Consent, StoreError, Tx, User};
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
    gateway: &Gateway,
    client: &Client,
    user: &User,
    scope: &[String],
    purpose: Purpose,
    endpoint: &str,
) -> Result<Sent, OAuthError> {
    let loa = gateway.catalog.required_loa(scope);
    // The app is the user's authenticator only while one of their devices is live: a prompt
    // sent to an inbox that no device can open (all revoked, or their certificates expired:
    // the number's proof is due again) would wait there unseen; the user's other
    // authenticators are tried instead.
    let mut registered = user.authenticators.clone();
    if registered.iter().any(|a| a == "app")
        && gateway
            .store
            .live_devices(&user.id, gateway.now_ms())
            .await?
            .is_empty()
    {
        registered.retain(|a| a != "app");
    }
    let Some(authenticator) = gateway.authenticators.choose(&registered, loa) else {
        audit_refusal(
            gateway,
            client,
            Some(&user.id),
            endpoint,
            "no_authenticator",
        )
        .await?;
        return Err(denied());
    };
    let prompt = match purpose {
        Purpose::Consent => render_consent(
            &gateway.catalog,
            client,
            user,
            scope,
            authenticator.device(),
        )?,
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
    gateway: &Gateway,
    client: &Client,
    user: &User,
    endpoint: &str,
) -> Result<(), OAuthError> {
    if is_minor(user, gateway.clock.today()) {
        audit_refusal(
            gateway,
            client,
            Some(&user.id),
            endpoint,
            "user_not_allowed",
        )
        .await?;
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
pub async fn consent_kind(gateway: &Gateway, client_id: &str) -> Result<&'static str, StoreError> {
    let client = gateway.store.client(client_id).await?;
    Ok(match client.as_ref().map(|c| c.token_policy.as_str()) {
        Some("long_lived") => "long_lived",
        _ => "transaction",
    })
}

/// Audits the answer and, on yes, records the consent (MC_ATTR_06..11: with the exact prompt
/// shown), inside the transaction that moved the request, so that the request's state, its
/// consent and their audit entries commit together or not at all; everything is stamped
/// `now` (the gateway's time of the answer).
pub async fn record_answer(
    tx: &mut Tx,
    a: &Answered<'_>,
    approve: bool,
    now: i64,
) -> Result<(), StoreError> {
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
/// inside the transaction that moved the request, stamped `now` (the gateway's time).
pub async fn record_sign_in(
    tx: &mut Tx,
    user_id: &str,
    client_id: &str,
    authenticator: &str,
    approve: bool,
    now: i64,
) -> Result<(), StoreError> {
    tx.append_audit(NewEntry {
        at_ms: now,
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
