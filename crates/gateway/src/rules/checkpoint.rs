//! Signed checkpoints of the audit trail: the gateway's ES256 statement that the whole trail
//! ended at entry `seq` with hash `head` at time `iat`. The hash chain shows any entry
//! altered, inserted or removed from the middle, but not entries removed from the end: what
//! is left still links. A checkpoint kept where the database's writers cannot reach (a file
//! beside the gateway's keys, and the copies handed to users' devices) shows that too
//! (`assent_audit::reaches_checkpoints`).
//!
//! The statement is a compact JWS with its own `typ`, so that nothing else the same key
//! signs (ID tokens, export heads) can pass for a checkpoint.

use assent_audit::{Digest32, Head};
pub use assent_proto::jwt::{CHECKPOINT_TYP, CheckpointClaims};

#[derive(Debug, thiserror::Error)]
pub enum CheckpointError {
    #[error("signing failed: {0}")]
    Sign(#[from] jsonwebtoken::errors::Error),
    #[error("not a checkpoint signed by this gateway's key: {0}")]
    Signature(jsonwebtoken::errors::Error),
    #[error("not a checkpoint (typ {0:?})")]
    NotACheckpoint(Option<String>),
    #[error("the checkpoint's head is not a SHA-256 digest: {0}")]
    Head(#[from] assent_audit::AuditError),
}

/// Signs the statement that the trail ended at `head` at `now_s`.
pub fn sign(
    keys: &crate::base::keys::SigningKeys,
    issuer: &str,
    head: Head,
    now_s: i64,
) -> Result<String, CheckpointError> {
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
    header.kid = Some(keys.kid.clone());
    header.typ = Some(CHECKPOINT_TYP.into());
    let claims = CheckpointClaims {
        iss: issuer.to_owned(),
        seq: head.seq,
        head: head.hash.to_hex(),
        iat: now_s,
    };
    Ok(jsonwebtoken::encode(&header, &claims, &keys.encoding)?)
}

/// Checks a checkpoint's signature against the gateway's public key and returns what it
/// vouches for, with its claims. It never expires: it states a past fact.
pub fn verify(
    decoding: &jsonwebtoken::DecodingKey,
    jws: &str,
) -> Result<(Head, CheckpointClaims), CheckpointError> {
    let header = jsonwebtoken::decode_header(jws).map_err(CheckpointError::Signature)?;
    if header.typ.as_deref() != Some(CHECKPOINT_TYP) {
        return Err(CheckpointError::NotACheckpoint(header.typ));
    }
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::ES256);
    validation.required_spec_claims.clear();
    validation.validate_exp = false;
    validation.validate_aud = false;
    let claims = jsonwebtoken::decode::<CheckpointClaims>(jws, decoding, &validation)
        .map_err(CheckpointError::Signature)?
        .claims;
    let head = Head {
        seq: claims.seq,
        hash: Digest32::from_hex(&claims.head)?,
    };
    Ok((head, claims))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new_keys() -> (tempfile::TempDir, crate::base::keys::SigningKeys) {
        let dir = tempfile::tempdir().unwrap();
        let keys = crate::base::keys::SigningKeys::load_or_create(dir.path()).unwrap();
        (dir, keys)
    }

    #[test]
    fn a_checkpoint_verifies_with_its_key_only_and_nothing_else_passes_for_one() {
        let (_a, keys) = new_keys();
        let (_b, other) = new_keys();
        let head = Head {
            seq: 42,
            hash: Digest32([7; 32]),
        };
        let jws = sign(&keys, "https://gw", head, 1_800_000_000).unwrap();
        let (vouched, claims) = verify(&keys.decoding, &jws).unwrap();
        assert_eq!(vouched, head);
        assert_eq!(
            (claims.iss.as_str(), claims.iat),
            ("https://gw", 1_800_000_000)
        );
        assert!(matches!(
            verify(&other.decoding, &jws),
            Err(CheckpointError::Signature(_))
        ));
        // An ID token by the same key is not a checkpoint.
        let id_token = crate::rules::idtoken::sign(
            &keys,
            &serde_json::json!({"iss": "https://gw", "seq": 99, "head": "00", "iat": 1}),
        )
        .unwrap();
        assert!(matches!(
            verify(&keys.decoding, &id_token),
            Err(CheckpointError::NotACheckpoint(_))
        ));
        // A changed claim breaks the signature.
        let mut parts: Vec<String> = jws.split('.').map(str::to_owned).collect();
        use base64::Engine;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let forged = serde_json::json!({"iss": "https://gw", "seq": 41, "head": head.hash.to_hex(), "iat": 1_800_000_000});
        parts[1] = b64.encode(forged.to_string());
        assert!(matches!(
            verify(&keys.decoding, &parts.join(".")),
            Err(CheckpointError::Signature(_))
        ));
    }
}
