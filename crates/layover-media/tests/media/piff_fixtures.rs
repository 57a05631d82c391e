//! PIFF 1.1 media derived from Shaka Packager's output (no packager at hand writes PIFF):
//! `cenc` files become PIFF AES-CTR and `cbc1` files PIFF AES-CBC by swapping `tenc`/`senc`
//! for the PIFF uuid boxes, `schm` for `piff`, and the `pssh` for a PIFF protection header.
//! The samples stay as Shaka encrypted them, so decoding to the clear frames proves the PIFF
//! paths against an outside encryptor.

use layover_media::boxes::moof::senc::Senc;
use layover_media::boxes::moof::trun::Trun;
use layover_media::boxes::protection::piff::{
    PiffAlgorithm, PiffProtectionHeader, PiffSampleEncryption, PiffTrackEncryption,
};
use layover_media::boxes::protection::pssh::{Pssh, SystemId};
use layover_media::boxes::protection::sinf::Schm;
use layover_media::boxes::protection::tenc::Tenc;
use layover_media::boxes::{BoxCodec, Mp4Box, parse_all, write_all};
use layover_media::decrypt::Scheme;
use layover_media::decrypt::decrypt_file;
use layover_media::decrypt::track::tracks_of;
use layover_media::fourcc::types;

use crate::support::{decoded_hashes, fixtures, key_store, read};

fn piff_sinf(sinf: &mut Mp4Box, algorithm: PiffAlgorithm) {
    for b in sinf.children_mut().unwrap().iter_mut() {
        if b.box_type == types::SCHM {
            *b = Schm {
                flags: 0,
                scheme_type: types::PIFF,
                scheme_version: 0x0001_0001,
                scheme_uri: None,
            }
            .to_box();
        }
        if b.box_type == types::SCHI {
            let c = b.children_mut().unwrap();
            let tenc = Tenc::from_box(&c[0]).unwrap();
            c[0] = PiffTrackEncryption {
                algorithm,
                iv_size: tenc.default_per_sample_iv_size,
                kid: tenc.default_kid,
            }
            .to_box();
        }
    }
}

fn visit_entries(b: &mut Mp4Box, algorithm: PiffAlgorithm) {
    if b.box_type == types::SINF {
        piff_sinf(b, algorithm);
        return;
    }
    if let Some(c) = b.children_mut() {
        c.iter_mut().for_each(|c| visit_entries(c, algorithm));
    }
}

/// The documented helper: a Shaka `cenc`/`cbc1` file rewritten in PIFF 1.1 form.
fn to_piff(input: &[u8], algorithm: PiffAlgorithm) -> Vec<u8> {
    let mut tree = parse_all(input).unwrap();
    tree.retain(|b| b.box_type != types::SIDX);
    for top in tree.iter_mut() {
        if top.box_type == types::MOOV {
            let pr = top
                .children_of(types::PSSH)
                .map(|b| Pssh::from_box(b).unwrap())
                .find(|p| p.system_id == SystemId::PLAYREADY)
                .unwrap();
            visit_entries(top, algorithm);
            let c = top.children_mut().unwrap();
            c.retain(|b| b.box_type != types::PSSH);
            c.push(
                PiffProtectionHeader {
                    system_id: SystemId::PLAYREADY,
                    data: pr.data,
                }
                .to_box(),
            );
        }
        if top.box_type == types::MOOF {
            let old = top.size() as i64;
            for traf in top
                .children_mut()
                .unwrap()
                .iter_mut()
                .filter(|b| b.box_type == types::TRAF)
            {
                let c = traf.children_mut().unwrap();
                c.retain(|b| b.box_type != types::SAIZ && b.box_type != types::SAIO);
                for b in c.iter_mut().filter(|b| b.box_type == types::SENC) {
                    let senc = Senc::from_box(b).unwrap();
                    *b = PiffSampleEncryption {
                        override_params: None,
                        senc,
                    }
                    .to_box();
                }
            }
            let delta = top.size() as i64 - old;
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
                    .filter(|b| b.box_type == types::TRUN)
                {
                    let mut t = Trun::from_box(b).unwrap();
                    t.data_offset = t.data_offset.map(|d| d + delta as i32);
                    *b = t.to_box();
                }
            }
        }
    }
    write_all(&tree)
}

fn check(variant: &str, algorithm: PiffAlgorithm, scheme: Scheme) {
    let dir = tempfile::tempdir().unwrap();
    let keys = key_store(&["VIDEO", "AUDIO"]);
    for (track, stream) in [("video", "v"), ("audio", "a")] {
        let piff = to_piff(&read(&format!("{variant}-{track}.mp4")), algorithm);
        let moov = parse_all(&piff)
            .unwrap()
            .into_iter()
            .find(|b| b.box_type == types::MOOV)
            .unwrap();
        let info = tracks_of(&moov).unwrap();
        let entry = info.values().next().unwrap().entries[0].clone().unwrap();
        assert_eq!(entry.scheme, scheme, "the derived file really is PIFF");
        let clear = decrypt_file(&piff, &keys).unwrap();
        let out = dir.path().join(format!("piff-{variant}-{track}.mp4"));
        std::fs::write(&out, clear).unwrap();
        assert_eq!(
            decoded_hashes(&out, stream),
            decoded_hashes(&fixtures().join(format!("clear-{track}.mp4")), stream),
            "PIFF from {variant}-{track}"
        );
    }
}

#[test]
fn piff_ctr_derived_from_shaka_cenc_decrypts() {
    check("cenc", PiffAlgorithm::AesCtr, Scheme::PiffCtr);
}

#[test]
fn piff_cbc_derived_from_shaka_cbc1_decrypts() {
    check("cbc1", PiffAlgorithm::AesCbc, Scheme::PiffCbc);
}
