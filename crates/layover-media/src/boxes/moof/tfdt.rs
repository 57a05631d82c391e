//! `tfdt` (ISO/IEC 14496-12 §8.8.12): decode time of the fragment's first sample.

use crate::boxes::BoxCodec;
use crate::bytes::{Put, Reader};
use crate::error::Result;
use crate::fourcc::{FourCc, types};

/// Track fragment decode time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tfdt {
    /// 0 (32-bit) or 1 (64-bit).
    pub version: u8,
    /// Base media decode time.
    pub base_media_decode_time: u64,
}

impl BoxCodec for Tfdt {
    const TYPE: FourCc = types::TFDT;

    fn decode(r: &mut Reader<'_>) -> Result<Self> {
        let (version, _) = r.full_header()?;
        let v1 = version == 1;
        Ok(Tfdt {
            version: u8::from(v1),
            base_media_decode_time: r.u32_or_u64(v1)?,
        })
    }

    fn encode(&self, out: &mut Vec<u8>) {
        let v1 = self.version == 1;
        out.put_full_header(u8::from(v1), 0);
        if v1 {
            out.put_u64(self.base_media_decode_time)
        } else {
            out.put_u32(self.base_media_decode_time as u32)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        for t in [
            Tfdt {
                version: 0,
                base_media_decode_time: 90000,
            },
            Tfdt {
                version: 1,
                base_media_decode_time: 1 << 40,
            },
        ] {
            assert_eq!(Tfdt::parse(&t.to_bytes()[8..], 8).unwrap(), t);
        }
    }

    crate::boxes::codec_proptest!(arbitrary_tfdt, Tfdt);
}
