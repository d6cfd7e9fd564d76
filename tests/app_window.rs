//! The app's real window (WebKitGTK) driven through tauri-driver and WebKitWebDriver under
//! Xvfb: the prompt preview renders through the `render_prompt` command and follows the
//! user's choices. Run by `scripts/test` (`cargo test --workspace -- --include-ignored` under
//! `xvfb-run`, after `cargo build --workspace --all-targets`); ignored in a plain `cargo test`,
//! which may have no display.

// A failure anywhere in an end-to-end test is the test's failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use assent_e2e::{TauriDriver, artifacts_dir, workspace_binary};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;
use std::time::Duration;

async fn connect(driver: &TauriDriver) -> Client {
    let application = workspace_binary("assent-app").unwrap();
    let capabilities = json!({
        "browserName": "wry",
        "tauri:options": { "application": application },
    });
    let serde_json::Value::Object(capabilities) = capabilities else {
        unreachable!()
    };
    ClientBuilder::rustls()
        .unwrap()
        .capabilities(capabilities)
        .connect(&driver.url())
        .await
        .unwrap()
}

/// Waits until the element's text satisfies `check`, returning it.
async fn wait_text(client: &Client, css: &str, check: impl Fn(&str) -> bool) -> String {
    let mut last = String::new();
    for _ in 0..100 {
        if let Ok(element) = client.find(Locator::Css(css)).await
            && let Ok(text) = element.text().await
        {
            if check(&text) {
                return text;
            }
            last = text;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{css} never matched; last text: {last:?}");
}

async fn fact(client: &Client, name: &str) -> String {
    client
        .find(Locator::Css(&format!("dd[data-fact='{name}']")))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

async fn select(client: &Client, id: &str, value: &str) {
    client
        .find(Locator::Id(id))
        .await
        .unwrap()
        .select_by_value(value)
        .await
        .unwrap();
}

async fn screenshot(client: &Client, name: &str) {
    let png = client.screenshot().await.unwrap();
    std::fs::write(
        artifacts_dir("app-window")
            .unwrap()
            .join(format!("{name}.png")),
        png,
    )
    .unwrap();
}

#[tokio::test]
#[ignore = "needs a display (xvfb-run), tauri-driver and WebKitWebDriver: run by scripts/test"]
async fn the_preview_renders_prompts_in_the_real_window() {
    let driver = TauriDriver::start().unwrap();
    let client = connect(&driver).await;

    // First paint: the demo request on the phone profile.
    let text = wait_text(&client, "#prompt", |t| t.contains("asks for")).await;
    assert!(
        text.starts_with("Demo Shop asks for: given name ="),
        "{text}"
    );
    assert!(text.lines().all(|l| l.chars().count() <= 32), "{text}");
    assert_eq!(fact(&client, "presentation").await, "names_values");
    assert_eq!(fact(&client, "encoding").await, "gsm7");
    screenshot(&client, "phone-en").await;

    // Turkish stays in GSM 7-bit thanks to the national shift tables.
    select(&client, "locale", "tr").await;
    wait_text(&client, "#prompt", |t| t.contains("şunları istiyor")).await;
    assert_eq!(fact(&client, "encoding").await, "gsm7");

    // Arabic is laid out right to left, with the Latin SP name isolated.
    select(&client, "locale", "ar").await;
    let text = wait_text(&client, "#prompt", |t| t.contains("يطلب")).await;
    assert!(text.contains("Demo Shop"), "{text}");
    let dir = client
        .find(Locator::Id("prompt"))
        .await
        .unwrap()
        .attr("dir")
        .await
        .unwrap();
    assert_eq!(dir.as_deref(), Some("rtl"));
    screenshot(&client, "phone-ar").await;

    // USSD answers on the keypad.
    select(&client, "locale", "en").await;
    select(&client, "profile", "ussd").await;
    wait_text(&client, "#prompt", |t| t.contains("1 Yes / 2 No")).await;
    screenshot(&client, "ussd-en").await;

    // Bad input shows the renderer's reason, not a blank box.
    for i in 0..3 {
        client
            .find(Locator::Id(&format!("attr-{i}")))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }
    wait_text(&client, "#prompt", |t| {
        t.contains("no attributes requested")
    })
    .await;
    assert_eq!(fact(&client, "error").await, "invalid_request");
    screenshot(&client, "error").await;

    client.close().await.unwrap();
}
