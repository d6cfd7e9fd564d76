//! # assent-gateway
//!
//! A GSMA Mobile Connect identity gateway that QA runs locally. This crate is the server
//! (`serve`) and its operator commands (`admin …`); the `assent-gateway` binary is a thin
//! command line over them.

pub mod app;
pub mod base;
pub mod flows;
pub mod http;
pub mod rules;
pub mod store;

pub use app::{
    GatewayError, ResourceServerOptions, ServeOptions, check_issuer, open_store, prepare_data_dir,
    serve, serve_resource,
};
