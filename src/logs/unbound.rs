//! Unbound's `info:` lines about queries. A line is Unbound's own
//! (`[EPOCH] unbound[PID:THREAD] info: …`, the time in Unix seconds) or
//! framed by syslog (`Dec  7 12:00:01 host unbound: [PID:THREAD] info: …`,
//! RFC 3164 or 5424). Read after `info: `:
//!
//! - `log-queries`: `CLIENT NAME. TYPE CLASS`, action other;
//! - `log-replies`: `CLIENT NAME. TYPE CLASS RCODE SECONDS CACHED SIZE`,
//!   action other (`CLIENT - - - FORMERR - - -` names nothing; with
//!   `log-tag-queryreply` the level reads `query:` or
//!   `reply:` in place of `info:`);
//! - RPZ (`rpz-log: yes`): `rpz: applied [LOG-NAME] [TRIGGER ]ACTION
//!   CLIENT@PORT NAME. TYPE CLASS`: rule the log name, signature `rpz
//!   ACTION`; nxdomain, nodata, drop, local-data and cname-override are
//!   blocks (drop), passthru is accept, others (disabled, tcp-only…) other;
//! - `log-local-actions`: `ZONE. ZONE-TYPE CLIENT@PORT NAME. TYPE CLASS`:
//!   rule the local zone, signature the zone type; `deny`, `refuse`,
//!   `static`, `redirect`, `inform_deny`, `inform_redirect` and the
//!   `always_*` types but `always_transparent` are blocks (drop), the rest
//!   (`transparent`, `inform`…) other.
//!
//! The client is the source; the lines name no server. Other Unbound lines
//! (`notice:`, `error:`, other `info:`) are [`Skip::Unsupported`].

use super::fields::{qname, rpz_action};
use super::stamp::epoch;
use super::syslog::{frame, FrameError};
use super::{addr, port, some_text, Action, Context, Event, Skip};
use std::net::IpAddr;

pub(super) fn looks_like(line: &str) -> bool {
    line.contains("unbound[") || line.contains("unbound: [")
}

pub(super) fn parse(line: &str, cx: &mut Context) -> Result<Option<Event>, Skip> {
    let time = match epoch_stamp(line) {
        Some(t) => Some(t),
        None => {
            frame(line, &mut cx.year)
                .map_err(|FrameError::BadTime| Skip::BadTime)?
                .time
        }
    };
    // The level follows `unbound[PID:THREAD] ` (own format, and syslog with
    // `log-time-ascii`) or `unbound[PID]: [PID:THREAD] ` (syslog).
    let u = line.find("unbound").ok_or(Skip::Foreign)?;
    let after = &line[u..];
    let msg = match after.find("] ") {
        Some(i) => &after[i + 2..],
        None => return Err(Skip::Foreign),
    };
    // `query: ` / `reply: ` in place of `info: ` with `log-tag-queryreply`.
    let body = match ["info: ", "query: ", "reply: "]
        .iter()
        .find_map(|l| msg.strip_prefix(l))
    {
        Some(b) => b,
        None if msg.contains(": ") => return Err(Skip::Unsupported),
        None => return Err(Skip::Foreign),
    };
    let mut ev = Event::empty();
    ev.time = time;
    if let Some(r) = body.strip_prefix("rpz: applied ") {
        rpz(r, &mut ev)?;
        return Ok(Some(ev));
    }
    let w: Vec<&str> = body.split_ascii_whitespace().collect();
    if w.len() >= 4 {
        if let Some((a, p)) = client(w[0]) {
            // log-queries (4 words) or log-replies (8, or more).
            if w.len() != 4 && w.len() < 8 {
                return Err(Skip::Malformed);
            }
            ev.src = Some(a);
            ev.src_port = p;
            // A FORMERR reply names nothing: `CLIENT - - - FORMERR - - -`.
            ev.qname = Some(w[1]).filter(|n| *n != "-").and_then(qname);
            ev.action = Some(Action::Other);
            return Ok(Some(ev));
        }
    }
    if w.len() == 6 && w[0].ends_with('.') && w[2].contains('@') {
        let (a, p) = client(w[2]).ok_or(Skip::Malformed)?;
        ev.src = Some(a);
        ev.src_port = p;
        ev.qname = qname(w[3]);
        ev.rule = some_text(w[0].strip_suffix('.').unwrap_or(w[0]));
        ev.signature = some_text(w[1]);
        ev.action = Some(local_zone_action(w[1]));
        return Ok(Some(ev));
    }
    Err(Skip::Unsupported)
}

/// `[1796644801] ` at the start: the time.
fn epoch_stamp(line: &str) -> Option<i64> {
    let rest = line.strip_prefix('[')?;
    let (n, _) = rest.split_once("] ")?;
    n.bytes().all(|b| b.is_ascii_digit()).then(|| epoch(n))?
}

/// `ADDR` or `ADDR@PORT`.
fn client(s: &str) -> Option<(IpAddr, Option<u16>)> {
    match s.rsplit_once('@') {
        Some((a, p)) => Some((addr(a)?, Some(port(p)?))),
        None => Some((addr(s)?, None)),
    }
}

/// `[LOG-NAME] [TRIGGER ]ACTION [CLIENT@PORT] NAME. TYPE CLASS`.
fn rpz(r: &str, ev: &mut Event) -> Result<(), Skip> {
    let r = r.trim_start();
    let r = match r.strip_prefix('[') {
        Some(inner) => {
            let (name, rest) = inner.split_once(']').ok_or(Skip::Malformed)?;
            ev.rule = some_text(name.strip_suffix('.').unwrap_or(name));
            rest
        }
        None => r,
    };
    let w: Vec<&str> = r.split_ascii_whitespace().collect();
    if w.len() < 4 {
        return Err(Skip::Malformed);
    }
    let n = w.len();
    ev.qname = qname(w[n - 3]);
    let mut i = n - 4;
    if let Some((a, p)) = client(w[i]) {
        ev.src = Some(a);
        ev.src_port = p;
        if i == 0 {
            return Err(Skip::Malformed);
        }
        i -= 1;
    }
    let action = w[i];
    ev.signature = Some(format!("rpz {action}"));
    ev.action = Some(rpz_action(action));
    if ev.src.is_none() {
        return Err(Skip::Malformed);
    }
    Ok(())
}

fn local_zone_action(kind: &str) -> Action {
    match kind {
        "deny" | "refuse" | "static" | "redirect" | "inform_deny" | "inform_redirect" => {
            Action::Drop
        }
        "always_transparent" => Action::Other,
        k if k.starts_with("always_") => Action::Drop,
        _ => Action::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clients_with_and_without_ports() {
        assert_eq!(
            client("10.0.0.5@53012"),
            Some(("10.0.0.5".parse().unwrap(), Some(53012)))
        );
        assert_eq!(
            client("2001:db8::5"),
            Some(("2001:db8::5".parse().unwrap(), None))
        );
        assert_eq!(client("bad.example."), None);
        assert_eq!(client("10.0.0.5@x"), None);
    }

    #[test]
    fn skips() {
        let mut cx = Context::new(0);
        assert_eq!(
            parse(
                "[1796644801] unbound[1:0] notice: init module 0: validator",
                &mut cx
            ),
            Err(Skip::Unsupported)
        );
        assert_eq!(
            parse(
                "[1796644801] unbound[1:0] info: start of service (unbound 1.19.0).",
                &mut cx
            ),
            Err(Skip::Unsupported)
        );
        assert_eq!(
            parse(
                "[1796644801] unbound[1:0] info: rpz: applied [z] nxdomain",
                &mut cx
            ),
            Err(Skip::Malformed)
        );
        assert_eq!(
            parse("Dec  7 12:00:01 ns sshd[1]: info: x", &mut cx),
            Err(Skip::Foreign)
        );
        assert_eq!(local_zone_action("always_nxdomain"), Action::Drop);
        assert_eq!(local_zone_action("always_transparent"), Action::Other);
        assert_eq!(local_zone_action("transparent"), Action::Other);
    }
}
