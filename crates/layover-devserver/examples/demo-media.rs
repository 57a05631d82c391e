//! The demo catalog's PIFF and Smooth helper (see `layover_devserver::piff`), used by
//! `assets/media/make-demo.sh`:
//!
//! ```text
//! demo-media piff IN.ismv OUT.mp4 KID KEY
//! demo-media smooth OUT_DIR KID KEY kind:name:lang:bitrate:FILE...
//! ```
//! `piff` rewrites a CENC file from ffmpeg as PIFF 1.1 with a PlayReady header; `smooth` cuts
//! PIFF-converted single-track files into Smooth fragments and writes `OUT_DIR/Manifest`.

use std::process::ExitCode;

use layover_devserver::piff;
use layover_media::Kid;

fn kid_key(kid: &str, key: &str) -> Result<(Kid, [u8; 16]), String> {
    let kid: Kid = kid.parse().map_err(|_| format!("bad KID {kid}"))?;
    let bytes = layover_media::decrypt::ContentKey::from_hex(key).map_err(|e| e.to_string())?;
    Ok((kid, bytes.0))
}

fn run(args: &[String]) -> Result<(), String> {
    match args {
        [cmd, input, output, kid, key] if cmd == "piff" => {
            let (kid, key) = kid_key(kid, key)?;
            let data = std::fs::read(input).map_err(|e| format!("{input}: {e}"))?;
            let pro = piff::playready_object(kid, &key, None);
            let out = piff::cenc_to_piff(&data, Some(&pro))?;
            std::fs::write(output, out).map_err(|e| format!("{output}: {e}"))
        }
        [cmd, out_dir, kid, key, specs @ ..] if cmd == "smooth" && !specs.is_empty() => {
            let (kid, key) = kid_key(kid, key)?;
            let pro = piff::playready_object(kid, &key, None);
            let mut files = Vec::new();
            for spec in specs {
                let parts: Vec<&str> = spec.splitn(5, ':').collect();
                let [kind, name, lang, bitrate, file] = parts[..] else {
                    return Err(format!("{spec}: expected kind:name:lang:bitrate:FILE"));
                };
                let data = std::fs::read(file).map_err(|e| format!("{file}: {e}"))?;
                let data = piff::cenc_to_piff(&data, None)?;
                let bitrate: u64 = bitrate.parse().map_err(|_| format!("bad bitrate {bitrate}"))?;
                files.push((kind, name, (!lang.is_empty()).then_some(lang), bitrate, data));
            }
            let tracks: Vec<piff::SmoothTrack<'_>> = files
                .iter()
                .map(|(kind, name, language, bitrate, data)| piff::SmoothTrack {
                    kind,
                    name,
                    language: *language,
                    bitrate: *bitrate,
                    data,
                })
                .collect();
            let dir = std::path::Path::new(out_dir);
            let manifest = piff::write_smooth(dir, &tracks, &pro)?;
            std::fs::write(dir.join("Manifest"), manifest).map_err(|e| e.to_string())
        }
        _ => Err("usage: demo-media piff IN OUT KID KEY | smooth OUT_DIR KID KEY kind:name:lang:bitrate:FILE...".into()),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("demo-media: {e}");
            ExitCode::FAILURE
        }
    }
}
