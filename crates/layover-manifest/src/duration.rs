//! ISO 8601 durations as used by MPD attributes (`PT1H2M3.5S`, `P1DT2H`), ISO 8601 §4.4.3.2 /
//! XML Schema `xs:duration`.

/// Parses an `xs:duration` into seconds. Years count as 365 days and months as 30 days (MPDs
/// practically never use them; the approximation is documented rather than rejected). Negative
/// durations are rejected.
pub fn parse_iso8601_duration(s: &str) -> Result<f64, String> {
    let t = s.trim();
    let rest = t
        .strip_prefix('P')
        .ok_or_else(|| "an ISO 8601 duration starts with `P` (e.g. PT1H2M3.5S)".to_owned())?;
    if rest.is_empty() {
        return Err("empty duration after `P`".into());
    }
    let mut secs = 0.0f64;
    let mut in_time = false;
    let mut num = String::new();
    let mut saw_component = false;
    for c in rest.chars() {
        match c {
            'T' if !in_time && num.is_empty() => in_time = true,
            '0'..='9' | '.' => num.push(c),
            'Y' | 'M' | 'W' | 'D' | 'H' | 'S' => {
                if num.is_empty() {
                    return Err(format!("`{c}` has no number before it"));
                }
                let v: f64 = num
                    .parse()
                    .map_err(|_| format!("{num:?} is not a number"))?;
                num.clear();
                let unit = match (in_time, c) {
                    (false, 'Y') => 365.0 * 86_400.0,
                    (false, 'M') => 30.0 * 86_400.0,
                    (false, 'W') => 7.0 * 86_400.0,
                    (false, 'D') => 86_400.0,
                    (true, 'H') => 3_600.0,
                    (true, 'M') => 60.0,
                    (true, 'S') => 1.0,
                    _ => return Err(format!("`{c}` is not allowed here")),
                };
                secs += v * unit;
                saw_component = true;
            }
            _ => return Err(format!("unexpected character {c:?}")),
        }
    }
    if !num.is_empty() {
        return Err(format!("number {num:?} has no unit (H, M, S…)"));
    }
    if !saw_component {
        return Err("no components".into());
    }
    if !secs.is_finite() {
        return Err("duration is too large".into());
    }
    Ok(secs)
}

#[cfg(test)]
mod tests {
    use super::parse_iso8601_duration as p;

    #[test]
    fn parses_common_forms() {
        assert_eq!(p("PT1H2M3.5S").unwrap(), 3723.5);
        assert_eq!(p("P1DT2H").unwrap(), 93_600.0);
        assert_eq!(p("PT0S").unwrap(), 0.0);
        assert_eq!(p("PT12.000S").unwrap(), 12.0);
        assert_eq!(p("PT634.566S").unwrap(), 634.566);
        assert_eq!(p("P0Y0M0DT0H3M30.000S").unwrap(), 210.0);
        assert_eq!(p("P1W").unwrap(), 604_800.0);
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "", "P", "PT", "1H", "PT1X", "PT5", "-PT5S", "PTH", "PT1.2.3S", "P1H",
        ] {
            assert!(p(bad).is_err(), "{bad:?} accepted");
        }
    }
}
