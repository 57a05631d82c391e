//! The embedded demo: the development server (demo catalog, its media and the development
//! license server) started in-process on 127.0.0.1 at a free port when the app starts, if the
//! demo media exist (`assets/media/make-demo.sh`, run by `make run`; `LAYOVER_DEMO_DIR` points
//! elsewhere). Settings can stop it ("go offline") and start it again; `--no-demo` keeps it
//! off. It is not remembered across launches: every launch starts it again.
//!
//! Also the catalog commands: read a feed, fetch a poster, add an entry.

use std::path::PathBuf;
use std::sync::Arc;

use layover_devserver::{Config, DevServer};
use layover_engine::catalog::{Catalog, CatalogEntry};
use layover_engine::library::choices::ChoiceInput;
use layover_engine::{ApiError, Engine, Error, Title};
use serde::Serialize;
use tauri::State;
use tokio::sync::Mutex;

use crate::state::AppState;

/// What Settings and the Catalog view show about the demo server.
#[derive(Debug, Clone, Serialize)]
pub struct DemoStatus {
    /// The demo media exist, so the server can run.
    pub available: bool,
    /// It is serving now.
    pub running: bool,
    /// `http://127.0.0.1:PORT/catalog.json` while running.
    pub feed_url: Option<String>,
    /// Where the demo media are.
    pub folder: Option<String>,
    /// Open the Catalog view first (`--view catalog`, as `make run` does).
    pub open_catalog: bool,
}

/// The demo server's switch, shared by the commands and the startup task.
#[derive(Debug, Clone)]
pub struct Demo(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    dir: Option<PathBuf>,
    open_catalog: bool,
    server: Mutex<Option<DevServer>>,
}

impl Demo {
    pub fn new(open_catalog: bool) -> Self {
        Self(Arc::new(Inner {
            dir: layover_devserver::catalog::default_demo_dir(),
            open_catalog,
            server: Mutex::new(None),
        }))
    }

    pub async fn status(&self) -> DemoStatus {
        let server = self.0.server.lock().await;
        DemoStatus {
            available: self.0.dir.is_some(),
            running: server.is_some(),
            feed_url: server
                .as_ref()
                .map(|s| format!("{}/catalog.json", s.base_url())),
            folder: self.0.dir.as_ref().map(|d| d.display().to_string()),
            open_catalog: self.0.open_catalog,
        }
    }

    /// Starts (or stops) the server; with an engine, the providers the catalog installed earlier
    /// are pointed at the new port.
    pub async fn set_running(
        &self,
        on: bool,
        engine: Option<&Engine>,
    ) -> Result<DemoStatus, ApiError> {
        let mut server = self.0.server.lock().await;
        match (on, server.is_some()) {
            (true, false) => {
                let Some(dir) = &self.0.dir else {
                    return Err(ApiError::from(Error::UnsupportedLink {
                        url: "demo".into(),
                        reason: "the demo media are not built; run `make run` (or \
                                 assets/media/make-demo.sh) in the Layover checkout"
                            .into(),
                    }));
                };
                let config = Config::loopback(dir).with_demo(Some(dir.clone()));
                let started = DevServer::start(config).await.map_err(|e| {
                    ApiError::from(Error::Internal(format!(
                        "the demo server did not start: {e}"
                    )))
                })?;
                tracing::info!(url = %started.base_url(), "demo server running");
                let feed = format!("{}/catalog.json", started.base_url());
                *server = Some(started);
                drop(server);
                if let Some(engine) = engine {
                    match engine.read_catalog(&feed).await {
                        Ok(catalog) => {
                            if let Err(e) = engine.refresh_catalog_providers(&catalog).await {
                                tracing::warn!(error = %e, "demo providers not refreshed");
                            }
                        }
                        Err(e) => tracing::warn!(error = %e, "demo catalog unreadable"),
                    }
                }
            }
            (false, true) => {
                if let Some(s) = server.take() {
                    // Kept-alive connections (the engine's HTTP pool) would hold a graceful
                    // stop open; they get 503 and are dropped after a moment.
                    s.stop_within(std::time::Duration::from_secs(1)).await;
                }
                drop(server);
                tracing::info!("demo server stopped");
            }
            // Already as asked. (Every arm lets go of the lock: `status` takes it again.)
            _ => drop(server),
        }
        Ok(self.status().await)
    }
}

/// The demo server's state.
#[tauri::command]
pub async fn demo_status(demo: State<'_, Demo>) -> Result<DemoStatus, ApiError> {
    Ok(demo.status().await)
}

/// Starts or stops the demo server.
#[tauri::command]
pub async fn set_demo_server(
    state: State<'_, AppState>,
    demo: State<'_, Demo>,
    on: bool,
) -> Result<DemoStatus, ApiError> {
    demo.set_running(on, state.engine().ok()).await
}

/// Reads a catalog feed.
#[tauri::command]
pub async fn read_catalog(state: State<'_, AppState>, url: String) -> Result<Catalog, ApiError> {
    Ok(state.engine()?.read_catalog(&url).await?)
}

/// A poster as a `data:` URL.
#[tauri::command]
pub async fn catalog_poster(state: State<'_, AppState>, url: String) -> Result<String, ApiError> {
    Ok(state.engine()?.catalog_poster(&url).await?)
}

/// Adds a catalog entry (its license profile becomes its provider) with the dialog's choice.
#[tauri::command]
pub async fn add_catalog_entry(
    state: State<'_, AppState>,
    entry: CatalogEntry,
    choice: Option<ChoiceInput>,
) -> Result<Title, ApiError> {
    let title = state
        .engine()?
        .add_catalog_entry(&entry, &choice.unwrap_or_default())
        .await?;
    state.wake_queue();
    Ok(title)
}
