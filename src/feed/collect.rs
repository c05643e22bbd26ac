//! Collecting a feed's indicators: policy checks (special-purpose space,
//! over-wide prefixes), counting, de-duplication and the sorted CSV rows.
//!
//! Most entries of most feeds carry nothing but the feed's own metadata, so
//! they are kept as bare sort keys (a `u64` per IPv4 entry); only entries
//! with their own times, hits or reference carry a [`Meta`].

use super::validate::{self, Value};
use super::Error;
use crate::error::{InputError, LineError};
use crate::net::domain;
use crate::net::{write_cidr, Addr, CidrIter, Entry, Prefix, Range};
use crate::record::{format_confidence, push_field};
use crate::set::special::{v4 as special_v4, v6 as special_v6};
use crate::set::IntervalSet;
use crate::time::format as format_time;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::{self, Write};
use std::sync::mpsc::SyncSender;

/// What is emitted and what is fatal.
#[derive(Clone, Copy, Debug)]
pub struct Policy {
    /// IPv4 prefixes shorter than this are not emitted (counted `too_wide`).
    pub max_prefix4: u32,
    /// The same for IPv6.
    pub max_prefix6: u32,
    /// Emit special-purpose space instead of dropping it.
    pub allow_special: bool,
    /// Any refused line stops the feed.
    pub strict: bool,
    /// Indicators whose validity ended before this time (STIX
    /// `valid_until`) are not emitted (counted unsupported); `None` keeps
    /// them all.
    pub now: Option<i64>,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            max_prefix4: 8,
            max_prefix6: 32,
            allow_special: false,
            strict: false,
            now: None,
        }
    }
}

/// An entry's own metadata; `None` fields fall back to the feed's.
///
/// Parsers set `first`/`last` as the feed says; the collector normalises
/// them so that merging duplicates is associative: `first`/`last` then hold
/// the entry's own earliest/latest times, and `feed_first`/`feed_last` say
/// that the feed's time (known only at the end) takes part in the min/max.
#[derive(Clone, Debug, PartialEq)]
pub struct Meta {
    pub first: Option<i64>,
    pub last: Option<i64>,
    pub hits: u64,
    pub confidence: Option<f64>,
    pub reference: Option<Box<str>>,
    pub feed_first: bool,
    pub feed_last: bool,
}

impl Default for Meta {
    fn default() -> Self {
        Meta {
            first: None,
            last: None,
            hits: 1,
            confidence: None,
            reference: None,
            feed_first: false,
            feed_last: false,
        }
    }
}

impl Meta {
    /// An entry without times of its own seen `hits` times.
    fn feed_only(hits: u64) -> Meta {
        Meta {
            hits,
            feed_first: true,
            feed_last: true,
            ..Meta::default()
        }
    }

    /// A first time alone lasts until the feed's time; a last time alone is
    /// also the first. Idempotent.
    fn normalized(mut self) -> Meta {
        match (self.first, self.last) {
            (Some(f), Some(l)) => self.last = Some(l.max(f)),
            (Some(f), None) => {
                self.last = Some(f);
                self.feed_last = true;
            }
            (None, Some(l)) => self.first = Some(l),
            (None, None) => {
                self.feed_first = true;
                self.feed_last = true;
            }
        }
        self
    }

    /// Merges a duplicate's metadata into this one.
    fn absorb(&mut self, o: &Meta) {
        self.first = min_opt(self.first, o.first);
        self.last = max_opt(self.last, o.last);
        self.feed_first |= o.feed_first;
        self.feed_last |= o.feed_last;
        self.hits = self.hits.saturating_add(o.hits);
        if let Some(c) = o.confidence {
            self.confidence = Some(self.confidence.map_or(c, |x| x.max(c)));
        }
        if let Some(r) = &o.reference {
            if self.reference.as_ref().is_none_or(|x| r < x) {
                self.reference = Some(r.clone());
            }
        }
    }
}

fn min_opt(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    }
}

fn max_opt(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, y) => x.or(y),
    }
}

/// Entries held before duplicates are merged: memory follows the distinct
/// indicators of a feed, not the length of its file.
const COMPACT_PLAIN: usize = 128 << 20;
/// Entries with metadata are bigger and fewer: merged sooner.
const COMPACT_RICH: usize = 32 << 20;

/// Sorts `plain` (stable sort: the compacted prefix is one run) and moves
/// keys seen more than once into `rich` as one entry with their count;
/// then merges `rich` entries of one key.
fn compact<K: Ord + Clone>(plain: &mut Vec<K>, rich: &mut Vec<(K, Meta)>) {
    plain.sort();
    let mut w = 0;
    let mut i = 0;
    while i < plain.len() {
        let mut j = i + 1;
        while j < plain.len() && plain[j] == plain[i] {
            j += 1;
        }
        if j - i == 1 {
            plain.swap(w, i);
            w += 1;
        } else {
            rich.push((plain[i].clone(), Meta::feed_only((j - i) as u64)));
        }
        i = j;
    }
    plain.truncate(w);
    compact_rich(rich);
}

fn compact_rich<K: Ord + Clone>(rich: &mut Vec<(K, Meta)>) {
    rich.sort_by(|a, b| a.0.cmp(&b.0));
    let mut w = 0;
    for i in 0..rich.len() {
        if w > 0 && rich[w - 1].0 == rich[i].0 {
            let m = rich[i].1.clone();
            rich[w - 1].1.absorb(&m);
        } else {
            rich.swap(w, i);
            w += 1;
        }
    }
    rich.truncate(w);
}

/// One family's (or the domains') entries.
#[derive(Default)]
struct Bucket<K> {
    plain: Vec<K>,
    rich: Vec<(K, Meta)>,
    limit_plain: usize,
    limit_rich: usize,
}

impl<K: Ord + Clone> Bucket<K> {
    #[inline]
    fn push(&mut self, k: K, meta: Option<Meta>) {
        match meta {
            None => {
                self.plain.push(k);
                if self.plain.len()
                    >= self
                        .limit_plain
                        .max(COMPACT_PLAIN / std::mem::size_of::<K>())
                {
                    self.compact();
                }
            }
            Some(m) => {
                self.rich.push((k, m.normalized()));
                if self.rich.len()
                    >= self
                        .limit_rich
                        .max(COMPACT_RICH / std::mem::size_of::<(K, Meta)>())
                {
                    self.compact();
                }
            }
        }
    }

    fn compact(&mut self) {
        compact(&mut self.plain, &mut self.rich);
        self.limit_plain = 2 * self.plain.len();
        self.limit_rich = 2 * self.rich.len();
    }

    fn append(&mut self, o: &mut Bucket<K>) {
        self.plain.append(&mut o.plain);
        self.rich.append(&mut o.rich);
    }

    fn sort(&mut self) {
        self.plain.sort_unstable();
        self.rich.sort_by(|a, b| a.0.cmp(&b.0));
    }
}

/// Counts for the per-feed summary and `--stats json`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Lines (or JSON records) read.
    pub read: u64,
    /// Indicators found, before de-duplication and the policy checks.
    pub entries: u64,
    /// Rows written.
    pub accepted: u64,
    /// Entries that repeat an earlier one of the same feed (merged).
    pub duplicates: u64,
    /// Refused lines by reason.
    pub rejected: BTreeMap<String, u64>,
    /// Entries in (or, trimmed, overlapping) special-purpose space.
    pub special_purpose: u64,
    /// Entries wider than the maximum prefix.
    pub too_wide: u64,
    /// Entries whose own fields disagree, taken as the addresses they name
    /// (a DShield range whose end is not the end of its prefix).
    pub adjusted: u64,
    /// Valid entries of kinds that are not indicators here (URL patterns,
    /// hashes, ASNs), by kind.
    pub unsupported: BTreeMap<String, u64>,
    /// Exception (allow) rules: AdBlock `@@`, RPZ `rpz-passthru.`, a
    /// dnsmasq `server=/name/#`, an Unbound transparent zone. Counted, never
    /// turned into indicators.
    pub exceptions: u64,
}

impl Counts {
    pub fn rejected_total(&self) -> u64 {
        self.rejected.values().sum()
    }
}

/// How many refused lines are kept for quoting.
pub(crate) const EXAMPLES: usize = 3;

/// The indicators of one feed, being collected.
#[derive(Default)]
pub struct Collector {
    pub policy: Policy,
    pub counts: Counts,
    /// The first few refused lines.
    pub examples: Vec<LineError>,
    /// What the reader decided for the user to know (the CSV column it
    /// chose by content).
    pub notes: Vec<String>,
    /// Where errors point: the input's name.
    pub source: String,
    v4: Bucket<u64>,
    v6: Bucket<(u128, u8)>,
    dom: Bucket<Box<str>>,
    /// Entries pushed (a range split into prefixes counts each prefix).
    pieces: u64,
}

#[inline]
fn key4(addr: u32, len: u32) -> u64 {
    ((addr as u64) << 8) | len as u64
}

impl Collector {
    pub fn new(source: &str, policy: Policy) -> Self {
        Collector {
            policy,
            source: source.to_string(),
            ..Default::default()
        }
    }

    /// Counts a refused line; with `--strict` it stops the feed.
    pub fn reject(&mut self, line: u64, reason: &str, text: &[u8]) -> Result<(), Error> {
        if self.policy.strict {
            return Err(InputError::text(&self.source, line, reason, text).into());
        }
        *self.counts.rejected.entry(reason.to_string()).or_default() += 1;
        if self.examples.len() < EXAMPLES {
            let text = &text[..text.len().min(200)];
            self.examples.push(LineError::new(line, reason, text));
        }
        Ok(())
    }

    /// Takes what `checked` found in a feed line, or refuses the line.
    fn take<T>(
        &mut self,
        line: u64,
        text: &[u8],
        checked: Result<T, &str>,
        take: impl FnOnce(&mut Self, T),
    ) -> Result<(), Error> {
        match checked {
            Ok(v) => {
                take(self, v);
                Ok(())
            }
            Err(reason) => self.reject(line, reason, text),
        }
    }

    /// Adds a note for the feed's report.
    pub fn note(&mut self, text: String) {
        self.notes.push(text);
    }

    /// Counts a valid entry of a kind that is not turned into indicators.
    pub fn unsupported(&mut self, kind: &str) {
        *self.counts.unsupported.entry(kind.to_string()).or_default() += 1;
    }

    /// Counts an exception (allow) rule.
    pub fn exception(&mut self) {
        self.counts.exceptions += 1;
    }

    /// An address, CIDR or range from a feed line.
    #[inline]
    pub fn address_text(
        &mut self,
        line: u64,
        text: &[u8],
        meta: Option<Meta>,
    ) -> Result<(), Error> {
        let checked = validate::parse_address(text);
        self.take(line, text, checked, |c, e| c.entry(e, meta))
    }

    /// A domain name from a feed line.
    pub fn domain_text(&mut self, line: u64, text: &[u8], meta: Option<Meta>) -> Result<(), Error> {
        let checked = domain::listable(text);
        self.take(line, text, checked, |c, d| c.domain(d, meta))
    }

    /// A field that may hold an address, a URL, `ip:port` or a domain.
    pub fn value_text(&mut self, line: u64, text: &[u8], meta: Option<Meta>) -> Result<(), Error> {
        let checked = validate::parse_value(text);
        self.take(line, text, checked, |c, v| match v {
            Value::Address(e) => c.entry(e, meta),
            Value::Domain(d) => c.domain(d, meta),
            Value::Unsupported(kind) => c.unsupported(kind),
        })
    }

    /// A parsed address entry, subject to the policy.
    #[inline]
    pub fn entry(&mut self, e: Entry, meta: Option<Meta>) {
        self.counts.entries += 1;
        match e {
            Entry::V4(r) => {
                if r.start == r.end && !self.policy.allow_special {
                    // Fast path: most entries are single addresses, and
                    // most first octets hold no special-purpose space.
                    if maybe_special(r.start) && special_v4().contains(r.start) {
                        self.counts.special_purpose += 1;
                        return;
                    }
                    return self.push4(r.start, 32, meta);
                }
                if wider_than(r, self.policy.max_prefix4) {
                    self.counts.too_wide += 1;
                    return;
                }
                for r in self.trim(r, special_v4()) {
                    for p in CidrIter::new(r) {
                        self.push4(p.addr, p.len, meta.clone());
                    }
                }
            }
            Entry::V6(r) => {
                if wider_than(r, self.policy.max_prefix6) {
                    self.counts.too_wide += 1;
                    return;
                }
                for r in self.trim(r, special_v6()) {
                    for p in CidrIter::new(r) {
                        self.pieces += 1;
                        self.v6.push((p.addr, p.len as u8), meta.clone());
                    }
                }
            }
        }
    }

    /// The parts of `r` outside special-purpose space (all of it when
    /// allowed); counts the entry when anything was taken out.
    fn trim<A: Addr>(&mut self, r: Range<A>, special: &IntervalSet<A>) -> Vec<Range<A>> {
        if self.policy.allow_special {
            return vec![r];
        }
        let whole = IntervalSet::from_ranges(vec![r]);
        let overlap = whole.intersection(special);
        if overlap.is_empty() {
            return vec![r];
        }
        self.counts.special_purpose += 1;
        whole.difference(special).into_ranges()
    }

    #[inline]
    fn push4(&mut self, addr: u32, len: u32, meta: Option<Meta>) {
        self.pieces += 1;
        self.v4.push(key4(addr, len), meta);
    }

    /// A validated domain name.
    pub fn domain(&mut self, name: String, meta: Option<Meta>) {
        self.counts.entries += 1;
        self.pieces += 1;
        self.dom.push(name.into_boxed_str(), meta);
    }

    /// Entries kept so far (after the policy; a range split into prefixes
    /// counts each prefix, duplicates count each time): the size of the
    /// feed as its health rules compare it.
    pub fn kept(&self) -> u64 {
        self.pieces
    }

    /// Nothing was found: no entry, no refused or unsupported line, no
    /// exception.
    pub fn is_empty(&self) -> bool {
        self.counts.entries == 0
            && self.counts.rejected.is_empty()
            && self.counts.unsupported.is_empty()
            && self.counts.exceptions == 0
    }

    /// Takes in another collector's entries and counts (two inputs of one feed).
    pub fn absorb(&mut self, mut o: Collector) {
        self.v4.append(&mut o.v4);
        self.v6.append(&mut o.v6);
        self.dom.append(&mut o.dom);
        self.pieces += o.pieces;
        let c = &mut self.counts;
        c.read += o.counts.read;
        c.entries += o.counts.entries;
        c.special_purpose += o.counts.special_purpose;
        c.too_wide += o.counts.too_wide;
        c.adjusted += o.counts.adjusted;
        c.exceptions += o.counts.exceptions;
        for (k, v) in o.counts.rejected {
            *c.rejected.entry(k).or_default() += v;
        }
        for (k, v) in o.counts.unsupported {
            *c.unsupported.entry(k).or_default() += v;
        }
        for e in o.examples {
            if self.examples.len() < EXAMPLES {
                self.examples.push(e);
            }
        }
        self.notes.extend(o.notes);
    }

    /// Sorts and counts distinct rows: the feed's entries ready to write.
    pub fn finish(mut self) -> (Rows, Counts) {
        sort_keys(&mut self.v4.plain);
        self.v4.rich.sort_by_key(|a| a.0);
        self.v6.sort();
        self.dom.sort();
        let distinct = distinct(&self.v4.plain, &self.v4.rich)
            + distinct(&self.v6.plain, &self.v6.rich)
            + distinct(&self.dom.plain, &self.dom.rich);
        let mut counts = self.counts;
        counts.accepted = distinct as u64;
        counts.duplicates = self.pieces.saturating_sub(distinct as u64);
        let rows = Rows {
            v4: self.v4.plain,
            v4m: self.v4.rich,
            v6: self.v6.plain,
            v6m: self.v6.rich,
            dom: self.dom.plain,
            domm: self.dom.rich,
        };
        (rows, counts)
    }
}

/// Sorts keys; large inputs use two threads (the standard sort merges the two
/// sorted halves in one pass, as it detects runs).
fn sort_keys(v: &mut [u64]) {
    if v.len() < 1 << 20 {
        return v.sort_unstable();
    }
    let (a, b) = v.split_at_mut(v.len() / 2);
    std::thread::scope(|s| {
        s.spawn(|| a.sort_unstable());
        b.sort_unstable();
    });
    v.sort();
}

/// Whether any special-purpose IPv4 space starts with this first octet.
#[inline]
fn maybe_special(addr: u32) -> bool {
    static OCTETS: std::sync::OnceLock<[bool; 256]> = std::sync::OnceLock::new();
    let t = OCTETS.get_or_init(|| {
        let mut t = [false; 256];
        for r in special_v4().ranges() {
            for o in (r.start >> 24)..=(r.end >> 24) {
                t[o as usize] = true;
            }
        }
        t
    });
    t[(addr >> 24) as usize]
}

/// Whether `r` spans more addresses than a prefix of `max` bits.
fn wider_than<A: Addr>(r: Range<A>, max: u32) -> bool {
    let span = r.end.to_u128() - r.start.to_u128();
    max < A::BITS && span > A::hostmask(max).to_u128()
}

/// Distinct keys of two sorted sequences.
fn distinct<K: Ord>(plain: &[K], rich: &[(K, Meta)]) -> usize {
    let mut n = 0;
    merge_runs(plain, rich, |_, _, _| n += 1);
    n
}

/// Walks two key-sorted sequences in step, calling `f` once per distinct
/// key with how often it is in `plain` and its entries in `rich`.
fn merge_runs<K: Ord>(plain: &[K], rich: &[(K, Meta)], mut f: impl FnMut(&K, u64, &[(K, Meta)])) {
    let (mut i, mut j) = (0, 0);
    while i < plain.len() || j < rich.len() {
        let key = match (plain.get(i), rich.get(j)) {
            (Some(a), Some(b)) => {
                if a <= &b.0 {
                    a
                } else {
                    &b.0
                }
            }
            (Some(a), None) => a,
            (None, Some(b)) => &b.0,
            (None, None) => break,
        };
        let i0 = i;
        while i < plain.len() && &plain[i] == key {
            i += 1;
        }
        let j0 = j;
        while j < rich.len() && &rich[j].0 == key {
            j += 1;
        }
        f(key, (i - i0) as u64, &rich[j0..j]);
    }
}

/// The feed-level values every row falls back to.
#[derive(Clone, Debug)]
pub struct RowContext {
    pub feed: String,
    pub category: String,
    /// The feed's time (Unix seconds): when the feed says it was made.
    pub time: i64,
    pub confidence: f64,
    /// Append the `ref` column.
    pub with_ref: bool,
}

/// A feed's distinct entries, each sorted: IPv4 prefixes (`address << 8 |
/// length`), IPv6 prefixes, domains.
pub struct Distinct {
    pub v4: Vec<u64>,
    pub v6: Vec<(u128, u8)>,
    pub domains: Vec<Box<str>>,
}

/// A feed's sorted entries.
pub struct Rows {
    v4: Vec<u64>,
    v4m: Vec<(u64, Meta)>,
    v6: Vec<(u128, u8)>,
    v6m: Vec<((u128, u8), Meta)>,
    dom: Vec<Box<str>>,
    domm: Vec<(Box<str>, Meta)>,
}

/// Merged values of one output row.
struct Merged<'a> {
    first: i64,
    last: i64,
    hits: u64,
    confidence: Option<f64>,
    reference: Option<&'a str>,
}

fn merge<'a, K>(plain: u64, rich: &'a [(K, Meta)], time: i64) -> Merged<'a> {
    let mut m = Merged {
        first: i64::MAX,
        last: i64::MIN,
        hits: plain,
        confidence: None,
        reference: None,
    };
    if plain > 0 {
        m.first = time;
        m.last = time;
    }
    for (_, r) in rich {
        // Rich entries are normalised (see `Meta`).
        if let Some(f) = r.first {
            m.first = m.first.min(f);
        }
        if let Some(l) = r.last {
            m.last = m.last.max(l);
        }
        if r.feed_first {
            m.first = m.first.min(time);
        }
        if r.feed_last {
            m.last = m.last.max(time);
        }
        m.hits = m.hits.saturating_add(r.hits);
        if let Some(c) = r.confidence {
            m.confidence = Some(m.confidence.map_or(c, |x: f64| x.max(c)));
        }
        if let Some(x) = r.reference.as_deref() {
            m.reference = Some(m.reference.map_or(x, |y| y.min(x)));
        }
    }
    if m.first > m.last {
        m.last = m.first;
    }
    m
}

impl Rows {
    /// What a plain list of the feed holds: each distinct entry, sorted.
    pub fn prefixes(&self) -> Distinct {
        fn keys<K: Ord + Clone>(plain: &[K], rich: &[(K, Meta)]) -> Vec<K> {
            let mut v: Vec<K> = plain
                .iter()
                .chain(rich.iter().map(|x| &x.0))
                .cloned()
                .collect();
            v.sort_unstable();
            v.dedup();
            v
        }
        Distinct {
            v4: keys(&self.v4, &self.v4m),
            v6: keys(&self.v6, &self.v6m),
            domains: keys(&self.dom, &self.domm),
        }
    }

    /// Writes the rows: IPv4 by address then prefix length, then IPv6 the
    /// same way, then domains in byte order. Duplicates become one row with
    /// the earliest first_seen, latest last_seen, summed hits, highest
    /// confidence and the smallest reference.
    pub fn write(&self, ctx: &RowContext, out: &mut impl Write) -> io::Result<()> {
        // Formatting runs beside the writes: for a large feed, copying the
        // text into the kernel costs as much as making it.
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<u8>>(4);
        std::thread::scope(|s| {
            s.spawn(move || self.format(ctx, tx));
            for chunk in rx {
                out.write_all(&chunk)?;
            }
            Ok(())
        })
    }

    /// Formats the rows into chunks sent to `tx`; stops when the receiver
    /// has gone (a write failed).
    fn format(&self, ctx: &RowContext, tx: SyncSender<Vec<u8>>) {
        let mut f = RowFormat::new(ctx);
        let mut out = Chunks::new(tx);
        merge_runs(&self.v4, &self.v4m, |&k, n, rich| {
            let p = Prefix {
                addr: (k >> 8) as u32,
                len: (k & 0xff) as u32,
            };
            f.prefix_row(&mut out.buf, p, merge(n, rich, ctx.time));
            out.send_full();
        });
        if out.closed {
            return;
        }
        merge_runs(&self.v6, &self.v6m, |&(addr, len), n, rich| {
            let p = Prefix {
                addr,
                len: len as u32,
            };
            f.prefix_row(&mut out.buf, p, merge(n, rich, ctx.time));
            out.send_full();
        });
        if out.closed {
            return;
        }
        merge_runs(&self.dom, &self.domm, |name, n, rich| {
            out.buf.extend_from_slice(name.as_bytes());
            f.row(&mut out.buf, b"domain", merge(n, rich, ctx.time));
            out.send_full();
        });
        out.send_rest();
    }
}

/// Formatted rows on their way to the writer, a chunk at a time.
struct Chunks {
    buf: Vec<u8>,
    tx: SyncSender<Vec<u8>>,
    /// The writer has gone (a write failed): nothing more is sent.
    closed: bool,
}

impl Chunks {
    const SIZE: usize = 1 << 20;

    fn new(tx: SyncSender<Vec<u8>>) -> Self {
        Chunks {
            buf: Vec::with_capacity(Self::SIZE + 4096),
            tx,
            closed: false,
        }
    }

    /// Sends the buffer once it holds a chunk.
    #[inline]
    fn send_full(&mut self) {
        if self.buf.len() < Self::SIZE {
            return;
        }
        let full = std::mem::replace(&mut self.buf, Vec::with_capacity(Self::SIZE + 4096));
        self.closed = self.closed || self.tx.send(full).is_err();
    }

    fn send_rest(self) {
        if !self.closed && !self.buf.is_empty() {
            let _ = self.tx.send(self.buf);
        }
    }
}

/// The parts of a row that come from the feed, formatted once.
struct RowFormat<'a> {
    ctx: &'a RowContext,
    /// `,feed,category,`: between the type and the times.
    mid: Vec<u8>,
    /// The feed's time as first and last seen: `TIME,TIME,`.
    default_times: String,
    /// The feed's confidence.
    conf: String,
    /// The whole tail of the most common rows (feed time, one hit, the
    /// feed's confidence), per type, written in one copy.
    tails: [(&'static [u8], Vec<u8>); 3],
    times: TimeCache,
}

impl<'a> RowFormat<'a> {
    fn new(ctx: &'a RowContext) -> Self {
        let mut mid = vec![b','];
        push_field(&mut mid, &ctx.feed);
        mid.push(b',');
        push_field(&mut mid, &ctx.category);
        mid.push(b',');
        let feed_time = format_time(ctx.time);
        let default_times = format!("{feed_time},{feed_time},");
        let conf = format_confidence(ctx.confidence);
        let tail = |ty: &str| {
            let mut t = format!(",{ty}").into_bytes();
            t.extend_from_slice(&mid);
            t.extend_from_slice(default_times.as_bytes());
            t.extend_from_slice(b"1,");
            t.extend_from_slice(conf.as_bytes());
            if ctx.with_ref {
                t.push(b',');
            }
            t.push(b'\n');
            t
        };
        let tails = [
            (&b"ip"[..], tail("ip")),
            (&b"net"[..], tail("net")),
            (&b"domain"[..], tail("domain")),
        ];
        RowFormat {
            ctx,
            mid,
            default_times,
            conf,
            tails,
            times: TimeCache::default(),
        }
    }

    /// An address or network row: `ip` for a single address, else `net`.
    #[inline]
    fn prefix_row<A: Addr>(&mut self, buf: &mut Vec<u8>, p: Prefix<A>, m: Merged) {
        let ty: &[u8] = if p.len == A::BITS { b"ip" } else { b"net" };
        write_cidr(buf, p, true);
        self.row(buf, ty, m);
    }

    /// The rest of a row after its indicator.
    fn row(&mut self, buf: &mut Vec<u8>, ty: &[u8], m: Merged) {
        let ctx = self.ctx;
        let feed_times = m.first == ctx.time && m.last == ctx.time;
        if feed_times && m.hits == 1 && m.confidence.is_none() && m.reference.is_none() {
            if let Some((_, tail)) = self.tails.iter().find(|(t, _)| *t == ty) {
                buf.extend_from_slice(tail);
                return;
            }
        }
        buf.push(b',');
        buf.extend_from_slice(ty);
        buf.extend_from_slice(&self.mid);
        if feed_times {
            buf.extend_from_slice(self.default_times.as_bytes());
        } else {
            buf.extend_from_slice(self.times.get(m.first).as_bytes());
            buf.push(b',');
            buf.extend_from_slice(self.times.get(m.last).as_bytes());
            buf.push(b',');
        }
        push_u64(buf, m.hits);
        buf.push(b',');
        match m.confidence {
            None => buf.extend_from_slice(self.conf.as_bytes()),
            Some(c) => buf.extend_from_slice(format_confidence(c).as_bytes()),
        }
        if ctx.with_ref {
            buf.push(b',');
            push_field(buf, m.reference.unwrap_or(""));
        }
        buf.push(b'\n');
    }
}

/// Formats times, remembering the last one (rows of a feed often share it).
#[derive(Default)]
struct TimeCache {
    last: Option<(i64, String)>,
}

impl TimeCache {
    fn get(&mut self, t: i64) -> &str {
        if self.last.as_ref().is_none_or(|(k, _)| *k != t) {
            self.last = Some((t, format_time(t)));
        }
        self.last.as_ref().map(|(_, s)| s.as_str()).unwrap_or("")
    }
}

#[inline]
fn push_u64(out: &mut Vec<u8>, mut n: u64) {
    let mut tmp = [0u8; 20];
    let mut i = tmp.len();
    loop {
        i -= 1;
        tmp[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&tmp[i..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(c: Collector) -> (String, Counts) {
        let (rows, counts) = c.finish();
        let ctx = RowContext {
            feed: "f".into(),
            category: String::new(),
            time: 1_000_000_000,
            confidence: 1.0,
            with_ref: true,
        };
        let mut out = Vec::new();
        rows.write(&ctx, &mut out).unwrap();
        (String::from_utf8(out).unwrap(), counts)
    }

    /// Merging duplicates early (to bound memory) gives the same rows and
    /// counts as merging them at the end.
    #[test]
    fn compaction_changes_nothing() {
        let entries: Vec<(u32, Option<Meta>)> = (0..5000u32)
            .map(|i| {
                let addr = 0x2d00_0000 + (i * 7919) % 701;
                let meta = match i % 5 {
                    0 => None,
                    1 => Some(Meta {
                        first: Some(900_000_000 + i as i64),
                        ..Meta::default()
                    }),
                    2 => Some(Meta {
                        last: Some(1_100_000_000 - i as i64),
                        hits: 3,
                        confidence: Some((i % 10) as f64 / 10.0),
                        ..Meta::default()
                    }),
                    3 => Some(Meta {
                        reference: Some(format!("R{}", i % 13).into()),
                        ..Meta::default()
                    }),
                    _ => None,
                };
                (addr, meta)
            })
            .collect();
        let mut a = Collector::new("a", Policy::default());
        let mut b = Collector::new("b", Policy::default());
        for (i, (addr, meta)) in entries.into_iter().enumerate() {
            for c in [&mut a, &mut b] {
                c.push4(addr, 32, meta.clone());
                c.domain(format!("d{}.example", addr % 97), meta.clone());
            }
            if i % 333 == 0 {
                b.v4.compact();
                b.dom.compact();
            }
        }
        let (va, ca) = render(a);
        let (vb, cb) = render(b);
        assert_eq!(va, vb);
        assert_eq!(ca, cb);
        assert_eq!(ca.accepted, 701 + 97);
    }
}
