//! The gateway's flows without HTTP: each test drives a flow through the domain handle
//! ([`assent_gateway::flows::Gateway`]) over a real store (SQLite in a temporary directory)
//! with a fixed clock it moves by hand, and checks the outcome the specs require. The
//! black-box suites beside this one drive the same flows through the real binary over TLS.
//!
//! One test binary for every flow (one link instead of one per file); a module per flow.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod acme;
mod ciba;
mod code_flow;
mod device;
mod refresh;
mod resource;
mod support;
mod tokens;
