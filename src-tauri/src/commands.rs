//! The commands the UI may invoke: each is one call into the engine. Register new ones here, in
//! `build.rs` and in `capabilities/main.json`.

use layover_engine::library::QueueProgress;
use layover_engine::library::choices::{ChoiceInput, LinkChoices};
use layover_engine::library::queue::QueuePlace;
use layover_engine::{
    ApiError, AppInfo, ClockStatus, DownloadProgress, Error, Settings, SettingsPatch, Title,
};
use tauri::State;
use tauri::ipc::Channel;

use crate::state::AppState;

/// Adds a title by link with the choice made in the dialog (Settings fill what is missing);
/// the queue starts it when its turn comes.
#[tauri::command]
pub async fn add_link(
    state: State<'_, AppState>,
    url: String,
    choice: Option<ChoiceInput>,
) -> Result<Title, ApiError> {
    let engine = state.engine()?;
    let title = engine
        .add_link_chosen(&url, &choice.unwrap_or_default())
        .await?;
    state.wake_queue();
    Ok(title)
}

/// What a link offers (qualities, languages, sizes) and the free space, before adding it.
#[tauri::command]
pub async fn link_choices(
    state: State<'_, AppState>,
    url: String,
) -> Result<LinkChoices, ApiError> {
    Ok(state.engine()?.link_choices(&url).await?)
}

/// Streams the queue's progress (every running download and all together) until the window
/// goes away; at most 4 messages a second.
#[tauri::command]
pub async fn watch_downloads(
    state: State<'_, AppState>,
    on_progress: Channel<QueueProgress>,
) -> Result<(), ApiError> {
    let Some(queue) = state.queue() else {
        return Ok(());
    };
    let mut updates = queue.subscribe();
    loop {
        let snapshot = updates.borrow_and_update().clone();
        if on_progress.send(snapshot).is_err() {
            return Ok(());
        }
        if updates.changed().await.is_err() {
            return Ok(());
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
}

/// Moves a title in the queue: `to` is `top`, `bottom`, `up`, `down` or a place number.
#[tauri::command]
pub async fn move_title(
    state: State<'_, AppState>,
    id: i64,
    to: String,
) -> Result<Vec<Title>, ApiError> {
    let place = QueuePlace::parse(&to).map_err(|reason| {
        ApiError::from(Error::InvalidSetting {
            key: "to".into(),
            reason,
        })
    })?;
    let titles = state.engine()?.move_title(id, place).await?;
    state.wake_queue();
    Ok(titles)
}

/// Returns how many titles were paused.
#[tauri::command]
pub async fn pause_all(state: State<'_, AppState>) -> Result<usize, ApiError> {
    Ok(state.engine()?.pause_all().await?)
}

/// Returns how many titles were queued again.
#[tauri::command]
pub async fn resume_all(state: State<'_, AppState>) -> Result<usize, ApiError> {
    let n = state.engine()?.resume_all().await?;
    state.wake_queue();
    Ok(n)
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
    let title = state.engine()?.resume(id).await?;
    state.wake_queue();
    Ok(title)
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
    let settings = state.engine()?.update_settings(patch).await?;
    // More parallel downloads, or a new bandwidth limit, apply now.
    state.wake_queue();
    Ok(settings)
}
