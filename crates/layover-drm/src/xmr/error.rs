//! What can be wrong with XMR bytes, named by object type and absolute byte offset.

/// An XMR license could not be read, written, or its signature checked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XmrError {
    /// The first four bytes are not `XMR\0`.
    #[error("not an XMR license: expected magic \"XMR\\0\" at offset 0, found {found:02x?}")]
    BadMagic {
        /// Up to four bytes that were found instead.
        found: Vec<u8>,
    },
    /// Fewer bytes than a header or field needs.
    #[error("XMR truncated at offset {offset}: {what} needs {needed} bytes, {available} left")]
    Truncated {
        /// Absolute offset in the license where the read started.
        offset: usize,
        /// What was being read.
        what: &'static str,
        /// Bytes needed.
        needed: usize,
        /// Bytes left.
        available: usize,
    },
    /// An object header declares a length that is impossible.
    #[error("XMR object {object_type:#06x} at offset {offset}: declared length {length} {reason}")]
    BadObjectLength {
        /// Object type from the header.
        object_type: u16,
        /// Absolute offset of the object header.
        offset: usize,
        /// Declared length (including the 8-byte header).
        length: u32,
        /// Why it is impossible.
        reason: &'static str,
    },
    /// A known object's payload does not have the size its layout requires.
    #[error(
        "XMR {name} object ({object_type:#06x}) at offset {offset}: payload is {found} bytes, layout needs {expected}"
    )]
    BadPayload {
        /// Object type.
        object_type: u16,
        /// Human name of the object.
        name: &'static str,
        /// Absolute offset of the object header.
        offset: usize,
        /// Size the layout needs.
        expected: usize,
        /// Size found.
        found: usize,
    },
    /// Containers nest deeper than any real license does (a guard against stack exhaustion).
    #[error("XMR containers nest deeper than {max} levels at offset {offset}")]
    TooDeep {
        /// Absolute offset of the object that went too deep.
        offset: usize,
        /// The nesting limit.
        max: usize,
    },
    /// A field is too large for its length prefix when writing.
    #[error("XMR {what} is {len} bytes, more than its length field can hold")]
    TooLarge {
        /// The field.
        what: &'static str,
        /// Its size.
        len: usize,
    },
    /// The license has no signature object (type 0x000b).
    #[error("XMR license has no signature object (type 0x000b)")]
    NoSignature,
    /// The signature object is not the last bytes of the license, so what it covers is unclear.
    #[error("XMR signature object at offset {offset} is not the last object of the license")]
    SignatureNotLast {
        /// Absolute offset of the signature object.
        offset: usize,
    },
    /// The signature is not AES-CMAC (type 1) or has the wrong size for it.
    #[error(
        "XMR signature type {signature_type} with {len} bytes is not a 16-byte AES-CMAC (type 1)"
    )]
    UnsupportedSignature {
        /// The signature type.
        signature_type: u16,
        /// Signature data length.
        len: usize,
    },
    /// The AES-CMAC does not match: the license was altered, or the integrity key is wrong.
    #[error("XMR signature does not match: the license was altered or the integrity key is wrong")]
    SignatureMismatch,
}
