//! The device API's flow (seed 001, RFC 9449) without HTTP: a device registered for Marie
//! sees a CIBA request's prompt in its inbox and answers it with a decision signed over the
//! exact text; a decision over other text, by another key, or on a request answered
//! already changes nothing; a DPoP proof outside its minute, or the token of a revoked
//! device, is refused.
//!
//! A device's certificate is made the shortest way that is still the real one: a CSR for
//! the number, issued by the gateway's own ACME CA (`assent_acme::cert::issue_at` at the
//! harness's time) and stored as the ACME finalize stores it. Proving control of the number
//! (the sms-link challenge) is the ACME flow's business and its tests'; registration only
//! needs a certificate this gateway issued, for that number, to the device's key.

use crate::support::{Harness, MARIE, MARIE_ID};
use assent_acme::jws::{SigningKey, sign_compact};
use assent_gateway::flows::device::{self, DeviceErrorKind, DpopHeader};
use assent_gateway::store::{AcmeCertificate, CibaRequest, Device};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::json;
use sha2::{Digest, Sha256};

/// The issuer of the harness's gateway.
const ISSUER: &str = "https://gateway.test";

/// A phone with the key of its certificate, and what the gateway gave it.
struct Phone {
    key: SigningKey,
    cert_id: String,
    der: Vec<u8>,
    device: Option<String>,
    token: Option<String>,
}

fn jti() -> String {
    assent_gateway::base::ids::new_token()
}

/// The harness's time in seconds: what a phone whose clock is right puts in its JWTs.
fn now_s(h: &Harness) -> i64 {
    h.gateway.now_ms() / 1000
}

fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

impl Phone {
    /// A certificate for `number` from the gateway's ACME CA, stored as issued.
    async fn certified(h: &Harness, number: &str) -> Phone {
        Self::certified_for(h, number, assent_acme::cert::MAX_VALIDITY).await
    }

    /// A certificate valid for `validity` from now.
    async fn certified_for(h: &Harness, number: &str, validity: time::Duration) -> Phone {
        let key_pair = rcgen::KeyPair::generate().unwrap();
        let csr = assent_acme::csr::build_csr(number, &key_pair).unwrap();
        let spki = assent_acme::csr::check_csr(&csr)
            .unwrap()
            .public_key_spki_der;
        let now = time::OffsetDateTime::from_unix_timestamp(h.gateway.now_ms() / 1000).unwrap();
        let issued = assent_acme::cert::issue_at(
            &csr,
            number,
            &h.gateway.acme_ca.current().issuer,
            validity,
            now,
        )
        .unwrap();
        let cert_id = format!("t-{}", jti());
        h.store
            .acme_insert_certificate(&AcmeCertificate {
                id: cert_id.clone(),
                account_id: "a-test".into(),
                order_id: "o-test".into(),
                number: number.into(),
                serial: issued.serial_hex.clone(),
                der_sha256: hex::encode(Sha256::digest(&issued.der)),
                spki_der: hex::encode(&spki),
                pem_chain: issued.pem.clone(),
                not_after_ms: issued.not_after.unix_timestamp() * 1000,
                revoked_ms: None,
                revocation_reason: None,
            })
            .await
            .unwrap();
        Phone {
            key: SigningKey::from_pkcs8_pem(&key_pair.serialize_pem()).unwrap(),
            cert_id,
            der: issued.der,
            device: None,
            token: None,
        }
    }

    /// Registers the phone's key; then asks for a DPoP-bound device token.
    async fn register_and_log_in(&mut self, h: &Harness) {
        let registered = self.register(h).await;
        assert!(!registered.pending_approval, "{registered:?}");
        self.log_in(h).await.unwrap();
    }

    /// Registers the phone's key.
    async fn register(&mut self, h: &Harness) -> assent_proto::device::Registered {
        let assertion = sign_compact(
            &self.key,
            None,
            false,
            &json!({"aud": format!("{ISSUER}/device/register"), "exp": now_s(h) + 60,
                    "jti": jti()}),
        );
        let body = json!({"certificate": URL_SAFE_NO_PAD.encode(&self.der),
                          "jwk": self.key.public().to_jwk(), "assertion": assertion,
                          "name": "Marie's phone"});
        let registered = device::register(&h.gateway, body.to_string().as_bytes())
            .await
            .unwrap();
        assert_eq!(registered.number, format!("+{MARIE}"));
        self.device = Some(registered.device_id.clone());
        registered
    }

    async fn log_in(&mut self, h: &Harness) -> Result<(), device::DeviceError> {
        let id = self.device.clone().unwrap();
        let url = format!("{ISSUER}/device/token");
        let assertion = sign_compact(
            &self.key,
            None,
            false,
            &json!({"iss": id, "sub": id, "aud": url, "exp": now_s(h) + 60, "jti": jti()}),
        );
        let params = crate::support::params(&[
            ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
            ("assertion", &assertion),
        ]);
        self.token = None;
        let proof = self.proof_at("POST", "/device/token", now_s(h));
        let token = device::token(&h.gateway, &params, DpopHeader::One(&proof)).await?;
        self.token = Some(token.access_token);
        Ok(())
    }

    /// A DPoP proof (RFC 9449 §4.2) for `method` on the gateway's `path`, issued at `iat`
    /// and bound to the phone's token if it has one.
    fn proof_at(&self, method: &str, path: &str, iat: i64) -> String {
        let mut claims =
            json!({"jti": jti(), "htm": method, "htu": format!("{ISSUER}{path}"), "iat": iat});
        if let Some(token) = &self.token {
            claims["ath"] = json!(URL_SAFE_NO_PAD.encode(Sha256::digest(token.as_bytes())));
        }
        sign_compact(&self.key, Some("dpop+jwt"), true, &claims)
    }

    /// The device behind a request with the phone's token and `proof`.
    async fn authenticate_with(
        &self,
        h: &Harness,
        method: &str,
        path: &str,
        proof: &str,
    ) -> Result<Device, device::DeviceError> {
        let authorization = format!("DPoP {}", self.token.as_deref().unwrap());
        device::authenticate(
            &h.gateway,
            Some(&authorization),
            DpopHeader::One(proof),
            method,
            path,
        )
        .await
    }

    /// The device behind a request with a fresh proof.
    async fn authenticate(
        &self,
        h: &Harness,
        method: &str,
        path: &str,
    ) -> Result<Device, device::DeviceError> {
        let proof = self.proof_at(method, path, now_s(h));
        self.authenticate_with(h, method, path, &proof).await
    }

    /// Decides on request `id` as this device, with a decision signed by `key` over the
    /// text whose hash is `shown`.
    async fn decide_signed_by(
        &self,
        h: &Harness,
        key: &SigningKey,
        id: &str,
        shown: &str,
        answer: &str,
    ) -> Result<bool, device::DeviceError> {
        let path = format!("/device/inbox/{id}/decision");
        let device = self.authenticate(h, "POST", &path).await?;
        let signed = sign_compact(
            key,
            None,
            false,
            &json!({"aud": ISSUER, "request": id, "answer": answer, "shown": null,
                    "prompt_sha256": shown, "exp": now_s(h) + 60, "jti": jti()}),
        );
        device::decide(&h.gateway, &device, id, &signed).await
    }

    async fn decide(
        &self,
        h: &Harness,
        id: &str,
        shown: &str,
        answer: &str,
    ) -> Result<bool, device::DeviceError> {
        self.decide_signed_by(h, &self.key, id, shown, answer).await
    }
}

/// Demo Shop's CIBA request for Marie (`openid mc_identity_signup`, poll mode), as the
/// backchannel endpoint makes it once the SP and the hint are checked: the gateway's
/// authenticator chain picks how to reach her (the app, once a device is registered), the
/// consent prompt is rendered for that device and sent, and the request waits for the
/// answer. Returns its hash (the store's key).
async fn demo_shop_asks_for_marie(h: &Harness) -> String {
    let user = h.store.user_by_msisdn(MARIE).await.unwrap().unwrap();
    let client = h.client("demo-sp").await;
    let scope = vec!["openid".to_owned(), "mc_identity_signup".to_owned()];
    let authenticator = h
        .gateway
        .authenticators
        .choose(&user.authenticators, h.gateway.catalog.required_loa(&scope))
        .unwrap();
    assert_eq!(
        authenticator.name(),
        "app",
        "a registered device is preferred"
    );
    let prompt = assent_gateway::rules::consent::render_consent(
        &h.gateway.catalog,
        &client,
        &user,
        &scope,
        authenticator.device(),
        &assent_gateway::rules::consent::RequestTerms {
            lifetime: assent_gateway::rules::consent::lifetime_of(
                &h.gateway.catalog,
                &client,
                &scope,
                h.gateway.now_ms(),
            ),
            binding_message: Some("4711".into()),
        },
    )
    .unwrap();
    let message_id = authenticator
        .send_prompt(&user.msisdn, &prompt)
        .await
        .unwrap();
    let now = h.gateway.now_ms();
    let auth_req_hash = assent_gateway::base::ids::token_hash(&jti());
    h.store
        .insert_ciba(&CibaRequest {
            auth_req_hash: auth_req_hash.clone(),
            client_id: client.client_id.clone(),
            user_id: user.id.clone(),
            scope,
            binding_message: None,
            delivery_mode: "poll".into(),
            status: "pending".into(),
            authenticator: "app".into(),
            message_id: Some(message_id),
            prompt: prompt.text.clone(),
            created_ms: now,
            expires_ms: now + 300_000,
            interval_s: 5,
            last_poll_ms: 0,
            auth_req_id: None,
            notification_token: None,
            notified_ms: None,
            notify_attempts: 0,
            next_attempt_ms: 0,
            token_family: None,
        })
        .await
        .unwrap();
    auth_req_hash
}

/// Marie's phone, registered and logged in, and Demo Shop's request waiting for her: the
/// request's hash, and its prompt as the inbox shows it.
async fn marie_asked(h: &Harness) -> (Phone, String, device::InboxRequest) {
    let mut phone = Phone::certified(h, MARIE).await;
    phone.register_and_log_in(h).await;
    let hash = demo_shop_asks_for_marie(h).await;
    let me = phone.authenticate(h, "GET", "/device/inbox").await.unwrap();
    let mut inbox = device::inbox(&h.gateway, &me, 0).await.unwrap();
    assert_eq!(inbox.len(), 1, "{inbox:?}");
    (phone, hash, inbox.remove(0))
}

async fn status(h: &Harness, hash: &str) -> String {
    h.store.ciba(hash).await.unwrap().unwrap().status
}

async fn open_prompts(h: &Harness) -> usize {
    h.store.open_app_prompts(MARIE_ID, 0).await.unwrap().len()
}

#[tokio::test]
async fn a_decision_signed_over_the_prompt_in_the_inbox_approves_the_ciba_request() {
    let h = Harness::new().await;
    let (phone, hash, request) = marie_asked(&h).await;
    // The inbox shows the request's own prompt, with the hash a decision must name.
    let ciba = h.store.ciba(&hash).await.unwrap().unwrap();
    assert_eq!(Some(&request.id), ciba.message_id.as_ref());
    assert_eq!(request.prompt, ciba.prompt);
    assert!(request.prompt.contains("Demo Shop"), "{}", request.prompt);
    assert_eq!(request.prompt_sha256, sha256_hex(&ciba.prompt));

    let accepted = phone
        .decide(&h, &request.id, &request.prompt_sha256, "approve")
        .await
        .unwrap();
    assert!(accepted);
    assert_eq!(status(&h, &hash).await, "approved");
    assert_eq!(open_prompts(&h).await, 0, "the prompt is closed");
}

#[tokio::test]
async fn a_decision_over_other_text_or_by_another_key_is_refused_and_changes_nothing() {
    let h = Harness::new().await;
    let (phone, hash, request) = marie_asked(&h).await;

    let other_text = sha256_hex("Demo Shop asks for nothing. Reply 1 to agree.");
    let refused = phone
        .decide(&h, &request.id, &other_text, "approve")
        .await
        .unwrap_err();
    assert_eq!(
        (refused.kind, refused.code),
        (DeviceErrorKind::BadRequest, "invalid_request"),
        "{refused}"
    );

    // Marie's tablet holds a key certified for her number too (registered, its binding
    // waiting for the phone's approval), but the decision must be signed by the key of the
    // device that presents it.
    let mut tablet = Phone::certified(&h, MARIE).await;
    assert!(tablet.register(&h).await.pending_approval);
    let refused = phone
        .decide_signed_by(
            &h,
            &tablet.key,
            &request.id,
            &request.prompt_sha256,
            "approve",
        )
        .await
        .unwrap_err();
    assert_eq!(
        (refused.kind, refused.code),
        (DeviceErrorKind::Unauthorized, "invalid_token"),
        "{refused}"
    );

    assert_eq!(status(&h, &hash).await, "pending");
    let prompt = h.store.app_prompt(&request.id).await.unwrap().unwrap();
    assert_eq!(prompt.answered_ms, None, "the prompt is still open");
    assert!(
        h.store
            .consent(&assent_gateway::flows::consent::consent_id_for(&hash))
            .await
            .unwrap()
            .is_none(),
        "no consent recorded"
    );
}

#[tokio::test]
async fn a_decision_on_a_request_answered_already_is_refused() {
    let h = Harness::new().await;
    let (phone, hash, request) = marie_asked(&h).await;
    assert!(
        phone
            .decide(&h, &request.id, &request.prompt_sha256, "approve")
            .await
            .unwrap()
    );

    let again = phone
        .decide(&h, &request.id, &request.prompt_sha256, "deny")
        .await
        .unwrap_err();
    assert_eq!(
        (again.kind, again.code),
        (DeviceErrorKind::Conflict, "already_answered"),
        "{again}"
    );
    assert_eq!(status(&h, &hash).await, "approved");
}

#[tokio::test]
async fn a_dpop_proof_outside_its_minute_is_refused() {
    let h = Harness::new().await;
    let mut phone = Phone::certified(&h, MARIE).await;
    phone.register_and_log_in(&h).await;
    let issued = now_s(&h);
    let on_the_edge = phone.proof_at("GET", "/device/grants", issued);
    let too_old = phone.proof_at("GET", "/device/grants", issued);

    h.advance_s(60);
    phone
        .authenticate_with(&h, "GET", "/device/grants", &on_the_edge)
        .await
        .expect("a proof a minute old is still in its window");
    h.advance_s(1);
    let too_new = phone.proof_at("GET", "/device/grants", now_s(&h) + 61);
    for proof in [&too_old, &too_new] {
        let refused = phone
            .authenticate_with(&h, "GET", "/device/grants", proof)
            .await
            .unwrap_err();
        assert_eq!(
            (refused.kind, refused.description.as_str()),
            (
                DeviceErrorKind::Unauthorized,
                "the DPoP proof is too old or too new"
            )
        );
    }
    // The token itself is still good (five minutes): a proof made now passes.
    phone
        .authenticate(&h, "GET", "/device/grants")
        .await
        .unwrap();
}

#[tokio::test]
async fn the_token_of_a_revoked_device_is_refused() {
    let h = Harness::new().await;
    let mut phone = Phone::certified(&h, MARIE).await;
    phone.register_and_log_in(&h).await;
    phone
        .authenticate(&h, "GET", "/device/inbox")
        .await
        .unwrap();

    // RFC 8555 §7.6: revoking the certificate revokes the device registered with its key.
    assert!(
        h.store
            .acme_revoke_certificate(&phone.cert_id, 1, h.gateway.now_ms(), &[])
            .await
            .unwrap()
    );
    let refused = phone
        .authenticate(&h, "GET", "/device/inbox")
        .await
        .unwrap_err();
    assert_eq!(
        (refused.kind, refused.description.as_str()),
        (DeviceErrorKind::Unauthorized, "the device is revoked")
    );
    let refused = phone.log_in(&h).await.unwrap_err();
    assert_eq!(
        (refused.kind, refused.description.as_str()),
        (DeviceErrorKind::Unauthorized, "unknown or revoked device")
    );
}

#[tokio::test]
async fn a_device_lives_as_long_as_its_certificate_and_prompts_then_go_to_ussd() {
    let h = Harness::new().await;
    let mut phone = Phone::certified_for(&h, MARIE, time::Duration::seconds(40)).await;
    phone.register_and_log_in(&h).await;
    let reach = || async {
        let user = h.store.user_by_msisdn(MARIE).await.unwrap().unwrap();
        let client = h.client("demo-sp").await;
        let scope = ["openid", "mc_identity_signup"].map(String::from).to_vec();
        assent_gateway::flows::consent::reach_user(
            &h.gateway,
            &client,
            &user,
            &scope,
            assent_gateway::flows::consent::Purpose::Consent,
            None,
            "/bc-authorize",
        )
        .await
        .unwrap()
        .authenticator
    };
    // Valid through its notAfter, inclusive (RFC 5280 §4.1.2.5).
    h.advance_s(40);
    phone
        .authenticate(&h, "GET", "/device/inbox")
        .await
        .unwrap();
    assert_eq!(reach().await, "app");

    // Past it, the device ends with its certificate, for every use.
    h.advance_s(1);
    let refused = phone
        .authenticate(&h, "GET", "/device/inbox")
        .await
        .unwrap_err();
    assert_eq!(
        (refused.kind, refused.code),
        (DeviceErrorKind::Unauthorized, "certificate_expired")
    );
    assert!(
        refused.description.contains("2026-12-01T00:00:40Z"),
        "{}",
        refused.description
    );
    let refused = phone.log_in(&h).await.unwrap_err();
    assert_eq!(refused.code, "certificate_expired");
    // The next prompt goes to the next authenticator of Marie's chain.
    assert_eq!(reach().await, "ussd");
}

/// A token request that does not identify its device writes nothing: its DPoP proof's `jti`
/// is not spent, and the same proof serves the genuine request after it (then once only).
#[tokio::test]
async fn a_token_request_that_identifies_no_device_spends_nothing() {
    let h = Harness::new().await;
    let mut phone = Phone::certified(&h, MARIE).await;
    phone.register_and_log_in(&h).await;
    let id = phone.device.clone().unwrap();
    let url = format!("{ISSUER}/device/token");
    phone.token = None;
    let proof = phone.proof_at("POST", "/device/token", now_s(&h));
    let assertion_by = |key: &SigningKey| {
        sign_compact(
            key,
            None,
            false,
            &json!({"iss": id, "sub": id, "aud": url, "exp": now_s(&h) + 60, "jti": jti()}),
        )
    };
    let form = |assertion: &str| {
        crate::support::params(&[
            ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
            ("assertion", assertion),
        ])
    };
    let forged = assertion_by(&SigningKey::generate_es256());
    let refused = device::token(&h.gateway, &form(&forged), DpopHeader::One(&proof))
        .await
        .unwrap_err();
    assert_eq!(refused.kind, DeviceErrorKind::Unauthorized);
    let genuine = assertion_by(&phone.key);
    device::token(&h.gateway, &form(&genuine), DpopHeader::One(&proof))
        .await
        .unwrap();
    let again = assertion_by(&phone.key);
    let replayed = device::token(&h.gateway, &form(&again), DpopHeader::One(&proof))
        .await
        .unwrap_err();
    assert_eq!(replayed.description, "this JWT was used before");
}

/// Refused registration attempts (anyone can make one) are kept for the retention, 90 days
/// by default, then purged by the next refused attempt.
#[tokio::test]
async fn refused_registration_attempts_are_purged_after_the_retention() {
    let h = Harness::new().await;
    device::register(&h.gateway, b"not json").await.unwrap_err();
    assert_eq!(h.store.registration_attempts().await.unwrap().len(), 1);
    h.advance_s(90 * 24 * 3600);
    device::register(&h.gateway, b"still not json")
        .await
        .unwrap_err();
    assert_eq!(
        h.store.registration_attempts().await.unwrap().len(),
        2,
        "kept for exactly the retention"
    );
    h.advance_s(1);
    device::register(&h.gateway, b"{}").await.unwrap_err();
    let left = h.store.registration_attempts().await.unwrap();
    assert_eq!(left.len(), 2, "the first one is gone: {left:?}");
}

/// NIST SP 800-63B §6.1.2.1 on the fixed clock: a second device of Marie's waits for
/// approval on her first for ten minutes; an approval after that binds nothing, and the
/// device stays refused.
#[tokio::test]
async fn a_binding_nobody_approves_within_ten_minutes_is_refused() {
    let h = Harness::new().await;
    let mut phone = Phone::certified(&h, MARIE).await;
    phone.register_and_log_in(&h).await;
    let mut laptop = Phone::certified(&h, MARIE).await;
    assert!(laptop.register(&h).await.pending_approval);
    assert_eq!(
        laptop.log_in(&h).await.unwrap_err().code,
        "approval_pending"
    );
    let me = phone
        .authenticate(&h, "GET", "/device/inbox")
        .await
        .unwrap();
    let inbox = device::inbox(&h.gateway, &me, 0).await.unwrap();
    let ask = inbox
        .iter()
        .find(|r| r.prompt.starts_with("Add a new device?"))
        .unwrap()
        .clone();
    h.advance_s(10 * 60 + 1);
    phone.log_in(&h).await.unwrap();
    let applied = phone
        .decide(&h, &ask.id, &ask.prompt_sha256, "approve")
        .await
        .unwrap();
    assert!(!applied, "too late: nothing bound");
    assert_eq!(
        laptop.log_in(&h).await.unwrap_err().code,
        "approval_refused"
    );
}

/// Marie's phone approves Demo Shop's request (a long-lived consent); the grant's id.
async fn marie_consented(h: &Harness) -> (Phone, device::InboxRequest, String) {
    let (phone, hash, request) = marie_asked(h).await;
    assert!(
        phone
            .decide(h, &request.id, &request.prompt_sha256, "approve")
            .await
            .unwrap()
    );
    let consent = assent_gateway::rules::consent::consent_id_for(&hash);
    (phone, request, consent)
}

/// Demo Shop's access token bought with `consent`, for `scope`, as the CIBA grant writes it.
async fn token_for(h: &Harness, consent: &str, scope: &str) -> String {
    let bearer = jti();
    let now = h.gateway.now_ms();
    h.store
        .insert_token(&assent_gateway::store::TokenRecord {
            token_hash: assent_gateway::base::ids::token_hash(&bearer),
            kind: "access".into(),
            client_id: "demo-sp".into(),
            user_id: Some(MARIE_ID.into()),
            scope: scope.split_whitespace().map(str::to_owned).collect(),
            policy: "long_lived".into(),
            issued_ms: now,
            expires_ms: now + 365 * 24 * 3_600_000,
            spent: false,
            revoked: false,
            consent_id: Some(consent.to_owned()),
            family: None,
            jkt: None,
        })
        .await
        .unwrap();
    bearer
}

/// Demo Shop's PremiumInfo request with `token` (and claims to match).
async fn premiuminfo(
    h: &Harness,
    token: &str,
    claims: Option<serde_json::Value>,
) -> Result<serde_json::Map<String, serde_json::Value>, String> {
    use assent_gateway::flows::resource::{self, Endpoint};
    let call = assent_gateway::rules::resource::wire::ResourceCall {
        sender: assent_gateway::rules::resource::wire::Sender::Bearer,
        token: token.to_owned(),
        mc_claims: claims.map(|c| c.as_object().unwrap().clone()),
        user_id: None,
    };
    resource::serve(
        &h.gateway.resource_server(),
        Endpoint::PremiumInfo,
        &call,
        None,
    )
    .await
    .map(|d| d.claims)
    .map_err(|refused| refused.error.description)
}

#[tokio::test]
async fn a_consent_given_in_the_app_gets_a_signed_receipt_over_the_exact_text_shown() {
    use assent_gateway::rules::receipt;
    let h = Harness::new().await;
    let (phone, request, consent) = marie_consented(&h).await;
    let me = phone
        .authenticate(&h, "GET", "/device/receipts")
        .await
        .unwrap();
    let receipts = device::receipts(&h.gateway, &me).await.unwrap();
    assert_eq!(receipts.len(), 1, "{receipts:?}");
    let item = &receipts[0];
    assert_eq!(
        (item.kind.as_str(), item.consent_id.as_str()),
        ("consent", consent.as_str())
    );
    assert_eq!(item.client_name, "Demo Shop");
    assert_eq!(item.prompt.as_deref(), Some(request.prompt.as_str()));
    let claims = receipt::verify(&h.gateway.keys.decoding, &item.jws).unwrap();
    assert_eq!(claims.event, "given");
    assert_eq!(claims.record_id, consent);
    assert_eq!(claims.pii_principal, MARIE_ID);
    let method = claims.method.unwrap();
    assert_eq!(method.authenticator, "app");
    assert_eq!(method.prompt_sha256, request.prompt_sha256);
    assert_eq!(
        method.prompt_sha256,
        sha256_hex(item.prompt.as_deref().unwrap())
    );
    // The catalog's 180 days, from the moment of the answer.
    assert_eq!(
        claims.duration.expires_at.as_deref(),
        Some("2027-05-30T00:00:00Z")
    );
    let grants = device::grants(&h.gateway, &me).await.unwrap();
    assert_eq!(
        grants[0].expires_at.as_deref(),
        Some("2027-05-30T00:00:00Z")
    );
}

#[tokio::test]
async fn withdrawing_one_attribute_keeps_the_rest_and_the_sp_reads_it_empty() {
    use assent_gateway::rules::receipt;
    let h = Harness::new().await;
    let (phone, _request, consent) = marie_consented(&h).await;
    let share = token_for(&h, &consent, "openid mc_identity_signup").await;
    let before = premiuminfo(&h, &share, None).await.unwrap();
    assert_eq!(before["email"], "marie.curie@example.org");

    let path = format!("/device/grants/{consent}/withdraw");
    let me = phone.authenticate(&h, "POST", &path).await.unwrap();
    // Refused, and nothing changes: an attribute the grant does not give; every attribute.
    for bad in [
        vec!["shoe_size"],
        vec![],
        vec!["given_name", "family_name", "email", "birthdate", "address"],
    ] {
        let names: Vec<String> = bad.iter().map(|s| (*s).to_owned()).collect();
        let error = device::withdraw(&h.gateway, &me, &consent, &names)
            .await
            .unwrap_err();
        assert_eq!(
            error.kind,
            DeviceErrorKind::BadRequest,
            "{bad:?}: {error:?}"
        );
    }
    assert_eq!(device::receipts(&h.gateway, &me).await.unwrap().len(), 1);

    let withdrawn = device::withdraw(&h.gateway, &me, &consent, &["email".to_owned()])
        .await
        .unwrap();
    assert_eq!(withdrawn.withdrawn, ["email"]);
    assert_eq!(
        withdrawn.attributes,
        ["given_name", "family_name", "birthdate", "address"]
    );
    // The SP's next share answers it empty (MC_ATTR_29); the rest is unchanged.
    let after = premiuminfo(&h, &share, None).await.unwrap();
    assert_eq!(after["email"], "");
    assert_eq!(after["given_name"], "Marie");
    // Its next match answers not_available for it.
    let matcher = token_for(&h, &consent, "openid mc_kyc_match").await;
    let matched = premiuminfo(
        &h,
        &matcher,
        Some(json!({"email": "marie.curie@example.org", "given_name": "Marie"})),
    )
    .await
    .unwrap();
    assert_eq!(matched["email_match"], "not_available");
    assert_eq!(matched["given_name_match"], "true");
    // The grant says so; the withdrawal has its receipt and its audit entry.
    let grants = device::grants(&h.gateway, &me).await.unwrap();
    assert_eq!(grants[0].withdrawn, ["email"]);
    assert!(!grants[0].attributes.contains(&"email".to_owned()));
    let receipts = device::receipts(&h.gateway, &me).await.unwrap();
    assert_eq!(receipts.len(), 2);
    assert_eq!(receipts[1].id, withdrawn.receipt);
    assert_eq!(receipts[1].kind, "withdrawal");
    let claims = receipt::verify(&h.gateway.keys.decoding, &receipts[1].jws).unwrap();
    assert_eq!(claims.event, "withdrawn");
    assert_eq!(claims.purposes[0].attributes, ["email"]);
    assert_eq!(claims.remaining, withdrawn.attributes);
    let entries =
        crate::support::audit_of(&h, assent_audit::EntryKind::Revocation, "demo-sp").await;
    let detail: serde_json::Value = serde_json::from_str(&entries[0].detail).unwrap();
    assert_eq!(detail["attributes"], json!(["email"]));
    assert_eq!(detail["receipt"], json!(withdrawn.receipt));
    // Withdrawing it again is refused: the grant no longer gives it.
    assert!(
        device::withdraw(&h.gateway, &me, &consent, &["email".to_owned()])
            .await
            .is_err()
    );
}

#[tokio::test]
async fn revoking_a_grant_is_receipted_with_everything_it_gave() {
    use assent_gateway::rules::receipt;
    let h = Harness::new().await;
    let (phone, _request, consent) = marie_consented(&h).await;
    let path = format!("/device/grants/{consent}/revoke");
    let me = phone.authenticate(&h, "POST", &path).await.unwrap();
    device::revoke_grant(&h.gateway, &me, &consent)
        .await
        .unwrap();
    let receipts = device::receipts(&h.gateway, &me).await.unwrap();
    assert_eq!(
        receipts.iter().map(|r| r.kind.as_str()).collect::<Vec<_>>(),
        ["consent", "withdrawal"]
    );
    let claims = receipt::verify(&h.gateway.keys.decoding, &receipts[1].jws).unwrap();
    assert_eq!(
        claims.purposes[0].attributes,
        ["given_name", "family_name", "email", "birthdate", "address"]
    );
    assert!(claims.remaining.is_empty());
    assert!(device::grants(&h.gateway, &me).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_consent_ends_at_its_lifetime_after_one_reminder_a_week_before() {
    use assent_gateway::flows::expiry::{self, Swept};
    let h = Harness::new().await;
    let (phone, _request, consent) = marie_consented(&h).await;
    let token = token_for(&h, &consent, "openid mc_identity_signup").await;
    let day_s = 24 * 3600;
    // Eight days before the end: nothing is due.
    h.advance_s(172 * day_s);
    assert_eq!(expiry::sweep(&h.gateway).await.unwrap(), Swept::default());
    // Seven days before: one reminder, once. Marie's device lived as long as its
    // certificate (30 days), so no app can show it: it goes by SMS.
    drop(phone);
    h.advance_s(day_s);
    let swept = expiry::sweep(&h.gateway).await.unwrap();
    assert_eq!(swept.reminded_by_sms, 1, "{swept:?}");
    assert_eq!(expiry::sweep(&h.gateway).await.unwrap(), Swept::default());
    let sms = h.store.sim_messages(MARIE).await.unwrap();
    let text = &sms.last().unwrap().text;
    assert!(
        text.contains("Demo Shop can use your data until 2027-05-30"),
        "{text}"
    );
    let reminders =
        crate::support::audit_of(&h, assent_audit::EntryKind::Notification, "demo-sp").await;
    let detail: serde_json::Value = serde_json::from_str(&reminders[0].detail).unwrap();
    assert_eq!(detail["reminder"], "consent_expiry");
    assert_eq!(detail["expires_at"], "2027-05-30T00:00:00Z");
    // The day before its end the SP still reads; at the end it no longer does, even
    // before a sweep records it.
    h.advance_s(6 * day_s);
    assert!(premiuminfo(&h, &token, None).await.is_ok());
    h.advance_s(day_s);
    let refused = premiuminfo(&h, &token, None).await.unwrap_err();
    assert!(refused.contains("revoked or has ended"), "{refused}");
    // The sweep records the end once, and revokes the tokens it bought.
    assert_eq!(expiry::sweep(&h.gateway).await.unwrap().ended, 1);
    assert_eq!(expiry::sweep(&h.gateway).await.unwrap().ended, 0);
    let ends = crate::support::audit_of(&h, assent_audit::EntryKind::Revocation, "demo-sp").await;
    let detail: serde_json::Value = serde_json::from_str(&ends[0].detail).unwrap();
    assert_eq!(
        (detail["by"].as_str(), detail["consent"].as_str()),
        (Some("expiry"), Some(consent.as_str()))
    );
    let stored = h
        .store
        .token(&assent_gateway::base::ids::token_hash(&token))
        .await
        .unwrap()
        .unwrap();
    assert!(stored.revoked);
}

#[tokio::test]
async fn the_reminder_goes_to_the_app_while_a_device_is_live() {
    use assent_gateway::flows::expiry::{self, REMIND_BEFORE_MS};
    let h = Harness::new().await;
    let (phone, _request, consent) = marie_consented(&h).await;
    // A consent ending within the week (a catalog with a short lifetime would make one).
    let mut tx = h.store.begin().await.unwrap();
    let mut short = tx.consent(&consent).await.unwrap().unwrap();
    short.id = "c-short".into();
    short.expires_ms = Some(h.gateway.now_ms() + REMIND_BEFORE_MS - 1);
    tx.insert_consent(&short).await.unwrap();
    tx.commit().await.unwrap();
    let swept = expiry::sweep(&h.gateway).await.unwrap();
    assert_eq!((swept.reminded_in_app, swept.reminded_by_sms), (1, 0));
    let me = phone
        .authenticate(&h, "GET", "/device/notifications")
        .await
        .unwrap();
    let notifications = device::notifications(&h.gateway, &me).await.unwrap();
    let reminder = notifications
        .iter()
        .find(|n| n.kind == "consent_expiry")
        .expect("a reminder in the app");
    assert_eq!(reminder.detail["consent"], "c-short");
}

/// A decision shown on a large screen: the app lays the whole card out and signs its
/// canonical text; the gateway builds the card again from the request's content and the
/// language the app says it used, and accepts only that text for a screen.
#[tokio::test]
async fn a_decision_on_a_large_screen_is_signed_over_the_card_s_canonical_text() {
    let h = Harness::new().await;
    let (phone, hash, request) = marie_asked(&h).await;
    let content = request.content.clone().expect("the request's content");
    let renderer = assent_prompt::Renderer::shared().unwrap();
    let card = assent_prompt::card::Card::of(renderer, &content, Some("fr")).unwrap();
    let canonical = card.canonical_text();
    // The card names the SP, each attribute with its value, the lifetime and the binding
    // message.
    assert!(
        canonical.contains("Demo Shop") && canonical.contains("Marie"),
        "{canonical}"
    );
    assert!(
        canonical.contains("2027-05-30") && canonical.contains("4711"),
        "{canonical}"
    );
    let screen = json!({"kind": "screen", "columns": null, "rows": null, "max_bytes": null,
                        "encodings": ["utf8"]});
    let decide = |text: String| {
        let phone = &phone;
        let h = &h;
        let id = request.id.clone();
        let screen = screen.clone();
        async move {
            let path = format!("/device/inbox/{id}/decision");
            let device = phone.authenticate(h, "POST", &path).await.unwrap();
            let signed = sign_compact(
                &phone.key,
                None,
                false,
                &json!({"aud": ISSUER, "request": id, "answer": "approve",
                        "shown": {"device": screen, "locale": "fr"},
                        "prompt_sha256": sha256_hex(&text), "exp": now_s(h) + 60,
                        "jti": jti()}),
            );
            device::decide(&h.gateway, &device, &id, &signed).await
        }
    };
    // The phone's rendering is not what a screen shows: refused, nothing changes.
    let phone_text = request.prompt.clone();
    assert!(decide(phone_text).await.is_err());
    assert_eq!(status(&h, &hash).await, "pending");
    // The card's canonical text is.
    assert!(decide(canonical.clone()).await.unwrap());
    assert_eq!(status(&h, &hash).await, "approved");
    // The consent records the text the user read, and its receipt carries its hash.
    let consent = h
        .store
        .consent(&assent_gateway::rules::consent::consent_id_for(&hash))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(consent.prompt, canonical);
    let me = phone
        .authenticate(&h, "GET", "/device/receipts")
        .await
        .unwrap();
    let receipts = device::receipts(&h.gateway, &me).await.unwrap();
    let claims =
        assent_gateway::rules::receipt::verify(&h.gateway.keys.decoding, &receipts[0].jws).unwrap();
    assert_eq!(claims.method.unwrap().prompt_sha256, sha256_hex(&canonical));
}

/// Shared Signals: a new device of Marie's, approved on her phone, is a new credential:
/// Demo Shop (a consent of hers in force, a stream) is told, queued in the transaction of
/// the approval; before the approval nothing is.
#[tokio::test]
async fn a_new_device_approved_tells_the_sps_she_consented_to() {
    const CREDENTIAL_CHANGE: &str = assent_gateway::rules::ssf::CREDENTIAL_CHANGE;
    let h = Harness::new().await;
    let (phone, _, _) = marie_consented(&h).await;
    let demo = h.store.client("demo-sp").await.unwrap().unwrap();
    let stream = assent_gateway::flows::ssf::create(&h.gateway, &demo, &serde_json::json!({}))
        .await
        .unwrap();
    let waiting = || async { h.store.ssf_waiting(&stream.stream_id, 10).await.unwrap() };
    let mut laptop = Phone::certified(&h, MARIE).await;
    assert!(laptop.register(&h).await.pending_approval);
    assert!(
        waiting().await.is_empty(),
        "not a credential before it is approved"
    );
    let me = phone
        .authenticate(&h, "GET", "/device/inbox")
        .await
        .unwrap();
    let inbox = device::inbox(&h.gateway, &me, 0).await.unwrap();
    let ask = inbox
        .iter()
        .find(|r| r.prompt.starts_with("Add a new device?"))
        .unwrap()
        .clone();
    assert!(
        phone
            .decide(&h, &ask.id, &ask.prompt_sha256, "approve")
            .await
            .unwrap()
    );
    let told = waiting().await;
    assert_eq!(told.len(), 1, "{told:?}");
    assert_eq!(told[0].event_type, CREDENTIAL_CHANGE);
    assert_eq!(told[0].user_id.as_deref(), Some(MARIE_ID));
    let events: serde_json::Value = serde_json::from_str(&told[0].events).unwrap();
    assert_eq!(events[CREDENTIAL_CHANGE]["credential_type"], "app");
    assert_eq!(events[CREDENTIAL_CHANGE]["change_type"], "create");
}
