//! What protects a title: its KIDs, its PlayReady header and the license URLs the content
//! names. Read from what is on disk where possible (the stored manifest, the downloaded file's
//! header), otherwise from the origin (a manifest, or the first megabyte of a progressive file).

use std::io::Read as _;
use std::path::Path;

use layover_drm::Kid;
use layover_manifest::{DrmSystem, Presentation};
use layover_media::headers::playready::{Pro, WrmHeader};
use layover_media::inspect::{SystemData, summarize};

use crate::Engine;
use crate::error::{Error, LicenseFailure, Result};
use crate::library::{Title, TitleKind};

/// How much of a progressive file's start is read to find its `moov`.
const HEADER_PROBE: u64 = 4 << 20;

/// A title's protection, as license requests need it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TitleProtection {
    /// Every KID, `tenc` order, without repeats.
    pub kids: Vec<Kid>,
    /// The WRMHEADER XML, when the content carries a PlayReady header (the first one).
    pub wrm_header: Option<String>,
    /// Every distinct PlayReady header with the KIDs it names: one license request each, as a
    /// player would make (each track's header may name only its own key).
    pub playready_headers: Vec<(String, Vec<Kid>)>,
    /// PlayReady LA_URL from the header.
    pub la_url: Option<String>,
    /// A ClearKey license URL the manifest names (`dashif:laurl`).
    pub clearkey_url: Option<String>,
}

impl TitleProtection {
    fn add_kid(&mut self, kid: Kid) {
        if !self.kids.contains(&kid) {
            self.kids.push(kid);
        }
    }

    fn add_playready(&mut self, header: &WrmHeader) {
        let kids: Vec<Kid> = header.kids.iter().map(|k| to_drm_kid(k.kid.0)).collect();
        for k in &kids {
            self.add_kid(*k);
        }
        let xml = header.to_xml();
        if !self.playready_headers.iter().any(|(x, _)| *x == xml) {
            self.playready_headers.push((xml, kids));
        }
        if self.wrm_header.is_none() {
            self.wrm_header = Some(header.to_xml());
        }
        if self.la_url.is_none() {
            self.la_url.clone_from(&header.la_url);
        }
    }

    /// From a parsed manifest.
    pub fn from_presentation(p: &Presentation) -> Self {
        let mut out = Self::default();
        for track in &p.tracks {
            for prot in &track.protection {
                if let Some(kid) = prot.default_kid {
                    out.add_kid(to_drm_kid(kid.0));
                }
                if let Some(pro) = prot.playready_object.as_deref()
                    && let Ok(header) = Pro::parse(pro).and_then(|p| p.wrm_header())
                {
                    out.add_playready(&header);
                }
                match prot.system {
                    DrmSystem::PlayReady if out.la_url.is_none() => {
                        out.la_url.clone_from(&prot.la_url);
                    }
                    DrmSystem::ClearKey if out.clearkey_url.is_none() => {
                        out.clearkey_url.clone_from(&prot.la_url);
                    }
                    _ => {}
                }
            }
        }
        out
    }

    /// From an init segment or the start of an MP4 (through its `moov`).
    pub fn from_mp4_header(bytes: &[u8]) -> Result<Self, String> {
        let summary = summarize(bytes).map_err(|e| e.to_string())?;
        let mut out = Self::default();
        for t in &summary.tracks {
            for k in &t.kids {
                out.add_kid(to_drm_kid(k.0));
            }
        }
        for s in &summary.systems {
            if let SystemData::PlayReady(h) = &s.data {
                out.add_playready(h);
            }
        }
        Ok(out)
    }
}

fn to_drm_kid(bytes: [u8; 16]) -> Kid {
    Kid(bytes)
}

impl Engine {
    /// The title's protection (empty KIDs: the title is not protected).
    pub async fn title_protection(&self, title: &Title) -> Result<TitleProtection> {
        let folder = self.titles_dir().join(&title.folder);
        let unreadable = |reason: String| Error::License {
            title: title.name.clone(),
            failure: LicenseFailure::NotPossible,
            message: format!("its protection cannot be read: {reason}"),
        };
        if title.kind == TitleKind::Progressive {
            let files = self.store().title_files(title.id).await?;
            if let Some((_, rel, done)) = files.first() {
                // The whole file is here: its `moov` is wherever the muxer put it (at the end
                // of a non-faststart file), and nothing need be asked of the origin.
                if *done && let Some(header) = read_moov(&folder.join(rel)) {
                    return TitleProtection::from_mp4_header(&header).map_err(unreadable);
                }
                for candidate in [folder.join(rel), folder.join(format!("{rel}.part"))] {
                    if let Some(head) = read_head(&candidate)
                        && let Ok(p) = TitleProtection::from_mp4_header(&head)
                    {
                        return Ok(p);
                    }
                }
            }
            let head = self
                .fetch_head(&title.source_url)
                .await
                .map_err(|e| unreadable(e.to_string()))?;
            return TitleProtection::from_mp4_header(&head).map_err(unreadable);
        }
        let manifest = ["mpd", "m3u8", "ismc"]
            .iter()
            .map(|ext| folder.join(format!("manifest.{ext}")))
            .find(|p| p.is_file());
        let url = match &manifest {
            Some(path) => url::Url::from_file_path(path)
                .map_err(|()| unreadable(format!("{} is not a usable path", path.display())))?,
            None => url::Url::parse(&title.source_url).map_err(|e| unreadable(e.to_string()))?,
        };
        let (presentation, _) =
            crate::manifest::load_presentation(&url, self.fetcher().client()).await?;
        let mut p = TitleProtection::from_presentation(&presentation);
        if p.kids.is_empty() || p.wrm_header.is_none() {
            // The manifest may leave KIDs and headers to the init segments: read those on disk.
            for entry in std::fs::read_dir(&folder).into_iter().flatten().flatten() {
                let path = entry.path();
                let is_init = path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.contains("init") && !n.ends_with(".part"));
                if is_init
                    && let Some(head) = read_head(&path)
                    && let Ok(more) = TitleProtection::from_mp4_header(&head)
                {
                    for k in more.kids {
                        p.add_kid(k);
                    }
                    if p.wrm_header.is_none() {
                        p.wrm_header = more.wrm_header;
                        p.la_url = p.la_url.or(more.la_url);
                    }
                    for h in more.playready_headers {
                        if !p.playready_headers.iter().any(|(x, _)| *x == h.0) {
                            p.playready_headers.push(h);
                        }
                    }
                }
            }
        }
        Ok(p)
    }

    /// The first bytes of a remote file (its `moov`, for a progressive MP4).
    async fn fetch_head(&self, url: &str) -> std::result::Result<Vec<u8>, reqwest::Error> {
        let response = self
            .fetcher()
            .client()
            .get(url)
            .header(
                reqwest::header::RANGE,
                format!("bytes=0-{}", HEADER_PROBE - 1),
            )
            .send()
            .await?
            .error_for_status()?;
        let bytes = response.bytes().await?;
        let end = usize::try_from(HEADER_PROBE)
            .unwrap_or(usize::MAX)
            .min(bytes.len());
        Ok(bytes[..end].to_vec())
    }
}

/// The `ftyp` and `moov` boxes of a whole MP4 file, wherever they are (`None`: no `moov`).
fn read_moov(path: &Path) -> Option<Vec<u8>> {
    use std::io::{Seek as _, SeekFrom};
    let mut f = std::fs::File::open(path).ok()?;
    let len = f.metadata().ok()?.len();
    let mut out = Vec::new();
    let mut at = 0u64;
    while at < len {
        let b = crate::library::read_box_header(&mut f, at, len).ok()?;
        if b.size < 8 {
            return None;
        }
        if &b.kind == b"ftyp" || &b.kind == b"moov" {
            // A moov larger than the probe limit is not a header Layover will read.
            let size = usize::try_from(b.size)
                .ok()
                .filter(|s| *s as u64 <= HEADER_PROBE * 4)?;
            let mut buf = vec![0u8; size];
            f.seek(SeekFrom::Start(at)).ok()?;
            f.read_exact(&mut buf).ok()?;
            out.extend_from_slice(&buf);
            if &b.kind == b"moov" {
                return Some(out);
            }
        }
        at = at.checked_add(b.size)?;
    }
    None
}

/// Reads up to [`HEADER_PROBE`] bytes of a file.
fn read_head(path: &Path) -> Option<Vec<u8>> {
    let f = std::fs::File::open(path).ok()?;
    let mut buf = Vec::new();
    f.take(HEADER_PROBE).read_to_end(&mut buf).ok()?;
    (!buf.is_empty()).then_some(buf)
}
