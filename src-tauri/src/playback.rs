//! Playback in the window: the `layover` URI scheme (`layover://localhost/title/<id>/...` on
//! Linux and macOS, `http://layover.localhost/...` on Windows), answered by the engine's
//! [`PlaybackServer`] off the main thread, and the license check commands.
//!
//! A scheme rather than a loopback HTTP server: nothing listens on a port another local
//! process could reach, so there is no secret to hand out and check, and the webview's own
//! CSP decides who may fetch it. WebKitGTK will not play a `<video>` whose `src` is a custom
//! scheme (tauri#3725), so the player fetches the manifest and segments and feeds MSE.

use std::sync::Arc;

use layover_engine::ApiError;
use layover_engine::playback::{PlaybackCheck, PlaybackServer};
use tauri::http::{Request, Response, StatusCode, header};
use tauri::{AppHandle, Manager, Runtime, State, UriSchemeResponder};

use crate::state::AppState;

/// The scheme's name.
pub const SCHEME: &str = "layover";

/// The playback server (none when the library could not be opened).
#[derive(Debug)]
pub struct Playback(pub Option<Arc<PlaybackServer>>);

fn response(
    status: u16,
    content_type: &str,
    body: Vec<u8>,
    range: Option<String>,
) -> Response<Vec<u8>> {
    let mut b = Response::builder()
        .status(StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
        .header(header::CONTENT_TYPE, content_type)
        .header(header::ACCEPT_RANGES, "bytes")
        .header(header::CACHE_CONTROL, "no-store")
        .header(header::ACCESS_CONTROL_ALLOW_ORIGIN, "*")
        .header(header::ACCESS_CONTROL_ALLOW_HEADERS, "Range")
        .header(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            "Content-Range, Content-Length",
        );
    if let Some(r) = range {
        b = b.header(header::CONTENT_RANGE, r);
    }
    b.body(body).unwrap_or_else(|_| Response::new(Vec::new()))
}

/// The scheme handler: answers on the async runtime, never blocking the webview.
pub fn handle<R: Runtime>(
    app: &AppHandle<R>,
    request: Request<Vec<u8>>,
    responder: UriSchemeResponder,
) {
    if request.method() == tauri::http::Method::OPTIONS {
        responder.respond(response(204, "text/plain", Vec::new(), None));
        return;
    }
    let server = app.state::<Playback>().0.clone();
    let path = request.uri().path().to_owned();
    let range = request
        .headers()
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    tauri::async_runtime::spawn(async move {
        let r = match server {
            Some(server) => {
                let r = server.serve(&path, range.as_deref()).await;
                if r.status >= 400 {
                    tracing::info!(path, status = r.status, reason = %r.text_body(), "playback request refused");
                }
                response(r.status, r.content_type, r.body, r.content_range)
            }
            None => response(
                503,
                "text/plain; charset=utf-8",
                b"the library could not be opened".to_vec(),
                None,
            ),
        };
        responder.respond(r);
    });
}

/// Whether a title can play now and why not (the player asks every few seconds while playing).
#[tauri::command]
pub async fn playback_check(
    state: State<'_, AppState>,
    title_id: i64,
) -> Result<PlaybackCheck, ApiError> {
    Ok(state.engine()?.playback_check(title_id).await?)
}

/// The viewer pressed Play: the check, and the first play starts the playback window.
#[tauri::command]
pub async fn playback_start(
    state: State<'_, AppState>,
    playback: State<'_, Playback>,
    title_id: i64,
) -> Result<PlaybackCheck, ApiError> {
    if let Some(p) = &playback.0 {
        p.forget(title_id); // keys renewed since the last play are read again
    }
    Ok(state.engine()?.playback_start(title_id).await?)
}

/// Where the viewer stopped a title, in seconds (0: from the start).
#[tauri::command]
pub async fn playback_position(state: State<'_, AppState>, title_id: i64) -> Result<f64, ApiError> {
    Ok(state.engine()?.resume_position(title_id).await?)
}

/// Remembers where the viewer is in a title (forgotten when finished); returns what was kept.
#[tauri::command]
pub async fn playback_save_position(
    state: State<'_, AppState>,
    title_id: i64,
    secs: f64,
    duration: f64,
) -> Result<f64, ApiError> {
    Ok(state
        .engine()?
        .save_position(title_id, secs, duration)
        .await?)
}
