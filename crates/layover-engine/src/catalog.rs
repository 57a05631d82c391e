//! A provider's catalog: a documented JSON feed of titles (README, "Catalog feeds"), read over
//! HTTP; adding an entry installs its license profile as a provider and adds its link.
//!
//! ```json
//! {"catalog": 1, "name": "Layover demo", "titles": [{"id": "…", "name": "…",
//!   "description": "…", "duration_secs": 8, "poster": "demo/a.jpg",
//!   "manifest": "demo/a/manifest.mpd", "kind": "dash", "license": {ProviderProfile} | null,
//!   "tags": ["playready"]}]}
//! ```
//! URLs (posters, manifests, the license profile's URLs) may be relative to the feed.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::Engine;
use crate::error::{Error, Result};
use crate::library::choices::ChoiceInput;
use crate::library::{Title, TitleKind};
use crate::licenses::providers::{ProviderProfile, ProviderSecrets};

/// The largest feed read (a catalog of thousands of titles is well under this).
const MAX_FEED_BYTES: usize = 8 * 1024 * 1024;

/// One title a catalog offers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CatalogEntry {
    /// Stable within the catalog.
    pub id: String,
    /// Display name.
    pub name: String,
    /// A paragraph about it.
    #[serde(default)]
    pub description: String,
    /// Running time.
    #[serde(default)]
    pub duration_secs: Option<f64>,
    /// Poster image URL (absolute once read).
    #[serde(default)]
    pub poster: Option<String>,
    /// The link that is downloaded (absolute once read).
    pub manifest: String,
    /// How it is delivered.
    pub kind: TitleKind,
    /// Who grants its licenses (installed as a provider by name when it is added); none: the
    /// title is clear or names its license server itself.
    #[serde(default)]
    pub license: Option<ProviderProfile>,
    /// Free-form labels to filter by.
    #[serde(default)]
    pub tags: Vec<String>,
}

/// A catalog feed as read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Catalog {
    /// Format version (1).
    pub catalog: u32,
    /// The catalog's name.
    pub name: String,
    /// Where it was read from.
    #[serde(default)]
    pub url: String,
    /// Its titles, in the feed's order.
    pub titles: Vec<CatalogEntry>,
}

fn feed_error(url: &str, reason: impl Into<String>) -> Error {
    Error::UnsupportedLink {
        url: url.to_owned(),
        reason: reason.into(),
    }
}

impl Catalog {
    /// Parses a feed read from `url`, making every relative URL absolute.
    pub fn parse(text: &str, url: &str) -> Result<Self> {
        let base = url::Url::parse(url).map_err(|e| feed_error(url, format!("bad URL: {e}")))?;
        let mut c: Catalog = serde_json::from_str(text).map_err(|e| {
            feed_error(
                url,
                format!("it is not a catalog feed ({e}); see README, Catalog feeds"),
            )
        })?;
        if c.catalog != 1 {
            return Err(feed_error(
                url,
                format!(
                    "catalog format {} is newer than this Layover reads (1); update Layover",
                    c.catalog
                ),
            ));
        }
        let abs = |u: &str| -> Result<String> {
            base.join(u)
                .map(String::from)
                .map_err(|e| feed_error(url, format!("bad URL `{u}` in the feed: {e}")))
        };
        c.url = url.to_owned();
        for t in &mut c.titles {
            t.manifest = abs(&t.manifest)?;
            if let Some(p) = &t.poster {
                t.poster = Some(abs(p)?);
            }
            if let Some(l) = &mut t.license {
                for u in [
                    &mut l.url,
                    &mut l.la_url_override,
                    &mut l.release_url,
                    &mut l.token_url,
                ]
                .into_iter()
                .flatten()
                {
                    *u = abs(u)?;
                }
            }
        }
        Ok(c)
    }

    /// The entry with this id.
    pub fn entry(&self, id: &str) -> Result<&CatalogEntry> {
        self.titles
            .iter()
            .find(|t| t.id == id)
            .ok_or_else(|| Error::NoSuchTitle(format!("{id} (in the catalog {})", self.name)))
    }
}

impl Engine {
    /// Reads a catalog feed over HTTP.
    pub async fn read_catalog(&self, url: &str) -> Result<Catalog> {
        let url = url.trim();
        let parsed = crate::download::parse_link(url)?;
        let response = self
            .fetcher()
            .client()
            .get(parsed.as_str())
            .send()
            .await
            .map_err(|e| feed_error(url, format!("the catalog server cannot be reached ({e})")))?;
        if !response.status().is_success() {
            return Err(feed_error(
                url,
                format!("the catalog server answered {}", response.status()),
            ));
        }
        let bytes = response
            .bytes()
            .await
            .map_err(|e| feed_error(url, format!("the catalog could not be read ({e})")))?;
        if bytes.len() > MAX_FEED_BYTES {
            return Err(feed_error(url, "the catalog is larger than 8 MB"));
        }
        let text = String::from_utf8_lossy(&bytes);
        Catalog::parse(&text, url)
    }

    /// Adds a catalog entry: its license profile is installed as a provider (updated in place
    /// when one of that name exists; its stored token is kept), then its link is added with
    /// `choice` (as the add-by-link dialog does), named as the catalog names it and with that
    /// provider for its licenses.
    pub async fn add_catalog_entry(
        &self,
        entry: &CatalogEntry,
        choice: &ChoiceInput,
    ) -> Result<Title> {
        let provider_id = match &entry.license {
            Some(profile) => Some(self.install_catalog_provider(profile).await?),
            None => None,
        };
        let tracks = choice.resolve(self.default_track_choice().await?)?;
        let title = self
            .add_link_as(&entry.manifest, &tracks, Some(&entry.name), provider_id)
            .await?;
        if let Some(id) = provider_id {
            // A title that was already in the queue from this link takes the provider too.
            self.store().set_title_provider(title.id, Some(id)).await?;
        }
        // The poster stays with the title, so the Library shows it with no network. A poster
        // that cannot be had leaves the title with its generated placeholder.
        if let Some(poster) = &entry.poster
            && let Err(e) = self.keep_poster(&title, poster).await
        {
            tracing::warn!(title = title.id, error = %e, "poster not kept");
        }
        tracing::info!(title = title.id, entry = %entry.id, "catalog entry added");
        Ok(title)
    }

    /// Updates the providers a catalog's entries installed earlier (same name) to the profiles
    /// the catalog has now (the demo server's port changes with every start); providers it
    /// never installed are left alone. Returns how many changed.
    pub async fn refresh_catalog_providers(&self, catalog: &Catalog) -> Result<usize> {
        let mut changed = 0;
        for profile in catalog.titles.iter().filter_map(|t| t.license.as_ref()) {
            let existing = self
                .providers()
                .await?
                .into_iter()
                .find(|p| p.profile.name.eq_ignore_ascii_case(&profile.name));
            if let Some(p) = existing
                && p.profile != *profile
            {
                self.update_provider(p.id, profile.clone(), ProviderSecrets::default())
                    .await?;
                changed += 1;
            }
        }
        Ok(changed)
    }

    /// A catalog poster as a `data:` URL (the window's content policy loads images only from
    /// the app or `data:`): an image of at most 2 MB.
    pub async fn catalog_poster(&self, url: &str) -> Result<String> {
        use base64::Engine as _;
        let (mime, bytes) = self.fetch_image(url).await?;
        Ok(format!(
            "data:{mime};base64,{}",
            base64::engine::general_purpose::STANDARD.encode(&bytes)
        ))
    }

    /// A PNG or JPEG image of at most 2 MB, with its type.
    pub(crate) async fn fetch_image(&self, url: &str) -> Result<(String, Vec<u8>)> {
        let parsed = crate::download::parse_link(url)?;
        let response = self
            .fetcher()
            .client()
            .get(parsed.as_str())
            .send()
            .await
            .map_err(|e| feed_error(url, format!("the poster cannot be fetched ({e})")))?;
        if !response.status().is_success() {
            return Err(feed_error(
                url,
                format!("the poster server answered {}", response.status()),
            ));
        }
        let mime = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                v.split(';')
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_ascii_lowercase()
            })
            .filter(|m| m.starts_with("image/") && !m.contains("svg"))
            .or_else(|| {
                let path = parsed.path().to_ascii_lowercase();
                if path.ends_with(".png") {
                    Some("image/png".into())
                } else if path.ends_with(".jpg") || path.ends_with(".jpeg") {
                    Some("image/jpeg".into())
                } else {
                    None
                }
            })
            .ok_or_else(|| feed_error(url, "the poster is not a PNG or JPEG image"))?;
        let bytes = response
            .bytes()
            .await
            .map_err(|e| feed_error(url, format!("the poster could not be read ({e})")))?;
        if bytes.len() > crate::library::details::MAX_POSTER_BYTES {
            return Err(feed_error(url, "the poster is larger than 2 MB"));
        }
        Ok((mime, bytes.to_vec()))
    }

    async fn install_catalog_provider(&self, profile: &ProviderProfile) -> Result<i64> {
        let existing = self
            .providers()
            .await?
            .into_iter()
            .find(|p| p.profile.name.eq_ignore_ascii_case(&profile.name));
        let provider = match existing {
            Some(p) if p.profile == *profile => p,
            Some(p) => {
                self.update_provider(p.id, profile.clone(), ProviderSecrets::default())
                    .await?
            }
            None => {
                self.add_provider(profile.clone(), ProviderSecrets::default())
                    .await?
            }
        };
        Ok(provider.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FEED: &str = r#"{"catalog": 1, "name": "Demo", "titles": [
        {"id": "a", "name": "A", "description": "d", "duration_secs": 8, "poster": "demo/a.jpg",
         "manifest": "demo/a/manifest.mpd", "kind": "dash",
         "license": {"name": "Demo ClearKey", "kind": "clearkey", "url": "/clearkey"},
         "tags": ["clearkey"]},
        {"id": "b", "name": "B", "manifest": "https://cdn.example/b.mp4", "kind": "progressive",
         "license": null}]}"#;

    #[test]
    fn relative_urls_resolve_against_the_feed() {
        let c = Catalog::parse(FEED, "http://127.0.0.1:9/feeds/catalog.json").expect("parses");
        assert_eq!(c.titles.len(), 2);
        let a = c.entry("a").expect("a");
        assert_eq!(a.manifest, "http://127.0.0.1:9/feeds/demo/a/manifest.mpd");
        assert_eq!(
            a.poster.as_deref(),
            Some("http://127.0.0.1:9/feeds/demo/a.jpg")
        );
        let l = a.license.as_ref().expect("license");
        assert_eq!(l.url.as_deref(), Some("http://127.0.0.1:9/clearkey"));
        let b = c.entry("b").expect("b");
        assert_eq!(b.manifest, "https://cdn.example/b.mp4");
        assert!(b.license.is_none() && b.tags.is_empty() && b.description.is_empty());
        assert!(c.entry("zzz").is_err());
    }

    #[test]
    fn bad_feeds_are_errors_in_words() {
        let url = "http://127.0.0.1:9/catalog.json";
        for bad in [
            "",
            "[]",
            "{\"catalog\": 1}",
            "{\"catalog\": 2, \"name\": \"x\", \"titles\": []}",
            r#"{"catalog": 1, "name": "x", "titles": [{"id": "a", "name": "A", "manifest": "m.mpd", "kind": "tape"}]}"#,
            r#"{"catalog": 1, "name": "x", "titles": [{"id": "a", "name": "A", "manifest": "m.mpd", "kind": "dash", "license": {"name": "n", "kind": "clearkey", "oops": 1}}]}"#,
        ] {
            let e = Catalog::parse(bad, url).expect_err(bad);
            assert!(e.to_string().contains("catalog"), "{e}");
        }
    }
}
