//! Printing sets as CIDRs with a restricted choice of prefix lengths, and
//! choosing such a restriction to trade a few extra entries for fewer distinct
//! prefix lengths (what ipset's hash:net wants: each distinct length costs a
//! lookup per packet, each entry costs only memory).

use super::IntervalSet;
use crate::net::{largest_block, Addr, Prefix, Range};

/// Which prefix lengths (0..=128) may appear in output. The family's full
/// length (/32, /128) is always allowed, so every range can be expressed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PrefixMask {
    bits: [u64; 3],
}

impl Default for PrefixMask {
    fn default() -> Self {
        Self::all()
    }
}

impl PrefixMask {
    pub fn all() -> Self {
        PrefixMask {
            bits: [u64::MAX; 3],
        }
    }

    pub fn none() -> Self {
        PrefixMask { bits: [0; 3] }
    }

    #[inline]
    pub fn allows(&self, len: u32) -> bool {
        len <= 128 && self.bits[(len / 64) as usize] & (1 << (len % 64)) != 0
    }

    pub fn set(&mut self, len: u32, on: bool) {
        if len <= 128 {
            let (w, b) = ((len / 64) as usize, len % 64);
            if on {
                self.bits[w] |= 1 << b;
            } else {
                self.bits[w] &= !(1 << b);
            }
        }
    }

    /// Only lengths of at least `min` (a "minimum prefix": no block wider).
    pub fn at_least(min: u32) -> Self {
        let mut m = Self::none();
        for len in min..=128 {
            m.set(len, true);
        }
        m
    }

    pub fn is_all(&self) -> bool {
        *self == Self::all()
    }
}

/// Splits a range into CIDR blocks whose lengths the mask allows: at each
/// step the largest aligned block that fits and is allowed.
pub struct SplitIter<A> {
    next: Option<A>,
    end: A,
    mask: PrefixMask,
}

impl<A: Addr> SplitIter<A> {
    pub fn new(r: Range<A>, mask: PrefixMask) -> Self {
        SplitIter {
            next: Some(r.start),
            end: r.end,
            mask,
        }
    }
}

impl<A: Addr> Iterator for SplitIter<A> {
    type Item = Prefix<A>;
    #[inline]
    fn next(&mut self) -> Option<Prefix<A>> {
        let start = self.next?;
        let mut len = A::BITS - largest_block(start, self.end);
        while len < A::BITS && !self.mask.allows(len) {
            len += 1;
        }
        let last = A::from_u128(start.to_u128() | A::hostmask(len).to_u128());
        self.next = if last >= self.end {
            None
        } else {
            last.checked_inc()
        };
        Some(Prefix { addr: start, len })
    }
}

/// How many prefixes of each length a set prints as.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrefixStats {
    pub counts: Vec<u64>,
}

impl PrefixStats {
    pub fn of<A: Addr>(set: &IntervalSet<A>, mask: PrefixMask) -> Self {
        let mut counts = vec![0u64; A::BITS as usize + 1];
        for r in set.ranges() {
            for p in SplitIter::new(*r, mask) {
                counts[p.len as usize] += 1;
            }
        }
        PrefixStats { counts }
    }

    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }
}

/// Chooses prefix lengths to drop so that the set prints with fewer distinct
/// lengths, as iprange's `--ipset-reduce` does: the entry count may grow to
/// `percent` % above the CIDR list printed with `start`, or to `min_entries`,
/// whichever is larger.
///
/// Greedy: lengths that do not occur are dropped first; then, while the
/// total stays within the allowance, the length whose blocks cost the fewest
/// extra entries when re-expressed in the next longer length that occurs is
/// dropped (ties go to the shorter length).
pub fn reduce_prefixes<A: Addr>(
    set: &IntervalSet<A>,
    start: PrefixMask,
    percent: u64,
    min_entries: u64,
) -> PrefixMask {
    let bits = A::BITS as usize;
    let mut count: Vec<u128> = PrefixStats::of(set, start)
        .counts
        .into_iter()
        .map(u128::from)
        .collect();
    let mut mask = start;
    for (len, &c) in count.iter().enumerate() {
        if c == 0 {
            mask.set(len as u32, false);
        }
    }
    let blocks = |n: usize| 1u128.checked_shl(n as u32).unwrap_or(u128::MAX);
    let mut total: u128 = count.iter().sum();
    let allowance = (total.saturating_mul(100 + percent as u128) / 100).max(min_entries as u128);
    while total < allowance {
        let mut best: Option<(usize, usize)> = None;
        let mut min_inc = allowance.saturating_mul(10);
        for i in 0..bits {
            if count[i] == 0 || !mask.allows(i as u32) {
                continue;
            }
            let Some(j) = (i + 1..=bits).find(|&j| count[j] > 0) else {
                continue;
            };
            let inc = count[i].saturating_mul(blocks(j - i) - 1);
            if inc < min_inc {
                min_inc = inc;
                best = Some((i, j));
            }
        }
        let Some((i, j)) = best else { break };
        let grown = count[i].saturating_mul(blocks(j - i));
        let inc = grown - count[i];
        if total.saturating_add(inc) > allowance {
            break;
        }
        total += inc;
        count[j] = count[j].saturating_add(grown);
        count[i] = 0;
        mask.set(i as u32, false);
    }
    mask
}
