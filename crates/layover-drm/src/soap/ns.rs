//! Namespace URIs and prefix-agnostic element lookup.

use roxmltree::Node;

/// SOAP 1.1 envelope namespace (what PlayReady servers use).
pub const SOAP11: &str = "http://schemas.xmlsoap.org/soap/envelope/";
/// SOAP 1.2 envelope namespace, accepted on input.
pub const SOAP12: &str = "http://www.w3.org/2003/05/soap-envelope";
/// PlayReady protocol namespace (`AcquireLicense`, `LicenseResponse`, ...).
pub const PROTOCOLS: &str = "http://schemas.microsoft.com/DRM/2007/03/protocols";
/// PlayReady messages namespace (`Challenge`, `Response`).
pub const MESSAGES: &str = "http://schemas.microsoft.com/DRM/2007/03/protocols/messages";

pub fn is_soap(node: Node<'_, '_>, local: &str) -> bool {
    node.is_element()
        && node.tag_name().name() == local
        && matches!(node.tag_name().namespace(), Some(SOAP11 | SOAP12))
}

pub fn is_playready(node: Node<'_, '_>, local: &str) -> bool {
    node.is_element()
        && node.tag_name().name() == local
        && matches!(node.tag_name().namespace(), Some(PROTOCOLS | MESSAGES))
}

/// SOAP 1.1 fault children (`faultcode`, `detail`, ...) and PlayReady's `Exception` payload are
/// written unqualified by servers, so they are matched by local name in any namespace.
pub fn is_local(node: Node<'_, '_>, local: &str) -> bool {
    node.is_element() && node.tag_name().name().eq_ignore_ascii_case(local)
}

pub fn child<'a, 'i>(
    node: Node<'a, 'i>,
    pred: impl Fn(Node<'a, 'i>) -> bool,
) -> Option<Node<'a, 'i>> {
    node.children().find(|n| pred(*n))
}

/// Text content of an element, trimmed; `None` when empty.
pub fn text(node: Node<'_, '_>) -> Option<String> {
    let s: String = node
        .descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect();
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_owned())
}

/// Parse options: no DTD (no entity expansion) and a node budget far above any real response.
pub fn parse(xml: &str) -> Result<roxmltree::Document<'_>, roxmltree::Error> {
    roxmltree::Document::parse_with_options(
        xml,
        roxmltree::ParsingOptions {
            allow_dtd: false,
            nodes_limit: 100_000,
            ..roxmltree::ParsingOptions::default()
        },
    )
}
