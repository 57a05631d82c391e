//! License upkeep in the app: every few minutes (and once at start) renew what is due, retry
//! what failed for want of a network, send queued releases, and notify about titles that
//! expire within 48 hours or have expired (once each, when notifications are on in Settings).
//! Also the download notices (a title finished or failed), which the engine decides.

use std::time::Duration;

use layover_engine::Engine;
use layover_engine::library::queue::DownloadQueue;
use layover_engine::licenses::MaintenanceReport;
use layover_engine::notices::DownloadWatch;
use tauri::AppHandle;
use tauri_plugin_notification::NotificationExt;

/// How often upkeep runs while the app is open.
const EVERY: Duration = Duration::from_secs(5 * 60);

pub async fn run(app: AppHandle, engine: Engine) {
    loop {
        match engine.license_upkeep().await {
            Ok(report) => notify(&app, &engine, &report).await,
            Err(e) => tracing::warn!(error = %e, "license upkeep failed"),
        }
        tokio::time::sleep(EVERY).await;
    }
}

/// The notices a report calls for, as (title, body).
pub fn notices(report: &MaintenanceReport) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for l in &report.expiring_soon {
        let left = l
            .remaining_secs
            .map(|s| format!("{} h", s.div_ceil(3600)))
            .unwrap_or_else(|| "less than 48 h".into());
        out.push((
            format!("\"{}\" expires soon", l.title_name),
            format!(
                "It stays playable for about {left}. Renew it in Licenses while you are online."
            ),
        ));
    }
    for l in &report.expired {
        out.push((
            format!("\"{}\" has expired", l.title_name),
            "It cannot be played until its license is renewed (Licenses > Renew now).".into(),
        ));
    }
    for f in &report.failed {
        out.push(("A license could not be renewed".into(), f.clone()));
    }
    // One notice per title: a title has a license per key.
    out.dedup();
    out
}

/// How often the library is looked at for downloads that finished or failed when the queue
/// says nothing (a download run by `layover download` meanwhile).
const DOWNLOADS_EVERY: Duration = Duration::from_secs(15);

/// Announces each download that finishes or fails, once, while the app runs: looked at when
/// one of this process's downloads stops, and every few seconds for the CLI's.
pub async fn watch_downloads(app: AppHandle, engine: Engine, queue: DownloadQueue) {
    let mut watch = match engine.titles().await {
        Ok(titles) => DownloadWatch::new(&titles),
        Err(e) => {
            tracing::warn!(error = %e, "download notices off: the library could not be read");
            return;
        }
    };
    let mut updates = queue.subscribe();
    let mut running: Vec<i64> = Vec::new();
    loop {
        tokio::select! {
            changed = updates.changed() => {
                if changed.is_err() {
                    return;
                }
                let now: Vec<i64> =
                    updates.borrow_and_update().downloads.iter().map(|d| d.title_id).collect();
                // Only when a download stopped: progress ticks say nothing new.
                let stopped = running.iter().any(|id| !now.contains(id));
                running = now;
                if !stopped {
                    continue;
                }
            }
            () = tokio::time::sleep(DOWNLOADS_EVERY) => {}
        }
        match engine.download_notices(&mut watch).await {
            Ok(notices) => {
                for n in notices {
                    show(&app, &n.title, &n.body);
                }
            }
            Err(e) => tracing::warn!(error = %e, "download notices not read"),
        }
    }
}

fn show(app: &AppHandle, title: &str, body: &str) {
    if let Err(e) = app.notification().builder().title(title).body(body).show() {
        // No notification service (a headless session): the views still show it.
        tracing::info!(error = %e, %title, "notification not shown");
    }
}

async fn notify(app: &AppHandle, engine: &Engine, report: &MaintenanceReport) {
    let enabled = engine
        .settings()
        .await
        .map(|s| s.notifications)
        .unwrap_or(true);
    if !enabled {
        return;
    }
    for (title, body) in notices(report) {
        show(app, &title, &body);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_notice_per_title_and_failures_in_words() {
        let report = MaintenanceReport {
            failed: vec!["Sintel: the license server could not be reached".into()],
            ..MaintenanceReport::default()
        };
        let n = notices(&report);
        assert_eq!(n.len(), 1);
        assert!(n[0].1.contains("could not be reached"));
        assert!(notices(&MaintenanceReport::default()).is_empty());
    }
}
