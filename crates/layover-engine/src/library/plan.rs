//! Which tracks of a streaming title to download, and which files that means.
//!
//! Defaults until the quality/language choice arrives: the best video up to 1080p, the best
//! audio per language, every text track, the same choice made in every period (a DASH title of
//! several periods downloads them all).

use layover_manifest::{Presentation, Track, TrackKind};

use crate::net::sanitize_component;

pub mod hls_local;

/// Video above this height is skipped when a smaller one exists (Settings will make it a choice).
pub const DEFAULT_MAX_HEIGHT: u32 = 1080;

/// One file to fetch for a title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedFile {
    /// Path inside the title's folder (sanitised components).
    pub rel_path: String,
    /// Where it comes from.
    pub url: String,
    /// Byte range of the resource (inclusive), for segments that are parts of one file.
    pub range: Option<(u64, u64)>,
}

/// Which video to take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VideoChoice {
    /// The highest bitrate.
    Best,
    /// The lowest bitrate (smallest download).
    Worst,
    /// The best whose height is at most this (the default, from Settings: 1080).
    MaxHeight(u32),
    /// The best whose bitrate is at most this many kbit/s.
    MaxKbps(u64),
}

impl VideoChoice {
    /// `best`, `worst`, `720p`, `2500k`.
    pub fn parse(s: &str) -> Result<Self, String> {
        let s = s.trim().to_ascii_lowercase();
        let num = |t: &str| t.parse::<u64>().ok().filter(|n| *n > 0);
        match s.as_str() {
            "best" => Ok(Self::Best),
            "worst" => Ok(Self::Worst),
            _ if s.ends_with('p') => num(&s[..s.len() - 1])
                .and_then(|h| u32::try_from(h).ok())
                .map(Self::MaxHeight)
                .ok_or_else(|| format!("`{s}` is not a height; use e.g. 720p")),
            _ if s.ends_with('k') => num(&s[..s.len() - 1])
                .map(Self::MaxKbps)
                .ok_or_else(|| format!("`{s}` is not a bitrate; use e.g. 2500k")),
            _ => Err(format!(
                "`{s}` is not a video choice; use best, worst, <HEIGHT>p or <KBPS>k"
            )),
        }
    }
}

/// What to download of a title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackChoice {
    /// Video quality.
    pub video: VideoChoice,
    /// Audio languages to keep (best of each); `None`: every language.
    pub audio: Option<Vec<String>>,
    /// Subtitle languages to keep; `None`: every subtitle track; empty: none.
    pub subs: Option<Vec<String>>,
}

impl Default for TrackChoice {
    fn default() -> Self {
        Self {
            video: VideoChoice::MaxHeight(DEFAULT_MAX_HEIGHT),
            audio: None,
            subs: None,
        }
    }
}

/// Whether a track's language is the one wanted (`en` also matches `en-US` and `eng`).
pub fn lang_matches(track: Option<&str>, wanted: &str) -> bool {
    // `en` matches `en`, `en-US` and `eng`-style codes that start with it.
    track.is_some_and(|l| {
        let l = l.to_ascii_lowercase();
        let w = wanted.to_ascii_lowercase();
        l == w
            || l.starts_with(&format!("{w}-"))
            || (w.len() == 2 && l.len() == 3 && l.starts_with(&w))
    })
}

/// The tracks to download: the choice made in each period in turn (period order, then video,
/// audio, text); an error names what is available when the choice matches nothing.
pub fn choose_tracks<'p>(
    p: &'p Presentation,
    choice: &TrackChoice,
) -> Result<Vec<&'p Track>, String> {
    let periods = p.tracks.iter().map(|t| t.period).max().map_or(0, |m| m + 1);
    let mut chosen = Vec::new();
    for period in 0..periods {
        let tracks: Vec<&Track> = p.tracks.iter().filter(|t| t.period == period).collect();
        chosen.extend(choose_in_period(&tracks, choice)?);
    }
    Ok(chosen)
}

/// [`choose_tracks`] within one period's tracks.
fn choose_in_period<'p>(
    period_tracks: &[&'p Track],
    choice: &TrackChoice,
) -> Result<Vec<&'p Track>, String> {
    let mut chosen = Vec::new();
    let videos: Vec<&Track> = period_tracks
        .iter()
        .copied()
        .filter(|t| t.kind == TrackKind::Video)
        .collect();
    let rate = |t: &&Track| t.bitrate.unwrap_or(0);
    let video = match choice.video {
        VideoChoice::Best => videos.iter().copied().max_by_key(rate),
        VideoChoice::Worst => videos.iter().copied().min_by_key(rate),
        VideoChoice::MaxHeight(h) => videos
            .iter()
            .copied()
            .filter(|t| t.height.is_none_or(|th| th <= h))
            .max_by_key(rate)
            .or_else(|| {
                videos
                    .iter()
                    .copied()
                    .min_by_key(|t| t.height.unwrap_or(u32::MAX))
            }),
        VideoChoice::MaxKbps(k) => videos
            .iter()
            .copied()
            .filter(|t| t.bitrate.is_none_or(|b| b <= k * 1000))
            .max_by_key(rate)
            .or_else(|| videos.iter().copied().min_by_key(rate)),
    };
    chosen.extend(video);

    let audio: Vec<&Track> = period_tracks
        .iter()
        .copied()
        .filter(|t| t.kind == TrackKind::Audio)
        .collect();
    let mut languages: Vec<Option<&str>> = Vec::new();
    for t in &audio {
        if !languages.contains(&t.language.as_deref()) {
            languages.push(t.language.as_deref());
        }
    }
    if let Some(wanted) = &choice.audio {
        let available = languages.clone();
        languages.retain(|l| wanted.iter().any(|w| lang_matches(*l, w)));
        if languages.is_empty() && !audio.is_empty() {
            return Err(format!(
                "no audio in {}; this title has {}",
                wanted.join(", "),
                available
                    .iter()
                    .map(|l| l.unwrap_or("unlabelled"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    for lang in languages {
        chosen.extend(
            audio
                .iter()
                .copied()
                .filter(|t| t.language.as_deref() == lang)
                .max_by_key(rate),
        );
    }

    let text = period_tracks
        .iter()
        .copied()
        .filter(|t| t.kind == TrackKind::Text);
    match &choice.subs {
        None => chosen.extend(text),
        Some(wanted) => chosen.extend(text.filter(|t| {
            wanted
                .iter()
                .any(|w| lang_matches(t.language.as_deref(), w))
        })),
    }
    Ok(chosen)
}

/// The files of the chosen tracks, each track in a folder of its own.
pub fn plan_files(tracks: &[&Track]) -> Vec<PlannedFile> {
    tracks
        .iter()
        .enumerate()
        .flat_map(|(n, t)| plan_track(n, t).into_files())
        .collect()
}

/// One chosen track's files: its folder, and either one whole file (DASH SegmentBase) or its
/// init segment and media segments in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackFiles {
    /// `NN-<kind>-<track id>`, sanitised.
    pub dir: String,
    /// The one file of a SegmentBase track (fetched whole; its sidx lists the segments).
    pub whole: Option<PlannedFile>,
    /// The init segment.
    pub init: Option<PlannedFile>,
    /// Further init segments, in the order the segments first need them (an HLS playlist that
    /// switches `EXT-X-MAP` mid-way): `init2-<name>`, `init3-<name>`...
    pub extra_inits: Vec<PlannedFile>,
    /// The media segments, in presentation order.
    pub segments: Vec<PlannedFile>,
}

impl TrackFiles {
    fn into_files(self) -> Vec<PlannedFile> {
        self.whole
            .into_iter()
            .chain(self.init)
            .chain(self.extra_inits)
            .chain(self.segments)
            .collect()
    }
}

/// The files of the `n`th chosen track.
pub fn plan_track(n: usize, t: &Track) -> TrackFiles {
    let kind = match t.kind {
        TrackKind::Video => "video",
        TrackKind::Audio => "audio",
        TrackKind::Text => "text",
        _ => "other",
    };
    let dir = format!("{n:02}-{kind}-{}", sanitize_component(&t.id));
    let name = |url: &url::Url| {
        let last = url
            .path_segments()
            .and_then(|mut s| s.next_back())
            .unwrap_or("file");
        sanitize_component(if last.is_empty() { "file" } else { last })
    };
    // SegmentBase (one file per track, indexed by its sidx): fetch the file whole.
    let single_file = t.index.is_some()
        && t.segments
            .iter()
            .chain(t.init.iter())
            .all(|s| Some(&s.url) == t.index.as_ref().map(|i| &i.url));
    if single_file && let Some(index) = &t.index {
        return TrackFiles {
            whole: Some(PlannedFile {
                rel_path: format!("{dir}/{}", name(&index.url)),
                url: index.url.to_string(),
                range: None,
            }),
            dir,
            init: None,
            extra_inits: Vec::new(),
            segments: Vec::new(),
        };
    }
    let init = t.init.as_ref().map(|init| PlannedFile {
        rel_path: format!("{dir}/init-{}", name(&init.url)),
        url: init.url.to_string(),
        range: init.byte_range,
    });
    let mut extra_inits: Vec<PlannedFile> = Vec::new();
    for own in t.segments.iter().filter_map(|s| s.init.as_deref()) {
        let (url, range) = (own.url.to_string(), own.byte_range);
        let known = |f: &PlannedFile| f.url == url && f.range == range;
        if !init.iter().chain(&extra_inits).any(known) {
            extra_inits.push(PlannedFile {
                rel_path: format!("{dir}/init{}-{}", extra_inits.len() + 2, name(&own.url)),
                url,
                range,
            });
        }
    }
    let segments = t
        .segments
        .iter()
        .enumerate()
        .map(|(i, s)| PlannedFile {
            rel_path: format!("{dir}/{:06}-{}", i + 1, name(&s.url)),
            url: s.url.to_string(),
            range: s.byte_range,
        })
        .collect();
    TrackFiles {
        dir,
        whole: None,
        init,
        extra_inits,
        segments,
    }
}

/// Bytes the chosen tracks should take, from their bitrates and durations (an estimate). A
/// track whose segments are not listed yet (SegmentBase, before its sidx is read) counts its
/// period's duration (the presentation's, when the period does not say).
pub fn estimate_bytes(tracks: &[&Track], p: &Presentation) -> Option<u64> {
    let mut total = 0u64;
    for t in tracks {
        let listed =
            t.segments.iter().map(|s| s.duration).sum::<u64>() as f64 / t.timescale.max(1) as f64;
        let secs = if listed > 0.0 {
            listed
        } else {
            p.periods
                .get(t.period)
                .and_then(|period| period.duration)
                .or(p.duration)?
        };
        total = total.saturating_add((t.bitrate? as f64 / 8.0 * secs) as u64);
    }
    Some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MPD: &str = r#"<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT4S">
      <Period>
        <AdaptationSet contentType="video" mimeType="video/mp4" codecs="avc1.64001f">
          <SegmentTemplate timescale="1" duration="2" initialization="$RepresentationID$/i.mp4" media="$RepresentationID$/$Number$.m4s"/>
          <Representation id="v360" bandwidth="400000" width="640" height="360"/>
          <Representation id="v720" bandwidth="1500000" width="1280" height="720"/>
          <Representation id="v1080" bandwidth="3000000" width="1920" height="1080"/>
          <Representation id="v2160" bandwidth="8000000" width="3840" height="2160"/>
        </AdaptationSet>
        <AdaptationSet contentType="audio" mimeType="audio/mp4" codecs="mp4a.40.2" lang="en">
          <SegmentTemplate timescale="1" duration="2" initialization="$RepresentationID$/i.mp4" media="$RepresentationID$/$Number$.m4s"/>
          <Representation id="en64" bandwidth="64000"/>
          <Representation id="en128" bandwidth="128000"/>
        </AdaptationSet>
        <AdaptationSet contentType="audio" mimeType="audio/mp4" codecs="mp4a.40.2" lang="fr-FR">
          <SegmentTemplate timescale="1" duration="2" initialization="$RepresentationID$/i.mp4" media="$RepresentationID$/$Number$.m4s"/>
          <Representation id="fr96" bandwidth="96000"/>
        </AdaptationSet>
        <AdaptationSet contentType="text" mimeType="application/mp4" codecs="wvtt" lang="de">
          <SegmentTemplate timescale="1" duration="2" initialization="$RepresentationID$/i.mp4" media="$RepresentationID$/$Number$.m4s"/>
          <Representation id="subs-de" bandwidth="1000"/>
        </AdaptationSet>
      </Period>
    </MPD>"#;

    fn ids(choice: &TrackChoice) -> Result<Vec<String>, String> {
        let base = url::Url::parse("https://cdn.example/t/manifest.mpd").expect("url");
        let p = layover_manifest::parse(MPD.as_bytes(), &base).expect("parses");
        Ok(choose_tracks(&p, choice)?
            .iter()
            .map(|t| t.id.clone())
            .collect())
    }

    fn with_video(video: VideoChoice) -> TrackChoice {
        TrackChoice {
            video,
            ..TrackChoice::default()
        }
    }

    #[test]
    fn defaults_take_1080p_the_best_audio_per_language_and_every_subtitle() {
        assert_eq!(
            ids(&TrackChoice::default()),
            Ok(vec![
                "v1080".into(),
                "en128".into(),
                "fr96".into(),
                "subs-de".into()
            ])
        );
    }

    #[test]
    fn video_choices() {
        let first = |v| ids(&with_video(v)).map(|ids| ids[0].clone());
        assert_eq!(first(VideoChoice::Best), Ok("v2160".into()));
        assert_eq!(first(VideoChoice::Worst), Ok("v360".into()));
        assert_eq!(first(VideoChoice::MaxHeight(720)), Ok("v720".into()));
        assert_eq!(
            first(VideoChoice::MaxHeight(100)),
            Ok("v360".into()),
            "nothing fits: the smallest"
        );
        assert_eq!(first(VideoChoice::MaxKbps(2000)), Ok("v720".into()));
        assert_eq!(VideoChoice::parse("720p"), Ok(VideoChoice::MaxHeight(720)));
        assert_eq!(VideoChoice::parse("2500k"), Ok(VideoChoice::MaxKbps(2500)));
        assert_eq!(VideoChoice::parse("BEST"), Ok(VideoChoice::Best));
        assert!(VideoChoice::parse("huge").is_err_and(|e| e.contains("<HEIGHT>p")));
        assert!(VideoChoice::parse("0p").is_err());
    }

    #[test]
    fn language_choices() {
        let audio = |langs: &[&str]| TrackChoice {
            audio: Some(langs.iter().map(|s| (*s).to_owned()).collect()),
            ..TrackChoice::default()
        };
        assert_eq!(
            ids(&audio(&["fr"])),
            Ok(vec!["v1080".into(), "fr96".into(), "subs-de".into()])
        );
        assert!(
            ids(&audio(&["es"]))
                .is_err_and(|e| e.contains("no audio in es") && e.contains("en, fr-FR"))
        );
        let subs = |langs: &[&str]| TrackChoice {
            subs: Some(langs.iter().map(|s| (*s).to_owned()).collect()),
            ..TrackChoice::default()
        };
        assert_eq!(ids(&subs(&[])).map(|v| v.len()), Ok(3), "no subtitles");
        assert!(ids(&subs(&["de"])).is_ok_and(|v| v.contains(&"subs-de".to_owned())));
    }
}
