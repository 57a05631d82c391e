//! Hierarchical `sidx` (ISO/IEC 14496-12 §8.16.3: references of type 1 point at further
//! `sidx` boxes): a SegmentBase index laid out as a packager writing a two-level index
//! would, walked by fetching the ranges `apply_sidx_tree` asks for.

use std::collections::HashMap;

use layover_manifest::{Track, parse};
use proptest::prelude::*;

use super::url;

/// A version 0 `sidx` box: `(points at a sidx, referenced size, duration)` per reference.
pub fn sidx_box(timescale: u32, ept: u32, refs: &[(bool, u32, u32)]) -> Vec<u8> {
    let size = 32 + 12 * refs.len() as u32;
    let mut b = Vec::new();
    b.extend_from_slice(&size.to_be_bytes());
    b.extend_from_slice(b"sidx");
    b.extend_from_slice(&[0, 0, 0, 0]);
    b.extend_from_slice(&1u32.to_be_bytes());
    b.extend_from_slice(&timescale.to_be_bytes());
    b.extend_from_slice(&ept.to_be_bytes());
    b.extend_from_slice(&0u32.to_be_bytes());
    b.extend_from_slice(&[0, 0]);
    b.extend_from_slice(&(refs.len() as u16).to_be_bytes());
    for &(nested, size, dur) in refs {
        b.extend_from_slice(&((u32::from(nested) << 31) | size).to_be_bytes());
        b.extend_from_slice(&dur.to_be_bytes());
        b.extend_from_slice(&0x9000_0000u32.to_be_bytes());
    }
    b
}

/// A file: `init` bytes, the top sidx, then per group a nested sidx and its media
/// subsegments. Returns the file, the index range, and the expected media ranges
/// with durations.
/// Expected media segments: inclusive byte range and duration.
type Leaves = Vec<((u64, u64), u64)>;

fn two_level_file(groups: &[Vec<(u32, u32)>]) -> (Vec<u8>, (u64, u64), Leaves) {
    let init = vec![0u8; 100];
    // Each nested sidx starts where its parent's reference does in time.
    let mut ept = 0u32;
    let nested: Vec<Vec<u8>> = groups
        .iter()
        .map(|g| {
            let refs: Vec<_> = g.iter().map(|&(size, dur)| (false, size, dur)).collect();
            let b = sidx_box(1000, ept, &refs);
            ept += g.iter().map(|s| s.1).sum::<u32>();
            b
        })
        .collect();
    let top_refs: Vec<(bool, u32, u32)> = groups
        .iter()
        .zip(&nested)
        .map(|(g, n)| {
            let media: u32 = g.iter().map(|s| s.0).sum();
            let dur: u32 = g.iter().map(|s| s.1).sum();
            (true, n.len() as u32 + media, dur)
        })
        .collect();
    let top = sidx_box(1000, 0, &top_refs);
    let mut file = init;
    let index = (file.len() as u64, (file.len() + top.len() - 1) as u64);
    file.extend_from_slice(&top);
    let mut expected = Vec::new();
    for (g, n) in groups.iter().zip(&nested) {
        file.extend_from_slice(n);
        for &(size, dur) in g {
            let start = file.len() as u64;
            file.extend(std::iter::repeat_n(0xAB, size as usize));
            expected.push(((start, start + u64::from(size) - 1), u64::from(dur)));
        }
    }
    (file, index, expected)
}

fn segment_base_track(index: (u64, u64)) -> Track {
    let doc = format!(
        r#"<MPD type="static" mediaPresentationDuration="PT10S"><Period><AdaptationSet contentType="video"><Representation id="v" bandwidth="1000"><BaseURL>v.mp4</BaseURL><SegmentBase indexRange="{}-{}"><Initialization range="0-99"/></SegmentBase></Representation></AdaptationSet></Period></MPD>"#,
        index.0, index.1
    );
    let p = parse(doc.as_bytes(), &url("https://h.example/t/m.mpd")).unwrap();
    p.tracks.into_iter().next().unwrap()
}

/// Fetches what `apply_sidx_tree` asks for from `file` until it asks for nothing; returns
/// the number of rounds.
fn follow(track: &mut Track, file: &[u8], index: (u64, u64)) -> usize {
    let top = &file[index.0 as usize..=index.1 as usize];
    let mut nested: HashMap<u64, Vec<u8>> = HashMap::new();
    for round in 1..10 {
        let missing = track.apply_sidx_tree(top, &nested).unwrap();
        if missing.is_empty() {
            return round;
        }
        for (a, b) in missing {
            let end = (b as usize).min(file.len() - 1);
            nested.insert(a, file[a as usize..=end].to_vec());
        }
    }
    panic!("the index was not complete after 10 rounds");
}

#[test]
fn a_two_level_index_is_followed_to_every_media_segment() {
    let (file, index, expected) = two_level_file(&[
        vec![(500, 2000), (600, 2000), (700, 2000)],
        vec![(800, 2000), (900, 1000)],
    ]);
    let mut t = segment_base_track(index);
    // Plain apply_sidx says what to do instead of guessing.
    let e = t
        .apply_sidx(&file[index.0 as usize..=index.1 as usize])
        .unwrap_err();
    assert!(e.to_string().contains("apply_sidx_tree"), "{e}");
    assert!(t.segments.is_empty());

    assert_eq!(follow(&mut t, &file, index), 2);
    let got: Vec<((u64, u64), u64)> = t
        .segments
        .iter()
        .map(|s| (s.byte_range.unwrap(), s.duration))
        .collect();
    assert_eq!(got, expected);
    assert_eq!(t.timescale, 1000);
    let starts: Vec<u64> = t.segments.iter().map(|s| s.start).collect();
    assert_eq!(starts, [0, 2000, 4000, 6000, 8000]);
}

#[test]
fn a_nested_box_longer_than_the_first_probe_is_asked_for_whole() {
    let (file, index, expected) = two_level_file(&[vec![(100, 10); 40]]);
    let mut t = segment_base_track(index);
    let top = &file[index.0 as usize..=index.1 as usize];
    let first = t.apply_sidx_tree(top, &HashMap::new()).unwrap();
    assert_eq!(first.len(), 1);
    // Hand over only 20 bytes of the nested box: it asks for exactly the whole box.
    let at = first[0].0;
    let nested: HashMap<u64, Vec<u8>> = [(at, file[at as usize..at as usize + 20].to_vec())].into();
    let again = t.apply_sidx_tree(top, &nested).unwrap();
    assert_eq!(again, [(at, at + 32 + 12 * 40 - 1)]);
    assert_eq!(follow(&mut t, &file, index), 2);
    assert_eq!(t.segments.len(), expected.len());
}

#[test]
fn a_reference_that_is_not_a_sidx_is_an_error_naming_it() {
    let (mut file, index, _) = two_level_file(&[vec![(500, 2000)]]);
    let nested_at = index.1 as usize + 1;
    file[nested_at + 4..nested_at + 8].copy_from_slice(b"moof");
    let mut t = segment_base_track(index);
    let top = file[index.0 as usize..=index.1 as usize].to_vec();
    let nested: HashMap<u64, Vec<u8>> = [(nested_at as u64, file[nested_at..].to_vec())].into();
    let e = t.apply_sidx_tree(&top, &nested).unwrap_err().to_string();
    assert!(
        e.contains(&format!("byte {nested_at}")) && e.contains("sidx"),
        "{e}"
    );
}

proptest! {
    /// Any two-level layout is walked to exactly its media segments, in order and tiling.
    #[test]
    fn two_level_indexes_list_every_leaf(groups in prop::collection::vec(
        prop::collection::vec((1u32..3000, 1u32..5000), 1..6), 1..6)) {
        let (file, index, expected) = two_level_file(&groups);
        let mut t = segment_base_track(index);
        prop_assert_eq!(follow(&mut t, &file, index), 2);
        let got: Vec<((u64, u64), u64)> =
            t.segments.iter().map(|s| (s.byte_range.unwrap(), s.duration)).collect();
        prop_assert_eq!(got, expected);
    }

    /// Whatever bytes come back for the nested ranges, the walk answers with an error or
    /// more ranges, never a panic.
    #[test]
    fn arbitrary_nested_bytes_never_panic(junk in prop::collection::vec(any::<u8>(), 0..200)) {
        let (file, index, _) = two_level_file(&[vec![(500, 2000)], vec![(300, 10)]]);
        let mut t = segment_base_track(index);
        let top = &file[index.0 as usize..=index.1 as usize];
        let first = t.apply_sidx_tree(top, &HashMap::new()).unwrap();
        let nested: HashMap<u64, Vec<u8>> = first.iter().map(|(a, _)| (*a, junk.clone())).collect();
        let _ = t.apply_sidx_tree(top, &nested);
    }
}
