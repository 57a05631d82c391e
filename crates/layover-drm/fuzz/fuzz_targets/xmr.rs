//! XMR parser: never panics; whatever parses writes back byte for byte; the policy mapping and
//! signature check never panic on it.
#![no_main]

use layover_drm::policy::LicensePolicy;
use layover_drm::xmr::XmrLicense;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(license) = XmrLicense::parse(data) {
        let written = license.to_bytes().expect("a parsed license can be written");
        assert_eq!(written, data, "XMR round trip changed the bytes");
        let _ = LicensePolicy::from_xmr(&license);
        let _ = license.verify_signature(&[0; 16]);
    }
});
