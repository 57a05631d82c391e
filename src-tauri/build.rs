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
    "add_catalog_entry",
    "catalog_poster",
    "demo_status",
    "read_catalog",
    "set_demo_server",
    "acquire_licenses",
    "add_provider",
    "export_providers",
    "import_providers",
    "license_details",
    "list_licenses",
    "list_providers",
    "release_licenses",
    "remove_provider",
    "renew_all_licenses",
    "renew_licenses",
    "secret_store",
    "set_default_provider",
    "sync_licenses",
    "update_provider",
    "playback_check",
    "playback_start",
    "playback_position",
    "playback_save_position",
    "eme_setup",
    "eme_license_request",
    "eme_save_sessions",
    "export_diagnostics",
    "diagnostics",
    "verify_title",
    "license_summaries",
    "title_details",
    "title_poster",
    "plan_trip",
    "current_trip",
    "forget_trip",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build script failed");
}
