//! The reworked decrypt paths checked against each other, shared by the `decrypt_paths`
//! fuzz target and the regression test that replays what it found. The first byte picks:
//! - even: a fragment after a fixed synthetic protected init segment (the second byte picks
//!   the scheme as in `decrypt_fragment`); in-place decryption must give exactly the bytes
//!   of the copying path, or both must fail;
//! - odd: a whole file; the streaming decryptor (fragments one at a time, non-fragmented
//!   files sample by sample through `stsz`/`stz2` and `saio` with one or several offsets)
//!   must give exactly the bytes of `decrypt_file`, or both must fail.

#![allow(dead_code)]

use std::io::Cursor;

use layover_media::Kid;
use layover_media::decrypt::{ContentKey, Decryptor, KeyStore, decrypt_file, decrypt_stream};
use layover_media::fourcc::types;

use super::synth;

/// Panics when the two ways of decrypting `data` disagree.
pub fn check(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode & 1 == 0 {
        let Some((&pick, rest)) = rest.split_first() else {
            return;
        };
        fragment_paths(pick, rest);
    } else {
        file_paths(rest);
    }
}

/// The synthetic track's key, and the fixture key ffmpeg encrypts with, so seeds made by
/// ffmpeg reach the cipher.
fn keys() -> KeyStore {
    let mut keys = KeyStore::new();
    keys.insert(Kid([0xaa; 16]), ContentKey([1; 16]));
    keys.insert_pair("b0b1b2b3b4b5b6b7b8b9babbbcbdbebf:c0c1c2c3c4c5c6c7c8c9cacbcccdcecf")
        .expect("fixture key pair");
    keys
}

fn fragment_paths(pick: u8, rest: &[u8]) {
    let keys = keys();
    let kid = Kid([0xaa; 16]);
    let mut track = synth::SynthTrack::cenc(1, kid, if pick & 1 == 0 { 8 } else { 16 });
    track.scheme = [
        types::CENC,
        types::CBCS,
        types::CENS,
        types::CBC1,
        types::PIFF,
    ][usize::from(pick >> 1) % 5];
    if track.scheme == types::CBCS || track.scheme == types::CENS {
        track.crypt = 1;
        track.skip = 9;
    }
    if track.scheme == types::CBCS && pick & 0x80 != 0 {
        track.iv_size = 0;
        track.constant_iv = Some(vec![7; 16]);
    }
    let init = synth::init_segment(&[track]);
    for offset in [0, 1000] {
        let mut copying = Decryptor::new(&init, &keys).expect("synthetic init parses");
        let mut in_place = copying.clone();
        let copied = copying.decrypt_fragment_at(rest, offset);
        let mut buf = rest.to_vec();
        let placed = in_place
            .decrypt_in_place(&mut buf, offset)
            .map(|c| c.to_vec());
        match (copied, placed) {
            (Ok(a), Ok(b)) => assert!(a == b, "in-place and copying decryption differ"),
            (Err(_), Err(_)) => {}
            (a, b) => panic!(
                "copying {:?} but in place {:?}",
                a.map(|v| v.len()),
                b.map(|v| v.len())
            ),
        }
    }
}

fn file_paths(input: &[u8]) {
    let keys = keys();
    let whole = decrypt_file(input, &keys);
    let mut out = Cursor::new(Vec::new());
    let streamed = decrypt_stream(&mut Cursor::new(input), &mut out, &keys);
    match (whole, streamed) {
        (Ok(a), Ok(_)) => assert!(a == out.into_inner(), "streamed and in-memory differ"),
        (Err(_), Err(_)) => {}
        (a, b) => panic!(
            "in memory {:?} but streamed {:?}",
            a.map(|v| v.len()).map_err(|e| e.to_string()),
            b.map(|_| ()).map_err(|e| e.to_string())
        ),
    }
}
