//! Syslog framing stripped down to the message: RFC 3164
//! (`Dec  7 12:00:01 host tag: msg`, no year and no zone: the year comes
//! from a [`YearGuess`], the time is taken as UTC) and RFC 5424
//! (`<PRI>1 2026-12-07T12:00:01Z host app procid msgid [sd] msg`), an
//! RFC 3339 stamp in front (`2026-12-07T12:00:01+0100 host tag: msg`, as
//! `journalctl -o short-iso` and rsyslog's file format write), Unix seconds
//! in front (`journalctl -o short-unix`), and the journal's JSON export
//! (`journalctl -o json`, one object per line). [`unread`] tells what a
//! message no parser reads is: a note of lost lines, or another program's.

use super::stamp::{clock, epoch, in_zone, iso_time, month};
use std::borrow::Cow;

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
                let start = in_zone(&self.zone, (y, mo, d, h, 0, 0))?;
                self.hour = Some((key, start));
                start
            }
        };
        Some(start + i64::from(mi) * 60 + i64::from(s))
    }

    /// A stamp with or without its year: [`local`](Self::local) with
    /// one, [`resolve`](Self::resolve) without.
    pub fn civil(&mut self, y: Option<i64>, mo: u8, d: u8, h: u8, mi: u8, s: u8) -> Option<i64> {
        match y {
            Some(y) => self.local(y, mo, d, h, mi, s),
            None => self.resolve(mo, d, h, mi, s),
        }
    }
}

fn year_of(secs: i64) -> Option<i64> {
    let t = jiff::Timestamp::from_second(secs).ok()?;
    Some(i64::from(t.to_zoned(jiff::tz::TimeZone::UTC).year()))
}

/// Unix seconds of a civil UTC time; `None` when it is no date.
#[cfg(test)]
pub(crate) fn civil(y: i64, mo: u8, d: u8, h: u8, mi: u8, s: u8) -> Option<i64> {
    super::stamp::utc((y, mo, d, h, mi, s))
}

/// A line without its syslog header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Framed<'a> {
    pub time: Option<i64>,
    pub host: Option<&'a str>,
    /// The program (`kernel`, `filterlog`), without `[pid]`.
    pub tag: Option<&'a str>,
    /// The message: borrowed from the line, owned only when the journal's
    /// JSON escaped it or gave it as bytes.
    pub msg: Cow<'a, str>,
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
    match rest.as_bytes().first() {
        Some(b'{') => {
            if let Some(f) = journal(rest) {
                return Ok(f);
            }
        }
        Some(b'0'..=b'9') => {
            if let Some(f) = numeric_stamp(rest, year)? {
                return Ok(f);
            }
        }
        _ => {}
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
        return Ok(host_tag_msg(Some(time), host, after));
    }
    Ok(Framed {
        time: None,
        host: None,
        tag: None,
        msg: Cow::Borrowed(line),
    })
}

/// The host already read, then `tag: msg` or the message alone.
fn host_tag_msg<'a>(time: Option<i64>, host: Option<&'a str>, after: &'a str) -> Framed<'a> {
    let (tag, msg) = split_tag(after);
    Framed {
        time,
        host: host.filter(|h| !h.is_empty()),
        tag,
        msg: Cow::Borrowed(msg),
    }
}

/// `2026-12-07T12:00:01[.frac](+0100|+01:00|Z) host tag: msg` or
/// `1796644801[.frac] host tag: msg`; `None` when the first word is
/// neither (the line is then read as unframed).
fn numeric_stamp<'a>(s: &'a str, year: &mut YearGuess) -> Result<Option<Framed<'a>>, FrameError> {
    let (Some(stamp), after) = word(s) else {
        return Ok(None);
    };
    let b = stamp.as_bytes();
    let time = if b.len() >= 19 && b[4] == b'-' && b[7] == b'-' && b[10] == b'T' {
        Some(iso_time(stamp, year).ok_or(FrameError::BadTime)?)
    } else {
        let (secs, frac) = stamp.split_once('.').unwrap_or((stamp, "0"));
        let digits = |x: &str| !x.is_empty() && x.bytes().all(|c| c.is_ascii_digit());
        if !(9..=11).contains(&secs.len()) || !digits(secs) || !digits(frac) {
            return Ok(None);
        }
        Some(epoch(stamp).ok_or(FrameError::BadTime)?)
    };
    let (host, after) = match word(after) {
        (Some(h), _) if h.ends_with(':') => (None, after),
        found => found,
    };
    Ok(Some(host_tag_msg(time, host, after)))
}

/// One entry of `journalctl -o json`: `__REALTIME_TIMESTAMP` (microseconds,
/// as a string), `MESSAGE` (a string, or an array of bytes when it is not
/// UTF-8), `SYSLOG_IDENTIFIER` and `_HOSTNAME`; `None` when the line is no
/// such object or has no message. A host or tag the JSON escaped is left
/// out.
pub fn journal(line: &str) -> Option<Framed<'_>> {
    #[derive(serde::Deserialize)]
    struct Entry<'a> {
        #[serde(rename = "__REALTIME_TIMESTAMP", borrow, default)]
        realtime: Option<JournalText<'a>>,
        #[serde(rename = "MESSAGE", borrow, default)]
        message: Option<JournalText<'a>>,
        #[serde(rename = "SYSLOG_IDENTIFIER", borrow, default)]
        ident: Option<JournalText<'a>>,
        #[serde(rename = "_HOSTNAME", borrow, default)]
        host: Option<JournalText<'a>>,
    }
    let e: Entry = serde_json::from_str(line).ok()?;
    let msg = e.message?.0;
    let time = e
        .realtime
        .and_then(|t| t.0.parse::<i64>().ok())
        .map(|us| us.div_euclid(1_000_000));
    Some(Framed {
        time,
        host: borrowed(e.host),
        tag: borrowed(e.ident),
        msg,
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
        msg: Cow::Borrowed(msg.strip_prefix('\u{feff}').unwrap_or(msg)),
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

/// The first space: a plain scan, as the words of a header are short.
fn space(s: &str) -> Option<usize> {
    s.bytes().position(|b| b == b' ')
}

/// The next space-separated word and what follows it.
fn word(s: &str) -> (Option<&str>, &str) {
    let s = s.trim_start_matches(' ');
    if s.is_empty() {
        return (None, s);
    }
    match space(s) {
        Some(i) => (Some(&s[..i]), &s[i + 1..]),
        None => (Some(s), ""),
    }
}

/// `tag[pid]: msg` → (`tag`, `msg`); no tag when the first word does not
/// end in `:`.
fn split_tag(s: &str) -> (Option<&str>, &str) {
    let s = s.trim_start_matches(' ');
    let end = space(s).unwrap_or(s.len());
    let first = &s[..end];
    if let Some(tag) = first.strip_suffix(':') {
        let tag = tag.split('[').next().unwrap_or(tag);
        let msg = s[end..].strip_prefix(' ').unwrap_or(&s[end..]);
        return (Some(tag), msg);
    }
    (None, s)
}

fn borrowed(c: Option<JournalText<'_>>) -> Option<&str> {
    match c.map(|t| t.0) {
        Some(Cow::Borrowed(s)) if !s.is_empty() => Some(s),
        _ => None,
    }
}

/// A journal field's text: a JSON string, or an array of bytes (read as
/// UTF-8, invalid bytes replaced), or of strings (a field given twice: the
/// first).
struct JournalText<'a>(Cow<'a, str>);

impl<'de: 'a, 'a> serde::Deserialize<'de> for JournalText<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for V<'a> {
            type Value = JournalText<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string or an array of bytes")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(JournalText(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(JournalText(Cow::Owned(v.to_string())))
            }
            fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
                Ok(JournalText(Cow::Owned(v)))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Self::Value, A::Error> {
                let mut bytes = Vec::new();
                let mut first: Option<Cow<'a, str>> = None;
                while let Some(item) = seq.next_element::<ByteOrText<'a>>()? {
                    match item {
                        ByteOrText::Byte(b) => bytes.push(b),
                        ByteOrText::Text(t) => {
                            first.get_or_insert(t);
                        }
                    }
                }
                Ok(JournalText(match first {
                    Some(t) => t,
                    None => Cow::Owned(String::from_utf8_lossy(&bytes).into_owned()),
                }))
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

enum ByteOrText<'a> {
    Byte(u8),
    Text(Cow<'a, str>),
}

impl<'de: 'a, 'a> serde::Deserialize<'de> for ByteOrText<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for V<'a> {
            type Value = ByteOrText<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a byte or a string")
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Self::Value, E> {
                u8::try_from(v)
                    .map(ByteOrText::Byte)
                    .map_err(|_| E::custom("not a byte"))
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(ByteOrText::Text(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(ByteOrText::Text(Cow::Owned(v.to_string())))
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

/// What a framed message that a parser cannot read is, for every
/// syslog-framed format: a note that lines were lost is
/// [`Skip::Suppressed`](super::Skip::Suppressed) and adds its count to
/// `lost` (journald's `Suppressed N messages from …`, `Missed N kernel
/// messages` and `Forwarding to syslog missed N messages`, the kernel's `…: N callbacks suppressed`,
/// rsyslog's `imuxsock lost N messages …` and `[last] message repeated N
/// times`); the journal's own marker lines (`-- Boot … --`, `-- No
/// entries --`) are [`Skip::Empty`](super::Skip::Empty); anything else is
/// another program's line, [`Skip::Foreign`](super::Skip::Foreign).
pub fn unread(framed: &Framed, lost: &mut u64) -> super::Skip {
    use super::Skip;
    let msg = framed.msg.trim();
    if msg.starts_with("-- ") && msg.ends_with(" --") && framed.time.is_none() {
        return Skip::Empty;
    }
    match suppressed(msg) {
        Some(n) => {
            *lost = lost.saturating_add(n);
            Skip::Suppressed
        }
        None => Skip::Foreign,
    }
}

/// The count of a note of lost lines.
fn suppressed(msg: &str) -> Option<u64> {
    let count = |s: &str| -> Option<u64> {
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok())?
    };
    // `Suppressed 1234 messages from /system.slice/x.service`
    if let Some(rest) = msg.strip_prefix("Suppressed ") {
        let (n, rest) = rest.split_once(' ')?;
        return rest.starts_with("messages").then(|| count(n))?;
    }
    // `Missed 45 kernel messages`
    if let Some(rest) = msg.strip_prefix("Missed ") {
        let (n, rest) = rest.split_once(' ')?;
        return rest.starts_with("kernel messages").then(|| count(n))?;
    }
    // `Forwarding to syslog missed 12 messages.`
    if let Some(rest) = msg.strip_prefix("Forwarding to syslog missed ") {
        let (n, rest) = rest.split_once(' ')?;
        return rest.starts_with("messages").then(|| count(n))?;
    }
    // `[123.456] net_ratelimit: 12 callbacks suppressed`
    if let Some(head) = msg.strip_suffix(" callbacks suppressed") {
        let n = head.rsplit(' ').next()?;
        return count(n);
    }
    // `imuxsock lost 1234 messages from pid 5 due to rate-limiting`
    if let Some(i) = msg.find("imuxsock lost ") {
        let (n, rest) = msg[i + 14..].split_once(' ')?;
        return rest.starts_with("messages").then(|| count(n))?;
    }
    // `last message repeated 5 times`, `message repeated 5 times: [ … ]`
    let rest = msg
        .strip_prefix("last message repeated ")
        .or_else(|| msg.strip_prefix("message repeated "))?;
    let (n, rest) = rest.split_once(' ')?;
    rest.starts_with("times").then(|| count(n))?
}

/// `Mmm dd hh:mm:ss ` at the start: month, day, time and the rest.
fn bsd_stamp(s: &str) -> Option<(u8, u8, u8, u8, u8, &str)> {
    let mon = month(s.get(..3)?)?;
    let rest = s.get(3..)?.strip_prefix(' ')?;
    let rest = rest.trim_start_matches(' ');
    let dlen = space(rest)?;
    let day: u8 = rest[..dlen]
        .parse()
        .ok()
        .filter(|_| dlen <= 2 && rest.as_bytes()[0].is_ascii_digit())?;
    let rest = &rest[dlen + 1..];
    let tlen = space(rest).unwrap_or(rest.len());
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
        assert_eq!((f.tag, &*f.msg), (Some("filterlog"), "a,b"));
        let f = frame("Dec  7 11:00:01 filterlog[123]: a,b", &mut y).unwrap();
        assert_eq!((f.host, f.tag, &*f.msg), (None, Some("filterlog"), "a,b"));
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
            (f.host, f.tag, &*f.msg),
            (Some("fw"), Some("filterlog"), "10,,,1")
        );
        let f = frame("<13>1 - - - - - - msg", &mut y).unwrap();
        assert_eq!((f.time, f.host, &*f.msg), (None, None, "msg"));
        assert_eq!(
            frame("<13>1 yesterday h a - - - m", &mut y),
            Err(FrameError::BadTime)
        );
    }

    #[test]
    fn no_header_is_the_whole_line() {
        let mut y = YearGuess::new(0);
        let f = frame("IN=eth0 OUT=", &mut y).unwrap();
        assert_eq!((f.time, &*f.msg), (None, "IN=eth0 OUT="));
        assert_eq!(
            frame("Feb 30 10:00:00 h k: x", &mut y),
            Err(FrameError::BadTime)
        );
    }

    #[test]
    fn journalctl_short_forms() {
        let mut y = YearGuess::new(DEC7);
        let f = frame("Dec 07 11:00:01 gw kernel: hi", &mut y).unwrap();
        assert_eq!(
            (f.time, f.host, f.tag, &*f.msg),
            (Some(DEC7 - 3599), Some("gw"), Some("kernel"), "hi")
        );
        let f = frame("2026-12-07T12:00:01+0100 gw kernel: hi", &mut y).unwrap();
        assert_eq!(
            (f.time, f.host, f.tag, &*f.msg),
            (Some(DEC7 - 3599), Some("gw"), Some("kernel"), "hi")
        );
        let f = frame("2026-12-07T11:00:01.123456+00:00 gw kernel: hi", &mut y).unwrap();
        assert_eq!(f.time, Some(DEC7 - 3599));
        let f = frame("2026-12-07T06:00:01-0500 gw kernel: hi", &mut y).unwrap();
        assert_eq!(f.time, Some(DEC7 - 3599));
        let f = frame("2026-12-07T11:00:01 gw kernel: hi", &mut y).unwrap();
        assert_eq!(f.time, Some(DEC7 - 3599));
        let f = frame("1796641201.500000 gw kernel: hi", &mut y).unwrap();
        assert_eq!(
            (f.time, f.host, &*f.msg),
            (Some(DEC7 - 3599), Some("gw"), "hi")
        );
        assert_eq!(
            frame("2026-13-07T11:00:01+0100 gw kernel: hi", &mut y),
            Err(FrameError::BadTime)
        );
        // A number that is no stamp: the whole line.
        let f = frame("42 is the answer", &mut y).unwrap();
        assert_eq!((f.time, &*f.msg), (None, "42 is the answer"));
    }

    #[test]
    fn journal_json_entries() {
        let mut y = YearGuess::new(0);
        let line = r#"{"__REALTIME_TIMESTAMP":"1796641201123456","_HOSTNAME":"gw","SYSLOG_IDENTIFIER":"kernel","MESSAGE":"a \"b\" c","PRIORITY":"4"}"#;
        let f = frame(line, &mut y).unwrap();
        assert_eq!(
            (f.time, f.host, f.tag, &*f.msg),
            (Some(DEC7 - 3599), Some("gw"), Some("kernel"), "a \"b\" c")
        );
        let line = r#"{"MESSAGE":[73,78,61,255],"SYSLOG_IDENTIFIER":["kernel","x"]}"#;
        let f = frame(line, &mut y).unwrap();
        assert_eq!(
            (f.time, f.tag, &*f.msg),
            (None, Some("kernel"), "IN=\u{fffd}")
        );
        // No message, or no object: the line as it is.
        let f = frame(r#"{"a":1}"#, &mut y).unwrap();
        assert_eq!(&*f.msg, r#"{"a":1}"#);
        let f = frame(r#"{"MESSAGE":"#, &mut y).unwrap();
        assert_eq!(f.time, None);
    }

    #[test]
    fn notes_of_lost_lines() {
        let mut y = YearGuess::new(DEC7);
        let mut lost = 0;
        let mut read = |line: &str, lost: &mut u64| unread(&frame(line, &mut y).unwrap(), lost);
        use super::super::Skip;
        let cases = [
            ("Dec 07 11:00:01 gw systemd-journald[312]: Suppressed 1234 messages from /system.slice/x.service", Skip::Suppressed, 1234),
            ("Dec 07 11:00:01 gw kernel: net_ratelimit: 12 callbacks suppressed", Skip::Suppressed, 1246),
            ("Dec 07 11:00:01 gw kernel: [ 812.1] nf_conntrack: 3 callbacks suppressed", Skip::Suppressed, 1249),
            ("Dec 07 11:00:01 gw systemd-journald[312]: Forwarding to syslog missed 1 messages.", Skip::Suppressed, 1250),
            ("Dec 07 11:00:01 gw rsyslogd: imuxsock lost 10 messages from pid 7 due to rate-limiting", Skip::Suppressed, 1260),
            ("Dec 07 11:00:01 gw kernel: message repeated 2 times: [ x]", Skip::Suppressed, 1262),
            ("Dec 07 11:00:01 gw last message repeated 3 times", Skip::Suppressed, 1265),
            ("-- Boot 0123456789abcdef --", Skip::Empty, 1265),
            ("Dec 07 11:00:01 gw systemd-journald[312]: Missed 5 kernel messages", Skip::Suppressed, 1270),
            ("-- No entries --", Skip::Empty, 1270),
            ("Dec 07 11:00:01 gw sshd[1]: Suppressed x messages", Skip::Foreign, 1270),
            ("Dec 07 11:00:01 gw kernel: many callbacks suppressed", Skip::Foreign, 1270),
        ];
        for (line, skip, total) in cases {
            assert_eq!(read(line, &mut lost), skip, "{line}");
            assert_eq!(lost, total, "{line}");
        }
    }
}
