//! The user's answer to a prompt on the Authentication Device (USSD, SMS or the app): find
//! the request the prompt belongs to — CIBA, Device-Initiated, or the binding of a new
//! device — and record the answer (with its consent, for an SP's request) in the
//! transaction that closes the prompt (MC_ATTR_06..17; NIST SP 800-63B §6.1.2.1). It names
//! both flows and [`crate::flows::consent`], which both use; none of them names it, so the
//! answer dispatch closes no circle among them.

use crate::flows::Gateway;
use crate::flows::consent::{ConsentTerms, terms};
use crate::flows::handset::SimulatorError;
use crate::rules::ciba::DeliveryMode;
use crate::store::{CibaRequest, CodeKey, CodeRequest, Device, StoreError, Tx};

/// A request waiting for the user's answer to the prompt it sent (USSD, SMS or app), read
/// before the answer's transaction begins, with the gateway's time when the answer came in.
#[derive(Debug)]
pub struct Waiting {
    pub request: WaitingRequest,
    /// The text the user was shown when it is not the request's own (the app rendered the
    /// content for its screen and language, and signed over that).
    pub shown: Option<String>,
    /// When the answer came in (the time its audit entries and consent carry).
    pub at_ms: i64,
}

/// The kind of request a prompt belongs to.
#[derive(Debug)]
pub enum WaitingRequest {
    /// With what a yes records ([`terms`]).
    Ciba(CibaRequest, ConsentTerms),
    Code(CodeRequest, ConsentTerms),
    /// A new device of the user's, pending approval on this one, with the SETs that tell
    /// the user's SPs of the new credential if it is approved (Shared Signals).
    Binding(Device, Vec<crate::store::NewSsfEvent>),
}

impl Waiting {
    /// The request that sent the prompt `message_id`, if it is still in time; its state is
    /// checked again, atomically, when the answer is recorded.
    pub async fn find(gateway: &Gateway, message_id: &str) -> Result<Option<Waiting>, StoreError> {
        let now = gateway.now_ms();
        let request = match gateway.store.ciba_by_message(message_id).await? {
            Some(request) if now > request.expires_ms => return Ok(None),
            Some(request) => {
                let terms = terms(
                    gateway,
                    &request.client_id,
                    &request.scope,
                    &request.auth_req_hash,
                )
                .await?;
                WaitingRequest::Ciba(request, terms)
            }
            None => match gateway
                .store
                .code_request_by(CodeKey::Message, message_id)
                .await?
            {
                Some(request) if now <= request.expires_ms => {
                    let terms = terms(
                        gateway,
                        &request.client_id,
                        &request.scope,
                        &request.session_hash,
                    )
                    .await?;
                    WaitingRequest::Code(request, terms)
                }
                Some(_) => return Ok(None),
                None => match gateway.store.device_by_approval_message(message_id).await? {
                    Some(device) if device.approval_expires_ms.is_some_and(|e| now <= e) => {
                        let signals = crate::flows::ssf::credential_signals(
                            &gateway.store,
                            &device.user_id,
                            now,
                        )
                        .await?;
                        let sets =
                            crate::flows::ssf::sets_for(&gateway.store, &signals, now).await?;
                        WaitingRequest::Binding(device, sets)
                    }
                    _ => return Ok(None),
                },
            },
        };
        Ok(Some(Waiting {
            request,
            shown: None,
            at_ms: now,
        }))
    }

    /// Records the answer inside `tx`, together with whatever else the caller's transaction
    /// holds (the closed prompt); `false` when the request was answered meanwhile.
    pub async fn record(&self, tx: &mut Tx, approve: bool) -> Result<bool, StoreError> {
        let shown = self.shown.as_deref();
        match &self.request {
            WaitingRequest::Ciba(request, terms) => {
                crate::flows::ciba::answer_in(tx, request, terms, shown, approve, self.at_ms).await
            }
            WaitingRequest::Code(request, terms) => {
                crate::flows::code_flow::answer_in(tx, request, terms, shown, approve, self.at_ms)
                    .await
            }
            // Nothing is consented to an SP: the user lets a device of their own in.
            WaitingRequest::Binding(device, sets) => {
                if !tx.settle_binding(&device.id, approve, self.at_ms).await? {
                    return Ok(false);
                }
                if approve {
                    crate::flows::ssf::queue(tx, sets).await?;
                }
                let action = if approve {
                    "device_binding_approved"
                } else {
                    "device_binding_refused"
                };
                tx.append_audit(assent_audit::NewEntry {
                    at_ms: self.at_ms,
                    kind: assent_audit::EntryKind::Admin,
                    user: Some(device.user_id.clone()),
                    sp: None,
                    authenticator: Some("app".into()),
                    detail: serde_json::json!({"action": action, "device": device.id}).to_string(),
                })
                .await?;
                Ok(true)
            }
        }
    }

    /// What follows a committed answer: ping and push SPs are told now rather than at the
    /// next sweep.
    pub fn answered(&self, gateway: &Gateway) {
        match &self.request {
            WaitingRequest::Ciba(request, _)
                if request.delivery_mode != DeliveryMode::Poll.name() =>
            {
                gateway.deliveries.wake();
            }
            WaitingRequest::Binding(_, sets) if !sets.is_empty() => gateway.signals.queued(),
            _ => {}
        }
    }
}

/// The handset simulator's reply to the open message `message_id` of `msisdn`: the message
/// is closed and the answer recorded in one transaction, so a reply the gateway did not
/// acknowledge can be given again. `None` when there is no such open message; else whether
/// a waiting request took the answer.
pub async fn answer_sim_reply(
    gateway: &Gateway,
    msisdn: &str,
    message_id: &str,
    reply: &str,
    approve: bool,
) -> Result<Option<bool>, StoreError> {
    let waiting = Waiting::find(gateway, message_id).await?;
    let mut tx = gateway.store.begin().await?;
    if !tx.answer_sim_message(msisdn, message_id, reply).await? {
        return Ok(None); // dropped: rolled back
    }
    let applied = match &waiting {
        Some(waiting) => waiting.record(&mut tx, approve).await?,
        None => false,
    };
    tx.commit().await?;
    if applied && let Some(waiting) = &waiting {
        waiting.answered(gateway);
    }
    Ok(Some(applied))
}

/// The user of handset `msisdn` (normalized) answers its open message `message_id` with
/// `text`: "1" yes, "2" no (MC_ATTR_17). Whether a waiting request took the answer (`false`
/// when it was no longer open).
pub async fn sim_reply(
    gateway: &Gateway,
    msisdn: &str,
    message_id: &str,
    text: &str,
) -> Result<bool, SimulatorError> {
    let answer = text.trim();
    let approve = match answer {
        "1" => true,
        "2" => false,
        _ => return Err(SimulatorError::Invalid("answer 1 (yes) or 2 (no)".into())),
    };
    answer_sim_reply(gateway, msisdn, message_id, answer, approve)
        .await?
        .ok_or(SimulatorError::NotFound(
            "no open message with this id on this handset",
        ))
}
