//! What the evidence says about its own sources (`docs/scoring.md`,
//! "Reliability" and "Negative evidence"): each feed's and each sensor's
//! reliability estimated from how often the others agree with it, used as
//! a weight on its contributions, and the sensors' silence about a source
//! they used to see, which counts against feed listings of activity sensors
//! observe. Nothing here is stored: it is computed from a state each time
//! it is scored, so merged states and shards score alike.

use super::category;
use super::state::{Pair, Part, SourceKind, State};

const HOUR: i64 = 3_600;

/// A feed listing is confirmed when a sensor reported the entry within
/// this long before the reference time.
pub const CONFIRM_WINDOW: i64 = 24 * HOUR;
/// Sensors' silence about a source starts counting this long after their
/// last report of it (a source is not seen by some sensor every hour).
pub const SILENCE_GRACE: i64 = 12 * HOUR;
/// After the grace, a listing of an observed category loses half its
/// weight per this much silence.
pub const SILENCE_HALF_LIFE: i64 = 12 * HOUR;
/// Sensors that have reported a source for longer than this (from their
/// first report the state holds to the reference time) see background,
/// not an attack: attacks come and go within days, while a busy service's
/// stray packets reach sensors for weeks.
pub const BACKGROUND_AFTER: i64 = 5 * 24 * HOUR;
/// After [`BACKGROUND_AFTER`], the sensors' words about a source lose half
/// their weight per this much more.
pub const BACKGROUND_HALF_LIFE: i64 = 3 * 24 * HOUR;
/// A feed whose listings age from their first listing (a feed without
/// dates of a category sensors observe; `docs/scoring.md`, "Listing age")
/// is judged on the listings it started within this long before the
/// reference time: the age factor already takes the older ones down, so
/// its weight says how far to trust a listing when it is new.
pub const YOUNG_LISTING: i64 = 2 * 24 * HOUR;
/// Fewer checked entries than this estimate nothing: the source keeps
/// weight 1.
pub const MIN_SAMPLE: u64 = 20;
/// A feed's weight is its estimated precision times this, at most 1: a
/// feed half of whose checked entries sensors confirm keeps full weight.
pub const FEED_SCALE: f64 = 2.0;
/// A sensor's weight is (its confirmed share / the median sensor's) to
/// this power, at most 1.
pub const SENSOR_POWER: f64 = 3.0;

/// What the data says about one source (in `State::sources` order).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SourceTrust {
    /// Entries the source holds evidence about.
    pub entries: u64,
    /// Feeds: entries of an observed category that sensors reported at
    /// all. Sensors: entries (the same as `entries`).
    pub checked: u64,
    /// Feeds: of the checked, those a sensor reported within
    /// [`CONFIRM_WINDOW`]. Sensors: entries another source (sensor or
    /// feed) also holds.
    pub confirmed: u64,
    /// `confirmed / checked`, when `checked` ≥ [`MIN_SAMPLE`].
    pub precision: Option<f64>,
    /// The weight of the source's contributions, in [0, 1].
    pub weight: f64,
    /// The configuration fixes the feed's confidence: its weight stays 1.
    pub fixed: bool,
    /// Feeds, with [`Trust::detailed`]: the median time from the first
    /// sensor report of an entry to its listing (negative when the feed
    /// listed it first).
    pub delay: Option<i64>,
    /// Feeds, with [`Trust::detailed`]: over listed entries the sensors
    /// stopped reporting (silent for more than [`CONFIRM_WINDOW`]), the
    /// median silence: how long the feed keeps what sensors no longer see.
    pub retention: Option<i64>,
}

/// Per-source weights and statistics of one state.
#[derive(Clone, Debug)]
pub struct Trust {
    pub sources: Vec<SourceTrust>,
    observed: Vec<bool>,
    time: i64,
}

#[derive(Default)]
struct Tally {
    entries: Vec<u64>,
    checked: Vec<u64>,
    confirmed: Vec<u64>,
    delays: Vec<Vec<i64>>,
    silences: Vec<Vec<i64>>,
}

impl Trust {
    /// Weights for scoring: counts only.
    pub fn new(state: &State, fixed: &[String]) -> Trust {
        Self::build(state, fixed, false)
    }

    /// Weights with delays and retentions, for `tl-score feeds`.
    pub fn detailed(state: &State, fixed: &[String]) -> Trust {
        Self::build(state, fixed, true)
    }

    fn build(state: &State, fixed: &[String], detail: bool) -> Trust {
        let n = state.sources.len();
        let kinds: Vec<SourceKind> = state.sources.iter().map(|s| s.kind).collect();
        let observed: Vec<bool> = (state.sources.iter())
            .map(|s| s.kind == SourceKind::Feed && category::lookup(&s.category).observed)
            .collect();
        let mut t = Tally {
            entries: vec![0; n],
            checked: vec![0; n],
            confirmed: vec![0; n],
            delays: vec![Vec::new(); if detail { n } else { 0 }],
            silences: vec![Vec::new(); if detail { n } else { 0 }],
        };
        let now = state.time;
        // Feeds whose listings age from their first listing: judged on
        // their young listings.
        let aged: Vec<bool> = (state.sources.iter())
            .zip(&observed)
            .map(|(s, &o)| o && state.undated.binary_search(&s.name).is_ok())
            .collect();
        let young = Young {
            aged: &aged,
            since: now - YOUNG_LISTING,
        };
        tally(&state.v4, &kinds, &observed, &young, now, &mut t);
        tally(&state.v6, &kinds, &observed, &young, now, &mut t);
        tally(&state.nets, &kinds, &observed, &young, now, &mut t);
        tally(&state.domains, &kinds, &observed, &young, now, &mut t);
        let precision = |i: usize| {
            (t.checked[i] >= MIN_SAMPLE).then(|| t.confirmed[i] as f64 / t.checked[i] as f64)
        };
        let mut shares: Vec<f64> = (0..n)
            .filter(|&i| kinds[i] == SourceKind::Sensor)
            .filter_map(precision)
            .collect();
        shares.sort_by(f64::total_cmp);
        let median = shares.get(shares.len() / 2).copied();
        let sources = (0..n)
            .map(|i| {
                let is_fixed =
                    kinds[i] == SourceKind::Feed && fixed.contains(&state.sources[i].name);
                let p = precision(i);
                let weight = match (kinds[i], p) {
                    _ if is_fixed => 1.0,
                    (SourceKind::Feed, Some(p)) => (p * FEED_SCALE).min(1.0),
                    (SourceKind::Sensor, Some(p)) => match median {
                        Some(m) if m > 0.0 => (p / m).powf(SENSOR_POWER).min(1.0),
                        _ => 1.0,
                    },
                    (_, None) => 1.0,
                };
                SourceTrust {
                    entries: t.entries[i],
                    checked: t.checked[i],
                    confirmed: t.confirmed[i],
                    precision: p,
                    weight,
                    fixed: is_fixed,
                    delay: t.delays.get_mut(i).and_then(|v| median_of(v)),
                    retention: t.silences.get_mut(i).and_then(|v| median_of(v)),
                }
            })
            .collect();
        Trust {
            sources,
            observed,
            time: now,
        }
    }

    /// The weight of a source's contributions.
    #[inline]
    pub fn weight(&self, source: u32) -> f64 {
        self.sources.get(source as usize).map_or(1.0, |s| s.weight)
    }

    /// The factor sensors' silence puts on a listing by `source`: 1 unless
    /// its category is one sensors observe and they reported the entry
    /// before but not within [`SILENCE_GRACE`]; then halved per
    /// [`SILENCE_HALF_LIFE`] of silence after the grace.
    #[inline]
    pub fn silence(&self, source: u32, reports: Reports) -> f64 {
        match reports.last {
            Some(last) if self.observed.get(source as usize) == Some(&true) => {
                let quiet = (self.time - last - SILENCE_GRACE).max(0);
                (-(quiet as f64) / SILENCE_HALF_LIFE as f64).exp2()
            }
            _ => 1.0,
        }
    }

    /// The factor on every sensor's word about an entry the sensors have
    /// reported for longer than [`BACKGROUND_AFTER`]: halved per
    /// [`BACKGROUND_HALF_LIFE`] beyond it.
    #[inline]
    pub fn background(&self, reports: Reports) -> f64 {
        match reports.first {
            Some(first) => {
                let steady = (self.time - first - BACKGROUND_AFTER).max(0);
                (-(steady as f64) / BACKGROUND_HALF_LIFE as f64).exp2()
            }
            None => 1.0,
        }
    }
}

/// When the sensors first and last reported an entry, as far as the state
/// holds its sensor pairs (`None` without any).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Reports {
    pub first: Option<i64>,
    pub last: Option<i64>,
}

impl Reports {
    pub fn of(pairs: &[Pair], kinds: impl Fn(u32) -> SourceKind) -> Reports {
        let mut r = Reports::default();
        for p in pairs
            .iter()
            .filter(|p| kinds(p.source) == SourceKind::Sensor)
        {
            r.first = Some(r.first.map_or(p.first, |f| f.min(p.first)));
            r.last = Some(r.last.map_or(p.last, |l| l.max(p.last)));
        }
        r
    }
}

fn median_of(v: &mut [i64]) -> Option<i64> {
    if v.is_empty() {
        return None;
    }
    v.sort_unstable();
    Some(v[v.len() / 2])
}

/// Which feeds are judged on their young listings only, and since when a
/// listing is young.
struct Young<'a> {
    aged: &'a [bool],
    since: i64,
}

fn tally<K>(
    part: &Part<K>,
    kinds: &[SourceKind],
    observed: &[bool],
    young: &Young,
    now: i64,
    t: &mut Tally,
) {
    let detail = !t.delays.is_empty();
    let mut li = 0;
    for (i, (_, pairs)) in part.groups().enumerate() {
        let Reports { first, last } = Reports::of(pairs, |s| kinds[s as usize]);
        let several = pairs.len() > 1;
        for p in pairs {
            let s = p.source as usize;
            t.entries[s] += 1;
            if kinds[s] == SourceKind::Sensor {
                t.checked[s] += 1;
                t.confirmed[s] += several as u64;
                continue;
            }
            let (Some(last), true) = (last, observed[s]) else {
                continue;
            };
            let listed = if young.aged[s] || detail {
                while li < part.listings.len()
                    && (part.listings[li].key as usize, part.listings[li].source) < (i, p.source)
                {
                    li += 1;
                }
                match part.listings.get(li) {
                    Some(l) if l.key as usize == i && l.source == p.source => l.first.min(p.first),
                    _ => p.first,
                }
            } else {
                p.first
            };
            let confirmed = now - last <= CONFIRM_WINDOW;
            // The weight's counts; delays and retention over every listing.
            if !(young.aged[s] && listed < young.since) {
                t.checked[s] += 1;
                t.confirmed[s] += confirmed as u64;
            }
            if detail {
                if let Some(first) = first {
                    t.delays[s].push(listed - first);
                }
                if !confirmed {
                    t.silences[s].push(now - last);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::score::state::{Listing, Source};

    const T: i64 = 1_800_000_000;

    fn feed(name: &str, category: &str) -> Source {
        Source {
            kind: SourceKind::Feed,
            name: name.into(),
            category: category.into(),
        }
    }

    fn pair(key: u32, source: u32, last: i64) -> Pair {
        Pair {
            key,
            source,
            value: 1 << 32,
            hits: 1,
            first: last,
            last,
        }
    }

    /// 100 addresses: sensors `a`, `b` report 0..60 within the hour
    /// (confirmed by each other); the liar `z` reports 0..60 and 60..100
    /// alone; the feed `good` lists 0..40 (seen now), `stale` lists 0..100
    /// where sensors went silent on 40..100 two days ago, `c2` lists what
    /// no sensor sees, and `fixed` is stale but its confidence configured.
    fn world() -> State {
        let mut sources = vec![
            Source::sensor("a"),
            Source::sensor("b"),
            Source::sensor("z"),
            feed("good", "scanner"),
            feed("stale", "scanner"),
            feed("c2", "botnet-c2"),
            feed("fixed", "scanner"),
        ];
        sources.sort();
        let id = |n: &str| sources.iter().position(|s| s.name == n).unwrap() as u32;
        let mut items: Vec<(u32, Pair)> = Vec::new();
        for k in 0..100u32 {
            let recent = k < 60;
            if recent {
                items.push((k, pair(0, id("a"), T - 600)));
                items.push((k, pair(0, id("b"), T - 600)));
            }
            items.push((
                k,
                pair(0, id("z"), if recent { T - 600 } else { T - 2 * 86_400 }),
            ));
            if k < 40 {
                items.push((k, pair(0, id("good"), T)));
            }
            items.push((k, pair(0, id("stale"), T)));
            items.push((k, pair(0, id("fixed"), T)));
            items.push((1000 + k, pair(0, id("c2"), T)));
        }
        let kinds: Vec<SourceKind> = sources.iter().map(|s| s.kind).collect();
        let mut s = State::empty(T);
        s.v4 = Part::from_items(items, &kinds);
        s.sources = sources;
        s
    }

    #[test]
    fn weights_follow_agreement() {
        let s = world();
        let trust = Trust::detailed(&s, &["fixed".to_string()]);
        let by = |n: &str| &trust.sources[s.sources.iter().position(|x| x.name == n).unwrap()];
        // good: 40 of 40 confirmed; stale: 60 of 100; c2: nothing checked.
        assert_eq!((by("good").checked, by("good").confirmed), (40, 40));
        assert_eq!(by("good").weight, 1.0);
        assert_eq!((by("stale").checked, by("stale").confirmed), (100, 60));
        assert_eq!(by("stale").weight, 1.0);
        assert_eq!(by("stale").retention, Some(2 * 86_400));
        assert_eq!(by("c2").checked, 0);
        assert_eq!((by("c2").precision, by("c2").weight), (None, 1.0));
        assert!(by("fixed").fixed && by("fixed").weight == 1.0);
        // Sensors: a and b confirm all they report; the liar's 40 lone
        // reports are confirmed only by feeds here, so it is confirmed too.
        assert_eq!(by("a").precision, Some(1.0));
        assert_eq!(by("a").weight, 1.0);
    }

    #[test]
    fn a_lying_sensor_and_a_feed_of_false_positives_lose_weight() {
        // The liar reports 100 addresses nobody else has; a feed of false
        // positives lists 100 addresses sensors saw once, a week ago.
        let mut sources = vec![
            Source::sensor("a"),
            Source::sensor("b"),
            Source::sensor("liar"),
            feed("noise", "scanner"),
        ];
        sources.sort();
        let id = |n: &str| sources.iter().position(|s| s.name == n).unwrap() as u32;
        let mut items = Vec::new();
        for k in 0..100u32 {
            items.push((k, pair(0, id("a"), T - 600)));
            items.push((k, pair(0, id("b"), T - 600)));
            items.push((500 + k, pair(0, id("liar"), T - 600)));
            items.push((900 + k, pair(0, id("a"), T - 7 * 86_400)));
            items.push((900 + k, pair(0, id("noise"), T)));
            if k < 10 {
                items.push((k, pair(0, id("liar"), T - 600)));
                items.push((k, pair(0, id("noise"), T)));
            }
        }
        let kinds: Vec<SourceKind> = sources.iter().map(|s| s.kind).collect();
        let mut s = State::empty(T);
        s.v4 = Part::from_items(items, &kinds);
        s.sources = sources;
        let trust = Trust::new(&s, &[]);
        let by = |n: &str| &trust.sources[s.sources.iter().position(|x| x.name == n).unwrap()];
        assert_eq!(by("liar").precision, Some(10.0 / 110.0));
        assert!(by("liar").weight < 0.01, "{:?}", by("liar"));
        assert_eq!(by("b").weight, 1.0);
        // noise: 110 checked (a saw them all), 10 confirmed recently.
        assert_eq!((by("noise").checked, by("noise").confirmed), (110, 10));
        assert!((by("noise").weight - 20.0 / 110.0).abs() < 1e-12);
    }

    #[test]
    fn a_feed_without_dates_is_judged_on_its_young_listings() {
        // `stale` without dates: it started listing 0..50 a day ago, the
        // rest ten days ago; sensors see 0..60 now.
        let mut s = world();
        let stale = s.sources.iter().position(|x| x.name == "stale").unwrap() as u32;
        s.undated = vec!["stale".to_string()];
        s.snapshots = vec![("stale".to_string(), T)];
        s.v4.listings = (0..100u32)
            .map(|k| Listing {
                key: k,
                source: stale,
                first: if k < 50 { T - 86_400 } else { T - 10 * 86_400 },
                last: T,
                dropped: None,
            })
            .collect();
        let trust = Trust::detailed(&s, &[]);
        let by = |t: &Trust| t.sources[stale as usize].clone();
        assert_eq!((by(&trust).checked, by(&trust).confirmed), (50, 50));
        assert_eq!(by(&trust).weight, 1.0);
        // Its retention is still over every listing: the 40 sensors went
        // silent on two days ago.
        assert_eq!(by(&trust).retention, Some(2 * 86_400));
        // With dates, every listing counts.
        s.undated.clear();
        let dated = Trust::new(&s, &[]);
        assert_eq!((by(&dated).checked, by(&dated).confirmed), (100, 60));
    }

    #[test]
    fn silence_counts_against_observed_categories_only() {
        let s = world();
        let trust = Trust::new(&s, &[]);
        let id = |n: &str| s.sources.iter().position(|x| x.name == n).unwrap() as u32;
        let last = |t: Option<i64>| Reports { first: t, last: t };
        assert_eq!(trust.silence(id("stale"), last(None)), 1.0);
        assert_eq!(trust.silence(id("stale"), last(Some(T - 3600))), 1.0);
        assert_eq!(
            trust.silence(id("stale"), last(Some(T - SILENCE_GRACE))),
            1.0
        );
        let day = trust.silence(
            id("stale"),
            last(Some(T - SILENCE_GRACE - SILENCE_HALF_LIFE)),
        );
        assert!((day - 0.5).abs() < 1e-12);
        assert_eq!(trust.silence(id("c2"), last(Some(T - 30 * 86_400))), 1.0);
    }

    #[test]
    fn background_from_the_first_report() {
        let s = world();
        let trust = Trust::new(&s, &[]);
        let known = |first: Option<i64>| Reports {
            first,
            last: Some(T),
        };
        assert_eq!(trust.background(known(None)), 1.0);
        assert_eq!(trust.background(known(Some(T - 3600))), 1.0);
        assert_eq!(trust.background(known(Some(T - BACKGROUND_AFTER))), 1.0);
        let later = |d: i64| trust.background(known(Some(T - BACKGROUND_AFTER - d)));
        assert!((later(BACKGROUND_HALF_LIFE) - 0.5).abs() < 1e-12);
        assert!((later(3 * BACKGROUND_HALF_LIFE) - 0.125).abs() < 1e-12);
    }
}
