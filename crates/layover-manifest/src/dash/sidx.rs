//! A minimal `sidx` (Segment Index Box, ISO/IEC 14496-12 §8.16.3) reader.
//!
//! MERGE: layover-media has the real box parser; replace this module with its `sidx` type
//! and keep [`super::segments_from_sidx`] as the bridge.

use crate::error::{Error, Result};

/// One sidx reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SidxReference {
    /// True when the reference points at another sidx rather than media.
    pub reference_type: bool,
    /// Bytes of the referenced subsegment.
    pub referenced_size: u32,
    /// Duration in the sidx timescale.
    pub subsegment_duration: u32,
    /// Whether the subsegment starts with a SAP.
    pub starts_with_sap: bool,
}

/// A parsed `sidx` box.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sidx {
    /// Stream the index describes.
    pub reference_id: u32,
    /// Ticks per second.
    pub timescale: u32,
    /// Presentation time of the first subsegment.
    pub earliest_presentation_time: u64,
    /// Bytes from the end of the sidx box to the first subsegment.
    pub first_offset: u64,
    /// The references, in order.
    pub references: Vec<SidxReference>,
}

struct Reader<'a> {
    b: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8]> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|e| *e <= self.b.len())
            .ok_or_else(|| {
                Error::Sidx(format!("truncated at byte {} (needed {n} more)", self.pos))
            })?;
        let s = &self.b[self.pos..end];
        self.pos = end;
        Ok(s)
    }
    fn u32(&mut self) -> Result<u32> {
        let s = self.take(4)?;
        Ok(u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
    }
    fn u64(&mut self) -> Result<u64> {
        let hi = u64::from(self.u32()?);
        Ok(hi << 32 | u64::from(self.u32()?))
    }
}

impl Sidx {
    /// Parses one `sidx` box (header included) from the start of `bytes`; trailing bytes are
    /// ignored (an indexRange may cover more than the box).
    pub fn parse(bytes: &[u8]) -> Result<Sidx> {
        let mut r = Reader { b: bytes, pos: 0 };
        let size = r.u32()? as usize;
        if r.take(4)? != b"sidx" {
            return Err(Error::Sidx(
                "the index range does not start with a sidx box".into(),
            ));
        }
        if size < 12 || size > bytes.len() {
            return Err(Error::Sidx(format!(
                "box size {size} does not fit the {} bytes given",
                bytes.len()
            )));
        }
        let mut r = Reader {
            b: &bytes[..size],
            pos: 8,
        };
        let version = r.take(4)?[0];
        let reference_id = r.u32()?;
        let timescale = r.u32()?;
        let (earliest_presentation_time, first_offset) = if version == 0 {
            (u64::from(r.u32()?), u64::from(r.u32()?))
        } else {
            (r.u64()?, r.u64()?)
        };
        r.take(2)?; // reserved
        let count_bytes = r.take(2)?;
        let count = usize::from(u16::from_be_bytes([count_bytes[0], count_bytes[1]]));
        if count * 12 > size - r.pos {
            return Err(Error::Sidx(format!(
                "{count} references do not fit in a {size}-byte box"
            )));
        }
        let mut references = Vec::with_capacity(count);
        for _ in 0..count {
            let a = r.u32()?;
            let duration = r.u32()?;
            let c = r.u32()?;
            references.push(SidxReference {
                reference_type: a >> 31 == 1,
                referenced_size: a & 0x7fff_ffff,
                subsegment_duration: duration,
                starts_with_sap: c >> 31 == 1,
            });
        }
        Ok(Sidx {
            reference_id,
            timescale,
            earliest_presentation_time,
            first_offset,
            references,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_v0_box_and_rejects_truncation() {
        // size 44, 'sidx', v0, ref id 1, timescale 1000, ept 0, first_offset 0, 0, count 1,
        // ref: size 500, duration 2000, SAP.
        let mut b = vec![0, 0, 0, 44];
        b.extend_from_slice(b"sidx");
        b.extend_from_slice(&[
            0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0x03, 0xe8, 0, 0, 0, 0, 0, 0, 0, 0,
        ]);
        b.extend_from_slice(&[
            0, 0, 0, 1, 0, 0, 0x01, 0xf4, 0, 0, 0x07, 0xd0, 0x90, 0, 0, 0,
        ]);
        let s = Sidx::parse(&b).unwrap();
        assert_eq!(s.timescale, 1000);
        assert_eq!(s.references.len(), 1);
        assert_eq!(s.references[0].referenced_size, 500);
        assert_eq!(s.references[0].subsegment_duration, 2000);
        assert!(s.references[0].starts_with_sap);
        assert!(Sidx::parse(&b[..40]).is_err());
        assert!(Sidx::parse(b"\0\0\0\x08moov").is_err());
    }
}
