//! SOA serials that only ever grow (RFC 1982 serial arithmetic).
//!
//! A secondary takes a zone only when its serial is greater than the one it
//! has, in arithmetic modulo 2^32. The next serial is therefore the scheme's
//! value (date, Unix time or a counter) when that is greater than the
//! previous serial, else the previous serial plus one: a clock stepped back,
//! or a hundred and first change in a day, still moves forward.

/// How serials are made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SerialStyle {
    /// `YYYYMMDDnn` (UTC).
    Date,
    /// Seconds since 1970 (until 2106).
    Unix,
    /// The previous serial plus one.
    Increment,
}

impl SerialStyle {
    pub const ALL: [SerialStyle; 3] =
        [SerialStyle::Date, SerialStyle::Unix, SerialStyle::Increment];

    pub fn parse(s: &str) -> Option<SerialStyle> {
        SerialStyle::ALL.into_iter().find(|style| style.name() == s)
    }

    /// The style's name in the configuration and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            SerialStyle::Date => "date",
            SerialStyle::Unix => "unix",
            SerialStyle::Increment => "increment",
        }
    }
}

/// `a > b` in RFC 1982 serial arithmetic (32 bits).
pub fn serial_gt(a: u32, b: u32) -> bool {
    let d = a.wrapping_sub(b);
    d != 0 && d < 1 << 31
}

/// The serial to publish after `prev` (the serial of the zone being
/// replaced, if any), at Unix time `now`.
pub fn next_serial(prev: Option<u32>, style: SerialStyle, now: i64) -> u32 {
    let scheme = match style {
        SerialStyle::Date => {
            let date = jiff::Timestamp::from_second(now)
                .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
                .to_zoned(jiff::tz::TimeZone::UTC)
                .date();
            date.year() as u32 * 1_000_000 + date.month() as u32 * 10_000 + date.day() as u32 * 100
        }
        SerialStyle::Unix => now.clamp(1, u32::MAX as i64) as u32,
        SerialStyle::Increment => prev.map_or(1, |p| p.wrapping_add(1)),
    };
    let next = match prev {
        Some(p) if !serial_gt(scheme, p) => p.wrapping_add(1),
        _ => scheme,
    };
    // 0 is a valid serial, but some tools read it as "unset".
    next.max(1)
}

/// The serial of the first SOA record in a zone file (`NAME [TTL] [IN] SOA
/// MNAME RNAME SERIAL ...`, possibly across lines in parentheses) or of an
/// rbldnsd dataset (`$SOA TTL MNAME RNAME SERIAL ...`).
pub fn read_serial(text: &[u8]) -> Option<u32> {
    // Tokens still to skip after the SOA keyword, once it has been seen.
    let mut skip: Option<usize> = None;
    for line in text.split(|&c| c == b'\n') {
        let line = match memchr::memchr(b';', line) {
            Some(i) => &line[..i],
            None => line,
        };
        for tok in line
            .split(|c| c.is_ascii_whitespace() || *c == b'(' || *c == b')')
            .filter(|t| !t.is_empty())
        {
            match skip {
                Some(0) => return std::str::from_utf8(tok).ok()?.parse().ok(),
                Some(n) => skip = Some(n - 1),
                None if tok.eq_ignore_ascii_case(b"SOA") => skip = Some(2),
                None if tok.eq_ignore_ascii_case(b"$SOA") => skip = Some(3),
                None => {}
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 1_795_737_600; // 2026-11-27T00:00:00Z

    #[test]
    fn rfc1982_comparison() {
        assert!(serial_gt(2, 1));
        assert!(!serial_gt(1, 1));
        assert!(!serial_gt(1, 2));
        assert!(serial_gt(0, u32::MAX));
        assert!(serial_gt(1_732_700_000, 4_171_596_351));
        assert!(!serial_gt(1_732_700_000, 2_024_112_705));
    }

    #[test]
    fn serials_only_grow() {
        use SerialStyle::*;
        assert_eq!(next_serial(None, Date, DAY), 2026112700);
        assert_eq!(next_serial(Some(2026112700), Date, DAY), 2026112701);
        assert_eq!(next_serial(Some(2026112799), Date, DAY), 2026112800);
        // the clock steps back a day: still forward
        assert_eq!(next_serial(Some(2026112705), Date, DAY - 86400), 2026112706);
        assert_eq!(next_serial(Some(2026112705), Date, DAY + 86400), 2026112800);
        assert_eq!(next_serial(None, Unix, DAY), DAY as u32);
        assert_eq!(next_serial(Some(DAY as u32), Unix, DAY), DAY as u32 + 1);
        // date serials are ahead of Unix time: switching keeps counting
        assert_eq!(next_serial(Some(2026112700), Unix, DAY), 2026112701);
        assert_eq!(next_serial(None, Increment, DAY), 1);
        assert_eq!(next_serial(Some(41), Increment, DAY), 42);
        assert_eq!(next_serial(Some(u32::MAX), Increment, DAY), 1);
        // after the manual wrap step, Unix time is ahead again
        assert_eq!(next_serial(Some(4_171_596_351), Unix, DAY), DAY as u32);
    }

    #[test]
    fn reads_serials_back() {
        assert_eq!(
            read_serial(b"$ORIGIN x.\n$TTL 300\n@ SOA ns. host. 2026112703 3600 600 604800 300\n"),
            Some(2026112703)
        );
        assert_eq!(
            read_serial(b"@ 300 IN SOA ns. host. ( ; comment\n  42 ; serial\n 1 2 3 4 )\n"),
            Some(42)
        );
        assert_eq!(
            read_serial(b"$SOA 300 ns1.x. h.x. 2024112701 3600 600 604800 300\n"),
            Some(2024112701)
        );
        assert_eq!(read_serial(b"; SOA in a comment\n"), None);
        assert_eq!(read_serial(b"@ SOA ns. host. soon 1 2 3 4\n"), None);
    }
}
