//! Boxes under `moof` (ISO/IEC 14496-12 §8.8, §8.7.8-§8.7.9, §8.9; ISO/IEC 23001-7 §7).

pub mod mfhd;
pub mod saio;
pub mod saiz;
pub mod sample_group;
pub mod senc;
pub mod tfdt;
pub mod tfhd;
pub mod trun;
