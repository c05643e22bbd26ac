//! The reputation model: evidence from sensors and feeds, decayed by age,
//! weighed by category, into one score per address, network or domain.
//! `docs/scoring.md` is the specification, with the formula and a worked
//! example; this module implements it.
//!
//! - [`category`]: half-lives and danger factors.
//! - [`Evidence`]: reads events and indicators into a [`State`] at a
//!   reference time.
//! - [`State`]: the (entry, source) pairs with decayed values; merges
//!   exactly; a versioned binary file.
//! - [`model`]: scores, network roll-up, hysteresis, output rows and
//!   explanations.
//! - The stages, a plan in and a report out: [`run`] (the scored list),
//!   [`explain`], [`merge`]; [`Error`] is what stops one.

pub mod category;
mod error;
mod events;
mod indicators;
pub mod key;
pub mod model;
mod stage;
pub mod state;
pub mod trust;

pub use error::Error;
pub use indicators::FeedSettings;
pub use key::{parse_key, Key, Net};
pub use model::{ExplainRow, Params, Rollup, Selection};
pub use stage::{
    explain, fade_half_lives, merge, run, sources, Bar, Below, EmptyList, EvidencePlan,
    ExplainPlan, Explanation, InputReport, MergePlan, MergeReport, ScorePlan, ScoreReport,
    SourceRow, SourcesReport, TimeBasis, SOURCES_HEADER,
};
pub use state::{Listing, Pair, Part, Source, SourceKind, State};

use crate::error::LineError;
use std::collections::BTreeMap;
use std::io::Read;

/// The version of the model's constants (category table, the sensor's
/// word, fixed point). A state written under another model is refused, because
/// its values would mean something else.
pub const MODEL: u32 = 3;

/// Times later than `now` by more than this are counted as in the future
/// (and clamped to `now`, like every later time).
pub const FUTURE_TOLERANCE: i64 = 3600;

/// The reference time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Clock {
    pub now: i64,
    pub tolerance: i64,
}

impl Clock {
    pub fn new(now: i64) -> Clock {
        Clock {
            now,
            tolerance: FUTURE_TOLERANCE,
        }
    }

    /// A time no later than `now`; a time beyond the tolerance is counted.
    #[inline]
    pub fn clamp(&self, t: i64, problems: &mut Problems) -> i64 {
        if t > self.now {
            if t - self.now > self.tolerance {
                problems.future += 1;
            }
            self.now
        } else {
            t
        }
    }
}

/// What reading one input saw besides good rows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Problems {
    /// Data rows read (good and bad).
    pub rows: u64,
    /// Rows refused (malformed), not counted as evidence.
    pub skipped: u64,
    /// Times beyond `now` + tolerance, clamped.
    pub future: u64,
    /// Refused rows by reason.
    pub by_reason: BTreeMap<String, u64>,
    /// The first few refused rows, by line.
    pub examples: Vec<LineError>,
}

const EXAMPLES: usize = 3;

impl Problems {
    /// Counts a refused row (and keeps it when among the first few).
    pub fn bad(&mut self, line: u64, reason: &str, text: &[u8]) {
        self.skipped += 1;
        *self.by_reason.entry(reason.to_string()).or_default() += 1;
        if self.examples.len() < EXAMPLES {
            self.examples.push(LineError::new(line, reason, text));
        }
    }

    /// Adds another block's problems whose line numbers start after `offset`.
    pub fn absorb(&mut self, o: Problems, offset: u64) {
        self.rows += o.rows;
        self.skipped += o.skipped;
        self.future += o.future;
        for (k, v) in o.by_reason {
            *self.by_reason.entry(k).or_default() += v;
        }
        self.examples
            .extend(o.examples.into_iter().map(|e| LineError {
                line: e.line + offset,
                ..e
            }));
        self.examples
            .sort_by(|a, b| (a.line, &a.reason, &a.text).cmp(&(b.line, &b.reason, &b.text)));
        self.examples.truncate(EXAMPLES);
    }
}

/// Collects evidence at one reference time.
pub struct Evidence {
    clock: Clock,
    feeds: FeedSettings,
    events: events::EventAggregator,
    items: indicators::IndicatorItems,
}

impl Evidence {
    pub fn new(now: i64, feeds: FeedSettings) -> Evidence {
        let clock = Clock::new(now);
        Evidence {
            clock,
            feeds,
            events: events::EventAggregator::new(clock),
            items: indicators::IndicatorItems::default(),
        }
    }

    /// Reads an events CSV (`time,source,sensor,port,proto,count`).
    pub fn add_events(&mut self, name: &str, input: impl Read) -> Result<Problems, Error> {
        self.events.add(name, input)
    }

    /// Reads an indicators CSV (what `tl-ingest` writes).
    pub fn add_indicators(&mut self, name: &str, input: impl Read) -> Result<Problems, Error> {
        self.items.add(name, input, self.clock, &self.feeds)
    }

    /// Everything read, as a state at the reference time.
    pub fn into_state(self) -> State {
        let items = self.items;
        let undated = items.undated();
        let mut sources = items.sources.clone();
        let (ev4, ev6) = self.events.finish(&mut sources);
        let mut order: Vec<u32> = (0..sources.len() as u32).collect();
        order.sort_by(|&a, &b| sources[a as usize].cmp(&sources[b as usize]));
        let mut remap = vec![0u32; sources.len()];
        for (new, &old) in order.iter().enumerate() {
            remap[old as usize] = new as u32;
        }
        let sorted: Vec<Source> = order.iter().map(|&i| sources[i as usize].clone()).collect();
        let kinds: Vec<SourceKind> = sorted.iter().map(|s| s.kind).collect();
        fn renumber<K>(v: Vec<(K, Pair)>, remap: &[u32]) -> Vec<(K, Pair)> {
            v.into_iter()
                .map(|(k, p)| {
                    (
                        k,
                        Pair {
                            source: remap[p.source as usize],
                            ..p
                        },
                    )
                })
                .collect()
        }
        let now = self.clock.now;
        // Every feed pair read now starts (or continues) a listing now.
        fn listed<K: Ord + Clone>(
            items: Vec<(K, Pair)>,
            kinds: &[SourceKind],
            now: i64,
        ) -> Part<K> {
            let mut part = Part::from_items(items, kinds);
            part.listings = (part.pairs.iter())
                .map(|p| state::Listing {
                    key: p.key,
                    source: p.source,
                    first: now,
                    last: now,
                    dropped: None,
                })
                .collect();
            part
        }
        let iv4 = listed(renumber(items.v4, &remap), &kinds, now);
        let iv6 = listed(renumber(items.v6, &remap), &kinds, now);
        let nets = listed(renumber(items.nets, &remap), &kinds, now);
        let domains = listed(renumber(items.domains, &remap), &kinds, now);
        // The feeds read now: a snapshot of each, complete.
        let mut snapshots: Vec<(String, i64)> = (items.sources.iter())
            .filter(|s| s.kind == SourceKind::Feed)
            .map(|s| (s.name.clone(), now))
            .collect();
        snapshots.sort();
        snapshots.dedup();
        let identity: Vec<u32> = (0..sorted.len() as u32).collect();
        let join = |a: Part<u32>, b: Part<u32>| {
            if b.keys.is_empty() {
                let mut a = a;
                for p in &mut a.pairs {
                    p.source = remap[p.source as usize];
                }
                a
            } else {
                state::merge_two(a, &remap, b, &identity, &kinds)
            }
        };
        let v4 = join(ev4, iv4);
        let v6 = state::merge_two(ev6, &remap, iv6, &identity, &kinds);
        let mut s = State {
            time: self.clock.now,
            snapshots,
            undated,
            sources: sorted,
            v4,
            v6,
            nets,
            domains,
        };
        s.prune();
        s
    }
}
