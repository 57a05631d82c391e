//! The ISO-BMFF box model (ISO/IEC 14496-12), laid out like the box tree.
//!
//! Two levels:
//! - [`Mp4Box`], a generic tree that keeps every box (unknown ones as raw bytes) so a file can
//!   be parsed, edited (boxes removed, sample entries renamed) and written back byte-exactly.
//! - Typed boxes ([`ftyp::Ftyp`], [`moof::trun::Trun`], ...) implementing [`BoxCodec`]: parse
//!   from a raw payload and write it back. They are read from the tree on demand.

pub mod emsg;
pub mod ftyp;
pub mod header;
pub mod moof;
pub mod moov;
pub mod protection;
pub mod sidx;
#[cfg(test)]
mod test_util;

use crate::bytes::{Put, Reader};
use crate::error::{Error, Result};
use crate::fourcc::{FourCc, types};
pub use header::{BoxHeader, BoxIter, BoxRef, walk};
use moov::sample_entry;
#[cfg(test)]
pub(crate) use test_util::{check_codec, codec_proptest};

/// A box in the generic tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mp4Box {
    /// The box type.
    pub box_type: FourCc,
    /// Extended type of a `uuid` box.
    pub user_type: Option<[u8; 16]>,
    /// Write the size as a 64-bit `largesize` even when it would fit in 32 bits (keeps round
    /// trips exact for files that did so).
    pub large_size: bool,
    /// Absolute offset where the box was read from (0 for built boxes); used in errors.
    pub offset: u64,
    /// The contents.
    pub body: Body,
}

/// What a box holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    /// Leaf or unknown box: the payload bytes as read.
    Raw(Vec<u8>),
    /// Pure container: child boxes only.
    Children(Vec<Mp4Box>),
    /// Fixed fields followed by child boxes: `stsd` (FullBox header + entry count) and sample
    /// entries (the format-specific fields of ISO/IEC 14496-12 §8.5.2 and §12.x).
    Prefixed {
        /// The bytes before the first child.
        prefix: Vec<u8>,
        /// The child boxes.
        children: Vec<Mp4Box>,
    },
}

/// Boxes whose payload is only child boxes (ISO/IEC 14496-12 §8 and ISO/IEC 23001-7 §8.12).
const CONTAINERS: [FourCc; 13] = [
    types::MOOV,
    types::TRAK,
    types::MDIA,
    types::MINF,
    types::STBL,
    types::MVEX,
    types::MOOF,
    types::TRAF,
    types::SINF,
    types::SCHI,
    types::DINF,
    types::EDTS,
    types::MFRA,
];

/// A typed box that can be parsed from and written to a raw payload.
pub trait BoxCodec: Sized {
    /// The box type.
    const TYPE: FourCc;

    /// Parses the payload (the bytes after the header).
    fn decode(r: &mut Reader<'_>) -> Result<Self>;

    /// Writes the payload.
    fn encode(&self, out: &mut Vec<u8>);

    /// Parses a payload that starts at absolute offset `offset`.
    fn parse(payload: &[u8], offset: u64) -> Result<Self> {
        Self::decode(&mut Reader::new(payload, Self::TYPE, offset))
    }

    /// Parses a leaf from the tree.
    fn from_box(b: &Mp4Box) -> Result<Self> {
        match &b.body {
            Body::Raw(p) => Self::parse(p, b.payload_offset()),
            _ => Err(Error::Invalid {
                box_type: b.box_type,
                offset: b.offset,
                reason: "expected a leaf box".into(),
            }),
        }
    }

    /// Builds a tree node.
    fn to_box(&self) -> Mp4Box {
        let mut p = Vec::new();
        self.encode(&mut p);
        Mp4Box::raw(Self::TYPE, p)
    }

    /// The whole box (header and payload) as bytes.
    fn to_bytes(&self) -> Vec<u8> {
        self.to_box().to_bytes()
    }
}

impl Mp4Box {
    /// A leaf box.
    pub fn raw(box_type: FourCc, payload: Vec<u8>) -> Self {
        Mp4Box {
            box_type,
            user_type: None,
            large_size: false,
            offset: 0,
            body: Body::Raw(payload),
        }
    }

    /// A container box.
    pub fn container(box_type: FourCc, children: Vec<Mp4Box>) -> Self {
        Mp4Box {
            box_type,
            user_type: None,
            large_size: false,
            offset: 0,
            body: Body::Children(children),
        }
    }

    /// Header length this box will be written with.
    fn header_len(&self, payload_len: u64) -> u64 {
        let uuid = if self.user_type.is_some() { 16 } else { 0 };
        let large = self.large_size || payload_len + 8 + uuid > u64::from(u32::MAX);
        8 + uuid + if large { 8 } else { 0 }
    }

    /// Absolute offset of the payload as read (used for error offsets).
    pub fn payload_offset(&self) -> u64 {
        let payload_len = self.payload_len();
        self.offset + self.header_len(payload_len)
    }

    /// Length of the payload when written.
    pub fn payload_len(&self) -> u64 {
        match &self.body {
            Body::Raw(p) => p.len() as u64,
            Body::Children(c) => c.iter().map(Mp4Box::size).sum(),
            Body::Prefixed { prefix, children } => {
                prefix.len() as u64 + children.iter().map(Mp4Box::size).sum::<u64>()
            }
        }
    }

    /// Total size when written.
    pub fn size(&self) -> u64 {
        let p = self.payload_len();
        p + self.header_len(p)
    }

    /// Appends the box (header recomputed from the contents) to `out`.
    pub fn write(&self, out: &mut Vec<u8>) {
        let p = self.payload_len();
        let h = self.header_len(p);
        let size = p + h;
        let large = h == 16 || h == 32;
        if large {
            out.put_u32(1);
            out.extend_from_slice(&self.box_type.0);
            out.put_u64(size);
        } else {
            // Fits: header_len only stays small when size <= u32::MAX.
            out.put_u32(size as u32);
            out.extend_from_slice(&self.box_type.0);
        }
        if let Some(u) = &self.user_type {
            out.extend_from_slice(u);
        }
        match &self.body {
            Body::Raw(p) => out.extend_from_slice(p),
            Body::Children(c) => c.iter().for_each(|b| b.write(out)),
            Body::Prefixed { prefix, children } => {
                out.extend_from_slice(prefix);
                children.iter().for_each(|b| b.write(out));
            }
        }
    }

    /// The box as bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(usize::try_from(self.size()).unwrap_or(0));
        self.write(&mut v);
        v
    }

    /// Child boxes, if this box has any.
    pub fn children(&self) -> &[Mp4Box] {
        match &self.body {
            Body::Children(c) | Body::Prefixed { children: c, .. } => c,
            Body::Raw(_) => &[],
        }
    }

    /// Mutable child list, if this box is a container.
    pub fn children_mut(&mut self) -> Option<&mut Vec<Mp4Box>> {
        match &mut self.body {
            Body::Children(c) | Body::Prefixed { children: c, .. } => Some(c),
            Body::Raw(_) => None,
        }
    }

    /// The first child of a type.
    pub fn child(&self, t: FourCc) -> Option<&Mp4Box> {
        self.children().iter().find(|b| b.box_type == t)
    }

    /// The first child of a type, mutable.
    pub fn child_mut(&mut self, t: FourCc) -> Option<&mut Mp4Box> {
        self.children_mut()?.iter_mut().find(|b| b.box_type == t)
    }

    /// All children of a type.
    pub fn children_of(&self, t: FourCc) -> impl Iterator<Item = &Mp4Box> {
        self.children().iter().filter(move |b| b.box_type == t)
    }

    /// Follows a path of child types, e.g. `[MDIA, MINF, STBL]`.
    pub fn find(&self, path: &[FourCc]) -> Option<&Mp4Box> {
        path.iter().try_fold(self, |b, t| b.child(*t))
    }

    /// Mutable [`Mp4Box::find`].
    pub fn find_mut(&mut self, path: &[FourCc]) -> Option<&mut Mp4Box> {
        let mut b = self;
        for t in path {
            b = b.child_mut(*t)?;
        }
        Some(b)
    }

    /// A required child, or an error naming both boxes.
    pub fn require(&self, t: FourCc) -> Result<&Mp4Box> {
        self.child(t).ok_or_else(|| Error::MissingBox {
            parent: self.box_type,
            child: t,
            context: format!(" at offset {}", self.offset),
        })
    }

    /// Raw payload of a leaf.
    pub fn raw_payload(&self) -> Option<&[u8]> {
        match &self.body {
            Body::Raw(p) => Some(p),
            _ => None,
        }
    }

    /// Removes every descendant for which `drop` returns true; returns how many went.
    pub fn remove_where(&mut self, drop: &mut dyn FnMut(&Mp4Box) -> bool) -> usize {
        let Some(children) = self.children_mut() else {
            return 0;
        };
        let before = children.len();
        children.retain(|c| !drop(c));
        let mut n = before - children.len();
        for c in children.iter_mut() {
            n += c.remove_where(drop);
        }
        n
    }
}

/// How a parent's children should be read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Context {
    Normal,
    SampleDescriptions,
}

/// Parses one box found by the walker into the tree.
pub fn parse_box(b: &BoxRef<'_>) -> Result<Mp4Box> {
    parse_in(b, Context::Normal, 0)
}

/// Deepest nesting the tree accepts. Real files nest about ten levels (moov/trak/mdia/minf/
/// stbl/stsd/encv/sinf/schi/tenc); the limit keeps hostile input from exhausting the stack
/// or making size computations quadratic.
pub const MAX_DEPTH: usize = 32;

fn parse_in(b: &BoxRef<'_>, ctx: Context, depth: usize) -> Result<Mp4Box> {
    let h = &b.header;
    let t = h.box_type;
    if depth > MAX_DEPTH {
        return Err(Error::Invalid {
            box_type: t,
            offset: h.offset,
            reason: format!("boxes nested deeper than {MAX_DEPTH} levels"),
        });
    }
    let body = if ctx == Context::SampleDescriptions {
        sample_entry::parse_body(t, b.payload, h.payload_offset(), depth)
    } else if CONTAINERS.contains(&t) {
        Body::Children(parse_seq_at(b.payload, h.payload_offset(), t, depth + 1)?)
    } else if t == types::STSD {
        // ISO/IEC 14496-12 §8.5.2: FullBox header, u32 entry_count, then the entries.
        if b.payload.len() < 8 {
            return Err(Error::Truncated {
                box_type: t,
                offset: h.payload_offset(),
                needed: 8,
                available: b.payload.len() as u64,
            });
        }
        let mut children = Vec::new();
        for e in walk(&b.payload[8..], h.payload_offset() + 8, t) {
            children.push(parse_in(&e?, Context::SampleDescriptions, depth + 1)?);
        }
        Body::Prefixed {
            prefix: b.payload[..8].to_vec(),
            children,
        }
    } else {
        Body::Raw(b.payload.to_vec())
    };
    Ok(Mp4Box {
        box_type: t,
        user_type: h.user_type,
        large_size: h.large_size,
        offset: h.offset,
        body,
    })
}

/// Parses a run of boxes into tree nodes.
pub fn parse_seq(data: &[u8], base: u64, parent: FourCc) -> Result<Vec<Mp4Box>> {
    parse_seq_at(data, base, parent, 0)
}

pub(crate) fn parse_seq_at(
    data: &[u8],
    base: u64,
    parent: FourCc,
    depth: usize,
) -> Result<Vec<Mp4Box>> {
    walk(data, base, parent)
        .map(|r| r.and_then(|b| parse_in(&b, Context::Normal, depth)))
        .collect()
}

/// Parses a whole buffer (a file, an init segment, a fragment) into top-level boxes.
pub fn parse_all(data: &[u8]) -> Result<Vec<Mp4Box>> {
    parse_seq(data, 0, FourCc::default())
}

/// Writes boxes end to end.
pub fn write_all(boxes: &[Mp4Box]) -> Vec<u8> {
    let mut out = Vec::new();
    boxes.iter().for_each(|b| b.write(&mut out));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn leaf(t: &[u8; 4], p: &[u8]) -> Vec<u8> {
        Mp4Box::raw(FourCc::new(t), p.to_vec()).to_bytes()
    }

    #[test]
    fn tree_round_trips_and_keeps_unknown_boxes() {
        let mut trak = Vec::new();
        trak.extend(leaf(b"tkhd", &[0; 84]));
        trak.extend(leaf(b"zzzz", b"unknown box content"));
        let moov = Mp4Box {
            box_type: types::MOOV,
            user_type: None,
            large_size: true,
            offset: 0,
            body: Body::Children(vec![Mp4Box::raw(types::TRAK, vec![])]),
        };
        let mut file = leaf(b"ftyp", b"isom\0\0\0\x01isom");
        let mut t = Mp4Box::container(types::TRAK, parse_all(&trak).unwrap());
        t.user_type = None;
        let mut m = moov;
        m.body = Body::Children(vec![t]);
        m.write(&mut file);
        let mut u = Mp4Box::raw(types::UUID, b"x".to_vec());
        u.user_type = Some([7; 16]);
        u.write(&mut file);
        let tree = parse_all(&file).unwrap();
        assert_eq!(tree.len(), 3);
        assert!(tree[1].large_size);
        assert_eq!(
            tree[1].find(&[types::TRAK]).unwrap().children()[1].raw_payload(),
            Some(&b"unknown box content"[..])
        );
        assert_eq!(tree[2].user_type, Some([7; 16]));
        assert_eq!(write_all(&tree), file);
    }

    #[test]
    fn remove_where_fixes_sizes() {
        let moov = Mp4Box::container(
            types::MOOV,
            vec![
                Mp4Box::raw(types::PSSH, vec![0; 30]),
                Mp4Box::raw(types::MVHD, vec![0; 100]),
            ],
        );
        let mut tree = parse_all(&moov.to_bytes()).unwrap();
        assert_eq!(tree[0].remove_where(&mut |b| b.box_type == types::PSSH), 1);
        assert_eq!(tree[0].size(), 8 + 108);
        let again = parse_all(&write_all(&tree)).unwrap();
        assert_eq!(write_all(&again), write_all(&tree));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        // 10,000 nested `moov` headers, each box exactly wrapping the next.
        let mut bytes = Vec::new();
        let n = 10_000u32;
        for i in 0..n {
            bytes.extend_from_slice(&(8 * (n - i)).to_be_bytes());
            bytes.extend_from_slice(b"moov");
        }
        let e = parse_all(&bytes).unwrap_err();
        assert!(e.to_string().contains("nested deeper"), "{e}");
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..512)) {
            if let Ok(tree) = parse_all(&data) {
                // Whatever parses writes back to bytes that parse to the same tree and write
                // back identically (size-0 boxes and zero padding are normalised once).
                let out = write_all(&tree);
                let again = parse_all(&out).expect("written tree parses");
                prop_assert_eq!(write_all(&again), out);
            }
        }

        #[test]
        fn container_soup_never_panics(parts in proptest::collection::vec((0usize..6, proptest::collection::vec(any::<u8>(), 0..40)), 0..8)) {
            let names: [&[u8; 4]; 6] = [b"moov", b"trak", b"stsd", b"encv", b"sinf", b"mdat"];
            let mut data = Vec::new();
            for (i, p) in &parts {
                data.extend(leaf(names[*i], p));
            }
            let _ = parse_all(&data);
            let wrapped = leaf(b"moov", &data);
            let _ = parse_all(&wrapped);
        }
    }
}
