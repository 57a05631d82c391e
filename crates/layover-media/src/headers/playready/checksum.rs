//! The WRMHEADER `CHECKSUM` (PlayReady Header Specification §5, "Key Checksum Algorithm").
//!
//! - AESCTR: encrypt the 16-byte KID with the content key using AES-ECB and keep the first
//!   8 bytes. The KID goes in as PlayReady stores it, the little-endian GUID; the fixture test
//!   against Shaka Packager's output confirms that byte order.
//! - COCKTAIL (7-byte keys): put the key in a 21-byte buffer filled with zeros, then five times
//!   hash all 21 bytes with SHA-1 and write the 20-byte digest over the start of the buffer
//!   (the last byte stays zero), and keep the first 7 bytes. The KID is not involved.
//! - AESCBC has no checksum.

use aes::Aes128;
use aes::cipher::array::Array;
use aes::cipher::{BlockCipherEncrypt, KeyInit};
use sha1::{Digest, Sha1};

use crate::kid::Kid;

/// The 8-byte checksum of `kid` under `key`.
pub fn aes_ctr_checksum(kid: &Kid, key: &[u8; 16]) -> [u8; 8] {
    let mut block = Array(kid.to_guid_le_bytes());
    Aes128::new(&Array(*key)).encrypt_block(&mut block);
    let mut out = [0u8; 8];
    out.copy_from_slice(&block.0[..8]);
    out
}

/// Length of a COCKTAIL content key in bytes (the header's KEYLEN for COCKTAIL).
pub const COCKTAIL_KEY_LEN: usize = 7;

/// The 7-byte COCKTAIL checksum of a 7-byte content key.
pub fn cocktail_checksum(key: &[u8; COCKTAIL_KEY_LEN]) -> [u8; 7] {
    let mut buf = [0u8; 21];
    buf[..COCKTAIL_KEY_LEN].copy_from_slice(key);
    for _ in 0..5 {
        let digest = Sha1::digest(buf);
        buf[..20].copy_from_slice(&digest);
    }
    let mut out = [0u8; 7];
    out.copy_from_slice(&buf[..7]);
    out
}

/// True when `checksum` is the AESCTR checksum of `kid` under `key`: a way to tell a wrong
/// content key from a right one before decrypting anything.
pub fn verify_checksum(kid: &Kid, key: &[u8; 16], checksum: &[u8]) -> bool {
    checksum == aes_ctr_checksum(kid, key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksum_depends_on_key_and_kid() {
        let kid = Kid([1; 16]);
        let a = aes_ctr_checksum(&kid, &[2; 16]);
        assert!(verify_checksum(&kid, &[2; 16], &a));
        assert!(!verify_checksum(&kid, &[3; 16], &a));
        assert!(!verify_checksum(&Kid([4; 16]), &[2; 16], &a));
    }

    /// Known answers computed outside Rust (Python's `hashlib`, following the spec's steps:
    /// 21-byte zero-padded buffer, five SHA-1 rounds over all 21 bytes, first 7 bytes).
    #[test]
    fn cocktail_checksum_known_answers() {
        use base64::Engine as _;
        use base64::engine::general_purpose::STANDARD;
        for (key, want) in [
            ([1, 2, 3, 4, 5, 6, 7], "Jb+1UFxxpQ=="),
            ([0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66], "lssE91TPvA=="),
        ] {
            assert_eq!(STANDARD.encode(cocktail_checksum(&key)), want, "{key:?}");
        }
    }
}
