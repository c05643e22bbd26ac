//! ulogd's JSON output (`ulogd_output_JSON`), one object per line: the
//! packet's keys by their names or their CIM names — `src_ip` / `dest_ip`
//! (`ip.saddr.str` / `ip.daddr.str`, or `ip.saddr` / `ip.daddr` as strings
//! in some versions), `src_port` / `dest_port` (`tcp.sport`, `udp.dport`…),
//! `ip.protocol` (or `ip6.nexthdr`) as a number, `oob.prefix` (the rule's
//! log prefix, which names the action as for netfilter lines), `oob.in` /
//! `oob.out` (the interfaces), `action` (`allowed` / `blocked`, with
//! `boolean_label`), and the time as `oob.time.sec` or `timestamp` (local
//! time with its offset, `2026-12-07T12:00:01.123456+0100`).
//!
//! ulogd's `LOGEMU` text output is netfilter's `IN= OUT= SRC= DST=` body
//! and is read as [`Format::Netfilter`](super::Format::Netfilter).

use super::fields::{allowed_blocked, iface_direction, proto_name};
use super::netfilter::action;
use super::stamp::iso_time;
use super::{addr, some_text, Context, Event, Skip};
use serde::Deserialize;
use std::borrow::Cow;

#[derive(Deserialize)]
struct Entry<'a> {
    #[serde(borrow, default)]
    timestamp: Option<Cow<'a, str>>,
    #[serde(rename = "oob.time.sec", default)]
    sec: Option<i64>,
    #[serde(rename = "oob.prefix", borrow, default)]
    prefix: Option<Cow<'a, str>>,
    #[serde(rename = "oob.in", borrow, default)]
    iface_in: Option<Cow<'a, str>>,
    #[serde(rename = "oob.out", borrow, default)]
    iface_out: Option<Cow<'a, str>>,
    #[serde(alias = "ip.saddr.str", alias = "ip.saddr", borrow, default)]
    src_ip: Option<Cow<'a, str>>,
    #[serde(alias = "ip.daddr.str", alias = "ip.daddr", borrow, default)]
    dest_ip: Option<Cow<'a, str>>,
    #[serde(
        alias = "tcp.sport",
        alias = "udp.sport",
        alias = "sctp.sport",
        default
    )]
    src_port: Option<u16>,
    #[serde(
        alias = "tcp.dport",
        alias = "udp.dport",
        alias = "sctp.dport",
        default
    )]
    dest_port: Option<u16>,
    #[serde(
        rename = "ip.protocol",
        alias = "ip6.nexthdr",
        alias = "orig.ip.protocol",
        default
    )]
    protocol: Option<u8>,
    #[serde(borrow, default)]
    action: Option<Cow<'a, str>>,
}

pub(super) fn looks_like(line: &str) -> bool {
    line.starts_with('{')
        && (line.contains("\"oob.") || line.contains("\"dvc\""))
        && (line.contains("\"src_ip\"") || line.contains("\"ip.saddr"))
}

pub(super) fn parse(line: &str, cx: &mut Context) -> Result<Option<Event>, Skip> {
    if !line.trim_start().starts_with('{') {
        return Err(Skip::Foreign);
    }
    let e: Entry = serde_json::from_str(line).map_err(|_| Skip::Malformed)?;
    let (Some(src), Some(dst)) = (e.src_ip.as_deref(), e.dest_ip.as_deref()) else {
        // A flow or counter record of another stack, or not ulogd's.
        return Err(Skip::Unsupported);
    };
    let mut ev = Event::empty();
    ev.src = Some(addr(src).ok_or(Skip::Malformed)?);
    ev.dst = Some(addr(dst).ok_or(Skip::Malformed)?);
    ev.time = match (e.sec, e.timestamp.as_deref()) {
        (Some(s), _) => Some(s),
        (None, Some(t)) => Some(iso_time(t, &mut cx.year).ok_or(Skip::BadTime)?),
        (None, None) => None,
    };
    ev.protocol = e.protocol.map(|p| proto_name(&p.to_string()));
    if matches!(ev.protocol.as_deref(), Some("tcp" | "udp" | "sctp")) {
        (ev.src_port, ev.dst_port) = (e.src_port, e.dest_port);
    }
    let prefix = e.prefix.as_deref().map(str::trim).unwrap_or("");
    ev.rule = some_text(prefix);
    ev.action = allowed_blocked(e.action.as_deref()).or_else(|| action(prefix));
    ev.iface_in = e.iface_in.as_deref().and_then(some_text);
    ev.iface_out = e.iface_out.as_deref().and_then(some_text);
    ev.direction = iface_direction(&ev);
    Ok(Some(ev))
}

#[cfg(test)]
mod tests {
    use super::super::{Action, Direction};
    use super::*;

    #[test]
    fn keys_by_name_or_cim_name() {
        let mut cx = Context::new(0);
        let line = r#"{"timestamp":"2026-12-07T12:00:01.5+0100","dvc":"Netfilter","oob.prefix":"DROP in: ","oob.in":"eth0","oob.out":"","ip.saddr.str":"192.0.2.1","ip.daddr.str":"10.0.0.5","ip.protocol":6,"tcp.sport":51234,"tcp.dport":22}"#;
        assert!(looks_like(line));
        let ev = parse(line, &mut cx).unwrap().unwrap();
        assert_eq!(ev.time, Some(1_796_641_201));
        assert_eq!(ev.action, Some(Action::Drop));
        assert_eq!(ev.rule.as_deref(), Some("DROP in:"));
        assert_eq!((ev.src_port, ev.dst_port), (Some(51234), Some(22)));
        assert_eq!(ev.direction, Direction::In);
        let flow =
            r#"{"timestamp":"2026-12-07T12:00:01+0100","dvc":"Netfilter","orig.ip.protocol":6}"#;
        assert_eq!(parse(flow, &mut cx), Err(Skip::Unsupported));
        assert_eq!(parse("{", &mut cx), Err(Skip::Malformed));
        let bad = r#"{"src_ip":"192.0.2.300","dest_ip":"10.0.0.5"}"#;
        assert_eq!(parse(bad, &mut cx), Err(Skip::Malformed));
    }
}
