//! The OAuth endpoints' request plumbing: the form body and the client's credentials, read
//! from the HTTP request and handed to the flows as values.

use crate::flows::Gateway;
use crate::flows::client_auth;
use crate::rules::oauth::{self, OAuthError};
use crate::store::Client;
use axum::http::{HeaderMap, header};
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

/// Authenticates the request's client ([`client_auth::authenticate_client`]).
pub async fn authenticate_client(
    gateway: &Gateway,
    headers: &HeaderMap,
    params: &mut HashMap<String, String>,
) -> Result<Client, OAuthError> {
    client_auth::authenticate_client(gateway, basic(headers), params).await
}

/// The opening of the introspection and revocation endpoints (RFC 7662 §2.1, RFC 7009
/// §2.1): an authenticated client and its `token` parameter.
pub async fn authenticated_token_request(
    gateway: &Gateway,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(Client, String), OAuthError> {
    let mut params = form(headers, body)?;
    let client = authenticate_client(gateway, headers, &mut params).await?;
    let token = params
        .remove("token")
        .ok_or_else(|| OAuthError::invalid_request("token is missing"))?;
    Ok((client, token))
}
