//! Syslog framing stripped down to the message: RFC 3164
//! (`Dec  7 12:00:01 host tag: msg`, no year and no zone: the year comes
//! from a [`YearGuess`], the time is taken as UTC) and RFC 5424
//! (`<PRI>1 2026-12-07T12:00:01Z host app procid msgid [sd] msg`).

/// The year of RFC 3164 lines, and the zone of times written without one.
/// The year starts from the year of the file's modification time
/// (`reference`); a line that would fall after the reference steps back a
/// year, and months that go backwards (December, then January) move on a
/// year, never past the reference.
#[derive(Clone, Debug)]
pub struct YearGuess {
    reference: i64,
    year: Option<i64>,
    last_month: u8,
    zone: jiff::tz::TimeZone,
    /// The last hour converted: (year, month, day, hour) and its start.
    hour: Option<((i64, u8, u8, u8), i64)>,
}

/// Slack for clocks and late writes: a line this much after the reference
/// is still taken as this year.
const SLACK: i64 = 86_400;

impl YearGuess {
    /// Times in UTC.
    pub fn new(reference: i64) -> Self {
        Self::in_zone(reference, jiff::tz::TimeZone::UTC)
    }

    /// Times written without a zone taken in `zone`.
    pub fn in_zone(reference: i64, zone: jiff::tz::TimeZone) -> Self {
        YearGuess {
            reference,
            year: None,
            last_month: 0,
            zone,
            hour: None,
        }
    }

    /// The time no line is later than (Unix seconds).
    pub fn reference(&self) -> i64 {
        self.reference
    }

    /// Unix seconds of a line stamped `month` (1–12), day and time.
    pub fn resolve(&mut self, month: u8, day: u8, h: u8, m: u8, s: u8) -> Option<i64> {
        let mut year = match self.year {
            None => year_of(self.reference)?,
            Some(y) if month < self.last_month => y + 1,
            Some(y) => y,
        };
        let mut t = self.local(year, month, day, h, m, s)?;
        if t > self.reference + SLACK {
            year -= 1;
            t = self.local(year, month, day, h, m, s)?;
        }
        self.year = Some(year);
        self.last_month = month;
        Some(t)
    }

    /// Unix seconds of a civil time in the zone (a second of 60 is not
    /// one); hours are converted once and cached, as lines come in order.
    pub fn local(&mut self, y: i64, mo: u8, d: u8, h: u8, mi: u8, s: u8) -> Option<i64> {
        if mi > 59 || s > 59 {
            return None;
        }
        let key = (y, mo, d, h);
        let start = match self.hour {
            Some((k, start)) if k == key => start,
            _ => {
                let start = civil_in(&self.zone, y, mo, d, h, 0, 0)?;
                self.hour = Some((key, start));
                start
            }
        };
        Some(start + i64::from(mi) * 60 + i64::from(s))
    }
}

fn year_of(secs: i64) -> Option<i64> {
    let t = jiff::Timestamp::from_second(secs).ok()?;
    Some(i64::from(t.to_zoned(jiff::tz::TimeZone::UTC).year()))
}

/// Unix seconds of a civil UTC time; `None` when it is no date.
#[cfg(test)]
pub(crate) fn civil(y: i64, mo: u8, d: u8, h: u8, mi: u8, s: u8) -> Option<i64> {
    civil_in(&jiff::tz::TimeZone::UTC, y, mo, d, h, mi, s)
}

/// Unix seconds of a civil time in `zone` (a time a clock change skips or
/// repeats is taken as jiff's compatible choice).
fn civil_in(zone: &jiff::tz::TimeZone, y: i64, mo: u8, d: u8, h: u8, mi: u8, s: u8) -> Option<i64> {
    let y = i16::try_from(y).ok()?;
    let dt = jiff::civil::DateTime::new(
        y,
        i8::try_from(mo).ok()?,
        i8::try_from(d).ok()?,
        i8::try_from(h).ok()?,
        i8::try_from(mi).ok()?,
        i8::try_from(s).ok()?,
        0,
    )
    .ok()?;
    Some(dt.to_zoned(zone.clone()).ok()?.timestamp().as_second())
}

/// A line without its syslog header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Framed<'a> {
    pub time: Option<i64>,
    pub host: Option<&'a str>,
    /// The program (`kernel`, `filterlog`), without `[pid]`.
    pub tag: Option<&'a str>,
    pub msg: &'a str,
}

/// Why a header was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrameError {
    /// A header whose time is not one.
    BadTime,
}

/// Strips an RFC 5424 or RFC 3164 header. A line with neither comes back
/// whole as the message, without a time.
pub fn frame<'a>(line: &'a str, year: &mut YearGuess) -> Result<Framed<'a>, FrameError> {
    let (pri, rest) = strip_pri(line);
    if pri {
        if let Some(body) = rest.strip_prefix("1 ") {
            return rfc5424(body);
        }
    }
    if let Some((month, day, h, m, s, after)) = bsd_stamp(rest) {
        let time = year
            .resolve(month, day, h, m, s)
            .ok_or(FrameError::BadTime)?;
        // `Dec  7 12:00:01 tag: msg` (no host) as remote syslog writes it.
        let (host, after) = match word(after) {
            (Some(h), _) if h.ends_with(':') => (None, after),
            found => found,
        };
        let (tag, msg) = split_tag(after);
        return Ok(Framed {
            time: Some(time),
            host: host.filter(|h| !h.is_empty()),
            tag,
            msg,
        });
    }
    Ok(Framed {
        time: None,
        host: None,
        tag: None,
        msg: line,
    })
}

fn strip_pri(line: &str) -> (bool, &str) {
    if let Some(rest) = line.strip_prefix('<') {
        if let Some(end) = rest.find('>') {
            if end > 0 && end <= 3 && rest[..end].bytes().all(|b| b.is_ascii_digit()) {
                return (true, &rest[end + 1..]);
            }
        }
    }
    (false, line)
}

fn rfc5424(body: &str) -> Result<Framed<'_>, FrameError> {
    let (stamp, rest) = word(body);
    let stamp = stamp.unwrap_or("");
    let time = if stamp == "-" {
        None
    } else {
        Some(crate::time::parse_rfc3339(stamp).ok_or(FrameError::BadTime)?)
    };
    let (host, rest) = word(rest);
    let (app, rest) = word(rest);
    let (_procid, rest) = word(rest);
    let (_msgid, rest) = word(rest);
    let msg = skip_sd(rest);
    Ok(Framed {
        time,
        host: dash(host),
        tag: dash(app),
        msg: msg.strip_prefix('\u{feff}').unwrap_or(msg),
    })
}

fn dash(w: Option<&str>) -> Option<&str> {
    w.filter(|w| *w != "-" && !w.is_empty())
}

/// Skips RFC 5424 structured data (`-` or `[id k="v"]…`).
fn skip_sd(s: &str) -> &str {
    if let Some(rest) = s.strip_prefix('-') {
        return rest.strip_prefix(' ').unwrap_or(rest);
    }
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() && b[i] == b'[' {
        let mut quoted = false;
        i += 1;
        while i < b.len() {
            match b[i] {
                b'\\' => i += 1,
                b'"' => quoted = !quoted,
                b']' if !quoted => break,
                _ => {}
            }
            i += 1;
        }
        i += 1;
    }
    let rest = s.get(i.min(s.len())..).unwrap_or("");
    rest.strip_prefix(' ').unwrap_or(rest)
}

/// The next space-separated word and what follows it.
fn word(s: &str) -> (Option<&str>, &str) {
    let s = s.trim_start_matches(' ');
    if s.is_empty() {
        return (None, s);
    }
    match s.find(' ') {
        Some(i) => (Some(&s[..i]), &s[i + 1..]),
        None => (Some(s), ""),
    }
}

/// `tag[pid]: msg` → (`tag`, `msg`); no tag when the first word does not
/// end in `:`.
fn split_tag(s: &str) -> (Option<&str>, &str) {
    let s = s.trim_start_matches(' ');
    let end = s.find(' ').unwrap_or(s.len());
    let first = &s[..end];
    if let Some(tag) = first.strip_suffix(':') {
        let tag = tag.split('[').next().unwrap_or(tag);
        let msg = s[end..].strip_prefix(' ').unwrap_or(&s[end..]);
        return (Some(tag), msg);
    }
    (None, s)
}

pub(crate) const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

pub(crate) fn month(s: &str) -> Option<u8> {
    MONTHS.iter().position(|m| *m == s).map(|i| i as u8 + 1)
}

/// `hh:mm:ss` (fraction after it ignored).
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

/// `Mmm dd hh:mm:ss ` at the start: month, day, time and the rest.
fn bsd_stamp(s: &str) -> Option<(u8, u8, u8, u8, u8, &str)> {
    let mon = month(s.get(..3)?)?;
    let rest = s.get(3..)?.strip_prefix(' ')?;
    let rest = rest.trim_start_matches(' ');
    let dlen = rest.find(' ')?;
    let day: u8 = rest[..dlen]
        .parse()
        .ok()
        .filter(|_| dlen <= 2 && rest.as_bytes()[0].is_ascii_digit())?;
    let rest = &rest[dlen + 1..];
    let tlen = rest.find(' ').unwrap_or(rest.len());
    let (h, m, sec) = clock(&rest[..tlen])?;
    Some((mon, day, h, m, sec, rest.get(tlen + 1..).unwrap_or("")))
}

#[cfg(test)]
mod tests {
    use super::*;

    // 2026-12-07T12:00:00Z
    const DEC7: i64 = 1_796_644_800;

    #[test]
    fn rfc3164_takes_the_reference_year() {
        let mut y = YearGuess::new(DEC7);
        let f = frame("Dec  7 11:00:01 gw kernel: hello there", &mut y).unwrap();
        assert_eq!(f.time, Some(DEC7 - 3599));
        assert_eq!(f.host, Some("gw"));
        assert_eq!(f.tag, Some("kernel"));
        assert_eq!(f.msg, "hello there");
        let f = frame("Dec  7 11:00:01 gw filterlog[123]: a,b", &mut y).unwrap();
        assert_eq!((f.tag, f.msg), (Some("filterlog"), "a,b"));
        let f = frame("Dec  7 11:00:01 filterlog[123]: a,b", &mut y).unwrap();
        assert_eq!((f.host, f.tag, f.msg), (None, Some("filterlog"), "a,b"));
    }

    #[test]
    fn december_is_never_in_the_future() {
        // The file was written on 2027-01-02: December is 2026's.
        let jan2 = civil(2027, 1, 2, 0, 0, 0).unwrap();
        let mut y = YearGuess::new(jan2);
        let dec = frame("Dec 31 23:00:00 gw k: x", &mut y).unwrap();
        assert_eq!(dec.time, civil(2026, 12, 31, 23, 0, 0));
        let jan = frame("Jan  1 00:10:00 gw k: x", &mut y).unwrap();
        assert_eq!(jan.time, civil(2027, 1, 1, 0, 10, 0));
    }

    #[test]
    fn rfc5424_strips_structured_data() {
        let mut y = YearGuess::new(0);
        let f = frame(
            r#"<134>1 2022-09-06T18:37:34+02:00 fw filterlog 69805 - [meta x="a\]b"] 10,,,1"#,
            &mut y,
        )
        .unwrap();
        assert_eq!(f.time, crate::time::parse_rfc3339("2022-09-06T16:37:34Z"));
        assert_eq!(
            (f.host, f.tag, f.msg),
            (Some("fw"), Some("filterlog"), "10,,,1")
        );
        let f = frame("<13>1 - - - - - - msg", &mut y).unwrap();
        assert_eq!((f.time, f.host, f.msg), (None, None, "msg"));
        assert_eq!(
            frame("<13>1 yesterday h a - - - m", &mut y),
            Err(FrameError::BadTime)
        );
    }

    #[test]
    fn no_header_is_the_whole_line() {
        let mut y = YearGuess::new(0);
        let f = frame("IN=eth0 OUT=", &mut y).unwrap();
        assert_eq!((f.time, f.msg), (None, "IN=eth0 OUT="));
        assert_eq!(
            frame("Feb 30 10:00:00 h k: x", &mut y),
            Err(FrameError::BadTime)
        );
    }
}
