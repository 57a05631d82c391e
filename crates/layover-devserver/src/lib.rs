//! Layover's development origin: serves a folder of demo media on loopback, with `Range`
//! support and faults on demand, so downloads can be tested against real HTTP that misbehaves
//! the way real origins do. The app starts it in-process for its demo catalog; `layover
//! devserver` runs it on its own.
//!
//! Routes:
//! - `GET|HEAD /media/<path>`: a file under the media root; `?fault=drop:BYTES`,
//!   `status:CODE[:RETRY_AFTER]`, `slow:BYTES_PER_SEC`, `truncate:BYTES`, `html` or
//!   `ignore-range` for one request.
//! - `GET /_faults`, `POST /_faults` (a [`FaultPlan`] as JSON), `DELETE /_faults`: faults for
//!   the next requests.
//! - `GET /_health`: `ok`.
//! - The development license server on the same listener: `POST /PlayReady/`, `GET /?kid=`,
//!   `POST /clearkey`, the release routes and `/_license/*` (see [`license`]). [`DevServer::start`]
//!   serves the fixtures' test keys ([`LicenseServerConfig::demo`]);
//!   [`DevServer::start_with_license`] takes any configuration.
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

pub mod catalog;
pub mod faults;
pub mod files;
pub mod license;
pub mod piff;
pub mod stub;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::Router;
use axum::extract::{Path as UrlPath, Query, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use faults::{Fault, FaultPlan, Faults};
pub use license::{LicenseServer, LicenseServerConfig};

/// Where to listen and what to serve.
#[derive(Debug, Clone)]
pub struct Config {
    /// The folder served under `/media/`.
    pub media_root: PathBuf,
    /// The address to bind; port 0 picks a free one.
    pub addr: SocketAddr,
    /// The demo catalog folder (`catalog.json` and its media), served at `/catalog.json` and
    /// `/demo/`; none: those routes answer 404.
    pub demo_root: Option<PathBuf>,
}

impl Config {
    /// Serves `media_root` on 127.0.0.1 at a free port.
    pub fn loopback(media_root: &Path) -> Self {
        Self {
            media_root: media_root.to_owned(),
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            demo_root: None,
        }
    }

    /// Also serves the demo catalog in `demo_root` (see [`catalog`]).
    pub fn with_demo(mut self, demo_root: Option<PathBuf>) -> Self {
        self.demo_root = demo_root;
        self
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
    demo: Option<Arc<PathBuf>>,
    base_url: Arc<String>,
    faults: Faults,
}

/// A running server; stop it with [`DevServer::stop`] (dropping it also stops it).
#[derive(Debug)]
pub struct DevServer {
    addr: SocketAddr,
    faults: Faults,
    license: LicenseServer,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl DevServer {
    /// Binds and starts serving in the background on the current tokio runtime, with the demo
    /// license server ([`LicenseServerConfig::demo`]).
    pub async fn start(config: Config) -> Result<Self, Error> {
        Self::start_with_license(config, LicenseServerConfig::demo()).await
    }

    /// Like [`DevServer::start`], with this license server configuration.
    pub async fn start_with_license(
        config: Config,
        license: LicenseServerConfig,
    ) -> Result<Self, Error> {
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
            demo: config.demo_root.map(Arc::new),
            base_url: Arc::new(format!("http://{addr}")),
            faults: faults.clone(),
        };
        let license = LicenseServer::new(license);
        let offline = license.offline_flag();
        let (tx, rx) = oneshot::channel::<()>();
        let app = router(state).merge(license::routes(license.clone())).layer(
            axum::middleware::from_fn_with_state(offline.clone(), offline_guard),
        );
        let listener = OfflineListener {
            inner: listener,
            offline,
        };
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
            license,
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

    /// The license server: counters ([`LicenseServer::stats`]) and the offline switch
    /// ([`LicenseServer::set_offline`]).
    pub fn license(&self) -> &LicenseServer {
        &self.license
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

    /// Stops like [`DevServer::stop`], but gives requests in flight and kept-alive connections
    /// only `grace` to finish: meanwhile every request is answered 503 with `Connection: close`
    /// (as when offline), and then the server is abandoned (the port is released).
    pub async fn stop_within(mut self, grace: std::time::Duration) {
        self.license.set_offline(true);
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let abort = task.abort_handle();
            if tokio::time::timeout(grace, task).await.is_err() {
                abort.abort();
            }
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

/// Accepts like a `TcpListener`, but closes new connections at once while offline.
struct OfflineListener {
    inner: tokio::net::TcpListener,
    offline: Arc<AtomicBool>,
}

impl axum::serve::Listener for OfflineListener {
    type Io = tokio::net::TcpStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let (io, addr) = axum::serve::Listener::accept(&mut self.inner).await;
            if !self.offline.load(Ordering::SeqCst) {
                return (io, addr);
            }
            drop(io);
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.inner.local_addr()
    }
}

/// Requests arriving on connections opened before the server went offline: 503 and close
/// (except the switch itself, so a test can bring the server back on a kept-alive connection).
async fn offline_guard(
    State(offline): State<Arc<AtomicBool>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    if offline.load(Ordering::SeqCst) && request.uri().path() != "/_license/offline" {
        let mut r = (StatusCode::SERVICE_UNAVAILABLE, "offline\n").into_response();
        r.headers_mut().insert(
            axum::http::header::CONNECTION,
            axum::http::HeaderValue::from_static("close"),
        );
        return r;
    }
    next.run(request).await
}

fn router(state: AppState) -> Router {
    Router::new()
        .route("/media/{*path}", get(media).head(media))
        .route("/demo/{*path}", get(demo_file).head(demo_file))
        .route("/catalog.json", get(demo_catalog))
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

async fn demo_file(
    State(state): State<AppState>,
    UrlPath(path): UrlPath<String>,
    method: Method,
    headers: HeaderMap,
) -> Response {
    let Some(root) = &state.demo else {
        return (StatusCode::NOT_FOUND, "this server has no demo catalog\n").into_response();
    };
    let Some(file) = files::resolve(root, &path) else {
        return (StatusCode::BAD_REQUEST, "path leaves the demo folder\n").into_response();
    };
    let fault = state.faults.take(&format!("/demo/{path}"));
    files::serve(&file, &headers, method == Method::HEAD, fault).await
}

async fn demo_catalog(State(state): State<AppState>) -> Response {
    let Some(root) = &state.demo else {
        return (StatusCode::NOT_FOUND, "this server has no demo catalog\n").into_response();
    };
    let template = match tokio::fs::read_to_string(root.join("catalog.json")).await {
        Ok(t) => t,
        Err(e) => {
            return (StatusCode::NOT_FOUND, format!("no catalog.json: {e}\n")).into_response();
        }
    };
    match catalog::render(&template, &state.base_url) {
        Ok(feed) => axum::Json(feed).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, format!("{e}\n")).into_response(),
    }
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
