//! # assent-acme
//!
//! The ACME (RFC 8555) wire rules Assent needs for proving control of a telephone number:
//! the `TNAuthList` identifier (RFC 9448, RFC 8226), the `sms-link-00` challenge, JWS request
//! bodies, replay nonces, problem documents, CSRs and certificates. No I/O: the gateway's
//! ACME server and the app core's ACME client both build on it.

pub mod cert;
pub mod csr;
pub mod jws;
pub mod nonce;
pub mod objects;
pub mod problem;
pub mod sms_link;
pub mod tnauthlist;
