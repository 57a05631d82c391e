//! `tfhd` (ISO/IEC 14496-12 §8.8.7): the track a `traf` describes and its defaults.

use crate::boxes::BoxCodec;
use crate::bytes::{Put, Reader};
use crate::error::Result;
use crate::fourcc::{FourCc, types};

/// `base-data-offset-present`.
pub const BASE_DATA_OFFSET: u32 = 0x1;
/// `sample-description-index-present`.
pub const SAMPLE_DESCRIPTION_INDEX: u32 = 0x2;
/// `default-sample-duration-present`.
pub const DEFAULT_DURATION: u32 = 0x8;
/// `default-sample-size-present`.
pub const DEFAULT_SIZE: u32 = 0x10;
/// `default-sample-flags-present`.
pub const DEFAULT_FLAGS: u32 = 0x20;
/// `duration-is-empty`.
pub const DURATION_IS_EMPTY: u32 = 0x1_0000;
/// `default-base-is-moof`.
pub const DEFAULT_BASE_IS_MOOF: u32 = 0x2_0000;

/// Track fragment header. Optional fields are `Some` exactly when their flag is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tfhd {
    /// Flags other than the field-presence ones (`duration-is-empty`, `default-base-is-moof`).
    pub flags: u32,
    /// Track ID.
    pub track_id: u32,
    /// Explicit base data offset.
    pub base_data_offset: Option<u64>,
    /// Sample description index (1-based).
    pub sample_description_index: Option<u32>,
    /// Default sample duration.
    pub default_sample_duration: Option<u32>,
    /// Default sample size.
    pub default_sample_size: Option<u32>,
    /// Default sample flags.
    pub default_sample_flags: Option<u32>,
}

impl BoxCodec for Tfhd {
    const TYPE: FourCc = types::TFHD;

    fn decode(r: &mut Reader<'_>) -> Result<Self> {
        let (_, flags) = r.full_header()?;
        let track_id = r.u32()?;
        let mut t = Tfhd {
            flags: flags & (DURATION_IS_EMPTY | DEFAULT_BASE_IS_MOOF),
            track_id,
            ..Tfhd::default()
        };
        if flags & BASE_DATA_OFFSET != 0 {
            t.base_data_offset = Some(r.u64()?);
        }
        if flags & SAMPLE_DESCRIPTION_INDEX != 0 {
            t.sample_description_index = Some(r.u32()?);
        }
        if flags & DEFAULT_DURATION != 0 {
            t.default_sample_duration = Some(r.u32()?);
        }
        if flags & DEFAULT_SIZE != 0 {
            t.default_sample_size = Some(r.u32()?);
        }
        if flags & DEFAULT_FLAGS != 0 {
            t.default_sample_flags = Some(r.u32()?);
        }
        Ok(t)
    }

    fn encode(&self, out: &mut Vec<u8>) {
        let mut flags = self.flags & (DURATION_IS_EMPTY | DEFAULT_BASE_IS_MOOF);
        for (present, bit) in [
            (self.base_data_offset.is_some(), BASE_DATA_OFFSET),
            (
                self.sample_description_index.is_some(),
                SAMPLE_DESCRIPTION_INDEX,
            ),
            (self.default_sample_duration.is_some(), DEFAULT_DURATION),
            (self.default_sample_size.is_some(), DEFAULT_SIZE),
            (self.default_sample_flags.is_some(), DEFAULT_FLAGS),
        ] {
            if present {
                flags |= bit;
            }
        }
        out.put_full_header(0, flags);
        out.put_u32(self.track_id);
        if let Some(v) = self.base_data_offset {
            out.put_u64(v);
        }
        for v in [
            self.sample_description_index,
            self.default_sample_duration,
            self.default_sample_size,
            self.default_sample_flags,
        ]
        .into_iter()
        .flatten()
        {
            out.put_u32(v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let t = Tfhd {
            flags: DEFAULT_BASE_IS_MOOF,
            track_id: 1,
            base_data_offset: Some(1234),
            sample_description_index: Some(2),
            default_sample_duration: Some(512),
            default_sample_size: None,
            default_sample_flags: Some(0x0101_0000),
        };
        let b = t.to_bytes();
        assert_eq!(b.len(), 8 + 4 + 4 + 8 + 12);
        assert_eq!(Tfhd::parse(&b[8..], 8).unwrap(), t);
    }

    crate::boxes::codec_proptest!(arbitrary_tfhd, Tfhd);
}
