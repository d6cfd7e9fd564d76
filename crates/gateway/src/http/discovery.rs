//! Discovery: the OpenID Provider Metadata (OpenID Connect Discovery 1.0, CIBA §4), the JWK
//! Set and the OpenAPI document.
//!
//! The metadata document stays here rather than in a flow: it describes the HTTP surface
//! (the endpoints this router mounts, the client authentication methods `http::oauth`
//! accepts) and holds no decision of the domain beyond the issuer and the catalog's scopes,
//! which it reads from the domain handle. A route and its entry change in one layer.

use crate::http::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};

/// `GET /openapi.json`: this API's description (OpenAPI 3.1), generated from the handlers.
#[utoipa::path(get, path = "/openapi.json", tag = "discovery",
    responses((status = 200, description = "The OpenAPI document", content_type = "application/json", body = Object)))]
pub async fn openapi() -> Response {
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
pub async fn discovery(State(state): State<AppState>) -> Json<serde_json::Value> {
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
        // The Shared Signals transmitter's own metadata (SSF 1.0 §7.1) is at its well-known
        // address; named here so that one document leads to everything.
        "ssf_configuration_uri": format!("{issuer}/.well-known/ssf-configuration"),
        // CAMARA Know Your Customer Match, on the match service's data and consent rules.
        "camara_kyc_match_endpoint": format!("{issuer}/kyc-match/v1/match"),
        // RFC 9449 §5.1: any SP may bind its access tokens to a DPoP key; some must.
        "dpop_signing_alg_values_supported": ["ES256", "EdDSA"],
        // RFC 9126 §5: any SP may push; some must (their registration says so).
        "pushed_authorization_request_endpoint": format!("{issuer}/par"),
        "require_pushed_authorization_requests": false,
        // Grant Management for OAuth 2.0 §8: `{grant_management_endpoint}/{grant_id}`.
        "grant_management_endpoint": format!("{issuer}/grants"),
        "grant_management_actions_supported": crate::rules::grant_management::ACTIONS_SUPPORTED,
        "grant_management_action_required": false,
        "scopes_supported": state.catalog.scopes(),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "client_credentials", "refresh_token", crate::flows::ciba::CIBA_GRANT],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["ES256"],
        "token_endpoint_auth_methods_supported": auth_methods,
        "token_endpoint_auth_signing_alg_values_supported": crate::rules::sp_jwt::ALGORITHM_NAMES,
        "introspection_endpoint_auth_methods_supported": auth_methods,
        // RFC 9701 §7: answers as JWTs are signed, never encrypted.
        "introspection_signing_alg_values_supported": [crate::rules::introspection::SIGNING_ALG],
        "revocation_endpoint_auth_methods_supported": auth_methods,
        "code_challenge_methods_supported": ["S256"],
        "backchannel_token_delivery_modes_supported": ["poll", "ping", "push"],
        "backchannel_authentication_request_signing_alg_values_supported": [],
        "backchannel_user_code_parameter_supported": false,
        "login_hint_types_supported": ["MSISDN", "ENCR_MSISDN", "PCR"],
        "login_hint_encryption_alg_values_supported": crate::rules::encr_msisdn::ALGORITHMS,
        "login_hint_encryption_enc_values_supported": crate::rules::encr_msisdn::ENCRYPTIONS,
        "claims_parameter_supported": false,
        "request_parameter_supported": false,
        "request_uri_parameter_supported": false,
        "authorization_response_iss_parameter_supported": true,
        "mc_claims_parameter_supported": true,
    }))
}

/// `GET /jwks`: the key that signs ID tokens (`use: sig`) and the key ENCR_MSISDN login
/// hints are encrypted to (`use: enc`).
#[utoipa::path(get, path = "/jwks", tag = "discovery",
    responses((status = 200, description = "JWK Set (RFC 7517)", body = Object)))]
pub async fn jwks(State(state): State<AppState>) -> Json<serde_json::Value> {
    let mut set = state.keys.jwks();
    if let Some(keys) = set["keys"].as_array_mut() {
        keys.push(state.encryption.public_jwk());
    }
    Json(set)
}
