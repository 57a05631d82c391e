//! PlayReady license acquisition over SOAP: the request envelopes Layover sends around a CDM's
//! challenge, and the responses and faults it reads back.
//!
//! XML is read with `roxmltree`: a read-only DOM is all a response needs (the messages are a few
//! kilobytes), it resolves namespaces so elements are matched by namespace URI and local name
//! whatever prefix a server picks, and it refuses DTDs by default, which rules out entity
//! expansion attacks from a hostile server. `quick-xml` would add streaming and writing, neither
//! of which is needed: the only XML Layover writes is a fixed envelope around a challenge.
//!
//! Message shapes: DRM-NOTES "PlayReady license acquisition (SOAP)"; the envelope as pyplayready
//! `cdm.py` `get_license_challenge` writes it; faults as MicrosoftDocs/PlayReady
//! `testing-server-exceptions.md` shows them.

mod envelope;
mod error;
mod fault;
mod ns;
mod response;
mod server;

pub use envelope::{
    AckLicenseResult, CONTENT_TYPE, SOAP_ACTION_ACKNOWLEDGE_LICENSE, SOAP_ACTION_ACQUIRE_LICENSE,
    acknowledge_license_envelope, acquire_license_envelope, unsigned_ack_challenge,
};
pub use error::SoapError;
pub use fault::{PlayReadyFault, SoapFault, parse_status_code};
pub use response::{AcquireLicenseResponse, parse_acquire_license_response};
pub use server::{
    LicenseResponseParts, acquire_license_response_xml, fault_xml, redirect_fault_xml,
};

#[cfg(test)]
mod tests;
