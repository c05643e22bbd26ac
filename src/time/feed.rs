//! Times as feeds and logs write them, into Unix seconds (UTC).
//!
//! Seen in the wild: RFC 3339 (`2026-08-22T17:30:08Z`), ISO without zone
//! (`2026-08-22T20:45:06.040987`, read as UTC), `2024-04-04 07:03:03 UTC`,
//! RFC 2822 (`Fri, 17 Jan 2025 17:03:47 GMT`), ctime with zone
//! (`Wed Jan 24 10:33:01 UTC 2024`), bare dates and Unix epoch numbers.

use jiff::civil::{Date, DateTime};
use jiff::Timestamp;

/// Earliest and latest plausible feed times (1990 .. 2200): anything else is
/// a misread field, not a time.
const MIN: i64 = 631_152_000;
const MAX: i64 = 7_258_118_400;

pub fn parse(text: &str) -> Option<i64> {
    let s = text.trim().trim_matches('"').trim();
    if s.is_empty() || s.len() > 64 {
        return None;
    }
    parse_any(s).filter(|t| (MIN..MAX).contains(t))
}

/// `YYYY-MM-DD HH:MM:SS` or `YYYY-MM-DDTHH:MM:SS`, optionally with `Z` or
/// ` UTC`: the common form of CSV feeds, read without the general parser.
fn parse_plain(s: &[u8]) -> Option<i64> {
    let rest = match s.len() {
        19 => &b""[..],
        _ => &s[19.min(s.len())..],
    };
    if s.len() < 19 || !(rest.is_empty() || rest == b"Z" || rest == b" UTC") {
        return None;
    }
    let d = |i: usize, n: usize| -> Option<i64> {
        s[i..i + n].iter().try_fold(0i64, |a, &c| {
            c.is_ascii_digit().then(|| a * 10 + (c - b'0') as i64)
        })
    };
    if s[4] != b'-'
        || s[7] != b'-'
        || !(s[10] == b' ' || s[10] == b'T')
        || s[13] != b':'
        || s[16] != b':'
    {
        return None;
    }
    let (y, m, day) = (d(0, 4)?, d(5, 2)?, d(8, 2)?);
    let (hh, mm, ss) = (d(11, 2)?, d(14, 2)?, d(17, 2)?);
    let date = jiff::civil::Date::new(y as i16, m as i8, day as i8).ok()?;
    if hh > 23 || mm > 59 || ss > 59 {
        return None;
    }
    // Days since the epoch from the validated date.
    let days = date.since(jiff::civil::date(1970, 1, 1)).ok()?.get_days() as i64;
    Some(days * 86400 + hh * 3600 + mm * 60 + ss)
}

fn parse_any(s: &str) -> Option<i64> {
    if let Some(t) = parse_plain(s.as_bytes()) {
        return Some(t);
    }
    if s.bytes().all(|c| c.is_ascii_digit()) {
        let n: i64 = s.parse().ok()?;
        // Epoch seconds, or milliseconds.
        return Some(if n > 100_000_000_000 { n / 1000 } else { n });
    }
    if let Ok(t) = s.parse::<Timestamp>() {
        return Some(t.as_second());
    }
    // "… UTC" / "… GMT" suffix on a civil time.
    let civil = s
        .strip_suffix(" UTC")
        .or_else(|| s.strip_suffix(" GMT"))
        .or_else(|| s.strip_suffix('Z'))
        .unwrap_or(s);
    if let Ok(dt) = civil.parse::<DateTime>() {
        return utc(dt);
    }
    if let Ok(d) = civil.parse::<Date>() {
        return utc(d.to_datetime(jiff::civil::Time::midnight()));
    }
    if let Ok(z) = jiff::fmt::rfc2822::parse(s) {
        return Some(z.timestamp().as_second());
    }
    // ctime with the zone before the year: "Wed Jan 24 10:33:01 UTC 2024".
    let squeezed = s.split_whitespace().collect::<Vec<_>>().join(" ");
    for fmt in [
        "%a %b %d %H:%M:%S UTC %Y",
        "%a %b %d %H:%M:%S GMT %Y",
        "%a %b %d %H:%M:%S %Y",
    ] {
        if let Ok(dt) = DateTime::strptime(fmt, &squeezed) {
            return utc(dt);
        }
    }
    None
}

fn utc(dt: DateTime) -> Option<i64> {
    dt.to_zoned(jiff::tz::TimeZone::UTC)
        .ok()
        .map(|z| z.timestamp().as_second())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        let t = |s| parse(s).map(crate::time::format);
        assert_eq!(t("2026-08-22T17:30:08Z").unwrap(), "2026-08-22T17:30:08Z");
        assert_eq!(
            t("2026-08-22T20:45:06.040987").unwrap(),
            "2026-08-22T20:45:06Z"
        );
        assert_eq!(
            t("2024-04-04 07:03:03 UTC").unwrap(),
            "2024-04-04T07:03:03Z"
        );
        assert_eq!(t("2024-02-08 19:20:49").unwrap(), "2024-02-08T19:20:49Z");
        assert_eq!(
            t("Fri, 17 Jan 2025 17:03:47 GMT").unwrap(),
            "2025-01-17T17:03:47Z"
        );
        assert_eq!(
            t("Sat, 22 Aug 2026 03:00:29 +0200").unwrap(),
            "2026-08-22T01:00:29Z"
        );
        assert_eq!(
            t("Wed Jan 24 10:33:01 UTC 2024").unwrap(),
            "2024-01-24T10:33:01Z"
        );
        assert_eq!(
            t("Mon Dec  5 16:00:11 UTC 2022").unwrap(),
            "2022-12-05T16:00:11Z"
        );
        assert_eq!(t("2024-04-01").unwrap(), "2024-04-01T00:00:00Z");
        assert_eq!(t("1709006105").unwrap(), "2024-02-27T03:55:05Z");
        assert_eq!(t("5"), None);
        assert_eq!(t("yesterday"), None);
    }
}
