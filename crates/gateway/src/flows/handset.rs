//! Reaching the user's handset: USSD and SMS senders are traits; the handset simulator (QA)
//! is one implementation, real network gateways would be others.

pub use crate::rules::consent::OutgoingPrompt;
use crate::store::{NewSimMessage, Store, StoreError};
use std::future::Future;
use std::pin::Pin;

pub type SendResult<'a> = Pin<Box<dyn Future<Output = Result<String, StoreError>> + Send + 'a>>;

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

/// The handset simulator: messages land in the database, where QA reads them at
/// `GET /sim/handsets/{msisdn}/messages` and answers at `POST …/reply`.
#[derive(Debug, Clone)]
pub struct Simulator {
    pub store: Store,
}

impl Simulator {
    async fn deliver(
        &self,
        msisdn: &str,
        kind: &str,
        prompt: &OutgoingPrompt,
        open: bool,
    ) -> Result<String, StoreError> {
        let now = time::OffsetDateTime::now_utc();
        let id = format!(
            "m-{}",
            crate::base::ids::new_token().get(..16).unwrap_or("0")
        );
        let sent_at = now
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_else(|_| now.unix_timestamp().to_string());
        self.store
            .insert_sim_message(&NewSimMessage {
                id: id.clone(),
                msisdn: msisdn.to_owned(),
                kind: kind.to_owned(),
                text: prompt.text.clone(),
                encoding: prompt.encoding.clone(),
                units: prompt.units,
                sent_ms: crate::base::clock::now_ms(),
                sent_at,
                open,
            })
            .await?;
        Ok(id)
    }
}

impl UssdSender for Simulator {
    fn send_ussd<'a>(&'a self, msisdn: &'a str, prompt: &'a OutgoingPrompt) -> SendResult<'a> {
        Box::pin(self.deliver(msisdn, "ussd", prompt, true))
    }
}

impl SmsSender for Simulator {
    fn send_sms<'a>(
        &'a self,
        msisdn: &'a str,
        prompt: &'a OutgoingPrompt,
        expects_reply: bool,
    ) -> SendResult<'a> {
        Box::pin(self.deliver(msisdn, "sms", prompt, expects_reply))
    }
}
