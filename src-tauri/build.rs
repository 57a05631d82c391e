//! Lists the app's own commands so each gets an `allow-*` permission; `capabilities/main.json`
//! grants exactly these to the main window and nothing else.

/// Every command the UI may invoke. Keep in step with `src/commands.rs`.
const COMMANDS: &[&str] = &[
    "add_link",
    "app_info",
    "clock_status",
    "download_title",
    "get_settings",
    "link_choices",
    "list_titles",
    "move_title",
    "pause_all",
    "pause_title",
    "remove_title",
    "resume_all",
    "resume_title",
    "update_settings",
    "watch_downloads",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build script failed");
}
