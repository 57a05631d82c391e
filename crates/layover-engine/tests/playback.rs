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

fn demo_dir() -> PathBuf {
    let dir = std::env::var_os("LAYOVER_DEMO_MEDIA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/demo"));
    assert!(
        dir.join(".stamp").is_file(),
        "demo media missing in {}: run assets/media/make-demo.sh",
        dir.display()
    );
    dir
}

/// The demo's Smooth Streaming and progressive PIFF titles, downloaded and licensed to the
/// test identity by the dev server's PlayReady endpoint, which is then stopped.
async fn demo_world() -> (tempfile::TempDir, Engine, i64, i64) {
    let (data, engine, ids) = demo_titles(&["demo/smooth/Manifest", "demo/piff/piff.mp4"]).await;
    (data, engine, ids[0], ids[1])
}

/// Demo titles (paths under the dev server), downloaded and licensed to the test identity by
/// the dev server's PlayReady endpoint, which is then stopped.
async fn demo_titles(links: &[&str]) -> (tempfile::TempDir, Engine, Vec<i64>) {
    let server = DevServer::start(Config::loopback(&fixtures()).with_demo(Some(demo_dir())))
        .await
        .expect("server");
    let data = tempfile::tempdir().expect("tempdir");
    let engine = Engine::open(DataDir::at(data.path(), DataDirSource::Flag))
        .await
        .expect("engine")
        .with_fetcher(common::instant_fetcher());
    let profile: ProviderProfile = serde_json::from_value(json!({
        "name": "Demo PlayReady",
        "kind": ProviderKind::Playready,
        "url": format!("{}/PlayReady/", server.base_url()),
        "la_url_override": format!("{}/PlayReady/", server.base_url()),
        "playready_client": "test_identity",
    }))
    .expect("profile");
    let p = engine
        .add_provider(profile, ProviderSecrets::default())
        .await
        .expect("provider");
    engine
        .set_default_provider(Some(p.id))
        .await
        .expect("default");
    let mut ids = Vec::new();
    for link in links {
        let id = engine
            .add_link(&format!("{}/{link}", server.base_url()))
            .await
            .expect("added")
            .id;
        let t = engine.download(id, &|_| {}).await.expect("downloaded");
        assert_eq!(t.state, TitleState::Completed, "{t:?}");
        let l = engine.title_licenses(id).await.expect("licenses");
        assert!(
            !l.is_empty() && l.iter().all(|l| l.has_key),
            "{link}: licenses with keys: {l:?}"
        );
        ids.push(id);
    }
    server.stop().await;
    (data, engine, ids)
}

/// One sample of a fragmented track: decode time, duration and bytes.
type Sample = (u64, u64, Vec<u8>);

/// The samples of track `track_id` in a fragmented MP4 (read here, independently of the
/// server's rewriting): decode times from `tfdt`, or the running sum where there is none.
fn samples_of(file: &[u8], track_id: u32) -> Vec<Sample> {
    use layover_media::boxes::moof::{tfdt::Tfdt, tfhd, tfhd::Tfhd, trun, trun::Trun};
    use layover_media::boxes::moov::trex::Trex;
    use layover_media::boxes::{BoxCodec, parse_all};
    use layover_media::fourcc::types;
    let tree = parse_all(file).expect("parses");
    let trex = tree
        .iter()
        .filter_map(|b| b.find(&[types::MOOV, types::MVEX]))
        .flat_map(|m| m.children_of(types::TREX))
        .filter_map(|t| Trex::from_box(t).ok())
        .find(|t| t.track_id == track_id)
        .unwrap_or_default();
    let mut out = Vec::new();
    let mut time = 0u64;
    let mut offset = 0usize;
    for b in &tree {
        let start = offset;
        offset += usize::try_from(b.size()).expect("size");
        if b.box_type != types::MOOF {
            continue;
        }
        let mut prev_end = start;
        for (ti, traf) in b.children_of(types::TRAF).enumerate() {
            let h = Tfhd::from_box(traf.child(types::TFHD).expect("tfhd")).expect("tfhd");
            let base = match h.base_data_offset {
                Some(o) => usize::try_from(o).expect("offset"),
                None if ti == 0 || h.flags & tfhd::DEFAULT_BASE_IS_MOOF != 0 => start,
                None => prev_end,
            };
            if let Some(t) = traf.child(types::TFDT)
                && h.track_id == track_id
            {
                time = Tfdt::from_box(t).expect("tfdt").base_media_decode_time;
            }
            let mut pos = base;
            for t in traf.children_of(types::TRUN) {
                let run = Trun::from_box(t).expect("trun");
                if let Some(d) = run.data_offset {
                    pos = usize::try_from(base as i64 + i64::from(d)).expect("pos");
                }
                for i in 0..run.sample_count as usize {
                    let s = run.sample(i);
                    let size = if run.flags & trun::SAMPLE_SIZE != 0 {
                        s.size
                    } else {
                        h.default_sample_size.unwrap_or(trex.default_sample_size)
                    } as usize;
                    let dur = u64::from(if run.flags & trun::SAMPLE_DURATION != 0 {
                        s.duration
                    } else {
                        h.default_sample_duration
                            .unwrap_or(trex.default_sample_duration)
                    });
                    if h.track_id == track_id {
                        out.push((time, dur, file[pos..pos + size].to_vec()));
                        time += dur;
                    }
                    pos += size;
                }
            }
            prev_end = pos;
        }
    }
    out
}

/// The `tkhd` track IDs of an MP4's `moov`, in order.
fn track_ids(file: &[u8]) -> Vec<u32> {
    layover_media::remux::track_ids(file).expect("moov")
}

fn ffmpeg() -> PathBuf {
    let p = std::fs::read_to_string(fixtures().join("ffmpeg-path.txt")).expect("ffmpeg-path.txt");
    PathBuf::from(p.trim())
}

/// ffmpeg's per-frame MD5s of the decoded pictures or PCM frames of one stream (`v:0`,
/// `a:1`), with their timestamps.
fn decoded(file: &Path, stream: &str) -> Vec<String> {
    let out = std::process::Command::new(ffmpeg())
        .args(["-v", "error", "-nostdin", "-i"])
        .arg(file)
        .args(["-map", &format!("0:{stream}"), "-f", "framemd5", "-"])
        .output()
        .expect("run ffmpeg");
    assert!(
        out.status.success(),
        "ffmpeg failed on {}: {}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let frames: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.rsplit(',').next().map(|h| h.trim().to_owned()))
        .filter(|h| !h.is_empty())
        .collect();
    assert!(
        !frames.is_empty(),
        "no {stream} frames in {}",
        file.display()
    );
    frames
}

/// The served manifest's `<S t=.. d=..>` starts of track `t`, expanded.
fn timeline_starts(mpd: &str, track: usize) -> Vec<u64> {
    let set = mpd
        .split("<AdaptationSet")
        .nth(track + 1)
        .expect("adaptation set");
    let attr = |s: &str, name: &str| -> Option<u64> {
        let i = s.find(&format!(" {name}=\""))? + name.len() + 3;
        s[i..].split('"').next()?.parse().ok()
    };
    let mut starts = Vec::new();
    for s in set.split("<S ").skip(1) {
        let s = &format!(" {s}");
        let (t, d) = (attr(s, "t").expect("t"), attr(s, "d").expect("d"));
        for k in 0..=attr(s, "r").unwrap_or(0) {
            starts.push(t + k * d);
        }
    }
    starts
}

#[tokio::test]
async fn smooth_and_piff_titles_serve_one_track_each_with_the_samples_of_layover_decrypt() {
    let (_data, engine, smooth, piff) = demo_world().await;
    let server = PlaybackServer::new(engine.clone());
    let demo = demo_dir();
    let scratch = tempfile::tempdir().expect("tmp");
    // The demo's PIFF and Smooth titles use the video key for every track.
    let keys = test_keys();

    // Smooth: video (best quality), English and French audio, each from its own fragments.
    let mpd = server
        .serve(&format!("/title/{smooth}/manifest.mpd"), None)
        .await
        .text_body();
    let served = served_tracks(&server, smooth).await;
    assert_eq!(served.len(), 3, "{mpd}");
    let reference =
        layover_engine::decrypt_folder::decrypt_folder(&demo.join("smooth"), scratch.path(), &keys)
            .expect("layover decrypt of the Smooth folder");
    for (t, bytes) in served.iter().enumerate() {
        let id = track_ids(bytes);
        assert_eq!(id.len(), 1, "one track per init segment");
        let r = reference
            .tracks
            .iter()
            .find(|r| {
                let bitrate = format!(r#"bandwidth="{}""#, r.bitrate.unwrap_or(0));
                mpd.split("<AdaptationSet")
                    .nth(t + 1)
                    .is_some_and(|s| s.contains(&bitrate))
            })
            .expect("a reference track with the served bitrate");
        let reference = std::fs::read(&r.output).expect("reference");
        let got = samples_of(bytes, id[0]);
        let want = samples_of(&reference, track_ids(&reference)[0]);
        assert_eq!(got.len(), want.len(), "track {t}: samples");
        assert!(
            got.iter().zip(&want).all(|(g, w)| g.1 == w.1 && g.2 == w.2),
            "track {t}: every sample's bytes and duration are layover decrypt's"
        );
        // Each fragment decodes at the manifest's `t` (Smooth fragments have no tfdt).
        let mut starts = timeline_starts(&mpd, t).into_iter();
        let mut at = 0;
        for n in 0.. {
            let seg = server
                .serve(&format!("/title/{smooth}/{t}/{n}.m4s"), None)
                .await;
            if seg.status == 404 {
                break;
            }
            let s = samples_of(
                &[served_init(&server, smooth, t).await, seg.body.clone()].concat(),
                id[0],
            );
            assert_eq!(Some(s[0].0), starts.next(), "track {t} segment {n}: tfdt");
            assert!(
                !seg.body.windows(4).any(|w| w == b"uuid"),
                "no PIFF or Smooth uuid boxes are left"
            );
            at += s.len();
        }
        assert_eq!(at, got.len());
        // And ffmpeg decodes both to the same frames.
        let (a, b) = (
            scratch.path().join(format!("served-smooth-{t}.mp4")),
            scratch.path().join(format!("reference-smooth-{t}.mp4")),
        );
        std::fs::write(&a, bytes).expect("write");
        std::fs::write(&b, &reference).expect("write");
        let stream = if mpd
            .split("<AdaptationSet")
            .nth(t + 1)
            .is_some_and(|s| s.contains("video"))
        {
            "v:0"
        } else {
            "a:0"
        };
        assert_eq!(
            decoded(&a, stream),
            decoded(&b, stream),
            "track {t} decodes the same"
        );
    }

    // Progressive PIFF: one file, video + English + French audio, served as three tracks.
    let mpd = server
        .serve(&format!("/title/{piff}/manifest.mpd"), None)
        .await
        .text_body();
    let served = served_tracks(&server, piff).await;
    assert_eq!(served.len(), 3, "{mpd}");
    let source = std::fs::read(demo.join("piff/piff.mp4")).expect("piff");
    let clear = layover_media::decrypt::decrypt_file(&source, &keys).expect("layover decrypt");
    let clear_path = scratch.path().join("reference-piff.mp4");
    std::fs::write(&clear_path, &clear).expect("write");
    let ids = track_ids(&clear);
    assert_eq!(ids.len(), 3);
    for (t, bytes) in served.iter().enumerate() {
        let id = track_ids(bytes);
        assert_eq!(id, vec![ids[t]], "track {t} is the file's track {}", ids[t]);
        let got = samples_of(bytes, id[0]);
        let want = samples_of(&clear, id[0]);
        assert!(!got.is_empty());
        assert_eq!(got, want, "track {t}: samples, durations and decode times");
        let a = scratch.path().join(format!("served-piff-{t}.mp4"));
        std::fs::write(&a, bytes).expect("write");
        let (mine, theirs) = if t == 0 {
            ("v:0", "v:0")
        } else {
            ("a:0", if t == 1 { "a:0" } else { "a:1" })
        };
        assert_eq!(
            decoded(&a, mine),
            decoded(&clear_path, theirs),
            "track {t} decodes the same"
        );
    }
    assert!(
        mpd.contains(r#"lang="eng""#) && mpd.contains(r#"lang="fra""#),
        "{mpd}"
    );

    // Range on a rewritten segment.
    let whole = server.serve(&format!("/title/{piff}/1/2.m4s"), None).await;
    assert_eq!(whole.status, 200);
    let part = server
        .serve(&format!("/title/{piff}/1/2.m4s"), Some("bytes=16-63"))
        .await;
    assert_eq!(
        (part.status, part.body.as_slice()),
        (206, &whole.body[16..64])
    );
    let tail = server
        .serve(&format!("/title/{smooth}/0/1.m4s"), Some("bytes=-8"))
        .await;
    let full = server
        .serve(&format!("/title/{smooth}/0/1.m4s"), None)
        .await;
    assert_eq!(tail.body, full.body[full.body.len() - 8..]);
    // Past the last segment and track: 404.
    for bad in [
        format!("/title/{smooth}/0/99.m4s"),
        format!("/title/{piff}/3/init.mp4"),
        format!("/title/{piff}/0/../../piff.mp4"),
    ] {
        assert_eq!(server.serve(&bad, None).await.status, 404, "{bad}");
    }
}

async fn served_init(server: &PlaybackServer, id: i64, t: usize) -> Vec<u8> {
    let r = server
        .serve(&format!("/title/{id}/{t}/init.mp4"), None)
        .await;
    assert_eq!(r.status, 200);
    r.body
}

#[tokio::test]
async fn resume_positions_belong_to_their_library() {
    // Two data folders whose titles have the same ids.
    let a = world(None).await;
    let b = world(None).await;
    assert_eq!(
        (a.base, a.tpl),
        (b.base, b.tpl),
        "the same ids in both libraries"
    );
    assert_eq!(a.engine.resume_position(a.base).await.expect("read"), 0.0);
    assert_eq!(
        a.engine
            .save_position(a.base, 3.27, 6.0)
            .await
            .expect("saved"),
        3.2
    );
    assert_eq!(a.engine.resume_position(a.base).await.expect("read"), 3.2);
    assert_eq!(b.engine.resume_position(b.base).await.expect("read"), 0.0);
    assert_eq!(a.engine.resume_position(a.tpl).await.expect("read"), 0.0);

    // Kept across a restart of the library.
    let again = Engine::open(DataDir::at(a._data.path(), DataDirSource::Flag))
        .await
        .expect("reopened");
    assert_eq!(again.resume_position(a.base).await.expect("read"), 3.2);

    // Near the end counts as finished; an unknown title is an error naming it.
    assert_eq!(
        a.engine
            .save_position(a.base, 5.5, 6.0)
            .await
            .expect("saved"),
        0.0
    );
    assert_eq!(a.engine.resume_position(a.base).await.expect("read"), 0.0);
    assert!(matches!(
        a.engine.save_position(999, 3.0, 6.0).await,
        Err(layover_engine::Error::TitleNotFound(999))
    ));

    // Deleting a title forgets its position.
    b.engine
        .save_position(b.tpl, 2.0, 0.0)
        .await
        .expect("saved");
    b.engine.remove(b.tpl).await.expect("deleted");
    let db = sqlx::SqlitePool::connect(&format!(
        "sqlite://{}?mode=ro",
        b._data.path().join("layover.db").display()
    ))
    .await
    .expect("the database");
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM playback_positions")
        .fetch_one(&db)
        .await
        .expect("count");
    assert_eq!(left, 0);
}

#[tokio::test]
async fn an_hls_title_serves_each_track_byte_identical_to_layover_decrypt_of_its_folder() {
    let (_data, engine, ids) = demo_titles(&["demo/hls-cenc/master.m3u8"]).await;
    let id = ids[0];
    let server = PlaybackServer::new(engine.clone());
    let check = engine.playback_check(id).await.expect("check");
    assert!(check.playable, "{check:?}");
    let mpd = server
        .serve(&format!("/title/{id}/manifest.mpd"), None)
        .await
        .text_body();
    let served = served_tracks(&server, id).await;
    // One video quality, English and French audio, English and French WebVTT-in-MP4.
    assert_eq!(served.len(), 5, "{mpd}");
    assert!(mpd.contains(r#"codecs="wvtt""#), "{mpd}");
    let title = engine.title(id).await.expect("title");
    let out = tempfile::tempdir().expect("tmp");
    let reference = layover_engine::decrypt_folder::decrypt_folder(
        &engine.titles_dir().join(&title.folder),
        out.path(),
        &test_keys(),
    )
    .expect("layover decrypt of the title's folder");
    assert_eq!(reference.tracks.len(), served.len());
    for (t, (s, r)) in served.iter().zip(&reference.tracks).enumerate() {
        let r = std::fs::read(&r.output).expect("reference");
        assert!(
            *s == r,
            "track {t} differs from layover decrypt ({} vs {} bytes)",
            s.len(),
            r.len()
        );
    }
    // The timeline is the media's own: each segment starts where its tfdt says.
    for (t, bytes) in served.iter().enumerate().take(3) {
        let first = samples_of(bytes, track_ids(bytes)[0]);
        assert_eq!(Some(first[0].0), timeline_starts(&mpd, t).first().copied());
    }
    let part = server
        .serve(&format!("/title/{id}/1/1.m4s"), Some("bytes=0-7"))
        .await;
    assert_eq!((part.status, &part.body[4..8]), (206, b"styp".as_slice()));
}
