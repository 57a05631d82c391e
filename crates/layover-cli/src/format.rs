//! How the CLI writes times and durations for people.

/// Unix seconds as `2026-11-24 23:30:00 UTC`.
pub fn utc(unix: i64) -> String {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// Seconds as `2 d 4 h`, `3 h 5 min`, `45 s`: the largest unit and the next one down, like the
/// app shows.
pub fn duration(secs: u64) -> String {
    const UNITS: [(u64, &str); 4] = [(86_400, "d"), (3600, "h"), (60, "min"), (1, "s")];
    for (i, (size, name)) in UNITS.iter().enumerate() {
        if secs >= *size {
            let mut out = format!("{} {name}", secs / size);
            if let Some((next, next_name)) = UNITS.get(i + 1) {
                let minor = secs % size / next;
                if minor > 0 {
                    out.push_str(&format!(" {minor} {next_name}"));
                }
            }
            return out;
        }
    }
    "0 s".into()
}

/// Parses a span such as `7d`, `48h`, `90m`, `30s` (or bare seconds) into seconds.
pub fn parse_span(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let bad = || format!("`{s}` is not a span: use e.g. 7d, 48h, 90m or 30s");
    let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: u64 = num.parse().map_err(|_| bad())?;
    let mult = match unit {
        "" | "s" => 1,
        "m" | "min" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 7 * 86_400,
        _ => return Err(bad()),
    };
    n.checked_mul(mult).ok_or_else(bad)
}

/// Parses `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS][Z]` (UTC) or Unix seconds.
pub fn parse_time(s: &str) -> Result<i64, String> {
    let bad =
        || format!("`{s}` is not a time: use 2026-12-24, 2026-12-24T18:00:00Z or Unix seconds");
    let s = s.trim();
    if let Ok(unix) = s.parse::<i64>() {
        return Ok(unix);
    }
    let (date, time) = s.split_once(['T', ' ']).unwrap_or((s, "00:00:00"));
    let num = |p: Option<&str>| p.and_then(|v| v.parse::<i64>().ok()).ok_or_else(bad);
    let mut d = date.splitn(3, '-');
    let (y, m, day) = (num(d.next())?, num(d.next())?, num(d.next())?);
    let mut t = time.trim_end_matches('Z').splitn(3, ':');
    let (hh, mm) = (num(t.next())?, num(t.next())?);
    let ss = t.next().map_or(Ok(0), |v| num(Some(v)))?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&day) || hh > 23 || mm > 59 || ss > 60 {
        return Err(bad());
    }
    Ok(days_from_civil(y, m, day) * 86_400 + hh * 3600 + mm * 60 + ss)
}

/// A proleptic Gregorian date to days since 1970-01-01 (Howard Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's `civil_from_days`).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(utc(951_782_400), "2000-02-29 00:00:00 UTC");
        assert_eq!(utc(1_800_000_000), "2027-01-15 08:00:00 UTC");
        assert_eq!(utc(-1), "1969-12-31 23:59:59 UTC");
    }

    #[test]
    fn times_parse_back_to_what_utc_prints() {
        for unix in [0, 951_782_400, 1_800_000_000, 1_767_225_600 + 3723] {
            let printed = utc(unix);
            let iso = printed.trim_end_matches(" UTC").replacen(' ', "T", 1);
            assert_eq!(parse_time(&iso), Ok(unix), "{iso}");
        }
        assert_eq!(parse_time("2026-01-01"), Ok(1_767_225_600));
        assert_eq!(parse_time("1767225600"), Ok(1_767_225_600));
        assert!(parse_time("2026-13-01").is_err());
        assert!(parse_time("tomorrow").is_err_and(|e| e.contains("2026-12-24")));
    }

    #[test]
    fn durations() {
        assert_eq!(duration(0), "0 s");
        assert_eq!(duration(45), "45 s");
        assert_eq!(duration(3 * 3600 + 5 * 60 + 7), "3 h 5 min");
        assert_eq!(duration(2 * 86_400 + 4 * 3600), "2 d 4 h");
        assert_eq!(duration(86_400 + 30), "1 d");
    }
}
