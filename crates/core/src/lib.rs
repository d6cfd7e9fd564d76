//! # assent-core
//!
//! The Assent app's brain without a UI, shared by the Tauri app and the `assent` command:
//! the ACME client that proves control of the user's number, reading the SMS code, the
//! resumable enrollment, the consent inbox rendered for this device, grants, the audit
//! history cached offline, settings, and secrets in the OS keyring. [`Assent`] is the
//! entry point: one method per thing a user does.

pub mod acme_client;
pub mod app;
pub mod checkpoint;
pub mod describe;
pub mod device_client;
pub mod enrollment;
pub mod history;
pub mod profile;
pub mod receipts;
pub mod secrets;
pub mod settings;
pub mod sms_code;
pub mod words;

pub use app::{Assent, ConsentCard, CoreError, Overrides};
pub use enrollment::{Enrollment, Step};
