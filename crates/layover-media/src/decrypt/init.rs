//! The clear init segment: protected sample entries renamed back to their `frma` format with
//! `sinf` removed (ISO/IEC 23001-7 §8.12), and `pssh`, PIFF protection headers and `seig`
//! sample groups dropped. Sizes are recomputed when the tree is written.

use crate::boxes::moov::sample_entry::is_protected_entry;
use crate::boxes::protection::piff;
use crate::boxes::protection::sinf::Frma;
use crate::boxes::{BoxCodec, Mp4Box};
use crate::error::Result;
use crate::fourcc::types;

/// True for `sbgp`/`sgpd` boxes of grouping type `seig`.
pub fn is_seig_group(b: &Mp4Box) -> bool {
    (b.box_type == types::SBGP || b.box_type == types::SGPD)
        && b.raw_payload()
            .and_then(|p| p.get(4..8))
            .is_some_and(|t| t == types::SEIG.0)
}

/// True for a box that only carries protection information at `moov` or `stbl` level.
fn is_protection_box(b: &Mp4Box) -> bool {
    b.box_type == types::PSSH
        || piff::is_uuid(b, &piff::PROTECTION_HEADER)
        || is_seig_group(b)
        // ffmpeg's non-fragmented CENC keeps `senc` (with `saiz`/`saio` pointing at it) in
        // `stbl`; all three only describe the encryption.
        || b.box_type == types::SENC
        || b.box_type == types::SAIZ
        || b.box_type == types::SAIO
}

/// Rewrites a `moov` in place into its clear form.
pub fn clear_moov(moov: &mut Mp4Box) -> Result<()> {
    moov.remove_where(&mut is_protection_box);
    let Some(traks) = moov.children_mut() else {
        return Ok(());
    };
    for trak in traks.iter_mut().filter(|b| b.box_type == types::TRAK) {
        let Some(stsd) = trak.find_mut(&[types::MDIA, types::MINF, types::STBL, types::STSD])
        else {
            continue;
        };
        let Some(entries) = stsd.children_mut() else {
            continue;
        };
        for entry in entries.iter_mut() {
            if !is_protected_entry(entry.box_type) {
                continue;
            }
            let Some(frma) = entry
                .children_of(types::SINF)
                .find_map(|s| s.child(types::FRMA))
            else {
                continue;
            };
            entry.box_type = Frma::from_box(frma)?.data_format;
            if let Some(c) = entry.children_mut() {
                c.retain(|b| b.box_type != types::SINF);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::boxes::moof::sample_group::Sgpd;
    use crate::fourcc::FourCc;

    #[test]
    fn seig_groups_are_recognised() {
        assert!(is_seig_group(&Sgpd::from_seig(&[]).to_box()));
        let roll = Sgpd {
            version: 1,
            grouping_type: FourCc::new(b"roll"),
            default_length: 2,
            default_sample_description_index: 0,
            entries: vec![vec![0xff, 0xff]],
        };
        assert!(!is_seig_group(&roll.to_box()));
    }
}
