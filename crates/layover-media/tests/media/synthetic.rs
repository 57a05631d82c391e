//! Decryption cases built by hand: key rotation and clear samples through `seig` groups,
//! two tracks under two keys in one fragment, 16-byte IVs, PIFF sample encryption with an
//! override, explicit base data offsets, and the errors for missing keys and broken input.

use layover_media::Kid;
use layover_media::boxes::moof::sample_group::{SbgpEntry, SeigEntry};
use layover_media::boxes::moof::senc::{SampleAux, Subsample};
use layover_media::boxes::protection::piff::{PiffAlgorithm, PiffTrackEncryption};
use layover_media::decrypt::cipher::{Pattern, SampleKey, Scheme, decrypt_sample, full_iv};
use layover_media::decrypt::{ContentKey, Decryptor, KeyStore};
use layover_media::{Error, FourCc};

use crate::support::synth::{SynthTrack, SynthTraf, fragment, init_segment, samples_of};

const KID_A: Kid = Kid([0xaa; 16]);
const KID_B: Kid = Kid([0xbb; 16]);
const KEY_A: [u8; 16] = [1; 16];
const KEY_B: [u8; 16] = [2; 16];

fn keys() -> KeyStore {
    let mut k = KeyStore::new();
    k.insert(KID_A, ContentKey(KEY_A));
    k.insert(KID_B, ContentKey(KEY_B));
    k
}

fn plain(n: usize, seed: u8) -> Vec<u8> {
    (0..n)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

/// CTR is its own inverse, so the decryption primitive also encrypts the test samples.
fn ctr_encrypt(data: &[u8], key: &[u8; 16], iv: &[u8], subsamples: &[Subsample]) -> Vec<u8> {
    let mut d = data.to_vec();
    decrypt_sample(
        &mut d,
        &SampleKey::new(key),
        Scheme::Cenc,
        &full_iv(iv).unwrap(),
        Pattern::default(),
        subsamples,
    )
    .unwrap();
    d
}

fn aux(iv: &[u8], subsamples: Vec<Subsample>) -> SampleAux {
    SampleAux {
        iv: iv.to_vec(),
        subsamples,
    }
}

#[test]
fn key_rotation_and_clear_samples_through_seig_groups() {
    let init = init_segment(&[SynthTrack::cenc(1, KID_A, 8)]);
    let p: Vec<Vec<u8>> = (0..4).map(|i| plain(100 + i * 7, i as u8)).collect();
    let subs = vec![Subsample {
        clear: 10,
        protected: 60,
    }];
    let traf = SynthTraf {
        track_id: 1,
        samples: vec![
            ctr_encrypt(&p[0], &KEY_B, &[1; 8], &subs),
            ctr_encrypt(&p[1], &KEY_B, &[2; 8], &[]),
            p[2].clone(),
            ctr_encrypt(&p[3], &KEY_A, &[4; 8], &[]),
        ],
        aux: vec![
            aux(&[1; 8], subs.clone()),
            aux(&[2; 8], vec![]),
            aux(&[], vec![]),
            aux(&[4; 8], vec![]),
        ],
        seig: vec![
            SeigEntry {
                crypt_byte_block: 0,
                skip_byte_block: 0,
                is_protected: 1,
                per_sample_iv_size: 8,
                kid: KID_B,
                constant_iv: None,
            },
            SeigEntry {
                crypt_byte_block: 0,
                skip_byte_block: 0,
                is_protected: 0,
                per_sample_iv_size: 0,
                kid: Kid([0; 16]),
                constant_iv: None,
            },
        ],
        groups: vec![
            SbgpEntry {
                sample_count: 2,
                group_description_index: 0x10001,
            },
            SbgpEntry {
                sample_count: 1,
                group_description_index: 0x10002,
            },
            SbgpEntry {
                sample_count: 1,
                group_description_index: 0,
            },
        ],
        piff: None,
    };
    let mut dec = Decryptor::new(&init, &keys()).unwrap();
    let out = dec.decrypt_fragment(&fragment(&[traf], None)).unwrap();
    assert_eq!(samples_of(&out), vec![(1, p)]);
    // Nothing of the seig groups or senc is left.
    let text = String::from_utf8_lossy(&out);
    for t in ["senc", "sbgp", "sgpd"] {
        assert!(!text.contains(t), "{t} left in output");
    }
}

#[test]
fn seig_groups_described_in_the_init_segment() {
    let mut track = SynthTrack::cenc(1, KID_A, 8);
    track.stbl_seig = vec![SeigEntry {
        crypt_byte_block: 0,
        skip_byte_block: 0,
        is_protected: 1,
        per_sample_iv_size: 16,
        kid: KID_B,
        constant_iv: None,
    }];
    let init = init_segment(&[track]);
    let p = [plain(48, 1), plain(52, 2)];
    let traf = SynthTraf {
        track_id: 1,
        // Sample 0 is in group 1 (described in stbl: KID B, 16-byte IV); sample 1 in no group
        // (tenc defaults: KID A, 8-byte IV).
        samples: vec![
            ctr_encrypt(&p[0], &KEY_B, &[6; 16], &[]),
            ctr_encrypt(&p[1], &KEY_A, &[7; 8], &[]),
        ],
        aux: vec![aux(&[6; 16], vec![]), aux(&[7; 8], vec![])],
        groups: vec![SbgpEntry {
            sample_count: 1,
            group_description_index: 1,
        }],
        // The synthetic writer puts `sbgp` beside a fragment `sgpd`; this one goes unused.
        seig: vec![SeigEntry {
            crypt_byte_block: 0,
            skip_byte_block: 0,
            is_protected: 0,
            per_sample_iv_size: 0,
            kid: Kid([0; 16]),
            constant_iv: None,
        }],
        piff: None,
    };
    let mut dec = Decryptor::new(&init, &keys()).unwrap();
    let out = dec.decrypt_fragment(&fragment(&[traf], None)).unwrap();
    assert_eq!(samples_of(&out), vec![(1, p.to_vec())]);
}

#[test]
fn two_tracks_two_keys_one_fragment() {
    let init = init_segment(&[
        SynthTrack::cenc(1, KID_A, 8),
        SynthTrack::cenc(2, KID_B, 16),
    ]);
    let v: Vec<Vec<u8>> = (0..3).map(|i| plain(64 + i, 10 + i as u8)).collect();
    let a: Vec<Vec<u8>> = (0..2).map(|i| plain(33 + i, 20 + i as u8)).collect();
    let iv16 = [7u8; 16];
    let trafs = [
        SynthTraf {
            track_id: 1,
            samples: v
                .iter()
                .map(|s| ctr_encrypt(s, &KEY_A, &[9; 8], &[]))
                .collect(),
            aux: v.iter().map(|_| aux(&[9; 8], vec![])).collect(),
            ..SynthTraf::default()
        },
        SynthTraf {
            track_id: 2,
            samples: a
                .iter()
                .map(|s| ctr_encrypt(s, &KEY_B, &iv16, &[]))
                .collect(),
            aux: a.iter().map(|_| aux(&iv16, vec![])).collect(),
            ..SynthTraf::default()
        },
    ];
    let summary = layover_media::inspect::summarize(&init).unwrap();
    let per_track: Vec<_> = summary
        .tracks
        .iter()
        .map(|t| (t.track_id, t.kids.clone()))
        .collect();
    assert_eq!(per_track, vec![(1, vec![KID_A]), (2, vec![KID_B])]);
    let mut dec = Decryptor::new(&init, &keys()).unwrap();
    assert_eq!(dec.tracks().len(), 2);
    let out = dec.decrypt_fragment(&fragment(&trafs, None)).unwrap();
    assert_eq!(samples_of(&out), vec![(1, v), (2, a)]);
    let clear_init = dec.decrypt_init().unwrap();
    let text = String::from_utf8_lossy(&clear_init);
    assert!(text.contains("avc1") && !text.contains("encv") && !text.contains("sinf"));
}

#[test]
fn piff_sample_encryption_override_switches_key_and_iv_size() {
    let mut t = SynthTrack::cenc(1, KID_A, 8);
    t.scheme = FourCc::new(b"piff");
    let init = init_segment(&[t]);
    let p = vec![plain(80, 3), plain(50, 4)];
    let iv = [5u8; 16];
    let traf = SynthTraf {
        track_id: 1,
        samples: p
            .iter()
            .map(|s| {
                ctr_encrypt(
                    s,
                    &KEY_B,
                    &iv,
                    &[Subsample {
                        clear: 5,
                        protected: 20,
                    }],
                )
            })
            .collect(),
        aux: p
            .iter()
            .map(|_| {
                aux(
                    &iv,
                    vec![Subsample {
                        clear: 5,
                        protected: 20,
                    }],
                )
            })
            .collect(),
        piff: Some(Some(PiffTrackEncryption {
            algorithm: PiffAlgorithm::AesCtr,
            iv_size: 16,
            kid: KID_B,
        })),
        ..SynthTraf::default()
    };
    let mut dec = Decryptor::new(&init, &keys()).unwrap();
    let out = dec.decrypt_fragment(&fragment(&[traf], None)).unwrap();
    assert_eq!(samples_of(&out), vec![(1, p)]);
}

#[test]
fn explicit_base_data_offset_needs_the_fragment_position() {
    let init = init_segment(&[SynthTrack::cenc(1, KID_A, 8)]);
    let p = vec![plain(40, 1)];
    let traf = SynthTraf {
        track_id: 1,
        samples: p
            .iter()
            .map(|s| ctr_encrypt(s, &KEY_A, &[3; 8], &[]))
            .collect(),
        aux: vec![aux(&[3; 8], vec![])],
        ..SynthTraf::default()
    };
    let at = 5000;
    let frag = fragment(&[traf], Some(at));
    let mut dec = Decryptor::new(&init, &keys()).unwrap();
    let out = dec.decrypt_fragment_at(&frag, at).unwrap();
    assert_eq!(samples_of(&out), vec![(1, p)]);
    // Read as if at offset 0, the base points past the buffer: an error, not a panic.
    assert!(dec.decrypt_fragment(&frag).is_err());
}

#[test]
fn missing_key_names_the_kid() {
    let init = init_segment(&[SynthTrack::cenc(1, KID_B, 8)]);
    let traf = SynthTraf {
        track_id: 1,
        samples: vec![vec![0; 16]],
        aux: vec![aux(&[0; 8], vec![])],
        ..SynthTraf::default()
    };
    let mut only_a = KeyStore::new();
    only_a.insert(KID_A, ContentKey(KEY_A));
    let mut dec = Decryptor::new(&init, &only_a).unwrap();
    let err = dec.decrypt_fragment(&fragment(&[traf], None)).unwrap_err();
    assert_eq!(err, Error::MissingKey { kid: KID_B });
    assert!(
        err.to_string()
            .contains("bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb")
    );
    assert!(err.to_string().contains(&KID_B.to_playready_base64()));
}

#[test]
fn broken_fragments_are_errors() {
    let init = init_segment(&[SynthTrack::cenc(1, KID_A, 8)]);
    let traf = SynthTraf {
        track_id: 1,
        samples: vec![vec![0; 32], vec![1; 32]],
        aux: vec![aux(&[0; 8], vec![]), aux(&[1; 8], vec![])],
        ..SynthTraf::default()
    };
    let frag = fragment(&[traf], None);
    let mut dec = Decryptor::new(&init, &keys()).unwrap();
    for cut in [10, frag.len() / 2, frag.len() - 1] {
        assert!(dec.decrypt_fragment(&frag[..cut]).is_err(), "cut at {cut}");
    }
    // Subsample map larger than the sample.
    let traf = SynthTraf {
        track_id: 1,
        samples: vec![vec![0; 8]],
        aux: vec![aux(
            &[0; 8],
            vec![Subsample {
                clear: 4,
                protected: 100,
            }],
        )],
        ..SynthTraf::default()
    };
    assert!(dec.decrypt_fragment(&fragment(&[traf], None)).is_err());
    assert!(Decryptor::new(b"not an mp4", &keys()).is_err());

    // A run claiming four billion empty samples in a few bytes is refused quickly (track 9
    // is not in the init segment, so its samples pass through untouched until then).
    let mut frag = fragment(
        &[SynthTraf {
            track_id: 9,
            samples: vec![vec![0; 16]],
            aux: vec![aux(&[0; 8], vec![])],
            ..SynthTraf::default()
        }],
        None,
    );
    let trun_at = frag.windows(4).position(|w| w == b"trun").unwrap();
    // flags: keep only data-offset-present; count: u32::MAX.
    frag[trun_at + 4..trun_at + 8].copy_from_slice(&[0, 0, 0, 1]);
    frag[trun_at + 8..trun_at + 12].copy_from_slice(&u32::MAX.to_be_bytes());
    let err = dec.decrypt_fragment(&frag).unwrap_err();
    assert!(
        err.to_string()
            .contains("more samples than the fragment has bytes"),
        "{err}"
    );
}

proptest::proptest! {
    /// Arbitrary bytes, and real fragments with bytes flipped, fed to a decryptor never panic.
    #[test]
    fn mangled_fragments_never_panic(flips in proptest::collection::vec((0usize..4096, proptest::prelude::any::<u8>()), 0..8),
            junk in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300)) {
        let init = init_segment(&[SynthTrack::cenc(1, KID_A, 8)]);
        let traf = SynthTraf {
            track_id: 1,
            samples: vec![plain(64, 1), plain(40, 2)],
            aux: vec![aux(&[1; 8], vec![Subsample { clear: 4, protected: 32 }]), aux(&[2; 8], vec![])],
            ..SynthTraf::default()
        };
        let mut frag = fragment(&[traf], None);
        for (at, v) in flips {
            let n = frag.len();
            frag[at % n] ^= v;
        }
        let mut dec = Decryptor::new(&init, &keys()).unwrap();
        let _ = dec.decrypt_fragment(&frag);
        let _ = dec.decrypt_fragment(&junk);
        let _ = layover_media::decrypt::decrypt_file(&junk, &keys());
    }
}
