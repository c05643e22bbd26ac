//! Membership tests on a fixed set for hot loops (matching every line of a
//! log): the ranges, a bit per /20 and per /24 that any range touches, and
//! where the ranges of each /16 (IPv4) begin, so a test reads one or two
//! bits (enough for most addresses, which are on no list) and then one
//! index slot and a few ranges, instead of binary-searching the whole set
//! (measured: a quarter of tl-logs' time on a 100,000-network list went to
//! that search). IPv6 keeps the binary search.

use super::{IntervalSet, IpSet};
use crate::net::Range;
use std::net::IpAddr;

/// Sets of up to this many IPv4 ranges are searched without an index.
const SMALL: usize = 64;

/// An [`IpSet`] with an index for address tests.
#[derive(Clone, Debug, Default)]
pub struct IndexedSet {
    v4: Vec<Range<u32>>,
    /// `first[h]`: how many ranges end before `h << 16` (65,537 slots; empty
    /// for a small set).
    first: Vec<u32>,
    /// One bit per /20 that some range touches (128 KiB, which stays in
    /// cache), then one per /24 (2 MiB; both empty for a small set): most
    /// addresses asked about are on no list, and these answer them in one
    /// or two reads.
    coarse: Vec<u64>,
    touched: Vec<u64>,
    v6: IntervalSet<u128>,
}

impl IndexedSet {
    pub fn new(set: &IpSet) -> IndexedSet {
        let v4 = set.v4.ranges().to_vec();
        let mut first = Vec::new();
        // A small set fits a cache line or two: no index (which would not).
        if v4.len() > SMALL {
            first.reserve(65_537);
            let mut i = 0usize;
            for h in 0..=65_536u64 {
                while i < v4.len() && u64::from(v4[i].end) < h << 16 {
                    i += 1;
                }
                first.push(i as u32);
            }
        }
        let (mut coarse, mut touched) = (Vec::new(), Vec::new());
        if v4.len() > SMALL {
            coarse = bits(&v4, 12);
            touched = bits(&v4, 8);
        }
        IndexedSet {
            v4,
            first,
            coarse,
            touched,
            v6: set.v6.clone(),
        }
    }

    pub fn contains_v4(&self, a: u32) -> bool {
        if self.first.is_empty() {
            let i = self.v4.partition_point(|r| r.end < a);
            return self.v4.get(i).is_some_and(|r| r.start <= a);
        }
        if !bit(&self.coarse, a >> 12) || !bit(&self.touched, a >> 8) {
            return false;
        }
        let h = (a >> 16) as usize;
        let lo = self.first[h] as usize;
        // The range holding `a`, if any, is at most the first that ends in
        // a later /16.
        let hi = (self.first[h + 1] as usize + 1).min(self.v4.len());
        let slice = &self.v4[lo..hi];
        let i = slice.partition_point(|r| r.end < a);
        slice.get(i).is_some_and(|r| r.start <= a)
    }

    pub fn contains(&self, a: IpAddr) -> bool {
        match a {
            IpAddr::V4(v) => self.contains_v4(v.into()),
            IpAddr::V6(v) => self.v6.contains(v.into()),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.v4.is_empty() && self.v6.is_empty()
    }
}

/// A bit per block of `2^shift` addresses that a range touches.
fn bits(ranges: &[Range<u32>], shift: u32) -> Vec<u64> {
    let mut v = vec![0u64; (1usize << (32 - shift)) / 64];
    for r in ranges {
        for b in (r.start >> shift)..=(r.end >> shift) {
            v[(b >> 6) as usize] |= 1 << (b & 63);
        }
    }
    v
}

fn bit(v: &[u64], b: u32) -> bool {
    v[(b >> 6) as usize] & (1 << (b & 63)) != 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn agrees_with_the_binary_search(
            ranges in proptest::collection::vec((any::<u32>(), 0u32..200_000), 0..150),
            probes in proptest::collection::vec(any::<u32>(), 0..200),
        ) {
            let ranges: Vec<Range<u32>> = ranges
                .into_iter()
                .map(|(s, len)| Range::new(s, s.saturating_add(len)))
                .collect();
            let set = IpSet { v4: IntervalSet::from_ranges(ranges.clone()), v6: IntervalSet::new() };
            let idx = IndexedSet::new(&set);
            let mut all = probes;
            for r in &ranges {
                all.extend([r.start, r.end, r.start.wrapping_sub(1), r.end.wrapping_add(1)]);
            }
            all.extend([0, u32::MAX, 65_535, 65_536]);
            for a in all {
                prop_assert_eq!(idx.contains_v4(a), set.v4.contains(a), "{}", a);
            }
        }
    }
}
