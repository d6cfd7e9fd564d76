//! The seed 003 `User-ID-Type` / `User-ID` pair of a generic token's request, and the
//! `ENCR_MSISDN` JWE it may carry (decrypted with the gateway's key).
//!
//! Properties:
//! - an accepted `MSISDN` is the header's own value, 8 to 15 digits without a leading 0;
//!   an accepted `ENCR_MSISDN` is the header's value; refusals are 400 `invalid_request`;
//! - any `User-ID` decrypts to a typed error or a plaintext, never a panic;
//! - a JWE made for the key decrypts to exactly its plaintext, and the same JWE with any byte
//!   changed is refused (integrity: nothing tampered is ever accepted).
#![no_main]

use arbitrary::Arbitrary;
use assent_gateway::http::error::resource_status;
use assent_gateway::rules::encr_msisdn::{self, EncryptionKey};
use assent_gateway::rules::resource::wire::{self, NamedUser, ResourceErrorKind, UserIdHeaders};
use http::StatusCode;
use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;

/// A fixed P-256 key made for fuzzing only (openssl genpkey), so runs repeat.
const KEY_PEM: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg2zvenLRvBt1r4U9b
UWU+IFG7+8xoRKZllU3aQ3XpU5ehRANCAASAqbmzNAmgClAaiCdRqhVXUnUWLYv1
Q9tqSck4UrC6YVJJWevA3Knbwswb1H8NASWpuCeymSgEMx2Qtv55HFsU
-----END PRIVATE KEY-----
";

static KEY: LazyLock<EncryptionKey> =
    LazyLock::new(|| EncryptionKey::from_pkcs8_pem(KEY_PEM).expect("the fuzzing key loads"));

#[derive(Debug, Arbitrary)]
struct Input {
    id_type: Option<String>,
    id: Option<String>,
    /// Encrypted to the key, then changed at `tamper` (position, xor mask).
    plaintext: String,
    tamper: Vec<(u16, u8)>,
}

fuzz_target!(|input: Input| {
    let ids = (input.id_type.is_some() || input.id.is_some()).then(|| UserIdHeaders {
        id_type: input.id_type.clone(),
        id: input.id.clone(),
    });
    match wire::named_user(ids.as_ref()) {
        Ok(NamedUser::Msisdn(msisdn)) => {
            assert!(
                input
                    .id_type
                    .as_deref()
                    .is_some_and(|t| t.eq_ignore_ascii_case("msisdn"))
            );
            assert_eq!(input.id.as_deref(), Some(msisdn.as_str()));
            assert!(
                (8..=15).contains(&msisdn.len()) && !msisdn.starts_with('0'),
                "{msisdn}"
            );
            assert!(msisdn.bytes().all(|b| b.is_ascii_digit()), "{msisdn}");
        }
        Ok(NamedUser::EncryptedMsisdn(jwe)) => {
            assert!(
                input
                    .id_type
                    .as_deref()
                    .is_some_and(|t| t.eq_ignore_ascii_case("encr_msisdn"))
            );
            assert_eq!(input.id.as_deref(), Some(jwe.as_str()));
            let _ = KEY.decrypt(&jwe);
        }
        Err(error) => {
            assert_eq!(
                (error.kind, resource_status(error.kind), error.code()),
                (
                    ResourceErrorKind::InvalidRequest,
                    StatusCode::BAD_REQUEST,
                    Some("invalid_request")
                )
            );
        }
    }

    let Ok(jwe) = encr_msisdn::encrypt_to(&KEY.public_jwk(), &input.plaintext) else {
        return;
    };
    match KEY.decrypt(&jwe) {
        Ok(plaintext) => assert_eq!(plaintext, input.plaintext),
        // Only a plaintext too long for the gateway's bound may be refused.
        Err(error) => assert!(jwe.len() > encr_msisdn::MAX_JWE_LEN, "{error}: {jwe}"),
    }
    let mut tampered = jwe.clone().into_bytes();
    for (at, mask) in input.tamper.iter().take(4) {
        let at = usize::from(*at) % tampered.len();
        tampered[at] ^= mask;
    }
    if let Ok(tampered) = String::from_utf8(tampered)
        && tampered != jwe
    {
        assert!(
            KEY.decrypt(&tampered).is_err(),
            "a changed JWE decrypted: {tampered}"
        );
    }
});
