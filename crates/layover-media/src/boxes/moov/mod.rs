//! Boxes under `moov` (ISO/IEC 14496-12 §8.2-§8.8): track headers, media headers, handler,
//! movie extends, and the sample entries.

pub mod hdlr;
pub mod mdhd;
pub mod sample_entry;
pub mod sample_table;
pub mod tkhd;
pub mod trex;
