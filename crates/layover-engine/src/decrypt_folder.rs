//! `layover decrypt` on a folder: a packager's output (or a downloaded title) holding one
//! manifest (DASH `.mpd`, HLS `.m3u8`, Smooth `.ism`/`.ismc`/`Manifest`) and the files it
//! references. Each track becomes one clear fragmented MP4: its init segment (synthesised
//! for Smooth) and every media segment, decrypted one segment at a time. An HLS track whose
//! playlist switches `EXT-X-MAP` becomes one MP4 per run of segments sharing an init.
//!
//! Every output is written as `<name>.part` and renamed only when every track succeeded;
//! on any error the `.part` files are removed, so nothing half-written is left behind.

use std::collections::BTreeSet;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use layover_manifest::{Presentation, Track, TrackKind, hls};
use layover_media::boxes::moof::tfhd::Tfhd;
use layover_media::boxes::{BoxCodec, parse_box, walk};
use layover_media::decrypt::{Decryptor, KeyStore};
use layover_media::fourcc::types;
use layover_media::{FourCc, Kid};
use serde::Serialize;
use url::Url;

use crate::error::{Error, Result};

/// One clear track written by [`decrypt_folder`].
#[derive(Debug, Clone, Serialize)]
pub struct FolderTrack {
    /// The manifest's ID for the track.
    pub id: String,
    /// `video`, `audio`, `text` or `other`.
    pub kind: String,
    /// Language, when the manifest gives one.
    pub language: Option<String>,
    /// Bitrate in bits per second, when the manifest gives one.
    pub bitrate: Option<u64>,
    /// Media segments decrypted.
    pub segments: usize,
    /// The clear MP4.
    pub output: PathBuf,
    /// Its size.
    pub bytes: u64,
}

/// What [`decrypt_folder`] did.
#[derive(Debug, Clone, Serialize)]
pub struct FolderReport {
    /// The manifest read.
    pub manifest: PathBuf,
    /// One entry per track, in manifest order.
    pub tracks: Vec<FolderTrack>,
}

/// True when `path` is a folder (the input of a folder decryption).
pub fn is_folder(path: &Path) -> bool {
    path.is_dir()
}

/// The manifest in `dir`: exactly one file named like one (a Smooth `.ismc` wins over its
/// `.ism`, an HLS master over its media playlists). The same rules `layover inspect` uses.
pub fn find_manifest(dir: &Path) -> Result<PathBuf> {
    crate::manifest::find_manifest(dir)
}

fn file_url(path: &Path) -> Result<Url> {
    let abs = std::path::absolute(path).map_err(|source| Error::ReadFile {
        path: path.to_owned(),
        source,
    })?;
    Url::from_file_path(&abs).map_err(|()| Error::NotMedia {
        path: abs,
        reason: "not a usable file path".into(),
    })
}

fn url_path(url: &Url) -> Result<PathBuf> {
    url.to_file_path().map_err(|()| Error::NotMedia {
        path: PathBuf::from(url.as_str()),
        reason:
            "the manifest points outside this folder (not a local file); download the title first"
                .into(),
    })
}

fn read_all(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|source| Error::ReadFile {
        path: path.to_owned(),
        source,
    })
}

/// Parses a local manifest (reading an HLS master's media playlists too), without network.
pub fn load_local_presentation(manifest: &Path) -> Result<Presentation> {
    let url = file_url(manifest)?;
    let bad = |path: &Path, reason: String| Error::NotMedia {
        path: path.to_owned(),
        reason,
    };
    let bytes = read_all(manifest)?;
    let text = layover_manifest::decode_text(&bytes)
        .map_err(|e| bad(manifest, e.to_string()))?
        .into_owned();
    if text
        .lines()
        .any(|l| l.trim_start().starts_with("#EXT-X-STREAM-INF"))
    {
        let master = hls::parse_master(&text, &url).map_err(|e| bad(manifest, e.to_string()))?;
        let mut media = Vec::new();
        for u in master.media_playlist_urls() {
            let p = url_path(&u)?;
            let b = read_all(&p)?;
            let t = layover_manifest::decode_text(&b)
                .map_err(|e| bad(&p, e.to_string()))?
                .into_owned();
            media.push((u, t));
        }
        let borrowed: Vec<(Url, &str)> =
            media.iter().map(|(u, t)| (u.clone(), t.as_str())).collect();
        hls::assemble(&master, &borrowed).map_err(|e| bad(manifest, e.to_string()))
    } else {
        layover_manifest::parse(text.as_bytes(), &url).map_err(|e| bad(manifest, e.to_string()))
    }
}

/// Bytes of a segment: the whole file, or its inclusive byte range.
fn read_segment(url: &Url, range: Option<(u64, u64)>, buf: &mut Vec<u8>) -> Result<u64> {
    let path = url_path(url)?;
    let read_err = |source| Error::ReadFile {
        path: path.clone(),
        source,
    };
    let mut f = std::fs::File::open(&path).map_err(read_err)?;
    buf.clear();
    match range {
        None => {
            f.read_to_end(buf).map_err(read_err)?;
            Ok(0)
        }
        Some((start, end)) => {
            let len = end.checked_add(1).and_then(|e| e.checked_sub(start));
            let len = len.ok_or_else(|| Error::NotMedia {
                path: path.clone(),
                reason: format!("bad byte range {start}-{end}"),
            })?;
            f.seek(SeekFrom::Start(start)).map_err(read_err)?;
            f.take(len).read_to_end(buf).map_err(read_err)?;
            if buf.len() as u64 != len {
                return Err(Error::NotMedia {
                    path: path.clone(),
                    reason: format!("byte range {start}-{end} is past the end of the file"),
                });
            }
            Ok(start)
        }
    }
}

fn kind_name(k: &TrackKind) -> &'static str {
    match k {
        TrackKind::Video => "video",
        TrackKind::Audio => "audio",
        TrackKind::Text => "text",
        TrackKind::Other => "other",
    }
}

/// `video-720p-2500k`, `audio-en-128k`, `text-fr`: only ASCII letters, digits, `.`, `_`
/// and `-`, unique within `taken`.
pub fn track_file_name(track: &Track, taken: &mut BTreeSet<String>) -> String {
    let mut parts = vec![kind_name(&track.kind).to_owned()];
    if let Some(l) = track.language.as_deref().filter(|l| !l.is_empty()) {
        parts.push(l.to_owned());
    }
    if let Some(h) = track.height.filter(|_| track.kind == TrackKind::Video) {
        parts.push(format!("{h}p"));
    }
    if let Some(b) = track.bitrate {
        parts.push(format!("{}k", b.div_ceil(1000)));
    }
    let base: String = parts
        .join("-")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let base = base.trim_matches(['.', '-', '_']).to_owned();
    let base = if base.is_empty() {
        "track".to_owned()
    } else {
        base
    };
    let mut name = base.clone();
    let mut n = 2;
    while !taken.insert(name.clone()) {
        name = format!("{base}-{n}");
        n += 1;
    }
    name
}

/// The track ID in the first `tfhd` of a segment (Smooth init segments must match it).
pub(crate) fn first_track_id(segment: &[u8]) -> Option<u32> {
    let moof = walk(segment, 0, FourCc::default())
        .flatten()
        .find(|b| b.header.box_type == types::MOOF)?;
    let moof = parse_box(&moof).ok()?;
    let traf = moof.child(types::TRAF)?;
    Tfhd::from_box(traf.child(types::TFHD)?)
        .ok()
        .map(|t| t.track_id)
}

/// The init segment of a Smooth track, synthesised from the manifest (PIFF 1.1 protection
/// when the manifest names a key).
pub(crate) fn smooth_init(track: &Track, first_segment: &[u8]) -> Result<Vec<u8>> {
    use layover_manifest::smooth::init::{InitProtection, build_init_segment};
    let track_id = first_track_id(first_segment).unwrap_or(1);
    let protection = track
        .protection
        .iter()
        .find_map(|p| p.default_kid)
        .map(|kid| InitProtection {
            scheme: *b"piff",
            kid,
            iv_size: 8,
        });
    build_init_segment(track, track_id, protection.as_ref()).map_err(|e| Error::NotMedia {
        path: PathBuf::from(&track.id),
        reason: format!("cannot build the Smooth init segment: {e}"),
    })
}

/// Decrypts every track of the manifest in `folder` into `out_dir` (created if needed), one
/// clear MP4 per track, with `keys`. A track under a KID with no key is an error naming it.
pub fn decrypt_folder(folder: &Path, out_dir: &Path, keys: &KeyStore) -> Result<FolderReport> {
    let manifest = find_manifest(folder)?;
    let mut presentation = load_local_presentation(&manifest)?;
    std::fs::create_dir_all(out_dir).map_err(|source| Error::WriteFile {
        path: out_dir.to_owned(),
        source,
    })?;
    let mut written: Vec<(PathBuf, PathBuf)> = Vec::new();
    let result = (|| {
        let mut taken = BTreeSet::new();
        let mut tracks = Vec::new();
        for track in presentation.tracks.iter_mut() {
            let name = track_file_name(track, &mut taken);
            // A playlist that switches EXT-X-MAP becomes one file per run of segments
            // sharing an init (a fragmented MP4 has one `moov`): NAME.mp4, NAME-part2.mp4, ...
            let mut runs = init_runs(track);
            for (i, run) in runs.iter_mut().enumerate() {
                let file = match i {
                    0 => format!("{name}.mp4"),
                    _ => format!("{name}-part{}.mp4", i + 1),
                };
                let output = out_dir.join(file);
                let part = crate::net::fetch::part_path(&output);
                written.push((part.clone(), output.clone()));
                let (segments, bytes) = decrypt_track(run, &part, keys)?;
                tracks.push(FolderTrack {
                    id: track.id.clone(),
                    kind: kind_name(&track.kind).to_owned(),
                    language: track.language.clone(),
                    bitrate: track.bitrate,
                    segments,
                    output,
                    bytes,
                });
            }
        }
        for (part, output) in &written {
            std::fs::rename(part, output).map_err(|source| Error::WriteFile {
                path: output.clone(),
                source,
            })?;
        }
        Ok(tracks)
    })();
    match result {
        Ok(tracks) => Ok(FolderReport { manifest, tracks }),
        Err(e) => {
            for (part, _) in &written {
                let _ = std::fs::remove_file(part);
            }
            Err(e)
        }
    }
}

/// The track as it is, or, when its HLS playlist switches `EXT-X-MAP` mid-way, one track
/// per run of consecutive segments that share an init segment.
fn init_runs(track: &Track) -> Vec<Track> {
    if !track.switches_init() {
        return vec![track.clone()];
    }
    let mut empty = track.clone();
    empty.segments.clear();
    let mut runs: Vec<Track> = Vec::new();
    for seg in &track.segments {
        let init = track.init_of(seg).cloned();
        let mut seg = seg.clone();
        seg.init = None;
        match runs.last_mut() {
            Some(run) if run.init == init => run.segments.push(seg),
            _ => {
                let mut run = empty.clone();
                run.init = init;
                run.segments.push(seg);
                runs.push(run);
            }
        }
    }
    runs
}

/// One track: init (read, or synthesised for Smooth) and every segment, into `part`.
fn decrypt_track(track: &mut Track, part: &Path, keys: &KeyStore) -> Result<(usize, u64)> {
    let write_err = |source| Error::WriteFile {
        path: part.to_owned(),
        source,
    };
    let mut buf = Vec::new();
    // DASH SegmentBase: the segment list is in the sidx of the media file.
    if track.segments.is_empty()
        && let Some(index) = track.index.clone()
    {
        read_segment(&index.url, index.byte_range, &mut buf)?;
        // A hierarchical index names further sidx boxes in the same file: read what it asks
        // for until it lists every segment (a few rounds: one or two per level).
        let bad_index = |e: layover_manifest::Error| Error::NotMedia {
            path: url_path(&index.url).unwrap_or_default(),
            reason: format!("the segment index cannot be read: {e}"),
        };
        let mut nested = std::collections::HashMap::new();
        let mut rounds = 0;
        loop {
            let missing = track.apply_sidx_tree(&buf, &nested).map_err(bad_index)?;
            if missing.is_empty() {
                break;
            }
            rounds += 1;
            if rounds > 20 {
                return Err(Error::NotMedia {
                    path: url_path(&index.url).unwrap_or_default(),
                    reason: "the segment index is still incomplete after 20 reads".into(),
                });
            }
            for (start, end) in missing {
                let mut bytes = Vec::new();
                read_segment(&index.url, Some((start, end)), &mut bytes)?;
                nested.insert(start, bytes);
            }
        }
    }
    if track.segments.is_empty() {
        return Err(Error::NotMedia {
            path: PathBuf::from(&track.id),
            reason: format!("track {} lists no media segments", track.id),
        });
    }
    let init = match &track.init {
        Some(init) => {
            let mut b = Vec::new();
            read_segment(&init.url, init.byte_range, &mut b)?;
            b
        }
        None if track.smooth.is_some() => {
            let first = &track.segments[0];
            read_segment(&first.url, first.byte_range, &mut buf)?;
            smooth_init(track, &buf)?
        }
        None => {
            return Err(Error::NotMedia {
                path: PathBuf::from(&track.id),
                reason: format!("track {} has no init segment", track.id),
            });
        }
    };
    let media_err = |what: &Url, e: layover_media::Error| Error::NotMedia {
        path: url_path(what).unwrap_or_else(|_| PathBuf::from(what.as_str())),
        reason: e.to_string(),
    };
    let init_url = track
        .init
        .as_ref()
        .map_or_else(|| track.segments[0].url.clone(), |i| i.url.clone());
    let mut dec = Decryptor::new(&init, keys).map_err(|e| media_err(&init_url, e))?;
    // Fail before writing anything when a KID the track names has no key.
    for kid in dec.tracks().values().flat_map(|t| t.kids()) {
        if keys.get(&kid).is_none() {
            return Err(media_err(
                &init_url,
                layover_media::Error::MissingKey { kid },
            ));
        }
    }
    for p in &track.protection {
        if let Some(kid) = p.default_kid
            && keys.get(&Kid(kid.0)).is_none()
            && dec.tracks().values().all(|t| t.kids().is_empty())
        {
            return Err(media_err(
                &init_url,
                layover_media::Error::MissingKey { kid: Kid(kid.0) },
            ));
        }
    }
    let file = std::fs::File::create(part).map_err(write_err)?;
    let mut out = BufWriter::with_capacity(1 << 20, file);
    let clear_init = dec.decrypt_init().map_err(|e| media_err(&init_url, e))?;
    out.write_all(&clear_init).map_err(write_err)?;
    let mut bytes = clear_init.len() as u64;
    for seg in &track.segments {
        let offset = read_segment(&seg.url, seg.byte_range, &mut buf)?;
        let clear = dec
            .decrypt_in_place(&mut buf, offset)
            .map_err(|e| media_err(&seg.url, e))?;
        clear.write_to(&mut out).map_err(write_err)?;
        bytes += clear.len();
    }
    let file = out.into_inner().map_err(|e| write_err(e.into_error()))?;
    file.sync_all().map_err(write_err)?;
    Ok((track.segments.len(), bytes))
}
