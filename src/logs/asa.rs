//! Cisco ASA / FTD / PIX syslog: `[header] %ASA-sev-NNNNNN: message`. The
//! header is the device's own stamp (`Apr 15 2013 09:36:50`, a year and
//! sometimes a zone name, taken as UTC; or without a year, from the
//! [`YearGuess`](super::YearGuess)) or an RFC 5424 header. Messages read:
//! 106001, 106006, 106010, 106015, 106023, 106100, 710003 (denied or
//! permitted traffic), 302013–302016 (connections built and torn down, with
//! real and mapped addresses: `inside:10.0.0.5/1234 (192.0.2.9/4321)`) and
//! 305011 (a translation built: an event of action `Other` whose `src` is
//! the real address and `src_mapped` the mapped one, and no destination;
//! matching translations to later connections is left to the analysis).
//! A host name the ASA prints in place of an address (`names`) fills
//! `src_name` / `dst_name` with the address `None`; a line with no address
//! on either side is [`Skip::HostName`]. Other message ids are skipped as
//! unsupported.

use super::stamp::{clock, month, number};
use super::syslog::{frame, unread};
use super::{addr, port, Action, Context, Direction, Event, Mapped, Skip};
use std::net::IpAddr;

const MARKS: [&str; 3] = ["%ASA-", "%FTD-", "%PIX-"];

fn mark(line: &str) -> Option<usize> {
    MARKS.iter().filter_map(|m| line.find(m)).min()
}

pub(super) fn looks_like(line: &str) -> bool {
    mark(line).is_some()
}

pub(super) fn parse(line: &str, cx: &mut Context) -> Result<Option<Event>, Skip> {
    let Some(at) = mark(line) else {
        // Another program's line, or a note of lost lines.
        return Err(match frame(line, &mut cx.year) {
            Ok(framed) => unread(&framed, &mut cx.lost),
            Err(_) => Skip::Foreign,
        });
    };
    let time = header_time(&line[..at], line, cx)?;
    let rest = &line[at + 5..];
    // `sev-NNNNNN: msg`; a few devices leave out the colon.
    let end = rest.find([':', ' ']).ok_or(Skip::Malformed)?;
    let (tag, msg) = (&rest[..end], &rest[end + 1..]);
    let id = tag.rsplit('-').next().unwrap_or("");
    let msg = msg.trim();
    let t: Vec<&str> = msg.split_ascii_whitespace().collect();
    let mut ev = Event::empty();
    ev.time = time;
    match id {
        "106023" => deny_acl(&t, &mut ev)?,
        "106010" => deny_protocol(&t, &mut ev)?,
        "106001" | "106006" | "106015" => deny_from_to(&t, &mut ev)?,
        "106100" => access_list(&t, &mut ev)?,
        "302013" | "302015" => built(&t, &mut ev)?,
        "302014" | "302016" => teardown(&t, &mut ev)?,
        "305011" => translation(&t, &mut ev)?,
        "710003" => denied_to_box(&t, &mut ev)?,
        _ => return Err(Skip::Unsupported),
    }
    if ev.src.is_none() && ev.dst.is_none() {
        return Err(Skip::HostName);
    }
    Ok(Some(ev))
}

/// The device's stamp (`Mmm dd [yyyy] hh:mm:ss [ZONE] [host] :`), an RFC
/// 5424 or 3164 header, or none.
fn header_time(header: &str, line: &str, cx: &mut Context) -> Result<Option<i64>, Skip> {
    let h = header.trim();
    let h = match h.strip_prefix('<').and_then(|r| r.split_once('>')) {
        Some((pri, r)) if pri.bytes().all(|b| b.is_ascii_digit()) => r.trim_start(),
        _ => h,
    };
    if h.is_empty() {
        return Ok(None);
    }
    let w: Vec<&str> = h.split_ascii_whitespace().collect();
    if let Some(mon) = w.first().and_then(|m| month(m)) {
        let day: u8 = w.get(1).and_then(|d| d.parse().ok()).ok_or(Skip::BadTime)?;
        let year = w.get(2).filter(|y| y.len() == 4).and_then(|y| number(y));
        let ci = if year.is_some() { 3 } else { 2 };
        let (hh, mm, ss) = w
            .get(ci)
            .map(|c| c.trim_end_matches(':'))
            .and_then(clock)
            .ok_or(Skip::BadTime)?;
        return cx
            .year
            .civil(year, mon, day, hh, mm, ss)
            .map(Some)
            .ok_or(Skip::BadTime);
    }
    let framed = frame(line, &mut cx.year).map_err(|_| Skip::BadTime)?;
    Ok(framed.time)
}

/// An address, or the host name the ASA prints in its place (the names
/// it was configured with).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Host<'a> {
    Ip(IpAddr),
    Name(&'a str),
}

impl<'a> Host<'a> {
    fn read(s: &'a str) -> Option<Host<'a>> {
        match addr(s) {
            Some(ip) => Some(Host::Ip(ip)),
            None if is_host_name(s) => Some(Host::Name(s)),
            None => None,
        }
    }

    fn ip(self) -> Option<IpAddr> {
        match self {
            Host::Ip(ip) => Some(ip),
            Host::Name(_) => None,
        }
    }

    fn name(self) -> Option<String> {
        match self {
            Host::Ip(_) => None,
            Host::Name(n) => Some(n.to_string()),
        }
    }
}

/// Sets the source (`src` true) or destination address or name.
fn set_host(ev: &mut Event, src: bool, h: Host) {
    if src {
        (ev.src, ev.src_name) = (h.ip(), h.name());
    } else {
        (ev.dst, ev.dst_name) = (h.ip(), h.name());
    }
}

/// `IF:ADDR[/PORT]` or `ADDR[/PORT]` (IPv6 too): interface, address or
/// host name, port.
fn colon_end(s: &str) -> Result<Side<'_>, Skip> {
    let (a, p) = match s.rsplit_once('/') {
        Some((a, p)) => (a, Some(port(p).ok_or(Skip::Malformed)?)),
        None => (s, None),
    };
    if let Some(ip) = addr(a) {
        return Ok((None, Host::Ip(ip), p));
    }
    let (iface, a) = a.split_once(':').ok_or(Skip::Malformed)?;
    let iface = Some(iface).filter(|i| !i.is_empty());
    Ok((iface, Host::read(a).ok_or(Skip::Malformed)?, p))
}

fn is_host_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.bytes().any(|b| b.is_ascii_alphabetic())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// `(ADDR/PORT)`, a mapped address (a user may follow:
/// `(ADDR/PORT)(LOCAL\user)`).
fn mapped(s: &str) -> Option<Mapped> {
    let inner = s.strip_prefix('(')?;
    let inner = &inner[..inner.find(')')?];
    let (iface, h, p) = colon_end(inner).ok()?;
    iface.is_none().then_some(Mapped {
        addr: h.ip()?,
        port: p,
    })
}

fn pos(t: &[&str], word: &str, from: usize) -> Option<usize> {
    t.iter()
        .skip(from)
        .position(|w| *w == word)
        .map(|i| i + from)
}

/// An interface, address or host name, and port (see [`colon_end`]).
type Side<'a> = (Option<&'a str>, Host<'a>, Option<u16>);

/// The word `word` (the first from `from` on) and the [`colon_end`] after
/// it: its position and the end.
fn after<'a>(t: &[&'a str], word: &str, from: usize) -> Result<(usize, Side<'a>), Skip> {
    let i = pos(t, word, from).ok_or(Skip::Malformed)?;
    let end = t.get(i + 1).ok_or(Skip::Malformed)?;
    Ok((i, colon_end(end)?))
}

/// `src IF:A[/P] dst IF:B[/P]` (106023, 106010): the ends, their ports
/// and interfaces; the position of `dst`.
fn src_dst(t: &[&str], ev: &mut Event) -> Result<usize, Skip> {
    let (s, (si, sa, sp)) = after(t, "src", 2)?;
    let (d, (di, da, dp)) = after(t, "dst", s)?;
    set_host(ev, true, sa);
    set_host(ev, false, da);
    (ev.src_port, ev.iface_in) = (sp, si.map(str::to_string));
    (ev.dst_port, ev.iface_out) = (dp, di.map(str::to_string));
    Ok(d)
}

/// `Deny PROTO src IF:A[/P] dst IF:B[/P] … by access-group "NAME"`.
fn deny_acl(t: &[&str], ev: &mut Event) -> Result<(), Skip> {
    if t.first() != Some(&"Deny") {
        return Err(Skip::Unsupported);
    }
    ev.action = Some(Action::Drop);
    ev.protocol = t.get(1).map(|p| p.to_ascii_lowercase());
    let d = src_dst(t, ev)?;
    if let Some(g) = pos(t, "access-group", d) {
        ev.rule = t.get(g + 1).map(|r| r.trim_matches('"').to_string());
    }
    Ok(())
}

/// 106001 `Inbound TCP connection denied from A/P to B/P flags … on
/// interface IF`, 106006 `Deny inbound UDP from A/P to B/P on interface
/// IF`, 106015 `Deny TCP (no connection) from A/P to B/P flags … on
/// interface IF`.
fn deny_from_to(t: &[&str], ev: &mut Event) -> Result<(), Skip> {
    ev.action = Some(Action::Drop);
    let first = t.first().copied().unwrap_or("");
    ev.protocol = match first {
        "Inbound" | "Outbound" => t.get(1),
        "Deny" if matches!(t.get(1), Some(&"inbound" | &"outbound")) => t.get(2),
        "Deny" => t.get(1),
        _ => return Err(Skip::Unsupported),
    }
    .map(|p| p.to_ascii_lowercase());
    let lower = |w: &str| w.eq_ignore_ascii_case("inbound");
    ev.direction = if lower(first) || t.get(1).is_some_and(|w| lower(w)) {
        Direction::In
    } else if first == "Outbound" || t.get(1) == Some(&"outbound") {
        Direction::Out
    } else {
        Direction::Unknown
    };
    let (f, (_, sa, sp)) = after(t, "from", 1)?;
    let (to, (_, da, dp)) = after(t, "to", f)?;
    set_host(ev, true, sa);
    set_host(ev, false, da);
    (ev.src_port, ev.dst_port) = (sp, dp);
    if let Some(i) = pos(t, "interface", to) {
        ev.iface_in = t.get(i + 1).map(|s| s.to_string());
    }
    Ok(())
}

/// `IF/ADDR(PORT)` of 106100 (a host name in place of the address too).
fn slash_end(s: &str) -> Option<(&str, Host<'_>, Option<u16>)> {
    let (iface, rest) = s.split_once('/')?;
    let (a, p) = match rest.split_once('(') {
        Some((a, p)) => (a, Some(port(p.strip_suffix(')')?)?)),
        None => (rest, None),
    };
    Some((iface, Host::read(a)?, p))
}

/// `access-list NAME permitted|denied|est-allowed PROTO IF/A(P) -> IF/B(P) …`.
fn access_list(t: &[&str], ev: &mut Event) -> Result<(), Skip> {
    if t.first() != Some(&"access-list") || t.len() < 7 || t[5] != "->" {
        return Err(Skip::Malformed);
    }
    ev.rule = Some(t[1].to_string());
    ev.action = Some(match t[2] {
        "denied" => Action::Drop,
        "permitted" | "est-allowed" => Action::Accept,
        _ => Action::Other,
    });
    ev.protocol = Some(t[3].to_ascii_lowercase());
    let (si, sa, sp) = slash_end(t[4]).ok_or(Skip::Malformed)?;
    let (di, da, dp) = slash_end(t[6]).ok_or(Skip::Malformed)?;
    set_host(ev, true, sa);
    set_host(ev, false, da);
    (ev.src_port, ev.iface_in) = (sp, Some(si.to_string()));
    (ev.dst_port, ev.iface_out) = (dp, Some(di.to_string()));
    Ok(())
}

type End<'a> = (Option<&'a str>, Host<'a>, Option<u16>, Option<Mapped>);

/// The two ends after `for` and `to`, each with its mapped address when the
/// line gives one.
fn for_to<'a>(t: &[&'a str]) -> Result<(End<'a>, End<'a>), Skip> {
    let with_mapped =
        |(i, (iface, a, p)): (usize, Side<'a>)| (iface, a, p, t.get(i + 2).and_then(|m| mapped(m)));
    let (f, a) = after(t, "for", 1)?;
    let b = after(t, "to", f + 2)?;
    Ok((with_mapped((f, a)), with_mapped(b)))
}

fn set_ends(ev: &mut Event, src: End, dst: End) {
    set_host(ev, true, src.1);
    ev.src_port = src.2;
    ev.iface_in = src.0.map(str::to_string);
    ev.src_mapped = src.3;
    set_host(ev, false, dst.1);
    ev.dst_port = dst.2;
    ev.iface_out = dst.0.map(str::to_string);
    ev.dst_mapped = dst.3;
}

/// `Built inbound|outbound TCP|UDP connection ID for IF:A/P (A'/P') to
/// IF:B/P (B'/P')`: the `for` end is the foreign one, so an outbound
/// connection goes from the `to` end.
fn built(t: &[&str], ev: &mut Event) -> Result<(), Skip> {
    if t.first() != Some(&"Built") {
        return Err(Skip::Malformed);
    }
    ev.action = Some(Action::Accept);
    ev.protocol = t.get(2).map(|p| p.to_ascii_lowercase());
    let (foreign, local) = for_to(t)?;
    match t.get(1) {
        Some(&"inbound") => {
            ev.direction = Direction::In;
            set_ends(ev, foreign, local);
        }
        Some(&"outbound") => {
            ev.direction = Direction::Out;
            set_ends(ev, local, foreign);
        }
        _ => return Err(Skip::Malformed),
    }
    Ok(())
}

/// `Teardown TCP|UDP connection ID for IF:A/P [user] to IF:B/P [user]
/// duration …`: ends in the line's order, no direction.
fn teardown(t: &[&str], ev: &mut Event) -> Result<(), Skip> {
    if t.first() != Some(&"Teardown") {
        return Err(Skip::Malformed);
    }
    ev.action = Some(Action::Other);
    ev.protocol = t.get(1).map(|p| p.to_ascii_lowercase());
    let (a, b) = for_to(t)?;
    set_ends(ev, a, b);
    Ok(())
}

/// 106010 `Deny inbound|outbound PROTO src IF:A[/P] dst IF:B[/P]`, the
/// protocol a name (`tcp`) or `protocol N`.
fn deny_protocol(t: &[&str], ev: &mut Event) -> Result<(), Skip> {
    if t.first() != Some(&"Deny") {
        return Err(Skip::Unsupported);
    }
    ev.action = Some(Action::Drop);
    ev.direction = match t.get(1) {
        Some(&"inbound") => Direction::In,
        Some(&"outbound") => Direction::Out,
        _ => Direction::Unknown,
    };
    let proto = match t.get(2) {
        Some(&"protocol") => t.get(3),
        p => p,
    };
    ev.protocol = proto.map(|p| p.to_ascii_lowercase());
    src_dst(t, ev)?;
    Ok(())
}

/// 305011 `Built dynamic|static TCP|UDP|ICMP translation from IF:REAL/P
/// to IF:MAPPED/P`: the real address is the source, the mapped one its
/// `src_mapped`; no destination. ICMP's numbers are ids, not ports.
fn translation(t: &[&str], ev: &mut Event) -> Result<(), Skip> {
    if t.first() != Some(&"Built") || t.get(3) != Some(&"translation") {
        return Err(Skip::Malformed);
    }
    ev.action = Some(Action::Other);
    let proto = t.get(2).map(|p| p.to_ascii_lowercase());
    let ports = matches!(proto.as_deref(), Some("tcp" | "udp"));
    ev.protocol = proto;
    let (f, (ri, real, rp)) = after(t, "from", 3)?;
    let (_, (mi, mapped, mp)) = after(t, "to", f + 2)?;
    set_host(ev, true, real);
    ev.src_port = rp.filter(|_| ports);
    ev.iface_in = ri.map(str::to_string);
    ev.iface_out = mi.map(str::to_string);
    ev.src_mapped = mapped.ip().map(|addr| Mapped {
        addr,
        port: mp.filter(|_| ports),
    });
    Ok(())
}

/// 710003 `TCP|UDP access denied by ACL from A/P to IF:B/SERVICE`: traffic
/// to the ASA itself, refused on interface IF. The service is a port, or a
/// name the ASA knows for one.
fn denied_to_box(t: &[&str], ev: &mut Event) -> Result<(), Skip> {
    if t.get(1..5) != Some(&["access", "denied", "by", "ACL"][..]) {
        return Err(Skip::Unsupported);
    }
    ev.action = Some(Action::Drop);
    ev.protocol = t.first().map(|p| p.to_ascii_lowercase());
    let (f, (_, sa, sp)) = after(t, "from", 5)?;
    let to = pos(t, "to", f + 2).ok_or(Skip::Malformed)?;
    let dst = *t.get(to + 1).ok_or(Skip::Malformed)?;
    let (dst, dp) = match dst.rsplit_once('/') {
        Some((d, svc)) if port(svc).is_none() => (d, service(svc)),
        _ => (dst, None),
    };
    let (di, da, p) = colon_end(dst)?;
    set_host(ev, true, sa);
    set_host(ev, false, da);
    ev.src_port = sp;
    ev.dst_port = p.or(dp);
    ev.iface_in = di.map(str::to_string);
    Ok(())
}

/// The port of a service name as the ASA prints them (`Cisco ASA Series
/// Syslog Messages`, TCP and UDP port literals); `None` for one not known.
fn service(name: &str) -> Option<u16> {
    Some(match name {
        "ftp-data" => 20,
        "ftp" => 21,
        "ssh" => 22,
        "telnet" => 23,
        "smtp" => 25,
        "domain" => 53,
        "bootps" => 67,
        "bootpc" => 68,
        "tftp" => 69,
        "http" | "www" => 80,
        "pop3" => 110,
        "sunrpc" => 111,
        "ntp" => 123,
        "netbios-ns" => 137,
        "netbios-dgm" => 138,
        "netbios-ssn" => 139,
        "imap4" => 143,
        "snmp" => 161,
        "snmptrap" => 162,
        "bgp" => 179,
        "ldap" => 389,
        "https" => 443,
        "isakmp" => 500,
        "syslog" => 514,
        "ldaps" => 636,
        "sqlnet" => 1521,
        "radius" => 1645,
        "radius-acct" => 1646,
        "h323" => 1720,
        "pptp" => 1723,
        "sip" => 5060,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stamp_without_year_takes_the_guess() {
        // Reference 2026-12-07T12:00:00Z: December 9 is more than a day
        // later (the slack for zones), so last year's.
        let mut cx = Context::new(1_796_644_800);
        let line = "Dec  9 09:00:00 fw01 : %ASA-2-106006: Deny inbound UDP from 192.0.2.6/137 to 10.0.0.7/137 on interface outside";
        let ev = parse(line, &mut cx).unwrap().unwrap();
        assert_eq!(ev.time, super::super::syslog::civil(2025, 12, 9, 9, 0, 0));
        assert_eq!(ev.iface_in.as_deref(), Some("outside"));
        assert_eq!(
            parse("Dec 99 2026 09:00:00: %ASA-2-106006: x", &mut cx),
            Err(Skip::BadTime)
        );
    }

    #[test]
    fn ends_with_interfaces_and_ipv6() {
        let ip4: IpAddr = "10.0.0.5".parse().unwrap();
        let v4 = Host::Ip(ip4);
        assert_eq!(
            colon_end("inside:10.0.0.5/1234"),
            Ok((Some("inside"), v4, Some(1234)))
        );
        assert_eq!(colon_end("10.0.0.5/1234"), Ok((None, v4, Some(1234))));
        assert_eq!(colon_end("inside:10.0.0.5"), Ok((Some("inside"), v4, None)));
        let v6 = Host::Ip("2001:db8::1".parse().unwrap());
        assert_eq!(
            colon_end("outside:2001:db8::1/80"),
            Ok((Some("outside"), v6, Some(80)))
        );
        assert_eq!(
            colon_end("outside:host.example/80"),
            Ok((Some("outside"), Host::Name("host.example"), Some(80)))
        );
        assert_eq!(colon_end("outside:10.0.0.5/x"), Err(Skip::Malformed));
        assert_eq!(colon_end("outside:a b/1"), Err(Skip::Malformed));
        assert_eq!(
            slash_end("inside/10.0.0.5(22)"),
            Some(("inside", v4, Some(22)))
        );
        assert_eq!(
            slash_end("inside/web01(22)"),
            Some(("inside", Host::Name("web01"), Some(22)))
        );
        assert_eq!(
            mapped("(10.0.0.5/7)"),
            Some(Mapped {
                addr: ip4,
                port: Some(7)
            })
        );
        assert_eq!(mapped("(OCSP_Server/7)"), None);
        assert_eq!(
            mapped("(10.0.0.5/7)(LOCAL\\user)").map(|m| m.port),
            Some(Some(7))
        );
        assert_eq!(service("https"), Some(443));
        assert_eq!(service("gopher-ish"), None);
    }
}
