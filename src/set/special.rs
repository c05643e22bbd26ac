//! Special-purpose address space (RFC 6890 and the IANA registries): never a
//! threat source worth publishing, and blocking it breaks networks. Feeds
//! drop it at ingestion; the compile guards keep it off every list.

use super::IntervalSet;
use crate::net::{parse_entry, Entry};
use std::sync::OnceLock;

/// Special-purpose IPv4 space (RFC 6890 and the IANA registry): never a
/// threat source worth publishing, and blocking it breaks networks.
const SPECIAL_V4: &[&str] = &[
    "0.0.0.0/8",
    "10.0.0.0/8",
    "100.64.0.0/10",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "172.16.0.0/12",
    "192.0.0.0/24",
    "192.0.2.0/24",
    "192.88.99.0/24",
    "192.168.0.0/16",
    "198.18.0.0/15",
    "198.51.100.0/24",
    "203.0.113.0/24",
    "224.0.0.0/4",
    "240.0.0.0/4",
];

/// The IPv6 equivalents (IPv4-mapped space is read as IPv4 already).
const SPECIAL_V6: &[&str] = &[
    "::/128",
    "::1/128",
    "64:ff9b:1::/48",
    "100::/64",
    "2001::/23",
    "2001:db8::/32",
    "3fff::/20",
    "5f00::/16",
    "fc00::/7",
    "fe80::/10",
    "ff00::/8",
];

/// The special-purpose space as sets, built once.
pub fn v4() -> &'static IntervalSet<u32> {
    static S: OnceLock<IntervalSet<u32>> = OnceLock::new();
    S.get_or_init(|| {
        IntervalSet::from_ranges(
            SPECIAL_V4
                .iter()
                .filter_map(|s| match parse_entry(s.as_bytes()) {
                    Ok(Entry::V4(r)) => Some(r),
                    _ => None,
                })
                .collect(),
        )
    })
}

pub fn v6() -> &'static IntervalSet<u128> {
    static S: OnceLock<IntervalSet<u128>> = OnceLock::new();
    S.get_or_init(|| {
        IntervalSet::from_ranges(
            SPECIAL_V6
                .iter()
                .filter_map(|s| match parse_entry(s.as_bytes()) {
                    Ok(Entry::V6(r)) => Some(r),
                    _ => None,
                })
                .collect(),
        )
    })
}
