//! `EXT-X-KEY` / `EXT-X-SESSION-KEY` (RFC 8216 §4.3.2.4) into [`Protection`].

use super::attrs;
use crate::error::{Error, Result};
use crate::kid::Kid;
use crate::model::{DrmSystem, Protection};
use crate::{playready, resolve};
use url::Url;

/// KEYFORMAT of FairPlay Streaming.
pub const FAIRPLAY_KEYFORMAT: &str = "com.apple.streamingkeydelivery";
/// KEYFORMAT of PlayReady.
pub const PLAYREADY_KEYFORMAT: &str = "com.microsoft.playready";

/// Parses the attribute list of a key tag; `Ok(None)` for `METHOD=NONE`.
pub(crate) fn parse_key(list: &str, base: &Url, line: usize) -> Result<Option<Protection>> {
    let err = |reason: String| Error::Hls { line, reason };
    let a = attrs::parse(list).map_err(err)?;
    let method = attrs::get(&a, "METHOD").ok_or_else(|| err("EXT-X-KEY has no METHOD".into()))?;
    let scheme = match method {
        "NONE" => return Ok(None),
        "SAMPLE-AES-CTR" | "ISO-23001-7" => "cenc",
        "SAMPLE-AES" => "cbcs",
        "AES-128" => "aes-128",
        other => {
            return Err(err(format!(
                "unknown METHOD={other} (expected NONE, AES-128, SAMPLE-AES, SAMPLE-AES-CTR)"
            )));
        }
    };
    let format = attrs::get(&a, "KEYFORMAT");
    let system = match format.map(str::trim) {
        None | Some("identity") => DrmSystem::Identity,
        Some(PLAYREADY_KEYFORMAT) => DrmSystem::PlayReady,
        Some(FAIRPLAY_KEYFORMAT) => DrmSystem::FairPlay,
        Some("org.w3.clearkey") => DrmSystem::ClearKey,
        Some(f) => match f
            .strip_prefix("urn:uuid:")
            .and_then(|u| u.parse::<Kid>().ok())
        {
            Some(id) => DrmSystem::from_system_id(id),
            None => DrmSystem::Other(f.to_owned()),
        },
    };
    let mut p = Protection::new(system);
    p.system_id = match &p.system {
        DrmSystem::PlayReady => Some(Kid::PLAYREADY),
        DrmSystem::Widevine => Some(Kid::WIDEVINE),
        DrmSystem::FairPlay => Some(Kid::FAIRPLAY),
        DrmSystem::ClearKey => Some(Kid::CLEARKEY),
        DrmSystem::W3cCommon => Some(Kid::W3C_COMMON),
        _ => None,
    };
    p.scheme = Some(scheme.to_owned());
    p.key_format = format.map(str::to_owned);
    p.iv = attrs::get(&a, "IV").map(str::to_owned);
    if let Some(k) = attrs::get(&a, "KEYID") {
        let hex = k.trim().trim_start_matches("0x").trim_start_matches("0X");
        p.default_kid = Some(
            hex.parse()
                .map_err(|_| err(format!("KEYID={k} is not 0x followed by 32 hex digits")))?,
        );
    }
    let uri = attrs::get(&a, "URI");
    if method != "NONE" && uri.is_none() {
        return Err(err(format!("EXT-X-KEY METHOD={method} has no URI")));
    }
    if let Some(uri) = uri {
        if let Some(data) = uri.strip_prefix("data:") {
            let bytes = data_uri_payload(data).map_err(|r| err(format!("key URI: {r}")))?;
            if bytes.get(4..8) == Some(b"pssh") {
                p.pssh = Some(bytes);
            } else if p.system == DrmSystem::PlayReady {
                let s = playready::summary(&bytes);
                p.default_kid = p.default_kid.or(s.kid);
                p.la_url = s.la_url;
                p.playready_object = Some(bytes);
            }
        } else {
            let resolved = resolve(base, uri)?;
            if p.system == DrmSystem::Identity {
                // For AES-128 / identity keys the URI is where the key itself is fetched.
                p.la_url = Some(resolved.to_string());
            }
            p.key_uri = Some(resolved.to_string());
        }
    }
    Ok(Some(p))
}

/// `data:[<mediatype>][;base64],<data>` (RFC 2397); only base64 payloads are accepted since
/// key data is binary.
fn data_uri_payload(rest: &str) -> Result<Vec<u8>, String> {
    use base64::Engine;
    let (meta, payload) = rest
        .split_once(',')
        .ok_or("data: URI has no `,` before its payload")?;
    if !meta.ends_with(";base64") {
        return Err("data: URI payload is not base64".into());
    }
    base64::engine::general_purpose::STANDARD
        .decode(payload.trim())
        .map_err(|e| format!("data: URI base64: {e}"))
}
