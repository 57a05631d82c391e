//! A stored title made ready to serve: its tracks, where each segment lies on disk, and one
//! decryptor per track holding the content keys (in memory only).

use std::collections::HashMap;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use layover_manifest::{Track, TrackKind};
use layover_media::boxes::moof::tfdt::Tfdt;
use layover_media::boxes::moof::tfhd::Tfhd;
use layover_media::boxes::moof::trun::Trun;
use layover_media::boxes::moov::trex::Trex;
use layover_media::boxes::{BoxCodec, parse_box, walk};
use layover_media::decrypt::{ContentKey, Decryptor, KeyStore};
use layover_media::fourcc::types;
use layover_media::remux::{TrackDefaults, track_fragment};
use layover_media::{FourCc, Kid};

use crate::Engine;
use crate::error::{Error, Result};
use crate::library::{Title, TitleKind};
use crate::net::join_inside;

/// One media segment of a served track: where its protected bytes are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServedSegment {
    /// The file on disk.
    pub path: PathBuf,
    /// Inclusive byte range in it (absent: the whole file).
    pub range: Option<(u64, u64)>,
    /// Start, in the track's timescale (media timeline).
    pub start: u64,
    /// Duration, in the track's timescale.
    pub duration: u64,
}

/// One served track, as the manifest describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct ServedTrack {
    /// Video, audio or text.
    pub kind: TrackKind,
    /// `video/mp4`, `audio/mp4`, `application/mp4`, `text/vtt`.
    pub mime_type: String,
    /// Codec string.
    pub codec: Option<String>,
    /// Bits per second.
    pub bitrate: Option<u64>,
    /// Video width.
    pub width: Option<u32>,
    /// Video height.
    pub height: Option<u32>,
    /// Audio sample rate.
    pub sample_rate: Option<u32>,
    /// Language.
    pub language: Option<String>,
    /// Label.
    pub label: Option<String>,
    /// DASH roles.
    pub roles: Vec<String>,
    /// Ticks per second.
    pub timescale: u64,
    /// Presentation time offset, in ticks.
    pub presentation_time_offset: u64,
    /// Served with an init segment (MP4); false for raw text segments.
    pub has_init: bool,
    /// Extension of raw segments (`vtt`), when there is no init segment.
    pub raw_ext: String,
    /// Media segments in order.
    pub segments: Vec<ServedSegment>,
}

/// How one track's bytes become clear.
#[derive(Clone)]
pub(crate) struct TrackMedia {
    /// The clear init segment (empty for raw text).
    pub clear_init: Vec<u8>,
    /// Decrypts its segments (absent for raw text).
    pub decryptor: Option<Decryptor>,
    /// Served as one track of its fragments (Smooth, progressive files): the track ID whose
    /// part of each fragment is kept, given a `tfdt` from the segment's start.
    pub remux: Option<(u32, TrackDefaults)>,
}

/// A title ready to serve.
#[derive(Clone)]
pub struct PreparedTitle {
    /// The title.
    pub title_id: i64,
    /// Its tracks.
    pub tracks: Vec<ServedTrack>,
    /// Duration in seconds.
    pub duration_secs: f64,
    /// The clear manifest.
    pub manifest: String,
    pub(crate) media: Vec<TrackMedia>,
}

impl std::fmt::Debug for PreparedTitle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PreparedTitle")
            .field("title_id", &self.title_id)
            .field("tracks", &self.tracks)
            .finish_non_exhaustive()
    }
}

fn not_media(path: &Path, reason: impl Into<String>) -> Error {
    Error::NotMedia {
        path: path.to_owned(),
        reason: reason.into(),
    }
}

/// Bytes of a file, or an inclusive range of it.
pub(crate) fn read_part(path: &Path, range: Option<(u64, u64)>) -> Result<Vec<u8>> {
    let read_err = |source| Error::ReadFile {
        path: path.to_owned(),
        source,
    };
    let mut f = std::fs::File::open(path).map_err(read_err)?;
    let mut buf = Vec::new();
    match range {
        None => {
            f.read_to_end(&mut buf).map_err(read_err)?;
        }
        Some((start, end)) => {
            let len = end
                .checked_add(1)
                .and_then(|e| e.checked_sub(start))
                .ok_or_else(|| not_media(path, format!("bad byte range {start}-{end}")))?;
            f.seek(SeekFrom::Start(start)).map_err(read_err)?;
            f.take(len).read_to_end(&mut buf).map_err(read_err)?;
            if buf.len() as u64 != len {
                return Err(not_media(
                    path,
                    format!("byte range {start}-{end} is past the end of the file"),
                ));
            }
        }
    }
    Ok(buf)
}

impl PreparedTitle {
    /// The clear init segment of track `track`.
    pub fn init(&self, track: usize) -> Option<&[u8]> {
        let m = self.media.get(track)?;
        self.tracks[track]
            .has_init
            .then_some(m.clear_init.as_slice())
    }

    /// Media segment `n` of track `track`, decrypted (blocking: reads the disk).
    pub fn segment(&self, track: usize, n: usize) -> Result<Option<Vec<u8>>> {
        let (Some(t), Some(m)) = (self.tracks.get(track), self.media.get(track)) else {
            return Ok(None);
        };
        let Some(seg) = t.segments.get(n) else {
            return Ok(None);
        };
        let mut buf = read_part(&seg.path, seg.range)?;
        let Some(dec) = &m.decryptor else {
            return Ok(Some(buf));
        };
        let mut dec = dec.clone();
        let offset = seg.range.map_or(0, |r| r.0);
        let clear = dec
            .decrypt_in_place(&mut buf, offset)
            .map_err(|e| not_media(&seg.path, e.to_string()))?;
        let mut out = Vec::with_capacity(usize::try_from(clear.len()).unwrap_or(0));
        clear
            .write_to(&mut out)
            .map_err(|e| Error::Internal(format!("writing a segment to memory: {e}")))?;
        if let Some((track_id, defaults)) = m.remux {
            return track_fragment(&out, track_id, seg.start, defaults)
                .map_err(|e| not_media(&seg.path, e.to_string()))?
                .ok_or_else(|| {
                    not_media(
                        &seg.path,
                        format!("segment {n} holds no sample of track {track_id}"),
                    )
                })
                .map(Some);
        }
        Ok(Some(out))
    }
}

/// A title file row: where it came from and where it is.
struct FileRow {
    rel_path: String,
    url: String,
    range: Option<(u64, u64)>,
    done: bool,
}

type FileKey = (String, Option<(u64, u64)>);
/// `(rel_path, url, range_start, range_end, done)` as the query reads it.
type FileTuple = (String, String, Option<i64>, Option<i64>, bool);

fn mime_of(t: &Track) -> String {
    if let Some(m) = &t.mime_type {
        return m.clone();
    }
    match t.kind {
        TrackKind::Video => "video/mp4",
        TrackKind::Audio => "audio/mp4",
        _ => "application/mp4",
    }
    .to_owned()
}

fn served_track(
    t: &Track,
    has_init: bool,
    raw_ext: String,
    segments: Vec<ServedSegment>,
) -> ServedTrack {
    ServedTrack {
        kind: t.kind,
        mime_type: mime_of(t),
        codec: t.codec.clone(),
        bitrate: t.bitrate,
        width: t.width,
        height: t.height,
        sample_rate: t.sample_rate,
        language: t.language.clone(),
        label: t.label.clone(),
        roles: t.roles.clone(),
        timescale: t.timescale,
        presentation_time_offset: t.presentation_time_offset,
        has_init,
        raw_ext,
        segments,
    }
}

/// One track of a fragmented progressive file: its ID, timescale and fragments.
pub(crate) struct FileTrack {
    pub track_id: u32,
    pub timescale: u64,
    pub segments: Vec<ServedSegment>,
}

/// The tracks of a fragmented MP4 file and, for each, its fragments: every `moof` with a
/// `traf` of the track is one segment (its byte range runs to the next `moof`, so it holds
/// the `mdat`), timed from `tfdt` or, without one, from the running sum of the track's
/// `trun` durations. A file whose tracks share fragments lists the same byte range under
/// each; [`layover_media::remux::track_fragment`] keeps each track's part when serving.
/// Returns the init part's length and the tracks in `moov` order.
pub(crate) fn fragments_of(path: &Path, bytes: &[u8]) -> Result<(u64, Vec<FileTrack>)> {
    let bad = |r: String| not_media(path, r);
    let mut init_end = None;
    let mut starts = Vec::new();
    let mut moov = None;
    let mut end = 0u64;
    for b in walk(bytes, 0, FourCc::default()) {
        let b = b.map_err(|e| bad(e.to_string()))?;
        let t = b.header.box_type;
        if t == types::MOOV {
            moov = Some(parse_box(&b).map_err(|e| bad(e.to_string()))?);
        }
        if t == types::MOOF {
            init_end.get_or_insert(b.header.offset);
            starts.push((
                b.header.offset,
                parse_box(&b).map_err(|e| bad(e.to_string()))?,
            ));
        }
        end = b.header.offset + b.header.size;
    }
    let moov = moov.ok_or_else(|| bad("no moov box: not an MP4 Layover can play".into()))?;
    let Some(init_end) = init_end else {
        return Err(bad(
            "this MP4 is not fragmented (one moov indexing every sample); Layover's player \
             plays fragmented MP4 (PIFF, CMAF) only. The file is intact: `layover decrypt` \
             with the title's keys makes a clear copy any player opens"
                .into(),
        ));
    };
    let mut tracks = Vec::new();
    for trak in moov.children_of(types::TRAK) {
        let Some(track_id) = trak
            .child(types::TKHD)
            .and_then(|t| layover_media::boxes::moov::tkhd::Tkhd::from_box(t).ok())
            .map(|t| t.track_id)
        else {
            continue;
        };
        let timescale = trak
            .child(types::MDIA)
            .and_then(|m| m.child(types::MDHD))
            .and_then(|m| layover_media::boxes::moov::mdhd::Mdhd::from_box(m).ok())
            .map_or(1000, |m| u64::from(m.timescale));
        let trex_default = moov
            .child(types::MVEX)
            .into_iter()
            .flat_map(|mvex| mvex.children_of(types::TREX))
            .filter_map(|t| Trex::from_box(t).ok())
            .find(|t| t.track_id == track_id)
            .map_or(0, |t| t.default_sample_duration);
        let mut segments = Vec::new();
        let mut running = 0u64;
        for (i, (offset, moof)) in starts.iter().enumerate() {
            let next = starts.get(i + 1).map_or(end, |(o, _)| *o);
            let Some(traf) = moof.children_of(types::TRAF).find(|traf| {
                traf.child(types::TFHD)
                    .and_then(|t| Tfhd::from_box(t).ok())
                    .is_some_and(|t| t.track_id == track_id)
            }) else {
                continue;
            };
            let tfhd = traf
                .child(types::TFHD)
                .and_then(|t| Tfhd::from_box(t).ok())
                .ok_or_else(|| bad("a fragment without tfhd".into()))?;
            let default = u64::from(tfhd.default_sample_duration.unwrap_or(trex_default));
            let duration: u64 = traf
                .children_of(types::TRUN)
                .filter_map(|t| Trun::from_box(t).ok())
                .map(|t| {
                    if t.flags & layover_media::boxes::moof::trun::SAMPLE_DURATION == 0 {
                        u64::from(t.sample_count).saturating_mul(default)
                    } else {
                        t.samples.iter().map(|s| u64::from(s.duration)).sum()
                    }
                })
                .sum();
            let start = traf
                .child(types::TFDT)
                .and_then(|t| Tfdt::from_box(t).ok())
                .map_or(running, |t| t.base_media_decode_time);
            running = start.saturating_add(duration);
            segments.push(ServedSegment {
                path: path.to_owned(),
                range: Some((*offset, next - 1)),
                start,
                duration,
            });
        }
        if !segments.is_empty() {
            tracks.push(FileTrack {
                track_id,
                timescale,
                segments,
            });
        }
    }
    if tracks.is_empty() {
        return Err(bad("no track of this MP4 has a fragment".into()));
    }
    Ok((init_end, tracks))
}

impl Engine {
    async fn title_file_rows(&self, title_id: i64) -> Result<Vec<FileRow>> {
        let rows: Vec<FileTuple> = sqlx::query_as(
            "SELECT rel_path, url, range_start, range_end, done_at IS NOT NULL FROM title_files
             WHERE title_id = ?1 ORDER BY id",
        )
        .bind(title_id)
        .fetch_all(self.store().pool())
        .await
        .map_err(Error::db("reading a title's files"))?;
        Ok(rows
            .into_iter()
            .map(|(rel_path, url, s, e, done)| FileRow {
                rel_path,
                url,
                range: s
                    .zip(e)
                    .and_then(|(s, e)| Some((u64::try_from(s).ok()?, u64::try_from(e).ok()?))),
                done,
            })
            .collect())
    }

    /// The content keys Layover holds for a title, by KID (opened in memory).
    async fn title_keys(&self, title_id: i64) -> Result<KeyStore> {
        let mut keys = KeyStore::new();
        for l in self.title_licenses(title_id).await? {
            let Ok(kid) = layover_drm::Kid::parse_hex(&l.kid) else {
                continue;
            };
            if let Some(key) = self.content_key(title_id, kid).await? {
                let bytes: [u8; 16] = key.expose().as_slice().try_into().map_err(|_| {
                    Error::Internal(format!("the stored key for {} is not 16 bytes", l.kid))
                })?;
                keys.insert(Kid(kid.0), ContentKey(bytes));
            }
        }
        Ok(keys)
    }

    /// Reads a stored title into what [`super::PlaybackServer`] serves: the tracks that were
    /// downloaded, their segments on disk, and their clear init segments and decryptors. Makes
    /// no network request.
    pub async fn prepare_playback(&self, title_id: i64) -> Result<PreparedTitle> {
        let title = self.title(title_id).await?;
        let keys = self.title_keys(title_id).await?;
        let rows = self.title_file_rows(title_id).await?;
        let folder = self.titles_dir().join(&title.folder);
        tokio::task::spawn_blocking(move || prepare_blocking(&title, &folder, &rows, &keys))
            .await
            .map_err(|e| Error::Internal(format!("preparing playback: {e}")))?
    }
}

/// The RFC 6381 codec strings of a clear init segment's sample entries (`avc1.PPCCLL` from
/// its `avcC`, `mp4a.40.2` for AAC), and whether it holds video. Progressive files carry no
/// manifest to say, and MSE needs them.
fn sniff_codecs(init: &[u8]) -> (TrackKind, Option<String>) {
    let find = |tag: &[u8]| init.windows(tag.len()).position(|w| w == tag);
    let mut codecs = Vec::new();
    let mut kind = TrackKind::Audio;
    if let Some(i) = find(b"avcC") {
        kind = TrackKind::Video;
        if let Some(p) = init.get(i + 4..i + 8) {
            codecs.push(format!("avc1.{:02x}{:02x}{:02x}", p[1], p[2], p[3]));
        }
    } else if find(b"hvcC").is_some() {
        kind = TrackKind::Video;
        codecs.push("hvc1.1.6.L93.B0".to_owned());
    }
    if find(b"mp4a").is_some() {
        codecs.push("mp4a.40.2".to_owned());
    }
    (kind, (!codecs.is_empty()).then(|| codecs.join(",")))
}

/// The file a local playlist's URL names, inside the title's folder (never outside it).
fn local_file(folder: &Path, url: &url::Url) -> Result<PathBuf> {
    let outside = || {
        not_media(
            folder,
            format!("the title's playlist names {url}, which is not a file in its folder"),
        )
    };
    let path = url.to_file_path().map_err(|()| outside())?;
    let base = std::path::absolute(folder).map_err(|_| outside())?;
    let rel = path.strip_prefix(&base).map_err(|_| outside())?;
    let rel = rel.to_str().ok_or_else(outside)?;
    join_inside(folder, rel).map_err(|_| outside())
}

/// Decode time and duration of the first fragment of a media segment file (read up to the end
/// of its first `moof` only), from `tfdt` and `trun` with the track's `trex` default.
fn segment_timing(path: &Path, default_duration: u32) -> Result<(Option<u64>, u64)> {
    let read_err = |source| Error::ReadFile {
        path: path.to_owned(),
        source,
    };
    let mut f = std::fs::File::open(path).map_err(read_err)?;
    let len = f.metadata().map_err(read_err)?.len();
    let mut at = 0u64;
    while at + 8 <= len {
        let mut head = [0u8; 16];
        f.seek(SeekFrom::Start(at)).map_err(read_err)?;
        let n = usize::try_from((len - at).min(16)).unwrap_or(8);
        f.read_exact(&mut head[..n]).map_err(read_err)?;
        let mut size = u64::from(u32::from_be_bytes([head[0], head[1], head[2], head[3]]));
        if size == 1 && n >= 16 {
            size = u64::from_be_bytes(head[8..16].try_into().unwrap_or_default());
        } else if size == 0 {
            size = len - at;
        }
        if size < 8 || at + size > len {
            break;
        }
        if &head[4..8] == b"moof" {
            if size > 64 << 20 {
                return Err(not_media(path, "its first moof is larger than 64 MB"));
            }
            let bytes = read_part(path, Some((at, at + size - 1)))?;
            let b = walk(&bytes, 0, FourCc::default())
                .next()
                .ok_or_else(|| not_media(path, "an empty moof"))?
                .map_err(|e| not_media(path, e.to_string()))?;
            let moof = parse_box(&b).map_err(|e| not_media(path, e.to_string()))?;
            let traf = moof
                .child(types::TRAF)
                .ok_or_else(|| not_media(path, "a moof without traf"))?;
            let tfhd = traf
                .child(types::TFHD)
                .and_then(|t| Tfhd::from_box(t).ok())
                .ok_or_else(|| not_media(path, "a fragment without tfhd"))?;
            let default = u64::from(tfhd.default_sample_duration.unwrap_or(default_duration));
            let duration = traf
                .children_of(types::TRUN)
                .filter_map(|t| Trun::from_box(t).ok())
                .map(|t| {
                    if t.flags & layover_media::boxes::moof::trun::SAMPLE_DURATION == 0 {
                        u64::from(t.sample_count).saturating_mul(default)
                    } else {
                        t.samples.iter().map(|s| u64::from(s.duration)).sum()
                    }
                })
                .sum();
            let tfdt = traf
                .child(types::TFDT)
                .and_then(|t| Tfdt::from_box(t).ok())
                .map(|t| t.base_media_decode_time);
            return Ok((tfdt, duration));
        }
        at += size;
    }
    Err(not_media(path, "no moof: not a fragmented MP4 segment"))
}

/// An HLS title from its own playlists in its folder (`manifest.m3u8` and one media playlist
/// per downloaded track): fMP4 tracks with an `EXT-X-MAP` init, timed from their fragments'
/// `tfdt` and `trun` (the media's own clock, which MSE follows, not the rounded `EXTINF`).
fn hls_tracks(folder: &Path, keys: &KeyStore) -> Result<(Vec<ServedTrack>, Vec<TrackMedia>, f64)> {
    let manifest = folder.join(crate::library::plan::hls_local::MASTER);
    let presentation = crate::decrypt_folder::load_local_presentation(&manifest)?;
    let mut tracks = Vec::new();
    let mut media = Vec::new();
    let mut duration_secs: f64 = 0.0;
    for track in &presentation.tracks {
        if track.kind == TrackKind::Other || track.segments.is_empty() {
            continue;
        }
        if track.switches_init() {
            return Err(not_media(
                &manifest,
                format!(
                    "track {} switches EXT-X-MAP mid-way; Layover's player cannot play such HLS titles yet. `layover decrypt` on the title's folder makes clear copies",
                    track.id
                ),
            ));
        }
        let Some(init) = &track.init else {
            if track.kind == TrackKind::Text {
                continue; // WebVTT or TTML text segments without an init: not served yet
            }
            return Err(not_media(
                &manifest,
                format!(
                    "track {} has no EXT-X-MAP: MPEG-TS segments, which Layover's player cannot play yet (fMP4 HLS plays)",
                    track.id
                ),
            ));
        };
        if track
            .protection
            .iter()
            .any(|p| p.scheme.as_deref() == Some("aes-128"))
        {
            return Err(not_media(
                &manifest,
                format!(
                    "track {} is whole-segment AES-128 encrypted, which Layover's player cannot play yet (SAMPLE-AES-CTR and SAMPLE-AES fMP4 play)",
                    track.id
                ),
            ));
        }
        let init_path = local_file(folder, &init.url)?;
        let init_bytes = read_part(&init_path, init.byte_range)?;
        let m = media_for(&init_path, &init_bytes, keys)?;
        let facts = init_facts(&m.clear_init);
        let boxes = layover_media::boxes::parse_all(&m.clear_init)
            .map_err(|e| not_media(&init_path, e.to_string()))?;
        let trak = boxes
            .iter()
            .find(|b| b.box_type == types::MOOV)
            .and_then(|m| m.child(types::TRAK));
        let timescale = trak
            .and_then(|t| t.find(&[types::MDIA, types::MDHD]))
            .and_then(|m| layover_media::boxes::moov::mdhd::Mdhd::from_box(m).ok())
            .map_or(track.timescale, |m| u64::from(m.timescale));
        let track_id = trak
            .and_then(|t| t.child(types::TKHD))
            .and_then(|t| layover_media::boxes::moov::tkhd::Tkhd::from_box(t).ok())
            .map_or(1, |t| t.track_id);
        let defaults = TrackDefaults::from_init(&m.clear_init, track_id)
            .map_err(|e| not_media(&init_path, e.to_string()))?;
        let mut segments = Vec::new();
        let mut running = 0u64;
        for s in &track.segments {
            let path = local_file(folder, &s.url)?;
            let (tfdt, duration) = segment_timing(&path, defaults.sample_duration)?;
            let start = tfdt.unwrap_or(running);
            running = start.saturating_add(duration);
            segments.push(ServedSegment {
                path,
                range: s.byte_range,
                start,
                duration,
            });
        }
        duration_secs = duration_secs.max(running as f64 / timescale.max(1) as f64);
        let mut t = served_track(track, true, "m4s".into(), segments);
        t.timescale = timescale;
        t.presentation_time_offset = 0;
        if t.codec.is_none() || track.kind == TrackKind::Text {
            t.codec = if track.kind == TrackKind::Text {
                let has = |tag: &[u8]| m.clear_init.windows(4).any(|w| w == tag);
                if has(b"wvtt") {
                    Some("wvtt".into())
                } else if has(b"stpp") {
                    Some("stpp".into())
                } else {
                    None
                }
            } else {
                facts.codec.clone()
            };
        }
        if track.kind == TrackKind::Text {
            t.mime_type = "application/mp4".into();
        }
        if t.width.is_none() {
            t.width = facts.width;
            t.height = facts.height;
        }
        tracks.push(t);
        media.push(m);
    }
    Ok((tracks, media, duration_secs))
}

/// What a one-track clear init segment says about its track.
struct InitFacts {
    kind: TrackKind,
    codec: Option<String>,
    width: Option<u32>,
    height: Option<u32>,
    language: Option<String>,
}

fn init_facts(init: &[u8]) -> InitFacts {
    use layover_media::boxes::moov::{hdlr::Hdlr, mdhd::Mdhd, tkhd::Tkhd};
    let (sniffed, codec) = sniff_codecs(init);
    let boxes = layover_media::boxes::parse_all(init).unwrap_or_default();
    let trak = boxes
        .iter()
        .find(|b| b.box_type == types::MOOV)
        .and_then(|m| m.child(types::TRAK));
    let mdia = trak.and_then(|t| t.child(types::MDIA));
    let handler = mdia
        .and_then(|m| m.child(types::HDLR))
        .and_then(|h| Hdlr::from_box(h).ok())
        .map(|h| h.handler_type);
    let kind = match handler.map(|h| h.0) {
        Some(h) if &h == b"vide" => TrackKind::Video,
        Some(h) if &h == b"soun" => TrackKind::Audio,
        Some(_) => TrackKind::Other,
        None => sniffed,
    };
    let tkhd = trak
        .and_then(|t| t.child(types::TKHD))
        .and_then(|t| Tkhd::from_box(t).ok());
    let dim = |v: u32| Some(v >> 16).filter(|v| *v > 0);
    let language = mdia
        .and_then(|m| m.child(types::MDHD))
        .and_then(|m| Mdhd::from_box(m).ok())
        .map(|m| m.language())
        .filter(|l| !l.is_empty() && l != "und");
    InitFacts {
        kind,
        codec,
        width: tkhd
            .as_ref()
            .filter(|_| kind == TrackKind::Video)
            .and_then(|t| dim(t.width)),
        height: tkhd
            .as_ref()
            .filter(|_| kind == TrackKind::Video)
            .and_then(|t| dim(t.height)),
        language,
    }
}

/// Average bits per second of a track's fragments (their byte ranges hold other tracks'
/// samples too when tracks share fragments, so this is an upper bound; it only orders
/// qualities).
fn file_track_bitrate(segments: &[ServedSegment], timescale: u64) -> u64 {
    let bytes: u64 = segments
        .iter()
        .filter_map(|s| s.range.map(|(a, b)| b + 1 - a))
        .sum();
    let ticks: u64 = segments.iter().map(|s| s.duration).sum();
    if ticks == 0 {
        return 100_000;
    }
    (u128::from(bytes) * 8 * u128::from(timescale.max(1)) / u128::from(ticks))
        .try_into()
        .unwrap_or(u64::MAX)
        .max(1)
}

fn media_for(path: &Path, init: &[u8], keys: &KeyStore) -> Result<TrackMedia> {
    let dec = Decryptor::new(init, keys).map_err(|e| match e {
        layover_media::Error::MissingKey { kid } => not_media(
            path,
            format!("Layover holds no content key for KID {kid}; renew the title's licenses"),
        ),
        e => not_media(path, e.to_string()),
    })?;
    for kid in dec.tracks().values().flat_map(|t| t.kids()) {
        if keys.get(&kid).is_none() {
            return Err(not_media(
                path,
                format!("Layover holds no content key for KID {kid}; renew the title's licenses"),
            ));
        }
    }
    let clear_init = dec
        .decrypt_init()
        .map_err(|e| not_media(path, e.to_string()))?;
    Ok(TrackMedia {
        clear_init,
        decryptor: Some(dec),
        remux: None,
    })
}

fn prepare_blocking(
    title: &Title,
    folder: &Path,
    rows: &[FileRow],
    keys: &KeyStore,
) -> Result<PreparedTitle> {
    let local = |rel: &str| join_inside(folder, rel).map_err(|e| not_media(folder, e.to_string()));
    let unfinished = rows.iter().find(|r| !r.done);
    if let Some(r) = unfinished {
        return Err(not_media(
            folder,
            format!("{} has not been downloaded yet", r.rel_path),
        ));
    }
    let mut tracks = Vec::new();
    let mut media = Vec::new();
    let mut duration_secs: f64 = 0.0;
    match title.kind {
        TitleKind::Progressive => {
            let row = rows
                .first()
                .ok_or_else(|| not_media(folder, "the title has no file"))?;
            let path = local(&row.rel_path)?;
            let bytes = read_part(&path, None)?;
            let (init_end, file_tracks) = fragments_of(&path, &bytes)?;
            let init = &bytes[..usize::try_from(init_end).unwrap_or(bytes.len())];
            let whole = media_for(&path, init, keys)?;
            for ft in file_tracks {
                let clear_init = layover_media::remux::track_init(&whole.clear_init, ft.track_id)
                    .map_err(|e| not_media(&path, e.to_string()))?;
                let defaults = TrackDefaults::from_init(&clear_init, ft.track_id)
                    .map_err(|e| not_media(&path, e.to_string()))?;
                let facts = init_facts(&clear_init);
                if facts.kind == TrackKind::Other {
                    continue; // hint, metadata or timecode tracks: nothing MSE plays
                }
                let secs = ft.segments.last().map_or(0.0, |s| {
                    (s.start + s.duration) as f64 / ft.timescale.max(1) as f64
                });
                duration_secs = duration_secs.max(secs);
                tracks.push(ServedTrack {
                    kind: facts.kind,
                    mime_type: if facts.kind == TrackKind::Audio {
                        "audio/mp4".into()
                    } else {
                        "video/mp4".into()
                    },
                    codec: facts.codec,
                    bitrate: Some(file_track_bitrate(&ft.segments, ft.timescale)),
                    width: facts.width,
                    height: facts.height,
                    sample_rate: (facts.kind == TrackKind::Audio)
                        .then(|| u32::try_from(ft.timescale).ok())
                        .flatten(),
                    language: facts.language,
                    label: None,
                    roles: Vec::new(),
                    timescale: ft.timescale,
                    presentation_time_offset: 0,
                    has_init: true,
                    raw_ext: "m4s".into(),
                    segments: ft.segments,
                });
                media.push(TrackMedia {
                    clear_init,
                    decryptor: whole.decryptor.clone(),
                    remux: Some((ft.track_id, defaults)),
                });
            }
        }
        TitleKind::Dash | TitleKind::Smooth => {
            let manifest = folder.join(if title.kind == TitleKind::Dash {
                "manifest.mpd"
            } else {
                "manifest.ismc"
            });
            let bytes = read_part(&manifest, None)?;
            let base = url::Url::parse(&title.source_url)
                .map_err(|e| not_media(&manifest, e.to_string()))?;
            let presentation = layover_manifest::parse(&bytes, &base)
                .map_err(|e| not_media(&manifest, e.to_string()))?;
            let files: HashMap<FileKey, &FileRow> =
                rows.iter().map(|r| ((r.url.clone(), r.range), r)).collect();
            let find = |url: &url::Url, range: Option<(u64, u64)>| {
                files.get(&(url.to_string(), range)).copied()
            };
            for track in &presentation.tracks {
                // Smooth text streams are TTML in MP4 fragments with no init to make.
                if track.kind == TrackKind::Other
                    || (track.smooth.is_some() && track.kind == TrackKind::Text)
                {
                    continue;
                }
                let mut track = track.clone();
                // SegmentBase: one file, fetched whole; its sidx lists the segments.
                let whole = track.index.as_ref().and_then(|i| find(&i.url, None));
                if let (Some(row), Some(index)) = (whole, track.index.clone()) {
                    let path = local(&row.rel_path)?;
                    let sidx = read_part(&path, index.byte_range)?;
                    track
                        .apply_sidx(&sidx)
                        .map_err(|e| not_media(&path, format!("its sidx cannot be read: {e}")))?;
                    let init_range = track.init.as_ref().and_then(|i| i.byte_range);
                    let init = read_part(
                        &path,
                        init_range.or(Some((
                            0,
                            index.byte_range.map_or(0, |r| r.0).saturating_sub(1),
                        ))),
                    )?;
                    let segments = track
                        .segments
                        .iter()
                        .map(|s| ServedSegment {
                            path: path.clone(),
                            range: s.byte_range,
                            start: s.start,
                            duration: s.duration,
                        })
                        .collect();
                    media.push(media_for(&path, &init, keys)?);
                    tracks.push(served_track(&track, true, "m4s".into(), segments));
                } else {
                    // One file per segment (SegmentTemplate / SegmentList).
                    let Some(first) = track.segments.first() else {
                        continue;
                    };
                    if find(&first.url, first.byte_range).is_none() {
                        continue; // a track that was not chosen for download
                    }
                    let mut segments = Vec::new();
                    for s in &track.segments {
                        let row = find(&s.url, s.byte_range).ok_or_else(|| {
                            not_media(folder, format!("segment {} is not on disk", s.url))
                        })?;
                        segments.push(ServedSegment {
                            path: local(&row.rel_path)?,
                            range: None,
                            start: s.start,
                            duration: s.duration,
                        });
                    }
                    match &track.init {
                        Some(init) => {
                            let row = find(&init.url, init.byte_range).ok_or_else(|| {
                                not_media(
                                    folder,
                                    format!("init segment {} is not on disk", init.url),
                                )
                            })?;
                            let path = local(&row.rel_path)?;
                            let bytes = read_part(&path, None)?;
                            media.push(media_for(&path, &bytes, keys)?);
                            tracks.push(served_track(&track, true, "m4s".into(), segments));
                        }
                        None if track.smooth.is_some() => {
                            // Smooth fragments carry no moov: the init segment is made from
                            // the manifest's CodecPrivateData, for the track ID they use.
                            let path = segments[0].path.clone();
                            let first = read_part(&path, None)?;
                            let init = crate::decrypt_folder::smooth_init(&track, &first)?;
                            let track_id =
                                crate::decrypt_folder::first_track_id(&first).unwrap_or(1);
                            let mut m = media_for(&path, &init, keys)?;
                            m.remux = Some((track_id, TrackDefaults::default()));
                            media.push(m);
                            let mut t = served_track(&track, true, "m4s".into(), segments);
                            // A StreamIndex's Name (`audio_en`) names URLs, not a language
                            // for people: the player's menu shows the language instead.
                            if t.language.is_some() {
                                t.label = None;
                            }
                            tracks.push(t);
                        }
                        None if track.kind == TrackKind::Text => {
                            let ext = first
                                .url
                                .path()
                                .rsplit_once('.')
                                .map(|(_, e)| e.to_ascii_lowercase())
                                .filter(|e| e == "vtt" || e == "ttml" || e == "xml")
                                .unwrap_or_else(|| "vtt".into());
                            media.push(TrackMedia {
                                clear_init: Vec::new(),
                                decryptor: None,
                                remux: None,
                            });
                            let mut t = served_track(&track, false, ext.clone(), segments);
                            if ext == "vtt" {
                                t.mime_type = "text/vtt".into();
                            }
                            tracks.push(t);
                        }
                        None => {
                            return Err(not_media(
                                folder,
                                format!("track {} has no init segment", track.id),
                            ));
                        }
                    }
                }
                let secs = track.segments_duration();
                duration_secs = duration_secs.max(secs);
            }
            if let Some(d) = presentation.duration {
                duration_secs = d;
            }
        }
        TitleKind::Hls => {
            let (t, m, d) = hls_tracks(folder, keys)?;
            tracks = t;
            media = m;
            duration_secs = d;
        }
    }
    if tracks.is_empty() {
        return Err(not_media(folder, "no downloaded track can play"));
    }
    let manifest = super::mpd::clear_mpd(&tracks, duration_secs);
    Ok(PreparedTitle {
        title_id: title.id,
        tracks,
        duration_secs,
        manifest,
        media,
    })
}
