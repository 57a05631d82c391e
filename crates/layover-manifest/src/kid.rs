//! 16-byte identifiers: content key IDs and DRM system IDs.
//!
//! MERGE: layover-media owns the real `Kid`/`SystemId` types (with the PlayReady little-endian
//! GUID form); when it lands, replace this module with a re-export of those.

use serde::{Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// A 16-byte key ID or system ID, in big-endian (`tenc` / `cenc:default_KID`) byte order.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Kid(pub [u8; 16]);

/// DRM system IDs are UUIDs with the same text form as KIDs.
pub type SystemId = Kid;

/// A KID string that is not 32 hex digits (dashes and braces allowed).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a 16-byte hex UUID: {0:?}")]
pub struct KidParseError(pub String);

impl Kid {
    /// PlayReady system ID `9a04f079-9840-4286-ab92-e65be0885f95`.
    pub const PLAYREADY: Kid = Kid([
        0x9a, 0x04, 0xf0, 0x79, 0x98, 0x40, 0x42, 0x86, 0xab, 0x92, 0xe6, 0x5b, 0xe0, 0x88, 0x5f,
        0x95,
    ]);
    /// Widevine system ID `edef8ba9-79d6-4ace-a3c8-27dcd51d21ed`.
    pub const WIDEVINE: Kid = Kid([
        0xed, 0xef, 0x8b, 0xa9, 0x79, 0xd6, 0x4a, 0xce, 0xa3, 0xc8, 0x27, 0xdc, 0xd5, 0x1d, 0x21,
        0xed,
    ]);
    /// FairPlay system ID `94ce86fb-07ff-4f43-adb8-93d2fa968ca2`.
    pub const FAIRPLAY: Kid = Kid([
        0x94, 0xce, 0x86, 0xfb, 0x07, 0xff, 0x4f, 0x43, 0xad, 0xb8, 0x93, 0xd2, 0xfa, 0x96, 0x8c,
        0xa2,
    ]);
    /// W3C common pssh system ID `1077efec-c0b2-4d02-ace3-3c1e52e2fb4b`.
    pub const W3C_COMMON: Kid = Kid([
        0x10, 0x77, 0xef, 0xec, 0xc0, 0xb2, 0x4d, 0x02, 0xac, 0xe3, 0x3c, 0x1e, 0x52, 0xe2, 0xfb,
        0x4b,
    ]);
    /// DASH-IF ClearKey system ID `e2719d58-a985-b3c9-781a-b030af78d30e`.
    pub const CLEARKEY: Kid = Kid([
        0xe2, 0x71, 0x9d, 0x58, 0xa9, 0x85, 0xb3, 0xc9, 0x78, 0x1a, 0xb0, 0x30, 0xaf, 0x78, 0xd3,
        0x0e,
    ]);

    /// Converts between the big-endian form and PlayReady's little-endian GUID form
    /// (reverse bytes 0-3, swap 4<->5 and 6<->7; PlayReady DASH spec §2.2.5). The operation is
    /// its own inverse.
    pub fn swap_guid_order(self) -> Kid {
        let b = self.0;
        Kid([
            b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6], b[8], b[9], b[10], b[11], b[12], b[13],
            b[14], b[15],
        ])
    }
}

impl FromStr for Kid {
    type Err = KidParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        let t = t
            .strip_prefix('{')
            .and_then(|x| x.strip_suffix('}'))
            .unwrap_or(t);
        let mut out = [0u8; 16];
        let mut n = 0usize;
        let mut hi: Option<u8> = None;
        for c in t.chars() {
            if c == '-' {
                continue;
            }
            let v = c.to_digit(16).ok_or_else(|| KidParseError(s.to_owned()))? as u8;
            match hi.take() {
                None => hi = Some(v),
                Some(h) => {
                    if n == 16 {
                        return Err(KidParseError(s.to_owned()));
                    }
                    out[n] = h << 4 | v;
                    n += 1;
                }
            }
        }
        if n != 16 || hi.is_some() {
            return Err(KidParseError(s.to_owned()));
        }
        Ok(Kid(out))
    }
}

impl fmt::Display for Kid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, b) in self.0.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                f.write_str("-")?;
            }
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Kid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Kid({self})")
    }
}

impl Serialize for Kid {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_with_and_without_dashes() {
        let k: Kid = "9a04f079-9840-4286-ab92-e65be0885f95".parse().unwrap();
        assert_eq!(k, Kid::PLAYREADY);
        assert_eq!(k.to_string(), "9a04f079-9840-4286-ab92-e65be0885f95");
        let k2: Kid = "{9A04F07998404286AB92E65BE0885F95}".parse().unwrap();
        assert_eq!(k2, k);
        assert!("9a04f079".parse::<Kid>().is_err());
        assert!(
            "9a04f079-9840-4286-ab92-e65be0885f95aa"
                .parse::<Kid>()
                .is_err()
        );
        assert!(
            "9a04f079-9840-4286-ab92-e65be0885f9z"
                .parse::<Kid>()
                .is_err()
        );
    }

    #[test]
    fn playready_guid_order_matches_spec_example() {
        // PlayReady DASH spec §2.2.5: f81d4fae-7dec-11d0-a765-00a0c91e6bf6 is rk8d+Ox90BGnZQCgyR5r9g==.
        use base64::Engine;
        let k: Kid = "f81d4fae-7dec-11d0-a765-00a0c91e6bf6".parse().unwrap();
        let le = base64::engine::general_purpose::STANDARD.encode(k.swap_guid_order().0);
        assert_eq!(le, "rk8d+Ox90BGnZQCgyR5r9g==");
        assert_eq!(k.swap_guid_order().swap_guid_order(), k);
    }
}
