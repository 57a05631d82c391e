//! Segment addressing: SegmentTemplate (with or without SegmentTimeline), SegmentList and
//! SegmentBase (ISO/IEC 23009-1 §5.3.9), expanded into [`SegmentRef`]s under hard limits.

use super::sidx::{Sidx, SidxReference};
use crate::error::{Error, Result};
use crate::model::{SegmentRef, Track};
use crate::template::{Template, Vars};
use crate::xml::{attr, child, children, parse_attr, parse_range};
use crate::{Limits, check_url_bytes, resolve};
use roxmltree::Node;
use url::Url;

/// Segment information attributes shared by SegmentBase, SegmentList and SegmentTemplate
/// (`MultipleSegmentBaseInformation` in the MPD schema). Each field inherits from the same
/// element one level up when absent.
#[derive(Clone, Default)]
pub(super) struct SegAttrs<'a, 'i> {
    timescale: Option<u64>,
    duration: Option<u64>,
    start_number: Option<u64>,
    end_number: Option<u64>,
    pto: Option<u64>,
    media: Option<&'a str>,
    initialization: Option<&'a str>,
    init_range: Option<(u64, u64)>,
    index_range: Option<(u64, u64)>,
    timeline: Option<Node<'a, 'i>>,
    list: Option<Node<'a, 'i>>,
    /// Depth of the element that last declared this kind (Period 1, AdaptationSet 2,
    /// Representation 3): the deepest kind wins when levels disagree.
    declared_at: u8,
}

/// The three kinds of segment information in force at one level of the hierarchy.
#[derive(Clone, Default)]
pub(super) struct Levels<'a, 'i> {
    depth: u8,
    template: Option<SegAttrs<'a, 'i>>,
    list: Option<SegAttrs<'a, 'i>>,
    base: Option<SegAttrs<'a, 'i>>,
}

impl<'a, 'i> SegAttrs<'a, 'i> {
    fn read(node: Node<'a, 'i>) -> Result<Self> {
        let init = child(node, "Initialization");
        Ok(SegAttrs {
            timescale: parse_attr(node, "timescale")?,
            duration: parse_attr(node, "duration")?,
            start_number: parse_attr(node, "startNumber")?,
            end_number: parse_attr(node, "endNumber")?,
            pto: parse_attr(node, "presentationTimeOffset")?,
            media: attr(node, "media"),
            initialization: attr(node, "initialization")
                .or_else(|| init.and_then(|i| attr(i, "sourceURL"))),
            init_range: match init {
                Some(i) => parse_range(i, "range")?,
                None => None,
            },
            index_range: parse_range(node, "indexRange")?,
            timeline: child(node, "SegmentTimeline"),
            list: (node.tag_name().name() == "SegmentList").then_some(node),
            declared_at: 0,
        })
    }

    fn over(self, parent: Option<&SegAttrs<'a, 'i>>) -> Self {
        let Some(p) = parent else { return self };
        SegAttrs {
            timescale: self.timescale.or(p.timescale),
            duration: self.duration.or(p.duration),
            start_number: self.start_number.or(p.start_number),
            end_number: self.end_number.or(p.end_number),
            pto: self.pto.or(p.pto),
            media: self.media.or(p.media),
            initialization: self.initialization.or(p.initialization),
            init_range: self.init_range.or(p.init_range),
            index_range: self.index_range.or(p.index_range),
            timeline: self.timeline.or(p.timeline),
            list: self.list.or(p.list),
            declared_at: self.declared_at,
        }
    }

    /// The segment information in force at `node`, inheriting from `parent`.
    pub(super) fn levels(
        node: Node<'a, 'i>,
        parent: Option<&Levels<'a, 'i>>,
    ) -> Result<Levels<'a, 'i>> {
        let p = parent.cloned().unwrap_or_default();
        let depth = p.depth + 1;
        let level = |name: &'static str,
                     up: Option<&SegAttrs<'a, 'i>>|
         -> Result<Option<SegAttrs<'a, 'i>>> {
            Ok(match child(node, name) {
                Some(n) => {
                    let mut own = SegAttrs::read(n)?;
                    own.declared_at = depth;
                    Some(own.over(up))
                }
                None => up.cloned(),
            })
        };
        Ok(Levels {
            depth,
            template: level("SegmentTemplate", p.template.as_ref())?,
            list: level("SegmentList", p.list.as_ref())?,
            base: level("SegmentBase", p.base.as_ref())?,
        })
    }
}

/// What the expansion needs to know about the Representation.
pub(super) struct RepCtx<'r> {
    pub location: &'r str,
    pub id: &'r str,
    pub bandwidth: u64,
    pub base: &'r Url,
    pub period_duration: Option<f64>,
}

/// Fills `track.timescale`, `init`, `index` and `segments` from the segment information in
/// force. The kind declared deepest wins (a Representation's SegmentList beats an inherited
/// SegmentTemplate); at the same depth SegmentTemplate, then SegmentList, then SegmentBase.
pub(super) fn fill(track: &mut Track, lv: &Levels, rep: &RepCtx, limits: &Limits) -> Result<()> {
    let depth = |a: &Option<SegAttrs>| a.as_ref().map(|x| x.declared_at);
    let deepest = [depth(&lv.template), depth(&lv.list), depth(&lv.base)]
        .into_iter()
        .flatten()
        .max();
    let wins = |a: &Option<SegAttrs>| deepest.is_some() && depth(a) == deepest;
    if let Some(t) = lv.template.as_ref().filter(|_| wins(&lv.template)) {
        from_template(track, t, rep, limits)
    } else if let Some(l) = lv.list.as_ref().filter(|_| wins(&lv.list)) {
        from_list(track, l, rep, limits)
    } else if let Some(b) = lv.base.as_ref().filter(|_| wins(&lv.base)) {
        from_base(track, b, rep)
    } else {
        // A bare BaseURL: the whole resource is one segment (§5.3.9.1, single-segment case).
        track.timescale = 1000;
        let duration = rep
            .period_duration
            .map(|d| (d * 1000.0).round() as u64)
            .unwrap_or(0);
        track.segments.push(SegmentRef {
            url: rep.base.clone(),
            byte_range: None,
            start: 0,
            duration,
            sequence: None,
            keys: None,
            init: None,
        });
        Ok(())
    }
}

fn period_ticks(rep: &RepCtx, timescale: u64, why: &str) -> Result<u64> {
    let d = rep.period_duration.ok_or_else(|| {
        Error::structure(
            rep.location,
            format!("{why} needs the period duration, but neither Period@duration nor MPD@mediaPresentationDuration says it"),
        )
    })?;
    let ticks = d * timescale as f64;
    if !ticks.is_finite() || ticks >= u64::MAX as f64 {
        return Err(Error::structure(
            rep.location,
            "period duration overflows the timescale",
        ));
    }
    Ok(ticks.round() as u64)
}

fn from_template(track: &mut Track, t: &SegAttrs, rep: &RepCtx, limits: &Limits) -> Result<()> {
    let ts = nonzero_timescale(t.timescale, rep)?;
    track.timescale = ts;
    let pto = t.pto.unwrap_or(0);
    track.presentation_time_offset = pto;
    let vars = |number: u64, time: u64| Vars {
        representation_id: rep.id,
        number,
        bandwidth: rep.bandwidth,
        time,
    };
    if let Some(init) = t.initialization {
        let tpl = Template::parse(init)?;
        track.init = Some(SegmentRef {
            url: resolve(rep.base, &tpl.render(&vars(0, 0)))?,
            byte_range: t.init_range,
            start: 0,
            duration: 0,
            sequence: None,
            keys: None,
            init: None,
        });
    }
    let media = t.media.ok_or_else(|| Error::MissingAttribute {
        element: "SegmentTemplate".into(),
        attribute: "media",
        hint: "a SegmentTemplate without @media names no segments; the MPD is incomplete",
    })?;
    let tpl = Template::parse(media)?;
    let first = t.start_number.unwrap_or(1);
    let entries = match t.timeline {
        Some(tl) => timeline(tl, pto, rep, ts, limits)?,
        None => {
            let d = t.duration.ok_or_else(|| {
                Error::structure(
                    rep.location,
                    "SegmentTemplate has neither SegmentTimeline nor @duration; add one of them",
                )
            })?;
            let mut entries =
                fixed_duration(d, rep, ts, limits, "a duration-based SegmentTemplate")?;
            if let Some(end) = t.end_number {
                let keep = end.saturating_sub(first).saturating_add(1);
                entries.truncate(usize::try_from(keep).unwrap_or(usize::MAX));
            }
            entries
                .iter_mut()
                .for_each(|e| e.0 = e.0.saturating_add(pto));
            entries
        }
    };
    if let Some((time, _)) = entries.first() {
        let one = resolve(rep.base, &tpl.render(&vars(first, *time)))?;
        // Later numbers and times are at most 20 digits longer per identifier.
        let per_url = one.as_str().len() as u128 + 40;
        check_url_bytes(per_url * entries.len() as u128, limits, rep.location)?;
    }
    track.segments.reserve(entries.len());
    for (i, (time, dur)) in entries.into_iter().enumerate() {
        let number = first.saturating_add(i as u64);
        track.segments.push(SegmentRef {
            url: resolve(rep.base, &tpl.render(&vars(number, time)))?,
            byte_range: None,
            start: time,
            duration: dur,
            sequence: None,
            keys: None,
            init: None,
        });
    }
    Ok(())
}

fn from_list(track: &mut Track, l: &SegAttrs, rep: &RepCtx, limits: &Limits) -> Result<()> {
    let ts = nonzero_timescale(l.timescale, rep)?;
    track.timescale = ts;
    let pto = l.pto.unwrap_or(0);
    track.presentation_time_offset = pto;
    if l.initialization.is_some() || l.init_range.is_some() {
        track.init = Some(SegmentRef {
            url: match l.initialization {
                Some(u) => resolve(rep.base, u)?,
                None => rep.base.clone(),
            },
            byte_range: l.init_range,
            start: 0,
            duration: 0,
            sequence: None,
            keys: None,
            init: None,
        });
    }
    let Some(list) = l.list else {
        return Err(Error::structure(rep.location, "SegmentList has no element"));
    };
    let urls: Vec<Node> = children(list, "SegmentURL").collect();
    if urls.len() > limits.max_segments_per_track {
        return Err(Error::TooManySegments {
            location: rep.location.to_owned(),
            limit: limits.max_segments_per_track,
        });
    }
    let times: Vec<(u64, u64)> = match (l.timeline, l.duration) {
        (Some(tl), _) => timeline(tl, pto, rep, ts, limits)?,
        (None, Some(d)) if d > 0 => (0..urls.len() as u64)
            .map(|i| (pto.saturating_add(i.saturating_mul(d)), d))
            .collect(),
        _ if urls.len() <= 1 => vec![(
            pto,
            period_ticks(rep, ts, "a one-entry SegmentList").unwrap_or(0),
        )],
        _ => {
            return Err(Error::structure(
                rep.location,
                "SegmentList with several SegmentURLs needs @duration or a SegmentTimeline",
            ));
        }
    };
    // Each URL is the base plus at most its own `media` text (which the document holds once).
    let media_text: usize = urls
        .iter()
        .filter_map(|u| attr(*u, "media"))
        .map(str::len)
        .sum();
    let estimate = urls.len() as u128 * rep.base.as_str().len() as u128 + media_text as u128;
    check_url_bytes(estimate, limits, rep.location)?;
    track.segments.reserve(urls.len());
    for (i, u) in urls.iter().enumerate() {
        let url = match attr(*u, "media") {
            Some(m) => resolve(rep.base, m)?,
            None => rep.base.clone(),
        };
        let (start, duration) = times.get(i).copied().unwrap_or((0, 0));
        track.segments.push(SegmentRef {
            url,
            byte_range: parse_range(*u, "mediaRange")?,
            start,
            duration,
            sequence: None,
            keys: None,
            init: None,
        });
    }
    Ok(())
}

fn from_base(track: &mut Track, b: &SegAttrs, rep: &RepCtx) -> Result<()> {
    track.timescale = nonzero_timescale(b.timescale, rep)?;
    track.presentation_time_offset = b.pto.unwrap_or(0);
    let index = b.index_range.ok_or_else(|| Error::MissingAttribute {
        element: "SegmentBase".into(),
        attribute: "indexRange",
        hint: "without it the segment index (sidx) cannot be located; the file would have to be fetched whole",
    })?;
    // On-demand profile files put the init segment first and the sidx right after it, so with no
    // Initialization@range the init segment is everything before the index.
    let init_range = b
        .init_range
        .or_else(|| (index.0 > 0).then(|| (0, index.0 - 1)));
    track.init = Some(SegmentRef {
        url: match b.initialization {
            Some(u) => resolve(rep.base, u)?,
            None => rep.base.clone(),
        },
        byte_range: init_range,
        start: 0,
        duration: 0,
        sequence: None,
        keys: None,
        init: None,
    });
    track.index = Some(SegmentRef {
        url: rep.base.clone(),
        byte_range: Some(index),
        start: 0,
        duration: 0,
        sequence: None,
        keys: None,
        init: None,
    });
    Ok(())
}

fn nonzero_timescale(ts: Option<u64>, rep: &RepCtx) -> Result<u64> {
    match ts.unwrap_or(1) {
        0 => Err(Error::structure(
            rep.location,
            "timescale is 0; it must be ticks per second (> 0)",
        )),
        t => Ok(t),
    }
}

/// `(time, duration)` for a duration-based template or list: as many segments of `d` ticks as
/// the period needs, the last one cut to the period end.
fn fixed_duration(
    d: u64,
    rep: &RepCtx,
    ts: u64,
    limits: &Limits,
    why: &str,
) -> Result<Vec<(u64, u64)>> {
    if d == 0 {
        return Err(Error::structure(rep.location, "segment @duration is 0"));
    }
    let total = period_ticks(rep, ts, why)?;
    let count = total.div_ceil(d);
    check_count(count as u128, rep, limits)?;
    Ok((0..count)
        .map(|i| {
            let start = i * d;
            (start, d.min(total - start))
        })
        .collect())
}

fn check_count(count: u128, rep: &RepCtx, limits: &Limits) -> Result<()> {
    if count > limits.max_segments_per_track as u128 {
        return Err(Error::TooManySegments {
            location: rep.location.to_owned(),
            limit: limits.max_segments_per_track,
        });
    }
    Ok(())
}

/// Expands a SegmentTimeline (§5.3.9.6): each `S` gives `t` (optional: continue from the last
/// end), `d`, and `r` repeats; `r="-1"` repeats up to the next `S@t` or the end of the period.
fn timeline(tl: Node, pto: u64, rep: &RepCtx, ts: u64, limits: &Limits) -> Result<Vec<(u64, u64)>> {
    let ss: Vec<Node> = children(tl, "S").collect();
    let mut out: Vec<(u64, u64)> = Vec::new();
    let mut cur: u64 = 0;
    for (i, s) in ss.iter().enumerate() {
        let t: Option<u64> = parse_attr(*s, "t")?;
        let d: u64 = parse_attr(*s, "d")?.ok_or_else(|| Error::MissingAttribute {
            element: "S".into(),
            attribute: "d",
            hint: "every SegmentTimeline entry needs a duration",
        })?;
        if d == 0 {
            return Err(Error::invalid(
                "S",
                "d",
                "0",
                "a segment duration of 0 never ends",
            ));
        }
        let r: i64 = parse_attr(*s, "r")?.unwrap_or(0);
        if let Some(t) = t {
            cur = t;
        }
        let count: u128 = if r >= 0 {
            r as u128 + 1
        } else if r == -1 {
            let end = match ss
                .get(i + 1)
                .map(|n| parse_attr::<u64>(*n, "t"))
                .transpose()?
                .flatten()
            {
                Some(next) => next,
                None => pto.saturating_add(period_ticks(rep, ts, "S@r=\"-1\"")?),
            };
            u128::from(end.saturating_sub(cur).div_ceil(d))
        } else {
            return Err(Error::invalid(
                "S",
                "r",
                &r.to_string(),
                "only -1 may be negative",
            ));
        };
        check_count(out.len() as u128 + count, rep, limits)?;
        for _ in 0..count {
            out.push((cur, d));
            cur = cur.checked_add(d).ok_or_else(|| {
                Error::structure(rep.location, "SegmentTimeline time overflows 64 bits")
            })?;
        }
    }
    Ok(out)
}

/// Media segments of a SegmentBase Representation from its `sidx` (ISO/IEC 14496-12 §8.16.3).
///
/// `url` is the Representation's resource, `index_range` the `indexRange` the sidx was read
/// from: reference offsets count from the first byte after the sidx box, i.e. after
/// `index_range.1` when the range holds exactly the sidx box.
/// MERGE: layover-media parses sidx; this takes its references (size, duration) list.
pub fn segments_from_sidx(
    url: &Url,
    index_range: (u64, u64),
    earliest_presentation_time: u64,
    first_offset: u64,
    references: &[SidxReference],
) -> Result<Vec<SegmentRef>> {
    let mut offset = index_range
        .1
        .checked_add(1)
        .and_then(|o| o.checked_add(first_offset))
        .ok_or_else(|| Error::Sidx("first_offset overflows 64 bits".into()))?;
    let mut time = earliest_presentation_time;
    let mut out = Vec::with_capacity(references.len());
    for (i, r) in references.iter().enumerate() {
        if r.reference_type {
            return Err(Error::Sidx(format!(
                "reference {i} points to another sidx (hierarchical index): use Track::apply_sidx_tree"
            )));
        }
        if r.referenced_size == 0 {
            return Err(Error::Sidx(format!("reference {i} has size 0")));
        }
        let last = offset
            .checked_add(u64::from(r.referenced_size) - 1)
            .ok_or_else(|| Error::Sidx("byte offsets overflow 64 bits".into()))?;
        out.push(SegmentRef {
            url: url.clone(),
            byte_range: Some((offset, last)),
            start: time,
            duration: u64::from(r.subsegment_duration),
            sequence: None,
            keys: None,
            init: None,
        });
        offset = last
            .checked_add(1)
            .ok_or_else(|| Error::Sidx("byte offsets overflow 64 bits".into()))?;
        time = time.saturating_add(u64::from(r.subsegment_duration));
    }
    Ok(out)
}

/// How deep `sidx` boxes may nest (a real hierarchy has 2 or 3 levels).
const MAX_SIDX_DEPTH: usize = 8;
/// Media segments one hierarchical index may list in total.
const MAX_SIDX_SEGMENTS: usize = 1_000_000;
/// Bytes asked for first at the start of a nested `sidx` (its box size then tells the rest).
const NESTED_SIDX_PROBE: u64 = 64 * 1024;

/// Walks one `sidx` (parsed from `box_bytes`, whose first media byte is at `after_box`),
/// descending into nested ones found in `nested` (by start offset) and noting the ranges
/// still to fetch in `missing`.
#[allow(clippy::too_many_arguments)]
fn walk_sidx(
    url: &Url,
    sidx: &Sidx,
    after_box: u64,
    timescale: u32,
    depth: usize,
    nested: &std::collections::HashMap<u64, Vec<u8>>,
    out: &mut Vec<SegmentRef>,
    missing: &mut Vec<(u64, u64)>,
) -> Result<()> {
    if sidx.timescale != timescale {
        return Err(Error::Sidx(format!(
            "a nested sidx has timescale {} but its parent {timescale}",
            sidx.timescale
        )));
    }
    let mut offset = after_box
        .checked_add(sidx.first_offset)
        .ok_or_else(|| Error::Sidx("first_offset overflows 64 bits".into()))?;
    let mut time = sidx.earliest_presentation_time;
    for (i, r) in sidx.references.iter().enumerate() {
        if r.referenced_size == 0 {
            return Err(Error::Sidx(format!("reference {i} has size 0")));
        }
        let last = offset
            .checked_add(u64::from(r.referenced_size) - 1)
            .ok_or_else(|| Error::Sidx("byte offsets overflow 64 bits".into()))?;
        if r.reference_type {
            if depth + 1 >= MAX_SIDX_DEPTH {
                return Err(Error::Sidx(format!(
                    "sidx boxes nest deeper than {MAX_SIDX_DEPTH} levels"
                )));
            }
            match nested.get(&offset) {
                None => missing.push((
                    offset,
                    last.min(offset.saturating_add(NESTED_SIDX_PROBE - 1)),
                )),
                Some(bytes) => {
                    let size = bytes
                        .get(..4)
                        .map(|b| u64::from(u32::from_be_bytes([b[0], b[1], b[2], b[3]])))
                        .ok_or_else(|| {
                            Error::Sidx(format!("reference {i} at byte {offset} is empty"))
                        })?;
                    if size > u64::from(r.referenced_size) {
                        return Err(Error::Sidx(format!(
                            "the sidx at byte {offset} ({size} bytes) is larger than the {} bytes that reference it",
                            r.referenced_size
                        )));
                    }
                    if size < 12 {
                        return Err(Error::Sidx(format!(
                            "reference {i} at byte {offset} is not a sidx box (size {size})"
                        )));
                    }
                    if (bytes.len() as u64) < size {
                        // size <= referenced_size, so this stays within `last`.
                        missing.push((offset, offset + (size - 1)));
                    } else {
                        let child = Sidx::parse(bytes).map_err(|e| {
                            Error::Sidx(format!("reference {i} at byte {offset}: {e}"))
                        })?;
                        let after_child = (offset + (size - 1))
                            .checked_add(1)
                            .ok_or_else(|| Error::Sidx("byte offsets overflow 64 bits".into()))?;
                        walk_sidx(
                            url,
                            &child,
                            after_child,
                            timescale,
                            depth + 1,
                            nested,
                            out,
                            missing,
                        )?;
                    }
                }
            }
        } else if missing.is_empty() {
            if out.len() >= MAX_SIDX_SEGMENTS {
                return Err(Error::Sidx(format!(
                    "the index lists more than {MAX_SIDX_SEGMENTS} segments"
                )));
            }
            out.push(SegmentRef {
                url: url.clone(),
                byte_range: Some((offset, last)),
                start: time,
                duration: u64::from(r.subsegment_duration),
                sequence: None,
                keys: None,
                init: None,
            });
        }
        offset = last
            .checked_add(1)
            .ok_or_else(|| Error::Sidx("byte offsets overflow 64 bits".into()))?;
        time = time.saturating_add(u64::from(r.subsegment_duration));
    }
    Ok(())
}

impl Track {
    /// Completes a SegmentBase track once its `sidx` bytes (the [`Track::index`] range) have
    /// been fetched: sets the timescale from the sidx and lists the media segments. A
    /// hierarchical index (references to further `sidx` boxes) is an error here; use
    /// [`Track::apply_sidx_tree`] to follow it.
    pub fn apply_sidx(&mut self, sidx_bytes: &[u8]) -> Result<()> {
        let missing = self.apply_sidx_tree(sidx_bytes, &std::collections::HashMap::new())?;
        match missing.first() {
            None => Ok(()),
            Some((start, _)) => Err(Error::Sidx(format!(
                "the index points to another sidx at byte {start} (hierarchical index): read it with apply_sidx_tree"
            ))),
        }
    }

    /// [`Track::apply_sidx`] for an index that may be hierarchical (ISO/IEC 14496-12
    /// §8.16.3: a reference of type 1 points at another `sidx`). `nested` holds the bytes
    /// fetched so far, keyed by their first byte's offset in the file. Returns the inclusive
    /// byte ranges still to fetch (then call again with them added to `nested`); when it
    /// returns none, the segments and timescale are set. A nested box is first asked for by
    /// at most 64 KiB; when its size says it is longer, its whole range is asked for next.
    pub fn apply_sidx_tree(
        &mut self,
        sidx_bytes: &[u8],
        nested: &std::collections::HashMap<u64, Vec<u8>>,
    ) -> Result<Vec<(u64, u64)>> {
        let index = self
            .index
            .as_ref()
            .ok_or_else(|| Error::Sidx(format!("track {:?} has no index range", self.id)))?;
        let range = index
            .byte_range
            .ok_or_else(|| Error::Sidx(format!("track {:?} index has no byte range", self.id)))?;
        let sidx = Sidx::parse(sidx_bytes)?;
        if sidx.timescale == 0 {
            return Err(Error::Sidx("timescale is 0".into()));
        }
        // As in `segments_from_sidx`: the top-level offsets count from the end of the range.
        let after = range
            .1
            .checked_add(1)
            .ok_or_else(|| Error::Sidx("first_offset overflows 64 bits".into()))?;
        let mut segments = Vec::with_capacity(sidx.references.len());
        let mut missing = Vec::new();
        walk_sidx(
            &index.url,
            &sidx,
            after,
            sidx.timescale,
            0,
            nested,
            &mut segments,
            &mut missing,
        )?;
        if missing.is_empty() {
            self.segments = segments;
            self.timescale = u64::from(sidx.timescale);
        }
        Ok(missing)
    }
}
