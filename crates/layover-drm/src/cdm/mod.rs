//! CDM adapters: one trait over every way Layover gets a license, as pure request/response
//! steps. The engine does the HTTP: it asks an adapter for an [`HttpLicenseRequest`], sends it
//! to the license URL of the title's provider (appending [`HttpLicenseRequest::url_suffix`]),
//! and hands the status and body back to [`Cdm::process_response`], which returns a
//! [`GrantedLicense`].
//!
//! | adapter | request | keys come back |
//! |---|---|---|
//! | [`TestIdentityPlayReady`] | SOAP AcquireLicense with the test identity's challenge ([`crate::challenge`]) | yes: unwrapped from the XMR licenses, whose AES-CMAC is verified |
//! | [`ClearKeyCdm`] | W3C ClearKey JSON | yes |
//! | [`AesClearKeyCdm`] | `GET ?kid=<hex>` | yes: 16 raw bytes |
//! | [`WebViewEme`] | the opaque challenge the WebView's CDM made (real PlayReady on Windows) | no: the SOAP response goes back to the CDM; the policy is read from the XMR licenses |
//!
//! Time and randomness come in through [`RequestContext`] (`now`, `nonce`).

mod adapters;
mod eme;

pub use adapters::{AesClearKeyCdm, ClearKeyCdm, TestIdentityPlayReady};
pub use eme::WebViewEme;

use std::fmt;

use crate::challenge::ChallengeError;
use crate::clearkey::ClearKeyError;
use crate::ecc::EccError;
use crate::kid::Kid;
use crate::policy::LicensePolicy;
use crate::soap::{PlayReadyFault, SoapError};
use crate::xmr::XmrError;

/// Which adapter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CdmKind {
    /// PlayReady to Layover's own test identity (development license server only).
    TestIdentityPlayReady,
    /// W3C ClearKey.
    ClearKey,
    /// AES clear key (AMS `/?kid=`): the raw key.
    AesClearKey,
    /// Real PlayReady through the WebView's EME (Windows); keys stay in the CDM.
    WebViewEme,
}

/// HTTP method of a license request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HttpMethod {
    /// GET (AES clear key).
    Get,
    /// POST (everything else).
    Post,
}

/// What to send. The caller owns the URL: it appends `url_suffix` to the license URL (for an
/// acquisition) or to the release URL (for a release); [`HttpLicenseRequest::url`] does that.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpLicenseRequest {
    /// Method.
    pub method: HttpMethod,
    /// Appended to the base URL: empty, or a query such as `?kid=0a1b...` (when the base URL
    /// already has a query, [`HttpLicenseRequest::url`] joins with `&`).
    pub url_suffix: String,
    /// Headers to set (`Content-Type`, `SOAPAction`, and any the challenge asked for). The
    /// caller adds its own auth headers (e.g. `Authorization: Bearer`).
    pub headers: Vec<(String, String)>,
    /// Body (empty for GET).
    pub body: Vec<u8>,
}

impl HttpLicenseRequest {
    /// `base` with the suffix appended.
    pub fn url(&self, base: &str) -> String {
        match self.url_suffix.strip_prefix('?') {
            Some(query) if base.contains('?') => format!("{base}&{query}"),
            _ => format!("{base}{}", self.url_suffix),
        }
    }

    /// The value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What the caller knows about the license it wants.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct RequestContext {
    /// KIDs wanted (`tenc` order). PlayReady takes them from the WRMHEADER instead.
    pub kids: Vec<Kid>,
    /// The WRMHEADER XML (PlayReady).
    pub wrm_header: Option<String>,
    /// Provider custom data, put in the PlayReady challenge's `CustomData`.
    pub custom_data: Option<String>,
    /// Ask for a license that may be stored (ClearKey `persistent-license`).
    pub persistent: bool,
    /// Fresh random bytes from the caller (PlayReady `LicenseNonce`); the response must echo
    /// them.
    pub nonce: [u8; 16],
    /// The caller's clock, Unix seconds (PlayReady `ClientTime`).
    pub now: i64,
    /// The challenge a WebView's CDM produced (EME `message` event), for [`WebViewEme`].
    pub cdm_challenge: Option<Vec<u8>>,
}

impl fmt::Debug for RequestContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestContext")
            .field("kids", &self.kids)
            .field("wrm_header", &self.wrm_header.is_some())
            .field(
                "custom_data",
                &self.custom_data.as_ref().map(|_| "[redacted]"),
            )
            .field("persistent", &self.persistent)
            .field("now", &self.now)
            .field(
                "cdm_challenge_len",
                &self.cdm_challenge.as_ref().map(Vec::len),
            )
            .finish_non_exhaustive()
    }
}

/// A content key in the clear. Its `Debug` never shows the key.
#[derive(Clone, PartialEq, Eq)]
pub struct ContentKey {
    /// KID (`tenc` order).
    pub kid: Kid,
    /// AES-128 key.
    pub key: [u8; 16],
}

impl fmt::Debug for ContentKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ContentKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

/// What the server said beside the license, for support staff and acknowledgements.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServerInfo {
    /// PlayReady `Acknowledgement/TransactionID`.
    pub transaction_id: Option<String>,
    /// PlayReady `ResponseID`.
    pub response_id: Option<String>,
    /// PlayReady `LicenseNonce` as echoed.
    pub license_nonce: Option<String>,
    /// Number of licenses in the response.
    pub license_count: usize,
}

/// What a license server granted.
#[derive(Clone, PartialEq, Eq)]
pub struct GrantedLicense {
    /// Which adapter produced it.
    pub kind: CdmKind,
    /// The policy. With several PlayReady licenses in one response the first license's policy
    /// is taken and every license's keys are listed in it.
    pub policy: LicensePolicy,
    /// Every KID licensed.
    pub kids: Vec<Kid>,
    /// Content keys in the clear; empty when the keys stay in a CDM ([`WebViewEme`]).
    pub keys: Vec<ContentKey>,
    /// What to store: the response body as received (SOAP XML, ClearKey JSON; for AES clear
    /// key the 16 raw bytes: a secret).
    pub license_blob: Vec<u8>,
    /// For [`WebViewEme`]: the body to hand back to the CDM (`MediaKeySession.update`).
    pub cdm_response: Option<Vec<u8>>,
    /// Server details.
    pub server: ServerInfo,
}

impl fmt::Debug for GrantedLicense {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GrantedLicense")
            .field("kind", &self.kind)
            .field("policy", &self.policy)
            .field("kids", &self.kids)
            .field("keys", &self.keys)
            .field("license_blob_len", &self.license_blob.len())
            .field(
                "cdm_response_len",
                &self.cdm_response.as_ref().map(Vec::len),
            )
            .field("server", &self.server)
            .finish()
    }
}

impl GrantedLicense {
    /// The clear key for `kid`, if this license carries it.
    pub fn key_for(&self, kid: Kid) -> Option<[u8; 16]> {
        self.keys.iter().find(|k| k.kid == kid).map(|k| k.key)
    }
}

/// Why a license could not be requested or was not granted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CdmError {
    /// The context lacks something this adapter needs.
    #[error("cannot build the license request: {what}")]
    MissingInput {
        /// What is missing.
        what: &'static str,
    },
    /// The server refused with a PlayReady SOAP fault.
    #[error("license server fault {code:#010X}: {words}{}", redirect_url.as_deref().map(|u| format!(" (redirect to {u})")).unwrap_or_default())]
    Fault {
        /// The PlayReady status code (e.g. 0x8004C602), 0 when the fault had none.
        code: u32,
        /// The code's meaning, in words for support staff.
        words: &'static str,
        /// The fault's `faultstring`.
        fault_string: Option<String>,
        /// Where to retry, for a protocol redirect (0x8004C60D).
        redirect_url: Option<String>,
    },
    /// The server answered with an HTTP error and no readable fault.
    #[error("license server answered HTTP {status}: {body_start}")]
    Http {
        /// The status.
        status: u16,
        /// The start of the body, as text, for support staff.
        body_start: String,
    },
    /// The SOAP response could not be read.
    #[error("{0}")]
    Soap(SoapError),
    /// The ClearKey or AES key response could not be read.
    #[error("{0}")]
    ClearKey(#[from] ClearKeyError),
    /// The challenge could not be built.
    #[error("{0}")]
    Challenge(#[from] ChallengeError),
    /// An XMR license could not be read.
    #[error("license {index}: {source}")]
    Xmr {
        /// Position in the response.
        index: usize,
        /// Why.
        source: XmrError,
    },
    /// A key could not be unwrapped, or the license signature failed.
    #[error("{0}")]
    Ecc(#[from] EccError),
    /// The response does not echo the challenge's nonce.
    #[error("license response nonce does not match the request's (a replayed or foreign response)")]
    NonceMismatch,
    /// The response holds no license.
    #[error("license response holds no license")]
    NoLicense,
    /// The server did not license a KID that was asked for.
    #[error("license response has no key for KID {kid}")]
    MissingKey {
        /// The KID.
        kid: Kid,
    },
}

impl From<SoapError> for CdmError {
    fn from(e: SoapError) -> Self {
        match e {
            SoapError::Fault(f) => {
                let status = f.status.unwrap_or(PlayReadyFault::Other(0));
                CdmError::Fault {
                    code: status.code(),
                    words: status.describe(),
                    fault_string: f.fault_string,
                    redirect_url: f.redirect_url,
                }
            }
            other => CdmError::Soap(other),
        }
    }
}

/// One way of getting a license. Pure: no IO.
pub trait Cdm: fmt::Debug + Send + Sync {
    /// Which adapter this is.
    fn kind(&self) -> CdmKind;
    /// The request to send.
    fn license_request(&self, ctx: &RequestContext) -> Result<HttpLicenseRequest, CdmError>;
    /// Reads the server's answer (any status: faults come with HTTP 500).
    fn process_response(
        &self,
        ctx: &RequestContext,
        status: u16,
        body: &[u8],
    ) -> Result<GrantedLicense, CdmError>;
    /// The request that gives a stored license back, if this system has one. Real PlayReady has
    /// no release call: Layover only marks such licenses released locally.
    fn release_request(&self, kids: &[Kid]) -> Option<HttpLicenseRequest>;
}

/// The first 200 characters of a body, for error messages.
pub(crate) fn body_start(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut s: String = text.chars().take(200).collect();
    if text.chars().count() > 200 {
        s.push('…');
    }
    s
}

#[cfg(test)]
mod tests;
