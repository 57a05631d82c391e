//! A downloaded MP4 is checked before it counts: its top-level boxes must tile the file exactly
//! (ISO/IEC 14496-12 §4.2: size, type, 64-bit largesize, size 0 = to the end). An HTML error
//! page or a truncated body fails this. The full box parser lives in layover-media; this check
//! only needs the box headers, so it reads them straight from the file without loading it.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

/// Box types that may start an MP4 file or segment.
const FIRST_BOXES: [&[u8; 4]; 6] = [b"ftyp", b"styp", b"moov", b"moof", b"sidx", b"free"];

/// A top-level box of a file: its type, where it starts and its whole size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TopBox {
    /// Four-character type.
    pub kind: [u8; 4],
    /// Byte offset of its header.
    pub offset: u64,
    /// Size including the header.
    pub size: u64,
}

/// Reads the header of the top-level box at `at` in a file of `len` bytes. Shared by the
/// download check and `layover inspect`, which both walk a file's boxes without loading it.
pub(crate) fn read_box_header(f: &mut File, at: u64, len: u64) -> Result<TopBox, String> {
    let mut header = [0u8; 8];
    f.seek(SeekFrom::Start(at)).map_err(|e| e.to_string())?;
    f.read_exact(&mut header)
        .map_err(|_| format!("a box header is cut off at byte {at}"))?;
    let kind = [header[4], header[5], header[6], header[7]];
    let size = match u32::from_be_bytes([header[0], header[1], header[2], header[3]]) {
        0 => len - at,
        1 => {
            let mut large = [0u8; 8];
            f.read_exact(&mut large)
                .map_err(|_| format!("a box header is cut off at byte {at}"))?;
            u64::from_be_bytes(large)
        }
        n => u64::from(n),
    };
    Ok(TopBox {
        kind,
        offset: at,
        size,
    })
}

impl TopBox {
    /// Checks that the box is at least a header long and ends inside a file of `len` bytes.
    pub(crate) fn check_fits(&self, len: u64) -> Result<(), String> {
        let (name, at, size) = (String::from_utf8_lossy(&self.kind), self.offset, self.size);
        if size < 8 {
            return Err(format!(
                "the `{name}` box at byte {at} has an impossible size {size}"
            ));
        }
        if at + size > len {
            return Err(format!(
                "the `{name}` box at byte {at} needs {size} bytes but the file ends {} bytes in (truncated, or not an MP4)",
                len - at
            ));
        }
        Ok(())
    }
}

/// Checks a downloaded file before it counts: subtitles in text form (`.vtt`, `.ttml`, `.dfxp`,
/// `.xml`, `.srt`) must be non-empty UTF-8 text and not an HTML error page (WebVTT must start
/// with `WEBVTT`); everything else must be whole ISO-BMFF boxes.
pub fn check_downloaded_file(path: &Path) -> Result<(), String> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    if !matches!(
        ext.as_str(),
        "vtt" | "webvtt" | "ttml" | "dfxp" | "xml" | "srt"
    ) {
        return check_top_level_boxes(path);
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read: {e}"))?;
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| "a subtitle file that is not UTF-8 text (a wrong file?)".to_owned())?;
    let text = text.trim_start_matches('\u{feff}').trim_start();
    if text.is_empty() {
        return Err("an empty subtitle file".into());
    }
    let head: String = text
        .chars()
        .take(64)
        .collect::<String>()
        .to_ascii_lowercase();
    if head.starts_with("<!doctype html") || head.starts_with("<html") {
        return Err("an HTML page where subtitles were expected (an error page?)".into());
    }
    if matches!(ext.as_str(), "vtt" | "webvtt") && !text.starts_with("WEBVTT") {
        return Err("a WebVTT file that does not start with WEBVTT".into());
    }
    Ok(())
}

/// Checks that `path` is a sequence of whole ISO-BMFF boxes; returns why not.
pub fn check_top_level_boxes(path: &Path) -> Result<(), String> {
    let mut f = File::open(path).map_err(|e| format!("cannot open: {e}"))?;
    let len = f.metadata().map_err(|e| format!("cannot stat: {e}"))?.len();
    let mut at = 0u64;
    while at < len {
        let b = read_box_header(&mut f, at, len)?;
        if !b.kind.iter().all(|c| c.is_ascii_graphic() || *c == b' ') {
            return Err(format!(
                "byte {at} does not start a box (an HTML error page or a wrong file?)"
            ));
        }
        if at == 0 && !FIRST_BOXES.contains(&&b.kind) && &b.kind != b"uuid" {
            return Err(format!(
                "the file starts with `{}`, not an MP4 box such as ftyp (an HTML error page or a wrong file?)",
                String::from_utf8_lossy(&b.kind)
            ));
        }
        b.check_fits(len)?;
        at += b.size;
    }
    if len == 0 {
        return Err("the file is empty".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_subtitles_are_checked_as_text() {
        let dir = tempfile::tempdir().unwrap();
        let check = |name: &str, body: &[u8]| {
            let p = dir.path().join(name);
            std::fs::write(&p, body).unwrap();
            check_downloaded_file(&p)
        };
        assert!(
            check(
                "en.vtt",
                b"\xef\xbb\xbfWEBVTT\n\n00:00.000 --> 00:01.000\nHi\n"
            )
            .is_ok()
        );
        assert!(check("en.ttml", b"<?xml version=\"1.0\"?><tt/>").is_ok());
        assert!(check("en.vtt", b"<!DOCTYPE html><html>404</html>").is_err());
        assert!(check("en.vtt", b"").is_err());
        assert!(check("en.vtt", b"not webvtt").is_err());
        assert!(check("en.ttml", &[0xff, 0xfe, 0x00]).is_err());
        // Media still needs whole boxes.
        assert!(check("seg.m4s", b"WEBVTT").is_err());
    }

    fn boxed(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut v = ((body.len() + 8) as u32).to_be_bytes().to_vec();
        v.extend_from_slice(kind);
        v.extend_from_slice(body);
        v
    }

    fn check(bytes: &[u8]) -> Result<(), String> {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("f.mp4");
        std::fs::write(&p, bytes).expect("write");
        check_top_level_boxes(&p)
    }

    #[test]
    fn whole_files_pass() {
        let mut f = boxed(b"ftyp", b"isom\0\0\0\x01");
        f.extend(boxed(b"moov", &[0; 20]));
        f.extend(boxed(b"mdat", &[1; 100]));
        assert_eq!(check(&f), Ok(()));
        // size 0: to the end of the file.
        let mut g = boxed(b"ftyp", b"isom");
        g.extend_from_slice(&[0, 0, 0, 0]);
        g.extend_from_slice(b"mdat");
        g.extend_from_slice(&[7; 50]);
        assert_eq!(check(&g), Ok(()));
    }

    #[test]
    fn error_pages_and_truncation_fail() {
        assert!(check(b"<html><body>503</body></html>").is_err_and(|e| e.contains("HTML")));
        let mut f = boxed(b"ftyp", b"isom");
        let mdat = boxed(b"mdat", &[1; 100]);
        f.extend_from_slice(&mdat[..60]);
        assert!(check(&f).is_err_and(|e| e.contains("truncated")));
        assert!(check(b"").is_err_and(|e| e.contains("empty")));
        assert!(
            check(&[0, 0, 0, 4, b'f', b't', b'y', b'p']).is_err_and(|e| e.contains("impossible"))
        );
    }

    proptest::proptest! {
        #[test]
        fn never_panics(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..200)) {
            let _ = check(&bytes);
        }
    }
}
