//! Canonical text output of addresses, prefixes and ranges, into byte buffers.
//!
//! Output paths write millions of lines, so formatting avoids `fmt`
//! machinery. IPv6 follows RFC 5952 (lower case, no leading zeros, the longest
//! run of two or more zero groups compressed, the leftmost on a tie) and, like
//! glibc's `inet_ntop`, writes the last 32 bits as dotted IPv4 for
//! IPv4-mapped (`::ffff:a.b.c.d`) and IPv4-compatible (`::a.b.c.d`) addresses,
//! so output matches iprange and the C tools byte for byte.

use super::{Addr, Prefix, Range};

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

/// RFC 5952 IPv6, with glibc's dotted tail for embedded IPv4.
pub fn write_v6(out: &mut Vec<u8>, a: u128) {
    let g: [u16; 8] = std::array::from_fn(|i| (a >> (112 - 16 * i)) as u16);
    let dotted = g[..5].iter().all(|&x| x == 0) && (g[5] == 0xffff || (g[5] == 0 && g[6] != 0));
    let groups = if dotted { 6 } else { 8 };
    let (best, best_len) = zero_run(&g[..groups]).unwrap_or((0, 0));
    let mut i = 0;
    while i < groups {
        if best_len > 0 && i == best {
            out.extend_from_slice(if i == 0 { b"::" } else { b":" });
            i += best_len;
            continue;
        }
        hex_group(out, g[i]);
        if i + 1 < groups {
            out.push(b':');
        }
        i += 1;
    }
    if dotted {
        if !(best_len > 0 && best + best_len == 6) {
            out.push(b':');
        }
        write_v4(out, a as u32);
    }
}

/// Where RFC 5952 puts "::": the longest run of two or more zero groups,
/// the leftmost on a tie, as (start, length).
pub fn zero_run(groups: &[u16]) -> Option<(usize, usize)> {
    let (mut best, mut best_len, mut i) = (0, 0, 0);
    while i < groups.len() {
        if groups[i] == 0 {
            let start = i;
            while i < groups.len() && groups[i] == 0 {
                i += 1;
            }
            if i - start > best_len {
                (best, best_len) = (start, i - start);
            }
        } else {
            i += 1;
        }
    }
    (best_len >= 2).then_some((best, best_len))
}

/// One IPv6 group: lower-case hex without leading zeros.
#[inline]
pub fn hex_group(out: &mut Vec<u8>, v: u16) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut started = false;
    for shift in [12, 8, 4, 0] {
        let d = (v >> shift) & 0xf;
        if d != 0 || started || shift == 0 {
            out.push(HEX[d as usize]);
            started = true;
        }
    }
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

    fn v6(a: u128) -> String {
        let mut o = Vec::new();
        write_v6(&mut o, a);
        String::from_utf8(o).unwrap()
    }

    #[test]
    fn v6_rfc5952_and_glibc_tail() {
        assert_eq!(
            v6(0x2001_0db8_0000_0000_0001_0000_0000_0001),
            "2001:db8::1:0:0:1"
        );
        assert_eq!(v6(0), "::");
        assert_eq!(v6(1), "::1");
        assert_eq!(v6(5), "::5");
        assert_eq!(v6(0xffff), "::ffff");
        assert_eq!(v6(0x0a00_0001), "::10.0.0.1");
        assert_eq!(v6(0xffff_0a00_0001), "::ffff:10.0.0.1");
        assert_eq!(v6(0xffff_0000_0000), "::ffff:0.0.0.0");
        assert_eq!(v6(0x0100_0000), "::1.0.0.0");
        assert_eq!(v6(0x1_0000_0000), "::1:0:0");
        assert_eq!(v6(0x2001_0db8u128 << 96), "2001:db8::");
        assert_eq!(v6(u128::MAX), "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
        assert_eq!(
            v6(0x2001_0db8_0000_0001_0000_0000_0000_0000),
            "2001:db8:0:1::"
        );
        assert_eq!(
            v6(0x2001_0000_0001_0000_0000_0001_0000_0001),
            "2001:0:1::1:0:1"
        );
        assert_eq!(v6(0x0001_0000_0000_0000_0000_0000_0000_0000), "1::");
        assert_eq!(v6(0x0001_0000_0001_0000_0000_0000_0000_0001), "1:0:1::1");
    }

    #[test]
    fn v6_matches_std_outside_embedded_ipv4() {
        // Rust's Display is RFC 5952 too; they differ only for ::a.b.c.d.
        let mut x: u128 = 0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c834;
        for _ in 0..2000 {
            x = x.rotate_left(17).wrapping_mul(0x2545_f491_4f6c_dd1d) ^ (x >> 7);
            // Zero some groups to exercise compression.
            let mask: u128 = (0..8)
                .filter(|i| (x >> (i * 3)) & 1 == 1)
                .map(|i| 0xffffu128 << (16 * i))
                .sum();
            let a = x & !mask;
            if a >> 48 == 0 {
                continue;
            }
            assert_eq!(v6(a), std::net::Ipv6Addr::from(a).to_string());
        }
    }
}
