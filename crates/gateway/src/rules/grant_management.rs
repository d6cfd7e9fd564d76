//! Grant Management for OAuth 2.0 (FAPI, draft 03): which scopes an SP's client-credentials
//! token needs to query or revoke a grant, and which of its scopes are such management
//! scopes rather than services of a user's consent.

/// §5 (query a grant): the scope of the token `GET /grants/{grant_id}` needs.
pub const QUERY_SCOPE: &str = "grant_management_query";

/// §6 (revoke a grant): the scope of the token `DELETE /grants/{grant_id}` needs.
pub const REVOKE_SCOPE: &str = "grant_management_revoke";

/// The management scopes: granted by client credentials to an SP registered for Grant
/// Management, never part of a user's consent.
pub const SCOPES: &[&str] = &[QUERY_SCOPE, REVOKE_SCOPE];

/// Discovery's `grant_management_actions_supported` (§8): what this gateway does today.
/// `create` is what every request does (a new grant, its id in the token response);
/// `merge` and `replace` are refused rather than ignored (see [`check_request`]).
pub const ACTIONS_SUPPORTED: &[&str] = &["create", "query", "revoke"];

/// Why an authorization request's Grant Management parameters (§4.1) are refused: the
/// `invalid_request` description.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    #[error("grant_management_action {0} is not supported here (discovery lists the actions)")]
    Unsupported(&'static str),
    #[error("grant_management_action must be create, merge or replace")]
    Unknown,
    #[error("grant_id is only for the merge and replace actions")]
    GrantIdWithoutUpdate,
}

/// §4.1: an authorization request (`/authorize`, `/par`, `/bc-authorize`) may ask to
/// `create` a grant, which is what every request does; `merge` and `replace` (with a
/// `grant_id`) would change an existing grant, which this gateway does not do yet, so they
/// are refused rather than silently answered with a new grant the SP did not ask for.
pub fn check_request(action: Option<&str>, grant_id: Option<&str>) -> Result<(), RequestError> {
    match action {
        None | Some("create") if grant_id.is_none() => Ok(()),
        None | Some("create") => Err(RequestError::GrantIdWithoutUpdate),
        Some("merge") => Err(RequestError::Unsupported("merge")),
        Some("replace") => Err(RequestError::Unsupported("replace")),
        Some(_) => Err(RequestError::Unknown),
    }
}

/// What a management call wants to do to a grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Query,
    Revoke,
}

impl Action {
    /// The scope a token needs for this action.
    pub fn scope(self) -> &'static str {
        match self {
            Action::Query => QUERY_SCOPE,
            Action::Revoke => REVOKE_SCOPE,
        }
    }
}

/// Whether a client-credentials request for `requested` is one an SP registered for
/// SP-facing endpoints (Grant Management, Shared Signals) may make without being registered
/// for the client-credentials grant: it names only those endpoints' scopes
/// (`endpoint_scopes`), at least one.
pub fn endpoint_scopes_only(requested: &[String], endpoint_scopes: &[&str]) -> bool {
    !requested.is_empty()
        && requested
            .iter()
            .all(|s| endpoint_scopes.contains(&s.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scopes(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn only_endpoint_scopes_make_an_endpoint_request() {
        let only = |s: &str| endpoint_scopes_only(&scopes(s), SCOPES);
        assert!(only("grant_management_query"));
        assert!(only("grant_management_revoke grant_management_query"));
        assert!(!only(""));
        assert!(!only("grant_management_query mc_atp"));
        assert!(!only("openid"));
        assert!(!endpoint_scopes_only(&scopes("ssf"), SCOPES));
        assert!(endpoint_scopes_only(
            &scopes("ssf grant_management_query"),
            &["ssf", QUERY_SCOPE]
        ));
        assert_eq!(Action::Query.scope(), QUERY_SCOPE);
        assert_eq!(Action::Revoke.scope(), REVOKE_SCOPE);
    }

    #[test]
    fn a_request_may_create_a_grant_and_nothing_else_yet() {
        assert_eq!(check_request(None, None), Ok(()));
        assert_eq!(check_request(Some("create"), None), Ok(()));
        assert_eq!(
            check_request(Some("create"), Some("c-1")),
            Err(RequestError::GrantIdWithoutUpdate)
        );
        assert_eq!(
            check_request(None, Some("c-1")),
            Err(RequestError::GrantIdWithoutUpdate)
        );
        assert_eq!(
            check_request(Some("merge"), Some("c-1")),
            Err(RequestError::Unsupported("merge"))
        );
        assert_eq!(
            check_request(Some("replace"), Some("c-1")),
            Err(RequestError::Unsupported("replace"))
        );
        assert_eq!(
            check_request(Some("update"), None),
            Err(RequestError::Unknown)
        );
        assert_eq!(check_request(Some(""), None), Err(RequestError::Unknown));
    }
}
