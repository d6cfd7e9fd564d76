//! The app core's history in words against the real gateway over TLS: enroll +447700900001
//! from the handset simulator, approve a CIBA request from demo-sp, let demo-sp read the
//! data, revoke the grant; then every entry of the history the core synced says what
//! happened in a sentence of its own (never the general one of its kind), names demo-sp by
//! the name the gateway sent with the history, and shows no JSON.

// A failure anywhere in an end-to-end test is the test's failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use assent_core::history::Filter;
use assent_core::words::Phrasebook;
use assent_core::{Assent, Enrollment, Overrides};
use assent_e2e::DemoGateway;
use std::time::Duration;

const DEMO_SP: (&str, &str) = ("demo-sp", "demo-sp-secret");

#[tokio::test]
async fn every_entry_of_a_real_history_has_its_own_sentence() {
    let gateway = DemoGateway::start().unwrap();
    let http = gateway.http().unwrap();
    let profile = tempfile::tempdir().unwrap();
    // The keys in a keyring of the test's own (the history is what is tested here; the
    // command's tests use a real Secret Service).
    let secrets = assent_core::secrets::Secrets::in_store(
        keyring_core::mock::Store::new().unwrap(),
        profile.path(),
    );
    let overrides = Overrides {
        gateway_url: Some(gateway.url.clone()),
        ca_file: Some(gateway.ca_file()),
        ..Overrides::default()
    };
    let app = Assent::open_with(profile.path(), overrides, secrets)
        .await
        .unwrap();

    // Enrollment, the code read from the simulated handset.
    let mut steps = |_| {};
    let reached = app.enroll("+447700900001", &mut steps).await.unwrap();
    assert!(
        matches!(reached, Enrollment::AwaitingCode { .. }),
        "{reached:?}"
    );
    let sms = app.simulator_sms(Duration::from_secs(30)).await.unwrap();
    let enrolled = app.submit_code(&sms, &mut steps).await.unwrap();
    assert!(
        matches!(enrolled, Enrollment::Enrolled { .. }),
        "{enrolled:?}"
    );

    // A consent in the app, a read by demo-sp, and the grant revoked here.
    let auth_req_id = gateway
        .ciba_request(&http, DEMO_SP, "openid mc_vm_share", "447700900001")
        .await
        .unwrap();
    let cards = app.inbox(Duration::from_secs(10)).await.unwrap();
    assert_eq!(cards.len(), 1, "{cards:?}");
    assert!(app.decide(&cards[0].id, true).await.unwrap());
    let access = gateway
        .ciba_token(&http, DEMO_SP, &auth_req_id)
        .await
        .unwrap();
    let read = http
        .get(format!("{}/premiuminfo", gateway.url))
        .bearer_auth(&access)
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), 200);
    let grants = app.grants().await.unwrap();
    let demo = grants.iter().find(|g| g.client_id == "demo-sp").unwrap();
    app.revoke(&demo.id).await.unwrap();

    let page = app.history_page(&Filter::default()).await.unwrap();
    assert!(page.synced);
    assert_eq!(page.entries.len(), page.descriptions.len());
    let english = Phrasebook::new("en").unwrap();
    let utc = jiff::tz::TimeZone::UTC;
    let mut sentences = Vec::new();
    for (entry, description) in page.entries.iter().zip(&page.descriptions) {
        let sentence = english.sentence(description, &utc);
        assert!(
            description.specific,
            "entry {} ({}: {}) has only the general sentence: {sentence}",
            entry.seq,
            entry.content.kind.name(),
            entry.content.detail
        );
        assert!(
            !sentence.contains('{') && !sentence.contains('_'),
            "{sentence}"
        );
        if entry.content.sp.as_deref() == Some("demo-sp") {
            assert!(
                sentence.contains("Demo Shop"),
                "demo-sp named by the gateway's name: {sentence}"
            );
        }
        sentences.push(sentence);
    }
    let said = |needle: &str| {
        assert!(
            sentences.iter().any(|s| s.contains(needle)),
            "no sentence says {needle:?}: {sentences:#?}"
        );
    };
    said("This device was added to your account.");
    said("A certificate for your number was issued after you proved it by SMS.");
    said("You were asked in the app whether to share your data with Demo Shop.");
    said("You approved Demo Shop's request in the app.");
    said("This device signed your answer over the exact text you saw.");
    said("You allowed Demo Shop to use your data");
    said("Demo Shop was given access to your data.");
    said("Demo Shop read your ");
    said("You revoked Demo Shop's access on this device.");

    // The same history in Arabic: the same entries, each in its Arabic sentence.
    let arabic = Phrasebook::new("ar").unwrap();
    let revoked = page
        .descriptions
        .iter()
        .find(|d| d.message == "event-revoked-here")
        .unwrap();
    assert_eq!(
        arabic.sentence(revoked, &utc),
        "ألغيتَ وصول \u{2068}Demo Shop\u{2069} من هذا الجهاز."
    );
}
