//! Fragment decryption against a fixed protected init segment, and whole-file decryption,
//! on arbitrary bytes. The first byte picks the scheme so every cipher path is reached.
#![no_main]

use layover_media::Kid;
use layover_media::decrypt::{ContentKey, Decryptor, KeyStore, decrypt_file};
use layover_media::fourcc::types;
use libfuzzer_sys::fuzz_target;

#[path = "../../tests/media/support/synth.rs"]
mod synth;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else { return };
    let kid = Kid([0xaa; 16]);
    let mut track = synth::SynthTrack::cenc(1, kid, if pick & 1 == 0 { 8 } else { 16 });
    track.scheme = [types::CENC, types::CBCS, types::CENS, types::CBC1, types::PIFF][usize::from(pick >> 1) % 5];
    if track.scheme == types::CBCS || track.scheme == types::CENS {
        track.crypt = 1;
        track.skip = 9;
    }
    if track.scheme == types::CBCS && pick & 0x80 != 0 {
        track.iv_size = 0;
        track.constant_iv = Some(vec![7; 16]);
    }
    let init = synth::init_segment(&[track]);
    let mut keys = KeyStore::new();
    keys.insert(kid, ContentKey([1; 16]));
    let mut dec = Decryptor::new(&init, &keys).expect("synthetic init parses");
    let _ = dec.decrypt_fragment(rest);
    let _ = dec.decrypt_fragment_at(rest, 1000);
    let _ = decrypt_file(rest, &keys);
    let mut joined = init.clone();
    joined.extend_from_slice(rest);
    let _ = decrypt_file(&joined, &keys);
});
