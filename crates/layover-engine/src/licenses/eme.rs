//! Licenses whose keys stay in the web engine's CDM: real PlayReady through WebView2's EME on
//! Windows. The player's CDM makes the challenge; Layover carries it to the title's license
//! server with the provider's profile, token, headers and query (exactly as for its own
//! requests), records the request in the history, reads the policy from the answer
//! ([`layover_drm::cdm::WebViewEme`]) and stores it (no key: `has_key` is false), then hands the
//! answer back for `MediaKeySession.update()`. The ids of persistent sessions are kept per title
//! so the next play loads them offline.
//!
//! Not exercised against a real PlayReady server or in WebView2 (see the README, "Playing
//! offline"); the player's side is proved with ClearKey in headless Chromium.

use std::time::Instant;

use layover_drm::Kid;
use layover_drm::cdm::{RequestContext, WebViewEme};
use rand_core::{OsRng, RngCore};

use super::Operation;
use super::acquire::{
    Plan, display_server, failure_from_cdm, playready_url, uses_webview_eme, with_query,
};
use super::providers::{AmsDelivery, Provider, ProviderKind};
use crate::Engine;
use crate::error::{Error, LicenseFailure, Result};
use crate::store::HistoryRow;

/// The key system WebView2 is asked for (PlayReady SL2000).
pub const PLAYREADY_KEY_SYSTEM: &str = "com.microsoft.playready.recommendation";

/// How a title plays through EME (the player's `EmeSetup`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct EmeSetup {
    /// EME key system.
    pub key_system: String,
    /// Ask for `persistent-license` sessions.
    pub persistent: bool,
    /// Persistent sessions stored by earlier plays.
    pub session_ids: Vec<String>,
}

fn sessions_secret(title_id: i64) -> String {
    format!("title/{title_id}/eme-sessions")
}

impl Engine {
    /// The title's provider (its own, else the default) when its PlayReady licenses go through
    /// the WebView's CDM; `None`: Layover licenses and decrypts it itself.
    async fn eme_provider(&self, title_id: i64) -> Result<Option<(Option<Provider>, String)>> {
        let title = self.title(title_id).await?;
        let protection = self.title_protection(&title).await?;
        if protection.wrm_header.is_none() {
            return Ok(None);
        }
        let provider = self.title_provider_or_default(title_id).await?;
        let profile = provider.as_ref().map(|p| &p.profile);
        let kind = profile.map_or(ProviderKind::Playready, |p| p.kind);
        let playready = match kind {
            ProviderKind::Ams => profile.is_some_and(|p| p.ams_delivery == AmsDelivery::Playready),
            ProviderKind::Playready => true,
            ProviderKind::Clearkey | ProviderKind::AesKey => false,
        };
        if !playready || !uses_webview_eme(profile) {
            return Ok(None);
        }
        let url = playready_url(kind, profile, &protection).ok_or_else(|| Error::License {
            title: title.name.clone(),
            failure: LicenseFailure::NotPossible,
            message: "the PlayReady header names no license URL (LA_URL); set a license \
                              URL override on the provider"
                .into(),
        })?;
        super::providers::check_license_url("license URL", &url)?;
        Ok(Some((provider, url)))
    }

    /// How the player plays a title through EME, or `None` for the clear path.
    pub async fn eme_setup(&self, title_id: i64) -> Result<Option<EmeSetup>> {
        let Some((provider, _)) = self.eme_provider(title_id).await? else {
            return Ok(None);
        };
        let session_ids = match self.get_secret(&sessions_secret(title_id)).await? {
            Some(s) => serde_json::from_slice(s.expose()).unwrap_or_default(),
            None => Vec::new(),
        };
        Ok(Some(EmeSetup {
            key_system: PLAYREADY_KEY_SYSTEM.to_owned(),
            persistent: provider.is_none_or(|p| p.profile.persistent),
            session_ids,
        }))
    }

    /// Carries one challenge from the WebView's CDM to the title's license server and returns
    /// the answer for the CDM. The policy is stored and the request recorded in the history.
    pub async fn eme_license_request(&self, title_id: i64, challenge: Vec<u8>) -> Result<Vec<u8>> {
        let title = self.title(title_id).await?;
        let Some((provider, url)) = self.eme_provider(title_id).await? else {
            return Err(Error::License {
                title: title.name,
                failure: LicenseFailure::NotPossible,
                message: "this title does not play through the WebView's PlayReady CDM".into(),
            });
        };
        let protection = self.title_protection(&title).await?;
        let now_ms = self.clock_status().await?.effective_now_ms();
        let kid_names: Vec<String> = protection.kids.iter().map(Kid::to_hyphenated).collect();
        self.store()
            .ensure_license_rows(title_id, &title.name, &kid_names, "playready", now_ms)
            .await?;
        let plan = Plan {
            provider,
            system: "playready",
            cdm: Box::new(WebViewEme),
            url,
            per_kid: false,
        };
        let profile = plan.provider.as_ref().map(|p| &p.profile);
        let mut nonce = [0u8; 16];
        OsRng.fill_bytes(&mut nonce);
        let ctx = RequestContext {
            kids: protection.kids.clone(),
            wrm_header: protection.wrm_header.clone(),
            custom_data: profile.and_then(|p| p.custom_data.clone()),
            persistent: profile.is_none_or(|p| p.persistent),
            nonce,
            now: now_ms.div_euclid(1000),
            cdm_challenge: Some(challenge),
        };
        let mut history = HistoryRow {
            id: 0,
            title_id: Some(title_id),
            title_name: title.name.clone(),
            kids: kid_names.join(","),
            at_ms: now_ms,
            operation: Operation::Acquire.as_str().to_owned(),
            server: display_server(&plan.url),
            outcome: "ok".into(),
            http_status: None,
            fault_code: None,
            message: None,
            latency_ms: None,
        };
        let headers = self
            .provider_headers(plan.provider.as_ref(), ctx.now)
            .await?;
        let request = plan.cdm.license_request(&ctx).map_err(|e| Error::License {
            title: title.name.clone(),
            failure: LicenseFailure::NotPossible,
            message: e.to_string(),
        })?;
        let url = with_query(&request.url(&plan.url), profile);
        history.server = display_server(&url);
        let started = Instant::now();
        let result = match self.send(&url, &request, &headers).await {
            Ok((status, body)) => {
                history.http_status = Some(i64::from(status));
                plan.cdm
                    .process_response(&ctx, status, &body)
                    .map_err(|e| failure_from_cdm(e, status))
            }
            Err(f) => Err(f),
        };
        history.latency_ms = i64::try_from(started.elapsed().as_millis()).ok();
        match result {
            Ok(granted) => {
                self.store_grant(
                    title_id,
                    &plan,
                    &granted,
                    &protection.kids,
                    Operation::Acquire,
                    now_ms,
                )
                .await?;
                history.message = Some(format!(
                    "{} licensed to the WebView's PlayReady CDM",
                    granted.kids.len()
                ));
                self.store().add_history(&history).await?;
                Ok(granted.cdm_response.unwrap_or_default())
            }
            Err(f) => {
                history.outcome = "failed".into();
                history.http_status = f.http_status.map(i64::from).or(history.http_status);
                history.fault_code = f.fault_code.map(i64::from);
                history.message = Some(f.message.clone());
                self.store().add_history(&history).await?;
                self.store()
                    .mark_licenses_failed(title_id, &kid_names, &f.message, None, now_ms)
                    .await?;
                Err(Error::License {
                    title: title.name,
                    failure: f.failure,
                    message: f.message,
                })
            }
        }
    }

    /// Keeps the ids of a title's persistent EME sessions (replacing the stored ones).
    pub async fn eme_save_sessions(&self, title_id: i64, session_ids: &[String]) -> Result<()> {
        self.title(title_id).await?;
        let json = serde_json::to_vec(session_ids)
            .map_err(|e| Error::Internal(format!("session ids: {e}")))?;
        self.put_secret(&sessions_secret(title_id), &json).await
    }
}
