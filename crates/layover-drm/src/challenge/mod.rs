//! The test identity's PlayReady license challenge: built on the client, parsed and verified
//! by Layover's development license server.
//!
//! # What this is, and is not
//!
//! A real PlayReady challenge is made by a device's CDM: its device certificate chains to
//! Microsoft and travels encrypted (XML-Enc, `EncryptedData`) to the server's key, and the
//! `Signature` is made with the device's signing key. Layover cannot make one (DRM-NOTES "The
//! honest boundary"). What is here has the same *shape* so the same code paths (SOAP envelope,
//! headers, custom data, nonce, faults) are exercised end to end, but:
//!
//! - the certificate is Layover's own ([`TestCertificate`]): self-signed, carried in the clear
//!   in `LA/LayoverTestCertificate`, and rejected by any real PlayReady server;
//! - the `Signature` is ECDSA-SHA256 on P-256 over the exact bytes of the `LA` element as they
//!   appear in the message (no XML canonicalisation; the SOAP envelope carries the element
//!   verbatim, see [`crate::soap::acquire_license_envelope`]), by the same key the certificate
//!   holds, with the 64-byte `r || s` in base64 in `SignatureValue`.
//!
//! Message shape (element names as DRM-NOTES "PlayReady license acquisition (SOAP)"):
//!
//! ```text
//! Challenge (protocols/messages)
//!   LA (protocols) Id="SignedData"
//!     Version            1
//!     ContentHeader      the WRMHEADER, verbatim
//!     CLIENTINFO/CLIENTVERSION
//!     CustomData         escaped text, when given
//!     LicenseNonce       base64 of 16 bytes
//!     ClientTime         Unix seconds
//!     LayoverTestCertificate  base64 of the certificate
//!   Signature (xmldsig)
//!     SignedInfo/SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"
//!     SignatureValue     base64 r || s
//!     KeyInfo/KeyValue/ECCKeyValue/PublicKey  base64 x || y
//! ```
//!
//! Pure: the nonce and the client time are passed in.

mod cert;
mod error;

pub use cert::{CERT_MAGIC, CERT_NAME, CERT_SECURITY_LEVEL, CERT_VERSION, TestCertificate};
pub use error::ChallengeError;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use roxmltree::Node;

use crate::ecc::{DevicePublicKey, TestIdentity};
use crate::kid::Kid;

/// PlayReady messages namespace (`Challenge`).
pub const NS_MESSAGES: &str = "http://schemas.microsoft.com/DRM/2007/03/protocols/messages";
/// PlayReady protocols namespace (`LA`).
pub const NS_PROTOCOLS: &str = "http://schemas.microsoft.com/DRM/2007/03/protocols";
/// XML signature namespace.
pub const NS_XMLDSIG: &str = "http://www.w3.org/2000/09/xmldsig#";
/// The signature algorithm named in `SignatureMethod`.
pub const ECDSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256";
/// `CLIENTVERSION` the test identity sends.
pub const CLIENT_VERSION: &str = "layover-test-identity/1";

/// What the client puts in a challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChallengeParams<'a> {
    /// The WRMHEADER XML (from the PSSH / PRO / manifest), carried verbatim.
    pub wrm_header: &'a str,
    /// Provider-specific custom data, if any.
    pub custom_data: Option<&'a str>,
    /// Fresh random bytes; the server echoes them in `LicenseNonce`.
    pub nonce: [u8; 16],
    /// The client's clock, Unix seconds.
    pub client_time: i64,
}

/// Builds a signed `Challenge` element for `identity` (wrap it with
/// [`crate::soap::acquire_license_envelope`] to send it).
///
/// Fails only when the WRMHEADER is not a readable WRMHEADER (checked here so a bad header is
/// caught on the client, with the parser's words).
pub fn build_challenge(
    identity: &TestIdentity,
    params: &ChallengeParams<'_>,
) -> Result<String, ChallengeError> {
    let header = params
        .wrm_header
        .trim()
        .trim_start_matches('\u{feff}')
        .trim_start();
    let header = strip_xml_declaration(header);
    read_wrm_header(header)?;
    let cert = TestCertificate::issue(identity);
    let custom = params
        .custom_data
        .map(|c| format!("<CustomData>{}</CustomData>", escape(c)))
        .unwrap_or_default();
    let la = format!(
        "<LA xmlns=\"{NS_PROTOCOLS}\" Id=\"SignedData\" xml:space=\"preserve\">\
<Version>1</Version><ContentHeader>{header}</ContentHeader>\
<CLIENTINFO><CLIENTVERSION>{CLIENT_VERSION}</CLIENTVERSION></CLIENTINFO>{custom}\
<LicenseNonce>{nonce}</LicenseNonce><ClientTime>{time}</ClientTime>\
<LayoverTestCertificate>{cert}</LayoverTestCertificate></LA>",
        nonce = STANDARD.encode(params.nonce),
        time = params.client_time,
        cert = STANDARD.encode(cert),
    );
    let sig = identity.sign_sha256(la.as_bytes());
    Ok(format!(
        "<Challenge xmlns=\"{NS_MESSAGES}\">{la}<Signature xmlns=\"{NS_XMLDSIG}\">\
<SignedInfo><SignatureMethod Algorithm=\"{ECDSA_SHA256}\"/></SignedInfo>\
<SignatureValue>{sig}</SignatureValue><KeyInfo><KeyValue><ECCKeyValue>\
<PublicKey>{public}</PublicKey></ECCKeyValue></KeyValue></KeyInfo></Signature></Challenge>",
        sig = STANDARD.encode(sig),
        public = STANDARD.encode(identity.public_key().to_bytes()),
    ))
}

/// What the server learns from a verified challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedChallenge {
    /// `LA/Version`.
    pub version: Option<String>,
    /// The certificate (self-signature checked).
    pub certificate: TestCertificate,
    /// The device key to encrypt content keys to (the certificate's).
    pub device_key: DevicePublicKey,
    /// The KIDs the WRMHEADER names, in `tenc` order.
    pub kids: Vec<Kid>,
    /// The WRMHEADER's `LA_URL`, if any.
    pub la_url: Option<String>,
    /// The WRMHEADER XML as carried.
    pub wrm_header: String,
    /// `CustomData`, unescaped.
    pub custom_data: Option<String>,
    /// `LicenseNonce` as sent (base64 text): echo it in the response.
    pub nonce: String,
    /// `ClientTime`, when readable.
    pub client_time: Option<i64>,
}

/// Server side: reads a license request (a SOAP `AcquireLicense` envelope, or a bare
/// `Challenge`), checks the certificate's self-signature and the challenge signature over the
/// `LA` bytes, and returns what the server needs. Never panics.
pub fn parse_challenge(xml: &str) -> Result<VerifiedChallenge, ChallengeError> {
    let doc = roxmltree::Document::parse_with_options(
        xml,
        roxmltree::ParsingOptions {
            allow_dtd: false,
            nodes_limit: 100_000,
            ..roxmltree::ParsingOptions::default()
        },
    )
    .map_err(|e| ChallengeError::Xml(e.to_string()))?;
    let challenge = doc
        .descendants()
        .find(|n| n.has_tag_name((NS_MESSAGES, "Challenge")))
        .ok_or(ChallengeError::Missing {
            element: "Challenge",
        })?;
    let la = challenge
        .children()
        .find(|n| n.has_tag_name((NS_PROTOCOLS, "LA")))
        .ok_or(ChallengeError::Missing { element: "LA" })?;
    let signature = challenge
        .children()
        .find(|n| n.has_tag_name((NS_XMLDSIG, "Signature")))
        .ok_or(ChallengeError::Missing {
            element: "Signature",
        })?;

    let cert_b64 = la_text(la, "LayoverTestCertificate").ok_or(ChallengeError::Missing {
        element: "LayoverTestCertificate",
    })?;
    let cert_bytes = decode_b64(&cert_b64, "LayoverTestCertificate")?;
    let certificate = TestCertificate::parse_and_verify(&cert_bytes)?;

    let method = signature
        .descendants()
        .find(|n| n.has_tag_name((NS_XMLDSIG, "SignatureMethod")))
        .and_then(|n| n.attribute("Algorithm"));
    if method != Some(ECDSA_SHA256) {
        return Err(ChallengeError::UnsupportedSignature {
            algorithm: method.unwrap_or("none").to_owned(),
        });
    }
    let sig_b64 = signature
        .children()
        .find(|n| n.has_tag_name((NS_XMLDSIG, "SignatureValue")))
        .and_then(text)
        .ok_or(ChallengeError::Missing {
            element: "SignatureValue",
        })?;
    let sig = decode_b64(&sig_b64, "SignatureValue")?;
    let la_bytes = xml.get(la.range()).unwrap_or_default().as_bytes();
    if !certificate.public_key.verify_sha256(la_bytes, &sig) {
        return Err(ChallengeError::BadSignature);
    }

    let header_el = la
        .children()
        .find(|n| n.has_tag_name((NS_PROTOCOLS, "ContentHeader")))
        .ok_or(ChallengeError::Missing {
            element: "ContentHeader",
        })?;
    let wrm = header_el
        .children()
        .find(|n| n.is_element() && n.tag_name().name() == "WRMHEADER")
        .ok_or(ChallengeError::Missing {
            element: "WRMHEADER",
        })?;
    let wrm_header = xml.get(wrm.range()).unwrap_or_default().to_owned();
    let (kids, la_url) = read_wrm_header(&wrm_header)?;
    let nonce = la_text(la, "LicenseNonce").ok_or(ChallengeError::Missing {
        element: "LicenseNonce",
    })?;
    Ok(VerifiedChallenge {
        version: la_text(la, "Version"),
        device_key: certificate.public_key,
        certificate,
        kids,
        la_url,
        wrm_header,
        custom_data: la_text(la, "CustomData"),
        nonce,
        client_time: la_text(la, "ClientTime").and_then(|t| t.parse().ok()),
    })
}

/// A WRMHEADER 4.2.0.0 naming `kids` (AESCTR, no CHECKSUM) and an optional `LA_URL`: what a
/// packager would write, for tests and the demo.
pub fn wrm_header_xml(kids: &[Kid], la_url: Option<&str>) -> String {
    use layover_media::headers::playready::{Algid, WrmHeader, WrmKid, WrmVersion};
    WrmHeader {
        version: WrmVersion::V4_2,
        kids: kids
            .iter()
            .map(|k| WrmKid {
                kid: layover_media::Kid::new(k.0),
                algid: Some(Algid::AesCtr),
                checksum: None,
            })
            .collect(),
        la_url: la_url.map(str::to_owned),
        lui_url: None,
        ds_id: None,
        custom_attributes: None,
        decryptor_setup: None,
    }
    .to_xml()
}

/// KIDs and LA_URL from a WRMHEADER (any of 4.0-4.3), through `layover-media`'s parser.
fn read_wrm_header(xml: &str) -> Result<(Vec<Kid>, Option<String>), ChallengeError> {
    let h = layover_media::headers::playready::WrmHeader::parse_xml(xml)
        .map_err(|e| ChallengeError::WrmHeader(e.to_string()))?;
    let kids = h.kids.iter().map(|k| Kid::from_bytes(k.kid.0)).collect();
    Ok((kids, h.la_url))
}

fn la_text(la: Node<'_, '_>, name: &str) -> Option<String> {
    la.children()
        .find(|n| n.has_tag_name((NS_PROTOCOLS, name)))
        .and_then(text)
}

fn text(node: Node<'_, '_>) -> Option<String> {
    let s: String = node
        .descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect();
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_owned())
}

fn decode_b64(s: &str, element: &'static str) -> Result<Vec<u8>, ChallengeError> {
    let clean: String = s.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    STANDARD
        .decode(clean.as_bytes())
        .map_err(|_| ChallengeError::BadBase64 { element })
}

fn strip_xml_declaration(s: &str) -> &str {
    if s.starts_with("<?xml")
        && let Some(end) = s.find("?>")
    {
        return s[end + 2..].trim_start();
    }
    s
}

/// Escapes text for element content.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests;
