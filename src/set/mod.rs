//! Interval sets of addresses and their algebra.
//!
//! A set is a sorted vector of disjoint, non-adjacent inclusive ranges. Every
//! operation is one linear merge; building from unsorted input is one sort.
//! (A per-bit trie was measured at 140 s and 12.9 GB for 10M prefixes where
//! this needs about a second and a tenth of the memory.)

pub(crate) mod build;
pub mod count;
mod index;
pub mod iprange;
mod load;
mod ops;
mod prefixes;
mod print;
pub mod special;

pub use crate::error::LineError;
pub use build::{FamilyBuilder, Merged, SetBuilder};
pub use count::Count;
pub use index::IndexedSet;
pub use load::{EntrySink, LoadStats, Loader};
pub use prefixes::{reduce_prefixes, PrefixMask, PrefixStats, SplitIter};
pub use print::{ListFormat, ListPrinter};

use crate::net::{Addr, CidrIter, Entry, Range};

/// A set of addresses of one family.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct IntervalSet<A> {
    ranges: Vec<Range<A>>,
}

impl<A: Addr> IntervalSet<A> {
    pub fn new() -> Self {
        IntervalSet { ranges: Vec::new() }
    }

    /// The set of every address of the family.
    pub fn full() -> Self {
        IntervalSet {
            ranges: vec![Range::new(A::ZERO, A::MAX)],
        }
    }

    /// Builds a set from ranges in any order, overlapping or not.
    pub fn from_ranges(mut ranges: Vec<Range<A>>) -> Self {
        ranges.sort_unstable_by_key(|r| r.start);
        coalesce_sorted(&mut ranges);
        IntervalSet { ranges }
    }

    /// Wraps ranges that are already sorted, disjoint and non-adjacent.
    /// Returns `None` if they are not.
    pub fn from_canonical(ranges: Vec<Range<A>>) -> Option<Self> {
        let ok = ranges.iter().all(|r| r.start <= r.end)
            && ranges
                .windows(2)
                .all(|w| w[0].end.checked_inc().is_some_and(|next| next < w[1].start));
        ok.then_some(IntervalSet { ranges })
    }

    pub fn ranges(&self) -> &[Range<A>] {
        &self.ranges
    }

    pub fn into_ranges(self) -> Vec<Range<A>> {
        self.ranges
    }

    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// Number of disjoint ranges.
    pub fn range_count(&self) -> usize {
        self.ranges.len()
    }

    /// Number of unique addresses.
    pub fn count(&self) -> Count {
        self.ranges.iter().fold(Count::ZERO, |c, r| c.add_range(*r))
    }

    /// The minimal list of CIDR prefixes covering exactly this set.
    pub fn cidrs(&self) -> impl Iterator<Item = crate::net::Prefix<A>> + '_ {
        self.ranges.iter().flat_map(|r| CidrIter::new(*r))
    }

    /// Number of prefixes in the minimal CIDR list.
    pub fn prefix_count(&self) -> usize {
        self.cidrs().count()
    }

    /// Whether `addr` is in the set (binary search).
    pub fn contains(&self, addr: A) -> bool {
        self.find(addr).is_some()
    }

    /// The range holding `addr`, if any.
    pub fn find(&self, addr: A) -> Option<Range<A>> {
        let i = self.ranges.partition_point(|r| r.end < addr);
        self.ranges.get(i).filter(|r| r.start <= addr).copied()
    }

    /// Whether the whole of `r` is in the set.
    pub fn contains_range(&self, r: Range<A>) -> bool {
        self.find(r.start).is_some_and(|h| h.end >= r.end)
    }

    /// Whether every address of `self` is in `other`.
    pub fn is_subset(&self, other: &Self) -> bool {
        self.difference(other).is_empty()
    }

    pub fn union(&self, other: &Self) -> Self {
        IntervalSet {
            ranges: ops::union(&self.ranges, &other.ranges),
        }
    }

    pub fn intersection(&self, other: &Self) -> Self {
        IntervalSet {
            ranges: ops::intersection(&self.ranges, &other.ranges),
        }
    }

    pub fn difference(&self, other: &Self) -> Self {
        IntervalSet {
            ranges: ops::difference(&self.ranges, &other.ranges),
        }
    }

    pub fn symmetric_difference(&self, other: &Self) -> Self {
        self.difference(other).union(&other.difference(self))
    }

    pub fn complement(&self) -> Self {
        Self::full().difference(self)
    }
}

/// Merges overlapping and adjacent ranges of a vector sorted by start, in place.
pub(crate) fn coalesce_sorted<A: Addr>(v: &mut Vec<Range<A>>) {
    if v.is_empty() {
        return;
    }
    let mut w = 0;
    for i in 1..v.len() {
        let r = v[i];
        // Saturating: a range ending at MAX absorbs everything after it.
        if r.start <= v[w].end.checked_inc().unwrap_or(A::MAX) {
            if r.end > v[w].end {
                v[w].end = r.end;
            }
        } else {
            w += 1;
            v[w] = r;
        }
    }
    v.truncate(w + 1);
}

/// A set holding both families, as list files do.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IpSet {
    pub v4: IntervalSet<u32>,
    pub v6: IntervalSet<u128>,
}

impl IpSet {
    pub fn is_empty(&self) -> bool {
        self.v4.is_empty() && self.v6.is_empty()
    }

    pub fn from_entries(entries: impl IntoIterator<Item = Entry>) -> Self {
        let mut b = SetBuilder::default();
        for e in entries {
            b.push(e);
        }
        b.build()
    }

    pub fn union(&self, o: &Self) -> Self {
        IpSet {
            v4: self.v4.union(&o.v4),
            v6: self.v6.union(&o.v6),
        }
    }

    pub fn intersection(&self, o: &Self) -> Self {
        IpSet {
            v4: self.v4.intersection(&o.v4),
            v6: self.v6.intersection(&o.v6),
        }
    }

    pub fn difference(&self, o: &Self) -> Self {
        IpSet {
            v4: self.v4.difference(&o.v4),
            v6: self.v6.difference(&o.v6),
        }
    }

    pub fn symmetric_difference(&self, o: &Self) -> Self {
        IpSet {
            v4: self.v4.symmetric_difference(&o.v4),
            v6: self.v6.symmetric_difference(&o.v6),
        }
    }

    pub fn contains(&self, e: &Entry) -> bool {
        match e {
            Entry::V4(r) => self.v4.contains_range(*r),
            Entry::V6(r) => self.v6.contains_range(*r),
        }
    }

    /// The family the set holds all of, as messages name it: a block list
    /// that does must never be published.
    pub fn whole_family(&self) -> Option<&'static str> {
        if self.v4.contains_range(Range::new(0, u32::MAX)) {
            Some("IPv4 (0.0.0.0/0)")
        } else if self.v6.contains_range(Range::new(0, u128::MAX)) {
            Some("IPv6 (::/0)")
        } else {
            None
        }
    }
}
