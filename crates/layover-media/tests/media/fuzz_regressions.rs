//! Inputs the fuzz targets once failed on, replayed as ordinary tests. Each file under
//! `tests/fuzz-regressions/<target>/` goes through the same check as that target.

use std::path::Path;

use layover_media::decrypt::{KeyStore, decrypt_file};

use crate::support::paths;

fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz-regressions")
        .join(target);
    let mut out: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no regression inputs in {}", dir.display());
    out
}

#[test]
fn decrypt_paths_regressions_agree() {
    for (name, data) in inputs("decrypt_paths") {
        let r = std::panic::catch_unwind(|| paths::check(&data));
        assert!(r.is_ok(), "{name}: the decrypt paths disagree");
    }
}

/// The first find: a non-fragmented file whose `stco` put two protected samples over the
/// same bytes. Streaming refused it while the in-memory path decrypted those bytes twice;
/// both now refuse it, naming the overlap.
#[test]
fn overlapping_protected_samples_are_refused_in_memory_too() {
    let data = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fuzz-regressions/decrypt_paths/overlapping-samples-in-memory-only"),
    )
    .unwrap();
    let mut keys = KeyStore::new();
    keys.insert_pair("b0b1b2b3b4b5b6b7b8b9babbbcbdbebf:c0c1c2c3c4c5c6c7c8c9cacbcccdcecf")
        .unwrap();
    let err = decrypt_file(&data[1..], &keys).unwrap_err().to_string();
    assert!(err.contains("overlaps another"), "{err}");
}
