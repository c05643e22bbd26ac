//! Fields that several formats write alike, read in one place: names
//! queried and their answers, action and direction words, protocol names
//! and numbers, ports (as text or JSON numbers), translated addresses, and
//! the quote-aware CSV splitter.

use super::{addr, port, some_text, Action, Direction, Event, Mapped, Skip};
use std::borrow::Cow;
use std::net::IpAddr;

/// A queried name: lower case, without the final dot (the root stays
/// `.`); `None` when empty.
pub(crate) fn qname(s: &str) -> Option<String> {
    let s = s.trim();
    if s == "." {
        return Some(".".into());
    }
    some_text(&s.strip_suffix('.').unwrap_or(s).to_ascii_lowercase())
}

/// The addresses in a list of answers (`,`, `;` or space separated); names
/// (CNAMEs) and other words are left out.
pub(crate) fn answers(v: &str) -> Vec<IpAddr> {
    v.split([',', ';', ' '])
        .filter_map(|a| addr(a.trim()))
        .collect()
}

pub(crate) fn direction_word(v: &str) -> Direction {
    match v.to_ascii_lowercase().as_str() {
        "in" | "inbound" | "incoming" | "ingress" => Direction::In,
        "out" | "outbound" | "outgoing" | "egress" => Direction::Out,
        _ => Direction::Unknown,
    }
}

/// Splits one CSV line at `sep`: a field that starts with `"` runs to its
/// closing quote (`""` is a quote inside it) and may hold the separator.
/// An unclosed quote runs to the end of the line.
pub(crate) fn split(line: &str, sep: u8) -> Vec<Cow<'_, str>> {
    let b = line.as_bytes();
    let mut out = Vec::with_capacity(64);
    let mut i = 0;
    loop {
        if b.get(i) == Some(&b'"') {
            let start = i + 1;
            let mut j = start;
            let mut doubled = false;
            let end = loop {
                match b.get(j) {
                    None => break b.len(),
                    Some(b'"') if b.get(j + 1) == Some(&b'"') => {
                        doubled = true;
                        j += 2;
                    }
                    Some(b'"') => break j,
                    Some(_) => j += 1,
                }
            };
            let text = &line[start..end];
            out.push(if doubled {
                Cow::Owned(text.replace("\"\"", "\""))
            } else {
                Cow::Borrowed(text)
            });
            // Skip to the next separator (anything after the closing quote
            // and before it is dropped).
            let next = b[end.min(b.len())..].iter().position(|c| *c == sep);
            match next {
                Some(k) => i = end + k + 1,
                None => break,
            }
        } else {
            match b[i..].iter().position(|c| *c == sep) {
                Some(k) => {
                    out.push(Cow::Borrowed(&line[i..i + k]));
                    i += k + 1;
                }
                None => {
                    out.push(Cow::Borrowed(&line[i..]));
                    break;
                }
            }
        }
    }
    out
}

/// What an action word of a firewall log means: `allow`, `accept`,
/// `permit`, `pass`, `close`, `timeout`, `alert`… let the traffic through;
/// `deny`, `drop`, `block`, `reject`, `reset-*`, `*-rst`, `sinkhole`…
/// stopped it; anything else is [`Action::Other`].
pub(crate) fn action_word(v: &str) -> Action {
    let v = v.trim().to_ascii_lowercase();
    let v = v.as_str();
    match v {
        "allow" | "allowed" | "accept" | "accepted" | "permit" | "permitted" | "pass"
        | "passed" | "passthrough" | "pass_session" | "close" | "timeout" | "start" | "alert"
        | "continue" | "override" | "detected" | "monitored" | "success" => Action::Accept,
        "deny" | "denied" | "drop" | "dropped" | "block" | "blocked" | "reject" | "rejected"
        | "reset" | "server-rst" | "client-rst" | "sinkhole" | "random-drop" | "clear_session" => {
            Action::Drop
        }
        _ if v.starts_with("reset-")
            || v.starts_with("block-")
            || v.starts_with("drop-")
            || v.starts_with("deny-") =>
        {
            Action::Drop
        }
        _ => Action::Other,
    }
}

/// A protocol as logs name it: a number becomes its name (`6` → `tcp`),
/// a name goes to lower case.
pub(crate) fn proto_name(v: &str) -> String {
    let name = match v {
        "1" => "icmp",
        "2" => "igmp",
        "4" => "ipip",
        "6" => "tcp",
        "17" => "udp",
        "41" => "ipv6",
        "47" => "gre",
        "50" => "esp",
        "51" => "ah",
        "58" => "ipv6-icmp",
        "89" => "ospf",
        "103" => "pim",
        "112" => "vrrp",
        "132" => "sctp",
        "136" => "udplite",
        _ => return v.to_ascii_lowercase(),
    };
    name.to_string()
}

/// Whether a protocol carries ports (an unknown one is taken as if).
pub(crate) fn has_ports(proto: Option<&str>) -> bool {
    matches!(proto, None | Some("tcp" | "udp" | "sctp" | "udplite"))
}

/// A protocol field: [`proto_name`], `None` when empty.
pub(crate) fn protocol(v: &str) -> Option<String> {
    (!v.is_empty()).then(|| proto_name(v))
}

/// What an RPZ policy did to a query, as BIND (`NXDOMAIN`, `Local-Data`,
/// `CNAME`, `PASSTHRU`…) and Unbound (`nxdomain`, `local-data`,
/// `cname-override`, `passthru`…) name it: an answer rewritten away is a
/// drop, `passthru` an accept, anything else other.
pub(crate) fn rpz_action(policy: &str) -> Action {
    match policy.to_ascii_lowercase().as_str() {
        "nxdomain" | "nodata" | "drop" | "local-data" | "cname" | "cname-override" => Action::Drop,
        "passthru" => Action::Accept,
        _ => Action::Other,
    }
}

/// `allowed` / `blocked`, as ulogd's `action` and Suricata's
/// `alert.action` write them.
pub(crate) fn allowed_blocked(v: Option<&str>) -> Option<Action> {
    match v {
        Some("allowed") => Some(Action::Accept),
        Some("blocked") => Some(Action::Drop),
        _ => None,
    }
}

/// The direction the interfaces tell: in with only an input interface,
/// out with only an output one.
pub(crate) fn iface_direction(ev: &Event) -> Direction {
    match (&ev.iface_in, &ev.iface_out) {
        (Some(_), None) => Direction::In,
        (None, Some(_)) => Direction::Out,
        _ => Direction::Unknown,
    }
}

/// A port given as text, when given.
pub(crate) fn opt_port(s: Option<&str>) -> Result<Option<u16>, Skip> {
    match s {
        Some(p) => Ok(Some(port(p).ok_or(Skip::Malformed)?)),
        None => Ok(None),
    }
}

/// A port given as a JSON number, when given.
pub(crate) fn json_port(p: Option<u64>) -> Result<Option<u16>, Skip> {
    match p {
        Some(p) => Ok(Some(u16::try_from(p).map_err(|_| Skip::Malformed)?)),
        None => Ok(None),
    }
}

/// An address given as text: `None` when empty, malformed when it is no
/// address.
pub(crate) fn opt_addr(v: &str) -> Result<Option<IpAddr>, Skip> {
    match v {
        "" => Ok(None),
        v => addr(v).map(Some).ok_or(Skip::Malformed),
    }
}

/// The other side of a translation: none for an unspecified address
/// (`0.0.0.0`, `::`), and no port 0.
pub(crate) fn mapped(a: Option<IpAddr>, p: Option<u16>) -> Option<Mapped> {
    a.filter(|a| !a.is_unspecified()).map(|addr| Mapped {
        addr,
        port: p.filter(|p| *p != 0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_quoted_fields() {
        let f = split(r#"a,"b,c",,"say ""hi""",d"#, b',');
        assert_eq!(f, vec!["a", "b,c", "", "say \"hi\"", "d"]);
        assert_eq!(split("x", b','), vec!["x"]);
        assert_eq!(split("", b','), vec![""]);
        assert_eq!(split("a,", b','), vec!["a", ""]);
        assert_eq!(split("\"open,end", b','), vec!["open,end"]);
        assert_eq!(split("a\tb", b'\t'), vec!["a", "b"]);
    }

    #[test]
    fn words_and_numbers() {
        assert_eq!(action_word("reset-both"), Action::Drop);
        assert_eq!(action_word("server-rst"), Action::Drop);
        assert_eq!(action_word("Permit"), Action::Accept);
        assert_eq!(action_word("ip-conn"), Action::Other);
        assert_eq!(proto_name("58"), "ipv6-icmp");
        assert_eq!(proto_name("TCP"), "tcp");
        assert_eq!(proto_name("253"), "253");
    }

    #[test]
    fn names_lose_the_final_dot() {
        assert_eq!(qname("Bad.Example."), Some("bad.example".into()));
        assert_eq!(qname("."), Some(".".into()));
        assert_eq!(qname(""), None);
    }
}
