//! Compiling one profile: evidence ≥ threshold → geo/ASN policy → custom
//! blocks → allow-list and safety guards last, so that an allow-list entry
//! always wins. Capacity limits are applied to what the guards let through.
//!
//! What does not depend on the profile is done once per run and shared
//! ([`Inputs`]): the evidence in address order with its ranking by score
//! ([`Basis`]) and the networks of each country, continent and ASN. A
//! profile's own work is linear: one selection pass over the evidence and a
//! few merges of sorted range lists; a capacity cut is found from an upper
//! bound on the lines each entry adds, then checked. A profile records its
//! decisions ([`Rules`]) instead of a row per evidence entry: per-entry
//! provenance is derived from the rules and the basis when asked
//! ([`super::explain`]).

use super::basis::{Basis, BasisBuilder, Item, Ranking};
use super::config::{Geo, Overflow, Profile};
use super::scores::{format_milli, Scored};
use super::Error;
use crate::error::{quote, InputError};
use crate::geo::{codes, extract_asns, extract_geo, GeoSelection, GeoTable};
use crate::net::{parse_entry, write_cidr, write_range, Addr, CidrIter, Entry, Prefix, Range};
use crate::set::special::{v4 as special_v4, v6 as special_v6};
use crate::set::{IntervalSet, IpSet};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

/// What every profile of a run shares.
pub struct Inputs<'a> {
    pub basis: Basis,
    pub ranking: Ranking,
    pub country_db: Option<&'a GeoTable>,
    pub asn_db: Option<&'a GeoTable>,
    /// Unix seconds: decides expiry and staleness.
    pub now: i64,
    /// Feed → newest `last_seen` among its entries.
    pub feed_newest: HashMap<String, i64>,
    /// Policy networks by key (`country:CN`, `continent:EU`, `asn:64511`),
    /// each extracted by the first profile that needs it.
    sets: Mutex<BTreeMap<String, Arc<IpSet>>>,
}

impl<'a> Inputs<'a> {
    /// The inputs of the given scores (tests; a run reads into a
    /// [`BasisBuilder`] and uses [`Inputs::from_basis`]).
    pub fn new(
        scores: &[Scored],
        country_db: Option<&'a GeoTable>,
        asn_db: Option<&'a GeoTable>,
        now: i64,
    ) -> Self {
        let mut b = BasisBuilder::default();
        for s in scores {
            b.push(s);
        }
        let (basis, feed_newest) = b.finish();
        Inputs::from_basis(basis, feed_newest, country_db, asn_db, now)
    }

    pub fn from_basis(
        basis: Basis,
        feed_newest: HashMap<String, i64>,
        country_db: Option<&'a GeoTable>,
        asn_db: Option<&'a GeoTable>,
        now: i64,
    ) -> Self {
        let ranking = basis.ranking();
        Inputs {
            basis,
            ranking,
            country_db,
            asn_db,
            now,
            feed_newest,
            sets: Mutex::default(),
        }
    }

    /// The networks of a policy key, or `None` without the database it
    /// needs.
    pub fn policy_set(&self, key: &str) -> Option<Arc<IpSet>> {
        let (kind, code) = key.split_once(':')?;
        let db = if kind == "asn" {
            self.asn_db?
        } else {
            self.country_db?
        };
        let mut m = self.sets.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(s) = m.get(key) {
            return Some(s.clone());
        }
        let set = match kind {
            "asn" => extract_asns(db, &[code.parse().ok()?]),
            _ => {
                let mut sel = GeoSelection::default();
                let c = codes::code(code.as_bytes())?;
                if kind == "continent" {
                    sel.continents.push(c);
                } else {
                    sel.countries.push(c);
                }
                extract_geo(db, &sel)
            }
        };
        let set = Arc::new(set);
        m.insert(key.to_string(), set.clone());
        Some(set)
    }

    /// Whether the run has the database (`geo` or `ASN`) a policy needs.
    pub fn has_database(&self, what: &str) -> bool {
        match what {
            "ASN" => self.asn_db.is_some(),
            _ => self.country_db.is_some(),
        }
    }

    /// Every policy set extracted so far, by key.
    pub fn policy_sets(&self) -> BTreeMap<String, Arc<IpSet>> {
        self.sets.lock().unwrap_or_else(|e| e.into_inner()).clone()
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

/// One provenance row: a profile's own, or one derived from its rules
/// and the basis ([`super::explain`]).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Row {
    /// Sort key: list, then family (0: rules and domains), start, end,
    /// name.
    pub key: (usize, u8, u128, u128, String),
    pub entry: String,
    pub list: String,
    pub reason: String,
    pub detail: String,
}

impl Row {
    /// A row of an address entry.
    pub fn of(list: &str, e: &Entry, reason: &str, detail: String) -> Row {
        let (f, s, t) = entry_key(e);
        Row {
            key: (list_idx(list), f, s, t, String::new()),
            entry: entry_text(e),
            list: list.to_string(),
            reason: reason.to_string(),
            detail,
        }
    }

    /// A row whose entry is a name: a domain, or a rule (`rule:…`, never
    /// an address or a domain).
    pub fn named(list: &str, name: &str, reason: &str, detail: String) -> Row {
        Row {
            key: (list_idx(list), 0, 0, 0, name.to_string()),
            entry: name.to_string(),
            list: list.to_string(),
            reason: reason.to_string(),
            detail,
        }
    }

    /// A row as read back: an entry that parses as an address is one.
    pub fn parse(list: &str, entry: &str, reason: &str, detail: String) -> Row {
        match parse_entry(entry.as_bytes()) {
            Ok(e) => Row::of(list, &e, reason, detail),
            Err(_) => Row::named(list, entry, reason, detail),
        }
    }

    /// The address entry of the row, if it is one.
    pub fn ip(&self) -> Option<Entry> {
        parse_entry(self.entry.as_bytes()).ok()
    }

    pub fn is_rule(&self) -> bool {
        self.entry.starts_with("rule:")
    }
}

fn list_idx(list: &str) -> usize {
    LISTS.iter().position(|l| *l == list).unwrap_or(LISTS.len())
}

/// A policy rule of a profile: the networks of `key` on the lists of its
/// direction.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PolicyRule {
    pub key: String,
    /// `country`, `group`, `continent` or `asn`.
    pub reason: String,
    /// As in provenance: `CN`, `sanctions:IR`, `EU`, `AS64511`.
    pub detail: String,
    pub inbound: bool,
    pub outbound: bool,
}

/// What a profile decided, stored with each version: enough, with the
/// run's basis, to say for any entry why it is on a list or not.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Rules {
    pub min_score: Option<u64>,
    pub feeds: Vec<(String, u64)>,
    pub categories: Vec<(String, u64)>,
    /// The evidence's direction.
    pub inbound: bool,
    pub outbound: bool,
    pub ipv6: bool,
    pub widest_v4: u32,
    pub widest_v6: u32,
    /// Evidence ranked here or lower was left out by capacity.
    pub cut: Option<u32>,
    pub policy: Vec<PolicyRule>,
}

impl Rules {
    fn of(p: &Profile) -> Rules {
        Rules {
            min_score: p.min_score,
            feeds: p.feeds.iter().map(|(f, m, _)| (f.clone(), *m)).collect(),
            categories: p.categories.clone(),
            inbound: p.evidence_direction.inbound(),
            outbound: p.evidence_direction.outbound(),
            ipv6: p.ipv6,
            widest_v4: p.guards.widest_v4,
            widest_v6: p.guards.widest_v6,
            cut: None,
            policy: Vec::new(),
        }
    }

    /// Whether the evidence goes on list 0 (block-in) or 1 (block-out).
    pub fn evidence_on(&self, list: usize) -> bool {
        on_list(list, self.inbound, self.outbound)
    }
}

impl PolicyRule {
    pub fn on(&self, list: usize) -> bool {
        on_list(list, self.inbound, self.outbound)
    }
}

/// The evidence rules of a profile against a basis.
pub struct Selector<'b> {
    basis: &'b Basis,
    min: u64,
    /// Threshold per name id (`u64::MAX`: none).
    feed: Vec<u64>,
    cat: Vec<u64>,
    ipv6: bool,
    widest_v4: u32,
    widest_v6: u32,
}

impl<'b> Selector<'b> {
    pub fn new(r: &Rules, basis: &'b Basis) -> Self {
        let table = |rules: &[(String, u64)]| {
            let mut t = vec![u64::MAX; basis.names.len()];
            for (n, m) in rules {
                if let Some(id) = basis.id(n) {
                    t[id as usize] = t[id as usize].min(*m);
                }
            }
            t
        };
        Selector {
            basis,
            min: r.min_score.unwrap_or(u64::MAX),
            feed: table(&r.feeds),
            cat: table(&r.categories),
            ipv6: r.ipv6,
            widest_v4: r.widest_v4,
            widest_v6: r.widest_v6,
        }
    }

    /// Meets one of the thresholds.
    pub fn selects(&self, it: &Item) -> bool {
        let b = self.basis;
        it.milli >= self.min
            || b.feeds(it.at, it.feeds)
                .iter()
                .any(|&f| it.milli >= self.feed[f as usize])
            || b.cats(it.at, it.feeds, it.cats)
                .iter()
                .any(|&c| it.milli >= self.cat[c as usize])
    }

    /// The bound an entry is wider than, if it is.
    pub fn too_wide(&self, it: &Item) -> Option<u32> {
        if it.start == it.end {
            return None;
        }
        let e = it.entry();
        let bound = if is_v6(&e) {
            self.widest_v6
        } else {
            self.widest_v4
        };
        (widest(&e) < bound).then_some(bound)
    }

    /// Selected, of a family the profile takes, not too wide: what the
    /// lists are built from.
    pub fn eligible(&self, it: &Item) -> bool {
        (self.ipv6 || it.family == 4) && self.selects(it) && self.too_wide(it).is_none()
    }
}

/// An evidence entry's reasons, as provenance has them: its feeds, its
/// categories, its score.
pub fn why(b: &Basis, it: &Item) -> Vec<(&'static str, String)> {
    why_of(b, it.at, it.feeds, it.cats, it.milli)
}

/// The reasons of an item or domain with these names and score.
fn why_of(b: &Basis, at: u32, feeds: u16, cats: u16, milli: u64) -> Vec<(&'static str, String)> {
    let mut w: Vec<(&'static str, String)> = Vec::new();
    w.extend(
        b.feeds(at, feeds)
            .iter()
            .map(|&f| ("feed", b.name(f).to_string())),
    );
    w.extend(
        b.cats(at, feeds, cats)
            .iter()
            .map(|&c| ("category", b.name(c).to_string())),
    );
    w.push(("score", format_milli(milli)));
    w
}

/// The first reason of an evidence entry as `reason:detail` (excluded rows).
pub fn first_why(b: &Basis, it: &Item) -> String {
    let (r, d) = why(b, it).swap_remove(0);
    format!("{r}:{d}")
}

/// A compiled profile, before publication.
#[derive(Debug, Default)]
pub struct Compiled {
    pub block_in: IpSet,
    pub block_out: IpSet,
    pub allow: IpSet,
    pub domains: Vec<String>,
    pub allow_domains: Vec<String>,
    /// The profile's own rows (rules, custom and allow entries, guards,
    /// domains), sorted by [`Row::key`], then reason and detail.
    pub provenance: Vec<Row>,
    pub rules: Rules,
    /// Evidence entries capacity left out.
    pub left_out: u64,
    /// Things the operator should know (stderr).
    pub notes: Vec<String>,
    /// What the guards hold the version back for (stale feeds, capacity
    /// too small, canaries): publication is refused unless forced.
    pub refusals: Vec<Hold>,
}

/// A guard that can hold a version back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Guard {
    /// A feed the profile names has nothing recent.
    StaleFeed,
    /// The capacity cannot even hold the geo and custom policy.
    Capacity,
    /// A canary would be blocked.
    Canary,
    /// The list would shrink or grow beyond the bounds against the version
    /// in force.
    CircuitBreaker,
    /// The scores hold no rows and the profile lists evidence: its lists
    /// would lose all of it at once.
    NoScores,
}

impl Guard {
    /// The guard's name in reports, JSON and metrics.
    pub fn name(self) -> &'static str {
        match self {
            Guard::StaleFeed => "stale-feed",
            Guard::Capacity => "capacity",
            Guard::Canary => "canary",
            Guard::CircuitBreaker => "circuit-breaker",
            Guard::NoScores => "no-scores",
        }
    }
}

/// Why a guard holds a version back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hold {
    pub guard: Guard,
    /// What `tl-compile` prints: the guard's finding.
    pub message: String,
}

impl Hold {
    pub fn new(guard: Guard, message: String) -> Self {
        Hold { guard, message }
    }
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

pub fn entry_key(e: &Entry) -> (u8, u128, u128) {
    match e {
        Entry::V4(r) => (4, r.start as u128, r.end as u128),
        Entry::V6(r) => (6, r.start, r.end),
    }
}

pub fn is_v6(e: &Entry) -> bool {
    matches!(e, Entry::V6(_))
}

/// The widest prefix inside an entry (its smallest prefix length).
fn widest(e: &Entry) -> u32 {
    match e {
        Entry::V4(r) => CidrIter::new(*r).map(|p| p.len).min().unwrap_or(32),
        Entry::V6(r) => CidrIter::new(*r).map(|p| p.len).min().unwrap_or(128),
    }
}

pub fn overlaps(set: &IpSet, e: &Entry) -> bool {
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

/// The minimal CIDRs of a set, IPv4 then IPv6.
pub fn set_entries(set: &IpSet) -> Vec<Entry> {
    let mut v: Vec<Entry> = set.v4.cidrs().map(|p| Entry::V4(p.range())).collect();
    v.extend(set.v6.cidrs().map(|p| Entry::V6(p.range())));
    v
}

/// Lines a list takes: its minimal CIDRs.
pub fn lines(set: &IpSet) -> usize {
    set.v4.prefix_count() + set.v6.prefix_count()
}

fn row(list_idx: usize, e: &Entry, reason: &str, detail: &str) -> Row {
    Row::of(LISTS[list_idx], e, reason, detail.to_string())
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

/// The errors [`compile`] can return, found without compiling: a named
/// feed that is not in the scores (scores without rows have no feeds at
/// all: the profile is held back instead), geo or ASN policy without its
/// database.
pub fn check(p: &Profile, inp: &Inputs) -> Result<(), Error> {
    let no_scores = inp.basis.items.is_empty() && inp.basis.domains.is_empty();
    for (feed, _, line) in &p.feeds {
        if !no_scores && !inp.feed_newest.contains_key(feed) {
            let reason = format!("feed {} is not in the scores", quote(feed.as_bytes()));
            return Err(InputError::line(&p.file, *line, reason).into());
        }
    }
    for g in &p.geo {
        for (.., what) in policy_keys(g) {
            if !inp.has_database(what) {
                return Err(needs_database(p, what));
            }
        }
    }
    Ok(())
}

/// The error of a policy whose database (`geo` or `ASN`) is missing.
fn needs_database(p: &Profile, what: &str) -> Error {
    let db = match what {
        "ASN" => "an ASN database (--asn-db)",
        _ => "a country database (--geo-db)",
    };
    InputError::file(&p.file, format!("the {what} policy needs {db}")).into()
}

/// The policy keys of a geo rule: (key, reason, detail, what needs the
/// database: `geo` or `ASN`).
pub fn policy_keys(g: &Geo) -> Vec<(String, &'static str, String, &'static str)> {
    let mut keys = Vec::new();
    for (code, how) in &g.countries {
        let c = codes::code_str(code).to_string();
        match how.strip_prefix("group:") {
            Some(grp) => keys.push((format!("country:{c}"), "group", format!("{grp}:{c}"), "geo")),
            None => keys.push((format!("country:{c}"), "country", c, "geo")),
        }
    }
    for code in &g.continents {
        let c = codes::code_str(code).to_string();
        keys.push((format!("continent:{c}"), "continent", c, "geo"));
    }
    for asn in &g.asns {
        keys.push((format!("asn:{asn}"), "asn", format!("AS{asn}"), "ASN"));
    }
    keys
}

/// A rule row: the entry column names the rule (`rule:…`), never an
/// address or a domain.
fn rule_row(list_idx: usize, name: String, reason: &str, detail: String) -> Row {
    Row::named(LISTS[list_idx], &name, reason, detail)
}

/// Whether list 0 (block-in) or 1 (block-out) is one of a direction's.
fn on_list(list: usize, inbound: bool, outbound: bool) -> bool {
    if list == 0 {
        inbound
    } else {
        outbound
    }
}

/// Whether the profile takes an entry of this family.
fn takes(p: &Profile, e: &Entry) -> bool {
    p.ipv6 || !is_v6(e)
}

/// The bound (widest prefix length) for an entry's family.
fn width_bound(p: &Profile, e: &Entry) -> u32 {
    if is_v6(e) {
        p.guards.widest_v6
    } else {
        p.guards.widest_v4
    }
}

/// Compiles `p`, in the order of `docs/profiles.md`: evidence at or above
/// the thresholds, geo and ASN policy, custom blocks, the allow-list and
/// guards last (so an allow-list entry always wins), then capacity; then
/// the outputs' own rows and the canary guard. Errors are profile problems
/// ([`check`]); what a guard holds back is in [`Compiled::refusals`].
pub fn compile(p: &Profile, inp: &Inputs) -> Result<Compiled, Error> {
    check(p, inp)?;
    let mut out = Compiled::default();
    out.refusals.extend(stale_feeds(p, inp));
    let mut rules = Rules::of(p);
    let sel = Selector::new(&rules, &inp.basis);

    // 1. Evidence ≥ threshold; 2. geo and ASN policy; 3. custom blocks;
    // 4. the allow-list and guards, taken out of everything before.
    let chosen = select_evidence(p, &inp.basis, &sel, &mut out);
    select_domains(p, &inp.basis, &mut out);
    let mut policy = geo_policy(p, inp, &mut rules)?;
    let custom = custom_blocks(p, &mut out);
    for (l, set) in policy.iter_mut().enumerate() {
        let on_l = custom.iter().filter(|c| c.on[l]).map(|c| c.entry);
        *set = set.union(&IpSet::from_entries(on_l));
    }
    let removed = allow_and_guards(p, inp.now, &mut out);

    // Capacity: policy kept, evidence by rank as far as it fits.
    let maker = ListMaker::new(p, inp, &rules, &chosen, policy, removed);
    let ((lists, merges), cut) = fit_capacity(&maker, inp, &mut out);
    rules.cut = cut;
    [out.block_in, out.block_out] = lists;
    merge_rows(p, &merges, &mut out);

    // The outputs' own rows, and the canary guard on the final lists.
    rule_rows(&rules, &mut out.provenance);
    custom_rows(&custom, &mut out);
    out.refusals
        .extend(canary_holds(p, inp, &sel, &rules, &custom, &out));
    for d in &p.domain_allow {
        out.provenance
            .push(Row::named(LISTS[4], d, "allow", p.file.clone()));
    }
    out.allow_domains = p.domain_allow.clone();
    out.provenance.sort();
    out.provenance.dedup();
    out.rules = rules;
    Ok(out)
}

/// Whether the profile lists entries from the scores (by score, feed,
/// category, or domains by category).
pub fn uses_evidence(p: &Profile) -> bool {
    p.min_score.is_some()
        || !p.feeds.is_empty()
        || !p.categories.is_empty()
        || !p.domain_categories.is_empty()
}

/// The stale-feed guard: a feed the profile names whose newest entry is
/// older than `stale_days` holds the version back.
fn stale_feeds(p: &Profile, inp: &Inputs) -> Vec<Hold> {
    let mut holds = Vec::new();
    for (feed, ..) in &p.feeds {
        let Some(&newest) = inp.feed_newest.get(feed) else {
            continue;
        };
        let age = (inp.now - newest) as f64 / 86_400.0;
        if age > p.guards.stale_days {
            holds.push(Hold::new(
                Guard::StaleFeed,
                format!(
                    "feed '{feed}' is stale: newest entry {} ({age:.1} days old, bound {} days)",
                    crate::time::format(newest),
                    p.guards.stale_days
                ),
            ));
        }
    }
    holds
}

/// Step 1: the evidence at or above the thresholds (item indices, in
/// address order); entries wider than the bound are refused and noted.
fn select_evidence(p: &Profile, b: &Basis, sel: &Selector, out: &mut Compiled) -> Vec<u32> {
    let mut chosen = Vec::new();
    for (i, it) in b.items.iter().enumerate() {
        if !(p.ipv6 || it.family == 4) || !sel.selects(it) {
            continue;
        }
        if let Some(bound) = sel.too_wide(it) {
            let e = it.entry();
            let first = first_why(b, it);
            out.notes.push(format!(
                "refused {}: wider than /{bound} ({})",
                entry_text(&e),
                first.replacen(':', " ", 1)
            ));
            out.provenance.push(row(5, &e, "too-wide", &first));
            continue;
        }
        chosen.push(i as u32);
    }
    chosen
}

/// Step 1 for names: the scored domains of the profile's categories at or
/// above its domain score, except the allowed ones and their subdomains.
fn select_domains(p: &Profile, b: &Basis, out: &mut Compiled) {
    let mut domains: Vec<&str> = Vec::new();
    for d in &b.domains {
        let cats = b.cats(d.at, d.feeds, d.cats);
        let wanted = d.milli >= p.domain_min_score
            && cats
                .iter()
                .any(|&c| p.domain_categories.iter().any(|n| n == b.name(c)));
        if !wanted {
            continue;
        }
        let allowed = (p.domain_allow.iter()).any(|a| crate::net::domain::covers(a, &d.name));
        if allowed {
            out.provenance.push(Row::named(
                LISTS[5],
                &d.name,
                "allow-listed",
                "domain".into(),
            ));
            continue;
        }
        for (r, det) in why_of(b, d.at, d.feeds, d.cats, d.milli) {
            out.provenance.push(Row::named(LISTS[3], &d.name, r, det));
        }
        domains.push(&d.name);
    }
    domains.dedup();
    out.domains = domains.into_iter().map(str::to_string).collect();
}

/// Step 2: the networks of the geo and ASN rules (allowed to be wide), per
/// list (block-in, block-out); each rule is recorded in `rules`.
fn geo_policy(p: &Profile, inp: &Inputs, rules: &mut Rules) -> Result<[IpSet; 2], Error> {
    let mut policy = [IpSet::default(), IpSet::default()];
    for g in &p.geo {
        let on = [g.direction.inbound(), g.direction.outbound()];
        for (key, reason, detail, what) in policy_keys(g) {
            let set = inp
                .policy_set(&key)
                .ok_or_else(|| needs_database(p, what))?;
            let set = if p.ipv6 {
                set
            } else {
                Arc::new(IpSet {
                    v4: set.v4.clone(),
                    v6: IntervalSet::new(),
                })
            };
            for l in [0, 1].into_iter().filter(|&l| on[l]) {
                policy[l] = policy[l].union(&set);
            }
            rules.policy.push(PolicyRule {
                key,
                reason: reason.to_string(),
                detail,
                inbound: on[0],
                outbound: on[1],
            });
        }
    }
    Ok(policy)
}

/// A custom block entry of a profile.
struct Custom {
    entry: Entry,
    /// On block-in, on block-out.
    on: [bool; 2],
    /// Provenance detail: `FILE:LINE` and the block's comment.
    detail: String,
}

/// Step 3: the custom blocks; entries wider than the bound are refused and
/// noted.
fn custom_blocks(p: &Profile, out: &mut Compiled) -> Vec<Custom> {
    let mut custom = Vec::new();
    for blk in &p.block {
        for s in blk.entries.iter().filter(|s| takes(p, &s.entry)) {
            let detail = if blk.comment.is_empty() {
                s.origin.clone()
            } else {
                format!("{} {}", s.origin, blk.comment)
            };
            let bound = width_bound(p, &s.entry);
            if widest(&s.entry) < bound {
                out.notes.push(format!(
                    "refused {}: wider than /{bound} (custom {detail})",
                    entry_text(&s.entry)
                ));
                out.provenance
                    .push(row(5, &s.entry, "too-wide", &format!("custom:{detail}")));
                continue;
            }
            custom.push(Custom {
                entry: s.entry,
                on: [blk.direction.inbound(), blk.direction.outbound()],
                detail,
            });
        }
    }
    custom
}

/// Step 4: the allow-list (entries not expired; expired ones are noted),
/// own networks and infrastructure become `out.allow`; returns what never
/// goes on a block list: those and special-purpose space.
fn allow_and_guards(p: &Profile, now: i64, out: &mut Compiled) -> IpSet {
    let mut allow: Vec<(Entry, &'static str, String)> = Vec::new();
    for a in &p.allow {
        if let Some((_, day)) = a.expires.as_ref().filter(|(end, _)| *end < now) {
            for s in &a.entries {
                out.notes.push(format!(
                    "allow entry {} ({}) expired on {day}; no longer applied",
                    entry_text(&s.entry),
                    s.origin
                ));
            }
            continue;
        }
        for s in &a.entries {
            let mut detail = s.origin.clone();
            if !a.comment.is_empty() {
                detail = format!("{detail} {}", a.comment);
            }
            if let Some((_, day)) = &a.expires {
                detail = format!("{detail} (until {day})");
            }
            allow.push((s.entry, "allow", detail));
        }
    }
    for (list, reason) in [
        (&p.own, "own-network"),
        (&p.infrastructure, "infrastructure"),
    ] {
        allow.extend(list.iter().map(|s| (s.entry, reason, s.origin.clone())));
    }
    allow.retain(|(e, _, _)| takes(p, e));
    out.allow = IpSet::from_entries(allow.iter().map(|(e, _, _)| *e));
    for (e, r, d) in &allow {
        out.provenance.push(row(2, e, r, d));
    }
    out.allow
        .union(&special_space(p.guards.documentation_space))
}

/// The block lists and the supernets merged into them (list, supernet,
/// extra addresses).
type Built = ([IpSet; 2], Vec<(usize, Entry, u128)>);

/// Builds the block lists with the evidence ranked above a cut: what the
/// capacity step tries.
struct ListMaker<'a> {
    p: &'a Profile,
    items: &'a [Item],
    rank: &'a [u32],
    chosen: &'a [u32],
    /// Whether the evidence goes on block-in, block-out.
    evidence_on: [bool; 2],
    /// Geo, ASN and custom networks per list.
    policy: [IpSet; 2],
    /// The policy less `removed`: a list without evidence.
    base: [IpSet; 2],
    /// What never goes on a block list.
    removed: IpSet,
}

impl<'a> ListMaker<'a> {
    fn new(
        p: &'a Profile,
        inp: &'a Inputs,
        rules: &Rules,
        chosen: &'a [u32],
        policy: [IpSet; 2],
        removed: IpSet,
    ) -> Self {
        let base = [0, 1].map(|l| policy[l].difference(&removed));
        ListMaker {
            p,
            items: &inp.basis.items,
            rank: &inp.ranking.rank,
            chosen,
            evidence_on: [rules.evidence_on(0), rules.evidence_on(1)],
            policy,
            base,
            removed,
        }
    }

    /// The lists with the evidence ranked above `cut`, merged toward the
    /// capacity when the profile asks for it.
    fn make(&self, cut: u32) -> Built {
        let (mut v4, mut v6) = (Vec::new(), Vec::new());
        for &i in self.chosen {
            if self.rank[i as usize] < cut {
                match self.items[i as usize].entry() {
                    Entry::V4(r) => v4.push(r),
                    Entry::V6(r) => v6.push(r),
                }
            }
        }
        // In address order already: the sort only checks that.
        let ev = IpSet {
            v4: IntervalSet::from_ranges(v4),
            v6: IntervalSet::from_ranges(v6),
        };
        let mut lists = [0, 1].map(|l| {
            if self.evidence_on[l] {
                self.policy[l].union(&ev).difference(&self.removed)
            } else {
                self.base[l].clone()
            }
        });
        let mut merges = Vec::new();
        if let (Some(cap), Overflow::Merge) = (self.p.capacity, self.p.overflow) {
            for (l, set) in lists.iter_mut().enumerate() {
                if lines(set) > cap {
                    merges.extend(
                        merge_to_fit(set, &self.removed, cap, self.p.merge_extra)
                            .into_iter()
                            .map(|(e, n)| (l, e, n)),
                    );
                }
            }
        }
        (lists, merges)
    }

    fn fits(&self, lists: &[IpSet; 2]) -> bool {
        self.p
            .capacity
            .is_none_or(|cap| lists.iter().all(|s| lines(s) <= cap))
    }

    /// The lines an entry adds at most: what it brings that the policy
    /// does not hold and the guards do not take out.
    fn most_lines(&self, l: usize, e: &Entry) -> usize {
        if overlaps(&self.removed, e) || overlaps(&self.policy[l], e) {
            lines(
                &IpSet::from_entries([*e])
                    .difference(&self.removed)
                    .difference(&self.policy[l]),
            )
        } else {
            cidr_count(e)
        }
    }
}

/// The capacity step: policy is kept, evidence by rank as far as it fits.
/// Returns the lists, the supernets merged and the cut (the rank from
/// which evidence was left out); notes, rows and a hold say what it did.
fn fit_capacity(m: &ListMaker, inp: &Inputs, out: &mut Compiled) -> (Built, Option<u32>) {
    let Some(cap) = m.p.capacity else {
        return (m.make(u32::MAX), None);
    };
    // Candidate cuts: the ranks of the chosen entries, ascending; keeping
    // `k` entries is the cut at the k-th (`n`: all).
    let mut is_chosen = vec![false; m.items.len()];
    for &i in m.chosen {
        is_chosen[i as usize] = true;
    }
    let ranks: Vec<u32> = (inp.ranking.order.iter().enumerate())
        .filter(|(_, &i)| is_chosen[i as usize])
        .map(|(r, _)| r as u32)
        .collect();
    let n = ranks.len();
    let cut_at = |k: usize| ranks.get(k).copied().unwrap_or(u32::MAX);
    let sure = sure_to_fit(m, inp, &ranks, cap);
    let (kept, best) = most_that_fit(m, &cut_at, sure, n);
    let (lists, merges) = best.unwrap_or_else(|| m.make(cut_at(0)));
    if !m.fits(&lists) {
        out.refusals.push(Hold::new(
            Guard::Capacity,
            format!("capacity {cap} is too small for the geo and custom policy alone"),
        ));
    }
    out.left_out = (n - kept) as u64;
    let mut cut = None;
    if kept < n {
        cut = Some(cut_at(kept));
        let it = &m.items[inp.ranking.order[cut_at(kept) as usize] as usize];
        let first = format!(
            "{} entries from {} (score {}) down, by score then address",
            n - kept,
            entry_text(&it.entry()),
            format_milli(it.milli)
        );
        out.notes.push(format!(
            "capacity {cap}: left out {first} (tl-query --provenance lists them)"
        ));
        out.provenance
            .push(rule_row(5, "rule:capacity".into(), "capacity", first));
    }
    ((lists, merges), cut)
}

/// How many of the chosen entries, by rank, are sure to fit: while the sum
/// of the lines each adds at most ([`ListMaker::most_lines`]) fits.
fn sure_to_fit(m: &ListMaker, inp: &Inputs, ranks: &[u32], cap: usize) -> usize {
    let mut sums = [lines(&m.base[0]), lines(&m.base[1])];
    let mut k = 0;
    while k < ranks.len() {
        let e = m.items[inp.ranking.order[ranks[k] as usize] as usize].entry();
        for (l, sum) in sums.iter_mut().enumerate() {
            if m.evidence_on[l] {
                *sum += m.most_lines(l, &e);
            }
        }
        if sums.iter().any(|&s| s > cap) {
            break;
        }
        k += 1;
    }
    k
}

/// The most entries (from `sure` up) whose lists fit, with those lists:
/// gallop to the first cut that fails, then bisect (adding entries can
/// merge prefixes, so the count of lines is only nearly monotone; whatever
/// is chosen fits). `None` when not even the policy alone fits.
fn most_that_fit(
    m: &ListMaker,
    cut_at: &dyn Fn(usize) -> u32,
    sure: usize,
    n: usize,
) -> (usize, Option<Built>) {
    let (mut lo, mut hi) = (sure, n + 1);
    let mut best = Some(m.make(cut_at(sure))).filter(|l| m.fits(&l.0));
    if best.is_none() {
        // Only merged supernets can make the bound miss; start lower.
        (lo, hi) = (0, sure);
        best = Some(m.make(cut_at(0))).filter(|l| m.fits(&l.0));
    } else {
        let mut step = 1;
        while lo + step < hi {
            let l = m.make(cut_at(lo + step));
            if !m.fits(&l.0) {
                hi = lo + step;
                break;
            }
            lo += step;
            best = Some(l);
            step *= 2;
        }
    }
    while best.is_some() && hi - lo > 1 {
        let mid = (lo + hi) / 2;
        let l = m.make(cut_at(mid));
        if m.fits(&l.0) {
            lo = mid;
            best = Some(l);
        } else {
            hi = mid;
        }
    }
    let kept = if best.is_some() { lo } else { 0 };
    (kept, best)
}

/// Notes and rows of the supernets capacity merged.
fn merge_rows(p: &Profile, merges: &[(usize, Entry, u128)], out: &mut Compiled) {
    if merges.is_empty() {
        return;
    }
    let extra: u128 = merges.iter().map(|m| m.2).sum();
    out.notes.push(format!(
        "capacity {}: merged prefixes into {} supernets, adding {extra} addresses \
         (rows 'merged' in {})",
        p.capacity.unwrap_or(0),
        merges.len(),
        super::layout::PROVENANCE
    ));
    for (i, e, n) in merges {
        out.provenance
            .push(row(*i, e, "merged", &format!("{n} extra addresses")));
    }
}

/// The rule rows: what put evidence and policy networks on each list.
fn rule_rows(rules: &Rules, rows: &mut Vec<Row>) {
    for l in [0, 1] {
        if rules.evidence_on(l) {
            if let Some(m) = rules.min_score {
                rows.push(rule_row(
                    l,
                    "rule:min_score".into(),
                    "evidence",
                    format_milli(m),
                ));
            }
            for (f, m) in &rules.feeds {
                rows.push(rule_row(
                    l,
                    format!("rule:feed:{f}"),
                    "evidence",
                    format_milli(*m),
                ));
            }
            for (c, m) in &rules.categories {
                rows.push(rule_row(
                    l,
                    format!("rule:category:{c}"),
                    "evidence",
                    format_milli(*m),
                ));
            }
        }
        for pr in rules.policy.iter().filter(|pr| pr.on(l)) {
            let reason = match pr.reason.as_str() {
                "group" => "group",
                "continent" => "continent",
                "asn" => "asn",
                _ => "country",
            };
            rows.push(rule_row(
                l,
                format!("rule:{}", pr.key),
                reason,
                pr.detail.clone(),
            ));
        }
    }
}

/// The custom entries' rows: per list they are on, or why they are on none.
fn custom_rows(custom: &[Custom], out: &mut Compiled) {
    let published = [&out.block_in, &out.block_out];
    for c in custom {
        let mut listed = false;
        for l in [0, 1] {
            if c.on[l] && overlaps(published[l], &c.entry) {
                listed = true;
                out.provenance.push(row(l, &c.entry, "custom", &c.detail));
            }
        }
        if !listed {
            let reason = if overlaps(&out.allow, &c.entry) {
                "allow-listed"
            } else {
                "special-purpose"
            };
            out.provenance
                .push(row(5, &c.entry, reason, &format!("custom:{}", c.detail)));
        }
    }
}

/// The canary guard: a canary on a block list holds the version back,
/// naming what put it there.
fn canary_holds(
    p: &Profile,
    inp: &Inputs,
    sel: &Selector,
    rules: &Rules,
    custom: &[Custom],
    out: &Compiled,
) -> Vec<Hold> {
    let published = [&out.block_in, &out.block_out];
    let mut holds = Vec::new();
    for can in p.canaries.iter().filter(|c| takes(p, &c.entry)) {
        for l in [0, 1] {
            if !overlaps(published[l], &can.entry) {
                continue;
            }
            let causes = canary_causes(inp, sel, rules, custom, l, &can.entry);
            let text = entry_text(&can.entry);
            holds.push(Hold::new(
                Guard::Canary,
                format!(
                    "canary {text} ({}) would be on {}: {}; to keep it off the lists, \
                     allow it in the profile ([[allow]] entries = [\"{text}\"])",
                    can.origin,
                    LISTS[l],
                    causes.join("; ")
                ),
            ));
        }
    }
    holds
}

/// What put a canary on list `l`: evidence entries above the cut, policy
/// rules, custom entries.
fn canary_causes(
    inp: &Inputs,
    sel: &Selector,
    rules: &Rules,
    custom: &[Custom],
    l: usize,
    canary: &Entry,
) -> Vec<String> {
    let b = &inp.basis;
    let cut = rules.cut.unwrap_or(u32::MAX);
    let mut causes: Vec<String> = Vec::new();
    if rules.evidence_on(l) {
        for i in b.overlapping(canary) {
            let it = &b.items[i];
            if inp.ranking.rank[i] < cut && sel.eligible(it) {
                let why: Vec<String> = why(b, it).iter().map(|(r, d)| format!("{r} {d}")).collect();
                causes.push(format!(
                    "entry {} ({})",
                    entry_text(&it.entry()),
                    why.join(", ")
                ));
            }
        }
    }
    for pr in rules.policy.iter().filter(|pr| pr.on(l)) {
        if inp
            .policy_set(&pr.key)
            .is_some_and(|s| overlaps(&s, canary))
        {
            causes.push(format!("rule {} ({} {})", pr.key, pr.reason, pr.detail));
        }
    }
    for c in custom.iter().filter(|c| c.on[l]) {
        if overlaps(&IpSet::from_entries([c.entry]), canary) {
            causes.push(format!(
                "entry {} (custom {})",
                entry_text(&c.entry),
                c.detail
            ));
        }
    }
    causes
}

/// The number of CIDRs a range splits into.
fn cidr_count(e: &Entry) -> usize {
    match e {
        Entry::V4(r) => CidrIter::new(*r).count(),
        Entry::V6(r) => CidrIter::new(*r).count(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::config::parse;
    use crate::profile::scores::Target;
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
        let inp = Inputs::new(&scores, None, None, 0);
        let c = compile(&p, &inp).unwrap();
        let s = |set: &IpSet| {
            let mut b = Vec::new();
            crate::set::ListPrinter::default()
                .print(set, &mut b)
                .unwrap();
            String::from_utf8(b).unwrap()
        };
        assert_eq!(s(&c.block_in), "20.0.0.9\n20.0.0.20\n");
        assert_eq!(c.left_out, 2);
        assert!(c.refusals.is_empty());
        // The cut: everything ranked from 20.0.0.1 down.
        let cut = c.rules.cut.unwrap() as usize;
        let left: Vec<String> = inp.ranking.order[cut..]
            .iter()
            .map(|&i| entry_text(&inp.basis.items[i as usize].entry()))
            .collect();
        assert_eq!(left, ["20.0.0.1", "20.0.0.40"]);
        assert!(c.provenance.iter().any(|r| r.list == "excluded"
            && &*r.entry == "rule:capacity"
            && r.reason == "capacity"
            && &*r.detail == "2 entries from 20.0.0.1 (score 1.000) down, by score then address"));
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
        let inp = Inputs::new(&scores, None, None, 0);
        let c = compile(&profile(4, ""), &inp).unwrap();
        assert_eq!(
            c.block_in.v4.ranges(),
            IntervalSet::from_ranges(vec![Range::new(20 << 24, (20 << 24) + 7)]).ranges()
        );
        assert_eq!(c.left_out, 0);
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
        let c = compile(&profile(4, "[[allow]]\nentries = [\"20.0.0.2\"]\n"), &inp).unwrap();
        assert!(!c.block_in.v4.contains((20 << 24) + 2));
        assert!(lines(&c.block_in) <= 1);
        assert!(c.left_out > 0);
    }

    proptest! {
        /// Capacity keeps the highest-ranked evidence: the lists are
        /// exactly the entries ranked before the cut, they fit, and the
        /// next entry by rank would not.
        #[test]
        fn capacity_keeps_a_maximal_prefix_by_rank(
            evidence in proptest::collection::vec((0u32..1 << 12, 22u32..=32, 0u64..3000), 1..60),
            cap in 1usize..40,
        ) {
            let scores: Vec<Scored> = evidence
                .iter()
                .map(|&(a, l, m)| scored(&v4((20u32 << 24) | (a << 4), l), m))
                .collect();
            let p = parse(
                "p.toml",
                &format!("name = \"p\"\n[evidence]\nmin_score = 0\n[capacity]\nmax_entries = {cap}\n"),
                Path::new("."),
            )
            .unwrap();
            let inp = Inputs::new(&scores, None, None, 0);
            let c = compile(&p, &inp).unwrap();
            let order = &inp.ranking.order;
            let first = |k: usize| {
                IpSet::from_entries(order[..k].iter().map(|&i| inp.basis.items[i as usize].entry()))
            };
            prop_assert!(lines(&c.block_in) <= cap);
            prop_assert_eq!(&c.block_in, &c.block_out);
            match c.rules.cut {
                Some(cut) => {
                    let cut = cut as usize;
                    prop_assert_eq!(&c.block_in, &first(cut));
                    prop_assert!(lines(&first(cut + 1)) > cap);
                    prop_assert_eq!(c.left_out as usize, order.len() - cut);
                }
                None => {
                    prop_assert_eq!(&c.block_in, &first(order.len()));
                    prop_assert_eq!(c.left_out, 0);
                }
            }
        }

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
            let inp = Inputs::new(&scores, None, None, 0);
            let c = compile(&p, &inp).unwrap();
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
