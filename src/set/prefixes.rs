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
/// lengths, allowing the entry count to grow to at most `percent` % more than
/// the minimal CIDR list, or to `min_entries`, whichever is larger.
///
/// Greedy, as iprange's `--ipset-reduce`: repeatedly drop the length whose
/// blocks, re-expressed in the next allowed longer length, add the fewest
/// entries, while the total stays within the allowance.
pub fn reduce_prefixes<A: Addr>(
    set: &IntervalSet<A>,
    percent: u64,
    min_entries: u64,
) -> PrefixMask {
    let bits = A::BITS as usize;
    let mut counts: Vec<u128> = PrefixStats::of(set, PrefixMask::all())
        .counts
        .into_iter()
        .map(u128::from)
        .collect();
    let mut total: u128 = counts.iter().sum();
    let allowance = (total * (100 + percent as u128) / 100).max(min_entries as u128);
    let mut mask = PrefixMask::all();
    loop {
        // (new total, length to drop, length it moves to)
        let mut best: Option<(u128, usize, usize)> = None;
        for len in 0..bits {
            if counts[len] == 0 || !mask.allows(len as u32) {
                continue;
            }
            let to = (len + 1..=bits)
                .find(|&l| mask.allows(l as u32))
                .unwrap_or(bits);
            let grown = counts[len].saturating_mul(1u128 << (to - len).min(127));
            let new_total = total - counts[len] + grown;
            if best.is_none_or(|b| new_total < b.0) {
                best = Some((new_total, len, to));
            }
        }
        match best {
            Some((new_total, len, to)) if new_total <= allowance => {
                counts[to] += counts[len] << (to - len);
                counts[len] = 0;
                mask.set(len as u32, false);
                total = new_total;
            }
            _ => break,
        }
    }
    mask
}
