//! Expiry rules: given a [`LicensePolicy`], the first-play time, the latest time Layover has
//! seen and `now`, what state is the license in and how long is left?
//!
//! The rules answer three user requests from ANCHORS.md:
//! - request 3, true remaining time with two clocks: a license has a license window (begin/end,
//!   and the removal date) and, after first play, a playback window; the time left is the
//!   smaller of the two, and [`Evaluation::deciding_clock`] says which one decides;
//! - request 4, "unlimited" markers never read as expired (handled in [`crate::policy::Limit`]);
//! - request 7, a clock set backwards must not extend a license (ExoPlayer #2622): every rule
//!   uses `max(now, latest_seen)`, and [`Evaluation::clock_rolled_back`] reports the rollback.
//!
//! The grace period is not applied: its units are unverified (see [`LicensePolicy`]).

use serde::Serialize;

use crate::policy::{LicensePolicy, Limit};

/// Knobs for [`evaluate`], all in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ExpirySettings {
    /// A license with at most this much time left is "expiring soon".
    pub expiring_soon_window: u64,
    /// How far `now` may be behind the latest time seen before it counts as a rollback (small
    /// NTP corrections are not rollbacks).
    pub rollback_tolerance: u64,
}

impl Default for ExpirySettings {
    /// 48 hours (when Layover notifies about an expiring title) and 5 minutes.
    fn default() -> Self {
        Self {
            expiring_soon_window: 48 * 3600,
            rollback_tolerance: 300,
        }
    }
}

/// Where a license stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LicenseState {
    /// Its begin date is in the future (a download may still proceed; Shaka #10038).
    NotYetValid,
    /// Playable, with more than the expiring-soon window left (or unlimited).
    Valid,
    /// Playable, with at most the expiring-soon window left.
    ExpiringSoon,
    /// Not playable any more.
    Expired,
}

/// Which clock sets the deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DecidingClock {
    /// The license window: end date or removal date.
    LicenseWindow,
    /// The playback window that started at first play.
    PlaybackWindow,
}

/// The result of [`evaluate`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Evaluation {
    /// Where the license stands.
    pub state: LicenseState,
    /// Which clock sets [`Evaluation::expires_at`] (`None` when nothing limits the license).
    pub deciding_clock: Option<DecidingClock>,
    /// When the license stops being playable: the earlier of both clocks.
    pub expires_at: Limit,
    /// Seconds left until `expires_at` (`None`: unlimited; `Some(0)`: expired).
    pub remaining_secs: Option<u64>,
    /// If not yet played: seconds left if playback started now (the playback window would start
    /// now). Equals `remaining_secs` once played or with no playback window.
    pub remaining_if_played_now_secs: Option<u64>,
    /// Seconds until the begin date, when not yet valid.
    pub starts_in_secs: Option<u64>,
    /// The time the rules used: `max(now, latest_seen)`.
    pub effective_now: i64,
    /// `now` is behind the latest time seen by more than the tolerance.
    pub clock_rolled_back: bool,
}

impl Evaluation {
    /// Seconds left (`None`: unlimited).
    pub fn remaining_secs(&self) -> Option<u64> {
        self.remaining_secs
    }

    /// Whether a player may use the license now.
    pub fn playable(&self) -> bool {
        matches!(self.state, LicenseState::Valid | LicenseState::ExpiringSoon)
    }
}

/// The latest time seen, updated with `now` (what the engine should store after each check).
pub fn next_latest_seen(latest_seen: Option<i64>, now: i64) -> i64 {
    latest_seen.map_or(now, |l| l.max(now))
}

/// The end of the playback window, if it has started and is limited.
pub fn playback_window_end(policy: &LicensePolicy, first_play: Option<i64>) -> Limit {
    match (policy.expire_after_first_play, first_play) {
        (Some(window), Some(first)) => {
            Limit::At(first.saturating_add(i64::try_from(window).unwrap_or(i64::MAX)))
        }
        _ => Limit::Unlimited,
    }
}

/// Evaluates the license at `now`. Pure: the same inputs always give the same answer.
pub fn evaluate(
    policy: &LicensePolicy,
    first_play: Option<i64>,
    latest_seen: Option<i64>,
    now: i64,
    settings: &ExpirySettings,
) -> Evaluation {
    let t = next_latest_seen(latest_seen, now);
    let clock_rolled_back = latest_seen.is_some_and(|l| {
        u64::try_from(i128::from(l) - i128::from(now)).unwrap_or(0) > settings.rollback_tolerance
    });

    let license_end = policy.license_window_end();
    let playback_end = playback_window_end(policy, first_play);
    let expires_at = license_end.min(playback_end);
    let deciding_clock = match (license_end, playback_end) {
        (Limit::Unlimited, Limit::Unlimited) => None,
        (Limit::At(_), Limit::Unlimited) => Some(DecidingClock::LicenseWindow),
        (Limit::Unlimited, Limit::At(_)) => Some(DecidingClock::PlaybackWindow),
        (Limit::At(l), Limit::At(p)) if p < l => Some(DecidingClock::PlaybackWindow),
        (Limit::At(_), Limit::At(_)) => Some(DecidingClock::LicenseWindow),
    };
    let remaining_secs = expires_at.at().map(|end| secs_between(t, end));
    let remaining_if_played_now_secs = match (first_play, policy.expire_after_first_play) {
        (None, Some(window)) => Some(remaining_secs.map_or(window, |r| r.min(window))),
        _ => remaining_secs,
    };
    let starts_in_secs = policy.begin.filter(|&b| b > t).map(|b| secs_between(t, b));

    let state = if remaining_secs == Some(0) {
        LicenseState::Expired
    } else if starts_in_secs.is_some() {
        LicenseState::NotYetValid
    } else if remaining_secs.is_some_and(|r| r <= settings.expiring_soon_window) {
        LicenseState::ExpiringSoon
    } else {
        LicenseState::Valid
    };

    Evaluation {
        state,
        deciding_clock,
        expires_at,
        remaining_secs,
        remaining_if_played_now_secs,
        starts_in_secs,
        effective_now: t,
        clock_rolled_back,
    }
}

/// `end - start` in seconds, 0 if `end` is not after `start`; exact for any two i64.
fn secs_between(start: i64, end: i64) -> u64 {
    u64::try_from(i128::from(end) - i128::from(start)).unwrap_or(0)
}

#[cfg(test)]
mod tests;
