//! A database flattened into sorted ranges, for batch look-ups and
//! extraction.
//!
//! Walking the tree once yields every network in address order; adjacent
//! networks with equal records are merged, and gaps become explicit "no data"
//! ranges, so each family is a sorted vector of range starts covering the
//! whole address space, with a record index per range. A look-up is a binary
//! search (IPv4 narrows it first with an index on the top 16 bits), which
//! beats walking up to 32 tree nodes scattered over megabytes. The table can
//! be cached as a threatlist artifact (kind `GEOT`), keyed by the database's
//! size and CRC-32.

use super::reader::Database;
use super::record::GeoRecord;
use super::Error;
use crate::artifact::{Artifact, ArtifactError, ArtifactWriter, FileError};
use crate::net::{Addr, Range};
use crate::set::{IntervalSet, IpSet};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Record index of ranges without data.
pub const NONE: u32 = u32::MAX;

const KIND: [u8; 4] = *b"GEOT";
const MAJOR: u16 = 1;
const MINOR: u16 = 0;

/// Ranges of one family: `starts[i]..starts[i+1]` maps to `vals[i]`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Flat<A> {
    starts: Vec<A>,
    vals: Vec<u32>,
    next: Option<A>,
}

impl<A: Addr> Flat<A> {
    fn new() -> Self {
        Flat {
            starts: Vec::new(),
            vals: Vec::new(),
            next: Some(A::ZERO),
        }
    }

    #[inline]
    fn add(&mut self, start: A, val: u32) {
        if self.vals.last() != Some(&val) {
            self.starts.push(start);
            self.vals.push(val);
        }
    }

    /// Appends `[start, end]`; ranges must come in address order.
    fn push(&mut self, start: A, end: A, val: u32) -> bool {
        let Some(next) = self.next else { return false };
        if start < next {
            return false;
        }
        if start > next {
            self.add(next, NONE);
        }
        self.add(start, val);
        self.next = end.checked_inc();
        true
    }

    fn finish(&mut self) {
        if let Some(next) = self.next.take() {
            self.add(next, NONE);
        }
    }

    /// Index of the range holding `a`, searching only `lo..=hi`.
    #[inline]
    fn find_in(&self, a: A, lo: usize, hi: usize) -> usize {
        lo + self.starts[lo..=hi].partition_point(|&s| s <= a) - 1
    }

    fn end_of(&self, i: usize) -> A {
        match self.starts.get(i + 1) {
            Some(s) => s.checked_dec().unwrap_or(A::ZERO),
            None => A::MAX,
        }
    }

    fn ranges(&self) -> impl Iterator<Item = (Range<A>, u32)> + '_ {
        (0..self.starts.len()).map(|i| (Range::new(self.starts[i], self.end_of(i)), self.vals[i]))
    }

    /// The ranges whose value `take` accepts, as a set.
    fn select(&self, take: impl Fn(u32) -> bool) -> IntervalSet<A> {
        IntervalSet::from_ranges(
            self.ranges()
                .filter(|(_, v)| take(*v))
                .map(|(r, _)| r)
                .collect(),
        )
    }

    fn is_valid(&self, records: usize) -> bool {
        self.starts.first() == Some(&A::ZERO)
            && self.starts.len() == self.vals.len()
            && self.starts.windows(2).all(|w| w[0] < w[1])
            && self
                .vals
                .iter()
                .all(|&v| v == NONE || (v as usize) < records)
    }
}

/// A database as sorted ranges with their records.
#[derive(Clone, Debug)]
pub struct GeoTable {
    pub records: Vec<GeoRecord>,
    v4: Flat<u32>,
    v6: Flat<u128>,
    /// Entry holding the first address of each of the 65,536 blocks that
    /// the top 16 bits make, plus the last entry: a look-up searches only
    /// between two neighbours.
    idx4: Vec<u32>,
    idx6: Vec<u32>,
    /// IPv6 prefixes that alias the IPv4 space (`::ffff:0:0/96`, ...).
    aliases: Vec<(u128, u32)>,
    /// IPv4 addresses also live at `::/96` (an IPv6 database).
    v4_in_v6: bool,
}

/// Identity of the database a cached table was built from.
#[derive(Serialize, Deserialize, PartialEq, Eq, Debug)]
struct Meta {
    db_len: u64,
    db_crc: u32,
    v4_in_v6: bool,
    aliases: Vec<(u128, u32)>,
}

/// Resolves data offsets to deduplicated records.
#[derive(Default)]
pub(crate) struct RecordCache {
    pub records: Vec<GeoRecord>,
    by_offset: HashMap<u32, u32>,
    by_record: HashMap<GeoRecord, u32>,
}

impl RecordCache {
    pub fn index(&mut self, db: &Database, offset: u32) -> Result<u32, Error> {
        if let Some(&i) = self.by_offset.get(&offset) {
            return Ok(i);
        }
        let r = GeoRecord::from_value(&db.record(offset)?);
        let i = match self.by_record.get(&r) {
            Some(&i) => i,
            None => {
                let i = self.records.len() as u32;
                self.records.push(r.clone());
                self.by_record.insert(r, i);
                i
            }
        };
        self.by_offset.insert(offset, i);
        Ok(i)
    }
}

impl GeoTable {
    /// Walks the whole tree of `db`.
    pub fn build(db: &Database) -> Result<GeoTable, Error> {
        let mut cache = RecordCache::default();
        let mut v4 = Flat::<u32>::new();
        let mut v6 = Flat::<u128>::new();
        let mut failure: Option<Error> = None;
        let v4_in_v6 = db.bits() == 128;
        let corrupt = || Error::database(&db.name, "corrupt MaxMind DB: networks out of order");
        let aliases = db.walk(|leaf| {
            if failure.is_some() {
                return;
            }
            let val = match cache.index(db, leaf.data) {
                Ok(v) => v,
                Err(e) => {
                    failure = Some(e);
                    return;
                }
            };
            let host = db.bits() - leaf.len.min(db.bits());
            let mask = if host == 0 {
                0
            } else {
                u128::MAX >> (128 - host)
            };
            let (s, e) = (leaf.start, leaf.start | mask);
            let ok = if !v4_in_v6 {
                v4.push(s as u32, e as u32, val)
            } else {
                let top = u32::MAX as u128;
                let a = s > top || v4.push(s as u32, e.min(top) as u32, val);
                let b = e <= top || v6.push(s.max(top + 1), e, val);
                a && b
            };
            if !ok {
                failure = Some(corrupt());
            }
        })?;
        if let Some(e) = failure {
            return Err(e);
        }
        v4.finish();
        v6.finish();
        Ok(GeoTable::assemble(cache.records, v4, v6, aliases, v4_in_v6))
    }

    fn assemble(
        records: Vec<GeoRecord>,
        v4: Flat<u32>,
        v6: Flat<u128>,
        aliases: Vec<(u128, u32)>,
        v4_in_v6: bool,
    ) -> GeoTable {
        let idx4 = block_index(&v4);
        let idx6 = block_index(&v6);
        // Aliases are only usable when an IPv4 address fits after them.
        let aliases = aliases
            .into_iter()
            .filter(|&(_, len)| (1..=96).contains(&len))
            .collect();
        GeoTable {
            records,
            v4,
            v6,
            idx4,
            idx6,
            aliases,
            v4_in_v6,
        }
    }

    #[inline]
    fn index4(&self, a: u32) -> usize {
        let h = (a >> 16) as usize;
        self.v4
            .find_in(a, self.idx4[h] as usize, self.idx4[h + 1] as usize)
    }

    #[inline]
    fn index6(&self, a: u128) -> usize {
        let h = (a >> 112) as usize;
        self.v6
            .find_in(a, self.idx6[h] as usize, self.idx6[h + 1] as usize)
    }

    /// The record for an IPv4 address.
    #[inline]
    pub fn lookup_v4(&self, a: u32) -> Option<&GeoRecord> {
        self.records.get(self.v4.vals[self.index4(a)] as usize)
    }

    /// The record for an IPv6 address; `::/96` and the aliases of the IPv4
    /// space answer as the IPv4 address inside them, as the tree does.
    pub fn lookup_v6(&self, a: u128) -> Option<&GeoRecord> {
        if !self.v4_in_v6 {
            return None;
        }
        if a >> 32 == 0 {
            return self.lookup_v4(a as u32);
        }
        for &(p, len) in &self.aliases {
            if a >> (128 - len) == p >> (128 - len) {
                return self.lookup_v4((a >> (96 - len)) as u32);
            }
        }
        self.records.get(self.v6.vals[self.index6(a)] as usize)
    }

    /// The record for a whole network, when one record covers all of it.
    pub fn lookup_range_v4(&self, r: Range<u32>) -> Option<&GeoRecord> {
        let i = self.index4(r.start);
        (self.v4.end_of(i) >= r.end)
            .then(|| self.records.get(self.v4.vals[i] as usize))
            .flatten()
    }

    pub fn lookup_range_v6(&self, r: Range<u128>) -> Option<&GeoRecord> {
        if !self.v4_in_v6 {
            return None;
        }
        if r.end >> 32 == 0 {
            return self.lookup_range_v4(Range::new(r.start as u32, r.end as u32));
        }
        if r.start >> 32 == 0 {
            return None;
        }
        for &(p, len) in &self.aliases {
            let m = |a: u128| a >> (128 - len) == p >> (128 - len);
            if m(r.start) || m(r.end) {
                return if m(r.start) && m(r.end) {
                    let to4 = |a: u128| (a >> (96 - len)) as u32;
                    self.lookup_range_v4(Range::new(to4(r.start), to4(r.end)))
                } else {
                    None
                };
            }
        }
        let i = self.index6(r.start);
        (self.v6.end_of(i) >= r.end)
            .then(|| self.records.get(self.v6.vals[i] as usize))
            .flatten()
    }

    /// Every address whose record satisfies `pick`, as a set.
    pub fn select(&self, pick: impl Fn(&GeoRecord) -> bool) -> IpSet {
        let chosen: Vec<bool> = self.records.iter().map(pick).collect();
        let take = |v: u32| v != NONE && chosen[v as usize];
        IpSet {
            v4: self.v4.select(take),
            v6: self.v6.select(take),
        }
    }

    /// Number of ranges (IPv4, IPv6), gaps included.
    pub fn len(&self) -> (usize, usize) {
        (self.v4.starts.len(), self.v6.starts.len())
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    fn to_artifact(&self, db_len: u64, db_crc: u32) -> ArtifactWriter {
        let mut w = ArtifactWriter::new(KIND, MAJOR, MINOR);
        w.record(
            *b"META",
            &Meta {
                db_len,
                db_crc,
                v4_in_v6: self.v4_in_v6,
                aliases: self.aliases.clone(),
            },
        );
        w.record(*b"RECS", &self.records);
        w.raw(*b"V4S_", le(&self.v4.starts));
        w.raw(*b"V4V_", le(&self.v4.vals));
        w.raw(*b"V6S_", le(&self.v6.starts));
        w.raw(*b"V6V_", le(&self.v6.vals));
        w
    }

    fn from_artifact(
        a: &Artifact,
        db_len: u64,
        db_crc: u32,
    ) -> Result<Option<GeoTable>, ArtifactError> {
        let meta: Meta = a.record(*b"META")?;
        if meta.db_len != db_len || meta.db_crc != db_crc {
            return Ok(None);
        }
        let records: Vec<GeoRecord> = a.record(*b"RECS")?;
        let v4 = Flat {
            starts: section(a, *b"V4S_")?,
            vals: section(a, *b"V4V_")?,
            next: None,
        };
        let v6 = Flat {
            starts: section(a, *b"V6S_")?,
            vals: section(a, *b"V6V_")?,
            next: None,
        };
        if !v4.is_valid(records.len()) {
            return Err(not_a_table(*b"V4S_"));
        }
        if !v6.is_valid(records.len()) {
            return Err(not_a_table(*b"V6S_"));
        }
        Ok(Some(GeoTable::assemble(
            records,
            v4,
            v6,
            meta.aliases,
            meta.v4_in_v6,
        )))
    }

    /// Writes the table as an artifact for `db`.
    pub fn save(&self, db: &Database, path: &Path) -> Result<(), FileError> {
        let bytes = db.file_bytes();
        self.to_artifact(bytes.len() as u64, crc32fast::hash(bytes))
            .write_to(path)
            .map_err(|e| FileError::io(path, &e))
    }

    /// Reads a cached table; `Ok(None)` when it was built from another
    /// database (or another version of this one).
    pub fn load(db: &Database, path: &Path) -> Result<Option<GeoTable>, FileError> {
        let a = Artifact::read(path, KIND, MAJOR)?;
        let bytes = db.file_bytes();
        GeoTable::from_artifact(&a, bytes.len() as u64, crc32fast::hash(bytes))
            .map_err(|e| e.in_file(path))
    }

    /// The cached table for `db` in `dir`, built and saved there when it is
    /// missing, stale or unreadable.
    pub fn cached(db: &Database, dir: &Path) -> Result<GeoTable, Error> {
        let bytes = db.file_bytes();
        let path = cache_path(dir, bytes);
        if path.exists() {
            if let Ok(Some(t)) = GeoTable::load(db, &path) {
                return Ok(t);
            }
        }
        let t = GeoTable::build(db)?;
        t.save(db, &path)?;
        Ok(t)
    }
}

/// For each block of the top 16 bits, the entry holding its first address;
/// then the last entry.
fn block_index<A: Addr>(f: &Flat<A>) -> Vec<u32> {
    let mut idx = Vec::with_capacity((1 << 16) + 1);
    let mut i = 0usize;
    for h in 0u128..(1 << 16) {
        let first = A::from_u128(h << (A::BITS - 16));
        while i + 1 < f.starts.len() && f.starts[i + 1] <= first {
            i += 1;
        }
        idx.push(i as u32);
    }
    idx.push(f.starts.len() as u32 - 1);
    idx
}

/// `DIR/geo-<crc32>-<size>.tlart`: one file per database version.
pub fn cache_path(dir: &Path, db_bytes: &[u8]) -> PathBuf {
    dir.join(format!(
        "geo-{:08x}-{}.tlart",
        crc32fast::hash(db_bytes),
        db_bytes.len()
    ))
}

fn not_a_table(tag: [u8; 4]) -> ArtifactError {
    ArtifactError::BadSection(tag, "not a valid range table".into())
}

/// Values (addresses or record indices) as little-endian bytes of their
/// width.
fn le<A: Addr>(v: &[A]) -> Vec<u8> {
    let w = (A::BITS / 8) as usize;
    let mut out = Vec::with_capacity(v.len() * w);
    for &a in v {
        out.extend_from_slice(&a.to_u128().to_le_bytes()[..w]);
    }
    out
}

/// A section written by [`le`].
fn section<A: Addr>(a: &Artifact, tag: [u8; 4]) -> Result<Vec<A>, ArtifactError> {
    let b = a.raw(tag)?;
    let w = (A::BITS / 8) as usize;
    if b.len() % w != 0 {
        return Err(not_a_table(tag));
    }
    Ok(b.chunks_exact(w)
        .map(|c| {
            let mut buf = [0u8; 16];
            buf[..w].copy_from_slice(c);
            A::from_u128(u128::from_le_bytes(buf))
        })
        .collect())
}
