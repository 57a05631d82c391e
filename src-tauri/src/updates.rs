//! Updates, only when the person asks (Settings > About): check the release channel this build
//! was made with, and install a newer version (verified against the build's update key by the
//! updater plugin) and restart into it. A build without an update key never contacts anything.

use layover_engine::updates::{self, UpdateCheck};
use layover_engine::{ApiError, VERSION};
use tauri::AppHandle;
use tauri_plugin_updater::{Update, UpdaterExt};

/// The update key and endpoints in this build's configuration.
fn channel_of(app: &AppHandle) -> (String, Vec<String>) {
    let conf = app.config().plugins.0.get("updater");
    let pubkey = conf
        .and_then(|c| c.get("pubkey"))
        .and_then(|k| k.as_str())
        .unwrap_or_default()
        .to_owned();
    let endpoints = conf
        .and_then(|c| c.get("endpoints"))
        .and_then(|e| e.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|e| e.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    (pubkey, endpoints)
}

async fn find(app: &AppHandle) -> Result<Option<Update>, ApiError> {
    let (pubkey, endpoints) = channel_of(app);
    updates::channel(&pubkey, &endpoints)?;
    let updater = app
        .updater()
        .map_err(|e| updates::check_failed(&e.to_string()))?;
    let found = updater
        .check()
        .await
        .map_err(|e| updates::check_failed(&e.to_string()))?;
    tracing::info!(available = ?found.as_ref().map(|u| &u.version), "checked for updates");
    Ok(found)
}

/// Looks for a newer version on this build's release channel.
#[tauri::command]
pub async fn check_for_updates(app: AppHandle) -> Result<UpdateCheck, ApiError> {
    Ok(match find(&app).await? {
        Some(u) => UpdateCheck::available(VERSION, &u.version, u.body.clone()),
        None => UpdateCheck::up_to_date(VERSION),
    })
}

/// Downloads the newer version, verifies its signature, installs it and restarts into it.
#[tauri::command]
pub async fn install_update(app: AppHandle) -> Result<(), ApiError> {
    let Some(update) = find(&app).await? else {
        return Err(layover_engine::Error::NoUpdateChannel(format!(
            "Layover {VERSION} is already the latest version"
        ))
        .into());
    };
    update
        .download_and_install(|_, _| {}, || {})
        .await
        .map_err(|e| updates::check_failed(&e.to_string()))?;
    tracing::info!(version = %update.version, "update installed; restarting");
    app.restart();
}

#[cfg(test)]
mod tests {
    //! The release configuration as committed: the app's update endpoint, the release
    //! workflow that signs and publishes `latest.json`, and the build's refusal without a key.

    const CONF: &str = include_str!("../tauri.conf.json");
    const WORKFLOW: &str = include_str!("../../.github/workflows/release.yml");
    const BUILD: &str = include_str!("../build.rs");

    fn updater() -> serde_json::Value {
        let conf: serde_json::Value = serde_json::from_str(CONF).expect("tauri.conf.json is JSON");
        conf["plugins"]["updater"].clone()
    }

    #[test]
    fn the_endpoint_is_https_and_the_key_field_is_there() {
        let u = updater();
        let endpoints: Vec<String> = u["endpoints"]
            .as_array()
            .expect("plugins.updater.endpoints")
            .iter()
            .map(|e| e.as_str().expect("a string").to_owned())
            .collect();
        assert!(!endpoints.is_empty());
        for e in &endpoints {
            assert!(e.starts_with("https://"), "{e} is https");
            assert!(
                e.ends_with("latest.json"),
                "{e} serves the release's latest.json"
            );
        }
        let key = u["pubkey"]
            .as_str()
            .expect("plugins.updater.pubkey is present");
        // Committed: either a real public key, or empty (a development build that never
        // looks) with the release workflow required to supply one.
        if key.is_empty() {
            assert!(WORKFLOW.contains("TAURI_UPDATER_PUBKEY"));
        } else {
            layover_engine::updates::channel(key, &endpoints).expect("a usable release channel");
        }
    }

    #[test]
    fn the_release_workflow_signs_and_refuses_without_the_key() {
        for needed in [
            "TAURI_SIGNING_PRIVATE_KEY: ${{ secrets.TAURI_SIGNING_PRIVATE_KEY }}",
            "TAURI_SIGNING_PRIVATE_KEY_PASSWORD: ${{ secrets.TAURI_SIGNING_PRIVATE_KEY_PASSWORD }}",
            "createUpdaterArtifacts",
            "includeUpdaterJson: true",
            "LAYOVER_RELEASE: \"1\"",
        ] {
            assert!(WORKFLOW.contains(needed), "release.yml has {needed}");
        }
        let refuse = WORKFLOW
            .find("The update signing key is set")
            .expect("a step that refuses a release without the signing key");
        let build = WORKFLOW.find("tauri-apps/tauri-action").expect("the build");
        assert!(refuse < build, "the refusal comes before the build");
        assert!(WORKFLOW[refuse..build].contains("exit 1"));
        // A release build without a key is a build error, not an app that cannot update.
        assert!(BUILD.contains("LAYOVER_RELEASE") && BUILD.contains("panic!"));
    }

    #[test]
    fn no_private_key_is_committed() {
        for text in [CONF, WORKFLOW] {
            assert!(!text.contains("minisign secret key"));
            assert!(!text.contains("rsign encrypted secret key"));
        }
    }
}
