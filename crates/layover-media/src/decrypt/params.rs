//! The protection of one sample, from the track defaults (`tenc`), overridden by its `seig`
//! group (ISO/IEC 23001-7 §6) or a PIFF sample encryption override.

use super::cipher::{Pattern, Scheme};
use super::track::{EntryProtection, piff_scheme};
use crate::boxes::moof::sample_group::{FRAGMENT_LOCAL_INDEX_BASE, SeigEntry};
use crate::boxes::protection::piff::PiffTrackEncryption;
use crate::error::{Error, Result};
use crate::fourcc::types;
use crate::kid::Kid;

/// How to treat one sample.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleParams {
    /// Encrypted at all.
    pub protected: bool,
    /// Scheme.
    pub scheme: Scheme,
    /// IV bytes in the sample's `senc` entry.
    pub iv_size: u8,
    /// KID.
    pub kid: Kid,
    /// Constant IV when `iv_size` is 0.
    pub constant_iv: Option<Vec<u8>>,
    /// Pattern.
    pub pattern: Pattern,
}

impl SampleParams {
    /// Defaults of a sample entry.
    pub fn from_entry(e: &EntryProtection) -> Self {
        SampleParams {
            protected: e.is_protected,
            scheme: e.scheme,
            iv_size: e.iv_size,
            kid: e.kid,
            constant_iv: e.constant_iv.clone(),
            pattern: e.pattern,
        }
    }

    /// Applies a `seig` group entry.
    pub fn with_seig(mut self, s: &SeigEntry) -> Self {
        self.protected = s.is_protected == 1;
        self.iv_size = s.per_sample_iv_size;
        self.kid = s.kid;
        if s.constant_iv.is_some() {
            self.constant_iv = s.constant_iv.clone();
        }
        if matches!(self.scheme, Scheme::Cens | Scheme::Cbcs) {
            self.pattern = Pattern {
                crypt: s.crypt_byte_block,
                skip: s.skip_byte_block,
            };
        }
        self
    }

    /// Applies a PIFF sample encryption override (PIFF 1.1 §5.3.2.1).
    pub fn with_piff_override(mut self, o: &PiffTrackEncryption) -> Result<Self> {
        let (scheme, protected) = piff_scheme(o.algorithm)?;
        self.scheme = scheme;
        self.protected = protected;
        self.iv_size = o.iv_size;
        self.kid = o.kid;
        Ok(self)
    }
}

/// Finds the `seig` description for a group index (from the `sbgp` at `sbgp_offset`): above 0x10000 in the fragment's `sgpd`,
/// otherwise in `stbl` (ISO/IEC 14496-12 §8.9.4). Index 0 means "no group".
pub fn seig_for<'a>(
    sbgp_offset: u64,
    index: u32,
    fragment: &'a [SeigEntry],
    track: &'a [SeigEntry],
) -> Result<Option<&'a SeigEntry>> {
    if index == 0 {
        return Ok(None);
    }
    let (list, i) = if index > FRAGMENT_LOCAL_INDEX_BASE {
        (fragment, index - FRAGMENT_LOCAL_INDEX_BASE - 1)
    } else {
        (track, index - 1)
    };
    list.get(i as usize)
        .map(Some)
        .ok_or_else(|| Error::Invalid {
            box_type: types::SBGP,
            offset: sbgp_offset,
            reason: format!("group description index {index:#x} has no 'seig' entry"),
        })
}
