//! MPEG-DASH MPDs (ISO/IEC 23009-1), static presentations only.
//!
//! Walks MPD / Period / AdaptationSet / Representation, resolving BaseURL at every level and
//! inheriting attributes and segment information downwards (§5.3.9.1: SegmentBase,
//! SegmentTemplate and SegmentList at a lower level override the same attributes above).

mod protection;
mod segments;
pub mod sidx;
pub mod xlink;

pub use segments::segments_from_sidx;
pub use xlink::{XLink, resolve_xlinks, xlinks};

use crate::duration::parse_iso8601_duration;
use crate::error::{Error, Result};
use crate::model::{
    FrameRate, ManifestKind, Period, Presentation, Track, TrackKind, kind_of_codec,
};
use crate::xml::{attr, child, children, parse_attr, parse_document, text};
use crate::{Limits, Totals, resolve};
use roxmltree::Node;
use segments::SegAttrs;
use url::Url;

/// Parses a static MPD. `base_url` is where the MPD was fetched from (relative BaseURLs and
/// segment URLs resolve against it).
pub fn parse(text: &str, base_url: &Url) -> Result<Presentation> {
    parse_with_limits(text, base_url, &Limits::default())
}

/// [`parse`] with explicit expansion limits.
pub fn parse_with_limits(text: &str, base_url: &Url, limits: &Limits) -> Result<Presentation> {
    from_document(&parse_document(text)?, base_url, limits)
}

/// Builds the presentation from an already parsed document (lets [`crate::parse`] sniff the
/// root element without parsing twice).
pub(crate) fn from_document(
    doc: &roxmltree::Document,
    base_url: &Url,
    limits: &Limits,
) -> Result<Presentation> {
    let mpd = doc.root_element();
    if mpd.tag_name().name() != "MPD" {
        return Err(Error::UnknownFormat(format!(
            "root element is <{}>, not <MPD>",
            mpd.tag_name().name()
        )));
    }
    if attr(mpd, "type").is_some_and(|t| t.trim() == "dynamic") {
        return Err(Error::Live {
            what: "MPD",
            detail: "MPD@type=\"dynamic\"",
        });
    }
    let mpd_duration = duration_attr(mpd, "mediaPresentationDuration")?;
    let base = base_url_of(mpd, base_url)?;

    refuse_unresolved_links(mpd)?;
    let period_nodes: Vec<Node> = children(mpd, "Period")
        .filter(|p| !xlink::resolves_to_zero(*p))
        .collect();
    if period_nodes.is_empty() {
        return Err(Error::structure(
            "MPD",
            "has no <Period>; nothing to download",
        ));
    }
    // Period starts (§5.3.2.1): @start, else the previous period's end, else 0.
    let mut starts = Vec::with_capacity(period_nodes.len());
    let mut prev_end: Option<f64> = Some(0.0);
    for p in &period_nodes {
        let start = match duration_attr(*p, "start")? {
            Some(s) => s,
            None => prev_end.ok_or_else(|| {
                Error::structure(
                    "Period",
                    "has neither @start nor a previous Period with @duration; cannot place it in time",
                )
            })?,
        };
        let dur = duration_attr(*p, "duration")?;
        prev_end = dur.map(|d| start + d);
        starts.push((start, dur));
    }

    let mut periods = Vec::with_capacity(period_nodes.len());
    let mut tracks = Vec::new();
    let mut totals = Totals::default();
    for (pi, p) in period_nodes.iter().enumerate() {
        let (start, own) = starts[pi];
        let duration = own
            .or_else(|| starts.get(pi + 1).map(|(next, _)| next - start))
            .or_else(|| mpd_duration.map(|d| d - start))
            .filter(|d| *d >= 0.0);
        periods.push(Period {
            id: attr(*p, "id").map(str::to_owned),
            start,
            duration,
        });
        let ctx = PeriodCtx {
            index: pi,
            duration,
            base: base_url_of(*p, &base)?,
        };
        let period_seg = SegAttrs::levels(*p, None)?;
        for (ai, aset) in children(*p, "AdaptationSet")
            .filter(|a| !xlink::resolves_to_zero(*a))
            .enumerate()
        {
            parse_adaptation_set(
                &ctx,
                aset,
                ai,
                &period_seg,
                limits,
                &mut tracks,
                &mut totals,
            )?;
        }
    }
    let duration = mpd_duration.or_else(|| {
        let last = periods.last()?;
        Some(last.start + last.duration?)
    });
    Ok(Presentation {
        kind: ManifestKind::Dash,
        duration,
        periods,
        tracks,
    })
}

/// An element that is still a link would be parsed as an empty placeholder: refuse it,
/// naming it, so the caller fetches it first ([`xlinks`], [`resolve_xlinks`]).
fn refuse_unresolved_links(mpd: Node) -> Result<()> {
    for (pi, p) in children(mpd, "Period").enumerate() {
        let links = std::iter::once(("Period".to_owned(), p)).chain(
            children(p, "AdaptationSet")
                .enumerate()
                .map(|(ai, a)| (format!("Period {pi} / AdaptationSet {ai}"), a)),
        );
        for (what, node) in links {
            if let Some(h) = xlink::href(node).filter(|h| *h != xlink::RESOLVE_TO_ZERO) {
                let what = if what == "Period" {
                    format!("Period {pi}")
                } else {
                    what
                };
                return Err(Error::structure(
                    what,
                    format!(
                        "is a link (xlink:href=\"{h}\") that was not fetched; resolve it with dash::xlinks and dash::resolve_xlinks first"
                    ),
                ));
            }
        }
    }
    Ok(())
}

struct PeriodCtx {
    index: usize,
    duration: Option<f64>,
    base: Url,
}

fn parse_adaptation_set(
    ctx: &PeriodCtx,
    aset: Node,
    ai: usize,
    period_seg: &segments::Levels,
    limits: &Limits,
    out: &mut Vec<Track>,
    totals: &mut Totals,
) -> Result<()> {
    let base = base_url_of(aset, &ctx.base)?;
    let aset_seg = SegAttrs::levels(aset, Some(period_seg))?;
    let aset_protection = protection::parse_all(aset)?;
    let roles: Vec<String> = children(aset, "Role")
        .filter_map(|r| attr(r, "value").map(str::to_owned))
        .collect();
    let label = child(aset, "Label").and_then(text);
    for (ri, rep) in children(aset, "Representation").enumerate() {
        let id = attr(rep, "id")
            .map(str::to_owned)
            .unwrap_or_else(|| format!("p{}-as{ai}-r{ri}", ctx.index));
        let location = format!(
            "Period {} / AdaptationSet {ai} / Representation {id:?}",
            ctx.index
        );
        let rep_base = base_url_of(rep, &base)?;
        let lookup = |name: &'static str| attr(rep, name).or_else(|| attr(aset, name));
        let codec = lookup("codecs").map(str::to_owned);
        let mime = lookup("mimeType").map(str::to_owned);
        let kind = track_kind(attr(aset, "contentType"), mime.as_deref(), codec.as_deref());
        let bitrate: Option<u64> = parse_attr(rep, "bandwidth")?;
        let mut track = Track::empty(id.clone(), ctx.index, kind, 1);
        track.codec = codec;
        track.mime_type = mime;
        track.bitrate = bitrate;
        track.width = parse_attr(rep, "width")?.or(parse_attr(aset, "width")?);
        track.height = parse_attr(rep, "height")?.or(parse_attr(aset, "height")?);
        track.frame_rate = match lookup("frameRate") {
            Some(f) => Some(parse_frame_rate(f).ok_or_else(|| {
                Error::invalid("Representation", "frameRate", f, "expected `N` or `N/D`")
            })?),
            None => None,
        };
        track.sample_rate =
            parse_attr(rep, "audioSamplingRate")?.or(parse_attr(aset, "audioSamplingRate")?);
        track.channels = child(rep, "AudioChannelConfiguration")
            .or_else(|| child(aset, "AudioChannelConfiguration"))
            .and_then(|c| attr(c, "value"))
            .and_then(|v| v.trim().parse().ok());
        track.language = attr(rep, "lang")
            .or_else(|| attr(aset, "lang"))
            .map(str::to_owned);
        let mut rep_roles = roles.clone();
        rep_roles.extend(children(rep, "Role").filter_map(|r| attr(r, "value").map(str::to_owned)));
        track.roles = rep_roles;
        track.label = child(rep, "Label").and_then(text).or_else(|| label.clone());
        let mut prot = aset_protection.clone();
        prot.extend(protection::parse_all(rep)?);
        track.protection = protection::finish(prot);

        let seg = SegAttrs::levels(rep, Some(&aset_seg))?;
        segments::fill(
            &mut track,
            &seg,
            &segments::RepCtx {
                location: &location,
                id: &id,
                bandwidth: bitrate.unwrap_or(0),
                base: &rep_base,
                period_duration: ctx.duration,
            },
            limits,
        )?;
        // Checked per Representation so that many capped ones cannot add up to gigabytes.
        totals.add(&track, limits, &location)?;
        out.push(track);
    }
    Ok(())
}

fn track_kind(content_type: Option<&str>, mime: Option<&str>, codec: Option<&str>) -> TrackKind {
    let by_type = |t: &str| match t {
        "video" => Some(TrackKind::Video),
        "audio" => Some(TrackKind::Audio),
        "text" => Some(TrackKind::Text),
        _ => None,
    };
    if let Some(k) = content_type.and_then(|c| by_type(c.trim())) {
        return k;
    }
    if let Some(m) = mime {
        let major = m.split('/').next().unwrap_or("");
        if let Some(k) = by_type(major) {
            return k;
        }
    }
    codec
        .and_then(|c| c.split(',').next())
        .and_then(kind_of_codec)
        .unwrap_or(TrackKind::Other)
}

fn parse_frame_rate(s: &str) -> Option<FrameRate> {
    let s = s.trim();
    let (num, den) = match s.split_once('/') {
        Some((n, d)) => (n.trim().parse().ok()?, d.trim().parse().ok()?),
        None => (s.parse().ok()?, 1),
    };
    (den != 0).then_some(FrameRate { num, den })
}

fn duration_attr(node: Node, name: &'static str) -> Result<Option<f64>> {
    match attr(node, name) {
        None => Ok(None),
        Some(v) => parse_iso8601_duration(v)
            .map(Some)
            .map_err(|r| Error::invalid(node.tag_name().name(), name, v, r)),
    }
}

/// Resolves the first `BaseURL` child of `node` against `parent` (§5.6.4). Further BaseURLs
/// are alternative CDNs; the first is enough for a download.
fn base_url_of(node: Node, parent: &Url) -> Result<Url> {
    match child(node, "BaseURL").and_then(text) {
        Some(b) => resolve(parent, &b),
        None => Ok(parent.clone()),
    }
}
