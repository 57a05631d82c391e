//! The one Presentation model every manifest kind is parsed into. Serialisable: the CLI prints it
//! as JSON (`layover inspect --json`).

use crate::kid::{Kid, SystemId};
use serde::{Serialize, Serializer};

/// Which manifest format a presentation came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ManifestKind {
    /// MPEG-DASH MPD.
    Dash,
    /// Microsoft Smooth Streaming client manifest.
    Smooth,
    /// Apple HTTP Live Streaming.
    Hls,
}

/// A whole title: its periods and every track with every segment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Presentation {
    /// Source format.
    pub kind: ManifestKind,
    /// Total duration in seconds, when the manifest states or implies one.
    pub duration: Option<f64>,
    /// Periods (DASH); Smooth and HLS have exactly one.
    pub periods: Vec<Period>,
    /// Every track of every period, flat; [`Track::period`] indexes [`Presentation::periods`].
    pub tracks: Vec<Track>,
}

/// A DASH Period (one for Smooth and HLS).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Period {
    /// `Period@id`, when present.
    pub id: Option<String>,
    /// Start in seconds from the start of the presentation.
    pub start: f64,
    /// Duration in seconds, when known.
    pub duration: Option<f64>,
}

/// What a track carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TrackKind {
    /// Video.
    Video,
    /// Audio.
    Audio,
    /// Subtitles or captions.
    Text,
    /// Anything else (thumbnails, metadata).
    Other,
}

/// A frame rate as a fraction (`30000/1001`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FrameRate {
    /// Numerator.
    pub num: u32,
    /// Denominator (never 0).
    pub den: u32,
}

impl FrameRate {
    /// Frames per second as a float.
    pub fn as_f64(self) -> f64 {
        f64::from(self.num) / f64::from(self.den)
    }
}

/// One downloadable rendition (a DASH Representation, a Smooth QualityLevel, an HLS media
/// playlist).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Track {
    /// Manifest identifier (Representation@id, `<StreamIndex Name>/<Bitrate>`, playlist URL).
    pub id: String,
    /// Index into [`Presentation::periods`].
    pub period: usize,
    /// Video, audio or text.
    pub kind: TrackKind,
    /// RFC 6381 codec string (`avc1.4d401e`, `mp4a.40.2`, `stpp`), when known.
    pub codec: Option<String>,
    /// MIME type (`video/mp4`), when stated.
    pub mime_type: Option<String>,
    /// Bits per second (DASH `bandwidth`, Smooth `Bitrate`, HLS `BANDWIDTH`).
    pub bitrate: Option<u64>,
    /// Width in pixels.
    pub width: Option<u32>,
    /// Height in pixels.
    pub height: Option<u32>,
    /// Frame rate.
    pub frame_rate: Option<FrameRate>,
    /// Audio sampling rate in Hz.
    pub sample_rate: Option<u32>,
    /// Audio channel count.
    pub channels: Option<u32>,
    /// BCP 47 language (`en`, `pt-BR`).
    pub language: Option<String>,
    /// Roles (`main`, `alternate`, `subtitle`, `caption`, `default`…).
    pub roles: Vec<String>,
    /// Human label (DASH `Label`, HLS `NAME`, Smooth `Name`).
    pub label: Option<String>,
    /// Ticks per second for [`SegmentRef::start`] and [`SegmentRef::duration`].
    pub timescale: u64,
    /// DASH `presentationTimeOffset` in [`Track::timescale`] ticks (0 elsewhere): a segment
    /// plays at `(start - presentation_time_offset) / timescale` seconds into its period.
    pub presentation_time_offset: u64,
    /// The initialization segment, when there is one to fetch.
    pub init: Option<SegmentRef>,
    /// For DASH SegmentBase: the `sidx` byte range to fetch; the media segments then come from
    /// [`crate::dash::segments_from_sidx`], and [`Track::segments`] is empty until then.
    pub index: Option<SegmentRef>,
    /// Every media segment in presentation order.
    pub segments: Vec<SegmentRef>,
    /// Protection systems and keys, empty when clear.
    pub protection: Vec<Protection>,
    /// Smooth Streaming only: what the synthesised init segment needs.
    pub smooth: Option<crate::smooth::SmoothCodecInfo>,
}

/// One fetchable piece of media: a URL, optionally a byte range of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SegmentRef {
    /// Absolute URL.
    pub url: url::Url,
    /// Inclusive byte range `(first, last)` within the resource, as in HTTP `Range`.
    pub byte_range: Option<(u64, u64)>,
    /// Start in [`Track::timescale`] ticks on the media timeline (the `$Time$` / `tfdt` value,
    /// before [`Track::presentation_time_offset`] is taken off).
    pub start: u64,
    /// Duration in [`Track::timescale`] ticks (0 for init and index segments).
    pub duration: u64,
    /// HLS only: the media sequence number (RFC 8216 §4.3.3.2). `AES-128` segments without an
    /// IV use it, as a 128-bit big-endian integer, for their IV (§5.2).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sequence: Option<u64>,
    /// HLS only: indexes into [`Track::protection`] of the keys in force for this segment
    /// (`Some(vec![])` for a clear segment, e.g. after `METHOD=NONE`). `None` (DASH, Smooth)
    /// means every entry of [`Track::protection`] applies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keys: Option<Vec<u32>>,
    /// HLS only: this segment's own init segment, when the playlist switches `EXT-X-MAP`
    /// mid-way (at a discontinuity) and it is not [`Track::init`]. `None` means
    /// [`Track::init`] applies; see [`Track::init_of`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub init: Option<Box<SegmentRef>>,
}

/// Which DRM (or key delivery) system a [`Protection`] entry is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DrmSystem {
    /// Microsoft PlayReady.
    #[serde(rename = "playready")]
    PlayReady,
    /// Google Widevine.
    Widevine,
    /// Apple FairPlay (reported; Layover's desktop player cannot play it).
    #[serde(rename = "fairplay")]
    FairPlay,
    /// DASH-IF / W3C ClearKey.
    #[serde(rename = "clearkey")]
    ClearKey,
    /// W3C common pssh (`1077efec-…`), key IDs only.
    W3cCommon,
    /// HLS `AES-128` / `SAMPLE-AES` with a plain key URI (`KEYFORMAT="identity"`).
    Identity,
    /// Only the scheme and default KID are known (DASH `mp4protection` descriptor alone).
    Unspecified,
    /// A system this crate does not know, by system ID or HLS KEYFORMAT.
    Other(String),
}

impl DrmSystem {
    /// Classifies a system ID.
    pub fn from_system_id(id: SystemId) -> DrmSystem {
        match id {
            Kid::PLAYREADY => DrmSystem::PlayReady,
            Kid::WIDEVINE => DrmSystem::Widevine,
            Kid::FAIRPLAY => DrmSystem::FairPlay,
            Kid::CLEARKEY => DrmSystem::ClearKey,
            Kid::W3C_COMMON => DrmSystem::W3cCommon,
            other => DrmSystem::Other(other.to_string()),
        }
    }

    /// Whether Layover's desktop player can ever play content protected only by this system.
    pub fn playable_on_desktop(&self) -> bool {
        !matches!(self, DrmSystem::FairPlay)
    }
}

/// How one track is protected for one system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Protection {
    /// Encryption scheme 4CC (`cenc`, `cbcs`, `cens`, `cbc1`, `piff`), or the HLS method
    /// mapped to one (`SAMPLE-AES-CTR` -> `cenc`, `SAMPLE-AES` -> `cbcs`, `AES-128` -> `aes-128`).
    pub scheme: Option<String>,
    /// The default KID (`cenc:default_KID`, HLS `KEYID`, or the PlayReady header KID).
    pub default_kid: Option<Kid>,
    /// The system.
    pub system: DrmSystem,
    /// System ID, when the manifest gives one.
    pub system_id: Option<SystemId>,
    /// License acquisition URL (`dashif:laurl`, `clearkey:Laurl`, WRMHEADER `LA_URL`).
    pub la_url: Option<String>,
    /// A whole `pssh` box (DASH `cenc:pssh`, HLS `data:` URI), as bytes.
    #[serde(serialize_with = "ser_b64")]
    pub pssh: Option<Vec<u8>>,
    /// A bare PlayReady Object (DASH `mspr:pro`, Smooth `ProtectionHeader`), as bytes.
    /// MERGE: layover-media's PlayReady header parser reads these.
    #[serde(serialize_with = "ser_b64")]
    pub playready_object: Option<Vec<u8>>,
    /// HLS: the key URI (`skd://…`, a license URL, or `data:`), resolved when relative.
    pub key_uri: Option<String>,
    /// HLS: the KEYFORMAT as written.
    pub key_format: Option<String>,
    /// HLS: the IV as written (`0x…`).
    pub iv: Option<String>,
    /// False for FairPlay: reported for support staff, never playable by the desktop app.
    pub playable_on_desktop: bool,
}

impl Protection {
    pub(crate) fn new(system: DrmSystem) -> Protection {
        Protection {
            scheme: None,
            default_kid: None,
            playable_on_desktop: system.playable_on_desktop(),
            system,
            system_id: None,
            la_url: None,
            pssh: None,
            playready_object: None,
            key_uri: None,
            key_format: None,
            iv: None,
        }
    }
}

fn ser_b64<S: Serializer>(v: &Option<Vec<u8>>, s: S) -> Result<S::Ok, S::Error> {
    use base64::Engine;
    match v {
        Some(b) => s.serialize_some(&base64::engine::general_purpose::STANDARD.encode(b)),
        None => s.serialize_none(),
    }
}

impl Track {
    /// A track with every optional field empty.
    pub(crate) fn empty(id: String, period: usize, kind: TrackKind, timescale: u64) -> Track {
        Track {
            id,
            period,
            kind,
            codec: None,
            mime_type: None,
            bitrate: None,
            width: None,
            height: None,
            frame_rate: None,
            sample_rate: None,
            channels: None,
            language: None,
            roles: Vec::new(),
            label: None,
            timescale,
            presentation_time_offset: 0,
            init: None,
            index: None,
            segments: Vec::new(),
            protection: Vec::new(),
            smooth: None,
        }
    }

    /// Sum of segment durations in seconds.
    pub fn segments_duration(&self) -> f64 {
        let ticks: u128 = self.segments.iter().map(|s| u128::from(s.duration)).sum();
        ticks as f64 / self.timescale.max(1) as f64
    }

    /// The init segment that `segment` needs: its own (an HLS playlist that switches
    /// `EXT-X-MAP`) or the track's.
    pub fn init_of<'a>(&'a self, segment: &'a SegmentRef) -> Option<&'a SegmentRef> {
        segment.init.as_deref().or(self.init.as_ref())
    }

    /// True when some segment needs another init segment than [`Track::init`].
    pub fn switches_init(&self) -> bool {
        self.segments.iter().any(|s| s.init.is_some())
    }
}

/// Classifies an RFC 6381 codec (first dotted part) as video, audio or text.
pub fn kind_of_codec(codec: &str) -> Option<TrackKind> {
    let fourcc = codec.trim().split('.').next().unwrap_or("");
    match fourcc.to_ascii_lowercase().as_str() {
        "avc1" | "avc3" | "hvc1" | "hev1" | "av01" | "vp09" | "vp08" | "dvh1" | "dvhe" | "encv" => {
            Some(TrackKind::Video)
        }
        "mp4a" | "ec-3" | "ac-3" | "opus" | "flac" | "ac-4" | "dtsc" | "dtse" | "enca" => {
            Some(TrackKind::Audio)
        }
        "stpp" | "wvtt" | "vtt" | "ttml" | "tx3g" => Some(TrackKind::Text),
        _ => None,
    }
}
