//! The ingest stage: an [`IngestPlan`] (the feeds to read, how, and where
//! their rows go) in, an [`IngestReport`] (what each feed came to, which
//! failed) out. [`PlanBuilder`] merges a feed configuration with what a
//! caller (the command line of `tl-ingest`) says.

use super::collect::EXAMPLES;
use super::config::{self, Defaults};
use super::fetch::FetchSettings;
use super::{
    is_name, run_job, Collector, Columns, Counts, Error, FeedFormat, Job, Location, Outcome,
    Policy, RowContext, Rows, Settings,
};
use crate::error::{InputError, LineError, Verdict};
use crate::files::Output;
use crate::record::write_header;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Where the indicator rows go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Destination {
    /// One CSV of every feed: stdout for `None` or `-`, else a file
    /// replaced atomically. Nothing is written when a feed failed, so a
    /// list is never published with a feed silently missing.
    One(Option<String>),
    /// One `FEED.csv` per feed in this directory (created if need be); the
    /// feeds that were read are written, a failed feed's file is left as
    /// it was.
    PerFeed(String),
    /// One plain list of every feed's addresses and prefixes (one a line,
    /// IPv4 then IPv6, sorted, each once; domains left out and counted), as
    /// `tl-set` and `iprange` read: stdout for `None` or `-`, else a file
    /// replaced atomically. Like [`Destination::One`], nothing is written
    /// when a feed failed.
    Plain(Option<String>),
}

/// Everything one run of the ingest stage needs.
#[derive(Clone, Debug)]
pub struct IngestPlan {
    /// The inputs, in the order given; inputs of one feed name are merged.
    pub jobs: Vec<Job>,
    pub settings: Settings,
    /// Append the `ref` column (the feed's own reference: SBL, STIX id).
    pub with_ref: bool,
    /// A stale feed makes the verdict [`Verdict::No`].
    pub fail_on_stale: bool,
    pub destination: Destination,
}

/// What a caller asks for: a feed configuration, inputs and settings that
/// override the configuration's `[defaults]`. [`PlanBuilder::build`]
/// checks it and merges it into an [`IngestPlan`].
#[derive(Clone, Debug)]
pub struct PlanBuilder {
    /// Feed configuration (TOML) whose feeds are all ingested.
    pub config: Option<String>,
    /// A feed configuration already read (tl-update's inline feeds), used
    /// when `config` is `None`.
    pub loaded: Option<config::Config>,
    /// Files, `http(s)` URLs, `-` for stdin (the default without a
    /// configuration).
    pub inputs: Vec<String>,
    /// Feed name, category, confidence, format and columns of `inputs`.
    pub feed: Option<String>,
    pub category: Option<String>,
    pub confidence: f64,
    pub format: Option<FeedFormat>,
    pub columns: Columns,
    /// Overrides of `[defaults]`; `None` takes the configuration's value,
    /// else the built-in default.
    pub cache_dir: Option<PathBuf>,
    pub timeout: Option<Duration>,
    pub retries: Option<u32>,
    pub max_size: Option<u64>,
    pub max_prefix4: Option<u32>,
    pub max_prefix6: Option<u32>,
    /// Emit special-purpose space (or the configuration's setting).
    pub allow_special: bool,
    /// Expands AS numbers a feed lists into their networks.
    pub asn: Option<super::AsnNetworks>,
    /// Wait before the first retry.
    pub backoff: Duration,
    /// Any refused line is an error.
    pub strict: bool,
    /// A feed failed by the health rules is used anyway, with a warning.
    pub lenient: bool,
    /// The time for feeds that carry none, and the clock for cache ages
    /// and indicators' validity (the system clock when `None`).
    pub now: Option<i64>,
    pub with_ref: bool,
    pub fail_on_stale: bool,
    pub destination: Destination,
}

impl Default for PlanBuilder {
    fn default() -> Self {
        PlanBuilder {
            config: None,
            loaded: None,
            inputs: Vec::new(),
            feed: None,
            category: None,
            confidence: 1.0,
            format: None,
            columns: Columns::default(),
            cache_dir: None,
            timeout: None,
            retries: None,
            max_size: None,
            max_prefix4: None,
            max_prefix6: None,
            allow_special: false,
            asn: None,
            backoff: Duration::from_secs(1),
            strict: false,
            lenient: false,
            now: None,
            with_ref: false,
            fail_on_stale: false,
            destination: Destination::One(None),
        }
    }
}

impl PlanBuilder {
    /// Reads the configuration (if any), checks the values given for the
    /// inputs, and merges both into a plan: the configuration's feeds
    /// first, then the inputs.
    pub fn build(&self) -> Result<IngestPlan, Error> {
        let (mut jobs, defaults) = match (&self.config, &self.loaded) {
            (Some(path), _) => {
                let c = config::load(path)?;
                (c.jobs, c.defaults)
            }
            (None, Some(c)) => (c.jobs.clone(), c.defaults.clone()),
            (None, None) => (Vec::new(), Defaults::default()),
        };
        self.check_inputs()?;
        let mut inputs = self.inputs.clone();
        if inputs.is_empty() && self.config.is_none() && self.loaded.is_none() {
            inputs.push("-".into());
        }
        for arg in &inputs {
            match dir_files(arg)? {
                Some(files) => jobs.extend(files.iter().map(|f| self.input_job(f))),
                None => jobs.push(self.input_job(arg)),
            }
        }
        Ok(IngestPlan {
            jobs,
            settings: self.settings(&defaults),
            with_ref: self.with_ref,
            fail_on_stale: self.fail_on_stale,
            destination: self.destination.clone(),
        })
    }

    fn check_inputs(&self) -> Result<(), Error> {
        for (option, value) in [("--feed", &self.feed), ("--category", &self.category)] {
            if let Some(v) = value.as_deref().filter(|v| !is_name(v)) {
                return Err(Error::BadName {
                    option: option.into(),
                    value: v.into(),
                });
            }
        }
        if !(0.0..=1.0).contains(&self.confidence) {
            return Err(Error::BadConfidence {
                option: "--confidence".into(),
            });
        }
        Ok(())
    }

    fn input_job(&self, arg: &str) -> Job {
        Job {
            name: self.feed.clone(),
            category: self.category.clone(),
            confidence: Some(self.confidence),
            format: self.format,
            columns: self.columns.clone(),
            ..Job::new(Location::from_arg(arg))
        }
    }

    /// These settings over the configuration's over the built-in defaults.
    fn settings(&self, d: &Defaults) -> Settings {
        let fetch = FetchSettings::default();
        let policy = Policy::default();
        let clock = self.now.unwrap_or_else(crate::time::now);
        Settings {
            policy: Policy {
                max_prefix4: self
                    .max_prefix4
                    .or(d.max_prefix)
                    .unwrap_or(policy.max_prefix4),
                max_prefix6: self
                    .max_prefix6
                    .or(d.max_prefix6)
                    .unwrap_or(policy.max_prefix6),
                allow_special: self.allow_special || d.allow_special.unwrap_or(false),
                strict: self.strict,
                now: Some(clock),
            },
            fetch: FetchSettings {
                timeout: self.timeout.or(d.timeout).unwrap_or(fetch.timeout),
                retries: self.retries.or(d.retries).unwrap_or(fetch.retries),
                backoff: self.backoff,
                max_size: self.max_size.or(d.max_size).unwrap_or(fetch.max_size),
                cache_dir: self.cache_dir.clone().or(d.cache_dir.clone()),
            },
            now: self.now,
            clock,
            max_shrink: d.max_shrink.unwrap_or(super::health::MAX_SHRINK),
            lenient: self.lenient,
            asn: self.asn.clone(),
        }
    }
}

/// The feed files of a directory given as an input, `None` when it is no
/// directory: every regular file in it (symbolic links followed), by name
/// in byte order; hidden files (`.name`) and subdirectories are left out.
/// A directory without feed files is an error. A MISP feed folder
/// (`manifest.json`) is one feed, read by the MISP reader: `None` too.
fn dir_files(arg: &str) -> Result<Option<Vec<String>>, Error> {
    let dir = Path::new(arg);
    if arg == "-" || !dir.is_dir() || super::is_misp_folder(dir) {
        return Ok(None);
    }
    let io = |e: std::io::Error| Error::from(InputError::io(arg, &e));
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let entry = entry.map_err(io)?;
        let name = entry.file_name();
        let path = entry.path();
        if !name.as_encoded_bytes().starts_with(b".") && path.is_file() {
            names.push(path);
        }
    }
    names.sort_by(|a, b| {
        a.as_os_str()
            .as_encoded_bytes()
            .cmp(b.as_os_str().as_encoded_bytes())
    });
    if names.is_empty() {
        return Err(InputError::file(arg, "a directory without feed files").into());
    }
    Ok(Some(
        names
            .into_iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect(),
    ))
}

/// A refused line quoted in the report, with the input it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefusedLine {
    /// The input, as messages name it (path, URL, `stdin`).
    pub file: String,
    pub error: LineError,
}

impl RefusedLine {
    /// `FILE:LINE: reason: 'text'`.
    pub fn to_input_error(&self) -> InputError {
        self.error.in_file(&self.file)
    }
}

/// What one feed (all its inputs merged) came to.
#[derive(Clone, Debug)]
pub struct FeedReport {
    pub name: String,
    /// Its inputs, in the order given.
    pub sources: Vec<String>,
    /// The formats its inputs were read as, each once.
    pub formats: Vec<FeedFormat>,
    pub category: String,
    pub confidence: f64,
    /// The time rows without their own got (Unix seconds): the newest of
    /// its inputs'.
    pub time: i64,
    /// Why its rows are from a last good copy, one reason per stale input.
    pub stale: Vec<String>,
    /// It held no entries at all (only comments).
    pub empty: bool,
    /// Why it is failed by the health rules (accepted nothing, refused
    /// most lines, shrank too much, an HTML page), one reason per input;
    /// its rows are from a last good copy, or withheld.
    pub failed: Vec<String>,
    /// The same reasons under `lenient`: the copy read is used.
    pub warnings: Vec<String>,
    /// Its rows are not written: it failed and has no good copy.
    pub withheld: bool,
    pub counts: Counts,
    /// The first few refused lines.
    pub examples: Vec<RefusedLine>,
    /// What reading it decided that the user should know (the CSV column
    /// chosen by content), each with the input it is about.
    pub notes: Vec<String>,
}

impl FeedReport {
    /// The format names joined with `+` (`ipsum+csv`).
    pub fn format_names(&self) -> String {
        let names: Vec<&str> = self.formats.iter().map(|f| f.name()).collect();
        names.join("+")
    }

    pub fn is_stale(&self) -> bool {
        !self.stale.is_empty()
    }

    pub fn is_failed(&self) -> bool {
        !self.failed.is_empty()
    }
}

/// An input that could not be ingested.
#[derive(Debug)]
pub struct FailedFeed {
    /// The input, as messages name it (path, URL, `stdin`).
    pub source: String,
    /// The feed name the plan gave it, if any.
    pub name: Option<String>,
    pub error: Error,
}

/// What a run of the ingest stage came to.
#[derive(Debug)]
pub struct IngestReport {
    /// The feeds read, in name order.
    pub feeds: Vec<FeedReport>,
    /// The inputs that failed, in plan order.
    pub failed: Vec<FailedFeed>,
    /// Whether rows were written (not to one output when a feed failed).
    pub written: bool,
    /// Copied from the plan: a stale feed makes the verdict "no".
    pub fail_on_stale: bool,
    /// Inputs named apart because another input had the same stem, in
    /// plan order.
    pub renamed: Vec<Renamed>,
    /// Distinct domains a plain list left out.
    pub domains_left_out: usize,
}

/// An input whose default name (its stem) another input had too: it is
/// a feed of its own under a new name (see [`name_apart`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Renamed {
    /// The input, as messages name it.
    pub source: String,
    /// The stem both had, and the name this input's feed got.
    pub stem: String,
    pub name: String,
}

impl IngestReport {
    /// Failed when an input could not be ingested; No when a feed failed
    /// its health rules, or is stale and the plan says that fails the run;
    /// else Done.
    pub fn verdict(&self) -> Verdict {
        let stale = self.fail_on_stale && self.feeds.iter().any(FeedReport::is_stale);
        if !self.failed.is_empty() {
            Verdict::Failed
        } else if stale || self.feeds.iter().any(FeedReport::is_failed) {
            Verdict::No
        } else {
            Verdict::Done
        }
    }
}

/// Runs the ingest stage: every job of the plan in parallel, inputs of one
/// feed merged, rows written to the plan's destination. A feed that fails
/// is in the report; only failing to write the output is an error.
pub fn ingest(plan: &IngestPlan) -> Result<IngestReport, Error> {
    let mut results = crate::pool::map(&plan.jobs, |job| run_job(job, &plan.settings));
    let renamed = name_apart(&plan.jobs, &mut results);
    let lenient = plan.settings.lenient;
    let mut failed = Vec::new();
    let mut merged: BTreeMap<String, Merged> = BTreeMap::new();
    for (job, result) in plan.jobs.iter().zip(results) {
        match result {
            Ok(o) => {
                let local = !matches!(job.location, Location::Url(_));
                let max_shrink = job.max_shrink(&plan.settings);
                merge(&mut merged, o, lenient, local.then_some(max_shrink));
            }
            Err(error) => failed.push(FailedFeed {
                source: job.location.display(),
                name: job.name.clone(),
                error,
            }),
        }
    }
    let mut finished: Vec<(FeedReport, Rows)> = Vec::with_capacity(merged.len());
    for m in merged.into_values() {
        let local = m.local;
        let (mut report, rows) = m.finish();
        if let (Destination::PerFeed(dir), Some(max_shrink)) = (&plan.destination, local) {
            shrink_since_previous(&mut report, Path::new(dir), max_shrink, lenient);
        }
        finished.push((report, rows));
    }
    let all_read = failed.is_empty() && !finished.iter().any(|(f, _)| f.withheld);
    let (written, domains_left_out) = write(plan, &finished, all_read)?;
    Ok(IngestReport {
        domains_left_out,
        feeds: finished.into_iter().map(|(f, _)| f).collect(),
        failed,
        written,
        fail_on_stale: plan.fail_on_stale,
        renamed,
    })
}

/// Names apart inputs that would merge into one feed only because their
/// files (or URLs) share a stem: `a/drop.txt` and `b/drop.txt` are feeds
/// `a-drop` and `b-drop` (the parent directory, or the URL's host or last
/// directory, before the stem). When that does not tell them apart (no
/// parent, the same parent twice, a name already taken), they are `drop`,
/// `drop-2`, `drop-3` in plan order. Inputs named by the plan (`--feed`,
/// `name`) or by their own header, and one input given twice, are left
/// as they are.
fn name_apart(jobs: &[Job], results: &mut [Result<Outcome, Error>]) -> Vec<Renamed> {
    let mut by_stem: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let mut taken: BTreeSet<String> = BTreeSet::new();
    for (i, (job, r)) in jobs.iter().zip(results.iter()).enumerate() {
        let Ok(o) = r else { continue };
        if job.name.is_none() && o.name == job.location.stem() {
            by_stem.entry(o.name.clone()).or_default().push(i);
        } else {
            taken.insert(o.name.clone());
        }
    }
    let mut renamed = Vec::new();
    for (stem, inputs) in by_stem {
        // Distinct inputs in plan order; one given twice stays one feed.
        let mut sources: Vec<String> = Vec::new();
        for &i in &inputs {
            let d = jobs[i].location.display();
            if !sources.contains(&d) {
                sources.push(d);
            }
        }
        if sources.len() < 2 {
            taken.insert(stem);
            continue;
        }
        let by_parent: Option<Vec<String>> = (sources.iter())
            .map(|d| {
                parent_name(&Location::from_arg(d))
                    .map(|p| super::sanitize_name(&format!("{p}-{stem}")))
            })
            .collect();
        let distinct = |names: &[String]| {
            let set: BTreeSet<&String> = names.iter().collect();
            set.len() == names.len() && names.iter().all(|n| !taken.contains(n))
        };
        let names = match by_parent {
            Some(names) if distinct(&names) => names,
            _ => {
                let mut names = Vec::new();
                let mut n = 1;
                while names.len() < sources.len() {
                    let name = if n == 1 {
                        stem.clone()
                    } else {
                        super::sanitize_name(&format!("{stem}-{n}"))
                    };
                    if !taken.contains(&name) {
                        names.push(name);
                    }
                    n += 1;
                }
                names
            }
        };
        for &i in &inputs {
            let d = jobs[i].location.display();
            let k = sources.iter().position(|s| *s == d).unwrap_or(0);
            if let Ok(o) = &mut results[i] {
                o.name = names[k].clone();
            }
        }
        for (source, name) in sources.into_iter().zip(&names) {
            taken.insert(name.clone());
            renamed.push(Renamed {
                source,
                stem: stem.clone(),
                name: name.clone(),
            });
        }
    }
    renamed.sort_by_key(|r| {
        (jobs.iter())
            .position(|j| j.location.display() == r.source)
            .unwrap_or(usize::MAX)
    });
    renamed
}

/// The name of what holds an input: a file's parent directory, a URL's
/// last directory (or its host).
fn parent_name(location: &Location) -> Option<String> {
    let path = match location {
        Location::Stdin => return None,
        Location::File(p) => p.as_str(),
        Location::Url(u) => {
            let u = u.split(['?', '#']).next().unwrap_or(u);
            u.split_once("://").map_or(u, |x| x.1)
        }
    };
    let mut parts = path.trim_end_matches('/').rsplit('/').skip(1);
    parts
        .find(|p| !p.is_empty() && *p != ".")
        .filter(|p| *p != "..")
        .map(str::to_string)
}

/// One feed while its inputs are merged.
struct Merged {
    report: FeedReport,
    collector: Collector,
    /// Its share allowed to shrink, when every input is local (a file or
    /// stdin: no cache keeps a last good copy).
    local: Option<f64>,
}

impl Merged {
    /// Sorts the rows and fills in the counts.
    fn finish(self) -> (FeedReport, Rows) {
        let (rows, counts) = self.collector.finish();
        (
            FeedReport {
                counts,
                ..self.report
            },
            rows,
        )
    }
}

/// Adds one input's outcome to its feed; `local` is the input's
/// `max_shrink` when it is a file or stdin.
fn merge(feeds: &mut BTreeMap<String, Merged>, mut o: Outcome, lenient: bool, local: Option<f64>) {
    let (failed, warnings) = match o.health.take() {
        Some(why) if lenient => (Vec::new(), vec![why]),
        Some(why) => (vec![why], Vec::new()),
        None => (Vec::new(), Vec::new()),
    };
    // Examples are kept here, with their input; the collector's own merge
    // would lose which input they came from.
    let examples = std::mem::take(&mut o.collector.examples);
    let notes: Vec<String> = std::mem::take(&mut o.collector.notes)
        .into_iter()
        .map(|n| format!("{}: {n}", o.source))
        .collect();
    let refused = examples.into_iter().map(|error| RefusedLine {
        file: o.source.clone(),
        error,
    });
    let Some(f) = feeds.get_mut(&o.name) else {
        let report = FeedReport {
            name: o.name.clone(),
            sources: vec![o.source.clone()],
            formats: vec![o.format],
            category: o.category,
            confidence: o.confidence,
            time: o.time,
            stale: o.stale.into_iter().collect(),
            empty: o.empty,
            failed,
            warnings,
            withheld: o.withheld,
            counts: Counts::default(),
            examples: refused.collect(),
            notes,
        };
        let collector = o.collector;
        let merged = Merged {
            report,
            collector,
            local,
        };
        feeds.insert(o.name, merged);
        return;
    };
    f.local = f.local.zip(local).map(|(a, b)| a.max(b));
    let r = &mut f.report;
    let room = EXAMPLES.saturating_sub(r.examples.len());
    r.examples.extend(refused.take(room));
    r.notes.extend(notes);
    f.collector.absorb(o.collector);
    r.sources.push(o.source);
    if !r.formats.contains(&o.format) {
        r.formats.push(o.format);
    }
    r.stale.extend(o.stale);
    r.empty &= o.empty;
    r.failed.extend(failed);
    r.warnings.extend(warnings);
    r.withheld |= o.withheld;
    // One time per feed: the newest of its inputs.
    r.time = r.time.max(o.time);
    if r.category.is_empty() {
        r.category = o.category;
    }
}

/// The shrink rule for a local feed written to an output directory: its
/// previous file there (our own CSV, which a failed copy never replaces)
/// is its last good copy. Fewer rows than (1 − `max_shrink`) times that
/// file's fails the feed (a warning under `lenient`).
fn shrink_since_previous(f: &mut FeedReport, dir: &Path, max_shrink: f64, lenient: bool) {
    if f.is_failed() || f.withheld {
        return;
    }
    let path = dir.join(format!("{}.csv", f.name));
    let Some(good) = previous_rows(&path) else {
        return;
    };
    let since = format!("its previous rows in {}", path.display());
    let Some(why) = super::health::shrunk(f.counts.accepted, good, max_shrink, &since) else {
        return;
    };
    if lenient {
        f.warnings.push(why);
    } else {
        f.failed.push(why);
        f.withheld = true;
    }
}

/// The rows of an indicators CSV we wrote (its lines after the header);
/// `None` when there is no such file or it is not ours.
fn previous_rows(path: &Path) -> Option<u64> {
    use std::io::{BufRead, Read};
    let file = std::fs::File::open(path).ok()?;
    let mut r = std::io::BufReader::with_capacity(1 << 16, file);
    let mut header = Vec::new();
    r.read_until(b'\n', &mut header).ok()?;
    if !header.starts_with(crate::record::INDICATOR_HEADER.as_bytes()) {
        return None;
    }
    let mut rows = 0u64;
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = r.read(&mut buf).ok()?;
        if n == 0 {
            return Some(rows);
        }
        rows += memchr::memchr_iter(b'\n', &buf[..n]).count() as u64;
    }
}

/// Writes the rows to the plan's destination; whether anything was
/// written, and how many domains a plain list left out.
fn write(
    plan: &IngestPlan,
    feeds: &[(FeedReport, Rows)],
    all_read: bool,
) -> Result<(bool, usize), Error> {
    let context = |f: &FeedReport| RowContext {
        feed: f.name.clone(),
        category: f.category.clone(),
        time: f.time,
        confidence: f.confidence,
        with_ref: plan.with_ref,
    };
    match &plan.destination {
        Destination::PerFeed(dir) => {
            std::fs::create_dir_all(dir).map_err(|source| Error::Create {
                path: dir.clone(),
                source,
            })?;
            for (f, rows) in feeds.iter().filter(|(f, _)| !f.withheld) {
                let path = Path::new(dir).join(format!("{}.csv", f.name));
                let path = path.to_string_lossy().into_owned();
                write_csv(Some(&path), plan.with_ref, &[(rows, context(f))])?;
            }
            Ok((true, 0))
        }
        Destination::One(_) | Destination::Plain(_) if !all_read => Ok((false, 0)),
        Destination::Plain(path) => Ok((true, write_plain(path.as_deref(), feeds)?)),
        Destination::One(path) => {
            let parts: Vec<_> = feeds.iter().map(|(f, rows)| (rows, context(f))).collect();
            write_csv(path.as_deref(), plan.with_ref, &parts)?;
            Ok((true, 0))
        }
    }
}

/// The plain list of every feed's prefixes: IPv4 then IPv6, sorted, each
/// once, a host as a bare address. Returns how many distinct domains it
/// left out.
fn write_plain(path: Option<&str>, feeds: &[(FeedReport, Rows)]) -> Result<usize, Error> {
    let (mut v4, mut v6, mut domains) = (Vec::new(), Vec::new(), Vec::new());
    for (_, rows) in feeds.iter().filter(|(f, _)| !f.withheld) {
        let d = rows.prefixes();
        v4.extend(d.v4);
        v6.extend(d.v6);
        domains.extend(d.domains);
    }
    v4.sort_unstable();
    v4.dedup();
    v6.sort_unstable();
    v6.dedup();
    domains.sort_unstable();
    domains.dedup();
    let mut buf = Vec::with_capacity(16 * (v4.len() + v6.len()));
    for k in v4 {
        let p = crate::net::Prefix {
            addr: (k >> 8) as u32,
            len: (k & 0xff) as u32,
        };
        crate::net::write_cidr(&mut buf, p, true);
        buf.push(b'\n');
    }
    for (addr, len) in v6 {
        let p = crate::net::Prefix {
            addr,
            len: len as u32,
        };
        crate::net::write_cidr(&mut buf, p, true);
        buf.push(b'\n');
    }
    let mut out = Output::create(path).map_err(|source| Error::Create {
        path: path.unwrap_or("-").to_string(),
        source,
    })?;
    out.write_all(&buf).map_err(Error::Write)?;
    out.flush().map_err(Error::Write)?;
    out.finish().map_err(Error::Write)?;
    Ok(domains.len())
}

/// One CSV (header, then each part's rows) to stdout or a file replaced
/// atomically.
fn write_csv(
    path: Option<&str>,
    with_ref: bool,
    parts: &[(&Rows, RowContext)],
) -> Result<(), Error> {
    let mut out = Output::create(path).map_err(|source| Error::Create {
        path: path.unwrap_or("-").to_string(),
        source,
    })?;
    write_header(&mut out, with_ref).map_err(Error::Write)?;
    for (rows, ctx) in parts {
        rows.write(ctx, &mut out).map_err(Error::Write)?;
    }
    out.flush().map_err(Error::Write)?;
    out.finish().map_err(Error::Write)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> String {
        format!("{}/fixtures/feeds/{name}", env!("CARGO_MANIFEST_DIR"))
    }

    fn plan(inputs: &[String], destination: Destination) -> IngestPlan {
        PlanBuilder {
            inputs: inputs.to_vec(),
            now: Some(1_767_225_600),
            retries: Some(0),
            destination,
            ..PlanBuilder::default()
        }
        .build()
        .unwrap()
    }

    /// A good feed, two failed by the health rules (most lines refused, an
    /// HTML page) and one that cannot be read: the report has the counts
    /// and refused lines of the feeds read, why two are failed (withheld:
    /// no good copy), the typed error of the other, and the one output is
    /// not written.
    #[test]
    fn reports_feeds_and_typed_failures() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("all.csv").to_string_lossy().into_owned();
        let inputs = [
            fixture("list.txt"),
            fixture("bad/glued.txt"),
            fixture("bad/html-error.txt"),
            "http://127.0.0.1:1/drop.txt".to_string(),
        ];
        let report = ingest(&plan(&inputs, Destination::One(Some(out.clone())))).unwrap();
        let names: Vec<&str> = report.feeds.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["glued", "html-error", "list"]);
        let list = &report.feeds[2];
        assert!(!list.is_failed() && !list.withheld);
        assert_eq!((list.counts.read, list.counts.entries), (10, 7));
        assert_eq!((list.counts.accepted, list.counts.duplicates), (6, 1));
        assert_eq!(list.formats, [FeedFormat::List]);
        assert_eq!(list.time, 1_767_225_600);
        let glued = &report.feeds[0];
        assert_eq!(glued.counts.accepted, 1);
        assert_eq!(glued.counts.rejected_total(), 6);
        assert_eq!(glued.examples[0].file, inputs[1]);
        assert_eq!(glued.examples[0].error.line, 3);
        assert_eq!(
            glued.examples[0].error.reason,
            "two addresses glued together"
        );
        assert_eq!(
            glued.failed,
            ["refused 6 of 7 entry lines (more than half)"]
        );
        assert!(glued.withheld);
        let html = &report.feeds[1];
        assert_eq!(
            html.failed,
            ["an HTML page, not a feed (an error or login page?)"]
        );
        assert!(html.withheld);

        assert_eq!(report.failed.len(), 1);
        match &report.failed[0].error {
            Error::Fetch { url, .. } => assert_eq!(url, &inputs[3]),
            other => panic!("not a fetch error: {other:?}"),
        }
        assert!(!report.written);
        assert!(!Path::new(&out).exists());
        assert_eq!(report.verdict(), Verdict::Failed);
    }

    /// One file per feed: the feeds that were read are written.
    #[test]
    fn per_feed_files_are_written_beside_a_failure() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out").to_string_lossy().into_owned();
        let inputs = [fixture("list.txt"), fixture("bad/html-error.txt")];
        let report = ingest(&plan(&inputs, Destination::PerFeed(out.clone()))).unwrap();
        assert!(report.written);
        assert!(report.failed.is_empty());
        assert!(report.feeds[0].withheld);
        assert_eq!(report.verdict(), Verdict::No);
        let csv = std::fs::read_to_string(Path::new(&out).join("list.csv")).unwrap();
        assert_eq!(csv.lines().count(), 1 + 6);
        assert!(!Path::new(&out).join("html-error.csv").exists());
    }

    #[test]
    fn bad_names_are_typed_errors() {
        let b = PlanBuilder {
            feed: Some("a b".into()),
            ..PlanBuilder::default()
        };
        assert!(matches!(b.build(), Err(Error::BadName { .. })));
        let b = PlanBuilder {
            confidence: 2.0,
            ..PlanBuilder::default()
        };
        assert!(matches!(b.build(), Err(Error::BadConfidence { .. })));
    }
}
