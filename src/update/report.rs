//! What a run did: the machine-readable report (`--report-json`, the
//! metrics' source) and the summary a person reads at the end of a run.

use super::config::Config;
use super::state::FeedMark;
use crate::error::Verdict;
use crate::feed::FeedReport;
use crate::profile::publish::Version;
use crate::profile::{self, ProfileReport};
use crate::set::count::{human, thousands};
use crate::set::IpSet;
use crate::zone::ZoneOutcome;
use serde::Serialize;
use std::fmt::Write as _;
use std::path::Path;

/// What became of a profile, and of the run as a whole: `published`
/// (something new is in force), `unchanged` (nothing is), `held-back` (a
/// guard kept the last version).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    Published,
    #[default]
    Unchanged,
    HeldBack,
}

/// How a feed was read: `fresh`, `stale` (rows from a last good copy) or
/// `failed`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FeedState {
    Fresh,
    Stale,
    Failed,
}

impl FeedState {
    fn name(self) -> &'static str {
        match self {
            FeedState::Fresh => "fresh",
            FeedState::Stale => "stale",
            FeedState::Failed => "failed",
        }
    }
}

/// The report of one run. Times are RFC 3339, UTC.
#[derive(Clone, Debug, Default, Serialize)]
pub struct UpdateReport {
    pub time: String,
    #[serde(skip)]
    pub time_secs: i64,
    pub dry_run: bool,
    /// Held back when a guard kept a profile's last version, else
    /// published when anything new is in force.
    pub verdict: Outcome,
    pub feeds: Vec<FeedStatus>,
    pub events: EventsStatus,
    pub score: ScoreStatus,
    pub profiles: Vec<ProfileStatus>,
    pub zones: Vec<ZoneStatus>,
    /// What the zones leave out, and why.
    pub zone_notes: Vec<String>,
    pub rules: Vec<RulesStatus>,
    pub logs: Option<LogsStatus>,
    pub timings: Vec<Timing>,
    pub paths: Paths,
}

#[derive(Clone, Debug, Serialize)]
pub struct FeedStatus {
    pub name: String,
    pub status: FeedState,
    /// The feed's time (its own, or when it was read), for a failed feed
    /// the time of its last good reading.
    pub time: Option<String>,
    #[serde(skip)]
    pub time_secs: Option<i64>,
    pub age_seconds: Option<i64>,
    /// Rows read this run.
    pub entries: u64,
    /// Its snapshot was new, and added to the state.
    pub added: bool,
    pub error: Option<String>,
    pub stale_reasons: Vec<String>,
    pub consecutive_failures: u32,
}

impl FeedStatus {
    pub(super) fn read(f: &FeedReport, now: i64, added: bool) -> Self {
        FeedStatus {
            name: f.name.clone(),
            status: if f.is_stale() {
                FeedState::Stale
            } else {
                FeedState::Fresh
            },
            time: Some(crate::time::format(f.time)),
            time_secs: Some(f.time),
            age_seconds: Some((now - f.time).max(0)),
            entries: f.counts.accepted,
            added,
            error: None,
            stale_reasons: f.stale.clone(),
            consecutive_failures: 0,
        }
    }

    pub(super) fn failed(name: &str, error: &str, mark: &FeedMark, now: i64) -> Self {
        FeedStatus {
            name: name.to_string(),
            status: FeedState::Failed,
            time: mark.last_ok.map(crate::time::format),
            time_secs: mark.last_ok,
            age_seconds: mark.last_ok.map(|t| (now - t).max(0)),
            entries: 0,
            added: false,
            error: Some(error.to_string()),
            stale_reasons: Vec::new(),
            consecutive_failures: mark.failures,
        }
    }
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct EventsStatus {
    /// Event files added to the state this run.
    pub files: Vec<String>,
    /// Files consumed by an earlier run and unchanged since.
    pub seen: usize,
    /// Files that changed after they were consumed: skipped (put new
    /// events in new files).
    pub changed: Vec<String>,
    pub rows: u64,
    pub skipped_rows: u64,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct ScoreStatus {
    /// Entries with evidence in the state.
    pub entries: usize,
    /// Rows of the scored list.
    pub listed: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct ListCount {
    pub list: &'static str,
    pub prefixes: usize,
    pub ipv4_addresses: u64,
    /// Exact, as a decimal string (it may not fit a JSON number).
    pub ipv6_addresses: String,
    #[serde(skip)]
    pub ipv6: f64,
    pub human: String,
}

impl ListCount {
    fn of(list: &'static str, set: &IpSet) -> Self {
        let v6 = set.v6.count();
        ListCount {
            list,
            prefixes: set.v4.prefix_count() + set.v6.prefix_count(),
            ipv4_addresses: set.v4.count().as_u128().unwrap_or(0) as u64,
            ipv6_addresses: v6.to_string(),
            ipv6: v6.as_u128().map_or(2f64.powi(128), |v| v as f64),
            human: human(set),
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct HoldStatus {
    pub guard: &'static str,
    pub message: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct ProfileStatus {
    pub name: String,
    pub outcome: Outcome,
    /// The serial in force after the run.
    pub serial: Option<u64>,
    /// The lists in force after the run.
    pub lists: Vec<ListCount>,
    pub domains: usize,
    /// Blocked space that came in and went out with this run.
    pub added: String,
    pub removed: String,
    pub holds: Vec<HoldStatus>,
    pub notes: Vec<String>,
}

/// `1 file`, `2 files`.
fn count(n: usize, one: &str, many: &str) -> String {
    format!(
        "{} {}",
        thousands(n as u64),
        if n == 1 { one } else { many }
    )
}

/// Space that came or went, for people.
fn change(set: &IpSet) -> String {
    if set.is_empty() {
        "nothing".into()
    } else {
        human(set)
    }
}

impl ProfileStatus {
    pub(super) fn of(p: &ProfileReport, old: Option<&Version>, new: Option<&Version>) -> Self {
        let blocked = |v: Option<&Version>| {
            v.map(|v| v.block_in.union(&v.block_out))
                .unwrap_or_default()
        };
        let (before, after) = (blocked(old), blocked(new));
        let outcome = match &p.outcome {
            profile::Outcome::Published { .. } => Outcome::Published,
            profile::Outcome::Unchanged { .. } => Outcome::Unchanged,

            profile::Outcome::HeldBack => Outcome::HeldBack,
        };
        ProfileStatus {
            name: p.name.clone(),
            outcome,
            serial: new.map(|v| v.meta.serial),
            lists: new.map_or_else(Vec::new, |v| {
                vec![
                    ListCount::of("block-in", &v.block_in),
                    ListCount::of("block-out", &v.block_out),
                    ListCount::of("allow", &v.allow),
                ]
            }),
            domains: new.map_or(0, |v| v.meta.domains.len()),
            added: change(&after.difference(&before)),
            removed: change(&before.difference(&after)),
            holds: (p.holds.iter())
                .map(|h| HoldStatus {
                    guard: h.guard.name(),
                    message: h.message.clone(),
                })
                .collect(),
            notes: p.notes.clone(),
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct ZoneStatus {
    pub file: String,
    /// `None` for an rbldnsd dataset.
    pub origin: Option<String>,
    pub changed: bool,
    pub serial: u32,
    pub records: Option<u64>,
    pub reloaded: bool,
}

impl ZoneStatus {
    pub(super) fn of(z: &ZoneOutcome) -> Self {
        ZoneStatus {
            file: z.file.clone().unwrap_or_default(),
            origin: z.origin.clone(),
            changed: z.changed,
            serial: z.serial,
            records: z.records,
            reloaded: z.reloaded,
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct RulesStatus {
    pub profile: String,
    pub target: &'static str,
    pub dir: String,
    /// Rendered this run (else the rules of the version in force stay).
    pub rendered: bool,
    pub files: Vec<String>,
    /// Entries the lists could not hold on the device.
    pub left_out: u64,
}

impl RulesStatus {
    pub(super) fn kept(profile: &str, target: &'static str, dir: &Path) -> Self {
        RulesStatus {
            profile: profile.to_string(),
            target,
            dir: dir.to_string_lossy().into_owned(),
            rendered: false,
            files: Vec::new(),
            left_out: 0,
        }
    }

    pub(super) fn rendered(
        profile: &str,
        r: &crate::firewall::render::RenderReport,
        dir: &Path,
    ) -> Self {
        RulesStatus {
            profile: profile.to_string(),
            target: r.target,
            dir: dir.to_string_lossy().into_owned(),
            rendered: true,
            files: r.files.clone(),
            left_out: r.lists.iter().map(|c| c.left_out.len() as u64).sum(),
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct LogsStatus {
    pub lines: u64,
    pub events: u64,
    pub matched: u64,
    /// Inside hosts that called out to listed addresses, most hits first.
    pub candidates: Vec<Candidate>,
    /// Listed sources that came in, most hits first (the first 20).
    pub inbound_sources: Vec<String>,
    /// How many listed sources came in.
    pub inbound_source_count: usize,
    pub inbound_hits: u64,
    /// New sensor events written to the spool for the next run.
    pub events_spooled: usize,
    pub spool_file: Option<String>,
    pub html: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Candidate {
    pub host: String,
    pub hits: u64,
    pub destinations: Vec<String>,
}

impl LogsStatus {
    pub(super) fn of(
        a: &crate::logs::tally::Analysis,
        spooled: usize,
        spool_file: Option<String>,
        html: Option<&Path>,
    ) -> Self {
        LogsStatus {
            lines: a.lines(),
            events: a.events(),
            matched: a.matched(),
            candidates: (a.candidates.iter())
                .map(|h| Candidate {
                    host: h.host.clone(),
                    hits: h.hits,
                    destinations: h.dests.iter().map(|d| d.dest.to_string()).collect(),
                })
                .collect(),
            inbound_sources: a
                .inbound
                .iter()
                .take(20)
                .map(|s| s.addr.to_string())
                .collect(),
            inbound_source_count: a.inbound.len(),
            inbound_hits: a.inbound_hits(),
            events_spooled: spooled,
            spool_file,
            html: html.map(|p| p.to_string_lossy().into_owned()),
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Timing {
    pub step: &'static str,
    pub seconds: f64,
}

/// Where the run's products are.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Paths {
    pub state: String,
    pub lists: String,
    pub zones: String,
    pub rules: String,
    pub html: Option<String>,
}

impl Paths {
    pub(super) fn of(c: &Config) -> Self {
        let s = |p: &Path| p.to_string_lossy().into_owned();
        Paths {
            state: s(&c.state_dir),
            lists: s(&c.out_dir),
            zones: s(&c.zone_dir),
            rules: s(&c.rules_dir),
            html: c.logs.as_ref().and_then(|l| l.html.as_deref()).map(s),
        }
    }
}

impl UpdateReport {
    pub(super) fn new(now: i64, dry_run: bool) -> Self {
        UpdateReport {
            time: crate::time::format(now),
            time_secs: now,
            dry_run,
            ..UpdateReport::default()
        }
    }

    /// Sets the verdict from what the steps did.
    pub(super) fn finish(&mut self) {
        let any = |o: Outcome| self.profiles.iter().any(|p| p.outcome == o);
        self.verdict = if any(Outcome::HeldBack) {
            Outcome::HeldBack
        } else if any(Outcome::Published) || self.zones.iter().any(|z| z.changed) {
            Outcome::Published
        } else {
            Outcome::Unchanged
        };
    }

    /// Done, or No when a guard held a profile back (its last version
    /// stays): what the exit status says.
    pub fn verdict(&self) -> Verdict {
        if self.verdict == Outcome::HeldBack {
            Verdict::No
        } else {
            Verdict::Done
        }
    }

    /// Applies `f` to every file path in the report.
    pub(super) fn map_paths(&mut self, f: &dyn Fn(&str) -> String) {
        for z in &mut self.zones {
            z.file = f(&z.file);
        }
        for r in &mut self.rules {
            r.dir = f(&r.dir);
            for file in &mut r.files {
                *file = f(file);
            }
        }
        for e in &mut self.events.files {
            *e = f(e);
        }
        if let Some(l) = &mut self.logs {
            l.spool_file = l.spool_file.as_deref().map(f);
            l.html = l.html.as_deref().map(f);
        }
    }

    /// The run for a person: feeds, evidence, each profile's lists with
    /// readable counts and changes, zones, rules, logs, and where it all is.
    pub fn summary(&self) -> String {
        let mut s = String::new();
        let dry = if self.dry_run {
            " (dry run: nothing was changed)"
        } else {
            ""
        };
        let _ = writeln!(s, "run of {}{dry}", self.time);
        let group = |status: FeedState| -> Vec<&str> {
            (self.feeds.iter())
                .filter(|f| f.status == status)
                .map(|f| f.name.as_str())
                .collect()
        };
        let (fresh, stale, failed) = (
            group(FeedState::Fresh),
            group(FeedState::Stale),
            group(FeedState::Failed),
        );
        let _ = writeln!(
            s,
            "feeds: {} fresh, {} stale, {} failed",
            fresh.len(),
            stale.len(),
            failed.len()
        );
        for f in self.feeds.iter().filter(|f| f.status != FeedState::Fresh) {
            let why = match &f.error {
                Some(e) => e.clone(),
                None => f.stale_reasons.join("; "),
            };
            let _ = writeln!(s, "  {} {}: {why}", f.status.name(), f.name);
        }
        let new_feeds = self.feeds.iter().filter(|f| f.added).count();
        let _ = writeln!(
            s,
            "evidence: {}, {} ({} rows){}; {} entries scored, {} listed",
            count(new_feeds, "new feed snapshot", "new feed snapshots"),
            count(self.events.files.len(), "new event file", "new event files"),
            thousands(self.events.rows),
            if self.events.changed.is_empty() {
                String::new()
            } else {
                format!(", {} changed files skipped", self.events.changed.len())
            },
            thousands(self.score.entries as u64),
            thousands(self.score.listed as u64),
        );
        for p in &self.profiles {
            let serial = p
                .serial
                .map_or_else(|| "no version".to_string(), |n| format!("serial {n}"));
            let what = match p.outcome {
                Outcome::Published => format!(
                    "published {serial}; added {}; removed {}",
                    p.added, p.removed
                ),
                Outcome::Unchanged => format!("unchanged, {serial}"),
                Outcome::HeldBack => format!("held back, {serial} stays"),
            };
            let _ = writeln!(s, "{}: {what}", p.name);
            for l in p.lists.iter().filter(|l| l.prefixes > 0) {
                let _ = writeln!(s, "  {:<9} {}", l.list, l.human);
            }
            if p.domains > 0 {
                let _ = writeln!(s, "  {:<9} {}", "domains", thousands(p.domains as u64));
            }
            for h in &p.holds {
                let _ = writeln!(s, "  held by {}: {}", h.guard, h.message);
            }
        }
        let changed: Vec<&ZoneStatus> = self.zones.iter().filter(|z| z.changed).collect();
        let reloaded = self.zones.iter().filter(|z| z.reloaded).count();
        let _ = writeln!(
            s,
            "zones: {} changed, {} unchanged, {} reloaded",
            changed.len(),
            self.zones.len() - changed.len(),
            reloaded
        );
        for z in changed {
            let name = z.origin.as_deref().unwrap_or("(rbldnsd)");
            let _ = writeln!(s, "  {name} serial {}", z.serial);
        }
        for r in &self.rules {
            let how = if r.rendered { "rendered" } else { "unchanged" };
            let _ = writeln!(s, "rules: {} {} {how}: {}", r.profile, r.target, r.dir);
        }
        if let Some(l) = &self.logs {
            let _ = writeln!(
                s,
                "logs: {} lines, {} events; inside hosts calling listed addresses: {}; listed sources that came in: {} ({} hits); new sensor events for the next run: {}",
                thousands(l.lines),
                thousands(l.events),
                l.candidates.len(),
                l.inbound_source_count,
                thousands(l.inbound_hits),
                l.events_spooled
            );
        }
        let _ = writeln!(s, "lists:  {}/<profile>/", self.paths.lists);
        let _ = writeln!(s, "zones:  {}/", self.paths.zones);
        if !self.rules.is_empty() {
            let _ = writeln!(s, "rules:  {}/<profile>/<target>/", self.paths.rules);
        }
        if let Some(h) = &self.paths.html {
            let _ = writeln!(s, "report: {h}");
        }
        let verdict = match self.verdict {
            Outcome::Published => "published",
            Outcome::Unchanged => "nothing changed",
            Outcome::HeldBack => "a guard held a profile back; its last version stays",
        };
        let _ = writeln!(s, "{verdict}");
        s
    }
}
