//! The authorization code flow with PKCE (RFC 6749 §4.1, RFC 7636) on the domain handle:
//! authorize, the user's answer on the simulated handset, the code, the code grant; with the
//! fixed clock.

use crate::support::{Harness, MARIE, MARIE_ID, answer_last_prompt, audit_of, params};
use assent_audit::EntryKind;
use assent_gateway::flows::code_flow::{self, AuthorizeOutcome, CODE_LIFETIME_S};
use assent_gateway::flows::demo::DEMO_REDIRECT_URI;
use assent_gateway::flows::issue::TokenResponse;
use assent_gateway::flows::tokens::{self, Introspection};
use assent_gateway::rules::oauth::OAuthError;
use base64::Engine;
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// RFC 7636 Appendix B.
pub const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

fn challenge(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

fn query_of(location: &str) -> HashMap<String, String> {
    let query = location.split_once('?').map_or("", |(_, q)| q);
    form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect()
}

/// Demo Shop's authorization request for `number`, with `changes` (an empty value drops
/// the parameter).
fn request_for(number: &str, changes: &[(&str, &str)]) -> HashMap<String, String> {
    let challenge = challenge(VERIFIER);
    let hint = format!("MSISDN:{number}");
    let mut request = params(&[
        ("response_type", "code"),
        ("client_id", "demo-sp"),
        ("redirect_uri", DEMO_REDIRECT_URI),
        ("scope", "openid mc_vm_share"),
        ("state", "st-1"),
        ("nonce", "n-1"),
        ("code_challenge", &challenge),
        ("code_challenge_method", "S256"),
        ("login_hint", &hint),
    ]);
    for (name, value) in changes {
        request.remove(*name);
        if !value.is_empty() {
            request.insert((*name).to_owned(), (*value).to_owned());
        }
    }
    request
}

/// Demo Shop asks to sign Marie in; the browser's session of the waiting page.
pub async fn authorize(h: &Harness) -> String {
    let request = request_for(MARIE, &[]);
    match code_flow::authorize(&h.gateway, &request, &code_flow::Unlimited)
        .await
        .unwrap()
    {
        AuthorizeOutcome::Waiting {
            session,
            client_name,
        } => {
            assert_eq!(client_name, "Demo Shop");
            session
        }
        other => panic!("the waiting page, not {other:?}"),
    }
}

/// The code the browser brings back to the SP once Marie said yes on her handset.
pub async fn code_after_yes(h: &Harness) -> String {
    let session = authorize(h).await;
    assert_eq!(
        code_flow::wait(&h.gateway, &session).await.unwrap(),
        AuthorizeOutcome::Waiting {
            session: session.clone(),
            client_name: "Demo Shop".into()
        },
        "still waiting"
    );
    assert!(answer_last_prompt(h, MARIE, true).await);
    let AuthorizeOutcome::Redirect { location } =
        code_flow::wait(&h.gateway, &session).await.unwrap()
    else {
        panic!("back to the SP");
    };
    assert!(location.starts_with(&format!("{DEMO_REDIRECT_URI}?")));
    let query = query_of(&location);
    assert_eq!(query["state"], "st-1");
    // RFC 9207: the authorization response names its issuer.
    assert_eq!(query["iss"], "https://gateway.test");
    query["code"].clone()
}

/// Demo Shop redeems `code` with `verifier`.
pub async fn redeem(h: &Harness, code: &str, verifier: &str) -> Result<TokenResponse, OAuthError> {
    let client = h.client("demo-sp").await;
    let form = params(&[
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", DEMO_REDIRECT_URI),
        ("code_verifier", verifier),
    ]);
    tokens::grant(&h.gateway, &client, &form).await
}

/// Demo Shop's tokens for Marie (long-lived: with a refresh token).
pub async fn tokens_for_marie(h: &Harness) -> TokenResponse {
    let code = code_after_yes(h).await;
    redeem(h, &code, VERIFIER).await.unwrap()
}

pub async fn is_active(h: &Harness, client_id: &str, token: &str) -> bool {
    let client = h.client(client_id).await;
    matches!(
        tokens::introspect(&h.gateway, &client, token)
            .await
            .unwrap(),
        Introspection::Active(_)
    )
}

#[tokio::test]
async fn rfc_7636_the_right_verifier_gets_the_tokens_of_the_user_who_said_yes() {
    let h = Harness::new().await;
    let tokens = tokens_for_marie(&h).await;
    assert_eq!(tokens.scope, "openid mc_vm_share");
    assert!(tokens.id_token.is_some(), "openid: an ID token");
    assert!(tokens.refresh_token.is_some(), "Demo Shop is long-lived");
    assert!(is_active(&h, "demo-sp", &tokens.access_token).await);
    let record = h
        .store
        .token(&assent_gateway::base::ids::token_hash(&tokens.access_token))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.user_id.as_deref(), Some(MARIE_ID));
    assert_eq!(
        record.issued_ms,
        h.gateway.now_ms(),
        "issued by the gateway's clock"
    );
}

#[tokio::test]
async fn rfc_7636_4_6_a_wrong_verifier_is_invalid_grant_and_spends_nothing() {
    let h = Harness::new().await;
    let code = code_after_yes(&h).await;
    for wrong in ["x".repeat(43), "short".to_owned(), challenge(VERIFIER)] {
        let error = redeem(&h, &code, &wrong).await.unwrap_err();
        assert_eq!(error.code, "invalid_grant", "{wrong}");
    }
    // The code was not claimed by the failed attempts.
    redeem(&h, &code, VERIFIER).await.unwrap();
}

#[tokio::test]
async fn rfc_6749_4_1_2_a_code_used_twice_is_refused_and_its_tokens_revoked() {
    let h = Harness::new().await;
    let code = code_after_yes(&h).await;
    let first = redeem(&h, &code, VERIFIER).await.unwrap();
    let error = redeem(&h, &code, VERIFIER).await.unwrap_err();
    assert_eq!(error.code, "invalid_grant");
    // Every token the code bought is revoked: the access token and its refresh token.
    assert!(!is_active(&h, "demo-sp", &first.access_token).await);
    let refresh = first.refresh_token.unwrap();
    let client = h.client("demo-sp").await;
    let form = params(&[("grant_type", "refresh_token"), ("refresh_token", &refresh)]);
    let error = tokens::grant(&h.gateway, &client, &form).await.unwrap_err();
    assert_eq!(error.code, "invalid_grant");
    let revocations = audit_of(&h, EntryKind::Revocation, "demo-sp").await;
    assert!(
        revocations.iter().any(|e| e.detail.contains("code_reused")),
        "{revocations:?}"
    );
    // A third presentation changes nothing more.
    assert_eq!(
        redeem(&h, &code, VERIFIER).await.unwrap_err().code,
        "invalid_grant"
    );
}

#[tokio::test]
async fn rfc_6749_4_1_2_a_code_past_its_lifetime_is_invalid_grant() {
    let h = Harness::new().await;
    let code = code_after_yes(&h).await;
    h.advance_s(CODE_LIFETIME_S + 1);
    let error = redeem(&h, &code, VERIFIER).await.unwrap_err();
    assert_eq!(
        (error.code, error.description.as_str()),
        ("invalid_grant", "the code expired")
    );
}

/// The session of the waiting page, or a panic naming what came instead.
fn waiting(outcome: AuthorizeOutcome) -> String {
    match outcome {
        AuthorizeOutcome::Waiting { session, .. } => session,
        other => panic!("the waiting page, not {other:?}"),
    }
}

#[tokio::test]
async fn a_subscriber_a_minor_and_an_unknown_number_get_the_same_waiting_page() {
    let h = Harness::new().await;
    let budget = code_flow::Unlimited;
    let mut sessions = Vec::new();
    for number in [MARIE, crate::support::TOM, "447700900099"] {
        let outcome = code_flow::authorize(&h.gateway, &request_for(number, &[]), &budget)
            .await
            .unwrap();
        sessions.push(waiting(outcome));
    }
    // Only Marie's handset got a prompt; the others' requests reached nobody.
    assert_eq!(h.store.sim_messages(MARIE).await.unwrap().len(), 1);
    assert!(
        h.store
            .sim_messages(crate::support::TOM)
            .await
            .unwrap()
            .is_empty()
    );
    // While the requests live, every page keeps waiting alike.
    h.advance_s(299);
    for session in &sessions {
        assert!(matches!(
            code_flow::wait(&h.gateway, session).await.unwrap(),
            AuthorizeOutcome::Waiting { .. }
        ));
    }
    // At the end, all three end as a request nobody answered: access_denied, with iss.
    h.advance_s(2);
    for session in &sessions {
        let AuthorizeOutcome::Redirect { location } =
            code_flow::wait(&h.gateway, session).await.unwrap()
        else {
            panic!("back to the SP");
        };
        let query = query_of(&location);
        assert_eq!(query["error"], "access_denied");
        assert_eq!(query["state"], "st-1");
        assert_eq!(query["iss"], "https://gateway.test");
    }
    // The minor's refusal is audited with its reason; a refused request is purged once
    // over, by the next refused one.
    assert!(
        !audit_of(&h, EntryKind::Refusal, "demo-sp").await.is_empty(),
        "the refusal is audited"
    );
    let late = code_flow::authorize(&h.gateway, &request_for("447700900098", &[]), &budget)
        .await
        .unwrap();
    waiting(late);
    assert!(
        code_flow::wait(&h.gateway, &sessions[2]).await.is_err(),
        "purged"
    );
}

#[tokio::test]
async fn over_the_prompt_budget_a_request_reaches_nobody_and_waits_alike() {
    let h = Harness::new().await;
    let spent = std::sync::Mutex::new(Vec::<String>::new());
    // A budget of one prompt per target.
    let budget = |key: &str| {
        let mut spent = spent.lock().unwrap();
        if spent.iter().any(|k| k == key) {
            return Err(60);
        }
        spent.push(key.to_owned());
        Ok(())
    };
    for _ in 0..3 {
        let outcome = code_flow::authorize(&h.gateway, &request_for(MARIE, &[]), &budget)
            .await
            .unwrap();
        waiting(outcome);
    }
    assert_eq!(
        h.store.sim_messages(MARIE).await.unwrap().len(),
        1,
        "one prompt reached Marie"
    );
    // The three requests spent from one key: Marie's.
    assert_eq!(spent.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn a_nonce_is_required_with_openid_and_request_objects_are_refused() {
    let h = Harness::new().await;
    for (changes, error) in [
        (&[("nonce", "")][..], "invalid_request"),
        (
            &[("request", "eyJhbGciOiJub25lIn0.e30.")][..],
            "request_not_supported",
        ),
        (
            &[("request_uri", "https://sp.example/r")][..],
            "request_uri_not_supported",
        ),
    ] {
        let outcome = code_flow::authorize(
            &h.gateway,
            &request_for(MARIE, changes),
            &code_flow::Unlimited,
        )
        .await
        .unwrap();
        let AuthorizeOutcome::Redirect { location } = outcome else {
            panic!("{changes:?}: back to the SP, not {outcome:?}");
        };
        let query = query_of(&location);
        assert_eq!(query["error"], error, "{changes:?}");
        assert_eq!(query["iss"], "https://gateway.test");
    }
    assert!(
        h.store.sim_messages(MARIE).await.unwrap().is_empty(),
        "nobody was asked"
    );
}

#[tokio::test]
async fn rfc_9126_a_pushed_request_lives_its_lifetime_and_no_longer() {
    use assent_gateway::flows::code_flow::PUSHED_REQUEST_LIFETIME_S;
    let h = Harness::new().await;
    let client = h.client("par-sp").await;
    let mut request = request_for(MARIE, &[]);
    request.remove("client_id");
    let first = code_flow::push(&h.gateway, &client, &request)
        .await
        .unwrap();
    let second = code_flow::push(&h.gateway, &client, &request)
        .await
        .unwrap();
    assert_ne!(first.request_uri, second.request_uri);
    let by_uri = |uri: &str| params(&[("client_id", "par-sp"), ("request_uri", uri)]);

    // At the last second of its life the first one starts the flow.
    h.advance_s(PUSHED_REQUEST_LIFETIME_S - 1);
    let outcome = code_flow::authorize(
        &h.gateway,
        &by_uri(&first.request_uri),
        &code_flow::Unlimited,
    )
    .await
    .unwrap();
    assert!(
        matches!(outcome, AuthorizeOutcome::Waiting { .. }),
        "{outcome:?}"
    );
    // One second later the second one is gone, and a new push cleared it from the table.
    h.advance_s(1);
    let error = code_flow::authorize(
        &h.gateway,
        &by_uri(&second.request_uri),
        &code_flow::Unlimited,
    )
    .await
    .unwrap_err();
    assert!(error.message.contains("request_uri"), "{error:?}");
    code_flow::push(&h.gateway, &client, &request)
        .await
        .unwrap();
    let error = code_flow::authorize(
        &h.gateway,
        &by_uri(&second.request_uri),
        &code_flow::Unlimited,
    )
    .await
    .unwrap_err();
    assert!(error.message.contains("request_uri"), "{error:?}");
}
