//! What the app's About box, `layover info` and (later) diagnostic bundles say about this install.

use serde::Serialize;
use ts_rs::TS;

use crate::paths::DataDirSource;

/// Facts about this build and where it keeps its data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct AppInfo {
    /// "Layover".
    pub name: String,
    /// The build's version (semver).
    pub version: String,
    /// The data folder.
    pub data_dir: String,
    /// Which rule chose the data folder.
    pub data_dir_source: DataDirSource,
    /// The SQLite file.
    pub database_path: String,
    /// The log folder.
    pub logs_dir: String,
    /// The newest migration applied to the database (a timestamp, well inside JS's safe range).
    #[ts(type = "number")]
    pub schema_version: i64,
    /// The newest migration this build knows; lower than `schema_version` after a downgrade.
    #[ts(type = "number")]
    pub known_schema_version: i64,
    /// Operating system family (`linux`, `windows`, `macos`).
    pub os: String,
    /// CPU architecture (`x86_64`, `aarch64`).
    pub arch: String,
}

/// The product's display name.
pub const APP_NAME: &str = "Layover";
/// This build's version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
