//! The finalize CSR (RFC 8555 §7.4) for a `TNAuthList` order (RFC 9448): checking one on the
//! server, building one on the client.
//!
//! # What a CSR must be
//!
//! A PKCS#10 `CertificationRequest` (RFC 2986) in DER, nothing after it, version v1, whose
//! self-signature verifies with the key it carries, and whose `extensionRequest` attribute
//! (RFC 2985 §5.4.2) requests the TNAuthList extension (`id-pe-TNAuthList`, RFC 8226 §9)
//! holding exactly one telephone number. That number is the whole identifier set of a
//! TNAuthList order, so:
//!
//! - A requested `subjectAltName` is refused: RFC 8555 §7.4 requires the CSR to name exactly
//!   the order's identifiers, and a TNAuthList order has no DNS or IP identifier.
//! - The subject name is ignored. The certificate sets its own subject, so nothing a client
//!   writes there reaches it; refusing it would only break clients that fill it by habit.
//! - Other requested extensions (key usage and the like) are ignored for the same reason:
//!   the certificate profile is fixed by [`crate::cert`], and only the public key and the
//!   number are taken from the CSR.
//! - Lists with several entries, ranges or service provider codes are refused: Assent proves
//!   control of one number by SMS and issues for one number.
//!
//! # Keys and signatures
//!
//! Accepted pairs (signature algorithm, key): ECDSA with SHA-256 on P-256, ECDSA with
//! SHA-384 on P-384 and Ed25519, with the parameters the RFCs prescribe (absent for the
//! signature algorithms, RFC 5758 §3.2 and RFC 8410 §3; the named curve for EC keys). RSA,
//! SHA-1 and explicit curve parameters are refused before any signature check. The
//! signature itself is checked by `x509-parser`'s `verify` feature (ring underneath, already
//! used by `rcgen`).
//!
//! [`CsrInfo::public_key_spki_der`] is the canonical DER `SubjectPublicKeyInfo` (named
//! curve, uncompressed point for EC keys), and the CSR must have used exactly that spelling,
//! so that comparing it with the account key's SPKI byte for byte is meaningful: the same
//! key cannot hide behind a compressed point or a BER length. It is also exactly the SPKI
//! the issued certificate carries.

use rcgen::{CertificateParams, CustomExtension, DistinguishedName, KeyPair, PublicKeyData as _};
use x509_parser::asn1_rs::Oid;
use x509_parser::certification_request::X509CertificationRequest;
use x509_parser::cri_attributes::ParsedCriAttribute;
use x509_parser::oid_registry::{
    OID_EC_P256, OID_KEY_TYPE_EC_PUBLIC_KEY, OID_NIST_EC_P384, OID_PKCS9_EXTENSION_REQUEST,
    OID_SIG_ECDSA_WITH_SHA256, OID_SIG_ECDSA_WITH_SHA384, OID_SIG_ED25519,
    OID_X509_EXT_SUBJECT_ALT_NAME,
};
use x509_parser::prelude::FromDer as _;
use x509_parser::x509::{SubjectPublicKeyInfo, X509Version};

use crate::tnauthlist::{ID_PE_TNAUTHLIST, TnAuthList, TnError};

/// What the gateway needs from a checked CSR.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsrInfo {
    /// The canonical DER `SubjectPublicKeyInfo` of the key to certify (compare it with the
    /// account key's: they must differ).
    pub public_key_spki_der: Vec<u8>,
    /// The requested TNAuthList; always exactly one number, so `single_number()` is `Some`
    /// (compare it with the order's number).
    pub tn_auth_list: TnAuthList,
}

/// Why a CSR was refused, or could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CsrError {
    /// Not a DER PKCS#10 structure.
    #[error("the CSR is not a DER PKCS#10 CertificationRequest: {0}")]
    Malformed(String),
    /// Bytes after the CertificationRequest.
    #[error("the CSR has bytes after its CertificationRequest")]
    TrailingBytes,
    /// A version other than v1 (0).
    #[error("the CSR has version {0}; PKCS#10 defines only v1 (0)")]
    Version(u32),
    /// A signature algorithm or key type outside the accepted set.
    #[error("the CSR's {0} is not accepted (ECDSA P-256/SHA-256, ECDSA P-384/SHA-384, Ed25519)")]
    UnsupportedAlgorithm(&'static str),
    /// The self-signature does not verify.
    #[error("the CSR's signature does not verify with the public key it carries")]
    BadSignature,
    /// The public key is not in its canonical DER form.
    #[error("the CSR's public key is not canonical DER (named curve, uncompressed point)")]
    NonCanonicalKey,
    /// No extensionRequest attribute, or none requesting the TNAuthList extension.
    #[error("the CSR does not request the TNAuthList extension (RFC 9448, RFC 8226 §9)")]
    MissingTnAuthList,
    /// Two extensionRequest attributes, or the TNAuthList extension requested twice.
    #[error("the CSR requests {0} more than once")]
    Duplicate(&'static str),
    /// A requested subjectAltName: identifiers the order does not have.
    #[error(
        "the CSR requests a subjectAltName; a TNAuthList order has no other identifiers \
         (RFC 8555 §7.4)"
    )]
    UnexpectedIdentifiers,
    /// The TNAuthList extension value is not a valid TNAuthList.
    #[error("the CSR's TNAuthList extension: {0}")]
    TnAuthList(TnError),
    /// A valid TNAuthList that is not exactly one number.
    #[error("the CSR's TNAuthList must hold exactly one telephone number")]
    NotSingleNumber,
    /// `build_csr` was given a number that is not E.164.
    #[error("cannot build a CSR: {0}")]
    Number(TnError),
    /// `build_csr` failed inside rcgen.
    #[error("cannot build a CSR: {0}")]
    Build(String),
}

/// Checks a finalize CSR; see the module documentation for every rule.
pub fn check_csr(der: &[u8]) -> Result<CsrInfo, CsrError> {
    let (rest, csr) =
        X509CertificationRequest::from_der(der).map_err(|e| CsrError::Malformed(e.to_string()))?;
    if !rest.is_empty() {
        return Err(CsrError::TrailingBytes);
    }
    let info = &csr.certification_request_info;
    if info.version != X509Version::V1 {
        return Err(CsrError::Version(info.version.0));
    }

    // Algorithms and key spelling first: never hand the verifier anything outside the list
    // (x509-parser would otherwise accept, for example, RSA with SHA-1).
    let key = accepted_key(&csr)?;
    let public_key_spki_der = canonical_spki(&info.subject_pki, key)?;
    csr.verify_signature().map_err(|_| CsrError::BadSignature)?;

    let mut requests = info
        .iter_attributes()
        .filter(|attribute| attribute.oid == OID_PKCS9_EXTENSION_REQUEST);
    let request = requests.next().ok_or(CsrError::MissingTnAuthList)?;
    if requests.next().is_some() {
        return Err(CsrError::Duplicate("the extensionRequest attribute"));
    }
    let ParsedCriAttribute::ExtensionRequest(request) = request.parsed_attribute() else {
        return Err(CsrError::Malformed(
            "unreadable extensionRequest attribute".to_owned(),
        ));
    };

    let mut tn_auth_list = None;
    for extension in &request.extensions {
        if oid_is(&extension.oid, ID_PE_TNAUTHLIST) {
            if tn_auth_list.is_some() {
                return Err(CsrError::Duplicate("the TNAuthList extension"));
            }
            // Critical or not: either way the request is for this extension.
            tn_auth_list =
                Some(TnAuthList::from_der(extension.value).map_err(CsrError::TnAuthList)?);
        } else if extension.oid == OID_X509_EXT_SUBJECT_ALT_NAME {
            return Err(CsrError::UnexpectedIdentifiers);
        }
    }
    let tn_auth_list = tn_auth_list.ok_or(CsrError::MissingTnAuthList)?;
    if tn_auth_list.single_number().is_none() {
        return Err(CsrError::NotSingleNumber);
    }
    Ok(CsrInfo {
        public_key_spki_der,
        tn_auth_list,
    })
}

/// Builds a DER CSR for `number` signed by `key`: an empty subject, no subjectAltName, and
/// one requested extension, the (non-critical) TNAuthList of that one number.
pub fn build_csr(number: &str, key: &KeyPair) -> Result<Vec<u8>, CsrError> {
    let tn = TnAuthList::single(number)
        .and_then(|list| list.to_der())
        .map_err(CsrError::Number)?;
    let mut params = CertificateParams::default();
    // The default carries a placeholder common name; the CA sets the subject itself.
    params.distinguished_name = DistinguishedName::new();
    params.custom_extensions = vec![CustomExtension::from_oid_content(ID_PE_TNAUTHLIST, tn)];
    let csr = params
        .serialize_request(key)
        .map_err(|e| CsrError::Build(e.to_string()))?;
    Ok(csr.der().to_vec())
}

/// The key types accepted, with the length of their `subjectPublicKey` bits.
#[derive(Debug, Clone, Copy)]
enum KeyKind {
    P256,
    P384,
    Ed25519,
}

impl KeyKind {
    fn public_key_len(self) -> usize {
        match self {
            // 0x04 || X || Y
            KeyKind::P256 => 65,
            KeyKind::P384 => 97,
            KeyKind::Ed25519 => 32,
        }
    }
}

fn accepted_key(csr: &X509CertificationRequest<'_>) -> Result<KeyKind, CsrError> {
    let signature = &csr.signature_algorithm;
    let spki = &csr.certification_request_info.subject_pki;
    if signature.parameters.is_some() {
        return Err(CsrError::UnsupportedAlgorithm(
            "signature algorithm parameters",
        ));
    }
    let curve = || {
        spki.algorithm
            .parameters
            .as_ref()
            .and_then(|p| p.as_oid().ok())
    };
    let kind = if signature.algorithm == OID_SIG_ED25519 {
        if spki.algorithm.algorithm != OID_SIG_ED25519 || spki.algorithm.parameters.is_some() {
            return Err(CsrError::UnsupportedAlgorithm(
                "key for an Ed25519 signature",
            ));
        }
        KeyKind::Ed25519
    } else if signature.algorithm == OID_SIG_ECDSA_WITH_SHA256 {
        if spki.algorithm.algorithm != OID_KEY_TYPE_EC_PUBLIC_KEY || curve() != Some(OID_EC_P256) {
            return Err(CsrError::UnsupportedAlgorithm(
                "key for an ECDSA SHA-256 signature",
            ));
        }
        KeyKind::P256
    } else if signature.algorithm == OID_SIG_ECDSA_WITH_SHA384 {
        if spki.algorithm.algorithm != OID_KEY_TYPE_EC_PUBLIC_KEY
            || curve() != Some(OID_NIST_EC_P384)
        {
            return Err(CsrError::UnsupportedAlgorithm(
                "key for an ECDSA SHA-384 signature",
            ));
        }
        KeyKind::P384
    } else {
        return Err(CsrError::UnsupportedAlgorithm("signature algorithm"));
    };
    Ok(kind)
}

/// Re-encodes the SPKI the way rcgen writes it into the certificate, and insists the CSR
/// used that very spelling.
fn canonical_spki(spki: &SubjectPublicKeyInfo<'_>, kind: KeyKind) -> Result<Vec<u8>, CsrError> {
    let point = spki.subject_public_key.as_ref();
    let uncompressed = !matches!(kind, KeyKind::P256 | KeyKind::P384) || point.first() == Some(&4);
    if point.len() != kind.public_key_len() || !uncompressed {
        return Err(CsrError::NonCanonicalKey);
    }
    let canonical = rcgen::SubjectPublicKeyInfo::from_der(spki.raw)
        .map_err(|_| CsrError::NonCanonicalKey)?
        .subject_public_key_info();
    if canonical != spki.raw {
        return Err(CsrError::NonCanonicalKey);
    }
    Ok(canonical)
}

/// Whether `oid` is the OID with these arcs.
pub(crate) fn oid_is(oid: &Oid<'_>, arcs: &[u64]) -> bool {
    oid.iter()
        .is_some_and(|components| components.eq(arcs.iter().copied()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rcgen::{
        ExtendedKeyUsagePurpose, KeyUsagePurpose, PKCS_ECDSA_P256_SHA256, PKCS_ECDSA_P384_SHA384,
        PKCS_ED25519, SanType,
    };

    use crate::tnauthlist::TnEntry;

    fn p256() -> KeyPair {
        KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap()
    }

    fn ed25519() -> KeyPair {
        KeyPair::generate_for(&PKCS_ED25519).unwrap()
    }

    /// A CSR with exactly these requested extensions, signed by `key`.
    fn csr_with(key: &KeyPair, extensions: Vec<CustomExtension>) -> Vec<u8> {
        let mut params = CertificateParams::default();
        params.distinguished_name = DistinguishedName::new();
        params.custom_extensions = extensions;
        params.serialize_request(key).unwrap().der().to_vec()
    }

    fn tn_extension(list: &TnAuthList) -> CustomExtension {
        CustomExtension::from_oid_content(ID_PE_TNAUTHLIST, list.to_der().unwrap())
    }

    #[test]
    fn rfc_8555_7_4_round_trip_p256() {
        let key = p256();
        let der = build_csr("+15551234567", &key).unwrap();
        let info = check_csr(&der).unwrap();
        assert_eq!(info.tn_auth_list.single_number(), Some("15551234567"));
        assert_eq!(info.public_key_spki_der, key.subject_public_key_info());
    }

    #[test]
    fn rfc_8555_7_4_round_trip_ed25519() {
        let key = ed25519();
        let der = build_csr("447700900123", &key).unwrap();
        let info = check_csr(&der).unwrap();
        assert_eq!(info.tn_auth_list.single_number(), Some("447700900123"));
        assert_eq!(info.public_key_spki_der, key.subject_public_key_info());
        // RFC 8410: the Ed25519 SPKI is 12 bytes of header and the 32-byte key.
        assert_eq!(info.public_key_spki_der.len(), 44);
    }

    #[test]
    fn rfc_8555_7_4_round_trip_p384() {
        let key = KeyPair::generate_for(&PKCS_ECDSA_P384_SHA384).unwrap();
        let info = check_csr(&build_csr("15551234567", &key).unwrap()).unwrap();
        assert_eq!(info.public_key_spki_der, key.subject_public_key_info());
    }

    #[test]
    fn rfc_8555_7_4_built_csr_requests_only_tnauthlist() {
        let der = build_csr("15551234567", &p256()).unwrap();
        let (_, csr) = X509CertificationRequest::from_der(&der).unwrap();
        assert_eq!(csr.certification_request_info.subject.iter().count(), 0);
        let extensions: Vec<_> = csr
            .certification_request_info
            .iter_attributes()
            .filter_map(|a| match a.parsed_attribute() {
                ParsedCriAttribute::ExtensionRequest(r) => Some(r.extensions.clone()),
                _ => None,
            })
            .flatten()
            .collect();
        assert_eq!(extensions.len(), 1);
        assert!(oid_is(&extensions[0].oid, ID_PE_TNAUTHLIST));
        assert!(!extensions[0].critical);
        assert_eq!(
            extensions[0].value,
            TnAuthList::single("15551234567").unwrap().to_der().unwrap()
        );
    }

    #[test]
    fn rfc_8226_9_build_csr_refuses_non_e164() {
        assert!(matches!(
            build_csr("555-1234", &p256()),
            Err(CsrError::Number(TnError::NotE164(_)))
        ));
    }

    #[test]
    fn rfc_9448_csr_without_tnauthlist_refused() {
        let key = p256();
        // No extensionRequest attribute at all.
        let bare = csr_with(&key, vec![]);
        assert_eq!(check_csr(&bare), Err(CsrError::MissingTnAuthList));
        // An extensionRequest with only a key usage.
        let mut params = CertificateParams::default();
        params.distinguished_name = DistinguishedName::new();
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        let other = params.serialize_request(&key).unwrap().der().to_vec();
        assert_eq!(check_csr(&other), Err(CsrError::MissingTnAuthList));
    }

    #[test]
    fn rfc_2986_4_tampered_signature_refused() {
        for key in [p256(), ed25519()] {
            let der = build_csr("15551234567", &key).unwrap();
            // The last byte is inside the signature BIT STRING for both key types.
            let mut tampered = der.clone();
            let last = tampered.len() - 1;
            tampered[last] ^= 0x01;
            assert_eq!(check_csr(&tampered), Err(CsrError::BadSignature));
        }
    }

    #[test]
    fn rfc_2986_4_tampered_request_refused() {
        // Change the number inside the signed CertificationRequestInfo: 15551234567 ->
        // 15551234568, still a valid TNAuthList, but no longer what was signed.
        let der = build_csr("15551234567", &p256()).unwrap();
        let needle = b"15551234567";
        let at = der.windows(needle.len()).position(|w| w == needle).unwrap();
        let mut tampered = der.clone();
        tampered[at + needle.len() - 1] = b'8';
        assert_eq!(check_csr(&tampered), Err(CsrError::BadSignature));
    }

    #[test]
    fn rfc_2986_4_foreign_signature_refused() {
        // Signed by one key, carrying another: splice key B's SPKI into A's request.
        let a = p256();
        let b = p256();
        let der = build_csr("15551234567", &a).unwrap();
        let spki_a = a.subject_public_key_info();
        let spki_b = b.subject_public_key_info();
        let at = der
            .windows(spki_a.len())
            .position(|w| w == spki_a.as_slice())
            .unwrap();
        let mut swapped = der.clone();
        swapped[at..at + spki_a.len()].copy_from_slice(&spki_b);
        assert_eq!(check_csr(&swapped), Err(CsrError::BadSignature));
    }

    #[test]
    fn rfc_9448_two_numbers_refused() {
        let key = p256();
        let two = TnAuthList(vec![
            TnEntry::One("15551234567".into()),
            TnEntry::One("15551234568".into()),
        ]);
        assert_eq!(
            check_csr(&csr_with(&key, vec![tn_extension(&two)])),
            Err(CsrError::NotSingleNumber)
        );
        let range = TnAuthList(vec![TnEntry::Range {
            start: "15551234567".into(),
            count: 2,
        }]);
        assert_eq!(
            check_csr(&csr_with(&key, vec![tn_extension(&range)])),
            Err(CsrError::NotSingleNumber)
        );
        let spc = TnAuthList(vec![TnEntry::Spc("1234".into())]);
        assert_eq!(
            check_csr(&csr_with(&key, vec![tn_extension(&spc)])),
            Err(CsrError::NotSingleNumber)
        );
        // The same number in two extensions.
        let one = TnAuthList::single("15551234567").unwrap();
        assert_eq!(
            check_csr(&csr_with(
                &key,
                vec![tn_extension(&one), tn_extension(&one)]
            )),
            Err(CsrError::Duplicate("the TNAuthList extension"))
        );
    }

    #[test]
    fn rfc_9448_malformed_tnauthlist_refused() {
        // The IMPLICIT mis-encoding of one number.
        let implicit = CustomExtension::from_oid_content(
            ID_PE_TNAUTHLIST,
            vec![
                0x30, 0x0d, 0x82, 0x0b, b'1', b'5', b'5', b'5', b'1', b'2', b'3', b'4', b'5', b'6',
                b'7',
            ],
        );
        assert!(matches!(
            check_csr(&csr_with(&p256(), vec![implicit])),
            Err(CsrError::TnAuthList(TnError::Der(_)))
        ));
    }

    #[test]
    fn rfc_9448_critical_tnauthlist_accepted() {
        let mut extension = tn_extension(&TnAuthList::single("15551234567").unwrap());
        extension.set_criticality(true);
        let info = check_csr(&csr_with(&p256(), vec![extension])).unwrap();
        assert_eq!(info.tn_auth_list.single_number(), Some("15551234567"));
    }

    #[test]
    fn rfc_8555_7_4_other_identifiers_refused() {
        let key = p256();
        let mut params = CertificateParams::default();
        params.distinguished_name = DistinguishedName::new();
        params.subject_alt_names = vec![SanType::DnsName("example.com".try_into().unwrap())];
        params.custom_extensions = vec![tn_extension(&TnAuthList::single("15551234567").unwrap())];
        let der = params.serialize_request(&key).unwrap().der().to_vec();
        assert_eq!(check_csr(&der), Err(CsrError::UnexpectedIdentifiers));
    }

    #[test]
    fn rfc_8555_7_4_subject_ignored() {
        let key = p256();
        let mut params = CertificateParams::default();
        params.distinguished_name = DistinguishedName::new();
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "anything at all");
        params.custom_extensions = vec![tn_extension(&TnAuthList::single("15551234567").unwrap())];
        let der = params.serialize_request(&key).unwrap().der().to_vec();
        assert!(check_csr(&der).is_ok());
    }

    #[test]
    fn rfc_2986_4_framing() {
        let der = build_csr("15551234567", &p256()).unwrap();
        let mut trailing = der.clone();
        trailing.push(0);
        assert_eq!(check_csr(&trailing), Err(CsrError::TrailingBytes));
        assert!(matches!(
            check_csr(&der[..der.len() - 1]),
            Err(CsrError::Malformed(_))
        ));
        assert!(matches!(check_csr(&[]), Err(CsrError::Malformed(_))));
        assert!(matches!(
            check_csr(b"-----BEGIN CERTIFICATE REQUEST-----"),
            Err(CsrError::Malformed(_))
        ));
    }

    /// Replaces the outer signatureAlgorithm OID (outside the signed part) of a P-256 CSR.
    fn with_signature_oid(der: &[u8], last_arc: u8) -> Vec<u8> {
        // 06 08 2a8648ce3d0403xx: ecdsa-with-SHA256 (02), -SHA384 (03), -SHA512 (04).
        let ecdsa_sha256 = [0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02];
        let at = der
            .windows(ecdsa_sha256.len())
            .rposition(|w| w == ecdsa_sha256)
            .unwrap();
        let mut out = der.to_vec();
        out[at + ecdsa_sha256.len() - 1] = last_arc;
        out
    }

    #[test]
    fn rfc_5758_3_2_unsupported_algorithms_refused_before_verifying() {
        let der = build_csr("15551234567", &p256()).unwrap();
        // ecdsa-with-SHA512 is not on the list at all.
        assert_eq!(
            check_csr(&with_signature_oid(&der, 0x04)),
            Err(CsrError::UnsupportedAlgorithm("signature algorithm"))
        );
        // ecdsa-with-SHA384 is, but only with a P-384 key.
        assert_eq!(
            check_csr(&with_signature_oid(&der, 0x03)),
            Err(CsrError::UnsupportedAlgorithm(
                "key for an ECDSA SHA-384 signature"
            ))
        );
    }

    /// Signs with a real P-256 key but announces it as a compressed point.
    struct CompressedP256 {
        key: KeyPair,
        compressed: Vec<u8>,
    }

    impl CompressedP256 {
        fn new() -> Self {
            let key = p256();
            let raw = key.der_bytes();
            // 0x02 or 0x03 by the parity of Y, then X.
            let mut compressed = vec![0x02 | (raw[64] & 1)];
            compressed.extend_from_slice(&raw[1..33]);
            Self { key, compressed }
        }
    }

    impl rcgen::PublicKeyData for CompressedP256 {
        fn der_bytes(&self) -> &[u8] {
            &self.compressed
        }

        fn algorithm(&self) -> &'static rcgen::SignatureAlgorithm {
            self.key.algorithm()
        }
    }

    impl rcgen::SigningKey for CompressedP256 {
        fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, rcgen::Error> {
            self.key.sign(msg)
        }
    }

    #[test]
    fn rfc_5480_2_2_compressed_point_refused() {
        // The same key spelled differently would slip past a byte comparison with the
        // account key, so only the canonical uncompressed spelling is accepted.
        let key = CompressedP256::new();
        let mut params = CertificateParams::default();
        params.distinguished_name = DistinguishedName::new();
        params.custom_extensions = vec![tn_extension(&TnAuthList::single("15551234567").unwrap())];
        let der = params.serialize_request(&key).unwrap().der().to_vec();
        assert_eq!(check_csr(&der), Err(CsrError::NonCanonicalKey));
    }
}
