//! User settings: typed in Rust and TypeScript, stored as key -> JSON rows.
//!
//! Every key has a default, so a fresh database needs no rows. A stored value this build cannot
//! read (written by hand, or by a newer build) falls back to the default with a warning in the
//! log, and the row is left as it is, so nothing the user set is lost.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};

/// The app's colour theme.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Theme {
    /// Follow the operating system's light/dark preference.
    #[default]
    System,
    /// Always light.
    Light,
    /// Always dark.
    Dark,
}

/// All settings, with defaults filled in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Settings {
    /// Colour theme.
    pub theme: Theme,
    /// Video quality for new downloads: `best`, `worst`, `<HEIGHT>p` or `<KBPS>k`.
    pub video_quality: String,
    /// Audio languages for new downloads (best rendition of each); empty: every language.
    pub audio_languages: Vec<String>,
    /// Titles downloading at once (1 to 8).
    pub parallel_downloads: u32,
    /// Files (segments) fetched at once per title (1 to 16).
    pub parallel_segments: u32,
    /// Bandwidth limit for all downloads together, in kbit/s; 0: unlimited.
    #[ts(type = "number")]
    pub bandwidth_limit_kbps: u64,
    /// Renew persistent licenses this many days before they expire, when online (1 to 30).
    pub renew_window_days: u32,
    /// Desktop notifications for finished downloads, failures and licenses about to expire.
    pub notifications: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            theme: Theme::System,
            video_quality: "1080p".into(),
            audio_languages: Vec::new(),
            parallel_downloads: DEFAULT_PARALLEL_DOWNLOADS,
            parallel_segments: DEFAULT_PARALLEL_SEGMENTS,
            bandwidth_limit_kbps: 0,
            renew_window_days: DEFAULT_RENEW_WINDOW_DAYS,
            notifications: true,
        }
    }
}

/// Days before expiry that persistent licenses are renewed unless Settings say otherwise.
pub const DEFAULT_RENEW_WINDOW_DAYS: u32 = 3;
/// The range `renew_window_days` accepts.
pub const RENEW_WINDOW_RANGE: std::ops::RangeInclusive<u32> = 1..=30;

/// Titles downloading at once unless Settings say otherwise.
pub const DEFAULT_PARALLEL_DOWNLOADS: u32 = 2;
/// Files fetched at once per title unless Settings say otherwise.
pub const DEFAULT_PARALLEL_SEGMENTS: u32 = 6;
/// The range `parallel_downloads` accepts.
pub const PARALLEL_DOWNLOADS_RANGE: std::ops::RangeInclusive<u32> = 1..=8;
/// The range `parallel_segments` accepts.
pub const PARALLEL_SEGMENTS_RANGE: std::ops::RangeInclusive<u32> = 1..=16;

/// A change to some settings; `None` leaves a setting as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SettingsPatch {
    /// New colour theme.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub theme: Option<Theme>,
    /// New video quality (validated).
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub video_quality: Option<String>,
    /// New audio languages.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audio_languages: Option<Vec<String>>,
    /// New number of titles downloading at once.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parallel_downloads: Option<u32>,
    /// New number of files fetched at once per title.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parallel_segments: Option<u32>,
    /// New bandwidth limit in kbit/s (0: unlimited).
    #[ts(optional, type = "number")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bandwidth_limit_kbps: Option<u64>,
    /// New renew window in days.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renew_window_days: Option<u32>,
    /// Notifications on or off.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notifications: Option<bool>,
}

/// The names of the settings, as stored and as typed on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettingKey {
    /// `theme`: `system`, `light` or `dark`.
    Theme,
    /// `video_quality`: `best`, `worst`, `720p`, `2500k`.
    VideoQuality,
    /// `audio_languages`: `en,fr`.
    AudioLanguages,
    /// `parallel_downloads`: 1 to 8.
    ParallelDownloads,
    /// `parallel_segments`: 1 to 16.
    ParallelSegments,
    /// `bandwidth_limit_kbps`: kbit/s, 0 for unlimited.
    BandwidthLimitKbps,
    /// `renew_window_days`: 1 to 30.
    RenewWindowDays,
    /// `notifications`: on or off.
    Notifications,
}

impl SettingKey {
    /// Every key, in display order.
    pub const ALL: [SettingKey; 8] = [
        SettingKey::Theme,
        SettingKey::VideoQuality,
        SettingKey::AudioLanguages,
        SettingKey::ParallelDownloads,
        SettingKey::ParallelSegments,
        SettingKey::BandwidthLimitKbps,
        SettingKey::RenewWindowDays,
        SettingKey::Notifications,
    ];

    /// The stored and typed name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Theme => "theme",
            Self::VideoQuality => "video_quality",
            Self::AudioLanguages => "audio_languages",
            Self::ParallelDownloads => "parallel_downloads",
            Self::ParallelSegments => "parallel_segments",
            Self::BandwidthLimitKbps => "bandwidth_limit_kbps",
            Self::RenewWindowDays => "renew_window_days",
            Self::Notifications => "notifications",
        }
    }

    /// The names of all keys.
    pub fn names() -> Vec<&'static str> {
        Self::ALL.iter().map(|k| k.as_str()).collect()
    }

    /// Looks a key up by name.
    pub fn parse(name: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == name)
            .ok_or_else(|| Error::UnknownSetting(name.to_owned()))
    }

    /// What values are accepted, for error messages and `--help`.
    pub fn accepted(self) -> &'static str {
        match self {
            Self::Theme => "one of system, light, dark",
            Self::VideoQuality => "best, worst, <HEIGHT>p (e.g. 720p) or <KBPS>k (e.g. 2500k)",
            Self::AudioLanguages => {
                "comma-separated language codes (e.g. en,fr), or empty for every language"
            }
            Self::ParallelDownloads => "a whole number from 1 to 8",
            Self::ParallelSegments => "a whole number from 1 to 16",
            Self::BandwidthLimitKbps => "kbit/s as a whole number, 0 for unlimited (e.g. 8000)",
            Self::RenewWindowDays => "a whole number of days from 1 to 30",
            Self::Notifications => "on or off",
        }
    }
}

impl Settings {
    /// Builds settings from stored `(key, json)` rows; unknown keys and unreadable values are
    /// skipped (the caller logs them) and leave the default in place.
    pub(crate) fn from_rows<'a>(
        rows: impl IntoIterator<Item = (&'a str, &'a str)>,
        mut on_unreadable: impl FnMut(&str, &str),
    ) -> Self {
        let mut s = Settings::default();
        for (key, json) in rows {
            let applied = match SettingKey::parse(key) {
                Ok(SettingKey::Theme) => serde_json::from_str(json).map(|v| s.theme = v).is_ok(),
                Ok(SettingKey::VideoQuality) => serde_json::from_str::<String>(json)
                    .ok()
                    .filter(|v| crate::library::plan::VideoChoice::parse(v).is_ok())
                    .map(|v| s.video_quality = v)
                    .is_some(),
                Ok(SettingKey::AudioLanguages) => serde_json::from_str(json)
                    .map(|v| s.audio_languages = v)
                    .is_ok(),
                Ok(SettingKey::ParallelDownloads) => serde_json::from_str::<u32>(json)
                    .ok()
                    .filter(|v| PARALLEL_DOWNLOADS_RANGE.contains(v))
                    .map(|v| s.parallel_downloads = v)
                    .is_some(),
                Ok(SettingKey::ParallelSegments) => serde_json::from_str::<u32>(json)
                    .ok()
                    .filter(|v| PARALLEL_SEGMENTS_RANGE.contains(v))
                    .map(|v| s.parallel_segments = v)
                    .is_some(),
                Ok(SettingKey::BandwidthLimitKbps) => serde_json::from_str(json)
                    .map(|v| s.bandwidth_limit_kbps = v)
                    .is_ok(),
                Ok(SettingKey::RenewWindowDays) => serde_json::from_str::<u32>(json)
                    .ok()
                    .filter(|v| RENEW_WINDOW_RANGE.contains(v))
                    .map(|v| s.renew_window_days = v)
                    .is_some(),
                Ok(SettingKey::Notifications) => serde_json::from_str(json)
                    .map(|v| s.notifications = v)
                    .is_ok(),
                Err(_) => true, // a newer build's setting: keep the row, ignore it here
            };
            if !applied {
                on_unreadable(key, json);
            }
        }
        s
    }

    /// The patch's values as `(key, json)` rows to store.
    pub(crate) fn patch_rows(patch: &SettingsPatch) -> Vec<(SettingKey, String)> {
        let mut rows = Vec::new();
        if let Some(theme) = patch.theme {
            rows.push((SettingKey::Theme, json_of(&theme)));
        }
        if let Some(q) = &patch.video_quality {
            rows.push((SettingKey::VideoQuality, json_of(q)));
        }
        if let Some(langs) = &patch.audio_languages {
            rows.push((SettingKey::AudioLanguages, json_of(langs)));
        }
        if let Some(n) = patch.parallel_downloads {
            rows.push((SettingKey::ParallelDownloads, json_of(&n)));
        }
        if let Some(n) = patch.parallel_segments {
            rows.push((SettingKey::ParallelSegments, json_of(&n)));
        }
        if let Some(n) = patch.bandwidth_limit_kbps {
            rows.push((SettingKey::BandwidthLimitKbps, json_of(&n)));
        }
        if let Some(n) = patch.renew_window_days {
            rows.push((SettingKey::RenewWindowDays, json_of(&n)));
        }
        if let Some(on) = patch.notifications {
            rows.push((SettingKey::Notifications, json_of(&on)));
        }
        rows
    }

    /// The value of one setting as text (what `layover settings get` prints).
    pub fn get_text(&self, key: SettingKey) -> String {
        match key {
            SettingKey::Theme => text_of(&self.theme),
            SettingKey::VideoQuality => self.video_quality.clone(),
            SettingKey::AudioLanguages => self.audio_languages.join(","),
            SettingKey::ParallelDownloads => self.parallel_downloads.to_string(),
            SettingKey::ParallelSegments => self.parallel_segments.to_string(),
            SettingKey::BandwidthLimitKbps => self.bandwidth_limit_kbps.to_string(),
            SettingKey::RenewWindowDays => self.renew_window_days.to_string(),
            SettingKey::Notifications => if self.notifications { "on" } else { "off" }.into(),
        }
    }
}

impl SettingsPatch {
    /// Refuses values of the wrong shape (a patch may come from the UI as JSON).
    pub fn validate(&self) -> Result<()> {
        if let Some(q) = &self.video_quality {
            Self::from_text(SettingKey::VideoQuality, q)?;
        }
        if let Some(langs) = &self.audio_languages {
            Self::from_text(SettingKey::AudioLanguages, &langs.join(","))?;
        }
        if let Some(n) = self.parallel_downloads {
            Self::from_text(SettingKey::ParallelDownloads, &n.to_string())?;
        }
        if let Some(n) = self.parallel_segments {
            Self::from_text(SettingKey::ParallelSegments, &n.to_string())?;
        }
        if let Some(n) = self.renew_window_days {
            Self::from_text(SettingKey::RenewWindowDays, &n.to_string())?;
        }
        Ok(())
    }

    /// A patch setting one key from its text form (`layover settings set theme dark`).
    pub fn from_text(key: SettingKey, value: &str) -> Result<Self> {
        let invalid = || Error::InvalidSetting {
            key: key.as_str().to_owned(),
            reason: format!("`{value}` is not accepted; use {}", key.accepted()),
        };
        match key {
            SettingKey::Theme => {
                let theme = serde_json::from_value(serde_json::Value::String(value.trim().into()))
                    .map_err(|_| invalid())?;
                Ok(Self {
                    theme: Some(theme),
                    ..Self::default()
                })
            }
            SettingKey::VideoQuality => {
                let v = value.trim().to_ascii_lowercase();
                crate::library::plan::VideoChoice::parse(&v).map_err(|_| invalid())?;
                Ok(Self {
                    video_quality: Some(v),
                    ..Self::default()
                })
            }
            SettingKey::AudioLanguages => {
                let langs: Vec<String> = value
                    .split(',')
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(str::to_owned)
                    .collect();
                if langs
                    .iter()
                    .any(|l| !l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
                {
                    return Err(invalid());
                }
                Ok(Self {
                    audio_languages: Some(langs),
                    ..Self::default()
                })
            }
            SettingKey::ParallelDownloads => {
                let n: u32 = value.trim().parse().map_err(|_| invalid())?;
                if !PARALLEL_DOWNLOADS_RANGE.contains(&n) {
                    return Err(invalid());
                }
                Ok(Self {
                    parallel_downloads: Some(n),
                    ..Self::default()
                })
            }
            SettingKey::ParallelSegments => {
                let n: u32 = value.trim().parse().map_err(|_| invalid())?;
                if !PARALLEL_SEGMENTS_RANGE.contains(&n) {
                    return Err(invalid());
                }
                Ok(Self {
                    parallel_segments: Some(n),
                    ..Self::default()
                })
            }
            SettingKey::BandwidthLimitKbps => {
                let n: u64 = value.trim().parse().map_err(|_| invalid())?;
                Ok(Self {
                    bandwidth_limit_kbps: Some(n),
                    ..Self::default()
                })
            }
            SettingKey::RenewWindowDays => {
                let n: u32 = value.trim().parse().map_err(|_| invalid())?;
                if !RENEW_WINDOW_RANGE.contains(&n) {
                    return Err(invalid());
                }
                Ok(Self {
                    renew_window_days: Some(n),
                    ..Self::default()
                })
            }
            SettingKey::Notifications => {
                let on = match value.trim().to_ascii_lowercase().as_str() {
                    "on" | "true" | "yes" | "1" => true,
                    "off" | "false" | "no" | "0" => false,
                    _ => return Err(invalid()),
                };
                Ok(Self {
                    notifications: Some(on),
                    ..Self::default()
                })
            }
        }
    }
}

fn json_of<T: Serialize>(v: &T) -> String {
    // Plain enums and structs of them always serialise.
    serde_json::to_string(v).unwrap_or_else(|_| "null".into())
}

fn text_of<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_without_rows() {
        assert_eq!(
            Settings::from_rows([], |_, _| {}),
            Settings {
                theme: Theme::System,
                video_quality: "1080p".into(),
                audio_languages: Vec::new(),
                parallel_downloads: 2,
                parallel_segments: 6,
                bandwidth_limit_kbps: 0,
                renew_window_days: 3,
                notifications: true,
            }
        );
    }

    #[test]
    fn license_settings_are_bounded_and_read_back() {
        let p = SettingsPatch::from_text(SettingKey::RenewWindowDays, "7").expect("valid");
        assert_eq!(p.renew_window_days, Some(7));
        assert!(SettingsPatch::from_text(SettingKey::RenewWindowDays, "0").is_err());
        assert!(SettingsPatch::from_text(SettingKey::RenewWindowDays, "31").is_err());
        let off = SettingsPatch::from_text(SettingKey::Notifications, "Off").expect("valid");
        assert_eq!(off.notifications, Some(false));
        assert!(SettingsPatch::from_text(SettingKey::Notifications, "maybe").is_err());
        let s = Settings::from_rows(
            [("renew_window_days", "10"), ("notifications", "false")],
            |_, _| panic!("readable"),
        );
        assert_eq!((s.renew_window_days, s.notifications), (10, false));
        assert_eq!(s.get_text(SettingKey::Notifications), "off");
        let bad = SettingsPatch {
            renew_window_days: Some(99),
            ..SettingsPatch::default()
        };
        assert!(bad.validate().is_err());
    }

    #[test]
    fn unreadable_and_unknown_rows_keep_defaults() {
        let mut bad = Vec::new();
        let s = Settings::from_rows(
            [("theme", "\"sepia\""), ("from_the_future", "42")],
            |k, v| bad.push((k.to_owned(), v.to_owned())),
        );
        assert_eq!(s.theme, Theme::System);
        assert_eq!(bad, vec![("theme".to_owned(), "\"sepia\"".to_owned())]);
    }

    #[test]
    fn text_round_trip() {
        let patch = SettingsPatch::from_text(SettingKey::Theme, "dark").expect("valid");
        assert_eq!(patch.theme, Some(Theme::Dark));
        let s = Settings {
            theme: Theme::Dark,
            ..Settings::default()
        };
        assert_eq!(s.get_text(SettingKey::Theme), "dark");
    }

    #[test]
    fn bad_text_names_what_is_accepted() {
        let err = SettingsPatch::from_text(SettingKey::Theme, "neon").expect_err("invalid");
        let msg = err.to_string();
        assert!(
            msg.contains("neon") && msg.contains("system, light, dark"),
            "{msg}"
        );
        assert!(SettingKey::parse("nope").is_err());
    }

    #[test]
    fn download_concurrency_and_bandwidth_are_bounded() {
        let p = SettingsPatch::from_text(SettingKey::ParallelSegments, " 16 ").expect("valid");
        assert_eq!(p.parallel_segments, Some(16));
        assert!(SettingsPatch::from_text(SettingKey::ParallelSegments, "17").is_err());
        assert!(SettingsPatch::from_text(SettingKey::ParallelDownloads, "0").is_err());
        assert!(SettingsPatch::from_text(SettingKey::ParallelDownloads, "9").is_err());
        let b = SettingsPatch::from_text(SettingKey::BandwidthLimitKbps, "8000").expect("valid");
        assert_eq!(b.bandwidth_limit_kbps, Some(8000));
        assert!(SettingsPatch::from_text(SettingKey::BandwidthLimitKbps, "-1").is_err());
        let from_ui = SettingsPatch {
            parallel_downloads: Some(20),
            ..SettingsPatch::default()
        };
        assert!(from_ui.validate().is_err());
        let s = Settings::from_rows(
            [("parallel_downloads", "99"), ("parallel_segments", "3")],
            |_, _| {},
        );
        assert_eq!((s.parallel_downloads, s.parallel_segments), (2, 3));
    }

    #[test]
    fn download_defaults_are_validated_settings() {
        let q = SettingsPatch::from_text(SettingKey::VideoQuality, "720P").expect("valid");
        assert_eq!(q.video_quality.as_deref(), Some("720p"));
        assert!(SettingsPatch::from_text(SettingKey::VideoQuality, "huge").is_err());
        let a =
            SettingsPatch::from_text(SettingKey::AudioLanguages, " en, fr-FR ,").expect("valid");
        assert_eq!(
            a.audio_languages,
            Some(vec!["en".to_owned(), "fr-FR".to_owned()])
        );
        assert!(SettingsPatch::from_text(SettingKey::AudioLanguages, "en; DROP").is_err());
        let from_ui = SettingsPatch {
            video_quality: Some("9000x".into()),
            ..SettingsPatch::default()
        };
        assert!(from_ui.validate().is_err());
        let s = Settings::from_rows(
            [
                ("video_quality", "\"nonsense\""),
                ("audio_languages", "[\"de\"]"),
            ],
            |_, _| {},
        );
        assert_eq!(
            (s.video_quality.as_str(), s.audio_languages.as_slice()),
            ("1080p", &["de".to_owned()][..])
        );
    }
}
