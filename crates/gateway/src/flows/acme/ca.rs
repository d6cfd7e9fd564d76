//! The ACME CA: a CA of its own (not the TLS CA), in `DIR/acme-ca.pem` and
//! `DIR/acme-ca-key.pem` (0600), made on first run; and the key of the codes' keyed hashes,
//! `DIR/keys/acme-code.key` (0600).

use rcgen::{
    BasicConstraints, CertificateParams, CidrSubnet, DistinguishedName, DnType, GeneralSubtree,
    IsCa, Issuer, KeyPair, KeyUsagePurpose, NameConstraints,
};
use std::path::Path;

/// The CA certifies telephone numbers (TNAuthList, RFC 8226) and nothing else: its name
/// constraints (RFC 5280 §4.2.1.10) exclude every DNS name (the empty name matches them
/// all), every IPv4 and IPv6 address and every e-mail address, so that even a leaf it was
/// tricked into signing cannot serve TLS or S/MIME under any name a verifier checks.
fn numbers_only() -> NameConstraints {
    NameConstraints {
        permitted_subtrees: Vec::new(),
        excluded_subtrees: vec![
            GeneralSubtree::DnsName(String::new()),
            GeneralSubtree::IpAddress(CidrSubnet::V4([0; 4], [0; 4])),
            GeneralSubtree::IpAddress(CidrSubnet::V6([0; 16], [0; 16])),
            GeneralSubtree::Rfc822Name(String::new()),
        ],
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AcmeCaError {
    #[error("ACME CA {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("ACME CA: {0}")]
    Rcgen(#[from] rcgen::Error),
}

pub struct AcmeCa {
    issuer: Issuer<'static, KeyPair>,
    pem: String,
    code_key: [u8; 32],
    /// Derived from `code_key`: every process with the data directory's keys recognises
    /// the nonces of the others.
    nonce_key: assent_acme::nonce::NonceKey,
}

impl std::fmt::Debug for AcmeCa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AcmeCa(…)")
    }
}

impl AcmeCa {
    pub fn load_or_create(dir: &Path) -> Result<Self, AcmeCaError> {
        let io = |path: &Path| {
            let path = path.display().to_string();
            move |source| AcmeCaError::Io { path, source }
        };
        let cert_path = dir.join("acme-ca.pem");
        let key_path = dir.join("acme-ca-key.pem");
        // Key first, then the certificate over it, each made once and atomically: instances
        // starting at once on a new directory end with one CA.
        let key_pem = crate::base::secrets::read_or_create(&key_path, true, || {
            KeyPair::generate()
                .map(|key| key.serialize_pem().into_bytes())
                .map_err(std::io::Error::other)
        })
        .map_err(io(&key_path))?;
        let key_pem =
            String::from_utf8(key_pem).map_err(|e| io(&key_path)(std::io::Error::other(e)))?;
        let key = KeyPair::from_pem(&key_pem)?;
        let pem = crate::base::secrets::read_or_create(&cert_path, false, || {
            let mut params =
                CertificateParams::new(Vec::<String>::new()).map_err(std::io::Error::other)?;
            let mut name = DistinguishedName::new();
            name.push(DnType::CommonName, "Assent number verification CA");
            name.push(DnType::OrganizationName, "Assent (local, for QA)");
            params.distinguished_name = name;
            params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
            params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
            params.name_constraints = Some(numbers_only());
            params.not_after = time::OffsetDateTime::now_utc() + time::Duration::days(3650);
            let cert = params.self_signed(&key).map_err(std::io::Error::other)?;
            Ok(cert.pem().into_bytes())
        })
        .map_err(io(&cert_path))?;
        let pem = String::from_utf8(pem).map_err(|e| io(&cert_path)(std::io::Error::other(e)))?;
        let issuer = Issuer::from_ca_cert_pem(&pem, key)?;
        let code_path = dir.join("keys").join("acme-code.key");
        let code = crate::base::secrets::read_or_create(&code_path, true, || {
            let mut key = [0u8; 32];
            rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut key);
            Ok(key.to_vec())
        })
        .map_err(io(&code_path))?;
        // Another length is not this key: refuse to start rather than replace it (every
        // pending code would stop matching).
        let code_key = <[u8; 32]>::try_from(code.as_slice()).map_err(|_| {
            io(&code_path)(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "expected 32 bytes",
            ))
        })?;
        Ok(AcmeCa {
            issuer,
            pem,
            nonce_key: assent_acme::nonce::NonceKey::derive(&code_key),
            code_key,
        })
    }

    pub fn issuer(&self) -> &Issuer<'static, KeyPair> {
        &self.issuer
    }

    /// The CA certificate, PEM (the end of every chain served).
    pub fn pem(&self) -> &str {
        &self.pem
    }

    /// The key of the codes' keyed hashes.
    pub fn code_key(&self) -> &[u8] {
        &self.code_key
    }

    /// The key replay nonces are minted and checked with.
    pub fn nonce_key(&self) -> &assent_acme::nonce::NonceKey {
        &self.nonce_key
    }
}
