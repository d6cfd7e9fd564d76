//! Secrets — the ACME account key, the device key (which is also the certificate's key) and
//! the device API's token — live only in the OS keyring, through the `keyring` crate: the
//! Secret Service on Linux desktops, the Keychain on macOS and iOS, the Credential Manager on
//! Windows. Nothing secret is written to the profile folder, and there is no silent
//! in-memory fallback: without a keyring the app says so and stops. Tests hand in
//! `keyring_core`'s mock store explicitly ([`Secrets::in_store`]).

use keyring_core::{CredentialStore, Entry};
use sha2::{Digest, Sha256};
use std::path::Path;
use std::sync::Arc;

/// The keyring's service name: every entry of Assent is filed under it.
pub const SERVICE: &str = "assent";

#[derive(Debug, thiserror::Error)]
pub enum SecretsError {
    /// No keyring service at all (no D-Bus session, no Secret Service).
    #[error(
        "no keyring is available to keep this device's keys ({0}); on Linux, start a desktop \
         session or a Secret Service such as gnome-keyring"
    )]
    Unavailable(String),
    /// The keyring exists but is locked or refused access.
    #[error("the keyring refused access ({0}); unlock it and try again")]
    Locked(String),
    #[error("the keyring failed: {0}")]
    Failed(String),
    #[error("the secret {0} in the keyring is damaged")]
    Damaged(&'static str),
}

impl From<keyring_core::Error> for SecretsError {
    fn from(error: keyring_core::Error) -> Self {
        use keyring_core::Error as E;
        match error {
            E::NoStorageAccess(_) => SecretsError::Locked(error.to_string()),
            E::NoDefaultStore | E::PlatformFailure(_) => {
                SecretsError::Unavailable(error.to_string())
            }
            other => SecretsError::Failed(other.to_string()),
        }
    }
}

/// One secret of a profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Secret {
    /// The ACME account key (PKCS#8 PEM).
    AccountKey,
    /// The device key: the key of the number's certificate (PKCS#8 PEM).
    DeviceKey,
    /// A key made for a certificate not yet issued (PKCS#8 PEM); it becomes the device key.
    PendingDeviceKey,
}

impl Secret {
    pub fn name(self) -> &'static str {
        match self {
            Secret::AccountKey => "account-key",
            Secret::DeviceKey => "device-key",
            Secret::PendingDeviceKey => "pending-device-key",
        }
    }
}

/// The secrets of one profile (one profile folder), in one credential store.
#[derive(Clone)]
pub struct Secrets {
    store: Arc<CredentialStore>,
    /// Distinguishes profiles in the one keyring: a hash of the profile folder's path.
    profile: String,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Secrets")
            .field("profile", &self.profile)
            .finish_non_exhaustive()
    }
}

impl Secrets {
    /// The OS keyring, checked usable now (a locked keyring only shows on first use).
    pub async fn os(profile_dir: &Path) -> Result<Self, SecretsError> {
        let profile = profile_id(profile_dir);
        let store = blocking(|| {
            keyring::Entry::store_status()
                .as_ref()
                .map_err(|e| SecretsError::Unavailable(e.to_string()))?;
            keyring_core::get_default_store()
                .ok_or_else(|| SecretsError::Unavailable("no default store".into()))
        })
        .await?;
        let secrets = Secrets { store, profile };
        // Probe: reading an absent entry proves the keyring is reachable and unlocked.
        secrets.get(Secret::AccountKey).await?;
        Ok(secrets)
    }

    /// A given store: tests pass `keyring_core::mock::Store`.
    pub fn in_store(store: Arc<CredentialStore>, profile_dir: &Path) -> Self {
        Secrets {
            store,
            profile: profile_id(profile_dir),
        }
    }

    fn entry(&self, secret: Secret) -> Result<Entry, SecretsError> {
        Ok(Entry::new_in_store(
            &self.store,
            SERVICE,
            &format!("{}/{}", self.profile, secret.name()),
        )?)
    }

    /// The secret's bytes, `None` if there is none.
    pub async fn get(&self, secret: Secret) -> Result<Option<Vec<u8>>, SecretsError> {
        let entry = self.entry(secret)?;
        blocking(move || match entry.get_secret() {
            Ok(bytes) => Ok(Some(bytes)),
            Err(keyring_core::Error::NoEntry) => Ok(None),
            Err(other) => Err(other.into()),
        })
        .await
    }

    pub async fn set(&self, secret: Secret, bytes: Vec<u8>) -> Result<(), SecretsError> {
        let entry = self.entry(secret)?;
        blocking(move || Ok(entry.set_secret(&bytes)?)).await
    }

    /// Deletes the secret; deleting an absent one is not an error.
    pub async fn delete(&self, secret: Secret) -> Result<(), SecretsError> {
        let entry = self.entry(secret)?;
        blocking(move || match entry.delete_credential() {
            Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
            Err(other) => Err(other.into()),
        })
        .await
    }

    /// A signing key kept as PKCS#8 PEM.
    pub async fn key(
        &self,
        secret: Secret,
    ) -> Result<Option<assent_acme::jws::SigningKey>, SecretsError> {
        let Some(bytes) = self.get(secret).await? else {
            return Ok(None);
        };
        let pem = String::from_utf8(bytes).map_err(|_| SecretsError::Damaged(secret.name()))?;
        assent_acme::jws::SigningKey::from_pkcs8_pem(&pem)
            .map(Some)
            .map_err(|_| SecretsError::Damaged(secret.name()))
    }

    pub async fn set_key(
        &self,
        secret: Secret,
        key: &assent_acme::jws::SigningKey,
    ) -> Result<(), SecretsError> {
        self.set(secret, key.to_pkcs8_pem().into_bytes()).await
    }
}

/// Keyring calls are blocking D-Bus round trips (and zbus's own executor must not run inside
/// tokio's): they run on the blocking pool.
async fn blocking<T: Send + 'static>(
    call: impl FnOnce() -> Result<T, SecretsError> + Send + 'static,
) -> Result<T, SecretsError> {
    tokio::task::spawn_blocking(call)
        .await
        .map_err(|e| SecretsError::Failed(format!("the keyring call did not finish: {e}")))?
}

fn profile_id(profile_dir: &Path) -> String {
    let canonical = profile_dir
        .canonicalize()
        .unwrap_or_else(|_| profile_dir.to_path_buf());
    let digest = Sha256::digest(canonical.to_string_lossy().as_bytes());
    format!(
        "profile-{}",
        hex::encode(digest.get(..8).unwrap_or_default())
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn secrets(dir: &Path) -> Secrets {
        Secrets::in_store(keyring_core::mock::Store::new().unwrap(), dir)
    }

    #[tokio::test]
    async fn keys_round_trip_and_delete() {
        let dir = tempfile::tempdir().unwrap();
        let secrets = secrets(dir.path());
        assert!(secrets.key(Secret::DeviceKey).await.unwrap().is_none());
        let key = assent_acme::jws::SigningKey::generate_es256();
        secrets.set_key(Secret::DeviceKey, &key).await.unwrap();
        let back = secrets.key(Secret::DeviceKey).await.unwrap().unwrap();
        assert_eq!(back.public().thumbprint(), key.public().thumbprint());
        secrets.delete(Secret::DeviceKey).await.unwrap();
        secrets.delete(Secret::DeviceKey).await.unwrap();
        assert!(secrets.get(Secret::DeviceKey).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn a_damaged_key_is_said_so() {
        let dir = tempfile::tempdir().unwrap();
        let secrets = secrets(dir.path());
        secrets
            .set(Secret::AccountKey, b"not a key".to_vec())
            .await
            .unwrap();
        assert!(matches!(
            secrets.key(Secret::AccountKey).await,
            Err(SecretsError::Damaged("account-key"))
        ));
    }

    #[test]
    fn profiles_do_not_share_entries() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        assert_ne!(profile_id(a.path()), profile_id(b.path()));
        assert_eq!(profile_id(a.path()), profile_id(a.path()));
    }
}
