//! `ftyp` and `styp` (ISO/IEC 14496-12 §4.3, §8.16.2): brands.

use super::BoxCodec;
use crate::bytes::{Put, Reader};
use crate::error::Result;
use crate::fourcc::{FourCc, types};

/// File type box.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ftyp {
    /// Major brand.
    pub major_brand: FourCc,
    /// Minor version.
    pub minor_version: u32,
    /// Compatible brands.
    pub compatible_brands: Vec<FourCc>,
}

impl BoxCodec for Ftyp {
    const TYPE: FourCc = types::FTYP;

    fn decode(r: &mut Reader<'_>) -> Result<Self> {
        let major_brand = r.fourcc()?;
        let minor_version = r.u32()?;
        let mut compatible_brands = Vec::with_capacity(r.remaining() / 4);
        while r.remaining() >= 4 {
            compatible_brands.push(r.fourcc()?);
        }
        if !r.is_empty() {
            return Err(r.invalid("brand list is not a multiple of 4 bytes"));
        }
        Ok(Ftyp {
            major_brand,
            minor_version,
            compatible_brands,
        })
    }

    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.major_brand.0);
        out.put_u32(self.minor_version);
        for b in &self.compatible_brands {
            out.extend_from_slice(&b.0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let f = Ftyp {
            major_brand: FourCc::new(b"iso6"),
            minor_version: 0,
            compatible_brands: vec![FourCc::new(b"iso6"), FourCc::new(b"dash")],
        };
        let bytes = f.to_bytes();
        assert_eq!(&bytes[4..8], b"ftyp");
        assert_eq!(Ftyp::parse(&bytes[8..], 8).unwrap(), f);
        assert!(Ftyp::parse(&bytes[8..bytes.len() - 1], 8).is_err());
    }

    super::super::codec_proptest!(arbitrary_ftyp, Ftyp);
}
