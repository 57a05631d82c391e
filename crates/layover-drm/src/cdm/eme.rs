//! Real PlayReady through the WebView's EME (Windows): Layover carries the CDM's challenge and
//! brings back the server's answer; the keys never leave the CDM.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::adapters::read_playready;
use super::{
    Cdm, CdmError, CdmKind, GrantedLicense, HttpLicenseRequest, HttpMethod, RequestContext,
};
use crate::kid::Kid;
use crate::soap::{CONTENT_TYPE, SOAP_ACTION_ACQUIRE_LICENSE, acquire_license_envelope};

/// Carries the opaque challenge from [`RequestContext::cdm_challenge`]:
///
/// - a `PlayReadyKeyMessage` (what Edge/WebView2's PlayReady CDM puts in the EME `message`,
///   UTF-16LE XML: `LicenseAcquisition/Challenge` in base64 and `HttpHeaders/HttpHeader{name,
///   value}`, as shaka-player unpacks it) is unpacked: the decoded challenge is the body and its
///   headers are sent;
/// - a SOAP envelope or a bare PlayReady `Challenge` is sent as a SOAP AcquireLicense body;
/// - anything else is sent as it is.
///
/// The answer: a fault becomes [`CdmError::Fault`]; otherwise the policy is read from the XMR
/// licenses inside (in the clear), no keys are returned, and the body goes back to the CDM in
/// [`GrantedLicense::cdm_response`]. Real PlayReady has no release call.
#[derive(Debug, Clone, Copy, Default)]
pub struct WebViewEme;

impl Cdm for WebViewEme {
    fn kind(&self) -> CdmKind {
        CdmKind::WebViewEme
    }

    fn license_request(&self, ctx: &RequestContext) -> Result<HttpLicenseRequest, CdmError> {
        let raw = ctx.cdm_challenge.as_deref().ok_or(CdmError::MissingInput {
            what: "the challenge from the WebView's CDM",
        })?;
        let default_headers = || {
            vec![
                ("Content-Type".to_owned(), CONTENT_TYPE.to_owned()),
                (
                    "SOAPAction".to_owned(),
                    SOAP_ACTION_ACQUIRE_LICENSE.to_owned(),
                ),
            ]
        };
        let request = |headers, body| HttpLicenseRequest {
            method: HttpMethod::Post,
            url_suffix: String::new(),
            headers,
            body,
        };
        let Some(text) = decode_text(raw) else {
            return Ok(request(default_headers(), raw.to_vec()));
        };
        if let Some((body, headers)) = unpack_key_message(&text) {
            let headers = if headers.is_empty() {
                default_headers()
            } else {
                headers
            };
            return Ok(request(headers, body));
        }
        match acquire_license_envelope(&text) {
            Ok(envelope) => Ok(request(default_headers(), envelope.into_bytes())),
            Err(_) => Ok(request(default_headers(), raw.to_vec())),
        }
    }

    fn process_response(
        &self,
        _ctx: &RequestContext,
        status: u16,
        body: &[u8],
    ) -> Result<GrantedLicense, CdmError> {
        // The nonce is the CDM's to check: Layover never saw it.
        let (policy, server, kids, _) = read_playready(status, body, None)?;
        Ok(GrantedLicense {
            kind: CdmKind::WebViewEme,
            policy,
            kids,
            keys: Vec::new(),
            license_blob: body.to_vec(),
            cdm_response: Some(body.to_vec()),
            server,
        })
    }

    fn release_request(&self, _kids: &[Kid]) -> Option<HttpLicenseRequest> {
        None
    }
}

/// UTF-16LE (with or without BOM, recognised by `<` then NUL) or UTF-8 text.
fn decode_text(raw: &[u8]) -> Option<String> {
    let utf16 = raw.starts_with(&[0xFF, 0xFE]) || (raw.len() >= 2 && raw[1] == 0 && raw[0] != 0);
    if utf16 && raw.len().is_multiple_of(2) {
        let units: Vec<u16> = raw
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        let s = String::from_utf16(&units).ok()?;
        return Some(s.trim_start_matches('\u{feff}').to_owned());
    }
    std::str::from_utf8(raw)
        .ok()
        .map(|s| s.trim_start_matches('\u{feff}').to_owned())
}

/// HTTP headers as name/value pairs.
type Headers = Vec<(String, String)>;

/// The challenge bytes and HTTP headers of a `PlayReadyKeyMessage`.
fn unpack_key_message(text: &str) -> Option<(Vec<u8>, Headers)> {
    let doc = roxmltree::Document::parse(text).ok()?;
    let root = doc.root_element();
    if root.tag_name().name() != "PlayReadyKeyMessage" {
        return None;
    }
    let named =
        |n: roxmltree::Node<'_, '_>, name: &str| n.is_element() && n.tag_name().name() == name;
    let challenge = root.descendants().find(|n| named(*n, "Challenge"))?;
    let b64: String = challenge
        .text()
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    let body = STANDARD.decode(b64.as_bytes()).ok()?;
    let headers = root
        .descendants()
        .filter(|n| named(*n, "HttpHeader"))
        .filter_map(|h| {
            let get = |name| {
                h.children()
                    .find(|c| named(*c, name))
                    .map(|c| c.text().unwrap_or_default().trim().to_owned())
            };
            Some((get("name")?, get("value")?))
        })
        .collect();
    Some((body, headers))
}
