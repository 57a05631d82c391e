//! Layover's development origin: serves a folder of demo media on loopback, with `Range`
//! support and faults on demand, so downloads can be tested against real HTTP that misbehaves
//! the way real origins do. The app starts it in-process for its demo catalog; `layover
//! devserver` runs it on its own.
//!
//! Routes:
//! - `GET|HEAD /media/<path>`: a file under the media root; `?fault=drop:BYTES`,
//!   `status:CODE[:RETRY_AFTER]`, `slow:BYTES_PER_SEC`, `html` or `ignore-range` for one request.
//! - `GET /_faults`, `POST /_faults` (a [`FaultPlan`] as JSON), `DELETE /_faults`: faults for
//!   the next requests.
//! - `GET /_health`: `ok`.
//!
//! ```
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let root = tempfile::tempdir().unwrap();
//! std::fs::write(root.path().join("hello.mp4"), b"....ftyp").unwrap();
//! let server = layover_devserver::DevServer::start(layover_devserver::Config::loopback(root.path())).await.unwrap();
//! let url = format!("{}/media/hello.mp4", server.base_url());
//! assert!(url.starts_with("http://127.0.0.1:"));
//! server.stop().await;
//! # });
//! ```

pub mod faults;
pub mod files;
pub mod stub;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use axum::extract::{Path as UrlPath, Query, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use faults::{Fault, FaultPlan, Faults};

/// Where to listen and what to serve.
#[derive(Debug, Clone)]
pub struct Config {
    /// The folder served under `/media/`.
    pub media_root: PathBuf,
    /// The address to bind; port 0 picks a free one.
    pub addr: SocketAddr,
}

impl Config {
    /// Serves `media_root` on 127.0.0.1 at a free port.
    pub fn loopback(media_root: &Path) -> Self {
        Self {
            media_root: media_root.to_owned(),
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        }
    }
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source} (is another server using that port? try --port 0)")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The media folder is missing.
    #[error("the media folder {} does not exist", .0.display())]
    NoMediaRoot(PathBuf),
}

#[derive(Debug, Clone)]
struct AppState {
    root: Arc<PathBuf>,
    faults: Faults,
}

/// A running server; stop it with [`DevServer::stop`] (dropping it also stops it).
#[derive(Debug)]
pub struct DevServer {
    addr: SocketAddr,
    faults: Faults,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl DevServer {
    /// Binds and starts serving in the background on the current tokio runtime.
    pub async fn start(config: Config) -> Result<Self, Error> {
        if !config.media_root.is_dir() {
            return Err(Error::NoMediaRoot(config.media_root));
        }
        let listener = tokio::net::TcpListener::bind(config.addr)
            .await
            .map_err(|source| Error::Bind {
                addr: config.addr,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| Error::Bind {
            addr: config.addr,
            source,
        })?;
        let faults = Faults::default();
        let state = AppState {
            root: Arc::new(config.media_root),
            faults: faults.clone(),
        };
        let (tx, rx) = oneshot::channel::<()>();
        let app = router(state);
        let task = tokio::spawn(async move {
            let served = axum::serve(listener, app).with_graceful_shutdown(async {
                let _ = rx.await;
            });
            if let Err(e) = served.await {
                tracing::error!(error = %e, "devserver stopped with an error");
            }
        });
        tracing::info!(%addr, "devserver listening");
        Ok(Self {
            addr,
            faults,
            shutdown: Some(tx),
            task: Some(task),
        })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Fault plans, to set from tests and tools.
    pub fn faults(&self) -> &Faults {
        &self.faults
    }

    /// Stops accepting, finishes requests in flight, and returns.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }

    /// Runs until the task ends (for `layover devserver`, which exits on Ctrl-C).
    pub async fn wait(mut self) {
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for DevServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

fn router(state: AppState) -> Router {
    Router::new()
        .route("/media/{*path}", get(media).head(media))
        .route(
            "/_faults",
            get(list_faults).post(add_fault).delete(clear_faults),
        )
        .route("/_health", get(|| async { "ok" }))
        .with_state(state)
}

async fn media(
    State(state): State<AppState>,
    UrlPath(path): UrlPath<String>,
    Query(query): Query<HashMap<String, String>>,
    method: Method,
    headers: HeaderMap,
) -> Response {
    let Some(file) = files::resolve(&state.root, &path) else {
        return (StatusCode::BAD_REQUEST, "path leaves the media folder\n").into_response();
    };
    let fault = match query.get("fault").map(|f| Fault::parse(f)) {
        Some(Ok(f)) => Some(f),
        Some(Err(e)) => return (StatusCode::BAD_REQUEST, format!("{e}\n")).into_response(),
        None => state.faults.take(&format!("/media/{path}")),
    };
    if let Some(f) = &fault {
        tracing::info!(path, fault = ?f, "injecting fault");
    }
    files::serve(&file, &headers, method == Method::HEAD, fault).await
}

async fn list_faults(State(state): State<AppState>) -> impl IntoResponse {
    axum::Json(state.faults.pending())
}

async fn add_fault(
    State(state): State<AppState>,
    axum::Json(plan): axum::Json<FaultPlan>,
) -> StatusCode {
    state.faults.push(plan);
    StatusCode::NO_CONTENT
}

async fn clear_faults(State(state): State<AppState>) -> StatusCode {
    state.faults.clear();
    StatusCode::NO_CONTENT
}
