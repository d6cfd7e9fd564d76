//! The core's ACME client against the reference server: Debian's `pebble` (which rejects 5%
//! of nonces on purpose, so the `badNonce` retry is exercised), in `-strict` mode, with
//! `PEBBLE_VA_ALWAYS_VALID=1`: account, order for a DNS name, `http-01` "ready", polling,
//! finalize, certificate download — the standard flow of RFC 8555.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use assent_acme::jws::SigningKey;
use assent_core::acme_client::{AcmeClient, http_client};
use assent_proto::acme::{Authorization, ChallengeReady, Identifier, Status};
use serde_json::json;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

struct Pebble(Child);

impl Drop for Pebble {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Waits (up to 30 s) until something accepts TCP connections on the port.
fn wait_until_listening(port: u16) {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            std::time::Instant::now() < deadline,
            "pebble never listened on {port}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts pebble with a TLS certificate of a throwaway CA; returns it, its directory URL
/// and the CA (PEM) to trust.
fn start_pebble(dir: &std::path::Path) -> (Pebble, String, String) {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = rcgen::Issuer::from_ca_cert_pem(&ca_cert.pem(), &ca_key).unwrap();
    let key = rcgen::KeyPair::generate().unwrap();
    let mut leaf = rcgen::CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
    leaf.subject_alt_names
        .push(rcgen::SanType::IpAddress([127, 0, 0, 1].into()));
    let cert = leaf.signed_by(&key, &issuer).unwrap();
    std::fs::write(dir.join("cert.pem"), cert.pem()).unwrap();
    std::fs::write(dir.join("key.pem"), key.serialize_pem()).unwrap();
    let port = free_port();
    let config = json!({"pebble": {
        "listenAddress": format!("127.0.0.1:{port}"),
        "managementListenAddress": format!("127.0.0.1:{}", free_port()),
        "certificate": dir.join("cert.pem"),
        "privateKey": dir.join("key.pem"),
        "httpPort": free_port(),
        "tlsPort": free_port(),
        "ocspResponderURL": "",
        "externalAccountBindingRequired": false,
    }});
    std::fs::write(dir.join("pebble.json"), config.to_string()).unwrap();
    let mut child = Command::new("pebble")
        .arg("-config")
        .arg(dir.join("pebble.json"))
        .arg("-strict")
        .env("PEBBLE_VA_ALWAYS_VALID", "1")
        .env("PEBBLE_VA_NOSLEEP", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("pebble is installed (Debian package pebble)");
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    loop {
        let line = lines.next().expect("pebble exited").unwrap();
        if line.contains("Listening on") {
            break;
        }
    }
    // Keep draining pebble's log so it never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    // Pebble logs "Listening on" before its listener is bound (main.go prints, then calls
    // ListenAndServeTLS): on a loaded machine the first request could find nothing there
    // (CI saw "could not connect"). Ready means the port accepts a connection.
    wait_until_listening(port);
    (
        Pebble(child),
        format!("https://127.0.0.1:{port}/dir"),
        ca_cert.pem(),
    )
}

#[tokio::test]
async fn rfc_8555_standard_flow_against_pebble() {
    let dir = tempfile::tempdir().unwrap();
    let (_pebble, directory, ca) = start_pebble(dir.path());
    let http = http_client(Some(ca.as_bytes())).unwrap();
    let mut client = AcmeClient::connect(http, &directory, SigningKey::generate_es256())
        .await
        .unwrap();
    // Pebble rejects 5 % of nonces on purpose: many requests exercise the retry.
    let kid = client
        .account(&["mailto:qa@example.org".to_owned()])
        .await
        .unwrap();
    assert!(kid.contains("/my-account/"), "{kid}");
    let dns = Identifier {
        kind: "dns".into(),
        value: "assent.example.org".into(),
    };
    let (order_url, order) = client.new_order(vec![dns]).await.unwrap();
    let authz_url = order.authorizations[0].clone();
    let authz: Authorization = client.fetch(&authz_url).await.unwrap().json().unwrap();
    let challenge = authz
        .challenges
        .into_iter()
        .find(|c| c.kind == "http-01")
        .unwrap();
    client
        .post(&challenge.url, Some(&ChallengeReady {}))
        .await
        .unwrap();
    client
        .poll::<Authorization>(&authz_url, &[Status::Valid], Duration::from_secs(30))
        .await
        .unwrap();
    let key = rcgen::KeyPair::generate().unwrap();
    let csr = rcgen::CertificateParams::new(vec!["assent.example.org".to_owned()])
        .unwrap()
        .serialize_request(&key)
        .unwrap();
    let chain = client
        .finalize(
            &order_url,
            &order.finalize,
            csr.der(),
            Duration::from_secs(30),
        )
        .await
        .unwrap();
    assert!(chain.matches("BEGIN CERTIFICATE").count() >= 2, "{chain}");
    // Nonce bookkeeping held up over the whole conversation (pebble's rejections retried).
    for _ in 0..20 {
        client.fetch(&order_url).await.unwrap();
    }
}
