//! Orders and authorizations (RFC 8555 §7.4, §7.5): a new order for one telephone number
//! comes with its authorization and that authorization's one `sms-link-00` challenge.

use super::objects;
use super::request::{KeyForm, signed};
use super::{
    AccountBudget, AcmeError, AcmeReply, RETRY_AFTER_S, ReplyKind, problem, refuse_locked, url,
};
use crate::base::clock::rfc3339;
use crate::flows::Gateway;
use crate::rules::acme::{authz_status_at, order_number};
use crate::store::{AcmeAccount, AcmeAuthz, AcmeChallenge, AcmeOrder};
use assent_acme::jws::Payload;
use assent_acme::problem::{AcmeProblem, ProblemDocument, ProblemType};
use assent_acme::sms_link;
use serde_json::Value;

/// `newOrder` (§7.4): exactly one `TNAuthList` identifier with one number that is not
/// locked. The order, its authorization and its challenge start `pending` and live
/// `--order-lifetime` (an hour by default).
/// `budget` is the account's request budget, spent once the account is known.
pub async fn new_order(
    gateway: &Gateway,
    body: &[u8],
    budget: &dyn AccountBudget,
) -> Result<AcmeReply, AcmeError> {
    let signed = signed(gateway, "/new-order", body, KeyForm::KidOnly).await?;
    let account = signed.account_within(budget)?;
    let number = order_number(signed.object()?)?;
    refuse_locked(gateway, &number).await?;
    let now = gateway.now_ms();
    let id = crate::base::ids::new_id;
    let authz = AcmeAuthz {
        id: id("z"),
        account_id: account.id.clone(),
        number: number.clone(),
        status: "pending".into(),
        expires_ms: now + gateway.lifetimes.order_ms,
    };
    let challenge = AcmeChallenge {
        id: id("c"),
        authz_id: authz.id.clone(),
        token: sms_link::new_token(),
        status: "pending".into(),
        code_hash: None,
        code_expires_ms: None,
        wrong_answers: 0,
        validated_ms: None,
        error: None,
    };
    let order = AcmeOrder {
        id: id("o"),
        account_id: account.id.clone(),
        number,
        status: "pending".into(),
        expires_ms: now + gateway.lifetimes.order_ms,
        authz_id: authz.id.clone(),
        cert_id: None,
        error: None,
    };
    gateway
        .store
        .acme_insert_order(&order, &authz, &challenge)
        .await?;
    Ok(AcmeReply::object(
        ReplyKind::Created,
        &objects::order(&gateway.issuer, &order)?,
    )
    .at(url(gateway, &format!("/order/{}", order.id))))
}

/// The order of an account, or `unauthorized` / 404-like `malformed`.
pub(super) async fn owned_order(
    gateway: &Gateway,
    id: &str,
    account: &AcmeAccount,
) -> Result<AcmeOrder, AcmeError> {
    match gateway.store.acme_order(id).await? {
        Some(order) if order.account_id == account.id => Ok(order),
        Some(_) => Err(problem(ProblemType::Unauthorized, "not your order")),
        None => Err(problem(ProblemType::Malformed, "no such order")),
    }
}

/// The authorization as it stands by the gateway's clock: past its `expires` an open one
/// ends (RFC 8555 §7.1.6: `pending` → `invalid`, `valid` → `expired`), and its challenge
/// and its order end `invalid` with it, so that no answer or finalize completes them. Every
/// flow that reads an authorization, a challenge or an order reads it through here.
pub(super) async fn settled_authz(
    gateway: &Gateway,
    authz: AcmeAuthz,
) -> Result<AcmeAuthz, AcmeError> {
    let now = gateway.now_ms();
    let Some(to) = authz_status_at(&authz.status, authz.expires_ms, now) else {
        return Ok(authz);
    };
    let error = AcmeProblem::malformed(format!(
        "the authorization expired at {}",
        rfc3339(authz.expires_ms)
    ));
    let error = serde_json::to_string(&ProblemDocument::from(&error)).unwrap_or_default();
    let mut tx = gateway.store.begin().await?;
    if tx
        .acme_end_authz(&authz.id, &authz.status, to, &error, now)
        .await?
    {
        tx.commit().await?;
    }
    Ok(gateway.store.acme_authz(&authz.id).await?.unwrap_or(authz))
}

/// The order as it stands by the gateway's clock (see [`settled_authz`]).
pub(super) async fn settled_order(
    gateway: &Gateway,
    order: AcmeOrder,
) -> Result<AcmeOrder, AcmeError> {
    if gateway.now_ms() <= order.expires_ms || !matches!(order.status.as_str(), "pending" | "ready")
    {
        return Ok(order);
    }
    if let Some(authz) = gateway.store.acme_authz(&order.authz_id).await? {
        settled_authz(gateway, authz).await?;
    }
    Ok(gateway.store.acme_order(&order.id).await?.unwrap_or(order))
}

/// The order `id` (POST-as-GET); poll again later while it is pending or processing.
pub async fn order(gateway: &Gateway, id: &str, body: &[u8]) -> Result<AcmeReply, AcmeError> {
    let signed = signed(gateway, &format!("/order/{id}"), body, KeyForm::KidOnly).await?;
    let order = owned_order(gateway, id, signed.account()?).await?;
    let order = settled_order(gateway, order).await?;
    let reply = AcmeReply::done(&objects::order(&gateway.issuer, &order)?);
    Ok(match order.status.as_str() {
        "pending" | "processing" => reply.retry_after(RETRY_AFTER_S),
        _ => reply,
    })
}

/// The authorization `id`: POST-as-GET, or deactivation (§7.5, §7.5.2).
pub async fn authz(gateway: &Gateway, id: &str, body: &[u8]) -> Result<AcmeReply, AcmeError> {
    let signed = signed(gateway, &format!("/authz/{id}"), body, KeyForm::KidOnly).await?;
    let account = signed.account()?;
    let authz = match gateway.store.acme_authz(id).await? {
        Some(a) if a.account_id == account.id => a,
        Some(_) => return Err(problem(ProblemType::Unauthorized, "not your authorization")),
        None => return Err(problem(ProblemType::Malformed, "no such authorization")),
    };
    let mut authz = settled_authz(gateway, authz).await?;
    if let Payload::Json(_) = &signed.payload {
        let payload = signed.object()?;
        if payload.get("status").and_then(Value::as_str) == Some("deactivated")
            && matches!(authz.status.as_str(), "pending" | "valid")
        {
            // Its open challenge and its order end with it (§7.5.2): an answer arriving
            // later completes nothing.
            let error = AcmeProblem::malformed("the authorization was deactivated by its account");
            let error = serde_json::to_string(&ProblemDocument::from(&error)).unwrap_or_default();
            let mut tx = gateway.store.begin().await?;
            if tx
                .acme_end_authz(id, &authz.status, "deactivated", &error, gateway.now_ms())
                .await?
            {
                tx.commit().await?;
                authz.status = "deactivated".into();
            }
        }
    }
    let challenge = gateway.store.acme_challenge_of(id).await?;
    let reply = AcmeReply::done(&objects::authz(
        &gateway.issuer,
        &authz,
        challenge.as_ref(),
    )?);
    Ok(if authz.status == "pending" {
        reply.retry_after(RETRY_AFTER_S)
    } else {
        reply
    })
}
