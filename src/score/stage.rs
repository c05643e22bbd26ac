//! The score stages, each a plan in and a report out: [`run`] (evidence into
//! the scored list, and the state saved if asked), [`explain`] (every
//! contribution to the scores of some entries) and [`merge`] (states into
//! one). Nothing here prints: a report carries what a person or a cron job
//! needs, and the caller words it.

use super::model::{self, ExplainRow};
use super::trust::{SourceTrust, Trust};
use super::{parse_key, Error, Evidence, FeedSettings, Key, Params, Problems};
use super::{Selection, SourceKind, State};
use crate::error::{quote, InputError, Verdict};
use crate::files::Output;
use crate::record::{
    push_field, score_milli, write_score_header, EventReader, IndicatorReader, ScoreReader,
};
use std::collections::{BTreeSet, HashSet};
use std::io::Write;
use std::path::Path;

/// Where the evidence comes from and when it is weighed; the part of a
/// plan [`run`] and [`explain`] share.
#[derive(Clone, Debug, Default)]
pub struct EvidencePlan {
    /// Sensor events CSVs (`-` is stdin), read first, in this order.
    pub events: Vec<String>,
    /// Indicators CSVs from `tl-ingest` (`-` is stdin), read after the
    /// events.
    pub indicators: Vec<String>,
    /// The feed configuration (TOML): each feed's category and confidence
    /// cap.
    pub feeds: Option<String>,
    /// The reference time; `None` for the clock, or the state's time when
    /// that is later.
    pub now: Option<i64>,
    /// A state to start from (from a saved state or [`merge`]), decayed on
    /// to the reference time.
    pub state: Option<String>,
    /// A malformed row is an error (the first one), not a count.
    pub strict: bool,
}

/// What reading one input came to: rows read and skipped, why, the first
/// few refused rows, times in the future.
#[derive(Clone, Debug, PartialEq)]
pub struct InputReport {
    /// The input's name as messages use it (`stdin` for `-`).
    pub file: String,
    pub problems: Problems,
}

/// What [`run`] does: score the evidence into a list (or every entry above
/// a score) and write it as a scores CSV.
#[derive(Clone, Debug)]
pub struct ScorePlan {
    pub evidence: EvidencePlan,
    pub params: Params,
    /// The list published last time (a scores CSV): its entries stay while
    /// above their leave threshold.
    pub previous: Option<String>,
    /// Every entry scoring at least this instead of the list (no
    /// hysteresis).
    pub min_score: Option<f64>,
    /// At most this many rows, the highest scores.
    pub top: Option<usize>,
    /// Add the `reason` column.
    pub reasons: bool,
    /// Write the state (all evidence, decayed to the reference time) to
    /// this file, atomically.
    pub save_state: Option<String>,
    /// The scores CSV: a file replaced atomically, or stdout for `None` or
    /// `-`.
    pub output: Option<String>,
}

/// What [`run`] did.
#[derive(Clone, Debug, PartialEq)]
pub struct ScoreReport {
    /// Each input read, in order.
    pub inputs: Vec<InputReport>,
    /// The reference time the evidence was weighed at.
    pub time: i64,
    /// Entries (addresses, networks, domains) with evidence.
    pub entries: usize,
    /// Rows written to the scores CSV.
    pub rows: usize,
    /// Where the state was saved, if it was.
    pub state_saved: Option<String>,
    /// Why no row was written, when none was.
    pub empty: Option<EmptyList>,
    /// The feeds read now whose every entry decayed to nothing by the
    /// reference time (sorted): their files are too old to count.
    pub faded: Vec<String>,
    pub verdict: Verdict,
}

/// Why a scored list came out empty: what the best entry scored against
/// the bar it had to reach.
#[derive(Clone, Debug, PartialEq)]
pub struct EmptyList {
    /// The highest score of any entry (thousandths, as printed); `None`
    /// when no entry has evidence left.
    pub highest: Option<u64>,
    /// The bar: `--min-score` when given, else T_in (`--enter`).
    pub bar: Bar,
    /// `--top 0` was asked for.
    pub top_zero: bool,
}

/// The score an entry had to reach to be written.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Bar {
    /// T_in, `--enter`.
    Enter(f64),
    /// `--min-score`.
    MinScore(f64),
}

/// Where a reference time came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeBasis {
    /// `--now`.
    Given,
    /// The clock (later than the state's time, if any).
    Clock,
    /// The state's own time (explain without `--now`).
    State,
    /// The newest time in the evidence files (explain without `--now`).
    Evidence,
}

/// What [`explain`] does: explain the scores of addresses, networks or
/// domains.
#[derive(Clone, Debug)]
pub struct ExplainPlan {
    pub evidence: EvidencePlan,
    pub params: Params,
    /// Addresses, networks (CIDR) or domains, as given.
    pub queries: Vec<String>,
}

/// What [`explain`] found.
#[derive(Clone, Debug, PartialEq)]
pub struct Explanation {
    /// Each input read, in order.
    pub inputs: Vec<InputReport>,
    /// Every query's rows, in query order.
    pub rows: Vec<ExplainRow>,
    /// The queries nothing is known about, as given.
    pub unknown: Vec<String>,
    /// The reference time the evidence was weighed at, and where it came
    /// from.
    pub time: i64,
    pub basis: TimeBasis,
    /// The entries whose score row says `not listed`, in row order.
    pub below: Vec<Below>,
    /// [`Verdict::No`] when some query has no evidence.
    pub verdict: Verdict,
}

impl Explanation {
    /// The explanation as CSV: [`model::EXPLAIN_HEADER`] and every row.
    pub fn to_csv(&self) -> Vec<u8> {
        let mut buf = Vec::new();
        buf.extend_from_slice(model::EXPLAIN_HEADER.as_bytes());
        buf.push(b'\n');
        for r in &self.rows {
            r.write_row(&mut buf);
        }
        buf
    }
}

/// An entry whose score is below T_in: `not listed` on a list scored from
/// this evidence alone, though a list that already held it keeps it down
/// to its own T_out.
#[derive(Clone, Debug, PartialEq)]
pub struct Below {
    pub query: String,
    pub entry: String,
    /// The score and T_in, in thousandths.
    pub score: u64,
    pub enter: u64,
    /// The entry's leave threshold (T_out less its jitter), in thousandths.
    pub leave: u64,
}

/// What [`merge`] does: combine state files exactly into one.
#[derive(Clone, Debug)]
pub struct MergePlan {
    pub states: Vec<String>,
    /// The merged state, written atomically.
    pub output: String,
    /// Decay the result to this later time; `None` for the latest state's.
    pub now: Option<i64>,
}

/// What [`merge`] did.
#[derive(Clone, Debug, PartialEq)]
pub struct MergeReport {
    /// States read.
    pub states: usize,
    /// Entries and (entry, source) pairs in the merged state.
    pub entries: usize,
    pub pairs: usize,
    /// The merged state's reference time.
    pub time: i64,
    pub verdict: Verdict,
}

/// Scores the plan's evidence and writes the scores CSV (and the state,
/// when asked). Malformed rows are counted in the report; under a strict
/// plan the first one is an error and nothing is written.
pub fn run(plan: &ScorePlan) -> Result<ScoreReport, Error> {
    check_params(&plan.params)?;
    if let Some(x) = plan.min_score {
        if !(x.is_finite() && x >= 0.0) {
            return Err(Error::Plan(
                "--min-score must be a number of at least 0".into(),
            ));
        }
    }
    let previous = match &plan.previous {
        Some(p) => previous_list(p)?,
        None => HashSet::new(),
    };
    let (state, inputs, _, fixed) = gather(&plan.evidence, Default::Clock)?;
    let params = Params {
        fixed,
        ..plan.params.clone()
    };
    if let Some(path) = &plan.save_state {
        state
            .write(Path::new(path))
            .map_err(|e| InputError::io(path, &e))?;
    }
    let selection = match plan.min_score {
        Some(x) => Selection::MinScore(x),
        None => Selection::List { previous },
    };
    let rows = model::score(&state, &params, &selection, plan.top, plan.reasons);
    let mut out = create_output(plan.output.as_deref())?;
    write_score_header(&mut out, plan.reasons).map_err(Error::Write)?;
    let mut buf = Vec::with_capacity(1 << 16);
    for r in &rows {
        r.write_row(&mut buf, plan.reasons);
        if buf.len() > 1 << 15 {
            out.write_all(&buf).map_err(Error::Write)?;
            buf.clear();
        }
    }
    out.write_all(&buf).map_err(Error::Write)?;
    out.finish().map_err(Error::Write)?;
    let empty = rows.is_empty().then(|| {
        let best = model::score(
            &state,
            &plan.params,
            &Selection::MinScore(0.0),
            Some(1),
            false,
        );
        EmptyList {
            highest: best.first().map(|r| r.milli),
            bar: plan
                .min_score
                .map_or(Bar::Enter(plan.params.enter), Bar::MinScore),
            top_zero: plan.top == Some(0),
        }
    });
    Ok(ScoreReport {
        inputs,
        time: state.time,
        entries: state.key_count(),
        rows: rows.len(),
        state_saved: plan.save_state.clone(),
        empty,
        faded: faded(&state),
        verdict: Verdict::Done,
    })
}

/// How many half-lives of its category a feed listing of confidence 1
/// lasts before its evidence falls below the state's floor and is
/// forgotten.
pub fn fade_half_lives() -> u32 {
    (super::state::FIX / super::state::PRUNE as f64)
        .log2()
        .round() as u32
}

/// The feeds read at the state's time (a snapshot then) that no pair
/// refers to any more: every entry decayed below the state's floor.
fn faded(state: &State) -> Vec<String> {
    let alive: BTreeSet<&str> = (state.sources.iter())
        .filter(|s| s.kind == SourceKind::Feed)
        .map(|s| s.name.as_str())
        .collect();
    (state.snapshots.iter())
        .filter(|(name, t)| *t == state.time && !alive.contains(name.as_str()))
        .map(|(name, _)| name.clone())
        .collect()
}

/// Explains the plan's queries from its evidence; writes nothing (the rows
/// are in the explanation, [`Explanation::to_csv`] is their CSV).
pub fn explain(plan: &ExplainPlan) -> Result<Explanation, Error> {
    check_params(&plan.params)?;
    let e = &plan.evidence;
    if e.events.is_empty() && e.indicators.is_empty() && e.state.is_none() {
        return Err(Error::Plan(
            "explain needs evidence: --events, --indicators or --state".into(),
        ));
    }
    let mut queries = Vec::new();
    for q in &plan.queries {
        let key =
            parse_key(q).map_err(|why| Error::Plan(format!("{why}: {}", quote(q.as_bytes()))))?;
        queries.push((q, key));
    }
    let (state, inputs, basis, fixed) = gather(e, Default::Newest)?;
    let params = Params {
        fixed,
        ..plan.params.clone()
    };
    let mut rows = Vec::new();
    let mut unknown = Vec::new();
    for (q, key) in &queries {
        let found = model::explain(&state, &params, &key.text(), key);
        if found.is_empty() {
            unknown.push(q.to_string());
        }
        rows.extend(found);
    }
    let enter = score_milli(plan.params.enter);
    let below = (rows.iter())
        .filter(|r| r.kind == "score" && r.value < enter)
        .filter_map(|r| {
            let key = parse_key(&r.entry).ok()?;
            Some(Below {
                query: r.query.clone(),
                entry: r.entry.clone(),
                score: r.value,
                enter,
                leave: score_milli(model::leave_threshold(&plan.params, &key)),
            })
        })
        .collect();
    Ok(Explanation {
        inputs,
        time: state.time,
        basis,
        below,
        rows,
        verdict: if unknown.is_empty() {
            Verdict::Done
        } else {
            Verdict::No
        },
        unknown,
    })
}

/// Merges the plan's states exactly (read side by side on the pool, each
/// checked alone) and writes the result.
pub fn merge(plan: &MergePlan) -> Result<MergeReport, Error> {
    let states = crate::pool::try_map(&plan.states, |p| State::read(p))?;
    let merged = State::merge(states, plan.now);
    merged
        .write(Path::new(&plan.output))
        .map_err(|e| InputError::io(&plan.output, &e))?;
    Ok(MergeReport {
        states: plan.states.len(),
        entries: merged.key_count(),
        pairs: merged.pair_count(),
        time: merged.time,
        verdict: Verdict::Done,
    })
}

/// The thresholds must make sense: 0 < T_out <= T_in.
fn check_params(p: &Params) -> Result<(), Error> {
    if p.enter.is_finite() && p.leave.is_finite() && p.leave > 0.0 && p.leave <= p.enter {
        Ok(())
    } else {
        Err(Error::Plan(
            "--leave must be above 0 and at most --enter".into(),
        ))
    }
}

fn create_output(path: Option<&str>) -> Result<Output, Error> {
    Output::create(path).map_err(|e| InputError::io(path.unwrap_or("-"), &e).into())
}

/// The entries of a published list (a scores CSV); its first bad row is an
/// error.
fn previous_list(path: &str) -> Result<HashSet<Key>, Error> {
    let inp = crate::files::open(path).map_err(|e| InputError::io(path, &e))?;
    let reader = ScoreReader::new(inp.reader).map_err(|e| e.in_file(&inp.name))?;
    let mut keys = HashSet::new();
    for row in reader {
        let row = row.map_err(|e| e.in_file(&inp.name))?;
        let key = parse_key(&row.indicator).map_err(|why| InputError {
            text: Some(row.indicator.clone().into_bytes()),
            ..InputError::file(&inp.name, why)
        })?;
        keys.insert(key);
    }
    Ok(keys)
}

/// The reference time when the plan gives none.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Default {
    /// The clock, or the state's time when that is later (scoring a list
    /// now).
    Clock,
    /// The time of the evidence itself: the state's time, or the newest
    /// time in the input files when later; the clock when there is none
    /// (explaining what the evidence says, not how much of it is left).
    Newest,
}

/// The newest time in the evidence files (standard input is not read
/// twice, so it is left out); unreadable files and bad rows are left to
/// the real reading.
fn newest_time(plan: &EvidencePlan) -> Option<i64> {
    let open = |f: &String| (f != "-").then(|| crate::files::open(f).ok()).flatten();
    let events = (plan.events.iter().filter_map(open))
        .filter_map(|inp| EventReader::new(inp.reader).ok())
        .flat_map(|r| r.filter_map(Result::ok).map(|e| e.time));
    let indicators = (plan.indicators.iter().filter_map(open))
        .filter_map(|inp| IndicatorReader::new(inp.reader).ok())
        .flat_map(|r| r.filter_map(Result::ok).map(|i| i.last_seen));
    events.chain(indicators).max()
}

/// Reads every input into a state at the reference time, with a report per
/// input, where that time came from, and the feeds whose confidence the
/// configuration fixes.
fn gather(
    plan: &EvidencePlan,
    default: Default,
) -> Result<(State, Vec<InputReport>, TimeBasis, Vec<String>), Error> {
    let loaded = match &plan.state {
        Some(path) => Some(State::read(path)?),
        None => None,
    };
    let clock = crate::time::now();
    let (now, basis) = match (plan.now, &loaded) {
        (Some(now), Some(s)) if now < s.time => {
            return Err(Error::Plan(format!(
                "--now is before the time of state {} ({})",
                plan.state.as_deref().unwrap_or(""),
                crate::time::format(s.time)
            )))
        }
        (Some(now), _) => (now, TimeBasis::Given),
        (None, s) if default == Default::Newest => {
            let state = s.as_ref().map(|s| (s.time, TimeBasis::State));
            let files = newest_time(plan).map(|t| (t, TimeBasis::Evidence));
            match (state, files) {
                (Some(a), Some(b)) if b.0 > a.0 => b,
                (Some(a), _) => a,
                (None, Some(b)) => b,
                (None, None) => (clock, TimeBasis::Clock),
            }
        }
        (None, Some(s)) => (clock.max(s.time), TimeBasis::Clock),
        (None, None) => (clock, TimeBasis::Clock),
    };
    let feeds = match &plan.feeds {
        Some(path) => FeedSettings::load(path)?,
        None => FeedSettings::default(),
    };
    let all = || plan.events.iter().chain(&plan.indicators);
    if all().filter(|f| *f == "-").count() > 1 {
        return Err(Error::Plan(
            "standard input (-) can be read only once".into(),
        ));
    }
    let fixed = feeds.fixed();
    let mut evidence = Evidence::new(now, feeds);
    let mut inputs = Vec::new();
    for (i, name) in all().enumerate() {
        let inp = crate::files::open(name).map_err(|e| InputError::io(name, &e))?;
        let problems = if i < plan.events.len() {
            evidence.add_events(&inp.name, inp.reader)?
        } else {
            evidence.add_indicators(&inp.name, inp.reader)?
        };
        if plan.strict {
            if let Some(first) = problems.examples.first() {
                return Err(first.in_file(&inp.name).into());
            }
        }
        inputs.push(InputReport {
            file: inp.name,
            problems,
        });
    }
    let built = evidence.into_state();
    let state = match loaded {
        Some(s) => State::merge(vec![s, built], Some(now)),
        None => built,
    };
    Ok((state, inputs, basis, fixed))
}

/// One source in [`sources`]: what the data says about it.
#[derive(Clone, Debug, PartialEq)]
pub struct SourceRow {
    pub kind: &'static str,
    pub name: String,
    pub category: String,
    pub trust: SourceTrust,
    /// A feed without per-entry times in its latest snapshot: its listings
    /// age from their first listing (`docs/scoring.md`, "Listing age").
    pub undated: bool,
}

/// The header of `tl-score feeds`.
pub const SOURCES_HEADER: &str =
    "kind,source,category,entries,checked,confirmed,precision,weight,fixed,undated,delay_hours,retention_hours";

impl SourceRow {
    pub fn write_row(&self, out: &mut Vec<u8>) {
        let t = &self.trust;
        let hours =
            |v: Option<i64>| v.map_or(String::new(), |s| format!("{:.1}", s as f64 / 3600.0));
        push_field(out, self.kind);
        out.push(b',');
        push_field(out, &self.name);
        out.push(b',');
        push_field(out, &self.category);
        let cells = [
            t.entries.to_string(),
            t.checked.to_string(),
            t.confirmed.to_string(),
            t.precision.map_or(String::new(), |p| format!("{p:.3}")),
            format!("{:.3}", t.weight),
            if t.fixed { "yes" } else { "" }.to_string(),
            if self.undated { "yes" } else { "" }.to_string(),
            hours(t.delay),
            hours(t.retention),
        ];
        for c in cells {
            out.push(b',');
            out.extend_from_slice(c.as_bytes());
        }
        out.push(b'\n');
    }
}

/// What [`sources`] found: each feed and sensor of the evidence, feeds
/// first, by name.
#[derive(Clone, Debug, PartialEq)]
pub struct SourcesReport {
    pub inputs: Vec<InputReport>,
    pub time: i64,
    pub rows: Vec<SourceRow>,
}

/// Each feed's and sensor's reliability as the scores weigh it
/// (`tl-score feeds`): estimated precision, weight, and for feeds the
/// delay and retention against the sensors.
pub fn sources(plan: &EvidencePlan) -> Result<SourcesReport, Error> {
    if plan.events.is_empty() && plan.indicators.is_empty() && plan.state.is_none() {
        return Err(Error::Plan(
            "feeds needs evidence: --events, --indicators or --state".into(),
        ));
    }
    let (state, inputs, _, fixed) = gather(plan, Default::Newest)?;
    let trust = Trust::detailed(&state, &fixed);
    let rows = (state.sources.iter().zip(trust.sources))
        .map(|(s, t)| SourceRow {
            kind: match s.kind {
                SourceKind::Feed => "feed",
                SourceKind::Sensor => "sensor",
            },
            name: s.name.clone(),
            category: s.category.clone(),
            trust: t,
            undated: s.kind == SourceKind::Feed && state.undated.binary_search(&s.name).is_ok(),
        })
        .collect();
    Ok(SourcesReport {
        inputs,
        time: state.time,
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_795_788_000; // 2026-11-27T14:00:00Z

    /// A directory with a small events and indicators input.
    fn inputs() -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("temporary directory");
        let write = |name: &str, text: &str| {
            std::fs::write(dir.path().join(name), text).expect("write an input");
        };
        write(
            "ev.csv",
            "time,source,sensor,port,proto,count\n\
             2026-11-27T13:00:00Z,192.0.2.1,hp-1,22,tcp,4\n\
             2026-11-27T13:00:00Z,192.0.2.1,hp-2,22,tcp,4\n\
             2026-11-27T13:00:00Z,not-an-address,hp-1,22,tcp,1\n",
        );
        write(
            "ind.csv",
            "indicator,type,feed,category,first_seen,last_seen,hits,confidence\n\
             192.0.2.1,ip,feodo,botnet-c2,2026-11-27T00:00:00Z,2026-11-27T00:00:00Z,1,1\n\
             198.51.100.0/24,net,drop,hijacked,2026-11-27T00:00:00Z,2026-11-27T00:00:00Z,1,1\n",
        );
        dir
    }

    fn path(dir: &tempfile::TempDir, name: &str) -> String {
        dir.path().join(name).to_string_lossy().into_owned()
    }

    fn plan(dir: &tempfile::TempDir) -> ScorePlan {
        ScorePlan {
            evidence: EvidencePlan {
                events: vec![path(dir, "ev.csv")],
                indicators: vec![path(dir, "ind.csv")],
                now: Some(NOW),
                ..EvidencePlan::default()
            },
            params: Params::default(),
            previous: None,
            min_score: None,
            top: None,
            reasons: false,
            save_state: Some(path(dir, "s.tls")),
            output: Some(path(dir, "list.csv")),
        }
    }

    #[test]
    fn run_reports_what_it_read_scored_and_wrote() {
        let dir = inputs();
        let report = run(&plan(&dir)).expect("run");
        assert_eq!(report.verdict, Verdict::Done);
        assert_eq!(report.time, NOW);
        assert_eq!(report.inputs.len(), 2);
        let (ev, ind) = (&report.inputs[0], &report.inputs[1]);
        assert_eq!(ev.file, path(&dir, "ev.csv"));
        assert_eq!((ev.problems.rows, ev.problems.skipped), (3, 1));
        assert_eq!(ev.problems.examples[0].line, 4);
        assert_eq!((ind.problems.rows, ind.problems.skipped), (2, 0));
        assert_eq!(report.entries, 2);
        assert_eq!(report.rows, 2);
        assert_eq!(report.state_saved, Some(path(&dir, "s.tls")));
        let list = std::fs::read_to_string(path(&dir, "list.csv")).expect("the list");
        assert_eq!(list.lines().count(), 1 + report.rows);
        assert!(list
            .lines()
            .nth(1)
            .is_some_and(|l| l.starts_with("192.0.2.1,ip,")));
        let state = State::read(&path(&dir, "s.tls")).expect("the saved state");
        assert_eq!(state.key_count(), report.entries);
    }

    #[test]
    fn strict_plans_stop_at_the_first_bad_row_and_write_nothing() {
        let dir = inputs();
        let mut p = plan(&dir);
        p.evidence.strict = true;
        let e = run(&p).expect_err("a bad row under strict");
        assert!(e.to_string().ends_with(
            "ev.csv:4: source is not an IP address: \
             '2026-11-27T13:00:00Z,not-an-address,hp-1,22,tcp,1'"
        ));
        assert!(!dir.path().join("list.csv").exists());
    }

    #[test]
    fn explain_says_no_for_a_query_without_evidence() {
        let dir = inputs();
        let p = ExplainPlan {
            evidence: plan(&dir).evidence,
            params: Params::default(),
            queries: vec!["192.0.2.1".into(), "203.0.113.9".into()],
        };
        let found = explain(&p).expect("explain");
        assert_eq!(found.verdict, Verdict::No);
        assert_eq!(found.unknown, vec!["203.0.113.9".to_string()]);
        let kinds: Vec<&str> = found.rows.iter().map(|r| r.kind).collect();
        assert_eq!(kinds, ["feed", "sensor", "sensor", "score"]);
    }
}
