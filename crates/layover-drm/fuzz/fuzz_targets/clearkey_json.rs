//! ClearKey JSON parsers and the AES clear-key check: never panic; a parsed response re-parses
//! to the same value from its own JSON.
#![no_main]

use layover_drm::clearkey::{LicenseRequest, LicenseResponse, ReleaseMessage, parse_aes_clear_key};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = parse_aes_clear_key(data);
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(r) = LicenseResponse::from_json(text) {
            assert_eq!(LicenseResponse::from_json(&r.to_json()).ok(), Some(r));
        }
        if let Ok(r) = LicenseRequest::from_json(text) {
            assert_eq!(LicenseRequest::from_json(&r.to_json()).ok(), Some(r));
        }
        let _ = ReleaseMessage::from_json(text);
    }
});
