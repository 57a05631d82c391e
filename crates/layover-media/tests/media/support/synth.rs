//! Builds small protected init segments and fragments by hand, for cases the fixture
//! packagers do not produce (key rotation via `seig`, two KIDs in one fragment, PIFF sample
//! encryption overrides, explicit base data offsets). Shared with the fuzz targets.

#![allow(dead_code)]

use layover_media::boxes::moof::mfhd::Mfhd;
use layover_media::boxes::moof::sample_group::{Sbgp, SbgpEntry, SeigEntry, Sgpd};
use layover_media::boxes::moof::senc::{SampleAux, Senc};
use layover_media::boxes::moof::tfhd::{self, Tfhd};
use layover_media::boxes::moof::trun::{self, Trun, TrunSample};
use layover_media::boxes::moov::hdlr::Hdlr;
use layover_media::boxes::moov::tkhd::Tkhd;
use layover_media::boxes::moov::trex::Trex;
use layover_media::boxes::protection::piff::{
    PiffAlgorithm, PiffSampleEncryption, PiffTrackEncryption,
};
use layover_media::boxes::protection::sinf::{Frma, Schm};
use layover_media::boxes::protection::tenc::Tenc;
use layover_media::boxes::{Body, BoxCodec, Mp4Box, walk};
use layover_media::fourcc::types;
use layover_media::{FourCc, Kid};

/// One protected video track of the synthetic init segment.
#[derive(Clone)]
pub struct SynthTrack {
    pub track_id: u32,
    /// `cenc`, `cbcs`, `cens`, `cbc1`, or `piff` (PIFF 1.1 AES-CTR).
    pub scheme: FourCc,
    pub kid: Kid,
    pub iv_size: u8,
    pub constant_iv: Option<Vec<u8>>,
    pub crypt: u8,
    pub skip: u8,
    /// `seig` descriptions in `stbl` (group indices 1..=0x10000).
    pub stbl_seig: Vec<SeigEntry>,
}

impl SynthTrack {
    pub fn cenc(track_id: u32, kid: Kid, iv_size: u8) -> Self {
        SynthTrack {
            track_id,
            scheme: types::CENC,
            kid,
            iv_size,
            constant_iv: None,
            crypt: 0,
            skip: 0,
            stbl_seig: Vec::new(),
        }
    }
}

fn prefixed(t: FourCc, prefix: Vec<u8>, children: Vec<Mp4Box>) -> Mp4Box {
    Mp4Box {
        body: Body::Prefixed { prefix, children },
        ..Mp4Box::raw(t, Vec::new())
    }
}

fn trak(t: &SynthTrack) -> Mp4Box {
    let schi = if t.scheme == types::PIFF {
        PiffTrackEncryption {
            algorithm: PiffAlgorithm::AesCtr,
            iv_size: t.iv_size,
            kid: t.kid,
        }
        .to_box()
    } else {
        Tenc {
            version: u8::from(t.crypt != 0 || t.skip != 0),
            default_crypt_byte_block: t.crypt,
            default_skip_byte_block: t.skip,
            default_is_protected: 1,
            default_per_sample_iv_size: t.iv_size,
            default_kid: t.kid,
            default_constant_iv: t.constant_iv.clone(),
        }
        .to_box()
    };
    let sinf = Mp4Box::container(
        types::SINF,
        vec![
            Frma {
                data_format: types::AVC1,
            }
            .to_box(),
            Schm {
                flags: 0,
                scheme_type: t.scheme,
                scheme_version: if t.scheme == types::PIFF {
                    0x0001_0001
                } else {
                    0x0001_0000
                },
                scheme_uri: None,
            }
            .to_box(),
            Mp4Box::container(types::SCHI, vec![schi]),
        ],
    );
    let entry = prefixed(
        types::ENCV,
        vec![0; 78],
        vec![
            Mp4Box::raw(FourCc::new(b"avcC"), vec![1, 0x64, 0, 0x1f, 0xff, 0xe0, 0]),
            sinf,
        ],
    );
    let stsd = prefixed(types::STSD, vec![0, 0, 0, 0, 0, 0, 0, 1], vec![entry]);
    let mut stbl = vec![stsd];
    if !t.stbl_seig.is_empty() {
        stbl.push(Sgpd::from_seig(&t.stbl_seig).to_box());
    }
    let stbl = Mp4Box::container(types::STBL, stbl);
    let minf = Mp4Box::container(types::MINF, vec![stbl]);
    let hdlr = Hdlr {
        pre_defined: 0,
        handler_type: types::VIDE,
        name: b"synthetic\0".to_vec(),
    };
    let mdia = Mp4Box::container(types::MDIA, vec![hdlr.to_box(), minf]);
    let tkhd = Tkhd {
        version: 0,
        flags: 3,
        creation_time: 0,
        modification_time: 0,
        track_id: t.track_id,
        duration: 0,
        layer: 0,
        alternate_group: 0,
        volume: 0,
        matrix: [0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x4000_0000],
        width: 64 << 16,
        height: 64 << 16,
    };
    Mp4Box::container(types::TRAK, vec![tkhd.to_box(), mdia])
}

/// An init segment (`ftyp` + `moov`) with one protected `encv` track per entry.
pub fn init_segment(tracks: &[SynthTrack]) -> Vec<u8> {
    let ftyp = Mp4Box::raw(types::FTYP, b"iso6\0\0\0\0iso6".to_vec());
    let mut moov = vec![Mp4Box::raw(types::MVHD, vec![0; 100])];
    moov.extend(tracks.iter().map(trak));
    moov.push(Mp4Box::container(
        types::MVEX,
        tracks
            .iter()
            .map(|t| {
                Trex {
                    track_id: t.track_id,
                    default_sample_description_index: 1,
                    ..Trex::default()
                }
                .to_box()
            })
            .collect(),
    ));
    let mut out = ftyp.to_bytes();
    out.extend(Mp4Box::container(types::MOOV, moov).to_bytes());
    out
}

/// One track's part of a synthetic fragment.
#[derive(Clone, Default)]
pub struct SynthTraf {
    pub track_id: u32,
    /// Sample bytes as stored (already encrypted).
    pub samples: Vec<Vec<u8>>,
    /// `senc` entries, one per sample.
    pub aux: Vec<SampleAux>,
    /// Fragment-local `seig` descriptions and the sample runs that use them.
    pub seig: Vec<SeigEntry>,
    pub groups: Vec<SbgpEntry>,
    /// Write the PIFF uuid box instead of `senc`, with this override when `Some`.
    pub piff: Option<Option<PiffTrackEncryption>>,
}

fn traf_box(t: &SynthTraf, base: Option<u64>, data_offset: i32) -> Mp4Box {
    let mut children = vec![
        Tfhd {
            flags: if base.is_some() {
                0
            } else {
                tfhd::DEFAULT_BASE_IS_MOOF
            },
            track_id: t.track_id,
            base_data_offset: base,
            ..Tfhd::default()
        }
        .to_box(),
        Trun {
            version: 0,
            flags: trun::SAMPLE_SIZE,
            data_offset: Some(data_offset),
            first_sample_flags: None,
            sample_count: t.samples.len() as u32,
            samples: t
                .samples
                .iter()
                .map(|s| TrunSample {
                    size: s.len() as u32,
                    ..Default::default()
                })
                .collect(),
        }
        .to_box(),
    ];
    if !t.seig.is_empty() {
        children.push(
            Sbgp {
                version: 0,
                grouping_type: types::SEIG,
                grouping_type_parameter: None,
                entries: t.groups.clone(),
            }
            .to_box(),
        );
        children.push(Sgpd::from_seig(&t.seig).to_box());
    }
    let senc = Senc::build(&t.aux);
    match &t.piff {
        Some(o) => children.push(
            PiffSampleEncryption {
                override_params: o.clone(),
                senc,
            }
            .to_box(),
        ),
        None => children.push(senc.to_box()),
    }
    Mp4Box::container(types::TRAF, children)
}

/// `moof` + `mdat` for the trafs. With `explicit_base = Some(file_offset)`, `tfhd` carries
/// absolute base data offsets as if the fragment started at `file_offset`.
pub fn fragment(trafs: &[SynthTraf], explicit_base: Option<u64>) -> Vec<u8> {
    let build = |offsets: &[i32]| {
        let mut c = vec![Mfhd { sequence_number: 1 }.to_box()];
        c.extend(
            trafs
                .iter()
                .zip(offsets)
                .map(|(t, o)| traf_box(t, explicit_base, *o)),
        );
        Mp4Box::container(types::MOOF, c)
    };
    let size = build(&vec![0; trafs.len()]).size() as i32;
    let mut offsets = Vec::new();
    let mut at = size + 8;
    for t in trafs {
        offsets.push(at);
        at += t.samples.iter().map(|s| s.len() as i32).sum::<i32>();
    }
    let mut out = build(&offsets).to_bytes();
    let data: Vec<u8> = trafs.iter().flat_map(|t| t.samples.concat()).collect();
    out.extend(Mp4Box::raw(types::MDAT, data).to_bytes());
    out
}

/// Reads back every track's samples from a clear fragment written by the decryptor, using
/// its (rewritten) `trun` data offsets relative to the `moof`.
pub fn samples_of(fragment: &[u8]) -> Vec<(u32, Vec<Vec<u8>>)> {
    let mut out = Vec::new();
    for b in walk(fragment, 0, FourCc::default()) {
        let b = b.expect("decryptor output walks");
        if b.header.box_type != types::MOOF {
            continue;
        }
        let moof = layover_media::boxes::parse_box(&b).expect("output moof parses");
        for traf in moof.children_of(types::TRAF) {
            let tfhd = Tfhd::from_box(traf.child(types::TFHD).expect("tfhd in output"))
                .expect("output tfhd parses");
            assert!(tfhd.flags & tfhd::DEFAULT_BASE_IS_MOOF != 0);
            assert!(tfhd.base_data_offset.is_none());
            let mut samples = Vec::new();
            for t in traf.children_of(types::TRUN) {
                let run = Trun::from_box(t).expect("output trun parses");
                let mut pos = b.header.offset as usize
                    + run.data_offset.expect("output trun has a data offset") as usize;
                for s in &run.samples {
                    samples.push(fragment[pos..pos + s.size as usize].to_vec());
                    pos += s.size as usize;
                }
            }
            out.push((tfhd.track_id, samples));
        }
    }
    out
}
