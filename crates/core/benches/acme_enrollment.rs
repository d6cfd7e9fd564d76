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
//!
//! **Which numbers.** The handset simulator only has handsets for the gateway's subscribers
//! (`GET /sim/handsets/{msisdn}/messages` answers 404 `no such handset` for any other number,
//! and the spec allows no direct add of a user), so the enrollments use the three demo
//! subscribers. The gateway sends at most 5 codes per number per hour, so one gateway serves
//! 15 enrollments; the bench then starts a fresh gateway (fresh data directory) and spends
//! its first enrollment as a warm-up, not counted. Every measured enrollment opens its own
//! TLS connection (a fresh HTTP client, built before the clock starts), as a device does;
//! the simulator is read with another client, as the person's handset is another device.

use assent_acme::jws::SigningKey;
use assent_core::acme_client::{AcmeClient, http_client};
use assent_proto::acme::{Authorization, ChallengeReady, Identifier, Status};
use assent_proto::sim::{SimMessage, SimMessageKind};
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
/// minute from one address; the limits are not what is measured). Its log goes to
/// `DATA_DIR.log`, shown when an enrollment fails.
fn start_gateway(binary: &Path, data_dir: &Path) -> BenchResult<(Killed, String)> {
    let help = Command::new(binary).args(["serve", "--help"]).output()?;
    let mut command = Command::new(binary);
    command
        .args(["serve", "--demo", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(data_dir);
    if String::from_utf8_lossy(&help.stdout).contains("--rate-limit-acme") {
        command.args(["--rate-limit-acme", "off"]);
    }
    let log = std::fs::File::create(data_dir.with_extension("log"))?;
    let mut child = command.stdout(Stdio::piped()).stderr(log).spawn()?;
    let line = wait_for_line(&mut child, |l| {
        l.starts_with("assent-gateway listening on ")
    })?;
    let url = line["assent-gateway listening on ".len()..]
        .trim()
        .to_owned();
    Ok((Killed(child), url))
}

/// The demo subscribers: the only numbers the handset simulator has handsets for.
const DEMO_NUMBERS: [&str; 3] = ["447700900001", "447700900002", "447700900003"];
/// The gateway's limit of codes per number per hour (`MAX_SMS_PER_HOUR`).
const CODES_PER_NUMBER: usize = 5;

/// One running gateway and the enrollments it can still serve.
struct Gateway {
    _process: Killed,
    url: String,
    ca: Vec<u8>,
    log: PathBuf,
    /// The handset simulator's client (the person's phone, not the enrolling device).
    handset: reqwest::Client,
    numbers: Vec<&'static str>,
}

/// Gateways started one after the other as each runs out of codes for the demo numbers.
struct Gateways {
    binary: PathBuf,
    dir: PathBuf,
    started: usize,
    current: Option<Gateway>,
}

impl Gateways {
    /// The gateway to enroll on next and the number to enroll; a fresh gateway first does
    /// one enrollment that is not counted (its caches and statements warm up).
    async fn next(&mut self) -> BenchResult<(&Gateway, &'static str)> {
        if self.current.as_ref().is_none_or(|g| g.numbers.is_empty()) {
            self.current = None;
            self.started += 1;
            let data_dir = self.dir.join(format!("gw{}", self.started));
            let (process, url) = start_gateway(&self.binary, &data_dir)?;
            let ca = std::fs::read(data_dir.join("ca.pem"))?;
            let mut numbers: Vec<&'static str> =
                (0..CODES_PER_NUMBER).flat_map(|_| DEMO_NUMBERS).collect();
            numbers.reverse();
            let gateway = Gateway {
                _process: process,
                url,
                handset: http_client(Some(&ca))?,
                ca,
                log: data_dir.with_extension("log"),
                numbers,
            };
            let gateway = self.current.insert(gateway);
            let number = gateway.numbers.pop().ok_or("no number left")?;
            assent_sms_link(gateway, number).await?;
        }
        let gateway = self.current.as_mut().ok_or("no gateway")?;
        let number = gateway.numbers.pop().ok_or("no number left")?;
        Ok((gateway, number))
    }
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
    // Pebble logs "Listening on" before its listener is bound (see tests/pebble.rs).
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > deadline {
            return Err(format!("pebble never listened on {port}").into());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok((
        Killed(child),
        format!("https://127.0.0.1:{port}/dir"),
        ca_cert.pem(),
    ))
}

/// GET `url` as JSON; any other status or a body that is not JSON is an error that shows
/// the answer as it came.
/// Times consecutive steps: each `step` is the time since the previous one (or the start).
struct Lap(Instant);

impl Lap {
    fn start() -> Lap {
        Lap(Instant::now())
    }

    fn step(&mut self) -> Duration {
        let now = Instant::now();
        let elapsed = now - self.0;
        self.0 = now;
        elapsed
    }
}

async fn get_json<T: serde::de::DeserializeOwned>(
    http: &reqwest::Client,
    url: &str,
) -> BenchResult<T> {
    let response = http.get(url).send().await?;
    let status = response.status();
    let text = response.text().await?;
    if !status.is_success() {
        return Err(format!("GET {url}: HTTP {status}: {text}").into());
    }
    serde_json::from_str(&text)
        .map_err(|e| format!("GET {url}: HTTP {status}, not JSON ({e}): {text}").into())
}

/// The messages the simulated handset of `number` holds, oldest first.
async fn inbox(gateway: &Gateway, number: &str) -> BenchResult<Vec<SimMessage>> {
    let url = format!("{}/sim/handsets/{number}/messages", gateway.url);
    get_json(&gateway.handset, &url).await
}

/// The text of the SMS that reached `number` and is not among `seen` (message ids).
async fn new_sms(gateway: &Gateway, number: &str, seen: &[String]) -> BenchResult<String> {
    let mut messages = Vec::new();
    for _ in 0..100 {
        messages = inbox(gateway, number).await?;
        if let Some(message) = messages
            .iter()
            .rev()
            .find(|m| m.kind == SimMessageKind::Sms && !seen.contains(&m.id))
        {
            return Ok(message.text.clone());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Err(format!("no new SMS reached {number}; the handset holds {messages:?}").into())
}

/// The steps of an sms-link enrollment's machine time (the SMS reading excluded).
const STEPS: [&str; 6] = [
    "directory (TLS handshake, GET)",
    "account (HEAD nonce, new-account)",
    "order (new-order, authz)",
    "ready (the gateway sends the SMS)",
    "answer (the code)",
    "finalize, order, certificate",
];

/// How long each of [`STEPS`] took in one enrollment.
#[derive(Debug, Clone, Copy)]
struct Steps([Duration; STEPS.len()]);

impl Steps {
    fn total(&self) -> Duration {
        self.0.iter().sum()
    }
}

/// One sms-link enrollment of `number` on `gateway`, on a connection of its own.
async fn assent_sms_link(gateway: &Gateway, number: &str) -> BenchResult<Steps> {
    assent_sms_link_steps(gateway, number)
        .await
        .map_err(|error| {
            let log = std::fs::read_to_string(&gateway.log).unwrap_or_default();
            let tail: Vec<&str> = log.lines().rev().take(20).collect();
            let tail: Vec<&str> = tail.into_iter().rev().collect();
            format!(
                "enrolling {number}: {error}\nthe gateway's log ends with:\n{}",
                tail.join("\n")
            )
            .into()
        })
}

async fn assent_sms_link_steps(gateway: &Gateway, number: &str) -> BenchResult<Steps> {
    let host = reqwest::Url::parse(&gateway.url)?
        .host_str()
        .map(str::to_owned);
    let seen: Vec<String> = inbox(gateway, number)
        .await?
        .into_iter()
        .map(|m| m.id)
        .collect();
    // The device's own client: its first request opens the TLS connection, on the clock.
    let http = http_client(Some(&gateway.ca))?;

    let mut lap = Lap::start();
    let mut client = AcmeClient::connect(
        http.clone(),
        &format!("{}/acme/directory", gateway.url),
        SigningKey::generate_es256(),
    )
    .await?;
    let directory = lap.step();
    client.account(&[]).await?;
    let account = lap.step();
    let order = client.order_number(number).await?;
    let order_time = lap.step();
    client.ready(&order).await?;
    let ready = lap.step();

    // The person reads the SMS: off the clock.
    let text = new_sms(gateway, number, &seen).await?;
    let code = assent_core::sms_code::extract(&text, host.as_deref())
        .map_err(|e| format!("the SMS {text:?}: {e}"))?;

    // The clock restarts after the person has read the SMS.
    let mut lap = Lap::start();
    client.complete(&order, &code.code).await?;
    let answer = lap.step();
    let device_key = SigningKey::generate_es256();
    let pair = rcgen::KeyPair::from_pem(&device_key.to_pkcs8_pem())?;
    let csr = assent_acme::csr::build_csr(number, &pair)?;
    let chain = client
        .finalize(&order.order_url, &order.finalize_url, &csr, PATIENCE)
        .await?;
    let certificate = lap.step();
    if !chain.contains("BEGIN CERTIFICATE") {
        return Err(format!("not a certificate chain: {chain}").into());
    }
    Ok(Steps([
        directory,
        account,
        order_time,
        ready,
        answer,
        certificate,
    ]))
}

/// RFC 8555's standard flow for a DNS name with http-01 against pebble.
async fn assent_on_pebble(ca_pem: &str, directory: &str, name: &str) -> BenchResult<Duration> {
    // A connection of its own, as on the gateway.
    let http = http_client(Some(ca_pem.as_bytes()))?;
    let started = Instant::now();
    let mut client = AcmeClient::connect(http, directory, SigningKey::generate_es256()).await?;
    client
        .account(&["mailto:qa@example.org".to_owned()])
        .await?;
    let dns = Identifier {
        kind: "dns".into(),
        value: name.to_owned(),
    };
    let (order_url, order) = client.new_order(vec![dns]).await?;
    let authz_url = order
        .authorizations
        .first()
        .ok_or("an order without authorization")?
        .clone();
    let authz: Authorization = client.fetch(&authz_url).await?.json()?;
    let challenge = authz
        .challenges
        .into_iter()
        .find(|c| c.kind == "http-01")
        .ok_or("no http-01 challenge")?
        .url;
    client.post(&challenge, Some(&ChallengeReady {})).await?;
    client
        .poll::<Authorization>(&authz_url, &[Status::Valid], PATIENCE)
        .await?;
    let key = rcgen::KeyPair::generate()?;
    let csr = rcgen::CertificateParams::new(vec![name.to_owned()])?.serialize_request(&key)?;
    let chain = client
        .finalize(&order_url, &order.finalize, csr.der(), PATIENCE)
        .await?;
    if !chain.contains("BEGIN CERTIFICATE") {
        return Err(format!("not a certificate chain: {chain}").into());
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

/// The nearest-rank percentile `q` (0 < q <= 1) of sorted `times`, in ms.
fn percentile(sorted: &[Duration], q: f64) -> f64 {
    // Nearest rank: the smallest value with at least q of the values at or below it.
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1].as_secs_f64() * 1000.0
}

/// Prints min, p50, p90, p99 and max; returns p50 (ms).
fn summary(name: &str, times: &mut [Duration]) -> f64 {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let p50 = percentile(times, 0.5);
    println!(
        "  {name:<36} min {:>7.1}  p50 {p50:>7.1}  p90 {:>7.1}  p99 {:>7.1}  max {:>7.1} ms",
        ms(times[0]),
        percentile(times, 0.9),
        percentile(times, 0.99),
        ms(times[times.len() - 1])
    );
    p50
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
    if rounds == 0 {
        return Err("ASSENT_BENCH_ROUNDS must be at least 1".into());
    }
    let dir = tempfile::tempdir()?;
    let mut gateways = Gateways {
        binary,
        dir: dir.path().to_owned(),
        started: 0,
        current: None,
    };
    let (_pebble, directory, pebble_ca) = start_pebble(dir.path())?;
    let ca_file = dir.path().join("pebble-ca.pem");
    std::fs::write(&ca_file, &pebble_ca)?;

    let (mut ours, mut client_on_pebble, mut lego) = (Vec::new(), Vec::new(), Vec::new());
    let mut steps = Vec::new();
    for round in 0..=rounds {
        let (gateway, number) = gateways.next().await?;
        let a = assent_sms_link(gateway, number).await?;
        let b = assent_on_pebble(&pebble_ca, &directory, &format!("a{round}.bench.example"))
            .await
            .map_err(|e| format!("the assent client on pebble: {e}"))?;
        let c = lego_on_pebble(
            &directory,
            &ca_file,
            dir.path(),
            &format!("l{round}.bench.example"),
        )?;
        // Round 0 warms up pebble, lego's files and the first gateway.
        if round > 0 {
            ours.push(a.total());
            steps.push(a);
            client_on_pebble.push(b);
            lego.push(c);
        }
    }
    println!(
        "ACME enrollment, {rounds} rounds each, interleaved (after one warm-up round; \
         {} gateways, each after a warm-up enrollment):",
        gateways.started
    );
    let p50 = summary("assent sms-link-00 (machine time)", &mut ours);
    let client_p50 = summary("assent client, http-01 on pebble", &mut client_on_pebble);
    let lego_p50 = summary("lego run, http-01 on pebble", &mut lego);
    println!(
        "  target <= 50 ms machine time: {} (p50 {p50:.1} ms); p50 ratios: lego on pebble / \
         assent = {:.1}x, assent client on pebble / assent = {:.1}x",
        if p50 <= 50.0 { "met" } else { "MISSED" },
        lego_p50 / p50,
        client_p50 / p50
    );
    println!("  where the sms-link time goes (p50 of each step):");
    for (index, name) in STEPS.iter().enumerate() {
        let mut times: Vec<Duration> = steps.iter().map(|s: &Steps| s.0[index]).collect();
        times.sort();
        println!("    {name:<36} {:>7.1} ms", percentile(&times, 0.5));
    }
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
