//! The gateway's signed checkpoints of its whole audit trail, as the device checks them. An
//! export carries one (`UserExport::checkpoint`): an ES256 compact JWS, `typ`
//! `assent-checkpoint+jwt`, stating that the trail ended at entry `seq` with hash `head`.
//! The device keeps the latest it saw; a later export whose checkpoint is behind it shows a
//! trail cut short, even where none of the user's own entries went (`history::History::sync`).
//! The key is the one the gateway publishes at `/jwks`, fetched over the same pinned TLS.

use assent_proto::jwt::{CHECKPOINT_TYP, CheckpointClaims};
use serde::{Deserialize, Serialize};

/// One public key of the gateway's JWK Set (RFC 7517; EC P-256, RFC 7518 §6.2.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GatewayKey {
    pub kid: String,
    pub kty: String,
    pub crv: String,
    pub x: String,
    pub y: String,
}

/// The gateway's JWK Set (`GET /jwks`).
#[derive(Debug, Clone, Deserialize)]
pub struct GatewayKeys {
    pub keys: Vec<GatewayKey>,
}

/// A checkpoint whose signature verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub claims: CheckpointClaims,
    /// The compact JWS, kept as received.
    pub jws: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    #[error("the gateway's checkpoint is not a JWS: {0}")]
    Malformed(String),
    #[error("the gateway's checkpoint is not a checkpoint (typ {0:?})")]
    NotACheckpoint(Option<String>),
    #[error("the gateway's checkpoint names a key it does not publish ({0:?})")]
    UnknownKey(Option<String>),
    #[error("the gateway's checkpoint is not signed by its key: {0}")]
    Signature(String),
}

/// Why a JWS the gateway signed does not verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignedFault {
    Malformed(String),
    /// Signed, but another kind of statement (`typ`).
    OtherType(Option<String>),
    UnknownKey(Option<String>),
    Signature(String),
}

/// Checks a compact JWS of `typ` against the gateway's published keys (ES256 with the key
/// its header names) and returns its claims. What it checks states a past fact: no audience,
/// no expiry.
pub fn verify_signed<T: serde::de::DeserializeOwned>(
    jws: &str,
    typ: &str,
    keys: &[GatewayKey],
) -> Result<T, SignedFault> {
    let header =
        jsonwebtoken::decode_header(jws).map_err(|e| SignedFault::Malformed(e.to_string()))?;
    if header.typ.as_deref() != Some(typ) {
        return Err(SignedFault::OtherType(header.typ));
    }
    let key = keys
        .iter()
        .find(|k| Some(&k.kid) == header.kid.as_ref() && k.kty == "EC" && k.crv == "P-256")
        .ok_or_else(|| SignedFault::UnknownKey(header.kid.clone()))?;
    let decoding = jsonwebtoken::DecodingKey::from_ec_components(&key.x, &key.y)
        .map_err(|e| SignedFault::Signature(e.to_string()))?;
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::ES256);
    validation.required_spec_claims.clear();
    validation.validate_exp = false;
    validation.validate_aud = false;
    Ok(jsonwebtoken::decode::<T>(jws, &decoding, &validation)
        .map_err(|e| SignedFault::Signature(e.to_string()))?
        .claims)
}

/// Checks `jws` against the gateway's published keys and returns what it vouches for.
pub fn verify(jws: &str, keys: &[GatewayKey]) -> Result<Checkpoint, CheckpointError> {
    let claims =
        verify_signed::<CheckpointClaims>(jws, CHECKPOINT_TYP, keys).map_err(
            |fault| match fault {
                SignedFault::Malformed(e) => CheckpointError::Malformed(e),
                SignedFault::OtherType(typ) => CheckpointError::NotACheckpoint(typ),
                SignedFault::UnknownKey(kid) => CheckpointError::UnknownKey(kid),
                SignedFault::Signature(e) => CheckpointError::Signature(e),
            },
        )?;
    Ok(Checkpoint {
        claims,
        jws: jws.to_owned(),
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use base64::Engine;
    use p256::ecdsa::{Signature, SigningKey, signature::Signer};

    /// A gateway key for the tests, and its published half.
    pub fn test_key(kid: &str) -> (SigningKey, GatewayKey) {
        let key = SigningKey::random(&mut rand::rngs::OsRng);
        let point = key.verifying_key().to_encoded_point(false);
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let public = GatewayKey {
            kid: kid.into(),
            kty: "EC".into(),
            crv: "P-256".into(),
            x: b64.encode(point.x().unwrap()),
            y: b64.encode(point.y().unwrap()),
        };
        (key, public)
    }

    /// A compact JWS by `key` (ES256: the raw r‖s signature, RFC 7518 §3.4).
    pub fn sign(key: &SigningKey, kid: &str, typ: &str, claims: &serde_json::Value) -> String {
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let header = serde_json::json!({"alg": "ES256", "typ": typ, "kid": kid});
        let input = format!(
            "{}.{}",
            b64.encode(header.to_string()),
            b64.encode(claims.to_string())
        );
        let signature: Signature = key.sign(input.as_bytes());
        format!("{input}.{}", b64.encode(signature.to_bytes()))
    }

    pub fn checkpoint(key: &SigningKey, kid: &str, seq: u64) -> String {
        let claims = serde_json::json!({"iss": "https://gw", "seq": seq, "head": "ab", "iat": 1});
        sign(key, kid, CHECKPOINT_TYP, &claims)
    }

    #[test]
    fn a_checkpoint_verifies_by_the_key_it_names_and_nothing_else_passes() {
        let (key, public) = test_key("k1");
        let (other, other_public) = test_key("k2");
        let jws = checkpoint(&key, "k1", 7);
        let verified = verify(&jws, std::slice::from_ref(&public)).unwrap();
        assert_eq!(verified.claims.seq, 7);
        // Another key under the same name, or a key the gateway does not publish.
        let mut impostor = other_public.clone();
        impostor.kid = "k1".into();
        assert!(matches!(
            verify(&jws, &[impostor]),
            Err(CheckpointError::Signature(_))
        ));
        assert!(matches!(
            verify(&jws, &[other_public]),
            Err(CheckpointError::UnknownKey(_))
        ));
        // Signed by the right key but not a checkpoint (an ID token, say).
        let id_token = sign(&key, "k1", "JWT", &serde_json::json!({"seq": 9}));
        assert!(matches!(
            verify(&id_token, std::slice::from_ref(&public)),
            Err(CheckpointError::NotACheckpoint(_))
        ));
        let forged = checkpoint(&other, "k1", 9);
        assert!(verify(&forged, &[public]).is_err());
        assert!(matches!(
            verify("not a jws", &[]),
            Err(CheckpointError::Malformed(_))
        ));
    }
}
