//! Exact address counts: the whole IPv6 space holds 2^128 addresses, one more
//! than `u128` can.

use crate::net::{Addr, Range};
use std::fmt;

/// A count of addresses, exact up to 2^128.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Count {
    /// Set only for exactly 2^128 (then `low` is 0).
    high: bool,
    low: u128,
}

impl Count {
    pub const ZERO: Count = Count {
        high: false,
        low: 0,
    };

    pub fn from_u128(v: u128) -> Count {
        Count {
            high: false,
            low: v,
        }
    }

    /// The count as `u128`, or `None` for 2^128.
    pub fn as_u128(&self) -> Option<u128> {
        (!self.high).then_some(self.low)
    }

    /// Adds the addresses of a range (counts of disjoint ranges never exceed
    /// 2^128 in total).
    pub fn add_range<A: Addr>(self, r: Range<A>) -> Count {
        let n = r.end.to_u128() - r.start.to_u128();
        // n + 1 may be 2^128 only for the full IPv6 range.
        match self.low.checked_add(n).and_then(|v| v.checked_add(1)) {
            Some(low) => Count {
                high: self.high,
                low,
            },
            None => Count {
                high: true,
                low: self.low.wrapping_add(n).wrapping_add(1),
            },
        }
    }
}

impl fmt::Display for Count {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.high {
            // 2^128 + low; only low == 0 occurs for disjoint ranges.
            debug_assert_eq!(self.low, 0);
            f.write_str("340282366920938463463374607431768211456")
        } else {
            write!(f, "{}", self.low)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_spaces() {
        let c = Count::ZERO.add_range(Range::new(0u32, u32::MAX));
        assert_eq!(c.to_string(), "4294967296");
        let c = Count::ZERO.add_range(Range::new(0u128, u128::MAX));
        assert_eq!(c.to_string(), "340282366920938463463374607431768211456");
        assert_eq!(c.as_u128(), None);
    }
}
