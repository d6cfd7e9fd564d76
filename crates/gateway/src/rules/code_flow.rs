//! The authorization code flow's rules without I/O: PKCE with S256 only (RFC 7636) and the
//! redirect back to the SP (RFC 6749 §4.1.2), and why a request stops on a page.

use base64::Engine;
use sha2::{Digest, Sha256};

/// RFC 7636 §4.2 with S256: the challenge is the base64url (no padding) of a SHA-256, so
/// exactly 43 characters of the base64url alphabet.
pub fn is_s256_challenge(challenge: &str) -> bool {
    challenge.len() == 43
        && challenge
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// RFC 7636 §4.6: `BASE64URL(SHA256(code_verifier)) == code_challenge`, for a verifier of
/// 43 to 128 characters (§4.1); compared in constant time.
pub fn verifier_matches(verifier: &str, challenge: &str) -> bool {
    let computed = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(Sha256::digest(verifier.as_bytes()));
    (43..=128).contains(&verifier.len())
        && subtle::ConstantTimeEq::ct_eq(computed.as_bytes(), challenge.as_bytes()).into()
}

/// The SP's redirect URI with `params` added to its query (RFC 6749 §4.1.2: `code` and
/// `state`; §4.1.2.1: `error` and `state`; RFC 9207 `iss`), form-urlencoded. A registered
/// URI may carry a query of its own (RFC 6749 §3.1.2, which it keeps): the parameters are
/// appended to it with `&`.
pub fn redirect_location(redirect_uri: &str, params: &[(&str, &str)]) -> String {
    let query = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params)
        .finish();
    let separator = match redirect_uri.split_once('?') {
        None => '?',
        Some((_, "")) => return format!("{redirect_uri}{query}"),
        Some(_) => '&',
    };
    format!("{redirect_uri}{separator}{query}")
}

/// Why the request stops on a page instead of going back to the SP: the redirect URI cannot
/// be trusted yet (RFC 6749 §4.1.2.1: never redirect to an unverified URI), or the browser
/// is not where the request is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeFlowErrorKind {
    /// The request cannot be read or trusted (no client, no or unregistered redirect URI).
    BadRequest,
    /// No such request, or it is finished.
    NotFound,
    /// The request is not at the step this browser asked for (continued in another window,
    /// answered already, or its page never shown).
    Conflict,
    /// The gateway failed.
    Failed,
    /// The database is out of reach: the same request may succeed later.
    Unavailable,
}

/// A request that stops on a page: why, and what the page tells the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeFlowError {
    pub kind: CodeFlowErrorKind,
    pub message: &'static str,
}

impl CodeFlowError {
    pub fn new(kind: CodeFlowErrorKind, message: &'static str) -> Self {
        CodeFlowError { kind, message }
    }

    /// The gateway failed.
    pub fn failed() -> Self {
        Self::new(
            CodeFlowErrorKind::Failed,
            "The gateway could not complete the request.",
        )
    }

    /// No such request, or it is finished.
    pub fn unknown() -> Self {
        Self::new(
            CodeFlowErrorKind::NotFound,
            "This sign-in request is unknown or finished.",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_7636_appendix_b_verifier_matches_its_challenge() {
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
        assert!(is_s256_challenge(challenge));
        assert!(verifier_matches(verifier, challenge));
        assert!(!verifier_matches(&"x".repeat(43), challenge));
        // §4.1: a verifier shorter than 43 characters is refused even if it hashed right.
        assert!(!verifier_matches("short", &{
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(b"short"))
        }));
        assert!(!is_s256_challenge("plain-challenge"));
    }

    #[test]
    fn redirects_carry_their_parameters_form_encoded() {
        assert_eq!(
            redirect_location(
                "https://sp.example/cb",
                &[("error", "access_denied"), ("state", "a b&c")]
            ),
            "https://sp.example/cb?error=access_denied&state=a+b%26c"
        );
        // A query of the registered URI's own is kept, and the parameters follow it.
        assert_eq!(
            redirect_location("https://sp.example/cb?tenant=7", &[("code", "c")]),
            "https://sp.example/cb?tenant=7&code=c"
        );
        assert_eq!(
            redirect_location("https://sp.example/cb?", &[("code", "c")]),
            "https://sp.example/cb?code=c"
        );
    }
}
