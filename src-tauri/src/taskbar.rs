//! The taskbar / dock progress: all running downloads together, cleared when none runs.

use layover_engine::library::queue::DownloadQueue;
use tauri::window::{ProgressBarState, ProgressBarStatus};
use tauri::{AppHandle, Manager};

/// Mirrors the queue's overall progress on the main window's taskbar entry until the app ends.
pub async fn follow(app: AppHandle, queue: DownloadQueue) {
    let mut updates = queue.subscribe();
    let mut shown: Option<Option<u64>> = None;
    while updates.changed().await.is_ok() {
        let progress = updates.borrow_and_update().clone();
        let percent = if progress.downloads.is_empty() {
            None
        } else {
            Some(
                progress
                    .fraction()
                    .map_or(0, |f| (f * 100.0).round() as u64),
            )
        };
        if shown == Some(percent) {
            continue;
        }
        shown = Some(percent);
        let state = match percent {
            Some(p) => ProgressBarState {
                status: Some(ProgressBarStatus::Normal),
                progress: Some(p),
            },
            None => ProgressBarState {
                status: Some(ProgressBarStatus::None),
                progress: None,
            },
        };
        if let Some(window) = app.get_webview_window("main")
            && let Err(e) = window.set_progress_bar(state)
        {
            // Some desktops have no taskbar progress (Linux without libunity).
            tracing::debug!(error = %e, "taskbar progress not shown");
        }
    }
}
