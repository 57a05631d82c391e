//! "Verify files" and the diagnostics bundle, on a title downloaded and licensed over loopback.

mod common;

use std::io::Read as _;

use layover_devserver::{Config, DevServer};
use layover_engine::diagnostics::FileCheck;
use layover_engine::licenses::{Operation, ProviderSecrets};
use layover_engine::{DataDir, DataDirSource, Engine, TitleState};

use common::fixtures;

const TOKEN: &str = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJkaWFnbm9zdGljcyJ9.c2VjcmV0LXNpZ25hdHVyZQ";

#[tokio::test]
async fn verify_finds_damage_and_the_bundle_carries_no_secret() {
    let server = DevServer::start(Config::loopback(&fixtures()))
        .await
        .expect("server");
    let data = tempfile::tempdir().expect("tempdir");
    let engine = Engine::open(DataDir::at(data.path(), DataDirSource::Flag))
        .await
        .expect("engine")
        .with_fetcher(common::instant_fetcher());
    let profile = serde_json::from_value(serde_json::json!({
        "name": "Demo", "kind": "ams", "url": server.base_url()
    }))
    .expect("profile");
    let p = engine
        .add_provider(
            profile,
            ProviderSecrets {
                token: Some(TOKEN.into()),
                ..ProviderSecrets::default()
            },
        )
        .await
        .expect("provider");
    engine
        .set_default_provider(Some(p.id))
        .await
        .expect("default");
    let title = engine
        .add_link(&format!(
            "{}/media/cenc.mpd?session=abc123",
            server.base_url()
        ))
        .await
        .expect("added");
    let done = engine
        .download(title.id, &|_| {})
        .await
        .expect("downloaded");
    assert_eq!(done.state, TitleState::Completed);
    let licenses = engine
        .acquire_licenses(title.id, Operation::Acquire)
        .await
        .expect("licensed");
    assert_eq!(licenses.len(), 2);

    // Intact first.
    let report = engine.verify_title(title.id).await.expect("verify");
    assert_eq!(report.bad, 0, "{report:?}");
    assert!(report.files.iter().all(|f| f.check == FileCheck::Ok));

    // A log line that slipped a token, and the data folder in it.
    let logs = data.path().join("logs");
    std::fs::create_dir_all(&logs).expect("logs");
    std::fs::write(
        logs.join("layover-app.2026-11-25.log"),
        format!(
            "INFO request Authorization: Bearer {TOKEN} for {}\n",
            data.path().join("layover.db").display()
        ),
    )
    .expect("log");

    let zip_path = data.path().join("bundle.zip");
    engine.export_diagnostics(&zip_path).await.expect("export");
    let mut archive =
        zip::ZipArchive::new(std::fs::File::open(&zip_path).expect("open")).expect("zip");
    let mut all = String::new();
    let mut names = Vec::new();
    for i in 0..archive.len() {
        let mut f = archive.by_index(i).expect("entry");
        names.push(f.name().to_owned());
        f.read_to_string(&mut all).expect("text");
    }
    for want in [
        "README.txt",
        "app.json",
        "settings.json",
        "titles.json",
        "licenses.json",
        "providers.json",
    ] {
        assert!(names.iter().any(|n| n == want), "{want} in {names:?}");
    }
    assert!(names.iter().any(|n| n.starts_with("logs/")), "{names:?}");
    assert!(all.contains("\"check\": \"ok\""), "files are checked");
    assert!(
        all.contains("0a1b2c3d-4e5f-4071-8293-a4b5c6d7e8f9"),
        "licenses are listed"
    );
    assert!(all.contains("<data>"), "the data folder is named, redacted");
    assert!(!all.contains(TOKEN), "no token");
    assert!(!all.contains("abc123"), "no query values");
    assert!(
        !all.contains(&data.path().display().to_string()),
        "no personal path"
    );
    assert!(
        !all.contains("00112233445566778899aabbccddeeff"),
        "no content key"
    );

    // The Diagnostics view's data: the same redaction, the last log lines.
    let view = engine.diagnostics().await.expect("report");
    let text = view.to_string();
    assert!(text.contains("\"check\":\"ok\""), "files are checked");
    assert!(text.contains("0a1b2c3d-4e5f-4071-8293-a4b5c6d7e8f9"));
    assert!(
        text.contains("<data>"),
        "the data folder is named, redacted"
    );
    assert!(!text.contains(TOKEN), "no token in the view");
    assert!(!text.contains("abc123"), "no query values in the view");
    assert!(!text.contains(&data.path().display().to_string()));
    assert!(!text.contains("00112233445566778899aabbccddeeff"));
    let lines = view["log_lines"].as_array().expect("log lines");
    assert!(
        lines.iter().any(|l| l
            .as_str()
            .is_some_and(|l| l.contains("Authorization") && l.contains("<data>/layover.db"))),
        "the log line is there, scrubbed: {lines:?}"
    );
    assert_eq!(view["titles"].as_array().map(Vec::len), Some(1));
    let tracks = view["titles"][0]["tracks"].as_array().expect("tracks");
    assert!(
        tracks.iter().any(|t| t["kind"] == "video"),
        "the downloaded tracks are listed: {tracks:?}"
    );
    assert_eq!(view["licenses"].as_array().map(Vec::len), Some(2));

    // Damage one file: verify says which, and the title goes back to the queue for it.
    let folder = engine.titles_dir().join(&title.folder);
    let victim = std::fs::read_dir(&folder)
        .expect("folder")
        .flatten()
        .filter(|e| e.path().is_dir())
        .flat_map(|d| std::fs::read_dir(d.path()).expect("dir").flatten())
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "mp4"))
        .expect("a media file");
    let bytes = std::fs::read(&victim).expect("read");
    std::fs::write(&victim, &bytes[..bytes.len() / 2]).expect("truncate");
    let report = engine.verify_title(title.id).await.expect("verify");
    assert_eq!(report.bad, 1, "{report:?}");
    assert!(report.files.iter().any(|f| f.check == FileCheck::WrongSize));
    let t = engine.title(title.id).await.expect("title");
    assert_eq!(t.state, TitleState::Paused);
    assert!(
        t.state_reason
            .as_deref()
            .is_some_and(|r| r.contains("failed verification"))
    );
    // Resume fetches just that file again, byte-identical.
    engine.resume(title.id).await.expect("resume");
    let again = engine
        .download(title.id, &|_| {})
        .await
        .expect("downloaded");
    assert_eq!(again.state, TitleState::Completed);
    assert_eq!(std::fs::read(&victim).expect("read"), bytes);
    assert_eq!(engine.verify_title(title.id).await.expect("verify").bad, 0);
    server.stop().await;
}
