//! The server's side of the SOAP exchange, for Layover's development license server: an
//! `AcquireLicenseResponse` around XMR licenses, and faults carrying a PlayReady status code.
//! What these write, [`super::parse_acquire_license_response`] reads back (round-trip tested).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::envelope::escape;
use super::fault::PlayReadyFault;
use super::ns;

const OPEN: &str = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\
<soap:Envelope xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" \
xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body>";
const CLOSE: &str = "</soap:Body></soap:Envelope>";

/// What goes into an `AcquireLicenseResponse`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LicenseResponseParts {
    /// Raw XMR licenses (base64-encoded into `Licenses/License`).
    pub licenses: Vec<Vec<u8>>,
    /// `Acknowledgement/TransactionID`, when the server wants an acknowledgement.
    pub transaction_id: Option<String>,
    /// `LicenseNonce`: the challenge's nonce, echoed.
    pub license_nonce: Option<String>,
    /// `ResponseID`.
    pub response_id: Option<String>,
}

/// The SOAP body of a successful license response (HTTP 200, `text/xml; charset=utf-8`).
pub fn acquire_license_response_xml(parts: &LicenseResponseParts) -> String {
    let licenses: String = parts
        .licenses
        .iter()
        .map(|l| format!("<License>{}</License>", STANDARD.encode(l)))
        .collect();
    let opt = |name: &str, v: &Option<String>| {
        v.as_deref()
            .map(|v| format!("<{name}>{}</{name}>", escape(v)))
            .unwrap_or_default()
    };
    let ack = parts
        .transaction_id
        .as_deref()
        .map(|t| {
            format!(
                "<Acknowledgement><TransactionID>{}</TransactionID></Acknowledgement>",
                escape(t)
            )
        })
        .unwrap_or_default();
    format!(
        "{OPEN}<AcquireLicenseResponse xmlns=\"{protocols}\"><AcquireLicenseResult>\
<Response xmlns=\"{messages}\"><LicenseResponse xmlns=\"{protocols}\">\
<Version>1</Version><Licenses>{licenses}</Licenses>{ack}{nonce}{rid}\
</LicenseResponse></Response></AcquireLicenseResult></AcquireLicenseResponse>{CLOSE}",
        protocols = ns::PROTOCOLS,
        messages = ns::MESSAGES,
        nonce = opt("LicenseNonce", &parts.license_nonce),
        rid = opt("ResponseID", &parts.response_id),
    )
}

/// A SOAP fault (send with HTTP 500) carrying `fault`'s status code in
/// `detail/Exception/StatusCode`, with `message` as the `faultstring` (the fault's own words
/// when `None`).
pub fn fault_xml(fault: PlayReadyFault, message: Option<&str>) -> String {
    fault_with(fault, message, "")
}

/// A protocol-redirect fault (0x8004C60D) telling the client to retry at `url`
/// (`Exception/RedirectUrl`, the element [`super::SoapFault::redirect_url`] reads).
pub fn redirect_fault_xml(url: &str) -> String {
    fault_with(
        PlayReadyFault::ProtocolRedirect,
        None,
        &format!("<RedirectUrl>{}</RedirectUrl>", escape(url)),
    )
}

fn fault_with(fault: PlayReadyFault, message: Option<&str>, extra: &str) -> String {
    format!(
        "{OPEN}<soap:Fault><faultcode>soap:Server</faultcode><faultstring>{msg}</faultstring>\
<detail><Exception><StatusCode>{code:#010X}</StatusCode>{extra}</Exception></detail></soap:Fault>{CLOSE}",
        msg = escape(message.unwrap_or(fault.describe())),
        code = fault.code(),
    )
}
