//! Key IDs (KIDs) and the textual forms each system writes them in.
//!
//! A KID is 16 bytes. ISO/IEC 23001-7 (`tenc`, `pssh`, `seig`) stores them big-endian, as a
//! UUID. PlayReady writes them as a little-endian Windows GUID in base64 (MicrosoftDocs
//! PlayReady `mpeg-dash-playready.md` §2.2.5): bytes 0-3 reversed, 4-5 and 6-7 swapped.
//! W3C ClearKey (EME §9.1.3) uses base64url of the big-endian bytes without padding.

use std::fmt;
use std::str::FromStr;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};

use crate::error::{Error, Result};

/// A 16-byte key ID in CENC (big-endian, UUID) byte order.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Kid(pub [u8; 16]);

/// Swaps between UUID (big-endian) and GUID (little-endian first three fields) byte order.
/// The operation is its own inverse.
pub const fn swap_guid_bytes(b: [u8; 16]) -> [u8; 16] {
    [
        b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6], b[8], b[9], b[10], b[11], b[12], b[13],
        b[14], b[15],
    ]
}

impl Kid {
    /// Builds a KID from its 16 big-endian bytes.
    pub const fn new(bytes: [u8; 16]) -> Self {
        Kid(bytes)
    }

    /// The big-endian (CENC) bytes.
    pub const fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }

    /// The bytes in PlayReady's little-endian GUID order.
    pub const fn to_guid_le_bytes(&self) -> [u8; 16] {
        swap_guid_bytes(self.0)
    }

    /// Builds a KID from PlayReady's little-endian GUID bytes.
    pub const fn from_guid_le_bytes(le: [u8; 16]) -> Self {
        Kid(swap_guid_bytes(le))
    }

    /// 32 lowercase hex digits, no dashes (Shaka Packager `key_id=`, ffmpeg `-encryption_kid`).
    pub fn to_hex(&self) -> String {
        hex_encode(&self.0)
    }

    /// `8-4-4-4-12` lowercase hex with dashes (DASH `cenc:default_KID`).
    pub fn to_uuid_string(&self) -> String {
        let h = self.to_hex();
        format!(
            "{}-{}-{}-{}-{}",
            &h[0..8],
            &h[8..12],
            &h[12..16],
            &h[16..20],
            &h[20..32]
        )
    }

    /// PlayReady form: base64 (with padding) of the little-endian GUID bytes.
    pub fn to_playready_base64(&self) -> String {
        STANDARD.encode(self.to_guid_le_bytes())
    }

    /// Parses PlayReady's base64 little-endian GUID form.
    pub fn from_playready_base64(s: &str) -> Result<Self> {
        let bytes = STANDARD.decode(s.trim()).map_err(|e| Error::Decode {
            what: "PlayReady KID base64",
            reason: e.to_string(),
        })?;
        let le: [u8; 16] = bytes.try_into().map_err(|v: Vec<u8>| Error::Decode {
            what: "PlayReady KID base64",
            reason: format!("{} bytes, expected 16", v.len()),
        })?;
        Ok(Self::from_guid_le_bytes(le))
    }

    /// ClearKey form: base64url without padding of the big-endian bytes.
    pub fn to_base64url(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0)
    }

    /// Parses the ClearKey base64url form (padding tolerated).
    pub fn from_base64url(s: &str) -> Result<Self> {
        let bytes = URL_SAFE_NO_PAD
            .decode(s.trim().trim_end_matches('='))
            .map_err(|e| Error::Decode {
                what: "KID base64url",
                reason: e.to_string(),
            })?;
        let be: [u8; 16] = bytes.try_into().map_err(|v: Vec<u8>| Error::Decode {
            what: "KID base64url",
            reason: format!("{} bytes, expected 16", v.len()),
        })?;
        Ok(Kid(be))
    }

    /// Parses 32 hex digits, with or without dashes or braces (`{...}` GUID style).
    pub fn from_hex(s: &str) -> Result<Self> {
        let cleaned: String = s
            .trim()
            .trim_start_matches('{')
            .trim_end_matches('}')
            .chars()
            .filter(|c| *c != '-')
            .collect();
        let bytes = hex_decode(&cleaned)?;
        let be: [u8; 16] = bytes.try_into().map_err(|v: Vec<u8>| Error::Decode {
            what: "KID hex",
            reason: format!("{} bytes, expected 16", v.len()),
        })?;
        Ok(Kid(be))
    }
}

impl FromStr for Kid {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Kid::from_hex(s)
    }
}

impl fmt::Display for Kid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_uuid_string())
    }
}

impl fmt::Debug for Kid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Kid({self})")
    }
}

/// Lowercase hex of some bytes.
pub fn hex_encode(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 15)] as char);
    }
    s
}

/// Decodes hex (either case); errors on odd length or a non-hex digit.
pub fn hex_decode(s: &str) -> Result<Vec<u8>> {
    fn nibble(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    }
    let b = s.as_bytes();
    if !b.len().is_multiple_of(2) {
        return Err(Error::Decode {
            what: "hex",
            reason: format!("odd length {}", b.len()),
        });
    }
    b.chunks_exact(2)
        .map(|p| match (nibble(p[0]), nibble(p[1])) {
            (Some(h), Some(l)) => Ok(h << 4 | l),
            _ => Err(Error::Decode {
                what: "hex",
                reason: format!("not a hex digit in {:?}", String::from_utf8_lossy(p)),
            }),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn playready_spec_example() {
        // MicrosoftDocs PlayReady mpeg-dash-playready.md §2.2.5.
        let kid = Kid::from_hex("f81d4fae-7dec-11d0-a765-00a0c91e6bf6").unwrap();
        assert_eq!(kid.to_playready_base64(), "rk8d+Ox90BGnZQCgyR5r9g==");
        assert_eq!(
            Kid::from_playready_base64("rk8d+Ox90BGnZQCgyR5r9g==").unwrap(),
            kid
        );
        assert_eq!(kid.to_uuid_string(), "f81d4fae-7dec-11d0-a765-00a0c91e6bf6");
        assert_eq!(kid.to_hex(), "f81d4fae7dec11d0a76500a0c91e6bf6");
    }

    #[test]
    fn bad_text_is_an_error() {
        assert!(Kid::from_hex("f81d4fae").is_err());
        assert!(Kid::from_hex("zz1d4fae7dec11d0a76500a0c91e6bf6").is_err());
        assert!(Kid::from_playready_base64("AAAA").is_err());
        assert!(Kid::from_base64url("***").is_err());
    }

    proptest! {
        #[test]
        fn all_forms_round_trip(bytes in any::<[u8; 16]>()) {
            let kid = Kid(bytes);
            prop_assert_eq!(Kid::from_hex(&kid.to_hex()).unwrap(), kid);
            prop_assert_eq!(Kid::from_hex(&kid.to_uuid_string()).unwrap(), kid);
            prop_assert_eq!(Kid::from_playready_base64(&kid.to_playready_base64()).unwrap(), kid);
            prop_assert_eq!(Kid::from_base64url(&kid.to_base64url()).unwrap(), kid);
        }

        #[test]
        fn text_parsers_never_panic(s in ".{0,64}") {
            let _ = Kid::from_hex(&s);
            let _ = Kid::from_playready_base64(&s);
            let _ = Kid::from_base64url(&s);
        }
    }
}
