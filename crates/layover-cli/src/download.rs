//! `layover download` and `layover downloads`.

use std::io::{IsTerminal, Write};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use layover_engine::library::QueueProgress;
use layover_engine::library::plan::{TrackChoice, VideoChoice};
use layover_engine::library::queue::QueuePlace;
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

/// `layover pause <TITLE>` or `layover pause --all`.
pub async fn pause(engine: &Engine, title: Option<String>, all: bool) -> Result<()> {
    if all {
        let n = engine.pause_all().await?;
        println!("Paused {n} title{}", if n == 1 { "" } else { "s" });
        return Ok(());
    }
    let t = engine
        .find_title(title.as_deref().unwrap_or_default())
        .await?;
    let t = engine.pause(t.id).await?;
    println!("Paused \"{}\" at {}", t.name, size(t.bytes_done));
    Ok(())
}

/// `layover resume <TITLE>` (that title, in the foreground) or `layover resume --all` (the
/// whole queue, `parallel_downloads` at once, in the foreground).
pub async fn resume(engine: &Engine, title: Option<String>, all: bool) -> Result<()> {
    if !all {
        let t = engine
            .find_title(title.as_deref().unwrap_or_default())
            .await?;
        let t = engine.resume(t.id).await?;
        return run_title(engine, t).await;
    }
    let n = engine.resume_all().await?;
    eprintln!(
        "Resumed {n} paused title{}; downloading the queue",
        if n == 1 { "" } else { "s" }
    );
    let bar = Bar::new();
    let ran = engine.resume_unfinished(&|p| bar.show_many(p)).await?;
    bar.finish();
    let mut unfinished = 0;
    for t in &ran {
        match t.state {
            TitleState::Completed => println!("Completed \"{}\": {}", t.name, size(t.bytes_done)),
            s => {
                unfinished += 1;
                println!(
                    "\"{}\" {}: {}",
                    t.name,
                    state_word(s),
                    t.state_reason.as_deref().unwrap_or("no reason recorded")
                );
            }
        }
    }
    if unfinished > 0 {
        bail!("{unfinished} of {} titles did not complete", ran.len());
    }
    Ok(())
}

/// `layover move <TITLE> --to N|top|bottom|up|down`.
pub async fn move_title(engine: &Engine, title: &str, to: &str) -> Result<()> {
    let place = QueuePlace::parse(to).map_err(anyhow::Error::msg)?;
    let t = engine.find_title(title).await?;
    let titles = engine.move_title(t.id, place).await?;
    let waiting: Vec<&Title> = titles
        .iter()
        .filter(|t| t.state != TitleState::Completed)
        .collect();
    if let Some(n) = waiting.iter().position(|x| x.id == t.id) {
        println!(
            "Moved \"{}\" to place {} of {}",
            t.name,
            n + 1,
            waiting.len()
        );
    }
    Ok(())
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
    // Titles still to download are numbered in queue order (the order they start in).
    let mut place = 0;
    for t in &titles {
        let order = if t.state == TitleState::Completed {
            "     ".to_owned()
        } else {
            place += 1;
            format!("{:>4}.", place)
        };
        println!(
            "{order} {:>4}  {:<11}  {:>22}  {}",
            t.id,
            state_word(t.state),
            amount(t),
            t.name
        );
        if let Some(reason) = &t.state_reason {
            println!("            {reason}");
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
    state: Mutex<BarState>,
    tty: bool,
}

struct BarState {
    last_line: Option<Instant>,
    many: std::collections::BTreeMap<i64, DownloadProgress>,
}

impl Bar {
    fn new() -> Self {
        Self {
            state: Mutex::new(BarState {
                last_line: None,
                many: std::collections::BTreeMap::new(),
            }),
            tty: std::io::stderr().is_terminal(),
        }
    }

    fn show(&self, p: DownloadProgress) {
        let mut line = match p.bytes_total {
            Some(total) if total > 0 => format!(
                "{} of {} ({:.0}%)",
                size(p.bytes_done),
                size(total),
                100.0 * p.bytes_done as f64 / total as f64
            ),
            _ => size(p.bytes_done),
        };
        line.push_str(&format!("  {}/s", size(p.bytes_per_sec)));
        if let Some(eta) = p.eta_secs {
            line.push_str(&format!("  {} left", duration(eta.max(0) as u64)));
        }
        self.draw(&line);
    }

    /// Progress of several downloads: each title's line is folded into one total.
    fn show_many(&self, p: DownloadProgress) {
        let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        st.many.insert(p.title_id, p);
        let all = QueueProgress::of(st.many.values().copied().collect());
        drop(st);
        let mut line = format!(
            "{} titles: {} of {}  {}/s",
            all.downloads.len(),
            size(all.bytes_done),
            size(all.bytes_total),
            size(all.bytes_per_sec)
        );
        if let Some(eta) = all.eta_secs {
            line.push_str(&format!("  {} left", duration(eta.max(0) as u64)));
        }
        self.draw(&line);
    }

    fn draw(&self, line: &str) {
        let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
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
