//! SOAP faults and the PlayReady status codes they carry, in words a support engineer can act on.
//!
//! Codes and their meaning: MicrosoftDocs/PlayReady `testing-server-exceptions.md` (the
//! `DRM_E_SERVER_*` table). The fault carries the code in `detail/Exception/StatusCode` as hex.

use std::fmt;

use roxmltree::Node;
use serde::Serialize;

use super::ns::{child, is_local, text};

/// A PlayReady license server error, from the fault's `StatusCode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PlayReadyFault {
    /// 0x8004C065 `DRM_E_DEVCERT_REVOKED`.
    DeviceCertificateRevoked,
    /// 0x8004C600 `DRM_E_SERVER_INTERNAL_ERROR`.
    ServerInternalError,
    /// 0x8004C601 `DRM_E_SERVER_INVALID_MESSAGE`.
    InvalidMessage,
    /// 0x8004C602 `DRM_E_SERVER_DEVICE_LIMIT_REACHED`.
    DeviceLimitReached,
    /// 0x8004C604 `DRM_E_SERVER_SERVICE_SPECIFIC`.
    ServiceSpecific,
    /// 0x8004C605 `DRM_E_SERVER_DOMAIN_REQUIRED`.
    DomainRequired,
    /// 0x8004C606 `DRM_E_SERVER_RENEW_DOMAIN`.
    RenewDomain,
    /// 0x8004C60A `DRM_E_SERVER_NOT_A_MEMBER`.
    NotAMember,
    /// 0x8004C60B `DRM_E_SERVER_PROTOCOL_VERSION_MISMATCH`.
    ProtocolVersionMismatch,
    /// 0x8004C60C `DRM_E_SERVER_UNKNOWN_ACCOUNTID`.
    UnknownAccountId,
    /// 0x8004C60D `DRM_E_SERVER_PROTOCOL_REDIRECT`.
    ProtocolRedirect,
    /// Any other code, kept as is.
    Other(u32),
}

impl PlayReadyFault {
    /// Maps a status code.
    pub fn from_code(code: u32) -> Self {
        match code {
            0x8004_C065 => Self::DeviceCertificateRevoked,
            0x8004_C600 => Self::ServerInternalError,
            0x8004_C601 => Self::InvalidMessage,
            0x8004_C602 => Self::DeviceLimitReached,
            0x8004_C604 => Self::ServiceSpecific,
            0x8004_C605 => Self::DomainRequired,
            0x8004_C606 => Self::RenewDomain,
            0x8004_C60A => Self::NotAMember,
            0x8004_C60B => Self::ProtocolVersionMismatch,
            0x8004_C60C => Self::UnknownAccountId,
            0x8004_C60D => Self::ProtocolRedirect,
            other => Self::Other(other),
        }
    }

    /// The status code.
    pub fn code(self) -> u32 {
        match self {
            Self::DeviceCertificateRevoked => 0x8004_C065,
            Self::ServerInternalError => 0x8004_C600,
            Self::InvalidMessage => 0x8004_C601,
            Self::DeviceLimitReached => 0x8004_C602,
            Self::ServiceSpecific => 0x8004_C604,
            Self::DomainRequired => 0x8004_C605,
            Self::RenewDomain => 0x8004_C606,
            Self::NotAMember => 0x8004_C60A,
            Self::ProtocolVersionMismatch => 0x8004_C60B,
            Self::UnknownAccountId => 0x8004_C60C,
            Self::ProtocolRedirect => 0x8004_C60D,
            Self::Other(code) => code,
        }
    }

    /// One sentence for support staff: what happened and what to do.
    pub fn describe(self) -> &'static str {
        match self {
            Self::DeviceCertificateRevoked => {
                "device certificate revoked: the license server will not issue licenses to this \
                 device's PlayReady certificate; the device or its DRM component must be updated"
            }
            Self::ServerInternalError => {
                "server internal error: the license server failed while handling the request; \
                 retry later, and contact the provider if it persists"
            }
            Self::InvalidMessage => {
                "invalid message: the license server could not read the request (malformed \
                 challenge, wrong custom data or headers)"
            }
            Self::DeviceLimitReached => {
                "device limit reached: the account already has the maximum number of devices; \
                 remove a device from the account and try again"
            }
            Self::ServiceSpecific => {
                "service-specific error: the provider's license handler refused the request \
                 (often entitlement, token or custom-data rules); see the fault text"
            }
            Self::DomainRequired => {
                "domain required: this content needs a domain-bound license and the device must \
                 first join the provider's domain"
            }
            Self::RenewDomain => {
                "renew domain: the device's domain certificate is out of date and must be renewed \
                 before a license can be issued"
            }
            Self::NotAMember => {
                "not a domain member: the device was removed from the account's domain by the \
                 service and must rejoin"
            }
            Self::ProtocolVersionMismatch => {
                "protocol version mismatch: the license server does not support the protocol \
                 version of this client's request"
            }
            Self::UnknownAccountId => {
                "unknown account: the request names a domain account the license server does not \
                 know"
            }
            Self::ProtocolRedirect => {
                "protocol redirect: the license server sent the request elsewhere; retry at the \
                 redirect URL"
            }
            Self::Other(_) => "unrecognised PlayReady error code; see the fault text",
        }
    }
}

impl fmt::Display for PlayReadyFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:#010X} {}", self.code(), self.describe())
    }
}

/// A SOAP fault from a license server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SoapFault {
    /// `faultcode`, e.g. `soap:Server`.
    pub fault_code: Option<String>,
    /// `faultstring` (often a server stack trace: shown to support staff, not users).
    pub fault_string: Option<String>,
    /// The PlayReady code from `detail/Exception/StatusCode`, when present and readable.
    pub status: Option<PlayReadyFault>,
    /// The redirect target for [`PlayReadyFault::ProtocolRedirect`] (element `RedirectUrl`
    /// inside `Exception`; the element name is *unverified* against a real server).
    pub redirect_url: Option<String>,
    /// `CustomData` inside `Exception`: providers put their own error detail there.
    pub custom_data: Option<String>,
}

impl fmt::Display for SoapFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.status {
            Some(s) => write!(f, "license server fault {s}")?,
            None => write!(f, "license server fault with no PlayReady status code")?,
        }
        if let Some(url) = &self.redirect_url {
            write!(f, " (redirect to {url})")?;
        }
        if let Some(code) = &self.fault_code {
            write!(f, " [faultcode {code}]")?;
        }
        Ok(())
    }
}

/// Reads a status code as servers write it: `0x8004C602`, bare 8-digit hex, or the HRESULT as
/// signed or unsigned decimal.
pub fn parse_status_code(s: &str) -> Option<u32> {
    let s = s.trim();
    if let Some(hex) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        return u32::from_str_radix(hex, 16).ok();
    }
    if let Ok(v) = s.parse::<i64>() {
        // Two's complement: HRESULTs are negative as i32 (0x8004C602 = -2147170814).
        return i32::try_from(v)
            .map(|v| v as u32)
            .ok()
            .or_else(|| u32::try_from(v).ok());
    }
    if s.len() == 8 {
        return u32::from_str_radix(s, 16).ok();
    }
    None
}

/// Reads a `Fault` element (any SOAP version's layout for the parts PlayReady uses).
pub(crate) fn read_fault(fault: Node<'_, '_>) -> SoapFault {
    let fault_code = child(fault, |n| is_local(n, "faultcode")).and_then(text);
    let fault_string = child(fault, |n| is_local(n, "faultstring")).and_then(text);
    let exception = child(fault, |n| is_local(n, "detail"))
        .and_then(|d| d.descendants().find(|n| is_local(*n, "Exception")));
    let find = |name: &str| {
        exception
            .and_then(|e| e.descendants().find(|n| is_local(*n, name)))
            .and_then(text)
    };
    let status = find("StatusCode")
        .as_deref()
        .and_then(parse_status_code)
        .map(PlayReadyFault::from_code);
    SoapFault {
        fault_code,
        fault_string,
        status,
        redirect_url: find("RedirectUrl"),
        custom_data: find("CustomData"),
    }
}
