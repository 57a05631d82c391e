//! Keys Layover holds itself: W3C ClearKey (EME) JSON messages and AMS-style AES clear-key
//! delivery (DRM-NOTES "ClearKey" and "Azure Media Services").

mod aes_key;
mod base64url;
mod error;
mod json;

pub use aes_key::parse_aes_clear_key;
pub use base64url::{decode_base64url, encode_base64url};
pub use error::ClearKeyError;
pub use json::{ClearKey, LicenseRequest, LicenseResponse, ReleaseMessage, SessionType};
