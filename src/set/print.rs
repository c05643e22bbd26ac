//! Writing sets as plain lists: CIDRs, ranges or single addresses, IPv4 then
//! IPv6, each line optionally wrapped in a prefix and suffix (iprange's
//! `--print-prefix`/`--print-suffix`, handy for `ipset restore` scripts).

use super::{IpSet, PrefixMask, SplitIter};
use crate::net::{write_cidr, write_range, Addr, Range};
use std::io::{self, Write};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ListFormat {
    #[default]
    Cidr,
    Range,
    SingleIps,
}

/// How a list is written.
#[derive(Clone, Debug, Default)]
pub struct ListPrinter {
    pub format: ListFormat,
    /// Prefix lengths allowed in CIDR output, per family.
    pub mask4: PrefixMask,
    pub mask6: PrefixMask,
    /// Text around single addresses (a /32, /128 or one-address range).
    pub ip_prefix: Vec<u8>,
    pub ip_suffix: Vec<u8>,
    /// Text around networks and ranges.
    pub net_prefix: Vec<u8>,
    pub net_suffix: Vec<u8>,
    pub skip_v4: bool,
    pub skip_v6: bool,
    /// In range output, a one-address range as `a-a` (iprange) instead of `a`.
    pub single_range_as_pair: bool,
}

const FLUSH_AT: usize = 1 << 16;

impl ListPrinter {
    pub fn print<W: Write>(&self, set: &IpSet, out: &mut W) -> io::Result<()> {
        let mut buf = Vec::with_capacity(FLUSH_AT + 256);
        if !self.skip_v4 {
            self.ranges_into(set.v4.ranges().iter().copied(), self.mask4, &mut buf, out)?;
        }
        if !self.skip_v6 {
            self.ranges_into(set.v6.ranges().iter().copied(), self.mask6, &mut buf, out)?;
        }
        out.write_all(&buf)
    }

    /// Prints ranges as they come (sorted, but not necessarily merged).
    pub fn print_ranges<A: Addr, W: Write>(
        &self,
        ranges: impl IntoIterator<Item = Range<A>>,
        mask: PrefixMask,
        out: &mut W,
    ) -> io::Result<()> {
        let mut buf = Vec::with_capacity(FLUSH_AT + 256);
        self.ranges_into(ranges, mask, &mut buf, out)?;
        out.write_all(&buf)
    }

    #[inline]
    fn line(&self, buf: &mut Vec<u8>, single: bool, body: impl FnOnce(&mut Vec<u8>)) {
        let (pre, suf) = if single {
            (&self.ip_prefix, &self.ip_suffix)
        } else {
            (&self.net_prefix, &self.net_suffix)
        };
        buf.extend_from_slice(pre);
        body(buf);
        buf.extend_from_slice(suf);
        buf.push(b'\n');
    }

    fn ranges_into<A: Addr, W: Write>(
        &self,
        ranges: impl IntoIterator<Item = Range<A>>,
        mask: PrefixMask,
        buf: &mut Vec<u8>,
        out: &mut W,
    ) -> io::Result<()> {
        for r in ranges {
            match self.format {
                ListFormat::Cidr => {
                    for p in SplitIter::new(r, mask) {
                        self.line(buf, p.len == A::BITS, |b| write_cidr(b, p, true));
                        if buf.len() >= FLUSH_AT {
                            out.write_all(buf)?;
                            buf.clear();
                        }
                    }
                }
                ListFormat::Range => {
                    let bare = !self.single_range_as_pair;
                    self.line(buf, r.start == r.end, |b| write_range(b, r, bare));
                }
                ListFormat::SingleIps => {
                    let mut a = r.start;
                    loop {
                        self.line(buf, true, |b| a.write_to(b));
                        if buf.len() >= FLUSH_AT {
                            out.write_all(buf)?;
                            buf.clear();
                        }
                        if a == r.end {
                            break;
                        }
                        a = a.checked_inc().expect("a < end");
                    }
                }
            }
            if buf.len() >= FLUSH_AT {
                out.write_all(buf)?;
                buf.clear();
            }
        }
        Ok(())
    }
}
