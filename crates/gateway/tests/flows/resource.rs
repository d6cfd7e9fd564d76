//! The resource server's flow (IDY.03 §5–6, MC_ATTR_18, 22, 25, 29, 30) on the gateway's own
//! handle, without HTTP: tokens are written to the store as the grants write them, then a
//! well-formed Resource Request is served at the harness's fixed time.

use crate::support::{Harness, MARIE_ID, START_MS};
use assent_audit::EntryKind;
use assent_gateway::base::ids::{new_token, token_hash};
use assent_gateway::flows::resource::{self, Disclosure, Endpoint};
use assent_gateway::rules::resource::wire::{ResourceCall, ResourceError, ResourceErrorKind};
use assent_gateway::store::{Consent, TokenRecord};
use serde_json::{Map, Value, json};

/// An access token for Marie, as a grant records it.
struct Token<'a> {
    client: &'a str,
    scope: &'a str,
    policy: &'a str,
    ttl_s: i64,
    consent: Option<&'a str>,
}

impl Token<'_> {
    fn demo(scope: &str) -> Token<'_> {
        Token {
            client: "demo-sp",
            scope,
            policy: "long_lived",
            ttl_s: 3600,
            consent: None,
        }
    }

    /// Records the token (issued at the harness's time) and returns its bearer value.
    async fn issue(&self, h: &Harness) -> String {
        let bearer = new_token();
        let now = h.gateway.now_ms();
        h.store
            .insert_token(&TokenRecord {
                token_hash: token_hash(&bearer),
                kind: "access".into(),
                client_id: self.client.into(),
                user_id: Some(MARIE_ID.into()),
                scope: self.scope.split_whitespace().map(str::to_owned).collect(),
                policy: self.policy.into(),
                issued_ms: now,
                expires_ms: now + self.ttl_s * 1000,
                spent: false,
                revoked: false,
                consent_id: self.consent.map(str::to_owned),
                family: None,
                jkt: None,
            })
            .await
            .unwrap();
        bearer
    }
}

fn call(token: &str) -> ResourceCall {
    ResourceCall {
        sender: assent_gateway::rules::resource::wire::Sender::Bearer,
        token: token.to_owned(),
        mc_claims: None,
        user_id: None,
    }
}

fn with_claims(token: &str, claims: Value) -> ResourceCall {
    ResourceCall {
        mc_claims: Some(claims.as_object().unwrap().clone()),
        ..call(token)
    }
}

async fn premiuminfo(h: &Harness, call: &ResourceCall) -> Result<Disclosure, ResourceError> {
    resource::serve(
        &h.gateway.resource_server(),
        Endpoint::PremiumInfo,
        call,
        None,
    )
    .await
    .map_err(|refused| refused.error)
}

fn names(claims: &Map<String, Value>) -> Vec<&str> {
    claims.keys().map(String::as_str).collect()
}

/// Resource accesses in the audit trail.
async fn accesses(h: &Harness) -> Vec<Value> {
    h.store
        .audit_page(0, 1000)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.content.kind == EntryKind::ResourceAccess)
        .map(|e| serde_json::from_str(&e.content.detail).unwrap())
        .collect()
}

/// MC_ATTR_29: a share token gets every attribute of the services it was consented for,
/// and nothing of the others the SP is registered for; MC_ATTR_30: `sub` is the user's PCR
/// for this SP, the one its ID token carried.
#[tokio::test]
async fn share_returns_exactly_the_consented_attributes_and_the_pcr() {
    let h = Harness::new().await;
    let token = Token::demo("openid mc_identity_signup").issue(&h).await;
    let disclosure = premiuminfo(&h, &call(&token)).await.unwrap();
    let mut sent = names(&disclosure.claims);
    sent.sort_unstable();
    assert_eq!(
        sent,
        [
            "address",
            "birthdate",
            "email",
            "family_name",
            "given_name",
            "sub"
        ]
    );
    assert_eq!(disclosure.claims["given_name"], "Marie");
    assert_eq!(disclosure.claims["address"]["locality"], "Paris");
    // demo-sp may also ask for mc_vm_share; this token was not consented for it.
    assert!(!disclosure.claims.contains_key("device_msisdn"));
    assert_eq!(
        disclosure.claims["sub"],
        h.gateway.pcr.pcr("demo-sp", MARIE_ID)
    );
    assert_ne!(
        disclosure.claims["sub"],
        h.gateway.pcr.pcr("once-sp", MARIE_ID),
        "pairwise: another SP sees another sub"
    );
    // MC_ATTR_31: audited by name, never by value.
    let audited = accesses(&h).await;
    assert_eq!(audited.len(), 1);
    assert_eq!(
        audited[0]["attributes"],
        json!(["given_name", "family_name", "email", "birthdate", "address"])
    );
    assert!(!audited[0].to_string().contains("Marie"));
}

/// MC_ATTR_22, 27: a match token compares the submitted claims with the user's values and
/// answers only true/false; the user's values never leave (not in the answer, not in the
/// audit).
#[tokio::test]
async fn match_compares_mc_claims_and_never_returns_the_value() {
    let h = Harness::new().await;
    let token = Token::demo("openid mc_kyc_match").issue(&h).await;
    let disclosure = premiuminfo(
        &h,
        &with_claims(
            &token,
            json!({"given_name": "marie", "family_name": "Sklodowska"}),
        ),
    )
    .await
    .unwrap();
    assert_eq!(disclosure.claims["given_name_match"], "true");
    assert_eq!(disclosure.claims["family_name_match"], "false");
    let mut sent = names(&disclosure.claims);
    sent.sort_unstable();
    assert_eq!(sent, ["family_name_match", "given_name_match", "sub"]);
    let everything = format!("{:?} {:?}", disclosure, accesses(&h).await);
    for value in ["Marie", "Curie", "marie.curie@example.org", "1967-11-07"] {
        assert!(!everything.contains(value), "{value} left: {everything}");
    }
}

/// MC_ATTR_18: a one-time token is spent by its first request; the second is Annex A's
/// invalid token, and is neither answered nor audited.
#[tokio::test]
async fn a_one_time_token_is_spent_by_its_first_use() {
    let h = Harness::new().await;
    let token = Token {
        client: "once-sp",
        policy: "one_time",
        ..Token::demo("openid mc_vm_share")
    }
    .issue(&h)
    .await;
    let first = premiuminfo(&h, &call(&token)).await.unwrap();
    assert_eq!(first.claims["device_msisdn"], "+447700900001");
    let second = premiuminfo(&h, &call(&token)).await.unwrap_err();
    assert_eq!(
        (second.kind, second.code(), second.description.as_str()),
        (
            ResourceErrorKind::InvalidToken,
            Some("invalid_token"),
            "the one-time access token was already used"
        )
    );
    assert_eq!(accesses(&h).await.len(), 1);
}

/// MC_ATTR_18: a transactional token lives 10 s; a long-lived one its SP's lifetime. Each is
/// served until the gateway's clock reaches its expiry, and refused from then on.
#[tokio::test]
async fn tokens_are_refused_once_the_clock_passes_their_expiry() {
    let h = Harness::new().await;
    let transactional = Token {
        policy: "transactional",
        ttl_s: 10,
        ..Token::demo("openid mc_vm_share")
    }
    .issue(&h)
    .await;
    let long_lived = Token::demo("openid mc_vm_share").issue(&h).await;
    h.advance_s(9);
    assert!(premiuminfo(&h, &call(&transactional)).await.is_ok());
    h.advance_s(1);
    assert_eq!(h.gateway.now_ms(), START_MS + 10_000);
    let expired = premiuminfo(&h, &call(&transactional)).await.unwrap_err();
    assert_eq!(
        (expired.kind, expired.description.as_str()),
        (ResourceErrorKind::InvalidToken, "expired access token")
    );
    assert!(premiuminfo(&h, &call(&long_lived)).await.is_ok());
    h.advance_s(3600 - 10);
    assert_eq!(
        premiuminfo(&h, &call(&long_lived)).await.unwrap_err().kind,
        ResourceErrorKind::InvalidToken
    );
}

/// MC_ATTR_06: a user who revokes a consent revokes what it bought: the token is refused
/// from the next request on, whether the revocation reached the token's row (the store does
/// it in the same transaction) or only the consent.
#[tokio::test]
async fn a_token_whose_consent_was_revoked_is_refused() {
    let h = Harness::new().await;
    let consent = |id: &str, revoked_ms: Option<i64>| Consent {
        id: id.into(),
        user_id: MARIE_ID.into(),
        client_id: "demo-sp".into(),
        scope: vec!["openid".into(), "mc_vm_share".into()],
        kind: "long_lived".into(),
        prompt: "Demo Shop asks for your number".into(),
        granted_ms: START_MS,
        revoked_ms,
        expires_ms: None,
        withdrawn: Vec::new(),
    };
    let mut tx = h.store.begin().await.unwrap();
    tx.insert_consent(&consent("c-live", None)).await.unwrap();
    tx.insert_consent(&consent("c-revoked", Some(START_MS)))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let token = Token {
        consent: Some("c-live"),
        ..Token::demo("openid mc_vm_share")
    }
    .issue(&h)
    .await;
    assert!(premiuminfo(&h, &call(&token)).await.is_ok());
    h.advance_s(5);
    assert!(
        h.store
            .revoke_consent("c-live", h.gateway.now_ms())
            .await
            .unwrap()
    );
    let refused = premiuminfo(&h, &call(&token)).await.unwrap_err();
    assert_eq!(refused.kind, ResourceErrorKind::InvalidToken);

    let only_the_consent = Token {
        consent: Some("c-revoked"),
        ..Token::demo("openid mc_vm_share")
    }
    .issue(&h)
    .await;
    let refused = premiuminfo(&h, &call(&only_the_consent)).await.unwrap_err();
    assert_eq!(
        (refused.kind, refused.description.as_str()),
        (
            ResourceErrorKind::InvalidToken,
            "the consent behind this access token was revoked or has ended"
        )
    );
}

/// Annex A `insufficient_scope`: PremiumInfo for a token without any attribute service,
/// claims to match for a token without a match service, UserInfo for a token without
/// `openid` (OIDC Core §5.3).
#[tokio::test]
async fn a_token_without_the_scope_asked_for_is_insufficient() {
    let h = Harness::new().await;
    let insufficient = |e: ResourceError| {
        assert_eq!(
            (e.kind, e.code()),
            (
                ResourceErrorKind::InsufficientScope,
                Some("insufficient_scope")
            )
        );
    };
    let openid_only = Token::demo("openid").issue(&h).await;
    insufficient(premiuminfo(&h, &call(&openid_only)).await.unwrap_err());
    let share_only = Token::demo("openid mc_vm_share").issue(&h).await;
    insufficient(
        premiuminfo(
            &h,
            &with_claims(&share_only, json!({"device_msisdn": "+447700900001"})),
        )
        .await
        .unwrap_err(),
    );
    let without_openid = Token::demo("mc_vm_share").issue(&h).await;
    assert!(premiuminfo(&h, &call(&without_openid)).await.is_ok());
    insufficient(
        resource::serve(
            &h.gateway.resource_server(),
            Endpoint::UserInfo,
            &call(&without_openid),
            None,
        )
        .await
        .unwrap_err()
        .error,
    );
    assert_eq!(accesses(&h).await.len(), 1, "refusals are not accesses");
}

/// The `resource_refused` entries of the trail: (sp, user, detail).
async fn refusals(h: &Harness) -> Vec<(Option<String>, Option<String>, Value)> {
    h.store
        .audit_page(0, 10_000)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.content.kind == EntryKind::ResourceRefused)
        .map(|e| {
            (
                e.content.sp.clone(),
                e.content.user.clone(),
                serde_json::from_str(&e.content.detail).unwrap(),
            )
        })
        .collect()
}

/// A match-only token without claims to match is refused before anything is spent.
#[tokio::test]
async fn a_match_only_token_without_mc_claims_is_refused_and_not_spent() {
    let h = Harness::new().await;
    let token = Token {
        client: "once-sp",
        policy: "one_time",
        ..Token::demo("openid mc_kyc_match")
    }
    .issue(&h)
    .await;
    let refused = premiuminfo(&h, &call(&token)).await.unwrap_err();
    assert_eq!(refused.kind, ResourceErrorKind::InvalidRequest);
    assert!(refused.description.contains("mc_claims"), "{refused:?}");
    // Still unspent: the same token now matches once.
    let matched = premiuminfo(&h, &with_claims(&token, json!({"given_name": "Marie"})))
        .await
        .unwrap();
    assert_eq!(matched.claims["given_name_match"], "true");
}

/// Every refusal is audited with the SP (when the token names one), the endpoint and the
/// reason, never the token.
#[tokio::test]
async fn refusals_are_audited_without_the_token() {
    let h = Harness::new().await;
    let unknown = new_token();
    premiuminfo(&h, &call(&unknown)).await.unwrap_err();
    // A blacklisted SP: its token is refused.
    let token = Token::demo("openid mc_vm_share").issue(&h).await;
    h.store.set_blacklisted("demo-sp", true).await.unwrap();
    premiuminfo(&h, &call(&token)).await.unwrap_err();
    let entries = refusals(&h).await;
    assert_eq!(entries.len(), 2, "{entries:?}");
    assert_eq!(entries[0].0, None, "an unknown token names no SP");
    assert_eq!(entries[0].2["error"], "invalid_token");
    assert_eq!(entries[0].2["endpoint"], "/premiuminfo");
    assert_eq!(entries[1].0.as_deref(), Some("demo-sp"));
    assert_eq!(entries[1].2["error"], "access_denied");
    let trail = format!("{entries:?}");
    assert!(
        !trail.contains(&unknown) && !trail.contains(&token),
        "{trail}"
    );
}

/// Past 60 refusals a minute from one SP, they are counted, and one summary entry says how
/// many were not listed once the minute is over.
#[tokio::test]
async fn refusals_beyond_the_budget_are_summarised_once_a_minute() {
    let h = Harness::new().await;
    let token = Token::demo("openid mc_vm_share").issue(&h).await;
    h.store.set_blacklisted("demo-sp", true).await.unwrap();
    for _ in 0..75 {
        premiuminfo(&h, &call(&token)).await.unwrap_err();
    }
    assert_eq!(refusals(&h).await.len(), 60);
    h.advance_s(60);
    resource::flush_refusal_summaries(&h.gateway.resource_server())
        .await
        .unwrap();
    let entries = refusals(&h).await;
    assert_eq!(entries.len(), 61);
    let summary = &entries[60];
    assert_eq!(summary.0.as_deref(), Some("demo-sp"));
    assert_eq!(summary.2["summary"], true);
    assert_eq!(summary.2["refusals_not_listed"], 15);
    assert_eq!(summary.2["minute"], "2026-12-01T00:00:00Z");
}
