//! Every body's OpenAPI schema, derived from the types (feature `openapi`). The gateway's
//! handlers name these types as their request and response bodies; [`Schemas`] lists them
//! all as components, for a description that has them whether or not a route names them.

use utoipa::OpenApi;

/// All the schemas of the contract, as OpenAPI components (`Schemas::openapi()`).
#[derive(Debug, OpenApi)]
#[openapi(components(schemas(
    crate::OAuthError,
    crate::device::Registration,
    crate::device::Registered,
    crate::device::TokenRequest,
    crate::device::TokenResponse,
    crate::device::Inbox,
    crate::device::InboxItem,
    crate::device::DecisionRequest,
    crate::device::DecisionAnswer,
    crate::device::Grants,
    crate::device::Devices,
    crate::device::DeviceInfo,
    crate::device::DeviceRevoked,
    crate::device::Grant,
    crate::device::Empty,
    crate::device::Revoked,
    crate::device::WithdrawRequest,
    crate::device::Withdrawn,
    crate::device::Receipts,
    crate::device::ReceiptItem,
    crate::device::FlagRequest,
    crate::device::Flagged,
    crate::device::Notifications,
    crate::device::Notification,
    crate::device::AuditPage,
    crate::audit::UserExport,
    crate::jwt::RegistrationAssertion,
    crate::jwt::TokenAssertion,
    crate::jwt::DpopProof,
    crate::jwt::DecisionClaims,
    crate::jwt::HeadStatement,
    crate::jwt::CheckpointClaims,
    crate::jwt::ReceiptClaims,
    crate::jwt::ReceiptController,
    crate::jwt::ReceiptPurpose,
    crate::jwt::ReceiptMethod,
    crate::jwt::ReceiptDuration,
    crate::sim::SimMessage,
    crate::sim::SimReply,
    crate::sim::SimReplyAnswer,
    crate::acme::Directory,
    crate::acme::Account,
    crate::acme::OrdersList,
    crate::acme::Order,
    crate::acme::Authorization,
    crate::acme::Challenge,
    crate::acme::NewAccount,
    crate::acme::AccountUpdate,
    crate::acme::NewOrder,
    crate::acme::AuthorizationUpdate,
    crate::acme::ChallengeReady,
    crate::acme::ChallengeAnswer,
    crate::acme::Finalize,
    crate::acme::RevokeCert,
    crate::acme::ProblemDocument,
)))]
pub struct Schemas;

#[cfg(test)]
mod tests {
    use super::*;

    /// Each body has its schema, and the schemas say what is required: a member that may be
    /// `null` or absent is not.
    #[test]
    fn every_body_has_a_schema_with_its_required_members() {
        let document = Schemas::openapi();
        let json = serde_json::to_value(&document).unwrap();
        let schemas = &json["components"]["schemas"];
        for name in [
            "Grant",
            "InboxItem",
            "PromptContent",
            "WireDevice",
            "AuditEntry",
            "EntryKind",
            "Order",
            "Identifier",
            "Status",
            "SimMessage",
        ] {
            assert!(schemas.get(name).is_some(), "no schema {name}");
        }
        let required = |name: &str| -> Vec<String> {
            serde_json::from_value(schemas[name]["required"].clone()).unwrap_or_default()
        };
        let grant = required("Grant");
        assert!(grant.contains(&"prompt".to_owned()), "{grant:?}");
        assert!(!grant.contains(&"last_used".to_owned()), "{grant:?}");
        let order = required("Order");
        assert!(order.contains(&"finalize".to_owned()));
        assert!(!order.contains(&"certificate".to_owned()));
        let item = required("InboxItem");
        assert!(!item.contains(&"content".to_owned()));
    }
}
