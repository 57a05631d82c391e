//! Fixture location, test keys, the ffmpeg decode helper and synthetic media.

pub mod paths;
pub mod synth;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use layover_media::Kid;
use layover_media::decrypt::{ContentKey, KeyStore};

/// The repository root (this crate lives at `crates/layover-media`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Where the generated fixtures are: `$LAYOVER_FIXTURES` or `<repo>/target/fixtures/media`.
/// Panics with the command to run when they are missing: a missing fixture is a failure.
pub fn fixtures() -> PathBuf {
    let dir = std::env::var_os("LAYOVER_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("target/fixtures/media"));
    assert!(
        dir.join(".stamp").is_file(),
        "fixture media missing in {}: run assets/media/make-fixtures.sh",
        dir.display()
    );
    dir
}

/// Reads a fixture file.
pub fn read(name: &str) -> Vec<u8> {
    let p = fixtures().join(name);
    std::fs::read(&p).unwrap_or_else(|e| {
        panic!(
            "cannot read {}: {e}; run assets/media/make-fixtures.sh",
            p.display()
        )
    })
}

/// The committed test keys (`assets/media/test-keys.env`).
pub fn test_keys() -> BTreeMap<String, String> {
    let p = repo_root().join("assets/media/test-keys.env");
    let text = std::fs::read_to_string(&p).expect("assets/media/test-keys.env is committed");
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

/// A key store with the given `NAME_KID`/`NAME_KEY` pairs from the test keys.
pub fn key_store(names: &[&str]) -> KeyStore {
    let k = test_keys();
    let mut ks = KeyStore::new();
    for n in names {
        ks.insert(
            Kid::from_hex(&k[&format!("{n}_KID")]).unwrap(),
            ContentKey::from_hex(&k[&format!("{n}_KEY")]).unwrap(),
        );
    }
    ks
}

/// The ffmpeg that made the fixtures.
pub fn ffmpeg() -> PathBuf {
    let p = std::fs::read_to_string(fixtures().join("ffmpeg-path.txt")).expect("ffmpeg-path.txt");
    PathBuf::from(p.trim())
}

/// Decodes one stream (`v` or `a`) of a file with ffmpeg and returns the per-frame hashes
/// (the hash column of `-f framemd5`: MD5 of each decoded picture or PCM frame).
pub fn decoded_hashes(file: &Path, stream: &str) -> Vec<String> {
    let out = Command::new(ffmpeg())
        .args(["-v", "error", "-nostdin", "-i"])
        .arg(file)
        .args(["-map", &format!("0:{stream}"), "-f", "framemd5", "-"])
        .output()
        .expect("run ffmpeg");
    assert!(
        out.status.success(),
        "ffmpeg failed on {}: {}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let hashes: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.rsplit(',').next().map(|h| h.trim().to_string()))
        .filter(|h| !h.is_empty())
        .collect();
    assert!(
        !hashes.is_empty(),
        "ffmpeg decoded no {stream} frames from {}",
        file.display()
    );
    hashes
}
