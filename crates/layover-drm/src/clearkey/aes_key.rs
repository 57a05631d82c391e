//! AES clear-key delivery: the key server (AMS `/?kid=`, HLS `#EXT-X-KEY` URIs) answers with the
//! 16 raw key bytes and nothing else. Anything else, typically an HTML login or error page with
//! status 200, must fail loudly instead of being used as a key.

use super::error::ClearKeyError;

/// Accepts exactly 16 bytes; otherwise says what the body looks like.
pub fn parse_aes_clear_key(body: &[u8]) -> Result<[u8; 16], ClearKeyError> {
    if let Ok(key) = <[u8; 16]>::try_from(body) {
        return Ok(key);
    }
    let trimmed = body.trim_ascii_start();
    let hint = if trimmed.first() == Some(&b'<') {
        " (the body looks like HTML or XML: an error or login page?)"
    } else if trimmed.first() == Some(&b'{') {
        " (the body looks like JSON: a ClearKey or error response?)"
    } else if body.is_empty() {
        " (the body is empty)"
    } else if body
        .iter()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'-' | b'_'))
    {
        " (the body looks like base64 text, not raw bytes)"
    } else {
        ""
    };
    Err(ClearKeyError::NotAKey {
        found: body.len(),
        hint,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exactly_sixteen_bytes() {
        assert_eq!(parse_aes_clear_key(&[7; 16]).unwrap(), [7; 16]);
        for bad in [&[7u8; 15][..], &[7; 17], &[]] {
            assert!(matches!(
                parse_aes_clear_key(bad),
                Err(ClearKeyError::NotAKey { .. })
            ));
        }
    }

    #[test]
    fn html_page_is_called_out() {
        let err = parse_aes_clear_key(b"<!DOCTYPE html><html><body>Sign in</body></html>")
            .unwrap_err()
            .to_string();
        assert!(err.contains("HTML"), "{err}");
        let err = parse_aes_clear_key(b"AAECAwQFBgcICQoLDA0ODw==")
            .unwrap_err()
            .to_string();
        assert!(err.contains("base64"), "{err}");
        // A 16-byte HTML fragment is indistinguishable from a key and is accepted: the length
        // is the only contract, which is why callers also check the HTTP status and type.
        assert!(parse_aes_clear_key(b"<html>0123456789").is_ok());
    }
}
