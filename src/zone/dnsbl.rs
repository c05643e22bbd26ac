//! DNSBL zones (RFC 5782) in zone-file form, and the same data as rbldnsd
//! `ip4set` / `ip6trie` datasets.
//!
//! A query is the address reversed under the list's name: octets for IPv4
//! (`7.100.51.198.bl`), all 32 nibbles for IPv6 (`…8.b.d.0.1.0.0.2.bl`,
//! as RFC 5782 and rbldnsd have it; or under `ip6.bl` with
//! `dnsbl.ip6_label`). A listed address answers
//! `A 127.0.0.x` (the code of its category) and `TXT` (its reason, on a
//! continuation line: zones of millions of names stay smaller); an unlisted
//! one NXDOMAIN.
//!
//! A prefix on a label boundary (a multiple of 8 bits, or 4 for IPv6) is
//! one wildcard; any other is rounded up to the next boundary (a /23 is two
//! `/24` wildcards, a /25 is 128 names). An allow-listed hole inside a
//! wildcard is published as `CNAME excluded` (its target does not exist, so
//! the answer is NXDOMAIN), and because any name below a wildcard's parent
//! hides the wildcard from the labels in between (empty non-terminals), the
//! wildcard is repeated at every intermediate node on the hole's path.
//!
//! When both families share the list's name, a wildcard cannot tell four
//! labels from thirty-two: `*.0.0.2.bl` (IPv4 2.0.0.0/24) would also answer
//! the IPv6 queries under 2000::/12 whose closest encloser is `0.0.2.bl`,
//! and an IPv6 wildcard `*.1.0.2` the IPv4 queries under 2.0.1.0/24. Only
//! owners whose labels are all decimal digits 0–9 are spelled alike, so
//! such a listed wildcard that the other family's queries can reach (IPv4:
//! any; IPv6: above the fourth label) is replaced by its children, one label
//! down, until it is an IPv4 name of its own or an IPv6 wildcard below the
//! fourth label (see [`separate_families`]).

use super::config::Class;
use super::cover::{cover, Cover};
use super::name::join;
use crate::net::{write_cidr, Addr, Prefix};
use crate::set::IntervalSet;

/// Bits per label: 8 for IPv4 octets, 4 for IPv6 nibbles.
fn step<A: Addr>() -> u32 {
    if A::BITS == 32 {
        8
    } else {
        4
    }
}

/// The label-aligned blocks of a prefix: length and count.
fn blocks<A: Addr>(p: Prefix<A>) -> (u32, u128) {
    let s = step::<A>();
    let t = p.len.div_ceil(s) * s;
    (t, 1u128 << (t - p.len))
}

/// Writes `[*.]reversed-labels` for the aligned block `addr/len`, then
/// `.base` (wildcard when the block is wider than one address).
fn owner<A: Addr>(out: &mut Vec<u8>, addr: A, len: u32, base: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let s = step::<A>();
    let v = addr.to_u128();
    if len < A::BITS {
        out.push(b'*');
    }
    for i in (0..len / s).rev() {
        if i + 1 != len / s || len < A::BITS {
            out.push(b'.');
        }
        let digit = ((v >> (A::BITS - s * (i + 1))) & ((1 << s) - 1)) as u8;
        if s == 8 {
            // decimal octet without a formatter: this runs per name
            if digit >= 100 {
                out.push(b'0' + digit / 100);
            }
            if digit >= 10 {
                out.push(b'0' + (digit / 10) % 10);
            }
            out.push(b'0' + digit % 10);
        } else {
            out.push(HEX[digit as usize]);
        }
    }
    if !base.is_empty() {
        out.push(b'.');
        out.extend_from_slice(base.as_bytes());
    }
}

/// What a DNSBL emitter needs besides the data.
pub struct DnsblOut<'a> {
    pub out: &'a mut Vec<u8>,
    /// Names written so far, checked against the bound.
    pub names: usize,
    pub max_names: usize,
    /// Both families' names go under the same base (IPv6 not under `ip6.`):
    /// wildcards the other family could read are expanded.
    pub shared_base: bool,
}

impl DnsblOut<'_> {
    /// `OWNER A CODE` and, on a continuation line (same owner), `TXT`.
    fn listed<A: Addr>(&mut self, addr: A, len: u32, base: &str, rdata: &[u8]) {
        owner(self.out, addr, len, base);
        self.out.extend_from_slice(rdata);
        self.names += 1;
    }

    fn excluded<A: Addr>(&mut self, addr: A, len: u32, base: &str) {
        owner(self.out, addr, len, base);
        self.out.extend_from_slice(b"\tCNAME\t");
        self.out
            .extend_from_slice(join("excluded", base).as_bytes());
        self.out.push(b'\n');
        self.names += 1;
    }
}

/// The prefix cost in names, for choosing between holes and plain prefixes.
fn name_cost<A: Addr>(p: Prefix<A>, hole: bool) -> usize {
    let (t, n) = blocks(p);
    let n = n.min(usize::MAX as u128) as usize;
    if hole {
        // the repair wildcards, at most one per label above the hole
        n + (t / step::<A>()) as usize
    } else {
        n
    }
}

/// Covers of each class, for the zone and the rbldnsd forms alike.
pub fn class_covers<A: Addr>(
    regions: &[(usize, IntervalSet<A>)],
    allow: &IntervalSet<A>,
    rbldnsd: bool,
) -> Vec<(usize, Vec<Cover<A>>)> {
    regions
        .iter()
        .map(|(c, set)| {
            let covers = if rbldnsd {
                cover(set, allow, usize::MAX, |_, _| 1)
            } else {
                cover(set, allow, usize::MAX, name_cost)
            };
            (*c, covers)
        })
        .collect()
}

/// Writes the DNSBL names of one family under `base` (relative to the
/// origin; empty for the apex). `covers` are per class, `classes` gives each
/// class's code and text. Fails when more than `max_names` names would be
/// needed (publish such a list with rbldnsd instead).
pub fn zone<A: Addr>(
    w: &mut DnsblOut,
    base: &str,
    covers: &[(usize, Vec<Cover<A>>)],
    classes: &[&Class],
) -> Result<(), TooManyNames> {
    let s = step::<A>();
    // Every name in address order: (start, length, class or excluded).
    let mut names: Vec<(A, u32, Option<usize>)> = Vec::new();
    for (class, list) in covers {
        for c in list {
            let (t, n) = blocks(c.prefix);
            if w.names + names.len() + (n as usize).min(usize::MAX / 2) > w.max_names {
                return Err(TooManyNames { max: w.max_names });
            }
            let stride = 1u128 << (A::BITS - t).min(127);
            let stride = if A::BITS - t == 128 { 0 } else { stride };
            for i in 0..n {
                let g = A::from_u128(c.prefix.addr.to_u128() + i * stride);
                let gr = Prefix { addr: g, len: t }.range();
                let inside: Vec<&Prefix<A>> = c
                    .holes
                    .iter()
                    .filter(|h| {
                        let hr = h.range();
                        hr.start <= gr.end && gr.start <= hr.end
                    })
                    .collect();
                if inside.iter().any(|h| h.len <= t) {
                    continue; // the whole block is a hole
                }
                names.push((g, t, Some(*class)));
                if inside.is_empty() {
                    continue;
                }
                // Holes inside a wildcard block: the hole names, and the
                // wildcard again at each node between the block and them.
                let mut inner: Vec<(A, u32, Option<usize>)> = Vec::new();
                for h in inside {
                    let (th, nh) = blocks(*h);
                    let hstride = if A::BITS - th == 128 {
                        0
                    } else {
                        1u128 << (A::BITS - th)
                    };
                    for j in 0..nh {
                        let hb = A::from_u128(h.addr.to_u128() + j * hstride);
                        inner.push((hb, th, None));
                        let mut d = t + s;
                        while d < th {
                            let x = A::from_u128(hb.to_u128() & A::netmask(d).to_u128());
                            inner.push((x, d, Some(*class)));
                            d += s;
                        }
                    }
                }
                // All inside the block, so sorting here keeps the whole in
                // address order.
                inner.sort_unstable_by_key(|&(a, len, _)| (a, len));
                inner.dedup();
                names.extend(inner);
            }
        }
    }
    if w.shared_base {
        separate_families(&mut names, w.max_names.saturating_sub(w.names))
            .map_err(|()| TooManyNames { max: w.max_names })?;
    }
    if w.names + names.len() > w.max_names {
        return Err(TooManyNames { max: w.max_names });
    }
    // Address order; at one address, the wider block first. (Names of one
    // class come out in order already; several classes interleave.)
    if !names.is_sorted_by_key(|&(a, len, _)| (a, len)) {
        names.sort_unstable_by_key(|&(a, len, _)| (a, len));
    }
    let rdata: Vec<Vec<u8>> = classes.iter().map(|c| class_rdata(c)).collect();
    for (a, len, class) in names {
        match class {
            Some(c) => w.listed(a, len, base, &rdata[c]),
            None => w.excluded(a, len, base),
        }
    }
    Ok(())
}

/// Whether the labels of the aligned block `addr/len` are all one decimal
/// digit (0–9): the only owners IPv4 and IPv6 names spell alike.
fn digit_labels<A: Addr>(addr: A, len: u32) -> bool {
    let s = step::<A>();
    let v = addr.to_u128();
    (0..len / s).all(|i| (v >> (A::BITS - s * (i + 1))) & ((1 << s) - 1) < 10)
}

/// Replaces every listed wildcard that the other family's queries could
/// reach (its owner spelled in digits only, and for IPv6 above the fourth
/// label, the depth of an IPv4 query) by its children one label down, each
/// unless it has a name of its own already (a repeated wildcard or a hole
/// on a hole's path), until none is left. An IPv4 wildcard so ends as
/// names of single addresses, which the nibble names below them cannot
/// match; an IPv6 one as wildcards below the fourth label, which no IPv4
/// query reaches. Excluded names need nothing: they answer "not listed",
/// and a listed address of the other family always has a name of its own
/// deeper on its path. Fails past `room` names.
fn separate_families<A: Addr>(
    names: &mut Vec<(A, u32, Option<usize>)>,
    room: usize,
) -> Result<(), ()> {
    let s = step::<A>();
    let reach = if A::BITS == 32 { 32 } else { 16 };
    let reachable = |a: A, t: u32, c: Option<usize>| c.is_some() && t < reach && digit_labels(a, t);
    if !names.iter().any(|&(a, t, c)| reachable(a, t, c)) {
        return Ok(());
    }
    let existing: std::collections::HashSet<(u128, u32)> =
        names.iter().map(|&(a, t, _)| (a.to_u128(), t)).collect();
    let mut out = Vec::with_capacity(names.len());
    let mut stack = Vec::new();
    for &n in names.iter() {
        stack.push(n);
        while let Some((a, t, c)) = stack.pop() {
            if !reachable(a, t, c) {
                out.push((a, t, c));
                if out.len() > room {
                    return Err(());
                }
                continue;
            }
            let child = t + s;
            let stride = 1u128 << (A::BITS - child);
            for k in (0..1u128 << s).rev() {
                let ca = a.to_u128() + k * stride;
                if !existing.contains(&(ca, child)) {
                    stack.push((A::from_u128(ca), child, c));
                }
            }
        }
    }
    *names = out;
    Ok(())
}

/// The records of a listed name after its owner: `A` with the class's code
/// and, when it has one, `TXT` with its reason on a continuation line.
fn class_rdata(c: &Class) -> Vec<u8> {
    let mut r = b"\tA\t".to_vec();
    crate::net::write_v4(&mut r, c.code);
    r.push(b'\n');
    if !c.txt.is_empty() {
        r.extend_from_slice(b"\tTXT\t\"");
        r.extend_from_slice(c.txt.as_bytes());
        r.extend_from_slice(b"\"\n");
    }
    r
}

/// More names than `limits.dnsbl_max_names` would be needed.
#[derive(Debug, thiserror::Error)]
#[error(
    "the DNSBL zone would need more than {max} names (prefixes off label boundaries \
     expand); publish it with rbldnsd or raise limits.dnsbl_max_names"
)]
pub struct TooManyNames {
    pub max: usize,
}

/// An rbldnsd dataset body (`ip4set` for IPv4, `ip6trie` for IPv6): the
/// default value line, then one line per prefix (with its class's value
/// when not the default) and `!` lines for holes.
pub fn rbldnsd<A: Addr>(out: &mut Vec<u8>, covers: &[(usize, Vec<Cover<A>>)], classes: &[&Class]) {
    let value = |out: &mut Vec<u8>, c: &Class| {
        out.push(b':');
        crate::net::write_v4(out, c.code);
        out.push(b':');
        out.extend_from_slice(c.txt.as_bytes());
    };
    value(out, classes[0]);
    out.push(b'\n');
    let mut lines: Vec<(Prefix<A>, Option<usize>)> = Vec::new();
    for (class, list) in covers {
        for c in list {
            lines.push((c.prefix, Some(*class)));
            lines.extend(c.holes.iter().map(|h| (*h, None)));
        }
    }
    if !lines.is_sorted_by_key(|&(p, _)| (p.addr, p.len)) {
        lines.sort_unstable_by_key(|&(p, _)| (p.addr, p.len));
        // nested entries of a list as given may share a hole
        lines.dedup();
    }
    for (p, class) in lines {
        match class {
            None => {
                out.push(b'!');
                rbldnsd_cidr(out, p);
            }
            Some(c) => {
                rbldnsd_cidr(out, p);
                if c != 0 {
                    out.push(b' ');
                    value(out, classes[c]);
                }
            }
        }
        out.push(b'\n');
    }
}

/// A prefix as rbldnsd reads it: IPv6 all in hex (its parser takes no
/// dotted IPv4 tail such as `::ffff:127.0.0.2`), a single address bare.
fn rbldnsd_cidr<A: Addr>(out: &mut Vec<u8>, p: Prefix<A>) {
    if A::BITS == 32 {
        return write_cidr(out, p, true);
    }
    let v = p.addr.to_u128();
    if v >> 32 != 0 && v >> 32 != 0xffff {
        return write_cidr(out, p, true);
    }
    // ::ffff:a.b.c.d and ::a.b.c.d, the only forms written with a dotted
    // tail: the last two groups in hex instead.
    let head = if v >> 32 == 0xffff { "::ffff:" } else { "::" };
    out.extend_from_slice(format!("{head}{:x}:{:x}", (v >> 16) & 0xffff, v & 0xffff).as_bytes());
    if p.len != 128 {
        out.extend_from_slice(format!("/{}", p.len).as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::Range;

    fn class(code: u32, txt: &str) -> Class {
        Class {
            code,
            txt: txt.into(),
            rpz: super::super::config::Action::Nxdomain,
        }
    }

    fn names4(p: &[(u32, u32)], holes: &[(u32, u32)]) -> String {
        let class = class(0x7f00_0002, "");
        let c = Cover {
            prefix: Prefix {
                addr: p[0].0,
                len: p[0].1,
            },
            holes: holes
                .iter()
                .map(|&(addr, len)| Prefix { addr, len })
                .collect(),
        };
        names(c, "bl", &class)
    }

    /// The names of one cover of class 0 under `base`.
    fn names<A: Addr>(c: Cover<A>, base: &str, class: &Class) -> String {
        let mut out = Vec::new();
        let mut w = DnsblOut {
            out: &mut out,
            names: 0,
            max_names: 1000,
            shared_base: false,
        };
        zone(&mut w, base, &[(0, vec![c])], &[class]).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn expansion_and_wildcards() {
        // /24: one wildcard
        assert_eq!(
            names4(&[(0xc000_0200, 24)], &[]),
            "*.2.0.192.bl\tA\t127.0.0.2\n"
        );
        // /23: two wildcards
        assert_eq!(
            names4(&[(0xc633_6400, 23)], &[]),
            "*.100.51.198.bl\tA\t127.0.0.2\n*.101.51.198.bl\tA\t127.0.0.2\n"
        );
        // /30: four names
        assert_eq!(names4(&[(0xcb00_7104, 30)], &[]).lines().count(), 4);
        // /0
        assert_eq!(names4(&[(0, 0)], &[]), "*.bl\tA\t127.0.0.2\n");
    }

    #[test]
    fn holes_repeat_the_wildcard_at_empty_non_terminals() {
        // 172.16.0.0/16 minus 172.16.5.5
        let got = names4(&[(0xac10_0000, 16)], &[(0xac10_0505, 32)]);
        assert_eq!(
            got,
            "*.16.172.bl\tA\t127.0.0.2\n\
             *.5.16.172.bl\tA\t127.0.0.2\n\
             5.5.16.172.bl\tCNAME\texcluded.bl\n"
        );
        // a hole covering whole blocks leaves them out
        let got = names4(&[(0xc633_6400, 23)], &[(0xc633_6500, 24)]);
        assert_eq!(got, "*.100.51.198.bl\tA\t127.0.0.2\n");
    }

    #[test]
    fn ipv6_nibbles() {
        let class = class(0x7f00_0102, "v6");
        let c = Cover {
            prefix: Prefix {
                addr: 0x2001_0db8_abcdu128 << 80,
                len: 48,
            },
            holes: vec![],
        };
        assert_eq!(
            names(c, "ip6.bl", &class),
            "*.d.c.b.a.8.b.d.0.1.0.0.2.ip6.bl\tA\t127.0.1.2\n\tTXT\t\"v6\"\n"
        );
        let set = IntervalSet::from_ranges(vec![Range::new(0u32, 1 << 20)]);
        let mut w = DnsblOut {
            out: &mut Vec::new(),
            names: 0,
            max_names: 10,
            shared_base: false,
        };
        let covers = class_covers(&[(0, set)], &IntervalSet::new(), false);
        assert!(zone(&mut w, "", &covers, &[&class]).is_err());
    }
}
