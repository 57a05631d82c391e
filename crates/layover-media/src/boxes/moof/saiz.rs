//! `saiz` (ISO/IEC 14496-12 §8.7.8): sizes of each sample's auxiliary information.

use crate::boxes::BoxCodec;
use crate::bytes::{Put, Reader};
use crate::error::Result;
use crate::fourcc::{FourCc, types};

/// Sample auxiliary information sizes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Saiz {
    /// `aux_info_type` and its parameter, present when flags bit 0 is set.
    pub aux_info: Option<(FourCc, u32)>,
    /// Size shared by all samples, or 0 when `sample_sizes` lists them.
    pub default_sample_info_size: u8,
    /// Number of samples.
    pub sample_count: u32,
    /// Per-sample sizes (empty when the default applies).
    pub sample_sizes: Vec<u8>,
}

impl BoxCodec for Saiz {
    const TYPE: FourCc = types::SAIZ;

    fn decode(r: &mut Reader<'_>) -> Result<Self> {
        let (_, flags) = r.full_header()?;
        let aux_info = if flags & 1 != 0 {
            Some((r.fourcc()?, r.u32()?))
        } else {
            None
        };
        let default_sample_info_size = r.u8()?;
        let sample_count = r.u32()?;
        let sample_sizes = if default_sample_info_size == 0 {
            let n = r.check_count(u64::from(sample_count), 1)?;
            r.bytes(n)?.to_vec()
        } else {
            Vec::new()
        };
        Ok(Saiz {
            aux_info,
            default_sample_info_size,
            sample_count,
            sample_sizes,
        })
    }

    fn encode(&self, out: &mut Vec<u8>) {
        out.put_full_header(0, u32::from(self.aux_info.is_some()));
        if let Some((t, p)) = self.aux_info {
            out.extend_from_slice(&t.0);
            out.put_u32(p);
        }
        out.put_u8(self.default_sample_info_size);
        out.put_u32(self.sample_count);
        if self.default_sample_info_size == 0 {
            out.extend_from_slice(&self.sample_sizes);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let s = Saiz {
            aux_info: Some((types::CENC, 0)),
            default_sample_info_size: 0,
            sample_count: 3,
            sample_sizes: vec![16, 22, 16],
        };
        assert_eq!(Saiz::parse(&s.to_bytes()[8..], 8).unwrap(), s);
    }

    crate::boxes::codec_proptest!(arbitrary_saiz, Saiz);
}
