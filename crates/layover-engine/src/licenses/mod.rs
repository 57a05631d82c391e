//! Licenses: what a license server granted, and (as the licenses issue lands) the store that
//! tracks each title's licenses over time.

mod report;

pub use report::{
    KeySummary, LicenseReport, LicenseSummary, parse_license_bytes, parse_license_file,
};
