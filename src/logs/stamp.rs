//! Times as logs write them, read in one place for every format: month
//! names and `hh:mm:ss` clocks, `YYYY-MM-DD` dates, ISO 8601 / RFC 3339
//! stamps with or without an offset, offsets alone, and Unix seconds
//! (also as milliseconds, microseconds, nanoseconds, or a JSON number).
//! The calendar is jiff's; a time written without a zone goes through the
//! input's [`YearGuess`] (its zone, its cache of hours).

use super::syslog::YearGuess;

/// A civil time: year, month, day, hour, minute, second.
pub(crate) type Civil = (i64, u8, u8, u8, u8, u8);

pub(crate) const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `Jan`…`Dec` (as written) → 1–12.
pub(crate) fn month(s: &str) -> Option<u8> {
    MONTHS.iter().position(|m| *m == s).map(|i| i as u8 + 1)
}

/// `hh:mm:ss` (a fraction after it ignored).
pub(crate) fn clock(s: &str) -> Option<(u8, u8, u8)> {
    let b = s.as_bytes();
    if b.len() < 8 || b[2] != b':' || b[5] != b':' {
        return None;
    }
    let two = |i: usize| -> Option<u8> {
        let (x, y) = (b[i], b[i + 1]);
        (x.is_ascii_digit() && y.is_ascii_digit()).then(|| (x - b'0') * 10 + (y - b'0'))
    };
    let rest = &b[8..];
    if !(rest.is_empty() || rest[0] == b'.') {
        return None;
    }
    Some((two(0)?, two(3)?, two(6)?))
}

/// The number `s` writes in ASCII digits (no sign, no space); `None` for
/// anything else. For the short fields of a stamp.
pub(crate) fn number(s: &str) -> Option<i64> {
    if s.is_empty() || s.len() > 18 {
        return None;
    }
    s.bytes().try_fold(0i64, |a, c| {
        c.is_ascii_digit().then(|| a * 10 + i64::from(c - b'0'))
    })
}

/// `YYYY?MM?DD` at the start of `s` (any one-byte separators; callers that
/// care check them): year, month, day, not yet checked as a date.
pub(crate) fn ymd(s: &str) -> Option<(i64, u8, u8)> {
    Some((
        number(s.get(0..4)?)?,
        number(s.get(5..7)?)? as u8,
        number(s.get(8..10)?)? as u8,
    ))
}

/// `YYYY?MM?DD?hh:mm:ss[.fraction]`: the civil fields and what follows
/// (the fraction, when it has digits, dropped).
pub(crate) fn ymd_hms(s: &str) -> Option<(Civil, &str)> {
    let b = s.as_bytes();
    if b.len() < 19 || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (y, mo, d) = ymd(s)?;
    let two = |i: usize| number(s.get(i..i + 2)?).map(|n| n as u8);
    let t = (y, mo, d, two(11)?, two(14)?, two(17)?);
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n > 0 {
            rest = &frac[n..];
        }
    }
    Some((t, rest))
}

/// A civil time as jiff's; `None` when it is no date or time (a second
/// of 60 is not one).
fn date_time((y, mo, d, h, mi, s): Civil) -> Option<jiff::civil::DateTime> {
    jiff::civil::DateTime::new(
        i16::try_from(y).ok()?,
        i8::try_from(mo).ok()?,
        i8::try_from(d).ok()?,
        i8::try_from(h).ok()?,
        i8::try_from(mi).ok()?,
        i8::try_from(s).ok()?,
        0,
    )
    .ok()
}

/// Unix seconds of a civil time in `zone` (a time a clock change skips or
/// repeats is taken as jiff's compatible choice); `None` when it is no
/// date or time.
pub(crate) fn in_zone(zone: &jiff::tz::TimeZone, c: Civil) -> Option<i64> {
    let zoned = date_time(c)?.to_zoned(zone.clone()).ok()?;
    Some(zoned.timestamp().as_second())
}

/// Unix seconds of a civil UTC time; `None` when it is no date or time.
pub(crate) fn utc(c: Civil) -> Option<i64> {
    let t = jiff::tz::Offset::UTC.to_timestamp(date_time(c)?).ok()?;
    Some(t.as_second())
}

/// An offset: `Z`, `UTC`, `GMT`, or `±hh`, `±hhmm`, `±hh:mm` (hours to
/// 14) → seconds east of UTC. Space around it is ignored.
pub(crate) fn offset(v: &str) -> Option<i64> {
    let v = v.trim();
    if matches!(v, "Z" | "z" | "UTC" | "GMT") {
        return Some(0);
    }
    let (sign, rest) = match v.as_bytes().first()? {
        b'+' => (1, &v[1..]),
        b'-' => (-1, &v[1..]),
        _ => return None,
    };
    let part = |r: std::ops::Range<usize>| number(rest.get(r)?);
    let (h, m) = match rest.len() {
        2 => (part(0..2)?, 0),
        4 => (part(0..2)?, part(2..4)?),
        5 if rest.as_bytes()[2] == b':' => (part(0..2)?, part(3..5)?),
        _ => return None,
    };
    (h <= 14 && m <= 59).then_some(sign * (h * 3600 + m * 60))
}

/// A civil time and what followed it: an [`offset`], or nothing (the
/// time is then in the [`YearGuess`]'s zone).
pub(crate) fn zoned(c: Civil, rest: &str, year: &mut YearGuess) -> Option<i64> {
    if rest.is_empty() {
        let (y, mo, d, h, mi, s) = c;
        return year.local(y, mo, d, h, mi, s);
    }
    Some(utc(c)? - offset(rest)?)
}

/// An ISO 8601 / RFC 3339 time: `YYYY-MM-DDThh:mm:ss` (or a space for
/// the `T`), an optional fraction, then an [`offset`] or nothing (a time
/// without a zone goes through the [`YearGuess`]).
pub(crate) fn iso_time(s: &str, year: &mut YearGuess) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b' ') {
        return None;
    }
    let (c, rest) = ymd_hms(s)?;
    zoned(c, rest, year)
}

/// Unix seconds of an epoch number in seconds, milliseconds, microseconds
/// or nanoseconds (told by its length: up to 11, 14, 17, 20 digits); a
/// fraction after seconds is dropped.
pub(crate) fn epoch(v: &str) -> Option<i64> {
    let whole = match v.split_once('.') {
        Some((w, f)) if f.bytes().all(|b| b.is_ascii_digit()) && w.len() <= 11 => w,
        Some(_) => return None,
        None => v,
    };
    if whole.is_empty() || whole.len() > 20 || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u64 = whole.parse().ok()?;
    let secs = match whole.len() {
        0..=11 => n,
        12..=14 => n / 1_000,
        15..=17 => n / 1_000_000,
        _ => n / 1_000_000_000,
    };
    i64::try_from(secs).ok()
}

/// Whole seconds of epoch seconds given as a JSON number; a number past
/// 1e11 (the year 5138) is milliseconds.
pub(crate) fn float_secs(t: f64) -> Option<i64> {
    if !t.is_finite() || !(0.0..1e14).contains(&t) {
        return None;
    }
    let t = if t >= 1e11 { t / 1000.0 } else { t };
    Some(t.floor() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEC7: i64 = 1_796_644_800;

    #[test]
    fn iso_times_with_and_without_zones() {
        let mut y = YearGuess::new(DEC7);
        assert_eq!(iso_time("2026-12-07T12:00:00Z", &mut y), Some(DEC7));
        assert_eq!(
            iso_time("2026-12-07T13:00:00.123456+0100", &mut y),
            Some(DEC7)
        );
        assert_eq!(iso_time("2026-12-07T13:00:00+01:00", &mut y), Some(DEC7));
        assert_eq!(iso_time("2026-12-07T11:00:00-01", &mut y), Some(DEC7));
        assert_eq!(iso_time("2026-12-07T12:00:00-0000", &mut y), Some(DEC7));
        assert_eq!(iso_time("2026-12-07 12:00:00", &mut y), Some(DEC7));
        assert_eq!(iso_time("2026-02-30T12:00:00Z", &mut y), None);
        assert_eq!(iso_time("2026-12-07T12:00:00+1", &mut y), None);
        assert_eq!(iso_time("2026-12-07T12:00:00.Z", &mut y), None);
        assert_eq!(iso_time("2026-12-07T24:00:00Z", &mut y), None);
        assert_eq!(utc((1970, 1, 1, 0, 0, 0)), Some(0));
        assert_eq!(utc((2000, 3, 1, 0, 0, 0)), Some(11_017 * 86_400));
    }

    #[test]
    fn epochs_offsets_and_civil_times() {
        assert_eq!(epoch("1796644801"), Some(1_796_644_801));
        assert_eq!(epoch("1796644801123"), Some(1_796_644_801));
        assert_eq!(epoch("1796644801123456"), Some(1_796_644_801));
        assert_eq!(epoch("1796644801123456789"), Some(1_796_644_801));
        assert_eq!(epoch("1796644801.5"), Some(1_796_644_801));
        assert_eq!(epoch("17966x"), None);
        assert_eq!(epoch("99999999999999999999"), None);
        assert_eq!(offset("+0100"), Some(3600));
        assert_eq!(offset("-05:30"), Some(-19_800));
        assert_eq!(offset("+1500"), None);
        assert_eq!(utc((2026, 12, 7, 12, 0, 0)), Some(1_796_644_800));
        assert_eq!(utc((2024, 2, 29, 0, 0, 0)), Some(1_709_164_800));
        assert_eq!(utc((2026, 2, 29, 0, 0, 0)), None);
        assert_eq!(float_secs(1_796_644_800_123.0), Some(DEC7));
        assert_eq!(float_secs(1_796_644_800.9), Some(DEC7));
        assert_eq!(float_secs(-1.0), None);
        assert_eq!(float_secs(f64::NAN), None);
    }
}
