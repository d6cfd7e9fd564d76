//! ACME request bodies as the server receives them (RFC 8555 §6.2): raw bytes through
//! `jws::parse`, then `verify` with the request's `jwk` (or, for a `kid`, the seed keys),
//! then the key-change inner JWS of §7.3.5 when the payload has one.
//!
//! Properties:
//! - a refusal is one of the problems a stateless JWS check may give (malformed, badNonce,
//!   badSignatureAlgorithm, badPublicKey, unauthorized), with a detail, and survives its own
//!   problem document (`from_json(to_json(p)) == p`);
//! - an accepted body is canonical: each of `protected`, `payload`, `signature` is unpadded
//!   base64url that re-encodes to the same text (one spelling per JWS);
//! - a request accepted by `verify` really is signed: the signature checks, outside the
//!   crate's plumbing, over `protected || '.' || payload` exactly as sent, with the key the
//!   header names; the same holds for an accepted key-change inner JWS.
#![no_main]

use assent_acme::jws::{self, AccountKey, KeyRef, Payload, SigningKey};
use assent_acme::problem::{AcmeProblem, ProblemType};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use std::sync::LazyLock;

/// The keys the seeds were signed with (made for fuzzing only), for `kid` requests.
const ES256_PEM: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgCAW6mHPpk7zmFW0r
SaL/KSMtoGsVYfSrvVRKeVwaRMOhRANCAASE7qjb1Ay+/h4KvPQE0RKiT/asYKFG
EbiihMTov/tCZ4/dXEYgigy6BjsDiSH+LG2AnH8JguW6geUbpfAchJB8
-----END PRIVATE KEY-----
";
const ED25519_PEM: &str = "-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEILmfXnUyYYoj2JpEn4P9pr/P6GIg1pODywyfvWX3NBxd
-----END PRIVATE KEY-----
";

static KEYS: LazyLock<[AccountKey; 2]> = LazyLock::new(|| {
    [ES256_PEM, ED25519_PEM].map(|pem| {
        SigningKey::from_pkcs8_pem(pem)
            .expect("the fuzzing keys load")
            .public()
    })
});

/// The DER DigestInfo prefix of SHA-256 (RFC 8017 §9.2 note 1), for the RSA cross-check.
const SHA256_PREFIX: [u8; 19] = [
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x20,
];

fn check_refusal(problem: &AcmeProblem, allowed: &[ProblemType]) {
    assert!(
        allowed.contains(&problem.kind),
        "unexpected {:?}: {}",
        problem.kind,
        problem.detail
    );
    assert!(
        !problem.detail.is_empty(),
        "{:?} without a detail",
        problem.kind
    );
    assert_eq!(
        AcmeProblem::from_json(&problem.to_json()).as_ref(),
        Some(problem)
    );
}

/// The three members of a flattened JWS, read independently of the crate.
fn members(jws: &Value) -> (String, String, String) {
    let text = |name: &str| {
        jws[name]
            .as_str()
            .expect("an accepted JWS has string members")
            .to_owned()
    };
    (text("protected"), text("payload"), text("signature"))
}

/// Whether `signature` checks over `signing_input` with `key`, outside `jws`'s own code:
/// the signing input is rebuilt from the body, the key material taken from its public form.
fn signed(key: &AccountKey, signing_input: &[u8], signature: &[u8]) -> bool {
    match key {
        AccountKey::Es256(key) => {
            use p256::ecdsa::signature::Verifier as _;
            let Ok(signature) = p256::ecdsa::Signature::from_slice(signature) else {
                return false;
            };
            let point = key.to_encoded_point(false);
            let Ok(key) = p256::ecdsa::VerifyingKey::from_sec1_bytes(point.as_bytes()) else {
                return false;
            };
            key.verify(signing_input, &signature).is_ok()
        }
        AccountKey::Ed25519(key) => {
            use ed25519_dalek::Verifier as _;
            let Ok(bytes) = <[u8; 64]>::try_from(signature) else {
                return false;
            };
            key.verify(signing_input, &ed25519_dalek::Signature::from_bytes(&bytes))
                .is_ok()
        }
        AccountKey::Rs256(key) => {
            use sha2::Digest as _;
            let mut hashed = SHA256_PREFIX.to_vec();
            hashed.extend_from_slice(&sha2::Sha256::digest(signing_input));
            key.verify(rsa::Pkcs1v15Sign::new_unprefixed(), &hashed, signature)
                .is_ok()
        }
    }
}

/// An accepted JWS's members are canonical base64url, and its signature checks with `key`.
fn assert_really_signed(jws: &Value, key: &AccountKey) {
    let (protected, payload, signature) = members(jws);
    for (name, text) in [
        ("protected", &protected),
        ("payload", &payload),
        ("signature", &signature),
    ] {
        let bytes = B64.decode(text).expect("accepted members are base64url");
        assert_eq!(&B64.encode(bytes), text, "{name} has another spelling");
    }
    let signature = B64.decode(&signature).expect("checked above");
    assert!(
        signed(key, format!("{protected}.{payload}").as_bytes(), &signature),
        "accepted a signature that does not check: {jws}"
    );
}

fuzz_target!(|data: &[u8]| {
    let stateless = [
        ProblemType::Malformed,
        ProblemType::BadNonce,
        ProblemType::BadSignatureAlgorithm,
        ProblemType::BadPublicKey,
    ];
    let request = match jws::parse(data) {
        Ok(request) => request,
        Err(problem) => return check_refusal(&problem, &stateless),
    };
    let body: Value = serde_json::from_slice(data).expect("an accepted body is JSON");
    let candidates: Vec<&AccountKey> = match &request.protected.key {
        KeyRef::Jwk(key) => vec![key],
        KeyRef::Kid(_) => KEYS.iter().collect(),
    };
    let mut verified = false;
    for key in candidates {
        match request.verify(key) {
            Ok(()) => {
                assert_really_signed(&body, key);
                verified = true;
            }
            Err(problem) => check_refusal(&problem, &[ProblemType::Unauthorized]),
        }
    }
    // Only a verified request's payload is acted on; a key change carries an inner JWS.
    if verified && let Payload::Json(payload) = &request.payload {
        match jws::parse_key_change_inner(payload, &request.protected.url) {
            Ok((new_key, _account, _old_key)) => assert_really_signed(payload, &new_key),
            Err(problem) => check_refusal(
                &problem,
                &[
                    ProblemType::Malformed,
                    ProblemType::BadSignatureAlgorithm,
                    ProblemType::BadPublicKey,
                    ProblemType::Unauthorized,
                ],
            ),
        }
    }
});
