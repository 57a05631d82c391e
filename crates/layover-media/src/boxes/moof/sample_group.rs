//! Sample groups: `sbgp` and `sgpd` (ISO/IEC 14496-12 §8.9.2, §8.9.3), and the `seig`
//! group entry of ISO/IEC 23001-7 §6 that switches keys (rotation) or turns protection off
//! (clear lead) for groups of samples.

use crate::boxes::BoxCodec;
use crate::bytes::{Put, Reader};
use crate::error::Result;
use crate::fourcc::{FourCc, types};
use crate::kid::Kid;

/// Group description indices above this refer to the `sgpd` in the same fragment
/// (ISO/IEC 14496-12 §8.9.4); at or below, to the one in `stbl`.
pub const FRAGMENT_LOCAL_INDEX_BASE: u32 = 0x10000;

/// One run of samples in a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SbgpEntry {
    /// How many consecutive samples.
    pub sample_count: u32,
    /// 1-based description index, 0 for "no group".
    pub group_description_index: u32,
}

/// Sample-to-group box.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sbgp {
    /// 0 or 1 (with parameter).
    pub version: u8,
    /// Grouping type (`seig` for encryption).
    pub grouping_type: FourCc,
    /// Version 1 parameter.
    pub grouping_type_parameter: Option<u32>,
    /// The runs.
    pub entries: Vec<SbgpEntry>,
}

impl Sbgp {
    /// The description index of sample `i` (0-based), 0 when outside every run.
    pub fn index_of_sample(&self, i: u64) -> u32 {
        let mut start = 0u64;
        for e in &self.entries {
            let end = start + u64::from(e.sample_count);
            if i < end {
                return e.group_description_index;
            }
            start = end;
        }
        0
    }
}

impl BoxCodec for Sbgp {
    const TYPE: FourCc = types::SBGP;

    fn decode(r: &mut Reader<'_>) -> Result<Self> {
        let (version, _) = r.full_header()?;
        let grouping_type = r.fourcc()?;
        let grouping_type_parameter = if version == 1 { Some(r.u32()?) } else { None };
        let n = r.u32()?;
        let n = r.check_count(u64::from(n), 8)?;
        let entries = (0..n)
            .map(|_| {
                Ok(SbgpEntry {
                    sample_count: r.u32()?,
                    group_description_index: r.u32()?,
                })
            })
            .collect::<Result<_>>()?;
        Ok(Sbgp {
            version: u8::from(version == 1),
            grouping_type,
            grouping_type_parameter,
            entries,
        })
    }

    fn encode(&self, out: &mut Vec<u8>) {
        let v1 = self.grouping_type_parameter.is_some();
        out.put_full_header(u8::from(v1), 0);
        out.extend_from_slice(&self.grouping_type.0);
        if let Some(p) = self.grouping_type_parameter {
            out.put_u32(p);
        }
        out.put_u32(self.entries.len() as u32);
        for e in &self.entries {
            out.put_u32(e.sample_count);
            out.put_u32(e.group_description_index);
        }
    }
}

/// Fast sample-to-group lookups: `Sbgp::index_of_sample` walks the runs, which is quadratic
/// over a whole fragment; this keeps the run ends for a binary search.
#[derive(Debug, Clone, Default)]
pub struct GroupLookup {
    ends: Vec<u64>,
    indices: Vec<u32>,
}

impl GroupLookup {
    /// Builds the lookup for a box.
    pub fn new(sbgp: &Sbgp) -> Self {
        let mut end = 0u64;
        let mut l = GroupLookup::default();
        for e in &sbgp.entries {
            end += u64::from(e.sample_count);
            l.ends.push(end);
            l.indices.push(e.group_description_index);
        }
        l
    }

    /// The description index of sample `i` (0-based), 0 when outside every run.
    pub fn index_of_sample(&self, i: u64) -> u32 {
        let k = self.ends.partition_point(|&end| end <= i);
        self.indices.get(k).copied().unwrap_or(0)
    }
}

/// Sample group description box. Entries are kept raw; [`Sgpd::seig_entries`] decodes them
/// for the `seig` grouping type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sgpd {
    /// 0, 1 or 2.
    pub version: u8,
    /// Grouping type.
    pub grouping_type: FourCc,
    /// Version 1: length shared by all entries, or 0 when each carries its own.
    pub default_length: u32,
    /// Version 2: default sample description index.
    pub default_sample_description_index: u32,
    /// Entries, raw.
    pub entries: Vec<Vec<u8>>,
}

impl Sgpd {
    /// Decodes the entries as `seig` entries.
    pub fn seig_entries(&self) -> Result<Vec<SeigEntry>> {
        self.entries
            .iter()
            .map(|e| SeigEntry::decode(&mut Reader::new(e, types::SGPD, 0)))
            .collect()
    }

    /// Builds a version 1 `seig` description box.
    pub fn from_seig(entries: &[SeigEntry]) -> Sgpd {
        Sgpd {
            version: 1,
            grouping_type: types::SEIG,
            default_length: 0,
            default_sample_description_index: 0,
            entries: entries.iter().map(SeigEntry::to_bytes).collect(),
        }
    }
}

impl BoxCodec for Sgpd {
    const TYPE: FourCc = types::SGPD;

    fn decode(r: &mut Reader<'_>) -> Result<Self> {
        let (version, _) = r.full_header()?;
        let grouping_type = r.fourcc()?;
        let default_length = if version == 1 { r.u32()? } else { 0 };
        let default_sample_description_index = if version >= 2 { r.u32()? } else { 0 };
        let n = r.u32()?;
        let n = r.check_count(u64::from(n), 1)?;
        let mut entries = Vec::with_capacity(n);
        for _ in 0..n {
            let len = if version == 1 {
                if default_length == 0 {
                    r.u32()?
                } else {
                    default_length
                }
            } else if grouping_type == types::SEIG {
                // Version 0 gives no length; `seig` entries describe their own.
                SeigEntry::length_at(&mut r.clone())? as u32
            } else {
                return Err(r.invalid(format!(
                    "version {version} '{grouping_type}' entries have no length"
                )));
            };
            entries.push(r.bytes(len as usize)?.to_vec());
        }
        Ok(Sgpd {
            version,
            grouping_type,
            default_length,
            default_sample_description_index,
            entries,
        })
    }

    fn encode(&self, out: &mut Vec<u8>) {
        // Versions 0 and 2 cannot say how long an entry is unless the type does, so write
        // those with a shared default length when all entries agree; version 1 otherwise.
        out.put_full_header(self.version, 0);
        out.extend_from_slice(&self.grouping_type.0);
        if self.version == 1 {
            out.put_u32(self.default_length);
        }
        if self.version >= 2 {
            out.put_u32(self.default_sample_description_index);
        }
        out.put_u32(self.entries.len() as u32);
        for e in &self.entries {
            if self.version == 1 && self.default_length == 0 {
                out.put_u32(e.len() as u32);
            }
            out.extend_from_slice(e);
        }
    }
}

/// `CencSampleEncryptionInformationGroupEntry` (ISO/IEC 23001-7 §6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeigEntry {
    /// Pattern: encrypted blocks.
    pub crypt_byte_block: u8,
    /// Pattern: clear blocks.
    pub skip_byte_block: u8,
    /// 0 = samples in this group are clear.
    pub is_protected: u8,
    /// Per-sample IV size for these samples.
    pub per_sample_iv_size: u8,
    /// KID for these samples.
    pub kid: Kid,
    /// Constant IV when protected with IV size 0.
    pub constant_iv: Option<Vec<u8>>,
}

impl SeigEntry {
    fn length_at(r: &mut Reader<'_>) -> Result<usize> {
        let e = Self::decode(r)?;
        Ok(20 + e.constant_iv.map_or(0, |iv| 1 + iv.len()))
    }

    /// Decodes one entry.
    pub fn decode(r: &mut Reader<'_>) -> Result<Self> {
        r.skip(1)?;
        let pattern = r.u8()?;
        let is_protected = r.u8()?;
        let per_sample_iv_size = r.u8()?;
        if !matches!(per_sample_iv_size, 0 | 8 | 16) {
            return Err(r.invalid(format!("seig per-sample IV size {per_sample_iv_size}")));
        }
        let kid = Kid(r.array()?);
        let constant_iv = if is_protected == 1 && per_sample_iv_size == 0 {
            let n = r.u8()?;
            Some(r.bytes(usize::from(n))?.to_vec())
        } else {
            None
        };
        Ok(SeigEntry {
            crypt_byte_block: pattern >> 4,
            skip_byte_block: pattern & 0xf,
            is_protected,
            per_sample_iv_size,
            kid,
            constant_iv,
        })
    }

    /// Encodes one entry.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = vec![
            0,
            (self.crypt_byte_block & 0xf) << 4 | (self.skip_byte_block & 0xf),
            self.is_protected,
            self.per_sample_iv_size,
        ];
        out.extend_from_slice(&self.kid.0);
        if self.is_protected == 1 && self.per_sample_iv_size == 0 {
            let iv = self.constant_iv.as_deref().unwrap_or(&[]);
            out.push(iv.len() as u8);
            out.extend_from_slice(iv);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seig_round_trip_v0_and_v1() {
        let entries = vec![
            SeigEntry {
                crypt_byte_block: 0,
                skip_byte_block: 0,
                is_protected: 0,
                per_sample_iv_size: 0,
                kid: Kid([0; 16]),
                constant_iv: None,
            },
            SeigEntry {
                crypt_byte_block: 1,
                skip_byte_block: 9,
                is_protected: 1,
                per_sample_iv_size: 0,
                kid: Kid([3; 16]),
                constant_iv: Some(vec![4; 16]),
            },
        ];
        let v1 = Sgpd::from_seig(&entries);
        let p = Sgpd::parse(&v1.to_bytes()[8..], 8).unwrap();
        assert_eq!(p.seig_entries().unwrap(), entries);
        let v0 = Sgpd { version: 0, ..v1 };
        let p = Sgpd::parse(&v0.to_bytes()[8..], 8).unwrap();
        assert_eq!(p.seig_entries().unwrap(), entries);

        let sbgp = Sbgp {
            version: 0,
            grouping_type: types::SEIG,
            grouping_type_parameter: None,
            entries: vec![
                SbgpEntry {
                    sample_count: 2,
                    group_description_index: 0x10001,
                },
                SbgpEntry {
                    sample_count: 3,
                    group_description_index: 0x10002,
                },
            ],
        };
        let p = Sbgp::parse(&sbgp.to_bytes()[8..], 8).unwrap();
        assert_eq!(p, sbgp);
        assert_eq!(p.index_of_sample(1), 0x10001);
        assert_eq!(p.index_of_sample(4), 0x10002);
        assert_eq!(p.index_of_sample(5), 0);
        let l = GroupLookup::new(&p);
        for i in 0..7 {
            assert_eq!(l.index_of_sample(i), p.index_of_sample(i));
        }
    }

    crate::boxes::codec_proptest!(arbitrary_sbgp, Sbgp);
    crate::boxes::codec_proptest!(arbitrary_sgpd, Sgpd);
}
