//! The Assent app shell. Each command is a one-liner into `assent-core`; the UI in `ui/` may
//! call exactly the commands listed in `capabilities/`. The types crossing the bridge are the
//! core's own (with the gateway contract's `assent-proto` types it passes on, such as
//! grants) and `assent-prompt`'s wire types (the prompt preview), and their TypeScript
//! bindings in `ui/src/bindings/` are generated from them (`bindings_are_current` fails when
//! they are stale).

use assent_core::app::{Grant, HistoryPage, VerifyResult};
use assent_core::enrollment::{Enrollment, EnrollmentState, Step};
use assent_core::history::Filter;
use assent_core::settings::Settings;
use assent_core::{Assent, ConsentCard, CoreError, Overrides};
use assent_prompt::wire::{RenderFailure, RenderRequest, RenderResponse};
use serde::Serialize;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tauri::{AppHandle, Emitter, Manager, Runtime, State};
use tokio::sync::RwLock;

/// The longest one inbox call waits (the gateway answers within 25 s).
const INBOX_WAIT_MAX: u64 = 20;
/// How long the handset simulator may take to show the SMS (QA).
const SIMULATOR_PATIENCE: Duration = Duration::from_secs(30);
/// The event that carries each enrollment step reached.
pub const ENROLL_PROGRESS: &str = "enroll-progress";

/// A failure as the UI receives it: a stable code and a sentence for the user. A failure
/// the user can act on (a keyring missing or locked, the gateway out of reach, the device's
/// certificate expired) also has its specific `reason`, which the UI words in the user's
/// language with the action to take (`error-<reason>` in ui/locales), and the technical
/// `cause`, which it keeps behind a disclosure.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct CommandError {
    pub error: String,
    pub message: String,
    pub reason: Option<String>,
    pub cause: Option<String>,
}

impl From<CoreError> for CommandError {
    fn from(error: CoreError) -> Self {
        let trouble = error.trouble();
        CommandError {
            error: error.code().to_owned(),
            message: error.explanation(),
            reason: trouble.map(|t| t.code().to_owned()),
            cause: trouble.map(|_| error.to_string()),
        }
    }
}

type Answer<T> = Result<T, CommandError>;

/// The core, opened on first use (the keyring may need unlocking first), and reopened when
/// the settings change. Calls clone the `Arc` and run without holding the lock, so an inbox
/// long poll never holds up a decision.
#[derive(Debug)]
pub struct Core {
    profile: PathBuf,
    overrides: Overrides,
    /// `None`: the OS keyring. Tests give `keyring_core`'s mock store.
    secrets: Option<assent_core::secrets::Secrets>,
    app: RwLock<Option<Arc<Assent>>>,
}

impl Core {
    pub fn new(profile: PathBuf, overrides: Overrides) -> Self {
        Core {
            profile,
            overrides,
            secrets: None,
            app: RwLock::new(None),
        }
    }

    /// A core whose secrets are in the given store (tests).
    pub fn with_secrets(mut self, secrets: assent_core::secrets::Secrets) -> Self {
        self.secrets = Some(secrets);
        self
    }

    async fn open(&self, overrides: Overrides) -> Answer<Assent> {
        Ok(match &self.secrets {
            Some(secrets) => Assent::open_with(&self.profile, overrides, secrets.clone()).await?,
            None => Assent::open(&self.profile, overrides).await?,
        })
    }

    async fn get(&self) -> Answer<Arc<Assent>> {
        if let Some(app) = self.app.read().await.as_ref() {
            return Ok(app.clone());
        }
        let mut slot = self.app.write().await;
        if let Some(app) = slot.as_ref() {
            return Ok(app.clone());
        }
        let app = Arc::new(self.open(self.overrides.clone()).await?);
        *slot = Some(app.clone());
        Ok(app)
    }

    async fn reopen(&self, settings: &Settings) -> Answer<Settings> {
        settings.save(&self.profile).map_err(CoreError::from)?;
        let app = Arc::new(self.open(Overrides::default()).await?);
        let saved = app.settings().clone();
        *self.app.write().await = Some(app);
        Ok(saved)
    }
}

fn progress<R: Runtime>(handle: &AppHandle<R>) -> impl FnMut(Step) + Send + use<R> {
    let handle = handle.clone();
    move |step| {
        let _ = handle.emit(ENROLL_PROGRESS, step);
    }
}

#[tauri::command]
async fn settings_get(core: State<'_, Core>) -> Answer<Settings> {
    Ok(core.get().await?.settings().clone())
}

#[tauri::command]
async fn settings_set(core: State<'_, Core>, settings: Settings) -> Answer<Settings> {
    core.reopen(&settings).await
}

#[tauri::command]
async fn enrollment_status(core: State<'_, Core>) -> Answer<Option<EnrollmentState>> {
    Ok(core.get().await?.enrollment())
}

#[tauri::command]
async fn enroll_start<R: Runtime>(
    handle: AppHandle<R>,
    core: State<'_, Core>,
    number: String,
) -> Answer<Enrollment> {
    Ok(core
        .get()
        .await?
        .enroll(&number, &mut progress(&handle))
        .await?)
}

/// Renews this device ahead of its certificate's expiry: stops for the SMS code, which
/// `enroll_code` then takes as for an enrollment.
#[tauri::command]
async fn enroll_renew<R: Runtime>(
    handle: AppHandle<R>,
    core: State<'_, Core>,
) -> Answer<Enrollment> {
    Ok(core.get().await?.renew(&mut progress(&handle)).await?)
}

#[tauri::command]
async fn enroll_code<R: Runtime>(
    handle: AppHandle<R>,
    core: State<'_, Core>,
    text: String,
) -> Answer<Enrollment> {
    Ok(core
        .get()
        .await?
        .submit_code(&text, &mut progress(&handle))
        .await?)
}

/// QA: reads the code from the gateway's handset simulator.
#[tauri::command]
async fn enroll_from_simulator<R: Runtime>(
    handle: AppHandle<R>,
    core: State<'_, Core>,
) -> Answer<Enrollment> {
    let app = core.get().await?;
    let text = app.simulator_sms(SIMULATOR_PATIENCE).await?;
    Ok(app.submit_code(&text, &mut progress(&handle)).await?)
}

#[tauri::command]
async fn inbox(core: State<'_, Core>, wait_seconds: u64) -> Answer<Vec<ConsentCard>> {
    let wait = Duration::from_secs(wait_seconds.min(INBOX_WAIT_MAX));
    Ok(core.get().await?.inbox(wait).await?)
}

#[tauri::command]
async fn decide(core: State<'_, Core>, id: String, approve: bool) -> Answer<bool> {
    Ok(core.get().await?.decide(&id, approve).await?)
}

#[tauri::command]
async fn grants(core: State<'_, Core>) -> Answer<Vec<Grant>> {
    Ok(core.get().await?.grants().await?)
}

#[tauri::command]
async fn revoke(core: State<'_, Core>, grant_id: String) -> Answer<()> {
    Ok(core.get().await?.revoke(&grant_id).await?)
}

/// Stops sharing some attributes of a grant, keeping the rest.
#[tauri::command]
async fn withdraw(
    core: State<'_, Core>,
    grant_id: String,
    attributes: Vec<String>,
) -> Answer<assent_core::app::Withdrawn> {
    Ok(core.get().await?.withdraw(&grant_id, &attributes).await?)
}

/// The consent receipts, verified on this device (brought up to date when online).
#[tauri::command]
async fn receipts(core: State<'_, Core>) -> Answer<Vec<assent_core::receipts::Receipt>> {
    Ok(core.get().await?.receipts().await?)
}

#[tauri::command]
async fn devices(core: State<'_, Core>) -> Answer<Vec<assent_core::app::DeviceInfo>> {
    Ok(core.get().await?.devices().await?)
}

#[tauri::command]
async fn revoke_device(core: State<'_, Core>, device_id: String) -> Answer<()> {
    Ok(core.get().await?.revoke_device(&device_id).await?)
}

#[tauri::command]
async fn flag(core: State<'_, Core>, client_id: String, reason: String) -> Answer<()> {
    Ok(core.get().await?.flag(&client_id, &reason).await?)
}

#[tauri::command]
async fn history(core: State<'_, Core>, filter: Filter) -> Answer<HistoryPage> {
    Ok(core.get().await?.history_page(&filter).await?)
}

#[tauri::command]
async fn history_verify(core: State<'_, Core>) -> Answer<VerifyResult> {
    Ok(core.get().await?.verify_result().await)
}

/// Writes the history to the Downloads folder (else the profile); returns the file's path.
#[tauri::command]
async fn history_export<R: Runtime>(handle: AppHandle<R>, core: State<'_, Core>) -> Answer<String> {
    let folder = handle
        .path()
        .download_dir()
        .unwrap_or_else(|_| core.profile.clone());
    let path = folder.join(assent_core::history::export_file_name());
    core.get().await?.export_history(&path).await?;
    Ok(path.display().to_string())
}

/// Renders a consent prompt for the live preview. Same JSON shapes as `assent prompt render`.
#[tauri::command]
fn render_prompt(request: RenderRequest) -> Result<RenderResponse, RenderFailure> {
    assent_prompt::wire::render(request)
}

/// Registers the app's commands on a builder of any runtime (the real one, or the mock
/// one in tests).
pub fn setup<R: Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    builder
        // The web `Notification` API, backed by the OS (freedesktop notifications over D-Bus
        // on Linux): the UI announces requests that arrive while the window is in the
        // background.
        .plugin(tauri_plugin_notification::init())
        .invoke_handler(tauri::generate_handler![
            settings_get,
            settings_set,
            enrollment_status,
            enroll_start,
            enroll_renew,
            enroll_code,
            enroll_from_simulator,
            inbox,
            decide,
            grants,
            revoke,
            withdraw,
            receipts,
            devices,
            revoke_device,
            flag,
            history,
            history_verify,
            history_export,
            render_prompt
        ])
}

/// Where the profile lives and which gateway it starts with: `ASSENT_PROFILE`,
/// `ASSENT_GATEWAY`, `ASSENT_CA` (QA and `scripts/run`), else the platform's app data folder
/// and the saved settings.
fn core_for<R: Runtime>(app: &tauri::App<R>) -> Result<Core, String> {
    let profile = match std::env::var_os("ASSENT_PROFILE") {
        Some(dir) => PathBuf::from(dir),
        None => app
            .path()
            .app_data_dir()
            .map_err(|e| format!("no app data folder: {e}"))?,
    };
    let overrides = Overrides {
        gateway_url: std::env::var("ASSENT_GATEWAY")
            .ok()
            .filter(|s| !s.is_empty()),
        ca_file: std::env::var_os("ASSENT_CA").map(PathBuf::from),
        // A laptop's window shows the whole consent card; a phone, its 220 bytes.
        first_display: Some(if cfg!(mobile) {
            assent_core::settings::Display::Phone
        } else {
            assent_core::settings::Display::Desktop
        }),
    };
    Ok(Core::new(profile, overrides))
}

#[cfg_attr(mobile, tauri::mobile_entry_point)]
pub fn run() {
    let built = setup(tauri::Builder::default())
        .setup(|app| {
            let core = core_for(app)?;
            app.manage(core);
            Ok(())
        })
        .run(tauri::generate_context!("../tauri.conf.json"));
    if let Err(error) = built {
        eprintln!("assent-app: {error}");
        std::process::exit(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tauri::ipc::{CallbackFn, InvokeBody};
    use tauri::test::{INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder};
    use tauri::webview::InvokeRequest;

    /// The app as configured (real capabilities from tauri.conf.json) on the mock runtime,
    /// with a profile in `dir` and its secrets in a mock keyring.
    fn app(dir: &std::path::Path) -> tauri::App<MockRuntime> {
        let secrets =
            assent_core::secrets::Secrets::in_store(keyring_core::mock::Store::new().unwrap(), dir);
        let core = Core::new(dir.to_path_buf(), Overrides::default()).with_secrets(secrets);
        setup(mock_builder())
            .manage(core)
            .build(tauri::generate_context!("../tauri.conf.json"))
            .unwrap()
    }

    fn invoke(
        app: &tauri::App<MockRuntime>,
        cmd: &str,
        body: serde_json::Value,
    ) -> Result<serde_json::Value, serde_json::Value> {
        invoke_from(app, "main", cmd, body)
    }

    fn invoke_from(
        app: &tauri::App<MockRuntime>,
        window: &str,
        cmd: &str,
        body: serde_json::Value,
    ) -> Result<serde_json::Value, serde_json::Value> {
        let webview = match app.get_webview_window(window) {
            Some(webview) => webview,
            None => tauri::WebviewWindowBuilder::new(app, window, Default::default())
                .build()
                .unwrap(),
        };
        get_ipc_response(
            &webview,
            InvokeRequest {
                cmd: cmd.into(),
                callback: CallbackFn(0),
                error: CallbackFn(1),
                url: "tauri://localhost".parse().unwrap(),
                body: InvokeBody::Json(body),
                headers: Default::default(),
                invoke_key: INVOKE_KEY.to_string(),
            },
        )
        .map(|b| b.deserialize::<serde_json::Value>().unwrap())
    }

    fn request() -> serde_json::Value {
        serde_json::json!({"request": {
            "client_name": "Demo Shop", "locale": "de",
            "attributes": [{"name": "email", "value": "marie.curie@example.org", "group": "contact"}],
            "device": {"kind": "phone", "columns": 32, "rows": 8, "max_bytes": 220,
                       "encodings": ["gsm7", "ucs2", "utf8"]},
            "ask_assurance": true, "presentation": "auto"}})
    }

    #[test]
    fn render_prompt_answers_with_the_cli_shape() {
        let dir = tempfile::tempdir().unwrap();
        let response = invoke(&app(dir.path()), "render_prompt", request()).unwrap();
        assert_eq!(response["presentation"], "names_values");
        assert_eq!(response["encoding"], "gsm7");
        let text = response["text"].as_str().unwrap();
        assert!(text.contains("E-Mail-Adresse"), "{text}");
    }

    #[test]
    fn render_prompt_refusals_carry_the_error_kind() {
        let dir = tempfile::tempdir().unwrap();
        let mut body = request();
        body["request"]["device"]["columns"] = serde_json::json!(5);
        let error = invoke(&app(dir.path()), "render_prompt", body).unwrap_err();
        assert_eq!(error["error"], "does_not_fit");
        assert!(error["message"].as_str().unwrap().contains("columns wide"));
    }

    #[test]
    fn only_the_main_window_may_call_the_commands() {
        // capabilities/default.json grants the commands to the "main" window only.
        let dir = tempfile::tempdir().unwrap();
        let app = app(dir.path());
        for command in ["render_prompt", "settings_get", "grants", "history_verify"] {
            let error = invoke_from(&app, "other", command, request()).unwrap_err();
            assert!(
                error.to_string().contains("not allowed"),
                "{command}: {error}"
            );
        }
        let error = invoke(&app, "not_a_command", serde_json::json!({})).unwrap_err();
        assert!(error.to_string().contains("not_a_command"), "{error}");
    }

    #[test]
    fn settings_are_checked_and_a_bad_value_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let app = app(dir.path());
        let settings = invoke(&app, "settings_get", serde_json::json!({})).unwrap();
        assert_eq!(settings["display"], "phone");
        let good = serde_json::json!({"settings": {"gateway_url": "https://gw.example",
            "ca_file": null, "locale": "ar", "display": "desktop"}});
        let saved = invoke(&app, "settings_set", good).unwrap();
        assert_eq!(
            (saved["locale"].as_str(), saved["display"].as_str()),
            (Some("ar"), Some("desktop"))
        );
        for bad in [
            serde_json::json!({"gateway_url": "http://gw.example", "ca_file": null, "locale": null, "display": "phone"}),
            serde_json::json!({"gateway_url": null, "ca_file": null, "locale": "xx", "display": "phone"}),
            serde_json::json!({"gateway_url": null, "ca_file": "/nonexistent/ca.pem", "locale": null, "display": "phone"}),
        ] {
            let error =
                invoke(&app, "settings_set", serde_json::json!({ "settings": bad })).unwrap_err();
            assert_eq!(error["error"], "settings", "{error}");
        }
        let kept = invoke(&app, "settings_get", serde_json::json!({})).unwrap();
        assert_eq!(kept, saved);
    }

    #[test]
    fn before_enrollment_the_commands_say_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        let app = app(dir.path());
        assert_eq!(
            invoke(&app, "enrollment_status", serde_json::json!({})).unwrap(),
            serde_json::Value::Null
        );
        for (command, body) in [
            ("inbox", serde_json::json!({"waitSeconds": 0})),
            ("grants", serde_json::json!({})),
            ("decide", serde_json::json!({"id": "p-1", "approve": true})),
            ("revoke", serde_json::json!({"grantId": "c-1"})),
            (
                "withdraw",
                serde_json::json!({"grantId": "c-1", "attributes": ["email"]}),
            ),
            ("receipts", serde_json::json!({})),
            (
                "flag",
                serde_json::json!({"clientId": "demo-sp", "reason": "spam"}),
            ),
        ] {
            let error = invoke(&app, command, body).unwrap_err();
            assert_eq!(error["error"], "not_enrolled", "{command}: {error}");
        }
        let error = invoke(&app, "enroll_code", serde_json::json!({"text": "123456"})).unwrap_err();
        assert_eq!(error["error"], "no_code_awaited");
        let error =
            invoke(&app, "enroll_start", serde_json::json!({"number": "0123"})).unwrap_err();
        assert_eq!(error["error"], "invalid_input");
        let verify = invoke(&app, "history_verify", serde_json::json!({})).unwrap();
        assert_eq!(verify["verified"], false);
        assert!(
            verify["message"].as_str().unwrap().contains("no history"),
            "{verify}"
        );
        let filter = serde_json::json!({"filter": {"sp": null, "kind": "consent", "since_ms": null, "limit": 10}});
        let error = invoke(&app, "history", filter).unwrap_err();
        assert_eq!(error["error"], "not_enrolled");
    }

    /// A gateway out of reach reaches the UI with its stable code, the specific reason the
    /// UI words with the action to take, and the technical cause for the details.
    #[test]
    fn an_unreachable_gateway_comes_with_its_reason_and_cause() {
        let dir = tempfile::tempdir().unwrap();
        let app = app(dir.path());
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let settings = serde_json::json!({"settings": {"gateway_url": format!("https://127.0.0.1:{port}"),
            "ca_file": null, "locale": null, "display": "phone"}});
        invoke(&app, "settings_set", settings).unwrap();
        let error = invoke(
            &app,
            "enroll_start",
            serde_json::json!({"number": "+447700900001"}),
        )
        .unwrap_err();
        assert_eq!(error["error"], "number_verification", "{error}");
        assert_eq!(error["reason"], "gateway_unreachable", "{error}");
        assert!(
            error["message"]
                .as_str()
                .unwrap()
                .starts_with("The gateway cannot be reached."),
            "{error}"
        );
        assert!(
            error["cause"].as_str().unwrap().contains("cannot reach"),
            "{error}"
        );
        // A failure without a reason of its own has none.
        let error = invoke(&app, "grants", serde_json::json!({})).unwrap_err();
        assert_eq!(
            (&error["error"], &error["reason"], &error["cause"]),
            (
                &serde_json::json!("not_enrolled"),
                &serde_json::Value::Null,
                &serde_json::Value::Null
            )
        );
    }

    /// The UI's TypeScript types are generated from these Rust types; this fails when the
    /// committed ones in ui/src/bindings/ are stale. `UPDATE_BINDINGS=1 cargo test -p
    /// assent-app bindings` writes them.
    #[test]
    fn bindings_are_current() {
        use ts_rs::TS;
        let committed = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/bindings");
        let fresh = tempfile::tempdir().unwrap();
        let export = |dir: &std::path::Path| -> Result<(), ts_rs::ExportError> {
            assent_core::settings::Settings::export_all_to(dir)?;
            assent_core::enrollment::EnrollmentState::export_all_to(dir)?;
            assent_core::enrollment::Enrollment::export_all_to(dir)?;
            assent_core::ConsentCard::export_all_to(dir)?;
            assent_core::app::Grant::export_all_to(dir)?;
            assent_core::receipts::Receipt::export_all_to(dir)?;
            assent_core::app::Withdrawn::export_all_to(dir)?;
            assent_core::app::DeviceInfo::export_all_to(dir)?;
            assent_core::app::HistoryPage::export_all_to(dir)?;
            assent_core::app::VerifyResult::export_all_to(dir)?;
            assent_core::history::Filter::export_all_to(dir)?;
            RenderRequest::export_all_to(dir)?;
            RenderResponse::export_all_to(dir)?;
            RenderFailure::export_all_to(dir)?;
            CommandError::export_all_to(dir)?;
            Ok(())
        };
        if std::env::var_os("UPDATE_BINDINGS").is_some() {
            std::fs::create_dir_all(&committed).unwrap();
            export(&committed).unwrap();
        }
        export(fresh.path()).unwrap();
        let mut stale = Vec::new();
        for file in std::fs::read_dir(fresh.path()).unwrap() {
            let file = file.unwrap();
            let now = std::fs::read_to_string(file.path()).unwrap();
            let before =
                std::fs::read_to_string(committed.join(file.file_name())).unwrap_or_default();
            if now != before {
                stale.push(file.file_name().to_string_lossy().into_owned());
            }
        }
        assert!(
            stale.is_empty(),
            "ui/src/bindings is stale for {stale:?}: run UPDATE_BINDINGS=1 cargo test -p assent-app bindings"
        );
    }
}
