//! The HTTPS server: explicit state, small handlers, errors as responses.

pub mod code_flow;
pub mod discovery;
pub mod error;
pub mod limits;
pub mod oauth;
pub mod openapi;
mod state;
pub mod tokens;

pub use error::ApiError;

pub use state::AppState;

use crate::base::msisdn::normalize_msisdn;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Json, Router};

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router(state: AppState) -> Router {
    let (router, _) = crate::http::openapi::split(state.simulator);
    with_fallbacks(router).with_state(state)
}

/// 404 (no such path) and 405 (another method; axum adds `Allow`) answered only after the
/// request body is read. Answered before, hyper closes the connection when the body has not
/// all arrived yet, and a keep-alive client loses its next request (found by schemathesis).
pub fn with_fallbacks(router: Router<AppState>) -> Router<AppState> {
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
        .routes(routes!(crate::flows::ciba::bc_authorize))
        .routes(routes!(code_flow::authorize))
        .routes(routes!(code_flow::wait))
        .routes(routes!(code_flow::consent_decision))
        .routes(routes!(discovery::discovery))
        .routes(routes!(discovery::openapi))
}

/// The handset simulator (`--demo`).
pub fn simulator_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(sim_messages))
        .routes(routes!(sim_reply))
}

/// `GET /sim/handsets/{msisdn}/messages`: what the simulated handset received, oldest first.
#[utoipa::path(get, path = "/sim/handsets/{msisdn}/messages", tag = "simulator",
    params(("msisdn" = String, Path, description = "E.164 number, `+` optional")),
    responses(
        (status = 200, description = "Messages, oldest first", body = Vec<crate::store::SimMessage>),
        (status = 400, description = "Not an E.164 number", body = crate::http::openapi::wire::OAuthError),
        (status = 404, description = "No such handset", body = crate::http::openapi::wire::OAuthError),
        (status = 503, description = "Database unreachable", body = crate::http::openapi::wire::OAuthError),
    ))]
async fn sim_messages(
    State(state): State<AppState>,
    Path(msisdn): Path<String>,
) -> Result<Json<Vec<crate::store::SimMessage>>, ApiError> {
    let Some(msisdn) = normalize_msisdn(&msisdn) else {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "not an E.164 number",
        ));
    };
    if state.store.user_by_msisdn(&msisdn).await?.is_none() {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "no such handset",
        ));
    }
    Ok(Json(state.store.sim_messages(&msisdn).await?))
}

/// `POST /sim/handsets/{msisdn}/reply` with `{"message_id": "...", "text": "1"}`: the user
/// answers an open USSD or SMS prompt on the simulated handset ("1" yes, "2" no).
#[utoipa::path(post, path = "/sim/handsets/{msisdn}/reply", tag = "simulator",
    params(("msisdn" = String, Path, description = "E.164 number, `+` optional")),
    request_body(content = crate::http::openapi::wire::SimReply, content_type = "application/json"),
    responses(
        (status = 200, description = "`{message_id, accepted}`: accepted is false when the request was no longer open", body = Object),
        (status = 400, description = "Not an E.164 number, a malformed body or an answer other than 1 or 2", body = crate::http::openapi::wire::OAuthError),
        (status = 404, description = "No open message with this id on this handset", body = crate::http::openapi::wire::OAuthError),
        (status = 503, description = "Database unreachable", body = crate::http::openapi::wire::OAuthError),
    ))]
async fn sim_reply(
    State(state): State<AppState>,
    Path(msisdn): Path<String>,
    body: Bytes,
) -> Result<Json<serde_json::Value>, ApiError> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Reply {
        message_id: String,
        text: String,
    }
    let msisdn = normalize_msisdn(&msisdn).ok_or_else(|| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "not an E.164 number",
        )
    })?;
    let reply: Reply = serde_json::from_slice(&body).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            format!("expected {{\"message_id\", \"text\"}}: {e}"),
        )
    })?;
    let approve = match reply.text.trim() {
        "1" => true,
        "2" => false,
        _ => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "answer 1 (yes) or 2 (no)",
            ));
        }
    };
    let Some(applied) = crate::flows::consent::answer_sim_reply(
        &state,
        &msisdn,
        &reply.message_id,
        reply.text.trim(),
        approve,
    )
    .await?
    else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "no open message with this id on this handset",
        ));
    };
    Ok(Json(
        serde_json::json!({"message_id": reply.message_id, "accepted": applied}),
    ))
}
