//! Content keys by KID.

use std::collections::HashMap;
use std::fmt;

use crate::error::{Error, Result};
use crate::kid::{Kid, hex_decode};

/// A 16-byte AES-128 content key. Its `Debug` form never shows the bytes, so keys cannot leak
/// into logs through `{:?}`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ContentKey(pub [u8; 16]);

impl fmt::Debug for ContentKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ContentKey(..)")
    }
}

impl ContentKey {
    /// Parses 32 hex digits.
    pub fn from_hex(s: &str) -> Result<Self> {
        let b = hex_decode(s.trim())?;
        let k: [u8; 16] = b.try_into().map_err(|v: Vec<u8>| Error::Decode {
            what: "content key hex",
            reason: format!("{} bytes, expected 16", v.len()),
        })?;
        Ok(ContentKey(k))
    }
}

/// The keys a decryption may use.
#[derive(Debug, Clone, Default)]
pub struct KeyStore {
    keys: HashMap<Kid, ContentKey>,
}

impl KeyStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) a key.
    pub fn insert(&mut self, kid: Kid, key: ContentKey) {
        self.keys.insert(kid, key);
    }

    /// Adds a key given as `KID:KEY` in hex (KID with or without dashes), the form of
    /// mp4decrypt's and Layover's `--key`.
    pub fn insert_pair(&mut self, pair: &str) -> Result<()> {
        let (kid, key) = pair.split_once(':').ok_or_else(|| Error::Decode {
            what: "KID:KEY pair",
            reason: "no ':' separator".into(),
        })?;
        self.insert(Kid::from_hex(kid)?, ContentKey::from_hex(key)?);
        Ok(())
    }

    /// The key for a KID.
    pub fn get(&self, kid: &Kid) -> Option<&ContentKey> {
        self.keys.get(kid)
    }

    /// The key for a KID, or [`Error::MissingKey`] naming it.
    pub fn require(&self, kid: &Kid) -> Result<&ContentKey> {
        self.get(kid).ok_or(Error::MissingKey { kid: *kid })
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// True when there are no keys.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_parse_and_debug_hides_keys() {
        let mut ks = KeyStore::new();
        ks.insert_pair("f81d4fae-7dec-11d0-a765-00a0c91e6bf6:00112233445566778899aabbccddeeff")
            .unwrap();
        let kid = Kid::from_hex("f81d4fae7dec11d0a76500a0c91e6bf6").unwrap();
        assert_eq!(ks.require(&kid).unwrap().0[15], 0xff);
        assert!(!format!("{ks:?}").contains("ff"));
        assert!(ks.insert_pair("nocolon").is_err());
        assert!(ks.insert_pair("00:11").is_err());
        let missing = ks.require(&Kid([0; 16])).unwrap_err();
        assert!(
            missing
                .to_string()
                .contains("00000000-0000-0000-0000-000000000000")
        );
    }
}
