//! `layover title show`: a title's page in the terminal (what the app's title page shows).

use anyhow::Result;
use layover_engine::Engine;
use layover_engine::licenses::Deadline;

use crate::download::size;
use crate::format::{duration, utc};

pub async fn show(engine: &Engine, query: &str, json: bool) -> Result<()> {
    let t = engine.find_title(query).await?;
    let d = engine.title_details(t.id).await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&d)?);
        return Ok(());
    }
    let s = |ms: i64| utc(ms.div_euclid(1000));
    println!("{} (#{})", d.title.name, d.title.id);
    println!("  state:         {}", d.title.state.as_str());
    if let Some(r) = &d.title.state_reason {
        println!("  why:           {r}");
    }
    println!("  delivery:      {}", d.delivery);
    println!("  source:        {}", d.source_url);
    println!("  added:         {}", s(d.title.created_at));
    if let Some(c) = d.title.completed_at {
        println!("  downloaded:    {}", s(c));
    }
    println!("  size on disk:  {}", size(d.bytes_on_disk));
    println!(
        "  files:         {} of {} downloaded",
        d.files_done, d.files
    );
    println!("  folder:        {}", d.folder_path);
    if d.tracks.is_empty() {
        println!(
            "  tracks:        {}",
            d.tracks_note.as_deref().unwrap_or("none listed")
        );
    }
    for tr in &d.tracks {
        println!("  {:<14} {}", format!("{}:", tr.kind), tr.label);
    }
    match &d.summary {
        None => println!("  license:       none held"),
        Some(sum) => {
            println!(
                "  license:       {} ({} key{}){}",
                sum.status.as_str(),
                sum.licenses,
                if sum.licenses == 1 { "" } else { "s" },
                sum.reason
                    .as_deref()
                    .map(|r| format!(": {r}"))
                    .unwrap_or_default()
            );
            let window = match (sum.begin_ms, sum.license_end_ms) {
                (Some(b), Some(e)) => format!("from {} until {}", s(b), s(e)),
                (None, Some(e)) => format!("until {}", s(e)),
                (Some(b), None) => format!("from {}, no end date", s(b)),
                (None, None) => "no end date".to_owned(),
            };
            println!("  license window: {window}");
            let playback = match (sum.playback_window_secs, sum.first_play_ms) {
                (None, _) => "none".to_owned(),
                (Some(w), None) => format!(
                    "{} from the first play (not started)",
                    duration(u64::try_from(w).unwrap_or(0))
                ),
                (Some(w), Some(f)) => format!(
                    "started {}, ends {}",
                    s(f),
                    s(f.saturating_add(w.saturating_mul(1000)))
                ),
            };
            println!("  playback window: {playback}");
            if let Some(e) = sum.expires_ms {
                let which = match sum.deadline {
                    Some(Deadline::PlaybackWindow) => "the playback window decides",
                    _ => "the license window decides",
                };
                println!("  playable until: {} ({which})", s(e));
            }
        }
    }
    match &d.playback.reason {
        Some(r) => println!("  play:          {r}"),
        None => println!("  play:          ready ({})", d.playback.path),
    }
    Ok(())
}
