//! The Assent app shell. Each command is a one-liner into a core crate; the UI in `ui/`
//! may call exactly the commands listed in `capabilities/`.

use assent_prompt::wire::{RenderFailure, RenderRequest, RenderResponse};

/// Renders a consent prompt for the live preview. Same JSON shapes as `assent prompt render`.
#[tauri::command]
fn render_prompt(request: RenderRequest) -> Result<RenderResponse, RenderFailure> {
    assent_prompt::wire::render(request)
}

/// Registers the app's commands on a builder of any runtime (the real one, or the mock
/// one in tests).
pub fn setup<R: tauri::Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    builder.invoke_handler(tauri::generate_handler![render_prompt])
}

#[cfg_attr(mobile, tauri::mobile_entry_point)]
pub fn run() {
    if let Err(error) =
        setup(tauri::Builder::default()).run(tauri::generate_context!("../tauri.conf.json"))
    {
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

    /// The app as configured (real capabilities from tauri.conf.json) on the mock runtime.
    fn app() -> tauri::App<MockRuntime> {
        setup(mock_builder())
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
        let webview = tauri::WebviewWindowBuilder::new(app, window, Default::default())
            .build()
            .unwrap();
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
        let response = invoke(&app(), "render_prompt", request()).unwrap();
        assert_eq!(response["presentation"], "names_values");
        assert_eq!(response["encoding"], "gsm7");
        let text = response["text"].as_str().unwrap();
        assert!(text.contains("E-Mail-Adresse"), "{text}");
    }

    #[test]
    fn render_prompt_refusals_carry_the_error_kind() {
        let mut body = request();
        body["request"]["device"]["columns"] = serde_json::json!(5);
        let error = invoke(&app(), "render_prompt", body).unwrap_err();
        assert_eq!(error["error"], "does_not_fit");
        assert!(error["message"].as_str().unwrap().contains("columns wide"));
    }

    #[test]
    fn only_the_main_window_may_call_the_command() {
        // capabilities/default.json grants render_prompt to the "main" window only.
        let error = invoke_from(&app(), "other", "render_prompt", request()).unwrap_err();
        assert!(error.to_string().contains("not allowed"), "{error}");
        let error = invoke(&app(), "not_a_command", serde_json::json!({})).unwrap_err();
        assert!(error.to_string().contains("not_a_command"), "{error}");
    }
}
