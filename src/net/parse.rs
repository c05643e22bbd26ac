//! Strict parsing of addresses, CIDRs and ranges.
//!
//! Strict means: a form that two tools could read differently is an error, not
//! a guess. `010.1.1.1` (octal to inet_aton, decimal to humans) and `1.2.3`
//! (1.2.0.3 to inet_aton) are refused. The iprange dialect, which accepts what
//! iprange accepts, lives in `crate::set::iprange`.

use super::{Addr, Range};
use std::fmt;
use std::net::Ipv6Addr;

/// One parsed list entry: an inclusive range in one family.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Entry {
    V4(Range<u32>),
    V6(Range<u128>),
}

impl From<std::net::IpAddr> for Entry {
    /// The entry of one address.
    fn from(a: std::net::IpAddr) -> Entry {
        match a {
            std::net::IpAddr::V4(v) => Entry::V4(Range::new(v.into(), v.into())),
            std::net::IpAddr::V6(v) => Entry::V6(Range::new(v.into(), v.into())),
        }
    }
}

/// Why a list entry was refused. The `Display` text is the `reason` part of
/// `tool: FILE:LINE: reason: 'text'`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParseError {
    NotAnAddress,
    Hostname,
    LeadingZero,
    ShortIpv4,
    OctetTooLarge,
    PrefixTooLong,
    BadPrefix,
    BadNetmask,
    ReversedRange,
    MixedFamilies,
}

impl ParseError {
    /// The reason, as printed in `tool: FILE:LINE: reason: 'text'`.
    pub fn reason(&self) -> &'static str {
        match self {
            ParseError::NotAnAddress => "not an IP address, CIDR or range",
            ParseError::Hostname => "hostnames are not resolved; give addresses",
            ParseError::LeadingZero => "ambiguous leading zero in an IPv4 octet",
            ParseError::ShortIpv4 => "IPv4 address without four octets",
            ParseError::OctetTooLarge => "IPv4 octet above 255",
            ParseError::PrefixTooLong => "prefix length too long for the address family",
            ParseError::BadPrefix => "prefix length is not a number",
            ParseError::BadNetmask => "netmask is not contiguous",
            ParseError::ReversedRange => "range ends before it starts",
            ParseError::MixedFamilies => "range mixes IPv4 and IPv6",
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.reason())
    }
}

impl std::error::Error for ParseError {}

/// Parses a dotted-quad IPv4 address with exactly four decimal octets, no
/// leading zeros.
#[inline]
pub fn parse_v4_strict(s: &[u8]) -> Result<u32, ParseError> {
    let mut addr: u32 = 0;
    let mut octets = 0u32;
    let mut val: u32 = 0;
    let mut digits = 0u32;
    for &c in s {
        match c {
            b'0'..=b'9' => {
                if digits > 0 && val == 0 {
                    return Err(ParseError::LeadingZero);
                }
                val = val * 10 + (c - b'0') as u32;
                digits += 1;
                if val > 255 {
                    return Err(if digits > 3 {
                        ParseError::NotAnAddress
                    } else {
                        ParseError::OctetTooLarge
                    });
                }
            }
            b'.' => {
                if digits == 0 || octets == 3 {
                    return Err(ParseError::NotAnAddress);
                }
                addr = (addr << 8) | val;
                octets += 1;
                val = 0;
                digits = 0;
            }
            _ => return Err(ParseError::NotAnAddress),
        }
    }
    if digits == 0 {
        return Err(ParseError::NotAnAddress);
    }
    if octets != 3 {
        return Err(ParseError::ShortIpv4);
    }
    Ok((addr << 8) | val)
}

/// Parses an IPv6 address (any RFC 4291 text form, no zone index).
#[inline]
pub fn parse_v6(s: &[u8]) -> Result<u128, ParseError> {
    let s = std::str::from_utf8(s).map_err(|_| ParseError::NotAnAddress)?;
    s.parse::<Ipv6Addr>()
        .map(u128::from)
        .map_err(|_| ParseError::NotAnAddress)
}

fn looks_like_hostname(s: &[u8]) -> bool {
    s.iter().any(|c| c.is_ascii_alphabetic())
        && s.iter()
            .all(|&c| c.is_ascii_alphanumeric() || c == b'.' || c == b'-' || c == b'_')
}

fn parse_prefix_len(s: &[u8], bits: u32) -> Result<u32, ParseError> {
    if s.is_empty() || s.len() > 3 || !s.iter().all(u8::is_ascii_digit) {
        return Err(ParseError::BadPrefix);
    }
    let n = s.iter().fold(0u32, |n, &c| n * 10 + (c - b'0') as u32);
    if n > bits {
        return Err(ParseError::PrefixTooLong);
    }
    Ok(n)
}

/// A contiguous netmask as a prefix length.
pub fn netmask_len(mask: u32) -> Option<u32> {
    let len = mask.leading_ones();
    (mask.checked_shl(len).unwrap_or(0) == 0).then_some(len)
}

/// One endpoint or standalone item: address, `addr/len` or `addr/netmask`.
fn parse_item(s: &[u8]) -> Result<Entry, ParseError> {
    let (addr, len) = match memchr::memchr(b'/', s) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    if addr.contains(&b':') {
        let a = parse_v6(addr)?;
        let len = match len {
            Some(l) => parse_prefix_len(l, 128)?,
            None => 128,
        };
        return Ok(Entry::V6(Range::from_prefix(a, len)));
    }
    let a = match parse_v4_strict(addr) {
        Ok(a) => a,
        Err(ParseError::NotAnAddress) if looks_like_hostname(s) => {
            return Err(ParseError::Hostname)
        }
        Err(e) => return Err(e),
    };
    let len = match len {
        None => 32,
        Some(l) if l.contains(&b'.') => {
            netmask_len(parse_v4_strict(l)?).ok_or(ParseError::BadNetmask)?
        }
        Some(l) => parse_prefix_len(l, 32)?,
    };
    Ok(Entry::V4(Range::from_prefix(a, len)))
}

/// IPv4-mapped IPv6 (`::ffff:a.b.c.d`, prefix /96 or longer) is IPv4.
fn unmap(e: Entry) -> Entry {
    const MAPPED: u128 = 0xffff_0000_0000;
    match e {
        Entry::V6(r) if r.start >> 32 == MAPPED >> 32 && r.end >> 32 == MAPPED >> 32 => {
            Entry::V4(Range::new(r.start as u32, r.end as u32))
        }
        e => e,
    }
}

/// Parses one list entry: an address, a CIDR (prefix length or, for IPv4, a
/// netmask), or a range `a-b` / `a - b` whose ends may be CIDRs (the range then
/// runs from the first network's start to the second's end). Host bits of a
/// CIDR are cleared. The input must already be trimmed of comments.
pub fn parse_entry(s: &[u8]) -> Result<Entry, ParseError> {
    let s = s.trim_ascii();
    if let Some(i) = memchr::memchr(b'-', s) {
        let (a, b) = (s[..i].trim_ascii(), s[i + 1..].trim_ascii());
        if looks_like_hostname(s) && !s.contains(&b':') {
            // `evil-host.example` is a name with a dash, not a range.
            if parse_item(a).is_err() || parse_item(b).is_err() {
                return Err(ParseError::Hostname);
            }
        }
        let (a, b) = (unmap(parse_item(a)?), unmap(parse_item(b)?));
        return match (a, b) {
            (Entry::V4(a), Entry::V4(b)) => range(a, b).map(Entry::V4),
            (Entry::V6(a), Entry::V6(b)) => range(a, b).map(Entry::V6),
            _ => Err(ParseError::MixedFamilies),
        };
    }
    parse_item(s).map(unmap)
}

fn range<A: Addr>(a: Range<A>, b: Range<A>) -> Result<Range<A>, ParseError> {
    if b.end < a.start {
        return Err(ParseError::ReversedRange);
    }
    Ok(Range::new(a.start, b.end))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v4(s: &str) -> Result<(u32, u32), ParseError> {
        match parse_entry(s.as_bytes())? {
            Entry::V4(r) => Ok((r.start, r.end)),
            Entry::V6(_) => panic!("v6"),
        }
    }

    #[test]
    fn strict_v4_forms() {
        assert_eq!(v4("1.2.3.4"), Ok((0x01020304, 0x01020304)));
        assert_eq!(v4("10.0.0.0/255.0.0.0"), Ok((0x0a000000, 0x0affffff)));
        assert_eq!(v4("1.1.1.17/24"), Ok((0x01010100, 0x010101ff)));
        assert_eq!(v4("1.2.3.4 - 1.2.3.9"), Ok((0x01020304, 0x01020309)));
        assert_eq!(v4("1.2.3.4-1.2.3.9"), Ok((0x01020304, 0x01020309)));
        assert_eq!(v4("0.0.0.0/0"), Ok((0, u32::MAX)));
        assert_eq!(v4("::ffff:1.2.3.0/120"), Ok((0x01020300, 0x010203ff)));
        assert_eq!(v4("010.1.1.1"), Err(ParseError::LeadingZero));
        assert_eq!(v4("1.2.3"), Err(ParseError::ShortIpv4));
        assert_eq!(v4("1.2.3.4/33"), Err(ParseError::PrefixTooLong));
        assert_eq!(v4("1.2.3.256"), Err(ParseError::OctetTooLarge));
        assert_eq!(v4("1.2.3.4/255.0.255.0"), Err(ParseError::BadNetmask));
        assert_eq!(v4("1.2.3.9-1.2.3.4"), Err(ParseError::ReversedRange));
        assert_eq!(v4("evil-host.example"), Err(ParseError::Hostname));
        assert_eq!(v4("example.com"), Err(ParseError::Hostname));
        assert_eq!(v4("1.2.3.4/"), Err(ParseError::BadPrefix));
        assert_eq!(v4("1.2.3.4.5"), Err(ParseError::NotAnAddress));
        assert_eq!(v4("1.2.3.4-::1"), Err(ParseError::MixedFamilies));
        assert_eq!(v4(""), Err(ParseError::NotAnAddress));
    }

    #[test]
    fn v6_forms() {
        let e = parse_entry(b"2001:db8::1/32").unwrap();
        assert_eq!(
            e,
            Entry::V6(Range::new(
                0x2001_0db8u128 << 96,
                (0x2001_0db8u128 << 96) | (u128::MAX >> 32)
            ))
        );
        assert_eq!(
            parse_entry(b"::/0").unwrap(),
            Entry::V6(Range::new(0, u128::MAX))
        );
        assert!(parse_entry(b"2001:db8::1/129").is_err());
        assert!(parse_entry(b"fe80::1%eth0").is_err());
    }
}
