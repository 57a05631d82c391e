//! Errors. Inside the engine: [`Error`], with the context a support engineer needs. At the UI
//! boundary: [`ApiError`], a `{code, message}` pair whose [`ErrorCode`] is a closed set mirrored
//! in TypeScript (`ui/src/lib/bindings/ErrorCode.ts`), so the UI never matches on message text.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The engine's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong inside the engine.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The OS reports no per-user data directory.
    #[error(
        "this system has no per-user data directory; pass --data-dir <FOLDER> or set LAYOVER_DATA_DIR"
    )]
    NoDataDir,
    /// The test guard refused the real data directory.
    #[error(
        "refusing to use the real data directory {} because LAYOVER_FORBID_DEFAULT_DATA_DIR=1 \
         (tests must pass --data-dir or LAYOVER_DATA_DIR)",
        .0.display()
    )]
    RealDataDirForbidden(PathBuf),
    /// The data directory could not be created or written.
    #[error("the data directory {} could not be created: {source}", path.display())]
    DataDir {
        /// The folder.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// A database operation failed.
    #[error("database error while {doing}: {source}")]
    Database {
        /// What the engine was doing, in words ("reading settings").
        doing: &'static str,
        /// The driver's error.
        #[source]
        source: sqlx::Error,
    },
    /// The database could not be brought to this build's schema.
    #[error("the database at {} could not be migrated: {source}", path.display())]
    Migration {
        /// The database file.
        path: PathBuf,
        /// The migrator's error.
        #[source]
        source: sqlx::migrate::MigrateError,
    },
    /// A setting name this build does not know.
    #[error("unknown setting `{0}`; known settings: {known}", known = crate::settings::SettingKey::names().join(", "))]
    UnknownSetting(String),
    /// A setting value of the wrong shape.
    #[error("invalid value for setting `{key}`: {reason}")]
    InvalidSetting {
        /// The setting's name.
        key: String,
        /// Why the value was refused and what is accepted.
        reason: String,
    },
    /// A file named by the user could not be read.
    #[error("cannot read {}: {source}", path.display())]
    ReadFile {
        /// The file.
        path: std::path::PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The input is not a license Layover can read.
    #[error("{what}: {reason}")]
    NotALicense {
        /// The file or input.
        what: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A file that is not media Layover can read.
    #[error("{}: {reason}", path.display())]
    NotMedia {
        /// The file.
        path: PathBuf,
        /// What is wrong, naming the box or KID.
        reason: String,
    },
    /// A `KID:KEY` argument of the wrong shape.
    #[error("`{0}` is not a key: use KID:KEY with 32 hex digits each (dashes allowed in the KID)")]
    BadKey(String),
    /// A file could not be written.
    #[error("cannot write {}: {source}", path.display())]
    WriteFile {
        /// The file.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// A link Layover cannot download.
    #[error("cannot add {url}: {reason}")]
    UnsupportedLink {
        /// The link.
        url: String,
        /// Why, and what would work.
        reason: String,
    },
    /// Another Layover process is downloading this title right now.
    #[error(
        "\"{0}\" is being downloaded by another Layover process (the app or another `layover download`); let that one finish"
    )]
    DownloadBusy(String),
    /// No title matches what was typed.
    #[error("no title matches `{0}`; `layover downloads` lists them")]
    NoSuchTitle(String),
    /// Several titles match what was typed.
    #[error("`{query}` matches several titles: {}; use the number", candidates.join(", "))]
    AmbiguousTitle {
        /// What was typed.
        query: String,
        /// `name (id)` of each match.
        candidates: Vec<String>,
    },
    /// The title is not in a state that allows this.
    #[error("\"{title}\" is {} and cannot be {wanted}", state.as_str())]
    WrongState {
        /// The title.
        title: String,
        /// Its state.
        state: crate::library::TitleState,
        /// What was asked ("paused", "resumed").
        wanted: &'static str,
    },
    /// No title with this id.
    #[error("there is no title {0} in the library; `layover downloads` lists them")]
    TitleNotFound(i64),
    /// A secret could not be sealed or opened.
    #[error("{0}")]
    Secrets(String),
    /// No license provider matches what was typed.
    #[error("no license provider matches `{0}`; `layover providers list` shows them")]
    NoSuchProvider(String),
    /// A provider profile is not usable as given.
    #[error("the provider's {field} {reason}")]
    InvalidProvider {
        /// Which field.
        field: &'static str,
        /// What is wrong with it and what would work.
        reason: String,
    },
    /// A license could not be acquired, renewed or released.
    #[error("{title}: {message}")]
    License {
        /// The title (or KID) concerned.
        title: String,
        /// What kind of failure, for the UI to branch on.
        failure: LicenseFailure,
        /// What happened and what to do, in words.
        message: String,
    },
    /// A trip that cannot be planned as asked (no titles, a return date already past, ...).
    #[error("the trip cannot be planned: {0}")]
    Trip(String),
    /// This build has no usable update channel (a development build has no update key).
    #[error("{0}")]
    NoUpdateChannel(String),
    /// A check for updates or an update's install failed.
    #[error("{message}")]
    UpdateCheck {
        /// The update server could not be reached.
        offline: bool,
        /// What happened and what to do, in words.
        message: String,
    },
    /// Something that should not happen.
    #[error("{0}")]
    Internal(String),
    /// Logging could not be set up.
    #[error("logging could not be set up: {0}")]
    Logging(String),
}

impl Error {
    /// Wraps a driver error with what the engine was doing.
    pub(crate) fn db(doing: &'static str) -> impl FnOnce(sqlx::Error) -> Self {
        move |source| Self::Database { doing, source }
    }

    /// The stable code the UI and scripts branch on.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::NoDataDir | Self::RealDataDirForbidden(_) | Self::DataDir { .. } => {
                ErrorCode::DataDirectory
            }
            Self::Database { .. } | Self::Migration { .. } => ErrorCode::Storage,
            Self::UnknownSetting(_) | Self::InvalidSetting { .. } | Self::NotALicense { .. } => {
                ErrorCode::InvalidInput
            }
            Self::ReadFile { source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
                ErrorCode::NotFound
            }
            Self::ReadFile { .. } => ErrorCode::InvalidInput,
            Self::UnsupportedLink { .. } | Self::NotMedia { .. } | Self::BadKey(_) => {
                ErrorCode::InvalidInput
            }
            Self::WriteFile { .. } => ErrorCode::Storage,
            Self::TitleNotFound(_) | Self::NoSuchTitle(_) => ErrorCode::NotFound,
            Self::AmbiguousTitle { .. } | Self::WrongState { .. } | Self::Trip(_) => {
                ErrorCode::InvalidInput
            }
            Self::DownloadBusy(_) => ErrorCode::Busy,
            Self::Secrets(_) => ErrorCode::Storage,
            Self::NoSuchProvider(_) => ErrorCode::NotFound,
            Self::InvalidProvider { .. } => ErrorCode::InvalidInput,
            Self::License { failure, .. } => match failure {
                LicenseFailure::Offline => ErrorCode::Offline,
                LicenseFailure::Unauthorized => ErrorCode::Unauthorized,
                LicenseFailure::Refused => ErrorCode::LicenseRefused,
                LicenseFailure::NotPossible => ErrorCode::InvalidInput,
            },
            Self::NoUpdateChannel(_) => ErrorCode::NotFound,
            Self::UpdateCheck { offline: true, .. } => ErrorCode::Offline,
            Self::UpdateCheck { .. } => ErrorCode::Internal,
            Self::Logging(_) | Self::Internal(_) => ErrorCode::Internal,
        }
    }
}

/// The closed set of error codes the UI and scripts can branch on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ErrorCode {
    /// The request itself was wrong (unknown setting, bad value); fix the input and retry.
    InvalidInput,
    /// The thing asked for does not exist.
    NotFound,
    /// Someone else (another Layover process) is doing this right now; try again when it is done.
    Busy,
    /// The database could not be read or written.
    Storage,
    /// The data directory is missing, unwritable or refused.
    DataDirectory,
    /// A bug: something that should not happen did. The log has the details.
    Internal,
    /// The license server (or the network to it) could not be reached; it is retried later.
    Offline,
    /// The license server refused the token or entitlement; fix the provider's token.
    Unauthorized,
    /// The license server answered with a refusal (a PlayReady fault, a missing key).
    LicenseRefused,
}

/// Why a license operation failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LicenseFailure {
    /// No network or the server did not answer: retried later.
    Offline,
    /// 401/403 or a token problem.
    Unauthorized,
    /// The server answered with a refusal or something unusable.
    Refused,
    /// Nothing to ask or nobody to ask (no protection, no provider, a system this desktop cannot use).
    NotPossible,
}

/// The one error type that crosses into the UI: a code to branch on and a sentence for a person.
///
/// Messages never contain SQL, keys or tokens; database details go to the log instead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, thiserror::Error)]
#[error("{message} ({code:?})")]
#[ts(export)]
pub struct ApiError {
    /// What kind of failure this is.
    pub code: ErrorCode,
    /// What happened and what to do, in words.
    pub message: String,
}

impl From<Error> for ApiError {
    fn from(err: Error) -> Self {
        let code = err.code();
        let message = match &err {
            // Driver messages can quote SQL or schema; a person gets the gist, the log the detail.
            Error::Database { doing, .. } => {
                tracing::error!(error = %err, "database failure");
                format!(
                    "Layover could not use its database while {doing}. Check that the disk is not \
                     full and the data folder is writable; details are in the log."
                )
            }
            Error::Migration { path, .. } => {
                tracing::error!(error = %err, "migration failure");
                format!(
                    "Layover could not update its database at {} to this version. Your data is \
                     untouched; details are in the log.",
                    path.display()
                )
            }
            _ => err.to_string(),
        };
        Self { code, message }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_serialise_as_snake_case_strings() {
        let e = ApiError {
            code: ErrorCode::DataDirectory,
            message: "m".into(),
        };
        let json = serde_json::to_string(&e).expect("serialises");
        assert_eq!(json, r#"{"code":"data_directory","message":"m"}"#);
    }

    #[test]
    fn database_messages_do_not_leak_driver_text() {
        let err = Error::Database {
            doing: "reading settings",
            source: sqlx::Error::Protocol("SELECT secret_column FROM t".into()),
        };
        let api = ApiError::from(err);
        assert_eq!(api.code, ErrorCode::Storage);
        assert!(api.message.contains("reading settings"));
        assert!(!api.message.contains("SELECT"), "{}", api.message);
    }

    #[test]
    fn unknown_setting_lists_known_ones() {
        let api = ApiError::from(Error::UnknownSetting("colour".into()));
        assert_eq!(api.code, ErrorCode::InvalidInput);
        assert!(api.message.contains("theme"), "{}", api.message);
    }
}
