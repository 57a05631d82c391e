//! `sidx` (ISO/IEC 14496-12 §8.16.3): the segment index that DASH `SegmentBase@indexRange`
//! points at.

use super::BoxCodec;
use crate::bytes::{Put, Reader};
use crate::error::Result;
use crate::fourcc::{FourCc, types};

/// One reference in a segment index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SidxReference {
    /// True when the reference points at another `sidx`.
    pub reference_type: bool,
    /// Size of the referenced material in bytes (31 bits).
    pub referenced_size: u32,
    /// Duration in `timescale` units.
    pub subsegment_duration: u32,
    /// Starts with a stream access point.
    pub starts_with_sap: bool,
    /// SAP type (3 bits).
    pub sap_type: u8,
    /// SAP delta time (28 bits).
    pub sap_delta_time: u32,
}

/// Segment index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sidx {
    /// 0 or 1 (64-bit times).
    pub version: u8,
    /// Track (stream) ID.
    pub reference_id: u32,
    /// Timescale.
    pub timescale: u32,
    /// Earliest presentation time.
    pub earliest_presentation_time: u64,
    /// Distance from the end of this box to the first referenced byte.
    pub first_offset: u64,
    /// The references.
    pub references: Vec<SidxReference>,
}

impl BoxCodec for Sidx {
    const TYPE: FourCc = types::SIDX;

    fn decode(r: &mut Reader<'_>) -> Result<Self> {
        let (version, _) = r.full_header()?;
        let v1 = version == 1;
        let reference_id = r.u32()?;
        let timescale = r.u32()?;
        let earliest_presentation_time = r.u32_or_u64(v1)?;
        let first_offset = r.u32_or_u64(v1)?;
        r.skip(2)?;
        let n = r.u16()?;
        let n = r.check_count(u64::from(n), 12)?;
        let mut references = Vec::with_capacity(n);
        for _ in 0..n {
            let a = r.u32()?;
            let subsegment_duration = r.u32()?;
            let c = r.u32()?;
            references.push(SidxReference {
                reference_type: a >> 31 == 1,
                referenced_size: a & 0x7fff_ffff,
                subsegment_duration,
                starts_with_sap: c >> 31 == 1,
                sap_type: ((c >> 28) & 7) as u8,
                sap_delta_time: c & 0x0fff_ffff,
            });
        }
        Ok(Sidx {
            version: u8::from(v1),
            reference_id,
            timescale,
            earliest_presentation_time,
            first_offset,
            references,
        })
    }

    fn encode(&self, out: &mut Vec<u8>) {
        let v1 = self.version == 1;
        out.put_full_header(u8::from(v1), 0);
        out.put_u32(self.reference_id);
        out.put_u32(self.timescale);
        for v in [self.earliest_presentation_time, self.first_offset] {
            if v1 {
                out.put_u64(v)
            } else {
                out.put_u32(v as u32)
            }
        }
        out.put_u16(0);
        out.put_u16(self.references.len() as u16);
        for r in &self.references {
            out.put_u32(u32::from(r.reference_type) << 31 | (r.referenced_size & 0x7fff_ffff));
            out.put_u32(r.subsegment_duration);
            out.put_u32(
                u32::from(r.starts_with_sap) << 31
                    | u32::from(r.sap_type & 7) << 28
                    | (r.sap_delta_time & 0x0fff_ffff),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let s = Sidx {
            version: 0,
            reference_id: 1,
            timescale: 12800,
            earliest_presentation_time: 0,
            first_offset: 0,
            references: vec![SidxReference {
                reference_type: false,
                referenced_size: 35000,
                subsegment_duration: 25600,
                starts_with_sap: true,
                sap_type: 1,
                sap_delta_time: 0,
            }],
        };
        let b = s.to_bytes();
        assert_eq!(b.len(), 44);
        assert_eq!(Sidx::parse(&b[8..], 8).unwrap(), s);
    }

    crate::boxes::codec_proptest!(arbitrary_sidx, Sidx);
}
