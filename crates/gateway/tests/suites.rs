//! Every suite of the gateway but the HTTP-free flows (`tests/flows/`), in one test binary: a
//! module per file, each file named after what it tests. One binary links the gateway, sqlx,
//! reqwest and rustls once instead of once per file: twenty-six links of ~60 MB each cost a
//! clean CI build gigabytes of disk and minutes of linking.
//!
//! Run one suite with its module name as the filter:
//! `cargo test -p assent-gateway --test suites resource_rows::`.

mod common;

mod acme;
mod answer_atomicity;
mod audit_filters;
mod budgets;
mod ciba;
mod ciba_modes;
mod code_flow;
mod connections;
mod device;
mod dpop;
mod grant_management;
mod group_commit;
mod hardening;
mod jwt_introspection;
mod key_creation;
mod kyc_match;
mod layers;
mod lifetimes;
mod notices;
mod observability;
mod openapi;
mod operator;
mod par;
mod records;
mod refresh_race;
mod resource;
mod resource_refusals;
mod resource_rows;
mod scale_out;
mod self_care;
mod serve;
mod shared_signals;
mod smpp;
mod subscribers;
mod tokens;
mod transports;
mod unavailable;
