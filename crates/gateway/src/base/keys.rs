//! The gateway's signing key (ES256, for ID tokens) and its JWKS. The key is made on first
//! run and kept in `DIR/keys/signing-es256.pem` (owner only); its `kid` is the RFC 7638
//! thumbprint of the public key, so it is stable and clients can cache it.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use p256::ecdsa::SigningKey;
use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding};
use sha2::{Digest, Sha256};
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("cannot read or write {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{path} does not hold a P-256 private key: {detail}")]
    Invalid { path: String, detail: String },
}

/// The ID token signing key.
#[derive(Clone)]
pub struct SigningKeys {
    pub es256: SigningKey,
    pub kid: String,
    /// The same key for jsonwebtoken.
    pub encoding: jsonwebtoken::EncodingKey,
    /// The public half, to check ID tokens the gateway issued (`id_token_hint`).
    pub decoding: jsonwebtoken::DecodingKey,
}

impl std::fmt::Debug for SigningKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKeys")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl SigningKeys {
    pub fn load_or_create(data_dir: &Path) -> Result<Self, KeyError> {
        let path = data_dir.join("keys").join("signing-es256.pem");
        let io = |source| KeyError::Io {
            path: path.display().to_string(),
            source,
        };
        let invalid = |detail: String| KeyError::Invalid {
            path: path.display().to_string(),
            detail,
        };
        // Made once, atomically: instances starting at once on a new directory share it.
        let pem = crate::base::secrets::read_or_create(&path, true, || {
            SigningKey::random(&mut rand::rngs::OsRng)
                .to_pkcs8_pem(LineEnding::LF)
                .map(|pem| pem.as_bytes().to_vec())
                .map_err(std::io::Error::other)
        })
        .map_err(io)?;
        let pem = String::from_utf8(pem).map_err(|e| invalid(e.to_string()))?;
        let key = SigningKey::from_pkcs8_pem(&pem).map_err(|e| invalid(e.to_string()))?;
        let pem = key
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(|e| invalid(e.to_string()))?;
        let encoding = jsonwebtoken::EncodingKey::from_ec_pem(pem.as_bytes())
            .map_err(|e| invalid(e.to_string()))?;
        let (x, y) = coordinates(&key);
        let decoding = jsonwebtoken::DecodingKey::from_ec_components(&x, &y)
            .map_err(|e| invalid(e.to_string()))?;
        Ok(SigningKeys {
            kid: thumbprint(&x, &y),
            es256: key,
            encoding,
            decoding,
        })
    }

    /// The public JWK Set (RFC 7517) served at `jwks_uri`.
    pub fn jwks(&self) -> serde_json::Value {
        let (x, y) = coordinates(&self.es256);
        serde_json::json!({"keys": [{
            "kty": "EC", "crv": "P-256", "x": x, "y": y,
            "use": "sig", "alg": "ES256", "kid": self.kid,
        }]})
    }
}

fn coordinates(key: &SigningKey) -> (String, String) {
    let point = key.verifying_key().to_encoded_point(false);
    let x = point
        .x()
        .map(|x| URL_SAFE_NO_PAD.encode(x))
        .unwrap_or_default();
    let y = point
        .y()
        .map(|y| URL_SAFE_NO_PAD.encode(y))
        .unwrap_or_default();
    (x, y)
}

/// RFC 7638 §3.2: SHA-256 over the required members in lexicographic order, no white space.
fn thumbprint(x: &str, y: &str) -> String {
    let canonical = format!(r#"{{"crv":"P-256","kty":"EC","x":"{x}","y":"{y}"}}"#);
    URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_7638_thumbprint_of_a_known_key() {
        // The P-256 key of RFC 7515 Appendix A.3. RFC 7638 gives no EC vector; this value was
        // computed separately (Python hashlib over the §3.2 member order).
        let x = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
        let y = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";
        assert_eq!(
            thumbprint(x, y),
            "oKIywvGUpTVTyxMQ3bwIIeQUudfr_CkLMjCE19ECD-U"
        );
    }

    #[test]
    fn the_key_survives_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let first = SigningKeys::load_or_create(dir.path()).unwrap();
        let second = SigningKeys::load_or_create(dir.path()).unwrap();
        assert_eq!(first.kid, second.kid);
        assert_eq!(first.jwks(), second.jwks());
    }
}
