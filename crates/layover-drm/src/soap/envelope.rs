//! Request envelopes. Layover never signs a PlayReady challenge (only a device's CDM can); it
//! wraps what the CDM produced and sends it with the right headers.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::error::SoapError;
use super::ns::{self, is_playready, is_soap};

/// `SOAPAction` header value for license acquisition, quotes included as SOAP 1.1 requires.
pub const SOAP_ACTION_ACQUIRE_LICENSE: &str =
    "\"http://schemas.microsoft.com/DRM/2007/03/protocols/AcquireLicense\"";
/// `SOAPAction` header value for the license acknowledgement.
pub const SOAP_ACTION_ACKNOWLEDGE_LICENSE: &str =
    "\"http://schemas.microsoft.com/DRM/2007/03/protocols/AcknowledgeLicense\"";
/// `Content-Type` of both requests.
pub const CONTENT_TYPE: &str = "text/xml; charset=utf-8";

const ENVELOPE_OPEN: &str = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\
<soap:Envelope xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" \
xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body>";
const ENVELOPE_CLOSE: &str = "</soap:Body></soap:Envelope>";

/// The body of an AcquireLicense request around a CDM's challenge.
///
/// `challenge` may be the `Challenge` element a CDM produces (it is wrapped in
/// `AcquireLicense/challenge`), or a complete SOAP envelope, as Windows and EME produce
/// (returned unchanged, since re-wrapping would break the CDM's signature). An XML declaration
/// in front of a `Challenge` is dropped; the element's bytes are carried verbatim.
pub fn acquire_license_envelope(challenge: &str) -> Result<String, SoapError> {
    wrap(challenge, "AcquireLicense")
}

/// The body of an AcknowledgeLicense request around a CDM's acknowledgement challenge
/// (same rules as [`acquire_license_envelope`]).
pub fn acknowledge_license_envelope(challenge: &str) -> Result<String, SoapError> {
    wrap(challenge, "AcknowledgeLicense")
}

fn wrap(challenge: &str, operation: &'static str) -> Result<String, SoapError> {
    let doc = ns::parse(challenge).map_err(|e| SoapError::Xml {
        what: "challenge",
        message: e.to_string(),
    })?;
    let root = doc.root_element();
    if is_soap(root, "Envelope") {
        return Ok(challenge.to_owned());
    }
    if !is_playready(root, "Challenge") {
        return Err(SoapError::UnexpectedRoot {
            what: "challenge",
            found: root.tag_name().name().to_owned(),
            namespace: root
                .tag_name()
                .namespace()
                .unwrap_or("no namespace")
                .to_owned(),
            expected: "a PlayReady <Challenge> or a SOAP Envelope",
        });
    }
    let element = &challenge[root.range()];
    Ok(format!(
        "{ENVELOPE_OPEN}<{operation} xmlns=\"{ns}\"><challenge>{element}</challenge></{operation}>{ENVELOPE_CLOSE}",
        ns = ns::PROTOCOLS
    ))
}

/// One stored license's outcome, for [`unsigned_ack_challenge`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AckLicenseResult {
    /// The license's rights ID (XMR header).
    pub rights_id: [u8; 16],
    /// HRESULT of storing it (0 = stored).
    pub result: u32,
}

/// An *unsigned* acknowledgement challenge, for the test identity talking to Layover's
/// development server only: a real server requires the CDM's signed `Ack`, carried with
/// [`acknowledge_license_envelope`]. The element names (`Ack`, `TransactionID`,
/// `LicenseStorageResults/License{LID, Result}`) follow the PlayReady protocol namespace but
/// are *unverified* against Microsoft's schema; they are the development server's dialect.
pub fn unsigned_ack_challenge(transaction_id: &str, results: &[AckLicenseResult]) -> String {
    let mut licenses = String::new();
    for r in results {
        licenses.push_str(&format!(
            "<License><LID>{}</LID><Result>{:#010X}</Result></License>",
            STANDARD.encode(r.rights_id),
            r.result
        ));
    }
    format!(
        "<Challenge xmlns=\"{messages}\"><Ack xmlns=\"{protocols}\" Id=\"SignedData\"><Version>1</Version>\
<TransactionID>{tid}</TransactionID><LicenseStorageResults>{licenses}</LicenseStorageResults></Ack></Challenge>",
        messages = ns::MESSAGES,
        protocols = ns::PROTOCOLS,
        tid = escape(transaction_id),
    )
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
