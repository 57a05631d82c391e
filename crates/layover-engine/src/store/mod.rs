//! The SQLite store: one file in the data directory, opened in WAL mode with foreign keys on and
//! a busy timeout, so the app and the CLI can use it at the same time.

mod clock;
mod licenses;
mod settings;
mod titles;
mod trip;

pub use licenses::{GrantedRow, HistoryRow, LicenseRow, ProviderRow};
pub use titles::PendingFile;

use std::path::{Path, PathBuf};
use std::time::Duration;

use sqlx::SqlitePool;
use sqlx::migrate::Migrator;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use crate::error::{Error, Result};

/// The schema, embedded at build time from `migrations/`.
///
/// Migrations only ever add tables and columns. `ignore_missing` lets an older build open a
/// database a newer build has already migrated further (it simply does not know the new parts).
fn migrator() -> Migrator {
    let mut m = sqlx::migrate!("./migrations");
    m.set_ignore_missing(true);
    m
}

/// How long a writer waits for another process (app or CLI) holding the write lock.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// A handle on the database; cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
    path: PathBuf,
}

impl Store {
    /// Opens (creating if needed) and migrates the database at `path`.
    pub async fn open(path: &Path) -> Result<Self> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT);
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .map_err(Error::db("opening the database"))?;
        migrator()
            .run(&pool)
            .await
            .map_err(|source| Error::Migration {
                path: path.to_owned(),
                source,
            })?;
        tracing::debug!(path = %path.display(), "database open");
        Ok(Self {
            pool,
            path: path.to_owned(),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The newest migration applied to this database (may be newer than this build knows).
    pub async fn schema_version(&self) -> Result<i64> {
        let v: Option<i64> =
            sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success = 1")
                .fetch_one(&self.pool)
                .await
                .map_err(Error::db("reading the schema version"))?;
        Ok(v.unwrap_or(0))
    }

    /// The newest migration this build knows.
    pub fn known_schema_version() -> i64 {
        migrator().iter().map(|m| m.version).max().unwrap_or(0)
    }

    /// Waits for queries in flight and closes every connection (checkpointing the WAL).
    pub async fn close(&self) {
        self.pool.close().await;
    }

    pub(crate) fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn open_temp() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(&dir.path().join("t.db")).await.expect("opens");
        (dir, store)
    }

    #[tokio::test]
    async fn pragmas_are_set() {
        let (_dir, store) = open_temp().await;
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(store.pool())
            .await
            .expect("q");
        let fk: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
            .fetch_one(store.pool())
            .await
            .expect("q");
        let busy: i64 = sqlx::query_scalar("PRAGMA busy_timeout")
            .fetch_one(store.pool())
            .await
            .expect("q");
        assert_eq!(mode.to_lowercase(), "wal");
        assert_eq!(fk, 1);
        assert_eq!(busy, 10_000);
    }

    #[tokio::test]
    async fn migrations_are_applied_once_and_reopen_is_idempotent() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("t.db");
        let store = Store::open(&path).await.expect("opens");
        assert_eq!(
            store.schema_version().await.expect("v"),
            Store::known_schema_version()
        );
        store.close().await;
        let again = Store::open(&path).await.expect("reopens");
        assert_eq!(
            again.schema_version().await.expect("v"),
            Store::known_schema_version()
        );
    }

    #[tokio::test]
    async fn an_older_build_opens_a_database_from_a_newer_one() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("t.db");
        let store = Store::open(&path).await.expect("opens");
        // What a newer build leaves behind: a migration this build has never heard of, and a
        // table it created.
        let future = Store::known_schema_version() + 1_000_000;
        sqlx::query(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
             VALUES (?, 'from the future', 1, x'00', 0)",
        )
        .bind(future)
        .execute(store.pool())
        .await
        .expect("insert");
        sqlx::query("CREATE TABLE future_things (id INTEGER PRIMARY KEY)")
            .execute(store.pool())
            .await
            .expect("create");
        store.close().await;

        let older = Store::open(&path)
            .await
            .expect("an older build still opens it");
        assert_eq!(older.schema_version().await.expect("v"), future);
    }

    #[tokio::test]
    async fn a_database_from_each_older_schema_upgrades_keeping_its_data() {
        let versions: Vec<i64> = migrator().iter().map(|m| m.version).collect();
        for &old in &versions[..versions.len() - 1] {
            let dir = tempfile::tempdir().expect("tempdir");
            let path = dir.path().join("t.db");
            // What an older build left: the schema up to `old`, and a setting in it.
            let pool = SqlitePoolOptions::new()
                .connect_with(
                    SqliteConnectOptions::new()
                        .filename(&path)
                        .create_if_missing(true),
                )
                .await
                .expect("pool");
            migrator().run_to(old, &pool).await.expect("older schema");
            sqlx::query(
                "INSERT INTO settings (key, value, updated_at) VALUES ('theme', '\"dark\"', 1)",
            )
            .execute(&pool)
            .await
            .expect("insert");
            pool.close().await;

            let store = Store::open(&path).await.expect("the newer build opens it");
            assert_eq!(
                store.schema_version().await.expect("v"),
                Store::known_schema_version()
            );
            let theme = store.settings().await.expect("settings").theme;
            assert_eq!(theme, crate::Theme::Dark, "data from schema {old} survives");
        }
    }

    #[tokio::test]
    async fn an_unwritable_location_is_a_storage_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        let err = Store::open(&dir.path().join("missing-folder").join("t.db"))
            .await
            .expect_err("cannot create inside a missing folder");
        assert_eq!(err.code(), crate::ErrorCode::Storage);
    }
}
