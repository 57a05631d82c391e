//! HLS (RFC 8216) with fMP4 segments, on demand only.
//!
//! Two steps because a master playlist only names the media playlists:
//! 1. [`parse_master`] and fetch [`MasterPlaylist::media_playlist_urls`];
//! 2. [`assemble`] the master with those playlists' text into a [`Presentation`].

mod attrs;
mod keys;
mod master;
mod media;

pub use keys::{FAIRPLAY_KEYFORMAT, PLAYREADY_KEYFORMAT};
pub use master::{MasterPlaylist, Rendition, RenditionType, Variant, parse_master};
pub use media::{HLS_TIMESCALE, MediaPlaylist, parse_media, parse_media_with_limits};

use crate::error::{Error, Result};
use crate::model::{
    FrameRate, ManifestKind, Period, Presentation, Track, TrackKind, kind_of_codec,
};
use url::Url;

/// Non-empty trimmed lines with 1-based numbers, after checking the `#EXTM3U` header.
fn lines(text: &str) -> Result<impl Iterator<Item = (usize, &str)>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut it = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty());
    match it.next() {
        Some((_, "#EXTM3U")) => Ok(it),
        Some((n, _)) => Err(Error::Hls {
            line: n,
            reason: "a playlist must start with #EXTM3U".into(),
        }),
        None => Err(Error::Hls {
            line: 0,
            reason: "empty playlist".into(),
        }),
    }
}

/// A media playlist on its own as a one-track presentation (what [`crate::parse`] does with one).
pub fn parse_single(text: &str, url: &Url) -> Result<Presentation> {
    parse_single_with_limits(text, url, &crate::Limits::default())
}

/// [`parse_single`] with explicit limits.
pub fn parse_single_with_limits(
    text: &str,
    url: &Url,
    limits: &crate::Limits,
) -> Result<Presentation> {
    if text
        .lines()
        .any(|l| l.trim_start().starts_with("#EXT-X-STREAM-INF"))
    {
        return Err(Error::Hls {
            line: 0,
            reason: "this is a master playlist: call hls::parse_master, fetch its media playlists, then hls::assemble".into(),
        });
    }
    let media = parse_media_with_limits(text, url, limits)?;
    // A media playlist alone does not say what it carries (the master's CODECS do).
    let mut track = Track::empty(url.to_string(), 0, TrackKind::Other, HLS_TIMESCALE);
    fill(&mut track, media)?;
    Ok(presentation(vec![track]))
}

fn fill(track: &mut Track, media: MediaPlaylist) -> Result<()> {
    // Segments after a switch of EXT-X-MAP carry their own init (`SegmentRef::init`).
    track.init = media.init;
    track.segments = media.segments;
    track.protection = media.keys;
    Ok(())
}

fn presentation(tracks: Vec<Track>) -> Presentation {
    let duration = tracks
        .iter()
        .map(Track::segments_duration)
        .fold(None, |acc: Option<f64>, d| {
            Some(acc.map_or(d, |a| a.max(d)))
        });
    Presentation {
        kind: ManifestKind::Hls,
        duration,
        periods: vec![Period {
            id: None,
            start: 0.0,
            duration,
        }],
        tracks,
    }
}

fn codec_of(codecs: &[String], kind: TrackKind) -> Option<String> {
    let picked: Vec<&str> = codecs
        .iter()
        .map(String::as_str)
        .filter(|c| kind_of_codec(c) == Some(kind))
        .collect();
    (!picked.is_empty()).then(|| picked.join(","))
}

/// Builds the presentation from a master playlist and the text of its media playlists, keyed
/// by URL (every URL of [`MasterPlaylist::media_playlist_urls`] must be present). One track per
/// distinct media playlist: variants become video tracks (or audio, for audio-only variants),
/// `EXT-X-MEDIA` renditions with a URI become audio / text tracks with their language and name.
pub fn assemble(master: &MasterPlaylist, media_playlists: &[(Url, &str)]) -> Result<Presentation> {
    assemble_with_limits(master, media_playlists, &crate::Limits::default())
}

/// [`assemble`] with explicit limits (per track, and in total).
pub fn assemble_with_limits(
    master: &MasterPlaylist,
    media_playlists: &[(Url, &str)],
    limits: &crate::Limits,
) -> Result<Presentation> {
    let text_for = |u: &Url| -> Result<&str> {
        media_playlists
            .iter()
            .find(|(k, _)| k == u)
            .map(|(_, t)| *t)
            .ok_or_else(|| Error::Hls {
                line: 0,
                reason: format!("media playlist {u} named by the master playlist was not supplied; fetch it and pass it in"),
            })
    };
    let mut tracks: Vec<Track> = Vec::new();
    for v in &master.variants {
        if tracks.iter().any(|t| t.id == v.uri.as_str()) {
            continue;
        }
        let kind = if v.resolution.is_some() || codec_of(&v.codecs, TrackKind::Video).is_some() {
            TrackKind::Video
        } else if codec_of(&v.codecs, TrackKind::Audio).is_some() {
            TrackKind::Audio
        } else {
            TrackKind::Other
        };
        let mut t = Track::empty(v.uri.to_string(), 0, kind, HLS_TIMESCALE);
        t.codec = codec_of(&v.codecs, kind)
            .or_else(|| (!v.codecs.is_empty()).then(|| v.codecs.join(",")));
        t.bitrate = Some(v.bandwidth);
        t.width = v.resolution.map(|r| r.0);
        t.height = v.resolution.map(|r| r.1);
        t.frame_rate = v.frame_rate.map(|f| FrameRate {
            num: (f * 1000.0).round() as u32,
            den: 1000,
        });
        fill(
            &mut t,
            parse_media_with_limits(text_for(&v.uri)?, &v.uri, limits)?,
        )?;
        tracks.push(t);
    }
    for r in &master.renditions {
        let Some(uri) = &r.uri else { continue };
        if tracks.iter().any(|t| t.id == uri.as_str()) {
            continue;
        }
        let kind = match r.kind {
            RenditionType::Audio => TrackKind::Audio,
            RenditionType::Subtitles => TrackKind::Text,
            RenditionType::Video => TrackKind::Video,
            RenditionType::ClosedCaptions => continue,
        };
        // A rendition's codec is listed in the CODECS of the variants that reference its group.
        let referencing = master.variants.iter().filter(|v| match r.kind {
            RenditionType::Audio => v.audio.as_deref() == Some(&r.group_id),
            RenditionType::Subtitles => v.subtitles.as_deref() == Some(&r.group_id),
            _ => false,
        });
        let mut t = Track::empty(uri.to_string(), 0, kind, HLS_TIMESCALE);
        t.codec = referencing.clone().find_map(|v| codec_of(&v.codecs, kind));
        t.bitrate = None;
        t.language = r.language.clone();
        t.label = Some(r.name.clone());
        t.channels = r
            .channels
            .as_deref()
            .and_then(|c| c.split('/').next())
            .and_then(|c| c.parse().ok());
        if r.default {
            t.roles.push("default".into());
        }
        t.roles.extend(r.characteristics.iter().cloned());
        fill(
            &mut t,
            parse_media_with_limits(text_for(uri)?, uri, limits)?,
        )?;
        tracks.push(t);
    }
    // EXT-X-SESSION-KEY only announces keys for preloading (RFC 8216 §4.3.4.5); a media
    // playlist without EXT-X-KEY is clear, so session keys stay on the MasterPlaylist.
    let total: usize = tracks.iter().map(|t| t.segments.len()).sum();
    if total > limits.max_segments_total {
        return Err(Error::TooManySegments {
            location: format!("HLS master playlist {}", master.url),
            limit: limits.max_segments_total,
        });
    }
    Ok(presentation(tracks))
}
