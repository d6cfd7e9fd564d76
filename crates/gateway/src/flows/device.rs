//! Device registration (seed 001) and the self-care device API.
//!
//! A device proves it holds the key of an ACME certificate for its number (issued by this
//! gateway's ACME CA) and registers that key. Authentication to the device API is by that
//! key, with signed JWT assertions (RFC 7523 §2.1) exchanged for five-minute access tokens
//! that are sender-constrained by DPoP (RFC 9449): every request carries a proof signed by
//! the device key, so a stolen token is useless without the key. This was chosen over mutual
//! TLS (RFC 8705) because the app's HTTP stacks (WebView, reqwest on Android and iOS) give
//! certificate-bound TLS poorly, while signing a JWT is one call; and because it survives
//! TLS-terminating proxies in front of a deployed gateway.
//!
//! A device sees and acts on its own number's data only: every look-up is by the device's
//! user, and another user's request id is simply not found.
//!
//! The checks of the bodies and JWTs themselves are in [`crate::rules::device`]; here they
//! meet the store (used `jti`s, devices, tokens, prompts) and the gateway's clock. What the
//! flows answer are the contract's types (`assent_proto::device`), which the app core reads.

use crate::base::clock::rfc3339;
use crate::base::ids::{new_token, token_hash};
use crate::flows::Gateway;
use crate::flows::answers::Waiting;
use crate::flows::consent::{EndedBy, Notary, client_name, end_consent, facts, given_attributes};
use crate::rules::device::{self as rules, JWT_MAX_LIFETIME_S, sha256_hex};
pub use crate::rules::device::{
    DeviceError, DeviceErrorKind, DpopHeader, decision_request, flag_request, withdraw_request,
};
use crate::rules::receipt::Event;
use crate::rules::ssf::Initiator;
use crate::store::{AuditFilter, Consent, Device, StoreError};
use assent_acme::jws::AccountKey;
use assent_audit::{EntryKind, NewEntry, UserExport};
use assent_proto::device::TokenResponse;
pub use assent_proto::device::{
    AuditPage, Grant, InboxItem, Notification, ReceiptItem, Registered, Withdrawn,
};
use assent_proto::jwt::HeadStatement;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// Device access tokens live five minutes.
const TOKEN_TTL_MS: i64 = 5 * 60_000;
/// The longest an inbox request waits for a prompt (s).
const MAX_WAIT_S: u64 = 25;
/// How often a waiting inbox request looks again: a prompt reaches the device well within
/// a second.
const INBOX_POLL_MS: u64 = 100;
/// Most audit entries one page returns.
pub const AUDIT_PAGE_MAX: i64 = 500;

/// A store failure seen by the device API: logged (without secrets), and `server_error` to
/// the device — `Unavailable` when the database is out of reach, so that the app tries
/// again (the gateway's one decision for an outage: 503 with `Retry-After`, where this API
/// answered 500 before).
impl From<StoreError> for DeviceError {
    fn from(error: StoreError) -> Self {
        tracing::error!(%error, "device api store error");
        let description = "the gateway could not complete the request";
        if error.is_unreachable() {
            DeviceError::unavailable(description)
        } else {
            DeviceError::server(description)
        }
    }
}

fn url(gateway: &Gateway, path: &str) -> String {
    format!("{}{path}", gateway.issuer)
}

fn now_s(gateway: &Gateway) -> i64 {
    gateway.now_ms() / 1000
}

/// Spends a JWT's `jti`: a JWT is accepted once (RFC 7523 §3 item 7, RFC 9449 §11.1). It is
/// remembered for twice the longest lifetime, past any `exp` the JWT could carry.
async fn use_jti(gateway: &Gateway, jti: &str) -> Result<(), DeviceError> {
    let jti = Some(jti)
        .filter(|j| !j.is_empty() && j.len() <= 200)
        .ok_or_else(|| DeviceError::bad("jti is required"))?;
    let now = gateway.now_ms();
    let expires = now + 2 * JWT_MAX_LIFETIME_S * 1000;
    if !gateway.store.use_device_jti(jti, expires, now).await? {
        return Err(DeviceError::unauthorized("this JWT was used before"));
    }
    Ok(())
}

/// `POST /device/register` with `{"certificate", "jwk", "assertion", "name"}` (the request
/// body as it came: an unreadable one is an attempt too). Every attempt is recorded, refused
/// ones with the reason (SEC-1).
pub async fn register(gateway: &Gateway, body: &[u8]) -> Result<Registered, DeviceError> {
    let attempt = crate::base::ids::new_id("r");
    match try_register(gateway, body, &attempt).await {
        // Recorded with the device (`Tx::register_device`).
        Ok((device, number, renewed)) => Ok(Registered {
            pending_approval: device.approval == "pending",
            device_id: device.id,
            number: format!("+{number}"),
            name: device.name,
            renewed,
        }),
        Err((error, cert_id, user_id)) => {
            let now = gateway.now_ms();
            // SEC-1: an attempt that cannot be recorded is an error of the gateway's, not a
            // refusal that leaves no trace.
            gateway
                .store
                .record_registration_attempt(
                    &attempt,
                    now,
                    cert_id.as_deref(),
                    user_id.as_deref(),
                    "refused",
                    error.code,
                )
                .await?;
            // Anyone can make a refused attempt: they are kept for the retention only.
            gateway
                .store
                .purge_refused_registration_attempts(
                    now - gateway.lifetimes.refused_registration_ms,
                )
                .await?;
            Err(error)
        }
    }
}

/// A refused registration, with the certificate and user it got as far as.
type Refusal = (DeviceError, Option<String>, Option<String>);

async fn try_register(
    gateway: &Gateway,
    body: &[u8],
    attempt: &str,
) -> Result<(Device, String, bool), Refusal> {
    let plain = |e: DeviceError| (e, None, None);
    let request = rules::registration(body).map_err(plain)?;
    let der = URL_SAFE_NO_PAD
        .decode(&request.certificate)
        .map_err(|_| plain(DeviceError::bad("certificate must be base64url DER")))?;
    let cert = gateway
        .store
        .acme_certificate_by_der(&hex::encode(Sha256::digest(&der)))
        .await
        .map_err(|e| plain(e.into()))?
        .ok_or_else(|| {
            plain(DeviceError::forbidden(
                "unknown_certificate",
                "this gateway did not issue that certificate",
            ))
        })?;
    let with_cert = |e: DeviceError| (e, Some(cert.id.clone()), None);
    let now_ms = gateway.now_ms();
    if cert.revoked_ms.is_some() || cert.not_after_ms <= now_ms {
        return Err(with_cert(DeviceError::forbidden(
            "certificate_not_valid",
            "the certificate is revoked or expired: verify the number again",
        )));
    }
    let jwk = &request.jwk;
    let key = AccountKey::from_jwk(jwk).map_err(|_| with_cert(rules::jwk_error(jwk)))?;
    let spki = hex::decode(&cert.spki_der).unwrap_or_default();
    if !crate::flows::acme::spki_is(&spki, &key) {
        return Err(with_cert(DeviceError::forbidden(
            "key_mismatch",
            "the key is not the certificate's",
        )));
    }
    let claims = rules::verify_jwt(
        jwk,
        &request.assertion,
        Some(&url(gateway, "/device/register")),
        true,
        now_ms / 1000,
    )
    .map_err(|e| with_cert(DeviceError::unauthorized(format!("assertion: {e}"))))?;
    let claims = rules::registration_assertion(&claims).map_err(with_cert)?;
    use_jti(gateway, &claims.jti).await.map_err(with_cert)?;
    // SEC-2: the number's user by one unique look-up.
    let user = gateway
        .store
        .user_by_msisdn(&cert.number)
        .await
        .map_err(|e| with_cert(e.into()))?
        .ok_or_else(|| {
            with_cert(DeviceError::forbidden(
                "not_a_subscriber",
                "this number has no Mobile Connect account here",
            ))
        })?;
    let with_user = |e: DeviceError| (e, Some(cert.id.clone()), Some(user.id.clone()));
    // Renewal (NIST SP 800-63B §6.1.4): the key of a live device of this user, on a fresh
    // certificate of the number, moves that device onto it — same id, same grants, same
    // history — and the device lives as long as the new certificate.
    if let Some(renewed) = gateway
        .store
        .renew_device(&user.id, &key.thumbprint(), &cert.id)
        .await
        .map_err(|e| with_user(e.into()))?
    {
        let device = gateway
            .store
            .device(&renewed)
            .await
            .map_err(|e| with_user(e.into()))?
            .ok_or_else(|| with_user(DeviceError::server("the renewed device vanished")))?;
        let detail =
            json!({"action": "device_renewed", "device": device.id, "certificate": cert.serial});
        audit_device(&gateway.store, EntryKind::Admin, &user.id, detail, now_ms)
            .await
            .map_err(|e| with_user(e.into()))?;
        return Ok((device, cert.number, true));
    }
    // Binding an additional device (NIST SP 800-63B §6.1.2.1): while the user has a live
    // device, the new one waits for approval there — an SMS proof alone (a swapped SIM, a
    // ported number) does not add a device beside the user's. With none, it is bound at
    // once and the number's holder is told by SMS.
    let others = gateway
        .store
        .live_devices(&user.id, now_ms)
        .await
        .map_err(|e| with_user(e.into()))?;
    let approval_message = (!others.is_empty()).then(|| crate::base::ids::new_id("m"));
    let device = Device {
        id: crate::base::ids::new_id("d"),
        user_id: user.id.clone(),
        cert_id: cert.id.clone(),
        jwk: key.to_jwk().to_string(),
        thumbprint: key.thumbprint(),
        name: rules::device_name(request.name.as_deref()),
        registered_ms: now_ms,
        revoked_ms: None,
        cert_not_after_ms: cert.not_after_ms,
        approval: if approval_message.is_some() {
            "pending"
        } else {
            "approved"
        }
        .to_owned(),
        approval_expires_ms: approval_message
            .as_ref()
            .map(|_| now_ms + rules::BINDING_APPROVAL_MS),
        approval_message: approval_message.clone(),
    };
    let registered = async {
        let mut tx = gateway.store.begin().await?;
        let inserted = tx.register_device(&device, attempt).await?;
        if inserted {
            tx.commit().await?;
        }
        Ok::<_, StoreError>(inserted)
    };
    if !registered.await.map_err(|e| with_user(e.into()))? {
        return Err(with_user(DeviceError::conflict(
            "already_registered",
            "this certificate is registered already; each registration is unique",
        )));
    }
    match &approval_message {
        // The question goes to the inbox of the user's devices (the new one gets no token
        // before it is answered).
        Some(message_id) => gateway
            .store
            .insert_app_prompt(&crate::store::AppPrompt {
                message_id: message_id.clone(),
                user_id: user.id.clone(),
                text: rules::binding_prompt(&device.name),
                content: None,
                created_ms: now_ms,
                answered_ms: None,
            })
            .await
            .map_err(|e| with_user(e.into()))?,
        // The number's holder hears of it by SMS, beside the audit entry (best effort: the
        // binding stands if the SMS cannot be sent, and the gateway logs it).
        None => notify_binding(gateway, &cert.number, now_ms).await,
    }
    // The app becomes the user's preferred authenticator; USSD stays the fallback.
    if !user.authenticators.iter().any(|a| a == "app") {
        let mut list = vec!["app".to_owned()];
        list.extend(user.authenticators.iter().cloned());
        gateway
            .store
            .set_authenticators(&user.msisdn, &list)
            .await
            .map_err(|e| with_user(e.into()))?;
    }
    let detail = json!({"action": "device_registered", "device": device.id,
                        "certificate": cert.serial, "approval": device.approval});
    audit_device(&gateway.store, EntryKind::Admin, &user.id, detail, now_ms)
        .await
        .map_err(|e| with_user(e.into()))?;
    // A device bound at once is a new credential of the user's now (one that waits for
    // approval becomes one when it is approved: `flows::answers`).
    if device.approval == "approved" {
        crate::flows::ssf::credential_created(gateway, &user.id)
            .await
            .map_err(|e| with_user(e.into()))?;
    }
    Ok((device, cert.number, false))
}

/// Audits what happened to one of the user's devices (`detail`: `{"action", "device", …}`):
/// registered, renewed, revoked.
async fn audit_device(
    store: &crate::store::Store,
    kind: EntryKind,
    user_id: &str,
    detail: Value,
    at_ms: i64,
) -> Result<(), StoreError> {
    store
        .append_audit(NewEntry {
            at_ms,
            kind,
            user: Some(user_id.to_owned()),
            sp: None,
            authenticator: Some("app".into()),
            detail: detail.to_string(),
        })
        .await?;
    Ok(())
}

/// Sends the binding notice ([`rules::binding_notice`]) to `number`, when the gateway has an
/// SMS network.
async fn notify_binding(gateway: &Gateway, number: &str, now_ms: i64) {
    let Some(sms) = gateway.sms.as_ref() else {
        return;
    };
    let text = rules::binding_notice(&crate::base::clock::rfc3339(now_ms));
    let notice = crate::flows::handset::OutgoingPrompt::plain(text);
    if let Err(error) = sms.send_sms(number, &notice, false).await {
        tracing::warn!(%error, "the binding notice SMS could not be sent");
    }
}

/// Checks the DPoP proof of a request for `method htu` (RFC 9449 §4.3), spends its `jti`,
/// and returns the thumbprint of its key; with `access_token`, the proof must also name it.
async fn dpop(
    gateway: &Gateway,
    proof: DpopHeader<'_>,
    method: &str,
    htu: &str,
    access_token: Option<&str>,
) -> Result<String, DeviceError> {
    let proof = rules::check_dpop_proof(proof, method, htu, access_token, now_s(gateway))?;
    use_jti(gateway, &proof.claims.jti).await?;
    Ok(proof.thumbprint()?)
}

/// `POST /device/token` (its form `params`): `grant_type=urn:ietf:params:oauth:grant-type:
/// jwt-bearer` with an assertion signed by the device key (iss = sub = the device id,
/// RFC 7523 §3), and a DPoP proof by the same key: a five-minute access token bound to the
/// device key (RFC 9449 §5).
pub async fn token(
    gateway: &Gateway,
    params: &HashMap<String, String>,
    proof: DpopHeader<'_>,
) -> Result<TokenResponse, DeviceError> {
    let request = rules::token_request(params)?;
    let assertion = &request.assertion;
    let token_url = url(gateway, "/device/token");
    // The proof is checked now and its `jti` spent (a durable write) only once the device
    // is known and its assertion verified: nobody unidentified writes anything.
    let proof = rules::check_dpop_proof(proof, "POST", &token_url, None, now_s(gateway))?;
    let jkt = proof.thumbprint()?;
    let device_id = rules::unverified_issuer(assertion)?;
    let device = gateway
        .store
        .device(&device_id)
        .await?
        .filter(|d| d.revoked_ms.is_none())
        .ok_or_else(|| DeviceError::unauthorized("unknown or revoked device"))?;
    rules::certificate_in_force(device.cert_not_after_ms, gateway.now_ms())?;
    rules::binding_in_force(
        &device.approval,
        device.approval_expires_ms,
        gateway.now_ms(),
    )?;
    let jwk: Value = serde_json::from_str(&device.jwk)
        .map_err(|_| DeviceError::unauthorized("stored key unreadable"))?;
    let claims = rules::verify_jwt(&jwk, assertion, Some(&token_url), true, now_s(gateway))
        .map_err(|e| DeviceError::unauthorized(format!("assertion: {e}")))?;
    let claims = rules::token_assertion(&claims)?;
    if claims.sub != device.id {
        return Err(DeviceError::unauthorized(
            "the assertion's sub must be the device id",
        ));
    }
    if jkt != device.thumbprint {
        return Err(DeviceError::unauthorized(
            "the DPoP key is not the device key",
        ));
    }
    use_jti(gateway, &claims.jti).await?;
    use_jti(gateway, &proof.claims.jti).await?;
    let access_token = new_token();
    gateway
        .store
        .insert_device_token(
            &token_hash(&access_token),
            &device.id,
            &jkt,
            gateway.now_ms() + TOKEN_TTL_MS,
        )
        .await?;
    Ok(TokenResponse {
        access_token,
        expires_in: TOKEN_TTL_MS.unsigned_abs() / 1000,
        token_type: "DPoP".to_owned(),
    })
}

/// The device behind a request for `method path`: its `Authorization` field
/// (`DPoP <token>`, RFC 9449 §7.1) and a proof by the key the token is bound to. A token
/// of a revoked device (its certificate revoked) is refused, and so is one whose
/// certificate has expired (`certificate_expired`).
pub async fn authenticate(
    gateway: &Gateway,
    authorization: Option<&str>,
    proof: DpopHeader<'_>,
    method: &str,
    path: &str,
) -> Result<Device, DeviceError> {
    let token = authorization
        .and_then(|v| v.strip_prefix("DPoP "))
        .ok_or_else(|| DeviceError::unauthorized("Authorization: DPoP <token> is required"))?;
    let (device_id, jkt, expires_ms) = gateway
        .store
        .device_token(&token_hash(token))
        .await?
        .ok_or_else(|| DeviceError::unauthorized("unknown device token"))?;
    if expires_ms <= gateway.now_ms() {
        return Err(DeviceError::unauthorized("the device token expired"));
    }
    let proof_jkt = dpop(gateway, proof, method, &url(gateway, path), Some(token)).await?;
    if proof_jkt != jkt {
        return Err(DeviceError::unauthorized("the DPoP key is not the token's"));
    }
    let device = gateway
        .store
        .device(&device_id)
        .await?
        .filter(|d| d.revoked_ms.is_none())
        .ok_or_else(|| DeviceError::unauthorized("the device is revoked"))?;
    rules::certificate_in_force(device.cert_not_after_ms, gateway.now_ms())?;
    rules::binding_in_force(
        &device.approval,
        device.approval_expires_ms,
        gateway.now_ms(),
    )?;
    Ok(device)
}

/// A consent request waiting in the inbox, for the device to render and answer: its id,
/// the gateway's text and its hash, and the content for the app to render for its own
/// screen and language.
pub type InboxRequest = InboxItem;

/// `GET /device/inbox?wait=SECONDS`: the user's pending consent requests; waits (long
/// polling) up to `wait_s` seconds (at most 25) for one to arrive.
pub async fn inbox(
    gateway: &Gateway,
    device: &Device,
    wait_s: u64,
) -> Result<Vec<InboxRequest>, DeviceError> {
    // How long to wait is a duration of real time, not a reading of the gateway's clock: a
    // fixed clock would never let the wait end.
    let deadline =
        std::time::Instant::now() + std::time::Duration::from_secs(wait_s.min(MAX_WAIT_S));
    let prompts = loop {
        let prompts = gateway.store.open_app_prompts(&device.user_id, 0).await?;
        if !prompts.is_empty() || std::time::Instant::now() >= deadline {
            break prompts;
        }
        tokio::time::sleep(std::time::Duration::from_millis(INBOX_POLL_MS)).await;
    };
    Ok(prompts
        .into_iter()
        .map(|p| InboxRequest {
            prompt_sha256: sha256_hex(&p.text),
            // As stored (`PromptContent` as JSON); one this version cannot read is left out.
            content: p
                .content
                .as_deref()
                .and_then(|c| serde_json::from_str(c).ok()),
            id: p.message_id,
            prompt: p.text,
            created_ms: p.created_ms,
        })
        .collect())
}

/// `POST /device/inbox/{id}/decision` with `{"decision": JWT}`: the JWT, signed by the
/// device key, says `{"request": id, "answer": "approve" | "deny", "prompt_sha256": …}` —
/// bound to the request and to the exact prompt text shown. The app may show the prompt's
/// content rendered for its own screen and language: it then says how in
/// `"shown": {"device": WireDevice, "locale": …}`, and the gateway renders the content the
/// same way to check that the text signed over is that rendering
/// ([`rules::check_decision`]). Returns whether a waiting request took the answer.
pub async fn decide(
    gateway: &Gateway,
    device: &Device,
    id: &str,
    signed: &str,
) -> Result<bool, DeviceError> {
    let jwk: Value = serde_json::from_str(&device.jwk)
        .map_err(|_| DeviceError::unauthorized("stored key unreadable"))?;
    let claims = rules::verify_jwt(&jwk, signed, Some(&gateway.issuer), true, now_s(gateway))
        .map_err(|e| DeviceError::unauthorized(format!("decision: {e}")))?;
    // Another number's request is not found, exactly as a request that does not exist.
    let prompt = gateway
        .store
        .app_prompt(id)
        .await?
        .filter(|p| p.user_id == device.user_id)
        .ok_or_else(|| DeviceError::not_found("no such request"))?;
    let decision = rules::check_decision(&claims, id, &prompt.text, prompt.content.as_deref())?;
    use_jti(gateway, &decision.jti).await?;
    // The prompt's closing, the signed decision (the evidence a dispute needs: which device,
    // over which text) and the answer with its consent commit together: a decision the
    // gateway did not acknowledge leaves the prompt open, to be answered again.
    let mut waiting = Waiting::find(gateway, id).await?;
    if let Some(waiting) = &mut waiting {
        // The consent records the text the user read, which is the app's rendering when it
        // rendered the content itself.
        waiting.shown = Some(decision.shown_text.clone());
    }
    let now_ms = gateway.now_ms();
    let mut tx = gateway.store.begin().await?;
    if !tx.answer_app_prompt(id, &device.id, now_ms).await? {
        return Err(DeviceError::conflict(
            "already_answered",
            "this request was answered already",
        ));
    }
    // The evidence keeps `shown` exactly as the device signed it (the JSON of the verified
    // claims, not as this version reads it): the trail hashes these bytes.
    tx.append_audit(NewEntry {
        at_ms: now_ms,
        kind: EntryKind::Answer,
        user: Some(device.user_id.clone()),
        sp: None,
        authenticator: Some("app".into()),
        detail: json!({"purpose": "signed_decision", "device": device.id,
                       "prompt_sha256": decision.prompt_sha256,
                       "shown": claims.get("shown").cloned().unwrap_or(Value::Null),
                       "decision_sha256": sha256_hex(signed)})
        .to_string(),
    })
    .await?;
    let applied = match &waiting {
        Some(waiting) => waiting.record(&mut tx, decision.approve).await?,
        None => false,
    };
    tx.commit().await?;
    // Ping and push SPs are told now rather than at the next sweep.
    if applied && let Some(waiting) = &waiting {
        waiting.answered(gateway);
    }
    Ok(applied)
}

/// `GET /device/grants`: the user's long-lived consents in force, per SP, with what they
/// give now, when they end and when the SP last read the user's data.
pub async fn grants(gateway: &Gateway, device: &Device) -> Result<Vec<Grant>, DeviceError> {
    let mut grants = Vec::new();
    let now_ms = gateway.now_ms();
    for client in gateway.store.clients().await? {
        for consent in gateway
            .store
            .live_consents(&device.user_id, &client.client_id, now_ms)
            .await?
        {
            let last_used = gateway
                .store
                .last_access(&device.user_id, &client.client_id)
                .await?
                .filter(|last| *last >= consent.granted_ms)
                .map(rfc3339);
            let attributes = given_attributes(gateway, &consent);
            grants.push(Grant {
                id: consent.id,
                client_id: client.client_id.clone(),
                client_name: client.client_name.clone(),
                services: consent
                    .scope
                    .into_iter()
                    .filter(|s| s != "openid")
                    .collect(),
                attributes,
                withdrawn: consent.withdrawn,
                granted_at: rfc3339(consent.granted_ms),
                expires_at: consent.expires_ms.map(rfc3339),
                last_used,
                prompt: consent.prompt,
            });
        }
    }
    Ok(grants)
}

/// The user's consent `id`, in force now; another user's is not found.
async fn own_consent(gateway: &Gateway, device: &Device, id: &str) -> Result<Consent, DeviceError> {
    gateway
        .store
        .consent(id)
        .await?
        .filter(|c| {
            c.user_id == device.user_id
                && crate::rules::consent::in_force(c.revoked_ms, c.expires_ms, gateway.now_ms())
        })
        .ok_or_else(|| DeviceError::not_found("no such grant"))
}

/// `POST /device/grants/{id}/revoke`: the consent and every token bought with it die at once
/// (MC_ATTR_20), with its withdrawal receipt and audit entry in the same transaction.
/// Another user's grant is not found.
pub async fn revoke_grant(gateway: &Gateway, device: &Device, id: &str) -> Result<(), DeviceError> {
    let consent = own_consent(gateway, device, id).await?;
    if !end_consent(gateway, &consent, EndedBy::User { device: &device.id }).await? {
        return Err(DeviceError::not_found("no such grant"));
    }
    Ok(())
}

/// `POST /device/grants/{id}/withdraw`: the user stops sharing some attributes of a consent
/// and keeps the rest: the SP's share answers them empty from its next request (MC_ATTR_29),
/// its match `not_available`. Audited and receipted in the same transaction. Withdrawing
/// every attribute the consent still gives is a revocation, refused here; an attribute the
/// consent does not give is refused, and nothing changes.
pub async fn withdraw(
    gateway: &Gateway,
    device: &Device,
    id: &str,
    attributes: &[String],
) -> Result<Withdrawn, DeviceError> {
    let consent = own_consent(gateway, device, id).await?;
    let given = given_attributes(gateway, &consent);
    if attributes.is_empty() {
        return Err(DeviceError::bad("name at least one attribute to withdraw"));
    }
    if let Some(unknown) = attributes.iter().find(|a| !given.contains(a)) {
        return Err(DeviceError::bad(format!(
            "this grant does not give {unknown:?} (it gives: {})",
            given.join(", ")
        )));
    }
    let remaining: Vec<String> = given
        .iter()
        .filter(|a| !attributes.contains(a))
        .cloned()
        .collect();
    if remaining.is_empty() {
        return Err(DeviceError::bad(
            "that is everything this grant gives: revoke the grant instead",
        ));
    }
    let mut withdrawn = consent.withdrawn.clone();
    for attribute in attributes {
        if !withdrawn.contains(attribute) {
            withdrawn.push(attribute.clone());
        }
    }
    let name = client_name(gateway, &consent.client_id).await?;
    let now_ms = gateway.now_ms();
    let receipt = Notary::of(gateway).receipt(
        &facts(&consent, &name),
        &Event::Withdrawn {
            attributes,
            remaining: &remaining,
        },
        now_ms,
    )?;
    let mut tx = gateway.store.begin().await?;
    // Compare and set: a withdrawal or revocation that committed since the consent was read
    // wins, and this one is refused rather than undoing it.
    if !tx
        .set_withdrawn(&consent.id, &consent.withdrawn, &withdrawn)
        .await?
    {
        return Err(DeviceError::conflict(
            "grant_changed",
            "this grant changed meanwhile: read it again",
        ));
    }
    tx.insert_receipt(&receipt).await?;
    tx.append_audit(NewEntry {
        at_ms: now_ms,
        kind: EntryKind::Revocation,
        user: Some(device.user_id.clone()),
        sp: Some(consent.client_id.clone()),
        authenticator: Some("app".into()),
        detail: json!({"by": "user", "consent": consent.id, "device": device.id,
                       "attributes": attributes, "receipt": receipt.id})
        .to_string(),
    })
    .await?;
    tx.commit().await?;
    Ok(Withdrawn {
        id: consent.id,
        attributes: remaining,
        withdrawn,
        receipt: receipt.id,
    })
}

/// `GET /device/receipts`: the user's consent receipts, oldest first, each with the text the
/// consent was given to (whose SHA-256 it carries).
pub async fn receipts(gateway: &Gateway, device: &Device) -> Result<Vec<ReceiptItem>, DeviceError> {
    let mut names: HashMap<String, String> = HashMap::new();
    let mut prompts: HashMap<String, Option<String>> = HashMap::new();
    let mut items = Vec::new();
    for receipt in gateway.store.receipts(&device.user_id).await? {
        if !names.contains_key(&receipt.client_id) {
            let name = client_name(gateway, &receipt.client_id).await?;
            names.insert(receipt.client_id.clone(), name);
        }
        let prompt = if receipt.kind == "consent" {
            if !prompts.contains_key(&receipt.consent_id) {
                let prompt = gateway
                    .store
                    .consent(&receipt.consent_id)
                    .await?
                    .map(|c| c.prompt);
                prompts.insert(receipt.consent_id.clone(), prompt);
            }
            prompts.get(&receipt.consent_id).cloned().flatten()
        } else {
            None
        };
        items.push(ReceiptItem {
            client_name: names.get(&receipt.client_id).cloned().unwrap_or_default(),
            id: receipt.id,
            consent_id: receipt.consent_id,
            client_id: receipt.client_id,
            kind: receipt.kind,
            at: rfc3339(receipt.at_ms),
            jws: receipt.jws,
            prompt,
        });
    }
    Ok(items)
}

/// What a device is at `now_ms`: `revoked`, `pending` (its binding waits for approval),
/// `refused` (denied, or not approved in time), `expired` (its certificate) or `active`.
pub fn device_status(device: &Device, now_ms: i64) -> &'static str {
    let binding = crate::rules::device::binding_in_force(
        &device.approval,
        device.approval_expires_ms,
        now_ms,
    );
    if device.revoked_ms.is_some() {
        "revoked"
    } else if let Err(refused) = binding {
        if refused.code == "approval_pending" {
            "pending"
        } else {
            "refused"
        }
    } else if crate::rules::device::certificate_in_force(device.cert_not_after_ms, now_ms).is_err()
    {
        "expired"
    } else {
        "active"
    }
}

/// `GET /device/devices`: every device bound to the user's account, oldest first, the asking
/// one marked (NIST SP 800-63B §6.1: the subscriber sees the authenticators bound to it).
pub async fn devices(
    gateway: &Gateway,
    device: &Device,
) -> Result<Vec<assent_proto::device::DeviceInfo>, DeviceError> {
    let now_ms = gateway.now_ms();
    Ok(gateway
        .store
        .user_devices(&device.user_id)
        .await?
        .into_iter()
        .map(|d| assent_proto::device::DeviceInfo {
            expires_at: rfc3339(d.cert_not_after_ms),
            registered_at: rfc3339(d.registered_ms),
            revoked_at: d.revoked_ms.map(rfc3339),
            status: device_status(&d, now_ms).to_owned(),
            this_device: d.id == device.id,
            name: d.name,
            id: d.id,
        })
        .collect())
}

/// Revokes device `id` at `now_ms` — only if it is `owner`'s when an owner is given — with
/// its audit entry (`by`: who). `None` when it is someone else's, unknown or revoked already:
/// nothing tells which.
pub async fn revoke_device_of(
    store: &crate::store::Store,
    owner: Option<&str>,
    id: &str,
    by: serde_json::Value,
    now_ms: i64,
) -> Result<Option<Device>, StoreError> {
    let Some(target) = store
        .device(id)
        .await?
        .filter(|d| owner.is_none_or(|o| d.user_id == o))
    else {
        return Ok(None);
    };
    // The SPs the user consented to end the sessions it may have started (Shared Signals),
    // told from the transaction that revokes it.
    let initiator = if owner.is_some() {
        Initiator::User
    } else {
        Initiator::Admin
    };
    // A device never bound (waiting for approval, or refused) started no session.
    let sets = if target.approval == "approved" {
        crate::flows::ssf::device_revoked(store, &target.user_id, initiator, now_ms).await?
    } else {
        Vec::new()
    };
    let mut tx = store.begin().await?;
    if !tx.revoke_device(&target.id, now_ms).await? {
        return Ok(None);
    }
    tx.append_audit(NewEntry {
        at_ms: now_ms,
        kind: EntryKind::Revocation,
        user: Some(target.user_id.clone()),
        sp: None,
        authenticator: Some("app".into()),
        detail: json!({"action": "device_revoked", "device": target.id, "by": by}).to_string(),
    })
    .await?;
    crate::flows::ssf::queue(&mut tx, &sets).await?;
    tx.commit().await?;
    Ok(Some(target))
}

/// `POST /device/devices/{id}/revoke`: the user revokes one of their devices — this one
/// included (NIST SP 800-63B §6.2: a lost or stolen authenticator is revoked at once).
pub async fn revoke_device(
    gateway: &Gateway,
    device: &Device,
    id: &str,
) -> Result<(), DeviceError> {
    revoke_device_of(
        &gateway.store,
        Some(&device.user_id),
        id,
        json!({"user": {"device": device.id}}),
        gateway.now_ms(),
    )
    .await?
    .ok_or_else(|| DeviceError::not_found("no such device"))?;
    gateway.signals.queued();
    Ok(())
}

/// `POST /device/flags` with `{"client_id", "reason"}`: the user reports an SP (MC_ATTR_20);
/// operators read the reports with `assent-gateway admin flags` and may blacklist the SP.
/// Returns the report's id.
pub async fn flag(
    gateway: &Gateway,
    device: &Device,
    client_id: &str,
    reason: &str,
) -> Result<String, DeviceError> {
    let reason =
        rules::flag_reason(reason).ok_or_else(|| DeviceError::bad("a reason is required"))?;
    if gateway.store.client(client_id).await?.is_none() {
        return Err(DeviceError::not_found("no such SP"));
    }
    let flag = crate::store::Flag {
        id: crate::base::ids::new_id("fl"),
        client_id: client_id.to_owned(),
        user_id: Some(device.user_id.clone()),
        reason: reason.clone(),
        at_ms: gateway.now_ms(),
    };
    gateway.store.insert_flag(&flag).await?;
    gateway
        .store
        .append_audit(NewEntry {
            at_ms: flag.at_ms,
            kind: EntryKind::SpFlagged,
            user: Some(device.user_id.clone()),
            sp: Some(client_id.to_owned()),
            authenticator: Some("app".into()),
            detail: json!({"flag": flag.id, "reason": reason}).to_string(),
        })
        .await?;
    Ok(flag.id)
}

/// `GET /device/notifications`: what SPs did with the user's data (MC_ATTR_19).
pub async fn notifications(
    gateway: &Gateway,
    device: &Device,
) -> Result<Vec<Notification>, DeviceError> {
    Ok(gateway
        .store
        .user_notifications(&device.user_id)
        .await?
        .into_iter()
        .map(|n| Notification {
            detail: serde_json::from_str::<Value>(&n.detail).unwrap_or(Value::Null),
            at: rfc3339(n.created_ms),
            id: n.id,
            client_id: n.client_id,
            kind: n.kind,
        })
        .collect())
}

/// `GET /device/audit`: the user's own entries (MC_ATTR_32) after sequence number `after`,
/// oldest first, at most `limit` (1 to [`AUDIT_PAGE_MAX`]).
pub async fn audit(
    gateway: &Gateway,
    device: &Device,
    after: i64,
    limit: i64,
    filter: &AuditFilter,
) -> Result<AuditPage, DeviceError> {
    let entries = gateway
        .store
        .user_audit(&device.user_id, after, limit, filter)
        .await?;
    let next = (entries.len() as i64 == limit)
        .then(|| entries.last().map(|e| e.seq))
        .flatten();
    let sp_names = sp_names(gateway, &entries).await?;
    Ok(AuditPage {
        entries,
        next,
        sp_names,
    })
}

/// The name of each SP `entries` name, so that the user's history can say "Demo Shop"
/// rather than a client_id. Display only: the names are not part of the entries (an SP
/// renamed since shows its name of today) and SPs no longer registered are left out.
async fn sp_names(
    gateway: &Gateway,
    entries: &[assent_audit::AuditEntry],
) -> Result<std::collections::BTreeMap<String, String>, StoreError> {
    let ids: std::collections::BTreeSet<&str> = entries
        .iter()
        .filter_map(|e| e.content.sp.as_deref())
        .collect();
    let mut names = std::collections::BTreeMap::new();
    // A user's history names a handful of SPs: one lookup each.
    for id in ids {
        if let Some(client) = gateway.store.client(id).await? {
            names.insert(client.client_id, client.client_name);
        }
    }
    Ok(names)
}

/// How an export's chain verifies, in words: the `verify` of every export.
pub const EXPORT_VERIFY: &str = "assent-audit: each hash is SHA-256 over a domain prefix, seq, \
    at_ms, kind, user, sp, authenticator, detail (length-prefixed), prev_hash and \
    user_prev_hash; user_prev_hash is the hash of the user's previous entry (zeros for the \
    first), so the user's entries form one chain ending at head";

/// `GET /device/audit/export`: every entry of the user, in order, with the hash-chain proof:
/// each entry carries its hash and the hash of the user's previous entry, so the chain
/// verifies offline from the first entry (`assent_audit::verify_user_chain`); the gateway
/// signs the head (ES256, its JWKS key) so the export can be shown to a third party.
pub async fn audit_export(gateway: &Gateway, device: &Device) -> Result<UserExport, DeviceError> {
    let mut entries = Vec::new();
    let mut after = 0;
    loop {
        let page = gateway
            .store
            .user_audit(
                &device.user_id,
                after,
                AUDIT_PAGE_MAX,
                &AuditFilter::default(),
            )
            .await?;
        let Some(last) = page.last() else { break };
        after = i64::try_from(last.seq).unwrap_or(i64::MAX);
        entries.extend(page);
    }
    let head = assent_audit::verify_user_chain(&device.user_id, &entries).map_err(|e| {
        tracing::error!(error = %e, "a user's audit chain does not verify");
        DeviceError::server("the trail does not verify")
    })?;
    let statement = HeadStatement {
        count: u64::try_from(entries.len()).unwrap_or(u64::MAX),
        head: head.to_hex(),
        iat: now_s(gateway),
        iss: gateway.issuer.clone(),
        sub: device.user_id.clone(),
    };
    let signed_head = serde_json::to_value(&statement)
        .map_err(|e| e.to_string())
        .and_then(|claims| {
            crate::rules::idtoken::sign(&gateway.keys, &claims).map_err(|e| e.to_string())
        })
        .map_err(|error| {
            tracing::error!(%error, "export signing");
            DeviceError::server("the export could not be signed")
        })?;
    // The whole trail's head now, signed: the device keeps the latest it saw and refuses a
    // trail that went back behind it.
    let checkpoint = match gateway.store.audit_head().await? {
        Some(trail) => Some(
            crate::rules::checkpoint::sign(&gateway.keys, &gateway.issuer, trail, now_s(gateway))
                .map_err(|error| {
                tracing::error!(%error, "checkpoint signing");
                DeviceError::server("the export could not be signed")
            })?,
        ),
        None => None,
    };
    let sp_names = sp_names(gateway, &entries).await?;
    Ok(UserExport {
        checkpoint,
        entries,
        head: head.to_hex(),
        signed_head: Some(signed_head),
        sp_names,
        user: device.user_id.clone(),
        verify: Some(EXPORT_VERIFY.to_owned()),
    })
}
