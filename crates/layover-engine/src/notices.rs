//! Desktop notifications for downloads: what to say when a title finishes or fails, said once
//! per event. The app's shell only shows what this returns (licenses about to expire are
//! announced by license upkeep).
//!
//! A [`DownloadWatch`] remembers each title's state as last seen. It starts from the library as
//! it is when the app opens, so what finished or failed before is not announced again; after
//! that, each change *into* completed or failed is one notice, whoever did the download (this
//! window, or `layover download` meanwhile).

use std::collections::HashMap;

use crate::Engine;
use crate::error::Result;
use crate::library::{Title, TitleState};

/// A notification: a headline and a sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// The headline.
    pub title: String,
    /// What happened and what to do.
    pub body: String,
}

/// Each title's state when last looked at.
#[derive(Debug, Default, Clone)]
pub struct DownloadWatch {
    seen: HashMap<i64, TitleState>,
}

impl DownloadWatch {
    /// Starts from the library as it is now: nothing in it is announced.
    pub fn new(titles: &[Title]) -> Self {
        Self {
            seen: titles.iter().map(|t| (t.id, t.state)).collect(),
        }
    }

    /// The notices for what changed since the last look, and remembers the new states.
    pub fn observe(&mut self, titles: &[Title]) -> Vec<Notice> {
        let mut out = Vec::new();
        for t in titles {
            let before = self.seen.insert(t.id, t.state);
            if before != Some(t.state)
                && let Some(n) = download_notice(t)
            {
                out.push(n);
            }
        }
        // Deleted titles are forgotten.
        if self.seen.len() > titles.len() {
            let ids: std::collections::HashSet<i64> = titles.iter().map(|t| t.id).collect();
            self.seen.retain(|id, _| ids.contains(id));
        }
        out
    }
}

/// What to say about a title that has just reached its state, if anything.
pub fn download_notice(t: &Title) -> Option<Notice> {
    match t.state {
        TitleState::Completed => Some(Notice {
            title: format!("\"{}\" is ready to watch", t.name),
            body: match t.bytes_total.or(Some(t.bytes_done)).filter(|b| *b > 0) {
                Some(b) => format!(
                    "Downloaded ({}). It plays offline from the Library.",
                    size_text(b)
                ),
                None => "Downloaded. It plays offline from the Library.".into(),
            },
        }),
        TitleState::Failed => Some(Notice {
            title: format!("\"{}\" could not be downloaded", t.name),
            body: match t.state_reason.as_deref().filter(|r| !r.trim().is_empty()) {
                Some(reason) => format!("{}. Downloads has Try again.", capitalised(reason)),
                None => "Downloads says why and has Try again.".into(),
            },
        }),
        _ => None,
    }
}

fn capitalised(s: &str) -> String {
    let s = s.trim().trim_end_matches('.');
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// Bytes as a person reads them: "734 MB", "1.2 GB".
fn size_text(bytes: i64) -> String {
    const MB: f64 = 1_000_000.0;
    let b = bytes as f64;
    if b >= 1000.0 * MB {
        format!("{:.1} GB", b / (1000.0 * MB))
    } else if b >= MB {
        format!("{:.0} MB", b / MB)
    } else {
        format!("{:.0} kB", (b / 1000.0).max(1.0))
    }
}

impl Engine {
    /// The download notices due since `watch` last looked, or none when notifications are off
    /// in Settings (the watch still moves on, so turning them on later announces nothing old).
    pub async fn download_notices(&self, watch: &mut DownloadWatch) -> Result<Vec<Notice>> {
        let notices = watch.observe(&self.titles().await?);
        if notices.is_empty() || !self.settings().await?.notifications {
            return Ok(Vec::new());
        }
        Ok(notices)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::TitleKind;

    fn title(id: i64, state: TitleState, reason: Option<&str>) -> Title {
        Title {
            id,
            name: format!("Title {id}"),
            source_url: "https://cdn.example/a.mpd".into(),
            kind: TitleKind::Dash,
            state,
            state_reason: reason.map(Into::into),
            bytes_done: 1_500_000,
            bytes_total: Some(734_000_000),
            folder: format!("{id}"),
            queue_position: 0,
            created_at: 0,
            completed_at: None,
        }
    }

    #[test]
    fn what_was_there_at_start_is_not_announced() {
        let start = [
            title(1, TitleState::Completed, None),
            title(2, TitleState::Failed, Some("gone")),
        ];
        let mut w = DownloadWatch::new(&start);
        assert!(w.observe(&start).is_empty());
    }

    #[test]
    fn each_finish_and_failure_once() {
        let mut w = DownloadWatch::new(&[
            title(1, TitleState::Downloading, None),
            title(2, TitleState::Queued, None),
        ]);
        let now = [
            title(1, TitleState::Completed, None),
            title(
                2,
                TitleState::Failed,
                Some("the server says the link expired (HTTP 410)"),
            ),
        ];
        let n = w.observe(&now);
        assert_eq!(
            n,
            vec![
                Notice {
                    title: "\"Title 1\" is ready to watch".into(),
                    body: "Downloaded (734 MB). It plays offline from the Library.".into(),
                },
                Notice {
                    title: "\"Title 2\" could not be downloaded".into(),
                    body: "The server says the link expired (HTTP 410). Downloads has Try again."
                        .into(),
                },
            ]
        );
        assert!(w.observe(&now).is_empty(), "once per event");
        // Tried again and finished: a new event.
        w.observe(&[title(2, TitleState::Downloading, None)]);
        let again = w.observe(&[title(2, TitleState::Completed, None)]);
        assert_eq!(again.len(), 1);
        assert!(again[0].title.contains("ready"));
    }

    #[test]
    fn paused_and_queued_say_nothing_and_new_titles_count() {
        let mut w = DownloadWatch::new(&[]);
        assert!(w.observe(&[title(1, TitleState::Paused, None)]).is_empty());
        assert!(w.observe(&[title(3, TitleState::Queued, None)]).is_empty());
        // A title that appeared and finished between two looks (the CLI downloaded it).
        assert_eq!(w.observe(&[title(4, TitleState::Completed, None)]).len(), 1);
    }

    #[test]
    fn sizes_and_missing_reasons_in_words() {
        assert_eq!(size_text(1_234_000_000), "1.2 GB");
        assert_eq!(size_text(12), "1 kB");
        let t = Title {
            bytes_total: None,
            bytes_done: 0,
            ..title(1, TitleState::Completed, None)
        };
        assert_eq!(
            download_notice(&t).unwrap().body,
            "Downloaded. It plays offline from the Library."
        );
        let f = title(2, TitleState::Failed, Some("  "));
        assert_eq!(
            download_notice(&f).unwrap().body,
            "Downloads says why and has Try again."
        );
    }

    #[tokio::test]
    async fn from_the_library_and_only_when_the_setting_is_on() {
        use crate::{DataDir, DataDirSource, SettingsPatch};
        let dir = tempfile::tempdir().unwrap();
        let engine = Engine::open(DataDir::at(dir.path(), DataDirSource::Flag))
            .await
            .unwrap();
        let store = engine.store();
        let a = store
            .insert_title(
                "Sintel",
                "https://cdn.example/s.mpd",
                TitleKind::Dash,
                &[],
                None,
                None,
                1,
            )
            .await
            .unwrap();
        let b = store
            .insert_title(
                "Tears",
                "https://cdn.example/t.mpd",
                TitleKind::Dash,
                &[],
                None,
                None,
                1,
            )
            .await
            .unwrap();
        let mut w = DownloadWatch::new(&engine.titles().await.unwrap());
        assert!(engine.download_notices(&mut w).await.unwrap().is_empty());

        store
            .set_title_state(a, TitleState::Completed, None, 2)
            .await
            .unwrap();
        let n = engine.download_notices(&mut w).await.unwrap();
        assert_eq!(n.len(), 1);
        assert_eq!(n[0].title, "\"Sintel\" is ready to watch");
        assert!(engine.download_notices(&mut w).await.unwrap().is_empty());

        engine
            .update_settings(SettingsPatch {
                notifications: Some(false),
                ..SettingsPatch::default()
            })
            .await
            .unwrap();
        store
            .set_title_state(b, TitleState::Failed, Some("no space left"), 3)
            .await
            .unwrap();
        assert!(
            engine.download_notices(&mut w).await.unwrap().is_empty(),
            "off in Settings"
        );
        engine
            .update_settings(SettingsPatch {
                notifications: Some(true),
                ..SettingsPatch::default()
            })
            .await
            .unwrap();
        assert!(
            engine.download_notices(&mut w).await.unwrap().is_empty(),
            "what happened while they were off is not announced later"
        );
    }
}
