//! The authenticator chain (MC_ATTR_04): the gateway — never the SP's `acr_values` — picks
//! how to reach the user, from the level of assurance the requested services need and the
//! authenticators the user has registered, in the user's order of preference.
//!
//! Each authenticator says how strong it is, what device its prompt must fit and how to
//! send it. USSD and SMS are here; the Assent app plugs in as one more implementation of
//! [`Authenticator`] (its prompt goes to the device's inbox of the self-care device API and
//! the answer comes back signed by the device key), without changing the flows.

use crate::base::clock::Clock;
use crate::flows::handset::{OutgoingPrompt, SendResult, SmsSender, UssdSender};
use assent_prompt::{DeviceKind, DeviceProfile, Encoding};
use std::sync::Arc;

/// One way of reaching the user on the Authentication Device.
pub trait Authenticator: Send + Sync + std::fmt::Debug {
    /// The name recorded with requests, consents and audit entries (`ussd`, `sms`, `app`).
    fn name(&self) -> &'static str;
    /// The level of assurance it reaches (MC_ATTR_04).
    fn loa(&self) -> u8;
    /// The device its prompts must fit.
    fn device(&self) -> DeviceProfile;
    /// Sends a prompt that expects an answer; returns the id the answer will refer to.
    fn send_prompt<'a>(&'a self, msisdn: &'a str, prompt: &'a OutgoingPrompt) -> SendResult<'a>;
}

/// USSD: one interaction carries authentication and consent (MC_ATTR_17), answered `1`/`2`.
#[derive(Debug, Clone)]
pub struct Ussd(pub Arc<dyn UssdSender>);

impl Authenticator for Ussd {
    fn name(&self) -> &'static str {
        "ussd"
    }

    fn loa(&self) -> u8 {
        2
    }

    /// A feature phone's USSD dialog: 30 columns, 8 rows, GSM 7-bit or UCS-2.
    fn device(&self) -> DeviceProfile {
        DeviceProfile {
            kind: DeviceKind::Ussd,
            columns: Some(30),
            rows: Some(8),
            max_bytes: None,
            encodings: vec![Encoding::Gsm7, Encoding::Ucs2],
        }
    }

    fn send_prompt<'a>(&'a self, msisdn: &'a str, prompt: &'a OutgoingPrompt) -> SendResult<'a> {
        self.0.send_ussd(msisdn, prompt)
    }
}

/// SMS: the prompt arrives as a text message and the user answers by replying `1` or `2`.
#[derive(Debug, Clone)]
pub struct Sms(pub Arc<dyn SmsSender>);

/// One SMS segment's user data (140 octets: 160 GSM 7-bit characters or 70 UCS-2 units).
const SMS_SEGMENT_OCTETS: usize = 140;

impl Authenticator for Sms {
    fn name(&self) -> &'static str {
        "sms"
    }

    fn loa(&self) -> u8 {
        2
    }

    /// The handset wraps the text itself; the prompt must fit one segment.
    fn device(&self) -> DeviceProfile {
        DeviceProfile {
            kind: DeviceKind::Sms,
            columns: None,
            rows: None,
            max_bytes: Some(SMS_SEGMENT_OCTETS),
            encodings: vec![Encoding::Gsm7, Encoding::Ucs2],
        }
    }

    fn send_prompt<'a>(&'a self, msisdn: &'a str, prompt: &'a OutgoingPrompt) -> SendResult<'a> {
        self.0.send_sms(msisdn, prompt, true)
    }
}

/// The Assent app: the prompt waits in the inbox of the user's registered devices (the
/// self-care device API) and the answer comes back signed by a device key. LoA 3: the
/// device holds a key certified for the number, and the decision is signed over the exact
/// text shown.
#[derive(Debug, Clone)]
pub struct App {
    pub store: crate::store::Store,
    /// The gateway's clock: when a prompt reached the inbox.
    pub clock: Arc<dyn Clock>,
}

impl Authenticator for App {
    fn name(&self) -> &'static str {
        "app"
    }

    fn loa(&self) -> u8 {
        3
    }

    /// The app's screen: no wrapping of ours (the app lays the text out), UTF-8.
    fn device(&self) -> DeviceProfile {
        DeviceProfile {
            kind: DeviceKind::Screen,
            columns: None,
            rows: None,
            max_bytes: None,
            encodings: vec![Encoding::Utf8],
        }
    }

    fn send_prompt<'a>(&'a self, msisdn: &'a str, prompt: &'a OutgoingPrompt) -> SendResult<'a> {
        Box::pin(async move {
            let user = self
                .store
                .user_by_msisdn(msisdn)
                .await?
                .ok_or_else(|| crate::store::StoreError::Database(sqlx::Error::RowNotFound))?;
            let message_id = crate::base::ids::new_id("p");
            self.store
                .insert_app_prompt(&crate::store::AppPrompt {
                    message_id: message_id.clone(),
                    user_id: user.id,
                    text: prompt.text.clone(),
                    content: prompt
                        .content
                        .as_ref()
                        .and_then(|c| serde_json::to_string(c).ok()),
                    created_ms: self.clock.now_ms(),
                    answered_ms: None,
                })
                .await?;
            Ok(message_id)
        })
    }
}

/// The authenticators this gateway can use.
#[derive(Debug, Clone)]
pub struct Chain {
    authenticators: Vec<Arc<dyn Authenticator>>,
}

impl Chain {
    pub fn new(authenticators: Vec<Arc<dyn Authenticator>>) -> Self {
        Chain { authenticators }
    }

    /// The first of the user's `registered` authenticators (in the user's order) that this
    /// gateway has and that reaches `required_loa`; `None` when none does.
    pub fn choose(&self, registered: &[String], required_loa: u8) -> Option<&dyn Authenticator> {
        registered.iter().find_map(|name| {
            self.authenticators
                .iter()
                .find(|a| a.name() == name && a.loa() >= required_loa)
                .map(|a| a.as_ref())
        })
    }

    /// The level of assurance of the authenticator named `name`, if this gateway has it.
    pub fn loa_of(&self, name: &str) -> Option<u8> {
        self.authenticators
            .iter()
            .find(|a| a.name() == name)
            .map(|a| a.loa())
    }

    /// The names of the authenticators this gateway has (for operator input checks).
    pub fn names(&self) -> Vec<&'static str> {
        self.authenticators.iter().map(|a| a.name()).collect()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[derive(Debug)]
    struct Fake(&'static str, u8);

    impl Authenticator for Fake {
        fn name(&self) -> &'static str {
            self.0
        }
        fn loa(&self) -> u8 {
            self.1
        }
        fn device(&self) -> DeviceProfile {
            DeviceProfile::phone()
        }
        fn send_prompt<'a>(&'a self, _: &'a str, _: &'a OutgoingPrompt) -> SendResult<'a> {
            Box::pin(async { Ok(String::new()) })
        }
    }

    fn chain() -> Chain {
        Chain::new(vec![
            Arc::new(Fake("ussd", 2)),
            Arc::new(Fake("sms", 2)),
            Arc::new(Fake("app", 3)),
        ])
    }

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn mc_attr_04_the_user_s_order_decides_among_strong_enough_authenticators() {
        let chain = chain();
        let pick =
            |registered: &[&str], loa| chain.choose(&names(registered), loa).map(|a| a.name());
        assert_eq!(pick(&["ussd", "sms"], 2), Some("ussd"));
        assert_eq!(pick(&["sms", "ussd"], 2), Some("sms"));
        // A service that needs LoA 3 skips what cannot reach it.
        assert_eq!(pick(&["ussd", "app"], 3), Some("app"));
        assert_eq!(pick(&["ussd", "sms"], 3), None);
        // Unknown names (an authenticator this gateway lacks) are skipped.
        assert_eq!(pick(&["carrier-pigeon", "sms"], 2), Some("sms"));
        assert_eq!(pick(&[], 2), None);
    }
}
