//! Whole-file decryption in memory, for files that fit: fragmented files go through
//! [`Decryptor`] fragment by fragment (with the top-level `sidx` rewritten to the new
//! sizes); non-fragmented files through the sample tables.

use std::collections::BTreeMap;

use super::{Decryptor, is_media_box, progressive};
use crate::boxes::sidx::Sidx;
use crate::boxes::{BoxCodec, BoxRef, walk};
use crate::decrypt::keys::KeyStore;
use crate::error::Result;
use crate::fourcc::{FourCc, types};

/// Decrypts a whole MP4 file held in memory and returns the clear file.
pub fn decrypt_file(input: &[u8], keys: &KeyStore) -> Result<Vec<u8>> {
    let tops: Vec<BoxRef<'_>> = walk(input, 0, FourCc::default()).collect::<Result<_>>()?;
    if !tops.iter().any(|b| b.header.box_type == types::MOOF) {
        return progressive::decrypt(input, &tops, keys);
    }
    let mut dec = Decryptor::new(input, keys)?;
    let mut out = dec.decrypt_init()?;
    let first_media = tops
        .iter()
        .position(|b| is_media_box(b.header.box_type))
        .unwrap_or(tops.len());
    // Input box start -> output position, at every group boundary.
    let mut map = BTreeMap::new();
    let mut sidxs = Vec::new();
    let mut i = first_media;
    while i < tops.len() {
        let b = &tops[i];
        map.insert(b.header.offset, out.len() as u64);
        if b.header.box_type == types::MOOF {
            let mut j = i + 1;
            while j < tops.len()
                && !matches!(
                    tops[j].header.box_type,
                    types::MOOF | types::STYP | types::SIDX | types::EMSG
                )
            {
                j += 1;
            }
            let start = b.header.offset as usize;
            let end = (tops[j - 1].header.offset + tops[j - 1].header.size) as usize;
            out.extend(dec.decrypt_fragment_at(&input[start..end], start as u64)?);
            i = j;
        } else {
            if b.header.box_type == types::SIDX {
                sidxs.push((out.len(), *b));
            }
            let start = b.header.offset as usize;
            out.extend_from_slice(&input[start..start + b.header.size as usize]);
            i += 1;
        }
    }
    map.insert(input.len() as u64, out.len() as u64);
    for (out_pos, b) in sidxs {
        fix_sidx(&mut out, out_pos, &b, &map)?;
    }
    Ok(out)
}

/// Rewrites a `sidx` (ISO/IEC 14496-12 §8.16.3) to the decrypted sizes, when every
/// subsegment it references starts at a box this function mapped. Otherwise it is left as
/// it was (it then only misleads seeking, not playback).
pub(crate) fn fix_sidx(
    out: &mut [u8],
    out_pos: usize,
    b: &BoxRef<'_>,
    map: &BTreeMap<u64, u64>,
) -> Result<()> {
    if let Some(bytes) = rewritten_sidx(b, out_pos as u64, map) {
        out[out_pos..out_pos + bytes.len()].copy_from_slice(&bytes);
    }
    Ok(())
}

/// The `sidx` `b` rewritten for an output where it sits at `out_pos` and every input box
/// start in `map` moved to its value; `None` when it cannot be (it is then kept as it was),
/// or when the rewrite would change its size.
pub(crate) fn rewritten_sidx(
    b: &BoxRef<'_>,
    out_pos: u64,
    map: &BTreeMap<u64, u64>,
) -> Option<Vec<u8>> {
    // A `sidx` that does not parse only affects seeking; decryption goes on without it.
    let mut sidx = Sidx::parse(b.payload, b.header.payload_offset()).ok()?;
    let in_end = b.header.offset + b.header.size;
    let out_end = out_pos + b.header.size;
    let mut at = in_end.checked_add(sidx.first_offset)?;
    let first = *map.get(&at)?;
    let mut new_refs = sidx.references.clone();
    for r in new_refs.iter_mut() {
        let next = at.checked_add(u64::from(r.referenced_size))?;
        let (s, e) = (map.get(&at)?, map.get(&next)?);
        r.referenced_size = u32::try_from(e.saturating_sub(*s)).ok()?;
        at = next;
    }
    sidx.first_offset = first.saturating_sub(out_end);
    sidx.references = new_refs;
    let bytes = sidx.to_bytes();
    (bytes.len() as u64 == b.header.size).then_some(bytes)
}
