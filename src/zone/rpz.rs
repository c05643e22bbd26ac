//! Response policy zones (RPZ) for DNS firewalls (BIND, Unbound, PowerDNS
//! Recursor).
//!
//! Triggers are owner names in the policy zone: a domain (`bad.example`)
//! and, for its subdomains, `*.bad.example` (the wildcard does not match the
//! name itself; a wildcard entry `*.bad.example` gives only the wildcard);
//! `LEN.reversed-address.rpz-ip` for answers holding a listed address; the
//! same under `rpz-client-ip` for queries from listed clients, under
//! `rpz-nsip` for names served by a listed name server address, and
//! `ns.example.rpz-nsdname` for names served by a listed name server.
//! The action is a CNAME target (`.` NXDOMAIN, `*.` NODATA,
//! `rpz-passthru.`, `rpz-drop.`, `rpz-tcp-only.`, or a walled-garden name),
//! or local data: the A, AAAA and TXT records to answer with instead.
//! Allow-listed names get PASSTHRU, which beats a wildcard above them (an
//! exact name wins over a wildcard) and stops policy processing; an
//! allow-listed hole in a listed prefix gets a PASSTHRU IP trigger, which
//! wins as the longer prefix.

use super::config::Action;
use super::cover::{cover, Cover};
use crate::net::domain::WILDCARD;
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

/// The records of `action` at the owner written from `from` to the end of
/// `out` (for local data, the owner is repeated on every line).
fn records(out: &mut Vec<u8>, from: usize, action: &Action) {
    match action {
        Action::LocalData(d) => {
            let owner = out[from..].to_vec();
            for (i, r) in d.records.iter().enumerate() {
                if i > 0 {
                    out.extend_from_slice(&owner);
                }
                out.extend_from_slice(r.as_bytes());
                out.push(b'\n');
            }
        }
        a => {
            out.extend_from_slice(b"\tCNAME\t");
            out.extend_from_slice(a.target().unwrap_or_default().as_bytes());
            out.push(b'\n');
        }
    }
}

/// Name triggers: `names` maps each listed name to its action, `allow`
/// lists names that pass; `*.NAME` entries are wildcard owners only, and
/// with `wildcard` every other NAME also gets `*.NAME`. An entry beats a
/// wildcard made for a name, and what is allowed beats what is listed.
/// Owners are `NAME` (QNAME triggers, `suffix` empty) or
/// `NAME.SUFFIX` (`rpz-nsdname`), sorted by name, each name's wildcard
/// after it.
pub fn name_triggers(
    out: &mut Vec<u8>,
    names: &BTreeMap<String, Action>,
    allow: &[String],
    wildcard: bool,
    suffix: &str,
) {
    /// A name's two owners: the name, and its wildcard with the pass that
    /// set it (0 listed, 1 allowed) and whether an entry said it.
    #[derive(Default)]
    struct Slot<'a> {
        exact: Option<&'a Action>,
        wild: Option<(&'a Action, u8, bool)>,
    }
    let mut all: BTreeMap<&str, Slot> = BTreeMap::new();
    let passthru = Action::Passthru;
    let listed = names.iter().map(|(n, a)| (n.as_str(), a, 0));
    let allowed = allow.iter().map(|n| (n.as_str(), &passthru, 1));
    for (n, a, pass) in listed.chain(allowed) {
        match n.strip_prefix(WILDCARD) {
            Some(base) => all.entry(base).or_default().wild = Some((a, pass, true)),
            None => {
                let slot = all.entry(n).or_default();
                slot.exact = Some(a);
                let made_wins = match slot.wild {
                    None => true,
                    Some((_, p, said)) => p < pass || !said,
                };
                if wildcard && made_wins {
                    slot.wild = Some((a, pass, false));
                }
            }
        }
    }
    for (name, slot) in all {
        let owners = [(false, slot.exact), (true, slot.wild.map(|w| w.0))];
        for (star, action) in owners {
            let Some(action) = action else { continue };
            let from = out.len();
            if star {
                out.extend_from_slice(WILDCARD.as_bytes());
            }
            out.extend_from_slice(name.as_bytes());
            if !suffix.is_empty() {
                out.push(b'.');
                out.extend_from_slice(suffix.as_bytes());
            }
            records(out, from, action);
        }
    }
}

/// IP triggers under `suffix` (`rpz-ip`, `rpz-client-ip`, `rpz-nsip`) for
/// sets of addresses with an action each, with PASSTHRU for allow-listed
/// holes inside a listed prefix when that is shorter. Sets may overlap:
/// the resolver takes the longest prefix, so an address in two sets takes
/// the action of the narrower prefix; the same prefix in two sets takes
/// the first set's.
pub fn ip_triggers<'s, A: Addr + 's>(
    out: &mut Vec<u8>,
    sets: impl IntoIterator<Item = (&'s IntervalSet<A>, Action)>,
    allow: &IntervalSet<A>,
    suffix: &str,
) {
    let mut lines: Vec<(Prefix<A>, Action)> = Vec::new();
    for (set, action) in sets {
        for Cover { prefix, holes } in cover(set, allow, usize::MAX, |_, _| 1) {
            lines.push((prefix, action.clone()));
            lines.extend(holes.into_iter().map(|h| (h, Action::Passthru)));
        }
    }
    if !lines.is_sorted_by_key(|(p, _)| (p.addr, p.len)) {
        // stable: of equal prefixes, the first set's comes first
        lines.sort_by_key(|(p, _)| (p.addr, p.len));
    }
    lines.dedup_by_key(|(p, _)| *p);
    for (p, action) in lines {
        let from = out.len();
        ip_owner(out, p, suffix);
        records(out, from, &action);
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
    fn names_their_wildcards_and_what_wins() {
        let a = |s: &str| Action::parse(s).unwrap();
        let names: BTreeMap<String, Action> = [
            ("bad.example", a("nxdomain")),
            ("*.bad.example", a("drop")),
            ("*.sub.example", a("nodata")),
            ("_sip._tcp.example", a("nxdomain")),
            ("ok.example", a("nxdomain")),
        ]
        .into_iter()
        .map(|(n, a)| (n.to_string(), a))
        .collect();
        let allow = ["ok.example".to_string(), "*.bad.example".to_string()];
        let mut o = Vec::new();
        name_triggers(&mut o, &names, &allow, true, "");
        assert_eq!(
            String::from_utf8(o).unwrap(),
            "_sip._tcp.example\tCNAME\t.\n*._sip._tcp.example\tCNAME\t.\n\
             bad.example\tCNAME\t.\n*.bad.example\tCNAME\trpz-passthru.\n\
             ok.example\tCNAME\trpz-passthru.\n*.ok.example\tCNAME\trpz-passthru.\n\
             *.sub.example\tCNAME\t*.\n"
        );
        let mut o = Vec::new();
        name_triggers(&mut o, &names, &[], false, "rpz-nsdname");
        let text = String::from_utf8(o).unwrap();
        assert!(text.starts_with("_sip._tcp.example.rpz-nsdname\tCNAME\t.\n"));
        assert!(text.contains("\n*.bad.example.rpz-nsdname\tCNAME\trpz-drop.\n"));
    }

    mod model {
        use super::super::*;
        use proptest::prelude::*;
        use std::collections::BTreeSet;

        /// Names from a few labels, so that names, their wildcards and
        /// allowed names collide often.
        fn entry() -> impl Strategy<Value = String> {
            (any::<bool>(), 0..3usize, 0..3usize).prop_map(|(star, a, b)| {
                let n = format!("{}.{}.example", ["a", "b", "c"][a], ["x", "y", "z"][b]);
                if star {
                    format!("*.{n}")
                } else {
                    n
                }
            })
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(300))]
            /// Each owner once, with what the rules say: allowed beats
            /// listed, and within each an entry beats a wildcard made for
            /// a name.
            #[test]
            fn owners_follow_the_rules(
                listed in proptest::collection::btree_map(entry(), 0..3usize, 0..8),
                allow in proptest::collection::btree_set(entry(), 0..4),
                wildcard in any::<bool>(),
            ) {
                let actions = [Action::Nxdomain, Action::Drop, Action::Nodata];
                let names: BTreeMap<String, Action> =
                    listed.iter().map(|(n, a)| (n.clone(), actions[*a].clone())).collect();
                let allow: Vec<String> = allow.into_iter().collect();
                let mut o = Vec::new();
                name_triggers(&mut o, &names, &allow, wildcard, "");
                let text = String::from_utf8(o).unwrap();
                let got: Vec<(&str, &str)> = text
                    .lines()
                    .map(|l| l.split_once("\tCNAME\t").unwrap())
                    .collect();
                // the model: what each owner is, by the rules
                let allowed = |n: &str| allow.iter().any(|x| x == n);
                let mut owners: BTreeSet<String> = BTreeSet::new();
                for n in listed.keys().chain(&allow) {
                    owners.insert(n.clone());
                    if wildcard && !n.starts_with("*.") {
                        owners.insert(format!("*.{n}"));
                    }
                }
                let mut want: Vec<(String, String)> = Vec::new();
                for owner in &owners {
                    let base = owner.strip_prefix("*.");
                    let action = if allowed(owner)
                        || (wildcard && base.is_some_and(allowed))
                    {
                        Action::Passthru
                    } else if let Some(a) = names.get(owner) {
                        a.clone()
                    } else {
                        names[base.unwrap()].clone()
                    };
                    want.push((owner.clone(), action.target().unwrap().into_owned()));
                }
                // sorted by name, the wildcard after the name
                want.sort_by(|a, b| {
                    let key = |o: &str| (o.strip_prefix("*.").unwrap_or(o).to_string(), o.starts_with("*."));
                    key(&a.0).cmp(&key(&b.0))
                });
                let want: Vec<(&str, &str)> =
                    want.iter().map(|(o, a)| (o.as_str(), a.as_str())).collect();
                prop_assert_eq!(got, want);
            }
        }
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
