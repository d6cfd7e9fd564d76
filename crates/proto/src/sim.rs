//! The handset simulator (`/sim/handsets/{msisdn}/…`, mounted with `--demo`): what a
//! simulated handset received, and its reply. QA reads the ACME code's SMS there, and so
//! does the core (`assent enroll --sms-from simulator`).

use serde::{Deserialize, Serialize};

/// What kind of message a handset received.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum SimMessageKind {
    /// A USSD prompt (MC_ATTR_17).
    Ussd,
    /// An SMS: a prompt, or an `sms-link-00` code.
    Sms,
}

/// One message of `GET /sim/handsets/{msisdn}/messages` (a JSON array, oldest first).
/// Members in the order the gateway writes them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SimMessage {
    /// `m-…`, for the reply.
    pub id: String,
    pub kind: SimMessageKind,
    pub text: String,
    /// `gsm7`, `ucs2` or `utf8`.
    pub encoding: String,
    /// Characters (septets or UCS-2 units) the text takes.
    pub units: i64,
    /// RFC 3339.
    pub sent_at: String,
    /// Whether it still awaits a reply.
    pub open: bool,
}

/// `POST /sim/handsets/{msisdn}/reply`: the user answers an open prompt, `1` (yes) or `2`
/// (no). Unknown members are refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SimReply {
    pub message_id: String,
    pub text: String,
}

/// `200` to `POST /sim/handsets/{msisdn}/reply`: `accepted` is false when the request was no
/// longer open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SimReplyAnswer {
    pub accepted: bool,
    pub message_id: String,
}

/// `POST /sim/handsets/{msisdn}/dial`: the user dials a service code, such as the operator's
/// USSD self-care menu (`*123#`). Unknown members are refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SimDial {
    pub code: String,
}

/// A screen of a USSD session on the simulated handset: `200` to a dial, and to a reply on a
/// screen of the session. `end` is present, `true`, on the last screen (the session is over).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UssdScreen {
    /// `m-…`: the message to reply to.
    pub id: String,
    pub text: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub end: bool,
}
