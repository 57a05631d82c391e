//! Media playlists (RFC 8216 §4.3.2-4.3.3) with fMP4 segments.

use super::{keys, lines};
use crate::error::{Error, Result};
use crate::model::{Protection, SegmentRef};
use crate::{Limits, resolve};
use url::Url;

/// Distinct KEYFORMATs that may be in force for one segment (real playlists use 1-4).
const MAX_KEYS_IN_FORCE: usize = 16;

/// HLS durations are decimal seconds; tracks built from playlists count in microseconds.
pub const HLS_TIMESCALE: u64 = 1_000_000;

/// A parsed on-demand media playlist.
#[derive(Debug, Clone, PartialEq)]
pub struct MediaPlaylist {
    /// Where it came from.
    pub url: Url,
    /// `EXT-X-TARGETDURATION` in seconds.
    pub target_duration: Option<u64>,
    /// `EXT-X-MAP`, the first one.
    pub init: Option<SegmentRef>,
    /// Further distinct `EXT-X-MAP` tags (content changes at discontinuities). Each segment
    /// after one of them carries it as [`SegmentRef::init`].
    pub extra_maps: Vec<SegmentRef>,
    /// Every segment; times in [`HLS_TIMESCALE`] ticks.
    pub segments: Vec<SegmentRef>,
    /// Every distinct key in force at any point.
    pub keys: Vec<Protection>,
}

/// Parses a media playlist. Live playlists (no `#EXT-X-ENDLIST`) are rejected.
pub fn parse_media(text: &str, url: &Url) -> Result<MediaPlaylist> {
    parse_media_with_limits(text, url, &Limits::default())
}

/// [`parse_media`] with explicit limits.
pub fn parse_media_with_limits(text: &str, url: &Url, limits: &Limits) -> Result<MediaPlaylist> {
    let mut p = MediaPlaylist {
        url: url.clone(),
        target_duration: None,
        init: None,
        extra_maps: Vec::new(),
        segments: Vec::new(),
        keys: Vec::new(),
    };
    let mut ended = false;
    // The EXT-X-MAP in force (§4.3.2.5: it applies to every segment after it until the next).
    let mut current_map: Option<SegmentRef> = None;
    // Distinct maps seen, by URL and range: keeps a hostile playlist of many maps linear.
    let mut maps_seen: std::collections::HashSet<(String, Option<(u64, u64)>)> =
        std::collections::HashSet::new();
    let mut pending_duration: Option<u64> = None;
    let mut pending_range: Option<(u64, Option<u64>)> = None;
    // Last byte range per resource, for EXT-X-BYTERANGE without an offset (§4.3.2.2).
    let mut last_end: Option<(Url, u64)> = None;
    let mut time: u64 = 0;
    let mut sequence: u64 = 0;
    // Indexes into `p.keys` in force now: one per KEYFORMAT (§4.3.2.4: a key tag replaces the
    // one with the same KEYFORMAT; METHOD=NONE clears them all).
    let mut in_force: Vec<u32> = Vec::new();
    // Key tags seen, by attribute text: dedupes rotation-heavy playlists in linear time.
    let mut seen: std::collections::HashMap<&str, u32> = std::collections::HashMap::new();
    for (n, line) in lines(text)? {
        let err = |reason: String| Error::Hls { line: n, reason };
        if let Some(rest) = line.strip_prefix("#EXTINF:") {
            let d = rest.split(',').next().unwrap_or("").trim();
            let secs: f64 = d
                .parse()
                .ok()
                .filter(|v: &f64| v.is_finite() && *v >= 0.0 && *v < 1.0e7)
                .ok_or_else(|| err(format!("EXTINF duration {d:?} is not a number of seconds")))?;
            pending_duration = Some((secs * HLS_TIMESCALE as f64).round() as u64);
        } else if let Some(rest) = line.strip_prefix("#EXT-X-BYTERANGE:") {
            pending_range = Some(parse_byterange(rest).map_err(err)?);
        } else if let Some(rest) = line.strip_prefix("#EXT-X-TARGETDURATION:") {
            p.target_duration =
                Some(rest.trim().parse().map_err(|_| {
                    err(format!("EXT-X-TARGETDURATION {rest:?} is not an integer"))
                })?);
        } else if let Some(rest) = line.strip_prefix("#EXT-X-MAP:") {
            let a = super::attrs::parse(rest).map_err(err)?;
            let uri =
                super::attrs::get(&a, "URI").ok_or_else(|| err("EXT-X-MAP has no URI".into()))?;
            let byte_range = match super::attrs::get(&a, "BYTERANGE") {
                Some(r) => {
                    let (len, off) = parse_byterange(r).map_err(err)?;
                    Some(range(off.unwrap_or(0), len).map_err(err)?)
                }
                None => None,
            };
            let map = SegmentRef {
                url: resolve(url, uri)?,
                byte_range,
                start: 0,
                duration: 0,
                sequence: None,
                keys: None,
                init: None,
            };
            if p.init.is_none() {
                if let Some(first) = p.segments.first() {
                    return Err(err(format!(
                        "EXT-X-MAP comes after segment {} which has none; every fMP4 segment needs an init segment",
                        first.url
                    )));
                }
                maps_seen.insert((map.url.to_string(), map.byte_range));
                p.init = Some(map.clone());
            } else if maps_seen.insert((map.url.to_string(), map.byte_range))
                && p.init.as_ref() != Some(&map)
            {
                if p.extra_maps.len() >= limits.max_segments_per_track {
                    return Err(Error::TooManySegments {
                        location: format!("HLS media playlist {url} (EXT-X-MAP)"),
                        limit: limits.max_segments_per_track,
                    });
                }
                p.extra_maps.push(map.clone());
            }
            current_map = Some(map);
        } else if let Some(rest) = line.strip_prefix("#EXT-X-MEDIA-SEQUENCE:") {
            sequence = rest
                .trim()
                .parse()
                .map_err(|_| err(format!("EXT-X-MEDIA-SEQUENCE {rest:?} is not an integer")))?;
        } else if let Some(rest) = line.strip_prefix("#EXT-X-KEY:") {
            let idx = match seen.get(rest.trim()) {
                Some(i) => Some(*i),
                None => match keys::parse_key(rest, url, n)? {
                    None => None,
                    Some(k) => {
                        let i = p.keys.len() as u32;
                        p.keys.push(k);
                        seen.insert(rest.trim(), i);
                        Some(i)
                    }
                },
            };
            match idx {
                None => in_force.clear(),
                Some(idx) => {
                    let format = p.keys[idx as usize].key_format.clone();
                    in_force.retain(|i| p.keys[*i as usize].key_format != format);
                    in_force.push(idx);
                    if in_force.len() > MAX_KEYS_IN_FORCE {
                        return Err(err(format!(
                            "more than {MAX_KEYS_IN_FORCE} KEYFORMATs in force at once; the playlist is broken"
                        )));
                    }
                }
            }
        } else if line == "#EXT-X-ENDLIST" {
            ended = true;
        } else if line.starts_with("#EXT-X-STREAM-INF") {
            return Err(err(
                "this is a master playlist; use hls::parse_master".into()
            ));
        } else if !line.starts_with('#') {
            let duration = pending_duration
                .take()
                .ok_or_else(|| err(format!("segment {line:?} has no #EXTINF before it")))?;
            let seg_url = resolve(url, line)?;
            let byte_range = match pending_range.take() {
                None => None,
                Some((len, Some(off))) => Some(range(off, len).map_err(err)?),
                Some((len, None)) => {
                    let off = match &last_end {
                        Some((u, end)) if *u == seg_url => end
                            .checked_add(1)
                            .ok_or_else(|| err("byte range offset overflows 64 bits".into()))?,
                        _ => {
                            return Err(err(format!(
                                "EXT-X-BYTERANGE without an offset must follow a ranged segment of the same resource ({line})"
                            )));
                        }
                    };
                    Some(range(off, len).map_err(err)?)
                }
            };
            if let Some((_, end)) = byte_range {
                last_end = Some((seg_url.clone(), end));
            }
            if p.segments.len() >= limits.max_segments_per_track {
                return Err(Error::TooManySegments {
                    location: format!("HLS media playlist {url}"),
                    limit: limits.max_segments_per_track,
                });
            }
            p.segments.push(SegmentRef {
                url: seg_url,
                byte_range,
                start: time,
                duration,
                sequence: Some(sequence),
                keys: Some(in_force.clone()),
                init: current_map
                    .as_ref()
                    .filter(|m| p.init.as_ref() != Some(*m))
                    .map(|m| Box::new(m.clone())),
            });
            sequence = sequence.saturating_add(1);
            time = time.saturating_add(duration);
        }
    }
    if !ended {
        return Err(Error::Live {
            what: "HLS media playlist",
            detail: "no #EXT-X-ENDLIST",
        });
    }
    Ok(p)
}

/// `n[@o]` -> (length, offset).
fn parse_byterange(s: &str) -> std::result::Result<(u64, Option<u64>), String> {
    let s = s.trim();
    let (len, off) = match s.split_once('@') {
        Some((l, o)) => (l, Some(o)),
        None => (s, None),
    };
    let len: u64 = len
        .trim()
        .parse()
        .map_err(|_| format!("byte range {s:?}: length is not an integer"))?;
    let off = off
        .map(|o| {
            o.trim()
                .parse::<u64>()
                .map_err(|_| format!("byte range {s:?}: offset is not an integer"))
        })
        .transpose()?;
    Ok((len, off))
}

fn range(offset: u64, len: u64) -> std::result::Result<(u64, u64), String> {
    if len == 0 {
        return Err("byte range of length 0".into());
    }
    let last = offset
        .checked_add(len - 1)
        .ok_or_else(|| "byte range overflows 64 bits".to_owned())?;
    Ok((offset, last))
}
