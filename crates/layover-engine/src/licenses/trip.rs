//! "Get ready for a trip": given the day the viewer is back, which titles will still play on
//! the way, renewing first every persistent license that would lapse before then.

use serde::Serialize;
use ts_rs::TS;

use super::acquire::Operation;
use super::tracking::{LicenseStatus, LicenseView};
use crate::Engine;
use crate::error::{Error, Result};
use crate::library::{Title, TitleState};

/// One title's outlook for the trip.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct TripTitle {
    /// The title.
    #[ts(type = "number")]
    pub title_id: i64,
    /// Its name.
    pub title_name: String,
    /// Where its download stands (a trip's titles are downloaded first).
    pub state: TitleState,
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
    /// The trip's titles, those that will not last first.
    pub titles: Vec<TripTitle>,
    /// Titles still to download before they can last (queued, downloading or paused).
    pub downloading: u32,
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
    /// Gets ready for a trip with every title in the library (`layover trip` without
    /// `--title`): see [`Engine::plan_trip`].
    pub async fn prepare_trip(&self, return_ms: i64, renew: bool) -> Result<TripReport> {
        let ids: Vec<i64> = self
            .titles()
            .await?
            .into_iter()
            .filter(|t| t.state != TitleState::Removing)
            .map(|t| t.id)
            .collect();
        self.plan_trip(return_ms, &ids, renew).await
    }

    /// Gets ready for a trip back at `return_ms` with the titles `title_ids`: the trip is saved
    /// (so the app shows it again, and [`Engine::current_trip`] follows its downloads), its
    /// paused and failed titles go back in the queue, and each persistent license that would
    /// lapse before the return is renewed (providers bill per request, so only those). Without
    /// `act` nothing changes: the report only says what would last.
    pub async fn plan_trip(
        &self,
        return_ms: i64,
        title_ids: &[i64],
        act: bool,
    ) -> Result<TripReport> {
        if title_ids.is_empty() {
            return Err(Error::Trip(
                "no titles were picked: pick the titles to take with you".into(),
            ));
        }
        let now = self.clock().now_unix_ms();
        if return_ms <= now {
            return Err(Error::Trip(
                "the return date has already passed: pick a day after today".into(),
            ));
        }
        let mut titles = Vec::with_capacity(title_ids.len());
        for &id in title_ids {
            titles.push(self.title(id).await?);
        }
        if act {
            self.store().save_trip(return_ms, title_ids, now).await?;
            for t in titles.iter_mut() {
                if matches!(t.state, TitleState::Paused | TitleState::Failed) {
                    *t = self.resume(t.id).await?;
                }
            }
        }
        self.trip_report(return_ms, titles, act).await
    }

    /// The saved trip, as it stands now (its downloads may have moved on); renews nothing.
    pub async fn current_trip(&self) -> Result<Option<TripReport>> {
        let Some((return_ms, ids)) = self.store().trip().await? else {
            return Ok(None);
        };
        let mut titles = Vec::with_capacity(ids.len());
        for id in ids {
            match self.title(id).await {
                Ok(t) if t.state != TitleState::Removing => titles.push(t),
                Ok(_) | Err(Error::TitleNotFound(_)) => {}
                Err(e) => return Err(e),
            }
        }
        self.trip_report(return_ms, titles, false).await.map(Some)
    }

    /// Forgets the saved trip (its titles stay in the library).
    pub async fn forget_trip(&self) -> Result<()> {
        self.store().clear_trip().await
    }

    async fn trip_report(
        &self,
        return_ms: i64,
        picked: Vec<Title>,
        renew: bool,
    ) -> Result<TripReport> {
        let mut titles = Vec::new();
        let mut downloading = 0;
        for t in picked {
            if t.state == TitleState::Removing {
                continue;
            }
            let mut licenses = self.title_licenses(t.id).await?;
            let lapses = |ls: &[LicenseView]| ls.iter().any(|l| !outlook(l, return_ms).0);
            let mut renewed = false;
            let mut renew_error = None;
            if renew
                && t.state == TitleState::Completed
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
                if t.state != TitleState::Failed {
                    downloading += 1;
                }
                (false, download_note(&t))
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
                state: t.state,
                lasts,
                renewed,
                playable_until_ms: deadline,
                note,
            });
        }
        titles.sort_by_key(|t| (t.lasts, t.playable_until_ms.unwrap_or(i64::MAX)));
        Ok(TripReport {
            return_ms,
            titles,
            downloading,
        })
    }
}

/// What a title that is not on disk yet needs before the trip, in words.
fn download_note(t: &Title) -> String {
    let percent = t
        .bytes_total
        .filter(|&total| total > 0)
        .map(|total| format!(" ({} %)", (t.bytes_done.max(0) * 100 / total).min(100)));
    let reason = t.state_reason.as_deref().unwrap_or("no reason given");
    match t.state {
        TitleState::Queued => "waiting to download: it must finish before you leave".to_owned(),
        TitleState::Downloading => format!(
            "downloading{}: it must finish before you leave",
            percent.unwrap_or_default()
        ),
        TitleState::Paused => format!(
            "paused{} ({reason}): resume it, it must finish before you leave",
            percent.unwrap_or_default()
        ),
        TitleState::Failed => {
            format!("the download failed ({reason}): it will not be there on the trip")
        }
        TitleState::Completed | TitleState::Removing => String::new(),
    }
}
