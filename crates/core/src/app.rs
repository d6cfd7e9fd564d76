//! [`Assent`]: the core as the app and the `assent` command use it — one profile (settings,
//! keys in the OS keyring, the device's registration, the history cache) talking to one
//! gateway. Each method is one thing a user does.

use crate::describe::Description;
use crate::device_client::{DeviceClient, DeviceError, Shown};
use crate::history::{Filter, History, HistoryError, Verified};
use crate::secrets::{Secret, Secrets, SecretsError};
use crate::settings::{Settings, SettingsError};
use assent_audit::AuditEntry;
use assent_proto::device::{InboxItem, Notification};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Everything that can go wrong, in words a user understands.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error(transparent)]
    Settings(#[from] SettingsError),
    #[error(transparent)]
    Secrets(#[from] SecretsError),
    #[error(transparent)]
    Gateway(#[from] DeviceError),
    #[error(transparent)]
    Acme(#[from] crate::acme_client::AcmeClientError),
    #[error(transparent)]
    Code(#[from] crate::sms_code::CodeError),
    #[error(transparent)]
    History(#[from] HistoryError),
    #[error(transparent)]
    Receipts(#[from] crate::receipts::ReceiptsError),
    #[error("this device is not enrolled yet: verify your number first (assent enroll NUMBER)")]
    NotEnrolled,
    #[error("this device is enrolled for {0}; use another profile for another number")]
    EnrolledElsewhere(String),
    #[error("{0:?} is not a phone number in international form (e.g. +447700900001)")]
    BadNumber(String),
    #[error("no code is awaited: start with assent enroll NUMBER")]
    NoCodeAwaited,
    #[error("no pending request {0}: it was answered, withdrawn or has expired")]
    NoSuchRequest(String),
    #[error("no grant {0}")]
    NoSuchGrant(String),
    #[error("no receipt {0} on this device")]
    NoSuchReceipt(String),
    #[error("no device {0} of yours, or it is revoked already")]
    NoSuchDevice(String),
    #[error("the profile folder {path} cannot be used: {reason}")]
    Profile { path: PathBuf, reason: String },
    #[error("{0}")]
    Invalid(String),
}

impl CoreError {
    /// A stable code for programs (the `assent` command's `--json` and the app's UI).
    pub fn code(&self) -> &'static str {
        match self {
            CoreError::BadNumber(_) | CoreError::Invalid(_) => "invalid_input",
            CoreError::Settings(_) => "settings",
            CoreError::NotEnrolled => "not_enrolled",
            CoreError::EnrolledElsewhere(_) => "enrolled_elsewhere",
            CoreError::NoCodeAwaited => "no_code_awaited",
            CoreError::NoSuchRequest(_) => "no_such_request",
            CoreError::NoSuchGrant(_) => "no_such_grant",
            CoreError::NoSuchReceipt(_) => "no_such_receipt",
            CoreError::Receipts(_) => "receipts",
            CoreError::NoSuchDevice(_) => "no_such_device",
            CoreError::Secrets(_) => "keyring",
            CoreError::Gateway(_) => "gateway",
            CoreError::Acme(_) => "number_verification",
            CoreError::Code(_) => "code",
            CoreError::History(_) => "history",
            CoreError::Profile { .. } => "profile",
        }
    }

    /// Whether the input was refused before anything was done (a usage error).
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            CoreError::BadNumber(_) | CoreError::Invalid(_) | CoreError::Settings(_)
        )
    }

    /// The gateway could not be reached at all (as opposed to refusing).
    pub fn is_offline(&self) -> bool {
        matches!(self, CoreError::Gateway(DeviceError::Transport(_)))
    }

    /// What the failure means for the user, when it is one they can act on themselves.
    pub fn trouble(&self) -> Option<Trouble> {
        use crate::acme_client::AcmeClientError;
        match self {
            CoreError::Secrets(SecretsError::Unavailable(_)) => Some(Trouble::KeyringUnavailable),
            CoreError::Secrets(SecretsError::Locked(_)) => Some(Trouble::KeyringLocked),
            CoreError::Gateway(DeviceError::Transport(_))
            | CoreError::Acme(AcmeClientError::Transport(_)) => Some(Trouble::GatewayUnreachable),
            // The gateway's 401 for a device whose certificate ran out (rules/device.rs).
            CoreError::Gateway(DeviceError::Refused { code, .. })
                if code == "certificate_expired" =>
            {
                Some(Trouble::CertificateExpired)
            }
            _ => None,
        }
    }

    /// The failure for people: what happened and what to do, when the user can act on it;
    /// else the error's own sentence. The technical cause is [`CoreError`]'s `Display`.
    pub fn explanation(&self) -> String {
        match self.trouble() {
            Some(trouble) => trouble.explanation().to_owned(),
            None => self.to_string(),
        }
    }
}

/// A failure the user can act on, in words with the action to take. The `assent` command
/// prints [`Trouble::explanation`] before the technical cause; the app shows its own
/// translation of it, keyed by [`Trouble::code`] (`ui/locales`, `error-<code>`). The stable
/// code of the failure ([`CoreError::code`]: `keyring`, `gateway`) stays as it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trouble {
    /// No keyring service at all (no D-Bus session bus, no Secret Service).
    KeyringUnavailable,
    /// The keyring is there but locked, or refused access.
    KeyringLocked,
    /// The gateway (or its number verification service) cannot be reached: no network, a
    /// wrong address, the gateway down.
    GatewayUnreachable,
    /// This device's certificate ran out: the number's proof is due again.
    CertificateExpired,
}

impl Trouble {
    /// The specific code, for the app's words (`reason` of its errors).
    pub fn code(self) -> &'static str {
        match self {
            Trouble::KeyringUnavailable => "keyring_unavailable",
            Trouble::KeyringLocked => "keyring_locked",
            Trouble::GatewayUnreachable => "gateway_unreachable",
            Trouble::CertificateExpired => "certificate_expired",
        }
    }

    /// What happened and what to do, in English (the command's words).
    pub fn explanation(self) -> &'static str {
        match self {
            Trouble::KeyringUnavailable => {
                "This device's keys are kept in the system keyring, and no keyring could be \
                 reached. Start your session's keyring (on Linux, log in to a desktop session \
                 or start a Secret Service such as GNOME Keyring), then try again."
            }
            Trouble::KeyringLocked => {
                "The system keyring is locked, so this device's keys cannot be read. Unlock it \
                 (usually with your login password), then try again."
            }
            Trouble::GatewayUnreachable => {
                "The gateway cannot be reached. Check this device's internet connection and \
                 the gateway address in the settings, then try again."
            }
            Trouble::CertificateExpired => {
                "This device's certificate has expired, so the gateway no longer accepts it. \
                 Prove your number again to renew it: assent enroll --renew, or Renew now in \
                 the app."
            }
        }
    }
}

/// A long-lived consent an SP holds (`GET /device/grants`): the contract's own type, which
/// the UI shows as it is.
pub use assent_proto::device::{DeviceInfo, Grant, Withdrawn};

/// The history as listed: the entries, and whether the copy was brought up to date first
/// (`false`: the gateway could not be reached, the copy on this device is shown).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HistoryPage {
    pub entries: Vec<AuditEntry>,
    pub synced: bool,
    /// Each entry in words, in the same order as `entries` (`crate::describe`): what the UI
    /// formats in the user's language.
    pub descriptions: Vec<Description>,
}

/// The verification of the history on this device, stated plainly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct VerifyResult {
    pub verified: bool,
    pub details: Option<Verified>,
    /// Why it does not verify (or that there is nothing yet).
    pub message: Option<String>,
}

/// A consent request as this device shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ConsentCard {
    pub id: String,
    pub client_name: Option<String>,
    /// The prompt rendered for this device's display profile and language.
    pub prompt: String,
    pub lines: Vec<String>,
    /// The language it is shown in.
    pub locale: String,
    /// True when this device could not fit the request on its screen in its language (every
    /// presentation tried) and shows it as the gateway rendered it, in the gateway's language:
    /// the UI says so rather than leave the user wondering why it is not in their language.
    pub as_sent: bool,
    /// True when even the gateway's text does not fit this device's budget: on a phone, a
    /// prompt is at most 220 bytes (MC_ATTR_13). Such a request is not shown here (`lines` is
    /// empty) and cannot be approved here, only denied: the user answers it on a larger
    /// screen, or the SP asks for less.
    pub too_long: bool,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub created_ms: i64,
    /// On a large screen, the whole consent card (the SP, each attribute with its value, how
    /// long it lasts, the binding message, the assurance): the UI lays it out, and `prompt`
    /// is its canonical text, which the decision is signed over. `None` elsewhere.
    pub card: Option<assent_prompt::card::Card>,
    /// How it was rendered (`None`: as the gateway rendered it).
    #[serde(skip)]
    #[cfg_attr(feature = "ts", ts(skip))]
    rendered_as: Option<assent_proto::jwt::Shown>,
}

/// How the app reaches the gateway: the settings, with overrides for this run.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub gateway_url: Option<String>,
    pub ca_file: Option<PathBuf>,
    /// The display profile of a profile that has no settings yet: the desktop app shows
    /// prompts for its screen, the `assent` command (QA) as a phone would, unless told.
    pub first_display: Option<crate::settings::Display>,
}

/// One profile of the app.
#[derive(Debug)]
pub struct Assent {
    pub(crate) dir: PathBuf,
    pub(crate) settings: Settings,
    pub(crate) secrets: Secrets,
    pub(crate) http: reqwest::Client,
    history: History,
    receipts: crate::receipts::Receipts,
    /// The device's session, made on first use (after enrollment).
    device: tokio::sync::OnceCell<DeviceClient>,
}

impl Assent {
    /// Opens a profile with the OS keyring.
    pub async fn open(dir: &Path, overrides: Overrides) -> Result<Self, CoreError> {
        // The folder exists before the keyring entries are named after its path.
        ensure_profile(dir)?;
        let secrets = Secrets::os(dir).await?;
        Self::open_with(dir, overrides, secrets).await
    }

    /// Opens a profile with the given secrets store (tests: `keyring_core`'s mock).
    pub async fn open_with(
        dir: &Path,
        overrides: Overrides,
        secrets: Secrets,
    ) -> Result<Self, CoreError> {
        ensure_profile(dir)?;
        let first_run = !Settings::saved_in(dir);
        let mut settings = Settings::load(dir)?;
        if let (true, Some(display)) = (first_run, overrides.first_display) {
            settings.display = display;
            settings.save(dir)?;
        }
        if overrides.gateway_url.is_some() || overrides.ca_file.is_some() {
            if let Some(url) = overrides.gateway_url {
                settings.gateway_url = Some(url.trim_end_matches('/').to_owned());
            }
            if let Some(ca) = overrides.ca_file {
                settings.ca_file = Some(crate::settings::keep_ca_file(dir, &ca)?);
            }
            // Remembered for the next run, once checked.
            settings.save(dir)?;
        }
        let http = crate::acme_client::http_client(settings.ca_pem()?.as_deref())?;
        let history = History::open(dir).await?;
        let receipts = crate::receipts::Receipts::open(dir).await?;
        Ok(Assent {
            dir: dir.to_path_buf(),
            settings,
            secrets,
            http,
            history,
            receipts,
            device: tokio::sync::OnceCell::new(),
        })
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Changes the settings (checked first; a bad value changes nothing).
    pub fn update_settings(&mut self, settings: Settings) -> Result<(), CoreError> {
        let http = crate::acme_client::http_client(settings.ca_pem()?.as_deref())?;
        settings.save(&self.dir)?;
        self.settings = settings;
        self.http = http;
        self.device = tokio::sync::OnceCell::new();
        Ok(())
    }

    pub fn gateway(&self) -> Result<&str, CoreError> {
        Ok(self.settings.gateway()?)
    }

    /// The device's session with the gateway (after enrollment).
    async fn device(&self) -> Result<&DeviceClient, CoreError> {
        self.device
            .get_or_try_init(|| async {
                let state = self.enrollment().ok_or(CoreError::NotEnrolled)?;
                let device_id = state.device_id.clone().ok_or(CoreError::NotEnrolled)?;
                let key = self
                    .secrets
                    .key(Secret::DeviceKey)
                    .await?
                    .ok_or(CoreError::NotEnrolled)?;
                Ok(DeviceClient::new(self.http.clone(), self.gateway()?, key)
                    .with_device_id(device_id))
            })
            .await
    }

    /// Renders a request for this device's screen and language (see [`card_for`]).
    fn card(&self, request: &InboxItem) -> ConsentCard {
        card_for(
            request,
            &self.settings.display.profile(),
            self.settings.locale(),
        )
    }

    /// The pending consent requests, rendered for this device; waits up to `wait` for one.
    pub async fn inbox(&self, wait: Duration) -> Result<Vec<ConsentCard>, CoreError> {
        let pending = self.device().await?.inbox(wait).await?;
        Ok(pending.iter().map(|r| self.card(r)).collect())
    }

    /// Approves or denies a pending request, signed over the text this device shows for it.
    pub async fn decide(&self, id: &str, approve: bool) -> Result<bool, CoreError> {
        let cards = self.inbox(Duration::ZERO).await?;
        let card = cards
            .into_iter()
            .find(|c| c.id == id)
            .ok_or_else(|| CoreError::NoSuchRequest(id.to_owned()))?;
        if card.too_long && approve {
            return Err(CoreError::Invalid(
                "this request is too long to show on this device (at most 220 bytes on a \
                 phone, MC_ATTR_13): approve it on a larger screen, or deny it"
                    .into(),
            ));
        }
        let shown = Shown {
            text: &card.prompt,
            rendered_as: card.rendered_as.clone(),
        };
        Ok(self.device().await?.decide(id, &shown, approve).await?)
    }

    /// The user's long-lived consents per SP.
    pub async fn grants(&self) -> Result<Vec<Grant>, CoreError> {
        Ok(self.device().await?.grants().await?)
    }

    /// Every device bound to the user's account (this one marked `this_device`).
    pub async fn devices(&self) -> Result<Vec<DeviceInfo>, CoreError> {
        Ok(self.device().await?.devices().await?)
    }

    /// Revokes one of the user's devices — a lost phone, an old laptop, or this one.
    pub async fn revoke_device(&self, device_id: &str) -> Result<(), CoreError> {
        match self.device().await?.revoke_device(device_id).await {
            Err(DeviceError::Refused { status: 404, .. }) => {
                Err(CoreError::NoSuchDevice(device_id.to_owned()))
            }
            other => Ok(other?),
        }
    }

    /// Revokes a grant: the SP's tokens die at once.
    pub async fn revoke(&self, grant_id: &str) -> Result<(), CoreError> {
        match self.device().await?.revoke(grant_id).await {
            Err(DeviceError::Refused { status: 404, .. }) => {
                Err(CoreError::NoSuchGrant(grant_id.to_owned()))
            }
            other => Ok(other?),
        }
    }

    /// Stops sharing some attributes of a grant and keeps the rest: the SP's next share
    /// answers them empty. Returns what the grant gives now.
    pub async fn withdraw(
        &self,
        grant_id: &str,
        attributes: &[String],
    ) -> Result<assent_proto::device::Withdrawn, CoreError> {
        if attributes.is_empty() {
            return Err(CoreError::Invalid(
                "name at least one attribute to stop sharing".into(),
            ));
        }
        match self.device().await?.withdraw(grant_id, attributes).await {
            Err(DeviceError::Refused { status: 404, .. }) => {
                Err(CoreError::NoSuchGrant(grant_id.to_owned()))
            }
            // What the grant does not give, or everything it gives: the user's input.
            Err(DeviceError::Refused {
                status: 400 | 409,
                description,
                ..
            }) => Err(CoreError::Invalid(description)),
            other => Ok(other?),
        }
    }

    /// Brings the receipts kept on this device up to date (with the gateway's keys to verify
    /// them); returns how many are new.
    pub async fn sync_receipts(&self) -> Result<usize, CoreError> {
        let device = self.device().await?;
        let items = device.receipts().await?;
        let keys = device.gateway_keys().await?;
        Ok(self.receipts.keep(&items, &keys).await?)
    }

    /// The consent receipts, each verified here: brought up to date first when the gateway
    /// answers, else those kept on this device.
    pub async fn receipts(&self) -> Result<Vec<crate::receipts::Receipt>, CoreError> {
        match self.sync_receipts().await {
            Ok(_) => {}
            Err(error) if error.is_offline() => {}
            Err(error) => return Err(error),
        }
        self.kept_receipts().await
    }

    /// The receipts kept on this device, verified offline with the gateway keys kept beside
    /// them.
    pub async fn kept_receipts(&self) -> Result<Vec<crate::receipts::Receipt>, CoreError> {
        let keys = self.receipts.keys().await?;
        Ok(self
            .receipts
            .list()
            .await?
            .iter()
            .map(|item| crate::receipts::shown(item, &keys))
            .collect())
    }

    /// One receipt (see [`Assent::receipts`]).
    pub async fn receipt(&self, id: &str) -> Result<crate::receipts::Receipt, CoreError> {
        self.receipts()
            .await?
            .into_iter()
            .find(|r| r.id == id)
            .ok_or_else(|| CoreError::NoSuchReceipt(id.to_owned()))
    }

    /// Reports an SP to the operator.
    pub async fn flag(&self, client_id: &str, reason: &str) -> Result<(), CoreError> {
        if reason.trim().is_empty() {
            return Err(CoreError::Invalid("say why you report this SP".into()));
        }
        Ok(self.device().await?.flag(client_id, reason).await?)
    }

    /// What SPs did with the user's data (MC_ATTR_19).
    pub async fn notifications(&self) -> Result<Vec<Notification>, CoreError> {
        Ok(self.device().await?.notifications().await?)
    }

    /// Brings the history on this device up to date; returns how many entries are new.
    pub async fn sync_history(&self) -> Result<usize, CoreError> {
        let device = self.device().await?;
        let export = device.audit_export().await?;
        let keys = match export.checkpoint {
            Some(_) => device.gateway_keys().await?,
            None => Vec::new(),
        };
        Ok(self.history.sync(&export, &keys, now_ms()).await?)
    }

    /// Brings the history up to date when the gateway can be reached; `false` when it cannot
    /// (the copy on this device stands). A history the gateway rewrote is an error.
    pub async fn sync_history_if_online(&self) -> Result<bool, CoreError> {
        match self.sync_history().await {
            Ok(_) => Ok(true),
            Err(error) if error.is_offline() => Ok(false),
            Err(error) => Err(error),
        }
    }

    /// The history: brought up to date when the gateway answers, else the copy on this
    /// device (and said so). A history the gateway rewrote is an error, never hidden.
    pub async fn history_page(&self, filter: &Filter) -> Result<HistoryPage, CoreError> {
        let synced = self.sync_history_if_online().await?;
        let entries = self.history(filter).await?;
        let descriptions = self.describe(&entries).await?;
        Ok(HistoryPage {
            entries,
            synced,
            descriptions,
        })
    }

    /// Entries in words, with the SPs' names kept with the history and this device's id.
    pub async fn describe(&self, entries: &[AuditEntry]) -> Result<Vec<Description>, CoreError> {
        let sp_names = self.history.sp_names().await?;
        let this_device = self.enrollment().and_then(|e| e.device_id);
        let context = crate::describe::Context {
            sp_names: &sp_names,
            this_device: this_device.as_deref(),
        };
        Ok(entries
            .iter()
            .map(|e| crate::describe::describe(&e.content, &context))
            .collect())
    }

    /// [`Assent::verify_history`], as a plain answer for a screen.
    pub async fn verify_result(&self) -> VerifyResult {
        match self.verify_history().await {
            Ok(Some(details)) => VerifyResult {
                verified: true,
                details: Some(details),
                message: None,
            },
            Ok(None) => VerifyResult {
                verified: false,
                details: None,
                message: Some("there is no history on this device yet".into()),
            },
            Err(error) => VerifyResult {
                verified: false,
                details: None,
                message: Some(error.to_string()),
            },
        }
    }

    /// The history as kept on this device (sync first to see the latest).
    pub async fn history(&self, filter: &Filter) -> Result<Vec<AuditEntry>, CoreError> {
        Ok(self.history.list(filter).await?)
    }

    /// Verifies the copy on this device; `None` when there is none yet.
    pub async fn verify_history(&self) -> Result<Option<Verified>, CoreError> {
        Ok(self.history.verify().await?)
    }

    /// Writes the history, with its chain, to `path`, and the consent receipts kept on this
    /// device beside it (`PATH` → `PATH.receipts.json`, each as the gateway signed it, with
    /// the text it names); returns the number of entries.
    pub async fn export_history(&self, path: &Path) -> Result<usize, CoreError> {
        let entries = self.history.export_to(path).await?;
        self.receipts.export_to(&receipts_path_for(path)).await?;
        Ok(entries)
    }
}

/// Where [`Assent::export_history`] writes the receipts beside the history at `path`.
pub fn receipts_path_for(path: &Path) -> PathBuf {
    let mut name = path.file_stem().unwrap_or_default().to_os_string();
    name.push(".receipts.json");
    path.with_file_name(name)
}

fn ensure_profile(dir: &Path) -> Result<(), CoreError> {
    crate::profile::ensure_dir(dir).map_err(|e| CoreError::Profile {
        path: dir.to_path_buf(),
        reason: e.to_string(),
    })
}

pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Renders a request for a device's screen and language; a content the device cannot fit
/// (in every presentation the renderer tries), or a request without content, is shown as
/// the gateway rendered it, in the gateway's language, and says so (`as_sent`).
fn card_for(
    request: &InboxItem,
    device: &assent_prompt::DeviceProfile,
    locale: &str,
) -> ConsentCard {
    let client_name = request.content.as_ref().map(|c| c.client_name().to_owned());
    let how = assent_proto::jwt::Shown {
        device: assent_prompt::wire::WireDevice::from(device),
        locale: locale.to_owned(),
    };
    // A large screen shows the whole card (MC_ATTR_13 limits only the phone).
    let card = request
        .content
        .as_ref()
        .filter(|_| device.kind == assent_prompt::DeviceKind::Screen)
        .and_then(|content| {
            let renderer = assent_prompt::Renderer::shared().ok()?;
            assent_prompt::card::Card::of(renderer, content, Some(locale)).ok()
        });
    if let Some(card) = card {
        let text = card.canonical_text();
        return ConsentCard {
            id: request.id.clone(),
            client_name,
            lines: text.lines().map(str::to_owned).collect(),
            prompt: text,
            locale: card.locale.clone(),
            as_sent: false,
            too_long: false,
            created_ms: request.created_ms,
            card: Some(card),
            rendered_as: Some(how),
        };
    }
    let rendered = request.content.as_ref().and_then(|content| {
        let renderer = assent_prompt::Renderer::shared().ok()?;
        let prompt = content.render(renderer, device, Some(locale)).ok()?;
        Some((prompt, how))
    });
    match rendered {
        Some((prompt, how)) => ConsentCard {
            id: request.id.clone(),
            client_name,
            prompt: prompt.text,
            lines: prompt.lines,
            locale: prompt.locale.to_owned(),
            as_sent: false,
            too_long: false,
            created_ms: request.created_ms,
            card: None,
            rendered_as: Some(how),
        },
        None => {
            // The gateway renders for a screen without a budget; a device that has one (a
            // phone: 220 bytes, MC_ATTR_13) shows that text only if it fits.
            let too_long = assent_prompt::encoding::choose(
                &request.prompt,
                device.kind,
                device.max_bytes,
                &device.encodings,
            )
            .is_err();
            ConsentCard {
                id: request.id.clone(),
                client_name,
                lines: if too_long {
                    Vec::new()
                } else {
                    request.prompt.lines().map(str::to_owned).collect()
                },
                too_long,
                prompt: request.prompt.clone(),
                // The language the gateway rendered it in (a gateway that sends no content
                // renders in English).
                locale: request
                    .content
                    .as_ref()
                    .map_or("en", |c| c.locale())
                    .to_owned(),
                as_sent: true,
                created_ms: request.created_ms,
                card: None,
                rendered_as: None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use assent_prompt::DeviceProfile;
    use assent_prompt::wire::{PromptContent, WireAttribute};

    const CLIENT: &str = "Caisse Régionale de Crédit Agricole Mutuel de Normandie-Seine";

    /// A consent for twelve attributes: it fits a phone in English (GSM-7) but not in Arabic
    /// (UCS-2 halves the 220 bytes), whatever presentation the renderer tries.
    fn request(content: Option<PromptContent>) -> InboxItem {
        let prompt = "Bank of Examples asks for: name, address, e-mail. Reply 1 to allow.";
        InboxItem {
            content,
            created_ms: 1,
            id: "r-1".into(),
            prompt: prompt.into(),
            prompt_sha256: hex::encode(<sha2::Sha256 as sha2::Digest>::digest(prompt)),
        }
    }

    fn consent(locale: &str) -> PromptContent {
        let attribute = |name: &str, value: &str| WireAttribute {
            name: name.into(),
            value: Some(value.into()),
            group: None,
        };
        PromptContent::Consent {
            client_name: CLIENT.into(),
            locale: locale.into(),
            attributes: vec![
                attribute("given_name", "Marie"),
                attribute("family_name", "Curie-Skłodowska"),
                attribute("address", "11 rue Pierre et Marie Curie, 75005 Paris"),
                attribute("email", "marie.curie@example.org"),
                attribute("phone_number", "+33 6 12 34 56 78"),
                attribute("birthdate", "1867-11-07"),
                attribute("middle_name", "Salomea"),
                attribute("gender", "female"),
                attribute("postal_code", "75005"),
                attribute("locality", "Paris"),
                attribute("country", "FR"),
                attribute("national_identifier", "267117501234567"),
            ],
            ask_assurance: false,
            presentation: Default::default(),
            lifetime: None,
            binding_message: None,
        }
    }

    #[test]
    fn a_request_that_fits_is_rendered_here_and_says_how() {
        let card = card_for(&request(Some(consent("en"))), &DeviceProfile::phone(), "en");
        assert!(!card.as_sent);
        assert_eq!(card.locale, "en");
        assert_ne!(card.prompt, request(None).prompt, "rendered on the device");
        assert!(card.prompt.len() <= 220, "{}", card.prompt.len());
        assert_eq!(card.client_name.as_deref(), Some(CLIENT));
        let how = card
            .rendered_as
            .expect("how it was rendered, for the signature");
        assert_eq!(how.locale, "en");
        assert_eq!(how.device, (&DeviceProfile::phone()).into());
    }

    #[test]
    fn a_request_that_cannot_fit_in_the_language_is_shown_as_sent_in_the_senders_language() {
        let card = card_for(&request(Some(consent("fr"))), &DeviceProfile::phone(), "ar");
        assert!(card.as_sent, "{card:?}");
        assert_eq!(card.prompt, request(None).prompt);
        assert_eq!(card.lines, vec![request(None).prompt]);
        assert_eq!(
            card.locale, "fr",
            "the gateway's language, not the device's"
        );
        assert_eq!(card.rendered_as, None, "signed over the gateway's own text");
        assert_eq!(card.client_name.as_deref(), Some(CLIENT));
    }

    /// MC_ATTR_13: a phone shows at most 220 bytes. A gateway text over that budget, with
    /// nothing the phone can render in its place, is not shown there; a desktop shows it.
    #[test]
    fn a_text_over_the_phones_budget_is_not_shown_on_a_phone() {
        let long = "Bank of Examples asks for: ".to_owned() + &"your name, ".repeat(30);
        let mut item = request(None);
        item.prompt = long.clone();
        let card = card_for(&item, &DeviceProfile::phone(), "en");
        assert!(card.too_long && card.as_sent, "{card:?}");
        assert!(card.lines.is_empty());
        let desktop = crate::settings::Display::Desktop.profile();
        let card = card_for(&item, &desktop, "en");
        assert!(!card.too_long);
        assert_eq!(card.lines, vec![long]);
        // The short text of the other tests fits: shown on the phone as sent.
        assert!(!card_for(&request(None), &DeviceProfile::phone(), "ar").too_long);
    }

    /// A large screen shows the whole card and signs its canonical text, in its language,
    /// whatever the length: nothing is left out, no line is cut.
    #[test]
    fn a_large_screen_shows_the_whole_card_and_signs_its_canonical_text() {
        let desktop = crate::settings::Display::Desktop.profile();
        let mut content = consent("en");
        if let PromptContent::Consent {
            lifetime,
            binding_message,
            ..
        } = &mut content
        {
            *lifetime = Some(assent_prompt::wire::WireLifetime::OneTime);
            *binding_message = Some("4711".into());
        }
        let card = card_for(&request(Some(content)), &desktop, "fr");
        let rich = card.card.clone().expect("a card on a large screen");
        assert_eq!(rich.attributes.len(), 12);
        assert_eq!(card.prompt, rich.canonical_text());
        assert_eq!(card.lines.len(), card.prompt.lines().count());
        assert!(card.prompt.contains("267117501234567") && card.prompt.contains("4711"));
        assert_eq!(card.locale, "fr");
        assert!(!card.as_sent && !card.too_long);
        let how = card
            .rendered_as
            .expect("how it was shown, for the signature");
        assert_eq!(how.device, (&desktop).into());
        assert_eq!(how.locale, "fr");
        // A phone still gets the fitted rendering, without a card.
        assert!(
            card_for(&request(Some(consent("en"))), &DeviceProfile::phone(), "en")
                .card
                .is_none()
        );
    }

    /// The desktop app's first run shows prompts for its screen; a profile that has
    /// settings keeps them, whatever the next run would choose for a new one.
    #[tokio::test]
    async fn the_first_run_chooses_the_display_and_later_runs_keep_the_saved_one() {
        use crate::settings::Display;
        let dir = tempfile::tempdir().unwrap();
        let open = |display| {
            let secrets = crate::secrets::Secrets::in_store(
                keyring_core::mock::Store::new().unwrap(),
                dir.path(),
            );
            let overrides = Overrides {
                first_display: Some(display),
                ..Overrides::default()
            };
            Assent::open_with(dir.path(), overrides, secrets)
        };
        assert_eq!(
            open(Display::Desktop).await.unwrap().settings().display,
            Display::Desktop
        );
        assert_eq!(
            open(Display::Phone).await.unwrap().settings().display,
            Display::Desktop
        );
        // Without a choice a new profile is a phone's (the command's default).
        let other = tempfile::tempdir().unwrap();
        let secrets = crate::secrets::Secrets::in_store(
            keyring_core::mock::Store::new().unwrap(),
            other.path(),
        );
        let plain = Assent::open_with(other.path(), Overrides::default(), secrets)
            .await
            .unwrap();
        assert_eq!(plain.settings().display, Display::Phone);
    }

    /// The failures a user can act on are told apart from the others, keep their stable
    /// codes, and say what to do; the technical cause stays the error's own text.
    #[test]
    fn failures_the_user_can_act_on_are_classified() {
        use crate::acme_client::AcmeClientError;
        let platform = || {
            keyring_core::Error::PlatformFailure(
                "zbus error: Failed to connect to address unix:path=/run/user/0/bus".into(),
            )
        };
        let missing = CoreError::Secrets(SecretsError::from(platform()));
        assert_eq!(missing.trouble(), Some(Trouble::KeyringUnavailable));
        assert_eq!(missing.code(), "keyring");
        assert!(missing.to_string().contains("zbus"), "the cause: {missing}");
        assert!(
            missing
                .explanation()
                .contains("Start your session's keyring")
        );
        assert!(!missing.explanation().contains("zbus"));
        let locked = CoreError::Secrets(SecretsError::from(keyring_core::Error::NoStorageAccess(
            "the collection is locked".into(),
        )));
        assert_eq!(locked.trouble(), Some(Trouble::KeyringLocked));
        assert_eq!(locked.code(), "keyring");
        assert!(locked.explanation().contains("Unlock it"));
        let damaged = CoreError::Secrets(SecretsError::Damaged("device-key"));
        assert_eq!((damaged.trouble(), damaged.code()), (None, "keyring"));

        let offline = CoreError::Gateway(DeviceError::Transport("could not connect".into()));
        assert_eq!(offline.trouble(), Some(Trouble::GatewayUnreachable));
        assert_eq!(offline.code(), "gateway");
        assert!(offline.explanation().contains("internet connection"));
        let acme = CoreError::Acme(AcmeClientError::Transport("could not connect".into()));
        assert_eq!(acme.trouble(), Some(Trouble::GatewayUnreachable));

        let expired = CoreError::Gateway(DeviceError::Refused {
            status: 401,
            code: "certificate_expired".into(),
            description: "the device's certificate expired at 2027-01-01T00:00:00Z".into(),
        });
        assert_eq!(expired.trouble(), Some(Trouble::CertificateExpired));
        assert_eq!(expired.code(), "gateway");
        assert!(expired.explanation().contains("assent enroll --renew"));
        let refused = CoreError::Gateway(DeviceError::Refused {
            status: 401,
            code: "invalid_token".into(),
            description: "the device is revoked".into(),
        });
        assert_eq!(
            refused.trouble(),
            None,
            "a refusal is not a network problem"
        );
        assert_eq!(refused.explanation(), refused.to_string());
        let codes: std::collections::BTreeSet<_> = [
            Trouble::KeyringUnavailable,
            Trouble::KeyringLocked,
            Trouble::GatewayUnreachable,
            Trouble::CertificateExpired,
        ]
        .map(Trouble::code)
        .into();
        assert_eq!(codes.len(), 4);
    }

    /// A gateway that is not there: the device's real call fails as unreachable.
    #[tokio::test]
    async fn a_gateway_nobody_listens_for_is_unreachable() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        // The listener is gone: nothing answers on that port now.
        let client = DeviceClient::new(
            reqwest::Client::new(),
            &format!("https://127.0.0.1:{port}"),
            assent_acme::jws::SigningKey::generate_es256(),
        )
        .with_device_id("d-1".into());
        let error = CoreError::from(client.grants().await.unwrap_err());
        assert_eq!(
            error.trouble(),
            Some(Trouble::GatewayUnreachable),
            "{error}"
        );
        assert!(error.is_offline());
    }

    #[test]
    fn a_request_without_content_is_shown_as_sent() {
        let card = card_for(&request(None), &DeviceProfile::phone(), "ar");
        assert!(card.as_sent);
        assert_eq!(card.locale, "en");
        assert_eq!(card.client_name, None);
    }
}
