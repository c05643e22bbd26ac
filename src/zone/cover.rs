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
