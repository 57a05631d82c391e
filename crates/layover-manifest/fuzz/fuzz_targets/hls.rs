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
    let base = url::Url::parse("https://fuzz.example/a/master.m3u8").unwrap();
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = layover_manifest::hls::parse_media_with_limits(text, &base, &LIMITS);
    if let Ok(master) = layover_manifest::hls::parse_master(text, &base) {
        // Feed the same text back as every media playlist: exercises assemble end to end.
        let media: Vec<(url::Url, &str)> =
            master.media_playlist_urls().into_iter().map(|u| (u, text)).collect();
        let _ = layover_manifest::hls::assemble_with_limits(&master, &media, &LIMITS);
    }
});
