use super::{TEST_KID, fixture, url};
use layover_manifest::hls::{assemble, parse_master, parse_media};
use layover_manifest::{DrmSystem, Error, Kid, ManifestKind, TrackKind, parse};

/// Fetches the master's media playlists from the fixture folder, as a caller would over HTTP.
fn assemble_fixture(dir: &str, base: &str) -> layover_manifest::Presentation {
    let master_url = url(&format!("{base}master.m3u8"));
    let master = parse_master(&fixture(&format!("{dir}/master.m3u8")), &master_url).unwrap();
    let texts: Vec<(url::Url, String)> = master
        .media_playlist_urls()
        .into_iter()
        .map(|u| {
            let rel = u.as_str().strip_prefix(base).unwrap().to_owned();
            (u, fixture(&format!("{dir}/{rel}")))
        })
        .collect();
    let borrowed: Vec<(url::Url, &str)> =
        texts.iter().map(|(u, t)| (u.clone(), t.as_str())).collect();
    assemble(&master, &borrowed).unwrap()
}

#[test]
fn shaka_hls_cbcs_with_playready_and_widevine_keys() {
    let p = assemble_fixture("shaka", "https://hls.example/t/");
    assert_eq!(p.kind, ManifestKind::Hls);
    assert_eq!(p.tracks.len(), 2);
    let v = &p.tracks[0];
    assert_eq!(v.kind, TrackKind::Video);
    assert_eq!(v.codec.as_deref(), Some("avc1.4d400d"));
    assert_eq!(v.bitrate, Some(336_330));
    assert_eq!((v.width, v.height), (Some(320), Some(180)));
    assert_eq!(v.frame_rate.unwrap().as_f64(), 25.0);
    assert_eq!(
        v.init.as_ref().unwrap().url.as_str(),
        "https://hls.example/t/video_init.mp4"
    );
    assert_eq!(v.segments.len(), 6);
    assert_eq!(
        v.segments[5].url.as_str(),
        "https://hls.example/t/video_6.m4s"
    );
    assert!((v.segments_duration() - 11.0).abs() < 1e-9);
    let a = &p.tracks[1];
    assert_eq!(a.kind, TrackKind::Audio);
    assert_eq!(a.codec.as_deref(), Some("mp4a.40.2"));
    assert_eq!(a.language.as_deref(), Some("en"));
    assert_eq!(a.label.as_deref(), Some("English"));
    assert_eq!(a.channels, Some(2));
    assert_eq!(a.segments.len(), 6);
    assert!(
        (a.segments_duration() - 11.0).abs() < 0.05,
        "{}",
        a.segments_duration()
    );
    for t in &p.tracks {
        assert_eq!(t.protection.len(), 2);
        let pr = &t.protection[0];
        assert_eq!(pr.system, DrmSystem::PlayReady);
        assert_eq!(pr.scheme.as_deref(), Some("cbcs"));
        assert_eq!(
            pr.default_kid.unwrap().to_string(),
            TEST_KID,
            "KID read from the PRO"
        );
        assert!(pr.playready_object.is_some());
        let wv = &t.protection[1];
        assert_eq!(wv.system, DrmSystem::Widevine);
        assert_eq!(wv.system_id, Some(Kid::WIDEVINE));
        assert_eq!(wv.default_kid.unwrap().to_string(), TEST_KID);
        assert_eq!(&wv.pssh.as_ref().unwrap()[4..8], b"pssh");
    }
}

#[test]
fn hand_master_byte_ranges_fairplay_and_groups() {
    let p = assemble_fixture("hand/hls", "https://hls.example/title/");
    // 1080, 540 (listed twice in the master, one track), en, de, subs.
    assert_eq!(p.tracks.len(), 5);
    let hd = &p.tracks[0];
    assert_eq!(hd.codec.as_deref(), Some("hvc1.2.4.L123.B0"));
    assert_eq!(hd.frame_rate.unwrap().as_f64(), 23.976);
    let map = hd.init.as_ref().unwrap();
    assert_eq!(map.url.as_str(), "https://hls.example/title/video/1080.mp4");
    assert_eq!(map.byte_range, Some((0, 1199)));
    let ranges: Vec<_> = hd.segments.iter().map(|s| s.byte_range.unwrap()).collect();
    assert_eq!(
        ranges,
        vec![(1200, 501_199), (501_200, 951_199), (951_200, 1_151_199)]
    );
    assert!((hd.segments_duration() - 15.015).abs() < 1e-9);
    let fp = &hd.protection[0];
    assert_eq!(fp.system, DrmSystem::FairPlay);
    assert!(!fp.playable_on_desktop);
    assert_eq!(fp.key_uri.as_deref(), Some("skd://fps.example/key?id=0011"));
    assert_eq!(fp.scheme.as_deref(), Some("cbcs"));

    let sd = &p.tracks[1];
    assert_eq!(sd.bitrate, Some(900_000));
    assert_eq!(sd.protection.len(), 2);
    assert_eq!(sd.protection[0].system, DrmSystem::PlayReady);
    assert_eq!(sd.protection[0].scheme.as_deref(), Some("cenc"));
    assert_eq!(
        sd.protection[0].la_url.as_deref(),
        Some("https://license.example/playready/rightsmanager.asmx")
    );
    assert_eq!(sd.protection[0].default_kid.unwrap().to_string(), TEST_KID);
    assert_eq!(sd.protection[1].default_kid.unwrap().to_string(), TEST_KID);

    let en = &p.tracks[2];
    assert_eq!(
        (en.kind, en.language.as_deref()),
        (TrackKind::Audio, Some("en"))
    );
    assert_eq!(en.codec.as_deref(), Some("mp4a.40.2"));
    assert_eq!(en.roles, vec!["default"]);
    assert_eq!(en.protection[0].system, DrmSystem::Identity);
    assert_eq!(en.protection[0].scheme.as_deref(), Some("aes-128"));
    assert_eq!(
        en.protection[0].la_url.as_deref(),
        Some("https://keys.example/k/en.bin")
    );
    let de = &p.tracks[3];
    assert_eq!(de.channels, Some(6));
    assert_eq!(
        de.segments[2].url.as_str(),
        "https://hls.example/title/audio/de/3.m4s"
    );

    let subs = &p.tracks[4];
    assert_eq!(subs.kind, TrackKind::Text);
    assert_eq!(subs.codec.as_deref(), Some("wvtt"));
    assert_eq!(
        subs.roles,
        vec!["public.accessibility.transcribes-spoken-dialog"]
    );
    // No EXT-X-KEY in the subtitle playlist: clear (the session key is only an announcement).
    assert!(subs.protection.is_empty());
    assert_eq!(subs.segments[0].keys, Some(vec![]));
    // Per-segment keys and sequence numbers.
    assert_eq!(sd.segments[2].keys, Some(vec![0, 1]));
    assert_eq!(en.segments[1].sequence, Some(1));
}

#[test]
fn master_lists_each_playlist_once() {
    let m = parse_master(
        &fixture("hand/hls/master.m3u8"),
        &url("https://h.example/a/master.m3u8"),
    )
    .unwrap();
    let urls: Vec<String> = m
        .media_playlist_urls()
        .iter()
        .map(|u| u.to_string())
        .collect();
    assert_eq!(
        urls,
        vec![
            "https://h.example/a/video/1080.m3u8",
            "https://h.example/a/video/540.m3u8",
            "https://h.example/a/audio/en.m3u8",
            "https://h.example/a/audio/de.m3u8",
            "https://h.example/a/subs/en.m3u8",
        ]
    );
    assert_eq!(m.renditions.len(), 4);
    assert!(
        m.renditions[3].uri.is_none(),
        "closed captions have no playlist"
    );
}

#[test]
fn missing_media_playlist_is_named() {
    let m = parse_master(
        &fixture("shaka/master.m3u8"),
        &url("https://h.example/master.m3u8"),
    )
    .unwrap();
    let e = assemble(&m, &[]).unwrap_err();
    assert!(
        e.to_string().contains("https://h.example/video.m3u8"),
        "{e}"
    );
}

#[test]
fn media_playlist_alone_through_parse() {
    let p = parse(
        fixture("shaka/video.m3u8").as_bytes(),
        &url("https://h.example/v/video.m3u8"),
    )
    .unwrap();
    assert_eq!(p.tracks.len(), 1);
    assert_eq!(p.tracks[0].segments.len(), 6);
    assert_eq!(p.duration, Some(11.0));
    let e = parse(
        fixture("shaka/master.m3u8").as_bytes(),
        &url("https://h.example/m.m3u8"),
    )
    .unwrap_err();
    assert!(e.to_string().contains("hls::parse_master"), "{e}");
}

#[test]
fn live_and_broken_playlists_are_clear_errors() {
    let live = "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\na.m4s\n";
    let e = parse_media(live, &url("https://h.example/l.m3u8")).unwrap_err();
    assert!(matches!(e, Error::Live { .. }), "{e}");
    let no_offset = "#EXTM3U\n#EXTINF:2,\n#EXT-X-BYTERANGE:100\na.mp4\n#EXT-X-ENDLIST\n";
    match parse_media(no_offset, &url("https://h.example/l.m3u8")).unwrap_err() {
        Error::Hls { line, reason } => {
            assert_eq!(line, 4);
            assert!(reason.contains("offset"), "{reason}");
        }
        other => panic!("{other}"),
    }
    let no_extinf = "#EXTM3U\na.m4s\n#EXT-X-ENDLIST\n";
    assert!(matches!(
        parse_media(no_extinf, &url("https://h.example/l.m3u8")),
        Err(Error::Hls { line: 2, .. })
    ));
    let bad_method = "#EXTM3U\n#EXT-X-KEY:METHOD=ROT13,URI=\"k\"\n#EXT-X-ENDLIST\n";
    assert!(matches!(
        parse_media(bad_method, &url("https://h.example/l.m3u8")),
        Err(Error::Hls { line: 2, .. })
    ));
    assert!(parse_media("#EXT-X-ENDLIST\n", &url("https://h.example/l.m3u8")).is_err());
}

#[test]
fn key_rotation_and_clear_lead_are_per_segment() {
    let text = "#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:7\n#EXTINF:4,\nclear.ts\n\
#EXT-X-KEY:METHOD=AES-128,URI=\"k1\"\n#EXTINF:4,\na.ts\n#EXTINF:4,\nb.ts\n\
#EXT-X-KEY:METHOD=AES-128,URI=\"k2\",IV=0x01\n#EXTINF:4,\nc.ts\n\
#EXT-X-KEY:METHOD=AES-128,URI=\"k1\"\n#EXTINF:4,\nd.ts\n\
#EXT-X-KEY:METHOD=NONE\n#EXTINF:4,\ne.ts\n#EXT-X-ENDLIST\n";
    let m = parse_media(text, &url("https://h.example/p/list.m3u8")).unwrap();
    assert_eq!(m.keys.len(), 2);
    assert_eq!(m.keys[0].la_url.as_deref(), Some("https://h.example/p/k1"));
    assert_eq!(m.keys[1].iv.as_deref(), Some("0x01"));
    let ks: Vec<_> = m.segments.iter().map(|s| s.keys.clone().unwrap()).collect();
    assert_eq!(ks, vec![vec![], vec![0], vec![0], vec![1], vec![0], vec![]]);
    let seq: Vec<_> = m.segments.iter().map(|s| s.sequence.unwrap()).collect();
    assert_eq!(seq, vec![7, 8, 9, 10, 11, 12]);
}

#[test]
fn each_segment_keeps_the_init_of_the_ext_x_map_before_it() {
    let text = "#EXTM3U\n#EXT-X-MAP:URI=\"a.mp4\"\n#EXTINF:4,\n1.m4s\n#EXT-X-DISCONTINUITY\n\
#EXT-X-MAP:URI=\"b.mp4\",BYTERANGE=\"700@0\"\n#EXTINF:4,\n2.m4s\n#EXTINF:4,\n3.m4s\n\
#EXT-X-DISCONTINUITY\n#EXT-X-MAP:URI=\"a.mp4\"\n#EXTINF:4,\n4.m4s\n#EXT-X-ENDLIST\n";
    let u = url("https://h.example/p/list.m3u8");
    let m = parse_media(text, &u).unwrap();
    assert_eq!(
        m.init.as_ref().unwrap().url.as_str(),
        "https://h.example/p/a.mp4"
    );
    assert_eq!(m.extra_maps.len(), 1);
    assert_eq!(m.extra_maps[0].url.as_str(), "https://h.example/p/b.mp4");

    let p = parse(text.as_bytes(), &u).unwrap();
    let t = &p.tracks[0];
    assert!(t.switches_init());
    let inits: Vec<(String, Option<(u64, u64)>)> = t
        .segments
        .iter()
        .map(|s| {
            let i = t.init_of(s).unwrap();
            (i.url.path().to_owned(), i.byte_range)
        })
        .collect();
    assert_eq!(
        inits,
        [
            ("/p/a.mp4".to_owned(), None),
            ("/p/b.mp4".to_owned(), Some((0, 699))),
            ("/p/b.mp4".to_owned(), Some((0, 699))),
            ("/p/a.mp4".to_owned(), None),
        ]
    );
    // Only the segments that differ from the track's init carry their own.
    assert!(t.segments[0].init.is_none() && t.segments[3].init.is_none());
}

#[test]
fn a_map_after_segments_without_one_is_an_error() {
    let text =
        "#EXTM3U\n#EXTINF:4,\n1.m4s\n#EXT-X-MAP:URI=\"b.mp4\"\n#EXTINF:4,\n2.m4s\n#EXT-X-ENDLIST\n";
    let e = parse_media(text, &url("https://h.example/p/list.m3u8"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("EXT-X-MAP") && e.contains("1.m4s"), "{e}");
}
