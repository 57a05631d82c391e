//! Protection boxes: `sinf`/`frma`/`schm`/`tenc` (ISO/IEC 23001-7 §8.1-§8.2, ISO/IEC
//! 14496-12 §8.12), `pssh` (ISO/IEC 23001-7 §8.1), and PIFF 1.1's uuid boxes.

pub mod piff;
pub mod pssh;
pub mod sinf;
pub mod tenc;
