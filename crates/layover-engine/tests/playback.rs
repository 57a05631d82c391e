//! Offline playback over the engine's `layover://` resources: titles downloaded and licensed
//! from the dev server, which is then stopped; every served segment is byte-identical to
//! `layover decrypt`'s folder output for the same media; Range; refusals.

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use layover_devserver::license::{Clock as ServerClock, LicenseServerConfig};
use layover_devserver::{Config, DevServer};
use layover_engine::licenses::{LicenseStatus, ProviderKind, ProviderProfile, ProviderSecrets};
use layover_engine::playback::PlaybackServer;
use layover_engine::{Clock, DataDir, DataDirSource, Engine, ManualClock, TitleState};
use layover_media::decrypt::KeyStore;
use serde_json::json;

/// 2026-11-25 00:00 UTC.
const T0_MS: u64 = 1_795_651_200_000;

use common::fixtures;

fn test_keys() -> KeyStore {
    let env = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/media/test-keys.env"),
    )
    .expect("keys");
    let get = |name: &str| {
        env.lines()
            .find_map(|l| l.strip_prefix(&format!("{name}=")))
            .expect(name)
            .trim()
            .to_owned()
    };
    let mut keys = KeyStore::new();
    for (k, v) in [("VIDEO_KID", "VIDEO_KEY"), ("AUDIO_KID", "AUDIO_KEY")] {
        keys.insert_pair(&format!("{}:{}", get(k), get(v)))
            .expect("pair");
    }
    keys
}

struct World {
    _data: tempfile::TempDir,
    clock: Arc<ManualClock>,
    engine: Engine,
    /// SegmentBase (`cenc.mpd`) and SegmentTemplate (`tpl/cenc.mpd`) titles.
    base: i64,
    tpl: i64,
}

/// Two titles downloaded and licensed from the demo server (ClearKey, or with `cfg` the
/// test-identity PlayReady key delivery with that license template), then the server
/// stopped: nothing after this can reach the network.
async fn world(cfg: Option<&str>) -> World {
    let clock = Arc::new(ManualClock::at_unix_ms(T0_MS));
    let server_clock = clock.clone();
    let mut license = LicenseServerConfig::demo();
    license.clock = ServerClock::from_fn(move || server_clock.now_unix_ms().div_euclid(1000));
    let server = DevServer::start_with_license(Config::loopback(&fixtures()), license)
        .await
        .expect("server");
    let data = tempfile::tempdir().expect("tempdir");
    let engine =
        Engine::open_with_clock(DataDir::at(data.path(), DataDirSource::Flag), clock.clone())
            .await
            .expect("engine")
            .with_fetcher(common::instant_fetcher());
    let profile = match cfg {
        None => json!({
            "name": "Demo ClearKey",
            "kind": ProviderKind::Clearkey,
            "url": format!("{}/clearkey", server.base_url()),
        }),
        Some(cfg) => json!({
            "name": "Demo key delivery",
            "kind": ProviderKind::Ams,
            "url": server.base_url(),
            "query": {"cfg": cfg},
        }),
    };
    let profile: ProviderProfile = serde_json::from_value(profile).expect("profile");
    let p = engine
        .add_provider(profile, ProviderSecrets::default())
        .await
        .expect("provider");
    engine
        .set_default_provider(Some(p.id))
        .await
        .expect("default");
    let mut ids = Vec::new();
    for link in ["media/cenc.mpd", "media/tpl/cenc.mpd"] {
        let id = engine
            .add_link(&format!("{}/{link}", server.base_url()))
            .await
            .expect("added")
            .id;
        let t = engine.download(id, &|_| {}).await.expect("downloaded");
        assert_eq!(t.state, TitleState::Completed, "{t:?}");
        let l = engine.title_licenses(id).await.expect("licenses");
        assert!(
            l.len() == 2 && l.iter().all(|l| l.has_key),
            "licenses with keys: {l:?}"
        );
        ids.push(id);
    }
    server.stop().await;
    World {
        _data: data,
        clock,
        engine,
        base: ids[0],
        tpl: ids[1],
    }
}

/// `layover decrypt`'s output for a folder holding `mpd` and the files it names.
fn decrypt_reference(mpd: &Path, files: &[&Path]) -> Vec<Vec<u8>> {
    let dir = tempfile::tempdir().expect("tmp");
    let input = dir.path().join("in");
    std::fs::create_dir_all(&input).expect("mkdir");
    std::fs::copy(mpd, input.join("manifest.mpd")).expect("mpd");
    for f in files {
        let rel = f
            .strip_prefix(mpd.parent().expect("parent"))
            .expect("inside");
        let to = input.join(rel);
        std::fs::create_dir_all(to.parent().expect("parent")).expect("mkdir");
        std::fs::copy(f, to).expect("copy");
    }
    let out = dir.path().join("out");
    let report = layover_engine::decrypt_folder::decrypt_folder(&input, &out, &test_keys())
        .expect("reference decrypt");
    report
        .tracks
        .iter()
        .map(|t| std::fs::read(&t.output).expect("read"))
        .collect()
}

/// Every track as the player would fetch it: init then each segment, concatenated.
async fn served_tracks(server: &PlaybackServer, id: i64) -> Vec<Vec<u8>> {
    let mpd = server
        .serve(&format!("/title/{id}/manifest.mpd"), None)
        .await;
    assert_eq!(mpd.status, 200, "{}", mpd.text_body());
    let text = mpd.text_body();
    assert!(!text.contains("ContentProtection") && !text.contains("pssh"));
    let mut tracks = Vec::new();
    for t in 0.. {
        let init = server
            .serve(&format!("/title/{id}/{t}/init.mp4"), None)
            .await;
        if init.status == 404 {
            break;
        }
        assert_eq!(init.status, 200, "{}", init.text_body());
        assert!(
            !init
                .body
                .windows(4)
                .any(|w| w == b"encv" || w == b"enca" || w == b"pssh"),
            "the init segment is clear"
        );
        let mut all = init.body;
        for n in 0.. {
            let seg = server
                .serve(&format!("/title/{id}/{t}/{n}.m4s"), None)
                .await;
            if seg.status == 404 {
                assert!(n > 0, "track {t} has segments");
                break;
            }
            assert_eq!(seg.status, 200, "{}", seg.text_body());
            all.extend_from_slice(&seg.body);
        }
        tracks.push(all);
    }
    tracks
}

#[tokio::test]
async fn served_segments_are_byte_identical_to_layover_decrypt_with_no_network() {
    let w = world(None).await;
    let server = PlaybackServer::new(w.engine.clone());
    let media = fixtures();

    let check = w.engine.playback_check(w.base).await.expect("check");
    assert!(check.playable, "{check:?}");
    assert!(check.path.contains("clearkey"), "{check:?}");

    let served = served_tracks(&server, w.base).await;
    let reference = decrypt_reference(
        &media.join("cenc.mpd"),
        &[&media.join("cenc-video.mp4"), &media.join("cenc-audio.mp4")],
    );
    assert_eq!(served.len(), 2);
    assert_eq!(served.len(), reference.len());
    for (s, r) in served.iter().zip(&reference) {
        assert!(
            s == r,
            "SegmentBase track differs ({} vs {} bytes)",
            s.len(),
            r.len()
        );
    }

    let tpl = media.join("tpl");
    let mut files: Vec<PathBuf> = Vec::new();
    for sub in ["video", "audio"] {
        for e in std::fs::read_dir(tpl.join(sub)).expect("dir").flatten() {
            files.push(e.path());
        }
    }
    let refs: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    let reference = decrypt_reference(&tpl.join("cenc.mpd"), &refs);
    let served = served_tracks(&server, w.tpl).await;
    assert_eq!(served.len(), reference.len());
    for (s, r) in served.iter().zip(&reference) {
        assert!(
            s == r,
            "SegmentTemplate track differs ({} vs {} bytes)",
            s.len(),
            r.len()
        );
    }
}

#[tokio::test]
async fn ranges_wrong_ids_and_traversal() {
    let w = world(None).await;
    let server = PlaybackServer::new(w.engine.clone());
    let whole = server
        .serve(&format!("/title/{}/0/1.m4s", w.tpl), None)
        .await;
    assert_eq!(whole.status, 200);
    let len = whole.body.len();
    let part = server
        .serve(&format!("/title/{}/0/1.m4s", w.tpl), Some("bytes=8-99"))
        .await;
    assert_eq!(part.status, 206);
    assert_eq!(part.body, whole.body[8..100]);
    assert_eq!(
        part.content_range.as_deref(),
        Some(format!("bytes 8-99/{len}").as_str())
    );
    let tail = server
        .serve(&format!("/title/{}/0/1.m4s", w.tpl), Some("bytes=-10"))
        .await;
    assert_eq!(tail.body, whole.body[len - 10..]);
    let past = server
        .serve(
            &format!("/title/{}/0/1.m4s", w.tpl),
            Some(&format!("bytes={len}-")),
        )
        .await;
    assert_eq!(past.status, 416);
    let mpd = server
        .serve(
            &format!("/title/{}/manifest.mpd", w.base),
            Some("bytes=0-4"),
        )
        .await;
    assert_eq!(
        (mpd.status, mpd.body.as_slice()),
        (206, b"<?xml".as_slice())
    );

    assert_eq!(
        server.serve("/title/999/manifest.mpd", None).await.status,
        404
    );
    assert_eq!(
        server
            .serve(&format!("/title/{}/9/init.mp4", w.tpl), None)
            .await
            .status,
        404
    );
    assert_eq!(
        server
            .serve(&format!("/title/{}/0/999.m4s", w.tpl), None)
            .await
            .status,
        404
    );
    for bad in [
        format!("/title/{}/../../../etc/passwd", w.tpl),
        format!("/title/{}/0/../../manifest.mpd", w.tpl),
        format!("/title/{}/%2e%2e/%2e%2e/db.sqlite", w.tpl),
        format!("/title/{}/manifest.mpd/..", w.tpl),
        "/../layover.db".to_owned(),
    ] {
        let r = server.serve(&bad, None).await;
        assert_eq!(r.status, 404, "{bad}: {}", r.text_body());
    }
}

#[tokio::test]
async fn first_play_starts_the_window_and_an_expired_license_is_refused_with_renew() {
    // Persistent, 60 s playback window from first play.
    let w = world(Some("(persist:true,firstexp:60)")).await;
    let server = PlaybackServer::new(w.engine.clone()).with_check_ttl(Duration::ZERO);
    let before = w.engine.playback_check(w.tpl).await.expect("check");
    assert!(
        before.playable && before.first_play_ms.is_none(),
        "{before:?}"
    );

    let started = w.engine.playback_start(w.tpl).await.expect("start");
    assert_eq!(
        started.first_play_ms,
        Some(i64::try_from(T0_MS).expect("ms"))
    );
    assert!(
        started
            .expires_ms
            .is_some_and(|e| e <= i64::try_from(T0_MS).expect("ms") + 60_000),
        "{started:?} {:?}",
        w.engine.title_licenses(w.tpl).await
    );
    assert_eq!(
        server
            .serve(&format!("/title/{}/0/0.m4s", w.tpl), None)
            .await
            .status,
        200
    );

    w.clock.advance(Duration::from_secs(61));
    let after = w.engine.playback_check(w.tpl).await.expect("check");
    assert!(!after.playable && after.can_renew, "{after:?}");
    let reason = after.reason.clone().unwrap_or_default();
    assert!(
        reason.contains("Renew") && reason.contains("playback window"),
        "{reason}"
    );
    let refused = server
        .serve(&format!("/title/{}/0/1.m4s", w.tpl), None)
        .await;
    assert_eq!(refused.status, 403);
    assert_eq!(refused.text_body(), reason);
    let l = w.engine.title_licenses(w.tpl).await.expect("licenses");
    assert!(l.iter().all(|l| l.status == LicenseStatus::Expired));

    // The other title never played: its window has not started, it still plays.
    assert!(
        w.engine
            .playback_check(w.base)
            .await
            .expect("check")
            .playable
    );

    // A clock set back does not give the time back.
    w.clock
        .set(std::time::UNIX_EPOCH + Duration::from_millis(T0_MS - 86_400_000));
    let back = w.engine.playback_check(w.tpl).await.expect("check");
    assert!(!back.playable && back.clock_rolled_back, "{back:?}");
    assert!(back.reason.unwrap_or_default().contains("set back"));
}
