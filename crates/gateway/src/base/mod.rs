//! The bottom layer: what every other layer may use and which uses none of them — time,
//! identifiers, number normalization, and the key material read from the data directory.

pub mod checkpoints;
pub mod clock;
pub mod demo;
pub mod ids;
pub mod keys;
pub mod model;
pub mod msisdn;
pub mod outbound;
pub mod secrets;
pub mod tls;
