//! The app's settings — which gateway, which CA to trust for it, the language and the
//! display profile — kept in `settings.json` in the profile folder. Nothing secret is here.

use assent_prompt::{DeviceKind, DeviceProfile, Encoding};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

pub const FILE: &str = "settings.json";

/// The languages the app ships (the same Fluent resources as the prompts).
pub const LOCALES: [&str; 9] = ["en", "de", "fr", "es", "pt", "tr", "ar", "ja", "hi"];

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("the gateway address must be an https:// URL, not {0:?}")]
    GatewayUrl(String),
    #[error("no gateway is set: give one with --gateway URL (or in the settings)")]
    NoGateway,
    #[error("cannot read the CA file {path}: {reason}")]
    Ca { path: PathBuf, reason: String },
    #[error("{0:?} is not a language the app ships (one of {LOCALES:?})")]
    Locale(String),
    #[error("the settings file {path} is damaged: {reason}")]
    Damaged { path: PathBuf, reason: String },
    #[error("cannot save the settings in {path}: {reason}")]
    Write { path: PathBuf, reason: String },
}

/// How this device shows prompts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Display {
    /// A phone authenticator: 32 × 8 cells, 220 bytes (MC_ATTR_13).
    #[default]
    Phone,
    /// A laptop screen: no wrapping of ours, UTF-8.
    Desktop,
}

impl Display {
    pub fn profile(self) -> DeviceProfile {
        match self {
            Display::Phone => DeviceProfile::phone(),
            Display::Desktop => DeviceProfile {
                kind: DeviceKind::Screen,
                columns: None,
                rows: None,
                max_bytes: None,
                encodings: vec![Encoding::Utf8],
            },
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Settings {
    /// The gateway's base URL (`https://…`).
    #[serde(default)]
    pub gateway_url: Option<String>,
    /// A PEM file of the CA to trust for the gateway (its `ca.pem`); none: the platform's.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub ca_file: Option<PathBuf>,
    /// A shipped language; none: English.
    #[serde(default)]
    pub locale: Option<String>,
    #[serde(default)]
    pub display: Display,
}

impl Settings {
    /// The profile's settings; defaults when there is no file yet.
    /// Whether the profile has saved settings (a first run has none).
    pub fn saved_in(profile_dir: &Path) -> bool {
        profile_dir.join(FILE).exists()
    }

    pub fn load(profile_dir: &Path) -> Result<Self, SettingsError> {
        let path = profile_dir.join(FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Settings::default()),
            Err(e) => {
                return Err(SettingsError::Damaged {
                    path,
                    reason: e.to_string(),
                });
            }
        };
        let settings: Settings =
            serde_json::from_str(&text).map_err(|e| SettingsError::Damaged {
                path: path.clone(),
                reason: e.to_string(),
            })?;
        settings.validate()?;
        Ok(settings)
    }

    /// Checks every field; a bad value changes nothing.
    pub fn validate(&self) -> Result<(), SettingsError> {
        if let Some(url) = &self.gateway_url {
            let parsed =
                reqwest::Url::parse(url).map_err(|_| SettingsError::GatewayUrl(url.clone()))?;
            if parsed.scheme() != "https" || parsed.host_str().is_none() {
                return Err(SettingsError::GatewayUrl(url.clone()));
            }
        }
        if let Some(locale) = &self.locale
            && !LOCALES.contains(&locale.as_str())
        {
            return Err(SettingsError::Locale(locale.clone()));
        }
        if let Some(path) = &self.ca_file {
            read_ca_file(path)?;
        }
        Ok(())
    }

    /// The CA's PEM bytes, if one is set.
    pub fn ca_pem(&self) -> Result<Option<Vec<u8>>, SettingsError> {
        self.ca_file.as_deref().map(read_ca_file).transpose()
    }

    pub fn gateway(&self) -> Result<&str, SettingsError> {
        self.gateway_url.as_deref().ok_or(SettingsError::NoGateway)
    }

    pub fn locale(&self) -> &str {
        self.locale.as_deref().unwrap_or("en")
    }

    /// Saves the settings after checking them (atomically: a crash leaves the old file).
    pub fn save(&self, profile_dir: &Path) -> Result<(), SettingsError> {
        self.validate()?;
        let path = profile_dir.join(FILE);
        let text = serde_json::to_string_pretty(self).map_err(|e| SettingsError::Write {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        crate::profile::write_atomically(&path, text.as_bytes()).map_err(|e| SettingsError::Write {
            path: path.clone(),
            reason: e.to_string(),
        })
    }
}

/// A CA file's bytes, refused unless it holds a PEM certificate.
fn read_ca_file(path: &Path) -> Result<Vec<u8>, SettingsError> {
    let bytes = std::fs::read(path).map_err(|e| SettingsError::Ca {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    if !String::from_utf8_lossy(&bytes).contains("-----BEGIN CERTIFICATE-----") {
        return Err(SettingsError::Ca {
            path: path.to_path_buf(),
            reason: "it holds no PEM certificate".into(),
        });
    }
    Ok(bytes)
}

/// The CA file's name in the profile folder.
pub const CA_FILE: &str = "gateway-ca.pem";

/// Copies a CA file the user gave into the profile folder (checked first), so that the
/// setting keeps working when the original moves; returns the copy's path.
pub fn keep_ca_file(profile_dir: &Path, given: &Path) -> Result<PathBuf, SettingsError> {
    let pem = read_ca_file(given)?;
    let kept = profile_dir.join(CA_FILE);
    crate::profile::write_atomically(&kept, &pem).map_err(|e| SettingsError::Write {
        path: kept.clone(),
        reason: e.to_string(),
    })?;
    Ok(kept)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn defaults_without_a_file_and_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(Settings::load(dir.path()).unwrap(), Settings::default());
        let settings = Settings {
            gateway_url: Some("https://127.0.0.1:8443".into()),
            ca_file: None,
            locale: Some("ar".into()),
            display: Display::Desktop,
        };
        settings.save(dir.path()).unwrap();
        assert_eq!(Settings::load(dir.path()).unwrap(), settings);
    }

    /// The app offers exactly the languages the prompt renderer ships, so a language picked
    /// in the settings is never rendered in English by the renderer's fallback.
    #[test]
    fn the_app_ships_the_prompt_renderers_languages() {
        let renderer = assent_prompt::Renderer::shared().unwrap();
        let shipped: Vec<&str> = renderer.catalog().tags().collect();
        assert_eq!(LOCALES.to_vec(), shipped);
        let dir = tempfile::tempdir().unwrap();
        for locale in ["ja", "hi"] {
            let settings = Settings {
                locale: Some(locale.into()),
                ..Settings::default()
            };
            settings.save(dir.path()).unwrap();
            assert_eq!(Settings::load(dir.path()).unwrap(), settings);
        }
    }

    #[test]
    fn bad_values_are_refused_and_change_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let good = Settings {
            gateway_url: Some("https://gw.example".into()),
            ..Settings::default()
        };
        good.save(dir.path()).unwrap();
        for bad in [
            Settings {
                gateway_url: Some("http://gw.example".into()),
                ..Settings::default()
            },
            Settings {
                locale: Some("xx".into()),
                ..Settings::default()
            },
            Settings {
                ca_file: Some(dir.path().join("missing.pem")),
                ..Settings::default()
            },
        ] {
            assert!(bad.save(dir.path()).is_err());
        }
        assert_eq!(Settings::load(dir.path()).unwrap(), good);
        std::fs::write(dir.path().join(FILE), "{not json").unwrap();
        assert!(matches!(
            Settings::load(dir.path()),
            Err(SettingsError::Damaged { .. })
        ));
    }
}
