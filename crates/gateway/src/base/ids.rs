//! Random identifiers and how bearer values are stored.

use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// A new bearer token: 256 random bits, base64url.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A new record id: `prefix-` and 22 random base64url characters (132 bits).
pub fn new_id(prefix: &str) -> String {
    format!("{prefix}-{}", new_token().get(..22).unwrap_or("0"))
}

/// How a token is stored and looked up: the hex SHA-256 of its value, so the database never
/// holds a bearer value.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}
