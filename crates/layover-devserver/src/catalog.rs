//! The demo catalog: `GET /catalog.json` and the files under `GET /demo/<path>`.
//!
//! The demo folder (made by `assets/media/make-demo.sh`, `target/demo` in a checkout) holds
//! `catalog.json` (the feed, with URLs relative to the feed: `demo/…` for posters and media,
//! `/PlayReady/` and `/clearkey` for licenses) and the media. The feed is served with every
//! such URL made absolute for the address the server listens on, so a client that knows
//! nothing of the port can use it as is. The format is documented in the README ("The demo
//! catalog").

use std::path::{Path, PathBuf};

use serde_json::Value;

/// The demo folder to serve when none is given: `LAYOVER_DEMO_DIR`, else `target/demo` in the
/// checkout this was built from, if it holds a `catalog.json`.
pub fn default_demo_dir() -> Option<PathBuf> {
    let candidate = match std::env::var_os("LAYOVER_DEMO_DIR") {
        Some(d) => PathBuf::from(d),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/demo"),
    };
    candidate
        .join("catalog.json")
        .is_file()
        .then(|| candidate.canonicalize().unwrap_or(candidate))
}

/// Makes a feed-relative URL absolute for a server at `base` (`http://127.0.0.1:PORT`), the
/// feed being `{base}/catalog.json`.
pub fn absolute(base: &str, url: &str) -> String {
    if url.starts_with("http://") || url.starts_with("https://") {
        url.to_owned()
    } else if let Some(rest) = url.strip_prefix('/') {
        format!("{base}/{rest}")
    } else {
        format!("{base}/{url}")
    }
}

/// The feed in `template` with its URLs made absolute for `base`.
pub fn render(template: &str, base: &str) -> Result<Value, String> {
    let mut feed: Value =
        serde_json::from_str(template).map_err(|e| format!("catalog.json is not JSON: {e}"))?;
    let titles = feed
        .get_mut("titles")
        .and_then(Value::as_array_mut)
        .ok_or("catalog.json has no `titles` list")?;
    for t in titles {
        for field in ["poster", "manifest"] {
            if let Some(Value::String(u)) = t.get_mut(field) {
                *u = absolute(base, u);
            }
        }
        if let Some(Value::Object(license)) = t.get_mut("license") {
            for field in ["url", "la_url_override", "release_url", "token_url"] {
                if let Some(Value::String(u)) = license.get_mut(field) {
                    *u = absolute(base, u);
                }
            }
        }
    }
    Ok(feed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_become_absolute() {
        let base = "http://127.0.0.1:9";
        assert_eq!(
            absolute(base, "demo/a.jpg"),
            "http://127.0.0.1:9/demo/a.jpg"
        );
        assert_eq!(absolute(base, "/clearkey"), "http://127.0.0.1:9/clearkey");
        assert_eq!(absolute(base, "https://x.example/a"), "https://x.example/a");
        let feed = render(
            r#"{"catalog":1,"name":"d","titles":[{"poster":"demo/p.jpg","manifest":"demo/m.mpd",
                "license":{"name":"n","kind":"clearkey","url":"/clearkey"}},{"license":null}]}"#,
            base,
        )
        .expect("renders");
        assert_eq!(feed["titles"][0]["poster"], "http://127.0.0.1:9/demo/p.jpg");
        assert_eq!(
            feed["titles"][0]["manifest"],
            "http://127.0.0.1:9/demo/m.mpd"
        );
        assert_eq!(
            feed["titles"][0]["license"]["url"],
            "http://127.0.0.1:9/clearkey"
        );
        assert!(feed["titles"][1]["license"].is_null());
        assert!(render("[]", base).is_err());
        assert!(render("nope", base).is_err());
    }
}
