//! An ACME client for the tests, written against RFC 8555: one account key, nonces carried
//! from response to request; and enrollment of a number end to end through the simulator.

use super::{Gateway, client, handset};
use assent_acme::jws::{self, SignAs, SigningKey};
use assent_acme::{csr, sms_link, tnauthlist};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

/// A minimal ACME client: one account key, nonces carried from response to request.
pub struct Acme {
    pub http: reqwest::Client,
    directory: Value,
    pub key: SigningKey,
    pub kid: Option<String>,
    pub nonce: Option<String>,
}

pub struct Answer {
    pub status: u16,
    pub location: Option<String>,
    pub retry_after: Option<String>,
    pub content_type: String,
    pub body: Value,
    pub text: String,
}

impl Acme {
    pub async fn new(gateway: &Gateway) -> Acme {
        Acme::with_http(client(gateway, false), &gateway.url).await
    }

    /// A client on its own HTTP client (another name for the gateway), for the gateway whose
    /// issuer is `issuer`.
    pub async fn with_http(http: reqwest::Client, issuer: &str) -> Acme {
        let directory: Value = http
            .get(format!("{issuer}/acme/directory"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        Acme {
            http,
            directory,
            key: SigningKey::generate_es256(),
            kid: None,
            nonce: None,
        }
    }

    pub fn url(&self, name: &str) -> String {
        self.directory[name].as_str().unwrap().to_owned()
    }

    pub async fn fresh_nonce(&self) -> String {
        let response = self.http.head(self.url("newNonce")).send().await.unwrap();
        assert_eq!(response.status(), 200);
        response.headers()["replay-nonce"]
            .to_str()
            .unwrap()
            .to_owned()
    }

    /// Signs `payload` (None: POST-as-GET) for `url` with the current nonce.
    pub fn body(&self, nonce: &str, url: &str, payload: Option<&Value>) -> Value {
        let sign_as = match &self.kid {
            Some(kid) => SignAs::Kid(kid),
            None => SignAs::Jwk,
        };
        jws::sign(&self.key, sign_as, nonce, url, payload)
    }

    pub async fn send(&mut self, url: &str, body: &Value) -> Answer {
        let response = self
            .http
            .post(url)
            .header("content-type", "application/jose+json")
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .map(|v| v.to_str().unwrap().to_owned())
        };
        self.nonce = header("replay-nonce");
        let answer_head = (
            response.status().as_u16(),
            header("location"),
            header("retry-after"),
            header("content-type").unwrap_or_default(),
        );
        let text = response.text().await.unwrap();
        Answer {
            status: answer_head.0,
            location: answer_head.1,
            retry_after: answer_head.2,
            content_type: answer_head.3,
            body: serde_json::from_str(&text).unwrap_or(Value::Null),
            text,
        }
    }

    pub async fn post(&mut self, url: &str, payload: Option<&Value>) -> Answer {
        let nonce = match self.nonce.take() {
            Some(nonce) => nonce,
            None => self.fresh_nonce().await,
        };
        let body = self.body(&nonce, url, payload);
        self.send(url, &body).await
    }

    pub async fn register(&mut self) {
        let url = self.url("newAccount");
        let answer = self
            .post(
                &url,
                Some(&json!({"termsOfServiceAgreed": true, "contact": ["mailto:qa@example.org"]})),
            )
            .await;
        assert_eq!(answer.status, 201, "{}", answer.text);
        self.kid = answer.location;
    }

    /// A new order for `number`: (order URL, authz URL).
    pub async fn order(&mut self, number: &str) -> Answer {
        let url = self.url("newOrder");
        let value = tnauthlist::identifier_value(number).unwrap();
        self.post(
            &url,
            Some(&json!({"identifiers": [{"type": "TNAuthList", "value": value}]})),
        )
        .await
    }

    /// The challenge of an order: (challenge URL, token).
    pub async fn challenge_of(&mut self, order: &Answer) -> (String, String) {
        let authz_url = order.body["authorizations"][0].as_str().unwrap().to_owned();
        let authz = self.post(&authz_url, None).await;
        assert_eq!(authz.status, 200, "{}", authz.text);
        let challenge = &authz.body["challenges"][0];
        assert_eq!(challenge["type"], "sms-link-00");
        (
            challenge["url"].as_str().unwrap().to_owned(),
            challenge["token"].as_str().unwrap().to_owned(),
        )
    }

    pub fn key_authorization(&self, token: &str, code: &str) -> Value {
        json!({"keyAuthorization": sms_link::key_authorization(token, code, &self.key.public().thumbprint())})
    }
}

/// The code of the newest SMS on a handset, from the origin-bound last line `@host #code`.
pub async fn code_on_handset(gateway: &Gateway, http: &reqwest::Client, number: &str) -> String {
    let messages = handset(gateway, http, number).await;
    let sms = messages
        .iter()
        .rev()
        .find(|m| m["kind"] == "sms")
        .expect("an SMS arrived");
    let text = sms["text"].as_str().unwrap();
    let last = text.lines().last().unwrap();
    assert!(
        last.starts_with("@127.0.0.1 #"),
        "origin-bound last line: {last:?}"
    );
    last.rsplit('#').next().unwrap().to_owned()
}

/// Enrolls `number` end to end (account, order, SMS code, finalize) with a fresh P-256
/// device key; returns the key and the certificate's DER.
pub async fn enroll(gateway: &Gateway, number: &str) -> (rcgen::KeyPair, Vec<u8>) {
    let key = rcgen::KeyPair::generate().unwrap();
    let certificate = enroll_key(gateway, number, &key).await;
    (key, certificate)
}

/// Enrolls `number` end to end for the device key `key` (a renewal, when it is already a
/// device's); returns the certificate's DER.
pub async fn enroll_key(gateway: &Gateway, number: &str, key: &rcgen::KeyPair) -> Vec<u8> {
    let mut acme = Acme::new(gateway).await;
    acme.register().await;
    let order = acme.order(number).await;
    assert_eq!(order.status, 201, "{}", order.text);
    let (challenge_url, token) = acme.challenge_of(&order).await;
    acme.post(&challenge_url, Some(&json!({}))).await;
    let code = code_on_handset(gateway, &acme.http.clone(), number).await;
    let done = acme
        .post(&challenge_url, Some(&acme.key_authorization(&token, &code)))
        .await;
    assert_eq!(done.body["status"], "valid", "{}", done.text);
    let csr_der = csr::build_csr(number, key).unwrap();
    let finalize = order.body["finalize"].as_str().unwrap().to_owned();
    let issued = acme
        .post(
            &finalize,
            Some(&json!({"csr": URL_SAFE_NO_PAD.encode(&csr_der)})),
        )
        .await;
    let cert_url = issued.body["certificate"].as_str().unwrap().to_owned();
    let chain = acme.post(&cert_url, None).await;
    let first = chain
        .text
        .split("-----END CERTIFICATE-----")
        .next()
        .unwrap()
        .to_owned()
        + "-----END CERTIFICATE-----\n";
    rustls::pki_types::pem::PemObject::from_pem_slice(first.as_bytes())
        .map(|d: rustls::pki_types::CertificateDer<'static>| d.to_vec())
        .unwrap()
}
