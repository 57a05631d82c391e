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
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Settings {
    /// Colour theme.
    pub theme: Theme,
}

/// A change to some settings; `None` leaves a setting as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SettingsPatch {
    /// New colour theme.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub theme: Option<Theme>,
}

/// The names of the settings, as stored and as typed on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettingKey {
    /// `theme`: `system`, `light` or `dark`.
    Theme,
}

impl SettingKey {
    /// Every key, in display order.
    pub const ALL: [SettingKey; 1] = [SettingKey::Theme];

    /// The stored and typed name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Theme => "theme",
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
        rows
    }

    /// The value of one setting as text (what `layover settings get` prints).
    pub fn get_text(&self, key: SettingKey) -> String {
        match key {
            SettingKey::Theme => text_of(&self.theme),
        }
    }
}

impl SettingsPatch {
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
                Ok(Self { theme: Some(theme) })
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
                theme: Theme::System
            }
        );
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
        let s = Settings { theme: Theme::Dark };
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
}
