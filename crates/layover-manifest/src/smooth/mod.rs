//! Smooth Streaming client manifests ([MS-SSTR] §2.2.2): `SmoothStreamingMedia`,
//! `StreamIndex`, `QualityLevel`, `c` chunks and `Protection/ProtectionHeader`.
//!
//! Smooth fragments are PIFF `moof`+`mdat` with no `moov`; [`SmoothCodecInfo`] on each track
//! carries what an init segment needs, and [`init::build_init_segment`] writes one.

mod codec;
pub mod init;

pub use codec::{AvcConfig, SmoothCodecInfo, from_hex, synthesize_aac_config};

use crate::error::{Error, Result};
use crate::kid::Kid;
use crate::model::{
    DrmSystem, ManifestKind, Period, Presentation, Protection, SegmentRef, Track, TrackKind,
};
use crate::xml::{attr, children, parse_attr, parse_document, text};
use crate::{Limits, Totals, check_url_bytes, playready, resolve};
use roxmltree::Node;
use url::Url;

/// Default `TimeScale` ([MS-SSTR] §2.2.2.1): 100 ns ticks.
pub const DEFAULT_TIMESCALE: u64 = 10_000_000;

/// Parses a Smooth Streaming client manifest. `base_url` is the manifest URL
/// (`…/title.ism/Manifest`); fragment URLs resolve against it.
pub fn parse(text: &str, base_url: &Url) -> Result<Presentation> {
    parse_with_limits(text, base_url, &Limits::default())
}

/// [`parse`] with explicit limits.
pub fn parse_with_limits(text: &str, base_url: &Url, limits: &Limits) -> Result<Presentation> {
    from_document(&parse_document(text)?, base_url, limits)
}

/// Builds the presentation from an already parsed document.
pub(crate) fn from_document(
    doc: &roxmltree::Document,
    base_url: &Url,
    limits: &Limits,
) -> Result<Presentation> {
    let root = doc.root_element();
    if root.tag_name().name() != "SmoothStreamingMedia" {
        return Err(Error::UnknownFormat(format!(
            "root element is <{}>, not <SmoothStreamingMedia>",
            root.tag_name().name()
        )));
    }
    if attr(root, "IsLive").is_some_and(|v| v.eq_ignore_ascii_case("true")) {
        return Err(Error::Live {
            what: "Smooth Streaming manifest",
            detail: "SmoothStreamingMedia@IsLive=\"TRUE\"",
        });
    }
    let timescale: u64 = parse_attr(root, "TimeScale")?.unwrap_or(DEFAULT_TIMESCALE);
    if timescale == 0 {
        return Err(Error::invalid(
            "SmoothStreamingMedia",
            "TimeScale",
            "0",
            "must be ticks per second (> 0)",
        ));
    }
    let duration_ticks: Option<u64> = parse_attr(root, "Duration")?;
    let duration = duration_ticks.map(|d| d as f64 / timescale as f64);
    let protection = protection(root)?;

    let mut tracks = Vec::new();
    let mut totals = Totals::default();
    for (si, stream) in children(root, "StreamIndex").enumerate() {
        stream_index(
            stream,
            si,
            timescale,
            duration_ticks,
            &protection,
            base_url,
            limits,
            &mut tracks,
            &mut totals,
        )?;
    }
    Ok(Presentation {
        kind: ManifestKind::Smooth,
        duration,
        periods: vec![Period {
            id: None,
            start: 0.0,
            duration,
        }],
        tracks,
    })
}

fn protection(root: Node) -> Result<Vec<Protection>> {
    let mut out = Vec::new();
    for prot in children(root, "Protection") {
        for h in children(prot, "ProtectionHeader") {
            let id_text = attr(h, "SystemID").ok_or_else(|| Error::MissingAttribute {
                element: "ProtectionHeader".into(),
                attribute: "SystemID",
                hint: "the DRM system cannot be told without it",
            })?;
            let id: Kid = id_text.parse().map_err(|_| {
                Error::invalid("ProtectionHeader", "SystemID", id_text, "expected a GUID")
            })?;
            let bytes = match text(h) {
                Some(t) => crate::xml::base64_decode("ProtectionHeader", "text()", &t)?,
                None => Vec::new(),
            };
            let mut p = Protection::new(DrmSystem::from_system_id(id));
            p.system_id = Some(id);
            if p.system == DrmSystem::PlayReady {
                let s = playready::summary(&bytes);
                p.default_kid = s.kid;
                p.la_url = s.la_url;
                // PIFF 1.1 fragments; ALGID says CTR (cenc-like) or CBC.
                p.scheme = Some(match s.algid.as_deref() {
                    Some("AESCBC") => "cbcs".into(),
                    _ => "cenc".into(),
                });
                p.playready_object = Some(bytes);
            } else if bytes.get(4..8) == Some(b"pssh") {
                p.pssh = Some(bytes);
            }
            out.push(p);
        }
    }
    Ok(out)
}

#[allow(clippy::too_many_arguments)]
fn stream_index(
    stream: Node,
    si: usize,
    global_timescale: u64,
    duration_ticks: Option<u64>,
    protection: &[Protection],
    base: &Url,
    limits: &Limits,
    out: &mut Vec<Track>,
    totals: &mut Totals,
) -> Result<()> {
    let ty = attr(stream, "Type").unwrap_or("").to_ascii_lowercase();
    let kind = match ty.as_str() {
        "video" => TrackKind::Video,
        "audio" => TrackKind::Audio,
        "text" => TrackKind::Text,
        _ => TrackKind::Other,
    };
    let name = attr(stream, "Name")
        .map(str::to_owned)
        .unwrap_or_else(|| ty.clone());
    let location = format!("StreamIndex {si} ({name})");
    let url_template = attr(stream, "Url").ok_or_else(|| Error::MissingAttribute {
        element: "StreamIndex".into(),
        attribute: "Url",
        hint: "fragment URLs are built from it (e.g. QualityLevels({bitrate})/Fragments(video={start time}))",
    })?;
    let timescale: u64 = parse_attr(stream, "TimeScale")?.unwrap_or(global_timescale);
    if timescale == 0 {
        return Err(Error::invalid(
            "StreamIndex",
            "TimeScale",
            "0",
            "must be ticks per second (> 0)",
        ));
    }
    // Rescale the presentation duration if the stream has its own timescale.
    let duration_ticks = duration_ticks.map(|d| {
        (u128::from(d) * u128::from(timescale) / u128::from(global_timescale.max(1))) as u64
    });
    let chunks = chunks(stream, duration_ticks, &location, limits)?;
    let subtype = attr(stream, "Subtype");
    for (qi, q) in children(stream, "QualityLevel").enumerate() {
        let bitrate: u64 = parse_attr(q, "Bitrate")?.ok_or_else(|| Error::MissingAttribute {
            element: "QualityLevel".into(),
            attribute: "Bitrate",
            hint: "it names the fragment URLs ({bitrate})",
        })?;
        let fourcc = attr(q, "FourCC")
            .or_else(|| attr(stream, "FourCC"))
            .unwrap_or("")
            .to_owned();
        let cpd_text = attr(q, "CodecPrivateData").unwrap_or("");
        let cpd = from_hex(cpd_text).ok_or_else(|| {
            Error::invalid("QualityLevel", "CodecPrivateData", cpd_text, "not hex")
        })?;
        let sampling_rate: Option<u32> = parse_attr(q, "SamplingRate")?;
        let channels: Option<u16> = parse_attr(q, "Channels")?;
        let mut info = SmoothCodecInfo {
            fourcc: fourcc.clone(),
            codec_private_data: cpd.clone(),
            avc: None,
            audio_specific_config: None,
            sampling_rate,
            channels,
            bits_per_sample: parse_attr(q, "BitsPerSample")?,
            packet_size: parse_attr(q, "PacketSize")?,
            audio_tag: parse_attr(q, "AudioTag")?,
            nal_unit_length: parse_attr(q, "NALUnitLengthField")?.unwrap_or(4),
        };
        let upper = fourcc.to_ascii_uppercase();
        let codec = match upper.as_str() {
            "H264" | "AVC1" | "DAVC" => {
                info.avc = AvcConfig::from_annex_b(&cpd);
                info.avc.as_ref().map(AvcConfig::codec_string)
            }
            "AACL" | "AACH" | "AAC" | "AACP" => {
                info.audio_specific_config = if cpd.is_empty() {
                    match (sampling_rate, channels) {
                        (Some(r), Some(c)) => Some(synthesize_aac_config(r, c)),
                        _ => None,
                    }
                } else {
                    Some(cpd.clone())
                };
                let aot = info
                    .audio_specific_config
                    .as_ref()
                    .and_then(|a| a.first())
                    .map(|b| b >> 3)
                    .unwrap_or(2);
                Some(format!("mp4a.40.{aot}"))
            }
            "EC-3" => Some("ec-3".into()),
            "AC-3" => Some("ac-3".into()),
            "TTML" | "DFXP" => Some("stpp".into()),
            "" => None,
            other => Some(other.to_ascii_lowercase()),
        };
        let id = format!("{name}/{bitrate}");
        let mut t = Track::empty(id, 0, kind, timescale);
        t.codec = codec;
        t.bitrate = Some(bitrate);
        t.width = parse_attr(q, "MaxWidth")?.or(parse_attr(stream, "DisplayWidth")?);
        t.height = parse_attr(q, "MaxHeight")?.or(parse_attr(stream, "DisplayHeight")?);
        t.sample_rate = sampling_rate;
        t.channels = channels.map(u32::from);
        t.language = attr(stream, "Language").map(str::to_owned);
        t.label = attr(stream, "Name").map(str::to_owned);
        if let Some(s) = subtype {
            // ETSI TS 103 285 §7.1.2 mapping, as players do for Smooth text tracks.
            t.roles.push(
                match s {
                    "CAPT" | "DESC" => "main",
                    "SUBT" => "alternate",
                    other => other,
                }
                .to_owned(),
            );
        }
        t.protection = protection.to_vec();
        let url_q = url_template
            .replace("{bitrate}", &bitrate.to_string())
            .replace("{Bitrate}", &bitrate.to_string());
        if url_q.contains("{CustomAttributes}") {
            return Err(Error::structure(
                format!("{location} / QualityLevel {qi}"),
                "Url uses {CustomAttributes}, which is not supported yet",
            ));
        }
        // Checked per QualityLevel, before allocating, so capped streams cannot add up.
        let ql_location = format!("{location} / QualityLevel {qi}");
        if totals.segments + chunks.len() > limits.max_segments_total {
            return Err(Error::TooManySegments {
                location: format!("SmoothStreamingMedia (up to {ql_location})"),
                limit: limits.max_segments_total,
            });
        }
        let per_url = (base.as_str().len() + url_q.len() + 20) as u128;
        check_url_bytes(
            totals.url_bytes as u128 + per_url * chunks.len() as u128,
            limits,
            &ql_location,
        )?;
        t.segments.reserve(chunks.len());
        for &(start, d) in &chunks {
            let u = url_q
                .replace("{start time}", &start.to_string())
                .replace("{start_time}", &start.to_string());
            t.segments.push(SegmentRef {
                url: resolve(base, &u)?,
                byte_range: None,
                start,
                duration: d,
                sequence: None,
                keys: None,
                init: None,
            });
        }
        t.smooth = Some(info);
        totals.add(&t, limits, &ql_location)?;
        out.push(t);
    }
    Ok(())
}

/// Expands the `c` elements: `t` (start, default: previous end), `d` (duration; when absent,
/// up to the next chunk's `t`, or for the last chunk up to the presentation end) and `r`.
/// `r` counts the fragments with this duration (default 1): dash.js and VLC read it so (VLC:
/// "#segments = repeat count"); Shaka Player reads it like DASH `S@r` (extra repeats). We
/// follow dash.js and VLC; [MS-SSTR] §2.2.2.6 was not checked here.
fn chunks(
    stream: Node,
    duration: Option<u64>,
    location: &str,
    limits: &Limits,
) -> Result<Vec<(u64, u64)>> {
    let cs: Vec<Node> = children(stream, "c").collect();
    let mut out: Vec<(u64, u64)> = Vec::new();
    let mut cur = 0u64;
    for (i, c) in cs.iter().enumerate() {
        if let Some(t) = parse_attr::<u64>(*c, "t")? {
            cur = t;
        }
        let next_t: Option<u64> = match cs.get(i + 1) {
            Some(n) => parse_attr(*n, "t")?,
            None => None,
        };
        let d: u64 = match parse_attr(*c, "d")? {
            Some(d) => d,
            None if next_t.is_some_and(|n| n > cur) => next_t.unwrap_or(cur) - cur,
            None if i + 1 == cs.len() => match duration {
                Some(total) if total > cur => total - cur,
                _ => {
                    return Err(Error::MissingAttribute {
                        element: "c".into(),
                        attribute: "d",
                        hint: "the last chunk may omit it only when SmoothStreamingMedia@Duration covers it",
                    });
                }
            },
            None => {
                return Err(Error::MissingAttribute {
                    element: "c".into(),
                    attribute: "d",
                    hint: "every chunk but the last needs a duration",
                });
            }
        };
        if d == 0 {
            return Err(Error::invalid(
                "c",
                "d",
                "0",
                "a fragment duration of 0 never ends",
            ));
        }
        let r: u64 = parse_attr(*c, "r")?.unwrap_or(1).max(1);
        if out.len() as u128 + u128::from(r) > limits.max_segments_per_track as u128 {
            return Err(Error::TooManySegments {
                location: location.to_owned(),
                limit: limits.max_segments_per_track,
            });
        }
        for _ in 0..r {
            out.push((cur, d));
            cur = cur
                .checked_add(d)
                .ok_or_else(|| Error::structure(location, "chunk times overflow 64 bits"))?;
        }
    }
    Ok(out)
}
