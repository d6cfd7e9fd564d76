//! A request to the resource server (premiuminfo / userinfo) and the token endpoint's form
//! body, from text shaped like HTTP so seeds are readable:
//!
//! ```text
//! POST ?query            <- method, optional query after " ?"
//! content-type: ...      <- headers, one per line
//!                        <- empty line
//! access_token=...       <- body
//! ```
//!
//! Properties (beyond "no panic"):
//! - `wire::parse`: an accepted call carries an RFC 6750 b64token (header) or 1*VSCHAR
//!   (RFC 6749 A.12, form body); its `mc_claims` is the
//!   object the body sent (form parameter or JSON member) and re-serializes to an equal
//!   value; a refusal is a 400 `invalid_request` or the bare 401, with a header value that
//!   exists (`http::error`'s mapping of the refusal), and its body is a JSON object.
//! - `claims::match_claims` on accepted claims: only `<claim>_match` / `<claim>_verified`
//!   answers for claims that were sent, with the values the spec allows, and the user's own
//!   values match.
//! - `oauth::form`: accepted parameters are exactly the pairs of the body (none merged or
//!   dropped) and were decoded without loss (no invalid UTF-8 silently replaced).
#![no_main]

use assent_gateway::http::error::{
    oauth_status, resource_challenge, resource_error_body, resource_status,
};
use assent_gateway::rules::catalog::Catalog;
use assent_gateway::rules::oauth::{self, OAuthErrorKind};
use assent_gateway::rules::resource::claims::{self, Answer};
use assent_gateway::rules::resource::wire::{self, RequestHeaders, ResourceErrorKind};
use assent_gateway::store::User;
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value};
use std::sync::LazyLock;

struct Request<'a> {
    method: Method,
    query: Option<&'a str>,
    headers: HeaderMap,
    body: &'a [u8],
}

/// The fuzz input as a request; `None` for input that is not shaped like one.
fn request(data: &[u8]) -> Option<Request<'_>> {
    let split = data.windows(2).position(|w| w == b"\n\n");
    let (head, body) = match split {
        Some(at) => (&data[..at], &data[at + 2..]),
        None => (data, &b""[..]),
    };
    let head = std::str::from_utf8(head).ok()?;
    let mut lines = head.split('\n');
    let first = lines.next()?;
    let (method, query) = match first.split_once(" ?") {
        Some((method, query)) => (method, Some(query)),
        None => (first, None),
    };
    let method = Method::from_bytes(method.as_bytes()).ok()?;
    let mut headers = HeaderMap::new();
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.trim().as_bytes()),
            HeaderValue::from_bytes(value.trim_start().as_bytes()),
        ) else {
            continue;
        };
        headers.append(name, value);
    }
    Some(Request {
        method,
        query,
        headers,
        body,
    })
}

static CATALOG: LazyLock<Catalog> =
    LazyLock::new(|| Catalog::default_demo().expect("the shipped catalog parses"));

static MARIE: LazyLock<User> = LazyLock::new(|| {
    let today =
        time::Date::from_calendar_date(2026, time::Month::November, 27).expect("a valid date");
    assent_gateway::flows::demo::users(today).remove(0)
});

const MATCH_SCOPES: [&str; 3] = ["openid", "mc_kyc_match", "mc_vm_match"];

fn is_b64token(token: &str) -> bool {
    !token.is_empty()
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~+/=".contains(&b))
        && !token.trim_end_matches('=').contains('=')
}

/// The `mc_claims` object the body itself sent, read independently of the parser.
fn sent_claims(request: &Request<'_>) -> Option<Value> {
    let content_type = request.headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    if content_type.to_ascii_lowercase().contains("json") {
        let body: Value = serde_json::from_slice(request.body).ok()?;
        body.get("mc_claims").cloned()
    } else {
        let (_, value) = form_urlencoded::parse(request.body).find(|(n, _)| n == "mc_claims")?;
        serde_json::from_str(&value).ok()
    }
}

fn check_resource(request: &Request<'_>) {
    // What the HTTP layer hands the rules: the headers as received, in order.
    let headers = RequestHeaders::from_pairs(
        request
            .headers
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_bytes())),
    );
    match wire::parse(
        request.method.as_str(),
        request.query,
        &headers,
        request.body,
    ) {
        Ok(call) => {
            // RFC 6750 §2.1 b64token in the header, RFC 6749 A.12 1*VSCHAR in the body.
            let vschar =
                !call.token.is_empty() && call.token.bytes().all(|b| (0x20..=0x7e).contains(&b));
            let from_header = request.headers.contains_key(header::AUTHORIZATION);
            assert!(
                if from_header {
                    is_b64token(&call.token)
                } else {
                    vschar
                },
                "accepted a malformed token: {:?}",
                call.token
            );
            if let Some(claims) = &call.mc_claims {
                let value = Value::Object(claims.clone());
                assert_eq!(
                    sent_claims(request).as_ref(),
                    Some(&value),
                    "mc_claims differ from the body's"
                );
                let again: Value =
                    serde_json::from_str(&value.to_string()).expect("our own JSON parses");
                assert_eq!(again, value, "mc_claims do not survive re-serialization");
                check_match(claims);
            }
            let sent_user_id = request.headers.contains_key("user-id")
                || request.headers.contains_key("user-id-type");
            assert_eq!(call.user_id.is_some(), sent_user_id);
        }
        Err(error) => {
            match (error.kind, resource_status(error.kind), error.code()) {
                (
                    ResourceErrorKind::InvalidRequest,
                    StatusCode::BAD_REQUEST,
                    Some("invalid_request"),
                ) => {}
                (ResourceErrorKind::NoToken, StatusCode::UNAUTHORIZED, None) => {
                    assert!(
                        resource_challenge(&error).is_some(),
                        "401 without a challenge"
                    );
                }
                other => panic!("unexpected refusal {other:?}: {}", error.description),
            }
            assert!(resource_error_body(&error).is_object());
        }
    }
}

fn check_match(submitted: &Map<String, Value>) {
    let scope: Vec<String> = MATCH_SCOPES.iter().map(|s| (*s).to_owned()).collect();
    let mut answer = Answer::default();
    match claims::match_claims(&CATALOG, &scope, &MARIE, &[], submitted, &mut answer) {
        Ok(()) => {
            assert!(
                !answer.claims.is_empty(),
                "accepted claims without an answer"
            );
            for (name, value) in &answer.claims {
                if let Some(claim) = name.strip_suffix("_verified") {
                    assert!(value.is_boolean(), "{name}: {value}");
                    assert!(
                        submitted.contains_key(claim),
                        "answered {name} that was not asked"
                    );
                } else if let Some(claim) = name.strip_suffix("_match") {
                    assert!(
                        matches!(value.as_str(), Some("true" | "false" | "not_available")),
                        "{name}: {value}"
                    );
                    assert!(
                        submitted.contains_key(claim),
                        "answered {name} that was not asked"
                    );
                } else {
                    panic!("a match answer named {name}");
                }
            }
            // Marie's own values always match.
            for (claim, mine) in [
                ("given_name", "Marie"),
                ("family_name", "Curie"),
                ("email", "marie.curie@example.org"),
                ("birthdate", "1967-11-07"),
            ] {
                if submitted.get(claim).and_then(Value::as_str) == Some(mine) {
                    assert_eq!(answer.claims[&format!("{claim}_match")], "true", "{claim}");
                }
            }
        }
        Err(error) => {
            assert_eq!(
                (resource_status(error.kind), error.code()),
                (StatusCode::BAD_REQUEST, Some("invalid_request"))
            );
        }
    }
}

/// Whether every name and value of the body percent-decodes to valid UTF-8.
fn decodes_losslessly(body: &[u8]) -> bool {
    body.split(|&b| b == b'&').all(|pair| {
        let plus_as_space: Vec<u8> = pair
            .iter()
            .map(|&b| if b == b'+' { b' ' } else { b })
            .collect();
        let decoded: Vec<u8> = percent_decode(&plus_as_space);
        std::str::from_utf8(&decoded).is_ok()
    })
}

/// RFC 3986 §2.1 percent-decoding as the URL standard does it (a bad escape stays as is).
fn percent_decode(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        if input[i] == b'%'
            && let (Some(hi), Some(lo)) = (
                input.get(i + 1).copied().and_then(hex),
                input.get(i + 2).copied().and_then(hex),
            )
        {
            out.push(u8::try_from(hi * 16 + lo).expect("two hex digits fit a byte"));
            i += 3;
        } else {
            out.push(input[i]);
            i += 1;
        }
    }
    out
}

fn check_oauth_form(request: &Request<'_>) {
    let content_type = request
        .headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    match oauth::form(content_type, request.body) {
        Ok(params) => {
            let pairs = form_urlencoded::parse(request.body).count();
            assert_eq!(params.len(), pairs, "parameters merged or dropped");
            assert!(
                decodes_losslessly(request.body),
                "invalid UTF-8 silently replaced: {params:?}"
            );
            let again: String = form_urlencoded::Serializer::new(String::new())
                .extend_pairs(params.iter())
                .finish();
            let reread: std::collections::HashMap<String, String> =
                form_urlencoded::parse(again.as_bytes())
                    .into_owned()
                    .collect();
            assert_eq!(reread, params);
        }
        Err(error) => {
            assert_eq!(
                (error.kind, oauth_status(error.kind), error.code),
                (
                    OAuthErrorKind::Request,
                    StatusCode::BAD_REQUEST,
                    "invalid_request"
                )
            );
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some(request) = request(data) else { return };
    check_resource(&request);
    check_oauth_form(&request);
});
