//! `tl-update`: the whole server side from one configuration, as a cron
//! job runs it every few hours.

use crate::cli::{self, Failure};
use crate::update::report::{FeedState, Outcome};
use crate::update::{self, UpdatePlan, UpdateReport};
use clap::{CommandFactory, Parser};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

pub const NAME: &str = "tl-update";

const EXAMPLES: &str = "\
tl-update --config fixtures/demo/threatlist.toml
        the bundled demo: feeds, scores, three profiles, zones, rules, a log report
tl-update --config /etc/threatlist/threatlist.toml --quiet \\
        --report-json /var/lib/threatlist/report.json \\
        --metrics /var/lib/prometheus/node-exporter/threatlist.prom
        from cron or a systemd timer: the summary only on trouble
tl-update --config threatlist.toml --dry-run
        what would be published, with nothing changed
tl-update --config threatlist.toml --now 2026-11-27T14:00:00Z
        as of another time (replays and tests; never before the state's time)";

const NOTES: &str = "\
A run takes the lock STATE/lock, reads every feed (HTTP feeds through a
cache in STATE/feeds/cache), adds what is new to the scoring state of the
run before (a feed snapshot or an event file is added once: a second run
without new data publishes nothing new), scores, compiles every profile
with its guards, writes the zones and runs the reload command for the zones
that changed, renders firewall rules for profiles whose file names
firewall targets, and, with [logs], reads firewall logs against a
profile's lists: the HTML page, and their inbound drops as sensor events
for the next run. With an ASN database ([geo] asn_db or asn_csv), feeds
that list ASes (Spamhaus ASN-DROP) are read as the ASes' networks, as
tl-ingest --asn-db reads them. The configuration is documented in docs/config.md
(installed as /usr/share/doc/threatlist/docs/config.md).

Files, under the configuration's state_dir:
  lock                    held for the whole run
  feeds/indicators/F.csv  each feed's rows as last read
  feeds/cache/            HTTP feeds' last good copies
  geo/                    databases built from the configured CSV
  events/                 spool of sensor events for the next run
  runs/NNNNNN/            state.tls, scores.csv, ledger.json of a run
  current                 link to the run in force (the last 30 are kept)";

const EXIT_STATUS: &str = "\
0  published, or nothing changed
1  a guard held a profile back (circuit breaker, canary, stale feed,
   capacity): its last version stays; the other profiles are published
2  an error: a bad configuration or profile (named by file and line),
   another run holding the lock, --now before the state's time, no
   evidence at all, a file that cannot be written; nothing is switched.
   A feed that fails is not an error: it is named in the summary, the
   report and the metrics, and its last evidence stays in the state";

/// Sections shared by `--help` and the man page.
pub const SECTIONS: &[(&str, &str)] = &[
    ("EXAMPLES", EXAMPLES),
    ("NOTES", NOTES),
    ("EXIT STATUS", EXIT_STATUS),
];

/// Runs the whole chain from one configuration: feeds, scores, profiles,
/// zones, firewall rules and logs, idempotently
#[derive(Parser, Debug)]
#[command(name = NAME, version)]
pub struct Cli {
    /// The configuration (TOML; see docs/config.md)
    #[arg(long, value_name = "FILE")]
    config: PathBuf,
    /// The time of the run: RFC 3339, a date (its end) or Unix seconds
    /// (default: the configuration's `now`, else the clock)
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    now: Option<String>,
    /// Run everything on a copy and show what would be published
    #[arg(long)]
    dry_run: bool,
    /// Publish although a guard holds a profile back
    #[arg(long)]
    force: bool,
    /// Write the run's report as JSON to FILE (replaced atomically)
    #[arg(long, value_name = "FILE")]
    report_json: Option<PathBuf>,
    /// Write Prometheus metrics to FILE (replaced atomically; for
    /// node_exporter's textfile collector), also when the run fails
    #[arg(long, value_name = "FILE")]
    metrics: Option<PathBuf>,
    /// Print nothing but errors, failed feeds and hold-backs
    #[arg(short, long)]
    quiet: bool,
}

/// The clap definition, for `--help`, man pages and completions.
pub fn command() -> clap::Command {
    super::with_sections(Cli::command(), SECTIONS)
}

/// Entry point of the `tl-update` binary.
pub fn main() -> ExitCode {
    let c: Cli = cli::parse(command());
    cli::run(NAME, || {
        let now = cli::now_arg(c.now.as_deref())?;
        let result = run(&c, now);
        if let Some(path) = &c.metrics {
            let (report, code) = match &result {
                Ok(r) => (Some(r), cli::exit_status(r.verdict())),
                Err(_) => (None, cli::EXIT_ERROR),
            };
            let time = report.map_or_else(|| now.unwrap_or_else(crate::time::now), |r| r.time_secs);
            let text = update::metrics::textfile(report, time, code);
            write(path, text.as_bytes())?;
        }
        let report = result?;
        if let Some(path) = &c.report_json {
            let mut json = serde_json::to_vec_pretty(&report).map_err(Failure::from)?;
            json.push(b'\n');
            write(path, &json)?;
        }
        print_report(&report, c.quiet);
        Ok(report.verdict())
    })
}

fn run(c: &Cli, now: Option<i64>) -> Result<UpdateReport, Failure> {
    let config = update::config::load(&c.config)?;
    let plan = UpdatePlan {
        config,
        now,
        dry_run: c.dry_run,
        force: c.force,
    };
    let steps = cli::progress::Steps::new(c.quiet);
    Ok(update::run_with(&plan, &steps)?)
}

fn write(path: &std::path::Path, bytes: &[u8]) -> Result<(), Failure> {
    crate::files::write_atomic(path, &[bytes])
        .map_err(|e| Failure::io_at(&path.to_string_lossy(), &e))
}

/// Failed feeds, holds and (unless quiet) notes on stderr; the summary on
/// stdout unless quiet.
fn print_report(r: &UpdateReport, quiet: bool) {
    for f in r.feeds.iter().filter(|f| f.status == FeedState::Failed) {
        eprintln!(
            "{NAME}: feed {}: {} (its last evidence stays)",
            f.name,
            f.error.as_deref().unwrap_or("failed")
        );
    }
    for f in &r.events.changed {
        eprintln!(
            "{NAME}: {f}: changed after it was scored; skipped (write new events to new files)"
        );
    }
    for p in &r.profiles {
        let notes = p.notes.iter().filter(|_| !quiet);
        for m in notes.chain(p.holds.iter().map(|h| &h.message)) {
            eprintln!("{NAME}: {}: {m}", p.name);
        }
        if p.outcome == Outcome::HeldBack {
            let stays = match p.serial {
                Some(n) => format!("serial {n} stays in force"),
                None => "there is no earlier version, so nothing is in force".into(),
            };
            eprintln!(
                "{NAME}: {}: not published; {stays} (--force publishes anyway)",
                p.name
            );
        }
    }
    if !quiet {
        // Said when the zones are written, not on every unchanged run.
        if r.zones.iter().any(|z| z.changed) {
            for n in &r.zone_notes {
                eprintln!("{NAME}: {n}");
            }
        }
        // Everything is published by now: a failing stdout changes nothing.
        let _ = std::io::stdout().lock().write_all(r.summary().as_bytes());
    }
}
