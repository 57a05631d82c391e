//! `layover inspect` and `layover decrypt` on media made by Shaka Packager
//! (assets/media/make-fixtures.sh, run by `make test`).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn fixtures() -> PathBuf {
    let dir = std::env::var_os("LAYOVER_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("target/fixtures/media"));
    assert!(
        dir.join(".stamp").is_file(),
        "fixture media missing in {}: run assets/media/make-fixtures.sh",
        dir.display()
    );
    dir
}

fn key(name: &str) -> String {
    let env = std::fs::read_to_string(repo().join("assets/media/test-keys.env")).expect("keys");
    env.lines()
        .find_map(|l| l.strip_prefix(&format!("{name}=")))
        .unwrap_or_else(|| panic!("{name} in test-keys.env"))
        .to_owned()
}

fn layover(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_layover"))
        .args(args)
        .env("LAYOVER_FORBID_DEFAULT_DATA_DIR", "1")
        .env_remove("LAYOVER_DATA_DIR")
        .output()
        .expect("runs")
}

/// The per-frame hashes ffmpeg decodes a file to (the hash column of `-f framemd5`).
fn frame_hashes(file: &Path) -> Vec<String> {
    let ffmpeg = std::fs::read_to_string(fixtures().join("ffmpeg-path.txt")).expect("ffmpeg path");
    let out = Command::new(ffmpeg.trim())
        .args(["-v", "error", "-i"])
        .arg(file)
        .args(["-map", "0:v", "-f", "framemd5", "-"])
        .output()
        .expect("ffmpeg runs");
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.rsplit(',').next())
        .map(|h| h.trim().to_owned())
        .collect()
}

#[test]
fn inspect_names_every_system_kid_and_scheme() {
    let out = layover(&[
        "inspect",
        "--json",
        fixtures().join("cenc-video.mp4").to_str().expect("utf8"),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let video_kid = key("VIDEO_KID");
    let uuid = format!(
        "{}-{}-{}-{}-{}",
        &video_kid[..8],
        &video_kid[8..12],
        &video_kid[12..16],
        &video_kid[16..20],
        &video_kid[20..]
    );
    assert_eq!(r["fragments"], 3);
    assert_eq!(r["tracks"][0]["kind"], "video");
    assert_eq!(r["tracks"][0]["codecs"][0], "avc1");
    assert_eq!(r["tracks"][0]["scheme"], "cenc");
    assert_eq!(r["tracks"][0]["kids"][0]["uuid"], uuid.as_str());
    let systems: Vec<&str> = r["protection"]
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|p| p["system"].as_str())
        .collect();
    for s in ["PlayReady", "Widevine", "W3C Common"] {
        assert!(systems.contains(&s), "{s} in {systems:?}");
    }
    let pr = r["protection"]
        .as_array()
        .expect("array")
        .iter()
        .find(|p| p["system"] == "PlayReady")
        .expect("playready");
    assert_eq!(pr["playready"]["version"], "4.0.0.0");
    assert_eq!(pr["playready"]["algids"][0], "AESCTR");
    assert_eq!(pr["kids"][0]["uuid"], uuid.as_str());

    let text = layover(&[
        "inspect",
        fixtures().join("cbcs-video.mp4").to_str().expect("utf8"),
    ]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("encrypted (cbcs)") && text.contains("WRMHEADER 4.3.0.0"),
        "{text}"
    );
}

#[test]
fn decrypt_gives_the_clear_frames_and_a_wrong_key_names_the_kid() {
    let out_dir = tempfile::tempdir().expect("tempdir");
    for scheme in ["cenc", "cbcs"] {
        let input = fixtures().join(format!("{scheme}-video.mp4"));
        let output = out_dir.path().join(format!("{scheme}-clear.mp4"));
        let pair = format!("{}:{}", key("VIDEO_KID"), key("VIDEO_KEY"));
        let out = layover(&[
            "decrypt",
            "--key",
            &pair,
            input.to_str().expect("utf8"),
            output.to_str().expect("utf8"),
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let clear = frame_hashes(&fixtures().join("clear-video.mp4"));
        assert!(
            clear.len() >= 100,
            "the clear reference decodes: {} frames",
            clear.len()
        );
        assert_eq!(
            frame_hashes(&output),
            clear,
            "{scheme}: decrypted frames equal the clear packaging"
        );
    }

    let input = fixtures().join("cenc-video.mp4");
    let output = out_dir.path().join("wrong.mp4");
    let wrong = format!("{}:{}", key("AUDIO_KID"), key("AUDIO_KEY"));
    let out = layover(&[
        "decrypt",
        "--key",
        &wrong,
        input.to_str().expect("utf8"),
        output.to_str().expect("utf8"),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no key for KID 0a1b2c3d-4e5f-4071-8293-a4b5c6d7e8f9"),
        "{stderr}"
    );
    assert!(
        !output.exists() && !out_dir.path().join("wrong.mp4.part").exists(),
        "nothing half-written"
    );

    let out = layover(&[
        "decrypt",
        "--key",
        "nonsense",
        input.to_str().expect("utf8"),
        output.to_str().expect("utf8"),
    ]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("KID:KEY with 32 hex digits"));
}

#[test]
fn inspect_refuses_what_is_not_mp4_in_words() {
    let dir = tempfile::tempdir().expect("tempdir");
    let page = dir.path().join("page.mp4");
    std::fs::write(&page, "<html><body>403 Forbidden</body></html>").expect("write");
    let out = layover(&["inspect", page.to_str().expect("utf8")]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("page.mp4") && stderr.contains("not an MP4"),
        "{stderr}"
    );
}

fn inspect_json(target: &str) -> serde_json::Value {
    let out = layover(&["inspect", "--json", target]);
    assert!(
        out.status.success(),
        "{target}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json")
}

fn assert_cenc_dash(r: &serde_json::Value) {
    assert_eq!(r["kind"], "dash");
    let tracks = r["tracks"].as_array().expect("tracks");
    assert_eq!(tracks.len(), 2);
    for t in tracks {
        // SegmentBase: the segment list came from the sidx inside the media file.
        assert_eq!(t["segments"], 3, "{t}");
        let secs = t["segments_duration_secs"].as_f64().unwrap_or(0.0);
        assert!((secs - 6.0).abs() < 0.1, "{secs}");
    }
    let video = tracks.iter().find(|t| t["kind"] == "video").expect("video");
    assert_eq!(video["width"], 320);
    let pr = video["protection"]
        .as_array()
        .expect("p")
        .iter()
        .find(|p| p["system"] == "playready")
        .expect("pr");
    assert_eq!(pr["scheme"], "cenc");
    assert_eq!(pr["playready_version"], "4.0.0.0");
    assert_eq!(
        pr["default_kid"]["uuid"],
        "0a1b2c3d-4e5f-4071-8293-a4b5c6d7e8f9"
    );
}

#[test]
fn inspect_reads_a_dash_manifest_from_a_file_a_folder_and_a_url() {
    let mpd = fixtures().join("cenc.mpd");
    assert_cenc_dash(&inspect_json(mpd.to_str().expect("utf8")));

    // A folder as a packager leaves it: the manifest and its media.
    let folder = tempfile::tempdir().expect("tempdir");
    for f in ["cenc.mpd", "cenc-video.mp4", "cenc-audio.mp4"] {
        std::fs::copy(fixtures().join(f), folder.path().join(f)).expect("copy");
    }
    assert_cenc_dash(&inspect_json(folder.path().to_str().expect("utf8")));

    // Over HTTP from the development origin (the sidx comes by a Range request).
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let server = rt
        .block_on(layover_devserver::DevServer::start(
            layover_devserver::Config::loopback(folder.path()),
        ))
        .expect("server");
    let url = format!("{}/media/cenc.mpd", server.base_url());
    let r = inspect_json(&url);
    assert_cenc_dash(&r);
    assert_eq!(r["source"], url.as_str());

    let many = layover(&["inspect", fixtures().to_str().expect("utf8")]);
    assert!(
        String::from_utf8_lossy(&many.stderr).contains("several manifests"),
        "{}",
        String::from_utf8_lossy(&many.stderr)
    );
}

#[test]
fn download_a_dash_title_with_a_track_choice() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let server = rt
        .block_on(layover_devserver::DevServer::start(
            layover_devserver::Config::loopback(&fixtures()),
        ))
        .expect("server");
    let url = format!("{}/media/tpl/cenc.mpd", server.base_url());
    let data = tempfile::tempdir().expect("tempdir");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_layover"))
            .arg("--data-dir")
            .arg(data.path())
            .args(args)
            .output()
            .expect("runs")
    };

    let refused = run(&["download", &url, "--audio", "es"]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("no audio in es"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    let bad = run(&["download", &url, "--video", "huge"]);
    assert!(String::from_utf8_lossy(&bad.stderr).contains("<HEIGHT>p"));

    let ok = run(&["download", &url, "--video", "worst", "--subs", "none"]);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(
        String::from_utf8_lossy(&ok.stdout).contains("Completed \"cenc\""),
        "{}",
        String::from_utf8_lossy(&ok.stdout)
    );
    let list = run(&["downloads", "--json"]);
    let titles: serde_json::Value = serde_json::from_slice(&list.stdout).expect("json");
    assert_eq!(
        titles.as_array().map(Vec::len),
        Some(1),
        "the refused links added nothing"
    );
    assert_eq!(titles[0]["kind"], "dash");
    assert_eq!(titles[0]["state"], "completed");
}

/// The per-frame hashes of one stream (`v` or `a`) of a file.
fn stream_hashes(file: &Path, stream: &str) -> Vec<String> {
    let ffmpeg = std::fs::read_to_string(fixtures().join("ffmpeg-path.txt")).expect("ffmpeg path");
    let out = Command::new(ffmpeg.trim())
        .args(["-v", "error", "-i"])
        .arg(file)
        .args(["-map", &format!("0:{stream}"), "-f", "framemd5", "-"])
        .output()
        .expect("ffmpeg runs");
    assert!(
        out.status.success(),
        "ffmpeg failed on {}: {}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.rsplit(',').next())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .collect()
}

#[test]
fn decrypt_a_dash_folder_into_one_clear_mp4_per_track() {
    let out = tempfile::tempdir().expect("tempdir");
    let dest = out.path().join("clear");
    let video = format!("{}:{}", key("VIDEO_KID"), key("VIDEO_KEY"));
    let audio = format!("{}:{}", key("AUDIO_KID"), key("AUDIO_KEY"));
    let tpl = fixtures().join("tpl");
    let r = layover(&[
        "decrypt",
        "--key",
        &video,
        "--key",
        &audio,
        tpl.to_str().expect("utf8"),
        dest.to_str().expect("utf8"),
    ]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let mut names: Vec<String> = std::fs::read_dir(&dest)
        .expect("output folder")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    // Named by kind, language, height and bitrate (kbit/s), from the manifest.
    assert_eq!(
        names,
        ["audio-104k.mp4", "video-180p-155k.mp4"],
        "{names:?}"
    );
    assert_eq!(
        stream_hashes(&dest.join("video-180p-155k.mp4"), "v"),
        stream_hashes(&fixtures().join("clear-video.mp4"), "v"),
        "video frames equal the clear packaging"
    );
    assert_eq!(
        stream_hashes(&dest.join("audio-104k.mp4"), "a"),
        stream_hashes(&fixtures().join("clear-audio.mp4"), "a"),
        "audio frames equal the clear packaging"
    );

    // A missing key names the KID and leaves nothing behind.
    let dest2 = out.path().join("partial");
    let r = layover(&[
        "decrypt",
        "--key",
        &video,
        tpl.to_str().expect("utf8"),
        dest2.to_str().expect("utf8"),
    ]);
    assert!(!r.status.success());
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(
        err.contains("f1e2d3c4-b5a6-4738-9281-706f5e4d3c2b"),
        "{err}"
    );
    let left: Vec<_> = std::fs::read_dir(&dest2)
        .map(|d| d.flatten().collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "nothing half-written: {left:?}");
}
