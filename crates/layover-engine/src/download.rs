//! Downloading titles: adding a link to the library and fetching its files to disk, with every
//! finished file recorded as it lands so an interrupted download resumes where it stopped.
//!
//! A title is a single MP4 (or a PIFF `.ismv` served as `.mp4`), or a DASH / HLS / Smooth
//! manifest whose chosen tracks' segments become the title's files (see `library::plan`).

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::Engine;
use crate::error::{Error, Result};
use crate::library::plan::{self, PlannedFile};
use crate::library::{
    DownloadProgress, Title, TitleKind, TitleState, check_top_level_boxes, name_from_url,
};
use crate::net::{FetchError, FetchRequest, join_inside, sanitize_component};

/// How often progress is reported and saved while a file arrives (the UI's limit is 4 a second).
const PROGRESS_EVERY: Duration = Duration::from_millis(250);

impl Engine {
    /// The folder holding every title's files.
    pub fn titles_dir(&self) -> PathBuf {
        self.data_dir().root().join("titles")
    }

    /// Adds a title by link, queued. Adding a link whose title has not finished returns that
    /// title instead of a second copy, so "add it again" resumes it.
    pub async fn add_link(&self, url: &str) -> Result<Title> {
        let choice = self.default_track_choice().await?;
        self.add_link_with(url, &choice).await
    }

    /// The track choice from Settings (video quality, audio languages).
    pub async fn default_track_choice(&self) -> Result<plan::TrackChoice> {
        let s = self.settings().await?;
        Ok(plan::TrackChoice {
            video: plan::VideoChoice::parse(&s.video_quality)
                .unwrap_or(plan::VideoChoice::MaxHeight(plan::DEFAULT_MAX_HEIGHT)),
            audio: (!s.audio_languages.is_empty()).then_some(s.audio_languages),
            subs: None,
        })
    }

    /// [`Engine::add_link`] with a choice of quality and languages (manifests only).
    pub async fn add_link_with(&self, url: &str, choice: &plan::TrackChoice) -> Result<Title> {
        let url = url.trim();
        let parsed = reqwest::Url::parse(url).map_err(|e| Error::UnsupportedLink {
            url: url.to_owned(),
            reason: format!("it is not a web address ({e})"),
        })?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(Error::UnsupportedLink {
                url: url.to_owned(),
                reason: "only http and https links can be downloaded".into(),
            });
        }
        if let Some(existing) = self.store().unfinished_title_by_url(url).await? {
            return Ok(existing);
        }
        let kind = TitleKind::from_url(parsed.path()).ok_or_else(|| Error::UnsupportedLink {
            url: url.to_owned(),
            reason: "it does not end in .mp4, .ismv, .mpd, .m3u8 or /Manifest, so Layover cannot tell what it is".into(),
        })?;
        let name = name_from_url(url);
        let now = self.clock().now_unix_ms();
        let id = if kind == TitleKind::Progressive {
            let file_name = parsed
                .path_segments()
                .and_then(|mut s| s.next_back())
                .unwrap_or("title.mp4");
            let files = [PlannedFile {
                rel_path: sanitize_component(file_name),
                url: url.to_owned(),
                range: None,
            }];
            self.store()
                .insert_title(&name, url, kind, &files, None, now)
                .await?
        } else {
            self.add_streaming_title(&name, url, &parsed, kind, choice, now)
                .await?
        };
        tracing::info!(id, url, "title added");
        self.title(id).await
    }

    /// Reads a manifest, chooses its tracks (best video up to 1080p, best audio per language,
    /// every text track) and queues their files; the manifest itself is kept in the title's
    /// folder for offline playback and support.
    async fn add_streaming_title(
        &self,
        name: &str,
        url: &str,
        parsed: &url::Url,
        kind: TitleKind,
        choice: &plan::TrackChoice,
        now: i64,
    ) -> Result<i64> {
        let (presentation, manifest) =
            crate::manifest::load_presentation(parsed, self.fetcher().client()).await?;
        let tracks = plan::choose_tracks(&presentation, choice).map_err(|reason| {
            Error::UnsupportedLink {
                url: url.to_owned(),
                reason,
            }
        })?;
        if tracks.is_empty() {
            return Err(Error::UnsupportedLink {
                url: url.to_owned(),
                reason: "the manifest lists no video, audio or text track Layover can download"
                    .into(),
            });
        }
        let fairplay_only = tracks.iter().all(|t| {
            !t.protection.is_empty() && t.protection.iter().all(|p| !p.playable_on_desktop)
        });
        if fairplay_only {
            return Err(Error::UnsupportedLink {
                url: url.to_owned(),
                reason: "it is protected only with FairPlay, which plays on Apple devices and not on this desktop".into(),
            });
        }
        let files = plan::plan_files(&tracks);
        let id = self
            .store()
            .insert_title(
                name,
                url,
                kind,
                &files,
                plan::estimate_bytes(&tracks, presentation.duration),
                now,
            )
            .await?;
        let title = self.title(id).await?;
        let folder = self.titles_dir().join(&title.folder);
        let ext = match kind {
            TitleKind::Dash => "mpd",
            TitleKind::Hls => "m3u8",
            _ => "ismc",
        };
        let write_err = |source| Error::WriteFile {
            path: folder.clone(),
            source,
        };
        std::fs::create_dir_all(&folder).map_err(write_err)?;
        std::fs::write(folder.join(format!("manifest.{ext}")), &manifest).map_err(write_err)?;
        Ok(id)
    }

    /// One title.
    pub async fn title(&self, id: i64) -> Result<Title> {
        self.store()
            .title(id)
            .await?
            .ok_or(Error::TitleNotFound(id))
    }

    /// Every title in queue order.
    pub async fn titles(&self) -> Result<Vec<Title>> {
        self.store().titles().await
    }

    /// Carries on every queued or interrupted download, one after another (run at app start).
    /// Titles another process is downloading are left to it.
    pub async fn resume_unfinished(
        &self,
        on_progress: &(dyn Fn(DownloadProgress) + Send + Sync),
    ) -> Result<Vec<Title>> {
        let mut done = Vec::new();
        for t in self.titles().await? {
            if !matches!(t.state, TitleState::Queued | TitleState::Downloading) {
                continue;
            }
            match self.download(t.id, on_progress).await {
                Ok(t) => done.push(t),
                Err(Error::DownloadBusy(name)) => tracing::info!(name, "left to its other owner"),
                Err(e) => return Err(e),
            }
        }
        Ok(done)
    }

    /// Downloads a title's remaining files and returns it in its final state: completed, or
    /// failed / paused with a reason that says what to do. Errors are only for the library
    /// itself (the database), never for the network.
    pub async fn download(
        &self,
        id: i64,
        on_progress: &(dyn Fn(DownloadProgress) + Send + Sync),
    ) -> Result<Title> {
        let title = self.title(id).await?;
        if title.state == TitleState::Completed {
            return Ok(title);
        }
        let now = || self.clock().now_unix_ms();
        let folder = self.titles_dir().join(&title.folder);
        if let Err(e) = tokio::fs::create_dir_all(&folder).await {
            let reason = format!("cannot create the folder {}: {e}", folder.display());
            self.store()
                .set_title_state(id, TitleState::Failed, Some(&reason), now())
                .await?;
            return self.title(id).await;
        }
        // One owner per download: the app and the CLI (or two CLIs) must never append to the
        // same part file. The OS releases the lock if the owner dies, even by SIGKILL.
        let _owner = match OwnerLock::acquire(&folder) {
            Ok(lock) => lock,
            Err(OwnerLockError::Busy) => return Err(Error::DownloadBusy(title.name)),
            Err(OwnerLockError::Io(e)) => {
                let reason = format!("cannot lock the folder {}: {e}", folder.display());
                self.store()
                    .set_title_state(id, TitleState::Failed, Some(&reason), now())
                    .await?;
                return self.title(id).await;
            }
        };
        // Space is checked before a byte is fetched (estimate plus a margin), so a trip's
        // downloads do not end in a half-full disk; a full disk mid-way still pauses below.
        if let Some(total) = title.bytes_total {
            let needed = u64::try_from(total.saturating_sub(title.bytes_done)).unwrap_or(0);
            if let Ok(available) = fs4::available_space(&folder)
                && let Err(reason) = check_space(needed, available)
            {
                self.store()
                    .set_title_state(id, TitleState::Paused, Some(&reason), now())
                    .await?;
                return self.title(id).await;
            }
        }
        self.store()
            .set_title_state(id, TitleState::Downloading, None, now())
            .await?;

        // For titles of many files, the total is the manifest-based estimate.
        let estimate = (self.store().file_count(id).await? > 1).then_some(title.bytes_total);
        for file in self.store().pending_files(id).await? {
            let done_before = self.store().done_bytes(id).await?;
            let dest = match join_inside(&folder, &file.rel_path) {
                Ok(d) => d,
                Err(e) => {
                    self.store()
                        .set_title_state(id, TitleState::Failed, Some(&e.to_string()), now())
                        .await?;
                    return self.title(id).await;
                }
            };
            if let Some(parent) = dest.parent()
                && let Err(e) = tokio::fs::create_dir_all(parent).await
            {
                let reason = format!("cannot create the folder {}: {e}", parent.display());
                self.store()
                    .set_title_state(id, TitleState::Failed, Some(&reason), now())
                    .await?;
                return self.title(id).await;
            }
            let latest = Arc::new(Mutex::new((0u64, None::<u64>)));
            let sink = latest.clone();
            let record = move |done: u64, total: Option<u64>| {
                *sink.lock().unwrap_or_else(|p| p.into_inner()) = (done, total);
            };
            let validate = |p: &std::path::Path| check_top_level_boxes(p);
            let byte_range = file
                .range_start
                .zip(file.range_end)
                .and_then(|(s, e)| Some((u64::try_from(s).ok()?, u64::try_from(e).ok()?)));
            let req = FetchRequest {
                url: &file.url,
                dest: &dest,
                byte_range,
                validate: Some(&validate),
                on_progress: Some(&record),
            };
            let fetch = self.fetcher().fetch(&req);
            tokio::pin!(fetch);
            let mut tick = tokio::time::interval(PROGRESS_EVERY);
            let result = loop {
                tokio::select! {
                    r = &mut fetch => break r,
                    _ = tick.tick() => {
                        // Paused or removed meanwhile (by the UI, or another process): stop,
                        // keeping the part file for a later resume.
                        if matches!(self.store().title_state(id).await?, Some(TitleState::Paused | TitleState::Removing) | None) {
                            tracing::info!(id, "stopping: paused or removed");
                            return match self.store().title(id).await? {
                                Some(t) => Ok(t),
                                None => Err(Error::TitleNotFound(id)),
                            };
                        }
                        let (done, total) = *latest.lock().unwrap_or_else(|p| p.into_inner());
                        let p = progress(id, done_before, done, total, estimate);
                        on_progress(p);
                        self.store().set_title_bytes(id, p.bytes_done, p.bytes_total, now()).await?;
                    }
                }
            };
            match result {
                Ok(fetched) => {
                    let bytes = i64::try_from(fetched.bytes).unwrap_or(i64::MAX);
                    self.store().mark_file_done(file.id, bytes, now()).await?;
                    let p = progress(
                        id,
                        done_before,
                        fetched.bytes,
                        Some(fetched.bytes),
                        estimate,
                    );
                    self.store()
                        .set_title_bytes(id, p.bytes_done, p.bytes_total, now())
                        .await?;
                    on_progress(p);
                }
                Err(e) => {
                    let (state, reason) = explain(&e, &latest);
                    tracing::warn!(id, error = %e, "download stopped");
                    self.store()
                        .set_title_state(id, state, Some(&reason), now())
                        .await?;
                    return self.title(id).await;
                }
            }
        }
        // The estimate gives way to the exact size.
        let exact = self.store().done_bytes(id).await?;
        self.store()
            .set_title_bytes(id, exact, Some(exact), now())
            .await?;
        self.store()
            .set_title_state(id, TitleState::Completed, None, now())
            .await?;
        tracing::info!(id, "title downloaded");
        self.title(id).await
    }
}

/// An exclusive OS lock on `<title folder>/.owner`, held while a process downloads the title.
struct OwnerLock(std::fs::File);

enum OwnerLockError {
    Busy,
    Io(std::io::Error),
}

impl OwnerLock {
    fn acquire(folder: &std::path::Path) -> Result<Self, OwnerLockError> {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(folder.join(".owner"))
            .map_err(OwnerLockError::Io)?;
        match file.try_lock() {
            Ok(()) => Ok(Self(file)),
            Err(std::fs::TryLockError::WouldBlock) => Err(OwnerLockError::Busy),
            Err(std::fs::TryLockError::Error(e)) => Err(OwnerLockError::Io(e)),
        }
    }
}

impl Drop for OwnerLock {
    fn drop(&mut self) {
        let _ = self.0.unlock();
    }
}

/// Progress of the whole title. A single-file title's total is its file's length; a title of
/// many files (segments) has its estimate from the manifest's bitrates, never below what is done.
fn progress(
    title_id: i64,
    done_before: i64,
    done: u64,
    file_total: Option<u64>,
    estimate: Option<Option<i64>>,
) -> DownloadProgress {
    let add = |n: u64| done_before.saturating_add(i64::try_from(n).unwrap_or(i64::MAX));
    let bytes_done = add(done);
    let bytes_total = match estimate {
        Some(estimate) => estimate.map(|e| e.max(bytes_done)),
        None => file_total.map(add),
    };
    DownloadProgress {
        title_id,
        bytes_done,
        bytes_total,
    }
}

/// The state a failed fetch leaves the title in, and the sentence that explains it.
fn explain(e: &FetchError, latest: &Mutex<(u64, Option<u64>)>) -> (TitleState, String) {
    match e {
        FetchError::Disk { source, .. } if source.kind() == std::io::ErrorKind::StorageFull => {
            let (done, total) = *latest.lock().unwrap_or_else(|p| p.into_inner());
            let need = total.map(|t| t.saturating_sub(done).div_ceil(1_000_000));
            let reason = match need {
                Some(mb) => format!("disk full: {mb} MB more needed; free some space and resume"),
                None => "disk full: free some space and resume".to_owned(),
            };
            (TitleState::Paused, reason)
        }
        FetchError::GaveUp { .. } => (
            TitleState::Paused,
            format!("{e}. Check the network connection and resume."),
        ),
        _ => (TitleState::Failed, e.to_string()),
    }
}

/// Space kept free beyond a title's size: 10 % of it, at least 50 MB.
fn margin(needed: u64) -> u64 {
    (needed / 10).max(50_000_000)
}

/// Whether `needed` bytes fit in `available` with the margin; the reason says how much more.
fn check_space(needed: u64, available: u64) -> std::result::Result<(), String> {
    let want = needed.saturating_add(margin(needed));
    if available >= want {
        return Ok(());
    }
    let more_mb = (want - available).div_ceil(1_000_000);
    Err(format!(
        "disk full: {more_mb} MB more needed to download this title (with a safety margin); free some space and resume"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn space_needs_the_title_plus_a_margin() {
        assert_eq!(check_space(1_000_000_000, 2_000_000_000), Ok(()));
        assert_eq!(check_space(1_000_000_000, 1_100_000_000), Ok(()));
        let err = check_space(1_000_000_000, 1_000_000_000).expect_err("no margin left");
        assert!(err.starts_with("disk full: 100 MB more needed"), "{err}");
        // Small titles still keep 50 MB free.
        assert!(check_space(1_000, 40_000_000).is_err_and(|e| e.contains("11 MB more")));
    }
}
