//! ACME request bodies: flattened JWS JSON (RFC 8555 §6.2–6.5, RFC 7515 §7.2.2), for the
//! server ([`parse`], [`JwsRequest::verify`], [`parse_key_change_inner`]) and for clients
//! ([`sign`], [`sign_key_change`], [`SigningKey`]).
//!
//! Decisions:
//! - **Algorithms.** The allow-list is ES256 ([`Alg::Es256`], which RFC 8555 §6.2 makes
//!   mandatory), EdDSA over Ed25519 ([`Alg::EdDsa`], which it recommends) and, for account
//!   keys only, RS256 ([`Alg::Rs256`]: certbot's default account key is RSA). Everything
//!   else — `none`, the MAC algorithms, RSA-PSS — is refused with `badSignatureAlgorithm`
//!   *before* anything else in the header is looked at, so no code path ever sees a key
//!   chosen by an algorithm we do not verify. The signature checks themselves are p256's,
//!   ed25519-dalek's and rsa's.
//! - **Strict shape.** The body is exactly `{"protected", "payload", "signature"}`: the
//!   unprotected `header` is refused (§6.2 "MUST NOT"), so is the general serialization
//!   (`signatures`) and any other member — anything we would silently ignore is something an
//!   intermediary could add unsigned. Duplicate member names in the body, the protected
//!   header and the payload's top level are refused rather than resolved last-wins (RFC 7515
//!   §4 allows either; refusing removes any parser-differential with other JSON parsers).
//! - **base64url** is the unpadded alphabet of RFC 7515 §2, decoded strictly: `=` padding,
//!   the standard alphabet's `+` `/`, whitespace and non-canonical trailing bits are all
//!   `malformed`. A JWS has one encoding, so the bytes signed are unambiguous.
//! - **Header.** `alg`, `nonce`, `url` and exactly one of `jwk`/`kid` (§6.2). A `crit`
//!   member is refused because we implement no JWS extension (RFC 7515 §4.1.11 makes
//!   understanding every listed extension mandatory), and so is `b64` (RFC 7797 would change
//!   the signing input). Other registered members (`typ`, `cty`, …) are ignored: keys come
//!   only from `jwk`/`kid`, so `jku`/`x5u`/`x5c` can never direct us to a key.
//! - **Nonce.** A missing `nonce` is `badNonce`, as RFC 8555 §6.5 says ("unacceptable (or not
//!   present)"), so a client retries with the fresh nonce the server must attach; a `nonce`
//!   that is not base64url (or is empty: the ABNF is `1*base64url`) is `malformed` (§6.5.2).
//!   Whether the nonce was issued and is unused is the server's check.
//! - **Keys.** EC P-256 and OKP Ed25519 JWKs only; a JWK carrying private members is
//!   `malformed` (the client would be leaking its key); an unsupported key type or curve, a
//!   point not on the curve, a small-order Ed25519 key, or a key that does not fit `alg` is
//!   `badPublicKey` (§6.2 lists "alg is ES256 but jwk does not contain a valid P-256 public
//!   key" among its examples).
//! - **Signatures.** ES256 is the 64-byte `r || s` of RFC 7518 §3.4; a DER signature (a
//!   common client bug) has the wrong length and is `malformed` with a hint. Ed25519 uses
//!   `verify_strict` (no small-order keys, canonical encodings). A signature that does not
//!   verify is `unauthorized`: the request is not from the key holder.
//! - **Payload.** `""` is POST-as-GET (§6.3); otherwise it must be a JSON object — every
//!   RFC 8555 request payload is one, and `{}` (e.g. the challenge "ready" POST) is distinct
//!   from `""`.
//! - **Client side.** [`sign`] writes header members in lexicographic order and JWKs in
//!   RFC 7638 order, so its output is byte-for-byte stable whatever `serde_json` features
//!   another crate turns on; with RFC 6979 deterministic ECDSA and Ed25519, one input gives
//!   one JWS, which the tests pin.
//!
//! Not here (the server's part): body size limits, `Content-Type: application/jose+json`
//! (§6.2, 415), nonce bookkeeping, comparing `url` to the request URL (use
//! [`JwsRequest::check_url`]), looking up `kid` (→ `accountDoesNotExist`).

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use serde::Deserialize;
use serde::de::{Deserializer, Error as _, MapAccess, Visitor};
use serde_json::{Map, Value};
use sha2::{Digest as _, Sha256};

use crate::problem::{AcmeProblem, ProblemType};

/// The JWS algorithms this crate accepts (the allow-list of RFC 8555 §6.2's `alg`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Alg {
    /// ECDSA P-256 with SHA-256 (RFC 7518 §3.4).
    Es256,
    /// EdDSA over Ed25519 (RFC 8037).
    EdDsa,
    /// RSASSA-PKCS1-v1_5 with SHA-256 (RFC 7518 §3.3), for account keys only: widely
    /// deployed clients (certbot's default account key is RSA) must at least reach the
    /// server's real answer.
    Rs256,
}

impl Alg {
    /// Every accepted algorithm, in the order listed in `badSignatureAlgorithm` problems.
    pub const ALL: [Alg; 3] = [Alg::Es256, Alg::EdDsa, Alg::Rs256];

    /// The `alg` header value.
    pub fn name(self) -> &'static str {
        match self {
            Alg::Es256 => "ES256",
            Alg::EdDsa => "EdDSA",
            Alg::Rs256 => "RS256",
        }
    }

    /// The algorithm named `name` (case-sensitive, as RFC 7515 §4.1.1 requires).
    pub fn from_name(name: &str) -> Result<Self, AcmeProblem> {
        Self::ALL
            .into_iter()
            .find(|a| a.name() == name)
            .ok_or_else(|| {
                AcmeProblem::new(
                    ProblemType::BadSignatureAlgorithm,
                    format!(
                        "alg {} is not supported; use ES256, EdDSA or RS256",
                        quoted(name)
                    ),
                )
            })
    }
}

/// An account public key, as carried in a `jwk` header or stored for an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountKey {
    Es256(p256::ecdsa::VerifyingKey),
    Ed25519(ed25519_dalek::VerifyingKey),
    /// RSA of at least 2048 bits (RFC 7518 §3.3), verified with the `rsa` crate.
    Rs256(rsa::RsaPublicKey),
}

/// RSA moduli below this are refused (RFC 7518 §3.3: 2048 bits or larger).
const RSA_MIN_BITS: usize = 2048;

/// The DER DigestInfo prefix of a SHA-256 hash in PKCS #1 v1.5 signatures (RFC 8017 §9.2,
/// note 1).
const SHA256_DIGEST_INFO: [u8; 19] = [
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x20,
];

/// JWK members that only a private (or symmetric) key has (RFC 7518 §6.2.2, §6.3.2, §6.4;
/// RFC 8037 §2).
const PRIVATE_JWK_MEMBERS: [&str; 8] = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

impl AccountKey {
    /// Reads a public JWK: EC P-256 (RFC 7518 §6.2) or OKP Ed25519 (RFC 8037 §2).
    ///
    /// Members other than `kty`, `crv`, `x`, `y` (`alg`, `use`, `kid`, …) are ignored, since
    /// they do not change the key; private members are refused.
    pub fn from_jwk(jwk: &Value) -> Result<Self, AcmeProblem> {
        let map = jwk
            .as_object()
            .ok_or_else(|| AcmeProblem::malformed("jwk must be a JSON object"))?;
        if let Some(m) = PRIVATE_JWK_MEMBERS.iter().find(|m| map.contains_key(**m)) {
            return Err(AcmeProblem::malformed(format!(
                "jwk contains the private member \"{m}\"; send the public key only"
            )));
        }
        let kty = str_member(map, "kty", "jwk")?;
        match kty {
            "EC" => {
                let crv = str_member(map, "crv", "jwk")?;
                if crv != "P-256" {
                    return Err(bad_public_key(format!(
                        "EC curve {} is not supported; use P-256",
                        quoted(crv)
                    )));
                }
                let x = coordinate(map, "x")?;
                let y = coordinate(map, "y")?;
                let point = p256::EncodedPoint::from_affine_coordinates(
                    &p256::FieldBytes::from(x),
                    &p256::FieldBytes::from(y),
                    false,
                );
                // from_encoded_point checks that the point is on the curve and not the
                // identity (SEC1 §3.2.2's public key validation).
                p256::ecdsa::VerifyingKey::from_encoded_point(&point)
                    .map(AccountKey::Es256)
                    .map_err(|_| bad_public_key("jwk is not a valid P-256 public key"))
            }
            "OKP" => {
                let crv = str_member(map, "crv", "jwk")?;
                if crv != "Ed25519" {
                    return Err(bad_public_key(format!(
                        "OKP curve {} is not supported; use Ed25519",
                        quoted(crv)
                    )));
                }
                let x = coordinate(map, "x")?;
                let key = ed25519_dalek::VerifyingKey::from_bytes(&x)
                    .map_err(|_| bad_public_key("jwk is not a valid Ed25519 public key"))?;
                // A small-order key lets one signature verify for many messages; verify_strict
                // would refuse every signature anyway, but saying so up front is clearer.
                if key.is_weak() {
                    return Err(bad_public_key("jwk is a small-order Ed25519 key"));
                }
                Ok(AccountKey::Ed25519(key))
            }
            "RSA" => {
                let member = |name: &str| -> Result<rsa::BigUint, AcmeProblem> {
                    let text = str_member(map, name, "jwk")?;
                    let bytes = B64.decode(text).map_err(|_| {
                        AcmeProblem::malformed(format!("jwk {name} is not base64url"))
                    })?;
                    Ok(rsa::BigUint::from_bytes_be(&bytes))
                };
                let key = rsa::RsaPublicKey::new(member("n")?, member("e")?)
                    .map_err(|_| bad_public_key("jwk is not a valid RSA public key"))?;
                if rsa::traits::PublicKeyParts::n(&key).bits() < RSA_MIN_BITS {
                    return Err(bad_public_key("RSA keys must have at least 2048 bits"));
                }
                Ok(AccountKey::Rs256(key))
            }
            other => Err(bad_public_key(format!(
                "key type {} is not supported; use EC P-256, OKP Ed25519 or RSA",
                quoted(other)
            ))),
        }
    }

    /// The public JWK: the required members only, so it never carries anything private.
    pub fn to_jwk(&self) -> Value {
        let mut map = Map::new();
        for (name, value) in self.jwk_members() {
            map.insert(name.into(), Value::String(value));
        }
        Value::Object(map)
    }

    /// The RFC 7638 thumbprint: base64url(SHA-256(canonical JWK)), where the canonical JWK
    /// is the required members in lexicographic order with no whitespace. Built by hand
    /// rather than through `serde_json` so member order cannot depend on its features; no
    /// escaping is needed since every value is a fixed name or base64url.
    pub fn thumbprint(&self) -> String {
        let members = self
            .jwk_members()
            .iter()
            .map(|(name, value)| format!("\"{name}\":\"{value}\""))
            .collect::<Vec<_>>()
            .join(",");
        B64.encode(Sha256::digest(format!("{{{members}}}").as_bytes()))
    }

    /// The algorithm this key signs with.
    pub fn alg(&self) -> Alg {
        match self {
            AccountKey::Es256(_) => Alg::Es256,
            AccountKey::Ed25519(_) => Alg::EdDsa,
            AccountKey::Rs256(_) => Alg::Rs256,
        }
    }

    /// The RFC 7638 required members, already in lexicographic order.
    fn jwk_members(&self) -> Vec<(&'static str, String)> {
        match self {
            AccountKey::Es256(key) => {
                let point = key.to_encoded_point(false);
                let (x, y) = match (point.x(), point.y()) {
                    (Some(x), Some(y)) => (B64.encode(x), B64.encode(y)),
                    // An uncompressed encoding of a verifying key (never the identity) always
                    // has both coordinates.
                    _ => unreachable!("uncompressed P-256 point without coordinates"),
                };
                vec![
                    ("crv", "P-256".into()),
                    ("kty", "EC".into()),
                    ("x", x),
                    ("y", y),
                ]
            }
            AccountKey::Ed25519(key) => vec![
                ("crv", "Ed25519".into()),
                ("kty", "OKP".into()),
                ("x", B64.encode(key.as_bytes())),
            ],
            AccountKey::Rs256(key) => {
                use rsa::traits::PublicKeyParts as _;
                vec![
                    ("e", B64.encode(key.e().to_bytes_be())),
                    ("kty", "RSA".into()),
                    ("n", B64.encode(key.n().to_bytes_be())),
                ]
            }
        }
    }
}

/// How the request names its key (RFC 8555 §6.2: exactly one of the two).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyRef {
    /// `jwk`: newAccount, revokeCert by certificate key, the key-change inner JWS.
    Jwk(AccountKey),
    /// `kid`: the account URL, for every other request.
    Kid(String),
}

/// The protected header of a request, checked against RFC 8555 §6.2–6.5.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Protected {
    pub alg: Alg,
    /// As sent; known to be non-empty base64url. Whether the server issued it is not
    /// checked here.
    pub nonce: String,
    /// As sent; compare it to the request URL with [`JwsRequest::check_url`].
    pub url: String,
    pub key: KeyRef,
}

/// The decoded payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Payload {
    /// `""`: a POST-as-GET (RFC 8555 §6.3).
    Empty,
    /// A JSON object (possibly `{}`).
    Json(Value),
}

/// A parsed, not yet verified, request body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JwsRequest {
    pub protected: Protected,
    pub payload: Payload,
    /// `ASCII(protected) || '.' || ASCII(payload)` exactly as received (RFC 7515 §5.2).
    signing_input: Vec<u8>,
    signature: Vec<u8>,
}

impl JwsRequest {
    /// Checks the signature with `key` (the `jwk` of the request, or the account's key for a
    /// `kid` request). `unauthorized` when it does not verify or `key` cannot have made it.
    pub fn verify(&self, key: &AccountKey) -> Result<(), AcmeProblem> {
        if key.alg() != self.protected.alg {
            return Err(AcmeProblem::new(
                ProblemType::Unauthorized,
                format!(
                    "the request says alg {} but the key is for {}",
                    self.protected.alg.name(),
                    key.alg().name()
                ),
            ));
        }
        verify_signature(key, &self.signing_input, &self.signature)
    }

    /// The `jwk` of the header, if the request names its key that way.
    pub fn jwk(&self) -> Option<&AccountKey> {
        match &self.protected.key {
            KeyRef::Jwk(key) => Some(key),
            KeyRef::Kid(_) => None,
        }
    }

    /// The `kid` (account URL) of the header, if the request names its key that way.
    pub fn kid(&self) -> Option<&str> {
        match &self.protected.key {
            KeyRef::Kid(kid) => Some(kid),
            KeyRef::Jwk(_) => None,
        }
    }

    /// RFC 8555 §6.4: the `url` header must be exactly the URL the request was sent to (the
    /// string the server handed out, compared without re-encoding); otherwise `unauthorized`.
    pub fn check_url(&self, request_url: &str) -> Result<(), AcmeProblem> {
        if self.protected.url == request_url {
            Ok(())
        } else {
            Err(AcmeProblem::new(
                ProblemType::Unauthorized,
                "the url header does not match the request URL",
            ))
        }
    }
}

/// Parses an ACME request body (a flattened JWS JSON object) and checks every rule that
/// needs no server state. The signature is checked by [`JwsRequest::verify`].
pub fn parse(body: &[u8]) -> Result<JwsRequest, AcmeProblem> {
    let UniqueObject(members) = serde_json::from_slice(body)
        .map_err(|e| AcmeProblem::malformed(format!("request body is not a JWS object: {e}")))?;
    let parsed = parse_flattened(members, HeaderRules::Request)?;
    let nonce = match parsed.nonce {
        Some(nonce) => nonce,
        // HeaderRules::Request makes the nonce mandatory; kept total rather than panicking.
        None => return Err(AcmeProblem::new(ProblemType::BadNonce, "nonce is missing")),
    };
    Ok(JwsRequest {
        protected: Protected {
            alg: parsed.alg,
            nonce,
            url: parsed.url,
            key: parsed.key,
        },
        payload: parsed.payload,
        signing_input: parsed.signing_input,
        signature: parsed.signature,
    })
}

/// A client's account private key.
#[derive(Clone)]
pub enum SigningKey {
    Es256(p256::ecdsa::SigningKey),
    Ed25519(ed25519_dalek::SigningKey),
}

impl fmt::Debug for SigningKey {
    // Only the public half: a Debug print of a private key must not leak it into logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("alg", &self.alg().name())
            .field("thumbprint", &self.public().thumbprint())
            .finish_non_exhaustive()
    }
}

/// Why a PKCS#8 PEM could not be read as an account key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("not a PEM document labelled PRIVATE KEY (PKCS#8)")]
    NotPkcs8Pem,
    #[error("the PKCS#8 structure is invalid")]
    InvalidPkcs8,
    #[error("PKCS#8 key algorithm {0} is not supported; use P-256 (ES256) or Ed25519")]
    UnsupportedAlgorithm(String),
    #[error("the private key is invalid for its algorithm")]
    InvalidKey,
}

impl SigningKey {
    /// A new P-256 key from the OS random number generator.
    pub fn generate_es256() -> Self {
        SigningKey::Es256(p256::ecdsa::SigningKey::random(&mut rand::rngs::OsRng))
    }

    /// A new Ed25519 key from the OS random number generator.
    pub fn generate_ed25519() -> Self {
        SigningKey::Ed25519(ed25519_dalek::SigningKey::generate(&mut rand::rngs::OsRng))
    }

    pub fn public(&self) -> AccountKey {
        match self {
            SigningKey::Es256(key) => AccountKey::Es256(*key.verifying_key()),
            SigningKey::Ed25519(key) => AccountKey::Ed25519(key.verifying_key()),
        }
    }

    pub fn alg(&self) -> Alg {
        match self {
            SigningKey::Es256(_) => Alg::Es256,
            SigningKey::Ed25519(_) => Alg::EdDsa,
        }
    }

    /// The key as a PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`, LF line endings), the form
    /// `openssl genpkey` writes, readable by OpenSSL, pyca/cryptography and
    /// [`SigningKey::from_pkcs8_pem`].
    pub fn to_pkcs8_pem(&self) -> String {
        use p256::pkcs8::{EncodePrivateKey as _, LineEnding};
        let pem = match self {
            SigningKey::Es256(key) => key.to_pkcs8_pem(LineEnding::LF),
            // Version 1 (RFC 8410 §7), without the optional public key: ed25519-dalek's own
            // encoder writes PKCS#8 v2 with the public key, which pyca/cryptography 50 refuses
            // ("extra data"). The public key is derived from the seed anyway.
            SigningKey::Ed25519(key) => ed25519_dalek::pkcs8::KeypairBytes {
                secret_key: key.to_bytes(),
                public_key: None,
            }
            .to_pkcs8_pem(LineEnding::LF),
        };
        match pem {
            // The intermediate Zeroizing<String> is wiped when dropped here; the caller owns
            // (and must protect) the copy returned.
            Ok(pem) => pem.as_str().to_owned(),
            // DER/PEM encoding of a fixed-size key into a growable buffer has no failure mode
            // (the errors exist for length overflows and caller-sized buffers).
            Err(e) => unreachable!("PKCS#8 encoding of an in-memory key failed: {e}"),
        }
    }

    /// Reads a PKCS#8 PEM private key (P-256 or Ed25519), e.g. one written by
    /// [`SigningKey::to_pkcs8_pem`] or `openssl genpkey`.
    pub fn from_pkcs8_pem(pem: &str) -> Result<Self, KeyError> {
        use p256::pkcs8::{PrivateKeyInfo, SecretDocument};
        // SecretDocument zeroizes the DER on drop.
        let (label, der) = SecretDocument::from_pem(pem).map_err(|_| KeyError::NotPkcs8Pem)?;
        if label != "PRIVATE KEY" {
            return Err(KeyError::NotPkcs8Pem);
        }
        let info = PrivateKeyInfo::try_from(der.as_bytes()).map_err(|_| KeyError::InvalidPkcs8)?;
        let oid = info.algorithm.oid;
        if oid == p256::elliptic_curve::ALGORITHM_OID {
            // id-ecPublicKey covers every curve; name the curve when it is not P-256 rather
            // than calling a P-384 key "invalid".
            let curve = info
                .algorithm
                .parameters_oid()
                .map_err(|_| KeyError::InvalidPkcs8)?;
            if curve != <p256::NistP256 as p256::pkcs8::AssociatedOid>::OID {
                return Err(KeyError::UnsupportedAlgorithm(format!(
                    "{oid} on curve {curve}"
                )));
            }
            // Checks the scalar is in range (and an embedded public key, if any, matches).
            p256::ecdsa::SigningKey::try_from(info)
                .map(SigningKey::Es256)
                .map_err(|_| KeyError::InvalidKey)
        } else if oid == ed25519_dalek::pkcs8::ALGORITHM_OID {
            // Checks an embedded public key, if any, matches the private key.
            ed25519_dalek::SigningKey::try_from(info)
                .map(SigningKey::Ed25519)
                .map_err(|_| KeyError::InvalidKey)
        } else {
            Err(KeyError::UnsupportedAlgorithm(oid.to_string()))
        }
    }

    /// The raw JWS signature of `input`: 64-byte `r || s` for ES256 (RFC 7518 §3.4, RFC 6979
    /// deterministic nonce), the 64-byte signature for Ed25519.
    fn sign_bytes(&self, input: &[u8]) -> Vec<u8> {
        use p256::ecdsa::signature::Signer as _;
        match self {
            SigningKey::Es256(key) => {
                let signature: p256::ecdsa::Signature = key.sign(input);
                signature.to_bytes().to_vec()
            }
            SigningKey::Ed25519(key) => key.sign(input).to_bytes().to_vec(),
        }
    }
}

/// How a client request names its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignAs<'a> {
    /// Embed the public key (newAccount, revokeCert by certificate key).
    Jwk,
    /// The account URL (every other request).
    Kid(&'a str),
}

/// Builds a request body: the flattened JWS JSON object to POST with
/// `Content-Type: application/jose+json`. `payload` `None` is a POST-as-GET (`""`); a
/// payload should be a JSON object (that is what [`parse`] accepts).
pub fn sign(
    key: &SigningKey,
    sign_as: SignAs<'_>,
    nonce: &str,
    url: &str,
    payload: Option<&Value>,
) -> Value {
    // Inserted in lexicographic order (alg < jwk|kid < nonce < url) so the serialization is
    // the same with or without serde_json's preserve_order feature.
    let mut header = Map::new();
    header.insert("alg".into(), key.alg().name().into());
    match sign_as {
        SignAs::Jwk => header.insert("jwk".into(), key.public().to_jwk()),
        SignAs::Kid(kid) => header.insert("kid".into(), kid.into()),
    };
    header.insert("nonce".into(), nonce.into());
    header.insert("url".into(), url.into());
    sign_with_header(key, header, payload)
}

/// RFC 8555 §7.3.5 key rollover, client side: the inner JWS, signed by the new key. It is
/// the payload of an outer request to the keyChange URL, signed by the old key with
/// `kid` = `account_url` and the same `url`:
///
/// ```
/// use assent_acme::jws::{self, SignAs, SigningKey};
/// let (old, new) = (SigningKey::generate_es256(), SigningKey::generate_ed25519());
/// let (account, url) = ("https://gw.example/acme/acct/1", "https://gw.example/acme/key-change");
/// let inner = jws::sign_key_change(&new, account, &old.public(), url);
/// let body = jws::sign(&old, SignAs::Kid(account), "oFvnlFP1wIhRlYS2jTaXbA", url, Some(&inner));
/// # let request = jws::parse(body.to_string().as_bytes()).unwrap();
/// # request.verify(&old.public()).unwrap();
/// # let jws::Payload::Json(payload) = &request.payload else { panic!() };
/// # let (new_key, _, old_key) = jws::parse_key_change_inner(payload, url).unwrap();
/// # assert_eq!((new_key, old_key), (new.public(), old.public()));
/// ```
pub fn sign_key_change(
    new_key: &SigningKey,
    account_url: &str,
    old_key: &AccountKey,
    url: &str,
) -> Value {
    // No nonce: §7.3.5 says the inner JWS MUST omit it (the outer one carries it).
    let mut header = Map::new();
    header.insert("alg".into(), new_key.alg().name().into());
    header.insert("jwk".into(), new_key.public().to_jwk());
    header.insert("url".into(), url.into());
    let mut payload = Map::new();
    payload.insert("account".into(), account_url.into());
    payload.insert("oldKey".into(), old_key.to_jwk());
    sign_with_header(new_key, header, Some(&Value::Object(payload)))
}

/// RFC 8555 §7.3.5 key rollover, server side: checks the inner JWS (the payload of a verified
/// outer request to the keyChange URL) and returns `(new key, account URL, old key)`.
///
/// Checked here: the inner JWS's shape and header rules, that it has a `jwk` and no `kid`,
/// no `nonce`, the same `url` as the outer JWS, and a valid signature by that `jwk`.
/// Left to the server, which has the account: that `account` equals the outer `kid`, that
/// `oldKey` equals the account's current key (which signed the outer JWS), and that no other
/// account already uses the new key (409 Conflict).
pub fn parse_key_change_inner(
    payload: &Value,
    outer_url: &str,
) -> Result<(AccountKey, String, AccountKey), AcmeProblem> {
    let members = payload.as_object().cloned().ok_or_else(|| {
        AcmeProblem::malformed("keyChange payload must be a JWS object (RFC 8555 §7.3.5)")
    })?;
    let inner = parse_flattened(members, HeaderRules::KeyChangeInner)?;
    if inner.url != outer_url {
        return Err(AcmeProblem::malformed(
            "the inner JWS url must equal the outer JWS url (RFC 8555 §7.3.5)",
        ));
    }
    let new_key = match inner.key {
        KeyRef::Jwk(key) => key,
        // HeaderRules::KeyChangeInner refuses kid; kept total rather than panicking.
        KeyRef::Kid(_) => {
            return Err(AcmeProblem::malformed("the inner JWS must carry a jwk"));
        }
    };
    verify_signature(&new_key, &inner.signing_input, &inner.signature)?;
    let Payload::Json(Value::Object(body)) = inner.payload else {
        return Err(AcmeProblem::malformed(
            "the inner JWS payload must be {\"account\", \"oldKey\"}",
        ));
    };
    let account = str_member(&body, "account", "keyChange payload")?.to_owned();
    let old_key = AccountKey::from_jwk(
        body.get("oldKey")
            .ok_or_else(|| AcmeProblem::malformed("keyChange payload is missing \"oldKey\""))?,
    )?;
    Ok((new_key, account, old_key))
}

// ---------------------------------------------------------------------------------------------
// Internals

/// Which header rules apply: a request (RFC 8555 §6.2) or the key-change inner JWS (§7.3.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HeaderRules {
    Request,
    KeyChangeInner,
}

/// A flattened JWS after every stateless check but the signature.
#[derive(Debug)]
struct Parsed {
    alg: Alg,
    nonce: Option<String>,
    url: String,
    key: KeyRef,
    payload: Payload,
    signing_input: Vec<u8>,
    signature: Vec<u8>,
}

fn parse_flattened(members: Map<String, Value>, rules: HeaderRules) -> Result<Parsed, AcmeProblem> {
    for name in members.keys() {
        match name.as_str() {
            "protected" | "payload" | "signature" => {}
            "header" => {
                return Err(AcmeProblem::malformed(
                    "the unprotected \"header\" member is not allowed (RFC 8555 §6.2)",
                ));
            }
            "signatures" => {
                return Err(AcmeProblem::malformed(
                    "use the flattened JWS JSON serialization, not the general one (RFC 8555 §6.2)",
                ));
            }
            other => {
                return Err(AcmeProblem::malformed(format!(
                    "unexpected JWS member {}; only protected, payload and signature",
                    quoted(other)
                )));
            }
        }
    }
    let protected_b64 = str_member(&members, "protected", "JWS")?;
    let payload_b64 = str_member(&members, "payload", "JWS")?;
    let signature_b64 = str_member(&members, "signature", "JWS")?;

    let header_json = b64_decode(protected_b64, "protected")?;
    let UniqueObject(header) = serde_json::from_slice(&header_json).map_err(|e| {
        AcmeProblem::malformed(format!("protected header is not a JSON object: {e}"))
    })?;

    // alg first: nothing else is interpreted for an algorithm we do not verify.
    let alg = Alg::from_name(str_member(&header, "alg", "protected header")?)?;
    if header.contains_key("crit") {
        return Err(AcmeProblem::malformed(
            "crit is not supported: this server implements no JWS extensions",
        ));
    }
    if header.contains_key("b64") {
        return Err(AcmeProblem::malformed(
            "b64 (RFC 7797 unencoded payload) is not supported",
        ));
    }

    let key = match (header.get("jwk"), header.get("kid")) {
        (Some(_), Some(_)) => {
            return Err(AcmeProblem::malformed(
                "jwk and kid are mutually exclusive (RFC 8555 §6.2)",
            ));
        }
        (None, None) => {
            return Err(AcmeProblem::malformed(
                "the protected header needs a jwk or a kid (RFC 8555 §6.2)",
            ));
        }
        (Some(jwk), None) => {
            let key = AccountKey::from_jwk(jwk)?;
            if key.alg() != alg {
                return Err(bad_public_key(format!(
                    "alg is {} but the jwk is a {} key",
                    alg.name(),
                    key.alg().name()
                )));
            }
            KeyRef::Jwk(key)
        }
        (None, Some(kid)) => {
            if rules == HeaderRules::KeyChangeInner {
                return Err(AcmeProblem::malformed(
                    "the inner JWS must carry the new key as jwk, not a kid (RFC 8555 §7.3.5)",
                ));
            }
            match kid.as_str() {
                Some(kid) if !kid.is_empty() => KeyRef::Kid(kid.to_owned()),
                _ => return Err(AcmeProblem::malformed("kid must be a non-empty string")),
            }
        }
    };

    let nonce = match (rules, header.get("nonce")) {
        (HeaderRules::Request, None) => {
            return Err(AcmeProblem::new(
                ProblemType::BadNonce,
                "the protected header has no nonce (RFC 8555 §6.5)",
            ));
        }
        (HeaderRules::Request, Some(nonce)) => {
            let nonce = nonce
                .as_str()
                .ok_or_else(|| AcmeProblem::malformed("nonce must be a string"))?;
            if nonce.is_empty() || B64.decode(nonce).is_err() {
                return Err(AcmeProblem::malformed(
                    "nonce must be non-empty base64url (RFC 8555 §6.5.2)",
                ));
            }
            Some(nonce.to_owned())
        }
        (HeaderRules::KeyChangeInner, None) => None,
        (HeaderRules::KeyChangeInner, Some(_)) => {
            return Err(AcmeProblem::malformed(
                "the inner JWS must not have a nonce (RFC 8555 §7.3.5)",
            ));
        }
    };

    let url = str_member(&header, "url", "protected header")?;
    if url.is_empty() {
        return Err(AcmeProblem::malformed("url must not be empty"));
    }

    let payload = if payload_b64.is_empty() {
        Payload::Empty
    } else {
        let bytes = b64_decode(payload_b64, "payload")?;
        let UniqueObject(object) = serde_json::from_slice(&bytes).map_err(|e| {
            AcmeProblem::malformed(format!(
                "payload must be a JSON object, or empty for POST-as-GET: {e}"
            ))
        })?;
        Payload::Json(Value::Object(object))
    };

    let signature = b64_decode(signature_b64, "signature")?;
    // ES256 and EdDSA signatures are 64 bytes; an RS256 one is as long as the modulus,
    // which only the key knows (checked when verifying).
    if alg != Alg::Rs256 && signature.len() != 64 {
        let hint = match alg {
            Alg::Es256 => " (ES256 is the 64-byte r||s of RFC 7518 §3.4, not DER)",
            Alg::EdDsa | Alg::Rs256 => "",
        };
        return Err(AcmeProblem::malformed(format!(
            "{} signature must be 64 bytes, got {}{hint}",
            alg.name(),
            signature.len()
        )));
    }

    Ok(Parsed {
        alg,
        nonce,
        url: url.to_owned(),
        key,
        payload,
        signing_input: format!("{protected_b64}.{payload_b64}").into_bytes(),
        signature,
    })
}

fn verify_signature(key: &AccountKey, input: &[u8], signature: &[u8]) -> Result<(), AcmeProblem> {
    let invalid = || AcmeProblem::new(ProblemType::Unauthorized, "JWS signature is invalid");
    match key {
        AccountKey::Es256(key) => {
            use p256::ecdsa::signature::Verifier as _;
            // from_slice refuses r or s of zero or not below the group order.
            let signature = p256::ecdsa::Signature::from_slice(signature).map_err(|_| invalid())?;
            key.verify(input, &signature).map_err(|_| invalid())
        }
        AccountKey::Ed25519(key) => {
            let bytes: [u8; 64] = signature.try_into().map_err(|_| invalid())?;
            key.verify_strict(input, &ed25519_dalek::Signature::from_bytes(&bytes))
                .map_err(|_| invalid())
        }
        AccountKey::Rs256(key) => {
            let scheme = rsa::Pkcs1v15Sign {
                hash_len: Some(32),
                prefix: SHA256_DIGEST_INFO.to_vec().into_boxed_slice(),
            };
            key.verify(scheme, &Sha256::digest(input), signature)
                .map_err(|_| invalid())
        }
    }
}

/// A compact JWT signed with `key` (RFC 7515 §7.1): the device API's assertions, DPoP
/// proofs (`typ` `dpop+jwt` with the public `jwk` in the header, RFC 9449 §4.2) and signed
/// decisions. Header members in lexicographic order, as for [`sign`].
pub fn sign_compact(key: &SigningKey, typ: Option<&str>, with_jwk: bool, claims: &Value) -> String {
    let mut header = Map::new();
    header.insert("alg".into(), key.alg().name().into());
    if with_jwk {
        header.insert("jwk".into(), key.public().to_jwk());
    }
    if let Some(typ) = typ {
        header.insert("typ".into(), typ.into());
    }
    let header = B64.encode(Value::Object(header).to_string());
    let payload = B64.encode(claims.to_string());
    let signature = B64.encode(key.sign_bytes(format!("{header}.{payload}").as_bytes()));
    format!("{header}.{payload}.{signature}")
}

fn sign_with_header(
    key: &SigningKey,
    header: Map<String, Value>,
    payload: Option<&Value>,
) -> Value {
    let protected = B64.encode(Value::Object(header).to_string());
    let payload = payload
        .map(|p| B64.encode(p.to_string()))
        .unwrap_or_default();
    let signature = B64.encode(key.sign_bytes(format!("{protected}.{payload}").as_bytes()));
    let mut jws = Map::new();
    jws.insert("protected".into(), protected.into());
    jws.insert("payload".into(), payload.into());
    jws.insert("signature".into(), signature.into());
    Value::Object(jws)
}

/// A JSON object whose member names are unique (see the module docs).
struct UniqueObject(Map<String, Value>);

impl<'de> Deserialize<'de> for UniqueObject {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct UniqueVisitor;
        impl<'de> Visitor<'de> for UniqueVisitor {
            type Value = UniqueObject;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<UniqueObject, A::Error> {
                let mut map = Map::new();
                while let Some(name) = access.next_key::<String>()? {
                    if map.contains_key(&name) {
                        return Err(A::Error::custom(format!(
                            "duplicate member {}",
                            quoted(&name)
                        )));
                    }
                    let value: Value = access.next_value()?;
                    map.insert(name, value);
                }
                Ok(UniqueObject(map))
            }
        }
        deserializer.deserialize_map(UniqueVisitor)
    }
}

fn b64_decode(text: &str, what: &str) -> Result<Vec<u8>, AcmeProblem> {
    B64.decode(text).map_err(|_| {
        AcmeProblem::malformed(format!("{what} is not unpadded base64url (RFC 7515 §2)"))
    })
}

fn str_member<'a>(
    map: &'a Map<String, Value>,
    name: &str,
    within: &str,
) -> Result<&'a str, AcmeProblem> {
    match map.get(name) {
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(AcmeProblem::malformed(format!(
            "{within} member \"{name}\" must be a string"
        ))),
        None => Err(AcmeProblem::malformed(format!(
            "{within} is missing \"{name}\""
        ))),
    }
}

/// A 32-byte JWK coordinate (`x`/`y` of P-256, `x` of Ed25519). RFC 7518 §6.2.1.2 requires
/// the full length, so a short encoding (leading zeros dropped) is refused, not padded.
fn coordinate(map: &Map<String, Value>, name: &str) -> Result<[u8; 32], AcmeProblem> {
    let bytes = b64_decode(
        str_member(map, name, "jwk")?,
        &format!("jwk member \"{name}\""),
    )?;
    <[u8; 32]>::try_from(bytes.as_slice()).map_err(|_| {
        bad_public_key(format!(
            "jwk member \"{name}\" must be 32 bytes, got {}",
            bytes.len()
        ))
    })
}

fn bad_public_key(detail: impl Into<String>) -> AcmeProblem {
    AcmeProblem::new(ProblemType::BadPublicKey, detail)
}

/// A client-supplied string for a problem detail: quoted, and cut short so a hostile value
/// cannot make the response (or a log line) large.
fn quoted(s: &str) -> String {
    const MAX_CHARS: usize = 40;
    if s.chars().count() <= MAX_CHARS {
        format!("{s:?}")
    } else {
        let head: String = s.chars().take(MAX_CHARS).collect();
        format!("{head:?}…")
    }
}

#[cfg(test)]
mod tests {
    //! Vectors: RFC 7515 A.3 (P-256 key and ES256 signature), RFC 7517 A.1 (P-256 key),
    //! RFC 8037 A.1–A.4 (Ed25519 key, thumbprint, signature).
    //!
    //! Independent oracle (run once, by hand, outside CI): jwcrypto 1.6.1 on pyca/cryptography
    //! 50.0.2 (`python3 -m venv v && v/bin/pip install jwcrypto`).
    //! - `JWK(**jwk).thumbprint()` gave the EC thumbprints below (and RFC 8037's OKP one).
    //! - The JWS in `pinned_sign_outputs_verify_with_jwcrypto` were printed from `sign` /
    //!   `sign_key_change` with the fixed keys, then each was loaded with
    //!   `JWS().deserialize(json.dumps(obj))` and `.verify(JWK(public members))`: all four
    //!   verified; the embedded `jwk` was the public key only, the key-change inner JWS had no
    //!   nonce and its `oldKey` equalled jwcrypto's export of the old key.
    //! - The PKCS#8 PEMs pinned below were loaded by `JWK.from_pem` (pyca/cryptography) and
    //!   `openssl pkey -in … -noout -text` (OpenSSL 3.0) and gave the same keys.
    //! - `JWCRYPTO_*` are requests that jwcrypto signed (`JWS(payload).add_signature(key, None,
    //!   protected)`, `.serialize()`), which `parse` + `verify` must accept.
    use super::*;
    use serde_json::json;

    const EC_D: &str = "jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI";
    const EC_X: &str = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
    const EC_Y: &str = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";
    const ED_D: &str = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";
    const ED_X: &str = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";

    const NONCE: &str = "oFvnlFP1wIhRlYS2jTaXbA";
    const URL: &str = "https://gw.example/acme/new-order";
    const ACCOUNT: &str = "https://gw.example/acme/acct/1";

    fn ec_key() -> SigningKey {
        SigningKey::Es256(p256::ecdsa::SigningKey::from_slice(&B64.decode(EC_D).unwrap()).unwrap())
    }

    fn ed_key() -> SigningKey {
        let seed: [u8; 32] = B64.decode(ED_D).unwrap().try_into().unwrap();
        SigningKey::Ed25519(ed25519_dalek::SigningKey::from_bytes(&seed))
    }

    fn to_body(jws: &Value) -> Vec<u8> {
        jws.to_string().into_bytes()
    }

    /// A body with an arbitrary protected header and a valid signature over it.
    fn with_header(key: &SigningKey, header: Value, payload: &str) -> Vec<u8> {
        let protected = B64.encode(header.to_string());
        let payload = B64.encode(payload);
        let signature = B64.encode(key.sign_bytes(format!("{protected}.{payload}").as_bytes()));
        to_body(&json!({"protected": protected, "payload": payload, "signature": signature}))
    }

    fn kid_header(alg: &str) -> Value {
        json!({"alg": alg, "kid": ACCOUNT, "nonce": NONCE, "url": URL})
    }

    fn problem(body: &[u8]) -> ProblemType {
        parse(body).unwrap_err().kind
    }

    // ---- RFC 7638 thumbprints ----------------------------------------------------------

    /// RFC 7638 §3 over EC keys, checked against jwcrypto; RFC 8037 A.3 for Ed25519.
    #[test]
    fn rfc7638_3_thumbprints() {
        let vectors = [
            // RFC 7515 A.3's key (jwcrypto).
            (
                json!({"kty": "EC", "crv": "P-256", "x": EC_X, "y": EC_Y}),
                "oKIywvGUpTVTyxMQ3bwIIeQUudfr_CkLMjCE19ECD-U",
            ),
            // RFC 7517 A.1's key (jwcrypto); its extra members do not enter the thumbprint.
            (
                json!({"kty": "EC", "crv": "P-256",
                    "x": "MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4",
                    "y": "4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM",
                    "use": "enc", "kid": "1"}),
                "cn-I_WNMClehiVp51i_0VpOENW1upEerA8sEam5hn-s",
            ),
            // RFC 8037 A.3 (and jwcrypto).
            (
                json!({"kty": "OKP", "crv": "Ed25519", "x": ED_X}),
                "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k",
            ),
        ];
        for (jwk, thumbprint) in vectors {
            assert_eq!(
                AccountKey::from_jwk(&jwk).unwrap().thumbprint(),
                thumbprint,
                "{jwk}"
            );
        }
        assert_eq!(
            ec_key().public().thumbprint(),
            "oKIywvGUpTVTyxMQ3bwIIeQUudfr_CkLMjCE19ECD-U"
        );
        assert_eq!(
            ed_key().public().thumbprint(),
            "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
        );
    }

    #[test]
    fn rfc7517_jwk_round_trip_public_members_only() {
        assert_eq!(
            ec_key().public().to_jwk(),
            json!({"crv": "P-256", "kty": "EC", "x": EC_X, "y": EC_Y})
        );
        assert_eq!(
            ed_key().public().to_jwk(),
            json!({"crv": "Ed25519", "kty": "OKP", "x": ED_X})
        );
        for key in [
            ec_key(),
            ed_key(),
            SigningKey::generate_es256(),
            SigningKey::generate_ed25519(),
        ] {
            let public = key.public();
            assert_eq!(AccountKey::from_jwk(&public.to_jwk()).unwrap(), public);
            assert_eq!(public.alg(), key.alg());
        }
    }

    // ---- signature vectors -------------------------------------------------------------

    /// RFC 7515 A.3: the ES256 example verifies (64-byte r||s).
    #[test]
    fn rfc7515_a3_es256_vector() {
        let input = "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ";
        let signature = B64
            .decode("DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q")
            .unwrap();
        let key = ec_key().public();
        verify_signature(&key, input.as_bytes(), &signature).unwrap();
        let tampered = input.replace("eyJpc3MiOiJqb2Ui", "eyJpc3MiOiJqb2Ux");
        assert_eq!(
            verify_signature(&key, tampered.as_bytes(), &signature)
                .unwrap_err()
                .kind,
            ProblemType::Unauthorized
        );
    }

    /// RFC 8037 A.4: Ed25519 signing is deterministic, so our signer must give the RFC's bytes.
    #[test]
    fn rfc8037_a4_eddsa_vector() {
        let input = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc";
        let expected = "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";
        let key = ed_key();
        assert_eq!(B64.encode(key.sign_bytes(input.as_bytes())), expected);
        verify_signature(
            &key.public(),
            input.as_bytes(),
            &B64.decode(expected).unwrap(),
        )
        .unwrap();
    }

    // ---- round trips (RFC 8555 §6.2, §6.3) ----------------------------------------------

    #[test]
    fn rfc8555_6_2_round_trip_jwk_both_key_types() {
        for key in [
            ec_key(),
            ed_key(),
            SigningKey::generate_es256(),
            SigningKey::generate_ed25519(),
        ] {
            let payload = json!({"termsOfServiceAgreed": true});
            let body = to_body(&sign(&key, SignAs::Jwk, NONCE, URL, Some(&payload)));
            let request = parse(&body).unwrap();
            assert_eq!(request.protected.alg, key.alg());
            assert_eq!(request.protected.nonce, NONCE);
            assert_eq!(request.protected.url, URL);
            assert_eq!(request.protected.key, KeyRef::Jwk(key.public()));
            assert_eq!(request.jwk(), Some(&key.public()));
            assert_eq!(request.kid(), None);
            assert_eq!(request.payload, Payload::Json(payload));
            request.verify(&key.public()).unwrap();
            request.check_url(URL).unwrap();
        }
    }

    #[test]
    fn rfc8555_6_2_round_trip_kid_both_key_types() {
        for key in [ec_key(), ed_key()] {
            let body = to_body(&sign(
                &key,
                SignAs::Kid(ACCOUNT),
                NONCE,
                URL,
                Some(&json!({})),
            ));
            let request = parse(&body).unwrap();
            assert_eq!(request.protected.key, KeyRef::Kid(ACCOUNT.into()));
            assert_eq!(request.kid(), Some(ACCOUNT));
            // `{}` (e.g. the challenge "ready" POST) is not POST-as-GET.
            assert_eq!(request.payload, Payload::Json(json!({})));
            request.verify(&key.public()).unwrap();
        }
    }

    /// RFC 8555 §6.3: POST-as-GET has payload "".
    #[test]
    fn rfc8555_6_3_post_as_get() {
        for key in [ec_key(), ed_key()] {
            let jws = sign(&key, SignAs::Kid(ACCOUNT), NONCE, URL, None);
            assert_eq!(jws["payload"], "");
            let request = parse(&to_body(&jws)).unwrap();
            assert_eq!(request.payload, Payload::Empty);
            request.verify(&key.public()).unwrap();
        }
    }

    /// The exact output of `sign` for fixed keys (ES256 is RFC 6979 deterministic), each
    /// verified with jwcrypto (see the module comment).
    #[test]
    fn pinned_sign_outputs_verify_with_jwcrypto() {
        let ec = ec_key();
        let ed = ed_key();
        let es256_jwk = json!({
            "payload": "eyJ0ZXJtc09mU2VydmljZUFncmVlZCI6dHJ1ZX0",
            "protected": "eyJhbGciOiJFUzI1NiIsImp3ayI6eyJjcnYiOiJQLTI1NiIsImt0eSI6IkVDIiwieCI6ImY4M09KM0QyeEYxQmc4dnViOXRMZTFnSE16Vjc2ZThUdXM5dVBIdlJWRVUiLCJ5IjoieF9GRXpSdTltMzZITE5fdHVlNjU5TE5wWFc2cEN5U3Rpa1lqS0lXSTVhMCJ9LCJub25jZSI6Im9Gdm5sRlAxd0loUmxZUzJqVGFYYkEiLCJ1cmwiOiJodHRwczovL2d3LmV4YW1wbGUvYWNtZS9uZXctYWNjb3VudCJ9",
            "signature": "81RL8L6kN3YOnDwHRoMoC7ITlcb3qnzrzdg3c_ZT4IKW5oC7LPxCU2pa399B1j-i57OFNR7IQOC9YuG8PwnwRQ"
        });
        assert_eq!(
            sign(
                &ec,
                SignAs::Jwk,
                NONCE,
                "https://gw.example/acme/new-account",
                Some(&json!({"termsOfServiceAgreed": true}))
            ),
            es256_jwk
        );
        let eddsa_ready = json!({
            "payload": "e30",
            "protected": "eyJhbGciOiJFZERTQSIsImtpZCI6Imh0dHBzOi8vZ3cuZXhhbXBsZS9hY21lL2FjY3QvMSIsIm5vbmNlIjoiTmQ3VFVDLUpmcnZCMVZJT0lxQ3dxUSIsInVybCI6Imh0dHBzOi8vZ3cuZXhhbXBsZS9hY21lL2NoYWxsLzEifQ",
            "signature": "4oFIv0LwsOthslcbMUgENfzEzcTGrvtz5VdDXwTjIolZjC0zP1RxdwBhudrCL0COKyOuB4AbgQMkp4Epe6FPAQ"
        });
        assert_eq!(
            sign(
                &ed,
                SignAs::Kid(ACCOUNT),
                "Nd7TUC-JfrvB1VIOIqCwqQ",
                "https://gw.example/acme/chall/1",
                Some(&json!({}))
            ),
            eddsa_ready
        );
        let es256_post_as_get = json!({
            "payload": "",
            "protected": "eyJhbGciOiJFUzI1NiIsImtpZCI6Imh0dHBzOi8vZ3cuZXhhbXBsZS9hY21lL2FjY3QvMSIsIm5vbmNlIjoidG5XNC1uWnNpQ21POUV0WUx5TFNzZyIsInVybCI6Imh0dHBzOi8vZ3cuZXhhbXBsZS9hY21lL2F1dGh6LzEifQ",
            "signature": "I2TGBdJ2YeZR-dUS8-gV531cXtmYXz0BAds7TLJoZwf0PsZELT8cfOAOsKGg_XNuuZ2WdA7aOuon2ynUC3CElw"
        });
        assert_eq!(
            sign(
                &ec,
                SignAs::Kid(ACCOUNT),
                "tnW4-nZsiCmO9EtYLyLSsg",
                "https://gw.example/acme/authz/1",
                None
            ),
            es256_post_as_get
        );
        let key_change_inner = json!({
            "payload": "eyJhY2NvdW50IjoiaHR0cHM6Ly9ndy5leGFtcGxlL2FjbWUvYWNjdC8xIiwib2xkS2V5Ijp7ImNydiI6IlAtMjU2Iiwia3R5IjoiRUMiLCJ4IjoiZjgzT0ozRDJ4RjFCZzh2dWI5dExlMWdITXpWNzZlOFR1czl1UEh2UlZFVSIsInkiOiJ4X0ZFelJ1OW0zNkhMTl90dWU2NTlMTnBYVzZwQ3lTdGlrWWpLSVdJNWEwIn19",
            "protected": "eyJhbGciOiJFZERTQSIsImp3ayI6eyJjcnYiOiJFZDI1NTE5Iiwia3R5IjoiT0tQIiwieCI6IjExcVlBWUt4Q3JmVlNfN1R5V1FIT2c3aGN2UGFwaU1scndJYWFQY0hVUm8ifSwidXJsIjoiaHR0cHM6Ly9ndy5leGFtcGxlL2FjbWUva2V5LWNoYW5nZSJ9",
            "signature": "T_2N5wZZ_oy-9XjRx9sGF1dKzO-A6RHwecw6DQb1IiKeuCtVIGGyfNpTHPM54-AqF3wiQzujFeo1SZEwtNH4DQ"
        });
        let key_change_url = "https://gw.example/acme/key-change";
        assert_eq!(
            sign_key_change(&ed, ACCOUNT, &ec.public(), key_change_url),
            key_change_inner
        );

        for (jws, key) in [
            (&es256_jwk, &ec),
            (&eddsa_ready, &ed),
            (&es256_post_as_get, &ec),
        ] {
            parse(&to_body(jws)).unwrap().verify(&key.public()).unwrap();
        }
        assert_eq!(
            parse_key_change_inner(&key_change_inner, key_change_url).unwrap(),
            (ed.public(), ACCOUNT.to_owned(), ec.public())
        );
    }

    /// Requests signed by jwcrypto (ES256 with a random nonce k, and EdDSA) parse and verify.
    #[test]
    fn jwcrypto_made_requests_verify() {
        const JWCRYPTO_ES256: &str = r#"{"payload":"eyJpZGVudGlmaWVycyI6W3sidHlwZSI6IlROQXV0aExpc3QiLCJ2YWx1ZSI6IkY4M24yYSJ9XX0","protected":"eyJhbGciOiJFUzI1NiIsImtpZCI6Imh0dHBzOi8vZ3cuZXhhbXBsZS9hY21lL2FjY3QvNyIsIm5vbmNlIjoib0Z2bmxGUDF3SWhSbFlTMmpUYVhiQSIsInVybCI6Imh0dHBzOi8vZ3cuZXhhbXBsZS9hY21lL25ldy1vcmRlciJ9","signature":"WZ5RpdpGu8w4jUm5go_XTUipyWpxAHx8X9dykAxm0XEggq26uQlh36NvmwAKQazsreEUszydf6UMkLUgkDS1ZQ"}"#;
        const JWCRYPTO_EDDSA: &str = r#"{"payload":"eyJpZGVudGlmaWVycyI6W3sidHlwZSI6IlROQXV0aExpc3QiLCJ2YWx1ZSI6IkY4M24yYSJ9XX0","protected":"eyJhbGciOiJFZERTQSIsImtpZCI6Imh0dHBzOi8vZ3cuZXhhbXBsZS9hY21lL2FjY3QvNyIsIm5vbmNlIjoib0Z2bmxGUDF3SWhSbFlTMmpUYVhiQSIsInVybCI6Imh0dHBzOi8vZ3cuZXhhbXBsZS9hY21lL25ldy1vcmRlciJ9","signature":"B2Hyz_bttoZ8rkT0Y4HBsZf_uPGyZUWTip0DuVZLzgw7JcqAEOktiqhW_5SIfwqQof5qWTHw6ixjyZavwtW9Ag"}"#;
        for (body, key) in [(JWCRYPTO_ES256, ec_key()), (JWCRYPTO_EDDSA, ed_key())] {
            let request = parse(body.as_bytes()).unwrap();
            assert_eq!(request.kid(), Some("https://gw.example/acme/acct/7"));
            assert_eq!(request.protected.url, URL);
            assert_eq!(
                request.payload,
                Payload::Json(json!({"identifiers": [{"type": "TNAuthList", "value": "F83n2a"}]}))
            );
            request.verify(&key.public()).unwrap();
        }
    }

    // ---- header rules (RFC 8555 §6.2, §6.4, §6.5; RFC 7515 §4) ------------------------

    /// RFC 8555 §6.2: algorithms outside the allow-list are badSignatureAlgorithm, and the
    /// problem lists the supported ones.
    #[test]
    fn rfc8555_6_2_bad_signature_algorithm() {
        let key = ec_key();
        for alg in [
            "HS256", "none", "RS384", "ES384", "PS256", "es256", "EDDSA", "Ed25519", "",
        ] {
            let body = with_header(&key, kid_header(alg), "{}");
            let err = parse(&body).unwrap_err();
            assert_eq!(err.kind, ProblemType::BadSignatureAlgorithm, "{alg}");
            assert_eq!(
                err.to_json()["algorithms"],
                json!(["ES256", "EdDSA", "RS256"])
            );
        }
        // alg "none" with the empty signature such tokens carry.
        let protected = B64.encode(kid_header("none").to_string());
        let body = to_body(&json!({"protected": protected, "payload": "", "signature": ""}));
        assert_eq!(problem(&body), ProblemType::BadSignatureAlgorithm);
        // HS256 keyed with the public JWK (the classic confusion attack) never gets that far.
        let mut header = kid_header("HS256");
        header["jwk"] = key.public().to_jwk();
        header.as_object_mut().unwrap().remove("kid");
        assert_eq!(
            problem(&with_header(&key, header, "{}")),
            ProblemType::BadSignatureAlgorithm
        );
    }

    #[test]
    fn rfc8555_6_2_alg_missing_or_not_a_string() {
        let key = ec_key();
        let mut header = kid_header("ES256");
        header.as_object_mut().unwrap().remove("alg");
        assert_eq!(
            problem(&with_header(&key, header, "{}")),
            ProblemType::Malformed
        );
        let mut header = kid_header("ES256");
        header["alg"] = json!(["ES256"]);
        assert_eq!(
            problem(&with_header(&key, header, "{}")),
            ProblemType::Malformed
        );
    }

    /// RFC 8555 §6.2: "jwk" and "kid" are mutually exclusive, and one is required.
    #[test]
    fn rfc8555_6_2_jwk_xor_kid() {
        let key = ec_key();
        let mut both = kid_header("ES256");
        both["jwk"] = key.public().to_jwk();
        assert_eq!(
            problem(&with_header(&key, both, "{}")),
            ProblemType::Malformed
        );
        let mut neither = kid_header("ES256");
        neither.as_object_mut().unwrap().remove("kid");
        assert_eq!(
            problem(&with_header(&key, neither, "{}")),
            ProblemType::Malformed
        );
        let mut empty_kid = kid_header("ES256");
        empty_kid["kid"] = json!("");
        assert_eq!(
            problem(&with_header(&key, empty_kid, "{}")),
            ProblemType::Malformed
        );
        let mut number_kid = kid_header("ES256");
        number_kid["kid"] = json!(1);
        assert_eq!(
            problem(&with_header(&key, number_kid, "{}")),
            ProblemType::Malformed
        );
    }

    /// RFC 8555 §6.2: the jwk must be a key of the type alg names (badPublicKey).
    #[test]
    fn rfc8555_6_2_alg_must_fit_jwk() {
        for (key, alg) in [(ec_key(), "EdDSA"), (ed_key(), "ES256")] {
            let header =
                json!({"alg": alg, "jwk": key.public().to_jwk(), "nonce": NONCE, "url": URL});
            assert_eq!(
                problem(&with_header(&key, header, "{}")),
                ProblemType::BadPublicKey
            );
        }
    }

    /// RFC 8555 §6.5: a missing nonce is badNonce ("unacceptable (or not present)");
    /// §6.5.2: one that is not base64url is malformed.
    #[test]
    fn rfc8555_6_5_nonce() {
        let key = ec_key();
        let mut missing = kid_header("ES256");
        missing.as_object_mut().unwrap().remove("nonce");
        let err = parse(&with_header(&key, missing, "{}")).unwrap_err();
        assert_eq!(err.kind, ProblemType::BadNonce);
        assert_eq!(err.status(), 400);
        for nonce in [
            json!(""),
            json!("abc="),
            json!("a+b/"),
            json!("a b"),
            json!("A"),
            json!(7),
            json!(null),
        ] {
            let mut header = kid_header("ES256");
            header["nonce"] = nonce.clone();
            assert_eq!(
                problem(&with_header(&key, header, "{}")),
                ProblemType::Malformed,
                "{nonce}"
            );
        }
    }

    /// RFC 8555 §6.4: url is required, a string; it must equal the request URL (unauthorized).
    #[test]
    fn rfc8555_6_4_url() {
        let key = ec_key();
        let mut missing = kid_header("ES256");
        missing.as_object_mut().unwrap().remove("url");
        assert_eq!(
            problem(&with_header(&key, missing, "{}")),
            ProblemType::Malformed
        );
        for url in [json!(""), json!(42), json!({"href": URL})] {
            let mut header = kid_header("ES256");
            header["url"] = url;
            assert_eq!(
                problem(&with_header(&key, header, "{}")),
                ProblemType::Malformed
            );
        }
        let request = parse(&with_header(&key, kid_header("ES256"), "{}")).unwrap();
        request.check_url(URL).unwrap();
        for other in [
            "https://gw.example/acme/new-order/",
            "https://GW.example/acme/new-order",
            "https://gw.example:443/acme/new-order",
        ] {
            assert_eq!(
                request.check_url(other).unwrap_err().kind,
                ProblemType::Unauthorized
            );
        }
    }

    /// RFC 7515 §4.1.11: we understand no extension, so crit is refused (and b64, RFC 7797).
    #[test]
    fn rfc7515_4_1_11_crit_refused() {
        let key = ec_key();
        for (name, value) in [
            ("crit", json!(["exp"])),
            ("crit", json!([])),
            ("b64", json!(false)),
            ("b64", json!(true)),
        ] {
            let mut header = kid_header("ES256");
            header[name] = value;
            assert_eq!(
                problem(&with_header(&key, header, "{}")),
                ProblemType::Malformed,
                "{name}"
            );
        }
        // Unregistered or informational members are ignored.
        let mut header = kid_header("ES256");
        header["typ"] = json!("JOSE");
        parse(&with_header(&key, header, "{}"))
            .unwrap()
            .verify(&key.public())
            .unwrap();
    }

    /// RFC 7515 §2: base64url without padding, strictly.
    #[test]
    fn rfc7515_2_padding_and_alphabet_refused() {
        let key = ec_key();
        // Payload `{"a":1}` and a header whose encodings need padding.
        let jws = sign(
            &key,
            SignAs::Kid(ACCOUNT),
            NONCE,
            URL,
            Some(&json!({"a": 1})),
        );
        let (protected, payload, signature) = (
            jws["protected"].as_str().unwrap().to_owned(),
            jws["payload"].as_str().unwrap().to_owned(),
            jws["signature"].as_str().unwrap().to_owned(),
        );
        assert_eq!(
            payload.len() % 4,
            2,
            "the test needs a payload that would be padded"
        );
        parse(&to_body(&jws)).unwrap();
        let cases = [
            (format!("{protected}=="), payload.clone(), signature.clone()),
            (protected.clone(), format!("{payload}=="), signature.clone()),
            (protected.clone(), payload.clone(), format!("{signature}==")),
            (
                protected.clone(),
                payload.clone(),
                signature.replace('-', "+").replace('_', "/"),
            ),
            (protected.clone(), format!(" {payload}"), signature.clone()),
            (protected.clone(), payload.clone(), format!("{signature}\n")),
        ];
        for (p, pl, s) in cases {
            // The alphabet swap changes nothing if the signature has no - or _.
            if (&p, &pl, &s) == (&protected, &payload, &signature) {
                continue;
            }
            let body = to_body(&json!({"protected": p, "payload": pl, "signature": s}));
            assert_eq!(problem(&body), ProblemType::Malformed, "{p} {pl} {s}");
        }
        // Non-canonical trailing bits ("e30" is `{}`; "e31" decodes to the same byte).
        let body = with_header(&key, kid_header("ES256"), "{}");
        let mut jws: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(jws["payload"], "e30");
        jws["payload"] = json!("e31");
        assert_eq!(problem(&to_body(&jws)), ProblemType::Malformed);
    }

    /// RFC 8555 §6.2: flattened JSON with exactly protected/payload/signature.
    #[test]
    fn rfc8555_6_2_body_members() {
        let key = ec_key();
        let jws = sign(&key, SignAs::Kid(ACCOUNT), NONCE, URL, Some(&json!({})));
        for (name, value) in [
            ("header", json!({"kid": ACCOUNT})),
            ("header", json!({})),
            ("signatures", json!([])),
            ("extra", json!(1)),
        ] {
            let mut extended = jws.clone();
            extended[name] = value;
            assert_eq!(
                problem(&to_body(&extended)),
                ProblemType::Malformed,
                "{name}"
            );
        }
        for name in ["protected", "payload", "signature"] {
            let mut reduced = jws.clone();
            reduced.as_object_mut().unwrap().remove(name);
            assert_eq!(
                problem(&to_body(&reduced)),
                ProblemType::Malformed,
                "{name}"
            );
            let mut wrong_type = jws.clone();
            wrong_type[name] = json!(null);
            assert_eq!(
                problem(&to_body(&wrong_type)),
                ProblemType::Malformed,
                "{name}"
            );
        }
        // Not JSON, not an object, compact serialization.
        for body in [
            &b"not json"[..],
            b"[]",
            b"\"a.b.c\"",
            b"",
            b"{\"protected\":",
        ] {
            assert_eq!(problem(body), ProblemType::Malformed);
        }
        // A duplicate member is refused rather than resolved last-wins.
        let text = jws.to_string();
        let duplicated = text.replacen("{", "{\"payload\":\"\",", 1);
        assert_eq!(problem(duplicated.as_bytes()), ProblemType::Malformed);
    }

    #[test]
    fn duplicate_header_and_payload_members_refused() {
        let key = ec_key();
        let header = format!(
            r#"{{"alg":"ES256","kid":"{ACCOUNT}","nonce":"{NONCE}","url":"{URL}","url":"https://evil.example/"}}"#
        );
        let protected = B64.encode(&header);
        let payload = B64.encode("{}");
        let signature = B64.encode(key.sign_bytes(format!("{protected}.{payload}").as_bytes()));
        let body =
            to_body(&json!({"protected": protected, "payload": payload, "signature": signature}));
        assert_eq!(problem(&body), ProblemType::Malformed);
        assert_eq!(
            problem(&with_header(&key, kid_header("ES256"), r#"{"a":1,"a":2}"#)),
            ProblemType::Malformed
        );
    }

    /// The payload is "" or a JSON object.
    #[test]
    fn rfc8555_6_2_payload_must_be_object() {
        let key = ec_key();
        for payload in ["[]", "null", "\"x\"", "1", "{", "{}x", "\u{feff}{}"] {
            assert_eq!(
                problem(&with_header(&key, kid_header("ES256"), payload)),
                ProblemType::Malformed,
                "{payload:?}"
            );
        }
        // Invalid UTF-8.
        let protected = B64.encode(kid_header("ES256").to_string());
        let payload = B64.encode([b'{', 0xff, b'}']);
        let signature = B64.encode(key.sign_bytes(format!("{protected}.{payload}").as_bytes()));
        let body =
            to_body(&json!({"protected": protected, "payload": payload, "signature": signature}));
        assert_eq!(problem(&body), ProblemType::Malformed);
    }

    // ---- JWK rules -----------------------------------------------------------------------

    #[test]
    fn rfc7518_6_jwk_rules() {
        let bad_public_key = [
            json!({"kty": "RSA", "n": "AQAB", "e": "AQAB"}),
            json!({"kty": "EC", "crv": "P-384", "x": EC_X, "y": EC_Y}),
            json!({"kty": "EC", "crv": "secp256k1", "x": EC_X, "y": EC_Y}),
            json!({"kty": "OKP", "crv": "Ed448", "x": ED_X}),
            json!({"kty": "OKP", "crv": "X25519", "x": ED_X}),
            // Not on the curve.
            json!({"kty": "EC", "crv": "P-256", "x": EC_X, "y": EC_X}),
            // Coordinates of the wrong length (RFC 7518 §6.2.1.2 wants the full 32 bytes).
            json!({"kty": "EC", "crv": "P-256", "x": B64.encode([7u8; 31]), "y": EC_Y}),
            json!({"kty": "EC", "crv": "P-256", "x": B64.encode([0u8; 33]), "y": EC_Y}),
            json!({"kty": "OKP", "crv": "Ed25519", "x": B64.encode([7u8; 31])}),
            // The Ed25519 identity point: small order.
            json!({"kty": "OKP", "crv": "Ed25519", "x": B64.encode({ let mut b = [0u8; 32]; b[0] = 1; b })}),
        ];
        for jwk in bad_public_key {
            assert_eq!(
                AccountKey::from_jwk(&jwk).unwrap_err().kind,
                ProblemType::BadPublicKey,
                "{jwk}"
            );
        }
        let malformed = [
            json!("a key"),
            json!([]),
            json!({"crv": "P-256", "x": EC_X, "y": EC_Y}),
            json!({"kty": "EC", "x": EC_X, "y": EC_Y}),
            json!({"kty": "EC", "crv": "P-256", "x": EC_X}),
            json!({"kty": "EC", "crv": "P-256", "x": EC_X, "y": 5}),
            json!({"kty": "EC", "crv": "P-256", "x": format!("{EC_X}="), "y": EC_Y}),
            // Private members: the client would be leaking its key.
            json!({"kty": "EC", "crv": "P-256", "x": EC_X, "y": EC_Y, "d": EC_D}),
            json!({"kty": "OKP", "crv": "Ed25519", "x": ED_X, "d": ED_D}),
            json!({"kty": "oct", "k": "c2VjcmV0"}),
        ];
        for jwk in malformed {
            assert_eq!(
                AccountKey::from_jwk(&jwk).unwrap_err().kind,
                ProblemType::Malformed,
                "{jwk}"
            );
        }
        // A jwk with a private member in a request is refused before any signature check.
        let key = ec_key();
        let mut jwk = key.public().to_jwk();
        jwk["d"] = json!(EC_D);
        let header = json!({"alg": "ES256", "jwk": jwk, "nonce": NONCE, "url": URL});
        assert_eq!(
            problem(&with_header(&key, header, "{}")),
            ProblemType::Malformed
        );
        // Optional public members are accepted and ignored.
        let mut jwk = key.public().to_jwk();
        jwk["use"] = json!("sig");
        jwk["alg"] = json!("ES256");
        jwk["kid"] = json!("k1");
        assert_eq!(AccountKey::from_jwk(&jwk).unwrap(), key.public());
    }

    // ---- signature checks ------------------------------------------------------------------

    #[test]
    fn rfc7515_5_2_tampering_fails_verify() {
        for key in [ec_key(), ed_key()] {
            let jws = sign(
                &key,
                SignAs::Kid(ACCOUNT),
                NONCE,
                URL,
                Some(&json!({"a": 1})),
            );
            let mut tampered = jws.clone();
            tampered["payload"] = json!(B64.encode(r#"{"a":2}"#));
            let request = parse(&to_body(&tampered)).unwrap();
            assert_eq!(
                request.verify(&key.public()).unwrap_err().kind,
                ProblemType::Unauthorized
            );

            let mut moved = jws.clone();
            moved["protected"] = json!(B64.encode(
                json!({"alg": key.alg().name(), "kid": ACCOUNT, "nonce": NONCE, "url": "https://gw.example/acme/revoke-cert"}).to_string()
            ));
            let request = parse(&to_body(&moved)).unwrap();
            assert_eq!(
                request.verify(&key.public()).unwrap_err().kind,
                ProblemType::Unauthorized
            );

            // As a POST-as-GET.
            let mut emptied = jws.clone();
            emptied["payload"] = json!("");
            let request = parse(&to_body(&emptied)).unwrap();
            assert_eq!(
                request.verify(&key.public()).unwrap_err().kind,
                ProblemType::Unauthorized
            );

            // A flipped signature bit.
            let mut signature = B64.decode(jws["signature"].as_str().unwrap()).unwrap();
            signature[10] ^= 1;
            let mut flipped = jws.clone();
            flipped["signature"] = json!(B64.encode(signature));
            let request = parse(&to_body(&flipped)).unwrap();
            assert_eq!(
                request.verify(&key.public()).unwrap_err().kind,
                ProblemType::Unauthorized
            );
        }
    }

    #[test]
    fn verify_with_the_wrong_key() {
        let jws = sign(
            &ec_key(),
            SignAs::Kid(ACCOUNT),
            NONCE,
            URL,
            Some(&json!({})),
        );
        let request = parse(&to_body(&jws)).unwrap();
        let other = SigningKey::generate_es256().public();
        assert_eq!(
            request.verify(&other).unwrap_err().kind,
            ProblemType::Unauthorized
        );
        // The account key is Ed25519 but the request claims ES256.
        assert_eq!(
            request.verify(&ed_key().public()).unwrap_err().kind,
            ProblemType::Unauthorized
        );
    }

    /// RFC 7518 §3.4: ES256 signatures are r||s; a DER one (a common client bug) is malformed.
    #[test]
    fn rfc7518_3_4_der_signature_refused() {
        let key = ec_key();
        let jws = sign(&key, SignAs::Kid(ACCOUNT), NONCE, URL, Some(&json!({})));
        let raw = B64.decode(jws["signature"].as_str().unwrap()).unwrap();
        let der = p256::ecdsa::Signature::from_slice(&raw).unwrap().to_der();
        let mut with_der = jws.clone();
        with_der["signature"] = json!(B64.encode(der.as_bytes()));
        let err = parse(&to_body(&with_der)).unwrap_err();
        assert_eq!(err.kind, ProblemType::Malformed);
        assert!(err.detail.contains("not DER"), "{}", err.detail);
        // r = 0 is not a valid signature value.
        let mut zero_r = raw.clone();
        zero_r[..32].fill(0);
        let mut with_zero = jws.clone();
        with_zero["signature"] = json!(B64.encode(zero_r));
        let request = parse(&to_body(&with_zero)).unwrap();
        assert_eq!(
            request.verify(&key.public()).unwrap_err().kind,
            ProblemType::Unauthorized
        );
    }

    // ---- key change (RFC 8555 §7.3.5) --------------------------------------------------------

    const KEY_CHANGE: &str = "https://gw.example/acme/key-change";

    #[test]
    fn rfc8555_7_3_5_key_change_round_trip() {
        for (old, new) in [
            (ec_key(), ed_key()),
            (ed_key(), SigningKey::generate_es256()),
        ] {
            let inner = sign_key_change(&new, ACCOUNT, &old.public(), KEY_CHANGE);
            let outer = sign(&old, SignAs::Kid(ACCOUNT), NONCE, KEY_CHANGE, Some(&inner));
            let request = parse(&to_body(&outer)).unwrap();
            request.verify(&old.public()).unwrap();
            let Payload::Json(payload) = &request.payload else {
                panic!("no payload")
            };
            let (new_key, account, old_key) =
                parse_key_change_inner(payload, &request.protected.url).unwrap();
            assert_eq!(new_key, new.public());
            assert_eq!(account, ACCOUNT);
            assert_eq!(old_key, old.public());
        }
    }

    #[test]
    fn rfc8555_7_3_5_key_change_inner_rules() {
        let old = ec_key();
        let new = ed_key();
        let inner_payload =
            json!({"account": ACCOUNT, "oldKey": old.public().to_jwk()}).to_string();
        let header = |extra: &[(&str, Value)]| {
            let mut h = json!({"alg": "EdDSA", "jwk": new.public().to_jwk(), "url": KEY_CHANGE});
            for (name, value) in extra {
                h[*name] = value.clone();
            }
            h
        };
        let inner_with = |h: Value, payload: &str, signer: &SigningKey| -> Value {
            serde_json::from_slice(&with_header(signer, h, payload)).unwrap()
        };
        let kind = |inner: &Value| parse_key_change_inner(inner, KEY_CHANGE).unwrap_err().kind;

        // The good case, built by hand, is accepted.
        parse_key_change_inner(&inner_with(header(&[]), &inner_payload, &new), KEY_CHANGE).unwrap();
        // Another url than the outer JWS.
        let inner = sign_key_change(
            &new,
            ACCOUNT,
            &old.public(),
            "https://gw.example/acme/other",
        );
        assert_eq!(kind(&inner), ProblemType::Malformed);
        // A nonce.
        assert_eq!(
            kind(&inner_with(
                header(&[("nonce", json!(NONCE))]),
                &inner_payload,
                &new
            )),
            ProblemType::Malformed
        );
        // kid instead of jwk.
        let mut h = header(&[("kid", json!(ACCOUNT))]);
        h.as_object_mut().unwrap().remove("jwk");
        assert_eq!(
            kind(&inner_with(h, &inner_payload, &new)),
            ProblemType::Malformed
        );
        // Signed by a key other than the jwk (e.g. the old key): not proof of the new key.
        let other = SigningKey::generate_ed25519();
        assert_eq!(
            kind(&inner_with(header(&[]), &inner_payload, &other)),
            ProblemType::Unauthorized
        );
        // Payload shape.
        for payload in [
            json!({"oldKey": old.public().to_jwk()}).to_string(),
            json!({"account": ACCOUNT}).to_string(),
            json!({"account": 1, "oldKey": old.public().to_jwk()}).to_string(),
            json!({"account": ACCOUNT, "oldKey": "key"}).to_string(),
        ] {
            assert_eq!(
                kind(&inner_with(header(&[]), &payload, &new)),
                ProblemType::Malformed,
                "{payload}"
            );
        }
        let empty = {
            let protected = B64.encode(header(&[]).to_string());
            let signature = B64.encode(new.sign_bytes(format!("{protected}.").as_bytes()));
            json!({"protected": protected, "payload": "", "signature": signature})
        };
        assert_eq!(kind(&empty), ProblemType::Malformed);
        // Not a JWS.
        for inner in [
            json!({}),
            json!("a.b.c"),
            json!({"protected": "", "payload": "", "signature": ""}),
        ] {
            assert_eq!(kind(&inner), ProblemType::Malformed, "{inner}");
        }
        // A header member the outer JWS may not have either.
        let mut with_header_member = sign_key_change(&new, ACCOUNT, &old.public(), KEY_CHANGE);
        with_header_member["header"] = json!({});
        assert_eq!(kind(&with_header_member), ProblemType::Malformed);
    }

    // ---- keys ---------------------------------------------------------------------------

    /// Written by `to_pkcs8_pem` for the fixed keys; loaded by OpenSSL 3.0 and
    /// pyca/cryptography with the same keys (see the module comment).
    const EC_PEM: &str = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgjpsQnnGQmL+YBIff\nH1136cspYG6+0iY7X1fCE9+E9LKhRANCAAR/zc4ncPbEXUGDy+5v20t7WAczNXvp\n7xO6z248e9FURcfxRM0bvZt+hyzf7bnuufSzaV1uqQskrYpGIyiFiOWt\n-----END PRIVATE KEY-----\n";
    const ED_PEM: &str = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n-----END PRIVATE KEY-----\n";

    #[test]
    fn pkcs8_pem_round_trip() {
        assert_eq!(ec_key().to_pkcs8_pem(), EC_PEM);
        assert_eq!(ed_key().to_pkcs8_pem(), ED_PEM);
        assert_eq!(
            SigningKey::from_pkcs8_pem(EC_PEM).unwrap().public(),
            ec_key().public()
        );
        assert_eq!(
            SigningKey::from_pkcs8_pem(ED_PEM).unwrap().public(),
            ed_key().public()
        );
        for key in [SigningKey::generate_es256(), SigningKey::generate_ed25519()] {
            let back = SigningKey::from_pkcs8_pem(&key.to_pkcs8_pem()).unwrap();
            assert_eq!(back.public(), key.public());
        }
        // PKCS#8 v2 with the public key (ed25519-dalek's own encoding) is read too.
        let v2 = "-----BEGIN PRIVATE KEY-----\nMFECAQEwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\ngSEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n-----END PRIVATE KEY-----\n";
        assert_eq!(
            SigningKey::from_pkcs8_pem(v2).unwrap().public(),
            ed_key().public()
        );
    }

    #[test]
    fn pkcs8_pem_refusals() {
        // `openssl ecparam -name prime256v1 -genkey -noout`: SEC1, not PKCS#8.
        let sec1 = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIApIHRpjHpogS0xvDw3If71hxv3QnbGRgA28qGi8mOW6oAoGCCqGSM49\nAwEHoUQDQgAEyF+rGtqCZdnPTdj0nqFPQ09+oXh9WmJ3/qlMP3cuFx7K2zMsBIeI\n/tyJOS6tdeqxzxMmgAef1X+0LtqLxa13YQ==\n-----END EC PRIVATE KEY-----\n";
        assert_eq!(
            SigningKey::from_pkcs8_pem(sec1).unwrap_err(),
            KeyError::NotPkcs8Pem
        );
        // `openssl genpkey -algorithm ed448`.
        let ed448 = "-----BEGIN PRIVATE KEY-----\nMEcCAQAwBQYDK2VxBDsEOSOKIJBHoqcYRL0S19hukG3bkKCu7cEVI8eRn3dkeyd7\nQCRr6YgIZg/em21toUp8dfDLHVP8b71QRQ==\n-----END PRIVATE KEY-----\n";
        assert_eq!(
            SigningKey::from_pkcs8_pem(ed448).unwrap_err(),
            KeyError::UnsupportedAlgorithm("1.3.101.113".into())
        );
        // `openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384`.
        let p384 = "-----BEGIN PRIVATE KEY-----\nMIG2AgEAMBAGByqGSM49AgEGBSuBBAAiBIGeMIGbAgEBBDAwGzSq7RUXsGtGzIZV\npcerq5b27ruu4UDcsVDcDExVcTQJktQi0cvUnf5ezqQqajWhZANiAARoLn+D2Zfi\nIL2BVZhqSo+bO6GZuqNj72lxLgfB+bJHUnsoAGieaj+BLaB1n8sxFi3B63pEbkou\nnb4eunmmrlj7SayUGTrQML7afsnowvj6UY5kVRNp/8hhLHztbTz/Kr0=\n-----END PRIVATE KEY-----\n";
        assert!(matches!(
            SigningKey::from_pkcs8_pem(p384).unwrap_err(),
            KeyError::UnsupportedAlgorithm(s) if s.contains("1.3.132.0.34")
        ));
        assert_eq!(
            SigningKey::from_pkcs8_pem("").unwrap_err(),
            KeyError::NotPkcs8Pem
        );
        assert_eq!(
            SigningKey::from_pkcs8_pem("not a pem").unwrap_err(),
            KeyError::NotPkcs8Pem
        );
        // Not DER at all.
        let garbage = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
        assert_eq!(
            SigningKey::from_pkcs8_pem(garbage).unwrap_err(),
            KeyError::NotPkcs8Pem
        );
        // DER, but an empty SEQUENCE rather than a PrivateKeyInfo.
        let empty = "-----BEGIN PRIVATE KEY-----\nMAA=\n-----END PRIVATE KEY-----\n";
        assert_eq!(
            SigningKey::from_pkcs8_pem(empty).unwrap_err(),
            KeyError::InvalidPkcs8
        );
    }

    #[test]
    fn signing_key_debug_hides_the_private_key() {
        for key in [ec_key(), ed_key()] {
            let debug = format!("{key:?}");
            assert!(debug.contains(&key.public().thumbprint()), "{debug}");
            let pem_body = key.to_pkcs8_pem();
            for secret in [EC_D, ED_D, pem_body.lines().nth(1).unwrap()] {
                assert!(!debug.contains(secret), "{debug}");
            }
        }
    }

    /// RFC 7518 §3.3: RS256 account keys (certbot's default) are accepted and verified;
    /// small moduli and tampered signatures are not.
    #[test]
    fn rfc_7518_3_3_rs256_account_keys() {
        use rsa::traits::PublicKeyParts as _;
        let private = rsa::RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048).unwrap();
        let public = rsa::RsaPublicKey::from(&private);
        let jwk = json!({"kty": "RSA", "n": B64.encode(public.n().to_bytes_be()),
                         "e": B64.encode(public.e().to_bytes_be())});
        let header = json!({"alg": "RS256", "jwk": jwk, "nonce": "bm9uY2U",
                            "url": "https://gw.example/acme/new-account"});
        let protected = B64.encode(header.to_string());
        let payload = B64.encode(json!({"termsOfServiceAgreed": true}).to_string());
        let scheme = rsa::Pkcs1v15Sign {
            hash_len: Some(32),
            prefix: SHA256_DIGEST_INFO.to_vec().into_boxed_slice(),
        };
        let digest = Sha256::digest(format!("{protected}.{payload}").as_bytes());
        let signature = private.sign(scheme, &digest).unwrap();
        let body = |signature: &[u8]| {
            json!({"protected": protected, "payload": payload, "signature": B64.encode(signature)})
                .to_string()
        };
        let request = parse(body(&signature).as_bytes()).unwrap();
        let key = request.jwk().unwrap().clone();
        assert_eq!(key.alg(), Alg::Rs256);
        request.verify(&key).unwrap();
        assert_eq!(AccountKey::from_jwk(&key.to_jwk()).unwrap(), key);
        let mut tampered = signature.clone();
        tampered[10] ^= 1;
        let request = parse(body(&tampered).as_bytes()).unwrap();
        assert_eq!(
            request.verify(&key).unwrap_err().kind,
            ProblemType::Unauthorized
        );
        let small = rsa::RsaPrivateKey::new(&mut rand::rngs::OsRng, 1024).unwrap();
        let small = rsa::RsaPublicKey::from(&small);
        let small_jwk = json!({"kty": "RSA", "n": B64.encode(small.n().to_bytes_be()),
                               "e": B64.encode(small.e().to_bytes_be())});
        assert_eq!(
            AccountKey::from_jwk(&small_jwk).unwrap_err().kind,
            ProblemType::BadPublicKey
        );
    }
}
