//! ArcSight Common Event Format: `[syslog header] CEF:Version|Device
//! Vendor|Device Product|Device Version|Signature ID|Name|Severity|
//! extension`. `\|` and `\\` are escapes in the header; the extension is
//! `key=value` pairs whose values may hold spaces (a value runs to the
//! next ` key=`) and escape `\=`, `\\`, `\n`, `\r`.
//!
//! Read (short key or full name): `src`/`dst` (also `c6a2`/`c6a3`, the
//! IPv6 source and destination), `spt`/`dpt`, `proto` (name or number),
//! `act`, `deviceInboundInterface`/`deviceOutboundInterface`,
//! `deviceDirection` (0 inbound, 1 outbound), `sourceTranslatedAddress`/
//! `Port`, `destinationTranslatedAddress`/`Port`, `shost`/`dhost` (host
//! names, kept also when the address is given), a `csN` whose `csNLabel`
//! names a rule or policy as the rule. The event's Name is the signature.
//! Time: `rt`, else `start`, else `end` (milliseconds since the epoch or
//! `MMM dd [yyyy] HH:mm:ss[.SSS] [zone]`), else the syslog header's. A line
//! with no address and no host name is unsupported.

use super::fields::{action_word, has_ports, mapped, opt_addr, protocol};
use super::stamp::{clock, epoch, month, number, offset, utc};
use super::syslog::frame;
use super::{port, some_text, Context, Direction, Event, Skip};
use std::borrow::Cow;

fn mark(line: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = line[from..].find("CEF:") {
        let at = from + i;
        let rest = &line.as_bytes()[at + 4..];
        if rest.first().is_some_and(u8::is_ascii_digit) && rest.get(1) == Some(&b'|') {
            return Some(at);
        }
        from = at + 4;
    }
    None
}

pub(super) fn looks_like(line: &str) -> bool {
    mark(line).is_some()
}

/// The seven header fields (unescaped) and the extension.
fn header(body: &str) -> Option<([Cow<'_, str>; 7], &str)> {
    let b = body.as_bytes();
    let mut cuts = [0usize; 7];
    let (mut n, mut i) = (0, 0);
    while i < b.len() && n < 7 {
        match b[i] {
            b'\\' => i += 1,
            b'|' => {
                cuts[n] = i;
                n += 1;
            }
            _ => {}
        }
        i += 1;
    }
    if n < 7 {
        return None;
    }
    let mut start = 0;
    let fields = cuts.map(|end| {
        let f = unescape(&body[start..end], b"|\\");
        start = end + 1;
        f
    });
    Some((fields, &body[start..]))
}

/// Removes the backslash before the `allowed` bytes (and turns `\n`, `\r`
/// into line ends when `allowed` has `n`).
fn unescape<'a>(s: &'a str, allowed: &[u8]) -> Cow<'a, str> {
    if !s.contains('\\') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') if allowed.contains(&b'n') => out.push('\n'),
            Some('r') if allowed.contains(&b'n') => out.push('\r'),
            Some(e) if e.is_ascii() && allowed.contains(&(e as u8)) => out.push(e),
            Some(e) => {
                out.push('\\');
                out.push(e);
            }
            None => out.push('\\'),
        }
    }
    Cow::Owned(out)
}

/// The extension's `key=value` pairs, values unescaped. A `=` that is not
/// escaped and follows a word of letters, digits and `_` after a space
/// starts a new key; any other `=` belongs to the value.
fn extension(ext: &str) -> Vec<(&str, Cow<'_, str>)> {
    let b = ext.as_bytes();
    // (key start, '=' position)
    let mut keys: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 1,
            b'=' => {
                let ks = b[..i].iter().rposition(|c| *c == b' ').map_or(0, |p| p + 1);
                let key = &b[ks..i];
                if !key.is_empty() && key.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_') {
                    keys.push((ks, i));
                }
            }
            _ => {}
        }
        i += 1;
    }
    let mut out = Vec::with_capacity(keys.len());
    for (n, (ks, eq)) in keys.iter().enumerate() {
        let end = keys.get(n + 1).map_or(b.len(), |(next, _)| *next);
        let value = ext[eq + 1..end].trim_end_matches([' ', '\r', '\n']);
        out.push((&ext[*ks..*eq], unescape(value, b"=\\n")));
    }
    out
}

pub(super) fn parse(line: &str, cx: &mut Context) -> Result<Option<Event>, Skip> {
    let at = mark(line).ok_or(Skip::Foreign)?;
    let (head, ext) = header(&line[at + 4..]).ok_or(Skip::Malformed)?;
    let mut ev = Event::empty();
    ev.signature = some_text(head[5].trim());
    let pairs = extension(ext);
    let mut labels: [Option<&str>; 6] = [None; 6];
    let mut custom: [Option<&str>; 6] = [None; 6];
    let (mut rt, mut start, mut end) = (None, None, None);
    let (mut v6src, mut v6dst) = (None, None);
    let (mut nat_src, mut nat_dst, mut nat_spt, mut nat_dpt) = (None, None, None, None);
    let num = |v: &str| -> Result<Option<u16>, Skip> {
        match v {
            "" => Ok(None),
            v => port(v).map(Some).ok_or(Skip::Malformed),
        }
    };
    for (k, v) in &pairs {
        let v = v.as_ref();
        match *k {
            "src" | "sourceAddress" => ev.src = opt_addr(v)?,
            "dst" | "destinationAddress" => ev.dst = opt_addr(v)?,
            "c6a2" | "deviceCustomIPv6Address2" => v6src = opt_addr(v)?,
            "c6a3" | "deviceCustomIPv6Address3" => v6dst = opt_addr(v)?,
            "spt" | "sourcePort" => ev.src_port = num(v)?,
            "dpt" | "destinationPort" => ev.dst_port = num(v)?,
            "proto" | "transportProtocol" => ev.protocol = protocol(v),
            "act" | "deviceAction" => ev.action = (!v.is_empty()).then(|| action_word(v)),
            "rt" | "receiptTime" => rt = Some(v),
            "start" | "startTime" => start = Some(v),
            "end" | "endTime" => end = Some(v),
            "deviceInboundInterface" => ev.iface_in = some_text(v),
            "deviceOutboundInterface" => ev.iface_out = some_text(v),
            "deviceDirection" => {
                ev.direction = match v {
                    "0" => Direction::In,
                    "1" => Direction::Out,
                    _ => Direction::Unknown,
                }
            }
            "sourceTranslatedAddress" => nat_src = opt_addr(v)?,
            "destinationTranslatedAddress" => nat_dst = opt_addr(v)?,
            "sourceTranslatedPort" => nat_spt = num(v)?,
            "destinationTranslatedPort" => nat_dpt = num(v)?,
            "shost" | "sourceHostName" => ev.src_name = some_text(v),
            "dhost" | "destinationHostName" => ev.dst_name = some_text(v),
            k => {
                if let Some(n) = custom_string(k, "Label") {
                    labels[n] = Some(v);
                } else if let Some(n) = custom_string(k, "") {
                    custom[n] = Some(v);
                }
            }
        }
    }
    ev.src = ev.src.or(v6src);
    ev.dst = ev.dst.or(v6dst);
    ev.src_mapped = mapped(nat_src, nat_spt);
    ev.dst_mapped = mapped(nat_dst, nat_dpt);
    if ev.src.is_none() && ev.dst.is_none() && ev.src_name.is_none() && ev.dst_name.is_none() {
        return Err(Skip::Unsupported);
    }
    ev.rule = (0..6)
        .find(|n| {
            labels[*n].is_some_and(|l| {
                let l = l.to_ascii_lowercase();
                l.contains("rule") || l.contains("policy")
            }) && custom[*n].is_some_and(|v| !v.is_empty())
        })
        .and_then(|n| some_text(custom[n].unwrap_or("")));
    if !has_ports(ev.protocol.as_deref()) {
        (ev.src_port, ev.dst_port) = (None, None);
    }
    ev.time = match rt.or(start).or(end) {
        Some(t) => Some(cef_time(t, cx).ok_or(Skip::BadTime)?),
        None => {
            frame(&line[..at], &mut cx.year)
                .map_err(|_| Skip::BadTime)?
                .time
        }
    };
    Ok(Some(ev))
}

/// `cs1`…`cs6` (with `suffix`, e.g. `cs3Label`): the index 0–5.
fn custom_string(key: &str, suffix: &str) -> Option<usize> {
    match key.strip_prefix("cs")?.strip_suffix(suffix)?.as_bytes() {
        [n @ b'1'..=b'6'] => Some(usize::from(n - b'1')),
        _ => None,
    }
}

/// Milliseconds since the epoch, or `MMM dd [yyyy] HH:mm:ss[.SSS] [zone]`
/// (a zone `UTC`, `GMT`, `Z` or an offset; without one, the context's zone
/// and, without a year, its year guess).
fn cef_time(v: &str, cx: &mut Context) -> Option<i64> {
    if v.bytes().all(|b| b.is_ascii_digit()) {
        return epoch(v);
    }
    let w: Vec<&str> = v.split_ascii_whitespace().collect();
    let mon = month(w.first()?)?;
    let day = w.get(1).filter(|d| d.len() <= 2)?.parse::<u8>().ok()?;
    let year = w.get(2).filter(|y| y.len() == 4).and_then(|y| number(y));
    let ci = if year.is_some() { 3 } else { 2 };
    let (h, mi, s) = clock(w.get(ci)?)?;
    let zone = match w.get(ci + 1) {
        Some(z) => Some(offset(z).or_else(|| named_offset(z, year, mon, day, h, mi, s))?),
        None => None,
    };
    if w.len() > ci + 2 {
        return None;
    }
    match (year, zone) {
        (Some(y), Some(off)) => Some(utc((y, mon, day, h, mi, s))? - off),
        (year, None) => cx.year.civil(year, mon, day, h, mi, s),
        (None, Some(off)) => {
            // The year from the guess, the zone from the line.
            let t = cx.year.resolve(mon, day, h, mi, s)?;
            let y = jiff::Timestamp::from_second(t)
                .ok()?
                .to_zoned(jiff::tz::TimeZone::UTC)
                .year();
            Some(utc((i64::from(y), mon, day, h, mi, s))? - off)
        }
    }
}

/// The offset of an IANA zone name (`Europe/Berlin`) at that civil time.
fn named_offset(z: &str, year: Option<i64>, mo: u8, d: u8, h: u8, mi: u8, s: u8) -> Option<i64> {
    let tz = jiff::tz::TimeZone::get(z).ok()?;
    let y = i16::try_from(year?).ok()?;
    let dt =
        jiff::civil::DateTime::new(y, mo as i8, d as i8, h as i8, mi as i8, s as i8, 0).ok()?;
    let zoned = dt.to_zoned(tz).ok()?;
    Some(i64::from(zoned.offset().seconds()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_escapes() {
        let (h, ext) = header(r"0|Ven\|dor|P|1.0|100|a \\ b|5|src=1.2.3.4").unwrap();
        assert_eq!(h[1], "Ven|dor");
        assert_eq!(h[5], r"a \ b");
        assert_eq!(ext, "src=1.2.3.4");
        assert!(header("0|a|b|c").is_none());
    }

    #[test]
    fn extension_values() {
        let got = extension(
            r"src=10.0.0.1 msg=a b\=c d\\e request=http://x/?q=1 cs1Label=Rule Name cs1=r1 x=line\nnext",
        );
        let got: Vec<(&str, &str)> = got.iter().map(|(k, v)| (*k, v.as_ref())).collect();
        assert_eq!(
            got,
            vec![
                ("src", "10.0.0.1"),
                ("msg", r"a b=c d\e"),
                ("request", "http://x/?q=1"),
                ("cs1Label", "Rule Name"),
                ("cs1", "r1"),
                ("x", "line\nnext"),
            ]
        );
        assert!(extension("").is_empty());
    }

    #[test]
    fn times() {
        let mut cx = Context::new(1_796_644_800);
        assert_eq!(cef_time("1796644801000", &mut cx), Some(1_796_644_801));
        assert_eq!(
            cef_time("Dec 07 2026 12:00:01", &mut cx),
            Some(1_796_644_801)
        );
        assert_eq!(
            cef_time("Dec 07 2026 13:00:01.250 +01:00", &mut cx),
            Some(1_796_644_801)
        );
        assert_eq!(
            cef_time("Dec 07 2026 12:00:01 UTC", &mut cx),
            Some(1_796_644_801)
        );
        assert_eq!(
            cef_time("Dec 07 2026 13:00:01 Europe/Berlin", &mut cx),
            Some(1_796_644_801)
        );
        assert_eq!(cef_time("Dec  7 12:00:01", &mut cx), Some(1_796_644_801));
        assert_eq!(cef_time("Dec 07 2026 12:00:01 XYZ", &mut cx), None);
        assert_eq!(cef_time("yesterday", &mut cx), None);
    }
}
