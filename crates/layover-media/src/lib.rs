//! Layover's media core: ISO-BMFF boxes, CENC/PIFF decryption, and DRM headers.
//!
//! Pure: bytes in, structs out. No file system, network, async or clock; callers (the
//! engine, the CLI) own all IO. Every parser of outside bytes returns an [`Error`] naming
//! the box, the offset and what is wrong, and never panics.
//!
//! - [`boxes`]: the ISO/IEC 14496-12 box tree. A bounds-checked walker ([`boxes::walk`]),
//!   a generic tree that keeps unknown boxes and writes back byte-exactly
//!   ([`boxes::Mp4Box`]), and typed boxes (`tenc`, `senc`, `trun`, `pssh`, PIFF uuid boxes,
//!   ...) implementing [`boxes::BoxCodec`].
//! - [`decrypt`]: `cenc`, `cbcs`, `cens`, `cbc1` (ISO/IEC 23001-7 §10) and PIFF 1.1 CTR/CBC
//!   to clear fragmented MP4, one fragment at a time ([`decrypt::Decryptor`]), or a whole
//!   file in memory, fragmented or not ([`decrypt::decrypt_file`]).
//! - [`headers`]: `pssh` data per system, the PlayReady Object and WRMHEADER 4.0-4.3 (with
//!   the AESCTR `CHECKSUM`), and Widevine's pssh protobuf.
//! - [`inspect`]: the at-a-glance summary of tracks and protection that `layover inspect`
//!   shows.
//! - [`Kid`]: key IDs in every textual form systems use.
//!
//! # Example
//!
//! Build the PlayReady header a packager would write, put it in a `pssh`, and read it back
//! the way `layover inspect` does:
//!
//! ```
//! use layover_media::boxes::BoxCodec;
//! use layover_media::boxes::protection::pssh::{Pssh, SystemId};
//! use layover_media::headers::{playready, playready_pssh};
//! use layover_media::Kid;
//!
//! let kid = Kid::from_hex("f81d4fae-7dec-11d0-a765-00a0c91e6bf6")?;
//! let key = [0x11; 16];
//! let header = playready::WrmHeader {
//!     version: playready::WrmVersion::V4_2,
//!     kids: vec![playready::WrmKid::aes_ctr_with_key(kid, &key)],
//!     la_url: Some("https://license.example/rightsmanager.asmx".into()),
//!     lui_url: None,
//!     ds_id: None,
//!     custom_attributes: None,
//!     decryptor_setup: None,
//! };
//! let pssh_bytes = playready_pssh(&playready::Pro::from_header(&header), &[kid]).to_bytes();
//!
//! // ... later, from a file: skip the 8-byte box header and parse.
//! let pssh = Pssh::parse(&pssh_bytes[8..], 8)?;
//! assert_eq!(pssh.system_id, SystemId::PLAYREADY);
//! let parsed = playready::Pro::parse(&pssh.data)?.wrm_header()?;
//! assert_eq!(parsed.kids[0].kid.to_playready_base64(), "rk8d+Ox90BGnZQCgyR5r9g==");
//! assert_eq!(parsed.kids[0].verify(&key), Some(true));
//! assert_eq!(parsed.la_url.as_deref(), Some("https://license.example/rightsmanager.asmx"));
//! # Ok::<(), layover_media::Error>(())
//! ```
//!
//! Decrypting a fragmented stream, one fragment at a time (IO belongs to the caller):
//!
//! ```no_run
//! use layover_media::decrypt::{Decryptor, KeyStore};
//!
//! # fn fragments() -> Vec<Vec<u8>> { Vec::new() }
//! let mut keys = KeyStore::new();
//! keys.insert_pair("0a1b2c3d4e5f40718293a4b5c6d7e8f9:00112233445566778899aabbccddeeff")?;
//! let init = std::fs::read("init.mp4").expect("read init");
//! let mut decryptor = Decryptor::new(&init, &keys)?;
//! let mut clear = decryptor.decrypt_init()?;
//! for fragment in fragments() {
//!     clear.extend(decryptor.decrypt_fragment(&fragment)?);
//! }
//! # Ok::<(), layover_media::Error>(())
//! ```

pub mod boxes;
pub mod bytes;
pub mod decrypt;
pub mod error;
pub mod fourcc;
pub mod headers;
pub mod inspect;
pub mod kid;
pub mod remux;

pub use error::{Error, Result};
pub use fourcc::FourCc;
pub use kid::Kid;
