//! The JWS pipeline every POST goes through (RFC 8555 §6.2–6.5): the JWS's `url` is the URL
//! the request was sent to, its nonce is fresh, its key is a `jwk` or the `kid` of a valid
//! account as the endpoint requires, the signature verifies, and then the nonce is spent
//! (once).

use super::{AccountBudget, AcmeError, problem, url};
use crate::flows::Gateway;
use crate::store::AcmeAccount;
use assent_acme::jws::{self, AccountKey, KeyRef, Payload};
use assent_acme::problem::ProblemType;
use serde_json::{Map, Value};

/// A request that passed §6.2–6.5: the right URL, a fresh nonce, a good signature.
pub(super) struct Signed {
    pub payload: Payload,
    pub key: AccountKey,
    /// With `kid`: the account (valid).
    pub account: Option<AcmeAccount>,
    pub url: String,
}

/// Which key forms an endpoint accepts (§6.2: `jwk` only for newAccount and revokeCert).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum KeyForm {
    KidOnly,
    JwkOnly,
    Either,
}

/// Checks the JWS of a request to `path` (under `/acme`).
pub(super) async fn signed(
    gateway: &Gateway,
    path: &str,
    body: &[u8],
    form: KeyForm,
) -> Result<Signed, AcmeError> {
    let request = jws::parse(body)?;
    let expected = url(gateway, path);
    if request.protected.url != expected {
        return Err(problem(
            ProblemType::Unauthorized,
            format!("the JWS url is not the URL this request was sent to ({expected})"),
        ));
    }
    // The nonce's own MAC and expiry first (no I/O); it is spent — a durable write — only
    // once the signature shows who is asking, so that unsigned garbage writes nothing.
    let now = gateway.now_ms();
    let expires_ms = gateway
        .acme_ca
        .nonce_key()
        .check(&request.protected.nonce, now)
        .map_err(|e| problem(ProblemType::BadNonce, e.to_string()))?;
    let (key, account) = match &request.protected.key {
        KeyRef::Jwk(key) => {
            if form == KeyForm::KidOnly {
                return Err(problem(
                    ProblemType::Malformed,
                    "this resource needs a kid (the account URL), not a jwk",
                ));
            }
            (key.clone(), None)
        }
        KeyRef::Kid(kid) => {
            if form == KeyForm::JwkOnly {
                return Err(problem(
                    ProblemType::Malformed,
                    "newAccount needs a jwk, not a kid",
                ));
            }
            let prefix = url(gateway, "/account/");
            let account = match kid.strip_prefix(&prefix) {
                Some(id) => gateway.store.acme_account(id).await?,
                None => None,
            }
            .ok_or_else(|| problem(ProblemType::AccountDoesNotExist, "no such account"))?;
            if account.status != "valid" {
                return Err(problem(
                    ProblemType::Unauthorized,
                    format!("the account is {}", account.status),
                ));
            }
            let jwk: Value = serde_json::from_str(&account.jwk)
                .map_err(|_| problem(ProblemType::ServerInternal, "stored key unreadable"))?;
            (AccountKey::from_jwk(&jwk)?, Some(account))
        }
    };
    request.verify(&key)?;
    if !gateway
        .store
        .acme_spend_nonce(&request.protected.nonce, expires_ms, now)
        .await?
    {
        return Err(problem(ProblemType::BadNonce, "the nonce was used already"));
    }
    Ok(Signed {
        payload: request.payload,
        key,
        account,
        url: expected,
    })
}

impl Signed {
    /// The signing account (a `kid` request).
    pub fn account(&self) -> Result<&AcmeAccount, AcmeError> {
        self.account
            .as_ref()
            .ok_or_else(|| problem(ProblemType::Malformed, "this resource needs a kid"))
    }

    /// The signing account, after spending one request of its budget.
    pub fn account_within(&self, budget: &dyn AccountBudget) -> Result<&AcmeAccount, AcmeError> {
        let account = self.account()?;
        budget.spend(&account.id).map_err(AcmeError::rate_limited)?;
        Ok(account)
    }

    /// The payload as a JSON object.
    pub fn object(&self) -> Result<&Map<String, Value>, AcmeError> {
        match &self.payload {
            Payload::Json(Value::Object(map)) => Ok(map),
            _ => Err(problem(
                ProblemType::Malformed,
                "the payload must be a JSON object",
            )),
        }
    }
}
