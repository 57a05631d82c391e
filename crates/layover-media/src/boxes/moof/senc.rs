//! `senc` (ISO/IEC 23001-7 §7.2): per-sample IVs and subsample maps.
//!
//! The IV size of each entry is not in the box: it comes from `tenc`, or from the sample's
//! `seig` group, and may change from sample to sample (key rotation). So the box keeps its
//! entries as raw bytes and [`AuxReader`] reads them one at a time, given each sample's IV
//! size. Reading lazily also means a hostile sample count never allocates anything.

use crate::boxes::BoxCodec;
use crate::bytes::{Put, Reader};
use crate::error::Result;
use crate::fourcc::{FourCc, types};

/// `senc` flag: subsample maps are present (ISO/IEC 23001-7 §7.2.2 `UseSubSampleEncryption`).
pub const USE_SUBSAMPLES: u32 = 0x2;

/// One subsample: clear bytes followed by protected bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Subsample {
    /// Bytes left in the clear (NAL headers and the like).
    pub clear: u16,
    /// Bytes protected after them.
    pub protected: u32,
}

/// One sample's auxiliary information.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SampleAux {
    /// The IV (0, 8 or 16 bytes).
    pub iv: Vec<u8>,
    /// Subsamples; empty means the whole sample is protected.
    pub subsamples: Vec<Subsample>,
}

/// Sample encryption box. Also the body of PIFF's sample encryption uuid box.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Senc {
    /// Box version.
    pub version: u8,
    /// Flags ([`USE_SUBSAMPLES`]).
    pub flags: u32,
    /// Number of entries.
    pub sample_count: u32,
    /// The entries, raw.
    pub entries: Vec<u8>,
    /// Absolute offset of `entries` as read, for error messages.
    pub entries_offset: u64,
}

impl Senc {
    /// Builds a box from entries.
    pub fn build(entries: &[SampleAux]) -> Senc {
        let subsamples = entries.iter().any(|e| !e.subsamples.is_empty());
        let mut raw = Vec::new();
        for e in entries {
            write_entry(&mut raw, e, subsamples);
        }
        Senc {
            version: 0,
            flags: if subsamples { USE_SUBSAMPLES } else { 0 },
            sample_count: entries.len() as u32,
            entries: raw,
            entries_offset: 0,
        }
    }

    /// A reader for the entries, for a box of type `box_type` (`senc` or `uuid`).
    pub fn reader(&self, box_type: FourCc) -> AuxReader<'_> {
        AuxReader {
            r: Reader::new(&self.entries, box_type, self.entries_offset),
            subsamples: self.flags & USE_SUBSAMPLES != 0,
            left: self.sample_count,
        }
    }

    /// Reads every entry with one IV size, at most `limit` of them.
    pub fn entries_with_iv_size(&self, iv_size: u8, limit: usize) -> Result<Vec<SampleAux>> {
        let mut r = self.reader(types::SENC);
        let n = (self.sample_count as usize).min(limit);
        (0..n).map(|_| r.next(iv_size)).collect()
    }

    pub(crate) fn decode_body(r: &mut Reader<'_>, version: u8, flags: u32) -> Result<Self> {
        let sample_count = r.u32()?;
        let entries_offset = r.offset();
        Ok(Senc {
            version,
            flags,
            sample_count,
            entries: r.rest().to_vec(),
            entries_offset,
        })
    }

    pub(crate) fn encode_body(&self, out: &mut Vec<u8>) {
        out.put_u32(self.sample_count);
        out.extend_from_slice(&self.entries);
    }
}

/// Appends one entry.
pub fn write_entry(out: &mut Vec<u8>, e: &SampleAux, subsamples: bool) {
    out.extend_from_slice(&e.iv);
    if subsamples {
        out.put_u16(e.subsamples.len() as u16);
        for s in &e.subsamples {
            out.put_u16(s.clear);
            out.put_u32(s.protected);
        }
    }
}

/// Reads `senc` entries one sample at a time.
#[derive(Debug, Clone)]
pub struct AuxReader<'a> {
    r: Reader<'a>,
    subsamples: bool,
    left: u32,
}

impl AuxReader<'_> {
    /// Entries not yet read.
    pub fn left(&self) -> u32 {
        self.left
    }

    /// Reads the next entry whose IV is `iv_size` bytes.
    pub fn next(&mut self, iv_size: u8) -> Result<SampleAux> {
        if self.left == 0 {
            return Err(self
                .r
                .invalid("more samples than sample encryption entries"));
        }
        self.left -= 1;
        let iv = self.r.bytes(usize::from(iv_size))?.to_vec();
        let mut subsamples = Vec::new();
        if self.subsamples {
            let n = self.r.u16()?;
            let n = self.r.check_count(u64::from(n), 6)?;
            subsamples.reserve(n);
            for _ in 0..n {
                subsamples.push(Subsample {
                    clear: self.r.u16()?,
                    protected: self.r.u32()?,
                });
            }
        }
        Ok(SampleAux { iv, subsamples })
    }
}

impl BoxCodec for Senc {
    const TYPE: FourCc = types::SENC;

    fn decode(r: &mut Reader<'_>) -> Result<Self> {
        let (version, flags) = r.full_header()?;
        Self::decode_body(r, version, flags)
    }

    fn encode(&self, out: &mut Vec<u8>) {
        out.put_full_header(self.version, self.flags);
        self.encode_body(out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn build_and_read_back() {
        let entries = vec![
            SampleAux {
                iv: vec![1; 8],
                subsamples: vec![Subsample {
                    clear: 5,
                    protected: 32,
                }],
            },
            SampleAux {
                iv: vec![2; 8],
                subsamples: vec![
                    Subsample {
                        clear: 1,
                        protected: 0,
                    },
                    Subsample {
                        clear: 7,
                        protected: 16,
                    },
                ],
            },
        ];
        let s = Senc::build(&entries);
        let b = s.to_bytes();
        let p = Senc::parse(&b[8..], 8).unwrap();
        assert_eq!(p.entries_with_iv_size(8, 100).unwrap(), entries);
        assert!(p.entries_with_iv_size(16, 100).is_err());
    }

    proptest! {
        #[test]
        fn entries_round_trip(ivs in proptest::collection::vec((any::<[u8; 16]>(),
                proptest::collection::vec((any::<u16>(), any::<u32>()), 0..4)), 0..6),
                iv16 in any::<bool>()) {
            let n = if iv16 { 16 } else { 8 };
            let entries: Vec<SampleAux> = ivs.iter().map(|(iv, subs)| SampleAux {
                iv: iv[..n].to_vec(),
                subsamples: subs.iter().map(|(c, p)| Subsample { clear: *c, protected: *p }).collect(),
            }).collect();
            let s = Senc::build(&entries);
            let p = Senc::parse(&s.to_bytes()[8..], 8).unwrap();
            let got = p.entries_with_iv_size(n as u8, 100).unwrap();
            // Without any subsample the flag is off and empty lists stay empty.
            prop_assert_eq!(got, entries);
        }

        #[test]
        fn arbitrary_entries_never_panic(data in proptest::collection::vec(any::<u8>(), 0..200), iv in 0u8..20) {
            if let Ok(s) = Senc::parse(&data, 0) {
                let _ = s.entries_with_iv_size(iv, 1000);
            }
        }
    }

    crate::boxes::codec_proptest!(arbitrary_senc, Senc);
}
