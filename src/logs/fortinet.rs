//! Fortinet FortiGate `key=value` logs (values quoted when they may hold
//! spaces), with or without a syslog header before them. Read: traffic
//! logs and UTM logs (`type="utm"`, or the older `type="ips"`…) that name
//! `srcip` and `dstip`: ports, interfaces (`srcintf`, `dstintf`), protocol
//! number (`proto=6` → `tcp`), action, policy (`policyname`, else
//! `policyid`), NAT (`transip`/`transport` for the source, `tranip`/
//! `tranport` for the destination), `direction=incoming|outgoing`, the
//! IPS/anomaly `attack` or antivirus `virus` name as the signature, and
//! the DNS filter's `qname` and `ipaddr` answers. Time: `eventtime` (Unix
//! seconds, ms, µs or ns), else `date` and `time` with `tz` (`+0100`), else
//! in the context's zone. Event logs (`type="event"`) and lines without
//! addresses are unsupported.

use super::fields::{action_word, answers, direction_word, has_ports, mapped, protocol, qname};
use super::stamp::{clock, epoch, offset, utc, ymd};
use super::{addr, port, some_text, Context, Direction, Event, Mapped, Skip};

/// Keys a FortiGate log line starts with (after any syslog header).
const FIRST: [&str; 6] = [
    "date=",
    "logver=",
    "itime=",
    "eventtime=",
    "devname=",
    "timestamp=",
];

/// Where the key=value body starts.
fn body_start(line: &str) -> Option<usize> {
    FIRST
        .iter()
        .filter_map(|k| {
            let mut from = 0;
            while let Some(i) = line[from..].find(k) {
                let at = from + i;
                if at == 0 || matches!(line.as_bytes()[at - 1], b' ' | b'>' | b':') {
                    return Some(at);
                }
                from = at + 1;
            }
            None
        })
        .min()
}

pub(super) fn looks_like(line: &str) -> bool {
    body_start(line).is_some()
        && line.contains("logid=")
        && line.contains("type=")
        && line.contains("devid=")
        && !line.contains("CEF:")
}

/// The `key=value` pairs of a body: `(key, value)` with quotes removed
/// (a `\"` inside a quoted value does not end it). `None` when a word is
/// not `key=value`.
fn pairs(body: &str) -> impl Iterator<Item = Option<(&str, &str)>> {
    let mut rest = body;
    std::iter::from_fn(move || {
        rest = rest.trim_start_matches(' ');
        if rest.is_empty() {
            return None;
        }
        let Some(eq) = rest.find('=') else {
            rest = "";
            return Some(None);
        };
        let key = &rest[..eq];
        if key.is_empty() || key.contains(' ') {
            rest = "";
            return Some(None);
        }
        let after = &rest[eq + 1..];
        if let Some(q) = after.strip_prefix('"') {
            let b = q.as_bytes();
            let mut i = 0;
            while i < b.len() && b[i] != b'"' {
                i += if b[i] == b'\\' { 2 } else { 1 };
            }
            let i = i.min(b.len());
            let value = &q[..i];
            rest = q.get(i + 1..).unwrap_or("");
            Some(Some((key, value)))
        } else {
            let end = after.find(' ').unwrap_or(after.len());
            rest = &after[end..];
            Some(Some((key, &after[..end])))
        }
    })
}

#[derive(Default)]
struct Fields<'a> {
    kind: Option<&'a str>,
    date: Option<&'a str>,
    time: Option<&'a str>,
    tz: Option<&'a str>,
    eventtime: Option<&'a str>,
    srcip: Option<&'a str>,
    dstip: Option<&'a str>,
    srcport: Option<&'a str>,
    dstport: Option<&'a str>,
    srcintf: Option<&'a str>,
    dstintf: Option<&'a str>,
    proto: Option<&'a str>,
    action: Option<&'a str>,
    policyid: Option<&'a str>,
    policyname: Option<&'a str>,
    transip: Option<&'a str>,
    transport: Option<&'a str>,
    tranip: Option<&'a str>,
    tranport: Option<&'a str>,
    direction: Option<&'a str>,
    attack: Option<&'a str>,
    virus: Option<&'a str>,
    qname: Option<&'a str>,
    ipaddr: Option<&'a str>,
}

pub(super) fn parse(line: &str, cx: &mut Context) -> Result<Option<Event>, Skip> {
    let start = body_start(line).ok_or(Skip::Foreign)?;
    let mut f = Fields::default();
    for pair in pairs(&line[start..]) {
        let (k, v) = pair.ok_or(Skip::Malformed)?;
        let v = Some(v);
        match k {
            "type" => f.kind = v,
            "date" => f.date = v,
            "time" => f.time = v,
            "tz" => f.tz = v,
            "eventtime" => f.eventtime = v,
            "srcip" => f.srcip = v,
            "dstip" => f.dstip = v,
            "srcport" => f.srcport = v,
            "dstport" => f.dstport = v,
            "srcintf" => f.srcintf = v,
            "dstintf" => f.dstintf = v,
            "proto" => f.proto = v,
            "action" => f.action = v,
            "policyid" => f.policyid = v,
            "policyname" => f.policyname = v,
            "transip" => f.transip = v,
            "transport" => f.transport = v,
            "tranip" => f.tranip = v,
            "tranport" => f.tranport = v,
            "direction" => f.direction = v,
            "attack" => f.attack = v,
            "virus" => f.virus = v,
            "qname" => f.qname = v,
            "ipaddr" => f.ipaddr = v,
            _ => {}
        }
    }
    if f.kind == Some("event") {
        return Err(Skip::Unsupported);
    }
    let (Some(srcip), Some(dstip)) = (f.srcip, f.dstip) else {
        return Err(Skip::Unsupported);
    };
    let mut ev = Event::empty();
    ev.time = time(&f, cx)?;
    ev.src = Some(addr(srcip).ok_or(Skip::Malformed)?);
    ev.dst = Some(addr(dstip).ok_or(Skip::Malformed)?);
    ev.protocol = f.proto.and_then(protocol);
    let ports = has_ports(ev.protocol.as_deref());
    let num = |v: Option<&str>| -> Result<Option<u16>, Skip> {
        match v {
            Some(p) if ports => Ok(Some(port(p).ok_or(Skip::Malformed)?)),
            _ => Ok(None),
        }
    };
    ev.src_port = num(f.srcport)?;
    ev.dst_port = num(f.dstport)?;
    let nat = |a: Option<&str>, p: Option<&str>| -> Result<Option<Mapped>, Skip> {
        let Some(a) = a.filter(|a| !a.is_empty()) else {
            return Ok(None);
        };
        let a = addr(a).ok_or(Skip::Malformed)?;
        Ok(mapped(Some(a), num(p)?))
    };
    ev.src_mapped = nat(f.transip, f.transport)?;
    ev.dst_mapped = nat(f.tranip, f.tranport)?;
    let text = |v: Option<&str>| v.and_then(some_text);
    ev.iface_in = text(f.srcintf);
    ev.iface_out = text(f.dstintf);
    ev.action = f.action.filter(|a| !a.is_empty()).map(action_word);
    ev.rule = text(f.policyname).or_else(|| text(f.policyid));
    ev.direction = f.direction.map_or(Direction::Unknown, direction_word);
    ev.signature = text(f.attack).or_else(|| text(f.virus));
    if let Some(q) = f.qname.filter(|q| !q.is_empty()) {
        ev.qname = qname(q);
        ev.answers = f.ipaddr.map(answers).unwrap_or_default();
    }
    Ok(Some(ev))
}

/// See the module's comment; `None` when the line has no time at all.
fn time(f: &Fields, cx: &mut Context) -> Result<Option<i64>, Skip> {
    if let Some(e) = f.eventtime {
        return epoch(e).map(Some).ok_or(Skip::BadTime);
    }
    let (Some(date), Some(clock_text)) = (f.date, f.time) else {
        return Ok(None);
    };
    let b = date.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return Err(Skip::BadTime);
    }
    let (y, mo, d) = ymd(date).ok_or(Skip::BadTime)?;
    let (h, mi, s) = clock(clock_text)
        .filter(|_| clock_text.len() == 8)
        .ok_or(Skip::BadTime)?;
    match f.tz {
        Some(tz) => {
            let off = offset(tz).ok_or(Skip::BadTime)?;
            let t = utc((y, mo, d, h, mi, s)).ok_or(Skip::BadTime)?;
            Ok(Some(t - off))
        }
        None => cx
            .year
            .local(y, mo, d, h, mi, s)
            .map(Some)
            .ok_or(Skip::BadTime),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_with_quotes() {
        let got: Vec<_> = pairs(r#"a=1 b="x y" c="q\"r" d= e=""#).collect();
        assert_eq!(
            got,
            vec![
                Some(("a", "1")),
                Some(("b", "x y")),
                Some(("c", r#"q\"r"#)),
                Some(("d", "")),
                Some(("e", "")),
            ]
        );
        assert_eq!(pairs("a=1 junk").last(), Some(None));
    }

    #[test]
    fn times() {
        let mut cx = Context::new(1_796_644_800);
        let line = r#"date=2026-12-07 time=13:00:01 devid="FG1" logid="0000000013" type="traffic" tz="+0100" srcip=10.0.0.5 dstip=192.0.2.1"#;
        assert_eq!(
            parse(line, &mut cx).unwrap().unwrap().time,
            Some(1_796_644_801)
        );
        let line = line.replace(r#" tz="+0100""#, "");
        assert_eq!(
            parse(&line, &mut cx).unwrap().unwrap().time,
            Some(1_796_644_801 + 3600)
        );
        let line = line.replace("time=13:00:01", "time=25:00:01");
        assert_eq!(parse(&line, &mut cx), Err(Skip::BadTime));
        let line = r#"<189>logver=702 eventtime=1796644801123456789 devid="FG1" logid="1" type="utm" subtype="ips" srcip=2001:db8::1 dstip=2001:db8::2 proto=58 attack="X""#;
        assert_eq!(body_start(line), Some(5));
        let ev = parse(line, &mut cx).unwrap().unwrap();
        assert_eq!(ev.time, Some(1_796_644_801));
        assert_eq!(ev.protocol.as_deref(), Some("ipv6-icmp"));
        assert_eq!(ev.signature.as_deref(), Some("X"));
    }
}
