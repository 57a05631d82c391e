//! The sample table boxes that locate samples in a non-fragmented file: `stsz` and the compact
//! `stz2` (ISO/IEC 14496-12 §8.7.3), `stsc` (§8.7.4), `stco`/`co64` (§8.7.5).

use crate::boxes::BoxCodec;
use crate::bytes::{Put, Reader};
use crate::error::Result;
use crate::fourcc::{FourCc, types};

/// Sample sizes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stsz {
    /// Size shared by every sample, or 0 when `entry_sizes` lists them.
    pub sample_size: u32,
    /// Number of samples.
    pub sample_count: u32,
    /// Per-sample sizes when `sample_size` is 0.
    pub entry_sizes: Vec<u32>,
}

impl Stsz {
    /// Size of sample `i` (0-based).
    pub fn size_of(&self, i: usize) -> Option<u32> {
        if self.sample_size != 0 {
            (i < self.sample_count as usize).then_some(self.sample_size)
        } else {
            self.entry_sizes.get(i).copied()
        }
    }
}

impl BoxCodec for Stsz {
    const TYPE: FourCc = types::STSZ;

    fn decode(r: &mut Reader<'_>) -> Result<Self> {
        r.full_header()?;
        let sample_size = r.u32()?;
        let sample_count = r.u32()?;
        let entry_sizes = if sample_size == 0 {
            let n = r.check_count(u64::from(sample_count), 4)?;
            (0..n).map(|_| r.u32()).collect::<Result<_>>()?
        } else {
            Vec::new()
        };
        Ok(Stsz {
            sample_size,
            sample_count,
            entry_sizes,
        })
    }

    fn encode(&self, out: &mut Vec<u8>) {
        out.put_full_header(0, 0);
        out.put_u32(self.sample_size);
        out.put_u32(self.sample_count);
        if self.sample_size == 0 {
            self.entry_sizes.iter().for_each(|s| out.put_u32(*s));
        }
    }
}

/// Compact sample sizes (`stz2`): every size in 4, 8 or 16 bits (4-bit sizes two to a byte,
/// the first in the high nibble). Read into the same [`Stsz`] shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stz2 {
    /// Bits per size: 4, 8 or 16.
    pub field_size: u8,
    /// Per-sample sizes.
    pub entry_sizes: Vec<u32>,
}

impl Stz2 {
    /// As an [`Stsz`] (every size listed).
    pub fn into_stsz(self) -> Stsz {
        Stsz {
            sample_size: 0,
            sample_count: u32::try_from(self.entry_sizes.len()).unwrap_or(u32::MAX),
            entry_sizes: self.entry_sizes,
        }
    }
}

impl BoxCodec for Stz2 {
    const TYPE: FourCc = types::STZ2;

    fn decode(r: &mut Reader<'_>) -> Result<Self> {
        r.full_header()?;
        r.bytes(3)?; // reserved
        let field_size = r.u8()?;
        let count = u64::from(r.u32()?);
        let entry_sizes = match field_size {
            4 => {
                let n = r.check_count(count.div_ceil(2), 1)?;
                let packed = r.bytes(n)?;
                let count = usize::try_from(count).map_err(|_| r.invalid("count too large"))?;
                packed
                    .iter()
                    .flat_map(|b| [u32::from(b >> 4), u32::from(b & 0x0f)])
                    .take(count)
                    .collect()
            }
            8 => {
                let n = r.check_count(count, 1)?;
                r.bytes(n)?.iter().map(|b| u32::from(*b)).collect()
            }
            16 => {
                let n = r.check_count(count, 2)?;
                (0..n)
                    .map(|_| r.u16().map(u32::from))
                    .collect::<Result<_>>()?
            }
            other => {
                return Err(r.invalid(format!("field_size {other} (4, 8 or 16 expected)")));
            }
        };
        Ok(Stz2 {
            field_size,
            entry_sizes,
        })
    }

    fn encode(&self, out: &mut Vec<u8>) {
        out.put_full_header(0, 0);
        out.extend_from_slice(&[0, 0, 0]);
        out.put_u8(self.field_size);
        out.put_u32(self.entry_sizes.len() as u32);
        match self.field_size {
            4 => {
                for pair in self.entry_sizes.chunks(2) {
                    let hi = (pair[0] & 0x0f) as u8;
                    let lo = pair.get(1).map_or(0, |v| (v & 0x0f) as u8);
                    out.put_u8(hi << 4 | lo);
                }
            }
            16 => self.entry_sizes.iter().for_each(|s| out.put_u16(*s as u16)),
            _ => self.entry_sizes.iter().for_each(|s| out.put_u8(*s as u8)),
        }
    }
}

/// One sample-to-chunk run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StscEntry {
    /// First chunk (1-based) of the run.
    pub first_chunk: u32,
    /// Samples in each chunk of the run.
    pub samples_per_chunk: u32,
    /// Sample description index (1-based).
    pub sample_description_index: u32,
}

/// Sample-to-chunk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stsc {
    /// The runs.
    pub entries: Vec<StscEntry>,
}

impl BoxCodec for Stsc {
    const TYPE: FourCc = types::STSC;

    fn decode(r: &mut Reader<'_>) -> Result<Self> {
        r.full_header()?;
        let n = r.u32()?;
        let n = r.check_count(u64::from(n), 12)?;
        let entries = (0..n)
            .map(|_| {
                Ok(StscEntry {
                    first_chunk: r.u32()?,
                    samples_per_chunk: r.u32()?,
                    sample_description_index: r.u32()?,
                })
            })
            .collect::<Result<_>>()?;
        Ok(Stsc { entries })
    }

    fn encode(&self, out: &mut Vec<u8>) {
        out.put_full_header(0, 0);
        out.put_u32(self.entries.len() as u32);
        for e in &self.entries {
            out.put_u32(e.first_chunk);
            out.put_u32(e.samples_per_chunk);
            out.put_u32(e.sample_description_index);
        }
    }
}

/// Chunk offsets, from `stco` (32-bit) or `co64` (64-bit).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChunkOffsets {
    /// Written as `co64`.
    pub large: bool,
    /// Absolute file offsets.
    pub offsets: Vec<u64>,
}

fn decode_offsets(r: &mut Reader<'_>, large: bool) -> Result<ChunkOffsets> {
    r.full_header()?;
    let n = r.u32()?;
    let n = r.check_count(u64::from(n), if large { 8 } else { 4 })?;
    let offsets = (0..n).map(|_| r.u32_or_u64(large)).collect::<Result<_>>()?;
    Ok(ChunkOffsets { large, offsets })
}

fn encode_offsets(c: &ChunkOffsets, out: &mut Vec<u8>) {
    out.put_full_header(0, 0);
    out.put_u32(c.offsets.len() as u32);
    for &o in &c.offsets {
        if c.large {
            out.put_u64(o)
        } else {
            out.put_u32(o as u32)
        }
    }
}

/// `stco`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stco(pub ChunkOffsets);

/// `co64`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Co64(pub ChunkOffsets);

impl BoxCodec for Stco {
    const TYPE: FourCc = types::STCO;
    fn decode(r: &mut Reader<'_>) -> Result<Self> {
        decode_offsets(r, false).map(Stco)
    }
    fn encode(&self, out: &mut Vec<u8>) {
        encode_offsets(&self.0, out)
    }
}

impl BoxCodec for Co64 {
    const TYPE: FourCc = types::CO64;
    fn decode(r: &mut Reader<'_>) -> Result<Self> {
        decode_offsets(r, true).map(Co64)
    }
    fn encode(&self, out: &mut Vec<u8>) {
        encode_offsets(&self.0, out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let s = Stsz {
            sample_size: 0,
            sample_count: 2,
            entry_sizes: vec![5, 6],
        };
        assert_eq!(Stsz::parse(&s.to_bytes()[8..], 8).unwrap(), s);
        assert_eq!(s.size_of(1), Some(6));
        let c = Stsc {
            entries: vec![StscEntry {
                first_chunk: 1,
                samples_per_chunk: 3,
                sample_description_index: 1,
            }],
        };
        assert_eq!(Stsc::parse(&c.to_bytes()[8..], 8).unwrap(), c);
        let o = Stco(ChunkOffsets {
            large: false,
            offsets: vec![40, 4000],
        });
        assert_eq!(Stco::parse(&o.to_bytes()[8..], 8).unwrap(), o);
        let o = Co64(ChunkOffsets {
            large: true,
            offsets: vec![1 << 40],
        });
        assert_eq!(Co64::parse(&o.to_bytes()[8..], 8).unwrap(), o);
    }

    #[test]
    fn stz2_reads_4_8_and_16_bit_sizes_like_stsz() {
        for (field_size, sizes) in [
            (4u8, vec![1u32, 15, 7]),
            (8, vec![0, 200, 255, 3]),
            (16, vec![65_535, 1_000]),
        ] {
            let b = Stz2 {
                field_size,
                entry_sizes: sizes.clone(),
            };
            let parsed = Stz2::parse(&b.to_bytes()[8..], 8).unwrap();
            assert_eq!(parsed, b);
            let stsz = parsed.into_stsz();
            assert_eq!(stsz.sample_count as usize, sizes.len());
            assert_eq!(stsz.size_of(1), Some(sizes[1]));
            assert_eq!(stsz.size_of(sizes.len()), None);
        }
        // 4-bit sizes: the first in the high nibble.
        let raw = [0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 3, 0x12, 0x30];
        assert_eq!(Stz2::parse(&raw, 8).unwrap().entry_sizes, vec![1, 2, 3]);
        // A field size the spec does not define, and a count larger than the box.
        assert!(Stz2::parse(&[0, 0, 0, 0, 0, 0, 0, 12, 0, 0, 0, 1, 0, 0], 8).is_err());
        assert!(Stz2::parse(&[0, 0, 0, 0, 0, 0, 0, 16, 0xff, 0xff, 0xff, 0xff], 8).is_err());
    }

    crate::boxes::codec_proptest!(arbitrary_stsz, Stsz);
    crate::boxes::codec_proptest!(arbitrary_stsc, Stsc);
    crate::boxes::codec_proptest!(arbitrary_stco, Stco);
    crate::boxes::codec_proptest!(arbitrary_co64, Co64);
}
