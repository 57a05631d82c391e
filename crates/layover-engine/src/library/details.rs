//! One title in full, for its page in the app and `layover title show`: where it came from (its
//! link with query values hidden), where it is on disk and how much room it takes, the tracks
//! that were chosen, its licenses with both clocks, and whether it can play now; and its poster,
//! kept in its folder so the Library shows it with no network.

use std::path::Path;

use layover_manifest::{Track, TrackKind};
use serde::Serialize;
use ts_rs::TS;

use crate::Engine;
use crate::error::{Error, Result};
use crate::library::summary::TitleLicenseSummary;
use crate::library::{Title, TitleKind};
use crate::licenses::LicenseView;
use crate::net::sanitize_component;
use crate::playback::PlaybackCheck;

/// The poster file names a title's folder may hold (the first found is shown).
const POSTER_FILES: [(&str, &str); 2] = [("poster.jpg", "image/jpeg"), ("poster.png", "image/png")];
/// The largest poster kept or shown.
pub(crate) const MAX_POSTER_BYTES: usize = 2 * 1024 * 1024;
/// How much of a single-file title is read to list its tracks (its `moov` is near the start).
const HEADER_PROBE: u64 = 4 << 20;

/// One downloaded track, for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ChosenTrack {
    /// `video`, `audio` or `text`.
    pub kind: String,
    /// E.g. `1920x1080, 3.0 Mbit/s, avc1`, `fr, 128 kbit/s`, `de`.
    pub label: String,
    /// The language, as the manifest or file names it.
    pub language: Option<String>,
}

/// A title's page.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct TitleDetails {
    /// The title as lists show it.
    pub title: Title,
    /// The link it was added from, every query value replaced (tokens travel there).
    pub source_url: String,
    /// How it is delivered and protected, in words.
    pub delivery: String,
    /// Its folder on disk (absolute).
    pub folder_path: String,
    /// Bytes its folder takes on disk now (files, manifest and poster).
    #[ts(type = "number")]
    pub bytes_on_disk: i64,
    /// Files it is made of.
    #[ts(type = "number")]
    pub files: i64,
    /// Of those, downloaded.
    #[ts(type = "number")]
    pub files_done: i64,
    /// The tracks that were downloaded.
    pub tracks: Vec<ChosenTrack>,
    /// Why the tracks could not be listed, when they could not.
    pub tracks_note: Option<String>,
    /// A poster is kept in its folder.
    pub has_poster: bool,
    /// Its licenses, one per KID.
    pub licenses: Vec<LicenseView>,
    /// The licenses summed up (absent: it holds none).
    pub summary: Option<TitleLicenseSummary>,
    /// Whether it can play now, why not, and whether renewing may help.
    pub playback: PlaybackCheck,
}

fn rate_label(bps: Option<u64>) -> Option<String> {
    bps.map(|b| {
        if b >= 1_000_000 {
            format!("{:.1} Mbit/s", b as f64 / 1e6)
        } else {
            format!("{} kbit/s", b.div_ceil(1000))
        }
    })
}

fn kind_name(kind: TrackKind) -> &'static str {
    match kind {
        TrackKind::Video => "video",
        TrackKind::Audio => "audio",
        TrackKind::Text => "text",
        _ => "other",
    }
}

fn track_of(t: &Track) -> ChosenTrack {
    let mut parts: Vec<String> = Vec::new();
    match t.kind {
        TrackKind::Video => {
            match (t.width, t.height) {
                (Some(w), Some(h)) => parts.push(format!("{w}x{h}")),
                (None, Some(h)) => parts.push(format!("{h}p")),
                _ => {}
            }
            parts.extend(rate_label(t.bitrate));
        }
        TrackKind::Audio => {
            parts.push(t.language.clone().unwrap_or_else(|| "unlabelled".into()));
            parts.extend(rate_label(t.bitrate));
        }
        _ => parts.push(t.language.clone().unwrap_or_else(|| "unlabelled".into())),
    }
    if t.kind != TrackKind::Text
        && let Some(c) = &t.codec
    {
        parts.push(c.split('.').next().unwrap_or(c).to_owned());
    }
    ChosenTrack {
        kind: kind_name(t.kind).to_owned(),
        label: parts.join(", "),
        language: t.language.clone(),
    }
}

/// The tracks of a streaming title whose files were planned: each track's files sit in a
/// folder `NN-<kind>-<track id>` (see `plan::plan_files`).
fn streaming_tracks(
    title: &Title,
    folder: &Path,
    rel_paths: &[String],
) -> std::result::Result<Vec<ChosenTrack>, String> {
    let manifest = ["mpd", "ismc", "m3u8"]
        .iter()
        .map(|ext| folder.join(format!("manifest.{ext}")))
        .find(|p| p.is_file())
        .ok_or("its manifest is not in its folder")?;
    let bytes =
        std::fs::read(&manifest).map_err(|e| format!("its manifest cannot be read: {e}"))?;
    let base = url::Url::parse(&title.source_url).map_err(|e| e.to_string())?;
    let p = layover_manifest::parse(&bytes, &base)
        .map_err(|e| format!("its manifest cannot be read: {e}"))?;
    let dirs: Vec<&str> = rel_paths
        .iter()
        .filter_map(|r| r.split('/').next())
        .collect();
    let chosen = |t: &Track| {
        let suffix = format!("-{}-{}", kind_name(t.kind), sanitize_component(&t.id));
        dirs.iter().any(|d| {
            d.len() > 2 && d.as_bytes()[..2].iter().all(u8::is_ascii_digit) && d[2..] == suffix
        })
    };
    Ok(p.tracks
        .iter()
        .filter(|t| t.period == 0 && chosen(t))
        .map(track_of)
        .collect())
}

/// The tracks a single MP4 holds, from its header.
fn file_tracks(path: &Path) -> std::result::Result<Vec<ChosenTrack>, String> {
    use std::io::Read as _;
    let mut head = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(HEADER_PROBE).read_to_end(&mut head))
        .map_err(|e| format!("its file cannot be read: {e}"))?;
    let summary = layover_media::inspect::summarize(&head)
        .map_err(|e| format!("its header cannot be read: {e}"))?;
    Ok(summary
        .tracks
        .iter()
        .map(|t| {
            let handler = t.handler.map(|h| h.to_string()).unwrap_or_default();
            let kind = match handler.as_str() {
                "vide" => "video",
                "soun" => "audio",
                "text" | "subt" | "sbtl" => "text",
                _ => "other",
            };
            let codecs: Vec<String> = t.codecs.iter().map(ToString::to_string).collect();
            let mut label = Vec::new();
            if kind != "video" {
                label.push(t.language.clone().unwrap_or_else(|| "unlabelled".into()));
            }
            if !codecs.is_empty() {
                label.push(codecs.join("/"));
            }
            ChosenTrack {
                kind: kind.to_owned(),
                label: label.join(", "),
                language: t.language.clone(),
            }
        })
        .collect())
}

fn delivery_words(kind: TitleKind, licenses: &[LicenseView]) -> String {
    let how = match kind {
        TitleKind::Dash => "DASH",
        TitleKind::Smooth => "Smooth Streaming",
        TitleKind::Hls => "HLS",
        TitleKind::Progressive => "a single MP4 file",
    };
    let mut systems: Vec<&str> = licenses
        .iter()
        .map(|l| match l.system.as_str() {
            "playready" => "PlayReady",
            "clearkey" => "ClearKey",
            "aes_key" => "an AES key",
            other => other,
        })
        .collect();
    systems.sort_unstable();
    systems.dedup();
    if systems.is_empty() {
        format!("{how}, no license held")
    } else {
        format!("{how}, protected with {}", systems.join(" and "))
    }
}

impl Engine {
    /// A title's page: details, chosen tracks, licenses with both clocks, and whether it plays.
    /// Reads only the database and the title's folder (no network).
    pub async fn title_details(&self, id: i64) -> Result<TitleDetails> {
        let title = self.title(id).await?;
        let folder = self.titles_dir().join(&title.folder);
        let files = self.store().title_files(id).await?;
        let licenses = self.title_licenses(id).await?;
        let summary = self.title_license_summary(id).await?;
        let playback = self.playback_check(id).await?;
        let rel_paths: Vec<String> = files.iter().map(|(_, r, _)| r.clone()).collect();
        let first_done = files
            .iter()
            .find(|(_, _, done)| *done)
            .and_then(|(_, r, _)| crate::net::join_inside(&folder, r).ok());
        let t = title.clone();
        let f = folder.clone();
        let (tracks, bytes_on_disk) = tokio::task::spawn_blocking(move || {
            let tracks = match t.kind {
                TitleKind::Progressive => match first_done {
                    Some(path) => file_tracks(&path),
                    None => Err("its file has not been downloaded yet".to_owned()),
                },
                _ => streaming_tracks(&t, &f, &rel_paths),
            };
            (tracks, super::control::folder_size(&f))
        })
        .await
        .map_err(|e| Error::Internal(format!("reading a title's folder: {e}")))?;
        let (tracks, tracks_note) = match tracks {
            Ok(t) => (t, None),
            Err(note) => (Vec::new(), Some(note)),
        };
        Ok(TitleDetails {
            source_url: crate::diagnostics::redact_url(&title.source_url),
            delivery: delivery_words(title.kind, &licenses),
            folder_path: folder.display().to_string(),
            bytes_on_disk: i64::try_from(bytes_on_disk).unwrap_or(i64::MAX),
            files: i64::try_from(files.len()).unwrap_or(i64::MAX),
            files_done: i64::try_from(files.iter().filter(|(_, _, d)| *d).count())
                .unwrap_or(i64::MAX),
            tracks,
            tracks_note,
            has_poster: poster_file(&folder).is_some(),
            licenses,
            summary,
            playback,
            title,
        })
    }

    /// A title's poster as a `data:` URL (the window loads images only from the app or
    /// `data:`), read from its folder; `None` when it has none.
    pub async fn title_poster(&self, id: i64) -> Result<Option<String>> {
        use base64::Engine as _;
        let title = self.title(id).await?;
        let Some((path, mime)) = poster_file(&self.titles_dir().join(&title.folder)) else {
            return Ok(None);
        };
        let bytes = tokio::fs::read(&path)
            .await
            .map_err(|source| Error::ReadFile { path, source })?;
        if bytes.len() > MAX_POSTER_BYTES {
            return Ok(None);
        }
        Ok(Some(format!(
            "data:{mime};base64,{}",
            base64::engine::general_purpose::STANDARD.encode(&bytes)
        )))
    }

    /// Keeps a poster in a title's folder (`poster.jpg` or `poster.png`), so it shows with no
    /// network. Fetched once, when the title is added.
    pub async fn keep_poster(&self, title: &Title, url: &str) -> Result<()> {
        let (mime, bytes) = self.fetch_image(url).await?;
        let name = if mime == "image/png" {
            "poster.png"
        } else {
            "poster.jpg"
        };
        let folder = self.titles_dir().join(&title.folder);
        let write_err = |source| Error::WriteFile {
            path: folder.join(name),
            source,
        };
        tokio::fs::create_dir_all(&folder)
            .await
            .map_err(write_err)?;
        tokio::fs::write(folder.join(name), &bytes)
            .await
            .map_err(write_err)?;
        tracing::info!(id = title.id, bytes = bytes.len(), "poster kept");
        Ok(())
    }
}

fn poster_file(folder: &Path) -> Option<(std::path::PathBuf, &'static str)> {
    POSTER_FILES
        .iter()
        .map(|(name, mime)| (folder.join(name), *mime))
        .find(|(p, _)| p.is_file())
}
