//! License and provider commands: each is one call into the engine. Register new ones here, in
//! `build.rs` and in `capabilities/main.json`.

use layover_engine::ApiError;
use layover_engine::library::LicenseCard;
use layover_engine::licenses::{
    LicenseDetails, LicenseView, MaintenanceReport, Operation, Provider, ProviderProfile,
    ProviderSecrets, TripReport,
};
use layover_engine::secrets::SecretStoreKind;
use tauri::State;

use crate::state::AppState;

/// Every license, soonest to expire first.
#[tauri::command]
pub async fn list_licenses(state: State<'_, AppState>) -> Result<Vec<LicenseView>, ApiError> {
    Ok(state.engine()?.licenses().await?)
}

/// A title's (or KID's) licenses with their request history.
#[tauri::command]
pub async fn license_details(
    state: State<'_, AppState>,
    query: String,
) -> Result<LicenseDetails, ApiError> {
    Ok(state.engine()?.license_details(&query).await?)
}

/// Gets a title's licenses (no request while stored ones are usable).
#[tauri::command]
pub async fn acquire_licenses(
    state: State<'_, AppState>,
    title_id: i64,
) -> Result<Vec<LicenseView>, ApiError> {
    Ok(state
        .engine()?
        .acquire_licenses(title_id, Operation::Acquire)
        .await?)
}

/// Asks the server again for a title's licenses.
#[tauri::command]
pub async fn renew_licenses(
    state: State<'_, AppState>,
    title_id: i64,
) -> Result<Vec<LicenseView>, ApiError> {
    Ok(state
        .engine()?
        .acquire_licenses(title_id, Operation::Renew)
        .await?)
}

/// Renews every persistent license (before a trip).
#[tauri::command]
pub async fn renew_all_licenses(state: State<'_, AppState>) -> Result<MaintenanceReport, ApiError> {
    Ok(state.engine()?.renew_all_licenses().await?)
}

/// The Licenses view's cards: each title's deciding license and how many keys it has.
#[tauri::command]
pub async fn license_cards(state: State<'_, AppState>) -> Result<Vec<LicenseCard>, ApiError> {
    Ok(state.engine()?.license_cards().await?)
}

/// Gets ready for a trip back at `return_ms` with `title_ids`: saves it, queues their
/// unfinished downloads and renews what would lapse (unless `dry_run`); says what will last.
#[tauri::command]
pub async fn plan_trip(
    state: State<'_, AppState>,
    return_ms: i64,
    title_ids: Vec<i64>,
    dry_run: bool,
) -> Result<TripReport, ApiError> {
    let report = state
        .engine()?
        .plan_trip(return_ms, &title_ids, !dry_run)
        .await?;
    state.wake_queue();
    Ok(report)
}

/// The saved trip as it stands now, if there is one.
#[tauri::command]
pub async fn current_trip(state: State<'_, AppState>) -> Result<Option<TripReport>, ApiError> {
    Ok(state.engine()?.current_trip().await?)
}

/// Forgets the saved trip.
#[tauri::command]
pub async fn forget_trip(state: State<'_, AppState>) -> Result<(), ApiError> {
    Ok(state.engine()?.forget_trip().await?)
}

/// Gives a title's licenses back.
#[tauri::command]
pub async fn release_licenses(
    state: State<'_, AppState>,
    title_id: i64,
) -> Result<Vec<LicenseView>, ApiError> {
    Ok(state.engine()?.release_licenses(title_id).await?)
}

/// Renews what is due, retries failures and sends queued releases now.
#[tauri::command]
pub async fn sync_licenses(state: State<'_, AppState>) -> Result<MaintenanceReport, ApiError> {
    Ok(state.engine()?.license_upkeep().await?)
}

/// Every provider (secrets never leave the engine).
#[tauri::command]
pub async fn list_providers(state: State<'_, AppState>) -> Result<Vec<Provider>, ApiError> {
    Ok(state.engine()?.providers().await?)
}

/// Adds a provider.
#[tauri::command]
pub async fn add_provider(
    state: State<'_, AppState>,
    profile: ProviderProfile,
    secrets: Option<ProviderSecrets>,
) -> Result<Provider, ApiError> {
    Ok(state
        .engine()?
        .add_provider(profile, secrets.unwrap_or_default())
        .await?)
}

/// Changes a provider; secrets given replace the stored ones.
#[tauri::command]
pub async fn update_provider(
    state: State<'_, AppState>,
    id: i64,
    profile: ProviderProfile,
    secrets: Option<ProviderSecrets>,
) -> Result<Provider, ApiError> {
    Ok(state
        .engine()?
        .update_provider(id, profile, secrets.unwrap_or_default())
        .await?)
}

/// Removes a provider and its secrets.
#[tauri::command]
pub async fn remove_provider(state: State<'_, AppState>, id: i64) -> Result<(), ApiError> {
    Ok(state.engine()?.remove_provider(id).await?)
}

/// Makes a provider the default (or none).
#[tauri::command]
pub async fn set_default_provider(
    state: State<'_, AppState>,
    id: Option<i64>,
) -> Result<(), ApiError> {
    Ok(state.engine()?.set_default_provider(id).await?)
}

/// Every provider as JSON, secrets left out.
#[tauri::command]
pub async fn export_providers(state: State<'_, AppState>) -> Result<String, ApiError> {
    Ok(state.engine()?.export_providers().await?)
}

/// Adds or updates providers from an export; returns `[added, updated]`.
#[tauri::command]
pub async fn import_providers(
    state: State<'_, AppState>,
    json: String,
) -> Result<(usize, usize), ApiError> {
    Ok(state.engine()?.import_providers(&json).await?)
}

/// Where secrets are kept (the UI warns about the key-file fallback).
#[tauri::command]
pub async fn secret_store(state: State<'_, AppState>) -> Result<SecretStoreKind, ApiError> {
    Ok(state.engine()?.secret_store_kind()?)
}
