//! OpenID CIBA Core 1.0 rules without I/O: the delivery modes (§5), what a backchannel
//! authentication request may carry (§7.1), what a poll of the token endpoint is answered
//! (§10.1, §11) and what a ping or push delivery sends (§10.2, §10.3, §12). Values in,
//! values out; the time is an argument.

use crate::base::model::Client;
use crate::rules::catalog::Catalog;
use crate::rules::oauth::{OAuthError, check_granted, scope_param};
use serde_json::{Value, json};
use std::collections::HashMap;

pub const CIBA_GRANT: &str = "urn:openid:params:grant-type:ciba";
/// Default and maximum lifetime of a request (seconds): a person has to pick up the phone.
pub const DEFAULT_EXPIRY_S: i64 = 300;
pub const MAX_EXPIRY_S: i64 = 600;
/// Poll interval (seconds) we ask of SPs (CIBA §7.3; 5 if absent — we allow 2).
pub const POLL_INTERVAL_S: i64 = 2;
/// CIBA §7.1: the binding message should be short, plain text; it must fit on a handset.
pub const BINDING_MESSAGE_MAX_CHARS: usize = 32;
/// CIBA §7.1: the client_notification_token is a bearer token of the SP's; RFC 6750 §2.1
/// token characters, and a bound that keeps it a token rather than a payload.
pub const NOTIFICATION_TOKEN_MAX_LEN: usize = 1024;

/// How the SP registered to receive the result (CIBA §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryMode {
    Poll,
    Ping,
    Push,
}

impl DeliveryMode {
    pub fn name(self) -> &'static str {
        match self {
            DeliveryMode::Poll => "poll",
            DeliveryMode::Ping => "ping",
            DeliveryMode::Push => "push",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "poll" => Some(DeliveryMode::Poll),
            "ping" => Some(DeliveryMode::Ping),
            "push" => Some(DeliveryMode::Push),
            _ => None,
        }
    }

    /// The SP's registered mode (one per SP, CIBA §4); poll when none is registered.
    pub fn of(client: &Client) -> Self {
        client
            .delivery_modes
            .first()
            .and_then(|m| DeliveryMode::parse(m))
            .unwrap_or(DeliveryMode::Poll)
    }

    /// CIBA §7.3: `interval` is given only in the modes in which the SP calls the token
    /// endpoint (poll, and ping after the notification).
    pub fn interval_s(self) -> Option<i64> {
        (self != DeliveryMode::Push).then_some(POLL_INTERVAL_S)
    }
}

/// `unauthorized_client` unless the SP registered the CIBA grant (CIBA §4).
pub fn check_registered(client: &Client) -> Result<(), OAuthError> {
    if client.grant_types.iter().any(|g| g == CIBA_GRANT) {
        Ok(())
    } else {
        Err(OAuthError::bad_request(
            "unauthorized_client",
            "this SP is not registered for CIBA",
        ))
    }
}

/// The `client_notification_token` (CIBA §7.1): required in ping and push modes, a bearer
/// token of RFC 6750 §2.1 characters.
pub fn notification_token(given: Option<&str>) -> Result<String, OAuthError> {
    let is_token_char = |b: u8| b.is_ascii_alphanumeric() || b"-._~+/=".contains(&b);
    match given {
        Some(t)
            if !t.is_empty()
                && t.len() <= NOTIFICATION_TOKEN_MAX_LEN
                && t.bytes().all(is_token_char) =>
        {
            Ok(t.to_owned())
        }
        Some(_) => Err(OAuthError::invalid_request(
            "client_notification_token must be a bearer token (RFC 6750 §2.1) of at most 1024 characters",
        )),
        None => Err(OAuthError::invalid_request(
            "client_notification_token is required in ping and push modes",
        )),
    }
}

/// The requested scope: `openid` required, every scope granted to the SP and known to the
/// catalog (RFC 6749 §3.3; OIDC Core §3.1.2.1).
pub fn requested_scope(
    catalog: &Catalog,
    client: &Client,
    params: &HashMap<String, String>,
) -> Result<Vec<String>, OAuthError> {
    let scope = scope_param(params).unwrap_or_default();
    if !scope.iter().any(|s| s == "openid") {
        return Err(OAuthError::bad_request(
            "invalid_scope",
            "the openid scope is required",
        ));
    }
    check_granted(&client.scopes, &scope)?;
    if let Some(unknown) = scope
        .iter()
        .find(|s| *s != "openid" && catalog.service(s).is_none())
    {
        return Err(OAuthError::bad_request(
            "invalid_scope",
            format!("scope {unknown} is not a service of this gateway"),
        ));
    }
    Ok(scope)
}

/// The request's lifetime in seconds (CIBA §7.1 `requested_expiry`): 1 to
/// [`MAX_EXPIRY_S`], [`DEFAULT_EXPIRY_S`] when absent.
pub fn requested_expiry(given: Option<&str>) -> Result<i64, OAuthError> {
    match given {
        None => Ok(DEFAULT_EXPIRY_S),
        Some(text) => match text.parse::<i64>() {
            Ok(s) if (1..=MAX_EXPIRY_S).contains(&s) => Ok(s),
            _ => Err(OAuthError::invalid_request(format!(
                "requested_expiry must be a number of seconds from 1 to {MAX_EXPIRY_S}"
            ))),
        },
    }
}

/// The `binding_message` (CIBA §7.1): plain text that fits on a handset, or
/// `invalid_binding_message` (CIBA §13).
pub fn binding_message(given: Option<&str>) -> Result<Option<String>, OAuthError> {
    match given {
        None => Ok(None),
        Some(m)
            if m.chars().count() <= BINDING_MESSAGE_MAX_CHARS
                && !m.chars().any(char::is_control) =>
        {
            Ok(Some(m.to_owned()))
        }
        Some(_) => Err(OAuthError::bad_request(
            "invalid_binding_message",
            format!(
                "binding_message must be plain text of at most {BINDING_MESSAGE_MAX_CHARS} characters"
            ),
        )),
    }
}

/// `invalid_grant`: the id is unknown to this SP, or its tokens were issued already.
pub fn unknown_or_used() -> OAuthError {
    OAuthError::bad_request("invalid_grant", "unknown or already used auth_req_id")
}

/// What a poll is answered before it is counted (CIBA §11): a request whose tokens were
/// issued is used up, a push request is never polled (§10.3), an expired one is over.
pub fn check_pollable(
    status: &str,
    mode: &str,
    expires_ms: i64,
    now_ms: i64,
) -> Result<(), OAuthError> {
    if status == "issued" {
        return Err(unknown_or_used());
    }
    if mode == DeliveryMode::Push.name() {
        // CIBA §10.3: in push mode the tokens go to the SP's notification endpoint only.
        return Err(OAuthError::bad_request(
            "invalid_grant",
            "this request is in push mode: its result is delivered to the notification endpoint",
        ));
    }
    if now_ms > expires_ms {
        return Err(OAuthError::bad_request(
            "expired_token",
            "the request expired before the user answered",
        ));
    }
    Ok(())
}

/// `slow_down` (CIBA §11): the poll came sooner than the interval after the previous one.
pub fn slow_down() -> OAuthError {
    OAuthError::bad_request(
        "slow_down",
        "poll less often: the interval grew by 5 seconds",
    )
}

/// What a counted poll is answered by the request's state (CIBA §11): `Ok` when the user
/// approved and the tokens may be issued.
pub fn check_answered(status: &str) -> Result<(), OAuthError> {
    match status {
        "pending" => Err(OAuthError::bad_request(
            "authorization_pending",
            "the user has not answered yet",
        )),
        "denied" => Err(OAuthError::bad_request("access_denied", "the user said no")),
        "approved" => Ok(()),
        _ => Err(unknown_or_used()),
    }
}

/// What a due ping or push delivery sends (CIBA §10.2, §10.3, §12).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notification {
    /// ping: `{"auth_req_id"}`; the SP then polls the token endpoint.
    Ping,
    /// push: the token response (tokens issued for this attempt).
    PushTokens,
    /// push: `{"auth_req_id", "error", "error_description"}`.
    PushError {
        error: &'static str,
        description: &'static str,
    },
}

impl Notification {
    /// The body of a ping or a pushed error; `None` for pushed tokens, which are issued for
    /// the attempt.
    pub fn body(&self, auth_req_id: &str) -> Option<Value> {
        match self {
            Notification::Ping => Some(json!({"auth_req_id": auth_req_id})),
            Notification::PushError { error, description } => Some(
                json!({"auth_req_id": auth_req_id, "error": error, "error_description": description}),
            ),
            Notification::PushTokens => None,
        }
    }
}

/// What a request in `mode` and `status` (expiring at `expires_ms`) notifies at `now_ms`;
/// `None` when there is nothing to deliver (poll mode, or a push request still pending in
/// time: another worker moved it).
pub fn notification(
    mode: DeliveryMode,
    status: &str,
    expires_ms: i64,
    now_ms: i64,
) -> Option<Notification> {
    let expired = status == "pending" && now_ms > expires_ms;
    match (mode, status) {
        (DeliveryMode::Ping, _) => Some(Notification::Ping),
        (DeliveryMode::Push, "denied") => Some(Notification::PushError {
            error: "access_denied",
            description: "the user said no",
        }),
        (DeliveryMode::Push, "pending") if expired => Some(Notification::PushError {
            error: "expired_token",
            description: "the request expired before the user answered",
        }),
        (DeliveryMode::Push, "approved" | "issued") => Some(Notification::PushTokens),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ciba_7_1_request_parameters_are_bounded() {
        assert_eq!(requested_expiry(None), Ok(DEFAULT_EXPIRY_S));
        assert_eq!(requested_expiry(Some("600")), Ok(600));
        for bad in ["0", "601", "-5", "5.0", ""] {
            assert_eq!(
                requested_expiry(Some(bad)).map_err(|e| e.code),
                Err("invalid_request"),
                "{bad}"
            );
        }
        assert_eq!(
            binding_message(Some("ORDER 42")),
            Ok(Some("ORDER 42".into()))
        );
        for bad in ["line\nbreak", &"x".repeat(BINDING_MESSAGE_MAX_CHARS + 1)] {
            assert_eq!(
                binding_message(Some(bad)).map_err(|e| e.code),
                Err("invalid_binding_message")
            );
        }
        assert_eq!(
            notification_token(Some("a-Z_0.9~+/=")),
            Ok("a-Z_0.9~+/=".into())
        );
        for bad in [None, Some(""), Some("has space"), Some("quote\"")] {
            assert_eq!(
                notification_token(bad).map_err(|e| e.code),
                Err("invalid_request")
            );
        }
    }

    #[test]
    fn ciba_10_what_a_due_delivery_sends() {
        let (expires, before, after) = (1_000, 1_000, 1_001);
        assert_eq!(
            notification(DeliveryMode::Ping, "approved", expires, before),
            Some(Notification::Ping)
        );
        assert_eq!(
            notification(DeliveryMode::Push, "approved", expires, before),
            Some(Notification::PushTokens)
        );
        assert_eq!(
            notification(DeliveryMode::Push, "issued", expires, before),
            Some(Notification::PushTokens),
            "an attempt that died after issuing is pushed again"
        );
        let error = |n: Option<Notification>| match n {
            Some(Notification::PushError { error, .. }) => Some(error),
            _ => None,
        };
        assert_eq!(
            error(notification(DeliveryMode::Push, "denied", expires, before)),
            Some("access_denied")
        );
        assert_eq!(
            error(notification(DeliveryMode::Push, "pending", expires, after)),
            Some("expired_token")
        );
        assert_eq!(
            notification(DeliveryMode::Push, "pending", expires, before),
            None
        );
        assert_eq!(
            notification(DeliveryMode::Poll, "approved", expires, before),
            None
        );
        assert_eq!(
            Notification::Ping.body("id-1"),
            Some(json!({"auth_req_id": "id-1"}))
        );
        assert_eq!(Notification::PushTokens.body("id-1"), None);
    }
}
