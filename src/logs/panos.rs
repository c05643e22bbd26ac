//! Palo Alto PAN-OS TRAFFIC and THREAT logs: CSV (quoted fields may hold
//! commas) after an optional syslog header (RFC 3164, RFC 5424, or a bare
//! RFC 3339 stamp and host). The documented field order: future use,
//! receive time, serial, type, subtype, config version, generated time,
//! source, destination, NAT source, NAT destination, rule, source user,
//! destination user, application, virtual system, source zone, destination
//! zone, inbound interface, outbound interface, log action, time logged,
//! session id, repeat count, source port, destination port, NAT source
//! port, NAT destination port, flags, protocol, action; THREAT then has the
//! URL/file name, the threat id (`Name(12345)`), category, severity and
//! direction.
//!
//! The time is the generated time (`2026/12/07 12:00:01`, the firewall's
//! local time): converted with the high-resolution timestamp's offset
//! (PAN-OS 10+, an RFC 3339 field further on) when the line has one, else
//! with the offset between an RFC 3339 syslog header and the receive time
//! (rounded to 15 minutes), else in the context's zone. Other log types
//! (SYSTEM, CONFIG…) are unsupported.

use super::fields::{action_word, has_ports, mapped, opt_addr, split};
use super::stamp::{offset, utc, ymd_hms, Civil};
use super::{addr, port, some_text, Context, Event, Skip};

/// Field positions.
const RECEIVE: usize = 1;
const TYPE: usize = 3;
const GENERATED: usize = 6;
const SRC: usize = 7;
const DST: usize = 8;
const NAT_SRC: usize = 9;
const NAT_DST: usize = 10;
const RULE: usize = 11;
const IFACE_IN: usize = 18;
const IFACE_OUT: usize = 19;
const SPORT: usize = 24;
const DPORT: usize = 25;
const NAT_SPORT: usize = 26;
const NAT_DPORT: usize = 27;
const PROTO: usize = 29;
const ACTION: usize = 30;
const THREAT: usize = 32;

/// `YYYY/MM/DD hh:mm:ss`.
fn slash_time(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 19
        && b[4] == b'/'
        && b[7] == b'/'
        && b[10] == b' '
        && b[13] == b':'
        && b[16] == b':'
        && [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]
            .iter()
            .all(|i| b[*i].is_ascii_digit())
}

/// Where the CSV starts: the field before `,RECEIVE TIME,SERIAL,TYPE,`
/// (the first, after a space or `>`, or the line's start).
fn csv_start(line: &str) -> Option<usize> {
    let b = line.as_bytes();
    let mut from = 0;
    while let Some(k) = line[from..].find(',') {
        let at = from + k;
        from = at + 1;
        let rest = &line[at + 1..];
        if !(slash_time(rest) && rest.as_bytes().get(19) == Some(&b',')) {
            continue;
        }
        let mut tail = rest[20..].splitn(3, ',');
        let serial = tail.next().unwrap_or("");
        let kind = tail.next().unwrap_or("");
        let ok_kind = !kind.is_empty()
            && kind
                .bytes()
                .all(|c| c.is_ascii_uppercase() || c == b'-' || c == b'_');
        if !ok_kind || serial.contains(' ') || tail.next().is_none() {
            continue;
        }
        let start = b[..at]
            .iter()
            .rposition(|c| *c == b' ' || *c == b'>')
            .map_or(0, |p| p + 1);
        return Some(start);
    }
    None
}

pub(super) fn looks_like(line: &str) -> bool {
    csv_start(line).is_some()
}

pub(super) fn parse(line: &str, cx: &mut Context) -> Result<Option<Event>, Skip> {
    let start = csv_start(line).ok_or(Skip::Foreign)?;
    let f = split(&line[start..], b',');
    let get = |i: usize| f.get(i).map(|c| c.as_ref()).ok_or(Skip::Malformed);
    match get(TYPE)? {
        "TRAFFIC" | "THREAT" => {}
        _ => return Err(Skip::Unsupported),
    }
    let threat = get(TYPE)? == "THREAT";
    let mut ev = Event::empty();
    ev.time = Some(time(&line[..start], &f, cx)?);
    ev.src = Some(addr(get(SRC)?).ok_or(Skip::Malformed)?);
    ev.dst = Some(addr(get(DST)?).ok_or(Skip::Malformed)?);
    let proto = get(PROTO)?.to_ascii_lowercase();
    let ports = has_ports(Some(&proto));
    let num = |i: usize| -> Result<u16, Skip> { port(get(i)?).ok_or(Skip::Malformed) };
    let (sport, dport, nsport, ndport) =
        (num(SPORT)?, num(DPORT)?, num(NAT_SPORT)?, num(NAT_DPORT)?);
    if ports {
        (ev.src_port, ev.dst_port) = (Some(sport), Some(dport));
    }
    let nat = |a: &str, p: u16| -> Result<_, Skip> { Ok(mapped(opt_addr(a)?, ports.then_some(p))) };
    ev.src_mapped = nat(get(NAT_SRC)?, nsport)?;
    ev.dst_mapped = nat(get(NAT_DST)?, ndport)?;
    ev.protocol = (!proto.is_empty()).then_some(proto);
    let act = get(ACTION)?;
    ev.action = (!act.is_empty()).then(|| action_word(act));
    let text = |i: usize| get(i).ok().and_then(some_text);
    ev.rule = text(RULE);
    ev.iface_in = text(IFACE_IN);
    ev.iface_out = text(IFACE_OUT);
    if threat {
        ev.signature = text(THREAT);
    }
    Ok(Some(ev))
}

/// The event's time (see the module's comment).
fn time(header: &str, f: &[std::borrow::Cow<str>], cx: &mut Context) -> Result<i64, Skip> {
    let civil = |i: usize| -> Option<Civil> {
        let s = f.get(i)?;
        slash_time(s).then_some(())?;
        let (t, rest) = ymd_hms(s)?;
        rest.is_empty().then_some(t)
    };
    let (y, mo, d, h, mi, s) = civil(GENERATED).ok_or(Skip::BadTime)?;
    let generated = utc((y, mo, d, h, mi, s)).ok_or(Skip::BadTime)?;
    // PAN-OS 10+: the high-resolution timestamp (RFC 3339 with offset).
    // Its offset applies to the generated time (the same clock).
    if let Some((_, off)) = f.iter().skip(ACTION + 1).find_map(|v| rfc3339(v)) {
        return Ok(generated - off);
    }
    if let Some(stamp) = header_stamp(header)? {
        let receive = civil(RECEIVE).and_then(utc);
        if let Some(receive) = receive {
            let off = ((receive - stamp) as f64 / 900.0).round() as i64 * 900;
            if off.abs() <= 14 * 3600 {
                return Ok(generated - off);
            }
        }
    }
    cx.year.local(y, mo, d, h, mi, s).ok_or(Skip::BadTime)
}

/// An RFC 3339 time with its offset: (Unix seconds, seconds east of UTC).
fn rfc3339(v: &str) -> Option<(i64, i64)> {
    let (c, rest) = ymd_hms(v)?;
    let b = v.as_bytes();
    if b[4] != b'-' || b[10] != b'T' || rest.is_empty() {
        return None;
    }
    let off = offset(rest)?;
    Some((utc(c)? - off, off))
}

/// The time of an RFC 5424 header or a bare RFC 3339 stamp
/// (`[<PRI>[1 ]]2026-12-07T12:00:01+01:00 host`); `None` for other headers
/// (RFC 3164 has no zone); an RFC 3339-looking stamp that is not one is a
/// bad time.
fn header_stamp(header: &str) -> Result<Option<i64>, Skip> {
    let h = header.trim_start();
    let h = match h.strip_prefix('<').and_then(|r| r.split_once('>')) {
        Some((pri, r)) if !pri.is_empty() && pri.bytes().all(|b| b.is_ascii_digit()) => r,
        _ => h,
    };
    let h = h.strip_prefix("1 ").unwrap_or(h);
    let word = h.split(' ').next().unwrap_or("");
    let b = word.as_bytes();
    if b.len() >= 11 && b[4] == b'-' && b[10] == b'T' {
        return rfc3339(word).map(|(t, _)| Some(t)).ok_or(Skip::BadTime);
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRAFFIC: &str = "1,2026/12/07 12:00:02,012801000001,TRAFFIC,drop,2561,2026/12/07 12:00:01,203.0.113.5,192.0.2.10,0.0.0.0,0.0.0.0,deny-all,,,not-applicable,vsys1,untrust,trust,ethernet1/1,,default,2026/12/07 12:00:01,0,1,51515,3389,0,0,0x0,tcp,deny,60,60,0,1,2026/12/07 12:00:01,0,any,,7300000000000000001,0x0,Netherlands,10.0.0.0-10.255.255.255,,1,0,policy-deny";

    #[test]
    fn finds_the_csv_behind_any_header() {
        assert_eq!(csv_start(TRAFFIC), Some(0));
        let l = format!("Dec  7 12:00:02 fw01 {TRAFFIC}");
        assert_eq!(csv_start(&l), Some(21));
        let l = format!("<14>{TRAFFIC}");
        assert_eq!(csv_start(&l), Some(4));
        assert_eq!(csv_start("1,2026/12/07 12:00:02,x"), None);
        assert_eq!(csv_start("a,b,c"), None);
    }

    #[test]
    fn zone_from_the_header_or_the_context() {
        let mut cx = Context::new(1_796_644_800);
        let ev = parse(TRAFFIC, &mut cx).unwrap().unwrap();
        assert_eq!(ev.time, Some(1_796_644_801));
        assert_eq!(ev.action, Some(super::super::Action::Drop));
        let l = format!(
            "2026-12-07T13:00:05+01:00 fw01 {}",
            TRAFFIC
                .replace("12:00:02", "13:00:02")
                .replace("12:00:01", "13:00:01")
        );
        let ev = parse(&l, &mut cx).unwrap().unwrap();
        assert_eq!(ev.time, Some(1_796_644_801));
        let l = format!("2026-12-07T99:00:05+01:00 fw01 {TRAFFIC}");
        assert_eq!(parse(&l, &mut cx), Err(Skip::BadTime));
        assert_eq!(
            parse(
                &TRAFFIC.replace("2026/12/07 12:00:01,203", "2026/13/07 12:00:01,203"),
                &mut cx
            ),
            Err(Skip::BadTime)
        );
        assert_eq!(
            parse(&TRAFFIC.replace(",TRAFFIC,", ",SYSTEM,"), &mut cx),
            Err(Skip::Unsupported)
        );
        assert_eq!(
            parse(&TRAFFIC.replace(",51515,", ",515151,"), &mut cx),
            Err(Skip::Malformed)
        );
        assert_eq!(parse(&TRAFFIC[..120], &mut cx), Err(Skip::Malformed));
    }
}
