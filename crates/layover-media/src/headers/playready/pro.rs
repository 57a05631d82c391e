//! The PlayReady Object (PlayReady Header Specification §2): little-endian u32 total length,
//! u16 record count, then records of {u16 type, u16 length, value}.

use crate::error::{Error, Result};

use super::wrmheader::WrmHeader;

/// Record type 1: a WRMHEADER as UTF-16LE XML.
pub const RECORD_WRMHEADER: u16 = 1;
/// Record type 3: an embedded license store.
pub const RECORD_EMBEDDED_LICENSE_STORE: u16 = 3;

/// Largest PRO the specification allows (15 KB), used to refuse absurd lengths.
const MAX_PRO_LEN: usize = 15 * 1024;

/// One record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProRecord {
    /// Record type.
    pub record_type: u16,
    /// Record value.
    pub value: Vec<u8>,
}

/// A PlayReady Object.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Pro {
    /// Records in order.
    pub records: Vec<ProRecord>,
}

fn err(reason: String) -> Error {
    Error::PlayReady(reason)
}

impl Pro {
    /// A PRO holding one WRMHEADER record.
    pub fn from_header(h: &WrmHeader) -> Self {
        Pro {
            records: vec![ProRecord {
                record_type: RECORD_WRMHEADER,
                value: h.to_utf16le(),
            }],
        }
    }

    /// Parses a PRO. The declared total length must match the data (a PRO inside a `pssh`
    /// or `mspr:pro` is exactly that long).
    pub fn parse(data: &[u8]) -> Result<Self> {
        if data.len() < 6 {
            return Err(err(format!(
                "PlayReady Object of {} bytes, need at least 6",
                data.len()
            )));
        }
        let total = u32::from_le_bytes([data[0], data[1], data[2], data[3]]) as usize;
        if total != data.len() {
            return Err(err(format!(
                "PlayReady Object length field says {total} bytes, data has {}",
                data.len()
            )));
        }
        if total > MAX_PRO_LEN {
            return Err(err(format!(
                "PlayReady Object of {total} bytes exceeds 15 KB"
            )));
        }
        let count = u16::from_le_bytes([data[4], data[5]]);
        let mut pos = 6usize;
        let mut records = Vec::with_capacity(usize::from(count).min(total / 4));
        for i in 0..count {
            let head = data
                .get(pos..pos + 4)
                .ok_or_else(|| err(format!("record {i} header at byte {pos} runs past the end")))?;
            let record_type = u16::from_le_bytes([head[0], head[1]]);
            let len = usize::from(u16::from_le_bytes([head[2], head[3]]));
            let value = data.get(pos + 4..pos + 4 + len).ok_or_else(|| {
                err(format!(
                    "record {i} (type {record_type}, {len} bytes) runs past the end"
                ))
            })?;
            records.push(ProRecord {
                record_type,
                value: value.to_vec(),
            });
            pos += 4 + len;
        }
        if pos != total {
            return Err(err(format!("{} bytes after the last record", total - pos)));
        }
        Ok(Pro { records })
    }

    /// Encodes the PRO.
    pub fn to_bytes(&self) -> Vec<u8> {
        let total = 6 + self
            .records
            .iter()
            .map(|r| 4 + r.value.len())
            .sum::<usize>();
        let mut out = Vec::with_capacity(total);
        out.extend_from_slice(&(total as u32).to_le_bytes());
        out.extend_from_slice(&(self.records.len() as u16).to_le_bytes());
        for r in &self.records {
            out.extend_from_slice(&r.record_type.to_le_bytes());
            out.extend_from_slice(&(r.value.len() as u16).to_le_bytes());
            out.extend_from_slice(&r.value);
        }
        out
    }

    /// The first WRMHEADER record, parsed.
    pub fn wrm_header(&self) -> Result<WrmHeader> {
        let r = self
            .records
            .iter()
            .find(|r| r.record_type == RECORD_WRMHEADER)
            .ok_or_else(|| err("no WRMHEADER record (type 1)".into()))?;
        WrmHeader::parse_utf16le(&r.value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn layout_is_little_endian() {
        let p = Pro {
            records: vec![ProRecord {
                record_type: 1,
                value: vec![0x3c, 0x00],
            }],
        };
        let b = p.to_bytes();
        assert_eq!(b, [12, 0, 0, 0, 1, 0, 1, 0, 2, 0, 0x3c, 0]);
        assert_eq!(Pro::parse(&b).unwrap(), p);
    }

    #[test]
    fn bad_lengths_are_named() {
        assert!(Pro::parse(&[1, 2]).is_err());
        let e = Pro::parse(&[12, 0, 0, 0, 1, 0, 1, 0, 9, 0, 0, 0]).unwrap_err();
        assert!(e.to_string().contains("runs past the end"), "{e}");
        let e = Pro::parse(&[7, 0, 0, 0, 0, 0]).unwrap_err();
        assert!(e.to_string().contains("length field"), "{e}");
    }

    proptest! {
        #[test]
        fn build_parse_round_trip(recs in proptest::collection::vec((any::<u16>(), proptest::collection::vec(any::<u8>(), 0..64)), 0..4)) {
            let p = Pro { records: recs.into_iter().map(|(t, v)| ProRecord { record_type: t, value: v }).collect() };
            prop_assert_eq!(Pro::parse(&p.to_bytes()).unwrap(), p);
        }

        #[test]
        fn arbitrary_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..200)) {
            if let Ok(p) = Pro::parse(&data) {
                prop_assert_eq!(p.to_bytes(), data);
                let _ = p.wrm_header();
            }
        }
    }
}
