//! AES-CMAC over the license bytes up to the signature object.
//!
//! What the MAC covers was confirmed in pyplayready `license/xmrlicense.py` `check_signature`:
//! CMAC-AES-128 keyed with the content integrity key over `license[..len - (sig_len + 12)]`,
//! i.e. every byte before the signature object's 8-byte header (+ its u16 type and u16 length).
//! That only holds if the signature object is the last thing in the license, which is checked.

use aes::Aes128;
use cmac::{Cmac, Mac};

use super::error::XmrError;
use super::objects::SIGNATURE_TYPE_AES_CMAC;

/// AES-128-CMAC of `data` under `integrity_key`.
pub fn aes_cmac(integrity_key: &[u8; 16], data: &[u8]) -> [u8; 16] {
    let mut mac = <Cmac<Aes128> as Mac>::new(integrity_key.into());
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// Checks a 16-byte AES-CMAC signature in constant time.
pub(crate) fn verify(
    integrity_key: &[u8; 16],
    signed: &[u8],
    signature_type: u16,
    tag: &[u8],
) -> Result<(), XmrError> {
    if signature_type != SIGNATURE_TYPE_AES_CMAC || tag.len() != 16 {
        return Err(XmrError::UnsupportedSignature {
            signature_type,
            len: tag.len(),
        });
    }
    let mut mac = <Cmac<Aes128> as Mac>::new(integrity_key.into());
    mac.update(signed);
    mac.verify_slice(tag)
        .map_err(|_| XmrError::SignatureMismatch)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 4493 §4, example 2 (16-byte message): pins that `cmac` + `aes` is plain AES-CMAC.
    #[test]
    fn rfc4493_vector() {
        let key = [
            0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6, 0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf,
            0x4f, 0x3c,
        ];
        let msg = [
            0x6b, 0xc1, 0xbe, 0xe2, 0x2e, 0x40, 0x9f, 0x96, 0xe9, 0x3d, 0x7e, 0x11, 0x73, 0x93,
            0x17, 0x2a,
        ];
        let expected = [
            0x07, 0x0a, 0x16, 0xb4, 0x6b, 0x4d, 0x41, 0x44, 0xf7, 0x9b, 0xdd, 0x9d, 0xd0, 0x4a,
            0x28, 0x7c,
        ];
        assert_eq!(aes_cmac(&key, &msg), expected);
        assert_eq!(verify(&key, &msg, 1, &expected), Ok(()));
        assert_eq!(
            verify(&key, &msg[1..], 1, &expected),
            Err(XmrError::SignatureMismatch)
        );
    }
}
