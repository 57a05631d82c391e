//! Support commands: verify a title's files, the Diagnostics view's report, export a diagnostics
//! bundle. Each is one call into the engine. Register new ones here, in `build.rs` and in `capabilities/main.json`.

use layover_engine::ApiError;
use layover_engine::diagnostics::VerifyReport;
use tauri::State;

use crate::state::AppState;

/// Re-checks a title's files; damaged ones go back to the queue.
#[tauri::command]
pub async fn verify_title(state: State<'_, AppState>, id: i64) -> Result<VerifyReport, ApiError> {
    let report = state.engine()?.verify_title(id).await?;
    if report.bad > 0 {
        state.wake_queue();
    }
    Ok(report)
}

/// Writes a diagnostics bundle to the Downloads folder; returns its path.
#[tauri::command]
pub async fn export_diagnostics(state: State<'_, AppState>) -> Result<String, ApiError> {
    let path = state.engine()?.export_diagnostics_to_downloads().await?;
    Ok(path.display().to_string())
}

/// The Diagnostics view's report, redacted as a bundle is.
#[tauri::command]
pub async fn diagnostics(state: State<'_, AppState>) -> Result<serde_json::Value, ApiError> {
    Ok(state.engine()?.diagnostics().await?)
}
