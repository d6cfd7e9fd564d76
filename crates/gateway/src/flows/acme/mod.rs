//! The ACME server (RFC 8555) at `/acme/directory`, for one kind of identifier — a single
//! telephone number as `TNAuthList` (RFC 9448) — and one challenge, `sms-link-00`
//! ([docs/acme-sms-link.md](../../../../docs/acme-sms-link.md)). Wire rules (JWS, problems,
//! TNAuthList, CSRs, certificates, key authorizations) are `assent-acme`'s; this module is
//! the server's state machine and its I/O.
//!
//! Bounds, because a six-digit code carries only ~20 bits: a code lives 10 minutes; 3 wrong
//! answers make the challenge invalid; 100 failed answers for a number, across all accounts,
//! lock the number until an operator unlocks it (`assent-gateway admin acme unlock`); at most
//! 5 SMS per number per hour (`rateLimited` with `Retry-After`); codes are stored as keyed
//! hashes and compared in constant time; of concurrent "ready" POSTs exactly one sends an SMS.

pub mod ca;
mod objects;

pub use ca::AcmeCa;

use crate::base::clock::now_ms;
use crate::base::clock::rfc3339;
use crate::base::ids::new_token;
use crate::http::AppState;
use crate::store::{AcmeAccount, AcmeAuthz, AcmeChallenge, AcmeOrder, StoreError};
use assent_acme::jws::{self, AccountKey, KeyRef, Payload};
use assent_acme::problem::{AcmeProblem, ProblemType};
use assent_acme::{cert, csr, sms_link, tnauthlist};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// How long a nonce may wait to be used (ms).
const NONCE_TTL_MS: i64 = 10 * 60_000;
/// An order and its authorization live this long (ms).
const ORDER_TTL_MS: i64 = 60 * 60_000;
// The bounds are the challenge's rules, pinned in assent-acme (and docs/acme-sms-link.md).
/// The code's lifetime (ms): at most 10 minutes.
const CODE_TTL_MS: i64 = sms_link::CODE_LIFETIME_SECS as i64 * 1000;
/// Wrong answers a challenge tolerates before it is invalid.
const MAX_WRONG_ANSWERS: i64 = sms_link::MAX_WRONG_ANSWERS_PER_CHALLENGE as i64;
/// Failed answers for a number, across all accounts, before it is locked.
const LOCK_AFTER_FAILURES: i64 = sms_link::MAX_FAILED_ANSWERS_PER_NUMBER as i64;
/// SMS per number per hour.
const MAX_SMS_PER_HOUR: i64 = sms_link::MAX_SMS_PER_NUMBER_PER_HOUR as i64;
const HOUR_MS: i64 = 3_600_000;
/// Certificates live short: numbers get reassigned, so control is proven again.
const CERTIFICATE_VALIDITY: time::Duration = cert::MAX_VALIDITY;
/// What a client waits before polling a pending or processing object (s).
const RETRY_AFTER_S: u64 = 2;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(directory))
        .routes(routes!(new_nonce_get, new_nonce_head))
        .routes(routes!(new_account))
        .routes(routes!(account))
        .routes(routes!(account_orders))
        .routes(routes!(key_change))
        .routes(routes!(new_order))
        .routes(routes!(order))
        .routes(routes!(finalize))
        .routes(routes!(authz))
        .routes(routes!(challenge))
        .routes(routes!(certificate))
        .routes(routes!(revoke_cert))
}

/// The URL of an ACME resource as clients see it.
fn url(state: &AppState, path: &str) -> String {
    format!("{}/acme{path}", state.issuer)
}

/// A response with what every ACME response carries: a fresh `Replay-Nonce` (§6.5), the
/// directory link (§7.1), and no caching.
struct Reply {
    status: StatusCode,
    body: ReplyBody,
    location: Option<String>,
    retry_after: Option<u64>,
}

enum ReplyBody {
    Json(Value),
    Pem(String),
    Empty,
}

impl Reply {
    fn json(status: StatusCode, body: Value) -> Self {
        Reply {
            status,
            body: ReplyBody::Json(body),
            location: None,
            retry_after: None,
        }
    }

    fn at(mut self, location: String) -> Self {
        self.location = Some(location);
        self
    }

    fn retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds);
        self
    }
}

/// An ACME error, with its `Retry-After` when it is a rate limit.
#[derive(Debug)]
struct Failure {
    problem: AcmeProblem,
    retry_after: Option<u64>,
}

impl From<AcmeProblem> for Failure {
    fn from(problem: AcmeProblem) -> Self {
        Failure {
            problem,
            retry_after: None,
        }
    }
}

impl From<StoreError> for Failure {
    fn from(error: StoreError) -> Self {
        tracing::error!(%error, "acme store error");
        AcmeProblem::new(
            ProblemType::ServerInternal,
            "the server could not complete the request",
        )
        .into()
    }
}

fn problem(kind: ProblemType, detail: impl Into<String>) -> Failure {
    AcmeProblem::new(kind, detail).into()
}

/// Over a request rate limit: `rateLimited` with `Retry-After` (RFC 8555 §6.6).
fn rate_limited(limited: crate::http::limits::Limited) -> Failure {
    Failure {
        problem: AcmeProblem::new(
            ProblemType::RateLimited,
            format!(
                "too many requests: try again in {} s",
                limited.retry_after_s
            ),
        ),
        retry_after: Some(limited.retry_after_s),
    }
}

async fn finish(state: &AppState, result: Result<Reply, Failure>) -> Response {
    // Handing a nonce out writes nothing: it carries its expiry and a MAC
    // (assent_acme::nonce); only spending one is recorded.
    let nonce = state.acme_ca.nonce_key().mint(now_ms() + NONCE_TTL_MS);
    let (status, body, location, retry_after) = match result {
        Ok(reply) => (reply.status, reply.body, reply.location, reply.retry_after),
        Err(failure) => (
            StatusCode::from_u16(failure.problem.kind.status()).unwrap_or(StatusCode::BAD_REQUEST),
            ReplyBody::Json(failure.problem.to_json()),
            None,
            failure.retry_after,
        ),
    };
    let problem_json = status.is_client_error() || status.is_server_error();
    let mut response = match body {
        ReplyBody::Json(value) => (status, Json(value)).into_response(),
        ReplyBody::Pem(pem) => (status, pem).into_response(),
        ReplyBody::Empty => status.into_response(),
    };
    let headers = response.headers_mut();
    if problem_json {
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
    }
    if let Ok(value) = HeaderValue::from_str(&nonce) {
        headers.insert(HeaderName::from_static("replay-nonce"), value);
    }
    if let Ok(link) =
        HeaderValue::from_str(&format!("<{}>;rel=\"index\"", url(state, "/directory")))
    {
        headers.insert(header::LINK, link);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Some(location) = location.and_then(|l| HeaderValue::from_str(&l).ok()) {
        headers.insert(header::LOCATION, location);
    }
    if let Some(seconds) = retry_after {
        headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}

/// `GET /acme/directory` (§7.1.1).
#[utoipa::path(get, path = "/acme/directory", tag = "acme",
    responses((status = 200, description = "The directory (RFC 8555 §7.1.1)", body = Object)))]
async fn directory(State(state): State<AppState>) -> Response {
    let body = json!({
        "newNonce": url(&state, "/new-nonce"),
        "newAccount": url(&state, "/new-account"),
        "newOrder": url(&state, "/new-order"),
        "revokeCert": url(&state, "/revoke-cert"),
        "keyChange": url(&state, "/key-change"),
        "meta": {
            "website": state.issuer,
            "externalAccountRequired": false,
        },
    });
    (
        [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))],
        Json(body),
    )
        .into_response()
}

/// `HEAD /acme/new-nonce` is 200, `GET` 204 (§7.2).
#[utoipa::path(head, path = "/acme/new-nonce", tag = "acme",
    responses((status = 200, description = "A fresh nonce in Replay-Nonce (§7.2)")))]
async fn new_nonce_head(State(state): State<AppState>) -> Response {
    finish(&state, Ok(empty(StatusCode::OK))).await
}

#[utoipa::path(get, path = "/acme/new-nonce", tag = "acme",
    responses((status = 204, description = "A fresh nonce in Replay-Nonce (§7.2)")))]
async fn new_nonce_get(State(state): State<AppState>) -> Response {
    finish(&state, Ok(empty(StatusCode::NO_CONTENT))).await
}

fn empty(status: StatusCode) -> Reply {
    Reply {
        status,
        body: ReplyBody::Empty,
        location: None,
        retry_after: None,
    }
}

/// A request that passed §6.2–6.5: the right URL, a fresh nonce, a good signature.
struct Signed {
    payload: Payload,
    key: AccountKey,
    /// With `kid`: the account (valid).
    account: Option<AcmeAccount>,
    url: String,
}

/// Which key forms an endpoint accepts (§6.2: `jwk` only for newAccount and revokeCert).
#[derive(Clone, Copy, PartialEq, Eq)]
enum KeyForm {
    KidOnly,
    JwkOnly,
    Either,
}

async fn signed(
    state: &AppState,
    path: &str,
    body: &[u8],
    form: KeyForm,
) -> Result<Signed, Failure> {
    let request = jws::parse(body)?;
    let expected = url(state, path);
    if request.protected.url != expected {
        return Err(problem(
            ProblemType::Unauthorized,
            format!("the JWS url is not the URL this request was sent to ({expected})"),
        ));
    }
    let now = now_ms();
    let expires_ms = state
        .acme_ca
        .nonce_key()
        .check(&request.protected.nonce, now)
        .map_err(|e| problem(ProblemType::BadNonce, e.to_string()))?;
    if !state
        .store
        .acme_spend_nonce(&request.protected.nonce, expires_ms, now)
        .await?
    {
        return Err(problem(ProblemType::BadNonce, "the nonce was used already"));
    }
    let (key, account) = match &request.protected.key {
        KeyRef::Jwk(key) => {
            if form == KeyForm::KidOnly {
                return Err(problem(
                    ProblemType::Malformed,
                    "this resource needs a kid (the account URL), not a jwk",
                ));
            }
            (key.clone(), None)
        }
        KeyRef::Kid(kid) => {
            if form == KeyForm::JwkOnly {
                return Err(problem(
                    ProblemType::Malformed,
                    "newAccount needs a jwk, not a kid",
                ));
            }
            let prefix = url(state, "/account/");
            let account = match kid.strip_prefix(&prefix) {
                Some(id) => state.store.acme_account(id).await?,
                None => None,
            }
            .ok_or_else(|| problem(ProblemType::AccountDoesNotExist, "no such account"))?;
            if account.status != "valid" {
                return Err(problem(
                    ProblemType::Unauthorized,
                    format!("the account is {}", account.status),
                ));
            }
            let jwk: Value = serde_json::from_str(&account.jwk)
                .map_err(|_| problem(ProblemType::ServerInternal, "stored key unreadable"))?;
            (AccountKey::from_jwk(&jwk)?, Some(account))
        }
    };
    request.verify(&key)?;
    Ok(Signed {
        payload: request.payload,
        key,
        account,
        url: expected,
    })
}

fn account_of(signed: &Signed) -> Result<&AcmeAccount, Failure> {
    signed
        .account
        .as_ref()
        .ok_or_else(|| problem(ProblemType::Malformed, "this resource needs a kid"))
}

fn payload_object(payload: &Payload) -> Result<&serde_json::Map<String, Value>, Failure> {
    match payload {
        Payload::Json(Value::Object(map)) => Ok(map),
        _ => Err(problem(
            ProblemType::Malformed,
            "the payload must be a JSON object",
        )),
    }
}

/// `POST /acme/new-account` (§7.3).
#[utoipa::path(post, path = "/acme/new-account", tag = "acme",
    request_body(content = crate::http::openapi::wire::Jws, content_type = "application/jose+json"),
    responses(
        (status = 201, description = "The new account, Location its URL", body = Object),
        (status = 200, description = "The existing account for this key", body = Object),
        (status = 400, description = "malformed, badNonce (with a fresh Replay-Nonce), badSignatureAlgorithm, badCSR…", body = crate::http::openapi::wire::AcmeProblem, content_type = "application/problem+json"),
        (status = 403, description = "unauthorized, incorrectResponse, orderNotReady…", body = crate::http::openapi::wire::AcmeProblem, content_type = "application/problem+json"),
        (status = 429, description = "rateLimited, with Retry-After", body = crate::http::openapi::wire::AcmeProblem, content_type = "application/problem+json"),
        (status = 500, description = "serverInternal", body = crate::http::openapi::wire::AcmeProblem, content_type = "application/problem+json"),
    ))]
async fn new_account(
    State(state): State<AppState>,
    extensions: axum::http::Extensions,
    body: Bytes,
) -> Response {
    let result = async {
        // Before any work: no account exists yet, so the peer's address is the only key.
        if let Some(peer) = extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>() {
            state
                .limits
                .acme_new_account
                .check(&peer.0.ip())
                .map_err(rate_limited)?;
        }
        let signed = signed(&state, "/new-account", &body, KeyForm::JwkOnly).await?;
        let payload = payload_object(&signed.payload)?;
        let thumbprint = signed.key.thumbprint();
        if let Some(existing) = state.store.acme_account_by_thumbprint(&thumbprint).await? {
            let location = url(&state, &format!("/account/{}", existing.id));
            return Ok(
                Reply::json(StatusCode::OK, objects::account(&state, &existing)).at(location),
            );
        }
        if payload.get("onlyReturnExisting") == Some(&Value::Bool(true)) {
            return Err(problem(
                ProblemType::AccountDoesNotExist,
                "no account has this key",
            ));
        }
        let contact = contacts(payload.get("contact"))?;
        let account = AcmeAccount {
            id: format!("a-{}", new_token().get(..22).unwrap_or("0")),
            jwk: signed.key.to_jwk().to_string(),
            thumbprint,
            status: "valid".into(),
            contact: contact.to_string(),
            created_ms: now_ms(),
        };
        if !state.store.acme_insert_account(&account).await? {
            // A concurrent newAccount with the same key won: return that one.
            let existing = state
                .store
                .acme_account_by_thumbprint(&account.thumbprint)
                .await?
                .ok_or_else(|| problem(ProblemType::ServerInternal, "account vanished"))?;
            let location = url(&state, &format!("/account/{}", existing.id));
            return Ok(
                Reply::json(StatusCode::OK, objects::account(&state, &existing)).at(location),
            );
        }
        let location = url(&state, &format!("/account/{}", account.id));
        Ok(Reply::json(StatusCode::CREATED, objects::account(&state, &account)).at(location))
    }
    .await;
    finish(&state, result).await
}

/// `contact` (§7.3): `mailto:` or `tel:` URLs; an empty list is fine.
fn contacts(value: Option<&Value>) -> Result<Value, Failure> {
    match value {
        None => Ok(json!([])),
        Some(Value::Array(items)) => {
            for item in items {
                let Some(text) = item.as_str() else {
                    return Err(problem(ProblemType::InvalidContact, "contacts are URLs"));
                };
                if !(text.starts_with("mailto:") || text.starts_with("tel:")) {
                    return Err(problem(
                        ProblemType::UnsupportedContact,
                        "only mailto: and tel: contacts are supported",
                    ));
                }
            }
            Ok(Value::Array(items.clone()))
        }
        Some(_) => Err(problem(ProblemType::Malformed, "contact must be an array")),
    }
}

/// `POST /acme/account/{id}`: POST-as-GET, contact update, or deactivation (§7.3.2, 7.3.6).
#[utoipa::path(post, path = "/acme/account/{id}", tag = "acme",
    params(("id" = String, Path, description = "account id")),
    request_body(content = crate::http::openapi::wire::Jws, content_type = "application/jose+json"),
    responses(
        (status = 200, description = "The account (POST-as-GET or update)", body = Object),
        (status = 400, description = "malformed, badNonce (with a fresh Replay-Nonce), badSignatureAlgorithm, badCSR…", body = crate::http::openapi::wire::AcmeProblem, content_type = "application/problem+json"),
        (status = 403, description = "unauthorized, incorrectResponse, orderNotReady…", body = crate::http::openapi::wire::AcmeProblem, content_type = "application/problem+json"),
        (status = 429, description = "rateLimited, with Retry-After", body = crate::http::openapi::wire::AcmeProblem, content_type = "application/problem+json"),
        (status = 500, description = "serverInternal", body = crate::http::openapi::wire::AcmeProblem, content_type = "application/problem+json"),
    ))]
async fn account(State(state): State<AppState>, Path(id): Path<String>, body: Bytes) -> Response {
    let result = async {
        let signed = signed(&state, &format!("/account/{id}"), &body, KeyForm::KidOnly).await?;
        let account = account_of(&signed)?.clone();
        if account.id != id {
            return Err(problem(ProblemType::Unauthorized, "not your account"));
        }
        let mut updated = account.clone();
        if let Payload::Json(_) = &signed.payload {
            let payload = payload_object(&signed.payload)?;
            if let Some(contact) = payload.get("contact") {
                updated.contact = contacts(Some(contact))?.to_string();
            }
            match payload.get("status").and_then(Value::as_str) {
                None => {}
                Some("deactivated") => updated.status = "deactivated".into(),
                Some(other) => {
                    return Err(problem(
                        ProblemType::Malformed,
                        format!("an account cannot be set to {other}"),
                    ));
                }
            }
            state
                .store
                .acme_update_account(&updated.id, &updated.status, &updated.contact)
                .await?;
        }
        Ok(Reply::json(
            StatusCode::OK,
            objects::account(&state, &updated),
        ))
    }
    .await;
    finish(&state, result).await
}

/// `POST /acme/account/{id}/orders` (§7.1.2.1).
#[utoipa::path(post, path = "/acme/account/{id}/orders", tag = "acme",
    params(("id" = String, Path, description = "account id")),
    request_body(content = crate::http::openapi::wire::Jws, content_type = "application/jose+json"),
    responses(
        (status = 200, description = "`{orders: [URL]}`", body = Object),
        (status = 400, description = "malformed, badNonce (with a fresh Replay-Nonce), badSignatureAlgorithm, badCSR…", body = crate::http::openapi::wire::AcmeProblem, content_type = "application/problem+json"),
        (status = 403, description = "unauthorized, incorrectResponse, orderNotReady…", body = crate::http::openapi::wire::AcmeProblem, content_type = "application/problem+json"),
        (status = 429, description = "rateLimited, with Retry-After", body = crate::http::openapi::wire::AcmeProblem, content_type = "application/problem+json"),
        (status = 500, description = "serverInternal", body = crate::http::openapi::wire::AcmeProblem, content_type = "application/problem+json"),
    ))]
async fn account_orders(
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let result = async {
        let signed = signed(
            &state,
            &format!("/account/{id}/orders"),
            &body,
            KeyForm::KidOnly,
        )
        .await?;
        let account = account_of(&signed)?;
        if account.id != id {
            return Err(problem(ProblemType::Unauthorized, "not your account"));
        }
        let orders: Vec<String> = state
            .store
            .acme_orders_of(&id)
            .await?
            .iter()
            .filter(|o| o.status != "invalid")
            .map(|o| url(&state, &format!("/order/{}", o.id)))
            .collect();
        Ok(Reply::json(StatusCode::OK, json!({ "orders": orders })))
    }
    .await;
    finish(&state, result).await
}

/// `POST /acme/key-change` (§7.3.5).
#[utoipa::path(post, path = "/acme/key-change", tag = "acme",
    request_body(content = crate::http::openapi::wire::Jws, content_type = "application/jose+json"),
    responses(
        (status = 200, description = "The account with its new key", body = Object),
        (status = 400, description = "malformed, badNonce (with a fresh Replay-Nonce), badSignatureAlgorithm, badCSR…", body = crate::http::openapi::wire::AcmeProblem, content_type = "application/problem+json"),
        (status = 403, description = "unauthorized, incorrectResponse, orderNotReady…", body = crate::http::openapi::wire::AcmeProblem, content_type = "application/problem+json"),
        (status = 429, description = "rateLimited, with Retry-After", body = crate::http::openapi::wire::AcmeProblem, content_type = "application/problem+json"),
        (status = 500, description = "serverInternal", body = crate::http::openapi::wire::AcmeProblem, content_type = "application/problem+json"),
    ))]
async fn key_change(State(state): State<AppState>, body: Bytes) -> Response {
    let result = async {
        let signed = signed(&state, "/key-change", &body, KeyForm::KidOnly).await?;
        let account = account_of(&signed)?.clone();
        let Payload::Json(inner) = &signed.payload else {
            return Err(problem(
                ProblemType::Malformed,
                "the payload must be the inner JWS",
            ));
        };
        let (new_key, account_url, old_key) = jws::parse_key_change_inner(inner, &signed.url)?;
        if account_url != url(&state, &format!("/account/{}", account.id)) {
            return Err(problem(
                ProblemType::Unauthorized,
                "the inner account is not the signer's",
            ));
        }
        if old_key.thumbprint() != account.thumbprint {
            return Err(problem(
                ProblemType::Unauthorized,
                "oldKey is not the account's key",
            ));
        }
        let thumbprint = new_key.thumbprint();
        if let Some(other) = state.store.acme_account_by_thumbprint(&thumbprint).await? {
            return Err(Failure {
                problem: AcmeProblem::new(
                    ProblemType::Malformed,
                    format!(
                        "the new key belongs to {}",
                        url(&state, &format!("/account/{}", other.id))
                    ),
                ),
                retry_after: None,
            });
        }
        if !state
            .store
            .acme_change_key(
                &account.id,
                &account.thumbprint,
                &new_key.to_jwk().to_string(),
                &thumbprint,
            )
            .await?
        {
            return Err(problem(
                ProblemType::Malformed,
                "the key changed concurrently",
            ));
        }
        let mut updated = account;
        updated.jwk = new_key.to_jwk().to_string();
        updated.thumbprint = thumbprint;
        Ok(Reply::json(
            StatusCode::OK,
            objects::account(&state, &updated),
        ))
    }
    .await;
    finish(&state, result).await
}

/// `POST /acme/new-order` (§7.4): exactly one `TNAuthList` identifier with one number.
#[utoipa::path(post, path = "/acme/new-order", tag = "acme",
    request_body(content = crate::http::openapi::wire::Jws, content_type = "application/jose+json"),
    responses(
        (status = 201, description = "The new order for one TNAuthList identifier", body = Object),
        (status = 400, description = "malformed, badNonce (with a fresh Replay-Nonce), badSignatureAlgorithm, badCSR…", body = crate::http::openapi::wire::AcmeProblem, content_type = "application/problem+json"),
        (status = 403, description = "unauthorized, incorrectResponse, orderNotReady…", body = crate::http::openapi::wire::AcmeProblem, content_type = "application/problem+json"),
        (status = 429, description = "rateLimited, with Retry-After", body = crate::http::openapi::wire::AcmeProblem, content_type = "application/problem+json"),
        (status = 500, description = "serverInternal", body = crate::http::openapi::wire::AcmeProblem, content_type = "application/problem+json"),
    ))]
async fn new_order(State(state): State<AppState>, body: Bytes) -> Response {
    let result = async {
        let signed = signed(&state, "/new-order", &body, KeyForm::KidOnly).await?;
        let account = account_of(&signed)?.clone();
        state
            .limits
            .acme_new_order
            .check(&account.id)
            .map_err(rate_limited)?;
        let payload = payload_object(&signed.payload)?;
        if payload.contains_key("notBefore") || payload.contains_key("notAfter") {
            return Err(problem(
                ProblemType::Malformed,
                "notBefore and notAfter are not supported: certificates live 30 days from issuance",
            ));
        }
        let identifiers = payload
            .get("identifiers")
            .and_then(Value::as_array)
            .ok_or_else(|| problem(ProblemType::Malformed, "identifiers is missing"))?;
        if let Some(other) = identifiers
            .iter()
            .find(|i| i["type"] != tnauthlist::IDENTIFIER_TYPE)
        {
            return Err(problem(
                ProblemType::UnsupportedIdentifier,
                format!(
                    "this server issues certificates for telephone numbers only (TNAuthList, RFC 9448), not {}",
                    other["type"]
                ),
            ));
        }
        let [identifier] = identifiers.as_slice() else {
            return Err(problem(
                ProblemType::RejectedIdentifier,
                "an order names exactly one telephone number",
            ));
        };
        let value = identifier["value"]
            .as_str()
            .ok_or_else(|| problem(ProblemType::Malformed, "the identifier value must be a string"))?;
        let number = tnauthlist::number_from_identifier_value(value).map_err(|e| {
            problem(ProblemType::RejectedIdentifier, format!("not a single telephone number: {e}"))
        })?;
        let number = crate::base::msisdn::normalize_msisdn(&number).ok_or_else(|| {
            problem(ProblemType::RejectedIdentifier, "not an E.164 number")
        })?;
        refuse_locked(&state, &number).await?;
        let now = now_ms();
        let id = |prefix: &str| format!("{prefix}-{}", new_token().get(..22).unwrap_or("0"));
        let authz = AcmeAuthz {
            id: id("z"),
            account_id: account.id.clone(),
            number: number.clone(),
            status: "pending".into(),
            expires_ms: now + ORDER_TTL_MS,
        };
        let challenge = AcmeChallenge {
            id: id("c"),
            authz_id: authz.id.clone(),
            token: sms_link::new_token(),
            status: "pending".into(),
            code_hash: None,
            code_expires_ms: None,
            wrong_answers: 0,
            validated_ms: None,
            error: None,
        };
        let order = AcmeOrder {
            id: id("o"),
            account_id: account.id.clone(),
            number,
            status: "pending".into(),
            expires_ms: now + ORDER_TTL_MS,
            authz_id: authz.id.clone(),
            cert_id: None,
            error: None,
        };
        state.store.acme_insert_order(&order, &authz, &challenge).await?;
        let location = url(&state, &format!("/order/{}", order.id));
        Ok(Reply::json(StatusCode::CREATED, objects::order(&state, &order)).at(location))
    }
    .await;
    finish(&state, result).await
}

async fn refuse_locked(state: &AppState, number: &str) -> Result<(), Failure> {
    if state.store.acme_number(number).await?.1.is_some() {
        return Err(problem(
            ProblemType::RejectedIdentifier,
            "this number is locked after too many failed answers; an operator must unlock it",
        ));
    }
    Ok(())
}

/// The order of an account, or `unauthorized` / 404-like `malformed`.
async fn owned_order(
    state: &AppState,
    id: &str,
    account: &AcmeAccount,
) -> Result<AcmeOrder, Failure> {
    match state.store.acme_order(id).await? {
        Some(order) if order.account_id == account.id => Ok(order),
        Some(_) => Err(problem(ProblemType::Unauthorized, "not your order")),
        None => Err(problem(ProblemType::Malformed, "no such order")),
    }
}

/// `POST /acme/order/{id}` (POST-as-GET).
#[utoipa::path(post, path = "/acme/order/{id}", tag = "acme",
    params(("id" = String, Path, description = "order id")),
    request_body(content = crate::http::openapi::wire::Jws, content_type = "application/jose+json"),
    responses(
        (status = 200, description = "The order", body = Object),
        (status = 400, description = "malformed, badNonce (with a fresh Replay-Nonce), badSignatureAlgorithm, badCSR…", body = crate::http::openapi::wire::AcmeProblem, content_type = "application/problem+json"),
        (status = 403, description = "unauthorized, incorrectResponse, orderNotReady…", body = crate::http::openapi::wire::AcmeProblem, content_type = "application/problem+json"),
        (status = 429, description = "rateLimited, with Retry-After", body = crate::http::openapi::wire::AcmeProblem, content_type = "application/problem+json"),
        (status = 500, description = "serverInternal", body = crate::http::openapi::wire::AcmeProblem, content_type = "application/problem+json"),
    ))]
async fn order(State(state): State<AppState>, Path(id): Path<String>, body: Bytes) -> Response {
    let result = async {
        let signed = signed(&state, &format!("/order/{id}"), &body, KeyForm::KidOnly).await?;
        let order = owned_order(&state, &id, account_of(&signed)?).await?;
        let reply = Reply::json(StatusCode::OK, objects::order(&state, &order));
        Ok(match order.status.as_str() {
            "pending" | "processing" => reply.retry_after(RETRY_AFTER_S),
            _ => reply,
        })
    }
    .await;
    finish(&state, result).await
}

/// `POST /acme/authz/{id}`: POST-as-GET, or deactivation (§7.5, 7.5.2).
#[utoipa::path(post, path = "/acme/authz/{id}", tag = "acme",
    params(("id" = String, Path, description = "authorization id")),
    request_body(content = crate::http::openapi::wire::Jws, content_type = "application/jose+json"),
    responses(
        (status = 200, description = "The authorization", body = Object),
        (status = 400, description = "malformed, badNonce (with a fresh Replay-Nonce), badSignatureAlgorithm, badCSR…", body = crate::http::openapi::wire::AcmeProblem, content_type = "application/problem+json"),
        (status = 403, description = "unauthorized, incorrectResponse, orderNotReady…", body = crate::http::openapi::wire::AcmeProblem, content_type = "application/problem+json"),
        (status = 429, description = "rateLimited, with Retry-After", body = crate::http::openapi::wire::AcmeProblem, content_type = "application/problem+json"),
        (status = 500, description = "serverInternal", body = crate::http::openapi::wire::AcmeProblem, content_type = "application/problem+json"),
    ))]
async fn authz(State(state): State<AppState>, Path(id): Path<String>, body: Bytes) -> Response {
    let result = async {
        let signed = signed(&state, &format!("/authz/{id}"), &body, KeyForm::KidOnly).await?;
        let account = account_of(&signed)?;
        let mut authz = match state.store.acme_authz(&id).await? {
            Some(a) if a.account_id == account.id => a,
            Some(_) => return Err(problem(ProblemType::Unauthorized, "not your authorization")),
            None => return Err(problem(ProblemType::Malformed, "no such authorization")),
        };
        if let Payload::Json(_) = &signed.payload {
            let payload = payload_object(&signed.payload)?;
            if payload.get("status").and_then(Value::as_str) == Some("deactivated") {
                for from in ["pending", "valid"] {
                    if state
                        .store
                        .acme_authz_status(&id, from, "deactivated")
                        .await?
                    {
                        authz.status = "deactivated".into();
                    }
                }
            }
        }
        let challenge = state.store.acme_challenge_of(&id).await?;
        let reply = Reply::json(
            StatusCode::OK,
            objects::authz(&state, &authz, challenge.as_ref()),
        );
        Ok(if authz.status == "pending" {
            reply.retry_after(RETRY_AFTER_S)
        } else {
            reply
        })
    }
    .await;
    finish(&state, result).await
}

/// `POST /acme/chall/{id}`: `{}` says "ready" (one SMS with a code); `{"keyAuthorization"}`
/// completes it; an empty payload is POST-as-GET.
#[utoipa::path(post, path = "/acme/chall/{id}", tag = "acme",
    params(("id" = String, Path, description = "challenge id")),
    request_body(content = crate::http::openapi::wire::Jws, content_type = "application/jose+json"),
    responses(
        (status = 200, description = "The challenge: an empty-object payload starts it (the SMS is sent), `{\"keyAuthorization\"}` answers it, an empty payload reads it", body = Object),
        (status = 400, description = "malformed, badNonce (with a fresh Replay-Nonce), badSignatureAlgorithm, badCSR…", body = crate::http::openapi::wire::AcmeProblem, content_type = "application/problem+json"),
        (status = 403, description = "unauthorized, incorrectResponse, orderNotReady…", body = crate::http::openapi::wire::AcmeProblem, content_type = "application/problem+json"),
        (status = 429, description = "rateLimited, with Retry-After", body = crate::http::openapi::wire::AcmeProblem, content_type = "application/problem+json"),
        (status = 500, description = "serverInternal", body = crate::http::openapi::wire::AcmeProblem, content_type = "application/problem+json"),
    ))]
async fn challenge(State(state): State<AppState>, Path(id): Path<String>, body: Bytes) -> Response {
    let result = async {
        let signed = signed(&state, &format!("/chall/{id}"), &body, KeyForm::KidOnly).await?;
        let account = account_of(&signed)?.clone();
        state
            .limits
            .acme_challenge
            .check(&account.id)
            .map_err(rate_limited)?;
        let challenge = state
            .store
            .acme_challenge(&id)
            .await?
            .ok_or_else(|| problem(ProblemType::Malformed, "no such challenge"))?;
        let authz = match state.store.acme_authz(&challenge.authz_id).await? {
            Some(a) if a.account_id == account.id => a,
            _ => return Err(problem(ProblemType::Unauthorized, "not your challenge")),
        };
        let challenge = match &signed.payload {
            Payload::Empty => challenge,
            Payload::Json(Value::Object(map)) if map.is_empty() => {
                ready(&state, &authz, challenge).await?
            }
            Payload::Json(Value::Object(map)) => {
                let submitted = map
                    .get("keyAuthorization")
                    .and_then(Value::as_str)
                    .ok_or_else(|| {
                        problem(
                            ProblemType::Malformed,
                            "expected {} or {\"keyAuthorization\"}",
                        )
                    })?;
                answer(&state, &account, &authz, challenge, submitted).await?
            }
            Payload::Json(_) => {
                return Err(problem(
                    ProblemType::Malformed,
                    "the payload must be an object",
                ));
            }
        };
        let reply = Reply::json(StatusCode::OK, objects::challenge(&state, &challenge))
            .at(url(&state, &format!("/authz/{}", authz.id)));
        Ok(if challenge.status == "processing" {
            reply.retry_after(RETRY_AFTER_S)
        } else {
            reply
        })
    }
    .await;
    finish(&state, result).await
}

/// The client is ready: send the code (once), within the per-number bounds.
async fn ready(
    state: &AppState,
    authz: &AcmeAuthz,
    challenge: AcmeChallenge,
) -> Result<AcmeChallenge, Failure> {
    if challenge.status != "pending" {
        // Concurrent or repeated "ready": the first one sent the SMS; nothing more is sent.
        return Ok(challenge);
    }
    let now = now_ms();
    if now > authz.expires_ms {
        return Err(problem(ProblemType::Malformed, "the authorization expired"));
    }
    refuse_locked(state, &authz.number).await?;
    let (sent, oldest) = state
        .store
        .acme_sms_since(&authz.number, now - HOUR_MS)
        .await?;
    if sent >= MAX_SMS_PER_HOUR {
        let wait_ms = oldest.map_or(HOUR_MS, |o| o + HOUR_MS - now).max(1000);
        return Err(Failure {
            problem: AcmeProblem::new(
                ProblemType::RateLimited,
                format!("at most {MAX_SMS_PER_HOUR} codes per number per hour"),
            ),
            retry_after: Some(u64::try_from((wait_ms + 999) / 1000).unwrap_or(3600)),
        });
    }
    let code = sms_link::new_code();
    let hash = sms_link::hash_code(state.acme_ca.code_key(), &challenge.id, &code);
    if !state
        .store
        .acme_challenge_processing(&challenge.id, &hash, now + CODE_TTL_MS)
        .await?
    {
        return Ok(state
            .store
            .acme_challenge(&challenge.id)
            .await?
            .unwrap_or(challenge));
    }
    let host = issuer_host(&state.issuer).to_owned();
    let text = sms_link::sms_text(&host, &code);
    let prompt = crate::flows::handset::OutgoingPrompt {
        units: i64::try_from(text.chars().count()).unwrap_or(i64::MAX),
        encoding: "gsm7".into(),
        text,
        content: None,
    };
    if let Err(error) = state.sms.send_sms(&authz.number, &prompt, false).await {
        tracing::error!(%error, "the code SMS could not be sent");
        state
            .store
            .acme_challenge_back_to_pending(&challenge.id)
            .await?;
        return Err(problem(
            ProblemType::ServerInternal,
            "the SMS could not be sent; try again",
        ));
    }
    state.store.acme_sms_sent(&authz.number, now).await?;
    Ok(state
        .store
        .acme_challenge(&challenge.id)
        .await?
        .unwrap_or(challenge))
}

/// The client relays the code: valid, or a wrong answer counted against the challenge and
/// the number.
async fn answer(
    state: &AppState,
    account: &AcmeAccount,
    authz: &AcmeAuthz,
    challenge: AcmeChallenge,
    submitted: &str,
) -> Result<AcmeChallenge, Failure> {
    if challenge.status != "processing" {
        return Err(problem(
            ProblemType::Malformed,
            format!(
                "the challenge is {}: POST {{}} first to receive the code",
                challenge.status
            ),
        ));
    }
    refuse_locked(state, &authz.number).await?;
    let now = now_ms();
    let order_of = || async {
        Ok::<_, StoreError>(
            state
                .store
                .acme_orders_of(&account.id)
                .await?
                .into_iter()
                .find(|o| o.authz_id == authz.id),
        )
    };
    if challenge.code_expires_ms.is_none_or(|e| now > e) {
        let error = AcmeProblem::new(ProblemType::IncorrectResponse, "the code expired");
        invalidate(state, authz, &challenge, order_of().await?, &error, now).await?;
        return Err(error.into());
    }
    let correct =
        sms_link::code_from_key_authorization(submitted, &challenge.token, &account.thumbprint)
            .ok()
            .zip(challenge.code_hash.as_deref())
            .is_some_and(|(code, hash)| {
                sms_link::code_matches(state.acme_ca.code_key(), &challenge.id, &code, hash)
            });
    if correct {
        if state
            .store
            .acme_challenge_close(&challenge.id, "valid", now, None)
            .await?
        {
            state
                .store
                .acme_authz_status(&authz.id, "pending", "valid")
                .await?;
            if let Some(order) = order_of().await? {
                state
                    .store
                    .acme_order_status(&order.id, "pending", "ready", None)
                    .await?;
            }
        }
        return Ok(state
            .store
            .acme_challenge(&challenge.id)
            .await?
            .unwrap_or(challenge));
    }
    let wrong = state.store.acme_wrong_answer(&challenge.id).await?;
    let failures = state
        .store
        .acme_number_failure(&authz.number, LOCK_AFTER_FAILURES, now)
        .await?;
    if failures >= LOCK_AFTER_FAILURES {
        tracing::warn!("a number was locked after too many failed answers");
    }
    if wrong >= MAX_WRONG_ANSWERS {
        let error = AcmeProblem::new(
            ProblemType::IncorrectResponse,
            "wrong code; the challenge is now invalid",
        );
        invalidate(state, authz, &challenge, order_of().await?, &error, now).await?;
        return Err(error.into());
    }
    Err(problem(
        ProblemType::IncorrectResponse,
        format!("wrong code; {} attempts left", MAX_WRONG_ANSWERS - wrong),
    ))
}

async fn invalidate(
    state: &AppState,
    authz: &AcmeAuthz,
    challenge: &AcmeChallenge,
    order: Option<AcmeOrder>,
    error: &AcmeProblem,
    now: i64,
) -> Result<(), StoreError> {
    let error = error.to_json().to_string();
    state
        .store
        .acme_challenge_close(&challenge.id, "invalid", now, Some(&error))
        .await?;
    state
        .store
        .acme_authz_status(&authz.id, "pending", "invalid")
        .await?;
    if let Some(order) = order {
        state
            .store
            .acme_order_status(&order.id, "pending", "invalid", Some(&error))
            .await?;
    }
    Ok(())
}

/// `POST /acme/order/{id}/finalize` (§7.4): the CSR names the order's number and a key other
/// than the account key.
#[utoipa::path(post, path = "/acme/order/{id}/finalize", tag = "acme",
    params(("id" = String, Path, description = "order id")),
    request_body(content = crate::http::openapi::wire::Jws, content_type = "application/jose+json"),
    responses(
        (status = 200, description = "The order, processing or valid", body = Object),
        (status = 400, description = "malformed, badNonce (with a fresh Replay-Nonce), badSignatureAlgorithm, badCSR…", body = crate::http::openapi::wire::AcmeProblem, content_type = "application/problem+json"),
        (status = 403, description = "unauthorized, incorrectResponse, orderNotReady…", body = crate::http::openapi::wire::AcmeProblem, content_type = "application/problem+json"),
        (status = 429, description = "rateLimited, with Retry-After", body = crate::http::openapi::wire::AcmeProblem, content_type = "application/problem+json"),
        (status = 500, description = "serverInternal", body = crate::http::openapi::wire::AcmeProblem, content_type = "application/problem+json"),
    ))]
async fn finalize(State(state): State<AppState>, Path(id): Path<String>, body: Bytes) -> Response {
    let result = async {
        let signed = signed(
            &state,
            &format!("/order/{id}/finalize"),
            &body,
            KeyForm::KidOnly,
        )
        .await?;
        let account = account_of(&signed)?.clone();
        let order = owned_order(&state, &id, &account).await?;
        if order.status != "ready" {
            return Err(problem(
                ProblemType::OrderNotReady,
                format!("the order is {}", order.status),
            ));
        }
        let payload = payload_object(&signed.payload)?;
        let csr_der = payload
            .get("csr")
            .and_then(Value::as_str)
            .and_then(|b64| URL_SAFE_NO_PAD.decode(b64).ok())
            .ok_or_else(|| problem(ProblemType::Malformed, "csr must be base64url DER"))?;
        let info =
            csr::check_csr(&csr_der).map_err(|e| problem(ProblemType::BadCsr, e.to_string()))?;
        if info
            .tn_auth_list
            .single_number()
            .map(|n| n.trim_start_matches('+'))
            != Some(order.number.as_str())
        {
            return Err(problem(
                ProblemType::BadCsr,
                "the CSR's TNAuthList is not the order's number",
            ));
        }
        if spki_is(&info.public_key_spki_der, &signed.key) {
            return Err(problem(
                ProblemType::BadCsr,
                "the certificate key must not be the account key",
            ));
        }
        if !state
            .store
            .acme_order_status(&id, "ready", "processing", None)
            .await?
        {
            return Err(problem(
                ProblemType::OrderNotReady,
                "the order is being finalized",
            ));
        }
        let issued = match cert::issue(
            &csr_der,
            &order.number,
            state.acme_ca.issuer(),
            CERTIFICATE_VALIDITY,
        ) {
            Ok(issued) => issued,
            Err(e) => {
                state
                    .store
                    .acme_order_status(&id, "processing", "ready", None)
                    .await?;
                return Err(problem(ProblemType::BadCsr, e.to_string()));
            }
        };
        let certificate = crate::store::AcmeCertificate {
            id: format!("t-{}", new_token().get(..22).unwrap_or("0")),
            account_id: account.id.clone(),
            order_id: order.id.clone(),
            number: order.number.clone(),
            serial: issued.serial_hex.clone(),
            der_sha256: hex::encode(Sha256::digest(&issued.der)),
            spki_der: hex::encode(&info.public_key_spki_der),
            pem_chain: format!("{}{}", issued.pem, state.acme_ca.pem()),
            not_after_ms: issued.not_after.unix_timestamp().saturating_mul(1000),
            revoked_ms: None,
            revocation_reason: None,
        };
        state.store.acme_insert_certificate(&certificate).await?;
        state
            .store
            .acme_order_certificate(&id, &certificate.id)
            .await?;
        audit_enrollment(
            &state,
            &order.number,
            "certificate_issued",
            &certificate.serial,
        )
        .await?;
        let order = state
            .store
            .acme_order(&id)
            .await?
            .ok_or_else(|| problem(ProblemType::ServerInternal, "order vanished"))?;
        Ok(Reply::json(StatusCode::OK, objects::order(&state, &order))
            .at(url(&state, &format!("/order/{id}"))))
    }
    .await;
    finish(&state, result).await
}

/// Whether an SPKI (DER) holds the same public key as an account key: the subjectPublicKey
/// BIT STRING ends the SPKI and carries the raw key (the uncompressed P-256 point, or the 32
/// Ed25519 bytes), which the JWK also carries.
pub(crate) fn spki_is(spki_der: &[u8], key: &AccountKey) -> bool {
    let jwk = key.to_jwk();
    let decode = |member: &str| {
        jwk[member]
            .as_str()
            .and_then(|v| URL_SAFE_NO_PAD.decode(v).ok())
    };
    let raw = match jwk["kty"].as_str() {
        Some("EC") => match (decode("x"), decode("y")) {
            (Some(x), Some(y)) => [vec![4u8], x, y].concat(),
            _ => return false,
        },
        Some("OKP") => match decode("x") {
            Some(x) => x,
            None => return false,
        },
        _ => return false,
    };
    !raw.is_empty() && spki_der.ends_with(&raw)
}

/// `POST /acme/cert/{id}` (POST-as-GET): the PEM chain (§7.4.2).
#[utoipa::path(post, path = "/acme/cert/{id}", tag = "acme",
    params(("id" = String, Path, description = "certificate id")),
    request_body(content = crate::http::openapi::wire::Jws, content_type = "application/jose+json"),
    responses(
        (status = 200, description = "The certificate chain", content_type = "application/pem-certificate-chain"),
        (status = 400, description = "malformed, badNonce (with a fresh Replay-Nonce), badSignatureAlgorithm, badCSR…", body = crate::http::openapi::wire::AcmeProblem, content_type = "application/problem+json"),
        (status = 403, description = "unauthorized, incorrectResponse, orderNotReady…", body = crate::http::openapi::wire::AcmeProblem, content_type = "application/problem+json"),
        (status = 429, description = "rateLimited, with Retry-After", body = crate::http::openapi::wire::AcmeProblem, content_type = "application/problem+json"),
        (status = 500, description = "serverInternal", body = crate::http::openapi::wire::AcmeProblem, content_type = "application/problem+json"),
    ))]
async fn certificate(
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let result = async {
        let signed = signed(&state, &format!("/cert/{id}"), &body, KeyForm::KidOnly).await?;
        let account = account_of(&signed)?;
        match state.store.acme_certificate(&id).await? {
            Some(c) if c.account_id == account.id => Ok(Reply {
                status: StatusCode::OK,
                body: ReplyBody::Pem(c.pem_chain),
                location: None,
                retry_after: None,
            }),
            Some(_) => Err(problem(ProblemType::Unauthorized, "not your certificate")),
            None => Err(problem(ProblemType::Malformed, "no such certificate")),
        }
    }
    .await;
    let mut response = finish(&state, result).await;
    if response.status() == StatusCode::OK {
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/pem-certificate-chain"),
        );
    }
    response
}

/// `POST /acme/revoke-cert` (§7.6): by the account that ordered it, or signed with the
/// certified key itself.
#[utoipa::path(post, path = "/acme/revoke-cert", tag = "acme",
    request_body(content = crate::http::openapi::wire::Jws, content_type = "application/jose+json"),
    responses(
        (status = 200, description = "Revoked"),
        (status = 400, description = "malformed, badNonce (with a fresh Replay-Nonce), badSignatureAlgorithm, badCSR…", body = crate::http::openapi::wire::AcmeProblem, content_type = "application/problem+json"),
        (status = 403, description = "unauthorized, incorrectResponse, orderNotReady…", body = crate::http::openapi::wire::AcmeProblem, content_type = "application/problem+json"),
        (status = 429, description = "rateLimited, with Retry-After", body = crate::http::openapi::wire::AcmeProblem, content_type = "application/problem+json"),
        (status = 500, description = "serverInternal", body = crate::http::openapi::wire::AcmeProblem, content_type = "application/problem+json"),
    ))]
async fn revoke_cert(State(state): State<AppState>, body: Bytes) -> Response {
    let result = async {
        let signed = signed(&state, "/revoke-cert", &body, KeyForm::Either).await?;
        let payload = payload_object(&signed.payload)?;
        let der = payload
            .get("certificate")
            .and_then(Value::as_str)
            .and_then(|b64| URL_SAFE_NO_PAD.decode(b64).ok())
            .ok_or_else(|| problem(ProblemType::Malformed, "certificate must be base64url DER"))?;
        let reason = match payload.get("reason") {
            None => 0,
            Some(value) => match value.as_i64() {
                Some(r) if (0..=10).contains(&r) && r != 7 => r,
                _ => {
                    return Err(problem(
                        ProblemType::BadRevocationReason,
                        "reason must be an RFC 5280 code (0–10, not 7)",
                    ));
                }
            },
        };
        let found = state
            .store
            .acme_certificate_by_der(&hex::encode(Sha256::digest(&der)))
            .await?
            .ok_or_else(|| {
                problem(
                    ProblemType::Malformed,
                    "this server did not issue that certificate",
                )
            })?;
        let by_account = signed
            .account
            .as_ref()
            .is_some_and(|a| a.id == found.account_id);
        let by_key = signed.account.is_none()
            && hex::decode(&found.spki_der).is_ok_and(|spki| spki_is(&spki, &signed.key));
        if !(by_account || by_key) {
            return Err(problem(
                ProblemType::Unauthorized,
                "neither the ordering account nor the certified key signed this",
            ));
        }
        if !state
            .store
            .acme_revoke_certificate(&found.id, reason, now_ms())
            .await?
        {
            return Err(problem(ProblemType::AlreadyRevoked, "already revoked"));
        }
        audit_enrollment(&state, &found.number, "certificate_revoked", &found.serial).await?;
        Ok(empty(StatusCode::OK))
    }
    .await;
    finish(&state, result).await
}

/// Issuance and revocation go into the trail of the number's user, when the number is one
/// of ours (never the number itself).
async fn audit_enrollment(
    state: &AppState,
    number: &str,
    action: &str,
    serial: &str,
) -> Result<(), StoreError> {
    let user = state.store.user_by_msisdn(number).await?.map(|u| u.id);
    state
        .store
        .append_audit(assent_audit::NewEntry {
            at_ms: now_ms(),
            kind: assent_audit::EntryKind::Admin,
            user,
            sp: None,
            authenticator: Some("acme".into()),
            detail: json!({"action": action, "serial": serial}).to_string(),
        })
        .await?;
    Ok(())
}

/// The host of the issuer URL, for the origin-bound code line (`@host #code`): without the
/// scheme, port or path. An issuer given with `--issuer` may have neither port nor path.
fn issuer_host(issuer: &str) -> &str {
    let rest = issuer.strip_prefix("https://").unwrap_or(issuer);
    let authority = rest.split('/').next().unwrap_or(rest);
    match authority.rsplit_once(':') {
        Some((host, port)) if !host.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => host,
        _ => authority,
    }
}

#[cfg(test)]
mod issuer_host_tests {
    #[test]
    fn the_code_line_names_the_issuer_host_only() {
        for (issuer, host) in [
            ("https://127.0.0.1:8443", "127.0.0.1"),
            ("https://assent.example", "assent.example"),
            ("https://assent.example/mc", "assent.example"),
            ("https://[::1]:8443", "[::1]"),
            ("https://[::1]", "[::1]"),
        ] {
            assert_eq!(super::issuer_host(issuer), host, "{issuer}");
        }
    }
}
