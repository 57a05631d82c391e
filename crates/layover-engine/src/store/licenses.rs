//! The `license_providers`, `secrets`, `licenses` and `license_history` tables.
#![allow(missing_docs)] // row structs mirror the columns documented in the migration

use super::Store;
use crate::error::{Error, Result};

/// A `license_providers` row.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ProviderRow {
    /// Row id.
    pub id: i64,
    /// Profile JSON.
    pub config: String,
    /// 1 for the default provider.
    pub is_default: i64,
}

/// A `licenses` row.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct LicenseRow {
    pub id: i64,
    pub title_id: Option<i64>,
    pub title_name: String,
    pub kid: String,
    pub system: String,
    pub cdm: String,
    pub provider_id: Option<i64>,
    pub provider_name: Option<String>,
    pub server: Option<String>,
    pub status: String,
    pub status_reason: Option<String>,
    pub issue_s: Option<i64>,
    pub begin_s: Option<i64>,
    pub end_s: Option<i64>,
    pub play_window_s: Option<i64>,
    pub removal_s: Option<i64>,
    pub grace_period: Option<i64>,
    pub persistent: i64,
    pub security_level: Option<i64>,
    pub policy_json: Option<String>,
    pub has_key: i64,
    pub eme_session_id: Option<String>,
    pub acquired_ms: Option<i64>,
    pub renewed_ms: Option<i64>,
    pub first_play_ms: Option<i64>,
    pub released_ms: Option<i64>,
    pub next_try_ms: Option<i64>,
    pub attempts: i64,
    pub notified: Option<String>,
}

macro_rules! license_columns {
    () => {
        "id, title_id, title_name, kid, system, cdm, provider_id, provider_name, server, status, \
         status_reason, issue_s, begin_s, end_s, play_window_s, removal_s, grace_period, persistent, \
         security_level, policy_json, has_key, eme_session_id, acquired_ms, renewed_ms, \
         first_play_ms, released_ms, next_try_ms, attempts, notified"
    };
}

/// What a successful acquisition stores for one KID.
#[derive(Debug, Clone, Default)]
pub struct GrantedRow {
    pub system: String,
    pub cdm: String,
    pub provider_id: Option<i64>,
    pub provider_name: Option<String>,
    pub server: String,
    pub issue_s: Option<i64>,
    pub begin_s: Option<i64>,
    pub end_s: Option<i64>,
    pub play_window_s: Option<i64>,
    pub removal_s: Option<i64>,
    pub grace_period: Option<i64>,
    pub persistent: bool,
    pub security_level: Option<i64>,
    pub policy_json: String,
    pub license_blob: Vec<u8>,
    pub has_key: bool,
}

/// One request, for `license_history`.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct HistoryRow {
    pub id: i64,
    pub title_id: Option<i64>,
    pub title_name: String,
    pub kids: String,
    pub at_ms: i64,
    pub operation: String,
    pub server: String,
    pub outcome: String,
    pub http_status: Option<i64>,
    pub fault_code: Option<i64>,
    pub message: Option<String>,
    pub latency_ms: Option<i64>,
}

/// A provider name that is already taken is the user's to fix; anything else is storage.
fn provider_write_error(name: &str, doing: &'static str) -> impl FnOnce(sqlx::Error) -> Error {
    move |e| match e {
        sqlx::Error::Database(d) if d.is_unique_violation() => Error::InvalidProvider {
            field: "name",
            reason: format!("`{name}` is already taken; choose another name"),
        },
        e => Error::db(doing)(e),
    }
}

impl Store {
    pub(crate) async fn provider_rows(&self) -> Result<Vec<ProviderRow>> {
        sqlx::query_as(
            "SELECT id, config, is_default FROM license_providers ORDER BY is_default DESC, name COLLATE NOCASE",
        )
        .fetch_all(self.pool())
        .await
        .map_err(Error::db("reading license providers"))
    }

    pub(crate) async fn insert_provider(
        &self,
        name: &str,
        kind: &str,
        config: &str,
        now: i64,
    ) -> Result<i64> {
        let r = sqlx::query(
            "INSERT INTO license_providers (name, kind, config, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(name)
        .bind(kind)
        .bind(config)
        .bind(now)
        .bind(now)
        .execute(self.pool())
        .await;
        r.map(|done| done.last_insert_rowid())
            .map_err(provider_write_error(name, "adding a license provider"))
    }

    pub(crate) async fn update_provider(
        &self,
        id: i64,
        name: &str,
        kind: &str,
        config: &str,
        now: i64,
    ) -> Result<bool> {
        let r = sqlx::query(
            "UPDATE license_providers SET name = ?, kind = ?, config = ?, updated_at = ? WHERE id = ?",
        )
        .bind(name)
        .bind(kind)
        .bind(config)
        .bind(now)
        .bind(id)
        .execute(self.pool())
        .await;
        r.map(|done| done.rows_affected() == 1)
            .map_err(provider_write_error(name, "changing a license provider"))
    }

    pub(crate) async fn set_default_provider(&self, id: Option<i64>) -> Result<()> {
        let mut tx = self
            .pool()
            .begin()
            .await
            .map_err(Error::db("choosing the default provider"))?;
        sqlx::query("UPDATE license_providers SET is_default = 0 WHERE is_default = 1")
            .execute(&mut *tx)
            .await
            .map_err(Error::db("choosing the default provider"))?;
        if let Some(id) = id {
            sqlx::query("UPDATE license_providers SET is_default = 1 WHERE id = ?")
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(Error::db("choosing the default provider"))?;
        }
        tx.commit()
            .await
            .map_err(Error::db("choosing the default provider"))
    }

    pub(crate) async fn delete_provider(&self, id: i64) -> Result<bool> {
        let done = sqlx::query("DELETE FROM license_providers WHERE id = ?")
            .bind(id)
            .execute(self.pool())
            .await
            .map_err(Error::db("removing a license provider"))?;
        Ok(done.rows_affected() == 1)
    }

    pub(crate) async fn put_secret(&self, name: &str, sealed: &[u8], now: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO secrets (name, sealed, updated_at) VALUES (?, ?, ?) \
             ON CONFLICT (name) DO UPDATE SET sealed = excluded.sealed, updated_at = excluded.updated_at",
        )
        .bind(name)
        .bind(sealed)
        .bind(now)
        .execute(self.pool())
        .await
        .map_err(Error::db("storing a secret"))?;
        Ok(())
    }

    pub(crate) async fn secret(&self, name: &str) -> Result<Option<Vec<u8>>> {
        sqlx::query_scalar("SELECT sealed FROM secrets WHERE name = ?")
            .bind(name)
            .fetch_optional(self.pool())
            .await
            .map_err(Error::db("reading a secret"))
    }

    pub(crate) async fn has_secret(&self, name: &str) -> Result<bool> {
        Ok(self.secret(name).await?.is_some())
    }

    pub(crate) async fn delete_secret(&self, name: &str) -> Result<()> {
        sqlx::query("DELETE FROM secrets WHERE name = ?")
            .bind(name)
            .execute(self.pool())
            .await
            .map_err(Error::db("removing a secret"))?;
        Ok(())
    }

    pub(crate) async fn delete_secrets_with_prefix(&self, prefix: &str) -> Result<()> {
        sqlx::query("DELETE FROM secrets WHERE substr(name, 1, length(?1)) = ?1")
            .bind(prefix)
            .execute(self.pool())
            .await
            .map_err(Error::db("removing secrets"))?;
        Ok(())
    }

    /// The provider a title names, if any.
    pub(crate) async fn title_provider(&self, title_id: i64) -> Result<Option<i64>> {
        sqlx::query_scalar::<_, Option<i64>>("SELECT provider_id FROM titles WHERE id = ?")
            .bind(title_id)
            .fetch_optional(self.pool())
            .await
            .map(Option::flatten)
            .map_err(Error::db("reading a title's provider"))
    }

    pub(crate) async fn set_title_provider(
        &self,
        title_id: i64,
        provider: Option<i64>,
    ) -> Result<()> {
        sqlx::query("UPDATE titles SET provider_id = ? WHERE id = ?")
            .bind(provider)
            .bind(title_id)
            .execute(self.pool())
            .await
            .map_err(Error::db("choosing a title's provider"))?;
        Ok(())
    }

    pub(crate) async fn license_rows(&self) -> Result<Vec<LicenseRow>> {
        sqlx::query_as(concat!(
            "SELECT ",
            license_columns!(),
            " FROM licenses ORDER BY COALESCE(end_s, 9223372036854775807), title_name, kid"
        ))
        .fetch_all(self.pool())
        .await
        .map_err(Error::db("reading licenses"))
    }

    pub(crate) async fn license_rows_for_title(&self, title_id: i64) -> Result<Vec<LicenseRow>> {
        sqlx::query_as(concat!(
            "SELECT ",
            license_columns!(),
            " FROM licenses WHERE title_id = ? ORDER BY kid"
        ))
        .bind(title_id)
        .fetch_all(self.pool())
        .await
        .map_err(Error::db("reading a title's licenses"))
    }

    pub(crate) async fn license_rows_for_kid(&self, kid: &str) -> Result<Vec<LicenseRow>> {
        sqlx::query_as(concat!(
            "SELECT ",
            license_columns!(),
            " FROM licenses WHERE kid = ? ORDER BY id"
        ))
        .bind(kid)
        .fetch_all(self.pool())
        .await
        .map_err(Error::db("reading licenses"))
    }

    /// Makes sure a `pending` row exists for each KID of a title (existing rows are kept).
    pub(crate) async fn ensure_license_rows(
        &self,
        title_id: i64,
        title_name: &str,
        kids: &[String],
        system: &str,
        now: i64,
    ) -> Result<()> {
        for kid in kids {
            sqlx::query(
                "INSERT INTO licenses (title_id, title_name, kid, system, cdm, status, created_ms, updated_ms) \
                 VALUES (?, ?, ?, ?, '', 'pending', ?, ?) ON CONFLICT (title_id, kid) DO NOTHING",
            )
            .bind(title_id)
            .bind(title_name)
            .bind(kid)
            .bind(system)
            .bind(now)
            .bind(now)
            .execute(self.pool())
            .await
            .map_err(Error::db("recording a title's licenses"))?;
        }
        Ok(())
    }

    /// Says why a title's pending licenses are still pending.
    pub(crate) async fn set_pending_reason(
        &self,
        title_id: i64,
        reason: &str,
        now: i64,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE licenses SET status_reason = ?, updated_ms = ? WHERE title_id = ? AND status = 'pending'",
        )
        .bind(reason)
        .bind(now)
        .bind(title_id)
        .execute(self.pool())
        .await
        .map_err(Error::db("recording why a license is pending"))?;
        Ok(())
    }

    /// Stores what a server granted for one KID of a title.
    pub(crate) async fn store_granted(
        &self,
        title_id: i64,
        kid: &str,
        g: &GrantedRow,
        renewal: bool,
        now: i64,
    ) -> Result<()> {
        let q = sqlx::query(
            "UPDATE licenses SET system = ?, cdm = ?, provider_id = ?, provider_name = ?, server = ?, \
             status = 'active', status_reason = NULL, issue_s = ?, begin_s = ?, end_s = ?, \
             play_window_s = ?, removal_s = ?, grace_period = ?, persistent = ?, security_level = ?, \
             policy_json = ?, license_blob = ?, has_key = ?, \
             acquired_ms = CASE WHEN ? THEN COALESCE(acquired_ms, ?) ELSE ? END, \
             renewed_ms = CASE WHEN ? THEN ? ELSE renewed_ms END, \
             next_try_ms = NULL, attempts = 0, released_ms = NULL, notified = NULL, updated_ms = ? \
             WHERE title_id = ? AND kid = ?",
        )
        .bind(&g.system)
        .bind(&g.cdm)
        .bind(g.provider_id)
        .bind(&g.provider_name)
        .bind(&g.server)
        .bind(g.issue_s)
        .bind(g.begin_s)
        .bind(g.end_s)
        .bind(g.play_window_s)
        .bind(g.removal_s)
        .bind(g.grace_period)
        .bind(g.persistent)
        .bind(g.security_level)
        .bind(&g.policy_json)
        .bind(&g.license_blob)
        .bind(g.has_key)
        .bind(renewal)
        .bind(now)
        .bind(now)
        .bind(renewal)
        .bind(now)
        .bind(now)
        .bind(title_id)
        .bind(kid);
        q.execute(self.pool())
            .await
            .map_err(Error::db("storing a license"))?;
        Ok(())
    }

    /// Marks a title's licenses (or only those not active) failed, with a retry time.
    pub(crate) async fn mark_licenses_failed(
        &self,
        title_id: i64,
        kids: &[String],
        reason: &str,
        next_try_ms: Option<i64>,
        now: i64,
    ) -> Result<()> {
        for kid in kids {
            sqlx::query(
                "UPDATE licenses SET status = CASE WHEN status = 'active' THEN 'active' ELSE 'failed' END, \
                 status_reason = ?, next_try_ms = ?, attempts = attempts + 1, updated_ms = ? \
                 WHERE title_id = ? AND kid = ?",
            )
            .bind(reason)
            .bind(next_try_ms)
            .bind(now)
            .bind(title_id)
            .bind(kid)
            .execute(self.pool())
            .await
            .map_err(Error::db("recording a license failure"))?;
        }
        Ok(())
    }

    pub(crate) async fn set_first_play(&self, title_id: i64, now: i64) -> Result<()> {
        sqlx::query(
            "UPDATE licenses SET first_play_ms = COALESCE(first_play_ms, ?), updated_ms = ? \
             WHERE title_id = ? AND status = 'active'",
        )
        .bind(now)
        .bind(now)
        .bind(title_id)
        .execute(self.pool())
        .await
        .map_err(Error::db("recording the first play"))?;
        Ok(())
    }

    /// Sets a license's release state (`release_pending` with a retry time, or `released`).
    pub(crate) async fn set_release_state(
        &self,
        id: i64,
        status: &str,
        reason: Option<&str>,
        next_try_ms: Option<i64>,
        now: i64,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE licenses SET status = ?, status_reason = ?, next_try_ms = ?, \
             attempts = CASE WHEN ? = 'released' THEN 0 ELSE attempts + 1 END, \
             released_ms = CASE WHEN ? = 'released' THEN ? ELSE released_ms END, \
             has_key = CASE WHEN ? = 'released' THEN 0 ELSE has_key END, updated_ms = ? WHERE id = ?",
        )
        .bind(status)
        .bind(reason)
        .bind(next_try_ms)
        .bind(status)
        .bind(status)
        .bind(now)
        .bind(status)
        .bind(now)
        .bind(id)
        .execute(self.pool())
        .await
        .map_err(Error::db("recording a license release"))?;
        Ok(())
    }

    /// Records which expiry notice a license has had, so each is sent once per license.
    pub(crate) async fn set_notified(&self, id: i64, notice: &str) -> Result<()> {
        sqlx::query("UPDATE licenses SET notified = ? WHERE id = ?")
            .bind(notice)
            .bind(id)
            .execute(self.pool())
            .await
            .map_err(Error::db("recording an expiry notice"))?;
        Ok(())
    }

    pub(crate) async fn add_history(&self, h: &HistoryRow) -> Result<()> {
        sqlx::query(
            "INSERT INTO license_history (title_id, title_name, kids, at_ms, operation, server, outcome, \
             http_status, fault_code, message, latency_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(h.title_id)
        .bind(&h.title_name)
        .bind(&h.kids)
        .bind(h.at_ms)
        .bind(&h.operation)
        .bind(&h.server)
        .bind(&h.outcome)
        .bind(h.http_status)
        .bind(h.fault_code)
        .bind(&h.message)
        .bind(h.latency_ms)
        .execute(self.pool())
        .await
        .map_err(Error::db("recording a license request"))?;
        Ok(())
    }

    pub(crate) async fn history_for(
        &self,
        title_id: Option<i64>,
        title_name: &str,
    ) -> Result<Vec<HistoryRow>> {
        sqlx::query_as(
            "SELECT id, title_id, title_name, kids, at_ms, operation, server, outcome, http_status, \
             fault_code, message, latency_ms FROM license_history \
             WHERE (?1 IS NOT NULL AND title_id = ?1) OR (?1 IS NULL AND title_name = ?2) \
             ORDER BY at_ms DESC, id DESC",
        )
        .bind(title_id)
        .bind(title_name)
        .fetch_all(self.pool())
        .await
        .map_err(Error::db("reading the license history"))
    }
}
