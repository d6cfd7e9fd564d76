//! ACME enrollment machine time (docs/performance.md, "ACME enrollment"), in one run:
//!
//! 1. **assent, sms-link-00** — the core's `AcmeClient` against the release gateway
//!    (`ASSENT_BENCH_GATEWAY`, started here with `--demo` on loopback): directory, new
//!    account (a fresh ES256 key), order for a fresh number, "ready" (the gateway sends the
//!    SMS) — then the clock stops while the "person" reads the SMS (here: the handset
//!    simulator, read and parsed by `sms_code::extract`, not counted) — then the answer with
//!    the code, a fresh device key, the CSR with the TNAuthList, finalize, certificate.
//! 2. **assent client, http-01 on pebble** — the same client through RFC 8555's standard
//!    flow against Debian's `pebble` (`PEBBLE_VA_ALWAYS_VALID=1`, `PEBBLE_VA_NOSLEEP=1`):
//!    what the client costs on a server that is not ours.
//! 3. **lego on pebble** — `lego run` (account, order, http-01, finalize, certificate) as a
//!    process, start to exit, against the same pebble.
//!
//! Rounds interleave the three (`ASSENT_BENCH_ROUNDS`, default 20, after one warm-up round),
//! so they see the same noise. Pebble refuses 5 % of nonces on purpose and validates
//! asynchronously (clients poll), so its figures include those retries and polls.

use assent_acme::jws::SigningKey;
use assent_core::acme_client::{AcmeClient, http_client};
use serde_json::json;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

type BenchResult<T> = Result<T, Box<dyn std::error::Error>>;

const PATIENCE: Duration = Duration::from_secs(30);

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> BenchResult<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// Waits for a line of `child`'s stdout that `ready` accepts; returns it, and keeps draining
/// the rest so the child never blocks on a full pipe.
fn wait_for_line(child: &mut Child, ready: impl Fn(&str) -> bool) -> BenchResult<String> {
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    loop {
        let line = lines
            .next()
            .ok_or("the process exited before it was ready")??;
        if ready(&line) {
            std::thread::spawn(move || for _ in lines {});
            return Ok(line);
        }
    }
}

/// The gateway, rate limits off where the binary has them (the bench enrolls many times a
/// minute from one address; the limits are not what is measured).
fn start_gateway(binary: &Path, data_dir: &Path) -> BenchResult<(Killed, String)> {
    let help = Command::new(binary).args(["serve", "--help"]).output()?;
    let mut command = Command::new(binary);
    command
        .args(["serve", "--demo", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(data_dir);
    if String::from_utf8_lossy(&help.stdout).contains("--rate-limit-acme") {
        command.args(["--rate-limit-acme", "off"]);
    }
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let line = wait_for_line(&mut child, |l| {
        l.starts_with("assent-gateway listening on ")
    })?;
    let url = line["assent-gateway listening on ".len()..]
        .trim()
        .to_owned();
    Ok((Killed(child), url))
}

/// Pebble with a TLS certificate of a throwaway CA; its directory URL and that CA (PEM).
fn start_pebble(dir: &Path) -> BenchResult<(Killed, String, String)> {
    let ca_key = rcgen::KeyPair::generate()?;
    let mut ca = rcgen::CertificateParams::new(Vec::<String>::new())?;
    ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let ca_cert = ca.self_signed(&ca_key)?;
    let issuer = rcgen::Issuer::from_ca_cert_pem(&ca_cert.pem(), &ca_key)?;
    let key = rcgen::KeyPair::generate()?;
    let mut leaf = rcgen::CertificateParams::new(vec!["localhost".to_owned()])?;
    leaf.subject_alt_names
        .push(rcgen::SanType::IpAddress([127, 0, 0, 1].into()));
    let cert = leaf.signed_by(&key, &issuer)?;
    std::fs::write(dir.join("cert.pem"), cert.pem())?;
    std::fs::write(dir.join("key.pem"), key.serialize_pem())?;
    let port = free_port()?;
    let config = json!({"pebble": {
        "listenAddress": format!("127.0.0.1:{port}"),
        "managementListenAddress": format!("127.0.0.1:{}", free_port()?),
        "certificate": dir.join("cert.pem"),
        "privateKey": dir.join("key.pem"),
        "httpPort": free_port()?,
        "tlsPort": free_port()?,
        "ocspResponderURL": "",
        "externalAccountBindingRequired": false,
    }});
    std::fs::write(dir.join("pebble.json"), config.to_string())?;
    let mut child = Command::new("pebble")
        .arg("-config")
        .arg(dir.join("pebble.json"))
        .env("PEBBLE_VA_ALWAYS_VALID", "1")
        .env("PEBBLE_VA_NOSLEEP", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start pebble ({e}): apt-get install pebble"))?;
    wait_for_line(&mut child, |l| l.contains("Listening on"))?;
    Ok((
        Killed(child),
        format!("https://127.0.0.1:{port}/dir"),
        ca_cert.pem(),
    ))
}

/// The SMS the simulator holds for `number` (the newest one).
async fn sms(http: &reqwest::Client, gateway: &str, number: &str) -> BenchResult<String> {
    for _ in 0..100 {
        let messages: Vec<serde_json::Value> = http
            .get(format!("{gateway}/sim/handsets/{number}/messages"))
            .send()
            .await?
            .json()
            .await?;
        if let Some(text) = messages
            .iter()
            .rev()
            .find(|m| m["kind"] == "sms")
            .and_then(|m| m["text"].as_str())
        {
            return Ok(text.to_owned());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Err(format!("no SMS reached {number}").into())
}

/// One sms-link enrollment; returns the machine time (the SMS reading excluded).
async fn assent_sms_link(
    http: &reqwest::Client,
    gateway: &str,
    number: &str,
) -> BenchResult<Duration> {
    let host = reqwest::Url::parse(gateway)?.host_str().map(str::to_owned);
    let started = Instant::now();
    let mut client = AcmeClient::connect(
        http.clone(),
        &format!("{gateway}/acme/directory"),
        SigningKey::generate_es256(),
    )
    .await?;
    client.account(&[]).await?;
    let order = client.order_number(number).await?;
    client.ready(&order).await?;
    let before_person = started.elapsed();

    let text = sms(http, gateway, number).await?;
    let code = assent_core::sms_code::extract(&text, host.as_deref())?;

    let resumed = Instant::now();
    client.complete(&order, &code.code).await?;
    let device_key = SigningKey::generate_es256();
    let pair = rcgen::KeyPair::from_pem(&device_key.to_pkcs8_pem())?;
    let csr = assent_acme::csr::build_csr(number, &pair)?;
    let chain = client
        .finalize(&order.order_url, &order.finalize_url, &csr, PATIENCE)
        .await?;
    let after_person = resumed.elapsed();
    if !chain.contains("BEGIN CERTIFICATE") {
        return Err("no certificate".into());
    }
    Ok(before_person + after_person)
}

/// RFC 8555's standard flow for a DNS name with http-01 against pebble.
async fn assent_on_pebble(
    http: &reqwest::Client,
    directory: &str,
    name: &str,
) -> BenchResult<Duration> {
    let started = Instant::now();
    let mut client =
        AcmeClient::connect(http.clone(), directory, SigningKey::generate_es256()).await?;
    client
        .account(&["mailto:qa@example.org".to_owned()])
        .await?;
    let (order_url, order) = client
        .new_order(json!([{"type": "dns", "value": name}]))
        .await?;
    let authz_url = order["authorizations"][0]
        .as_str()
        .ok_or("an order without authorization")?
        .to_owned();
    let authz = client.fetch(&authz_url).await?.body;
    let challenge = authz["challenges"]
        .as_array()
        .and_then(|list| list.iter().find(|c| c["type"] == "http-01"))
        .and_then(|c| c["url"].as_str())
        .ok_or("no http-01 challenge")?
        .to_owned();
    client.post(&challenge, Some(&json!({}))).await?;
    client.poll(&authz_url, &["valid"], PATIENCE).await?;
    let key = rcgen::KeyPair::generate()?;
    let csr = rcgen::CertificateParams::new(vec![name.to_owned()])?.serialize_request(&key)?;
    let finalize = order["finalize"].as_str().ok_or("no finalize")?.to_owned();
    let chain = client
        .finalize(&order_url, &finalize, csr.der(), PATIENCE)
        .await?;
    if !chain.contains("BEGIN CERTIFICATE") {
        return Err("no certificate".into());
    }
    Ok(started.elapsed())
}

/// `lego run` for `name` against pebble, as a process: start to successful exit.
fn lego_on_pebble(
    directory: &str,
    ca_file: &Path,
    dir: &Path,
    name: &str,
) -> BenchResult<Duration> {
    let path = dir.join(format!("lego-{name}"));
    let started = Instant::now();
    let output = Command::new("lego")
        .args([
            "--server",
            directory,
            "--accept-tos",
            "--email",
            "qa@example.org",
        ])
        .args(["--domains", name, "--http", "--http.port"])
        .arg(format!("127.0.0.1:{}", free_port()?))
        .arg("--path")
        .arg(&path)
        .arg("run")
        .env("LEGO_CA_CERTIFICATES", ca_file)
        .output()
        .map_err(|e| format!("cannot run lego ({e}): apt-get install lego"))?;
    let elapsed = started.elapsed();
    if !output.status.success() {
        return Err(format!("lego failed: {}", String::from_utf8_lossy(&output.stderr)).into());
    }
    if !path
        .join("certificates")
        .join(format!("{name}.crt"))
        .is_file()
    {
        return Err(format!("lego left no certificate for {name}").into());
    }
    Ok(elapsed)
}

fn summary(name: &str, times: &mut [Duration]) -> f64 {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let median = ms(times[times.len() / 2]);
    println!(
        "  {name:<34} min {:>8.1} ms  median {median:>8.1} ms  max {:>8.1} ms",
        ms(times[0]),
        ms(times[times.len() - 1])
    );
    median
}

async fn run() -> BenchResult<()> {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let binary =
        PathBuf::from(std::env::var_os("ASSENT_BENCH_GATEWAY").ok_or(
            "ASSENT_BENCH_GATEWAY must name the assent-gateway binary (scripts/bench-acme)",
        )?);
    let rounds: usize = std::env::var("ASSENT_BENCH_ROUNDS")
        .ok()
        .map(|r| r.parse())
        .transpose()?
        .unwrap_or(20);
    let dir = tempfile::tempdir()?;
    let (_gateway, gateway) = start_gateway(&binary, &dir.path().join("gw"))?;
    let gateway_http = http_client(Some(&std::fs::read(dir.path().join("gw").join("ca.pem"))?))?;
    let (_pebble, directory, pebble_ca) = start_pebble(dir.path())?;
    let ca_file = dir.path().join("pebble-ca.pem");
    std::fs::write(&ca_file, &pebble_ca)?;
    let pebble_http = http_client(Some(pebble_ca.as_bytes()))?;

    let (mut ours, mut client_on_pebble, mut lego) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..=rounds {
        // A fresh number each time: the gateway allows 5 SMS per number per hour.
        let number = format!("4477009{:05}", 50_000 + round);
        let a = assent_sms_link(&gateway_http, &gateway, &number).await?;
        let b =
            assent_on_pebble(&pebble_http, &directory, &format!("a{round}.bench.example")).await?;
        let c = lego_on_pebble(
            &directory,
            &ca_file,
            dir.path(),
            &format!("l{round}.bench.example"),
        )?;
        if round > 0 {
            ours.push(a);
            client_on_pebble.push(b);
            lego.push(c);
        }
    }
    println!("ACME enrollment, {rounds} rounds each, interleaved (after one warm-up round):");
    let median = summary("assent sms-link-00 (machine time)", &mut ours);
    summary("assent client, http-01 on pebble", &mut client_on_pebble);
    let lego_median = summary("lego run, http-01 on pebble", &mut lego);
    println!(
        "  target <= 50 ms machine time: {} (median {median:.1} ms); lego on pebble / assent = {:.1}x",
        if median <= 50.0 { "met" } else { "MISSED" },
        lego_median / median
    );
    Ok(())
}

fn main() -> std::process::ExitCode {
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("acme_enrollment: cannot start the runtime: {error}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("acme_enrollment: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}
