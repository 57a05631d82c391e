//! Decrypting one movie fragment (`moof` + `mdat`, with any `styp`/`sidx`/`emsg` around
//! them) into its clear form.
//!
//! Sample positions follow ISO/IEC 14496-12 §8.8.7-§8.8.8: a `trun`'s data offset is
//! relative to the base data offset, which is the explicit `tfhd` value, the `moof` start
//! (`default-base-is-moof`, or the first `traf` without either), or the end of the previous
//! `traf`'s data. The output always uses `default-base-is-moof` with explicit data offsets,
//! recomputed after the protection boxes are removed.

use std::collections::BTreeMap;

use super::cipher::{SampleKey, Scheme, decrypt_sample, full_iv};
use super::file::rewritten_sidx;
use super::init::is_seig_group;
use super::params::{SampleParams, seig_for};
use super::track::TrackInfo;
use crate::boxes::moof::saio::Saio;
use crate::boxes::moof::saiz::Saiz;
use crate::boxes::moof::sample_group::{GroupLookup, Sbgp, SeigEntry, Sgpd};
use crate::boxes::moof::senc::{AuxReader, Senc, USE_SUBSAMPLES};
use crate::boxes::moof::tfhd::{self, Tfhd};
use crate::boxes::moof::trun::{self, Trun};
use crate::boxes::protection::piff::{self, PiffSampleEncryption};
use crate::boxes::{BoxCodec, BoxHeader, Mp4Box, parse_box, walk};
use crate::decrypt::keys::KeyStore;
use crate::error::{Error, Result};
use crate::fourcc::{FourCc, types};
use crate::kid::Kid;

/// Zero-byte samples allowed per fragment beyond one per byte of input: samples with data
/// are bounded by the input size, and empty ones (rare: empty text cues) need some room.
const EMPTY_SAMPLE_ALLOWANCE: u64 = 1 << 16;

/// Expanded keys by KID, filled as KIDs are met.
#[derive(Default, Clone)]
pub(crate) struct KeyCache(BTreeMap<Kid, SampleKey>);

impl KeyCache {
    pub(crate) fn get(&mut self, keys: &KeyStore, kid: &Kid) -> Result<&SampleKey> {
        if !self.0.contains_key(kid) {
            let k = keys.require(kid)?;
            self.0.insert(*kid, SampleKey::new(&k.0));
        }
        self.0.get(kid).ok_or(Error::MissingKey { kid: *kid })
    }
}

/// Per-`traf` encryption state.
struct TrafCrypto<'a> {
    entry: Option<SampleParams>,
    sbgp: Option<(u64, GroupLookup)>,
    fragment_seig: Vec<SeigEntry>,
    track_seig: &'a [SeigEntry],
    aux: Option<AuxReader<'a>>,
}

impl TrafCrypto<'_> {
    fn params(&self, sample: u64) -> Result<Option<SampleParams>> {
        let Some(base) = &self.entry else {
            return Ok(None);
        };
        let (at, index) = self
            .sbgp
            .as_ref()
            .map_or((0, 0), |(at, s)| (*at, s.index_of_sample(sample)));
        Ok(Some(
            match seig_for(at, index, &self.fragment_seig, self.track_seig)? {
                Some(s) => base.clone().with_seig(s),
                None => base.clone(),
            },
        ))
    }
}

fn bad(box_type: FourCc, offset: u64, reason: String) -> Error {
    Error::Invalid {
        box_type,
        offset,
        reason,
    }
}

/// A `traf` after decryption: its new header boxes and where its runs' data starts.
struct TrafPlan {
    tfhd: Tfhd,
    truns: Vec<Trun>,
    /// Input position of each run's first sample.
    run_starts: Vec<usize>,
}

struct MoofPlan {
    top_index: usize,
    tree: Mp4Box,
    trafs: Vec<TrafPlan>,
}

/// One piece of a clear fragment: new bytes (a rebuilt `moof` or `sidx`), or a range of
/// the (decrypted in place) input.
#[derive(Debug, Clone)]
pub(crate) enum Piece {
    Bytes(Vec<u8>),
    Input(usize, usize),
}

/// Decrypts `input` (one fragment, starting at absolute file offset `file_offset`).
pub(crate) fn decrypt_fragment(
    input: &[u8],
    file_offset: u64,
    tracks: &BTreeMap<u32, TrackInfo>,
    keys: &KeyStore,
    cache: &mut KeyCache,
) -> Result<Vec<u8>> {
    let mut data = input.to_vec();
    let pieces = decrypt_in_place(&mut data, file_offset, tracks, keys, cache)?;
    Ok(assemble(&data, &pieces))
}

/// The clear fragment as one buffer.
pub(crate) fn assemble(data: &[u8], pieces: &[Piece]) -> Vec<u8> {
    let mut out = Vec::with_capacity(pieces_len(pieces) as usize);
    for p in pieces {
        match p {
            Piece::Bytes(b) => out.extend_from_slice(b),
            Piece::Input(s, e) => out.extend_from_slice(&data[*s..*e]),
        }
    }
    out
}

/// Total length of the pieces.
pub(crate) fn pieces_len(pieces: &[Piece]) -> u64 {
    pieces
        .iter()
        .map(|p| match p {
            Piece::Bytes(b) => b.len() as u64,
            Piece::Input(s, e) => (e - s) as u64,
        })
        .sum()
}

/// Decrypts the samples of `data` (one fragment) in place and returns the clear fragment
/// as pieces: rebuilt `moof`s (and `sidx`s) plus ranges of `data` copied as they are.
pub(crate) fn decrypt_in_place(
    data: &mut [u8],
    file_offset: u64,
    tracks: &BTreeMap<u32, TrackInfo>,
    keys: &KeyStore,
    cache: &mut KeyCache,
) -> Result<Vec<Piece>> {
    let tops: Vec<BoxHeader> = walk(data, 0, FourCc::default())
        .map(|b| b.map(|b| b.header))
        .collect::<Result<_>>()?;
    let input_len = data.len();
    let mut plans = Vec::new();
    let mut budget = data.len() as u64 + EMPTY_SAMPLE_ALLOWANCE;
    for (i, h) in tops.iter().enumerate() {
        if h.box_type == types::MOOF {
            plans.push(plan_moof(
                i,
                h,
                data,
                file_offset,
                tracks,
                keys,
                cache,
                &mut budget,
            )?);
        }
    }

    // Output sizes with placeholder data offsets (their size does not depend on the value).
    let mut sizes: Vec<u64> = tops.iter().map(|h| h.size).collect();
    for p in &plans {
        sizes[p.top_index] = rebuild_moof(p).size();
    }
    let mut out_start = Vec::with_capacity(tops.len());
    let mut acc = 0u64;
    for s in &sizes {
        out_start.push(acc);
        acc += s;
    }
    let new_pos = |p: usize| -> Result<u64> {
        // Boxes are in offset order: binary search keeps hostile fragments with many runs
        // and many boxes linear-logarithmic.
        let i = tops
            .partition_point(|h| h.offset as usize <= p)
            .checked_sub(1)
            .ok_or_else(|| {
                bad(
                    types::TRUN,
                    p as u64,
                    "sample data before the first box".into(),
                )
            })?;
        if tops[i].box_type == types::MOOF {
            return Err(bad(
                types::TRUN,
                p as u64 + file_offset,
                "sample data inside a 'moof'".into(),
            ));
        }
        Ok(out_start[i] + (p as u64 - tops[i].offset))
    };
    for p in &mut plans {
        let moof_out = out_start[p.top_index];
        for t in &mut p.trafs {
            for (run, &start) in t.truns.iter_mut().zip(&t.run_starts) {
                let off = new_pos(start)? as i64 - moof_out as i64;
                run.data_offset = Some(i32::try_from(off).map_err(|_| {
                    bad(
                        types::TRUN,
                        start as u64,
                        format!("data offset {off} does not fit 32 bits"),
                    )
                })?);
            }
        }
    }

    // A segment's own `sidx` (DASH `styp`+`sidx`+`moof`+`mdat`) indexes sizes that just
    // changed; rewrite it through the same position map.
    let map: BTreeMap<u64, u64> = if tops.iter().any(|h| h.box_type == types::SIDX) {
        let mut m: BTreeMap<u64, u64> = tops
            .iter()
            .zip(&out_start)
            .map(|(h, o)| (h.offset, *o))
            .collect();
        m.insert(input_len as u64, acc);
        m
    } else {
        BTreeMap::new()
    };
    let mut pieces = Vec::with_capacity(tops.len());
    let mut plan_iter = plans.iter().peekable();
    for (i, h) in tops.iter().enumerate() {
        let start = h.offset as usize;
        let end = start + h.size as usize;
        if plan_iter.peek().is_some_and(|p| p.top_index == i) {
            if let Some(p) = plan_iter.next() {
                pieces.push(Piece::Bytes(rebuild_moof(p).to_bytes()));
            }
        } else if h.box_type == types::SIDX
            && let Some(Ok(b)) = walk(&data[start..end], h.offset, FourCc::default()).next()
            && let Some(bytes) = rewritten_sidx(&b, out_start[i], &map)
        {
            pieces.push(Piece::Bytes(bytes));
        } else {
            pieces.push(Piece::Input(start, end));
        }
    }
    Ok(pieces)
}

/// True for boxes inside `traf` that only describe encryption.
fn is_traf_protection_box(b: &Mp4Box) -> bool {
    b.box_type == types::SENC
        || b.box_type == types::SAIZ
        || b.box_type == types::SAIO
        || piff::is_uuid(b, &piff::SAMPLE_ENCRYPTION)
        || is_seig_group(b)
}

fn rebuild_moof(p: &MoofPlan) -> Mp4Box {
    let mut moof = p.tree.clone();
    let mut plans = p.trafs.iter();
    if let Some(children) = moof.children_mut() {
        for traf in children.iter_mut().filter(|b| b.box_type == types::TRAF) {
            let Some(plan) = plans.next() else { break };
            let mut runs = plan.truns.iter();
            if let Some(c) = traf.children_mut() {
                c.retain(|b| !is_traf_protection_box(b));
                for b in c.iter_mut() {
                    if b.box_type == types::TFHD {
                        *b = plan.tfhd.to_box();
                    } else if b.box_type == types::TRUN
                        && let Some(r) = runs.next()
                    {
                        *b = r.to_box();
                    }
                }
            }
        }
    }
    moof
}

#[allow(clippy::too_many_arguments)]
fn plan_moof(
    top_index: usize,
    h: &BoxHeader,
    data: &mut [u8],
    file_offset: u64,
    tracks: &BTreeMap<u32, TrackInfo>,
    keys: &KeyStore,
    cache: &mut KeyCache,
    budget: &mut u64,
) -> Result<MoofPlan> {
    let moof_start = h.offset as usize;
    let tree = {
        let moof_bytes = &data[moof_start..moof_start + h.size as usize];
        let b = walk(moof_bytes, h.offset, FourCc::default())
            .next()
            .ok_or_else(|| bad(types::MOOF, h.offset, "empty 'moof'".into()))??;
        parse_box(&b)?
    };
    let mut prev_traf_end = moof_start;
    let mut trafs = Vec::new();
    for (ti, traf) in tree.children_of(types::TRAF).enumerate() {
        let tfhd = Tfhd::from_box(traf.require(types::TFHD)?)?;
        let fallback = TrackInfo::default();
        let track = tracks.get(&tfhd.track_id).unwrap_or(&fallback);
        let base = match tfhd.base_data_offset {
            Some(abs) => usize::try_from(abs.checked_sub(file_offset).ok_or_else(|| {
                bad(
                    types::TFHD,
                    abs,
                    format!("base data offset {abs} is before this fragment"),
                )
            })?)
            .map_err(|_| bad(types::TFHD, abs, "base data offset too large".into()))?,
            None if tfhd.flags & tfhd::DEFAULT_BASE_IS_MOOF != 0 || ti == 0 => moof_start,
            None => prev_traf_end,
        };
        let sdi = tfhd
            .sample_description_index
            .unwrap_or(track.trex.default_sample_description_index);
        let entry = sdi
            .checked_sub(1)
            .and_then(|i| track.entries.get(i as usize))
            .and_then(Option::as_ref);

        // Encryption state for this traf.
        let mut sbgp = None;
        let mut fragment_seig = Vec::new();
        let mut senc: Option<Senc> = None;
        let mut piff_se: Option<PiffSampleEncryption> = None;
        for c in traf.children() {
            if c.box_type == types::SBGP && is_seig_group(c) {
                sbgp = Some((c.offset, GroupLookup::new(&Sbgp::from_box(c)?)));
            } else if c.box_type == types::SGPD && is_seig_group(c) {
                fragment_seig = Sgpd::from_box(c)?.seig_entries()?;
            } else if c.box_type == types::SENC {
                senc = Some(Senc::from_box(c)?);
            } else if let Some(p) = piff::read::<PiffSampleEncryption>(c, &piff::SAMPLE_ENCRYPTION)
            {
                piff_se = Some(p?);
            }
        }
        let mut entry_params = entry.map(SampleParams::from_entry);
        if let (Some(p), Some(o)) = (
            &mut entry_params,
            piff_se.as_ref().and_then(|s| s.override_params.as_ref()),
        ) {
            *p = p.clone().with_piff_override(o)?;
        }
        // Prefer `senc`; the PIFF box carries the same data for PIFF files; without either,
        // follow `saiz`/`saio` to the auxiliary information (ISO/IEC 23001-7 §7.1).
        let senc_data = match senc.or_else(|| piff_se.map(|p| p.senc)) {
            Some(s) => Some(s),
            None => senc_from_saio(traf, base, data, file_offset, entry_params.as_ref())?,
        };
        let aux_box_type = if traf.child(types::SENC).is_some() {
            types::SENC
        } else if traf
            .children()
            .iter()
            .any(|b| piff::is_uuid(b, &piff::SAMPLE_ENCRYPTION))
        {
            types::UUID
        } else {
            types::SAIO
        };
        let crypto = TrafCrypto {
            entry: entry_params,
            sbgp,
            fragment_seig,
            track_seig: &track.seig,
            aux: senc_data.as_ref().map(|s| s.reader(aux_box_type)),
        };
        let mut crypto = crypto;

        let mut truns = Vec::new();
        let mut run_starts = Vec::new();
        let mut pos = base;
        let mut sample_index = 0u64;
        for (ri, t) in traf.children_of(types::TRUN).enumerate() {
            let mut run = Trun::from_box(t)?;
            let start = match run.data_offset {
                Some(d) => usize::try_from(base as i64 + i64::from(d)).map_err(|_| {
                    bad(
                        types::TRUN,
                        t.offset,
                        format!("data offset {d} points before the buffer"),
                    )
                })?,
                None if ri == 0 => base,
                None => pos,
            };
            pos = start;
            for i in 0..run.sample_count as usize {
                // A run without per-sample fields can claim billions of samples in 20
                // bytes; a fragment cannot hold more samples than bytes (plus a few empty
                // ones), so bound the work it can ask for.
                *budget = budget.checked_sub(1).ok_or_else(|| {
                    bad(
                        types::TRUN,
                        t.offset,
                        "more samples than the fragment has bytes".into(),
                    )
                })?;
                let size = if run.flags & trun::SAMPLE_SIZE != 0 {
                    run.sample(i).size
                } else {
                    tfhd.default_sample_size
                        .unwrap_or(track.trex.default_sample_size)
                } as usize;
                let end = pos.checked_add(size).filter(|e| *e <= data.len()).ok_or_else(|| {
                    bad(
                        types::TRUN,
                        t.offset,
                        format!(
                            "sample {sample_index} of track {} ({size} bytes at {}) is outside the fragment",
                            tfhd.track_id,
                            pos as u64 + file_offset
                        ),
                    )
                })?;
                decrypt_one(
                    &mut crypto,
                    sample_index,
                    &mut data[pos..end],
                    keys,
                    cache,
                    tfhd.track_id,
                )?;
                pos = end;
                sample_index += 1;
            }
            run.data_offset = Some(0);
            truns.push(run);
            run_starts.push(start);
        }
        prev_traf_end = pos;
        let mut out_tfhd = tfhd;
        out_tfhd.base_data_offset = None;
        out_tfhd.flags |= tfhd::DEFAULT_BASE_IS_MOOF;
        trafs.push(TrafPlan {
            tfhd: out_tfhd,
            truns,
            run_starts,
        });
    }
    Ok(MoofPlan {
        top_index,
        tree,
        trafs,
    })
}

/// Builds `senc`-shaped entries from the bytes `saiz`/`saio` point at. In a fragment the
/// `saio` offset is relative to the traf's base data offset (ISO/IEC 14496-12 §8.7.9.3), and
/// all samples' information is contiguous when there is a single offset, as CENC requires.
fn senc_from_saio(
    traf: &Mp4Box,
    base: usize,
    data: &[u8],
    file_offset: u64,
    entry: Option<&SampleParams>,
) -> Result<Option<Senc>> {
    let (Some(saiz), Some(saio)) = (traf.child(types::SAIZ), traf.child(types::SAIO)) else {
        return Ok(None);
    };
    let saiz = Saiz::from_box(saiz)?;
    let saio_box = saio;
    let saio = Saio::from_box(saio)?;
    if saiz
        .aux_info
        .is_some_and(|(t, _)| Scheme::from_fourcc(t).is_none() && t != types::PIFF)
    {
        return Ok(None);
    }
    // Bytes of information for `count` samples from `first` (bounded by the table's own
    // length, so a hostile count cannot make this loop long).
    let info_len = |first: usize, count: usize| -> usize {
        if saiz.default_sample_info_size != 0 {
            usize::from(saiz.default_sample_info_size).saturating_mul(count)
        } else {
            let n = saiz.sample_sizes.len();
            let end = first.saturating_add(count).min(n);
            saiz.sample_sizes[first.min(n)..end]
                .iter()
                .map(|s| usize::from(*s))
                .sum()
        }
    };
    let total = info_len(0, saiz.sample_count as usize);
    // One offset: all samples' information is contiguous. Several: one per `trun`, each
    // run's information contiguous at its own offset (ISO/IEC 14496-12 §8.7.9).
    let runs: Vec<usize> = match saio.offsets.len() {
        0 => return Ok(None),
        1 => vec![saiz.sample_count as usize],
        n => {
            let counts = traf
                .children_of(types::TRUN)
                .map(|t| Trun::from_box(t).map(|r| r.sample_count as usize))
                .collect::<Result<Vec<_>>>()?;
            if counts.len() != n {
                return Err(bad(
                    types::SAIO,
                    saio_box.offset,
                    format!(
                        "{n} offsets for {} 'trun' boxes (one, or one per run, expected)",
                        counts.len()
                    ),
                ));
            }
            counts
        }
    };
    let mut entries = Vec::with_capacity(total.min(data.len()));
    let mut sample = 0usize;
    let mut first_start = None;
    for (&offset, &count) in saio.offsets.iter().zip(&runs) {
        let len = info_len(sample, count);
        let start = usize::try_from(offset)
            .ok()
            .and_then(|o| base.checked_add(o))
            .filter(|s| s.checked_add(len).is_some_and(|e| e <= data.len()))
            .ok_or_else(|| {
                bad(
                    types::SAIO,
                    saio_box.offset,
                    format!(
                        "auxiliary information at {} is outside the fragment",
                        offset.saturating_add(file_offset)
                    ),
                )
            })?;
        first_start.get_or_insert(start);
        entries.extend_from_slice(&data[start..start + len]);
        sample = sample.saturating_add(count);
    }
    // The entries carry subsample maps when any is longer than the IV alone.
    let iv = usize::from(entry.map_or(0, |e| e.iv_size));
    let longer = if saiz.default_sample_info_size != 0 {
        usize::from(saiz.default_sample_info_size) > iv
    } else {
        saiz.sample_sizes.iter().any(|s| usize::from(*s) > iv)
    };
    Ok(Some(Senc {
        version: 0,
        flags: if longer { USE_SUBSAMPLES } else { 0 },
        sample_count: saiz.sample_count,
        entries,
        entries_offset: first_start.unwrap_or(base) as u64 + file_offset,
    }))
}

fn decrypt_one(
    crypto: &mut TrafCrypto<'_>,
    sample_index: u64,
    sample: &mut [u8],
    keys: &KeyStore,
    cache: &mut KeyCache,
    track_id: u32,
) -> Result<()> {
    let Some(params) = crypto.params(sample_index)? else {
        return Ok(());
    };
    // Every sample of the fragment has an entry, protected or not (ISO/IEC 23001-7 §7.2).
    let aux = match crypto.aux.as_mut() {
        Some(r) if r.left() > 0 => Some(r.next(params.iv_size)?),
        _ => None,
    };
    if !params.protected {
        return Ok(());
    }
    // With a constant IV and no subsamples a sample needs no auxiliary information at all,
    // and Shaka Packager writes none (`cbcs` audio): the whole sample is protected.
    let aux = match aux {
        None if params.iv_size == 0 && params.constant_iv.is_some() => Some(Default::default()),
        a => a,
    };
    let Some(aux) = aux else {
        return Err(Error::MissingBox {
            parent: types::TRAF,
            child: types::SENC,
            context: format!(" for protected sample {sample_index} of track {track_id}"),
        });
    };
    let iv = if params.iv_size > 0 {
        full_iv(&aux.iv)?
    } else {
        let c = params.constant_iv.as_deref().ok_or_else(|| {
            Error::Unsupported(format!(
                "track {track_id} sample {sample_index}: no per-sample IV and no constant IV"
            ))
        })?;
        full_iv(c)?
    };
    let key = cache.get(keys, &params.kid)?;
    decrypt_sample(
        sample,
        key,
        params.scheme,
        &iv,
        params.pattern,
        &aux.subsamples,
    )
    .map_err(|e| match e {
        Error::Unsupported(m) => {
            Error::Unsupported(format!("track {track_id} sample {sample_index}: {m}"))
        }
        e => e,
    })
}
