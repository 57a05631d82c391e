//! Errors for ClearKey messages and AES clear-key responses, naming the JSON field at fault.

/// A ClearKey message or AES key response could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClearKeyError {
    /// Not JSON of the expected shape; serde's message names the field, line and column.
    #[error("ClearKey {what} is not valid JSON of the expected shape: {message}")]
    Json {
        /// Which message.
        what: &'static str,
        /// serde_json's description.
        message: String,
    },
    /// A field is not base64url.
    #[error("ClearKey field {field} is not base64url")]
    BadBase64 {
        /// JSON path, e.g. `keys[0].k`.
        field: String,
    },
    /// A KID or key decodes to the wrong number of bytes.
    #[error("ClearKey field {field} decodes to {found} bytes, expected {expected}")]
    BadLength {
        /// JSON path.
        field: String,
        /// 16 for KIDs and AES-128 keys.
        expected: usize,
        /// What was found.
        found: usize,
    },
    /// A key is not a symmetric (`"kty":"oct"`) key.
    #[error("ClearKey field keys[{index}].kty is {kty:?}, expected \"oct\"")]
    UnsupportedKeyType {
        /// Position in `keys`.
        index: usize,
        /// The value found.
        kty: String,
    },
    /// The response holds no key at all.
    #[error("ClearKey response has an empty keys array")]
    NoKeys,
    /// An AES clear-key response is not exactly 16 raw bytes.
    #[error("AES clear-key response is {found} bytes, expected exactly 16 raw key bytes{hint}")]
    NotAKey {
        /// Body length.
        found: usize,
        /// What the body looks like instead (e.g. an HTML error page), with a leading separator.
        hint: &'static str,
    },
}
