//! Library and title page commands: each is one call into the engine. Register new ones here,
//! in `build.rs` and in `capabilities/main.json`.

use layover_engine::ApiError;
use layover_engine::library::{TitleDetails, TitleLicenseSummary};
use tauri::State;

use crate::state::AppState;

/// Every title's licenses summed up (one query), for the Library.
#[tauri::command]
pub async fn license_summaries(
    state: State<'_, AppState>,
) -> Result<Vec<TitleLicenseSummary>, ApiError> {
    Ok(state.engine()?.license_summaries().await?)
}

/// A title's page: details, chosen tracks, licenses with both clocks, whether it plays.
#[tauri::command]
pub async fn title_details(state: State<'_, AppState>, id: i64) -> Result<TitleDetails, ApiError> {
    Ok(state.engine()?.title_details(id).await?)
}

/// A title's poster from its folder as a `data:` URL (null when it has none).
#[tauri::command]
pub async fn title_poster(state: State<'_, AppState>, id: i64) -> Result<Option<String>, ApiError> {
    Ok(state.engine()?.title_poster(id).await?)
}
