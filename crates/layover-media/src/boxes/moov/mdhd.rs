//! `mdhd` (ISO/IEC 14496-12 §8.4.2): timescale, duration, language.

use crate::boxes::BoxCodec;
use crate::bytes::{Put, Reader};
use crate::error::Result;
use crate::fourcc::{FourCc, types};

/// Media header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mdhd {
    /// 0 or 1.
    pub version: u8,
    /// Creation time.
    pub creation_time: u64,
    /// Modification time.
    pub modification_time: u64,
    /// Units per second.
    pub timescale: u32,
    /// Duration in `timescale` units.
    pub duration: u64,
    /// ISO-639-2/T language packed as three 5-bit letters.
    pub language_code: u16,
}

impl Mdhd {
    /// The three-letter language (`und` when unset or not letters).
    pub fn language(&self) -> String {
        let c = |shift: u16| (((self.language_code >> shift) & 0x1f) as u8).wrapping_add(0x60);
        let s = [c(10), c(5), c(0)];
        if s.iter().all(u8::is_ascii_lowercase) {
            String::from_utf8_lossy(&s).into_owned()
        } else {
            "und".into()
        }
    }
}

impl BoxCodec for Mdhd {
    const TYPE: FourCc = types::MDHD;

    fn decode(r: &mut Reader<'_>) -> Result<Self> {
        let (version, _) = r.full_header()?;
        let v1 = version == 1;
        let creation_time = r.u32_or_u64(v1)?;
        let modification_time = r.u32_or_u64(v1)?;
        let timescale = r.u32()?;
        let duration = r.u32_or_u64(v1)?;
        let language_code = r.u16()? & 0x7fff;
        r.skip(2)?;
        Ok(Mdhd {
            version: u8::from(v1),
            creation_time,
            modification_time,
            timescale,
            duration,
            language_code,
        })
    }

    fn encode(&self, out: &mut Vec<u8>) {
        let v1 = self.version == 1;
        out.put_full_header(u8::from(v1), 0);
        for t in [self.creation_time, self.modification_time] {
            if v1 {
                out.put_u64(t)
            } else {
                out.put_u32(t as u32)
            }
        }
        out.put_u32(self.timescale);
        if v1 {
            out.put_u64(self.duration)
        } else {
            out.put_u32(self.duration as u32)
        }
        out.put_u16(self.language_code & 0x7fff);
        out.put_u16(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_and_round_trip() {
        // "eng" = e(5) n(14) g(7).
        let m = Mdhd {
            version: 0,
            creation_time: 0,
            modification_time: 0,
            timescale: 48000,
            duration: 288000,
            language_code: (5 << 10) | (14 << 5) | 7,
        };
        assert_eq!(m.language(), "eng");
        let b = m.to_bytes();
        assert_eq!(Mdhd::parse(&b[8..], 8).unwrap(), m);
    }

    crate::boxes::codec_proptest!(arbitrary_mdhd, Mdhd);
}
