//! Attribute lists (RFC 8216 §4.2): `NAME=value,NAME="quoted, value",…`.

/// Parses an attribute list. Returns `Err(reason)` on unterminated quotes or missing `=`.
pub(crate) fn parse(s: &str) -> Result<Vec<(&str, &str)>, String> {
    let mut out = Vec::new();
    let mut rest = s.trim();
    while !rest.is_empty() {
        let eq = rest
            .find('=')
            .ok_or_else(|| format!("attribute {rest:?} has no `=`"))?;
        let name = rest[..eq].trim();
        if name.is_empty() {
            return Err("empty attribute name".into());
        }
        let after = &rest[eq + 1..];
        let (value, tail) = if let Some(q) = after.strip_prefix('"') {
            let end = q
                .find('"')
                .ok_or_else(|| format!("attribute {name} has an unterminated quoted string"))?;
            (&q[..end], &q[end + 1..])
        } else {
            match after.find(',') {
                Some(c) => (after[..c].trim(), &after[c..]),
                None => (after.trim(), ""),
            }
        };
        out.push((name, value));
        let tail = tail.trim_start();
        rest = match tail.strip_prefix(',') {
            Some(t) => t.trim_start(),
            None if tail.is_empty() => "",
            None => return Err(format!("expected `,` after attribute {name}")),
        };
    }
    Ok(out)
}

/// Looks an attribute up by name.
pub(crate) fn get<'a>(attrs: &[(&str, &'a str)], name: &str) -> Option<&'a str> {
    attrs.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
}

#[cfg(test)]
mod tests {
    #[test]
    fn splits_quoted_commas() {
        let a = super::parse(r#"BANDWIDTH=1000,CODECS="avc1.4d401e,mp4a.40.2",RESOLUTION=640x360"#)
            .unwrap();
        assert_eq!(
            a,
            vec![
                ("BANDWIDTH", "1000"),
                ("CODECS", "avc1.4d401e,mp4a.40.2"),
                ("RESOLUTION", "640x360")
            ]
        );
        assert!(super::parse(r#"URI="abc"#).is_err());
        assert!(super::parse("NOEQUALS").is_err());
    }
}
