//! The resource server under refusals, from outside: refused requests are limited per SP
//! and per address (429 with `Retry-After`) while a valid request from the same address is
//! still served; each refusal is in the audit trail as `resource_refused`, without the
//! token; a request that cannot finish within the deadline gets Annex A's timeout row.

// Test helpers may unwrap: a failure there is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::{answer_latest, client, post_basic, start_with};
use serde_json::Value;

const CIBA: &str = "urn:openid:params:grant-type:ciba";

#[tokio::test]
async fn refused_requests_are_limited_and_audited_but_valid_ones_are_served() {
    let dir = tempfile::tempdir().unwrap();
    let gateway = start_with(
        &dir.path().join("gw"),
        None,
        None,
        &["--rate-limit-resource-refused", "3/min"],
    );
    let http = client(&gateway, false);
    // Demo Shop's token for Marie, through CIBA and her handset.
    let (status, grant) = post_basic(
        &gateway,
        &http,
        "demo-sp",
        "/bc-authorize",
        &[
            ("scope", "openid mc_vm_share"),
            ("login_hint", "MSISDN:447700900001"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{grant}");
    answer_latest(&gateway, &http, "447700900001", "1").await;
    let id = grant["auth_req_id"].as_str().unwrap();
    let (status, tokens) = post_basic(
        &gateway,
        &http,
        "demo-sp",
        "/token",
        &[("grant_type", CIBA), ("auth_req_id", id)],
    )
    .await;
    assert_eq!(status, 200, "{tokens}");
    let token = tokens["access_token"].as_str().unwrap().to_owned();

    let premiuminfo = |bearer: &str| {
        http.get(format!("{}/premiuminfo", gateway.url))
            .bearer_auth(bearer)
            .send()
    };
    let probe = "not-a-token-of-this-gateway";
    for _ in 0..3 {
        assert_eq!(premiuminfo(probe).await.unwrap().status(), 401);
    }
    let limited = premiuminfo(probe).await.unwrap();
    assert_eq!(limited.status(), 429);
    let wait: u64 = limited.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    // Successful requests never count against the limit.
    for _ in 0..5 {
        let served = premiuminfo(&token).await.unwrap();
        assert_eq!(served.status(), 200);
        let body: Value = served.json().await.unwrap();
        assert_eq!(body["device_msisdn"], "+447700900001");
    }

    // Each refusal is audited, with the endpoint and the reason, and never the token.
    use sqlx::Connection;
    let url = format!("sqlite:{}", gateway.data_dir.join("gateway.db").display());
    let mut db = sqlx::SqliteConnection::connect(&url).await.unwrap();
    let details: Vec<String> =
        sqlx::query_scalar("SELECT detail FROM audit WHERE kind = 'resource_refused' ORDER BY seq")
            .fetch_all(&mut db)
            .await
            .unwrap();
    assert_eq!(details.len(), 4, "{details:?}");
    for detail in &details {
        let detail: Value = serde_json::from_str(detail).unwrap();
        assert_eq!(detail["endpoint"], "/premiuminfo");
        assert_eq!(detail["error"], "invalid_token");
    }
    let all: Vec<String> = sqlx::query_scalar("SELECT detail FROM audit")
        .fetch_all(&mut db)
        .await
        .unwrap();
    assert!(!all.iter().any(|d| d.contains(probe) || d.contains(&token)));
}

/// A resource server whose introspection endpoint never answers: past `--deadline` the
/// request gets Annex A's timeout row.
#[tokio::test]
async fn a_request_past_the_deadline_gets_the_timeout_row() {
    // Connections to it complete in the kernel's backlog and then hear nothing.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let silent_url = format!("https://{}/introspect", silent.local_addr().unwrap());
    let dir = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(common::BIN)
        .args([
            "resource-server",
            "--listen",
            "127.0.0.1:0",
            "--client-id",
            "rs",
        ])
        .arg("--data-dir")
        .arg(dir.path())
        .args(["--introspection-url", &silent_url, "--deadline", "1s"])
        .env(
            "ASSENT_RS_CLIENT_SECRET",
            "rs-secret-value-long-enough-0123456789",
        )
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.take().unwrap()),
        &mut line,
    )
    .unwrap();
    let rs = line
        .trim()
        .strip_prefix("assent-gateway resource server listening on ")
        .unwrap_or_else(|| panic!("unexpected first line: {line:?}"))
        .to_owned();
    let ca = std::fs::read(dir.path().join("ca.pem")).unwrap();
    let http = reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(&ca).unwrap()])
        .build()
        .unwrap();
    let response = http
        .get(format!("{rs}/premiuminfo"))
        .bearer_auth("any-token")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 500);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "server_error");
    assert_eq!(body["error_description"], "Timeout: Server internal error.");
    let _ = child.kill();
    let _ = child.wait();
    drop(silent);
}
