//! `layover licenses`, `layover license show|acquire|renew|release` and `layover providers`.

use std::collections::BTreeMap;
use std::io::Read as _;

use anyhow::{Context, Result, bail};
use layover_engine::Engine;
use layover_engine::licenses::{
    AmsDelivery, LicenseStatus, LicenseView, Operation, PlayReadyClient, ProviderKind,
    ProviderProfile, ProviderSecrets,
};

use crate::args::{LicenseCommand, ProviderArgs, ProvidersCommand};
use crate::format::{duration, utc};

/// When a license stops being playable, in words.
fn remaining(v: &LicenseView) -> String {
    match (v.status, v.remaining_secs) {
        (LicenseStatus::Expired, _) => "expired".into(),
        (LicenseStatus::Valid | LicenseStatus::ExpiringSoon, None) => "no end".into(),
        (LicenseStatus::Valid | LicenseStatus::ExpiringSoon, Some(s)) => {
            let deadline = match v.deadline {
                Some(layover_engine::licenses::Deadline::PlaybackWindow) => " (playback window)",
                _ => "",
            };
            format!("{} left{deadline}", duration(s))
        }
        (LicenseStatus::NotYetValid, _) => v
            .begin_ms
            .map(|b| format!("starts {}", utc(b.div_euclid(1000))))
            .unwrap_or_default(),
        _ => v.status_reason.clone().unwrap_or_default(),
    }
}

pub async fn list(engine: &Engine, expiring: Option<u64>, sync: bool, json: bool) -> Result<()> {
    if sync {
        let report = engine.license_upkeep().await?;
        if !json {
            for t in &report.renewed {
                println!("renewed: {t}");
            }
            for t in &report.acquired {
                println!("acquired: {t}");
            }
            for f in &report.failed {
                println!("failed: {f}");
            }
            if report.released > 0 || report.release_queued > 0 {
                println!(
                    "releases: {} sent, {} still queued",
                    report.released, report.release_queued
                );
            }
        }
    }
    let licenses = match expiring {
        Some(secs) => engine.licenses_expiring_within(secs).await?,
        None => engine.licenses().await?,
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&licenses)?);
        return Ok(());
    }
    if licenses.is_empty() {
        println!(
            "{}",
            if expiring.is_some() {
                "No license expires in that span."
            } else {
                "No licenses yet. Licenses are acquired when a protected title downloads \
                 (or with `layover license acquire <TITLE>`)."
            }
        );
        return Ok(());
    }
    if licenses.iter().any(|l| l.clock_rolled_back) {
        println!(
            "note: the system clock is behind the latest time Layover has seen; times count from that time\n"
        );
    }
    println!(
        "{:<4} {:<28} {:<36} {:<10} {:<14} REMAINING",
        "ID", "TITLE", "KID", "SYSTEM", "STATE"
    );
    for l in &licenses {
        println!(
            "{:<4} {:<28} {:<36} {:<10} {:<14} {}",
            l.title_id
                .map(|i| i.to_string())
                .unwrap_or_else(|| "-".into()),
            truncate(&l.title_name, 28),
            l.kid,
            l.system,
            l.status.as_str(),
            remaining(l)
        );
    }
    Ok(())
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}

fn ms(t: Option<i64>) -> String {
    t.map_or_else(|| "-".into(), |t| utc(t.div_euclid(1000)))
}

pub async fn license(engine: &Engine, cmd: LicenseCommand) -> Result<()> {
    match cmd {
        LicenseCommand::Parse { .. } => bail!("`license parse` is run without the library"),
        LicenseCommand::Show { title, flags } => {
            let details = engine.license_details(&title).await?;
            if flags.json {
                println!("{}", serde_json::to_string_pretty(&details)?);
                return Ok(());
            }
            println!("{}", details.title_name);
            if details.licenses.is_empty() {
                println!("  no licenses recorded (the title may be clear, or not acquired yet)");
            }
            for l in &details.licenses {
                println!();
                println!("  KID {}  (PlayReady: {})", l.kid, l.kid_playready);
                println!("    state:        {}  {}", l.status.as_str(), remaining(l));
                if let Some(r) = &l.status_reason {
                    println!("    why:          {r}");
                }
                println!(
                    "    system:       {} via {}{}",
                    l.system,
                    if l.cdm.is_empty() { "-" } else { &l.cdm },
                    l.provider
                        .as_deref()
                        .map(|p| format!(", provider {p}"))
                        .unwrap_or_default()
                );
                if let Some(s) = &l.server {
                    println!("    server:       {s}");
                }
                println!(
                    "    persistent:   {}{}",
                    if l.persistent { "yes" } else { "no" },
                    l.security_level
                        .map(|s| format!(", security level {s}"))
                        .unwrap_or_default()
                );
                println!("    begins:       {}", ms(l.begin_ms));
                println!(
                    "    license ends: {}",
                    l.license_end_ms
                        .map_or_else(|| "unlimited".into(), |t| utc(t.div_euclid(1000)))
                );
                match (l.playback_window_secs, l.first_play_ms) {
                    (Some(w), Some(first)) => println!(
                        "    playback:     {} window, started {}",
                        duration(u64::try_from(w).unwrap_or(0)),
                        utc(first.div_euclid(1000))
                    ),
                    (Some(w), None) => println!(
                        "    playback:     {} window from first play (not played yet)",
                        duration(u64::try_from(w).unwrap_or(0))
                    ),
                    _ => println!("    playback:     no playback window"),
                }
                println!("    acquired:     {}", ms(l.acquired_ms));
                if l.renewed_ms.is_some() {
                    println!("    renewed:      {}", ms(l.renewed_ms));
                }
            }
            println!();
            println!(
                "  requests: {} (providers bill per request)",
                details.requests
            );
            for h in &details.history {
                println!(
                    "    {}  {:<8} {:<7} {}{}{} {}",
                    utc(h.at_ms.div_euclid(1000)),
                    h.operation,
                    h.outcome,
                    h.http_status
                        .map(|s| format!("HTTP {s} "))
                        .unwrap_or_default(),
                    h.fault_code
                        .as_deref()
                        .map(|c| format!("{c} "))
                        .unwrap_or_default(),
                    h.latency_ms.map(|l| format!("{l} ms")).unwrap_or_default(),
                    h.message.as_deref().unwrap_or_default()
                );
            }
        }
        LicenseCommand::Acquire { title, provider } => {
            let t = engine.find_title(&title).await?;
            if provider.is_some() {
                engine.set_title_provider(t.id, provider.as_deref()).await?;
            }
            let licenses = engine.acquire_licenses(t.id, Operation::Acquire).await?;
            print_outcome(&t.name, &licenses, "has");
        }
        LicenseCommand::Renew { title } => {
            let t = engine.find_title(&title).await?;
            let licenses = engine.acquire_licenses(t.id, Operation::Renew).await?;
            print_outcome(&t.name, &licenses, "renewed:");
        }
        LicenseCommand::Release { title } => {
            let t = engine.find_title(&title).await?;
            let licenses = engine.release_licenses(t.id).await?;
            for l in &licenses {
                println!("{} {}: {}", t.name, l.kid, l.status.as_str());
            }
            if licenses.is_empty() {
                println!("\"{}\" holds no licenses", t.name);
            }
        }
    }
    Ok(())
}

fn print_outcome(name: &str, licenses: &[LicenseView], verb: &str) {
    if licenses.is_empty() {
        println!("\"{name}\" is not protected: it needs no license");
        return;
    }
    for l in licenses {
        println!(
            "\"{name}\" {verb} {} license for {}: {} ({})",
            l.system,
            l.kid,
            l.status.as_str(),
            remaining(l)
        );
    }
}

fn pairs(items: &[String], what: &str) -> Result<BTreeMap<String, String>> {
    items
        .iter()
        .map(|i| {
            i.split_once('=')
                .map(|(k, v)| (k.trim().to_owned(), v.to_owned()))
                .with_context(|| format!("{what} `{i}` is not NAME=VALUE"))
        })
        .collect()
}

fn read_token() -> Result<String> {
    let mut token = String::new();
    std::io::stdin()
        .read_to_string(&mut token)
        .context("reading the token from standard input")?;
    let token = token.trim().to_owned();
    if token.is_empty() {
        bail!("no token on standard input; pipe it in, e.g. `... < token.txt`");
    }
    Ok(token)
}

fn profile_of(a: &ProviderArgs) -> Result<ProviderProfile> {
    let kind = ProviderKind::parse(&a.kind).with_context(|| {
        format!(
            "`{}` is not a provider kind: use ams, playready, clearkey or aes_key",
            a.kind
        )
    })?;
    let ams_delivery = match a.ams_delivery.as_deref() {
        None | Some("playready") => AmsDelivery::Playready,
        Some("aes_key") => AmsDelivery::AesKey,
        Some(o) => bail!("`{o}` is not an AMS delivery: use playready or aes_key"),
    };
    let playready_client = match a.client.as_deref() {
        None | Some("auto") => PlayReadyClient::Auto,
        Some("test_identity") => PlayReadyClient::TestIdentity,
        Some("webview_eme") => PlayReadyClient::WebviewEme,
        Some(o) => bail!("`{o}` is not a PlayReady client: use auto, test_identity or webview_eme"),
    };
    Ok(ProviderProfile {
        name: a.name.clone(),
        kind,
        url: a.url.clone(),
        la_url_override: a.la_url.clone(),
        release_url: a.release_url.clone(),
        token_url: a.token_url.clone(),
        headers: pairs(&a.headers, "header")?,
        secret_headers: Vec::new(),
        query: pairs(&a.query, "query parameter")?,
        custom_data: a.custom_data.clone(),
        ams_delivery,
        playready_client,
        persistent: !a.temporary,
    })
}

pub async fn providers(engine: &Engine, cmd: ProvidersCommand) -> Result<()> {
    match cmd {
        ProvidersCommand::List(flags) => {
            let providers = engine.providers().await?;
            if flags.json {
                println!("{}", serde_json::to_string_pretty(&providers)?);
                return Ok(());
            }
            if providers.is_empty() {
                println!(
                    "No license providers. Add one with `layover providers add --name ... --kind ...`."
                );
            }
            for p in providers {
                println!(
                    "{:<3} {}{} ({}) {}{}",
                    p.id,
                    p.profile.name,
                    if p.is_default { " [default]" } else { "" },
                    p.profile.kind.as_str(),
                    p.profile
                        .url
                        .as_deref()
                        .or(p.profile.la_url_override.as_deref())
                        .unwrap_or("license URL from the content"),
                    if p.has_token { ", token stored" } else { "" }
                );
            }
        }
        ProvidersCommand::Add(args) => {
            let profile = profile_of(&args)?;
            let secrets = ProviderSecrets {
                token: if args.token_stdin {
                    Some(read_token()?)
                } else {
                    None
                },
                headers: BTreeMap::new(),
            };
            let p = engine.add_provider(profile, secrets).await?;
            if args.default {
                engine.set_default_provider(Some(p.id)).await?;
            }
            println!("Added provider {} \"{}\"", p.id, p.profile.name);
        }
        ProvidersCommand::Remove { provider } => {
            let p = engine.provider(&provider).await?;
            engine.remove_provider(p.id).await?;
            println!("Removed provider \"{}\" and its secrets", p.profile.name);
        }
        ProvidersCommand::Default { provider } => {
            let p = engine.provider(&provider).await?;
            engine.set_default_provider(Some(p.id)).await?;
            println!("\"{}\" is now the default provider", p.profile.name);
        }
        ProvidersCommand::SetToken { provider } => {
            let p = engine.provider(&provider).await?;
            let token = read_token()?;
            engine
                .update_provider(
                    p.id,
                    p.profile.clone(),
                    ProviderSecrets {
                        token: Some(token),
                        headers: BTreeMap::new(),
                    },
                )
                .await?;
            println!("Token stored for \"{}\" (sealed)", p.profile.name);
        }
        ProvidersCommand::Export { file } => {
            let json = engine.export_providers().await?;
            match file {
                Some(path) => {
                    std::fs::write(&path, json + "\n")
                        .with_context(|| format!("writing {}", path.display()))?;
                    println!("Exported to {} (no secrets)", path.display());
                }
                None => println!("{json}"),
            }
        }
        ProvidersCommand::Import { file } => {
            let json = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            let (added, updated) = engine.import_providers(&json).await?;
            println!(
                "Imported: {added} added, {updated} updated. Enter tokens with `layover providers set-token`."
            );
        }
    }
    Ok(())
}

/// `layover trip`: plan (or preview, or show, or forget) the trip.
pub async fn trip(
    engine: &Engine,
    until: Option<i64>,
    titles: &[String],
    dry_run: bool,
    forget: bool,
    json: bool,
) -> Result<()> {
    if forget {
        engine.forget_trip().await?;
        println!("The trip is forgotten; its titles stay in the library.");
        return Ok(());
    }
    let report = match until {
        Some(until) => {
            let return_ms = until.saturating_mul(1000);
            if titles.is_empty() {
                engine.prepare_trip(return_ms, !dry_run).await?
            } else {
                let mut ids = Vec::with_capacity(titles.len());
                for t in titles {
                    ids.push(engine.find_title(t).await?.id);
                }
                engine.plan_trip(return_ms, &ids, !dry_run).await?
            }
        }
        None => match engine.current_trip().await? {
            Some(report) => report,
            None => bail!(
                "no trip is planned: `layover trip --until 2026-12-24 [--title TITLE ...]` plans one"
            ),
        },
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!("Back on {}:", utc(report.return_ms.div_euclid(1000)));
        for t in &report.titles {
            println!(
                "  {} {}: {}",
                if t.lasts { "ok  " } else { "NOT " },
                t.title_name,
                t.note
            );
        }
        if report.downloading > 0 && !dry_run {
            println!(
                "{} title(s) still to download: the app downloads them while it is open, or \
                 `layover resume --all` downloads them here; then run `layover trip` again",
                report.downloading
            );
        }
    }
    if report.titles.iter().any(|t| !t.lasts) {
        bail!("some titles will not last the trip (listed above)");
    }
    Ok(())
}
