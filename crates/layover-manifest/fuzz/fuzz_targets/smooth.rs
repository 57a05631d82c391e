#![no_main]
use layover_manifest::Limits;
use libfuzzer_sys::fuzz_target;

// See dash.rs: small limits keep each input fast under the sanitizer.
const LIMITS: Limits = Limits {
    max_segments_per_track: 20_000,
    max_segments_total: 100_000,
    max_url_bytes_total: 8 << 20,
};

fuzz_target!(|data: &[u8]| {
    let base = url::Url::parse("https://fuzz.example/a.ism/Manifest").unwrap();
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(p) = layover_manifest::smooth::parse_with_limits(text, &base, &LIMITS)
    {
        for (i, t) in p.tracks.iter().enumerate() {
            let _ = layover_manifest::smooth::init::build_init_segment(t, i as u32 + 1, None);
        }
    }
});
