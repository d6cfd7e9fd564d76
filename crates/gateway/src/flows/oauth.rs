//! OAuth 2.0 request and error plumbing shared by the token, introspection and revocation
//! endpoints: form bodies (RFC 6749 §3.2), client authentication (§2.3), error responses (§5.2).

use crate::base::secrets::verify_secret;
use crate::http::AppState;
use crate::store::{Client, Store};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use std::collections::HashMap;

/// An OAuth error response: status, `error` code, description, optional `WWW-Authenticate`.
#[derive(Debug)]
pub struct OAuthError {
    pub status: StatusCode,
    pub code: &'static str,
    pub description: String,
    pub www_authenticate: Option<&'static str>,
}

impl OAuthError {
    pub fn bad_request(code: &'static str, description: impl Into<String>) -> Self {
        OAuthError {
            status: StatusCode::BAD_REQUEST,
            code,
            description: description.into(),
            www_authenticate: None,
        }
    }

    pub fn invalid_request(description: impl Into<String>) -> Self {
        Self::bad_request("invalid_request", description)
    }

    /// RFC 6749 §5.2: 401 with `WWW-Authenticate` naming the scheme the client tried.
    fn invalid_client(basic: bool) -> Self {
        OAuthError {
            status: StatusCode::UNAUTHORIZED,
            code: "invalid_client",
            description: "client authentication failed".into(),
            www_authenticate: basic.then_some("Basic realm=\"assent\""),
        }
    }

    pub fn server_error() -> Self {
        OAuthError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "server_error",
            description: "the gateway could not complete the request".into(),
            www_authenticate: None,
        }
    }
}

impl From<crate::store::StoreError> for OAuthError {
    fn from(error: crate::store::StoreError) -> Self {
        tracing::error!(%error, "store error");
        OAuthError::server_error()
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({"error": self.code, "error_description": self.description});
        let mut response = (self.status, no_store_headers(), axum::Json(body)).into_response();
        if let Some(challenge) = self.www_authenticate {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(challenge),
            );
        }
        response
    }
}

/// `Cache-Control: no-store` and `Pragma: no-cache` (RFC 6749 §5.1, MC_ATTR_25).
pub fn no_store_headers() -> [(header::HeaderName, HeaderValue); 2] {
    [
        (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        (header::PRAGMA, HeaderValue::from_static("no-cache")),
    ]
}

/// The parameters of an `application/x-www-form-urlencoded` body; a parameter given twice is
/// `invalid_request` (RFC 6749 §3.1), as is another content type.
pub fn form(headers: &HeaderMap, body: &[u8]) -> Result<HashMap<String, String>, OAuthError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        });
    if content_type.as_deref() != Some("application/x-www-form-urlencoded") {
        return Err(OAuthError::invalid_request(
            "the body must be application/x-www-form-urlencoded",
        ));
    }
    let mut params = HashMap::new();
    for (name, value) in form_urlencoded::parse(body) {
        // Bytes that are not UTF-8 (raw or %-escaped) come out of form_urlencoded as U+FFFD:
        // refuse them rather than act on a silently altered parameter (RFC 6749 Appendix B:
        // the body is UTF-8). Found by the resource_request fuzz target.
        if name.contains('\u{FFFD}') || value.contains('\u{FFFD}') {
            return Err(OAuthError::invalid_request(
                "the body must be UTF-8 (RFC 6749 Appendix B)",
            ));
        }
        if params.insert(name.to_string(), value.to_string()).is_some() {
            return Err(OAuthError::invalid_request(format!(
                "parameter {name} is repeated"
            )));
        }
    }
    Ok(params)
}

/// `client_assertion_type` of `private_key_jwt` (RFC 7523 §2.2).
pub const JWT_BEARER_ASSERTION: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// A client assertion may live at most this long (seconds), which bounds the `jti`s kept.
const ASSERTION_MAX_LIFETIME_S: i64 = 600;

/// Authenticates the client by `client_secret_basic`, `client_secret_post` or
/// `private_key_jwt` — exactly one of them (RFC 6749 §2.3). Removes the credentials from
/// `params`.
pub async fn authenticate_client(
    state: &AppState,
    headers: &HeaderMap,
    params: &mut HashMap<String, String>,
) -> Result<Client, OAuthError> {
    let store = &state.store;
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Basic ")
                .or_else(|| v.strip_prefix("basic "))
        });
    let posted_secret = params.remove("client_secret");
    let assertion = params.remove("client_assertion");
    let assertion_type = params.remove("client_assertion_type");
    let methods = usize::from(basic.is_some())
        + usize::from(posted_secret.is_some())
        + usize::from(assertion.is_some() || assertion_type.is_some());
    if methods > 1 {
        return Err(OAuthError::invalid_request(
            "use one client authentication method",
        ));
    }
    if let Some(assertion) = assertion {
        if assertion_type.as_deref() != Some(JWT_BEARER_ASSERTION) {
            return Err(OAuthError::invalid_request(format!(
                "client_assertion_type must be {JWT_BEARER_ASSERTION}"
            )));
        }
        return private_key_jwt(state, params, &assertion).await;
    }
    if assertion_type.is_some() {
        return Err(OAuthError::invalid_request("client_assertion is missing"));
    }
    let (client_id, secret, used_basic) = match (basic, posted_secret) {
        (Some(encoded), _) => {
            let (id, secret) =
                decode_basic(encoded).ok_or_else(|| OAuthError::invalid_client(true))?;
            if params.get("client_id").is_some_and(|posted| *posted != id) {
                return Err(OAuthError::invalid_request(
                    "client_id differs from the credentials",
                ));
            }
            (id, secret, true)
        }
        (None, Some(secret)) => {
            let id = params
                .get("client_id")
                .cloned()
                .ok_or_else(|| OAuthError::invalid_client(false))?;
            (id, secret, false)
        }
        (None, None) => return Err(OAuthError::invalid_client(false)),
    };
    params.remove("client_id");
    match store.client(&client_id).await? {
        // A client registered without a secret (private_key_jwt only) has an empty hash,
        // which no secret verifies.
        Some(client) if verify_secret(&client.secret_hash, &secret) => Ok(client),
        // Unknown client and wrong secret look the same to the caller.
        _ => Err(OAuthError::invalid_client(used_basic)),
    }
}

/// RFC 7523 §3 and OIDC Core §9: `iss` = `sub` = the client_id, `aud` the gateway (its
/// issuer or the URL of one of its endpoints), `exp` within ten minutes, a `jti` used once,
/// signed with a key of the client's registered JWK Set.
async fn private_key_jwt(
    state: &AppState,
    params: &mut HashMap<String, String>,
    assertion: &str,
) -> Result<Client, OAuthError> {
    let refused = |why: &str| {
        tracing::debug!(why, "client assertion refused");
        OAuthError::invalid_client(false)
    };
    // The client is named by the assertion's own iss; the signature then proves it.
    let unverified: serde_json::Value = jsonwebtoken::dangerous::insecure_decode(assertion)
        .map(|data| data.claims)
        .map_err(|_| refused("not a JWT"))?;
    let client_id = unverified["iss"]
        .as_str()
        .ok_or_else(|| refused("no iss"))?
        .to_owned();
    if params
        .remove("client_id")
        .is_some_and(|posted| posted != client_id)
    {
        return Err(OAuthError::invalid_request(
            "client_id differs from the assertion's issuer",
        ));
    }
    let client = state
        .store
        .client(&client_id)
        .await?
        .ok_or_else(|| refused("unknown client"))?;
    let issuer = &state.issuer;
    let audiences: Vec<String> = std::iter::once(issuer.clone())
        .chain(
            ["/token", "/bc-authorize", "/introspect", "/revoke"]
                .iter()
                .map(|path| format!("{issuer}{path}")),
        )
        .collect();
    let expect = crate::rules::sp_jwt::Expect {
        issuer: &client_id,
        audiences: &audiences,
        subject: Some(&client_id),
    };
    let claims = crate::rules::sp_jwt::verify(client.jwks.as_deref(), assertion, &expect)
        .map_err(|e| refused(&e.to_string()))?;
    let jti = claims["jti"].as_str().ok_or_else(|| refused("no jti"))?;
    let exp = claims["exp"].as_i64().ok_or_else(|| refused("no exp"))?;
    let now = crate::base::clock::now_ms();
    if exp.saturating_mul(1000) > now + ASSERTION_MAX_LIFETIME_S * 1000 {
        return Err(refused("expires too late"));
    }
    if !state
        .store
        .use_assertion_jti(&client_id, jti, exp.saturating_mul(1000), now)
        .await?
    {
        return Err(refused("jti replayed"));
    }
    Ok(client)
}

/// The `scope` parameter as a list (RFC 6749 §3.3: space-delimited); `None` when absent.
pub fn scope_param(params: &HashMap<String, String>) -> Option<Vec<String>> {
    params.get("scope").map(|s| {
        s.split(' ')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    })
}

/// `invalid_scope` unless every requested scope is granted to the SP.
pub fn check_granted(client: &Client, requested: &[String]) -> Result<(), OAuthError> {
    match requested.iter().find(|s| !client.scopes.contains(s)) {
        Some(extra) => Err(OAuthError::bad_request(
            "invalid_scope",
            format!("scope {extra} is not granted to this SP"),
        )),
        None => Ok(()),
    }
}

/// The opening of the introspection and revocation endpoints (RFC 7662 §2.1, RFC 7009
/// §2.1): an authenticated client and its `token` parameter.
pub async fn authenticated_token_request(
    state: &AppState,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(Client, String), OAuthError> {
    let mut params = form(headers, body)?;
    let client = authenticate_client(state, headers, &mut params).await?;
    let token = params
        .remove("token")
        .ok_or_else(|| OAuthError::invalid_request("token is missing"))?;
    Ok((client, token))
}

/// Records a refused request in the audit trail (MC_ATTR_31): which SP, which endpoint, why.
/// The reason is for the operator; the SP only ever sees the OAuth error.
pub async fn audit_refusal(
    store: &Store,
    client: &Client,
    user: Option<&str>,
    endpoint: &str,
    reason: &str,
) -> Result<(), crate::store::StoreError> {
    store
        .append_audit(assent_audit::NewEntry {
            at_ms: crate::base::clock::now_ms(),
            kind: assent_audit::EntryKind::Refusal,
            user: user.map(str::to_owned),
            sp: Some(client.client_id.clone()),
            authenticator: None,
            detail: serde_json::json!({"endpoint": endpoint, "reason": reason}).to_string(),
        })
        .await?;
    Ok(())
}

/// RFC 6749 §2.3.1: `client_id:client_secret`, each form-urlencoded, in base64.
fn decode_basic(encoded: &str) -> Option<(String, String)> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (id, secret) = text.split_once(':')?;
    let decode = |s: &str| -> Option<String> {
        form_urlencoded::parse(format!("x={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
    };
    Some((decode(id)?, decode(secret)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_credentials_are_form_decoded() {
        let encoded = base64::engine::general_purpose::STANDARD.encode("demo-sp:a%3Ab+c");
        assert_eq!(
            decode_basic(&encoded),
            Some(("demo-sp".into(), "a:b c".into()))
        );
        assert_eq!(decode_basic("!!"), None);
        let no_colon = base64::engine::general_purpose::STANDARD.encode("demo-sp");
        assert_eq!(decode_basic(&no_colon), None);
    }

    #[test]
    fn forms_refuse_repeats_and_other_types() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/x-www-form-urlencoded; charset=UTF-8"),
        );
        assert_eq!(form(&headers, b"a=1&b=2").unwrap().len(), 2);
        assert_eq!(
            form(&headers, b"a=1&a=2").unwrap_err().code,
            "invalid_request"
        );
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        assert_eq!(form(&headers, b"a=1").unwrap_err().code, "invalid_request");
    }

    /// Found by fuzzing (crates/gateway/fuzz, resource_request): a body with bytes that are
    /// not UTF-8 was accepted with those bytes replaced by U+FFFD.
    #[test]
    fn form_bodies_that_are_not_utf8_are_refused_not_altered() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/x-www-form-urlencoded"),
        );
        for body in [
            &b"a\xd9\xd9ccess_token=2YotnFZFEjr1zCsicMWpAA"[..],
            b"grant_type=client_credentials&scope=openid%FF",
            b"client_id=demo-sp&client_secret=%C3%28",
        ] {
            let error = form(&headers, body).unwrap_err();
            assert_eq!(
                (error.status, error.code),
                (StatusCode::BAD_REQUEST, "invalid_request")
            );
        }
        // UTF-8, raw or escaped, is read as such.
        let params = form(&headers, "scope=caf%C3%A9&name=café".as_bytes()).unwrap();
        assert_eq!(
            (params["scope"].as_str(), params["name"].as_str()),
            ("café", "café")
        );
    }
}
