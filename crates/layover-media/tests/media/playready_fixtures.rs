//! The `pssh` boxes Shaka Packager writes: PlayReady (PRO + WRMHEADER with CHECKSUM),
//! Widevine (protobuf) and the W3C common box all parse and name the test KIDs.

use aes::Aes128;
use aes::cipher::array::Array;
use aes::cipher::{BlockCipherEncrypt, KeyInit};
use layover_media::Kid;
use layover_media::boxes::protection::pssh::{Pssh, SystemId};
use layover_media::boxes::{BoxCodec, parse_all};
use layover_media::decrypt::ContentKey;
use layover_media::fourcc::types;
use layover_media::headers::playready::{Algid, Pro, verify_checksum};
use layover_media::headers::widevine::WidevinePsshData;

use crate::support::{read, test_keys};

fn psshs(file: &str) -> Vec<Pssh> {
    let tree = parse_all(&read(file)).unwrap();
    let moov = tree.iter().find(|b| b.box_type == types::MOOV).unwrap();
    moov.children_of(types::PSSH)
        .map(|b| Pssh::from_box(b).unwrap())
        .collect()
}

fn kid_and_key(name: &str) -> (Kid, [u8; 16]) {
    let k = test_keys();
    (
        Kid::from_hex(&k[&format!("{name}_KID")]).unwrap(),
        ContentKey::from_hex(&k[&format!("{name}_KEY")]).unwrap().0,
    )
}

#[test]
fn shaka_playready_pssh_parses_and_its_checksum_verifies() {
    for (file, name, scheme) in [
        ("cenc-video.mp4", "VIDEO", "cenc"),
        ("cenc-audio.mp4", "AUDIO", "cenc"),
        ("cbcs-video.mp4", "VIDEO", "cbcs"),
    ] {
        let (kid, key) = kid_and_key(name);
        let all = psshs(file);
        let pr = all
            .iter()
            .find(|p| p.system_id == SystemId::PLAYREADY)
            .expect("PlayReady pssh");
        let header = Pro::parse(&pr.data).unwrap().wrm_header().unwrap();
        assert_eq!(header.kids.len(), 1, "{file}");
        // Our builder writes Shaka's PlayReady Object byte for byte (4.0.0.0 for cenc,
        // 4.3.0.0 with AESCBC for cbcs).
        assert_eq!(
            Pro::from_header(&header).to_bytes(),
            pr.data,
            "{file}: rebuilt PRO"
        );
        let wk = &header.kids[0];
        assert_eq!(
            wk.kid, kid,
            "{file}: WRMHEADER KID (little-endian GUID) matches tenc KID"
        );
        if pr.version == 1 {
            assert_eq!(pr.kids, vec![kid]);
        }
        match scheme {
            "cenc" => {
                assert_eq!(wk.algid, Some(Algid::AesCtr), "{file}");
                let checksum = wk
                    .checksum
                    .as_deref()
                    .expect("Shaka writes CHECKSUM for AESCTR");
                assert!(
                    verify_checksum(&kid, &key, checksum),
                    "{file}: CHECKSUM verifies"
                );
                assert_eq!(wk.verify(&key), Some(true));
                // The established fact: the KID is encrypted in PlayReady's little-endian GUID
                // order; the big-endian (tenc) order does not give Shaka's checksum.
                let mut be = Array(kid.0);
                Aes128::new(&Array(key)).encrypt_block(&mut be);
                assert_ne!(
                    &be.0[..8],
                    checksum,
                    "{file}: big-endian KID must not match"
                );
            }
            _ => assert_eq!(wk.algid, Some(Algid::AesCbc), "{file}"),
        }
    }
}

#[test]
fn shaka_widevine_and_common_pssh_name_the_kid() {
    let (kid, _) = kid_and_key("VIDEO");
    let (audio_kid, _) = kid_and_key("AUDIO");
    let all = psshs("cbcs-video.mp4");
    let wv = all
        .iter()
        .find(|p| p.system_id == SystemId::WIDEVINE)
        .expect("Widevine pssh");
    let data = WidevinePsshData::parse(&wv.data).unwrap();
    // Shaka lists every key of the presentation in the Widevine data, not only this track's.
    let mut got = data.key_ids.clone();
    got.sort();
    let mut want = vec![kid, audio_kid];
    want.sort();
    assert_eq!(got, want);
    assert_eq!(data.protection_scheme, Some(types::CBCS));
    let common = all
        .iter()
        .find(|p| p.system_id == SystemId::COMMON)
        .expect("common pssh");
    assert_eq!(common.version, 1);
    assert!(
        common.kids.contains(&kid),
        "common pssh KIDs {:?}",
        common.kids
    );
    assert!(common.data.is_empty());
    // Whatever Shaka wrote, our writer reproduces byte for byte.
    for p in &all {
        let bytes = p.to_bytes();
        assert_eq!(Pssh::parse(&bytes[8..], 8).unwrap(), *p);
    }
}

#[test]
fn inspect_summarises_a_shaka_init_segment() {
    use layover_media::inspect::{SystemData, summarize};
    let (kid, _) = kid_and_key("VIDEO");
    let s = summarize(&read("cbcs-video.mp4")).unwrap();
    assert_eq!(s.tracks.len(), 1);
    let t = &s.tracks[0];
    assert_eq!(
        (t.handler, t.codecs.clone(), t.scheme),
        (Some(types::VIDE), vec![types::AVC1], Some(types::CBCS))
    );
    assert_eq!(t.kids, vec![kid]);
    let names: Vec<_> = s.systems.iter().map(|x| x.system_id.name()).collect();
    for want in ["W3C Common", "PlayReady", "Widevine"] {
        assert!(names.contains(&Some(want)), "{want} missing from {names:?}");
    }
    assert!(
        s.systems
            .iter()
            .any(|x| matches!(&x.data, SystemData::PlayReady(h) if h.kids[0].kid == kid))
    );
    // Clear lead: two sample entries, the protected one resolved through frma.
    let s = summarize(&read("cenc-clearlead-video.mp4")).unwrap();
    assert_eq!(s.tracks[0].codecs, vec![types::AVC1, types::AVC1]);
}
