//! # assent-proto
//!
//! The typed wire contract between the gateway (`assent-gateway`) and the app core
//! (`assent-core`, and through it the app and the `assent` command): every JSON body that
//! crosses between them, as serde types. The gateway serializes them, the core deserializes
//! them (and the other way round for requests), and nobody indexes a `serde_json::Value` for
//! them.
//!
//! | module | what |
//! |---|---|
//! | [`device`] | the device API (`/device/…`): registration, tokens, the inbox, decisions, grants, flags, notifications, the audit page |
//! | [`jwt`] | the claims of the JWTs the device signs (assertions, DPoP proofs, decisions) and of the gateway's signed audit head |
//! | [`sim`] | the handset simulator (`/sim/handsets/…`, `--demo`), which the core reads for QA |
//! | [`OAuthError`] | the error body of the device API and the simulator (RFC 6749 §5.2) |
//! | [`acme`] | the ACME objects and payloads: `assent-acme`'s own types, re-exported |
//! | [`audit`] | audit entries and the user's export: `assent-audit`'s own types, re-exported |
//! | [`prompt`] | a prompt's content and device profiles: `assent-prompt`'s wire types, re-exported |
//!
//! The contract is today's JSON, exactly: the same members, the same rules for a member
//! that is `null` and one that is absent, the same numbers. Members of bodies the gateway
//! writes with `serde_json::json!` are declared in lexicographic order, the order in which
//! `serde_json`'s default map has always written them, so the bytes do not change either.
//!
//! Feature `openapi` derives `utoipa::ToSchema` (the gateway's OpenAPI description; see
//! [`openapi::Schemas`]); feature `ts` derives `ts_rs::TS` (the UI's TypeScript bindings,
//! generated in the app shell's tests). No I/O.

pub mod device;
mod error;
pub mod jwt;
#[cfg(feature = "openapi")]
pub mod openapi;
pub mod sim;

pub use error::OAuthError;

/// Reads a member as `T` when it can, else as `None` (it is still consumed): for members a
/// reader may do without, so that one it cannot read does not make the whole body unreadable.
fn lenient<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    use serde::Deserialize;
    let value = Option::<serde_json::Value>::deserialize(deserializer)?;
    Ok(value.and_then(|v| serde_json::from_value(v).ok()))
}

/// The ACME objects and request payloads (RFC 8555) and problem documents (RFC 7807):
/// `assent-acme`'s types, which the gateway's ACME server writes and the core's ACME client
/// reads.
pub mod acme {
    pub use assent_acme::objects::*;
    pub use assent_acme::problem::ProblemDocument;
}

/// The audit trail's entries and the user's export (MC_ATTR_31, MC_ATTR_32):
/// `assent-audit`'s types.
pub mod audit {
    pub use assent_audit::{AuditEntry, EntryKind, NewEntry, UserExport};
}

/// What a prompt says and the device profiles it is rendered for: `assent-prompt`'s wire
/// types (MC_ATTR_10..17).
pub mod prompt {
    pub use assent_prompt::wire::{PromptContent, WireAttribute, WireDevice, WirePresentation};
}
