#![allow(clippy::unwrap_used)] // a test helper that unwraps fails its test, with a backtrace
//! The one integration-test binary: real manifests from Shaka Packager, hand-written fixtures
//! for what it does not emit, hostile inputs, and property tests.

mod dash;
mod hls;
mod hostile;
mod props;
mod sidx_tree;
mod smooth;
mod xlink;

use std::path::PathBuf;

pub fn fixture(rel: &str) -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

pub fn url(s: &str) -> url::Url {
    url::Url::parse(s).unwrap()
}

pub const TEST_KID: &str = "00112233-4455-6677-8899-aabbccddeeff";
