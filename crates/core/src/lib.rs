//! # assent-core
//!
//! The Assent app's brain without a UI, shared by the Tauri app and the `assent` command:
//! the ACME client that proves control of the user's number, reading the SMS code, and (in
//! later steps) the consent inbox, grants, audit history and the keyring.

pub mod acme_client;
pub mod device_client;
pub mod sms_code;
