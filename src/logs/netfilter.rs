//! Linux netfilter `LOG` lines and nftables `log` lines: an optional kernel
//! timestamp (`[12345.678]`), the rule's prefix (anything before `IN=`:
//! `[UFW BLOCK]`, `IPTABLES:BLOCKED-CONN:`, an nftables prefix), then
//! `KEY=value` fields and bare flags. The action comes from the prefix
//! (`AUDIT` is checked first, then drop and accept words); no prefix, no
//! action.

use super::syslog::{frame, journal, unread, FrameError};
use super::{addr, port, some_text, Action, Context, Direction, Event, Skip};

/// The start of the `IN=` field: at the start or after a space or `]`/`:`.
fn body_start(msg: &str) -> Option<usize> {
    static IN: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new("IN="));
    let mut from = 0;
    while let Some(i) = IN.find(&msg.as_bytes()[from..]) {
        let at = from + i;
        let before = msg[..at].bytes().last();
        if matches!(before, None | Some(b' ' | b']' | b':')) {
            return Some(at);
        }
        from = at + 3;
    }
    None
}

/// A netfilter body, or a journal entry (`journalctl -o json`) whose
/// message is one.
pub(super) fn looks_like(line: &str) -> bool {
    if line.starts_with('{') {
        return journal(line).is_some_and(|f| looks_like_body(&f.msg));
    }
    looks_like_body(line)
}

fn looks_like_body(msg: &str) -> bool {
    body_start(msg).is_some() && msg.contains(" SRC=") && msg.contains(" DST=")
}

/// The searches for the fields read, by index.
const OUT: usize = 0;
const SRC: usize = 1;
const DST: usize = 2;
const PROTO: usize = 3;
const SPT: usize = 4;
const DPT: usize = 5;
static FINDERS: std::sync::LazyLock<[memchr::memmem::Finder<'static>; 6]> =
    std::sync::LazyLock::new(|| {
        [" OUT=", " SRC=", " DST=", " PROTO=", " SPT=", " DPT="].map(memchr::memmem::Finder::new)
    });

/// The value of field `k` of a body, searched from `from` on (then from the
/// start); `from` moves past it.
fn field<'a>(k: usize, body: &'a str, from: &mut usize) -> Option<&'a str> {
    let f = &FINDERS[k];
    let b = body.as_bytes();
    let rest = &b[(*from).min(b.len())..];
    // Most fields follow the last one directly (`SRC=… DST=…`).
    let needle = f.needle();
    // Byte by byte: a memcmp call costs more than these few bytes.
    let follows = rest.len() >= needle.len() && rest.iter().zip(needle).all(|(a, b)| a == b);
    let at = if follows {
        *from
    } else {
        match f.find(rest) {
            Some(i) => *from + i,
            None => f.find(b)?,
        }
    };
    let v = value(&body[at + f.needle().len()..]);
    *from = at + f.needle().len() + v.len();
    Some(v)
}

/// A field's value: up to the next space or tab.
fn value(s: &str) -> &str {
    let end = memchr::memchr2(b' ', b'\t', s.as_bytes()).unwrap_or(s.len());
    &s[..end]
}

/// Programs whose tag is not a log prefix.
const PROGRAMS: [&str; 3] = ["kernel", "ulogd", "ulogd2"];

pub(super) fn parse(line: &str, cx: &mut Context) -> Result<Option<Event>, Skip> {
    let framed = frame(line, &mut cx.year).map_err(|FrameError::BadTime| Skip::BadTime)?;
    let msg: &str = &framed.msg;
    let Some(start) = body_start(msg) else {
        return Err(unread(&framed, &mut cx.lost));
    };
    let mut ev = Event::empty();
    ev.time = framed.time;
    let prefix = kernel_stamp(msg[..start].trim_ascii());
    // ulogd's LOGEMU writes `stamp host PREFIX IN=…`: a prefix ending in
    // `:` was read as the tag.
    let tag_prefix;
    let prefix = match framed.tag {
        Some(t) if prefix.is_empty() && !t.is_empty() && !PROGRAMS.contains(&t) => {
            tag_prefix = format!("{t}:");
            tag_prefix.as_str()
        }
        _ => prefix,
    };
    if !cx.lean {
        ev.rule = some_text(prefix);
    }
    ev.action = if cx.last_prefix.0 == prefix {
        cx.last_prefix.1
    } else {
        let a = action(prefix);
        cx.last_prefix = (prefix.to_string(), a);
        a
    };
    // Each field is found by ` KEY=` (a SIMD search), each search going on
    // from the last field found (the kernel writes them in this order;
    // another order costs a second search from the start), rather than
    // by splitting every token: the lines are long and few fields are read.
    let body = &msg[start..];
    let iface_in = value(&body[3..]);
    let mut from = 3 + iface_in.len();
    let iface_out = field(OUT, body, &mut from).unwrap_or("");
    let src = field(SRC, body, &mut from);
    let dst = field(DST, body, &mut from);
    // An ICMP error quotes the offending packet in `[SRC=… DST=…]` after
    // the packet's own fields: what follows is not this packet's.
    let body = match memchr::memchr(b'[', &body.as_bytes()[from.min(body.len())..]) {
        Some(i) => &body[..from + i],
        None => body,
    };
    let proto = field(PROTO, body, &mut from);
    let spt = field(SPT, body, &mut from);
    let dpt = field(DPT, body, &mut from);
    if !cx.lean {
        ev.iface_in = some_text(iface_in);
        ev.iface_out = some_text(iface_out);
    }
    if let Some(v) = src {
        ev.src = Some(addr(v).ok_or(Skip::Malformed)?);
    }
    if let Some(v) = dst {
        ev.dst = Some(addr(v).ok_or(Skip::Malformed)?);
    }
    ev.protocol = proto.filter(|v| !v.is_empty()).map(str::to_ascii_lowercase);
    if let Some(v) = spt {
        ev.src_port = Some(port(v).ok_or(Skip::Malformed)?);
    }
    if let Some(v) = dpt {
        ev.dst_port = Some(port(v).ok_or(Skip::Malformed)?);
    }
    if ev.src.is_none() || ev.dst.is_none() {
        return Err(Skip::Malformed);
    }
    ev.direction = match (iface_in.is_empty(), iface_out.is_empty()) {
        (false, true) => Direction::In,
        (true, false) => Direction::Out,
        _ => Direction::Unknown,
    };
    Ok(Some(ev))
}

/// The prefix without a leading kernel timestamp `[seconds.micros]`.
fn kernel_stamp(prefix: &str) -> &str {
    if let Some(rest) = prefix.strip_prefix('[') {
        if let Some(end) = rest.find(']') {
            let inner = rest[..end].trim_ascii();
            if !inner.is_empty() && inner.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
                return rest[end + 1..].trim_ascii();
            }
        }
    }
    prefix
}

/// The verdict a prefix names: `AUDIT` is none; drop words before accept
/// words.
pub(super) fn action(prefix: &str) -> Option<Action> {
    // Without an upper-case copy: this runs once a line.
    let p = prefix.as_bytes();
    let has = |words: &[&str]| {
        words.iter().any(|w| {
            p.windows(w.len())
                .any(|x| x.eq_ignore_ascii_case(w.as_bytes()))
        })
    };
    if p.is_empty() {
        None
    } else if has(&["AUDIT"]) {
        Some(Action::Other)
    } else if has(&["BLOCK", "DROP", "DENY", "DENIED", "REJECT"]) {
        Some(Action::Drop)
    } else if has(&["ALLOW", "ACCEPT", "PASS", "PERMIT"]) {
        Some(Action::Accept)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_name_the_action() {
        assert_eq!(action("[UFW BLOCK]"), Some(Action::Drop));
        assert_eq!(action("[UFW AUDIT]"), Some(Action::Other));
        assert_eq!(action("[UFW ALLOW]"), Some(Action::Accept));
        assert_eq!(action("IPTABLES:BLOCKED-CONN:"), Some(Action::Drop));
        assert_eq!(action("fw-log"), None);
        assert_eq!(action(""), None);
        assert_eq!(kernel_stamp("[123.456] [UFW BLOCK]"), "[UFW BLOCK]");
        assert_eq!(kernel_stamp("[UFW BLOCK]"), "[UFW BLOCK]");
    }

    #[test]
    fn a_quoted_packet_is_not_the_packet() {
        let mut cx = Context::new(0);
        let ev = parse(
            "IN=eth0 OUT= SRC=192.0.2.1 DST=10.0.0.1 PROTO=ICMP TYPE=3 CODE=3 [SRC=10.0.0.1 DST=192.0.2.1 PROTO=UDP SPT=5 DPT=53 ]",
            &mut cx,
        )
        .unwrap()
        .unwrap();
        assert_eq!(ev.dst, "10.0.0.1".parse().ok());
        assert_eq!((ev.protocol.as_deref(), ev.dst_port), (Some("icmp"), None));
        assert_eq!(ev.time, None);
    }

    #[test]
    fn in_must_start_a_field() {
        assert_eq!(body_start("LOGIN=x IN=eth0"), Some(8));
        assert_eq!(body_start("x:IN=eth0"), Some(2));
        assert_eq!(body_start("LOGIN=x"), None);
    }
}
