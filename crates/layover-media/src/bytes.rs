//! Bounds-checked big-endian reading and writing. Every read checks the remaining length and
//! returns [`Error::Truncated`] naming the box and absolute offset, so no parser can panic on
//! short input.

use crate::error::{Error, Result};
use crate::fourcc::FourCc;

/// A cursor over one box payload (or any byte run) that knows which box it reads, and where
/// the bytes sit in the file, for error messages.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
    box_type: FourCc,
    base: u64,
}

impl<'a> Reader<'a> {
    /// A reader over `data`, which starts at absolute offset `base` inside box `box_type`.
    pub fn new(data: &'a [u8], box_type: FourCc, base: u64) -> Self {
        Reader {
            data,
            pos: 0,
            box_type,
            base,
        }
    }

    /// Bytes not yet read.
    pub fn remaining(&self) -> usize {
        self.data.len() - self.pos
    }

    /// True when everything has been read.
    pub fn is_empty(&self) -> bool {
        self.remaining() == 0
    }

    /// Position relative to the start of the data.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// Absolute offset of the next byte.
    pub fn offset(&self) -> u64 {
        self.base + self.pos as u64
    }

    /// The box this reader reads.
    pub fn box_type(&self) -> FourCc {
        self.box_type
    }

    /// An [`Error::Invalid`] at the current position.
    pub fn invalid(&self, reason: impl Into<String>) -> Error {
        Error::Invalid {
            box_type: self.box_type,
            offset: self.offset(),
            reason: reason.into(),
        }
    }

    /// Reads `n` bytes.
    pub fn bytes(&mut self, n: usize) -> Result<&'a [u8]> {
        if n > self.remaining() {
            return Err(Error::Truncated {
                box_type: self.box_type,
                offset: self.offset(),
                needed: n as u64,
                available: self.remaining() as u64,
            });
        }
        let s = &self.data[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    /// Reads a fixed-size array.
    pub fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.bytes(N)?);
        Ok(a)
    }

    /// Everything left.
    pub fn rest(&mut self) -> &'a [u8] {
        let s = &self.data[self.pos..];
        self.pos = self.data.len();
        s
    }

    /// Skips `n` bytes.
    pub fn skip(&mut self, n: usize) -> Result<()> {
        self.bytes(n).map(|_| ())
    }

    /// Reads a u8.
    pub fn u8(&mut self) -> Result<u8> {
        Ok(self.array::<1>()?[0])
    }

    /// Reads a big-endian u16.
    pub fn u16(&mut self) -> Result<u16> {
        Ok(u16::from_be_bytes(self.array()?))
    }

    /// Reads a big-endian 24-bit unsigned integer.
    pub fn u24(&mut self) -> Result<u32> {
        let [a, b, c] = self.array()?;
        Ok(u32::from_be_bytes([0, a, b, c]))
    }

    /// Reads a big-endian u32.
    pub fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_be_bytes(self.array()?))
    }

    /// Reads a big-endian u64.
    pub fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_be_bytes(self.array()?))
    }

    /// Reads a four-character code.
    pub fn fourcc(&mut self) -> Result<FourCc> {
        Ok(FourCc(self.array()?))
    }

    /// Reads a u32 when `v1` is false, else a u64 (the version-dependent fields of
    /// ISO/IEC 14496-12).
    pub fn u32_or_u64(&mut self, v1: bool) -> Result<u64> {
        if v1 {
            self.u64()
        } else {
            self.u32().map(u64::from)
        }
    }

    /// Reads a FullBox header (ISO/IEC 14496-12 §4.2): version and 24-bit flags.
    pub fn full_header(&mut self) -> Result<(u8, u32)> {
        let v = self.u32()?;
        Ok(((v >> 24) as u8, v & 0x00ff_ffff))
    }

    /// Reads a NUL-terminated UTF-8 string (the NUL is consumed; a missing NUL at the end of
    /// the data is tolerated, as some writers omit it).
    pub fn cstring(&mut self) -> Result<String> {
        let rest = &self.data[self.pos..];
        let (s, used) = match rest.iter().position(|&b| b == 0) {
            Some(n) => (&rest[..n], n + 1),
            None => (rest, rest.len()),
        };
        self.pos += used;
        Ok(String::from_utf8_lossy(s).into_owned())
    }

    /// Checks that `count` items of at least `item_len` bytes can still be read, so that a
    /// hostile count cannot make a parser allocate gigabytes before failing.
    pub fn check_count(&self, count: u64, item_len: u64) -> Result<usize> {
        let needed = count.saturating_mul(item_len);
        if needed > self.remaining() as u64 {
            return Err(Error::Truncated {
                box_type: self.box_type,
                offset: self.offset(),
                needed,
                available: self.remaining() as u64,
            });
        }
        usize::try_from(count).map_err(|_| self.invalid("count too large"))
    }
}

/// Big-endian writing helpers on `Vec<u8>`.
pub trait Put {
    /// Appends a u8.
    fn put_u8(&mut self, v: u8);
    /// Appends a big-endian u16.
    fn put_u16(&mut self, v: u16);
    /// Appends a big-endian 24-bit integer (the top byte of `v` is dropped).
    fn put_u24(&mut self, v: u32);
    /// Appends a big-endian u32.
    fn put_u32(&mut self, v: u32);
    /// Appends a big-endian u64.
    fn put_u64(&mut self, v: u64);
    /// Appends a FullBox version and flags.
    fn put_full_header(&mut self, version: u8, flags: u32);
    /// Appends a NUL-terminated string.
    fn put_cstring(&mut self, s: &str);
}

impl Put for Vec<u8> {
    fn put_u8(&mut self, v: u8) {
        self.push(v);
    }
    fn put_u16(&mut self, v: u16) {
        self.extend_from_slice(&v.to_be_bytes());
    }
    fn put_u24(&mut self, v: u32) {
        self.extend_from_slice(&v.to_be_bytes()[1..]);
    }
    fn put_u32(&mut self, v: u32) {
        self.extend_from_slice(&v.to_be_bytes());
    }
    fn put_u64(&mut self, v: u64) {
        self.extend_from_slice(&v.to_be_bytes());
    }
    fn put_full_header(&mut self, version: u8, flags: u32) {
        self.put_u32(u32::from(version) << 24 | (flags & 0x00ff_ffff));
    }
    fn put_cstring(&mut self, s: &str) {
        self.extend_from_slice(s.as_bytes());
        self.push(0);
    }
}
