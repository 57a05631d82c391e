//! What the init segment says about each track's protection: per sample entry, the scheme,
//! default KID, IV size, constant IV and pattern (ISO/IEC 23001-7 §8.12 `sinf`, §8.2 `tenc`;
//! PIFF 1.1 §5.3.1 track encryption box), and the `seig` groups in `stbl`.

use std::collections::BTreeMap;

use super::cipher::{Pattern, Scheme};
use crate::boxes::moof::sample_group::{SeigEntry, Sgpd};
use crate::boxes::moov::hdlr::Hdlr;
use crate::boxes::moov::sample_entry::is_protected_entry;
use crate::boxes::moov::tkhd::Tkhd;
use crate::boxes::moov::trex::Trex;
use crate::boxes::protection::piff::{self, PiffAlgorithm, PiffTrackEncryption};
use crate::boxes::protection::sinf::{Frma, Schm};
use crate::boxes::protection::tenc::Tenc;
use crate::boxes::{BoxCodec, Mp4Box};
use crate::error::{Error, Result};
use crate::fourcc::{FourCc, types};
use crate::kid::Kid;

/// Protection defaults of one protected sample entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryProtection {
    /// The sample entry code behind `encv`/`enca` (from `frma`).
    pub original_format: FourCc,
    /// The scheme.
    pub scheme: Scheme,
    /// Protected by default.
    pub is_protected: bool,
    /// Per-sample IV size.
    pub iv_size: u8,
    /// Default KID.
    pub kid: Kid,
    /// Constant IV (`cbcs`).
    pub constant_iv: Option<Vec<u8>>,
    /// Pattern (`cens`/`cbcs`).
    pub pattern: Pattern,
}

/// One track's protection facts.
#[derive(Debug, Clone, Default)]
pub struct TrackInfo {
    /// Track ID from `tkhd`.
    pub track_id: u32,
    /// Handler type from `hdlr` (`vide`, `soun`, ...).
    pub handler: Option<FourCc>,
    /// Per sample description (index 1 is element 0): `None` for clear entries.
    pub entries: Vec<Option<EntryProtection>>,
    /// `seig` group descriptions from `stbl`.
    pub seig: Vec<SeigEntry>,
    /// Fragment defaults from `mvex/trex`.
    pub trex: Trex,
}

impl TrackInfo {
    /// True when any sample entry is protected.
    pub fn is_protected(&self) -> bool {
        self.entries.iter().any(Option::is_some)
    }

    /// Every KID the init segment names for this track.
    pub fn kids(&self) -> Vec<Kid> {
        let mut v: Vec<Kid> = self.entries.iter().flatten().map(|e| e.kid).collect();
        v.extend(
            self.seig
                .iter()
                .filter(|s| s.is_protected == 1)
                .map(|s| s.kid),
        );
        v.sort();
        v.dedup();
        v
    }
}

const STBL_PATH: [FourCc; 3] = [types::MDIA, types::MINF, types::STBL];

/// Reads every track of a `moov`.
pub fn tracks_of(moov: &Mp4Box) -> Result<BTreeMap<u32, TrackInfo>> {
    let mut trex = BTreeMap::new();
    if let Some(mvex) = moov.child(types::MVEX) {
        for t in mvex.children_of(types::TREX) {
            let t = Trex::from_box(t)?;
            trex.insert(t.track_id, t);
        }
    }
    let mut out = BTreeMap::new();
    for trak in moov.children_of(types::TRAK) {
        let tkhd = Tkhd::from_box(trak.require(types::TKHD)?)?;
        let handler = match trak.find(&[types::MDIA, types::HDLR]) {
            Some(h) => Some(Hdlr::from_box(h)?.handler_type),
            None => None,
        };
        let mut info = TrackInfo {
            track_id: tkhd.track_id,
            handler,
            trex: trex.get(&tkhd.track_id).copied().unwrap_or(Trex {
                track_id: tkhd.track_id,
                default_sample_description_index: 1,
                ..Trex::default()
            }),
            ..TrackInfo::default()
        };
        if let Some(stbl) = trak.find(&STBL_PATH) {
            if let Some(stsd) = stbl.child(types::STSD) {
                for entry in stsd.children() {
                    info.entries.push(entry_protection(entry)?);
                }
            }
            for sgpd in stbl.children_of(types::SGPD) {
                let s = Sgpd::from_box(sgpd)?;
                if s.grouping_type == types::SEIG {
                    info.seig = s.seig_entries()?;
                }
            }
        }
        out.insert(info.track_id, info);
    }
    Ok(out)
}

/// Protection of one sample entry, `None` when it is clear.
pub fn entry_protection(entry: &Mp4Box) -> Result<Option<EntryProtection>> {
    if !is_protected_entry(entry.box_type) {
        return Ok(None);
    }
    let missing = |child| Error::MissingBox {
        parent: entry.box_type,
        child,
        context: format!(" at offset {}", entry.offset),
    };
    let mut last_err = None;
    // Several `sinf`s may be present (one per scheme); use the first one this crate knows.
    for sinf in entry.children_of(types::SINF) {
        match sinf_protection(sinf) {
            Ok(p) => return Ok(Some(p)),
            Err(e) => last_err = Some(e),
        }
    }
    Err(last_err.unwrap_or_else(|| missing(types::SINF)))
}

fn sinf_protection(sinf: &Mp4Box) -> Result<EntryProtection> {
    let frma = Frma::from_box(sinf.require(types::FRMA)?)?;
    let schm = Schm::from_box(sinf.require(types::SCHM)?)?;
    let schi = sinf.require(types::SCHI)?;
    if let Some(t) = schi.child(types::TENC) {
        let tenc = Tenc::from_box(t)?;
        let scheme = match Scheme::from_fourcc(schm.scheme_type) {
            Some(s) => s,
            // A `piff` scheme with a CENC `tenc`: PIFF 1.3 files written by CENC tools.
            None if schm.scheme_type == types::PIFF => Scheme::PiffCtr,
            None => {
                return Err(Error::Unsupported(format!(
                    "protection scheme '{}'",
                    schm.scheme_type
                )));
            }
        };
        return Ok(EntryProtection {
            original_format: frma.data_format,
            scheme,
            is_protected: tenc.default_is_protected == 1,
            iv_size: tenc.default_per_sample_iv_size,
            kid: tenc.default_kid,
            constant_iv: tenc.default_constant_iv,
            pattern: Pattern {
                crypt: tenc.default_crypt_byte_block,
                skip: tenc.default_skip_byte_block,
            },
        });
    }
    for b in schi.children() {
        if let Some(te) = piff::read::<PiffTrackEncryption>(b, &piff::TRACK_ENCRYPTION) {
            let te = te?;
            let (scheme, is_protected) = piff_scheme(te.algorithm)?;
            return Ok(EntryProtection {
                original_format: frma.data_format,
                scheme,
                is_protected,
                iv_size: te.iv_size,
                kid: te.kid,
                constant_iv: None,
                pattern: Pattern::default(),
            });
        }
    }
    Err(Error::MissingBox {
        parent: types::SCHI,
        child: types::TENC,
        context: format!(" at offset {}", schi.offset),
    })
}

/// Maps a PIFF AlgorithmID to a scheme and whether samples are protected.
pub fn piff_scheme(a: PiffAlgorithm) -> Result<(Scheme, bool)> {
    match a {
        PiffAlgorithm::None => Ok((Scheme::PiffCtr, false)),
        PiffAlgorithm::AesCtr => Ok((Scheme::PiffCtr, true)),
        PiffAlgorithm::AesCbc => Ok((Scheme::PiffCbc, true)),
        PiffAlgorithm::Other(n) => Err(Error::Unsupported(format!("PIFF AlgorithmID {n}"))),
    }
}
