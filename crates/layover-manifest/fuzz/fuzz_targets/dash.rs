#![no_main]
use layover_manifest::Limits;
use libfuzzer_sys::fuzz_target;

// Smaller limits than the defaults: the caps themselves are unit-tested; here they keep each
// input fast under the sanitizer so the fuzzer explores logic instead of big expansions.
const LIMITS: Limits = Limits {
    max_segments_per_track: 20_000,
    max_segments_total: 100_000,
    max_url_bytes_total: 8 << 20,
};

fuzz_target!(|data: &[u8]| {
    let base = url::Url::parse("https://fuzz.example/a/manifest.mpd").unwrap();
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = layover_manifest::dash::parse_with_limits(text, &base, &LIMITS);
    }
    let _ = layover_manifest::parse_with_limits(data, &base, &LIMITS);
});
