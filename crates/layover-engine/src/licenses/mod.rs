//! Licenses: who grants them ([`providers`]), getting, renewing and releasing them
//! ([`acquire`]), what each stored license means now ([`tracking`]), the background upkeep
//! ([`maintenance`]), and reading a saved license server answer ([`parse_license_file`]).

pub mod acquire;
pub mod eme;
pub mod maintenance;
pub mod protection;
pub mod providers;
mod report;
pub mod tracking;
pub mod trip;

pub use acquire::Operation;
pub use eme::EmeSetup;
pub use maintenance::MaintenanceReport;
pub use protection::TitleProtection;
pub use providers::{
    AmsDelivery, PlayReadyClient, Provider, ProviderKind, ProviderProfile, ProviderSecrets,
};
pub use report::{
    KeySummary, LicenseReport, LicenseSummary, parse_license_bytes, parse_license_file,
};
pub use tracking::{Deadline, HistoryEntry, LicenseDetails, LicenseStatus, LicenseView};
pub use trip::{TripReport, TripTitle};
