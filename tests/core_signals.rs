//! Issue 19's end-to-end case: the user revokes Demo Shop in the app (the core, against the
//! real gateway over TLS) and Demo Shop's Shared Signals push endpoint — an HTTPS server on
//! the loopback address registered for it in the demo data, with a certificate of the
//! gateway's CA — receives a signed CAEP `session-revoked` for its own `sub` of the user,
//! checked with `jsonwebtoken` against the gateway's published keys; its next PremiumInfo
//! call gets 401. The time from the revoke to the SET is printed.

// A failure anywhere in an end-to-end test is the test's failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use assent_core::settings::Display;
use assent_core::{Assent, Enrollment, Overrides};
use assent_e2e::DemoGateway;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, Instant};

const DEMO_SP: (&str, &str) = ("demo-sp", "demo-sp-secret");
/// Where the demo data lets Demo Shop's stream push (`flows::demo::DEMO_SSF_PUSH_ENDPOINT`).
const DEMO_PUSH_ADDRESS: &str = "127.0.0.1:9447";
const SESSION_REVOKED: &str = "https://schemas.openid.net/secevent/caep/event-type/session-revoked";
const TOKENS_REVOKED: &str = "https://schemas.openid.net/secevent/oauth/event-type/tokens-revoked";

/// What Demo Shop's endpoint received: the SET and when.
struct Pushed {
    set: String,
    content_type: Option<String>,
    at: Instant,
}

/// Demo Shop's push endpoint (RFC 8935): 202 to every SET, handed to the test.
async fn demo_shop_endpoint(gateway: &DemoGateway) -> tokio::sync::mpsc::UnboundedReceiver<Pushed> {
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
    let config = rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(
            vec![cert.der().clone()],
            rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
        )
        .unwrap();
    let (sender, received) = tokio::sync::mpsc::unbounded_channel();
    let app = axum::Router::new().route(
        "/ssf/events",
        axum::routing::post(
            move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
                let sender = sender.clone();
                async move {
                    let _ = sender.send(Pushed {
                        set: String::from_utf8_lossy(&body).into_owned(),
                        content_type: headers
                            .get("content-type")
                            .and_then(|v| v.to_str().ok())
                            .map(str::to_owned),
                        at: Instant::now(),
                    });
                    axum::http::StatusCode::ACCEPTED
                }
            },
        ),
    );
    let listener = std::net::TcpListener::bind(DEMO_PUSH_ADDRESS)
        .unwrap_or_else(|e| panic!("Demo Shop's endpoint needs {DEMO_PUSH_ADDRESS}: {e}"));
    listener.set_nonblocking(true).unwrap();
    let server = axum_server::from_tcp_rustls(
        listener,
        axum_server::tls_rustls::RustlsConfig::from_config(Arc::new(config)),
    )
    .unwrap();
    tokio::spawn(async move {
        let _ = server.serve(app.into_make_service()).await;
    });
    received
}

/// The SET's claims, verified with `jsonwebtoken` against the gateway's JWK Set: ES256,
/// `typ` `secevent+jwt`, issued by the gateway for Demo Shop.
fn verified(jwks: &Value, set: &str, issuer: &str) -> Value {
    let header = jsonwebtoken::decode_header(set).unwrap();
    assert_eq!(header.typ.as_deref(), Some("secevent+jwt"));
    let set_of_keys: jsonwebtoken::jwk::JwkSet = serde_json::from_value(jwks.clone()).unwrap();
    let jwk = set_of_keys.find(header.kid.as_deref().unwrap()).unwrap();
    let key = jsonwebtoken::DecodingKey::from_jwk(jwk).unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::ES256);
    validation.set_audience(&["demo-sp"]);
    validation.set_issuer(&[issuer]);
    // RFC 8417 §2.2: a SET has no `exp`.
    validation.required_spec_claims.clear();
    validation.validate_exp = false;
    jsonwebtoken::decode::<Value>(set, &key, &validation)
        .unwrap()
        .claims
}

#[tokio::test]
async fn the_user_revokes_demo_shop_in_the_app_and_demo_shop_is_told_at_once() {
    let gateway = DemoGateway::start().unwrap();
    let http = gateway.http().unwrap();
    let mut pushed = demo_shop_endpoint(&gateway).await;

    // Demo Shop's stream, pushed to its registered endpoint, by its `ssf` token.
    let token: Value = http
        .post(format!("{}/token", gateway.url))
        .basic_auth(DEMO_SP.0, Some(DEMO_SP.1))
        .form(&[("grant_type", "client_credentials"), ("scope", "ssf")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ssf_token = token["access_token"].as_str().unwrap();
    let created = http
        .post(format!("{}/ssf/streams", gateway.url))
        .bearer_auth(ssf_token)
        .json(&json!({"delivery": {"method": "urn:ietf:rfc:8935"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let stream: Value = created.json().await.unwrap();
    assert_eq!(
        stream["delivery"]["endpoint_url"],
        format!("https://{DEMO_PUSH_ADDRESS}/ssf/events").as_str()
    );

    // Marie enrolls the app and consents to Demo Shop on it.
    let profile = tempfile::tempdir().unwrap();
    let secrets = assent_core::secrets::Secrets::in_store(
        keyring_core::mock::Store::new().unwrap(),
        profile.path(),
    );
    let overrides = Overrides {
        gateway_url: Some(gateway.url.clone()),
        ca_file: Some(gateway.ca_file()),
        first_display: Some(Display::Desktop),
    };
    let app = Assent::open_with(profile.path(), overrides, secrets)
        .await
        .unwrap();
    let mut steps = |_| {};
    app.enroll("+447700900001", &mut steps).await.unwrap();
    let sms = app.simulator_sms(Duration::from_secs(30)).await.unwrap();
    let enrolled = app.submit_code(&sms, &mut steps).await.unwrap();
    assert!(
        matches!(enrolled, Enrollment::Enrolled { .. }),
        "{enrolled:?}"
    );
    let auth_req_id = gateway
        .ciba_request(&http, DEMO_SP, "openid mc_identity_signup", "447700900001")
        .await
        .unwrap();
    let cards = app.inbox(Duration::from_secs(10)).await.unwrap();
    assert!(app.decide(&cards[0].id, true).await.unwrap());
    let access = gateway
        .ciba_token(&http, DEMO_SP, &auth_req_id)
        .await
        .unwrap();
    let premiuminfo = || {
        http.get(format!("{}/premiuminfo", gateway.url))
            .bearer_auth(&access)
            .send()
    };
    let shared = premiuminfo().await.unwrap();
    assert_eq!(shared.status(), 200);
    let shared: Value = shared.json().await.unwrap();
    let sub = shared["sub"].as_str().unwrap().to_owned();

    // Marie revokes Demo Shop in the app.
    let grant = app
        .grants()
        .await
        .unwrap()
        .into_iter()
        .find(|g| g.client_id == "demo-sp")
        .unwrap();
    let revoked_at = Instant::now();
    app.revoke(&grant.id).await.unwrap();

    // Demo Shop is told: a signed session-revoked for its sub of Marie, then tokens-revoked.
    let jwks: Value = http
        .get(format!("{}/jwks", gateway.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let first = tokio::time::timeout(Duration::from_secs(10), pushed.recv())
        .await
        .expect("Demo Shop was not told")
        .unwrap();
    println!(
        "session-revoked reached Demo Shop {} ms after the revoke",
        first.at.duration_since(revoked_at).as_millis()
    );
    assert_eq!(
        first.content_type.as_deref(),
        Some("application/secevent+jwt")
    );
    let claims = verified(&jwks, &first.set, &gateway.url);
    assert_eq!(
        claims["sub_id"],
        json!({"format": "iss_sub", "iss": gateway.url, "sub": sub})
    );
    assert_eq!(
        claims["events"][SESSION_REVOKED]["initiating_entity"],
        "user"
    );
    assert_eq!(claims["txn"], grant.id.as_str());
    let second = tokio::time::timeout(Duration::from_secs(10), pushed.recv())
        .await
        .expect("no tokens-revoked")
        .unwrap();
    let claims = verified(&jwks, &second.set, &gateway.url);
    assert!(claims["events"][TOKENS_REVOKED].is_object(), "{claims}");

    // Its next PremiumInfo call is refused.
    assert_eq!(premiuminfo().await.unwrap().status(), 401);

    // Marie consents again; then the operator revokes her phone (a lost phone reported to
    // customer care, through the operator's command, another process): Demo Shop is told
    // to end the session the phone may have started, and its tokens stand (the consent
    // does): no tokens-revoked.
    let auth_req_id = gateway
        .ciba_request(&http, DEMO_SP, "openid mc_identity_signup", "447700900001")
        .await
        .unwrap();
    let cards = app.inbox(Duration::from_secs(10)).await.unwrap();
    assert!(app.decide(&cards[0].id, true).await.unwrap());
    let again = gateway
        .ciba_token(&http, DEMO_SP, &auth_req_id)
        .await
        .unwrap();
    let phone = app
        .devices()
        .await
        .unwrap()
        .into_iter()
        .find(|d| d.this_device)
        .unwrap();
    gateway.admin(&["devices", "revoke", &phone.id]).unwrap();
    let told = tokio::time::timeout(Duration::from_secs(10), pushed.recv())
        .await
        .expect("Demo Shop was not told of the revoked device")
        .unwrap();
    let claims = verified(&jwks, &told.set, &gateway.url);
    assert_eq!(
        claims["events"][SESSION_REVOKED]["initiating_entity"],
        "admin"
    );
    assert_eq!(claims["sub_id"]["sub"], sub.as_str());
    let read = http
        .get(format!("{}/premiuminfo", gateway.url))
        .bearer_auth(&again)
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), 200, "the consent stands");
    assert!(
        tokio::time::timeout(Duration::from_millis(1500), pushed.recv())
            .await
            .is_err(),
        "no tokens-revoked: no token was revoked"
    );
}
