//! Replay nonces (RFC 8555 §6.5) that cost nothing to hand out.
//!
//! Every ACME response carries a fresh `Replay-Nonce`, and every signed request spends one.
//! A server that stores each nonce it hands out pays a durable write per response on top of
//! the one per request; on a database that syncs every commit that doubled the nonce cost of
//! an enrollment. Here a nonce carries its own expiry and a MAC under the server's key, so
//! handing one out writes nothing, any process holding the key (every gateway on one
//! database) recognises it, and only a *spent* nonce is stored — which is the one record
//! §6.5 needs ("MUST NOT accept a nonce more than once"), kept until the nonce expires.
//!
//! Layout, base64url without padding (54 characters): expiry in ms since the epoch (8 bytes,
//! big-endian) ‖ 16 random bytes ‖ the first 16 bytes of HMAC-SHA-256 over the first 24.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use hmac::{KeyInit as _, Mac as _};
use rand::RngCore as _;

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

const EXPIRY: usize = 8;
const RANDOM: usize = 16;
const TAG: usize = 16;
const LENGTH: usize = EXPIRY + RANDOM + TAG;

/// Why a nonce is refused (each is `badNonce` on the wire).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NonceError {
    #[error("the nonce is not one of this server's (malformed)")]
    Malformed,
    #[error("the nonce is not one of this server's")]
    Forged,
    #[error("the nonce expired")]
    Expired,
}

/// The key nonces are minted and checked with.
#[derive(Clone)]
pub struct NonceKey([u8; 32]);

impl std::fmt::Debug for NonceKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NonceKey(…)")
    }
}

impl NonceKey {
    /// Derives the nonce key from a server secret (e.g. the key of the codes' hashes), so
    /// no new secret has to be created and shared between processes; the label keeps the
    /// two uses apart (a nonce's MAC can never be a code's hash).
    pub fn derive(secret: &[u8]) -> Self {
        let mut mac = hmac(secret);
        mac.update(b"assent-acme replay nonce key v1");
        NonceKey(mac.finalize().into_bytes().into())
    }

    /// A fresh nonce valid until `expires_ms` (ms since the epoch).
    pub fn mint(&self, expires_ms: i64) -> String {
        let mut bytes = [0u8; LENGTH];
        bytes[..EXPIRY].copy_from_slice(&expires_ms.to_be_bytes());
        rand::rngs::OsRng.fill_bytes(&mut bytes[EXPIRY..EXPIRY + RANDOM]);
        let mut mac = hmac(&self.0);
        mac.update(&bytes[..EXPIRY + RANDOM]);
        let tag = mac.finalize().into_bytes();
        bytes[EXPIRY + RANDOM..].copy_from_slice(&tag[..TAG]);
        B64.encode(bytes)
    }

    /// Whether `nonce` is one this key minted that has not expired at `now_ms`; its expiry
    /// when it is (how long the server must remember it once spent). That it was not spent
    /// already is the caller's to check.
    pub fn check(&self, nonce: &str, now_ms: i64) -> Result<i64, NonceError> {
        let bytes = B64.decode(nonce).map_err(|_| NonceError::Malformed)?;
        let bytes: [u8; LENGTH] = bytes.try_into().map_err(|_| NonceError::Malformed)?;
        let mut mac = hmac(&self.0);
        mac.update(&bytes[..EXPIRY + RANDOM]);
        // Constant time: a forger learns nothing from how long the refusal took.
        mac.verify_truncated_left(&bytes[EXPIRY + RANDOM..])
            .map_err(|_| NonceError::Forged)?;
        let mut expiry = [0u8; EXPIRY];
        expiry.copy_from_slice(&bytes[..EXPIRY]);
        let expires_ms = i64::from_be_bytes(expiry);
        if expires_ms <= now_ms {
            return Err(NonceError::Expired);
        }
        Ok(expires_ms)
    }
}

fn hmac(key: &[u8]) -> HmacSha256 {
    match HmacSha256::new_from_slice(key) {
        Ok(mac) => mac,
        // HMAC takes keys of any length (RFC 2104 §2); the Result only exists because the
        // KeyInit trait is shared with ciphers.
        Err(_) => unreachable!("HMAC accepts keys of any length"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000_000;

    #[test]
    fn a_minted_nonce_checks_until_it_expires() {
        let key = NonceKey::derive(b"secret");
        let nonce = key.mint(NOW + 600_000);
        assert_eq!(nonce.len(), 54);
        assert_eq!(key.check(&nonce, NOW), Ok(NOW + 600_000));
        assert_eq!(key.check(&nonce, NOW + 599_999), Ok(NOW + 600_000));
        assert_eq!(key.check(&nonce, NOW + 600_000), Err(NonceError::Expired));
    }

    #[test]
    fn nonces_are_unique() {
        let key = NonceKey::derive(b"secret");
        let nonces: std::collections::HashSet<String> = (0..1000).map(|_| key.mint(NOW)).collect();
        assert_eq!(nonces.len(), 1000);
    }

    #[test]
    fn another_key_or_any_changed_bit_is_refused() {
        let key = NonceKey::derive(b"secret");
        let nonce = key.mint(NOW + 600_000);
        assert_eq!(
            NonceKey::derive(b"other").check(&nonce, NOW),
            Err(NonceError::Forged)
        );
        let bytes = B64.decode(&nonce).unwrap();
        for bit in 0..bytes.len() * 8 {
            let mut changed = bytes.clone();
            changed[bit / 8] ^= 1 << (bit % 8);
            assert_eq!(
                key.check(&B64.encode(&changed), NOW),
                Err(NonceError::Forged),
                "bit {bit}"
            );
        }
    }

    #[test]
    fn a_later_expiry_cannot_be_forged() {
        let key = NonceKey::derive(b"secret");
        let nonce = key.mint(NOW - 1);
        let mut bytes = B64.decode(&nonce).unwrap();
        bytes[..EXPIRY].copy_from_slice(&(NOW + 600_000).to_be_bytes());
        assert_eq!(key.check(&B64.encode(&bytes), NOW), Err(NonceError::Forged));
        assert_eq!(key.check(&nonce, NOW), Err(NonceError::Expired));
    }

    #[test]
    fn malformed_nonces_are_refused() {
        let key = NonceKey::derive(b"secret");
        let nonce = key.mint(NOW + 600_000);
        for bad in [
            "",
            "not base64!",
            &nonce[..53],
            &format!("{nonce}AA"),
            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        ] {
            assert!(key.check(bad, NOW).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_nonce_key_is_not_the_secret() {
        // The derived key must differ from the secret it comes from, or a nonce's MAC
        // would be computed under the codes' key.
        let secret = [7u8; 32];
        assert_ne!(NonceKey::derive(&secret).0, secret);
    }
}
