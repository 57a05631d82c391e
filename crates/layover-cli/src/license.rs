//! Printing license reports for people (and as JSON for scripts).

use anyhow::Result;
use layover_drm::expiry::{DecidingClock, LicenseState};
use layover_drm::policy::Limit;
use layover_engine::licenses::{LicenseReport, LicenseSummary};

use crate::format::{duration, utc};

pub fn print_report(report: &LicenseReport, json: bool) -> Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(report)?);
        return Ok(());
    }
    let n = report.licenses.len();
    println!(
        "{} with {n} license{} (evaluated at {})",
        match report.input {
            layover_drm::inspect::InputKind::RawXmr => "raw XMR",
            layover_drm::inspect::InputKind::Base64Xmr => "base64 XMR",
            layover_drm::inspect::InputKind::SoapResponse => "SOAP AcquireLicense response",
        },
        if n == 1 { "" } else { "s" },
        utc(report.evaluated_at)
    );
    for (i, l) in report.licenses.iter().enumerate() {
        println!();
        println!(
            "License {} of {n} (rights id {}, XMR v{})",
            i + 1,
            l.rights_id,
            l.xmr_version
        );
        print_license(l);
    }
    Ok(())
}

fn limit(l: Limit) -> String {
    match l {
        Limit::Unlimited => "unlimited".into(),
        Limit::At(t) => utc(t),
    }
}

fn print_license(l: &LicenseSummary) {
    let p = &l.policy;
    let e = &l.evaluation;
    let clock = match e.deciding_clock {
        Some(DecidingClock::LicenseWindow) => "license window",
        Some(DecidingClock::PlaybackWindow) => "playback window",
        None => "no end",
    };
    let state = match e.state {
        LicenseState::NotYetValid => {
            format!(
                "not yet valid: starts in {}",
                duration(e.starts_in_secs.unwrap_or(0))
            )
        }
        LicenseState::Expired => format!("expired ({clock})"),
        LicenseState::Valid => "valid".to_owned(),
        LicenseState::ExpiringSoon => "expiring soon".to_owned(),
    };
    // Two clocks (ANCHORS request 3): what is left now, and what is left once playback starts.
    let left = match (e.remaining_secs, e.remaining_if_played_now_secs) {
        (Some(0), _) => None,
        (now, played) if now != played => Some(format!(
            "{} ({clock}); {} once first played (playback window)",
            now.map_or_else(|| "unlimited".to_owned(), duration),
            played.map_or_else(|| "unlimited".to_owned(), duration),
        )),
        (now, _) => Some(format!(
            "{} ({clock})",
            now.map_or_else(|| "unlimited".to_owned(), duration)
        )),
    };
    println!("  State:             {state}");
    if let Some(left) = left {
        println!("  Time left:         {left}");
    }
    if let Some(t) = p.issue_date {
        println!("  Issued:            {}", utc(t));
    }
    println!(
        "  License window:    from {} until {}",
        p.begin.map_or_else(|| "the start".to_owned(), utc),
        limit(p.end)
    );
    match p.expire_after_first_play {
        Some(s) => println!("  Playback window:   {} after first play", duration(s)),
        None => println!("  Playback window:   none (no limit after first play)"),
    }
    if let Limit::At(t) = p.removal_date {
        println!("  Removal date:      {}", utc(t));
    }
    if let Some(g) = p.grace_period {
        println!("  Grace period:      {g} (raw value; units unverified)");
    }
    println!(
        "  Persistent:        {}",
        if p.persistent {
            "yes (can be kept offline)"
        } else {
            "no (memory only)"
        }
    );
    if let Some(sl) = p.security_level {
        println!("  Security level:    {sl}");
    }
    if let Some(o) = &p.output_protection {
        println!(
            "  Output protection: compressed video {}, uncompressed video {}, analog video {}, \
             compressed audio {}, uncompressed audio {}",
            o.compressed_digital_video,
            o.uncompressed_digital_video,
            o.analog_video,
            o.compressed_digital_audio,
            o.uncompressed_digital_audio
        );
    }
    println!("  Keys:");
    for k in &l.keys {
        println!(
            "    {} (PlayReady {}): {}, protected by {}",
            k.kid, k.kid_playready_base64, k.key_type, k.cipher_type
        );
    }
    if !p.unknown_must_understand.is_empty() {
        let types: Vec<String> = p
            .unknown_must_understand
            .iter()
            .map(|t| format!("0x{t:04x}"))
            .collect();
        println!(
            "  Warning: must-understand objects Layover does not decode: {} \
             (a PlayReady client may refuse this license)",
            types.join(", ")
        );
    }
    if e.clock_rolled_back {
        println!("  Warning: this machine's clock is behind the latest time Layover has seen");
    }
}
