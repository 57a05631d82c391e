//! Four-character codes (ISO/IEC 14496-12 §4.2: box types are four printable bytes).

use std::fmt;

/// A box type or other four-character code, kept as the raw bytes.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct FourCc(pub [u8; 4]);

impl FourCc {
    /// Builds a code from a 4-byte literal, e.g. `FourCc::new(b"moov")`.
    pub const fn new(code: &[u8; 4]) -> Self {
        FourCc(*code)
    }

    /// The code as a big-endian integer, as it appears on the wire.
    pub const fn as_u32(self) -> u32 {
        u32::from_be_bytes(self.0)
    }
}

impl From<u32> for FourCc {
    fn from(v: u32) -> Self {
        FourCc(v.to_be_bytes())
    }
}

impl fmt::Display for FourCc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Non-printable bytes are shown escaped so a corrupt type is still readable in a log.
        for &b in &self.0 {
            if b.is_ascii_graphic() || b == b' ' {
                write!(f, "{}", b as char)?;
            } else {
                write!(f, "\\x{b:02x}")?;
            }
        }
        Ok(())
    }
}

impl fmt::Debug for FourCc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FourCc(\"{self}\")")
    }
}

/// Box types this crate names, as constants, so matches read like the spec.
#[allow(missing_docs)]
pub mod types {
    use super::FourCc;
    macro_rules! codes {
        ($($name:ident = $lit:literal),* $(,)?) => { $(pub const $name: FourCc = FourCc::new($lit);)* };
    }
    codes! {
        FTYP = b"ftyp", STYP = b"styp", MOOV = b"moov", MVHD = b"mvhd", TRAK = b"trak", TKHD = b"tkhd",
        MDIA = b"mdia", MDHD = b"mdhd", HDLR = b"hdlr", MINF = b"minf", STBL = b"stbl",
        STSD = b"stsd", DINF = b"dinf", EDTS = b"edts", MVEX = b"mvex", TREX = b"trex", MEHD = b"mehd",
        SINF = b"sinf", FRMA = b"frma", SCHM = b"schm", SCHI = b"schi", TENC = b"tenc",
        PSSH = b"pssh", SIDX = b"sidx", MOOF = b"moof", MFHD = b"mfhd", TRAF = b"traf",
        TFHD = b"tfhd", TFDT = b"tfdt", TRUN = b"trun", SENC = b"senc", SAIZ = b"saiz",
        SAIO = b"saio", SBGP = b"sbgp", SGPD = b"sgpd", MDAT = b"mdat", EMSG = b"emsg",
        UUID = b"uuid", MFRA = b"mfra", META = b"meta", UDTA = b"udta", FREE = b"free", SKIP = b"skip",
        STCO = b"stco", CO64 = b"co64", STSZ = b"stsz", STZ2 = b"stz2", STSC = b"stsc",
        AVC1 = b"avc1", AVC3 = b"avc3", HVC1 = b"hvc1", HEV1 = b"hev1", MP4A = b"mp4a",
        EC3 = b"ec-3", AC3 = b"ac-3", STPP = b"stpp", WVTT = b"wvtt", ENCV = b"encv",
        ENCA = b"enca", ENCS = b"encs", ENCT = b"enct", SEIG = b"seig",
        CENC = b"cenc", CBCS = b"cbcs", CENS = b"cens", CBC1 = b"cbc1", PIFF = b"piff",
        VIDE = b"vide", SOUN = b"soun", SUBT = b"subt", TEXT = b"text",
    }
}
