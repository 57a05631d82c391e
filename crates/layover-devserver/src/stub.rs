//! MP4-shaped stand-ins for download tests: an `ftyp` box, then an `mdat` box of patterned
//! bytes. They pass Layover's "the boxes tile the file" check without being playable media
//! (real test media comes from `assets/media/make-fixtures.sh`).

/// `ftyp` (16 bytes) + `mdat` (8 + `mdat_len` bytes of a fixed pseudo-random pattern).
pub fn stub_mp4(mdat_len: u32) -> Vec<u8> {
    let mut v = Vec::with_capacity(24 + mdat_len as usize);
    v.extend_from_slice(&16u32.to_be_bytes());
    v.extend_from_slice(b"ftypisom\0\0\0\x01");
    v.extend_from_slice(&(mdat_len + 8).to_be_bytes());
    v.extend_from_slice(b"mdat");
    v.extend((0..mdat_len).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8));
    v
}

#[cfg(test)]
mod tests {
    #[test]
    fn boxes_tile_the_stub() {
        let v = super::stub_mp4(100);
        assert_eq!(v.len(), 124);
        assert_eq!(&v[4..8], b"ftyp");
        assert_eq!(u32::from_be_bytes([v[16], v[17], v[18], v[19]]), 108);
        assert_eq!(&v[20..24], b"mdat");
    }
}
