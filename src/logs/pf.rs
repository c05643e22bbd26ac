//! pf logs as `tcpdump -n -e -ttt -r /var/log/pflog` prints them, on
//! OpenBSD (`rule 3/(match) block in on em0: 192.0.2.1.51234 >
//! 10.0.0.5.22: S …`) and FreeBSD (`rule 3/0(match): block in on em0: …`),
//! anchors as `rule 3.anchor.1/…` and the default rule as `rule def/…`.
//!
//! The stamp in front is OpenBSD's `-ttt` (`Dec 07 12:00:01.123456`, no
//! year: from the [`YearGuess`](super::YearGuess)), `-tttt`
//! (`2026-12-07 12:00:01.123456`, a civil time in the input's zone), `-tt`
//! (Unix seconds) or none; FreeBSD's `-ttt` prints the delta since the
//! previous packet (`00:00:00.000000`), which gives no time.
//!
//! The action is `block` (drop) or `pass` (accept), anything else (`match`,
//! `nat`, `rdr`, `scrub`) other; the direction `in` or `out`, the interface
//! the one named after `on`. Addresses end with their port after a dot
//! (`192.0.2.1.51234`, `2001:db8::1.443`); the protocol is `tcp` when TCP
//! flags follow (`S`, `P`, `.`, `Flags [S]`), `udp` for other lines with
//! ports, `icmp` / `ipv6-icmp` for `icmp:` / `icmp6:`, none otherwise.

use super::stamp::{clock, month, ymd};
use super::{addr, port, some_text, Action, Context, Direction, Event, Skip};
use std::net::IpAddr;

/// The offset of the `rule ` word that starts pf's own fields.
fn rule_start(line: &str) -> Option<usize> {
    if line.starts_with("rule ") {
        return Some(0);
    }
    line.find(" rule ").map(|i| i + 1)
}

pub(super) fn looks_like(line: &str) -> bool {
    match rule_start(line) {
        Some(i) => {
            let rest = &line[i..];
            rest.contains(" on ")
                && rest.contains(" > ")
                && rest.split(' ').nth(1).is_some_and(|r| r.contains('/'))
        }
        None => false,
    }
}

pub(super) fn parse(line: &str, cx: &mut Context) -> Result<Option<Event>, Skip> {
    let start = rule_start(line).ok_or(Skip::Foreign)?;
    let mut ev = Event::empty();
    ev.time = stamp(line[..start].trim(), cx)?;
    let mut t = line[start + 5..].split_ascii_whitespace().peekable();
    // `3/(match)`, `3.anchor.1/(match)`, `def/(match)`, `3/0(match):`.
    let rule = t.next().ok_or(Skip::Malformed)?;
    let (number, reason) = rule.split_once('/').ok_or(Skip::Foreign)?;
    ev.rule = some_text(number);
    if reason.contains('(') && !reason.contains(')') {
        // `/(unkn 5)`
        for w in t.by_ref() {
            if w.contains(')') {
                break;
            }
        }
    }
    skip_brackets(&mut t);
    ev.action = Some(match t.next().ok_or(Skip::Malformed)? {
        "block" | "synproxy-drop" => Action::Drop,
        "pass" => Action::Accept,
        _ => Action::Other,
    });
    ev.direction = match t.next().ok_or(Skip::Malformed)? {
        "in" => Direction::In,
        "out" => Direction::Out,
        _ => Direction::Unknown,
    };
    if t.next() != Some("on") {
        return Err(Skip::Malformed);
    }
    let iface = t.next().ok_or(Skip::Malformed)?;
    let iface = some_text(iface.strip_suffix(':').ok_or(Skip::Malformed)?);
    match ev.direction {
        Direction::Out => ev.iface_out = iface,
        _ => ev.iface_in = iface,
    }
    skip_brackets(&mut t);
    if matches!(t.peek(), Some(&("IP" | "IP6"))) {
        t.next();
        if t.peek().is_some_and(|w| w.starts_with('(')) {
            // `-v` puts the IP header here and the addresses on the
            // next line, which is not read.
            return Err(Skip::Unsupported);
        }
    }
    let src = t.next().ok_or(Skip::Malformed)?;
    if t.next() != Some(">") {
        // `[|pflog]`, a truncated or unreadable packet.
        return Err(Skip::Malformed);
    }
    let dst = t.next().ok_or(Skip::Malformed)?;
    let dst = dst.strip_suffix(':').unwrap_or(dst);
    let (sa, sp) = end(src).ok_or(Skip::Malformed)?;
    let (da, dp) = end(dst).ok_or(Skip::Malformed)?;
    (ev.src, ev.src_port, ev.dst, ev.dst_port) = (Some(sa), sp, Some(da), dp);
    let first = t.next().unwrap_or("");
    ev.protocol = protocol(first, t.next().unwrap_or(""), sp.is_some() && dp.is_some());
    if ev
        .protocol
        .as_deref()
        .is_some_and(|p| p != "tcp" && p != "udp")
    {
        (ev.src_port, ev.dst_port) = (None, None);
    }
    Ok(Some(ev))
}

/// Skips `[uid 0, pid 123]` groups (OpenBSD with `-v`).
fn skip_brackets<'a>(t: &mut std::iter::Peekable<impl Iterator<Item = &'a str>>) {
    while t.peek().is_some_and(|w| w.starts_with('[')) {
        for w in t.by_ref() {
            if w.ends_with(']') {
                break;
            }
        }
    }
}

/// `ADDR.PORT` or `ADDR`.
fn end(s: &str) -> Option<(IpAddr, Option<u16>)> {
    if let Some(a) = addr(s) {
        return Some((a, None));
    }
    let (a, p) = s.rsplit_once('.')?;
    Some((addr(a)?, Some(port(p)?)))
}

/// The protocol from the first words after the addresses.
fn protocol(first: &str, second: &str, ports: bool) -> Option<String> {
    let p = match first {
        "icmp:" | "ICMP" => "icmp",
        "icmp6:" | "ICMP6," => "ipv6-icmp",
        "Flags" | "tcp" => "tcp",
        "udp" | "UDP," => "udp",
        _ if ports && is_tcp_flags(first, second) => "tcp",
        _ if ports => "udp",
        _ => return first.strip_prefix("ip-proto-").map(str::to_string),
    };
    Some(p.to_string())
}

/// OpenBSD's TCP flags (`S`, `P`, `FP`, `.`, `SE`) before the sequence or
/// `ack`/`win`.
fn is_tcp_flags(first: &str, second: &str) -> bool {
    !first.is_empty()
        && first.bytes().all(|b| b"SFPRUWE.".contains(&b))
        && (second.is_empty()
            || second.starts_with("ack")
            || second.starts_with("win")
            || second.as_bytes()[0].is_ascii_digit())
}

/// The time of a stamp before `rule`.
fn stamp(s: &str, cx: &mut Context) -> Result<Option<i64>, Skip> {
    if s.is_empty() {
        return Ok(None);
    }
    let w: Vec<&str> = s.split_ascii_whitespace().collect();
    match w.as_slice() {
        // OpenBSD -ttt: `Dec 07 12:00:01.123456`.
        [m, d, c] if month(m).is_some() => {
            let day: u8 = d
                .parse()
                .ok()
                .filter(|_| d.len() <= 2)
                .ok_or(Skip::BadTime)?;
            let (h, mi, sec) = clock(c).ok_or(Skip::BadTime)?;
            cx.year
                .resolve(month(m).unwrap_or(1), day, h, mi, sec)
                .map(Some)
                .ok_or(Skip::BadTime)
        }
        // -tttt: `2026-12-07 12:00:01.123456`.
        [date, c] if date.len() == 10 && date.as_bytes()[4] == b'-' => {
            let (y, mo, d) = ymd(date).ok_or(Skip::BadTime)?;
            let (h, mi, sec) = clock(c).ok_or(Skip::BadTime)?;
            cx.year
                .local(y, mo, d, h, mi, sec)
                .map(Some)
                .ok_or(Skip::BadTime)
        }
        // FreeBSD -ttt: the delta since the previous packet.
        [c] if clock(c).is_some() => Ok(None),
        // -tt: Unix seconds.
        [n] => {
            let (secs, frac) = n.split_once('.').unwrap_or((n, "0"));
            let digits = |x: &str| !x.is_empty() && x.bytes().all(|b| b.is_ascii_digit());
            if !digits(secs) || !digits(frac) {
                return Err(Skip::Foreign);
            }
            // A delta in microseconds (old tcpdump's -ttt) is no time.
            if !n.contains('.') {
                return Ok(None);
            }
            secs.parse().map(Some).map_err(|_| Skip::BadTime)
        }
        _ => Err(Skip::Foreign),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ends_and_protocols() {
        let v4: IpAddr = "192.0.2.1".parse().unwrap();
        let v6: IpAddr = "2001:db8::1".parse().unwrap();
        assert_eq!(end("192.0.2.1.51234"), Some((v4, Some(51234))));
        assert_eq!(end("192.0.2.1"), Some((v4, None)));
        assert_eq!(end("2001:db8::1.443"), Some((v6, Some(443))));
        assert_eq!(end("2001:db8::1"), Some((v6, None)));
        assert_eq!(end("192.0.2.1.99999"), None);
        assert_eq!(end("host.example.22"), None);
        assert_eq!(protocol("S", "1:1(0)", true).as_deref(), Some("tcp"));
        assert_eq!(protocol(".", "ack", true).as_deref(), Some("tcp"));
        assert_eq!(protocol("12345+", "A?", true).as_deref(), Some("udp"));
        assert_eq!(protocol("icmp:", "echo", false).as_deref(), Some("icmp"));
        assert_eq!(protocol("ip-proto-47", "", false).as_deref(), Some("47"));
        assert_eq!(protocol("", "", false), None);
    }

    #[test]
    fn stamps() {
        // 2026-12-07T12:00:00Z
        let mut cx = Context::new(1_796_644_800);
        assert_eq!(stamp("Dec 07 11:00:01.5", &mut cx), Ok(Some(1_796_641_201)));
        assert_eq!(
            stamp("2026-12-07 11:00:01.5", &mut cx),
            Ok(Some(1_796_641_201))
        );
        assert_eq!(stamp("1796641201.500000", &mut cx), Ok(Some(1_796_641_201)));
        assert_eq!(stamp("00:00:01.000100", &mut cx), Ok(None));
        assert_eq!(stamp("Dec 32 11:00:01", &mut cx), Err(Skip::BadTime));
        assert_eq!(stamp("reading from", &mut cx), Err(Skip::Foreign));
    }
}
