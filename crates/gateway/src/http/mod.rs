//! The HTTPS server: explicit state, small handlers, errors as responses.

pub mod acme;
pub mod ciba;
pub mod code_flow;
pub mod device;
pub mod discovery;
pub mod error;
pub mod grants;
pub mod limits;
pub mod oauth;
pub mod openapi;
pub mod resource;
pub mod simulator;
pub mod ssf;
pub mod state;
pub mod tokens;
pub mod wire;

pub use error::ApiError;

pub use state::AppState;

use axum::Router;
use axum::body::Bytes;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router(state: AppState) -> Router {
    let (router, _) = crate::http::openapi::split(state.simulator);
    with_fallbacks(router.route_layer(axum::middleware::from_fn(count_request))).with_state(state)
}

/// Counts every routed request by its route's template (never the path requested: a path
/// may carry a number), method and status, and times it to its response's head
/// (`crate::app::metrics`; nothing is kept unless metrics are served).
async fn count_request(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let route = request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |path| path.as_str().to_owned());
    let method = request.method().as_str().to_owned();
    let started = std::time::Instant::now();
    let response = next.run(request).await;
    metrics::counter!("assent_http_requests_total", "route" => route.clone(),
        "method" => method, "status" => response.status().as_u16().to_string())
    .increment(1);
    metrics::histogram!("assent_http_request_duration_seconds", "route" => route)
        .record(started.elapsed().as_secs_f64());
    response
}

/// The largest request body read, on every route: a larger one is answered 413 before its
/// handler runs. The largest legitimate bodies are JWS-wrapped ACME requests (a finalize's
/// CSR, a `revoke-cert`'s certificate, certbot's RSA account key) and a device registration
/// with its certificate chain, JWK and assertion: every flow of the tests passes with the
/// limit at 4 KiB, so 64 KiB leaves sixteen times that. SPs are registered by the operator's
/// command, not over HTTP. axum's default (2 MiB) let any client make the gateway buffer
/// 2 MiB per request.
pub const MAX_REQUEST_BODY: usize = 64 * 1024;

/// What every router ends with (the gateway's and the stand-alone resource server's): the
/// body limit, and 404 (no such path) and 405 (another method; axum adds `Allow`) answered
/// only after the request body is read. Answered before, hyper closes the connection when
/// the body has not all arrived yet, and a keep-alive client loses its next request (found
/// by schemathesis).
pub fn with_fallbacks<S: Clone + Send + Sync + 'static>(router: Router<S>) -> Router<S> {
    router
        .method_not_allowed_fallback(|_: Bytes| async { StatusCode::METHOD_NOT_ALLOWED })
        .fallback(|_: Bytes| async { StatusCode::NOT_FOUND })
        // Every handler reads its body as `Bytes`, which keeps this limit: 413 beyond it.
        .layer(DefaultBodyLimit::max(MAX_REQUEST_BODY))
}

/// The authorization server's routes and the discovery documents.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(discovery::jwks))
        .routes(routes!(tokens::token))
        .routes(routes!(tokens::introspect))
        .routes(routes!(tokens::revoke))
        .routes(routes!(grants::query_grant, grants::revoke_grant))
        .routes(routes!(ssf::configuration))
        .routes(routes!(
            ssf::create_stream,
            ssf::read_stream,
            ssf::update_stream,
            ssf::replace_stream,
            ssf::delete_stream
        ))
        .routes(routes!(ssf::read_status, ssf::update_status))
        .routes(routes!(ssf::verify))
        .routes(routes!(ssf::poll))
        .routes(routes!(ciba::bc_authorize))
        .routes(routes!(code_flow::authorize))
        .routes(routes!(code_flow::par))
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
        .routes(routes!(simulator::sim_dial))
}
