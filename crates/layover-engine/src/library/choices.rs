//! What a link offers before it is downloaded: its video qualities, audio and subtitle
//! languages, each with an estimated size, what Settings would pick, and the free space left.

use layover_manifest::{Presentation, Track, TrackKind};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::Engine;
use crate::error::{Error, Result};
use crate::library::plan::{self, TrackChoice, VideoChoice};
use crate::library::{Title, TitleKind, name_from_url};

/// One video quality a title offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct VideoOption {
    /// What to pass back to pick exactly this one (`<KBPS>k`).
    pub choice: String,
    /// E.g. `1280x720, 2.5 Mbit/s, avc1`.
    pub label: String,
    /// Height in pixels.
    pub height: Option<u32>,
    /// Bits per second.
    #[ts(type = "number | null")]
    pub bitrate: Option<u64>,
    /// Estimated bytes.
    #[ts(type = "number | null")]
    pub bytes: Option<i64>,
}

/// One audio or subtitle language a title offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct LanguageOption {
    /// The language code as the manifest has it (`und` when unlabelled).
    pub language: String,
    /// E.g. `fr-FR, 128 kbit/s`.
    pub label: String,
    /// Estimated bytes.
    #[ts(type = "number | null")]
    pub bytes: Option<i64>,
}

/// Everything the "before downloading" dialog shows.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct LinkChoices {
    /// The link.
    pub url: String,
    /// The name the title will have.
    pub name: String,
    /// How it is delivered.
    pub kind: TitleKind,
    /// Video qualities, best first (empty for a single file).
    pub video: Vec<VideoOption>,
    /// Audio languages (the best rendition of each).
    pub audio: Vec<LanguageOption>,
    /// Subtitle languages.
    pub subtitles: Vec<LanguageOption>,
    /// The `choice` of the video Settings pick.
    pub default_video: Option<String>,
    /// The audio languages Settings pick.
    pub default_audio: Vec<String>,
    /// The subtitle languages picked by default (all).
    pub default_subtitles: Vec<String>,
    /// A single file's size, when the server says.
    #[ts(type = "number | null")]
    pub file_bytes: Option<i64>,
    /// Free space in the download folder.
    #[ts(type = "number | null")]
    pub free_bytes: Option<i64>,
    /// Space kept free beyond a title's size: 10 % of it, at least 50 MB (`margin(size)`).
    /// Given here for 0 bytes; the UI adds 10 % of the chosen size when above 500 MB.
    #[ts(type = "number")]
    pub min_margin_bytes: i64,
    /// The unfinished title already added from this link, if any (downloading it again resumes
    /// it with the new choice).
    pub existing: Option<Title>,
}

/// A choice as the dialog sends it back.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ChoiceInput {
    /// A video `choice` (`best`, `worst`, `720p`, `2500k`); none: Settings.
    #[ts(optional)]
    #[serde(default)]
    pub video: Option<String>,
    /// Audio languages; none: Settings.
    #[ts(optional)]
    #[serde(default)]
    pub audio: Option<Vec<String>>,
    /// Subtitle languages (empty: none); none: every one.
    #[ts(optional)]
    #[serde(default)]
    pub subtitles: Option<Vec<String>>,
}

impl ChoiceInput {
    /// The track choice, Settings' defaults filling what is not given.
    pub fn resolve(&self, defaults: TrackChoice) -> Result<TrackChoice> {
        let video = match &self.video {
            Some(v) => VideoChoice::parse(v).map_err(|reason| Error::InvalidSetting {
                key: "video".into(),
                reason,
            })?,
            None => defaults.video,
        };
        Ok(TrackChoice {
            video,
            audio: self.audio.clone().or(defaults.audio),
            subs: self.subtitles.clone().or(defaults.subs),
        })
    }
}

impl Engine {
    /// Loads a link's presentation and says what can be chosen, each with its size, and the
    /// free space. Nothing is added to the library.
    pub async fn link_choices(&self, url: &str) -> Result<LinkChoices> {
        let url = url.trim();
        let parsed = crate::download::parse_link(url)?;
        let kind = TitleKind::from_url(parsed.path()).ok_or_else(|| Error::UnsupportedLink {
            url: url.to_owned(),
            reason: "it does not end in .mp4, .ismv, .mpd, .m3u8 or /Manifest, so Layover cannot tell what it is".into(),
        })?;
        let dir = self.titles_dir();
        let _ = std::fs::create_dir_all(&dir);
        let free_bytes = fs4::available_space(&dir)
            .ok()
            .and_then(|b| i64::try_from(b).ok());
        let existing = self.store().unfinished_title_by_url(url).await?;
        let defaults = self.default_track_choice().await?;
        let mut out = LinkChoices {
            url: url.to_owned(),
            name: name_from_url(url),
            kind,
            video: Vec::new(),
            audio: Vec::new(),
            subtitles: Vec::new(),
            default_video: None,
            default_audio: Vec::new(),
            default_subtitles: Vec::new(),
            file_bytes: None,
            free_bytes,
            min_margin_bytes: 50_000_000,
            existing,
        };
        if kind == TitleKind::Progressive {
            out.file_bytes = self
                .fetcher()
                .client()
                .head(parsed.as_str())
                .send()
                .await
                .ok()
                .filter(|r| r.status().is_success())
                .and_then(|r| r.content_length())
                .and_then(|b| i64::try_from(b).ok());
            return Ok(out);
        }
        let (presentation, _) =
            crate::manifest::load_presentation(&parsed, self.fetcher().client()).await?;
        fill_choices(&mut out, &presentation, &defaults);
        Ok(out)
    }

    /// Adds a link with what was chosen in the dialog (Settings fill the rest).
    pub async fn add_link_chosen(&self, url: &str, choice: &ChoiceInput) -> Result<Title> {
        let choice = choice.resolve(self.default_track_choice().await?)?;
        self.add_link_with(url, &choice).await
    }
}

fn bytes_of(tracks: &[&Track], p: &Presentation) -> Option<i64> {
    plan::estimate_bytes(tracks, p).and_then(|b| i64::try_from(b).ok())
}

/// The bytes of the video tracks `video` picks, in every period (a title of several periods
/// downloads the same choice in each).
fn video_bytes(p: &Presentation, video: VideoChoice) -> Option<i64> {
    let choice = TrackChoice {
        video,
        audio: None,
        subs: Some(Vec::new()),
    };
    let chosen = plan::choose_tracks(p, &choice).ok()?;
    let videos: Vec<&Track> = chosen
        .into_iter()
        .filter(|t| t.kind == TrackKind::Video)
        .collect();
    bytes_of(&videos, p)
}

fn rate_label(bps: Option<u64>) -> String {
    match bps {
        Some(b) if b >= 1_000_000 => format!("{:.1} Mbit/s", b as f64 / 1e6),
        Some(b) => format!("{} kbit/s", b.div_ceil(1000)),
        None => "bitrate unknown".into(),
    }
}

/// The options are the first period's tracks; each size counts every period (what choosing the
/// option downloads), so the sizes of a choice add up to the title's estimate.
fn fill_choices(out: &mut LinkChoices, p: &Presentation, defaults: &TrackChoice) {
    let first: Vec<&Track> = p.tracks.iter().filter(|t| t.period == 0).collect();
    let mut videos: Vec<&Track> = first
        .iter()
        .copied()
        .filter(|t| t.kind == TrackKind::Video)
        .collect();
    videos.sort_by_key(|t| std::cmp::Reverse(t.bitrate.unwrap_or(0)));
    for t in &videos {
        let size = match (t.width, t.height) {
            (Some(w), Some(h)) => format!("{w}x{h}, "),
            (None, Some(h)) => format!("{h}p, "),
            _ => String::new(),
        };
        let codec = t
            .codec
            .as_deref()
            .map(|c| format!(", {}", c.split('.').next().unwrap_or(c)))
            .unwrap_or_default();
        let (choice, video) = match t.bitrate {
            Some(b) => (
                format!("{}k", b.div_ceil(1000)),
                VideoChoice::MaxKbps(b.div_ceil(1000)),
            ),
            None => ("best".into(), VideoChoice::Best),
        };
        out.video.push(VideoOption {
            choice,
            label: format!("{size}{}{codec}", rate_label(t.bitrate)),
            height: t.height,
            bitrate: t.bitrate,
            bytes: video_bytes(p, video),
        });
    }
    // What Settings would pick, by the same rules the download uses.
    let everything = TrackChoice {
        video: defaults.video,
        audio: None,
        subs: None,
    };
    if let Ok(chosen) = plan::choose_tracks(p, &everything) {
        out.default_video = chosen
            .iter()
            .find(|t| t.kind == TrackKind::Video)
            .and_then(|v| {
                videos
                    .iter()
                    .position(|t| std::ptr::eq(*t, *v))
                    .and_then(|i| out.video.get(i))
            })
            .map(|o| o.choice.clone());
        for t in chosen.iter().filter(|t| t.kind == TrackKind::Audio) {
            let language = t.language.clone().unwrap_or_else(|| "und".into());
            let bytes = bytes_of(&[t], p);
            match out.audio.iter_mut().find(|a| a.language == language) {
                // The same language in a later period.
                Some(a) => a.bytes = a.bytes.zip(bytes).map(|(a, b)| a + b),
                None => out.audio.push(LanguageOption {
                    label: format!("{language}, {}", rate_label(t.bitrate)),
                    bytes,
                    language,
                }),
            }
        }
    }
    let mut subs: Vec<LanguageOption> = Vec::new();
    for t in p.tracks.iter().filter(|t| t.kind == TrackKind::Text) {
        let language = t.language.clone().unwrap_or_else(|| "und".into());
        let bytes = bytes_of(&[t], p);
        match subs.iter_mut().find(|s| s.language == language) {
            Some(s) => s.bytes = s.bytes.zip(bytes).map(|(a, b)| a + b),
            None => subs.push(LanguageOption {
                label: language.clone(),
                language,
                bytes,
            }),
        }
    }
    out.subtitles = subs;
    out.default_audio = match &defaults.audio {
        None => out.audio.iter().map(|a| a.language.clone()).collect(),
        Some(wanted) => {
            let picked: Vec<String> = out
                .audio
                .iter()
                .filter(|a| {
                    wanted
                        .iter()
                        .any(|w| plan::lang_matches(Some(&a.language), w))
                })
                .map(|a| a.language.clone())
                .collect();
            // Settings' languages are not offered: every language, as the download would
            // refuse otherwise.
            if picked.is_empty() {
                out.audio.iter().map(|a| a.language.clone()).collect()
            } else {
                picked
            }
        }
    };
    out.default_subtitles = out.subtitles.iter().map(|s| s.language.clone()).collect();
}

#[cfg(test)]
mod tests {
    use super::*;

    const MPD: &str = r#"<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT4S">
      <Period>
        <AdaptationSet contentType="video" mimeType="video/mp4" codecs="avc1.64001f">
          <SegmentTemplate timescale="1" duration="2" initialization="$RepresentationID$/i.mp4" media="$RepresentationID$/$Number$.m4s"/>
          <Representation id="v360" bandwidth="400000" width="640" height="360"/>
          <Representation id="v1080" bandwidth="3000000" width="1920" height="1080"/>
          <Representation id="v2160" bandwidth="8000000" width="3840" height="2160"/>
        </AdaptationSet>
        <AdaptationSet contentType="audio" mimeType="audio/mp4" codecs="mp4a.40.2" lang="en">
          <SegmentTemplate timescale="1" duration="2" initialization="$RepresentationID$/i.mp4" media="$RepresentationID$/$Number$.m4s"/>
          <Representation id="en128" bandwidth="128000"/>
        </AdaptationSet>
        <AdaptationSet contentType="audio" mimeType="audio/mp4" codecs="mp4a.40.2" lang="fr">
          <SegmentTemplate timescale="1" duration="2" initialization="$RepresentationID$/i.mp4" media="$RepresentationID$/$Number$.m4s"/>
          <Representation id="fr96" bandwidth="96000"/>
        </AdaptationSet>
        <AdaptationSet contentType="text" mimeType="application/mp4" codecs="wvtt" lang="de">
          <SegmentTemplate timescale="1" duration="2" initialization="$RepresentationID$/i.mp4" media="$RepresentationID$/$Number$.m4s"/>
          <Representation id="subs-de" bandwidth="1000"/>
        </AdaptationSet>
      </Period>
    </MPD>"#;

    fn choices(defaults: TrackChoice) -> LinkChoices {
        let base = url::Url::parse("https://cdn.example/t/manifest.mpd").expect("url");
        let p = layover_manifest::parse(MPD.as_bytes(), &base).expect("parses");
        let mut out = LinkChoices {
            url: base.to_string(),
            name: "t".into(),
            kind: TitleKind::Dash,
            video: Vec::new(),
            audio: Vec::new(),
            subtitles: Vec::new(),
            default_video: None,
            default_audio: Vec::new(),
            default_subtitles: Vec::new(),
            file_bytes: None,
            free_bytes: None,
            min_margin_bytes: 0,
            existing: None,
        };
        fill_choices(&mut out, &p, &defaults);
        out
    }

    #[test]
    fn every_quality_and_language_with_its_size_and_the_defaults() {
        let c = choices(TrackChoice::default());
        let labels: Vec<&str> = c.video.iter().map(|v| v.label.as_str()).collect();
        assert_eq!(
            labels,
            [
                "3840x2160, 8.0 Mbit/s, avc1",
                "1920x1080, 3.0 Mbit/s, avc1",
                "640x360, 400 kbit/s, avc1"
            ]
        );
        // 3 Mbit/s for 4 s.
        assert_eq!(c.video[1].bytes, Some(1_500_000));
        assert_eq!(c.default_video.as_deref(), Some("3000k"));
        assert_eq!(c.default_audio, ["en", "fr"]);
        assert_eq!(c.audio[0].bytes, Some(64_000));
        assert_eq!(c.subtitles.len(), 1);
        assert_eq!(c.default_subtitles, ["de"]);
        // Each option's `choice` picks exactly it.
        let worst = VideoChoice::parse(&c.video[2].choice).expect("parses");
        assert_eq!(worst, VideoChoice::MaxKbps(400));
    }

    #[test]
    fn settings_languages_preselect_audio() {
        let c = choices(TrackChoice {
            audio: Some(vec!["fr".into()]),
            ..TrackChoice::default()
        });
        assert_eq!(c.default_audio, ["fr"]);
        let input = ChoiceInput {
            video: Some("400k".into()),
            audio: None,
            subtitles: Some(vec![]),
        };
        let resolved = input
            .resolve(TrackChoice {
                audio: Some(vec!["fr".into()]),
                ..TrackChoice::default()
            })
            .expect("valid");
        assert_eq!(resolved.video, VideoChoice::MaxKbps(400));
        assert_eq!(resolved.audio, Some(vec!["fr".to_owned()]));
        assert_eq!(resolved.subs, Some(vec![]));
        assert!(
            ChoiceInput {
                video: Some("huge".into()),
                ..ChoiceInput::default()
            }
            .resolve(TrackChoice::default())
            .is_err()
        );
    }
}
