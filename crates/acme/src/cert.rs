//! Issuing the short-lived certificate for a proven telephone number, and reading the number
//! back from one.
//!
//! # Profile
//!
//! - **serial**: 16 random bytes from the OS CSPRNG, top bit cleared (positive) and the next
//!   one set (no leading zero octet), so 126 random bits. RFC 5280 §4.1.2.2 asks for a
//!   positive INTEGER of at most 20 octets; CA/Browser Forum practice asks for at least 64
//!   bits of CSPRNG output so that serials cannot be predicted.
//! - **validity**: `now − 1 minute` to `now + validity`, in whole seconds. The minute absorbs
//!   a device clock slightly behind the gateway's. At most 30 days (more is refused):
//!   certificates this short need no revocation.
//! - **subject**: `CN=<number>` (E.164 digits, no `+`). RFC 5280 §4.1.2.6 allows an empty
//!   subject only together with a critical subjectAltName, and a telephone number has no
//!   SAN form here; a CN also makes the certificate readable in logs and `openssl x509`.
//! - **subjectPublicKeyInfo**: the CSR's key in canonical DER; nothing else comes from the CSR.
//! - **TNAuthList** (1.3.6.1.5.5.7.1.26, RFC 8226 §9, RFC 9448): exactly one `one` entry, the
//!   number; not critical (below).
//! - **basicConstraints** `CA:FALSE`, critical: an end-entity certificate, said explicitly.
//! - **keyUsage** `digitalSignature`, critical: the device signs (TLS client authentication,
//!   signed requests).
//! - **extendedKeyUsage** `clientAuth`: the certificate authenticates a device to a server.
//! - **authorityKeyIdentifier** (the issuer's key identifier, RFC 5280 §4.2.1.1) for path
//!   building; rcgen also adds a subjectKeyIdentifier.
//!
//! The TNAuthList extension is **not critical**. RFC 8226 §9 does not make it critical: it
//! is there for relying parties that look for it. Besides, a critical extension
//! that a generic TLS stack does not recognise makes it reject the whole certificate
//! (RFC 5280 §4.2; rustls/webpki and OpenSSL both do), which would make the certificate
//! useless for client authentication. The parties that care about the number read it with
//! [`tn_auth_list_of_certificate`], which accepts either marking.
//!
//! `issue` checks the CSR again ([`check_csr`]) and refuses it unless its TNAuthList is the
//! very number given: the gateway compares them too, but a certificate for the wrong number
//! must not be one forgotten comparison away.

use rand::RngCore as _;
use rand::rngs::OsRng;
use rcgen::{
    CertificateParams, CustomExtension, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, SerialNumber,
};
use time::{Duration, OffsetDateTime, UtcOffset};
use x509_parser::certificate::X509Certificate;
use x509_parser::prelude::FromDer as _;

use crate::csr::{CsrError, check_csr, oid_is};
use crate::tnauthlist::{ID_PE_TNAUTHLIST, TnAuthList, TnError};

/// The longest validity `issue` accepts.
pub const MAX_VALIDITY: Duration = Duration::days(30);

/// How far before the moment of issuance `notBefore` is set.
pub const BACKDATE: Duration = Duration::minutes(1);

/// Serial length in bytes: 128 bits drawn, 126 of them random after fixing the top two.
const SERIAL_LEN: usize = 16;

/// An issued certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issued {
    /// The certificate, DER.
    pub der: Vec<u8>,
    /// The certificate, PEM (`-----BEGIN CERTIFICATE-----`).
    pub pem: String,
    /// The serial number as lowercase hex without separators (its DER INTEGER contents).
    pub serial_hex: String,
    /// `notAfter`, exactly as written in the certificate (whole seconds, UTC).
    pub not_after: OffsetDateTime,
}

/// Why a certificate was not issued, or could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertError {
    /// More than [`MAX_VALIDITY`].
    #[error("a certificate may be valid for at most 30 days; {0} was asked")]
    ValidityTooLong(Duration),
    /// Zero or negative.
    #[error("the validity must be positive; {0} was asked")]
    ValidityNotPositive(Duration),
    /// The CSR failed [`check_csr`].
    #[error("the CSR was refused: {0}")]
    Csr(#[from] CsrError),
    /// The number passed to `issue` is not E.164.
    #[error("the number to certify: {0}")]
    Number(TnError),
    /// The CSR asks for a different number than the one being certified.
    #[error("the CSR asks for number {csr}, but the certificate is for {order}")]
    NumberMismatch {
        /// The number in the CSR's TNAuthList.
        csr: String,
        /// The number `issue` was asked to certify.
        order: String,
    },
    /// The validity runs outside the dates a certificate can carry.
    #[error("the validity period is outside the representable dates")]
    DateOutOfRange,
    /// rcgen could not build or sign the certificate.
    #[error("the certificate could not be signed: {0}")]
    Sign(String),
    /// Not a DER X.509 certificate.
    #[error("not a DER X.509 certificate: {0}")]
    Malformed(String),
    /// Bytes after the certificate.
    #[error("the certificate has bytes after it")]
    TrailingBytes,
    /// No TNAuthList extension.
    #[error("the certificate has no TNAuthList extension (RFC 8226 §9)")]
    MissingTnAuthList,
    /// The TNAuthList extension appears twice (RFC 5280 §4.2 forbids it).
    #[error("the certificate has more than one TNAuthList extension")]
    DuplicateTnAuthList,
    /// The TNAuthList extension's value is not a valid TNAuthList.
    #[error("the certificate's TNAuthList extension: {0}")]
    TnAuthList(TnError),
}

/// Issues a certificate for `number` to the key in `csr_der`, signed by `issuer`, valid from
/// one minute ago for `validity` (at most 30 days). The clock is read once, here; see
/// [`issue_at`] to pass it in.
pub fn issue(
    csr_der: &[u8],
    number: &str,
    issuer: &Issuer<'_, KeyPair>,
    validity: Duration,
) -> Result<Issued, CertError> {
    issue_at(csr_der, number, issuer, validity, OffsetDateTime::now_utc())
}

/// [`issue`] with the current time given by the caller (tests, replay, a shared clock).
pub fn issue_at(
    csr_der: &[u8],
    number: &str,
    issuer: &Issuer<'_, KeyPair>,
    validity: Duration,
    now: OffsetDateTime,
) -> Result<Issued, CertError> {
    if validity <= Duration::ZERO {
        return Err(CertError::ValidityNotPositive(validity));
    }
    if validity > MAX_VALIDITY {
        return Err(CertError::ValidityTooLong(validity));
    }
    let wanted = TnAuthList::single(number).map_err(CertError::Number)?;
    let digits = number.strip_prefix('+').unwrap_or(number).to_owned();

    let csr = check_csr(csr_der)?;
    if csr.tn_auth_list != wanted {
        return Err(CertError::NumberMismatch {
            csr: csr.tn_auth_list.single_number().unwrap_or("?").to_owned(),
            order: digits,
        });
    }
    let public_key = rcgen::SubjectPublicKeyInfo::from_der(&csr.public_key_spki_der)
        .map_err(|e| CertError::Sign(e.to_string()))?;

    // Certificate times have whole seconds; truncating here makes `Issued::not_after`
    // exactly the certificate's notAfter.
    let now = now
        .to_offset(UtcOffset::UTC)
        .replace_nanosecond(0)
        .map_err(|_| CertError::DateOutOfRange)?;
    let not_before = now.checked_sub(BACKDATE).ok_or(CertError::DateOutOfRange)?;
    let not_after = now
        .checked_add(validity)
        .and_then(|t| t.replace_nanosecond(0).ok())
        .ok_or(CertError::DateOutOfRange)?;

    let serial = random_serial();
    let extension = wanted.to_der().map_err(CertError::Number)?;

    let mut params = CertificateParams::default();
    params.not_before = not_before;
    params.not_after = not_after;
    params.serial_number = Some(SerialNumber::from_slice(&serial));
    params.distinguished_name = DistinguishedName::new();
    params
        .distinguished_name
        .push(DnType::CommonName, digits.clone());
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    params.use_authority_key_identifier_extension = true;
    // Non-critical: see the module documentation.
    params.custom_extensions = vec![CustomExtension::from_oid_content(
        ID_PE_TNAUTHLIST,
        extension,
    )];

    let certificate = params
        .signed_by(&public_key, issuer)
        .map_err(|e| CertError::Sign(e.to_string()))?;
    Ok(Issued {
        der: certificate.der().to_vec(),
        pem: certificate.pem(),
        serial_hex: serial.iter().map(|b| format!("{b:02x}")).collect(),
        not_after,
    })
}

/// The TNAuthList a certificate carries (critical or not), decoded with the same strict
/// rules as everywhere else. The certificate's signature and dates are not checked here.
pub fn tn_auth_list_of_certificate(der: &[u8]) -> Result<TnAuthList, CertError> {
    let (rest, certificate) =
        X509Certificate::from_der(der).map_err(|e| CertError::Malformed(e.to_string()))?;
    if !rest.is_empty() {
        return Err(CertError::TrailingBytes);
    }
    let mut found = None;
    for extension in certificate.extensions() {
        if oid_is(&extension.oid, ID_PE_TNAUTHLIST) {
            if found.is_some() {
                return Err(CertError::DuplicateTnAuthList);
            }
            found = Some(extension.value);
        }
    }
    TnAuthList::from_der(found.ok_or(CertError::MissingTnAuthList)?).map_err(CertError::TnAuthList)
}

/// 16 bytes from the operating system's CSPRNG, top bit cleared so the INTEGER is positive
/// and the next bit set so it never has a leading zero octet (its DER is then exactly these
/// 16 bytes, and `serial_hex` is what `openssl x509 -serial` prints, lowercased).
fn random_serial() -> [u8; SERIAL_LEN] {
    let mut serial = [0u8; SERIAL_LEN];
    OsRng.fill_bytes(&mut serial);
    serial[0] = (serial[0] & 0x7f) | 0x40;
    serial
}

// What OpenSSL makes of an issued certificate. Produced once with
// `ASSENT_ACME_DUMP=dir cargo test dump_for_openssl`, then in dir (OpenSSL 3.0.22):
//
// $ openssl x509 -in leaf.pem -text -noout
//         Version: 3 (0x2)
//         Serial Number:
//             48:29:56:8e:fb:90:b9:cd:ea:7a:32:ed:6e:8f:f5:e5
//         Signature Algorithm: ecdsa-with-SHA256
//         Issuer: CN = Assent test CA
//         Validity
//             Not Before: Nov 27 10:42:03 2026 GMT
//             Not After : Nov 28 10:43:03 2026 GMT
//         Subject: CN = 15551234567
//         Subject Public Key Info:
//             Public Key Algorithm: id-ecPublicKey
//                 Public-Key: (256 bit)
//                 ASN1 OID: prime256v1
//         X509v3 extensions:
//             X509v3 Authority Key Identifier:
//                 46:7C:44:F5:56:1B:B6:82:D7:A7:40:DE:48:A1:90:6A:E8:0A:B7:D0
//             X509v3 Key Usage: critical
//                 Digital Signature
//             X509v3 Extended Key Usage:
//                 TLS Web Client Authentication
//             X509v3 Subject Key Identifier:
//                 B7:A4:98:10:78:4E:6D:B2:C3:E4:4A:51:52:8B:4B:47:BD:96:3A:4D
//             X509v3 Basic Constraints: critical
//                 CA:FALSE
//             1.3.6.1.5.5.7.1.26:
//                 0....15551234567
// $ openssl asn1parse -in leaf.pem -strparse 350      (the TNAuthList extnValue)
//     0:d=0  hl=2 l=  15 cons: SEQUENCE
//     2:d=1  hl=2 l=  13 cons: cont [ 2 ]
//     4:d=2  hl=2 l=  11 prim: IA5STRING         :15551234567
// $ openssl verify -CAfile ca.pem -purpose sslclient leaf.pem
// leaf.pem: OK
// $ openssl req -inform der -in leaf.csr -noout -verify
// Certificate request self-signature verify OK
//
// (OpenSSL has no name for the TNAuthList OID and prints its DER raw; the serial is the
// 16 random bytes, and the validity spans 1 day + the 1-minute backdate.)
#[cfg(test)]
mod tests {
    use super::*;
    use rcgen::{BasicConstraints, PKCS_ECDSA_P256_SHA256, PKCS_ED25519, PublicKeyData as _};
    use x509_parser::extensions::ParsedExtension;

    use crate::csr::build_csr;
    use crate::tnauthlist::TnEntry;

    const NUMBER: &str = "15551234567";

    struct Ca {
        der: Vec<u8>,
        issuer: Issuer<'static, KeyPair>,
    }

    fn new_ca() -> Ca {
        let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap();
        let mut params = CertificateParams::default();
        params.distinguished_name = DistinguishedName::new();
        params
            .distinguished_name
            .push(DnType::CommonName, "Assent test CA");
        params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let now = OffsetDateTime::now_utc();
        params.not_before = now - Duration::days(1);
        params.not_after = now + Duration::days(365);
        let der = params.self_signed(&key).unwrap().der().to_vec();
        Ca {
            der,
            issuer: Issuer::new(params, key),
        }
    }

    fn device() -> KeyPair {
        KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap()
    }

    fn parse(der: &[u8]) -> X509Certificate<'_> {
        let (rest, cert) = X509Certificate::from_der(der).unwrap();
        assert!(rest.is_empty());
        cert
    }

    #[test]
    fn rfc_8226_9_issued_certificate_carries_one_number() {
        let ca = new_ca();
        let key = device();
        let csr = build_csr(NUMBER, &key).unwrap();
        let issued = issue(&csr, NUMBER, &ca.issuer, Duration::days(1)).unwrap();
        let cert = parse(&issued.der);

        let tn: Vec<_> = cert
            .extensions()
            .iter()
            .filter(|e| oid_is(&e.oid, ID_PE_TNAUTHLIST))
            .collect();
        assert_eq!(tn.len(), 1);
        assert!(!tn[0].critical, "TNAuthList is issued non-critical");
        let expected = TnAuthList(vec![TnEntry::One(NUMBER.into())]);
        assert_eq!(TnAuthList::from_der(tn[0].value).unwrap(), expected);
        assert_eq!(tn_auth_list_of_certificate(&issued.der).unwrap(), expected);
        // RFC 8226 §9 / pyasn1 vector: 30 0f a2 0d 16 0b "15551234567".
        assert_eq!(tn[0].value[..4], [0x30, 0x0f, 0xa2, 0x0d]);
    }

    #[test]
    fn rfc_5280_6_chain_verifies_against_the_ca() {
        let ca = new_ca();
        let csr = build_csr(NUMBER, &device()).unwrap();
        let issued = issue(&csr, NUMBER, &ca.issuer, Duration::days(1)).unwrap();
        let cert = parse(&issued.der);
        let ca_cert = parse(&ca.der);

        cert.verify_signature(Some(ca_cert.public_key())).unwrap();
        assert_eq!(cert.issuer(), ca_cert.subject());
        // Another CA's key does not verify it.
        let other = new_ca();
        let other_cert = parse(&other.der);
        assert!(
            cert.verify_signature(Some(other_cert.public_key()))
                .is_err()
        );

        // authorityKeyIdentifier = the CA's subjectKeyIdentifier (RFC 5280 §4.2.1.1).
        let ski = ca_cert
            .extensions()
            .iter()
            .find_map(|e| match e.parsed_extension() {
                ParsedExtension::SubjectKeyIdentifier(k) => Some(k.0.to_vec()),
                _ => None,
            })
            .unwrap();
        let aki = cert
            .extensions()
            .iter()
            .find_map(|e| match e.parsed_extension() {
                ParsedExtension::AuthorityKeyIdentifier(a) => {
                    a.key_identifier.as_ref().map(|k| k.0.to_vec())
                }
                _ => None,
            })
            .unwrap();
        assert_eq!(aki, ski);
    }

    #[test]
    fn rfc_5280_6_issuer_loaded_from_its_certificate() {
        // The gateway keeps the CA as a certificate and a key; issuing through an Issuer
        // rebuilt from them chains the same way.
        let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap();
        let mut params = CertificateParams::default();
        params.distinguished_name = DistinguishedName::new();
        params
            .distinguished_name
            .push(DnType::CommonName, "Assent test CA");
        params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign];
        let ca_pem = params.self_signed(&key).unwrap().pem();
        let issuer = Issuer::from_ca_cert_pem(&ca_pem, key).unwrap();

        let csr = build_csr(NUMBER, &device()).unwrap();
        let issued = issue(&csr, NUMBER, &issuer, Duration::days(1)).unwrap();
        let (_, ca_pem) = x509_parser::pem::parse_x509_pem(ca_pem.as_bytes()).unwrap();
        let ca_cert = parse(&ca_pem.contents);
        let cert = parse(&issued.der);
        cert.verify_signature(Some(ca_cert.public_key())).unwrap();
        assert_eq!(cert.issuer(), ca_cert.subject());
    }

    #[test]
    fn rfc_5280_4_1_2_5_validity() {
        let ca = new_ca();
        let csr = build_csr(NUMBER, &device()).unwrap();
        let now = OffsetDateTime::now_utc();
        let issued = issue_at(&csr, NUMBER, &ca.issuer, MAX_VALIDITY, now).unwrap();
        let cert = parse(&issued.der);
        let not_before = cert.validity().not_before.to_datetime();
        let not_after = cert.validity().not_after.to_datetime();
        let now_s = now.replace_nanosecond(0).unwrap();
        assert_eq!(not_before, now_s - Duration::minutes(1));
        assert_eq!(not_after, now_s + Duration::days(30));
        assert_eq!(issued.not_after, not_after);
        assert!(not_after - now <= MAX_VALIDITY);
        assert_eq!(not_after - not_before, MAX_VALIDITY + BACKDATE);

        // A short one, read from the clock.
        let short = issue(&csr, NUMBER, &ca.issuer, Duration::minutes(10)).unwrap();
        let cert = parse(&short.der);
        let span =
            cert.validity().not_after.to_datetime() - cert.validity().not_before.to_datetime();
        assert_eq!(span, Duration::minutes(11));
        assert!(cert.validity().is_valid());
    }

    #[test]
    fn rfc_5280_4_1_2_5_validity_limits_refused() {
        let ca = new_ca();
        let csr = build_csr(NUMBER, &device()).unwrap();
        let too_long = MAX_VALIDITY + Duration::seconds(1);
        assert_eq!(
            issue(&csr, NUMBER, &ca.issuer, too_long),
            Err(CertError::ValidityTooLong(too_long))
        );
        assert_eq!(
            issue(&csr, NUMBER, &ca.issuer, Duration::days(365)),
            Err(CertError::ValidityTooLong(Duration::days(365)))
        );
        assert_eq!(
            issue(&csr, NUMBER, &ca.issuer, Duration::ZERO),
            Err(CertError::ValidityNotPositive(Duration::ZERO))
        );
        assert_eq!(
            issue(&csr, NUMBER, &ca.issuer, Duration::days(-1)),
            Err(CertError::ValidityNotPositive(Duration::days(-1)))
        );
    }

    #[test]
    fn rfc_5280_4_1_2_2_random_serial() {
        let ca = new_ca();
        let csr = build_csr(NUMBER, &device()).unwrap();
        let a = issue(&csr, NUMBER, &ca.issuer, Duration::days(1)).unwrap();
        let b = issue(&csr, NUMBER, &ca.issuer, Duration::days(1)).unwrap();
        assert_ne!(a.serial_hex, b.serial_hex);
        for issued in [a, b] {
            let cert = parse(&issued.der);
            let raw = cert.raw_serial();
            assert_eq!(raw.len(), SERIAL_LEN, "at least 64 bits, here 128 drawn");
            assert!(raw[0] & 0x80 == 0, "positive");
            let hex: String = raw.iter().map(|b| format!("{b:02x}")).collect();
            assert_eq!(issued.serial_hex, hex);
        }
    }

    #[test]
    fn rfc_5280_4_2_profile() {
        let ca = new_ca();
        let key = device();
        let csr = build_csr(NUMBER, &key).unwrap();
        let issued = issue(&csr, &format!("+{NUMBER}"), &ca.issuer, Duration::days(1)).unwrap();
        let cert = parse(&issued.der);

        // Subject: CN=the number, and nothing else; no SAN.
        let cns: Vec<_> = cert
            .subject()
            .iter_common_name()
            .map(|cn| cn.as_str().unwrap().to_owned())
            .collect();
        assert_eq!(cns, [NUMBER]);
        assert_eq!(cert.subject().iter_attributes().count(), 1);
        assert!(cert.subject_alternative_name().unwrap().is_none());

        // The key is the CSR's.
        assert_eq!(cert.public_key().raw, key.subject_public_key_info());

        // keyUsage digitalSignature only, critical (RFC 5280 §4.2.1.3).
        let ku = cert.key_usage().unwrap().unwrap();
        assert!(ku.critical);
        assert!(ku.value.digital_signature());
        assert_eq!(ku.value.flags, 1);
        // extendedKeyUsage clientAuth only (RFC 5280 §4.2.1.12).
        let eku = cert.extended_key_usage().unwrap().unwrap();
        assert!(eku.value.client_auth);
        assert!(!eku.value.server_auth && !eku.value.any && eku.value.other.is_empty());
        // basicConstraints CA:FALSE (RFC 5280 §4.2.1.9).
        let bc = cert.basic_constraints().unwrap().unwrap();
        assert!(!bc.value.ca);
        assert!(!cert.is_ca());
        assert_eq!(cert.version(), x509_parser::x509::X509Version::V3);
    }

    #[test]
    fn rfc_8410_ed25519_device_key() {
        let ca = new_ca();
        let key = KeyPair::generate_for(&PKCS_ED25519).unwrap();
        let csr = build_csr(NUMBER, &key).unwrap();
        let issued = issue(&csr, NUMBER, &ca.issuer, Duration::days(1)).unwrap();
        let cert = parse(&issued.der);
        assert_eq!(cert.public_key().raw, key.subject_public_key_info());
        cert.verify_signature(Some(parse(&ca.der).public_key()))
            .unwrap();
        assert_eq!(
            tn_auth_list_of_certificate(&issued.der)
                .unwrap()
                .single_number(),
            Some(NUMBER)
        );
    }

    #[test]
    fn rfc_9448_csr_for_another_number_refused() {
        let ca = new_ca();
        let csr = build_csr("15550000000", &device()).unwrap();
        assert_eq!(
            issue(&csr, NUMBER, &ca.issuer, Duration::days(1)),
            Err(CertError::NumberMismatch {
                csr: "15550000000".into(),
                order: NUMBER.into()
            })
        );
        assert!(matches!(
            issue(&csr, "not a number", &ca.issuer, Duration::days(1)),
            Err(CertError::Number(TnError::NotE164(_)))
        ));
        let mut tampered = csr.clone();
        let last = tampered.len() - 1;
        tampered[last] ^= 1;
        assert_eq!(
            issue(&tampered, "15550000000", &ca.issuer, Duration::days(1)),
            Err(CertError::Csr(CsrError::BadSignature))
        );
    }

    #[test]
    fn rfc_8226_9_certificate_without_tnauthlist() {
        let ca = new_ca();
        assert_eq!(
            tn_auth_list_of_certificate(&ca.der),
            Err(CertError::MissingTnAuthList)
        );
        assert!(matches!(
            tn_auth_list_of_certificate(b"not a certificate"),
            Err(CertError::Malformed(_))
        ));
        let csr = build_csr(NUMBER, &device()).unwrap();
        let mut der = issue(&csr, NUMBER, &ca.issuer, Duration::days(1))
            .unwrap()
            .der;
        der.push(0);
        assert_eq!(
            tn_auth_list_of_certificate(&der),
            Err(CertError::TrailingBytes)
        );
    }

    #[test]
    fn rfc_7468_5_pem_matches_der() {
        let ca = new_ca();
        let csr = build_csr(NUMBER, &device()).unwrap();
        let issued = issue(&csr, NUMBER, &ca.issuer, Duration::days(1)).unwrap();
        assert!(issued.pem.starts_with("-----BEGIN CERTIFICATE-----"));
        let (_, pem) = x509_parser::pem::parse_x509_pem(issued.pem.as_bytes()).unwrap();
        assert_eq!(pem.contents, issued.der);
    }

    /// Writes a CA and an issued certificate to $ASSENT_ACME_DUMP for inspection with
    /// openssl; does nothing unless the variable is set.
    #[test]
    fn dump_for_openssl() {
        let Ok(dir) = std::env::var("ASSENT_ACME_DUMP") else {
            return;
        };
        let ca = new_ca();
        let csr = build_csr(NUMBER, &device()).unwrap();
        let issued = issue(&csr, NUMBER, &ca.issuer, Duration::days(1)).unwrap();
        let dir = std::path::Path::new(&dir);
        std::fs::write(dir.join("ca.der"), &ca.der).unwrap();
        std::fs::write(dir.join("leaf.pem"), &issued.pem).unwrap();
        std::fs::write(dir.join("leaf.csr"), &csr).unwrap();
    }
}
