//! The app core's ACME client against the real gateway over TLS: it proves control of
//! +447700900001 by `sms-link-00`, reading the code from the handset simulator's SMS with the
//! core's code reader (origin-bound line, checked against the gateway's host), and gets a
//! certificate whose TNAuthList names the number.

// A failure anywhere in an end-to-end test is the test's failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use assent_acme::jws::SigningKey;
use assent_core::acme_client::{AcmeClient, http_client};
use assent_e2e::workspace_binary;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

struct Gateway {
    child: Child,
    url: String,
    _dir: tempfile::TempDir,
}

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_gateway() -> (Gateway, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("gw");
    let mut child = Command::new(workspace_binary("assent-gateway").unwrap())
        .args(["serve", "--listen", "127.0.0.1:0", "--demo", "--data-dir"])
        .arg(&data)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("assent-gateway listening on ")
        .unwrap()
        .to_owned();
    (
        Gateway {
            child,
            url,
            _dir: dir,
        },
        data,
    )
}

#[tokio::test]
async fn the_core_enrolls_a_number_through_the_simulator() {
    let (gateway, data) = start_gateway();
    let ca = std::fs::read(data.join("ca.pem")).unwrap();
    let http = http_client(Some(&ca)).unwrap();
    let directory = format!("{}/acme/directory", gateway.url);
    let mut client = AcmeClient::connect(http.clone(), &directory, SigningKey::generate_es256())
        .await
        .unwrap();
    client.account(&[]).await.unwrap();
    let order = client.order_number("447700900001").await.unwrap();
    client.ready(&order).await.unwrap();

    // The SMS as the handset received it; the core reads the code, bound to the gateway.
    let messages: serde_json::Value = http
        .get(format!(
            "{}/sim/handsets/447700900001/messages",
            gateway.url
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let sms = messages
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|m| m["kind"] == "sms")
        .unwrap();
    let code =
        assent_core::sms_code::extract(sms["text"].as_str().unwrap(), Some("127.0.0.1")).unwrap();
    assert_eq!(code.origin.as_deref(), Some("127.0.0.1"));
    // A code meant for another site is refused.
    assert!(
        assent_core::sms_code::extract(sms["text"].as_str().unwrap(), Some("evil.example"))
            .is_err()
    );
    client.complete(&order, &code.code).await.unwrap();

    let key = rcgen::KeyPair::generate().unwrap();
    let csr = assent_acme::csr::build_csr("447700900001", &key).unwrap();
    let chain = client
        .finalize(
            &order.order_url,
            &order.finalize_url,
            &csr,
            Duration::from_secs(30),
        )
        .await
        .unwrap();
    let leaf_b64: String = chain
        .lines()
        .skip_while(|l| !l.starts_with("-----BEGIN CERTIFICATE"))
        .skip(1)
        .take_while(|l| !l.starts_with("-----END"))
        .collect();
    use base64::Engine;
    let der = base64::engine::general_purpose::STANDARD
        .decode(leaf_b64)
        .unwrap();
    let list = assent_acme::cert::tn_auth_list_of_certificate(&der).unwrap();
    assert_eq!(list.single_number(), Some("447700900001"));

    // A wrong code is refused with the server's words, and the client says so plainly.
    let order = client.order_number("447700900001").await.unwrap();
    client.ready(&order).await.unwrap();
    let error = client.complete(&order, "000000").await.unwrap_err();
    assert_eq!(
        error.problem_type(),
        Some("urn:ietf:params:acme:error:incorrectResponse")
    );
    assert!(error.to_string().contains("wrong code"), "{error}");
}
