//! Which tracks of a streaming title to download, and which files that means.
//!
//! Defaults until the quality/language choice arrives: the best video up to 1080p, the best
//! audio per language, every text track, all from the first period.

use layover_manifest::{Presentation, Track, TrackKind};

use crate::net::sanitize_component;

/// Video above this height is skipped when a smaller one exists (Settings will make it a choice).
pub const DEFAULT_MAX_HEIGHT: u32 = 1080;

/// One file to fetch for a title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedFile {
    /// Path inside the title's folder (sanitised components).
    pub rel_path: String,
    /// Where it comes from.
    pub url: String,
    /// Byte range of the resource (inclusive), for segments that are parts of one file.
    pub range: Option<(u64, u64)>,
}

/// The tracks to download.
pub fn choose_tracks(p: &Presentation, max_height: u32) -> Vec<&Track> {
    let first_period: Vec<&Track> = p.tracks.iter().filter(|t| t.period == 0).collect();
    let mut chosen = Vec::new();
    let videos: Vec<&Track> = first_period
        .iter()
        .copied()
        .filter(|t| t.kind == TrackKind::Video)
        .collect();
    let fits = videos
        .iter()
        .copied()
        .filter(|t| t.height.is_none_or(|h| h <= max_height));
    let best = fits.max_by_key(|t| t.bitrate.unwrap_or(0)).or_else(|| {
        videos
            .iter()
            .copied()
            .min_by_key(|t| t.height.unwrap_or(u32::MAX))
    });
    chosen.extend(best);
    let mut languages: Vec<Option<&str>> = Vec::new();
    for t in first_period.iter().filter(|t| t.kind == TrackKind::Audio) {
        if !languages.contains(&t.language.as_deref()) {
            languages.push(t.language.as_deref());
        }
    }
    for lang in languages {
        let best = first_period
            .iter()
            .copied()
            .filter(|t| t.kind == TrackKind::Audio && t.language.as_deref() == lang)
            .max_by_key(|t| t.bitrate.unwrap_or(0));
        chosen.extend(best);
    }
    chosen.extend(
        first_period
            .iter()
            .copied()
            .filter(|t| t.kind == TrackKind::Text),
    );
    chosen
}

/// The files of the chosen tracks, each track in a folder of its own.
pub fn plan_files(tracks: &[&Track]) -> Vec<PlannedFile> {
    let mut files = Vec::new();
    for (n, t) in tracks.iter().enumerate() {
        let kind = match t.kind {
            TrackKind::Video => "video",
            TrackKind::Audio => "audio",
            TrackKind::Text => "text",
            _ => "other",
        };
        let dir = format!("{n:02}-{kind}-{}", sanitize_component(&t.id));
        let name = |url: &url::Url| {
            let last = url
                .path_segments()
                .and_then(|mut s| s.next_back())
                .unwrap_or("file");
            sanitize_component(if last.is_empty() { "file" } else { last })
        };
        // SegmentBase (one file per track, indexed by its sidx): fetch the file whole.
        let single_file = t.index.is_some()
            && t.segments
                .iter()
                .chain(t.init.iter())
                .all(|s| Some(&s.url) == t.index.as_ref().map(|i| &i.url));
        if single_file && let Some(index) = &t.index {
            files.push(PlannedFile {
                rel_path: format!("{dir}/{}", name(&index.url)),
                url: index.url.to_string(),
                range: None,
            });
            continue;
        }
        if let Some(init) = &t.init {
            files.push(PlannedFile {
                rel_path: format!("{dir}/init-{}", name(&init.url)),
                url: init.url.to_string(),
                range: init.byte_range,
            });
        }
        for (i, s) in t.segments.iter().enumerate() {
            files.push(PlannedFile {
                rel_path: format!("{dir}/{:06}-{}", i + 1, name(&s.url)),
                url: s.url.to_string(),
                range: s.byte_range,
            });
        }
    }
    files
}

/// Bytes the chosen tracks should take, from their bitrates and durations (an estimate). A
/// track whose segments are not listed yet (SegmentBase, before its sidx is read) counts the
/// presentation's duration.
pub fn estimate_bytes(tracks: &[&Track], presentation_secs: Option<f64>) -> Option<u64> {
    let mut total = 0u64;
    for t in tracks {
        let listed =
            t.segments.iter().map(|s| s.duration).sum::<u64>() as f64 / t.timescale.max(1) as f64;
        let secs = if listed > 0.0 {
            listed
        } else {
            presentation_secs?
        };
        total = total.saturating_add((t.bitrate? as f64 / 8.0 * secs) as u64);
    }
    Some(total)
}
