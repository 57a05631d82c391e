//! Where Layover keeps its data: the database, logs and (later) downloaded titles.
//!
//! Order of precedence: `--data-dir` on the command line, then `LAYOVER_DATA_DIR`, then the
//! operating system's data directory (`~/.local/share/layover`, `%APPDATA%\Layover`,
//! `~/Library/Application Support/Layover`).
//!
//! The test suite sets `LAYOVER_FORBID_DEFAULT_DATA_DIR=1`, so any test that forgets to pass its
//! own folder fails loudly instead of writing into the developer's real library.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use serde::Serialize;
use ts_rs::TS;

use crate::error::{Error, Result};

/// The environment variable that overrides the data directory.
pub const ENV_DATA_DIR: &str = "LAYOVER_DATA_DIR";
/// When set to `1`, resolving the default (real) data directory is an error. Set by the tests.
pub const ENV_FORBID_DEFAULT: &str = "LAYOVER_FORBID_DEFAULT_DATA_DIR";

const DATABASE_FILE: &str = "layover.db";
const LOGS_DIR: &str = "logs";

/// Which rule chose the data directory; shown to support staff in `layover info`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum DataDirSource {
    /// `--data-dir` on the command line.
    Flag,
    /// The `LAYOVER_DATA_DIR` environment variable.
    Environment,
    /// The operating system's per-user data directory.
    Default,
}

/// The resolved data directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataDir {
    root: PathBuf,
    source: DataDirSource,
}

impl DataDir {
    /// Resolves the data directory from the process environment.
    pub fn resolve(flag: Option<PathBuf>) -> Result<Self> {
        Self::resolve_with(flag, |name| std::env::var_os(name), default_data_dir)
    }

    /// Resolves the data directory with the environment and the OS default passed in (testable).
    pub fn resolve_with(
        flag: Option<PathBuf>,
        env: impl Fn(&str) -> Option<OsString>,
        os_default: impl FnOnce() -> Option<PathBuf>,
    ) -> Result<Self> {
        let non_empty = |v: OsString| (!v.is_empty()).then_some(v);
        if let Some(dir) = flag.filter(|p| !p.as_os_str().is_empty()) {
            return Ok(Self::at(dir, DataDirSource::Flag));
        }
        if let Some(dir) = env(ENV_DATA_DIR).and_then(non_empty) {
            return Ok(Self::at(PathBuf::from(dir), DataDirSource::Environment));
        }
        let dir = os_default().ok_or(Error::NoDataDir)?;
        if env(ENV_FORBID_DEFAULT).is_some_and(|v| v == "1") {
            return Err(Error::RealDataDirForbidden(dir));
        }
        Ok(Self::at(dir, DataDirSource::Default))
    }

    /// A data directory at an explicit path (tests and tools).
    pub fn at(root: impl Into<PathBuf>, source: DataDirSource) -> Self {
        let root = root.into();
        // Relative paths are made absolute once, so the log and the UI show where data really is.
        let root = std::path::absolute(&root).unwrap_or(root);
        Self { root, source }
    }

    /// The folder itself.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Which rule chose it.
    pub fn source(&self) -> DataDirSource {
        self.source
    }

    /// The SQLite database file.
    pub fn database_path(&self) -> PathBuf {
        self.root.join(DATABASE_FILE)
    }

    /// The folder of daily-rotated log files.
    pub fn logs_dir(&self) -> PathBuf {
        self.root.join(LOGS_DIR)
    }

    /// Creates the folder and its `logs/` if missing.
    pub fn create(&self) -> Result<()> {
        for dir in [self.root.clone(), self.logs_dir()] {
            std::fs::create_dir_all(&dir).map_err(|source| Error::DataDir { path: dir, source })?;
        }
        Ok(())
    }
}

/// The operating system's per-user data directory for Layover, if the OS has one.
pub fn default_data_dir() -> Option<PathBuf> {
    // Linux convention is a lower-case folder; Windows and macOS show folder names to users.
    let name = if cfg!(any(windows, target_os = "macos")) {
        "Layover"
    } else {
        "layover"
    };
    dirs::data_dir().map(|d| d.join(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<OsString> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| OsString::from(v))
        }
    }

    /// What a path given by the user becomes (on Windows `/tmp/x` gains the current drive).
    fn abs(p: &str) -> PathBuf {
        std::path::absolute(p).unwrap_or_else(|_| PathBuf::from(p))
    }

    fn os_default() -> Option<PathBuf> {
        Some(PathBuf::from("/home/someone/.local/share/layover"))
    }

    #[test]
    fn flag_wins_over_environment() {
        let d = DataDir::resolve_with(
            Some("/tmp/flag".into()),
            env_of(&[(ENV_DATA_DIR, "/tmp/env")]),
            os_default,
        )
        .expect("resolves");
        assert_eq!(d.root(), abs("/tmp/flag"));
        assert_eq!(d.source(), DataDirSource::Flag);
    }

    #[test]
    fn environment_wins_over_default_and_empty_means_unset() {
        let d = DataDir::resolve_with(None, env_of(&[(ENV_DATA_DIR, "/tmp/env")]), os_default)
            .expect("resolves");
        assert_eq!(
            (d.root(), d.source()),
            (abs("/tmp/env").as_path(), DataDirSource::Environment)
        );

        let d = DataDir::resolve_with(Some("".into()), env_of(&[(ENV_DATA_DIR, "")]), os_default)
            .expect("resolves");
        assert_eq!(d.source(), DataDirSource::Default);
    }

    #[test]
    fn the_real_directory_is_refused_under_test() {
        let err = DataDir::resolve_with(None, env_of(&[(ENV_FORBID_DEFAULT, "1")]), os_default)
            .expect_err("must refuse");
        assert!(
            matches!(err, Error::RealDataDirForbidden(ref p) if p == &os_default().unwrap_or_default())
        );
        // An explicit folder is still fine with the guard on.
        let ok = DataDir::resolve_with(
            None,
            env_of(&[(ENV_FORBID_DEFAULT, "1"), (ENV_DATA_DIR, "/tmp/x")]),
            os_default,
        );
        assert!(ok.is_ok());
    }

    #[test]
    fn no_os_directory_is_a_clear_error() {
        let err = DataDir::resolve_with(None, env_of(&[]), || None).expect_err("no default");
        assert!(err.to_string().contains("--data-dir"), "{err}");
    }

    #[test]
    fn files_live_inside_the_root() {
        let d = DataDir::at("/tmp/lay", DataDirSource::Flag);
        assert_eq!(d.database_path(), abs("/tmp/lay").join("layover.db"));
        assert_eq!(d.logs_dir(), abs("/tmp/lay").join("logs"));
    }
}
