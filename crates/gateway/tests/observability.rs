//! The operator's view of a running gateway, against the real binary: Prometheus metrics on
//! their own listener (`--metrics-listen`), scraped and parsed by `prometheus-parse`;
//! JSON logs (`--log-format json`) with no personal data; and `serve --config FILE`, whose
//! keys are the flags and which a flag given on the command line overrides.

// Test helpers may unwrap: a failure there is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::{client, start_env};

const MARIE: &str = "447700900001";

/// A port free now on loopback (the listener is closed before the gateway binds it).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn sample<'a>(
    scrape: &'a prometheus_parse::Scrape,
    name: &str,
    labels: &[(&str, &str)],
) -> Option<&'a prometheus_parse::Sample> {
    scrape
        .samples
        .iter()
        .find(|s| s.metric == name && labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))
}

fn counter(scrape: &prometheus_parse::Scrape, name: &str, labels: &[(&str, &str)]) -> f64 {
    match sample(scrape, name, labels).map(|s| &s.value) {
        Some(prometheus_parse::Value::Counter(n)) => *n,
        Some(prometheus_parse::Value::Untyped(n)) => *n,
        other => panic!("{name} {labels:?}: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn metrics_are_scraped_and_logs_are_json_without_personal_data() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("gw");
    let log = dir.path().join("gateway.log");
    let metrics_at = format!("127.0.0.1:{}", free_port());
    // The flags come from a configuration file, one of them overridden on the command line.
    let config = dir.path().join("gateway.toml");
    std::fs::write(
        &config,
        format!(
            "metrics_listen = \"{metrics_at}\"\nlog_format = \"json\"\n\
             rate_limit_token = \"off\"\nlisten = \"127.0.0.1:1\"\n"
        ),
    )
    .unwrap();
    let gateway = start_env(
        &data_dir,
        None,
        Some(&log),
        "info",
        &["--config", config.to_str().unwrap()],
        &[],
    );
    let http = client(&gateway, false);

    // Marie's consent by USSD, her data read, and a request with a bad token.
    let tokens = common::ciba_tokens(
        &gateway,
        &http,
        "demo-sp",
        MARIE,
        "openid mc_identity_signup",
        &[],
    )
    .await;
    let access = tokens["access_token"].as_str().unwrap();
    for token in [access, "not-a-token"] {
        http.get(format!("{}/premiuminfo", gateway.url))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
    }

    let text = reqwest::get(format!("http://{metrics_at}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let scrape = prometheus_parse::Scrape::parse(text.lines().map(|l| Ok(l.to_owned()))).unwrap();
    let premiuminfo = |status| {
        counter(
            &scrape,
            "assent_http_requests_total",
            &[
                ("route", "/premiuminfo"),
                ("method", "GET"),
                ("status", status),
            ],
        )
    };
    assert_eq!((premiuminfo("200"), premiuminfo("401")), (1.0, 1.0));
    assert!(
        counter(
            &scrape,
            "assent_http_requests_total",
            &[("route", "/bc-authorize"), ("status", "200")]
        ) >= 1.0
    );
    match &sample(
        &scrape,
        "assent_http_request_duration_seconds",
        &[("route", "/premiuminfo")],
    )
    .unwrap()
    .value
    {
        prometheus_parse::Value::Histogram(buckets) => {
            let all = buckets.iter().map(|b| b.count).fold(0.0, f64::max);
            assert_eq!(all, 2.0, "{buckets:?}");
        }
        other => panic!("not a histogram: {other:?}"),
    }
    assert_eq!(
        counter(
            &scrape,
            "assent_messages_total",
            &[("channel", "ussd"), ("outcome", "sent")]
        ),
        1.0
    );
    assert!(counter(&scrape, "assent_audit_appends_total", &[]) >= 4.0);
    for outbox in ["ciba_notifications", "shared_signals"] {
        assert!(
            sample(&scrape, "assent_outbox_depth", &[("outbox", outbox)]).is_some(),
            "{text}"
        );
    }
    assert!(sample(&scrape, "assent_writer_queue_depth", &[]).is_some());
    // No label names a person or carries a token.
    assert!(!text.contains(MARIE) && !text.contains(access), "{text}");

    // The handset simulator's routes are counted by template, not by number.
    common::handset(&gateway, &http, MARIE).await;
    let text = reqwest::get(format!("http://{metrics_at}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        text.contains("route=\"/sim/handsets/{msisdn}/messages\""),
        "{text}"
    );
    assert!(!text.contains(MARIE), "{text}");

    // The logs: one JSON object per line, with a level and a message, and nothing personal.
    drop(gateway);
    let logs = std::fs::read_to_string(&log).unwrap();
    assert!(logs.lines().count() >= 2, "{logs}");
    for line in logs.lines() {
        let object: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        assert!(
            object["level"].is_string() && object["message"].is_string(),
            "{line}"
        );
        for secret in [MARIE, "Marie", "Curie", access] {
            assert!(!line.contains(secret), "{secret} in the logs: {line}");
        }
    }
}

#[test]
fn a_bad_configuration_file_stops_the_gateway_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    for (text, reason) in [
        ("nope = 1\n", "unknown key \"nope\""),
        ("demo = \"yes\"\n", "demo: write true or false"),
        ("listen = [1]\n", "listen: write a string or a number"),
        ("listen = \n", "TOML"),
    ] {
        let config = dir.path().join("gateway.toml");
        std::fs::write(&config, text).unwrap();
        let output = std::process::Command::new(common::BIN)
            .args(["serve", "--config", config.to_str().unwrap(), "--data-dir"])
            .arg(dir.path().join("data"))
            .output()
            .unwrap();
        assert!(!output.status.success());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains(reason) || (reason == "TOML" && stderr.contains("gateway.toml")),
            "{text:?}: {stderr}"
        );
    }
}
