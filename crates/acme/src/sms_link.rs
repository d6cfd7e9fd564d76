//! The `sms-link-00` challenge: proving control of a telephone number by reading back a code
//! sent to it by SMS, bound to the ACME account key. Modelled on RFC 8823's `email-reply-00`
//! (a token in the challenge + a secret delivered out of band + the account key thumbprint).
//! The full rule, with the bounds the server enforces, is `docs/acme-sms-link.md`.
//!
//! The exchange:
//! 1. The challenge object carries `token`: 128 random bits, base64url (22 characters)
//!    ([`new_token`]).
//! 2. The client POSTs `{}` to the challenge URL ("ready"); the server sends one SMS with a
//!    six-digit code ([`new_code`], [`sms_text`]) and stores only its keyed hash
//!    ([`hash_code`]).
//! 3. The client POSTs `{"keyAuthorization": token || code || "." || thumbprint}`
//!    ([`key_authorization`]); the server takes it apart ([`key_authorization_from_payload`],
//!    [`code_from_key_authorization`]) and compares the code with the stored hash
//!    ([`code_matches`]).
//!
//! Decisions:
//! - **Why the thumbprint is in the answer.** As in RFC 8555 §8.1, it binds the proof to the
//!   account key: a code read off someone's phone is useless to an attacker who cannot also
//!   sign with the requesting account's key, and the server compares the thumbprint of the
//!   key that signed the request, not one the client names.
//! - **The SMS's last line is `@<host> #<code>`**, the origin-bound one-time code format
//!   (WICG "Origin-bound one-time codes delivered via SMS"), so browsers and phones can offer
//!   the code for autofill on that site only — and will not offer it to a look-alike site,
//!   which is the format's anti-phishing point. **Host only, no scheme and no port**: the
//!   format binds to a site with an implied `https` scheme and default port; Chromium's
//!   parser only accepts `[A-Za-z0-9.-]` there, so `@gw.example:8443 #123456` would not be
//!   recognised at all and the user would lose autofill. A gateway on a non-default port
//!   still gets a correct (host-bound) line; only autofill is lost, never safety.
//!   [`sms_text`] therefore drops any scheme, path and port it is given and lowercases the
//!   host.
//! - **Six digits from the OS RNG, uniformly.** `gen_range` rejection-samples (no modulo
//!   bias); leading zeros are kept (`000123` is a code).
//! - **Codes are stored as HMAC-SHA256 under a server secret**, over
//!   `challenge_id || 0x00 || code`. Six digits are ~20 bits: a plain hash of them is
//!   reversed by trying a million values, so a leaked database would reveal every live code;
//!   with a key the leak is useless without the key too. The challenge id in the input stops
//!   a hash being replayed onto another challenge; the 0x00 separates the two fields (a code
//!   is always the last six bytes, so the split is unambiguous either way).
//! - **Constant-time comparisons** for the parts of the answer that are compared to stored
//!   values (token, thumbprint, code hash), so response timing says nothing about how close
//!   a guess was. The answer's shape (length, the dot, digits) is public and checked plainly.
//! - Every wrong answer is `incorrectResponse` with the same detail whichever part was wrong;
//!   a payload that is not `{"keyAuthorization": "<string>"}` is `malformed` (no answer was
//!   given, so it is not counted as a guess).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use hmac::{KeyInit as _, Mac as _};
use rand::Rng as _;
use rand::RngCore as _;
use serde_json::Value;
use subtle::ConstantTimeEq as _;

use crate::problem::{AcmeProblem, ProblemType};

/// The challenge `type`.
pub const CHALLENGE_TYPE: &str = "sms-link-00";

/// Digits in a code.
pub const CODE_DIGITS: usize = 6;

/// Characters in a token: 16 bytes of base64url without padding.
pub const TOKEN_CHARS: usize = 22;

// The bounds the server enforces (docs/acme-sms-link.md), here so that the server, the SMS
// text and the docs quote one number each.

/// A code is accepted for at most this long after its SMS was sent (the SMS says so).
pub const CODE_LIFETIME_SECS: u64 = 600;
/// Wrong answers per challenge: the wrong answer that reaches this count turns the challenge
/// (and so its authorization) `invalid`.
pub const MAX_WRONG_ANSWERS_PER_CHALLENGE: u32 = 3;
/// Failed answers per telephone number, across all accounts: the failure that reaches this
/// count locks the number until an operator unlocks it.
pub const MAX_FAILED_ANSWERS_PER_NUMBER: u32 = 100;
/// SMS sent per telephone number in any rolling hour; a "ready" POST past it is
/// `rateLimited` with `Retry-After`.
pub const MAX_SMS_PER_NUMBER_PER_HOUR: u32 = 5;

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

/// A new challenge token: 16 bytes from the OS RNG, base64url (22 characters).
pub fn new_token() -> String {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    B64.encode(bytes)
}

/// A new six-digit code, uniform over 000000–999999, from the OS RNG.
pub fn new_code() -> String {
    // Uniform: rand's integer gen_range uses rejection sampling, not `% 1_000_000`.
    let n: u32 = rand::rngs::OsRng.gen_range(0..1_000_000);
    format!("{n:06}")
}

/// The SMS body. Its last line is the origin-bound code `@<host> #<code>`; `host` may be
/// given as a host, `host:port` or URL — only the lowercased host is used (see the module
/// docs for why).
///
/// `sms_text("gw.example", "123456")` is
/// `"Assent: your number verification code is 123456. It expires in 10 minutes.\n\n@gw.example #123456"`.
pub fn sms_text(host: &str, code: &str) -> String {
    let host = origin_host(host);
    let minutes = CODE_LIFETIME_SECS / 60;
    // Plain ASCII: '@' and '#' are in the GSM 03.38 default alphabet, so the message stays a
    // single 7-bit segment (≤ 160 characters) for any reasonable host name.
    format!(
        "Assent: your number verification code is {code}. It expires in {minutes} minutes.\n\n@{host} #{code}"
    )
}

/// The key authorization the client submits: `token || code || "." || thumbprint`, where
/// `thumbprint` is the RFC 7638 thumbprint of the account key (as
/// [`crate::jws::AccountKey::thumbprint`]).
pub fn key_authorization(token: &str, code: &str, thumbprint: &str) -> String {
    format!("{token}{code}.{thumbprint}")
}

/// The `keyAuthorization` string of a completion payload `{"keyAuthorization": "…"}`.
/// `malformed` when the payload is not an object or the member is missing or not a string.
/// Other members are ignored (RFC 8555 §7.1: unknown fields are ignored).
pub fn key_authorization_from_payload(payload: &Value) -> Result<&str, AcmeProblem> {
    payload
        .as_object()
        .and_then(|map| map.get("keyAuthorization"))
        .and_then(Value::as_str)
        .ok_or_else(|| {
            AcmeProblem::malformed(
                "an sms-link-00 answer is {\"keyAuthorization\": \"<token><code>.<thumbprint>\"}",
            )
        })
}

/// Takes a submitted key authorization apart and returns its six-digit code, after checking
/// that the rest is exactly `token` and `thumbprint` (the thumbprint of the key that signed
/// the request). Any mismatch is `incorrectResponse`.
///
/// The token and thumbprint parts are compared in constant time. The code returned has only
/// been checked for shape; compare it with [`code_matches`].
pub fn code_from_key_authorization(
    submitted: &str,
    token: &str,
    thumbprint: &str,
) -> Result<String, AcmeProblem> {
    let wrong = || {
        AcmeProblem::new(
            ProblemType::IncorrectResponse,
            "keyAuthorization does not match this challenge and account key",
        )
    };
    // Work on bytes: a multi-byte character in a hostile answer must not make us slice
    // inside a character (which would panic on &str).
    let bytes = submitted.as_bytes();
    let token_end = token.len();
    let code_end = token_end + CODE_DIGITS;
    if bytes.len() != code_end + 1 + thumbprint.len() {
        return Err(wrong());
    }
    let (token_part, rest) = bytes.split_at(token_end);
    let (code_part, rest) = rest.split_at(CODE_DIGITS);
    let (dot, thumbprint_part) = rest.split_at(1);
    // Evaluate both comparisons before branching, so which part differed is not timed.
    let parts_match =
        token_part.ct_eq(token.as_bytes()) & thumbprint_part.ct_eq(thumbprint.as_bytes());
    let shape_ok = dot == b"." && code_part.iter().all(u8::is_ascii_digit);
    if bool::from(parts_match) && shape_ok {
        // All ASCII digits, so valid UTF-8; the fallback is unreachable but kept total.
        String::from_utf8(code_part.to_vec()).map_err(|_| wrong())
    } else {
        Err(wrong())
    }
}

/// The stored form of a code: lowercase hex of
/// HMAC-SHA256(`secret`, `challenge_id` || 0x00 || `code`).
///
/// `secret` is a server-wide key (at least 32 random bytes, kept out of the database).
pub fn hash_code(secret: &[u8], challenge_id: &str, code: &str) -> String {
    hex::encode(code_mac(secret, challenge_id, code))
}

/// Whether `code` is the one whose [`hash_code`] is `stored_hash`, compared in constant time.
/// A `stored_hash` that is not 64 hex digits never matches.
pub fn code_matches(secret: &[u8], challenge_id: &str, code: &str, stored_hash: &str) -> bool {
    let Ok(stored) = hex::decode(stored_hash) else {
        return false;
    };
    let computed = code_mac(secret, challenge_id, code);
    // ct_eq on slices of different lengths is false (and lengths are not secret).
    bool::from(computed.as_slice().ct_eq(stored.as_slice()))
}

fn code_mac(secret: &[u8], challenge_id: &str, code: &str) -> [u8; 32] {
    let mut mac = match HmacSha256::new_from_slice(secret) {
        Ok(mac) => mac,
        // HMAC takes keys of any length (RFC 2104 §2: long keys are hashed, short ones
        // padded); the Result only exists because the KeyInit trait is shared with ciphers.
        Err(_) => unreachable!("HMAC accepts keys of any length"),
    };
    mac.update(challenge_id.as_bytes());
    mac.update(&[0]);
    mac.update(code.as_bytes());
    mac.finalize().into_bytes().into()
}

/// The host part of `host`, which may also be given as `host:port`, `[v6]:port` or a URL:
/// scheme, userinfo, path and port removed, ASCII lowercased.
fn origin_host(host: &str) -> String {
    let host = host.trim();
    let host = host.split_once("://").map_or(host, |(_, rest)| rest);
    let host = host.split(['/', '?', '#']).next().unwrap_or_default();
    let host = host.rsplit_once('@').map_or(host, |(_, rest)| rest);
    let host = if host.starts_with('[') {
        // An IPv6 literal keeps its brackets; only a port after ']' is dropped.
        host.split_once(']')
            .map_or(host, |(inside, _)| &host[..inside.len() + 1])
    } else {
        host.split(':').next().unwrap_or_default()
    };
    host.to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    // Test vectors (also in docs/acme-sms-link.md).
    const TOKEN: &str = "DGyRejmCefe7v4NfDGDKfA";
    const CODE: &str = "042917";
    // The RFC 7638 thumbprint of RFC 7515 Appendix A.3's P-256 key (checked with jwcrypto,
    // see jws.rs).
    const THUMBPRINT: &str = "oKIywvGUpTVTyxMQ3bwIIeQUudfr_CkLMjCE19ECD-U";
    const KEY_AUTHORIZATION: &str =
        "DGyRejmCefe7v4NfDGDKfA042917.oKIywvGUpTVTyxMQ3bwIIeQUudfr_CkLMjCE19ECD-U";

    #[test]
    fn token_is_128_bits_base64url() {
        let token = new_token();
        assert_eq!(token.len(), TOKEN_CHARS);
        assert_eq!(B64.decode(&token).unwrap().len(), 16);
        assert_ne!(new_token(), token);
    }

    #[test]
    fn code_is_six_digits() {
        for _ in 0..1000 {
            let code = new_code();
            assert_eq!(code.len(), CODE_DIGITS);
            assert!(code.bytes().all(|b| b.is_ascii_digit()), "{code}");
        }
    }

    /// A coarse check that all leading digits occur (a badly built code would skew or fix
    /// them); uniformity itself comes from rand's rejection sampling.
    #[test]
    fn code_leading_digit_spread() {
        let mut seen = [0u32; 10];
        for _ in 0..5000 {
            let d = new_code().as_bytes()[0] - b'0';
            seen[usize::from(d)] += 1;
        }
        // Expected 500 each; 300 is more than 9 standard deviations below.
        assert!(seen.iter().all(|&n| n > 300), "{seen:?}");
    }

    #[test]
    fn sms_text_vector() {
        assert_eq!(
            sms_text("gw.example", "123456"),
            "Assent: your number verification code is 123456. It expires in 10 minutes.\n\n@gw.example #123456"
        );
    }

    #[test]
    fn sms_text_last_line_is_origin_bound_host_only() {
        for given in [
            "gw.example",
            "GW.Example",
            "gw.example:8443",
            "https://gw.example:8443/acme/directory",
            "https://user@gw.example/",
            " gw.example ",
        ] {
            let text = sms_text(given, CODE);
            assert_eq!(text.lines().last(), Some("@gw.example #042917"), "{given}");
        }
        assert!(sms_text("[::1]:8443", CODE).ends_with("\n@[::1] #042917"));
        // One GSM-7 segment.
        assert!(sms_text("acme.gateway.assent.example", "123456").len() <= 160);
    }

    #[test]
    fn key_authorization_vector() {
        assert_eq!(
            key_authorization(TOKEN, CODE, THUMBPRINT),
            KEY_AUTHORIZATION
        );
        assert_eq!(
            code_from_key_authorization(KEY_AUTHORIZATION, TOKEN, THUMBPRINT).unwrap(),
            CODE
        );
    }

    #[test]
    fn key_authorization_parse_failures() {
        let incorrect = |submitted: &str| {
            let err = code_from_key_authorization(submitted, TOKEN, THUMBPRINT).unwrap_err();
            assert_eq!(err.kind, ProblemType::IncorrectResponse, "{submitted:?}");
        };
        // Wrong token (one character), wrong thumbprint, another account's thumbprint.
        incorrect("DGyRejmCefe7v4NfDGDKfB042917.oKIywvGUpTVTyxMQ3bwIIeQUudfr_CkLMjCE19ECD-U");
        incorrect("DGyRejmCefe7v4NfDGDKfA042917.oKIywvGUpTVTyxMQ3bwIIeQUudfr_CkLMjCE19ECD-V");
        incorrect("DGyRejmCefe7v4NfDGDKfA042917.cn-I_WNMClehiVp51i_0VpOENW1upEerA8sEam5hn-s");
        // Shape: five or seven digits, a letter, no dot, another separator, empty, spaces.
        incorrect("DGyRejmCefe7v4NfDGDKfA04291.oKIywvGUpTVTyxMQ3bwIIeQUudfr_CkLMjCE19ECD-U");
        incorrect("DGyRejmCefe7v4NfDGDKfA0429170.oKIywvGUpTVTyxMQ3bwIIeQUudfr_CkLMjCE19ECD-U");
        incorrect("DGyRejmCefe7v4NfDGDKfA04291a.oKIywvGUpTVTyxMQ3bwIIeQUudfr_CkLMjCE19ECD-U");
        incorrect("DGyRejmCefe7v4NfDGDKfA042917oKIywvGUpTVTyxMQ3bwIIeQUudfr_CkLMjCE19ECD-U");
        incorrect("DGyRejmCefe7v4NfDGDKfA042917:oKIywvGUpTVTyxMQ3bwIIeQUudfr_CkLMjCE19ECD-U");
        incorrect("");
        incorrect(" DGyRejmCefe7v4NfDGDKfA042917.oKIywvGUpTVTyxMQ3bwIIeQUudfr_CkLMjCE19ECD-U");
        // Code only, or code and thumbprint without the token.
        incorrect(CODE);
        incorrect("042917.oKIywvGUpTVTyxMQ3bwIIeQUudfr_CkLMjCE19ECD-U");
        // Non-ASCII of the right byte length must not panic.
        incorrect("DGyRejmCefe7v4NfDGDKf\u{e9}42917.oKIywvGUpTVTyxMQ3bwIIeQUudfr_CkLMjCE19ECD-U");
        incorrect(
            "DGyRejmCefe7v4NfDGDKfA\u{663}\u{663}\u{663}.oKIywvGUpTVTyxMQ3bwIIeQUudfr_CkLMjCE19ECD-U",
        );
        // Unicode digits are not ASCII digits.
        incorrect("DGyRejmCefe7v4NfDGDKfA0429\u{663}.oKIywvGUpTVTyxMQ3bwIIeQUudfr_CkLMjCE19ECD-U");
    }

    #[test]
    fn payload_shape() {
        assert_eq!(
            key_authorization_from_payload(&json!({ "keyAuthorization": KEY_AUTHORIZATION }))
                .unwrap(),
            KEY_AUTHORIZATION
        );
        for bad in [
            json!({}),
            json!({ "keyAuthorization": 42 }),
            json!({ "keyAuthorization": null }),
            json!({ "keyAuthorization": [KEY_AUTHORIZATION] }),
            json!(KEY_AUTHORIZATION),
            json!(null),
        ] {
            let err = key_authorization_from_payload(&bad).unwrap_err();
            assert_eq!(err.kind, ProblemType::Malformed, "{bad}");
        }
    }

    /// HMAC-SHA256(key = "assent test secret", "chall-1" || 0x00 || "042917"), independently
    /// computed with Python's hmac module:
    /// `hmac.new(b"assent test secret", b"chall-1\x00042917", "sha256").hexdigest()`.
    #[test]
    fn hash_code_vector() {
        let secret = b"assent test secret";
        let hash = hash_code(secret, "chall-1", CODE);
        assert_eq!(hash, HASH_VECTOR);
        assert!(code_matches(secret, "chall-1", CODE, &hash));
        assert!(code_matches(secret, "chall-1", CODE, &hash.to_uppercase()));
        assert!(!code_matches(secret, "chall-1", "042918", &hash));
        assert!(!code_matches(secret, "chall-2", CODE, &hash));
        assert!(!code_matches(b"another secret", "chall-1", CODE, &hash));
        assert!(!code_matches(secret, "chall-1", CODE, &hash[..62]));
        assert!(!code_matches(secret, "chall-1", CODE, "not hex"));
        assert!(!code_matches(secret, "chall-1", CODE, ""));
    }

    const HASH_VECTOR: &str = "7d2dc03c2e069f910d851d1c0c20b334f1b88bf7bab0d879a0721d41324cad99";
}
