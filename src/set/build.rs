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

    /// Builds one set from several builders (e.g. one per parsing thread):
    /// each is sorted on its own thread, then all are merged in one pass.
    pub fn build_all(mut parts: Vec<FamilyBuilder<A>>) -> IntervalSet<A> {
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
        if parts.len() == 1 && parts[0].singles.is_empty() {
            // Already sorted and merged in place.
            return IntervalSet {
                ranges: std::mem::take(&mut parts[0].ranges),
            };
        }
        let total: usize = parts.iter().map(|p| p.len()).sum();
        // Capacity covers the worst case; only what is written is touched.
        let mut out: Vec<Range<A>> = Vec::with_capacity(total);
        let mut push = |r: Range<A>| match out.last_mut() {
            Some(last) if r.start <= last.end.checked_inc().unwrap_or(A::MAX) => {
                if r.end > last.end {
                    last.end = r.end;
                }
            }
            _ => out.push(r),
        };
        // Two cursors per part (singles, ranges); take the smallest start.
        let mut pos = vec![(0usize, 0usize); parts.len()];
        loop {
            let mut best: Option<(A, usize, bool)> = None;
            for (k, p) in parts.iter().enumerate() {
                if let Some(&s) = p.singles.get(pos[k].0) {
                    if best.is_none_or(|b| s < b.0) {
                        best = Some((s, k, true));
                    }
                }
                if let Some(r) = p.ranges.get(pos[k].1) {
                    if best.is_none_or(|b| r.start < b.0) {
                        best = Some((r.start, k, false));
                    }
                }
            }
            let Some((_, k, single)) = best else { break };
            if single {
                let s = parts[k].singles[pos[k].0];
                pos[k].0 += 1;
                push(Range::new(s, s));
            } else {
                push(parts[k].ranges[pos[k].1]);
                pos[k].1 += 1;
            }
        }
        drop(parts);
        IntervalSet { ranges: out }
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
