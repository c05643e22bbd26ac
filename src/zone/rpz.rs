//! Response policy zones (RPZ) for DNS firewalls (BIND, Unbound, PowerDNS
//! Recursor).
//!
//! Triggers are owner names in the policy zone: a domain (`bad.example`)
//! and, for its subdomains, `*.bad.example` (the wildcard does not match the
//! name itself); `LEN.reversed-address.rpz-ip` for answers holding a listed
//! address; the same under `rpz-client-ip` for queries from listed clients.
//! The action is the CNAME target (`.` NXDOMAIN, `*.` NODATA,
//! `rpz-passthru.`, `rpz-drop.`, `rpz-tcp-only.`, or a walled-garden name).
//! Allow-listed names get PASSTHRU, which beats a wildcard above them (an
//! exact name wins over a wildcard) and stops policy processing; an
//! allow-listed hole in a listed prefix gets a PASSTHRU IP trigger, which
//! wins as the longer prefix.

use super::config::{Action, Class};
use super::cover::{cover, Cover};
use crate::net::{Addr, Prefix};
use crate::set::IntervalSet;
use std::collections::BTreeMap;

/// Writes the canonical IP trigger owner `LEN.reversed.SUFFIX` for a prefix:
/// IPv4 as all four octets; IPv6 as 16-bit words, lower-case hex without
/// leading zeros, the longest run of two or more zero words as `zz`.
pub fn ip_owner<A: Addr>(out: &mut Vec<u8>, p: Prefix<A>, suffix: &str) {
    push_dec(out, p.len);
    let v = p.addr.to_u128();
    if A::BITS == 32 {
        for i in 0..4 {
            out.push(b'.');
            push_dec(out, ((v >> (8 * i)) & 0xff) as u32);
        }
    } else {
        let words: [u16; 8] = std::array::from_fn(|i| (v >> (112 - 16 * i)) as u16);
        // Where RFC 5952 would put "::".
        let (best, best_len) = crate::net::zero_run(&words).unwrap_or((0, 0));
        let mut i = 8;
        while i > 0 {
            i -= 1;
            out.push(b'.');
            if best_len > 0 && i == best + best_len - 1 {
                out.extend_from_slice(b"zz");
                i = best;
                continue;
            }
            crate::net::hex_group(out, words[i]);
        }
    }
    out.push(b'.');
    out.extend_from_slice(suffix.as_bytes());
}

/// Decimal without a formatter (this runs per trigger).
fn push_dec(out: &mut Vec<u8>, v: u32) {
    let mut buf = [0u8; 10];
    let mut i = buf.len();
    let mut v = v;
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[i..]);
}

fn record(out: &mut Vec<u8>, action: &Action) {
    out.extend_from_slice(b"\tCNAME\t");
    out.extend_from_slice(action.target().as_bytes());
    out.push(b'\n');
}

/// QNAME triggers: `names` maps each listed domain to its action, `allow`
/// lists domains that pass. A domain on both passes. Sorted by name.
pub fn qname_triggers(
    out: &mut Vec<u8>,
    names: &BTreeMap<String, Action>,
    allow: &[String],
    wildcard: bool,
) {
    let mut all: BTreeMap<&str, &Action> = names.iter().map(|(n, a)| (n.as_str(), a)).collect();
    for a in allow {
        all.insert(a.as_str(), &Action::Passthru);
    }
    for (name, action) in all {
        out.extend_from_slice(name.as_bytes());
        record(out, action);
        if wildcard {
            out.extend_from_slice(b"*.");
            out.extend_from_slice(name.as_bytes());
            record(out, action);
        }
    }
}

/// IP triggers under `suffix` (`rpz-ip` or `rpz-client-ip`) for the
/// regions of each class, with PASSTHRU for allow-listed holes inside a
/// listed prefix when that is shorter.
pub fn ip_triggers<A: Addr>(
    out: &mut Vec<u8>,
    regions: &[(usize, IntervalSet<A>)],
    allow: &IntervalSet<A>,
    classes: &[&Class],
    suffix: &str,
    action_of: impl Fn(&Class) -> Action,
) {
    let mut lines: Vec<(Prefix<A>, Action)> = Vec::new();
    for (class, set) in regions {
        let action = action_of(classes[*class]);
        for Cover { prefix, holes } in cover(set, allow, usize::MAX, |_, _| 1) {
            lines.push((prefix, action.clone()));
            lines.extend(holes.into_iter().map(|h| (h, Action::Passthru)));
        }
    }
    if !lines.is_sorted_by_key(|(p, _)| (p.addr, p.len)) {
        lines.sort_unstable_by_key(|(p, _)| (p.addr, p.len));
    }
    for (p, action) in lines {
        ip_owner(out, p, suffix);
        record(out, &action);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v6(addr: u128, len: u32) -> String {
        let mut o = Vec::new();
        ip_owner(&mut o, Prefix { addr, len }, "rpz-ip");
        String::from_utf8(o).unwrap()
    }

    #[test]
    fn canonical_ip_owners() {
        let mut o = Vec::new();
        ip_owner(
            &mut o,
            Prefix {
                addr: 0xc633_6400u32,
                len: 24,
            },
            "rpz-ip",
        );
        assert_eq!(o, b"24.0.100.51.198.rpz-ip");
        // the reference's examples
        assert_eq!(
            v6(0x2001_0db8_abcdu128 << 80, 48),
            "48.zz.abcd.db8.2001.rpz-ip"
        );
        assert_eq!(
            v6((0x2001_0db8_abceu128 << 80) | 5, 128),
            "128.5.zz.abce.db8.2001.rpz-ip"
        );
        assert_eq!(v6(0, 0), "0.zz.rpz-ip");
        assert_eq!(v6(1, 128), "128.1.zz.rpz-ip");
        // a single zero word is not compressed
        assert_eq!(
            v6(0x2001_0db8_0000_0001_0001_0001_0001_0001, 128),
            "128.1.1.1.1.1.0.db8.2001.rpz-ip"
        );
        // leftmost of two equal runs
        assert_eq!(
            v6(0x2001_0000_0000_0001_0000_0000_0000_0001, 128),
            "128.1.zz.1.0.0.2001.rpz-ip"
        );
    }
}
