fn main() {
    // The Tauri configuration lives at the repository root (project layout rule);
    // tauri-build reads it from the crate folder unless told otherwise.
    let attributes = tauri_build::Attributes::new()
        .config_path("../tauri.conf.json")
        // Generates one `allow-<command>` permission per app command, used by capabilities/.
        .app_manifest(tauri_build::AppManifest::new().commands(&["render_prompt"]));
    tauri_build::try_build(attributes)
        .unwrap_or_else(|error| panic!("tauri-build failed: {error:#}"));
}
