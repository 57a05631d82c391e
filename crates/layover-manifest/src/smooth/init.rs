//! A minimal init segment for a Smooth Streaming track (ISO/IEC 14496-12 layouts): `ftyp` +
//! `moov{mvhd, trak{tkhd, mdia{mdhd, hdlr, minf{vmhd|smhd, dinf{dref}, stbl{stsd, stts, stsc,
//! stsz, stco}}}}, mvex{trex}}`, with `encv`/`enca` + `sinf{frma, schm, schi{tenc}}` when
//! protected (ISO/IEC 23001-7 §8). Smooth fragments need it because they carry no `moov`.
//!
//! MERGE: layover-media owns box writing; this module should move there (or call its writer).

use super::codec::SmoothCodecInfo;
use crate::error::{Error, Result};
use crate::kid::Kid;
use crate::model::{Track, TrackKind};

/// Protection to signal in the sample entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InitProtection {
    /// `schm` scheme type: `*b"cenc"` or `*b"piff"` (PIFF 1.1 fragments use `piff`).
    pub scheme: [u8; 4],
    /// `tenc` default KID (big-endian).
    pub kid: Kid,
    /// Per-sample IV size: 8 or 16.
    pub iv_size: u8,
}

fn bx(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 + body.len());
    out.extend_from_slice(&((8 + body.len()) as u32).to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(body);
    out
}

fn full(kind: &[u8; 4], version: u8, flags: u32, body: &[u8]) -> Vec<u8> {
    let mut b = Vec::with_capacity(4 + body.len());
    b.push(version);
    b.extend_from_slice(&flags.to_be_bytes()[1..]);
    b.extend_from_slice(body);
    bx(kind, &b)
}

const MATRIX: [u32; 9] = [0x0001_0000, 0, 0, 0, 0x0001_0000, 0, 0, 0, 0x4000_0000];

fn matrix() -> Vec<u8> {
    MATRIX.iter().flat_map(|v| v.to_be_bytes()).collect()
}

/// ISO 639-2/T packed into 15 bits (§8.4.2.3); anything but three lowercase letters is `und`.
fn packed_language(lang: Option<&str>) -> u16 {
    let l = lang
        .filter(|l| l.len() == 3 && l.bytes().all(|b| b.is_ascii_lowercase()))
        .unwrap_or("und")
        .as_bytes();
    (u16::from(l[0] - 0x60) << 10) | (u16::from(l[1] - 0x60) << 5) | u16::from(l[2] - 0x60)
}

/// ES descriptor length: one byte when it fits (ISO/IEC 14496-1 §8.3.3 allows 1-4 bytes).
fn descriptor(tag: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let mut len = body.len();
    let mut bytes = vec![(len & 0x7f) as u8];
    len >>= 7;
    while len > 0 {
        bytes.push(0x80 | (len & 0x7f) as u8);
        len >>= 7;
    }
    bytes.reverse();
    out.extend_from_slice(&bytes);
    out.extend_from_slice(body);
    out
}

fn esds(track_id: u32, asc: &[u8], bitrate: u32) -> Vec<u8> {
    let mut dcd = vec![0x40, 0x15, 0, 0, 0];
    dcd.extend_from_slice(&bitrate.to_be_bytes());
    dcd.extend_from_slice(&bitrate.to_be_bytes());
    dcd.extend_from_slice(&descriptor(0x05, asc));
    let mut es = (track_id as u16).to_be_bytes().to_vec();
    es.push(0);
    es.extend_from_slice(&descriptor(0x04, &dcd));
    es.extend_from_slice(&descriptor(0x06, &[0x02]));
    full(b"esds", 0, 0, &descriptor(0x03, &es))
}

fn sinf(original: &[u8; 4], p: &InitProtection) -> Vec<u8> {
    let frma = bx(b"frma", original);
    let mut schm_body = p.scheme.to_vec();
    schm_body.extend_from_slice(&0x0001_0000u32.to_be_bytes());
    let schm = full(b"schm", 0, 0, &schm_body);
    let mut tenc_body = vec![0, 0, 1, p.iv_size];
    tenc_body.extend_from_slice(&p.kid.0);
    let schi = bx(b"schi", &full(b"tenc", 0, 0, &tenc_body));
    bx(b"sinf", &[frma, schm, schi].concat())
}

fn sample_entry(
    track: &Track,
    info: &SmoothCodecInfo,
    track_id: u32,
    p: Option<&InitProtection>,
) -> Result<Vec<u8>> {
    let unsupported = || {
        Error::structure(
            format!("track {:?}", track.id),
            format!(
                "cannot synthesise an init segment for FourCC {:?} (H264/AVC1 and AAC only)",
                info.fourcc
            ),
        )
    };
    let mut head = vec![0u8; 6];
    head.extend_from_slice(&1u16.to_be_bytes()); // data_reference_index
    let (original, mut body) = match track.kind {
        TrackKind::Video => {
            let avc = info.avc.as_ref().ok_or_else(unsupported)?;
            let mut b = head;
            b.extend_from_slice(&[0u8; 16]); // pre_defined, reserved, pre_defined[3]
            b.extend_from_slice(&(track.width.unwrap_or(0) as u16).to_be_bytes());
            b.extend_from_slice(&(track.height.unwrap_or(0) as u16).to_be_bytes());
            b.extend_from_slice(&0x0048_0000u32.to_be_bytes());
            b.extend_from_slice(&0x0048_0000u32.to_be_bytes());
            b.extend_from_slice(&0u32.to_be_bytes());
            b.extend_from_slice(&1u16.to_be_bytes()); // frame_count
            b.extend_from_slice(&[0u8; 32]); // compressorname
            b.extend_from_slice(&0x0018u16.to_be_bytes());
            b.extend_from_slice(&(-1i16).to_be_bytes());
            b.extend_from_slice(&bx(b"avcC", &avc.record(info.nal_unit_length)));
            (*b"avc1", b)
        }
        TrackKind::Audio => {
            let asc = info
                .audio_specific_config
                .as_ref()
                .ok_or_else(unsupported)?;
            let mut b = head;
            b.extend_from_slice(&[0u8; 8]);
            b.extend_from_slice(&info.channels.unwrap_or(2).to_be_bytes());
            b.extend_from_slice(&info.bits_per_sample.unwrap_or(16).to_be_bytes());
            b.extend_from_slice(&[0u8; 4]);
            b.extend_from_slice(&((info.sampling_rate.unwrap_or(0) & 0xffff) << 16).to_be_bytes());
            let rate = u32::try_from(track.bitrate.unwrap_or(0)).unwrap_or(u32::MAX);
            b.extend_from_slice(&esds(track_id, asc, rate));
            (*b"mp4a", b)
        }
        _ => return Err(unsupported()),
    };
    let kind = match (p, track.kind) {
        (None, _) => original,
        (Some(p), TrackKind::Video) => {
            body.extend_from_slice(&sinf(&original, p));
            *b"encv"
        }
        (Some(p), _) => {
            body.extend_from_slice(&sinf(&original, p));
            *b"enca"
        }
    };
    Ok(bx(&kind, &body))
}

/// Writes `ftyp` + `moov` for one Smooth track (one with [`Track::smooth`]). `track_id` must
/// match the `tfhd` track ID of the fragments it will precede.
pub fn build_init_segment(
    track: &Track,
    track_id: u32,
    protection: Option<&InitProtection>,
) -> Result<Vec<u8>> {
    let info = track.smooth.as_ref().ok_or_else(|| {
        Error::structure(
            format!("track {:?}", track.id),
            "not a Smooth Streaming track",
        )
    })?;
    let timescale = u32::try_from(track.timescale).map_err(|_| {
        Error::structure(
            format!("track {:?}", track.id),
            "timescale does not fit 32 bits",
        )
    })?;
    let mut ftyp = b"iso6".to_vec();
    ftyp.extend_from_slice(&1u32.to_be_bytes());
    ftyp.extend_from_slice(b"isomiso6piff");
    let ftyp = bx(b"ftyp", &ftyp);

    let mut mvhd = vec![0u8; 8]; // creation, modification
    mvhd.extend_from_slice(&timescale.to_be_bytes());
    mvhd.extend_from_slice(&0u32.to_be_bytes()); // duration: unknown, fragments follow
    mvhd.extend_from_slice(&0x0001_0000u32.to_be_bytes()); // rate 1.0
    mvhd.extend_from_slice(&0x0100u16.to_be_bytes()); // volume 1.0
    mvhd.extend_from_slice(&[0u8; 10]);
    mvhd.extend_from_slice(&matrix());
    mvhd.extend_from_slice(&[0u8; 24]); // pre_defined
    mvhd.extend_from_slice(&track_id.saturating_add(1).to_be_bytes()); // next_track_ID
    let mvhd = full(b"mvhd", 0, 0, &mvhd);

    let is_audio = track.kind == TrackKind::Audio;
    let mut tkhd = vec![0u8; 8];
    tkhd.extend_from_slice(&track_id.to_be_bytes());
    tkhd.extend_from_slice(&[0u8; 4]); // reserved
    tkhd.extend_from_slice(&0u32.to_be_bytes()); // duration
    tkhd.extend_from_slice(&[0u8; 8]); // reserved
    tkhd.extend_from_slice(&[0u8; 4]); // layer, alternate_group
    tkhd.extend_from_slice(&(if is_audio { 0x0100u16 } else { 0 }).to_be_bytes());
    tkhd.extend_from_slice(&[0u8; 2]);
    tkhd.extend_from_slice(&matrix());
    tkhd.extend_from_slice(&((track.width.unwrap_or(0) & 0xffff) << 16).to_be_bytes());
    tkhd.extend_from_slice(&((track.height.unwrap_or(0) & 0xffff) << 16).to_be_bytes());
    let tkhd = full(b"tkhd", 0, 7, &tkhd);

    let mut mdhd = vec![0u8; 8];
    mdhd.extend_from_slice(&timescale.to_be_bytes());
    mdhd.extend_from_slice(&0u32.to_be_bytes());
    mdhd.extend_from_slice(&packed_language(track.language.as_deref()).to_be_bytes());
    mdhd.extend_from_slice(&[0u8; 2]);
    let mdhd = full(b"mdhd", 0, 0, &mdhd);

    let mut hdlr = vec![0u8; 4];
    hdlr.extend_from_slice(if is_audio { b"soun" } else { b"vide" });
    hdlr.extend_from_slice(&[0u8; 12]);
    hdlr.extend_from_slice(b"Layover\0");
    let hdlr = full(b"hdlr", 0, 0, &hdlr);

    let media_header = if is_audio {
        full(b"smhd", 0, 0, &[0u8; 4])
    } else {
        full(b"vmhd", 0, 1, &[0u8; 8])
    };
    let dref = full(
        b"dref",
        0,
        0,
        &[&1u32.to_be_bytes()[..], &full(b"url ", 0, 1, &[])].concat(),
    );
    let dinf = bx(b"dinf", &dref);
    let mut stsd = 1u32.to_be_bytes().to_vec();
    stsd.extend_from_slice(&sample_entry(track, info, track_id, protection)?);
    let stbl = bx(
        b"stbl",
        &[
            full(b"stsd", 0, 0, &stsd),
            full(b"stts", 0, 0, &0u32.to_be_bytes()),
            full(b"stsc", 0, 0, &0u32.to_be_bytes()),
            full(b"stsz", 0, 0, &[0u8; 8]),
            full(b"stco", 0, 0, &0u32.to_be_bytes()),
        ]
        .concat(),
    );
    let minf = bx(b"minf", &[media_header, dinf, stbl].concat());
    let mdia = bx(b"mdia", &[mdhd, hdlr, minf].concat());
    let trak = bx(b"trak", &[tkhd, mdia].concat());
    let mut trex = track_id.to_be_bytes().to_vec();
    trex.extend_from_slice(&1u32.to_be_bytes());
    trex.extend_from_slice(&[0u8; 12]);
    let mvex = bx(b"mvex", &full(b"trex", 0, 0, &trex));
    let moov = bx(b"moov", &[mvhd, trak, mvex].concat());
    Ok([ftyp, moov].concat())
}
