//! `tkhd` (ISO/IEC 14496-12 §8.3.2): track id, duration, size.

use crate::boxes::BoxCodec;
use crate::bytes::{Put, Reader};
use crate::error::Result;
use crate::fourcc::{FourCc, types};

/// Track header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tkhd {
    /// 0 (32-bit times) or 1 (64-bit).
    pub version: u8,
    /// Flags (1 enabled, 2 in movie, 4 in preview).
    pub flags: u32,
    /// Creation time.
    pub creation_time: u64,
    /// Modification time.
    pub modification_time: u64,
    /// Track ID.
    pub track_id: u32,
    /// Duration in movie timescale.
    pub duration: u64,
    /// Layer.
    pub layer: u16,
    /// Alternate group.
    pub alternate_group: u16,
    /// Volume, 8.8 fixed point.
    pub volume: u16,
    /// Transformation matrix.
    pub matrix: [u32; 9],
    /// Width, 16.16 fixed point.
    pub width: u32,
    /// Height, 16.16 fixed point.
    pub height: u32,
}

impl BoxCodec for Tkhd {
    const TYPE: FourCc = types::TKHD;

    fn decode(r: &mut Reader<'_>) -> Result<Self> {
        let (version, flags) = r.full_header()?;
        let v1 = version == 1;
        let creation_time = r.u32_or_u64(v1)?;
        let modification_time = r.u32_or_u64(v1)?;
        let track_id = r.u32()?;
        r.skip(4)?;
        let duration = r.u32_or_u64(v1)?;
        r.skip(8)?;
        let layer = r.u16()?;
        let alternate_group = r.u16()?;
        let volume = r.u16()?;
        r.skip(2)?;
        let mut matrix = [0u32; 9];
        for m in &mut matrix {
            *m = r.u32()?;
        }
        let width = r.u32()?;
        let height = r.u32()?;
        Ok(Tkhd {
            version: u8::from(v1),
            flags,
            creation_time,
            modification_time,
            track_id,
            duration,
            layer,
            alternate_group,
            volume,
            matrix,
            width,
            height,
        })
    }

    fn encode(&self, out: &mut Vec<u8>) {
        let v1 = self.version == 1;
        out.put_full_header(u8::from(v1), self.flags);
        let put_t = |out: &mut Vec<u8>, t: u64| {
            if v1 {
                out.put_u64(t)
            } else {
                out.put_u32(t as u32)
            }
        };
        put_t(out, self.creation_time);
        put_t(out, self.modification_time);
        out.put_u32(self.track_id);
        out.put_u32(0);
        put_t(out, self.duration);
        out.put_u64(0);
        out.put_u16(self.layer);
        out.put_u16(self.alternate_group);
        out.put_u16(self.volume);
        out.put_u16(0);
        for m in self.matrix {
            out.put_u32(m);
        }
        out.put_u32(self.width);
        out.put_u32(self.height);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(version: u8) -> Tkhd {
        Tkhd {
            version,
            flags: 3,
            creation_time: 1,
            modification_time: 2,
            track_id: 7,
            duration: 6000,
            layer: 0,
            alternate_group: 1,
            volume: 0x100,
            matrix: [0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x4000_0000],
            width: 320 << 16,
            height: 180 << 16,
        }
    }

    #[test]
    fn round_trip_v0_v1() {
        for v in [0, 1] {
            let t = sample(v);
            let b = t.to_bytes();
            assert_eq!(b.len(), if v == 0 { 92 } else { 104 });
            assert_eq!(Tkhd::parse(&b[8..], 8).unwrap(), t);
        }
    }

    crate::boxes::codec_proptest!(arbitrary_tkhd, Tkhd);
}
