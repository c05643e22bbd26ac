//! Time, in one place: Unix seconds (UTC) everywhere inside, RFC 3339 UTC
//! with whole seconds in every output ([`format`]), one grammar for the
//! `--now`/`--at` arguments of every tool ([`parse_arg`]), and the many
//! forms feeds write ([`feed::parse`]).

mod cache;
pub mod feed;

pub use cache::TimeCache;

/// RFC 3339 UTC with whole seconds: `2026-11-27T14:00:00Z`.
pub fn format(secs: i64) -> String {
    match jiff::Timestamp::from_second(secs) {
        Ok(t) => t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
        // Out of jiff's range (years beyond ±9999): clamp rather than fail.
        Err(_) => if secs < 0 {
            "-009999-01-01T00:00:00Z"
        } else {
            "9999-12-31T23:59:59Z"
        }
        .to_string(),
    }
}

/// Parses an RFC 3339 time (any offset) into Unix seconds.
pub fn parse_rfc3339(s: &str) -> Option<i64> {
    s.parse::<jiff::Timestamp>().ok().map(|t| t.as_second())
}

/// A time that is none of the forms [`parse_arg`] takes.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not RFC 3339 (2026-11-27T14:00:00Z), a date, Unix seconds or a time before now (-2d, -12h, yesterday): {}", crate::error::quote(.0.as_bytes()))]
pub struct BadTime(pub String);

/// A time given on a command line or in a configuration: RFC 3339, Unix
/// seconds, a date (its last second, UTC), or a time before now: `-2d`,
/// `-12h` (a duration), `now`, `today`, `yesterday` (their last second).
pub fn parse_arg(s: &str) -> Result<i64, BadTime> {
    if let Ok(n) = s.parse::<i64>() {
        return Ok(n);
    }
    let day = |days_back: i64| {
        let t = now() - days_back * 86400;
        t - t.rem_euclid(86400) + 86399
    };
    match s {
        "now" => return Ok(now()),
        "today" => return Ok(day(0)),
        "yesterday" => return Ok(day(1)),
        _ => {}
    }
    if let Some(d) = s.strip_prefix('-').and_then(parse_duration) {
        return Ok(now() - d.as_secs() as i64);
    }
    if let Some(t) = parse_rfc3339(s) {
        return Ok(t);
    }
    if let Some(t) = end_of_day(s) {
        return Ok(t);
    }
    Err(BadTime(s.to_string()))
}

/// `250ms`, `30s`, `15m`, `12h`, `7d`, `2w`.
pub fn parse_duration(s: &str) -> Option<std::time::Duration> {
    use std::time::Duration;
    let s = s.trim();
    let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit())?);
    let n: u64 = num.parse().ok()?;
    let mult = match unit.trim() {
        "ms" => return Some(Duration::from_millis(n)),
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86400,
        "w" => 7 * 86400,
        _ => return None,
    };
    Some(Duration::from_secs(n.checked_mul(mult)?))
}

/// A time zone by IANA name (`Europe/Berlin`, `UTC`) or fixed offset
/// (`+01:00`, `-0530`); the error says which of the two was meant.
pub fn parse_zone(text: &str) -> Result<jiff::tz::TimeZone, String> {
    let t = text.trim();
    if let Some(rest) = t.strip_prefix(['+', '-']) {
        let digits: String = rest.chars().filter(char::is_ascii_digit).collect();
        let ok = digits.len() == 4 && rest.chars().all(|c| c.is_ascii_digit() || c == ':');
        if ok {
            let h: i32 = digits[..2].parse().unwrap_or(99);
            let m: i32 = digits[2..].parse().unwrap_or(99);
            if h <= 23 && m <= 59 {
                let secs = (h * 3600 + m * 60) * if t.starts_with('-') { -1 } else { 1 };
                if let Ok(o) = jiff::tz::Offset::from_seconds(secs) {
                    return Ok(jiff::tz::TimeZone::fixed(o));
                }
            }
        }
        return Err(format!("'{text}' is not an offset (+HH:MM)"));
    }
    jiff::tz::TimeZone::get(t).map_err(|_| {
        format!("unknown zone '{text}' (an IANA name such as Europe/Berlin, or +HH:MM)")
    })
}

/// The last second (UTC) of a `YYYY-MM-DD` date.
pub fn end_of_day(s: &str) -> Option<i64> {
    let d = s.parse::<jiff::civil::Date>().ok()?;
    let z = d.to_zoned(jiff::tz::TimeZone::UTC).ok()?;
    Some(z.timestamp().as_second() + 86_399)
}

/// The system clock, in Unix seconds.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_grammar_for_arguments() {
        assert_eq!(parse_arg("1700000000"), Ok(1_700_000_000));
        assert_eq!(parse_arg("2026-11-27T14:00:00Z"), Ok(1_795_788_000));
        assert_eq!(parse_arg("2026-11-27T15:00:00+01:00"), Ok(1_795_788_000));
        assert_eq!(parse_arg("2026-11-27"), Ok(1_795_823_999));
        assert!(parse_arg("last week").is_err() && parse_arg("-2x").is_err());
        assert_eq!(parse_arg("-2"), Ok(-2), "Unix seconds, not relative");
        // Relative to the clock: checked against it, within a second.
        let near = |got: i64, want: i64| assert!((got - want).abs() <= 1, "{got} {want}");
        let t = now();
        near(parse_arg("now").unwrap(), t);
        near(parse_arg("-2d").unwrap(), t - 2 * 86400);
        near(parse_arg("-12h").unwrap(), t - 12 * 3600);
        let today = parse_arg("today").unwrap();
        assert_eq!(today % 86400, 86399);
        assert_eq!(parse_arg("yesterday").unwrap(), today - 86400);
        assert!(today >= t && today - t < 86400);
        assert_eq!(format(1_795_788_000), "2026-11-27T14:00:00Z");
    }
}
