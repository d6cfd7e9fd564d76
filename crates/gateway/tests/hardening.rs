//! Hardening (issue 8), each against the real gateway binary on loopback:
//! - TLS: `openssl s_client` (a TLS stack nobody here wrote) fails a TLS 1.2 handshake and
//!   completes a TLS 1.3 one with the gateway's CA;
//! - secrets at rest: after a full flow (enrollment, CIBA, PremiumInfo, refresh, code flow,
//!   client credentials, introspection, revocation), no token, code or secret the flow saw is
//!   in any column of any table, on SQLite and PostgreSQL;
//! - logs: the same flow at `RUST_LOG=trace` leaves no token, code, secret or MSISDN in the
//!   log;
//! - rate limits: over the limit, 429 with `Retry-After` and the protocol's error body.

// Test helpers may unwrap: a failure there is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::acme_client::{Acme, enroll};
use common::{Gateway, client, fresh_postgres, handset, post_basic, start_at_level, start_with};
use serde_json::{Value, json};
use std::path::Path;
use std::process::{Command, Stdio};

const MARIE: &str = "447700900001";
const CIBA_GRANT: &str = "urn:openid:params:grant-type:ciba";

/// `openssl s_client` against the gateway: (exit success, stdout + stderr).
fn s_client(gateway: &Gateway, version_flag: &str) -> Option<(bool, String)> {
    let address = gateway.url.strip_prefix("https://").unwrap();
    let ca = gateway.data_dir.join("ca.pem");
    let output = match Command::new("openssl")
        .args(["s_client", "-connect", address, version_flag, "-brief"])
        .args(["-verify_return_error", "-verify_ip", "127.0.0.1"])
        .arg("-CAfile")
        .arg(&ca)
        .stdin(Stdio::null())
        .output()
    {
        Ok(output) => output,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return None,
        Err(error) => panic!("openssl: {error}"),
    };
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    Some((output.status.success(), text))
}

#[tokio::test]
async fn openssl_s_client_fails_tls12_and_completes_tls13() {
    let dir = tempfile::tempdir().unwrap();
    let gateway = start_with(&dir.path().join("gw"), None, None, &[]);
    let Some((ok, text)) = s_client(&gateway, "-tls1_2") else {
        eprintln!("SKIPPED: `openssl` is not installed (apt-get install openssl)");
        return;
    };
    assert!(!ok, "a TLS 1.2 handshake succeeded: {text}");
    // The server refuses with a protocol_version alert (RFC 8446 §6.2, alert 70).
    assert!(text.contains("protocol version"), "{text}");
    assert!(!text.contains("CONNECTION ESTABLISHED"), "{text}");

    let (ok, text) = s_client(&gateway, "-tls1_3").unwrap();
    assert!(ok, "the TLS 1.3 handshake failed: {text}");
    assert!(text.contains("Protocol version: TLSv1.3"), "{text}");
    assert!(text.contains("Verification: OK"), "{text}");
}

/// What a full flow saw: every bearer value, code and secret that crossed the wire, and
/// the numbers it used.
#[derive(Debug, Default)]
struct Seen {
    secrets: Vec<(String, String)>,
}

impl Seen {
    fn add(&mut self, what: &str, value: &Value) {
        let value = value
            .as_str()
            .unwrap_or_else(|| panic!("{what} missing: {value}"));
        self.secrets.push((what.to_owned(), value.to_owned()));
    }
}

fn pkce_challenge(verifier: &str) -> String {
    use base64::Engine;
    use sha2::Digest;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier))
}

/// The newest open prompt on Marie's handset, answered "1".
async fn approve_on_handset(gateway: &Gateway, http: &reqwest::Client) {
    common::answer_latest(gateway, http, MARIE, "1").await;
}

/// Enrollment over ACME, CIBA poll with the USSD simulator, PremiumInfo, a refresh,
/// client credentials, the authorization code flow with PKCE, introspection and revocation.
async fn full_flow(gateway: &Gateway) -> Seen {
    let http = client(gateway, false);
    let mut seen = Seen::default();
    for (id, secret) in [("demo-sp", "demo-sp-secret"), ("atp-sp", "atp-sp-secret")] {
        seen.secrets
            .push((format!("{id} secret"), secret.to_owned()));
    }

    // ACME sms-link enrollment: every code the SMS carried.
    enroll(gateway, MARIE).await;
    for message in handset(gateway, &http, MARIE).await {
        if message["kind"] == "sms"
            && let Some(code) = message["text"]
                .as_str()
                .and_then(|t| t.lines().last())
                .and_then(|line| line.rsplit_once(" #"))
                .map(|(_, code)| code.to_owned())
        {
            // Six digits alone may match any number by chance (a timestamp's microseconds):
            // look for them as the SMS and the key authorization carry them.
            seen.secrets
                .push(("ACME code (SMS form)".into(), format!("#{code}")));
            seen.secrets
                .push(("ACME code (quoted)".into(), format!("\"{code}\"")));
        }
    }

    // CIBA, poll mode, approved on the USSD simulator.
    let (status, grant) = post_basic(
        gateway,
        &http,
        "demo-sp",
        "/bc-authorize",
        &[
            ("scope", "openid mc_identity_signup"),
            ("login_hint", &format!("MSISDN:{MARIE}")),
        ],
    )
    .await;
    assert_eq!(status, 200, "{grant}");
    seen.add("auth_req_id", &grant["auth_req_id"]);
    approve_on_handset(gateway, &http).await;
    // The OP's interval (CIBA §7.3) before the first poll: this is the protocol, not timing.
    tokio::time::sleep(std::time::Duration::from_secs(
        grant["interval"].as_u64().unwrap_or(2),
    ))
    .await;
    let auth_req_id = grant["auth_req_id"].as_str().unwrap();
    let (status, tokens) = post_basic(
        gateway,
        &http,
        "demo-sp",
        "/token",
        &[("grant_type", CIBA_GRANT), ("auth_req_id", auth_req_id)],
    )
    .await;
    assert_eq!(status, 200, "{tokens}");
    seen.add("CIBA access token", &tokens["access_token"]);
    seen.add("CIBA id token", &tokens["id_token"]);
    seen.add("CIBA refresh token", &tokens["refresh_token"]);

    // PremiumInfo with the access token.
    let access = tokens["access_token"].as_str().unwrap();
    let response = http
        .get(format!("{}/premiuminfo", gateway.url))
        .bearer_auth(access)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);

    // Refresh (rotated).
    let (status, refreshed) = post_basic(
        gateway,
        &http,
        "demo-sp",
        "/token",
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", tokens["refresh_token"].as_str().unwrap()),
        ],
    )
    .await;
    assert_eq!(status, 200, "{refreshed}");
    seen.add("refreshed access token", &refreshed["access_token"]);
    seen.add("rotated refresh token", &refreshed["refresh_token"]);

    // Client credentials.
    let (status, generic) = post_basic(
        gateway,
        &http,
        "atp-sp",
        "/token",
        &[("grant_type", "client_credentials"), ("scope", "mc_atp")],
    )
    .await;
    assert_eq!(status, 200, "{generic}");
    seen.add("generic access token", &generic["access_token"]);

    // Authorization code with PKCE: the browser waits, the handset answers.
    let browser = reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(
            &std::fs::read(gateway.data_dir.join("ca.pem")).unwrap(),
        )
        .unwrap()])
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk-hardening";
    let redirect = "http://127.0.0.1:9/callback";
    let query = form_urlencoded::Serializer::new(String::new())
        .extend_pairs([
            ("response_type", "code"),
            ("client_id", "demo-sp"),
            ("redirect_uri", redirect),
            ("scope", "openid mc_vm_share"),
            ("state", "st-1"),
            ("nonce", "n-1"),
            ("code_challenge", &pkce_challenge(verifier)),
            ("code_challenge_method", "S256"),
            ("login_hint", &format!("MSISDN:{MARIE}")),
        ])
        .finish();
    let page = browser
        .get(format!("{}/authorize?{query}", gateway.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let start = page.find("session=").unwrap() + "session=".len();
    let session: String = page[start..].chars().take_while(|c| *c != '"').collect();
    seen.secrets
        .push(("browser session".into(), session.clone()));
    approve_on_handset(gateway, &http).await;
    let response = browser
        .get(format!("{}/authorize/wait?session={session}", gateway.url))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let back = response.headers()["location"].to_str().unwrap().to_owned();
    let code = form_urlencoded::parse(back.split_once('?').unwrap().1.as_bytes())
        .find(|(name, _)| name == "code")
        .unwrap()
        .1
        .into_owned();
    seen.secrets
        .push(("authorization code".into(), code.clone()));
    seen.secrets
        .push(("PKCE verifier".into(), verifier.to_owned()));
    let (status, coded) = post_basic(
        gateway,
        &http,
        "demo-sp",
        "/token",
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", redirect),
            ("code_verifier", verifier),
        ],
    )
    .await;
    assert_eq!(status, 200, "{coded}");
    seen.add("code flow access token", &coded["access_token"]);
    seen.add("code flow id token", &coded["id_token"]);

    // Introspection and revocation.
    let (status, active) = post_basic(
        gateway,
        &http,
        "demo-sp",
        "/introspect",
        &[("token", coded["access_token"].as_str().unwrap())],
    )
    .await;
    assert_eq!((status, &active["active"]), (200, &json!(true)));
    let response = http
        .post(format!("{}/revoke", gateway.url))
        .basic_auth("demo-sp", Some("demo-sp-secret"))
        .form(&[("token", refreshed["refresh_token"].as_str().unwrap())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    seen
}

/// Every text of every column of every table (blobs as text and as hex), named
/// `table.column`.
async fn dump_database(data_dir: &Path, database_url: Option<&str>) -> Vec<(String, String)> {
    use sqlx::{Column, Connection, Row, TypeInfo};
    let mut cells = Vec::new();
    match database_url {
        None => {
            let path = data_dir.join("gateway.db");
            let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
                .await
                .unwrap();
            let tables: Vec<String> = sqlx::query_scalar(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
            )
            .fetch_all(&mut conn)
            .await
            .unwrap();
            assert!(tables.len() > 10, "{tables:?}");
            for table in tables {
                // Names come from the schema itself.
                let select = sqlx::AssertSqlSafe(format!("SELECT * FROM \"{table}\""));
                for row in sqlx::query(select).fetch_all(&mut conn).await.unwrap() {
                    for (i, column) in row.columns().iter().enumerate() {
                        let name = format!("{table}.{}", column.name());
                        if let Ok(Some(text)) = row.try_get::<Option<String>, _>(i) {
                            cells.push((name, text));
                        } else if let Ok(Some(bytes)) = row.try_get::<Option<Vec<u8>>, _>(i) {
                            cells.push((name.clone(), String::from_utf8_lossy(&bytes).into()));
                            cells.push((name, hex::encode(&bytes)));
                        } else {
                            let kind = row.column(i).type_info().name().to_owned();
                            assert!(
                                ["INTEGER", "NULL", "REAL", "BIGINT", "BOOLEAN"]
                                    .contains(&kind.as_str())
                                    || row.try_get::<Option<i64>, _>(i).is_ok(),
                                "{name}: a column of type {kind} was not read"
                            );
                        }
                    }
                }
            }
        }
        Some(url) => {
            // row_to_json renders every column of any type as text (bytea as \x hex).
            let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
            let tables: Vec<String> = sqlx::query_scalar(
                "SELECT table_name::text FROM information_schema.tables \
                 WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
            )
            .fetch_all(&mut conn)
            .await
            .unwrap();
            assert!(tables.len() > 10, "{tables:?}");
            for table in tables {
                let select =
                    sqlx::AssertSqlSafe(format!("SELECT row_to_json(t)::text FROM \"{table}\" t"));
                let rows: Vec<String> = sqlx::query_scalar(select)
                    .fetch_all(&mut conn)
                    .await
                    .unwrap();
                for row in rows {
                    let object: serde_json::Map<String, Value> =
                        serde_json::from_str(&row).unwrap();
                    for (column, value) in object {
                        let text = match value {
                            Value::String(text) => text,
                            other => other.to_string(),
                        };
                        cells.push((format!("{table}.{column}"), text));
                    }
                }
            }
        }
    }
    cells
}

/// The simulated handset network's inbox is the phone's, not the gateway's storage: the SMS
/// a person receives carries the code in clear by design (RFC 8823's model). It exists only
/// because the simulator stands in for a real SMSC.
fn is_the_handsets_inbox(column: &str) -> bool {
    column.starts_with("sim_messages.")
}

async fn nothing_secret_at_rest(database_url: Option<&str>) {
    let dir = tempfile::tempdir().unwrap();
    let gateway = start_with(&dir.path().join("gw"), database_url, None, &[]);
    let seen = full_flow(&gateway).await;
    drop(gateway);
    let cells = dump_database(&dir.path().join("gw"), database_url).await;
    // The dump reads what the flow wrote (its audit trail, its tokens' rows) and finds what
    // is meant to be there in clear, so a secret it misses is really absent.
    assert!(
        cells
            .iter()
            .any(|(c, t)| c == "users.msisdn" && t.contains(MARIE)),
        "the dump reads text columns"
    );
    assert!(cells.iter().any(|(c, _)| c.starts_with("tokens.")), "dump");
    assert!(cells.iter().any(|(c, _)| c.starts_with("audit")), "dump");
    for (what, secret) in &seen.secrets {
        for (column, text) in &cells {
            if is_the_handsets_inbox(column) {
                continue;
            }
            assert!(
                !text.contains(secret.as_str()),
                "{what} is stored in the clear in {column}"
            );
        }
    }
}

#[tokio::test]
async fn sqlite_no_token_code_or_secret_is_stored_in_the_clear() {
    nothing_secret_at_rest(None).await;
}

#[tokio::test]
async fn postgres_no_token_code_or_secret_is_stored_in_the_clear() {
    nothing_secret_at_rest(Some(&fresh_postgres().await)).await;
}

/// The whole flow at the most verbose level the gateway has: nothing it saw is in the log,
/// nor the user's number in any form.
#[tokio::test]
async fn trace_logs_of_a_full_flow_hold_no_token_code_secret_or_number() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("gateway.log");
    let gateway = start_at_level(&dir.path().join("gw"), None, Some(&log), "trace", &[]);
    let seen = full_flow(&gateway).await;
    drop(gateway);
    let text = std::fs::read_to_string(&log).unwrap();
    // The log was captured at trace level, from our crate and its dependencies.
    assert!(text.contains("store ready"), "the log was captured");
    assert!(text.contains("TRACE"), "trace level is on");
    let mut forbidden = seen.secrets.clone();
    for number in [
        format!("+{MARIE}"),
        MARIE.to_owned(),
        format!("%2B{MARIE}"),
        MARIE[2..].to_owned(),
    ] {
        forbidden.push(("MSISDN".into(), number));
    }
    for (what, secret) in forbidden {
        if let Some(at) = text.find(secret.as_str()) {
            let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
            let line_end = text[at..].find('\n').map_or(text.len(), |i| at + i);
            panic!(
                "the log holds the {what} {secret:?}: {}",
                &text[line_start..line_end]
            );
        }
    }
}

/// A token, CIBA or ACME request over its limit is 429 with `Retry-After` and the protocol's
/// error body; below the limit, and for another client, account or key, it succeeds.
#[tokio::test]
async fn rate_limits_answer_429_with_retry_after_in_each_protocols_words() {
    let dir = tempfile::tempdir().unwrap();
    let gateway = start_with(
        &dir.path().join("gw"),
        None,
        None,
        &[
            "--rate-limit-token",
            "3/h",
            "--rate-limit-ciba",
            "2/h",
            "--rate-limit-acme",
            "2/h",
        ],
    );
    let http = client(&gateway, false);
    let generic = [("grant_type", "client_credentials"), ("scope", "mc_atp")];

    // Token endpoint, per client: 3 pass, the 4th is 429.
    for _ in 0..3 {
        let (status, body) = post_basic(&gateway, &http, "atp-sp", "/token", &generic).await;
        assert_eq!(status, 200, "{body}");
    }
    let response = http
        .post(format!("{}/token", gateway.url))
        .basic_auth("atp-sp", Some("atp-sp-secret"))
        .form(&generic)
        .send()
        .await
        .unwrap();
    assert_oauth_limited(response).await;
    // A wrong secret is still invalid_client, never a 429 that would reveal the budget.
    let response = http
        .post(format!("{}/token", gateway.url))
        .basic_auth("atp-sp", Some("wrong-secret"))
        .form(&generic)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    // Another client has its own bucket.
    let (status, body) = post_basic(
        &gateway,
        &http,
        "demo-sp",
        "/token",
        &[("grant_type", "refresh_token"), ("refresh_token", "x")],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );

    // bc-authorize, per client: 2 pass, the 3rd is 429.
    let ask = [
        ("scope", "openid mc_identity_signup"),
        ("login_hint", "MSISDN:447700900001"),
    ];
    for _ in 0..2 {
        let (status, body) = post_basic(&gateway, &http, "demo-sp", "/bc-authorize", &ask).await;
        assert_eq!(status, 200, "{body}");
    }
    let response = http
        .post(format!("{}/bc-authorize", gateway.url))
        .basic_auth("demo-sp", Some("demo-sp-secret"))
        .form(&ask)
        .send()
        .await
        .unwrap();
    assert_oauth_limited(response).await;

    // ACME new-order, per account: 2 pass, the 3rd is rateLimited; another account orders.
    let mut first = Acme::new(&gateway).await;
    first.register().await;
    for _ in 0..2 {
        let order = first.order(MARIE).await;
        assert_eq!(order.status, 201, "{}", order.text);
    }
    let order = first.order(MARIE).await;
    assert_acme_limited(&order);
    let mut second = Acme::new(&gateway).await;
    second.register().await;
    let order = second.order(MARIE).await;
    assert_eq!(order.status, 201, "{}", order.text);

    // ACME challenge POSTs, per account: 2 pass, the 3rd is rateLimited.
    let (challenge_url, _) = second.challenge_of(&order).await;
    for _ in 0..2 {
        let answer = second.post(&challenge_url, None).await;
        assert_eq!(answer.status, 200, "{}", answer.text);
    }
    assert_acme_limited(&second.post(&challenge_url, None).await);

    // ACME new-account, per IP: the two accounts above used this address's budget.
    let mut third = Acme::new(&gateway).await;
    let url = third.url("newAccount");
    let answer = third
        .post(&url, Some(&json!({"termsOfServiceAgreed": true})))
        .await;
    assert_acme_limited(&answer);
}

async fn assert_oauth_limited(response: reqwest::Response) {
    assert_eq!(response.status(), 429);
    let retry_after: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    // "3/h" gives one request back every 20 minutes.
    assert!((1..=3600).contains(&retry_after), "{retry_after}");
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "temporarily_unavailable", "{body}");
    assert!(body["error_description"].is_string(), "{body}");
}

fn assert_acme_limited(answer: &common::acme_client::Answer) {
    assert_eq!(answer.status, 429, "{}", answer.text);
    assert_eq!(answer.content_type, "application/problem+json");
    assert_eq!(
        answer.body["type"], "urn:ietf:params:acme:error:rateLimited",
        "{}",
        answer.text
    );
    let retry_after: u64 = answer.retry_after.as_deref().unwrap().parse().unwrap();
    assert!((1..=3600).contains(&retry_after), "{retry_after}");
}

/// Failed client authentications are budgeted per peer address (RFC 6819 §4.3.5):
/// right credentials never spend the budget; 20 wrong ones sent at once, across the four
/// endpoints that authenticate clients, get exactly the budget's 5 `invalid_client` answers
/// and 15 429s (every attempt reserves its slot before its credentials are checked); then
/// even the right secret is refused from that address, while another address is served.
#[tokio::test]
async fn failed_client_authentications_are_budgeted_per_address_under_concurrency() {
    let dir = tempfile::tempdir().unwrap();
    let gateway = start_with(
        &dir.path().join("gw"),
        None,
        None,
        &["--rate-limit-client-auth-failures", "5/min"],
    );
    let http = client(&gateway, false);
    let generic = [("grant_type", "client_credentials"), ("scope", "mc_atp")];
    for _ in 0..10 {
        let (status, body) = post_basic(&gateway, &http, "atp-sp", "/token", &generic).await;
        assert_eq!(status, 200, "{body}");
    }

    let paths = ["/token", "/introspect", "/revoke", "/bc-authorize"];
    let mut attempts = tokio::task::JoinSet::new();
    for i in 0..20 {
        let request = http
            .post(format!("{}{}", gateway.url, paths[i % paths.len()]))
            .basic_auth("atp-sp", Some(format!("wrong-secret-{i}")))
            .form(&[("token", "x"), ("grant_type", "client_credentials")]);
        attempts.spawn(async move {
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            if status == 429 {
                assert_oauth_limited(response).await;
            }
            status
        });
    }
    let mut statuses = attempts.join_all().await;
    statuses.sort_unstable();
    assert_eq!(statuses, [[401; 5].as_slice(), &[429; 15]].concat());

    let response = http
        .post(format!("{}/token", gateway.url))
        .basic_auth("atp-sp", Some(common::sp_secret("atp-sp")))
        .form(&generic)
        .send()
        .await
        .unwrap();
    assert_oauth_limited(response).await;

    // The whole of 127.0.0.0/8 is loopback: another address has its own budget.
    let ca = std::fs::read(gateway.data_dir.join("ca.pem")).unwrap();
    let elsewhere = reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(&ca).unwrap()])
        .local_address(std::net::IpAddr::from([127, 0, 0, 2]))
        .build()
        .unwrap();
    let (status, body) = post_basic(&gateway, &elsewhere, "atp-sp", "/token", &generic).await;
    assert_eq!(status, 200, "{body}");
}
