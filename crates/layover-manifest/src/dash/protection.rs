//! `ContentProtection` descriptors (ISO/IEC 23009-1 §5.8.4.1, ISO/IEC 23001-7 §11, DASH-IF IOP
//! §7): the `mp4protection` scheme descriptor, per-system descriptors with `cenc:pssh`,
//! `mspr:pro` and license URLs.

use crate::error::Result;
use crate::kid::Kid;
use crate::model::{DrmSystem, Protection};
use crate::playready;
use crate::xml::{attr, attr_any_ns, base64_decode, text};
use roxmltree::Node;

const MP4_PROTECTION: &str = "urn:mpeg:dash:mp4protection:2011";

/// Every ContentProtection child of `node`, one [`Protection`] each; the scheme descriptor
/// comes back as [`DrmSystem::Unspecified`] and is folded in by [`finish`].
pub(super) fn parse_all(node: Node) -> Result<Vec<Protection>> {
    let mut out = Vec::new();
    for cp in node
        .children()
        .filter(|c| c.is_element() && c.tag_name().name() == "ContentProtection")
    {
        out.push(parse_one(cp)?);
    }
    Ok(out)
}

fn parse_one(cp: Node) -> Result<Protection> {
    let scheme_id = attr(cp, "schemeIdUri")
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let default_kid = match attr_any_ns(cp, "default_KID") {
        Some(k) => Some(k.parse::<Kid>().map_err(|_| {
            crate::Error::invalid(
                "ContentProtection",
                "cenc:default_KID",
                k,
                "expected a UUID such as 00112233-4455-6677-8899-aabbccddeeff",
            )
        })?),
        None => None,
    };
    let mut p = if scheme_id == MP4_PROTECTION {
        let mut p = Protection::new(DrmSystem::Unspecified);
        p.scheme = attr(cp, "value").map(|v| v.trim().to_owned());
        p
    } else if let Some(uuid) = scheme_id.strip_prefix("urn:uuid:") {
        let id: Kid = uuid.parse().map_err(|_| {
            crate::Error::invalid(
                "ContentProtection",
                "schemeIdUri",
                &scheme_id,
                "urn:uuid: is not followed by a UUID",
            )
        })?;
        let mut p = Protection::new(DrmSystem::from_system_id(id));
        p.system_id = Some(id);
        p
    } else {
        Protection::new(DrmSystem::Other(scheme_id.clone()))
    };
    p.default_kid = default_kid;
    for c in cp.children().filter(|c| c.is_element()) {
        let name = c.tag_name().name();
        match name {
            "pssh" => {
                if let Some(t) = text(c) {
                    p.pssh = Some(base64_decode("cenc:pssh", "text()", &t)?);
                }
            }
            "pro" => {
                if let Some(t) = text(c) {
                    let bytes = base64_decode("mspr:pro", "text()", &t)?;
                    let h = playready::summary(&bytes);
                    p.default_kid = p.default_kid.or(h.kid);
                    p.la_url = p.la_url.take().or(h.la_url);
                    p.playready_object = Some(bytes);
                }
            }
            _ if name.eq_ignore_ascii_case("laurl") => {
                // dashif:laurl / dashif:Laurl / clearkey:Laurl carry the URL as text; the older
                // ms:laurl carries it in @licenseUrl.
                if let Some(u) = text(c).or_else(|| attr(c, "licenseUrl").map(str::to_owned)) {
                    p.la_url = Some(u);
                }
            }
            _ => {}
        }
    }
    Ok(p)
}

/// Folds the scheme descriptor into the per-system entries and drops exact duplicates (the
/// same descriptor at AdaptationSet and Representation level).
pub(super) fn finish(all: Vec<Protection>) -> Vec<Protection> {
    let scheme = all
        .iter()
        .find(|p| p.system == DrmSystem::Unspecified)
        .cloned();
    let mut systems: Vec<Protection> = Vec::new();
    for mut p in all
        .into_iter()
        .filter(|p| p.system != DrmSystem::Unspecified)
    {
        if let Some(s) = &scheme {
            p.scheme = p.scheme.or_else(|| s.scheme.clone());
            p.default_kid = p.default_kid.or(s.default_kid);
        }
        if !systems.contains(&p) {
            systems.push(p);
        }
    }
    match (systems.is_empty(), scheme) {
        (true, Some(s)) => vec![s],
        _ => systems,
    }
}
