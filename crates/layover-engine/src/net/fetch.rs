//! One URL to one file, surviving what networks do: connection resets, stalls, 5xx with
//! `Retry-After`, truncated bodies, servers that ignore `Range`, and error pages served with 200.
//!
//! Bytes go to `<dest>.part` as they arrive; a later attempt (or a later process, after a kill)
//! resumes from the part file's length with a `Range` request, and the file is renamed into place
//! only after its length and content checks pass, so `dest` is either absent or whole.

use std::fmt;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, SystemTime};

use reqwest::StatusCode;
use reqwest::header::{CONTENT_RANGE, RANGE, RETRY_AFTER};
use tokio::fs::{File, OpenOptions};
use tokio::io::AsyncWriteExt;

use super::retry::{RetryPolicy, parse_retry_after};
use super::throttle::Throttle;

/// How long to wait for a connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);
/// A body that delivers nothing for this long is a stall: the attempt fails and is retried.
const STALL_TIMEOUT: Duration = Duration::from_secs(30);
/// While a large file arrives, what has been written is flushed to disk in the background
/// every this many bytes, so the fsync before the rename has little left to wait for (rather
/// than all of a large file the kernel had kept in memory).
const EARLY_SYNC_EVERY: u64 = 8 << 20;

/// Waiting between attempts, injected so tests do not sleep.
pub trait Sleep: Send + Sync + fmt::Debug {
    /// A future that completes after `d`.
    fn sleep(&self, d: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>>;

    /// The time on this sleeper's clock (the bandwidth limit measures with it, so a test's
    /// virtual time moves only by what was slept).
    fn now(&self) -> std::time::Instant {
        std::time::Instant::now()
    }
}

/// Sleeps on the tokio timer.
#[derive(Debug, Default, Clone, Copy)]
pub struct TokioSleep;

impl Sleep for TokioSleep {
    fn sleep(&self, d: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        Box::pin(tokio::time::sleep(d))
    }
}

/// Checks a finished file before it counts (e.g. "its boxes parse"); returns why it is bad.
pub type Validator = dyn Fn(&Path) -> Result<(), String> + Send + Sync;

/// Told the bytes on disk and the expected total (when known) as a file arrives.
pub type OnProgress = dyn Fn(u64, Option<u64>) + Send + Sync;

/// What to fetch.
pub struct FetchRequest<'a> {
    /// The URL.
    pub url: &'a str,
    /// Where the file goes; its folder must exist.
    pub dest: &'a Path,
    /// Only these bytes of the resource (inclusive), as DASH SegmentBase byte ranges ask.
    pub byte_range: Option<(u64, u64)>,
    /// A content check run on the finished file before it is renamed into place.
    pub validate: Option<&'a Validator>,
    /// Progress, called as bytes land.
    pub on_progress: Option<&'a OnProgress>,
}

impl<'a> FetchRequest<'a> {
    /// The whole resource at `url` into `dest`, unchecked, without progress.
    pub fn new(url: &'a str, dest: &'a Path) -> Self {
        Self {
            url,
            dest,
            byte_range: None,
            validate: None,
            on_progress: None,
        }
    }
}

impl fmt::Debug for FetchRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FetchRequest")
            .field("url", &self.url)
            .field("dest", &self.dest)
            .field("byte_range", &self.byte_range)
            .finish_non_exhaustive()
    }
}

/// What a successful fetch did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    /// Bytes in the finished file.
    pub bytes: u64,
    /// HTTP requests made (1 when nothing went wrong).
    pub requests: u32,
    /// Bytes already on disk from an earlier attempt or process when this call started.
    pub resumed_from: u64,
}

/// Why a fetch failed, in terms a person can act on.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// 401/403: the token or the entitlement is the problem, not the network.
    #[error(
        "{url} refused access (HTTP {status}): the sign-in token is missing, expired or not entitled to this title"
    )]
    Unauthorized {
        /// The URL.
        url: String,
        /// 401 or 403.
        status: u16,
    },
    /// 404/410: the file is not (or no longer) on the server.
    #[error(
        "{url} does not exist on the server (HTTP {status}); the title may have been withdrawn"
    )]
    Gone {
        /// The URL.
        url: String,
        /// 404 or 410.
        status: u16,
    },
    /// Another 4xx: the request itself is wrong; retrying will not help.
    #[error("{url} was rejected (HTTP {status})")]
    Rejected {
        /// The URL.
        url: String,
        /// The status.
        status: u16,
    },
    /// Retries ran out.
    #[error("{url} failed {failures} times in a row; last: {last}")]
    GaveUp {
        /// The URL.
        url: String,
        /// Consecutive failures.
        failures: u32,
        /// The last failure, in words.
        last: String,
    },
    /// The local file could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Disk {
        /// The file.
        path: PathBuf,
        /// The OS error (`StorageFull` when the disk is full).
        #[source]
        source: std::io::Error,
    },
}

/// Downloads files with retries. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Fetcher {
    client: SharedClient,
    policy: RetryPolicy,
    sleep: Arc<dyn Sleep>,
    throttle: Throttle,
}

/// One attempt's failure: retried unless fatal.
enum Attempt {
    Retry {
        reason: String,
        retry_after: Option<Duration>,
    },
    Fatal(FetchError),
}

impl Fetcher {
    /// A fetcher with its own HTTP client. The client is built on a helper thread from here
    /// on, so its TLS set-up (loading the system's CA bundle) overlaps with whatever the caller
    /// does next.
    pub fn new(policy: RetryPolicy, sleep: Arc<dyn Sleep>) -> Result<Self, reqwest::Error> {
        let throttle = Throttle::new(sleep.clone());
        Ok(Self {
            client: SharedClient::spawn(),
            policy,
            sleep,
            throttle,
        })
    }

    /// The bandwidth limit every fetch through this fetcher (and its clones) shares.
    pub fn throttle(&self) -> &Throttle {
        &self.throttle
    }

    /// The HTTP client, for small requests (manifests) that need no retry machinery. The first
    /// call waits for the helper thread building it, if it has not finished.
    pub fn client(&self) -> &reqwest::Client {
        self.client.get()
    }

    /// Fetches `req.url` into `req.dest`, resuming any `.part` file left by an earlier try.
    pub async fn fetch(&self, req: &FetchRequest<'_>) -> Result<Fetched, FetchError> {
        let part = part_path(req.dest);
        let resumed_from = file_len(&part).await;
        let mut failures = 0u32;
        let mut requests = 0u32;
        loop {
            let before = file_len(&part).await;
            requests += 1;
            let outcome = self.attempt(req, &part).await;
            let after = file_len(&part).await;
            match outcome {
                Ok(bytes) => {
                    tokio::fs::rename(&part, req.dest).await.map_err(|source| {
                        FetchError::Disk {
                            path: req.dest.to_owned(),
                            source,
                        }
                    })?;
                    return Ok(Fetched {
                        bytes,
                        requests,
                        resumed_from,
                    });
                }
                Err(Attempt::Fatal(e)) => return Err(e),
                Err(Attempt::Retry {
                    reason,
                    retry_after,
                }) => {
                    // Progress resets the count: a slow, flaky link that keeps moving finishes.
                    failures = if after > before { 1 } else { failures + 1 };
                    if !self.policy.allows(failures) {
                        return Err(FetchError::GaveUp {
                            url: req.url.to_owned(),
                            failures,
                            last: reason,
                        });
                    }
                    let delay = self.policy.delay(failures, retry_after, fastrand::f64());
                    tracing::info!(url = req.url, %reason, ?delay, failures, "retrying");
                    self.sleep.sleep(delay).await;
                }
            }
        }
    }

    /// One request: append what arrives to `part`, then check it.
    async fn attempt(&self, req: &FetchRequest<'_>, part: &Path) -> Result<u64, Attempt> {
        let have = file_len(part).await;
        let (base, end) = match req.byte_range {
            Some((s, e)) => (s, Some(e)),
            None => (0, None),
        };
        let start = base + have;
        if end.is_some_and(|e| start > e) {
            return self.finish(req, part, have).await;
        }
        let mut request = self.client().get(req.url);
        if start > 0 || end.is_some() {
            let range = match end {
                Some(e) => format!("bytes={start}-{e}"),
                None => format!("bytes={start}-"),
            };
            request = request.header(RANGE, range);
        }
        let mut response = request
            .send()
            .await
            .map_err(|e| retry(format!("request failed: {e}")))?;
        let status = response.status();
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, SystemTime::now()));
        let url = req.url.to_owned();
        match status.as_u16() {
            200 | 206 => {}
            401 | 403 => {
                return Err(Attempt::Fatal(FetchError::Unauthorized {
                    url,
                    status: status.as_u16(),
                }));
            }
            404 | 410 => {
                return Err(Attempt::Fatal(FetchError::Gone {
                    url,
                    status: status.as_u16(),
                }));
            }
            408 | 429 | 500..=599 => {
                return Err(Attempt::Retry {
                    reason: format!("HTTP {status}"),
                    retry_after,
                });
            }
            s => return Err(Attempt::Fatal(FetchError::Rejected { url, status: s })),
        }

        // Where this body starts in the resource, and how many of its bytes to skip to reach
        // `start` (a server that ignores Range answers 200 with everything).
        // `on_disk`: bytes already in the part file that this body continues (for progress).
        let (mut skip, mut file, on_disk) = if status == StatusCode::PARTIAL_CONTENT {
            let served_from = response
                .headers()
                .get(CONTENT_RANGE)
                .and_then(|v| v.to_str().ok())
                .and_then(content_range_start);
            if served_from != Some(start) {
                return Err(retry(format!(
                    "server sent range from {served_from:?}, asked {start}"
                )));
            }
            (0, open_append(part).await?, have)
        } else if have > 0 && end.is_none() {
            // A full body while resuming: start the part file over.
            (0, create_truncate(part).await?, 0)
        } else {
            (start, open_append(part).await?, have)
        };
        let mut remaining = end.map(|e| e + 1 - start);
        let expected_total = match (end, response.content_length()) {
            (Some(e), _) => Some(e + 1 - base),
            (None, Some(len)) if status == StatusCode::PARTIAL_CONTENT => Some(start + len),
            (None, Some(len)) => Some(len),
            (None, None) => None,
        };

        let mut written = 0u64;
        let mut unsynced = 0u64;
        let mut early_sync: Option<tokio::task::JoinHandle<()>> = None;
        loop {
            let chunk = match tokio::time::timeout(STALL_TIMEOUT, response.chunk()).await {
                Err(_) => return Err(retry(format!("no data for {} s", STALL_TIMEOUT.as_secs()))),
                Ok(Err(e)) => return Err(retry(format!("connection lost mid-body: {e}"))),
                Ok(Ok(None)) => break,
                Ok(Ok(Some(c))) => c,
            };
            self.throttle.consume(chunk.len()).await;
            let mut bytes = &chunk[..];
            let drop = usize::try_from(skip).unwrap_or(usize::MAX).min(bytes.len());
            bytes = &bytes[drop..];
            skip -= drop as u64;
            if let Some(r) = remaining.as_mut() {
                let take = usize::try_from(*r).unwrap_or(usize::MAX).min(bytes.len());
                bytes = &bytes[..take];
                *r -= take as u64;
            }
            file.write_all(bytes).await.map_err(|e| disk(part, e))?;
            written += bytes.len() as u64;
            unsynced += bytes.len() as u64;
            if unsynced >= EARLY_SYNC_EVERY && early_sync.as_ref().is_none_or(|s| s.is_finished()) {
                unsynced = 0;
                // Best effort: the fsync before the rename reports what matters.
                if let Ok(clone) = file.try_clone().await {
                    early_sync = Some(tokio::spawn(async move {
                        let _ = clone.sync_data().await;
                    }));
                }
            }
            if let Some(report) = req.on_progress {
                report(on_disk + written, expected_total);
            }
            if remaining == Some(0) {
                break;
            }
        }
        file.flush().await.map_err(|e| disk(part, e))?;
        if let Some(s) = early_sync {
            let _ = s.await;
        }
        file.sync_all().await.map_err(|e| disk(part, e))?;
        drop(file);

        let got = file_len(part).await;
        if let Some(total) = expected_total
            && got != total
        {
            return Err(retry(format!("body ended at {got} of {total} bytes")));
        }
        self.finish(req, part, got).await
    }

    /// The content check; a bad file is deleted so the next attempt starts clean.
    async fn finish(&self, req: &FetchRequest<'_>, part: &Path, len: u64) -> Result<u64, Attempt> {
        if let Some(validate) = req.validate
            && let Err(why) = validate(part)
        {
            let _ = tokio::fs::remove_file(part).await;
            return Err(retry(format!("the downloaded file is not valid: {why}")));
        }
        Ok(len)
    }
}

/// The HTTP client, built once on a helper thread. Building one loads the system's CA bundle
/// (twice, inside native-tls: tens of milliseconds), which used to sit between a `layover
/// download` starting and its first request; now it runs while the library opens.
#[derive(Debug, Clone)]
struct SharedClient(Arc<ClientCell>);

#[derive(Debug)]
struct ClientCell {
    client: OnceLock<reqwest::Client>,
    building: Mutex<Option<std::thread::JoinHandle<Result<reqwest::Client, reqwest::Error>>>>,
}

impl SharedClient {
    fn spawn() -> Self {
        let building = std::thread::Builder::new()
            .name("http-client".into())
            .spawn(build_client)
            .ok();
        Self(Arc::new(ClientCell {
            client: OnceLock::new(),
            building: Mutex::new(building),
        }))
    }

    fn get(&self) -> &reqwest::Client {
        self.0.client.get_or_init(|| {
            let handle = self
                .0
                .building
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .take();
            let built = match handle.map(std::thread::JoinHandle::join) {
                Some(Ok(built)) => built,
                // No thread could be started, or it panicked: build here.
                _ => build_client(),
            };
            built.unwrap_or_else(|e| {
                tracing::error!(error = %e, "the HTTP client could not be set up; using the defaults");
                reqwest::Client::new()
            })
        })
    }
}

fn build_client() -> Result<reqwest::Client, reqwest::Error> {
    reqwest::Client::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .user_agent(concat!("Layover/", env!("CARGO_PKG_VERSION")))
        .build()
}

fn retry(reason: String) -> Attempt {
    Attempt::Retry {
        reason,
        retry_after: None,
    }
}

fn disk(path: &Path, source: std::io::Error) -> Attempt {
    Attempt::Fatal(FetchError::Disk {
        path: path.to_owned(),
        source,
    })
}

/// `<dest>.part`.
pub fn part_path(dest: &Path) -> PathBuf {
    let mut name = dest
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(".part");
    dest.with_file_name(name)
}

async fn file_len(path: &Path) -> u64 {
    tokio::fs::metadata(path).await.map_or(0, |m| m.len())
}

async fn open_append(path: &Path) -> Result<File, Attempt> {
    OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .await
        .map_err(|e| disk(path, e))
}

async fn create_truncate(path: &Path) -> Result<File, Attempt> {
    File::create(path).await.map_err(|e| disk(path, e))
}

/// The first byte of a `Content-Range: bytes 100-199/1000` header.
fn content_range_start(v: &str) -> Option<u64> {
    let rest = v.trim().strip_prefix("bytes")?.trim_start();
    rest.split('-').next()?.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_range_parsing() {
        assert_eq!(content_range_start("bytes 100-199/1000"), Some(100));
        assert_eq!(content_range_start("bytes 0-0/*"), Some(0));
        assert_eq!(content_range_start("items 1-2/3"), None);
    }

    #[test]
    fn part_files_sit_beside_their_destination() {
        assert_eq!(
            part_path(Path::new("/t/seg-1.m4s")),
            Path::new("/t/seg-1.m4s.part")
        );
    }
}
