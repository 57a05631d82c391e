//! DASH xlink (ISO/IEC 23009-1 §5.5): a `Period` or an `AdaptationSet` may be a link,
//! `<Period xlink:href="..." xlink:actuate="onLoad"/>`, whose remote resource holds the
//! element(s) that replace it (zero or more of the same name). The special href
//! `urn:mpeg:dash:resolve-to-zero:2013` removes the element.
//!
//! This crate does no IO: [`xlinks`] lists the links an MPD still has, the caller fetches
//! them, and [`resolve_xlinks`] splices the fetched text in. A resolved element may itself
//! hold links (an AdaptationSet inside a remote Period), so callers repeat until [`xlinks`]
//! lists none; [`super::parse`] refuses an MPD whose links were not resolved, naming them.

use std::collections::HashMap;

use roxmltree::Node;
use url::Url;

use crate::error::{Error, Result};
use crate::resolve;
use crate::xml::{children, parse_document};

/// The XLink namespace.
pub const XLINK_NS: &str = "http://www.w3.org/1999/xlink";
/// The href that removes the element instead of pointing anywhere (§5.5.3).
pub const RESOLVE_TO_ZERO: &str = "urn:mpeg:dash:resolve-to-zero:2013";
/// Links one MPD may have at once.
const MAX_LINKS: usize = 1000;
/// Largest MPD text resolution may produce.
const MAX_RESOLVED_BYTES: usize = 64 << 20;

/// One remote element to fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XLink {
    /// `Period` or `AdaptationSet`.
    pub element: &'static str,
    /// Where its content is (relative hrefs resolve against the MPD's own URL).
    pub url: Url,
    /// `xlink:actuate`: `onLoad`, or `onRequest` (the default, §5.5.2). A download needs
    /// every element, so both are listed; callers may fetch only `onLoad` ones.
    pub actuate: String,
}

/// The `xlink:href` of a Period or AdaptationSet, when it has one.
pub(crate) fn href<'a>(node: Node<'a, '_>) -> Option<&'a str> {
    node.attribute((XLINK_NS, "href"))
        .or_else(|| {
            node.attributes()
                .find(|a| a.name() == "href" && a.namespace().is_some())
                .map(|a| a.value())
        })
        .map(str::trim)
}

/// True for an element that `resolve-to-zero` removes.
pub(crate) fn resolves_to_zero(node: Node<'_, '_>) -> bool {
    href(node) == Some(RESOLVE_TO_ZERO)
}

/// Every linked element of `mpd` in document order: `(node, name)`. AdaptationSets inside
/// a linked Period are not listed (the Period's content replaces them).
fn linked<'a, 'i>(mpd: Node<'a, 'i>) -> Vec<(Node<'a, 'i>, &'static str)> {
    let mut out = Vec::new();
    for p in children(mpd, "Period") {
        if href(p).is_some() {
            out.push((p, "Period"));
            continue;
        }
        for a in children(p, "AdaptationSet") {
            if href(a).is_some() {
                out.push((a, "AdaptationSet"));
            }
        }
    }
    out
}

fn link_url(node: Node<'_, '_>, element: &str, mpd_url: &Url) -> Result<Url> {
    let h = href(node).unwrap_or_default();
    if h.is_empty() {
        return Err(Error::invalid(element, "xlink:href", h, "is empty"));
    }
    resolve(mpd_url, h)
}

/// The links in `text` still to fetch (resolve-to-zero ones need no fetch and are not
/// listed), each URL once.
pub fn xlinks(text: &str, mpd_url: &Url) -> Result<Vec<XLink>> {
    let doc = parse_document(text)?;
    let mut out: Vec<XLink> = Vec::new();
    for (node, element) in linked(doc.root_element()) {
        if resolves_to_zero(node) {
            continue;
        }
        let url = link_url(node, element, mpd_url)?;
        if out.iter().any(|l| l.url == url) {
            continue;
        }
        if out.len() >= MAX_LINKS {
            return Err(Error::structure(
                "MPD",
                format!("has more than {MAX_LINKS} xlink elements"),
            ));
        }
        let actuate = node
            .attribute((XLINK_NS, "actuate"))
            .unwrap_or("onRequest")
            .trim()
            .to_owned();
        out.push(XLink {
            element,
            url,
            actuate,
        });
    }
    Ok(out)
}

/// The namespace declarations in scope at `node` as attribute text, so a fetched fragment
/// is checked with the prefixes (`cenc:`, `xlink:`, ...) it will have once spliced in.
fn in_scope(node: Node<'_, '_>) -> String {
    let mut decls = String::new();
    for ns in node.namespaces() {
        let uri = ns
            .uri()
            .replace('&', "&amp;")
            .replace('"', "&quot;")
            .replace('<', "&lt;");
        match ns.name() {
            Some(prefix) if prefix != "xml" => {
                decls.push_str(&format!(" xmlns:{prefix}=\"{uri}\""));
            }
            Some(_) => {}
            None => decls.push_str(&format!(" xmlns=\"{uri}\"")),
        }
    }
    decls
}

/// The fetched `text` of a link to a `element`, checked: an optional XML declaration, then
/// zero or more `element`s and nothing else. Returns it without the declaration.
fn fragment(element: &'static str, url: &Url, text: &str, decls: &str) -> Result<String> {
    let bad = |reason: String| Error::structure(format!("{element} linked from {url}"), reason);
    let mut body = text.trim_start_matches('\u{feff}').trim();
    if body.starts_with("<?xml") {
        let end = body
            .find("?>")
            .ok_or_else(|| bad("its XML declaration is not closed".into()))?;
        body = body[end + 2..].trim();
    }
    // Wrapped, the elements parse as children of one root that declares what is in scope
    // where they will be spliced in.
    let wrapped = format!("<x{decls}>{body}</x>");
    let doc = parse_document(&wrapped).map_err(|e| bad(format!("is not XML: {e}")))?;
    for c in doc.root_element().children() {
        if c.is_text() && c.text().is_some_and(|t| !t.trim().is_empty()) {
            return Err(bad("holds text outside any element".into()));
        }
        if c.is_element() && c.tag_name().name() != element {
            return Err(bad(format!(
                "holds <{}>; a link to a {element} must hold {element} elements",
                c.tag_name().name()
            )));
        }
    }
    Ok(body.to_owned())
}

/// Replaces each linked element of `text` whose URL is in `fetched` by the elements its
/// resource holds, and removes each resolve-to-zero element. Links not in `fetched` stay
/// as they are. The result is MPD text to parse (or to resolve again, when the fetched
/// elements hold links of their own).
pub fn resolve_xlinks(text: &str, mpd_url: &Url, fetched: &HashMap<Url, String>) -> Result<String> {
    let doc = parse_document(text)?;
    let mut edits: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    for (node, element) in linked(doc.root_element()) {
        let replacement = if resolves_to_zero(node) {
            String::new()
        } else {
            let url = link_url(node, element, mpd_url)?;
            match fetched.get(&url) {
                Some(t) => fragment(element, &url, t, &in_scope(node))?,
                None => continue,
            }
        };
        edits.push((node.range(), replacement));
    }
    let grown: usize = edits.iter().map(|(_, r)| r.len()).sum();
    if text.len().saturating_add(grown) > MAX_RESOLVED_BYTES {
        return Err(Error::structure(
            "MPD",
            format!("resolving its xlinks would make it larger than {MAX_RESOLVED_BYTES} bytes"),
        ));
    }
    let mut out = String::with_capacity(text.len() + grown);
    let mut at = 0;
    // `linked` yields elements in document order and never one inside another.
    for (range, replacement) in edits {
        out.push_str(&text[at..range.start]);
        out.push_str(&replacement);
        at = range.end;
    }
    out.push_str(&text[at..]);
    Ok(out)
}
