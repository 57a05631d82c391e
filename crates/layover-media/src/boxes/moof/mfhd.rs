//! `mfhd` (ISO/IEC 14496-12 §8.8.5): fragment sequence number.

use crate::boxes::BoxCodec;
use crate::bytes::{Put, Reader};
use crate::error::Result;
use crate::fourcc::{FourCc, types};

/// Movie fragment header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mfhd {
    /// Sequence number.
    pub sequence_number: u32,
}

impl BoxCodec for Mfhd {
    const TYPE: FourCc = types::MFHD;

    fn decode(r: &mut Reader<'_>) -> Result<Self> {
        r.full_header()?;
        Ok(Mfhd {
            sequence_number: r.u32()?,
        })
    }

    fn encode(&self, out: &mut Vec<u8>) {
        out.put_full_header(0, 0);
        out.put_u32(self.sequence_number);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let m = Mfhd { sequence_number: 9 };
        assert_eq!(Mfhd::parse(&m.to_bytes()[8..], 8).unwrap(), m);
    }

    crate::boxes::codec_proptest!(arbitrary_mfhd, Mfhd);
}
