//! `hdlr` (ISO/IEC 14496-12 §8.4.3): the track's handler (`vide`, `soun`, `subt`, `text`).

use crate::boxes::BoxCodec;
use crate::bytes::{Put, Reader};
use crate::error::Result;
use crate::fourcc::{FourCc, types};

/// Handler reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hdlr {
    /// QuickTime component type (0 in ISO files).
    pub pre_defined: u32,
    /// Handler type.
    pub handler_type: FourCc,
    /// Name bytes as stored (usually UTF-8 with a trailing NUL; QuickTime uses a Pascal
    /// string), kept raw for exact round trips.
    pub name: Vec<u8>,
}

impl Hdlr {
    /// The name as text, without NULs or a QuickTime length byte.
    pub fn name_text(&self) -> String {
        let s = String::from_utf8_lossy(&self.name);
        s.trim_matches(|c: char| c == '\0' || c.is_control())
            .to_string()
    }
}

impl BoxCodec for Hdlr {
    const TYPE: FourCc = types::HDLR;

    fn decode(r: &mut Reader<'_>) -> Result<Self> {
        r.full_header()?;
        let pre_defined = r.u32()?;
        let handler_type = r.fourcc()?;
        r.skip(12)?;
        Ok(Hdlr {
            pre_defined,
            handler_type,
            name: r.rest().to_vec(),
        })
    }

    fn encode(&self, out: &mut Vec<u8>) {
        out.put_full_header(0, 0);
        out.put_u32(self.pre_defined);
        out.extend_from_slice(&self.handler_type.0);
        out.extend_from_slice(&[0; 12]);
        out.extend_from_slice(&self.name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let h = Hdlr {
            pre_defined: 0,
            handler_type: types::VIDE,
            name: b"VideoHandler\0".to_vec(),
        };
        let b = h.to_bytes();
        let p = Hdlr::parse(&b[8..], 8).unwrap();
        assert_eq!(p, h);
        assert_eq!(p.name_text(), "VideoHandler");
    }

    crate::boxes::codec_proptest!(arbitrary_hdlr, Hdlr);
}
