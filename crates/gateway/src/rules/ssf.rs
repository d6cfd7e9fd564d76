//! Shared Signals (OpenID Shared Signals Framework 1.0, CAEP 1.0, RFC 8417 Security Event
//! Tokens, RFC 8935 push and RFC 8936 poll delivery), the transmitter's rules without I/O:
//! what a stream's configuration may say, what a SET claims, what a receiver's answer to a
//! push means, and what a poll asks.
//!
//! Decisions where the specifications leave room (`docs/sp-integration.md` says them to SPs):
//! - one stream per SP (SSF §8.1.1.1 lets a transmitter refuse a second with 409), covering
//!   every subject of the SP's (`default_subjects: ALL`), so there is no subject management;
//! - a push goes only to an https URL registered for the SP (`ssf_push_endpoints`), never to
//!   one a stream names on its own: a stream must not turn the gateway into a client of
//!   addresses the operator did not approve;
//! - one event per SET (SSF §4.1.8), subjects as `iss_sub` with the SP's pairwise `sub`
//!   (never the MSISDN), the consent (`grant_id`) as `txn` when the event is about one.

use serde_json::{Value, json};

/// `spec_version` of the configuration document (SSF 1.0 §7.1).
pub const SPEC_VERSION: &str = "1_0";
/// RFC 8935: the transmitter POSTs each SET to the receiver.
pub const PUSH: &str = "urn:ietf:rfc:8935";
/// RFC 8936: the receiver POSTs to the transmitter's endpoint to collect SETs.
pub const POLL: &str = "urn:ietf:rfc:8936";
/// The scope of the client-credentials token that manages and polls a stream.
pub const SCOPE: &str = "ssf";

/// CAEP 1.0 §3.1: the subject's session at the SP is no longer valid.
pub const SESSION_REVOKED: &str =
    "https://schemas.openid.net/secevent/caep/event-type/session-revoked";
/// OAuth Event Types 1.0: every token the SP held for the subject was revoked.
pub const TOKENS_REVOKED: &str =
    "https://schemas.openid.net/secevent/oauth/event-type/tokens-revoked";
/// CAEP 1.0 §3.3: a credential of the subject's was created, changed or removed.
pub const CREDENTIAL_CHANGE: &str =
    "https://schemas.openid.net/secevent/caep/event-type/credential-change";
/// SSF 1.0 §8.1.4.1: the answer to a verification request, sent whatever the stream asked.
pub const VERIFICATION: &str = "https://schemas.openid.net/secevent/ssf/event-type/verification";

/// The event types a stream may ask for (`events_supported`).
pub const EVENTS_SUPPORTED: &[&str] = &[SESSION_REVOKED, TOKENS_REVOKED, CREDENTIAL_CHANGE];

/// SSF 1.0 §8.1.4: the least time between two verification requests of a stream (s).
pub const MIN_VERIFICATION_INTERVAL_S: i64 = 10;
/// RFC 8936 §2.2: at most this many SETs in one poll answer, whatever `maxEvents` asks.
pub const MAX_EVENTS_PER_POLL: usize = 100;
/// RFC 8936 §2.2: a poll without `maxEvents` gets at most this many.
pub const DEFAULT_EVENTS_PER_POLL: usize = 32;
/// A stream's `description` and a status `reason`, at most this many characters.
const MAX_TEXT_CHARS: usize = 256;
/// An `authorization_header` for push, at most this many bytes.
const MAX_AUTHORIZATION_BYTES: usize = 1024;

/// Why a stream request is refused (400 `invalid_request`, the description).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StreamError {
    #[error("the body is not a JSON object")]
    NotAnObject,
    #[error("{0} has the wrong type")]
    WrongType(&'static str),
    #[error("delivery.method must be {PUSH} or {POLL}")]
    UnknownMethod,
    #[error("push needs delivery.endpoint_url, one of the SP's registered ssf_push_endpoints")]
    PushEndpointMissing,
    #[error("delivery.endpoint_url is not one of the SP's registered ssf_push_endpoints")]
    PushEndpointNotRegistered,
    #[error("delivery.endpoint_url is the transmitter's to give for poll")]
    PollEndpointGiven,
    #[error("authorization_header must be one line of at most 1024 bytes")]
    BadAuthorization,
    #[error("{0} is longer than 256 characters")]
    TooLong(&'static str),
    #[error("status must be enabled, paused or disabled")]
    UnknownStatus,
}

/// A push endpoint as registered: an absolute https URL with a host, no user information,
/// no fragment.
pub fn check_push_endpoint(url: &str) -> Result<(), String> {
    // Registered URLs are kept space-separated: one with a space in it would be two.
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!(
            "{url:?}: white space or control characters are not allowed"
        ));
    }
    let parsed = url::Url::parse(url).map_err(|_| format!("{url} is not an absolute URL"))?;
    if parsed.scheme() != "https" || parsed.host_str().is_none_or(str::is_empty) {
        return Err(format!("{url} must be an https URL"));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(format!("{url}: user information is not allowed"));
    }
    if parsed.fragment().is_some() || url.contains('#') {
        return Err(format!("{url}: a fragment is not allowed"));
    }
    Ok(())
}

/// How a stream's events reach the SP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// RFC 8935, to a registered URL, with the `Authorization` value the SP gave (if any).
    Push {
        endpoint_url: String,
        authorization_header: Option<String>,
    },
    /// RFC 8936, at the transmitter's poll endpoint for the stream.
    Poll,
}

impl Delivery {
    pub fn method(&self) -> &'static str {
        match self {
            Delivery::Push { .. } => PUSH,
            Delivery::Poll => POLL,
        }
    }
}

/// What the SP (the receiver) says of its stream (SSF 1.0 §8.1.1: the Receiver-Supplied
/// properties); the rest is the transmitter's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamSettings {
    pub delivery: Delivery,
    pub events_requested: Vec<String>,
    pub description: Option<String>,
}

impl Default for StreamSettings {
    /// SSF 1.0 §8.1.1.1: a stream created with nothing said polls, for every event type.
    fn default() -> Self {
        StreamSettings {
            delivery: Delivery::Poll,
            events_requested: EVENTS_SUPPORTED.iter().map(|e| (*e).to_owned()).collect(),
            description: None,
        }
    }
}

impl StreamSettings {
    /// `events_delivered` (SSF 1.0 §8.1.1): those asked for that this transmitter sends.
    pub fn events_delivered(&self) -> Vec<String> {
        events_delivered(&self.events_requested)
    }
}

/// The requested event types this transmitter supports, in the order asked.
pub fn events_delivered(requested: &[String]) -> Vec<String> {
    requested
        .iter()
        .filter(|e| EVENTS_SUPPORTED.contains(&e.as_str()))
        .cloned()
        .collect()
}

/// How a request body changes a stream's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// POST (create) and PUT (replace, §8.1.1.4): what the body does not say takes its
    /// default.
    Replace,
    /// PATCH (§8.1.1.3): what the body does not say stays.
    Update,
}

/// The settings a create, replace or update body asks for, starting from `current` (the
/// defaults for a create), for an SP whose registered push URLs are `registered`. The
/// Transmitter-Supplied properties (`stream_id`, `iss`, `aud`, `events_supported`,
/// `events_delivered`, …) are ignored: SSF §8.1.1.3 lets a receiver send back what it read.
pub fn settings_from(
    body: &Value,
    current: &StreamSettings,
    change: Change,
    registered: &[String],
) -> Result<StreamSettings, StreamError> {
    let object = body.as_object().ok_or(StreamError::NotAnObject)?;
    let base = match change {
        Change::Replace => StreamSettings::default(),
        Change::Update => current.clone(),
    };
    let delivery = match object.get("delivery") {
        None | Some(Value::Null) => base.delivery,
        Some(Value::Object(delivery)) => {
            let method = match delivery.get("method") {
                None | Some(Value::Null) => POLL,
                Some(Value::String(m)) => m.as_str(),
                Some(_) => return Err(StreamError::WrongType("delivery.method")),
            };
            let endpoint = match delivery.get("endpoint_url") {
                None | Some(Value::Null) => None,
                Some(Value::String(url)) => Some(url.as_str()),
                Some(_) => return Err(StreamError::WrongType("delivery.endpoint_url")),
            };
            let authorization = match delivery.get("authorization_header") {
                None | Some(Value::Null) => None,
                Some(Value::String(a)) => Some(a.as_str()),
                Some(_) => return Err(StreamError::WrongType("delivery.authorization_header")),
            };
            match method {
                PUSH => push_delivery(endpoint, authorization, registered)?,
                // The poll endpoint is the transmitter's: an SP naming one either reads it
                // back (it is the one we gave: fine) or wants another (refused).
                POLL if endpoint.is_some_and(|e| !e.contains("/ssf/poll/")) => {
                    return Err(StreamError::PollEndpointGiven);
                }
                POLL => Delivery::Poll,
                _ => return Err(StreamError::UnknownMethod),
            }
        }
        Some(_) => return Err(StreamError::WrongType("delivery")),
    };
    let events_requested = match object.get("events_requested") {
        None | Some(Value::Null) => base.events_requested,
        Some(Value::Array(events)) => events
            .iter()
            .map(|e| e.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()
            .ok_or(StreamError::WrongType("events_requested"))?,
        Some(_) => return Err(StreamError::WrongType("events_requested")),
    };
    let description = match object.get("description") {
        None => base.description,
        Some(Value::Null) => None,
        Some(Value::String(d)) if d.chars().count() > MAX_TEXT_CHARS => {
            return Err(StreamError::TooLong("description"));
        }
        Some(Value::String(d)) => Some(d.clone()),
        Some(_) => return Err(StreamError::WrongType("description")),
    };
    Ok(StreamSettings {
        delivery,
        events_requested,
        description,
    })
}

fn push_delivery(
    endpoint: Option<&str>,
    authorization: Option<&str>,
    registered: &[String],
) -> Result<Delivery, StreamError> {
    let endpoint_url = match endpoint {
        Some(url) if registered.iter().any(|r| r == url) => url.to_owned(),
        Some(_) => return Err(StreamError::PushEndpointNotRegistered),
        // One registered URL is the obvious one; with several the SP must choose.
        None if registered.len() == 1 => registered[0].clone(),
        None => return Err(StreamError::PushEndpointMissing),
    };
    // A header value of one line: a CR or LF would let the SP add headers of its own to
    // what the gateway sends (and reqwest would refuse it at every attempt).
    let authorization_header = match authorization {
        Some(a)
            if a.len() > MAX_AUTHORIZATION_BYTES
                || a.bytes().any(|b| b == b'\r' || b == b'\n' || b == 0) =>
        {
            return Err(StreamError::BadAuthorization);
        }
        other => other.map(str::to_owned),
    };
    Ok(Delivery::Push {
        endpoint_url,
        authorization_header,
    })
}

/// SSF 1.0 §8.1.2: a stream's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Events are delivered.
    Enabled,
    /// Events are kept, and delivered once the stream is enabled again.
    Paused,
    /// Events are neither delivered nor kept.
    Disabled,
}

impl Status {
    pub fn parse(s: &str) -> Result<Status, StreamError> {
        match s {
            "enabled" => Ok(Status::Enabled),
            "paused" => Ok(Status::Paused),
            "disabled" => Ok(Status::Disabled),
            _ => Err(StreamError::UnknownStatus),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Status::Enabled => "enabled",
            Status::Paused => "paused",
            Status::Disabled => "disabled",
        }
    }

    /// Whether an event that happens now is kept for the stream.
    pub fn keeps_events(self) -> bool {
        self != Status::Disabled
    }
}

/// A status change a receiver asks for (§8.1.2.2): `{"stream_id", "status", "reason"?}`.
pub fn status_change(body: &Value) -> Result<(Status, Option<String>), StreamError> {
    let object = body.as_object().ok_or(StreamError::NotAnObject)?;
    let status = object
        .get("status")
        .and_then(Value::as_str)
        .ok_or(StreamError::UnknownStatus)
        .and_then(Status::parse)?;
    let reason = match object.get("reason") {
        None | Some(Value::Null) => None,
        Some(Value::String(r)) if r.chars().count() > MAX_TEXT_CHARS => {
            return Err(StreamError::TooLong("reason"));
        }
        Some(Value::String(r)) => Some(r.clone()),
        Some(_) => return Err(StreamError::WrongType("reason")),
    };
    Ok((status, reason))
}

/// Who started what an event tells (CAEP 1.0 §2 `initiating_entity`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Initiator {
    User,
    Admin,
    Policy,
    System,
}

impl Initiator {
    pub fn name(self) -> &'static str {
        match self {
            Initiator::User => "user",
            Initiator::Admin => "admin",
            Initiator::Policy => "policy",
            Initiator::System => "system",
        }
    }
}

/// What a SET tells, with when it happened (s since the epoch).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    SessionRevoked {
        at_s: i64,
        by: Initiator,
        reason: &'static str,
    },
    TokensRevoked {
        at_s: i64,
        by: Initiator,
        reason: &'static str,
    },
    /// CAEP §3.3 with `credential_type` `app` (the user's number proven again on a device
    /// of theirs: a new app authenticator).
    CredentialCreated { at_s: i64 },
    /// §8.1.4.1: `state` echoes the receiver's.
    Verification { state: Option<String> },
}

impl Event {
    pub fn type_uri(&self) -> &'static str {
        match self {
            Event::SessionRevoked { .. } => SESSION_REVOKED,
            Event::TokensRevoked { .. } => TOKENS_REVOKED,
            Event::CredentialCreated { .. } => CREDENTIAL_CHANGE,
            Event::Verification { .. } => VERIFICATION,
        }
    }

    /// The SET's `events` claim: this one event (SSF §4.1.8).
    pub fn events_claim(&self) -> Value {
        json!({self.type_uri(): self.payload()})
    }

    fn payload(&self) -> Value {
        match self {
            Event::SessionRevoked { at_s, by, reason }
            | Event::TokensRevoked { at_s, by, reason } => {
                json!({"event_timestamp": at_s, "initiating_entity": by.name(),
                       "reason_admin": {"en": reason}})
            }
            Event::CredentialCreated { at_s } => json!({
                "event_timestamp": at_s, "initiating_entity": Initiator::User.name(),
                "credential_type": "app", "change_type": "create",
                "reason_admin": {"en": "the user proved their number again on a new device"},
            }),
            Event::Verification { state: Some(state) } => json!({"state": state}),
            Event::Verification { state: None } => json!({}),
        }
    }
}

/// Whom a SET is about (RFC 9493 subject identifiers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// The SP's pairwise `sub` of a user, from this issuer.
    IssSub { sub: String },
    /// The stream itself (verification).
    Stream { stream_id: String },
}

/// One SET's claims (RFC 8417 §2.2, SSF 1.0 §4): `iss`, `jti`, `iat`, `aud` (the SP),
/// `sub_id`, `events` (an [`Event::events_claim`]), and `txn` (the consent) when given.
pub fn set_claims(
    issuer: &str,
    audience: &str,
    jti: &str,
    iat_s: i64,
    subject: &Subject,
    events: &Value,
    txn: Option<&str>,
) -> Value {
    let sub_id = match subject {
        Subject::IssSub { sub } => json!({"format": "iss_sub", "iss": issuer, "sub": sub}),
        Subject::Stream { stream_id } => json!({"format": "opaque", "id": stream_id}),
    };
    let mut claims = json!({
        "iss": issuer,
        "jti": jti,
        "iat": iat_s,
        "aud": audience,
        "sub_id": sub_id,
        "events": events,
    });
    if let Some(txn) = txn {
        claims["txn"] = json!(txn);
    }
    claims
}

/// What a receiver's answer to a push means (RFC 8935 §2.2–2.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushOutcome {
    /// 2xx (202 Accepted in the RFC): the SP has the SET.
    Accepted,
    /// 400 with an error code: the SP received the SET and will not take it; sending it
    /// again would get the same answer, so it leaves the outbox (audited with the code).
    Refused { err: String },
    /// Anything else (a 5xx, a 429, an unreachable endpoint, a 401 or 403 the SP may
    /// still fix): sent again later, before any later event of the stream.
    Retry { why: String },
}

/// RFC 8935 §2.4 error codes that mean "this SET, never": the rest mean "not now".
const PERMANENT_PUSH_ERRORS: &[&str] = &[
    "invalid_request",
    "invalid_key",
    "invalid_issuer",
    "invalid_audience",
];

/// Reads a receiver's answer (status and body) to a pushed SET.
pub fn push_outcome(status: u16, body: &[u8]) -> PushOutcome {
    if (200..300).contains(&status) {
        return PushOutcome::Accepted;
    }
    let err = (status == 400)
        .then(|| serde_json::from_slice::<Value>(body).ok())
        .flatten()
        .and_then(|v| v.get("err").and_then(Value::as_str).map(str::to_owned));
    match err {
        Some(err) if PERMANENT_PUSH_ERRORS.contains(&err.as_str()) => PushOutcome::Refused { err },
        Some(err) => PushOutcome::Retry {
            why: format!("HTTP 400 {err}"),
        },
        None => PushOutcome::Retry {
            why: format!("HTTP {status}"),
        },
    }
}

/// A poll (RFC 8936 §2.4): what the receiver acknowledges and asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Poll {
    pub max_events: usize,
    pub return_immediately: bool,
    /// SETs the receiver took (`ack`).
    pub ack: Vec<String>,
    /// SETs the receiver refused, with its error code (`setErrs`).
    pub set_errs: Vec<(String, String)>,
}

/// Why a poll is refused (400 `invalid_request`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PollError {
    #[error("the body is not a JSON object")]
    NotAnObject,
    #[error("{0} has the wrong type")]
    WrongType(&'static str),
}

/// Reads a poll body; an empty body is `{}` (RFC 8936 §2.4: every member is optional).
pub fn poll_from(body: &[u8]) -> Result<Poll, PollError> {
    let value: Value = if body.iter().all(u8::is_ascii_whitespace) {
        json!({})
    } else {
        serde_json::from_slice(body).map_err(|_| PollError::NotAnObject)?
    };
    let object = value.as_object().ok_or(PollError::NotAnObject)?;
    let max_events = match object.get("maxEvents") {
        None | Some(Value::Null) => DEFAULT_EVENTS_PER_POLL,
        Some(v) => v
            .as_u64()
            .map(|n| {
                usize::try_from(n)
                    .unwrap_or(usize::MAX)
                    .min(MAX_EVENTS_PER_POLL)
            })
            .ok_or(PollError::WrongType("maxEvents"))?,
    };
    let return_immediately = match object.get("returnImmediately") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err(PollError::WrongType("returnImmediately")),
    };
    let ack = match object.get("ack") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| i.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()
            .ok_or(PollError::WrongType("ack"))?,
        Some(_) => return Err(PollError::WrongType("ack")),
    };
    let set_errs = match object.get("setErrs") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Object(errors)) => errors
            .iter()
            .map(|(jti, e)| {
                e.get("err")
                    .and_then(Value::as_str)
                    .map(|err| (jti.clone(), err.to_owned()))
            })
            .collect::<Option<Vec<_>>>()
            .ok_or(PollError::WrongType("setErrs"))?,
        Some(_) => return Err(PollError::WrongType("setErrs")),
    };
    Ok(Poll {
        max_events,
        return_immediately,
        ack,
        set_errs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHOP: &str = "https://shop.example/ssf";

    fn registered() -> Vec<String> {
        vec![SHOP.to_owned()]
    }

    #[test]
    fn a_registered_url_is_one_url() {
        assert!(check_push_endpoint("https://shop.example/ssf").is_ok());
        for bad in [
            "https://shop.example/a https://evil.example/b",
            "https://shop.example/a\thttps://evil.example/b",
            "http://shop.example/ssf",
            "https://user@shop.example/ssf",
            "https://shop.example/ssf#x",
            "/ssf",
        ] {
            assert!(check_push_endpoint(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_create_with_nothing_said_polls_for_every_supported_event() {
        let s =
            settings_from(&json!({}), &StreamSettings::default(), Change::Replace, &[]).unwrap();
        assert_eq!(s.delivery, Delivery::Poll);
        assert_eq!(s.events_delivered().len(), EVENTS_SUPPORTED.len());
    }

    #[test]
    fn push_goes_only_to_a_registered_url() {
        let ask = |url: Value| {
            settings_from(
                &json!({"delivery": {"method": PUSH, "endpoint_url": url}}),
                &StreamSettings::default(),
                Change::Replace,
                &registered(),
            )
        };
        assert_eq!(
            ask(json!(SHOP)).unwrap().delivery,
            Delivery::Push {
                endpoint_url: SHOP.into(),
                authorization_header: None
            }
        );
        assert_eq!(
            ask(json!("https://attacker.example/ssf")),
            Err(StreamError::PushEndpointNotRegistered)
        );
        // The only registered URL is taken when none is named.
        assert!(ask(Value::Null).is_ok());
        let none = settings_from(
            &json!({"delivery": {"method": PUSH}}),
            &StreamSettings::default(),
            Change::Replace,
            &[],
        );
        assert_eq!(none, Err(StreamError::PushEndpointMissing));
    }

    #[test]
    fn an_authorization_header_cannot_add_headers() {
        let ask = |a: &str| {
            settings_from(
                &json!({"delivery": {"method": PUSH, "authorization_header": a}}),
                &StreamSettings::default(),
                Change::Replace,
                &registered(),
            )
        };
        assert!(ask("Bearer abc").is_ok());
        assert_eq!(
            ask("Bearer abc\r\nX-Evil: 1"),
            Err(StreamError::BadAuthorization)
        );
        assert_eq!(ask(&"a".repeat(2000)), Err(StreamError::BadAuthorization));
    }

    #[test]
    fn patch_keeps_what_it_does_not_say_and_put_resets_it() {
        let current = StreamSettings {
            delivery: Delivery::Push {
                endpoint_url: SHOP.into(),
                authorization_header: Some("Bearer x".into()),
            },
            events_requested: vec![SESSION_REVOKED.into()],
            description: Some("shop".into()),
        };
        let body = json!({"description": "renamed"});
        let patched = settings_from(&body, &current, Change::Update, &registered()).unwrap();
        assert_eq!(patched.delivery, current.delivery);
        assert_eq!(patched.events_requested, current.events_requested);
        assert_eq!(patched.description.as_deref(), Some("renamed"));
        let replaced = settings_from(&body, &current, Change::Replace, &registered()).unwrap();
        assert_eq!(replaced.delivery, Delivery::Poll);
    }

    #[test]
    fn only_supported_events_are_delivered() {
        let asked = vec![
            "https://schemas.openid.net/secevent/risc/event-type/account-purged".to_owned(),
            SESSION_REVOKED.to_owned(),
        ];
        assert_eq!(events_delivered(&asked), vec![SESSION_REVOKED.to_owned()]);
    }

    #[test]
    fn wrong_types_are_refused_not_ignored() {
        for body in [
            json!([]),
            json!({"events_requested": "all"}),
            json!({"delivery": "push"}),
            json!({"delivery": {"method": "urn:example:email"}}),
            json!({"description": 7}),
        ] {
            assert!(
                settings_from(&body, &StreamSettings::default(), Change::Replace, &[]).is_err(),
                "{body}"
            );
        }
    }

    #[test]
    fn a_set_has_one_event_and_a_pairwise_subject() {
        let claims = set_claims(
            "https://gw.example",
            "demo-sp",
            "j1",
            1_700_000_000,
            &Subject::IssSub { sub: "pcr".into() },
            &Event::SessionRevoked {
                at_s: 1_700_000_000,
                by: Initiator::User,
                reason: "the user revoked the SP's access",
            }
            .events_claim(),
            Some("c-1"),
        );
        assert_eq!(claims["sub_id"]["format"], "iss_sub");
        assert_eq!(claims["sub_id"]["sub"], "pcr");
        assert_eq!(claims["events"].as_object().unwrap().len(), 1);
        assert_eq!(
            claims["events"][SESSION_REVOKED]["initiating_entity"],
            "user"
        );
        assert_eq!(claims["txn"], "c-1");
        // RFC 8417 §2.2: a SET is not an access token, so it has no `sub` and no `exp`.
        assert!(claims.get("sub").is_none() && claims.get("exp").is_none());
    }

    #[test]
    fn rfc_8935_2_4_a_refusal_is_final_and_an_outage_is_retried() {
        assert_eq!(push_outcome(202, b""), PushOutcome::Accepted);
        assert_eq!(
            push_outcome(400, br#"{"err":"invalid_audience","description":"x"}"#),
            PushOutcome::Refused {
                err: "invalid_audience".into()
            }
        );
        assert!(matches!(
            push_outcome(400, br#"{"err":"authentication_failed"}"#),
            PushOutcome::Retry { .. }
        ));
        assert!(matches!(push_outcome(503, b""), PushOutcome::Retry { .. }));
        assert!(matches!(
            push_outcome(400, b"oops"),
            PushOutcome::Retry { .. }
        ));
    }

    #[test]
    fn rfc_8936_2_4_a_poll_reads_acks_and_errors() {
        let poll = poll_from(
            br#"{"maxEvents": 5000, "returnImmediately": true, "ack": ["a"],
                 "setErrs": {"b": {"err": "invalid_key", "description": "x"}}}"#,
        )
        .unwrap();
        assert_eq!(poll.max_events, MAX_EVENTS_PER_POLL);
        assert!(poll.return_immediately);
        assert_eq!(poll.ack, vec!["a".to_owned()]);
        assert_eq!(
            poll.set_errs,
            vec![("b".to_owned(), "invalid_key".to_owned())]
        );
        assert_eq!(poll_from(b"").unwrap().max_events, DEFAULT_EVENTS_PER_POLL);
        assert!(poll_from(br#"{"ack": "a"}"#).is_err());
        assert!(poll_from(br#"{"maxEvents": -1}"#).is_err());
    }

    #[test]
    fn status_changes_name_a_known_status() {
        assert_eq!(
            status_change(&json!({"stream_id": "s", "status": "paused"})).unwrap(),
            (Status::Paused, None)
        );
        assert!(status_change(&json!({"status": "off"})).is_err());
    }
}
