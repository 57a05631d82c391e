//! Re-wraps CENC media as PIFF 1.1 and writes Smooth Streaming presentations, for the demo
//! catalog. Shaka Packager cannot write Smooth and ffmpeg's `ismv` muxer writes CENC `senc`
//! boxes, so this module takes what ffmpeg encrypted (`-f ismv -encryption_scheme
//! cenc-aes-ctr`) and only moves boxes around; it never encrypts anything itself:
//!
//! - in the `moov`, each protected sample entry's `schm` becomes `piff` 1.1 and its `tenc`
//!   becomes the PIFF track encryption box (`uuid` 8974dbce-…, the same bytes: a v0 `tenc`
//!   reads as AlgorithmID 1 = AES-CTR, IV size, KID); a PIFF protection header box
//!   (`uuid` d08a4f18-…) carrying the PlayReady Object is added;
//! - in each `traf`, `senc` becomes the PIFF sample encryption box (`uuid` a2394f52-…, the same
//!   body: flag 2 means subsamples in both), `saiz`/`saio` are dropped and the `trun` data
//!   offsets move by what the `moof` grew or shrank; `mfra` (whose offsets would be stale) is
//!   dropped.
//!
//! [`write_smooth`] cuts PIFF files (one per quality or language) into Smooth fragments
//! (`QualityLevels(<bitrate>)/Fragments(<name>=<time>)`) and writes the client manifest.
//! `cargo run -p layover-devserver --example demo-media` is the command-line front end that
//! `assets/media/make-demo.sh` uses.

use std::fmt::Write as _;
use std::path::Path;

use base64::Engine as _;
use layover_media::FourCc;
use layover_media::Kid;
use layover_media::boxes::{Body, Mp4Box, parse_all, write_all};
use layover_media::headers::playready::{Pro, WrmHeader, WrmKid, WrmVersion};

/// PIFF track encryption box.
pub const PIFF_TRACK_ENCRYPTION: [u8; 16] = [
    0x89, 0x74, 0xdb, 0xce, 0x7b, 0xe7, 0x4c, 0x51, 0x84, 0xf9, 0x71, 0x48, 0xf9, 0x88, 0x25, 0x54,
];
/// PIFF sample encryption box.
pub const PIFF_SAMPLE_ENCRYPTION: [u8; 16] = [
    0xa2, 0x39, 0x4f, 0x52, 0x5a, 0x9b, 0x4f, 0x14, 0xa2, 0x44, 0x6c, 0x42, 0x7c, 0x64, 0x8d, 0xf4,
];
/// PIFF protection system header box.
pub const PIFF_PROTECTION_HEADER: [u8; 16] = [
    0xd0, 0x8a, 0x4f, 0x18, 0x10, 0xf3, 0x4a, 0x82, 0xb6, 0xc8, 0x32, 0xd8, 0xab, 0xa1, 0x83, 0xd3,
];
/// Smooth's fragment time box (`tfxd`).
pub const TFXD: [u8; 16] = [
    0x6d, 0x1d, 0x9b, 0x05, 0x42, 0xd5, 0x44, 0xe6, 0x80, 0xe2, 0x14, 0x1d, 0xaf, 0xf7, 0x57, 0xb2,
];
/// PlayReady's system ID.
pub const PLAYREADY_SYSTEM_ID: [u8; 16] = [
    0x9a, 0x04, 0xf0, 0x79, 0x98, 0x40, 0x42, 0x86, 0xab, 0x92, 0xe6, 0x5b, 0xe0, 0x88, 0x5f, 0x95,
];

const UUID: FourCc = FourCc::new(b"uuid");

/// A conversion that could not be done, in words.
pub type Result<T> = std::result::Result<T, String>;

/// A PlayReady Object (WRMHEADER 4.0, AESCTR with its checksum) for one KID.
pub fn playready_object(kid: Kid, key: &[u8; 16], la_url: Option<&str>) -> Vec<u8> {
    let header = WrmHeader {
        version: WrmVersion::V4_0,
        kids: vec![WrmKid::aes_ctr_with_key(kid, key)],
        la_url: la_url.map(str::to_owned),
        lui_url: None,
        ds_id: None,
        custom_attributes: None,
        decryptor_setup: None,
    };
    Pro::from_header(&header).to_bytes()
}

fn uuid_box(user_type: [u8; 16], payload: Vec<u8>) -> Mp4Box {
    let mut b = Mp4Box::raw(UUID, payload);
    b.user_type = Some(user_type);
    b
}

fn is_uuid(b: &Mp4Box, t: &[u8; 16]) -> bool {
    b.box_type == UUID && b.user_type.as_ref() == Some(t)
}

/// Rewrites a CENC (`cenc`, AES-CTR) fragmented MP4 as PIFF 1.1; `pro` (a PlayReady Object)
/// goes into a PIFF protection header in the `moov`.
pub fn cenc_to_piff(input: &[u8], pro: Option<&[u8]>) -> Result<Vec<u8>> {
    let boxes = parse_all(input).map_err(|e| format!("not an MP4: {e}"))?;
    let mut out = Vec::with_capacity(boxes.len());
    for mut b in boxes {
        match &b.box_type.0 {
            b"moov" => {
                let mut converted = 0;
                convert_moov(&mut b, &mut converted)?;
                if converted == 0 {
                    return Err("no protected sample entry with a `tenc`: is it encrypted?".into());
                }
                if let (Some(pro), Some(children)) = (pro, b.children_mut()) {
                    let mut payload = vec![0, 0, 0, 0];
                    payload.extend_from_slice(&PLAYREADY_SYSTEM_ID);
                    payload.extend_from_slice(&u32_len(pro.len())?.to_be_bytes());
                    payload.extend_from_slice(pro);
                    children.push(uuid_box(PIFF_PROTECTION_HEADER, payload));
                }
                out.push(b);
            }
            b"moof" => {
                let before = b.size();
                let tafs = b.children_mut().ok_or("a moof without children")?;
                for traf in tafs.iter_mut().filter(|c| &c.box_type.0 == b"traf") {
                    let children = traf.children_mut().ok_or("a traf without children")?;
                    children.retain(|c| !matches!(&c.box_type.0, b"saiz" | b"saio"));
                    for c in children.iter_mut() {
                        if &c.box_type.0 == b"senc" {
                            c.box_type = UUID;
                            c.user_type = Some(PIFF_SAMPLE_ENCRYPTION);
                        }
                    }
                }
                let delta =
                    i64::try_from(b.size()).unwrap_or(0) - i64::try_from(before).unwrap_or(0);
                for traf in b
                    .children_mut()
                    .into_iter()
                    .flatten()
                    .filter(|c| &c.box_type.0 == b"traf")
                {
                    if let Some(Body::Raw(tfhd)) = traf.child(FourCc::new(b"tfhd")).map(|t| &t.body)
                        && tfhd.get(3).is_some_and(|f| f & 1 != 0)
                    {
                        return Err(
                            "tfhd with an explicit base data offset is not supported".into()
                        );
                    }
                    for c in traf.children_mut().into_iter().flatten() {
                        if &c.box_type.0 == b"trun"
                            && let Body::Raw(p) = &mut c.body
                        {
                            shift_trun(p, delta)?;
                        }
                    }
                }
                out.push(b);
            }
            b"mfra" => {}
            _ => out.push(b),
        }
    }
    Ok(write_all(&out))
}

fn u32_len(n: usize) -> Result<u32> {
    u32::try_from(n).map_err(|_| "too large".to_owned())
}

fn shift_trun(p: &mut [u8], delta: i64) -> Result<()> {
    let flags = p.get(3).copied().ok_or("short trun")?;
    if flags & 1 == 0 {
        return Ok(());
    }
    let field = p.get_mut(8..12).ok_or("short trun")?;
    let old = i32::from_be_bytes([field[0], field[1], field[2], field[3]]);
    let new = i32::try_from(i64::from(old) + delta).map_err(|_| "trun offset out of range")?;
    field.copy_from_slice(&new.to_be_bytes());
    Ok(())
}

fn convert_moov(b: &mut Mp4Box, converted: &mut usize) -> Result<()> {
    if &b.box_type.0 == b"sinf" {
        for c in b.children_mut().into_iter().flatten() {
            match &c.box_type.0 {
                b"schm" => {
                    if let Body::Raw(p) = &mut c.body {
                        let scheme = p.get(4..8).ok_or("short schm")?;
                        if scheme != b"cenc" {
                            return Err(format!(
                                "scheme {} cannot be PIFF 1.1 CTR; encrypt with cenc",
                                String::from_utf8_lossy(scheme)
                            ));
                        }
                        p[4..8].copy_from_slice(b"piff");
                        p.truncate(8);
                        p.extend_from_slice(&0x0001_0001u32.to_be_bytes());
                    }
                }
                b"schi" => {
                    for t in c.children_mut().into_iter().flatten() {
                        if &t.box_type.0 == b"tenc" {
                            t.box_type = UUID;
                            t.user_type = Some(PIFF_TRACK_ENCRYPTION);
                            *converted += 1;
                        }
                    }
                }
                _ => {}
            }
        }
        return Ok(());
    }
    for c in b.children_mut().into_iter().flatten() {
        convert_moov(c, converted)?;
    }
    Ok(())
}

/// One PIFF file (a single track) to cut into a Smooth stream.
#[derive(Debug, Clone)]
pub struct SmoothTrack<'a> {
    /// `video` or `audio`.
    pub kind: &'a str,
    /// The stream's name (`video`, `audio_en`); also in the fragment URLs.
    pub name: &'a str,
    /// Language (audio).
    pub language: Option<&'a str>,
    /// Bits per second, as announced.
    pub bitrate: u64,
    /// The PIFF file.
    pub data: &'a [u8],
}

struct TrackFacts {
    codec_private: String,
    fourcc: &'static str,
    width: u16,
    height: u16,
    channels: u16,
    sample_rate: u32,
    fragments: Vec<(u64, u64, Vec<u8>)>,
}

/// Writes a Smooth presentation into `out_dir` (the fragments under `QualityLevels(...)`) and
/// returns the client manifest text. Every fragment's time comes from its `tfxd` box;
/// `pro` goes into `Protection/ProtectionHeader`.
pub fn write_smooth(out_dir: &Path, tracks: &[SmoothTrack<'_>], pro: &[u8]) -> Result<String> {
    let mut streams: Vec<(&SmoothTrack<'_>, Vec<(&SmoothTrack<'_>, TrackFacts)>)> = Vec::new();
    let mut duration = 0u64;
    for t in tracks {
        let facts = track_facts(t)?;
        for (time, _, bytes) in &facts.fragments {
            let dir = out_dir.join(format!("QualityLevels({})", t.bitrate));
            std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            let file = dir.join(format!("Fragments({}={time})", t.name));
            std::fs::write(&file, bytes).map_err(|e| format!("{}: {e}", file.display()))?;
        }
        if let Some((t0, d, _)) = facts.fragments.last() {
            duration = duration.max(t0 + d);
        }
        match streams.iter_mut().find(|(s, _)| s.name == t.name) {
            Some((_, levels)) => levels.push((t, facts)),
            None => streams.push((t, vec![(t, facts)])),
        }
    }
    let mut x = String::new();
    let _ = writeln!(x, r#"<?xml version="1.0" encoding="utf-8"?>"#);
    let _ = writeln!(
        x,
        r#"<SmoothStreamingMedia MajorVersion="2" MinorVersion="2" TimeScale="10000000" Duration="{duration}">"#
    );
    for (first, levels) in &streams {
        let Some((_, head)) = levels.first() else {
            continue;
        };
        let lang = first
            .language
            .map(|l| format!(r#" Language="{l}""#))
            .unwrap_or_default();
        let size = if first.kind == "video" {
            let (w, h) = levels
                .iter()
                .map(|(_, f)| (f.width, f.height))
                .max()
                .unwrap_or_default();
            format!(r#" MaxWidth="{w}" MaxHeight="{h}" DisplayWidth="{w}" DisplayHeight="{h}""#)
        } else {
            String::new()
        };
        let _ = writeln!(
            x,
            r#"  <StreamIndex Type="{}" Name="{}"{lang} Chunks="{}" QualityLevels="{}"{size} Url="QualityLevels({{bitrate}})/Fragments({}={{start time}})">"#,
            first.kind,
            first.name,
            head.fragments.len(),
            levels.len(),
            first.name
        );
        for (i, (t, f)) in levels.iter().enumerate() {
            let detail = if t.kind == "video" {
                format!(r#" MaxWidth="{}" MaxHeight="{}""#, f.width, f.height)
            } else {
                format!(
                    r#" SamplingRate="{}" Channels="{}" BitsPerSample="16" PacketSize="{}" AudioTag="255""#,
                    f.sample_rate,
                    f.channels,
                    4 * f.channels
                )
            };
            let _ = writeln!(
                x,
                r#"    <QualityLevel Index="{i}" Bitrate="{}" FourCC="{}"{detail} CodecPrivateData="{}"/>"#,
                t.bitrate, f.fourcc, f.codec_private
            );
        }
        for (t, d, _) in &head.fragments {
            let _ = writeln!(x, r#"    <c t="{t}" d="{d}"/>"#);
        }
        let _ = writeln!(x, "  </StreamIndex>");
    }
    let _ = writeln!(x, "  <Protection>");
    let _ = writeln!(
        x,
        r#"    <ProtectionHeader SystemID="9A04F079-9840-4286-AB92-E65BE0885F95">{}</ProtectionHeader>"#,
        base64::engine::general_purpose::STANDARD.encode(pro)
    );
    let _ = writeln!(x, "  </Protection>");
    let _ = writeln!(x, "</SmoothStreamingMedia>");
    Ok(x)
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|v| format!("{v:02X}")).collect()
}

fn find<'a>(b: &'a Mp4Box, t: &[u8; 4]) -> Option<&'a Mp4Box> {
    if &b.box_type.0 == t {
        return Some(b);
    }
    b.children().iter().find_map(|c| find(c, t))
}

fn track_facts(t: &SmoothTrack<'_>) -> Result<TrackFacts> {
    let boxes = parse_all(t.data).map_err(|e| format!("{}: not an MP4: {e}", t.name))?;
    let moov = boxes
        .iter()
        .find(|b| &b.box_type.0 == b"moov")
        .ok_or_else(|| format!("{}: no moov", t.name))?;
    let mut f = TrackFacts {
        codec_private: String::new(),
        fourcc: "H264",
        width: 0,
        height: 0,
        channels: 0,
        sample_rate: 0,
        fragments: Vec::new(),
    };
    if t.kind == "video" {
        let entry = find(moov, b"encv").ok_or_else(|| format!("{}: no encv", t.name))?;
        if let Body::Prefixed { prefix, .. } = &entry.body
            && prefix.len() >= 28
        {
            f.width = u16::from_be_bytes([prefix[24], prefix[25]]);
            f.height = u16::from_be_bytes([prefix[26], prefix[27]]);
        }
        let avcc = find(entry, b"avcC")
            .and_then(Mp4Box::raw_payload)
            .ok_or_else(|| format!("{}: no avcC", t.name))?;
        f.codec_private = avc_private_data(avcc).ok_or_else(|| format!("{}: bad avcC", t.name))?;
    } else {
        f.fourcc = "AACL";
        let entry = find(moov, b"enca").ok_or_else(|| format!("{}: no enca", t.name))?;
        if let Body::Prefixed { prefix, .. } = &entry.body
            && prefix.len() >= 28
        {
            f.channels = u16::from_be_bytes([prefix[16], prefix[17]]);
            f.sample_rate = u32::from(u16::from_be_bytes([prefix[24], prefix[25]]));
        }
        let esds = find(entry, b"esds")
            .and_then(Mp4Box::raw_payload)
            .ok_or_else(|| format!("{}: no esds", t.name))?;
        f.codec_private = hex(&audio_specific_config(esds)
            .ok_or_else(|| format!("{}: no AudioSpecificConfig in esds", t.name))?);
    }
    let mut pending: Option<(u64, u64, Vec<u8>)> = None;
    for b in &boxes {
        match &b.box_type.0 {
            b"moof" => {
                let tfxd = b
                    .children()
                    .iter()
                    .filter(|c| &c.box_type.0 == b"traf")
                    .flat_map(|c| c.children())
                    .find(|c| is_uuid(c, &TFXD))
                    .and_then(Mp4Box::raw_payload)
                    .ok_or_else(|| format!("{}: a fragment without tfxd", t.name))?;
                let (time, dur) = match tfxd.first() {
                    Some(1) if tfxd.len() >= 20 => (be_u64(&tfxd[4..12]), be_u64(&tfxd[12..20])),
                    Some(0) if tfxd.len() >= 12 => (
                        u64::from(be_u32(&tfxd[4..8])),
                        u64::from(be_u32(&tfxd[8..12])),
                    ),
                    _ => return Err(format!("{}: bad tfxd", t.name)),
                };
                pending = Some((time, dur, b.to_bytes()));
            }
            b"mdat" => {
                if let Some((time, dur, mut bytes)) = pending.take() {
                    bytes.extend_from_slice(&b.to_bytes());
                    f.fragments.push((time, dur, bytes));
                }
            }
            _ => {}
        }
    }
    if f.fragments.is_empty() {
        return Err(format!("{}: no fragments", t.name));
    }
    Ok(f)
}

fn be_u32(b: &[u8]) -> u32 {
    u32::from_be_bytes([b[0], b[1], b[2], b[3]])
}

fn be_u64(b: &[u8]) -> u64 {
    (u64::from(be_u32(&b[0..4])) << 32) | u64::from(be_u32(&b[4..8]))
}

/// `00000001 SPS 00000001 PPS` in hex, from an `avcC` payload.
fn avc_private_data(avcc: &[u8]) -> Option<String> {
    let mut out = Vec::new();
    let mut i = 5;
    let sps = avcc.get(i)? & 0x1f;
    i += 1;
    let mut read_sets = |count: u8, i: &mut usize| -> Option<()> {
        for _ in 0..count {
            let len = usize::from(u16::from_be_bytes([*avcc.get(*i)?, *avcc.get(*i + 1)?]));
            out.extend_from_slice(&[0, 0, 0, 1]);
            out.extend_from_slice(avcc.get(*i + 2..*i + 2 + len)?);
            *i += 2 + len;
        }
        Some(())
    };
    read_sets(sps, &mut i)?;
    let pps = *avcc.get(i)?;
    i += 1;
    read_sets(pps, &mut i)?;
    Some(hex(&out))
}

/// The DecoderSpecificInfo (tag 5) inside an `esds` payload.
fn audio_specific_config(esds: &[u8]) -> Option<Vec<u8>> {
    fn descriptor(d: &[u8], at: usize) -> Option<(u8, usize, usize)> {
        let tag = *d.get(at)?;
        let mut len = 0usize;
        let mut i = at + 1;
        for _ in 0..4 {
            let b = *d.get(i)?;
            i += 1;
            len = (len << 7) | usize::from(b & 0x7f);
            if b & 0x80 == 0 {
                break;
            }
        }
        Some((tag, i, len))
    }
    let (tag, body, _) = descriptor(esds, 4)?;
    if tag != 3 {
        return None;
    }
    let flags = *esds.get(body + 2)?;
    let mut at = body + 3;
    if flags & 0x80 != 0 {
        at += 2;
    }
    if flags & 0x40 != 0 {
        at += 1 + usize::from(*esds.get(at)?);
    }
    if flags & 0x20 != 0 {
        at += 2;
    }
    let (tag, body, _) = descriptor(esds, at)?;
    if tag != 4 {
        return None;
    }
    let (tag, body, len) = descriptor(esds, body + 13)?;
    (tag == 5).then(|| esds.get(body..body + len).map(<[u8]>::to_vec))?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn avc_private_data_is_annex_b() {
        let avcc = [
            1, 0x64, 0, 0x1f, 0xff, 0xe1, 0, 2, 0x67, 0x64, 1, 0, 2, 0x68, 0xee,
        ];
        assert_eq!(
            avc_private_data(&avcc).as_deref(),
            Some("0000000167640000000168EE")
        );
    }

    #[test]
    fn audio_specific_config_is_found() {
        // FullBox, ES_Descriptor(ES_ID 1, no flags), DecoderConfig(0x40, 0x15, ...), DSI 11 90.
        let mut esds = vec![0, 0, 0, 0, 3, 25, 0, 1, 0, 4, 17, 0x40, 0x15];
        esds.extend_from_slice(&[0; 11]);
        esds.extend_from_slice(&[5, 2, 0x11, 0x90]);
        assert_eq!(audio_specific_config(&esds), Some(vec![0x11, 0x90]));
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(cenc_to_piff(b"not an mp4 at all", None).is_err());
        assert!(avc_private_data(&[1, 2]).is_none());
        assert!(audio_specific_config(&[0, 0, 0, 0, 3]).is_none());
    }
}
