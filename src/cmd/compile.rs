//! `tl-compile`: each customer's lists from scores, profiles and geo
//! databases, with the safety guards, published atomically.

use crate::cli;
use crate::profile::{self, CompileReport, Outcome};
use clap::{CommandFactory, Parser};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

pub const NAME: &str = "tl-compile";

const EXAMPLES: &str = "\
tl-compile --scores scores.csv --profiles profiles/ --out out
        every profiles/*.toml into out/PROFILE/
tl-compile --scores scores.csv --profiles acme.toml --geo-db GeoLite2-Country.mmdb \\
        --asn-db GeoLite2-ASN.mmdb --out out
tl-compile --scores scores.csv --profiles acme.toml --out out --force
        publish although the circuit breaker or a canary holds the list back
tl-compile --scores scores.csv --profiles profiles/ --out out --json > report.json
        the run's report as JSON: every profile's outcome, serial, notes, holds
tl-query --out out 198.51.100.7
        which profile lists it, and why";

const NOTES: &str = "\
Compilation applies, in order: evidence at or above the profile's score
thresholds, geo and ASN policy, custom blocks, then the allow-list and the
guards, so an allow-list entry always wins. Special-purpose space, the
profile's own networks and its infrastructure are never published as
blocked; non-geo entries wider than guards.widest_v4 (default /8) are
refused; canaries (public resolvers, root servers and the profile's own)
on a block list refuse publication, name the entry that caused it and the
allow entry that would keep the canary off. Scores without rows (every feed
failed?) hold back each profile that lists evidence; profiles of geo policy
and custom blocks alone are published.
Capacity keeps the highest-scored evidence and reports exactly where it cut.
Each profile gets OUT/PROFILE/ with block-in.txt, block-out.txt (minimal
CIDRs, IPv4 then IPv6), allow.txt, domains.txt, allow-domains.txt,
provenance.csv (the profile's rules and own entries: entry,list,reason,
detail), compiled.tlc (lists and decisions), basis.tlb (the run's evidence,
one file hard-linked into every profile), formats.txt, evidence.crc (a
digest of why entries are listed, without scores, which tl-update compares
to keep an unchanged version), diff.txt and summary.txt; tl-query
--provenance PROFILE prints every entry's reasons.
OUT/PROFILE is a link to OUT/.history/PROFILE/SERIAL, switched in one rename
once every version is written and synced; older versions keep compiled.tlc,
provenance.csv and basis.tlb for tl-query --at. See docs/profiles.md.";

const EXIT_STATUS: &str = "\
0  every profile published
1  a profile was held back (circuit breaker, canary, stale feed, capacity
   too small for its policy, scores without rows for a profile that lists
   evidence); its last version stays, others are published
2  any error: a bad profile (named by file and line), a bad scores row, an
   unknown feed or country, a missing database, another run holding the
   lock; nothing is published";

/// Sections shared by `--help` and the man page.
pub const SECTIONS: &[(&str, &str)] = &[
    ("EXAMPLES", EXAMPLES),
    ("NOTES", NOTES),
    ("EXIT STATUS", EXIT_STATUS),
];

/// Per-profile block and allow lists from scores, profiles and geo
/// databases, with safety guards and atomic publication
#[derive(Parser, Debug)]
#[command(name = NAME, version)]
pub struct Cli {
    /// Scores CSV (tl-score's output); - for stdin
    #[arg(long, value_name = "FILE")]
    scores: String,
    /// Profile files (TOML), or directories of them (*.toml)
    #[arg(long, value_name = "DIR|FILE", num_args = 1.., required = true)]
    profiles: Vec<String>,
    /// Country database (MaxMind DB) for countries, continents and groups
    #[arg(long, value_name = "FILE")]
    geo_db: Option<String>,
    /// ASN database (MaxMind DB) for ASN policy
    #[arg(long, value_name = "FILE")]
    asn_db: Option<String>,
    /// Output directory: one OUT/PROFILE per profile
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Publish although a guard holds the list back
    #[arg(long)]
    force: bool,
    /// The time of the run: RFC 3339, a date (its end) or Unix seconds (default: now)
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    now: Option<String>,
    /// Days of history kept per profile
    #[arg(long, value_name = "DAYS", default_value_t = 400)]
    keep_days: u64,
    /// Print nothing but errors and hold-backs
    #[arg(short, long)]
    quiet: bool,
    /// Write the report as JSON on stdout (every profile: outcome, serial,
    /// summary, notes, holds) instead of the summary lines
    #[arg(long)]
    json: bool,
}

/// The clap definition, for `--help`, man pages and completions.
pub fn command() -> clap::Command {
    super::with_sections(Cli::command(), SECTIONS)
}

/// Entry point of the `tl-compile` binary.
pub fn main() -> ExitCode {
    let c: Cli = cli::parse(command());
    cli::run(NAME, || {
        let now = cli::now_arg(c.now.as_deref())?.unwrap_or_else(crate::time::now);
        let report = profile::compile(&profile::CompilePlan {
            scores: c.scores,
            profiles: c.profiles,
            geo_db: c.geo_db,
            asn_db: c.asn_db,
            out: c.out.clone(),
            force: c.force,
            now,
            keep_days: c.keep_days,
            keep_unchanged: false,
        })?;
        if c.json {
            print_json(&report, &c.out)?;
        } else {
            print_report(&report, &c.out, c.quiet);
        }
        Ok(report.verdict())
    })
}

/// Per profile on stderr: its notes (unless quiet), what the guards
/// found, and whether that held it back; then the published versions'
/// summaries on stdout (unless quiet).
fn print_report(report: &CompileReport, out: &std::path::Path, quiet: bool) {
    let out = profile::layout::OutDir::new(out);
    for p in &report.profiles {
        let notes = p.notes.iter().filter(|_| !quiet);
        for m in notes.chain(p.holds.iter().map(|h| &h.message)) {
            eprintln!("{NAME}: {}: {m}", p.name);
        }
        if p.outcome == Outcome::HeldBack {
            let stays = if out.current(&p.name).exists() {
                "the last version stays"
            } else {
                "there is no earlier version, so nothing is in force"
            };
            eprintln!(
                "{NAME}: {}: not published; {stays} (--force publishes anyway)",
                p.name
            );
        }
    }
    if quiet {
        return;
    }
    let mut stdout = String::new();
    for p in &report.profiles {
        if let Outcome::Published { summary, .. } = &p.outcome {
            stdout.push_str(summary);
            stdout.push('\n');
        }
    }
    // Everything is published by now: a failing stdout changes nothing.
    let _ = std::io::stdout().lock().write_all(stdout.as_bytes());
}

/// The report as JSON: what `print_report` says, as fields. A held-back
/// profile's `in_force` says whether an earlier version stays.
fn print_json(report: &CompileReport, out: &std::path::Path) -> std::io::Result<()> {
    let dir = profile::layout::OutDir::new(out);
    let profiles: Vec<serde_json::Value> = report
        .profiles
        .iter()
        .map(|p| {
            let (outcome, summary) = match &p.outcome {
                Outcome::Published { summary, .. } => ("published", Some(summary)),
                Outcome::HeldBack => ("held-back", None),
                Outcome::Unchanged { .. } => ("unchanged", None),
            };
            let holds: Vec<serde_json::Value> = p
                .holds
                .iter()
                .map(|h| serde_json::json!({ "guard": h.guard.name(), "message": h.message }))
                .collect();
            serde_json::json!({
                "name": p.name,
                "outcome": outcome,
                "serial": p.outcome.serial(),
                "summary": summary,
                "in_force": dir.current(&p.name).exists(),
                "notes": p.notes,
                "holds": holds,
            })
        })
        .collect();
    let doc = serde_json::json!({
        "scores": report.scores,
        "held_back": report.held_back(),
        "profiles": profiles,
    });
    let mut text = serde_json::to_string_pretty(&doc).map_err(std::io::Error::from)?;
    text.push('\n');
    std::io::stdout().lock().write_all(text.as_bytes())
}
