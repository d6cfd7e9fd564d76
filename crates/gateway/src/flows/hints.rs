//! Who the SP is asking about: exactly one hint (CIBA §7.1; MC login hints).
//!
//! - `login_hint=MSISDN:447700900001` — the number in E.164 digits (a `+` is accepted);
//! - `login_hint=ENCR_MSISDN:<JWE>` — the number encrypted to the gateway's encryption key
//!   (published in the JWKS with `use: enc`; format in [`crate::rules::encr_msisdn`]);
//! - `login_hint=PCR:<pcr>` — a pairwise subject this SP received before (its `sub`);
//! - `login_hint_token=<JWT>` — signed by the SP with a key of its registered JWK Set, naming
//!   the user by an RFC 9493 subject identifier: `{"format": "phone_number", "phone_number":
//!   "+447700900001"}` or `{"format": "opaque", "id": "<pcr>"}` in the `sub_id` claim;
//! - `id_token_hint=<JWT>` — an ID token this gateway issued to this SP (it may have expired:
//!   OIDC Core §3.1.2.1 uses it as a hint, not as a credential).
//!
//! Every look-up is unique (seed 001, SEC-2): by number, or by (sector, PCR).

use crate::flows::Gateway;
use crate::rules::oauth::OAuthError;
use crate::rules::sp_jwt;
use crate::store::{Client, User};
use std::collections::HashMap;

fn unknown() -> OAuthError {
    OAuthError::bad_request("unknown_user_id", "no user matches the hint")
}

fn number(value: &str) -> Result<String, OAuthError> {
    crate::base::msisdn::normalize_msisdn(value)
        .ok_or_else(|| OAuthError::invalid_request("the MSISDN is not an E.164 number"))
}

/// The user named by the request's one hint.
pub async fn hinted_user(
    state: &Gateway,
    client: &Client,
    params: &HashMap<String, String>,
) -> Result<User, OAuthError> {
    let hints = ["login_hint", "login_hint_token", "id_token_hint"];
    let given: Vec<&str> = hints
        .into_iter()
        .filter(|h| params.contains_key(*h))
        .collect();
    let user = match given.as_slice() {
        ["login_hint"] => login_hint(state, client, &params["login_hint"]).await?,
        ["login_hint_token"] => {
            login_hint_token(state, client, &params["login_hint_token"]).await?
        }
        ["id_token_hint"] => id_token_hint(state, client, &params["id_token_hint"]).await?,
        _ => {
            return Err(OAuthError::invalid_request(
                "exactly one of login_hint, login_hint_token and id_token_hint is required",
            ));
        }
    };
    user.ok_or_else(unknown)
}

async fn login_hint(
    state: &Gateway,
    client: &Client,
    hint: &str,
) -> Result<Option<User>, OAuthError> {
    let Some((kind, value)) = hint.split_once(':') else {
        return Err(OAuthError::invalid_request(
            "login_hint must be MSISDN:<number>, ENCR_MSISDN:<JWE> or PCR:<pcr>",
        ));
    };
    match kind {
        "MSISDN" => Ok(state.store.user_by_msisdn(&number(value)?).await?),
        "ENCR_MSISDN" => {
            let plaintext = state.encryption.decrypt(value).map_err(|e| {
                tracing::debug!(error = %e, "ENCR_MSISDN refused");
                OAuthError::invalid_request(
                    "ENCR_MSISDN must be a JWE to the gateway's encryption key (see its JWKS)",
                )
            })?;
            Ok(state.store.user_by_msisdn(&number(&plaintext)?).await?)
        }
        "PCR" => Ok(state.store.user_by_pcr(&client.client_id, value).await?),
        _ => Err(OAuthError::invalid_request(format!(
            "unknown login_hint type {kind}"
        ))),
    }
}

async fn login_hint_token(
    state: &Gateway,
    client: &Client,
    token: &str,
) -> Result<Option<User>, OAuthError> {
    let audiences = [state.issuer.clone()];
    let expect = sp_jwt::Expect {
        issuer: &client.client_id,
        audiences: &audiences,
        subject: None,
    };
    let claims = sp_jwt::verify(client.jwks.as_deref(), token, &expect).map_err(|e| {
        OAuthError::invalid_request(format!("login_hint_token is not acceptable: {e}"))
    })?;
    let subject = &claims["sub_id"];
    match subject["format"].as_str() {
        Some("phone_number") => {
            let phone = subject["phone_number"]
                .as_str()
                .ok_or_else(|| OAuthError::invalid_request("sub_id.phone_number is missing"))?;
            Ok(state.store.user_by_msisdn(&number(phone)?).await?)
        }
        Some("opaque") => {
            let pcr = subject["id"]
                .as_str()
                .ok_or_else(|| OAuthError::invalid_request("sub_id.id is missing"))?;
            Ok(state.store.user_by_pcr(&client.client_id, pcr).await?)
        }
        _ => Err(OAuthError::invalid_request(
            "login_hint_token needs a sub_id of format phone_number or opaque (RFC 9493)",
        )),
    }
}

async fn id_token_hint(
    state: &Gateway,
    client: &Client,
    token: &str,
) -> Result<Option<User>, OAuthError> {
    let refused = || {
        OAuthError::invalid_request("id_token_hint is not an ID token of this gateway for this SP")
    };
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::ES256);
    validation.validate_exp = false;
    validation.set_required_spec_claims(&["iss", "aud", "sub"]);
    validation.set_issuer(&[&state.issuer]);
    validation.set_audience(&[&client.client_id]);
    let data = jsonwebtoken::decode::<serde_json::Value>(token, &state.keys.decoding, &validation)
        .map_err(|_| refused())?;
    let sub = data.claims["sub"].as_str().ok_or_else(refused)?;
    Ok(state.store.user_by_pcr(&client.client_id, sub).await?)
}
