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

    pub fn build(mut self) -> IntervalSet<A> {
        // Large inputs: sort the two halves of the singles on both cores.
        if self.singles.len() >= 1 << 20 {
            let half = self.singles.split_off(self.singles.len() / 2);
            let other = FamilyBuilder {
                singles: half,
                ranges: Vec::new(),
            };
            return Self::build_all(vec![self, other]);
        }
        Self::build_all(vec![self])
    }

    /// Builds one set from several builders (e.g. one per parsing thread).
    pub fn build_all(parts: Vec<FamilyBuilder<A>>) -> IntervalSet<A> {
        let mut merged = Self::merge_sorted(parts);
        if merged.parts.len() == 1 && merged.parts[0].singles.is_empty() {
            // Already sorted and merged in place.
            return IntervalSet {
                ranges: std::mem::take(&mut merged.parts[0].ranges),
            };
        }
        let total: usize = merged.parts.iter().map(|p| p.len()).sum();
        // Capacity covers the worst case; only what is written is touched.
        let mut ranges = Vec::with_capacity(total);
        ranges.extend(merged);
        IntervalSet { ranges }
    }

    /// The union of several builders as a stream of sorted, merged ranges,
    /// so a caller that only prints or counts never stores the set. Each
    /// builder is sorted on its own thread first.
    pub fn merge_sorted(mut parts: Vec<FamilyBuilder<A>>) -> Merged<A> {
        let sort = |p: &mut FamilyBuilder<A>| {
            p.singles.sort_unstable();
            p.ranges.sort_unstable_by_key(|r| r.start);
            coalesce_sorted(&mut p.ranges);
        };
        if parts.len() > 1 {
            std::thread::scope(|s| {
                for p in parts.iter_mut() {
                    s.spawn(|| sort(p));
                }
            });
        } else {
            parts.iter_mut().for_each(sort);
        }
        Merged {
            pos: vec![(0, 0); parts.len()],
            parts,
            pending: None,
        }
    }
}

impl<A: Addr> From<IntervalSet<A>> for FamilyBuilder<A> {
    fn from(set: IntervalSet<A>) -> Self {
        FamilyBuilder {
            singles: Vec::new(),
            ranges: set.into_ranges(),
        }
    }
}

/// Sorted builders merged on the fly (see [`FamilyBuilder::merge_sorted`]).
pub struct Merged<A> {
    parts: Vec<FamilyBuilder<A>>,
    /// Per part: next single, next range.
    pos: Vec<(usize, usize)>,
    pending: Option<Range<A>>,
}

impl<A: Addr> Merged<A> {
    /// The next range by start over all parts, unmerged.
    #[inline]
    fn next_raw(&mut self) -> Option<Range<A>> {
        let mut best: Option<(A, usize, bool)> = None;
        for (k, p) in self.parts.iter().enumerate() {
            if let Some(&s) = p.singles.get(self.pos[k].0) {
                if best.is_none_or(|b| s < b.0) {
                    best = Some((s, k, true));
                }
            }
            if let Some(r) = p.ranges.get(self.pos[k].1) {
                if best.is_none_or(|b| r.start < b.0) {
                    best = Some((r.start, k, false));
                }
            }
        }
        let (_, k, single) = best?;
        Some(if single {
            let s = self.parts[k].singles[self.pos[k].0];
            self.pos[k].0 += 1;
            Range::new(s, s)
        } else {
            let r = self.parts[k].ranges[self.pos[k].1];
            self.pos[k].1 += 1;
            r
        })
    }
}

impl<A: Addr> Iterator for Merged<A> {
    type Item = Range<A>;

    fn next(&mut self) -> Option<Range<A>> {
        loop {
            match (self.pending, self.next_raw()) {
                (None, None) => return None,
                (None, Some(r)) => self.pending = Some(r),
                (Some(p), None) => {
                    self.pending = None;
                    return Some(p);
                }
                (Some(p), Some(r)) => {
                    // Saturating: a range ending at MAX absorbs the rest.
                    if r.start <= p.end.checked_inc().unwrap_or(A::MAX) {
                        self.pending = Some(Range::new(p.start, p.end.max(r.end)));
                    } else {
                        self.pending = Some(r);
                        return Some(p);
                    }
                }
            }
        }
    }
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
