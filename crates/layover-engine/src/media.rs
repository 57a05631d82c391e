//! Files on disk through the media core: what an MP4 is protected with (`layover inspect`) and
//! decrypting one with known keys (`layover decrypt`).

use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use layover_media::Kid;
use layover_media::decrypt::{ContentKey, KeyStore, StreamError, decrypt_stream};
use layover_media::inspect::{Summary, SystemData, summarize};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::library::read_box_header;

/// The boxes before the media data are read into memory, never more than this.
const MAX_HEAD: u64 = 64 * 1024 * 1024;

/// `layover inspect --json` for an MP4 file. Field names are stable (documented in the README).
#[derive(Debug, Clone, Serialize)]
pub struct InspectReport {
    /// The file.
    pub file: String,
    /// Its size in bytes.
    pub size: u64,
    /// Movie fragments (`moof` boxes) in the file; 0 for a non-fragmented file.
    pub fragments: u64,
    /// Tracks in `moov` order.
    pub tracks: Vec<TrackReport>,
    /// Every protection system header, in file order.
    pub protection: Vec<SystemReport>,
}

/// One track.
#[derive(Debug, Clone, Serialize)]
pub struct TrackReport {
    /// Track ID.
    pub track_id: u32,
    /// `video`, `audio`, `text` or the handler code.
    pub kind: String,
    /// Codecs (`avc1`, `mp4a`, ...), protected entries resolved to what they protect.
    pub codecs: Vec<String>,
    /// Media timescale.
    pub timescale: Option<u32>,
    /// Duration in seconds, when the track header says (0 in fragmented files).
    pub duration_secs: Option<f64>,
    /// ISO-639-2 language.
    pub language: Option<String>,
    /// Encryption scheme (`cenc`, `cbcs`, `cens`, `cbc1`, `piff`), or none when clear.
    pub scheme: Option<String>,
    /// Key IDs.
    pub kids: Vec<KidReport>,
}

/// A key ID in the forms support staff meet.
#[derive(Debug, Clone, Serialize)]
pub struct KidReport {
    /// Big-endian with dashes, as in `tenc` and DASH `default_KID`.
    pub uuid: String,
    /// PlayReady's base64 of the little-endian GUID.
    pub playready_base64: String,
}

/// One protection system header.
#[derive(Debug, Clone, Serialize)]
pub struct SystemReport {
    /// `PlayReady`, `Widevine`, `FairPlay`, `W3C Common`, `ClearKey`, or `unknown`.
    pub system: String,
    /// The system ID.
    pub system_id: String,
    /// `pssh v0`, `pssh v1` or `PIFF protection header`.
    pub source: String,
    /// KIDs the header names (from the box, and from the PlayReady header or Widevine data).
    pub kids: Vec<KidReport>,
    /// For PlayReady: the WRMHEADER.
    pub playready: Option<PlayReadyReport>,
    /// For Widevine: its pssh data.
    pub widevine: Option<WidevineReport>,
    /// Why the header's data could not be read, if it could not.
    pub unreadable: Option<String>,
}

/// What a WRMHEADER says.
#[derive(Debug, Clone, Serialize)]
pub struct PlayReadyReport {
    /// `4.0.0.0` ... `4.3.0.0`.
    pub version: String,
    /// License acquisition URL.
    pub la_url: Option<String>,
    /// License UI URL.
    pub lui_url: Option<String>,
    /// Domain service ID.
    pub ds_id: Option<String>,
    /// Algorithm of each KID, in order (`AESCTR`, `AESCBC`, `COCKTAIL`).
    pub algids: Vec<Option<String>>,
    /// `CUSTOMATTRIBUTES` as raw XML.
    pub custom_attributes: Option<String>,
}

/// What Widevine's pssh data says.
#[derive(Debug, Clone, Serialize)]
pub struct WidevineReport {
    /// Content provider.
    pub provider: Option<String>,
    /// Content ID, hex.
    pub content_id: Option<String>,
    /// Protection scheme.
    pub protection_scheme: Option<String>,
}

fn kid(k: &Kid) -> KidReport {
    KidReport {
        uuid: k.to_uuid_string(),
        playready_base64: k.to_playready_base64(),
    }
}

/// Inspects an MP4 file (init segment, fragmented or not), reading only the boxes before the
/// media data and the headers of the rest.
pub fn inspect_file(path: &Path) -> Result<InspectReport> {
    let read_err = |source| Error::ReadFile {
        path: path.to_owned(),
        source,
    };
    let mut f = std::fs::File::open(path).map_err(read_err)?;
    let size = f.metadata().map_err(read_err)?.len();
    let (head, fragments) = read_head(&mut f, size).map_err(|reason| media_err(path, reason))?;
    let summary = summarize(&head).map_err(|e| media_err(path, e.to_string()))?;
    Ok(report(path, size, fragments, &summary))
}

fn media_err(path: &Path, reason: String) -> Error {
    Error::NotMedia {
        path: path.to_owned(),
        reason,
    }
}

/// The top-level boxes up to and including `moov` (media boxes skipped by seeking), and the
/// number of `moof` boxes in the whole file.
fn read_head(f: &mut std::fs::File, size: u64) -> std::result::Result<(Vec<u8>, u64), String> {
    let mut head = Vec::new();
    let mut at = 0u64;
    let mut fragments = 0u64;
    let mut have_moov = false;
    while at + 8 <= size {
        let b = read_box_header(f, at, size)?;
        b.check_fits(size)?;
        match &b.kind {
            b"moof" => fragments += 1,
            b"mdat" => {}
            _ if !have_moov => {
                if head.len() as u64 + b.size > MAX_HEAD {
                    return Err(format!("the header boxes are larger than {MAX_HEAD} bytes"));
                }
                let mut buf = vec![0u8; usize::try_from(b.size).map_err(|e| e.to_string())?];
                f.seek(SeekFrom::Start(at)).map_err(|e| e.to_string())?;
                f.read_exact(&mut buf).map_err(|e| e.to_string())?;
                head.extend_from_slice(&buf);
                have_moov |= &b.kind == b"moov";
            }
            _ => {}
        }
        at += b.size;
    }
    if !have_moov {
        return Err("no `moov` box: this is not an MP4 file or init segment (a media segment alone has no track information)".into());
    }
    Ok((head, fragments))
}

fn report(path: &Path, size: u64, fragments: u64, s: &Summary) -> InspectReport {
    let tracks = s
        .tracks
        .iter()
        .map(|t| {
            let handler = t.handler.map(|h| h.to_string());
            TrackReport {
                track_id: t.track_id,
                kind: match handler.as_deref() {
                    Some("vide") => "video".into(),
                    Some("soun") => "audio".into(),
                    Some("subt" | "text" | "sbtl") => "text".into(),
                    Some(other) => other.into(),
                    None => "unknown".into(),
                },
                codecs: t.codecs.iter().map(ToString::to_string).collect(),
                timescale: t.timescale,
                duration_secs: match (t.duration, t.timescale) {
                    (Some(d), Some(ts)) if ts > 0 => Some(d as f64 / f64::from(ts)),
                    _ => None,
                },
                language: t.language.clone(),
                scheme: t.scheme.map(|s| s.to_string()),
                kids: t.kids.iter().map(kid).collect(),
            }
        })
        .collect();
    let protection = s
        .systems
        .iter()
        .map(|sys| {
            let mut kids: Vec<KidReport> = sys.box_kids.iter().map(kid).collect();
            let mut r = SystemReport {
                system: sys.system_id.name().unwrap_or("unknown").to_owned(),
                system_id: sys.system_id.to_uuid_string(),
                source: sys.source.to_owned(),
                kids: Vec::new(),
                playready: None,
                widevine: None,
                unreadable: None,
            };
            match &sys.data {
                SystemData::PlayReady(h) => {
                    kids.extend(h.kids.iter().map(|k| kid(&k.kid)));
                    r.playready = Some(PlayReadyReport {
                        version: h.version.as_str().to_owned(),
                        la_url: h.la_url.clone(),
                        lui_url: h.lui_url.clone(),
                        ds_id: h.ds_id.clone(),
                        algids: h
                            .kids
                            .iter()
                            .map(|k| k.algid.as_ref().map(|a| a.as_str().to_owned()))
                            .collect(),
                        custom_attributes: h.custom_attributes.clone(),
                    });
                }
                SystemData::Widevine(w) => {
                    kids.extend(w.key_ids.iter().map(kid));
                    r.widevine = Some(WidevineReport {
                        provider: w.provider.clone(),
                        content_id: w
                            .content_id
                            .as_ref()
                            .map(|c| c.iter().map(|b| format!("{b:02x}")).collect()),
                        protection_scheme: w.protection_scheme.map(|s| s.to_string()),
                    });
                }
                SystemData::Opaque(_) => {}
                SystemData::Unreadable(e) => r.unreadable = Some(e.clone()),
            }
            let mut seen = std::collections::BTreeSet::new();
            kids.retain(|k| seen.insert(k.uuid.clone()));
            r.kids = kids;
            r
        })
        .collect();
    InspectReport {
        file: path.display().to_string(),
        size,
        fragments,
        tracks,
        protection,
    }
}

/// What `layover decrypt` did.
#[derive(Debug, Clone, Serialize)]
pub struct DecryptReport {
    /// The clear file written.
    pub output: PathBuf,
    /// Its size.
    pub bytes: u64,
}

/// Parses `KID:KEY` pairs (hex) into a key store.
pub fn key_store(keys: &[String]) -> Result<KeyStore> {
    let mut store = KeyStore::new();
    for pair in keys {
        let (k, v) = pair
            .split_once(':')
            .ok_or_else(|| Error::BadKey(pair.clone()))?;
        let kid = Kid::from_hex(k).map_err(|_| Error::BadKey(pair.clone()))?;
        let key = ContentKey::from_hex(v).map_err(|_| Error::BadKey(pair.clone()))?;
        store.insert(kid, key);
    }
    Ok(store)
}

/// Decrypts one MP4 file (fragmented or not) with `KID:KEY` pairs (hex) into `output`,
/// streaming: one fragment (or, for a non-fragmented file, one sample) in memory at a time,
/// however large the file. The output is written beside it as `<output>.part` and renamed
/// only when complete, so a failure leaves nothing half-written.
pub fn decrypt_mp4(input: &Path, output: &Path, keys: &[String]) -> Result<DecryptReport> {
    let store = key_store(keys)?;
    decrypt_mp4_with(input, output, &store)
}

/// [`decrypt_mp4`] with a ready key store.
pub fn decrypt_mp4_with(input: &Path, output: &Path, keys: &KeyStore) -> Result<DecryptReport> {
    use std::io::{BufReader, BufWriter};

    let read_err = |source| Error::ReadFile {
        path: input.to_owned(),
        source,
    };
    let write_err = |source| Error::WriteFile {
        path: output.to_owned(),
        source,
    };
    let file = std::fs::File::open(input).map_err(read_err)?;
    let part = crate::net::fetch::part_path(output);
    let result = (|| {
        let out = std::fs::File::create(&part).map_err(write_err)?;
        let mut reader = BufReader::with_capacity(1 << 20, file);
        let mut writer = BufWriter::with_capacity(1 << 20, out);
        let stats = decrypt_stream(&mut reader, &mut writer, keys).map_err(|e| match e {
            StreamError::Read(source) => read_err(source),
            StreamError::Write(source) => write_err(source),
            StreamError::Media(e) => media_err(input, e.to_string()),
        })?;
        let out = writer.into_inner().map_err(|e| write_err(e.into_error()))?;
        out.sync_all().map_err(write_err)?;
        std::fs::rename(&part, output).map_err(write_err)?;
        Ok(stats)
    })();
    match result {
        Ok(stats) => Ok(DecryptReport {
            output: output.to_owned(),
            bytes: stats.bytes_out,
        }),
        Err(e) => {
            let _ = std::fs::remove_file(&part);
            Err(e)
        }
    }
}
