//! The `tl-logs` stage: read every log (blocks in parallel), match each
//! event against the lists in force at its time, and tally the result
//! into an [`Analysis`].

use super::matcher::{ListSource, Matcher};
use super::source::{self, Block, Blocks};
use super::tally::{Analysis, Dest, Tally, Why};
use super::{columns::Columns, detect, parse_line, parse_text, Context, Format, Skip, YearGuess};
use crate::error::InputError;
use crate::profile::query::Opener;
use crate::set::IpSet;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::mpsc;

/// One log to read.
#[derive(Clone, Debug)]
pub struct LogInput {
    /// A file (plain or gzip), or `-` for stdin.
    pub path: PathBuf,
    /// The format, when forced; detected from the first lines otherwise.
    pub format: Option<Format>,
    /// The zone of times written without one (syslog, device stamps).
    pub zone: jiff::tz::TimeZone,
}

/// What `tl-logs` is asked to do.
pub struct LogsPlan {
    /// The logs, in any order: rotated sets are read oldest first.
    pub inputs: Vec<LogInput>,
    pub lists: ListSource,
    /// Inside networks (`--inside`); the profile's own networks otherwise.
    pub inside: Option<IpSet>,
    /// The column mapping of [`Format::Csv`].
    pub columns: Option<Columns>,
    /// A GeoIP country database for the countries of listed addresses.
    pub geo_db: Option<PathBuf>,
    /// Any unparseable line fails the run.
    pub strict: bool,
    /// Collect sensor events (`--events`).
    pub sensor_events: bool,
    /// Worker threads.
    pub threads: usize,
    /// The time a file's lines may not be later than, when the file has no
    /// modification time of its own (stdin); also the default reference.
    pub now: i64,
}

/// What stops the stage.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Input(#[from] InputError),
    #[error(transparent)]
    Geo(#[from] crate::geo::Error),
}

/// Lines looked at to detect a file's format.
const DETECT_LINES: usize = 200;

/// Reads, matches and tallies every input.
pub fn analyze(plan: &LogsPlan) -> Result<Analysis, Error> {
    let m = Matcher::load(&plan.lists, plan.inside.clone())?;
    let inputs = source::order(plan.inputs.clone(), |i| i.path.as_path());
    let workers = plan.threads.max(1);
    let mut total = Tally::new(inputs.len(), plan.sensor_events);
    for (i, input) in inputs.iter().enumerate() {
        let t = read_one(plan, &m, i, input, inputs.len(), workers)?;
        total.merge(t);
    }
    if plan.strict {
        strict_check(&total)?;
    }
    let mut why = Explainer::new(&m, plan.geo_db.as_deref())?;
    Ok(total.finish(&m, &mut |v, d| why.why(v, d)))
}

fn strict_check(t: &Tally) -> Result<(), InputError> {
    for f in &t.files {
        if let Some(b) = &f.broken {
            return Err(InputError::file(f.path.clone(), b.clone()));
        }
        let bad = f
            .samples
            .iter()
            .filter(|(_, r)| *r != Skip::Empty.reason())
            .min();
        if let Some((line, reason)) = bad {
            return Err(InputError {
                file: f.path.clone(),
                line: Some(*line),
                reason: format!("{reason} (--strict)"),
                text: None,
            });
        }
    }
    Ok(())
}

/// Reads one file into its own tally.
fn read_one(
    plan: &LogsPlan,
    m: &Matcher,
    index: usize,
    input: &LogInput,
    files: usize,
    workers: usize,
) -> Result<Tally, Error> {
    let name = input.path.display().to_string();
    let opened = crate::files::open(&name).map_err(|e| InputError::io(name.clone(), &e))?;
    let reference = if name == "-" {
        plan.now
    } else {
        Context::for_file(&input.path)
            .map(|c| c.year.reference())
            .unwrap_or(plan.now)
    };
    let mut template = Context::new(reference);
    template.year = YearGuess::in_zone(reference, input.zone.clone());
    template.columns = plan.columns.clone();
    template.lean = true;

    let mut blocks = Blocks::new(opened.reader);
    let mut tally = Tally::new(files, plan.sensor_events);
    tally.files[index].path = name.clone();
    let Some(first) = blocks.next_block(Vec::new()) else {
        finish_file(&mut tally.files[index], &blocks);
        return Ok(tally);
    };
    let format = match input.format {
        Some(f) => f,
        None => {
            let lines: Vec<&[u8]> = source::lines(&first.data).take(DETECT_LINES).collect();
            detect(&lines).ok_or_else(|| {
                InputError::file(
                    name.clone(),
                    format!(
                        "cannot tell the log format from its first lines (force one with --format: {})",
                        Format::ALL.map(Format::name).join(", ")
                    ),
                )
            })?
        }
    };
    if format == Format::Csv && plan.columns.is_none() {
        return Err(InputError::file(name, "the csv format needs --columns").into());
    }
    tally.files[index].format = Some(format.name());
    let job = Job {
        m,
        index,
        format,
        template: &template,
    };
    // Formats with a header line read in order, on this thread.
    if workers == 1 || format.reads_comments() {
        let mut cx = template.clone();
        let mut block = Some(first);
        while let Some(b) = block {
            job.run_in(&mut tally, &b, &mut cx);
            block = blocks.next_block(b.data);
        }
    } else {
        let (to_workers, from_reader) = mpsc::sync_channel::<Block>(workers * 2);
        let (recycle, recycled) = mpsc::channel::<Vec<u8>>();
        let from_reader = std::sync::Mutex::new(from_reader);
        let parts: Vec<Tally> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..workers)
                .map(|_| {
                    let (rx, recycle) = (&from_reader, recycle.clone());
                    let job = &job;
                    s.spawn(move || {
                        let mut t = Tally::new(files, plan.sensor_events);
                        loop {
                            let next = rx.lock().unwrap_or_else(|e| e.into_inner()).recv();
                            let Ok(b) = next else { break };
                            job.run(&mut t, &b);
                            let _ = recycle.send(b.data);
                        }
                        t
                    })
                })
                .collect();
            let mut block = Some(first);
            while let Some(b) = block {
                if to_workers.send(b).is_err() {
                    break;
                }
                block = blocks.next_block(recycled.try_recv().unwrap_or_default());
            }
            drop(to_workers);
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
                .collect()
        });
        for p in parts {
            tally.merge(p);
        }
    }
    finish_file(&mut tally.files[index], &blocks);
    Ok(tally)
}

fn finish_file<R>(f: &mut super::tally::FileTally, blocks: &Blocks<R>) {
    f.bytes = blocks.ending.bytes;
    f.broken = blocks.ending.broken.clone();
    for line in &blocks.ending.long_lines {
        f.lines += 1;
        f.skip(Skip::TooLong, *line);
    }
}

/// Parsing one file's blocks.
struct Job<'a> {
    m: &'a Matcher,
    index: usize,
    format: Format,
    template: &'a Context,
}

impl Job<'_> {
    fn run(&self, t: &mut Tally, b: &Block) {
        let mut cx = self.template.clone();
        self.run_in(t, b, &mut cx);
    }

    fn run_in(&self, t: &mut Tally, b: &Block, cx: &mut Context) {
        let lost_before = cx.lost;
        let mut take = |n: u64, parsed: Result<Option<super::Event>, Skip>| match parsed {
            Ok(Some(ev)) => t.event(self.index, &ev, self.m),
            Ok(None) => {}
            Err(skip) => t.files[self.index].skip(skip, n),
        };
        // A block of valid UTF-8 (the rule) is checked once, not line by line.
        match std::str::from_utf8(&b.data) {
            Ok(text) => {
                for (n, line) in (b.first_line..).zip(source::str_lines(text)) {
                    take(n, parse_text(self.format, line, cx));
                }
            }
            Err(_) => {
                for (n, line) in (b.first_line..).zip(source::lines(&b.data)) {
                    take(n, parse_line(self.format, line, cx));
                }
            }
        }
        let f = &mut t.files[self.index];
        f.lines += b.lines;
        f.lost += cx.lost - lost_before;
    }
}

/// Why listed addresses are listed, from the provenance of the version
/// that listed them (opened once each), and their countries.
struct Explainer<'a> {
    m: &'a Matcher,
    opener: Opener,
    opened: HashMap<usize, Option<crate::profile::explain::Explained>>,
    geo: Option<crate::geo::Resolver>,
}

impl<'a> Explainer<'a> {
    fn new(m: &'a Matcher, geo_db: Option<&std::path::Path>) -> Result<Self, Error> {
        let geo = match geo_db {
            Some(p) => Some(crate::geo::Resolver::new(
                crate::geo::Database::open(p)?,
                None,
            )),
            None => None,
        };
        Ok(Explainer {
            m,
            opener: Opener::default(),
            opened: HashMap::new(),
            geo,
        })
    }

    fn why(&mut self, version: usize, d: &Dest) -> Why {
        let mut why = Why::default();
        let entry = match d {
            Dest::Addr(a) => Some(crate::net::Entry::from(*a)),
            Dest::Name(_) => None,
        };
        if let (Some(geo), Some(e)) = (&mut self.geo, &entry) {
            if let Ok(Some(r)) = geo.lookup(e) {
                why.country = r
                    .country
                    .as_ref()
                    .map(|c| crate::geo::codes::code_str(c).to_string());
            }
        }
        let m = self.m;
        let opener = &mut self.opener;
        let explained = self.opened.entry(version).or_insert_with(|| {
            let dir = m.versions.get(version)?.dir.as_ref()?;
            opener.open(dir).ok()
        });
        let Some(e) = explained else {
            why.policy
                .push(if entry.is_some() { "list" } else { "domains" }.into());
            return why;
        };
        let rows = match (d, &entry) {
            (_, Some(entry)) => e.rows(Some(entry)),
            (Dest::Name(n), None) => e
                .own
                .iter()
                .filter(|r| r.list == "domains" && crate::net::domain::is_under(n, &r.entry))
                .cloned()
                .collect(),
            _ => Vec::new(),
        };
        for r in rows {
            if !matches!(r.list.as_str(), "block-in" | "block-out" | "domains") {
                continue;
            }
            let push = |v: &mut Vec<String>, s: String| {
                if !v.contains(&s) {
                    v.push(s);
                }
            };
            match r.reason.as_str() {
                "feed" => push(&mut why.feeds, r.detail.clone()),
                "category" => push(&mut why.categories, r.detail.clone()),
                "score" => {
                    if let Ok(s) = r.detail.parse::<f64>() {
                        why.score = Some(why.score.map_or(s, |w| w.max(s)));
                    }
                }
                "custom" => push(&mut why.policy, "custom".into()),
                "country" if why.country.is_none() => {
                    why.country = Some(r.detail.clone());
                    push(&mut why.policy, format!("country:{}", r.detail));
                }
                other => push(&mut why.policy, format!("{other}:{}", r.detail)),
            }
        }
        why.feeds.sort();
        why.categories.sort();
        why.policy.sort();
        why
    }
}
