//! Small helpers over roxmltree shared by the DASH and Smooth parsers.

use crate::error::{Error, Result};
use roxmltree::Node;
use std::str::FromStr;

/// Element children of `node` whose local name is `name` (any namespace: manifests in the wild
/// disagree on namespaces far more often than on local names).
pub(crate) fn children<'a, 'i>(
    node: Node<'a, 'i>,
    name: &'static str,
) -> impl Iterator<Item = Node<'a, 'i>> {
    node.children()
        .filter(move |c| c.is_element() && c.tag_name().name() == name)
}

/// First element child named `name`.
pub(crate) fn child<'a, 'i>(node: Node<'a, 'i>, name: &'static str) -> Option<Node<'a, 'i>> {
    children(node, name).next()
}

/// An un-namespaced attribute (MPD and Smooth attributes are never prefixed).
pub(crate) fn attr<'a>(node: Node<'a, '_>, name: &str) -> Option<&'a str> {
    node.attribute(name)
}

/// An attribute by local name in any namespace (`cenc:default_KID` is written with whatever
/// prefix, and sometimes with a wrong namespace URI).
pub(crate) fn attr_any_ns<'a>(node: Node<'a, '_>, name: &str) -> Option<&'a str> {
    node.attribute(name).or_else(|| {
        node.attributes()
            .find(|a| a.name() == name)
            .map(|a| a.value())
    })
}

/// Parses an optional attribute with `FromStr`.
pub(crate) fn parse_attr<T: FromStr>(node: Node<'_, '_>, name: &'static str) -> Result<Option<T>> {
    match attr(node, name) {
        None => Ok(None),
        Some(v) => v.trim().parse::<T>().map(Some).map_err(|_| {
            Error::invalid(
                node.tag_name().name(),
                name,
                v,
                format!("expected a {}", std::any::type_name::<T>()),
            )
        }),
    }
}

/// Trimmed text content of an element (concatenating text children), if any.
pub(crate) fn text(node: Node<'_, '_>) -> Option<String> {
    let s: String = node
        .children()
        .filter(|c| c.is_text())
        .filter_map(|c| c.text())
        .collect();
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

/// `"first-last"` byte range (inclusive), as in `indexRange`, `mediaRange` and `Initialization@range`.
pub(crate) fn parse_range(node: Node<'_, '_>, name: &'static str) -> Result<Option<(u64, u64)>> {
    let Some(v) = attr(node, name) else {
        return Ok(None);
    };
    let bad = |reason: &str| Error::invalid(node.tag_name().name(), name, v, reason);
    let (a, b) = v
        .trim()
        .split_once('-')
        .ok_or_else(|| bad("expected `first-last` byte offsets"))?;
    let a: u64 = a
        .trim()
        .parse()
        .map_err(|_| bad("first offset is not a number"))?;
    let b: u64 = b
        .trim()
        .parse()
        .map_err(|_| bad("last offset is not a number"))?;
    if b < a {
        return Err(bad("last offset is before the first"));
    }
    Ok(Some((a, b)))
}

/// Decodes base64 element text or attribute values, tolerating whitespace and line breaks.
pub(crate) fn base64_decode(element: &str, what: &'static str, s: &str) -> Result<Vec<u8>> {
    use base64::Engine;
    let clean: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(clean.as_bytes())
        .map_err(|e| Error::invalid(element, what, s, format!("not base64: {e}")))
}

/// Parses XML with DTDs refused (no entity expansion bombs) and a node cap.
pub(crate) fn parse_document(text: &str) -> Result<roxmltree::Document<'_>> {
    let opts = roxmltree::ParsingOptions {
        allow_dtd: false,
        nodes_limit: 4_000_000,
        entity_resolver: None,
    };
    Ok(roxmltree::Document::parse_with_options(text, opts)?)
}
