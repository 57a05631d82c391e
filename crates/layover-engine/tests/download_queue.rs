//! The download queue, parallel segments, the bandwidth limit and choosing tracks again, over
//! HTTP on loopback against the development origin.

mod common;

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use layover_devserver::{Config, DevServer, Fault, FaultPlan};
use layover_engine::library::choices::ChoiceInput;
use layover_engine::library::queue::{DownloadQueue, QueuePlace};
use layover_engine::net::{Fetcher, RetryPolicy, Sleep};
use layover_engine::{DataDir, DataDirSource, Engine, SettingsPatch, TitleState};

const SEGMENTS: usize = 12;

/// A DASH title with two video qualities and one audio track, `SEGMENTS` segments each; every
/// file a distinct small MP4.
fn write_dash(dir: &std::path::Path) {
    let mpd = r#"<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT24S">
  <Period>
    <AdaptationSet contentType="video" mimeType="video/mp4" codecs="avc1.64001f">
      <SegmentTemplate timescale="1" duration="2" startNumber="1" initialization="$RepresentationID$/init.mp4" media="$RepresentationID$/$Number$.m4s"/>
      <Representation id="low" bandwidth="40000" width="640" height="360"/>
      <Representation id="high" bandwidth="80000" width="1280" height="720"/>
    </AdaptationSet>
    <AdaptationSet contentType="audio" mimeType="audio/mp4" codecs="mp4a.40.2" lang="en">
      <SegmentTemplate timescale="1" duration="2" startNumber="1" initialization="$RepresentationID$/init.mp4" media="$RepresentationID$/$Number$.m4s"/>
      <Representation id="aud" bandwidth="8000"/>
    </AdaptationSet>
  </Period>
</MPD>"#;
    let title = dir.join("queue_film");
    std::fs::create_dir_all(&title).expect("dir");
    std::fs::write(title.join("manifest.mpd"), mpd).expect("write");
    for (n, rep) in ["low", "high", "aud"].iter().enumerate() {
        let d = title.join(rep);
        std::fs::create_dir_all(&d).expect("dir");
        std::fs::write(d.join("init.mp4"), stub(1_000 + n as u32)).expect("write");
        for i in 1..=SEGMENTS {
            std::fs::write(
                d.join(format!("{i}.m4s")),
                stub(20_000 + (n * 100 + i) as u32),
            )
            .expect("write");
        }
    }
}

fn stub(len: u32) -> Vec<u8> {
    layover_devserver::stub::stub_mp4(len)
}

async fn setup_with(fetcher: Fetcher) -> (tempfile::TempDir, tempfile::TempDir, DevServer, Engine) {
    let media = tempfile::tempdir().expect("tempdir");
    write_dash(media.path());
    for (name, len) in [
        ("one.mp4", 300_000),
        ("two.mp4", 300_000),
        ("three.mp4", 300_000),
    ] {
        std::fs::write(media.path().join(name), stub(len)).expect("write");
    }
    let server = DevServer::start(Config::loopback(media.path()))
        .await
        .expect("server");
    let data = tempfile::tempdir().expect("tempdir");
    let engine = Engine::open(DataDir::at(data.path(), DataDirSource::Flag))
        .await
        .expect("engine")
        .with_fetcher(fetcher);
    (media, data, server, engine)
}

async fn setup() -> (tempfile::TempDir, tempfile::TempDir, DevServer, Engine) {
    setup_with(common::instant_fetcher()).await
}

/// Every file under `folder` (recursively), relative, except the manifest and lock.
fn files_under(folder: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![folder.to_owned()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).expect("dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(folder).expect("inside");
                out.push((
                    rel.to_string_lossy().into_owned(),
                    std::fs::read(&p).expect("read"),
                ));
            }
        }
    }
    out.retain(|(n, _)| !n.starts_with("manifest.") && n != ".owner");
    out.sort();
    out
}

#[tokio::test]
async fn segments_arrive_many_at_once_through_faults_byte_identical() {
    let (media, _data, server, engine) = setup().await;
    engine
        .update_settings(SettingsPatch {
            parallel_segments: Some(6),
            ..SettingsPatch::default()
        })
        .await
        .expect("settings");
    for fault in [
        Fault::Drop { after_bytes: 5_000 },
        Fault::Status {
            code: 503,
            retry_after: Some(0),
        },
        Fault::Html,
    ] {
        server.faults().push(FaultPlan {
            fault,
            times: 2,
            path_prefix: "/media/queue_film/".into(),
        });
    }
    let url = format!("{}/media/queue_film/manifest.mpd", server.base_url());
    let title = engine
        .add_link_chosen(
            &url,
            &ChoiceInput {
                video: Some("720p".into()),
                ..ChoiceInput::default()
            },
        )
        .await
        .expect("added");
    let done = engine.download(title.id, &|_| {}).await.expect("runs");
    assert_eq!(done.state, TitleState::Completed, "{:?}", done.state_reason);
    let files = files_under(&engine.titles_dir().join(&done.folder));
    assert_eq!(files.len(), 2 * (SEGMENTS + 1), "video 720p and audio");
    for (rel, bytes) in &files {
        let rep = if rel.contains("-video-") {
            "high"
        } else {
            "aud"
        };
        let name = rel.rsplit('/').next().expect("name");
        let source = if name.starts_with("init-") {
            "init.mp4".to_owned()
        } else {
            name.split_once('-').expect("numbered").1.to_owned()
        };
        let want =
            std::fs::read(media.path().join("queue_film").join(rep).join(&source)).expect("source");
        assert!(*bytes == want, "{rel} differs from {rep}/{source}");
    }
    assert_eq!(
        done.bytes_done,
        files.iter().map(|(_, b)| b.len() as i64).sum::<i64>()
    );
}

#[tokio::test]
async fn adding_an_unfinished_link_again_takes_the_new_choice_keeping_what_it_can() {
    let (_media, _data, server, engine) = setup().await;
    let url = format!("{}/media/queue_film/manifest.mpd", server.base_url());
    let first = engine
        .add_link_chosen(
            &url,
            &ChoiceInput {
                video: Some("worst".into()),
                ..ChoiceInput::default()
            },
        )
        .await
        .expect("added");
    // Half of it lands, then the person changes their mind.
    engine.pause(first.id).await.expect("paused");
    let again = engine
        .add_link_chosen(
            &url,
            &ChoiceInput {
                video: Some("best".into()),
                ..ChoiceInput::default()
            },
        )
        .await
        .expect("added again");
    assert_eq!(again.id, first.id, "the same title, not a copy");
    assert_eq!(engine.titles().await.expect("titles").len(), 1);
    engine.resume(again.id).await.expect("resumed");
    let done = engine.download(again.id, &|_| {}).await.expect("runs");
    assert_eq!(done.state, TitleState::Completed);
    let files = files_under(&engine.titles_dir().join(&done.folder));
    assert!(
        files.iter().any(|(n, _)| n.contains("-video-high")),
        "{files:?}"
    );
    assert!(!files.iter().any(|(n, _)| n.contains("-video-low")));
}

#[tokio::test]
async fn the_queue_runs_n_titles_at_once_in_queue_order() {
    let (_media, _data, server, engine) = setup().await;
    engine
        .update_settings(SettingsPatch {
            parallel_downloads: Some(2),
            ..SettingsPatch::default()
        })
        .await
        .expect("settings");
    server.faults().push(FaultPlan {
        fault: Fault::Slow {
            bytes_per_sec: 600_000,
        },
        times: 3,
        path_prefix: "/media/".into(),
    });
    let mut ids = Vec::new();
    for name in ["one", "two", "three"] {
        let url = format!("{}/media/{name}.mp4", server.base_url());
        ids.push(engine.add_link(&url).await.expect("added").id);
    }
    // "three" jumps the queue.
    let order = engine
        .move_title(ids[2], QueuePlace::Top)
        .await
        .expect("moved");
    assert_eq!(
        order.iter().map(|t| t.id).collect::<Vec<_>>(),
        [ids[2], ids[0], ids[1]]
    );
    let order = engine
        .move_title(ids[1], QueuePlace::Up)
        .await
        .expect("moved");
    assert_eq!(
        order.iter().map(|t| t.id).collect::<Vec<_>>(),
        [ids[2], ids[1], ids[0]]
    );

    let queue = DownloadQueue::new(engine.clone());
    let mut updates = queue.subscribe();
    let seen = Arc::new(Mutex::new(Vec::<Vec<i64>>::new()));
    let sink = seen.clone();
    let watcher = tokio::spawn(async move {
        while updates.changed().await.is_ok() {
            let ids: Vec<i64> = updates
                .borrow_and_update()
                .downloads
                .iter()
                .map(|d| d.title_id)
                .collect();
            sink.lock().expect("lock").push(ids);
        }
    });
    let ran = queue.run_until_idle().await.expect("runs");
    assert_eq!(ran.len(), 3);
    assert!(ran.iter().all(|t| t.state == TitleState::Completed));
    drop(queue);
    watcher.abort();
    let seen = seen.lock().expect("lock").clone();
    assert!(
        seen.iter().all(|s| s.len() <= 2),
        "never more than 2: {seen:?}"
    );
    let first_running = seen.iter().find(|s| !s.is_empty()).expect("ran");
    assert!(
        first_running.contains(&ids[2]) && !first_running.contains(&ids[0]),
        "the queue's first two start first: {seen:?}"
    );
    assert!(
        seen.iter().any(|s| s.len() == 2),
        "two ran together: {seen:?}"
    );
}

#[tokio::test]
async fn pause_all_and_resume_all() {
    let (_media, _data, server, engine) = setup().await;
    for name in ["one", "two"] {
        let url = format!("{}/media/{name}.mp4", server.base_url());
        engine.add_link(&url).await.expect("added");
    }
    assert_eq!(engine.pause_all().await.expect("paused"), 2);
    assert!(
        engine
            .titles()
            .await
            .expect("titles")
            .iter()
            .all(|t| t.state == TitleState::Paused)
    );
    assert_eq!(engine.resume_all().await.expect("resumed"), 2);
    let ran = engine.resume_unfinished(&|_| {}).await.expect("runs");
    assert_eq!(ran.len(), 2);
    assert!(ran.iter().all(|t| t.state == TitleState::Completed));
}

/// Waits are not slept but added up: a clock that moves only by what was slept.
#[derive(Debug)]
struct VirtualTime {
    start: Instant,
    slept: Mutex<Duration>,
}

impl Sleep for VirtualTime {
    fn sleep(&self, d: Duration) -> Pin<Box<dyn std::future::Future<Output = ()> + Send>> {
        *self.slept.lock().expect("lock") += d;
        Box::pin(async {})
    }

    fn now(&self) -> Instant {
        self.start + *self.slept.lock().expect("lock")
    }
}

#[tokio::test]
async fn the_bandwidth_limit_holds_in_virtual_time() {
    let time = Arc::new(VirtualTime {
        start: Instant::now(),
        slept: Mutex::new(Duration::ZERO),
    });
    let fetcher = Fetcher::new(RetryPolicy::default(), time.clone()).expect("client");
    let (_media, _data, server, engine) = setup_with(fetcher).await;
    // 2 400 kbit/s = 300 kB/s, for about 1.2 MB over 6 segments at once.
    engine
        .update_settings(SettingsPatch {
            bandwidth_limit_kbps: Some(2_400),
            parallel_segments: Some(6),
            ..SettingsPatch::default()
        })
        .await
        .expect("settings");
    let url = format!("{}/media/queue_film/manifest.mpd", server.base_url());
    let title = engine
        .add_link_chosen(
            &url,
            &ChoiceInput {
                video: Some("best".into()),
                ..ChoiceInput::default()
            },
        )
        .await
        .expect("added");
    let done = engine.download(title.id, &|_| {}).await.expect("runs");
    assert_eq!(done.state, TitleState::Completed);
    let bytes = done.bytes_done as f64;
    let secs = time.slept.lock().expect("lock").as_secs_f64();
    let rate = 300_000.0;
    // The limit lets one quarter-second burst through; loose bounds either way.
    assert!(
        bytes / (secs + 0.25) <= rate * 1.1,
        "{bytes} B in {secs:.2} virtual s is over the limit"
    );
    assert!(
        bytes / secs.max(0.001) >= rate * 0.5,
        "{bytes} B in {secs:.2} virtual s: the limit held back far more than asked"
    );
}
