//! Where the viewer stopped each title, in the library's database: the player starts there
//! next time. Positions belong to the library, so two data folders whose titles share ids
//! never see each other's.

use crate::Engine;
use crate::error::{Error, Result};

/// A position this close to the end (seconds) counts as finished: the next play starts over.
pub const FINISHED_WITHIN_SECS: f64 = 2.0;

/// The position to keep for `secs` into a title lasting `duration_secs` (0 or less: not
/// known), in milliseconds; `None` when there is nothing to resume (under a second in,
/// finished, or not a number).
pub fn position_to_keep(secs: f64, duration_secs: f64) -> Option<i64> {
    if !secs.is_finite() || secs < 1.0 {
        return None;
    }
    if duration_secs.is_finite()
        && duration_secs > 0.0
        && secs > duration_secs - FINISHED_WITHIN_SECS
    {
        return None;
    }
    // Tenths of a second are plenty; milliseconds keep the column an integer.
    Some(((secs * 10.0).floor() * 100.0).min(i64::MAX as f64) as i64)
}

impl Engine {
    /// Where the viewer stopped `title_id`, in seconds (0: from the start).
    pub async fn resume_position(&self, title_id: i64) -> Result<f64> {
        self.title(title_id).await?;
        let ms: Option<i64> =
            sqlx::query_scalar("SELECT position_ms FROM playback_positions WHERE title_id = ?1")
                .bind(title_id)
                .fetch_optional(self.store().pool())
                .await
                .map_err(Error::db("reading where a title was stopped"))?;
        Ok(ms.map_or(0.0, |ms| ms as f64 / 1000.0))
    }

    /// Remembers that the viewer is `secs` into `title_id` (of `duration_secs`; 0 if not
    /// known), or forgets the position when the title is finished or barely started. Returns
    /// the position kept, in seconds (0 when forgotten).
    pub async fn save_position(&self, title_id: i64, secs: f64, duration_secs: f64) -> Result<f64> {
        self.title(title_id).await?;
        let pool = self.store().pool();
        match position_to_keep(secs, duration_secs) {
            Some(ms) => {
                sqlx::query(
                    "INSERT INTO playback_positions (title_id, position_ms, updated_at)
                     VALUES (?1, ?2, ?3)
                     ON CONFLICT(title_id) DO UPDATE SET position_ms = excluded.position_ms,
                                                         updated_at = excluded.updated_at",
                )
                .bind(title_id)
                .bind(ms)
                .bind(self.clock().now_unix_ms())
                .execute(pool)
                .await
                .map_err(Error::db("saving where a title was stopped"))?;
                Ok(ms as f64 / 1000.0)
            }
            None => {
                sqlx::query("DELETE FROM playback_positions WHERE title_id = ?1")
                    .bind(title_id)
                    .execute(pool)
                    .await
                    .map_err(Error::db("forgetting where a title was stopped"))?;
                Ok(0.0)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_tenths_and_forgets_the_start_and_the_end() {
        assert_eq!(position_to_keep(42.27, 600.0), Some(42_200));
        assert_eq!(position_to_keep(42.27, 0.0), Some(42_200));
        assert_eq!(position_to_keep(0.5, 600.0), None);
        assert_eq!(position_to_keep(598.5, 600.0), None);
        assert_eq!(position_to_keep(f64::NAN, 600.0), None);
        assert_eq!(position_to_keep(f64::INFINITY, 0.0), None);
    }
}
