//! Block lists as prefixes with holes.
//!
//! A compiled block list has the allow-list already taken out, so its
//! minimal CIDR list can be long where an allow-listed address sits inside a
//! blocked network (192.0.2.0/24 minus one address is eight prefixes).
//! Formats that can say "except" (APL `!`, rbldnsd `!`, DNSBL exclusion
//! names, RPZ passthru triggers) publish the covering prefix with the
//! allow-listed holes instead, when that is cheaper.

use crate::net::{Addr, CidrIter, Prefix, Range};
use crate::set::IntervalSet;

/// A published prefix and the allow-listed prefixes cut out of it. The
/// listed addresses are `prefix` minus the holes; holes lie strictly inside
/// the prefix and do not overlap.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cover<A> {
    pub prefix: Prefix<A>,
    pub holes: Vec<Prefix<A>>,
}

/// The ranges of `set` clipped to `r`.
fn clip<A: Addr>(set: &IntervalSet<A>, r: Range<A>) -> impl Iterator<Item = Range<A>> + '_ {
    let ranges = set.ranges();
    let first = ranges.partition_point(|x| x.end < r.start);
    ranges[first..]
        .iter()
        .take_while(move |x| x.start <= r.end)
        .map(move |x| Range::new(x.start.max(r.start), x.end.min(r.end)))
}

/// Covers `block − allow` exactly. For each prefix of the minimal CIDR list
/// of `block ∪ allow` that holds blocked addresses, the prefix with its
/// allow-listed holes is used when there are at most `max_holes` holes and
/// `cost(prefix) + Σ cost(hole)` is below the cost of the blocked part's own
/// prefixes; otherwise those prefixes are used. `cost(p, is_hole)` is what a
/// prefix costs in the output format (records, names, octets).
pub fn cover<A: Addr>(
    block: &IntervalSet<A>,
    allow: &IntervalSet<A>,
    max_holes: usize,
    cost: impl Fn(Prefix<A>, bool) -> usize,
) -> Vec<Cover<A>> {
    let plain = |p| Cover {
        prefix: p,
        holes: Vec::new(),
    };
    if allow.is_empty() || max_holes == 0 {
        return block.cidrs().map(plain).collect();
    }
    let block = block.difference(allow);
    let all = block.union(allow);
    let mut out = Vec::new();
    for p in all.cidrs() {
        let r = p.range();
        if clip(allow, r).next().is_none() {
            // No allow-listed address inside: the prefix is all blocked.
            out.push(plain(p));
            continue;
        }
        let listed: Vec<Prefix<A>> = clip(&block, r).flat_map(CidrIter::new).collect();
        if listed.is_empty() {
            continue;
        }
        let holes: Vec<Prefix<A>> = clip(allow, r).flat_map(CidrIter::new).collect();
        let worth = !holes.is_empty() && holes.len() <= max_holes && {
            let with: usize = cost(p, false) + holes.iter().map(|h| cost(*h, true)).sum::<usize>();
            let without: usize = listed.iter().map(|q| cost(*q, false)).sum();
            with < without
        };
        if worth {
            out.push(Cover { prefix: p, holes });
        } else {
            out.extend(listed.into_iter().map(plain));
        }
    }
    out
}

/// The covers of a list's entries as given (sorted, as `zone::input::Given`
/// holds them): an entry that holds no allow-listed address is its own
/// cover; one that holds some is the entry with its allow-listed prefixes
/// as holes when there are at most `max_holes`, else the CIDRs of what is
/// left of it; one that is all allowed is left out. Nothing is merged, so
/// nested entries stay apart (a consumer where the longest prefix wins reads
/// the same addresses).
pub fn exact<A: Addr>(
    given: &[Prefix<A>],
    allow: &IntervalSet<A>,
    max_holes: usize,
) -> Vec<Cover<A>> {
    let plain = |p| Cover {
        prefix: p,
        holes: Vec::new(),
    };
    let mut out = Vec::with_capacity(given.len());
    for &p in given {
        let r = p.range();
        let holes: Vec<Prefix<A>> = clip(allow, r).flat_map(CidrIter::new).collect();
        if holes.is_empty() {
            out.push(plain(p));
        } else if holes.len() == 1 && holes[0] == p {
            // all of it allowed
        } else if holes.len() <= max_holes {
            out.push(Cover { prefix: p, holes });
        } else {
            let one = IntervalSet::from_ranges(vec![r]);
            out.extend(one.difference(allow).cidrs().map(plain));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(v: &[(u32, u32)]) -> IntervalSet<u32> {
        IntervalSet::from_ranges(v.iter().map(|&(a, b)| Range::new(a, b)).collect())
    }

    fn listed(c: &[Cover<u32>]) -> IntervalSet<u32> {
        let pos = IntervalSet::from_ranges(c.iter().map(|c| c.prefix.range()).collect());
        let neg = IntervalSet::from_ranges(
            c.iter()
                .flat_map(|c| c.holes.iter().map(|h| h.range()))
                .collect(),
        );
        pos.difference(&neg)
    }

    #[test]
    fn hole_in_a_slash_24() {
        // 192.0.2.0/24 minus .77, allow-list .77
        let base = 0xc000_0200;
        let block = set(&[(base, base + 76), (base + 78, base + 255)]);
        let allow = set(&[(base + 77, base + 77)]);
        let c = cover(&block, &allow, 63, |_, _| 1);
        assert_eq!(
            c,
            vec![Cover {
                prefix: Prefix {
                    addr: base,
                    len: 24
                },
                holes: vec![Prefix {
                    addr: base + 77,
                    len: 32
                }],
            }]
        );
        assert_eq!(listed(&c), block);
        // Not worth it when holes are too many or too dear.
        let c = cover(&block, &allow, 0, |_, _| 1);
        assert_eq!(c.len(), 8);
        let c = cover(&block, &allow, 63, |_, h| if h { 100 } else { 1 });
        assert_eq!(c.len(), 8);
        assert_eq!(listed(&c), block);
    }

    #[test]
    fn exact_keeps_entries_apart() {
        let p = |addr, len| Prefix { addr, len };
        // 10.0.0.0/24 and 10.0.0.0/25 and 10.0.1.0/24: three covers, the
        // first with its hole; an entry all allowed goes
        let given = [
            p(0x0a00_0000u32, 24),
            p(0x0a00_0000, 25),
            p(0x0a00_0100, 24),
            p(0x0a00_0207, 32),
        ];
        let allow = set(&[(0x0a00_0005, 0x0a00_0005), (0x0a00_0207, 0x0a00_0207)]);
        let c = exact(&given, &allow, 63);
        assert_eq!(c.len(), 3);
        assert_eq!(c[0].holes, [p(0x0a00_0005, 32)]);
        assert_eq!(c[1].holes, [p(0x0a00_0005, 32)]);
        assert!(c[2].holes.is_empty());
        // no holes allowed: what is left, as CIDRs
        let c = exact(&given, &allow, 0);
        assert_eq!(c.iter().filter(|c| c.prefix.len == 24).count(), 1);
        assert!(c.iter().all(|c| c.holes.is_empty()));
        assert_eq!(
            listed(&c),
            set(&[(0x0a00_0000, 0x0a00_01ff)]).difference(&allow)
        );
    }

    #[test]
    fn allow_outside_and_overlapping_block() {
        // allow also overlaps the block (allow wins) and lies elsewhere
        let block = set(&[(0, 255), (1000, 1000)]);
        let allow = set(&[(10, 10), (5000, 6000)]);
        let c = cover(&block, &allow, 63, |_, _| 1);
        let want = block.difference(&allow);
        assert_eq!(listed(&c), want);
        assert!(c.iter().all(|c| c.prefix.range().end < 5000));
    }
}
