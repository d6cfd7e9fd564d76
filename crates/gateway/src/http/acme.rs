//! The ACME server's HTTP edge (RFC 8555): each handler reads the request (the JWS body, the
//! resource id in the path, the peer's address), applies the per-process rate limits, hands
//! the request to `flows::acme`, and writes its answer with what every ACME response
//! carries: a fresh `Replay-Nonce` (§6.5), the directory link (§7.1), no caching, and
//! `application/problem+json` for a refusal (§6.7; the mapping is `http::error`'s).
//!
//! The per-account limits of newOrder and the challenge need the account, which only the
//! flow knows once the JWS is verified: the handler passes the limiter to the flow as an
//! [`AccountBudget`] (a closure over the limiter), so the flow stays one call that checks the
//! JWS, then spends from the budget, then works — in the order it always had — without
//! knowing the rate limits or the router's state.

use crate::flows::acme::{self, AccountBudget, AcmeError, AcmeReply, ReplyBody, ReplyKind};
use crate::http::limits::Limiter;
// The state from its own file, and the wire shapes below: this file names neither the
// router nor the document that list its routes (no circle of imports through them).
use crate::http::state::AppState;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The shapes on the wire, for the document only: handlers parse the JWS bytes themselves
/// (RFC 8555 §6.2 dictates the errors for a malformed one).
#[allow(dead_code)]
pub mod wire {
    use serde_json::Value;
    use utoipa::ToSchema;

    /// RFC 7807 problem document with an ACME error type (RFC 8555 §6.7).
    #[derive(Debug, ToSchema, serde::Deserialize)]
    pub struct AcmeProblem {
        /// `urn:ietf:params:acme:error:…`
        #[serde(rename = "type")]
        pub kind: String,
        pub detail: Option<String>,
        pub status: Option<u16>,
        pub subproblems: Option<Vec<Value>>,
    }

    /// A JWS in the flattened JSON serialization (RFC 8555 §6.2), `application/jose+json`.
    #[derive(Debug, ToSchema)]
    pub struct Jws {
        /// base64url JSON: `alg`, `nonce`, `url`, and `jwk` or `kid`.
        pub protected: String,
        /// base64url JSON; empty for POST-as-GET.
        pub payload: String,
        pub signature: String,
    }
}

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

/// The flow's answer as a response, with the headers of every ACME response.
fn finish(state: &AppState, result: Result<AcmeReply, AcmeError>) -> Response {
    let response = match result {
        Ok(reply) => reply_response(reply),
        Err(error) => error.into_response(),
    };
    with_acme_headers(state, response)
}

/// A reply: 201 for a new resource, 200 otherwise; its `Location` and `Retry-After`.
fn reply_response(reply: AcmeReply) -> Response {
    let status = match reply.kind {
        ReplyKind::Done => StatusCode::OK,
        ReplyKind::Created => StatusCode::CREATED,
    };
    let mut response = match reply.body {
        ReplyBody::Json(value) => (status, Json(value)).into_response(),
        ReplyBody::Pem(pem) => (
            status,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/pem-certificate-chain"),
            )],
            pem,
        )
            .into_response(),
        ReplyBody::Empty => status.into_response(),
    };
    let headers = response.headers_mut();
    if let Some(location) = reply.location.and_then(|l| HeaderValue::from_str(&l).ok()) {
        headers.insert(header::LOCATION, location);
    }
    if let Some(seconds) = reply.retry_after_s {
        headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}

/// A fresh `Replay-Nonce` (§6.5), the directory as `Link: <…>;rel="index"` (§7.1), and
/// `Cache-Control: no-store`.
fn with_acme_headers(state: &AppState, mut response: Response) -> Response {
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&acme::new_nonce(state)) {
        headers.insert(HeaderName::from_static("replay-nonce"), value);
    }
    if let Ok(link) =
        HeaderValue::from_str(&format!("<{}>;rel=\"index\"", acme::directory_url(state)))
    {
        headers.insert(header::LINK, link);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// A per-account limiter as the flow's budget: `Err(seconds to wait)` when over it.
fn budget(limiter: &Limiter<String>) -> impl AccountBudget + '_ {
    move |account: &str| {
        limiter
            .check(&account.to_owned())
            .map_err(|limited| limited.retry_after_s)
    }
}

/// `GET /acme/directory` (§7.1.1).
#[utoipa::path(get, path = "/acme/directory", tag = "acme",
    responses((status = 200, description = "The directory (RFC 8555 §7.1.1)", body = assent_proto::acme::Directory)))]
async fn directory(State(state): State<AppState>) -> Response {
    (
        [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))],
        Json(acme::directory(&state)),
    )
        .into_response()
}

/// `HEAD /acme/new-nonce` is 200, `GET` 204 (§7.2).
#[utoipa::path(head, path = "/acme/new-nonce", tag = "acme",
    responses((status = 200, description = "A fresh nonce in Replay-Nonce (§7.2)")))]
async fn new_nonce_head(State(state): State<AppState>) -> Response {
    with_acme_headers(&state, StatusCode::OK.into_response())
}

#[utoipa::path(get, path = "/acme/new-nonce", tag = "acme",
    responses((status = 204, description = "A fresh nonce in Replay-Nonce (§7.2)")))]
async fn new_nonce_get(State(state): State<AppState>) -> Response {
    with_acme_headers(&state, StatusCode::NO_CONTENT.into_response())
}

/// `POST /acme/new-account` (§7.3).
#[utoipa::path(post, path = "/acme/new-account", tag = "acme",
    request_body(content = wire::Jws, content_type = "application/jose+json"),
    responses(
        (status = 201, description = "The new account, Location its URL", body = assent_proto::acme::Account),
        (status = 200, description = "The existing account for this key", body = assent_proto::acme::Account),
        (status = 400, description = "malformed, badNonce (with a fresh Replay-Nonce), badSignatureAlgorithm, badCSR…", body = wire::AcmeProblem, content_type = "application/problem+json"),
        (status = 403, description = "unauthorized, incorrectResponse, orderNotReady…", body = wire::AcmeProblem, content_type = "application/problem+json"),
        (status = 429, description = "rateLimited, with Retry-After", body = wire::AcmeProblem, content_type = "application/problem+json"),
        (status = 500, description = "serverInternal", body = wire::AcmeProblem, content_type = "application/problem+json"),
        (status = 503, description = "serverInternal with Retry-After: the database cannot be reached", body = wire::AcmeProblem, content_type = "application/problem+json"),
    ))]
async fn new_account(
    State(state): State<AppState>,
    extensions: axum::http::Extensions,
    body: Bytes,
) -> Response {
    // Before any work: no account exists yet, so the peer's address is the only key.
    let limited = state.limits.acme_new_account.check_peer(&extensions).err();
    let result = match limited {
        Some(limited) => Err(AcmeError::rate_limited(limited.retry_after_s)),
        None => acme::new_account(&state, &body).await,
    };
    finish(&state, result)
}

/// `POST /acme/account/{id}`: POST-as-GET, contact update, or deactivation (§7.3.2, 7.3.6).
#[utoipa::path(post, path = "/acme/account/{id}", tag = "acme",
    params(("id" = String, Path, description = "account id")),
    request_body(content = wire::Jws, content_type = "application/jose+json"),
    responses(
        (status = 200, description = "The account (POST-as-GET or update)", body = assent_proto::acme::Account),
        (status = 400, description = "malformed, badNonce (with a fresh Replay-Nonce), badSignatureAlgorithm, badCSR…", body = wire::AcmeProblem, content_type = "application/problem+json"),
        (status = 403, description = "unauthorized, incorrectResponse, orderNotReady…", body = wire::AcmeProblem, content_type = "application/problem+json"),
        (status = 429, description = "rateLimited, with Retry-After", body = wire::AcmeProblem, content_type = "application/problem+json"),
        (status = 500, description = "serverInternal", body = wire::AcmeProblem, content_type = "application/problem+json"),
        (status = 503, description = "serverInternal with Retry-After: the database cannot be reached", body = wire::AcmeProblem, content_type = "application/problem+json"),
    ))]
async fn account(State(state): State<AppState>, Path(id): Path<String>, body: Bytes) -> Response {
    finish(&state, acme::account(&state, &id, &body).await)
}

/// `POST /acme/account/{id}/orders` (§7.1.2.1).
#[utoipa::path(post, path = "/acme/account/{id}/orders", tag = "acme",
    params(("id" = String, Path, description = "account id")),
    request_body(content = wire::Jws, content_type = "application/jose+json"),
    responses(
        (status = 200, description = "`{orders: [URL]}`", body = assent_proto::acme::OrdersList),
        (status = 400, description = "malformed, badNonce (with a fresh Replay-Nonce), badSignatureAlgorithm, badCSR…", body = wire::AcmeProblem, content_type = "application/problem+json"),
        (status = 403, description = "unauthorized, incorrectResponse, orderNotReady…", body = wire::AcmeProblem, content_type = "application/problem+json"),
        (status = 429, description = "rateLimited, with Retry-After", body = wire::AcmeProblem, content_type = "application/problem+json"),
        (status = 500, description = "serverInternal", body = wire::AcmeProblem, content_type = "application/problem+json"),
        (status = 503, description = "serverInternal with Retry-After: the database cannot be reached", body = wire::AcmeProblem, content_type = "application/problem+json"),
    ))]
async fn account_orders(
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    finish(&state, acme::account_orders(&state, &id, &body).await)
}

/// `POST /acme/key-change` (§7.3.5).
#[utoipa::path(post, path = "/acme/key-change", tag = "acme",
    request_body(content = wire::Jws, content_type = "application/jose+json"),
    responses(
        (status = 200, description = "The account with its new key", body = assent_proto::acme::Account),
        (status = 400, description = "malformed, badNonce (with a fresh Replay-Nonce), badSignatureAlgorithm, badCSR…", body = wire::AcmeProblem, content_type = "application/problem+json"),
        (status = 403, description = "unauthorized, incorrectResponse, orderNotReady…", body = wire::AcmeProblem, content_type = "application/problem+json"),
        (status = 429, description = "rateLimited, with Retry-After", body = wire::AcmeProblem, content_type = "application/problem+json"),
        (status = 500, description = "serverInternal", body = wire::AcmeProblem, content_type = "application/problem+json"),
        (status = 503, description = "serverInternal with Retry-After: the database cannot be reached", body = wire::AcmeProblem, content_type = "application/problem+json"),
    ))]
async fn key_change(State(state): State<AppState>, body: Bytes) -> Response {
    finish(&state, acme::key_change(&state, &body).await)
}

/// `POST /acme/new-order` (§7.4): exactly one `TNAuthList` identifier with one number.
#[utoipa::path(post, path = "/acme/new-order", tag = "acme",
    request_body(content = wire::Jws, content_type = "application/jose+json"),
    responses(
        (status = 201, description = "The new order for one TNAuthList identifier", body = assent_proto::acme::Order),
        (status = 400, description = "malformed, badNonce (with a fresh Replay-Nonce), badSignatureAlgorithm, badCSR…", body = wire::AcmeProblem, content_type = "application/problem+json"),
        (status = 403, description = "unauthorized, incorrectResponse, orderNotReady…", body = wire::AcmeProblem, content_type = "application/problem+json"),
        (status = 429, description = "rateLimited, with Retry-After", body = wire::AcmeProblem, content_type = "application/problem+json"),
        (status = 500, description = "serverInternal", body = wire::AcmeProblem, content_type = "application/problem+json"),
        (status = 503, description = "serverInternal with Retry-After: the database cannot be reached", body = wire::AcmeProblem, content_type = "application/problem+json"),
    ))]
async fn new_order(State(state): State<AppState>, body: Bytes) -> Response {
    let budget = budget(&state.limits.acme_new_order);
    finish(&state, acme::new_order(&state, &body, &budget).await)
}

/// `POST /acme/order/{id}` (POST-as-GET).
#[utoipa::path(post, path = "/acme/order/{id}", tag = "acme",
    params(("id" = String, Path, description = "order id")),
    request_body(content = wire::Jws, content_type = "application/jose+json"),
    responses(
        (status = 200, description = "The order", body = assent_proto::acme::Order),
        (status = 400, description = "malformed, badNonce (with a fresh Replay-Nonce), badSignatureAlgorithm, badCSR…", body = wire::AcmeProblem, content_type = "application/problem+json"),
        (status = 403, description = "unauthorized, incorrectResponse, orderNotReady…", body = wire::AcmeProblem, content_type = "application/problem+json"),
        (status = 429, description = "rateLimited, with Retry-After", body = wire::AcmeProblem, content_type = "application/problem+json"),
        (status = 500, description = "serverInternal", body = wire::AcmeProblem, content_type = "application/problem+json"),
        (status = 503, description = "serverInternal with Retry-After: the database cannot be reached", body = wire::AcmeProblem, content_type = "application/problem+json"),
    ))]
async fn order(State(state): State<AppState>, Path(id): Path<String>, body: Bytes) -> Response {
    finish(&state, acme::order(&state, &id, &body).await)
}

/// `POST /acme/authz/{id}`: POST-as-GET, or deactivation (§7.5, 7.5.2).
#[utoipa::path(post, path = "/acme/authz/{id}", tag = "acme",
    params(("id" = String, Path, description = "authorization id")),
    request_body(content = wire::Jws, content_type = "application/jose+json"),
    responses(
        (status = 200, description = "The authorization", body = assent_proto::acme::Authorization),
        (status = 400, description = "malformed, badNonce (with a fresh Replay-Nonce), badSignatureAlgorithm, badCSR…", body = wire::AcmeProblem, content_type = "application/problem+json"),
        (status = 403, description = "unauthorized, incorrectResponse, orderNotReady…", body = wire::AcmeProblem, content_type = "application/problem+json"),
        (status = 429, description = "rateLimited, with Retry-After", body = wire::AcmeProblem, content_type = "application/problem+json"),
        (status = 500, description = "serverInternal", body = wire::AcmeProblem, content_type = "application/problem+json"),
        (status = 503, description = "serverInternal with Retry-After: the database cannot be reached", body = wire::AcmeProblem, content_type = "application/problem+json"),
    ))]
async fn authz(State(state): State<AppState>, Path(id): Path<String>, body: Bytes) -> Response {
    finish(&state, acme::authz(&state, &id, &body).await)
}

/// `POST /acme/chall/{id}`: `{}` says "ready" (one SMS with a code); `{"keyAuthorization"}`
/// completes it; an empty payload is POST-as-GET.
#[utoipa::path(post, path = "/acme/chall/{id}", tag = "acme",
    params(("id" = String, Path, description = "challenge id")),
    request_body(content = wire::Jws, content_type = "application/jose+json"),
    responses(
        (status = 200, description = "The challenge: an empty-object payload starts it (the SMS is sent), `{\"keyAuthorization\"}` answers it, an empty payload reads it", body = assent_proto::acme::Challenge),
        (status = 400, description = "malformed, badNonce (with a fresh Replay-Nonce), badSignatureAlgorithm, badCSR…", body = wire::AcmeProblem, content_type = "application/problem+json"),
        (status = 403, description = "unauthorized, incorrectResponse, orderNotReady…", body = wire::AcmeProblem, content_type = "application/problem+json"),
        (status = 429, description = "rateLimited, with Retry-After", body = wire::AcmeProblem, content_type = "application/problem+json"),
        (status = 500, description = "serverInternal", body = wire::AcmeProblem, content_type = "application/problem+json"),
        (status = 503, description = "serverInternal with Retry-After: the database cannot be reached", body = wire::AcmeProblem, content_type = "application/problem+json"),
    ))]
async fn challenge(State(state): State<AppState>, Path(id): Path<String>, body: Bytes) -> Response {
    let budget = budget(&state.limits.acme_challenge);
    finish(&state, acme::challenge(&state, &id, &body, &budget).await)
}

/// `POST /acme/order/{id}/finalize` (§7.4): the CSR names the order's number and a key other
/// than the account key.
#[utoipa::path(post, path = "/acme/order/{id}/finalize", tag = "acme",
    params(("id" = String, Path, description = "order id")),
    request_body(content = wire::Jws, content_type = "application/jose+json"),
    responses(
        (status = 200, description = "The order, processing or valid", body = assent_proto::acme::Order),
        (status = 400, description = "malformed, badNonce (with a fresh Replay-Nonce), badSignatureAlgorithm, badCSR…", body = wire::AcmeProblem, content_type = "application/problem+json"),
        (status = 403, description = "unauthorized, incorrectResponse, orderNotReady…", body = wire::AcmeProblem, content_type = "application/problem+json"),
        (status = 429, description = "rateLimited, with Retry-After", body = wire::AcmeProblem, content_type = "application/problem+json"),
        (status = 500, description = "serverInternal", body = wire::AcmeProblem, content_type = "application/problem+json"),
        (status = 503, description = "serverInternal with Retry-After: the database cannot be reached", body = wire::AcmeProblem, content_type = "application/problem+json"),
    ))]
async fn finalize(State(state): State<AppState>, Path(id): Path<String>, body: Bytes) -> Response {
    finish(&state, acme::finalize(&state, &id, &body).await)
}

/// `POST /acme/cert/{id}` (POST-as-GET): the PEM chain (§7.4.2).
#[utoipa::path(post, path = "/acme/cert/{id}", tag = "acme",
    params(("id" = String, Path, description = "certificate id")),
    request_body(content = wire::Jws, content_type = "application/jose+json"),
    responses(
        (status = 200, description = "The certificate chain", content_type = "application/pem-certificate-chain"),
        (status = 400, description = "malformed, badNonce (with a fresh Replay-Nonce), badSignatureAlgorithm, badCSR…", body = wire::AcmeProblem, content_type = "application/problem+json"),
        (status = 403, description = "unauthorized, incorrectResponse, orderNotReady…", body = wire::AcmeProblem, content_type = "application/problem+json"),
        (status = 429, description = "rateLimited, with Retry-After", body = wire::AcmeProblem, content_type = "application/problem+json"),
        (status = 500, description = "serverInternal", body = wire::AcmeProblem, content_type = "application/problem+json"),
        (status = 503, description = "serverInternal with Retry-After: the database cannot be reached", body = wire::AcmeProblem, content_type = "application/problem+json"),
    ))]
async fn certificate(
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    finish(&state, acme::certificate(&state, &id, &body).await)
}

/// `POST /acme/revoke-cert` (§7.6): by the account that ordered it, or signed with the
/// certified key itself.
#[utoipa::path(post, path = "/acme/revoke-cert", tag = "acme",
    request_body(content = wire::Jws, content_type = "application/jose+json"),
    responses(
        (status = 200, description = "Revoked"),
        (status = 400, description = "malformed, badNonce (with a fresh Replay-Nonce), badSignatureAlgorithm, badCSR…", body = wire::AcmeProblem, content_type = "application/problem+json"),
        (status = 403, description = "unauthorized, incorrectResponse, orderNotReady…", body = wire::AcmeProblem, content_type = "application/problem+json"),
        (status = 429, description = "rateLimited, with Retry-After", body = wire::AcmeProblem, content_type = "application/problem+json"),
        (status = 500, description = "serverInternal", body = wire::AcmeProblem, content_type = "application/problem+json"),
        (status = 503, description = "serverInternal with Retry-After: the database cannot be reached", body = wire::AcmeProblem, content_type = "application/problem+json"),
    ))]
async fn revoke_cert(State(state): State<AppState>, body: Bytes) -> Response {
    finish(&state, acme::revoke_cert(&state, &body).await)
}
