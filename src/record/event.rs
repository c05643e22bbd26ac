//! The sensor events record: one report of a sensor about a source address.
//!
//! ```text
//! time,source,sensor,port,proto,count
//! 2026-11-27T14:00:00Z,203.0.113.7,honeypot-3,22,tcp,4
//! ```
//!
//! `time` is RFC 3339 (UTC `Z` is the fast path; any offset is read),
//! `source` one IPv4 or IPv6 address (IPv4-mapped IPv6 reads as IPv4),
//! `sensor` a name of letters, digits, `.`, `_`, `-`, `:` and `@` (at most 64),
//! `port` 0..65535, `proto` `tcp`, `udp`, `icmp` or a number 0..255, `count`
//! a positive integer up to [`MAX_COUNT`].
//!
//! The parser works on a line's bytes without allocating, because sensor
//! logs are the largest input of the toolkit.

use crate::error::LineError;
use crate::net::{parse_entry, parse_v4_strict, write_v4, write_v6, Entry};
use crate::time::TimeCache;
use std::borrow::Cow;
use std::io::{self, Read, Write};

/// The header row of the events CSV.
pub const EVENT_HEADER: &str = "time,source,sensor,port,proto,count";

/// A report count above this is refused as absurd (a misread field or a
/// sensor gone wrong), not summed.
pub const MAX_COUNT: u64 = 1_000_000;

/// A source address.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Address {
    V4(u32),
    V6(u128),
}

impl Address {
    pub fn write_to(self, out: &mut Vec<u8>) {
        match self {
            Address::V4(a) => write_v4(out, a),
            Address::V6(a) => write_v6(out, a),
        }
    }
}

/// One parsed events row, borrowing the sensor name from the line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EventRef<'a> {
    /// Unix seconds.
    pub time: i64,
    pub source: Address,
    pub sensor: &'a [u8],
    pub port: u16,
    /// IP protocol number (tcp 6, udp 17, icmp 1).
    pub proto: u8,
    pub count: u64,
}

/// One events row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    pub time: i64,
    pub source: Address,
    pub sensor: String,
    pub port: u16,
    pub proto: u8,
    pub count: u64,
}

impl EventRef<'_> {
    pub fn to_owned(&self) -> Event {
        Event {
            time: self.time,
            source: self.source,
            // The parser only accepts ASCII names.
            sensor: String::from_utf8_lossy(self.sensor).into_owned(),
            port: self.port,
            proto: self.proto,
            count: self.count,
        }
    }
}

impl Event {
    /// Appends the row (with a trailing newline) to `out`.
    pub fn write_row(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(crate::time::format(self.time).as_bytes());
        out.push(b',');
        self.source.write_to(out);
        out.push(b',');
        out.extend_from_slice(self.sensor.as_bytes());
        out.push(b',');
        out.extend_from_slice(self.port.to_string().as_bytes());
        out.push(b',');
        out.extend_from_slice(proto_name(self.proto).as_bytes());
        out.push(b',');
        out.extend_from_slice(self.count.to_string().as_bytes());
        out.push(b'\n');
    }
}

/// Writes the header row.
pub fn write_event_header(out: &mut impl Write) -> io::Result<()> {
    out.write_all(EVENT_HEADER.as_bytes())?;
    out.write_all(b"\n")
}

/// `tcp`, `udp`, `icmp`, or the number.
pub fn proto_name(p: u8) -> Cow<'static, str> {
    match p {
        6 => "tcp".into(),
        17 => "udp".into(),
        1 => "icmp".into(),
        n => n.to_string().into(),
    }
}

/// Why an events row was refused.
pub mod bad_event {
    pub const FIELDS: &str = "wrong number of fields (expected 6)";
    pub const TIME: &str = "bad time";
    pub const SOURCE: &str = "source is not an IP address";
    pub const NOT_SINGLE: &str = "source is not a single address";
    pub const SENSOR: &str = "bad sensor name";
    pub const PORT: &str = "bad port";
    pub const PROTO: &str = "bad protocol";
    pub const COUNT: &str = "count is not a positive integer";
    pub const NEGATIVE: &str = "negative count";
    pub const ABSURD: &str = "count too large (over 1000000)";
    pub const QUOTES: &str = "unbalanced quotes";
}

/// Whether `s` is a sensor name: 1..64 of letters, digits, `.`, `_`, `-`,
/// `:`, `@` (so host names and addresses work), not starting with `.`.
pub fn is_sensor_name(s: &[u8]) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s[0] != b'.'
        && s.iter()
            .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-' | b':' | b'@'))
}

#[inline]
fn parse_uint(s: &[u8]) -> Option<u64> {
    if s.is_empty() || s.len() > 19 {
        return None;
    }
    let mut v = 0u64;
    for &c in s {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        v = v * 10 + d as u64;
    }
    Some(v)
}

fn parse_source(s: &[u8]) -> Result<Address, &'static str> {
    if let Ok(a) = parse_v4_strict(s) {
        return Ok(Address::V4(a));
    }
    match parse_entry(s) {
        Ok(Entry::V4(r)) if r.start == r.end && !s.contains(&b'/') => Ok(Address::V4(r.start)),
        Ok(Entry::V6(r)) if r.start == r.end && !s.contains(&b'/') => Ok(Address::V6(r.start)),
        Ok(_) => Err(bad_event::NOT_SINGLE),
        Err(_) => Err(bad_event::SOURCE),
    }
}

fn parse_proto(s: &[u8]) -> Option<u8> {
    match s {
        b"tcp" => Some(6),
        b"udp" => Some(17),
        b"icmp" => Some(1),
        _ => parse_uint(s).filter(|&n| n <= 255).map(|n| n as u8),
    }
}

/// Splits a line with quoted fields (the slow path; the fast path never
/// sees a quote).
///
/// Kept rather than the `csv` crate because an events row with unbalanced
/// quotes must be refused as such ([`bad_event::QUOTES`]): `csv` is
/// lenient, reading `a"b` as it stands, `"a"b` as `ab`, and an unclosed
/// quote to the end of the input, so the row would be misread or refused
/// for the wrong reason. It also works on a line already cut out of a
/// block, without a reader and a record per line.
fn split_quoted(line: &[u8]) -> Result<Vec<Cow<'_, [u8]>>, &'static str> {
    let mut fields = Vec::new();
    let mut i = 0;
    loop {
        if line.get(i) == Some(&b'"') {
            let mut v = Vec::new();
            i += 1;
            loop {
                match line.get(i) {
                    None => return Err(bad_event::QUOTES),
                    Some(b'"') if line.get(i + 1) == Some(&b'"') => {
                        v.push(b'"');
                        i += 2;
                    }
                    Some(b'"') => {
                        i += 1;
                        break;
                    }
                    Some(&c) => {
                        v.push(c);
                        i += 1;
                    }
                }
            }
            fields.push(Cow::Owned(v));
            match line.get(i) {
                None => return Ok(fields),
                Some(b',') => i += 1,
                Some(_) => return Err(bad_event::QUOTES),
            }
        } else {
            let end = memchr::memchr(b',', &line[i..]).map_or(line.len(), |j| i + j);
            if line[i..end].contains(&b'"') {
                return Err(bad_event::QUOTES);
            }
            fields.push(Cow::Borrowed(&line[i..end]));
            if end == line.len() {
                return Ok(fields);
            }
            i = end + 1;
        }
    }
}

/// Parses one data line (without its `\n`; a trailing `\r` is ignored).
///
/// A row whose fields are quoted is read too, but its sensor name must then
/// be copied: that is what `owned` is for (it is only touched then).
#[inline]
pub fn parse_event<'a>(
    line: &'a [u8],
    cache: &mut TimeCache,
    owned: &'a mut Vec<u8>,
) -> Result<EventRef<'a>, &'static str> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    if memchr::memchr(b'"', line).is_some() {
        let fields = split_quoted(line)?;
        if fields.len() != 6 {
            return Err(bad_event::FIELDS);
        }
        owned.clear();
        owned.extend_from_slice(&fields[2]);
        let f: [&[u8]; 6] = std::array::from_fn(|i| if i == 2 { &[][..] } else { &fields[i][..] });
        let e = parse_fields(f, cache)?;
        let sensor: &'a Vec<u8> = owned;
        if !is_sensor_name(sensor) {
            return Err(bad_event::SENSOR);
        }
        return Ok(EventRef { sensor, ..e });
    }
    let mut f: [&[u8]; 6] = [&[]; 6];
    let mut rest = line;
    for (i, slot) in f.iter_mut().enumerate() {
        if i == 5 {
            if memchr::memchr(b',', rest).is_some() {
                return Err(bad_event::FIELDS);
            }
            *slot = rest;
        } else {
            let j = memchr::memchr(b',', rest).ok_or(bad_event::FIELDS)?;
            *slot = &rest[..j];
            rest = &rest[j + 1..];
        }
    }
    let e = parse_fields(f, cache)?;
    if !is_sensor_name(f[2]) {
        return Err(bad_event::SENSOR);
    }
    Ok(EventRef { sensor: f[2], ..e })
}

/// Every field but the sensor name, which the caller checks and sets.
#[inline]
fn parse_fields(f: [&[u8]; 6], cache: &mut TimeCache) -> Result<EventRef<'static>, &'static str> {
    let time = cache.parse(f[0]).ok_or(bad_event::TIME)?;
    let source = parse_source(f[1])?;
    let port = parse_uint(f[3])
        .filter(|&p| p <= 65_535)
        .ok_or(bad_event::PORT)? as u16;
    let proto = parse_proto(f[4]).ok_or(bad_event::PROTO)?;
    let count = match parse_uint(f[5]) {
        Some(0) => return Err(bad_event::COUNT),
        Some(n) if n > MAX_COUNT => return Err(bad_event::ABSURD),
        Some(n) => n,
        None if f[5].first() == Some(&b'-') => return Err(bad_event::NEGATIVE),
        None if f[5].len() > 19 && f[5].iter().all(u8::is_ascii_digit) => {
            return Err(bad_event::ABSURD)
        }
        None => return Err(bad_event::COUNT),
    };
    Ok(EventRef {
        time,
        source,
        sensor: &[],
        port,
        proto,
        count,
    })
}

/// Checks a header line (a UTF-8 byte-order mark and a trailing `\r` are
/// ignored).
pub fn check_event_header(line: &[u8]) -> Result<(), LineError> {
    let line = line.strip_prefix(b"\xef\xbb\xbf").unwrap_or(line);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    if line == EVENT_HEADER.as_bytes() {
        Ok(())
    } else {
        Err(LineError::new(
            1,
            format!("not an events header (expected '{EVENT_HEADER}')"),
            line,
        ))
    }
}

/// Reads an events CSV row by row (the simple reader; `tl-score` parses
/// large files in parallel blocks with [`parse_event`]).
pub struct EventReader<R: Read> {
    lines: crate::files::input::Lines<R>,
    cache: TimeCache,
    owned: Vec<u8>,
}

impl<R: Read> EventReader<R> {
    /// Reads and checks the header row.
    pub fn new(input: R) -> Result<Self, LineError> {
        let mut lines = crate::files::input::Lines::new(input);
        let err = |reason: String| LineError::new(1, reason, Vec::new());
        match lines.next_line().map_err(|e| err(e.to_string()))? {
            Some((_, Ok(h))) => check_event_header(h)?,
            _ => return Err(err("no header row".into())),
        }
        Ok(EventReader {
            lines,
            cache: TimeCache::default(),
            owned: Vec::new(),
        })
    }
}

impl<R: Read> Iterator for EventReader<R> {
    type Item = Result<Event, LineError>;
    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let (line, text) = match self.lines.next_line() {
                Err(e) => return Some(Err(LineError::new(0, e.to_string(), Vec::new()))),
                Ok(None) => return None,
                Ok(Some((n, Err(head)))) => {
                    return Some(Err(LineError::new(n, "line too long", head)))
                }
                Ok(Some((n, Ok(t)))) => (n, t),
            };
            if text.is_empty() || text == b"\r" {
                continue;
            }
            return Some(
                parse_event(text, &mut self.cache, &mut self.owned)
                    .map(|e| e.to_owned())
                    .map_err(|r| LineError::new(line, r, text)),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn parse(line: &str) -> Result<Event, &'static str> {
        let mut owned = Vec::new();
        parse_event(line.as_bytes(), &mut TimeCache::default(), &mut owned).map(|e| e.to_owned())
    }

    #[test]
    fn rows() {
        let e = parse("2026-11-27T14:00:00Z,203.0.113.7,hp-3,22,tcp,4").unwrap();
        assert_eq!(e.time, 1_795_788_000);
        assert_eq!(e.source, Address::V4(0xcb00_7107));
        assert_eq!(
            (e.sensor.as_str(), e.port, e.proto, e.count),
            ("hp-3", 22, 6, 4)
        );
        let mut out = Vec::new();
        e.write_row(&mut out);
        assert_eq!(out, b"2026-11-27T14:00:00Z,203.0.113.7,hp-3,22,tcp,4\n");
        let q = parse("\"2026-11-27T15:00:00+01:00\",::ffff:1.2.3.4,\"a@b\",0,47,1\r").unwrap();
        assert_eq!(
            (q.time, q.source, q.sensor.as_str()),
            (1_795_788_000, Address::V4(0x0102_0304), "a@b")
        );
        assert_eq!(
            parse("2026-11-27T14:00:00Z,2001:db8::1,s,1,udp,1")
                .unwrap()
                .source,
            Address::V6(0x2001_0db8 << 96 | 1)
        );
    }

    #[test]
    fn refusals() {
        let bad = [
            ("2026-11-27T14:00:00Z,1.2.3.4,s,22,tcp", bad_event::FIELDS),
            (
                "2026-11-27T14:00:00Z,1.2.3.4,s,22,tcp,1,x",
                bad_event::FIELDS,
            ),
            ("2026-02-30T14:00:00Z,1.2.3.4,s,22,tcp,1", bad_event::TIME),
            ("yesterday,1.2.3.4,s,22,tcp,1", bad_event::TIME),
            (
                "2026-11-27T14:00:00Z,1.2.3.0/24,s,22,tcp,1",
                bad_event::NOT_SINGLE,
            ),
            (
                "2026-11-27T14:00:00Z,010.2.3.4,s,22,tcp,1",
                bad_event::SOURCE,
            ),
            (
                "2026-11-27T14:00:00Z,1.2.3.4,s s,22,tcp,1",
                bad_event::SENSOR,
            ),
            ("2026-11-27T14:00:00Z,1.2.3.4,,22,tcp,1", bad_event::SENSOR),
            (
                "2026-11-27T14:00:00Z,1.2.3.4,s,65536,tcp,1",
                bad_event::PORT,
            ),
            ("2026-11-27T14:00:00Z,1.2.3.4,s,22,sctp,1", bad_event::PROTO),
            ("2026-11-27T14:00:00Z,1.2.3.4,s,22,tcp,0", bad_event::COUNT),
            (
                "2026-11-27T14:00:00Z,1.2.3.4,s,22,tcp,-3",
                bad_event::NEGATIVE,
            ),
            (
                "2026-11-27T14:00:00Z,1.2.3.4,s,22,tcp,1000001",
                bad_event::ABSURD,
            ),
            (
                "2026-11-27T14:00:00Z,1.2.3.4,s,22,tcp,99999999999999999999999",
                bad_event::ABSURD,
            ),
            (
                "2026-11-27T14:00:00Z,1.2.3.4,\"s,22,tcp,1",
                bad_event::QUOTES,
            ),
        ];
        for (line, why) in bad {
            assert_eq!(parse(line).err(), Some(why), "{line}");
        }
    }

    #[test]
    fn reader() {
        let data = format!("{EVENT_HEADER}\r\n2026-11-27T14:00:00Z,1.2.3.4,s,22,tcp,1\n\nbad\n");
        let rows: Vec<_> = EventReader::new(data.as_bytes()).unwrap().collect();
        assert_eq!(rows.len(), 2);
        assert!(rows[0].is_ok());
        assert_eq!(rows[1].as_ref().unwrap_err().line, 4);
        assert!(EventReader::new(&b"time,source\n"[..]).is_err());
    }

    proptest! {
        #[test]
        fn bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..120)) {
            let mut owned = Vec::new();
            let _ = parse_event(&bytes, &mut TimeCache::default(), &mut owned);
            let mut data = EVENT_HEADER.as_bytes().to_vec();
            data.push(b'\n');
            data.extend_from_slice(&bytes);
            if let Ok(r) = EventReader::new(&data[..]) {
                for _ in r {}
            }
        }

        #[test]
        fn round_trip(t in 0i64..4_000_000_000, a: u32, port: u16, proto: u8, count in 1u64..=MAX_COUNT) {
            let e = Event { time: t, source: Address::V4(a), sensor: "s-1".into(), port, proto, count };
            let mut out = Vec::new();
            e.write_row(&mut out);
            out.pop();
            prop_assert_eq!(parse(std::str::from_utf8(&out).unwrap()), Ok(e));
        }
    }
}
