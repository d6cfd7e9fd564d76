//! The `sms-link-00` challenge (docs/acme-sms-link.md, modelled on RFC 8823): "ready" (`{}`)
//! sends one SMS with a code to the number, `{"keyAuthorization"}` answers it, an empty
//! payload reads it. A right answer makes the challenge and its authorization `valid` and
//! the order `ready`; wrong answers count against the challenge (3) and the number (100).

use super::objects;
use super::order::settled_authz;
use super::request::{KeyForm, signed};
use super::{
    AccountBudget, AcmeError, AcmeReply, CODE_TTL_MS, HOUR_MS, LOCK_AFTER_FAILURES, LOCK_MS,
    MAX_WRONG_ANSWERS, RETRY_AFTER_S, locked, problem, refuse_locked, url,
};
use crate::flows::Gateway;
use crate::flows::handset::OutgoingPrompt;
use crate::rules::acme::{Budget, issuer_host, retry_after_s, sms_budgets};
use crate::store::{
    AcmeAccount, AcmeAuthz, AcmeChallenge, AcmeOrder, Reservation, StoreError, Validation,
};
use assent_acme::jws::Payload;
use assent_acme::problem::{AcmeProblem, ProblemDocument, ProblemType};
use assent_acme::sms_link;
use serde_json::Value;

/// The challenge `id`: an empty-object payload starts it ("ready": one SMS with a code),
/// `{"keyAuthorization"}` answers it, an empty payload reads it (RFC 8555 §7.5.1). The
/// answer names the authorization as `Location`; poll again while it is processing.
/// `budget` is the account's request budget, spent once the account is known.
pub async fn challenge(
    gateway: &Gateway,
    id: &str,
    body: &[u8],
    budget: &dyn AccountBudget,
) -> Result<AcmeReply, AcmeError> {
    let signed = signed(gateway, &format!("/chall/{id}"), body, KeyForm::KidOnly).await?;
    let account = signed.account_within(budget)?;
    let challenge = gateway
        .store
        .acme_challenge(id)
        .await?
        .ok_or_else(|| problem(ProblemType::Malformed, "no such challenge"))?;
    let authz = match gateway.store.acme_authz(&challenge.authz_id).await? {
        Some(a) if a.account_id == account.id => a,
        _ => return Err(problem(ProblemType::Unauthorized, "not your challenge")),
    };
    let status_read = authz.status.clone();
    let authz = settled_authz(gateway, authz).await?;
    let challenge = if authz.status == status_read {
        challenge
    } else {
        // The authorization ended (expired, deactivated) and the challenge with it.
        gateway
            .store
            .acme_challenge(&challenge.id)
            .await?
            .unwrap_or(challenge)
    };
    if signed.payload != Payload::Empty && !matches!(authz.status.as_str(), "pending" | "valid") {
        let detail = if gateway.now_ms() > authz.expires_ms {
            "the authorization expired".to_owned()
        } else {
            format!("the authorization is {}", authz.status)
        };
        return Err(problem(ProblemType::Malformed, detail));
    }
    let challenge = match &signed.payload {
        Payload::Empty => challenge,
        Payload::Json(Value::Object(map)) if map.is_empty() => {
            ready(gateway, &authz, challenge).await?
        }
        Payload::Json(Value::Object(map)) => {
            let submitted = map
                .get("keyAuthorization")
                .and_then(Value::as_str)
                .ok_or_else(|| {
                    problem(
                        ProblemType::Malformed,
                        "expected {} or {\"keyAuthorization\"}",
                    )
                })?;
            answer(gateway, account, &authz, challenge, submitted).await?
        }
        Payload::Json(_) => {
            return Err(problem(
                ProblemType::Malformed,
                "the payload must be an object",
            ));
        }
    };
    let reply = AcmeReply::done(&objects::challenge(&gateway.issuer, &challenge)?)
        .at(url(gateway, &format!("/authz/{}", authz.id)));
    Ok(if challenge.status == "processing" {
        reply.retry_after(RETRY_AFTER_S)
    } else {
        reply
    })
}

/// The client is ready: send the code (once), within the SMS budgets.
///
/// Of concurrent "ready" POSTs only the one that moves the challenge to `processing` goes on;
/// it reserves the SMS in every budget (the number's, the account's, the gateway's) in the
/// statements that check them, and gives the reservations back if nothing is sent. A code
/// goes only to a number this gateway serves (a subscriber's) unless
/// `--sms-to-any-number`: for any other the challenge looks the same but no SMS leaves, so
/// that nobody can make the gateway text strangers (SMS pumping, harassment) nor learn from
/// the answer whose number it is.
async fn ready(
    gateway: &Gateway,
    authz: &AcmeAuthz,
    challenge: AcmeChallenge,
) -> Result<AcmeChallenge, AcmeError> {
    if challenge.status != "pending" {
        // Concurrent or repeated "ready": the first one sent the SMS; nothing more is sent.
        return Ok(challenge);
    }
    let Some(sms) = gateway.sms.as_ref() else {
        return Err(problem(
            ProblemType::ServerInternal,
            "this gateway has no SMS network to send the code with",
        ));
    };
    let now = gateway.now_ms();
    refuse_locked(gateway, &authz.number).await?;
    let code = sms_link::new_code();
    let hash = sms_link::hash_code(gateway.acme_ca.code_key(), &challenge.id, &code);
    if !gateway
        .store
        .acme_challenge_processing(&challenge.id, &hash, now + CODE_TTL_MS)
        .await?
    {
        return Ok(gateway
            .store
            .acme_challenge(&challenge.id)
            .await?
            .unwrap_or(challenge));
    }
    let budgets = sms_budgets(&authz.number, &authz.account_id);
    if let Err(error) = reserve_all(gateway, &budgets, now).await {
        gateway
            .store
            .acme_challenge_back_to_pending(&challenge.id)
            .await?;
        return Err(error);
    }
    let served =
        gateway.sms_to_any_number || gateway.store.user_by_msisdn(&authz.number).await?.is_some();
    if served {
        let text = sms_link::sms_text(issuer_host(&gateway.issuer), &code);
        let prompt = OutgoingPrompt::plain(text);
        if let Err(error) = sms.send_sms(&authz.number, &prompt, false).await {
            tracing::error!(%error, "the code SMS could not be sent");
            for budget in &budgets {
                gateway
                    .store
                    .release(&budget.key, budget.window_ms, now)
                    .await?;
            }
            gateway
                .store
                .acme_challenge_back_to_pending(&challenge.id)
                .await?;
            return Err(problem(
                ProblemType::ServerInternal,
                "the SMS could not be sent; try again",
            ));
        }
    } else {
        tracing::info!("no code SMS: the number is not one this gateway serves");
    }
    // Old windows are forgotten as codes are sent (a day covers every budget's window).
    gateway.store.purge_budgets(now - 24 * HOUR_MS).await?;
    Ok(gateway
        .store
        .acme_challenge(&challenge.id)
        .await?
        .unwrap_or(challenge))
}

/// Reserves one unit of each budget, in order; if one is spent, gives back the ones taken
/// and answers `rateLimited` with `Retry-After` (RFC 8555 §6.6).
async fn reserve_all(gateway: &Gateway, budgets: &[Budget], now: i64) -> Result<(), AcmeError> {
    for (taken, budget) in budgets.iter().enumerate() {
        let reservation = gateway
            .store
            .reserve(&budget.key, budget.window_ms, budget.cap, now)
            .await?;
        if let Reservation::Exhausted { retry_after_ms } = reservation {
            for earlier in &budgets[..taken] {
                gateway
                    .store
                    .release(&earlier.key, earlier.window_ms, now)
                    .await?;
            }
            return Err(AcmeError {
                problem: AcmeProblem::new(
                    ProblemType::RateLimited,
                    format!("at most {} {}", budget.cap, budget.what),
                ),
                retry_after_s: Some(retry_after_s(retry_after_ms)),
                unavailable: false,
            });
        }
    }
    Ok(())
}

/// The client relays the code: valid, or a wrong answer counted against the challenge and
/// the number.
async fn answer(
    gateway: &Gateway,
    account: &AcmeAccount,
    authz: &AcmeAuthz,
    challenge: AcmeChallenge,
    submitted: &str,
) -> Result<AcmeChallenge, AcmeError> {
    if challenge.status != "processing" {
        return Err(problem(
            ProblemType::Malformed,
            format!(
                "the challenge is {}: POST {{}} first to receive the code",
                challenge.status
            ),
        ));
    }
    refuse_locked(gateway, &authz.number).await?;
    let now = gateway.now_ms();
    let order_of = || async {
        Ok::<_, StoreError>(
            gateway
                .store
                .acme_orders_of(&account.id)
                .await?
                .into_iter()
                .find(|o| o.authz_id == authz.id),
        )
    };
    if challenge.code_expires_ms.is_none_or(|e| now > e) {
        let error = AcmeProblem::new(ProblemType::IncorrectResponse, "the code expired");
        invalidate(gateway, authz, &challenge, order_of().await?, &error, now).await?;
        return Err(error.into());
    }
    // The attempt is reserved, on the challenge and on the number, before the answer is
    // compared: concurrent answers cannot all pass a read of the counts.
    let Some(attempt) = gateway
        .store
        .acme_reserve_attempt(&challenge.id, MAX_WRONG_ANSWERS)
        .await?
    else {
        return Err(problem(
            ProblemType::IncorrectResponse,
            "no attempts left on this challenge",
        ));
    };
    let Some(failures) = gateway
        .store
        .acme_reserve_number_attempt(&authz.number, LOCK_AFTER_FAILURES, now - LOCK_MS)
        .await?
    else {
        return Err(locked());
    };
    let correct =
        sms_link::code_from_key_authorization(submitted, &challenge.token, &account.thumbprint)
            .ok()
            .zip(challenge.code_hash.as_deref())
            .is_some_and(|(code, hash)| {
                sms_link::code_matches(gateway.acme_ca.code_key(), &challenge.id, &code, hash)
            });
    if correct {
        gateway
            .store
            .acme_release_number_attempt(&authz.number)
            .await?;
        // Checked only once the code is right: only whoever holds the SIM learns of the hold,
        // and nobody can ask the gateway which numbers changed SIM lately.
        if let Some(until) = sim_swap_hold(gateway, &authz.number, now).await? {
            let error = AcmeProblem::new(
                ProblemType::RejectedIdentifier,
                format!(
                    "the SIM card of this number changed recently: it cannot be proven before \
                     {}; order again then",
                    crate::base::clock::rfc3339(until)
                ),
            );
            invalidate(gateway, authz, &challenge, order_of().await?, &error, now).await?;
            tracing::warn!("a proof was refused: the number's SIM changed recently");
            return Err(AcmeError {
                problem: error,
                retry_after_s: Some(retry_after_s(until - now)),
                unavailable: false,
            });
        }
        // All or nothing, and only while the authorization is still pending and alive: it
        // may have been deactivated or have expired since it was read.
        let mut tx = gateway.store.begin().await?;
        match tx.acme_validate(&challenge.id, &authz.id, now).await? {
            Validation::Valid => tx.commit().await?,
            Validation::ChallengeClosed => drop(tx),
            Validation::AuthzClosed => {
                drop(tx);
                return Err(problem(
                    ProblemType::Malformed,
                    "the authorization is no longer pending",
                ));
            }
        }
        return Ok(gateway
            .store
            .acme_challenge(&challenge.id)
            .await?
            .unwrap_or(challenge));
    }
    if failures >= LOCK_AFTER_FAILURES
        && gateway
            .store
            .acme_lock_number(&authz.number, LOCK_AFTER_FAILURES, now)
            .await?
    {
        tracing::warn!("a number was locked after too many failed answers");
    }
    if attempt >= MAX_WRONG_ANSWERS {
        let error = AcmeProblem::new(
            ProblemType::IncorrectResponse,
            "wrong code; the challenge is now invalid",
        );
        invalidate(gateway, authz, &challenge, order_of().await?, &error, now).await?;
        return Err(error.into());
    }
    Err(problem(
        ProblemType::IncorrectResponse,
        format!("wrong code; {} attempts left", MAX_WRONG_ANSWERS - attempt),
    ))
}

/// When the SIM-swap hold of `number` ends, if it holds at `now` (the number's user's
/// `sim_change`; no user, no hold).
async fn sim_swap_hold(
    gateway: &Gateway,
    number: &str,
    now: i64,
) -> Result<Option<i64>, StoreError> {
    let Some(user) = gateway.store.user_by_msisdn(number).await? else {
        return Ok(None);
    };
    Ok(crate::rules::acme::sim_swap_hold_until(
        user.sim_change.as_deref(),
        gateway.lifetimes.sim_swap_hold_ms,
        now,
    ))
}

/// A failed challenge: it, its authorization and its order end `invalid`, with the error.
async fn invalidate(
    gateway: &Gateway,
    authz: &AcmeAuthz,
    challenge: &AcmeChallenge,
    order: Option<AcmeOrder>,
    error: &AcmeProblem,
    now: i64,
) -> Result<(), StoreError> {
    // Stored as the problem document the order and the challenge then carry (§7.1.3, §7.1.5).
    let error = serde_json::to_string(&ProblemDocument::from(error)).unwrap_or_default();
    gateway
        .store
        .acme_challenge_close(&challenge.id, "invalid", now, Some(&error))
        .await?;
    gateway
        .store
        .acme_authz_status(&authz.id, "pending", "invalid")
        .await?;
    if let Some(order) = order {
        gateway
            .store
            .acme_order_status(&order.id, "pending", "invalid", Some(&error))
            .await?;
    }
    Ok(())
}
