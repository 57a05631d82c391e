//! Parallel segments and parallel titles, counted where it matters: at an origin on loopback
//! that tracks how many requests are in flight at once (per title and in all). The origin holds
//! each segment until as many requests as the limit allows are in flight (or a short while has
//! passed), so a downloader that runs fewer at once is caught as surely as one that runs more.

mod common;

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use layover_engine::library::queue::DownloadQueue;
use layover_engine::{DataDir, DataDirSource, Engine, SettingsPatch, TitleState};
use tokio::sync::Notify;

/// Media segments per title (plus an init segment).
const SEGMENTS: usize = 16;
/// The longest a segment is held waiting for others to arrive.
const HOLD: Duration = Duration::from_millis(400);

#[derive(Debug, Default, Clone)]
struct Counts {
    now_per_title: HashMap<String, usize>,
    now_total: usize,
    max_total: usize,
    max_per_title: usize,
    /// The most titles with a request in flight at the same moment.
    max_titles: usize,
    segment_requests: usize,
}

#[derive(Debug)]
struct Origin {
    files: HashMap<String, Bytes>,
    counts: Mutex<Counts>,
    arrived: Notify,
    /// Held segments are released once this many requests are in flight.
    release_at: usize,
}

impl Origin {
    fn counts(&self) -> std::sync::MutexGuard<'_, Counts> {
        self.counts.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// One request in flight; counted out when the response body has been handed over.
struct InFlight {
    origin: Arc<Origin>,
    title: String,
}

impl InFlight {
    fn enter(origin: Arc<Origin>, title: &str) -> Self {
        {
            let mut c = origin.counts();
            c.segment_requests += 1;
            c.now_total += 1;
            *c.now_per_title.entry(title.to_owned()).or_default() += 1;
            c.max_total = c.max_total.max(c.now_total);
            let here = c.now_per_title[title];
            c.max_per_title = c.max_per_title.max(here);
            let titles = c.now_per_title.values().filter(|n| **n > 0).count();
            c.max_titles = c.max_titles.max(titles);
        }
        origin.arrived.notify_waiters();
        Self {
            origin,
            title: title.to_owned(),
        }
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let mut c = self.origin.counts();
        c.now_total -= 1;
        if let Some(n) = c.now_per_title.get_mut(&self.title) {
            *n -= 1;
        }
    }
}

async fn serve(
    State(origin): State<Arc<Origin>>,
    Path((title, file)): Path<(String, String)>,
) -> Response {
    let Some(body) = origin.files.get(&format!("{title}/{file}")).cloned() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if file.ends_with(".mpd") {
        return ([(header::CONTENT_TYPE, "application/dash+xml")], body).into_response();
    }
    let guard = InFlight::enter(origin.clone(), &title);
    let deadline = tokio::time::Instant::now() + HOLD;
    loop {
        // Registered before the check, so an arrival in between is not missed.
        let arrived = origin.arrived.notified();
        if origin.counts().now_total >= origin.release_at {
            break;
        }
        if tokio::time::timeout_at(deadline, arrived).await.is_err() {
            break;
        }
    }
    let len = body.len();
    let stream = futures_util::stream::once(async move {
        let _counted_until_sent = guard;
        Ok::<_, Infallible>(body)
    });
    Response::builder()
        .header(header::CONTENT_TYPE, "video/mp4")
        .header(header::CONTENT_LENGTH, len)
        .body(Body::from_stream(stream))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

/// Titles of one video track, `SEGMENTS` segments each, every file a distinct small MP4.
fn media(titles: &[&str]) -> HashMap<String, Bytes> {
    let mpd = format!(
        r#"<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT{}S">
  <Period>
    <AdaptationSet contentType="video" mimeType="video/mp4" codecs="avc1.64001f">
      <SegmentTemplate timescale="1" duration="2" startNumber="1" initialization="init.mp4" media="$Number$.m4s"/>
      <Representation id="v" bandwidth="16000" width="1280" height="720"/>
    </AdaptationSet>
  </Period>
</MPD>"#,
        SEGMENTS * 2
    );
    let mut files = HashMap::new();
    for (t, title) in titles.iter().enumerate() {
        files.insert(format!("{title}/manifest.mpd"), Bytes::from(mpd.clone()));
        files.insert(
            format!("{title}/init.mp4"),
            Bytes::from(layover_devserver::stub::stub_mp4(500 + t as u32)),
        );
        for i in 1..=SEGMENTS {
            let len = 3_000 + (t * 100 + i) as u32;
            files.insert(
                format!("{title}/{i}.m4s"),
                Bytes::from(layover_devserver::stub::stub_mp4(len)),
            );
        }
    }
    files
}

/// An origin on loopback serving `titles`; returns it and its base URL.
async fn start_origin(titles: &[&str], release_at: usize) -> (Arc<Origin>, String) {
    let origin = Arc::new(Origin {
        files: media(titles),
        counts: Mutex::new(Counts::default()),
        arrived: Notify::new(),
        release_at,
    });
    let app = Router::new()
        .route("/t/{title}/{file}", get(serve))
        .with_state(origin.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (origin, format!("http://{addr}"))
}

async fn engine(data: &std::path::Path, patch: SettingsPatch) -> Engine {
    let engine = Engine::open(DataDir::at(data, DataDirSource::Flag))
        .await
        .expect("engine")
        .with_fetcher(common::instant_fetcher());
    engine.update_settings(patch).await.expect("settings");
    engine
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn up_to_parallel_segments_requests_are_in_flight_and_never_more() {
    for limit in [1usize, 4, 6] {
        let (origin, base) = start_origin(&["film"], limit).await;
        let data = tempfile::tempdir().expect("tempdir");
        let engine = engine(
            data.path(),
            SettingsPatch {
                parallel_segments: Some(u32::try_from(limit).expect("small")),
                ..SettingsPatch::default()
            },
        )
        .await;
        let title = engine
            .add_link(&format!("{base}/t/film/manifest.mpd"))
            .await
            .expect("added");
        let done = engine.download(title.id, &|_| {}).await.expect("runs");
        assert_eq!(done.state, TitleState::Completed, "{:?}", done.state_reason);
        let c = origin.counts().clone();
        assert_eq!(c.segment_requests, SEGMENTS + 1, "one request per file");
        assert_eq!(
            c.max_total, limit,
            "parallel_segments = {limit}: the most requests in flight at once"
        );
        assert_eq!(c.now_total, 0);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn up_to_parallel_downloads_titles_run_at_once_and_never_more() {
    let titles = ["alpha", "bravo", "charlie"];
    let (downloads, segments) = (2usize, 3usize);
    let (origin, base) = start_origin(&titles, downloads * segments).await;
    let data = tempfile::tempdir().expect("tempdir");
    let engine = engine(
        data.path(),
        SettingsPatch {
            parallel_downloads: Some(u32::try_from(downloads).expect("small")),
            parallel_segments: Some(u32::try_from(segments).expect("small")),
            ..SettingsPatch::default()
        },
    )
    .await;
    for t in titles {
        engine
            .add_link(&format!("{base}/t/{t}/manifest.mpd"))
            .await
            .expect("added");
    }
    let ran = DownloadQueue::new(engine.clone())
        .run_until_idle()
        .await
        .expect("runs");
    assert_eq!(ran.len(), titles.len());
    assert!(
        ran.iter().all(|t| t.state == TitleState::Completed),
        "{ran:?}"
    );
    let c = origin.counts().clone();
    assert_eq!(c.segment_requests, titles.len() * (SEGMENTS + 1));
    assert_eq!(c.max_titles, downloads, "titles downloading at once");
    assert_eq!(c.max_per_title, segments, "requests at once within a title");
    assert_eq!(c.max_total, downloads * segments, "requests at once in all");
}
