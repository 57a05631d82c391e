use super::{TEST_KID, fixture, url};
use layover_manifest::smooth::init::{InitProtection, build_init_segment};
use layover_manifest::{DrmSystem, Kid, ManifestKind, TrackKind, parse};

fn presentation() -> layover_manifest::Presentation {
    let base = url("https://ss.example/SuperSpeedway_720.ism/Manifest");
    parse(fixture("hand/smooth/supersp-like.ismc").as_bytes(), &base).unwrap()
}

#[test]
fn streams_quality_levels_and_chunks() {
    let p = presentation();
    assert_eq!(p.kind, ManifestKind::Smooth);
    assert_eq!(p.duration, Some(11.0));
    assert_eq!(p.tracks.len(), 5);
    let v = &p.tracks[0];
    assert_eq!(v.id, "video/300000");
    assert_eq!(v.kind, TrackKind::Video);
    assert_eq!(v.codec.as_deref(), Some("avc1.4d400d"));
    assert_eq!(v.timescale, 10_000_000);
    assert_eq!(v.segments.len(), 6, "r counts fragments ([MS-SSTR]): 5 + 1");
    assert_eq!(
        v.segments[0].url.as_str(),
        "https://ss.example/SuperSpeedway_720.ism/QualityLevels(300000)/Fragments(video=0)"
    );
    assert_eq!(
        v.segments[5].url.as_str(),
        "https://ss.example/SuperSpeedway_720.ism/QualityLevels(300000)/Fragments(video=100000000)"
    );
    assert_eq!(v.segments_duration(), 11.0);
    assert_eq!(
        p.tracks[1].segments[1].url.as_str(),
        "https://ss.example/SuperSpeedway_720.ism/QualityLevels(150000)/Fragments(video=20000000)"
    );

    let a = &p.tracks[2];
    assert_eq!(a.kind, TrackKind::Audio);
    assert_eq!(a.codec.as_deref(), Some("mp4a.40.2"));
    assert_eq!(a.language.as_deref(), Some("eng"));
    assert_eq!(a.segments.len(), 6);
    assert_eq!(a.segments[1].start, 20_053_333);
    assert_eq!(
        a.segments[5].duration,
        110_000_000 - 20_053_333 - 4 * 19_946_667,
        "last c runs to Duration"
    );
    assert_eq!(a.segments_duration(), 11.0);
    assert!(
        a.segments[5]
            .url
            .as_str()
            .ends_with("QualityLevels(64000)/Fragments(audio_eng=99840001)")
    );
    let info = a.smooth.as_ref().unwrap();
    assert_eq!(
        info.audio_specific_config.as_deref(),
        Some(&[0x11, 0x90][..])
    );
    assert_eq!(info.audio_tag, Some(255));
    assert_eq!(info.packet_size, Some(4));
    let he = &p.tracks[3];
    assert_eq!(
        he.smooth.as_ref().unwrap().audio_specific_config.as_deref(),
        Some(&[0x12, 0x10][..]),
        "synthesised for 44.1 kHz stereo"
    );

    let t = &p.tracks[4];
    assert_eq!(t.kind, TrackKind::Text);
    assert_eq!(t.codec.as_deref(), Some("stpp"));
    assert_eq!(t.roles, vec!["alternate"]);
    assert_eq!(t.segments.len(), 1);
    assert!(
        t.segments[0]
            .url
            .as_str()
            .ends_with("QualityLevels(1000)/Fragments(textstream_eng=0)")
    );
}

#[test]
fn protection_header_is_playready_with_kid_and_la_url() {
    let p = presentation();
    for t in &p.tracks {
        assert_eq!(t.protection.len(), 1);
        let pr = &t.protection[0];
        assert_eq!(pr.system, DrmSystem::PlayReady);
        assert_eq!(pr.system_id, Some(Kid::PLAYREADY));
        assert_eq!(pr.default_kid.unwrap().to_string(), TEST_KID);
        assert_eq!(
            pr.la_url.as_deref(),
            Some("https://license.example/playready/rightsmanager.asmx")
        );
        assert_eq!(pr.scheme.as_deref(), Some("cenc"));
    }
}

/// Walks boxes: (type, body) at one level.
fn boxes(b: &[u8]) -> Vec<([u8; 4], &[u8])> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos + 8 <= b.len() {
        let size = u32::from_be_bytes(b[pos..pos + 4].try_into().unwrap()) as usize;
        assert!(
            size >= 8 && pos + size <= b.len(),
            "box size {size} at {pos}"
        );
        out.push((
            b[pos + 4..pos + 8].try_into().unwrap(),
            &b[pos + 8..pos + size],
        ));
        pos += size;
    }
    assert_eq!(pos, b.len(), "boxes fill their parent exactly");
    out
}

fn child<'a>(b: &'a [u8], kind: &[u8; 4]) -> &'a [u8] {
    boxes(b)
        .into_iter()
        .find(|(k, _)| k == kind)
        .unwrap_or_else(|| panic!("no {}", String::from_utf8_lossy(kind)))
        .1
}

#[test]
fn init_segment_layout_follows_iso_14496_12() {
    let p = presentation();
    let v = &p.tracks[0];
    let init = build_init_segment(v, 1, None).unwrap();
    let top = boxes(&init);
    assert_eq!(
        top.iter().map(|(k, _)| *k).collect::<Vec<_>>(),
        vec![*b"ftyp", *b"moov"]
    );
    assert_eq!(&top[0].1[..4], b"iso6");
    let moov = top[1].1;
    let kinds: Vec<[u8; 4]> = boxes(moov).iter().map(|(k, _)| *k).collect();
    assert_eq!(kinds, vec![*b"mvhd", *b"trak", *b"mvex"]);
    let mvhd = child(moov, b"mvhd");
    assert_eq!(mvhd.len(), 100, "mvhd v0 body is 100 bytes (§8.2.2)");
    assert_eq!(
        u32::from_be_bytes(mvhd[12..16].try_into().unwrap()),
        10_000_000
    );
    let trak = child(moov, b"trak");
    let tkhd = child(trak, b"tkhd");
    assert_eq!(tkhd.len(), 84, "tkhd v0 body is 84 bytes (§8.3.2)");
    assert_eq!(&tkhd[..4], &[0, 0, 0, 7], "enabled | in movie | in preview");
    assert_eq!(
        u32::from_be_bytes(tkhd[76..80].try_into().unwrap()),
        320 << 16
    );
    let mdia = child(trak, b"mdia");
    let mdhd = child(mdia, b"mdhd");
    assert_eq!(mdhd.len(), 24);
    assert_eq!(&child(mdia, b"hdlr")[8..12], b"vide");
    let minf = child(mdia, b"minf");
    assert_eq!(child(minf, b"vmhd").len(), 12);
    let stbl = child(minf, b"stbl");
    let kinds: Vec<[u8; 4]> = boxes(stbl).iter().map(|(k, _)| *k).collect();
    assert_eq!(
        kinds,
        vec![*b"stsd", *b"stts", *b"stsc", *b"stsz", *b"stco"]
    );
    let stsd = child(stbl, b"stsd");
    assert_eq!(&stsd[..8], &[0, 0, 0, 0, 0, 0, 0, 1]);
    let entries = boxes(&stsd[8..]);
    assert_eq!(&entries[0].0, b"avc1");
    let avc1 = entries[0].1;
    assert_eq!(u16::from_be_bytes(avc1[24..26].try_into().unwrap()), 320);
    assert_eq!(u16::from_be_bytes(avc1[26..28].try_into().unwrap()), 180);
    let avcc = child(&avc1[78..], b"avcC");
    assert_eq!(&avcc[..6], &[1, 0x4d, 0x40, 0x0d, 0xff, 0xe1]);
    let trex = child(child(moov, b"mvex"), b"trex");
    assert_eq!(
        trex,
        &[
            0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
        ]
    );
}

#[test]
fn protected_audio_init_has_enca_sinf_tenc() {
    let p = presentation();
    let a = &p.tracks[2];
    let kid: Kid = TEST_KID.parse().unwrap();
    let prot = InitProtection {
        scheme: *b"piff",
        kid,
        iv_size: 8,
    };
    let init = build_init_segment(a, 2, Some(&prot)).unwrap();
    let moov = boxes(&init)[1].1;
    let stbl = child(
        child(child(child(moov, b"trak"), b"mdia"), b"minf"),
        b"stbl",
    );
    let stsd = child(stbl, b"stsd");
    let entries = boxes(&stsd[8..]);
    assert_eq!(&entries[0].0, b"enca");
    let enca = entries[0].1;
    assert_eq!(
        u16::from_be_bytes(enca[16..18].try_into().unwrap()),
        2,
        "channels"
    );
    assert_eq!(
        u32::from_be_bytes(enca[24..28].try_into().unwrap()),
        48000 << 16
    );
    let inner = &enca[28..];
    let esds = child(inner, b"esds");
    assert_eq!(esds[4], 0x03, "ES_Descriptor");
    assert!(
        esds.windows(4).any(|w| w == [0x05, 0x02, 0x11, 0x90]),
        "DecoderSpecificInfo holds the ASC"
    );
    let sinf = child(inner, b"sinf");
    assert_eq!(child(sinf, b"frma"), b"mp4a");
    assert_eq!(&child(sinf, b"schm")[4..8], b"piff");
    let tenc = child(child(sinf, b"schi"), b"tenc");
    assert_eq!(&tenc[4..8], &[0, 0, 1, 8]);
    assert_eq!(&tenc[8..24], &kid.0);
    assert_eq!(
        &child(child(child(moov, b"trak"), b"mdia"), b"hdlr")[8..12],
        b"soun"
    );
}

#[test]
fn text_tracks_have_no_synthesised_init() {
    let p = presentation();
    assert!(build_init_segment(&p.tracks[4], 3, None).is_err());
}

#[test]
fn chunk_without_d_runs_to_the_next_t() {
    let doc = r#"<SmoothStreamingMedia MajorVersion="2" MinorVersion="0" Duration="60"><StreamIndex Type="audio" Url="Q({bitrate})/F(a={start time})"><QualityLevel Bitrate="1" FourCC="AACL" SamplingRate="48000" Channels="2"/><c t="0"/><c t="25" d="20"/><c/></StreamIndex></SmoothStreamingMedia>"#;
    let p = parse(doc.as_bytes(), &url("https://s.example/a.ism/Manifest")).unwrap();
    let d: Vec<(u64, u64)> = p.tracks[0]
        .segments
        .iter()
        .map(|s| (s.start, s.duration))
        .collect();
    assert_eq!(d, vec![(0, 25), (25, 20), (45, 15)]);
}
