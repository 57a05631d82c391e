//! PIFF 1.1 uuid boxes (Protected Interoperable File Format, Microsoft 2010, §5.3; layout as
//! Bento4 `Ap4Piff.h` reads it): the pre-CENC forms that Smooth Streaming files carry.

use crate::boxes::moof::senc::Senc;
use crate::boxes::{Body, BoxCodec, Mp4Box};
use crate::bytes::{Put, Reader};
use crate::error::Result;
use crate::fourcc::{FourCc, types};
use crate::kid::Kid;

use super::pssh::SystemId;

/// PIFF track encryption box extended type.
pub const TRACK_ENCRYPTION: [u8; 16] = [
    0x89, 0x74, 0xdb, 0xce, 0x7b, 0xe7, 0x4c, 0x51, 0x84, 0xf9, 0x71, 0x48, 0xf9, 0x88, 0x25, 0x54,
];
/// PIFF sample encryption box extended type.
pub const SAMPLE_ENCRYPTION: [u8; 16] = [
    0xa2, 0x39, 0x4f, 0x52, 0x5a, 0x9b, 0x4f, 0x14, 0xa2, 0x44, 0x6c, 0x42, 0x7c, 0x64, 0x8d, 0xf4,
];
/// PIFF protection system specific header box extended type.
pub const PROTECTION_HEADER: [u8; 16] = [
    0xd0, 0x8a, 0x4f, 0x18, 0x10, 0xf3, 0x4a, 0x82, 0xb6, 0xc8, 0x32, 0xd8, 0xab, 0xa1, 0x83, 0xd3,
];

/// PIFF AlgorithmID values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PiffAlgorithm {
    /// 0: not encrypted.
    None,
    /// 1: AES-128 CTR.
    AesCtr,
    /// 2: AES-128 CBC.
    AesCbc,
    /// Anything else, kept.
    Other(u32),
}

impl PiffAlgorithm {
    /// From the 24-bit field.
    pub fn from_u32(v: u32) -> Self {
        match v {
            0 => Self::None,
            1 => Self::AesCtr,
            2 => Self::AesCbc,
            n => Self::Other(n),
        }
    }

    /// To the 24-bit field.
    pub fn to_u32(self) -> u32 {
        match self {
            Self::None => 0,
            Self::AesCtr => 1,
            Self::AesCbc => 2,
            Self::Other(n) => n,
        }
    }
}

fn uuid_box(user_type: [u8; 16], payload: Vec<u8>) -> Mp4Box {
    Mp4Box {
        user_type: Some(user_type),
        ..Mp4Box::raw(types::UUID, payload)
    }
}

/// True when `b` is the uuid box with extended type `t`.
pub fn is_uuid(b: &Mp4Box, t: &[u8; 16]) -> bool {
    b.box_type == types::UUID && b.user_type.as_ref() == Some(t)
}

/// PIFF track encryption box (the PIFF `tenc`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PiffTrackEncryption {
    /// Algorithm.
    pub algorithm: PiffAlgorithm,
    /// IV size (8 or 16).
    pub iv_size: u8,
    /// Default KID.
    pub kid: Kid,
}

impl BoxCodec for PiffTrackEncryption {
    const TYPE: FourCc = types::UUID;

    fn decode(r: &mut Reader<'_>) -> Result<Self> {
        r.full_header()?;
        Ok(PiffTrackEncryption {
            algorithm: PiffAlgorithm::from_u32(r.u24()?),
            iv_size: r.u8()?,
            kid: Kid(r.array()?),
        })
    }

    fn encode(&self, out: &mut Vec<u8>) {
        out.put_full_header(0, 0);
        out.put_u24(self.algorithm.to_u32());
        out.put_u8(self.iv_size);
        out.extend_from_slice(&self.kid.0);
    }

    fn to_box(&self) -> Mp4Box {
        let mut p = Vec::new();
        self.encode(&mut p);
        uuid_box(TRACK_ENCRYPTION, p)
    }
}

/// PIFF sample encryption box: an optional override of the track's algorithm, IV size and
/// KID (flags bit 0), then a body laid out like `senc` (flags bit 1 = subsamples).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PiffSampleEncryption {
    /// Override block.
    pub override_params: Option<PiffTrackEncryption>,
    /// The `senc`-shaped body.
    pub senc: Senc,
}

impl BoxCodec for PiffSampleEncryption {
    const TYPE: FourCc = types::UUID;

    fn decode(r: &mut Reader<'_>) -> Result<Self> {
        let (version, flags) = r.full_header()?;
        let override_params = if flags & 1 != 0 {
            Some(PiffTrackEncryption {
                algorithm: PiffAlgorithm::from_u32(r.u24()?),
                iv_size: r.u8()?,
                kid: Kid(r.array()?),
            })
        } else {
            None
        };
        let senc = Senc::decode_body(r, version, flags & !1)?;
        Ok(PiffSampleEncryption {
            override_params,
            senc,
        })
    }

    fn encode(&self, out: &mut Vec<u8>) {
        let flags = (self.senc.flags & !1) | u32::from(self.override_params.is_some());
        out.put_full_header(self.senc.version, flags);
        if let Some(o) = &self.override_params {
            out.put_u24(o.algorithm.to_u32());
            out.put_u8(o.iv_size);
            out.extend_from_slice(&o.kid.0);
        }
        self.senc.encode_body(out);
    }

    fn to_box(&self) -> Mp4Box {
        let mut p = Vec::new();
        self.encode(&mut p);
        uuid_box(SAMPLE_ENCRYPTION, p)
    }
}

/// PIFF protection system specific header (the PIFF `pssh`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PiffProtectionHeader {
    /// The DRM system.
    pub system_id: SystemId,
    /// System data (a PlayReady Object for PlayReady).
    pub data: Vec<u8>,
}

impl BoxCodec for PiffProtectionHeader {
    const TYPE: FourCc = types::UUID;

    fn decode(r: &mut Reader<'_>) -> Result<Self> {
        r.full_header()?;
        let system_id = SystemId(r.array()?);
        let n = r.u32()?;
        Ok(PiffProtectionHeader {
            system_id,
            data: r.bytes(n as usize)?.to_vec(),
        })
    }

    fn encode(&self, out: &mut Vec<u8>) {
        out.put_full_header(0, 0);
        out.extend_from_slice(&self.system_id.0);
        out.put_u32(self.data.len() as u32);
        out.extend_from_slice(&self.data);
    }

    fn to_box(&self) -> Mp4Box {
        let mut p = Vec::new();
        self.encode(&mut p);
        uuid_box(PROTECTION_HEADER, p)
    }
}

/// Reads a typed PIFF box from a tree node if its extended type matches.
pub fn read<T: BoxCodec>(b: &Mp4Box, user_type: &[u8; 16]) -> Option<Result<T>> {
    if !is_uuid(b, user_type) {
        return None;
    }
    match &b.body {
        Body::Raw(p) => Some(T::parse(p, b.payload_offset())),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::boxes::moof::senc::{SampleAux, Subsample};
    use crate::boxes::parse_all;

    #[test]
    fn round_trips_through_the_tree() {
        let te = PiffTrackEncryption {
            algorithm: PiffAlgorithm::AesCtr,
            iv_size: 8,
            kid: Kid([5; 16]),
        };
        let tree = parse_all(&te.to_bytes()).unwrap();
        assert_eq!(
            read::<PiffTrackEncryption>(&tree[0], &TRACK_ENCRYPTION)
                .unwrap()
                .unwrap(),
            te
        );
        assert!(read::<PiffTrackEncryption>(&tree[0], &SAMPLE_ENCRYPTION).is_none());

        let se = PiffSampleEncryption {
            override_params: Some(PiffTrackEncryption {
                algorithm: PiffAlgorithm::AesCbc,
                iv_size: 16,
                kid: Kid([6; 16]),
            }),
            senc: Senc::build(&[SampleAux {
                iv: vec![1; 16],
                subsamples: vec![Subsample {
                    clear: 4,
                    protected: 32,
                }],
            }]),
        };
        let tree = parse_all(&se.to_bytes()).unwrap();
        let back = read::<PiffSampleEncryption>(&tree[0], &SAMPLE_ENCRYPTION)
            .unwrap()
            .unwrap();
        assert_eq!(back.override_params, se.override_params);
        assert_eq!(
            back.senc.entries_with_iv_size(16, 10).unwrap(),
            se.senc.entries_with_iv_size(16, 10).unwrap()
        );

        let ph = PiffProtectionHeader {
            system_id: SystemId::PLAYREADY,
            data: vec![1, 2, 3],
        };
        let tree = parse_all(&ph.to_bytes()).unwrap();
        assert_eq!(
            read::<PiffProtectionHeader>(&tree[0], &PROTECTION_HEADER)
                .unwrap()
                .unwrap(),
            ph
        );
    }

    crate::boxes::codec_proptest!(arbitrary_piff_tenc, PiffTrackEncryption);
    crate::boxes::codec_proptest!(arbitrary_piff_senc, PiffSampleEncryption);
    crate::boxes::codec_proptest!(arbitrary_piff_header, PiffProtectionHeader);
}
