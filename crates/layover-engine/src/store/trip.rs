//! The `trip` row and the titles picked for it.

use super::Store;
use crate::error::{Error, Result};

impl Store {
    /// Replaces the trip with one back at `return_ms` taking `title_ids`, in one transaction.
    pub(crate) async fn save_trip(
        &self,
        return_ms: i64,
        title_ids: &[i64],
        now_ms: i64,
    ) -> Result<()> {
        let mut tx = self
            .pool()
            .begin()
            .await
            .map_err(Error::db("saving the trip"))?;
        sqlx::query(
            "INSERT INTO trip (id, return_ms, updated_at) VALUES (1, ?1, ?2)
             ON CONFLICT(id) DO UPDATE SET return_ms = excluded.return_ms, updated_at = excluded.updated_at",
        )
        .bind(return_ms)
        .bind(now_ms)
        .execute(&mut *tx)
        .await
        .map_err(Error::db("saving the trip"))?;
        sqlx::query("DELETE FROM trip_titles")
            .execute(&mut *tx)
            .await
            .map_err(Error::db("saving the trip"))?;
        for id in title_ids {
            sqlx::query("INSERT OR IGNORE INTO trip_titles (title_id) VALUES (?)")
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(Error::db("saving the trip's titles"))?;
        }
        tx.commit().await.map_err(Error::db("saving the trip"))
    }

    /// The saved trip: its return time and its titles (those still in the library).
    pub(crate) async fn trip(&self) -> Result<Option<(i64, Vec<i64>)>> {
        let Some(return_ms) =
            sqlx::query_scalar::<_, i64>("SELECT return_ms FROM trip WHERE id = 1")
                .fetch_optional(self.pool())
                .await
                .map_err(Error::db("reading the trip"))?
        else {
            return Ok(None);
        };
        let ids =
            sqlx::query_scalar::<_, i64>("SELECT title_id FROM trip_titles ORDER BY title_id")
                .fetch_all(self.pool())
                .await
                .map_err(Error::db("reading the trip's titles"))?;
        Ok(Some((return_ms, ids)))
    }

    /// Forgets the trip.
    pub(crate) async fn clear_trip(&self) -> Result<()> {
        sqlx::query("DELETE FROM trip")
            .execute(self.pool())
            .await
            .map_err(Error::db("forgetting the trip"))?;
        sqlx::query("DELETE FROM trip_titles")
            .execute(self.pool())
            .await
            .map_err(Error::db("forgetting the trip"))?;
        Ok(())
    }
}
