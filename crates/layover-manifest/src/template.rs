//! DASH SegmentTemplate strings (ISO/IEC 23009-1 §5.3.9.4.4): `$RepresentationID$`,
//! `$Number$`, `$Bandwidth$`, `$Time$`, `$$`, and printf widths such as `$Number%05d$`.
//! Parsed once per Representation, then rendered cheaply per segment.

use crate::error::{Error, Result};
use std::fmt::Write;

/// Widest `%0Nd` accepted; wider is certainly hostile (and would allocate per segment).
pub const MAX_WIDTH: usize = 32;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Lit(String),
    RepId,
    Number(usize),
    Bandwidth(usize),
    Time(usize),
}

/// A parsed segment template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    parts: Vec<Part>,
}

/// The values substituted into a template.
#[derive(Debug, Clone, Copy, Default)]
pub struct Vars<'a> {
    /// `$RepresentationID$`.
    pub representation_id: &'a str,
    /// `$Number$`.
    pub number: u64,
    /// `$Bandwidth$`.
    pub bandwidth: u64,
    /// `$Time$`.
    pub time: u64,
}

impl Template {
    /// Parses a template, rejecting unknown identifiers, unterminated `$` and bad widths.
    pub fn parse(template: &str) -> Result<Template> {
        let err = |reason: String| Error::Template {
            template: template.chars().take(200).collect(),
            reason,
        };
        let mut parts = Vec::new();
        let mut lit = String::new();
        let mut rest = template;
        while let Some(pos) = rest.find('$') {
            lit.push_str(&rest[..pos]);
            let after = &rest[pos + 1..];
            let end = after.find('$').ok_or_else(|| {
                err("a `$` is never closed; write `$$` for a literal dollar sign".into())
            })?;
            let ident = &after[..end];
            rest = &after[end + 1..];
            if ident.is_empty() {
                lit.push('$');
                continue;
            }
            let (name, fmt) = match ident.find('%') {
                Some(i) => (&ident[..i], Some(&ident[i..])),
                None => (ident, None),
            };
            let width = match fmt {
                None => 0,
                Some(f) => parse_width(f).ok_or_else(|| {
                    err(format!(
                        "format {f:?} is not `%0<width>d` (width at most {MAX_WIDTH})"
                    ))
                })?,
            };
            let part = match name {
                "RepresentationID" if fmt.is_none() => Part::RepId,
                "Number" => Part::Number(width),
                "Bandwidth" => Part::Bandwidth(width),
                "Time" => Part::Time(width),
                "RepresentationID" => {
                    return Err(err("$RepresentationID$ takes no format tag".into()));
                }
                other => {
                    return Err(err(format!(
                        "unknown identifier ${other}$ (expected RepresentationID, Number, Bandwidth, Time)"
                    )));
                }
            };
            if !lit.is_empty() {
                parts.push(Part::Lit(std::mem::take(&mut lit)));
            }
            parts.push(part);
        }
        lit.push_str(rest);
        if !lit.is_empty() {
            parts.push(Part::Lit(lit));
        }
        Ok(Template { parts })
    }

    /// Whether the template uses `$Time$` (otherwise segments are addressed by `$Number$`).
    pub fn uses_time(&self) -> bool {
        self.parts.iter().any(|p| matches!(p, Part::Time(_)))
    }

    /// Whether the template uses `$Number$`.
    pub fn uses_number(&self) -> bool {
        self.parts.iter().any(|p| matches!(p, Part::Number(_)))
    }

    /// Renders the template for one segment.
    pub fn render(&self, v: &Vars<'_>) -> String {
        let mut out = String::with_capacity(64);
        for p in &self.parts {
            // Writing to a String cannot fail.
            let _ = match p {
                Part::Lit(s) => {
                    out.push_str(s);
                    Ok(())
                }
                Part::RepId => {
                    out.push_str(v.representation_id);
                    Ok(())
                }
                Part::Number(w) => write!(out, "{:0w$}", v.number, w = *w),
                Part::Bandwidth(w) => write!(out, "{:0w$}", v.bandwidth, w = *w),
                Part::Time(w) => write!(out, "{:0w$}", v.time, w = *w),
            };
        }
        out
    }
}

/// `%0Nd`, `%Nd` or `%d` -> N (0 for `%d`).
fn parse_width(f: &str) -> Option<usize> {
    let body = f.strip_prefix('%')?.strip_suffix('d')?;
    if body.is_empty() {
        return Some(0);
    }
    let digits = body.strip_prefix('0').unwrap_or(body);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) || digits.len() > 3 {
        return None;
    }
    let w: usize = digits.parse().ok()?;
    (w <= MAX_WIDTH).then_some(w)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars() -> Vars<'static> {
        Vars {
            representation_id: "v1",
            number: 42,
            bandwidth: 300_000,
            time: 180_000,
        }
    }

    #[test]
    fn renders_every_identifier() {
        let t =
            Template::parse("$RepresentationID$/$Bandwidth$/seg-$Number%05d$-$Time$.m4s").unwrap();
        assert_eq!(t.render(&vars()), "v1/300000/seg-00042-180000.m4s");
        assert!(t.uses_time() && t.uses_number());
    }

    #[test]
    fn double_dollar_is_literal() {
        let t = Template::parse("a$$b$Number$$$").unwrap();
        assert_eq!(t.render(&vars()), "a$b42$");
    }

    #[test]
    fn width_narrower_than_value_does_not_truncate() {
        let t = Template::parse("$Number%01d$").unwrap();
        assert_eq!(t.render(&vars()), "42");
    }

    #[test]
    fn rejects_bad_templates() {
        for bad in [
            "$Number",
            "$Foo$",
            "$Number%5x$",
            "$Number%0999d$",
            "$RepresentationID%03d$",
            "$Time%-3d$",
        ] {
            assert!(Template::parse(bad).is_err(), "{bad:?} accepted");
        }
    }
}
