//! `layover download` and `layover downloads`.

use std::io::{IsTerminal, Write};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use layover_engine::library::plan::{TrackChoice, VideoChoice};
use layover_engine::{DownloadProgress, Engine, Title, TitleState};

use crate::format::duration;

/// The track choice: Settings' defaults, overridden by `--video`, `--audio` and `--subs`.
pub fn choice(
    defaults: TrackChoice,
    video: Option<&str>,
    audio: Option<&str>,
    subs: Option<&str>,
) -> Result<TrackChoice> {
    let list = |s: &str| {
        s.split(',')
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    Ok(TrackChoice {
        video: match video {
            Some(v) => VideoChoice::parse(v).map_err(anyhow::Error::msg)?,
            None => defaults.video,
        },
        audio: audio.map(list).or(defaults.audio),
        subs: match subs {
            Some(s) if s.trim().eq_ignore_ascii_case("none") => Some(Vec::new()),
            Some(s) => Some(list(s)),
            None => defaults.subs,
        },
    })
}

/// Adds the link (or finds its unfinished title) and downloads it in the foreground.
pub async fn run(engine: &Engine, url: &str, choice: &TrackChoice) -> Result<()> {
    let title = engine.add_link_with(url, choice).await?;
    run_title(engine, title).await
}

/// Downloads a title in the foreground; Ok only when it completes.
pub async fn run_title(engine: &Engine, title: Title) -> Result<()> {
    if title.bytes_done > 0 && title.state != TitleState::Completed {
        eprintln!(
            "Resuming \"{}\" from {}",
            title.name,
            size(title.bytes_done)
        );
    } else {
        eprintln!("Downloading \"{}\"", title.name);
    }
    let bar = Bar::new();
    let title = engine.download(title.id, &|p| bar.show(p)).await?;
    bar.finish();
    match title.state {
        TitleState::Completed => {
            let folder = engine.titles_dir().join(&title.folder);
            println!(
                "Completed \"{}\": {} in {}",
                title.name,
                size(title.bytes_done),
                folder.display()
            );
            Ok(())
        }
        state => bail!(
            "\"{}\" {}: {}",
            title.name,
            if state == TitleState::Paused {
                "is paused"
            } else {
                state_word(state)
            },
            title
                .state_reason
                .as_deref()
                .unwrap_or("no reason recorded")
        ),
    }
}

/// Lists the library.
pub async fn list(engine: &Engine, json: bool) -> Result<()> {
    let titles = engine.titles().await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&titles)?);
        return Ok(());
    }
    if titles.is_empty() {
        println!("No titles yet. Add one with `layover download <LINK>`.");
        return Ok(());
    }
    for t in &titles {
        println!(
            "{:>4}  {:<11}  {:>22}  {}",
            t.id,
            state_word(t.state),
            amount(t),
            t.name
        );
        if let Some(reason) = &t.state_reason {
            println!("      {reason}");
        }
    }
    Ok(())
}

fn amount(t: &Title) -> String {
    match t.bytes_total {
        Some(total) if t.state != TitleState::Completed => {
            format!("{} of {}", size(t.bytes_done), size(total))
        }
        _ => size(t.bytes_done),
    }
}

fn state_word(s: TitleState) -> &'static str {
    match s {
        TitleState::Queued => "queued",
        TitleState::Downloading => "downloading",
        TitleState::Paused => "paused",
        TitleState::Completed => "ready",
        TitleState::Failed => "failed",
        TitleState::Removing => "removing",
    }
}

/// Bytes as `12.3 MB` (decimal units, as disks are sold and file managers show).
pub fn size(bytes: i64) -> String {
    let b = bytes.max(0) as f64;
    match b {
        b if b >= 1e9 => format!("{:.2} GB", b / 1e9),
        b if b >= 1e6 => format!("{:.1} MB", b / 1e6),
        b if b >= 1e3 => format!("{:.0} kB", b / 1e3),
        b => format!("{b} B"),
    }
}

/// A one-line progress bar on stderr (redrawn in a terminal, a line every 5 s otherwise).
struct Bar {
    start: Instant,
    state: Mutex<BarState>,
    tty: bool,
}

struct BarState {
    first_bytes: Option<i64>,
    last_line: Option<Instant>,
}

impl Bar {
    fn new() -> Self {
        Self {
            start: Instant::now(),
            state: Mutex::new(BarState {
                first_bytes: None,
                last_line: None,
            }),
            tty: std::io::stderr().is_terminal(),
        }
    }

    fn show(&self, p: DownloadProgress) {
        let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let first = *st.first_bytes.get_or_insert(p.bytes_done);
        let elapsed = self.start.elapsed().as_secs_f64().max(0.001);
        let speed = (p.bytes_done - first).max(0) as f64 / elapsed;
        let mut line = match p.bytes_total {
            Some(total) if total > 0 => format!(
                "{} of {} ({:.0}%)",
                size(p.bytes_done),
                size(total),
                100.0 * p.bytes_done as f64 / total as f64
            ),
            _ => size(p.bytes_done),
        };
        line.push_str(&format!("  {}/s", size(speed as i64)));
        if let Some(total) = p.bytes_total
            && speed > 0.0
        {
            let eta = ((total - p.bytes_done).max(0) as f64 / speed) as u64;
            line.push_str(&format!("  {} left", duration(eta)));
        }
        let mut err = std::io::stderr();
        if self.tty {
            let _ = write!(err, "\r\x1b[2K  {line}");
            let _ = err.flush();
        } else if st
            .last_line
            .is_none_or(|t| t.elapsed() >= Duration::from_secs(5))
        {
            let _ = writeln!(err, "  {line}");
            st.last_line = Some(Instant::now());
        }
    }

    fn finish(&self) {
        if self.tty {
            let _ = writeln!(std::io::stderr());
        }
    }
}
