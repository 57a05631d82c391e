//! The `layover` binary as a user runs it.

use std::path::Path;
use std::process::{Command, Output};

fn layover(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_layover"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env_remove("LAYOVER_DATA_DIR")
        .env_remove("LAYOVER_LOG")
        .output()
        .expect("runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).trim().to_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).trim().to_owned()
}

#[test]
fn version_and_help() {
    let dir = tempfile::tempdir().expect("tempdir");
    let v = layover(dir.path(), &["--version"]);
    assert!(v.status.success());
    assert_eq!(stdout(&v), format!("layover {}", env!("CARGO_PKG_VERSION")));

    let h = layover(dir.path(), &["--help"]);
    assert!(h.status.success());
    let help = stdout(&h);
    for word in [
        "protected video offline",
        "info",
        "settings",
        "--data-dir",
        "LAYOVER_DATA_DIR",
    ] {
        assert!(help.contains(word), "help lacks {word:?}:\n{help}");
    }
    // --version and --help touch nothing on disk.
    assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 0);
}

#[test]
fn info_reports_the_data_folder_as_json() {
    let dir = tempfile::tempdir().expect("tempdir");
    let o = layover(dir.path(), &["info", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let info: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(info["name"], "Layover");
    assert_eq!(info["data_dir"], dir.path().display().to_string());
    assert_eq!(info["data_dir_source"], "flag");
    assert!(info["schema_version"].as_i64().unwrap_or(0) > 0);
    assert!(dir.path().join("layover.db").exists());
}

#[test]
fn settings_round_trip_and_errors_name_the_fix() {
    let dir = tempfile::tempdir().expect("tempdir");
    assert_eq!(
        stdout(&layover(dir.path(), &["settings", "get", "theme"])),
        "system"
    );
    let set = layover(dir.path(), &["settings", "set", "theme", "dark"]);
    assert!(set.status.success(), "{}", stderr(&set));
    assert_eq!(stdout(&set), "theme = dark");
    assert_eq!(
        stdout(&layover(dir.path(), &["settings", "get", "theme"])),
        "dark"
    );
    let list = layover(dir.path(), &["settings", "list", "--json"]);
    let list: serde_json::Value = serde_json::from_str(&stdout(&list)).expect("json");
    assert_eq!(list["theme"], "dark");

    let bad = layover(dir.path(), &["settings", "set", "theme", "neon"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        stderr(&bad).contains("system, light, dark"),
        "{}",
        stderr(&bad)
    );
    let unknown = layover(dir.path(), &["settings", "get", "colour"]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(
        stderr(&unknown).contains("known settings: theme"),
        "{}",
        stderr(&unknown)
    );
    // The failed writes changed nothing.
    assert_eq!(
        stdout(&layover(dir.path(), &["settings", "get", "theme"])),
        "dark"
    );
}

#[test]
fn environment_variable_chooses_the_folder_and_logs_land_there() {
    let dir = tempfile::tempdir().expect("tempdir");
    let o = Command::new(env!("CARGO_BIN_EXE_layover"))
        .args(["info", "--json"])
        .env("LAYOVER_DATA_DIR", dir.path())
        .env("LAYOVER_LOG", "debug")
        .output()
        .expect("runs");
    assert!(o.status.success(), "{}", stderr(&o));
    let info: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(info["data_dir_source"], "environment");
    let logs: Vec<_> = std::fs::read_dir(dir.path().join("logs"))
        .expect("logs dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        logs.iter()
            .any(|n| n.starts_with("layover-cli.") && n.ends_with(".log")),
        "{logs:?}"
    );
}

#[test]
fn the_real_data_folder_is_refused_under_test() {
    let o = Command::new(env!("CARGO_BIN_EXE_layover"))
        .args(["info"])
        .env_remove("LAYOVER_DATA_DIR")
        .env("LAYOVER_FORBID_DEFAULT_DATA_DIR", "1")
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("refusing to use the real data directory"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn devserver_serves_a_folder_until_stopped() {
    use std::io::{BufRead, BufReader, Read, Write};

    let media = tempfile::tempdir().expect("tempdir");
    std::fs::write(media.path().join("a.m4s"), b"0123456789").expect("write");
    let mut child = Command::new(env!("CARGO_BIN_EXE_layover"))
        .args(["devserver", "--port", "0", "--media"])
        .arg(media.path())
        .env("LAYOVER_FORBID_DEFAULT_DATA_DIR", "1")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("spawns");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("first line");
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .expect("address in the first line")
        .to_owned();

    let mut conn = std::net::TcpStream::connect(&addr).expect("connects");
    write!(
        conn,
        "GET /media/a.m4s HTTP/1.1\r\nHost: {addr}\r\nRange: bytes=2-4\r\nConnection: close\r\n\r\n"
    )
    .expect("request");
    let mut reply = String::new();
    conn.read_to_string(&mut reply).expect("reply");
    child.kill().expect("kill");
    let _ = child.wait();
    assert!(reply.starts_with("HTTP/1.1 206"), "{reply}");
    assert!(reply.ends_with("234"), "{reply}");
}
