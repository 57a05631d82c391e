//! Pause, resume and remove, and finding a title by what a person types.

use std::time::Duration;

use crate::Engine;
use crate::error::{Error, Result};
use crate::library::{Title, TitleState};

/// How long `remove` waits for another process to let go of a title it is downloading (it
/// notices the removal at its next progress tick, four times a second).
const RELEASE_WAIT: Duration = Duration::from_secs(10);

impl Engine {
    /// A title by id, or by name (exact, then a unique part of it, ignoring case).
    pub async fn find_title(&self, query: &str) -> Result<Title> {
        let query = query.trim();
        if let Ok(id) = query.parse::<i64>() {
            return self.title(id).await;
        }
        let titles = self.titles().await?;
        let q = query.to_lowercase();
        if let Some(t) = titles.iter().find(|t| t.name.to_lowercase() == q) {
            return Ok(t.clone());
        }
        let matches: Vec<&Title> = titles
            .iter()
            .filter(|t| t.name.to_lowercase().contains(&q))
            .collect();
        match matches.as_slice() {
            [one] => Ok((*one).clone()),
            [] => Err(Error::NoSuchTitle(query.to_owned())),
            many => Err(Error::AmbiguousTitle {
                query: query.to_owned(),
                candidates: many
                    .iter()
                    .map(|t| format!("{} ({})", t.name, t.id))
                    .collect(),
            }),
        }
    }

    /// Pauses a queued or downloading title. A download running in another process notices
    /// at its next progress tick and stops, keeping what it has.
    pub async fn pause(&self, id: i64) -> Result<Title> {
        let t = self.title(id).await?;
        match t.state {
            TitleState::Queued | TitleState::Downloading => {
                self.store()
                    .set_title_state(
                        id,
                        TitleState::Paused,
                        Some("paused by you"),
                        self.clock().now_unix_ms(),
                    )
                    .await?;
                self.title(id).await
            }
            TitleState::Paused => Ok(t),
            other => Err(Error::WrongState {
                title: t.name,
                state: other,
                wanted: "paused",
            }),
        }
    }

    /// Puts a paused or failed title back in the queue (the caller then downloads it).
    pub async fn resume(&self, id: i64) -> Result<Title> {
        let t = self.title(id).await?;
        match t.state {
            TitleState::Paused | TitleState::Failed => {
                self.store()
                    .set_title_state(id, TitleState::Queued, None, self.clock().now_unix_ms())
                    .await?;
                self.title(id).await
            }
            TitleState::Queued | TitleState::Downloading => Ok(t),
            other => Err(Error::WrongState {
                title: t.name,
                state: other,
                wanted: "resumed",
            }),
        }
    }

    /// Removes a title and its files; returns the bytes freed. A download of it in another
    /// process is stopped first.
    pub async fn remove(&self, id: i64) -> Result<u64> {
        let t = self.title(id).await?;
        self.store()
            .set_title_state(id, TitleState::Removing, None, self.clock().now_unix_ms())
            .await?;
        // Licenses go back to their server (or into the release queue when offline) before
        // the title's row, which they outlive, is deleted.
        if let Err(e) = self.release_licenses(id).await {
            tracing::warn!(id, error = %e, "licenses could not be released; the title is removed anyway");
        }
        let folder = self.titles_dir().join(&t.folder);
        // Wait for a downloader (ours or another process's) to let go of the folder.
        let deadline = tokio::time::Instant::now() + RELEASE_WAIT;
        while folder.exists() && owner_busy(&folder) {
            if tokio::time::Instant::now() > deadline {
                return Err(Error::DownloadBusy(t.name));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let freed = folder_size(&folder);
        if folder.exists() {
            tokio::fs::remove_dir_all(&folder)
                .await
                .map_err(|source| Error::WriteFile {
                    path: folder.clone(),
                    source,
                })?;
        }
        self.store().delete_title(id).await?;
        tracing::info!(id, freed, "title removed");
        Ok(freed)
    }
}

fn owner_busy(folder: &std::path::Path) -> bool {
    let Ok(f) = std::fs::OpenOptions::new()
        .write(true)
        .open(folder.join(".owner"))
    else {
        return false;
    };
    match f.try_lock() {
        Ok(()) => {
            let _ = f.unlock();
            false
        }
        Err(_) => true,
    }
}

pub(crate) fn folder_size(folder: &std::path::Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => folder_size(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}
