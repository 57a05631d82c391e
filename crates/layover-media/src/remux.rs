//! Reshaping clear fragmented MP4 so that Media Source Extensions can play it one track per
//! `SourceBuffer`, as a DASH player expects:
//!
//! - [`track_init`]: the init segment of one track of a multi-track file (`ftyp` + `moov`
//!   with that `trak` and its `trex` only);
//! - [`track_fragment`]: the part of one fragment (`moof` + `mdat`) that belongs to one
//!   track, with its own `mdat` and `trun` data offsets rewritten, every `uuid` box of the
//!   `traf` removed (Smooth's `tfxd`/`tfrf`, PIFF sample encryption) and a `tfdt` set to a
//!   given decode time (Smooth fragments and PIFF files usually carry none, and without it
//!   MSE places every fragment at 0).
//!
//! Input is clear media as [`crate::decrypt::Decryptor`] writes it, but any fragment is
//! read by the rules of ISO/IEC 14496-12 §8.8.7 (explicit base data offset, counted from the
//! start of `fragment`; `default-base-is-moof`; or the end of the previous `traf`'s data).

use crate::boxes::moof::tfdt::Tfdt;
use crate::boxes::moof::tfhd::{self, Tfhd};
use crate::boxes::moof::trun::{self, Trun};
use crate::boxes::moov::tkhd::Tkhd;
use crate::boxes::moov::trex::Trex;
use crate::boxes::{BoxCodec, Mp4Box, parse_all, parse_box, walk};
use crate::error::{Error, Result};
use crate::fourcc::{FourCc, types};

/// What a track's fragments fall back to when `tfhd` and `trun` say nothing (its `trex`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TrackDefaults {
    /// Default sample duration.
    pub sample_duration: u32,
    /// Default sample size.
    pub sample_size: u32,
}

impl TrackDefaults {
    /// The `trex` defaults of `track_id` in an init segment (zero when it has none).
    pub fn from_init(init: &[u8], track_id: u32) -> Result<Self> {
        let boxes = parse_all(init)?;
        Ok(boxes
            .iter()
            .filter(|b| b.box_type == types::MOOV)
            .filter_map(|m| m.child(types::MVEX))
            .flat_map(|mvex| mvex.children_of(types::TREX))
            .filter_map(|t| Trex::from_box(t).ok())
            .find(|t| t.track_id == track_id)
            .map(|t| TrackDefaults {
                sample_duration: t.default_sample_duration,
                sample_size: t.default_sample_size,
            })
            .unwrap_or_default())
    }
}

fn bad(box_type: FourCc, offset: u64, reason: impl Into<String>) -> Error {
    Error::Invalid {
        box_type,
        offset,
        reason: reason.into(),
    }
}

fn trak_id(trak: &Mp4Box) -> Option<u32> {
    trak.child(types::TKHD)
        .and_then(|t| Tkhd::from_box(t).ok())
        .map(|t| t.track_id)
}

/// The track IDs of an init segment's `moov`, in order.
pub fn track_ids(init: &[u8]) -> Result<Vec<u32>> {
    let boxes = parse_all(init)?;
    let moov = boxes
        .iter()
        .find(|b| b.box_type == types::MOOV)
        .ok_or_else(|| bad(types::MOOV, 0, "no 'moov' box: not an init segment"))?;
    Ok(moov.children_of(types::TRAK).filter_map(trak_id).collect())
}

/// The init segment of track `track_id` alone: `ftyp` (if any) and a `moov` holding only its
/// `trak` and `trex`; `uuid` and `pssh` boxes of the `moov` are dropped.
pub fn track_init(init: &[u8], track_id: u32) -> Result<Vec<u8>> {
    let boxes = parse_all(init)?;
    let mut out = Vec::new();
    let mut found = false;
    for b in boxes {
        if b.box_type == types::FTYP {
            out.push(b);
        } else if b.box_type == types::MOOV {
            let mut moov = b;
            if let Some(children) = moov.children_mut() {
                children.retain(|c| {
                    !(c.box_type == types::UUID
                        || c.box_type == types::PSSH
                        || (c.box_type == types::TRAK && trak_id(c) != Some(track_id)))
                });
                found = children
                    .iter()
                    .any(|c| c.box_type == types::TRAK && trak_id(c) == Some(track_id));
                for mvex in children.iter_mut().filter(|c| c.box_type == types::MVEX) {
                    mvex.remove_where(&mut |t| {
                        t.box_type == types::TREX
                            && Trex::from_box(t).map_or(true, |t| t.track_id != track_id)
                    });
                }
            }
            out.push(moov);
        } else if matches!(
            b.box_type,
            types::MOOF | types::MDAT | types::SIDX | types::MFRA
        ) {
            break;
        }
    }
    if !found {
        return Err(bad(
            types::MOOV,
            0,
            format!("the init segment has no track {track_id}"),
        ));
    }
    Ok(crate::boxes::write_all(&out))
}

/// One `traf` of the wanted track, read: its rebuilt boxes and its samples' bytes.
struct TrafPart {
    traf: Mp4Box,
    data: Vec<u8>,
    duration: u64,
}

/// Samples' total size and duration of a run, without walking phantom samples: a run with no
/// per-sample fields is `count` times the default.
fn run_totals(run: &Trun, size: u64, duration: u64) -> (u64, u64) {
    if run.samples.is_empty() {
        let n = u64::from(run.sample_count);
        return (n.saturating_mul(size), n.saturating_mul(duration));
    }
    run.samples.iter().fold((0u64, 0u64), |(s, d), x| {
        let xs = if run.flags & trun::SAMPLE_SIZE != 0 {
            u64::from(x.size)
        } else {
            size
        };
        let xd = if run.flags & trun::SAMPLE_DURATION != 0 {
            u64::from(x.duration)
        } else {
            duration
        };
        (s.saturating_add(xs), d.saturating_add(xd))
    })
}

/// The `traf`s of `track_id` in one `moof` starting at `moof_start` in `data`.
fn read_trafs(
    moof: &Mp4Box,
    moof_start: usize,
    data: &[u8],
    track_id: u32,
    defaults: TrackDefaults,
) -> Result<Vec<TrafPart>> {
    let mut parts = Vec::new();
    let mut prev_end = moof_start;
    for (ti, traf) in moof.children_of(types::TRAF).enumerate() {
        let tfhd = Tfhd::from_box(traf.require(types::TFHD)?)?;
        let base = match tfhd.base_data_offset {
            Some(abs) => usize::try_from(abs)
                .map_err(|_| bad(types::TFHD, traf.offset, "base data offset too large"))?,
            None if tfhd.flags & tfhd::DEFAULT_BASE_IS_MOOF != 0 || ti == 0 => moof_start,
            None => prev_end,
        };
        let size = u64::from(tfhd.default_sample_size.unwrap_or(defaults.sample_size));
        let dur = u64::from(
            tfhd.default_sample_duration
                .unwrap_or(defaults.sample_duration),
        );
        let mut pos = base;
        let mut bytes = Vec::new();
        let mut runs = Vec::new();
        let mut duration = 0u64;
        for (ri, t) in traf.children_of(types::TRUN).enumerate() {
            let run = Trun::from_box(t)?;
            let start = match run.data_offset {
                Some(d) => usize::try_from(base as i64 + i64::from(d)).map_err(|_| {
                    bad(
                        types::TRUN,
                        t.offset,
                        format!("data offset {d} points before the fragment"),
                    )
                })?,
                None if ri == 0 => base,
                None => pos,
            };
            let (len, d) = run_totals(&run, size, dur);
            let end = usize::try_from(len)
                .ok()
                .and_then(|l| start.checked_add(l))
                .filter(|e| *e <= data.len())
                .ok_or_else(|| {
                    bad(
                        types::TRUN,
                        t.offset,
                        format!(
                            "the samples of track {} ({len} bytes at {start}) are outside the fragment",
                            tfhd.track_id
                        ),
                    )
                })?;
            if tfhd.track_id == track_id {
                runs.push((run, bytes.len()));
                bytes.extend_from_slice(&data[start..end]);
                duration = duration.saturating_add(d);
            }
            pos = end;
        }
        prev_end = pos;
        if tfhd.track_id != track_id {
            continue;
        }
        let mut out_tfhd = tfhd;
        out_tfhd.base_data_offset = None;
        out_tfhd.flags |= tfhd::DEFAULT_BASE_IS_MOOF;
        let mut children = vec![
            out_tfhd.to_box(),
            Tfdt {
                version: 1,
                base_media_decode_time: 0,
            }
            .to_box(),
        ];
        let mut runs_iter = runs.into_iter();
        for c in traf.children() {
            if c.box_type == types::TRUN {
                if let Some((mut run, at)) = runs_iter.next() {
                    // The offset into this part's data, until the moof's size is known.
                    run.data_offset = Some(i32::try_from(at).map_err(|_| {
                        bad(
                            types::TRUN,
                            c.offset,
                            "a run's data does not fit 32-bit offsets",
                        )
                    })?);
                    run.flags |= trun::DATA_OFFSET;
                    children.push(run.to_box());
                }
            } else if !matches!(c.box_type, types::TFHD | types::TFDT | types::UUID) {
                children.push(c.clone());
            }
        }
        parts.push(TrafPart {
            traf: Mp4Box::container(types::TRAF, children),
            data: bytes,
            duration,
        });
    }
    Ok(parts)
}

/// The part of `fragment` (clear; one or more `moof` + `mdat`, with anything else around
/// them) that belongs to track `track_id`, as one `moof` + `mdat` per input `moof`, the first
/// decoding at `decode_time` (in the track's timescale) and each next one after the previous
/// one's samples. `None` when no `moof` has a `traf` for the track.
pub fn track_fragment(
    fragment: &[u8],
    track_id: u32,
    decode_time: u64,
    defaults: TrackDefaults,
) -> Result<Option<Vec<u8>>> {
    let mut out = Vec::new();
    let mut time = decode_time;
    let mut any = false;
    for b in walk(fragment, 0, FourCc::default()) {
        let b = b?;
        if b.header.box_type != types::MOOF {
            continue;
        }
        let moof = parse_box(&b)?;
        let moof_start = usize::try_from(b.header.offset)
            .map_err(|_| bad(types::MOOF, b.header.offset, "offset too large"))?;
        let parts = read_trafs(&moof, moof_start, fragment, track_id, defaults)?;
        if parts.is_empty() {
            continue;
        }
        any = true;
        let mut children: Vec<Mp4Box> = moof
            .children()
            .iter()
            .filter(|c| c.box_type == types::MFHD)
            .cloned()
            .collect();
        let mut data = Vec::new();
        let mut starts = Vec::new();
        for p in parts {
            let mut traf = p.traf;
            if let Some(c) = traf.children_mut() {
                for x in c.iter_mut().filter(|x| x.box_type == types::TFDT) {
                    *x = Tfdt {
                        version: 1,
                        base_media_decode_time: time,
                    }
                    .to_box();
                }
            }
            time = time.saturating_add(p.duration);
            starts.push(data.len());
            data.extend_from_slice(&p.data);
            children.push(traf);
        }
        let mut new_moof = Mp4Box::container(types::MOOF, children);
        // Sample data follows the moof and the mdat header.
        let head = new_moof.size()
            + if data.len() as u64 + 8 > u64::from(u32::MAX) {
                16
            } else {
                8
            };
        let mut traf_i = 0;
        if let Some(c) = new_moof.children_mut() {
            for traf in c.iter_mut().filter(|x| x.box_type == types::TRAF) {
                let at = starts[traf_i];
                traf_i += 1;
                if let Some(tc) = traf.children_mut() {
                    for r in tc.iter_mut().filter(|x| x.box_type == types::TRUN) {
                        let mut run = Trun::from_box(r)?;
                        let within = run.data_offset.unwrap_or(0) as u64;
                        let off = head + at as u64 + within;
                        run.data_offset = Some(i32::try_from(off).map_err(|_| {
                            bad(
                                types::TRUN,
                                0,
                                "a fragment too large for 32-bit data offsets",
                            )
                        })?);
                        *r = run.to_box();
                    }
                }
            }
        }
        new_moof.write(&mut out);
        let mut mdat = Mp4Box::raw(types::MDAT, data);
        mdat.large_size = head - new_moof.size() == 16;
        mdat.write(&mut out);
    }
    Ok(any.then_some(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn tfhd(track_id: u32, flags: u32) -> Mp4Box {
        Tfhd {
            flags,
            track_id,
            ..Tfhd::default()
        }
        .to_box()
    }

    fn trun(sizes: &[u32], durations: u32, data_offset: Option<i32>) -> Mp4Box {
        Trun {
            version: 0,
            flags: trun::SAMPLE_SIZE
                | trun::SAMPLE_DURATION
                | if data_offset.is_some() {
                    trun::DATA_OFFSET
                } else {
                    0
                },
            data_offset,
            first_sample_flags: None,
            sample_count: sizes.len() as u32,
            samples: sizes
                .iter()
                .map(|s| trun::TrunSample {
                    size: *s,
                    duration: durations,
                    ..Default::default()
                })
                .collect(),
        }
        .to_box()
    }

    fn uuid(tag: u8) -> Mp4Box {
        let mut b = Mp4Box::raw(types::UUID, vec![0, 0, 0, 0, 1, 2, 3, 4]);
        b.user_type = Some([tag; 16]);
        b
    }

    /// A fragment with tracks 1 and 2 interleaved (1's bytes are 0x11, 2's are 0x22), the
    /// second traf continuing from the first one's data.
    fn muxed() -> Vec<u8> {
        let mfhd = Mp4Box::raw(types::MFHD, vec![0, 0, 0, 0, 0, 0, 0, 7]);
        let build = |off1: i32| {
            Mp4Box::container(
                types::MOOF,
                vec![
                    mfhd.clone(),
                    Mp4Box::container(
                        types::TRAF,
                        vec![tfhd(1, 0), trun(&[3, 2], 10, Some(off1)), uuid(1)],
                    ),
                    Mp4Box::container(types::TRAF, vec![tfhd(2, 0), trun(&[4], 20, None), uuid(2)]),
                ],
            )
        };
        let size = build(0).size() as i32;
        let moof = build(size + 8);
        let mut data = vec![0x11; 5];
        data.extend_from_slice(&[0x22; 4]);
        let mut out = moof.to_bytes();
        Mp4Box::raw(types::MDAT, data).write(&mut out);
        out
    }

    fn samples_of(out: &[u8]) -> (Vec<u8>, u64, usize) {
        let tree = parse_all(out).expect("parses");
        let moof = &tree[0];
        let traf = moof.child(types::TRAF).expect("traf");
        let tfdt = Tfdt::from_box(traf.child(types::TFDT).expect("tfdt")).expect("tfdt");
        let run = Trun::from_box(traf.child(types::TRUN).expect("trun")).expect("trun");
        let start = run.data_offset.expect("offset") as usize;
        let len: u32 = run.samples.iter().map(|s| s.size).sum();
        let uuids = traf.children_of(types::UUID).count();
        (
            out[start..start + len as usize].to_vec(),
            tfdt.base_media_decode_time,
            uuids,
        )
    }

    #[test]
    fn splits_a_muxed_fragment_per_track_with_a_decode_time() {
        let f = muxed();
        let one = track_fragment(&f, 1, 900, TrackDefaults::default())
            .expect("ok")
            .expect("track 1");
        assert_eq!(samples_of(&one), (vec![0x11; 5], 900, 0));
        let two = track_fragment(&f, 2, 5, TrackDefaults::default())
            .expect("ok")
            .expect("track 2");
        assert_eq!(samples_of(&two), (vec![0x22; 4], 5, 0));
        assert_eq!(
            track_fragment(&f, 3, 0, TrackDefaults::default()).expect("ok"),
            None
        );
    }

    #[test]
    fn samples_outside_the_fragment_are_an_error() {
        let mut f = muxed();
        f.truncate(f.len() - 2);
        // The mdat header now claims more than there is: walk refuses, or the run does.
        assert!(track_fragment(&f, 2, 0, TrackDefaults::default()).is_err());
    }

    #[test]
    fn a_track_init_keeps_one_trak_and_trex() {
        let trak = |id: u32| {
            Mp4Box::container(
                types::TRAK,
                vec![
                    Tkhd {
                        version: 0,
                        flags: 3,
                        creation_time: 0,
                        modification_time: 0,
                        track_id: id,
                        duration: 0,
                        layer: 0,
                        alternate_group: 0,
                        volume: 0,
                        matrix: [0; 9],
                        width: 0,
                        height: 0,
                    }
                    .to_box(),
                ],
            )
        };
        let trex = |id: u32| {
            Trex {
                track_id: id,
                default_sample_description_index: 1,
                default_sample_duration: id * 10,
                default_sample_size: 0,
                default_sample_flags: 0,
            }
            .to_box()
        };
        let moov = Mp4Box::container(
            types::MOOV,
            vec![
                trak(1),
                trak(2),
                uuid(9),
                Mp4Box::container(types::MVEX, vec![trex(1), trex(2)]),
            ],
        );
        let init = moov.to_bytes();
        assert_eq!(track_ids(&init).expect("ids"), vec![1, 2]);
        let two = track_init(&init, 2).expect("track 2");
        assert_eq!(track_ids(&two).expect("ids"), vec![2]);
        assert_eq!(
            TrackDefaults::from_init(&two, 2)
                .expect("defaults")
                .sample_duration,
            20
        );
        assert!(!two.windows(4).any(|w| w == b"uuid"));
        assert!(track_init(&init, 3).is_err());
    }

    proptest! {
        #[test]
        fn never_panics_on_arbitrary_bytes(data in proptest::collection::vec(any::<u8>(), 0..512), id in 0u32..4, t in any::<u64>()) {
            let _ = track_fragment(&data, id, t, TrackDefaults { sample_duration: 1, sample_size: 1 });
            let _ = track_init(&data, id);
            let _ = track_ids(&data);
        }

        #[test]
        fn never_panics_on_mutated_fragments(at in 0usize..200, byte in any::<u8>(), id in 1u32..3) {
            let mut f = muxed();
            let i = at % f.len();
            f[i] = byte;
            let _ = track_fragment(&f, id, 0, TrackDefaults::default());
        }
    }
}
