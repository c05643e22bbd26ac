//! What a score is about: an address, a network or a domain.

use crate::net::{parse_entry, Addr, Entry, Prefix, Range};
use crate::record::IndicatorType;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

/// A CIDR network with host bits zero.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Net {
    /// false for IPv4 (`addr` then fits in 32 bits), true for IPv6.
    pub v6: bool,
    pub addr: u128,
    pub len: u8,
}

impl Net {
    /// The network of `len` bits around an IPv4 address.
    pub fn v4(addr: u32, len: u8) -> Net {
        Net {
            v6: false,
            addr: Range::from_prefix(addr, len as u32).start as u128,
            len,
        }
    }

    pub fn v6(addr: u128, len: u8) -> Net {
        Net {
            v6: true,
            addr: Range::from_prefix(addr, len as u32).start,
            len,
        }
    }

    /// Whether the network is canonical: a valid length and no host bits.
    pub fn is_valid(&self) -> bool {
        if self.v6 {
            self.len <= 128 && Net::v6(self.addr, self.len) == *self
        } else {
            self.len <= 32
                && self.addr <= u32::MAX as u128
                && Net::v4(self.addr as u32, self.len) == *self
        }
    }

    pub fn contains_v4(&self, a: u32) -> bool {
        !self.v6 && Net::v4(a, self.len).addr == self.addr
    }

    pub fn contains_v6(&self, a: u128) -> bool {
        self.v6 && Net::v6(a, self.len).addr == self.addr
    }

    pub fn write_to(&self, out: &mut Vec<u8>) {
        if self.v6 {
            crate::net::write_cidr(
                out,
                Prefix {
                    addr: self.addr,
                    len: self.len as u32,
                },
                false,
            )
        } else {
            crate::net::write_cidr(
                out,
                Prefix {
                    addr: self.addr as u32,
                    len: self.len as u32,
                },
                false,
            )
        }
    }
}

/// Any scored entry.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Key {
    V4(u32),
    V6(u128),
    Net(Net),
    Domain(String),
}

impl Key {
    pub fn kind(&self) -> IndicatorType {
        match self {
            Key::V4(_) | Key::V6(_) => IndicatorType::Ip,
            Key::Net(_) => IndicatorType::Net,
            Key::Domain(_) => IndicatorType::Domain,
        }
    }

    /// Canonical text: an address, a CIDR, or a domain.
    pub fn text(&self) -> String {
        let mut out = Vec::new();
        match self {
            Key::V4(a) => a.write_to(&mut out),
            Key::V6(a) => a.write_to(&mut out),
            Key::Net(n) => n.write_to(&mut out),
            Key::Domain(d) => out.extend_from_slice(d.as_bytes()),
        }
        String::from_utf8(out).unwrap_or_default()
    }

    /// The output order among equal scores: IPv4 before IPv6 before
    /// domains; by address, then prefix length (a host is /32 or /128);
    /// domains by bytes.
    pub fn display_cmp(&self, other: &Key) -> Ordering {
        fn rank(k: &Key) -> (u8, u128, u8, &str) {
            match k {
                Key::V4(a) => (0, *a as u128, 32, ""),
                Key::V6(a) => (1, *a, 128, ""),
                Key::Net(n) => (n.v6 as u8, n.addr, n.len, ""),
                Key::Domain(d) => (2, 0, 0, d.as_str()),
            }
        }
        rank(self).cmp(&rank(other))
    }
}

/// Parses an indicator: an address, a CIDR (host bits are cleared; a /32 or
/// /128 is an address) or a domain (checked and made canonical). Ranges
/// that are not one prefix are refused.
pub fn parse_key(text: &str) -> Result<Key, &'static str> {
    let b = text.as_bytes();
    if b.iter().any(|&c| c == b':' || c == b'/') || b.first().is_some_and(u8::is_ascii_digit) {
        match parse_entry(b) {
            Ok(Entry::V4(r)) => {
                return match r.as_prefix() {
                    Some(32) => Ok(Key::V4(r.start)),
                    Some(len) => Ok(Key::Net(Net::v4(r.start, len as u8))),
                    None => Err("a range that is not one CIDR prefix"),
                }
            }
            Ok(Entry::V6(r)) => {
                return match r.as_prefix() {
                    Some(128) => Ok(Key::V6(r.start)),
                    Some(len) => Ok(Key::Net(Net::v6(r.start, len as u8))),
                    None => Err("a range that is not one CIDR prefix"),
                }
            }
            Err(e) if b.contains(&b':') || b.contains(&b'/') => {
                return Err(match e {
                    crate::net::ParseError::PrefixTooLong => "prefix length too long",
                    _ => "not an IP address or CIDR",
                })
            }
            // Digits first but not an address: may still be a domain (`1password.com`).
            Err(_) => {}
        }
    }
    crate::net::domain::canonical_entry(b).map(Key::Domain)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys() {
        assert_eq!(parse_key("192.0.2.9"), Ok(Key::V4(0xc000_0209)));
        assert_eq!(parse_key("192.0.2.9/32"), Ok(Key::V4(0xc000_0209)));
        assert_eq!(parse_key("192.0.2.9/24").unwrap().text(), "192.0.2.0/24");
        assert_eq!(parse_key("2001:DB8::1").unwrap().text(), "2001:db8::1");
        assert_eq!(
            parse_key("2001:db8::/32").unwrap().kind(),
            IndicatorType::Net
        );
        assert_eq!(parse_key("Evil.Example").unwrap().text(), "evil.example");
        assert_eq!(
            parse_key("1password.com").unwrap().kind(),
            IndicatorType::Domain
        );
        assert!(parse_key("1.2.3.4-1.2.3.9").is_err());
        assert!(parse_key("1.2.3.4/40").is_err());
        assert!(parse_key("a b").is_err());
        let mut keys = [
            Key::Domain("a.example".into()),
            Key::V6(1),
            Key::V4(5),
            Key::Net(Net::v4(0, 24)),
        ];
        keys.sort_by(Key::display_cmp);
        assert_eq!(keys[0], Key::Net(Net::v4(0, 24)));
        assert_eq!(keys[3], Key::Domain("a.example".into()));
    }
}
