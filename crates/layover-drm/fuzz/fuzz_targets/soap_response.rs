//! SOAP response/fault parser, challenge wrapper and the any-input license reader: never panic.
#![no_main]

use layover_drm::inspect::inspect_license_input;
use layover_drm::soap::{acquire_license_envelope, parse_acquire_license_response};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = inspect_license_input(data);
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = parse_acquire_license_response(text);
        let _ = acquire_license_envelope(text);
    }
});
