//! The commands the UI may invoke: each is one call into the engine. Register new ones here, in
//! `build.rs` and in `capabilities/main.json`.

use layover_engine::{
    ApiError, AppInfo, ClockStatus, DownloadProgress, Settings, SettingsPatch, Title,
};
use tauri::State;
use tauri::ipc::Channel;

use crate::state::AppState;

#[tauri::command]
pub async fn add_link(state: State<'_, AppState>, url: String) -> Result<Title, ApiError> {
    Ok(state.engine()?.add_link(&url).await?)
}

/// Runs until the title is complete, paused or failed; progress (at most 4 a second, the
/// engine's cadence) goes through `on_progress`.
#[tauri::command]
pub async fn download_title(
    state: State<'_, AppState>,
    id: i64,
    on_progress: Channel<DownloadProgress>,
) -> Result<Title, ApiError> {
    let report = move |p: DownloadProgress| {
        let _ = on_progress.send(p);
    };
    Ok(state.engine()?.download(id, &report).await?)
}

#[tauri::command]
pub async fn app_info(state: State<'_, AppState>) -> Result<AppInfo, ApiError> {
    Ok(state.engine()?.app_info().await?)
}

#[tauri::command]
pub async fn clock_status(state: State<'_, AppState>) -> Result<ClockStatus, ApiError> {
    Ok(state.engine()?.clock_status().await?)
}

#[tauri::command]
pub async fn get_settings(state: State<'_, AppState>) -> Result<Settings, ApiError> {
    Ok(state.engine()?.settings().await?)
}

#[tauri::command]
pub async fn list_titles(state: State<'_, AppState>) -> Result<Vec<Title>, ApiError> {
    Ok(state.engine()?.titles().await?)
}

#[tauri::command]
pub async fn pause_title(state: State<'_, AppState>, id: i64) -> Result<Title, ApiError> {
    Ok(state.engine()?.pause(id).await?)
}

#[tauri::command]
pub async fn resume_title(state: State<'_, AppState>, id: i64) -> Result<Title, ApiError> {
    Ok(state.engine()?.resume(id).await?)
}

/// Returns the bytes freed.
#[tauri::command]
pub async fn remove_title(state: State<'_, AppState>, id: i64) -> Result<u64, ApiError> {
    Ok(state.engine()?.remove(id).await?)
}

#[tauri::command]
pub async fn update_settings(
    state: State<'_, AppState>,
    patch: SettingsPatch,
) -> Result<Settings, ApiError> {
    Ok(state.engine()?.update_settings(patch).await?)
}
