//! A downloaded HLS title's own playlists, so its folder stands on its own offline: a master
//! (`manifest.m3u8`) naming only the chosen tracks, and beside each track's files a media
//! playlist (`playlist.m3u8`) whose `EXT-X-MAP` and segment lines name those files.
//!
//! Made from the origin's text, not rebuilt from the model: every tag the origin wrote stays as
//! written (`EXT-X-KEY` with its PlayReady object, `EXT-X-DISCONTINUITY`, timing), except that
//! segment and init URIs become the downloaded files, `EXT-X-BYTERANGE` goes (each segment is a
//! file of its own), key URIs that were relative become absolute, and what points back at the
//! origin without being downloaded (other variants and renditions, I-frame playlists, LL-HLS
//! parts) is left out. `layover inspect`, `layover decrypt` and licenses read the folder with
//! no network.

use std::collections::HashMap;

use layover_manifest::Track;
use url::Url;

use super::{PlannedFile, plan_track};

/// The local master's name in the title's folder.
pub const MASTER: &str = "manifest.m3u8";
/// Each track's media playlist's name in its folder.
pub const MEDIA: &str = "playlist.m3u8";

/// One playlist to write in the title's folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalPlaylist {
    /// Path inside the title's folder.
    pub rel_path: String,
    /// Its text.
    pub text: String,
}

/// The local master and one media playlist per chosen track (`tracks` in the order
/// [`super::plan_files`] numbers them), from the origin's master text and its media playlists'
/// texts (as `manifest::load_with_playlists` returns them). An error names the playlist whose
/// segments do not match what was planned.
pub fn local_playlists(
    master_text: &str,
    master_url: &Url,
    media: &[(Url, String)],
    tracks: &[&Track],
) -> Result<Vec<LocalPlaylist>, String> {
    let mut local: HashMap<String, String> = HashMap::new();
    let mut out = Vec::new();
    for (n, t) in tracks.iter().enumerate() {
        let files = plan_track(n, t);
        let (url, text) = media
            .iter()
            .find(|(u, _)| u.as_str() == t.id)
            .ok_or_else(|| format!("the media playlist {} was not read", t.id))?;
        let rel_path = format!("{}/{MEDIA}", files.dir);
        let inits: Vec<&PlannedFile> = files.init.iter().chain(&files.extra_inits).collect();
        out.push(LocalPlaylist {
            text: local_media(text, url, &inits, &files.segments)?,
            rel_path: rel_path.clone(),
        });
        local.insert(t.id.clone(), rel_path);
    }
    out.insert(
        0,
        LocalPlaylist {
            rel_path: MASTER.to_owned(),
            text: local_master(master_text, master_url, &local),
        },
    );
    Ok(out)
}

fn file_name(f: &PlannedFile) -> &str {
    f.rel_path.rsplit('/').next().unwrap_or(&f.rel_path)
}

/// The planned init segment an `EXT-X-MAP` line names (by URL and byte range).
fn init_for<'a>(line: &str, url: &Url, inits: &[&'a PlannedFile]) -> Option<&'a PlannedFile> {
    let target = url.join(uri_of(line)?).ok()?.to_string();
    // BYTERANGE="<length>@<offset>" as an inclusive (first, last).
    let range = attr_of(line, "BYTERANGE").and_then(|r| {
        let (len, offset) = r.split_once('@')?;
        let (len, offset) = (
            len.trim().parse::<u64>().ok()?,
            offset.trim().parse::<u64>().ok()?,
        );
        Some((offset, offset.checked_add(len)?.checked_sub(1)?))
    });
    inits
        .iter()
        .copied()
        .find(|f| f.url == target && (range.is_none() || f.range == range))
}

fn local_media(
    text: &str,
    url: &Url,
    inits: &[&PlannedFile],
    segments: &[PlannedFile],
) -> Result<String, String> {
    let mut out = Vec::new();
    let mut planned = segments.iter();
    for line in text.lines() {
        let l = line.trim();
        if l.is_empty() {
            continue;
        }
        if !l.starts_with('#') {
            let seg = planned.next().ok_or_else(|| {
                format!(
                    "{url} lists more segments than were planned ({})",
                    segments.len()
                )
            })?;
            out.push(file_name(seg).to_owned());
        } else if l.starts_with("#EXT-X-MAP:") {
            let init = init_for(l, url, inits).ok_or_else(|| {
                format!("{url}: its EXT-X-MAP {l} is not among the planned init segments")
            })?;
            out.push(format!("#EXT-X-MAP:URI=\"{}\"", file_name(init)));
        } else if l.starts_with("#EXT-X-BYTERANGE")
            || l.starts_with("#EXT-X-PART:")
            || l.starts_with("#EXT-X-PRELOAD-HINT:")
            || l.starts_with("#EXT-X-RENDITION-REPORT:")
        {
            continue;
        } else if l.starts_with("#EXT-X-KEY:") || l.starts_with("#EXT-X-SESSION-KEY:") {
            out.push(absolute_uri(l, url));
        } else {
            out.push(l.to_owned());
        }
    }
    if planned.next().is_some() {
        return Err(format!(
            "{url} lists fewer segments than were planned ({})",
            segments.len()
        ));
    }
    out.push(String::new());
    Ok(out.join("\n"))
}

fn local_master(text: &str, url: &Url, local: &HashMap<String, String>) -> String {
    let resolve = |uri: &str| url.join(uri).ok().map(|u| u.to_string());
    let local_of = |uri: &str| resolve(uri).and_then(|u| local.get(&u).cloned());
    let mut out = Vec::new();
    // An EXT-X-STREAM-INF waiting for its URI line.
    let mut variant: Option<&str> = None;
    for line in text.lines() {
        let l = line.trim();
        if l.is_empty() {
            continue;
        }
        if !l.starts_with('#') {
            if let (Some(tag), Some(path)) = (variant.take(), local_of(l)) {
                out.push(tag.to_owned());
                out.push(path);
            }
        } else if l.starts_with("#EXT-X-STREAM-INF:") {
            variant = Some(l);
        } else if l.starts_with("#EXT-X-MEDIA:") {
            match uri_of(l) {
                None => out.push(l.to_owned()),
                Some(uri) => {
                    if let Some(path) = local_of(uri) {
                        out.push(with_uri(l, &path));
                    }
                }
            }
        } else if l.starts_with("#EXT-X-I-FRAME-STREAM-INF:")
            || l.starts_with("#EXT-X-CONTENT-STEERING:")
        {
            continue;
        } else if l.starts_with("#EXT-X-SESSION-KEY:") || l.starts_with("#EXT-X-SESSION-DATA:") {
            out.push(absolute_uri(l, url));
        } else {
            out.push(l.to_owned());
        }
    }
    out.push(String::new());
    out.join("\n")
}

/// Where the value of the `URI` attribute of a tag line starts and ends.
fn uri_span(line: &str) -> Option<(usize, usize)> {
    let mut from = 0;
    while let Some(i) = line[from..].find("URI=\"") {
        let at = from + i;
        if at > 0 && matches!(line.as_bytes()[at - 1], b':' | b',') {
            let start = at + 5;
            let len = line[start..].find('"')?;
            return Some((start, start + len));
        }
        from = at + 5;
    }
    None
}

fn uri_of(line: &str) -> Option<&str> {
    uri_span(line).map(|(a, b)| &line[a..b])
}

/// A quoted attribute's value (`NAME="value"`), where the name starts the list or follows a
/// comma.
fn attr_of<'a>(line: &'a str, name: &str) -> Option<&'a str> {
    let key = format!("{name}=\"");
    let mut from = 0;
    while let Some(i) = line[from..].find(&key) {
        let at = from + i;
        if at > 0 && matches!(line.as_bytes()[at - 1], b':' | b',') {
            let start = at + key.len();
            let len = line[start..].find('"')?;
            return Some(&line[start..start + len]);
        }
        from = at + key.len();
    }
    None
}

fn with_uri(line: &str, uri: &str) -> String {
    match uri_span(line) {
        Some((a, b)) => format!("{}{uri}{}", &line[..a], &line[b..]),
        None => line.to_owned(),
    }
}

/// The line with a relative `URI` made absolute against `base` (`data:`, `skd:` and other
/// URIs with a scheme stay as written).
fn absolute_uri(line: &str, base: &Url) -> String {
    match uri_of(line) {
        Some(uri) if Url::parse(uri).is_err() => match base.join(uri) {
            Ok(abs) => with_uri(line, abs.as_str()),
            Err(_) => line.to_owned(),
        },
        _ => line.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MASTER_TEXT: &str = r#"#EXTM3U
#EXT-X-INDEPENDENT-SEGMENTS
#EXT-X-SESSION-KEY:METHOD=AES-128,URI="keys/session.bin"
#EXT-X-MEDIA:TYPE=AUDIO,URI="audio-en.m3u8",GROUP-ID="audio",LANGUAGE="en",NAME="English"
#EXT-X-MEDIA:TYPE=AUDIO,URI="audio-fr.m3u8",GROUP-ID="audio",LANGUAGE="fr",NAME="Français"
#EXT-X-MEDIA:TYPE=CLOSED-CAPTIONS,GROUP-ID="cc",INSTREAM-ID="CC1",NAME="CC"
#EXT-X-STREAM-INF:BANDWIDTH=600000,CODECS="avc1.42c01e,mp4a.40.2",RESOLUTION=640x360,AUDIO="audio"
video-360.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=120000,CODECS="avc1.42c00c,mp4a.40.2",RESOLUTION=256x144,AUDIO="audio"
video-144.m3u8
#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=1000,URI="iframes.m3u8"
"#;

    fn media_text(name: &str) -> String {
        format!(
            "#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-TARGETDURATION:2\n#EXT-X-PLAYLIST-TYPE:VOD\n\
             #EXT-X-MAP:URI=\"{name}.mp4\",BYTERANGE=\"800@0\"\n\
             #EXT-X-KEY:METHOD=SAMPLE-AES-CTR,URI=\"data:text/plain;base64,AAAA\",KEYFORMAT=\"com.microsoft.playready\"\n\
             #EXT-X-KEY:METHOD=AES-128,URI=\"../keys/k1\"\n\
             #EXTINF:2.000,\n#EXT-X-BYTERANGE:1000@800\n{name}.mp4\n\
             #EXT-X-DISCONTINUITY\n#EXTINF:2.000,\n#EXT-X-BYTERANGE:1000\n{name}.mp4\n#EXT-X-ENDLIST\n"
        )
    }

    fn presentation() -> (Url, Vec<(Url, String)>, layover_manifest::Presentation) {
        let base = Url::parse("https://cdn.example/t/hls/master.m3u8").expect("url");
        let master = layover_manifest::hls::parse_master(MASTER_TEXT, &base).expect("master");
        let media: Vec<(Url, String)> = master
            .media_playlist_urls()
            .into_iter()
            .map(|u| {
                let name = u
                    .path()
                    .rsplit('/')
                    .next()
                    .unwrap_or("x")
                    .replace(".m3u8", "");
                (u, media_text(&name))
            })
            .collect();
        let borrowed: Vec<(Url, &str)> =
            media.iter().map(|(u, t)| (u.clone(), t.as_str())).collect();
        let p = layover_manifest::hls::assemble(&master, &borrowed).expect("assembles");
        (base, media, p)
    }

    #[test]
    fn the_master_names_only_the_chosen_tracks_and_their_files() {
        let (base, media, p) = presentation();
        let video = p
            .tracks
            .iter()
            .find(|t| t.height == Some(144))
            .expect("144p");
        let fr = p
            .tracks
            .iter()
            .find(|t| t.language.as_deref() == Some("fr"))
            .expect("fr");
        let out = local_playlists(MASTER_TEXT, &base, &media, &[video, fr]).expect("local");
        let dirs: Vec<String> = [video, fr]
            .iter()
            .enumerate()
            .map(|(n, t)| plan_track(n, t).dir)
            .collect();
        assert_eq!(out.len(), 3);
        assert_eq!(out[0].rel_path, MASTER);
        let master = &out[0].text;
        assert!(
            !master.contains("video-360") && !master.contains("audio-en"),
            "{master}"
        );
        assert!(!master.contains("iframes"), "{master}");
        assert!(
            master.contains(&format!("\n{}/{MEDIA}\n", dirs[0])),
            "{master}"
        );
        assert!(
            master.contains("NAME=\"Français\"") && master.contains(&dirs[1]),
            "{master}"
        );
        assert!(master.contains("INSTREAM-ID=\"CC1\""), "kept: {master}");
        assert!(
            master.contains("URI=\"https://cdn.example/t/hls/keys/session.bin\""),
            "{master}"
        );
        // The local master reads back to the same two tracks, each with its files.
        let local_base = Url::parse("file:///title/manifest.m3u8").expect("url");
        let m = layover_manifest::hls::parse_master(master, &local_base).expect("parses");
        assert_eq!(m.media_playlist_urls().len(), 2);

        let media_out = &out[1];
        assert_eq!(media_out.rel_path, format!("{}/{MEDIA}", dirs[0]));
        let files = plan_track(0, video);
        let t = &media_out.text;
        assert!(t.contains(&format!(
            "#EXT-X-MAP:URI=\"{}\"\n",
            file_name(files.init.as_ref().expect("init"))
        )));
        assert!(!t.contains("BYTERANGE"), "{t}");
        assert!(t.contains("KEYFORMAT=\"com.microsoft.playready\""), "{t}");
        assert!(t.contains("URI=\"https://cdn.example/t/keys/k1\""), "{t}");
        assert!(t.contains("#EXT-X-DISCONTINUITY"), "{t}");
        for seg in &files.segments {
            assert!(t.contains(&format!("\n{}\n", file_name(seg))), "{t}");
        }
        let u = Url::parse("file:///title/x/playlist.m3u8").expect("url");
        let parsed = layover_manifest::hls::parse_media(t, &u).expect("parses");
        assert_eq!(parsed.segments.len(), 2);
        assert!(parsed.segments.iter().all(|s| s.byte_range.is_none()));
    }

    #[test]
    fn a_playlist_that_does_not_match_the_plan_is_refused_in_words() {
        let (base, mut media, p) = presentation();
        let video = p
            .tracks
            .iter()
            .find(|t| t.height == Some(360))
            .expect("360p");
        let at = media
            .iter()
            .position(|(u, _)| u.as_str() == video.id)
            .expect("there");
        media[at].1.push_str("#EXTINF:2.000,\nextra.mp4\n");
        let err = local_playlists(MASTER_TEXT, &base, &media, &[video]).expect_err("refused");
        assert!(err.contains("more segments than were planned (2)"), "{err}");
        assert!(err.contains("video-360.m3u8"), "{err}");
    }

    #[test]
    fn a_playlist_that_switches_its_init_segment_gets_each_one() {
        let base = Url::parse("https://cdn.example/t/master.m3u8").expect("url");
        let master = "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1000,RESOLUTION=640x360\nv.m3u8\n";
        let media_text = "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MAP:URI=\"a/init.mp4\"\n\
                          #EXTINF:2,\na/1.m4s\n#EXT-X-DISCONTINUITY\n#EXT-X-MAP:URI=\"b/init.mp4\"\n\
                          #EXTINF:2,\nb/1.m4s\n#EXT-X-DISCONTINUITY\n#EXT-X-MAP:URI=\"a/init.mp4\"\n\
                          #EXTINF:2,\na/2.m4s\n#EXT-X-ENDLIST\n";
        let m = layover_manifest::hls::parse_master(master, &base).expect("master");
        let v = m.media_playlist_urls().remove(0);
        let p = layover_manifest::hls::assemble(&m, &[(v.clone(), media_text)]).expect("parses");
        let track = &p.tracks[0];
        let files = plan_track(0, track);
        let init = files.init.as_ref().expect("init");
        assert!(init.url.ends_with("/a/init.mp4"), "{init:?}");
        assert_eq!(files.extra_inits.len(), 1, "b's init once: {files:?}");
        assert!(files.extra_inits[0].url.ends_with("/b/init.mp4"));
        assert!(files.extra_inits[0].rel_path.ends_with("/init2-init.mp4"));
        let out =
            local_playlists(master, &base, &[(v, media_text.to_owned())], &[track]).expect("local");
        let maps: Vec<&str> = out[1]
            .text
            .lines()
            .filter(|l| l.starts_with("#EXT-X-MAP"))
            .collect();
        assert_eq!(
            maps,
            [
                "#EXT-X-MAP:URI=\"init-init.mp4\"",
                "#EXT-X-MAP:URI=\"init2-init.mp4\"",
                "#EXT-X-MAP:URI=\"init-init.mp4\""
            ]
        );
        // It reads back with each segment's init where the origin had it.
        let local_url = Url::parse("file:///t/00/playlist.m3u8").expect("url");
        let again = layover_manifest::hls::parse_media(&out[1].text, &local_url).expect("parses");
        assert_eq!(again.segments.len(), 3);
        assert!(
            again.segments[1]
                .init
                .as_ref()
                .is_some_and(|i| i.url.as_str().ends_with("/init2-init.mp4"))
        );
    }

    proptest::proptest! {
        #[test]
        fn never_panics_on_any_text(master in ".{0,400}", media_text in ".{0,400}") {
            let base = Url::parse("https://cdn.example/t/master.m3u8").expect("url");
            let _ = local_master(&master, &base, &HashMap::new());
            let _ = local_media(&media_text, &base, &[], &[]);
            let _ = absolute_uri(&media_text, &base);
        }
    }
}
