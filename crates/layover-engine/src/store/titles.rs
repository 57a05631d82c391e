//! The `titles` and `title_files` tables.

use super::Store;
use crate::error::{Error, Result};
use crate::library::plan::PlannedFile;
use crate::library::{Title, TitleKind, TitleState};
use crate::net::sanitize_component;

/// A file still to fetch.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PendingFile {
    /// Row id.
    pub id: i64,
    /// Path inside the title's folder.
    pub rel_path: String,
    /// Where it comes from.
    pub url: String,
    /// Byte range of the resource, if only part of it.
    pub range_start: Option<i64>,
    /// End of that range (inclusive).
    pub range_end: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct TitleRow {
    id: i64,
    name: String,
    source_url: String,
    kind: String,
    state: String,
    state_reason: Option<String>,
    bytes_done: i64,
    bytes_total: Option<i64>,
    folder: String,
    queue_position: i64,
    created_at: i64,
    completed_at: Option<i64>,
}

/// The columns a [`TitleRow`] reads; a macro so queries stay `&'static str` (sqlx refuses SQL
/// built at run time).
macro_rules! title_columns {
    () => {
        "id, name, source_url, kind, state, state_reason, bytes_done, bytes_total, folder, queue_position, created_at, completed_at"
    };
}

impl TitleRow {
    fn into_title(self) -> Result<Title> {
        let corrupt = |what: &str, v: &str| Error::Database {
            doing: "reading the library",
            source: sqlx::Error::Decode(format!("title {}: unknown {what} `{v}`", self.id).into()),
        };
        Ok(Title {
            kind: TitleKind::parse(&self.kind).ok_or_else(|| corrupt("kind", &self.kind))?,
            state: TitleState::parse(&self.state).ok_or_else(|| corrupt("state", &self.state))?,
            id: self.id,
            name: self.name,
            source_url: self.source_url,
            state_reason: self.state_reason,
            bytes_done: self.bytes_done,
            bytes_total: self.bytes_total,
            folder: self.folder,
            queue_position: self.queue_position,
            created_at: self.created_at,
            completed_at: self.completed_at,
        })
    }
}

impl Store {
    /// Adds a title at the end of the queue with the files it is made of, and returns its id.
    /// The folder name is made from the id and the sanitised name, so it is unique and safe on
    /// every OS.
    #[allow(clippy::too_many_arguments)]
    pub async fn insert_title(
        &self,
        name: &str,
        url: &str,
        kind: TitleKind,
        files: &[PlannedFile],
        bytes_estimate: Option<u64>,
        provider_id: Option<i64>,
        now_ms: i64,
    ) -> Result<i64> {
        let doing = "adding a title";
        let mut tx = self.pool().begin().await.map_err(Error::db(doing))?;
        let (id, position): (i64, i64) = sqlx::query_as(
            "SELECT COALESCE(MAX(id), 0) + 1, COALESCE(MAX(queue_position), 0) + 1 FROM titles",
        )
        .fetch_one(&mut *tx)
        .await
        .map_err(Error::db(doing))?;
        let folder = format!("{id:05}-{}", sanitize_component(name));
        let estimate = bytes_estimate.and_then(|b| i64::try_from(b).ok());
        sqlx::query(
            "INSERT INTO titles (id, name, source_url, kind, folder, state, queue_position, bytes_total, created_at, updated_at, provider_id)
             VALUES (?1, ?2, ?3, ?4, ?5, 'queued', ?6, ?7, ?8, ?8, ?9)",
        )
        .bind(id)
        .bind(name)
        .bind(url)
        .bind(kind.as_str())
        .bind(&folder)
        .bind(position)
        .bind(estimate)
        .bind(now_ms)
        .bind(provider_id)
        .execute(&mut *tx)
        .await
        .map_err(Error::db(doing))?;
        for f in files {
            let range = |v: u64| i64::try_from(v).ok();
            sqlx::query(
                "INSERT INTO title_files (title_id, rel_path, url, range_start, range_end) VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .bind(id)
            .bind(&f.rel_path)
            .bind(&f.url)
            .bind(f.range.and_then(|(a, _)| range(a)))
            .bind(f.range.and_then(|(_, b)| range(b)))
            .execute(&mut *tx)
            .await
            .map_err(Error::db(doing))?;
        }
        tx.commit().await.map_err(Error::db(doing))?;
        Ok(id)
    }

    /// How many files a title is made of.
    pub async fn file_count(&self, title_id: i64) -> Result<i64> {
        sqlx::query_scalar("SELECT COUNT(*) FROM title_files WHERE title_id = ?1")
            .bind(title_id)
            .fetch_one(self.pool())
            .await
            .map_err(Error::db("reading a download's files"))
    }

    /// One title.
    pub async fn title(&self, id: i64) -> Result<Option<Title>> {
        let row: Option<TitleRow> = sqlx::query_as(concat!(
            "SELECT ",
            title_columns!(),
            " FROM titles WHERE id = ?1"
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await
        .map_err(Error::db("reading the library"))?;
        row.map(TitleRow::into_title).transpose()
    }

    /// Every title, in queue order.
    pub async fn titles(&self) -> Result<Vec<Title>> {
        let rows: Vec<TitleRow> = sqlx::query_as(concat!(
            "SELECT ",
            title_columns!(),
            " FROM titles ORDER BY queue_position, id"
        ))
        .fetch_all(self.pool())
        .await
        .map_err(Error::db("reading the library"))?;
        rows.into_iter().map(TitleRow::into_title).collect()
    }

    /// A title added from `url` that has not finished, so adding the same link again resumes it.
    pub async fn unfinished_title_by_url(&self, url: &str) -> Result<Option<Title>> {
        let row: Option<TitleRow> = sqlx::query_as(concat!(
            "SELECT ",
            title_columns!(),
            " FROM titles WHERE source_url = ?1 AND state NOT IN ('completed', 'removing')
             ORDER BY id LIMIT 1"
        ))
        .bind(url)
        .fetch_optional(self.pool())
        .await
        .map_err(Error::db("reading the library"))?;
        row.map(TitleRow::into_title).transpose()
    }

    /// Moves a title to a state, with the reason a person reads (or none).
    pub async fn set_title_state(
        &self,
        id: i64,
        state: TitleState,
        reason: Option<&str>,
        now_ms: i64,
    ) -> Result<()> {
        let completed = (state == TitleState::Completed).then_some(now_ms);
        sqlx::query(
            "UPDATE titles SET state = ?2, state_reason = ?3, updated_at = ?4,
                 completed_at = COALESCE(?5, completed_at) WHERE id = ?1",
        )
        .bind(id)
        .bind(state.as_str())
        .bind(reason)
        .bind(now_ms)
        .bind(completed)
        .execute(self.pool())
        .await
        .map_err(Error::db("updating a download"))?;
        Ok(())
    }

    /// Only the state (cheap; polled while downloading to notice a pause or removal from
    /// another process).
    pub async fn title_state(&self, id: i64) -> Result<Option<TitleState>> {
        let s: Option<String> = sqlx::query_scalar("SELECT state FROM titles WHERE id = ?1")
            .bind(id)
            .fetch_optional(self.pool())
            .await
            .map_err(Error::db("reading the library"))?;
        Ok(s.as_deref().and_then(TitleState::parse))
    }

    /// Deletes a title and its file rows.
    pub async fn delete_title(&self, id: i64) -> Result<()> {
        sqlx::query("DELETE FROM titles WHERE id = ?1")
            .bind(id)
            .execute(self.pool())
            .await
            .map_err(Error::db("removing a title"))?;
        Ok(())
    }

    /// Records progress.
    pub async fn set_title_bytes(
        &self,
        id: i64,
        done: i64,
        total: Option<i64>,
        now_ms: i64,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE titles SET bytes_done = ?2, bytes_total = COALESCE(?3, bytes_total), updated_at = ?4 WHERE id = ?1",
        )
        .bind(id)
        .bind(done)
        .bind(total)
        .bind(now_ms)
        .execute(self.pool())
        .await
        .map_err(Error::db("recording download progress"))?;
        Ok(())
    }

    /// The files of a title still to fetch.
    pub async fn pending_files(&self, title_id: i64) -> Result<Vec<PendingFile>> {
        sqlx::query_as(
            "SELECT id, rel_path, url, range_start, range_end FROM title_files
             WHERE title_id = ?1 AND done_at IS NULL ORDER BY id",
        )
        .bind(title_id)
        .fetch_all(self.pool())
        .await
        .map_err(Error::db("reading a download's files"))
    }

    /// Bytes of the files already done.
    pub async fn done_bytes(&self, title_id: i64) -> Result<i64> {
        sqlx::query_scalar("SELECT COALESCE(SUM(bytes), 0) FROM title_files WHERE title_id = ?1 AND done_at IS NOT NULL")
            .bind(title_id)
            .fetch_one(self.pool())
            .await
            .map_err(Error::db("reading a download's files"))
    }

    /// Gives the titles `ids` the queue places 1, 2, 3... in that order (one transaction).
    pub async fn reorder_titles(&self, ids: &[i64]) -> Result<()> {
        let doing = "reordering the queue";
        let mut tx = self.pool().begin().await.map_err(Error::db(doing))?;
        for (i, id) in ids.iter().enumerate() {
            sqlx::query("UPDATE titles SET queue_position = ?2 WHERE id = ?1")
                .bind(id)
                .bind(i64::try_from(i).unwrap_or(i64::MAX - 1) + 1)
                .execute(&mut *tx)
                .await
                .map_err(Error::db(doing))?;
        }
        tx.commit().await.map_err(Error::db(doing))?;
        Ok(())
    }

    /// Every file of a title: `(row id, rel_path, done)`.
    pub async fn title_files(&self, title_id: i64) -> Result<Vec<(i64, String, bool)>> {
        sqlx::query_as(
            "SELECT id, rel_path, done_at IS NOT NULL FROM title_files WHERE title_id = ?1 ORDER BY id",
        )
        .bind(title_id)
        .fetch_all(self.pool())
        .await
        .map_err(Error::db("reading a download's files"))
    }

    /// Replaces a title's file list with a new plan (a different choice of tracks): files of
    /// the plan already listed keep their row (and, if done, their bytes) with the plan's URL;
    /// the others are added; rows not in the plan are deleted. Returns the paths dropped.
    pub async fn replan_title(
        &self,
        title_id: i64,
        files: &[PlannedFile],
        bytes_estimate: Option<u64>,
        now_ms: i64,
    ) -> Result<Vec<String>> {
        let doing = "changing a download's tracks";
        let existing = self.title_files(title_id).await?;
        let mut tx = self.pool().begin().await.map_err(Error::db(doing))?;
        let mut dropped = Vec::new();
        for (id, rel, _) in &existing {
            if !files.iter().any(|f| &f.rel_path == rel) {
                sqlx::query("DELETE FROM title_files WHERE id = ?1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await
                    .map_err(Error::db(doing))?;
                dropped.push(rel.clone());
            }
        }
        for f in files {
            let range = |v: u64| i64::try_from(v).ok();
            sqlx::query(
                "INSERT INTO title_files (title_id, rel_path, url, range_start, range_end) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (title_id, rel_path) DO UPDATE SET url = excluded.url,
                     range_start = excluded.range_start, range_end = excluded.range_end",
            )
            .bind(title_id)
            .bind(&f.rel_path)
            .bind(&f.url)
            .bind(f.range.and_then(|(a, _)| range(a)))
            .bind(f.range.and_then(|(_, b)| range(b)))
            .execute(&mut *tx)
            .await
            .map_err(Error::db(doing))?;
        }
        let estimate = bytes_estimate.and_then(|b| i64::try_from(b).ok());
        sqlx::query(
            "UPDATE titles SET bytes_total = ?2, updated_at = ?3,
                 bytes_done = (SELECT COALESCE(SUM(bytes), 0) FROM title_files WHERE title_id = ?1 AND done_at IS NOT NULL)
             WHERE id = ?1",
        )
        .bind(title_id)
        .bind(estimate)
        .bind(now_ms)
        .execute(&mut *tx)
        .await
        .map_err(Error::db(doing))?;
        tx.commit().await.map_err(Error::db(doing))?;
        Ok(dropped)
    }

    /// Records that a file landed whole and passed its checks.
    pub async fn mark_file_done(&self, file_id: i64, bytes: i64, now_ms: i64) -> Result<()> {
        sqlx::query("UPDATE title_files SET bytes = ?2, done_at = ?3 WHERE id = ?1")
            .bind(file_id)
            .bind(bytes)
            .bind(now_ms)
            .execute(self.pool())
            .await
            .map_err(Error::db("recording a finished file"))?;
        Ok(())
    }
}
