//! TLS material in the data directory: a local CA (`ca.pem`, key `ca-key.pem`, 0600) made on
//! first run and kept, and a server certificate it signs for localhost, 127.0.0.1 and ::1 at
//! every start. The server speaks TLS 1.3 only (rustls).

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, SanType,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::path::Path;
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot read or write {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("certificate generation failed: {0}")]
    Certificate(#[from] rcgen::Error),
    #[error("TLS configuration failed: {0}")]
    Rustls(#[from] rustls::Error),
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> TlsError + '_ {
    move |source| TlsError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// The server's certificate chain and key, ready for rustls.
#[derive(Debug)]
pub struct ServerIdentity {
    pub chain: Vec<CertificateDer<'static>>,
    pub key: PrivatePkcs8KeyDer<'static>,
    pub ca_pem: String,
}

/// Loads the CA from `dir` (creating it on first run) and issues a fresh server certificate.
pub fn load_or_create(dir: &Path) -> Result<ServerIdentity, TlsError> {
    let ca_path = dir.join("ca.pem");
    let ca_key_path = dir.join("ca-key.pem");
    // Key first, then the certificate over it, each made once and atomically: instances
    // starting at once on a new directory end with one CA (a certificate exists only after
    // its key, and whichever certificate won is over the key that won).
    let key_pem = crate::base::secrets::read_or_create(&ca_key_path, true, || {
        KeyPair::generate()
            .map(|key| key.serialize_pem().into_bytes())
            .map_err(std::io::Error::other)
    })
    .map_err(io_error(&ca_key_path))?;
    let key_pem =
        String::from_utf8(key_pem).map_err(|e| io_error(&ca_key_path)(std::io::Error::other(e)))?;
    let ca_key = KeyPair::from_pem(&key_pem)?;
    let ca_pem = crate::base::secrets::read_or_create(&ca_path, false, || {
        let mut params =
            CertificateParams::new(Vec::<String>::new()).map_err(std::io::Error::other)?;
        let mut name = DistinguishedName::new();
        name.push(DnType::CommonName, "Assent gateway local CA");
        name.push(DnType::OrganizationName, "Assent (local, for QA)");
        params.distinguished_name = name;
        params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        params.not_after = time::OffsetDateTime::now_utc() + time::Duration::days(3650);
        let cert = params.self_signed(&ca_key).map_err(std::io::Error::other)?;
        Ok(cert.pem().into_bytes())
    })
    .map_err(io_error(&ca_path))?;
    let ca_pem =
        String::from_utf8(ca_pem).map_err(|e| io_error(&ca_path)(std::io::Error::other(e)))?;
    let issuer = Issuer::from_ca_cert_pem(&ca_pem, &ca_key)?;

    let server_key = KeyPair::generate()?;
    let mut params = CertificateParams::new(vec!["localhost".to_owned()])?;
    params
        .subject_alt_names
        .push(SanType::IpAddress([127, 0, 0, 1].into()));
    params
        .subject_alt_names
        .push(SanType::IpAddress(std::net::Ipv6Addr::LOCALHOST.into()));
    params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.not_after = time::OffsetDateTime::now_utc() + time::Duration::days(90);
    let cert = params.signed_by(&server_key, &issuer)?;
    let ca_der =
        rustls::pki_types::pem::PemObject::from_pem_slice(ca_pem.as_bytes()).map_err(|e| {
            TlsError::Io {
                path: "ca.pem".into(),
                source: std::io::Error::other(e),
            }
        })?;
    Ok(ServerIdentity {
        chain: vec![cert.der().clone(), ca_der],
        key: PrivatePkcs8KeyDer::from(server_key.serialize_der()),
        ca_pem,
    })
}

/// rustls server configuration: TLS 1.3 only, HTTP/2 and HTTP/1.1.
pub fn server_config(identity: &ServerIdentity) -> Result<Arc<rustls::ServerConfig>, TlsError> {
    let mut config =
        rustls::ServerConfig::builder_with_protocol_versions(&[&rustls::version::TLS13])
            .with_no_client_auth()
            .with_single_cert(
                identity.chain.clone(),
                PrivateKeyDer::Pkcs8(identity.key.clone_key()),
            )?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}
