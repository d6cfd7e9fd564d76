//! What every handler may use: the domain handle and what only the HTTP edge needs.

use crate::flows::Gateway;
use crate::http::limits::RateLimits;
use std::sync::Arc;

/// The router's state: a thin holder of the domain handle, plus the per-process rate limits
/// and whether the handset simulator is mounted.
#[derive(Debug, Clone)]
pub struct AppState {
    pub gateway: Gateway,
    /// Per-process rate limits of the token, CIBA and ACME endpoints.
    pub limits: Arc<RateLimits>,
    /// `--demo`: the handset simulator is mounted.
    pub simulator: bool,
    /// The longest a resource server request may take (Annex A timeout row past it).
    pub resource_deadline: std::time::Duration,
}

/// Handlers hand the domain handle to the flows (`&state` where a `&Gateway` is expected).
impl std::ops::Deref for AppState {
    type Target = Gateway;

    fn deref(&self) -> &Gateway {
        &self.gateway
    }
}
