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
    let mut from = 0;
    static IN: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new("IN="));
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
    let prefix = kernel_stamp(msg[..start].trim());
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
    ev.action = action(prefix);
    let (mut iface_in, mut iface_out) = (false, false);
    for token in msg[start..].split_ascii_whitespace() {
        // An ICMP error quotes the offending packet in `[SRC=… DST=…]`:
        // its fields are not this packet's.
        if token.starts_with('[') {
            break;
        }
        // Tokens are short: a plain scan beats a memchr call.
        let Some(eq) = token.bytes().position(|b| b == b'=') else {
            continue;
        };
        let (key, value) = (&token[..eq], &token[eq + 1..]);
        match key {
            "IN" => {
                iface_in = !value.is_empty();
                if !cx.lean {
                    ev.iface_in = some_text(value);
                }
            }
            "OUT" => {
                iface_out = !value.is_empty();
                if !cx.lean {
                    ev.iface_out = some_text(value);
                }
            }
            "SRC" => ev.src = Some(addr(value).ok_or(Skip::Malformed)?),
            "DST" => ev.dst = Some(addr(value).ok_or(Skip::Malformed)?),
            "PROTO" if ev.protocol.is_none() && !value.is_empty() => {
                ev.protocol = Some(value.to_ascii_lowercase())
            }
            "SPT" if ev.src_port.is_none() => {
                ev.src_port = Some(port(value).ok_or(Skip::Malformed)?)
            }
            "DPT" if ev.dst_port.is_none() => {
                ev.dst_port = Some(port(value).ok_or(Skip::Malformed)?);
                // The rest (window, flags) is not read.
                if ev.src.is_some() && ev.dst.is_some() {
                    break;
                }
            }
            _ => {}
        }
    }
    if ev.src.is_none() || ev.dst.is_none() {
        return Err(Skip::Malformed);
    }
    ev.direction = match (iface_in, iface_out) {
        (true, false) => Direction::In,
        (false, true) => Direction::Out,
        _ => Direction::Unknown,
    };
    Ok(Some(ev))
}

/// The prefix without a leading kernel timestamp `[seconds.micros]`.
fn kernel_stamp(prefix: &str) -> &str {
    if let Some(rest) = prefix.strip_prefix('[') {
        if let Some(end) = rest.find(']') {
            let inner = rest[..end].trim();
            if !inner.is_empty() && inner.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
                return rest[end + 1..].trim();
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
