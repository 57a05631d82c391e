//! Each title's licenses in one line, for the Library: which license decides where the title
//! stands (the one that fails or lapses first), read for every title in one SQL query so a
//! library of thousands of titles and tens of thousands of licenses stays quick to refresh.

use serde::Serialize;
use ts_rs::TS;

use crate::Engine;
use crate::error::{Error, Result};
use crate::licenses::tracking::view_of;
use crate::licenses::{Deadline, LicenseStatus, LicenseView};
use crate::store::LicenseRow;

/// A title's licenses summed up: the state of the license that decides (a failed or pending
/// one first, then the one whose deadline comes first), and the clocks it runs on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct TitleLicenseSummary {
    /// The title.
    #[ts(type = "number")]
    pub title_id: i64,
    /// How many licenses (one per KID) the title holds.
    pub licenses: u32,
    /// Where the deciding license stands.
    pub status: LicenseStatus,
    /// Why it is pending or failed, in words; for a usable license, why its last renewal
    /// failed (see `renew_failed`).
    pub reason: Option<String>,
    /// A license of the title is still usable but its last renewal failed.
    pub renew_failed: bool,
    /// When the title stops being playable (Unix ms; absent: never, or no license yet).
    #[ts(type = "number | null")]
    pub expires_ms: Option<i64>,
    /// Which clock decides `expires_ms`.
    pub deadline: Option<Deadline>,
    /// Seconds left (absent: unlimited).
    #[ts(type = "number | null")]
    pub remaining_secs: Option<u64>,
    /// Not valid before (Unix ms).
    #[ts(type = "number | null")]
    pub begin_ms: Option<i64>,
    /// The license window's end (Unix ms; absent: unlimited).
    #[ts(type = "number | null")]
    pub license_end_ms: Option<i64>,
    /// The playback window's length (seconds), which starts at the first play.
    #[ts(type = "number | null")]
    pub playback_window_secs: Option<i64>,
    /// The first play (Unix ms).
    #[ts(type = "number | null")]
    pub first_play_ms: Option<i64>,
    /// The system clock is behind the latest time seen; times count from the latter.
    pub clock_rolled_back: bool,
}

/// A card in the Licenses view: the license that decides where its title stands.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct LicenseCard {
    /// The deciding license (a failed or pending one first, then the one whose deadline comes
    /// first); its policy details are left out.
    pub license: LicenseView,
    /// How many licenses (one per KID) the card stands for.
    pub keys: u32,
}

/// The deciding row of each title, with the title's license count and the reason of a failed
/// renewal, in one query. One pass over the licenses grouped by title (the `(title_id, kid)`
/// index gives the order, so nothing is sorted): each row gets a key, its rank (failed, then
/// pending, then active, then the rest) times 10^12 plus the earlier of its license window and
/// its started playback window (Unix seconds), and SQLite's `min()` aggregate takes the bare
/// columns from the row with the smallest key. The policy JSON and license blob are not read.
const SUMMARY_SQL: &str = "
SELECT g.*,
       CASE WHEN g.renew_problems > 0 THEN (
           SELECT r.status_reason FROM licenses r
           WHERE r.title_id = g.title_id AND r.status = 'active' AND r.status_reason IS NOT NULL
           LIMIT 1)
       END AS renew_problem
FROM (
    SELECT id, title_id, title_name, kid, system, cdm, provider_id, provider_name, server, status,
           status_reason, issue_s, begin_s, end_s, play_window_s, removal_s, grace_period,
           persistent, security_level, NULL AS policy_json, has_key, eme_session_id,
           acquired_ms, renewed_ms, first_play_ms, released_ms, next_try_ms, attempts, notified,
           MIN(CASE status WHEN 'failed' THEN 0 WHEN 'pending' THEN 1 WHEN 'active' THEN 2
                           ELSE 3 END * 1000000000000
               + MAX(0, MIN(COALESCE(end_s, 999999999999),
                            COALESCE(removal_s, 999999999999),
                            CASE WHEN first_play_ms IS NOT NULL AND play_window_s IS NOT NULL
                                 THEN first_play_ms / 1000 + play_window_s
                                 ELSE 999999999999 END,
                            999999999999))) AS decider,
           COUNT(*) AS n,
           SUM(status = 'active' AND status_reason IS NOT NULL) AS renew_problems
    FROM licenses
    WHERE title_id IS NOT NULL AND (?1 IS NULL OR title_id = ?1)
    GROUP BY title_id
) g
ORDER BY g.title_id";

/// Licenses whose title was deleted, shaped like [`SUMMARY_SQL`]'s rows (one key each).
const TITLELESS_SQL: &str = "
SELECT id, title_id, title_name, kid, system, cdm, provider_id, provider_name, server, status,
       status_reason, issue_s, begin_s, end_s, play_window_s, removal_s, grace_period,
       persistent, security_level, NULL AS policy_json, has_key, eme_session_id,
       acquired_ms, renewed_ms, first_play_ms, released_ms, next_try_ms, attempts, notified,
       1 AS n, NULL AS renew_problem
FROM licenses WHERE title_id IS NULL ORDER BY id";

#[derive(sqlx::FromRow)]
struct SummaryRow {
    #[sqlx(flatten)]
    license: LicenseRow,
    n: i64,
    renew_problem: Option<String>,
}

impl Engine {
    /// Every title's license summary (titles without licenses are absent), by title id, in one
    /// query: what the Library shows beside each title and refreshes without reading every
    /// license.
    pub async fn license_summaries(&self) -> Result<Vec<TitleLicenseSummary>> {
        self.summaries(None).await
    }

    /// One title's license summary (none when it holds no license).
    pub async fn title_license_summary(
        &self,
        title_id: i64,
    ) -> Result<Option<TitleLicenseSummary>> {
        Ok(self.summaries(Some(title_id)).await?.pop())
    }

    /// The Licenses view's cards: one per title (and one per license kept without its title),
    /// each the license that decides where the title stands, with how many keys it stands for;
    /// soonest to expire first. One query however many licenses there are; a card's policy is
    /// not read (`license_details` has everything).
    pub async fn license_cards(&self) -> Result<Vec<LicenseCard>> {
        let clock = self.clock_status().await?;
        let mut cards: Vec<LicenseCard> = self
            .summary_rows(None)
            .await?
            .iter()
            .chain(self.titleless_rows().await?.iter())
            .map(|r| LicenseCard {
                license: view_of(&r.license, clock.now_ms, clock.latest_seen_ms),
                keys: u32::try_from(r.n).unwrap_or(u32::MAX),
            })
            .collect();
        cards.sort_by(|a, b| {
            let key = |c: &LicenseCard| (c.license.expires_ms.unwrap_or(i64::MAX), c.license.id);
            key(a)
                .cmp(&key(b))
                .then_with(|| a.license.title_name.cmp(&b.license.title_name))
        });
        Ok(cards)
    }

    /// Licenses kept after their title was deleted (released, or a release waiting for the
    /// network): a card each.
    async fn titleless_rows(&self) -> Result<Vec<SummaryRow>> {
        sqlx::query_as(TITLELESS_SQL)
            .fetch_all(self.store().pool())
            .await
            .map_err(Error::db("reading the licenses kept without their title"))
    }

    async fn summary_rows(&self, title_id: Option<i64>) -> Result<Vec<SummaryRow>> {
        sqlx::query_as(SUMMARY_SQL)
            .bind(title_id)
            .fetch_all(self.store().pool())
            .await
            .map_err(Error::db("reading the library's licenses"))
    }

    async fn summaries(&self, title_id: Option<i64>) -> Result<Vec<TitleLicenseSummary>> {
        let clock = self.clock_status().await?;
        let rows = self.summary_rows(title_id).await?;
        Ok(rows
            .iter()
            .filter_map(|r| summary_of(r, clock.now_ms, clock.latest_seen_ms))
            .collect())
    }
}

fn summary_of(r: &SummaryRow, now_ms: i64, latest_seen_ms: i64) -> Option<TitleLicenseSummary> {
    let v = view_of(&r.license, now_ms, latest_seen_ms);
    let usable = matches!(
        v.status,
        LicenseStatus::Valid | LicenseStatus::ExpiringSoon | LicenseStatus::NotYetValid
    );
    let renew_failed = usable && r.renew_problem.is_some();
    Some(TitleLicenseSummary {
        title_id: v.title_id?,
        licenses: u32::try_from(r.n).unwrap_or(u32::MAX),
        status: v.status,
        reason: if renew_failed {
            r.renew_problem.clone()
        } else {
            v.status_reason.clone()
        },
        renew_failed,
        expires_ms: v.expires_ms,
        deadline: v.deadline,
        remaining_secs: v.remaining_secs,
        begin_ms: v.begin_ms,
        license_end_ms: v.license_end_ms,
        playback_window_secs: v.playback_window_secs,
        first_play_ms: v.first_play_ms,
        clock_rolled_back: v.clock_rolled_back,
    })
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::sync::Arc;

    use super::*;
    use crate::library::TitleKind;
    use crate::{DataDir, DataDirSource, ManualClock};

    const NOW_S: i64 = 1_800_000_000;
    const H: i64 = 3600;

    async fn engine() -> (tempfile::TempDir, Engine, Arc<ManualClock>) {
        let dir = tempfile::tempdir().expect("tempdir");
        let clock = Arc::new(ManualClock::at_unix_ms(1_800_000_000_000));
        let engine =
            Engine::open_with_clock(DataDir::at(dir.path(), DataDirSource::Flag), clock.clone())
                .await
                .expect("opens");
        (dir, engine, clock)
    }

    async fn title(e: &Engine, name: &str) -> i64 {
        e.store()
            .insert_title(
                name,
                "https://cdn.example/t.mpd",
                TitleKind::Dash,
                &[],
                None,
                None,
                1,
            )
            .await
            .expect("title")
    }

    /// A license row: `status`, its reason, end (s), playback window (s), first play (ms).
    #[allow(clippy::too_many_arguments)]
    async fn license(
        e: &Engine,
        title_id: Option<i64>,
        kid: &str,
        status: &str,
        reason: Option<&str>,
        end_s: Option<i64>,
        window_s: Option<i64>,
        first_play_ms: Option<i64>,
    ) {
        sqlx::query(
            "INSERT INTO licenses (title_id, title_name, kid, system, cdm, status, status_reason,
                 end_s, play_window_s, first_play_ms, persistent, has_key, created_ms, updated_ms)
             VALUES (?, 't', ?, 'clearkey', 'clear-key', ?, ?, ?, ?, ?, 1, 1, 0, 0)",
        )
        .bind(title_id)
        .bind(kid)
        .bind(status)
        .bind(reason)
        .bind(end_s)
        .bind(window_s)
        .bind(first_play_ms)
        .execute(e.store().pool())
        .await
        .expect("license");
    }

    async fn by_title(e: &Engine) -> HashMap<i64, TitleLicenseSummary> {
        e.license_summaries()
            .await
            .expect("summaries")
            .into_iter()
            .map(|s| (s.title_id, s))
            .collect()
    }

    #[tokio::test]
    async fn the_license_that_lapses_or_fails_first_decides() {
        let (_dir, e, _clock) = engine().await;
        let soon = title(&e, "soon").await;
        license(
            &e,
            Some(soon),
            "a",
            "active",
            None,
            Some(NOW_S + 10 * 24 * H),
            None,
            None,
        )
        .await;
        license(
            &e,
            Some(soon),
            "b",
            "active",
            None,
            Some(NOW_S + 20 * H),
            None,
            None,
        )
        .await;
        let expired = title(&e, "expired").await;
        license(
            &e,
            Some(expired),
            "a",
            "active",
            None,
            Some(NOW_S + 90 * 24 * H),
            None,
            None,
        )
        .await;
        license(
            &e,
            Some(expired),
            "b",
            "active",
            None,
            Some(NOW_S - H),
            None,
            None,
        )
        .await;
        let pending = title(&e, "pending").await;
        license(
            &e,
            Some(pending),
            "a",
            "active",
            None,
            Some(NOW_S - H),
            None,
            None,
        )
        .await;
        let why = "no network; Layover will try again";
        license(
            &e,
            Some(pending),
            "b",
            "pending",
            Some(why),
            None,
            None,
            None,
        )
        .await;
        let renew = title(&e, "renew").await;
        let failed = "the license server failed (HTTP 503)";
        license(
            &e,
            Some(renew),
            "a",
            "active",
            Some(failed),
            Some(NOW_S + 5 * 24 * H),
            None,
            None,
        )
        .await;
        let clear = title(&e, "clear").await;
        // A released license of a deleted title is not anyone's.
        license(&e, None, "z", "released", None, Some(NOW_S + H), None, None).await;

        let s = by_title(&e).await;
        assert_eq!(s.len(), 4, "{s:?}");
        assert!(!s.contains_key(&clear), "a clear title has no summary");

        let x = &s[&soon];
        assert_eq!((x.licenses, x.status), (2, LicenseStatus::ExpiringSoon));
        assert_eq!(x.expires_ms, Some((NOW_S + 20 * H) * 1000));
        assert_eq!(x.remaining_secs, Some(20 * 3600));
        assert_eq!(x.deadline, Some(Deadline::LicenseWindow));

        assert_eq!(s[&expired].status, LicenseStatus::Expired);
        assert_eq!(s[&expired].remaining_secs, Some(0));

        assert_eq!(s[&pending].status, LicenseStatus::Pending);
        assert_eq!(s[&pending].reason.as_deref(), Some(why));
        assert!(!s[&pending].renew_failed);

        let r = &s[&renew];
        assert_eq!(r.status, LicenseStatus::Valid);
        assert!(r.renew_failed);
        assert_eq!(r.reason.as_deref(), Some(failed));

        assert_eq!(
            e.title_license_summary(soon).await.expect("one").as_ref(),
            Some(x)
        );
        assert_eq!(e.title_license_summary(clear).await.expect("none"), None);
    }

    #[tokio::test]
    async fn the_first_play_starts_the_playback_window_and_moves_the_deadline() {
        let (_dir, e, clock) = engine().await;
        let t = title(&e, "film").await;
        license(
            &e,
            Some(t),
            "a",
            "active",
            None,
            Some(NOW_S + 30 * 24 * H),
            Some(2 * H),
            None,
        )
        .await;
        let before = e.title_license_summary(t).await.expect("q").expect("some");
        assert_eq!(before.status, LicenseStatus::Valid);
        assert_eq!(before.deadline, Some(Deadline::LicenseWindow));
        assert_eq!(before.expires_ms, Some((NOW_S + 30 * 24 * H) * 1000));
        assert_eq!(before.playback_window_secs, Some(2 * H));
        assert_eq!(before.first_play_ms, None);

        e.record_first_play(t).await.expect("first play");
        let after = e.title_license_summary(t).await.expect("q").expect("some");
        assert_eq!(after.first_play_ms, Some(NOW_S * 1000));
        assert_eq!(after.deadline, Some(Deadline::PlaybackWindow));
        assert_eq!(after.expires_ms, Some((NOW_S + 2 * H) * 1000));
        assert_eq!(after.status, LicenseStatus::ExpiringSoon);

        clock.advance(std::time::Duration::from_secs(3 * 3600));
        let later = e.title_license_summary(t).await.expect("q").expect("some");
        assert_eq!(later.status, LicenseStatus::Expired);
    }

    #[tokio::test]
    async fn a_generated_library_agrees_with_the_full_license_list() {
        let (_dir, e, _clock) = engine().await;
        let made = e.fill_synthetic_library(300, 5).await.expect("generated");
        assert_eq!(made.titles, 300);
        assert_eq!(e.titles().await.expect("titles").len(), 300);
        let all = e.licenses().await.expect("licenses");
        assert_eq!(all.len(), made.licenses);
        let summaries = by_title(&e).await;
        let mut checked = 0;
        for (id, s) in &summaries {
            let mine: Vec<_> = all.iter().filter(|l| l.title_id == Some(*id)).collect();
            assert_eq!(s.licenses as usize, mine.len());
            if mine.iter().all(|l| l.status != LicenseStatus::Pending) {
                let soonest = mine.iter().filter_map(|l| l.expires_ms).min();
                assert_eq!(s.expires_ms, soonest, "title {id}");
                checked += 1;
            } else {
                assert_eq!(s.status, LicenseStatus::Pending, "title {id}");
            }
        }
        assert!(checked > 100, "{checked}");
        let with_licenses: std::collections::HashSet<i64> =
            all.iter().filter_map(|l| l.title_id).collect();
        assert_eq!(summaries.len(), with_licenses.len());
    }
}
