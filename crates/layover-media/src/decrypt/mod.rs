//! Decryption of protected ISO-BMFF into clear ISO-BMFF.
//!
//! [`Decryptor`] works one fragment (or media segment) at a time: memory stays bounded by
//! the largest fragment however long the file. [`decrypt_stream`] decrypts a whole file,
//! fragmented or not, from any `Read + Seek` to any `Write + Seek` with bounded memory;
//! [`decrypt_file`] is the same for a file held in memory (both give identical bytes).

pub mod cipher;
mod file;
mod fragment;
pub mod init;
pub mod keys;
pub mod params;
mod progressive;
mod stream;
pub mod track;

use std::collections::BTreeMap;

pub use cipher::{Pattern, Scheme};
pub use file::decrypt_file;
pub use keys::{ContentKey, KeyStore};
pub use stream::{MAX_BUFFERED, StreamError, StreamStats, decrypt_stream};
pub use track::{EntryProtection, TrackInfo};

use crate::boxes::{Mp4Box, parse_box, walk};
use crate::error::{Error, Result};
use crate::fourcc::{FourCc, types};

/// Decrypts a fragmented stream: built from the init segment, then fed fragments or whole
/// media segments.
///
/// This is also the per-segment API for serving DASH, HLS (fMP4) or Smooth segments
/// decrypted on the fly: build one from the init segment (for Smooth, the one
/// `layover-manifest` synthesises) and the keys, answer the init request with
/// [`Decryptor::decrypt_init`], and each media segment request with
/// [`Decryptor::decrypt_segment`]. Each call is independent of the others (segments may
/// come in any order, and a clone per request or thread is cheap: expanded keys are
/// shared by value), and its output is byte for byte what [`decrypt_file`] and
/// [`decrypt_stream`] write for that segment's part of the whole title (init + segments
/// concatenated).
///
/// ```no_run
/// use layover_media::decrypt::{Decryptor, KeyStore};
///
/// let mut keys = KeyStore::new();
/// keys.insert_pair("0a1b2c3d4e5f40718293a4b5c6d7e8f9:00112233445566778899aabbccddeeff")?;
/// let init = std::fs::read("video/init.mp4").expect("init");
/// let decryptor = Decryptor::new(&init, &keys)?;
/// let clear_init: Vec<u8> = decryptor.decrypt_init()?;
/// // Per request (e.g. GET video/7.m4s), on a clone:
/// let segment = std::fs::read("video/7.m4s").expect("segment");
/// let clear_segment: Vec<u8> = decryptor.clone().decrypt_segment(&segment)?;
/// # Ok::<(), layover_media::Error>(())
/// ```
#[derive(Clone)]
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

    /// Decrypts one media segment as a packager writes it to its own file or byte range:
    /// optional `styp`, `sidx`, `emsg`, `prft`, then one or more `moof` + `mdat`. A
    /// `sidx` inside it is rewritten to the new sizes. Same as
    /// [`Decryptor::decrypt_fragment`]; the name says what the playback server feeds it.
    pub fn decrypt_segment(&mut self, segment: &[u8]) -> Result<Vec<u8>> {
        self.decrypt_fragment_at(segment, 0)
    }

    /// Decrypts one fragment or media segment in place, without copying it: the samples in
    /// `fragment` are decrypted where they are, and the returned [`ClearFragment`] writes
    /// the rebuilt `moof` (and `sidx`) followed by the untouched parts of `fragment`. Its
    /// bytes are those of [`Decryptor::decrypt_fragment_at`] for the same input.
    pub fn decrypt_in_place<'a>(
        &mut self,
        fragment: &'a mut [u8],
        file_offset: u64,
    ) -> Result<ClearFragment<'a>> {
        let pieces = fragment::decrypt_in_place(
            fragment,
            file_offset,
            &self.tracks,
            &self.keys,
            &mut self.cache,
        )?;
        Ok(ClearFragment {
            data: fragment,
            pieces,
        })
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

/// A decrypted fragment, as rebuilt boxes plus ranges of the input buffer it was decrypted
/// in (see [`Decryptor::decrypt_in_place`]).
#[derive(Debug)]
pub struct ClearFragment<'a> {
    data: &'a [u8],
    pieces: Vec<fragment::Piece>,
}

impl ClearFragment<'_> {
    /// Length in bytes.
    pub fn len(&self) -> u64 {
        fragment::pieces_len(&self.pieces)
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Writes the clear fragment.
    pub fn write_to<W: std::io::Write + ?Sized>(&self, w: &mut W) -> std::io::Result<()> {
        for p in &self.pieces {
            match p {
                fragment::Piece::Bytes(b) => w.write_all(b)?,
                fragment::Piece::Input(s, e) => w.write_all(&self.data[*s..*e])?,
            }
        }
        Ok(())
    }

    /// The clear fragment as one buffer.
    pub fn to_vec(&self) -> Vec<u8> {
        fragment::assemble(self.data, &self.pieces)
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
