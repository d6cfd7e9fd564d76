//! The token endpoint's client credentials grant (RFC 6749 §4.4, seed 003), introspection
//! (RFC 7662) and revocation (RFC 7009), on the domain handle with the fixed clock.

use crate::support::{Harness, START_MS, audit_of, params};
use assent_audit::EntryKind;
use assent_gateway::base::ids::token_hash;
use assent_gateway::flows::tokens::{self, Introspection};
use assent_gateway::store::Client;

/// `grant_type=client_credentials` for `client_id`, with `scope` when given.
async fn client_credentials(
    h: &Harness,
    client_id: &str,
    scope: Option<&str>,
) -> Result<assent_gateway::flows::issue::TokenResponse, assent_gateway::rules::oauth::OAuthError> {
    let client = h.client(client_id).await;
    let mut form = params(&[("grant_type", "client_credentials")]);
    if let Some(scope) = scope {
        form.insert("scope".into(), scope.into());
    }
    tokens::grant(&h.gateway, &client, &form).await
}

/// ATP Guard (`atp-sp`, registered for client credentials and `mc_atp`) under another id,
/// changed by `change`.
async fn register_like_atp(h: &Harness, client_id: &str, change: impl FnOnce(&mut Client)) {
    let mut client = h.client("atp-sp").await;
    client.client_id = client_id.into();
    change(&mut client);
    h.store.upsert_client(&client).await.unwrap();
}

#[tokio::test]
async fn seed_003_a_generic_token_lives_the_sps_ttl_by_the_gateways_clock() {
    let h = Harness::new().await;
    h.advance_s(42);
    let issued = client_credentials(&h, "atp-sp", Some("mc_atp"))
        .await
        .unwrap();
    assert_eq!(
        (
            issued.token_type.as_str(),
            issued.scope.as_str(),
            issued.expires_in
        ),
        ("Bearer", "mc_atp", 300)
    );
    assert!(issued.id_token.is_none(), "not OIDC: no ID token");
    assert!(
        issued.refresh_token.is_none(),
        "generic tokens are not refreshed"
    );
    // The record: no user, the generic policy, now + the SP's TTL by the fixed clock.
    let record = h
        .store
        .token(&token_hash(&issued.access_token))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.user_id, None);
    assert_eq!(record.policy, "generic");
    assert_eq!(record.issued_ms, START_MS + 42_000);
    assert_eq!(record.expires_ms, START_MS + 42_000 + 300_000);
    // Without a scope: every scope the SP holds.
    let all = client_credentials(&h, "atp-sp", None).await.unwrap();
    assert_eq!(all.scope, "mc_atp");
    // Issued and audited together.
    assert_eq!(
        audit_of(&h, EntryKind::TokenIssued, "atp-sp").await.len(),
        2
    );
}

#[tokio::test]
async fn seed_003_2_1_openid_is_refused_even_when_the_sp_holds_it() {
    let h = Harness::new().await;
    register_like_atp(&h, "oidc-atp-sp", |c| {
        c.scopes = vec!["openid".into(), "mc_atp".into()];
    })
    .await;
    for scope in [Some("openid mc_atp"), Some("openid"), None] {
        let error = client_credentials(&h, "oidc-atp-sp", scope)
            .await
            .unwrap_err();
        assert_eq!(error.code, "invalid_scope", "{scope:?}");
    }
    // What it may have without openid is still issued.
    client_credentials(&h, "oidc-atp-sp", Some("mc_atp"))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_scope_not_granted_to_the_sp_is_refused() {
    let h = Harness::new().await;
    let error = client_credentials(&h, "atp-sp", Some("mc_atp mc_vm_share"))
        .await
        .unwrap_err();
    assert_eq!(error.code, "invalid_scope");
    assert!(error.description.contains("mc_vm_share"), "{error:?}");
    assert!(
        audit_of(&h, EntryKind::TokenIssued, "atp-sp")
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn an_sp_not_registered_for_client_credentials_is_unauthorized_client() {
    let h = Harness::new().await;
    // Demo Shop holds mc_vm_share, but for CIBA and the code flow only.
    let error = client_credentials(&h, "demo-sp", Some("mc_vm_share"))
        .await
        .unwrap_err();
    assert_eq!(error.code, "unauthorized_client");
}

#[tokio::test]
async fn a_blacklisted_sp_gets_no_token_and_the_refusal_is_audited() {
    let h = Harness::new().await;
    register_like_atp(&h, "blocked-atp-sp", |c| c.blacklisted = true).await;
    for grant_type in ["client_credentials", "refresh_token", "password"] {
        let client = h.client("blocked-atp-sp").await;
        let form = params(&[("grant_type", grant_type), ("scope", "mc_atp")]);
        let error = tokens::grant(&h.gateway, &client, &form).await.unwrap_err();
        assert_eq!(error.code, "unauthorized_client", "{grant_type}");
    }
    let refusals = audit_of(&h, EntryKind::Refusal, "blocked-atp-sp").await;
    assert_eq!(refusals.len(), 3);
    let detail: serde_json::Value = serde_json::from_str(&refusals[0].detail).unwrap();
    assert_eq!(
        detail,
        serde_json::json!({"endpoint": "token", "reason": "blacklisted"})
    );
    assert_eq!(refusals[0].at_ms, START_MS, "the gateway's clock");
    assert!(
        audit_of(&h, EntryKind::TokenIssued, "blocked-atp-sp")
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn rfc_7662_an_sp_learns_only_about_its_own_tokens() {
    let h = Harness::new().await;
    let token = client_credentials(&h, "atp-sp", Some("mc_atp"))
        .await
        .unwrap()
        .access_token;
    let atp = h.client("atp-sp").await;
    let demo = h.client("demo-sp").await;
    let Introspection::Active(active) = tokens::introspect(&h.gateway, &atp, &token).await.unwrap()
    else {
        panic!("its own token is active");
    };
    assert_eq!(active.client_id, "atp-sp");
    assert_eq!(active.scope, vec!["mc_atp".to_owned()]);
    assert_eq!(
        (active.issued_ms, active.expires_ms),
        (START_MS, START_MS + 300_000)
    );
    assert!(
        active.for_resource_server.is_none(),
        "an SP is not told the policy"
    );
    // Another SP, and a token that does not exist: inactive, nothing more.
    for (client, token) in [(&demo, token.as_str()), (&atp, "not-a-token")] {
        assert_eq!(
            tokens::introspect(&h.gateway, client, token).await.unwrap(),
            Introspection::Inactive
        );
    }
    // Expired by the gateway's clock.
    h.advance_s(300);
    assert_eq!(
        tokens::introspect(&h.gateway, &atp, &token).await.unwrap(),
        Introspection::Inactive
    );
}

#[tokio::test]
async fn rfc_7009_only_the_sps_own_revocation_makes_its_token_inactive() {
    let h = Harness::new().await;
    let token = client_credentials(&h, "atp-sp", Some("mc_atp"))
        .await
        .unwrap()
        .access_token;
    let atp = h.client("atp-sp").await;
    let demo = h.client("demo-sp").await;
    let active = |client: Client| {
        let (gateway, token) = (h.gateway.clone(), token.clone());
        async move {
            matches!(
                tokens::introspect(&gateway, &client, &token).await.unwrap(),
                Introspection::Active(_)
            )
        }
    };
    // Another SP's revocation is answered the same (§2.2) and changes nothing.
    tokens::revoke(&h.gateway, &demo, &token).await.unwrap();
    assert!(active(atp.clone()).await);
    assert!(
        audit_of(&h, EntryKind::Revocation, "demo-sp")
            .await
            .is_empty()
    );
    // Its own SP's revocation: inactive from now on, and audited.
    tokens::revoke(&h.gateway, &atp, &token).await.unwrap();
    assert!(!active(atp.clone()).await);
    assert_eq!(audit_of(&h, EntryKind::Revocation, "atp-sp").await.len(), 1);
    // Revoking again, or a token that never existed: nothing to say.
    tokens::revoke(&h.gateway, &atp, &token).await.unwrap();
    tokens::revoke(&h.gateway, &atp, "not-a-token")
        .await
        .unwrap();
    assert_eq!(audit_of(&h, EntryKind::Revocation, "atp-sp").await.len(), 1);
}

/// A blacklisted SP gets nothing from introspection or revocation either (as at `/token`):
/// `unauthorized_client`, audited; its token is left as it was.
#[tokio::test]
async fn a_blacklisted_sp_may_neither_introspect_nor_revoke() {
    let h = Harness::new().await;
    let issued = client_credentials(&h, "atp-sp", Some("mc_atp"))
        .await
        .unwrap();
    h.store.set_blacklisted("atp-sp", true).await.unwrap();
    let client = h.client("atp-sp").await;
    let refused = tokens::introspect(&h.gateway, &client, &issued.access_token)
        .await
        .unwrap_err();
    assert_eq!(refused.code, "unauthorized_client");
    let refused = tokens::revoke(&h.gateway, &client, &issued.access_token)
        .await
        .unwrap_err();
    assert_eq!(refused.code, "unauthorized_client");
    let refusals = audit_of(&h, EntryKind::Refusal, "atp-sp").await;
    assert_eq!(refusals.len(), 2, "{refusals:?}");
    let record = h
        .store
        .token(&token_hash(&issued.access_token))
        .await
        .unwrap()
        .unwrap();
    assert!(!record.revoked, "nothing was revoked");
}
