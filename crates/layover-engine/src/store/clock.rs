//! The `clock_watermark` row.

use super::Store;
use crate::error::{Error, Result};

impl Store {
    /// Records `now_ms` and returns the watermark after it: `max(previous, now_ms)`. One
    /// statement, so the app and the CLI recording at once cannot lower it.
    pub async fn observe_time(&self, now_ms: i64) -> Result<i64> {
        sqlx::query_scalar(
            "INSERT INTO clock_watermark (id, latest_seen_ms) VALUES (1, ?1)
             ON CONFLICT(id) DO UPDATE SET latest_seen_ms = MAX(latest_seen_ms, excluded.latest_seen_ms)
             RETURNING latest_seen_ms",
        )
        .bind(now_ms)
        .fetch_one(self.pool())
        .await
        .map_err(Error::db("recording the time"))
    }
}

#[cfg(test)]
mod tests {
    use crate::store::Store;

    #[tokio::test]
    async fn the_watermark_only_moves_forward() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(&dir.path().join("t.db")).await.expect("opens");
        assert_eq!(store.observe_time(1_000).await.expect("q"), 1_000);
        assert_eq!(store.observe_time(5_000).await.expect("q"), 5_000);
        assert_eq!(
            store.observe_time(2_000).await.expect("q"),
            5_000,
            "a clock set back"
        );
        assert_eq!(store.observe_time(6_000).await.expect("q"), 6_000);
    }
}
