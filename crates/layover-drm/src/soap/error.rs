//! Errors for SOAP messages, naming the element involved.

use super::fault::SoapFault;

/// A SOAP message could not be built or read, or the server answered with a fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SoapError {
    /// Not well-formed XML (or a DTD, which is refused).
    #[error("{what} is not well-formed XML: {message}")]
    Xml {
        /// Which document.
        what: &'static str,
        /// The parser's message, with line and column.
        message: String,
    },
    /// The root element is not what the message needs.
    #[error("{what}: root element is <{found}> ({namespace}), expected {expected}")]
    UnexpectedRoot {
        /// Which document.
        what: &'static str,
        /// Local name found.
        found: String,
        /// Its namespace (or "no namespace").
        namespace: String,
        /// What was expected.
        expected: &'static str,
    },
    /// A required element is missing.
    #[error("SOAP response: <{parent}> has no <{element}> element")]
    MissingElement {
        /// Missing element (local name).
        element: &'static str,
        /// Where it was looked for.
        parent: &'static str,
    },
    /// A `License` element does not hold base64.
    #[error("SOAP response: <License> #{index} is not valid base64")]
    BadLicenseBase64 {
        /// Zero-based position among the `License` elements.
        index: usize,
    },
    /// The server answered with a SOAP fault.
    #[error("{0}")]
    Fault(Box<SoapFault>),
}
