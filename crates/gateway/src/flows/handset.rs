//! Reaching the user's handset: USSD and SMS senders are traits; the handset simulator (QA)
//! is one implementation, real network gateways would be others. The simulator's own
//! requests (the messages a handset received, the user's reply) are flows here too; their
//! HTTP side is `http::simulator`.

use crate::base::clock::Clock;
use crate::flows::Gateway;
pub use crate::rules::consent::OutgoingPrompt;
use crate::store::{NewSimMessage, Store, StoreError};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

pub type SendResult<'a> = Pin<Box<dyn Future<Output = Result<String, SendError>> + Send + 'a>>;

/// Why a message did not reach the handset network.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The network did not take it (the SMSC unreachable or refusing, a text it cannot
    /// carry): the request that needed it is answered "temporarily unavailable".
    #[error("the handset network did not take the message: {0}")]
    Network(String),
}

impl From<SendError> for crate::rules::oauth::OAuthError {
    fn from(error: SendError) -> Self {
        match error {
            SendError::Store(error) => error.into(),
            SendError::Network(why) => {
                tracing::error!(%why, "a prompt could not be sent");
                crate::rules::oauth::OAuthError::unavailable()
            }
        }
    }
}

/// A handset network (the simulator, an SMSC): records a message to handset `msisdn` on
/// `channel` (`ussd` or `sms`), hands it to the network and returns its id; `open` while it
/// waits for an answer. Every network is a [`UssdSender`] and an [`SmsSender`] through it.
pub trait Network: Send + Sync + std::fmt::Debug {
    fn deliver<'a>(
        &'a self,
        msisdn: &'a str,
        channel: &'static str,
        prompt: &'a OutgoingPrompt,
        open: bool,
    ) -> SendResult<'a>;
}

/// Sends a USSD prompt (MC_ATTR_17: authentication and consent in one interaction) and
/// returns the id of the message the answer will refer to.
pub trait UssdSender: Send + Sync + std::fmt::Debug {
    fn send_ussd<'a>(&'a self, msisdn: &'a str, prompt: &'a OutgoingPrompt) -> SendResult<'a>;
}

/// Sends an SMS (a prompt answered by reply, or a notification).
pub trait SmsSender: Send + Sync + std::fmt::Debug {
    fn send_sms<'a>(
        &'a self,
        msisdn: &'a str,
        prompt: &'a OutgoingPrompt,
        expects_reply: bool,
    ) -> SendResult<'a>;
}

/// How long the simulator keeps a message: its codes and prompts are in clear, and nothing
/// it holds is needed longer (a code lives 10 minutes, a prompt 5).
pub const SIM_MESSAGE_RETENTION_MS: i64 = 3_600_000;

/// The handset simulator: messages land in the database, where QA reads them at
/// `GET /sim/handsets/{msisdn}/messages` and answers at `POST …/reply`, for an hour.
#[derive(Debug, Clone)]
pub struct Simulator {
    pub store: Store,
    /// The gateway's clock: when a message was sent.
    pub clock: Arc<dyn Clock>,
}

/// Records a message to handset `msisdn` (the simulator shows it; an answer finds it) and
/// returns its id; messages older than [`SIM_MESSAGE_RETENTION_MS`] go.
pub async fn record_message(
    store: &Store,
    clock: &dyn Clock,
    msisdn: &str,
    kind: &str,
    prompt: &OutgoingPrompt,
    open: bool,
) -> Result<String, StoreError> {
    let sent_ms = clock.now_ms();
    let id = format!(
        "m-{}",
        crate::base::ids::new_token().get(..16).unwrap_or("0")
    );
    // RFC 3339 with the fraction of a second, as the simulator always showed it.
    let sent_at = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(sent_ms) * 1_000_000)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| (sent_ms / 1000).to_string());
    store
        .insert_sim_message(&NewSimMessage {
            id: id.clone(),
            msisdn: msisdn.to_owned(),
            kind: kind.to_owned(),
            text: prompt.text.clone(),
            encoding: prompt.encoding.clone(),
            units: prompt.units,
            sent_ms,
            sent_at,
            open,
        })
        .await?;
    store
        .purge_sim_messages(sent_ms - SIM_MESSAGE_RETENTION_MS)
        .await?;
    Ok(id)
}

impl Network for Simulator {
    fn deliver<'a>(
        &'a self,
        msisdn: &'a str,
        channel: &'static str,
        prompt: &'a OutgoingPrompt,
        open: bool,
    ) -> SendResult<'a> {
        Box::pin(async move {
            let clock = self.clock.as_ref();
            Ok(record_message(&self.store, clock, msisdn, channel, prompt, open).await?)
        })
    }
}

impl<N: Network> UssdSender for N {
    fn send_ussd<'a>(&'a self, msisdn: &'a str, prompt: &'a OutgoingPrompt) -> SendResult<'a> {
        self.deliver(msisdn, "ussd", prompt, true)
    }
}

impl<N: Network> SmsSender for N {
    fn send_sms<'a>(
        &'a self,
        msisdn: &'a str,
        prompt: &'a OutgoingPrompt,
        expects_reply: bool,
    ) -> SendResult<'a> {
        self.deliver(msisdn, "sms", prompt, expects_reply)
    }
}

/// A network (the simulator, an SMSC) with every message counted by channel and outcome for
/// the metrics (`assent_messages_total{channel, outcome}`); `sent` once the network took it,
/// `failed` when it did not.
#[derive(Debug)]
pub struct Metered<N>(pub N);

fn counted<'a>(channel: &'static str, sending: SendResult<'a>) -> SendResult<'a> {
    Box::pin(async move {
        let sent = sending.await;
        let outcome = if sent.is_ok() { "sent" } else { "failed" };
        metrics::counter!("assent_messages_total", "channel" => channel, "outcome" => outcome)
            .increment(1);
        sent
    })
}

impl<N: UssdSender> UssdSender for Metered<N> {
    fn send_ussd<'a>(&'a self, msisdn: &'a str, prompt: &'a OutgoingPrompt) -> SendResult<'a> {
        counted("ussd", self.0.send_ussd(msisdn, prompt))
    }
}

impl<N: SmsSender> SmsSender for Metered<N> {
    fn send_sms<'a>(
        &'a self,
        msisdn: &'a str,
        prompt: &'a OutgoingPrompt,
        expects_reply: bool,
    ) -> SendResult<'a> {
        counted("sms", self.0.send_sms(msisdn, prompt, expects_reply))
    }
}

/// Why the handset simulator refused a request.
#[derive(Debug, thiserror::Error)]
pub enum SimulatorError {
    /// The number, the body or the answer is not what the simulator takes.
    #[error("{0}")]
    Invalid(String),
    /// No such handset, or no open message with this id on it.
    #[error("{0}")]
    NotFound(&'static str),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A self-care screen that does not fit one USSD interaction: a defect, not the user's.
    #[error(transparent)]
    Menu(#[from] assent_prompt::menu::MenuError),
}

/// The simulated handset's number: E.164, `+` optional.
pub fn handset_number(msisdn: &str) -> Result<String, SimulatorError> {
    crate::base::msisdn::normalize_msisdn(msisdn)
        .ok_or_else(|| SimulatorError::Invalid("not an E.164 number".into()))
}

/// What the simulated handset `msisdn` received, oldest first.
pub async fn sim_messages(
    gateway: &Gateway,
    msisdn: &str,
) -> Result<Vec<assent_proto::sim::SimMessage>, SimulatorError> {
    let msisdn = handset_number(msisdn)?;
    if gateway.store.user_by_msisdn(&msisdn).await?.is_none() {
        return Err(SimulatorError::NotFound("no such handset"));
    }
    let messages = gateway.store.sim_messages(&msisdn).await?;
    Ok(messages
        .into_iter()
        .map(|m| assent_proto::sim::SimMessage {
            id: m.id,
            // The simulator writes `ussd` for USSD prompts and `sms` for everything else.
            kind: if m.kind == "ussd" {
                assent_proto::sim::SimMessageKind::Ussd
            } else {
                assent_proto::sim::SimMessageKind::Sms
            },
            text: m.text,
            encoding: m.encoding,
            units: m.units,
            sent_at: m.sent_at,
            open: m.open,
        })
        .collect())
}
