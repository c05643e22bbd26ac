//! What every profile of a run shares, built once per run: the evidence
//! (scored addresses in address order, their rank by score, the names of
//! feeds and categories, scored domains) and the networks of every country,
//! continent and ASN a profile blocks.
//!
//! Profiles keep only their own decisions (rules, cut, sets); the basis is
//! stored once per run under `OUT/.basis/` and hard-linked into every
//! version that used it, so `tl-query` and `tl-zone` can explain any entry
//! of any version without a per-profile copy of the evidence.

use super::scores::{Scored, Target};
use crate::artifact::{Artifact, ArtifactWriter};
use crate::error::InputError;
use crate::net::{Entry, Range};
use crate::set::IpSet;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

pub const KIND: [u8; 4] = *b"TLPB";
pub const MAJOR: u16 = 1;

/// One scored address or network.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    /// 4 or 6.
    pub family: u8,
    pub start: u128,
    pub end: u128,
    /// Score in thousandths.
    pub milli: u64,
    pub last_seen: i64,
    /// Its names in [`Basis::ids`]: `feeds` feed ids from `at`, then
    /// `cats` category ids.
    pub at: u32,
    pub feeds: u16,
    pub cats: u16,
}

impl Item {
    pub fn entry(&self) -> Entry {
        if self.family == 4 {
            Entry::V4(Range::new(self.start as u32, self.end as u32))
        } else {
            Entry::V6(Range::new(self.start, self.end))
        }
    }

    /// The order of the basis: family, start, end.
    pub fn key(&self) -> (u8, u128, u128) {
        (self.family, self.start, self.end)
    }
}

/// One scored domain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Domain {
    pub name: String,
    pub milli: u64,
    pub at: u32,
    pub feeds: u16,
    pub cats: u16,
}

/// The shared part of a run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Basis {
    /// Feed and category names, sorted; ids index this.
    pub names: Vec<String>,
    /// Addresses and networks in address order.
    pub items: Vec<Item>,
    pub ids: Vec<u32>,
    /// Domains by name.
    pub domains: Vec<Domain>,
    /// Networks of policy rules by key (`country:CN`, `continent:EU`,
    /// `asn:64511`).
    #[serde(skip)]
    pub sets: BTreeMap<String, IpSet>,
    /// Per item: the greatest end of the items of its family up to it, so
    /// that the items overlapping an entry are found by binary search.
    #[serde(skip)]
    reach: Vec<u128>,
}

/// Item indices, highest score first, ties in address order: the order in
/// which capacity keeps evidence. `rank[i]` is item `i`'s place in it.
pub struct Ranking {
    pub order: Vec<u32>,
    pub rank: Vec<u32>,
}

/// Builds a basis row by row, as the scores are read.
#[derive(Default)]
pub struct BasisBuilder {
    basis: Basis,
    intern: HashMap<String, u32>,
    /// Per name id: the newest `last_seen` of the rows naming it as a feed.
    newest: Vec<Option<i64>>,
}

impl BasisBuilder {
    fn id(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.intern.get(name) {
            return id;
        }
        let id = self.basis.names.len() as u32;
        self.basis.names.push(name.to_string());
        self.intern.insert(name.to_string(), id);
        self.newest.push(None);
        id
    }

    pub fn push(&mut self, s: &Scored) {
        let at = self.basis.ids.len() as u32;
        // The reader caps a row's names far below u16::MAX.
        let feeds = s.feeds.len().min(u16::MAX as usize);
        let cats = s.categories.len().min(u16::MAX as usize);
        for f in &s.feeds[..feeds] {
            let id = self.id(f);
            self.basis.ids.push(id);
            let n = &mut self.newest[id as usize];
            *n = Some(n.map_or(s.last_seen, |t| t.max(s.last_seen)));
        }
        for c in &s.categories[..cats] {
            let id = self.id(c);
            self.basis.ids.push(id);
        }
        let (feeds, cats) = (feeds as u16, cats as u16);
        match &s.target {
            Target::Ip(e) => {
                let (family, start, end) = match e {
                    Entry::V4(r) => (4, r.start as u128, r.end as u128),
                    Entry::V6(r) => (6, r.start, r.end),
                };
                self.basis.items.push(Item {
                    family,
                    start,
                    end,
                    milli: s.milli,
                    last_seen: s.last_seen,
                    at,
                    feeds,
                    cats,
                });
            }
            Target::Domain => self.basis.domains.push(Domain {
                name: s.text.clone(),
                milli: s.milli,
                at,
                feeds,
                cats,
            }),
        }
    }

    /// Takes in what another builder read (the rows after this one's).
    pub fn append(&mut self, other: BasisBuilder) {
        let map: Vec<u32> = other.basis.names.iter().map(|n| self.id(n)).collect();
        for (old, t) in other.newest.iter().enumerate() {
            if let Some(t) = *t {
                let n = &mut self.newest[map[old] as usize];
                *n = Some(n.map_or(t, |x| x.max(t)));
            }
        }
        let shift = self.basis.ids.len() as u32;
        (self.basis.ids).extend(other.basis.ids.iter().map(|&i| map[i as usize]));
        self.basis
            .items
            .extend(other.basis.items.into_iter().map(|mut it| {
                it.at += shift;
                it
            }));
        self.basis
            .domains
            .extend(other.basis.domains.into_iter().map(|mut d| {
                d.at += shift;
                d
            }));
    }

    /// The basis (names sorted, items in address order) and each feed's
    /// newest `last_seen`.
    pub fn finish(self) -> (Basis, HashMap<String, i64>) {
        let mut b = self.basis;
        let mut order: Vec<u32> = (0..b.names.len() as u32).collect();
        order.sort_unstable_by(|&x, &y| b.names[x as usize].cmp(&b.names[y as usize]));
        let mut remap = vec![0u32; order.len()];
        for (new, &old) in order.iter().enumerate() {
            remap[old as usize] = new as u32;
        }
        for id in &mut b.ids {
            *id = remap[*id as usize];
        }
        let newest = b
            .names
            .iter()
            .zip(&self.newest)
            .filter_map(|(n, t)| Some((n.clone(), (*t)?)))
            .collect();
        let mut names = std::mem::take(&mut b.names);
        b.names = order
            .iter()
            .map(|&old| std::mem::take(&mut names[old as usize]))
            .collect();
        if !b.items.is_sorted_by_key(Item::key) {
            b.items.sort_unstable_by_key(Item::key);
        }
        b.domains.sort_by(|a, c| a.name.cmp(&c.name));
        // Names in the items' order, so that a pass over the items reads
        // them in order too.
        let mut ids = Vec::with_capacity(b.ids.len());
        for it in &mut b.items {
            let (from, len) = (it.at as usize, it.feeds as usize + it.cats as usize);
            it.at = ids.len() as u32;
            ids.extend_from_slice(&b.ids[from..from + len]);
        }
        for d in &mut b.domains {
            let (from, len) = (d.at as usize, d.feeds as usize + d.cats as usize);
            d.at = ids.len() as u32;
            ids.extend_from_slice(&b.ids[from..from + len]);
        }
        b.ids = ids;
        b.index();
        (b, newest)
    }
}

impl Basis {
    fn index(&mut self) {
        let mut family = 0;
        let mut max = 0;
        self.reach = self
            .items
            .iter()
            .map(|it| {
                if it.family != family {
                    (family, max) = (it.family, 0);
                }
                max = max.max(it.end);
                max
            })
            .collect();
    }

    pub fn feeds(&self, at: u32, feeds: u16) -> &[u32] {
        &self.ids[at as usize..at as usize + feeds as usize]
    }

    pub fn cats(&self, at: u32, feeds: u16, cats: u16) -> &[u32] {
        let from = at as usize + feeds as usize;
        &self.ids[from..from + cats as usize]
    }

    pub fn name(&self, id: u32) -> &str {
        &self.names[id as usize]
    }

    /// The id of a name, if any item has it.
    pub fn id(&self, name: &str) -> Option<u32> {
        self.names
            .binary_search_by(|n| n.as_str().cmp(name))
            .ok()
            .map(|i| i as u32)
    }

    pub fn ranking(&self) -> Ranking {
        // Highest score first; ties keep the items' address order. One
        // word a key: the score inverted above the index.
        let mut keys: Vec<u128> = self
            .items
            .iter()
            .enumerate()
            .map(|(i, it)| (((!it.milli) as u128) << 32) | i as u128)
            .collect();
        keys.sort_unstable();
        let order: Vec<u32> = keys.into_iter().map(|k| k as u32).collect();
        let mut rank = vec![0u32; order.len()];
        for (r, &i) in order.iter().enumerate() {
            rank[i as usize] = r as u32;
        }
        Ranking { order, rank }
    }

    /// Indices of the items that overlap `e`.
    pub fn overlapping(&self, e: &Entry) -> Vec<usize> {
        let (family, start, end) = match e {
            Entry::V4(r) => (4u8, r.start as u128, r.end as u128),
            Entry::V6(r) => (6, r.start, r.end),
        };
        // Items starting after `end` cannot overlap; before that, those
        // whose family's items up to them all end before `start` cannot.
        let upto = self
            .items
            .partition_point(|i| (i.family, i.start) <= (family, end));
        let first = self.items.partition_point(|i| i.family < family);
        let from = first + self.reach[first..upto.max(first)].partition_point(|&r| r < start);
        (from..upto)
            .filter(|&i| self.items[i].end >= start)
            .collect()
    }

    /// The file: the evidence, and `sets` (the policy networks the run's
    /// profiles used) by key.
    pub fn to_artifact<'s>(
        &self,
        sets: impl IntoIterator<Item = (&'s String, &'s IpSet)>,
    ) -> ArtifactWriter {
        let mut w = ArtifactWriter::new(KIND, MAJOR, 0);
        w.record(*b"evid", self);
        let mut keys: Vec<&String> = Vec::new();
        for (i, (k, s)) in sets.into_iter().enumerate() {
            keys.push(k);
            w.ip_set(set_tag(i), s);
        }
        w.record(*b"keys", &keys);
        w
    }

    pub fn read(path: &Path) -> Result<Basis, InputError> {
        let a = Artifact::read(path, KIND, MAJOR)?;
        let e = |e: crate::artifact::ArtifactError| InputError::from(e.in_file(path));
        let mut b: Basis = a.record(*b"evid").map_err(&e)?;
        let keys: Vec<String> = a.record(*b"keys").map_err(&e)?;
        for (i, k) in keys.into_iter().enumerate() {
            b.sets.insert(k, a.ip_set(set_tag(i)).map_err(&e)?);
        }
        let bad = b.items.iter().any(|i| {
            i.start > i.end
                || !matches!(i.family, 4 | 6)
                || (i.family == 4 && i.end > u32::MAX as u128)
                || (i.at as usize + i.feeds as usize + i.cats as usize) > b.ids.len()
        }) || b
            .domains
            .iter()
            .any(|d| (d.at as usize + d.feeds as usize + d.cats as usize) > b.ids.len())
            || b.ids.iter().any(|&id| id as usize >= b.names.len());
        if bad || !b.items.is_sorted_by_key(Item::key) {
            let file = path.display().to_string();
            return Err(InputError::file(file, "inconsistent evidence records"));
        }
        b.index();
        Ok(b)
    }
}

/// The section tag prefix of the `i`-th policy set.
fn set_tag(i: usize) -> [u8; 3] {
    [(i >> 16) as u8, (i >> 8) as u8, i as u8]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::parse_entry;
    use crate::profile::scores::Target;
    use proptest::prelude::*;

    proptest! {
        /// The items found overlapping an entry are exactly those a scan
        /// of every item finds, whatever their widths and families.
        #[test]
        fn overlapping_finds_what_a_scan_finds(
            items in proptest::collection::vec((0u32..64, 0u32..16, any::<bool>()), 0..50),
            q in (0u32..64, 0u32..16, any::<bool>()),
        ) {
            // Small ranges in a small space: they touch and nest often.
            let entry = |(a, n, six): (u32, u32, bool)| {
                let text = if six {
                    format!("::{:x}-::{:x}", a, a + n)
                } else {
                    format!("10.0.0.{a}-10.0.0.{}", a + n)
                };
                parse_entry(text.as_bytes()).unwrap()
            };
            let scores: Vec<Scored> = items
                .iter()
                .map(|&i| Scored {
                    target: Target::Ip(entry(i)),
                    text: String::new(),
                    milli: 1,
                    categories: vec![],
                    feeds: vec!["f".into()],
                    last_seen: 0,
                })
                .collect();
            let mut builder = BasisBuilder::default();
            scores.iter().for_each(|s| builder.push(s));
            let b = builder.finish().0;
            let q = entry(q);
            let (qf, qs, qe) = match q {
                Entry::V4(r) => (4, r.start as u128, r.end as u128),
                Entry::V6(r) => (6, r.start, r.end),
            };
            let naive: Vec<usize> = (0..b.items.len())
                .filter(|&i| {
                    let it = &b.items[i];
                    it.family == qf && it.start <= qe && it.end >= qs
                })
                .collect();
            prop_assert_eq!(b.overlapping(&q), naive);
        }
    }
}
