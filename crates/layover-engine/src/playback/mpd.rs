//! The clear DASH manifest served for a title: no `ContentProtection`, one `SegmentTemplate`
//! with a `SegmentTimeline` per track, every URL relative to the manifest.

use std::fmt::Write as _;

use layover_manifest::TrackKind;

use super::prepare::ServedTrack;

fn esc(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '&' => "&amp;".to_owned(),
            '<' => "&lt;".to_owned(),
            '>' => "&gt;".to_owned(),
            '"' => "&quot;".to_owned(),
            '\'' => "&apos;".to_owned(),
            c if c.is_control() => " ".to_owned(),
            c => c.to_string(),
        })
        .collect()
}

/// `PT12.345S`.
fn iso_duration(secs: f64) -> String {
    format!("PT{:.3}S", secs.max(0.0))
}

fn kind_name(k: TrackKind) -> &'static str {
    match k {
        TrackKind::Video => "video",
        TrackKind::Audio => "audio",
        TrackKind::Text => "text",
        TrackKind::Other => "other",
    }
}

/// Writes the manifest for `tracks` (served as `<index>/init.mp4` and `<index>/<n>.m4s`,
/// `n` from 0) lasting `duration_secs`.
pub fn clear_mpd(tracks: &[ServedTrack], duration_secs: f64) -> String {
    let mut m = String::new();
    let _ = write!(
        m,
        r#"<?xml version="1.0" encoding="UTF-8"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" profiles="urn:mpeg:dash:profile:isoff-live:2011" type="static" minBufferTime="PT2S" mediaPresentationDuration="{d}">
  <Period id="0" start="PT0S">
"#,
        d = iso_duration(duration_secs)
    );
    for (i, t) in tracks.iter().enumerate() {
        let kind = kind_name(t.kind);
        let _ = write!(
            m,
            r#"    <AdaptationSet id="{i}" contentType="{kind}" mimeType="{mime}""#,
            mime = esc(&t.mime_type)
        );
        if let Some(lang) = t.language.as_deref().filter(|l| !l.is_empty()) {
            let _ = write!(m, r#" lang="{}""#, esc(lang));
        }
        m.push_str(" segmentAlignment=\"true\">\n");
        if let Some(label) = &t.label {
            let _ = writeln!(m, "      <Label>{}</Label>", esc(label));
        }
        for role in &t.roles {
            let _ = writeln!(
                m,
                r#"      <Role schemeIdUri="urn:mpeg:dash:role:2011" value="{}"/>"#,
                esc(role)
            );
        }
        let _ = write!(
            m,
            r#"      <Representation id="{i}" bandwidth="{bw}""#,
            bw = t.bitrate.unwrap_or(100_000).max(1)
        );
        if let Some(c) = &t.codec {
            let _ = write!(m, r#" codecs="{}""#, esc(c));
        }
        if let (Some(w), Some(h)) = (t.width, t.height) {
            let _ = write!(m, r#" width="{w}" height="{h}""#);
        }
        if let Some(r) = t.sample_rate {
            let _ = write!(m, r#" audioSamplingRate="{r}""#);
        }
        m.push_str(">\n");
        let init = if t.has_init {
            format!(r#" initialization="{i}/init.mp4""#)
        } else {
            String::new()
        };
        let ext = if t.has_init { "m4s" } else { &t.raw_ext };
        let _ = writeln!(
            m,
            r#"        <SegmentTemplate timescale="{ts}" presentationTimeOffset="{pto}" startNumber="0"{init} media="{i}/$Number$.{ext}">"#,
            ts = t.timescale.max(1),
            pto = t.presentation_time_offset,
        );
        m.push_str("          <SegmentTimeline>\n");
        // Runs of equal durations that follow one another are written once with a repeat.
        let mut k = 0;
        while k < t.segments.len() {
            let s = &t.segments[k];
            let mut r = 0;
            while k + r + 1 < t.segments.len() {
                let n = &t.segments[k + r + 1];
                let p = &t.segments[k + r];
                if n.duration == s.duration && n.start == p.start + p.duration {
                    r += 1;
                } else {
                    break;
                }
            }
            if r > 0 {
                let _ = writeln!(
                    m,
                    r#"            <S t="{}" d="{}" r="{r}"/>"#,
                    s.start, s.duration
                );
            } else {
                let _ = writeln!(m, r#"            <S t="{}" d="{}"/>"#, s.start, s.duration);
            }
            k += r + 1;
        }
        m.push_str("          </SegmentTimeline>\n        </SegmentTemplate>\n      </Representation>\n    </AdaptationSet>\n");
    }
    m.push_str("  </Period>\n</MPD>\n");
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::playback::ServedSegment;

    fn seg(start: u64, duration: u64) -> ServedSegment {
        ServedSegment {
            path: std::path::PathBuf::from("x"),
            range: None,
            start,
            duration,
        }
    }

    #[test]
    fn writes_a_clear_template_per_track_with_repeats_and_escapes() {
        let t = ServedTrack {
            kind: TrackKind::Audio,
            mime_type: "audio/mp4".into(),
            codec: Some("mp4a.40.2".into()),
            bitrate: Some(128_000),
            width: None,
            height: None,
            sample_rate: Some(48_000),
            language: Some("en\"<".into()),
            label: None,
            roles: vec!["main".into()],
            timescale: 48_000,
            presentation_time_offset: 0,
            has_init: true,
            raw_ext: "m4s".into(),
            segments: vec![seg(0, 96_256), seg(96_256, 96_256), seg(192_512, 95_488)],
        };
        let mpd = clear_mpd(&[t], 6.0);
        assert!(mpd.contains(r#"lang="en&quot;&lt;""#), "{mpd}");
        assert!(mpd.contains(r#"<S t="0" d="96256" r="1"/>"#), "{mpd}");
        assert!(mpd.contains(r#"<S t="192512" d="95488"/>"#), "{mpd}");
        assert!(mpd.contains(r#"initialization="0/init.mp4" media="0/$Number$.m4s""#));
        assert!(mpd.contains(r#"mediaPresentationDuration="PT6.000S""#));
        assert!(!mpd.contains("ContentProtection"));
    }
}
