//! Downloading titles: adding a link to the library and fetching its files to disk, with every
//! finished file recorded as it lands so an interrupted download resumes where it stopped.
//!
//! A title is a single MP4 (or a PIFF `.ismv` served as `.mp4`), or a DASH / HLS / Smooth
//! manifest whose chosen tracks' segments become the title's files (see `library::plan`).

use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::task::JoinSet;

use crate::Engine;
use crate::error::{Error, Result};
use crate::library::plan::{self, PlannedFile};
use crate::library::{
    DownloadProgress, Title, TitleKind, TitleState, check_downloaded_file, eta, name_from_url,
};
use crate::net::fetch::part_path;
use crate::net::{FetchError, FetchRequest, Fetched, join_inside, sanitize_component};
use crate::store::PendingFile;

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
        self.add_link_as(url, choice, None, None).await
    }

    /// [`Engine::add_link_with`] with the title's name and license provider decided by the
    /// caller (a catalog entry): both are stored with the title in one write, so the queue
    /// never starts it (and asks for its licenses) without them. An unfinished title already
    /// added from the link keeps its name and provider (the caller updates the provider).
    pub(crate) async fn add_link_as(
        &self,
        url: &str,
        choice: &plan::TrackChoice,
        name: Option<&str>,
        provider_id: Option<i64>,
    ) -> Result<Title> {
        let url = url.trim();
        let parsed = parse_link(url)?;
        let existing = self.store().unfinished_title_by_url(url).await?;
        if let Some(existing) = &existing
            && existing.kind == TitleKind::Progressive
        {
            return Ok(existing.clone());
        }
        let kind = TitleKind::from_url(parsed.path()).ok_or_else(|| Error::UnsupportedLink {
            url: url.to_owned(),
            reason: "it does not end in .mp4, .ismv, .mpd, .m3u8 or /Manifest, so Layover cannot tell what it is".into(),
        })?;
        let name = name.map_or_else(|| name_from_url(url), str::to_owned);
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
                .insert_title(&name, url, kind, &files, None, provider_id, now)
                .await?
        } else {
            let planned = self.plan_streaming(url, &parsed, choice).await?;
            match existing {
                // Adding an unfinished link again resumes it, with the tracks chosen this time.
                Some(existing) => self.replan(existing, planned, now).await?,
                None => {
                    let id = self
                        .store()
                        .insert_title(
                            &name,
                            url,
                            kind,
                            &planned.files,
                            planned.estimate,
                            provider_id,
                            now,
                        )
                        .await?;
                    self.keep_manifest(id, kind, &planned).await?;
                    id
                }
            }
        };
        tracing::info!(id, url, "title added");
        self.title(id).await
    }

    /// Gives an unfinished title the files of a new choice of tracks, keeping every file it
    /// already has that the new choice also needs (and deleting the others).
    async fn replan(&self, title: Title, planned: StreamingPlan, now: i64) -> Result<i64> {
        let current: Vec<String> = self
            .store()
            .title_files(title.id)
            .await?
            .into_iter()
            .map(|(_, rel, _)| rel)
            .collect();
        let wanted: Vec<&str> = planned.files.iter().map(|f| f.rel_path.as_str()).collect();
        if current.len() == wanted.len() && current.iter().all(|c| wanted.contains(&c.as_str())) {
            return Ok(title.id);
        }
        let folder = self.titles_dir().join(&title.folder);
        std::fs::create_dir_all(&folder).map_err(|source| Error::WriteFile {
            path: folder.clone(),
            source,
        })?;
        // Not while a download of it runs (here or in another process): it would write the
        // files being dropped.
        let _owner = match OwnerLock::acquire(&folder) {
            Ok(lock) => lock,
            Err(OwnerLockError::Busy) => return Err(Error::DownloadBusy(title.name)),
            Err(OwnerLockError::Io(source)) => {
                return Err(Error::WriteFile {
                    path: folder,
                    source,
                });
            }
        };
        let dropped = self
            .store()
            .replan_title(title.id, &planned.files, planned.estimate, now)
            .await?;
        for rel in &dropped {
            if let Ok(path) = join_inside(&folder, rel) {
                let _ = std::fs::remove_file(part_path(&path));
                let _ = std::fs::remove_file(&path);
            }
        }
        self.keep_manifest(title.id, title.kind, &planned).await?;
        tracing::info!(
            id = title.id,
            dropped = dropped.len(),
            "tracks chosen again"
        );
        Ok(title.id)
    }

    /// Reads a manifest and plans the files of the chosen tracks.
    async fn plan_streaming(
        &self,
        url: &str,
        parsed: &url::Url,
        choice: &plan::TrackChoice,
    ) -> Result<StreamingPlan> {
        let (presentation, manifest, media) =
            crate::manifest::load_with_playlists(parsed, self.fetcher().client()).await?;
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
        // An HLS master only names its media playlists: the title keeps playlists of its own
        // that name the downloaded files, so its folder reads offline.
        let playlists = if media.is_empty() {
            Vec::new()
        } else {
            let text = layover_manifest::decode_text(&manifest)
                .map_err(|e| Error::UnsupportedLink {
                    url: url.to_owned(),
                    reason: e.to_string(),
                })?
                .into_owned();
            plan::hls_local::local_playlists(&text, parsed, &media, &tracks).map_err(|reason| {
                Error::UnsupportedLink {
                    url: url.to_owned(),
                    reason,
                }
            })?
        };
        Ok(StreamingPlan {
            files: plan::plan_files(&tracks),
            estimate: plan::estimate_bytes(&tracks, &presentation),
            manifest,
            playlists,
        })
    }

    /// Keeps the manifest in the title's folder for offline playback and support: a DASH or
    /// Smooth manifest as it came; for HLS the title's own master and media playlists
    /// (`plan::hls_local`), written atomically, those of tracks no longer chosen removed.
    async fn keep_manifest(&self, id: i64, kind: TitleKind, planned: &StreamingPlan) -> Result<()> {
        let title = self.title(id).await?;
        let folder = self.titles_dir().join(&title.folder);
        let ext = match kind {
            TitleKind::Dash => "mpd",
            TitleKind::Hls => "m3u8",
            _ => "ismc",
        };
        let write_err = |path: &std::path::Path| {
            let path = path.to_owned();
            move |source| Error::WriteFile { path, source }
        };
        std::fs::create_dir_all(&folder).map_err(write_err(&folder))?;
        if planned.playlists.is_empty() {
            let path = folder.join(format!("manifest.{ext}"));
            return write_atomic(&path, &planned.manifest).map_err(write_err(&path));
        }
        // Playlists of an earlier choice of tracks.
        for entry in std::fs::read_dir(&folder).into_iter().flatten().flatten() {
            let old = entry.path().join(plan::hls_local::MEDIA);
            if old.is_file() {
                let _ = std::fs::remove_file(&old);
                let _ = std::fs::remove_dir(entry.path());
            }
        }
        for p in &planned.playlists {
            let path = join_inside(&folder, &p.rel_path).map_err(|e| Error::WriteFile {
                path: folder.clone(),
                source: std::io::Error::other(e.to_string()),
            })?;
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(write_err(parent))?;
            }
            write_atomic(&path, p.text.as_bytes()).map_err(write_err(&path))?;
        }
        Ok(())
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

    /// Downloads a title's remaining files, up to `parallel_segments` (Settings) at once, and
    /// returns it in its final state: completed, or failed / paused with a reason that says what
    /// to do. Errors are only for the library itself (the database), never for the network.
    ///
    /// A protected title's licenses are acquired as its download starts (from its stored
    /// manifest; a progressive file's header is read once it is on disk), beside the file
    /// fetches. A license that cannot be had does not stop the download: its state and reason
    /// show in Licenses, and upkeep retries what may pass.
    pub async fn download(
        &self,
        id: i64,
        on_progress: &(dyn Fn(DownloadProgress) + Send + Sync),
    ) -> Result<Title> {
        let title = self.title(id).await?;
        if title.state == TitleState::Completed {
            return Ok(title);
        }
        let licensing = (title.kind != TitleKind::Progressive).then(|| {
            let engine = self.clone();
            tokio::spawn(async move { engine.acquire_for_download(id).await })
        });
        let result = self.download_files(title, on_progress).await;
        match licensing {
            Some(task) => {
                let _ = task.await;
            }
            None if result
                .as_ref()
                .is_ok_and(|t| t.state == TitleState::Completed) =>
            {
                self.acquire_for_download(id).await;
            }
            None => {}
        }
        result
    }

    async fn download_files(
        &self,
        title: Title,
        on_progress: &(dyn Fn(DownloadProgress) + Send + Sync),
    ) -> Result<Title> {
        let id = title.id;
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
        let settings = self.settings().await?;
        self.fetcher()
            .throttle()
            .set_kbps(settings.bandwidth_limit_kbps);
        let parallel = usize::try_from(settings.parallel_segments.clamp(1, 16)).unwrap_or(1);

        // For titles of many files, the total is the manifest-based estimate.
        let estimate = (self.store().file_count(id).await? > 1).then_some(title.bytes_total);
        let mut tally = Tally {
            title_id: id,
            finished: self.store().done_bytes(id).await?,
            fresh_finished: 0,
            single_total: None,
            estimate,
            meter: SpeedMeter::default(),
        };
        let in_flight: InFlight = Arc::new(Mutex::new(HashMap::new()));
        let mut pending = self.store().pending_files(id).await?.into_iter();
        let mut running: JoinSet<(i64, FileOutcome)> = JoinSet::new();
        let mut tick = tokio::time::interval(PROGRESS_EVERY);
        let mut ticks = 0u64;
        loop {
            while running.len() < parallel
                && let Some(file) = pending.next()
            {
                let dest = match join_inside(&folder, &file.rel_path) {
                    Ok(d) => d,
                    Err(e) => {
                        self.store()
                            .set_title_state(id, TitleState::Failed, Some(&e.to_string()), now())
                            .await?;
                        return self.title(id).await;
                    }
                };
                running.spawn(fetch_one(
                    self.fetcher().clone(),
                    file,
                    dest,
                    in_flight.clone(),
                ));
            }
            if running.is_empty() {
                break;
            }
            tokio::select! {
                joined = running.join_next() => {
                    let Some(joined) = joined else { continue };
                    let (file_id, outcome) = joined
                        .map_err(|e| Error::Internal(format!("a download task ended abnormally: {e}")))?;
                    let fetched = match outcome {
                        FileOutcome::Done(fetched) => fetched,
                        FileOutcome::Failed(state, reason) => {
                            // The other files stop here too (dropping the set aborts them);
                            // their part files stay for a resume.
                            tracing::warn!(id, %reason, "download stopped");
                            let p = tally.progress(&in_flight);
                            let reason = explain_disk_full(&reason, &p).unwrap_or(reason);
                            self.store().set_title_bytes(id, p.bytes_done, p.bytes_total, now()).await?;
                            self.store().set_title_state(id, state, Some(&reason), now()).await?;
                            return self.title(id).await;
                        }
                    };
                    let bytes = i64::try_from(fetched.bytes).unwrap_or(i64::MAX);
                    self.store().mark_file_done(file_id, bytes, now()).await?;
                    in_flight.lock().unwrap_or_else(|p| p.into_inner()).remove(&file_id);
                    tally.finished = tally.finished.saturating_add(bytes);
                    tally.fresh_finished += fetched.bytes.saturating_sub(fetched.resumed_from);
                    if tally.estimate.is_none() {
                        tally.single_total = Some(bytes);
                    }
                }
                _ = tick.tick() => {
                    ticks += 1;
                    // Paused or removed meanwhile (by the UI, or another process): stop,
                    // keeping the part files for a later resume.
                    if matches!(self.store().title_state(id).await?, Some(TitleState::Paused | TitleState::Removing) | None) {
                        tracing::info!(id, "stopping: paused or removed");
                        running.shutdown().await;
                        return match self.store().title(id).await? {
                            Some(t) => Ok(t),
                            None => Err(Error::TitleNotFound(id)),
                        };
                    }
                    // A new bandwidth limit (from this process or another) applies within a second.
                    if ticks.is_multiple_of(4) {
                        let kbps = self.settings().await?.bandwidth_limit_kbps;
                        self.fetcher().throttle().set_kbps(kbps);
                    }
                    let p = tally.progress(&in_flight);
                    on_progress(p);
                    self.store().set_title_bytes(id, p.bytes_done, p.bytes_total, now()).await?;
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
        on_progress(DownloadProgress {
            title_id: id,
            bytes_done: exact,
            bytes_total: Some(exact),
            bytes_per_sec: 0,
            eta_secs: Some(0),
        });
        tracing::info!(id, "title downloaded");
        self.title(id).await
    }
}

/// A link as a URL Layover can download from (http or https).
pub(crate) fn parse_link(url: &str) -> Result<url::Url> {
    let parsed = url::Url::parse(url).map_err(|e| Error::UnsupportedLink {
        url: url.to_owned(),
        reason: format!("it is not a web address ({e})"),
    })?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(Error::UnsupportedLink {
            url: url.to_owned(),
            reason: "only http and https links can be downloaded".into(),
        });
    }
    Ok(parsed)
}

/// A streaming title's files, size estimate and manifest.
struct StreamingPlan {
    files: Vec<PlannedFile>,
    estimate: Option<u64>,
    manifest: Vec<u8>,
    /// HLS: the title's own playlists (master first); empty for other kinds.
    playlists: Vec<plan::hls_local::LocalPlaylist>,
}

/// Writes `bytes` to `<path>.part`, syncs it, and renames it over `path`.
fn write_atomic(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let part = part_path(path);
    let mut f = std::fs::File::create(&part)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    drop(f);
    std::fs::rename(&part, path)
}

/// Bytes on disk and expected total of each file being fetched, with the part file's length
/// when it started (bytes from an earlier run do not count towards the speed).
type InFlight = Arc<Mutex<HashMap<i64, FileProgress>>>;

#[derive(Debug, Clone, Copy)]
struct FileProgress {
    done: u64,
    total: Option<u64>,
    resumed_from: u64,
}

enum FileOutcome {
    Done(Fetched),
    Failed(TitleState, String),
}

/// Fetches one file of a title (its folder made, its content checked); run as a task so up to
/// `parallel_segments` run at once.
async fn fetch_one(
    fetcher: crate::net::Fetcher,
    file: PendingFile,
    dest: PathBuf,
    in_flight: InFlight,
) -> (i64, FileOutcome) {
    let file_id = file.id;
    if let Some(parent) = dest.parent()
        && let Err(e) = tokio::fs::create_dir_all(parent).await
    {
        let reason = format!("cannot create the folder {}: {e}", parent.display());
        return (file_id, FileOutcome::Failed(TitleState::Failed, reason));
    }
    let resumed_from = tokio::fs::metadata(part_path(&dest))
        .await
        .map_or(0, |m| m.len());
    let sink = in_flight.clone();
    let record = move |done: u64, total: Option<u64>| {
        sink.lock().unwrap_or_else(|p| p.into_inner()).insert(
            file_id,
            FileProgress {
                done,
                total,
                resumed_from,
            },
        );
    };
    let validate = |p: &std::path::Path| check_downloaded_file(p);
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
    match fetcher.fetch(&req).await {
        Ok(fetched) => (file_id, FileOutcome::Done(fetched)),
        Err(e) => {
            let (state, reason) = explain(&e);
            (file_id, FileOutcome::Failed(state, reason))
        }
    }
}

/// What a title's download has done so far.
struct Tally {
    title_id: i64,
    /// Bytes of finished files (including those finished by earlier runs).
    finished: i64,
    /// Bytes finished by this run (not resumed from disk), for the speed.
    fresh_finished: u64,
    /// A single-file title's exact size once done.
    single_total: Option<i64>,
    /// `Some(estimate)` for titles of many files.
    estimate: Option<Option<i64>>,
    meter: SpeedMeter,
}

impl Tally {
    fn progress(&mut self, in_flight: &Mutex<HashMap<i64, FileProgress>>) -> DownloadProgress {
        let files = in_flight.lock().unwrap_or_else(|p| p.into_inner());
        let to_i64 = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        let partial: u64 = files.values().map(|f| f.done).sum();
        let fresh: u64 = self.fresh_finished
            + files
                .values()
                .map(|f| f.done.saturating_sub(f.resumed_from))
                .sum::<u64>();
        let bytes_done = self.finished.saturating_add(to_i64(partial));
        let bytes_total = match self.estimate {
            Some(estimate) => estimate.map(|e| e.max(bytes_done)),
            None => self.single_total.or_else(|| {
                files
                    .values()
                    .next()
                    .and_then(|f| f.total)
                    .map(|t| self.finished.saturating_add(to_i64(t)))
            }),
        };
        let bytes_per_sec = self.meter.speed(fresh, tokio::time::Instant::now());
        DownloadProgress {
            title_id: self.title_id,
            bytes_done,
            bytes_total,
            bytes_per_sec,
            eta_secs: eta(bytes_done, bytes_total, bytes_per_sec),
        }
    }
}

/// Speed over the last few seconds, from samples of a growing byte count.
#[derive(Debug, Default)]
struct SpeedMeter {
    samples: VecDeque<(tokio::time::Instant, u64)>,
}

/// The window the speed is averaged over.
const SPEED_WINDOW: Duration = Duration::from_secs(5);

impl SpeedMeter {
    fn speed(&mut self, bytes: u64, at: tokio::time::Instant) -> i64 {
        self.samples.push_back((at, bytes));
        while self.samples.len() > 2
            && self
                .samples
                .front()
                .is_some_and(|(t, _)| at.duration_since(*t) > SPEED_WINDOW)
        {
            self.samples.pop_front();
        }
        let Some(&(t0, b0)) = self.samples.front() else {
            return 0;
        };
        let secs = at.duration_since(t0).as_secs_f64();
        if secs < 0.2 {
            return 0;
        }
        (bytes.saturating_sub(b0) as f64 / secs) as i64
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

/// The state a failed fetch leaves the title in, and the sentence that explains it.
fn explain(e: &FetchError) -> (TitleState, String) {
    match e {
        FetchError::Disk { source, .. } if source.kind() == std::io::ErrorKind::StorageFull => {
            (TitleState::Paused, DISK_FULL.to_owned())
        }
        FetchError::GaveUp { .. } => (
            TitleState::Paused,
            format!("{e}. Check the network connection and resume."),
        ),
        _ => (TitleState::Failed, e.to_string()),
    }
}

const DISK_FULL: &str = "disk full: free some space and resume";

/// A full disk's reason with how much more the title needs, when its size is known.
fn explain_disk_full(reason: &str, p: &DownloadProgress) -> Option<String> {
    if reason != DISK_FULL {
        return None;
    }
    let mb = p.bytes_total?.saturating_sub(p.bytes_done).max(0) as u64;
    Some(format!(
        "disk full: {} MB more needed; free some space and resume",
        mb.div_ceil(1_000_000)
    ))
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
