//! The whole server side in one run, as `tl-update` does it every few
//! hours: feeds ingested, the new evidence added to the scoring state,
//! every profile compiled, the zones written and reloaded, firewall rules
//! rendered where a profile asks, and the firewall logs read back into
//! sensor events for the next run. Each step calls a stage of this
//! library; nothing here prints.
//!
//! The configuration is [`config`]; what a run keeps between runs is
//! [`state`]; what it did is an [`UpdateReport`] ([`report`]), which
//! [`metrics`] turns into a Prometheus textfile.
//!
//! A run is idempotent: a feed snapshot or an event file is added to the
//! state once ([`state::Ledger`]), a profile whose lists did not change
//! keeps its version, and a zone that did not change keeps its serial and
//! is not reloaded.

pub mod config;
mod dry;
pub mod metrics;
pub mod report;
pub mod state;

pub use config::Config;
pub use report::UpdateReport;

use crate::error::InputError;
use report::{EventsStatus, FeedStatus, LogsStatus, Paths, ProfileStatus, RulesStatus, Timing};
use state::{FeedMark, FileMark, Ledger, StateDir};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// What one run is asked to do.
#[derive(Clone, Debug)]
pub struct UpdatePlan {
    pub config: Config,
    /// The time of the run: `--now`, else the configuration's, else the
    /// clock.
    pub now: Option<i64>,
    /// Run everything on a copy and publish nothing.
    pub dry_run: bool,
    /// Publish although a guard holds a profile back.
    pub force: bool,
}

/// The steps of a run, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Geo,
    Ingest,
    Score,
    Compile,
    Zone,
    Render,
    Logs,
}

impl Step {
    pub fn name(self) -> &'static str {
        match self {
            Step::Geo => "geo",
            Step::Ingest => "ingest",
            Step::Score => "score",
            Step::Compile => "compile",
            Step::Zone => "zone",
            Step::Render => "render",
            Step::Logs => "logs",
        }
    }
}

/// Told when each step starts and ends (a progress display).
pub trait Progress {
    fn start(&self, _step: Step) {}
    fn done(&self, _step: Step, _seconds: f64) {}
}

/// No progress display.
pub struct NoProgress;
impl Progress for NoProgress {}

/// What stops a run. Feeds that fail or are stale do not: they are in the
/// report.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Input(#[from] InputError),
    #[error("another tl-update run holds {}; try again when it is done", .0.display())]
    Locked(PathBuf),
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the time of the run ({now}) is before the state's ({state}); replay from a copy of the state directory")]
    Backwards { now: String, state: String },
    #[error("no feed could be read and there is no earlier evidence: nothing to publish")]
    NoEvidence,
    #[error(transparent)]
    Feed(#[from] crate::feed::Error),
    #[error(transparent)]
    Geo(#[from] crate::geo::Error),
    #[error(transparent)]
    Score(#[from] crate::score::Error),
    #[error(transparent)]
    Profile(#[from] crate::profile::Error),
    #[error(transparent)]
    Zone(#[from] crate::zone::Error),
    #[error("firewall rules of {profile}: {source}")]
    Firewall {
        profile: String,
        source: crate::firewall::Error,
    },
    #[error("logs: {0}")]
    Logs(#[from] crate::logs::analyze::Error),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Runs the whole chain once, without progress display.
pub fn run(plan: &UpdatePlan) -> Result<UpdateReport, Error> {
    run_with(plan, &NoProgress)
}

/// Runs the whole chain once, telling `progress` about each step.
pub fn run_with(plan: &UpdatePlan, progress: &dyn Progress) -> Result<UpdateReport, Error> {
    let real = &plan.config;
    let state = StateDir::new(&real.state_dir);
    let _lock = state
        .lock()
        .map_err(io(&real.state_dir))?
        .ok_or_else(|| Error::Locked(state.lock_file()))?;
    dry::remove_leftovers(&real.state_dir).map_err(io(&real.state_dir))?;
    let now = plan.now.or(real.now).unwrap_or_else(crate::time::now);
    // A dry run works on a copy whose every file is a hard link: the
    // stages replace files by rename, so the originals stay as they are.
    let mirror = if plan.dry_run {
        Some(dry::Mirror::new(real).map_err(io(&real.state_dir))?)
    } else {
        None
    };
    let cfg = match &mirror {
        Some(m) => m.config(),
        None => real.clone(),
    };
    let mut run = Run {
        cfg: &cfg,
        state: StateDir::new(&cfg.state_dir),
        plan,
        now,
        progress,
        report: UpdateReport::new(now, plan.dry_run),
    };
    run.steps()?;
    let mut report = run.report;
    report.paths = Paths::of(real);
    if let Some(m) = &mirror {
        m.restore_paths(&mut report);
    }
    Ok(report)
}

/// One run in progress.
struct Run<'a> {
    cfg: &'a Config,
    state: StateDir,
    plan: &'a UpdatePlan,
    now: i64,
    progress: &'a dyn Progress,
    report: UpdateReport,
}

impl Run<'_> {
    /// Times one step.
    fn step<T>(
        &mut self,
        step: Step,
        f: impl FnOnce(&mut Self) -> Result<T, Error>,
    ) -> Result<T, Error> {
        self.progress.start(step);
        let t = Instant::now();
        let r = f(self)?;
        let seconds = t.elapsed().as_secs_f64();
        self.progress.done(step, seconds);
        self.report.timings.push(Timing {
            step: step.name(),
            seconds,
        });
        Ok(r)
    }

    fn steps(&mut self) -> Result<(), Error> {
        let previous = self.state.current_run().map_err(io(self.state.root()))?;
        let mut ledger = previous
            .as_ref()
            .map(|(_, l)| l.clone())
            .unwrap_or_default();
        if let Some(t) = ledger.time.filter(|t| self.now < *t) {
            return Err(Error::Backwards {
                now: crate::time::format(self.now),
                state: crate::time::format(t),
            });
        }
        let prev_dir = previous.map(|(d, _)| d);
        // A bad profile or firewall target stops the run before anything
        // is fetched or published.
        let profiles = crate::profile::load_profiles(&self.profile_args())?;
        let targets: Vec<Vec<crate::firewall::Target>> = (profiles.iter())
            .map(crate::firewall::target::of_profile)
            .collect::<Result<_, _>>()?;
        let (country, asn) = self.step(Step::Geo, Run::geo)?;
        let indicators = self.step(Step::Ingest, |r| r.ingest(&mut ledger, asn.as_deref()))?;
        let in_force = prev_dir.as_deref().and_then(state::run_number);
        let events = self.events(&mut ledger, in_force)?;
        let spooled: Vec<PathBuf> = (events.iter().map(PathBuf::from))
            .filter(|f| f.starts_with(self.state.spool()))
            .collect();
        let run_dir = self.state.new_run().map_err(io(&self.state.runs()))?;
        self.step(Step::Score, |r| {
            r.score(prev_dir.as_deref(), &run_dir, indicators, events)
        })?;
        ledger.time = Some(self.now);
        let scores = run_dir.join(state::SCORES_FILE);
        let published = self.step(Step::Compile, |r| {
            r.compile(&scores, &profiles, country.clone(), asn)
        })?;
        self.step(Step::Zone, Run::zone)?;
        self.step(Step::Render, |r| {
            r.render(&scores, &profiles, &targets, &published)
        })?;
        if self.cfg.logs.is_some() {
            self.step(Step::Logs, |r| {
                r.logs(&mut ledger, &run_dir, country.as_deref())
            })?;
        }
        self.state.switch(&run_dir, &ledger).map_err(io(&run_dir))?;
        // The spool's files are in the state now; the ledger forgets them
        // next run.
        for f in spooled {
            let _ = fs::remove_file(f);
        }
        self.report.finish();
        Ok(())
    }

    /// The geo databases: configured files, or built from CSV into the
    /// state when missing or older than a CSV.
    fn geo(&mut self) -> Result<(Option<String>, Option<String>), Error> {
        let mut dbs = Vec::new();
        for (what, src) in [("country", &self.cfg.country), ("asn", &self.cfg.asn)] {
            dbs.push(match src {
                None => None,
                Some(config::GeoSource::Db(p)) => Some(p.to_string_lossy().into_owned()),
                Some(config::GeoSource::Csv(inputs)) => {
                    let out = self.state.geo().join(format!("{what}.mmdb"));
                    if needs_build(&out, inputs) {
                        fs::create_dir_all(self.state.geo()).map_err(io(&self.state.geo()))?;
                        crate::geo::stage::build(&crate::geo::stage::BuildPlan {
                            inputs: inputs
                                .iter()
                                .map(|p| p.to_string_lossy().into_owned())
                                .collect(),
                            output: out.clone(),
                            options: Default::default(),
                        })?;
                    }
                    Some(out.to_string_lossy().into_owned())
                }
            });
        }
        let asn = dbs.pop().flatten();
        Ok((dbs.pop().flatten(), asn))
    }

    /// Reads every feed into its own indicators file; returns the files
    /// whose content the state has not taken in yet. With an ASN database
    /// (`asn`), feeds that list ASes (ASN-DROP) are expanded to their
    /// networks, as `tl-ingest --asn-db` does.
    fn ingest(&mut self, ledger: &mut Ledger, asn: Option<&str>) -> Result<Vec<String>, Error> {
        let dir = self.state.indicators();
        let cache = self.state.feed_cache();
        let asn = asn
            .map(|p| crate::geo::asn_networks(Path::new(p)))
            .transpose()?;
        let plan = crate::feed::PlanBuilder {
            loaded: Some(self.cfg.feeds.clone()),
            cache_dir: Some(cache),
            retries: None,
            now: Some(self.now),
            destination: crate::feed::Destination::PerFeed(dir.to_string_lossy().into_owned()),
            asn,
            ..crate::feed::PlanBuilder::default()
        }
        .build()?;
        let r = crate::feed::ingest(&plan)?;
        let mut fresh = Vec::new();
        for f in &r.feeds {
            if f.withheld {
                // Failed by the feed health rules without a good copy: its
                // last evidence stays, as for a feed that could not be read.
                let mark = ledger.feeds.entry(f.name.clone()).or_default();
                mark.failures += 1;
                let why = f.failed.join("; ");
                let status = FeedStatus::failed(&f.name, &why, mark, self.now);
                self.report.feeds.push(status);
                continue;
            }
            let path = self.state.indicator_file(&f.name);
            let crc = FileMark::read(&path).map_err(io(&path))?.crc;
            let mark = ledger.feeds.entry(f.name.clone()).or_default();
            let added = mark.crc != Some(crc);
            if added {
                fresh.push(path.to_string_lossy().into_owned());
            }
            if !f.failed.is_empty() {
                // Failed by the health rules, its last good copy read in
                // its place: failed all the same, so that it is counted
                // and alerted on.
                mark.crc = Some(crc);
                mark.failures += 1;
                let why = f.failed.join("; ");
                let status = FeedStatus::failed(&f.name, &why, mark, self.now);
                self.report.feeds.push(status);
                continue;
            }
            *mark = FeedMark {
                crc: Some(crc),
                last_ok: Some(f.time),
                failures: 0,
            };
            self.report.feeds.push(FeedStatus::read(f, self.now, added));
        }
        for failed in &r.failed {
            let name = failed.name.clone().unwrap_or_else(|| failed.source.clone());
            let mark = ledger.feeds.entry(name.clone()).or_default();
            mark.failures += 1;
            self.report.feeds.push(FeedStatus::failed(
                &name,
                &failed.error.to_string(),
                mark,
                self.now,
            ));
        }
        self.report.feeds.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(fresh)
    }

    /// The event files not consumed yet: the configured ones and the
    /// spool's. A file that changed after it was consumed is skipped and
    /// named in the report.
    fn events(&mut self, ledger: &mut Ledger, in_force: Option<u64>) -> Result<Vec<String>, Error> {
        self.state
            .drop_orphans(in_force)
            .map_err(io(&self.state.spool()))?;
        let mut files = Vec::new();
        for p in self.cfg.events.iter().chain([&self.state.spool()]) {
            let spool = *p == self.state.spool();
            if p.is_dir() {
                let mut v: Vec<PathBuf> = fs::read_dir(p)
                    .map_err(io(p))?
                    .flatten()
                    .map(|e| e.path())
                    .filter(|f| f.extension().is_some_and(|x| x == "csv"))
                    .collect();
                v.sort();
                files.extend(v);
            } else if !spool {
                files.push(p.clone());
            }
        }
        let mut take = Vec::new();
        let mut status = EventsStatus::default();
        for f in files {
            let mark = FileMark::read(&f).map_err(io(&f))?;
            let key = fs::canonicalize(&f).unwrap_or_else(|_| f.clone());
            let key = key.to_string_lossy().into_owned();
            match ledger.events.get(&key) {
                Some(m) if *m == mark => status.seen += 1,
                Some(_) => status.changed.push(f.to_string_lossy().into_owned()),
                None => {
                    ledger.events.insert(key, mark);
                    take.push(f.to_string_lossy().into_owned());
                }
            }
        }
        // Files that are gone (a cleaned spool) are forgotten.
        ledger.events.retain(|k, _| Path::new(k).exists());
        status.files = take.clone();
        self.report.events = status;
        Ok(take)
    }

    fn score(
        &mut self,
        prev: Option<&Path>,
        run_dir: &Path,
        indicators: Vec<String>,
        events: Vec<String>,
    ) -> Result<(), Error> {
        let s = &self.cfg.score;
        let file = |dir: &Path, f: &str| dir.join(f).to_string_lossy().into_owned();
        if prev.is_none() && indicators.is_empty() && events.is_empty() {
            return Err(Error::NoEvidence);
        }
        let r = crate::score::run(&crate::score::ScorePlan {
            evidence: crate::score::EvidencePlan {
                events,
                indicators,
                feeds: None,
                now: Some(self.now),
                state: prev.map(|d| file(d, state::STATE_FILE)),
                strict: s.strict,
            },
            params: crate::score::Params {
                // A confidence the feed configuration sets is the
                // operator's: the score does not re-estimate that feed.
                fixed: crate::score::FeedSettings::of(&self.cfg.feeds).fixed(),
                ..s.params.clone()
            },
            previous: prev.map(|d| file(d, state::SCORES_FILE)),
            min_score: None,
            top: s.top,
            reasons: false,
            save_state: Some(file(run_dir, state::STATE_FILE)),
            output: Some(file(run_dir, state::SCORES_FILE)),
        })?;
        self.report.events.rows = r
            .inputs
            .iter()
            .take(self.report.events.files.len())
            .map(|i| i.problems.rows)
            .sum();
        self.report.events.skipped_rows = r.inputs.iter().map(|i| i.problems.skipped).sum();
        self.report.score = report::ScoreStatus {
            entries: r.entries,
            listed: r.rows,
        };
        Ok(())
    }

    fn profile_args(&self) -> Vec<String> {
        (self.cfg.profiles.iter())
            .map(|p| p.to_string_lossy().into_owned())
            .collect()
    }

    /// Compiles every profile; returns the names whose version changed.
    fn compile(
        &mut self,
        scores: &Path,
        profiles: &[crate::profile::Profile],
        country: Option<String>,
        asn: Option<String>,
    ) -> Result<Vec<String>, Error> {
        let out = crate::profile::layout::OutDir::new(&self.cfg.out_dir);
        let before: Vec<_> = profiles
            .iter()
            .map(|p| crate::profile::publish::current(&out, &p.name))
            .collect::<Result<_, _>>()?;
        let r = crate::profile::compile(&crate::profile::CompilePlan {
            scores: scores.to_string_lossy().into_owned(),
            profiles: self.profile_args(),
            geo_db: country,
            asn_db: asn,
            out: self.cfg.out_dir.clone(),
            force: self.plan.force,
            now: self.now,
            keep_days: self.cfg.keep_days,
            keep_unchanged: true,
        })?;
        let mut published = Vec::new();
        for (p, old) in r.profiles.iter().zip(before) {
            let now = crate::profile::publish::current(&out, &p.name)?;
            let status = ProfileStatus::of(p, old.as_ref(), now.as_ref());
            if status.outcome == report::Outcome::Published {
                published.push(p.name.clone());
            }
            self.report.profiles.push(status);
        }
        Ok(published)
    }

    fn zone(&mut self) -> Result<(), Error> {
        let z = &self.cfg.zone;
        let path = |p: &Option<PathBuf>| p.as_ref().map(|p| p.to_string_lossy().into_owned());
        // Fragments are named relative to the zone directory.
        let fragment = |p: &Option<PathBuf>| {
            (p.as_ref()).map(|p| self.cfg.zone_dir.join(p).to_string_lossy().into_owned())
        };
        fs::create_dir_all(&self.cfg.zone_dir).map_err(io(&self.cfg.zone_dir))?;
        let r = crate::zone::publish(&crate::zone::ZonePlan {
            origin: z.origin.clone(),
            config: path(&z.config),
            serial_style: z.serial_style,
            now: Some(self.now),
            formats: z.formats.clone(),
            profiles: Some(self.cfg.out_dir.to_string_lossy().into_owned()),
            output: Some(self.cfg.zone_dir.to_string_lossy().into_owned()),
            named_conf: fragment(&z.named_conf),
            nsd_conf: fragment(&z.nsd_conf),
            // A dry run reloads nothing (an empty command runs nothing).
            reload: if self.plan.dry_run {
                Some(String::new())
            } else {
                z.reload.clone()
            },
            ..crate::zone::ZonePlan::default()
        })?;
        self.report.zones = r.zones.iter().map(report::ZoneStatus::of).collect();
        self.report.zone_notes = r.skipped.iter().map(ToString::to_string).collect();
        Ok(())
    }

    /// Renders the firewall rules of every profile that asks for them,
    /// when its version changed, its rules are missing or the settings
    /// they were rendered with changed.
    fn render(
        &mut self,
        scores: &Path,
        profiles: &[crate::profile::Profile],
        targets: &[Vec<crate::firewall::Target>],
        published: &[String],
    ) -> Result<(), Error> {
        for (p, targets) in profiles.iter().zip(targets) {
            for &target in targets {
                let dir = self.cfg.rules_dir.join(&p.name).join(target.name());
                let options = crate::firewall::render::Options {
                    log_in_prefix: (self.cfg.firewall.options.log_in_prefix.clone())
                        .filter(|_| target.logs_inbound()),
                    ..self.cfg.firewall.options.clone()
                };
                // What the rules were rendered with, beside them: other
                // settings render them again though the lists are the same.
                let stamp_file = dir.join(RULES_STAMP);
                let stamp = format!("{options:?} {:?}\n", self.cfg.firewall.nameservers);
                let same = fs::read(&stamp_file).is_ok_and(|b| b == stamp.as_bytes());
                if !published.contains(&p.name) && same {
                    self.report
                        .rules
                        .push(RulesStatus::kept(&p.name, target.name(), &dir));
                    continue;
                }
                fs::create_dir_all(&dir).map_err(io(&dir))?;
                let r = crate::firewall::render::render(&crate::firewall::render::RenderPlan {
                    target,
                    source: crate::firewall::render::Source::Dir(self.cfg.out_dir.join(&p.name)),
                    scores: Some(scores.to_string_lossy().into_owned()),
                    nameservers: self.cfg.firewall.nameservers.clone(),
                    options,
                    output: Some(dir.clone()),
                })
                .map_err(|source| Error::Firewall {
                    profile: p.name.clone(),
                    source,
                })?;
                crate::files::write_atomic(&stamp_file, &[stamp.as_bytes()])
                    .map_err(io(&stamp_file))?;
                self.report
                    .rules
                    .push(RulesStatus::rendered(&p.name, &r, &dir));
            }
        }
        Ok(())
    }

    /// Reads the logs against a profile's lists: the HTML page, and the
    /// new sensor events into the spool for the next run.
    fn logs(
        &mut self,
        ledger: &mut Ledger,
        run_dir: &Path,
        geo_db: Option<&str>,
    ) -> Result<(), Error> {
        let Some(l) = &self.cfg.logs else {
            return Ok(());
        };
        let mut inputs = Vec::new();
        for p in &l.inputs {
            if p.is_dir() {
                let mut v: Vec<PathBuf> = fs::read_dir(p)
                    .map_err(io(p))?
                    .flatten()
                    .map(|e| e.path())
                    .filter(|f| f.is_file())
                    .collect();
                v.sort();
                inputs.extend(v);
            } else {
                inputs.push(p.clone());
            }
        }
        let a = crate::logs::analyze::analyze(&crate::logs::analyze::LogsPlan {
            inputs: inputs
                .into_iter()
                .map(|path| crate::logs::analyze::LogInput {
                    path,
                    format: None,
                    zone: l.zone.clone(),
                })
                .collect(),
            lists: crate::logs::matcher::ListSource::Profile(self.cfg.out_dir.join(&l.profile)),
            inside: l.inside.clone(),
            columns: None,
            geo_db: geo_db.map(PathBuf::from),
            strict: false,
            sensor_events: true,
            threads: crate::pool::threads(),
            now: self.now,
        })?;
        if let Some(html) = &l.html {
            let page = crate::logs::html::page(&a, &l.profile);
            crate::files::write_atomic(html, &[page.as_bytes()]).map_err(io(html))?;
        }
        let all = a.sensor_events.clone().unwrap_or_default();
        let (new, mark) = ledger.logs.take_new(&all);
        let mut spooled = None;
        if !new.is_empty() {
            let spool = self.state.spool();
            fs::create_dir_all(&spool).map_err(io(&spool))?;
            let path = self.state.spool_file(run_dir);
            let mut buf = Vec::new();
            crate::logs::report::event_rows(&new, &l.sensor, &mut buf).map_err(io(&path))?;
            crate::files::write_atomic(&path, &[&buf]).map_err(io(&path))?;
            spooled = Some(path.to_string_lossy().into_owned());
        }
        ledger.logs = mark;
        self.report.logs = Some(LogsStatus::of(&a, new.len(), spooled, l.html.as_deref()));
        Ok(())
    }
}

/// Beside rendered rules: the settings they were rendered with.
const RULES_STAMP: &str = ".tl-update-settings";

/// Whether a database built from `inputs` must be (re)built.
fn needs_build(db: &Path, inputs: &[PathBuf]) -> bool {
    let mtime = |p: &Path| fs::metadata(p).and_then(|m| m.modified()).ok();
    match mtime(db) {
        None => true,
        Some(built) => inputs.iter().any(|i| mtime(i).is_none_or(|t| t > built)),
    }
}
