//! The gateway's flows: what happens for each request, over the rules and the store.

pub mod acme;
pub mod admin;
pub mod answers;
pub mod authenticator;
pub mod care;
pub mod ciba;
pub mod client_auth;
pub mod code_flow;
pub mod consent;
pub mod demo;
pub mod device;
pub mod dpop;
pub mod expiry;
pub mod grants;
pub mod handset;
pub mod hints;
pub mod issue;
pub mod kyc_match;
pub mod notices;
pub mod notify;
pub mod refresh;
pub mod resource;
pub mod self_care;
pub mod smsc;
pub mod ssf;
pub mod subscribers;
pub mod tokens;

use crate::base::clock::Clock;
use crate::base::keys::SigningKeys;
use crate::rules::catalog::Catalog;
use crate::rules::encr_msisdn::EncryptionKey;
use crate::rules::idtoken::PcrSecret;
use crate::store::Store;
use std::sync::Arc;

/// The domain handle: everything a flow may use, and nothing of HTTP. The HTTP layer holds
/// one (with its rate limits beside it); tests build one over a real store and a
/// [`crate::base::clock::FixedClock`].
#[derive(Debug, Clone)]
pub struct Gateway {
    pub store: Store,
    /// Where every flow reads the time.
    pub clock: Arc<dyn Clock>,
    pub keys: SigningKeys,
    /// The key ENCR_MSISDN login hints are encrypted to.
    pub encryption: Arc<EncryptionKey>,
    pub pcr: PcrSecret,
    /// The key of the DPoP nonces SPs' token requests carry (RFC 9449 §8).
    pub dpop_nonces: crate::rules::dpop::NonceKey,
    /// The issuer identifier: `https://HOST:PORT` as clients reach the gateway.
    pub issuer: String,
    pub catalog: Arc<Catalog>,
    /// How users are reached (MC_ATTR_04).
    pub authenticators: authenticator::Chain,
    /// Plain SMS (ACME codes), when the gateway has an SMS network.
    pub sms: Option<Arc<dyn handset::SmsSender>>,
    /// The ACME CA and the key of the codes' hashes.
    pub acme_ca: Arc<acme::AcmeCa>,
    /// CIBA ping/push delivery.
    pub deliveries: Arc<notify::Deliveries>,
    /// Shared Signals: the SET push worker's and the waiting polls' wake-ups.
    pub signals: Arc<ssf::Signals>,
    /// How long what the gateway issues lives.
    pub lifetimes: Lifetimes,
    /// Whether ACME codes may go to numbers that are no subscriber's (`--sms-to-any-number`).
    pub sms_to_any_number: bool,
    /// The USSD service code of the self-care menu (`--ussd-self-care-code`, `*123#`).
    pub ussd_self_care_code: String,
    /// The resource server's audit budget of refusals (per process).
    pub refusals: Arc<resource::RefusalAudit>,
    /// Copies of the rows hot requests read, valid while the read epoch holds
    /// ([`crate::store::cache`]; per process).
    pub reads: Arc<crate::store::ReadCache>,
}

/// How long what the gateway issues lives: `assent-gateway serve --certificate-lifetime`
/// and `--order-lifetime`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lifetimes {
    /// An ACME certificate, and with it the app authenticator of the device that holds its
    /// key: numbers are reassigned, so control of the number is proven again at least this
    /// often (seed 000 §1). At most 30 days (`assent_acme::cert::MAX_VALIDITY`).
    pub certificate_ms: i64,
    /// An ACME order and its authorization: the time to finish the SMS proof. Past it the
    /// order is `invalid` and no answer completes it (RFC 8555 §7.1.6).
    pub order_ms: i64,
    /// A refused device registration attempt (SEC-1), kept for the operator and then purged:
    /// anyone can make one.
    pub refused_registration_ms: i64,
    /// After a SIM change recorded for a number (`sim_change`), no proof of it completes for
    /// this long (`rules::acme::sim_swap_hold_until`).
    pub sim_swap_hold_ms: i64,
}

impl Default for Lifetimes {
    fn default() -> Self {
        Lifetimes {
            certificate_ms: 30 * 24 * 3_600_000,
            order_ms: 3_600_000,
            refused_registration_ms: 90 * 24 * 3_600_000,
            sim_swap_hold_ms: 24 * 3_600_000,
        }
    }
}

impl Gateway {
    /// Milliseconds since the epoch, by this gateway's clock.
    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }
}
