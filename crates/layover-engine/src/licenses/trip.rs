//! "Get ready for a trip": given the day the viewer is back, which titles will still play on
//! the way, renewing first every persistent license that would lapse before then.

use serde::Serialize;
use ts_rs::TS;

use super::acquire::Operation;
use super::tracking::{LicenseStatus, LicenseView};
use crate::Engine;
use crate::error::Result;
use crate::library::TitleState;

/// One title's outlook for the trip.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct TripTitle {
    /// The title.
    #[ts(type = "number")]
    pub title_id: i64,
    /// Its name.
    pub title_name: String,
    /// It will play offline until the return date.
    pub lasts: bool,
    /// A license was renewed for the trip just now.
    pub renewed: bool,
    /// When it stops being playable, if before forever (Unix ms; the earliest key decides).
    #[ts(type = "number | null")]
    pub playable_until_ms: Option<i64>,
    /// Why, in words ("license ends 3 Dec", "still downloading", ...).
    pub note: String,
}

/// The whole trip.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct TripReport {
    /// The return date (Unix ms).
    #[ts(type = "number")]
    pub return_ms: i64,
    /// Every title, those that will not last first.
    pub titles: Vec<TripTitle>,
}

/// Whether `l` still plays at `when` (Unix ms), and its deadline.
fn outlook(l: &LicenseView, when: i64) -> (bool, Option<i64>) {
    let playable_state = matches!(
        l.status,
        LicenseStatus::Valid | LicenseStatus::ExpiringSoon | LicenseStatus::NotYetValid
    );
    let deadline = l.expires_ms;
    (
        playable_state && deadline.is_none_or(|d| d >= when),
        deadline,
    )
}

impl Engine {
    /// Checks every title against the return date; with `renew`, first renews each persistent
    /// license that would lapse before it (providers bill per request, so only those).
    pub async fn prepare_trip(&self, return_ms: i64, renew: bool) -> Result<TripReport> {
        let mut titles = Vec::new();
        for t in self.titles().await? {
            if t.state == TitleState::Removing {
                continue;
            }
            let mut licenses = self.title_licenses(t.id).await?;
            let lapses = |ls: &[LicenseView]| ls.iter().any(|l| !outlook(l, return_ms).0);
            let mut renewed = false;
            let mut renew_error = None;
            if renew
                && !licenses.is_empty()
                && lapses(&licenses)
                && licenses
                    .iter()
                    .any(|l| l.persistent || l.status == LicenseStatus::Pending)
            {
                match self.acquire_licenses(t.id, Operation::Renew).await {
                    Ok(fresh) => {
                        renewed = true;
                        licenses = fresh;
                    }
                    Err(e) => renew_error = Some(e.to_string()),
                }
            }
            let deadline = licenses.iter().filter_map(|l| l.expires_ms).min();
            let all_last = licenses.iter().all(|l| outlook(l, return_ms).0);
            let window = licenses.iter().filter_map(|l| l.playback_window_secs).min();
            let not_started = licenses.iter().all(|l| l.first_play_ms.is_none());
            let (lasts, note) = if t.state != TitleState::Completed {
                (
                    false,
                    format!(
                        "not downloaded yet ({}): it must finish before you leave",
                        t.state.as_str()
                    ),
                )
            } else if licenses.is_empty() {
                (true, "needs no license".to_owned())
            } else if !all_last {
                let why = licenses
                    .iter()
                    .find(|l| !outlook(l, return_ms).0)
                    .map(|l| match l.status {
                        LicenseStatus::Pending | LicenseStatus::Failed => l
                            .status_reason
                            .clone()
                            .unwrap_or_else(|| "no license yet".into()),
                        LicenseStatus::Released | LicenseStatus::ReleasePending => {
                            "its license was given back".into()
                        }
                        _ => "its license ends before you are back".into(),
                    })
                    .unwrap_or_default();
                let why = match renew_error {
                    Some(e) => format!("{why}; renewing failed: {e}"),
                    None if licenses.iter().all(|l| !l.persistent) => {
                        format!(
                            "{why} (the license cannot be kept offline, so renewing does not help)"
                        )
                    }
                    None => why,
                };
                (false, why)
            } else {
                let mut note = if renewed {
                    "renewed for the trip".to_owned()
                } else {
                    "lasts the whole trip".to_owned()
                };
                if let (Some(w), true) = (window, not_started) {
                    note.push_str(&format!(
                        "; once started it plays for {} h",
                        w.div_euclid(3600)
                    ));
                }
                (true, note)
            };
            titles.push(TripTitle {
                title_id: t.id,
                title_name: t.name,
                lasts,
                renewed,
                playable_until_ms: deadline,
                note,
            });
        }
        titles.sort_by_key(|t| (t.lasts, t.playable_until_ms.unwrap_or(i64::MAX)));
        Ok(TripReport { return_ms, titles })
    }
}
