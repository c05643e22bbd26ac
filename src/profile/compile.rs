//! Compiling one profile: evidence ≥ threshold → geo/ASN policy → custom
//! blocks → allow-list and safety guards last, so that an allow-list entry
//! always wins. Capacity limits are applied to what the guards let through.

use super::config::{Direction, Overflow, Profile, Sourced};
use super::scores::{format_milli, Scored, Target};
use crate::feed::validate::{special_v4, special_v6};
use crate::geo::{codes, extract_asns, extract_geo, GeoSelection, GeoTable};
use crate::net::{parse_entry, write_cidr, write_range, Addr, CidrIter, Entry, Prefix, Range};
use crate::set::{IntervalSet, IpSet};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

/// What every profile of a run shares: the scores, the geo tables, and
/// the networks of each country and ASN once extracted.
pub struct Inputs<'a> {
    pub scores: &'a [Scored],
    pub country_db: Option<&'a GeoTable>,
    pub asn_db: Option<&'a GeoTable>,
    /// Unix seconds: decides expiry and staleness.
    pub now: i64,
    /// Feed → newest `last_seen` among its entries.
    pub feed_newest: HashMap<String, i64>,
    /// Shared by the threads that compile profiles: each set is extracted
    /// by the first profile that needs it.
    countries: Mutex<HashMap<(codes::Code, bool), Arc<IpSet>>>,
    asns: Mutex<HashMap<u32, Arc<IpSet>>>,
}

impl<'a> Inputs<'a> {
    pub fn new(
        scores: &'a [Scored],
        country_db: Option<&'a GeoTable>,
        asn_db: Option<&'a GeoTable>,
        now: i64,
    ) -> Self {
        let mut feed_newest: HashMap<String, i64> = HashMap::new();
        for s in scores {
            for f in &s.feeds {
                let e = feed_newest.entry(f.clone()).or_insert(i64::MIN);
                *e = (*e).max(s.last_seen);
            }
        }
        Inputs {
            scores,
            country_db,
            asn_db,
            now,
            feed_newest,
            countries: Mutex::default(),
            asns: Mutex::default(),
        }
    }

    /// The networks of a country (`continent` false) or continent.
    fn geo(&self, code: codes::Code, continent: bool) -> Option<Arc<IpSet>> {
        let db = self.country_db?;
        let mut m = self.countries.lock().unwrap_or_else(|e| e.into_inner());
        Some(
            m.entry((code, continent))
                .or_insert_with(|| {
                    let mut sel = GeoSelection::default();
                    if continent {
                        sel.continents.push(code);
                    } else {
                        sel.countries.push(code);
                    }
                    Arc::new(extract_geo(db, &sel))
                })
                .clone(),
        )
    }

    fn asn(&self, asn: u32) -> Option<Arc<IpSet>> {
        let db = self.asn_db?;
        let mut m = self.asns.lock().unwrap_or_else(|e| e.into_inner());
        Some(
            m.entry(asn)
                .or_insert_with(|| Arc::new(extract_asns(db, &[asn])))
                .clone(),
        )
    }
}

/// The lists of a profile, in the order of `provenance.csv`.
pub const LISTS: &[&str] = &[
    "block-in",
    "block-out",
    "allow",
    "domains",
    "allow-domains",
    "excluded",
];

/// One provenance row.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Row {
    /// Sort key: list, then family, start, end (domains: by name).
    pub key: (usize, u8, u128, u128, String),
    pub entry: Arc<str>,
    pub list: &'static str,
    pub reason: &'static str,
    pub detail: Arc<str>,
}

/// Why an entry is on a list: (reason, detail) pairs.
type Why = Vec<(&'static str, Arc<str>)>;

/// Shares the text of repeated details (feed names, categories, scores)
/// instead of allocating it for every row.
#[derive(Default)]
struct Interner(HashMap<Box<str>, Arc<str>>);

impl Interner {
    fn get(&mut self, s: &str) -> Arc<str> {
        if let Some(a) = self.0.get(s) {
            return a.clone();
        }
        let a: Arc<str> = s.into();
        self.0.insert(s.into(), a.clone());
        a
    }
}

/// A compiled profile, before publication.
#[derive(Debug, Default)]
pub struct Compiled {
    pub block_in: IpSet,
    pub block_out: IpSet,
    pub allow: IpSet,
    pub domains: Vec<String>,
    pub allow_domains: Vec<String>,
    /// Sorted by [`Row::key`], then reason and detail.
    pub provenance: Vec<Row>,
    /// Entries that capacity left out, as written in provenance.
    pub left_out: Vec<String>,
    /// Things the operator should know (stderr).
    pub notes: Vec<String>,
    /// Canary hits and stale feeds: publication is refused.
    pub refusals: Vec<String>,
}

/// A block list entry with why it is there.
#[derive(Clone, Debug)]
struct Contrib {
    entry: Entry,
    dir: Direction,
    /// Evidence score in thousandths; policy (geo, custom) is `u64::MAX`.
    priority: u64,
    why: Why,
}

/// Documentation and benchmarking space, which `documentation_space = true`
/// lets through the special-purpose guard.
const DOCUMENTATION: &[&str] = &[
    "192.0.2.0/24",
    "198.18.0.0/15",
    "198.51.100.0/24",
    "203.0.113.0/24",
    "2001:db8::/32",
    "3fff::/20",
];

/// The space never published as blocked, whatever the lists say.
pub fn special_space(documentation: bool) -> IpSet {
    let all = IpSet {
        v4: special_v4().clone(),
        v6: special_v6().clone(),
    };
    if !documentation {
        return all;
    }
    let doc = IpSet::from_entries(
        DOCUMENTATION
            .iter()
            .filter_map(|s| parse_entry(s.as_bytes()).ok()),
    );
    all.difference(&doc)
}

pub fn entry_text(e: &Entry) -> String {
    fn one<A: Addr>(out: &mut Vec<u8>, r: Range<A>) {
        match r.as_prefix() {
            Some(len) => write_cidr(out, Prefix { addr: r.start, len }, true),
            None => write_range(out, r, true),
        }
    }
    let mut out = Vec::new();
    match e {
        Entry::V4(r) => one(&mut out, *r),
        Entry::V6(r) => one(&mut out, *r),
    }
    String::from_utf8(out).expect("addresses are ASCII")
}

fn entry_key(e: &Entry) -> (u8, u128, u128) {
    match e {
        Entry::V4(r) => (4, r.start as u128, r.end as u128),
        Entry::V6(r) => (6, r.start, r.end),
    }
}

fn is_v6(e: &Entry) -> bool {
    matches!(e, Entry::V6(_))
}

/// The widest prefix inside an entry (its smallest prefix length).
fn widest(e: &Entry) -> u32 {
    match e {
        Entry::V4(r) => CidrIter::new(*r).map(|p| p.len).min().unwrap_or(32),
        Entry::V6(r) => CidrIter::new(*r).map(|p| p.len).min().unwrap_or(128),
    }
}

fn overlaps(set: &IpSet, e: &Entry) -> bool {
    fn one<A: Addr>(ranges: &[Range<A>], r: Range<A>) -> bool {
        // The first range that does not end before `r` starts.
        let i = ranges.partition_point(|x| x.end < r.start);
        i < ranges.len() && ranges[i].start <= r.end
    }
    match e {
        Entry::V4(r) => one(set.v4.ranges(), *r),
        Entry::V6(r) => one(set.v6.ranges(), *r),
    }
}

fn set_entries(set: &IpSet) -> Vec<Entry> {
    let mut v: Vec<Entry> = set.v4.cidrs().map(|p| Entry::V4(p.range())).collect();
    v.extend(set.v6.cidrs().map(|p| Entry::V6(p.range())));
    v
}

/// Lines a list takes: its minimal CIDRs.
pub fn lines(set: &IpSet) -> usize {
    set.v4.prefix_count() + set.v6.prefix_count()
}

fn row(list_idx: usize, e: &Entry, reason: &'static str, detail: &str) -> Row {
    row_t(list_idx, e, entry_text(e).into(), reason, detail.into())
}

fn row_t(
    list_idx: usize,
    e: &Entry,
    text: Arc<str>,
    reason: &'static str,
    detail: Arc<str>,
) -> Row {
    let (f, s, t) = entry_key(e);
    Row {
        key: (list_idx, f, s, t, String::new()),
        entry: text,
        list: LISTS[list_idx],
        reason,
        detail,
    }
}

/// Merges neighbouring prefixes of `set` into their common supernets, the
/// cheapest (fewest extra addresses per line saved) first, until the list
/// fits `cap` lines or `budget` extra addresses are spent. A supernet that
/// touches `protect` (allow-list, guarded space) is never used. Returns the
/// supernets used with the extra addresses each added.
fn merge_family<A: Addr>(
    set: &mut IntervalSet<A>,
    protect: &IntervalSet<A>,
    lines_over: &mut usize,
    budget: &mut u128,
) -> Vec<(Range<A>, u128)> {
    let mut used = Vec::new();
    // Each pass merges disjoint pairs; a few passes reach wider supernets.
    for _ in 0..A::BITS {
        if *lines_over == 0 {
            break;
        }
        let cidrs: Vec<Prefix<A>> = set.cidrs().collect();
        let mut cands: Vec<(u128, usize, Range<A>)> = Vec::new();
        for (i, w) in cidrs.windows(2).enumerate() {
            let diff = w[0].addr.to_u128() ^ w[1].addr.to_u128();
            let common = (diff.leading_zeros() - (128 - A::BITS))
                .min(w[0].len)
                .min(w[1].len);
            let sup = Range::from_prefix(
                A::from_u128(w[0].addr.to_u128() & A::netmask(common).to_u128()),
                common,
            );
            let one = IntervalSet::from_ranges(vec![sup]);
            if !one.intersection(protect).is_empty() {
                continue;
            }
            let have = one.intersection(set).count().as_u128().unwrap_or(u128::MAX);
            let extra = sup.len_u128().saturating_sub(have);
            cands.push((extra, i, sup));
        }
        if cands.is_empty() {
            break;
        }
        cands.sort_by_key(|c| (c.0, c.1));
        let mut taken: Vec<Range<A>> = Vec::new();
        for (extra, _, sup) in cands {
            if *lines_over == 0 || extra > *budget {
                break;
            }
            if taken
                .iter()
                .any(|t| t.start <= sup.end && sup.start <= t.end)
            {
                continue;
            }
            let before = set.prefix_count();
            let merged = set.union(&IntervalSet::from_ranges(vec![sup]));
            let after = merged.prefix_count();
            if after >= before {
                continue;
            }
            *set = merged;
            *budget -= extra;
            *lines_over = lines_over.saturating_sub(before - after);
            taken.push(sup);
            used.push((sup, extra));
        }
        if taken.is_empty() {
            break;
        }
    }
    used
}

/// [`merge_family`] on both families of a list.
fn merge_to_fit(set: &mut IpSet, protect: &IpSet, cap: usize, budget: u64) -> Vec<(Entry, u128)> {
    let mut over = lines(set).saturating_sub(cap);
    let mut budget = budget as u128;
    let mut used: Vec<(Entry, u128)> =
        merge_family(&mut set.v4, &protect.v4, &mut over, &mut budget)
            .into_iter()
            .map(|(r, n)| (Entry::V4(r), n))
            .collect();
    used.extend(
        merge_family(&mut set.v6, &protect.v6, &mut over, &mut budget)
            .into_iter()
            .map(|(r, n)| (Entry::V6(r), n)),
    );
    used
}

fn build(contribs: &[&Contrib], inbound: bool) -> IpSet {
    IpSet::from_entries(
        contribs
            .iter()
            .filter(|c| {
                if inbound {
                    c.dir.inbound()
                } else {
                    c.dir.outbound()
                }
            })
            .map(|c| c.entry),
    )
}

/// The errors [`compile`] can return, found without compiling: a named
/// feed that is not in the scores, geo or ASN policy without its database.
pub fn check(p: &Profile, inp: &Inputs) -> Result<(), String> {
    for (feed, _, origin) in &p.feeds {
        if !inp.feed_newest.contains_key(feed) {
            return Err(format!(
                "{origin}: feed {} is not in the scores",
                crate::cli::quote(feed.as_bytes())
            ));
        }
    }
    for g in &p.geo {
        if (!g.countries.is_empty() || !g.continents.is_empty()) && inp.country_db.is_none() {
            return Err(format!(
                "{}: the geo policy needs a country database (--geo-db)",
                p.file
            ));
        }
        if !g.asns.is_empty() && inp.asn_db.is_none() {
            return Err(format!(
                "{}: the ASN policy needs an ASN database (--asn-db)",
                p.file
            ));
        }
    }
    Ok(())
}

/// Compiles `p`. Errors (exit 2) are profile problems: a feed that is not
/// in the scores, geo policy without a database.
pub fn compile(p: &Profile, inp: &Inputs) -> Result<Compiled, String> {
    let mut out = Compiled::default();
    let keep = |e: &Entry| p.ipv6 || !is_v6(e);

    // Feeds named must exist; stale ones stop publication.
    for (feed, _, origin) in &p.feeds {
        match inp.feed_newest.get(feed) {
            None => {
                return Err(format!(
                    "{origin}: feed {} is not in the scores",
                    crate::cli::quote(feed.as_bytes())
                ))
            }
            Some(&newest) => {
                let age = (inp.now - newest) as f64 / 86_400.0;
                if age > p.guards.stale_days {
                    out.refusals.push(format!(
                        "feed '{feed}' is stale: newest entry {} ({age:.1} days old, bound {} days)",
                        crate::record::format_time(newest),
                        p.guards.stale_days
                    ));
                }
            }
        }
    }

    // 1. Evidence at or above the thresholds.
    let mut contribs: Vec<Contrib> = Vec::new();
    let mut domains: BTreeMap<String, Why> = BTreeMap::new();
    let mut intern = Interner::default();
    let mut scores: HashMap<u64, Arc<str>> = HashMap::new();
    for s in inp.scores {
        let mut why = || {
            let mut w: Why = Vec::with_capacity(s.feeds.len() + s.categories.len() + 1);
            w.extend(s.feeds.iter().map(|f| ("feed", intern.get(f))));
            w.extend(s.categories.iter().map(|c| ("category", intern.get(c))));
            let score = scores
                .entry(s.milli)
                .or_insert_with(|| format_milli(s.milli).into());
            w.push(("score", score.clone()));
            w
        };
        match &s.target {
            Target::Ip(e) => {
                let chosen = p.min_score.is_some_and(|m| s.milli >= m)
                    || p.feeds
                        .iter()
                        .any(|(f, m, _)| s.milli >= *m && s.feeds.contains(f))
                    || p.categories
                        .iter()
                        .any(|(c, m)| s.milli >= *m && s.categories.contains(c));
                if chosen && keep(e) {
                    contribs.push(Contrib {
                        entry: *e,
                        dir: p.evidence_direction,
                        priority: s.milli,
                        why: why(),
                    });
                }
            }
            Target::Domain => {
                if s.milli >= p.domain_min_score
                    && s.categories.iter().any(|c| p.domain_categories.contains(c))
                {
                    domains.entry(s.text.clone()).or_default().extend(why());
                }
            }
        }
    }

    // 2. Geo and ASN policy (allowed to be wide).
    let mut policy: Vec<Contrib> = Vec::new();
    for g in &p.geo {
        let mut add = |set: &IpSet, reason: &'static str, detail: String| {
            let detail: Arc<str> = detail.into();
            for e in set_entries(set) {
                if keep(&e) {
                    policy.push(Contrib {
                        entry: e,
                        dir: g.direction,
                        priority: u64::MAX,
                        why: vec![(reason, detail.clone())],
                    });
                }
            }
        };
        for (code, how) in &g.countries {
            let set = inp.geo(*code, false).ok_or_else(|| {
                format!(
                    "{}: the geo policy needs a country database (--geo-db)",
                    p.file
                )
            })?;
            let c = codes::code_str(code).to_string();
            match how.strip_prefix("group:") {
                Some(grp) => add(&set, "group", format!("{grp}:{c}")),
                None => add(&set, "country", c),
            }
        }
        for code in &g.continents {
            let set = inp.geo(*code, true).ok_or_else(|| {
                format!(
                    "{}: the geo policy needs a country database (--geo-db)",
                    p.file
                )
            })?;
            add(&set, "continent", codes::code_str(code).to_string());
        }
        for asn in &g.asns {
            let set = inp.asn(*asn).ok_or_else(|| {
                format!(
                    "{}: the ASN policy needs an ASN database (--asn-db)",
                    p.file
                )
            })?;
            add(&set, "asn", format!("AS{asn}"));
        }
    }

    // 3. Custom blocks.
    for b in &p.block {
        for s in &b.entries {
            if keep(&s.entry) {
                let detail = if b.comment.is_empty() {
                    s.origin.clone()
                } else {
                    format!("{} {}", s.origin, b.comment)
                };
                contribs.push(Contrib {
                    entry: s.entry,
                    dir: b.direction,
                    priority: u64::MAX,
                    why: vec![("custom", detail.into())],
                });
            }
        }
    }

    // Non-geo entries wider than the bound are refused.
    contribs.retain(|c| {
        let bound = if is_v6(&c.entry) {
            p.guards.widest_v6
        } else {
            p.guards.widest_v4
        };
        if widest(&c.entry) < bound {
            let (r, d) = c.why.first().cloned().unwrap_or_default();
            out.notes.push(format!(
                "refused {}: wider than /{bound} ({r} {d})",
                entry_text(&c.entry)
            ));
            out.provenance
                .push(row(5, &c.entry, "too-wide", &format!("{r}:{d}")));
            false
        } else {
            true
        }
    });

    // 4. Allow-list and guards.
    let mut allow_entries: Vec<(Entry, &'static str, String)> = Vec::new();
    for a in &p.allow {
        if let Some((end, day)) = &a.expires {
            if *end < inp.now {
                for s in &a.entries {
                    out.notes.push(format!(
                        "allow entry {} ({}) expired on {day}; no longer applied",
                        entry_text(&s.entry),
                        s.origin
                    ));
                }
                continue;
            }
        }
        for s in &a.entries {
            let mut detail = s.origin.clone();
            if !a.comment.is_empty() {
                detail = format!("{detail} {}", a.comment);
            }
            if let Some((_, day)) = &a.expires {
                detail = format!("{detail} (until {day})");
            }
            allow_entries.push((s.entry, "allow", detail));
        }
    }
    let named = |list: &[Sourced], reason: &'static str| -> Vec<(Entry, &'static str, String)> {
        list.iter()
            .map(|s| (s.entry, reason, s.origin.clone()))
            .collect()
    };
    allow_entries.extend(named(&p.own, "own-network"));
    allow_entries.extend(named(&p.infrastructure, "infrastructure"));
    allow_entries.retain(|(e, _, _)| keep(e));
    out.allow = IpSet::from_entries(allow_entries.iter().map(|(e, _, _)| *e));
    for (e, r, d) in &allow_entries {
        out.provenance.push(row(2, e, r, d));
    }
    let special = special_space(p.guards.documentation_space);
    let removed = out.allow.union(&special);

    // Policy first, then evidence by score (highest first), so capacity
    // leaves out the lowest-scored evidence.
    contribs.sort_by(|a, b| {
        b.priority
            .cmp(&a.priority)
            .then(entry_key(&a.entry).cmp(&entry_key(&b.entry)))
    });
    let all: Vec<&Contrib> = policy.iter().chain(contribs.iter()).collect();
    // The lists from the first `n` entries, merged toward the capacity
    // when the profile asks for it (with the supernets used per list).
    type Merges = Vec<(usize, Entry, u128)>;
    let make = |n: usize| -> ((IpSet, IpSet), Merges) {
        let mut bin = build(&all[..n], true).difference(&removed);
        let mut bout = build(&all[..n], false).difference(&removed);
        let mut merges = Vec::new();
        if let (Some(cap), Overflow::Merge) = (p.capacity, p.overflow) {
            for (i, set) in [(0, &mut bin), (1, &mut bout)] {
                if lines(set) > cap {
                    merges.extend(
                        merge_to_fit(set, &removed, cap, p.merge_extra)
                            .into_iter()
                            .map(|(e, n)| (i, e, n)),
                    );
                }
            }
        }
        ((bin, bout), merges)
    };
    let fits = |s: &((IpSet, IpSet), Merges)| {
        p.capacity
            .is_none_or(|cap| lines(&s.0 .0) <= cap && lines(&s.0 .1) <= cap)
    };
    let mut kept = all.len();
    let mut lists = make(kept);
    if !fits(&lists) {
        // The largest number of entries that fits, by bisection: adding
        // entries can merge prefixes, so the count is only nearly monotone;
        // whatever is chosen is checked to fit.
        let (mut lo, mut hi) = (0usize, all.len());
        while lo < hi {
            let mid = (lo + hi).div_ceil(2);
            if fits(&make(mid)) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        kept = lo;
        lists = make(kept);
        if !fits(&lists) || kept < policy.len() {
            out.refusals.push(format!(
                "capacity {} is too small for the geo and custom policy alone",
                p.capacity.unwrap_or(0)
            ));
        }
        for c in &all[kept..] {
            let (r, d) = c
                .why
                .iter()
                .find(|(r, _)| *r == "score")
                .cloned()
                .unwrap_or_default();
            out.provenance
                .push(row(5, &c.entry, "capacity", &format!("{r}:{d}")));
            out.left_out.push(entry_text(&c.entry));
        }
        out.notes.push(format!(
            "capacity {}: left out {} entries (listed in left-out.txt and provenance.csv)",
            p.capacity.unwrap_or(0),
            all.len() - kept
        ));
    }
    let ((block_in, block_out), merges) = lists;
    (out.block_in, out.block_out) = (block_in, block_out);
    if !merges.is_empty() {
        let extra: u128 = merges.iter().map(|m| m.2).sum();
        out.notes.push(format!(
            "capacity {}: merged prefixes into {} supernets, adding {extra} addresses \
             (rows 'merged' in provenance.csv)",
            p.capacity.unwrap_or(0),
            merges.len()
        ));
        for (i, e, n) in &merges {
            out.provenance
                .push(row(*i, e, "merged", &format!("{n} extra addresses")));
        }
    }

    // Provenance of what is published; entries the guards removed entirely.
    // Rows are made in address order, list by list, so that the final
    // sort only has a few sorted runs to merge.
    out.provenance.reserve(all.len() * 4);
    let mut order: Vec<&Contrib> = all[..kept].to_vec();
    order.sort_by_key(|c| entry_key(&c.entry));
    let mut texts: Vec<Option<Arc<str>>> = vec![None; order.len()];
    let mut listed = vec![false; order.len()];
    for (idx, set) in [(0, &out.block_in), (1, &out.block_out)] {
        for (i, c) in order.iter().enumerate() {
            let on = if idx == 0 {
                c.dir.inbound()
            } else {
                c.dir.outbound()
            };
            if on && overlaps(set, &c.entry) {
                listed[i] = true;
                let t = texts[i].get_or_insert_with(|| entry_text(&c.entry).into());
                let mut why = c.why.clone();
                why.sort();
                for (r, d) in why {
                    out.provenance.push(row_t(idx, &c.entry, t.clone(), r, d));
                }
            }
        }
    }
    for (i, c) in order.iter().enumerate() {
        if !listed[i] {
            let reason = if overlaps(&out.allow, &c.entry) {
                "allow-listed"
            } else {
                "special-purpose"
            };
            let (r, d) = c.why.first().cloned().unwrap_or_default();
            out.provenance
                .push(row(5, &c.entry, reason, &format!("{r}:{d}")));
        }
    }

    // Canaries: never blocked; a hit names what caused it.
    for can in &p.canaries {
        if !keep(&can.entry) {
            continue;
        }
        for (list, set, inbound) in [
            ("block-in", &out.block_in, true),
            ("block-out", &out.block_out, false),
        ] {
            if !overlaps(set, &can.entry) {
                continue;
            }
            let causes: Vec<String> = all[..kept]
                .iter()
                .filter(|c| {
                    (if inbound {
                        c.dir.inbound()
                    } else {
                        c.dir.outbound()
                    }) && overlaps(&IpSet::from_entries([c.entry]), &can.entry)
                })
                .map(|c| {
                    let why: Vec<String> = c.why.iter().map(|(r, d)| format!("{r} {d}")).collect();
                    format!("entry {} ({})", entry_text(&c.entry), why.join(", "))
                })
                .collect();
            out.refusals.push(format!(
                "canary {} ({}) would be on {list}: {}",
                entry_text(&can.entry),
                can.origin,
                causes.join("; ")
            ));
        }
    }

    // Domains: allow-listed names and their subdomains never listed.
    let allowed = |d: &str| {
        p.domain_allow
            .iter()
            .any(|a| d == a || d.strip_suffix(a.as_str()).is_some_and(|h| h.ends_with('.')))
    };
    for (d, why) in domains {
        let key = (3, 0, 0, 0, d.clone());
        if allowed(&d) {
            out.provenance.push(Row {
                key: (5, 0, 0, 0, d.clone()),
                entry: d.as_str().into(),
                list: LISTS[5],
                reason: "allow-listed",
                detail: "domain".into(),
            });
            continue;
        }
        let text: Arc<str> = d.as_str().into();
        for (r, det) in why {
            out.provenance.push(Row {
                key: key.clone(),
                entry: text.clone(),
                list: LISTS[3],
                reason: r,
                detail: det,
            });
        }
        out.domains.push(d);
    }
    for d in &p.domain_allow {
        out.provenance.push(Row {
            key: (4, 0, 0, 0, d.clone()),
            entry: d.as_str().into(),
            list: LISTS[4],
            reason: "allow",
            detail: p.file.as_str().into(),
        });
    }
    out.allow_domains = p.domain_allow.clone();

    // Adaptive: linear on the sorted runs made above.
    out.provenance.sort();
    out.provenance.dedup();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::config::parse;
    use proptest::prelude::*;
    use std::path::Path;

    fn scored(text: &str, milli: u64) -> Scored {
        Scored {
            target: Target::Ip(parse_entry(text.as_bytes()).unwrap()),
            text: text.to_string(),
            milli,
            categories: vec!["scanner".into()],
            feeds: vec!["f".into()],
            last_seen: 0,
        }
    }

    fn v4(a: u32, len: u32) -> String {
        let a = a & (u32::MAX.checked_shl(32 - len).unwrap_or(0));
        format!("{}/{len}", std::net::Ipv4Addr::from(a))
    }

    #[test]
    fn capacity_keeps_the_highest_and_reports_the_rest() {
        let scores = vec![
            scored("20.0.0.1", 1000),
            scored("20.0.0.9", 3000),
            scored("20.0.0.20", 2000),
            scored("20.0.0.40", 500),
        ];
        let p = parse(
            "p.toml",
            "name = \"p\"\n[evidence]\nmin_score = 0\n[capacity]\nmax_entries = 2\n",
            Path::new("."),
        )
        .unwrap();
        let mut inp = Inputs::new(&scores, None, None, 0);
        let c = compile(&p, &mut inp).unwrap();
        let s = |set: &IpSet| {
            let mut b = Vec::new();
            crate::set::ListPrinter::default()
                .print(set, &mut b)
                .unwrap();
            String::from_utf8(b).unwrap()
        };
        assert_eq!(s(&c.block_in), "20.0.0.9\n20.0.0.20\n");
        assert_eq!(c.left_out, ["20.0.0.1", "20.0.0.40"]);
        assert!(c.refusals.is_empty());
        assert!(c.provenance.iter().any(|r| r.list == "excluded"
            && &*r.entry == "20.0.0.40"
            && r.reason == "capacity"
            && &*r.detail == "score:0.500"));
    }

    #[test]
    fn merge_spends_a_bounded_number_of_extra_addresses() {
        let scores: Vec<Scored> = ["20.0.0.1", "20.0.0.3", "20.0.0.5", "20.0.0.7"]
            .iter()
            .map(|a| scored(a, 1000))
            .collect();
        let profile = |extra: u32, allow: &str| {
            parse(
                "p.toml",
                &format!(
                    "name = \"p\"\n[evidence]\nmin_score = 0\n[capacity]\nmax_entries = 1\n\
                     overflow = \"merge\"\nmerge_extra = {extra}\n{allow}"
                ),
                Path::new("."),
            )
            .unwrap()
        };
        let mut inp = Inputs::new(&scores, None, None, 0);
        let c = compile(&profile(4, ""), &mut inp).unwrap();
        assert_eq!(
            c.block_in.v4.ranges(),
            IntervalSet::from_ranges(vec![Range::new(20 << 24, (20 << 24) + 7)]).ranges()
        );
        assert!(c.left_out.is_empty());
        let merged: Vec<_> = c
            .provenance
            .iter()
            .filter(|r| r.reason == "merged" && r.list == "block-in")
            .map(|r| (&*r.entry, &*r.detail))
            .collect();
        assert_eq!(
            merged,
            [
                ("20.0.0.0/30", "2 extra addresses"),
                ("20.0.0.4/30", "2 extra addresses")
            ]
        );
        // An allow-listed address is never merged over: only .5 and .7
        // merge, the rest is left out.
        let c = compile(
            &profile(4, "[[allow]]\nentries = [\"20.0.0.2\"]\n"),
            &mut inp,
        )
        .unwrap();
        assert!(!c.block_in.v4.contains((20 << 24) + 2));
        assert!(lines(&c.block_in) <= 1);
        assert!(!c.left_out.is_empty());
    }

    proptest! {
        /// Whatever blocks an address (evidence, custom entries, either
        /// direction), an allow-list entry, own network or infrastructure
        /// entry takes it out, and special-purpose space never gets in.
        #[test]
        fn allow_list_always_wins(
            evidence in proptest::collection::vec((0u32..1 << 16, 16u32..=32, 0u64..5000), 0..40),
            custom in proptest::collection::vec((0u32..1 << 16, 12u32..=32, 0usize..3), 0..10),
            allow in proptest::collection::vec((0u32..1 << 16, 14u32..=32, 0usize..3), 1..10),
            special in proptest::collection::vec(0u32..1 << 16, 0..5),
            min in 0u64..5000,
            cap in proptest::option::of(1usize..50),
            merge in proptest::option::of(0u64..100_000),
        ) {
            // Addresses in 20.0.0.0/16 plus a few in 10.0.0.0/16 (private).
            let base = |x: u32| (20u32 << 24) | x;
            let mut scores: Vec<Scored> = evidence
                .iter()
                .map(|&(a, l, m)| scored(&v4(base(a), l), m))
                .collect();
            scores.extend(special.iter().map(|&a| scored(&v4((10 << 24) | a, 32), 4000)));
            let dirs = ["inbound", "outbound", "both"];
            let kinds = ["[[allow]]\nentries", "[guards]\nown_networks", "[guards]\ninfrastructure"];
            let mut text = format!(
                "name = \"p\"\n[evidence]\nmin_score = {}\n",
                min as f64 / 1000.0
            );
            if let Some(c) = cap {
                text.push_str(&format!("[capacity]\nmax_entries = {c}\n"));
                if let Some(m) = merge {
                    text.push_str(&format!("overflow = \"merge\"\nmerge_extra = {m}\n"));
                }
            }
            for &(a, l, d) in &custom {
                text.push_str(&format!(
                    "[[block]]\nentries = [\"{}\"]\ndirection = \"{}\"\n",
                    v4(base(a), l),
                    dirs[d]
                ));
            }
            // One table per kind ([guards] may appear only once).
            let mut by_kind: Vec<Vec<String>> = vec![Vec::new(); 3];
            for &(a, l, k) in &allow {
                by_kind[k].push(format!("\"{}\"", v4(base(a), l)));
            }
            for (k, list) in by_kind.iter().enumerate() {
                if k == 0 {
                    for e in list {
                        text.push_str(&format!("{} = [{e}]\n", kinds[0]));
                    }
                }
            }
            text.push_str(&format!(
                "[guards]\nown_networks = [{}]\ninfrastructure = [{}]\n",
                by_kind[1].join(", "),
                by_kind[2].join(", ")
            ));
            let p = parse("p.toml", &text, Path::new(".")).unwrap();
            let mut inp = Inputs::new(&scores, None, None, 0);
            let c = compile(&p, &mut inp).unwrap();
            let allowed = IpSet::from_entries(
                allow.iter().map(|&(a, l, _)| parse_entry(v4(base(a), l).as_bytes()).unwrap()),
            );
            prop_assert_eq!(&c.allow, &allowed);
            let special = special_space(false);
            for list in [&c.block_in, &c.block_out] {
                prop_assert!(list.intersection(&allowed).is_empty());
                prop_assert!(list.intersection(&special).is_empty());
                if let Some(cap) = cap {
                    prop_assert!(lines(list) <= cap || !c.refusals.is_empty());
                }
            }
        }
    }
}
