//! `pssh` (ISO/IEC 23001-7 §8.1): a DRM system's header for the content.
//!
//! Version 0 carries only the system's opaque data; version 1 also lists the KIDs the data
//! applies to, so a player can match keys without understanding the data.

use std::fmt;

use crate::boxes::BoxCodec;
use crate::bytes::{Put, Reader};
use crate::error::Result;
use crate::fourcc::{FourCc, types};
use crate::kid::{Kid, hex_encode};

/// A DRM system ID (big-endian UUID bytes).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SystemId(pub [u8; 16]);

impl SystemId {
    /// Microsoft PlayReady `9a04f079-9840-4286-ab92-e65be0885f95`.
    pub const PLAYREADY: SystemId = SystemId([
        0x9a, 0x04, 0xf0, 0x79, 0x98, 0x40, 0x42, 0x86, 0xab, 0x92, 0xe6, 0x5b, 0xe0, 0x88, 0x5f,
        0x95,
    ]);
    /// Google Widevine `edef8ba9-79d6-4ace-a3c8-27dcd51d21ed`.
    pub const WIDEVINE: SystemId = SystemId([
        0xed, 0xef, 0x8b, 0xa9, 0x79, 0xd6, 0x4a, 0xce, 0xa3, 0xc8, 0x27, 0xdc, 0xd5, 0x1d, 0x21,
        0xed,
    ]);
    /// Apple FairPlay `94ce86fb-07ff-4f43-adb8-93d2fa968ca2`.
    pub const FAIRPLAY: SystemId = SystemId([
        0x94, 0xce, 0x86, 0xfb, 0x07, 0xff, 0x4f, 0x43, 0xad, 0xb8, 0x93, 0xd2, 0xfa, 0x96, 0x8c,
        0xa2,
    ]);
    /// W3C Common PSSH box format `1077efec-c0b2-4d02-ace3-3c1e52e2fb4b` (v1, no data).
    pub const COMMON: SystemId = SystemId([
        0x10, 0x77, 0xef, 0xec, 0xc0, 0xb2, 0x4d, 0x02, 0xac, 0xe3, 0x3c, 0x1e, 0x52, 0xe2, 0xfb,
        0x4b,
    ]);
    /// DASH-IF ClearKey `e2719d58-a985-b3c9-781a-b030af78d30e`.
    pub const CLEARKEY: SystemId = SystemId([
        0xe2, 0x71, 0x9d, 0x58, 0xa9, 0x85, 0xb3, 0xc9, 0x78, 0x1a, 0xb0, 0x30, 0xaf, 0x78, 0xd3,
        0x0e,
    ]);

    /// Every system this crate names.
    pub const KNOWN: [SystemId; 5] = [
        Self::PLAYREADY,
        Self::WIDEVINE,
        Self::FAIRPLAY,
        Self::COMMON,
        Self::CLEARKEY,
    ];

    /// A human name, or `None` for an unknown system.
    pub fn name(&self) -> Option<&'static str> {
        Some(match *self {
            Self::PLAYREADY => "PlayReady",
            Self::WIDEVINE => "Widevine",
            Self::FAIRPLAY => "FairPlay",
            Self::COMMON => "W3C Common",
            Self::CLEARKEY => "ClearKey",
            _ => return None,
        })
    }

    /// `8-4-4-4-12` lowercase hex.
    pub fn to_uuid_string(&self) -> String {
        Kid(self.0).to_uuid_string()
    }
}

impl fmt::Display for SystemId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => write!(f, "{n} ({})", self.to_uuid_string()),
            None => f.write_str(&self.to_uuid_string()),
        }
    }
}

impl fmt::Debug for SystemId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SystemId({})", hex_encode(&self.0))
    }
}

/// Protection system specific header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pssh {
    /// 0 or 1.
    pub version: u8,
    /// The DRM system.
    pub system_id: SystemId,
    /// KIDs (version 1 only).
    pub kids: Vec<Kid>,
    /// System-specific data (a PlayReady Object, Widevine protobuf, ...).
    pub data: Vec<u8>,
}

impl Pssh {
    /// A version 0 box.
    pub fn v0(system_id: SystemId, data: Vec<u8>) -> Self {
        Pssh {
            version: 0,
            system_id,
            kids: Vec::new(),
            data,
        }
    }

    /// A version 1 box with KIDs.
    pub fn v1(system_id: SystemId, kids: Vec<Kid>, data: Vec<u8>) -> Self {
        Pssh {
            version: 1,
            system_id,
            kids,
            data,
        }
    }
}

impl BoxCodec for Pssh {
    const TYPE: FourCc = types::PSSH;

    fn decode(r: &mut Reader<'_>) -> Result<Self> {
        let (version, _) = r.full_header()?;
        if version > 1 {
            return Err(r.invalid(format!("version {version}, expected 0 or 1")));
        }
        let system_id = SystemId(r.array()?);
        let mut kids = Vec::new();
        if version == 1 {
            let n = r.u32()?;
            let n = r.check_count(u64::from(n), 16)?;
            kids.reserve(n);
            for _ in 0..n {
                kids.push(Kid(r.array()?));
            }
        }
        let size = r.u32()?;
        let data = r.bytes(size as usize)?.to_vec();
        Ok(Pssh {
            version,
            system_id,
            kids,
            data,
        })
    }

    fn encode(&self, out: &mut Vec<u8>) {
        out.put_full_header(self.version, 0);
        out.extend_from_slice(&self.system_id.0);
        if self.version == 1 {
            out.put_u32(self.kids.len() as u32);
            for k in &self.kids {
                out.extend_from_slice(&k.0);
            }
        }
        out.put_u32(self.data.len() as u32);
        out.extend_from_slice(&self.data);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn system_names() {
        assert_eq!(SystemId::PLAYREADY.name(), Some("PlayReady"));
        assert_eq!(
            SystemId::WIDEVINE.to_uuid_string(),
            "edef8ba9-79d6-4ace-a3c8-27dcd51d21ed"
        );
        assert_eq!(
            SystemId::CLEARKEY.to_string(),
            "ClearKey (e2719d58-a985-b3c9-781a-b030af78d30e)"
        );
        assert_eq!(SystemId([0; 16]).name(), None);
    }

    #[test]
    fn huge_kid_count_fails_without_allocating() {
        let mut p = vec![1, 0, 0, 0];
        p.extend_from_slice(&SystemId::COMMON.0);
        p.extend_from_slice(&u32::MAX.to_be_bytes());
        assert!(matches!(
            Pssh::parse(&p, 0),
            Err(crate::Error::Truncated { .. })
        ));
    }

    proptest! {
        #[test]
        fn build_parse_round_trip(v1 in any::<bool>(), sys in any::<[u8; 16]>(),
                kids in proptest::collection::vec(any::<[u8; 16]>(), 0..4),
                data in proptest::collection::vec(any::<u8>(), 0..64)) {
            let p = if v1 {
                Pssh::v1(SystemId(sys), kids.into_iter().map(Kid).collect(), data)
            } else {
                Pssh::v0(SystemId(sys), data)
            };
            let b = p.to_bytes();
            prop_assert_eq!(Pssh::parse(&b[8..], 8).unwrap(), p);
        }
    }

    crate::boxes::codec_proptest!(arbitrary_pssh, Pssh);
}
