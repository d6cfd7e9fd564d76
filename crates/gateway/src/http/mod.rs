//! The HTTPS server: explicit state, small handlers, errors as responses.

pub mod acme;
pub mod ciba;
pub mod code_flow;
pub mod device;
pub mod discovery;
pub mod error;
pub mod limits;
pub mod oauth;
pub mod openapi;
pub mod resource;
pub mod simulator;
pub mod state;
pub mod tokens;
pub mod wire;

pub use error::ApiError;

pub use state::AppState;

use axum::Router;
use axum::body::Bytes;
use axum::http::StatusCode;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router(state: AppState) -> Router {
    let (router, _) = crate::http::openapi::split(state.simulator);
    with_fallbacks(router).with_state(state)
}

/// 404 (no such path) and 405 (another method; axum adds `Allow`) answered only after the
/// request body is read. Answered before, hyper closes the connection when the body has not
/// all arrived yet, and a keep-alive client loses its next request (found by schemathesis).
pub fn with_fallbacks<S: Clone + Send + Sync + 'static>(router: Router<S>) -> Router<S> {
    router
        .method_not_allowed_fallback(|_: Bytes| async { StatusCode::METHOD_NOT_ALLOWED })
        .fallback(|_: Bytes| async { StatusCode::NOT_FOUND })
}

/// The authorization server's routes and the discovery documents.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(discovery::jwks))
        .routes(routes!(tokens::token))
        .routes(routes!(tokens::introspect))
        .routes(routes!(tokens::revoke))
        .routes(routes!(ciba::bc_authorize))
        .routes(routes!(code_flow::authorize))
        .routes(routes!(code_flow::wait))
        .routes(routes!(code_flow::consent_decision))
        .routes(routes!(discovery::discovery))
        .routes(routes!(discovery::openapi))
}

/// The handset simulator (`--demo`).
pub fn simulator_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(simulator::sim_messages))
        .routes(routes!(simulator::sim_reply))
}
