//! Getting, renewing and releasing a title's licenses over HTTP.
//!
//! The protocol work is pure and lives in `layover_drm::cdm`; this module decides whom to ask
//! (the title's provider, the default provider, or the content's own license URL), adds the
//! provider's token, headers and query, sends the request, and stores what came back: the
//! policy in the clear, content keys only sealed, and one history row per request.
//!
//! Providers bill per request, so a valid persistent license is never requested again:
//! [`Engine::acquire_licenses`] returns the stored ones unless asked to renew.

use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use layover_drm::Kid;
use layover_drm::cdm::{
    AesClearKeyCdm, Cdm, CdmError, ClearKeyCdm, GrantedLicense, HttpLicenseRequest, HttpMethod,
    RequestContext, TestIdentityPlayReady,
};
use layover_drm::ecc::TestIdentity;
use rand_core::{OsRng, RngCore};

use super::protection::TitleProtection;
use super::providers::{
    AmsDelivery, PlayReadyClient, Provider, ProviderKind, ProviderProfile, check_license_url,
    header_secret, token_secret,
};
use super::tracking::{LicenseStatus, LicenseView};
use crate::Engine;
use crate::error::{Error, LicenseFailure, Result};
use crate::store::{GrantedRow, HistoryRow};

/// The secret holding the test identity's private scalar.
const IDENTITY_SECRET: &str = "identity/test";
/// How long a license request may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Redirect faults followed before giving up.
const MAX_REDIRECTS: usize = 3;
/// First retry after a failure that may pass (offline, 5xx); doubles per attempt up to a day.
const RETRY_BASE_MS: i64 = 60_000;
const RETRY_MAX_MS: i64 = 24 * 3600 * 1000;

/// Acquire or renew.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// First acquisition (skipped when valid persistent licenses are stored).
    Acquire,
    /// Ask again even though a license is stored.
    Renew,
}

impl Operation {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Self::Acquire => "acquire",
            Self::Renew => "renew",
        }
    }
}

/// Whom to ask and how, for one title.
#[derive(Debug)]
pub(super) struct Plan {
    pub(super) provider: Option<Provider>,
    pub(super) system: &'static str,
    pub(super) cdm: Box<dyn Cdm>,
    /// License URL without the provider's extra query.
    pub(super) url: String,
    /// One request per KID (AES clear key) or one for all.
    pub(super) per_kid: bool,
}

/// The retry delay after `attempts` failures.
pub(crate) fn backoff_ms(attempts: i64) -> i64 {
    let shift = u32::try_from(attempts.clamp(0, 20)).unwrap_or(20);
    RETRY_BASE_MS.saturating_mul(1 << shift).min(RETRY_MAX_MS)
}

/// `scheme://host[:port]/path` of a URL: what history rows and the UI may show.
pub(crate) fn display_server(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(u) => {
            let host = u.host_str().unwrap_or("");
            match u.port() {
                Some(p) => format!("{}://{host}:{p}{}", u.scheme(), u.path()),
                None => format!("{}://{host}{}", u.scheme(), u.path()),
            }
        }
        Err(_) => "(unreadable URL)".into(),
    }
}

/// The `exp` claim of a JWT, read without verifying it (only to know when to refresh).
fn jwt_expiry(token: &str) -> Option<i64> {
    let payload = token.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    let v: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    v.get("exp")?.as_i64()
}

/// A failed request, ready for the history table and the caller.
#[derive(Debug)]
pub(super) struct Failure {
    pub(super) failure: LicenseFailure,
    pub(super) message: String,
    pub(super) http_status: Option<u16>,
    pub(super) fault_code: Option<u32>,
}

impl Failure {
    fn retry_later(&self) -> bool {
        matches!(self.failure, LicenseFailure::Offline)
    }
}

pub(super) fn failure_from_cdm(e: CdmError, status: u16) -> Failure {
    match e {
        // The server's own failure: worth another try later, like a 5xx.
        CdmError::Fault { code, words, .. } if code == 0x8004_C600 => Failure {
            failure: LicenseFailure::Offline,
            message: format!(
                "the license server failed: {words} (PlayReady code {code:#010X}); Layover will \
                 try again later"
            ),
            http_status: Some(status),
            fault_code: Some(code),
        },
        CdmError::Fault { code, words, .. } => Failure {
            failure: LicenseFailure::Refused,
            message: format!("the license server refused: {words} (PlayReady code {code:#010X})"),
            http_status: Some(status),
            fault_code: Some(code),
        },
        CdmError::Http { status, body_start } if status == 401 || status == 403 => Failure {
            failure: LicenseFailure::Unauthorized,
            message: format!(
                "the license server did not accept the token or entitlement (HTTP {status}: \
                 {body_start}); paste a fresh token in Settings > License providers, or check \
                 that this account may play the title"
            ),
            http_status: Some(status),
            fault_code: None,
        },
        CdmError::Http { status, body_start } if status >= 500 || status == 429 => Failure {
            failure: LicenseFailure::Offline,
            message: format!(
                "the license server failed (HTTP {status}: {body_start}); Layover will try again later"
            ),
            http_status: Some(status),
            fault_code: None,
        },
        other => Failure {
            failure: LicenseFailure::Refused,
            message: format!("the license server's answer is not usable: {other}"),
            http_status: Some(status),
            fault_code: None,
        },
    }
}

impl Engine {
    /// The title's licenses: acquired now if needed. A title without protection needs none
    /// (empty list). With `Operation::Acquire`, stored licenses that are still usable (valid,
    /// expiring soon or not yet valid) are returned without asking the server again.
    pub async fn acquire_licenses(&self, title_id: i64, op: Operation) -> Result<Vec<LicenseView>> {
        let title = self.title(title_id).await?;
        let protection = self.title_protection(&title).await?;
        if protection.kids.is_empty() {
            return Ok(Vec::new());
        }
        let kids: Vec<String> = protection.kids.iter().map(Kid::to_hyphenated).collect();
        let now = self.clock_status().await?.effective_now_ms();
        let system_guess = if protection.wrm_header.is_some() {
            "playready"
        } else {
            "clearkey"
        };
        self.store()
            .ensure_license_rows(title_id, &title.name, &kids, system_guess, now)
            .await?;
        let plan = match self.license_plan(&title.name, title_id, &protection).await {
            Ok(plan) => plan,
            Err(e) => {
                // Nobody to ask yet: the rows stay pending and say why.
                let reason = match &e {
                    Error::License { message, .. } => message.clone(),
                    other => other.to_string(),
                };
                self.store()
                    .set_pending_reason(title_id, &reason, now)
                    .await?;
                return Err(e);
            }
        };
        if op == Operation::Acquire {
            let current = self.title_licenses(title_id).await?;
            let usable = current.iter().all(|v| {
                matches!(
                    v.status,
                    LicenseStatus::Valid | LicenseStatus::ExpiringSoon | LicenseStatus::NotYetValid
                )
            });
            if usable && !current.is_empty() {
                tracing::debug!(title_id, "stored licenses are usable; no request made");
                return Ok(current);
            }
        }
        // One request per KID (AES key), per PlayReady header (each names its own KIDs; KIDs
        // no header names go with the first), or one for all (ClearKey).
        let batches: Vec<(Option<String>, Vec<Kid>)> = if plan.per_kid {
            protection.kids.iter().map(|k| (None, vec![*k])).collect()
        } else if plan.system == "playready" && !protection.playready_headers.is_empty() {
            let mut b: Vec<(Option<String>, Vec<Kid>)> = protection
                .playready_headers
                .iter()
                .map(|(xml, kids)| (Some(xml.clone()), kids.clone()))
                .collect();
            let named: Vec<Kid> = b.iter().flat_map(|(_, k)| k.clone()).collect();
            let orphans = protection.kids.iter().filter(|k| !named.contains(k));
            if let Some(first) = b.first_mut() {
                first.1.extend(orphans);
            }
            b
        } else {
            vec![(None, protection.kids.clone())]
        };
        let mut first_error = None;
        for (header, batch) in batches {
            if let Err(e) = self
                .request_batch(
                    title_id,
                    &title.name,
                    header.as_ref().or(protection.wrm_header.as_ref()),
                    &plan,
                    &batch,
                    op,
                )
                .await
            {
                first_error.get_or_insert(e);
            }
        }
        match first_error {
            Some(e) => Err(e),
            None => self.title_licenses(title_id).await,
        }
    }

    /// Acquisition as a download starts: never fails the download; the outcome is in the
    /// licenses table and the log.
    pub(crate) async fn acquire_for_download(&self, title_id: i64) {
        match self.acquire_licenses(title_id, Operation::Acquire).await {
            Ok(l) if l.is_empty() => tracing::debug!(title_id, "title is not protected"),
            Ok(l) => tracing::info!(title_id, licenses = l.len(), "licenses ready"),
            Err(e) => tracing::warn!(title_id, error = %e, "licenses not acquired"),
        }
    }

    /// The title's licenses now.
    pub async fn title_licenses(&self, title_id: i64) -> Result<Vec<LicenseView>> {
        let clock = self.clock_status().await?;
        Ok(self
            .store()
            .license_rows_for_title(title_id)
            .await?
            .iter()
            .map(|r| super::tracking::view_of(r, clock.now_ms, clock.latest_seen_ms))
            .collect())
    }

    /// Uses `provider` (id or name; `None`: the default) for a title's licenses from now on.
    pub async fn set_title_provider(&self, title_id: i64, provider: Option<&str>) -> Result<()> {
        let id = match provider {
            Some(p) => Some(self.provider(p).await?.id),
            None => None,
        };
        self.title(title_id).await?;
        self.store().set_title_provider(title_id, id).await
    }

    async fn license_plan(
        &self,
        title_name: &str,
        title_id: i64,
        protection: &TitleProtection,
    ) -> Result<Plan> {
        let not_possible = |message: String| Error::License {
            title: title_name.to_owned(),
            failure: LicenseFailure::NotPossible,
            message,
        };
        let provider = self.title_provider_or_default(title_id).await?;
        let (kind, profile) = match &provider {
            Some(p) => (p.profile.kind, Some(&p.profile)),
            None if protection.wrm_header.is_some() => (ProviderKind::Playready, None),
            None if protection.clearkey_url.is_some() => (ProviderKind::Clearkey, None),
            None => {
                return Err(not_possible(
                    "the title is protected but names no license server, and no license provider \
                     is set up; add one in Settings > License providers (or `layover providers add`)"
                        .into(),
                ));
            }
        };
        let plan = match kind {
            ProviderKind::Ams if profile.is_some_and(|p| p.ams_delivery == AmsDelivery::AesKey) => {
                let base = profile.and_then(|p| p.url.clone()).unwrap_or_default();
                let url = format!("{}/", base.trim_end_matches('/'));
                Plan {
                    provider: provider.clone(),
                    system: "aes_key",
                    cdm: Box::new(AesClearKeyCdm::default()),
                    url,
                    per_kid: true,
                }
            }
            ProviderKind::Ams | ProviderKind::Playready => {
                let url = playready_url(kind, profile, protection).ok_or_else(|| {
                    not_possible(if profile.is_some() {
                        "the PlayReady header names no license URL (LA_URL); set a \
                                 license URL override on the provider"
                            .into()
                    } else {
                        "the PlayReady header names no license URL (LA_URL) and no \
                                 license provider is set up; add one in Settings > License \
                                 providers (or `layover providers add`)"
                            .into()
                    })
                })?;
                if protection.wrm_header.is_none() {
                    return Err(not_possible(
                        "the title carries no PlayReady header, so a PlayReady license cannot \
                         be requested for it; choose a ClearKey or AES key provider"
                            .into(),
                    ));
                }
                if uses_webview_eme(profile) {
                    return Err(not_possible(
                        "real PlayReady licenses can only come through the WebView's \
                         PlayReady module on Windows, and that path is not finished yet: this \
                         title is downloaded but cannot be licensed by this version"
                            .into(),
                    ));
                }
                Plan {
                    provider: provider.clone(),
                    system: "playready",
                    cdm: Box::new(TestIdentityPlayReady::new(self.test_identity().await?)),
                    url,
                    per_kid: false,
                }
            }
            ProviderKind::Clearkey => {
                let url = profile
                    .and_then(|p| p.url.clone())
                    .or_else(|| protection.clearkey_url.clone())
                    .ok_or_else(|| {
                        not_possible("the ClearKey provider has no license URL".into())
                    })?;
                Plan {
                    provider: provider.clone(),
                    system: "clearkey",
                    cdm: Box::new(ClearKeyCdm::default()),
                    url,
                    per_kid: false,
                }
            }
            ProviderKind::AesKey => Plan {
                provider: provider.clone(),
                system: "aes_key",
                cdm: Box::new(AesClearKeyCdm::default()),
                url: profile.and_then(|p| p.url.clone()).unwrap_or_default(),
                per_kid: true,
            },
        };
        check_license_url("license URL", &plan.url)?;
        Ok(plan)
    }

    /// The title's own provider, else the default one.
    pub(super) async fn title_provider_or_default(
        &self,
        title_id: i64,
    ) -> Result<Option<Provider>> {
        Ok(match self.store().title_provider(title_id).await? {
            Some(id) => Some(self.provider(&id.to_string()).await?),
            None => self.providers().await?.into_iter().find(|p| p.is_default),
        })
    }

    /// Layover's test identity, created on first use and kept sealed.
    pub(crate) async fn test_identity(&self) -> Result<TestIdentity> {
        if let Some(secret) = self.get_secret(IDENTITY_SECRET).await? {
            if let Ok(bytes) = <[u8; 32]>::try_from(secret.expose().as_slice())
                && let Ok(identity) = TestIdentity::from_secret_bytes(&bytes)
            {
                return Ok(identity);
            }
            tracing::warn!("the stored test identity is unreadable; making a new one");
        }
        let identity = TestIdentity::generate(&mut OsRng);
        self.put_secret(IDENTITY_SECRET, &identity.secret_bytes())
            .await?;
        Ok(identity)
    }

    /// The provider's token, refreshed from its token URL when missing or about to expire.
    async fn bearer_token(&self, provider: &Provider, now_s: i64) -> Result<Option<String>> {
        let stored = self
            .get_secret(&token_secret(provider.id))
            .await?
            .and_then(|s| String::from_utf8(s.expose().clone()).ok());
        let fresh = stored
            .as_deref()
            .is_some_and(|t| jwt_expiry(t).is_none_or(|exp| exp > now_s + 60));
        let Some(token_url) = provider.profile.token_url.as_deref().filter(|_| !fresh) else {
            return Ok(stored);
        };
        let unauthorized = |message: String| Error::License {
            title: provider.profile.name.clone(),
            failure: LicenseFailure::Unauthorized,
            message,
        };
        let response = self
            .fetcher()
            .client()
            .get(token_url)
            .timeout(REQUEST_TIMEOUT)
            .send()
            .await
            .map_err(|e| Error::License {
                title: provider.profile.name.clone(),
                failure: LicenseFailure::Offline,
                message: format!(
                    "the token URL {} could not be reached: {e}",
                    display_server(token_url)
                ),
            })?;
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        if !status.is_success() {
            return Err(unauthorized(format!(
                "the token URL {} answered HTTP {}; check the provider's token settings",
                display_server(token_url),
                status.as_u16()
            )));
        }
        let token = serde_json::from_str::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| {
                v.get("access_token")
                    .or_else(|| v.get("token"))
                    .and_then(|t| t.as_str().map(str::to_owned))
            })
            .unwrap_or_else(|| body.trim().to_owned());
        if token.is_empty() {
            return Err(unauthorized(format!(
                "the token URL {} returned no token",
                display_server(token_url)
            )));
        }
        crate::redact::register(&token);
        self.put_secret(&token_secret(provider.id), token.as_bytes())
            .await?;
        Ok(Some(token))
    }

    /// Headers from the provider: its extra headers, secret headers and bearer token.
    pub(super) async fn provider_headers(
        &self,
        provider: Option<&Provider>,
        now_s: i64,
    ) -> Result<Vec<(String, String)>> {
        let Some(p) = provider else {
            return Ok(Vec::new());
        };
        let mut headers: Vec<(String, String)> = p
            .profile
            .headers
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        for name in &p.profile.secret_headers {
            if let Some(v) = self.get_secret(&header_secret(p.id, name)).await? {
                let value = String::from_utf8_lossy(v.expose()).into_owned();
                crate::redact::register(&value);
                headers.push((name.clone(), value));
            }
        }
        if let Some(token) = self.bearer_token(p, now_s).await? {
            crate::redact::register(&token);
            headers.push(("Authorization".into(), format!("Bearer {token}")));
        }
        Ok(headers)
    }

    async fn request_batch(
        &self,
        title_id: i64,
        title_name: &str,
        wrm_header: Option<&String>,
        plan: &Plan,
        kids: &[Kid],
        op: Operation,
    ) -> Result<()> {
        let now_ms = self.clock_status().await?.effective_now_ms();
        let profile: Option<&ProviderProfile> = plan.provider.as_ref().map(|p| &p.profile);
        let mut nonce = [0u8; 16];
        OsRng.fill_bytes(&mut nonce);
        let ctx = RequestContext {
            kids: kids.to_vec(),
            wrm_header: wrm_header.cloned(),
            custom_data: profile.and_then(|p| p.custom_data.clone()),
            persistent: profile.is_none_or(|p| p.persistent),
            nonce,
            now: now_ms.div_euclid(1000),
            cdm_challenge: None,
        };
        let kid_names: Vec<String> = kids.iter().map(Kid::to_hyphenated).collect();
        let mut history = HistoryRow {
            id: 0,
            title_id: Some(title_id),
            title_name: title_name.to_owned(),
            kids: kid_names.join(","),
            at_ms: now_ms,
            operation: op.as_str().to_owned(),
            server: display_server(&plan.url),
            outcome: "ok".into(),
            http_status: None,
            fault_code: None,
            message: None,
            latency_ms: None,
        };
        let result = async {
            let headers = self
                .provider_headers(plan.provider.as_ref(), ctx.now)
                .await
                .map_err(|e| match e {
                    Error::License {
                        failure, message, ..
                    } => Failure {
                        failure,
                        message,
                        http_status: None,
                        fault_code: None,
                    },
                    other => Failure {
                        failure: LicenseFailure::NotPossible,
                        message: other.to_string(),
                        http_status: None,
                        fault_code: None,
                    },
                })?;
            let request = plan.cdm.license_request(&ctx).map_err(|e| Failure {
                failure: LicenseFailure::NotPossible,
                message: e.to_string(),
                http_status: None,
                fault_code: None,
            })?;
            let mut url = with_query(&request.url(&plan.url), profile);
            let mut redirects = 0;
            loop {
                history.server = display_server(&url);
                let started = Instant::now();
                let (status, body) = self.send(&url, &request, &headers).await?;
                history.latency_ms = i64::try_from(started.elapsed().as_millis()).ok();
                history.http_status = Some(i64::from(status));
                match plan.cdm.process_response(&ctx, status, &body) {
                    Ok(granted) => return Ok(granted),
                    Err(CdmError::Fault {
                        redirect_url: Some(to),
                        ..
                    }) if redirects < MAX_REDIRECTS => {
                        check_license_url("redirect", &to).map_err(|e| Failure {
                            failure: LicenseFailure::Refused,
                            message: e.to_string(),
                            http_status: Some(status),
                            fault_code: None,
                        })?;
                        tracing::info!(to = %display_server(&to), "license server redirected");
                        redirects += 1;
                        url = to;
                    }
                    Err(e) => return Err(failure_from_cdm(e, status)),
                }
            }
        }
        .await;
        match result {
            Ok(granted) => {
                self.store_grant(title_id, plan, &granted, kids, op, now_ms)
                    .await?;
                history.message = Some(format!("{} licensed", plural(granted.kids.len(), "key")));
                self.store().add_history(&history).await?;
                tracing::info!(title_id, op = op.as_str(), kids = %history.kids, "license stored");
                Ok(())
            }
            Err(f) => {
                let attempts = self
                    .store()
                    .license_rows_for_title(title_id)
                    .await?
                    .iter()
                    .map(|r| r.attempts)
                    .max()
                    .unwrap_or(0);
                let next_try = f.retry_later().then(|| now_ms + backoff_ms(attempts));
                history.outcome = "failed".into();
                history.http_status = f.http_status.map(i64::from).or(history.http_status);
                history.fault_code = f.fault_code.map(i64::from);
                history.message = Some(f.message.clone());
                self.store().add_history(&history).await?;
                self.store()
                    .mark_licenses_failed(title_id, &kid_names, &f.message, next_try, now_ms)
                    .await?;
                tracing::warn!(title_id, op = op.as_str(), error = %f.message, "license request failed");
                Err(Error::License {
                    title: title_name.to_owned(),
                    failure: f.failure,
                    message: f.message,
                })
            }
        }
    }

    /// Sends one request; network trouble is an `Offline` failure.
    pub(super) async fn send(
        &self,
        url: &str,
        request: &HttpLicenseRequest,
        headers: &[(String, String)],
    ) -> std::result::Result<(u16, Vec<u8>), Failure> {
        let client = self.fetcher().client();
        let mut builder = match request.method {
            HttpMethod::Get => client.get(url),
            HttpMethod::Post => client.post(url).body(request.body.clone()),
        }
        .timeout(REQUEST_TIMEOUT);
        for (k, v) in request.headers.iter().chain(headers) {
            builder = builder.header(k.as_str(), v.as_str());
        }
        let offline = |e: reqwest::Error| Failure {
            failure: LicenseFailure::Offline,
            message: format!(
                "the license server {} could not be reached ({}); Layover will try again when the \
                 network is back",
                display_server(url),
                if e.is_timeout() {
                    "timed out".to_owned()
                } else {
                    e.without_url().to_string()
                }
            ),
            http_status: None,
            fault_code: None,
        };
        let response = builder.send().await.map_err(offline)?;
        let status = response.status().as_u16();
        let body = response.bytes().await.map_err(offline)?;
        Ok((status, body.to_vec()))
    }

    pub(super) async fn store_grant(
        &self,
        title_id: i64,
        plan: &Plan,
        granted: &GrantedLicense,
        kids: &[Kid],
        op: Operation,
        now_ms: i64,
    ) -> Result<()> {
        let p = &granted.policy;
        let policy_json = serde_json::to_string(p)
            .map_err(|e| Error::Internal(format!("license policy: {e}")))?;
        // PlayReady responses keep their keys wrapped to the identity, so they may be stored;
        // ClearKey and AES answers carry keys in the clear and are not kept at all.
        let license_blob = if plan.system == "playready" {
            granted.license_blob.clone()
        } else {
            Vec::new()
        };
        let cdm = serde_json::to_value(granted.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        let mut missing = Vec::new();
        for kid in kids {
            let name = kid.to_hyphenated();
            let key = granted.key_for(*kid);
            if let Some(key) = key {
                self.put_secret(&key_secret(title_id, &name), &key).await?;
            } else if granted.cdm_response.is_none() {
                missing.push(name.clone());
                continue;
            }
            let row = GrantedRow {
                system: plan.system.to_owned(),
                cdm: cdm.clone(),
                provider_id: plan.provider.as_ref().map(|p| p.id),
                provider_name: plan.provider.as_ref().map(|p| p.profile.name.clone()),
                server: display_server(&plan.url),
                issue_s: p.issue_date,
                begin_s: p.begin,
                end_s: p.end.at(),
                play_window_s: p
                    .expire_after_first_play
                    .and_then(|w| i64::try_from(w).ok()),
                removal_s: p.removal_date.at(),
                grace_period: p.grace_period.map(i64::from),
                persistent: p.persistent,
                security_level: p.security_level.map(i64::from),
                policy_json: policy_json.clone(),
                license_blob: license_blob.clone(),
                has_key: key.is_some(),
            };
            self.store()
                .store_granted(title_id, &name, &row, op == Operation::Renew, now_ms)
                .await?;
        }
        if !missing.is_empty() {
            self.store()
                .mark_licenses_failed(
                    title_id,
                    &missing,
                    "the license server did not license this key; the title may be only partly playable",
                    None,
                    now_ms,
                )
                .await?;
        }
        Ok(())
    }

    /// A content key Layover holds for a title, opened for playback or decryption.
    pub async fn content_key(
        &self,
        title_id: i64,
        kid: Kid,
    ) -> Result<Option<crate::redact::Secret<Vec<u8>>>> {
        self.get_secret(&key_secret(title_id, &kid.to_hyphenated()))
            .await
    }

    /// Gives a title's licenses back before the title is deleted. Sent now where the network
    /// allows; otherwise queued and sent later by [`Engine::license_maintenance`]. Keys are
    /// forgotten at once either way.
    pub async fn release_licenses(&self, title_id: i64) -> Result<Vec<LicenseView>> {
        let rows = self.store().license_rows_for_title(title_id).await?;
        let now_ms = self.clock_status().await?.effective_now_ms();
        for row in rows
            .iter()
            .filter(|r| r.status == "active" || r.status == "release_pending")
        {
            self.store()
                .delete_secret(&key_secret(title_id, &row.kid))
                .await?;
            self.release_row(row, now_ms).await?;
        }
        self.title_licenses(title_id).await
    }

    /// Tries to release one row: `released` on success or when the system has no release
    /// call, `release_pending` with a retry time when the server cannot be reached.
    pub(crate) async fn release_row(
        &self,
        row: &crate::store::LicenseRow,
        now_ms: i64,
    ) -> Result<()> {
        let kid = Kid::parse_hex(&row.kid).map_err(|e| Error::Internal(e.to_string()))?;
        let cdm: Box<dyn Cdm> = match row.system.as_str() {
            "playready" => Box::new(TestIdentityPlayReady::new(self.test_identity().await?)),
            "clearkey" => Box::new(ClearKeyCdm::default()),
            _ => Box::new(AesClearKeyCdm::default()),
        };
        let provider = match row.provider_id {
            Some(id) => self.provider(&id.to_string()).await.ok(),
            None => None,
        };
        let release_url = row.server.as_deref().map(|s| {
            provider
                .as_ref()
                .and_then(|p| p.profile.release_url.clone())
                .unwrap_or_else(|| {
                    if s.ends_with('/') {
                        format!("{s}release")
                    } else {
                        format!("{s}/release")
                    }
                })
        });
        let mut history = HistoryRow {
            id: 0,
            title_id: row.title_id,
            title_name: row.title_name.clone(),
            kids: row.kid.clone(),
            at_ms: now_ms,
            operation: "release".into(),
            server: release_url
                .as_deref()
                .map(display_server)
                .unwrap_or_default(),
            outcome: "ok".into(),
            http_status: None,
            fault_code: None,
            message: None,
            latency_ms: None,
        };
        let (Some(request), Some(url)) = (cdm.release_request(&[kid]), release_url) else {
            // No release call in this system (AES keys; real PlayReady): done locally.
            self.store()
                .set_release_state(
                    row.id,
                    "released",
                    Some("released locally; this license system has no release call"),
                    None,
                    now_ms,
                )
                .await?;
            return Ok(());
        };
        let headers = self
            .provider_headers(provider.as_ref(), now_ms.div_euclid(1000))
            .await
            .unwrap_or_default();
        let started = Instant::now();
        let url = with_query(&request.url(&url), provider.as_ref().map(|p| &p.profile));
        match self.send(&url, &request, &headers).await {
            Ok((status, _)) if (200..300).contains(&status) => {
                history.http_status = Some(i64::from(status));
                history.latency_ms = i64::try_from(started.elapsed().as_millis()).ok();
                self.store().add_history(&history).await?;
                self.store()
                    .set_release_state(row.id, "released", None, None, now_ms)
                    .await
            }
            Ok((status, body)) if status < 500 && status != 429 => {
                // The server will not take it back (unknown license, bad token): nothing to
                // retry; the key is forgotten locally all the same.
                history.http_status = Some(i64::from(status));
                history.outcome = "failed".into();
                history.message = Some(format!(
                    "the server refused the release (HTTP {status}: {}); the license is released locally",
                    String::from_utf8_lossy(&body)
                        .chars()
                        .take(120)
                        .collect::<String>()
                ));
                self.store().add_history(&history).await?;
                self.store()
                    .set_release_state(row.id, "released", history.message.as_deref(), None, now_ms)
                    .await
            }
            other => {
                let message = match other {
                    Ok((status, _)) => format!("the license server failed (HTTP {status})"),
                    Err(f) => f.message,
                };
                history.outcome = "queued".into();
                history.message = Some(format!("{message}; the release is queued"));
                self.store().add_history(&history).await?;
                self.store()
                    .set_release_state(
                        row.id,
                        "release_pending",
                        Some("the release will be sent when the license server can be reached"),
                        Some(now_ms + backoff_ms(row.attempts)),
                        now_ms,
                    )
                    .await
            }
        }
    }
}

/// Whether a PlayReady provider's licenses go through the WebView's CDM (Windows) rather than
/// Layover's test identity.
pub(super) fn uses_webview_eme(profile: Option<&ProviderProfile>) -> bool {
    match profile.map_or(PlayReadyClient::Auto, |p| p.playready_client) {
        PlayReadyClient::WebviewEme => true,
        PlayReadyClient::TestIdentity => false,
        PlayReadyClient::Auto => cfg!(windows),
    }
}

/// A PlayReady license URL: AMS-style `{url}/PlayReady/`, else the provider's override, else
/// the content's LA_URL.
pub(super) fn playready_url(
    kind: ProviderKind,
    profile: Option<&ProviderProfile>,
    protection: &TitleProtection,
) -> Option<String> {
    match (kind, profile) {
        (ProviderKind::Ams, Some(p)) => Some(format!(
            "{}/PlayReady/",
            p.url.as_deref().unwrap_or_default().trim_end_matches('/')
        )),
        _ => profile
            .and_then(|p| p.la_url_override.clone())
            .or_else(|| protection.la_url.clone()),
    }
}

/// The secret name of a title's content key.
pub(crate) fn key_secret(title_id: i64, kid: &str) -> String {
    format!("title/{title_id}/key/{kid}")
}

pub(super) fn with_query(url: &str, profile: Option<&ProviderProfile>) -> String {
    let Some(p) = profile.filter(|p| !p.query.is_empty()) else {
        return url.to_owned();
    };
    match url::Url::parse(url) {
        Ok(mut u) => {
            u.query_pairs_mut().extend_pairs(p.query.iter());
            u.to_string()
        }
        Err(_) => url.to_owned(),
    }
}

fn plural(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn servers_are_shown_without_query_or_credentials() {
        assert_eq!(
            display_server("https://u:p@k.example:8443/PlayReady/?token=abc"),
            "https://k.example:8443/PlayReady/"
        );
        assert_eq!(display_server("nonsense"), "(unreadable URL)");
    }

    #[test]
    fn backoff_doubles_up_to_a_day() {
        assert_eq!(backoff_ms(0), 60_000);
        assert_eq!(backoff_ms(1), 120_000);
        assert_eq!(backoff_ms(30), RETRY_MAX_MS);
        assert_eq!(backoff_ms(-1), 60_000);
    }

    #[test]
    fn jwt_expiry_is_read_without_verifying() {
        let payload = URL_SAFE_NO_PAD.encode(br#"{"exp":1700000000,"aud":"x"}"#);
        assert_eq!(jwt_expiry(&format!("h.{payload}.s")), Some(1_700_000_000));
        assert_eq!(jwt_expiry("opaque-token"), None);
    }
}
