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
    "check_for_updates",
    "install_update",
    "diagnostics",
    "verify_title",
    "license_summaries",
    "title_details",
    "title_poster",
    "license_cards",
    "plan_trip",
    "current_trip",
    "forget_trip",
];

/// A release build (`LAYOVER_RELEASE=1`, set by `.github/workflows/release.yml`) must carry the
/// update key's public half and https endpoints, else it is refused here: an installed app that
/// cannot verify updates is worse than no build. `TAURI_CONFIG` is the `--config` overlay the
/// Tauri CLI passes on.
fn check_release_updater() {
    println!("cargo:rerun-if-env-changed=LAYOVER_RELEASE");
    println!("cargo:rerun-if-env-changed=TAURI_CONFIG");
    println!("cargo:rerun-if-changed=tauri.conf.json");
    if std::env::var("LAYOVER_RELEASE").as_deref() != Ok("1") {
        return;
    }
    let read = |text: &str, what: &str| -> serde_json::Value {
        serde_json::from_str(text).unwrap_or_else(|e| panic!("{what} is not JSON: {e}"))
    };
    let conf = read(
        &std::fs::read_to_string("tauri.conf.json").expect("tauri.conf.json"),
        "tauri.conf.json",
    );
    let overlay = std::env::var("TAURI_CONFIG")
        .ok()
        .filter(|t| t.trim_start().starts_with('{'))
        .map(|t| read(&t, "TAURI_CONFIG"));
    let pick = |key: &str| {
        overlay
            .as_ref()
            .map(|o| o["plugins"]["updater"][key].clone())
            .filter(|v| !v.is_null())
            .unwrap_or_else(|| conf["plugins"]["updater"][key].clone())
    };
    let pubkey = pick("pubkey");
    if pubkey.as_str().is_none_or(|k| k.trim().is_empty()) {
        panic!(
            "a release build (LAYOVER_RELEASE=1) needs the update key's public half: make a key pair \
             with `npm --prefix ui exec tauri signer generate -- -w layover-updater.key`, keep the \
             private key in the TAURI_SIGNING_PRIVATE_KEY / TAURI_SIGNING_PRIVATE_KEY_PASSWORD \
             secrets, and put the public key in the TAURI_UPDATER_PUBKEY repository variable or \
             plugins.updater.pubkey in src-tauri/tauri.conf.json"
        );
    }
    let endpoints = pick("endpoints");
    let endpoints = endpoints.as_array().cloned().unwrap_or_default();
    if endpoints.is_empty()
        || endpoints
            .iter()
            .any(|e| !e.as_str().is_some_and(|e| e.starts_with("https://")))
    {
        panic!("a release build needs https update endpoints in plugins.updater.endpoints");
    }
}

fn main() {
    check_release_updater();
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build script failed");
}
