//! The app core's self-care against the real gateway over TLS (issue 17): a consent given in
//! the app on a laptop (the whole card, signed over its canonical text) has a receipt the
//! gateway signed over the SHA-256 of that text, which the core verifies, keeps and verifies
//! again offline; withdrawing one attribute keeps the rest, Demo Shop's next share answers it
//! empty and the withdrawal has its receipt; the grant ends when the catalog says, and with
//! a lifetime under a week the gateway's sweep reminds the user in the app at once, which
//! the history says in words.

// A failure anywhere in an end-to-end test is the test's failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use assent_core::history::Filter;
use assent_core::settings::Display;
use assent_core::words::Phrasebook;
use assent_core::{Assent, Enrollment, Overrides};
use assent_e2e::DemoGateway;
use serde_json::Value;
use std::time::Duration;

const DEMO_SP: (&str, &str) = ("demo-sp", "demo-sp-secret");

/// The shipped catalog with every lifetime cut to `days`.
fn catalog_with_lifetime(days: u32) -> String {
    let shipped = std::fs::read_to_string(
        assent_e2e::workspace_root().join("crates/gateway/config/catalog.default.json"),
    )
    .unwrap();
    let mut catalog: Value = serde_json::from_str(&shipped).unwrap();
    for service in catalog["services"].as_array_mut().unwrap() {
        if service.get("max_lifetime_days").is_some() {
            service["max_lifetime_days"] = days.into();
        }
    }
    catalog.to_string()
}

fn ms_of(rfc3339: &str) -> i128 {
    jiff::Timestamp::from_str(rfc3339).unwrap().as_millisecond() as i128
}

use std::str::FromStr;

#[tokio::test]
async fn receipts_withdrawal_and_the_end_of_a_consent_against_the_real_gateway() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = dir.path().join("catalog.json");
    std::fs::write(&catalog, catalog_with_lifetime(3)).unwrap();
    let gateway = DemoGateway::start_with_args(&[
        "--catalog",
        catalog.to_str().unwrap(),
        "--consent-sweep-interval",
        "1s",
    ])
    .unwrap();
    let http = gateway.http().unwrap();
    let profile = tempfile::tempdir().unwrap();
    let secrets = assent_core::secrets::Secrets::in_store(
        keyring_core::mock::Store::new().unwrap(),
        profile.path(),
    );
    let overrides = Overrides {
        gateway_url: Some(gateway.url.clone()),
        ca_file: Some(gateway.ca_file()),
        first_display: Some(Display::Desktop),
    };
    let app = Assent::open_with(profile.path(), overrides, secrets.clone())
        .await
        .unwrap();
    let mut steps = |_| {};
    app.enroll("+447700900001", &mut steps).await.unwrap();
    let sms = app.simulator_sms(Duration::from_secs(30)).await.unwrap();
    let enrolled = app.submit_code(&sms, &mut steps).await.unwrap();
    assert!(
        matches!(enrolled, Enrollment::Enrolled { .. }),
        "{enrolled:?}"
    );

    // A consent on the laptop's card.
    let auth_req_id = gateway
        .ciba_request_with(
            &http,
            DEMO_SP,
            "openid mc_identity_signup",
            "447700900001",
            &[("binding_message", "4711")],
        )
        .await
        .unwrap();
    let cards = app.inbox(Duration::from_secs(10)).await.unwrap();
    let card = cards[0].card.clone().expect("the whole card on a laptop");
    assert_eq!(
        card.binding_message.as_deref(),
        Some("Code on Demo Shop's screen: 4711")
    );
    let shown = cards[0].prompt.clone();
    assert_eq!(shown, card.canonical_text());
    assert!(app.decide(&cards[0].id, true).await.unwrap());
    let access = gateway
        .ciba_token(&http, DEMO_SP, &auth_req_id)
        .await
        .unwrap();
    let share = || {
        let request = http
            .get(format!("{}/premiuminfo", gateway.url))
            .bearer_auth(&access);
        async move { request.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    assert_eq!(share().await["email"], "marie.curie@example.org");

    // Its receipt: signed by the gateway over the SHA-256 of the card's text, verified here.
    let receipts = app.receipts().await.unwrap();
    assert_eq!(receipts.len(), 1, "{receipts:?}");
    let given = &receipts[0];
    assert!(given.verified, "{:?}", given.problem);
    assert_eq!(given.prompt.as_deref(), Some(shown.as_str()));
    let claims = given.claims.clone().unwrap();
    assert_eq!(claims.controller.name, "Demo Shop");
    assert_eq!(claims.method.unwrap().authenticator, "app");

    // The grant ends when the catalog says (three days here), and says so.
    let grants = app.grants().await.unwrap();
    let grant = grants
        .iter()
        .find(|g| g.client_id == "demo-sp")
        .unwrap()
        .clone();
    let lifetime = ms_of(grant.expires_at.as_deref().unwrap()) - ms_of(&grant.granted_at);
    assert_eq!(lifetime, 3 * 24 * 3_600_000);

    // Stop sharing the email, keep the rest: bad input changes nothing.
    assert!(
        app.withdraw(&grant.id, &["shoe_size".into()])
            .await
            .is_err()
    );
    assert!(app.withdraw(&grant.id, &[]).await.is_err());
    let withdrawn = app.withdraw(&grant.id, &["email".into()]).await.unwrap();
    assert_eq!(withdrawn.withdrawn, ["email"]);
    let after = share().await;
    assert_eq!(
        (after["email"].as_str(), after["given_name"].as_str()),
        (Some(""), Some("Marie"))
    );
    let receipts = app.receipts().await.unwrap();
    assert_eq!(receipts.len(), 2);
    assert_eq!(receipts[1].id, withdrawn.receipt);
    assert!(receipts[1].verified, "{:?}", receipts[1].problem);
    assert_eq!(
        receipts[1].claims.as_ref().unwrap().purposes[0].attributes,
        ["email"]
    );

    // A lifetime under a week: the gateway's sweep (every second here) reminds the user in
    // the app at once, and once.
    let mut reminders = Vec::new();
    for _ in 0..100 {
        reminders = app
            .notifications()
            .await
            .unwrap()
            .into_iter()
            .filter(|n| n.kind == "consent_expiry")
            .collect();
        if !reminders.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(reminders.len(), 1, "{reminders:?}");
    assert_eq!(reminders[0].detail["consent"], grant.id.as_str());
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let again = app.notifications().await.unwrap();
    assert_eq!(
        again.iter().filter(|n| n.kind == "consent_expiry").count(),
        1
    );
    // The history says it in words.
    let page = app.history_page(&Filter::default()).await.unwrap();
    let english = Phrasebook::new("en").unwrap();
    let sentences: Vec<String> = page
        .descriptions
        .iter()
        .map(|d| english.sentence(d, &jiff::tz::TimeZone::UTC))
        .collect();
    assert!(
        sentences
            .iter()
            .any(|s| s.contains("Demo Shop") && s.to_lowercase().contains("remind")),
        "{sentences:?}"
    );
    assert!(
        sentences
            .iter()
            .any(|s| s == "You stopped sharing your email with Demo Shop."),
        "{sentences:?}"
    );

    // Offline: the receipts kept on the device verify with the keys kept beside them.
    drop(gateway);
    let kept = app.kept_receipts().await.unwrap();
    assert_eq!(kept.len(), 2);
    assert!(kept.iter().all(|r| r.verified), "{kept:?}");
    // Reopened as remembered (the gateway and its CA kept in the profile).
    let reopened = Assent::open_with(profile.path(), Overrides::default(), secrets)
        .await
        .unwrap();
    let offline = reopened.receipts().await.unwrap();
    assert_eq!(
        offline, kept,
        "brought up to date when online, else what is kept"
    );
}
