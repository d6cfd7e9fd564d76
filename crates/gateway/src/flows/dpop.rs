//! DPoP for SPs' tokens (RFC 9449), the flows' side: a proof is checked by the rules
//! ([`crate::rules::dpop`]), then its `jti` is spent once in the database (every gateway
//! process sees it), then its key's thumbprint is what the token is, or must be, bound to.

use crate::flows::Gateway;
use crate::rules::device::{CheckedProof, DPOP_SKEW_S, DpopHeader};
use crate::rules::dpop::{self, SpDpopError};
use crate::rules::oauth::OAuthError;
use crate::store::{Client, StoreError};

/// Why a proof's single use failed.
#[derive(Debug, thiserror::Error)]
pub enum SpendError {
    #[error(transparent)]
    Refused(#[from] SpDpopError),
    #[error("this DPoP proof was used before")]
    Replayed,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Spends `proof`'s `jti` (RFC 9449 §11.1: a proof is accepted once) and gives its key's
/// thumbprint. The `jti`s of SPs' proofs are kept apart from the device API's.
pub async fn spend(gateway: &Gateway, proof: &CheckedProof) -> Result<String, SpendError> {
    spend_on(&gateway.store, gateway.now_ms(), proof).await
}

/// [`spend`] on `store` at `now` (the resource server in its own process has no gateway).
pub async fn spend_on(
    store: &crate::store::Store,
    now: i64,
    proof: &CheckedProof,
) -> Result<String, SpendError> {
    let jti = &proof.claims.jti;
    if jti.is_empty() || jti.len() > 200 {
        return Err(SpendError::Replayed);
    }
    // Kept while a proof with this `jti` could still be timely (its `iat` ± the window).
    let expires = now + 2 * DPOP_SKEW_S * 1000;
    if !store
        .use_device_jti(&format!("sp-dpop:{jti}"), expires, now)
        .await?
    {
        return Err(SpendError::Replayed);
    }
    Ok(proof.thumbprint().map_err(SpDpopError::from)?)
}

/// A token request's DPoP proof, checked and spent once however often the grant is tried
/// (a client-credentials grant on read copies may be tried again on fresh reads).
#[derive(Debug)]
pub struct TokenProof<'a> {
    header: DpopHeader<'a>,
    bound: Option<Option<String>>,
}

impl<'a> TokenProof<'a> {
    pub fn new(header: DpopHeader<'a>) -> Self {
        TokenProof {
            header,
            bound: None,
        }
    }

    /// No proof (a request made inside the gateway, or by a test of a grant).
    pub fn none() -> Self {
        Self::new(DpopHeader::Absent)
    }

    /// The thumbprint the tokens for `client` are bound to (RFC 9449 §5), or `None` for
    /// bearer tokens: `invalid_dpop_proof` for a bad, replayed or missing-when-required
    /// proof, `use_dpop_nonce` for one without a nonce of this server's.
    pub async fn jkt(
        &mut self,
        gateway: &Gateway,
        client: &Client,
    ) -> Result<Option<String>, OAuthError> {
        if let Some(bound) = &self.bound {
            return Ok(bound.clone());
        }
        let htu = format!("{}/token", gateway.issuer);
        let now_s = gateway.now_ms().div_euclid(1000);
        let checked = dpop::token_request_proof(
            self.header,
            client.dpop_bound,
            &htu,
            &gateway.dpop_nonces,
            now_s,
        )
        .map_err(|e| OAuthError::bad_request(e.code(), e.to_string()))?;
        let bound = match checked {
            None => None,
            Some(proof) => Some(spend(gateway, &proof).await.map_err(|e| match e {
                SpendError::Store(error) => OAuthError::from(error),
                SpendError::Refused(refused) => {
                    OAuthError::bad_request(refused.code(), refused.to_string())
                }
                replayed => OAuthError::bad_request("invalid_dpop_proof", replayed.to_string()),
            })?),
        };
        self.bound = Some(bound.clone());
        Ok(bound)
    }
}
