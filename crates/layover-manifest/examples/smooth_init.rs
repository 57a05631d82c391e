//! Writes the synthesised init segment of one Smooth Streaming track to stdout, for checking
//! it with real tools (see tests/fixtures/README.md):
//!
//! `cargo run --example smooth_init -- MANIFEST TRACK_INDEX TRACK_ID [TIMESCALE] [cenc|piff:KID:IV_SIZE] > init.mp4`

use layover_manifest::smooth::init::{InitProtection, build_init_segment};
use std::io::Write;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 3 {
        return Err(
            "usage: smooth_init MANIFEST TRACK_INDEX TRACK_ID [TIMESCALE] [SCHEME:KID:IV_SIZE]"
                .into(),
        );
    }
    let bytes = std::fs::read(&args[0])?;
    let base = url::Url::parse("https://example.invalid/title.ism/Manifest")?;
    let p = layover_manifest::parse(&bytes, &base)?;
    let mut track = p
        .tracks
        .get(args[1].parse::<usize>()?)
        .ok_or("no such track")?
        .clone();
    let track_id: u32 = args[2].parse()?;
    if let Some(ts) = args.get(3) {
        track.timescale = ts.parse()?;
    }
    let protection = match args.get(4) {
        Some(spec) => {
            let mut it = spec.split(':');
            let scheme: [u8; 4] = it.next().ok_or("scheme")?.as_bytes().try_into()?;
            let kid = it.next().ok_or("kid")?.parse()?;
            let iv_size = it.next().ok_or("iv size")?.parse()?;
            Some(InitProtection {
                scheme,
                kid,
                iv_size,
            })
        }
        None => None,
    };
    let init = build_init_segment(&track, track_id, protection.as_ref())?;
    std::io::stdout().write_all(&init)?;
    Ok(())
}
