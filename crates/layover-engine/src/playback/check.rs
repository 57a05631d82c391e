//! Whether a stored title can play now, and why not in words.

use serde::Serialize;
use ts_rs::TS;

use crate::Engine;
use crate::error::Result;
use crate::library::TitleState;
use crate::licenses::{Deadline, LicenseStatus, LicenseView};

/// What the player needs before (and every few seconds while) playing a title.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct PlaybackCheck {
    /// The title.
    #[ts(type = "number")]
    pub title_id: i64,
    /// The title's name.
    pub title_name: String,
    /// It can play now.
    pub playable: bool,
    /// Why it cannot, in words (absent when playable).
    pub reason: Option<String>,
    /// Renewing the licenses (online) may fix it.
    pub can_renew: bool,
    /// How it plays: who decrypts it, in words.
    pub path: String,
    /// When it stops being playable (Unix ms; absent: never or not known).
    #[ts(type = "number | null")]
    pub expires_ms: Option<i64>,
    /// Which clock decides `expires_ms`.
    pub deadline: Option<Deadline>,
    /// When the first play started its playback window (Unix ms).
    #[ts(type = "number | null")]
    pub first_play_ms: Option<i64>,
    /// The system clock is behind the latest time Layover has seen.
    pub clock_rolled_back: bool,
}

fn date(ms: i64) -> String {
    let t =
        std::time::UNIX_EPOCH + std::time::Duration::from_millis(u64::try_from(ms).unwrap_or(0));
    httpdate::fmt_http_date(t)
}

/// Why one license blocks playing, in words; `None` when it allows it.
fn blocking_reason(l: &LicenseView) -> Option<(String, bool)> {
    let rolled = if l.clock_rolled_back {
        " This computer's clock is behind the latest time Layover has seen (it was set back), so the later time counts."
    } else {
        ""
    };
    let renew = " Renew the license while online.";
    let reason = match l.status {
        LicenseStatus::Valid | LicenseStatus::ExpiringSoon if l.has_key => return None,
        LicenseStatus::Valid | LicenseStatus::ExpiringSoon => (
            format!(
                "Layover holds no content key for this title ({} license for {}): it can only play through the operating system's PlayReady player, which this build does not have.",
                l.system, l.kid
            ),
            false,
        ),
        LicenseStatus::Expired => {
            let when = l
                .expires_ms
                .or(l.license_end_ms)
                .map(|ms| format!(" on {}", date(ms)))
                .unwrap_or_default();
            let which = match l.deadline {
                Some(Deadline::PlaybackWindow) => "its playback window (which started at first play) ended",
                _ => "its license expired",
            };
            (format!("This title cannot play: {which}{when}.{rolled}{renew}"), true)
        }
        LicenseStatus::NotYetValid => {
            let when = l
                .begin_ms
                .map(|ms| format!(" until {}", date(ms)))
                .unwrap_or_default();
            (
                format!("This title cannot play yet: its license is not valid{when}.{rolled} Wait, or renew the license while online."),
                true,
            )
        }
        LicenseStatus::Pending => (
            "This title cannot play: its license has not been acquired yet. Renew while online to get it.".to_owned(),
            true,
        ),
        LicenseStatus::Failed => (
            format!(
                "This title cannot play: the last license request failed ({}).{renew}",
                l.status_reason.as_deref().unwrap_or("no reason given")
            ),
            true,
        ),
        LicenseStatus::Released | LicenseStatus::ReleasePending => (
            "This title cannot play: its license was given back to the server. Renew to get a new one while online.".to_owned(),
            true,
        ),
    };
    Some(reason)
}

impl Engine {
    /// Whether a title can play now, why not in words, and until when (the earliest deadline
    /// of its licenses). Refuses unknown titles.
    pub async fn playback_check(&self, title_id: i64) -> Result<PlaybackCheck> {
        let title = self.title(title_id).await?;
        let licenses = self.title_licenses(title_id).await?;
        let clock = self.clock_status().await?;
        let mut check = PlaybackCheck {
            title_id,
            title_name: title.name.clone(),
            playable: false,
            reason: None,
            can_renew: false,
            path: String::new(),
            expires_ms: licenses.iter().filter_map(|l| l.expires_ms).min(),
            deadline: None,
            first_play_ms: licenses.iter().filter_map(|l| l.first_play_ms).min(),
            clock_rolled_back: clock.rolled_back,
        };
        check.deadline = licenses
            .iter()
            .filter(|l| l.expires_ms.is_some() && l.expires_ms == check.expires_ms)
            .find_map(|l| l.deadline);
        if title.state != TitleState::Completed {
            check.reason = Some(format!(
                "This title cannot play yet: its download is {} ({}).",
                title.state.as_str(),
                title
                    .state_reason
                    .as_deref()
                    .unwrap_or("finish it from Downloads")
            ));
            return Ok(check);
        }
        if licenses.is_empty() {
            let protected = match self.title_protection(&title).await {
                Ok(p) => !p.kids.is_empty(),
                Err(_) => true,
            };
            if protected {
                check.reason = Some(
                    "This title cannot play: it is protected and no license has been acquired for it. Renew while online to get one.".to_owned(),
                );
                check.can_renew = true;
            } else {
                check.playable = true;
                check.path = "Clear media: Layover plays the files as they are.".to_owned();
            }
            return Ok(check);
        }
        if let Some((reason, renew)) = licenses.iter().find_map(blocking_reason) {
            check.reason = Some(reason);
            check.can_renew = renew;
            return Ok(check);
        }
        let mut systems: Vec<&str> = licenses.iter().map(|l| l.system.as_str()).collect();
        systems.dedup();
        check.playable = true;
        check.path = format!(
            "Layover decrypts it itself, in memory, with the content keys its {} license{} delivered.",
            systems.join(" and "),
            if licenses.len() > 1 { "s" } else { "" }
        );
        Ok(check)
    }

    /// The check made when the viewer presses Play: when the title can play, its playback
    /// windows start now (once; later plays keep the first time), and the returned check
    /// carries the new deadline.
    pub async fn playback_start(&self, title_id: i64) -> Result<PlaybackCheck> {
        let check = self.playback_check(title_id).await?;
        if !check.playable {
            return Ok(check);
        }
        if check.first_play_ms.is_none() {
            self.record_first_play(title_id).await?;
            tracing::info!(title_id, "first play: playback window started");
            return self.playback_check(title_id).await;
        }
        Ok(check)
    }
}
