//! CIBA (OpenID CIBA Core 1.0) without HTTP: the backchannel request (§7.1), the user's
//! answer on the simulated handset, the poll answers of the token endpoint (§10.1, §11),
//! and what becomes due for a ping or push delivery (§10.2, §10.3, §12), on the fixed clock.

use crate::support::{Harness, MARIE, MARIE_ID, TOM, params};
use assent_audit::EntryKind;
use assent_gateway::base::ids::token_hash;
use assent_gateway::flows::answers::answer_sim_reply;
use assent_gateway::flows::ciba::{self, BackchannelAuthorized};
use assent_gateway::flows::notify;
use assent_gateway::rules::consent::consent_id_for;
use assent_gateway::rules::oauth::{OAuthError, OAuthErrorKind};
use assent_gateway::store::Client;
use serde_json::json;

const SCOPE: &str = "openid mc_identity_signup";

/// A backchannel request of `sp` for `msisdn` (with `extra` parameters).
async fn ask(
    h: &Harness,
    sp: &Client,
    msisdn: &str,
    extra: &[(&str, &str)],
) -> Result<BackchannelAuthorized, OAuthError> {
    let hint = format!("MSISDN:{msisdn}");
    let mut form = params(&[("scope", SCOPE), ("login_hint", &hint)]);
    form.extend(params(extra));
    ciba::bc_authorize(&h.gateway, sp, &form).await
}

/// The token endpoint's CIBA grant for `auth_req_id`: the tokens, or the error's code.
async fn poll(h: &Harness, sp: &Client, auth_req_id: &str) -> Result<serde_json::Value, String> {
    let form = params(&[
        ("grant_type", ciba::CIBA_GRANT),
        ("auth_req_id", auth_req_id),
    ]);
    match ciba::grant(&h.gateway, sp, &form, None).await {
        Ok(tokens) => Ok(serde_json::to_value(tokens).unwrap()),
        Err(e) => Err(e.code.to_owned()),
    }
}

/// The user of `msisdn` answers the last prompt their handset received ("1" yes, "2" no).
async fn answer(h: &Harness, msisdn: &str, approve: bool) {
    let messages = h.store.sim_messages(msisdn).await.unwrap();
    let prompt = messages.last().expect("the handset received the prompt");
    assert!(prompt.open, "{prompt:?}");
    let text = if approve { "1" } else { "2" };
    let taken = answer_sim_reply(&h.gateway, msisdn, &prompt.id, text, approve)
        .await
        .unwrap();
    assert_eq!(taken, Some(true), "the waiting request took the answer");
}

/// An SP registered for CIBA in `mode` (ping or push) with an https notification endpoint,
/// as an operator registers one (CIBA §4).
async fn sp_in_mode(h: &Harness, mode: &str) -> Client {
    let sp = Client {
        client_id: format!("{mode}-sp"),
        client_name: format!("{mode} shop"),
        grant_types: vec![ciba::CIBA_GRANT.to_owned()],
        delivery_modes: vec![mode.to_owned()],
        notification_endpoint: Some(format!("https://sp.test/{mode}")),
        ..h.client("demo-sp").await
    };
    h.store.upsert_client(&sp).await.unwrap();
    sp
}

/// Whether the ping/push outbox holds `auth_req_id` at the gateway's time.
async fn is_due(h: &Harness, auth_req_id: &str) -> bool {
    h.store
        .due_deliveries(h.gateway.now_ms(), 64)
        .await
        .unwrap()
        .iter()
        .any(|r| r.auth_req_hash == token_hash(auth_req_id))
}

#[tokio::test]
async fn a_request_the_user_has_not_answered_is_polled_with_authorization_pending() {
    let h = Harness::new().await;
    let demo = h.client("demo-sp").await;
    let asked = ask(&h, &demo, MARIE, &[]).await.unwrap();
    assert_eq!((asked.expires_in, asked.interval), (300, Some(2)));
    assert_eq!(
        poll(&h, &demo, &asked.auth_req_id).await,
        Err("authorization_pending".into())
    );
    h.advance_s(2);
    assert_eq!(
        poll(&h, &demo, &asked.auth_req_id).await,
        Err("authorization_pending".into()),
        "still pending one interval later"
    );
}

#[tokio::test]
async fn polling_faster_than_the_interval_is_slowed_down() {
    let h = Harness::new().await;
    let demo = h.client("demo-sp").await;
    let asked = ask(&h, &demo, MARIE, &[]).await.unwrap();
    assert_eq!(
        poll(&h, &demo, &asked.auth_req_id).await,
        Err("authorization_pending".into())
    );
    h.advance_s(1);
    assert_eq!(
        poll(&h, &demo, &asked.auth_req_id).await,
        Err("slow_down".into()),
        "1 s after the previous poll, the interval being 2 s"
    );
    // CIBA §11: the interval grew by 5 s; a poll that keeps to it is counted.
    let stored = h
        .store
        .ciba(&token_hash(&asked.auth_req_id))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.interval_s, 7);
    h.advance_s(7);
    assert_eq!(
        poll(&h, &demo, &asked.auth_req_id).await,
        Err("authorization_pending".into())
    );
}

#[tokio::test]
async fn an_approved_request_gets_its_tokens_on_the_first_poll_only() {
    let h = Harness::new().await;
    let demo = h.client("demo-sp").await;
    let asked = ask(&h, &demo, MARIE, &[]).await.unwrap();
    h.advance_s(10);
    answer(&h, MARIE, true).await;
    // The consent carries the exact prompt and the gateway's time of the answer.
    let consent = h
        .store
        .consent(&consent_id_for(&token_hash(&asked.auth_req_id)))
        .await
        .unwrap()
        .expect("a yes records the consent");
    assert_eq!(
        (consent.user_id.as_str(), consent.granted_ms),
        (MARIE_ID, h.gateway.now_ms())
    );

    let tokens = poll(&h, &demo, &asked.auth_req_id).await.unwrap();
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["scope"], SCOPE);
    assert!(tokens["access_token"].is_string(), "{tokens}");
    assert!(tokens["id_token"].is_string(), "{tokens}");
    h.advance_s(2);
    assert_eq!(
        poll(&h, &demo, &asked.auth_req_id).await,
        Err("invalid_grant".into()),
        "an auth_req_id is used once"
    );
}

#[tokio::test]
async fn a_request_the_user_denied_is_polled_with_access_denied() {
    let h = Harness::new().await;
    let demo = h.client("demo-sp").await;
    let asked = ask(&h, &demo, MARIE, &[]).await.unwrap();
    answer(&h, MARIE, false).await;
    assert_eq!(
        poll(&h, &demo, &asked.auth_req_id).await,
        Err("access_denied".into())
    );
}

#[tokio::test]
async fn a_request_past_its_expiry_is_polled_with_expired_token_and_takes_no_answer() {
    let h = Harness::new().await;
    let demo = h.client("demo-sp").await;
    let asked = ask(&h, &demo, MARIE, &[("requested_expiry", "60")])
        .await
        .unwrap();
    assert_eq!(asked.expires_in, 60);
    h.advance_s(60);
    assert_eq!(
        poll(&h, &demo, &asked.auth_req_id).await,
        Err("authorization_pending".into()),
        "in time to the millisecond"
    );
    h.advance_s(1);
    assert_eq!(
        poll(&h, &demo, &asked.auth_req_id).await,
        Err("expired_token".into())
    );
    // The prompt still closes, but no request takes a late answer.
    let prompt = h.store.sim_messages(MARIE).await.unwrap().remove(0);
    assert_eq!(
        answer_sim_reply(&h.gateway, MARIE, &prompt.id, "1", true)
            .await
            .unwrap(),
        Some(false)
    );
}

#[tokio::test]
async fn ping_needs_a_notification_token_and_an_answer_makes_the_ping_due() {
    let h = Harness::new().await;
    let sp = sp_in_mode(&h, "ping").await;
    let refused = ask(&h, &sp, MARIE, &[]).await.unwrap_err();
    assert_eq!(
        (refused.kind, refused.code),
        (OAuthErrorKind::Request, "invalid_request")
    );
    let asked = ask(&h, &sp, MARIE, &[("client_notification_token", "ntok-1")])
        .await
        .unwrap();
    assert_eq!(asked.interval, Some(2), "a pinged SP polls (CIBA §7.3)");
    assert!(!is_due(&h, &asked.auth_req_id).await, "nothing to tell yet");

    answer(&h, MARIE, true).await;
    assert!(is_due(&h, &asked.auth_req_id).await);
    // One worker claims it; the lease keeps it from the others until it runs out.
    let claimed = notify::claim_due(&h.gateway).await.unwrap();
    assert_eq!(claimed.len(), 1);
    assert!(notify::claim_due(&h.gateway).await.unwrap().is_empty());
    let ping = notify::prepare(&h.gateway, &claimed[0]).await.unwrap();
    assert_eq!(ping.endpoint, "https://sp.test/ping");
    assert_eq!(ping.bearer, "ntok-1");
    assert_eq!(
        ping.body,
        json!({"auth_req_id": asked.auth_req_id}),
        "a ping carries the id only (CIBA §10.2)"
    );
    h.advance_s(31);
    assert_eq!(
        notify::claim_due(&h.gateway).await.unwrap().len(),
        1,
        "an undelivered ping is claimed again after the lease"
    );
    // The SP fetches the tokens itself.
    let tokens = poll(&h, &sp, &asked.auth_req_id).await.unwrap();
    assert!(tokens["id_token"].is_string(), "{tokens}");
}

#[tokio::test]
async fn push_is_never_polled_and_pushes_the_tokens_with_the_request_s_id() {
    let h = Harness::new().await;
    let sp = sp_in_mode(&h, "push").await;
    assert_eq!(
        ask(&h, &sp, MARIE, &[]).await.unwrap_err().code,
        "invalid_request",
        "client_notification_token is required"
    );
    let asked = ask(&h, &sp, MARIE, &[("client_notification_token", "ntok-2")])
        .await
        .unwrap();
    assert_eq!(asked.interval, None, "no interval in push mode (CIBA §7.3)");
    assert_eq!(
        poll(&h, &sp, &asked.auth_req_id).await,
        Err("invalid_grant".into())
    );

    answer(&h, MARIE, true).await;
    assert!(is_due(&h, &asked.auth_req_id).await);
    h.advance_s(2);
    assert_eq!(
        poll(&h, &sp, &asked.auth_req_id).await,
        Err("invalid_grant".into()),
        "the tokens go to the notification endpoint only (CIBA §10.3)"
    );
    let claimed = notify::claim_due(&h.gateway).await.unwrap();
    assert_eq!(claimed.len(), 1);
    let push = notify::prepare(&h.gateway, &claimed[0]).await.unwrap();
    assert_eq!(push.bearer, "ntok-2");
    assert_eq!(push.body["auth_req_id"], asked.auth_req_id.as_str());
    assert_eq!(push.body["token_type"], "Bearer");
    assert!(push.body["access_token"].is_string(), "{}", push.body);
    assert!(push.body["id_token"].is_string(), "{}", push.body);
    assert!(
        push.pushed_family.is_some(),
        "revoked if the SP does not take it"
    );
}

#[tokio::test]
async fn push_tells_the_sp_of_a_no_and_of_an_expiry() {
    let h = Harness::new().await;
    let sp = sp_in_mode(&h, "push").await;
    let token = [("client_notification_token", "ntok-3")];
    let denied = ask(&h, &sp, MARIE, &token).await.unwrap();
    answer(&h, MARIE, false).await;
    let expiring = ask(&h, &sp, MARIE, &[token[0], ("requested_expiry", "30")])
        .await
        .unwrap();
    assert!(is_due(&h, &denied.auth_req_id).await);
    assert!(!is_due(&h, &expiring.auth_req_id).await, "pending in time");
    let body_of = |claimed: &[assent_gateway::store::CibaRequest], id: &str| {
        claimed
            .iter()
            .find(|r| r.auth_req_hash == token_hash(id))
            .cloned()
            .expect("claimed")
    };
    let claimed = notify::claim_due(&h.gateway).await.unwrap();
    let no = notify::prepare(&h.gateway, &body_of(&claimed, &denied.auth_req_id))
        .await
        .unwrap();
    assert_eq!(
        (no.body["auth_req_id"].as_str(), no.body["error"].as_str()),
        (Some(denied.auth_req_id.as_str()), Some("access_denied"))
    );

    h.advance_s(31);
    assert!(
        is_due(&h, &expiring.auth_req_id).await,
        "expired unanswered"
    );
    let claimed = notify::claim_due(&h.gateway).await.unwrap();
    let late = notify::prepare(&h.gateway, &body_of(&claimed, &expiring.auth_req_id))
        .await
        .unwrap();
    assert_eq!(late.body["error"], "expired_token");
    assert!(late.body.get("access_token").is_none());
}

#[tokio::test]
async fn a_minor_is_refused_with_access_denied_and_the_refusal_is_audited() {
    let h = Harness::new().await;
    let demo = h.client("demo-sp").await;
    let refused = ask(&h, &demo, TOM, &[]).await.unwrap_err();
    assert_eq!(
        (refused.kind, refused.code),
        (OAuthErrorKind::Refused, "access_denied")
    );
    assert!(
        h.store.sim_messages(TOM).await.unwrap().is_empty(),
        "no prompt reaches a minor"
    );
    let trail = h.store.audit_page(0, 100).await.unwrap();
    let refusal = trail
        .iter()
        .find(|e| e.content.kind == EntryKind::Refusal)
        .expect("the refusal is in the trail");
    assert_eq!(refusal.content.sp.as_deref(), Some("demo-sp"));
    assert_eq!(refusal.content.user.as_deref(), Some("u-demo-tom"));
    assert_eq!(refusal.content.at_ms, h.gateway.now_ms());
    let detail: serde_json::Value = serde_json::from_str(&refusal.content.detail).unwrap();
    assert_eq!(
        detail,
        json!({"endpoint": "bc-authorize", "reason": "user_not_allowed"})
    );
}

#[tokio::test]
async fn an_unknown_number_is_unknown_user_id() {
    let h = Harness::new().await;
    let demo = h.client("demo-sp").await;
    let refused = ask(&h, &demo, "447700900099", &[]).await.unwrap_err();
    assert_eq!(
        (refused.kind, refused.code),
        (OAuthErrorKind::Request, "unknown_user_id")
    );
}
