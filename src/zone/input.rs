//! Reading what zones are made from: address lists, domain lists and the
//! provenance records of a compiled profile.

use super::config::ZoneConfig;
use super::name::{check_list_domain, fits_under};
use crate::error::InputError;
use crate::files::input;
use crate::net::{parse_entry, Entry};
use crate::net::{Addr, CidrIter, Prefix, Range};
use crate::set::{EntrySink, FamilyBuilder, IntervalSet, IpSet, Loader, SetBuilder};
use std::collections::BTreeMap;

/// Reads plain address lists (one address, CIDR or range per line; `-` is
/// stdin) into one set; the first bad line is an error.
pub fn read_ips(paths: &[String]) -> Result<IpSet, InputError> {
    let mut b = SetBuilder::default();
    load_all(paths, &mut b)?;
    Ok(b.build())
}

/// Loads every plain list of `paths` into `sink`; the first bad line is an
/// error naming its file.
fn load_all(paths: &[String], sink: &mut impl EntrySink) -> Result<(), InputError> {
    for p in paths {
        let inp = input::open(p).map_err(|e| InputError::io(p, &e))?;
        let name = inp.name.clone();
        match (Loader {
            lenient: false,
            csv_header: None,
        })
        .load(inp.reader, sink)
        {
            Err(e) => return Err(InputError::io(name, &e)),
            Ok(Err(e)) => return Err(e.in_file(&name)),
            Ok(Ok(_)) => {}
        }
    }
    Ok(())
}

/// A list's entries as given, for `exact` publication (`docs/zone.md`,
/// "Exact lists"): each entry as its prefix (a range that is no CIDR as
/// its minimal CIDRs), per family sorted by (address, length), so the wider
/// of two entries at one address first; duplicates dropped, nothing merged.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Given {
    pub v4: Vec<Prefix<u32>>,
    pub v6: Vec<Prefix<u128>>,
}

impl Given {
    pub fn from_entries(entries: impl IntoIterator<Item = Entry>) -> Given {
        let mut g = Given::default();
        for e in entries {
            match e {
                Entry::V4(r) => g.v4.extend(CidrIter::new(r)),
                Entry::V6(r) => g.v6.extend(CidrIter::new(r)),
            }
        }
        g.v4.sort_unstable();
        g.v4.dedup();
        g.v6.sort_unstable();
        g.v6.dedup();
        g
    }

    /// The addresses the entries hold.
    pub fn set(&self) -> IpSet {
        IpSet {
            v4: IntervalSet::from_ranges(self.v4.iter().map(|p| p.range()).collect()),
            v6: IntervalSet::from_ranges(self.v6.iter().map(|p| p.range()).collect()),
        }
    }

    /// The entries without the allow-listed addresses: an entry that holds
    /// none stays as it is, one that holds some becomes the CIDRs of what is
    /// left of it, one that holds only allowed addresses goes.
    pub fn without(&self, allow: &IpSet) -> Given {
        let mut g = Given {
            v4: without(&self.v4, &allow.v4),
            v6: without(&self.v6, &allow.v6),
        };
        g.v4.sort_unstable();
        g.v4.dedup();
        g.v6.sort_unstable();
        g.v6.dedup();
        g
    }
}

fn without<A: Addr>(given: &[Prefix<A>], allow: &IntervalSet<A>) -> Vec<Prefix<A>> {
    let ranges = allow.ranges();
    let mut out = Vec::with_capacity(given.len());
    for &p in given {
        let r = p.range();
        let first = ranges.partition_point(|x| x.end < r.start);
        let inside = ranges[first..].iter().take_while(|x| x.start <= r.end);
        let mut from = Some(r.start);
        let mut touched = false;
        for x in inside {
            touched = true;
            let Some(f) = from else { break };
            if x.start > f {
                out.extend(CidrIter::new(Range::new(
                    f,
                    x.start.checked_dec().unwrap_or(f),
                )));
            }
            from = x.end.checked_inc().filter(|&n| n <= r.end);
            if x.end >= r.end {
                from = None;
            }
        }
        match from {
            _ if !touched => out.push(p),
            Some(f) => out.extend(CidrIter::new(Range::new(f, r.end))),
            None => {}
        }
    }
    out
}

/// Reads plain address lists like [`read_ips`], keeping the entries as
/// given.
pub fn read_given(paths: &[String]) -> Result<Given, InputError> {
    let mut entries: Vec<Entry> = Vec::new();
    load_all(paths, &mut entries)?;
    Ok(Given::from_entries(entries))
}

/// A list that may hold both addresses and domains (what a policy zone
/// publishes). Lines are a whole entry each, or blank, or a `#` comment:
/// nothing is cut from a line, so `evil.com;x` is refused, not shortened.
#[derive(Clone, Debug, Default)]
pub struct Mixed {
    pub ips: IpSet,
    pub domains: Vec<String>,
    /// Valid domains that do not fit under the origin (left out).
    pub too_long: Vec<String>,
}

/// Reads policy lists for the zone at `origin` (whose owners are `NAME`
/// and, with `wildcard`, `*.NAME`); a bad line is an error, a name too long
/// for this zone is left out and noted in [`Mixed::too_long`].
pub fn read_mixed(paths: &[String], origin: &str, wildcard: bool) -> Result<Mixed, InputError> {
    let mut b = SetBuilder::default();
    let mut domains = Vec::new();
    let mut too_long = Vec::new();
    for p in paths {
        let inp = input::open(p).map_err(|e| InputError::io(p, &e))?;
        let name = inp.name.clone();
        let mut lines = input::Lines::new(inp.reader);
        loop {
            let next = lines.next_line().map_err(|e| InputError::io(&name, &e))?;
            let Some((n, line)) = next else { break };
            let line = match line {
                Ok(l) => l,
                Err(head) => return Err(InputError::text(name, n, "line too long", head)),
            };
            let text = line.strip_suffix(b"\r").unwrap_or(line).trim_ascii();
            if text.is_empty() || text.starts_with(b"#") {
                continue;
            }
            match parse_entry(text) {
                Ok(e) => b.push(e),
                Err(_) => match check_list_domain(text) {
                    Ok(d) if fits_under(&d, origin, wildcard) => domains.push(d),
                    Ok(d) => too_long.push(d),
                    Err(reason) => return Err(InputError::text(name, n, reason, line)),
                },
            }
        }
    }
    domains.sort_unstable();
    domains.dedup();
    too_long.sort_unstable();
    too_long.dedup();
    Ok(Mixed {
        ips: b.build(),
        domains,
        too_long,
    })
}

/// Provenance of a compiled profile (`entry,list,reason,detail`), reduced to
/// what publication needs: the class (see [`ZoneConfig::class_of`]) of each
/// address entry per list, and of each domain.
#[derive(Clone, Debug, Default)]
pub struct Provenance {
    /// Per list: entries by class.
    pub ips: BTreeMap<String, Vec<(Entry, usize)>>,
    /// Domain → class; a domain with several rows takes the first matching
    /// category (the default only when none matches).
    pub domains: BTreeMap<String, usize>,
}

/// Reads a `provenance.csv` (entry,list,reason,detail) written by an
/// older `tl-compile` or by hand.
pub fn read_provenance(path: &str, cfg: &ZoneConfig) -> Result<Provenance, InputError> {
    let inp = input::open(path).map_err(|e| InputError::io(path, &e))?;
    let mut r = crate::record::csv_reader(inp.reader);
    let csv_error = |e: csv::Error| {
        let line = e.position().map_or(1, |p| p.line());
        InputError::line(path, line, e.to_string())
    };
    let headers = r.byte_headers().map_err(csv_error)?.clone();
    let want: [&[u8]; 4] = [b"entry", b"list", b"reason", b"detail"];
    if headers.len() < 4 || !headers.iter().zip(want).all(|(h, w)| h == w) {
        return Err(InputError::line(
            path,
            1,
            "not a provenance file: the header must be entry,list,reason,detail",
        ));
    }
    let mut prov = Provenance::default();
    let mut rec = csv::ByteRecord::new();
    while r.read_byte_record(&mut rec).map_err(csv_error)? {
        let line = rec.position().map_or(0, |p| p.line());
        let field = |i: usize| rec.get(i).unwrap_or_default();
        prov.add(cfg, [field(0), field(1), field(2), field(3)])
            .map_err(|(reason, text)| InputError::text(path, line, reason, text))?;
    }
    Ok(prov)
}

impl Provenance {
    /// Takes one row (entry, list, reason, detail); rule rows
    /// (`rule:…`) name no entry and are passed over.
    pub fn add(
        &mut self,
        cfg: &ZoneConfig,
        row: [&[u8]; 4],
    ) -> Result<(), (&'static str, Vec<u8>)> {
        let [entry, list, reason, detail] = row;
        if entry.starts_with(b"rule:") {
            return Ok(());
        }
        let class = cfg.class_of(
            &String::from_utf8_lossy(reason),
            &String::from_utf8_lossy(detail),
        );
        if let Ok(e) = parse_entry(entry) {
            let list =
                std::str::from_utf8(list).map_err(|_| ("list name is not UTF-8", list.to_vec()))?;
            self.ips
                .entry(list.to_string())
                .or_default()
                .push((e, class));
        } else {
            let d = check_list_domain(entry).map_err(|reason| (reason, entry.to_vec()))?;
            let rank = |c: usize| if c == 0 { usize::MAX } else { c };
            let slot = self.domains.entry(d).or_insert(class);
            if rank(class) < rank(*slot) {
                *slot = class;
            }
        }
        Ok(())
    }
}

/// The addresses of each class, per family: (class, set), in class order.
pub type Regions = (
    Vec<(usize, IntervalSet<u32>)>,
    Vec<(usize, IntervalSet<u128>)>,
);

/// Splits `block` into the regions of each class: every address takes the
/// class of the most specific entry (the longest prefix, the narrowest
/// range) of the rows that hold it; an entry of several rows takes their
/// first category; what no categorised entry is the most specific for
/// takes the default class 0. Only non-empty regions, in class order.
pub fn regions(block: &IpSet, rows: &[(Entry, usize)], classes: usize) -> Regions {
    let (mut e4, mut e6) = (Vec::new(), Vec::new());
    for &(e, c) in rows {
        let c = if c < classes { c } else { 0 };
        match e {
            Entry::V4(r) => e4.push((r, c)),
            Entry::V6(r) => e6.push((r, c)),
        }
    }
    (
        family_regions(&block.v4, e4, classes),
        family_regions(&block.v6, e6, classes),
    )
}

/// [`regions`] for one family.
fn family_regions<A: Addr>(
    block: &IntervalSet<A>,
    mut entries: Vec<(Range<A>, usize)>,
    classes: usize,
) -> Vec<(usize, IntervalSet<A>)> {
    if block.is_empty() {
        return Vec::new();
    }
    // Narrowest first; one entry's rows together, its first category first
    // (class 0, no category, last).
    let rank = |c: usize| if c == 0 { usize::MAX } else { c };
    entries.sort_unstable_by_key(|&(r, c)| (r.len_u128(), r.start, rank(c)));
    entries.dedup_by_key(|(r, _)| *r);
    // Each entry claims what no narrower entry claimed. `claimed` holds
    // disjoint, coalesced ranges by start, so each is taken out at most once
    // when a wider entry swallows it.
    let mut claimed: BTreeMap<A, A> = BTreeMap::new();
    let mut per: Vec<FamilyBuilder<A>> = (0..classes).map(|_| FamilyBuilder::default()).collect();
    for (r, c) in entries {
        let mut near: Vec<(A, A)> = Vec::new();
        if let Some((&s, &e)) = claimed.range(..r.start).next_back() {
            if e >= r.start || e.checked_inc() == Some(r.start) {
                near.push((s, e));
            }
        }
        near.extend(
            claimed
                .range(r.start..)
                .take_while(|(&s, _)| s <= r.end || r.end.checked_inc() == Some(s))
                .map(|(&s, &e)| (s, e)),
        );
        if c > 0 {
            // the gaps of r between the claimed ranges
            let mut from = Some(r.start);
            for &(s, e) in &near {
                let Some(f) = from else { break };
                if s > f {
                    let last = s.checked_dec().unwrap_or(s).min(r.end);
                    per[c].push(Range::new(f, last));
                }
                if e >= f {
                    from = e.checked_inc();
                }
            }
            if let Some(f) = from.filter(|&f| f <= r.end) {
                per[c].push(Range::new(f, r.end));
            }
        }
        let start = near.first().map_or(r.start, |n| n.0.min(r.start));
        let end = near.last().map_or(r.end, |n| n.1.max(r.end));
        for (s, _) in near {
            claimed.remove(&s);
        }
        claimed.insert(start, end);
    }
    let mut categorised = IntervalSet::new();
    let mut out = Vec::new();
    for (c, b) in per.into_iter().enumerate().skip(1) {
        let s = b.build().intersection(block);
        if !s.is_empty() {
            categorised = categorised.union(&s);
            out.push((c, s));
        }
    }
    let left = block.difference(&categorised);
    if !left.is_empty() {
        out.insert(0, (0, left));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(s: &str) -> Entry {
        parse_entry(s.as_bytes()).unwrap()
    }

    fn text(set: &IntervalSet<u32>) -> Vec<String> {
        set.ranges()
            .iter()
            .map(|r| {
                let a = |x: u32| std::net::Ipv4Addr::from(x).to_string();
                format!("{}-{}", a(r.start), a(r.end))
            })
            .collect()
    }

    #[test]
    fn entries_as_given() {
        let g = Given::from_entries(
            [
                "192.0.2.128/25",
                "192.0.2.0/24",
                "192.0.2.0/25",
                "192.0.2.0/24",
                "10.0.0.1-10.0.0.4",
                "2001:db8::/32",
            ]
            .map(e),
        );
        let text = |v: &[Prefix<u32>]| -> Vec<String> {
            v.iter()
                .map(|p| format!("{}/{}", std::net::Ipv4Addr::from(p.addr), p.len))
                .collect()
        };
        assert_eq!(
            text(&g.v4),
            [
                "10.0.0.1/32",
                "10.0.0.2/31",
                "10.0.0.4/32",
                "192.0.2.0/24",
                "192.0.2.0/25",
                "192.0.2.128/25"
            ]
        );
        assert_eq!(g.v6.len(), 1);
        assert_eq!(g.set().v4.ranges().len(), 2);
        // an allowed address: the entries holding it become what is left
        let w = g.without(&IpSet::from_entries([e("192.0.2.200"), e("10.0.0.4")]));
        assert_eq!(
            text(&w.v4),
            [
                "10.0.0.1/32",
                "10.0.0.2/31",
                "192.0.2.0/25",
                "192.0.2.128/26",
                "192.0.2.192/29",
                "192.0.2.201/32",
                "192.0.2.202/31",
                "192.0.2.204/30",
                "192.0.2.208/28",
                "192.0.2.224/27"
            ]
        );
    }

    #[test]
    fn the_longest_prefix_gives_the_class() {
        let block = IpSet::from_entries([e("10.0.0.0/8"), e("192.0.2.0/24")]);
        let rows = [
            (e("10.1.2.3"), 1),
            (e("10.0.0.0/8"), 1),
            (e("10.1.0.0/16"), 2),
            (e("10.1.2.4"), 0),
            // one entry, two rows: its first category
            (e("192.0.2.0/25"), 2),
            (e("192.0.2.0/25"), 1),
        ];
        let (r4, r6) = regions(&block, &rows, 3);
        assert!(r6.is_empty());
        let got: Vec<(usize, Vec<String>)> = r4.iter().map(|(c, s)| (*c, text(s))).collect();
        assert_eq!(
            got,
            [
                (
                    0,
                    vec!["10.1.2.4-10.1.2.4".into(), "192.0.2.128-192.0.2.255".into()]
                ),
                (
                    1,
                    vec![
                        "10.0.0.0-10.0.255.255".into(),
                        "10.1.2.3-10.1.2.3".into(),
                        "10.2.0.0-10.255.255.255".into(),
                        "192.0.2.0-192.0.2.127".into()
                    ]
                ),
                (
                    2,
                    vec!["10.1.0.0-10.1.2.2".into(), "10.1.2.5-10.1.255.255".into()]
                ),
            ]
        );
        // the order of the rows does not matter
        let mut rev = rows.to_vec();
        rev.reverse();
        assert_eq!(regions(&block, &rev, 3), (r4, r6));
    }
}
