//! Streaming manifests (DASH MPD, Smooth Streaming client manifests, HLS playlists) parsed into
//! one [`Presentation`] model: every track with every segment's URL or byte range, its timing,
//! and its protection (scheme, KIDs, DRM systems, license URLs, raw `pssh` / PlayReady Object
//! bytes).
//!
//! Pure: no IO, no async, no network. The caller fetches bytes and passes them in with the URL
//! they came from; relative references resolve against it.
//!
//! ```
//! use layover_manifest::{parse, ManifestKind, TrackKind};
//!
//! let mpd = r#"<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static"
//!                   mediaPresentationDuration="PT10S">
//!   <Period>
//!     <AdaptationSet contentType="video" mimeType="video/mp4" codecs="avc1.4d401e">
//!       <SegmentTemplate timescale="1000" duration="4000" startNumber="1"
//!                        initialization="$RepresentationID$/init.mp4"
//!                        media="$RepresentationID$/seg-$Number%03d$.m4s"/>
//!       <Representation id="v1" bandwidth="800000" width="640" height="360"/>
//!     </AdaptationSet>
//!   </Period>
//! </MPD>"#;
//! let base = url::Url::parse("https://cdn.example/title/manifest.mpd").unwrap();
//! let p = parse(mpd.as_bytes(), &base).unwrap();
//! assert_eq!(p.kind, ManifestKind::Dash);
//! let v = &p.tracks[0];
//! assert_eq!(v.kind, TrackKind::Video);
//! assert_eq!(v.segments.len(), 3); // 4 s + 4 s + 2 s
//! assert_eq!(v.segments[2].url.as_str(), "https://cdn.example/title/v1/seg-003.m4s");
//! assert_eq!(v.segments[2].duration, 2000);
//! assert_eq!(v.init.as_ref().unwrap().url.as_str(), "https://cdn.example/title/v1/init.mp4");
//! ```
//!
//! HLS master playlists name further playlists; use [`hls::parse_master`], fetch
//! [`hls::MasterPlaylist::media_playlist_urls`], then [`hls::assemble`].
//!
//! XML is read with `roxmltree`: a read-only DOM is the natural fit for MPD inheritance (look
//! up and down the tree), it resolves namespaces (`cenc:`, `mspr:`, `dashif:`), and it refuses
//! DTDs, so entity-expansion bombs never reach us.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod dash;
pub mod duration;
mod error;
pub mod hls;
mod kid;
mod model;
pub mod playready;
pub mod smooth;
pub mod template;
mod xml;

pub use error::{Error, Result};
pub use kid::{Kid, KidParseError, SystemId};
pub use model::{
    DrmSystem, FrameRate, ManifestKind, Period, Presentation, Protection, SegmentRef, Track,
    TrackKind, kind_of_codec,
};

use url::Url;

/// Caps on what one manifest may expand into. A SegmentTimeline `r` of 2^31 or a template
/// duration of one tick must become an error, not billions of segments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Segments in one track (default 200,000: 55 hours at 1 s segments).
    pub max_segments_per_track: usize,
    /// Segments in the whole presentation (default 1,000,000).
    pub max_segments_total: usize,
    /// Bytes of segment URL text in the whole presentation (default 128 MiB). Counts matter
    /// less than URL length: a 1 MB BaseURL times 100,000 segments is 100 GB.
    pub max_url_bytes_total: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_segments_per_track: 200_000,
            max_segments_total: 1_000_000,
            max_url_bytes_total: 128 << 20,
        }
    }
}

/// Running totals checked against [`Limits`] while a manifest expands.
#[derive(Debug, Default)]
pub(crate) struct Totals {
    pub segments: usize,
    pub url_bytes: usize,
}

impl Totals {
    /// Adds a finished track and checks the presentation-wide limits.
    pub(crate) fn add(&mut self, track: &Track, limits: &Limits, location: &str) -> Result<()> {
        self.segments += track.segments.len();
        self.url_bytes += track
            .segments
            .iter()
            .map(|s| s.url.as_str().len())
            .sum::<usize>();
        if self.segments > limits.max_segments_total {
            return Err(Error::TooManySegments {
                location: format!("up to {location}"),
                limit: limits.max_segments_total,
            });
        }
        check_url_bytes(self.url_bytes as u128, limits, location)
    }
}

/// Refuses an expansion whose URL text would exceed the budget (checked before allocating,
/// with `count * length of one URL` as the estimate).
pub(crate) fn check_url_bytes(estimate: u128, limits: &Limits, location: &str) -> Result<()> {
    if estimate > limits.max_url_bytes_total as u128 {
        return Err(Error::TooLarge {
            location: location.to_owned(),
            what: "segment URL text",
            limit: limits.max_url_bytes_total,
        });
    }
    Ok(())
}

/// Parses any supported manifest, sniffing its kind from the content.
///
/// An HLS *master* playlist is an error here (its media playlists must be fetched first): use
/// [`hls::parse_master`] and [`hls::assemble`]. An HLS media playlist becomes a one-track
/// presentation.
pub fn parse(input: &[u8], base_url: &Url) -> Result<Presentation> {
    parse_with_limits(input, base_url, &Limits::default())
}

/// [`parse`] with explicit expansion limits.
pub fn parse_with_limits(input: &[u8], base_url: &Url, limits: &Limits) -> Result<Presentation> {
    let text = decode_text(input)?;
    let trimmed = text.trim_start();
    if trimmed.starts_with("#EXTM3U") {
        return hls::parse_single_with_limits(trimmed, base_url, limits);
    }
    if !trimmed.starts_with('<') {
        return Err(Error::UnknownFormat(
            "neither XML (MPD, Smooth) nor an M3U8 playlist (#EXTM3U)".into(),
        ));
    }
    let doc = xml::parse_document(trimmed)?;
    match doc.root_element().tag_name().name() {
        "MPD" => dash::from_document(&doc, base_url, limits),
        "SmoothStreamingMedia" => smooth::from_document(&doc, base_url, limits),
        other => Err(Error::UnknownFormat(format!(
            "XML root element <{other}> is neither <MPD> nor <SmoothStreamingMedia>"
        ))),
    }
}

/// Bytes to text: UTF-8 (BOM stripped) or UTF-16 with a BOM (IIS writes Smooth manifests so).
pub fn decode_text(input: &[u8]) -> Result<std::borrow::Cow<'_, str>> {
    let utf16 = |bytes: &[u8], le: bool| -> Result<std::borrow::Cow<'_, str>> {
        let units: Vec<u16> = bytes
            .chunks_exact(2)
            .map(|c| {
                if le {
                    u16::from_le_bytes([c[0], c[1]])
                } else {
                    u16::from_be_bytes([c[0], c[1]])
                }
            })
            .collect();
        String::from_utf16(&units)
            .map(std::borrow::Cow::Owned)
            .map_err(|_| Error::Encoding { encoding: "UTF-16" })
    };
    match input {
        [0xFF, 0xFE, rest @ ..] => utf16(rest, true),
        [0xFE, 0xFF, rest @ ..] => utf16(rest, false),
        [0xEF, 0xBB, 0xBF, rest @ ..] => std::str::from_utf8(rest)
            .map(std::borrow::Cow::Borrowed)
            .map_err(|_| Error::Encoding { encoding: "UTF-8" }),
        _ => std::str::from_utf8(input)
            .map(std::borrow::Cow::Borrowed)
            .map_err(|_| Error::Encoding { encoding: "UTF-8" }),
    }
}

/// Resolves `reference` against `base` (RFC 3986 §5).
pub(crate) fn resolve(base: &Url, reference: &str) -> Result<Url> {
    base.join(reference.trim()).map_err(|source| Error::Url {
        reference: reference.chars().take(200).collect(),
        base: base.to_string(),
        source,
    })
}
