//! `trun` (ISO/IEC 14496-12 §8.8.8): the samples of a track run.

use crate::boxes::BoxCodec;
use crate::bytes::{Put, Reader};
use crate::error::Result;
use crate::fourcc::{FourCc, types};

/// `data-offset-present`.
pub const DATA_OFFSET: u32 = 0x1;
/// `first-sample-flags-present`.
pub const FIRST_SAMPLE_FLAGS: u32 = 0x4;
/// `sample-duration-present`.
pub const SAMPLE_DURATION: u32 = 0x100;
/// `sample-size-present`.
pub const SAMPLE_SIZE: u32 = 0x200;
/// `sample-flags-present`.
pub const SAMPLE_FLAGS: u32 = 0x400;
/// `sample-composition-time-offsets-present`.
pub const SAMPLE_CTO: u32 = 0x800;

/// One sample's fields; each is present when the matching flag is set in [`Trun::flags`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TrunSample {
    /// Duration.
    pub duration: u32,
    /// Size in bytes.
    pub size: u32,
    /// Sample flags.
    pub flags: u32,
    /// Composition time offset, raw bits (signed in version 1).
    pub composition_time_offset: u32,
}

/// Track run.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Trun {
    /// 0 or 1 (signed composition offsets).
    pub version: u8,
    /// Which per-sample fields are present (the `SAMPLE_*` bits).
    pub flags: u32,
    /// Offset of the first sample from the base data offset.
    pub data_offset: Option<i32>,
    /// Flags of the first sample.
    pub first_sample_flags: Option<u32>,
    /// Number of samples in the run.
    pub sample_count: u32,
    /// Per-sample fields: exactly `sample_count` entries when any `SAMPLE_*` flag is set,
    /// empty when none is (every sample then takes the `tfhd`/`trex` defaults, and a large
    /// count costs no memory).
    pub samples: Vec<TrunSample>,
}

impl Trun {
    /// Sample `i`'s fields (all zero when the run has no per-sample fields).
    pub fn sample(&self, i: usize) -> TrunSample {
        self.samples.get(i).copied().unwrap_or_default()
    }

    fn has_per_sample_fields(&self) -> bool {
        self.flags & (SAMPLE_DURATION | SAMPLE_SIZE | SAMPLE_FLAGS | SAMPLE_CTO) != 0
    }
}

impl BoxCodec for Trun {
    const TYPE: FourCc = types::TRUN;

    fn decode(r: &mut Reader<'_>) -> Result<Self> {
        let (version, flags) = r.full_header()?;
        let count = r.u32()?;
        let data_offset = if flags & DATA_OFFSET != 0 {
            Some(r.u32()? as i32)
        } else {
            None
        };
        let first_sample_flags = if flags & FIRST_SAMPLE_FLAGS != 0 {
            Some(r.u32()?)
        } else {
            None
        };
        let per = [SAMPLE_DURATION, SAMPLE_SIZE, SAMPLE_FLAGS, SAMPLE_CTO]
            .iter()
            .filter(|b| flags & **b != 0)
            .count() as u64
            * 4;
        // Each sample needs `per` bytes; with no per-sample fields nothing is stored.
        let n = if per == 0 {
            0
        } else {
            r.check_count(u64::from(count), per)?
        };
        let mut samples = Vec::with_capacity(n);
        for _ in 0..n {
            let mut s = TrunSample::default();
            if flags & SAMPLE_DURATION != 0 {
                s.duration = r.u32()?;
            }
            if flags & SAMPLE_SIZE != 0 {
                s.size = r.u32()?;
            }
            if flags & SAMPLE_FLAGS != 0 {
                s.flags = r.u32()?;
            }
            if flags & SAMPLE_CTO != 0 {
                s.composition_time_offset = r.u32()?;
            }
            samples.push(s);
        }
        Ok(Trun {
            version,
            flags: flags & (SAMPLE_DURATION | SAMPLE_SIZE | SAMPLE_FLAGS | SAMPLE_CTO),
            data_offset,
            first_sample_flags,
            sample_count: count,
            samples,
        })
    }

    fn encode(&self, out: &mut Vec<u8>) {
        let mut flags = self.flags & (SAMPLE_DURATION | SAMPLE_SIZE | SAMPLE_FLAGS | SAMPLE_CTO);
        if self.data_offset.is_some() {
            flags |= DATA_OFFSET;
        }
        if self.first_sample_flags.is_some() {
            flags |= FIRST_SAMPLE_FLAGS;
        }
        out.put_full_header(self.version, flags);
        let count = if self.has_per_sample_fields() {
            self.samples.len() as u32
        } else {
            self.sample_count
        };
        out.put_u32(count);
        if let Some(d) = self.data_offset {
            out.put_u32(d as u32);
        }
        if let Some(f) = self.first_sample_flags {
            out.put_u32(f);
        }
        for s in &self.samples {
            if flags & SAMPLE_DURATION != 0 {
                out.put_u32(s.duration);
            }
            if flags & SAMPLE_SIZE != 0 {
                out.put_u32(s.size);
            }
            if flags & SAMPLE_FLAGS != 0 {
                out.put_u32(s.flags);
            }
            if flags & SAMPLE_CTO != 0 {
                out.put_u32(s.composition_time_offset);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let t = Trun {
            version: 1,
            flags: SAMPLE_SIZE | SAMPLE_CTO,
            data_offset: Some(-8),
            first_sample_flags: Some(0x0200_0000),
            sample_count: 2,
            samples: vec![
                TrunSample {
                    size: 100,
                    composition_time_offset: (-512i32) as u32,
                    ..Default::default()
                },
                TrunSample {
                    size: 50,
                    ..Default::default()
                },
            ],
        };
        let b = t.to_bytes();
        assert_eq!(b.len(), 8 + 8 + 8 + 16);
        assert_eq!(Trun::parse(&b[8..], 8).unwrap(), t);
    }

    #[test]
    fn huge_counts_cost_no_memory() {
        // Per-sample sizes that are not there: an error, not an allocation.
        let mut p = vec![0, 0, 2, 0];
        p.extend_from_slice(&u32::MAX.to_be_bytes());
        assert!(Trun::parse(&p, 0).is_err());
        // No per-sample fields: the count is kept, nothing is allocated.
        let mut p = vec![0, 0, 0, 0];
        p.extend_from_slice(&u32::MAX.to_be_bytes());
        let t = Trun::parse(&p, 0).unwrap();
        assert_eq!((t.sample_count, t.samples.len()), (u32::MAX, 0));
        assert_eq!(t.to_bytes()[8..], p[..]);
    }

    crate::boxes::codec_proptest!(arbitrary_trun, Trun);
}
