//! `AcquireLicenseResponse`: the licenses, and what the client must echo back.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::error::SoapError;
use super::fault::read_fault;
use super::ns::{self, child, is_playready, is_soap, text};

/// What a license server granted in one response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcquireLicenseResponse {
    /// `LicenseResponse/Version`.
    pub version: Option<String>,
    /// Each `Licenses/License`, base64-decoded: raw XMR (see [`crate::xmr::XmrLicense::parse`]).
    pub licenses: Vec<Vec<u8>>,
    /// `Acknowledgement/TransactionID`: present when the server wants an acknowledgement.
    pub transaction_id: Option<String>,
    /// `LicenseNonce`: must match the nonce in the challenge.
    pub license_nonce: Option<String>,
    /// `ResponseID`.
    pub response_id: Option<String>,
}

impl AcquireLicenseResponse {
    /// Each license parsed as XMR, in order; a license that does not parse keeps its error.
    pub fn parse_licenses(&self) -> Vec<Result<crate::xmr::XmrLicense, crate::xmr::XmrError>> {
        self.licenses
            .iter()
            .map(|l| crate::xmr::XmrLicense::parse(l))
            .collect()
    }
}

/// Parses a license server's SOAP answer. A fault (usually with HTTP 500) becomes
/// [`SoapError::Fault`], whatever the HTTP status was.
pub fn parse_acquire_license_response(xml: &str) -> Result<AcquireLicenseResponse, SoapError> {
    let doc = ns::parse(xml).map_err(|e| SoapError::Xml {
        what: "license response",
        message: e.to_string(),
    })?;
    let root = doc.root_element();
    if !is_soap(root, "Envelope") {
        return Err(SoapError::UnexpectedRoot {
            what: "license response",
            found: root.tag_name().name().to_owned(),
            namespace: root
                .tag_name()
                .namespace()
                .unwrap_or("no namespace")
                .to_owned(),
            expected: "a SOAP Envelope",
        });
    }
    let body = child(root, |n| is_soap(n, "Body")).ok_or(SoapError::MissingElement {
        element: "Body",
        parent: "Envelope",
    })?;
    if let Some(fault) = child(body, |n| is_soap(n, "Fault")) {
        return Err(SoapError::Fault(Box::new(read_fault(fault))));
    }
    let alr = step(body, "Body", "AcquireLicenseResponse")?;
    let result = step(alr, "AcquireLicenseResponse", "AcquireLicenseResult")?;
    let response = step(result, "AcquireLicenseResult", "Response")?;
    let lr = step(response, "Response", "LicenseResponse")?;

    let licenses_el = step(lr, "LicenseResponse", "Licenses")?;
    let mut licenses = Vec::new();
    for (index, el) in licenses_el
        .children()
        .filter(|n| is_playready(*n, "License"))
        .enumerate()
    {
        let b64: String = text(el)
            .unwrap_or_default()
            .chars()
            .filter(|c| !c.is_ascii_whitespace())
            .collect();
        let bytes = STANDARD
            .decode(b64.as_bytes())
            .map_err(|_| SoapError::BadLicenseBase64 { index })?;
        licenses.push(bytes);
    }
    let field = |name: &str| child(lr, |n| is_playready(n, name)).and_then(text);
    let transaction_id = child(lr, |n| is_playready(n, "Acknowledgement"))
        .and_then(|a| child(a, |n| is_playready(n, "TransactionID")))
        .and_then(text);
    Ok(AcquireLicenseResponse {
        version: field("Version"),
        licenses,
        transaction_id,
        license_nonce: field("LicenseNonce"),
        response_id: field("ResponseID"),
    })
}

/// The child `name` (PlayReady namespace) of `parent`, or an error naming both.
fn step<'a, 'i>(
    parent: roxmltree::Node<'a, 'i>,
    parent_name: &'static str,
    name: &'static str,
) -> Result<roxmltree::Node<'a, 'i>, SoapError> {
    child(parent, |n| is_playready(n, name)).ok_or(SoapError::MissingElement {
        element: name,
        parent: parent_name,
    })
}
