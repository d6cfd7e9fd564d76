//! ID tokens (OpenID Connect Core §2): signed ES256 with the gateway's key; `sub` is the PCR,
//! a pairwise identifier per SP sector (Core §8.1), so two SPs cannot join their users.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum IdTokenError {
    #[error("cannot read or write {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("signing failed: {0}")]
    Signing(#[from] jsonwebtoken::errors::Error),
}

/// The secret behind pairwise subject identifiers, kept in `DIR/keys/pcr.key` (owner only).
#[derive(Clone)]
pub struct PcrSecret([u8; 32]);

impl std::fmt::Debug for PcrSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PcrSecret(…)")
    }
}

impl PcrSecret {
    pub fn load_or_create(data_dir: &Path) -> Result<Self, IdTokenError> {
        let path = data_dir.join("keys").join("pcr.key");
        let io = |source| IdTokenError::Io {
            path: path.display().to_string(),
            source,
        };
        let bytes = crate::base::secrets::read_or_create(&path, true, || {
            let mut secret = [0u8; 32];
            rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut secret);
            Ok(secret.to_vec())
        })
        .map_err(io)?;
        // A file of another length is not this secret: refuse to start rather than replace
        // it (every pairwise subject would change).
        let secret = <[u8; 32]>::try_from(bytes.as_slice()).map_err(|_| {
            io(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "expected 32 bytes",
            ))
        })?;
        Ok(PcrSecret(secret))
    }

    /// A key for another purpose (`label`), derived from this secret: HMAC-SHA256(secret,
    /// "derive" ‖ 0 ‖ label). Every process with the data directory derives the same one.
    pub fn derive(&self, label: &str) -> [u8; 32] {
        let Ok(mut mac) = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.0) else {
            return [0; 32];
        };
        mac.update(b"derive");
        mac.update(&[0]);
        mac.update(label.as_bytes());
        mac.finalize().into_bytes().into()
    }

    /// The PCR of `user_id` for SPs of `sector`: HMAC-SHA256(secret, sector ‖ 0 ‖ user), base64url.
    pub fn pcr(&self, sector: &str, user_id: &str) -> String {
        // HMAC accepts keys of any length; a 32-byte key cannot be refused.
        let Ok(mut mac) = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.0) else {
            return String::new();
        };
        mac.update(sector.as_bytes());
        mac.update(&[0]);
        mac.update(user_id.as_bytes());
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }
}

/// Signs the claims of an ID token.
pub fn sign(
    keys: &crate::base::keys::SigningKeys,
    claims: &serde_json::Value,
) -> Result<String, IdTokenError> {
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
    header.kid = Some(keys.kid.clone());
    header.typ = Some("JWT".into());
    Ok(jsonwebtoken::encode(&header, claims, &keys.encoding)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pcrs_are_stable_per_sector_and_differ_across_sectors() {
        let secret = PcrSecret([7; 32]);
        assert_eq!(secret.pcr("demo-sp", "u1"), secret.pcr("demo-sp", "u1"));
        assert_ne!(secret.pcr("demo-sp", "u1"), secret.pcr("once-sp", "u1"));
        assert_ne!(secret.pcr("demo-sp", "u1"), secret.pcr("demo-sp", "u2"));
        // The separator keeps ("ab", "c") and ("a", "bc") apart.
        assert_ne!(secret.pcr("ab", "c"), secret.pcr("a", "bc"));
    }
}
