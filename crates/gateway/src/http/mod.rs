//! The HTTPS server: explicit state, small handlers, errors as responses.

pub mod error;
pub mod limits;
pub mod oauth;
pub mod openapi;
pub mod resource;
mod state;

pub use error::ApiError;

pub use state::AppState;

use crate::base::msisdn::normalize_msisdn;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
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
pub fn with_fallbacks<S: Clone + Send + Sync + 'static>(router: Router<S>) -> Router<S> {
    router
        .method_not_allowed_fallback(|_: Bytes| async { StatusCode::METHOD_NOT_ALLOWED })
        .fallback(|_: Bytes| async { StatusCode::NOT_FOUND })
}

/// The authorization server's routes and the discovery documents.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(jwks))
        .routes(routes!(crate::flows::tokens::token))
        .routes(routes!(crate::flows::tokens::introspect))
        .routes(routes!(crate::flows::tokens::revoke))
        .routes(routes!(crate::flows::ciba::bc_authorize))
        .routes(routes!(crate::flows::code_flow::authorize))
        .routes(routes!(crate::flows::code_flow::wait))
        .routes(routes!(crate::flows::code_flow::consent_decision))
        .routes(routes!(discovery))
        .routes(routes!(openapi))
}

/// The handset simulator (`--demo`).
pub fn simulator_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(sim_messages))
        .routes(routes!(sim_reply))
}

/// `GET /openapi.json`: this API's description (OpenAPI 3.1), generated from the handlers.
#[utoipa::path(get, path = "/openapi.json", tag = "discovery",
    responses((status = 200, description = "The OpenAPI document", content_type = "application/json", body = Object)))]
async fn openapi() -> Response {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        crate::http::openapi::served_json(),
    )
        .into_response()
}

/// `GET /.well-known/openid-configuration` (OpenID Connect Discovery 1.0 §3, CIBA §4).
/// It lists what this gateway implements, nothing more.
#[utoipa::path(get, path = "/.well-known/openid-configuration", tag = "discovery",
    responses((status = 200, description = "OpenID Provider Metadata", body = Object)))]
async fn discovery(State(state): State<AppState>) -> Json<serde_json::Value> {
    let issuer = &state.issuer;
    let auth_methods = [
        "client_secret_basic",
        "client_secret_post",
        "private_key_jwt",
    ];
    Json(serde_json::json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/authorize"),
        "token_endpoint": format!("{issuer}/token"),
        "backchannel_authentication_endpoint": format!("{issuer}/bc-authorize"),
        "jwks_uri": format!("{issuer}/jwks"),
        "userinfo_endpoint": format!("{issuer}/userinfo"),
        "premiuminfo_endpoint": format!("{issuer}/premiuminfo"),
        "introspection_endpoint": format!("{issuer}/introspect"),
        "revocation_endpoint": format!("{issuer}/revoke"),
        "scopes_supported": state.catalog.scopes(),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "client_credentials", "refresh_token", crate::flows::ciba::CIBA_GRANT],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["ES256"],
        "token_endpoint_auth_methods_supported": auth_methods,
        "token_endpoint_auth_signing_alg_values_supported": crate::rules::sp_jwt::ALGORITHM_NAMES,
        "introspection_endpoint_auth_methods_supported": auth_methods,
        "revocation_endpoint_auth_methods_supported": auth_methods,
        "code_challenge_methods_supported": ["S256"],
        "backchannel_token_delivery_modes_supported": ["poll", "ping", "push"],
        "backchannel_authentication_request_signing_alg_values_supported": [],
        "backchannel_user_code_parameter_supported": false,
        "login_hint_types_supported": ["MSISDN", "ENCR_MSISDN", "PCR"],
        "login_hint_encryption_alg_values_supported": crate::rules::encr_msisdn::ALGORITHMS,
        "login_hint_encryption_enc_values_supported": crate::rules::encr_msisdn::ENCRYPTIONS,
        "claims_parameter_supported": false,
        "mc_claims_parameter_supported": true,
    }))
}

/// `GET /jwks`: the key that signs ID tokens (`use: sig`) and the key ENCR_MSISDN login
/// hints are encrypted to (`use: enc`).
#[utoipa::path(get, path = "/jwks", tag = "discovery",
    responses((status = 200, description = "JWK Set (RFC 7517)", body = Object)))]
async fn jwks(State(state): State<AppState>) -> Json<serde_json::Value> {
    let mut set = state.keys.jwks();
    if let Some(keys) = set["keys"].as_array_mut() {
        keys.push(state.encryption.public_jwk());
    }
    Json(set)
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
