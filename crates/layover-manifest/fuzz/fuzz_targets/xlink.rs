//! DASH xlink resolution on arbitrary text: the bytes fetched for a linked Period and for a
//! linked AdaptationSet are spliced in, the result listed and parsed again. Never a panic.
#![no_main]
use std::collections::HashMap;

use layover_manifest::dash::{resolve_xlinks, xlinks};
use libfuzzer_sys::fuzz_target;

const MPD: &str = r#"<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:cenc="urn:mpeg:cenc:2013" type="static" mediaPresentationDuration="PT10S"><Period id="a"><AdaptationSet xlink:href="as.xml"/></Period><Period xlink:href="urn:mpeg:dash:resolve-to-zero:2013"/><Period xlink:href="p.xml" xlink:actuate="onLoad"/></MPD>"#;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    // The text up to the first NUL is the Period resource, the rest the AdaptationSet's.
    let (period, aset) = text.split_once('\0').unwrap_or((text, ""));
    let base = url::Url::parse("https://fuzz.example/t/m.mpd").unwrap();
    let fetched = HashMap::from([
        (base.join("p.xml").unwrap(), period.to_owned()),
        (base.join("as.xml").unwrap(), aset.to_owned()),
    ]);
    let mut mpd = MPD.to_owned();
    for _ in 0..3 {
        let Ok(next) = resolve_xlinks(&mpd, &base, &fetched) else { return };
        mpd = next;
        match xlinks(&mpd, &base) {
            Ok(l) if !l.is_empty() => continue,
            _ => break,
        }
    }
    let _ = layover_manifest::parse(mpd.as_bytes(), &base);
});
