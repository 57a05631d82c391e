//! A hierarchical `sidx` walk on arbitrary bytes: the top box and whatever comes back for
//! each range the walk asks for. It must answer with segments, more ranges or an error;
//! never a panic, hang or huge allocation.
#![no_main]
use std::collections::HashMap;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // First two bytes: the length of the top sidx; then the top sidx; then the bytes handed
    // back for the nested ranges, in equal shares per request.
    let Some((len, rest)) = data.split_first_chunk::<2>() else { return };
    let top_len = usize::from(u16::from_be_bytes(*len)).min(rest.len()).max(1);
    if rest.is_empty() {
        return;
    }
    let (top, mut pool) = rest.split_at(top_len);
    let doc = format!(
        r#"<MPD type="static" mediaPresentationDuration="PT10S"><Period><AdaptationSet contentType="video"><Representation id="v" bandwidth="1"><BaseURL>v.mp4</BaseURL><SegmentBase indexRange="100-{}"/></Representation></AdaptationSet></Period></MPD>"#,
        99 + top_len
    );
    let base = url::Url::parse("https://fuzz.example/a/m.mpd").unwrap();
    let Ok(p) = layover_manifest::parse(doc.as_bytes(), &base) else { return };
    let Some(mut track) = p.tracks.into_iter().next() else { return };
    let mut nested: HashMap<u64, Vec<u8>> = HashMap::new();
    for _ in 0..6 {
        match track.apply_sidx_tree(top, &nested) {
            Ok(missing) if !missing.is_empty() => {
                let share = (pool.len() / missing.len()).max(1);
                for (start, end) in missing {
                    let want = usize::try_from(end - start + 1).unwrap_or(usize::MAX);
                    let take = share.min(pool.len()).min(want);
                    let (give, left) = pool.split_at(take);
                    nested.insert(start, give.to_vec());
                    pool = left;
                }
            }
            _ => break,
        }
    }
});
