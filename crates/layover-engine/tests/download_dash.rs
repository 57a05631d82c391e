//! Downloading DASH titles packaged by Shaka Packager (assets/media/make-fixtures.sh, run by
//! `make test`) from the development origin.

mod common;

use layover_devserver::{Config, DevServer};
use layover_engine::{DataDir, DataDirSource, Engine, TitleKind, TitleState};

async fn engine(data: &std::path::Path) -> Engine {
    Engine::open(DataDir::at(data, DataDirSource::Flag))
        .await
        .expect("engine")
        .with_fetcher(common::instant_fetcher())
}

use common::fixtures;

/// Every file of a downloaded title, relative to its folder, with its bytes.
fn files_of(folder: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for dir in std::fs::read_dir(folder)
        .expect("dir")
        .flatten()
        .filter(|e| e.path().is_dir())
    {
        for f in std::fs::read_dir(dir.path()).expect("dir").flatten() {
            let name = format!(
                "{}/{}",
                dir.file_name().to_string_lossy(),
                f.file_name().to_string_lossy()
            );
            out.push((name, std::fs::read(f.path()).expect("read")));
        }
    }
    out.sort();
    out
}

#[tokio::test]
async fn dash_titles_download_every_chosen_track_byte_identical() {
    let data = tempfile::tempdir().expect("tempdir");
    let engine = engine(data.path()).await;
    let origin = DevServer::start(Config::loopback(&fixtures()))
        .await
        .expect("server");

    // SegmentBase: one file per track, indexed by its sidx.
    let url = format!("{}/media/cenc.mpd", origin.base_url());
    let title = engine.add_link(&url).await.expect("added");
    assert_eq!((title.name.as_str(), title.kind), ("cenc", TitleKind::Dash));
    assert!(
        title.bytes_total.is_some_and(|t| t > 0),
        "an estimate from the bitrates"
    );
    let done = engine.download(title.id, &|_| {}).await.expect("downloads");
    assert_eq!(done.state, TitleState::Completed, "{:?}", done.state_reason);
    let folder = engine.titles_dir().join(&done.folder);
    let files = files_of(&folder);
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        ["00-video-0/cenc-video.mp4", "01-audio-1/cenc-audio.mp4"]
    );
    assert_eq!(
        files[0].1,
        std::fs::read(fixtures().join("cenc-video.mp4")).expect("read")
    );
    assert_eq!(
        files[1].1,
        std::fs::read(fixtures().join("cenc-audio.mp4")).expect("read")
    );
    assert_eq!(
        std::fs::read(folder.join("manifest.mpd")).expect("kept"),
        std::fs::read(fixtures().join("cenc.mpd")).expect("read")
    );
    assert_eq!(
        done.bytes_total,
        Some(done.bytes_done),
        "the exact size replaces the estimate"
    );

    // SegmentTemplate + SegmentTimeline: an init segment and three media segments per track.
    let url = format!("{}/media/tpl/cenc.mpd", origin.base_url());
    let title = engine.add_link(&url).await.expect("added");
    let done = engine.download(title.id, &|_| {}).await.expect("downloads");
    assert_eq!(done.state, TitleState::Completed, "{:?}", done.state_reason);
    let files = files_of(&engine.titles_dir().join(&done.folder));
    assert_eq!(
        files.len(),
        8,
        "{:?}",
        files.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    for (name, bytes) in &files {
        let (dir, file) = name.split_once('/').expect("dir/file");
        let kind = if dir.contains("video") {
            "video"
        } else {
            "audio"
        };
        let source = match file.strip_prefix("init-") {
            Some(init) => fixtures().join(format!("tpl/{kind}/{init}")),
            None => fixtures().join(format!(
                "tpl/{kind}/{}",
                file.split_once('-').expect("n-name").1
            )),
        };
        assert_eq!(
            bytes,
            &std::fs::read(&source).expect("source"),
            "{name} equals {}",
            source.display()
        );
    }
    origin.stop().await;
}
