//! The USSD self-care menu end to end, against the real binary on SQLite and PostgreSQL:
//! Marie dials `*123#` on the simulated handset, reads her recent accesses, lists her
//! consents, revokes Demo Shop's with a confirmation — its next PremiumInfo call is refused
//! and the revocation is audited as hers, by USSD — and reports it. Every screen fits one
//! USSD interaction.

// Test helpers may unwrap: a failure there is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::{Gateway, admin, client, fresh_postgres, start};
use serde_json::{Value, json};

const MARIE: &str = "447700900001";

async fn post(gateway: &Gateway, http: &reqwest::Client, path: &str, body: Value) -> (u16, Value) {
    let response = http
        .post(format!("{}/sim/handsets/{MARIE}/{path}", gateway.url))
        .json(&body)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

/// Dials `*123#` and answers `choices` in turn; every screen's text, the last one's body.
async fn session(
    gateway: &Gateway,
    http: &reqwest::Client,
    choices: &[&str],
) -> (Vec<String>, Value) {
    let (status, mut screen) = post(gateway, http, "dial", json!({"code": "*123#"})).await;
    assert_eq!(status, 200, "{screen}");
    let mut texts = vec![screen["text"].as_str().unwrap().to_owned()];
    for choice in choices {
        assert!(
            screen.get("end").is_none(),
            "the session ended early: {screen}"
        );
        let id = screen["id"].as_str().unwrap().to_owned();
        let (status, next) = post(
            gateway,
            http,
            "reply",
            json!({"message_id": id, "text": choice}),
        )
        .await;
        assert_eq!(status, 200, "{next}");
        texts.push(next["text"].as_str().unwrap().to_owned());
        screen = next;
    }
    for text in &texts {
        assert!(text.chars().count() <= 182, "{text}");
    }
    (texts, screen)
}

async fn self_care(db: Option<&str>) {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("gw");
    let gateway = start(&data_dir, db);
    let http = client(&gateway, false);

    let tokens = common::ciba_tokens(
        &gateway,
        &http,
        "demo-sp",
        MARIE,
        "openid mc_identity_signup",
        &[],
    )
    .await;
    let access = tokens["access_token"].as_str().unwrap().to_owned();
    let premium = |token: String| {
        let (gateway, http) = (&gateway, &http);
        async move {
            http.get(format!("{}/premiuminfo", gateway.url))
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(premium(access.clone()).await, 200);

    // Another code, or another handset: nothing.
    let (status, _) = post(&gateway, &http, "dial", json!({"code": "*999#"})).await;
    assert_eq!(status, 404);
    let stranger = http
        .post(format!("{}/sim/handsets/447700900999/dial", gateway.url))
        .json(&json!({"code": "*123#"}))
        .send()
        .await
        .unwrap();
    assert_eq!(stranger.status(), 404);

    // 2 Recent access: Demo Shop read her data today.
    let (texts, last) = session(&gateway, &http, &["2"]).await;
    assert_eq!(
        texts[0],
        "Assent\n1 My consents\n2 Recent access\n3 Report an SP"
    );
    assert!(
        texts[1].starts_with("Recent access\nDemo Shop "),
        "{}",
        texts[1]
    );
    assert_eq!(last["end"], true);

    // 1 My consents → Demo Shop → Revoke → a wrong answer → Yes.
    let (texts, last) = session(&gateway, &http, &["1", "1", "1", "7", "1"]).await;
    assert_eq!(texts[1], "My consents\n1 Demo Shop\n0 Back");
    assert_eq!(
        texts[2],
        "Demo Shop may read your data.\n1 Revoke access\n0 Back"
    );
    assert_eq!(
        texts[3],
        "Revoke Demo Shop's access to your data?\n1 Yes\n2 No"
    );
    assert_eq!(texts[4], texts[3], "a wrong answer shows the screen again");
    assert_eq!(texts[5], "Demo Shop can no longer read your data.");
    assert_eq!(last["end"], true);
    assert_eq!(premium(access.clone()).await, 401);
    // The last screen takes no answer.
    let (status, _) = post(
        &gateway,
        &http,
        "reply",
        json!({"message_id": last["id"], "text": "1"}),
    )
    .await;
    assert_eq!(status, 404);
    let (ok, out) = admin(
        &data_dir,
        db,
        &["audit", "list", "--kind", "revocation", "--json"],
    );
    assert!(ok, "{out}");
    let revocation: Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
    assert_eq!(revocation["authenticator"], "ussd", "{revocation}");
    assert_eq!(revocation["detail"]["by"], "user");
    assert_eq!(revocation["detail"]["channel"], "ussd");
    assert_eq!(revocation["sp"], "demo-sp");

    // Nothing left to list; 3 Report an SP still offers Demo Shop (it read her data).
    let (texts, _) = session(&gateway, &http, &["1"]).await;
    assert_eq!(texts[1], "You have no consents in force.");
    let (texts, last) = session(&gateway, &http, &["3", "1", "1"]).await;
    assert_eq!(texts[1], "Report which SP?\n1 Demo Shop\n0 Back");
    assert_eq!(texts[2], "Report Demo Shop to your operator?\n1 Yes\n2 No");
    assert_eq!(
        texts[3],
        "Thank you: your report on Demo Shop was recorded."
    );
    assert_eq!(last["end"], true);
    let (ok, out) = admin(&data_dir, db, &["flags", "--client-id", "demo-sp"]);
    assert!(
        ok && out.contains("reported on the USSD self-care menu"),
        "{out}"
    );

    // The screens are on the handset, USSD, GSM 7-bit.
    let messages = common::handset(&gateway, &http, MARIE).await;
    let screens: Vec<&Value> = messages
        .iter()
        .filter(|m| m["text"].as_str().unwrap().starts_with("Assent\n"))
        .collect();
    assert_eq!(screens.len(), 4);
    assert!(
        screens
            .iter()
            .all(|m| m["kind"] == "ussd" && m["encoding"] == "gsm7")
    );
    let (ok, out) = admin(&data_dir, db, &["audit", "verify"]);
    assert!(ok, "{out}");
}

#[tokio::test(flavor = "multi_thread")]
async fn sqlite_a_subscriber_revokes_and_reports_on_the_ussd_menu() {
    self_care(None).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn postgres_a_subscriber_revokes_and_reports_on_the_ussd_menu() {
    let url = fresh_postgres().await;
    self_care(Some(&url)).await;
}
