//! Downloading the demo origin's HLS title (Shaka Packager's fMP4 playlists, PlayReady
//! `SAMPLE-AES-CTR`) through every fault the origin has, and its two-period DASH title, from
//! the media `assets/media/make-demo.sh` makes (`make demo`).

mod common;

use std::path::{Path, PathBuf};

use layover_devserver::{Config, DevServer, Fault, FaultPlan};
use layover_engine::library::plan::{TrackChoice, VideoChoice};
use layover_engine::{DataDir, DataDirSource, Engine, TitleKind, TitleState};
use layover_media::decrypt::KeyStore;

async fn engine(data: &Path) -> Engine {
    Engine::open(DataDir::at(data, DataDirSource::Flag))
        .await
        .expect("engine")
        .with_fetcher(common::instant_fetcher())
}

fn fault(server: &DevServer, path: &str, fault: Fault) {
    server.faults().push(FaultPlan {
        fault,
        times: 1,
        path_prefix: format!("/media/{path}"),
    });
}

/// The track folder (`NN-<kind>-<playlist URL>`) whose playlist is `<name>.m3u8`.
fn track_dir(folder: &Path, name: &str) -> PathBuf {
    let suffix = format!("hls-cenc_{name}.m3u8");
    std::fs::read_dir(folder)
        .expect("title folder")
        .flatten()
        .map(|e| e.path())
        .find(|p| p.is_dir() && p.to_string_lossy().ends_with(&suffix))
        .unwrap_or_else(|| panic!("no folder for {name} in {}", folder.display()))
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn keys() -> KeyStore {
    let mut keys = KeyStore::new();
    for k in ["VIDEO", "AUDIO"] {
        let pair = format!(
            "{}:{}",
            common::test_key(&format!("{k}_KID")),
            common::test_key(&format!("{k}_KEY"))
        );
        keys.insert_pair(&pair).expect("test key");
    }
    keys
}

#[tokio::test]
async fn hls_downloads_the_chosen_tracks_through_every_fault_and_reads_back_offline() {
    let demo = common::demo();
    let data = tempfile::tempdir().expect("tempdir");
    let engine = engine(data.path()).await;
    let origin = DevServer::start(Config::loopback(&demo))
        .await
        .expect("server");
    // Every fault the origin has, each on a segment of a chosen track.
    fault(
        &origin,
        "hls-cenc/video-240/1.m4s",
        Fault::Drop { after_bytes: 4000 },
    );
    fault(
        &origin,
        "hls-cenc/video-240/2.m4s",
        Fault::Status {
            code: 503,
            retry_after: Some(1),
        },
    );
    fault(
        &origin,
        "hls-cenc/video-240/3.m4s",
        Fault::Status {
            code: 500,
            retry_after: None,
        },
    );
    fault(
        &origin,
        "hls-cenc/video-240/4.m4s",
        Fault::Truncate { keep_bytes: 5000 },
    );
    fault(&origin, "hls-cenc/audio-fr/1.m4s", Fault::Html);
    fault(
        &origin,
        "hls-cenc/audio-fr/2.m4s",
        Fault::Slow {
            bytes_per_sec: 400_000,
        },
    );
    fault(
        &origin,
        "hls-cenc/sub-en/init.mp4",
        Fault::Drop { after_bytes: 100 },
    );
    // The resume of the dropped segment is answered whole (Range ignored).
    fault(&origin, "hls-cenc/video-240/1.m4s", Fault::IgnoreRange);

    let url = format!("{}/media/hls-cenc/master.m3u8", origin.base_url());
    let choice = TrackChoice {
        video: VideoChoice::MaxHeight(240),
        audio: Some(vec!["fr".into()]),
        subs: Some(vec!["en".into()]),
    };
    let title = engine.add_link_with(&url, &choice).await.expect("added");
    assert_eq!(title.kind, TitleKind::Hls);
    let done = engine.download(title.id, &|_| {}).await.expect("downloads");
    assert_eq!(done.state, TitleState::Completed, "{:?}", done.state_reason);
    assert!(
        origin.faults().pending().is_empty(),
        "every fault was met: {:?}",
        origin.faults().pending()
    );

    // Exactly the chosen tracks, each file byte-identical to what the packager wrote.
    let folder = engine.titles_dir().join(&done.folder);
    let dirs: Vec<String> = names_in(&folder)
        .into_iter()
        .filter(|n| folder.join(n).is_dir())
        .collect();
    assert_eq!(dirs.len(), 3, "{dirs:?}");
    let mut total = 0;
    for name in ["video-240", "audio-fr", "sub-en"] {
        let dir = track_dir(&folder, name);
        // As many segments as the packager's playlist lists.
        let origin_playlist = std::fs::read_to_string(demo.join(format!("hls-cenc/{name}.m3u8")))
            .expect("origin playlist");
        let segments = origin_playlist
            .lines()
            .filter(|l| l.ends_with(".m4s"))
            .count();
        assert!(segments >= 2, "{origin_playlist}");
        let mut want = vec!["init-init.mp4".to_owned(), "playlist.m3u8".to_owned()];
        want.extend((1..=segments).map(|n| format!("{n:06}-{n}.m4s")));
        want.sort();
        let got = names_in(&dir);
        assert_eq!(got, want, "{name}");
        for file in got.iter().filter(|f| *f != "playlist.m3u8") {
            let source = match file.strip_prefix("init-") {
                Some(init) => demo.join(format!("hls-cenc/{name}/{init}")),
                None => demo.join(format!(
                    "hls-cenc/{name}/{}",
                    file.split_once('-').expect("n-name").1
                )),
            };
            let bytes = std::fs::read(dir.join(file)).expect("read");
            total += bytes.len() as i64;
            assert_eq!(
                bytes,
                std::fs::read(&source).expect("source"),
                "{name}/{file} equals {}",
                source.display()
            );
        }
    }
    assert_eq!(done.bytes_total, Some(total));
    assert_eq!(done.bytes_done, total);

    // The folder reads back with the network gone: its own playlists name its own files.
    origin.stop().await;
    let report = layover_engine::manifest::inspect(&folder.to_string_lossy())
        .await
        .expect("inspects the folder");
    assert_eq!(report.tracks.len(), 3, "{report:?}");
    assert!(
        report
            .tracks
            .iter()
            .all(|t| t.id.starts_with("file://") && t.segments >= 2),
        "{report:?}"
    );
    let protection = engine
        .title_protection(&done)
        .await
        .expect("protection from the folder");
    assert_eq!(protection.kids.len(), 2, "{protection:?}");
    assert!(
        protection.wrm_header.is_some(),
        "the PlayReady object of EXT-X-KEY"
    );

    // Decrypting the downloaded folder gives what decrypting the packager's folder gives.
    let out = tempfile::tempdir().expect("tempdir");
    let mine = layover_engine::decrypt_folder::decrypt_folder(&folder, out.path(), &keys())
        .expect("decrypts the downloaded folder");
    let theirs_dir = tempfile::tempdir().expect("tempdir");
    let theirs = layover_engine::decrypt_folder::decrypt_folder(
        &demo.join("hls-cenc"),
        theirs_dir.path(),
        &keys(),
    )
    .expect("decrypts the packager's folder");
    assert_eq!(mine.tracks.len(), 3);
    for t in &mine.tracks {
        let name = t.output.file_name().expect("name");
        let same = theirs
            .tracks
            .iter()
            .find(|o| o.output.file_name() == Some(name))
            .unwrap_or_else(|| panic!("{name:?} in the packager's output"));
        assert_eq!(
            std::fs::read(&t.output).expect("read"),
            std::fs::read(&same.output).expect("read"),
            "{name:?}"
        );
    }
}

#[tokio::test]
async fn an_hls_segment_gone_from_the_origin_fails_the_title_naming_it() {
    let data = tempfile::tempdir().expect("tempdir");
    let engine = engine(data.path()).await;
    let origin = DevServer::start(Config::loopback(&common::demo()))
        .await
        .expect("server");
    fault(
        &origin,
        "hls-cenc/video-144/3.m4s",
        Fault::Status {
            code: 404,
            retry_after: None,
        },
    );
    let url = format!("{}/media/hls-cenc/master.m3u8", origin.base_url());
    let choice = TrackChoice {
        video: VideoChoice::MaxHeight(144),
        audio: Some(vec!["en".into()]),
        subs: Some(Vec::new()),
    };
    let title = engine.add_link_with(&url, &choice).await.expect("added");
    let done = engine.download(title.id, &|_| {}).await.expect("runs");
    assert_eq!(done.state, TitleState::Failed);
    let reason = done.state_reason.unwrap_or_default();
    assert!(
        reason.contains("hls-cenc/video-144/3.m4s") && reason.contains("does not exist"),
        "{reason}"
    );
    origin.stop().await;
}

#[tokio::test]
async fn every_period_of_a_dash_title_downloads_and_the_choice_sizes_add_up() {
    let demo = common::demo();
    let data = tempfile::tempdir().expect("tempdir");
    let engine = engine(data.path()).await;
    let origin = DevServer::start(Config::loopback(&demo))
        .await
        .expect("server");
    let url = format!("{}/media/two-periods/manifest.mpd", origin.base_url());

    // The dialog: each option's size counts both periods, and the options chosen add up to the
    // estimate the title is added with.
    let choices = engine.link_choices(&url).await.expect("choices");
    let mpd = std::fs::read(demo.join("two-periods/manifest.mpd")).expect("mpd");
    let base = url::Url::parse(&url).expect("url");
    let p = layover_manifest::parse(&mpd, &base).expect("parses");
    assert_eq!(p.periods.len(), 2);
    let eight_secs = |bps: u64| (bps as f64 / 8.0 * 8.0) as i64;
    // The best video of each period (by bitrate) is what "best" takes.
    let best_of = |period: usize| {
        p.tracks
            .iter()
            .filter(|t| t.period == period && t.kind == layover_manifest::TrackKind::Video)
            .filter_map(|t| t.bitrate)
            .max()
            .expect("video")
    };
    let best = choices
        .video
        .iter()
        .max_by_key(|v| v.bitrate)
        .expect("options");
    let (a, b) = (eight_secs(best_of(0)), eight_secs(best_of(1)));
    assert!(
        best.bytes.is_some_and(|n| (n - (a + b)).abs() <= 1),
        "{:?} is {a} + {b}",
        best.bytes
    );
    assert_eq!(choices.audio.len(), 2, "en and fr, once each");
    assert_eq!(choices.subtitles.len(), 2);
    let picked = TrackChoice {
        video: VideoChoice::parse(&best.choice).expect("choice"),
        audio: None,
        subs: None,
    };
    let sum: i64 = best.bytes.unwrap_or(0)
        + choices.audio.iter().filter_map(|a| a.bytes).sum::<i64>()
        + choices
            .subtitles
            .iter()
            .filter_map(|s| s.bytes)
            .sum::<i64>();
    let title = engine.add_link_with(&url, &picked).await.expect("added");
    assert_eq!(title.bytes_total, Some(sum), "the dialog's sizes add up");

    let done = engine.download(title.id, &|_| {}).await.expect("downloads");
    assert_eq!(done.state, TitleState::Completed, "{:?}", done.state_reason);
    let folder = engine.titles_dir().join(&done.folder);
    // Five tracks per period (video, two audio, two subtitles), each one SegmentBase file:
    // the first period's from clearkey-dash, the second's from playready-cenc.
    let dirs: Vec<String> = names_in(&folder)
        .into_iter()
        .filter(|n| folder.join(n).is_dir())
        .collect();
    assert_eq!(dirs.len(), 10, "{dirs:?}");
    let mut total = 0;
    for (i, dir) in dirs.iter().enumerate() {
        let files = names_in(&folder.join(dir));
        assert_eq!(files.len(), 1, "{dir}: {files:?}");
        let source = demo
            .join(if i < 5 {
                "clearkey-dash"
            } else {
                "playready-cenc"
            })
            .join(&files[0]);
        let bytes = std::fs::read(folder.join(dir).join(&files[0])).expect("read");
        total += bytes.len() as i64;
        assert_eq!(
            bytes,
            std::fs::read(&source).expect("source"),
            "{dir} equals {}",
            source.display()
        );
    }
    assert_eq!(done.bytes_total, Some(total));
    // The stored manifest is the origin's, both periods in it.
    assert_eq!(
        std::fs::read(folder.join("manifest.mpd")).expect("kept"),
        mpd
    );
    origin.stop().await;
}

#[tokio::test]
async fn hls_byte_ranges_become_files_of_their_own_that_decrypt_like_the_source() {
    // The fixture's hls-cbcs: SAMPLE-AES (cbcs), each track one file addressed by
    // EXT-X-BYTERANGE (assets/media/make-fixtures.sh).
    let fixtures = common::fixtures();
    let data = tempfile::tempdir().expect("tempdir");
    let engine = engine(data.path()).await;
    let origin = DevServer::start(Config::loopback(&fixtures))
        .await
        .expect("server");
    // The first range is cut off mid-body; its resume asks for the rest of that range only.
    fault(
        &origin,
        "hls-cbcs/video.mp4",
        Fault::Drop { after_bytes: 700 },
    );
    let url = format!("{}/media/hls-cbcs/master.m3u8", origin.base_url());
    let title = engine.add_link(&url).await.expect("added");
    let done = engine.download(title.id, &|_| {}).await.expect("downloads");
    assert_eq!(done.state, TitleState::Completed, "{:?}", done.state_reason);
    assert!(origin.faults().pending().is_empty(), "the drop was met");
    origin.stop().await;

    let folder = engine.titles_dir().join(&done.folder);
    for name in ["video", "audio"] {
        let source = std::fs::read(fixtures.join(format!("hls-cbcs/{name}.mp4"))).expect("source");
        let playlist = std::fs::read_to_string(fixtures.join(format!("hls-cbcs/{name}.m3u8")))
            .expect("playlist");
        // Each range of the packager's playlist, in order: the EXT-X-MAP's, then each segment's.
        let mut ranges: Vec<(usize, usize)> = Vec::new();
        let mut next = 0usize;
        for line in playlist.lines() {
            let spec = line
                .split_once("BYTERANGE=\"")
                .map(|(_, r)| r.trim_end_matches('"'))
                .or_else(|| line.strip_prefix("#EXT-X-BYTERANGE:"));
            if let Some(spec) = spec {
                let (len, at) = spec.split_once('@').unwrap_or((spec, ""));
                let len: usize = len.parse().expect("length");
                let at: usize = if at.is_empty() {
                    next
                } else {
                    at.parse().expect("offset")
                };
                ranges.push((at, at + len));
                next = at + len;
            }
        }
        let dir = std::fs::read_dir(&folder)
            .expect("folder")
            .flatten()
            .map(|e| e.path())
            .find(|p| {
                p.is_dir()
                    && p.to_string_lossy()
                        .ends_with(&format!("hls-cbcs_{name}.m3u8"))
            })
            .unwrap_or_else(|| panic!("{name}'s folder"));
        let mut files: Vec<String> = names_in(&dir)
            .into_iter()
            .filter(|n| n != "playlist.m3u8")
            .collect();
        // init-video.mp4 first, then 000001-video.mp4...
        files.sort_by_key(|n| !n.starts_with("init-"));
        assert_eq!(files.len(), ranges.len(), "{files:?}");
        for (file, (a, b)) in files.iter().zip(&ranges) {
            assert_eq!(
                std::fs::read(dir.join(file)).expect("read"),
                &source[*a..*b],
                "{name}/{file} is bytes {a}..{b} of the source"
            );
        }
    }

    let out = tempfile::tempdir().expect("tempdir");
    let mine = layover_engine::decrypt_folder::decrypt_folder(&folder, out.path(), &keys())
        .expect("decrypts the downloaded folder");
    let theirs_dir = tempfile::tempdir().expect("tempdir");
    let theirs = layover_engine::decrypt_folder::decrypt_folder(
        &fixtures.join("hls-cbcs"),
        theirs_dir.path(),
        &keys(),
    )
    .expect("decrypts the fixture folder");
    assert_eq!(mine.tracks.len(), 2);
    for (a, b) in mine.tracks.iter().zip(&theirs.tracks) {
        assert_eq!(
            std::fs::read(&a.output).expect("read"),
            std::fs::read(&b.output).expect("read"),
            "{:?}",
            a.output
        );
    }
}
