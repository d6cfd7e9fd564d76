//! The Resource Request on the wire, without I/O: from method, headers and body to either a
//! well-formed [`ResourceCall`] or the Annex A row that refuses it (IDY.03 Annex A, RFC 6750
//! §2–3, seed 003 Annex A.2). Tests are named after the rows.

use serde_json::{Map, Value};

/// A request the resource server can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceCall {
    pub token: String,
    /// How the token came (RFC 9449 §7.1: a DPoP-bound token comes as `DPoP <token>` with a
    /// proof in the `DPoP` field).
    pub sender: Sender,
    /// Match claims (`mc_claims`), if the SP sent any.
    pub mc_claims: Option<Map<String, Value>>,
    /// `User-ID-Type` / `User-ID` (seed 003), if present.
    pub user_id: Option<UserIdHeaders>,
}

/// How a request presents its token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sender {
    /// `Authorization: Bearer` or the form body (RFC 6750).
    Bearer,
    /// `Authorization: DPoP` (RFC 9449 §7.1), with the request as its proof must name it.
    Dpop {
        proof: ProofField,
        /// The request's method and URL (without query), set by the HTTP edge.
        method: String,
        htu: String,
    },
}

/// The `DPoP` field of a request (RFC 9449 §4.3: exactly one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProofField {
    Absent,
    Several,
    /// Not visible ASCII.
    Unreadable,
    One(String),
}

/// The seed 003 headers, as sent (validated once the token's kind is known).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserIdHeaders {
    pub id_type: Option<String>,
    pub id: Option<String>,
}

/// Whom a generic token's request names by its seed 003 headers, before any lookup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NamedUser {
    /// `User-ID-Type: MSISDN`: the number, international format without `+`.
    Msisdn(String),
    /// `User-ID-Type: ENCR_MSISDN`: the compact JWE, to decrypt with the gateway's key.
    EncryptedMsisdn(String),
}

/// Seed 003 §2.3, Annex A.2: checks the `User-ID-Type` / `User-ID` pair of a request whose
/// token is not tied to a user. Sans-I/O, so the refusals are testable (and fuzzed) without
/// a database; the caller decrypts and looks the user up.
pub fn named_user(ids: Option<&UserIdHeaders>) -> Result<NamedUser, ResourceError> {
    let Some(ids) = ids else {
        return Err(ResourceError::invalid_request(NOT_TIED));
    };
    let (Some(id_type), Some(id)) = (&ids.id_type, &ids.id) else {
        return Err(invalid_user_id("both headers are required"));
    };
    if id_type.eq_ignore_ascii_case("MSISDN") {
        // International format without the plus sign.
        if id.starts_with('+') {
            return Err(invalid_user_id(
                "wrong format (no + in front of the number)",
            ));
        }
        crate::base::msisdn::normalize_msisdn(id)
            .map(NamedUser::Msisdn)
            .ok_or_else(|| invalid_user_id("wrong format"))
    } else if id_type.eq_ignore_ascii_case("ENCR_MSISDN") {
        Ok(NamedUser::EncryptedMsisdn(id.clone()))
    } else {
        Err(invalid_user_id("unsupported type"))
    }
}

/// Annex A.2: a generic token's request that names no user. (KYC Match tells its refusals
/// apart by these texts, which are Annex A's and do not change.)
pub const NOT_TIED: &str =
    "User-ID / User-ID-Type header is not used and the Access Token is not tied to an End-User";
/// Annex A.2: a user's token with a request that names a user.
pub const TIED: &str =
    "User-ID / User-ID-Type header MUST NOT be used if the Access Token is tied to an End-User";
/// Annex A.2: the named user is nobody's.
pub const UNKNOWN_USER: &str = "Unknown user";

/// Annex A.2's row for a User-ID pair that names nobody.
pub fn invalid_user_id(reason: &str) -> ResourceError {
    ResourceError::invalid_request(format!("Invalid User-ID / User-ID-Type value: {reason}"))
}

/// Why a Resource Request is refused: one row (or family of rows) of IDY.03 Annex A each.
/// The HTTP status and the `WWW-Authenticate` challenge (RFC 6750 §3) of each are the HTTP
/// layer's to say (`http::error`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceErrorKind {
    /// No access token at all: RFC 6750 §3.1 says such a request gets no error code.
    NoToken,
    /// Malformed request: content type, encoding, parameters, User-ID headers, claims.
    InvalidRequest,
    /// Invalid, unknown, expired, revoked or already spent token.
    InvalidToken,
    /// RFC 9449 §7.1: a DPoP-bound token without a good proof by its key, or a token sent
    /// with the scheme of the other kind (outside Annex A, which knows no DPoP).
    InvalidDpopProof,
    /// The token's scopes do not cover what was asked.
    InsufficientScope,
    /// The SP or the user does not allow this access.
    AccessDenied,
    /// Unexpected error of the server.
    Server,
    /// System connection problems (the database or the introspection endpoint).
    Unavailable,
}

/// A refusal: its Annex A row and the description the SP reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceError {
    pub kind: ResourceErrorKind,
    pub description: String,
}

impl ResourceError {
    pub fn new(kind: ResourceErrorKind, description: impl Into<String>) -> Self {
        ResourceError {
            kind,
            description: description.into(),
        }
    }

    /// The error code on the wire; `None` for a request without any token (RFC 6750 §3.1).
    pub fn code(&self) -> Option<&'static str> {
        match self.kind {
            ResourceErrorKind::NoToken => None,
            ResourceErrorKind::InvalidRequest => Some("invalid_request"),
            ResourceErrorKind::InvalidToken => Some("invalid_token"),
            ResourceErrorKind::InvalidDpopProof => Some("invalid_dpop_proof"),
            ResourceErrorKind::InsufficientScope => Some("insufficient_scope"),
            ResourceErrorKind::AccessDenied => Some("access_denied"),
            ResourceErrorKind::Server | ResourceErrorKind::Unavailable => Some("server_error"),
        }
    }

    /// Annex A: no access token.
    pub fn no_token() -> Self {
        Self::new(ResourceErrorKind::NoToken, "")
    }

    pub fn invalid_request(description: impl Into<String>) -> Self {
        Self::new(ResourceErrorKind::InvalidRequest, description)
    }

    /// Annex A: invalid, unknown or expired token.
    pub fn invalid_token(description: impl Into<String>) -> Self {
        Self::new(ResourceErrorKind::InvalidToken, description)
    }

    pub fn insufficient_scope() -> Self {
        Self::new(ResourceErrorKind::InsufficientScope, "Insufficient scope.")
    }

    pub fn access_denied(description: impl Into<String>) -> Self {
        Self::new(ResourceErrorKind::AccessDenied, description)
    }

    pub fn server_error() -> Self {
        Self::new(ResourceErrorKind::Server, "Internal server error")
    }

    pub fn unavailable() -> Self {
        Self::new(ResourceErrorKind::Unavailable, "Service is not available")
    }

    /// Annex A: the request did not complete within the server's deadline (500
    /// `server_error`, "Timeout: Server internal error.").
    pub fn timeout() -> Self {
        Self::new(ResourceErrorKind::Server, "Timeout: Server internal error.")
    }
}

/// The request headers the rules read, as sent: values are bytes, since nothing makes a
/// client send text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RequestHeaders<'a> {
    pub authorization: Option<&'a [u8]>,
    pub content_type: Option<&'a [u8]>,
    /// Seed 003 `User-ID-Type`.
    pub user_id_type: Option<&'a [u8]>,
    /// Seed 003 `User-ID`.
    pub user_id: Option<&'a [u8]>,
    /// RFC 9449 `DPoP` (the first), and how many came.
    pub dpop: Option<&'a [u8]>,
    pub dpop_fields: usize,
}

impl<'a> RequestHeaders<'a> {
    /// From the request's (name, value) pairs in the order received: names compare without
    /// case (RFC 9110 §5.1), and of a name sent twice the first value counts.
    pub fn from_pairs(pairs: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> Self {
        let mut headers = RequestHeaders::default();
        for (name, value) in pairs {
            let slot = if name.eq_ignore_ascii_case("authorization") {
                &mut headers.authorization
            } else if name.eq_ignore_ascii_case("content-type") {
                &mut headers.content_type
            } else if name.eq_ignore_ascii_case("user-id-type") {
                &mut headers.user_id_type
            } else if name.eq_ignore_ascii_case("user-id") {
                &mut headers.user_id
            } else if name.eq_ignore_ascii_case("dpop") {
                headers.dpop_fields += 1;
                &mut headers.dpop
            } else {
                continue;
            };
            slot.get_or_insert(value);
        }
        headers
    }
}

/// A header value as text when it is visible ASCII (tab allowed), as RFC 9110 §5.5 field
/// values of these headers are; anything else is not read as text.
fn header_text(value: &[u8]) -> Option<&str> {
    value
        .iter()
        .all(|&b| b == b'\t' || (0x20..0x7f).contains(&b))
        .then(|| std::str::from_utf8(value).ok())
        .flatten()
}

/// Annex A texts.
const WRONG_CONTENT_TYPE: &str = "Content type is wrong.";
const BAD_ENCODING: &str = "Malformed request, invalid url encoding";
const NON_ASCII: &str = "Malformed request, invalid non-ascii characters";
const BAD_PARAMETERS: &str = "Malformed request, invalid parameters";
const SEVERAL_PROBLEMS: &str = "Malformed request, invalid parameters.";

/// Parameters a form body or query may carry.
const FORM_PARAMETERS: &[&str] = &["access_token", "mc_claims"];

/// Reads a Resource Request. Every problem is collected; one gives its own Annex A row,
/// several give the "multiple problems" row.
pub fn parse(
    method: &str,
    query: Option<&str>,
    headers: &RequestHeaders<'_>,
    body: &[u8],
) -> Result<ResourceCall, ResourceError> {
    let mut problems: Vec<ResourceError> = Vec::new();
    // Method names are case-sensitive (RFC 9110 §9.1).
    if method != "GET" && method != "POST" {
        return Err(ResourceError::invalid_request("use GET or POST"));
    }
    // RFC 6750 §2.3 (token in the URI) is not offered: URIs end up in logs. Any query
    // parameter is an unsupported parameter.
    if query.is_some_and(|q| !q.is_empty()) {
        problems.push(ResourceError::invalid_request(BAD_PARAMETERS));
    }

    let (header_token, sender) = match authorization(headers, method) {
        Ok(Some((token, sender))) => (Some(token), sender),
        Ok(None) => (None, Sender::Bearer),
        Err(problem) => {
            problems.push(problem);
            (None, Sender::Bearer)
        }
    };

    let mut form_token = None;
    let mut mc_claims = None;
    if method == "POST" && !body.is_empty() {
        match content_type(headers.content_type) {
            Some(ContentType::Form) => match form(body) {
                Ok(params) => {
                    for (name, value) in params {
                        match name.as_str() {
                            // RFC 6749 Appendix A.12: access-token = 1*VSCHAR; an empty or
                            // control-character token was taken as is (seen while fuzzing).
                            "access_token" if is_vschar_token(&value) => form_token = Some(value),
                            "access_token" => problems.push(ResourceError::invalid_request(
                                "access_token must be printable ASCII (RFC 6749 Appendix A.12)",
                            )),
                            "mc_claims" => match claims_object(&value) {
                                Ok(claims) => mc_claims = Some(claims),
                                Err(e) => problems.push(e),
                            },
                            _ => problems.push(ResourceError::invalid_request(BAD_PARAMETERS)),
                        }
                    }
                }
                Err(e) => problems.push(e),
            },
            Some(ContentType::Json) => match json_body(body) {
                Ok(claims) => mc_claims = Some(claims),
                Err(e) => problems.push(e),
            },
            None => problems.push(ResourceError::invalid_request(WRONG_CONTENT_TYPE)),
        }
    }

    if header_token.is_some() && form_token.is_some() {
        // RFC 6750 §2: one method per request.
        problems.push(ResourceError::invalid_request(
            "send the access token in the Authorization header or the form body, not both",
        ));
    }

    let user_id = {
        // A value that is not text names nobody: read as empty, refused by `named_user`.
        let read =
            |value: Option<&[u8]>| value.map(|v| header_text(v).unwrap_or_default().to_owned());
        let (id_type, id) = (read(headers.user_id_type), read(headers.user_id));
        (id_type.is_some() || id.is_some()).then_some(UserIdHeaders { id_type, id })
    };

    match problems.len() {
        0 => {}
        1 => return Err(problems.remove(0)),
        _ => return Err(ResourceError::invalid_request(SEVERAL_PROBLEMS)),
    }
    let Some(token) = header_token.or(form_token) else {
        return Err(ResourceError::no_token());
    };
    Ok(ResourceCall {
        token,
        sender,
        mc_claims,
        user_id,
    })
}

/// The token of the `Authorization` field and how it came: `Bearer` (RFC 6750 §2.1) or
/// `DPoP` with the request's `DPoP` field (RFC 9449 §7.1; `method` is the request's, the
/// URL is set by the HTTP edge); `None` without the field.
pub fn authorization(
    headers: &RequestHeaders<'_>,
    method: &str,
) -> Result<Option<(String, Sender)>, ResourceError> {
    let Some(value) = headers.authorization else {
        return Ok(None);
    };
    if let Some(token) = bearer(value) {
        return Ok(Some((token, Sender::Bearer)));
    }
    let Some(token) = token_of(value, "dpop") else {
        return Err(ResourceError::invalid_request(
            "the Authorization header must be Bearer <token> (RFC 6750 §2.1) or DPoP <token> (RFC 9449 §7.1)",
        ));
    };
    let proof = match (headers.dpop_fields, headers.dpop) {
        (1, Some(proof)) => {
            header_text(proof).map_or(ProofField::Unreadable, |p| ProofField::One(p.to_owned()))
        }
        (0, _) | (_, None) => ProofField::Absent,
        _ => ProofField::Several,
    };
    let sender = Sender::Dpop {
        proof,
        method: method.to_owned(),
        htu: String::new(),
    };
    Ok(Some((token, sender)))
}

/// The token of an `Authorization: Bearer <token>` field (RFC 6750 §2.1), if it is one.
pub fn bearer(value: &[u8]) -> Option<String> {
    token_of(value, "bearer")
}

/// The token of an `Authorization: <scheme> <token>` field whose scheme is `scheme` (no
/// case), with a b64token (RFC 6750 §2.1; RFC 9449 §7.1 uses the same token68).
fn token_of(value: &[u8], scheme_wanted: &str) -> Option<String> {
    let text = header_text(value)?;
    let (scheme, token) = text.split_once(' ')?;
    let token = token.trim();
    // RFC 6750 §2.1: b64token.
    let b64token = !token.is_empty()
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~+/=".contains(&b))
        // '=' only as trailing padding.
        && token.trim_end_matches('=').bytes().all(|b| b != b'=');
    (scheme.eq_ignore_ascii_case(scheme_wanted) && b64token).then(|| token.to_owned())
}

/// `1*VSCHAR` (RFC 6749 Appendix A.12): one or more of %x20-7E.
fn is_vschar_token(token: &str) -> bool {
    !token.is_empty() && token.bytes().all(|b| (0x20..=0x7e).contains(&b))
}

enum ContentType {
    Form,
    Json,
}

fn content_type(value: Option<&[u8]>) -> Option<ContentType> {
    let value = header_text(value?)?;
    let mut parts = value.split(';');
    let essence = parts.next()?.trim().to_ascii_lowercase();
    // A charset other than UTF-8 (or US-ASCII for forms) would change what the bytes mean.
    let charset_ok = parts.all(|p| {
        let p = p.trim().to_ascii_lowercase();
        !p.starts_with("charset=") || matches!(p.as_str(), "charset=utf-8" | "charset=us-ascii")
    });
    match essence.as_str() {
        "application/x-www-form-urlencoded" if charset_ok => Some(ContentType::Form),
        "application/json" if charset_ok => Some(ContentType::Json),
        _ => None,
    }
}

/// RFC 6750 §2.2: the body is `application/x-www-form-urlencoded` per the HTML rules, all
/// ASCII; a parameter given twice is refused (RFC 6749 §3.1).
fn form(body: &[u8]) -> Result<Vec<(String, String)>, ResourceError> {
    if !body.is_ascii() {
        return Err(ResourceError::invalid_request(NON_ASCII));
    }
    let mut i = 0;
    while i < body.len() {
        let b = body[i];
        if b == b'%' {
            let escape = body.get(i + 1..i + 3);
            if !escape.is_some_and(|e| e.iter().all(u8::is_ascii_hexdigit)) {
                return Err(ResourceError::invalid_request(BAD_ENCODING));
            }
            i += 3;
            continue;
        }
        let allowed = b.is_ascii_alphanumeric() || b"*-._~+=&".contains(&b);
        if !allowed {
            return Err(ResourceError::invalid_request(BAD_ENCODING));
        }
        i += 1;
    }
    let mut params: Vec<(String, String)> = Vec::new();
    for (name, value) in form_urlencoded::parse(body) {
        // A %-escape may decode to non-UTF-8 bytes, which form_urlencoded replaces: refuse.
        if name.contains('\u{FFFD}') || value.contains('\u{FFFD}') {
            return Err(ResourceError::invalid_request(BAD_ENCODING));
        }
        if params.iter().any(|(n, _)| *n == name) {
            return Err(ResourceError::invalid_request(BAD_PARAMETERS));
        }
        if !FORM_PARAMETERS.contains(&name.as_ref()) {
            return Err(ResourceError::invalid_request(BAD_PARAMETERS));
        }
        params.push((name.into_owned(), value.into_owned()));
    }
    Ok(params)
}

/// `{"mc_claims": {...}}` and nothing else.
fn json_body(body: &[u8]) -> Result<Map<String, Value>, ResourceError> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|_| ResourceError::invalid_request("Malformed request, invalid JSON"))?;
    let Value::Object(mut object) = value else {
        return Err(ResourceError::invalid_request(BAD_PARAMETERS));
    };
    let claims = object
        .remove("mc_claims")
        .ok_or_else(|| ResourceError::invalid_request(BAD_PARAMETERS))?;
    if !object.is_empty() {
        return Err(ResourceError::invalid_request(BAD_PARAMETERS));
    }
    match claims {
        Value::Object(claims) => Ok(claims),
        _ => Err(ResourceError::invalid_request(
            "mc_claims must be a JSON object of claim names and values",
        )),
    }
}

/// The form parameter `mc_claims`: the JSON object of claims.
fn claims_object(text: &str) -> Result<Map<String, Value>, ResourceError> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(claims)) => Ok(claims),
        _ => Err(ResourceError::invalid_request(
            "mc_claims must be a JSON object of claim names and values",
        )),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn headers<'a>(pairs: &[(&'a str, &'a str)]) -> RequestHeaders<'a> {
        RequestHeaders::from_pairs(pairs.iter().map(|(name, value)| (*name, value.as_bytes())))
    }

    const FORM: &str = "application/x-www-form-urlencoded";

    #[test]
    fn rfc_6750_2_1_bearer_header() {
        let call = parse(
            "GET",
            None,
            &headers(&[("authorization", "Bearer abc-_.~+/=")]),
            b"",
        )
        .unwrap();
        assert_eq!(call.token, "abc-_.~+/=");
        let lower = parse("GET", None, &headers(&[("authorization", "bearer t")]), b"");
        assert_eq!(lower.unwrap().token, "t");
        for bad in ["Basic dXNlcjpw", "Bearer", "Bearer a b", "Bearer a=b"] {
            let error = parse("GET", None, &headers(&[("authorization", bad)]), b"");
            assert_eq!(error.unwrap_err().code(), Some("invalid_request"), "{bad}");
        }
    }

    #[test]
    fn rfc_6750_2_2_form_body_token() {
        let call = parse(
            "POST",
            None,
            &headers(&[("content-type", FORM)]),
            b"access_token=abc",
        )
        .unwrap();
        assert_eq!(call.token, "abc");
    }

    /// Seen while fuzzing (crates/gateway/fuzz, resource_request): the form body's token was
    /// taken whatever it decoded to.
    #[test]
    fn rfc_6749_a_12_form_tokens_are_printable_ascii() {
        for body in [
            &b"access_token="[..],
            b"access_token=%00",
            b"access_token=a%0Ab",
        ] {
            let error = parse("POST", None, &headers(&[("content-type", FORM)]), body).unwrap_err();
            assert_eq!(error.kind, ResourceErrorKind::InvalidRequest, "{body:?}");
        }
        let call = parse(
            "POST",
            None,
            &headers(&[("content-type", FORM)]),
            b"access_token=a+b%7B%22",
        )
        .unwrap();
        assert_eq!(call.token, "a b{\"");
    }

    #[test]
    fn annex_a_no_token_is_401_with_a_bare_challenge() {
        for (method, body) in [("GET", &b""[..]), ("POST", b"mc_claims=%7B%7D")] {
            let error = parse(method, None, &headers(&[("content-type", FORM)]), body).unwrap_err();
            assert_eq!(error.kind, ResourceErrorKind::NoToken);
            assert_eq!(error.code(), None);
        }
    }

    #[test]
    fn annex_a_token_in_header_and_body_is_refused() {
        let error = parse(
            "POST",
            None,
            &headers(&[("authorization", "Bearer a"), ("content-type", FORM)]),
            b"access_token=a",
        )
        .unwrap_err();
        assert_eq!(error.kind, ResourceErrorKind::InvalidRequest);
    }

    #[test]
    fn annex_a_wrong_content_type() {
        let error = parse(
            "POST",
            None,
            &headers(&[
                ("authorization", "Bearer a"),
                ("content-type", "text/plain"),
            ]),
            b"x",
        )
        .unwrap_err();
        assert_eq!(error.description, WRONG_CONTENT_TYPE);
        let latin1 = parse(
            "POST",
            None,
            &headers(&[(
                "content-type",
                "application/x-www-form-urlencoded; charset=latin1",
            )]),
            b"access_token=a",
        )
        .unwrap_err();
        assert_eq!(latin1.description, WRONG_CONTENT_TYPE);
    }

    #[test]
    fn annex_a_invalid_url_encoding() {
        for body in [
            &b"access_token=a%2"[..],
            b"access_token=a%zz",
            b"access_token=a b",
            b"access_token=%C3%28",
        ] {
            let error = parse("POST", None, &headers(&[("content-type", FORM)]), body).unwrap_err();
            assert_eq!(
                error.description,
                BAD_ENCODING,
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }

    #[test]
    fn annex_a_non_ascii_body() {
        let error = parse(
            "POST",
            None,
            &headers(&[("content-type", FORM)]),
            "access_token=é".as_bytes(),
        )
        .unwrap_err();
        assert_eq!(error.description, NON_ASCII);
    }

    #[test]
    fn annex_a_unsupported_parameters() {
        let form = parse(
            "POST",
            None,
            &headers(&[("content-type", FORM)]),
            b"access_token=a&scope=x",
        )
        .unwrap_err();
        assert_eq!(form.description, BAD_PARAMETERS);
        let query = parse(
            "GET",
            Some("access_token=a"),
            &headers(&[("authorization", "Bearer a")]),
            b"",
        )
        .unwrap_err();
        assert_eq!(query.description, BAD_PARAMETERS);
        let json = parse(
            "POST",
            None,
            &headers(&[
                ("authorization", "Bearer a"),
                ("content-type", "application/json"),
            ]),
            br#"{"mc_claims": {}, "extra": 1}"#,
        )
        .unwrap_err();
        assert_eq!(json.description, BAD_PARAMETERS);
    }

    #[test]
    fn annex_a_several_problems() {
        let error = parse(
            "POST",
            Some("a=1"),
            &headers(&[("authorization", "Basic x"), ("content-type", "text/plain")]),
            b"x",
        )
        .unwrap_err();
        assert_eq!(error.description, SEVERAL_PROBLEMS);
    }

    #[test]
    fn mc_claims_as_json_body_or_form_parameter() {
        let json = parse(
            "POST",
            None,
            &headers(&[
                ("authorization", "Bearer a"),
                ("content-type", "application/json"),
            ]),
            br#"{"mc_claims": {"device_msisdn": "+44123456789"}}"#,
        )
        .unwrap();
        let form = parse(
            "POST",
            None,
            &headers(&[("content-type", FORM)]),
            b"access_token=a&mc_claims=%7B%22device_msisdn%22%3A%22%2B44123456789%22%7D",
        )
        .unwrap();
        assert_eq!(json.mc_claims, form.mc_claims);
        assert_eq!(json.mc_claims.unwrap()["device_msisdn"], "+44123456789");
    }

    #[test]
    fn seed_003_headers_are_read_case_insensitively() {
        let call = parse(
            "GET",
            None,
            &headers(&[
                ("authorization", "Bearer a"),
                ("USER-ID-TYPE", "msisdn"),
                ("user-id", "447700900001"),
            ]),
            b"",
        )
        .unwrap();
        let ids = call.user_id.unwrap();
        assert_eq!(ids.id_type.as_deref(), Some("msisdn"));
        assert_eq!(ids.id.as_deref(), Some("447700900001"));
    }

    /// The HTTP layer hands over the headers as received: the first of a name counts, and
    /// a value that is not visible ASCII is not text (a token in it is malformed, a User-ID
    /// in it names nobody).
    #[test]
    fn headers_are_read_as_sent() {
        let twice = RequestHeaders::from_pairs([
            ("Authorization", &b"Bearer first"[..]),
            ("authorization", b"Bearer second"),
            ("x-other", b"ignored"),
        ]);
        assert_eq!(parse("GET", None, &twice, b"").unwrap().token, "first");
        let latin1 = RequestHeaders::from_pairs([("authorization", &b"Bearer caf\xe9"[..])]);
        assert_eq!(
            parse("GET", None, &latin1, b"").unwrap_err().kind,
            ResourceErrorKind::InvalidRequest
        );
        let ids = RequestHeaders::from_pairs([
            ("authorization", &b"Bearer a"[..]),
            ("user-id-type", b"MSISDN"),
            ("user-id", b"4477\xff"),
        ]);
        let call = parse("GET", None, &ids, b"").unwrap();
        assert_eq!(call.user_id.unwrap().id.as_deref(), Some(""));
        // Method names are case-sensitive (RFC 9110 §9.1).
        let bearer = headers(&[("authorization", "Bearer a")]);
        assert!(parse("get", None, &bearer, b"").is_err());
        assert!(parse("HEAD", None, &bearer, b"").is_err());
    }

    #[test]
    fn annex_a_2_user_id_headers_name_a_user_before_any_lookup() {
        let ids = |id_type: Option<&str>, id: Option<&str>| UserIdHeaders {
            id_type: id_type.map(str::to_owned),
            id: id.map(str::to_owned),
        };
        assert_eq!(
            named_user(Some(&ids(Some("MSISDN"), Some("34680947298")))),
            Ok(NamedUser::Msisdn("34680947298".into()))
        );
        assert_eq!(
            named_user(Some(&ids(Some("encr_msisdn"), Some("a.b.c.d.e")))),
            Ok(NamedUser::EncryptedMsisdn("a.b.c.d.e".into()))
        );
        let refused = |ids: Option<&UserIdHeaders>| named_user(ids).unwrap_err().description;
        assert_eq!(
            refused(None),
            "User-ID / User-ID-Type header is not used and the Access Token is not tied to an End-User"
        );
        for (id_type, id, reason) in [
            (Some("MSISDN"), None, "both headers are required"),
            (None, Some("34680947298"), "both headers are required"),
            (
                Some("MSISDN"),
                Some("+34680947298"),
                "wrong format (no + in front of the number)",
            ),
            (Some("MSISDN"), Some("0034680947298"), "wrong format"),
            (Some("MSISDN"), Some("3468"), "wrong format"),
            (Some("IMSI"), Some("34680947298"), "unsupported type"),
        ] {
            assert_eq!(
                refused(Some(&ids(id_type, id))),
                format!("Invalid User-ID / User-ID-Type value: {reason}")
            );
        }
    }
}
