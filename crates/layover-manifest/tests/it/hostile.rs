use super::url;
use layover_manifest::{Error, Limits, dash, parse};

fn mpd(body: &str) -> String {
    format!(
        r#"<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT2H"><Period>{body}</Period></MPD>"#
    )
}

fn base() -> url::Url {
    url("https://h.example/m.mpd")
}

#[test]
fn huge_timeline_repeat_is_capped_before_allocating() {
    let doc = mpd(
        r#"<AdaptationSet contentType="video"><SegmentTemplate timescale="1" media="$Number$.m4s"><SegmentTimeline><S t="0" d="1" r="2147483648"/></SegmentTimeline></SegmentTemplate><Representation id="v" bandwidth="1"/></AdaptationSet>"#,
    );
    let e = parse(doc.as_bytes(), &base()).unwrap_err();
    assert!(
        matches!(e, Error::TooManySegments { limit: 200_000, .. }),
        "{e}"
    );
    assert!(e.to_string().contains("Representation \"v\""), "{e}");
}

#[test]
fn one_tick_template_duration_is_capped() {
    let doc = mpd(
        r#"<AdaptationSet contentType="video"><SegmentTemplate timescale="1000000000" duration="1" media="$Number$.m4s"/><Representation id="v" bandwidth="1"/></AdaptationSet>"#,
    );
    assert!(matches!(
        parse(doc.as_bytes(), &base()),
        Err(Error::TooManySegments { .. })
    ));
}

#[test]
fn open_ended_repeat_with_one_tick_is_capped() {
    let doc = mpd(
        r#"<AdaptationSet contentType="video"><SegmentTemplate timescale="1000000000" media="$Time$.m4s"><SegmentTimeline><S d="1" r="-1"/></SegmentTimeline></SegmentTemplate><Representation id="v" bandwidth="1"/></AdaptationSet>"#,
    );
    assert!(matches!(
        parse(doc.as_bytes(), &base()),
        Err(Error::TooManySegments { .. })
    ));
}

#[test]
fn limits_are_adjustable() {
    let doc = mpd(
        r#"<AdaptationSet contentType="video"><SegmentTemplate timescale="1" duration="2" media="$Number$.m4s"/><Representation id="v" bandwidth="1"/></AdaptationSet>"#,
    );
    let small = Limits {
        max_url_bytes_total: 1 << 20,
        max_segments_per_track: 100,
        max_segments_total: 100,
    };
    assert!(dash::parse_with_limits(&doc, &base(), &small).is_err());
    let p = dash::parse(&doc, &base()).unwrap();
    assert_eq!(p.tracks[0].segments.len(), 3600, "2 hours at 2 s");
}

#[test]
fn dynamic_mpd_is_rejected_clearly() {
    let doc = r#"<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="dynamic"><Period/></MPD>"#;
    let e = parse(doc.as_bytes(), &base()).unwrap_err();
    assert!(matches!(e, Error::Live { .. }));
    assert!(e.to_string().contains("dynamic"), "{e}");
}

#[test]
fn zero_durations_and_timescales_are_errors() {
    for body in [
        r#"<AdaptationSet><SegmentTemplate media="$Number$" duration="0"/><Representation id="v" bandwidth="1"/></AdaptationSet>"#,
        r#"<AdaptationSet><SegmentTemplate media="$Number$" timescale="0" duration="5"/><Representation id="v" bandwidth="1"/></AdaptationSet>"#,
        r#"<AdaptationSet><SegmentTemplate media="$Time$"><SegmentTimeline><S d="0"/></SegmentTimeline></SegmentTemplate><Representation id="v" bandwidth="1"/></AdaptationSet>"#,
        r#"<AdaptationSet><SegmentTemplate media="$Nope$" duration="5"/><Representation id="v" bandwidth="1"/></AdaptationSet>"#,
        r#"<AdaptationSet><SegmentBase/><Representation id="v" bandwidth="1"><BaseURL>a.mp4</BaseURL></Representation></AdaptationSet>"#,
    ] {
        assert!(parse(mpd(body).as_bytes(), &base()).is_err(), "{body}");
    }
}

#[test]
fn dtd_entities_are_refused() {
    let doc = r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><MPD type="static">&lol2;</MPD>"#;
    assert!(matches!(parse(doc.as_bytes(), &base()), Err(Error::Xml(_))));
}

#[test]
fn smooth_live_and_huge_repeat_are_rejected() {
    let live =
        r#"<SmoothStreamingMedia MajorVersion="2" MinorVersion="2" IsLive="TRUE" Duration="0"/>"#;
    assert!(matches!(
        parse(live.as_bytes(), &base()),
        Err(Error::Live { .. })
    ));
    let huge = r#"<SmoothStreamingMedia MajorVersion="2" MinorVersion="2" Duration="10"><StreamIndex Type="video" Url="Q({bitrate})/F(v={start time})"><QualityLevel Bitrate="1" FourCC="H264"/><c d="1" r="4294967295"/></StreamIndex></SmoothStreamingMedia>"#;
    assert!(matches!(
        parse(huge.as_bytes(), &base()),
        Err(Error::TooManySegments { .. })
    ));
}

#[test]
fn utf16_smooth_manifest_is_decoded() {
    let text = r#"<SmoothStreamingMedia MajorVersion="2" MinorVersion="2" Duration="20000000"><StreamIndex Type="audio" Url="Q({bitrate})/F(a={start time})"><QualityLevel Bitrate="64000" FourCC="AACL" SamplingRate="48000" Channels="2"/><c t="0" d="20000000"/></StreamIndex></SmoothStreamingMedia>"#;
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let p = parse(&bytes, &url("https://s.example/a.ism/Manifest")).unwrap();
    assert_eq!(
        p.tracks[0].segments[0].url.as_str(),
        "https://s.example/a.ism/Q(64000)/F(a=0)"
    );
}

#[test]
fn unknown_formats_say_what_they_are() {
    let e = parse(b"<html><body/></html>", &base()).unwrap_err();
    assert!(e.to_string().contains("<html>"), "{e}");
    assert!(matches!(
        parse(b"\x00\x01binary", &base()),
        Err(Error::UnknownFormat(_))
    ));
    assert!(matches!(
        parse(&[0xC3, 0x28], &base()),
        Err(Error::Encoding { .. })
    ));
}

#[test]
fn many_capped_representations_hit_the_total_cap() {
    let reps: String = (0..30)
        .map(|i| format!(r#"<Representation id="r{i}" bandwidth="1"/>"#))
        .collect();
    let doc = mpd(&format!(
        r#"<AdaptationSet><SegmentTemplate timescale="1" duration="1" media="$Number$"/>{reps}</AdaptationSet>"#
    ));
    let limits = Limits {
        max_url_bytes_total: 1 << 30,
        max_segments_per_track: 10_000,
        max_segments_total: 50_000,
    };
    let e = dash::parse_with_limits(&doc, &base(), &limits).unwrap_err();
    assert!(
        matches!(e, Error::TooManySegments { limit: 50_000, .. }),
        "{e}"
    );
    assert!(
        e.to_string().contains("Representation \"r6\""),
        "stops at the 7th: {e}"
    );
}

#[test]
fn errors_name_the_element_attribute_and_value() {
    let doc = mpd(
        r#"<AdaptationSet><SegmentTemplate media="$Time$"><SegmentTimeline><S t="0"/></SegmentTimeline></SegmentTemplate><Representation id="v" bandwidth="1"/></AdaptationSet>"#,
    );
    let e = parse(doc.as_bytes(), &base()).unwrap_err().to_string();
    assert!(e.contains("<S>") && e.contains("`d`"), "{e}");
    let doc = mpd(r#"<AdaptationSet><Representation id="v" bandwidth="lots"/></AdaptationSet>"#);
    let e = parse(doc.as_bytes(), &base()).unwrap_err().to_string();
    assert!(
        e.contains("<Representation>") && e.contains("bandwidth") && e.contains("\"lots\""),
        "{e}"
    );
    let doc = mpd(
        r#"<AdaptationSet><ContentProtection schemeIdUri="urn:mpeg:dash:mp4protection:2011" value="cenc" cenc:default_KID="nope" xmlns:cenc="urn:mpeg:cenc:2013"/><Representation id="v" bandwidth="1"/></AdaptationSet>"#,
    );
    let e = parse(doc.as_bytes(), &base()).unwrap_err().to_string();
    assert!(e.contains("default_KID") && e.contains("\"nope\""), "{e}");
    let doc = r#"<MPD type="static" mediaPresentationDuration="1 hour"><Period/></MPD>"#;
    let e = parse(doc.as_bytes(), &base()).unwrap_err().to_string();
    assert!(
        e.contains("mediaPresentationDuration") && e.contains("PT1H2M3.5S"),
        "{e}"
    );
}

#[test]
fn fuzz_regression_smooth_timeout_is_a_size_error() {
    // cargo-fuzz (smooth target, 2026-11-24) timed out: 10 QualityLevels x ~50,000 chunks with
    // 470-byte URLs, i.e. 500,360 segments and ~235 MB of URL text, all within the segment caps.
    // The URL-text budget now stops it before it allocates.
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/fuzz-regressions/smooth-timeout-a4ef11b0.ismc"
    );
    let bytes = std::fs::read(path).unwrap();
    let limits = Limits {
        max_url_bytes_total: 8 << 20,
        ..Limits::default()
    };
    let e = layover_manifest::parse_with_limits(
        &bytes,
        &url("https://fuzz.example/a.ism/Manifest"),
        &limits,
    )
    .unwrap_err();
    assert!(matches!(e, Error::TooLarge { .. }), "{e}");
}

#[test]
fn long_base_url_times_many_segments_is_refused_before_allocating() {
    let long = "x".repeat(100_000);
    let doc = mpd(&format!(
        r#"<BaseURL>https://h.example/{long}/</BaseURL><AdaptationSet><SegmentTemplate timescale="1" duration="1" media="$Number$"/><Representation id="v" bandwidth="1"/></AdaptationSet>"#
    ));
    // 7,200 segments x 100 KB = 720 MB of URLs: refused by the estimate, not by running out.
    let e = parse(doc.as_bytes(), &base()).unwrap_err();
    assert!(matches!(e, Error::TooLarge { .. }), "{e}");
    assert!(e.to_string().contains("segment URL text"), "{e}");
    // The same with a SegmentList: many SegmentURLs under one long BaseURL.
    let urls = r#"<SegmentURL mediaRange="0-1"/>"#.repeat(2_000);
    let doc = mpd(&format!(
        r#"<BaseURL>https://h.example/{long}/</BaseURL><AdaptationSet><Representation id="v" bandwidth="1"><SegmentList duration="1">{urls}</SegmentList></Representation></AdaptationSet>"#
    ));
    let small = Limits {
        max_url_bytes_total: 64 << 20,
        ..Limits::default()
    };
    let e = dash::parse_with_limits(&doc, &base(), &small).unwrap_err();
    assert!(matches!(e, Error::TooLarge { .. }), "{e}");
}

#[test]
fn offsets_at_the_edge_of_u64_are_errors_not_overflows() {
    let doc = mpd(&format!(
        r#"<AdaptationSet><SegmentTemplate timescale="1" duration="2" presentationTimeOffset="{}" media="$Time$"/><Representation id="v" bandwidth="1"/></AdaptationSet>"#,
        u64::MAX
    ));
    let p = parse(doc.as_bytes(), &base()).unwrap();
    assert_eq!(
        p.tracks[0].segments.last().unwrap().start,
        u64::MAX,
        "saturates, no wrap"
    );
    let text = format!(
        "#EXTM3U\n#EXTINF:1,\n#EXT-X-BYTERANGE:1@{}\na.mp4\n#EXTINF:1,\n#EXT-X-BYTERANGE:1\na.mp4\n#EXT-X-ENDLIST\n",
        u64::MAX
    );
    assert!(layover_manifest::hls::parse_media(&text, &base()).is_err());
    let refs = [layover_manifest::dash::sidx::SidxReference {
        reference_type: false,
        referenced_size: 10,
        subsegment_duration: 1,
        starts_with_sap: true,
    }; 2];
    assert!(dash::segments_from_sidx(&base(), (0, u64::MAX - 12), 0, 0, &refs).is_err());
}
