//! The ACME order lifecycle (RFC 8555 §7.1.6) for a telephone number (TNAuthList, RFC 9448)
//! with the `sms-link-00` challenge (docs/acme-sms-link.md), driven through the flows with
//! requests signed by `assent-acme`'s client side, on the fixed clock: the order, its
//! authorization and its challenge start `pending`; "ready" sends one SMS with a code and
//! the challenge is `processing`; the right code makes the challenge and the authorization
//! `valid` and the order `ready`; finalize issues the certificate and the order is `valid`.
//! Three wrong codes end everything `invalid`; an order past its expiry sends no code.

use crate::support::{Harness, MARIE, START_MS};
use assent_acme::jws::{self, SignAs, SigningKey};
use assent_acme::problem::ProblemType;
use assent_acme::{cert, csr, sms_link, tnauthlist};
use assent_gateway::flows::Gateway;
use assent_gateway::flows::acme::{self, AcmeReply, ReplyBody, ReplyKind, Unlimited};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

/// The ACME URL of `path` on the harness's gateway.
fn url(path: &str) -> String {
    format!("https://gateway.test/acme{path}")
}

/// The last segment of a resource URL: the id the flows take.
fn id_of(resource_url: &str) -> String {
    resource_url.rsplit('/').next().unwrap().to_owned()
}

fn body(reply: &AcmeReply) -> &Value {
    reply.json_body().expect("a JSON body")
}

/// An ACME client: one account key; each request signed with a fresh nonce from the flows.
struct Client {
    key: SigningKey,
    /// The account URL, once registered.
    kid: Option<String>,
}

impl Client {
    /// A new key and its new account (checked: created and valid).
    async fn registered(h: &Harness) -> Client {
        let gateway = &h.gateway;
        let mut client = Client {
            key: SigningKey::generate_es256(),
            kid: None,
        };
        let account = acme::new_account(
            gateway,
            &client.sign(
                gateway,
                "/new-account",
                Some(&json!({"termsOfServiceAgreed": true})),
            ),
        )
        .await
        .unwrap();
        assert_eq!(account.kind, ReplyKind::Created);
        assert_eq!(body(&account)["status"], "valid");
        client.kid = account.location.clone();
        client
    }

    /// A newOrder for Marie's number: what the flow answered.
    async fn order_for_marie(&self, h: &Harness) -> Result<AcmeReply, acme::AcmeError> {
        let gateway = &h.gateway;
        let identifier = tnauthlist::identifier_value(MARIE).unwrap();
        acme::new_order(
            gateway,
            &self.sign(
                gateway,
                "/new-order",
                Some(&json!({"identifiers": [{"type": "TNAuthList", "value": identifier}]})),
            ),
            &Unlimited,
        )
        .await
    }

    fn sign(&self, gateway: &Gateway, path: &str, payload: Option<&Value>) -> Vec<u8> {
        let sign_as = match &self.kid {
            Some(kid) => SignAs::Kid(kid),
            None => SignAs::Jwk,
        };
        let nonce = acme::new_nonce(gateway);
        jws::sign(&self.key, sign_as, &nonce, &url(path), payload)
            .to_string()
            .into_bytes()
    }

    /// The key authorization of the code (sms-link-00 §4).
    fn answer(&self, token: &str, code: &str) -> Value {
        json!({"keyAuthorization": sms_link::key_authorization(
            token,
            code,
            &self.key.public().thumbprint(),
        )})
    }
}

/// A new account and its order for Marie's number, with the ids of what it made.
struct Enrollment {
    client: Client,
    order: String,
    authz: String,
    challenge: String,
    token: String,
}

impl Enrollment {
    async fn new(h: &Harness) -> (Enrollment, AcmeReply) {
        let gateway = &h.gateway;
        let client = Client::registered(h).await;
        let order = client.order_for_marie(h).await.unwrap();
        assert_eq!(order.kind, ReplyKind::Created);
        let authz = id_of(body(&order)["authorizations"][0].as_str().unwrap());
        let read = acme::authz(
            gateway,
            &authz,
            &client.sign(gateway, &format!("/authz/{authz}"), None),
        )
        .await
        .unwrap();
        let challenge = &body(&read)["challenges"][0];
        assert_eq!(challenge["type"], "sms-link-00");
        let enrollment = Enrollment {
            order: id_of(order.location.as_deref().unwrap()),
            authz,
            challenge: id_of(challenge["url"].as_str().unwrap()),
            token: challenge["token"].as_str().unwrap().to_owned(),
            client,
        };
        (enrollment, order)
    }

    /// "Ready", then the right code from the SMS: the order is `ready`.
    async fn prove(&self, h: &Harness) {
        self.to_challenge(&h.gateway, &json!({})).await.unwrap();
        let code = code_sent(h).await;
        self.to_challenge(&h.gateway, &self.client.answer(&self.token, &code))
            .await
            .unwrap();
    }

    /// Finalize with a CSR for Marie's number by a new device key.
    async fn finalize(&self, gateway: &Gateway) -> Result<AcmeReply, acme::AcmeError> {
        let csr_der = csr::build_csr(MARIE, &rcgen::KeyPair::generate().unwrap()).unwrap();
        acme::finalize(
            gateway,
            &self.order,
            &self.client.sign(
                gateway,
                &format!("/order/{}/finalize", self.order),
                Some(&json!({"csr": URL_SAFE_NO_PAD.encode(&csr_der)})),
            ),
        )
        .await
    }

    /// Posts `payload` to the challenge: `{}` is "ready", a key authorization the answer.
    async fn to_challenge(
        &self,
        gateway: &Gateway,
        payload: &Value,
    ) -> Result<AcmeReply, acme::AcmeError> {
        let path = format!("/chall/{}", self.challenge);
        let signed = self.client.sign(gateway, &path, Some(payload));
        acme::challenge(gateway, &self.challenge, &signed, &Unlimited).await
    }

    /// The order's, the authorization's and the challenge's status, read as a client reads
    /// them (POST-as-GET).
    async fn statuses(&self, gateway: &Gateway) -> [String; 3] {
        let order_path = format!("/order/{}", self.order);
        let order = acme::order(
            gateway,
            &self.order,
            &self.client.sign(gateway, &order_path, None),
        )
        .await
        .unwrap();
        let authz_path = format!("/authz/{}", self.authz);
        let authz = acme::authz(
            gateway,
            &self.authz,
            &self.client.sign(gateway, &authz_path, None),
        )
        .await
        .unwrap();
        let status = |v: &Value| v["status"].as_str().unwrap().to_owned();
        [
            status(body(&order)),
            status(body(&authz)),
            status(&body(&authz)["challenges"][0]),
        ]
    }
}

/// The SMS Marie's handset received, oldest first.
async fn sms_to_marie(h: &Harness) -> Vec<String> {
    h.store
        .sim_messages(MARIE)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.kind == "sms")
        .map(|m| m.text)
        .collect()
}

/// The code of the newest SMS, from its origin-bound last line `@gateway.test #code`.
async fn code_sent(h: &Harness) -> String {
    let sms = sms_to_marie(h).await;
    let text = sms.last().expect("an SMS with the code");
    let last = text.lines().last().unwrap();
    last.strip_prefix("@gateway.test #")
        .unwrap_or_else(|| panic!("origin-bound last line: {last:?}"))
        .to_owned()
}

fn status(v: &str) -> String {
    v.to_owned()
}

#[tokio::test]
async fn a_new_order_for_maries_number_is_pending_with_its_authorization_and_challenge() {
    let h = Harness::new().await;
    let (e, order) = Enrollment::new(&h).await;
    assert_eq!(body(&order)["status"], "pending");
    assert_eq!(
        body(&order)["identifiers"],
        json!([{"type": "TNAuthList", "value": tnauthlist::identifier_value(MARIE).unwrap()}])
    );
    assert_eq!(
        e.statuses(&h.gateway).await,
        ["pending", "pending", "pending"].map(status)
    );
    // The order lives an hour from now, by the gateway's clock.
    assert_eq!(body(&order)["expires"], "2026-12-01T01:00:00Z");
    assert!(sms_to_marie(&h).await.is_empty(), "no code before ready");
}

#[tokio::test]
async fn ready_sends_one_sms_with_a_code_to_the_number_and_the_challenge_is_processing() {
    let h = Harness::new().await;
    let (e, _) = Enrollment::new(&h).await;
    let ready = e.to_challenge(&h.gateway, &json!({})).await.unwrap();
    assert_eq!(body(&ready)["status"], "processing");
    assert_eq!(ready.location, Some(url(&format!("/authz/{}", e.authz))));
    let code = code_sent(&h).await;
    assert!(
        code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()),
        "{code}"
    );
    // A second "ready" sends nothing more.
    e.to_challenge(&h.gateway, &json!({})).await.unwrap();
    assert_eq!(sms_to_marie(&h).await.len(), 1);
    assert_eq!(
        e.statuses(&h.gateway).await,
        ["pending", "pending", "processing"].map(status)
    );
}

#[tokio::test]
async fn the_right_code_makes_the_challenge_and_authorization_valid_and_the_order_ready() {
    let h = Harness::new().await;
    let (e, _) = Enrollment::new(&h).await;
    e.to_challenge(&h.gateway, &json!({})).await.unwrap();
    h.advance_s(30);
    let code = code_sent(&h).await;
    let done = e
        .to_challenge(&h.gateway, &e.client.answer(&e.token, &code))
        .await
        .unwrap();
    assert_eq!(body(&done)["status"], "valid");
    assert_eq!(body(&done)["validated"], "2026-12-01T00:00:30Z");
    assert_eq!(
        e.statuses(&h.gateway).await,
        ["ready", "valid", "valid"].map(status)
    );
}

#[tokio::test]
async fn finalize_with_a_csr_for_the_number_makes_the_order_valid_with_a_certificate() {
    let h = Harness::new().await;
    let gateway = &h.gateway;
    let (e, order) = Enrollment::new(&h).await;
    e.to_challenge(gateway, &json!({})).await.unwrap();
    let code = code_sent(&h).await;
    e.to_challenge(gateway, &e.client.answer(&e.token, &code))
        .await
        .unwrap();

    let device_key = rcgen::KeyPair::generate().unwrap();
    let csr_der = csr::build_csr(MARIE, &device_key).unwrap();
    let finalize_url = body(&order)["finalize"].as_str().unwrap().to_owned();
    assert_eq!(finalize_url, url(&format!("/order/{}/finalize", e.order)));
    let finalized = acme::finalize(
        gateway,
        &e.order,
        &e.client.sign(
            gateway,
            &format!("/order/{}/finalize", e.order),
            Some(&json!({"csr": URL_SAFE_NO_PAD.encode(&csr_der)})),
        ),
    )
    .await
    .unwrap();
    assert_eq!(body(&finalized)["status"], "valid");
    assert_eq!(e.statuses(gateway).await[0], "valid");

    let cert_id = id_of(body(&finalized)["certificate"].as_str().unwrap());
    let chain = acme::certificate(
        gateway,
        &cert_id,
        &e.client.sign(gateway, &format!("/cert/{cert_id}"), None),
    )
    .await
    .unwrap();
    let ReplyBody::Pem(pem) = chain.body else {
        panic!("a PEM chain: {chain:?}")
    };
    let der: rustls::pki_types::CertificateDer<'static> =
        rustls::pki_types::pem::PemObject::from_pem_slice(pem.as_bytes()).unwrap();
    let numbers = cert::tn_auth_list_of_certificate(&der).unwrap();
    assert_eq!(numbers.single_number(), Some(MARIE));
    // Issued by the gateway's clock: 30 days from now.
    let stored = h.store.acme_certificate(&cert_id).await.unwrap().unwrap();
    assert_eq!(
        stored.not_after_ms,
        START_MS + cert::MAX_VALIDITY.whole_milliseconds() as i64
    );
}

#[tokio::test]
async fn three_wrong_codes_make_the_challenge_authorization_and_order_invalid() {
    let h = Harness::new().await;
    let (e, _) = Enrollment::new(&h).await;
    e.to_challenge(&h.gateway, &json!({})).await.unwrap();
    let right = code_sent(&h).await;
    let wrong = format!("{:06}", (right.parse::<u32>().unwrap() + 1) % 1_000_000);
    for attempts_left in [2, 1] {
        let refused = e
            .to_challenge(&h.gateway, &e.client.answer(&e.token, &wrong))
            .await
            .unwrap_err();
        assert_eq!(refused.problem.kind, ProblemType::IncorrectResponse);
        assert_eq!(
            refused.problem.detail,
            format!("wrong code; {attempts_left} attempts left")
        );
        assert_eq!(
            e.statuses(&h.gateway).await,
            ["pending", "pending", "processing"].map(status)
        );
    }
    let third = e
        .to_challenge(&h.gateway, &e.client.answer(&e.token, &wrong))
        .await
        .unwrap_err();
    assert_eq!(third.problem.kind, ProblemType::IncorrectResponse);
    assert_eq!(
        e.statuses(&h.gateway).await,
        ["invalid", "invalid", "invalid"].map(status)
    );
    // The right code comes too late, and every wrong one counted against the number.
    assert!(
        e.to_challenge(&h.gateway, &e.client.answer(&e.token, &right))
            .await
            .is_err()
    );
    assert_eq!(h.store.acme_number(MARIE).await.unwrap(), (3, None));
}

#[tokio::test]
async fn an_order_past_its_expiry_is_refused_when_ready_is_asked() {
    let h = Harness::new().await;
    let (e, _) = Enrollment::new(&h).await;
    // One hour is the order's life by default; a second more and it is over.
    h.advance_s(3600 + 1);
    let refused = e.to_challenge(&h.gateway, &json!({})).await.unwrap_err();
    assert_eq!(
        (refused.problem.kind, refused.problem.detail.as_str()),
        (ProblemType::Malformed, "the authorization expired")
    );
    assert!(sms_to_marie(&h).await.is_empty(), "no code was sent");
    // Past its expiry the order, its authorization and its challenge are invalid.
    assert_eq!(
        e.statuses(&h.gateway).await,
        ["invalid", "invalid", "invalid"].map(status)
    );
}

/// A harness whose orders live `order_s` seconds (`--order-lifetime`).
async fn with_order_lifetime(order_s: i64) -> Harness {
    let mut h = Harness::new().await;
    h.gateway.lifetimes.order_ms = order_s * 1000;
    h
}

#[tokio::test]
async fn the_right_code_after_the_order_lifetime_validates_nothing() {
    let h = with_order_lifetime(6).await;
    let (e, order) = Enrollment::new(&h).await;
    assert_eq!(body(&order)["expires"], "2026-12-01T00:00:06Z");
    e.to_challenge(&h.gateway, &json!({})).await.unwrap();
    let code = code_sent(&h).await;
    // The code itself lives 10 minutes, but the order only 6 s.
    h.advance_s(7);
    let refused = e
        .to_challenge(&h.gateway, &e.client.answer(&e.token, &code))
        .await
        .unwrap_err();
    assert_eq!(
        (refused.problem.kind, refused.problem.detail.as_str()),
        (ProblemType::Malformed, "the authorization expired")
    );
    assert_eq!(
        e.statuses(&h.gateway).await,
        ["invalid", "invalid", "invalid"].map(status)
    );
}

#[tokio::test]
async fn a_ready_order_past_its_expiry_is_invalid_and_cannot_be_finalized() {
    let h = with_order_lifetime(60).await;
    let gateway = &h.gateway;
    let (e, _) = Enrollment::new(&h).await;
    e.prove(&h).await;
    h.advance_s(61);
    let refused = e.finalize(gateway).await.unwrap_err();
    assert_eq!(refused.problem.kind, ProblemType::OrderNotReady);
    // RFC 8555 §7.1.6: the order is invalid, the valid authorization expired.
    assert_eq!(
        e.statuses(gateway).await,
        ["invalid", "expired", "valid"].map(status)
    );
}

#[tokio::test]
async fn the_right_code_after_the_authorization_was_deactivated_validates_nothing() {
    let h = Harness::new().await;
    let gateway = &h.gateway;
    let (e, _) = Enrollment::new(&h).await;
    e.to_challenge(gateway, &json!({})).await.unwrap();
    let code = code_sent(&h).await;
    let authz_path = format!("/authz/{}", e.authz);
    let deactivated = acme::authz(
        gateway,
        &e.authz,
        &e.client.sign(
            gateway,
            &authz_path,
            Some(&json!({"status": "deactivated"})),
        ),
    )
    .await
    .unwrap();
    assert_eq!(body(&deactivated)["status"], "deactivated");
    let refused = e
        .to_challenge(gateway, &e.client.answer(&e.token, &code))
        .await
        .unwrap_err();
    assert_eq!(refused.problem.kind, ProblemType::Malformed);
    assert_eq!(
        e.statuses(gateway).await,
        ["invalid", "deactivated", "invalid"].map(status)
    );
}

#[tokio::test]
async fn certificates_live_the_configured_lifetime() {
    let mut h = Harness::new().await;
    h.gateway.lifetimes.certificate_ms = 40_000;
    let gateway = &h.gateway;
    let (e, _) = Enrollment::new(&h).await;
    e.prove(&h).await;
    let finalized = e.finalize(gateway).await.unwrap();
    let cert_id = id_of(body(&finalized)["certificate"].as_str().unwrap());
    let stored = h.store.acme_certificate(&cert_id).await.unwrap().unwrap();
    assert_eq!(stored.not_after_ms, START_MS + 40_000);
}

/// A new order for Marie's number by a new account: what the flow answered.
async fn order_for_marie(h: &Harness) -> Result<AcmeReply, acme::AcmeError> {
    Client::registered(h).await.order_for_marie(h).await
}

#[tokio::test]
async fn a_number_locked_after_a_hundred_failures_is_free_again_a_day_later() {
    let h = Harness::new().await;
    let long_ago = START_MS - 48 * 3_600_000;
    for n in 1..=100 {
        let reserved = h
            .store
            .acme_reserve_number_attempt(MARIE, 100, long_ago)
            .await
            .unwrap();
        assert_eq!(reserved, Some(n));
    }
    // The hundredth slot is taken: no more answers are compared for the number.
    assert_eq!(
        h.store
            .acme_reserve_number_attempt(MARIE, 100, long_ago)
            .await
            .unwrap(),
        None
    );
    assert!(
        h.store
            .acme_lock_number(MARIE, 100, h.gateway.now_ms())
            .await
            .unwrap()
    );
    let refused = order_for_marie(&h).await.unwrap_err();
    assert_eq!(refused.problem.kind, ProblemType::RejectedIdentifier);
    h.advance_s(24 * 3600 - 1);
    assert!(order_for_marie(&h).await.is_err(), "still locked");
    h.advance_s(2);
    assert_eq!(
        order_for_marie(&h).await.unwrap().kind,
        ReplyKind::Created,
        "the lock ended by itself"
    );
}

#[tokio::test]
async fn the_simulator_forgets_a_code_sms_after_an_hour() {
    let h = Harness::new().await;
    let (e, _) = Enrollment::new(&h).await;
    e.to_challenge(&h.gateway, &json!({})).await.unwrap();
    assert_eq!(sms_to_marie(&h).await.len(), 1);
    h.advance_s(3600 + 1);
    // The next message the simulator delivers purges what is older than an hour.
    let (e2, _) = Enrollment::new(&h).await;
    e2.to_challenge(&h.gateway, &json!({})).await.unwrap();
    let left = sms_to_marie(&h).await;
    assert_eq!(left.len(), 1, "only the new code is kept: {left:?}");
}

/// A request whose signature does not verify writes nothing: its nonce is not spent, and
/// the same nonce serves the genuine request after it (RFC 8555 §6.5 spends a nonce once,
/// for a request that was signed).
#[tokio::test]
async fn a_badly_signed_request_does_not_spend_its_nonce() {
    let h = Harness::new().await;
    let gateway = &h.gateway;
    let (e, _) = Enrollment::new(&h).await;
    let kid = e.client.kid.clone().unwrap();
    let path = format!("/order/{}", e.order);
    let nonce = acme::new_nonce(gateway);
    let stranger = SigningKey::generate_es256();
    let forged = jws::sign(&stranger, SignAs::Kid(&kid), &nonce, &url(&path), None);
    let refused = acme::order(gateway, &e.order, forged.to_string().as_bytes())
        .await
        .unwrap_err();
    assert_ne!(refused.problem.kind, ProblemType::BadNonce, "{refused:?}");
    let genuine = jws::sign(&e.client.key, SignAs::Kid(&kid), &nonce, &url(&path), None);
    let order = acme::order(gateway, &e.order, genuine.to_string().as_bytes())
        .await
        .unwrap();
    assert_eq!(body(&order)["status"], "pending");
    // Spent now: the same nonce again is refused.
    let again = acme::order(gateway, &e.order, genuine.to_string().as_bytes())
        .await
        .unwrap_err();
    assert_eq!(again.problem.kind, ProblemType::BadNonce);
}

/// NIST SP 800-63B §5.1.3.3: after a SIM change recorded for Marie's number, the right code
/// proves nothing for the hold (24 h by default): the challenge, authorization and order end
/// `invalid` with `rejectedIdentifier` and a `Retry-After` at the hold's end. A wrong code
/// says nothing of the hold (only whoever holds the SIM learns of it). Once the hold is over,
/// a new order proves the number.
#[tokio::test]
async fn a_recent_sim_change_holds_proofs_of_the_number_until_the_hold_ends() {
    let h = Harness::new().await;
    let an_hour_ago = assent_gateway::base::clock::rfc3339(START_MS - 3_600_000);
    assert!(h.store.set_sim_change(MARIE, &an_hour_ago).await.unwrap());
    let (e, _) = Enrollment::new(&h).await;
    e.to_challenge(&h.gateway, &json!({})).await.unwrap();
    let code = code_sent(&h).await;
    let wrong = e
        .to_challenge(&h.gateway, &e.client.answer(&e.token, "00000000"))
        .await
        .unwrap_err();
    assert_eq!(wrong.problem.kind, ProblemType::IncorrectResponse);
    let held = e
        .to_challenge(&h.gateway, &e.client.answer(&e.token, &code))
        .await
        .unwrap_err();
    assert_eq!(held.problem.kind, ProblemType::RejectedIdentifier);
    assert!(
        held.problem.detail.contains("2026-12-01T23:00:00Z"),
        "{:?}",
        held.problem
    );
    assert_eq!(held.retry_after_s, Some(23 * 3600));
    assert_eq!(
        e.statuses(&h.gateway).await,
        ["invalid", "invalid", "invalid"].map(status)
    );

    h.advance_s(23 * 3600);
    let (again, _) = Enrollment::new(&h).await;
    again.prove(&h).await;
    assert_eq!(
        again.statuses(&h.gateway).await,
        ["ready", "valid", "valid"].map(status)
    );
}
