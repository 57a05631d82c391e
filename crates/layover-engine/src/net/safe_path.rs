//! File names on disk never come unsanitised from a manifest: a segment called
//! `../../.bashrc` or `C:\Windows\x` must land inside the title's folder or be refused.

use std::path::{Component, Path, PathBuf};

/// Longest file-name component written (bytes); longer names are cut, keeping the extension.
const MAX_COMPONENT: usize = 120;

/// A relative path from a manifest that would leave its folder.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("refusing the file name `{name}` from the manifest: {reason}")]
pub struct UnsafePath {
    /// The name as the manifest gave it.
    pub name: String,
    /// Why it was refused.
    pub reason: &'static str,
}

/// Makes one file-name component safe on every OS: only letters, digits, `.`, `-`, `_`; no
/// leading dot; no Windows device names; bounded length.
pub fn sanitize_component(name: &str) -> String {
    let mut out: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    while out.starts_with('.') {
        out.replace_range(0..1, "_");
    }
    if out.is_empty() {
        out.push('_');
    }
    const RESERVED: [&str; 22] = [
        "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
        "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
    ];
    let stem = out
        .split('.')
        .next()
        .unwrap_or_default()
        .to_ascii_uppercase();
    if RESERVED.contains(&stem.as_str()) {
        out.insert(0, '_');
    }
    if out.len() > MAX_COMPONENT {
        let ext = out
            .rfind('.')
            .map(|i| out[i..].to_owned())
            .filter(|e| e.len() <= 16);
        let keep = MAX_COMPONENT - ext.as_ref().map_or(0, String::len);
        out.truncate(keep);
        if let Some(ext) = ext {
            out.push_str(&ext);
        }
    }
    out
}

/// Joins a relative path from a manifest (`video/seg-1.m4s`, either slash) under `root`, each
/// component sanitised. Absolute paths, drive letters and `..` are refused.
pub fn join_inside(root: &Path, relative: &str) -> Result<PathBuf, UnsafePath> {
    let refuse = |reason| UnsafePath {
        name: relative.to_owned(),
        reason,
    };
    if relative.starts_with(['/', '\\']) || Path::new(relative).is_absolute() {
        return Err(refuse("it is an absolute path"));
    }
    if relative.len() >= 2 && relative.as_bytes()[1] == b':' {
        return Err(refuse("it names a drive"));
    }
    let mut out = root.to_path_buf();
    let mut depth = 0;
    for part in relative.split(['/', '\\']) {
        match part {
            "" | "." => continue,
            ".." => return Err(refuse("it climbs out of the title's folder with `..`")),
            p => {
                out.push(sanitize_component(p));
                depth += 1;
            }
        }
    }
    if depth == 0 {
        return Err(refuse("it names no file"));
    }
    debug_assert!(out.components().all(|c| !matches!(c, Component::ParentDir)));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_names_pass_through() {
        let root = Path::new("/lib/title");
        assert_eq!(
            join_inside(root, "video/seg-00001.m4s"),
            Ok(root.join("video/seg-00001.m4s"))
        );
        assert_eq!(join_inside(root, "./init.mp4"), Ok(root.join("init.mp4")));
    }

    #[test]
    fn traversal_and_absolute_paths_are_refused() {
        let root = Path::new("/lib/title");
        for bad in [
            "../../.bashrc",
            "a/../../b",
            "/etc/passwd",
            "\\\\server\\share",
            "C:\\Windows\\x",
            "c:x",
            "",
            "./",
        ] {
            assert!(join_inside(root, bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn hostile_components_are_made_harmless() {
        assert_eq!(sanitize_component(".hidden"), "_hidden");
        assert_eq!(sanitize_component("seg 1?.m4s"), "seg_1_.m4s");
        assert_eq!(sanitize_component("CON.mp4"), "_CON.mp4");
        assert_eq!(sanitize_component("nul"), "_nul");
        let long = format!("{}.m4s", "a".repeat(500));
        let s = sanitize_component(&long);
        assert_eq!(s.len(), MAX_COMPONENT);
        assert!(s.ends_with(".m4s"));
    }

    proptest::proptest! {
        #[test]
        fn joined_paths_never_leave_the_root(rel in "\\PC{0,80}") {
            let root = Path::new("/lib/title");
            if let Ok(p) = join_inside(root, &rel) {
                proptest::prop_assert!(p.starts_with(root));
                proptest::prop_assert!(p != root);
                proptest::prop_assert!(p.components().all(|c| matches!(c, Component::RootDir | Component::Normal(_))));
            }
        }
    }
}
