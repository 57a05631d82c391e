//! The download queue: up to `parallel_downloads` (Settings) titles download at once, started
//! in queue order; reordering, pausing and resuming one or all; progress for the window and the
//! taskbar at most 4 times a second.
//!
//! The queue itself lives in the database (state and `queue_position` of each title), so the
//! app and the CLI share it; a [`DownloadQueue`] is one process's runner over it. A title
//! another process is downloading is left to that process (its owner lock says so).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{Notify, watch};
use tokio::time::Instant;

use crate::Engine;
use crate::error::{Error, Result};
use crate::library::{DownloadProgress, QueueProgress, Title, TitleState};

/// How often the runner looks at the queue when nothing wakes it (another process may have
/// queued or resumed a title), and how often progress is published.
const TICK: Duration = Duration::from_millis(250);
/// How long a title another process owns is left alone before trying again.
const ELSEWHERE_RETRY: Duration = Duration::from_secs(10);

/// Where to move a title in the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueuePlace {
    /// First.
    Top,
    /// Last.
    Bottom,
    /// One place earlier.
    Up,
    /// One place later.
    Down,
    /// At this place (1 is first; beyond the end means last).
    At(usize),
}

impl QueuePlace {
    /// `top`, `bottom`, `up`, `down` or a place number (1 is first).
    pub fn parse(s: &str) -> std::result::Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "top" | "first" => Ok(Self::Top),
            "bottom" | "last" => Ok(Self::Bottom),
            "up" => Ok(Self::Up),
            "down" => Ok(Self::Down),
            n => match n.parse::<usize>() {
                Ok(n) if n >= 1 => Ok(Self::At(n)),
                _ => Err(format!(
                    "`{s}` is not a place in the queue; use a number from 1, top, bottom, up or down"
                )),
            },
        }
    }
}

impl Engine {
    /// Moves a title within the queue (the order downloads start in) and returns the titles in
    /// their new order.
    pub async fn move_title(&self, id: i64, place: QueuePlace) -> Result<Vec<Title>> {
        let titles = self.titles().await?;
        let mut ids: Vec<i64> = titles.iter().map(|t| t.id).collect();
        let from = ids
            .iter()
            .position(|t| *t == id)
            .ok_or(Error::TitleNotFound(id))?;
        // Places count among titles still to download; finished ones keep their slots.
        let waiting: Vec<usize> = titles
            .iter()
            .enumerate()
            .filter(|(_, t)| t.state != TitleState::Completed)
            .map(|(i, _)| i)
            .collect();
        let rank = waiting.iter().position(|i| *i == from).unwrap_or(0);
        let last = waiting.len().saturating_sub(1);
        let to_rank = match place {
            QueuePlace::Top => 0,
            QueuePlace::Bottom => last,
            QueuePlace::Up => rank.saturating_sub(1),
            QueuePlace::Down => (rank + 1).min(last),
            QueuePlace::At(n) => (n - 1).min(last),
        };
        let to = waiting.get(to_rank).copied().unwrap_or(from);
        let moved = ids.remove(from);
        ids.insert(to.min(ids.len()), moved);
        self.store().reorder_titles(&ids).await?;
        tracing::info!(id, ?place, "title moved in the queue");
        self.titles().await
    }

    /// Pauses every queued or downloading title; returns how many.
    pub async fn pause_all(&self) -> Result<usize> {
        let mut n = 0;
        for t in self.titles().await? {
            if matches!(t.state, TitleState::Queued | TitleState::Downloading) {
                self.pause(t.id).await?;
                n += 1;
            }
        }
        Ok(n)
    }

    /// Queues every paused title again (failed ones need a look first: "Try again" each);
    /// returns how many.
    pub async fn resume_all(&self) -> Result<usize> {
        let mut n = 0;
        for t in self.titles().await? {
            if t.state == TitleState::Paused {
                self.resume(t.id).await?;
                n += 1;
            }
        }
        Ok(n)
    }

    /// Carries on every queued or interrupted download, `parallel_downloads` at once, until
    /// none is left (the CLI's `resume --all`); returns the titles it ran, in their final
    /// states. Titles another process is downloading are left to it.
    pub async fn resume_unfinished(
        &self,
        on_progress: &(dyn Fn(DownloadProgress) + Send + Sync),
    ) -> Result<Vec<Title>> {
        let queue = DownloadQueue::new(self.clone());
        let mut updates = queue.subscribe();
        let run = queue.run_until_idle();
        tokio::pin!(run);
        loop {
            tokio::select! {
                done = &mut run => return done,
                changed = updates.changed() => {
                    if changed.is_err() {
                        return run.await;
                    }
                    let snapshot = updates.borrow_and_update().clone();
                    for p in snapshot.downloads {
                        on_progress(p);
                    }
                }
            }
        }
    }
}

/// One process's runner over the shared queue. Cheap to clone.
#[derive(Debug, Clone)]
pub struct DownloadQueue {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    engine: Engine,
    wake: Notify,
    /// Titles downloading in this process, with their latest progress.
    running: Mutex<HashMap<i64, Option<DownloadProgress>>>,
    /// Titles another process owns, and when we last found out.
    elsewhere: Mutex<HashMap<i64, Instant>>,
    /// Titles this runner finished (for `run_until_idle`).
    finished: Mutex<Vec<Title>>,
    /// The first library error a download hit.
    failure: Mutex<Option<Error>>,
    progress: watch::Sender<QueueProgress>,
}

impl DownloadQueue {
    /// A runner over `engine`'s library; nothing starts until [`DownloadQueue::run`].
    pub fn new(engine: Engine) -> Self {
        Self {
            inner: Arc::new(Inner {
                engine,
                wake: Notify::new(),
                running: Mutex::new(HashMap::new()),
                elsewhere: Mutex::new(HashMap::new()),
                finished: Mutex::new(Vec::new()),
                failure: Mutex::new(None),
                progress: watch::Sender::new(QueueProgress::default()),
            }),
        }
    }

    /// Looks at the queue now (after adding, resuming, reordering or changing Settings).
    pub fn wake(&self) {
        self.inner.wake.notify_one();
    }

    /// Progress of the running downloads, updated at most 4 times a second.
    pub fn subscribe(&self) -> watch::Receiver<QueueProgress> {
        self.inner.progress.subscribe()
    }

    /// The ids of the titles downloading in this process.
    pub fn running(&self) -> Vec<i64> {
        lock(&self.inner.running).keys().copied().collect()
    }

    /// Runs the queue for as long as the process lives (the app).
    pub async fn run(&self) {
        loop {
            if let Err(e) = self.fill().await {
                tracing::error!(error = %e, "the download queue could not be read");
            }
            self.publish();
            let _ = tokio::time::timeout(TICK, self.inner.wake.notified()).await;
        }
    }

    /// Runs the queue until nothing is queued or downloading here; returns the titles it ran.
    pub async fn run_until_idle(&self) -> Result<Vec<Title>> {
        loop {
            self.fill().await?;
            self.publish();
            if lock(&self.inner.running).is_empty() {
                break;
            }
            let _ = tokio::time::timeout(TICK, self.inner.wake.notified()).await;
        }
        self.publish();
        if let Some(e) = lock(&self.inner.failure).take() {
            return Err(e);
        }
        Ok(std::mem::take(&mut *lock(&self.inner.finished)))
    }

    /// Starts queued (and interrupted) titles in queue order until `parallel_downloads` run.
    async fn fill(&self) -> Result<()> {
        let engine = &self.inner.engine;
        let settings = engine.settings().await?;
        engine
            .fetcher()
            .throttle()
            .set_kbps(settings.bandwidth_limit_kbps);
        let limit = usize::try_from(settings.parallel_downloads.clamp(1, 8)).unwrap_or(1);
        let now = Instant::now();
        lock(&self.inner.elsewhere).retain(|_, at| now.duration_since(*at) < ELSEWHERE_RETRY);
        for t in engine.titles().await? {
            if lock(&self.inner.running).len() >= limit {
                break;
            }
            if !matches!(t.state, TitleState::Queued | TitleState::Downloading)
                || lock(&self.inner.running).contains_key(&t.id)
                || lock(&self.inner.elsewhere).contains_key(&t.id)
            {
                continue;
            }
            self.start(t.id);
        }
        Ok(())
    }

    fn start(&self, id: i64) {
        lock(&self.inner.running).insert(id, None);
        let queue = self.clone();
        tokio::spawn(async move {
            let inner = &queue.inner;
            let record = |p: DownloadProgress| {
                if let Some(slot) = lock(&inner.running).get_mut(&p.title_id) {
                    *slot = Some(p);
                }
            };
            let result = inner.engine.download(id, &record).await;
            lock(&inner.running).remove(&id);
            match result {
                Ok(t) => lock(&inner.finished).push(t),
                Err(Error::DownloadBusy(name)) => {
                    tracing::info!(id, name, "left to the process downloading it");
                    lock(&inner.elsewhere).insert(id, Instant::now());
                }
                Err(e) => {
                    tracing::error!(id, error = %e, "download stopped by a library error");
                    // Not retried at once: the next look is after the quiet period.
                    lock(&inner.elsewhere).insert(id, Instant::now());
                    lock(&inner.failure).get_or_insert(e);
                }
            }
            queue.wake();
        });
    }

    /// Sends the running downloads' progress to subscribers.
    fn publish(&self) {
        let mut downloads: Vec<DownloadProgress> = lock(&self.inner.running)
            .iter()
            .map(|(id, p)| {
                p.unwrap_or(DownloadProgress {
                    title_id: *id,
                    bytes_done: 0,
                    bytes_total: None,
                    bytes_per_sec: 0,
                    eta_secs: None,
                })
            })
            .collect();
        downloads.sort_by_key(|d| d.title_id);
        let snapshot = QueueProgress::of(downloads);
        self.inner.progress.send_if_modified(|old| {
            if *old == snapshot {
                false
            } else {
                *old = snapshot;
                true
            }
        });
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_from_text() {
        assert_eq!(QueuePlace::parse("top"), Ok(QueuePlace::Top));
        assert_eq!(QueuePlace::parse(" Bottom"), Ok(QueuePlace::Bottom));
        assert_eq!(QueuePlace::parse("3"), Ok(QueuePlace::At(3)));
        assert!(QueuePlace::parse("0").is_err());
        assert!(QueuePlace::parse("sideways").is_err_and(|e| e.contains("top, bottom")));
    }
}
