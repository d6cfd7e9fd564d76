//! Consent (MC_ATTR_06..17): what the prompt shows, reaching the user through the chosen
//! authenticator, and recording the answer with the exact text the user saw. What a prompt
//! says, and the other consent rules without I/O, are in [`crate::rules::consent`].

use crate::base::keys::SigningKeys;
use crate::flows::Gateway;
use crate::flows::client_auth::audit_refusal;
use crate::flows::ssf;
use crate::rules::catalog::Catalog;
use crate::rules::consent::{OutgoingPrompt, RequestTerms, lifetime_of, render_sign_in};
pub use crate::rules::consent::{
    Purpose, consent_id_for, is_minor, render_consent, render_for_browser, user_value,
};
use crate::rules::device::sha256_hex;
use crate::rules::grant_management::Update;
use crate::rules::oauth::OAuthError;
use crate::rules::receipt::{self, ConsentFacts, Event};
use crate::rules::ssf::Initiator;
use crate::store::{Client, Consent, Receipt, StoreError, Tx, User};
use assent_audit::{EntryKind, NewEntry};
use serde_json::json;
use std::sync::Arc;

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
    binding_message: Option<&str>,
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
            &RequestTerms {
                lifetime: lifetime_of(&gateway.catalog, client, scope, gateway.now_ms()),
                binding_message: binding_message.map(str::to_owned),
            },
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
    /// What a yes records ([`terms`]).
    pub terms: &'a ConsentTerms,
}

/// What a yes to an SP records beyond the answer, read before the answer's transaction
/// begins (a [`Tx`] must not wait on the pool): the consent's kind and lifetime, the SP's
/// name, and the signer of its receipt.
#[derive(Debug, Clone)]
pub struct ConsentTerms {
    /// `long_lived` for SPs whose token policy is long-lived, else `transaction`.
    pub kind: &'static str,
    pub client_name: String,
    /// How long a long-lived consent lives (the catalog's shortest `max_lifetime_days` of
    /// its services); `None`: until revoked, or a transaction's.
    pub lifetime_ms: Option<i64>,
    pub notary: Notary,
    /// Grant Management §4.1: the grant the request merges into or replaces, if it does.
    pub change: Option<GrantChange>,
}

/// A request's change of an existing grant, read with the terms.
#[derive(Debug, Clone)]
pub struct GrantChange {
    pub grant_id: String,
    pub update: Update,
    /// The grant as it is; `None` when it is gone (the yes then makes a grant of its own).
    pub granted: Option<Consent>,
    /// The grant's services once the yes is recorded.
    pub scope: Vec<String>,
}

/// Who signs consent receipts: the gateway's key and issuer, and the catalog the receipts'
/// purposes come from.
#[derive(Debug, Clone)]
pub struct Notary {
    pub keys: SigningKeys,
    pub issuer: String,
    pub catalog: Arc<Catalog>,
}

impl Notary {
    pub fn of(gateway: &Gateway) -> Notary {
        Notary {
            keys: gateway.keys.clone(),
            issuer: gateway.issuer.clone(),
            catalog: gateway.catalog.clone(),
        }
    }

    /// Signs receipt of `event` on `consent` at `at_ms`, as the row to store with it.
    pub fn receipt(
        &self,
        consent: &ConsentFacts<'_>,
        event: &Event<'_>,
        at_ms: i64,
    ) -> Result<Receipt, StoreError> {
        let id = crate::base::ids::new_id("rc");
        let claims = receipt::claims(
            &self.catalog,
            &self.issuer,
            &id,
            consent,
            event,
            at_ms,
            at_ms.div_euclid(1000),
        );
        let jws = receipt::sign(&self.keys, &claims)
            .map_err(|e| StoreError::Unmade(format!("a receipt could not be signed: {e}")))?;
        Ok(Receipt {
            id,
            user_id: consent.user_id.to_owned(),
            client_id: consent.client_id.to_owned(),
            consent_id: consent.consent_id.to_owned(),
            kind: event.kind().to_owned(),
            at_ms,
            jws,
        })
    }
}

/// The terms a yes to `client_id` for `scope` records (see [`ConsentTerms`]), for the
/// request `request_hash` (which may change an existing grant).
pub async fn terms(
    gateway: &Gateway,
    client_id: &str,
    scope: &[String],
    request_hash: &str,
) -> Result<ConsentTerms, StoreError> {
    let client = gateway.store.client(client_id).await?;
    let kind = match client.as_ref().map(|c| c.token_policy.as_str()) {
        Some("long_lived") => "long_lived",
        _ => "transaction",
    };
    let change = match gateway.store.grant_update(request_hash).await? {
        Some((grant_id, action)) => {
            let update = Update::parse(&action).unwrap_or(Update::Replace);
            let granted = gateway.store.consent(&grant_id).await?;
            let scope = match &granted {
                Some(granted) => update.scope(&granted.scope, scope),
                None => scope.to_vec(),
            };
            Some(GrantChange {
                grant_id,
                update,
                granted,
                scope,
            })
        }
        None => None,
    };
    let final_scope = change.as_ref().map_or(scope, |c| c.scope.as_slice());
    Ok(ConsentTerms {
        kind,
        client_name: client.map(|c| c.client_name).unwrap_or_default(),
        lifetime_ms: (kind == "long_lived")
            .then(|| gateway.catalog.consent_lifetime_ms(final_scope))
            .flatten(),
        notary: Notary::of(gateway),
        change,
    })
}

/// The consent request `request_hash`'s tokens rest on: the grant it changed, or its own.
pub async fn consent_of_request(
    gateway: &Gateway,
    request_hash: &str,
) -> Result<String, StoreError> {
    Ok(match gateway.store.grant_update(request_hash).await? {
        Some((grant_id, _)) => grant_id,
        None => consent_id_for(request_hash),
    })
}

/// Audits the answer and, on yes, records the consent (MC_ATTR_06..11: with the exact prompt
/// shown) and its signed receipt, inside the transaction that moved the request, so that the
/// request's state, its consent, its receipt and their audit entries commit together or not
/// at all; everything is stamped `now` (the gateway's time of the answer).
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
    let terms = a.terms;
    let mut consent = Consent {
        id: consent_id_for(a.request_hash),
        user_id: a.user_id.to_owned(),
        client_id: a.client_id.to_owned(),
        scope: a.scope.to_vec(),
        kind: terms.kind.into(),
        prompt: a.prompt.to_owned(),
        granted_ms: now,
        revoked_ms: None,
        expires_ms: terms.lifetime_ms.map(|lifetime| now + lifetime),
        withdrawn: Vec::new(),
    };
    // Grant Management §4.1: a merge or replace updates the grant in place (its id stays
    // the SP's grant_id), if it is still that SP's and user's grant in force; else the yes
    // is a grant of its own, and the request's tokens rest on that one.
    let mut updated = None;
    if let Some(change) = &terms.change {
        let changed = match &change.granted {
            Some(granted) => {
                let withdrawn = change.update.withdrawn(&granted.withdrawn);
                let done = tx
                    .update_consent(
                        &change.grant_id,
                        a.client_id,
                        a.user_id,
                        &change.scope,
                        &withdrawn,
                        a.prompt,
                        now,
                        consent.expires_ms,
                        change.update == Update::Replace,
                    )
                    .await?;
                done.then_some(withdrawn)
            }
            None => None,
        };
        match changed {
            Some(withdrawn) => {
                consent.id = change.grant_id.clone();
                consent.scope = change.scope.clone();
                consent.withdrawn = withdrawn;
                updated = Some(change.update.name());
            }
            None => tx.forget_grant_update(a.request_hash).await?,
        }
    }
    if updated.is_none() {
        tx.insert_consent(&consent).await?;
    }
    let prompt_sha256 = sha256_hex(a.prompt);
    let receipt = terms.notary.receipt(
        &facts(&consent, &terms.client_name),
        &Event::Given {
            authenticator: a.authenticator,
            prompt_sha256: &prompt_sha256,
        },
        now,
    )?;
    tx.insert_receipt(&receipt).await?;
    tx.append_audit(entry(
        EntryKind::Consent,
        json!({"consent": consent.id, "kind": terms.kind, "scope": consent.scope.join(" "),
               "prompt": a.prompt, "receipt": receipt.id,
               "grant_management_action": updated,
               "expires_at": consent.expires_ms.map(crate::base::clock::rfc3339)}),
    ))
    .await?;
    Ok(())
}

/// The SP's name for receipts, reminders and sentences (its id if it is no longer
/// registered).
pub async fn client_name(gateway: &Gateway, client_id: &str) -> Result<String, StoreError> {
    Ok(gateway
        .store
        .client(client_id)
        .await?
        .map_or_else(|| client_id.to_owned(), |c| c.client_name))
}

/// The attributes a consent's services release (from the service catalog), once each.
pub fn covered_attributes(gateway: &Gateway, consent: &Consent) -> Vec<String> {
    let mut attributes: Vec<String> = Vec::new();
    for service in consent
        .scope
        .iter()
        .filter_map(|s| gateway.catalog.service(s))
    {
        for rule in &service.attributes {
            if !attributes.contains(&rule.name) {
                attributes.push(rule.name.clone());
            }
        }
    }
    attributes
}

/// What a consent gives now: what it covers less what the user withdrew.
pub fn given_attributes(gateway: &Gateway, consent: &Consent) -> Vec<String> {
    covered_attributes(gateway, consent)
        .into_iter()
        .filter(|a| !consent.withdrawn.contains(a))
        .collect()
}

/// Who ended a consent, as its audit entry and the user's history say.
#[derive(Debug, Clone, Copy)]
pub enum EndedBy<'a> {
    /// The user, in the app on `device`.
    User { device: &'a str },
    /// The SP itself (Grant Management's revoke).
    Sp,
    /// The operator's customer care, on the user's behalf (`admin consents revoke`).
    Operator,
    /// The user, on the USSD self-care menu.
    Ussd,
}

/// Ends `consent` now, and every token bought with it (MC_ATTR_20), with its
/// withdrawal receipt and audit entry in the same transaction. Whether it was still in force
/// (a consent already ended changes nothing).
pub async fn end_consent(
    gateway: &Gateway,
    consent: &Consent,
    by: EndedBy<'_>,
) -> Result<bool, StoreError> {
    let name = client_name(gateway, &consent.client_id).await?;
    let now_ms = gateway.now_ms();
    let withdrawn = given_attributes(gateway, consent);
    let receipt = Notary::of(gateway).receipt(
        &facts(consent, &name),
        &Event::Withdrawn {
            attributes: &withdrawn,
            remaining: &[],
        },
        now_ms,
    )?;
    let (authenticator, detail, signal) = match by {
        EndedBy::User { device } => (
            Some("app".to_owned()),
            json!({"by": "user", "consent": consent.id, "device": device,
                   "receipt": receipt.id}),
            ssf::consent_ended(
                consent,
                Initiator::User,
                "the user revoked the SP's access",
                now_ms,
            ),
        ),
        EndedBy::Sp => (
            None,
            json!({"by": "sp", "consent": consent.id, "receipt": receipt.id}),
            ssf::consent_ended(
                consent,
                Initiator::System,
                "the SP revoked the grant",
                now_ms,
            ),
        ),
        EndedBy::Ussd => (
            Some("ussd".to_owned()),
            json!({"by": "user", "consent": consent.id, "channel": "ussd",
                   "receipt": receipt.id}),
            ssf::consent_ended(
                consent,
                Initiator::User,
                "the user revoked the SP's access",
                now_ms,
            ),
        ),
        EndedBy::Operator => (
            None,
            json!({"by": "operator", "consent": consent.id, "receipt": receipt.id}),
            ssf::consent_ended(
                consent,
                Initiator::Admin,
                "customer care revoked the SP's access on the user's behalf",
                now_ms,
            ),
        ),
    };
    // The SP hears of it (Shared Signals) from the transaction that ends it.
    let sets = ssf::sets_for(&gateway.store, &[signal], now_ms).await?;
    let mut tx = gateway.store.begin().await?;
    if !tx.revoke_consent(&consent.id, now_ms).await? {
        return Ok(false);
    }
    ssf::queue(&mut tx, &sets).await?;
    tx.insert_receipt(&receipt).await?;
    tx.append_audit(NewEntry {
        at_ms: now_ms,
        kind: EntryKind::Revocation,
        user: Some(consent.user_id.clone()),
        sp: Some(consent.client_id.clone()),
        authenticator,
        detail: detail.to_string(),
    })
    .await?;
    tx.commit().await?;
    if !sets.is_empty() {
        gateway.signals.queued();
    }
    Ok(true)
}

/// What a receipt says of `consent`.
pub fn facts<'a>(consent: &'a Consent, client_name: &'a str) -> ConsentFacts<'a> {
    ConsentFacts {
        consent_id: &consent.id,
        user_id: &consent.user_id,
        client_id: &consent.client_id,
        client_name,
        scope: &consent.scope,
        kind: &consent.kind,
        expires_ms: consent.expires_ms,
    }
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
