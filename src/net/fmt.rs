//! Canonical text output of addresses, prefixes and ranges, into byte buffers.
//!
//! Output paths write millions of lines, so IPv4 formatting avoids `fmt`
//! machinery; IPv6 uses the standard library, which follows RFC 5952.

use super::{Addr, Prefix, Range};
use std::io::Write;
use std::net::Ipv6Addr;

/// Decimal text of every octet value, with its length.
static OCTETS: [([u8; 3], u8); 256] = {
    let mut t = [([0u8; 3], 0u8); 256];
    let mut i = 0;
    while i < 256 {
        let v = i as u8;
        t[i] = if v >= 100 {
            ([b'0' + v / 100, b'0' + (v / 10) % 10, b'0' + v % 10], 3)
        } else if v >= 10 {
            ([b'0' + v / 10, b'0' + v % 10, 0], 2)
        } else {
            ([b'0' + v, 0, 0], 1)
        };
        i += 1;
    }
    t
};

#[inline]
fn octet(out: &mut Vec<u8>, v: u8) {
    let (b, n) = &OCTETS[v as usize];
    out.extend_from_slice(&b[..*n as usize]);
}

/// Dotted-quad IPv4.
#[inline]
pub fn write_v4(out: &mut Vec<u8>, a: u32) {
    let [x, y, z, w] = a.to_be_bytes();
    octet(out, x);
    out.push(b'.');
    octet(out, y);
    out.push(b'.');
    octet(out, z);
    out.push(b'.');
    octet(out, w);
}

/// RFC 5952 IPv6.
pub fn write_v6(out: &mut Vec<u8>, a: u128) {
    let _ = write!(out, "{}", Ipv6Addr::from(a));
}

/// `addr/len`, or the bare address for a single host when `bare_host` is set.
#[inline]
pub fn write_cidr<A: Addr>(out: &mut Vec<u8>, p: Prefix<A>, bare_host: bool) {
    p.addr.write_to(out);
    if !(bare_host && p.len == A::BITS) {
        out.push(b'/');
        let (b, n) = &OCTETS[p.len as usize];
        out.extend_from_slice(&b[..*n as usize]);
    }
}

/// `start-end`, or the bare address when the range is a single host and
/// `bare_host` is set.
#[inline]
pub fn write_range<A: Addr>(out: &mut Vec<u8>, r: Range<A>, bare_host: bool) {
    r.start.write_to(out);
    if !(bare_host && r.start == r.end) {
        out.push(b'-');
        r.end.write_to(out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v4() {
        let mut o = Vec::new();
        write_v4(&mut o, 0x0a00_ff09);
        assert_eq!(o, b"10.0.255.9");
    }

    #[test]
    fn v6_rfc5952() {
        let mut o = Vec::new();
        write_v6(&mut o, 0x2001_0db8_0000_0000_0001_0000_0000_0001);
        assert_eq!(o, b"2001:db8::1:0:0:1");
    }
}
