//! The operator's SMSC as the handset network (`serve --sms-transport smpp://…`, seed 000):
//! prompts, codes and notices go out as `submit_sm` through an [`assent_smpp`] session, and
//! what subscribers send back comes in as `deliver_sm` and goes where the simulator's
//! replies go:
//! - an SMS reply answers the SMS prompt open on that handset (an SMS names no message);
//!   when several are open, it answers none of them: a "1" meant for one must not approve
//!   another that arrived meanwhile (perhaps one the subscriber never asked for);
//! - a dialled code (USSD PSSR indication) opens the self-care menu; its screens go out as
//!   USSR requests, the last one as a PSSR response that ends the dialogue;
//! - a USSD answer (USSR confirm) moves the self-care dialogue on, or answers the USSD
//!   consent prompt (MC_ATTR_17: one interaction), after which a PSSR response ends it;
//! - a delivery receipt is recorded on the part of the message it reports.
//!
//! Each delivery is acknowledged to the SMSC only once what it carries is recorded; when the
//! store cannot be reached, the SMSC is asked to deliver it again.

use crate::base::clock::Clock;
use crate::flows::Gateway;
use crate::flows::handset::{
    Network, OutgoingPrompt, SendError, SendResult, SimulatorError, record_message,
};
use crate::rules::self_care::{ANSWER_TAKEN, DIALOGUE_ENDED, NO_SERVICE};
use crate::store::Store;
use assent_smpp::{Client, Inbound, MobileOriginated, Submission, UssdOp};
use std::sync::Arc;
use tokio::sync::mpsc;

/// The SMSC as the USSD and SMS sender.
#[derive(Debug, Clone)]
pub struct Smsc {
    pub store: Store,
    /// The gateway's clock: when a message was sent.
    pub clock: Arc<dyn Clock>,
    pub client: Client,
}

impl Smsc {
    async fn submit(
        &self,
        msisdn: &str,
        kind: &str,
        prompt: &OutgoingPrompt,
        open: bool,
    ) -> Result<String, SendError> {
        let network = |e: &dyn std::fmt::Display| SendError::Network(e.to_string());
        let (parts, ussd) = if kind == "ussd" {
            let part =
                assent_smpp::ussd_part(&prompt.text, &prompt.encoding).map_err(|e| network(&e))?;
            (vec![part], Some(UssdOp::UssrRequest))
        } else {
            let reference = self.client.next_reference();
            let parts = assent_smpp::sms_parts(&prompt.text, &prompt.encoding, reference)
                .map_err(|e| network(&e))?;
            (parts, None)
        };
        // Recorded before it goes: the answer may come back before the SMSC's response.
        let id =
            record_message(&self.store, self.clock.as_ref(), msisdn, kind, prompt, open).await?;
        let submission = Submission {
            to: msisdn.to_owned(),
            parts,
            // A USSD screen is answered in the dialogue; an SMS is worth a receipt.
            receipt: ussd.is_none(),
            ussd,
        };
        match self.client.submit(submission).await {
            Ok(smsc_ids) => {
                self.store
                    .record_submissions(&id, &smsc_ids, self.clock.now_ms())
                    .await?;
                Ok(id)
            }
            Err(error) => {
                // Nobody will answer a message that never left.
                self.store.close_sim_message(&id).await?;
                Err(network(&error))
            }
        }
    }
}

impl Network for Smsc {
    fn deliver<'a>(
        &'a self,
        msisdn: &'a str,
        channel: &'static str,
        prompt: &'a OutgoingPrompt,
        open: bool,
    ) -> SendResult<'a> {
        Box::pin(self.submit(msisdn, channel, prompt, open))
    }
}

/// A USSD screen to send in answer: its text, and whether it ends the dialogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Screen {
    pub text: String,
    pub end: bool,
}

impl Screen {
    fn last(text: &str) -> Self {
        Screen {
            text: text.to_owned(),
            end: true,
        }
    }
}

/// Serves what the SMSC delivers until the session ends.
pub async fn serve_inbound(gateway: Gateway, client: Client, mut inbound: mpsc::Receiver<Inbound>) {
    while let Some(delivery) = inbound.recv().await {
        match delivery {
            Inbound::Receipt(receipt, ack) => {
                let state = receipt.state.name();
                match gateway
                    .store
                    .record_receipt(&receipt.message_id, state, gateway.now_ms())
                    .await
                {
                    Ok(known) => {
                        metrics::counter!("assent_message_receipts_total", "state" => state)
                            .increment(1);
                        if !known {
                            tracing::debug!("a receipt for a message no longer kept");
                        }
                        ack.accept();
                    }
                    Err(error) => {
                        tracing::warn!(%error, "a delivery receipt could not be recorded");
                        ack.retry_later();
                    }
                }
            }
            Inbound::Message(message, ack) => match answer(&gateway, &message).await {
                Ok(reply) => {
                    ack.accept();
                    if let Some(screen) = reply {
                        let client = client.clone();
                        tokio::spawn(send_screen(client, message.from, screen));
                    }
                }
                Err(error) => {
                    // Nothing was recorded: the SMSC delivers it again later.
                    tracing::warn!(%error, "a message from a handset could not be taken");
                    ack.retry_later();
                }
            },
        }
    }
}

async fn send_screen(client: Client, to: String, screen: Screen) {
    let part = match assent_smpp::ussd_screen(&screen.text) {
        Ok(part) => part,
        Err(error) => {
            tracing::error!(%error, "a USSD screen could not be encoded");
            return;
        }
    };
    let ussd = Some(if screen.end {
        UssdOp::PssrResponse
    } else {
        UssdOp::UssrRequest
    });
    let submission = Submission {
        to: to.trim_start_matches('+').to_owned(),
        parts: vec![part],
        ussd,
        receipt: false,
    };
    let sent = client.submit(submission).await;
    let outcome = if sent.is_ok() { "sent" } else { "failed" };
    metrics::counter!("assent_messages_total", "channel" => "ussd", "outcome" => outcome)
        .increment(1);
    if let Err(error) = sent {
        tracing::warn!(%error, "a USSD screen could not be sent");
    }
}

/// What a text from a handset does, and the USSD screen it is answered with. `Err` only
/// when it could not be recorded (the SMSC is asked to deliver it again).
pub async fn answer(
    gateway: &Gateway,
    message: &MobileOriginated,
) -> Result<Option<Screen>, SimulatorError> {
    let Some(msisdn) = crate::base::msisdn::normalize_msisdn(&message.from) else {
        tracing::debug!("a message from an address that is no number");
        return Ok(None);
    };
    match message.ussd {
        None => {
            let open = gateway.store.open_messages(&msisdn, "sms", 2).await?;
            let outcome = match open.as_slice() {
                [] => "unmatched",
                [id] => {
                    match crate::flows::answers::sim_reply(gateway, &msisdn, id, &message.text)
                        .await
                    {
                        Ok(true) => "answered",
                        // Answered meanwhile, or neither 1 nor 2: the prompt stays as it is.
                        Ok(false) | Err(SimulatorError::NotFound(_)) => "unmatched",
                        Err(SimulatorError::Invalid(_)) => "unreadable",
                        Err(error) => return Err(error),
                    }
                }
                _ => "ambiguous",
            };
            metrics::counter!("assent_replies_total", "channel" => "sms", "outcome" => outcome)
                .increment(1);
            Ok(None)
        }
        Some(UssdOp::PssrIndication) => {
            match crate::flows::self_care::dial(gateway, &msisdn, &message.text).await {
                Ok(screen) => Ok(Some(Screen {
                    text: screen.text,
                    end: screen.end,
                })),
                Err(SimulatorError::NotFound(_)) => Ok(Some(Screen::last(NO_SERVICE))),
                Err(error) => Err(error),
            }
        }
        Some(UssdOp::UssrConfirm) => ussd_answer(gateway, &msisdn, &message.text).await,
        Some(_) => Ok(None),
    }
}

/// A USSD answer: to the self-care screen or the consent prompt waiting on the handset.
async fn ussd_answer(
    gateway: &Gateway,
    msisdn: &str,
    text: &str,
) -> Result<Option<Screen>, SimulatorError> {
    // A handset has one USSD dialogue at a time: the answer is to the newest screen.
    let Some(id) = gateway
        .store
        .open_messages(msisdn, "ussd", 1)
        .await?
        .into_iter()
        .next()
    else {
        return Ok(Some(Screen::last(DIALOGUE_ENDED)));
    };
    match crate::flows::self_care::reply(gateway, msisdn, &id, text).await {
        Ok(Some(screen)) => {
            return Ok(Some(Screen {
                text: screen.text,
                end: screen.end,
            }));
        }
        Ok(None) => {} // not a self-care screen: a consent prompt
        Err(SimulatorError::NotFound(_)) => return Ok(Some(Screen::last(DIALOGUE_ENDED))),
        Err(error) => return Err(error),
    }
    match crate::flows::answers::sim_reply(gateway, msisdn, &id, text).await {
        Ok(true) => Ok(Some(Screen::last(ANSWER_TAKEN))),
        Ok(false) | Err(SimulatorError::NotFound(_)) => Ok(Some(Screen::last(DIALOGUE_ENDED))),
        // Neither 1 nor 2: the same prompt again, still open.
        Err(SimulatorError::Invalid(_)) => {
            let prompt = gateway
                .store
                .sim_messages(msisdn)
                .await?
                .into_iter()
                .find(|m| m.id == id)
                .map(|m| m.text);
            Ok(Some(match prompt {
                Some(text) => Screen { text, end: false },
                None => Screen::last(DIALOGUE_ENDED),
            }))
        }
        Err(error) => Err(error),
    }
}
