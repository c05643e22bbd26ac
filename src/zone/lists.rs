//! Whole lists at a few names: multi-host A/AAAA, APL (RFC 3123) and TXT.
//!
//! A list is cut into chunks, one name each, so that every answer fits one
//! TCP message: chunk 0 at the list's base name (`blk`), chunk k at the base
//! name with k appended to its first label (`blk1`, `blk2`, ... numbered
//! densely, so a client may also probe until NXDOMAIN). The base name also
//! carries `TXT "chunks=K"`, the number of chunks. Entries are sorted
//! numerically (IPv4 before IPv6) and then sliced, so the same list always
//! gives the same names. The forms themselves (names, the count record,
//! APL items, TXT markers and tokens) are defined in `zone::codec`, which
//! the firewall's pull reads them back with.

pub use super::codec::TxtForm;
pub use super::codec::{apl_item_len, chunk_name};
use super::codec::{write_apl_item, write_txt_token, ChunkCount, SeqMarker, TXT_STRING_MAX};
use super::config::Limits;
use super::cover::{cover, Cover};
use crate::net::{Addr, Prefix};
use crate::set::{IntervalSet, IpSet};

/// What a multi-host list published and what it could not.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HostStats {
    pub chunks: usize,
    pub addresses: u64,
    /// Prefixes not expanded (wider than `expand_max` addresses and past
    /// the chunk budget): not in the A/AAAA names (they are in the APL, TXT
    /// and DNSBL forms).
    pub omitted_prefixes: u64,
    pub omitted_addresses: u128,
}

fn line(out: &mut Vec<u8>, owner: &str, rtype: &str) {
    out.extend_from_slice(owner.as_bytes());
    out.push(b'\t');
    out.extend_from_slice(rtype.as_bytes());
    out.push(b'\t');
}

/// Multi-host A (IPv4) or AAAA (IPv6) names for `set`: single addresses,
/// and the addresses of prefixes of at most `expand_max` addresses; wider
/// prefixes are counted in the stats and in the count record, never
/// expanded.
pub fn multihost<A: Addr>(
    out: &mut Vec<u8>,
    base: &str,
    set: &IntervalSet<A>,
    per_name: usize,
    expand_max: u64,
) -> HostStats {
    multihost_within(out, base, set, per_name, expand_max, 0)
}

/// Addresses in a prefix of `len` bits, saturating for the whole space.
fn prefix_size<A: Addr>(len: u32) -> u128 {
    match A::BITS - len {
        128 => u128::MAX,
        bits => 1u128 << bits,
    }
}

/// [`multihost`], and then wider prefixes too, narrowest first (then by
/// address), while the list stays within `max_chunks` names; what is still
/// left out is counted.
pub fn multihost_within<A: Addr>(
    out: &mut Vec<u8>,
    base: &str,
    set: &IntervalSet<A>,
    per_name: usize,
    expand_max: u64,
    max_chunks: usize,
) -> HostStats {
    let prefixes: Vec<_> = set.cidrs().collect();
    multihost_prefixes(out, base, &prefixes, per_name, expand_max, max_chunks)
}

/// [`multihost_within`] for prefixes as given (sorted, maybe nested): each
/// is expanded or left out as a whole, and an address two of them hold is
/// published once.
pub fn multihost_prefixes<A: Addr>(
    out: &mut Vec<u8>,
    base: &str,
    prefixes: &[Prefix<A>],
    per_name: usize,
    expand_max: u64,
    max_chunks: usize,
) -> HostStats {
    let rtype = if A::BITS == 32 { "A" } else { "AAAA" };
    let mut st = HostStats::default();
    let mut expand = vec![false; prefixes.len()];
    let mut total: u128 = 0;
    let mut wider = Vec::new();
    for (i, p) in prefixes.iter().enumerate() {
        let size = prefix_size::<A>(p.len);
        if size <= expand_max as u128 {
            expand[i] = true;
            total += size;
        } else {
            wider.push(i);
        }
    }
    // The budget takes the narrowest first: the most prefixes for it.
    let budget = (per_name as u128).saturating_mul(max_chunks as u128);
    wider.sort_by_key(|&i| (std::cmp::Reverse(prefixes[i].len), prefixes[i].addr));
    for i in wider {
        let size = prefix_size::<A>(prefixes[i].len);
        if total.saturating_add(size) <= budget {
            expand[i] = true;
            total += size;
        } else {
            st.omitted_prefixes += 1;
            st.omitted_addresses = st.omitted_addresses.saturating_add(size);
        }
    }
    let mut hosts: Vec<A> = Vec::with_capacity(total.min(1 << 24) as usize);
    for (p, _) in prefixes.iter().zip(&expand).filter(|(_, &e)| e) {
        let mut a = p.addr;
        for _ in 0..prefix_size::<A>(p.len) {
            hosts.push(a);
            a = match a.checked_inc() {
                Some(n) => n,
                None => break,
            };
        }
    }
    if !hosts.is_sorted() {
        // nested entries
        hosts.sort_unstable();
        hosts.dedup();
    }
    st.addresses = hosts.len() as u64;
    st.chunks = hosts.len().div_ceil(per_name);
    count_record(out, base, st.chunks, st.omitted_prefixes);
    let mut owner = String::new();
    for (k, chunk) in hosts.chunks(per_name).enumerate() {
        owner.clear();
        owner.push_str(&chunk_name(base, k));
        for &a in chunk {
            line(out, &owner, rtype);
            a.write_to(out);
            out.push(b'\n');
        }
    }
    st
}

/// `BASE TXT "chunks=K"` (and how many prefixes were left out, if any).
fn count_record(out: &mut Vec<u8>, base: &str, chunks: usize, omitted: u64) {
    line(out, base, "TXT");
    out.push(b'"');
    ChunkCount { chunks, omitted }.write(out);
    out.extend_from_slice(b"\"\n");
}

/// Fixed cost of one record in an answer (compressed owner, type, class,
/// TTL, rdata length).
const RR_OVERHEAD: usize = 12;

/// One unit of an APL list: a prefix and the holes carved out of it, which
/// always travel in the same record.
struct Unit {
    /// Its items' text, in the shared buffer.
    text: std::ops::Range<usize>,
    items: usize,
    octets: usize,
}

fn apl_units<A: Addr>(covers: &[Cover<A>], out: &mut Vec<Unit>, text: &mut Vec<u8>) {
    for c in covers {
        let start = text.len();
        let mut octets = 0;
        for (i, (p, neg)) in std::iter::once((c.prefix, false))
            .chain(c.holes.iter().map(|h| (*h, true)))
            .enumerate()
        {
            if i > 0 {
                text.push(b' ');
            }
            write_apl_item(text, p, neg);
            octets += apl_item_len(p);
        }
        out.push(Unit {
            text: start..text.len(),
            items: 1 + c.holes.len(),
            octets,
        });
    }
}

/// APL records carrying `block` as prefixes, with `!` items for the holes
/// that `allow` punches into covering prefixes when that is shorter. At most
/// `apl_items_per_rr` items per record (NSD 4.6 takes 64), at most
/// `rrs_per_name` records and `answer_octets` per name. Returns the number
/// of chunks.
pub fn apl(out: &mut Vec<u8>, base: &str, block: &IpSet, allow: &IpSet, l: &Limits) -> usize {
    let max_holes = apl_max_holes(l);
    let c4 = cover(&block.v4, &allow.v4, max_holes, |p, _| apl_item_len(p));
    let c6 = cover(&block.v6, &allow.v6, max_holes, |p, _| apl_item_len(p));
    apl_covers(out, base, &c4, &c6, l)
}

/// Holes an APL cover may carry: its prefix and holes share one record.
pub fn apl_max_holes(l: &Limits) -> usize {
    l.apl_items_per_rr.saturating_sub(1)
}

/// [`apl`] for covers made already (by `cover::exact` for a list as given).
pub fn apl_covers(
    out: &mut Vec<u8>,
    base: &str,
    c4: &[Cover<u32>],
    c6: &[Cover<u128>],
    l: &Limits,
) -> usize {
    let mut units = Vec::new();
    let mut text = Vec::new();
    apl_units(c4, &mut units, &mut text);
    apl_units(c6, &mut units, &mut text);

    // Records: consecutive units while the item count allows.
    struct Rr {
        start: usize,
        end: usize,
        octets: usize,
    }
    let mut rrs: Vec<Rr> = Vec::new();
    let (mut start, mut items, mut octets) = (0, 0, 0);
    for (i, u) in units.iter().enumerate() {
        if items > 0 && items + u.items > l.apl_items_per_rr {
            rrs.push(Rr {
                start,
                end: i,
                octets,
            });
            (start, items, octets) = (i, 0, 0);
        }
        items += u.items;
        octets += u.octets;
    }
    if items > 0 {
        rrs.push(Rr {
            start,
            end: units.len(),
            octets,
        });
    }
    // Names: consecutive records while the answer fits.
    let mut names: Vec<(usize, usize)> = Vec::new();
    let (mut first, mut size) = (0, 0);
    for (i, r) in rrs.iter().enumerate() {
        let cost = RR_OVERHEAD + r.octets;
        if i > first && (i - first >= l.rrs_per_name || size + cost > l.answer_octets) {
            names.push((first, i));
            (first, size) = (i, 0);
        }
        size += cost;
    }
    if !rrs.is_empty() {
        names.push((first, rrs.len()));
    }
    count_record(out, base, names.len(), 0);
    for (k, &(a, b)) in names.iter().enumerate() {
        let owner = chunk_name(base, k);
        for r in &rrs[a..b] {
            line(out, &owner, "APL");
            for (j, u) in units[r.start..r.end].iter().enumerate() {
                if j > 0 {
                    out.push(b' ');
                }
                out.extend_from_slice(&text[u.text.clone()]);
            }
            out.push(b'\n');
        }
    }
    names.len()
}

/// The longest sequence marker, `"seq=65535/65535"`, with its length octet.
const MARKER_RESERVE: usize = 16;

/// The count record at the base name: `"chunks=4294967295"`.
const COUNT_RESERVE: usize = RR_OVERHEAD + 18;

/// TXT records carrying `block` as CIDRs (a single address bare), IPv4 then
/// IPv6. Tokens are separated by spaces within a string and by string
/// boundaries (never split); each record's first string is `seq=I/N`, its
/// place among the N data records at its name, since records come back in
/// any order. The base name's set also holds the `chunks=K` record.
pub fn txt(out: &mut Vec<u8>, base: &str, block: &IpSet, l: &Limits) -> usize {
    txt_tokens(
        out,
        base,
        block.v4.cidrs(),
        block.v6.cidrs(),
        l,
        TxtForm::Marked,
    )
}

/// [`txt`] for prefixes in the order given (IPv4 first), in either form:
/// [`TxtForm::Plain`] writes neither the count record nor the markers (and
/// leaves no room for them), so a client can only probe names until
/// NXDOMAIN and cannot tell a missing record.
pub fn txt_tokens(
    out: &mut Vec<u8>,
    base: &str,
    v4: impl Iterator<Item = Prefix<u32>>,
    v6: impl Iterator<Item = Prefix<u128>>,
    l: &Limits,
    form: TxtForm,
) -> usize {
    let marked = form == TxtForm::Marked;
    let marker_reserve = if marked { MARKER_RESERVE } else { 0 };
    let count_reserve = if marked { COUNT_RESERVE } else { 0 };
    // Each record: strings of tokens; each name: records.
    let mut names: Vec<Vec<Vec<Vec<u8>>>> = Vec::new();
    let mut name: Vec<Vec<Vec<u8>>> = Vec::new();
    let mut name_size = count_reserve;
    let mut rr: Vec<Vec<u8>> = Vec::new();
    let mut rr_size = marker_reserve;
    let mut s: Vec<u8> = Vec::new();
    let mut tok = Vec::new();

    let close_rr = |rr: &mut Vec<Vec<u8>>,
                    rr_size: &mut usize,
                    name: &mut Vec<Vec<Vec<u8>>>,
                    name_size: &mut usize,
                    names: &mut Vec<Vec<Vec<Vec<u8>>>>| {
        if rr.is_empty() {
            return;
        }
        let cost = RR_OVERHEAD + *rr_size;
        if !name.is_empty() && (name.len() >= l.rrs_per_name || *name_size + cost > l.answer_octets)
        {
            names.push(std::mem::take(name));
            *name_size = 0;
        }
        name.push(std::mem::take(rr));
        *name_size += cost;
        *rr_size = marker_reserve;
    };

    let mut add = |tok: &[u8]| {
        if !s.is_empty() && s.len() + 1 + tok.len() > TXT_STRING_MAX {
            // close the string
            if rr_size + 1 + s.len() > l.txt_rr_octets {
                close_rr(&mut rr, &mut rr_size, &mut name, &mut name_size, &mut names);
            }
            rr_size += 1 + s.len();
            rr.push(std::mem::take(&mut s));
        }
        if !s.is_empty() {
            s.push(b' ');
        }
        s.extend_from_slice(tok);
    };
    for p in v4 {
        tok.clear();
        write_txt_token(&mut tok, p);
        add(&tok);
    }
    for p in v6 {
        tok.clear();
        write_txt_token(&mut tok, p);
        add(&tok);
    }
    if !s.is_empty() {
        if rr_size + 1 + s.len() > l.txt_rr_octets {
            close_rr(&mut rr, &mut rr_size, &mut name, &mut name_size, &mut names);
        }
        rr_size += 1 + s.len();
        rr.push(std::mem::take(&mut s));
    }
    close_rr(&mut rr, &mut rr_size, &mut name, &mut name_size, &mut names);
    if !name.is_empty() {
        names.push(name);
    }

    if marked {
        count_record(out, base, names.len(), 0);
    }
    for (k, recs) in names.iter().enumerate() {
        let owner = chunk_name(base, k);
        for (i, strings) in recs.iter().enumerate() {
            line(out, &owner, "TXT");
            if marked {
                out.push(b'"');
                SeqMarker {
                    index: i + 1,
                    total: recs.len(),
                }
                .write(out);
                out.push(b'"');
            }
            for (j, st) in strings.iter().enumerate() {
                if marked || j > 0 {
                    out.push(b' ');
                }
                out.extend_from_slice(b"\"");
                out.extend_from_slice(st);
                out.push(b'"');
            }
            out.push(b'\n');
        }
    }
    names.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::{parse_entry, Entry, Prefix};

    fn ipset(lines: &[&str]) -> IpSet {
        IpSet::from_entries(lines.iter().map(|l| parse_entry(l.as_bytes()).unwrap()))
    }

    #[test]
    fn apl_item_octets() {
        // the reference's examples
        let v4 = |s: &str| match parse_entry(s.as_bytes()).unwrap() {
            Entry::V4(r) => Prefix {
                addr: r.start,
                len: r.as_prefix().unwrap(),
            },
            _ => unreachable!(),
        };
        assert_eq!(apl_item_len(v4("10.0.0.0/8")), 5);
        assert_eq!(apl_item_len(v4("198.18.0.0/24")), 6);
        assert_eq!(apl_item_len(v4("192.168.32.0/21")), 7);
        assert_eq!(apl_item_len(v4("203.0.113.7/32")), 8);
        assert_eq!(apl_item_len(v4("0.0.0.0/0")), 4);
        let p6 = Prefix {
            addr: 0x2001_0db8_0001u128 << 80,
            len: 48,
        };
        assert_eq!(apl_item_len(p6), 10);
        assert_eq!(
            apl_item_len(Prefix {
                addr: 1u128,
                len: 128
            }),
            20
        );
    }

    #[test]
    fn multihost_chunks_and_omissions() {
        let mut out = Vec::new();
        let s = ipset(&[
            "192.0.2.1",
            "192.0.2.2",
            "192.0.2.10",
            "198.51.100.0/30",
            "10.0.0.0/8",
        ]);
        let st = multihost(&mut out, "blk", &s.v4, 3, 4);
        assert_eq!(st.chunks, 3);
        assert_eq!(st.omitted_prefixes, 1);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "blk\tTXT\t\"chunks=3 omitted=1\"\n\
             blk\tA\t192.0.2.1\nblk\tA\t192.0.2.2\nblk\tA\t192.0.2.10\n\
             blk1\tA\t198.51.100.0\nblk1\tA\t198.51.100.1\nblk1\tA\t198.51.100.2\n\
             blk2\tA\t198.51.100.3\n"
        );
    }

    #[test]
    fn wider_prefixes_fill_the_chunk_budget_narrowest_first() {
        let s = ipset(&[
            "192.0.2.1",
            "198.51.100.0/30",
            "198.51.100.64/26",
            "203.0.113.0/28",
            "10.0.0.0/8",
        ]);
        // 2 names of 20: 1 + 4 always, then the /28 (16) fits, the /26 not
        let mut out = Vec::new();
        let st = multihost_within(&mut out, "blk", &s.v4, 20, 4, 2);
        assert_eq!((st.addresses, st.chunks, st.omitted_prefixes), (21, 2, 2));
        assert_eq!(st.omitted_addresses, 64 + (1 << 24));
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.starts_with("blk\tTXT\t\"chunks=2 omitted=2\"\n"),
            "{text}"
        );
        assert!(text.ends_with("blk1\tA\t203.0.113.15\n"), "{text}");
        // a budget of 5 names takes the /26 too, in address order
        let mut out = Vec::new();
        let st = multihost_within(&mut out, "blk", &s.v4, 20, 4, 5);
        assert_eq!((st.addresses, st.omitted_prefixes), (85, 1));
        let text = String::from_utf8(out).unwrap();
        let a: Vec<&str> = text
            .lines()
            .skip(1)
            .map(|l| l.rsplit('\t').next().unwrap())
            .collect();
        assert_eq!(a[..3], ["192.0.2.1", "198.51.100.0", "198.51.100.1"]);
        assert_eq!(a[5], "198.51.100.64");
    }

    #[test]
    fn apl_holes_and_split() {
        let mut out = Vec::new();
        let block = ipset(&["192.0.2.0/24", "2001:db8::/32"]);
        let allow = ipset(&["192.0.2.77", "2001:db8:1::/48"]);
        let block = block.difference(&allow);
        let l = Limits {
            apl_items_per_rr: 3,
            ..Limits::default()
        };
        apl(&mut out, "blk", &block, &allow, &l);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "blk\tTXT\t\"chunks=1\"\n\
             blk\tAPL\t1:192.0.2.0/24 !1:192.0.2.77/32\n\
             blk\tAPL\t2:2001:db8::/32 !2:2001:db8:1::/48\n"
        );
    }

    #[test]
    fn txt_strings_stay_within_255() {
        let mut out = Vec::new();
        let lines: Vec<String> = (0..200)
            .map(|i| format!("10.{}.{}.0/24", i / 7, i % 7 * 2))
            .collect();
        let refs: Vec<&str> = lines.iter().map(|s| s.as_str()).collect();
        let block = ipset(&refs);
        let l = Limits {
            txt_rr_octets: 600,
            ..Limits::default()
        };
        let chunks = txt(&mut out, "t", &block, &l);
        assert_eq!(chunks, 1);
        let text = String::from_utf8(out).unwrap();
        let mut tokens = Vec::new();
        for line in text.lines().skip(1) {
            let strings: Vec<&str> = line.split('"').skip(1).step_by(2).collect();
            assert!(strings[0].starts_with("seq="));
            let rdata: usize = strings.iter().map(|s| s.len() + 1).sum();
            assert!(rdata <= 600, "{rdata}");
            for s in &strings[1..] {
                assert!(s.len() <= 255);
                tokens.extend(s.split(' ').map(String::from));
            }
        }
        assert_eq!(tokens, lines);
    }
}
