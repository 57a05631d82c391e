//! What support staff need to close a ticket: "Verify files" (a title's files on disk against
//! what was downloaded) and a diagnostics bundle (a zip of the app, settings, titles with their
//! files and integrity, licenses with policy and history, providers and the last logs).
//!
//! Nothing secret leaves in a bundle: tokens and keys are never read (they stay sealed), log
//! lines are scrubbed again, URL query values are replaced, and the data folder and home folder
//! become `<data>` and `~`.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::library::details::ChosenTrack;
use crate::library::{Title, TitleState, check_top_level_boxes};
use crate::licenses::{HistoryEntry, LicenseView};
use crate::{AppInfo, ClockStatus, Engine, Settings};

/// What one file's check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum FileCheck {
    /// Present, the recorded size, and (for media) its boxes tile the file.
    Ok,
    /// Not downloaded yet (nothing to check).
    Pending,
    /// Recorded as downloaded but not on disk.
    Missing,
    /// On disk with another size than was downloaded.
    WrongSize,
    /// The right size, but its MP4 boxes do not tile the file (damaged).
    Damaged,
}

/// One file of a title, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct FileReport {
    /// Path inside the title's folder.
    pub path: String,
    /// Bytes recorded when it was downloaded.
    #[ts(type = "number | null")]
    pub bytes: Option<i64>,
    /// Bytes on disk now.
    #[ts(type = "number | null")]
    pub on_disk: Option<u64>,
    /// The verdict.
    pub check: FileCheck,
    /// What is wrong, in words.
    pub detail: Option<String>,
}

/// A title's files, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct VerifyReport {
    /// The title.
    #[ts(type = "number")]
    pub title_id: i64,
    /// Its name.
    pub title_name: String,
    /// Every file.
    pub files: Vec<FileReport>,
    /// Files that failed (missing, wrong size, damaged).
    #[ts(type = "number")]
    pub bad: usize,
    /// What happens next, in words.
    pub summary: String,
}

#[derive(sqlx::FromRow)]
struct FileRow {
    id: i64,
    rel_path: String,
    bytes: Option<i64>,
    done: bool,
}

fn is_media(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    [
        ".mp4", ".m4s", ".m4v", ".m4a", ".ismv", ".isma", ".cmfv", ".cmfa",
    ]
    .iter()
    .any(|ext| lower.ends_with(ext))
        || lower.contains("init")
}

fn check_file(folder: &Path, row: &FileRow) -> FileReport {
    let path = folder.join(&row.rel_path);
    let on_disk = std::fs::metadata(&path).ok().map(|m| m.len());
    let (check, detail) = if !row.done {
        (FileCheck::Pending, None)
    } else {
        match (on_disk, row.bytes) {
            (None, _) => (
                FileCheck::Missing,
                Some("the file is gone from the title's folder".to_owned()),
            ),
            (Some(n), Some(b)) if i64::try_from(n).ok() != Some(b) => (
                FileCheck::WrongSize,
                Some(format!("{n} bytes on disk, {b} were downloaded")),
            ),
            _ if is_media(&row.rel_path) => match check_top_level_boxes(&path) {
                Ok(()) => (FileCheck::Ok, None),
                Err(reason) => (FileCheck::Damaged, Some(reason)),
            },
            _ => (FileCheck::Ok, None),
        }
    };
    FileReport {
        path: row.rel_path.clone(),
        bytes: row.bytes,
        on_disk,
        check,
        detail,
    }
}

impl Engine {
    async fn file_rows(&self, title_id: i64) -> Result<Vec<FileRow>> {
        sqlx::query_as(
            "SELECT id, rel_path, bytes, done_at IS NOT NULL AS done FROM title_files \
             WHERE title_id = ? ORDER BY id",
        )
        .bind(title_id)
        .fetch_all(self.store().pool())
        .await
        .map_err(Error::db("reading a title's files"))
    }

    /// Re-checks a title's files on disk against what was downloaded. Files that fail are put
    /// back in the queue (their rows become pending) and a completed title is paused with the
    /// reason, so Resume fetches exactly those files again; nothing else is touched.
    pub async fn verify_title(&self, title_id: i64) -> Result<VerifyReport> {
        let title = self.title(title_id).await?;
        let folder = self.titles_dir().join(&title.folder);
        let rows = self.file_rows(title_id).await?;
        let files: Vec<FileReport> = rows.iter().map(|r| check_file(&folder, r)).collect();
        let broken: Vec<i64> = rows
            .iter()
            .zip(&files)
            .filter(|(_, f)| {
                matches!(
                    f.check,
                    FileCheck::Missing | FileCheck::WrongSize | FileCheck::Damaged
                )
            })
            .map(|(r, _)| r.id)
            .collect();
        let summary = if broken.is_empty() {
            let done = files.iter().filter(|f| f.check == FileCheck::Ok).count();
            format!("all {done} downloaded files are intact")
        } else {
            for id in &broken {
                sqlx::query("UPDATE title_files SET done_at = NULL, bytes = NULL WHERE id = ?")
                    .bind(id)
                    .execute(self.store().pool())
                    .await
                    .map_err(Error::db("marking damaged files for download"))?;
            }
            let reason = format!(
                "{} file{} failed verification (missing, wrong size or damaged); Resume downloads {} again",
                broken.len(),
                if broken.len() == 1 { "" } else { "s" },
                if broken.len() == 1 { "it" } else { "them" }
            );
            if matches!(title.state, TitleState::Completed | TitleState::Failed) {
                self.store()
                    .set_title_state(
                        title_id,
                        TitleState::Paused,
                        Some(&reason),
                        self.clock().now_unix_ms(),
                    )
                    .await?;
            }
            tracing::warn!(
                title_id,
                bad = broken.len(),
                "verification found damaged files"
            );
            reason
        };
        Ok(VerifyReport {
            title_id,
            title_name: title.name,
            bad: broken.len(),
            files,
            summary,
        })
    }

    /// Writes a diagnostics bundle into the user's Downloads folder (the data folder when there
    /// is none), named by the time, and returns its path.
    pub async fn export_diagnostics_to_downloads(&self) -> Result<PathBuf> {
        let dir = dirs::download_dir()
            .filter(|d| d.is_dir())
            .unwrap_or_else(|| self.data_dir().root().to_owned());
        let secs = self.clock().now_unix_ms().div_euclid(1000);
        let name = format!("layover-diagnostics-{secs}.zip");
        self.export_diagnostics(&dir.join(name)).await
    }

    /// Everything support staff see, before paths are redacted: secrets are never read, URL
    /// query values are replaced and log lines scrubbed here.
    async fn gather(&self) -> Result<DiagnosticsReport> {
        let app = self.app_info().await?;
        let settings = self.settings().await?;
        let clock = self.clock_status().await?;
        let mut titles = Vec::new();
        for t in self.titles().await? {
            let folder = self.titles_dir().join(&t.folder);
            let files: Vec<FileReport> = self
                .file_rows(t.id)
                .await?
                .iter()
                .map(|r| check_file(&folder, r))
                .collect();
            let (tracks, tracks_note) = match self.title_details(t.id).await {
                Ok(d) => (d.tracks, d.tracks_note),
                Err(e) => (
                    Vec::new(),
                    Some(format!("its tracks could not be listed: {e}")),
                ),
            };
            titles.push(TitleDoc {
                title: Title {
                    source_url: redact_url(&t.source_url),
                    ..t
                },
                tracks,
                tracks_note,
                files,
            });
        }
        let licenses: Vec<LicenseView> = self.licenses().await?;
        let mut history = Vec::new();
        for name in licenses
            .iter()
            .map(|l| {
                l.title_id
                    .map_or_else(|| l.kid.clone(), |id| id.to_string())
            })
            .collect::<std::collections::BTreeSet<_>>()
        {
            if let Ok(d) = self.license_details(&name).await {
                history.push(LicenseHistory {
                    title_name: d.title_name,
                    requests: d.history,
                });
            }
        }
        let providers = self.export_providers().await?;
        let log_lines = last_log_lines(&self.data_dir().logs_dir(), LOG_LINES)
            .iter()
            .map(|l| crate::redact::scrub(l))
            .collect();
        Ok(DiagnosticsReport {
            app,
            os_version: os_version(),
            clock,
            settings,
            titles,
            licenses,
            history,
            providers,
            log_lines,
        })
    }

    /// The Diagnostics view's data: what a bundle holds (the last log lines instead of whole
    /// files), as JSON shaped like [`DiagnosticsReport`], redacted exactly as a bundle is
    /// (tokens and keys never read, URL query values replaced, log lines scrubbed, the data
    /// folder shown as `<data>` and the home folder as `~`).
    pub async fn diagnostics(&self) -> Result<serde_json::Value> {
        let report = self.gather().await?;
        let redacted = Redactor::new(self.data_dir().root()).apply(&json(&report)?);
        serde_json::from_str(&redacted).map_err(|e| Error::Internal(format!("diagnostics: {e}")))
    }

    /// Writes a diagnostics bundle (zip) to `dest` and returns its path. Reads only; secrets
    /// are never opened.
    pub async fn export_diagnostics(&self, dest: &Path) -> Result<PathBuf> {
        let redactor = Redactor::new(self.data_dir().root());
        let report = self.gather().await?;
        let files: Vec<(String, String)> = vec![
            ("README.txt".into(), README.into()),
            (
                "app.json".into(),
                json(&serde_json::json!({
                    "app": report.app,
                    "os_version": report.os_version,
                    "clock": report.clock,
                }))?,
            ),
            ("settings.json".into(), json(&report.settings)?),
            ("titles.json".into(), json(&report.titles)?),
            (
                "licenses.json".into(),
                json(&serde_json::json!({"licenses": report.licenses, "history": report.history}))?,
            ),
            ("providers.json".into(), report.providers),
        ];
        let logs = recent_logs(&self.data_dir().logs_dir(), 4);

        let write_err = |source: std::io::Error| Error::WriteFile {
            path: dest.to_owned(),
            source,
        };
        let part = dest.with_extension("zip.part");
        let file = std::fs::File::create(&part).map_err(write_err)?;
        let mut zip = zip::ZipWriter::new(file);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        let zip_err = |e: zip::result::ZipError| Error::WriteFile {
            path: dest.to_owned(),
            source: std::io::Error::other(e),
        };
        for (name, text) in files {
            zip.start_file(name, options).map_err(zip_err)?;
            zip.write_all(redactor.apply(&text).as_bytes())
                .map_err(write_err)?;
        }
        for log in logs {
            let Ok(text) = std::fs::read_to_string(&log) else {
                continue;
            };
            let name = log
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| "log".into());
            zip.start_file(format!("logs/{name}"), options)
                .map_err(zip_err)?;
            zip.write_all(redactor.apply(&crate::redact::scrub(&text)).as_bytes())
                .map_err(write_err)?;
        }
        zip.finish().map_err(zip_err)?;
        std::fs::rename(&part, dest).map_err(write_err)?;
        tracing::info!(dest = %dest.display(), "diagnostics exported");
        Ok(dest.to_owned())
    }
}

/// How many log lines the Diagnostics view shows.
pub const LOG_LINES: usize = 200;

/// What support staff see: the Diagnostics view's data and a bundle's contents.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct DiagnosticsReport {
    /// The build, its data folder, database and logs.
    pub app: AppInfo,
    /// The operating system's name and version, as it reports them.
    pub os_version: String,
    /// The clock and the latest time seen.
    pub clock: ClockStatus,
    /// Every setting.
    pub settings: Settings,
    /// Every title with its files, each checked now.
    pub titles: Vec<TitleDoc>,
    /// Every license with its policy.
    pub licenses: Vec<LicenseView>,
    /// Each title's license requests, newest first.
    pub history: Vec<LicenseHistory>,
    /// License provider profiles as `layover providers export` writes them (never tokens).
    pub providers: String,
    /// The last lines of the newest logs, oldest first.
    pub log_lines: Vec<String>,
}

/// A title's license requests.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct LicenseHistory {
    /// The title.
    pub title_name: String,
    /// Its requests, newest first.
    pub requests: Vec<HistoryEntry>,
}

/// A title with its tracks and its files, each checked now.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct TitleDoc {
    /// The title (its link with query values replaced).
    #[serde(flatten)]
    pub title: Title,
    /// The tracks that were downloaded.
    pub tracks: Vec<ChosenTrack>,
    /// Why the tracks could not be listed, when they could not.
    pub tracks_note: Option<String>,
    /// Its files.
    pub files: Vec<FileReport>,
}

const README: &str = "Layover diagnostics bundle\n\n\
app.json        version, OS and its version, data folder (as <data>), schema, the clock\n\
settings.json   every setting\n\
titles.json     every title with its tracks, its files and their integrity check now\n\
licenses.json   every license (policy, state, both KID forms) and each title's requests\n\
providers.json  license provider profiles (never tokens)\n\
logs/           the latest log files\n\n\
Redacted: tokens, keys and credentials (never read), URL query values, the data folder (<data>)\n\
and the home folder (~).\n";

fn json<T: Serialize>(v: &T) -> Result<String> {
    serde_json::to_string_pretty(v).map_err(|e| Error::Internal(format!("diagnostics: {e}")))
}

/// A URL with every query value replaced (tokens often travel in query strings).
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.query().is_some() => {
            let pairs: Vec<(String, String)> = u
                .query_pairs()
                .map(|(k, _)| (k.into_owned(), "[redacted]".to_owned()))
                .collect();
            u.query_pairs_mut().clear().extend_pairs(pairs);
            let _ = u.set_password(None);
            u.to_string()
        }
        Ok(mut u) => {
            let _ = u.set_password(None);
            u.to_string()
        }
        Err(_) => url.to_owned(),
    }
}

/// Replaces personal paths in text.
struct Redactor {
    replacements: Vec<(String, &'static str)>,
}

impl Redactor {
    fn new(data_root: &Path) -> Self {
        let mut replacements = vec![(data_root.display().to_string(), "<data>")];
        if let Some(home) = dirs::home_dir() {
            let home = home.display().to_string();
            if home.len() > 1 {
                replacements.push((home, "~"));
            }
        }
        // Longest first, so the data folder inside the home folder becomes <data>, not ~/...
        replacements.sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));
        Self { replacements }
    }

    fn apply(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for (path, with) in &self.replacements {
            if !path.is_empty() {
                out = out.replace(path.as_str(), with);
            }
        }
        out
    }
}

/// The last `n` lines of the newest log files, oldest first.
fn last_log_lines(dir: &Path, n: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for log in recent_logs(dir, 4) {
        let Ok(text) = std::fs::read_to_string(&log) else {
            continue;
        };
        let mut older: Vec<String> = text.lines().map(str::to_owned).collect();
        let keep = n.saturating_sub(lines.len());
        let from = older.len().saturating_sub(keep);
        older.drain(..from);
        older.append(&mut lines);
        lines = older;
        if lines.len() >= n {
            break;
        }
    }
    lines
}

/// The operating system as it names itself: the distribution and kernel on Linux, the product
/// version elsewhere when it can be read, else the family and architecture.
fn os_version() -> String {
    let family = format!("{} {}", std::env::consts::OS, std::env::consts::ARCH);
    let read = |p: &str| std::fs::read_to_string(p).ok();
    let pretty = read("/etc/os-release").and_then(|t| {
        t.lines()
            .find_map(|l| l.strip_prefix("PRETTY_NAME="))
            .map(|v| v.trim_matches('"').to_owned())
    });
    let kernel = read("/proc/sys/kernel/osrelease").map(|k| k.trim().to_owned());
    match (pretty, kernel) {
        (Some(p), Some(k)) => format!("{p}, kernel {k} ({family})"),
        (Some(p), None) => format!("{p} ({family})"),
        (None, Some(k)) => format!("kernel {k} ({family})"),
        (None, None) => family,
    }
}

/// The newest `n` log files.
fn recent_logs(dir: &Path, n: usize) -> Vec<PathBuf> {
    let mut logs: Vec<(std::time::SystemTime, PathBuf)> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains(".log"))
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .collect();
    logs.sort_by_key(|e| std::cmp::Reverse(e.0));
    logs.into_iter().take(n).map(|(_, p)| p).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_lose_query_values_and_passwords() {
        assert_eq!(
            redact_url("https://u:pw@cdn.example/a.mpd?token=abc&x=1"),
            "https://u@cdn.example/a.mpd?token=%5Bredacted%5D&x=%5Bredacted%5D"
        );
        assert_eq!(
            redact_url("https://cdn.example/a.mpd"),
            "https://cdn.example/a.mpd"
        );
    }

    #[test]
    fn paths_become_placeholders_longest_first() {
        let r = Redactor {
            replacements: vec![
                ("/home/ana/.local/share/layover".into(), "<data>"),
                ("/home/ana".into(), "~"),
            ],
        };
        assert_eq!(
            r.apply("db at /home/ana/.local/share/layover/layover.db, video in /home/ana/x"),
            "db at <data>/layover.db, video in ~/x"
        );
    }
}
