//! Exact address counts: the whole IPv6 space holds 2^128 addresses, one more
//! than `u128` can. Also the one home of counts written for people
//! ([`thousands`], [`human`]).

use super::IpSet;
use crate::net::{Addr, Range};
use std::fmt;

/// `1234567` as `1,234,567`.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A quantity for people: exact with separators below a million, then one
/// decimal with M, G or T (`3.1 M`).
fn amount(v: f64) -> String {
    const UNITS: [(f64, &str); 3] = [(1e12, "T"), (1e9, "G"), (1e6, "M")];
    for (size, unit) in UNITS {
        if v >= size {
            return format!("{:.1} {unit}", v / size);
        }
    }
    // A tenth is the precision people read: 2.04 /32s is "2", not "2.0".
    let r = (v * 10.0).round() / 10.0;
    if r.fract() == 0.0 {
        thousands(r as u64)
    } else {
        format!("{r:.1}")
    }
}

fn plural(n: f64, one: &str, many: &str) -> String {
    let word = if (n * 10.0).round() == 10.0 {
        one
    } else {
        many
    };
    format!("{} {word}", amount(n))
}

/// A list's size for people, with the families apart and never one 128-bit
/// sum: `1,024 prefixes · 3.1 M IPv4 addresses · 2 IPv6 /32s`. IPv6 space
/// is counted in the widest of /32, /48, /64 and /128 that it fills at
/// least once.
pub fn human(set: &IpSet) -> String {
    let prefixes = (set.v4.prefix_count() + set.v6.prefix_count()) as f64;
    let mut parts = vec![plural(prefixes, "prefix", "prefixes")];
    if !set.v4.is_empty() {
        let n = set.v4.count().as_u128().unwrap_or(0) as f64;
        parts.push(plural(n, "IPv4 address", "IPv4 addresses"));
    }
    if !set.v6.is_empty() {
        // 2^128 (the whole space) does not fit u128; as f64 it is exact.
        let n = set
            .v6
            .count()
            .as_u128()
            .map_or(2f64.powi(128), |v| v as f64);
        let (bits, unit) = [(96, "/32"), (80, "/48"), (64, "/64"), (0, "/128")]
            .into_iter()
            .find(|(bits, _)| n >= 2f64.powi(*bits))
            .unwrap_or((0, "/128"));
        let v = n / 2f64.powi(bits);
        parts.push(plural(v, &format!("IPv6 {unit}"), &format!("IPv6 {unit}s")));
    }
    parts.join(" · ")
}

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

    fn set(text: &str) -> IpSet {
        IpSet::from_entries(
            text.split_whitespace()
                .map(|e| crate::net::parse_entry(e.as_bytes()).unwrap()),
        )
    }

    #[test]
    fn counts_for_people() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(human(&IpSet::default()), "0 prefixes");
        assert_eq!(human(&set("192.0.2.1")), "1 prefix · 1 IPv4 address");
        assert_eq!(
            human(&set("10.0.0.0/8 11.0.0.0/16 2001:db8::/32 2001:db9::/32")),
            "3 prefixes · 16.8 M IPv4 addresses · 2 IPv6 /32s"
        );
        assert_eq!(human(&set("2001:db8::/48")), "1 prefix · 1 IPv6 /48");
        assert_eq!(
            human(&set("2001:db8::/64 2001:db8:0:1::/64 2001:db8:0:2::/64")),
            "2 prefixes · 3 IPv6 /64s"
        );
        assert_eq!(
            human(&set("2001:db8::1 2001:db8::3")),
            "2 prefixes · 2 IPv6 /128s"
        );
        assert_eq!(human(&set("0.0.0.0/0")), "1 prefix · 4.3 G IPv4 addresses");
        assert_eq!(human(&set("::/0")), "1 prefix · 4.3 G IPv6 /32s");
        assert_eq!(
            human(&set("2001:db8::/31 2001:dba::/48")),
            "2 prefixes · 2 IPv6 /32s"
        );
    }

    #[test]
    fn full_spaces() {
        let c = Count::ZERO.add_range(Range::new(0u32, u32::MAX));
        assert_eq!(c.to_string(), "4294967296");
        let c = Count::ZERO.add_range(Range::new(0u128, u128::MAX));
        assert_eq!(c.to_string(), "340282366920938463463374607431768211456");
        assert_eq!(c.as_u128(), None);
    }
}
