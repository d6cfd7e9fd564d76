//! The app core's ACME client against the real gateway over TLS: it proves control of
//! +447700900001 by `sms-link-00`, reading the code from the handset simulator's SMS with the
//! core's code reader (origin-bound line, checked against the gateway's host), and gets a
//! certificate whose TNAuthList names the number; then, as the app does, it registers the
//! device with that certificate's key, answers a CIBA request from its inbox, revokes the
//! grant (the SP is refused at once), reports the SP and verifies its audit history.

// A failure anywhere in an end-to-end test is the test's failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use assent_acme::jws::SigningKey;
use assent_core::acme_client::AcmeClient;
use assent_core::device_client::DeviceClient;
use assent_e2e::DemoGateway;
use std::time::Duration;

const DEMO_SP: (&str, &str) = ("demo-sp", "demo-sp-secret");

#[tokio::test]
async fn the_core_enrolls_a_number_through_the_simulator() {
    let gateway = DemoGateway::start().unwrap();
    let http = gateway.http().unwrap();
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

    // The device key is the certificate's key: the core keeps one key for both.
    let device_key = SigningKey::generate_es256();
    let key = rcgen::KeyPair::from_pem(&device_key.to_pkcs8_pem()).unwrap();
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
    let der = assent_core::enrollment::leaf_certificate_der(&chain).unwrap();
    let list = assent_acme::cert::tn_auth_list_of_certificate(&der).unwrap();
    assert_eq!(list.single_number(), Some("447700900001"));

    // The device registers with that key and answers a CIBA request from its inbox.
    let mut device = DeviceClient::new(http.clone(), &gateway.url, device_key);
    let registered = device.register(&der, "QA phone").await.unwrap();
    assert_eq!(registered.number, "+447700900001");
    assert!(!registered.pending_approval, "the number's first device");
    assert!(device.inbox(Duration::ZERO).await.unwrap().is_empty());
    let auth_req_id = gateway
        .ciba_request(&http, DEMO_SP, "openid mc_vm_share", "447700900001")
        .await
        .unwrap();
    let pending = device.inbox(Duration::from_secs(5)).await.unwrap();
    assert_eq!(pending.len(), 1);
    assert!(
        pending[0].prompt.contains("Demo Shop"),
        "{}",
        pending[0].prompt
    );
    let shown = assent_core::device_client::Shown {
        text: &pending[0].prompt,
        rendered_as: None,
    };
    assert!(device.decide(&pending[0].id, &shown, true).await.unwrap());
    let access = gateway
        .ciba_token(&http, DEMO_SP, &auth_req_id)
        .await
        .unwrap();
    let premium = format!("{}/premiuminfo", gateway.url);
    assert_eq!(
        http.get(&premium)
            .bearer_auth(&access)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    // Revoke in the app: the SP is refused at once; report it; the history verifies.
    let grants = device.grants().await.unwrap();
    let demo = grants.iter().find(|g| g.client_id == "demo-sp").unwrap();
    device.revoke(&demo.id).await.unwrap();
    assert_eq!(
        http.get(&premium)
            .bearer_auth(&access)
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    device
        .flag("demo-sp", "asked again after I revoked")
        .await
        .unwrap();
    let history = device.audit_export().await.unwrap().entries;
    let kinds: Vec<&str> = history.iter().map(|e| e.content.kind.name()).collect();
    for kind in [
        "prompt_sent",
        "answer",
        "consent",
        "token_issued",
        "resource_access",
        "revocation",
        "sp_flagged",
    ] {
        assert!(kinds.contains(&kind), "{kind} missing from {kinds:?}");
    }

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
