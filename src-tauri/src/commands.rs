//! The commands the UI may invoke: each is one call into the engine. Register new ones here, in
//! `build.rs` and in `capabilities/main.json`.

use layover_engine::{ApiError, AppInfo, ClockStatus, Settings, SettingsPatch, Title};
use tauri::State;

use crate::state::AppState;

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
pub async fn update_settings(
    state: State<'_, AppState>,
    patch: SettingsPatch,
) -> Result<Settings, ApiError> {
    Ok(state.engine()?.update_settings(patch).await?)
}
