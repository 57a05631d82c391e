//! UTF-16LE text and XML escaping for the WRMHEADER.

use crate::error::{Error, Result};

/// Decodes UTF-16LE (a leading byte-order mark is dropped).
pub(crate) fn utf16le_to_string(b: &[u8]) -> Result<String> {
    if !b.len().is_multiple_of(2) {
        return Err(Error::PlayReady(format!(
            "WRMHEADER of odd length {} is not UTF-16",
            b.len()
        )));
    }
    let units = b.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]]));
    let s = char::decode_utf16(units)
        .collect::<std::result::Result<String, _>>()
        .map_err(|e| Error::PlayReady(format!("WRMHEADER is not valid UTF-16: {e}")))?;
    Ok(s.strip_prefix('\u{feff}').map(str::to_string).unwrap_or(s))
}

/// Encodes UTF-16LE without a byte-order mark (as PlayReady tools write it).
pub(crate) fn string_to_utf16le(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

/// Escapes text or an attribute value.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}
