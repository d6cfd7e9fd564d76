//! The ACME CA: a CA of its own (not the TLS CA), in `DIR/acme-ca.pem` and
//! `DIR/acme-ca-key.pem` (0600), made on first run; and the key of the codes' keyed hashes,
//! `DIR/keys/acme-code.key` (0600).

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use std::path::Path;

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
        let (pem, key) = if cert_path.exists() && key_path.exists() {
            let pem = std::fs::read_to_string(&cert_path).map_err(io(&cert_path))?;
            let key_pem = std::fs::read_to_string(&key_path).map_err(io(&key_path))?;
            (pem, KeyPair::from_pem(&key_pem)?)
        } else {
            let key = KeyPair::generate()?;
            let mut params = CertificateParams::new(Vec::<String>::new())?;
            let mut name = DistinguishedName::new();
            name.push(DnType::CommonName, "Assent number verification CA");
            name.push(DnType::OrganizationName, "Assent (local, for QA)");
            params.distinguished_name = name;
            params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
            params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
            params.not_after = time::OffsetDateTime::now_utc() + time::Duration::days(3650);
            let cert = params.self_signed(&key)?;
            crate::secrets::write_private(&key_path, key.serialize_pem().as_bytes())
                .map_err(io(&key_path))?;
            std::fs::write(&cert_path, cert.pem()).map_err(io(&cert_path))?;
            (cert.pem(), key)
        };
        let issuer = Issuer::from_ca_cert_pem(&pem, key)?;
        let code_path = dir.join("keys").join("acme-code.key");
        let code_key = match std::fs::read(&code_path) {
            Ok(bytes) if bytes.len() == 32 => {
                let mut key = [0u8; 32];
                key.copy_from_slice(&bytes);
                key
            }
            _ => {
                let mut key = [0u8; 32];
                rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut key);
                if let Some(parent) = code_path.parent() {
                    std::fs::create_dir_all(parent).map_err(io(parent))?;
                }
                crate::secrets::write_private(&code_path, &key).map_err(io(&code_path))?;
                key
            }
        };
        Ok(AcmeCa {
            issuer,
            pem,
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
}
