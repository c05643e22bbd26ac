//! Per-entry provenance of a published version: its own rows
//! (`provenance.csv`: custom and allow entries, guards, domains) plus the
//! rows derived from its rules and the run's basis (every evidence entry
//! and policy network, listed or excluded). What `tl-query` prints and
//! `tl-zone` classifies entries by.

use super::basis::{Basis, Ranking};
use super::compile::{first_why, overlaps, set_entries, why, Row, Rules, Selector, LISTS};
use super::layout;
use super::publish::{read_version, Version};
use crate::error::InputError;
use crate::net::{Addr, CidrIter, Entry, Range};
use crate::set::{IntervalSet, IpSet};
use std::path::Path;

/// Reads a version's own rows (`provenance.csv`).
pub fn read_own(path: &Path) -> Result<Vec<Row>, InputError> {
    let file = path.display().to_string();
    let bad = |e: csv::Error| match e.position() {
        Some(pos) => InputError::line(file.clone(), pos.line(), e.to_string()),
        None => InputError::file(file.clone(), e.to_string()),
    };
    let input = std::fs::File::open(path).map_err(|e| InputError::io(file.clone(), &e))?;
    let mut r = crate::record::csv_reader(std::io::BufReader::new(input));
    let mut out = Vec::new();
    for rec in r.records() {
        let rec = rec.map_err(bad)?;
        let f = |i: usize| rec.get(i).unwrap_or("").to_string();
        out.push(Row::parse(&f(1), &f(0), &f(2), f(3)));
    }
    Ok(out)
}

/// A version with what explains it.
pub struct Explained {
    pub version: Version,
    pub own: Vec<Row>,
    pub basis: std::sync::Arc<(Basis, Ranking)>,
}

impl Explained {
    /// Opens the version in `dir`; `basis` is the (shared) basis it links.
    pub fn open(dir: &Path, basis: std::sync::Arc<(Basis, Ranking)>) -> Result<Self, InputError> {
        Ok(Explained {
            version: read_version(&dir.join(layout::COMPILED))?,
            own: read_own(&dir.join(layout::PROVENANCE))?,
            basis,
        })
    }

    /// Every row, or with `filter` the rows of address entries covering
    /// it, sorted: the version's own rows, the evidence's, the policy
    /// networks'.
    pub fn rows(&self, filter: Option<&Entry>) -> Vec<Row> {
        let mut out: Vec<Row> = self
            .own
            .iter()
            .filter(|r| !r.is_rule())
            .filter(|r| match filter {
                None => true,
                Some(q) => r.ip().is_some_and(|e| covers(&e, q)),
            })
            .cloned()
            .collect();
        self.evidence_rows(filter, &mut out);
        self.policy_rows(filter, &mut out);
        out.sort();
        out.dedup();
        out
    }

    /// The rows of the evidence the rules select: per list it is on, or
    /// why it is on none (capacity, allow-list, special-purpose space).
    fn evidence_rows(&self, filter: Option<&Entry>, out: &mut Vec<Row>) {
        let v = &self.version;
        let (b, ranking) = (&self.basis.0, &self.basis.1);
        let placer = Placer::new(b, ranking, &v.rules, [&v.block_in, &v.block_out]);
        let items: Vec<usize> = match filter {
            None => (0..b.items.len()).collect(),
            Some(q) => b
                .overlapping(q)
                .into_iter()
                .filter(|&i| covers(&b.items[i].entry(), q))
                .collect(),
        };
        for i in items {
            let it = &b.items[i];
            let e = it.entry();
            match placer.place(i) {
                None => {}
                Some(Placed::Cut) => out.push(Row::of(
                    "excluded",
                    &e,
                    "capacity",
                    format!("score:{}", super::scores::format_milli(it.milli)),
                )),
                Some(Placed::On([false, false])) => {
                    let reason = if overlaps(&v.allow, &e) {
                        "allow-listed"
                    } else {
                        "special-purpose"
                    };
                    out.push(Row::of("excluded", &e, reason, first_why(b, it)));
                }
                Some(Placed::On(on)) => {
                    for l in (0..2).filter(|&l| on[l]) {
                        for (r, d) in why(b, it) {
                            out.push(Row::of(LISTS[l], &e, r, d));
                        }
                    }
                }
            }
        }
    }

    /// The rows of the policy networks (minimal CIDRs) on each list.
    fn policy_rows(&self, filter: Option<&Entry>, out: &mut Vec<Row>) {
        let v = &self.version;
        let lists = [&v.block_in, &v.block_out];
        let rules = &v.rules;
        for pr in &rules.policy {
            let Some(set) = self.basis.0.sets.get(&pr.key) else {
                continue;
            };
            let cidrs = match filter {
                Some(q) => covering_cidr(set, q).into_iter().collect(),
                None => set_entries(set),
            };
            for e in cidrs {
                if !rules.ipv6 && matches!(e, Entry::V6(_)) {
                    continue;
                }
                for (l, set) in lists.iter().enumerate() {
                    if pr.on(l) && overlaps(set, &e) {
                        out.push(Row::of(LISTS[l], &e, &pr.reason, pr.detail.clone()));
                    }
                }
            }
        }
    }
}

/// Where the rules put one evidence item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Placed {
    /// Selected, but capacity left it out.
    Cut,
    /// On these of block-in and block-out; on neither, the allow-list or
    /// special-purpose space took it out.
    On([bool; 2]),
}

/// The one derivation of where each evidence item of a basis ends up
/// under a version's rules and block lists.
struct Placer<'a> {
    basis: &'a Basis,
    ranking: &'a Ranking,
    rules: &'a Rules,
    block: [&'a IpSet; 2],
    sel: Selector<'a>,
}

impl<'a> Placer<'a> {
    fn new(
        basis: &'a Basis,
        ranking: &'a Ranking,
        rules: &'a Rules,
        block: [&'a IpSet; 2],
    ) -> Self {
        Placer {
            basis,
            ranking,
            rules,
            block,
            sel: Selector::new(rules, basis),
        }
    }

    /// Item `i`'s place; `None` when the rules do not select it.
    fn place(&self, i: usize) -> Option<Placed> {
        let it = &self.basis.items[i];
        if !self.sel.eligible(it) {
            return None;
        }
        if self.ranking.rank[i] >= self.rules.cut.unwrap_or(u32::MAX) {
            return Some(Placed::Cut);
        }
        let e = it.entry();
        Some(Placed::On([0, 1].map(|l| {
            self.rules.evidence_on(l) && overlaps(self.block[l], &e)
        })))
    }
}

/// A checksum of why the entries of a compiled version are on its lists,
/// without the scores (which decay, so they change every run): each listed
/// evidence entry with its lists, feeds and categories in address order,
/// the networks of each policy rule, and the version's own rows on the
/// published lists (domains with their feeds and categories, custom and
/// allow entries) except their scores. `tl-zone` classifies entries by
/// these names (DNSBL answers, RPZ actions), so two versions with the same
/// lists, rules and digest publish the same zones. `policy` gives the
/// networks of a policy key.
pub fn digest(
    basis: &Basis,
    ranking: &Ranking,
    rules: &Rules,
    block: [&IpSet; 2],
    own: &[Row],
    policy: &dyn Fn(&str) -> Option<std::sync::Arc<IpSet>>,
) -> u32 {
    let mut h = crc32fast::Hasher::new();
    // Every field ends in a byte no name holds, so that no two different
    // sequences of fields hash the same bytes.
    let text = |h: &mut crc32fast::Hasher, s: &str| {
        h.update(s.as_bytes());
        h.update(&[0]);
    };
    let placer = Placer::new(basis, ranking, rules, block);
    for (i, it) in basis.items.iter().enumerate() {
        let Some(Placed::On(on)) = placer.place(i) else {
            continue;
        };
        if on == [false, false] {
            continue;
        }
        h.update(&[b'e', it.family, on[0] as u8, on[1] as u8]);
        h.update(&it.start.to_le_bytes());
        h.update(&it.end.to_le_bytes());
        for &id in basis.feeds(it.at, it.feeds) {
            text(&mut h, basis.name(id));
        }
        h.update(&[1]);
        for &id in basis.cats(it.at, it.feeds, it.cats) {
            text(&mut h, basis.name(id));
        }
        h.update(&[1]);
    }
    for pr in &rules.policy {
        h.update(b"p");
        text(&mut h, &pr.key);
        let Some(set) = policy(&pr.key) else {
            continue;
        };
        for r in set.v4.ranges() {
            h.update(&r.start.to_le_bytes());
            h.update(&r.end.to_le_bytes());
        }
        h.update(&[1]);
        for r in set.v6.ranges().iter().filter(|_| rules.ipv6) {
            h.update(&r.start.to_le_bytes());
            h.update(&r.end.to_le_bytes());
        }
        h.update(&[1]);
    }
    for r in own {
        if r.is_rule() || r.list == "excluded" || r.reason == "score" {
            continue;
        }
        h.update(b"o");
        for f in [&r.entry, &r.list, &r.reason, &r.detail] {
            text(&mut h, f);
        }
    }
    h.finalize()
}

/// Reads a basis and ranks it.
pub fn open_basis(dir: &Path) -> Result<(Basis, Ranking), InputError> {
    let b = Basis::read(&dir.join(layout::BASIS))?;
    let r = b.ranking();
    Ok((b, r))
}

pub fn covers(e: &Entry, q: &Entry) -> bool {
    match (e, q) {
        (Entry::V4(a), Entry::V4(b)) => a.start <= b.start && b.end <= a.end,
        (Entry::V6(a), Entry::V6(b)) => a.start <= b.start && b.end <= a.end,
        _ => false,
    }
}

/// The CIDR of `set` (in its minimal decomposition) that covers `q`.
fn covering_cidr(set: &IpSet, q: &Entry) -> Option<Entry> {
    fn one<A: Addr>(set: &IntervalSet<A>, q: Range<A>) -> Option<Range<A>> {
        let r = set.find(q.start)?;
        CidrIter::new(r)
            .map(|p| p.range())
            .find(|c| c.start <= q.start && q.end <= c.end)
    }
    match q {
        Entry::V4(r) => one(&set.v4, *r).map(Entry::V4),
        Entry::V6(r) => one(&set.v6, *r).map(Entry::V6),
    }
}
