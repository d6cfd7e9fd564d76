//! Helpers shared by the gateway's integration tests: the real binary, its CA, PostgreSQL.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod acme_client;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

pub const BIN: &str = env!("CARGO_BIN_EXE_assent-gateway");

/// A running gateway, killed on drop.
pub struct Gateway {
    child: Child,
    pub url: String,
    pub data_dir: PathBuf,
}

impl Gateway {
    /// Waits for the process to end by itself (a crash test's abort).
    pub fn wait(&mut self) -> std::process::ExitStatus {
        self.child.wait().unwrap()
    }

    /// Whether the process is still running (has not exited or crashed).
    pub fn is_running(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn storage_args(data_dir: &Path, database_url: Option<&str>) -> Vec<String> {
    let mut args = vec!["--data-dir".to_owned(), data_dir.display().to_string()];
    if let Some(url) = database_url {
        args.extend(["--database-url".to_owned(), url.to_owned()]);
    }
    args
}

pub fn start(data_dir: &Path, database_url: Option<&str>) -> Gateway {
    start_logging(data_dir, database_url, None)
}

/// Starts the gateway; with `log`, its stderr (the logs) goes to that file at `debug` level.
pub fn start_logging(data_dir: &Path, database_url: Option<&str>, log: Option<&Path>) -> Gateway {
    start_with(data_dir, database_url, log, &[])
}

/// Starts the gateway with extra `serve` arguments.
pub fn start_with(
    data_dir: &Path,
    database_url: Option<&str>,
    log: Option<&Path>,
    extra: &[&str],
) -> Gateway {
    start_at_level(data_dir, database_url, log, "debug", extra)
}

/// Starts the gateway; with `log`, its stderr goes to that file with `RUST_LOG=level`.
pub fn start_at_level(
    data_dir: &Path,
    database_url: Option<&str>,
    log: Option<&Path>,
    level: &str,
    extra: &[&str],
) -> Gateway {
    start_env(data_dir, database_url, log, level, extra, &[])
}

/// Starts the gateway with extra environment variables too.
pub fn start_env(
    data_dir: &Path,
    database_url: Option<&str>,
    log: Option<&Path>,
    level: &str,
    extra: &[&str],
    env: &[(&str, &str)],
) -> Gateway {
    let mut command = Command::new(BIN);
    command
        .arg("serve")
        .args(storage_args(data_dir, database_url))
        .args(["--listen", "127.0.0.1:0", "--demo"])
        .args(extra)
        .envs(env.iter().copied())
        .stdout(Stdio::piped());
    match log {
        Some(path) => {
            command
                .env("RUST_LOG", level)
                .stderr(std::fs::File::create(path).unwrap());
        }
        None => {
            command.stderr(Stdio::inherit());
        }
    }
    launch(command, data_dir)
}

/// Starts `serve` without `--demo` (no demo data, no simulator unless `extra` asks).
pub fn start_plain(data_dir: &Path, database_url: Option<&str>, extra: &[&str]) -> Gateway {
    let mut command = Command::new(BIN);
    command
        .arg("serve")
        .args(storage_args(data_dir, database_url))
        .args(["--listen", "127.0.0.1:0"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    launch(command, data_dir)
}

/// Spawns a `serve` command and waits for its ready line.
pub fn launch(mut command: Command, data_dir: &Path) -> Gateway {
    let mut child = command.spawn().unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("assent-gateway listening on ")
        .unwrap_or_else(|| panic!("unexpected first line: {line:?}"))
        .to_owned();
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    Gateway {
        child,
        url,
        data_dir: data_dir.to_owned(),
    }
}

/// Registers the operator's resource-server client `client_id` (secret [`sp_secret`])
/// and starts `assent-gateway resource-server` on `data_dir`, validating tokens at the
/// gateway's introspection endpoint, with `extra` arguments: the child and its https address.
pub fn start_resource_server(
    gateway: &Gateway,
    client_id: &str,
    data_dir: &Path,
    extra: &[&str],
) -> (std::process::Child, String) {
    register(
        gateway,
        None,
        &serde_json::json!({
            "client_id": client_id, "client_secret": sp_secret(client_id),
            "client_name": "RS", "grant_types": [], "scope": "", "resource_server": true,
            "token_policy": "generic", "token_ttl_seconds": 60,
        }),
    );
    let mut child = std::process::Command::new(BIN)
        .args([
            "resource-server",
            "--listen",
            "127.0.0.1:0",
            "--client-id",
            client_id,
        ])
        .args(extra)
        .arg("--data-dir")
        .arg(data_dir)
        .arg("--introspection-url")
        .arg(format!("{}/introspect", gateway.url))
        .env("ASSENT_RS_CLIENT_SECRET", sp_secret(client_id))
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
    (child, rs)
}

/// The secret of an SP in the tests: the demo SPs' public `<id>-secret` (seeded by
/// `--demo`), and for an SP a test registers, a secret as long as registration asks (32
/// characters at least).
pub fn sp_secret(id: &str) -> String {
    if ["demo-sp", "once-sp", "atp-sp", "blocked-sp", "par-sp"].contains(&id) {
        format!("{id}-secret")
    } else {
        format!("{id}-secret-registered-by-a-test-0123456789")
    }
}

/// Runs `assent-gateway admin …`: (success, stdout on success or stderr on failure).
pub fn admin(data_dir: &Path, database_url: Option<&str>, args: &[&str]) -> (bool, String) {
    let output = Command::new(BIN)
        .arg("admin")
        .args(args)
        .args(storage_args(data_dir, database_url))
        .output()
        .unwrap();
    let stream = if output.status.success() {
        &output.stdout
    } else {
        &output.stderr
    };
    (
        output.status.success(),
        String::from_utf8_lossy(stream).into_owned(),
    )
}

/// An HTTPS client that trusts the gateway's CA and nothing else.
pub fn client(gateway: &Gateway, max_tls12: bool) -> reqwest::Client {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let ca = std::fs::read(gateway.data_dir.join("ca.pem")).unwrap();
    let mut builder =
        reqwest::Client::builder().tls_certs_only([reqwest::Certificate::from_pem(&ca).unwrap()]);
    if max_tls12 {
        builder = builder.tls_version_max(reqwest::tls::Version::TLS_1_2);
    }
    builder.build().unwrap()
}

/// A fresh, empty PostgreSQL database for one test.
pub async fn fresh_postgres() -> String {
    use sqlx::Connection;
    let admin_url = std::env::var("ASSENT_TEST_POSTGRES_URL")
        .expect("ASSENT_TEST_POSTGRES_URL is not set: run scripts/test, which starts a PostgreSQL");
    let name = format!("assent_test_{}", rand_suffix());
    let mut conn = sqlx::PgConnection::connect(&admin_url).await.unwrap();
    // The name is ours: letters, digits and underscores only.
    let create = sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"));
    sqlx::query(create).execute(&mut conn).await.unwrap();
    let (base, _) = admin_url.rsplit_once('/').unwrap();
    format!("{base}/{name}")
}

/// An outage of the database at `url` (made by [`fresh_postgres`]): closed to new connections
/// and its sessions ended (`allow = false`), or open again (`allow = true`).
pub async fn set_connections(url: &str, allow: bool) {
    use sqlx::Connection;
    let name = url.rsplit('/').next().unwrap().to_owned();
    let admin_url = std::env::var("ASSENT_TEST_POSTGRES_URL").unwrap();
    let mut admin = sqlx::PgConnection::connect(&admin_url).await.unwrap();
    let alter = format!("ALTER DATABASE {name} ALLOW_CONNECTIONS {allow}");
    sqlx::query(sqlx::AssertSqlSafe(alter))
        .execute(&mut admin)
        .await
        .unwrap();
    if !allow {
        sqlx::query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1")
            .bind(&name)
            .execute(&mut admin)
            .await
            .unwrap();
    }
}

pub fn rand_suffix() -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{}_{}", std::process::id(), nanos % 1_000_000_000)
}

/// What an SP's notification endpoint received: the bearer token and the JSON body.
#[derive(Debug, Clone)]
pub struct Notification {
    pub bearer: Option<String>,
    pub body: serde_json::Value,
}

/// An SP's CIBA notification endpoint: a real HTTPS server on loopback whose certificate is
/// signed by the gateway's CA. The first `failures` requests get a 500.
pub struct Receiver {
    pub url: String,
    pub received: tokio::sync::mpsc::UnboundedReceiver<Notification>,
    handle: axum_server::Handle<std::net::SocketAddr>,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.handle.shutdown();
    }
}

impl Receiver {
    /// The next notification, or a panic after `seconds`.
    pub async fn next(&mut self, seconds: u64) -> Notification {
        tokio::time::timeout(
            std::time::Duration::from_secs(seconds),
            self.received.recv(),
        )
        .await
        .expect("no notification arrived in time")
        .expect("receiver closed")
    }
}

/// A server TLS configuration for 127.0.0.1 with a certificate signed by the gateway's CA
/// (which the gateway trusts for SPs' endpoints).
pub fn loopback_tls(gateway: &Gateway) -> rustls::ServerConfig {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let ca_pem = std::fs::read_to_string(gateway.data_dir.join("ca.pem")).unwrap();
    let ca_key = std::fs::read_to_string(gateway.data_dir.join("ca-key.pem")).unwrap();
    let ca_key = rcgen::KeyPair::from_pem(&ca_key).unwrap();
    let issuer = rcgen::Issuer::from_ca_cert_pem(&ca_pem, &ca_key).unwrap();
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    params
        .subject_alt_names
        .push(rcgen::SanType::IpAddress([127, 0, 0, 1].into()));
    let cert = params.signed_by(&key, &issuer).unwrap();
    rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(
            vec![cert.der().clone()],
            rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
        )
        .unwrap()
}

/// Serves `app` over TLS with `config` on a free loopback port, until the handle shuts it.
pub fn serve_loopback(
    app: axum::Router,
    config: rustls::ServerConfig,
) -> (
    std::net::SocketAddr,
    axum_server::Handle<std::net::SocketAddr>,
) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let address = listener.local_addr().unwrap();
    let handle = axum_server::Handle::new();
    let server = axum_server::from_tcp_rustls(
        listener,
        axum_server::tls_rustls::RustlsConfig::from_config(std::sync::Arc::new(config)),
    )
    .unwrap()
    .handle(handle.clone());
    tokio::spawn(async move {
        let _ = server.serve(app.into_make_service()).await;
    });
    (address, handle)
}

pub async fn notification_receiver(gateway: &Gateway, failures: usize) -> Receiver {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let config = loopback_tls(gateway);
    let (sender, received) = tokio::sync::mpsc::unbounded_channel();
    let seen = Arc::new(AtomicUsize::new(0));
    let app = axum::Router::new().route(
        "/cb",
        axum::routing::post(
            move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
                let sender = sender.clone();
                let seen = seen.clone();
                async move {
                    let bearer = headers
                        .get("authorization")
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.strip_prefix("Bearer "))
                        .map(str::to_owned);
                    let body = serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null);
                    let _ = sender.send(Notification { bearer, body });
                    if seen.fetch_add(1, Ordering::SeqCst) < failures {
                        axum::http::StatusCode::INTERNAL_SERVER_ERROR
                    } else {
                        axum::http::StatusCode::NO_CONTENT
                    }
                }
            },
        ),
    );
    let (address, handle) = serve_loopback(app, config);
    Receiver {
        url: format!("https://{address}/cb"),
        received,
        handle,
    }
}

/// Registers an SP with `assent-gateway admin clients add`.
pub fn register(gateway: &Gateway, database_url: Option<&str>, registration: &serde_json::Value) {
    let file = gateway
        .data_dir
        .join(format!("client-{}.json", rand_suffix()));
    std::fs::write(&file, registration.to_string()).unwrap();
    let (ok, out) = admin(
        &gateway.data_dir,
        database_url,
        &["clients", "add", file.to_str().unwrap()],
    );
    assert!(ok, "registration refused: {out}");
}

/// An SP's form POST, authenticated with its demo secret (`<id>-secret`, Basic).
pub async fn post_basic(
    gateway: &Gateway,
    http: &reqwest::Client,
    id: &str,
    path: &str,
    form: &[(&str, &str)],
) -> (u16, serde_json::Value) {
    let response = http
        .post(format!("{}{path}", gateway.url))
        .basic_auth(id, Some(sp_secret(id)))
        .form(form)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

/// The handset simulator's inbox of `msisdn`.
pub async fn handset(
    gateway: &Gateway,
    http: &reqwest::Client,
    msisdn: &str,
) -> Vec<serde_json::Value> {
    let url = format!("{}/sim/handsets/{msisdn}/messages", gateway.url);
    http.get(url).send().await.unwrap().json().await.unwrap()
}

/// Answers an open prompt on the simulated handset; returns the HTTP status.
pub async fn reply(
    gateway: &Gateway,
    http: &reqwest::Client,
    msisdn: &str,
    id: &str,
    text: &str,
) -> u16 {
    let url = format!("{}/sim/handsets/{msisdn}/reply", gateway.url);
    let body = serde_json::json!({"message_id": id, "text": text});
    http.post(url)
        .json(&body)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// Answers the newest open prompt of `msisdn`; returns its text.
pub async fn answer_latest(
    gateway: &Gateway,
    http: &reqwest::Client,
    msisdn: &str,
    text: &str,
) -> serde_json::Value {
    let messages = handset(gateway, http, msisdn).await;
    let open = messages
        .iter()
        .rev()
        .find(|m| m["open"] == true)
        .unwrap_or_else(|| panic!("no open prompt on {msisdn}: {messages:?}"))
        .clone();
    assert_eq!(
        reply(gateway, http, msisdn, open["id"].as_str().unwrap(), text).await,
        200
    );
    open
}

/// The gateway's discovery document (OIDC Discovery 1.0, RFC 8414).
pub async fn discovery(gateway: &Gateway, http: &reqwest::Client) -> serde_json::Value {
    http.get(format!("{}/.well-known/openid-configuration", gateway.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Decodes a JWT's payload without checking it (the test checks what it needs).
pub fn jwt_claims(token: &str) -> serde_json::Value {
    use base64::Engine;
    let payload = token.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

/// jwcrypto's verdict on `jws` against `jwks`: the header and claims, or why not.
pub fn verified_by_jwcrypto(
    jwks: &serde_json::Value,
    jws: &str,
) -> Result<serde_json::Value, String> {
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("jwks.json");
    std::fs::write(&keys, jwks.to_string()).unwrap();
    let oracle = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/oracles/jws_jwcrypto.py");
    let mut child = std::process::Command::new("python3")
        .arg(oracle)
        .arg(&keys)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3 with jwcrypto (pip install jwcrypto)");
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(jws.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    if out.status.success() {
        Ok(serde_json::from_slice(&out.stdout).unwrap())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// What an SP's Shared Signals push endpoint (RFC 8935) received.
#[derive(Debug, Clone)]
pub struct SetDelivery {
    pub authorization: Option<String>,
    pub content_type: Option<String>,
    /// The compact SET.
    pub set: String,
}

/// An SP's SET push endpoint: a real HTTPS server on loopback (certificate signed by the
/// gateway's CA) that answers 202 — or 503 while `down` is set, keeping nothing.
pub struct SetReceiver {
    pub url: String,
    pub received: tokio::sync::mpsc::UnboundedReceiver<SetDelivery>,
    pub down: std::sync::Arc<std::sync::atomic::AtomicBool>,
    /// Pushes refused while down.
    pub refused: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    handle: axum_server::Handle<std::net::SocketAddr>,
}

impl Drop for SetReceiver {
    fn drop(&mut self) {
        self.handle.shutdown();
    }
}

impl SetReceiver {
    /// The next SET, or a panic after `seconds`.
    pub async fn next(&mut self, seconds: u64) -> SetDelivery {
        tokio::time::timeout(
            std::time::Duration::from_secs(seconds),
            self.received.recv(),
        )
        .await
        .expect("no SET arrived in time")
        .expect("receiver closed")
    }

    /// Whether another SET arrives within `millis`.
    pub async fn quiet_for(&mut self, millis: u64) -> Option<SetDelivery> {
        tokio::time::timeout(
            std::time::Duration::from_millis(millis),
            self.received.recv(),
        )
        .await
        .ok()
        .flatten()
    }

    pub fn set_down(&self, down: bool) {
        self.down.store(down, std::sync::atomic::Ordering::SeqCst);
    }
}

pub async fn set_receiver(gateway: &Gateway) -> SetReceiver {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    let config = loopback_tls(gateway);
    let (sender, received) = tokio::sync::mpsc::unbounded_channel();
    let down = Arc::new(AtomicBool::new(false));
    let refused = Arc::new(AtomicUsize::new(0));
    let (is_down, refusals) = (down.clone(), refused.clone());
    let app = axum::Router::new().route(
        "/ssf/events",
        axum::routing::post(
            move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
                let sender = sender.clone();
                let (is_down, refusals) = (is_down.clone(), refusals.clone());
                async move {
                    if is_down.load(Ordering::SeqCst) {
                        refusals.fetch_add(1, Ordering::SeqCst);
                        return axum::http::StatusCode::SERVICE_UNAVAILABLE;
                    }
                    let header = |name: &str| {
                        headers
                            .get(name)
                            .and_then(|v| v.to_str().ok())
                            .map(str::to_owned)
                    };
                    let _ = sender.send(SetDelivery {
                        authorization: header("authorization"),
                        content_type: header("content-type"),
                        set: String::from_utf8_lossy(&body).into_owned(),
                    });
                    axum::http::StatusCode::ACCEPTED
                }
            },
        ),
    );
    let (address, handle) = serve_loopback(app, config);
    SetReceiver {
        url: format!("https://{address}/ssf/events"),
        received,
        down,
        refused,
        handle,
    }
}

/// `sp`'s tokens for the consent of `msisdn` (digits) to `scope` by CIBA, with `extra`
/// parameters, answered Yes on the simulated handset.
pub async fn ciba_tokens(
    gateway: &Gateway,
    http: &reqwest::Client,
    sp: &str,
    msisdn: &str,
    scope: &str,
    extra: &[(&str, &str)],
) -> serde_json::Value {
    let hint = format!("MSISDN:+{msisdn}");
    let mut ask = vec![("scope", scope), ("login_hint", hint.as_str())];
    ask.extend_from_slice(extra);
    let (status, grant) = post_basic(gateway, http, sp, "/bc-authorize", &ask).await;
    assert_eq!(status, 200, "{grant}");
    let auth_req_id = grant["auth_req_id"].as_str().unwrap().to_owned();
    answer_latest(gateway, http, msisdn, "1").await;
    for _ in 0..100 {
        let form = [
            ("grant_type", "urn:openid:params:grant-type:ciba"),
            ("auth_req_id", auth_req_id.as_str()),
        ];
        let (status, body) = post_basic(gateway, http, sp, "/token", &form).await;
        if status == 200 {
            return body;
        }
        assert_eq!(body["error"], "authorization_pending", "{body}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("no token after the answer");
}

/// An SP's DPoP key (RFC 9449), its proofs made and its thumbprint computed by
/// `jsonwebtoken` (not by the gateway's code).
pub struct DpopKey {
    encoding: jsonwebtoken::EncodingKey,
    pub jwk: jsonwebtoken::jwk::Jwk,
}

impl DpopKey {
    pub fn generate() -> Self {
        use p256::pkcs8::{EncodePrivateKey, LineEnding};
        let key = p256::ecdsa::SigningKey::random(&mut rand::rngs::OsRng);
        let pem = key.to_pkcs8_pem(LineEnding::LF).unwrap();
        let encoding = jsonwebtoken::EncodingKey::from_ec_pem(pem.as_bytes()).unwrap();
        let jwk =
            jsonwebtoken::jwk::Jwk::from_encoding_key(&encoding, jsonwebtoken::Algorithm::ES256)
                .unwrap();
        DpopKey { encoding, jwk }
    }

    /// RFC 7638 SHA-256 thumbprint of the public key (RFC 9449 §6.1 `jkt`).
    pub fn thumbprint(&self) -> String {
        self.jwk
            .thumbprint(jsonwebtoken::jwk::ThumbprintHash::SHA256)
            .unwrap()
    }

    /// A proof for `htm htu` (RFC 9449 §4.2), naming `access_token` (`ath`) and carrying
    /// the server's `nonce` when given; a fresh `jti`.
    pub fn proof(
        &self,
        htm: &str,
        htu: &str,
        access_token: Option<&str>,
        nonce: Option<&str>,
    ) -> String {
        use base64::Engine;
        use sha2::Digest;
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
        header.typ = Some("dpop+jwt".into());
        header.jwk = Some(self.jwk.clone());
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let mut claims = serde_json::json!({
            "jti": format!("dpop-{}", rand_suffix()), "htm": htm, "htu": htu, "iat": now,
        });
        if let Some(token) = access_token {
            claims["ath"] = serde_json::json!(
                base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .encode(sha2::Sha256::digest(token.as_bytes()))
            );
        }
        if let Some(nonce) = nonce {
            claims["nonce"] = serde_json::json!(nonce);
        }
        jsonwebtoken::encode(&header, &claims, &self.encoding).unwrap()
    }
}

/// `POST /token` as `sp` (its test secret, Basic) with a DPoP proof when given: (status,
/// headers, body).
pub async fn token_with_proof(
    gateway: &Gateway,
    http: &reqwest::Client,
    sp: &str,
    form: &[(&str, &str)],
    proof: Option<&str>,
) -> (u16, reqwest::header::HeaderMap, serde_json::Value) {
    let mut request = http
        .post(format!("{}/token", gateway.url))
        .basic_auth(sp, Some(sp_secret(sp)))
        .form(form);
    if let Some(proof) = proof {
        request = request.header("DPoP", proof);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.json().await.unwrap())
}
