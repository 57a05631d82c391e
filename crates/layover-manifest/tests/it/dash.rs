use super::{TEST_KID, fixture, url};
use layover_manifest::{DrmSystem, Kid, ManifestKind, TrackKind, parse};

fn shaka(name: &str) -> layover_manifest::Presentation {
    let base = url("https://origin.example/title/manifest.mpd");
    parse(fixture(&format!("shaka/{name}")).as_bytes(), &base).unwrap()
}

#[test]
fn shaka_timeline_cenc_segments_and_protection() {
    let p = shaka("timeline.mpd");
    assert_eq!(p.kind, ManifestKind::Dash);
    assert_eq!(p.duration, Some(11.0));
    assert_eq!(p.tracks.len(), 2);
    let v = &p.tracks[0];
    assert_eq!(v.kind, TrackKind::Video);
    assert_eq!(v.codec.as_deref(), Some("avc1.4d400d"));
    assert_eq!((v.width, v.height), (Some(320), Some(180)));
    assert_eq!(v.frame_rate.unwrap().as_f64(), 25.0);
    assert_eq!(v.timescale, 12800);
    assert_eq!(
        v.init.as_ref().unwrap().url.as_str(),
        "https://origin.example/title/video_init.mp4"
    );
    assert_eq!(v.segments.len(), 6);
    assert_eq!(
        v.segments[0].url.as_str(),
        "https://origin.example/title/video_1.m4s"
    );
    assert_eq!(
        v.segments[5].url.as_str(),
        "https://origin.example/title/video_6.m4s"
    );
    assert_eq!(v.segments[5].start, 128_000);
    assert_eq!(v.segments_duration(), 11.0);

    let a = &p.tracks[1];
    assert_eq!(a.kind, TrackKind::Audio);
    assert_eq!(a.language.as_deref(), Some("en"));
    assert_eq!(a.sample_rate, Some(48000));
    assert_eq!(a.channels, Some(2));
    assert_eq!(a.segments.len(), 6);
    assert_eq!(a.segments_duration(), 11.0);

    for t in &p.tracks {
        assert_eq!(t.protection.len(), 2, "PlayReady + Widevine");
        let pr = t
            .protection
            .iter()
            .find(|x| x.system == DrmSystem::PlayReady)
            .unwrap();
        assert_eq!(pr.scheme.as_deref(), Some("cenc"));
        assert_eq!(pr.default_kid.unwrap().to_string(), TEST_KID);
        assert_eq!(pr.system_id, Some(Kid::PLAYREADY));
        let pro = pr.playready_object.as_ref().unwrap();
        assert_eq!(
            u32::from_le_bytes(pro[..4].try_into().unwrap()) as usize,
            pro.len()
        );
        let pssh = pr.pssh.as_ref().unwrap();
        assert_eq!(&pssh[4..8], b"pssh");
        assert_eq!(&pssh[12..28], &Kid::PLAYREADY.0);
        // The PRO inside the MPD names the same KID (PlayReady writes it little-endian).
        let s = layover_manifest::playready::summary(pro);
        assert_eq!(s.kid.unwrap().to_string(), TEST_KID);
        assert_eq!(s.algid.as_deref(), Some("AESCTR"));
        let wv = t
            .protection
            .iter()
            .find(|x| x.system == DrmSystem::Widevine)
            .unwrap();
        assert_eq!(wv.default_kid.unwrap().to_string(), TEST_KID);
        assert_eq!(&wv.pssh.as_ref().unwrap()[12..28], &Kid::WIDEVINE.0);
        assert!(wv.playready_object.is_none());
    }
}

#[test]
fn shaka_timeline_cbcs_scheme() {
    let p = shaka("timeline-cbcs.mpd");
    assert_eq!(p.tracks.len(), 2);
    for t in &p.tracks {
        assert_eq!(t.segments.len(), 6);
        assert_eq!(t.segments_duration(), 11.0);
        assert!(
            t.protection
                .iter()
                .all(|x| x.scheme.as_deref() == Some("cbcs"))
        );
    }
}

#[test]
fn shaka_segment_base_then_sidx() {
    let mut p = shaka("segmentbase.mpd");
    let v = &mut p.tracks[0];
    assert!(v.segments.is_empty());
    assert_eq!(v.timescale, 12800);
    let init = v.init.as_ref().unwrap();
    assert_eq!(init.url.as_str(), "https://origin.example/title/video.mp4");
    assert_eq!(init.byte_range, Some((0, 1556)));
    let index = v.index.as_ref().unwrap();
    assert_eq!(index.byte_range, Some((1557, 1660)));
    let hex = fixture("shaka/segmentbase-video.sidx.hex");
    let bytes: Vec<u8> = layover_manifest::smooth::from_hex(hex.trim()).unwrap();
    assert_eq!(bytes.len(), 1660 - 1557 + 1);
    v.apply_sidx(&bytes).unwrap();
    assert_eq!(v.segments.len(), 6);
    assert_eq!(
        v.segments[0].byte_range.unwrap().0,
        1661,
        "media starts right after the sidx"
    );
    for w in v.segments.windows(2) {
        assert_eq!(w[0].byte_range.unwrap().1 + 1, w[1].byte_range.unwrap().0);
        assert_eq!(w[0].start + w[0].duration, w[1].start);
    }
    assert_eq!(v.segments_duration(), 11.0);
    let a = &p.tracks[1];
    assert_eq!(
        a.init.as_ref().unwrap().url.as_str(),
        "https://origin.example/title/audio.mp4"
    );
    assert_eq!(a.index.as_ref().unwrap().byte_range, Some((1519, 1622)));
}

#[test]
fn multi_period_base_urls_inheritance_and_text() {
    let base = url("https://ignored.example/manifest.mpd");
    let p = parse(fixture("hand/multi-period.mpd").as_bytes(), &base).unwrap();
    assert_eq!(p.duration, Some(90.0));
    assert_eq!(p.periods.len(), 2);
    assert_eq!(
        (p.periods[0].start, p.periods[0].duration),
        (0.0, Some(60.0))
    );
    assert_eq!(
        (p.periods[1].start, p.periods[1].duration),
        (60.0, Some(30.0))
    );
    assert_eq!(p.tracks.len(), 5);

    let hd = &p.tracks[0];
    assert_eq!(hd.id, "v720");
    assert_eq!(hd.frame_rate.map(|f| (f.num, f.den)), Some((30000, 1001)));
    assert_eq!(hd.segments.len(), 15); // ceil(60 / 4.004)
    assert_eq!(
        hd.segments[0].url.as_str(),
        "https://cdn.example/content/period0/video/hd/v720/00000.m4s"
    );
    assert_eq!(
        hd.segments[14].url.as_str(),
        "https://cdn.example/content/period0/video/hd/v720/00014.m4s"
    );
    assert_eq!(
        hd.segments[14].duration,
        5_400_000 - 14 * 360_360,
        "last segment cut at the period end"
    );
    assert_eq!(hd.segments_duration(), 60.0);
    assert_eq!(
        hd.init.as_ref().unwrap().url.as_str(),
        "https://cdn.example/content/period0/video/hd/v720/init.mp4"
    );
    let sd = &p.tracks[1];
    assert_eq!(
        sd.segments[3].url.as_str(),
        "https://cdn.example/content/period0/video/v360/00003.m4s"
    );

    // ClearKey and W3C common with their license URLs; scheme and KID from the mp4protection descriptor.
    assert_eq!(hd.protection.len(), 2);
    assert_eq!(hd.protection[0].system, DrmSystem::ClearKey);
    assert_eq!(
        hd.protection[0].la_url.as_deref(),
        Some("https://ck.example/license")
    );
    assert_eq!(hd.protection[1].system, DrmSystem::W3cCommon);
    assert_eq!(
        hd.protection[1].la_url.as_deref(),
        Some("https://ck.example/license-w3c")
    );
    assert!(
        hd.protection
            .iter()
            .all(|x| x.scheme.as_deref() == Some("cenc")
                && x.default_kid.unwrap().to_string() == "10000000-1000-1000-1000-100000000001")
    );

    let fr = &p.tracks[2];
    assert_eq!(fr.kind, TrackKind::Text);
    assert_eq!(fr.codec.as_deref(), Some("stpp"));
    assert_eq!(fr.language.as_deref(), Some("fr"));
    assert_eq!(fr.roles, vec!["subtitle"]);
    assert_eq!(fr.label.as_deref(), Some("Français"));
    assert_eq!(fr.segments.len(), 15);
    assert_eq!(
        fr.segments[1].url.as_str(),
        "https://cdn.example/content/period0/sub/fr-2.mp4"
    );

    let vtt = &p.tracks[3];
    assert_eq!(vtt.kind, TrackKind::Text);
    assert_eq!(vtt.roles, vec!["caption"]);
    assert_eq!(vtt.segments.len(), 1);
    assert_eq!(
        vtt.segments[0].url.as_str(),
        "https://cdn.example/subs/en.vtt"
    );
    assert_eq!(vtt.segments_duration(), 60.0);

    let de = &p.tracks[4];
    assert_eq!(de.period, 1);
    assert_eq!(de.kind, TrackKind::Audio);
    assert_eq!(de.channels, Some(6));
    assert_eq!(de.segments.len(), 8); // 30 s at 4 s: the Representation overrides @duration
    assert_eq!(
        de.segments[0].url.as_str(),
        "https://other.example/p1/a/128000/10.m4s"
    );
    assert_eq!(
        de.segments[7].url.as_str(),
        "https://other.example/p1/a/128000/17.m4s"
    );
    assert_eq!(de.segments[7].duration, 96_000);
    assert_eq!(de.segments_duration(), 30.0);
    assert_eq!(
        de.init.as_ref().unwrap().url.as_str(),
        "https://other.example/p1/a/128000/init.m4s"
    );
    let total: f64 = p.periods.iter().map(|x| x.duration.unwrap()).sum();
    assert_eq!(Some(total), p.duration);
}

#[test]
fn time_templates_with_open_ended_repeats() {
    let base = url("https://t.example/x/manifest.mpd");
    let p = parse(fixture("hand/time-timeline.mpd").as_bytes(), &base).unwrap();
    let a = &p.tracks[0];
    assert_eq!(a.roles, vec!["main"]);
    assert_eq!(a.segments.len(), 8); // (30 s) / 4 s, rounded up, from pto 5000
    assert_eq!(
        a.segments[0].url.as_str(),
        "https://t.example/x/audio/a1/t0000005000-$.m4s"
    );
    assert_eq!(
        a.segments[7].url.as_str(),
        "https://t.example/x/audio/a1/t0000033000-$.m4s"
    );
    assert_eq!(a.segments[7].start, 33_000);
    assert_eq!(
        a.presentation_time_offset, 5000,
        "the first segment plays at 0 s"
    );
    let v = &p.tracks[1];
    assert_eq!(v.codec.as_deref(), Some("hvc1.1.6.L93.B0"));
    assert_eq!(v.segments.len(), 10); // 5 x 2 s up to t=100, then 5 x 4 s up to 300
    assert_eq!(
        v.segments[4].url.as_str(),
        "https://t.example/x/v/v1/80.m4s"
    );
    assert_eq!(
        v.segments[5].url.as_str(),
        "https://t.example/x/v/v1/100.m4s"
    );
    assert_eq!(
        v.segments[9].url.as_str(),
        "https://t.example/x/v/v1/260.m4s"
    );
    assert_eq!(v.segments_duration(), 30.0);
}

#[test]
fn segment_list_with_ranges() {
    let base = url("https://ignored.example/m.mpd");
    let p = parse(fixture("hand/segment-list.mpd").as_bytes(), &base).unwrap();
    let v = &p.tracks[0];
    let init = v.init.as_ref().unwrap();
    assert_eq!(
        init.url.as_str(),
        "https://media.example/list/video-init.mp4"
    );
    assert_eq!(init.byte_range, Some((0, 799)));
    assert_eq!(v.segments.len(), 3);
    assert_eq!(
        v.segments[0].url.as_str(),
        "https://media.example/list/video.mp4"
    );
    assert_eq!(v.segments[0].byte_range, Some((800, 10_799)));
    assert_eq!(v.segments[1].byte_range, Some((10_800, 20_799)));
    assert_eq!(v.segments[1].start, 2000);
    assert_eq!(
        v.segments[2].url.as_str(),
        "https://media.example/list/tail.mp4"
    );
    assert_eq!(v.segments[2].byte_range, Some((0, 4999)));
    assert_eq!(v.segments_duration(), 6.0);
}

#[test]
fn model_serialises_to_json() {
    let p = shaka("timeline.mpd");
    let j = serde_json::to_value(&p).unwrap();
    assert_eq!(j["kind"], "dash");
    assert_eq!(j["tracks"][0]["kind"], "video");
    assert_eq!(j["tracks"][0]["protection"][0]["default_kid"], TEST_KID);
    assert_eq!(j["tracks"][0]["protection"][0]["system"], "playready");
    assert_eq!(
        j["tracks"][0]["segments"][0]["url"],
        "https://origin.example/title/video_1.m4s"
    );
    assert!(
        j["tracks"][0]["protection"][0]["pssh"]
            .as_str()
            .unwrap()
            .starts_with("AAACJnBzc2g")
    );
}

#[test]
fn representation_segment_list_beats_inherited_template() {
    let doc = r#"<MPD type="static" mediaPresentationDuration="PT4S"><Period><AdaptationSet mimeType="video/mp4">
        <SegmentTemplate timescale="1" duration="2" media="$Number$.m4s"/>
        <Representation id="a" bandwidth="1"/>
        <Representation id="b" bandwidth="1"><SegmentList timescale="1" duration="4"><SegmentURL media="whole.mp4"/></SegmentList></Representation>
        <Representation id="c" bandwidth="1"><BaseURL>c.mp4</BaseURL><SegmentBase indexRange="100-199"/></Representation>
    </AdaptationSet></Period></MPD>"#;
    let p = parse(doc.as_bytes(), &url("https://x.example/m.mpd")).unwrap();
    assert_eq!(p.tracks[0].segments.len(), 2);
    assert_eq!(p.tracks[1].segments.len(), 1);
    assert_eq!(
        p.tracks[1].segments[0].url.as_str(),
        "https://x.example/whole.mp4"
    );
    assert!(p.tracks[2].segments.is_empty());
    assert_eq!(
        p.tracks[2].index.as_ref().unwrap().byte_range,
        Some((100, 199))
    );
    assert_eq!(
        p.tracks[2].init.as_ref().unwrap().byte_range,
        Some((0, 99)),
        "init is what precedes the index"
    );
}
