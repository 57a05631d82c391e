use layover_manifest::template::{Template, Vars};
use layover_manifest::{dash, hls, parse, smooth};
use proptest::prelude::*;

fn base() -> url::Url {
    url::Url::parse("https://p.example/a/m").unwrap()
}

/// Fragments that make random inputs look like real manifests often enough to reach deep code.
fn mpd_soup() -> impl Strategy<Value = String> {
    let parts = prop::collection::vec(
        prop_oneof![
            Just("<MPD type=\"static\" mediaPresentationDuration=\"PT10S\">".to_owned()),
            Just("<Period duration=\"PT5S\">".to_owned()),
            Just("<AdaptationSet contentType=\"video\">".to_owned()),
            Just("<SegmentTemplate timescale=\"10\" media=\"$Number%03d$-$Time$\" duration=\"7\">".to_owned()),
            Just("<SegmentTimeline><S t=\"3\" d=\"4\" r=\"-1\"/><S d=\"2\" r=\"2\"/></SegmentTimeline>".to_owned()),
            Just("</SegmentTemplate>".to_owned()),
            Just("<SegmentList duration=\"2\"><SegmentURL mediaRange=\"0-9\"/></SegmentList>".to_owned()),
            Just("<SegmentBase indexRange=\"10-20\"/>".to_owned()),
            Just("<BaseURL>x/</BaseURL>".to_owned()),
            Just("<Representation id=\"r\" bandwidth=\"5\"/>".to_owned()),
            Just("</AdaptationSet></Period></MPD>".to_owned()),
            "[ -~]{0,12}",
        ],
        0..14,
    );
    parts.prop_map(|v| v.concat())
}

fn m3u8_soup() -> impl Strategy<Value = String> {
    let lines = prop::collection::vec(
        prop_oneof![
            Just("#EXTINF:2.5,".to_owned()),
            Just("#EXT-X-BYTERANGE:100".to_owned()),
            Just("#EXT-X-BYTERANGE:100@5".to_owned()),
            Just("#EXT-X-MAP:URI=\"i.mp4\",BYTERANGE=\"10@0\"".to_owned()),
            Just("#EXT-X-KEY:METHOD=SAMPLE-AES,URI=\"data:text/plain;base64,AAAA\",KEYFORMAT=\"com.microsoft.playready\"".to_owned()),
            Just("#EXT-X-STREAM-INF:BANDWIDTH=1,CODECS=\"avc1\"".to_owned()),
            Just("#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"a\",NAME=\"n\",URI=\"a.m3u8\"".to_owned()),
            Just("seg.m4s".to_owned()),
            Just("#EXT-X-ENDLIST".to_owned()),
            "[ -~]{0,16}",
        ],
        0..12,
    );
    lines.prop_map(|v| format!("#EXTM3U\n{}", v.join("\n")))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn parse_never_panics_on_bytes(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let _ = parse(&bytes, &base());
    }

    #[test]
    fn dash_never_panics(doc in mpd_soup()) {
        let _ = dash::parse(&doc, &base());
    }

    #[test]
    fn smooth_never_panics(s in "[ -~]{0,200}", d in 0u64..100, r in 0u64..5) {
        let doc = format!(r#"<SmoothStreamingMedia Duration="{d}"><StreamIndex Type="video" Url="{s}"><QualityLevel Bitrate="1" FourCC="H264" CodecPrivateData="{s}"/><c d="{d}" r="{r}"/><c/></StreamIndex></SmoothStreamingMedia>"#);
        let _ = smooth::parse(&doc, &base());
        let _ = smooth::parse(&s, &base());
    }

    #[test]
    fn hls_never_panics(text in m3u8_soup()) {
        let _ = hls::parse_media(&text, &base());
        let _ = hls::parse_master(&text, &base());
        let _ = hls::parse_single(&text, &base());
    }

    #[test]
    fn templates_never_panic(t in "[$%0-9a-zA-Z]{0,40}") {
        if let Ok(tpl) = Template::parse(&t) {
            let _ = tpl.render(&Vars { representation_id: "r", number: 1, bandwidth: 2, time: 3 });
        }
    }

    #[test]
    fn number_width_pads_but_never_truncates(n in any::<u64>(), w in 1usize..=32) {
        let tpl = Template::parse(&format!("seg-$Number%0{w}d$.m4s")).unwrap();
        let out = tpl.render(&Vars { number: n, ..Vars::default() });
        let digits = out.strip_prefix("seg-").unwrap().strip_suffix(".m4s").unwrap();
        prop_assert_eq!(digits.len(), w.max(n.to_string().len()));
        prop_assert_eq!(digits.parse::<u64>().unwrap(), n);
    }

    #[test]
    fn literal_text_survives_and_dollars_round_trip(lit in "[a-z/._-]{0,20}", t in any::<u64>()) {
        let tpl = Template::parse(&format!("{lit}$$$Time$$$")).unwrap();
        let out = tpl.render(&Vars { time: t, ..Vars::default() });
        prop_assert_eq!(out, format!("{lit}${t}$"));
    }

    #[test]
    fn duration_template_segments_tile_the_period(ts in 1u64..100_000, d in 1u64..1_000_000, secs in 1u32..3600) {
        let count = (u128::from(secs) * u128::from(ts)).div_ceil(u128::from(d));
        prop_assume!(count <= 20_000);
        let doc = format!(r#"<MPD type="static" mediaPresentationDuration="PT{secs}S"><Period><AdaptationSet><SegmentTemplate timescale="{ts}" duration="{d}" media="$Number$"/><Representation id="r" bandwidth="1"/></AdaptationSet></Period></MPD>"#);
        let p = dash::parse(&doc, &base()).unwrap();
        let segs = &p.tracks[0].segments;
        prop_assert_eq!(segs.len() as u128, count);
        let total: u128 = segs.iter().map(|s| u128::from(s.duration)).sum();
        prop_assert_eq!(total, u128::from(secs) * u128::from(ts));
        for w in segs.windows(2) {
            prop_assert_eq!(w[0].start + w[0].duration, w[1].start);
        }
    }

    /// However a playlist switches EXT-X-MAP, every segment's init is the last map before it.
    #[test]
    fn every_segment_keeps_the_map_before_it(runs in prop::collection::vec((0u8..4, 1usize..4), 1..8)) {
        let mut text = String::from("#EXTM3U\n");
        let mut want = Vec::new();
        for (map, n) in &runs {
            text.push_str(&format!("#EXT-X-DISCONTINUITY\n#EXT-X-MAP:URI=\"init-{map}.mp4\"\n"));
            for _ in 0..*n {
                let i = want.len();
                text.push_str(&format!("#EXTINF:2,\n{i}.m4s\n"));
                want.push(format!("/a/init-{map}.mp4"));
            }
        }
        text.push_str("#EXT-X-ENDLIST\n");
        let p = parse(text.as_bytes(), &base()).unwrap();
        let t = &p.tracks[0];
        let got: Vec<String> = t.segments.iter().map(|s| t.init_of(s).unwrap().url.path().to_owned()).collect();
        prop_assert_eq!(&got, &want);
        prop_assert_eq!(t.switches_init(), runs.iter().any(|(m, _)| *m != runs[0].0));
    }
}
