//! Grant Management for OAuth 2.0 (FAPI, draft 03): which scopes an SP's client-credentials
//! token needs to query or revoke a grant, which of its scopes are such management scopes
//! rather than services of a user's consent, and how an authorization request creates a
//! grant or changes one (`merge`, `replace`).

/// §5 (query a grant): the scope of the token `GET /grants/{grant_id}` needs.
pub const QUERY_SCOPE: &str = "grant_management_query";

/// §6 (revoke a grant): the scope of the token `DELETE /grants/{grant_id}` needs.
pub const REVOKE_SCOPE: &str = "grant_management_revoke";

/// The management scopes: granted by client credentials to an SP registered for Grant
/// Management, never part of a user's consent.
pub const SCOPES: &[&str] = &[QUERY_SCOPE, REVOKE_SCOPE];

/// Discovery's `grant_management_actions_supported` (§8).
pub const ACTIONS_SUPPORTED: &[&str] = &["create", "query", "revoke", "merge", "replace"];

/// Why an authorization request's Grant Management parameters (§4.1) are refused: the
/// `invalid_request` description.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    #[error("grant_management_action must be create, merge or replace")]
    Unknown,
    #[error("grant_id is only for the merge and replace actions")]
    GrantIdWithoutUpdate,
    #[error("merge and replace need the grant_id of the grant to change")]
    GrantIdRequired,
}

/// How a request changes an existing grant (§4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Update {
    /// The grant keeps what it gave and gains what the request asks.
    Merge,
    /// The grant becomes what the request asks; what it gave before is gone, and the tokens
    /// bought with it die.
    Replace,
}

impl Update {
    pub fn name(self) -> &'static str {
        match self {
            Update::Merge => "merge",
            Update::Replace => "replace",
        }
    }

    pub fn parse(name: &str) -> Option<Update> {
        match name {
            "merge" => Some(Update::Merge),
            "replace" => Some(Update::Replace),
            _ => None,
        }
    }

    /// The grant's services after the user approves `requested`.
    pub fn scope(self, granted: &[String], requested: &[String]) -> Vec<String> {
        match self {
            Update::Replace => requested.to_vec(),
            Update::Merge => {
                let mut scope = granted.to_vec();
                for s in requested {
                    if !scope.contains(s) {
                        scope.push(s.clone());
                    }
                }
                scope
            }
        }
    }

    /// The attributes the user had withdrawn that stay withdrawn: a merge keeps the
    /// withdrawals, a replace is a new consent to what it asks.
    pub fn withdrawn(self, withdrawn: &[String]) -> Vec<String> {
        match self {
            Update::Merge => withdrawn.to_vec(),
            Update::Replace => Vec::new(),
        }
    }
}

/// §4.1: an authorization request (`/authorize`, `/par`, `/bc-authorize`) creates a grant
/// (no action, or `create`), or changes the grant `grant_id` names (`merge`, `replace`);
/// whose grant it may change is the flows' to check (`invalid_grant_id`).
pub fn check_request<'a>(
    action: Option<&str>,
    grant_id: Option<&'a str>,
) -> Result<Option<(Update, &'a str)>, RequestError> {
    match (action, grant_id) {
        (None | Some("create"), None) => Ok(None),
        (None | Some("create"), Some(_)) => Err(RequestError::GrantIdWithoutUpdate),
        (Some(name), grant_id) => {
            let update = Update::parse(name).ok_or(RequestError::Unknown)?;
            match grant_id {
                Some(id) if !id.is_empty() => Ok(Some((update, id))),
                _ => Err(RequestError::GrantIdRequired),
            }
        }
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
    fn a_request_creates_a_grant_or_changes_one_it_names() {
        assert_eq!(check_request(None, None), Ok(None));
        assert_eq!(check_request(Some("create"), None), Ok(None));
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
            Ok(Some((Update::Merge, "c-1")))
        );
        assert_eq!(
            check_request(Some("replace"), Some("c-1")),
            Ok(Some((Update::Replace, "c-1")))
        );
        assert_eq!(
            check_request(Some("merge"), None),
            Err(RequestError::GrantIdRequired)
        );
        assert_eq!(
            check_request(Some("replace"), Some("")),
            Err(RequestError::GrantIdRequired)
        );
        assert_eq!(
            check_request(Some("update"), None),
            Err(RequestError::Unknown)
        );
        assert_eq!(check_request(Some(""), None), Err(RequestError::Unknown));
    }

    #[test]
    fn a_merge_adds_and_a_replace_is_what_is_asked() {
        let granted = scopes("openid mc_identity_signup");
        let asked = scopes("openid mc_kyc_match");
        assert_eq!(
            Update::Merge.scope(&granted, &asked),
            scopes("openid mc_identity_signup mc_kyc_match")
        );
        assert_eq!(Update::Replace.scope(&granted, &asked), asked);
        let withdrawn = scopes("email");
        assert_eq!(Update::Merge.withdrawn(&withdrawn), withdrawn);
        assert!(Update::Replace.withdrawn(&withdrawn).is_empty());
    }
}
