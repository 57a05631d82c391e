//! DASH xlink on Periods and AdaptationSets (ISO/IEC 23009-1 §5.5): listed, refused while
//! unresolved, and resolved from fetched text into the presentation the inline MPD gives.

use std::collections::HashMap;

use layover_manifest::dash::{resolve_xlinks, xlinks};
use layover_manifest::parse;
use proptest::prelude::*;

use super::{fixture, url};

const MPD_URL: &str = "https://origin.example/title/manifest.mpd";

/// The hand-written two-period MPD with its second Period moved out to `p1.xml` (onLoad)
/// and the first Period's first AdaptationSet to `video0.xml` (onRequest), plus a
/// resolve-to-zero Period. Returns (linked MPD, fetched resources).
fn linked_multi_period() -> (String, HashMap<url::Url, String>) {
    let text = fixture("hand/multi-period.mpd");
    let p1_start = text
        .match_indices("<Period")
        .nth(1)
        .expect("second Period")
        .0;
    let p1_end = text.rfind("</Period>").expect("end") + "</Period>".len();
    let period1 = text[p1_start..p1_end].to_owned();
    let a0_start = text.find("<AdaptationSet").expect("first AdaptationSet");
    let a0_end = text.find("</AdaptationSet>").expect("its end") + "</AdaptationSet>".len();
    let aset0 = text[a0_start..a0_end].to_owned();
    let mut linked = String::new();
    linked.push_str(&text[..a0_start]);
    linked.push_str(r#"<AdaptationSet xlink:href="video0.xml"/>"#);
    linked.push_str(&text[a0_end..p1_start]);
    linked.push_str(
        r#"<Period xlink:href="urn:mpeg:dash:resolve-to-zero:2013" xlink:actuate="onLoad"/>"#,
    );
    linked.push_str(
        r#"<Period xlink:href="https://ads.example/p1.xml" xlink:actuate="onLoad"></Period>"#,
    );
    linked.push_str(&text[p1_end..]);
    let linked = linked.replacen(
        "<MPD ",
        "<MPD xmlns:xlink=\"http://www.w3.org/1999/xlink\" ",
        1,
    );
    let fetched = HashMap::from([
        (
            url("https://ads.example/p1.xml"),
            format!("<?xml version=\"1.0\"?>\n{period1}\n"),
        ),
        (url("https://origin.example/title/video0.xml"), aset0),
    ]);
    (linked, fetched)
}

#[test]
fn linked_periods_and_adaptation_sets_resolve_to_the_inline_presentation() {
    let base = url(MPD_URL);
    let inline = parse(fixture("hand/multi-period.mpd").as_bytes(), &base).unwrap();
    let (linked, fetched) = linked_multi_period();

    let links = xlinks(&linked, &base).unwrap();
    let listed: Vec<(&str, &str, &str)> = links
        .iter()
        .map(|l| (l.element, l.url.as_str(), l.actuate.as_str()))
        .collect();
    assert_eq!(
        listed,
        [
            (
                "AdaptationSet",
                "https://origin.example/title/video0.xml",
                "onRequest"
            ),
            ("Period", "https://ads.example/p1.xml", "onLoad"),
        ]
    );

    // Unresolved, the MPD is refused, naming the link.
    let e = parse(linked.as_bytes(), &base).unwrap_err().to_string();
    assert!(e.contains("video0.xml") && e.contains("xlink"), "{e}");

    // One link fetched: the other is still listed and still refused.
    let partial: HashMap<_, _> = fetched
        .iter()
        .filter(|(u, _)| u.as_str().contains("p1"))
        .map(|(u, t)| (u.clone(), t.clone()))
        .collect();
    let half = resolve_xlinks(&linked, &base, &partial).unwrap();
    assert_eq!(xlinks(&half, &base).unwrap().len(), 1);
    assert!(parse(half.as_bytes(), &base).is_err());

    let resolved = resolve_xlinks(&linked, &base, &fetched).unwrap();
    assert!(xlinks(&resolved, &base).unwrap().is_empty());
    let p = parse(resolved.as_bytes(), &base).unwrap();
    assert_eq!(p, inline);
}

#[test]
fn a_remote_period_may_hold_links_of_its_own() {
    let base = url(MPD_URL);
    let inline = parse(fixture("hand/multi-period.mpd").as_bytes(), &base).unwrap();
    let (linked, mut fetched) = linked_multi_period();
    // The remote Period's first AdaptationSet is itself a link.
    let p1 = fetched[&url("https://ads.example/p1.xml")].clone();
    let a_start = p1.find("<AdaptationSet").unwrap();
    let a_end = p1.find("</AdaptationSet>").unwrap() + "</AdaptationSet>".len();
    let nested = p1[a_start..a_end].to_owned();
    let p1 = format!(
        "{}<AdaptationSet xmlns:xlink=\"http://www.w3.org/1999/xlink\" xlink:href=\"https://ads.example/a.xml\" xlink:actuate=\"onLoad\"/>{}",
        &p1[..a_start],
        &p1[a_end..]
    );
    fetched.insert(url("https://ads.example/p1.xml"), p1);
    let round1 = resolve_xlinks(&linked, &base, &fetched).unwrap();
    let left = xlinks(&round1, &base).unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].url.as_str(), "https://ads.example/a.xml");
    fetched.insert(left[0].url.clone(), nested);
    let round2 = resolve_xlinks(&round1, &base, &fetched).unwrap();
    assert_eq!(parse(round2.as_bytes(), &base).unwrap(), inline);
}

#[test]
fn a_resource_holding_the_wrong_element_is_an_error_naming_it() {
    let base = url(MPD_URL);
    let (linked, mut fetched) = linked_multi_period();
    fetched.insert(
        url("https://ads.example/p1.xml"),
        "<AdaptationSet/>".to_owned(),
    );
    let e = resolve_xlinks(&linked, &base, &fetched)
        .unwrap_err()
        .to_string();
    assert!(e.contains("p1.xml") && e.contains("<AdaptationSet>"), "{e}");
    fetched.insert(url("https://ads.example/p1.xml"), "<Period".to_owned());
    assert!(resolve_xlinks(&linked, &base, &fetched).is_err());
    // An empty resource removes the element (zero Periods).
    fetched.insert(url("https://ads.example/p1.xml"), String::new());
    let resolved = resolve_xlinks(&linked, &base, &fetched).unwrap();
    let p = parse(resolved.as_bytes(), &base).unwrap();
    assert_eq!(p.periods.len(), 1);
}

proptest! {
    /// Whatever a link's resource holds, resolution answers text or an error, never a
    /// panic; and what it answers parses or fails as an MPD, never panics either.
    #[test]
    fn arbitrary_fetched_text_never_panics(body in prop_oneof![
        "[ -~]{0,120}",
        Just("<Period><AdaptationSet/></Period>".to_owned()),
        Just("<Period xlink:href=\"x.xml\"/><Period/>".to_owned()),
        Just("<?xml version=\"1.0\"?><Period id=\"z\"></Period>".to_owned()),
    ]) {
        let base = url(MPD_URL);
        let (linked, mut fetched) = linked_multi_period();
        fetched.insert(url("https://ads.example/p1.xml"), body);
        if let Ok(t) = resolve_xlinks(&linked, &base, &fetched) {
            let _ = xlinks(&t, &base);
            let _ = parse(t.as_bytes(), &base);
        }
    }
}
