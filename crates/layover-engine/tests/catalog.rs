//! The demo catalog over loopback: the feed is read, and every entry (one per protection path)
//! is added through its license profile, downloaded, and licensed by the development server.

mod common;

use std::path::PathBuf;

use layover_devserver::{Config, DevServer};
use layover_engine::catalog::Catalog;
use layover_engine::library::choices::ChoiceInput;
use layover_engine::library::queue::DownloadQueue;
use layover_engine::licenses::LicenseStatus;
use layover_engine::{DataDir, DataDirSource, Engine, TitleKind, TitleState};

fn repo() -> PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn demo_dir() -> PathBuf {
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

async fn world() -> (tempfile::TempDir, DevServer, Engine) {
    let server = DevServer::start(Config::loopback(&demo_dir()).with_demo(Some(demo_dir())))
        .await
        .expect("server");
    let data = tempfile::tempdir().expect("tempdir");
    let engine = Engine::open(DataDir::at(data.path(), DataDirSource::Flag))
        .await
        .expect("engine")
        .with_fetcher(common::instant_fetcher());
    (data, server, engine)
}

#[tokio::test]
async fn every_demo_title_downloads_and_gets_its_licenses_from_its_profile() {
    let (_data, server, engine) = world().await;
    let feed_url = format!("{}/catalog.json", server.base_url());
    let catalog: Catalog = engine.read_catalog(&feed_url).await.expect("feed");
    assert_eq!(catalog.titles.len(), 5);
    for entry in &catalog.titles {
        // What the add dialog shows comes from the entry's link.
        let choices = engine.link_choices(&entry.manifest).await.expect("choices");
        if entry.kind != TitleKind::Progressive {
            assert!(choices.video.len() >= 2, "{}: qualities", entry.id);
            assert!(choices.audio.len() >= 2, "{}: languages", entry.id);
        }
        let choice = ChoiceInput {
            video: choices.video.last().map(|v| v.choice.clone()),
            ..ChoiceInput::default()
        };
        let title = engine
            .add_catalog_entry(entry, &choice)
            .await
            .expect("added");
        assert_eq!(title.name, entry.name);
    }
    // Two PlayReady profiles share a name: one provider for both, plus ClearKey.
    let providers = engine.providers().await.expect("providers");
    assert_eq!(providers.len(), 2, "{providers:?}");

    DownloadQueue::new(engine.clone())
        .run_until_idle()
        .await
        .expect("queue");
    for title in engine.titles().await.expect("titles") {
        assert_eq!(
            title.state,
            TitleState::Completed,
            "{}: {:?}",
            title.name,
            title.state_reason
        );
        let licenses = engine.title_licenses(title.id).await.expect("licenses");
        assert!(!licenses.is_empty(), "{}: no license rows", title.name);
        for l in &licenses {
            assert_eq!(
                l.status,
                LicenseStatus::Valid,
                "{} {}: {:?}",
                title.name,
                l.kid,
                l.status_reason
            );
            assert!(l.provider.is_some(), "{}: from its profile", title.name);
        }
    }
    server.stop().await;
}

#[tokio::test]
async fn adding_an_entry_again_updates_its_provider_in_place() {
    let (_data, server, engine) = world().await;
    let feed_url = format!("{}/catalog.json", server.base_url());
    let mut catalog = engine.read_catalog(&feed_url).await.expect("feed");
    let entry = catalog.entry("clearkey-dash").expect("entry").clone();
    engine
        .add_catalog_entry(&entry, &ChoiceInput::default())
        .await
        .expect("added");
    let mut changed = entry.clone();
    if let Some(l) = &mut changed.license {
        l.persistent = false;
    }
    catalog.titles[0] = changed.clone();
    let again = engine
        .add_catalog_entry(&changed, &ChoiceInput::default())
        .await
        .expect("added again");
    let providers = engine.providers().await.expect("providers");
    assert_eq!(providers.len(), 1);
    assert!(!providers[0].profile.persistent);
    // The feed as served again (the demo server on a new port, say) puts the profile back.
    let fresh = engine.read_catalog(&feed_url).await.expect("feed");
    assert_eq!(
        engine
            .refresh_catalog_providers(&fresh)
            .await
            .expect("refresh"),
        1
    );
    assert!(
        engine.providers().await.expect("providers")[0]
            .profile
            .persistent
    );
    assert_eq!(
        engine
            .refresh_catalog_providers(&fresh)
            .await
            .expect("refresh"),
        0
    );
    assert_eq!(engine.titles().await.expect("titles").len(), 1);
    assert_eq!(again.name, entry.name);
    server.stop().await;
}

#[tokio::test]
async fn posters_come_as_data_urls() {
    let (_data, server, engine) = world().await;
    let catalog = engine
        .read_catalog(&format!("{}/catalog.json", server.base_url()))
        .await
        .expect("feed");
    for entry in &catalog.titles {
        let poster = entry.poster.as_deref().expect("poster");
        let data = engine.catalog_poster(poster).await.expect("poster");
        assert!(
            data.starts_with("data:image/jpeg;base64,/9j/"),
            "{}",
            &data[..40]
        );
    }
    let e = engine
        .catalog_poster(&catalog.titles[0].manifest)
        .await
        .expect_err("an MPD is no poster");
    assert!(e.to_string().contains("not a PNG or JPEG"), "{e}");
    server.stop().await;
}

#[tokio::test]
async fn an_unreachable_or_foreign_feed_says_so() {
    let (_data, server, engine) = world().await;
    let base = server.base_url();
    let e = engine
        .read_catalog(&format!("{base}/demo/clearkey-dash/manifest.mpd"))
        .await
        .expect_err("an MPD is not a feed");
    assert!(e.to_string().contains("not a catalog feed"), "{e}");
    server.stop().await;
    let e = engine
        .read_catalog(&format!("{base}/catalog.json"))
        .await
        .expect_err("server gone");
    assert!(e.to_string().contains("cannot be reached"), "{e}");
}

#[tokio::test]
async fn a_catalog_title_keeps_its_poster_and_its_page_reads_offline() {
    let (_data, server, engine) = world().await;
    let catalog = engine
        .read_catalog(&format!("{}/catalog.json", server.base_url()))
        .await
        .expect("feed");
    let mut ids = Vec::new();
    for key in ["playready-cenc", "piff"] {
        let entry = catalog.entry(key).expect("entry");
        let title = engine
            .add_catalog_entry(entry, &ChoiceInput::default())
            .await
            .expect("added");
        ids.push(title.id);
    }
    DownloadQueue::new(engine.clone())
        .run_until_idle()
        .await
        .expect("queue");
    // No network from here on: the poster and the page come from disk and the database.
    server.stop().await;

    let (dash, piff) = (ids[0], ids[1]);
    for id in [dash, piff] {
        let poster = engine
            .title_poster(id)
            .await
            .expect("poster")
            .expect("kept");
        assert!(
            poster.starts_with("data:image/jpeg;base64,/9j/"),
            "{}",
            &poster[..40]
        );
    }
    let d = engine.title_details(dash).await.expect("details");
    assert!(d.has_poster);
    assert_eq!(d.title.state, TitleState::Completed);
    assert!(
        d.delivery.starts_with("DASH, protected with PlayReady"),
        "{}",
        d.delivery
    );
    assert_eq!(d.files, d.files_done);
    assert!(
        d.bytes_on_disk > d.title.bytes_done,
        "the manifest and poster count too"
    );
    let kinds: Vec<&str> = d.tracks.iter().map(|t| t.kind.as_str()).collect();
    assert_eq!(
        kinds.iter().filter(|k| **k == "video").count(),
        1,
        "{:?}",
        d.tracks
    );
    assert!(
        kinds.iter().filter(|k| **k == "audio").count() >= 2,
        "{:?}",
        d.tracks
    );
    assert!(kinds.contains(&"text"), "{:?}", d.tracks);
    assert!(d.tracks[0].label.contains('x'), "{:?}", d.tracks[0]);
    // The demo PlayReady license: 30 days, and 48 hours once played.
    let s = d.summary.expect("summary");
    assert_eq!(s.playback_window_secs, Some(48 * 3600));
    assert_eq!(s.first_play_ms, None);
    assert_eq!(
        s.deadline,
        Some(layover_engine::licenses::Deadline::LicenseWindow)
    );
    assert!(d.playback.playable, "{:?}", d.playback.reason);

    engine.playback_start(dash).await.expect("first play");
    let after = engine.title_details(dash).await.expect("details");
    let s = after.summary.expect("summary");
    assert_eq!(
        s.deadline,
        Some(layover_engine::licenses::Deadline::PlaybackWindow)
    );
    let first = s.first_play_ms.expect("started");
    assert_eq!(s.expires_ms, Some(first - first % 1000 + 48 * 3600 * 1000));

    let p = engine.title_details(piff).await.expect("details");
    assert_eq!(p.title.kind, TitleKind::Progressive);
    assert!(
        p.tracks.iter().any(|t| t.kind == "video"),
        "{:?} {:?}",
        p.tracks,
        p.tracks_note
    );
}
