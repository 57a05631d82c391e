//! The 16-byte content key identifier (KID) and its textual forms.
//!
//! Layover keeps a KID in the byte order of the ISO-BMFF `tenc` box (ISO/IEC 23001-7 §8.2), which
//! is also the order a UUID string is written in and the order W3C ClearKey puts in `kid`.
//! PlayReady writes the same KID as a little-endian GUID (XMR content key object, WRMHEADER
//! `KID`): bytes 0-3 reversed, 4<->5 and 6<->7 swapped (MicrosoftDocs/PlayReady
//! `mpeg-dash-playready.md` §2.2.5). Keeping one canonical order and converting at the edges is
//! what stops the classic "key not found" from a byte-swapped KID.
//!
//! Note for the workspace owner: `layover-media` will have its own KID type; the two should be
//! merged into one (this one has no dependency on anything else in the crate).

use std::fmt;
use std::str::FromStr;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};

/// A content key identifier in `tenc` / UUID byte order.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Kid(pub [u8; 16]);

/// Why a textual KID could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KidError {
    /// Hex form had the wrong number of digits or a non-hex character.
    #[error("KID {input:?} is not 32 hex digits (dashes optional)")]
    BadHex {
        /// The text as given.
        input: String,
    },
    /// Base64 form did not decode.
    #[error("KID {input:?} is not valid base64")]
    BadBase64 {
        /// The text as given.
        input: String,
    },
    /// Decoded to the wrong number of bytes.
    #[error("KID decodes to {len} bytes, expected 16")]
    BadLength {
        /// Number of decoded bytes.
        len: usize,
    },
}

impl Kid {
    /// Wraps bytes already in `tenc` / UUID order.
    pub const fn from_bytes(bytes: [u8; 16]) -> Self {
        Self(bytes)
    }

    /// The bytes in `tenc` / UUID order.
    pub const fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }

    /// Reads a PlayReady little-endian GUID (XMR content key object, WRMHEADER `KID`).
    pub const fn from_guid_le(le: [u8; 16]) -> Self {
        Self(swap_guid(le))
    }

    /// Writes the KID as a PlayReady little-endian GUID.
    pub const fn to_guid_le(&self) -> [u8; 16] {
        swap_guid(self.0)
    }

    /// Lower-case hex with dashes, `8-4-4-4-12`, as a UUID is written.
    pub fn to_hyphenated(&self) -> String {
        let mut out = String::with_capacity(36);
        for (i, b) in self.0.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                out.push('-');
            }
            out.push_str(&format!("{b:02x}"));
        }
        out
    }

    /// Parses 32 hex digits; dashes anywhere and surrounding braces are ignored.
    pub fn parse_hex(input: &str) -> Result<Self, KidError> {
        let bad = || KidError::BadHex {
            input: input.to_owned(),
        };
        let digits: Vec<u8> = input
            .trim()
            .trim_start_matches('{')
            .trim_end_matches('}')
            .bytes()
            .filter(|&c| c != b'-')
            .collect();
        if digits.len() != 32 {
            return Err(bad());
        }
        let mut out = [0u8; 16];
        for (slot, pair) in out.iter_mut().zip(digits.chunks_exact(2)) {
            let hi = hex_value(pair[0]).ok_or_else(bad)?;
            let lo = hex_value(pair[1]).ok_or_else(bad)?;
            *slot = (hi << 4) | lo;
        }
        Ok(Self(out))
    }

    /// Standard base64 (padded) of the `tenc`-order bytes.
    pub fn to_base64(&self) -> String {
        STANDARD.encode(self.0)
    }

    /// Standard base64 of the little-endian GUID: the form a WRMHEADER `KID` element holds.
    pub fn to_playready_base64(&self) -> String {
        STANDARD.encode(self.to_guid_le())
    }

    /// Reads the WRMHEADER form (standard base64 of a little-endian GUID).
    pub fn from_playready_base64(input: &str) -> Result<Self, KidError> {
        let bytes = STANDARD
            .decode(input.trim())
            .map_err(|_| KidError::BadBase64 {
                input: input.to_owned(),
            })?;
        let le: [u8; 16] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| KidError::BadLength { len: bytes.len() })?;
        Ok(Self::from_guid_le(le))
    }

    /// Base64url without padding: the W3C ClearKey form.
    pub fn to_base64url(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0)
    }
}

const fn swap_guid(b: [u8; 16]) -> [u8; 16] {
    [
        b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6], b[8], b[9], b[10], b[11], b[12], b[13],
        b[14], b[15],
    ]
}

fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

impl fmt::Display for Kid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hyphenated())
    }
}

impl fmt::Debug for Kid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Kid({})", self.to_hyphenated())
    }
}

impl FromStr for Kid {
    type Err = KidError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse_hex(s)
    }
}

/// Serialised as the hyphenated hex form, which support staff can search for.
impl serde::Serialize for Kid {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hyphenated())
    }
}

impl<'de> serde::Deserialize<'de> for Kid {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Kid::parse_hex(&s).map_err(serde::de::Error::custom)
    }
}

impl From<[u8; 16]> for Kid {
    fn from(bytes: [u8; 16]) -> Self {
        Self(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// MicrosoftDocs/PlayReady `mpeg-dash-playready.md` §2.2.5 gives this pair.
    #[test]
    fn spec_example_le_guid_base64() {
        let kid: Kid = "f81d4fae-7dec-11d0-a765-00a0c91e6bf6".parse().unwrap();
        assert_eq!(kid.to_playready_base64(), "rk8d+Ox90BGnZQCgyR5r9g==");
        assert_eq!(
            Kid::from_playready_base64("rk8d+Ox90BGnZQCgyR5r9g==").unwrap(),
            kid
        );
    }

    #[test]
    fn hyphenated_round_trip_and_forms() {
        let kid = Kid::from_bytes([
            0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54,
            0x32, 0x10,
        ]);
        assert_eq!(kid.to_hyphenated(), "01234567-89ab-cdef-fedc-ba9876543210");
        assert_eq!(Kid::parse_hex(&kid.to_hyphenated()).unwrap(), kid);
        assert_eq!(
            Kid::parse_hex("{0123456789ABCDEFFEDCBA9876543210}").unwrap(),
            kid
        );
        assert_eq!(Kid::from_guid_le(kid.to_guid_le()), kid);
        assert_eq!(kid.to_base64url().len(), 22);
    }

    #[test]
    fn bad_inputs_are_named() {
        assert!(matches!(
            Kid::parse_hex("0123"),
            Err(KidError::BadHex { .. })
        ));
        assert!(matches!(
            Kid::parse_hex("zz234567-89ab-cdef-fedc-ba9876543210"),
            Err(KidError::BadHex { .. })
        ));
        assert_eq!(
            Kid::from_playready_base64("AAAA"),
            Err(KidError::BadLength { len: 3 })
        );
    }
}
