//! The ACME CA: a CA of its own (not the TLS CA), in `DIR/acme-ca.pem` and
//! `DIR/acme-ca-key.pem` (0600), made on first run, and in generations after it: each lives a
//! year, and 60 days before its end the next one (`DIR/acme-ca-YYYYMMDD.pem`) takes over, so
//! a certificate (30 days at most) never outlives the CA that signed it; certificates keep
//! the chain they were issued with. And the key of the codes' keyed hashes,
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

/// How long a CA generation lives, and how long before its end the next one takes over:
/// more than the longest certificate (30 days, `assent_acme::cert::MAX_VALIDITY`), so every
/// certificate a generation signs ends before it does.
pub const GENERATION_LIFETIME: time::Duration = time::Duration::days(365);
pub const RENEW_BEFORE: time::Duration = time::Duration::days(60);

/// One CA certificate and its key: `DIR/acme-ca.pem` for the first, `DIR/acme-ca-YYYYMMDD.pem`
/// for each later one (the day it was made), each beside its `-key.pem`.
pub struct Generation {
    pub issuer: Issuer<'static, KeyPair>,
    /// The CA certificate, PEM (the end of every chain it signs).
    pub pem: String,
    pub not_after: time::OffsetDateTime,
}

impl std::fmt::Debug for Generation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Generation(until {})", self.not_after)
    }
}

pub struct AcmeCa {
    dir: std::path::PathBuf,
    current: std::sync::Mutex<std::sync::Arc<Generation>>,
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

fn io_error(path: &Path) -> impl Fn(std::io::Error) -> AcmeCaError {
    let path = path.display().to_string();
    move |source| AcmeCaError::Io {
        path: path.clone(),
        source,
    }
}

/// Reads the generation `name` (`acme-ca`, `acme-ca-YYYYMMDD`) of `dir`, making it first if
/// it does not exist: the key, then the certificate over it, each made once and atomically,
/// so instances starting at once on a new directory end with one.
fn load_generation(
    dir: &Path,
    name: &str,
    now: time::OffsetDateTime,
) -> Result<Generation, AcmeCaError> {
    let cert_path = dir.join(format!("{name}.pem"));
    let key_path = dir.join(format!("{name}-key.pem"));
    let key_pem = crate::base::secrets::read_or_create(&key_path, true, || {
        KeyPair::generate()
            .map(|key| key.serialize_pem().into_bytes())
            .map_err(std::io::Error::other)
    })
    .map_err(io_error(&key_path))?;
    let key_pem =
        String::from_utf8(key_pem).map_err(|e| io_error(&key_path)(std::io::Error::other(e)))?;
    let key = KeyPair::from_pem(&key_pem)?;
    let pem = crate::base::secrets::read_or_create(&cert_path, false, || {
        let mut params =
            CertificateParams::new(Vec::<String>::new()).map_err(std::io::Error::other)?;
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, "Assent number verification CA");
        dn.push(DnType::OrganizationName, "Assent (local, for QA)");
        params.distinguished_name = dn;
        params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        params.name_constraints = Some(numbers_only());
        params.not_before = now;
        params.not_after = now + GENERATION_LIFETIME;
        let cert = params.self_signed(&key).map_err(std::io::Error::other)?;
        Ok(cert.pem().into_bytes())
    })
    .map_err(io_error(&cert_path))?;
    let pem = String::from_utf8(pem).map_err(|e| io_error(&cert_path)(std::io::Error::other(e)))?;
    let not_after =
        not_after_of(&pem).map_err(|e| io_error(&cert_path)(std::io::Error::other(e)))?;
    let issuer = Issuer::from_ca_cert_pem(&pem, key)?;
    Ok(Generation {
        issuer,
        pem,
        not_after,
    })
}

/// A PEM certificate's notAfter.
fn not_after_of(pem: &str) -> Result<time::OffsetDateTime, String> {
    let (_, parsed) =
        x509_parser::pem::parse_x509_pem(pem.as_bytes()).map_err(|e| e.to_string())?;
    let cert = parsed.parse_x509().map_err(|e| e.to_string())?;
    Ok(cert.validity().not_after.to_datetime())
}

/// The generation to issue with at `now`: the one of `dir` that lives longest, while more
/// than [`RENEW_BEFORE`] of it is left; else a new one, named by today's date (made once,
/// by whichever instance gets there first).
fn newest_generation(dir: &Path, now: time::OffsetDateTime) -> Result<Generation, AcmeCaError> {
    let mut names = vec!["acme-ca".to_owned()];
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let file = entry.file_name().to_string_lossy().into_owned();
            if let Some(name) = file.strip_suffix(".pem")
                && name.starts_with("acme-ca-")
                && !name.ends_with("-key")
            {
                names.push(name.to_owned());
            }
        }
    }
    let mut best: Option<Generation> = None;
    for name in names {
        // The first generation is made on first start; later ones only when they are due.
        if name != "acme-ca" && !dir.join(format!("{name}-key.pem")).exists() {
            continue;
        }
        let generation = load_generation(dir, &name, now)?;
        // A CA made before generations (ten years, no name constraints) is retired: it is
        // never chosen again, and the certificates it signed keep their chains.
        if generation.not_after - now > GENERATION_LIFETIME {
            continue;
        }
        if best
            .as_ref()
            .is_none_or(|b| generation.not_after > b.not_after)
        {
            best = Some(generation);
        }
    }
    match best {
        Some(generation) if generation.not_after - now > RENEW_BEFORE => Ok(generation),
        _ => {
            let date = now.date();
            let name = format!(
                "acme-ca-{:04}{:02}{:02}",
                date.year(),
                u8::from(date.month()),
                date.day()
            );
            load_generation(dir, &name, now)
        }
    }
}

impl AcmeCa {
    pub fn load_or_create(dir: &Path) -> Result<Self, AcmeCaError> {
        Self::load_or_create_at(dir, time::OffsetDateTime::now_utc())
    }

    /// [`AcmeCa::load_or_create`] as if it were `now`.
    pub fn load_or_create_at(dir: &Path, now: time::OffsetDateTime) -> Result<Self, AcmeCaError> {
        let current = newest_generation(dir, now)?;
        let code_path = dir.join("keys").join("acme-code.key");
        let code = crate::base::secrets::read_or_create(&code_path, true, || {
            let mut key = [0u8; 32];
            rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut key);
            Ok(key.to_vec())
        })
        .map_err(io_error(&code_path))?;
        // Another length is not this key: refuse to start rather than replace it (every
        // pending code would stop matching).
        let code_key = <[u8; 32]>::try_from(code.as_slice()).map_err(|_| {
            io_error(&code_path)(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "expected 32 bytes",
            ))
        })?;
        Ok(AcmeCa {
            dir: dir.to_owned(),
            current: std::sync::Mutex::new(std::sync::Arc::new(current)),
            nonce_key: assent_acme::nonce::NonceKey::derive(&code_key),
            code_key,
        })
    }

    /// The generation to sign with at `now`: the current one while more than
    /// [`RENEW_BEFORE`] of it is left, else the next (another instance may have made it).
    /// A long-running gateway rotates by itself, at the first issuance that needs it.
    pub fn generation(
        &self,
        now: time::OffsetDateTime,
    ) -> Result<std::sync::Arc<Generation>, AcmeCaError> {
        // Nothing is left half-written under this lock, so a poisoned one is usable.
        let mut current = self
            .current
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if current.not_after - now <= RENEW_BEFORE {
            *current = std::sync::Arc::new(newest_generation(&self.dir, now)?);
        }
        Ok(current.clone())
    }

    /// The generation in use (tests; issuance goes through [`AcmeCa::generation`]).
    pub fn current(&self) -> std::sync::Arc<Generation> {
        self.current
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// A generation lives a year; 60 days before its end the next one takes over, made once
    /// for every instance of the directory; a certificate never outlives its CA.
    #[test]
    fn generations_rotate_before_their_end_and_once_per_directory() {
        let dir = tempfile::tempdir().unwrap();
        let t0 = time::macros::datetime!(2026-12-06 00:00 UTC);
        let ca = AcmeCa::load_or_create_at(dir.path(), t0).unwrap();
        let first = ca.generation(t0).unwrap();
        assert_eq!(first.not_after, t0 + GENERATION_LIFETIME);
        assert!(dir.path().join("acme-ca.pem").exists());
        // 100 days on: the same one.
        let later = t0 + time::Duration::days(100);
        assert_eq!(ca.generation(later).unwrap().pem, first.pem);
        // 55 days before its end: the next one, named by its day.
        let due = t0 + GENERATION_LIFETIME - time::Duration::days(55);
        let second = ca.generation(due).unwrap();
        assert_ne!(second.pem, first.pem);
        assert_eq!(second.not_after, due + GENERATION_LIFETIME);
        assert_eq!(due.date(), time::macros::date!(2027 - 10 - 12));
        assert!(dir.path().join("acme-ca-20271012.pem").exists());
        // Another instance (or a restart) on the directory takes that one, and so does a
        // third look the same day: no generation is made twice.
        let other = AcmeCa::load_or_create_at(dir.path(), due).unwrap();
        assert_eq!(other.current().pem, second.pem);
        assert_eq!(ca.generation(due).unwrap().pem, second.pem);
        let pems = std::fs::read_dir(dir.path())
            .unwrap()
            .filter(|e| {
                let name = e
                    .as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .into_owned();
                name.starts_with("acme-ca") && name.ends_with(".pem") && !name.ends_with("-key.pem")
            })
            .count();
        assert_eq!(pems, 2);
    }

    /// A data directory from before generations holds a ten-year CA without name
    /// constraints: it is retired at the next start, for a generation of its own.
    #[test]
    fn a_ten_year_ca_from_before_is_retired() {
        let dir = tempfile::tempdir().unwrap();
        let now = time::macros::datetime!(2026-12-06 00:00 UTC);
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        params.not_after = now + time::Duration::days(3650);
        let legacy = params.self_signed(&key).unwrap().pem();
        std::fs::write(dir.path().join("acme-ca.pem"), &legacy).unwrap();
        std::fs::write(dir.path().join("acme-ca-key.pem"), key.serialize_pem()).unwrap();
        let ca = AcmeCa::load_or_create_at(dir.path(), now).unwrap();
        let current = ca.generation(now).unwrap();
        assert_ne!(current.pem, legacy);
        assert_eq!(current.not_after, now + GENERATION_LIFETIME);
        assert!(dir.path().join("acme-ca-20261206.pem").exists());
    }
}
