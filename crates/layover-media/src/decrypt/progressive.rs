//! Non-fragmented CENC files (as ffmpeg's `-encryption_scheme cenc-aes-ctr` writes them):
//! samples located through `stsc`/`stsz`/`stco` (ISO/IEC 14496-12 §8.7), IVs and subsample
//! maps from the `senc` that such files keep in `stbl`. [`plan`] turns the `moov` into a
//! list of protected samples and the clear `moov` (chunk offsets rewritten when a `moov`
//! before the media shrinks); the in-memory path below and the streaming path
//! (`super::stream`) both carry it out.

use super::cipher::{decrypt_sample, full_iv};
use super::fragment::KeyCache;
use super::init::{clear_moov, is_seig_group};
use super::params::{SampleParams, seig_for};
use super::track::{TrackInfo, tracks_of};
use crate::boxes::moof::sample_group::{GroupLookup, Sbgp};
use crate::boxes::moof::senc::{SampleAux, Senc};
use crate::boxes::moov::sample_table::{ChunkOffsets, Co64, Stco, Stsc, Stsz, Stz2};
use crate::boxes::moov::tkhd::Tkhd;
use crate::boxes::{BoxCodec, BoxHeader, BoxRef, Mp4Box, parse_box};
use crate::decrypt::keys::KeyStore;
use crate::error::{Error, Result};
use crate::fourcc::{FourCc, types};

const STBL_PATH: [FourCc; 3] = [types::MDIA, types::MINF, types::STBL];

fn chunk_offsets(stbl: &Mp4Box) -> Result<ChunkOffsets> {
    if let Some(b) = stbl.child(types::STCO) {
        return Ok(Stco::from_box(b)?.0);
    }
    if let Some(b) = stbl.child(types::CO64) {
        return Ok(Co64::from_box(b)?.0);
    }
    Err(Error::MissingBox {
        parent: types::STBL,
        child: types::STCO,
        context: format!(" at offset {} (nor 'co64')", stbl.offset),
    })
}

/// One protected sample of a non-fragmented file: where it is and how to decrypt it.
#[derive(Debug, Clone)]
pub(crate) struct SampleJob {
    /// Absolute file offset of the sample's first byte.
    pub pos: u64,
    /// Its size in bytes.
    pub size: u64,
    /// Index into [`Plan::params`].
    params: u32,
    /// IV and subsamples.
    aux: SampleAux,
    track_id: u32,
    sample: u32,
}

impl SampleJob {
    /// One past the sample's last byte.
    pub(crate) fn end(&self) -> u64 {
        self.pos + self.size
    }
}

/// Everything needed to decrypt a non-fragmented file: the protected samples (in track
/// order), the distinct per-sample parameters they use, and the clear `moov` with its chunk
/// offsets already moved to where the media will be in the output.
#[derive(Debug)]
pub(crate) struct Plan {
    pub jobs: Vec<SampleJob>,
    params: Vec<SampleParams>,
    pub moov: Mp4Box,
}

impl Plan {
    /// Decrypts one job's bytes in place.
    pub(crate) fn decrypt(
        &self,
        job: &SampleJob,
        sample: &mut [u8],
        keys: &KeyStore,
        cache: &mut KeyCache,
    ) -> Result<()> {
        let params = self
            .params
            .get(job.params as usize)
            .ok_or_else(|| Error::Unsupported("sample parameters out of range".into()))?;
        let iv = if params.iv_size > 0 {
            full_iv(&job.aux.iv)?
        } else {
            full_iv(params.constant_iv.as_deref().unwrap_or(&[]))?
        };
        let key = cache.get(keys, &params.kid)?;
        decrypt_sample(
            sample,
            key,
            params.scheme,
            &iv,
            params.pattern,
            &job.aux.subsamples,
        )
        .map_err(|e| match e {
            Error::Unsupported(m) => {
                Error::Unsupported(format!("track {} sample {}: {m}", job.track_id, job.sample))
            }
            e => e,
        })
    }
}

/// Index of `p` in `list`, adding it when new (files use a handful of distinct parameter
/// sets, so a linear search is enough and keeps per-sample memory small).
fn intern(list: &mut Vec<SampleParams>, p: SampleParams) -> u32 {
    match list.iter().position(|q| *q == p) {
        Some(i) => i as u32,
        None => {
            list.push(p);
            (list.len() - 1) as u32
        }
    }
}

fn track_jobs(
    trak: &Mp4Box,
    info: &TrackInfo,
    file_len: u64,
    params_list: &mut Vec<SampleParams>,
    jobs: &mut Vec<SampleJob>,
) -> Result<()> {
    let stbl = trak.find(&STBL_PATH).ok_or_else(|| Error::MissingBox {
        parent: types::TRAK,
        child: types::STBL,
        context: format!(" of track {}", info.track_id),
    })?;
    // Sample sizes: `stsz`, or the compact `stz2` some muxers write.
    let stsz = match stbl.child(types::STZ2) {
        Some(b) if stbl.child(types::STSZ).is_none() => Stz2::from_box(b)?.into_stsz(),
        _ => Stsz::from_box(stbl.require(types::STSZ)?)?,
    };
    let stsc = Stsc::from_box(stbl.require(types::STSC)?)?;
    let chunks = chunk_offsets(stbl)?;
    let senc = match stbl.child(types::SENC).or_else(|| trak.child(types::SENC)) {
        Some(b) => Some(Senc::from_box(b)?),
        None => None,
    };
    let mut aux = senc.as_ref().map(|s| s.reader(types::SENC));
    let sbgp = match stbl
        .children()
        .iter()
        .find(|b| b.box_type == types::SBGP && is_seig_group(b))
    {
        Some(b) => Some((b.offset, GroupLookup::new(&Sbgp::from_box(b)?))),
        None => None,
    };
    // Runs must start at increasing chunks (ISO/IEC 14496-12 §8.7.4); checking it also keeps
    // a hostile table from making the walk below quadratic.
    if stsc
        .entries
        .windows(2)
        .any(|w| w[1].first_chunk <= w[0].first_chunk)
    {
        return Err(Error::Invalid {
            box_type: types::STSC,
            offset: stbl.offset,
            reason: format!(
                "track {}: first_chunk values do not increase",
                info.track_id
            ),
        });
    }
    let total = stsz.sample_count as usize;
    let mut sample = 0usize;
    for (ei, e) in stsc.entries.iter().enumerate() {
        let first = e.first_chunk.max(1) as usize;
        let last = stsc.entries.get(ei + 1).map_or(chunks.offsets.len(), |n| {
            (n.first_chunk as usize).saturating_sub(1)
        });
        let entry = e
            .sample_description_index
            .checked_sub(1)
            .and_then(|i| info.entries.get(i as usize))
            .and_then(Option::as_ref);
        for chunk in first..=last.min(chunks.offsets.len()) {
            let mut pos = chunks.offsets[chunk - 1];
            for _ in 0..e.samples_per_chunk {
                if sample >= total {
                    return Ok(());
                }
                let size = u64::from(stsz.size_of(sample).unwrap_or(0));
                let end = pos
                    .checked_add(size)
                    .filter(|x| *x <= file_len)
                    .ok_or_else(|| Error::Invalid {
                        box_type: types::STCO,
                        offset: stbl.offset,
                        reason: format!(
                            "track {} sample {sample} ({size} bytes at {pos}) is outside the file",
                            info.track_id
                        ),
                    })?;
                if let Some(entry) = entry {
                    let mut params = SampleParams::from_entry(entry);
                    let group = sbgp
                        .as_ref()
                        .map_or((0, 0), |(at, s)| (*at, s.index_of_sample(sample as u64)));
                    if let Some(s) = seig_for(group.0, group.1, &[], &info.seig)? {
                        params = params.with_seig(s);
                    }
                    let a = match aux.as_mut() {
                        Some(r) if r.left() > 0 => Some(r.next(params.iv_size)?),
                        _ => None,
                    };
                    if params.protected {
                        // Constant IV without subsamples needs no auxiliary information.
                        let a = match a {
                            None if params.iv_size == 0 && params.constant_iv.is_some() => {
                                Some(Default::default())
                            }
                            a => a,
                        };
                        let a: SampleAux = a.ok_or_else(|| Error::MissingBox {
                            parent: types::STBL,
                            child: types::SENC,
                            context: format!(" for sample {sample} of track {}", info.track_id),
                        })?;
                        jobs.push(SampleJob {
                            pos,
                            size,
                            params: intern(params_list, params),
                            aux: a,
                            track_id: info.track_id,
                            sample: sample as u32,
                        });
                    }
                }
                pos = end;
                sample += 1;
            }
        }
    }
    Ok(())
}

/// Rewrites chunk offsets through `map` (old absolute offset to new).
fn remap_chunk_offsets(moov: &mut Mp4Box, map: &dyn Fn(u64) -> Result<u64>) -> Result<()> {
    let Some(traks) = moov.children_mut() else {
        return Ok(());
    };
    for trak in traks.iter_mut().filter(|b| b.box_type == types::TRAK) {
        let Some(stbl) = trak.find_mut(&STBL_PATH) else {
            continue;
        };
        let Some(children) = stbl.children_mut() else {
            continue;
        };
        for b in children.iter_mut() {
            if b.box_type == types::STCO || b.box_type == types::CO64 {
                let mut c = if b.box_type == types::STCO {
                    Stco::from_box(b)?.0
                } else {
                    Co64::from_box(b)?.0
                };
                for o in c.offsets.iter_mut() {
                    *o = map(*o)?;
                }
                if !c.large && c.offsets.iter().any(|o| *o > u64::from(u32::MAX)) {
                    c.large = true;
                }
                *b = if c.large {
                    Co64(c).to_box()
                } else {
                    Stco(c).to_box()
                };
            }
        }
    }
    Ok(())
}

/// Plans the decryption of a non-fragmented file from its `moov` (`moov_ref`, read from a
/// file of `file_len` bytes): the protected samples and the clear `moov` to write instead.
pub(crate) fn plan(moov_ref: &BoxRef<'_>, file_len: u64, keys: &KeyStore) -> Result<Plan> {
    let mut moov = parse_box(moov_ref)?;
    let tracks = tracks_of(&moov)?;
    let mut jobs = Vec::new();
    let mut params = Vec::new();
    let mut cache = KeyCache::default();
    for trak in moov.children_of(types::TRAK) {
        let id = Tkhd::from_box(trak.require(types::TKHD)?)?.track_id;
        if let Some(info) = tracks.get(&id).filter(|i| i.is_protected()) {
            track_jobs(trak, info, file_len, &mut params, &mut jobs)?;
        }
    }
    // Every key is needed before any byte is written: fail early, naming the KID.
    for p in &params {
        cache.get(keys, &p.kid)?;
    }
    clear_moov(&mut moov)?;
    // Every box keeps its size except `moov`; anything after it moves by the difference.
    let old = moov_ref.header.size;
    let moov_start = moov_ref.header.offset;
    let moov_end = moov_start + old;
    let new_size = moov.size();
    let map = |o: u64| -> Result<u64> {
        if o >= moov_end {
            Ok(o - old + new_size)
        } else if o < moov_start {
            Ok(o)
        } else {
            Err(Error::Invalid {
                box_type: types::STCO,
                offset: o,
                reason: "chunk offset points inside 'moov'".into(),
            })
        }
    };
    remap_chunk_offsets(&mut moov, &map)?;
    // The rewrite may turn `stco` into `co64`, changing the size again (rare: files over
    // 4 GiB whose `moov` comes after the media).
    if moov.size() != new_size {
        return Err(Error::Unsupported(
            "chunk offsets grew past 32 bits while rewriting 'moov'".into(),
        ));
    }
    Ok(Plan { jobs, params, moov })
}

/// The indices of `jobs` in file order, after checking that each protected sample lies
/// inside one top-level box other than `moov` and that no two overlap. The in-memory and the
/// streaming paths both check through here, so they refuse the same files.
pub(crate) fn jobs_in_file_order(
    jobs: &[SampleJob],
    tops: &[BoxHeader],
    moov_index: usize,
) -> Result<Vec<usize>> {
    let mut order: Vec<usize> = (0..jobs.len()).collect();
    order.sort_by_key(|&k| jobs[k].pos);
    let mut next = 0usize;
    for (i, h) in tops.iter().enumerate() {
        let end = h.offset.saturating_add(h.size);
        let mut at = h.offset;
        while let Some(&k) = order.get(next) {
            let job = &jobs[k];
            if job.pos >= end {
                break;
            }
            if i == moov_index {
                return Err(Error::Invalid {
                    box_type: types::STCO,
                    offset: job.pos,
                    reason: "chunk offset points inside 'moov'".into(),
                });
            }
            if job.pos < at || job.end() > end {
                return Err(Error::Invalid {
                    box_type: h.box_type,
                    offset: job.pos,
                    reason: format!(
                        "a protected sample ({} bytes at {}) overlaps another or crosses the end of its box",
                        job.size, job.pos
                    ),
                });
            }
            at = job.end();
            next += 1;
        }
    }
    if let Some(&k) = order.get(next) {
        return Err(Error::Invalid {
            box_type: types::STCO,
            offset: jobs[k].pos,
            reason: "a protected sample lies outside every top-level box".into(),
        });
    }
    Ok(order)
}

/// Decrypts a whole non-fragmented file held in memory.
pub(crate) fn decrypt(input: &[u8], tops: &[BoxRef<'_>], keys: &KeyStore) -> Result<Vec<u8>> {
    let moov_index = tops
        .iter()
        .position(|b| b.header.box_type == types::MOOV)
        .ok_or_else(|| Error::MissingBox {
            parent: FourCc::new(b"file"),
            child: types::MOOV,
            context: String::new(),
        })?;
    let plan = plan(&tops[moov_index], input.len() as u64, keys)?;
    let headers: Vec<BoxHeader> = tops.iter().map(|b| b.header).collect();
    jobs_in_file_order(&plan.jobs, &headers, moov_index)?;
    let mut data = input.to_vec();
    let mut cache = KeyCache::default();
    for job in &plan.jobs {
        // `plan` checked every sample against the file size.
        let range = job.pos as usize..job.end() as usize;
        plan.decrypt(job, &mut data[range], keys, &mut cache)?;
    }
    let mut out = Vec::with_capacity(data.len());
    for (i, b) in tops.iter().enumerate() {
        if i == moov_index {
            plan.moov.write(&mut out);
        } else {
            let s = b.header.offset as usize;
            out.extend_from_slice(&data[s..s + b.header.size as usize]);
        }
    }
    Ok(out)
}
