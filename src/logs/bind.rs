//! BIND (`named`) query, RPZ and security logs. A line starts with
//! BIND's own stamp (`07-Dec-2026 12:00:01.123`, local time: the
//! context's zone), a syslog header, or neither (`host named[pid]:` as the
//! journal prints it, no time); then optional category and severity
//! (`queries: info:`), then `client [@0x…] ADDR#PORT [(NAME)]: [view V: ]`
//! and the message. The client is the source. Messages read:
//!
//! - `query: NAME CLASS TYPE FLAGS (SERVER)`: a query, action other, the
//!   server address it came to as destination, `T` among the flags for
//!   TCP (else UDP);
//! - `[disabled ]rpz TYPE POLICY rewrite NAME[/TYPE/CLASS] via TRIGGER`:
//!   an RPZ rewrite, signature `rpz TYPE POLICY`, rule the policy zone (the
//!   trigger name without its trigger part); NXDOMAIN, NODATA, DROP,
//!   Local-Data and CNAME are blocks (drop), PASSTHRU is accept, a
//!   disabled (log-only) zone and anything else is other;
//! - `query [(cache)] 'NAME/TYPE/CLASS' denied`, `zone transfer
//!   'NAME/AXFR/CLASS' denied`, `update 'ZONE/CLASS' denied`: refused,
//!   action drop.
//!
//! Other client messages (`bad zone transfer request`, …) and other named
//! lines are [`Skip::Unsupported`]; lines of other programs (no BIND
//! stamp, no `named` tag) [`Skip::Foreign`].

use super::fields::{qname, rpz_action};
use super::stamp::{clock, month, number, Civil};
use super::syslog::{frame, FrameError};
use super::{addr, port, some_text, Action, Context, Event, Skip};

pub(super) fn looks_like(line: &str) -> bool {
    let Some(at) = client_at(line) else {
        return false;
    };
    bind_stamp(line).is_some() || line.contains("named[") || {
        let rest = &line[at + 7..];
        let rest = rest
            .strip_prefix('@')
            .and_then(|r| r.split_once(' ').map(|x| x.1))
            .unwrap_or(rest);
        rest.split(' ').next().is_some_and(|w| w.contains('#'))
    }
}

/// Where `client ` starts, at the start of the message or after a space.
fn client_at(s: &str) -> Option<usize> {
    if s.starts_with("client ") {
        return Some(0);
    }
    s.find(" client ").map(|i| i + 1)
}

pub(super) fn parse(line: &str, cx: &mut Context) -> Result<Option<Event>, Skip> {
    let (time, msg, named) = match bind_stamp(line) {
        Some((parts, rest)) => (
            Some(local(parts, cx).ok_or(Skip::BadTime)?),
            std::borrow::Cow::Borrowed(rest),
            true,
        ),
        None => {
            let f = frame(line, &mut cx.year).map_err(|FrameError::BadTime| Skip::BadTime)?;
            let named = f.tag == Some("named") || f.msg.contains("named[");
            (f.time, f.msg, named)
        }
    };
    let msg: &str = &msg;
    // named's other messages are unsupported; another program's, foreign.
    let at = client_at(msg).ok_or(if named {
        Skip::Unsupported
    } else {
        Skip::Foreign
    })?;
    let rest = &msg[at + 7..];
    let rest = match rest.strip_prefix('@') {
        Some(r) => r.split_once(' ').ok_or(Skip::Malformed)?.1,
        None => rest,
    };
    let (client, rest) = rest.split_once(' ').ok_or(Skip::Malformed)?;
    let client = client.strip_suffix(':').unwrap_or(client);
    let (a, p) = client.rsplit_once('#').ok_or(Skip::Malformed)?;
    let mut ev = Event::empty();
    ev.time = time;
    ev.src = Some(addr(a).ok_or(Skip::Malformed)?);
    ev.src_port = Some(port(p).ok_or(Skip::Malformed)?);
    // `(name): ` after the client, then an optional `view V: `.
    let mut rest = rest;
    if rest.starts_with('(') {
        let end = rest.find("): ").ok_or(Skip::Malformed)?;
        rest = &rest[end + 3..];
    }
    if let Some(v) = rest.strip_prefix("view ") {
        rest = v.split_once(": ").ok_or(Skip::Malformed)?.1;
    }
    if let Some(q) = rest.strip_prefix("query: ") {
        query(q, &mut ev)?;
    } else if let Some(r) = rest.strip_prefix("rpz ") {
        rpz(r, true, &mut ev)?;
    } else if let Some(r) = rest.strip_prefix("disabled rpz ") {
        rpz(r, false, &mut ev)?;
    } else if rest.ends_with(" denied") || rest.contains(" denied (") {
        denied(rest, &mut ev)?;
    } else {
        return Err(Skip::Unsupported);
    }
    Ok(Some(ev))
}

/// `NAME CLASS TYPE FLAGS (SERVER)`.
fn query(q: &str, ev: &mut Event) -> Result<(), Skip> {
    let w: Vec<&str> = q.split_ascii_whitespace().collect();
    if w.len() < 3 {
        return Err(Skip::Malformed);
    }
    ev.qname = qname(w[0]);
    ev.action = Some(Action::Other);
    let flags = w.get(3).filter(|f| !f.starts_with('('));
    ev.protocol = Some(if flags.is_some_and(|f| f.contains('T')) {
        "tcp".into()
    } else {
        "udp".into()
    });
    if let Some(server) = w.iter().find(|x| x.starts_with('(')) {
        let inner = server
            .strip_prefix('(')
            .and_then(|s| s.strip_suffix(')'))
            .ok_or(Skip::Malformed)?;
        ev.dst = Some(addr(inner).ok_or(Skip::Malformed)?);
    }
    Ok(())
}

/// `TYPE POLICY rewrite NAME[/TYPE/CLASS] via TRIGGER[ (CNAME to: X)]`.
fn rpz(r: &str, enabled: bool, ev: &mut Event) -> Result<(), Skip> {
    let w: Vec<&str> = r.split_ascii_whitespace().collect();
    if w.len() < 6 || w[2] != "rewrite" || w[4] != "via" {
        return Err(Skip::Malformed);
    }
    let (kind, policy) = (w[0], w[1]);
    ev.signature = Some(format!("rpz {kind} {policy}"));
    let name = w[3].split('/').next().unwrap_or(w[3]);
    ev.qname = qname(name);
    let trigger = w[5].strip_suffix('.').unwrap_or(w[5]);
    ev.rule = some_text(zone_of(trigger, kind, ev.qname.as_deref().unwrap_or("")));
    ev.action = Some(if !enabled {
        Action::Other
    } else {
        rpz_action(policy)
    });
    Ok(())
}

/// The policy zone of a trigger name: after the `rpz-ip`, `rpz-nsip`,
/// `rpz-nsdname` or `rpz-client-ip` label, else (QNAME) after the queried
/// name or the wildcard `*.SUFFIX` that matched it.
fn zone_of<'a>(trigger: &'a str, kind: &str, name: &str) -> &'a str {
    for label in [".rpz-ip.", ".rpz-nsip.", ".rpz-nsdname.", ".rpz-client-ip."] {
        if let Some(i) = trigger.find(label) {
            return &trigger[i + label.len()..];
        }
    }
    if kind == "QNAME" {
        let lower = trigger.to_ascii_lowercase();
        if let Some(rest) = lower.strip_prefix(name).and_then(|r| r.strip_prefix('.')) {
            return &trigger[trigger.len() - rest.len()..];
        }
        if let Some(wild) = lower.strip_prefix("*.") {
            // The longest suffix of the name the wildcard names.
            let mut suffix = name;
            loop {
                if let Some(rest) = wild.strip_prefix(suffix).and_then(|r| r.strip_prefix('.')) {
                    if !suffix.is_empty() {
                        return &trigger[trigger.len() - rest.len()..];
                    }
                }
                match suffix.split_once('.') {
                    Some((_, s)) => suffix = s,
                    None => break,
                }
            }
        }
    }
    trigger
}

/// `query [(cache)] 'NAME/TYPE/CLASS' denied`, `zone transfer '…' denied`,
/// `update '…' denied`.
fn denied(rest: &str, ev: &mut Event) -> Result<(), Skip> {
    let open = rest.find('\'').ok_or(Skip::Unsupported)?;
    let what = rest[..open].trim();
    if !matches!(
        what,
        "query" | "query (cache)" | "zone transfer" | "update" | "notify"
    ) {
        return Err(Skip::Unsupported);
    }
    let close = rest[open + 1..].find('\'').ok_or(Skip::Malformed)?;
    let quoted = &rest[open + 1..open + 1 + close];
    let name = quoted.split('/').next().unwrap_or("");
    ev.qname = qname(name);
    ev.action = Some(Action::Drop);
    ev.signature = Some(format!("{what} denied"));
    Ok(())
}

/// `dd-Mmm-yyyy hh:mm:ss.mmm ` at the start: the parts and the rest.
fn bind_stamp(s: &str) -> Option<(Civil, &str)> {
    let b = s.as_bytes();
    if b.len() < 21 || b[2] != b'-' || b[6] != b'-' || b[11] != b' ' {
        return None;
    }
    let d: u8 = s.get(..2)?.parse().ok()?;
    let mo = month(s.get(3..6)?)?;
    let y = number(s.get(7..11)?)?;
    let end = s[12..].find(' ').map_or(s.len(), |i| i + 12);
    let (h, mi, sec) = clock(&s[12..end])?;
    Some(((y, mo, d, h, mi, sec), s.get(end + 1..).unwrap_or("")))
}

fn local((y, mo, d, h, mi, s): Civil, cx: &mut Context) -> Option<i64> {
    cx.year.local(y, mo, d, h, mi, s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_zones_from_triggers() {
        assert_eq!(
            zone_of("bad.example.rpz.lists.example", "QNAME", "bad.example"),
            "rpz.lists.example"
        );
        assert_eq!(
            zone_of("*.example.rpz.local", "QNAME", "a.b.example"),
            "rpz.local"
        );
        assert_eq!(
            zone_of("32.5.113.0.203.rpz-ip.rpz.local", "IP", "x.example"),
            "rpz.local"
        );
        assert_eq!(zone_of("other", "QNAME", "x.example"), "other");
    }

    #[test]
    fn stamps() {
        let mut cx = Context::new(0);
        let (parts, rest) = bind_stamp("07-Dec-2026 12:00:01.123 client x").unwrap();
        assert_eq!(rest, "client x");
        assert_eq!(local(parts, &mut cx), Some(1_796_644_801));
        assert!(bind_stamp("7-Dec-2026 12:00:01.123 client").is_none());
        let (parts, _) = bind_stamp("31-Feb-2026 12:00:01.123 x").unwrap();
        assert_eq!(local(parts, &mut cx), None);
    }

    #[test]
    fn client_needs_an_address_and_port() {
        let mut cx = Context::new(0);
        assert_eq!(
            parse("client 10.0.0.5: query: x IN A", &mut cx),
            Err(Skip::Malformed)
        );
        assert_eq!(
            parse("client 10.0.0.5#1 (x): query: x", &mut cx),
            Err(Skip::Malformed)
        );
        assert_eq!(
            parse("client 10.0.0.5#1: something else", &mut cx),
            Err(Skip::Unsupported)
        );
        assert_eq!(
            parse("Dec  7 12:00:01 ns named[1]: zone x/IN: loaded", &mut cx),
            Err(Skip::Unsupported)
        );
        assert_eq!(
            parse("Dec  7 12:00:01 ns sshd[1]: Accepted publickey", &mut cx),
            Err(Skip::Foreign)
        );
    }
}
