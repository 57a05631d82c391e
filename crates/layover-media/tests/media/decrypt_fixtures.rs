//! Decrypt what Shaka Packager and ffmpeg encrypted, then decode with ffmpeg and compare
//! against the clear packaging, frame by frame.

use std::path::Path;

use layover_media::boxes::{parse_all, walk};
use layover_media::decrypt::{Decryptor, KeyStore, decrypt_file};
use layover_media::fourcc::types;
use layover_media::{Error, FourCc};

use crate::support::{decoded_hashes, fixtures, key_store, read};

/// Decrypts fragment by fragment through the streaming API, as a downloader would.
fn decrypt_streaming(input: &[u8], keys: &KeyStore) -> Vec<u8> {
    let boxes: Vec<_> = walk(input, 0, FourCc::default())
        .map(|b| b.unwrap())
        .collect();
    let init_end = boxes
        .iter()
        .find(|b| b.header.box_type == types::SIDX || b.header.box_type == types::MOOF)
        .map(|b| b.header.offset as usize)
        .unwrap();
    let mut dec = Decryptor::new(&input[..init_end], keys).unwrap();
    let mut out = dec.decrypt_init().unwrap();
    let moofs: Vec<usize> = boxes
        .iter()
        .filter(|b| b.header.box_type == types::MOOF)
        .map(|b| b.header.offset as usize)
        .collect();
    for (i, &start) in moofs.iter().enumerate() {
        let end = moofs.get(i + 1).copied().unwrap_or(input.len());
        out.extend(dec.decrypt_fragment(&input[start..end]).unwrap());
    }
    out
}

/// Asserts the clear output has no protection left in it.
fn assert_clear(bytes: &[u8]) {
    fn visit(b: &layover_media::boxes::Mp4Box) {
        for t in [
            types::ENCV,
            types::ENCA,
            types::SINF,
            types::PSSH,
            types::SENC,
            types::SAIZ,
            types::SAIO,
        ] {
            assert_ne!(b.box_type, t, "protection box '{t}' left in output");
        }
        b.children().iter().for_each(visit);
    }
    parse_all(bytes).unwrap().iter().for_each(visit);
}

fn check_variant(variant: &str) {
    let dir = tempfile::tempdir().unwrap();
    let keys = key_store(&["VIDEO", "AUDIO"]);
    for (track, stream) in [("video", "v"), ("audio", "a")] {
        let input = read(&format!("{variant}-{track}.mp4"));
        let whole =
            decrypt_file(&input, &keys).unwrap_or_else(|e| panic!("{variant}-{track}: {e}"));
        assert_clear(&whole);
        let out = dir.path().join(format!("{variant}-{track}.mp4"));
        std::fs::write(&out, &whole).unwrap();
        let clear = decoded_hashes(&fixtures().join(format!("clear-{track}.mp4")), stream);
        let got = decoded_hashes(&out, stream);
        assert_eq!(
            got, clear,
            "{variant}-{track}: decoded frames differ from the clear packaging"
        );

        // The streaming path decodes to the same frames (its output keeps the stale sidx
        // out: only the fragments and init are concatenated).
        let streamed = decrypt_streaming(&input, &keys);
        let out2 = dir.path().join(format!("{variant}-{track}-streamed.mp4"));
        std::fs::write(&out2, &streamed).unwrap();
        assert_eq!(
            decoded_hashes(&out2, stream),
            clear,
            "{variant}-{track} streamed"
        );
    }
}

#[test]
fn cenc_decrypts_to_the_clear_frames() {
    check_variant("cenc");
}

#[test]
fn cbcs_decrypts_to_the_clear_frames() {
    check_variant("cbcs");
}

#[test]
fn cens_decrypts_to_the_clear_frames() {
    check_variant("cens");
}

#[test]
fn cbc1_decrypts_to_the_clear_frames() {
    check_variant("cbc1");
}

#[test]
fn cenc_clear_lead_decrypts_to_the_clear_frames() {
    check_variant("cenc-clearlead");
}

#[test]
fn cbcs_clear_lead_decrypts_to_the_clear_frames() {
    check_variant("cbcs-clearlead");
}

#[test]
fn the_encrypted_input_does_not_decode_to_the_clear_frames() {
    // Guards the comparison itself: without decryption the frames must differ.
    let clear = decoded_hashes(&fixtures().join("clear-video.mp4"), "v");
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("enc.mp4");
    // Strip protection without decrypting: an empty key store cannot decrypt, so rename
    // boxes by hand via the init path of a store holding only the audio key.
    let input = read("cenc-video.mp4");
    let err = decrypt_file(&input, &key_store(&["AUDIO"])).unwrap_err();
    assert!(matches!(err, Error::MissingKey { .. }), "{err}");
    assert!(
        err.to_string()
            .contains(&crate::support::test_keys()["VIDEO_KID"][..8])
    );
    std::fs::write(&p, &input).unwrap();
    let out = std::process::Command::new(crate::support::ffmpeg())
        .args(["-v", "quiet", "-nostdin", "-i"])
        .arg(&p)
        .args(["-map", "0:v", "-f", "framemd5", "-"])
        .output()
        .unwrap();
    let hashes: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.rsplit(',').next().map(|h| h.trim().to_string()))
        .collect();
    assert_ne!(hashes, clear);
}

/// Decodes `file` with ffmpeg's own CENC decryption (`-decryption_key`), the reference for
/// what ffmpeg itself wrote.
fn ffmpeg_own_decryption(file: &Path, stream: &str) -> Vec<String> {
    let key = &crate::support::test_keys()["FFMPEG_KEY"];
    let out = std::process::Command::new(crate::support::ffmpeg())
        .args(["-v", "quiet", "-nostdin", "-decryption_key", key, "-i"])
        .arg(file)
        .args(["-map", &format!("0:{stream}"), "-f", "framemd5", "-"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.rsplit(',').next().map(|h| h.trim().to_string()))
        .collect()
}

fn check_ffmpeg_file(name: &str, audio_reference_is_ffmpeg: bool) {
    let input = read(name);
    let keys = key_store(&["FFMPEG"]);
    let whole = decrypt_file(&input, &keys).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_clear(&whole);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join(name);
    std::fs::write(&out, &whole).unwrap();
    let source = fixtures().join("source.mp4");
    assert_eq!(
        decoded_hashes(&out, "v"),
        decoded_hashes(&source, "v"),
        "{name} video"
    );
    let audio = decoded_hashes(&out, "a");
    if audio_reference_is_ffmpeg {
        // ffmpeg 8.1's fragmented CENC writer leaves audio after the first fragment that
        // ffmpeg itself cannot decode even with the key; match its own decryption instead.
        assert_eq!(
            audio,
            ffmpeg_own_decryption(&fixtures().join(name), "a"),
            "{name} audio"
        );
    } else {
        assert_eq!(audio, decoded_hashes(&source, "a"), "{name} audio");
    }
}

#[test]
fn ffmpeg_non_fragmented_cenc_decrypts() {
    check_ffmpeg_file("ffmpeg-cenc.mp4", false);
}

/// Debian's ffmpeg (another build and version than the wheel's, see
/// `debian-ffmpeg-version.txt`) writing non-fragmented CENC.
#[test]
fn debian_ffmpeg_non_fragmented_cenc_decrypts() {
    check_ffmpeg_file("debian-ffmpeg-cenc.mp4", false);
}

#[test]
fn ffmpeg_faststart_cenc_decrypts_and_chunk_offsets_move() {
    check_ffmpeg_file("ffmpeg-cenc-faststart.mp4", false);
}

#[test]
fn ffmpeg_fragmented_cenc_decrypts() {
    check_ffmpeg_file("ffmpeg-cenc-frag.mp4", true);
}

#[test]
fn fixture_dir_is_the_documented_one() {
    assert!(Path::new(&fixtures()).join("source.mp4").is_file());
}

/// Hides every `senc` from the decryptor by renaming it (an unknown box is kept and skipped,
/// so `saio` offsets stay valid), leaving only `saiz`/`saio` to find the IVs and subsamples.
fn hide_senc(input: &[u8]) -> Vec<u8> {
    let mut tree = parse_all(input).unwrap();
    for top in tree.iter_mut().filter(|b| b.box_type == types::MOOF) {
        for traf in top
            .children_mut()
            .unwrap()
            .iter_mut()
            .filter(|b| b.box_type == types::TRAF)
        {
            for b in traf
                .children_mut()
                .unwrap()
                .iter_mut()
                .filter(|b| b.box_type == types::SENC)
            {
                b.box_type = FourCc::new(b"xsnc");
            }
        }
    }
    layover_media::boxes::write_all(&tree)
}

#[test]
fn saiz_saio_locate_the_sample_information_without_senc() {
    let dir = tempfile::tempdir().unwrap();
    let keys = key_store(&["VIDEO", "AUDIO"]);
    for (variant, track, stream) in [
        ("cenc", "video", "v"),
        ("cbcs", "audio", "a"),
        ("cens", "video", "v"),
    ] {
        let input = hide_senc(&read(&format!("{variant}-{track}.mp4")));
        let clear =
            decrypt_file(&input, &keys).unwrap_or_else(|e| panic!("{variant}-{track}: {e}"));
        let out = dir.path().join(format!("{variant}-{track}-saio.mp4"));
        std::fs::write(&out, &clear).unwrap();
        assert_eq!(
            decoded_hashes(&out, stream),
            decoded_hashes(&fixtures().join(format!("clear-{track}.mp4")), stream),
            "{variant}-{track} via saiz/saio"
        );
    }
}

#[test]
fn a_wrong_key_is_caught_by_the_playready_checksum() {
    let mut keys = key_store(&["AUDIO"]);
    let kid = layover_media::Kid::from_hex(&crate::support::test_keys()["VIDEO_KID"]).unwrap();
    keys.insert(kid, layover_media::decrypt::ContentKey([0x42; 16]));
    let err = decrypt_file(&read("cenc-video.mp4"), &keys).unwrap_err();
    assert_eq!(err, Error::WrongKey { kid });
    assert!(err.to_string().contains(&kid.to_uuid_string()));
}

/// Checks that a `sidx` in clear output points exactly at its `moof`s.
fn assert_sidx_points_at_moofs(bytes: &[u8]) {
    use layover_media::boxes::BoxCodec;
    use layover_media::boxes::sidx::Sidx;
    let boxes: Vec<_> = walk(bytes, 0, FourCc::default())
        .map(|b| b.unwrap())
        .collect();
    let sidx_box = boxes
        .iter()
        .find(|b| b.header.box_type == types::SIDX)
        .expect("sidx kept");
    let sidx = Sidx::parse(sidx_box.payload, sidx_box.header.payload_offset()).unwrap();
    let mut at = sidx_box.header.offset + sidx_box.header.size + sidx.first_offset;
    for r in &sidx.references {
        let b = boxes
            .iter()
            .find(|b| b.header.offset == at)
            .expect("reference starts at a box");
        assert_eq!(b.header.box_type, types::MOOF);
        at += u64::from(r.referenced_size);
    }
    assert_eq!(
        at,
        bytes.len() as u64,
        "references cover the file to its end"
    );
}

#[test]
fn segment_sidx_is_rewritten_and_streaming_matches_whole_file() {
    let keys = key_store(&["VIDEO", "AUDIO"]);
    for name in [
        "cenc-video.mp4",
        "cbcs-audio.mp4",
        "cenc-clearlead-video.mp4",
    ] {
        let input = read(name);
        let whole = decrypt_file(&input, &keys).unwrap();
        assert_sidx_points_at_moofs(&whole);
        // The same bytes through the streaming API, with everything after the init segment
        // (sidx and all fragments) as one "segment".
        let media_start = walk(&input, 0, FourCc::default())
            .map(|b| b.unwrap())
            .find(|b| b.header.box_type == types::SIDX)
            .unwrap()
            .header
            .offset as usize;
        let mut dec = Decryptor::new(&input[..media_start], &keys).unwrap();
        let mut streamed = dec.decrypt_init().unwrap();
        streamed.extend(
            dec.decrypt_fragment_at(&input[media_start..], media_start as u64)
                .unwrap(),
        );
        assert_eq!(streamed, whole, "{name}");
    }
}
