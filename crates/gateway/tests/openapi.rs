//! The OpenAPI description (issue 8): generated from the handlers, served by the live gateway,
//! printed by `assent-gateway openapi`, and committed as `docs/openapi.json`.
//! Regenerate the committed copy with `UPDATE_OPENAPI=1 cargo test -p assent-gateway --test suites openapi::`.

// Test helpers may unwrap: a failure there is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::{BIN, client, start};
use serde_json::Value;
use std::path::PathBuf;

fn committed_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/openapi.json")
}

/// What `assent-gateway openapi` prints.
fn printed() -> String {
    let output = std::process::Command::new(BIN)
        .arg("openapi")
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn the_committed_copy_is_current() {
    let printed = printed();
    assert_eq!(
        printed,
        format!("{}\n", assent_gateway::http::openapi::json())
    );
    let path = committed_path();
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(&path, &printed).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == printed,
        "docs/openapi.json is stale: run UPDATE_OPENAPI=1 cargo test -p assent-gateway --test suites openapi::"
    );
}

#[test]
fn the_document_describes_the_public_api() {
    let doc: Value = serde_json::from_str(&assent_gateway::http::openapi::json()).unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    for (path, method) in [
        ("/.well-known/openid-configuration", "get"),
        ("/jwks", "get"),
        ("/authorize", "get"),
        ("/authorize/wait", "get"),
        ("/authorize/consent", "post"),
        ("/token", "post"),
        ("/bc-authorize", "post"),
        ("/introspect", "post"),
        ("/revoke", "post"),
        ("/premiuminfo", "get"),
        ("/premiuminfo", "post"),
        ("/userinfo", "get"),
        ("/userinfo", "post"),
        ("/device/register", "post"),
        ("/device/token", "post"),
        ("/device/inbox", "get"),
        ("/acme/directory", "get"),
        ("/acme/new-nonce", "head"),
        ("/acme/new-order", "post"),
        ("/sim/handsets/{msisdn}/messages", "get"),
        ("/sim/handsets/{msisdn}/reply", "post"),
        ("/openapi.json", "get"),
    ] {
        assert!(paths[path][method].is_object(), "{method} {path}");
    }
    // Request bodies with their media types, security schemes, error shapes.
    let token = &paths["/token"]["post"];
    assert!(
        token["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"].is_object()
    );
    assert_eq!(
        token["responses"]["400"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/OAuthError"
    );
    let premiuminfo = &paths["/premiuminfo"]["post"]["requestBody"]["content"];
    assert!(premiuminfo["application/x-www-form-urlencoded"].is_object());
    assert!(premiuminfo["application/json"].is_object());
    assert_eq!(
        paths["/premiuminfo"]["get"]["responses"]["401"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/AnnexAError"
    );
    assert!(
        paths["/acme/new-order"]["post"]["responses"]["403"]["content"]["application/problem+json"]
            .is_object()
    );
    assert!(
        paths["/acme/new-order"]["post"]["requestBody"]["content"]["application/jose+json"]
            .is_object()
    );
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["client_secret_basic"]["scheme"], "basic");
    assert_eq!(schemes["bearer"]["scheme"], "bearer");
    assert_eq!(schemes["dpop"]["name"], "DPoP");
    assert_eq!(
        paths["/device/grants"]["get"]["security"][0]["dpop"],
        serde_json::json!([])
    );
}

/// The live gateway serves the same document, and every operation it describes is routed:
/// no described operation ends in the router's own 404 or 405 (which have empty bodies), and
/// none is a server error when called without credentials or body.
#[tokio::test(flavor = "multi_thread")]
async fn the_live_gateway_serves_it_and_routes_every_operation() {
    let dir = tempfile::tempdir().unwrap();
    let gateway = start(&dir.path().join("gw"), None);
    let http = client(&gateway, false);
    let served = http
        .get(format!("{}/openapi.json", gateway.url))
        .send()
        .await
        .unwrap();
    assert_eq!(served.status(), 200);
    assert_eq!(
        served.headers()["content-type"].to_str().unwrap(),
        "application/json"
    );
    let served: Value = served.json().await.unwrap();
    let generated: Value = serde_json::from_str(&assent_gateway::http::openapi::json()).unwrap();
    assert_eq!(served, generated);

    let mut called = 0;
    for (path, item) in generated["paths"].as_object().unwrap() {
        let url = format!(
            "{}{}",
            gateway.url,
            path.replace("{msisdn}", "447700900001")
                .replace("{id}", "unknown")
        );
        for method in item.as_object().unwrap().keys() {
            let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let response = http.request(method.clone(), &url).send().await.unwrap();
            let status = response.status();
            let body = response.bytes().await.unwrap();
            assert_ne!(status, 405, "{method} {path} is not routed");
            assert!(
                !(status == 404 && body.is_empty()),
                "{method} {path} is not routed"
            );
            assert!(!status.is_server_error(), "{method} {path}: {status}");
            called += 1;
        }
    }
    assert!(called >= 39, "{called} operations");
}

/// Found by schemathesis: a request with a body to a path that exists under another method
/// (or to no path) was answered before its body arrived, and hyper then closed the connection,
/// so a keep-alive client lost its next request ("connection closed without response").
/// The body here follows the headers in a second write, as Python's http.client sends it.
#[test]
fn a_refused_request_is_answered_after_its_body_and_keeps_the_connection() {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    use std::io::{Read, Write};
    let dir = tempfile::tempdir().unwrap();
    let gateway = start(&dir.path().join("gw"), None);
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_file(gateway.data_dir.join("ca.pem")).unwrap())
        .unwrap();
    let mut config = rustls::ClientConfig::builder()
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    for (method, path, status) in [
        ("PUT", "/revoke", "405"),
        ("DELETE", "/premiuminfo", "405"),
        ("PATCH", "/no-such-path", "404"),
    ] {
        let tcp = std::net::TcpStream::connect(gateway.url.trim_start_matches("https://")).unwrap();
        let connection = rustls::ClientConnection::new(
            std::sync::Arc::new(config.clone()),
            "127.0.0.1".try_into().unwrap(),
        )
        .unwrap();
        let mut tls = rustls::StreamOwned::new(connection, tcp);
        write!(
            tls,
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 7\r\n\r\n"
        )
        .unwrap();
        tls.flush().unwrap();
        // Time for a server that answers early to do so (not an assertion on speed).
        std::thread::sleep(std::time::Duration::from_millis(300));
        // A server that closed the connection makes these writes fail: the answers tell.
        let _ = tls.write_all(b"token=x");
        let _ =
            tls.write_all(b"GET /jwks HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        let _ = tls.flush();
        let mut received = Vec::new();
        // The end of the stream may come without close_notify: what arrived is what counts.
        let _ = tls.read_to_end(&mut received);
        let text = String::from_utf8_lossy(&received).to_lowercase();
        assert!(
            text.starts_with(&format!("http/1.1 {status}")),
            "{method} {path}: {text}"
        );
        if status == "405" {
            assert!(text.contains("\r\nallow: "), "{method} {path}: {text}");
        }
        assert!(
            text.contains("http/1.1 200 ok"),
            "{method} {path}: the next request on the connection got no answer: {text}"
        );
    }
}
