/// The app's commands (src/lib.rs): each gets an `allow-<command>` permission.
const COMMANDS: &[&str] = &[
    "settings_get",
    "settings_set",
    "enrollment_status",
    "enroll_start",
    "enroll_renew",
    "enroll_code",
    "enroll_from_simulator",
    "inbox",
    "decide",
    "grants",
    "revoke",
    "withdraw",
    "receipts",
    "devices",
    "revoke_device",
    "flag",
    "history",
    "history_verify",
    "history_export",
    "render_prompt",
];

fn main() {
    // The Tauri configuration lives at the repository root (project layout rule);
    // tauri-build reads it from the crate folder unless told otherwise.
    let attributes = tauri_build::Attributes::new()
        .config_path("../tauri.conf.json")
        // Generates one `allow-<command>` permission per app command, used by capabilities/.
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    tauri_build::try_build(attributes)
        .unwrap_or_else(|error| panic!("tauri-build failed: {error:#}"));
}
