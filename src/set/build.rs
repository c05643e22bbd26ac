//! Collecting entries into sets.
//!
//! Single addresses, the bulk of most lists, are kept apart from ranges: a
//! `u32` sorts faster and takes half the memory of a range. Sorted pieces are
//! merged as a stream, so printing or counting a union never stores it: a
//! 10M-address merge peaks near 40 MB.

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
        Self::build_all(vec![self])
    }

    /// Builds one set from several builders (e.g. one per parsing thread).
    pub fn build_all(mut parts: Vec<FamilyBuilder<A>>) -> IntervalSet<A> {
        if parts.len() == 1 && parts[0].singles.is_empty() {
            // Ranges alone: sorted and merged in place, no second vector.
            let mut ranges = std::mem::take(&mut parts[0].ranges);
            ranges.sort_unstable_by_key(|r| r.start);
            coalesce_sorted(&mut ranges);
            return IntervalSet { ranges };
        }
        let merged = Self::merge_sorted(parts);
        let total: usize = merged.runs.iter().map(|r| r.end - r.pos).sum();
        // Capacity covers the worst case; only what is written is touched.
        let mut ranges = Vec::with_capacity(total);
        ranges.extend(merged);
        IntervalSet { ranges }
    }

    /// The union of several builders as a stream of sorted, merged ranges,
    /// so a caller that only prints or counts never stores the set. Every
    /// builder is sorted on a thread of its own; a lone large one is sorted
    /// as two halves on two threads, and the halves are merged on the fly.
    pub fn merge_sorted(mut parts: Vec<FamilyBuilder<A>>) -> Merged<A> {
        let split = parts.len() == 1 && parts[0].len() >= SPLIT_AT;
        let mut runs = Vec::new();
        for (k, p) in parts.iter().enumerate() {
            for (single, len) in [(true, p.singles.len()), (false, p.ranges.len())] {
                if split && len > 1 {
                    runs.push(Run {
                        part: k,
                        single,
                        pos: 0,
                        end: len / 2,
                    });
                    runs.push(Run {
                        part: k,
                        single,
                        pos: len / 2,
                        end: len,
                    });
                } else if len > 0 {
                    runs.push(Run {
                        part: k,
                        single,
                        pos: 0,
                        end: len,
                    });
                }
            }
        }
        {
            // One sorting job per run, all at once.
            let mut jobs: Vec<Job<'_, A>> = Vec::new();
            for p in parts.iter_mut() {
                let (singles, ranges) = (&mut p.singles[..], &mut p.ranges[..]);
                if split {
                    let (a, b) = singles.split_at_mut(singles.len() / 2);
                    let (c, d) = ranges.split_at_mut(ranges.len() / 2);
                    jobs.extend([
                        Job::Singles(a),
                        Job::Singles(b),
                        Job::Ranges(c),
                        Job::Ranges(d),
                    ]);
                } else {
                    jobs.extend([Job::Singles(singles), Job::Ranges(ranges)]);
                }
            }
            jobs.retain(|j| j.len() > 1);
            if jobs.len() > 1 && jobs.iter().map(Job::len).sum::<usize>() >= SPLIT_AT {
                std::thread::scope(|s| {
                    for j in jobs {
                        s.spawn(move || j.sort());
                    }
                });
            } else {
                jobs.into_iter().for_each(Job::sort);
            }
        }
        Merged {
            parts,
            runs,
            pending: None,
        }
    }
}

/// Below this many entries one thread sorts faster than two.
const SPLIT_AT: usize = 1 << 18;

/// A slice to sort.
enum Job<'a, A> {
    Singles(&'a mut [A]),
    Ranges(&'a mut [Range<A>]),
}

impl<A: Addr> Job<'_, A> {
    fn len(&self) -> usize {
        match self {
            Job::Singles(s) => s.len(),
            Job::Ranges(r) => r.len(),
        }
    }

    fn sort(self) {
        match self {
            Job::Singles(s) => s.sort_unstable(),
            Job::Ranges(r) => r.sort_unstable_by_key(|r| r.start),
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

/// A sorted run within one builder's singles or ranges.
#[derive(Clone, Copy, Debug)]
struct Run {
    part: usize,
    single: bool,
    pos: usize,
    end: usize,
}

/// Sorted runs merged on the fly (see [`FamilyBuilder::merge_sorted`]):
/// overlapping and adjacent ranges are joined as they pass.
pub struct Merged<A> {
    parts: Vec<FamilyBuilder<A>>,
    runs: Vec<Run>,
    pending: Option<Range<A>>,
}

impl<A: Addr> Merged<A> {
    #[inline]
    fn head(&self, run: &Run) -> Range<A> {
        let p = &self.parts[run.part];
        if run.single {
            let s = p.singles[run.pos];
            Range::new(s, s)
        } else {
            p.ranges[run.pos]
        }
    }

    /// The next range by start over all runs, unmerged.
    #[inline]
    fn next_raw(&mut self) -> Option<Range<A>> {
        // Runs are dropped as they end, so the common tail (one run left)
        // costs no comparisons.
        while self.runs.last().is_some_and(|r| r.pos == r.end) {
            self.runs.pop();
        }
        if let [run] = self.runs[..] {
            self.runs[0].pos += 1;
            return (run.pos < run.end).then(|| self.head(&run));
        }
        let mut best: Option<(Range<A>, usize)> = None;
        for (k, run) in self.runs.iter().enumerate() {
            if run.pos < run.end {
                let r = self.head(run);
                if best.is_none_or(|b| r.start < b.0.start) {
                    best = Some((r, k));
                }
            }
        }
        let (r, k) = best?;
        self.runs[k].pos += 1;
        if self.runs[k].pos == self.runs[k].end {
            self.runs.swap_remove(k);
        }
        Some(r)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Large builders take the split, threaded paths; the result must equal
    /// a plain sort and merge.
    #[test]
    fn large_builders_match_a_plain_sort() {
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for parts_n in [1usize, 2, 3] {
            let mut parts: Vec<FamilyBuilder<u32>> =
                (0..parts_n).map(|_| Default::default()).collect();
            let mut all = Vec::new();
            for i in 0..150_000usize {
                let a = (next() % 3_000_000) as u32;
                let r = if i % 3 == 0 {
                    Range::new(a, a + (next() % 50) as u32)
                } else {
                    Range::new(a, a)
                };
                parts[i % parts_n].push(r);
                all.push(r);
            }
            let want = IntervalSet::from_ranges(all);
            let streamed: Vec<_> = FamilyBuilder::merge_sorted(parts.clone()).collect();
            assert_eq!(streamed, want.ranges());
            assert_eq!(FamilyBuilder::build_all(parts), want);
        }
    }
}
