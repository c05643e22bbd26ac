//! Addresses, prefixes and ranges for IPv4 and IPv6.
//!
//! Addresses are plain integers (`u32` for IPv4, `u128` for IPv6) so that sets
//! can be sorted vectors of inclusive ranges with linear-time algebra. The
//! [`Addr`] trait is what the set code is generic over.

pub mod domain;
mod fmt;
mod parse;

pub use fmt::{hex_group, write_cidr, write_range, write_v4, write_v6, zero_run};
pub use parse::{netmask_len, parse_entry, parse_v4_strict, parse_v6, Entry, ParseError};

use std::fmt::Debug;
use std::hash::Hash;

/// The two address families.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Family {
    V4,
    V6,
}

/// An address as an unsigned integer of the family's width.
pub trait Addr: Copy + Ord + Eq + Hash + Debug + Default + Send + Sync + 'static {
    /// Width in bits: 32 or 128.
    const BITS: u32;
    const ZERO: Self;
    const MAX: Self;
    const FAMILY: Family;

    fn to_u128(self) -> u128;
    /// Truncating conversion (the caller guarantees the value fits).
    fn from_u128(v: u128) -> Self;
    fn checked_inc(self) -> Option<Self>;
    fn checked_dec(self) -> Option<Self>;
    fn trailing_zeros(self) -> u32;
    fn leading_zeros(self) -> u32;
    /// Writes the address in canonical text form.
    fn write_to(self, out: &mut Vec<u8>);

    /// The mask with the top `len` bits set.
    #[inline]
    fn netmask(len: u32) -> Self {
        if len == 0 {
            Self::ZERO
        } else {
            Self::from_u128((Self::MAX.to_u128() >> (Self::BITS - len)) << (Self::BITS - len))
        }
    }

    /// The host part mask for a prefix of `len` bits.
    #[inline]
    fn hostmask(len: u32) -> Self {
        if len >= Self::BITS {
            Self::ZERO
        } else {
            Self::from_u128(Self::MAX.to_u128() >> len)
        }
    }
}

macro_rules! addr_impl {
    ($t:ty, $family:expr, $write:path) => {
        impl Addr for $t {
            const BITS: u32 = <$t>::BITS;
            const ZERO: Self = 0;
            const MAX: Self = <$t>::MAX;
            const FAMILY: Family = $family;
            #[inline]
            fn to_u128(self) -> u128 {
                self as u128
            }
            #[inline]
            fn from_u128(v: u128) -> Self {
                v as $t
            }
            #[inline]
            fn checked_inc(self) -> Option<Self> {
                self.checked_add(1)
            }
            #[inline]
            fn checked_dec(self) -> Option<Self> {
                self.checked_sub(1)
            }
            #[inline]
            fn trailing_zeros(self) -> u32 {
                <$t>::trailing_zeros(self)
            }
            #[inline]
            fn leading_zeros(self) -> u32 {
                <$t>::leading_zeros(self)
            }
            #[inline]
            fn write_to(self, out: &mut Vec<u8>) {
                $write(out, self)
            }
        }
    };
}

addr_impl!(u32, Family::V4, write_v4);
addr_impl!(u128, Family::V6, write_v6);

/// An inclusive range of addresses, `start <= end`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Range<A> {
    pub start: A,
    pub end: A,
}

impl<A: Addr> Range<A> {
    #[inline]
    pub fn new(start: A, end: A) -> Self {
        debug_assert!(start <= end);
        Range { start, end }
    }

    /// The range covered by `addr/len`, host bits ignored.
    #[inline]
    pub fn from_prefix(addr: A, len: u32) -> Self {
        let net = A::from_u128(addr.to_u128() & A::netmask(len).to_u128());
        let bcast = A::from_u128(net.to_u128() | A::hostmask(len).to_u128());
        Range {
            start: net,
            end: bcast,
        }
    }

    /// Number of addresses, as u128 (the whole IPv6 space saturates; use
    /// [`crate::set::Count`] for exact totals).
    #[inline]
    pub fn len_u128(&self) -> u128 {
        (self.end.to_u128() - self.start.to_u128()).saturating_add(1)
    }

    #[inline]
    pub fn contains(&self, a: A) -> bool {
        self.start <= a && a <= self.end
    }

    /// The prefix length when the range is exactly one CIDR block.
    pub fn as_prefix(&self) -> Option<u32> {
        let span = self.end.to_u128() - self.start.to_u128();
        if span == A::MAX.to_u128() {
            return if self.start == A::ZERO { Some(0) } else { None };
        }
        let size = span + 1;
        if !size.is_power_of_two() {
            return None;
        }
        let host_bits = size.trailing_zeros();
        if self.start.to_u128() & (size - 1) != 0 {
            return None;
        }
        Some(A::BITS - host_bits)
    }
}

/// A CIDR prefix: network address (host bits zero) and length.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Prefix<A> {
    pub addr: A,
    pub len: u32,
}

impl<A: Addr> Prefix<A> {
    pub fn range(&self) -> Range<A> {
        Range::from_prefix(self.addr, self.len)
    }
}

/// Splits an inclusive range into the minimal list of CIDR blocks, in order.
pub struct CidrIter<A> {
    next: Option<A>,
    end: A,
}

impl<A: Addr> CidrIter<A> {
    pub fn new(r: Range<A>) -> Self {
        CidrIter {
            next: Some(r.start),
            end: r.end,
        }
    }
}

/// The largest block starting at `start` that stays within `end`, as host bits.
#[inline]
pub fn largest_block<A: Addr>(start: A, end: A) -> u32 {
    let align = if start == A::ZERO {
        A::BITS
    } else {
        start.trailing_zeros()
    };
    let span = end.to_u128() - start.to_u128();
    let fit = if span == A::MAX.to_u128() {
        A::BITS
    } else {
        // floor(log2(span + 1)), computed in the family's width.
        127 - (span + 1).leading_zeros()
    };
    align.min(fit)
}

impl<A: Addr> Iterator for CidrIter<A> {
    type Item = Prefix<A>;
    #[inline]
    fn next(&mut self) -> Option<Prefix<A>> {
        let start = self.next?;
        let host = largest_block(start, self.end);
        let last = A::from_u128(start.to_u128() | A::hostmask(A::BITS - host).to_u128());
        self.next = if last >= self.end {
            None
        } else {
            last.checked_inc()
        };
        Some(Prefix {
            addr: start,
            len: A::BITS - host,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cidrs(s: u32, e: u32) -> Vec<(u32, u32)> {
        CidrIter::new(Range::new(s, e))
            .map(|p| (p.addr, p.len))
            .collect()
    }

    #[test]
    fn cidr_split() {
        assert_eq!(cidrs(0, u32::MAX), vec![(0, 0)]);
        assert_eq!(cidrs(u32::MAX, u32::MAX), vec![(u32::MAX, 32)]);
        assert_eq!(cidrs(1, 6), vec![(1, 32), (2, 31), (4, 31), (6, 32)]);
        assert_eq!(cidrs(0, 255), vec![(0, 24)]);
        let all6: Vec<_> = CidrIter::new(Range::new(0u128, u128::MAX)).collect();
        assert_eq!(all6, vec![Prefix { addr: 0, len: 0 }]);
    }

    #[test]
    fn as_prefix() {
        assert_eq!(Range::new(0u32, u32::MAX).as_prefix(), Some(0));
        assert_eq!(Range::new(1u32, u32::MAX).as_prefix(), None);
        assert_eq!(Range::new(4u32, 7).as_prefix(), Some(30));
        assert_eq!(Range::new(5u32, 5).as_prefix(), Some(32));
        assert_eq!(Range::new(5u32, 6).as_prefix(), None);
    }
}
