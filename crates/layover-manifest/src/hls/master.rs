//! Master playlists (RFC 8216 §4.3.4): variants and renditions.

use super::{attrs, keys, lines};
use crate::error::{Error, Result};
use crate::model::Protection;
use crate::resolve;
use serde::Serialize;
use url::Url;

/// A parsed master playlist; fetch [`MasterPlaylist::media_playlist_urls`] and call
/// [`super::assemble`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MasterPlaylist {
    /// Where the master playlist came from.
    pub url: Url,
    /// `EXT-X-STREAM-INF` entries, in order.
    pub variants: Vec<Variant>,
    /// `EXT-X-MEDIA` entries, in order.
    pub renditions: Vec<Rendition>,
    /// `EXT-X-SESSION-KEY` entries (keys declared up front, e.g. for offline playback).
    pub session_keys: Vec<Protection>,
}

/// One `EXT-X-STREAM-INF`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Variant {
    /// Its media playlist.
    pub uri: Url,
    /// `BANDWIDTH` (peak bits per second).
    pub bandwidth: u64,
    /// `AVERAGE-BANDWIDTH`.
    pub average_bandwidth: Option<u64>,
    /// `CODECS`, split on commas.
    pub codecs: Vec<String>,
    /// `RESOLUTION` as (width, height).
    pub resolution: Option<(u32, u32)>,
    /// `FRAME-RATE`.
    pub frame_rate: Option<f64>,
    /// `AUDIO` group id.
    pub audio: Option<String>,
    /// `SUBTITLES` group id.
    pub subtitles: Option<String>,
}

/// `EXT-X-MEDIA` TYPE.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RenditionType {
    /// `AUDIO`.
    Audio,
    /// `VIDEO`.
    Video,
    /// `SUBTITLES`.
    Subtitles,
    /// `CLOSED-CAPTIONS` (inside the video; never a playlist).
    ClosedCaptions,
}

/// One `EXT-X-MEDIA`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rendition {
    /// TYPE.
    pub kind: RenditionType,
    /// GROUP-ID.
    pub group_id: String,
    /// NAME.
    pub name: String,
    /// LANGUAGE.
    pub language: Option<String>,
    /// DEFAULT=YES.
    pub default: bool,
    /// AUTOSELECT=YES.
    pub autoselect: bool,
    /// URI; absent when the rendition is muxed into the variant.
    pub uri: Option<Url>,
    /// CHANNELS.
    pub channels: Option<String>,
    /// CHARACTERISTICS, split on commas.
    pub characteristics: Vec<String>,
}

impl MasterPlaylist {
    /// Every media playlist the caller must fetch, each once, in first-mention order.
    pub fn media_playlist_urls(&self) -> Vec<Url> {
        let mut out: Vec<Url> = Vec::new();
        let all = self
            .variants
            .iter()
            .map(|v| &v.uri)
            .chain(self.renditions.iter().filter_map(|r| r.uri.as_ref()));
        for u in all {
            if !out.contains(u) {
                out.push(u.clone());
            }
        }
        out
    }
}

/// Parses a master playlist. A media playlist given here is an error that says so.
pub fn parse_master(text: &str, url: &Url) -> Result<MasterPlaylist> {
    let mut m = MasterPlaylist {
        url: url.clone(),
        variants: Vec::new(),
        renditions: Vec::new(),
        session_keys: Vec::new(),
    };
    let mut pending: Option<(usize, &str)> = None;
    for (line_no, line) in lines(text)? {
        let err = |reason: String| Error::Hls {
            line: line_no,
            reason,
        };
        if let Some(rest) = line.strip_prefix("#EXT-X-STREAM-INF:") {
            pending = Some((line_no, rest));
        } else if let Some(rest) = line.strip_prefix("#EXT-X-MEDIA:") {
            m.renditions.push(rendition(rest, url, line_no)?);
        } else if let Some(rest) = line.strip_prefix("#EXT-X-SESSION-KEY:") {
            if let Some(k) = keys::parse_key(rest, url, line_no)? {
                m.session_keys.push(k);
            }
        } else if line.starts_with("#EXTINF") || line.starts_with("#EXT-X-TARGETDURATION") {
            return Err(err(
                "this is a media playlist, not a master playlist; pass it to hls::parse_media"
                    .into(),
            ));
        } else if !line.starts_with('#') {
            let (at, list) = pending.take().ok_or_else(|| {
                err(format!(
                    "URI {line:?} does not follow an #EXT-X-STREAM-INF tag"
                ))
            })?;
            m.variants.push(variant(list, resolve(url, line)?, at)?);
        }
    }
    if let Some((at, _)) = pending {
        return Err(Error::Hls {
            line: at,
            reason: "#EXT-X-STREAM-INF is not followed by a URI line".into(),
        });
    }
    if m.variants.is_empty() {
        return Err(Error::Hls {
            line: 0,
            reason: "master playlist has no #EXT-X-STREAM-INF variants".into(),
        });
    }
    Ok(m)
}

fn variant(list: &str, uri: Url, line: usize) -> Result<Variant> {
    let err = |reason: String| Error::Hls { line, reason };
    let a = attrs::parse(list).map_err(err)?;
    let num = |name: &str| -> Result<Option<u64>> {
        attrs::get(&a, name)
            .map(|v| {
                v.parse::<u64>()
                    .map_err(|_| err(format!("{name}={v} is not an integer")))
            })
            .transpose()
    };
    let bandwidth = num("BANDWIDTH")?.ok_or_else(|| {
        err("EXT-X-STREAM-INF has no BANDWIDTH (required, RFC 8216 §4.3.4.2)".into())
    })?;
    let resolution = match attrs::get(&a, "RESOLUTION") {
        Some(r) => {
            let (w, h) = r
                .split_once(['x', 'X'])
                .ok_or_else(|| err(format!("RESOLUTION={r} is not WIDTHxHEIGHT")))?;
            Some((
                w.parse()
                    .map_err(|_| err(format!("RESOLUTION={r}: bad width")))?,
                h.parse()
                    .map_err(|_| err(format!("RESOLUTION={r}: bad height")))?,
            ))
        }
        None => None,
    };
    let frame_rate = match attrs::get(&a, "FRAME-RATE") {
        Some(f) => Some(
            f.parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && *v > 0.0)
                .ok_or_else(|| err(format!("FRAME-RATE={f} is not a positive number")))?,
        ),
        None => None,
    };
    Ok(Variant {
        uri,
        bandwidth,
        average_bandwidth: num("AVERAGE-BANDWIDTH")?,
        codecs: attrs::get(&a, "CODECS")
            .map(|c| {
                c.split(',')
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default(),
        resolution,
        frame_rate,
        audio: attrs::get(&a, "AUDIO").map(str::to_owned),
        subtitles: attrs::get(&a, "SUBTITLES").map(str::to_owned),
    })
}

fn rendition(list: &str, base: &Url, line: usize) -> Result<Rendition> {
    let err = |reason: String| Error::Hls { line, reason };
    let a = attrs::parse(list).map_err(err)?;
    let kind = match attrs::get(&a, "TYPE") {
        Some("AUDIO") => RenditionType::Audio,
        Some("VIDEO") => RenditionType::Video,
        Some("SUBTITLES") => RenditionType::Subtitles,
        Some("CLOSED-CAPTIONS") => RenditionType::ClosedCaptions,
        other => {
            return Err(err(format!(
                "EXT-X-MEDIA TYPE={other:?} is not AUDIO, VIDEO, SUBTITLES or CLOSED-CAPTIONS"
            )));
        }
    };
    let req = |name: &'static str| {
        attrs::get(&a, name)
            .map(str::to_owned)
            .ok_or_else(|| err(format!("EXT-X-MEDIA has no {name} (required)")))
    };
    Ok(Rendition {
        kind,
        group_id: req("GROUP-ID")?,
        name: req("NAME")?,
        language: attrs::get(&a, "LANGUAGE").map(str::to_owned),
        default: attrs::get(&a, "DEFAULT") == Some("YES"),
        autoselect: attrs::get(&a, "AUTOSELECT") == Some("YES"),
        uri: match attrs::get(&a, "URI") {
            Some(u) if kind != RenditionType::ClosedCaptions => Some(resolve(base, u)?),
            _ => None,
        },
        channels: attrs::get(&a, "CHANNELS").map(str::to_owned),
        characteristics: attrs::get(&a, "CHARACTERISTICS")
            .map(|c| c.split(',').map(|s| s.trim().to_owned()).collect())
            .unwrap_or_default(),
    })
}
