//! `tenc` (ISO/IEC 23001-7 §8.2): the track's default protection.

use crate::boxes::BoxCodec;
use crate::bytes::{Put, Reader};
use crate::error::Result;
use crate::fourcc::{FourCc, types};
use crate::kid::Kid;

/// Track encryption defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tenc {
    /// 0, or 1 when a pattern is present (`cens`, `cbcs`).
    pub version: u8,
    /// Encrypted 16-byte blocks in each pattern (version 1).
    pub default_crypt_byte_block: u8,
    /// Clear 16-byte blocks in each pattern (version 1).
    pub default_skip_byte_block: u8,
    /// Whether samples are protected by default.
    pub default_is_protected: u8,
    /// Per-sample IV size in `senc`: 0, 8 or 16.
    pub default_per_sample_iv_size: u8,
    /// Default KID.
    pub default_kid: Kid,
    /// Constant IV, present when protected with per-sample IV size 0 (`cbcs`).
    pub default_constant_iv: Option<Vec<u8>>,
}

impl BoxCodec for Tenc {
    const TYPE: FourCc = types::TENC;

    fn decode(r: &mut Reader<'_>) -> Result<Self> {
        let (version, _) = r.full_header()?;
        r.skip(1)?;
        let pattern = r.u8()?;
        let (crypt, skip) = if version >= 1 {
            (pattern >> 4, pattern & 0xf)
        } else {
            (0, 0)
        };
        let default_is_protected = r.u8()?;
        let default_per_sample_iv_size = r.u8()?;
        if !matches!(default_per_sample_iv_size, 0 | 8 | 16) {
            return Err(r.invalid(format!(
                "per-sample IV size {default_per_sample_iv_size}, expected 0, 8 or 16"
            )));
        }
        let default_kid = Kid(r.array()?);
        let default_constant_iv = if default_is_protected == 1 && default_per_sample_iv_size == 0 {
            let n = r.u8()?;
            if !matches!(n, 8 | 16) {
                return Err(r.invalid(format!("constant IV size {n}, expected 8 or 16")));
            }
            Some(r.bytes(usize::from(n))?.to_vec())
        } else {
            None
        };
        Ok(Tenc {
            version: version.min(1),
            default_crypt_byte_block: crypt,
            default_skip_byte_block: skip,
            default_is_protected,
            default_per_sample_iv_size,
            default_kid,
            default_constant_iv,
        })
    }

    fn encode(&self, out: &mut Vec<u8>) {
        out.put_full_header(self.version, 0);
        out.put_u8(0);
        if self.version >= 1 {
            out.put_u8(
                (self.default_crypt_byte_block & 0xf) << 4 | (self.default_skip_byte_block & 0xf),
            );
        } else {
            out.put_u8(0);
        }
        out.put_u8(self.default_is_protected);
        out.put_u8(self.default_per_sample_iv_size);
        out.extend_from_slice(&self.default_kid.0);
        if self.default_is_protected == 1 && self.default_per_sample_iv_size == 0 {
            let iv = self.default_constant_iv.as_deref().unwrap_or(&[]);
            out.put_u8(iv.len() as u8);
            out.extend_from_slice(iv);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cenc_and_cbcs_forms_round_trip() {
        let cenc = Tenc {
            version: 0,
            default_crypt_byte_block: 0,
            default_skip_byte_block: 0,
            default_is_protected: 1,
            default_per_sample_iv_size: 8,
            default_kid: Kid([1; 16]),
            default_constant_iv: None,
        };
        let b = cenc.to_bytes();
        assert_eq!(b.len(), 32);
        assert_eq!(Tenc::parse(&b[8..], 8).unwrap(), cenc);
        let cbcs = Tenc {
            version: 1,
            default_crypt_byte_block: 1,
            default_skip_byte_block: 9,
            default_per_sample_iv_size: 0,
            default_constant_iv: Some(vec![9; 16]),
            ..cenc
        };
        let b = cbcs.to_bytes();
        assert_eq!(b[13], 0x19);
        assert_eq!(Tenc::parse(&b[8..], 8).unwrap(), cbcs);
    }

    #[test]
    fn bad_iv_size_is_named() {
        let mut p = vec![0, 0, 0, 0, 0, 0, 1, 7];
        p.extend_from_slice(&[0; 16]);
        let e = Tenc::parse(&p, 100).unwrap_err();
        assert!(e.to_string().contains("'tenc'"), "{e}");
        assert!(e.to_string().contains("IV size 7"), "{e}");
    }

    crate::boxes::codec_proptest!(arbitrary_tenc, Tenc);
}
