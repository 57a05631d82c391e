//! `pssh` boxes and the system data inside them.
#![no_main]

use layover_media::boxes::BoxCodec;
use layover_media::boxes::protection::pssh::Pssh;
use layover_media::headers::playready::Pro;
use layover_media::headers::widevine::WidevinePsshData;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(p) = Pssh::parse(data, 0) {
        let bytes = p.to_bytes();
        assert_eq!(Pssh::parse(&bytes[8..], 8).expect("rebuilt pssh parses"), p);
        let _ = WidevinePsshData::parse(&p.data);
        if let Ok(pro) = Pro::parse(&p.data) {
            let _ = pro.wrm_header();
        }
    }
    if let Ok(w) = WidevinePsshData::parse(data) {
        assert_eq!(WidevinePsshData::parse(&w.to_bytes()).expect("rebuilt data parses"), w);
    }
});
