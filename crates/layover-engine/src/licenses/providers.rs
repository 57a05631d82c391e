//! License providers as data: who grants a title's licenses and how to ask them.
//!
//! A profile is plain JSON (the export format, documented in the README): no secrets. A bearer
//! token and the values of secret headers are sealed in the `secrets` table and never leave the
//! engine: exports, the UI and logs only learn whether one is set.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::Engine;
use crate::error::{Error, Result};

/// What kind of server a provider is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ProviderKind {
    /// Azure Media Services-style key delivery: PlayReady at `{base}/PlayReady/`, AES clear key
    /// at `{base}/?kid=`.
    Ams,
    /// Any PlayReady license server: the content's LA_URL, or a fixed override.
    Playready,
    /// A W3C ClearKey JSON license server.
    Clearkey,
    /// A server that returns the raw 16-byte AES key for `?kid=` (or a `{kid}` URL template).
    AesKey,
}

impl ProviderKind {
    /// The database spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ams => "ams",
            Self::Playready => "playready",
            Self::Clearkey => "clearkey",
            Self::AesKey => "aes_key",
        }
    }

    /// Reads the database spelling.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "ams" => Self::Ams,
            "playready" => Self::Playready,
            "clearkey" => Self::Clearkey,
            "aes_key" => Self::AesKey,
            _ => return None,
        })
    }
}

/// For AMS-style providers: which of its two deliveries a title uses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum AmsDelivery {
    /// PlayReady licenses from `/PlayReady/`.
    #[default]
    Playready,
    /// The raw AES key from `/?kid=`.
    AesKey,
}

/// Which PlayReady client asks for the license.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum PlayReadyClient {
    /// The platform's: the WebView's PlayReady CDM on Windows, the test identity elsewhere.
    #[default]
    Auto,
    /// Layover's test identity (accepted only by Layover's development server).
    TestIdentity,
    /// The WebView's EME PlayReady CDM (Windows only).
    WebviewEme,
}

/// A provider profile without secrets: what is stored in `config`, exported and imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct ProviderProfile {
    /// A name people recognise ("Contoso key delivery").
    pub name: String,
    /// What kind of server.
    pub kind: ProviderKind,
    /// AMS: the key delivery base URL; ClearKey and AES key: the license URL (an AES key URL may
    /// hold `{kid}`). PlayReady: unused (see `la_url_override`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// PlayReady: use this license URL instead of the content's LA_URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub la_url_override: Option<String>,
    /// Where releases go (ClearKey release messages). Default: the license URL + `/release`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release_url: Option<String>,
    /// Where a fresh bearer token can be fetched (GET; the body is the token, or JSON with
    /// `token` or `access_token`). A pasted token is used until it expires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_url: Option<String>,
    /// Extra request headers (values of secret headers are kept sealed, not here).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[ts(type = "Record<string, string>")]
    pub headers: BTreeMap<String, String>,
    /// Names of headers whose values are secrets.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub secret_headers: Vec<String>,
    /// Extra query parameters on the license URL.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[ts(type = "Record<string, string>")]
    pub query: BTreeMap<String, String>,
    /// PlayReady: the custom-data string put into the challenge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_data: Option<String>,
    /// AMS: PlayReady or AES clear key.
    #[serde(default)]
    pub ams_delivery: AmsDelivery,
    /// PlayReady: which client asks.
    #[serde(default)]
    pub playready_client: PlayReadyClient,
    /// ClearKey: ask for a `persistent-license` (true) or a `temporary` one.
    #[serde(default = "yes")]
    pub persistent: bool,
}

fn yes() -> bool {
    true
}

/// A stored provider, as the UI and CLI see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Provider {
    /// Row id.
    #[ts(type = "number")]
    pub id: i64,
    /// Used for titles that name no provider.
    pub is_default: bool,
    /// A bearer token is stored (its value never leaves the engine).
    pub has_token: bool,
    /// The profile.
    pub profile: ProviderProfile,
}

/// What the UI or CLI sends to add or change a provider.
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[ts(export)]
pub struct ProviderSecrets {
    /// A bearer token to store (empty string: remove it; absent: keep the stored one).
    #[serde(default)]
    pub token: Option<String>,
    /// Values of secret headers to store, by header name.
    #[serde(default)]
    #[ts(type = "Record<string, string>")]
    pub headers: BTreeMap<String, String>,
}

/// The JSON document `export` writes and `import` reads.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProviderExport {
    /// Format marker.
    pub layover_providers: u32,
    /// The profiles.
    pub providers: Vec<ProviderProfile>,
}

/// Whether a URL may carry license traffic: https, or http only to this machine.
pub fn check_license_url(field: &'static str, url: &str) -> Result<url::Url> {
    let parsed = url::Url::parse(url.replace("{kid}", "KID").as_str()).map_err(|e| {
        Error::InvalidProvider {
            field,
            reason: format!("`{url}` is not a web address ({e})"),
        }
    })?;
    match parsed.scheme() {
        "https" => Ok(parsed),
        "http" if is_loopback(&parsed) => Ok(parsed),
        "http" => Err(Error::InvalidProvider {
            field,
            reason: format!(
                "`{url}` is plain http; license traffic carries tokens and keys, so it must use \
                 https (http is allowed only to this machine, for testing)"
            ),
        }),
        other => Err(Error::InvalidProvider {
            field,
            reason: format!("`{url}` uses {other}:; use an https address"),
        }),
    }
}

fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

impl ProviderProfile {
    /// Checks the profile before it is stored.
    pub fn validate(&self) -> Result<()> {
        if self.name.trim().is_empty() {
            return Err(Error::InvalidProvider {
                field: "name",
                reason: "is empty; give it a name people recognise".into(),
            });
        }
        let needs_url = matches!(
            self.kind,
            ProviderKind::Ams | ProviderKind::Clearkey | ProviderKind::AesKey
        );
        match (&self.url, needs_url) {
            (Some(u), _) => {
                check_license_url("url", u)?;
            }
            (None, true) => {
                return Err(Error::InvalidProvider {
                    field: "url",
                    reason: format!("is required for a {} provider", self.kind.as_str()),
                });
            }
            (None, false) => {}
        }
        if let Some(u) = &self.la_url_override {
            check_license_url("license URL override", u)?;
        }
        if let Some(u) = &self.release_url {
            check_license_url("release URL", u)?;
        }
        if let Some(u) = &self.token_url {
            check_license_url("token URL", u)?;
        }
        for name in self.headers.keys().chain(&self.secret_headers) {
            let ok = !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_".contains(&b));
            if !ok {
                return Err(Error::InvalidProvider {
                    field: "headers",
                    reason: format!("name `{name}` is not a valid HTTP header name"),
                });
            }
        }
        Ok(())
    }
}

/// Whether a header's value is a credential (`Authorization`, `X-Api-Key`, `X-Auth-Token`...).
pub fn is_secret_header(name: &str) -> bool {
    let n = name.to_ascii_lowercase().replace('-', "_");
    crate::redact::is_secret_field(&n)
        || [
            "auth",
            "token",
            "key",
            "secret",
            "password",
            "cookie",
            "signature",
        ]
        .iter()
        .any(|w| n.contains(w))
}

/// Moves credential-looking header values out of the profile into the secrets to seal, so they
/// are never stored in the clear, exported or shown.
fn seal_secret_headers(profile: &mut ProviderProfile, secrets: &mut ProviderSecrets) {
    let names: Vec<String> = profile
        .headers
        .keys()
        .filter(|k| is_secret_header(k))
        .cloned()
        .collect();
    for name in names {
        if let Some(value) = profile.headers.remove(&name) {
            if !value.is_empty() {
                secrets.headers.insert(name.clone(), value);
            }
            if !profile
                .secret_headers
                .iter()
                .any(|h| h.eq_ignore_ascii_case(&name))
            {
                profile.secret_headers.push(name);
            }
        }
    }
}

/// The secret name of a provider's bearer token.
pub(crate) fn token_secret(id: i64) -> String {
    format!("provider/{id}/token")
}

/// The secret name of one of a provider's secret header values.
pub(crate) fn header_secret(id: i64, header: &str) -> String {
    format!("provider/{id}/header/{}", header.to_ascii_lowercase())
}

impl Engine {
    /// All providers, default first, then by name.
    pub async fn providers(&self) -> Result<Vec<Provider>> {
        let rows = self.store().provider_rows().await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            out.push(self.provider_from_row(row).await?);
        }
        Ok(out)
    }

    /// One provider by id or (case-insensitive) name.
    pub async fn provider(&self, query: &str) -> Result<Provider> {
        let providers = self.providers().await?;
        let q = query.trim();
        providers
            .iter()
            .find(|p| p.id.to_string() == q)
            .or_else(|| {
                providers
                    .iter()
                    .find(|p| p.profile.name.eq_ignore_ascii_case(q))
            })
            .cloned()
            .ok_or_else(|| Error::NoSuchProvider(q.to_owned()))
    }

    /// Adds a provider (and stores its secrets sealed).
    pub async fn add_provider(
        &self,
        mut profile: ProviderProfile,
        mut secrets: ProviderSecrets,
    ) -> Result<Provider> {
        seal_secret_headers(&mut profile, &mut secrets);
        profile.validate()?;
        let now = self.clock().now_unix_ms();
        let config = serde_json::to_string(&profile)
            .map_err(|e| Error::Internal(format!("provider profile: {e}")))?;
        let id = self
            .store()
            .insert_provider(&profile.name, profile.kind.as_str(), &config, now)
            .await?;
        self.store_provider_secrets(id, &secrets).await?;
        tracing::info!(id, name = %profile.name, kind = profile.kind.as_str(), "provider added");
        self.provider(&id.to_string()).await
    }

    /// Replaces a provider's profile; secrets given are stored, others kept.
    pub async fn update_provider(
        &self,
        id: i64,
        mut profile: ProviderProfile,
        mut secrets: ProviderSecrets,
    ) -> Result<Provider> {
        seal_secret_headers(&mut profile, &mut secrets);
        profile.validate()?;
        let config = serde_json::to_string(&profile)
            .map_err(|e| Error::Internal(format!("provider profile: {e}")))?;
        let changed = self
            .store()
            .update_provider(
                id,
                &profile.name,
                profile.kind.as_str(),
                &config,
                self.clock().now_unix_ms(),
            )
            .await?;
        if !changed {
            return Err(Error::NoSuchProvider(id.to_string()));
        }
        self.store_provider_secrets(id, &secrets).await?;
        self.provider(&id.to_string()).await
    }

    /// Makes a provider the default (or clears the default with `None`).
    pub async fn set_default_provider(&self, id: Option<i64>) -> Result<()> {
        if let Some(id) = id {
            self.provider(&id.to_string()).await?;
        }
        self.store().set_default_provider(id).await
    }

    /// Deletes a provider and its secrets. Titles that used it fall back to the default.
    pub async fn remove_provider(&self, id: i64) -> Result<()> {
        if !self.store().delete_provider(id).await? {
            return Err(Error::NoSuchProvider(id.to_string()));
        }
        self.store()
            .delete_secrets_with_prefix(&format!("provider/{id}/"))
            .await?;
        tracing::info!(id, "provider removed");
        Ok(())
    }

    /// All profiles as the documented JSON, secrets left out.
    pub async fn export_providers(&self) -> Result<String> {
        let doc = ProviderExport {
            layover_providers: 1,
            providers: self
                .providers()
                .await?
                .into_iter()
                .map(|p| p.profile)
                .collect(),
        };
        serde_json::to_string_pretty(&doc)
            .map_err(|e| Error::Internal(format!("provider export: {e}")))
    }

    /// Imports profiles from [`Engine::export_providers`]'s JSON. A profile whose name exists
    /// replaces that provider's profile (its secrets stay); others are added. Returns how many
    /// were added and how many updated. Nothing is stored unless every profile is valid.
    pub async fn import_providers(&self, json: &str) -> Result<(usize, usize)> {
        let doc: ProviderExport =
            serde_json::from_str(json).map_err(|e| Error::InvalidProvider {
                field: "import file",
                reason: format!(
                    "is not a Layover provider export ({e}); export one with `layover providers export`"
                ),
            })?;
        for p in &doc.providers {
            p.validate()?;
        }
        let existing = self.providers().await?;
        let (mut added, mut updated) = (0, 0);
        for p in doc.providers {
            match existing
                .iter()
                .find(|e| e.profile.name.eq_ignore_ascii_case(&p.name))
            {
                Some(e) => {
                    self.update_provider(e.id, p, ProviderSecrets::default())
                        .await?;
                    updated += 1;
                }
                None => {
                    self.add_provider(p, ProviderSecrets::default()).await?;
                    added += 1;
                }
            }
        }
        Ok((added, updated))
    }

    async fn store_provider_secrets(&self, id: i64, secrets: &ProviderSecrets) -> Result<()> {
        match secrets.token.as_deref().map(str::trim) {
            Some("") => self.store().delete_secret(&token_secret(id)).await?,
            Some(token) => {
                crate::redact::register(token);
                self.put_secret(&token_secret(id), token.as_bytes()).await?;
            }
            None => {}
        }
        for (name, value) in &secrets.headers {
            crate::redact::register(value);
            self.put_secret(&header_secret(id, name), value.as_bytes())
                .await?;
        }
        Ok(())
    }

    async fn provider_from_row(&self, row: crate::store::ProviderRow) -> Result<Provider> {
        let profile: ProviderProfile =
            serde_json::from_str(&row.config).map_err(|e| Error::Database {
                doing: "reading license providers",
                source: sqlx::Error::Decode(format!("provider {}: {e}", row.id).into()),
            })?;
        Ok(Provider {
            id: row.id,
            is_default: row.is_default != 0,
            has_token: self.store().has_secret(&token_secret(row.id)).await?,
            profile,
        })
    }

    /// Seals and stores a secret.
    pub(crate) async fn put_secret(&self, name: &str, value: &[u8]) -> Result<()> {
        let sealed = self.master_key()?.seal(name, value)?;
        self.store()
            .put_secret(name, &sealed, self.clock().now_unix_ms())
            .await
    }

    /// Opens a stored secret.
    pub(crate) async fn get_secret(
        &self,
        name: &str,
    ) -> Result<Option<crate::redact::Secret<Vec<u8>>>> {
        match self.store().secret(name).await? {
            Some(sealed) => self.master_key()?.open(name, &sealed).map(Some),
            None => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(kind: ProviderKind, url: Option<&str>) -> ProviderProfile {
        ProviderProfile {
            name: "p".into(),
            kind,
            url: url.map(str::to_owned),
            la_url_override: None,
            release_url: None,
            token_url: None,
            headers: BTreeMap::new(),
            secret_headers: Vec::new(),
            query: BTreeMap::new(),
            custom_data: None,
            ams_delivery: AmsDelivery::default(),
            playready_client: PlayReadyClient::default(),
            persistent: true,
        }
    }

    #[test]
    fn license_urls_must_be_https_except_to_this_machine() {
        for ok in [
            "https://contoso.keydelivery.westeurope.media.azure.net",
            "http://127.0.0.1:8080/",
            "http://localhost/x",
            "http://[::1]:9/",
        ] {
            assert!(check_license_url("url", ok).is_ok(), "{ok}");
        }
        let e = check_license_url("url", "http://licenses.example.com/").unwrap_err();
        assert!(e.to_string().contains("must use https"), "{e}");
        assert!(check_license_url("url", "ftp://x/").is_err());
        assert!(check_license_url("url", "not a url").is_err());
        assert!(check_license_url("url", "https://k.example/key/{kid}").is_ok());
    }

    #[test]
    fn profiles_need_what_their_kind_uses() {
        assert!(profile(ProviderKind::Playready, None).validate().is_ok());
        let e = profile(ProviderKind::Ams, None).validate().unwrap_err();
        assert!(e.to_string().contains("url is required"), "{e}");
        let mut p = profile(ProviderKind::Clearkey, Some("https://k.example/ck"));
        assert!(p.validate().is_ok());
        p.headers.insert("Bad Header".into(), "v".into());
        assert!(p.validate().is_err());
        p.headers.clear();
        p.name = " ".into();
        assert!(p.validate().is_err());
    }

    #[test]
    fn credential_headers_are_moved_to_the_sealed_secrets() {
        let mut p = profile(ProviderKind::Playready, None);
        p.headers.insert("X-Api-Key".into(), "k-123".into());
        p.headers.insert("Authorization".into(), "Basic abc".into());
        p.headers.insert("X-Tenant".into(), "contoso".into());
        let mut s = ProviderSecrets::default();
        seal_secret_headers(&mut p, &mut s);
        assert_eq!(p.headers.keys().collect::<Vec<_>>(), ["X-Tenant"]);
        assert_eq!(p.secret_headers.len(), 2);
        assert_eq!(
            s.headers.get("X-Api-Key").map(String::as_str),
            Some("k-123")
        );
        assert!(!is_secret_header("X-Tenant") && is_secret_header("x-auth-token"));
    }

    #[test]
    fn unknown_fields_in_an_import_are_refused() {
        let e = serde_json::from_str::<ProviderProfile>(
            r#"{"name":"x","kind":"clearkey","url":"https://a/","tokne":"typo"}"#,
        );
        assert!(e.is_err());
    }
}
