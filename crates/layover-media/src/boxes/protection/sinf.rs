//! `frma` and `schm` (ISO/IEC 14496-12 §8.12.2, §8.12.5), the leaves of `sinf`.

use crate::boxes::BoxCodec;
use crate::bytes::{Put, Reader};
use crate::error::Result;
use crate::fourcc::{FourCc, types};

/// Original format: the sample entry code hidden behind `encv`/`enca`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frma {
    /// The original sample entry type, e.g. `avc1`.
    pub data_format: FourCc,
}

impl BoxCodec for Frma {
    const TYPE: FourCc = types::FRMA;

    fn decode(r: &mut Reader<'_>) -> Result<Self> {
        Ok(Frma {
            data_format: r.fourcc()?,
        })
    }

    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.data_format.0);
    }
}

/// Scheme type: `cenc`, `cbcs`, `cens`, `cbc1` or `piff`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schm {
    /// Flags; bit 0 says a URI follows.
    pub flags: u32,
    /// The scheme 4CC.
    pub scheme_type: FourCc,
    /// Scheme version (0x00010000 for CENC v1).
    pub scheme_version: u32,
    /// Optional scheme URI.
    pub scheme_uri: Option<String>,
}

impl BoxCodec for Schm {
    const TYPE: FourCc = types::SCHM;

    fn decode(r: &mut Reader<'_>) -> Result<Self> {
        let (_, flags) = r.full_header()?;
        let scheme_type = r.fourcc()?;
        let scheme_version = r.u32()?;
        let scheme_uri = if flags & 1 != 0 {
            Some(r.cstring()?)
        } else {
            None
        };
        Ok(Schm {
            flags: flags & 1,
            scheme_type,
            scheme_version,
            scheme_uri,
        })
    }

    fn encode(&self, out: &mut Vec<u8>) {
        out.put_full_header(0, u32::from(self.scheme_uri.is_some()));
        out.extend_from_slice(&self.scheme_type.0);
        out.put_u32(self.scheme_version);
        if let Some(u) = &self.scheme_uri {
            out.put_cstring(u);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let f = Frma {
            data_format: types::AVC1,
        };
        assert_eq!(Frma::parse(&f.to_bytes()[8..], 8).unwrap(), f);
        let s = Schm {
            flags: 0,
            scheme_type: types::CBCS,
            scheme_version: 0x10000,
            scheme_uri: None,
        };
        let b = s.to_bytes();
        assert_eq!(b.len(), 20);
        assert_eq!(Schm::parse(&b[8..], 8).unwrap(), s);
        let u = Schm {
            flags: 1,
            scheme_uri: Some("urn:x".into()),
            ..s
        };
        assert_eq!(Schm::parse(&u.to_bytes()[8..], 8).unwrap(), u);
    }

    crate::boxes::codec_proptest!(arbitrary_frma, Frma);
    crate::boxes::codec_proptest!(arbitrary_schm, Schm);
}
