//! The PlayReady Object and WRMHEADER (as UTF-16LE bytes and as text), and the key
//! checksums (AESCTR, COCKTAIL) of what parses.
#![no_main]

use layover_media::headers::playready::{Pro, WrmHeader};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(pro) = Pro::parse(data) {
        assert_eq!(pro.to_bytes(), data);
        let _ = pro.wrm_header();
    }
    if let Ok(h) = WrmHeader::parse_utf16le(data) {
        let again = WrmHeader::parse_xml(&h.to_xml()).expect("rebuilt header parses");
        assert_eq!(again.kids, h.kids);
        // Checksums against keys of every length an algorithm may have (AES 16, COCKTAIL 7).
        for k in &h.kids {
            let _ = k.verify(&[0x5a; 16]);
            let _ = k.verify(&[0x5a; 7]);
            let _ = k.verify(&[]);
        }
    }
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = WrmHeader::parse_xml(s);
    }
});
