//! Whole-file decryption from a reader to a writer with bounded memory: the same output as
//! [`super::decrypt_file`], byte for byte, without holding the file.
//!
//! - Fragmented files: the boxes before the first fragment (`ftyp`, `moov`, ...) are read
//!   and written clear, then one fragment (`moof` + `mdat`) at a time is read, decrypted and
//!   written. Other top-level boxes (`styp`, `emsg`, `free`, a stray `mdat`) are copied
//!   through in small pieces. A top-level `sidx` is rewritten in place at the end, once the
//!   new fragment sizes are known (that is why the writer must be [`Seek`]).
//! - Non-fragmented files: the `moov` is read and turned into a list of protected samples;
//!   the rest of the file is then copied through in file order with each protected sample
//!   read, decrypted and written on its way. Memory is the `moov` (and a few dozen bytes per
//!   protected sample for its IV and subsample map) plus the largest sample, not the `mdat`.
//!
//! The crate itself does no IO: the caller hands in any `Read + Seek` and `Write + Seek`
//! (a file, a cursor over bytes), wrapped in `BufReader`/`BufWriter` as it sees fit.

use std::collections::BTreeMap;
use std::io::{self, Read, Seek, SeekFrom, Write};

use super::file::rewritten_sidx;
use super::fragment::KeyCache;
use super::keys::KeyStore;
use super::{Decryptor, is_media_box, progressive};
use crate::boxes::{BoxHeader, walk};
use crate::error::Error;
use crate::fourcc::{FourCc, types};

/// The most bytes read into memory at once (one fragment, the `moov`, one sample). A box
/// claiming more is refused rather than allocated.
pub const MAX_BUFFERED: u64 = 1 << 30;

/// Bytes copied per read when passing data through unchanged.
const COPY_CHUNK: usize = 1 << 20;

/// What went wrong while streaming: reading, writing, or the media itself.
#[derive(Debug, thiserror::Error)]
pub enum StreamError {
    /// Reading the input failed.
    #[error("reading the input: {0}")]
    Read(#[source] io::Error),
    /// Writing the output failed.
    #[error("writing the output: {0}")]
    Write(#[source] io::Error),
    /// The media is malformed, unsupported, or a key is missing or wrong.
    #[error(transparent)]
    Media(#[from] Error),
}

/// What a streaming decryption did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StreamStats {
    /// Input size.
    pub bytes_in: u64,
    /// Output size.
    pub bytes_out: u64,
    /// Fragments (`moof` groups) decrypted; 0 for a non-fragmented file.
    pub fragments: u64,
    /// Protected samples decrypted in a non-fragmented file.
    pub samples: u64,
    /// The most input bytes held in memory at once (the largest fragment, header, `moov` or
    /// sample). Fragments are decrypted in that buffer and written from it, so this is also
    /// about the memory used; pass-through copies use a fixed 1 MiB buffer on top.
    pub peak_buffer: u64,
}

type SResult<T> = std::result::Result<T, StreamError>;

/// A reader that knows where it is, so sequential reads never seek.
struct Src<'a, R> {
    r: &'a mut R,
    pos: u64,
    len: u64,
}

impl<R: Read + Seek> Src<'_, R> {
    fn seek_to(&mut self, at: u64) -> SResult<()> {
        if at != self.pos {
            self.r
                .seek(SeekFrom::Start(at))
                .map_err(StreamError::Read)?;
            self.pos = at;
        }
        Ok(())
    }

    fn read_into(&mut self, at: u64, buf: &mut [u8]) -> SResult<()> {
        self.seek_to(at)?;
        self.r.read_exact(buf).map_err(StreamError::Read)?;
        self.pos += buf.len() as u64;
        Ok(())
    }

    /// Reads `len` bytes at `at` into `buf` (replacing its contents).
    fn read_vec(&mut self, at: u64, len: u64, buf: &mut Vec<u8>, what: FourCc) -> SResult<()> {
        if len > MAX_BUFFERED {
            return Err(Error::Unsupported(format!(
                "'{what}' at offset {at} needs {len} bytes in memory (more than {MAX_BUFFERED})"
            ))
            .into());
        }
        buf.clear();
        buf.resize(len as usize, 0);
        self.read_into(at, buf)
    }
}

/// A writer that counts what it wrote.
struct Dst<'a, W> {
    w: &'a mut W,
    pos: u64,
}

impl<W: Write> Dst<'_, W> {
    fn put(&mut self, bytes: &[u8]) -> SResult<()> {
        self.w.write_all(bytes).map_err(StreamError::Write)?;
        self.pos += bytes.len() as u64;
        Ok(())
    }
}

/// Copies `len` input bytes at `at` to the output unchanged.
fn copy_through<R: Read + Seek, W: Write>(
    src: &mut Src<'_, R>,
    dst: &mut Dst<'_, W>,
    at: u64,
    len: u64,
    chunk: &mut Vec<u8>,
) -> SResult<()> {
    src.seek_to(at)?;
    let mut left = len;
    chunk.resize(COPY_CHUNK, 0);
    while left > 0 {
        let n = left.min(COPY_CHUNK as u64) as usize;
        src.read_into(src.pos, &mut chunk[..n])?;
        dst.put(&chunk[..n])?;
        left -= n as u64;
    }
    Ok(())
}

/// Reads the box header at `at`, checking it fits in the file.
fn read_header<R: Read + Seek>(src: &mut Src<'_, R>, at: u64) -> SResult<BoxHeader> {
    let avail = src.len - at;
    let mut head = [0u8; 32];
    let n = avail.min(32) as usize;
    src.read_into(at, &mut head[..n])?;
    let head = &head[..n];
    // Trailing zero padding shorter than a header is accepted, as in `walk`.
    if n < 8 {
        return Err(Error::Truncated {
            box_type: FourCc::default(),
            offset: at,
            needed: 8,
            available: n as u64,
        }
        .into());
    }
    let size32 = u32::from_be_bytes([head[0], head[1], head[2], head[3]]);
    let box_type = FourCc([head[4], head[5], head[6], head[7]]);
    let mut header_len = 8u64;
    let (size, large_size, to_end) = match size32 {
        1 => {
            let b: [u8; 8] =
                head.get(8..16)
                    .and_then(|s| s.try_into().ok())
                    .ok_or(Error::Truncated {
                        box_type,
                        offset: at,
                        needed: 16,
                        available: n as u64,
                    })?;
            header_len = 16;
            (u64::from_be_bytes(b), true, false)
        }
        0 => (avail, false, true),
        s => (u64::from(s), false, false),
    };
    let mut user_type = None;
    if box_type == types::UUID {
        let start = header_len as usize;
        let u: [u8; 16] = head
            .get(start..start + 16)
            .and_then(|s| s.try_into().ok())
            .ok_or(Error::Truncated {
                box_type,
                offset: at,
                needed: header_len + 16,
                available: n as u64,
            })?;
        user_type = Some(u);
        header_len += 16;
    }
    if size < header_len {
        return Err(Error::BadSize {
            box_type,
            offset: at,
            size,
            reason: "smaller than its header",
        }
        .into());
    }
    if size > avail {
        return Err(Error::BadSize {
            box_type,
            offset: at,
            size,
            reason: "extends past the end of its parent",
        }
        .into());
    }
    Ok(BoxHeader {
        box_type,
        user_type,
        offset: at,
        size,
        header_len,
        large_size,
        to_end,
    })
}

/// Every top-level box header, by seeking from one to the next (payloads are not read).
fn top_headers<R: Read + Seek>(src: &mut Src<'_, R>) -> SResult<Vec<BoxHeader>> {
    let mut tops = Vec::new();
    let mut at = 0u64;
    while at < src.len {
        if src.len - at < 8 {
            let mut tail = [0u8; 8];
            let n = (src.len - at) as usize;
            src.read_into(at, &mut tail[..n])?;
            if tail[..n].iter().all(|&b| b == 0) {
                break;
            }
        }
        let h = read_header(src, at)?;
        at += h.size;
        tops.push(h);
    }
    Ok(tops)
}

/// Decrypts a whole MP4 file (fragmented or not) from `input` to `output`, which receives
/// exactly the bytes [`super::decrypt_file`] would return, written as they are ready.
///
/// `input` is read from its start to its end (its current position is ignored); `output`
/// is written from its current position and is sought back into only to patch a top-level
/// `sidx`. On error, part of the output may have been written: write to a temporary file
/// and rename it when this returns `Ok` (as `layover decrypt` does).
pub fn decrypt_stream<R, W>(input: &mut R, output: &mut W, keys: &KeyStore) -> SResult<StreamStats>
where
    R: Read + Seek,
    W: Write + Seek,
{
    let len = input.seek(SeekFrom::End(0)).map_err(StreamError::Read)?;
    input.seek(SeekFrom::Start(0)).map_err(StreamError::Read)?;
    let mut src = Src {
        r: input,
        pos: 0,
        len,
    };
    let out_base = output.stream_position().map_err(StreamError::Write)?;
    let mut dst = Dst { w: output, pos: 0 };
    let tops = top_headers(&mut src)?;
    let mut stats = StreamStats {
        bytes_in: len,
        ..StreamStats::default()
    };
    if tops.iter().any(|h| h.box_type == types::MOOF) {
        fragmented(&mut src, &mut dst, out_base, &tops, keys, &mut stats)?;
    } else {
        progressive(&mut src, &mut dst, &tops, keys, &mut stats)?;
    }
    dst.w.flush().map_err(StreamError::Write)?;
    stats.bytes_out = dst.pos;
    Ok(stats)
}

fn fragmented<R: Read + Seek, W: Write + Seek>(
    src: &mut Src<'_, R>,
    dst: &mut Dst<'_, W>,
    out_base: u64,
    tops: &[BoxHeader],
    keys: &KeyStore,
    stats: &mut StreamStats,
) -> SResult<()> {
    let first_media = tops
        .iter()
        .position(|h| is_media_box(h.box_type))
        .unwrap_or(tops.len());
    // The init segment: every box before the first media box.
    let init_len = tops.get(first_media).map_or(src.len, |h| h.offset);
    let mut buf = Vec::new();
    src.read_vec(0, init_len, &mut buf, types::MOOV)?;
    stats.peak_buffer = init_len;
    let mut dec = Decryptor::new(&buf, keys)?;
    dst.put(&dec.decrypt_init()?)?;

    // Input box start -> output position, at every group boundary (for `sidx`).
    let mut map = BTreeMap::new();
    let mut sidxs: Vec<(u64, BoxHeader, Vec<u8>)> = Vec::new();
    let mut chunk = Vec::new();
    let mut i = first_media;
    while i < tops.len() {
        let h = tops[i];
        map.insert(h.offset, dst.pos);
        if h.box_type == types::MOOF {
            let mut j = i + 1;
            while j < tops.len()
                && !matches!(
                    tops[j].box_type,
                    types::MOOF | types::STYP | types::SIDX | types::EMSG
                )
            {
                j += 1;
            }
            let end = tops[j - 1].offset + tops[j - 1].size;
            let group = end - h.offset;
            src.read_vec(h.offset, group, &mut buf, types::MOOF)?;
            stats.peak_buffer = stats.peak_buffer.max(group);
            let clear = dec.decrypt_in_place(&mut buf, h.offset)?;
            clear.write_to(dst.w).map_err(StreamError::Write)?;
            dst.pos += clear.len();
            stats.fragments += 1;
            i = j;
        } else {
            if h.box_type == types::SIDX {
                let mut bytes = Vec::new();
                src.read_vec(h.offset, h.size, &mut bytes, types::SIDX)?;
                stats.peak_buffer = stats.peak_buffer.max(h.size);
                sidxs.push((dst.pos, h, bytes.clone()));
                dst.put(&bytes)?;
            } else {
                copy_through(src, dst, h.offset, h.size, &mut chunk)?;
            }
            i += 1;
        }
    }
    map.insert(src.len, dst.pos);
    if sidxs.is_empty() {
        return Ok(());
    }
    let end = dst.pos;
    for (out_pos, h, bytes) in sidxs {
        let Some(b) = walk(&bytes, h.offset, FourCc::default()).next() else {
            continue;
        };
        let b = b?;
        if let Some(new) = rewritten_sidx(&b, out_pos, &map) {
            dst.w
                .seek(SeekFrom::Start(out_base + out_pos))
                .map_err(StreamError::Write)?;
            dst.w.write_all(&new).map_err(StreamError::Write)?;
        }
    }
    dst.w
        .seek(SeekFrom::Start(out_base + end))
        .map_err(StreamError::Write)?;
    Ok(())
}

fn progressive<R: Read + Seek, W: Write>(
    src: &mut Src<'_, R>,
    dst: &mut Dst<'_, W>,
    tops: &[BoxHeader],
    keys: &KeyStore,
    stats: &mut StreamStats,
) -> SResult<()> {
    let moov_index = tops
        .iter()
        .position(|h| h.box_type == types::MOOV)
        .ok_or_else(|| Error::MissingBox {
            parent: FourCc::new(b"file"),
            child: types::MOOV,
            context: String::new(),
        })?;
    let moov_h = tops[moov_index];
    let mut buf = Vec::new();
    src.read_vec(moov_h.offset, moov_h.size, &mut buf, types::MOOV)?;
    stats.peak_buffer = moov_h.size;
    let plan = {
        let moov_ref = walk(&buf, moov_h.offset, FourCc::default())
            .next()
            .ok_or_else(|| Error::Unsupported("empty 'moov' read".into()))??;
        progressive::plan(&moov_ref, src.len, keys)?
    };
    let order = progressive::jobs_in_file_order(&plan.jobs, tops, moov_index)?;
    let mut next = 0usize;
    let mut cache = KeyCache::default();
    let mut chunk = Vec::new();
    let mut moov_bytes = Vec::new();
    plan.moov.write(&mut moov_bytes);
    for (i, h) in tops.iter().enumerate() {
        let end = h.offset + h.size;
        if i == moov_index {
            dst.put(&moov_bytes)?;
            continue;
        }
        let mut at = h.offset;
        while let Some(&k) = order.get(next) {
            let job = &plan.jobs[k];
            if job.pos >= end {
                break;
            }
            copy_through(src, dst, at, job.pos - at, &mut chunk)?;
            src.read_vec(job.pos, job.size, &mut buf, types::MDAT)?;
            stats.peak_buffer = stats.peak_buffer.max(job.size);
            plan.decrypt(job, &mut buf, keys, &mut cache)?;
            dst.put(&buf)?;
            stats.samples += 1;
            at = job.end();
            next += 1;
        }
        copy_through(src, dst, at, end - at, &mut chunk)?;
    }
    Ok(())
}
