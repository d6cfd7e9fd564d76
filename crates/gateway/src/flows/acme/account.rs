//! Accounts (RFC 8555 §7.3): creation or lookup by key, POST-as-GET, contact update,
//! deactivation, the order list and key rollover.

use super::objects;
use super::request::{KeyForm, signed};
use super::{AcmeError, AcmeReply, ReplyKind, problem, url};
use crate::flows::Gateway;
use crate::rules::acme::contacts;
use crate::store::AcmeAccount;
use assent_acme::jws::{self, Payload};
use assent_acme::problem::ProblemType;
use serde_json::Value;

/// The account object with its URL as `Location`.
fn located(
    gateway: &Gateway,
    kind: ReplyKind,
    account: &AcmeAccount,
) -> Result<AcmeReply, AcmeError> {
    Ok(
        AcmeReply::object(kind, &objects::account(&gateway.issuer, account)?)
            .at(url(gateway, &format!("/account/{}", account.id))),
    )
}

/// `newAccount` (§7.3): signed with a `jwk`; the existing account of that key (200), or a
/// new one (201); `onlyReturnExisting` never creates one (§7.3.1).
pub async fn new_account(gateway: &Gateway, body: &[u8]) -> Result<AcmeReply, AcmeError> {
    let signed = signed(gateway, "/new-account", body, KeyForm::JwkOnly).await?;
    let payload = signed.object()?;
    let thumbprint = signed.key.thumbprint();
    if let Some(existing) = gateway
        .store
        .acme_account_by_thumbprint(&thumbprint)
        .await?
    {
        return located(gateway, ReplyKind::Done, &existing);
    }
    if payload.get("onlyReturnExisting") == Some(&Value::Bool(true)) {
        return Err(problem(
            ProblemType::AccountDoesNotExist,
            "no account has this key",
        ));
    }
    let contact = contacts(payload.get("contact"))?;
    let account = AcmeAccount {
        id: crate::base::ids::new_id("a"),
        jwk: signed.key.to_jwk().to_string(),
        thumbprint,
        status: "valid".into(),
        contact: contact.to_string(),
        created_ms: gateway.now_ms(),
    };
    if !gateway.store.acme_insert_account(&account).await? {
        // A concurrent newAccount with the same key won: return that one.
        let existing = gateway
            .store
            .acme_account_by_thumbprint(&account.thumbprint)
            .await?
            .ok_or_else(|| problem(ProblemType::ServerInternal, "account vanished"))?;
        return located(gateway, ReplyKind::Done, &existing);
    }
    located(gateway, ReplyKind::Created, &account)
}

/// The account `id`: POST-as-GET, contact update, or deactivation (§7.3.2, §7.3.6).
pub async fn account(gateway: &Gateway, id: &str, body: &[u8]) -> Result<AcmeReply, AcmeError> {
    let signed = signed(gateway, &format!("/account/{id}"), body, KeyForm::KidOnly).await?;
    let account = signed.account()?;
    if account.id != id {
        return Err(problem(ProblemType::Unauthorized, "not your account"));
    }
    let mut updated = account.clone();
    if let Payload::Json(_) = &signed.payload {
        let payload = signed.object()?;
        if let Some(contact) = payload.get("contact") {
            updated.contact = contacts(Some(contact))?.to_string();
        }
        match payload.get("status").and_then(Value::as_str) {
            None => {}
            Some("deactivated") => updated.status = "deactivated".into(),
            Some(other) => {
                return Err(problem(
                    ProblemType::Malformed,
                    format!("an account cannot be set to {other}"),
                ));
            }
        }
        gateway
            .store
            .acme_update_account(&updated.id, &updated.status, &updated.contact)
            .await?;
    }
    Ok(AcmeReply::done(&objects::account(
        &gateway.issuer,
        &updated,
    )?))
}

/// The account's orders (§7.1.2.1), without the invalid ones.
pub async fn account_orders(
    gateway: &Gateway,
    id: &str,
    body: &[u8],
) -> Result<AcmeReply, AcmeError> {
    let signed = signed(
        gateway,
        &format!("/account/{id}/orders"),
        body,
        KeyForm::KidOnly,
    )
    .await?;
    let account = signed.account()?;
    if account.id != id {
        return Err(problem(ProblemType::Unauthorized, "not your account"));
    }
    let orders: Vec<String> = gateway
        .store
        .acme_orders_of(id)
        .await?
        .iter()
        .filter(|o| o.status != "invalid")
        .map(|o| url(gateway, &format!("/order/{}", o.id)))
        .collect();
    Ok(AcmeReply::done(&objects::orders(orders)))
}

/// `keyChange` (§7.3.5): the inner JWS, signed by the new key, names the account and its
/// old key; no other account may hold the new key.
pub async fn key_change(gateway: &Gateway, body: &[u8]) -> Result<AcmeReply, AcmeError> {
    let signed = signed(gateway, "/key-change", body, KeyForm::KidOnly).await?;
    let account = signed.account()?.clone();
    let Payload::Json(inner) = &signed.payload else {
        return Err(problem(
            ProblemType::Malformed,
            "the payload must be the inner JWS",
        ));
    };
    let (new_key, account_url, old_key) = jws::parse_key_change_inner(inner, &signed.url)?;
    if account_url != url(gateway, &format!("/account/{}", account.id)) {
        return Err(problem(
            ProblemType::Unauthorized,
            "the inner account is not the signer's",
        ));
    }
    if old_key.thumbprint() != account.thumbprint {
        return Err(problem(
            ProblemType::Unauthorized,
            "oldKey is not the account's key",
        ));
    }
    let thumbprint = new_key.thumbprint();
    if let Some(other) = gateway
        .store
        .acme_account_by_thumbprint(&thumbprint)
        .await?
    {
        return Err(problem(
            ProblemType::Malformed,
            format!(
                "the new key belongs to {}",
                url(gateway, &format!("/account/{}", other.id))
            ),
        ));
    }
    if !gateway
        .store
        .acme_change_key(
            &account.id,
            &account.thumbprint,
            &new_key.to_jwk().to_string(),
            &thumbprint,
        )
        .await?
    {
        return Err(problem(
            ProblemType::Malformed,
            "the key changed concurrently",
        ));
    }
    let mut updated = account;
    updated.jwk = new_key.to_jwk().to_string();
    updated.thumbprint = thumbprint;
    Ok(AcmeReply::done(&objects::account(
        &gateway.issuer,
        &updated,
    )?))
}
