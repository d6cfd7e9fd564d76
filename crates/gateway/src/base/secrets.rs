//! Secrets at rest: salted hashes compared in constant time, and private files only the owner
//! can read.
//!
//! Client secrets are hashed with SHA-256 over a random salt rather than a slow password hash:
//! the token endpoint checks one per request (performance target in docs/performance.md), and
//! secrets are issued by the gateway with 256 bits of entropy in production — a slow hash
//! protects low-entropy human passwords, which these are not. The demo secrets are public.

use rand::RngCore;
use sha2::{Digest, Sha256};
use std::path::Path;
use subtle::ConstantTimeEq;

/// `sha256$<salt hex>$<digest hex>`.
pub fn hash_secret(secret: &str) -> String {
    let mut salt = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut salt);
    format!(
        "sha256${}${}",
        hex::encode(salt),
        hex::encode(digest(&salt, secret))
    )
}

/// Checks `secret` against a stored hash in constant time; a malformed hash never matches.
pub fn verify_secret(stored: &str, secret: &str) -> bool {
    let mut parts = stored.split('$');
    let (Some("sha256"), Some(salt), Some(expected), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let (Ok(salt), Ok(expected)) = (hex::decode(salt), hex::decode(expected)) else {
        return false;
    };
    digest(&salt, secret).as_slice().ct_eq(&expected).into()
}

fn digest(salt: &[u8], secret: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(salt);
    h.update(secret.as_bytes());
    h.finalize().into()
}

/// Writes a file readable by its owner only (0600 on Unix).
pub fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(contents)
}

/// The contents of `path`, made by `make` and written there if the file does not exist yet.
/// Creation is atomic and never clobbers: the contents go to a temporary file in the same
/// folder (owner-only when `private`), synced, which is then hard-linked to `path` — the link
/// fails if `path` exists. So instances starting at once on a new data directory end with one
/// key, the losers read the winner's, and nobody ever reads a half-written file (an exclusive
/// create of `path` itself would expose it empty until written).
pub fn read_or_create(
    path: &Path,
    private: bool,
    make: impl FnOnce() -> std::io::Result<Vec<u8>>,
) -> std::io::Result<Vec<u8>> {
    use std::io::Write;
    match std::fs::read(path) {
        Ok(bytes) => return Ok(bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let contents = make()?;
    let mut nonce = [0u8; 8];
    rand::thread_rng().fill_bytes(&mut nonce);
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let temporary = dir.join(format!(".{name}.{}.tmp", hex::encode(nonce)));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    if private {
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    }
    #[cfg(not(unix))]
    let _ = private;
    let written = options.open(&temporary).and_then(|mut file| {
        file.write_all(&contents)?;
        file.sync_all()
    });
    let linked = written.and_then(|()| std::fs::hard_link(&temporary, path));
    let _ = std::fs::remove_file(&temporary);
    match linked {
        Ok(()) => {
            // The new name is durable only once its folder is (best effort: not every
            // platform lets a folder be opened and synced).
            if let Ok(folder) = std::fs::File::open(dir) {
                let _ = folder.sync_all();
            }
            Ok(contents)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => std::fs::read(path),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_verify_only_against_their_own_hash() {
        let stored = hash_secret("demo-sp-secret");
        assert!(verify_secret(&stored, "demo-sp-secret"));
        assert!(!verify_secret(&stored, "demo-sp-secreT"));
        assert!(!verify_secret(&stored, ""));
        assert_ne!(stored, hash_secret("demo-sp-secret"), "salted");
        assert!(!verify_secret("plain", "plain"));
        assert!(!verify_secret("sha256$zz$00", "x"));
    }

    #[test]
    fn a_file_is_created_once_and_then_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys").join("k");
        let first = read_or_create(&path, true, || Ok(b"first".to_vec())).unwrap();
        let second = read_or_create(&path, true, || Ok(b"second".to_vec())).unwrap();
        assert_eq!(
            (first.as_slice(), second.as_slice()),
            (&b"first"[..], &b"first"[..])
        );
        assert_eq!(std::fs::read(&path).unwrap(), b"first");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // No temporary file is left behind.
        assert_eq!(
            std::fs::read_dir(path.parent().unwrap()).unwrap().count(),
            1
        );
    }
}
