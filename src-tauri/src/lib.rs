//! The Assent app shell. Each command is a one-liner into a core crate; the UI in `ui/`
//! may call exactly the commands listed in `capabilities/`.

use assent_prompt::wire::{RenderFailure, RenderRequest, RenderResponse};

/// Renders a consent prompt for the live preview. Same JSON shapes as `assent prompt render`.
#[tauri::command]
fn render_prompt(request: RenderRequest) -> Result<RenderResponse, RenderFailure> {
    assent_prompt::wire::render(request)
}

/// Registers the commands on any Tauri runtime (the real one, or the mock one in tests).
pub fn builder<R: tauri::Runtime>() -> tauri::Builder<R> {
    tauri::Builder::<R>::new().invoke_handler(tauri::generate_handler![render_prompt])
}

#[cfg_attr(mobile, tauri::mobile_entry_point)]
pub fn run() {
    if let Err(error) = builder::<tauri::Wry>().run(tauri::generate_context!("../tauri.conf.json"))
    {
        eprintln!("assent-app: {error}");
        std::process::exit(1);
    }
}
