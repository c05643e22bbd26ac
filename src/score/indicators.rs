//! Feed listings (the indicators CSV of `tl-ingest`) into (entry, feed)
//! pairs.

use super::category;
use super::key::{parse_key, Key, Net};
use super::state::{Pair, Source, SourceKind, FIX};
use super::{Clock, Error, Problems};
use crate::error::InputError;
use crate::record::IndicatorReader;
use std::collections::HashMap;
use std::io::Read;

/// What the feed configuration says about each feed.
#[derive(Clone, Debug, Default)]
pub struct FeedSettings {
    feeds: HashMap<String, (Option<String>, Option<f64>)>,
}

impl FeedSettings {
    /// Reads the categories and confidences of a feed configuration
    /// (`src/feed/config.rs`, the one reader of it); the rest of it is for
    /// `tl-ingest`.
    pub fn load(path: &str) -> Result<FeedSettings, Error> {
        Ok(Self::of(&crate::feed::config::load(path)?))
    }

    /// The settings of a feed configuration already read.
    pub fn of(config: &crate::feed::config::Config) -> FeedSettings {
        let mut feeds = HashMap::new();
        for job in &config.jobs {
            let name = job.name.clone().unwrap_or_else(|| job.location.stem());
            feeds.insert(name, (job.category.clone(), job.confidence));
        }
        FeedSettings { feeds }
    }

    /// The feeds whose confidence the configuration fixes, sorted.
    pub fn fixed(&self) -> Vec<String> {
        let mut v: Vec<String> = (self.feeds.iter())
            .filter(|(_, (_, conf))| conf.is_some())
            .map(|(name, _)| name.clone())
            .collect();
        v.sort();
        v
    }

    /// The category and confidence a row of `feed` counts with: the
    /// configuration's category when it names one, and the row's
    /// confidence capped by the configuration's.
    pub fn apply(&self, feed: &str, category: &str, confidence: f64) -> (String, f64) {
        match self.feeds.get(feed) {
            None => (category::canonical(category), confidence),
            Some((cat, conf)) => (
                category::canonical(cat.as_deref().unwrap_or(category)),
                conf.map_or(confidence, |c| confidence.min(c)),
            ),
        }
    }
}

/// Feed pairs collected so far, with their own source numbering.
#[derive(Default)]
pub struct IndicatorItems {
    pub sources: Vec<Source>,
    ids: HashMap<Source, u32>,
    pub v4: Vec<(u32, Pair)>,
    pub v6: Vec<(u128, Pair)>,
    pub nets: Vec<(Net, Pair)>,
    pub domains: Vec<(String, Pair)>,
    /// Per feed read: `Some(t)` while every row had `first_seen` =
    /// `last_seen` = `t` (a list without dates: the file's time), `None`
    /// once a row gave times of its own.
    dating: HashMap<String, Option<i64>>,
}

impl IndicatorItems {
    fn source(&mut self, s: Source) -> u32 {
        if let Some(&id) = self.ids.get(&s) {
            return id;
        }
        let id = self.sources.len() as u32;
        self.sources.push(s.clone());
        self.ids.insert(s, id);
        id
    }

    /// The feeds read whose rows carried no per-entry times, sorted.
    pub fn undated(&self) -> Vec<String> {
        let mut v: Vec<String> = (self.dating.iter())
            .filter(|(_, d)| d.is_some())
            .map(|(name, _)| name.clone())
            .collect();
        v.sort();
        v
    }

    /// Reads one indicators CSV. Bad rows are counted in the returned
    /// problems; a bad header or an unreadable input is an error.
    pub fn add(
        &mut self,
        name: &str,
        input: impl Read,
        clock: Clock,
        feeds: &FeedSettings,
    ) -> Result<Problems, Error> {
        let reader = IndicatorReader::new(input).map_err(|e| e.in_file(name))?;
        let mut problems = Problems::default();
        for row in reader {
            problems.rows += 1;
            let row = match row {
                Ok(r) => r,
                Err(e) if e.line == 0 => return Err(InputError::file(name, e.reason).into()),
                Err(e) => {
                    problems.bad(e.line, &e.reason, b"");
                    continue;
                }
            };
            let line = problems.rows + 1;
            if !crate::feed::is_name(&row.feed) {
                problems.bad(line, "bad feed name", row.feed.as_bytes());
                continue;
            }
            if !row.category.is_empty() && !crate::feed::is_name(&row.category) {
                problems.bad(line, "bad category", row.category.as_bytes());
                continue;
            }
            let key = match parse_key(&row.indicator) {
                Ok(k) => k,
                Err(why) => {
                    problems.bad(line, why, row.indicator.as_bytes());
                    continue;
                }
            };
            let undated = (row.first_seen == row.last_seen).then_some(row.last_seen);
            (self.dating)
                .entry(row.feed.clone())
                .and_modify(|d| {
                    if *d != undated {
                        *d = None;
                    }
                })
                .or_insert(undated);
            let (cat, confidence) = feeds.apply(&row.feed, &row.category, row.confidence);
            let half_life = category::lookup(&cat).half_life as f64;
            let last = clock.clamp(row.last_seen, &mut problems);
            let first = clock.clamp(row.first_seen.min(row.last_seen), &mut problems);
            let age = (clock.now - last) as f64;
            let value = (confidence * (-age / half_life).exp2() * FIX).round() as u64;
            let source = self.source(Source {
                kind: SourceKind::Feed,
                name: row.feed,
                category: cat,
            });
            let pair = Pair {
                key: 0,
                source,
                value,
                hits: row.hits,
                first,
                last,
            };
            match key {
                Key::V4(a) => self.v4.push((a, pair)),
                Key::V6(a) => self.v6.push((a, pair)),
                Key::Net(n) => self.nets.push((n, pair)),
                Key::Domain(d) => self.domains.push((d, pair)),
            }
        }
        Ok(problems)
    }
}
