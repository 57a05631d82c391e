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

/// What Shaka Packager's HLS output must show: two tracks of three segments, each with a
/// PlayReady and a Widevine EXT-X-KEY (by KEYFORMAT) carrying the track's KID and scheme.
fn assert_shaka_hls(r: &serde_json::Value, scheme: &str, tracks: usize) {
    assert_eq!(r["kind"], "hls", "{r}");
    let list = r["tracks"].as_array().expect("tracks");
    assert_eq!(list.len(), tracks, "{r}");
    for t in list {
        assert_eq!(t["segments"], 3, "{t}");
        let secs = t["segments_duration_secs"].as_f64().unwrap_or(0.0);
        assert!((secs - 6.0).abs() < 0.1, "{secs}");
        // A media playlist alone does not say its kind ("other"): here it is the video.
        let kid = if t["kind"] == "audio" {
            "f1e2d3c4-b5a6-4738-9281-706f5e4d3c2b"
        } else {
            "0a1b2c3d-4e5f-4071-8293-a4b5c6d7e8f9"
        };
        let protection = t["protection"].as_array().expect("protection");
        let mut formats: Vec<&str> = protection
            .iter()
            .map(|p| p["key_format"].as_str().expect("key_format"))
            .collect();
        formats.sort_unstable();
        assert_eq!(
            formats,
            [
                "com.microsoft.playready",
                "urn:uuid:edef8ba9-79d6-4ace-a3c8-27dcd51d21ed"
            ],
            "{t}"
        );
        for p in protection {
            assert_eq!(p["scheme"], scheme, "{p}");
            assert_eq!(p["default_kid"]["uuid"], kid, "{p}");
        }
        let pr = protection
            .iter()
            .find(|p| p["system"] == "playready")
            .expect("PlayReady");
        assert!(pr["playready_version"].as_str().is_some(), "{pr}");
        assert!(protection.iter().any(|p| p["system"] == "widevine"), "{t}");
    }
    let video = list.iter().find(|t| t["kind"] == "video");
    if let Some(v) = video {
        assert_eq!(v["width"], 320);
        assert_eq!(v["codec"], "avc1.42c00c");
    }
}

#[test]
fn inspect_reads_shaka_packager_hls_folders_and_playlists() {
    let dir = fixtures();
    // SAMPLE-AES-CTR, one file per segment: the folder finds master.m3u8.
    let folder = dir.join("hls-cenc");
    assert_shaka_hls(&inspect_json(folder.to_str().expect("utf8")), "cenc", 2);
    // SAMPLE-AES, one file per track addressed by EXT-X-BYTERANGE.
    let master = dir.join("hls-cbcs/master.m3u8");
    assert_shaka_hls(&inspect_json(master.to_str().expect("utf8")), "cbcs", 2);
    // A media playlist on its own is one track.
    let media = dir.join("hls-cenc/video.m3u8");
    assert_shaka_hls(&inspect_json(media.to_str().expect("utf8")), "cenc", 1);

    // The text form names both KEYFORMATs' systems and the WRMHEADER.
    let out = layover(&["inspect", master.to_str().expect("utf8")]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("PlayReady cbcs"), "{text}");
    assert!(text.contains("Widevine cbcs"), "{text}");
    assert!(text.contains("WRMHEADER 4.3.0.0"), "{text}");
}

#[test]
fn decrypt_shaka_packager_hls_folders_into_clear_tracks() {
    let out = tempfile::tempdir().expect("tempdir");
    let video = format!("{}:{}", key("VIDEO_KID"), key("VIDEO_KEY"));
    let audio = format!("{}:{}", key("AUDIO_KID"), key("AUDIO_KEY"));
    let clear_video = stream_hashes(&fixtures().join("clear-video.mp4"), "v");
    let clear_audio = stream_hashes(&fixtures().join("clear-audio.mp4"), "a");
    for variant in ["hls-cenc", "hls-cbcs"] {
        let dest = out.path().join(variant);
        let r = layover(&[
            "decrypt",
            "--key",
            &video,
            "--key",
            &audio,
            fixtures().join(variant).to_str().expect("utf8"),
            dest.to_str().expect("utf8"),
        ]);
        assert!(
            r.status.success(),
            "{variant}: {}",
            String::from_utf8_lossy(&r.stderr)
        );
        let files: Vec<PathBuf> = std::fs::read_dir(&dest)
            .expect("output folder")
            .flatten()
            .map(|e| e.path())
            .collect();
        assert_eq!(files.len(), 2, "{variant}: one file per track: {files:?}");
        let named = |prefix: &str| {
            files
                .iter()
                .find(|p| {
                    p.file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with(prefix))
                })
                .unwrap_or_else(|| panic!("{variant}: no {prefix} file in {files:?}"))
        };
        assert_eq!(
            stream_hashes(named("video"), "v"),
            clear_video,
            "{variant}: video frames equal the clear packaging"
        );
        assert_eq!(
            stream_hashes(named("audio"), "a"),
            clear_audio,
            "{variant}: audio frames equal the clear packaging"
        );
    }
}

/// An HLS playlist that switches EXT-X-MAP at a discontinuity (here: from Shaka's HLS
/// packaging to its DASH template packaging of the same source and keys): each run of
/// segments is decrypted with its own init, into a file of its own.
#[test]
fn decrypt_an_hls_playlist_that_switches_its_init_segment() {
    let dir = tempfile::tempdir().expect("tempdir");
    let src = dir.path().join("switching");
    for (from, to) in [
        ("hls-cenc/video/init.mp4", "a-init.mp4"),
        ("hls-cenc/video/1.m4s", "a-1.m4s"),
        ("hls-cenc/video/2.m4s", "a-2.m4s"),
        ("tpl/video/init.mp4", "b-init.mp4"),
        ("tpl/video/1.m4s", "b-1.m4s"),
    ] {
        std::fs::create_dir_all(&src).expect("mkdir");
        std::fs::copy(fixtures().join(from), src.join(to)).expect("copy fixture");
    }
    std::fs::write(
        src.join("video.m3u8"),
        "#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-TARGETDURATION:2\n#EXT-X-PLAYLIST-TYPE:VOD\n\
         #EXT-X-MAP:URI=\"a-init.mp4\"\n#EXTINF:2.0,\na-1.m4s\n#EXTINF:2.0,\na-2.m4s\n\
         #EXT-X-DISCONTINUITY\n#EXT-X-MAP:URI=\"b-init.mp4\"\n#EXTINF:2.0,\nb-1.m4s\n\
         #EXT-X-ENDLIST\n",
    )
    .expect("playlist");
    let dest = dir.path().join("clear");
    let video = format!("{}:{}", key("VIDEO_KID"), key("VIDEO_KEY"));
    let r = layover(&[
        "decrypt",
        "--key",
        &video,
        src.to_str().expect("utf8"),
        dest.to_str().expect("utf8"),
    ]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let mut names: Vec<String> = std::fs::read_dir(&dest)
        .expect("output folder")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    // The longer name is the second run's: NAME.mp4 and NAME-part2.mp4.
    names.sort_by_key(String::len);
    assert_eq!(names.len(), 2, "{names:?}");
    assert_eq!(
        names[1],
        names[0].replace(".mp4", "-part2.mp4"),
        "{names:?}"
    );
    // 25 fps, 2 s segments: the first run is the clear video's first 100 frames, the second
    // (the template packaging's first segment) its first 50.
    let clear = stream_hashes(&fixtures().join("clear-video.mp4"), "v");
    assert_eq!(stream_hashes(&dest.join(&names[0]), "v"), clear[..100]);
    assert_eq!(stream_hashes(&dest.join(&names[1]), "v"), clear[..50]);
}

/// Rewrites Shaka's SegmentBase `cenc-video.mp4` (one sidx of 3 references) with a two-level
/// index: a top sidx whose 2 references point at nested sidx boxes (2 and 1 subsegments),
/// each followed by its media. Returns the file and its new index range.
fn with_hierarchical_sidx(file: &[u8], index: (usize, usize)) -> (Vec<u8>, (usize, usize)) {
    let be32 = |at: usize| u32::from_be_bytes(file[at..at + 4].try_into().expect("4 bytes"));
    let sidx = &file[index.0..=index.1];
    assert_eq!(&sidx[4..8], b"sidx");
    assert_eq!(sidx[8], 0, "version 0");
    let timescale = be32(index.0 + 16);
    assert_eq!(be32(index.0 + 24), 0, "first_offset 0");
    let count = usize::from(u16::from_be_bytes([sidx[30], sidx[31]]));
    let refs: Vec<(u32, u32)> = (0..count)
        .map(|i| (be32(index.0 + 32 + 12 * i), be32(index.0 + 36 + 12 * i)))
        .collect();
    assert_eq!(count, 3);
    let build = |ept: u32, refs: &[(bool, u32, u32)]| {
        let mut b = Vec::new();
        b.extend_from_slice(&(32 + 12 * refs.len() as u32).to_be_bytes());
        b.extend_from_slice(b"sidx");
        b.extend_from_slice(&[0, 0, 0, 0]);
        b.extend_from_slice(&1u32.to_be_bytes());
        b.extend_from_slice(&timescale.to_be_bytes());
        b.extend_from_slice(&ept.to_be_bytes());
        b.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
        b.extend_from_slice(&(refs.len() as u16).to_be_bytes());
        for &(nested, size, dur) in refs {
            b.extend_from_slice(&((u32::from(nested) << 31) | size).to_be_bytes());
            b.extend_from_slice(&dur.to_be_bytes());
            b.extend_from_slice(&0x9000_0000u32.to_be_bytes());
        }
        b
    };
    let groups = [&refs[..2], &refs[2..]];
    let mut ept = 0;
    let mut media_at = index.1 + 1;
    let mut body = Vec::new();
    let mut top_refs = Vec::new();
    for g in groups {
        let nested = build(
            ept,
            &g.iter().map(|&(s, d)| (false, s, d)).collect::<Vec<_>>(),
        );
        let media: usize = g.iter().map(|r| r.0 as usize).sum();
        let dur: u32 = g.iter().map(|r| r.1).sum();
        top_refs.push((true, (nested.len() + media) as u32, dur));
        body.extend_from_slice(&nested);
        body.extend_from_slice(&file[media_at..media_at + media]);
        media_at += media;
        ept += dur;
    }
    assert_eq!(media_at, file.len(), "the sidx covers the whole file");
    let top = build(0, &top_refs);
    let mut out = file[..index.0].to_vec();
    out.extend_from_slice(&top);
    out.extend_from_slice(&body);
    (out, (index.0, index.0 + top.len() - 1))
}

/// A SegmentBase title whose video index is hierarchical: inspect (from a folder and over
/// HTTP, where the nested boxes come by Range requests) lists every segment, and decrypt
/// gives the clear frames.
#[test]
fn a_hierarchical_sidx_is_followed_by_inspect_and_decrypt() {
    let folder = tempfile::tempdir().expect("tempdir");
    let video = std::fs::read(fixtures().join("cenc-video.mp4")).expect("fixture");
    let mpd = std::fs::read_to_string(fixtures().join("cenc.mpd")).expect("mpd");
    let at = mpd.find("cenc-video.mp4").expect("video BaseURL");
    let range_at = at + mpd[at..].find("indexRange=\"").expect("indexRange") + 12;
    let range_end = range_at + mpd[range_at..].find('"').expect("quote");
    let (a, b) = mpd[range_at..range_end].split_once('-').expect("a-b");
    let index = (a.parse().expect("start"), b.parse().expect("end"));
    let (rewritten, new_index) = with_hierarchical_sidx(&video, index);
    let mpd = format!(
        "{}{}-{}{}",
        &mpd[..range_at],
        new_index.0,
        new_index.1,
        &mpd[range_end..]
    );
    std::fs::write(folder.path().join("cenc.mpd"), mpd).expect("write mpd");
    std::fs::write(folder.path().join("cenc-video.mp4"), rewritten).expect("write video");
    std::fs::copy(
        fixtures().join("cenc-audio.mp4"),
        folder.path().join("cenc-audio.mp4"),
    )
    .expect("copy audio");

    assert_cenc_dash(&inspect_json(folder.path().to_str().expect("utf8")));
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let server = rt
        .block_on(layover_devserver::DevServer::start(
            layover_devserver::Config::loopback(folder.path()),
        ))
        .expect("server");
    assert_cenc_dash(&inspect_json(&format!(
        "{}/media/cenc.mpd",
        server.base_url()
    )));

    let dest = folder.path().join("clear");
    let r = layover(&[
        "decrypt",
        "--key",
        &format!("{}:{}", key("VIDEO_KID"), key("VIDEO_KEY")),
        "--key",
        &format!("{}:{}", key("AUDIO_KID"), key("AUDIO_KEY")),
        folder.path().to_str().expect("utf8"),
        dest.to_str().expect("utf8"),
    ]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let out = std::fs::read_dir(&dest)
        .expect("output")
        .flatten()
        .map(|e| e.path())
        .find(|p| p.to_string_lossy().contains("video"))
        .expect("video output");
    assert_eq!(
        stream_hashes(&out, "v"),
        stream_hashes(&fixtures().join("clear-video.mp4"), "v")
    );
}

/// Shaka's SegmentBase MPD with its Period moved out to `period.xml` (xlink, onLoad) and,
/// inside that, the audio AdaptationSet moved out again to `audio.xml` (onRequest): `inspect`
/// fetches both, over HTTP from the development origin and from a folder, and the title is
/// the inline one; `download` keeps a manifest that stands alone.
#[test]
fn inspect_and_download_follow_dash_xlinks() {
    let folder = tempfile::tempdir().expect("tempdir");
    let mpd = std::fs::read_to_string(fixtures().join("cenc.mpd")).expect("mpd");
    let cut = |text: &str, open: &str, close: &str| {
        let a = text.find(open).expect("open tag");
        let b = text[a..].find(close).expect("close tag") + a + close.len();
        (a, b)
    };
    let (pa, pb) = cut(&mpd, "<Period", "</Period>");
    let period = mpd[pa..pb].to_owned();
    let (aa, ab) = cut(&period, "<AdaptationSet id=\"1\"", "</AdaptationSet>");
    let audio = period[aa..ab].to_owned();
    let period = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{}<AdaptationSet xlink:href=\"audio.xml\"/>{}",
        &period[..aa],
        &period[ab..]
    );
    let linked = format!(
        "{}<Period xlink:href=\"period.xml\" xlink:actuate=\"onLoad\"/>{}",
        &mpd[..pa],
        &mpd[pb..]
    )
    .replacen(
        "<MPD ",
        "<MPD xmlns:xlink=\"http://www.w3.org/1999/xlink\" ",
        1,
    );
    std::fs::write(folder.path().join("cenc.mpd"), &linked).expect("mpd");
    std::fs::write(folder.path().join("period.xml"), period).expect("period");
    std::fs::write(folder.path().join("audio.xml"), audio).expect("audio");
    for f in ["cenc-video.mp4", "cenc-audio.mp4"] {
        std::fs::copy(fixtures().join(f), folder.path().join(f)).expect("copy");
    }
    assert_cenc_dash(&inspect_json(
        folder.path().join("cenc.mpd").to_str().expect("utf8"),
    ));

    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let server = rt
        .block_on(layover_devserver::DevServer::start(
            layover_devserver::Config::loopback(folder.path()),
        ))
        .expect("server");
    let url = format!("{}/media/cenc.mpd", server.base_url());
    assert_cenc_dash(&inspect_json(&url));

    // A download fetches the title and keeps the resolved MPD, which stands alone.
    let data = tempfile::tempdir().expect("tempdir");
    let ok = Command::new(env!("CARGO_BIN_EXE_layover"))
        .arg("--data-dir")
        .arg(data.path())
        .args(["download", &url, "--video", "worst", "--subs", "none"])
        .output()
        .expect("runs");
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let mut stack = vec![data.path().to_path_buf()];
    let mut kept = Vec::new();
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).expect("dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "mpd") {
                kept.push(std::fs::read_to_string(&p).expect("mpd"));
            }
        }
    }
    assert_eq!(kept.len(), 1, "one manifest kept");
    assert!(!kept[0].contains("xlink:href"), "{}", kept[0]);
    assert!(kept[0].contains("contentType=\"audio\""), "{}", kept[0]);

    // A manifest that links to a file on this machine from the web is refused.
    std::fs::write(
        folder.path().join("sneaky.mpd"),
        linked.replace("period.xml", "file:///etc/hostname"),
    )
    .expect("mpd");
    let r = layover(&[
        "inspect",
        &format!("{}/media/sneaky.mpd", server.base_url()),
    ]);
    assert!(!r.status.success());
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(err.contains("file:///etc/hostname"), "{err}");
}
