//! The Layover engine: the one API the desktop app, the CLI and the tests call.
//!
//! Front ends resolve a [`DataDir`], open an [`Engine`] on it and call its methods; they hold no
//! logic of their own. Time comes from an injected [`Clock`].
//!
//! ```
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! use layover_engine::{DataDir, DataDirSource, Engine, SettingsPatch, Theme};
//!
//! let folder = tempfile::tempdir().unwrap();
//! let engine = Engine::open(DataDir::at(folder.path(), DataDirSource::Flag)).await.unwrap();
//! let patch = SettingsPatch { theme: Some(Theme::Dark), ..SettingsPatch::default() };
//! let settings = engine.update_settings(patch).await.unwrap();
//! assert_eq!(settings.theme, Theme::Dark);
//! assert_eq!(engine.app_info().await.unwrap().name, "Layover");
//! # });
//! ```

pub mod catalog;
pub mod clock;
pub mod decrypt_folder;
pub mod diagnostics;
mod download;
pub mod error;
pub mod info;
pub mod instance;
pub mod library;
pub mod licenses;
pub mod logging;
pub mod manifest;
pub mod media;
pub mod net;
pub mod notices;
pub mod paths;
pub mod playback;
pub mod redact;
pub mod secrets;
pub mod settings;
pub mod store;
pub mod timekeeping;
pub mod updates;
pub mod window_place;

use std::sync::Arc;

pub use clock::{Clock, ManualClock, SystemClock};
pub use error::{ApiError, Error, ErrorCode, Result};
pub use info::{APP_NAME, AppInfo, VERSION};
pub use library::{DownloadProgress, Title, TitleKind, TitleState};
pub use paths::{DataDir, DataDirSource};
pub use redact::Secret;
pub use settings::{SettingKey, Settings, SettingsPatch, Theme};
pub use store::Store;
pub use timekeeping::ClockStatus;

/// An open Layover library: its data folder, database and clock.
#[derive(Debug, Clone)]
pub struct Engine {
    data_dir: DataDir,
    store: Store,
    clock: Arc<dyn Clock>,
    fetcher: net::Fetcher,
    /// Loaded on first use (the credential store may prompt or be slow).
    master_key: Arc<std::sync::Mutex<Option<secrets::MasterKey>>>,
}

impl Engine {
    /// Opens the library in `data_dir` (creating it if needed) on the system clock.
    pub async fn open(data_dir: DataDir) -> Result<Self> {
        Self::open_with_clock(data_dir, Arc::new(SystemClock)).await
    }

    /// Opens the library with an explicit clock (tests use [`ManualClock`]).
    pub async fn open_with_clock(data_dir: DataDir, clock: Arc<dyn Clock>) -> Result<Self> {
        data_dir.create()?;
        // First: its HTTP client is built on a helper thread while the database opens.
        let fetcher = net::Fetcher::new(net::RetryPolicy::default(), Arc::new(net::TokioSleep))
            .map_err(|e| Error::Internal(format!("the HTTP client could not start: {e}")))?;
        let store = Store::open(&data_dir.database_path()).await?;
        tracing::info!(
            data_dir = %data_dir.root().display(),
            source = ?data_dir.source(),
            version = VERSION,
            "library open"
        );
        let engine = Self {
            data_dir,
            store,
            clock,
            fetcher,
            master_key: Arc::default(),
        };
        // Every start is a sighting of the clock.
        engine.clock_status().await?;
        Ok(engine)
    }

    /// The data folder.
    pub fn data_dir(&self) -> &DataDir {
        &self.data_dir
    }

    /// Uses `fetcher` for downloads (tests pass one whose waits do not sleep).
    pub fn with_fetcher(mut self, fetcher: net::Fetcher) -> Self {
        self.fetcher = fetcher;
        self
    }

    /// The key that seals secrets, loaded (or created) on first use.
    pub(crate) fn master_key(&self) -> Result<secrets::MasterKey> {
        let mut slot = self.master_key.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(k) = slot.as_ref() {
            return Ok(k.clone());
        }
        let key = secrets::MasterKey::load(self.data_dir.root())?;
        *slot = Some(key.clone());
        Ok(key)
    }

    /// Where secrets are kept (the UI warns when it is only a key file).
    pub fn secret_store_kind(&self) -> Result<secrets::SecretStoreKind> {
        Ok(self.master_key()?.kind())
    }

    /// The injected clock.
    pub fn clock(&self) -> &dyn Clock {
        self.clock.as_ref()
    }

    /// The HTTP fetcher downloads go through.
    pub fn fetcher(&self) -> &net::Fetcher {
        &self.fetcher
    }

    /// The database handle (for other engine modules and tests).
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Facts about this build and install.
    pub async fn app_info(&self) -> Result<AppInfo> {
        let path = |p: &std::path::Path| p.display().to_string();
        Ok(AppInfo {
            name: APP_NAME.to_owned(),
            version: VERSION.to_owned(),
            data_dir: path(self.data_dir.root()),
            data_dir_source: self.data_dir.source(),
            database_path: path(&self.data_dir.database_path()),
            logs_dir: path(&self.data_dir.logs_dir()),
            schema_version: self.store.schema_version().await?,
            known_schema_version: Store::known_schema_version(),
            os: std::env::consts::OS.to_owned(),
            arch: std::env::consts::ARCH.to_owned(),
        })
    }

    /// Reads the clock, records it as seen, and says whether it has been set back.
    pub async fn clock_status(&self) -> Result<ClockStatus> {
        let now = self.clock.now_unix_ms();
        let latest = self.store.observe_time(now).await?;
        let status = ClockStatus::new(now, latest);
        if status.rolled_back {
            tracing::warn!(
                behind_ms = status.behind_ms,
                "the system clock is behind the latest time seen"
            );
        }
        Ok(status)
    }

    /// All settings, defaults filled in.
    pub async fn settings(&self) -> Result<Settings> {
        self.store.settings().await
    }

    /// Changes some settings and returns all of them.
    pub async fn update_settings(&self, patch: SettingsPatch) -> Result<Settings> {
        patch.validate()?;
        let settings = self
            .store
            .update_settings(&patch, self.clock.now_unix_ms())
            .await?;
        tracing::info!(?patch, "settings changed");
        Ok(settings)
    }

    /// Sets one setting from its text form (`theme` = `dark`), as the CLI does.
    pub async fn set_setting_text(&self, key: &str, value: &str) -> Result<Settings> {
        let key = SettingKey::parse(key)?;
        self.update_settings(SettingsPatch::from_text(key, value)?)
            .await
    }

    /// Closes the database cleanly (checkpointing the WAL).
    pub async fn close(&self) {
        self.store.close().await;
    }
}
