//! The gateway's flows: what happens for each request, over the rules and the store.

pub mod acme;
pub mod admin;
pub mod authenticator;
pub mod ciba;
pub mod code_flow;
pub mod consent;
pub mod demo;
pub mod device;
pub mod handset;
pub mod hints;
pub mod issue;
pub mod notify;
pub mod oauth;
pub mod refresh;
pub mod resource;
pub mod tokens;
