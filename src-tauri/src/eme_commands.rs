//! The player's EME path (real PlayReady through WebView2 on Windows): the title's setup, and
//! every license message the WebView's CDM makes carried through the engine, so provider
//! profiles, tokens, history and policy parsing apply. Registered in `lib.rs`, `build.rs` and
//! `capabilities/main.json`.

use layover_engine::ApiError;
use layover_engine::licenses::EmeSetup;
use tauri::State;

use crate::state::AppState;

/// How a title plays through EME, or null: Layover decrypts it itself (the clear path).
#[tauri::command]
pub async fn eme_setup(
    state: State<'_, AppState>,
    title_id: i64,
) -> Result<Option<EmeSetup>, ApiError> {
    Ok(state.engine()?.eme_setup(title_id).await?)
}

/// One CDM message (bytes) to the title's license server; the answer (bytes) for the CDM.
#[tauri::command]
pub async fn eme_license_request(
    state: State<'_, AppState>,
    title_id: i64,
    challenge: Vec<u8>,
) -> Result<Vec<u8>, ApiError> {
    Ok(state
        .engine()?
        .eme_license_request(title_id, challenge)
        .await?)
}

/// Keeps the ids of a title's persistent sessions for the next play.
#[tauri::command]
pub async fn eme_save_sessions(
    state: State<'_, AppState>,
    title_id: i64,
    session_ids: Vec<String>,
) -> Result<(), ApiError> {
    Ok(state
        .engine()?
        .eme_save_sessions(title_id, &session_ids)
        .await?)
}
