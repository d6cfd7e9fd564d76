//! The Mobile Connect Resource Server (IDY.03 §5–6, §8.2; seed 003): `premiuminfo_endpoint`
//! serves every attribute service the token's scopes name (MC_RES_01), `userinfo_endpoint`
//! the OIDC standard claims; both over GET and POST (MC_RES_03) with a bearer token
//! (MC_RES_04). Wire rules live in [`wire`] and answers in [`claims`] (`rules::resource`), both without I/O;
//! this module looks things up, decides, audits and notifies.
//!
//! Tokens are validated in-process (same database) or, when the resource server runs as
//! its own process, at the gateway's introspection endpoint (MC_RES_05).

use crate::base::clock::now_ms;
use crate::base::ids::{new_token, token_hash};
use crate::http::AppState;
use crate::rules::catalog::{ConsentCapture, ServiceKind};
use crate::rules::resource::{claims, wire};
use crate::store::{Client, StoreError, TokenRecord, User, UserNotification};
use assent_audit::{EntryKind, NewEntry};
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, Uri, header};
use axum::response::{IntoResponse, Response};
use claims::Answer;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use wire::{ResourceCall, ResourceError};

/// The two endpoints, for any state (the gateway's, or a stand-alone resource server's).
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(premiuminfo, premiuminfo_post))
        .routes(routes!(userinfo, userinfo_post))
}

/// How the resource server validates access tokens (MC_RES_05).
#[derive(Debug, Clone)]
pub enum TokenValidation {
    /// Read the token table directly (the gateway's own resource server).
    InProcess,
    /// Ask the gateway's introspection endpoint (a resource server in its own process).
    Introspection(Arc<Introspector>),
}

/// A resource server's client of the gateway's introspection endpoint (RFC 7662).
#[derive(Debug)]
pub struct Introspector {
    pub http: reqwest::Client,
    pub url: String,
    pub client_id: String,
    pub client_secret: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Endpoint {
    PremiumInfo,
    UserInfo,
}

impl Endpoint {
    fn name(self) -> &'static str {
        match self {
            Endpoint::PremiumInfo => "premiuminfo",
            Endpoint::UserInfo => "userinfo",
        }
    }
}

/// `GET /premiuminfo`: PremiumInfo: every attribute service of the token's scopes (MC_RES_01).
#[utoipa::path(get, path = "/premiuminfo", tag = "resource",
    security(("bearer" = [])),
    params(
        ("User-ID-Type" = Option<String>, Header, description = "Generic tokens only: `MSISDN` or `ENCR_MSISDN`"),
        ("User-ID" = Option<String>, Header, description = "Generic tokens only: the number (digits, no `+`) or its JWE"),
    ),
    responses(
        (status = 200, description = "The attributes of the token's services (MC_ATTR_25)", body = Object),
        (status = 400, description = "Annex A: invalid_request (content type, encoding, parameters, User-ID headers)", body = crate::http::openapi::wire::AnnexAError),
        (status = 401, description = "Annex A: no token (`{}`, `WWW-Authenticate: Bearer`) or invalid_token", body = crate::http::openapi::wire::AnnexAError),
        (status = 403, description = "Annex A: insufficient_scope or access_denied", body = crate::http::openapi::wire::AnnexAError),
        (status = 500, description = "Annex A: unexpected error", body = crate::http::openapi::wire::AnnexAError),
        (status = 503, description = "Annex A: system connection problems", body = crate::http::openapi::wire::AnnexAError),
    ))]
async fn premiuminfo(
    State(state): State<AppState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    respond(
        serve(
            &state,
            Endpoint::PremiumInfo,
            &method,
            &uri,
            &headers,
            &body,
        )
        .await,
    )
}

/// `POST /premiuminfo`: the same handler, described apart because only POST carries a body.
#[utoipa::path(post, path = "/premiuminfo", tag = "resource",
    security((), ("bearer" = [])),
    params(
        ("User-ID-Type" = Option<String>, Header, description = "Generic tokens only: `MSISDN` or `ENCR_MSISDN`"),
        ("User-ID" = Option<String>, Header, description = "Generic tokens only: the number (digits, no `+`) or its JWE"),
    ),
    request_body(content(
        (crate::http::openapi::wire::ResourceForm = "application/x-www-form-urlencoded"),
        (crate::http::openapi::wire::ResourceJson = "application/json"),
    )),
    responses(
        (status = 200, description = "The attributes of the token's services (MC_ATTR_25)", body = Object),
        (status = 400, description = "Annex A: invalid_request (content type, encoding, parameters, User-ID headers)", body = crate::http::openapi::wire::AnnexAError),
        (status = 401, description = "Annex A: no token (`{}`, `WWW-Authenticate: Bearer`) or invalid_token", body = crate::http::openapi::wire::AnnexAError),
        (status = 403, description = "Annex A: insufficient_scope or access_denied", body = crate::http::openapi::wire::AnnexAError),
        (status = 500, description = "Annex A: unexpected error", body = crate::http::openapi::wire::AnnexAError),
        (status = 503, description = "Annex A: system connection problems", body = crate::http::openapi::wire::AnnexAError),
    ))]
async fn premiuminfo_post(
    state: State<AppState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    premiuminfo(state, method, uri, headers, body).await
}

/// `GET /userinfo`: UserInfo: OIDC standard claims for OpenID tokens.
#[utoipa::path(get, path = "/userinfo", tag = "resource",
    security(("bearer" = [])),
    params(
        ("User-ID-Type" = Option<String>, Header, description = "Generic tokens only: `MSISDN` or `ENCR_MSISDN`"),
        ("User-ID" = Option<String>, Header, description = "Generic tokens only: the number (digits, no `+`) or its JWE"),
    ),
    responses(
        (status = 200, description = "The attributes of the token's services (MC_ATTR_25)", body = Object),
        (status = 400, description = "Annex A: invalid_request (content type, encoding, parameters, User-ID headers)", body = crate::http::openapi::wire::AnnexAError),
        (status = 401, description = "Annex A: no token (`{}`, `WWW-Authenticate: Bearer`) or invalid_token", body = crate::http::openapi::wire::AnnexAError),
        (status = 403, description = "Annex A: insufficient_scope or access_denied", body = crate::http::openapi::wire::AnnexAError),
        (status = 500, description = "Annex A: unexpected error", body = crate::http::openapi::wire::AnnexAError),
        (status = 503, description = "Annex A: system connection problems", body = crate::http::openapi::wire::AnnexAError),
    ))]
async fn userinfo(
    State(state): State<AppState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    respond(serve(&state, Endpoint::UserInfo, &method, &uri, &headers, &body).await)
}

/// `POST /userinfo`: the same handler, described apart because only POST carries a body.
#[utoipa::path(post, path = "/userinfo", tag = "resource",
    security((), ("bearer" = [])),
    params(
        ("User-ID-Type" = Option<String>, Header, description = "Generic tokens only: `MSISDN` or `ENCR_MSISDN`"),
        ("User-ID" = Option<String>, Header, description = "Generic tokens only: the number (digits, no `+`) or its JWE"),
    ),
    request_body(content(
        (crate::http::openapi::wire::ResourceForm = "application/x-www-form-urlencoded"),
        (crate::http::openapi::wire::ResourceJson = "application/json"),
    )),
    responses(
        (status = 200, description = "The attributes of the token's services (MC_ATTR_25)", body = Object),
        (status = 400, description = "Annex A: invalid_request (content type, encoding, parameters, User-ID headers)", body = crate::http::openapi::wire::AnnexAError),
        (status = 401, description = "Annex A: no token (`{}`, `WWW-Authenticate: Bearer`) or invalid_token", body = crate::http::openapi::wire::AnnexAError),
        (status = 403, description = "Annex A: insufficient_scope or access_denied", body = crate::http::openapi::wire::AnnexAError),
        (status = 500, description = "Annex A: unexpected error", body = crate::http::openapi::wire::AnnexAError),
        (status = 503, description = "Annex A: system connection problems", body = crate::http::openapi::wire::AnnexAError),
    ))]
async fn userinfo_post(
    state: State<AppState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    userinfo(state, method, uri, headers, body).await
}

/// MC_ATTR_25: JSON (UTF-8), `Cache-Control: no-store`, `Pragma: no-cache`; errors with
/// their `WWW-Authenticate` (RFC 6750 §3).
fn respond(result: Result<Value, ResourceError>) -> Response {
    let (status, body, challenge) = match result {
        Ok(body) => (axum::http::StatusCode::OK, body, None),
        Err(error) => (error.status, error.body(), error.www_authenticate()),
    };
    let mut response = (status, crate::http::error::no_store_headers(), Json(body)).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    if let Some(challenge) = challenge {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, challenge);
    }
    response
}

/// Annex A: a database that cannot be reached is 503 (the server stays up and recovers);
/// anything else unexpected is 500. Details go to the log only.
fn store_error(error: StoreError) -> ResourceError {
    tracing::error!(%error, "resource server store error");
    if error.is_unreachable() {
        ResourceError::unavailable()
    } else {
        ResourceError::server_error()
    }
}

/// What the resource server knows of a valid token.
#[derive(Debug)]
struct TokenFacts {
    hash: String,
    client_id: String,
    user_id: Option<String>,
    scope: Vec<String>,
    one_time: bool,
    /// The token's SP and user when they were read with the token (in-process validation).
    client: Option<Client>,
    user: Option<User>,
}

/// Why a stored token does not grant access now, if it does not (shared by the in-process
/// check and the introspection endpoint).
pub async fn refusal(
    state: &crate::flows::Gateway,
    token: &TokenRecord,
    now: i64,
) -> Result<Option<&'static str>, StoreError> {
    let consent_live = match &token.consent_id {
        Some(consent) => Some(
            state
                .store
                .consent(consent)
                .await?
                .is_some_and(|c| c.revoked_ms.is_none()),
        ),
        None => None,
    };
    Ok(refusal_of(token, consent_live, now))
}

/// [`refusal`] once the token's consent is known: `consent_live` is `None` for a token not
/// bought with a consent, else whether that consent exists and is not revoked.
fn refusal_of(token: &TokenRecord, consent_live: Option<bool>, now: i64) -> Option<&'static str> {
    if token.kind != "access" {
        return Some("access token does not exist");
    }
    if token.revoked {
        return Some("revoked access token");
    }
    if token.expires_ms <= now {
        return Some("expired access token");
    }
    if token.policy == "one_time" && token.spent {
        return Some("the one-time access token was already used");
    }
    if consent_live == Some(false) {
        return Some("the user revoked the consent behind this access token");
    }
    None
}

async fn validate(state: &AppState, token: &str) -> Result<TokenFacts, ResourceError> {
    match &state.tokens {
        TokenValidation::InProcess => {
            let hash = token_hash(token);
            let view = state
                .store
                .token_view(&hash)
                .await
                .map_err(store_error)?
                .ok_or_else(|| ResourceError::invalid_token("access token does not exist"))?;
            let record = view.token;
            if let Some(why) = refusal_of(&record, view.consent_live, now_ms()) {
                return Err(ResourceError::invalid_token(why));
            }
            Ok(TokenFacts {
                hash,
                client_id: record.client_id,
                user_id: record.user_id,
                scope: record.scope,
                one_time: record.policy == "one_time",
                client: view.client,
                user: view.user,
            })
        }
        TokenValidation::Introspection(introspector) => {
            let response = introspector
                .http
                .post(&introspector.url)
                .basic_auth(&introspector.client_id, Some(&introspector.client_secret))
                .form(&[("token", token)])
                .send()
                .await
                .map_err(|e| {
                    tracing::error!(error = %e.without_url(), "introspection unreachable");
                    ResourceError::unavailable()
                })?;
            if !response.status().is_success() {
                tracing::error!(status = %response.status(), "introspection refused the resource server");
                return Err(ResourceError::server_error());
            }
            let facts: Value = response
                .json()
                .await
                .map_err(|_| ResourceError::server_error())?;
            if facts["active"] != true {
                return Err(ResourceError::invalid_token(
                    "Invalid access token (or) access token does not exist (or) expired access token",
                ));
            }
            let text = |name: &str| facts[name].as_str().map(str::to_owned);
            Ok(TokenFacts {
                hash: token_hash(token),
                client_id: text("client_id").ok_or_else(ResourceError::server_error)?,
                user_id: text("assent_user"),
                scope: text("scope")
                    .unwrap_or_default()
                    .split_whitespace()
                    .map(str::to_owned)
                    .collect(),
                one_time: text("assent_policy").as_deref() == Some("one_time"),
                client: None,
                user: None,
            })
        }
    }
}

/// The user a generic token's request names (seed 003 §2.3, Annex A.2).
async fn named_user(state: &AppState, call: &ResourceCall) -> Result<User, ResourceError> {
    let msisdn = match wire::named_user(call.user_id.as_ref())? {
        wire::NamedUser::Msisdn(msisdn) => msisdn,
        wire::NamedUser::EncryptedMsisdn(jwe) => {
            let plaintext = state
                .encryption
                .decrypt(&jwe)
                .map_err(|_| wire::invalid_user_id("cannot be decrypted with the gateway's key"))?;
            crate::base::msisdn::normalize_msisdn(&plaintext)
                .ok_or_else(|| wire::invalid_user_id("wrong format"))?
        }
    };
    state
        .store
        .user_by_msisdn(&msisdn)
        .await
        .map_err(store_error)?
        .ok_or_else(|| ResourceError::invalid_request("Unknown user"))
}

async fn serve(
    state: &AppState,
    endpoint: Endpoint,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Value, ResourceError> {
    let call = wire::parse(method, uri.query(), headers, body)?;
    let mut token = validate(state, &call.token).await?;
    let client = match token.client.take() {
        Some(client) => client,
        None => state
            .store
            .client(&token.client_id)
            .await
            .map_err(store_error)?
            .ok_or_else(|| ResourceError::invalid_token("access token does not exist"))?,
    };
    if client.blacklisted {
        return Err(ResourceError::access_denied(
            "this SP may not use the gateway",
        ));
    }
    let generic = token.user_id.is_none();
    let user = match &token.user_id {
        Some(user_id) => {
            if call.user_id.is_some() {
                return Err(ResourceError::invalid_request(
                    "User-ID / User-ID-Type header MUST NOT be used if the Access Token is tied to an End-User",
                ));
            }
            match token.user.take() {
                Some(user) => user,
                None => state
                    .store
                    .user_by_id(user_id)
                    .await
                    .map_err(store_error)?
                    .ok_or_else(|| ResourceError::invalid_token("access token does not exist"))?,
            }
        }
        None => named_user(state, &call).await?,
    };

    let services: Vec<&crate::rules::catalog::Service> = token
        .scope
        .iter()
        .filter_map(|s| state.catalog.service(s))
        .collect();
    if endpoint == Endpoint::UserInfo && !token.scope.iter().any(|s| s == "openid") {
        // OIDC Core §5.3: the UserInfo endpoint is for OpenID tokens.
        return Err(ResourceError::insufficient_scope());
    }
    if services.is_empty() && endpoint == Endpoint::PremiumInfo {
        return Err(ResourceError::insufficient_scope());
    }
    if call.mc_claims.is_some() && !claims::has_match_service(&state.catalog, &token.scope) {
        return Err(ResourceError::insufficient_scope());
    }
    // A generic token reaches a user's data only under that user's live long-lived consent
    // to this SP for each service that needs consent (seed 003 with MC_ATTR_06).
    if generic {
        let live = state
            .store
            .live_consents(&user.id, &client.client_id)
            .await
            .map_err(store_error)?;
        for service in &services {
            let consented = service.consent == ConsentCapture::None
                || live.iter().any(|c| c.scope.contains(&service.scope));
            if !consented {
                return Err(ResourceError::access_denied(format!(
                    "the user has not consented to {} for this SP",
                    service.scope
                )));
            }
        }
    }

    let mut answer = Answer::default();
    claims::share(&state.catalog, &token.scope, &user, &mut answer);
    if let Some(submitted) = &call.mc_claims {
        claims::match_claims(&state.catalog, &token.scope, &user, submitted, &mut answer)?;
    }
    if endpoint == Endpoint::UserInfo {
        answer = userinfo_claims(answer);
    }
    // MC_ATTR_18: a one-time token is spent by exactly one request, the one that gets here
    // first; the others are refused as if it had never been valid.
    if token.one_time
        && !state
            .store
            .spend_token(&token.hash)
            .await
            .map_err(store_error)?
    {
        return Err(ResourceError::invalid_token(
            "the one-time access token was already used",
        ));
    }
    let mut body = Value::Object(answer.claims);
    if !generic {
        // MC_ATTR_30: sub (the PCR) ties the response to the ID token; never for generic
        // tokens (seed 003 §2.4).
        body["sub"] = json!(state.pcr.pcr(&client.client_id, &user.id));
    }
    record(
        state,
        endpoint,
        &client.client_id,
        &user.id,
        &token,
        &answer.attributes,
        &body,
        &services,
    )
    .await
    .map_err(store_error)?;
    Ok(body)
}

/// OIDC Core §5.1 names for what the share services disclose.
fn userinfo_claims(answer: Answer) -> Answer {
    let mut claims = serde_json::Map::new();
    for (name, value) in answer.claims {
        match name.as_str() {
            "device_msisdn" => {
                claims.insert("phone_number".into(), value);
                claims.insert("phone_number_verified".into(), json!(true));
            }
            "given_name" | "family_name" | "email" | "birthdate" | "address" => {
                claims.insert(name, value);
            }
            _ => {}
        }
    }
    Answer {
        claims,
        attributes: answer.attributes,
    }
}

/// MC_ATTR_31 and 19: every access is audited (names of what was returned and a hash of the
/// response, never the values) and queued as a notification for the user's devices.
#[allow(clippy::too_many_arguments)]
async fn record(
    state: &AppState,
    endpoint: Endpoint,
    client_id: &str,
    user_id: &str,
    token: &TokenFacts,
    attributes: &[String],
    body: &Value,
    services: &[&crate::rules::catalog::Service],
) -> Result<(), StoreError> {
    let now = now_ms();
    let response_hash = hex::encode(Sha256::digest(body.to_string().as_bytes()));
    let scope: Vec<&str> = services.iter().map(|s| s.scope.as_str()).collect();
    let detail = json!({
        "endpoint": endpoint.name(),
        "services": scope,
        "attributes": attributes,
        "response_sha256": response_hash,
        "token": token.hash.get(..16),
        "generic_token": token.user_id.is_none(),
    });
    // One transaction for the access, its notification and the notification's entry: one
    // commit (one fsync on SQLite with synchronous=FULL) instead of three, and an access is
    // never audited without its notification queued.
    let mut tx = state.store.begin().await?;
    tx.append_audit(NewEntry {
        at_ms: now,
        kind: EntryKind::ResourceAccess,
        user: Some(user_id.to_owned()),
        sp: Some(client_id.to_owned()),
        authenticator: None,
        detail: detail.to_string(),
    })
    .await?;
    let atp = services.iter().any(|s| s.kind == ServiceKind::Atp);
    tx.queue_user_notification(&UserNotification {
        id: format!("n-{}", new_token().get(..22).unwrap_or("0")),
        user_id: user_id.to_owned(),
        client_id: client_id.to_owned(),
        kind: if atp { "atp_check" } else { "resource_access" }.into(),
        detail: json!({"services": scope, "attributes": attributes}).to_string(),
        created_ms: now,
    })
    .await?;
    tx.append_audit(NewEntry {
        at_ms: now,
        kind: EntryKind::Notification,
        user: Some(user_id.to_owned()),
        sp: Some(client_id.to_owned()),
        authenticator: None,
        detail: json!({"to": "user", "kind": if atp { "atp_check" } else { "resource_access" }})
            .to_string(),
    })
    .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annex_a_unexpected_errors_are_500_and_unreachable_databases_503() {
        let unexpected = store_error(StoreError::Database(sqlx::Error::Protocol("bad".into())));
        assert_eq!(
            (unexpected.status.as_u16(), unexpected.code),
            (500, Some("server_error"))
        );
        assert_eq!(unexpected.description, "Internal server error");
        let corrupt = store_error(StoreError::CorruptAudit {
            seq: 1,
            reason: "x".into(),
        });
        assert_eq!(corrupt.status.as_u16(), 500);
        for unreachable in [sqlx::Error::PoolTimedOut, sqlx::Error::PoolClosed] {
            let error = store_error(StoreError::Database(unreachable));
            assert_eq!(
                (error.status.as_u16(), error.code),
                (503, Some("server_error"))
            );
            assert_eq!(error.description, "Service is not available");
        }
    }
}
