//! OAuth 2.0 values without I/O: the error a request ends in (RFC 6749 §5.2, CIBA §13), form
//! bodies (RFC 6749 §3.2, Appendix B), scopes (§3.3) and Basic client credentials (§2.3.1).
//! What an error looks like on the wire (status, headers) is decided in `http::error`.

use base64::Engine;
use std::collections::HashMap;

/// Why a request failed, as the protocol names it; the HTTP layer gives each its status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OAuthErrorKind {
    /// The request itself is wrong (RFC 6749 §5.2: 400).
    Request,
    /// Client authentication failed (RFC 6749 §5.2: 401); `basic` when the client tried
    /// HTTP Basic, so the answer names that scheme in `WWW-Authenticate`.
    Client { basic: bool },
    /// Understood and refused (CIBA §13: `access_denied` at the backchannel endpoint, 403).
    Refused,
    /// The gateway failed (RFC 6749 §5.2 `server_error`, 500).
    Server,
    /// The gateway cannot reach its database: the same request may succeed later (503 with
    /// `Retry-After`).
    Unavailable,
    /// Over a rate limit: the same request may succeed after this many seconds (RFC 6585
    /// §4: 429 with `Retry-After`).
    Limited { retry_after_s: u64 },
}

/// An OAuth error: its kind, `error` code and description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthError {
    pub kind: OAuthErrorKind,
    pub code: &'static str,
    pub description: String,
}

impl OAuthError {
    pub fn bad_request(code: &'static str, description: impl Into<String>) -> Self {
        OAuthError {
            kind: OAuthErrorKind::Request,
            code,
            description: description.into(),
        }
    }

    pub fn invalid_request(description: impl Into<String>) -> Self {
        Self::bad_request("invalid_request", description)
    }

    /// RFC 6749 §5.2 `invalid_client`; `basic` when the client tried HTTP Basic.
    pub fn invalid_client(basic: bool) -> Self {
        OAuthError {
            kind: OAuthErrorKind::Client { basic },
            code: "invalid_client",
            description: "client authentication failed".into(),
        }
    }

    /// `access_denied` as the SP sees it: nothing about why.
    pub fn access_denied() -> Self {
        OAuthError {
            kind: OAuthErrorKind::Refused,
            code: "access_denied",
            description: "the request was denied".into(),
        }
    }

    pub fn server_error() -> Self {
        OAuthError {
            kind: OAuthErrorKind::Server,
            code: "server_error",
            description: "the gateway could not complete the request".into(),
        }
    }

    /// Over a rate limit. RFC 6749 has no error code for it; `temporarily_unavailable` (RFC
    /// 6749 §4.1.2.1, registered in §11.4) says "try again later", which is what the client
    /// must do, and the status and `Retry-After` say when. `slow_down` (RFC 8628 §3.5, CIBA
    /// §11) is not used: it tells a client polling one pending grant to add 5 s to its
    /// interval, which means nothing to `bc-authorize` or a client-credentials request.
    pub fn limited(retry_after_s: u64, description: impl Into<String>) -> Self {
        OAuthError {
            kind: OAuthErrorKind::Limited { retry_after_s },
            code: "temporarily_unavailable",
            description: description.into(),
        }
    }

    /// The database cannot be reached: `server_error`, to be tried again later.
    pub fn unavailable() -> Self {
        OAuthError {
            kind: OAuthErrorKind::Unavailable,
            ..Self::server_error()
        }
    }
}

/// The parameters of an `application/x-www-form-urlencoded` body (`content_type` is the
/// request's `Content-Type`); a parameter given twice is `invalid_request` (RFC 6749 §3.1),
/// as is another content type.
pub fn form(
    content_type: Option<&str>,
    body: &[u8],
) -> Result<HashMap<String, String>, OAuthError> {
    let media_type = content_type.map(|v| {
        v.split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase()
    });
    if media_type.as_deref() != Some("application/x-www-form-urlencoded") {
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

/// The `scope` parameter as a list (RFC 6749 §3.3: space-delimited); `None` when absent.
pub fn scope_param(params: &HashMap<String, String>) -> Option<Vec<String>> {
    params.get("scope").map(|s| {
        s.split(' ')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    })
}

/// `invalid_scope` unless every requested scope is among the SP's `granted` ones.
pub fn check_granted(granted: &[String], requested: &[String]) -> Result<(), OAuthError> {
    match requested.iter().find(|s| !granted.contains(s)) {
        Some(extra) => Err(OAuthError::bad_request(
            "invalid_scope",
            format!("scope {extra} is not granted to this SP"),
        )),
        None => Ok(()),
    }
}

/// `client_assertion_type` of `private_key_jwt` (RFC 7523 §2.2).
pub const JWT_BEARER_ASSERTION: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// The credentials of an `Authorization: Basic …` header value, if it is one.
pub fn basic_credentials(authorization: &str) -> Option<&str> {
    authorization
        .strip_prefix("Basic ")
        .or_else(|| authorization.strip_prefix("basic "))
}

/// RFC 6749 §2.3.1: `client_id:client_secret`, each form-urlencoded, in base64.
pub fn decode_basic(encoded: &str) -> Option<(String, String)> {
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
        let form_type = Some("application/x-www-form-urlencoded; charset=UTF-8");
        assert_eq!(form(form_type, b"a=1&b=2").unwrap().len(), 2);
        assert_eq!(
            form(form_type, b"a=1&a=2").unwrap_err().code,
            "invalid_request"
        );
        assert_eq!(
            form(Some("application/json"), b"a=1").unwrap_err().code,
            "invalid_request"
        );
        assert_eq!(form(None, b"a=1").unwrap_err().code, "invalid_request");
    }

    /// Found by fuzzing (crates/gateway/fuzz, resource_request): a body with bytes that are
    /// not UTF-8 was accepted with those bytes replaced by U+FFFD.
    #[test]
    fn form_bodies_that_are_not_utf8_are_refused_not_altered() {
        let form_type = Some("application/x-www-form-urlencoded");
        for body in [
            &b"a\xd9\xd9ccess_token=2YotnFZFEjr1zCsicMWpAA"[..],
            b"grant_type=client_credentials&scope=openid%FF",
            b"client_id=demo-sp&client_secret=%C3%28",
        ] {
            let error = form(form_type, body).unwrap_err();
            assert_eq!(
                (error.kind, error.code),
                (OAuthErrorKind::Request, "invalid_request")
            );
        }
        // UTF-8, raw or escaped, is read as such.
        let params = form(form_type, "scope=caf%C3%A9&name=café".as_bytes()).unwrap();
        assert_eq!(
            (params["scope"].as_str(), params["name"].as_str()),
            ("café", "café")
        );
    }
}
