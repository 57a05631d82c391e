//! `saio` (ISO/IEC 14496-12 §8.7.9): where each chunk's auxiliary information starts. In a
//! fragment the offsets are relative to the same base as `trun` data offsets (§8.8.14).

use crate::boxes::BoxCodec;
use crate::bytes::{Put, Reader};
use crate::error::Result;
use crate::fourcc::{FourCc, types};

/// Sample auxiliary information offsets.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Saio {
    /// 0 (32-bit offsets) or 1 (64-bit).
    pub version: u8,
    /// `aux_info_type` and its parameter, present when flags bit 0 is set.
    pub aux_info: Option<(FourCc, u32)>,
    /// The offsets.
    pub offsets: Vec<u64>,
}

impl BoxCodec for Saio {
    const TYPE: FourCc = types::SAIO;

    fn decode(r: &mut Reader<'_>) -> Result<Self> {
        let (version, flags) = r.full_header()?;
        let aux_info = if flags & 1 != 0 {
            Some((r.fourcc()?, r.u32()?))
        } else {
            None
        };
        let count = r.u32()?;
        let v1 = version == 1;
        let n = r.check_count(u64::from(count), if v1 { 8 } else { 4 })?;
        let offsets = (0..n).map(|_| r.u32_or_u64(v1)).collect::<Result<_>>()?;
        Ok(Saio {
            version: u8::from(v1),
            aux_info,
            offsets,
        })
    }

    fn encode(&self, out: &mut Vec<u8>) {
        let v1 = self.version == 1;
        out.put_full_header(u8::from(v1), u32::from(self.aux_info.is_some()));
        if let Some((t, p)) = self.aux_info {
            out.extend_from_slice(&t.0);
            out.put_u32(p);
        }
        out.put_u32(self.offsets.len() as u32);
        for &o in &self.offsets {
            if v1 {
                out.put_u64(o)
            } else {
                out.put_u32(o as u32)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        for s in [
            Saio {
                version: 0,
                aux_info: None,
                offsets: vec![100],
            },
            Saio {
                version: 1,
                aux_info: Some((types::CBCS, 0)),
                offsets: vec![1 << 33, 5],
            },
        ] {
            assert_eq!(Saio::parse(&s.to_bytes()[8..], 8).unwrap(), s);
        }
    }

    crate::boxes::codec_proptest!(arbitrary_saio, Saio);
}
