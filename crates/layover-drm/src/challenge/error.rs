//! Why a challenge could not be built or was refused.

/// A challenge could not be built, read or verified.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChallengeError {
    /// Not well-formed XML (or a DTD, which is refused).
    #[error("license challenge is not well-formed XML: {0}")]
    Xml(String),
    /// A required element is missing.
    #[error("license challenge has no <{element}> element")]
    Missing {
        /// The element's local name.
        element: &'static str,
    },
    /// An element that must hold base64 does not.
    #[error("license challenge: <{element}> is not valid base64")]
    BadBase64 {
        /// The element's local name.
        element: &'static str,
    },
    /// The WRMHEADER could not be read.
    #[error("license challenge: the WRMHEADER cannot be read: {0}")]
    WrmHeader(String),
    /// The certificate is not a Layover test identity certificate, or its self-signature fails.
    #[error(
        "device certificate refused: {why} (only Layover test identity certificates are accepted)"
    )]
    BadCertificate {
        /// What is wrong.
        why: &'static str,
    },
    /// The certificate has another version.
    #[error("device certificate version {version} is not supported (expected 1)")]
    CertificateVersion {
        /// The version found.
        version: u16,
    },
    /// The certificate has the wrong length for its name.
    #[error("device certificate is {found} bytes, expected {expected}")]
    CertificateLength {
        /// Expected length.
        expected: usize,
        /// Length found.
        found: usize,
    },
    /// The signature method is not ECDSA-SHA256.
    #[error("challenge signature algorithm {algorithm:?} is not supported (ECDSA-SHA256 only)")]
    UnsupportedSignature {
        /// The `Algorithm` attribute found.
        algorithm: String,
    },
    /// The challenge signature does not verify with the certificate's key.
    #[error("challenge signature does not verify with the device certificate's key")]
    BadSignature,
}
