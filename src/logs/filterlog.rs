//! pfSense / OPNsense `filterlog` lines: CSV after a syslog header (RFC 3164
//! or 5424) whose program is `filterlog`. The documented layout
//! (docs.netgate.com, "Filter Log Format"): rule number, sub-rule, anchor,
//! tracker, interface, reason, action, direction, IP version; then for
//! IPv4 TOS, ECN, TTL, ID, offset, flags, protocol id, protocol, length,
//! source, destination; for IPv6 class, flow label, hop limit, protocol,
//! protocol id, length, source, destination; then, for TCP and UDP, the
//! source and destination ports. The rule is the tracker when there is
//! one, else the rule number.

use super::syslog::{frame, unread, FrameError};
use super::{addr, port, some_text, Action, Context, Direction, Event, Skip};

pub(super) fn looks_like(line: &str) -> bool {
    match line.find("filterlog") {
        Some(i) => {
            let rest = &line[i..];
            rest.matches(',').count() >= 8
        }
        None => false,
    }
}

pub(super) fn parse(line: &str, cx: &mut Context) -> Result<Option<Event>, Skip> {
    let framed = frame(line, &mut cx.year).map_err(|FrameError::BadTime| Skip::BadTime)?;
    if framed.tag != Some("filterlog") {
        return Err(unread(&framed, &mut cx.lost));
    }
    let f: Vec<&str> = framed.msg.trim().split(',').collect();
    let get = |i: usize| f.get(i).copied().ok_or(Skip::Malformed);
    let mut ev = Event::empty();
    ev.time = framed.time;
    let tracker = get(3)?;
    ev.rule = some_text(tracker).or_else(|| some_text(f[0]));
    let iface = some_text(get(4)?);
    ev.action = Some(match get(6)? {
        "pass" => Action::Accept,
        "block" | "reject" => Action::Drop,
        _ => Action::Other,
    });
    ev.direction = match get(7)? {
        "in" => Direction::In,
        "out" => Direction::Out,
        _ => Direction::Unknown,
    };
    match ev.direction {
        Direction::Out => ev.iface_out = iface,
        _ => ev.iface_in = iface,
    }
    // (protocol text, source, destination) columns, then the ports follow.
    let (proto, src) = match get(8)? {
        "4" => (16, 18),
        "6" => (12, 15),
        _ => return Err(Skip::Unsupported),
    };
    let proto_text = get(proto)?.to_ascii_lowercase();
    ev.src = Some(addr(get(src)?).ok_or(Skip::Malformed)?);
    ev.dst = Some(addr(get(src + 1)?).ok_or(Skip::Malformed)?);
    if proto_text == "tcp" || proto_text == "udp" {
        ev.src_port = Some(port(get(src + 2)?).ok_or(Skip::Malformed)?);
        ev.dst_port = Some(port(get(src + 3)?).ok_or(Skip::Malformed)?);
    }
    ev.protocol = some_text(&proto_text);
    Ok(Some(ev))
}
