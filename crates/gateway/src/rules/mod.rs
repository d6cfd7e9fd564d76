//! Protocol rules without I/O: they take values (and the time) and return values or typed
//! errors. Nothing here reads a clock, a file, the network or the database; `rules` and
//! `store` do not import each other.

pub mod acme;
pub mod catalog;
pub mod checkpoint;
pub mod ciba;
pub mod code_flow;
pub mod consent;
pub mod device;
pub mod dpop;
pub mod encr_msisdn;
pub mod grant_management;
pub mod idtoken;
pub mod introspection;
pub mod kyc_match;
pub mod notice;
pub mod oauth;
pub mod receipt;
pub mod resource;
pub mod self_care;
pub mod sp_jwt;
pub mod ssf;
pub mod subscriber;
