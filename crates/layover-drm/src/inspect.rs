//! "What did the server grant?": reads whatever a support engineer has saved (a SOAP response,
//! base64 XMR, or raw XMR) into licenses, for `layover license parse <FILE>`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::Serialize;

use crate::soap::{SoapError, parse_acquire_license_response};
use crate::xmr::{MAGIC, XmrError, XmrLicense};

/// What the input turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum InputKind {
    /// Bytes starting with `XMR\0`.
    RawXmr,
    /// Base64 text of an XMR license.
    Base64Xmr,
    /// An AcquireLicense SOAP response (possibly holding several licenses).
    SoapResponse,
}

/// Why the input could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InspectError {
    /// The input is neither XMR, base64 nor XML.
    #[error(
        "input is not a license: expected raw XMR (starting with \"XMR\\0\"), base64 XMR, or a SOAP response"
    )]
    NotRecognised,
    /// A license inside did not parse.
    #[error("license #{index}: {source}")]
    Xmr {
        /// Position of the license in the input.
        index: usize,
        /// What was wrong.
        source: XmrError,
    },
    /// The SOAP response did not parse, or it is a fault.
    #[error(transparent)]
    Soap(#[from] SoapError),
}

/// Detects the input's kind and parses every license in it.
pub fn inspect_license_input(input: &[u8]) -> Result<(InputKind, Vec<XmrLicense>), InspectError> {
    let parse_all = |blobs: Vec<Vec<u8>>| {
        blobs
            .iter()
            .enumerate()
            .map(|(index, b)| {
                XmrLicense::parse(b).map_err(|source| InspectError::Xmr { index, source })
            })
            .collect::<Result<Vec<_>, _>>()
    };
    if input.starts_with(&MAGIC) {
        return Ok((InputKind::RawXmr, parse_all(vec![input.to_vec()])?));
    }
    let text = std::str::from_utf8(input).map_err(|_| InspectError::NotRecognised)?;
    let text = text.trim_start_matches('\u{feff}').trim();
    if text.starts_with('<') {
        let response = parse_acquire_license_response(text)?;
        return Ok((InputKind::SoapResponse, parse_all(response.licenses)?));
    }
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    match STANDARD.decode(compact.as_bytes()) {
        Ok(bytes) if bytes.starts_with(&MAGIC) => {
            Ok((InputKind::Base64Xmr, parse_all(vec![bytes])?))
        }
        _ => Err(InspectError::NotRecognised),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xmr::LicenseTemplate;

    fn license() -> Vec<u8> {
        LicenseTemplate::new([2; 16], 5)
            .build_signed(&[0; 16])
            .unwrap()
    }

    #[test]
    fn all_three_forms() {
        let raw = license();
        let (kind, lics) = inspect_license_input(&raw).unwrap();
        assert_eq!((kind, lics.len()), (InputKind::RawXmr, 1));

        let b64 = format!("{}\n", STANDARD.encode(&raw));
        let (kind, lics) = inspect_license_input(b64.as_bytes()).unwrap();
        assert_eq!((kind, lics[0].rights_id), (InputKind::Base64Xmr, [2; 16]));

        let soap = format!(
            "\u{feff}<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body>\
<AcquireLicenseResponse xmlns=\"http://schemas.microsoft.com/DRM/2007/03/protocols\"><AcquireLicenseResult>\
<Response xmlns=\"http://schemas.microsoft.com/DRM/2007/03/protocols/messages\"><LicenseResponse \
xmlns=\"http://schemas.microsoft.com/DRM/2007/03/protocols\"><Licenses><License>{}</License>\
<License>{}</License></Licenses></LicenseResponse></Response></AcquireLicenseResult>\
</AcquireLicenseResponse></s:Body></s:Envelope>",
            STANDARD.encode(&raw),
            STANDARD.encode(b"XMR\0\0")
        );
        assert!(matches!(
            inspect_license_input(soap.as_bytes()),
            Err(InspectError::Xmr { index: 1, .. })
        ));
    }

    #[test]
    fn other_input_is_not_recognised() {
        for input in [&b"hello"[..], b"\xff\xfe", b"", b"QUJD"] {
            assert_eq!(
                inspect_license_input(input),
                Err(InspectError::NotRecognised)
            );
        }
    }
}
