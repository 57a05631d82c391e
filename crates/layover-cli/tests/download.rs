//! `layover download` killed with SIGKILL mid-file and run again finishes byte-identical.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use layover_devserver::{Config, DevServer, Fault, FaultPlan};

/// An MP4-shaped file: ftyp, then a 2 MB mdat.
fn mp4() -> Vec<u8> {
    layover_devserver::stub::stub_mp4(2_000_000)
}

fn layover(data: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_layover"));
    c.arg("--data-dir").arg(data).env_remove("LAYOVER_DATA_DIR");
    c
}

fn part_file(data: &Path) -> Option<PathBuf> {
    let titles = std::fs::read_dir(data.join("titles")).ok()?;
    titles
        .flatten()
        .filter_map(|t| std::fs::read_dir(t.path()).ok())
        .flat_map(|d| d.flatten())
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "part"))
}

/// Serves `name` (a stub MP4) from a devserver whose first request crawls at `bytes_per_sec`,
/// so a download can be stopped part-way. Returns the media folder, runtime, server and URL.
fn slow_origin(
    name: &str,
    bytes_per_sec: u64,
) -> (
    tempfile::TempDir,
    tokio::runtime::Runtime,
    DevServer,
    String,
) {
    let media = tempfile::tempdir().expect("tempdir");
    std::fs::write(media.path().join(name), mp4()).expect("write");
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let server = rt
        .block_on(DevServer::start(Config::loopback(media.path())))
        .expect("server");
    server.faults().push(FaultPlan {
        fault: Fault::Slow { bytes_per_sec },
        times: 1,
        path_prefix: "/media/".into(),
    });
    let url = format!("{}/media/{name}", server.base_url());
    (media, rt, server, url)
}

/// Waits until the title's part file holds at least `bytes`.
fn wait_for_part(data: &Path, bytes: u64, child: &mut std::process::Child) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while part_file(data)
        .and_then(|p| std::fs::metadata(p).ok())
        .is_none_or(|m| m.len() < bytes)
    {
        assert!(Instant::now() < deadline, "the download never got going");
        assert!(
            child.try_wait().expect("wait").is_none(),
            "finished before it could be stopped"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn killed_mid_download_and_run_again_finishes_byte_identical() {
    // The first request crawls, so there is time to kill the download part-way.
    let (_media, _rt, _server, url) = slow_origin("film.mp4", 400_000);
    let data = tempfile::tempdir().expect("tempdir");

    let mut first = layover(data.path())
        .args(["download", &url])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawns");
    wait_for_part(data.path(), 500_000, &mut first);
    first.kill().expect("SIGKILL");
    first.wait().expect("reaped");

    let second = layover(data.path())
        .args(["download", &url])
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert!(second.status.success(), "{stderr}");
    assert!(stderr.contains("Resuming"), "{stderr}");
    assert!(String::from_utf8_lossy(&second.stdout).contains("Completed \"film\""));

    let list = layover(data.path())
        .args(["downloads", "--json"])
        .output()
        .expect("runs");
    let titles: serde_json::Value = serde_json::from_slice(&list.stdout).expect("json");
    assert_eq!(
        titles.as_array().map(Vec::len),
        Some(1),
        "resumed, not added twice: {titles}"
    );
    assert_eq!(titles[0]["state"], "completed");
    let folder = data
        .path()
        .join("titles")
        .join(titles[0]["folder"].as_str().expect("folder"));
    assert_eq!(std::fs::read(folder.join("film.mp4")).expect("read"), mp4());
    assert!(part_file(data.path()).is_none());
}

#[test]
fn a_failed_download_exits_non_zero_with_the_reason() {
    let media = tempfile::tempdir().expect("tempdir");
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let server = rt
        .block_on(DevServer::start(Config::loopback(media.path())))
        .expect("server");
    let data = tempfile::tempdir().expect("tempdir");
    let url = format!("{}/media/gone.mp4", server.base_url());
    let out = layover(data.path())
        .args(["download", &url])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("\"gone\" failed:") && stderr.contains("does not exist"),
        "{stderr}"
    );
    let list = layover(data.path())
        .args(["downloads"])
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&list.stdout);
    assert!(text.contains("failed") && text.contains("gone"), "{text}");
}

#[test]
fn pause_resume_and_remove_from_the_command_line() {
    let (_media, _rt, _server, url) = slow_origin("long_haul.mp4", 300_000);
    let data = tempfile::tempdir().expect("tempdir");

    // One process downloads; another pauses it by name.
    let mut first = layover(data.path())
        .args(["download", &url])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawns");
    wait_for_part(data.path(), 200_000, &mut first);
    let pause = layover(data.path())
        .args(["pause", "long"])
        .output()
        .expect("runs");
    assert!(
        pause.status.success(),
        "{}",
        String::from_utf8_lossy(&pause.stderr)
    );
    assert!(String::from_utf8_lossy(&pause.stdout).contains("Paused \"long haul\""));
    let out = first.wait_with_output().expect("the downloader stops");
    assert_eq!(out.status.code(), Some(1), "not complete, so not 0");
    assert!(String::from_utf8_lossy(&out.stderr).contains("paused by you"));

    let resume = layover(data.path())
        .args(["resume", "1"])
        .output()
        .expect("runs");
    assert!(
        resume.status.success(),
        "{}",
        String::from_utf8_lossy(&resume.stderr)
    );
    assert!(String::from_utf8_lossy(&resume.stdout).contains("Completed \"long haul\""));

    let remove = layover(data.path())
        .args(["remove", "long haul"])
        .output()
        .expect("runs");
    assert!(
        remove.status.success(),
        "{}",
        String::from_utf8_lossy(&remove.stderr)
    );
    assert!(String::from_utf8_lossy(&remove.stdout).contains("freeing 2.0 MB"));
    let list = layover(data.path())
        .args(["downloads"])
        .output()
        .expect("runs");
    assert!(String::from_utf8_lossy(&list.stdout).contains("No titles yet"));
    let missing = layover(data.path())
        .args(["pause", "nothing"])
        .output()
        .expect("runs");
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no title matches `nothing`"));
}
