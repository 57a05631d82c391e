//! Static files with `Range` support, and the faults applied to them.

use std::path::{Component, Path, PathBuf};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::faults::Fault;

/// Chunk size when streaming slowly or dropping.
const CHUNK: usize = 16 * 1024;

/// Maps a URL path under the media root to a file, refusing anything that climbs out.
pub fn resolve(root: &Path, url_path: &str) -> Option<PathBuf> {
    let rel = Path::new(url_path.trim_start_matches('/'));
    if rel.as_os_str().is_empty() || !rel.components().all(|c| matches!(c, Component::Normal(_))) {
        return None;
    }
    Some(root.join(rel))
}

/// The content type players expect for each kind of file.
pub fn content_type(path: &Path) -> &'static str {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("mpd") => "application/dash+xml",
        Some("m3u8") => "application/vnd.apple.mpegurl",
        Some("mp4" | "m4s" | "m4v" | "ismv" | "cmfv") => "video/mp4",
        Some("m4a" | "isma" | "cmfa") => "audio/mp4",
        Some("vtt") => "text/vtt",
        Some("json") => "application/json",
        Some("ismc" | "xml") => "text/xml",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        _ => "application/octet-stream",
    }
}

/// `bytes=a-b`, `bytes=a-` or `bytes=-n` against a file of `len` bytes (one range only).
pub fn parse_range(value: &str, len: u64) -> Option<(u64, u64)> {
    let spec = value.trim().strip_prefix("bytes=")?;
    if spec.contains(',') || len == 0 {
        return None;
    }
    let (a, b) = spec.split_once('-')?;
    let (start, end) = if a.is_empty() {
        let n: u64 = b.parse().ok()?;
        (len.saturating_sub(n), len - 1)
    } else {
        let start: u64 = a.parse().ok()?;
        let end = if b.is_empty() {
            len - 1
        } else {
            b.parse::<u64>().ok()?.min(len - 1)
        };
        (start, end)
    };
    (start <= end && start < len).then_some((start, end))
}

/// Serves `path`, applying `fault` if any.
pub async fn serve(
    path: &Path,
    headers: &HeaderMap,
    head_only: bool,
    fault: Option<Fault>,
) -> Response {
    match &fault {
        Some(Fault::Status { code, retry_after }) => {
            let status = StatusCode::from_u16(*code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let mut r = (status, format!("fault injected: HTTP {code}\n")).into_response();
            if let Some(s) = retry_after {
                r.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(*s));
            }
            return r;
        }
        Some(Fault::Html) => {
            return (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "text/html")],
                "<html><body><h1>Service temporarily unavailable</h1></body></html>",
            )
                .into_response();
        }
        _ => {}
    }
    let data = match tokio::fs::read(path).await {
        Ok(d) => d,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return (StatusCode::NOT_FOUND, "no such file\n").into_response();
        }
        Err(e) => {
            tracing::warn!(path = %path.display(), error = %e, "cannot read");
            return (StatusCode::INTERNAL_SERVER_ERROR, "cannot read the file\n").into_response();
        }
    };
    let len = data.len() as u64;
    let range = match (
        &fault,
        headers.get(header::RANGE).and_then(|v| v.to_str().ok()),
    ) {
        (Some(Fault::IgnoreRange), _) | (_, None) => None,
        (_, Some(v)) => match parse_range(v, len) {
            Some(r) => Some(r),
            None => {
                return (
                    StatusCode::RANGE_NOT_SATISFIABLE,
                    [(header::CONTENT_RANGE, format!("bytes */{len}"))],
                )
                    .into_response();
            }
        },
    };
    let (status, body) = match range {
        Some((a, b)) => (
            StatusCode::PARTIAL_CONTENT,
            Bytes::from(data).slice(a as usize..=b as usize),
        ),
        None => (StatusCode::OK, Bytes::from(data)),
    };
    let body = match fault {
        Some(Fault::Truncate { keep_bytes }) => body.slice(
            ..usize::try_from(keep_bytes)
                .unwrap_or(usize::MAX)
                .min(body.len()),
        ),
        _ => body,
    };
    let mut builder = Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, content_type(path))
        .header(header::ACCEPT_RANGES, "bytes")
        .header(header::CONTENT_LENGTH, body.len());
    if let Some((a, _)) = range {
        let b = a + (body.len() as u64).saturating_sub(1);
        builder = builder.header(header::CONTENT_RANGE, format!("bytes {a}-{b}/{len}"));
    }
    let body = if head_only {
        Body::empty()
    } else {
        match fault {
            Some(Fault::Drop { after_bytes }) => dropped(body, after_bytes),
            Some(Fault::Slow { bytes_per_sec }) => slow(body, bytes_per_sec),
            _ => Body::from(body),
        }
    };
    builder
        .body(body)
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

/// Sends `after` bytes, pauses so the client reads them (an abortive close discards unread
/// bytes), then fails the body, which makes the server drop the connection.
fn dropped(body: Bytes, after: u64) -> Body {
    let first = body.slice(..(after as usize).min(body.len()));
    let stream = futures_util::stream::unfold(Some(first), |state| async move {
        match state {
            Some(first) => Some((Ok::<_, std::io::Error>(first), None)),
            None => {
                tokio::time::sleep(Duration::from_millis(200)).await;
                Some((
                    Err(std::io::Error::other("connection dropped by fault")),
                    None,
                ))
            }
        }
    });
    Body::from_stream(stream)
}

/// Sends the body in chunks paced to `bytes_per_sec`.
fn slow(body: Bytes, bytes_per_sec: u64) -> Body {
    let pause = Duration::from_secs_f64(CHUNK as f64 / bytes_per_sec.max(1) as f64);
    let stream = futures_util::stream::unfold((body, 0usize), move |(body, at)| async move {
        if at >= body.len() {
            return None;
        }
        if at > 0 {
            tokio::time::sleep(pause).await;
        }
        let end = (at + CHUNK).min(body.len());
        Some((Ok::<_, std::io::Error>(body.slice(at..end)), (body, end)))
    });
    Body::from_stream(stream)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(parse_range("bytes=0-9", 100), Some((0, 9)));
        assert_eq!(parse_range("bytes=90-", 100), Some((90, 99)));
        assert_eq!(parse_range("bytes=-10", 100), Some((90, 99)));
        assert_eq!(parse_range("bytes=95-200", 100), Some((95, 99)));
        assert_eq!(parse_range("bytes=100-", 100), None);
        assert_eq!(parse_range("bytes=5-1", 100), None);
        assert_eq!(parse_range("bytes=0-1,5-6", 100), None);
        assert_eq!(parse_range("items=0-1", 100), None);
    }

    #[test]
    fn paths_stay_under_the_root() {
        let root = Path::new("/srv");
        assert_eq!(
            resolve(root, "/a/b.m4s"),
            Some(PathBuf::from("/srv/a/b.m4s"))
        );
        assert_eq!(resolve(root, "/../etc/passwd"), None);
        assert_eq!(resolve(root, "/a/./b"), Some(PathBuf::from("/srv/a/b")));
        assert_eq!(resolve(root, "/"), None);
    }
}
