//! The scoring state: every (entry, evidence source) pair with its value
//! decayed to one reference time. Sensor masses add up and feed values take
//! the maximum, both in integers, so states merge exactly and in any order.
//!
//! On disk it is an artifact (`src/artifact`) of kind `SCOR`: small sections
//! in postcard, keys and pairs as raw little-endian arrays, every invariant
//! checked on reading so a foreign or damaged file is refused, never misread.

use super::category;
use super::key::Net;
use crate::artifact::{Artifact, ArtifactError, ArtifactWriter, Tag};
use serde::{Deserialize, Serialize};
use std::cmp::Reverse;
use std::path::Path;
use std::sync::Mutex;

pub const KIND: Tag = *b"SCOR";
pub const MAJOR: u16 = 1;
/// 1.1 added the listing history (`LIS4`, `LIS6`, `LNET`, `LDOM`, `SNAP`);
/// a 1.0 file reads with an empty history. 1.2 added `UNDT`, the feeds
/// without per-entry times; a 1.1 file reads as if every feed had them.
pub const MINOR: u16 = 2;

/// The fixed-point scale of pair values: 32 fractional bits. Sums of
/// integers are exact and associative, so shards merge to the whole.
pub const FIX: f64 = 4_294_967_296.0;

/// Values below this (1/1024 of an event or of a full-confidence listing)
/// are forgotten, so a state does not grow forever.
pub const PRUNE: u64 = 1 << 22;

/// Where evidence comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum SourceKind {
    Feed,
    Sensor,
}

/// One evidence source: a feed (with its category) or a sensor.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Source {
    pub kind: SourceKind,
    pub name: String,
    /// Canonical category name (`category::canonical`).
    pub category: String,
}

impl Source {
    pub fn sensor(name: &str) -> Source {
        Source {
            kind: SourceKind::Sensor,
            name: name.to_string(),
            category: category::SENSOR.to_string(),
        }
    }

    pub fn half_life(&self) -> i64 {
        match self.kind {
            SourceKind::Sensor => category::SENSOR_HALF_LIFE,
            SourceKind::Feed => category::lookup(&self.category).half_life,
        }
    }
}

/// The evidence one source holds about one entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Pair {
    /// Index of the entry in its part's `keys`.
    pub key: u32,
    /// Index into `State::sources`.
    pub source: u32,
    /// Fixed point ([`FIX`]) at the state's time: decayed event count for a
    /// sensor, decayed confidence for a feed.
    pub value: u64,
    pub hits: u64,
    pub first: i64,
    pub last: i64,
}

const PAIR_BYTES: usize = 40;

impl Pair {
    /// Folds `o` (same entry, same source) into `self`.
    #[inline]
    pub fn absorb(&mut self, o: &Pair, kind: SourceKind) {
        self.value = match kind {
            SourceKind::Sensor => self.value.saturating_add(o.value),
            SourceKind::Feed => self.value.max(o.value),
        };
        self.hits = self.hits.saturating_add(o.hits);
        self.first = self.first.min(o.first);
        self.last = self.last.max(o.last);
    }

    fn encode_into(&self, out: &mut [u8]) {
        out[0..4].copy_from_slice(&self.key.to_le_bytes());
        out[4..8].copy_from_slice(&self.source.to_le_bytes());
        out[8..16].copy_from_slice(&self.value.to_le_bytes());
        out[16..24].copy_from_slice(&self.hits.to_le_bytes());
        out[24..32].copy_from_slice(&self.first.to_le_bytes());
        out[32..40].copy_from_slice(&self.last.to_le_bytes());
    }

    fn decode(b: &[u8]) -> Pair {
        let u32_at = |i: usize| u32::from_le_bytes(b[i..i + 4].try_into().unwrap());
        let u64_at = |i: usize| u64::from_le_bytes(b[i..i + 8].try_into().unwrap());
        Pair {
            key: u32_at(0),
            source: u32_at(4),
            value: u64_at(8),
            hits: u64_at(16),
            first: u64_at(24) as i64,
            last: u64_at(32) as i64,
        }
    }
}

/// The listing history of one (entry, feed) pair: the runs that ingested
/// the feed and found the entry in it (`docs/scoring.md`, "Listing
/// history"). Times are the runs' reference times, not the rows' own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Listing {
    /// Index of the entry in its part's `keys`.
    pub key: u32,
    /// Index into `State::sources` (a feed).
    pub source: u32,
    /// The first run of the current listing: when the feed (re)started
    /// listing the entry, as far as the runs saw.
    pub first: i64,
    /// The last run that found the entry in the feed.
    pub last: i64,
    /// The first run after `last` known to have ingested the feed without
    /// the entry; `None` while the entry is listed in the latest snapshot.
    pub dropped: Option<i64>,
}

const LISTING_BYTES: usize = 32;

impl Listing {
    fn encode_into(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.key.to_le_bytes());
        out.extend_from_slice(&self.source.to_le_bytes());
        out.extend_from_slice(&self.first.to_le_bytes());
        out.extend_from_slice(&self.last.to_le_bytes());
        out.extend_from_slice(&self.dropped.unwrap_or(i64::MIN).to_le_bytes());
    }

    fn decode(b: &[u8]) -> Listing {
        let u32_at = |i: usize| u32::from_le_bytes(b[i..i + 4].try_into().unwrap());
        let i64_at = |i: usize| i64::from_le_bytes(b[i..i + 8].try_into().unwrap());
        Listing {
            key: u32_at(0),
            source: u32_at(4),
            first: i64_at(8),
            last: i64_at(16),
            dropped: Some(i64_at(24)).filter(|&d| d != i64::MIN),
        }
    }

    /// Notes that a snapshot of the feed at `t` did not hold the entry: a
    /// drop when it is later than the last listing (a snapshot at the same
    /// time that lists it wins: shards of one run).
    fn absent_at(&mut self, t: Option<i64>) {
        if let Some(t) = t.filter(|&t| t > self.last) {
            self.dropped = Some(self.dropped.map_or(t, |d| d.min(t)));
        }
    }

    /// Combines two histories of one pair; `sx`/`sy` are the latest
    /// snapshot times of the feed on each side. When one side saw the entry
    /// dropped before the other's listing started, that listing is a new
    /// one; otherwise the listings are one: first the earliest, last the
    /// latest. A drop counts when it is after the result's last listing.
    fn combine(x: &Listing, y: &Listing, sx: Option<i64>, sy: Option<i64>) -> Listing {
        let (early, late) = if x.first <= y.first { (x, y) } else { (y, x) };
        let mut out = if early.dropped.is_some_and(|d| d < late.first) {
            Listing {
                dropped: None,
                ..*late
            }
        } else {
            Listing {
                first: early.first,
                last: early.last.max(late.last),
                dropped: None,
                ..*early
            }
        };
        for t in [x.dropped, y.dropped, sx, sy] {
            out.absent_at(t);
        }
        out
    }
}

/// Merges two histories sorted by (key, source) whose keys are translated
/// by `ka`/`kb` (increasing) and sources numbered alike; `sa`/`sb` give,
/// per source, the latest snapshot of its feed on each side.
fn merge_listings(
    a: &[Listing],
    ka: &[u32],
    sa: &[Option<i64>],
    b: &[Listing],
    kb: &[u32],
    sb: &[Option<i64>],
) -> Vec<Listing> {
    let at = |s: &[Option<i64>], i: u32| s.get(i as usize).copied().flatten();
    let moved = |l: &Listing, k: &[u32], other: &[Option<i64>]| {
        let mut l = Listing {
            key: k[l.key as usize],
            ..*l
        };
        l.absent_at(at(other, l.source));
        l
    };
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        let x = a.get(i).map(|l| (ka[l.key as usize], l.source));
        let y = b.get(j).map(|l| (kb[l.key as usize], l.source));
        match (x, y) {
            (Some(x), Some(y)) if x == y => {
                let (la, lb) = (moved(&a[i], ka, &[]), moved(&b[j], kb, &[]));
                out.push(Listing::combine(
                    &la,
                    &lb,
                    at(sa, la.source),
                    at(sb, lb.source),
                ));
                i += 1;
                j += 1;
            }
            (Some(x), y) if y.is_none_or(|y| x < y) => {
                out.push(moved(&a[i], ka, sb));
                i += 1;
            }
            _ => {
                out.push(moved(&b[j], kb, sa));
                j += 1;
            }
        }
    }
    out
}

/// A part to merge: its pairs' source renumbering, and per (merged)
/// source the latest snapshot time of its feed in the part's state.
type MergeInput<'a, K> = (Part<K>, &'a [u32], Vec<Option<i64>>);

/// One kind of entry: sorted unique keys, and their pairs sorted by
/// (key, source); the listing history of some of its feed pairs, sorted
/// alike.
#[derive(Clone, Debug, PartialEq)]
pub struct Part<K> {
    pub keys: Vec<K>,
    pub pairs: Vec<Pair>,
    /// At most one per feed pair, for the same (key, source).
    pub listings: Vec<Listing>,
}

impl<K> Default for Part<K> {
    fn default() -> Self {
        Part {
            keys: Vec::new(),
            pairs: Vec::new(),
            listings: Vec::new(),
        }
    }
}

impl<K> Part<K> {
    /// Where each key's pairs start, and the end: `keys.len() + 1` indexes.
    pub fn offsets(&self) -> Vec<usize> {
        let mut out = Vec::with_capacity(self.keys.len() + 1);
        out.push(0);
        for (i, p) in self.pairs.iter().enumerate() {
            while out.len() <= p.key as usize {
                out.push(i);
            }
        }
        while out.len() <= self.keys.len() {
            out.push(self.pairs.len());
        }
        out
    }

    /// The pairs of each key, in key order.
    pub fn groups(&self) -> impl Iterator<Item = (&K, &[Pair])> {
        let mut at = 0;
        self.keys.iter().enumerate().map(move |(i, k)| {
            let start = at;
            while at < self.pairs.len() && self.pairs[at].key as usize == i {
                at += 1;
            }
            (k, &self.pairs[start..at])
        })
    }
}

impl<K: Ord + Clone> Part<K> {
    /// Builds a part from unsorted `(key, pair)` items (`pair.key` is
    /// ignored), folding duplicates.
    pub fn from_items(mut items: Vec<(K, Pair)>, kinds: &[SourceKind]) -> Part<K> {
        items.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(a.1.source.cmp(&b.1.source)));
        let mut part = Part {
            pairs: Vec::with_capacity(items.len()),
            ..Part::default()
        };
        for (k, mut p) in items {
            if part.keys.last() != Some(&k) {
                part.keys.push(k);
            } else if let Some(last) = part.pairs.last_mut() {
                if last.source == p.source {
                    last.absorb(&p, kinds[p.source as usize]);
                    continue;
                }
            }
            p.key = (part.keys.len() - 1) as u32;
            part.pairs.push(p);
        }
        part
    }

    /// Each key's pairs and listing history, in key order.
    pub fn groups_listed(&self) -> impl Iterator<Item = (&[Pair], &[Listing])> {
        let (mut at, mut lat) = (0, 0);
        (0..self.keys.len()).map(move |i| {
            let (start, lstart) = (at, lat);
            while at < self.pairs.len() && self.pairs[at].key as usize == i {
                at += 1;
            }
            while lat < self.listings.len() && self.listings[lat].key as usize == i {
                lat += 1;
            }
            (&self.pairs[start..at], &self.listings[lstart..lat])
        })
    }

    /// The listing history of the `i`th key's pairs.
    pub fn listings_of(&self, i: usize) -> &[Listing] {
        let start = self.listings.partition_point(|l| (l.key as usize) < i);
        let end = self.listings.partition_point(|l| (l.key as usize) <= i);
        &self.listings[start..end]
    }

    pub fn find(&self, k: &K) -> Option<&[Pair]> {
        let i = self.keys.binary_search(k).ok()?;
        let start = self.pairs.partition_point(|p| (p.key as usize) < i);
        let end = self.pairs.partition_point(|p| (p.key as usize) <= i);
        Some(&self.pairs[start..end])
    }

    /// Drops pairs below [`PRUNE`] and keys left without pairs; true when
    /// anything was dropped. Of the sensor pairs below [`PRUNE`] of an
    /// entry that another pair above it still holds, or that a sensor
    /// reported within [`super::trust::BACKGROUND_AFTER`] before `time`,
    /// two are kept whatever their value: the one with the sensors' first
    /// report and the one with their last, the length of their
    /// acquaintance with the source and the negative evidence against a
    /// listing (`super::trust::Reports`), which must not vanish while the
    /// entry has evidence or the sensors keep reporting it now and then.
    fn prune(&mut self, kinds: &[SourceKind], time: i64) -> bool {
        if self.pairs.iter().all(|p| p.value >= PRUNE) {
            return false;
        }
        let recent = time.saturating_sub(super::trust::BACKGROUND_AFTER);
        let offsets = self.offsets();
        let mut keep = vec![false; self.pairs.len()];
        for w in offsets.windows(2) {
            let group = &self.pairs[w[0]..w[1]];
            let live = group.iter().any(|p| {
                p.value >= PRUNE
                    || (kinds[p.source as usize] == SourceKind::Sensor && p.last >= recent)
            });
            for (i, p) in group.iter().enumerate() {
                keep[w[0] + i] = p.value >= PRUNE;
            }
            if !live {
                continue;
            }
            // Of the spent sensor pairs, the two whose times the model
            // reads: the earliest first report and the latest last one
            // (the first of each in source order on a tie).
            let spent = (group.iter().enumerate())
                .filter(|(_, p)| kinds[p.source as usize] == SourceKind::Sensor && p.value < PRUNE);
            let earliest = spent.clone().min_by_key(|(i, p)| (p.first, *i));
            let latest = spent.min_by_key(|(i, p)| (Reverse(p.last), *i));
            for (i, _) in earliest.into_iter().chain(latest) {
                keep[w[0] + i] = true;
            }
        }
        if keep.iter().all(|&k| k) {
            return false;
        }
        let mut keys = Vec::with_capacity(self.keys.len());
        let mut pairs = Vec::with_capacity(self.pairs.len());
        let mut last_key = u32::MAX;
        for (p, _) in self.pairs.iter().zip(&keep).filter(|(_, &k)| k) {
            if p.key != last_key {
                last_key = p.key;
                keys.push(self.keys[p.key as usize].clone());
            }
            pairs.push(Pair {
                key: (keys.len() - 1) as u32,
                ..*p
            });
        }
        if !self.listings.is_empty() {
            // A history goes with its pair: kept pairs, renumbered.
            let mut new_key = vec![u32::MAX; self.keys.len()];
            let kept_old = self.pairs.iter().zip(&keep).filter(|(_, &k)| k);
            for ((old, _), new) in kept_old.zip(&pairs) {
                new_key[old.key as usize] = new.key;
            }
            let old = &self.pairs;
            let mut j = 0;
            self.listings.retain_mut(|l| {
                while j < old.len() && (old[j].key, old[j].source) < (l.key, l.source) {
                    j += 1;
                }
                let kept =
                    j < old.len() && (old[j].key, old[j].source) == (l.key, l.source) && keep[j];
                l.key = new_key[l.key as usize];
                kept
            });
        }
        self.keys = keys;
        self.pairs = pairs;
        true
    }

    /// Merges parts whose source indexes are translated by `remaps`
    /// (each increasing, so every part's pairs stay sorted), two at a time;
    /// each part comes with its state's latest snapshot time of each
    /// (merged) source's feed, for the listing history.
    fn merge(parts: Vec<MergeInput<'_, K>>, kinds: &[SourceKind]) -> Part<K> {
        let mut out: Option<(Part<K>, Vec<Option<i64>>)> = None;
        for (mut part, remap, snaps) in parts {
            for p in &mut part.pairs {
                p.source = remap[p.source as usize];
            }
            for l in &mut part.listings {
                l.source = remap[l.source as usize];
            }
            out = Some(match out {
                None => (part, snaps),
                Some((acc, acc_snaps)) => {
                    let merged = Part::merge2(acc, &acc_snaps, part, &snaps, kinds);
                    let both = (acc_snaps.iter().zip(&snaps))
                        .map(|(x, y)| (*x).max(*y))
                        .collect();
                    (merged, both)
                }
            });
        }
        out.map(|o| o.0).unwrap_or_default()
    }

    /// Merges two parts whose sources are numbered alike; `sa`/`sb` are
    /// the snapshot times of each source's feed on each side.
    fn merge2(
        a: Part<K>,
        sa: &[Option<i64>],
        b: Part<K>,
        sb: &[Option<i64>],
        kinds: &[SourceKind],
    ) -> Part<K> {
        let same = |n: usize| (0..n as u32).collect::<Vec<u32>>();
        if b.keys.is_empty() || a.keys.is_empty() {
            let (mut one, other) = if b.keys.is_empty() { (a, sb) } else { (b, sa) };
            if !one.listings.is_empty() {
                let k = same(one.keys.len());
                one.listings = merge_listings(&one.listings, &k, &[], &[], &[], other);
            }
            return one;
        }
        let track = !a.listings.is_empty() || !b.listings.is_empty();
        let (mut amap, mut bmap) = (Vec::new(), Vec::new());
        if track {
            amap = vec![0u32; a.keys.len()];
            bmap = vec![0u32; b.keys.len()];
        }
        let mut out = Part {
            keys: Vec::with_capacity(a.keys.len().max(b.keys.len())),
            pairs: Vec::with_capacity(a.pairs.len() + b.pairs.len()),
            listings: Vec::new(),
        };
        huge_pages(&mut out.pairs);
        let (ap, bp) = (&a.pairs, &b.pairs);
        let (mut i, mut j) = (0usize, 0usize); // next pair of a, of b
        let mut ak = a.keys.into_iter().enumerate().peekable();
        let mut bk = b.keys.into_iter().enumerate().peekable();
        // The pairs of key `k` starting at `at`: their end.
        let run = |pairs: &[Pair], at: usize, k: usize| {
            let mut e = at;
            while e < pairs.len() && pairs[e].key as usize == k {
                e += 1;
            }
            e
        };
        loop {
            let order = match (ak.peek(), bk.peek()) {
                (None, None) => break,
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (Some((_, x)), Some((_, y))) => x.cmp(y),
            };
            let key = out.keys.len() as u32;
            let push = |out: &mut Vec<Pair>, p: &Pair| out.push(Pair { key, ..*p });
            // A key only one side has: its pairs as they are.
            let copy = |out: &mut Vec<Pair>, pairs: &[Pair], at: &mut usize, k: usize| {
                let e = run(pairs, *at, k);
                pairs[*at..e].iter().for_each(|p| push(out, p));
                *at = e;
            };
            // `order` came from the peeks, so the side it names has a key.
            match order {
                std::cmp::Ordering::Less => {
                    let Some((ka, k)) = ak.next() else { break };
                    copy(&mut out.pairs, ap, &mut i, ka);
                    out.keys.push(k);
                    if track {
                        amap[ka] = key;
                    }
                }
                std::cmp::Ordering::Greater => {
                    let Some((kb, k)) = bk.next() else { break };
                    copy(&mut out.pairs, bp, &mut j, kb);
                    out.keys.push(k);
                    if track {
                        bmap[kb] = key;
                    }
                }
                std::cmp::Ordering::Equal => {
                    let (Some((ka, k)), Some((kb, _))) = (ak.next(), bk.next()) else {
                        break;
                    };
                    let (ea, eb) = (run(ap, i, ka), run(bp, j, kb));
                    merge_sources(&ap[i..ea], &bp[j..eb], kinds, |p| push(&mut out.pairs, p));
                    (i, j) = (ea, eb);
                    out.keys.push(k);
                    if track {
                        (amap[ka], bmap[kb]) = (key, key);
                    }
                }
            }
        }
        if track {
            out.listings = merge_listings(&a.listings, &amap, sa, &b.listings, &bmap, sb);
        }
        out
    }

    fn check(&self, sources: &[Source], tag: Tag) -> Result<(), ArtifactError> {
        let bad = |why: &str| ArtifactError::BadSection(tag, why.to_string());
        if self.keys.windows(2).any(|w| w[0] >= w[1]) {
            return Err(bad("keys are not sorted and unique"));
        }
        let mut prev: Option<(u32, u32)> = None;
        let mut next_key = 0u32;
        for p in &self.pairs {
            if p.key as usize >= self.keys.len() || p.source as usize >= sources.len() {
                return Err(bad("a pair points outside the tables"));
            }
            if prev.is_some_and(|q| q >= (p.key, p.source)) {
                return Err(bad("pairs are not sorted and unique"));
            }
            if p.key > next_key {
                return Err(bad("a key has no pairs"));
            }
            next_key = next_key.max(p.key + 1);
            if p.first > p.last {
                return Err(bad("a pair's first time is after its last"));
            }
            if sources[p.source as usize].kind == SourceKind::Feed && p.value > FIX as u64 {
                return Err(bad("a feed value above 1"));
            }
            prev = Some((p.key, p.source));
        }
        if (next_key as usize) != self.keys.len() {
            return Err(bad("a key has no pairs"));
        }
        Ok(())
    }

    /// A history must be sorted and unique, each record for a feed pair of
    /// the part, its times in order and no later than the feed's latest
    /// snapshot (`snaps`, per source).
    fn check_listings(&self, snaps: &[Option<i64>], tag: Tag) -> Result<(), ArtifactError> {
        let bad = |why: &str| ArtifactError::BadSection(tag, why.to_string());
        let mut j = 0;
        let mut prev: Option<(u32, u32)> = None;
        for l in &self.listings {
            let at = (l.key, l.source);
            if prev.is_some_and(|q| q >= at) {
                return Err(bad("listings are not sorted and unique"));
            }
            prev = Some(at);
            while j < self.pairs.len() && (self.pairs[j].key, self.pairs[j].source) < at {
                j += 1;
            }
            if j == self.pairs.len() || (self.pairs[j].key, self.pairs[j].source) != at {
                return Err(bad("a listing has no pair"));
            }
            let Some(snap) = snaps.get(l.source as usize).copied().flatten() else {
                return Err(bad("a listing of a feed without a snapshot"));
            };
            if l.first > l.last
                || l.last > snap
                || l.dropped.is_some_and(|d| d <= l.last || d > snap)
            {
                return Err(bad("a listing's times are out of order"));
            }
        }
        Ok(())
    }
}

/// A state's sources must be sorted, unique, few enough to number in a
/// `u32`, with valid names and canonical categories.
fn check_sources(sources: &[Source]) -> Result<(), ArtifactError> {
    let bad = |why: &str| ArtifactError::BadSection(*b"SRCS", why.to_string());
    if sources.windows(2).any(|w| w[0] >= w[1]) {
        return Err(bad("sources are not sorted and unique"));
    }
    if sources.len() > u32::MAX as usize {
        return Err(bad("too many sources"));
    }
    for s in sources {
        let name_ok = match s.kind {
            SourceKind::Feed => crate::feed::is_name(&s.name),
            SourceKind::Sensor => crate::record::is_sensor_name(s.name.as_bytes()),
        };
        if !name_ok || category::canonical(&s.category) != s.category {
            return Err(bad("a source name or category is not valid"));
        }
    }
    Ok(())
}

/// Merges one key's pairs from two parts (each sorted by source): a source
/// only one side has is kept as it is, one both have is folded.
fn merge_sources(a: &[Pair], b: &[Pair], kinds: &[SourceKind], mut emit: impl FnMut(&Pair)) {
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if j == b.len() || (i < a.len() && a[i].source < b[j].source) {
            emit(&a[i]);
            i += 1;
        } else if i == a.len() || b[j].source < a[i].source {
            emit(&b[j]);
            j += 1;
        } else {
            let mut p = a[i];
            p.absorb(&b[j], kinds[p.source as usize]);
            emit(&p);
            i += 1;
            j += 1;
        }
    }
}

/// Merges two parts of one state's evidence (see [`Part::merge`]).
pub(crate) fn merge_two<K: Ord + Clone>(
    a: Part<K>,
    ra: &[u32],
    b: Part<K>,
    rb: &[u32],
    kinds: &[SourceKind],
) -> Part<K> {
    Part::merge(vec![(a, ra, Vec::new()), (b, rb, Vec::new())], kinds)
}

/// Everything known, decayed to `time`.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct State {
    /// The reference time (Unix seconds) of every value.
    pub time: i64,
    /// Sorted and unique.
    pub sources: Vec<Source>,
    pub v4: Part<u32>,
    pub v6: Part<u128>,
    pub nets: Part<Net>,
    pub domains: Part<String>,
    /// Every feed ingested, by name (sorted, unique), with the time of the
    /// latest run that ingested it: a listing of that feed not found then
    /// was dropped.
    pub snapshots: Vec<(String, i64)>,
    /// The feeds (sorted, unique, each in `snapshots`) whose latest
    /// snapshot gave no per-entry times: every row's `first_seen` and
    /// `last_seen` one and the same time, the file's. Their listings' age
    /// is the listing history's (`docs/scoring.md`, "Listing age").
    pub undated: Vec<String>,
}

#[derive(Serialize, Deserialize)]
struct Meta {
    /// The scoring model the values were computed with (`super::MODEL`).
    model: u32,
    time: i64,
}

/// Runs `f` on every item on [`crate::pool`]: converting pairs is
/// memory-bound, and two cores touch fresh pages faster than one. The items
/// are owned pieces of one buffer; the mutex only hands each over once.
fn parallel<T: Send>(items: Vec<T>, f: impl Fn(T) + Sync) {
    let items: Vec<Mutex<Option<T>>> = items.into_iter().map(|x| Mutex::new(Some(x))).collect();
    crate::pool::map(&items, |item| {
        if let Some(x) = item.lock().unwrap_or_else(|e| e.into_inner()).take() {
            f(x);
        }
    });
}

/// Asks for transparent huge pages under a large buffer that is about to
/// be filled: faulting in 4 KiB pages one by one costs more than the work
/// done on them (merging two 1M-address states is mostly page faults
/// otherwise). Only a hint; nothing changes where the kernel says no.
fn huge_pages<T>(v: &mut Vec<T>) {
    #[cfg(target_os = "linux")]
    {
        const HUGE: usize = 2 << 20;
        let bytes = v.capacity() * std::mem::size_of::<T>();
        if bytes < 4 * HUGE {
            return;
        }
        let start = v.as_mut_ptr() as usize;
        let aligned = start.next_multiple_of(HUGE);
        let end = (start + bytes) & !(HUGE - 1);
        if end > aligned {
            // SAFETY: the range lies inside the vector's own allocation;
            // MADV_HUGEPAGE changes no contents, only how pages are backed.
            unsafe {
                libc::madvise(
                    aligned as *mut libc::c_void,
                    end - aligned,
                    libc::MADV_HUGEPAGE,
                );
            }
        }
    }
}

/// Pairs per piece of parallel work.
const PIECE: usize = 1 << 18;

fn decode_pairs(b: &[u8], tag: Tag) -> Result<Vec<Pair>, ArtifactError> {
    if b.len() % PAIR_BYTES != 0 {
        return Err(ArtifactError::BadSection(
            tag,
            "length is not a whole number of pairs".into(),
        ));
    }
    let n = b.len() / PAIR_BYTES;
    let mut out: Vec<Pair> = Vec::with_capacity(n);
    huge_pages(&mut out);
    let pieces: Vec<_> = out.spare_capacity_mut()[..n]
        .chunks_mut(PIECE)
        .zip(b.chunks(PIECE * PAIR_BYTES))
        .collect();
    parallel(pieces, |(slots, bytes)| {
        for (slot, c) in slots.iter_mut().zip(bytes.chunks_exact(PAIR_BYTES)) {
            slot.write(Pair::decode(c));
        }
    });
    // SAFETY: the pieces cover the first `n` slots, and every slot of a
    // piece was written (a piece of slots and its bytes hold as many pairs).
    unsafe { out.set_len(n) };
    Ok(out)
}

fn encode_listings(listings: &[Listing]) -> Vec<u8> {
    let mut out = Vec::with_capacity(listings.len() * LISTING_BYTES);
    for l in listings {
        l.encode_into(&mut out);
    }
    out
}

/// A history section; absent from a 1.0 file (no history then).
fn decode_listings(a: &Artifact, tag: Tag) -> Result<Vec<Listing>, ArtifactError> {
    if a.minor == 0 {
        return Ok(Vec::new());
    }
    let b = a.raw(tag)?;
    if b.len() % LISTING_BYTES != 0 {
        return Err(ArtifactError::BadSection(
            tag,
            "length is not a whole number of listings".into(),
        ));
    }
    Ok(b.chunks_exact(LISTING_BYTES).map(Listing::decode).collect())
}

fn encode_pairs(pairs: &[Pair]) -> Vec<u8> {
    let mut out = vec![0u8; pairs.len() * PAIR_BYTES];
    huge_pages(&mut out);
    let pieces: Vec<_> = out
        .chunks_mut(PIECE * PAIR_BYTES)
        .zip(pairs.chunks(PIECE))
        .collect();
    parallel(pieces, |(bytes, pairs)| {
        for (c, p) in bytes.chunks_exact_mut(PAIR_BYTES).zip(pairs) {
            p.encode_into(c);
        }
    });
    out
}

impl State {
    pub fn empty(time: i64) -> State {
        State {
            time,
            ..State::default()
        }
    }

    pub fn kinds(&self) -> Vec<SourceKind> {
        self.sources.iter().map(|s| s.kind).collect()
    }

    pub fn is_empty(&self) -> bool {
        self.v4.keys.is_empty()
            && self.v6.keys.is_empty()
            && self.nets.keys.is_empty()
            && self.domains.keys.is_empty()
    }

    pub fn key_count(&self) -> usize {
        self.v4.keys.len() + self.v6.keys.len() + self.nets.keys.len() + self.domains.keys.len()
    }

    pub fn pair_count(&self) -> usize {
        self.v4.pairs.len() + self.v6.pairs.len() + self.nets.pairs.len() + self.domains.pairs.len()
    }

    fn for_each_pairs(&mut self, mut f: impl FnMut(&mut Vec<Pair>)) {
        f(&mut self.v4.pairs);
        f(&mut self.v6.pairs);
        f(&mut self.nets.pairs);
        f(&mut self.domains.pairs);
    }

    /// Decays every value to the later time `to` (rounding to the fixed
    /// point) and forgets what fell below [`PRUNE`].
    pub fn advance(&mut self, to: i64) {
        if to > self.time {
            let dt = (to - self.time) as f64;
            let factors: Vec<f64> = self
                .sources
                .iter()
                .map(|s| (-dt / s.half_life() as f64).exp2())
                .collect();
            self.for_each_pairs(|pairs| {
                for p in pairs.iter_mut() {
                    p.value = (p.value as f64 * factors[p.source as usize]).round() as u64;
                }
            });
            self.time = to;
        }
        self.prune();
    }

    pub fn prune(&mut self) {
        let kinds = self.kinds();
        let dropped = [
            self.v4.prune(&kinds, self.time),
            self.v6.prune(&kinds, self.time),
            self.nets.prune(&kinds, self.time),
            self.domains.prune(&kinds, self.time),
        ];
        if !dropped.contains(&true) {
            return;
        }
        // Sources nobody refers to any more are dropped too.
        let mut used = vec![false; self.sources.len()];
        for pairs in [
            &self.v4.pairs,
            &self.v6.pairs,
            &self.nets.pairs,
            &self.domains.pairs,
        ] {
            for p in pairs {
                used[p.source as usize] = true;
            }
        }
        if used.iter().all(|&u| u) {
            return;
        }
        let mut remap = vec![0u32; self.sources.len()];
        let mut sources = Vec::new();
        for (i, s) in self.sources.drain(..).enumerate() {
            if used[i] {
                remap[i] = sources.len() as u32;
                sources.push(s);
            }
        }
        self.sources = sources;
        self.for_each_pairs(|pairs| {
            for p in pairs.iter_mut() {
                p.source = remap[p.source as usize];
            }
        });
        for listings in [
            &mut self.v4.listings,
            &mut self.v6.listings,
            &mut self.nets.listings,
            &mut self.domains.listings,
        ] {
            for l in listings.iter_mut() {
                l.source = remap[l.source as usize];
            }
        }
    }

    /// The time of the latest snapshot of the feed `name`.
    pub fn snapshot_of(&self, name: &str) -> Option<i64> {
        (self.snapshots)
            .binary_search_by(|x| x.0.as_str().cmp(name))
            .ok()
            .map(|i| self.snapshots[i].1)
    }

    /// The time of the latest snapshot of each source's feed (`None` for
    /// sensors and feeds never ingested).
    pub fn snapshot_times(&self, sources: &[Source]) -> Vec<Option<i64>> {
        sources
            .iter()
            .map(|s| match s.kind {
                SourceKind::Sensor => None,
                SourceKind::Feed => self.snapshot_of(&s.name),
            })
            .collect()
    }

    /// Merges states exactly: every state is first decayed to the latest
    /// time among them (or `at`, when later); then sensor values add and
    /// feed values take the maximum.
    pub fn merge(states: Vec<State>, at: Option<i64>) -> State {
        let time = states.iter().map(|s| s.time).chain(at).max().unwrap_or(0);
        let mut states = states;
        for s in &mut states {
            s.advance(time);
        }
        let mut sources: Vec<Source> = states
            .iter()
            .flat_map(|s| s.sources.iter().cloned())
            .collect();
        sources.sort();
        sources.dedup();
        let remaps: Vec<Vec<u32>> = states
            .iter()
            .map(|s| {
                s.sources
                    .iter()
                    .map(|x| sources.binary_search(x).unwrap_or(0) as u32)
                    .collect()
            })
            .collect();
        let kinds: Vec<SourceKind> = sources.iter().map(|s| s.kind).collect();
        let mut snapshots: Vec<(String, i64)> = Vec::new();
        for s in &states {
            snapshots.extend(s.snapshots.iter().cloned());
        }
        // By name, the latest time first: the first of each name stays.
        snapshots.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        snapshots.dedup_by(|b, a| a.0 == b.0);
        // A feed is undated when every state holding its latest snapshot
        // says so (shards of one run: when every row of the run was).
        let undated: Vec<String> = (snapshots.iter())
            .filter(|(name, t)| {
                states
                    .iter()
                    .filter(|s| s.snapshot_of(name) == Some(*t))
                    .all(|s| s.undated.binary_search(name).is_ok())
            })
            .map(|(name, _)| name.clone())
            .collect();
        let mut v4 = Vec::new();
        let mut v6 = Vec::new();
        let mut nets = Vec::new();
        let mut domains = Vec::new();
        for (s, remap) in states.into_iter().zip(&remaps) {
            let snaps = s.snapshot_times(&sources);
            v4.push((s.v4, &remap[..], snaps.clone()));
            v6.push((s.v6, &remap[..], snaps.clone()));
            nets.push((s.nets, &remap[..], snaps.clone()));
            domains.push((s.domains, &remap[..], snaps));
        }
        let mut out = State {
            time,
            snapshots,
            undated,
            v4: Part::merge(v4, &kinds),
            v6: Part::merge(v6, &kinds),
            nets: Part::merge(nets, &kinds),
            domains: Part::merge(domains, &kinds),
            sources,
        };
        out.prune();
        out
    }

    /// The file's bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.writer().to_bytes()
    }

    fn writer(&self) -> ArtifactWriter {
        let mut w = ArtifactWriter::new(KIND, MAJOR, MINOR);
        w.record(
            *b"META",
            &Meta {
                model: super::MODEL,
                time: self.time,
            },
        );
        w.record(*b"SRCS", &self.sources);
        w.raw(
            *b"KEY4",
            self.v4.keys.iter().flat_map(|k| k.to_le_bytes()).collect(),
        );
        w.raw(
            *b"KEY6",
            self.v6.keys.iter().flat_map(|k| k.to_le_bytes()).collect(),
        );
        w.record(*b"KNET", &self.nets.keys);
        w.record(*b"KDOM", &self.domains.keys);
        w.raw(*b"PAR4", encode_pairs(&self.v4.pairs));
        w.raw(*b"PAR6", encode_pairs(&self.v6.pairs));
        w.raw(*b"PNET", encode_pairs(&self.nets.pairs));
        w.raw(*b"PDOM", encode_pairs(&self.domains.pairs));
        w.raw(*b"LIS4", encode_listings(&self.v4.listings));
        w.raw(*b"LIS6", encode_listings(&self.v6.listings));
        w.raw(*b"LNET", encode_listings(&self.nets.listings));
        w.raw(*b"LDOM", encode_listings(&self.domains.listings));
        w.record(*b"SNAP", &self.snapshots);
        w.record(*b"UNDT", &self.undated);
        w
    }

    /// Writes the state atomically.
    pub fn write(&self, path: &Path) -> std::io::Result<()> {
        self.writer().write_to(path)
    }

    /// Reads a state from bytes, checking every invariant.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<State, ArtifactError> {
        let a = Artifact::parse(bytes, KIND, MAJOR)?;
        let meta: Meta = a.record(*b"META")?;
        if meta.model != super::MODEL {
            return Err(ArtifactError::BadSection(
                *b"META",
                format!(
                    "written by scoring model {}; this build scores with model {}",
                    meta.model,
                    super::MODEL
                ),
            ));
        }
        let sources: Vec<Source> = a.record(*b"SRCS")?;
        check_sources(&sources)?;
        let bad = |tag: Tag, why: &str| ArtifactError::BadSection(tag, why.to_string());
        let k4 = a.raw(*b"KEY4")?;
        let k6 = a.raw(*b"KEY6")?;
        if k4.len() % 4 != 0 || k6.len() % 16 != 0 {
            return Err(bad(*b"KEY4", "length is not a whole number of addresses"));
        }
        let nets: Vec<Net> = a.record(*b"KNET")?;
        if !nets.iter().all(Net::is_valid) {
            return Err(bad(*b"KNET", "a network is not canonical"));
        }
        let domains: Vec<String> = a.record(*b"KDOM")?;
        if domains.iter().any(|d| {
            crate::net::domain::canonical_entry(d.as_bytes())
                .ok()
                .as_deref()
                != Some(d.as_str())
        }) {
            return Err(bad(*b"KDOM", "a domain is not canonical"));
        }
        let snapshots: Vec<(String, i64)> = if a.minor == 0 {
            Vec::new()
        } else {
            a.record(*b"SNAP")?
        };
        if snapshots.windows(2).any(|w| w[0].0 >= w[1].0)
            || !snapshots.iter().all(|s| crate::feed::is_name(&s.0))
        {
            return Err(bad(*b"SNAP", "feeds are not sorted, unique and valid"));
        }
        let undated: Vec<String> = if a.minor < 2 {
            Vec::new()
        } else {
            a.record(*b"UNDT")?
        };
        if undated.windows(2).any(|w| w[0] >= w[1])
            || !undated
                .iter()
                .all(|n| snapshots.binary_search_by(|s| s.0.cmp(n)).is_ok())
        {
            return Err(bad(
                *b"UNDT",
                "feeds are not sorted, unique and among the snapshots",
            ));
        }
        let state = State {
            time: meta.time,
            snapshots,
            undated,
            v4: Part {
                keys: k4
                    .chunks_exact(4)
                    .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
                    .collect(),
                pairs: decode_pairs(a.raw(*b"PAR4")?, *b"PAR4")?,
                listings: decode_listings(&a, *b"LIS4")?,
            },
            v6: Part {
                keys: k6
                    .chunks_exact(16)
                    .map(|c| u128::from_le_bytes(c.try_into().unwrap()))
                    .collect(),
                pairs: decode_pairs(a.raw(*b"PAR6")?, *b"PAR6")?,
                listings: decode_listings(&a, *b"LIS6")?,
            },
            nets: Part {
                keys: nets,
                pairs: decode_pairs(a.raw(*b"PNET")?, *b"PNET")?,
                listings: decode_listings(&a, *b"LNET")?,
            },
            domains: Part {
                keys: domains,
                pairs: decode_pairs(a.raw(*b"PDOM")?, *b"PDOM")?,
                listings: decode_listings(&a, *b"LDOM")?,
            },
            sources,
        };
        state.v4.check(&state.sources, *b"PAR4")?;
        state.v6.check(&state.sources, *b"PAR6")?;
        state.nets.check(&state.sources, *b"PNET")?;
        state.domains.check(&state.sources, *b"PDOM")?;
        let snaps = state.snapshot_times(&state.sources);
        state.v4.check_listings(&snaps, *b"LIS4")?;
        state.v6.check_listings(&snaps, *b"LIS6")?;
        state.nets.check_listings(&snaps, *b"LNET")?;
        state.domains.check_listings(&snaps, *b"LDOM")?;
        Ok(state)
    }

    /// Reads a state file (`-` is stdin); errors name the file.
    pub fn read(path: &str) -> Result<State, super::Error> {
        let mut bytes = Vec::new();
        let read = if path == "-" {
            std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes)
        } else {
            std::fs::File::open(path).and_then(|mut f| {
                let len = f.metadata()?.len() as usize;
                bytes.reserve_exact(len + 1);
                huge_pages(&mut bytes);
                std::io::Read::read_to_end(&mut f, &mut bytes)
            })
        };
        read.map_err(|e| crate::error::InputError::io(path, &e))?;
        State::from_bytes(bytes).map_err(|reason| super::Error::State {
            file: path.to_string(),
            reason,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn pair(source: u32, value: u64, t: i64) -> Pair {
        Pair {
            key: 0,
            source,
            value,
            hits: 1,
            first: t,
            last: t,
        }
    }

    fn sample(time: i64) -> State {
        let sources = vec![
            Source {
                kind: SourceKind::Feed,
                name: "drop".into(),
                category: "hijacked".into(),
            },
            Source::sensor("s1"),
        ];
        let kinds: Vec<_> = sources.iter().map(|s| s.kind).collect();
        State {
            time,
            v4: Part::from_items(
                vec![
                    (7, pair(1, 3 << 32, time)),
                    (5, pair(0, 1 << 31, time)),
                    (7, pair(1, 1 << 32, time - 10)),
                ],
                &kinds,
            ),
            v6: Part::from_items(vec![(1u128 << 100, pair(1, 1 << 32, time))], &kinds),
            nets: Part::from_items(
                vec![(Net::v4(0x0102_0300, 24), pair(0, 1 << 32, time))],
                &kinds,
            ),
            domains: Part::from_items(
                vec![("evil.example".to_string(), pair(0, 1 << 30, time))],
                &kinds,
            ),
            sources,
            snapshots: Vec::new(),
            undated: Vec::new(),
        }
    }

    #[test]
    fn build_and_round_trip() {
        let s = sample(1_000_000);
        assert_eq!(s.v4.keys, vec![5, 7]);
        assert_eq!(s.v4.pairs[1].value, 4 << 32);
        assert_eq!(s.v4.pairs[1].hits, 2);
        assert_eq!(s.v4.pairs[1].first, 1_000_000 - 10);
        let back = State::from_bytes(s.to_bytes()).unwrap();
        assert_eq!(back, s);
        assert_eq!(s.v4.find(&7).unwrap().len(), 1);
        assert!(s.v4.find(&6).is_none());
    }

    #[test]
    fn merge_adds_sensors_and_maxes_feeds() {
        let a = sample(1_000_000);
        let m = State::merge(vec![a.clone(), a.clone()], None);
        assert_eq!(m.v4.pairs[0].value, 1 << 31); // feed: max
        assert_eq!(m.v4.pairs[1].value, 8 << 32); // sensor: sum
        assert_eq!(m.v4.pairs[1].hits, 4);
        let later = State::merge(vec![a], Some(1_000_000 + category::SENSOR_HALF_LIFE));
        assert_eq!(later.v4.pairs[1].value, 2 << 32); // one sensor half-life
    }

    #[test]
    fn refusals() {
        let b = sample(5).to_bytes();
        assert!(State::from_bytes(b[..b.len() - 3].to_vec())
            .unwrap_err()
            .to_string()
            .contains("truncated"));
        let mut other = ArtifactWriter::new(KIND, MAJOR + 1, 0);
        other.record(*b"META", &0u32);
        assert!(State::from_bytes(other.to_bytes())
            .unwrap_err()
            .to_string()
            .contains("version 2.0 is not supported"));
    }

    proptest! {
        #[test]
        fn bytes_never_panic(flip in 0usize..2000, delta: u8, cut in 0usize..2000) {
            let mut b = sample(77).to_bytes();
            if flip < b.len() { b[flip] = b[flip].wrapping_add(delta); }
            b.truncate(cut.max(1).min(b.len()));
            let _ = State::from_bytes(b);
        }

        #[test]
        fn garbage_never_panics(b in proptest::collection::vec(any::<u8>(), 0..300)) {
            let _ = State::from_bytes(b);
        }
    }
}

/// The listing history: listed, dropped, relisted; exact through bytes and
/// merges; a 1.0 state reads with none.
#[cfg(test)]
mod history {
    use super::*;
    use crate::score::{Evidence, FeedSettings};

    const T1: i64 = 1_795_780_800; // 2026-11-27T12:00:00Z
    const H: i64 = 4 * 3600;

    /// One run's evidence: `(feed, entry)` rows, each listed at `now`.
    fn build(now: i64, rows: &[(&str, &str)]) -> State {
        let t = crate::time::format(now);
        let mut csv =
            String::from("indicator,type,feed,category,first_seen,last_seen,hits,confidence\n");
        for (feed, entry) in rows {
            let kind = if entry.parse::<std::net::IpAddr>().is_ok() {
                "ip"
            } else {
                "domain"
            };
            csv.push_str(&format!("{entry},{kind},{feed},botnet-c2,{t},{t},1,1\n"));
        }
        let mut e = Evidence::new(now, FeedSettings::default());
        let p = e.add_indicators("ind.csv", csv.as_bytes()).unwrap();
        assert_eq!(p.skipped, 0);
        e.into_state()
    }

    /// A run that starts from `prev`.
    fn run(prev: &State, now: i64, rows: &[(&str, &str)]) -> State {
        State::merge(vec![prev.clone(), build(now, rows)], Some(now))
    }

    /// The history of `entry` (an IPv4 address or a domain) from `feed`.
    fn history(s: &State, feed: &str, entry: &str) -> Option<(i64, i64, Option<i64>)> {
        let source = s.sources.iter().position(|x| x.name == feed)? as u32;
        let ls = match entry.parse::<std::net::Ipv4Addr>() {
            Ok(a) => {
                s.v4.listings_of(s.v4.keys.binary_search(&u32::from(a)).ok()?)
            }
            Err(_) => s
                .domains
                .listings_of(s.domains.keys.binary_search(&entry.to_string()).ok()?),
        };
        let l = ls.iter().find(|l| l.source == source)?;
        Some((l.first, l.last, l.dropped))
    }

    fn same(a: &State, b: &State) {
        assert_eq!(a, b);
        assert_eq!(a.to_bytes(), b.to_bytes());
    }

    #[test]
    fn listed_dropped_relisted() {
        let (t2, t3, t4) = (T1 + H, T1 + 2 * H, T1 + 3 * H);
        let s1 = build(
            T1,
            &[
                ("f", "192.0.2.1"),
                ("f", "192.0.2.2"),
                ("g", "evil.example"),
            ],
        );
        assert_eq!(history(&s1, "f", "192.0.2.1"), Some((T1, T1, None)));
        assert_eq!(s1.snapshots, [("f".into(), T1), ("g".into(), T1)]);
        // f no longer lists .2; g is not read: it tells nothing.
        let s2 = run(&s1, t2, &[("f", "192.0.2.1")]);
        assert_eq!(history(&s2, "f", "192.0.2.1"), Some((T1, t2, None)));
        assert_eq!(history(&s2, "f", "192.0.2.2"), Some((T1, T1, Some(t2))));
        assert_eq!(history(&s2, "g", "evil.example"), Some((T1, T1, None)));
        assert_eq!(s2.snapshots, [("f".into(), t2), ("g".into(), T1)]);
        // Still missing: dropped when first found missing.
        let s3 = run(&s2, t3, &[("f", "192.0.2.1"), ("g", "evil.example")]);
        assert_eq!(history(&s3, "f", "192.0.2.2"), Some((T1, T1, Some(t2))));
        assert_eq!(history(&s3, "g", "evil.example"), Some((T1, t3, None)));
        // Listed again: a new listing.
        let s4 = run(&s3, t4, &[("f", "192.0.2.1"), ("f", "192.0.2.2")]);
        assert_eq!(history(&s4, "f", "192.0.2.2"), Some((t4, t4, None)));
        assert_eq!(history(&s4, "f", "192.0.2.1"), Some((T1, t4, None)));
        assert_eq!(history(&s4, "g", "evil.example"), Some((T1, t3, None)));
        // The evidence itself is as before: the feed pair of .2 kept its
        // first_seen across the drop.
        let p = s4.v4.find(&0xc000_0202).unwrap()[0];
        assert_eq!((p.first, p.last), (T1, t4));
        // Exact through the file, and deterministic.
        for s in [&s1, &s2, &s3, &s4] {
            same(&State::from_bytes(s.to_bytes()).unwrap(), s);
        }
        same(
            &run(&s3, t4, &[("f", "192.0.2.2"), ("f", "192.0.2.1")]),
            &s4,
        );
    }

    /// One run's rows `(feed, entry, first_seen)`, each last seen at `now`.
    fn build_dated(now: i64, rows: &[(&str, &str, i64)]) -> State {
        let t = crate::time::format(now);
        let mut csv =
            String::from("indicator,type,feed,category,first_seen,last_seen,hits,confidence\n");
        for (feed, entry, first) in rows {
            let f = crate::time::format(*first);
            csv.push_str(&format!("{entry},ip,{feed},scanner,{f},{t},1,1\n"));
        }
        let mut e = Evidence::new(now, FeedSettings::default());
        e.add_indicators("ind.csv", csv.as_bytes()).unwrap();
        e.into_state()
    }

    #[test]
    fn undated_feeds_through_runs_files_and_merges() {
        let t2 = T1 + H;
        // u: every row at the file's time; d: a row with a time of its own.
        let s1 = build_dated(
            T1,
            &[
                ("u", "192.0.2.1", T1),
                ("u", "192.0.2.2", T1),
                ("d", "192.0.2.1", T1 - H),
                ("d", "192.0.2.2", T1),
            ],
        );
        assert_eq!(s1.undated, ["u"]);
        same(&State::from_bytes(s1.to_bytes()).unwrap(), &s1);
        // The latest snapshot of a feed decides; a feed not read keeps its
        // word; the order of a merge does not matter.
        let s2 = build_dated(t2, &[("u", "192.0.2.1", T1)]);
        assert_eq!(s2.undated, Vec::<String>::new());
        let m = State::merge(vec![s1.clone(), s2.clone()], None);
        same(&m, &State::merge(vec![s2, s1.clone()], None));
        assert_eq!(m.undated, Vec::<String>::new());
        let s3 = build_dated(t2, &[("d", "192.0.2.1", t2)]);
        let m = State::merge(vec![s1.clone(), s3], None);
        assert_eq!(m.undated, ["d", "u"]);
        // Shards of one run: undated only when every shard's rows were.
        let rows = [("u", "192.0.2.1", t2), ("u", "192.0.2.7", T1)];
        let whole = build_dated(t2, &rows);
        assert_eq!(whole.undated, Vec::<String>::new());
        let (a, b) = (build_dated(t2, &rows[..1]), build_dated(t2, &rows[1..]));
        assert_eq!((a.undated.len(), b.undated.len()), (1, 0));
        same(&State::merge(vec![a, b], None), &whole);
        // A file whose undated feed is not among its snapshots is refused.
        let mut bad = s1.clone();
        bad.undated = vec!["zz".into()];
        assert!(State::from_bytes(bad.to_bytes()).is_err());
    }

    #[test]
    fn merges_are_exact() {
        let t2 = T1 + H;
        let s1 = build(
            T1,
            &[("f", "192.0.2.1"), ("f", "192.0.2.2"), ("f", "192.0.2.3")],
        );
        let rows = [
            ("f", "192.0.2.1"),
            ("f", "192.0.2.9"),
            ("g", "evil.example"),
        ];
        let whole = run(&s1, t2, &rows);
        // Shards of the second run (by address), merged in any order.
        let a = build(t2, &rows[..1]);
        let b = build(t2, &rows[1..]);
        for order in [
            vec![s1.clone(), a.clone(), b.clone()],
            vec![b.clone(), a.clone(), s1.clone()],
            vec![a.clone(), s1.clone(), b.clone()],
        ] {
            same(&State::merge(order, None), &whole);
        }
        // States of the two runs, each built alone, merged: the same as
        // the run that started from the first.
        same(
            &State::merge(vec![build(t2, &rows), s1.clone()], None),
            &whole,
        );
        assert_eq!(history(&whole, "f", "192.0.2.3"), Some((T1, T1, Some(t2))));
        assert_eq!(history(&whole, "f", "192.0.2.9"), Some((t2, t2, None)));
        // Merging a state with itself changes no history (hits add up).
        let twice = State::merge(vec![whole.clone(), whole.clone()], None);
        assert_eq!(twice.v4.listings, whole.v4.listings);
        assert_eq!(twice.domains.listings, whole.domains.listings);
        // A relisting seen by one state after a drop another saw is new,
        // whichever side it is on.
        let t3 = t2 + H;
        let again = build(t3, &[("f", "192.0.2.3")]);
        let m1 = State::merge(vec![whole.clone(), again.clone()], None);
        let m2 = State::merge(vec![again, whole.clone()], None);
        same(&m1, &m2);
        assert_eq!(history(&m1, "f", "192.0.2.3"), Some((t3, t3, None)));
        assert_eq!(history(&m1, "f", "192.0.2.1"), Some((T1, t2, Some(t3))));
    }

    #[test]
    fn a_drop_reaches_every_kind_of_entry() {
        // The run's evidence has no domain at all: its domain part is empty.
        let s1 = build(T1, &[("f", "evil.example"), ("f", "192.0.2.1")]);
        let s2 = run(&s1, T1 + H, &[("f", "192.0.2.1")]);
        assert_eq!(
            history(&s2, "f", "evil.example"),
            Some((T1, T1, Some(T1 + H)))
        );
        let s3 = run(&s2, T1 + 2 * H, &[("f", "evil.example")]);
        assert_eq!(
            history(&s3, "f", "evil.example"),
            Some((T1 + 2 * H, T1 + 2 * H, None))
        );
        assert_eq!(
            history(&s3, "f", "192.0.2.1"),
            Some((T1, T1 + H, Some(T1 + 2 * H)))
        );
    }

    /// The bytes a 1.0 build wrote: the same sections, no history.
    fn version_1_0(s: &State) -> Vec<u8> {
        let mut w = ArtifactWriter::new(KIND, MAJOR, 0);
        w.record(
            *b"META",
            &Meta {
                model: crate::score::MODEL,
                time: s.time,
            },
        );
        w.record(*b"SRCS", &s.sources);
        w.raw(
            *b"KEY4",
            s.v4.keys.iter().flat_map(|k| k.to_le_bytes()).collect(),
        );
        w.raw(
            *b"KEY6",
            s.v6.keys.iter().flat_map(|k| k.to_le_bytes()).collect(),
        );
        w.record(*b"KNET", &s.nets.keys);
        w.record(*b"KDOM", &s.domains.keys);
        w.raw(*b"PAR4", encode_pairs(&s.v4.pairs));
        w.raw(*b"PAR6", encode_pairs(&s.v6.pairs));
        w.raw(*b"PNET", encode_pairs(&s.nets.pairs));
        w.raw(*b"PDOM", encode_pairs(&s.domains.pairs));
        w.to_bytes()
    }

    #[test]
    fn a_state_without_history_reads_with_none() {
        let s1 = build(T1, &[("f", "192.0.2.1"), ("g", "evil.example")]);
        let old = State::from_bytes(version_1_0(&s1)).unwrap();
        assert_eq!(old.snapshots, []);
        assert!(old.v4.listings.is_empty() && old.domains.listings.is_empty());
        assert_eq!((&old.v4.keys, &old.v4.pairs), (&s1.v4.keys, &s1.v4.pairs));
        // The next run starts the history: what it lists, from now.
        let t2 = T1 + H;
        let s2 = run(&old, t2, &[("f", "192.0.2.1")]);
        assert_eq!(history(&s2, "f", "192.0.2.1"), Some((t2, t2, None)));
        assert_eq!(history(&s2, "g", "evil.example"), None);
        same(&State::from_bytes(s2.to_bytes()).unwrap(), &s2);
    }

    #[test]
    fn a_bad_history_is_refused() {
        let s = build(T1, &[("f", "192.0.2.1")]);
        let mut later = s.clone();
        later.v4.listings[0].last = T1 + 1; // after the feed's snapshot
        let mut unpaired = s.clone();
        unpaired.v4.listings[0].source = 1;
        unpaired.sources.push(Source::sensor("zz"));
        for bad in [later, unpaired] {
            let e = State::from_bytes(bad.to_bytes()).unwrap_err().to_string();
            assert!(e.contains("LIS4"), "{e}");
        }
    }
}
