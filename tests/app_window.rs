//! The app's real window (WebKitGTK) driven through tauri-driver and WebKitWebDriver under
//! Xvfb, against the bundled gateway (demo data, TLS) and a real Secret Service (a private
//! D-Bus session with gnome-keyring): onboarding → a CIBA request from demo-sp → approve →
//! demo-sp reads PremiumInfo → revoke in Access → demo-sp's token is refused → History shows
//! it all and verifies. A screenshot of every screen, on a desktop window and at phone size
//! (360 × 740), is saved in `artifacts/app-window/`.
//!
//! Run by `scripts/test` (`cargo test --workspace -- --include-ignored` under `xvfb-run`,
//! after `cargo build --workspace --all-targets`); ignored in a plain `cargo test`, which may
//! have no display.

// A failure anywhere in an end-to-end test is the test's failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use assent_e2e::{
    DemoGateway, NotificationServer, SecretService, TauriDriver, artifacts_dir, workspace_binary,
    xdotool,
};
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use std::time::Duration;

async fn connect(driver: &TauriDriver) -> Client {
    let application = workspace_binary("assent-app").unwrap();
    let capabilities = json!({
        "browserName": "wry",
        "tauri:options": { "application": application },
    });
    let Value::Object(capabilities) = capabilities else {
        unreachable!()
    };
    ClientBuilder::rustls()
        .unwrap()
        .capabilities(capabilities)
        .connect(&driver.url())
        .await
        .unwrap()
}

/// The app's environment: the test's Secret Service, and a fresh profile pointed at the
/// gateway (as QA and `scripts/run` point it).
fn app_env(
    keyring: &SecretService,
    gateway: &DemoGateway,
    profile: &std::path::Path,
) -> Vec<(String, String)> {
    let mut env = keyring.env();
    env.push(("ASSENT_GATEWAY".into(), gateway.url.clone()));
    env.push(("ASSENT_CA".into(), gateway.ca_file().display().to_string()));
    env.push(("ASSENT_PROFILE".into(), profile.display().to_string()));
    env
}

/// Waits (up to `seconds`) until `css` matches a displayed element whose text satisfies
/// `check`; returns the text.
async fn wait_text(
    client: &Client,
    css: &str,
    seconds: u64,
    check: impl Fn(&str) -> bool,
) -> String {
    let mut last = String::new();
    for _ in 0..seconds * 10 {
        if let Ok(elements) = client.find_all(Locator::Css(css)).await {
            for element in elements {
                if element.is_displayed().await.unwrap_or(false)
                    && let Ok(text) = element.text().await
                {
                    if check(&text) {
                        return text;
                    }
                    last = text;
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{css} never matched; last text: {last:?}");
}

async fn wait_shown(client: &Client, css: &str, seconds: u64) {
    wait_text(client, css, seconds, |_| true).await;
}

async fn click(client: &Client, css: &str) {
    wait_shown(client, css, 10).await;
    client
        .find(Locator::Css(css))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

async fn type_into(client: &Client, css: &str, text: &str) {
    wait_shown(client, css, 10).await;
    let field = client.find(Locator::Css(css)).await.unwrap();
    field.clear().await.unwrap();
    field.send_keys(text).await.unwrap();
}

async fn screenshot(client: &Client, name: &str) {
    // Let layout and transitions settle before the picture.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let png = client.screenshot().await.unwrap();
    std::fs::write(
        artifacts_dir("app-window")
            .unwrap()
            .join(format!("{name}.png")),
        png,
    )
    .unwrap();
}

/// The screens as the navigation reaches them, for the screenshots at one window size.
async fn screenshots_of_every_screen(client: &Client, size: &str) {
    for screen in ["consent", "access", "history", "settings"] {
        click(client, &format!("#nav-{screen}")).await;
        wait_shown(client, &format!("#screen-{screen}"), 10).await;
        if screen == "history" {
            wait_text(client, "#history-verify", 20, |t| t.starts_with('✓')).await;
        }
        screenshot(client, &format!("{screen}-{size}")).await;
    }
}

/// The page is no wider than the window (nothing pushes the layout sideways).
async fn assert_no_sideways_scroll(client: &Client) {
    let widths = client
        .execute(
            "return [document.documentElement.scrollWidth, window.innerWidth]",
            vec![],
        )
        .await
        .unwrap();
    let widths: Vec<u64> = serde_json::from_value(widths).unwrap();
    assert!(
        widths[0] <= widths[1],
        "the page is {widths:?} (scroll width, window width)"
    );
}

const DEMO_SP: (&str, &str) = ("demo-sp", "demo-sp-secret");

/// One window at a time: two WebKit windows and two gateways at once on two cores would make
/// each wait on the other past its timeouts.
static ONE_WINDOW: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

#[tokio::test]
#[ignore = "needs a display (xvfb-run), tauri-driver and WebKitWebDriver: run by scripts/test"]
async fn onboarding_consent_revocation_and_history_in_the_real_window() {
    let _window = ONE_WINDOW.lock().await;
    let keyring = SecretService::start().unwrap();
    let notifications = NotificationServer::start(keyring.bus_address()).unwrap();
    let gateway = DemoGateway::start().unwrap();
    let profile = tempfile::tempdir().unwrap();
    let driver = TauriDriver::start_with_env(&app_env(&keyring, &gateway, profile.path())).unwrap();
    let client = connect(&driver).await;
    client.set_window_size(1280, 860).await.unwrap();
    let http = gateway.http().unwrap();

    // Onboarding: the number, the code read from the simulated handset (QA), verified.
    wait_shown(&client, "html[data-app='ready'] #screen-onboarding", 30).await;
    screenshot(&client, "onboarding-desktop").await;
    type_into(&client, "#number", "+447700900001").await;
    click(&client, "#enroll-start").await;
    wait_shown(&client, "#code", 30).await;
    screenshot(&client, "onboarding-code-desktop").await;
    // A wrong code is refused in the gateway's words; the enrollment still waits.
    type_into(&client, "#code", "000000").await;
    click(&client, "#code-submit").await;
    wait_text(&client, "#onboarding-error", 20, |t| {
        t.contains("wrong code")
    })
    .await;
    screenshot(&client, "onboarding-wrong-code-desktop").await;
    click(&client, "#code-from-simulator").await;
    wait_shown(&client, "#screen-consent", 60).await;
    let enrolled = std::fs::read_to_string(profile.path().join("enrollment.json")).unwrap();
    assert!(enrolled.contains("\"registered\""), "{enrolled}");
    let device_id = |text: &str| -> String {
        serde_json::from_str::<Value>(text).unwrap()["device_id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let first_device = device_id(&enrolled);

    // Renewal from the banner: a fresh code from the simulated handset, the same device.
    wait_text(&client, "#renew-text", 20, |t| {
        t.contains("Renewal opens on")
    })
    .await;
    click(&client, "#renew-button").await;
    wait_shown(&client, "#code-form", 30).await;
    click(&client, "#code-from-simulator").await;
    wait_shown(&client, "#screen-consent", 60).await;
    let renewed = std::fs::read_to_string(profile.path().join("enrollment.json")).unwrap();
    assert!(renewed.contains("\"registered\""), "{renewed}");
    assert_eq!(
        device_id(&renewed),
        first_device,
        "renewal keeps the device"
    );

    // The window goes to the background (unmapped, as when minimised): a CIBA request from
    // demo-sp arrives without a refresh and the desktop announces it.
    let windows = xdotool(&["search", "--name", "^Assent$"]).unwrap();
    assert!(!windows.trim().is_empty(), "the app's X window");
    for window in windows.lines() {
        xdotool(&["windowunmap", "--sync", window]).unwrap();
    }
    let auth_req_id = gateway
        .ciba_request(&http, DEMO_SP, "openid mc_vm_share", "447700900001")
        .await
        .unwrap();
    let announced = notifications
        .wait_for("Demo Shop", Duration::from_secs(30))
        .unwrap();
    // The freedesktop Notify call: application name, …, summary, body.
    assert!(announced.contains("string \"assent-app\""), "{announced}");
    assert!(announced.contains("asks for your consent"), "{announced}");
    // Back in front (no window manager under Xvfb: the test gives the focus back itself).
    for window in windows.lines() {
        xdotool(&["windowmap", "--sync", window]).unwrap();
    }
    for window in windows.lines() {
        let _ = xdotool(&["windowfocus", "--sync", window]);
    }
    let focused = client
        .execute("return document.hasFocus() && !document.hidden", vec![])
        .await
        .unwrap();
    assert_eq!(focused, Value::Bool(true), "the window is in front again");
    // Approve it.
    let card = wait_text(&client, ".consent-card", 30, |t| t.contains("Demo Shop")).await;
    assert!(card.contains("Demo Shop"), "{card}");
    screenshot(&client, "consent-request-desktop").await;
    click(&client, ".consent-card .approve").await;
    wait_text(&client, "#consent-status", 20, |t| !t.trim().is_empty()).await;

    // demo-sp gets its token and reads PremiumInfo.
    let access = gateway
        .ciba_token(&http, DEMO_SP, &auth_req_id)
        .await
        .expect("demo-sp's token after the approval");
    let premium = format!("{}/premiuminfo", gateway.url);
    let status = || {
        let (http, premium, access) = (http.clone(), premium.clone(), access.clone());
        async move {
            http.get(&premium)
                .bearer_auth(access)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(status().await, 200);

    // Revoke in Access (with confirmation): demo-sp's token is refused at once.
    click(&client, "#nav-access").await;
    wait_text(&client, ".grant-card[data-client-id='demo-sp']", 20, |t| {
        t.contains("Demo Shop")
    })
    .await;
    screenshot(&client, "access-grant-desktop").await;
    // The account's devices, from the real gateway: this one, active.
    wait_text(&client, ".device-card[data-status='active']", 20, |t| {
        t.contains("this device")
    })
    .await;
    click(&client, ".grant-card[data-client-id='demo-sp'] .revoke").await;
    wait_shown(&client, "#confirm-revoke", 10).await;
    screenshot(&client, "access-confirm-desktop").await;
    click(&client, "#confirm-revoke-yes").await;
    wait_text(&client, "#access-status", 20, |t| !t.trim().is_empty()).await;
    assert_eq!(status().await, 401);

    // History shows it all and verifies.
    click(&client, "#nav-history").await;
    let verified = wait_text(&client, "#history-verify", 30, |t| t.starts_with('✓')).await;
    // The gateway's signed checkpoint came with the history and was checked.
    assert!(
        verified.contains("The gateway signed that its whole trail reached entry"),
        "{verified}"
    );
    let list = wait_text(&client, "#history-list", 20, |t| {
        t.contains("demo-sp") || t.contains("Demo Shop")
    })
    .await;
    assert!(!list.is_empty());
    let kinds = client
        .execute(
            "return Array.from(document.querySelectorAll('#history-list [data-kind]')).map(e => e.dataset.kind)",
            vec![],
        )
        .await
        .unwrap();
    let kinds: Vec<String> = serde_json::from_value(kinds).unwrap();
    for kind in [
        "prompt_sent",
        "consent",
        "token_issued",
        "resource_access",
        "revocation",
    ] {
        assert!(
            kinds.iter().any(|k| k == kind),
            "{kind} missing from {kinds:?}"
        );
    }
    // Each entry in words, the details behind a disclosure.
    let sentences = client
        .execute(
            "return Array.from(document.querySelectorAll('#history-list .sentence')).map(e => e.textContent)",
            vec![],
        )
        .await
        .unwrap();
    let sentences: Vec<String> = serde_json::from_value(sentences).unwrap();
    assert_eq!(sentences.len(), kinds.len(), "{sentences:?}");
    for said in [
        "You approved Demo Shop's request in the app.",
        "You revoked Demo Shop's access on this device.",
        "This device was added to your account.",
    ] {
        assert!(
            sentences.iter().any(|s| s == said),
            "{said:?} not in {sentences:?}"
        );
    }
    assert!(
        sentences
            .iter()
            .all(|s| !s.contains('{') && !s.contains('_')),
        "{sentences:?}"
    );
    screenshot(&client, "history-desktop").await;

    // Every screen, on the desktop and at phone size.
    screenshots_of_every_screen(&client, "desktop").await;
    client.set_window_size(360, 740).await.unwrap();
    screenshots_of_every_screen(&client, "phone").await;

    // In Arabic the whole app is laid out right to left.
    click(&client, "#nav-settings").await;
    client
        .find(Locator::Css("#settings-locale"))
        .await
        .unwrap()
        .select_by_value("ar")
        .await
        .unwrap();
    click(&client, "#settings-save").await;
    wait_shown(&client, "html[dir='rtl'][lang='ar'] #screen-settings", 20).await;
    screenshot(&client, "settings-phone-ar").await;
    click(&client, "#nav-history").await;
    wait_text(&client, "#history-verify", 20, |t| t.starts_with('✓')).await;
    screenshot(&client, "history-phone-ar").await;

    // The longest SP name registration takes (MC_ATTR_11: 16 bytes, one word of them
    // unbreakable), beside right-to-left text, at phone size: nothing overflows.
    let long_sp = profile.path().join("long-sp.json");
    std::fs::write(
        &long_sp,
        json!({"client_id": "long-sp", "client_secret": "long-sp-secret-of-the-window-test-0123456789",
               "client_name": "Bundesagenturamt",
               "grant_types": ["urn:openid:params:grant-type:ciba"],
               "scope": "openid mc_vm_share", "token_policy": "long_lived",
               "token_ttl_seconds": 3600})
        .to_string(),
    )
    .unwrap();
    gateway
        .admin(&["clients", "add", long_sp.to_str().unwrap()])
        .unwrap();
    gateway
        .ciba_request(
            &http,
            ("long-sp", "long-sp-secret-of-the-window-test-0123456789"),
            "openid mc_vm_share",
            "447700900001",
        )
        .await
        .unwrap();
    click(&client, "#nav-consent").await;
    wait_text(&client, ".consent-card", 30, |t| {
        t.contains("Bundesagentur")
    })
    .await;
    assert_no_sideways_scroll(&client).await;
    // Rendered by the core in the language just chosen (not by a long poll that began before
    // the change), and the number in the banner isolated left to right (a `<bdi dir=ltr>`).
    // (The desktop app shows the whole card: its first run chose the screen's display.)
    wait_shown(
        &client,
        ".consent-card .consent-rich[lang='ar'][dir='rtl']",
        20,
    )
    .await;
    let number = wait_text(&client, "#enrolled-banner bdi[dir='ltr']", 20, |_| true).await;
    assert_eq!(number, "+447700900001");
    // As laid out: the "+" left of the digits, and the number left of the sentence's first
    // words (right to left).
    let layout = client
        .execute(
            "const b = document.querySelector('#enrolled-banner bdi[dir=ltr]');
             const rect = (node, from, to) => { const r = document.createRange();
               r.setStart(node, from); r.setEnd(node, to); return r.getBoundingClientRect(); };
             const digits = b.firstChild, first = b.parentNode.firstChild;
             return [rect(digits, 0, 1).left, rect(digits, 1, 2).left,
                     rect(first, 0, 2).left, rect(digits, 0, digits.length).right];",
            vec![],
        )
        .await
        .unwrap();
    let x: Vec<f64> = serde_json::from_value(layout).unwrap();
    assert!(x[0] < x[1], "the plus sign is left of the digits: {x:?}");
    assert!(
        x[3] <= x[2],
        "the number is left of the first Arabic words: {x:?}"
    );
    screenshot(&client, "consent-long-name-phone-ar").await;
    click(&client, ".consent-card .approve").await;
    wait_text(&client, "#consent-status", 20, |t| {
        t.contains("Bundesagentur")
    })
    .await;
    click(&client, "#nav-access").await;
    wait_shown(&client, ".grant-card[data-client-id='long-sp']", 20).await;
    assert_no_sideways_scroll(&client).await;
    screenshot(&client, "access-long-name-phone-ar").await;
    // That request came while the window was in front: no notification for it.
    assert_eq!(
        notifications.calls().len(),
        1,
        "{:?}",
        notifications.calls()
    );

    client.close().await.unwrap();
}

/// The History screen's sentences, once the history verified.
async fn history_sentences(client: &Client) -> Vec<String> {
    click(client, "#nav-history").await;
    wait_text(client, "#history-verify", 30, |t| t.starts_with('✓')).await;
    wait_shown(client, "#history-list .sentence", 20).await;
    let sentences = client
        .execute(
            "return Array.from(document.querySelectorAll('#history-list .sentence'))
               .map(e => e.textContent.replace(/[\\u2066-\\u2069]/g, ''))",
            vec![],
        )
        .await
        .unwrap();
    serde_json::from_value(sentences).unwrap()
}

/// Saves the language in Settings and waits until the document is in it.
async fn choose_language(client: &Client, tag: &str) {
    click(client, "#nav-settings").await;
    client
        .find(Locator::Css("#settings-locale"))
        .await
        .unwrap()
        .select_by_value(tag)
        .await
        .unwrap();
    click(client, "#settings-save").await;
    wait_shown(client, &format!("html[lang='{tag}'] #screen-settings"), 20).await;
}

/// Gives the app's X window the keyboard focus (no window manager runs under Xvfb).
fn focus_app_window() {
    let windows = xdotool(&["search", "--name", "^Assent$"]).unwrap_or_default();
    for window in windows.lines() {
        let _ = xdotool(&["windowfocus", "--sync", window]);
    }
}

/// The app in light or dark: the stylesheet's own dark rules (`prefers-color-scheme: dark`)
/// made to apply, as the OS's dark mode would, and the UA's controls drawn dark too.
async fn set_scheme(client: &Client, dark: bool) {
    client
        .execute(
            "const dark = arguments[0];
             // The rules and their own media, kept on the window (which keeps them alive).
             if (!window.schemeRules) {
               window.schemeRules = [];
               for (const sheet of document.styleSheets) {
                 for (const rule of sheet.cssRules) {
                   if (rule instanceof CSSMediaRule && rule.media.mediaText.includes('prefers-color-scheme: dark')) {
                     window.schemeRules.push([rule, rule.media.mediaText]);
                   }
                 }
               }
             }
             for (const [rule, media] of window.schemeRules) rule.media.mediaText = dark ? 'all' : 'not all';
             document.documentElement.style.colorScheme = dark ? 'dark' : 'light';
             return window.schemeRules.length;",
            vec![json!(dark)],
        )
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(150)).await;
}

/// axe-core (the `ui` package's own copy) on the page as it is: the serious and critical
/// violations, each with the first elements it names.
async fn axe_violations(client: &Client) -> Vec<String> {
    let loaded = client
        .execute("return typeof window.axe !== 'undefined'", vec![])
        .await
        .unwrap();
    if loaded != Value::Bool(true) {
        let source = std::fs::read_to_string(
            assent_e2e::workspace_root().join("ui/node_modules/axe-core/axe.min.js"),
        )
        .expect("axe-core is installed with the UI's packages (npm ci in ui/)");
        client
            .execute(&format!("{source}\nreturn true;"), vec![])
            .await
            .unwrap();
    }
    let found = client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { resultTypes: ['violations'] }).then((r) => done(
               r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
                 .map((v) => v.id + ' (' + v.impact + '): ' +
                   v.nodes.slice(0, 4).map((n) => n.target.join(' ')).join(', '))),
               (e) => done(['axe failed: ' + e]));",
            vec![],
        )
        .await
        .unwrap();
    serde_json::from_value(found).unwrap()
}

/// Tabs through the page from its start: the interactive elements of `scope` (and the
/// navigation) that the keyboard never reached, and those reached without a visible focus.
async fn keyboard_gaps(client: &Client, scope: &str) -> Vec<String> {
    let count = client
        .execute(
            "const scope = document.querySelector(arguments[0]);
             const visible = (el) => el.getClientRects().length > 0 &&
               getComputedStyle(el).visibility !== 'hidden' && !el.closest('[hidden], dialog:not([open])');
             // While a modal dialog is open the rest of the page is inert: only its controls.
             const nav = scope.matches('dialog') ? [] : [...document.querySelectorAll('#nav button, #nav a[href]')];
             const all = [...nav, ...scope.querySelectorAll('button, a[href], input, select, textarea, summary')]
               .filter((el) => !el.disabled && visible(el));
             all.forEach((el, i) => { el.dataset.kbd = String(i); });
             document.activeElement?.blur();
             window.scrollTo(0, 0);
             return all.length;",
            vec![json!(scope)],
        )
        .await
        .unwrap();
    let count = count.as_u64().unwrap() as usize;
    // A window without the focus matches no `:focus` at all: the keyboard's focus is the
    // window's first (under Xvfb without a window manager a resize can take it away).
    let focused = client
        .execute("return document.hasFocus()", vec![])
        .await
        .unwrap();
    if focused != Value::Bool(true) {
        focus_app_window();
    }
    let mut reached = std::collections::BTreeSet::new();
    let mut unseen_focus = Vec::new();
    let mut path: Vec<String> = Vec::new();
    // Twice as many presses as there are elements: the page's other controls come between.
    // A date field takes several presses (one per part), a dialog returns to its start.
    for _ in 0..(count * 3 + 30) {
        // A key press of the whole window (WebDriver actions): "send keys" to an element would
        // set a date field's value rather than press Tab in it.
        let tab = KeyActions::new("keyboard".into())
            .then(KeyAction::Down { value: '\u{E004}' })
            .then(KeyAction::Up { value: '\u{E004}' });
        client.perform_actions(tab).await.unwrap();
        let now = client
            .execute(
                "const el = document.activeElement; const cs = getComputedStyle(el);
                 const shown = (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0) ||
                   cs.boxShadow !== 'none';
                 return [el.dataset.kbd ?? null, shown, (el.id || el.className || el.tagName) +
                   ' (outline ' + cs.outlineStyle + ' ' + cs.outlineWidth + ', focus-visible ' +
                   el.matches(':focus-visible') + ')'];",
                vec![],
            )
            .await
            .unwrap();
        path.push(now[2].as_str().unwrap_or_default().to_owned());
        if let Some(index) = now[0].as_str() {
            reached.insert(index.to_owned());
            if now[1] != Value::Bool(true) {
                unseen_focus.push(format!("no visible focus on {}", now[2]));
            }
        }
        if reached.len() == count {
            break;
        }
    }
    let missed = client
        .execute(
            "return [...document.querySelectorAll('[data-kbd]')]
               .filter((el) => !arguments[0].includes(el.dataset.kbd))
               .map((el) => 'never reached: ' + (el.id || el.className || el.tagName) + ' ' +
                 (el.textContent || '').trim().slice(0, 30));",
            vec![json!(reached.iter().collect::<Vec<_>>())],
        )
        .await
        .unwrap();
    let mut gaps: Vec<String> = serde_json::from_value(missed).unwrap();
    if !gaps.is_empty() {
        let tail: Vec<&String> = path.iter().rev().take(8).collect();
        gaps.push(format!("the last stops of the focus: {tail:?}"));
    }
    unseen_focus.dedup();
    gaps.extend(unseen_focus);
    client
        .execute(
            "document.querySelectorAll('[data-kbd]').forEach((el) => delete el.dataset.kbd); return 1;",
            vec![],
        )
        .await
        .unwrap();
    gaps
}

/// Text at 200% (WCAG 1.4.4): the page still no wider than the window, and no element of
/// `scope` cuts its text off (a box narrower than its text that hides the rest).
async fn text_at_200_percent_losses(client: &Client, scope: &str) -> Vec<String> {
    let lost = client
        .execute(
            "document.documentElement.style.fontSize = '200%';
             const scope = document.querySelector(arguments[0]);
             const lost = [];
             if (document.documentElement.scrollWidth > window.innerWidth + 1)
               lost.push('the page scrolls sideways: ' + document.documentElement.scrollWidth);
             for (const el of scope.querySelectorAll('*')) {
               if (!el.getClientRects().length || !el.textContent.trim()) continue;
               // Text for screen readers only is clipped on purpose.
               if (el.closest('.visually-hidden') || getComputedStyle(el).clipPath.startsWith('inset(50%')) continue;
               const cs = getComputedStyle(el);
               const clips = ['hidden', 'clip'].includes(cs.overflowX) || cs.textOverflow === 'ellipsis';
               if (clips && el.scrollWidth > el.clientWidth + 1)
                 lost.push('cut off: ' + (el.id || el.className || el.tagName));
             }
             document.documentElement.style.fontSize = '';
             return lost;",
            vec![json!(scope)],
        )
        .await
        .unwrap();
    serde_json::from_value(lost).unwrap()
}

/// axe-core in light and dark, the keyboard walk and text at 200% on the page as it is now.
async fn audit_page(client: &Client, label: &str, scope: &str, problems: &mut Vec<String>) {
    for dark in [false, true] {
        set_scheme(client, dark).await;
        let scheme = if dark { "dark" } else { "light" };
        for violation in axe_violations(client).await {
            problems.push(format!("{label}, {scheme}: {violation}"));
        }
        screenshot(client, &format!("a11y-{label}-{scheme}")).await;
    }
    set_scheme(client, false).await;
    for gap in keyboard_gaps(client, scope).await {
        problems.push(format!("{label}, keyboard: {gap}"));
    }
    for loss in text_at_200_percent_losses(client, scope).await {
        problems.push(format!("{label}, text at 200%: {loss}"));
    }
}

/// Every screen at both sizes: the screens as the navigation reaches them, the SP's page and
/// the withdrawal dialog.
async fn audit_every_screen(client: &Client, size: &str, problems: &mut Vec<String>) {
    for screen in ["consent", "access", "history", "settings"] {
        click(client, &format!("#nav-{screen}")).await;
        wait_shown(client, &format!("#screen-{screen}"), 10).await;
        if screen == "history" {
            wait_text(client, "#history-verify", 20, |t| t.starts_with('✓')).await;
        }
        audit_page(
            client,
            &format!("{screen}-{size}"),
            &format!("#screen-{screen}"),
            problems,
        )
        .await;
    }
    click(client, "#nav-access").await;
    // Once the grants are listed (a click on a card being drawn again would be lost).
    wait_shown(
        client,
        "#access-list:not([aria-busy]) .grant-card[data-client-id='demo-sp']",
        20,
    )
    .await;
    click(client, ".grant-card[data-client-id='demo-sp'] .details").await;
    wait_shown(client, "#access-detail .receipt-check", 20).await;
    audit_page(
        client,
        &format!("sp-page-{size}"),
        "#access-detail",
        problems,
    )
    .await;
}

#[tokio::test]
#[ignore = "needs a display (xvfb-run), tauri-driver and WebKitWebDriver: run by scripts/test"]
async fn consent_card_sp_page_receipts_and_accessibility_in_the_real_window() {
    let _window = ONE_WINDOW.lock().await;
    let keyring = SecretService::start().unwrap();
    let gateway = DemoGateway::start().unwrap();
    let profile = tempfile::tempdir().unwrap();
    let driver = TauriDriver::start_with_env(&app_env(&keyring, &gateway, profile.path())).unwrap();
    let client = connect(&driver).await;
    client.set_window_size(1280, 860).await.unwrap();
    let http = gateway.http().unwrap();
    let mut problems = Vec::new();

    // Onboarding, audited before anything else is on screen.
    wait_shown(&client, "html[data-app='ready'] #screen-onboarding", 30).await;
    audit_page(
        &client,
        "onboarding-desktop",
        "#screen-onboarding",
        &mut problems,
    )
    .await;
    type_into(&client, "#number", "+447700900001").await;
    click(&client, "#enroll-start").await;
    wait_shown(&client, "#code", 30).await;
    click(&client, "#code-from-simulator").await;
    wait_shown(&client, "#screen-consent", 60).await;

    // Demo Shop asks for the sign-up attributes, with a binding message: the laptop shows
    // the whole card.
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
    let card = wait_text(&client, ".consent-card .consent-rich", 30, |t| {
        t.contains("Marie")
    })
    .await;
    for expected in [
        "Demo Shop",
        "Marie",
        "Curie",
        "marie.curie@example.org",
        "4711",
        "Until 20",
    ] {
        assert!(
            card.contains(expected),
            "{expected} missing from the card: {card}"
        );
    }
    audit_page(
        &client,
        "consent-card-desktop",
        "#screen-consent",
        &mut problems,
    )
    .await;
    screenshot(&client, "consent-card-desktop").await;
    click(&client, ".consent-card .approve").await;
    wait_text(&client, "#consent-status", 20, |t| !t.trim().is_empty()).await;
    let access = gateway
        .ciba_token(&http, DEMO_SP, &auth_req_id)
        .await
        .expect("demo-sp's token after the approval on the card");
    let premiuminfo = || {
        let request = http
            .get(format!("{}/premiuminfo", gateway.url))
            .bearer_auth(&access);
        async move { request.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    assert_eq!(premiuminfo().await["email"], "marie.curie@example.org");

    // The SP's page: what it gets, until when, its receipt (verified here).
    click(&client, "#nav-access").await;
    click(&client, ".grant-card[data-client-id='demo-sp'] .details").await;
    wait_text(&client, "#sp-name", 20, |t| t.contains("Demo Shop")).await;
    wait_text(&client, "#access-detail .receipt-check", 20, |t| {
        t.contains('✓')
    })
    .await;
    screenshot(&client, "sp-page-desktop").await;
    // Stop sharing the email, keep the rest.
    click(
        &client,
        "#sp-attributes [data-attribute='email'] .stop-sharing",
    )
    .await;
    wait_shown(&client, "#confirm-withdraw", 10).await;
    audit_page(
        &client,
        "withdraw-dialog-desktop",
        "#confirm-withdraw",
        &mut problems,
    )
    .await;
    screenshot(&client, "sp-withdraw-desktop").await;
    click(&client, "#confirm-withdraw-yes").await;
    wait_shown(&client, "#sp-withdrawn [data-attribute='email']", 20).await;
    // Demo Shop's next share answers it empty; the rest is unchanged.
    let after = premiuminfo().await;
    assert_eq!(
        (&after["email"], &after["given_name"]),
        (&json!(""), &json!("Marie"))
    );
    // The withdrawal's receipt is on the page and verifies.
    let receipts = wait_text(&client, "#sp-receipts", 20, |t| t.matches('✓').count() >= 2).await;
    assert!(receipts.contains("Sharing stopped"), "{receipts}");
    screenshot(&client, "sp-page-after-desktop").await;

    // History in words: what happened to Demo Shop's access, in English, then in Arabic.
    let sentences = history_sentences(&client).await;
    for said in [
        "You stopped sharing your email with Demo Shop.",
        "Demo Shop read your given name, family name, email, date of birth and address.",
    ] {
        assert!(
            sentences.iter().any(|s| s == said),
            "{said:?} not in {sentences:?}"
        );
    }
    assert!(
        sentences
            .iter()
            .all(|s| !s.contains('{') && !s.contains('_') && !s.contains(" - ")),
        "{sentences:?}"
    );
    screenshot(&client, "history-words-desktop").await;
    choose_language(&client, "ar").await;
    let arabic = history_sentences(&client).await;
    assert_eq!(arabic.len(), sentences.len(), "{arabic:?}");
    let stopped = arabic
        .iter()
        .find(|s| s.starts_with("أوقفتَ مشاركة"))
        .unwrap_or_else(|| panic!("no withdrawal in Arabic: {arabic:?}"));
    assert!(stopped.contains("Demo Shop"), "{stopped}");
    assert!(
        arabic
            .iter()
            .all(|s| !s.contains("You ") && !s.contains('{') && !s.contains('_')),
        "{arabic:?}"
    );
    screenshot(&client, "history-words-ar-desktop").await;
    audit_page(
        &client,
        "history-ar-desktop",
        "#screen-history",
        &mut problems,
    )
    .await;
    choose_language(&client, "en").await;

    // Every screen, both sizes, light and dark.
    audit_every_screen(&client, "desktop", &mut problems).await;
    client.set_window_size(360, 740).await.unwrap();
    audit_every_screen(&client, "phone", &mut problems).await;
    client.set_window_size(1280, 860).await.unwrap();

    assert!(
        problems.is_empty(),
        "accessibility problems ({}):\n{}",
        problems.len(),
        problems.join("\n")
    );
    client.close().await.unwrap();
}
