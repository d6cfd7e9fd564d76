//! Reading the sms-link-00 verification code out of an SMS (or pasted text).
//! Input: the text, optionally followed by a NUL byte and the host the code must be bound to.
//!
//! Properties:
//! - the input is refused as too long exactly when it is over `MAX_TEXT_BYTES`;
//! - a code is six ASCII digits and occurs in the text: from an origin-bound line, the last
//!   line carries `@host #code` and the host is the expected one; from free text,
//!   the text has those six digits in a row (or 3 + space-or-hyphen + 3), each one either the
//!   same ASCII digit or a non-ASCII numeric character;
//! - an ambiguous text lists two or more distinct candidates, each occurring likewise;
//! - reading is stable: the bare code reads as itself, and surrounding white space changes
//!   nothing.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sms_code::{CodeError, MAX_TEXT_BYTES, extract};

/// `assent_core::sms_code` itself, compiled here rather than through `assent-core`: the
/// module is sans-I/O and needs only `thiserror`, while the crate brings the keyring (zbus),
/// sqlx and reqwest — minutes of sanitizer builds in CI for code this target never reaches.
/// Should the module come to use the rest of its crate, this stops compiling and says so.
#[path = "../../src/sms_code.rs"]
mod sms_code;

/// Whether `chars[at..]` spells `code` as the free-text rules allow.
fn spells(chars: &[char], at: usize, code: &str) -> bool {
    let digit = |c: char, expected: char| {
        if c.is_ascii() {
            c == expected
        } else {
            c.is_numeric()
        }
    };
    let code: Vec<char> = code.chars().collect();
    let plain = chars.len() >= at + 6 && (0..6).all(|i| digit(chars[at + i], code[i]));
    let grouped = chars.len() >= at + 7
        && (0..3).all(|i| digit(chars[at + i], code[i]))
        && matches!(chars[at + 3], ' ' | '-')
        && (3..6).all(|i| digit(chars[at + i + 1], code[i]));
    plain || grouped
}

fn occurs(text: &str, code: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    (0..chars.len()).any(|at| spells(&chars, at, code))
}

fn six_ascii_digits(code: &str) -> bool {
    code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit())
}

fuzz_target!(|data: &[u8]| {
    let (text, host) = match data.iter().position(|&b| b == 0) {
        Some(at) => (&data[..at], Some(&data[at + 1..])),
        None => (data, None),
    };
    let Ok(text) = std::str::from_utf8(text) else {
        return;
    };
    let host = match host.map(std::str::from_utf8) {
        Some(Ok(host)) => Some(host),
        Some(Err(_)) => return,
        None => None,
    };
    let result = extract(text, host);
    assert_eq!(
        matches!(result, Err(CodeError::TooLong { .. })),
        text.len() > MAX_TEXT_BYTES,
        "{result:?}"
    );
    match &result {
        Ok(code) => {
            assert!(six_ascii_digits(&code.code), "{code:?}");
            match &code.origin {
                Some(origin) => {
                    let bound = format!("@{origin} #{}", code.code);
                    assert!(
                        text.split(['\n', '\r']).any(|line| line
                            .split_whitespace()
                            .collect::<Vec<_>>()
                            .join(" ")
                            .contains(&bound)),
                        "no line {bound:?} in {text:?}"
                    );
                    if let Some(host) = host {
                        let bare = |h: &str| h.strip_suffix('.').unwrap_or(h).to_ascii_lowercase();
                        assert_eq!(bare(host), bare(origin), "bound to another host");
                    }
                }
                None => assert!(
                    occurs(text, &code.code),
                    "{code:?} does not occur in {text:?}"
                ),
            }
            // The bare code reads as itself.
            assert_eq!(
                extract(&code.code, None).map(|c| c.code),
                Ok(code.code.clone())
            );
        }
        Err(CodeError::Ambiguous { candidates }) => {
            assert!(candidates.len() >= 2, "{candidates:?}");
            for (i, candidate) in candidates.iter().enumerate() {
                assert!(
                    six_ascii_digits(candidate) && occurs(text, candidate),
                    "{candidate}"
                );
                assert!(
                    !candidates[..i].contains(candidate),
                    "{candidate} listed twice"
                );
            }
        }
        Err(CodeError::WrongOrigin { expected, .. }) => assert_eq!(Some(expected.as_str()), host),
        Err(CodeError::NoCode | CodeError::TooLong { .. }) => {}
    }
    // White space around the text changes nothing (when it still fits).
    if text.len() + 2 <= MAX_TEXT_BYTES {
        assert_eq!(extract(&format!(" {text}\n"), host), result);
    }
});
