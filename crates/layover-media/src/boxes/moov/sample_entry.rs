//! Sample entries inside `stsd` (ISO/IEC 14496-12 §8.5.2, §12.1.3, §12.2.3; ISO/IEC 14496-30
//! for `stpp`/`wvtt`; ISO/IEC 23001-7 §8.12 for the `encv`/`enca`/`encs` forms).
//!
//! Each entry starts with format-specific fixed fields; child boxes (`avcC`, `esds`, `sinf`,
//! ...) follow. The tree keeps the fixed fields as raw bytes so the entry can be renamed
//! (`encv` back to `avc1`) and its `sinf` removed without understanding every codec.

use super::super::{Body, Mp4Box, parse_seq_at};
use crate::fourcc::{FourCc, types};

/// Which family of sample entry a format code belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    /// VisualSampleEntry: 8 + 70 bytes of fixed fields.
    Visual,
    /// AudioSampleEntry: 8 + 20 bytes, plus 16 (version 1) or 36 (version 2) for QuickTime
    /// sound descriptions.
    Audio,
    /// XMLSubtitleSampleEntry (`stpp`): 8 bytes then three NUL-terminated strings.
    XmlSubtitle,
    /// Plain 8-byte SampleEntry header (`wvtt`).
    Plain,
    /// `encs`/`enct`: protected text; the original format decides the layout.
    ProtectedText,
    /// Anything else: kept as raw bytes.
    Unknown,
}

/// Classifies a sample entry format code.
pub fn kind_of(t: FourCc) -> EntryKind {
    match &t.0 {
        b"avc1" | b"avc3" | b"avc2" | b"avc4" | b"hvc1" | b"hev1" | b"encv" | b"vp08" | b"vp09"
        | b"av01" | b"dvh1" | b"dvhe" | b"dva1" | b"dvav" | b"mp4v" => EntryKind::Visual,
        b"mp4a" | b"enca" | b"ec-3" | b"ac-3" | b"ac-4" | b"Opus" | b"fLaC" | b"alac" | b"dtsc"
        | b"dtse" | b"dtsh" | b"dtsl" => EntryKind::Audio,
        b"stpp" => EntryKind::XmlSubtitle,
        b"wvtt" => EntryKind::Plain,
        b"encs" | b"enct" => EntryKind::ProtectedText,
        _ => EntryKind::Unknown,
    }
}

/// Length of `stpp`'s fixed part: the 8-byte header and three NUL-terminated strings
/// (namespace, schema_location, auxiliary_mime_types).
fn xml_subtitle_len(payload: &[u8]) -> Option<usize> {
    let mut pos = 8usize;
    for _ in 0..3 {
        let n = payload.get(pos..)?.iter().position(|&b| b == 0)?;
        pos += n + 1;
    }
    Some(pos)
}

/// Candidate offsets where the child boxes may start, most likely first.
fn candidates(t: FourCc, payload: &[u8]) -> Vec<usize> {
    match kind_of(t) {
        EntryKind::Visual => vec![78],
        EntryKind::Audio => {
            let version = payload.get(8..10).map(|v| u16::from_be_bytes([v[0], v[1]]));
            match version {
                Some(1) => vec![44, 28],
                Some(2) => vec![64, 28],
                _ => vec![28],
            }
        }
        EntryKind::XmlSubtitle => xml_subtitle_len(payload).into_iter().collect(),
        EntryKind::Plain => vec![8],
        EntryKind::ProtectedText => {
            let mut c = vec![8];
            c.extend(xml_subtitle_len(payload));
            c
        }
        EntryKind::Unknown => vec![],
    }
}

/// Parses an entry body: fixed fields kept raw, children parsed. An entry whose children do
/// not parse at any candidate offset stays raw, so odd codecs never fail a whole file.
pub(crate) fn parse_body(t: FourCc, payload: &[u8], payload_offset: u64, depth: usize) -> Body {
    for start in candidates(t, payload) {
        if start > payload.len() {
            continue;
        }
        if let Ok(children) = parse_seq_at(
            &payload[start..],
            payload_offset + start as u64,
            t,
            depth + 1,
        ) {
            return Body::Prefixed {
                prefix: payload[..start].to_vec(),
                children,
            };
        }
    }
    Body::Raw(payload.to_vec())
}

/// True for the protected sample entry codes of ISO/IEC 23001-7 §8.12.
pub fn is_protected_entry(t: FourCc) -> bool {
    matches!(t, types::ENCV | types::ENCA | types::ENCS | types::ENCT)
}

/// `data_reference_index` and other fields are not needed here; this returns the entry's
/// `sinf` boxes (there may be several, one per scheme).
pub fn sinfs(entry: &Mp4Box) -> impl Iterator<Item = &Mp4Box> {
    entry.children_of(types::SINF)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::boxes::{parse_all, write_all};

    #[test]
    fn encv_children_found_after_visual_fields() {
        let avcc = Mp4Box::raw(FourCc::new(b"avcC"), vec![1, 2, 3]);
        let sinf = Mp4Box::container(
            types::SINF,
            vec![Mp4Box::raw(types::FRMA, b"avc1".to_vec())],
        );
        let mut entry = Mp4Box::raw(types::ENCV, vec![]);
        entry.body = Body::Prefixed {
            prefix: vec![0; 78],
            children: vec![avcc, sinf],
        };
        let stsd = Mp4Box {
            body: Body::Prefixed {
                prefix: vec![0, 0, 0, 0, 0, 0, 0, 1],
                children: vec![entry],
            },
            ..Mp4Box::raw(types::STSD, vec![])
        };
        let bytes = stsd.to_bytes();
        let tree = parse_all(&bytes).unwrap();
        let e = &tree[0].children()[0];
        assert_eq!(e.box_type, types::ENCV);
        assert_eq!(sinfs(e).count(), 1);
        assert_eq!(write_all(&tree), bytes);
    }

    #[test]
    fn stpp_strings_are_skipped() {
        let mut p = vec![0u8; 8];
        p.extend_from_slice(b"http://www.w3.org/ns/ttml\0\0\0");
        let mut payload = p.clone();
        payload.extend(Mp4Box::raw(types::SINF, vec![]).to_bytes());
        match parse_body(types::ENCS, &payload, 0, 0) {
            Body::Prefixed { prefix, children } => {
                assert_eq!(prefix, p);
                assert_eq!(children[0].box_type, types::SINF);
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}
