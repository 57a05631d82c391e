//! One error type for the crate. Every variant carries what a support engineer needs to find
//! the problem in the file: the box type, the byte offset, and what was wrong.

use crate::fourcc::FourCc;
use crate::kid::Kid;

/// Errors from parsing, building and decrypting.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Error {
    /// The input ended before a field could be read.
    #[error(
        "'{box_type}' box at offset {offset}: truncated, needed {needed} more bytes, {available} left"
    )]
    Truncated {
        box_type: FourCc,
        offset: u64,
        needed: u64,
        available: u64,
    },
    /// A box header declares a size that does not fit its parent or is smaller than the header.
    #[error("'{box_type}' box at offset {offset}: bad size {size} ({reason})")]
    BadSize {
        box_type: FourCc,
        offset: u64,
        size: u64,
        reason: &'static str,
    },
    /// A field holds a value the format does not allow.
    #[error("'{box_type}' box at offset {offset}: {reason}")]
    Invalid {
        box_type: FourCc,
        offset: u64,
        reason: String,
    },
    /// A box that the operation needs is not there.
    #[error("missing '{child}' box in '{parent}'{context}")]
    MissingBox {
        parent: FourCc,
        child: FourCc,
        context: String,
    },
    /// The content key for a KID was not supplied.
    #[error("no key for KID {kid} (PlayReady form {pr})", pr = kid.to_playready_base64())]
    MissingKey { kid: Kid },
    /// The supplied key for a KID contradicts the content's own check value (the PlayReady
    /// header's AESCTR `CHECKSUM`), so decrypting would only produce garbage.
    #[error("wrong key for KID {kid}: it does not match the PlayReady header CHECKSUM")]
    WrongKey { kid: Kid },
    /// Something valid that this crate does not handle (yet), named.
    #[error("unsupported: {0}")]
    Unsupported(String),
    /// A text field (hex, base64, GUID) could not be decoded.
    #[error("cannot decode {what}: {reason}")]
    Decode { what: &'static str, reason: String },
    /// PlayReady Object or WRMHEADER problem.
    #[error("PlayReady header: {0}")]
    PlayReady(String),
    /// Widevine pssh data problem.
    #[error("Widevine pssh data at byte {offset}: {reason}")]
    Widevine { offset: usize, reason: &'static str },
}

/// Crate result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
