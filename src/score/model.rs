//! Scores from a state: contributions, network roll-up, the list with
//! hysteresis, output rows and explanations (`docs/scoring.md`).

use super::category;
use super::key::{Key, Net};
use super::state::{Listing, Pair, SourceKind, State, FIX};
use super::trust::{Reports, Trust};
use crate::net::Addr;
use crate::record::{format_milli, push_field, score_milli, Score};
use std::cmp::Reverse;
use std::collections::HashSet;

/// Network roll-up: hosts of one /`v4` (IPv4) or /`v6` (IPv6) network add
/// up to a score of the network itself.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rollup {
    pub v4: u8,
    pub v6: u8,
    /// How many listed hosts bring the network to the entry threshold.
    pub hosts: f64,
}

impl Default for Rollup {
    fn default() -> Self {
        Rollup {
            v4: 24,
            v6: 48,
            hosts: 8.0,
        }
    }
}

/// The model's knobs; the defaults are the documented model.
#[derive(Clone, Debug, PartialEq)]
pub struct Params {
    /// T_in: an entry joins the list at this score.
    pub enter: f64,
    /// T_out: a listed entry stays while its score is at least this (less
    /// its jitter).
    pub leave: f64,
    /// Each entry's leave threshold is lowered by up to this fraction, by a
    /// fixed hash of the entry, so entries that arrived together leave
    /// over hours, not in one second.
    pub jitter: f64,
    pub rollup: Option<Rollup>,
    /// Only evidence of these categories counts (canonical names); empty
    /// for all.
    pub categories: Vec<String>,
    /// Weigh each source by its reliability estimated from the data, and
    /// count sensors' silence against listings (`super::trust`); off, every
    /// source weighs 1 (the model before both, for comparisons).
    pub trust: bool,
    /// Feeds whose confidence the feed configuration fixes: their weight
    /// stays 1.
    pub fixed: Vec<String>,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            enter: 2.0,
            leave: 1.5,
            jitter: 0.25,
            rollup: None,
            categories: Vec::new(),
            trust: true,
            fixed: Vec::new(),
        }
    }
}

/// Which entries are printed.
#[derive(Clone, Debug)]
pub enum Selection {
    /// The list: score ≥ T_in, or listed before (`previous`) and score ≥
    /// the entry's leave threshold.
    List { previous: HashSet<Key> },
    /// Every entry with evidence and a score of at least this.
    MinScore(f64),
}

struct Info {
    danger: f64,
    sensor: bool,
    included: bool,
    category: usize,
    /// The half-life (seconds) by which a listing of this feed ages with
    /// its time in the feed (`Listing`): a feed without per-entry times of
    /// a category sensors observe, with trust on. `None`: the row's times
    /// say the listing's age.
    aged: Option<f64>,
}

/// A state with everything needed to score it.
struct Ctx<'a> {
    state: &'a State,
    params: &'a Params,
    infos: Vec<Info>,
    categories: Vec<String>,
    trust: Option<Trust>,
}

impl<'a> Ctx<'a> {
    fn new(state: &'a State, params: &'a Params) -> Ctx<'a> {
        let mut categories: Vec<String> =
            state.sources.iter().map(|s| s.category.clone()).collect();
        categories.sort();
        categories.dedup();
        let infos = state
            .sources
            .iter()
            .map(|s| {
                let cat = category::lookup(&s.category);
                let undated =
                    s.kind == SourceKind::Feed && state.undated.binary_search(&s.name).is_ok();
                Info {
                    danger: cat.danger,
                    sensor: s.kind == SourceKind::Sensor,
                    included: params.categories.is_empty()
                        || params.categories.contains(&s.category),
                    category: categories.binary_search(&s.category).unwrap_or(0),
                    aged: (params.trust && undated && cat.observed).then_some(cat.half_life as f64),
                }
            })
            .collect();
        Ctx {
            state,
            params,
            infos,
            categories,
            trust: params.trust.then(|| Trust::new(state, &params.fixed)),
        }
    }

    /// When sensors first and last reported an entry, for
    /// [`Trust::silence`] and [`Trust::background`] (nothing without trust).
    fn reports(&self, pairs: &[Pair]) -> Reports {
        if self.trust.is_none() {
            return Reports::default();
        }
        Reports::of(pairs, |s| self.state.sources[s as usize].kind)
    }

    /// The evidence a pair holds now: decayed events (sensor) or decayed
    /// confidence (feed).
    fn evidence(p: &Pair) -> f64 {
        p.value as f64 / FIX
    }

    /// A pair's contribution to the score (0 when its category is filtered
    /// out).
    /// `reports` is when sensors reported the entry ([`Ctx::reports`]);
    /// `listings` the entry's listing history.
    #[inline]
    fn contribution(&self, p: &Pair, reports: Reports, listings: &[Listing]) -> f64 {
        let i = &self.infos[p.source as usize];
        if !i.included {
            return 0.0;
        }
        if i.sensor {
            let raw = i.danger * category::sensor_word(self.state.time - p.last);
            match &self.trust {
                None => raw,
                Some(t) => raw * t.weight(p.source) * t.background(reports),
            }
        } else {
            let raw = i.danger * Self::evidence(p) * Self::listing_age(i, p, listings);
            match &self.trust {
                None => raw,
                Some(t) => raw * t.weight(p.source) * t.silence(p.source, reports),
            }
        }
    }

    /// The factor a listing's age in its feed puts on a feed pair without
    /// times of its own: 2^(−(last − first listed) / half-life), so the
    /// value counts from when the feed started listing the entry, not from
    /// the file's time (`docs/scoring.md`, "Listing age").
    #[inline]
    fn listing_age(i: &Info, p: &Pair, listings: &[Listing]) -> f64 {
        let Some(h) = i.aged else {
            return 1.0;
        };
        match listings.iter().find(|l| l.source == p.source) {
            Some(l) => (-((l.last - l.first).max(0) as f64) / h).exp2(),
            None => 1.0,
        }
    }

    fn score(&self, pairs: &[Pair], listings: &[Listing]) -> f64 {
        let reports = self.reports(pairs);
        pairs
            .iter()
            .map(|p| self.contribution(p, reports, listings))
            .sum()
    }

    fn has_evidence(&self, pairs: &[Pair]) -> bool {
        pairs.iter().any(|p| self.infos[p.source as usize].included)
    }

    /// What a host adds to its network's roll-up: how far it is to being
    /// listed, at most 1.
    fn host_share(&self, score: f64) -> f64 {
        (score / self.params.enter).min(1.0)
    }
}

/// Per-part scores, computed once.
struct Scores {
    v4: Vec<f64>,
    v6: Vec<f64>,
}

fn part_scores<K: Ord + Clone>(ctx: &Ctx, part: &super::state::Part<K>) -> Vec<f64> {
    part.groups_listed()
        .map(|(pairs, listings)| ctx.score(pairs, listings))
        .collect()
}

/// A network's roll-up: its hosts (a range of the v4 or v6 keys).
#[derive(Clone, Copy, Debug)]
struct Rolled {
    net: Net,
    score: f64,
    start: usize,
    end: usize,
}

fn rollups<A: Addr>(
    ctx: &Ctx,
    keys: &[A],
    scores: &[f64],
    len: u8,
    net: impl Fn(A, u8) -> Net,
) -> Vec<Rolled> {
    let Some(r) = ctx.params.rollup else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < keys.len() {
        let n = net(keys[i], len);
        let start = i;
        let mut share = 0.0;
        while i < keys.len() && net(keys[i], len) == n {
            if scores[i] > 0.0 {
                share += ctx.host_share(scores[i]);
            }
            i += 1;
        }
        if share > 0.0 {
            out.push(Rolled {
                net: n,
                score: ctx.params.enter * share / r.hosts,
                start,
                end: i,
            });
        }
    }
    out
}

/// One scored entry: where its evidence is.
#[derive(Clone, Copy, Debug)]
enum Entry {
    V4(usize),
    V6(usize),
    Net(Option<usize>, Option<usize>),
    Domain(usize),
}

/// A fixed hash of an entry, in [0, 1): FNV-1a of its text, finished with
/// splitmix64's mixer.
pub fn entry_hash(key: &Key) -> f64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in key.text().bytes() {
        h = (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3);
    }
    h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^= h >> 31;
    (h >> 11) as f64 / (1u64 << 53) as f64
}

/// The score below which a listed entry leaves the list.
pub fn leave_threshold(params: &Params, key: &Key) -> f64 {
    params.leave * (1.0 - params.jitter * entry_hash(key))
}

struct Scored<'a> {
    ctx: Ctx<'a>,
    scores: Scores,
    rolled4: Vec<Rolled>,
    rolled6: Vec<Rolled>,
    /// (net, index in the nets part, index into rolled4 ++ rolled6), sorted.
    nets: Vec<(Net, Option<usize>, Option<usize>)>,
    net_scores: Vec<f64>,
    /// Where each key's pairs start, per part.
    offsets: [Vec<usize>; 4],
}

impl<'a> Scored<'a> {
    fn new(state: &'a State, params: &'a Params) -> Scored<'a> {
        let ctx = Ctx::new(state, params);
        let scores = Scores {
            v4: part_scores(&ctx, &state.v4),
            v6: part_scores(&ctx, &state.v6),
        };
        let (rolled4, rolled6) = match params.rollup {
            Some(r) => (
                rollups(&ctx, &state.v4.keys, &scores.v4, r.v4, Net::v4),
                rollups(&ctx, &state.v6.keys, &scores.v6, r.v6, Net::v6),
            ),
            None => (Vec::new(), Vec::new()),
        };
        // The nets part and the roll-ups, merged in network order.
        let mut rolled: Vec<(Net, usize)> = rolled4
            .iter()
            .chain(&rolled6)
            .enumerate()
            .map(|(i, r)| (r.net, i))
            .collect();
        rolled.sort();
        let own = &state.nets.keys;
        let mut nets = Vec::with_capacity(own.len() + rolled.len());
        let (mut i, mut j) = (0, 0);
        while i < own.len() || j < rolled.len() {
            let a = own.get(i);
            let b = rolled.get(j).map(|x| &x.0);
            match (a, b) {
                (Some(a), Some(b)) if a == b => {
                    nets.push((*a, Some(i), Some(rolled[j].1)));
                    i += 1;
                    j += 1;
                }
                (Some(a), b) if b.is_none_or(|b| a < b) => {
                    nets.push((*a, Some(i), None));
                    i += 1;
                }
                _ => {
                    nets.push((rolled[j].0, None, Some(rolled[j].1)));
                    j += 1;
                }
            }
        }
        let own_scores = part_scores(&ctx, &state.nets);
        let all_rolled: Vec<Rolled> = rolled4.iter().chain(&rolled6).copied().collect();
        let net_scores = nets
            .iter()
            .map(|&(_, o, r)| {
                o.map_or(0.0, |o| own_scores[o]) + r.map_or(0.0, |r| all_rolled[r].score)
            })
            .collect();
        Scored {
            ctx,
            scores,
            rolled4,
            rolled6,
            nets,
            net_scores,
            offsets: [
                state.v4.offsets(),
                state.v6.offsets(),
                state.nets.offsets(),
                state.domains.offsets(),
            ],
        }
    }

    fn rolled(&self, i: usize) -> &Rolled {
        if i < self.rolled4.len() {
            &self.rolled4[i]
        } else {
            &self.rolled6[i - self.rolled4.len()]
        }
    }

    fn key(&self, e: Entry) -> Key {
        let s = self.ctx.state;
        match e {
            Entry::V4(i) => Key::V4(s.v4.keys[i]),
            Entry::V6(i) => Key::V6(s.v6.keys[i]),
            Entry::Net(..) => unreachable!("nets carry their key"),
            Entry::Domain(i) => Key::Domain(s.domains.keys[i].clone()),
        }
    }

    /// Every entry with evidence: its key (built lazily), score and place.
    fn for_each(&self, mut f: impl FnMut(&dyn Fn() -> Key, f64, Entry)) {
        let s = self.ctx.state;
        let with = |part_pairs: &[Pair]| self.ctx.has_evidence(part_pairs);
        for (i, (_, pairs)) in s.v4.groups().enumerate() {
            if with(pairs) {
                f(&|| self.key(Entry::V4(i)), self.scores.v4[i], Entry::V4(i));
            }
        }
        for (i, (_, pairs)) in s.v6.groups().enumerate() {
            if with(pairs) {
                f(&|| self.key(Entry::V6(i)), self.scores.v6[i], Entry::V6(i));
            }
        }
        let own: Vec<&[Pair]> = s.nets.groups().map(|(_, p)| p).collect();
        for (i, &(net, o, r)) in self.nets.iter().enumerate() {
            if r.is_some() || o.is_some_and(|o| with(own[o])) {
                f(&|| Key::Net(net), self.net_scores[i], Entry::Net(o, r));
            }
        }
        for (i, (_, pairs)) in s.domains.groups().enumerate() {
            if with(pairs) {
                f(
                    &|| self.key(Entry::Domain(i)),
                    self.ctx.score(pairs, s.domains.listings_of(i)),
                    Entry::Domain(i),
                );
            }
        }
    }

    /// The listing history of an entry's own pairs.
    fn listings_of(&self, e: Entry) -> &'a [Listing] {
        let s = self.ctx.state;
        match e {
            Entry::V4(i) => s.v4.listings_of(i),
            Entry::V6(i) => s.v6.listings_of(i),
            Entry::Domain(i) => s.domains.listings_of(i),
            Entry::Net(o, _) => o.map_or(&[][..], |o| s.nets.listings_of(o)),
        }
    }

    fn pairs_of(&self, e: Entry) -> (&'a [Pair], Option<&Rolled>) {
        let s = self.ctx.state;
        let nth = |pairs: &'a [Pair], part: usize, i: usize| -> &'a [Pair] {
            &pairs[self.offsets[part][i]..self.offsets[part][i + 1]]
        };
        match e {
            Entry::V4(i) => (nth(&s.v4.pairs, 0, i), None),
            Entry::V6(i) => (nth(&s.v6.pairs, 1, i), None),
            Entry::Domain(i) => (nth(&s.domains.pairs, 3, i), None),
            Entry::Net(o, r) => (
                o.map_or(&[][..], |o| nth(&s.nets.pairs, 2, o)),
                r.map(|r| self.rolled(r)),
            ),
        }
    }

    /// The hosts under a roll-up, with their pairs and scores.
    fn hosts(&self, r: &Rolled) -> Vec<(Key, &'a [Pair], f64)> {
        let s = self.ctx.state;
        let mut out = Vec::new();
        for i in r.start..r.end {
            let (key, e, score) = if r.net.v6 {
                (Key::V6(s.v6.keys[i]), Entry::V6(i), self.scores.v6[i])
            } else {
                (Key::V4(s.v4.keys[i]), Entry::V4(i), self.scores.v4[i])
            };
            if score > 0.0 {
                out.push((key, self.pairs_of(e).0, score));
            }
        }
        out
    }

    fn row(&self, key: &Key, score: f64, e: Entry, with_reason: bool) -> Score {
        let mut d = Detail::default();
        let (own, rolled) = self.pairs_of(e);
        d.add(&self.ctx, own, self.listings_of(e), 1.0);
        let mut rolled_hosts = 0;
        let mut rolled_score = 0.0;
        if let Some(r) = rolled {
            for (_, pairs, _) in self.hosts(r) {
                rolled_hosts += 1;
                d.add(&self.ctx, pairs, &[], 0.0);
            }
            rolled_score = r.score;
        }
        let mut by_cat: Vec<(usize, f64)> = d
            .by_cat
            .iter()
            .copied()
            .enumerate()
            .filter(|x| x.1 > 0.0)
            .collect();
        by_cat.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let cats = &self.ctx.categories;
        // Roll-up categories (weight 0 above) come after the net's own.
        let mut categories: Vec<String> = by_cat.iter().map(|&(c, _)| cats[c].clone()).collect();
        let mut rolled_cats: Vec<usize> = d
            .seen_cat
            .iter()
            .copied()
            .filter(|c| !by_cat.iter().any(|x| x.0 == *c))
            .collect();
        rolled_cats.sort();
        rolled_cats.dedup();
        categories.extend(rolled_cats.iter().map(|&c| cats[c].clone()));
        let sources = &self.ctx.state.sources;
        let mut feeds: Vec<String> = d
            .feeds
            .iter()
            .map(|&s| sources[s as usize].name.clone())
            .collect();
        feeds.sort();
        feeds.dedup();
        d.sensors.sort_unstable();
        d.sensors.dedup();
        let reason = with_reason.then(|| {
            let rollup = rolled.map(|_| (rolled_score, rolled_hosts));
            self.reason(&d, &by_cat, rollup)
        });
        Score {
            indicator: key.text(),
            kind: key.kind(),
            milli: score_milli(score),
            categories,
            feeds,
            first_seen: if d.first == i64::MAX { 0 } else { d.first },
            last_seen: if d.last == i64::MIN { 0 } else { d.last },
            hits: d.hits,
            sensors: d.sensors.len() as u64,
            reason,
        }
    }
}

impl Scored<'_> {
    /// The compact explanation of a row: each category's contribution with
    /// its feeds and sensors, largest first, then the roll-up's share and
    /// hosts.
    fn reason(&self, d: &Detail, by_cat: &[(usize, f64)], rollup: Option<(f64, usize)>) -> String {
        let (cats, sources) = (&self.ctx.categories, &self.ctx.state.sources);
        let plural = |n: usize| if n == 1 { "" } else { "s" };
        let mut parts: Vec<String> = by_cat
            .iter()
            .map(|&(c, v)| {
                let mut names: Vec<&str> = d
                    .feeds_by_cat
                    .iter()
                    .filter(|(cc, _)| *cc == c)
                    .map(|&(_, s)| sources[s as usize].name.as_str())
                    .collect();
                names.sort();
                names.dedup();
                let n = d.sensors_by_cat.iter().filter(|(cc, _)| *cc == c).count();
                let mut what = names.join("+");
                if n > 0 {
                    if !what.is_empty() {
                        what.push(' ');
                    }
                    what.push_str(&format!("{n} sensor{}", plural(n)));
                }
                format!("{} {} ({what})", cats[c], format_milli(score_milli(v)))
            })
            .collect();
        if let Some((score, hosts)) = rollup {
            parts.push(format!(
                "rollup {} ({hosts} host{})",
                format_milli(score_milli(score)),
                plural(hosts)
            ));
        }
        parts.join("; ")
    }
}

/// What a row reports about its evidence.
#[derive(Default)]
struct Detail {
    by_cat: Vec<f64>,
    seen_cat: Vec<usize>,
    feeds: Vec<u32>,
    feeds_by_cat: Vec<(usize, u32)>,
    sensors: Vec<u32>,
    sensors_by_cat: Vec<(usize, u32)>,
    hits: u64,
    first: i64,
    last: i64,
}

impl Detail {
    /// Adds pairs; their contributions count with `weight` (0 for a
    /// roll-up's hosts, whose share is reported as one "rollup" term).
    fn add(&mut self, ctx: &Ctx, pairs: &[Pair], listings: &[Listing], weight: f64) {
        if self.by_cat.is_empty() {
            self.by_cat = vec![0.0; ctx.categories.len()];
            self.first = i64::MAX;
            self.last = i64::MIN;
        }
        let reports = ctx.reports(pairs);
        for p in pairs {
            let info = &ctx.infos[p.source as usize];
            if !info.included {
                continue;
            }
            self.by_cat[info.category] += weight * ctx.contribution(p, reports, listings);
            self.seen_cat.push(info.category);
            if info.sensor {
                self.sensors.push(p.source);
                if weight > 0.0 {
                    self.sensors_by_cat.push((info.category, p.source));
                }
            } else {
                self.feeds.push(p.source);
                if weight > 0.0 {
                    self.feeds_by_cat.push((info.category, p.source));
                }
            }
            self.hits = self.hits.saturating_add(p.hits);
            self.first = self.first.min(p.first);
            self.last = self.last.max(p.last);
        }
    }
}

/// Scores a state: the selected rows, sorted by score (highest first, in
/// thousandths as printed), then by entry (IPv4, IPv6, domains; address,
/// prefix length); at most `top` of them.
pub fn score(
    state: &State,
    params: &Params,
    selection: &Selection,
    top: Option<usize>,
    with_reason: bool,
) -> Vec<Score> {
    let scored = Scored::new(state, params);
    let enter = score_milli(params.enter);
    let lowest_leave = score_milli(params.leave * (1.0 - params.jitter.clamp(0.0, 1.0)));
    let mut chosen: Vec<(u64, Key, f64, Entry)> = Vec::new();
    scored.for_each(|key, score, e| {
        let milli = score_milli(score);
        let keep = match selection {
            Selection::MinScore(x) => milli >= score_milli(*x),
            Selection::List { previous } => {
                milli >= enter
                    || (milli >= lowest_leave && !previous.is_empty() && {
                        let k = key();
                        previous.contains(&k) && milli >= score_milli(leave_threshold(params, &k))
                    })
            }
        };
        if keep {
            chosen.push((milli, key(), score, e));
        }
    });
    chosen.sort_by(|a, b| {
        Reverse(a.0)
            .cmp(&Reverse(b.0))
            .then_with(|| a.1.display_cmp(&b.1))
    });
    if let Some(n) = top {
        chosen.truncate(n);
    }
    chosen
        .iter()
        .map(|(_, key, score, e)| scored.row(key, *score, *e, with_reason))
        .collect()
}

/// The header of `tl-score explain`.
pub const EXPLAIN_HEADER: &str =
    "query,entry,kind,source,category,first_seen,last_seen,hits,danger,evidence,value,first_listed,last_listed,dropped";

/// One row of an explanation: a contribution to an entry's score (`feed`,
/// `sensor`, or `host` for a roll-up's host) or the entry's `score` row.
/// Numbers are in thousandths, as printed.
#[derive(Clone, Debug, PartialEq)]
pub struct ExplainRow {
    /// The query as given.
    pub query: String,
    /// The entry that holds the evidence: the address itself or a network
    /// around it.
    pub entry: String,
    /// `feed`, `sensor`, `host` or `score`.
    pub kind: &'static str,
    /// A feed or sensor name, a host, or `listed` / `not listed` on a
    /// score row.
    pub source: String,
    /// The category (`rollup` for a host; the entry's categories, `;`-
    /// separated, on a score row).
    pub category: String,
    pub first_seen: i64,
    pub last_seen: i64,
    pub hits: u64,
    /// The danger factor; none on a score row.
    pub danger: Option<u64>,
    /// The evidence now (decayed events or confidence); none on a score row.
    pub evidence: Option<u64>,
    /// The contribution, or the score on a score row.
    pub value: u64,
    /// A feed row's listing history: the first and last run that found the
    /// entry in the feed, and the run that found it dropped since.
    pub listing: Option<Listing>,
}

impl ExplainRow {
    /// Appends the row as CSV (with a trailing newline) to `out`.
    pub fn write_row(&self, out: &mut Vec<u8>) {
        for (i, f) in [
            &self.query,
            &self.entry,
            self.kind,
            &self.source,
            &self.category,
        ]
        .iter()
        .enumerate()
        {
            if i > 0 {
                out.push(b',');
            }
            push_field(out, f);
        }
        let milli = |m: Option<u64>| m.map(format_milli).unwrap_or_default();
        let time = |t: Option<i64>| t.map(crate::time::format).unwrap_or_default();
        let l = self.listing.as_ref();
        out.extend_from_slice(
            format!(
                ",{},{},{},{},{},{},{},{},{}\n",
                crate::time::format(self.first_seen),
                crate::time::format(self.last_seen),
                self.hits,
                milli(self.danger),
                milli(self.evidence),
                format_milli(self.value),
                time(l.map(|l| l.first)),
                time(l.map(|l| l.last)),
                time(l.and_then(|l| l.dropped)),
            )
            .as_bytes(),
        );
    }
}

/// Explains a query (an address, network or domain): for the entry itself
/// and every network that holds it, one row per contribution and a score
/// row with the total. No rows when nothing is known about the query.
pub fn explain(state: &State, params: &Params, query: &str, key: &Key) -> Vec<ExplainRow> {
    let scored = Scored::new(state, params);
    let mut rows = Vec::new();
    for (k, score, e) in scored.holding(key) {
        let text = k.text();
        let row = |kind, source: &str, category: &str| ExplainRow {
            query: query.to_string(),
            entry: text.clone(),
            kind,
            source: source.to_string(),
            category: category.to_string(),
            first_seen: 0,
            last_seen: 0,
            hits: 0,
            danger: None,
            evidence: None,
            value: 0,
            listing: None,
        };
        let (own, rolled) = scored.pairs_of(e);
        let listings = scored.listings_of(e);
        for (c, p) in scored.contributions(own, listings) {
            let s = &state.sources[p.source as usize];
            let info = &scored.ctx.infos[p.source as usize];
            rows.push(ExplainRow {
                first_seen: p.first,
                last_seen: p.last,
                hits: p.hits,
                danger: Some(score_milli(info.danger)),
                evidence: Some(score_milli(Ctx::evidence(p))),
                value: score_milli(c),
                listing: (listings.iter()).find(|l| l.source == p.source).copied(),
                ..row(
                    if info.sensor { "sensor" } else { "feed" },
                    &s.name,
                    &s.category,
                )
            });
        }
        if let Some(r) = rolled {
            let per_host = params.enter / params.rollup.map_or(1.0, |r| r.hosts);
            for (host, pairs, hs) in scored.hosts(r) {
                let (first, last, hits) = pairs.iter().fold((i64::MAX, i64::MIN, 0u64), |a, p| {
                    (
                        a.0.min(p.first),
                        a.1.max(p.last),
                        a.2.saturating_add(p.hits),
                    )
                });
                let share = scored.ctx.host_share(hs);
                rows.push(ExplainRow {
                    first_seen: first,
                    last_seen: last,
                    hits,
                    danger: Some(score_milli(per_host)),
                    evidence: Some(score_milli(share)),
                    value: score_milli(per_host * share),
                    ..row("host", &host.text(), "rollup")
                });
            }
        }
        let total = scored.row(&k, score, e, false);
        let verdict = if total.milli >= score_milli(params.enter) {
            "listed"
        } else {
            "not listed"
        };
        rows.push(ExplainRow {
            first_seen: total.first_seen,
            last_seen: total.last_seen,
            hits: total.hits,
            value: total.milli,
            ..row("score", verdict, &total.categories.join(";"))
        });
    }
    rows
}

impl Scored<'_> {
    /// The entries with evidence that hold `key`: the entry itself and
    /// every network around it.
    fn holding(&self, key: &Key) -> Vec<(Key, f64, Entry)> {
        let state = self.ctx.state;
        let mut entries = Vec::new();
        self.for_each(|k, score, e| {
            let hit = match (e, key) {
                (Entry::V4(i), Key::V4(a)) => state.v4.keys[i] == *a,
                (Entry::V6(i), Key::V6(a)) => state.v6.keys[i] == *a,
                (Entry::Domain(i), Key::Domain(d)) => &state.domains.keys[i] == d,
                (Entry::Net(..), _) => {
                    let Key::Net(n) = k() else { return };
                    match key {
                        Key::V4(a) => n.contains_v4(*a),
                        Key::V6(a) => n.contains_v6(*a),
                        Key::Net(q) => n == *q,
                        Key::Domain(_) => false,
                    }
                }
                _ => false,
            };
            if hit {
                entries.push((k(), score, e));
            }
        });
        entries
    }

    /// The counted pairs with their contributions, largest first (then by
    /// source).
    fn contributions<'p>(&self, pairs: &'p [Pair], listings: &[Listing]) -> Vec<(f64, &'p Pair)> {
        let reports = self.ctx.reports(pairs);
        let mut rows: Vec<(f64, &Pair)> = pairs
            .iter()
            .filter(|p| self.ctx.infos[p.source as usize].included)
            .map(|p| (self.ctx.contribution(p, reports, listings), p))
            .collect();
        rows.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.source.cmp(&b.1.source)));
        rows
    }
}
