//! License upkeep, run by the app every few minutes and by `layover licenses sync`: renew
//! persistent licenses that expire within the renew window, retry acquisitions that failed
//! for want of a network, send queued releases, and say which titles need an expiry notice.
//!
//! Everything is decided on the injected clock and each row's `next_try_ms`, so a network that
//! stays down costs one attempt per backoff step, not one per run.

use serde::Serialize;
use ts_rs::TS;

use super::acquire::Operation;
use super::tracking::{LicenseStatus, LicenseView, view_of};
use crate::Engine;
use crate::error::Result;

/// Titles expiring within this window get one "expiring soon" notice.
pub const NOTICE_WINDOW_SECS: u64 = 48 * 3600;

/// What a maintenance run did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct MaintenanceReport {
    /// Titles whose licenses were renewed.
    pub renewed: Vec<String>,
    /// Titles whose first license was acquired on a retry.
    pub acquired: Vec<String>,
    /// `title: why` for renewals and retries that failed.
    pub failed: Vec<String>,
    /// Queued releases sent.
    #[ts(type = "number")]
    pub released: u64,
    /// Releases still queued.
    #[ts(type = "number")]
    pub release_queued: u64,
    /// Licenses that newly entered the 48-hour window (one notice each).
    pub expiring_soon: Vec<LicenseView>,
    /// Licenses that newly expired (one notice each).
    pub expired: Vec<LicenseView>,
}

impl Engine {
    /// [`Engine::license_maintenance`] with the renew window from Settings.
    pub async fn license_upkeep(&self) -> Result<MaintenanceReport> {
        let days = self.settings().await?.renew_window_days;
        self.license_maintenance(u64::from(days) * 24 * 3600).await
    }

    /// Renews every title's persistent licenses now ("Renew all before a trip"). Titles whose
    /// licenses cannot be stored (non-persistent) are skipped: renewing them buys nothing
    /// offline.
    pub async fn renew_all_licenses(&self) -> Result<MaintenanceReport> {
        let mut report = MaintenanceReport::default();
        let mut done: Vec<i64> = Vec::new();
        for row in self.store().license_rows().await? {
            let Some(title_id) = row.title_id else {
                continue;
            };
            if row.status != "active" || row.persistent == 0 || done.contains(&title_id) {
                continue;
            }
            done.push(title_id);
            match self.acquire_licenses(title_id, Operation::Renew).await {
                Ok(_) => report.renewed.push(row.title_name.clone()),
                Err(e) => report.failed.push(format!("{}: {e}", row.title_name)),
            }
        }
        Ok(report)
    }

    /// One upkeep run. `renew_window_secs`: renew persistent licenses with this little left.
    pub async fn license_maintenance(&self, renew_window_secs: u64) -> Result<MaintenanceReport> {
        let clock = self.clock_status().await?;
        let now = clock.effective_now_ms();
        let rows = self.store().license_rows().await?;
        let mut report = MaintenanceReport::default();

        // Titles to renew or retry, each once.
        let mut titles: Vec<(i64, String, Operation)> = Vec::new();
        for row in &rows {
            let Some(title_id) = row.title_id else {
                continue;
            };
            let due = row.next_try_ms.is_none_or(|t| t <= now);
            let view = view_of(row, clock.now_ms, clock.latest_seen_ms);
            let op = match view.status {
                LicenseStatus::Valid | LicenseStatus::ExpiringSoon | LicenseStatus::Expired
                    if row.persistent != 0
                        && view.remaining_secs.is_some_and(|r| r <= renew_window_secs)
                        && due =>
                {
                    Some(Operation::Renew)
                }
                LicenseStatus::Failed if row.next_try_ms.is_some() && due => {
                    Some(Operation::Acquire)
                }
                _ => None,
            };
            if let Some(op) = op
                && !titles.iter().any(|(id, _, _)| *id == title_id)
            {
                titles.push((title_id, row.title_name.clone(), op));
            }
        }
        for (title_id, name, op) in titles {
            match self.acquire_licenses(title_id, op).await {
                Ok(_) if op == Operation::Renew => report.renewed.push(name),
                Ok(_) => report.acquired.push(name),
                Err(e) => report.failed.push(format!("{name}: {e}")),
            }
        }

        for row in rows.iter().filter(|r| r.status == "release_pending") {
            if row.next_try_ms.is_none_or(|t| t <= now) {
                self.release_row(row, now).await?;
            }
        }

        // Notices, on the state after renewals.
        for row in self.store().license_rows().await? {
            if row.status == "release_pending" {
                report.release_queued += 1;
                continue;
            }
            if row.status == "released" && row.released_ms.is_some_and(|t| t >= now) {
                report.released += 1;
            }
            if row.title_id.is_none() || row.status != "active" {
                continue;
            }
            let view = view_of(&row, clock.now_ms, clock.latest_seen_ms);
            let notice = match view.status {
                LicenseStatus::Expired => Some("expired"),
                _ if view.remaining_secs.is_some_and(|r| r <= NOTICE_WINDOW_SECS) => Some("soon"),
                _ => None,
            };
            if let Some(notice) = notice.filter(|n| row.notified.as_deref() != Some(*n)) {
                self.store().set_notified(row.id, notice).await?;
                if notice == "expired" {
                    report.expired.push(view);
                } else {
                    report.expiring_soon.push(view);
                }
            }
        }
        if !report.renewed.is_empty() || !report.failed.is_empty() || report.released > 0 {
            tracing::info!(
                renewed = report.renewed.len(),
                failed = report.failed.len(),
                released = report.released,
                queued = report.release_queued,
                "license upkeep"
            );
        }
        Ok(report)
    }
}
