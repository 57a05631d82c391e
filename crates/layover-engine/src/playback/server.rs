//! Answers `layover://localhost/title/<id>/...` requests: routing (only the shapes below; a
//! path is never joined to the disk), the license check, Range, and decryption off the async
//! threads.
//!
//! - `title/<id>/manifest.mpd`: the clear DASH manifest
//! - `title/<id>/<track>/init.mp4`: a track's clear init segment
//! - `title/<id>/<track>/<n>.m4s` (or `.vtt`): media segment `n` (from 0), decrypted

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::check::PlaybackCheck;
use super::prepare::PreparedTitle;
use crate::Engine;

/// One answer, for the protocol handler to turn into HTTP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaybackResponse {
    /// HTTP status: 200, 206, 400, 403 (not playable now), 404, 416, 500.
    pub status: u16,
    /// `Content-Type`.
    pub content_type: &'static str,
    /// `Content-Range` for 206 and 416.
    pub content_range: Option<String>,
    /// The body (for errors, the reason in words).
    pub body: Vec<u8>,
}

impl PlaybackResponse {
    fn text(status: u16, message: impl Into<String>) -> Self {
        Self {
            status,
            content_type: "text/plain; charset=utf-8",
            content_range: None,
            body: message.into().into_bytes(),
        }
    }

    /// The body as text (error answers).
    pub fn text_body(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// A single HTTP byte range, resolved against a length: `Ok(None)` for no (or an ignorable)
/// header, `Err(())` when unsatisfiable.
#[allow(clippy::result_unit_err)]
pub fn parse_range(header: Option<&str>, len: u64) -> Result<Option<(u64, u64)>, ()> {
    let Some(h) = header.map(str::trim).filter(|h| !h.is_empty()) else {
        return Ok(None);
    };
    let Some(spec) = h.strip_prefix("bytes=") else {
        return Ok(None);
    };
    if spec.contains(',') {
        return Ok(None); // several ranges: answer with the whole body
    }
    let (a, b) = spec.split_once('-').ok_or(())?;
    let (a, b) = (a.trim(), b.trim());
    let range = if a.is_empty() {
        let n: u64 = b.parse().map_err(|_| ())?;
        if n == 0 || len == 0 {
            return Err(());
        }
        (len.saturating_sub(n), len - 1)
    } else {
        let start: u64 = a.parse().map_err(|_| ())?;
        let end = if b.is_empty() {
            len.saturating_sub(1)
        } else {
            b.parse::<u64>().map_err(|_| ())?.min(len.saturating_sub(1))
        };
        if start >= len || end < start {
            return Err(());
        }
        (start, end)
    };
    Ok(Some(range))
}

/// What a request names.
#[derive(Debug, PartialEq, Eq)]
enum Resource {
    Manifest,
    Init(usize),
    Segment(usize, usize),
}

fn digits<T: std::str::FromStr>(s: &str) -> Option<T> {
    (!s.is_empty() && s.len() <= 12 && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

/// `title/<id>/...` into the title and resource; `None` for anything else (including any
/// `..`, `%`, backslash or empty part).
fn route(path: &str) -> Option<(i64, Resource)> {
    let path = path.strip_prefix('/').unwrap_or(path);
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let parts: Vec<&str> = path.split('/').collect();
    let (&"title", id) = (parts.first()?, parts.get(1)?) else {
        return None;
    };
    let id: i64 = digits(id)?;
    let resource = match parts[2..] {
        ["manifest.mpd"] => Resource::Manifest,
        [track, "init.mp4"] => Resource::Init(digits(track)?),
        [track, file] => {
            let (n, ext) = file.split_once('.')?;
            if !matches!(ext, "m4s" | "vtt" | "ttml" | "xml") {
                return None;
            }
            Resource::Segment(digits(track)?, digits(n)?)
        }
        _ => return None,
    };
    Some((id, resource))
}

/// Serves stored titles to the player. One per app; cheap to share behind an `Arc`.
#[derive(Debug)]
pub struct PlaybackServer {
    engine: Engine,
    prepared: Mutex<HashMap<i64, Arc<PreparedTitle>>>,
    checks: Mutex<HashMap<i64, (Instant, PlaybackCheck)>>,
    check_ttl: Duration,
}

impl PlaybackServer {
    /// A server over `engine`'s library. The license check is redone at most every 2 s per
    /// title (so a license that expires stops the segments within seconds).
    pub fn new(engine: Engine) -> Self {
        Self {
            engine,
            prepared: Mutex::default(),
            checks: Mutex::default(),
            check_ttl: Duration::from_secs(2),
        }
    }

    /// Redoes the license check at most every `ttl` (tests use zero).
    pub fn with_check_ttl(mut self, ttl: Duration) -> Self {
        self.check_ttl = ttl;
        self
    }

    /// Forgets what was prepared for a title (after a renewal, a deletion).
    pub fn forget(&self, title_id: i64) {
        self.prepared
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&title_id);
        self.checks
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&title_id);
    }

    async fn check(&self, title_id: i64) -> crate::Result<PlaybackCheck> {
        if let Some((at, c)) = self
            .checks
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&title_id)
            && at.elapsed() < self.check_ttl
        {
            return Ok(c.clone());
        }
        let c = self.engine.playback_check(title_id).await?;
        self.checks
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(title_id, (Instant::now(), c.clone()));
        Ok(c)
    }

    async fn prepared(&self, title_id: i64) -> crate::Result<Arc<PreparedTitle>> {
        if let Some(p) = self
            .prepared
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&title_id)
        {
            return Ok(p.clone());
        }
        let p = Arc::new(self.engine.prepare_playback(title_id).await?);
        self.prepared
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(title_id, p.clone());
        Ok(p)
    }

    /// Answers one request: `path` is the URL's path (`/title/3/0/7.m4s`), `range` its
    /// `Range` header.
    pub async fn serve(&self, path: &str, range: Option<&str>) -> PlaybackResponse {
        let Some((title_id, resource)) = route(path) else {
            return PlaybackResponse::text(404, "no such playback resource");
        };
        let check = match self.check(title_id).await {
            Ok(c) => c,
            Err(crate::Error::TitleNotFound(_)) => {
                return PlaybackResponse::text(404, format!("there is no title {title_id}"));
            }
            Err(e) => return PlaybackResponse::text(500, e.to_string()),
        };
        if !check.playable {
            self.forget_prepared(title_id);
            return PlaybackResponse::text(
                403,
                check
                    .reason
                    .unwrap_or_else(|| "this title cannot play now".into()),
            );
        }
        let prepared = match self.prepared(title_id).await {
            Ok(p) => p,
            Err(e) => return PlaybackResponse::text(500, e.to_string()),
        };
        let (content_type, body) = match resource {
            Resource::Manifest => (
                "application/dash+xml",
                prepared.manifest.clone().into_bytes(),
            ),
            Resource::Init(t) => match prepared.init(t) {
                Some(b) => (mime_of(&prepared, t), b.to_vec()),
                None => return PlaybackResponse::text(404, "no such track"),
            },
            Resource::Segment(t, n) => {
                let p = prepared.clone();
                match tokio::task::spawn_blocking(move || p.segment(t, n)).await {
                    Ok(Ok(Some(b))) => (mime_of(&prepared, t), b),
                    Ok(Ok(None)) => return PlaybackResponse::text(404, "no such segment"),
                    Ok(Err(e)) => return PlaybackResponse::text(500, e.to_string()),
                    Err(e) => return PlaybackResponse::text(500, e.to_string()),
                }
            }
        };
        let len = body.len() as u64;
        match parse_range(range, len) {
            Ok(None) => PlaybackResponse {
                status: 200,
                content_type,
                content_range: None,
                body,
            },
            Ok(Some((start, end))) => PlaybackResponse {
                status: 206,
                content_type,
                content_range: Some(format!("bytes {start}-{end}/{len}")),
                body: body[usize::try_from(start).unwrap_or(0)..=usize::try_from(end).unwrap_or(0)]
                    .to_vec(),
            },
            Err(()) => PlaybackResponse {
                status: 416,
                content_type: "text/plain; charset=utf-8",
                content_range: Some(format!("bytes */{len}")),
                body: b"range not satisfiable".to_vec(),
            },
        }
    }

    fn forget_prepared(&self, title_id: i64) {
        self.prepared
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&title_id);
    }
}

fn mime_of(p: &PreparedTitle, track: usize) -> &'static str {
    match p.tracks.get(track).map(|t| t.mime_type.as_str()) {
        Some("text/vtt") => "text/vtt",
        Some(m) if m.starts_with("audio") => "audio/mp4",
        Some(m) if m.starts_with("video") => "video/mp4",
        _ => "application/mp4",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_only_known_shapes() {
        assert_eq!(
            route("/title/3/manifest.mpd"),
            Some((3, Resource::Manifest))
        );
        assert_eq!(route("title/3/1/init.mp4"), Some((3, Resource::Init(1))));
        assert_eq!(
            route("/title/3/0/12.m4s"),
            Some((3, Resource::Segment(0, 12)))
        );
        assert_eq!(
            route("/title/3/2/0.vtt?x=1"),
            Some((3, Resource::Segment(2, 0)))
        );
        for bad in [
            "/title/3/../../etc/passwd",
            "/title/3/0/../init.mp4",
            "/title/-1/manifest.mpd",
            "/title/3/%2e%2e/init.mp4",
            "/title/3/0/1.exe",
            "/title/3/0/a.m4s",
            "/title/3/0/1.m4s/x",
            "/title//manifest.mpd",
            "/titles/3/manifest.mpd",
            "/title/3/0\\init.mp4",
            "/title/99999999999999999999/manifest.mpd",
            "",
        ] {
            assert_eq!(route(bad), None, "{bad}");
        }
    }

    #[test]
    fn ranges() {
        assert_eq!(parse_range(None, 10), Ok(None));
        assert_eq!(parse_range(Some("bytes=0-3"), 10), Ok(Some((0, 3))));
        assert_eq!(parse_range(Some("bytes=4-"), 10), Ok(Some((4, 9))));
        assert_eq!(parse_range(Some("bytes=-3"), 10), Ok(Some((7, 9))));
        assert_eq!(parse_range(Some("bytes=5-100"), 10), Ok(Some((5, 9))));
        assert_eq!(parse_range(Some("bytes=10-"), 10), Err(()));
        assert_eq!(parse_range(Some("bytes=5-2"), 10), Err(()));
        assert_eq!(parse_range(Some("bytes=0-1,4-5"), 10), Ok(None));
        assert_eq!(parse_range(Some("items=0-1"), 10), Ok(None));
    }
}
