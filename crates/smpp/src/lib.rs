//! SMS and USSD over SMPP 3.4, the path seed 000 names between an identity gateway and the
//! operator's SMSC.
//!
//! - [`endpoint`] reads the `smpp://SYSTEM_ID:PASSWORD@HOST:PORT?…` address (sans-I/O).
//! - [`message`] turns a rendered text into `submit_sm` parts — `data_coding` 0 with
//!   unpacked GSM 7-bit septets or 8 with UCS-2, a user data header for concatenation and
//!   national shift tables — and reads mobile-originated texts and delivery receipts back
//!   (sans-I/O: bytes in, bytes out, unit-tested on their own).
//! - [`session`] is the I/O edge: one transceiver bind kept alive with `enquire_link`,
//!   re-established with backoff, a window of outstanding submits, resubmission after
//!   `ESME_RTHROTTLED` or a lost connection, and what the SMSC delivers handed over with an
//!   acknowledgement the caller gives once it has recorded it.
//!
//! The PDUs themselves are `rusmpp`'s (codec and types); what is written here is what no
//! crate does for us: the session's timers, window and resubmission (`rusmppc` neither
//! reconnects nor resubmits, and would bring its own resolver and TLS stacks), and the
//! segmentation that must agree, segment for segment, with the prompt renderer's budgets.

pub mod endpoint;
pub mod message;
pub mod session;

pub use endpoint::{Endpoint, EndpointError};
pub use message::{
    DeliveryState, MessageError, Part, Receipt, UssdOp, sms_parts, ussd_part, ussd_screen,
};
pub use session::{Ack, Client, Inbound, Link, MobileOriginated, Submission, SubmitError};
