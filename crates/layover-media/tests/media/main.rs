//! Integration tests against media made by tools we did not write (Shaka Packager, ffmpeg):
//! decrypt every packaged variant and check that ffmpeg decodes it to exactly the frames of
//! the clear packaging. Run `assets/media/make-fixtures.sh` first; these tests fail (not
//! skip) without the fixtures.

// Tests fail loudly on unexpected errors; unwrap is the clearest way to say so here.
#![allow(clippy::unwrap_used)]

mod support;

mod decrypt_fixtures;
mod fuzz_regressions;
mod piff_fixtures;
mod playready_fixtures;
mod stream;
mod synthetic;
