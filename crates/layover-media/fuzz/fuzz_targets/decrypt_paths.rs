//! In-place against copying fragment decryption, and streaming against in-memory file
//! decryption (non-fragmented files with `stz2` and multi-offset `saio` included), on
//! arbitrary bytes: see `tests/media/support/paths.rs`. Crashes are replayed by
//! `tests/media/fuzz_regressions.rs`.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../tests/media/support/synth.rs"]
mod synth;

#[path = "../../tests/media/support/paths.rs"]
mod paths;

fuzz_target!(|data: &[u8]| paths::check(data));
