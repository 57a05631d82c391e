//! Pure license logic for Layover: PlayReady XMR licenses and SOAP messages, W3C ClearKey and
//! AES clear-key delivery, the ECC-256 test identity, the license policy model and expiry rules.
//!
//! Nothing here does IO, reads a clock or talks to a network: bytes and times go in, structs come
//! out. The engine (`layover-engine`) owns HTTP, SQLite and scheduling.
//!
//! ```
//! use layover_drm::expiry::{evaluate, DecidingClock, ExpirySettings, LicenseState};
//! use layover_drm::policy::LicensePolicy;
//! use layover_drm::xmr::{LicenseTemplate, XmrLicense};
//!
//! // A server grants a persistent license valid until t=2_000_000 with a 48 h playback window.
//! let mut template = LicenseTemplate::new([7; 16], 1_000_000);
//! template.end = Some(2_000_000);
//! template.expire_after_first_play = Some(48 * 3600);
//! let bytes = template.build_signed(&[1; 16]).unwrap();
//!
//! // The client reads the policy without any key...
//! let license = XmrLicense::parse(&bytes).unwrap();
//! let policy = LicensePolicy::from_xmr(&license);
//! assert!(policy.persistent);
//!
//! // ...and, once played at t=1_500_000, the playback window decides: 20 h 13 min are left,
//! // inside the default 48 h "expiring soon" window.
//! let e = evaluate(&policy, Some(1_500_000), None, 1_600_000, &ExpirySettings::default());
//! assert_eq!(e.deciding_clock, Some(DecidingClock::PlaybackWindow));
//! assert_eq!(e.remaining_secs, Some(48 * 3600 - 100_000));
//! assert_eq!(e.state, LicenseState::ExpiringSoon);
//!
//! // Setting the clock back a day does not give the time back.
//! let rolled = evaluate(&policy, Some(1_500_000), Some(1_600_000), 1_513_600, &ExpirySettings::default());
//! assert!(rolled.clock_rolled_back);
//! assert_eq!(rolled.remaining_secs, e.remaining_secs);
//! ```

#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod cdm;
pub mod challenge;
pub mod clearkey;
pub mod ecc;
pub mod expiry;
pub mod inspect;
pub mod kid;
pub mod policy;
pub mod soap;
pub mod xmr;

pub use kid::Kid;
