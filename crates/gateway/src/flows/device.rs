//! Device registration (seed 001) and the self-care device API.
//!
//! A device proves it holds the key of an ACME certificate for its number (issued by this
//! gateway's ACME CA) and registers that key. Authentication to the device API is by that
//! key, with signed JWT assertions (RFC 7523 §2.1) exchanged for five-minute access tokens
//! that are sender-constrained by DPoP (RFC 9449): every request carries a proof signed by
//! the device key, so a stolen token is useless without the key. This was chosen over mutual
//! TLS (RFC 8705) because the app's HTTP stacks (WebView, reqwest on Android and iOS) give
//! certificate-bound TLS poorly, while signing a JWT is one call; and because it survives
//! TLS-terminating proxies in front of a deployed gateway.
//!
//! A device sees and acts on its own number's data only: every look-up is by the device's
//! user, and another user's request id is simply not found.

use crate::base::clock::now_ms;
use crate::base::clock::rfc3339;
use crate::base::ids::{new_token, token_hash};
use crate::http::AppState;
use crate::store::{Device, StoreError};
use assent_acme::jws::AccountKey;
use assent_audit::{EntryKind, NewEntry};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Device access tokens live five minutes.
const TOKEN_TTL_MS: i64 = 5 * 60_000;
/// An assertion or decision JWT may live at most this long (s).
const JWT_MAX_LIFETIME_S: i64 = 300;
/// A DPoP proof's `iat` may be this far from now (s).
const DPOP_SKEW_S: i64 = 60;
/// The longest an inbox request waits for a prompt (s).
const MAX_WAIT_S: u64 = 25;
/// How often a waiting inbox request looks again: a prompt reaches the device well within
/// a second.
const INBOX_POLL_MS: u64 = 100;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(register))
        .routes(routes!(token))
        .routes(routes!(inbox))
        .routes(routes!(decision))
        .routes(routes!(grants))
        .routes(routes!(revoke_grant))
        .routes(routes!(flag))
        .routes(routes!(notifications))
        .routes(routes!(audit))
        .routes(routes!(audit_export))
}

/// Most audit entries one page returns.
const AUDIT_PAGE_MAX: i64 = 500;

/// A device API error: OAuth-style JSON; 401s carry a DPoP challenge.
#[derive(Debug)]
pub struct DeviceError {
    status: StatusCode,
    code: &'static str,
    description: String,
}

impl DeviceError {
    fn new(status: StatusCode, code: &'static str, description: impl Into<String>) -> Self {
        DeviceError {
            status,
            code,
            description: description.into(),
        }
    }

    fn bad(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request", description)
    }

    fn unauthorized(description: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "invalid_token", description)
    }
}

impl From<StoreError> for DeviceError {
    fn from(error: StoreError) -> Self {
        tracing::error!(%error, "device api store error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "the gateway could not complete the request",
        )
    }
}

impl IntoResponse for DeviceError {
    fn into_response(self) -> Response {
        let mut response = (
            self.status,
            crate::http::error::no_store_headers(),
            Json(json!({"error": self.code, "error_description": self.description})),
        )
            .into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("DPoP algs=\"ES256 EdDSA\""),
            );
        }
        response
    }
}

fn url(state: &AppState, path: &str) -> String {
    format!("{}{path}", state.issuer)
}

/// Verifies a JWT signed by `jwk` (ES256 or EdDSA); `aud` checked when given; `exp`
/// required and at most five minutes ahead unless `expiring` is false.
fn verify_jwt(jwk: &Value, jwt: &str, aud: Option<&str>, expiring: bool) -> Result<Value, String> {
    let jwk: jsonwebtoken::jwk::Jwk =
        serde_json::from_value(jwk.clone()).map_err(|_| "the key is not a JWK".to_owned())?;
    let key = jsonwebtoken::DecodingKey::from_jwk(&jwk).map_err(|e| e.to_string())?;
    let header = jsonwebtoken::decode_header(jwt).map_err(|_| "not a JWT".to_owned())?;
    if !matches!(
        header.alg,
        jsonwebtoken::Algorithm::ES256 | jsonwebtoken::Algorithm::EdDSA
    ) {
        return Err("only ES256 and EdDSA are accepted".into());
    }
    let mut validation = jsonwebtoken::Validation::new(header.alg);
    validation.leeway = 30;
    match aud {
        Some(aud) => validation.set_audience(&[aud]),
        None => validation.validate_aud = false,
    }
    if expiring {
        validation.set_required_spec_claims(&["exp"]);
    } else {
        validation.validate_exp = false;
        validation.required_spec_claims.clear();
    }
    let claims = jsonwebtoken::decode::<Value>(jwt, &key, &validation)
        .map_err(|e| e.to_string())?
        .claims;
    if expiring
        && claims["exp"]
            .as_i64()
            .is_none_or(|exp| exp > now_ms() / 1000 + JWT_MAX_LIFETIME_S)
    {
        return Err("the JWT may live at most five minutes".into());
    }
    Ok(claims)
}

async fn use_jti(state: &AppState, claims: &Value) -> Result<(), DeviceError> {
    let jti = claims["jti"]
        .as_str()
        .filter(|j| !j.is_empty() && j.len() <= 200)
        .ok_or_else(|| DeviceError::bad("jti is required"))?;
    let expires = now_ms() + 2 * JWT_MAX_LIFETIME_S * 1000;
    if !state.store.use_device_jti(jti, expires, now_ms()).await? {
        return Err(DeviceError::unauthorized("this JWT was used before"));
    }
    Ok(())
}

/// `POST /device/register` with `{"certificate", "jwk", "assertion", "name"}`.
#[utoipa::path(post, path = "/device/register", tag = "device",
    request_body(content = crate::http::openapi::wire::DeviceRegistration, content_type = "application/json"),
    responses(
        (status = 201, description = "`{device_id, number, name}`", body = Object),
        (status = 400, description = "invalid_request", body = crate::http::openapi::wire::OAuthError),
        (status = 401, description = "invalid_token or an invalid DPoP proof (`WWW-Authenticate: DPoP`)", body = crate::http::openapi::wire::OAuthError),
        (status = 403, description = "refused (certificate unknown, revoked or expired…)", body = crate::http::openapi::wire::OAuthError),
        (status = 409, description = "conflict (already registered / already answered)", body = crate::http::openapi::wire::OAuthError),
        (status = 500, description = "server_error", body = crate::http::openapi::wire::OAuthError),
    ))]
async fn register(State(state): State<AppState>, body: Bytes) -> Response {
    let attempt = format!("r-{}", new_token().get(..22).unwrap_or("0"));
    match try_register(&state, &body).await {
        Ok((device, number)) => {
            let _ = state
                .store
                .record_registration_attempt(
                    &attempt,
                    now_ms(),
                    Some(&device.cert_id),
                    Some(&device.user_id),
                    "registered",
                    "ok",
                )
                .await;
            (
                StatusCode::CREATED,
                crate::http::error::no_store_headers(),
                Json(json!({"device_id": device.id, "number": format!("+{number}"), "name": device.name})),
            )
                .into_response()
        }
        Err((error, cert_id, user_id)) => {
            // SEC-1: refused attempts are recorded too.
            let _ = state
                .store
                .record_registration_attempt(
                    &attempt,
                    now_ms(),
                    cert_id.as_deref(),
                    user_id.as_deref(),
                    "refused",
                    error.code,
                )
                .await;
            error.into_response()
        }
    }
}

type Refusal = (DeviceError, Option<String>, Option<String>);

async fn try_register(state: &AppState, body: &[u8]) -> Result<(Device, String), Refusal> {
    let plain = |e: DeviceError| (e, None, None);
    let request: Value = serde_json::from_slice(body).map_err(|_| {
        plain(DeviceError::bad(
            "expected {certificate, jwk, assertion, name}",
        ))
    })?;
    let der = request["certificate"]
        .as_str()
        .and_then(|c| URL_SAFE_NO_PAD.decode(c).ok())
        .ok_or_else(|| plain(DeviceError::bad("certificate must be base64url DER")))?;
    let cert = state
        .store
        .acme_certificate_by_der(&hex::encode(Sha256::digest(&der)))
        .await
        .map_err(|e| plain(e.into()))?
        .ok_or_else(|| {
            plain(DeviceError::new(
                StatusCode::FORBIDDEN,
                "unknown_certificate",
                "this gateway did not issue that certificate",
            ))
        })?;
    let with_cert = |e: DeviceError| (e, Some(cert.id.clone()), None);
    if cert.revoked_ms.is_some() || cert.not_after_ms <= now_ms() {
        return Err(with_cert(DeviceError::new(
            StatusCode::FORBIDDEN,
            "certificate_not_valid",
            "the certificate is revoked or expired: verify the number again",
        )));
    }
    let jwk = request["jwk"].clone();
    let key = AccountKey::from_jwk(&jwk)
        .map_err(|e| with_cert(DeviceError::bad(format!("jwk: {}", e.detail))))?;
    let spki = hex::decode(&cert.spki_der).unwrap_or_default();
    if !crate::flows::acme::spki_is(&spki, &key) {
        return Err(with_cert(DeviceError::new(
            StatusCode::FORBIDDEN,
            "key_mismatch",
            "the key is not the certificate's",
        )));
    }
    let assertion = request["assertion"]
        .as_str()
        .ok_or_else(|| with_cert(DeviceError::bad("assertion is required")))?;
    let claims = verify_jwt(&jwk, assertion, Some(&url(state, "/device/register")), true)
        .map_err(|e| with_cert(DeviceError::unauthorized(format!("assertion: {e}"))))?;
    use_jti(state, &claims).await.map_err(with_cert)?;
    // SEC-2: the number's user by one unique look-up.
    let user = state
        .store
        .user_by_msisdn(&cert.number)
        .await
        .map_err(|e| with_cert(e.into()))?
        .ok_or_else(|| {
            with_cert(DeviceError::new(
                StatusCode::FORBIDDEN,
                "not_a_subscriber",
                "this number has no Mobile Connect account here",
            ))
        })?;
    let with_user = |e: DeviceError| (e, Some(cert.id.clone()), Some(user.id.clone()));
    let name = request["name"]
        .as_str()
        .map(|n| {
            n.chars()
                .filter(|c| !c.is_control())
                .take(64)
                .collect::<String>()
        })
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| "device".into());
    let device = Device {
        id: format!("d-{}", new_token().get(..22).unwrap_or("0")),
        user_id: user.id.clone(),
        cert_id: cert.id.clone(),
        jwk: key.to_jwk().to_string(),
        thumbprint: key.thumbprint(),
        name,
        registered_ms: now_ms(),
        revoked_ms: None,
    };
    if !state
        .store
        .insert_device(&device)
        .await
        .map_err(|e| with_user(e.into()))?
    {
        return Err(with_user(DeviceError::new(
            StatusCode::CONFLICT,
            "already_registered",
            "this certificate is registered already; each registration is unique",
        )));
    }
    // The app becomes the user's preferred authenticator; USSD stays the fallback.
    if !user.authenticators.iter().any(|a| a == "app") {
        let mut list = vec!["app".to_owned()];
        list.extend(user.authenticators.iter().cloned());
        state
            .store
            .set_authenticators(&user.msisdn, &list)
            .await
            .map_err(|e| with_user(e.into()))?;
    }
    state
        .store
        .append_audit(NewEntry {
            at_ms: now_ms(),
            kind: EntryKind::Admin,
            user: Some(user.id.clone()),
            sp: None,
            authenticator: Some("app".into()),
            detail: json!({"action": "device_registered", "device": device.id, "certificate": cert.serial})
                .to_string(),
        })
        .await
        .map_err(|e| with_user(e.into()))?;
    Ok((device, cert.number))
}

/// Checks the `DPoP` proof of a request (RFC 9449 §4.3) and returns the thumbprint of its
/// key; with `access_token`, the proof must also name it (`ath`).
async fn dpop(
    state: &AppState,
    headers: &HeaderMap,
    method: &str,
    htu: &str,
    access_token: Option<&str>,
) -> Result<String, DeviceError> {
    let mut proofs = headers.get_all("dpop").iter();
    let (Some(proof), None) = (proofs.next(), proofs.next()) else {
        return Err(DeviceError::unauthorized(
            "exactly one DPoP proof is required",
        ));
    };
    let proof = proof
        .to_str()
        .map_err(|_| DeviceError::unauthorized("the DPoP proof is not a JWT"))?;
    let header = jsonwebtoken::decode_header(proof)
        .map_err(|_| DeviceError::unauthorized("the DPoP proof is not a JWT"))?;
    if header.typ.as_deref() != Some("dpop+jwt") {
        return Err(DeviceError::unauthorized(
            "the DPoP proof's typ must be dpop+jwt",
        ));
    }
    let jwk = header
        .jwk
        .ok_or_else(|| DeviceError::unauthorized("the DPoP proof carries no jwk"))?;
    let jwk = serde_json::to_value(&jwk)
        .map_err(|_| DeviceError::unauthorized("the DPoP jwk is unreadable"))?;
    let claims = verify_jwt(&jwk, proof, None, false)
        .map_err(|e| DeviceError::unauthorized(format!("DPoP proof: {e}")))?;
    if claims["htm"] != method || claims["htu"] != htu {
        return Err(DeviceError::unauthorized(
            "the DPoP proof is for another request",
        ));
    }
    let now = now_ms() / 1000;
    if claims["iat"]
        .as_i64()
        .is_none_or(|iat| (iat - now).abs() > DPOP_SKEW_S)
    {
        return Err(DeviceError::unauthorized(
            "the DPoP proof is too old or too new",
        ));
    }
    if let Some(token) = access_token {
        let ath = URL_SAFE_NO_PAD.encode(Sha256::digest(token.as_bytes()));
        if claims["ath"] != ath.as_str() {
            return Err(DeviceError::unauthorized(
                "the DPoP proof is not for this token",
            ));
        }
    }
    use_jti(state, &claims).await?;
    let key = AccountKey::from_jwk(&jwk)
        .map_err(|e| DeviceError::unauthorized(format!("DPoP jwk: {}", e.detail)))?;
    Ok(key.thumbprint())
}

/// `POST /device/token`: `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer` with an
/// assertion signed by the device key (iss = sub = the device id), and a DPoP proof by the
/// same key.
#[utoipa::path(post, path = "/device/token", tag = "device",
    request_body(content = crate::http::openapi::wire::DeviceTokenRequest, content_type = "application/x-www-form-urlencoded"),
    params(("DPoP" = String, Header, description = "RFC 9449 proof signed by the device key")),
    responses(
        (status = 200, description = "A five-minute DPoP-bound access token", body = Object),
        (status = 400, description = "invalid_request", body = crate::http::openapi::wire::OAuthError),
        (status = 401, description = "invalid_token or an invalid DPoP proof (`WWW-Authenticate: DPoP`)", body = crate::http::openapi::wire::OAuthError),
        (status = 403, description = "refused (certificate unknown, revoked or expired…)", body = crate::http::openapi::wire::OAuthError),
        (status = 500, description = "server_error", body = crate::http::openapi::wire::OAuthError),
    ))]
async fn token(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, DeviceError> {
    let params: HashMap<String, String> = form_urlencoded::parse(&body).into_owned().collect();
    if params.get("grant_type").map(String::as_str)
        != Some("urn:ietf:params:oauth:grant-type:jwt-bearer")
    {
        return Err(DeviceError::new(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "use urn:ietf:params:oauth:grant-type:jwt-bearer",
        ));
    }
    let assertion = params
        .get("assertion")
        .ok_or_else(|| DeviceError::bad("assertion is missing"))?;
    let token_url = url(&state, "/device/token");
    let jkt = dpop(&state, &headers, "POST", &token_url, None).await?;
    let unverified: Value = jsonwebtoken::dangerous::insecure_decode(assertion)
        .map(|d| d.claims)
        .map_err(|_| DeviceError::unauthorized("the assertion is not a JWT"))?;
    let device_id = unverified["iss"]
        .as_str()
        .ok_or_else(|| DeviceError::unauthorized("the assertion has no iss"))?;
    let device = state
        .store
        .device(device_id)
        .await?
        .filter(|d| d.revoked_ms.is_none())
        .ok_or_else(|| DeviceError::unauthorized("unknown or revoked device"))?;
    let jwk: Value = serde_json::from_str(&device.jwk)
        .map_err(|_| DeviceError::unauthorized("stored key unreadable"))?;
    let claims = verify_jwt(&jwk, assertion, Some(&token_url), true)
        .map_err(|e| DeviceError::unauthorized(format!("assertion: {e}")))?;
    if claims["sub"] != device.id.as_str() {
        return Err(DeviceError::unauthorized(
            "the assertion's sub must be the device id",
        ));
    }
    use_jti(&state, &claims).await?;
    if jkt != device.thumbprint {
        return Err(DeviceError::unauthorized(
            "the DPoP key is not the device key",
        ));
    }
    let access_token = new_token();
    state
        .store
        .insert_device_token(
            &token_hash(&access_token),
            &device.id,
            &jkt,
            now_ms() + TOKEN_TTL_MS,
        )
        .await?;
    Ok((
        crate::http::error::no_store_headers(),
        Json(json!({"access_token": access_token, "token_type": "DPoP",
                    "expires_in": TOKEN_TTL_MS / 1000})),
    )
        .into_response())
}

/// The device behind a request: `Authorization: DPoP <token>` and a proof by its key.
async fn authenticated(
    state: &AppState,
    headers: &HeaderMap,
    method: &str,
    path: &str,
) -> Result<Device, DeviceError> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("DPoP "))
        .ok_or_else(|| DeviceError::unauthorized("Authorization: DPoP <token> is required"))?;
    let (device_id, jkt, expires_ms) = state
        .store
        .device_token(&token_hash(token))
        .await?
        .ok_or_else(|| DeviceError::unauthorized("unknown device token"))?;
    if expires_ms <= now_ms() {
        return Err(DeviceError::unauthorized("the device token expired"));
    }
    let proof_jkt = dpop(state, headers, method, &url(state, path), Some(token)).await?;
    if proof_jkt != jkt {
        return Err(DeviceError::unauthorized("the DPoP key is not the token's"));
    }
    state
        .store
        .device(&device_id)
        .await?
        .filter(|d| d.revoked_ms.is_none())
        .ok_or_else(|| DeviceError::unauthorized("the device is revoked"))
}

/// `GET /device/inbox?wait=SECONDS`: the user's pending consent requests; waits (long
/// polling) up to `wait` seconds for one to arrive.
#[utoipa::path(get, path = "/device/inbox", tag = "device",
    security(("dpop" = [])),
    params(("Authorization" = String, Header, description = "`DPoP <device access token>`"), crate::http::openapi::wire::InboxQuery),
    responses(
        (status = 200, description = "Open prompts with their content, for the device to render", body = Object),
        (status = 400, description = "invalid_request", body = crate::http::openapi::wire::OAuthError),
        (status = 401, description = "invalid_token or an invalid DPoP proof (`WWW-Authenticate: DPoP`)", body = crate::http::openapi::wire::OAuthError),
        (status = 500, description = "server_error", body = crate::http::openapi::wire::OAuthError),
    ))]
async fn inbox(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, DeviceError> {
    let device = authenticated(&state, &headers, "GET", "/device/inbox").await?;
    let wait_s = match query.get("wait") {
        None => 0,
        Some(w) => w
            .parse::<u64>()
            .map_err(|_| DeviceError::bad("wait is a number of seconds"))?
            .min(MAX_WAIT_S),
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(wait_s);
    let prompts = loop {
        let prompts = state.store.open_app_prompts(&device.user_id, 0).await?;
        if !prompts.is_empty() || std::time::Instant::now() >= deadline {
            break prompts;
        }
        tokio::time::sleep(std::time::Duration::from_millis(INBOX_POLL_MS)).await;
    };
    let requests: Vec<Value> = prompts
        .iter()
        .map(|p| {
            let content = p
                .content
                .as_deref()
                .and_then(|c| serde_json::from_str::<Value>(c).ok());
            json!({"id": p.message_id, "prompt": p.text,
                   "prompt_sha256": hex::encode(Sha256::digest(p.text.as_bytes())),
                   "content": content,
                   "created_ms": p.created_ms})
        })
        .collect();
    Ok((
        crate::http::error::no_store_headers(),
        Json(json!({ "requests": requests })),
    )
        .into_response())
}

/// `POST /device/inbox/{id}/decision` with `{"decision": JWT}`: the JWT, signed by the
/// device key, says `{"request": id, "answer": "approve" | "deny", "prompt_sha256": …}` —
/// bound to the request and to the exact prompt text shown. The app may show the prompt's
/// content rendered for its own screen and language: it then says how in
/// `"shown": {"device": WireDevice, "locale": …}`, and the gateway renders the content the
/// same way to check that the text signed over is that rendering.
#[utoipa::path(post, path = "/device/inbox/{id}/decision", tag = "device",
    security(("dpop" = [])),
    params(("Authorization" = String, Header, description = "`DPoP <device access token>`"), ("id" = String, Path, description = "the request id from the inbox")),
    request_body(content = crate::http::openapi::wire::Decision, content_type = "application/json"),
    responses(
        (status = 200, description = "The decision was recorded", body = Object),
        (status = 400, description = "invalid_request", body = crate::http::openapi::wire::OAuthError),
        (status = 401, description = "invalid_token or an invalid DPoP proof (`WWW-Authenticate: DPoP`)", body = crate::http::openapi::wire::OAuthError),
        (status = 404, description = "not_found", body = crate::http::openapi::wire::OAuthError),
        (status = 409, description = "conflict (already registered / already answered)", body = crate::http::openapi::wire::OAuthError),
        (status = 500, description = "server_error", body = crate::http::openapi::wire::OAuthError),
    ))]
async fn decision(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, DeviceError> {
    let path = format!("/device/inbox/{id}/decision");
    let device = authenticated(&state, &headers, "POST", &path).await?;
    let request: Value = serde_json::from_slice(&body)
        .map_err(|_| DeviceError::bad("expected {\"decision\": JWT}"))?;
    let signed = request["decision"]
        .as_str()
        .ok_or_else(|| DeviceError::bad("decision is required"))?;
    let jwk: Value = serde_json::from_str(&device.jwk)
        .map_err(|_| DeviceError::unauthorized("stored key unreadable"))?;
    let claims = verify_jwt(&jwk, signed, Some(&state.issuer), true)
        .map_err(|e| DeviceError::unauthorized(format!("decision: {e}")))?;
    // Another number's request is not found, exactly as a request that does not exist.
    let prompt = state
        .store
        .app_prompt(&id)
        .await?
        .filter(|p| p.user_id == device.user_id)
        .ok_or_else(|| DeviceError::new(StatusCode::NOT_FOUND, "not_found", "no such request"))?;
    if claims["request"] != id.as_str() {
        return Err(DeviceError::bad("the decision is for another request"));
    }
    let shown = shown_prompt_sha256(&prompt, &claims)?;
    if claims["prompt_sha256"] != shown.as_str() {
        return Err(DeviceError::bad(
            "the decision is not bound to the prompt this request showed",
        ));
    }
    let approve = match claims["answer"].as_str() {
        Some("approve") => true,
        Some("deny") => false,
        _ => return Err(DeviceError::bad("answer is approve or deny")),
    };
    use_jti(&state, &claims).await?;
    // The prompt's closing, the signed decision (the evidence a dispute needs: which device,
    // over which text) and the answer with its consent commit together: a decision the
    // gateway did not acknowledge leaves the prompt open, to be answered again.
    let waiting = crate::flows::consent::Waiting::find(&state, &id).await?;
    let mut tx = state.store.begin().await?;
    if !tx.answer_app_prompt(&id, &device.id, now_ms()).await? {
        return Err(DeviceError::new(
            StatusCode::CONFLICT,
            "already_answered",
            "this request was answered already",
        ));
    }
    tx.append_audit(NewEntry {
        at_ms: now_ms(),
        kind: EntryKind::Answer,
        user: Some(device.user_id.clone()),
        sp: None,
        authenticator: Some("app".into()),
        detail: json!({"purpose": "signed_decision", "device": device.id,
                       "prompt_sha256": shown,
                       "shown": claims.get("shown").cloned().unwrap_or(Value::Null),
                       "decision_sha256": hex::encode(Sha256::digest(signed.as_bytes()))})
        .to_string(),
    })
    .await?;
    let applied = match &waiting {
        Some(waiting) => waiting.record(&mut tx, approve).await?,
        None => false,
    };
    tx.commit().await?;
    if applied && let Some(waiting) = &waiting {
        waiting.answered(&state);
    }
    Ok((
        crate::http::error::no_store_headers(),
        Json(json!({"id": id, "accepted": applied})),
    )
        .into_response())
}

/// The SHA-256 (hex) of the text the decision says was shown: the gateway's own rendering,
/// or the prompt's content rendered again as the decision's `shown` says the app did.
fn shown_prompt_sha256(
    prompt: &crate::store::AppPrompt,
    claims: &Value,
) -> Result<String, DeviceError> {
    let Some(shown) = claims.get("shown").filter(|s| !s.is_null()) else {
        return Ok(hex::encode(Sha256::digest(prompt.text.as_bytes())));
    };
    let content: assent_prompt::wire::PromptContent = prompt
        .content
        .as_deref()
        .and_then(|c| serde_json::from_str(c).ok())
        .ok_or_else(|| {
            DeviceError::bad("this request can only be shown as the gateway rendered it")
        })?;
    let device: assent_prompt::wire::WireDevice =
        serde_json::from_value(shown["device"].clone())
            .map_err(|_| DeviceError::bad("shown.device is not a device profile"))?;
    let locale = shown["locale"]
        .as_str()
        .ok_or_else(|| DeviceError::bad("shown.locale is required"))?;
    let renderer = assent_prompt::Renderer::shared().map_err(|_| {
        DeviceError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "no renderer",
        )
    })?;
    let rendered = content
        .render(renderer, &(&device).into(), Some(locale))
        .map_err(|_| DeviceError::bad("the content does not render on the device shown"))?;
    Ok(hex::encode(Sha256::digest(rendered.text.as_bytes())))
}

/// `GET /device/grants`: the user's long-lived consents, per SP, with what they cover and
/// when the SP last read the user's data.
#[utoipa::path(get, path = "/device/grants", tag = "device",
    security(("dpop" = [])),
    params(("Authorization" = String, Header, description = "`DPoP <device access token>`")),
    responses(
        (status = 200, description = "Live long-lived consents per SP", body = Object),
        (status = 401, description = "invalid_token or an invalid DPoP proof (`WWW-Authenticate: DPoP`)", body = crate::http::openapi::wire::OAuthError),
        (status = 500, description = "server_error", body = crate::http::openapi::wire::OAuthError),
    ))]
async fn grants(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, DeviceError> {
    let device = authenticated(&state, &headers, "GET", "/device/grants").await?;
    let mut grants = Vec::new();
    let clients = state.store.clients().await?;
    for client in &clients {
        for consent in state
            .store
            .live_consents(&device.user_id, &client.client_id)
            .await?
        {
            let services: Vec<&str> = consent
                .scope
                .iter()
                .map(String::as_str)
                .filter(|s| *s != "openid")
                .collect();
            let attributes: Vec<&str> = services
                .iter()
                .filter_map(|s| state.catalog.service(s))
                .flat_map(|s| s.attributes.iter().map(|a| a.name.as_str()))
                .collect();
            let last_used = state
                .store
                .last_access(&device.user_id, &client.client_id)
                .await?
                .filter(|last| *last >= consent.granted_ms)
                .map(rfc3339);
            grants.push(json!({
                "id": consent.id, "client_id": client.client_id, "client_name": client.client_name,
                "services": services, "attributes": attributes,
                "granted_at": rfc3339(consent.granted_ms), "last_used": last_used,
                "prompt": consent.prompt,
            }));
        }
    }
    Ok((
        crate::http::error::no_store_headers(),
        Json(json!({ "grants": grants })),
    )
        .into_response())
}

/// `POST /device/grants/{id}/revoke`: the consent and every token bought with it die at once
/// (MC_ATTR_20).
#[utoipa::path(post, path = "/device/grants/{id}/revoke", tag = "device",
    security(("dpop" = [])),
    params(("Authorization" = String, Header, description = "`DPoP <device access token>`"), ("id" = String, Path, description = "the grant id")),
    responses(
        (status = 200, description = "The consent and its tokens are revoked", body = Object),
        (status = 401, description = "invalid_token or an invalid DPoP proof (`WWW-Authenticate: DPoP`)", body = crate::http::openapi::wire::OAuthError),
        (status = 404, description = "not_found", body = crate::http::openapi::wire::OAuthError),
        (status = 500, description = "server_error", body = crate::http::openapi::wire::OAuthError),
    ))]
async fn revoke_grant(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, DeviceError> {
    let device = authenticated(
        &state,
        &headers,
        "POST",
        &format!("/device/grants/{id}/revoke"),
    )
    .await?;
    let consent = state
        .store
        .consent(&id)
        .await?
        .filter(|c| c.user_id == device.user_id && c.revoked_ms.is_none())
        .ok_or_else(|| DeviceError::new(StatusCode::NOT_FOUND, "not_found", "no such grant"))?;
    if !state.store.revoke_consent(&consent.id, now_ms()).await? {
        return Err(DeviceError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "no such grant",
        ));
    }
    state
        .store
        .append_audit(NewEntry {
            at_ms: now_ms(),
            kind: EntryKind::Revocation,
            user: Some(device.user_id.clone()),
            sp: Some(consent.client_id.clone()),
            authenticator: Some("app".into()),
            detail: json!({"by": "user", "consent": consent.id, "device": device.id}).to_string(),
        })
        .await?;
    Ok((
        crate::http::error::no_store_headers(),
        Json(json!({"id": consent.id, "revoked": true})),
    )
        .into_response())
}

/// `POST /device/flags` with `{"client_id", "reason"}`: the user reports an SP (MC_ATTR_20);
/// operators read the reports with `assent-gateway admin flags` and may blacklist the SP.
#[utoipa::path(post, path = "/device/flags", tag = "device",
    security(("dpop" = [])),
    params(("Authorization" = String, Header, description = "`DPoP <device access token>`")),
    request_body(content = crate::http::openapi::wire::Flag, content_type = "application/json"),
    responses(
        (status = 200, description = "The report was recorded", body = Object),
        (status = 400, description = "invalid_request", body = crate::http::openapi::wire::OAuthError),
        (status = 401, description = "invalid_token or an invalid DPoP proof (`WWW-Authenticate: DPoP`)", body = crate::http::openapi::wire::OAuthError),
        (status = 404, description = "not_found", body = crate::http::openapi::wire::OAuthError),
        (status = 500, description = "server_error", body = crate::http::openapi::wire::OAuthError),
    ))]
async fn flag(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, DeviceError> {
    let device = authenticated(&state, &headers, "POST", "/device/flags").await?;
    let request: Value = serde_json::from_slice(&body)
        .map_err(|_| DeviceError::bad("expected {\"client_id\", \"reason\"}"))?;
    let client_id = request["client_id"]
        .as_str()
        .ok_or_else(|| DeviceError::bad("client_id is required"))?;
    let reason: String = request["reason"]
        .as_str()
        .map(|r| r.chars().filter(|c| !c.is_control()).take(500).collect())
        .filter(|r: &String| !r.trim().is_empty())
        .ok_or_else(|| DeviceError::bad("a reason is required"))?;
    if state.store.client(client_id).await?.is_none() {
        return Err(DeviceError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "no such SP",
        ));
    }
    let flag = crate::store::Flag {
        id: format!("fl-{}", new_token().get(..22).unwrap_or("0")),
        client_id: client_id.to_owned(),
        user_id: Some(device.user_id.clone()),
        reason: reason.clone(),
        at_ms: now_ms(),
    };
    state.store.insert_flag(&flag).await?;
    state
        .store
        .append_audit(NewEntry {
            at_ms: flag.at_ms,
            kind: EntryKind::SpFlagged,
            user: Some(device.user_id.clone()),
            sp: Some(client_id.to_owned()),
            authenticator: Some("app".into()),
            detail: json!({"flag": flag.id, "reason": reason}).to_string(),
        })
        .await?;
    Ok((
        StatusCode::CREATED,
        crate::http::error::no_store_headers(),
        Json(json!({"id": flag.id})),
    )
        .into_response())
}

/// `GET /device/notifications`: what SPs did with the user's data (MC_ATTR_19).
#[utoipa::path(get, path = "/device/notifications", tag = "device",
    security(("dpop" = [])),
    params(("Authorization" = String, Header, description = "`DPoP <device access token>`")),
    responses(
        (status = 200, description = "What SPs did with the user's data", body = Object),
        (status = 401, description = "invalid_token or an invalid DPoP proof (`WWW-Authenticate: DPoP`)", body = crate::http::openapi::wire::OAuthError),
        (status = 500, description = "server_error", body = crate::http::openapi::wire::OAuthError),
    ))]
async fn notifications(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, DeviceError> {
    let device = authenticated(&state, &headers, "GET", "/device/notifications").await?;
    let items: Vec<Value> = state
        .store
        .user_notifications(&device.user_id)
        .await?
        .into_iter()
        .map(|n| {
            json!({"id": n.id, "client_id": n.client_id, "kind": n.kind,
                   "detail": serde_json::from_str::<Value>(&n.detail).unwrap_or(Value::Null),
                   "at": rfc3339(n.created_ms)})
        })
        .collect();
    Ok((
        crate::http::error::no_store_headers(),
        Json(json!({ "notifications": items })),
    )
        .into_response())
}

fn audit_filter(query: &HashMap<String, String>) -> Result<crate::store::AuditFilter, DeviceError> {
    let time = |name: &str| -> Result<Option<i64>, DeviceError> {
        query
            .get(name)
            .map(|t| {
                time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339)
                    .map(|t| t.unix_timestamp().saturating_mul(1000))
                    .map_err(|_| DeviceError::bad(format!("{name} must be RFC 3339")))
            })
            .transpose()
    };
    Ok(crate::store::AuditFilter {
        sp: query.get("sp").cloned(),
        kind: query.get("kind").cloned(),
        since_ms: time("since")?,
        until_ms: time("until")?,
    })
}

/// `GET /device/audit?sp=&kind=&since=&until=&after=&limit=`: the user's own entries
/// (MC_ATTR_32), oldest first, cursor-paged by sequence number (`next` is the cursor).
#[utoipa::path(get, path = "/device/audit", tag = "device",
    security(("dpop" = [])),
    params(("Authorization" = String, Header, description = "`DPoP <device access token>`"), crate::http::openapi::wire::AuditQuery),
    responses(
        (status = 200, description = "The user's own audit entries, cursor-paged", body = Object),
        (status = 400, description = "invalid_request", body = crate::http::openapi::wire::OAuthError),
        (status = 401, description = "invalid_token or an invalid DPoP proof (`WWW-Authenticate: DPoP`)", body = crate::http::openapi::wire::OAuthError),
        (status = 500, description = "server_error", body = crate::http::openapi::wire::OAuthError),
    ))]
async fn audit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, DeviceError> {
    let device = authenticated(&state, &headers, "GET", "/device/audit").await?;
    let filter = audit_filter(&query)?;
    let after = match query.get("after") {
        None => 0,
        Some(a) => a
            .parse::<i64>()
            .map_err(|_| DeviceError::bad("after is a sequence number"))?,
    };
    let limit = match query.get("limit") {
        None => 100,
        Some(l) => l
            .parse::<i64>()
            .ok()
            .filter(|l| (1..=AUDIT_PAGE_MAX).contains(l))
            .ok_or_else(|| DeviceError::bad(format!("limit is 1 to {AUDIT_PAGE_MAX}")))?,
    };
    let entries = state
        .store
        .user_audit(&device.user_id, after, limit, &filter)
        .await?;
    let next = (entries.len() as i64 == limit)
        .then(|| entries.last().map(|e| e.seq))
        .flatten();
    Ok((
        crate::http::error::no_store_headers(),
        Json(json!({"entries": entries, "next": next})),
    )
        .into_response())
}

/// `GET /device/audit/export`: every entry of the user, in order, with the hash-chain proof:
/// each entry carries its hash and the hash of the user's previous entry, so the chain
/// verifies offline from the first entry (`assent_audit::verify_user_chain`); the gateway
/// signs the head (ES256, its JWKS key) so the export can be shown to a third party.
#[utoipa::path(get, path = "/device/audit/export", tag = "device",
    security(("dpop" = [])),
    params(("Authorization" = String, Header, description = "`DPoP <device access token>`")),
    responses(
        (status = 200, description = "Every entry with its hashes and the signed head", body = Object),
        (status = 401, description = "invalid_token or an invalid DPoP proof (`WWW-Authenticate: DPoP`)", body = crate::http::openapi::wire::OAuthError),
        (status = 500, description = "server_error", body = crate::http::openapi::wire::OAuthError),
    ))]
async fn audit_export(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, DeviceError> {
    let device = authenticated(&state, &headers, "GET", "/device/audit/export").await?;
    let mut entries = Vec::new();
    let mut after = 0;
    loop {
        let page = state
            .store
            .user_audit(
                &device.user_id,
                after,
                AUDIT_PAGE_MAX,
                &crate::store::AuditFilter::default(),
            )
            .await?;
        let Some(last) = page.last() else { break };
        after = i64::try_from(last.seq).unwrap_or(i64::MAX);
        entries.extend(page);
    }
    let head = assent_audit::verify_user_chain(&device.user_id, &entries).map_err(|e| {
        tracing::error!(error = %e, "a user's audit chain does not verify");
        DeviceError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "the trail does not verify",
        )
    })?;
    let statement = json!({"iss": state.issuer, "sub": device.user_id, "head": head.to_hex(),
                           "count": entries.len(), "iat": now_ms() / 1000});
    let signed = crate::rules::idtoken::sign(&state.keys, &statement).map_err(|e| {
        tracing::error!(error = %e, "export signing");
        DeviceError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "the export could not be signed",
        )
    })?;
    Ok((
        crate::http::error::no_store_headers(),
        Json(json!({"user": device.user_id, "entries": entries, "head": head.to_hex(),
                    "signed_head": signed,
                    "verify": "assent-audit: each hash is SHA-256 over a domain prefix, seq, at_ms, \
                               kind, user, sp, authenticator, detail (length-prefixed), prev_hash \
                               and user_prev_hash; user_prev_hash is the hash of the user's \
                               previous entry (zeros for the first), so the user's entries \
                               form one chain ending at head"})),
    )
        .into_response())
}
