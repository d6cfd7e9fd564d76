//! ACME resources and request payloads as typed JSON (RFC 8555 §7.1.1–7.1.6, §7.3–7.6).
//!
//! The gateway's ACME server writes these objects and the app core's ACME client reads them
//! (and the client writes the request payloads the server reads). The types are general RFC
//! 8555 objects, so the same client also reads a standard server (Pebble, with `dns`
//! identifiers and `http-01` challenges): identifier and challenge types are strings, unknown
//! members are ignored when reading, and members RFC 8555 makes optional are `Option`s that
//! are left out when `None`.
//!
//! Members are declared in lexicographic order: that is the order in which `serde_json`'s
//! default map has written these objects so far, so a server that builds them from these
//! types writes the same bytes as before.

use serde::{Deserialize, Serialize};

use crate::problem::ProblemDocument;

/// The status of an account, order, authorization or challenge (RFC 8555 §7.1.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pending,
    Ready,
    Processing,
    Valid,
    Invalid,
    Deactivated,
    Expired,
    Revoked,
}

impl Status {
    /// The name on the wire.
    pub fn name(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Ready => "ready",
            Status::Processing => "processing",
            Status::Valid => "valid",
            Status::Invalid => "invalid",
            Status::Deactivated => "deactivated",
            Status::Expired => "expired",
            Status::Revoked => "revoked",
        }
    }

    /// The status named `name` on the wire (what [`Status::name`] writes).
    pub fn from_name(name: &str) -> Option<Status> {
        [
            Status::Pending,
            Status::Ready,
            Status::Processing,
            Status::Valid,
            Status::Invalid,
            Status::Deactivated,
            Status::Expired,
            Status::Revoked,
        ]
        .into_iter()
        .find(|status| status.name() == name)
    }
}

/// An identifier (RFC 8555 §7.1.3, §9.7.7): here `{"type": "TNAuthList", "value": <base64
/// DER of a TNAuthList>}` (RFC 9448 §3); a standard server also has `dns`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Identifier {
    /// `TNAuthList` ([`crate::tnauthlist::IDENTIFIER_TYPE`]), `dns`, …
    #[serde(rename = "type")]
    pub kind: String,
    pub value: String,
}

impl Identifier {
    /// The `TNAuthList` identifier of one telephone number (E.164, `+` optional).
    pub fn tn_auth_list(number: &str) -> Result<Self, crate::tnauthlist::TnError> {
        Ok(Identifier {
            kind: crate::tnauthlist::IDENTIFIER_TYPE.to_owned(),
            value: crate::tnauthlist::identifier_value(number)?,
        })
    }
}

/// `GET /acme/directory` (RFC 8555 §7.1.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Directory {
    pub key_change: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<DirectoryMeta>,
    pub new_account: String,
    /// Absent: the server does not pre-authorize identifiers (§7.4.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_authz: Option<String>,
    pub new_nonce: String,
    pub new_order: String,
    pub revoke_cert: String,
}

/// The directory's `meta` (RFC 8555 §7.1.1).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct DirectoryMeta {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caa_identities: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_account_required: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terms_of_service: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
}

/// An account (RFC 8555 §7.1.2): the answer to `newAccount` and to `POST /acme/account/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Account {
    /// `mailto:` and `tel:` URLs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<Vec<String>>,
    /// The URL of the account's orders list (§7.1.2.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub orders: Option<String>,
    /// `valid`, `deactivated` or `revoked`.
    pub status: Status,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terms_of_service_agreed: Option<bool>,
}

/// An account's orders list (RFC 8555 §7.1.2.1): `POST /acme/account/{id}/orders`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrdersList {
    /// Order URLs.
    pub orders: Vec<String>,
}

/// An order (RFC 8555 §7.1.3): the answer to `newOrder`, `POST /acme/order/{id}` and its
/// finalization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Order {
    /// Authorization URLs, one per identifier.
    pub authorizations: Vec<String>,
    /// The certificate's URL, once the order is `valid`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<String>,
    /// Why the order is `invalid`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ProblemDocument>,
    /// RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    /// Where to send the CSR (§7.4).
    pub finalize: String,
    pub identifiers: Vec<Identifier>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_after: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_before: Option<String>,
    pub status: Status,
}

/// An authorization (RFC 8555 §7.1.4): `POST /acme/authz/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Authorization {
    pub challenges: Vec<Challenge>,
    /// RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    pub identifier: Identifier,
    pub status: Status,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wildcard: Option<bool>,
}

/// A challenge (RFC 8555 §7.1.5, §8): `POST /acme/chall/{id}`; here `sms-link-00`
/// ([`crate::sms_link::CHALLENGE_TYPE`]), whose token is half of the key authorization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Challenge {
    /// Why the challenge is `invalid`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ProblemDocument>,
    pub status: Status,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// `sms-link-00`, `http-01`, …
    #[serde(rename = "type")]
    pub kind: String,
    pub url: String,
    /// RFC 3339, when the challenge became `valid`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validated: Option<String>,
}

/// What can be polled until it is done: its status, and why it failed.
pub trait Progress {
    fn status(&self) -> Status;
    fn error(&self) -> Option<&ProblemDocument>;
}

impl Progress for Order {
    fn status(&self) -> Status {
        self.status
    }
    fn error(&self) -> Option<&ProblemDocument> {
        self.error.as_ref()
    }
}

impl Progress for Authorization {
    fn status(&self) -> Status {
        self.status
    }
    /// An authorization carries its failure in its challenges (§7.1.4).
    fn error(&self) -> Option<&ProblemDocument> {
        self.challenges.iter().find_map(|c| c.error.as_ref())
    }
}

impl Progress for Challenge {
    fn status(&self) -> Status {
        self.status
    }
    fn error(&self) -> Option<&ProblemDocument> {
        self.error.as_ref()
    }
}

/// The `newAccount` payload (RFC 8555 §7.3).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct NewAccount {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<Vec<String>>,
    /// `true`: only find the account of this key, never create one (§7.3.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub only_return_existing: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terms_of_service_agreed: Option<bool>,
}

/// A `POST /acme/account/{id}` payload that changes the account: new contacts (§7.3.2) or
/// `"status": "deactivated"` (§7.3.6).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountUpdate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
}

/// The `newOrder` payload (RFC 8555 §7.4). This gateway takes exactly one `TNAuthList`
/// identifier with one number, and neither `notBefore` nor `notAfter`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct NewOrder {
    pub identifiers: Vec<Identifier>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_after: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_before: Option<String>,
}

/// A `POST /acme/authz/{id}` payload that deactivates the authorization (§7.5.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuthorizationUpdate {
    /// `deactivated`.
    pub status: Status,
}

/// The `sms-link-00` "ready" payload, `{}` (RFC 8555 §7.5.1): the server sends the SMS.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChallengeReady {}

/// The `sms-link-00` answer: the key authorization built from the token, the code from the
/// SMS and the account key's thumbprint ([`crate::sms_link::key_authorization`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ChallengeAnswer {
    pub key_authorization: String,
}

/// The finalize payload (RFC 8555 §7.4): the CSR, base64url DER.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Finalize {
    pub csr: String,
}

/// The `revokeCert` payload (RFC 8555 §7.6): the certificate, base64url DER, and an RFC 5280
/// reason code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RevokeCert {
    pub certificate: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<u8>,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    /// Pebble's (a standard server's) objects read too: other identifier and challenge
    /// types, members this crate does not know.
    #[test]
    fn a_standard_servers_objects_read() {
        let directory: Directory = serde_json::from_value(json!({
            "keyChange": "https://p/rollover-account-key", "meta": {"externalAccountRequired": false,
            "termsOfService": "data:text/plain,Do%20what%20thou%20wilt", "profiles": {}},
            "newAccount": "https://p/sign-me-up", "newNonce": "https://p/nonce-plz",
            "newOrder": "https://p/order-plz", "renewalInfo": "https://p/draft-ietf-acme-ari-03/renewalInfo",
            "revokeCert": "https://p/revoke-cert"}))
        .unwrap();
        assert_eq!(directory.new_authz, None);
        let authz: Authorization = serde_json::from_value(json!({
            "status": "pending", "identifier": {"type": "dns", "value": "assent.example.org"},
            "challenges": [{"type": "http-01", "url": "https://p/chalZ/1", "token": "t",
                            "status": "pending"}],
            "expires": "2026-01-01T00:00:00Z"}))
        .unwrap();
        assert_eq!(authz.challenges[0].kind, "http-01");
        assert_eq!(authz.status(), Status::Pending);
    }

    #[test]
    fn statuses_are_lowercase_names() {
        for status in [
            Status::Pending,
            Status::Ready,
            Status::Processing,
            Status::Valid,
            Status::Invalid,
            Status::Deactivated,
            Status::Expired,
            Status::Revoked,
        ] {
            assert_eq!(serde_json::to_value(status).unwrap(), json!(status.name()));
            assert_eq!(Status::from_name(status.name()), Some(status));
        }
        assert_eq!(Status::from_name("Valid"), None);
    }

    #[test]
    fn a_tn_auth_list_identifier_names_the_number() {
        let identifier = Identifier::tn_auth_list("+447700900001").unwrap();
        assert_eq!(identifier.kind, "TNAuthList");
        assert_eq!(
            crate::tnauthlist::number_from_identifier_value(&identifier.value).unwrap(),
            "447700900001"
        );
        assert_eq!(
            serde_json::to_string(&ChallengeReady {}).unwrap(),
            "{}",
            "ready is an empty object"
        );
    }
}
