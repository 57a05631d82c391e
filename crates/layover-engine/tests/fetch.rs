//! The fetcher over real HTTP on loopback, against a server that misbehaves on purpose.

use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use layover_engine::net::{FetchError, FetchRequest, Fetcher, RetryPolicy, Sleep};

const SIZE: usize = 1 << 20;

fn data() -> Vec<u8> {
    (0..SIZE).map(|i| (i * 31 % 251) as u8).collect()
}

/// Records the waits the fetcher asks for instead of sleeping.
#[derive(Debug, Default)]
struct Recorded(Mutex<Vec<Duration>>);

impl Sleep for Recorded {
    fn sleep(
        &self,
        d: Duration,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>> {
        self.0.lock().expect("lock").push(d);
        Box::pin(async {})
    }
}

/// Requests seen per route, and the Range headers they carried.
#[derive(Clone, Default)]
struct Seen(Arc<(AtomicU32, Mutex<Vec<Option<String>>>)>);

impl Seen {
    fn hit(&self, headers: &HeaderMap) -> u32 {
        let range = headers
            .get(header::RANGE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        self.0.1.lock().expect("lock").push(range);
        self.0.0.fetch_add(1, Ordering::SeqCst) + 1
    }
    fn ranges(&self) -> Vec<Option<String>> {
        self.0.1.lock().expect("lock").clone()
    }
}

/// Serves the data honouring `Range: bytes=a-` and `bytes=a-b`.
fn ranged(headers: &HeaderMap) -> Response {
    let data = data();
    let range = headers
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (a, b) = v.strip_prefix("bytes=")?.split_once('-')?;
            let a: usize = a.parse().ok()?;
            let b: usize = if b.is_empty() {
                data.len() - 1
            } else {
                b.parse().ok()?
            };
            Some((a, b.min(data.len() - 1)))
        });
    match range {
        Some((a, b)) => (
            StatusCode::PARTIAL_CONTENT,
            [(
                header::CONTENT_RANGE,
                format!("bytes {a}-{b}/{}", data.len()),
            )],
            data[a..=b].to_vec(),
        )
            .into_response(),
        None => data.into_response(),
    }
}

/// The full length announced, the first 400 KB sent, then (once the client has had time to read
/// them: an abortive close discards unread bytes) the connection dies.
fn dropped_mid_body() -> Response {
    let data = data();
    let first = Bytes::from(data[..400_000].to_vec());
    let stream = futures_util::stream::unfold(Some(first), |state| async move {
        match state {
            Some(first) => Some((Ok(first), None)),
            None => {
                tokio::time::sleep(Duration::from_millis(300)).await;
                Some((Err(std::io::Error::other("dropped on purpose")), None))
            }
        }
    });
    Response::builder()
        .header(header::CONTENT_LENGTH, data.len())
        .body(Body::from_stream(stream))
        .expect("response")
}

async fn serve(seen: Seen) -> String {
    let app = Router::new()
        .route(
            "/file",
            get(|State(s): State<Seen>, h: HeaderMap| async move {
                s.hit(&h);
                ranged(&h)
            }),
        )
        .route(
            "/drops-once",
            get(|State(s): State<Seen>, h: HeaderMap| async move {
                if s.hit(&h) == 1 {
                    dropped_mid_body()
                } else {
                    ranged(&h)
                }
            }),
        )
        .route(
            "/busy-twice",
            get(|State(s): State<Seen>, h: HeaderMap| async move {
                if s.hit(&h) <= 2 {
                    (
                        StatusCode::SERVICE_UNAVAILABLE,
                        [(header::RETRY_AFTER, "7")],
                        "busy",
                    )
                        .into_response()
                } else {
                    ranged(&h)
                }
            }),
        )
        .route(
            "/ignores-range",
            get(|State(s): State<Seen>, h: HeaderMap| async move {
                s.hit(&h);
                data().into_response()
            }),
        )
        .route(
            "/html",
            get(|State(s): State<Seen>, h: HeaderMap| async move {
                s.hit(&h);
                (
                    StatusCode::OK,
                    "<html><body>Service temporarily unavailable</body></html>",
                )
                    .into_response()
            }),
        )
        .route("/gone", get(|| async { StatusCode::NOT_FOUND }))
        .route("/forbidden", get(|| async { StatusCode::FORBIDDEN }))
        .with_state(seen);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
    format!("http://{addr}")
}

fn fetcher(sleep: Arc<Recorded>) -> Fetcher {
    Fetcher::new(RetryPolicy::default(), sleep).expect("client")
}

fn request<'a>(url: &'a str, dest: &'a Path) -> FetchRequest<'a> {
    FetchRequest::new(url, dest)
}

#[tokio::test]
async fn a_connection_dropped_mid_body_resumes_with_range_to_identical_bytes() {
    let seen = Seen::default();
    let base = serve(seen.clone()).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let dest = dir.path().join("seg.m4s");
    let sleeps = Arc::new(Recorded::default());
    let url = format!("{base}/drops-once");
    let got = fetcher(sleeps.clone())
        .fetch(&request(&url, &dest))
        .await
        .expect("fetched");
    assert_eq!(std::fs::read(&dest).expect("read"), data());
    assert_eq!(got.requests, 2);
    assert_eq!(seen.ranges(), vec![None, Some("bytes=400000-".to_owned())]);
    assert_eq!(
        sleeps.0.lock().expect("lock").len(),
        1,
        "one backoff between the two"
    );
    assert!(!dir.path().join("seg.m4s.part").exists());
}

#[tokio::test]
async fn a_part_file_left_by_a_killed_process_is_resumed() {
    let seen = Seen::default();
    let base = serve(seen.clone()).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let dest = dir.path().join("big.mp4");
    std::fs::write(dir.path().join("big.mp4.part"), &data()[..300_000]).expect("write");
    let url = format!("{base}/file");
    let got = fetcher(Arc::default())
        .fetch(&request(&url, &dest))
        .await
        .expect("fetched");
    assert_eq!(got.resumed_from, 300_000);
    assert_eq!((got.requests, got.bytes), (1, SIZE as u64));
    assert_eq!(std::fs::read(&dest).expect("read"), data());
    assert_eq!(seen.ranges(), vec![Some("bytes=300000-".to_owned())]);
}

#[tokio::test]
async fn a_server_that_ignores_range_restarts_the_file_cleanly() {
    let base = serve(Seen::default()).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let dest = dir.path().join("big.mp4");
    std::fs::write(dir.path().join("big.mp4.part"), vec![0xEE; 5000]).expect("write");
    let url = format!("{base}/ignores-range");
    fetcher(Arc::default())
        .fetch(&request(&url, &dest))
        .await
        .expect("fetched");
    assert_eq!(std::fs::read(&dest).expect("read"), data());
}

#[tokio::test]
async fn busy_servers_are_retried_after_their_retry_after() {
    let seen = Seen::default();
    let base = serve(seen.clone()).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let dest = dir.path().join("seg.m4s");
    let sleeps = Arc::new(Recorded::default());
    let url = format!("{base}/busy-twice");
    let got = fetcher(sleeps.clone())
        .fetch(&request(&url, &dest))
        .await
        .expect("fetched");
    assert_eq!(got.requests, 3);
    assert_eq!(
        *sleeps.0.lock().expect("lock"),
        vec![Duration::from_secs(7); 2]
    );
    assert_eq!(std::fs::read(&dest).expect("read"), data());
}

#[tokio::test]
async fn byte_ranges_fetch_only_their_bytes_even_from_a_server_that_ignores_range() {
    let dir = tempfile::tempdir().expect("tempdir");
    for route in ["file", "ignores-range"] {
        let base = serve(Seen::default()).await;
        let dest = dir.path().join(format!("{route}.idx"));
        let url = format!("{base}/{route}");
        let req = FetchRequest {
            url: &url,
            dest: &dest,
            byte_range: Some((1000, 1999)),
            validate: None,
            on_progress: None,
        };
        let got = fetcher(Arc::default()).fetch(&req).await.expect("fetched");
        assert_eq!(got.bytes, 1000);
        assert_eq!(
            std::fs::read(&dest).expect("read"),
            data()[1000..2000].to_vec(),
            "{route}"
        );
    }
}

#[tokio::test]
async fn an_error_page_served_as_200_is_caught_refetched_and_finally_refused() {
    let seen = Seen::default();
    let base = serve(seen.clone()).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let dest = dir.path().join("seg.m4s");
    let url = format!("{base}/html");
    let looks_like_mp4 = |p: &Path| {
        let head = std::fs::read(p).map_err(|e| e.to_string())?;
        if head.get(4..8) == Some(b"ftyp") || head.get(4..8) == Some(b"moof") {
            Ok(())
        } else {
            Err("it is not an MP4 box (an HTML error page?)".to_owned())
        }
    };
    let req = FetchRequest {
        url: &url,
        dest: &dest,
        byte_range: None,
        validate: Some(&looks_like_mp4),
        on_progress: None,
    };
    let err = fetcher(Arc::default())
        .fetch(&req)
        .await
        .expect_err("never valid");
    match err {
        FetchError::GaveUp { failures, last, .. } => {
            assert_eq!(failures, RetryPolicy::default().max_failures);
            assert!(last.contains("HTML error page"), "{last}");
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(
        seen.0.0.load(Ordering::SeqCst),
        RetryPolicy::default().max_failures
    );
    assert!(
        !dest.exists() && !dir.path().join("seg.m4s.part").exists(),
        "nothing half-written"
    );
}

#[tokio::test]
async fn missing_and_forbidden_files_fail_at_once_naming_the_url_and_the_cause() {
    let base = serve(Seen::default()).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let dest = dir.path().join("x");
    let sleeps = Arc::new(Recorded::default());

    let url = format!("{base}/gone");
    let err = fetcher(sleeps.clone())
        .fetch(&request(&url, &dest))
        .await
        .expect_err("404");
    assert!(matches!(err, FetchError::Gone { status: 404, .. }));
    assert!(err.to_string().contains("/gone") && err.to_string().contains("does not exist"));

    let url = format!("{base}/forbidden");
    let err = fetcher(sleeps.clone())
        .fetch(&request(&url, &dest))
        .await
        .expect_err("403");
    assert!(err.to_string().contains("token"), "{err}");
    assert!(
        sleeps.0.lock().expect("lock").is_empty(),
        "no retries for either"
    );
}

#[tokio::test]
async fn an_unreachable_server_gives_up_after_the_policy() {
    let dir = tempfile::tempdir().expect("tempdir");
    let dest = dir.path().join("x");
    // A port nothing listens on: bind, note it, close.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("a")
        .port();
    let url = format!("http://127.0.0.1:{port}/file");
    let sleeps = Arc::new(Recorded::default());
    let err = fetcher(sleeps.clone())
        .fetch(&request(&url, &dest))
        .await
        .expect_err("refused");
    assert!(
        matches!(err, FetchError::GaveUp { failures: 6, .. }),
        "{err}"
    );
    let waits = sleeps.0.lock().expect("lock").clone();
    assert_eq!(waits.len(), 5);
    assert!(
        waits.windows(2).all(|w| w[1] >= w[0].mul_f64(0.3)),
        "backoff grows: {waits:?}"
    );
}
