//! `layover inspect` for streaming titles: a DASH MPD, a Smooth manifest or an HLS playlist,
//! from a file, a folder holding one, or a URL. HLS master playlists have their media playlists
//! read (from disk next to them, or fetched) before the summary is made.

use std::path::{Path, PathBuf};

use layover_manifest::{DrmSystem, ManifestKind, Presentation, Protection, Track, TrackKind, hls};
use layover_media::Kid;
use layover_media::headers::playready::Pro;
use serde::Serialize;
use url::Url;

use crate::error::{Error, Result};
use crate::media::KidReport;

/// File names that are manifests, for finding one in a folder.
const MANIFEST_SUFFIXES: [&str; 4] = [".mpd", ".m3u8", ".ismc", "manifest"];

/// A streaming title at a glance (`layover inspect --json`; field names are stable).
#[derive(Debug, Clone, Serialize)]
pub struct ManifestReport {
    /// Where it was read from.
    pub source: String,
    /// `dash`, `smooth` or `hls`.
    pub kind: ManifestKind,
    /// Total duration in seconds, when the manifest says.
    pub duration_secs: Option<f64>,
    /// Periods (DASH); 1 for the others.
    pub periods: usize,
    /// Every track (representation, quality level, variant or rendition).
    pub tracks: Vec<ManifestTrack>,
}

/// One track.
#[derive(Debug, Clone, Serialize)]
pub struct ManifestTrack {
    /// The manifest's id for it.
    pub id: String,
    /// `video`, `audio` or `text`.
    pub kind: TrackKind,
    /// Codec string (`avc1.64001f`, `mp4a.40.2`, ...).
    pub codec: Option<String>,
    /// Bits per second.
    pub bitrate: Option<u64>,
    /// Video width and height.
    pub width: Option<u32>,
    /// Video height.
    pub height: Option<u32>,
    /// Frames per second.
    pub frame_rate: Option<f64>,
    /// Language.
    pub language: Option<String>,
    /// Roles (`main`, `alternate`, `caption`, ...).
    pub roles: Vec<String>,
    /// Number of media segments.
    pub segments: usize,
    /// Their total duration in seconds.
    pub segments_duration_secs: f64,
    /// The init segment's URL, if the track has one.
    pub init_url: Option<String>,
    /// The first media segment's URL.
    pub first_segment_url: Option<String>,
    /// How the track is protected, one entry per system.
    pub protection: Vec<ProtectionReport>,
    /// Anything that could not be read for this track, in words.
    pub note: Option<String>,
}

/// One system's protection of a track.
#[derive(Debug, Clone, Serialize)]
pub struct ProtectionReport {
    /// The system (`playready`, `widevine`, `fairplay`, `clearkey`, ...).
    pub system: DrmSystem,
    /// `cenc`, `cbcs`, ...
    pub scheme: Option<String>,
    /// The default KID, in both forms.
    pub default_kid: Option<KidReport>,
    /// License URL from the manifest or its PlayReady header.
    pub la_url: Option<String>,
    /// The PlayReady header's version, when it carries one.
    pub playready_version: Option<String>,
    /// HLS KEYFORMAT.
    pub key_format: Option<String>,
    /// False for FairPlay: Layover's desktop player cannot play it.
    pub playable_on_desktop: bool,
}

/// Whether `target` names a manifest (by its name or because it is a URL or a folder).
pub fn looks_like_manifest(target: &str) -> bool {
    let lower = target
        .split(['?', '#'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    lower.starts_with("http://")
        || lower.starts_with("https://")
        || MANIFEST_SUFFIXES.iter().any(|s| lower.ends_with(s))
        || Path::new(target).is_dir()
}

/// Inspects a manifest at a path, in a folder, or at a URL, with a client of its own.
pub async fn inspect(target: &str) -> Result<ManifestReport> {
    let http = reqwest::Client::builder()
        .connect_timeout(std::time::Duration::from_secs(15))
        .timeout(std::time::Duration::from_secs(60))
        .user_agent(concat!("Layover/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| Error::Internal(format!("the HTTP client could not start: {e}")))?;
    inspect_manifest(target, &http).await
}

/// Inspects a manifest at a path, in a folder, or at a URL.
pub async fn inspect_manifest(target: &str, http: &reqwest::Client) -> Result<ManifestReport> {
    let url = to_url(target)?;
    let (mut presentation, _) = load_presentation(&url, http).await?;
    // SegmentBase tracks list their segments in a sidx box inside the media file; when it
    // cannot be read the track says so instead of failing the whole report.
    let mut notes = std::collections::HashMap::new();
    for t in presentation
        .tracks
        .iter_mut()
        .filter(|t| t.segments.is_empty())
    {
        let Some((index_url, Some((start, end)))) =
            t.index.as_ref().map(|i| (i.url.clone(), i.byte_range))
        else {
            continue;
        };
        let applied = match load_range(&index_url, start, end, http).await {
            Ok(bytes) => apply_sidx_tree(t, &index_url, &bytes, http).await,
            Err(e) => Err(e.to_string()),
        };
        if let Err(why) = applied {
            notes.insert(
                t.id.clone(),
                format!(
                    "the segment list is in the sidx of {index_url}, which could not be read: {why}"
                ),
            );
        }
    }
    let mut report = summarize(&url, &presentation);
    for t in &mut report.tracks {
        t.note = notes.remove(&t.id);
    }
    Ok(report)
}

/// Bytes `start..=end` of a file or URL.
/// Applies a SegmentBase track's sidx, following a hierarchical index: the nested sidx
/// boxes it names are fetched by range (a few rounds: one or two per level).
async fn apply_sidx_tree(
    t: &mut layover_manifest::Track,
    url: &Url,
    sidx: &[u8],
    http: &reqwest::Client,
) -> std::result::Result<(), String> {
    let mut nested = std::collections::HashMap::new();
    for _ in 0..20 {
        let missing = t
            .apply_sidx_tree(sidx, &nested)
            .map_err(|e| e.to_string())?;
        if missing.is_empty() {
            return Ok(());
        }
        for (start, end) in missing {
            let bytes = load_range(url, start, end, http)
                .await
                .map_err(|e| e.to_string())?;
            nested.insert(start, bytes);
        }
    }
    Err("the segment index is still incomplete after 20 reads".into())
}

async fn load_range(url: &Url, start: u64, end: u64, http: &reqwest::Client) -> Result<Vec<u8>> {
    let len = end.checked_sub(start).map_or(0, |n| n + 1);
    if url.scheme() == "file" {
        use std::io::{Read, Seek, SeekFrom};
        let path = display_path(url);
        let read_err = |source| Error::ReadFile {
            path: path.clone(),
            source,
        };
        let mut f = std::fs::File::open(&path).map_err(read_err)?;
        f.seek(SeekFrom::Start(start)).map_err(read_err)?;
        let mut buf = Vec::new();
        f.take(len).read_to_end(&mut buf).map_err(read_err)?;
        return Ok(buf);
    }
    let fail = |reason: String| Error::UnsupportedLink {
        url: url.to_string(),
        reason,
    };
    let response = http
        .get(url.as_str())
        .header(reqwest::header::RANGE, format!("bytes={start}-{end}"))
        .send()
        .await
        .map_err(|e| fail(format!("the request failed: {e}")))?;
    if !response.status().is_success() {
        return Err(fail(format!(
            "the server answered HTTP {}",
            response.status()
        )));
    }
    let body = response
        .bytes()
        .await
        .map_err(|e| fail(format!("the body could not be read: {e}")))?;
    // A server that ignores Range sends the whole file: take the bytes asked for.
    let slice = if body.len() as u64 > len {
        body.get(start as usize..(start + len) as usize)
            .unwrap_or_default()
    } else {
        &body[..]
    };
    Ok(slice.to_vec())
}

/// Fetches (or reads) a manifest and parses it into a [`Presentation`], reading an HLS
/// master's media playlists too. Also returns the manifest's bytes as they were.
pub async fn load_presentation(
    url: &Url,
    http: &reqwest::Client,
) -> Result<(Presentation, Vec<u8>)> {
    load_with_playlists(url, http)
        .await
        .map(|(p, bytes, _)| (p, bytes))
}

/// [`load_presentation`], also returning an HLS master's media playlists (URL and text, in the
/// order the master names them; empty for other manifests).
pub async fn load_with_playlists(
    url: &Url,
    http: &reqwest::Client,
) -> Result<(Presentation, Vec<u8>, Vec<(Url, String)>)> {
    let bytes = with_xlinks_resolved(url, load(url, http).await?, http).await?;
    let text = layover_manifest::decode_text(&bytes)
        .map_err(|e| bad(url, e.to_string()))?
        .into_owned();
    let mut media = Vec::new();
    let presentation = if text
        .lines()
        .any(|l| l.trim_start().starts_with("#EXT-X-STREAM-INF"))
    {
        let master = hls::parse_master(&text, url).map_err(|e| bad(url, e.to_string()))?;
        for u in master.media_playlist_urls() {
            let b = load(&u, http).await?;
            let t = layover_manifest::decode_text(&b)
                .map_err(|e| bad(&u, e.to_string()))?
                .into_owned();
            media.push((u, t));
        }
        let borrowed: Vec<(Url, &str)> =
            media.iter().map(|(u, t)| (u.clone(), t.as_str())).collect();
        hls::assemble(&master, &borrowed).map_err(|e| bad(url, e.to_string()))?
    } else {
        layover_manifest::parse(text.as_bytes(), url).map_err(|e| bad(url, e.to_string()))?
    };
    Ok((presentation, bytes, media))
}

/// An MPD whose Periods or AdaptationSets are xlinks (ISO/IEC 23009-1 §5.5) with the
/// linked elements fetched and spliced in (a fetched element may link further: up to 4
/// rounds), so the presentation is whole and the manifest a download keeps stands alone.
/// Any other manifest comes back as it was. Links from a web manifest must be web URLs.
async fn with_xlinks_resolved(
    url: &Url,
    bytes: Vec<u8>,
    http: &reqwest::Client,
) -> Result<Vec<u8>> {
    use layover_manifest::dash;
    let Ok(text) = layover_manifest::decode_text(&bytes) else {
        return Ok(bytes);
    };
    if !text.trim_start().starts_with('<') || !text.contains("xlink") {
        return Ok(bytes);
    }
    let mut text = text.into_owned();
    for _ in 0..4 {
        // Not an MPD, or not XML: the parser says what is wrong with it.
        let Ok(links) = dash::xlinks(&text, url) else {
            return Ok(bytes);
        };
        if links.is_empty() {
            return Ok(text.into_bytes());
        }
        let mut fetched = std::collections::HashMap::new();
        for link in links {
            let allowed = match url.scheme() {
                "file" => matches!(link.url.scheme(), "file" | "http" | "https"),
                _ => matches!(link.url.scheme(), "http" | "https"),
            };
            if !allowed {
                return Err(bad(
                    url,
                    format!(
                        "its {} links to {}, which a manifest from {} may not reach",
                        link.element,
                        link.url,
                        url.scheme()
                    ),
                ));
            }
            let b = load(&link.url, http).await?;
            let t = layover_manifest::decode_text(&b)
                .map_err(|e| bad(&link.url, e.to_string()))?
                .into_owned();
            fetched.insert(link.url, t);
        }
        text = dash::resolve_xlinks(&text, url, &fetched).map_err(|e| bad(url, e.to_string()))?;
    }
    Err(bad(
        url,
        "its xlinks still link further after 4 rounds of fetching".into(),
    ))
}

fn bad(url: &Url, reason: String) -> Error {
    Error::NotMedia {
        path: display_path(url),
        reason,
    }
}

fn display_path(url: &Url) -> PathBuf {
    url.to_file_path()
        .unwrap_or_else(|_| PathBuf::from(url.as_str()))
}

/// A file or folder path, or an http(s) URL, as a URL.
fn to_url(target: &str) -> Result<Url> {
    if target.starts_with("http://") || target.starts_with("https://") {
        return Url::parse(target).map_err(|e| Error::UnsupportedLink {
            url: target.into(),
            reason: e.to_string(),
        });
    }
    let path = std::path::absolute(target).map_err(|source| Error::ReadFile {
        path: target.into(),
        source,
    })?;
    let path = if path.is_dir() {
        find_manifest(&path)?
    } else {
        path
    };
    Url::from_file_path(&path).map_err(|()| Error::NotMedia {
        path,
        reason: "not a usable file path".into(),
    })
}

/// The manifest in a folder as a packager (or a download) leaves it: exactly one file named
/// like one. A Smooth client manifest (`.ismc`) wins over the server manifest (`.ism`) beside
/// it, and an HLS master (named `master.m3u8`, or any playlist listing variants) over its media
/// playlists.
pub(crate) fn find_manifest(dir: &Path) -> Result<PathBuf> {
    let read_err = |source| Error::ReadFile {
        path: dir.to_owned(),
        source,
    };
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(read_err)?
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().to_ascii_lowercase())
                .unwrap_or_default();
            p.is_file()
                && (MANIFEST_SUFFIXES.iter().any(|s| name.ends_with(s)) || name.ends_with(".ism"))
        })
        .collect();
    found.sort();
    if found.iter().any(|p| has_ext(p, "ismc")) {
        found.retain(|p| !has_ext(p, "ism"));
    }
    let masters: Vec<PathBuf> = found
        .iter()
        .filter(|p| {
            has_ext(p, "m3u8")
                && (p.file_name().is_some_and(|n| n == "master.m3u8") || is_hls_master(p))
        })
        .cloned()
        .collect();
    if !masters.is_empty() {
        found.retain(|p| !has_ext(p, "m3u8") || masters.contains(p));
    }
    match found.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(Error::NotMedia {
            path: dir.to_owned(),
            reason: "no manifest (.mpd, .m3u8, .ismc or Manifest) in this folder".into(),
        }),
        many => Err(Error::NotMedia {
            path: dir.to_owned(),
            reason: format!(
                "several manifests in this folder ({}); keep one",
                many.iter()
                    .filter_map(|p| p.file_name())
                    .map(|n| n.to_string_lossy())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }),
    }
}

fn has_ext(p: &Path, ext: &str) -> bool {
    p.extension()
        .is_some_and(|e| e.to_string_lossy().eq_ignore_ascii_case(ext))
}

fn is_hls_master(p: &Path) -> bool {
    std::fs::read_to_string(p).is_ok_and(|t| t.contains("#EXT-X-STREAM-INF"))
}

async fn load(url: &Url, http: &reqwest::Client) -> Result<Vec<u8>> {
    if url.scheme() == "file" {
        let path = display_path(url);
        return std::fs::read(&path).map_err(|source| Error::ReadFile { path, source });
    }
    let fail = |reason: String| Error::UnsupportedLink {
        url: url.to_string(),
        reason,
    };
    let response = http
        .get(url.as_str())
        .send()
        .await
        .map_err(|e| fail(format!("the request failed: {e}")))?;
    let status = response.status();
    if !status.is_success() {
        return Err(fail(format!("the server answered HTTP {status}")));
    }
    Ok(response
        .bytes()
        .await
        .map_err(|e| fail(format!("the body could not be read: {e}")))?
        .to_vec())
}

fn summarize(url: &Url, p: &Presentation) -> ManifestReport {
    ManifestReport {
        source: match url.scheme() {
            "file" => display_path(url).display().to_string(),
            _ => url.to_string(),
        },
        kind: p.kind,
        duration_secs: p.duration,
        periods: p.periods.len().max(1),
        tracks: p.tracks.iter().map(track).collect(),
    }
}

fn track(t: &Track) -> ManifestTrack {
    let ts = t.timescale.max(1) as f64;
    ManifestTrack {
        id: t.id.clone(),
        kind: t.kind,
        codec: t.codec.clone(),
        bitrate: t.bitrate,
        width: t.width,
        height: t.height,
        frame_rate: t
            .frame_rate
            .map(|f| f64::from(f.num) / f64::from(f.den.max(1))),
        language: t.language.clone(),
        roles: t.roles.clone(),
        segments: t.segments.len(),
        segments_duration_secs: t.segments.iter().map(|s| s.duration as f64).sum::<f64>() / ts,
        init_url: t.init.as_ref().map(|s| s.url.to_string()),
        first_segment_url: t.segments.first().map(|s| s.url.to_string()),
        protection: t.protection.iter().map(protection).collect(),
        note: None,
    }
}

fn protection(p: &Protection) -> ProtectionReport {
    let header = p
        .playready_object
        .as_deref()
        .and_then(|b| Pro::parse(b).ok())
        .and_then(|pro| pro.wrm_header().ok());
    let default_kid = p.default_kid.map(|k| {
        let kid = Kid::new(k.0);
        KidReport {
            uuid: kid.to_uuid_string(),
            playready_base64: kid.to_playready_base64(),
        }
    });
    ProtectionReport {
        system: p.system.clone(),
        scheme: p.scheme.clone(),
        default_kid,
        la_url: p
            .la_url
            .clone()
            .or_else(|| header.as_ref().and_then(|h| h.la_url.clone())),
        playready_version: header.map(|h| h.version.as_str().to_owned()),
        key_format: p.key_format.clone(),
        playable_on_desktop: p.playable_on_desktop,
    }
}
