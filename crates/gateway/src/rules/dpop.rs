//! DPoP for SPs' tokens (RFC 9449): what an SP registered with `dpop_bound_access_tokens`
//! (§5.2) must send, the nonces the authorization server asks for (§8), and the errors. A
//! proof itself is checked as the device API checks its own
//! ([`crate::rules::device::check_dpop_proof`]); spending its `jti` once is the caller's.
//!
//! Nonces are stateless, so that every gateway process on one database accepts every
//! other's: a nonce is a time window and an HMAC over it with a key derived from the
//! gateway's secrets, valid in its window and the next (§8.2 lets the server choose).

use crate::rules::device::{CheckedProof, DpopError, DpopHeader, check_dpop_proof};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// A nonce's window (s): a nonce given in one window is accepted in it and the next.
pub const NONCE_WINDOW_S: i64 = 300;
/// The `token_type` of a bound access token (§5).
pub const TOKEN_TYPE: &str = "DPoP";

/// Why a request's DPoP is refused: `invalid_dpop_proof` or `use_dpop_nonce` (§5, §8).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpDpopError {
    #[error(transparent)]
    Proof(#[from] DpopError),
    /// §5.2: this SP's access tokens are bound; a token request without a proof is refused.
    #[error("this SP's access tokens are DPoP-bound: send a DPoP proof")]
    Required,
    /// §8: the proof carries no nonce, or one this server did not give or gave too long ago.
    #[error("send the nonce of the DPoP-Nonce header in the proof")]
    UseNonce,
}

impl SpDpopError {
    /// The OAuth error code (§5, §8, §12.2).
    pub fn code(&self) -> &'static str {
        match self {
            SpDpopError::UseNonce => "use_dpop_nonce",
            _ => "invalid_dpop_proof",
        }
    }
}

/// The key of the nonces (derived from the gateway's secrets: the same in every process).
#[derive(Clone)]
pub struct NonceKey([u8; 32]);

impl std::fmt::Debug for NonceKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NonceKey(…)")
    }
}

impl NonceKey {
    pub fn new(key: [u8; 32]) -> Self {
        NonceKey(key)
    }

    fn mac(&self, window: i64) -> Vec<u8> {
        // HMAC accepts keys of any length; a 32-byte key cannot be refused.
        let Ok(mut mac) = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.0) else {
            return Vec::new();
        };
        mac.update(b"dpop-nonce");
        mac.update(&window.to_be_bytes());
        mac.finalize().into_bytes()[..16].to_vec()
    }

    /// The nonce to give at `now_s` (the `DPoP-Nonce` header, §8.1).
    pub fn nonce(&self, now_s: i64) -> String {
        let window = now_s.div_euclid(NONCE_WINDOW_S);
        let mut bytes = window.to_be_bytes().to_vec();
        bytes.extend(self.mac(window));
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// Whether `nonce` was given by this server in the current window or the one before.
    pub fn accepts(&self, nonce: &str, now_s: i64) -> bool {
        let Ok(bytes) = URL_SAFE_NO_PAD.decode(nonce) else {
            return false;
        };
        let Some((window, mac)) = bytes.split_first_chunk::<8>() else {
            return false;
        };
        let window = i64::from_be_bytes(*window);
        let current = now_s.div_euclid(NONCE_WINDOW_S);
        (window == current || window == current - 1)
            && subtle::ConstantTimeEq::ct_eq(mac, self.mac(window).as_slice()).into()
    }
}

/// The proof a token request makes (§5): none for an SP whose tokens are not bound and
/// that sent none (a bearer token); else a proof for `POST htu` carrying a nonce of this
/// server's. The caller spends its `jti` and binds the token to its key's thumbprint.
pub fn token_request_proof(
    header: DpopHeader<'_>,
    required: bool,
    htu: &str,
    nonces: &NonceKey,
    now_s: i64,
) -> Result<Option<CheckedProof>, SpDpopError> {
    if header == DpopHeader::Absent {
        return if required {
            Err(SpDpopError::Required)
        } else {
            Ok(None)
        };
    }
    let proof = check_dpop_proof(header, "POST", htu, None, now_s)?;
    match proof.claims.nonce.as_deref() {
        Some(nonce) if nonces.accepts(nonce, now_s) => Ok(Some(proof)),
        _ => Err(SpDpopError::UseNonce),
    }
}

/// The proof a request to a resource makes with a bound token (§7.1): for `method htu`,
/// naming the token (`ath`); the caller spends its `jti` and compares its key's thumbprint
/// with the token's `jkt`. The resource server asks for no nonce (§8: it may; the iat
/// window and the `jti` spent once bound a proof's use).
pub fn resource_request_proof(
    header: DpopHeader<'_>,
    method: &str,
    htu: &str,
    access_token: &str,
    now_s: i64,
) -> Result<CheckedProof, SpDpopError> {
    Ok(check_dpop_proof(
        header,
        method,
        htu,
        Some(access_token),
        now_s,
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_9449_8_a_nonce_holds_in_its_window_and_the_next_only() {
        let key = NonceKey::new([3; 32]);
        let now = 1_800_000_000;
        let nonce = key.nonce(now);
        assert!(key.accepts(&nonce, now));
        assert!(key.accepts(&nonce, now + NONCE_WINDOW_S));
        assert!(!key.accepts(&nonce, now + 2 * NONCE_WINDOW_S));
        assert!(
            !key.accepts(&nonce, now - NONCE_WINDOW_S),
            "not before it was given"
        );
        assert!(
            !NonceKey::new([4; 32]).accepts(&nonce, now),
            "another key's"
        );
        assert!(!key.accepts("not-a-nonce", now));
        assert!(!key.accepts("", now));
        // A forged window with the MAC of another.
        let mut bytes = URL_SAFE_NO_PAD.decode(&nonce).unwrap();
        bytes[7] ^= 1;
        assert!(!key.accepts(&URL_SAFE_NO_PAD.encode(bytes), now));
    }

    #[test]
    fn rfc_9449_5_2_a_bound_sp_must_send_a_proof() {
        let key = NonceKey::new([3; 32]);
        assert_eq!(
            token_request_proof(DpopHeader::Absent, true, "https://gw/token", &key, 0),
            Err(SpDpopError::Required)
        );
        assert_eq!(
            token_request_proof(DpopHeader::Absent, false, "https://gw/token", &key, 0),
            Ok(None)
        );
        assert_eq!(
            token_request_proof(DpopHeader::NotOne, false, "https://gw/token", &key, 0)
                .map_err(|e| e.code()),
            Err("invalid_dpop_proof")
        );
        assert_eq!(SpDpopError::UseNonce.code(), "use_dpop_nonce");
    }
}
