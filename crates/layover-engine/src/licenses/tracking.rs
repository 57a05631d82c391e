//! What each stored license means now: its state over both clocks, for the Licenses view, the
//! CLI and the player's check before playing.

use layover_drm::Kid;
use layover_drm::expiry::{DecidingClock, ExpirySettings, LicenseState, evaluate};
use layover_drm::policy::{LicensePolicy, Limit};
use serde::Serialize;
use ts_rs::TS;

use crate::Engine;
use crate::error::{Error, Result};
use crate::store::{HistoryRow, LicenseRow};

/// Where a license stands, as people read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum LicenseStatus {
    /// Not acquired yet.
    Pending,
    /// Acquired, but its begin date is in the future.
    NotYetValid,
    /// Playable.
    Valid,
    /// Playable, but it ends within 48 hours.
    ExpiringSoon,
    /// No longer playable; renew it.
    Expired,
    /// Given back to the server.
    Released,
    /// Given back locally; the server is told when the network is back.
    ReleasePending,
    /// The last request failed (see the reason); retried later where that can help.
    Failed,
}

impl LicenseStatus {
    /// The CLI spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::NotYetValid => "not yet valid",
            Self::Valid => "valid",
            Self::ExpiringSoon => "expiring soon",
            Self::Expired => "expired",
            Self::Released => "released",
            Self::ReleasePending => "release queued",
            Self::Failed => "failed",
        }
    }
}

/// Which clock sets a license's deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Deadline {
    /// The license window (its end or removal date).
    LicenseWindow,
    /// The playback window that started at first play.
    PlaybackWindow,
}

/// One license, for people.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct LicenseView {
    /// Row id.
    #[ts(type = "number")]
    pub id: i64,
    /// The title (absent once the title is deleted).
    #[ts(type = "number | null")]
    pub title_id: Option<i64>,
    /// The title's name.
    pub title_name: String,
    /// KID, hyphenated, in `tenc` byte order.
    pub kid: String,
    /// KID as PlayReady writes it (base64 of the little-endian GUID).
    pub kid_playready: String,
    /// `playready`, `clearkey` or `aes_key`.
    pub system: String,
    /// Which client holds it (`test-identity-play-ready`, `clear-key`, ...).
    pub cdm: String,
    /// The provider's name.
    pub provider: Option<String>,
    /// The license server (no query, no credentials).
    pub server: Option<String>,
    /// State now.
    pub status: LicenseStatus,
    /// Why pending, failed or queued, in words.
    pub status_reason: Option<String>,
    /// May be stored and used offline.
    pub persistent: bool,
    /// PlayReady security level.
    pub security_level: Option<u16>,
    /// Not valid before (Unix ms).
    #[ts(type = "number | null")]
    pub begin_ms: Option<i64>,
    /// License window end (Unix ms; absent: unlimited).
    #[ts(type = "number | null")]
    pub license_end_ms: Option<i64>,
    /// Playback window length (seconds) that starts at first play.
    #[ts(type = "number | null")]
    pub playback_window_secs: Option<i64>,
    /// First play (Unix ms).
    #[ts(type = "number | null")]
    pub first_play_ms: Option<i64>,
    /// When it stops being playable: the earlier of both clocks (absent: never).
    #[ts(type = "number | null")]
    pub expires_ms: Option<i64>,
    /// Which clock decides `expires_ms`.
    pub deadline: Option<Deadline>,
    /// Seconds left (absent: unlimited).
    #[ts(type = "number | null")]
    pub remaining_secs: Option<u64>,
    /// Seconds left if played now (starts the playback window).
    #[ts(type = "number | null")]
    pub remaining_if_played_now_secs: Option<u64>,
    /// When acquired (Unix ms).
    #[ts(type = "number | null")]
    pub acquired_ms: Option<i64>,
    /// When last renewed (Unix ms).
    #[ts(type = "number | null")]
    pub renewed_ms: Option<i64>,
    /// The system clock is behind the latest time Layover has seen; times use the latter.
    pub clock_rolled_back: bool,
    /// A content key is held (sealed) so Layover can play the title itself.
    pub has_key: bool,
    /// The full policy as granted, for the details drawer.
    #[ts(type = "unknown")]
    pub policy: Option<serde_json::Value>,
}

/// One request in a license's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct HistoryEntry {
    /// When (Unix ms).
    #[ts(type = "number")]
    pub at_ms: i64,
    /// `acquire`, `renew` or `release`.
    pub operation: String,
    /// The server asked.
    pub server: String,
    /// `ok`, `failed` or `queued`.
    pub outcome: String,
    /// HTTP status.
    pub http_status: Option<u16>,
    /// PlayReady fault code (hex).
    pub fault_code: Option<String>,
    /// What happened, in words.
    pub message: Option<String>,
    /// How long the request took.
    #[ts(type = "number | null")]
    pub latency_ms: Option<i64>,
    /// The KIDs asked for.
    pub kids: String,
}

/// A title's licenses with their history.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct LicenseDetails {
    /// The title's name.
    pub title_name: String,
    /// Licenses, one per KID.
    pub licenses: Vec<LicenseView>,
    /// Requests made for this title, newest first.
    pub history: Vec<HistoryEntry>,
    /// How many requests the title has cost (providers bill per request).
    pub requests: usize,
}

/// Rebuilds the policy the expiry rules need from the stored columns.
pub(crate) fn policy_of(row: &LicenseRow) -> LicensePolicy {
    let mut p = LicensePolicy::unlimited(Vec::new(), row.persistent != 0);
    p.issue_date = row.issue_s;
    p.begin = row.begin_s;
    p.end = row.end_s.map_or(Limit::Unlimited, Limit::At);
    p.removal_date = row.removal_s.map_or(Limit::Unlimited, Limit::At);
    p.expire_after_first_play = row.play_window_s.and_then(|s| u64::try_from(s).ok());
    p
}

/// The state of one row at `now_ms`, given the latest time seen.
pub(crate) fn view_of(row: &LicenseRow, now_ms: i64, latest_seen_ms: i64) -> LicenseView {
    let kid = Kid::parse_hex(&row.kid).ok();
    let first_play_s = row.first_play_ms.map(|ms| ms.div_euclid(1000));
    let eval = evaluate(
        &policy_of(row),
        first_play_s,
        Some(latest_seen_ms.div_euclid(1000)),
        now_ms.div_euclid(1000),
        &ExpirySettings::default(),
    );
    let status = match row.status.as_str() {
        "pending" => LicenseStatus::Pending,
        "failed" => LicenseStatus::Failed,
        "released" => LicenseStatus::Released,
        "release_pending" => LicenseStatus::ReleasePending,
        _ => match eval.state {
            LicenseState::NotYetValid => LicenseStatus::NotYetValid,
            LicenseState::Valid => LicenseStatus::Valid,
            LicenseState::ExpiringSoon => LicenseStatus::ExpiringSoon,
            LicenseState::Expired => LicenseStatus::Expired,
        },
    };
    let active = row.status == "active";
    let ms = |s: i64| s.saturating_mul(1000);
    LicenseView {
        id: row.id,
        title_id: row.title_id,
        title_name: row.title_name.clone(),
        kid: kid.map_or_else(|| row.kid.clone(), |k| k.to_hyphenated()),
        kid_playready: kid.map(|k| k.to_playready_base64()).unwrap_or_default(),
        system: row.system.clone(),
        cdm: row.cdm.clone(),
        provider: row.provider_name.clone(),
        server: row.server.clone(),
        status,
        status_reason: row.status_reason.clone(),
        persistent: row.persistent != 0,
        security_level: row.security_level.and_then(|l| u16::try_from(l).ok()),
        begin_ms: row.begin_s.map(ms),
        license_end_ms: row.end_s.map(ms),
        playback_window_secs: row.play_window_s,
        first_play_ms: row.first_play_ms,
        expires_ms: active.then(|| eval.expires_at.at().map(ms)).flatten(),
        deadline: active
            .then_some(eval.deciding_clock)
            .flatten()
            .map(|c| match c {
                DecidingClock::LicenseWindow => Deadline::LicenseWindow,
                DecidingClock::PlaybackWindow => Deadline::PlaybackWindow,
            }),
        remaining_secs: active.then_some(eval.remaining_secs).flatten(),
        remaining_if_played_now_secs: active
            .then_some(eval.remaining_if_played_now_secs)
            .flatten(),
        acquired_ms: row.acquired_ms,
        renewed_ms: row.renewed_ms,
        clock_rolled_back: eval.clock_rolled_back,
        has_key: row.has_key != 0,
        policy: row
            .policy_json
            .as_deref()
            .and_then(|j| serde_json::from_str(j).ok()),
    }
}

fn history_entry(h: HistoryRow) -> HistoryEntry {
    HistoryEntry {
        at_ms: h.at_ms,
        operation: h.operation,
        server: h.server,
        outcome: h.outcome,
        http_status: h.http_status.and_then(|s| u16::try_from(s).ok()),
        fault_code: h.fault_code.map(|c| format!("{c:#010X}")),
        message: h.message,
        latency_ms: h.latency_ms,
        kids: h.kids,
    }
}

impl Engine {
    /// Every license, soonest to expire first.
    pub async fn licenses(&self) -> Result<Vec<LicenseView>> {
        let clock = self.clock_status().await?;
        let mut views: Vec<LicenseView> = self
            .store()
            .license_rows()
            .await?
            .iter()
            .map(|r| view_of(r, clock.now_ms, clock.latest_seen_ms))
            .collect();
        views.sort_by_key(|v| (v.expires_ms.unwrap_or(i64::MAX), v.title_name.clone()));
        Ok(views)
    }

    /// Licenses that stop being playable within `secs` (expired ones included).
    pub async fn licenses_expiring_within(&self, secs: u64) -> Result<Vec<LicenseView>> {
        Ok(self
            .licenses()
            .await?
            .into_iter()
            .filter(|v| {
                v.status == LicenseStatus::Expired || v.remaining_secs.is_some_and(|r| r <= secs)
            })
            .collect())
    }

    /// A title's licenses and request history, by title (number or name) or by KID.
    pub async fn license_details(&self, query: &str) -> Result<LicenseDetails> {
        let clock = self.clock_status().await?;
        let q = query.trim();
        let rows = match Kid::parse_hex(q) {
            Ok(kid) => {
                let rows = self
                    .store()
                    .license_rows_for_kid(&kid.to_hyphenated())
                    .await?;
                if rows.is_empty() {
                    return Err(Error::License {
                        title: q.to_owned(),
                        failure: crate::error::LicenseFailure::NotPossible,
                        message:
                            "no license in this library has this KID; `layover licenses` lists them"
                                .into(),
                    });
                }
                rows
            }
            Err(_) => {
                let title = self.find_title(q).await?;
                self.store().license_rows_for_title(title.id).await?
            }
        };
        let (title_id, title_name) = match rows.first() {
            Some(r) => (r.title_id, r.title_name.clone()),
            None => {
                let title = self.find_title(q).await?;
                (Some(title.id), title.name)
            }
        };
        let history: Vec<HistoryEntry> = self
            .store()
            .history_for(title_id, &title_name)
            .await?
            .into_iter()
            .map(history_entry)
            .collect();
        let requests = history.iter().filter(|h| h.outcome != "queued").count();
        Ok(LicenseDetails {
            title_name,
            licenses: rows
                .iter()
                .map(|r| view_of(r, clock.now_ms, clock.latest_seen_ms))
                .collect(),
            history,
            requests,
        })
    }

    /// Records that a title started playing: its playback windows start now (once).
    pub async fn record_first_play(&self, title_id: i64) -> Result<()> {
        let now = self.clock_status().await?.effective_now_ms();
        self.store().set_first_play(title_id, now).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row() -> LicenseRow {
        LicenseRow {
            id: 1,
            title_id: Some(1),
            title_name: "t".into(),
            kid: "0a1b2c3d-4e5f-4071-8293-a4b5c6d7e8f9".into(),
            system: "playready".into(),
            cdm: "test-identity-play-ready".into(),
            provider_id: None,
            provider_name: None,
            server: None,
            status: "active".into(),
            status_reason: None,
            issue_s: Some(1_000),
            begin_s: None,
            end_s: Some(1_000_000),
            play_window_s: Some(3_600),
            removal_s: None,
            grace_period: None,
            persistent: 1,
            security_level: Some(2000),
            policy_json: None,
            has_key: 1,
            eme_session_id: None,
            acquired_ms: Some(1_000_000),
            renewed_ms: None,
            first_play_ms: None,
            released_ms: None,
            next_try_ms: None,
            attempts: 0,
            notified: None,
        }
    }

    #[test]
    fn both_clocks_decide_and_first_play_starts_the_window() {
        let mut r = row();
        let v = view_of(&r, 100_000_000, 100_000_000);
        assert_eq!(v.status, LicenseStatus::Valid);
        assert_eq!(v.deadline, Some(Deadline::LicenseWindow));
        assert_eq!(v.expires_ms, Some(1_000_000_000));
        assert_eq!(v.remaining_if_played_now_secs, Some(3_600));
        assert_eq!(v.kid_playready, "PSwbCl9OcUCCk6S1xtfo+Q==");

        r.first_play_ms = Some(100_000_000);
        let v = view_of(&r, 101_000_000, 101_000_000);
        assert_eq!(v.status, LicenseStatus::ExpiringSoon);
        assert_eq!(v.deadline, Some(Deadline::PlaybackWindow));
        assert_eq!(v.remaining_secs, Some(3_600 - 1_000));
        let v = view_of(&r, 104_000_000, 104_000_000);
        assert_eq!(v.status, LicenseStatus::Expired);
    }

    #[test]
    fn a_clock_set_back_does_not_give_time_back() {
        let r = row();
        // Seen at 999_000 s, clock now says 500_000 s: 1_000 s left, not 500_000.
        let v = view_of(&r, 500_000_000, 999_000_000);
        assert!(v.clock_rolled_back);
        assert_eq!(v.remaining_secs, Some(1_000));
    }

    #[test]
    fn stored_states_win_over_the_policy() {
        for (status, want) in [
            ("pending", LicenseStatus::Pending),
            ("failed", LicenseStatus::Failed),
            ("released", LicenseStatus::Released),
            ("release_pending", LicenseStatus::ReleasePending),
        ] {
            let mut r = row();
            r.status = status.into();
            let v = view_of(&r, 1, 1);
            assert_eq!(v.status, want);
            assert_eq!(v.expires_ms, None);
        }
        let mut r = row();
        r.end_s = None;
        r.play_window_s = None;
        let v = view_of(&r, 1, 1);
        assert_eq!((v.status, v.remaining_secs), (LicenseStatus::Valid, None));
    }
}
