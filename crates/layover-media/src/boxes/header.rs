//! Box headers and the box walker (ISO/IEC 14496-12 §4.2).
//!
//! A box starts with a 32-bit size and a type. Size 1 means a 64-bit `largesize` follows;
//! size 0 means the box runs to the end of its parent (or the file). Type `uuid` adds a
//! 16-byte extended type. The walker checks every size against its parent before yielding,
//! so callers only ever see payload slices that exist.

use crate::error::{Error, Result};
use crate::fourcc::{FourCc, types};

/// A parsed box header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BoxHeader {
    /// The box type.
    pub box_type: FourCc,
    /// The extended type of a `uuid` box.
    pub user_type: Option<[u8; 16]>,
    /// Absolute offset of the first header byte.
    pub offset: u64,
    /// Total size including the header.
    pub size: u64,
    /// Header length: 8, 16 (largesize or uuid) or 24 (both).
    pub header_len: u64,
    /// The header used a 64-bit `largesize`.
    pub large_size: bool,
    /// The header declared size 0 ("to the end").
    pub to_end: bool,
}

impl BoxHeader {
    /// Absolute offset of the payload.
    pub fn payload_offset(&self) -> u64 {
        self.offset + self.header_len
    }

    /// Payload length.
    pub fn payload_len(&self) -> u64 {
        self.size - self.header_len
    }
}

/// One box found by the walker: its header and its payload (after the header).
#[derive(Debug, Clone, Copy)]
pub struct BoxRef<'a> {
    /// The header.
    pub header: BoxHeader,
    /// The payload bytes.
    pub payload: &'a [u8],
}

/// Iterates over the boxes laid end to end in `data`. Yields an error (once, then stops) on
/// the first box that does not fit.
#[derive(Debug, Clone)]
pub struct BoxIter<'a> {
    data: &'a [u8],
    pos: usize,
    base: u64,
    parent: FourCc,
    failed: bool,
}

/// Walks the boxes in `data`, which starts at absolute offset `base` inside `parent` (use
/// any code, e.g. `FourCc::default()`, for the top level).
pub fn walk(data: &[u8], base: u64, parent: FourCc) -> BoxIter<'_> {
    BoxIter {
        data,
        pos: 0,
        base,
        parent,
        failed: false,
    }
}

impl<'a> BoxIter<'a> {
    /// Absolute offset of the next box.
    pub fn offset(&self) -> u64 {
        self.base + self.pos as u64
    }

    fn next_box(&mut self) -> Result<Option<BoxRef<'a>>> {
        let rest = &self.data[self.pos..];
        if rest.is_empty() {
            return Ok(None);
        }
        let offset = self.offset();
        if rest.len() < 8 {
            // QuickTime ends some containers with a 32-bit zero terminator; accept trailing
            // zero padding shorter than a header rather than failing the whole parent.
            if rest.iter().all(|&b| b == 0) {
                self.pos = self.data.len();
                return Ok(None);
            }
            return Err(Error::Truncated {
                box_type: self.parent,
                offset,
                needed: 8,
                available: rest.len() as u64,
            });
        }
        let size32 = u32::from_be_bytes([rest[0], rest[1], rest[2], rest[3]]);
        let box_type = FourCc([rest[4], rest[5], rest[6], rest[7]]);
        let mut header_len: u64 = 8;
        let mut large_size = false;
        let mut to_end = false;
        let size = match size32 {
            1 => {
                if rest.len() < 16 {
                    return Err(Error::Truncated {
                        box_type,
                        offset,
                        needed: 16,
                        available: rest.len() as u64,
                    });
                }
                header_len = 16;
                large_size = true;
                let mut b = [0u8; 8];
                b.copy_from_slice(&rest[8..16]);
                u64::from_be_bytes(b)
            }
            0 => {
                to_end = true;
                rest.len() as u64
            }
            n => u64::from(n),
        };
        let mut user_type = None;
        if box_type == types::UUID {
            let start = header_len as usize;
            if rest.len() < start + 16 {
                return Err(Error::Truncated {
                    box_type,
                    offset,
                    needed: (start + 16) as u64,
                    available: rest.len() as u64,
                });
            }
            let mut u = [0u8; 16];
            u.copy_from_slice(&rest[start..start + 16]);
            user_type = Some(u);
            header_len += 16;
        }
        if size < header_len {
            return Err(Error::BadSize {
                box_type,
                offset,
                size,
                reason: "smaller than its header",
            });
        }
        if size > rest.len() as u64 {
            return Err(Error::BadSize {
                box_type,
                offset,
                size,
                reason: "extends past the end of its parent",
            });
        }
        // Both fit in usize now: size <= rest.len().
        let payload = &rest[header_len as usize..size as usize];
        self.pos += size as usize;
        Ok(Some(BoxRef {
            header: BoxHeader {
                box_type,
                user_type,
                offset,
                size,
                header_len,
                large_size,
                to_end,
            },
            payload,
        }))
    }
}

impl<'a> Iterator for BoxIter<'a> {
    type Item = Result<BoxRef<'a>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        match self.next_box() {
            Ok(Some(b)) => Some(Ok(b)),
            Ok(None) => None,
            Err(e) => {
                self.failed = true;
                Some(Err(e))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_32_64_and_to_end() {
        let mut data = Vec::new();
        data.extend_from_slice(&12u32.to_be_bytes());
        data.extend_from_slice(b"free");
        data.extend_from_slice(&[1, 2, 3, 4]);
        data.extend_from_slice(&1u32.to_be_bytes());
        data.extend_from_slice(b"skip");
        data.extend_from_slice(&18u64.to_be_bytes());
        data.extend_from_slice(&[9, 9]);
        data.extend_from_slice(&0u32.to_be_bytes());
        data.extend_from_slice(b"mdat");
        data.extend_from_slice(&[7; 5]);
        let boxes: Vec<_> = walk(&data, 100, FourCc::default())
            .collect::<Result<_>>()
            .unwrap();
        assert_eq!(boxes.len(), 3);
        assert_eq!(boxes[0].payload, &[1, 2, 3, 4]);
        assert_eq!(boxes[1].header.offset, 112);
        assert!(boxes[1].header.large_size);
        assert_eq!(boxes[1].payload, &[9, 9]);
        assert!(boxes[2].header.to_end);
        assert_eq!(boxes[2].payload, &[7; 5]);
    }

    #[test]
    fn oversize_box_is_an_error_naming_it() {
        let mut data = Vec::new();
        data.extend_from_slice(&100u32.to_be_bytes());
        data.extend_from_slice(b"moov");
        let err = walk(&data, 0, FourCc::default())
            .next()
            .unwrap()
            .unwrap_err();
        assert!(
            matches!(err, Error::BadSize { box_type, offset: 0, size: 100, .. } if box_type == types::MOOV)
        );
        assert!(err.to_string().contains("'moov'"));
    }

    #[test]
    fn undersize_box_is_an_error() {
        let mut data = Vec::new();
        data.extend_from_slice(&4u32.to_be_bytes());
        data.extend_from_slice(b"moov");
        assert!(walk(&data, 0, FourCc::default()).next().unwrap().is_err());
    }
}
