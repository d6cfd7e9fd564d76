//! Secrets at rest: salted hashes compared in constant time, and private files only the owner
//! can read.
//!
//! Client secrets are hashed with SHA-256 over a random salt rather than a slow password hash:
//! the token endpoint checks one per request (performance target in docs/performance.md), and
//! secrets are issued by the gateway with 256 bits of entropy in production — a slow hash
//! protects low-entropy human passwords, which these are not. The demo secrets are public.

use rand::RngCore;
use sha2::{Digest, Sha256};
use std::path::Path;
use subtle::ConstantTimeEq;

/// `sha256$<salt hex>$<digest hex>`.
pub fn hash_secret(secret: &str) -> String {
    let mut salt = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut salt);
    format!(
        "sha256${}${}",
        hex::encode(salt),
        hex::encode(digest(&salt, secret))
    )
}

/// Checks `secret` against a stored hash in constant time; a malformed hash never matches.
pub fn verify_secret(stored: &str, secret: &str) -> bool {
    let mut parts = stored.split('$');
    let (Some("sha256"), Some(salt), Some(expected), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let (Ok(salt), Ok(expected)) = (hex::decode(salt), hex::decode(expected)) else {
        return false;
    };
    digest(&salt, secret).as_slice().ct_eq(&expected).into()
}

fn digest(salt: &[u8], secret: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(salt);
    h.update(secret.as_bytes());
    h.finalize().into()
}

/// Writes a file readable by its owner only (0600 on Unix).
pub fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(contents)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_verify_only_against_their_own_hash() {
        let stored = hash_secret("demo-sp-secret");
        assert!(verify_secret(&stored, "demo-sp-secret"));
        assert!(!verify_secret(&stored, "demo-sp-secreT"));
        assert!(!verify_secret(&stored, ""));
        assert_ne!(stored, hash_secret("demo-sp-secret"), "salted");
        assert!(!verify_secret("plain", "plain"));
        assert!(!verify_secret("sha256$zz$00", "x"));
    }
}
