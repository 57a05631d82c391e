//! Titles in the library and their download state, as the UI and the CLI see them.

pub mod choices;
mod control;
pub mod details;
mod mp4_check;
pub mod plan;
pub mod queue;
pub mod summary;
pub mod synthetic;

pub use details::{ChosenTrack, TitleDetails};
pub(crate) use mp4_check::read_box_header;
pub use mp4_check::{check_downloaded_file, check_top_level_boxes};
pub use summary::{LicenseCard, TitleLicenseSummary};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Where a title's download stands (Media3's states, which users understand).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum TitleState {
    /// Waiting for its turn.
    Queued,
    /// Bytes are arriving.
    Downloading,
    /// Stopped, with a reason (the user, or a full disk); resumes where it stopped.
    Paused,
    /// Every file is on disk and checked.
    Completed,
    /// Stopped for a reason retrying will not fix; the reason says what to do.
    Failed,
    /// Being deleted.
    Removing,
}

impl TitleState {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Downloading => "downloading",
            Self::Paused => "paused",
            Self::Completed => "completed",
            Self::Failed => "failed",
            Self::Removing => "removing",
        }
    }

    /// Reads the stored name.
    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Queued,
            Self::Downloading,
            Self::Paused,
            Self::Completed,
            Self::Failed,
            Self::Removing,
        ]
        .into_iter()
        .find(|v| v.as_str() == s)
    }
}

/// How a title is delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum TitleKind {
    /// One MP4 file (including a PIFF `.ismv` served as `.mp4`).
    Progressive,
    /// A DASH manifest.
    Dash,
    /// A Smooth Streaming manifest.
    Smooth,
    /// An HLS playlist.
    Hls,
}

impl TitleKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Progressive => "progressive",
            Self::Dash => "dash",
            Self::Smooth => "smooth",
            Self::Hls => "hls",
        }
    }

    /// Reads the stored name.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Progressive, Self::Dash, Self::Smooth, Self::Hls]
            .into_iter()
            .find(|v| v.as_str() == s)
    }

    /// Guesses the kind from a link's path, as a person pasting it would expect.
    pub fn from_url(url: &str) -> Option<Self> {
        let path = url
            .split(['?', '#'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        if path.ends_with(".mpd") {
            Some(Self::Dash)
        } else if path.ends_with(".m3u8") {
            Some(Self::Hls)
        } else if path.ends_with("/manifest")
            || path.ends_with(".ism/manifest")
            || path.ends_with(".ismc")
        {
            Some(Self::Smooth)
        } else if [".mp4", ".m4v", ".ismv", ".mov", ".m4a", ".cmfv"]
            .iter()
            .any(|e| path.ends_with(e))
        {
            Some(Self::Progressive)
        } else {
            None
        }
    }
}

/// A title as lists show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Title {
    /// Stable id.
    #[ts(type = "number")]
    pub id: i64,
    /// Display name.
    pub name: String,
    /// The link it was added from.
    pub source_url: String,
    /// How it is delivered.
    pub kind: TitleKind,
    /// Download state.
    pub state: TitleState,
    /// Why it is paused or failed, and what to do.
    pub state_reason: Option<String>,
    /// Bytes on disk.
    #[ts(type = "number")]
    pub bytes_done: i64,
    /// Bytes in all, once known.
    #[ts(type = "number | null")]
    pub bytes_total: Option<i64>,
    /// Its folder on disk.
    pub folder: String,
    /// Its place in the download queue (1 is first; titles are listed in this order).
    #[ts(type = "number")]
    pub queue_position: i64,
    /// When it was added (Unix ms).
    #[ts(type = "number")]
    pub created_at: i64,
    /// When it finished (Unix ms).
    #[ts(type = "number | null")]
    pub completed_at: Option<i64>,
}

/// A progress report while a title downloads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct DownloadProgress {
    /// The title.
    #[ts(type = "number")]
    pub title_id: i64,
    /// Bytes on disk.
    #[ts(type = "number")]
    pub bytes_done: i64,
    /// Bytes in all, once known.
    #[ts(type = "number | null")]
    pub bytes_total: Option<i64>,
    /// Current speed (bytes per second, averaged over the last few seconds).
    #[ts(type = "number")]
    pub bytes_per_sec: i64,
    /// Seconds left at the current speed, when both the total and a speed are known.
    #[ts(type = "number | null")]
    pub eta_secs: Option<i64>,
}

/// Every download running in this process, and all of them together: what the Downloads view
/// and the taskbar show. Sent at most 4 times a second.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct QueueProgress {
    /// Each running download, in queue order.
    pub downloads: Vec<DownloadProgress>,
    /// Bytes on disk over all running downloads.
    #[ts(type = "number")]
    pub bytes_done: i64,
    /// Bytes in all over the running downloads whose size is known.
    #[ts(type = "number")]
    pub bytes_total: i64,
    /// Combined speed (bytes per second).
    #[ts(type = "number")]
    pub bytes_per_sec: i64,
    /// Seconds until all running downloads finish at the combined speed.
    #[ts(type = "number | null")]
    pub eta_secs: Option<i64>,
}

impl QueueProgress {
    /// Sums the running downloads.
    pub fn of(downloads: Vec<DownloadProgress>) -> Self {
        let bytes_done = downloads.iter().map(|d| d.bytes_done).sum();
        let bytes_total = downloads
            .iter()
            .map(|d| d.bytes_total.unwrap_or(d.bytes_done).max(d.bytes_done))
            .sum();
        let bytes_per_sec = downloads.iter().map(|d| d.bytes_per_sec).sum();
        Self {
            eta_secs: eta(bytes_done, Some(bytes_total), bytes_per_sec),
            downloads,
            bytes_done,
            bytes_total,
            bytes_per_sec,
        }
    }

    /// The fraction done (0 to 1) when anything is running.
    pub fn fraction(&self) -> Option<f64> {
        (self.bytes_total > 0).then(|| (self.bytes_done as f64 / self.bytes_total as f64).min(1.0))
    }
}

/// Seconds left for `total - done` bytes at `speed` bytes per second.
pub fn eta(done: i64, total: Option<i64>, speed: i64) -> Option<i64> {
    let left = total?.saturating_sub(done).max(0);
    (speed > 0).then(|| (left + speed - 1) / speed)
}

/// A display name from a link: its last path segment without the extension (for a Smooth
/// `.../title.ism/Manifest`, the segment before).
pub fn name_from_url(url: &str) -> String {
    let path = url.split(['?', '#']).next().unwrap_or_default();
    let mut parts = path.trim_end_matches('/').rsplit('/');
    let mut last = parts.next().unwrap_or_default();
    // Generic manifest names say nothing; the folder they sit in names the title.
    const GENERIC: [&str; 8] = [
        "manifest", "master", "index", "playlist", "main", "stream", "dash", "hls",
    ];
    let stem_of = |s: &str| {
        s.rsplit_once('.')
            .map_or(s, |(stem, _)| stem)
            .to_ascii_lowercase()
    };
    if GENERIC.contains(&stem_of(last).as_str()) {
        let parent = parts.next().unwrap_or(last);
        // `.../title.ism/Manifest`: the folder is named after the title plus `.ism`.
        last = if parent.is_empty() { last } else { parent };
    }
    let stem = last.rsplit_once('.').map_or(last, |(s, _)| s);
    let name = stem.replace(['_', '-', '+'], " ").trim().to_owned();
    if name.is_empty() {
        "Untitled".to_owned()
    } else {
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_from_links() {
        assert_eq!(
            TitleKind::from_url("https://cdn/x/title.mpd?token=1"),
            Some(TitleKind::Dash)
        );
        assert_eq!(
            TitleKind::from_url("https://cdn/x/master.m3u8"),
            Some(TitleKind::Hls)
        );
        assert_eq!(
            TitleKind::from_url("https://cdn/x/t.ism/Manifest"),
            Some(TitleKind::Smooth)
        );
        assert_eq!(
            TitleKind::from_url("https://cdn/x/seed.ismv"),
            Some(TitleKind::Progressive)
        );
        assert_eq!(
            TitleKind::from_url("https://cdn/x/film.MP4#t=3"),
            Some(TitleKind::Progressive)
        );
        assert_eq!(TitleKind::from_url("https://cdn/x/page.html"), None);
    }

    #[test]
    fn names_from_links() {
        assert_eq!(
            name_from_url("https://cdn/a/big_buck-bunny.mp4?x=1"),
            "big buck bunny"
        );
        assert_eq!(name_from_url("https://cdn/"), "cdn");
        assert_eq!(
            name_from_url("https://cdn/films/sky_road.ism/Manifest"),
            "sky road"
        );
        assert_eq!(
            name_from_url("https://cdn/night-train/manifest.mpd"),
            "night train"
        );
        assert_eq!(
            name_from_url("https://cdn/long_haul/master.m3u8?token=x"),
            "long haul"
        );
        assert_eq!(name_from_url(""), "Untitled");
    }

    #[test]
    fn states_round_trip() {
        for s in [
            "queued",
            "downloading",
            "paused",
            "completed",
            "failed",
            "removing",
        ] {
            assert_eq!(TitleState::parse(s).map(TitleState::as_str), Some(s));
        }
        assert_eq!(TitleState::parse("done"), None);
    }
}
