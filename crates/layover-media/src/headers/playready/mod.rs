//! PlayReady headers: the PlayReady Object (PRO) and the WRMHEADER XML inside it
//! (Microsoft "PlayReady Header Specification", PlayReady Object §2, WRMHEADER §3).

mod checksum;
mod pro;
mod wrmheader;
mod xml;

pub use checksum::{COCKTAIL_KEY_LEN, aes_ctr_checksum, cocktail_checksum, verify_checksum};
pub use pro::{Pro, ProRecord, RECORD_EMBEDDED_LICENSE_STORE, RECORD_WRMHEADER};
pub use wrmheader::{Algid, WrmHeader, WrmKid, WrmVersion};
