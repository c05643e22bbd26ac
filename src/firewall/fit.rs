//! Fitting lists to a device: entries it cannot take (IPv6 on an IPv4-only
//! device) are counted, and a list longer than the device's capacity keeps
//! its highest-scoring entries. Whatever is left out is named in the
//! manifest, entry by entry; nothing is dropped silently.

use super::render::quote::{entry, range};
use super::target::Unit;
use crate::error::InputError;
use crate::net::{Addr, Entry, Range};
use crate::set::{IntervalSet, IpSet};
use serde::Serialize;

/// Scores of addresses and networks (from a scores CSV), to rank entries
/// when a list must be cut: an entry's score is the highest score of any
/// scored address or network it overlaps; an entry without one ranks
/// after every scored entry.
#[derive(Clone, Debug, Default)]
pub struct Ranking {
    v4: Vec<(Range<u32>, u64)>,
    v6: Vec<(Range<u128>, u64)>,
}

impl Ranking {
    /// Reads a scores CSV (`tl-score`'s output); domains are passed over.
    pub fn read(path: &str) -> Result<Ranking, InputError> {
        let inp = crate::files::open(path).map_err(|e| InputError::io(path, &e))?;
        let reader = crate::record::ScoreReader::new(inp.reader).map_err(|e| e.in_file(path))?;
        let mut r = Ranking::default();
        for row in reader {
            let row = row.map_err(|e| e.in_file(path))?;
            match crate::net::parse_entry(row.indicator.as_bytes()) {
                Ok(Entry::V4(range)) => r.v4.push((range, row.milli)),
                Ok(Entry::V6(range)) => r.v6.push((range, row.milli)),
                Err(_) => {}
            }
        }
        r.v4.sort_unstable_by_key(|(range, _)| range.start);
        r.v6.sort_unstable_by_key(|(range, _)| range.start);
        Ok(r)
    }
}

/// One list as the device gets it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Fitted {
    pub set: IpSet,
    /// Entries as the target counts them.
    pub entries: usize,
}

/// What fitting one list left out, for the manifest.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Cut {
    pub list: String,
    /// Entries the device got.
    pub kept: usize,
    /// IPv6 entries a device without IPv6 cannot take.
    pub ipv6_not_taken: usize,
    /// Entries past the capacity, highest score first kept.
    pub over_capacity: usize,
    /// Every entry left out, as text (CIDR or range), in address order.
    pub left_out: Vec<String>,
}

/// Fits `set` (one list) to a device: `ipv6` false leaves IPv6 out,
/// `capacity` keeps at most that many entries (as `unit` counts them), the
/// best-ranked first, ties in address order.
pub fn fit(
    list: &str,
    set: &IpSet,
    unit: Unit,
    ipv6: bool,
    capacity: Option<usize>,
    ranking: &Ranking,
) -> (Fitted, Cut) {
    let mut cut = Cut {
        list: list.to_string(),
        ..Cut::default()
    };
    let mut v6 = set.v6.clone();
    if !ipv6 {
        let units = units(&v6, unit);
        cut.ipv6_not_taken = units.len();
        cut.left_out.extend(units.iter().map(|r| range(*r)));
        v6 = IntervalSet::new();
    }
    let mut all: Vec<(u64, Entry)> = Vec::new();
    all.extend(scored(&units(&set.v4, unit), &ranking.v4).map(|(s, r)| (s, Entry::V4(r))));
    all.extend(scored(&units(&v6, unit), &ranking.v6).map(|(s, r)| (s, Entry::V6(r))));
    let cap = capacity.unwrap_or(usize::MAX);
    if all.len() > cap {
        // Best score first; among equals, address order (IPv4 first).
        let mut order: Vec<usize> = (0..all.len()).collect();
        order.sort_by(|&a, &b| all[b].0.cmp(&all[a].0).then(a.cmp(&b)));
        let mut keep = vec![false; all.len()];
        for &i in &order[..cap] {
            keep[i] = true;
        }
        cut.over_capacity = all.len() - cap;
        let mut kept = Vec::with_capacity(cap);
        for (i, (_, e)) in all.into_iter().enumerate() {
            if keep[i] {
                kept.push(e);
            } else {
                cut.left_out.push(entry(&e));
            }
        }
        all = kept.into_iter().map(|e| (0, e)).collect();
    }
    cut.kept = all.len();
    let set = IpSet::from_entries(all.into_iter().map(|(_, e)| e));
    let entries = cut.kept;
    (Fitted { set, entries }, cut)
}

/// A family's entries as the target counts them.
fn units<A: Addr>(set: &IntervalSet<A>, unit: Unit) -> Vec<Range<A>> {
    match unit {
        Unit::Range => set.ranges().to_vec(),
        Unit::Cidr => set.cidrs().map(|p| p.range()).collect(),
    }
}

/// Each entry with its score (0 when nothing scored overlaps it; scores
/// are in thousandths and at least 1 when written).
fn scored<'a, A: Addr>(
    entries: &'a [Range<A>],
    scores: &'a [(Range<A>, u64)],
) -> impl Iterator<Item = (u64, Range<A>)> + 'a {
    let mut best = vec![0u64; entries.len()];
    for (r, s) in scores {
        // The first entry ending at or after the scored range's start.
        let mut i = entries.partition_point(|e| e.end < r.start);
        while i < entries.len() && entries[i].start <= r.end {
            best[i] = best[i].max(*s);
            i += 1;
        }
    }
    best.into_iter().zip(entries.iter().copied())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(lines: &[&str]) -> IpSet {
        IpSet::from_entries(
            lines
                .iter()
                .map(|l| crate::net::parse_entry(l.as_bytes()).unwrap()),
        )
    }

    #[test]
    fn keeps_the_best_scored_and_names_the_rest() {
        let list = set(&["10.0.0.1", "10.0.0.3", "10.0.0.5", "2001:db8::1"]);
        let ranking = Ranking {
            v4: vec![(Range::new(0x0a00_0005, 0x0a00_0005), 9000)],
            v6: vec![(
                Range::new(0x2001_0db8 << 96 | 1, 0x2001_0db8 << 96 | 1),
                3000,
            )],
        };
        let (fitted, cut) = fit("block-in", &list, Unit::Cidr, true, Some(2), &ranking);
        assert_eq!(fitted.set, set(&["10.0.0.5", "2001:db8::1"]));
        assert_eq!((cut.kept, cut.over_capacity), (2, 2));
        assert_eq!(cut.left_out, ["10.0.0.1", "10.0.0.3"]);
        let (fitted, cut) = fit("block-in", &list, Unit::Cidr, false, None, &ranking);
        assert_eq!(fitted.set, set(&["10.0.0.1", "10.0.0.3", "10.0.0.5"]));
        assert_eq!((cut.ipv6_not_taken, cut.left_out.len()), (1, 1));
    }

    #[test]
    fn units_are_ranges_or_cidrs() {
        let list = set(&["10.0.0.1-10.0.0.6"]);
        let r = Ranking::default();
        assert_eq!(fit("x", &list, Unit::Range, true, None, &r).0.entries, 1);
        // 10.0.0.1/32, 10.0.0.2/31, 10.0.0.4/31, 10.0.0.6/32
        assert_eq!(fit("x", &list, Unit::Cidr, true, None, &r).0.entries, 4);
    }
}
