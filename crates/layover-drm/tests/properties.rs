//! Property tests for every parser of outside bytes and for the expiry rules. One integration
//! test binary for the crate (STYLE.md "Tests and CI"); each room has its own module.

#![allow(clippy::unwrap_used)]

#[path = "properties/challenge.rs"]
mod challenge;
#[path = "properties/clearkey.rs"]
mod clearkey;
#[path = "properties/ecc.rs"]
mod ecc;
#[path = "properties/expiry.rs"]
mod expiry;
#[path = "properties/golden.rs"]
mod golden;
#[path = "properties/hostile.rs"]
mod hostile;
#[path = "properties/soap.rs"]
mod soap;
#[path = "properties/xmr.rs"]
mod xmr;
