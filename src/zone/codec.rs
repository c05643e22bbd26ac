//! The published forms of a list, defined once: `zone::lists` writes them
//! and the firewall's pull reads them back with the same definitions.
//!
//! - **Names**: chunk k of a list at `base` appends k to the first label
//!   ([`chunk_name`]); a profile's list `L` in format `F` is at `F.L`
//!   ([`list_base`]).
//! - **Count record**: `TXT "chunks=K"` or `"chunks=K omitted=N"` at the
//!   base name ([`ChunkCount`]).
//! - **APL** (RFC 3123): items `1:192.0.2.0/24`, `!2:2001:db8::/32` in zone
//!   files; on the wire AFI (2 octets), prefix length, N bit and AFDLENGTH
//!   (1 octet), and the address without trailing zero octets
//!   ([`write_apl_item`], [`parse_apl_text`], [`encode_apl_item`],
//!   [`decode_apl_rdata`]); a `!` item excludes, the longest prefix wins
//!   ([`apl_set`]).
//! - **TXT**: every record starts with the marker `seq=I/N` ([`SeqMarker`]),
//!   then strings of CIDR tokens separated by single spaces (a single
//!   address bare), never split across strings ([`write_txt_token`],
//!   [`parse_txt_tokens`]). The plain form ([`TxtForm::Plain`]) has the
//!   token strings only: no marker and no count record.
//!
//! Readers are strict: what tl-zone would not have written is refused, so a
//! damaged or foreign answer is an error rather than a different list.

use crate::error::quote;
use crate::net::{parse_v4_strict, parse_v6, write_cidr, Addr, Prefix, Range};
use crate::set::{IntervalSet, IpSet};
use std::fmt;

/// Why published data could not be read: what was wrong and the text (or
/// octets) in question.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodecError {
    pub reason: &'static str,
    pub text: Vec<u8>,
}

impl CodecError {
    fn new(reason: &'static str, text: &[u8]) -> Self {
        CodecError {
            reason,
            text: text.to_vec(),
        }
    }
}

impl fmt::Display for CodecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.reason, quote(&self.text))
    }
}

impl std::error::Error for CodecError {}

// ---------------------------------------------------------------- names

/// The name of chunk `k` of a list at `base` (relative, not empty).
pub fn chunk_name(base: &str, k: usize) -> String {
    if k == 0 {
        return base.to_string();
    }
    match base.split_once('.') {
        Some((first, rest)) => format!("{first}{k}.{rest}"),
        None => format!("{base}{k}"),
    }
}

/// The base name of a profile's list in a format, relative to the
/// profile's zone: `FORMAT_LABEL.LIST` (`apl.block-in`, `bl.block-out`).
pub fn list_base(format_label: &str, list: &str) -> String {
    format!("{format_label}.{list}")
}

// ---------------------------------------------------------------- count

/// The count record at a list's base name: how many chunk names follow,
/// and how many prefixes the multi-host form left out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ChunkCount {
    pub chunks: usize,
    pub omitted: u64,
}

const CHUNKS: &[u8] = b"chunks=";
const OMITTED: &[u8] = b" omitted=";

impl ChunkCount {
    /// The record's one string, without quotes: `chunks=K` or
    /// `chunks=K omitted=N` (only when N > 0).
    pub fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(CHUNKS);
        out.extend_from_slice(self.chunks.to_string().as_bytes());
        if self.omitted > 0 {
            out.extend_from_slice(OMITTED);
            out.extend_from_slice(self.omitted.to_string().as_bytes());
        }
    }

    /// Whether a TXT string is meant as a count record (then [`parse`]
    /// must accept it, or the answer is damaged).
    ///
    /// [`parse`]: ChunkCount::parse
    pub fn is_count(s: &[u8]) -> bool {
        s.starts_with(CHUNKS)
    }

    /// Reads the string [`write`](ChunkCount::write) writes, and nothing
    /// else.
    pub fn parse(s: &[u8]) -> Result<ChunkCount, CodecError> {
        let bad = || CodecError::new("not a chunk count (chunks=K [omitted=N])", s);
        let rest = s.strip_prefix(CHUNKS).ok_or_else(bad)?;
        let (k, omitted) = match find(rest, OMITTED) {
            Some(i) => {
                let n = number(&rest[i + OMITTED.len()..]).ok_or_else(bad)?;
                if n == 0 {
                    return Err(bad());
                }
                (&rest[..i], n)
            }
            None => (rest, 0),
        };
        let chunks = number(k).ok_or_else(bad)?;
        Ok(ChunkCount {
            chunks: usize::try_from(chunks).map_err(|_| bad())?,
            omitted,
        })
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// A decimal number without sign or leading zeros (other than `0`).
fn number(s: &[u8]) -> Option<u64> {
    if s.is_empty() || s.len() > 19 || (s.len() > 1 && s[0] == b'0') {
        return None;
    }
    if !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(s).ok()?.parse().ok()
}

// ---------------------------------------------------------------- APL

/// RFC 3123 address family numbers.
pub const AFI_V4: u16 = 1;
pub const AFI_V6: u16 = 2;

/// A prefix of either family.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AnyPrefix {
    V4(Prefix<u32>),
    V6(Prefix<u128>),
}

/// One APL item: a prefix, excluded when `negated` (`!`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AplItem {
    pub negated: bool,
    pub prefix: AnyPrefix,
}

/// Octets of one APL item on the wire: AFI, prefix, N|length, and the
/// address without trailing zero octets (RFC 3123 §4).
pub fn apl_item_len<A: Addr>(p: Prefix<A>) -> usize {
    4 + afd_len(p)
}

fn afd_len<A: Addr>(p: Prefix<A>) -> usize {
    let bytes = (A::BITS / 8) as usize;
    let v = p.addr.to_u128();
    let zeros = if v == 0 {
        bytes
    } else {
        (v.trailing_zeros() / 8) as usize
    };
    bytes - zeros
}

fn afi<A: Addr>() -> u16 {
    if A::BITS == 32 {
        AFI_V4
    } else {
        AFI_V6
    }
}

/// One item as a zone file writes it: `[!]AFI:address/len`.
pub fn write_apl_item<A: Addr>(out: &mut Vec<u8>, p: Prefix<A>, negated: bool) {
    if negated {
        out.push(b'!');
    }
    out.push(b'0' + afi::<A>() as u8);
    out.push(b':');
    write_cidr(out, p, false);
}

/// One item on the wire (RFC 3123 §4).
pub fn encode_apl_item(out: &mut Vec<u8>, item: &AplItem) {
    fn enc<A: Addr>(out: &mut Vec<u8>, p: Prefix<A>, negated: bool) {
        out.extend_from_slice(&afi::<A>().to_be_bytes());
        out.push(p.len as u8);
        let n = afd_len(p);
        out.push(n as u8 | if negated { 0x80 } else { 0 });
        let bytes = (A::BITS / 8) as usize;
        let all = p.addr.to_u128().to_be_bytes();
        out.extend_from_slice(&all[16 - bytes..16 - bytes + n]);
    }
    match item.prefix {
        AnyPrefix::V4(p) => enc(out, p, item.negated),
        AnyPrefix::V6(p) => enc(out, p, item.negated),
    }
}

/// A prefix whose host bits are zero, or an error.
fn checked_prefix<A: Addr>(addr: A, len: u32, text: &[u8]) -> Result<Prefix<A>, CodecError> {
    if len > A::BITS {
        return Err(CodecError::new(
            "prefix length too long for the family",
            text,
        ));
    }
    if addr.to_u128() & A::hostmask(len).to_u128() != 0 {
        return Err(CodecError::new(
            "address has bits set past the prefix",
            text,
        ));
    }
    Ok(Prefix { addr, len })
}

/// The items of one APL record's RDATA, appended to `out`.
pub fn decode_apl_rdata(rdata: &[u8], out: &mut Vec<AplItem>) -> Result<(), CodecError> {
    let mut rest = rdata;
    while !rest.is_empty() {
        if rest.len() < 4 {
            return Err(CodecError::new("APL item cut short", rest));
        }
        let family = u16::from_be_bytes([rest[0], rest[1]]);
        let len = rest[2] as u32;
        let negated = rest[3] & 0x80 != 0;
        let n = (rest[3] & 0x7f) as usize;
        let item = &rest[..(4 + n).min(rest.len())];
        if rest.len() < 4 + n {
            return Err(CodecError::new("APL item cut short", item));
        }
        let afd = &rest[4..4 + n];
        let prefix = match family {
            AFI_V4 | AFI_V6 => {
                let bytes = if family == AFI_V4 { 4 } else { 16 };
                if n > bytes {
                    return Err(CodecError::new("APL address longer than its family", item));
                }
                let mut all = [0u8; 16];
                all[16 - bytes..16 - bytes + n].copy_from_slice(afd);
                let v = u128::from_be_bytes(all);
                if family == AFI_V4 {
                    AnyPrefix::V4(checked_prefix(v as u32, len, item)?)
                } else {
                    AnyPrefix::V6(checked_prefix(v, len, item)?)
                }
            }
            _ => return Err(CodecError::new("APL address family not 1 or 2", item)),
        };
        out.push(AplItem { negated, prefix });
        rest = &rest[4 + n..];
    }
    Ok(())
}

/// The items of an APL record in zone-file text (`1:192.0.2.0/24
/// !1:192.0.2.77/32 ...`), appended to `out`.
pub fn parse_apl_text(text: &[u8], out: &mut Vec<AplItem>) -> Result<(), CodecError> {
    for tok in text.split(|&b| b == b' ').filter(|t| !t.is_empty()) {
        let (negated, body) = match tok.strip_prefix(b"!") {
            Some(b) => (true, b),
            None => (false, tok),
        };
        let bad = |reason| CodecError::new(reason, tok);
        let (fam, cidr) = match body.split_first() {
            Some((b'1', r)) => (
                AFI_V4,
                r.strip_prefix(b":").ok_or_else(|| bad("not an APL item"))?,
            ),
            Some((b'2', r)) => (
                AFI_V6,
                r.strip_prefix(b":").ok_or_else(|| bad("not an APL item"))?,
            ),
            _ => return Err(bad("not an APL item (AFI 1 or 2)")),
        };
        let slash =
            memchr::memchr(b'/', cidr).ok_or_else(|| bad("APL item without a prefix length"))?;
        let len = number(&cidr[slash + 1..]).ok_or_else(|| bad("bad APL prefix length"))?;
        let len = u32::try_from(len).map_err(|_| bad("bad APL prefix length"))?;
        let addr = &cidr[..slash];
        let prefix = if fam == AFI_V4 {
            let a = parse_v4_strict(addr).map_err(|e| bad(e.reason()))?;
            AnyPrefix::V4(checked_prefix(a, len, tok)?)
        } else {
            let a = parse_v6(addr).map_err(|e| bad(e.reason()))?;
            AnyPrefix::V6(checked_prefix(a, len, tok)?)
        };
        out.push(AplItem { negated, prefix });
    }
    Ok(())
}

/// The addresses a list of APL items says: every item sets its prefix in
/// or out, the longest prefix winning (at equal length, `!` wins).
pub fn apl_set(items: &[AplItem]) -> IpSet {
    let mut v4: Vec<(u32, bool, Range<u32>)> = Vec::new();
    let mut v6: Vec<(u32, bool, Range<u128>)> = Vec::new();
    for it in items {
        match it.prefix {
            AnyPrefix::V4(p) => v4.push((p.len, it.negated, p.range())),
            AnyPrefix::V6(p) => v6.push((p.len, it.negated, p.range())),
        }
    }
    IpSet {
        v4: longest_wins(v4),
        v6: longest_wins(v6),
    }
}

fn longest_wins<A: Addr>(mut items: Vec<(u32, bool, Range<A>)>) -> IntervalSet<A> {
    items.sort_unstable_by_key(|&(len, neg, _)| (len, neg));
    let mut set = IntervalSet::new();
    let mut i = 0;
    while i < items.len() {
        let (len, neg, _) = items[i];
        let j = i + items[i..]
            .iter()
            .take_while(|&&(l, n, _)| l == len && n == neg)
            .count();
        let group = IntervalSet::from_ranges(items[i..j].iter().map(|&(_, _, r)| r).collect());
        set = if neg {
            set.difference(&group)
        } else {
            set.union(&group)
        };
        i = j;
    }
    set
}

// ---------------------------------------------------------------- TXT

/// Octets of one TXT character-string, at most.
pub const TXT_STRING_MAX: usize = 255;

/// `seq=I/N`: the record's place (1-based) among the N data records at its
/// name, the first string of every data record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SeqMarker {
    pub index: usize,
    pub total: usize,
}

const SEQ: &[u8] = b"seq=";

impl SeqMarker {
    pub fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(SEQ);
        out.extend_from_slice(format!("{}/{}", self.index, self.total).as_bytes());
    }

    /// Whether a record's first string is meant as a marker.
    pub fn is_marker(s: &[u8]) -> bool {
        s.starts_with(SEQ)
    }

    pub fn parse(s: &[u8]) -> Result<SeqMarker, CodecError> {
        let bad = || CodecError::new("not a sequence marker (seq=I/N)", s);
        let rest = s.strip_prefix(SEQ).ok_or_else(bad)?;
        let slash = memchr::memchr(b'/', rest).ok_or_else(bad)?;
        let index = number(&rest[..slash]).ok_or_else(bad)?;
        let total = number(&rest[slash + 1..]).ok_or_else(bad)?;
        if index == 0 || index > total || total > u32::MAX as u64 {
            return Err(bad());
        }
        Ok(SeqMarker {
            index: index as usize,
            total: total as usize,
        })
    }
}

/// Whether TXT records carry the count record and the markers, or only
/// the addresses (`tl-zone --txt-plain`, `txt.plain`). A plain TXT list has
/// neither `chunks=K` nor `seq=I/N`: its records are token strings only,
/// its chunks numbered as always, so a client probes names until NXDOMAIN
/// and cannot tell a lost record or chunk from a shorter list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TxtForm {
    Marked,
    Plain,
}

impl TxtForm {
    /// The form of a TXT record at a list's base name, from its first
    /// string: a count or a marker says `Marked`; address tokens `Plain`;
    /// anything else is not a TXT list.
    pub fn of_record(first: &[u8]) -> Option<TxtForm> {
        if ChunkCount::is_count(first) || SeqMarker::is_marker(first) {
            return Some(TxtForm::Marked);
        }
        let ok = parse_txt_tokens(first, &mut Vec::new(), &mut Vec::new()).is_ok();
        ok.then_some(TxtForm::Plain)
    }
}

/// One token of a TXT list: the CIDR, a single address bare.
pub fn write_txt_token<A: Addr>(out: &mut Vec<u8>, p: Prefix<A>) {
    write_cidr(out, p, true);
}

/// The tokens of one TXT data string (after the marker), as prefixes.
pub fn parse_txt_tokens(
    s: &[u8],
    v4: &mut Vec<Range<u32>>,
    v6: &mut Vec<Range<u128>>,
) -> Result<(), CodecError> {
    if s.is_empty() {
        return Err(CodecError::new("empty TXT string", s));
    }
    for tok in s.split(|&b| b == b' ') {
        let bad = |reason| CodecError::new(reason, tok);
        if tok.is_empty() {
            return Err(CodecError::new("TXT tokens not separated by one space", s));
        }
        let (addr, len) = match memchr::memchr(b'/', tok) {
            Some(i) => {
                let l = number(&tok[i + 1..]).ok_or_else(|| bad("bad prefix length"))?;
                (
                    &tok[..i],
                    Some(u32::try_from(l).map_err(|_| bad("bad prefix length"))?),
                )
            }
            None => (tok, None),
        };
        if addr.contains(&b':') {
            let a = parse_v6(addr).map_err(|e| bad(e.reason()))?;
            let len = len.unwrap_or(128);
            if len == 128 && tok.len() != addr.len() {
                return Err(bad("a single address is written bare"));
            }
            v6.push(checked_prefix(a, len, tok)?.range());
        } else {
            let a = parse_v4_strict(addr).map_err(|e| bad(e.reason()))?;
            let len = len.unwrap_or(32);
            if len == 32 && tok.len() != addr.len() {
                return Err(bad("a single address is written bare"));
            }
            v4.push(checked_prefix(a, len, tok)?.range());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunk_names() {
        assert_eq!(chunk_name("blk", 0), "blk");
        assert_eq!(chunk_name("blk", 12), "blk12");
        assert_eq!(chunk_name("a.block-in", 2), "a2.block-in");
        assert_eq!(list_base("apl", "allow"), "apl.allow");
    }

    #[test]
    fn counts() {
        for (c, text) in [
            (
                ChunkCount {
                    chunks: 3,
                    omitted: 0,
                },
                "chunks=3",
            ),
            (
                ChunkCount {
                    chunks: 0,
                    omitted: 0,
                },
                "chunks=0",
            ),
            (
                ChunkCount {
                    chunks: 2,
                    omitted: 17,
                },
                "chunks=2 omitted=17",
            ),
        ] {
            let mut out = Vec::new();
            c.write(&mut out);
            assert_eq!(out, text.as_bytes());
            assert_eq!(ChunkCount::parse(text.as_bytes()), Ok(c));
        }
        for bad in [
            "chunks=",
            "chunks=03",
            "chunks=1 omitted=0",
            "chunks=1  omitted=2",
            "chunks=-1",
            "chunks=1 x",
            "chunk=1",
            "chunks=99999999999999999999",
        ] {
            assert!(ChunkCount::parse(bad.as_bytes()).is_err(), "{bad}");
        }
    }

    #[test]
    fn markers() {
        assert_eq!(
            SeqMarker::parse(b"seq=2/5"),
            Ok(SeqMarker { index: 2, total: 5 })
        );
        for bad in ["seq=0/5", "seq=6/5", "seq=1/", "seq=01/5", "seq=1/5 "] {
            assert!(SeqMarker::parse(bad.as_bytes()).is_err(), "{bad}");
        }
    }

    fn v4(a: u32, len: u32) -> AnyPrefix {
        AnyPrefix::V4(Prefix { addr: a, len })
    }

    #[test]
    fn apl_wire_matches_the_rfc() {
        // RFC 3123's example items: 1:192.168.32.0/21 !1:192.168.38.0/28
        let items = [
            AplItem {
                negated: false,
                prefix: v4(0xc0a8_2000, 21),
            },
            AplItem {
                negated: true,
                prefix: v4(0xc0a8_2600, 28),
            },
        ];
        let mut wire = Vec::new();
        for i in &items {
            encode_apl_item(&mut wire, i);
        }
        assert_eq!(
            wire,
            [0, 1, 21, 3, 192, 168, 32, 0, 1, 28, 0x83, 192, 168, 38]
        );
        let mut back = Vec::new();
        decode_apl_rdata(&wire, &mut back).unwrap();
        assert_eq!(back, items);
        let mut text = Vec::new();
        back.clear();
        parse_apl_text(b"1:192.168.32.0/21 !1:192.168.38.0/28", &mut back).unwrap();
        assert_eq!(back, items);
        write_apl_item(
            &mut text,
            Prefix {
                addr: 0xc0a8_2600u32,
                len: 28,
            },
            true,
        );
        assert_eq!(text, b"!1:192.168.38.0/28");
        // 0/0 has no address octets; trailing zeros sent anyway are read
        back.clear();
        decode_apl_rdata(&[0, 1, 0, 0, 0, 1, 8, 2, 10, 0], &mut back).unwrap();
        assert_eq!(back[0].prefix, v4(0, 0));
        assert_eq!(back[1].prefix, v4(0x0a00_0000, 8));
    }

    #[test]
    fn apl_refuses_damage() {
        for bad in [
            &[0u8, 1, 24][..],             // cut short
            &[0, 1, 24, 3, 192, 0],        // address cut short
            &[0, 1, 33, 0],                // too long a prefix
            &[0, 1, 24, 5, 1, 2, 3, 4, 5], // address too long
            &[0, 3, 0, 0],                 // unknown family
            &[0, 1, 8, 2, 10, 1],          // host bits
        ] {
            assert!(decode_apl_rdata(bad, &mut Vec::new()).is_err(), "{bad:?}");
        }
        for bad in [
            "3:1.2.3.0/24",
            "1:1.2.3.0",
            "1:1.2.3.1/24",
            "1:2001:db8::/32",
            "2:1.2.3.4/32",
            "!!1:1.2.3.0/24",
            "1:1.2.3.0/024",
        ] {
            assert!(
                parse_apl_text(bad.as_bytes(), &mut Vec::new()).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn longest_prefix_wins() {
        let mut items = Vec::new();
        parse_apl_text(
            b"!1:10.1.0.0/16 1:10.0.0.0/8 1:10.1.2.0/24 !1:10.1.2.3/32",
            &mut items,
        )
        .unwrap();
        let s = apl_set(&items);
        assert!(s.v4.contains(0x0a00_0001));
        assert!(!s.v4.contains(0x0a01_0001));
        assert!(s.v4.contains(0x0a01_0201));
        assert!(!s.v4.contains(0x0a01_0203));
    }

    #[test]
    fn txt_tokens() {
        let (mut a, mut b) = (Vec::new(), Vec::new());
        parse_txt_tokens(b"192.0.2.1 10.0.0.0/8 2001:db8::/32 ::1", &mut a, &mut b).unwrap();
        assert_eq!(a.len(), 2);
        assert_eq!(b.len(), 2);
        for bad in [
            "",
            "192.0.2.1  10.0.0.0/8",
            " 192.0.2.1",
            "192.0.2.1/32",
            "10.0.0.1/8",
            "1.2.3.4-1.2.3.5",
            "host.example",
            "::1/128",
        ] {
            assert!(
                parse_txt_tokens(bad.as_bytes(), &mut Vec::new(), &mut Vec::new()).is_err(),
                "{bad}"
            );
        }
    }
}

/// What the writers (`zone::lists`) write, these readers read back to the
/// same set: APL (text and wire, with `!` holes) and TXT, both families.
#[cfg(test)]
mod roundtrip {
    use super::*;
    use crate::net::Entry;
    use crate::zone::config::Limits;
    use crate::zone::lists;
    use proptest::prelude::*;

    fn entries() -> impl Strategy<Value = Vec<Entry>> {
        let v4 = (any::<u32>(), 8u32..=32).prop_map(|(a, len)| {
            // clustered, so that prefixes touch and holes fall inside
            let a = 0xc000_0000 | (a & 0x000f_ffff);
            Entry::V4(Range::from_prefix(a & u32::netmask(len), len))
        });
        let v6 = (any::<u64>(), 16u32..=128).prop_map(|(a, len)| {
            let a = (0x2001_0db8u128 << 96) | ((a as u128 & 0xffff_ffff) << 64) | (a as u128 >> 48);
            Entry::V6(Range::from_prefix(a & u128::netmask(len), len))
        });
        prop::collection::vec(prop_oneof![v4, v6], 0..120)
    }

    fn small() -> Limits {
        Limits {
            apl_items_per_rr: 5,
            rrs_per_name: 3,
            txt_rr_octets: 200,
            ..Limits::default()
        }
    }

    /// The zone text's lines as (owner, type, rdata).
    fn lines(out: &[u8]) -> Vec<(String, String, String)> {
        std::str::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| {
                let mut f = l.splitn(3, '\t');
                let mut next = || f.next().unwrap().to_string();
                (next(), next(), next())
            })
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn apl_reads_back(block in entries(), allow in entries()) {
            let allow = IpSet::from_entries(allow);
            let block = IpSet::from_entries(block).difference(&allow);
            let mut out = Vec::new();
            let chunks = lists::apl(&mut out, "blk", &block, &allow, &small());
            let (mut from_text, mut from_wire) = (Vec::new(), Vec::new());
            let mut count = None;
            for (owner, t, data) in lines(&out) {
                match t.as_str() {
                    "TXT" => count = Some(ChunkCount::parse(data.trim_matches('"').as_bytes()).unwrap()),
                    "APL" => {
                        prop_assert!(owner.starts_with("blk"));
                        let mut items = Vec::new();
                        parse_apl_text(data.as_bytes(), &mut items).unwrap();
                        let mut wire = Vec::new();
                        for i in &items {
                            encode_apl_item(&mut wire, i);
                        }
                        decode_apl_rdata(&wire, &mut from_wire).unwrap();
                        from_text.extend(items);
                    }
                    _ => prop_assert!(false, "{t}"),
                }
            }
            prop_assert_eq!(count.unwrap().chunks, chunks);
            prop_assert_eq!(&from_text, &from_wire);
            prop_assert_eq!(apl_set(&from_text), block);
        }

        #[test]
        fn txt_reads_back(block in entries()) {
            let block = IpSet::from_entries(block);
            let mut out = Vec::new();
            lists::txt(&mut out, "blk", &block, &small());
            let (mut v4, mut v6) = (Vec::new(), Vec::new());
            for (_, t, data) in lines(&out) {
                prop_assert_eq!(t.as_str(), "TXT");
                let strings: Vec<&str> = data.split('"').skip(1).step_by(2).collect();
                if ChunkCount::is_count(strings[0].as_bytes()) {
                    ChunkCount::parse(strings[0].as_bytes()).unwrap();
                    continue;
                }
                SeqMarker::parse(strings[0].as_bytes()).unwrap();
                for s in &strings[1..] {
                    prop_assert!(s.len() <= TXT_STRING_MAX);
                    parse_txt_tokens(s.as_bytes(), &mut v4, &mut v6).unwrap();
                }
            }
            let back = IpSet {
                v4: IntervalSet::from_ranges(v4),
                v6: IntervalSet::from_ranges(v6),
            };
            prop_assert_eq!(back, block);
        }
    }
}
