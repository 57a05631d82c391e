//! base64url as EME ClearKey uses it (RFC 4648 §5, no padding; W3C EME §9.1.3). Layover writes
//! it unpadded and reads it padded or not, and also accepts the standard alphabet, since some
//! servers get this wrong and the bytes are unambiguous.

use base64::Engine as _;
use base64::alphabet::URL_SAFE;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Unpadded base64url.
pub fn encode_base64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// base64url, padded or not; `+` and `/` are read as `-` and `_`.
pub fn decode_base64url(s: &str) -> Option<Vec<u8>> {
    let normalised: String = s
        .trim()
        .chars()
        .map(|c| match c {
            '+' => '-',
            '/' => '_',
            c => c,
        })
        .collect();
    LENIENT.decode(normalised.as_bytes()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padded_unpadded_and_standard_alphabet() {
        let bytes = [0xfb, 0xff, 0x01];
        assert_eq!(encode_base64url(&bytes), "-_8B");
        assert_eq!(decode_base64url("-_8B").unwrap(), bytes);
        assert_eq!(decode_base64url("+/8B").unwrap(), bytes);
        assert_eq!(decode_base64url("AQ==").unwrap(), [1]);
        assert_eq!(decode_base64url("AQ").unwrap(), [1]);
        assert_eq!(decode_base64url("A"), None);
        assert_eq!(decode_base64url("**"), None);
    }
}
