//! Reading and writing the `settings` table.

use super::Store;
use crate::error::{Error, Result};
use crate::settings::{Settings, SettingsPatch};

impl Store {
    /// All settings, defaults filled in.
    pub async fn settings(&self) -> Result<Settings> {
        let rows: Vec<(String, String)> = sqlx::query_as("SELECT key, value FROM settings")
            .fetch_all(self.pool())
            .await
            .map_err(Error::db("reading settings"))?;
        Ok(Settings::from_rows(
            rows.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            |key, value| {
                tracing::warn!(
                    key,
                    value,
                    "stored setting is unreadable; using the default"
                );
            },
        ))
    }

    /// Applies a patch in one transaction and returns the settings after it.
    pub async fn update_settings(
        &self,
        patch: &SettingsPatch,
        now_unix_ms: i64,
    ) -> Result<Settings> {
        let rows = Settings::patch_rows(patch);
        let mut tx = self
            .pool()
            .begin()
            .await
            .map_err(Error::db("saving settings"))?;
        for (key, json) in &rows {
            sqlx::query(
                "INSERT INTO settings (key, value, updated_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            )
            .bind(key.as_str())
            .bind(json)
            .bind(now_unix_ms)
            .execute(&mut *tx)
            .await
            .map_err(Error::db("saving settings"))?;
        }
        tx.commit().await.map_err(Error::db("saving settings"))?;
        self.settings().await
    }
}

#[cfg(test)]
mod tests {
    use crate::settings::{SettingsPatch, Theme};
    use crate::store::Store;

    #[tokio::test]
    async fn settings_persist_across_reopen() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("t.db");
        let store = Store::open(&path).await.expect("opens");
        assert_eq!(store.settings().await.expect("read").theme, Theme::System);
        let after = store
            .update_settings(
                &SettingsPatch {
                    theme: Some(Theme::Dark),
                    ..SettingsPatch::default()
                },
                1_000,
            )
            .await
            .expect("write");
        assert_eq!(after.theme, Theme::Dark);
        store.close().await;
        let store = Store::open(&path).await.expect("reopens");
        assert_eq!(store.settings().await.expect("read").theme, Theme::Dark);
        let updated: i64 =
            sqlx::query_scalar("SELECT updated_at FROM settings WHERE key = 'theme'")
                .fetch_one(store.pool())
                .await
                .expect("q");
        assert_eq!(updated, 1_000, "the injected clock's time is stored");
    }

    #[tokio::test]
    async fn a_corrupt_value_falls_back_and_is_not_overwritten() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(&dir.path().join("t.db")).await.expect("opens");
        sqlx::query(
            "INSERT INTO settings (key, value, updated_at) VALUES ('theme', '\"sepia\"', 0)",
        )
        .execute(store.pool())
        .await
        .expect("insert");
        assert_eq!(store.settings().await.expect("read").theme, Theme::System);
        let raw: String = sqlx::query_scalar("SELECT value FROM settings WHERE key = 'theme'")
            .fetch_one(store.pool())
            .await
            .expect("q");
        assert_eq!(raw, "\"sepia\"");
    }

    #[tokio::test]
    async fn invalid_json_is_refused_by_the_schema() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(&dir.path().join("t.db")).await.expect("opens");
        let res = sqlx::query(
            "INSERT INTO settings (key, value, updated_at) VALUES ('x', 'not json', 0)",
        )
        .execute(store.pool())
        .await;
        assert!(res.is_err());
    }
}
