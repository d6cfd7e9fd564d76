//! Slow and greedy clients against the real binary over TLS (docs/gateway.md,
//! "Connections"): request headers that never finish, a TLS handshake that never starts, a
//! connection that says nothing after its handshake, an HTTP/2 connection left idle, more
//! connections than `--max-connections`, and request bodies over the limit; on `serve` and
//! on the stand-alone `resource-server`.
//!
//! The timeouts are shortened with `--header-read-timeout` / `--idle-timeout` to keep the
//! tests fast; each deadline a test waits for is generous beside the timeout it checks (the
//! property is "closed by the timeout", not a speed), yet shorter than what would close the
//! connection without that timeout (axum-server's own 10 s handshake timeout, the 60 s idle
//! timeout, or nothing at all).

// Test helpers may unwrap: a failure there is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::{BIN, Gateway, admin, client, start, start_resource_server, start_with};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::Instant;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

/// The first lines of a request whose headers never end.
const PARTIAL: &[u8] = b"GET / HTTP/1.1\r\nHost: x\r\n";
const DISCOVERY: &str = "/.well-known/openid-configuration";
/// How long a test waits for a connection to be closed by a 2 s timeout: generous, and
/// shorter than axum-server's implicit 10 s handshake timeout and the 60 s idle timeout.
const WITHIN: Duration = Duration::from_secs(8);

fn address(url: &str) -> &str {
    url.trim_start_matches("https://")
}

/// A TLS 1.3 client trusting only `ca_pem`, offering the ALPN protocols `alpn`.
fn connector(ca_pem: &Path, alpn: &[&str]) -> TlsConnector {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_file(ca_pem).unwrap())
        .unwrap();
    let mut config = rustls::ClientConfig::builder()
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = alpn.iter().map(|p| p.as_bytes().to_vec()).collect();
    TlsConnector::from(Arc::new(config))
}

fn server_name() -> ServerName<'static> {
    ServerName::try_from("127.0.0.1").unwrap()
}

async fn open(connector: &TlsConnector, url: &str) -> TlsStream<TcpStream> {
    let tcp = TcpStream::connect(address(url)).await.unwrap();
    connector.connect(server_name(), tcp).await.unwrap()
}

/// Reads (and drops) whatever comes until the server closes the connection: `true` when a
/// read ends (EOF, or an error such as a reset or a missing close_notify) before `deadline`.
async fn closed_by<S: AsyncRead + Unpin>(stream: &mut S, deadline: Instant) -> bool {
    let mut buffer = [0u8; 4096];
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buffer)).await {
            Err(_) => return false,
            Ok(Ok(0) | Err(_)) => return true,
            Ok(Ok(_)) => {}
        }
    }
}

/// One HTTP/1.1 GET on a kept-alive connection: the status (the body is read and dropped).
async fn get<S: AsyncRead + AsyncWrite + Unpin>(stream: &mut S, path: &str) -> u16 {
    let request = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    stream.flush().await.unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        let n = stream.read(&mut byte).await.unwrap();
        assert_eq!(
            n,
            1,
            "closed before the response: {}",
            String::from_utf8_lossy(&head)
        );
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|line| line.strip_prefix("content-length:"))
        .map_or(0, |v| v.trim().parse().unwrap());
    let mut body = vec![0; length];
    stream.read_exact(&mut body).await.unwrap();
    head[9..12].parse().unwrap()
}

/// A child process killed on drop (the stand-alone resource server).
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The measurement, against the binary: 300 TLS connections send the first lines
/// of a request and then nothing. Each is closed by the server within 25 s, and while they
/// are all open a request on a new connection is served.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_hundred_unfinished_headers_are_closed_and_others_are_served_meanwhile() {
    let dir = tempfile::tempdir().unwrap();
    let gateway = start_with(
        &dir.path().join("gw"),
        None,
        None,
        &["--header-read-timeout", "5s"],
    );
    let tls = connector(&gateway.data_dir.join("ca.pem"), &["http/1.1"]);
    let mut opening = tokio::task::JoinSet::new();
    for _ in 0..300 {
        let tls = tls.clone();
        let url = gateway.url.clone();
        opening.spawn(async move {
            let mut stream = open(&tls, &url).await;
            stream.write_all(PARTIAL).await.unwrap();
            stream.flush().await.unwrap();
            (stream, Instant::now())
        });
    }
    let opened = opening.join_all().await;
    // Each waits for its own close from now on, and notes when it came.
    let mut closing = tokio::task::JoinSet::new();
    for (mut stream, sent) in opened {
        closing.spawn(async move {
            let closed = closed_by(&mut stream, sent + Duration::from_secs(25)).await;
            (closed, Instant::now())
        });
    }
    let http = client(&gateway, false);
    let served = http
        .get(format!("{}{DISCOVERY}", gateway.url))
        .send()
        .await
        .unwrap();
    assert_eq!(served.status(), 200);
    let served_at = Instant::now();
    let closes = closing.join_all().await;
    let still_open = closes.iter().filter(|(closed, _)| !closed).count();
    assert_eq!(
        still_open, 0,
        "{still_open} of 300 connections with unfinished headers are open 25 s later"
    );
    let closed_before = closes.iter().filter(|(_, at)| *at < served_at).count();
    assert_eq!(
        closed_before, 0,
        "the new connection was served only after {closed_before} slow ones were closed"
    );
}

/// The default header-read timeout is at most 10 s, and the flag refuses more: read from
/// `--help` of both commands, and seen on one connection of a gateway run with the default.
#[tokio::test]
async fn the_default_header_read_timeout_is_at_most_ten_seconds() {
    for command in ["serve", "resource-server"] {
        let help = std::process::Command::new(BIN)
            .args([command, "--help"])
            .output()
            .unwrap();
        let help = String::from_utf8(help.stdout).unwrap();
        let default = |flag: &str| {
            let after = &help[help.find(flag).unwrap_or_else(|| panic!("{flag}: {help}"))..];
            let start = after.find("[default: ").unwrap() + "[default: ".len();
            after[start..start + after[start..].find(']').unwrap()].to_owned()
        };
        let header = default("--header-read-timeout");
        let seconds: u64 = header.strip_suffix('s').unwrap().parse().unwrap();
        assert!(seconds <= 10, "{command}: --header-read-timeout {header}");
        assert_eq!(default("--idle-timeout"), "60s", "{command}");
        let cap: usize = default("--max-connections").parse().unwrap();
        assert!(cap >= 1024, "{command}: --max-connections {cap}");
    }
    let dir = tempfile::tempdir().unwrap();
    let refused = std::process::Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path().join("refused"))
        .args(["--header-read-timeout", "11s"])
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("at most 10s"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );

    let gateway = start(&dir.path().join("gw"), None);
    let tls = connector(&gateway.data_dir.join("ca.pem"), &["http/1.1"]);
    let mut stream = open(&tls, &gateway.url).await;
    stream.write_all(PARTIAL).await.unwrap();
    stream.flush().await.unwrap();
    let sent = Instant::now();
    assert!(
        closed_by(&mut stream, sent + Duration::from_secs(25)).await,
        "unfinished headers still open 25 s later at the default"
    );
    // About the default (10 s) after the request began, with room for a loaded machine; not
    // hyper's own 30 s or the 60 s idle timeout.
    let waited = sent.elapsed();
    assert!(waited < Duration::from_secs(15), "closed after {waited:?}");
}

/// A client that opens TCP and never starts TLS is closed by the handshake timeout.
#[tokio::test]
async fn a_connection_that_never_starts_tls_is_closed() {
    let dir = tempfile::tempdir().unwrap();
    let gateway = start_with(
        &dir.path().join("gw"),
        None,
        None,
        &["--header-read-timeout", "2s"],
    );
    let mut silent = TcpStream::connect(address(&gateway.url)).await.unwrap();
    // And one that sends the first bytes of a TLS record and stops.
    let mut stalled = TcpStream::connect(address(&gateway.url)).await.unwrap();
    stalled.write_all(&[0x16, 0x03, 0x01, 0x02]).await.unwrap();
    let deadline = Instant::now() + WITHIN;
    assert!(
        closed_by(&mut silent, deadline).await,
        "no TLS: open after {WITHIN:?}"
    );
    assert!(
        closed_by(&mut stalled, deadline).await,
        "a stalled ClientHello: open after {WITHIN:?}"
    );
}

/// After the handshake, the time to finish the first request's headers runs out the same
/// way whatever the client sent: nothing (with or without ALPN), part of the HTTP/2
/// preface, or the whole preface and its SETTINGS but no request.
#[tokio::test]
async fn a_connection_that_sends_no_request_after_tls_is_closed() {
    let dir = tempfile::tempdir().unwrap();
    let gateway = start_with(
        &dir.path().join("gw"),
        None,
        None,
        &["--header-read-timeout", "2s"],
    );
    let ca = gateway.data_dir.join("ca.pem");
    let preface = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
    let settings = [0u8, 0, 0, 4, 0, 0, 0, 0, 0];
    let cases: [(&str, &[&str], Vec<u8>); 5] = [
        ("nothing, ALPN http/1.1", &["http/1.1"], vec![]),
        ("nothing, ALPN h2", &["h2"], vec![]),
        ("nothing, no ALPN", &[], vec![]),
        ("half the HTTP/2 preface", &["h2"], preface[..12].to_vec()),
        (
            "the HTTP/2 preface and SETTINGS",
            &["h2"],
            [&preface[..], &settings[..]].concat(),
        ),
    ];
    let mut streams = Vec::new();
    for (name, alpn, sent) in cases {
        let mut stream = open(&connector(&ca, alpn), &gateway.url).await;
        stream.write_all(&sent).await.unwrap();
        stream.flush().await.unwrap();
        streams.push((name, stream));
    }
    let deadline = Instant::now() + WITHIN;
    for (name, mut stream) in streams {
        assert!(
            closed_by(&mut stream, deadline).await,
            "{name}: open after {WITHIN:?}"
        );
    }
}

/// On a kept-alive HTTP/1.1 connection, the next request's headers have the same time to
/// arrive as the first one's (not the idle timeout's 60 s).
#[tokio::test]
async fn unfinished_headers_of_a_next_request_are_closed() {
    let dir = tempfile::tempdir().unwrap();
    let gateway = start_with(
        &dir.path().join("gw"),
        None,
        None,
        &["--header-read-timeout", "2s"],
    );
    let tls = connector(&gateway.data_dir.join("ca.pem"), &["http/1.1"]);
    let mut stream = open(&tls, &gateway.url).await;
    assert_eq!(get(&mut stream, DISCOVERY).await, 200);
    assert_eq!(get(&mut stream, "/jwks").await, 200);
    stream.write_all(PARTIAL).await.unwrap();
    stream.flush().await.unwrap();
    assert!(
        closed_by(&mut stream, Instant::now() + WITHIN).await,
        "the next request's unfinished headers: open after {WITHIN:?}"
    );
}

async fn write_frame<S: AsyncWrite + Unpin>(
    stream: &mut S,
    kind: u8,
    flags: u8,
    id: u32,
    payload: &[u8],
) {
    let length = u32::try_from(payload.len()).unwrap().to_be_bytes();
    let mut frame = vec![length[1], length[2], length[3], kind, flags];
    frame.extend(id.to_be_bytes());
    frame.extend(payload);
    stream.write_all(&frame).await.unwrap();
    stream.flush().await.unwrap();
}

/// One HTTP/2 frame: (type, flags, stream id, payload).
async fn read_frame<S: AsyncRead + Unpin>(
    stream: &mut S,
) -> std::io::Result<(u8, u8, u32, Vec<u8>)> {
    let mut head = [0u8; 9];
    stream.read_exact(&mut head).await?;
    let length = u32::from_be_bytes([0, head[0], head[1], head[2]]) as usize;
    let id = u32::from_be_bytes([head[5], head[6], head[7], head[8]]) & 0x7fff_ffff;
    let mut payload = vec![0; length];
    stream.read_exact(&mut payload).await?;
    Ok((head[3], head[4], id, payload))
}

/// An HTTP/2 connection with no request in flight is closed by the idle timeout (HTTP/2
/// has no header-read timer of its own in hyper, and its keep-alive pings only find dead
/// peers), and not already by the header-read timeout.
#[tokio::test]
async fn an_idle_http2_connection_is_closed_by_the_idle_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let gateway = start_with(
        &dir.path().join("gw"),
        None,
        None,
        &["--header-read-timeout", "2s", "--idle-timeout", "6s"],
    );
    let tls = connector(&gateway.data_dir.join("ca.pem"), &["h2"]);
    let mut stream = open(&tls, &gateway.url).await;
    assert_eq!(
        stream.get_ref().1.alpn_protocol(),
        Some(&b"h2"[..]),
        "HTTP/2 by ALPN"
    );
    stream
        .write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
        .await
        .unwrap();
    write_frame(&mut stream, 4, 0, 0, &[]).await;
    // HPACK: :method GET, :scheme https (static table), :path and :authority as literals.
    let mut block = vec![0x82, 0x87, 0x44, u8::try_from(DISCOVERY.len()).unwrap()];
    block.extend(DISCOVERY.as_bytes());
    block.extend([0x41, 9]);
    block.extend(b"127.0.0.1");
    write_frame(&mut stream, 1, 0x5, 1, &block).await;
    let mut status = None;
    loop {
        let (kind, flags, id, payload) = read_frame(&mut stream).await.unwrap();
        if kind == 4 && flags & 1 == 0 {
            write_frame(&mut stream, 4, 1, 0, &[]).await;
        }
        if kind == 1 && id == 1 {
            // :status 200 is entry 8 of the static table.
            status = payload.first().copied();
        }
        if (kind == 0 || kind == 1) && id == 1 && flags & 1 == 1 {
            break;
        }
    }
    assert_eq!(status, Some(0x88), "the request was answered 200");
    let answered = Instant::now();
    // Past the header-read timeout, the connection is still open.
    let mut buffer = [0u8; 4096];
    while answered.elapsed() < Duration::from_millis(3500) {
        match tokio::time::timeout_at(
            answered + Duration::from_millis(3500),
            stream.read(&mut buffer),
        )
        .await
        {
            Err(_) => break,
            Ok(Ok(0) | Err(_)) => panic!(
                "closed {:?} after its answer, before the idle timeout",
                answered.elapsed()
            ),
            Ok(Ok(_)) => {}
        }
    }
    assert!(
        closed_by(&mut stream, answered + Duration::from_secs(20)).await,
        "an idle HTTP/2 connection: open 20 s after its last answer"
    );
}

/// Beyond `--max-connections`, a new connection waits (its TLS handshake is not answered)
/// while the held ones keep being served; when one of them closes, it is served.
async fn the_cap_holds(url: &str, ca: &Path, cap: usize, path: &str, expected: u16) {
    let tls = connector(ca, &["http/1.1"]);
    let mut held = Vec::new();
    for _ in 0..cap {
        let mut stream = open(&tls, url).await;
        assert_eq!(get(&mut stream, path).await, expected);
        held.push(stream);
    }
    let tcp = TcpStream::connect(address(url)).await.unwrap();
    let mut waiting = Box::pin(tls.connect(server_name(), tcp));
    assert!(
        tokio::time::timeout(Duration::from_secs(2), &mut waiting)
            .await
            .is_err(),
        "connection {} was served beyond --max-connections {cap}",
        cap + 1
    );
    for stream in &mut held {
        assert_eq!(get(stream, path).await, expected, "a held connection");
    }
    drop(held.pop());
    let mut served = tokio::time::timeout(Duration::from_secs(10), waiting)
        .await
        .expect("the waiting connection was not served after one closed")
        .unwrap();
    assert_eq!(get(&mut served, path).await, expected);
}

#[tokio::test]
async fn beyond_max_connections_a_connection_waits_until_one_closes() {
    let dir = tempfile::tempdir().unwrap();
    let mut gateway = start_with(
        &dir.path().join("gw"),
        None,
        None,
        &["--max-connections", "5"],
    );
    the_cap_holds(
        &gateway.url,
        &gateway.data_dir.join("ca.pem"),
        5,
        DISCOVERY,
        200,
    )
    .await;
    // Still the same process, serving.
    assert!(gateway.is_running());
    let http = client(&gateway, false);
    let answer = http
        .get(format!("{}{DISCOVERY}", gateway.url))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
}

/// The number of entries in the audit trail.
fn audit_entries(gateway: &Gateway) -> u64 {
    let (ok, out) = admin(&gateway.data_dir, None, &["audit", "verify"]);
    assert!(ok, "{out}");
    // "audit trail verified: N entries, head …"
    out.split_whitespace()
        .nth(3)
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{out}"))
}

/// 64 KiB is the limit: a body over it gets 413 on every operation that takes one (and on
/// a path that does not exist), and a token request over it issues nothing, while the same
/// request just under it is served.
#[tokio::test]
async fn a_body_over_the_limit_gets_413_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let gateway = start(&dir.path().join("gw"), None);
    let http = client(&gateway, false);
    let token = |padding: usize| {
        let body = format!(
            "grant_type=client_credentials&scope=mc_atp&padding={}",
            "x".repeat(padding)
        );
        http.post(format!("{}/token", gateway.url))
            .basic_auth("atp-sp", Some("atp-sp-secret"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
    };
    let before = audit_entries(&gateway);
    let over = token(64 * 1024).await.unwrap();
    assert_eq!(over.status(), 413);
    assert_eq!(
        audit_entries(&gateway),
        before,
        "a refused body changed the trail"
    );
    let under = token(60 * 1024).await.unwrap();
    assert_eq!(under.status(), 200, "{:?}", under.text().await);
    assert!(audit_entries(&gateway) > before);

    let document: serde_json::Value = http
        .get(format!("{}/openapi.json", gateway.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut checked = 0;
    let big = vec![b'a'; 65 * 1024];
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let Some(content) = operation["requestBody"]["content"].as_object() else {
                continue;
            };
            let content_type = content.keys().next().unwrap();
            let path = path
                .split('/')
                .map(|part| if part.starts_with('{') { "x" } else { part })
                .collect::<Vec<_>>()
                .join("/");
            let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let answer = http
                .request(method.clone(), format!("{}{path}", gateway.url))
                .header("content-type", content_type)
                .body(big.clone())
                .send()
                .await
                .unwrap();
            assert_eq!(answer.status(), 413, "{method} {path}");
            checked += 1;
        }
    }
    assert!(checked >= 20, "{checked} operations take a body");
    let nowhere = http
        .post(format!("{}/no-such-path", gateway.url))
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(nowhere.status(), 413);
}

/// The stand-alone resource server has the same protections: the connection cap (on one
/// instance, with the default timeouts, which leave its held connections open), and the
/// header-read and handshake timeouts and the body limit (on another).
#[tokio::test]
async fn the_stand_alone_resource_server_has_the_same_protections() {
    let dir = tempfile::tempdir().unwrap();
    let gateway = start(&dir.path().join("gw"), None);
    let ca = gateway.data_dir.join("ca.pem");
    let (capped, rs) = start_resource_server(
        &gateway,
        "rs-capped",
        &gateway.data_dir,
        &["--max-connections", "2"],
    );
    let _capped = Child(capped);
    the_cap_holds(&rs, &ca, 2, "/premiuminfo", 401).await;

    let (timed, rs) = start_resource_server(
        &gateway,
        "rs-timed",
        &gateway.data_dir,
        &["--header-read-timeout", "2s"],
    );
    let _timed = Child(timed);
    let mut partial = open(&connector(&ca, &["http/1.1"]), &rs).await;
    partial.write_all(PARTIAL).await.unwrap();
    partial.flush().await.unwrap();
    let mut silent = TcpStream::connect(address(&rs)).await.unwrap();
    let deadline = Instant::now() + WITHIN;
    assert!(
        closed_by(&mut partial, deadline).await,
        "unfinished headers"
    );
    assert!(closed_by(&mut silent, deadline).await, "no TLS");

    let http = client(&gateway, false);
    let over = http
        .post(format!("{rs}/premiuminfo"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("access_token={}", "x".repeat(65 * 1024)))
        .send()
        .await
        .unwrap();
    assert_eq!(over.status(), 413);
}
