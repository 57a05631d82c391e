//! The development license server's challenge reader (certificate, signature, WRMHEADER):
//! never panics on any input, and the certificate reader never panics on any bytes.
#![no_main]

use layover_drm::challenge::{TestCertificate, parse_challenge};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = TestCertificate::parse_and_verify(data);
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = parse_challenge(text);
    }
});
