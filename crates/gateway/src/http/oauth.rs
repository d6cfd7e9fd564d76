//! The OAuth endpoints' request plumbing: the form body and the client's credentials, read
//! from the HTTP request and handed to the flows as values.

use crate::flows::client_auth::{self, Authenticated};
use crate::http::state::AppState;
use crate::rules::oauth::{self, OAuthError, OAuthErrorKind};
use crate::store::{Client, Reads};
use axum::http::{Extensions, HeaderMap, header};
use std::collections::HashMap;

/// The form parameters of a request (RFC 6749 §3.2; [`oauth::form`]).
pub fn form(headers: &HeaderMap, body: &[u8]) -> Result<HashMap<String, String>, OAuthError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    oauth::form(content_type, body)
}

/// The credentials of an `Authorization: Basic` header, if the request has one.
pub fn basic(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(oauth::basic_credentials)
}

/// Authenticates the request's client ([`client_auth::authenticate_client`]), within the
/// peer address's budget of failed authentications: the attempt takes a slot before the
/// credentials are looked at and gives it back unless they were wrong, so a guesser is
/// stopped after the budget however many guesses it sends at once.
pub async fn authenticate_client(
    state: &AppState,
    extensions: &Extensions,
    headers: &HeaderMap,
    params: &mut HashMap<String, String>,
) -> Result<Client, OAuthError> {
    Ok(
        authenticate_client_reading(state, extensions, headers, params, Reads::Fresh)
            .await?
            .client,
    )
}

/// [`authenticate_client`], reading the client as `reads` says (see
/// [`crate::store::cache`]).
pub async fn authenticate_client_reading(
    state: &AppState,
    extensions: &Extensions,
    headers: &HeaderMap,
    params: &mut HashMap<String, String>,
    reads: Reads,
) -> Result<Authenticated, OAuthError> {
    let reservation = state
        .limits
        .client_auth_failures
        .reserve_peer(extensions)
        .map_err(|limited| {
            OAuthError::limited(
                limited.retry_after_s,
                format!(
                    "too many failed client authentications from this address: try again in {} s",
                    limited.retry_after_s
                ),
            )
        })?;
    let outcome =
        client_auth::authenticate_client_reading(state, basic(headers), params, reads).await;
    match &outcome {
        Err(OAuthError {
            kind: OAuthErrorKind::Client { .. },
            ..
        }) => drop(reservation),
        _ => reservation.give_back(),
    }
    outcome
}

/// The opening of the introspection and revocation endpoints (RFC 7662 §2.1, RFC 7009
/// §2.1): an authenticated client and its `token` parameter.
pub async fn authenticated_token_request(
    state: &AppState,
    extensions: &Extensions,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(Client, String), OAuthError> {
    let mut params = form(headers, body)?;
    let client = authenticate_client(state, extensions, headers, &mut params).await?;
    let token = params
        .remove("token")
        .ok_or_else(|| OAuthError::invalid_request("token is missing"))?;
    Ok((client, token))
}

/// The request's `DPoP` field (RFC 9449 §4.3: exactly one).
pub fn dpop_header(headers: &HeaderMap) -> crate::rules::device::DpopHeader<'_> {
    let mut proofs = headers.get_all("dpop").iter();
    match (proofs.next(), proofs.next()) {
        (Some(proof), None) => proof.to_str().map_or(
            crate::rules::device::DpopHeader::Unreadable,
            crate::rules::device::DpopHeader::One,
        ),
        (None, _) => crate::rules::device::DpopHeader::Absent,
        _ => crate::rules::device::DpopHeader::NotOne,
    }
}
