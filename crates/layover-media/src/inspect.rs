//! What a support engineer needs to know about an init segment (or a whole MP4) at a
//! glance: tracks, codecs, timescales, and every protection system with its KIDs in both
//! byte orders, scheme, LA_URL and WRMHEADER version. The CLI's `inspect` renders this.

use crate::boxes::moov::mdhd::Mdhd;
use crate::boxes::moov::sample_entry::is_protected_entry;
use crate::boxes::moov::tkhd::Tkhd;
use crate::boxes::protection::piff::{self, PiffProtectionHeader};
use crate::boxes::protection::pssh::{Pssh, SystemId};
use crate::boxes::{BoxCodec, Mp4Box, parse_box, walk};
use crate::decrypt::is_media_box;
use crate::decrypt::track::tracks_of;
use crate::error::{Error, Result};
use crate::fourcc::{FourCc, types};
use crate::headers::playready::{Pro, WrmHeader};
use crate::headers::widevine::WidevinePsshData;
use crate::kid::Kid;

/// One track.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackSummary {
    /// Track ID.
    pub track_id: u32,
    /// Handler (`vide`, `soun`, `subt`, `text`).
    pub handler: Option<FourCc>,
    /// Codec of each sample entry, with `encv`/`enca` resolved through `frma`.
    pub codecs: Vec<FourCc>,
    /// Media timescale.
    pub timescale: Option<u32>,
    /// Media duration in timescale units (0 in fragmented files).
    pub duration: Option<u64>,
    /// ISO-639-2 language.
    pub language: Option<String>,
    /// Scheme of the first protected entry (`cenc`, `cbcs`, ..., `piff`).
    pub scheme: Option<FourCc>,
    /// KIDs named by `tenc` and `seig` groups.
    pub kids: Vec<Kid>,
}

/// What one DRM system's header says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SystemData {
    /// A PlayReady Object with its WRMHEADER.
    PlayReady(WrmHeader),
    /// Widevine pssh data.
    Widevine(WidevinePsshData),
    /// No data (W3C common, ClearKey) or data this crate does not decode.
    Opaque(Vec<u8>),
    /// Data that should decode but does not: the error, for support staff.
    Unreadable(String),
}

/// One protection system header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemSummary {
    /// The system.
    pub system_id: SystemId,
    /// Where it came from: `pssh` v0/v1 or the PIFF protection header.
    pub source: &'static str,
    /// KIDs listed by the box itself (pssh v1).
    pub box_kids: Vec<Kid>,
    /// The decoded system data.
    pub data: SystemData,
}

/// The whole summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Tracks in `moov` order.
    pub tracks: Vec<TrackSummary>,
    /// Protection systems in file order.
    pub systems: Vec<SystemSummary>,
}

fn system_data(system_id: SystemId, data: &[u8]) -> SystemData {
    let r = match system_id {
        SystemId::PLAYREADY => Pro::parse(data)
            .and_then(|p| p.wrm_header())
            .map(SystemData::PlayReady),
        SystemId::WIDEVINE => WidevinePsshData::parse(data).map(SystemData::Widevine),
        _ => Ok(SystemData::Opaque(data.to_vec())),
    };
    r.unwrap_or_else(|e| SystemData::Unreadable(e.to_string()))
}

fn track_summary(
    trak: &Mp4Box,
    info: Option<&crate::decrypt::TrackInfo>,
    id: u32,
) -> Result<TrackSummary> {
    let mdhd = match trak.find(&[types::MDIA, types::MDHD]) {
        Some(b) => Some(Mdhd::from_box(b)?),
        None => None,
    };
    let mut codecs = Vec::new();
    if let Some(stsd) = trak.find(&[types::MDIA, types::MINF, types::STBL, types::STSD]) {
        for (i, e) in stsd.children().iter().enumerate() {
            let resolved = info
                .and_then(|t| t.entries.get(i))
                .and_then(Option::as_ref)
                .map(|p| p.original_format);
            codecs.push(match resolved {
                Some(f) if is_protected_entry(e.box_type) => f,
                _ => e.box_type,
            });
        }
    }
    Ok(TrackSummary {
        track_id: id,
        handler: info.and_then(|t| t.handler),
        codecs,
        timescale: mdhd.as_ref().map(|m| m.timescale),
        duration: mdhd.as_ref().map(|m| m.duration),
        language: mdhd.as_ref().map(Mdhd::language),
        scheme: info.and_then(|t| t.entries.iter().flatten().next().map(|e| e.scheme.fourcc())),
        kids: info.map(|t| t.kids()).unwrap_or_default(),
    })
}

/// Summarises an init segment or a whole file (boxes after the `moov` are not read).
pub fn summarize(data: &[u8]) -> Result<Summary> {
    let mut moov = None;
    for b in walk(data, 0, FourCc::default()) {
        let b = b?;
        if b.header.box_type == types::MOOV {
            moov = Some(parse_box(&b)?);
            break;
        }
        if is_media_box(b.header.box_type) && b.header.box_type != types::MDAT {
            break;
        }
    }
    let moov = moov.ok_or_else(|| Error::MissingBox {
        parent: FourCc::new(b"file"),
        child: types::MOOV,
        context: String::new(),
    })?;
    let infos = tracks_of(&moov)?;
    let mut tracks = Vec::new();
    for trak in moov.children_of(types::TRAK) {
        let id = Tkhd::from_box(trak.require(types::TKHD)?)?.track_id;
        tracks.push(track_summary(trak, infos.get(&id), id)?);
    }
    let mut systems = Vec::new();
    for b in moov.children() {
        if b.box_type == types::PSSH {
            let p = Pssh::from_box(b)?;
            systems.push(SystemSummary {
                system_id: p.system_id,
                source: if p.version == 1 { "pssh v1" } else { "pssh v0" },
                box_kids: p.kids.clone(),
                data: system_data(p.system_id, &p.data),
            });
        } else if let Some(h) = piff::read::<PiffProtectionHeader>(b, &piff::PROTECTION_HEADER) {
            let h = h?;
            systems.push(SystemSummary {
                system_id: h.system_id,
                source: "PIFF protection header",
                box_kids: Vec::new(),
                data: system_data(h.system_id, &h.data),
            });
        }
    }
    Ok(Summary { tracks, systems })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::headers::playready::{WrmKid, WrmVersion};
    use crate::headers::{common_pssh, playready_pssh};
    use proptest::prelude::*;

    #[test]
    fn systems_are_decoded() {
        let kid = Kid([3; 16]);
        let h = WrmHeader {
            version: WrmVersion::V4_0,
            kids: vec![WrmKid::aes_ctr_with_key(kid, &[1; 16])],
            la_url: Some("https://pr".into()),
            lui_url: None,
            ds_id: None,
            custom_attributes: None,
            decryptor_setup: None,
        };
        let moov = Mp4Box::container(
            types::MOOV,
            vec![
                playready_pssh(&Pro::from_header(&h), &[]).to_box(),
                common_pssh(&[kid]).to_box(),
                Pssh::v0(SystemId::PLAYREADY, vec![1, 2, 3]).to_box(),
            ],
        );
        let s = summarize(&moov.to_bytes()).unwrap();
        assert!(s.tracks.is_empty());
        assert_eq!(s.systems[0].data, SystemData::PlayReady(h));
        assert_eq!(s.systems[1].box_kids, vec![kid]);
        assert!(matches!(s.systems[2].data, SystemData::Unreadable(_)));
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..300)) {
            let _ = summarize(&data);
            let wrapped = Mp4Box::raw(types::MOOV, data).to_bytes();
            let _ = summarize(&wrapped);
        }
    }
}
