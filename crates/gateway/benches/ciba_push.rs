//! CIBA approve → token latency in push mode (docs/performance.md, "CIBA approve to token"):
//! the release gateway (`ASSENT_BENCH_GATEWAY`, started here with `--demo` on loopback), an
//! SP registered for push with its notification endpoint served here over TLS 1.3 (a
//! certificate from the gateway's CA), and per round: `POST /bc-authorize` for Marie, the
//! prompt read from her simulated handset, then the clock starts as her answer "1" is posted
//! to the simulator and stops when the SP's endpoint has received the pushed access token.
//! Everything the gateway does in between is measured: recording the answer and the
//! consent (SQLite, synchronous=FULL), waking the delivery worker, claiming the delivery,
//! issuing and signing the tokens, the TLS POST to the SP and its acknowledgement.
//!
//! Environment: `ASSENT_BENCH_GATEWAY` (the binary), `ASSENT_BENCH_ROUNDS` (default 200),
//! `ASSENT_BENCH_DATABASE_URL` (PostgreSQL instead of SQLite).

use axum::body::Bytes;
use axum::http::HeaderMap;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

type BenchResult<T> = Result<T, Box<dyn std::error::Error>>;

const MARIE: &str = "447700900001";

struct Gateway {
    child: Child,
    url: String,
    data_dir: PathBuf,
}

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn database_args(url: Option<&str>) -> Vec<String> {
    url.map(|u| vec!["--database-url".to_owned(), u.to_owned()])
        .unwrap_or_default()
}

/// The gateway with the demo data; the CIBA rate limit off where the binary has one (the
/// bench asks many times a minute as one SP; the limiter is not what is measured).
fn start(binary: &Path, data_dir: &Path, database_url: Option<&str>) -> BenchResult<Gateway> {
    let help = Command::new(binary).args(["serve", "--help"]).output()?;
    let mut command = Command::new(binary);
    command
        .args(["serve", "--demo", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(data_dir)
        .args(database_args(database_url));
    if String::from_utf8_lossy(&help.stdout).contains("--rate-limit-ciba") {
        command.args(["--rate-limit-ciba", "off"]);
    }
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()?;
    let mut line = String::new();
    let stdout = child.stdout.take().ok_or("gateway without stdout")?;
    BufReader::new(stdout).read_line(&mut line)?;
    let url = line
        .trim()
        .strip_prefix("assent-gateway listening on ")
        .ok_or_else(|| format!("unexpected first line from the gateway: {line:?}"))?
        .to_owned();
    Ok(Gateway {
        child,
        url,
        data_dir: data_dir.to_owned(),
    })
}

/// The SP's notification endpoint: what it receives goes to the channel, stamped on arrival.
async fn receiver(
    gateway: &Gateway,
) -> BenchResult<(String, mpsc::UnboundedReceiver<(Instant, Value)>)> {
    let ca_pem = std::fs::read_to_string(gateway.data_dir.join("ca.pem"))?;
    let ca_key = rcgen::KeyPair::from_pem(&std::fs::read_to_string(
        gateway.data_dir.join("ca-key.pem"),
    )?)?;
    let issuer = rcgen::Issuer::from_ca_cert_pem(&ca_pem, &ca_key)?;
    let key = rcgen::KeyPair::generate()?;
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new())?;
    params
        .subject_alt_names
        .push(rcgen::SanType::IpAddress([127, 0, 0, 1].into()));
    let cert = params.signed_by(&key, &issuer)?;
    let config = rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(
            vec![cert.der().clone()],
            rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
        )?;
    let (sender, received) = mpsc::unbounded_channel();
    let app = axum::Router::new().route(
        "/cb",
        axum::routing::post(move |_headers: HeaderMap, body: Bytes| {
            let arrived = Instant::now();
            let sender = sender.clone();
            async move {
                let body = serde_json::from_slice(&body).unwrap_or(Value::Null);
                let _ = sender.send((arrived, body));
                axum::http::StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    listener.set_nonblocking(true)?;
    let address = listener.local_addr()?;
    let server = axum_server::from_tcp_rustls(
        listener,
        axum_server::tls_rustls::RustlsConfig::from_config(Arc::new(config)),
    )?;
    tokio::spawn(async move {
        let _ = server.serve(app.into_make_service()).await;
    });
    Ok((format!("https://{address}/cb"), received))
}

fn register(
    binary: &Path,
    gateway: &Gateway,
    database_url: Option<&str>,
    endpoint: &str,
) -> BenchResult<()> {
    let file = gateway.data_dir.join("push-sp.json");
    let registration = json!({
        "client_id": "push-sp",
        "client_secret": "push-sp-secret-0123456789abcdef0123",
        "client_name": "Push Shop",
        "grant_types": ["urn:openid:params:grant-type:ciba"],
        "scope": "openid mc_vm_share",
        "backchannel_token_delivery_mode": "push",
        "backchannel_client_notification_endpoint": endpoint,
        "token_policy": "long_lived",
        "token_ttl_seconds": 3600,
    });
    std::fs::write(&file, registration.to_string())?;
    let output = Command::new(binary)
        .args(["admin", "clients", "add"])
        .arg(&file)
        .arg("--data-dir")
        .arg(&gateway.data_dir)
        .args(database_args(database_url))
        .output()?;
    if !output.status.success() {
        return Err(format!(
            "registration refused: {}",
            String::from_utf8_lossy(&output.stderr)
        )
        .into());
    }
    Ok(())
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let index = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[index].as_secs_f64() * 1000.0
}

async fn run() -> BenchResult<()> {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let binary =
        PathBuf::from(std::env::var_os("ASSENT_BENCH_GATEWAY").ok_or(
            "ASSENT_BENCH_GATEWAY must name the assent-gateway binary (scripts/bench-ciba)",
        )?);
    let rounds: usize = std::env::var("ASSENT_BENCH_ROUNDS")
        .ok()
        .map(|r| r.parse())
        .transpose()?
        .unwrap_or(200);
    let database_url = std::env::var("ASSENT_BENCH_DATABASE_URL").ok();
    let dir = tempfile::tempdir()?;
    let gateway = start(&binary, &dir.path().join("gw"), database_url.as_deref())?;
    let (endpoint, mut pushed) = receiver(&gateway).await?;
    register(&binary, &gateway, database_url.as_deref(), &endpoint)?;

    let ca = std::fs::read(gateway.data_dir.join("ca.pem"))?;
    let http = reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(&ca)?])
        .build()?;
    let mut times = Vec::with_capacity(rounds);
    let warm_up = rounds / 10;
    for round in 0..rounds + warm_up {
        let notification_token = format!("ntok-bench-{round}");
        let grant: Value = http
            .post(format!("{}/bc-authorize", gateway.url))
            .basic_auth("push-sp", Some("push-sp-secret-0123456789abcdef0123"))
            .form(&[
                ("scope", "openid mc_vm_share"),
                ("login_hint", &format!("MSISDN:{MARIE}")),
                ("client_notification_token", &notification_token),
            ])
            .send()
            .await?
            .json()
            .await?;
        let auth_req_id = grant["auth_req_id"]
            .as_str()
            .ok_or_else(|| format!("bc-authorize refused: {grant}"))?
            .to_owned();
        let messages: Vec<Value> = http
            .get(format!("{}/sim/handsets/{MARIE}/messages", gateway.url))
            .send()
            .await?
            .json()
            .await?;
        let open = messages
            .iter()
            .rev()
            .find(|m| m["open"] == true)
            .and_then(|m| m["id"].as_str())
            .ok_or("no open prompt on Marie's handset")?
            .to_owned();

        let started = Instant::now();
        let status = http
            .post(format!("{}/sim/handsets/{MARIE}/reply", gateway.url))
            .json(&json!({"message_id": open, "text": "1"}))
            .send()
            .await?
            .status();
        if !status.is_success() {
            return Err(format!("the simulator refused the answer: {status}").into());
        }
        let (arrived, body) = tokio::time::timeout(Duration::from_secs(30), pushed.recv())
            .await
            .map_err(|_| "no push within 30 s")?
            .ok_or("the receiver stopped")?;
        // Only a token for this very request counts (a push of an older one would be a bug).
        if body["auth_req_id"] != auth_req_id.as_str() || !body["access_token"].is_string() {
            return Err(format!("unexpected push: {body}").into());
        }
        if round >= warm_up {
            times.push(arrived - started);
        }
    }
    times.sort();
    let p50 = percentile(&times, 0.5);
    let p99 = percentile(&times, 0.99);
    println!(
        "CIBA push, {} rounds on {} (after {warm_up} warm-up rounds), approve -> token at the SP:",
        times.len(),
        if database_url.is_some() {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    );
    println!(
        "  min {:.2} ms  p50 {p50:.2} ms  p90 {:.2} ms  p99 {p99:.2} ms  max {:.2} ms",
        percentile(&times, 0.0),
        percentile(&times, 0.9),
        percentile(&times, 1.0)
    );
    println!(
        "  target <= 20 ms (judged on p50): {}; p99 {}",
        if p50 <= 20.0 { "met" } else { "MISSED" },
        if p99 <= 20.0 {
            "also within"
        } else {
            "beyond it"
        }
    );
    Ok(())
}

fn main() -> std::process::ExitCode {
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("ciba_push: cannot start the runtime: {error}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("ciba_push: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}
