//! `layover inspect` and `layover decrypt`.

use std::path::Path;

use anyhow::Result;
use layover_engine::decrypt_folder;
use layover_engine::manifest::{self, ManifestReport};
use layover_engine::media::{InspectReport, KidReport, decrypt_mp4, inspect_file, key_store};

use crate::download::size;

pub async fn inspect(target: &str, json: bool) -> Result<()> {
    if manifest::looks_like_manifest(target) {
        let r = manifest::inspect(target).await?;
        if json {
            println!("{}", serde_json::to_string_pretty(&r)?);
        } else {
            print_manifest(&r);
        }
        return Ok(());
    }
    let r = inspect_file(Path::new(target))?;
    if json {
        println!("{}", serde_json::to_string_pretty(&r)?);
    } else {
        print_report(&r);
    }
    Ok(())
}

pub fn decrypt(input: &Path, output: &Path, keys: &[String]) -> Result<()> {
    if decrypt_folder::is_folder(input) {
        let store = key_store(keys)?;
        let r = decrypt_folder::decrypt_folder(input, output, &store)?;
        println!("Read {}", r.manifest.display());
        for t in &r.tracks {
            println!(
                "Wrote {} ({}, {} segments, {})",
                t.output.display(),
                t.kind,
                t.segments,
                size(t.bytes as i64)
            );
        }
        return Ok(());
    }
    let r = decrypt_mp4(input, output, keys)?;
    println!("Wrote {} ({})", r.output.display(), size(r.bytes as i64));
    Ok(())
}

fn kids(k: &[KidReport]) -> String {
    if k.is_empty() {
        return "none".into();
    }
    k.iter()
        .map(|k| format!("{} (PlayReady {})", k.uuid, k.playready_base64))
        .collect::<Vec<_>>()
        .join(", ")
}

fn print_report(r: &InspectReport) {
    let layout = if r.fragments > 0 {
        format!("fragmented, {} fragments", r.fragments)
    } else {
        "not fragmented".into()
    };
    println!("{}: {}, {}", r.file, size(r.size as i64), layout);
    println!();
    println!("Tracks:");
    for t in &r.tracks {
        let mut line = format!("  #{} {} {}", t.track_id, t.kind, t.codecs.join("/"));
        if let Some(lang) = &t.language {
            line.push_str(&format!(", language {lang}"));
        }
        if let Some(d) = t.duration_secs.filter(|d| *d > 0.0) {
            line.push_str(&format!(", {d:.1} s"));
        }
        match &t.scheme {
            Some(s) => line.push_str(&format!(", encrypted ({s}), KIDs {}", kids(&t.kids))),
            None => line.push_str(", clear"),
        }
        println!("{line}");
    }
    println!();
    if r.protection.is_empty() {
        println!("Protection systems: none declared in the file (keys may come from the manifest)");
    }
    for p in &r.protection {
        println!("{} ({}), from {}", p.system, p.system_id, p.source);
        println!("  KIDs: {}", kids(&p.kids));
        if let Some(pr) = &p.playready {
            println!("  WRMHEADER {}", pr.version);
            let algids: Vec<&str> = pr
                .algids
                .iter()
                .map(|a| a.as_deref().unwrap_or("-"))
                .collect();
            println!("  ALGID: {}", algids.join(", "));
            println!(
                "  LA_URL: {}",
                pr.la_url
                    .as_deref()
                    .unwrap_or("none (the app's license profile must give one)")
            );
            if let Some(u) = &pr.lui_url {
                println!("  LUI_URL: {u}");
            }
            if let Some(d) = &pr.ds_id {
                println!("  DS_ID: {d}");
            }
            if let Some(c) = &pr.custom_attributes {
                println!("  CUSTOMATTRIBUTES: {c}");
            }
        }
        if let Some(w) = &p.widevine {
            if let Some(s) = &w.protection_scheme {
                println!("  scheme: {s}");
            }
            if let Some(pv) = &w.provider {
                println!("  provider: {pv}");
            }
            if let Some(c) = &w.content_id {
                println!("  content id: {c}");
            }
        }
        if let Some(e) = &p.unreadable {
            println!("  the header could not be read: {e}");
        }
    }
}

fn print_manifest(r: &ManifestReport) {
    let duration = r
        .duration_secs
        .map_or_else(|| "unknown duration".to_owned(), |d| format!("{d:.1} s"));
    println!(
        "{}: {:?} manifest, {duration}, {} period(s), {} tracks",
        r.source,
        r.kind,
        r.periods,
        r.tracks.len()
    );
    for t in &r.tracks {
        let mut line = format!("  {:?} {}", t.kind, t.id).to_lowercase();
        if let Some(c) = &t.codec {
            line.push_str(&format!(" {c}"));
        }
        if let Some(b) = t.bitrate {
            line.push_str(&format!(", {} kbit/s", b / 1000));
        }
        if let (Some(w), Some(h)) = (t.width, t.height) {
            line.push_str(&format!(", {w}x{h}"));
        }
        if let Some(f) = t.frame_rate {
            line.push_str(&format!(" @ {f:.3} fps"));
        }
        if let Some(l) = &t.language {
            line.push_str(&format!(", language {l}"));
        }
        if !t.roles.is_empty() {
            line.push_str(&format!(", roles {}", t.roles.join("/")));
        }
        if t.segments > 0 {
            line.push_str(&format!(
                ", {} segments ({:.1} s)",
                t.segments, t.segments_duration_secs
            ));
        }
        println!("{line}");
        if let Some(n) = &t.note {
            println!("    note: {n}");
        }
        for p in &t.protection {
            let mut l = format!("    {:?}", p.system);
            if let Some(s) = &p.scheme {
                l.push_str(&format!(" {s}"));
            }
            if let Some(k) = &p.default_kid {
                l.push_str(&format!(
                    ", KID {} (PlayReady {})",
                    k.uuid, k.playready_base64
                ));
            }
            if let Some(v) = &p.playready_version {
                l.push_str(&format!(", WRMHEADER {v}"));
            }
            if let Some(u) = &p.la_url {
                l.push_str(&format!(", LA_URL {u}"));
            }
            if !p.playable_on_desktop {
                l.push_str(" (cannot play on this desktop)");
            }
            println!("{l}");
        }
    }
}
