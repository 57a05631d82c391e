//! `layover providers`, `layover license acquire|show|renew|release` and `layover licenses`
//! against the development license server, on the Shaka-packaged `cenc.mpd` fixture.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use layover_devserver::{Config, DevServer};

fn fixtures() -> std::path::PathBuf {
    let dir = std::env::var_os("LAYOVER_FIXTURES")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/fixtures/media")
        });
    assert!(
        dir.join(".stamp").is_file(),
        "fixture media missing in {}: run assets/media/make-fixtures.sh",
        dir.display()
    );
    dir
}

fn layover(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_layover"))
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env_remove("LAYOVER_DATA_DIR")
        .stdin(Stdio::null())
        .output()
        .expect("runs")
}

fn ok(data: &Path, args: &[&str]) -> String {
    let out = layover(data, args);
    assert!(
        out.status.success(),
        "layover {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_support_engineer_sees_acquires_renews_and_releases_licenses_from_the_cli() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let server = rt
        .block_on(DevServer::start(Config::loopback(&fixtures())))
        .expect("server");
    let base = server.base_url();
    let data = tempfile::tempdir().expect("tempdir");
    let d = data.path();

    let empty = ok(d, &["licenses"]);
    assert!(empty.contains("No licenses yet"), "{empty}");

    ok(d, &["download", &format!("{base}/media/cenc.mpd")]);
    let added = ok(
        d,
        &[
            "providers",
            "add",
            "--name",
            "Demo key delivery",
            "--kind",
            "ams",
            "--url",
            &base,
            "--default",
        ],
    );
    assert!(added.contains("Added provider 1"), "{added}");
    let listed = ok(d, &["providers", "list"]);
    assert!(
        listed.contains("Demo key delivery [default] (ams)"),
        "{listed}"
    );

    let got = ok(d, &["license", "acquire", "1"]);
    assert!(
        got.contains("playready license for 0a1b2c3d-4e5f-4071-8293-a4b5c6d7e8f9: valid"),
        "{got}"
    );
    // Asking again costs nothing: the stored licenses are used.
    ok(d, &["license", "acquire", "1"]);
    assert_eq!(
        server.license().stats().requests,
        2,
        "one request per PlayReady header"
    );

    let table = ok(d, &["licenses"]);
    assert!(
        table.contains("f1e2d3c4-b5a6-4738-9281-706f5e4d3c2b"),
        "{table}"
    );
    // 30 days from issue, counted on the wall clock: "30 d" or "29 d 23 h" a second later.
    assert!(
        table
            .lines()
            .skip(1)
            .all(|l| l.contains("valid")
                && (l.contains("30 d left") || l.contains("29 d 23 h left"))),
        "{table}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&ok(d, &["licenses", "--json"])).expect("json");
    let rows = json.as_array().expect("array");
    assert_eq!(rows.len(), 2);
    assert!(
        rows.iter()
            .all(|r| r["status"] == "valid" && r["persistent"] == true)
    );
    assert!(
        rows.iter()
            .any(|r| r["kid_playready"] == "PSwbCl9OcUCCk6S1xtfo+Q==")
    );
    let none_soon = ok(d, &["licenses", "--expiring", "7d"]);
    assert!(
        none_soon.contains("No license expires in that span"),
        "{none_soon}"
    );

    ok(d, &["license", "renew", "cenc"]);
    let show = ok(d, &["license", "show", "1"]);
    assert!(
        show.contains("PlayReady: PSwbCl9OcUCCk6S1xtfo+Q=="),
        "{show}"
    );
    assert!(
        show.contains("2 d window from first play (not played yet)"),
        "{show}"
    );
    assert!(show.contains("requests: 4"), "{show}");
    assert!(show.contains("renew    ok"), "{show}");
    let by_kid: serde_json::Value = serde_json::from_str(&ok(
        d,
        &[
            "license",
            "show",
            "0a1b2c3d4e5f40718293a4b5c6d7e8f9",
            "--json",
        ],
    ))
    .expect("json");
    assert_eq!(by_kid["title_name"], "cenc");

    let released = ok(d, &["license", "release", "1"]);
    assert!(released.contains("released"), "{released}");
    assert_eq!(
        server
            .license()
            .stats()
            .kid(layover_devserver::license::DEMO_VIDEO_KID)
            .released,
        1
    );

    // Secrets never print; an unknown provider is an error that says what to do.
    let export = ok(d, &["providers", "export"]);
    assert!(export.contains("\"layover_providers\": 1"), "{export}");
    let bad = layover(d, &["providers", "default", "nobody"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("layover providers list"));
    rt.block_on(server.stop());
}

#[test]
fn a_trip_is_planned_with_picked_titles_shown_again_and_forgotten_from_the_cli() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let server = rt
        .block_on(DevServer::start(Config::loopback(&fixtures())))
        .expect("server");
    let base = server.base_url();
    let data = tempfile::tempdir().expect("tempdir");
    let d = data.path();

    let none = layover(d, &["trip"]);
    assert!(!none.status.success());
    assert!(
        String::from_utf8_lossy(&none.stderr).contains("no trip is planned"),
        "{none:?}"
    );

    ok(
        d,
        &[
            "providers",
            "add",
            "--name",
            "Demo key delivery",
            "--kind",
            "ams",
            "--url",
            &base,
            "--default",
        ],
    );
    ok(d, &["download", &format!("{base}/media/clear.mpd")]);
    ok(d, &["download", &format!("{base}/media/cenc.mpd")]);
    let in_three_days = (std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("time")
        .as_secs()
        + 3 * 86_400)
        .to_string();

    // A dry run says what would last and keeps nothing.
    let dry: serde_json::Value = serde_json::from_str(&ok(
        d,
        &[
            "trip",
            "--until",
            &in_three_days,
            "--title",
            "clear",
            "--dry-run",
            "--json",
        ],
    ))
    .expect("json");
    assert_eq!(dry["titles"].as_array().expect("titles").len(), 1);
    assert_eq!(dry["titles"][0]["note"], "needs no license");
    assert!(!layover(d, &["trip"]).status.success(), "nothing saved");

    // A 30-day license does not last until 2099: said, and the exit code says so too.
    let far = layover(
        d,
        &[
            "trip",
            "--until",
            "2099-01-01",
            "--title",
            "cenc",
            "--dry-run",
        ],
    );
    assert!(!far.status.success());
    let far_out = String::from_utf8_lossy(&far.stdout);
    assert!(
        far_out.contains("NOT  cenc: its license ends before you are back"),
        "{far_out}"
    );

    // Planned with both titles, the trip is kept and shown again.
    let planned = ok(
        d,
        &[
            "trip",
            "--until",
            &in_three_days,
            "--title",
            "cenc",
            "--title",
            "clear",
        ],
    );
    assert!(
        planned.contains("ok   cenc: lasts the whole trip"),
        "{planned}"
    );
    assert!(
        planned.contains("ok   clear: needs no license"),
        "{planned}"
    );
    let shown: serde_json::Value = serde_json::from_str(&ok(d, &["trip", "--json"])).expect("json");
    let names: Vec<&str> = shown["titles"]
        .as_array()
        .expect("titles")
        .iter()
        .map(|t| t["title_name"].as_str().expect("name"))
        .collect();
    assert_eq!(names.len(), 2, "{shown}");
    assert!(
        names.contains(&"cenc") && names.contains(&"clear"),
        "{shown}"
    );

    let forgot = ok(d, &["trip", "--forget"]);
    assert!(forgot.contains("forgotten"), "{forgot}");
    assert!(!layover(d, &["trip"]).status.success());
    assert!(ok(d, &["downloads"]).contains("cenc"), "titles stay");
    rt.block_on(server.stop());
}
