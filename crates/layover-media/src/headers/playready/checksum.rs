//! The WRMHEADER `CHECKSUM` for AESCTR content (PlayReady Header Specification §3.3.2.1):
//! encrypt the 16-byte KID with the content key using AES-ECB and keep the first 8 bytes.
//! The KID goes in as PlayReady stores it, the little-endian GUID; the fixture test against
//! Shaka Packager's output confirms that byte order.

use aes::Aes128;
use aes::cipher::array::Array;
use aes::cipher::{BlockCipherEncrypt, KeyInit};

use crate::kid::Kid;

/// The 8-byte checksum of `kid` under `key`.
pub fn aes_ctr_checksum(kid: &Kid, key: &[u8; 16]) -> [u8; 8] {
    let mut block = Array(kid.to_guid_le_bytes());
    Aes128::new(&Array(*key)).encrypt_block(&mut block);
    let mut out = [0u8; 8];
    out.copy_from_slice(&block.0[..8]);
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
}
