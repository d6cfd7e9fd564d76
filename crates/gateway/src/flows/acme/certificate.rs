//! Certificates: finalize (RFC 8555 §7.4), download (§7.4.2) and revocation (§7.6).
//! Issuance and revocation go into the audit trail of the number's user.

use super::objects;
use super::order::{owned_order, settled_order};
use super::request::{KeyForm, signed};
use super::{AcmeError, AcmeReply, ReplyBody, ReplyKind, problem, url};
use crate::flows::Gateway;
use crate::rules::acme::{der_member, revocation_reason, spki_is};
use crate::store::{AcmeCertificate, StoreError};
use assent_acme::problem::ProblemType;
use assent_acme::{cert, csr};
use serde_json::json;
use sha2::{Digest, Sha256};

/// Finalize the order `id` (§7.4): it is `ready`; the CSR names the order's number and a
/// key other than the account key (§11.1). The order ends `valid` with its certificate.
pub async fn finalize(gateway: &Gateway, id: &str, body: &[u8]) -> Result<AcmeReply, AcmeError> {
    let signed = signed(
        gateway,
        &format!("/order/{id}/finalize"),
        body,
        KeyForm::KidOnly,
    )
    .await?;
    let account = signed.account()?;
    let order = owned_order(gateway, id, account).await?;
    let order = settled_order(gateway, order).await?;
    if order.status != "ready" {
        return Err(problem(
            ProblemType::OrderNotReady,
            format!("the order is {}", order.status),
        ));
    }
    let csr_der = der_member(signed.object()?, "csr")?;
    let info = csr::check_csr(&csr_der).map_err(|e| problem(ProblemType::BadCsr, e.to_string()))?;
    if info
        .tn_auth_list
        .single_number()
        .map(|n| n.trim_start_matches('+'))
        != Some(order.number.as_str())
    {
        return Err(problem(
            ProblemType::BadCsr,
            "the CSR's TNAuthList is not the order's number",
        ));
    }
    if spki_is(&info.public_key_spki_der, &signed.key) {
        return Err(problem(
            ProblemType::BadCsr,
            "the certificate key must not be the account key",
        ));
    }
    if !gateway
        .store
        .acme_order_status(id, "ready", "processing", None)
        .await?
    {
        return Err(problem(
            ProblemType::OrderNotReady,
            "the order is being finalized",
        ));
    }
    let ca = match gateway.acme_ca.generation(now(gateway)) {
        Ok(ca) => ca,
        Err(error) => {
            tracing::error!(%error, "the ACME CA");
            gateway
                .store
                .acme_order_status(id, "processing", "ready", None)
                .await?;
            return Err(problem(
                ProblemType::ServerInternal,
                "the certificate could not be signed; try again",
            ));
        }
    };
    // Certificates live short (`--certificate-lifetime`, at most 30 days): numbers get
    // reassigned, so control is proven again. Never past the CA's own end.
    let validity = time::Duration::milliseconds(gateway.lifetimes.certificate_ms)
        .min(ca.not_after - now(gateway));
    let issued = match cert::issue_at(&csr_der, &order.number, &ca.issuer, validity, now(gateway)) {
        Ok(issued) => issued,
        Err(e) => {
            gateway
                .store
                .acme_order_status(id, "processing", "ready", None)
                .await?;
            return Err(problem(ProblemType::BadCsr, e.to_string()));
        }
    };
    let certificate = AcmeCertificate {
        id: crate::base::ids::new_id("t"),
        account_id: account.id.clone(),
        order_id: order.id.clone(),
        number: order.number.clone(),
        serial: issued.serial_hex.clone(),
        der_sha256: hex::encode(Sha256::digest(&issued.der)),
        spki_der: hex::encode(&info.public_key_spki_der),
        pem_chain: format!("{}{}", issued.pem, ca.pem),
        not_after_ms: issued.not_after.unix_timestamp().saturating_mul(1000),
        revoked_ms: None,
        revocation_reason: None,
    };
    gateway.store.acme_insert_certificate(&certificate).await?;
    gateway
        .store
        .acme_order_certificate(id, &certificate.id)
        .await?;
    audit_enrollment(
        gateway,
        &order.number,
        "certificate_issued",
        &certificate.serial,
    )
    .await?;
    let order = gateway
        .store
        .acme_order(id)
        .await?
        .ok_or_else(|| problem(ProblemType::ServerInternal, "order vanished"))?;
    Ok(AcmeReply::done(&objects::order(&gateway.issuer, &order)?)
        .at(url(gateway, &format!("/order/{id}"))))
}

/// The gateway's time as a date-time (certificates are dated by it).
fn now(gateway: &Gateway) -> time::OffsetDateTime {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(gateway.now_ms()) * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
}

/// The certificate `id` (POST-as-GET): its PEM chain, ending with the ACME CA (§7.4.2), for
/// the account that ordered it.
pub async fn certificate(gateway: &Gateway, id: &str, body: &[u8]) -> Result<AcmeReply, AcmeError> {
    let signed = signed(gateway, &format!("/cert/{id}"), body, KeyForm::KidOnly).await?;
    let account = signed.account()?;
    match gateway.store.acme_certificate(id).await? {
        Some(c) if c.account_id == account.id => Ok(AcmeReply {
            kind: ReplyKind::Done,
            body: ReplyBody::Pem(c.pem_chain),
            location: None,
            retry_after_s: None,
        }),
        Some(_) => Err(problem(ProblemType::Unauthorized, "not your certificate")),
        None => Err(problem(ProblemType::Malformed, "no such certificate")),
    }
}

/// `revokeCert` (§7.6): by the account that ordered it, or signed with the certified key
/// itself (a `jwk` request).
pub async fn revoke_cert(gateway: &Gateway, body: &[u8]) -> Result<AcmeReply, AcmeError> {
    let signed = signed(gateway, "/revoke-cert", body, KeyForm::Either).await?;
    let payload = signed.object()?;
    let der = der_member(payload, "certificate")?;
    let reason = revocation_reason(payload.get("reason"))?;
    let found = gateway
        .store
        .acme_certificate_by_der(&hex::encode(Sha256::digest(&der)))
        .await?
        .ok_or_else(|| {
            problem(
                ProblemType::Malformed,
                "this server did not issue that certificate",
            )
        })?;
    let by_account = signed
        .account
        .as_ref()
        .is_some_and(|a| a.id == found.account_id);
    let by_key = signed.account.is_none()
        && hex::decode(&found.spki_der).is_ok_and(|spki| spki_is(&spki, &signed.key));
    if !(by_account || by_key) {
        return Err(problem(
            ProblemType::Unauthorized,
            "neither the ordering account nor the certified key signed this",
        ));
    }
    // A device registered with the certificate's key is revoked with it: the SPs the user
    // consented to are told, as when the user revokes the device (Shared Signals).
    let now_ms = gateway.now_ms();
    let sets = match gateway.store.user_by_msisdn(&found.number).await? {
        Some(user)
            if gateway
                .store
                .user_devices(&user.id)
                .await?
                .iter()
                .any(|d| d.cert_id == found.id && d.revoked_ms.is_none()) =>
        {
            crate::flows::ssf::device_revoked(
                &gateway.store,
                &user.id,
                crate::rules::ssf::Initiator::User,
                now_ms,
            )
            .await?
        }
        _ => Vec::new(),
    };
    if !gateway
        .store
        .acme_revoke_certificate(&found.id, reason, now_ms, &sets)
        .await?
    {
        return Err(problem(ProblemType::AlreadyRevoked, "already revoked"));
    }
    if !sets.is_empty() {
        gateway.signals.queued();
    }
    audit_enrollment(gateway, &found.number, "certificate_revoked", &found.serial).await?;
    Ok(AcmeReply {
        kind: ReplyKind::Done,
        body: ReplyBody::Empty,
        location: None,
        retry_after_s: None,
    })
}

/// Issuance and revocation go into the trail of the number's user, when the number is one
/// of ours (never the number itself).
async fn audit_enrollment(
    gateway: &Gateway,
    number: &str,
    action: &str,
    serial: &str,
) -> Result<(), StoreError> {
    let user = gateway.store.user_by_msisdn(number).await?.map(|u| u.id);
    gateway
        .store
        .append_audit(assent_audit::NewEntry {
            at_ms: gateway.now_ms(),
            kind: assent_audit::EntryKind::Admin,
            user,
            sp: None,
            authenticator: Some("acme".into()),
            detail: json!({"action": action, "serial": serial}).to_string(),
        })
        .await?;
    Ok(())
}
