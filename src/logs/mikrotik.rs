//! MikroTik RouterOS firewall log lines: `[topics] [prefix] CHAIN: in:IF
//! out:IF, [connection-state:…] [src-mac MAC,] proto P [(flags)],
//! SRC[:PORT]->DST[:PORT], [NAT …,] len N`, sent by syslog (RFC 3164 or
//! 5424, the topics `firewall,info` first in the message) or as RouterOS
//! prints its log (`dec/07 12:00:01`, `dec/07/2026 12:00:01`,
//! `2026-12-07 12:00:01`, or a bare `12:00:01`, which gives no time).
//!
//! The rule is the rule's `log-prefix` (the words before the chain), the
//! action taken from it (drop/reject/deny/block words: drop; accept/allow/
//! pass: accept), none without one. An interface `(unknown 0)` or `(none)`
//! is none; the direction is `in` with only an input interface, `out`
//! with only an output one. IPv6 addresses with a port are in brackets
//! (`[2001:db8::1]:443`). The NAT part gives the other side of the
//! translation: `NAT (A->A')->B` (source NAT) makes `A'` the source's
//! mapped address, `NAT A->(B->B')` (destination NAT) makes the one of
//! `B`/`B'` that is not the destination the destination's.

use super::fields::iface_direction;
use super::netfilter::action;
use super::stamp::{clock, ymd, MONTHS};
use super::syslog::{frame, unread, FrameError};
use super::{addr, port, some_text, Context, Event, Mapped, Skip};
use std::net::IpAddr;

pub(super) fn looks_like(line: &str) -> bool {
    line.contains(": in:")
        && line.contains(" out:")
        && line.contains("proto ")
        && line.contains("->")
}

pub(super) fn parse(line: &str, cx: &mut Context) -> Result<Option<Event>, Skip> {
    let (time, rest) = match routeros_stamp(line, cx)? {
        Some((time, rest)) => (time, rest),
        None => {
            let framed = frame(line, &mut cx.year).map_err(|FrameError::BadTime| Skip::BadTime)?;
            let msg: &str = &framed.msg;
            if !msg.contains("in:") {
                return Err(unread(&framed, &mut cx.lost));
            }
            // `host input: in:…`: the chain was read as the tag;
            // `host PREFIX: input: in:…`: the prefix was.
            return match (framed.tag, msg.starts_with("in:")) {
                (Some(chain), true) => body(framed.time, "", chain, msg),
                (tag, _) => split_chain(framed.time, msg, tag.filter(|t| !is_topics(t))),
            };
        }
    };
    split_chain(time, rest, None)
}

/// `[topics] [prefix] CHAIN: in:…` → the parts; `tag` is a prefix the
/// syslog header took for the program's tag.
fn split_chain(time: Option<i64>, msg: &str, tag: Option<&str>) -> Result<Option<Event>, Skip> {
    let at = msg.find(": in:").ok_or(Skip::Foreign)?;
    let head = &msg[..at];
    let (before, chain) = match head.rfind(' ') {
        Some(i) => (&head[..i], &head[i + 1..]),
        None => ("", head),
    };
    // The topics (`firewall,info`) are not the prefix.
    let before = before.trim();
    let prefix = match before.split_once(' ') {
        Some((first, rest)) if is_topics(first) => rest.trim(),
        _ if is_topics(before) => "",
        _ => before,
    };
    let tag_prefix;
    let prefix = match tag {
        Some(t) if prefix.is_empty() => {
            tag_prefix = format!("{t}:");
            tag_prefix.as_str()
        }
        _ => prefix,
    };
    body(time, prefix, chain, &msg[at + 2..])
}

fn is_topics(w: &str) -> bool {
    w.starts_with("firewall") && !w.contains(' ')
}

/// `in:IF out:IF, …` with the prefix and chain already read.
fn body(time: Option<i64>, prefix: &str, chain: &str, rest: &str) -> Result<Option<Event>, Skip> {
    if chain.is_empty() {
        return Err(Skip::Malformed);
    }
    let mut ev = Event::empty();
    ev.time = time;
    ev.rule = some_text(prefix);
    ev.action = action(prefix);
    let rest = rest.strip_prefix("in:").ok_or(Skip::Malformed)?;
    let out_at = rest.find(" out:").ok_or(Skip::Malformed)?;
    ev.iface_in = iface(&rest[..out_at]);
    let rest = &rest[out_at + 5..];
    let (out, rest) = rest.split_once(',').unwrap_or((rest, ""));
    ev.iface_out = iface(out);
    ev.direction = iface_direction(&ev);
    let p = rest.find("proto ").ok_or(Skip::Malformed)?;
    let rest = &rest[p + 6..];
    let (proto, mut rest) = rest.split_once(',').ok_or(Skip::Malformed)?;
    // `TCP (ACK,FIN)`: the flags hold commas.
    let proto = match proto.split_once(' ') {
        Some((name, flags)) if flags.starts_with('(') => {
            let close = rest.find(')').filter(|_| !flags.contains(')'));
            if let Some(c) = close {
                rest = rest[c + 1..].strip_prefix(',').ok_or(Skip::Malformed)?;
            }
            name
        }
        _ => proto.trim(),
    };
    ev.protocol = some_text(&proto.to_ascii_lowercase());
    let mut parts = rest.split(", ").map(str::trim);
    let tuple = parts.next().ok_or(Skip::Malformed)?;
    let (s, d) = tuple.split_once("->").ok_or(Skip::Malformed)?;
    let (sa, sp) = end(s).ok_or(Skip::Malformed)?;
    let (da, dp) = end(d).ok_or(Skip::Malformed)?;
    (ev.src, ev.src_port, ev.dst, ev.dst_port) = (Some(sa), sp, Some(da), dp);
    for part in parts {
        if let Some(nat) = part.strip_prefix("NAT ") {
            (ev.src_mapped, ev.dst_mapped) = translation(nat, (sa, sp), (da, dp))?;
        }
    }
    Ok(Some(ev))
}

fn iface(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty() && !s.starts_with('(')).then(|| s.to_string())
}

/// `ADDR:PORT`, `[V6]:PORT` or `ADDR`.
fn end(s: &str) -> Option<(IpAddr, Option<u16>)> {
    let s = s.trim();
    if let Some(rest) = s.strip_prefix('[') {
        let (a, p) = rest.split_once(']')?;
        let p = match p {
            "" => None,
            p => Some(port(p.strip_prefix(':')?)?),
        };
        return Some((addr(a)?, p));
    }
    if let Some(a) = addr(s) {
        return Some((a, None));
    }
    let (a, p) = s.rsplit_once(':')?;
    Some((addr(a)?, Some(port(p)?)))
}

type End = (IpAddr, Option<u16>);

/// `(A->A')->B`, `A->(B->B')` or `(A->A')->(B->B')`: the mapped source
/// and destination.
fn translation(nat: &str, src: End, dst: End) -> Result<(Option<Mapped>, Option<Mapped>), Skip> {
    let (left, right) = if nat.starts_with('(') {
        let i = nat.find(")->").ok_or(Skip::Malformed)?;
        (&nat[..=i], &nat[i + 3..])
    } else {
        nat.split_once("->").ok_or(Skip::Malformed)?
    };
    let side = |s: &str, main: End| -> Result<Option<Mapped>, Skip> {
        let s = s.trim();
        let Some(inner) = s.strip_prefix('(') else {
            end(s).ok_or(Skip::Malformed)?;
            return Ok(None);
        };
        let inner = inner.strip_suffix(')').ok_or(Skip::Malformed)?;
        let (a, b) = inner.split_once("->").ok_or(Skip::Malformed)?;
        let a = end(a).ok_or(Skip::Malformed)?;
        let b = end(b).ok_or(Skip::Malformed)?;
        let other = if b == main { a } else { b };
        Ok(Some(Mapped {
            addr: other.0,
            port: other.1,
        }))
    };
    Ok((side(left, src)?, side(right, dst)?))
}

/// RouterOS's own log stamp: `dec/07 12:00:01`, `dec/07/2026 12:00:01`,
/// `2026-12-07 12:00:01`, `12:00:01` (no date: no time); `None` when the
/// line starts with none of them.
fn routeros_stamp<'a>(
    line: &'a str,
    cx: &mut Context,
) -> Result<Option<(Option<i64>, &'a str)>, Skip> {
    let line = line.trim_start();
    let (first, rest) = line.split_once(' ').unwrap_or((line, ""));
    if clock(first).is_some() {
        return Ok(Some((None, rest)));
    }
    let (second, after) = rest.split_once(' ').unwrap_or((rest, ""));
    let date: Option<(Option<i64>, u8, u8)> = if let Some((m, d)) = first.split_once('/') {
        let Some(mon) = MONTHS.iter().position(|x| x.eq_ignore_ascii_case(m)) else {
            return Ok(None);
        };
        let (d, y) = match d.split_once('/') {
            Some((d, y)) => (d, Some(y.parse::<i64>().map_err(|_| Skip::BadTime)?)),
            None => (d, None),
        };
        let day: u8 = d.parse().map_err(|_| Skip::BadTime)?;
        Some((y, mon as u8 + 1, day))
    } else if first.len() == 10 && first.as_bytes()[4] == b'-' && first.as_bytes()[7] == b'-' {
        match ymd(first) {
            Some((y, m, d)) => Some((Some(y), m, d)),
            None => return Ok(None),
        }
    } else {
        None
    };
    let Some((year, mon, day)) = date else {
        return Ok(None);
    };
    let (h, m, s) = clock(second).ok_or(Skip::BadTime)?;
    let time = cx
        .year
        .civil(year, mon, day, h, m, s)
        .ok_or(Skip::BadTime)?;
    Ok(Some((Some(time), after)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ends() {
        let v4: IpAddr = "192.0.2.1".parse().unwrap();
        let v6: IpAddr = "2001:db8::1".parse().unwrap();
        assert_eq!(end("192.0.2.1:80"), Some((v4, Some(80))));
        assert_eq!(end("192.0.2.1"), Some((v4, None)));
        assert_eq!(end("[2001:db8::1]:443"), Some((v6, Some(443))));
        assert_eq!(end("2001:db8::1"), Some((v6, None)));
        assert_eq!(end("192.0.2.1:x"), None);
        assert_eq!(end("[2001:db8::1"), None);
    }

    #[test]
    fn translations() {
        let a: IpAddr = "10.0.0.5".parse().unwrap();
        let m: IpAddr = "203.0.113.5".parse().unwrap();
        let b: IpAddr = "198.51.100.7".parse().unwrap();
        let (s, d) = translation(
            "(10.0.0.5:1000->203.0.113.5:2000)->198.51.100.7:443",
            (a, Some(1000)),
            (b, Some(443)),
        )
        .unwrap();
        assert_eq!(
            s,
            Some(Mapped {
                addr: m,
                port: Some(2000)
            })
        );
        assert_eq!(d, None);
        let (s, d) = translation(
            "198.51.100.7:5000->(203.0.113.5:80->10.0.0.5:8080)",
            (b, Some(5000)),
            (a, Some(8080)),
        )
        .unwrap();
        assert_eq!(s, None);
        assert_eq!(
            d,
            Some(Mapped {
                addr: m,
                port: Some(80)
            })
        );
        assert!(translation("(x->y)->z", (a, None), (b, None)).is_err());
    }
}
