//! The object tree: headers `{u16 flags, u16 type, u32 length}` (length includes the 8-byte
//! header), containers holding child objects, unknown objects kept as raw bytes.

use super::error::XmrError;
use super::object_type::{self as ty, FLAG_CONTAINER};
use super::objects::Leaf;
use super::reader::Reader;

/// Deepest container nesting accepted. Real licenses nest three levels (outer, policy, leaf);
/// the limit keeps hostile input from exhausting the stack.
pub const MAX_DEPTH: usize = 16;

const HEADER_LEN: usize = 8;

/// One XMR object.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct XmrObject {
    /// Header flags other than the container bit, which is derived from [`ObjectBody`] when
    /// written (so a tree can never claim to be a container and not be one).
    pub flags: u16,
    /// What the object holds.
    pub body: ObjectBody,
}

/// The payload of an XMR object.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ObjectBody {
    /// Any object whose header has the container flag: child objects.
    Container {
        /// Object type (0x0001 outer, 0x0002 global policy, 0x0004 playback, 0x0009 keys, ...).
        object_type: u16,
        /// Children, in order.
        children: Vec<XmrObject>,
    },
    /// A leaf this crate decodes.
    Leaf(Leaf),
    /// Any other leaf, kept byte for byte and skipped by the policy mapping.
    Unknown {
        /// Object type.
        object_type: u16,
        /// Payload bytes.
        data: Vec<u8>,
    },
}

impl XmrObject {
    /// A container with the must-understand flag, as licenses carry them.
    pub fn container(object_type: u16, children: Vec<XmrObject>) -> Self {
        Self {
            flags: ty::FLAG_MUST_UNDERSTAND,
            body: ObjectBody::Container {
                object_type,
                children,
            },
        }
    }

    /// A leaf with the given flags.
    pub fn leaf(flags: u16, leaf: Leaf) -> Self {
        Self {
            flags,
            body: ObjectBody::Leaf(leaf),
        }
    }

    /// The object's type number.
    pub fn object_type(&self) -> u16 {
        match &self.body {
            ObjectBody::Container { object_type, .. } | ObjectBody::Unknown { object_type, .. } => {
                *object_type
            }
            ObjectBody::Leaf(leaf) => leaf.object_type(),
        }
    }

    /// Whether the must-understand flag is set.
    pub fn must_understand(&self) -> bool {
        self.flags & ty::FLAG_MUST_UNDERSTAND != 0
    }
}

/// Parses consecutive objects filling `data`, which starts at absolute offset `base`.
pub(crate) fn parse_objects(
    data: &[u8],
    base: usize,
    depth: usize,
) -> Result<Vec<XmrObject>, XmrError> {
    if depth > MAX_DEPTH {
        return Err(XmrError::TooDeep {
            offset: base,
            max: MAX_DEPTH,
        });
    }
    let mut r = Reader::new(data, base);
    let mut out = Vec::new();
    while !r.is_empty() {
        let header_offset = r.offset();
        let flags = r.u16("object header")?;
        let object_type = r.u16("object header")?;
        let length = r.u32("object header")?;
        let declared = usize::try_from(length).unwrap_or(usize::MAX);
        if declared < HEADER_LEN {
            return Err(XmrError::BadObjectLength {
                object_type,
                offset: header_offset,
                length,
                reason: "is shorter than the 8-byte header",
            });
        }
        if declared - HEADER_LEN > r.remaining() {
            return Err(XmrError::BadObjectLength {
                object_type,
                offset: header_offset,
                length,
                reason: "runs past the end of its parent",
            });
        }
        let payload_offset = r.offset();
        let payload = r.bytes(declared - HEADER_LEN, "object payload")?;
        let body = if flags & FLAG_CONTAINER != 0 {
            ObjectBody::Container {
                object_type,
                children: parse_objects(payload, payload_offset, depth + 1)?,
            }
        } else {
            match Leaf::decode(object_type, payload, header_offset)? {
                Some(leaf) => ObjectBody::Leaf(leaf),
                None => ObjectBody::Unknown {
                    object_type,
                    data: payload.to_vec(),
                },
            }
        };
        out.push(XmrObject {
            flags: flags & !FLAG_CONTAINER,
            body,
        });
    }
    Ok(out)
}

/// Writes objects; records the absolute offset of the first signature object in `sig_offset`.
pub(crate) fn encode_objects(
    objects: &[XmrObject],
    out: &mut Vec<u8>,
    sig_offset: &mut Option<usize>,
) -> Result<(), XmrError> {
    for obj in objects {
        let start = out.len();
        let object_type = obj.object_type();
        let flags = match obj.body {
            ObjectBody::Container { .. } => obj.flags | FLAG_CONTAINER,
            _ => obj.flags & !FLAG_CONTAINER,
        };
        out.extend_from_slice(&flags.to_be_bytes());
        out.extend_from_slice(&object_type.to_be_bytes());
        out.extend_from_slice(&[0; 4]); // length, patched below
        match &obj.body {
            ObjectBody::Container { children, .. } => encode_objects(children, out, sig_offset)?,
            ObjectBody::Leaf(leaf) => {
                if matches!(leaf, Leaf::Signature(_)) && sig_offset.is_none() {
                    *sig_offset = Some(start);
                }
                leaf.encode_payload(out)?;
            }
            ObjectBody::Unknown { data, .. } => out.extend_from_slice(data),
        }
        let len = out.len() - start;
        let len32 = u32::try_from(len).map_err(|_| XmrError::TooLarge {
            what: ty::name(object_type),
            len,
        })?;
        out[start + 4..start + 8].copy_from_slice(&len32.to_be_bytes());
    }
    Ok(())
}
