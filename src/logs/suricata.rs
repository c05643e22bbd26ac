//! Suricata's `eve.json` and `fast.log`.
//!
//! eve.json: one JSON object per line; `timestamp` (ISO 8601 with an
//! offset written `+0100`) becomes UTC; `src_ip`/`src_port`,
//! `dest_ip`/`dest_port`, `proto` and `in_iface` as named. By
//! `event_type`:
//! - `alert`: `alert.signature` is the signature, `gid:signature_id:rev`
//!   the rule, `alert.action` `allowed` / `blocked` the action;
//! - `drop`: a packet the IPS dropped;
//! - `dns`: `rrname` (or v3's `queries[0].rrname`) is the name, the
//!   addresses among the answers (v1 `rdata`, v2 `answers` or `grouped`)
//!   the answers; an answer is logged from the server, so its addresses
//!   and ports are swapped to keep the client as the source;
//! - `flow`, `netflow` and every other type that names both ends (`http`,
//!   `tls`, `fileinfo`, `anomaly`…): traffic seen, action other;
//! - `stats` and lines without both addresses: [`Skip::Unsupported`].
//!
//! fast.log: `MM/DD/YYYY-hh:mm:ss.uuuuuu  [Drop] [**] [gid:sid:rev] MSG
//! [**] [Classification: …] [Priority: n] {PROTO} SRC:PORT -> DST:PORT`,
//! local time without a zone (taken in the context's zone); `[Drop]` marks
//! a dropped packet, no mark an alert let through (`[wDrop]`, "would
//! drop", is action other). IPv6 addresses come bare (the port after the
//! last colon) or in brackets. ICMP carries type and code where the ports
//! are: no ports then. Decoder-event alerts (no `{PROTO}`) are
//! [`Skip::Unsupported`].

use super::fields::{allowed_blocked, json_port, qname};
use super::stamp::{clock, iso_time, number};
use super::{addr, port, some_text, Action, Context, Direction, Event, Skip};
use serde::Deserialize;
use std::borrow::Cow;
use std::net::IpAddr;

pub(super) fn looks_like(line: &str) -> bool {
    if line.starts_with('{') {
        return line.contains("\"event_type\"");
    }
    line.contains("[**] [") && line.contains("[Priority: ")
}

pub(super) fn parse(line: &str, cx: &mut Context) -> Result<Option<Event>, Skip> {
    if line.starts_with('{') {
        eve(line, cx)
    } else {
        fast(line, cx)
    }
}

#[derive(Deserialize)]
struct Eve<'a> {
    #[serde(borrow, default)]
    timestamp: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    event_type: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    src_ip: Option<Cow<'a, str>>,
    #[serde(default)]
    src_port: Option<u64>,
    #[serde(borrow, default)]
    dest_ip: Option<Cow<'a, str>>,
    #[serde(default)]
    dest_port: Option<u64>,
    #[serde(borrow, default)]
    proto: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    in_iface: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    alert: Option<Alert<'a>>,
    #[serde(borrow, default)]
    dns: Option<Dns<'a>>,
}

#[derive(Deserialize)]
struct Alert<'a> {
    #[serde(borrow, default)]
    action: Option<Cow<'a, str>>,
    #[serde(default)]
    gid: Option<u64>,
    #[serde(default)]
    signature_id: Option<u64>,
    #[serde(default)]
    rev: Option<u64>,
    #[serde(borrow, default)]
    signature: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct Dns<'a> {
    #[serde(rename = "type", borrow, default)]
    kind: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    rrname: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    rdata: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    queries: Option<Vec<Record<'a>>>,
    #[serde(borrow, default)]
    answers: Option<Vec<Record<'a>>>,
    #[serde(borrow, default)]
    grouped: Option<Grouped<'a>>,
}

/// A query or answer record (other fields, such as `soa` or `srv`
/// objects, ignored).
#[derive(Deserialize)]
struct Record<'a> {
    #[serde(borrow, default)]
    rrname: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    rdata: Option<Cow<'a, str>>,
}

/// v2's answers grouped by type: only the address types are read.
#[derive(Deserialize)]
struct Grouped<'a> {
    #[serde(rename = "A", borrow, default)]
    a: Option<Vec<Cow<'a, str>>>,
    #[serde(rename = "AAAA", borrow, default)]
    aaaa: Option<Vec<Cow<'a, str>>>,
}

fn eve(line: &str, cx: &mut Context) -> Result<Option<Event>, Skip> {
    let e: Eve = serde_json::from_str(line).map_err(|_| Skip::Malformed)?;
    let kind = e.event_type.as_deref().ok_or(Skip::Foreign)?;
    if kind == "stats" {
        return Err(Skip::Unsupported);
    }
    let (Some(src), Some(dst)) = (&e.src_ip, &e.dest_ip) else {
        return Err(Skip::Unsupported);
    };
    let mut ev = Event::empty();
    ev.time = match &e.timestamp {
        Some(t) => Some(iso_time(t, &mut cx.year).ok_or(Skip::BadTime)?),
        None => None,
    };
    ev.src = Some(addr(src).ok_or(Skip::Malformed)?);
    ev.dst = Some(addr(dst).ok_or(Skip::Malformed)?);
    ev.protocol = e.proto.as_deref().and_then(protocol);
    ev.src_port = json_port(e.src_port)?;
    ev.dst_port = json_port(e.dest_port)?;
    ev.iface_in = e.in_iface.as_deref().and_then(some_text);
    ev.action = Some(Action::Other);
    match kind {
        "alert" => {
            let a = e.alert.as_ref().ok_or(Skip::Malformed)?;
            ev.action = Some(allowed_blocked(a.action.as_deref()).unwrap_or(Action::Other));
            ev.signature = a.signature.as_deref().and_then(some_text);
            ev.rule = match (a.gid, a.signature_id, a.rev) {
                (Some(g), Some(s), Some(r)) => Some(format!("{g}:{s}:{r}")),
                (_, Some(s), _) => Some(s.to_string()),
                _ => None,
            };
        }
        "drop" => ev.action = Some(Action::Drop),
        _ => {}
    }
    if let Some(d) = &e.dns {
        dns(d, &mut ev);
    }
    Ok(Some(ev))
}

fn dns(d: &Dns, ev: &mut Event) {
    let name = d.rrname.as_deref().or_else(|| {
        d.queries
            .as_ref()
            .and_then(|q| q.first())
            .and_then(|q| q.rrname.as_deref())
    });
    ev.qname = name.and_then(qname);
    if let Some(a) = d.rdata.as_deref().and_then(addr) {
        ev.answers.push(a);
    }
    if let Some(answers) = &d.answers {
        ev.answers.extend(
            answers
                .iter()
                .filter_map(|r| r.rdata.as_deref().and_then(addr)),
        );
    } else if let Some(g) = &d.grouped {
        for list in [&g.a, &g.aaaa].into_iter().flatten() {
            ev.answers.extend(list.iter().filter_map(|a| addr(a)));
        }
    }
    // An answer is logged as the server's packet: the client is its
    // destination.
    if matches!(d.kind.as_deref(), Some("answer" | "response")) {
        std::mem::swap(&mut ev.src, &mut ev.dst);
        std::mem::swap(&mut ev.src_port, &mut ev.dst_port);
    }
}

/// A protocol name in lower case; Suricata's `PROTO:047` for protocols
/// without a name becomes the number.
fn protocol(p: &str) -> Option<String> {
    if let Some(n) = p.strip_prefix("PROTO:") {
        let n = n.trim_start_matches('0');
        return some_text(if n.is_empty() { "0" } else { n });
    }
    super::fields::protocol(p)
}

fn fast(line: &str, cx: &mut Context) -> Result<Option<Event>, Skip> {
    let first = line.find("[**] [").ok_or(Skip::Foreign)?;
    let head = &line[..first];
    let stamp = head.split_ascii_whitespace().next().ok_or(Skip::BadTime)?;
    let mark = head[stamp.len()..].trim();
    let mut ev = Event::empty();
    ev.time = Some(fast_time(stamp, cx).ok_or(Skip::BadTime)?);
    ev.action = Some(match mark {
        "" => Action::Accept,
        "[Drop]" => Action::Drop,
        _ => Action::Other,
    });
    let rest = &line[first + 6..];
    let (rule, rest) = rest.split_once("] ").ok_or(Skip::Malformed)?;
    ev.rule = some_text(rule);
    let (msg, rest) = rest.split_once(" [**] ").ok_or(Skip::Malformed)?;
    ev.signature = some_text(msg.trim());
    let open = rest.rfind(" {").ok_or(Skip::Unsupported)?;
    let (proto, ends) = rest[open + 2..].split_once("} ").ok_or(Skip::Unsupported)?;
    ev.protocol = protocol(proto);
    let (src, dst) = ends.trim().split_once(" -> ").ok_or(Skip::Malformed)?;
    let (s, sp) = endpoint(src).ok_or(Skip::Malformed)?;
    let (d, dp) = endpoint(dst).ok_or(Skip::Malformed)?;
    ev.src = Some(s);
    ev.dst = Some(d);
    if !matches!(ev.protocol.as_deref(), Some("icmp" | "ipv6-icmp")) {
        ev.src_port = Some(sp);
        ev.dst_port = Some(dp);
    }
    ev.direction = Direction::Unknown;
    Ok(Some(ev))
}

/// `192.0.2.1:51234`, `2001:db8::1:51234` or `[2001:db8::1]:51234`.
fn endpoint(s: &str) -> Option<(IpAddr, u16)> {
    let (a, p) = s.rsplit_once(':')?;
    let a = match a.strip_prefix('[') {
        Some(inner) => inner.strip_suffix(']')?,
        None => a,
    };
    Some((addr(a)?, port(p)?))
}

/// `12/07/2026-12:00:01.123456`, local time.
fn fast_time(s: &str, cx: &mut Context) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 19 || b[2] != b'/' || b[5] != b'/' || b[10] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| number(s.get(r)?);
    let (mo, d, y) = (num(0..2)?, num(3..5)?, num(6..10)?);
    let (h, mi, sec) = clock(s.get(11..)?)?;
    cx.year.local(y, mo as u8, d as u8, h, mi, sec)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_endpoints() {
        assert_eq!(
            endpoint("192.0.2.1:51234"),
            Some(("192.0.2.1".parse().unwrap(), 51234))
        );
        assert_eq!(
            endpoint("2001:db8::1:443"),
            Some(("2001:db8::1".parse().unwrap(), 443))
        );
        assert_eq!(
            endpoint("[2001:db8::1]:443"),
            Some(("2001:db8::1".parse().unwrap(), 443))
        );
        assert_eq!(endpoint("192.0.2.1"), None);
        assert_eq!(endpoint("192.0.2.1:99999"), None);
    }

    #[test]
    fn eve_skips() {
        let mut cx = Context::new(0);
        assert_eq!(parse("{", &mut cx), Err(Skip::Malformed));
        assert_eq!(parse(r#"{"a":1}"#, &mut cx), Err(Skip::Foreign));
        assert_eq!(
            parse(r#"{"event_type":"stats","stats":{}}"#, &mut cx),
            Err(Skip::Unsupported)
        );
        assert_eq!(
            parse(
                r#"{"event_type":"flow","src_ip":"x","dest_ip":"192.0.2.1"}"#,
                &mut cx
            ),
            Err(Skip::Malformed)
        );
        assert_eq!(protocol("PROTO:047"), Some("47".into()));
        assert_eq!(protocol("IPv6-ICMP"), Some("ipv6-icmp".into()));
    }
}
