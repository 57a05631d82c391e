//! `layover download` of the demo's HLS title (Shaka Packager's fMP4 playlists), killed with
//! SIGKILL mid-segment and run again: every file ends byte-identical to the packager's, and
//! `layover inspect` and `layover decrypt` read the downloaded folder with no server.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use layover_devserver::{Config, DevServer, Fault, FaultPlan};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn demo() -> PathBuf {
    let dir = std::env::var_os("LAYOVER_DEMO_MEDIA")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("target/demo"));
    assert!(
        dir.join(".stamp").is_file(),
        "demo media missing in {}: run assets/media/make-demo.sh",
        dir.display()
    );
    dir
}

fn key(name: &str) -> String {
    let env = std::fs::read_to_string(repo().join("assets/media/test-keys.env")).expect("keys");
    env.lines()
        .find_map(|l| l.strip_prefix(&format!("{name}=")))
        .unwrap_or_else(|| panic!("{name} in test-keys.env"))
        .trim()
        .to_owned()
}

fn layover(data: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_layover"));
    c.arg("--data-dir")
        .arg(data)
        .env_remove("LAYOVER_DATA_DIR")
        .env("LAYOVER_FORBID_DEFAULT_DATA_DIR", "1");
    c
}

/// Every file under `dir`, recursively, relative to it.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(
                files_under(&p)
                    .into_iter()
                    .map(|f| Path::new(&e.file_name()).join(f)),
            );
        } else {
            out.push(PathBuf::from(e.file_name()));
        }
    }
    out.sort();
    out
}

/// The part file of a segment being fetched (`titles/<title>/<track>/<file>.part`).
fn part_file(data: &Path) -> Option<PathBuf> {
    let titles = data.join("titles");
    files_under(&titles)
        .into_iter()
        .find(|p| p.extension().is_some_and(|e| e == "part"))
        .map(|p| titles.join(p))
}

fn ok(out: &Output) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    format!("{}{stderr}", String::from_utf8_lossy(&out.stdout))
}

#[test]
fn an_hls_download_killed_mid_segment_resumes_byte_identical_and_reads_offline() {
    let demo = demo();
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let server = rt
        .block_on(DevServer::start(Config::loopback(&demo)))
        .expect("server");
    // The first audio segment's first 16 kB arrive (the server sends 16 kB chunks), then it
    // crawls: time to kill the download there.
    server.faults().push(FaultPlan {
        fault: Fault::Slow { bytes_per_sec: 500 },
        times: 1,
        path_prefix: "/media/hls-cenc/audio-en/1.m4s".into(),
    });
    let url = format!("{}/media/hls-cenc/master.m3u8", server.base_url());
    let data = tempfile::tempdir().expect("tempdir");
    let args = [
        "download", &url, "--video", "240p", "--audio", "en", "--subs", "none",
    ];

    let mut first = layover(data.path())
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawns");
    let deadline = Instant::now() + Duration::from_secs(60);
    while part_file(data.path())
        .and_then(|p| std::fs::metadata(p).ok())
        .is_none_or(|m| m.len() < 16 * 1024)
    {
        assert!(Instant::now() < deadline, "the download never got going");
        assert!(
            first.try_wait().expect("wait").is_none(),
            "finished before it could be killed"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // And the library has recorded some of it (progress is saved four times a second).
    let recorded = || {
        let list = layover(data.path())
            .args(["downloads", "--json"])
            .output()
            .expect("runs");
        let titles: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap_or_default();
        titles[0]["bytes_done"].as_i64().unwrap_or(0) > 0
    };
    while !recorded() {
        assert!(Instant::now() < deadline, "no progress recorded");
        assert!(
            first.try_wait().expect("wait").is_none(),
            "finished too soon"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    first.kill().expect("SIGKILL");
    first.wait().expect("reaped");
    assert!(part_file(data.path()).is_some(), "killed mid-segment");

    let second = ok(&layover(data.path()).args(args).output().expect("runs"));
    assert!(second.contains("Resuming"), "{second}");
    assert!(second.contains("Completed"), "{second}");
    let list = layover(data.path())
        .args(["downloads", "--json"])
        .output()
        .expect("runs");
    let titles: serde_json::Value = serde_json::from_slice(&list.stdout).expect("json");
    assert_eq!(
        titles.as_array().map(Vec::len),
        Some(1),
        "resumed, not added twice"
    );
    assert!(part_file(data.path()).is_none());
    drop(server);

    // Every file equals the packager's: video 240p and English audio, no subtitles.
    let titles = data.path().join("titles");
    let folder = std::fs::read_dir(&titles)
        .expect("titles")
        .flatten()
        .map(|e| e.path())
        .find(|p| p.is_dir())
        .expect("the title's folder");
    let mut checked = 0;
    for rel in files_under(&folder) {
        let (Some(dir), Some(file)) = (rel.parent(), rel.file_name()) else {
            continue;
        };
        let file = file.to_string_lossy();
        let Some(track) = ["video-240", "audio-en"].into_iter().find(|t| {
            dir.to_string_lossy()
                .ends_with(&format!("hls-cenc_{t}.m3u8"))
        }) else {
            continue;
        };
        let source = match file.strip_prefix("init-") {
            Some(init) => demo.join(format!("hls-cenc/{track}/{init}")),
            None if file == "playlist.m3u8" => continue,
            None => demo.join(format!(
                "hls-cenc/{track}/{}",
                file.split_once('-').expect("n-name").1
            )),
        };
        assert_eq!(
            std::fs::read(folder.join(&rel)).expect("read"),
            std::fs::read(&source).expect("source"),
            "{} equals {}",
            rel.display(),
            source.display()
        );
        checked += 1;
    }
    let segments = |t: &str| {
        std::fs::read_to_string(demo.join(format!("hls-cenc/{t}.m3u8")))
            .expect("playlist")
            .lines()
            .filter(|l| l.ends_with(".m4s"))
            .count()
    };
    assert_eq!(checked, 2 + segments("video-240") + segments("audio-en"));

    // The folder on its own: inspect, and decrypt to what the packager's folder decrypts to.
    let folder_arg = folder.to_string_lossy().into_owned();
    let inspect = ok(&layover(data.path())
        .args(["inspect", &folder_arg])
        .output()
        .expect("runs"));
    assert!(inspect.contains("2 tracks"), "{inspect}");
    assert!(inspect.contains("PlayReady"), "{inspect}");
    let keys = [
        format!("{}:{}", key("VIDEO_KID"), key("VIDEO_KEY")),
        format!("{}:{}", key("AUDIO_KID"), key("AUDIO_KEY")),
    ];
    let decrypt = |input: &Path, out: &Path| {
        ok(&layover(data.path())
            .args(["decrypt", "--key", &keys[0], "--key", &keys[1]])
            .arg(input)
            .arg(out)
            .output()
            .expect("runs"))
    };
    let clear = tempfile::tempdir().expect("tempdir");
    let theirs = tempfile::tempdir().expect("tempdir");
    decrypt(&folder, clear.path());
    decrypt(&demo.join("hls-cenc"), theirs.path());
    let mine = files_under(clear.path());
    assert_eq!(mine.len(), 2, "{mine:?}");
    for f in mine {
        assert_eq!(
            std::fs::read(clear.path().join(&f)).expect("read"),
            std::fs::read(theirs.path().join(&f)).expect("the packager's folder has it too"),
            "{}",
            f.display()
        );
    }
}
