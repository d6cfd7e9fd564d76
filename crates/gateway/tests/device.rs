//! Device registration with the key of an ACME certificate (seed 001: REG-3, SEC-1, SEC-2)
//! and the self-care device API (RFC 7523 assertions, DPoP-bound tokens): a CIBA request
//! reaches the app's inbox within a second, the decision is signed over the exact prompt,
//! the SP gets its tokens; a device of another number sees and answers nothing of it.

// Test helpers may unwrap: a failure there is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use assent_prompt::wire::{PromptContent, WireDevice};
use assent_prompt::{DeviceProfile, Renderer};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::acme_client::{Acme, enroll};
use common::{Gateway, client, fresh_postgres, jwt_claims, set_connections, start};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::time::{Duration, Instant};

const CIBA: &str = "urn:openid:params:grant-type:ciba";
const MARIE: &str = "447700900001";
const ANA: &str = "447700900003";

/// A device: its key (from its ACME certificate) and what the gateway gave it.
struct Phone {
    /// The device key (PKCS#8 PEM), which is also the certificate's key.
    key_pem: String,
    encoding: jsonwebtoken::EncodingKey,
    jwk: Value,
    cert: Vec<u8>,
    id: Option<String>,
    token: Option<String>,
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

fn jti() -> String {
    assent_gateway::base::ids::new_token()
}

impl Phone {
    async fn enrolled(gateway: &Gateway, number: &str) -> Phone {
        let (key, cert) = enroll(gateway, number).await;
        let public = p256::PublicKey::from_sec1_bytes(key.public_key_raw()).unwrap();
        Phone {
            key_pem: key.serialize_pem(),
            encoding: jsonwebtoken::EncodingKey::from_ec_pem(key.serialize_pem().as_bytes())
                .unwrap(),
            jwk: serde_json::from_str(&public.to_jwk_string()).unwrap(),
            cert,
            id: None,
            token: None,
        }
    }

    fn sign(&self, claims: &Value, typ: Option<&str>, with_jwk: bool) -> String {
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
        header.typ = typ.map(str::to_owned);
        if with_jwk {
            header.jwk = Some(serde_json::from_value(self.jwk.clone()).unwrap());
        }
        jsonwebtoken::encode(&header, claims, &self.encoding).unwrap()
    }

    /// A DPoP proof (RFC 9449 §4.2) for `method url`, bound to the access token if any.
    fn proof(&self, method: &str, url: &str) -> String {
        let mut claims = json!({"jti": jti(), "htm": method, "htu": url, "iat": now()});
        if let Some(token) = &self.token {
            claims["ath"] = json!(URL_SAFE_NO_PAD.encode(Sha256::digest(token.as_bytes())));
        }
        self.sign(&claims, Some("dpop+jwt"), true)
    }

    async fn register(&mut self, gateway: &Gateway, http: &reqwest::Client) -> (u16, Value) {
        let url = format!("{}/device/register", gateway.url);
        let assertion = self.sign(
            &json!({"aud": url, "exp": now() + 60, "jti": jti()}),
            None,
            false,
        );
        let body = json!({"certificate": URL_SAFE_NO_PAD.encode(&self.cert), "jwk": self.jwk,
                          "assertion": assertion, "name": "Marie's phone"});
        let response = http.post(&url).json(&body).send().await.unwrap();
        let status = response.status().as_u16();
        let body: Value = response.json().await.unwrap();
        if status == 201 {
            self.id = Some(body["device_id"].as_str().unwrap().to_owned());
        }
        (status, body)
    }

    async fn login(&mut self, gateway: &Gateway, http: &reqwest::Client) {
        let (status, body) = self.try_login(gateway, http).await;
        assert_eq!(
            (status, &body["token_type"]),
            (200, &json!("DPoP")),
            "{body}"
        );
        self.token = Some(body["access_token"].as_str().unwrap().to_owned());
    }

    /// Asks for a device token; the status and body as they came.
    async fn try_login(&mut self, gateway: &Gateway, http: &reqwest::Client) -> (u16, Value) {
        let url = format!("{}/device/token", gateway.url);
        let id = self.id.clone().unwrap();
        let assertion = self.sign(
            &json!({"iss": id, "sub": id, "aud": url, "exp": now() + 60, "jti": jti()}),
            None,
            false,
        );
        self.token = None;
        let response = http
            .post(&url)
            .header("DPoP", self.proof("POST", &url))
            .form(&[
                ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
                ("assertion", assertion.as_str()),
            ])
            .send()
            .await
            .unwrap();
        (response.status().as_u16(), response.json().await.unwrap())
    }

    fn get(
        &self,
        http: &reqwest::Client,
        gateway: &Gateway,
        path_and_query: &str,
    ) -> reqwest::RequestBuilder {
        let path = path_and_query.split('?').next().unwrap();
        let url = format!("{}{path}", gateway.url);
        http.get(format!("{}{path_and_query}", gateway.url))
            .header(
                "Authorization",
                format!("DPoP {}", self.token.as_deref().unwrap()),
            )
            .header("DPoP", self.proof("GET", &url))
    }

    /// A DPoP-authenticated POST without a body.
    fn post(
        &self,
        http: &reqwest::Client,
        gateway: &Gateway,
        path: &str,
    ) -> reqwest::RequestBuilder {
        let url = format!("{}{path}", gateway.url);
        http.post(&url)
            .header(
                "Authorization",
                format!("DPoP {}", self.token.as_deref().unwrap()),
            )
            .header("DPoP", self.proof("POST", &url))
    }

    async fn decide(
        &self,
        http: &reqwest::Client,
        gateway: &Gateway,
        id: &str,
        prompt_sha256: &str,
        answer: &str,
    ) -> (u16, Value) {
        self.decide_shown(http, gateway, id, prompt_sha256, answer, Value::Null)
            .await
    }

    /// A decision over a prompt the app rendered itself, as `shown` says.
    async fn decide_shown(
        &self,
        http: &reqwest::Client,
        gateway: &Gateway,
        id: &str,
        prompt_sha256: &str,
        answer: &str,
        shown: Value,
    ) -> (u16, Value) {
        let url = format!("{}/device/inbox/{id}/decision", gateway.url);
        let decision = self.sign(
            &json!({"aud": gateway.url, "request": id, "answer": answer, "shown": shown,
                    "prompt_sha256": prompt_sha256, "exp": now() + 60, "jti": jti()}),
            None,
            false,
        );
        let response = http
            .post(&url)
            .header(
                "Authorization",
                format!("DPoP {}", self.token.as_deref().unwrap()),
            )
            .header("DPoP", self.proof("POST", &url))
            .json(&json!({ "decision": decision }))
            .send()
            .await
            .unwrap();
        (response.status().as_u16(), response.json().await.unwrap())
    }
}

/// Answers the one "Add a new device?" prompt in `approver`'s inbox; the answer as it came.
async fn answer_binding(
    approver: &Phone,
    http: &reqwest::Client,
    gateway: &Gateway,
    answer: &str,
) -> (u16, Value) {
    let inbox: Value = approver
        .get(http, gateway, "/device/inbox")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let asks: Vec<&Value> = inbox["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| {
            r["prompt"]
                .as_str()
                .unwrap()
                .starts_with("Add a new device?")
        })
        .collect();
    assert_eq!(asks.len(), 1, "{inbox}");
    let (id, sha) = (
        asks[0]["id"].as_str().unwrap(),
        asks[0]["prompt_sha256"].as_str().unwrap(),
    );
    approver.decide(http, gateway, id, sha, answer).await
}

/// Demo Shop's CIBA request for Marie (`openid mc_identity_signup`); the answer as it came.
async fn demo_shop_asks_for_marie(http: &reqwest::Client, gateway: &Gateway) -> reqwest::Response {
    http.post(format!("{}/bc-authorize", gateway.url))
        .basic_auth("demo-sp", Some("demo-sp-secret"))
        .form(&[
            ("scope", "openid mc_identity_signup"),
            ("login_hint", "MSISDN:447700900001"),
        ])
        .send()
        .await
        .unwrap()
}

async fn consent_in_the_app(database_url: Option<&str>) {
    let dir = tempfile::tempdir().unwrap();
    let gateway = start(&dir.path().join("gw"), database_url);
    let http = client(&gateway, false);

    // Registration: once per certificate; the key must be the certificate's.
    let mut phone = Phone::enrolled(&gateway, MARIE).await;
    let (status, body) = phone.register(&gateway, &http).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["number"], "+447700900001");
    let mut again = Phone {
        id: None,
        ..Phone::enrolled(&gateway, MARIE).await
    };
    again.cert = phone.cert.clone();
    let (status, body) = again.register(&gateway, &http).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (403, Some("key_mismatch")),
        "another key for that certificate"
    );
    let mut copy = Phone {
        id: None,
        token: None,
        ..Phone::enrolled(&gateway, MARIE).await
    };
    copy.cert = phone.cert.clone();
    copy.encoding = phone.encoding.clone();
    copy.jwk = phone.jwk.clone();
    let (status, body) = copy.register(&gateway, &http).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (409, Some("already_registered")),
        "REG-3"
    );
    let store = assent_gateway::store::Store::open(database_url, &gateway.data_dir)
        .await
        .unwrap();
    let attempts = store.registration_attempts().await.unwrap();
    assert_eq!(
        attempts,
        [
            ("registered".to_owned(), "ok".to_owned()),
            ("refused".to_owned(), "key_mismatch".to_owned()),
            ("refused".to_owned(), "already_registered".to_owned()),
        ],
        "SEC-1: every attempt is recorded"
    );
    // A number may have several devices, each with its own certificate; one added beside a
    // live device is bound once that device approves it (NIST SP 800-63B §6.1.2.1).
    let mut tablet = Phone::enrolled(&gateway, MARIE).await;
    let (status, body) = tablet.register(&gateway, &http).await;
    assert_eq!(
        (status, &body["pending_approval"]),
        (201, &json!(true)),
        "{body}"
    );
    assert_ne!(tablet.id, phone.id);

    // The device API needs a DPoP-bound token.
    let unauthenticated = http
        .get(format!("{}/device/inbox", gateway.url))
        .send()
        .await
        .unwrap();
    assert_eq!(unauthenticated.status(), 401);
    assert!(
        unauthenticated.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("DPoP")
    );
    phone.login(&gateway, &http).await;
    answer_binding(&phone, &http, &gateway, "approve").await;
    let empty: Value = phone
        .get(&http, &gateway, "/device/inbox")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(empty["requests"], json!([]));
    // A proof for another URL, or a replayed proof, is refused.
    let token = phone.token.clone().unwrap();
    let elsewhere = http
        .get(format!("{}/device/inbox", gateway.url))
        .header("Authorization", format!("DPoP {token}"))
        .header(
            "DPoP",
            phone.proof("GET", &format!("{}/device/token", gateway.url)),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(elsewhere.status(), 401);
    let proof = phone.proof("GET", &format!("{}/device/inbox", gateway.url));
    for expected in [200, 401] {
        let replay = http
            .get(format!("{}/device/inbox", gateway.url))
            .header("Authorization", format!("DPoP {token}"))
            .header("DPoP", &proof)
            .send()
            .await
            .unwrap();
        assert_eq!(replay.status().as_u16(), expected);
    }

    // A CIBA request reaches the app's inbox (long polling) within a second.
    let waiting = phone.get(&http, &gateway, "/device/inbox?wait=10").send();
    let waiting = tokio::spawn(waiting);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let asked = Instant::now();
    let (status, grant) = {
        let response = demo_shop_asks_for_marie(&http, &gateway).await;
        (
            response.status().as_u16(),
            response.json::<Value>().await.unwrap(),
        )
    };
    assert_eq!(status, 200, "{grant}");
    let inbox: Value = waiting.await.unwrap().unwrap().json().await.unwrap();
    let arrived = asked.elapsed();
    assert!(
        arrived < Duration::from_secs(1),
        "the request reached the app in {arrived:?}"
    );
    let request = &inbox["requests"][0];
    let id = request["id"].as_str().unwrap().to_owned();
    let prompt = request["prompt"].as_str().unwrap();
    assert!(
        prompt.contains("Demo Shop") && prompt.contains("Marie"),
        "{prompt}"
    );
    let shown = hex::encode(Sha256::digest(prompt.as_bytes()));
    assert_eq!(request["prompt_sha256"], shown.as_str());

    // Another number's device sees none of it and cannot answer it.
    let mut other = Phone::enrolled(&gateway, ANA).await;
    assert_eq!(other.register(&gateway, &http).await.0, 201);
    other.login(&gateway, &http).await;
    let theirs: Value = other
        .get(&http, &gateway, "/device/inbox")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(theirs["requests"], json!([]));
    let (status, _) = other.decide(&http, &gateway, &id, &shown, "approve").await;
    assert_eq!(status, 404);

    // The decision is bound to the exact prompt shown, and signed by the device key.
    let (status, body) = phone
        .decide(&http, &gateway, &id, &"0".repeat(64), "approve")
        .await;
    assert_eq!(status, 400, "{body}");

    // The app may show the request's content rendered for its own screen and language (a
    // phone in French here): the gateway renders it again, and takes a decision over that
    // text only — not over its own text while saying the French one was shown.
    let content: PromptContent = serde_json::from_value(request["content"].clone()).unwrap();
    let phone_screen = DeviceProfile::phone();
    let french = content
        .render(Renderer::shared().unwrap(), &phone_screen, Some("fr"))
        .unwrap()
        .text;
    assert_ne!(french, prompt);
    let shown_french = json!({"device": WireDevice::from(&phone_screen), "locale": "fr"});
    let (status, body) = phone
        .decide_shown(
            &http,
            &gateway,
            &id,
            &shown,
            "approve",
            shown_french.clone(),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    let french_sha256 = hex::encode(Sha256::digest(french.as_bytes()));
    let (status, body) = phone
        .decide_shown(
            &http,
            &gateway,
            &id,
            &french_sha256,
            "approve",
            shown_french,
        )
        .await;
    assert_eq!(
        (status, body["accepted"].as_bool()),
        (200, Some(true)),
        "{body}"
    );
    let (status, _) = phone.decide(&http, &gateway, &id, &shown, "deny").await;
    assert_eq!(status, 409, "answered once");

    // The SP gets its tokens; the ID token says the app authenticated the user.
    let auth_req_id = grant["auth_req_id"].as_str().unwrap();
    let response = http
        .post(format!("{}/token", gateway.url))
        .basic_auth("demo-sp", Some("demo-sp-secret"))
        .form(&[("grant_type", CIBA), ("auth_req_id", auth_req_id)])
        .send()
        .await
        .unwrap();
    let tokens: Value = response.json().await.unwrap();
    assert_eq!(
        jwt_claims(tokens["id_token"].as_str().unwrap())["amr"],
        json!(["app"]),
        "{tokens}"
    );
    // The level of assurance the app reached (MC_ATTR_04: LoA 3).
    assert_eq!(
        jwt_claims(tokens["id_token"].as_str().unwrap())["acr"],
        "3",
        "{tokens}"
    );
    let access = tokens["access_token"].as_str().unwrap().to_owned();
    let premium = format!("{}/premiuminfo", gateway.url);
    let read = http
        .get(&premium)
        .bearer_auth(&access)
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), 200);

    // Notifications: Demo Shop read the data (MC_ATTR_19).
    let told: Value = phone
        .get(&http, &gateway, "/device/notifications")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        told["notifications"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["client_id"] == "demo-sp"),
        "{told}"
    );
    // Grants: Demo Shop's long-lived consent, what it covers, when it was last used.
    let grants: Value = phone
        .get(&http, &gateway, "/device/grants")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let grant = grants["grants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["client_id"] == "demo-sp")
        .unwrap()
        .clone();
    assert_eq!(grant["client_name"], "Demo Shop");
    assert_eq!(grant["services"], json!(["mc_identity_signup"]));
    assert!(
        grant["attributes"]
            .as_array()
            .unwrap()
            .contains(&json!("given_name"))
    );
    assert!(grant["last_used"].is_string(), "{grant}");
    let grant_id = grant["id"].as_str().unwrap().to_owned();
    // Grant Management: the token response named this grant, by the id the app knows it by.
    assert_eq!(tokens["grant_id"], json!(grant_id), "{tokens}");
    // Another number's device cannot revoke it.
    let post = |who: &Phone, path: &str| {
        let url = format!("{}{path}", gateway.url);
        http.post(&url)
            .header(
                "Authorization",
                format!("DPoP {}", who.token.as_deref().unwrap()),
            )
            .header("DPoP", who.proof("POST", &url))
    };
    let refused = post(&other, &format!("/device/grants/{grant_id}/revoke"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 404);
    assert_eq!(
        http.get(&premium)
            .bearer_auth(&access)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    // Revoking it kills the SP's token at once (MC_ATTR_20).
    let revoked = post(&phone, &format!("/device/grants/{grant_id}/revoke"))
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), 200);
    let refused = http
        .get(&premium)
        .bearer_auth(&access)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    // Report the SP; the operator sees it.
    let flagged = post(&phone, "/device/flags")
        .json(&json!({"client_id": "demo-sp", "reason": "kept reading after I said no"}))
        .send()
        .await
        .unwrap();
    assert_eq!(flagged.status(), 201);
    let (ok, out) = common::admin(&gateway.data_dir, database_url, &["flags"]);
    assert!(
        ok && out.contains("demo-sp") && out.contains("kept reading"),
        "{out}"
    );

    // Audit history: filtered, paged, and exported with a chain that verifies offline.
    let page: Value = phone
        .get(&http, &gateway, "/device/audit?sp=demo-sp&kind=revocation")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let entries = page["entries"].as_array().unwrap();
    assert!(
        !entries.is_empty()
            && entries
                .iter()
                .all(|e| e["kind"] == "revocation" && e["sp"] == "demo-sp"),
        "{page}"
    );
    // The SPs' names come with the page, for display.
    assert_eq!(page["sp_names"], json!({"demo-sp": "Demo Shop"}), "{page}");
    let first: Value = phone
        .get(&http, &gateway, "/device/audit?limit=2")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let cursor = first["next"].as_u64().unwrap();
    let second: Value = phone
        .get(
            &http,
            &gateway,
            &format!("/device/audit?limit=2&after={cursor}"),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(second["entries"][0]["seq"].as_u64().unwrap() > cursor);
    let export: Value = phone
        .get(&http, &gateway, "/device/audit/export")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let user = export["user"].as_str().unwrap();
    let chain: Vec<assent_audit::AuditEntry> =
        serde_json::from_value(export["entries"].clone()).unwrap();
    let head = assent_audit::verify_user_chain(user, &chain).unwrap();
    assert_eq!(head.to_hex(), export["head"].as_str().unwrap());
    // Every SP the entries name, named (outside the chain, which verified without them).
    assert_eq!(export["sp_names"]["demo-sp"], "Demo Shop", "{export}");
    for sp in chain.iter().filter_map(|e| e.content.sp.as_deref()) {
        assert!(export["sp_names"][sp].is_string(), "{sp} unnamed");
    }
    assert!(
        chain
            .iter()
            .all(|e| e.content.user.as_deref() == Some(user)),
        "only the user's own entries"
    );
    let mut tampered = chain.clone();
    tampered[1].content.detail.push(' ');
    assert!(
        assent_audit::verify_user_chain(user, &tampered).is_err(),
        "a change is detected"
    );
    assert_eq!(
        jwt_claims(export["signed_head"].as_str().unwrap())["head"],
        export["head"]
    );
    let (ok, out) = common::admin(&gateway.data_dir, database_url, &["audit", "verify"]);
    assert!(ok, "{out}");
}

#[tokio::test]
async fn sqlite_consent_in_the_app_through_the_device_api() {
    consent_in_the_app(None).await;
}

#[tokio::test]
async fn postgres_consent_in_the_app_through_the_device_api() {
    consent_in_the_app(Some(&fresh_postgres().await)).await;
}

/// The logs of enrollment (ACME) and of the device API, at debug level, hold no number,
/// code, token or user data.
#[tokio::test]
async fn logs_of_enrollment_and_the_device_api_hold_no_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("gateway.log");
    let gateway = common::start_logging(&dir.path().join("gw"), None, Some(&log));
    let http = client(&gateway, false);
    let mut phone = Phone::enrolled(&gateway, MARIE).await;
    assert_eq!(phone.register(&gateway, &http).await.0, 201);
    phone.login(&gateway, &http).await;
    let code = {
        let messages = common::handset(&gateway, &http, MARIE).await;
        let text = messages.last().unwrap()["text"]
            .as_str()
            .unwrap()
            .to_owned();
        text.rsplit('#').next().unwrap().to_owned()
    };
    let response = demo_shop_asks_for_marie(&http, &gateway).await;
    assert_eq!(response.status(), 200);
    let inbox: Value = phone
        .get(&http, &gateway, "/device/inbox?wait=5")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = inbox["requests"][0]["id"].as_str().unwrap().to_owned();
    let shown = inbox["requests"][0]["prompt_sha256"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        phone
            .decide(&http, &gateway, &id, &shown, "approve")
            .await
            .0,
        200
    );
    let device_token = phone.token.clone().unwrap();
    drop(gateway);

    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.contains("store ready"), "the log was captured");
    // The code itself is six digits, which timestamps' microseconds may contain by chance:
    // look for it as the SMS writes it instead.
    let code_in_sms = format!("#{code}");
    for secret in [
        "447700900001",
        "7700900001",
        code_in_sms.as_str(),
        device_token.as_str(),
        "Marie",
        "marie.curie@example.org",
        "demo-sp-secret",
    ] {
        assert!(!text.contains(secret), "the log holds {secret:?}");
    }
}

/// RFC 8555 §7.6: a certificate revoked (here with its own key, as a user whose phone was
/// lost would) takes its device with it: no new device token, the token in hand stops
/// working, and a consent prompt goes to the user's other authenticator (USSD) instead of
/// an app inbox that no device can open any more.
#[tokio::test]
async fn a_revoked_certificate_revokes_its_device_and_prompts_skip_the_app() {
    let dir = tempfile::tempdir().unwrap();
    let gateway = start(&dir.path().join("gw"), None);
    let http = client(&gateway, false);
    let mut phone = Phone::enrolled(&gateway, MARIE).await;
    assert_eq!(phone.register(&gateway, &http).await.0, 201);
    phone.login(&gateway, &http).await;
    let inbox = phone
        .get(&http, &gateway, "/device/inbox")
        .send()
        .await
        .unwrap();
    assert_eq!(inbox.status(), 200);

    let mut acme = Acme::new(&gateway).await;
    let url = acme.url("revokeCert");
    let nonce = acme.fresh_nonce().await;
    let certificate_key = assent_acme::jws::SigningKey::from_pkcs8_pem(&phone.key_pem).unwrap();
    let body = assent_acme::jws::sign(
        &certificate_key,
        assent_acme::jws::SignAs::Jwk,
        &nonce,
        &url,
        Some(&json!({"certificate": URL_SAFE_NO_PAD.encode(&phone.cert)})),
    );
    let revoked = acme.send(&url, &body).await;
    assert_eq!(revoked.status, 200, "{}", revoked.text);

    let inbox = phone
        .get(&http, &gateway, "/device/inbox")
        .send()
        .await
        .unwrap();
    assert_eq!(inbox.status(), 401, "the token in hand stops working");
    let (status, body) = phone.try_login(&gateway, &http).await;
    assert_eq!(status, 401, "no device token after revocation: {body}");

    let asked = demo_shop_asks_for_marie(&http, &gateway).await;
    assert_eq!(asked.status(), 200);
    let messages = common::handset(&gateway, &http, MARIE).await;
    let prompt = messages
        .iter()
        .rev()
        .find(|m| m["open"] == true)
        .expect("the prompt went to the handset");
    assert_eq!(prompt["kind"], "ussd", "{prompt}");
    assert!(
        prompt["text"].as_str().unwrap().contains("Demo Shop"),
        "{prompt}"
    );
}

/// From outside, with `--certificate-lifetime 40s`: an enrolled app is refused once its
/// certificate has expired (401 `certificate_expired`, for the token in hand and for a new
/// one), and the next CIBA prompt reaches the handset instead.
async fn an_expired_certificate_ends_its_device(database_url: Option<&str>) {
    let dir = tempfile::tempdir().unwrap();
    let gateway = common::start_with(
        &dir.path().join("gw"),
        database_url,
        None,
        &["--certificate-lifetime", "40s"],
    );
    let http = client(&gateway, false);
    let mut phone = Phone::enrolled(&gateway, MARIE).await;
    let enrolled = Instant::now();
    assert_eq!(phone.register(&gateway, &http).await.0, 201);
    phone.login(&gateway, &http).await;
    let inbox = phone
        .get(&http, &gateway, "/device/inbox")
        .send()
        .await
        .unwrap();
    assert_eq!(inbox.status(), 200);

    // The certificate was issued before `enrolled`: 41 s after it, it is over.
    tokio::time::sleep(Duration::from_secs(41).saturating_sub(enrolled.elapsed())).await;
    let inbox = phone
        .get(&http, &gateway, "/device/inbox")
        .send()
        .await
        .unwrap();
    assert_eq!(inbox.status(), 401);
    let body: Value = inbox.json().await.unwrap();
    assert_eq!(body["error"], "certificate_expired", "{body}");
    let (status, body) = phone.try_login(&gateway, &http).await;
    assert_eq!(
        (status, &body["error"]),
        (401, &json!("certificate_expired"))
    );

    let asked = demo_shop_asks_for_marie(&http, &gateway).await;
    assert_eq!(asked.status(), 200);
    let messages = common::handset(&gateway, &http, MARIE).await;
    let prompt = messages
        .iter()
        .rev()
        .find(|m| m["open"] == true)
        .expect("the prompt went to the handset");
    assert_eq!(prompt["kind"], "ussd", "{prompt}");
}

#[tokio::test]
async fn sqlite_an_expired_certificate_ends_its_device_and_prompts_reach_the_handset() {
    an_expired_certificate_ends_its_device(None).await;
}

#[tokio::test]
async fn postgres_an_expired_certificate_ends_its_device_and_prompts_reach_the_handset() {
    let url = fresh_postgres().await;
    an_expired_certificate_ends_its_device(Some(&url)).await;
}

/// The one decision for a database out of reach holds on the device API too (it answered
/// 500 before): 503 `server_error` with `Retry-After`, and the same token serves again once
/// the database is back.
#[tokio::test]
async fn postgres_outage_is_503_with_retry_after_on_the_device_api() {
    let url = fresh_postgres().await;
    let dir = tempfile::tempdir().unwrap();
    let gateway = start(&dir.path().join("gw"), Some(&url));
    let http = client(&gateway, false);
    let mut phone = Phone::enrolled(&gateway, MARIE).await;
    let (status, body) = phone.register(&gateway, &http).await;
    assert_eq!(status, 201, "{body}");
    phone.login(&gateway, &http).await;
    let grants = |phone: &Phone| phone.get(&http, &gateway, "/device/grants").send();
    assert_eq!(grants(&phone).await.unwrap().status().as_u16(), 200);

    set_connections(&url, false).await;
    let down = grants(&phone).await.unwrap();
    let retry_after = down
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_owned());
    let status = down.status().as_u16();
    let body: Value = down.json().await.unwrap();
    assert_eq!(
        (status, body["error"].as_str(), retry_after.as_deref()),
        (503, Some("server_error"), Some("2")),
        "{body}"
    );

    set_connections(&url, true).await;
    let mut recovered = 0;
    for _ in 0..40 {
        recovered = grants(&phone).await.unwrap().status().as_u16();
        if recovered == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert_eq!(recovered, 200, "the same process serves again");
}

/// The user sees every device bound to the account and revokes one (NIST SP 800-63B §6.1,
/// §6.2): Marie's laptop revokes her lost phone, whose token in hand stops working and which
/// gets no new one; someone else's device or an unknown one is 404 and changes nothing; the
/// operator lists her devices by number and revokes the laptop too, audited as the
/// operator's.
async fn devices_are_listed_and_revoked(database_url: Option<&str>) {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("gw");
    let gateway = start(&data_dir, database_url);
    let http = client(&gateway, false);
    let mut phone = Phone::enrolled(&gateway, MARIE).await;
    assert_eq!(phone.register(&gateway, &http).await.0, 201);
    phone.login(&gateway, &http).await;
    let mut laptop = Phone::enrolled(&gateway, MARIE).await;
    assert_eq!(laptop.register(&gateway, &http).await.0, 201);
    let (status, body) = answer_binding(&phone, &http, &gateway, "approve").await;
    assert_eq!((status, &body["accepted"]), (200, &json!(true)), "{body}");
    laptop.login(&gateway, &http).await;
    let mut ana = Phone::enrolled(&gateway, ANA).await;
    assert_eq!(ana.register(&gateway, &http).await.0, 201);
    ana.login(&gateway, &http).await;
    let (phone_id, laptop_id) = (phone.id.clone().unwrap(), laptop.id.clone().unwrap());
    // SEC-1: every attempt is recorded with its outcome, and listed per account.
    let attempts = |number: Option<&str>| {
        let mut args = vec!["registrations", "list"];
        args.extend(number);
        let (ok, out) = common::admin(&data_dir, database_url, &args);
        assert!(ok, "{out}");
        out.lines()
            .map(|line| line.split(' ').nth(1).unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(attempts(Some(MARIE)), ["registered", "registered"]);
    assert_eq!(attempts(Some(&format!("+{ANA}"))), ["registered"]);
    assert_eq!(attempts(None).len(), 3);
    let (ok, out) = common::admin(
        &data_dir,
        database_url,
        &["registrations", "list", "447700900999"],
    );
    assert!(!ok && out.contains("no user with this number"), "{out}");
    // A binding made without approval (no other device) was told to the number's holder by
    // SMS (NIST SP 800-63B §6.1.2.1); the laptop was approved on the phone instead.
    let notices = |number: &'static str| {
        let (gateway, http) = (&gateway, &http);
        async move {
            common::handset(gateway, http, number)
                .await
                .iter()
                .filter(|m| {
                    m["kind"] == "sms"
                        && m["text"]
                            .as_str()
                            .unwrap()
                            .starts_with("Assent: a new device was added to your number")
                })
                .count()
        }
    };
    assert_eq!((notices(MARIE).await, notices(ANA).await), (1, 1));

    let listed: Value = laptop
        .get(&http, &gateway, "/device/devices")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let devices = listed["devices"].as_array().unwrap();
    let ids: Vec<&str> = devices.iter().map(|d| d["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [phone_id.as_str(), laptop_id.as_str()], "{listed}");
    assert_eq!(devices[0]["status"], "active");
    assert_eq!(devices[0]["this_device"], false);
    assert_eq!(devices[1]["this_device"], true);
    assert!(devices[0]["expires_at"].as_str().unwrap().starts_with("20"));

    // Ana cannot revoke Marie's phone, nor anyone an unknown device.
    for (who, id) in [(&ana, phone_id.as_str()), (&laptop, "d-unknown")] {
        let path = format!("/device/devices/{id}/revoke");
        let response = who.post(&http, &gateway, &path).send().await.unwrap();
        assert_eq!(response.status(), 404);
    }
    assert_eq!(
        phone
            .get(&http, &gateway, "/device/inbox")
            .send()
            .await
            .unwrap()
            .status(),
        200
    );

    let path = format!("/device/devices/{phone_id}/revoke");
    let revoked: Value = laptop
        .post(&http, &gateway, &path)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(revoked, json!({"id": phone_id, "revoked": true}));
    assert_eq!(
        phone
            .get(&http, &gateway, "/device/inbox")
            .send()
            .await
            .unwrap()
            .status(),
        401,
        "the token in hand stops working"
    );
    assert_eq!(phone.try_login(&gateway, &http).await.0, 401);
    let again = laptop.post(&http, &gateway, &path).send().await.unwrap();
    assert_eq!(again.status(), 404, "revoked already");
    let listed: Value = laptop
        .get(&http, &gateway, "/device/devices")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed["devices"][0]["status"], "revoked", "{listed}");
    assert!(listed["devices"][0]["revoked_at"].is_string(), "{listed}");

    // The operator's view, by number; and the operator's revocation.
    let (ok, out) = common::admin(
        &data_dir,
        database_url,
        &["devices", "list", "+447700900001"],
    );
    assert!(ok, "{out}");
    let lines: Vec<Vec<&str>> = out.lines().map(|l| l.split('\t').collect()).collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert_eq!(
        (lines[0][0], lines[0][2]),
        (phone_id.as_str(), "revoked"),
        "{out}"
    );
    assert_eq!(
        (lines[1][0], lines[1][2]),
        (laptop_id.as_str(), "active"),
        "{out}"
    );
    let (ok, out) = common::admin(&data_dir, database_url, &["devices", "revoke", &laptop_id]);
    assert!(ok, "{out}");
    assert_eq!(
        laptop
            .get(&http, &gateway, "/device/inbox")
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    let (ok, out) = common::admin(&data_dir, database_url, &["devices", "revoke", &laptop_id]);
    assert!(!ok && out.contains("no device"), "{out}");
    let (ok, out) = common::admin(
        &data_dir,
        database_url,
        &["devices", "list", "447700900099"],
    );
    assert!(!ok && out.contains("no user"), "{out}");
    // Both revocations are in the trail: by Marie's laptop, and by the operator.
    let (ok, out) = common::admin(
        &data_dir,
        database_url,
        &["audit", "list", "--kind", "revocation", "--json"],
    );
    assert!(ok, "{out}");
    let details: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["detail"].clone())
        .collect();
    assert!(
        details.contains(&json!({"action": "device_revoked", "device": phone_id, "by": {"user": {"device": laptop_id}}})),
        "{out}"
    );
    assert!(
        details
            .contains(&json!({"action": "device_revoked", "device": laptop_id, "by": "operator"})),
        "{out}"
    );
}

#[tokio::test]
async fn sqlite_devices_are_listed_and_revoked_by_the_user_and_the_operator() {
    devices_are_listed_and_revoked(None).await;
}

#[tokio::test]
async fn postgres_devices_are_listed_and_revoked_by_the_user_and_the_operator() {
    let url = fresh_postgres().await;
    devices_are_listed_and_revoked(Some(&url)).await;
}

/// Renewal (NIST SP 800-63B §6.1.4), from outside with `--certificate-lifetime 8s`: the
/// device's certificate expires and the device is refused; a fresh proof of the number
/// certifies the device's own key again, and registering that certificate renews the same
/// device — same id, one device in the list, working again until the new expiry. The old
/// certificate registers nothing.
async fn renewal_keeps_the_device(database_url: Option<&str>) {
    let dir = tempfile::tempdir().unwrap();
    let gateway = common::start_with(
        &dir.path().join("gw"),
        database_url,
        None,
        &["--certificate-lifetime", "8s"],
    );
    let http = client(&gateway, false);
    let mut phone = Phone::enrolled(&gateway, MARIE).await;
    assert_eq!(phone.register(&gateway, &http).await.0, 201);
    let device_id = phone.id.clone().unwrap();
    phone.login(&gateway, &http).await;
    let old_certificate = phone.cert.clone();
    tokio::time::sleep(Duration::from_secs(9)).await;
    let expired = phone
        .get(&http, &gateway, "/device/inbox")
        .send()
        .await
        .unwrap();
    assert_eq!(expired.status(), 401);

    let key = rcgen::KeyPair::from_pem(&phone.key_pem).unwrap();
    phone.cert = common::acme_client::enroll_key(&gateway, MARIE, &key).await;
    let (status, body) = phone.register(&gateway, &http).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(
        (&body["device_id"], &body["renewed"]),
        (&json!(device_id), &json!(true))
    );
    phone.login(&gateway, &http).await;
    let listed: Value = phone
        .get(&http, &gateway, "/device/devices")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let devices = listed["devices"].as_array().unwrap();
    assert_eq!(devices.len(), 1, "{listed}");
    assert_eq!(
        (&devices[0]["id"], &devices[0]["status"]),
        (&json!(device_id), &json!("active"))
    );
    assert_eq!(
        phone
            .get(&http, &gateway, "/device/inbox")
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    phone.cert = old_certificate;
    let (status, body) = phone.register(&gateway, &http).await;
    assert_eq!(status, 403, "{body}");
}

#[tokio::test]
async fn sqlite_a_renewed_certificate_keeps_the_device_and_its_id() {
    renewal_keeps_the_device(None).await;
}

#[tokio::test]
async fn postgres_a_renewed_certificate_keeps_the_device_and_its_id() {
    let url = fresh_postgres().await;
    renewal_keeps_the_device(Some(&url)).await;
}

/// Binding an additional device (NIST SP 800-63B §6.1.2.1), from outside: beside Marie's
/// phone, her laptop is bound only once the phone approves it ("Add a new device?" in its
/// inbox, a signed decision); until then its token requests are 403 `approval_pending`. A
/// tablet the phone refuses stays out (`approval_refused`). The SMS proof alone — a swapped
/// SIM — no longer adds a device beside the user's.
async fn a_new_device_is_bound_once_an_existing_one_approves(database_url: Option<&str>) {
    let dir = tempfile::tempdir().unwrap();
    let gateway = start(&dir.path().join("gw"), database_url);
    let http = client(&gateway, false);
    let mut phone = Phone::enrolled(&gateway, MARIE).await;
    let (status, body) = phone.register(&gateway, &http).await;
    assert_eq!(
        (status, &body["pending_approval"]),
        (201, &json!(false)),
        "{body}"
    );
    phone.login(&gateway, &http).await;

    let mut laptop = Phone::enrolled(&gateway, MARIE).await;
    let (status, body) = laptop.register(&gateway, &http).await;
    assert_eq!(
        (status, &body["pending_approval"]),
        (201, &json!(true)),
        "{body}"
    );
    let (status, body) = laptop.try_login(&gateway, &http).await;
    assert_eq!(
        (status, &body["error"]),
        (403, &json!("approval_pending")),
        "{body}"
    );
    let status_of = |id: String| {
        let (phone, http, gateway) = (&phone, &http, &gateway);
        async move {
            let listed: Value = phone
                .get(http, gateway, "/device/devices")
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            listed["devices"]
                .as_array()
                .unwrap()
                .iter()
                .find(|d| d["id"] == id.as_str())
                .unwrap()["status"]
                .clone()
        }
    };
    assert_eq!(status_of(laptop.id.clone().unwrap()).await, "pending");
    let (status, body) = answer_binding(&phone, &http, &gateway, "approve").await;
    assert_eq!((status, &body["accepted"]), (200, &json!(true)), "{body}");
    laptop.login(&gateway, &http).await;
    assert_eq!(status_of(laptop.id.clone().unwrap()).await, "active");

    let mut tablet = Phone::enrolled(&gateway, MARIE).await;
    assert_eq!(tablet.register(&gateway, &http).await.0, 201);
    let (status, body) = answer_binding(&phone, &http, &gateway, "deny").await;
    assert_eq!((status, &body["accepted"]), (200, &json!(true)), "{body}");
    let (status, body) = tablet.try_login(&gateway, &http).await;
    assert_eq!(
        (status, &body["error"]),
        (403, &json!("approval_refused")),
        "{body}"
    );
    assert_eq!(status_of(tablet.id.clone().unwrap()).await, "refused");
    // The trail has both answers.
    let (ok, out) = common::admin(
        &gateway.data_dir,
        database_url,
        &["audit", "list", "--kind", "admin", "--json"],
    );
    assert!(ok, "{out}");
    assert!(
        out.contains("device_binding_approved") && out.contains("device_binding_refused"),
        "{out}"
    );
}

#[tokio::test]
async fn sqlite_a_new_device_is_bound_once_an_existing_one_approves() {
    a_new_device_is_bound_once_an_existing_one_approves(None).await;
}

#[tokio::test]
async fn postgres_a_new_device_is_bound_once_an_existing_one_approves() {
    let url = fresh_postgres().await;
    a_new_device_is_bound_once_an_existing_one_approves(Some(&url)).await;
}
