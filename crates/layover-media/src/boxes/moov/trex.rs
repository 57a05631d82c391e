//! `trex` (ISO/IEC 14496-12 §8.8.3): per-track defaults for movie fragments.

use crate::boxes::BoxCodec;
use crate::bytes::{Put, Reader};
use crate::error::Result;
use crate::fourcc::{FourCc, types};

/// Track extends defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Trex {
    /// Track ID.
    pub track_id: u32,
    /// Default sample description index (1-based).
    pub default_sample_description_index: u32,
    /// Default sample duration.
    pub default_sample_duration: u32,
    /// Default sample size.
    pub default_sample_size: u32,
    /// Default sample flags.
    pub default_sample_flags: u32,
}

impl BoxCodec for Trex {
    const TYPE: FourCc = types::TREX;

    fn decode(r: &mut Reader<'_>) -> Result<Self> {
        r.full_header()?;
        Ok(Trex {
            track_id: r.u32()?,
            default_sample_description_index: r.u32()?,
            default_sample_duration: r.u32()?,
            default_sample_size: r.u32()?,
            default_sample_flags: r.u32()?,
        })
    }

    fn encode(&self, out: &mut Vec<u8>) {
        out.put_full_header(0, 0);
        out.put_u32(self.track_id);
        out.put_u32(self.default_sample_description_index);
        out.put_u32(self.default_sample_duration);
        out.put_u32(self.default_sample_size);
        out.put_u32(self.default_sample_flags);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let t = Trex {
            track_id: 2,
            default_sample_description_index: 1,
            default_sample_duration: 1024,
            default_sample_size: 0,
            default_sample_flags: 0x0201_0000,
        };
        let b = t.to_bytes();
        assert_eq!(b.len(), 32);
        assert_eq!(Trex::parse(&b[8..], 8).unwrap(), t);
    }

    crate::boxes::codec_proptest!(arbitrary_trex, Trex);
}
