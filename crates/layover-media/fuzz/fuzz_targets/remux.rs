//! Per-track init segments and fragments for MSE (`remux`) on arbitrary bytes: never a panic,
//! and a fragment it writes reads back as one track.
#![no_main]

use layover_media::remux::{TrackDefaults, track_fragment, track_ids, track_init};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (&id, rest) = data.split_first().unwrap_or((&1, &[]));
    let id = u32::from(id % 4);
    let defaults = TrackDefaults {
        sample_duration: 1,
        sample_size: u32::from(id),
    };
    let _ = track_ids(rest);
    let _ = track_init(rest, id);
    let _ = TrackDefaults::from_init(rest, id);
    if let Ok(Some(out)) = track_fragment(rest, id, 90_000, defaults) {
        let again = track_fragment(&out, id, 90_000, defaults).expect("its own output reads");
        assert!(again.is_some(), "the track is still there");
    }
});
