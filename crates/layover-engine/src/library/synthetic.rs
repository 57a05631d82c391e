//! A generated library for scale tests and benchmarks: thousands of titles in every state with
//! licenses in every state, written straight to the database (no files, no network), so the
//! Library's queries and the window can be measured on a library far larger than a test can
//! download (`benches/library.rs`, `examples/big-library.rs`).

use crate::Engine;
use crate::error::{Error, Result};

/// What [`Engine::fill_synthetic_library`] wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyntheticLibrary {
    /// Titles added.
    pub titles: usize,
    /// Licenses added.
    pub licenses: usize,
}

impl Engine {
    /// Adds `titles` made-up titles with `licenses_per_title` licenses each (one per KID), in one
    /// transaction. Nine in ten titles are downloaded, the rest downloading, paused or failed;
    /// their licenses are valid, expiring within 48 hours, expired, not yet valid, started
    /// (first played) or pending, spread evenly; a few titles hold no license at all (clear
    /// media). Names repeat in a known pattern so sorting and search have work to do.
    pub async fn fill_synthetic_library(
        &self,
        titles: usize,
        licenses_per_title: usize,
    ) -> Result<SyntheticLibrary> {
        const WORDS: [&str; 12] = [
            "Night", "Harbour", "Sky", "Quiet", "Long", "Window", "Atlas", "Train", "Field",
            "Lights", "Haul", "Seat",
        ];
        let doing = "writing a generated library";
        let now_ms = self.clock().now_unix_ms();
        let now_s = now_ms / 1000;
        let first_id: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM titles")
            .fetch_one(self.store().pool())
            .await
            .map_err(Error::db(doing))?;
        let mut tx = self
            .store()
            .pool()
            .begin()
            .await
            .map_err(Error::db(doing))?;
        let mut license_count = 0;
        for n in 0..titles {
            let id = first_id + i64::try_from(n).unwrap_or(0);
            let name = format!(
                "{} {} {}",
                WORDS[n % WORDS.len()],
                WORDS[(n / WORDS.len()) % WORDS.len()],
                n + 1
            );
            let (state, reason) = match n % 10 {
                7 if n % 20 == 7 => ("downloading", None),
                7 => ("paused", Some("paused by you")),
                9 if n % 30 == 9 => ("failed", Some("the origin answered HTTP 403")),
                _ => ("completed", None),
            };
            let size = 200_000_000 + i64::try_from(n % 97).unwrap_or(0) * 13_000_000;
            let done = if state == "completed" { size } else { size / 3 };
            let added = now_ms - i64::try_from(n).unwrap_or(0) * 60_000;
            sqlx::query(
                "INSERT INTO titles (id, name, source_url, kind, folder, state, state_reason,
                     queue_position, bytes_done, bytes_total, created_at, updated_at, completed_at)
                 VALUES (?1, ?2, ?3, 'dash', ?4, ?5, ?6, ?1, ?7, ?8, ?9, ?9, ?10)",
            )
            .bind(id)
            .bind(&name)
            .bind(format!("https://media.example/generated/{id}/manifest.mpd"))
            .bind(format!("{id:05}-generated"))
            .bind(state)
            .bind(reason)
            .bind(done)
            .bind(size)
            .bind(added)
            .bind((state == "completed").then_some(added + 30_000))
            .execute(&mut *tx)
            .await
            .map_err(Error::db(doing))?;
            if n % 50 == 49 {
                continue; // clear media: no license
            }
            for k in 0..licenses_per_title {
                let kid = format!("{:08x}-0000-4000-8000-{:012x}", id, k);
                let (status, end_s, begin_s, first_play_ms) = match (n + k) % 8 {
                    0 => ("active", Some(now_s + 20 * 3600), None, None),
                    1 => ("active", Some(now_s - 3600), None, None),
                    2 => (
                        "active",
                        Some(now_s + 30 * 86_400),
                        Some(now_s + 86_400),
                        None,
                    ),
                    3 => (
                        "active",
                        Some(now_s + 30 * 86_400),
                        None,
                        Some(now_ms - 3_600_000),
                    ),
                    4 if n % 3 == 0 => ("pending", None, None, None),
                    _ => (
                        "active",
                        Some(now_s + i64::try_from(n % 60).unwrap_or(0) * 86_400 + 3 * 86_400),
                        None,
                        None,
                    ),
                };
                let active = status == "active";
                sqlx::query(
                    "INSERT INTO licenses (title_id, title_name, kid, system, cdm, status,
                         status_reason, issue_s, begin_s, end_s, play_window_s, persistent,
                         has_key, acquired_ms, first_play_ms, created_ms, updated_ms)
                     VALUES (?1, ?2, ?3, 'clearkey', 'clear-key', ?4, ?5, ?6, ?7, ?8, ?9, 1, ?10,
                         ?11, ?12, ?11, ?11)",
                )
                .bind(id)
                .bind(&name)
                .bind(kid)
                .bind(status)
                .bind((!active).then_some("waiting for the network"))
                .bind(active.then_some(now_s - 86_400))
                .bind(begin_s)
                .bind(end_s)
                .bind(active.then_some(48 * 3600_i64))
                .bind(active)
                .bind(now_ms - 86_400_000)
                .bind(first_play_ms)
                .execute(&mut *tx)
                .await
                .map_err(Error::db(doing))?;
                license_count += 1;
            }
        }
        tx.commit().await.map_err(Error::db(doing))?;
        Ok(SyntheticLibrary {
            titles,
            licenses: license_count,
        })
    }
}
