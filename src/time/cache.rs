//! The fast path of RFC 3339 parsing for the largest inputs (event logs of
//! millions of rows): the exact form `YYYY-MM-DDTHH:MM:SSZ` read without the
//! general parser, the last date remembered. Every other form goes to
//! [`super::parse_rfc3339`], and a property test checks that both agree.

/// Remembers the last date seen, since a log's rows share few dates.
///
/// The fast path of time parsing for the largest inputs: only the exact
/// form `YYYY-MM-DDTHH:MM:SSZ`; every other form goes to
/// [`crate::time::parse_rfc3339`], the one grammar, and a property test
/// checks that both agree.
#[derive(Clone, Debug, Default)]
pub struct TimeCache {
    date: [u8; 10],
    days: i64,
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's
/// `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl TimeCache {
    /// `YYYY-MM-DDTHH:MM:SSZ` without the general parser; anything else
    /// (offsets, fractions, leap seconds) goes to [`crate::time::parse_rfc3339`].
    pub fn parse(&mut self, s: &[u8]) -> Option<i64> {
        if let Some(t) = self.parse_utc(s) {
            return Some(t);
        }
        crate::time::parse_rfc3339(std::str::from_utf8(s).ok()?)
    }

    #[inline]
    fn parse_utc(&mut self, s: &[u8]) -> Option<i64> {
        if s.len() != 20 || s[10] != b'T' || s[13] != b':' || s[16] != b':' || s[19] != b'Z' {
            return None;
        }
        let two = |i: usize| -> Option<i64> {
            let (a, b) = (s[i].wrapping_sub(b'0'), s[i + 1].wrapping_sub(b'0'));
            (a < 10 && b < 10).then_some((a * 10 + b) as i64)
        };
        let days = if s[..10] == self.date && self.date[0] != 0 {
            self.days
        } else {
            if s[4] != b'-' || s[7] != b'-' {
                return None;
            }
            let y = two(0)? * 100 + two(2)?;
            let (m, d) = (two(5)?, two(8)?);
            if !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
                return None;
            }
            self.date.copy_from_slice(&s[..10]);
            self.days = days_from_civil(y, m, d);
            self.days
        };
        let (hh, mm, ss) = (two(11)?, two(14)?, two(17)?);
        if hh > 23 || mm > 59 || ss > 59 {
            return None;
        }
        Some(days * 86_400 + hh * 3600 + mm * 60 + ss)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn fast_time_agrees_with_jiff(secs in -62_000_000_000i64..253_000_000_000) {
            let text = crate::time::format(secs);
            let mut cache = TimeCache::default();
            prop_assert_eq!(cache.parse(text.as_bytes()), crate::time::parse_rfc3339(&text));
            prop_assert_eq!(cache.parse(text.as_bytes()), Some(secs));
        }
    }
}
