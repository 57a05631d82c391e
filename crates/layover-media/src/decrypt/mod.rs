//! Decryption of protected ISO-BMFF into clear ISO-BMFF.
//!
//! [`Decryptor`] works one fragment at a time: memory stays bounded by the largest fragment
//! however long the file. [`decrypt_file`] is the convenience for a whole file in memory,
//! fragmented or not.

pub mod cipher;
mod file;
mod fragment;
pub mod init;
pub mod keys;
pub mod params;
mod progressive;
pub mod track;

use std::collections::BTreeMap;

pub use cipher::{Pattern, Scheme};
pub use file::decrypt_file;
pub use keys::{ContentKey, KeyStore};
pub use track::{EntryProtection, TrackInfo};

use crate::boxes::{Mp4Box, parse_box, walk};
use crate::error::{Error, Result};
use crate::fourcc::{FourCc, types};

/// Decrypts a fragmented stream: built from the init segment, then fed fragments in order.
pub struct Decryptor {
    init: Vec<Mp4Box>,
    tracks: BTreeMap<u32, TrackInfo>,
    keys: KeyStore,
    cache: fragment::KeyCache,
}

impl std::fmt::Debug for Decryptor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Decryptor")
            .field("tracks", &self.tracks)
            .field("keys", &self.keys.len())
            .finish()
    }
}

/// Top-level boxes that start the media part of a file (after the init segment).
pub(crate) fn is_media_box(t: FourCc) -> bool {
    matches!(
        t,
        types::MOOF | types::MDAT | types::SIDX | types::STYP | types::EMSG | types::MFRA
    ) || t == FourCc::new(b"prft")
}

impl Decryptor {
    /// Reads an init segment (`ftyp` + `moov`; anything from the first `moof`, `mdat` or
    /// `sidx` on is ignored) and the keys to use.
    pub fn new(init_segment: &[u8], keys: &KeyStore) -> Result<Self> {
        let mut init = Vec::new();
        for b in walk(init_segment, 0, FourCc::default()) {
            let b = b?;
            if is_media_box(b.header.box_type) {
                break;
            }
            init.push(parse_box(&b)?);
        }
        let moov = init
            .iter()
            .find(|b| b.box_type == types::MOOV)
            .ok_or_else(|| Error::MissingBox {
                parent: FourCc::new(b"file"),
                child: types::MOOV,
                context: " (not an init segment)".into(),
            })?;
        let tracks = track::tracks_of(moov)?;
        check_keys(moov, keys)?;
        Ok(Decryptor {
            init,
            tracks,
            keys: keys.clone(),
            cache: fragment::KeyCache::default(),
        })
    }

    /// The tracks and their protection, by track ID.
    pub fn tracks(&self) -> &BTreeMap<u32, TrackInfo> {
        &self.tracks
    }

    /// The clear init segment.
    pub fn decrypt_init(&self) -> Result<Vec<u8>> {
        let mut boxes = self.init.clone();
        for b in boxes.iter_mut().filter(|b| b.box_type == types::MOOV) {
            init::clear_moov(b)?;
        }
        Ok(crate::boxes::write_all(&boxes))
    }

    /// Decrypts one fragment (`moof` + `mdat`, optionally with `styp`, `sidx`, `emsg`)
    /// whose first byte is at file offset 0 as far as explicit `tfhd` base data offsets are
    /// concerned. See [`Decryptor::decrypt_fragment_at`].
    pub fn decrypt_fragment(&mut self, fragment: &[u8]) -> Result<Vec<u8>> {
        self.decrypt_fragment_at(fragment, 0)
    }

    /// Decrypts one fragment that starts at absolute offset `file_offset` in its file
    /// (needed only when `tfhd` carries explicit base data offsets).
    pub fn decrypt_fragment_at(&mut self, fragment: &[u8], file_offset: u64) -> Result<Vec<u8>> {
        fragment::decrypt_fragment(
            fragment,
            file_offset,
            &self.tracks,
            &self.keys,
            &mut self.cache,
        )
    }
}

/// Checks supplied keys against the AESCTR `CHECKSUM`s of any PlayReady header in the init
/// segment (PlayReady Header Specification §3.3.2.1), so a wrong key fails up front with the
/// KID named instead of producing undecodable output. Headers that do not parse are left to
/// `inspect` to report; they do not block decryption.
fn check_keys(moov: &Mp4Box, keys: &KeyStore) -> Result<()> {
    use crate::boxes::BoxCodec;
    use crate::boxes::protection::piff::{self, PiffProtectionHeader};
    use crate::boxes::protection::pssh::{Pssh, SystemId};
    use crate::headers::playready::Pro;

    for b in moov.children() {
        let data = if b.box_type == types::PSSH {
            match Pssh::from_box(b) {
                Ok(p) if p.system_id == SystemId::PLAYREADY => p.data,
                _ => continue,
            }
        } else if let Some(Ok(h)) = piff::read::<PiffProtectionHeader>(b, &piff::PROTECTION_HEADER)
        {
            h.data
        } else {
            continue;
        };
        let Ok(header) = Pro::parse(&data).and_then(|p| p.wrm_header()) else {
            continue;
        };
        for k in &header.kids {
            if let Some(key) = keys.get(&k.kid)
                && k.verify(&key.0) == Some(false)
            {
                return Err(Error::WrongKey { kid: k.kid });
            }
        }
    }
    Ok(())
}
