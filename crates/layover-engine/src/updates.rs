//! Updates: whether this build has an update channel, and what a check found, in words.
//!
//! A release build carries the update key's public half and an `https` endpoint serving the
//! release's `latest.json` (made and signed by the release workflow). A development or local
//! build has no key: it never looks for updates and says so. The app looks only when the person
//! asks (Settings > About > Check for updates); the download is verified against the key before
//! anything is installed (the updater plugin does that).

use serde::Serialize;
use ts_rs::TS;

use crate::error::{Error, Result};

/// What a check for updates found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct UpdateCheck {
    /// This build's version.
    pub current_version: String,
    /// A newer version that can be installed, if any.
    pub available: Option<String>,
    /// Its release notes.
    pub notes: Option<String>,
    /// What was found, in words.
    pub message: String,
}

impl UpdateCheck {
    /// Nothing newer.
    pub fn up_to_date(current: &str) -> Self {
        Self {
            current_version: current.to_owned(),
            available: None,
            notes: None,
            message: format!("Layover {current} is the latest version."),
        }
    }

    /// A newer version.
    pub fn available(current: &str, version: &str, notes: Option<String>) -> Self {
        Self {
            current_version: current.to_owned(),
            available: Some(version.to_owned()),
            notes: notes.filter(|n| !n.trim().is_empty()),
            message: format!(
                "Layover {version} is available (this is {current}). Install it to restart into it."
            ),
        }
    }
}

/// Checks the update channel a build was configured with: a minisign public key made by
/// `tauri signer generate` and at least one endpoint, each `https`. The error says what is
/// missing and what to do; a build without a key is a development build, which never looks.
pub fn channel(pubkey: &str, endpoints: &[String]) -> Result<()> {
    let key = pubkey.trim();
    if key.is_empty() {
        return Err(Error::NoUpdateChannel(
            "this build has no update key (a development or local build), so it never looks \
             for updates; new versions are on the project's releases page"
                .into(),
        ));
    }
    if !is_minisign_public_key(key) {
        return Err(Error::NoUpdateChannel(
            "the update key in this build is not a public key made by `tauri signer generate` \
             (base64 of a minisign public key file)"
                .into(),
        ));
    }
    if endpoints.is_empty() {
        return Err(Error::NoUpdateChannel(
            "this build names no update endpoint".into(),
        ));
    }
    if let Some(bad) = endpoints.iter().find(|e| {
        url::Url::parse(e).map_or(true, |u| u.scheme() != "https" || u.host_str().is_none())
    }) {
        return Err(Error::NoUpdateChannel(format!(
            "the update endpoint {bad} is not an https URL"
        )));
    }
    Ok(())
}

/// `tauri signer generate` writes the public key as base64 of the minisign `.pub` file: a line
/// `untrusted comment: minisign public key ...` and a base64 line of 42 bytes ("Ed", the key
/// id and the 32-byte Ed25519 key).
fn is_minisign_public_key(key: &str) -> bool {
    use base64::Engine as _;
    let Ok(file) = base64::engine::general_purpose::STANDARD.decode(key) else {
        return false;
    };
    let Ok(text) = String::from_utf8(file) else {
        return false;
    };
    let mut lines = text.lines();
    let comment = lines.next().unwrap_or_default();
    let body = lines.next().unwrap_or_default().trim();
    comment.starts_with("untrusted comment:")
        && base64::engine::general_purpose::STANDARD
            .decode(body)
            .is_ok_and(|b| b.len() == 42 && b.starts_with(b"Ed"))
}

/// Says in words why a check failed, from the updater's error text.
pub fn check_failed(detail: &str) -> Error {
    let lower = detail.to_ascii_lowercase();
    let offline = [
        "dns",
        "connect",
        "network",
        "timed out",
        "timeout",
        "resolve",
        "unreachable",
    ]
    .iter()
    .any(|w| lower.contains(w));
    if offline {
        Error::UpdateCheck {
            offline: true,
            message: format!(
                "the update server could not be reached (are you offline?); try again when \
                 connected ({detail})"
            ),
        }
    } else if lower.contains("signature") {
        Error::UpdateCheck {
            offline: false,
            message: format!(
                "the update was refused because its signature does not match this build's \
                 update key; nothing was installed ({detail})"
            ),
        }
    } else {
        Error::UpdateCheck {
            offline: false,
            message: format!("the check for updates failed: {detail}"),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A public key as `tauri signer generate` prints it (made for this test only; its secret
    /// half was never kept).
    pub(crate) fn sample_pubkey() -> String {
        use base64::Engine as _;
        let mut raw = b"Ed".to_vec();
        raw.extend_from_slice(&[7u8; 8]);
        raw.extend_from_slice(&[9u8; 32]);
        let file = format!(
            "untrusted comment: minisign public key 0707070707070707\n{}\n",
            base64::engine::general_purpose::STANDARD.encode(raw)
        );
        base64::engine::general_purpose::STANDARD.encode(file)
    }

    const ENDPOINT: &str = "https://updates.example/layover/latest.json";

    #[test]
    fn a_release_channel_needs_a_key_and_https() {
        let key = sample_pubkey();
        assert!(channel(&key, &[ENDPOINT.into()]).is_ok());
        let none = channel("", &[ENDPOINT.into()]).unwrap_err().to_string();
        assert!(none.contains("never looks for updates"), "{none}");
        let junk = channel("not a key", &[ENDPOINT.into()])
            .unwrap_err()
            .to_string();
        assert!(junk.contains("tauri signer generate"), "{junk}");
        let http = channel(&key, &["http://updates.example/latest.json".into()])
            .unwrap_err()
            .to_string();
        assert!(http.contains("not an https URL"), "{http}");
        assert!(channel(&key, &[]).is_err());
    }

    #[test]
    fn results_and_failures_in_words() {
        assert_eq!(
            UpdateCheck::up_to_date("0.1.0").message,
            "Layover 0.1.0 is the latest version."
        );
        let a = UpdateCheck::available("0.1.0", "0.2.0", Some(" ".into()));
        assert_eq!(a.available.as_deref(), Some("0.2.0"));
        assert_eq!(a.notes, None);
        let offline = check_failed("error sending request: dns error: failed to lookup address");
        assert!(offline.to_string().contains("are you offline"), "{offline}");
        assert_eq!(
            crate::ApiError::from(offline).code,
            crate::ErrorCode::Offline
        );
        let sig = check_failed("Signature verification failed");
        assert!(sig.to_string().contains("nothing was installed"));
    }
}
