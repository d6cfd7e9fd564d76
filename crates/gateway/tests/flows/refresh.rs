//! The refresh grant (RFC 6749 §6) with rotation and reuse detection (RFC 9700 §4.14.2,
//! RFC 6819 §5.2.2.3) on the domain handle, with the fixed clock.

use crate::code_flow::{is_active, tokens_for_marie};
use crate::support::{Harness, audit_of, params};
use assent_audit::EntryKind;
use assent_gateway::flows::issue::{REFRESH_TTL_S, TokenResponse};
use assent_gateway::flows::tokens;
use assent_gateway::rules::oauth::OAuthError;

async fn refresh(h: &Harness, refresh_token: &str) -> Result<TokenResponse, OAuthError> {
    let client = h.client("demo-sp").await;
    let form = params(&[
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token),
    ]);
    tokens::grant(&h.gateway, &client, &form).await
}

#[tokio::test]
async fn a_refresh_gives_a_new_pair_and_the_spent_refresh_token_is_refused() {
    let h = Harness::new().await;
    let first = tokens_for_marie(&h).await;
    let old = first.refresh_token.unwrap();
    let renewed = refresh(&h, &old).await.unwrap();
    let new = renewed.refresh_token.clone().unwrap();
    assert_ne!(new, old, "rotated");
    // Grant Management: the new pair rests on the same grant as the first.
    assert!(first.grant_id.is_some());
    assert_eq!(renewed.grant_id, first.grant_id);
    assert_ne!(renewed.access_token, first.access_token);
    assert_eq!(renewed.scope, "openid mc_vm_share");
    assert!(is_active(&h, "demo-sp", &renewed.access_token).await);
    // The new one goes on; the spent one is refused.
    let again = refresh(&h, &new).await.unwrap();
    assert!(is_active(&h, "demo-sp", &again.access_token).await);
    assert_eq!(refresh(&h, &old).await.unwrap_err().code, "invalid_grant");
}

#[tokio::test]
async fn rfc_9700_a_reused_refresh_token_revokes_its_whole_family() {
    let h = Harness::new().await;
    let first = tokens_for_marie(&h).await;
    let old = first.refresh_token.unwrap();
    let renewed = refresh(&h, &old).await.unwrap();
    // The thief (or the client) presents the rotated token again: both lose everything.
    assert_eq!(refresh(&h, &old).await.unwrap_err().code, "invalid_grant");
    let new = renewed.refresh_token.unwrap();
    assert_eq!(refresh(&h, &new).await.unwrap_err().code, "invalid_grant");
    assert!(!is_active(&h, "demo-sp", &renewed.access_token).await);
    assert!(!is_active(&h, "demo-sp", &first.access_token).await);
    // Audited once for the family (both access tokens and the new refresh token), then
    // again at each presentation of a revoked one.
    let revocations = audit_of(&h, EntryKind::Revocation, "demo-sp").await;
    let detail: serde_json::Value = serde_json::from_str(&revocations[0].detail).unwrap();
    assert_eq!(
        detail,
        serde_json::json!({"by": "gateway", "reason": "refresh_token_reused", "revoked": 3})
    );
}

#[tokio::test]
async fn a_refresh_token_expires_by_the_gateways_clock() {
    let h = Harness::new().await;
    let first = tokens_for_marie(&h).await;
    let refresh_token = first.refresh_token.unwrap();
    h.advance_s(REFRESH_TTL_S);
    let error = refresh(&h, &refresh_token).await.unwrap_err();
    assert_eq!(error.code, "invalid_grant");
    // Expiry is not reuse: nothing was revoked for it.
    assert!(
        audit_of(&h, EntryKind::Revocation, "demo-sp")
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn a_refresh_token_a_second_before_its_expiry_is_still_good() {
    let h = Harness::new().await;
    let first = tokens_for_marie(&h).await;
    h.advance_s(REFRESH_TTL_S - 1);
    refresh(&h, &first.refresh_token.unwrap()).await.unwrap();
}

#[tokio::test]
async fn rfc_6749_6_a_refresh_cannot_widen_the_scope_nor_spend_the_token_trying() {
    let h = Harness::new().await;
    let first = tokens_for_marie(&h).await;
    let refresh_token = first.refresh_token.unwrap();
    let client = h.client("demo-sp").await;
    let wider = params(&[
        ("grant_type", "refresh_token"),
        ("refresh_token", &refresh_token),
        ("scope", "openid mc_vm_share mc_kyc_match"),
    ]);
    let error = tokens::grant(&h.gateway, &client, &wider)
        .await
        .unwrap_err();
    assert_eq!(error.code, "invalid_scope");
    let narrower = params(&[
        ("grant_type", "refresh_token"),
        ("refresh_token", &refresh_token),
        ("scope", "openid"),
    ]);
    let renewed = tokens::grant(&h.gateway, &client, &narrower).await.unwrap();
    assert_eq!(renewed.scope, "openid");
}

/// The payload of a JWT (the test checks what it needs; the signature is the issuer's).
fn id_token_claims(tokens: &TokenResponse) -> serde_json::Value {
    use base64::Engine;
    let token = tokens.id_token.as_deref().unwrap();
    let payload = token.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

/// OIDC Core §2: `auth_time` is when the user authenticated — when Marie answered the
/// prompt — not when the SP fetched the tokens; a refresh does not authenticate her again,
/// so its ID token keeps her answer's time.
#[tokio::test]
async fn oidc_core_2_auth_time_is_the_answer_and_a_refresh_keeps_it() {
    let h = Harness::new().await;
    let answered_s = h.gateway.now_ms() / 1000;
    let code = crate::code_flow::code_after_yes(&h).await;
    // Within the code's lifetime (a minute).
    h.advance_s(30);
    let first = crate::code_flow::redeem(&h, &code, crate::code_flow::VERIFIER)
        .await
        .unwrap();
    let claims = id_token_claims(&first);
    assert_eq!(claims["auth_time"], answered_s, "{claims}");
    assert_eq!(claims["iat"], answered_s + 30, "{claims}");
    h.advance_s(3600);
    let renewed = refresh(&h, first.refresh_token.as_deref().unwrap())
        .await
        .unwrap();
    let claims = id_token_claims(&renewed);
    assert_eq!(claims["auth_time"], answered_s, "{claims}");
    assert_eq!(claims["iat"], answered_s + 30 + 3600, "{claims}");
}

#[tokio::test]
async fn rfc_7009_2_1_revoking_a_refresh_token_takes_the_access_tokens_of_its_grant() {
    let h = Harness::new().await;
    let demo = h.client("demo-sp").await;
    // A grant refreshed once: two access tokens and the live refresh token.
    let first = tokens_for_marie(&h).await;
    let renewed = refresh(&h, first.refresh_token.as_deref().unwrap())
        .await
        .unwrap();
    let refresh_token = renewed.refresh_token.clone().unwrap();
    // Another SP cannot revoke it: nothing changes.
    let once = h.client("once-sp").await;
    tokens::revoke(&h.gateway, &once, &refresh_token)
        .await
        .unwrap();
    assert!(is_active(&h, "demo-sp", &renewed.access_token).await);

    // An access token alone leaves the refresh token (RFC 7009 allows either).
    tokens::revoke(&h.gateway, &demo, &first.access_token)
        .await
        .unwrap();
    assert!(!is_active(&h, "demo-sp", &first.access_token).await);
    assert!(is_active(&h, "demo-sp", &renewed.access_token).await);

    tokens::revoke(&h.gateway, &demo, &refresh_token)
        .await
        .unwrap();
    assert!(!is_active(&h, "demo-sp", &renewed.access_token).await);
    assert_eq!(
        refresh(&h, &refresh_token).await.unwrap_err().code,
        "invalid_grant"
    );
    // One audit entry per revocation, saying what went with it.
    let entries = audit_of(&h, EntryKind::Revocation, "demo-sp").await;
    let details: Vec<serde_json::Value> = entries
        .iter()
        .map(|e| serde_json::from_str::<serde_json::Value>(&e.detail).unwrap())
        .filter(|d| d["by"] == "sp")
        .collect();
    assert_eq!(details.len(), 2, "{details:?}");
    assert_eq!(details[0]["revoked"], 0);
    assert_eq!(details[1]["by"], "sp");
    assert_eq!(details[1]["revoked"], 1, "the grant's live access token");
}
