//! ACME problem documents (RFC 8555 §6.7, on top of RFC 7807).
//!
//! Every refusal in this crate is an [`AcmeProblem`]: one of the error types RFC 8555 §6.7
//! registers (the [`ProblemType`] list is exactly that table, no more), plus a human-readable
//! `detail`. The server turns it into a response with [`AcmeProblem::to_json`] and
//! [`ProblemType::status`]; the client can read one back with [`AcmeProblem::from_json`].
//!
//! Decisions:
//! - Only the URNs of the IANA "ACME Error Types" registry are produced: RFC 8555 §6.7 says
//!   servers MUST NOT use the `urn:ietf:params:acme:error:` namespace for anything else, so
//!   there is deliberately no "custom" variant.
//! - The HTTP status is a property of the type, not of each problem, so the two can never
//!   disagree. Where the RFC fixes a status it is used (badNonce and badSignatureAlgorithm 400
//!   per §6.5 and §6.2, orderNotReady 403 per §7.4, rateLimited 429 as the conventional
//!   status for §6.6); elsewhere the choice follows what deployed CAs answer (see
//!   [`ProblemType::status`]). 401 is never used: it requires a `WWW-Authenticate` challenge
//!   (RFC 9110 §15.5.2) and ACME has no HTTP authentication scheme.
//! - A `badSignatureAlgorithm` problem always carries the `algorithms` member that RFC 8555
//!   §6.2 requires, filled from this crate's fixed allow-list ([`crate::jws::Alg::ALL`]): the
//!   list is a property of the crate, so no caller can forget it.
//! - `detail` goes to the client verbatim. Callers must keep secrets (codes, hashes, keys)
//!   out of it; the helpers in this crate only ever put shapes and public values there.

use serde_json::{Map, Value, json};

/// The `Content-Type` of a problem document response (RFC 7807 §3).
pub const CONTENT_TYPE: &str = "application/problem+json";

/// The ACME error namespace (RFC 8555 §6.7, §9.6).
const URN_PREFIX: &str = "urn:ietf:params:acme:error:";

/// The error types of RFC 8555 §6.7 (the IANA "ACME Error Types" registry as of RFC 8555).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProblemType {
    AccountDoesNotExist,
    AlreadyRevoked,
    BadCsr,
    BadNonce,
    BadPublicKey,
    BadRevocationReason,
    BadSignatureAlgorithm,
    Caa,
    Compound,
    Connection,
    Dns,
    ExternalAccountRequired,
    IncorrectResponse,
    InvalidContact,
    Malformed,
    OrderNotReady,
    RateLimited,
    RejectedIdentifier,
    ServerInternal,
    Tls,
    Unauthorized,
    UnsupportedContact,
    UnsupportedIdentifier,
    UserActionRequired,
}

impl ProblemType {
    /// Every type, in the order of the RFC 8555 §6.7 table.
    pub const ALL: [ProblemType; 24] = [
        ProblemType::AccountDoesNotExist,
        ProblemType::AlreadyRevoked,
        ProblemType::BadCsr,
        ProblemType::BadNonce,
        ProblemType::BadPublicKey,
        ProblemType::BadRevocationReason,
        ProblemType::BadSignatureAlgorithm,
        ProblemType::Caa,
        ProblemType::Compound,
        ProblemType::Connection,
        ProblemType::Dns,
        ProblemType::ExternalAccountRequired,
        ProblemType::IncorrectResponse,
        ProblemType::InvalidContact,
        ProblemType::Malformed,
        ProblemType::OrderNotReady,
        ProblemType::RateLimited,
        ProblemType::RejectedIdentifier,
        ProblemType::ServerInternal,
        ProblemType::Tls,
        ProblemType::Unauthorized,
        ProblemType::UnsupportedContact,
        ProblemType::UnsupportedIdentifier,
        ProblemType::UserActionRequired,
    ];

    /// The token after `urn:ietf:params:acme:error:`, spelled as in the RFC (note `badCSR`).
    pub fn token(self) -> &'static str {
        match self {
            ProblemType::AccountDoesNotExist => "accountDoesNotExist",
            ProblemType::AlreadyRevoked => "alreadyRevoked",
            ProblemType::BadCsr => "badCSR",
            ProblemType::BadNonce => "badNonce",
            ProblemType::BadPublicKey => "badPublicKey",
            ProblemType::BadRevocationReason => "badRevocationReason",
            ProblemType::BadSignatureAlgorithm => "badSignatureAlgorithm",
            ProblemType::Caa => "caa",
            ProblemType::Compound => "compound",
            ProblemType::Connection => "connection",
            ProblemType::Dns => "dns",
            ProblemType::ExternalAccountRequired => "externalAccountRequired",
            ProblemType::IncorrectResponse => "incorrectResponse",
            ProblemType::InvalidContact => "invalidContact",
            ProblemType::Malformed => "malformed",
            ProblemType::OrderNotReady => "orderNotReady",
            ProblemType::RateLimited => "rateLimited",
            ProblemType::RejectedIdentifier => "rejectedIdentifier",
            ProblemType::ServerInternal => "serverInternal",
            ProblemType::Tls => "tls",
            ProblemType::Unauthorized => "unauthorized",
            ProblemType::UnsupportedContact => "unsupportedContact",
            ProblemType::UnsupportedIdentifier => "unsupportedIdentifier",
            ProblemType::UserActionRequired => "userActionRequired",
        }
    }

    /// The full type URN, e.g. `urn:ietf:params:acme:error:badNonce`.
    pub fn urn(self) -> &'static str {
        // Spelled out rather than built with format! so the return can be &'static str
        // (callers put it in headers and logs without allocating).
        match self {
            ProblemType::AccountDoesNotExist => "urn:ietf:params:acme:error:accountDoesNotExist",
            ProblemType::AlreadyRevoked => "urn:ietf:params:acme:error:alreadyRevoked",
            ProblemType::BadCsr => "urn:ietf:params:acme:error:badCSR",
            ProblemType::BadNonce => "urn:ietf:params:acme:error:badNonce",
            ProblemType::BadPublicKey => "urn:ietf:params:acme:error:badPublicKey",
            ProblemType::BadRevocationReason => "urn:ietf:params:acme:error:badRevocationReason",
            ProblemType::BadSignatureAlgorithm => {
                "urn:ietf:params:acme:error:badSignatureAlgorithm"
            }
            ProblemType::Caa => "urn:ietf:params:acme:error:caa",
            ProblemType::Compound => "urn:ietf:params:acme:error:compound",
            ProblemType::Connection => "urn:ietf:params:acme:error:connection",
            ProblemType::Dns => "urn:ietf:params:acme:error:dns",
            ProblemType::ExternalAccountRequired => {
                "urn:ietf:params:acme:error:externalAccountRequired"
            }
            ProblemType::IncorrectResponse => "urn:ietf:params:acme:error:incorrectResponse",
            ProblemType::InvalidContact => "urn:ietf:params:acme:error:invalidContact",
            ProblemType::Malformed => "urn:ietf:params:acme:error:malformed",
            ProblemType::OrderNotReady => "urn:ietf:params:acme:error:orderNotReady",
            ProblemType::RateLimited => "urn:ietf:params:acme:error:rateLimited",
            ProblemType::RejectedIdentifier => "urn:ietf:params:acme:error:rejectedIdentifier",
            ProblemType::ServerInternal => "urn:ietf:params:acme:error:serverInternal",
            ProblemType::Tls => "urn:ietf:params:acme:error:tls",
            ProblemType::Unauthorized => "urn:ietf:params:acme:error:unauthorized",
            ProblemType::UnsupportedContact => "urn:ietf:params:acme:error:unsupportedContact",
            ProblemType::UnsupportedIdentifier => {
                "urn:ietf:params:acme:error:unsupportedIdentifier"
            }
            ProblemType::UserActionRequired => "urn:ietf:params:acme:error:userActionRequired",
        }
    }

    /// The type whose URN is `urn` (exact, case-sensitive match: URN namespace-specific
    /// strings are compared as given, and ACME servers send the registry spelling).
    pub fn from_urn(urn: &str) -> Option<Self> {
        let token = urn.strip_prefix(URN_PREFIX)?;
        Self::ALL.into_iter().find(|t| t.token() == token)
    }

    /// The HTTP status a response carrying this problem uses.
    ///
    /// Fixed by RFC 8555: badNonce 400 (§6.5), badSignatureAlgorithm and badPublicKey 400
    /// (§6.2), orderNotReady 403 (§7.4), userActionRequired 403 (§7.3.3's example).
    /// Conventional: rateLimited 429 (RFC 6585), serverInternal 500. Authorization failures
    /// (unauthorized, caa, externalAccountRequired, compound — the §6.7.1 example answers
    /// 403) are 403; every other client-side fault is 400. The validation-time types
    /// (connection, dns, tls, incorrectResponse) mostly travel inside a challenge's `error`
    /// rather than as a response; when a request is refused for them — e.g. a wrong
    /// sms-link-00 answer — 403 says "you did not prove control", which is what happened.
    pub fn status(self) -> u16 {
        match self {
            ProblemType::Unauthorized
            | ProblemType::Caa
            | ProblemType::Compound
            | ProblemType::ExternalAccountRequired
            | ProblemType::IncorrectResponse
            | ProblemType::OrderNotReady
            | ProblemType::UserActionRequired => 403,
            ProblemType::RateLimited => 429,
            ProblemType::ServerInternal => 500,
            ProblemType::AccountDoesNotExist
            | ProblemType::AlreadyRevoked
            | ProblemType::BadCsr
            | ProblemType::BadNonce
            | ProblemType::BadPublicKey
            | ProblemType::BadRevocationReason
            | ProblemType::BadSignatureAlgorithm
            | ProblemType::Connection
            | ProblemType::Dns
            | ProblemType::InvalidContact
            | ProblemType::Malformed
            | ProblemType::RejectedIdentifier
            | ProblemType::Tls
            | ProblemType::UnsupportedContact
            | ProblemType::UnsupportedIdentifier => 400,
        }
    }
}

/// One refusal: an RFC 8555 error type and a human-readable explanation for the client.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind:?}: {detail}")]
pub struct AcmeProblem {
    pub kind: ProblemType,
    pub detail: String,
}

impl AcmeProblem {
    pub fn new(kind: ProblemType, detail: impl Into<String>) -> Self {
        AcmeProblem {
            kind,
            detail: detail.into(),
        }
    }

    /// Shorthand for the most common refusal.
    pub fn malformed(detail: impl Into<String>) -> Self {
        Self::new(ProblemType::Malformed, detail)
    }

    /// The HTTP status of the response (see [`ProblemType::status`]).
    pub fn status(&self) -> u16 {
        self.kind.status()
    }

    /// The problem document: `{"type", "detail", "status"}`, plus `algorithms` for
    /// badSignatureAlgorithm (RFC 8555 §6.2 makes it mandatory there).
    ///
    /// Headers that RFC 8555 ties to some types are the server's to add: a fresh
    /// `Replay-Nonce` on badNonce (§6.5), `Retry-After` on rateLimited (§6.6), a `Link`
    /// with `rel="index"` to the directory on every error (§7.1).
    pub fn to_json(&self) -> Value {
        let mut doc = json!({
            "type": self.kind.urn(),
            "detail": self.detail,
            "status": self.kind.status(),
        });
        if self.kind == ProblemType::BadSignatureAlgorithm
            && let Value::Object(map) = &mut doc
        {
            let algs = crate::jws::Alg::ALL
                .iter()
                .map(|a| Value::from(a.name()))
                .collect::<Vec<_>>();
            map.insert("algorithms".into(), Value::Array(algs));
        }
        doc
    }

    /// Reads a problem document the client received. `None` when `doc` is not an object or
    /// its `type` is not one of the RFC 8555 URNs (other problem types exist in the wild —
    /// RFC 7807 allows any URI — and the caller then has only the HTTP status to go on).
    /// A missing `detail` becomes the empty string (RFC 7807 makes it optional).
    pub fn from_json(doc: &Value) -> Option<Self> {
        let map: &Map<String, Value> = doc.as_object()?;
        let kind = ProblemType::from_urn(map.get("type")?.as_str()?)?;
        let detail = map
            .get("detail")
            .and_then(Value::as_str)
            .unwrap_or_default();
        Some(AcmeProblem::new(kind, detail))
    }
}

/// A problem document as JSON (RFC 7807 §3.1, RFC 8555 §6.7): an error response's body, and
/// the `error` of an order or a challenge. Members in lexicographic order (the order
/// [`AcmeProblem::to_json`] writes them in); those RFC 7807 makes optional are left out when
/// `None`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProblemDocument {
    /// badSignatureAlgorithm: the algorithms the server accepts (RFC 8555 §6.2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub algorithms: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The identifier a subproblem is about (RFC 8555 §6.7.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identifier: Option<crate::objects::Identifier>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// The HTTP status ([`ProblemType::status`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(no_recursion))]
    pub subproblems: Option<Vec<ProblemDocument>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// `urn:ietf:params:acme:error:…`
    #[serde(rename = "type")]
    pub kind: String,
}

impl ProblemDocument {
    /// The problem, when its type is one of RFC 8555's (as [`AcmeProblem::from_json`]).
    pub fn problem(&self) -> Option<AcmeProblem> {
        let kind = ProblemType::from_urn(&self.kind)?;
        Some(AcmeProblem::new(
            kind,
            self.detail.clone().unwrap_or_default(),
        ))
    }
}

impl From<&AcmeProblem> for ProblemDocument {
    /// The document [`AcmeProblem::to_json`] writes.
    fn from(problem: &AcmeProblem) -> Self {
        ProblemDocument {
            algorithms: (problem.kind == ProblemType::BadSignatureAlgorithm).then(|| {
                crate::jws::Alg::ALL
                    .iter()
                    .map(|a| a.name().to_owned())
                    .collect()
            }),
            detail: Some(problem.detail.clone()),
            identifier: None,
            instance: None,
            status: Some(problem.kind.status()),
            subproblems: None,
            title: None,
            kind: problem.kind.urn().to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 8555 §6.7: the URN of every type is the registry token under the ACME namespace.
    #[test]
    fn rfc8555_6_7_urns_round_trip() {
        for kind in ProblemType::ALL {
            let urn = kind.urn();
            assert_eq!(urn, format!("{URN_PREFIX}{}", kind.token()));
            assert_eq!(ProblemType::from_urn(urn), Some(kind));
        }
        assert_eq!(
            ProblemType::BadCsr.urn(),
            "urn:ietf:params:acme:error:badCSR"
        );
        assert_eq!(
            ProblemType::from_urn("urn:ietf:params:acme:error:badCsr"),
            None
        );
        assert_eq!(ProblemType::from_urn("about:blank"), None);
    }

    /// RFC 8555 §6.2, §6.5, §7.4 fix some statuses; the rest are the crate's choice.
    #[test]
    fn rfc8555_statuses() {
        assert_eq!(ProblemType::BadNonce.status(), 400);
        assert_eq!(ProblemType::BadSignatureAlgorithm.status(), 400);
        assert_eq!(ProblemType::BadPublicKey.status(), 400);
        assert_eq!(ProblemType::Malformed.status(), 400);
        assert_eq!(ProblemType::AccountDoesNotExist.status(), 400);
        assert_eq!(ProblemType::Unauthorized.status(), 403);
        assert_eq!(ProblemType::OrderNotReady.status(), 403);
        assert_eq!(ProblemType::RateLimited.status(), 429);
        assert_eq!(ProblemType::ServerInternal.status(), 500);
        for kind in ProblemType::ALL {
            assert!(matches!(kind.status(), 400 | 403 | 429 | 500), "{kind:?}");
        }
    }

    #[test]
    fn rfc8555_6_7_problem_document() {
        let p = AcmeProblem::new(ProblemType::BadNonce, "nonce was already used");
        assert_eq!(
            p.to_json(),
            json!({
                "type": "urn:ietf:params:acme:error:badNonce",
                "detail": "nonce was already used",
                "status": 400,
            })
        );
        assert_eq!(AcmeProblem::from_json(&p.to_json()), Some(p.clone()));
        assert_eq!(p.to_string(), "BadNonce: nonce was already used");
    }

    /// RFC 8555 §6.2: badSignatureAlgorithm MUST list the supported algorithms.
    #[test]
    fn rfc8555_6_2_bad_signature_algorithm_lists_algorithms() {
        let p = AcmeProblem::new(ProblemType::BadSignatureAlgorithm, "HS256 is not supported");
        assert_eq!(
            p.to_json()["algorithms"],
            json!(["ES256", "EdDSA", "RS256"])
        );
        assert!(
            AcmeProblem::malformed("x")
                .to_json()
                .get("algorithms")
                .is_none()
        );
    }

    /// The typed document is exactly what `to_json` writes, for every type, and reads back.
    #[test]
    fn the_typed_document_is_the_json_one() {
        for kind in ProblemType::ALL {
            let p = AcmeProblem::new(kind, "why");
            let typed = ProblemDocument::from(&p);
            assert_eq!(
                serde_json::to_value(&typed).unwrap(),
                p.to_json(),
                "{kind:?}"
            );
            assert_eq!(
                serde_json::to_string(&typed).unwrap(),
                p.to_json().to_string()
            );
            let back: ProblemDocument = serde_json::from_value(p.to_json()).unwrap();
            assert_eq!(back.problem(), Some(p));
        }
        let other: ProblemDocument =
            serde_json::from_value(json!({"type": "about:blank", "title": "Not Found"})).unwrap();
        assert_eq!(other.problem(), None);
    }

    #[test]
    fn from_json_refuses_non_problems() {
        assert_eq!(AcmeProblem::from_json(&json!("x")), None);
        assert_eq!(AcmeProblem::from_json(&json!({"type": 3})), None);
        assert_eq!(
            AcmeProblem::from_json(&json!({"type": "urn:ietf:params:acme:error:dns"})),
            Some(AcmeProblem::new(ProblemType::Dns, ""))
        );
    }
}
