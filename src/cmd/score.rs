//! `tl-score`: sensor events and feed indicators into one scored list of
//! the sources that matter now; explanations; mergeable state.

use crate::cli::{self, quote, Failure, Verdict};
use crate::files::Output;
use crate::record::format_milli;
use crate::score::{
    self, Bar, EmptyList, EvidencePlan, ExplainPlan, InputReport, MergePlan, Params, Rollup,
    ScorePlan, ScoreReport, TimeBasis,
};
use clap::{Args, CommandFactory, Parser, Subcommand};
use std::io::Write;
use std::process::ExitCode;

pub const NAME: &str = "tl-score";

const EXAMPLES: &str = "\
tl-score --now 2026-11-27T14:00:00Z indicators.csv        the list, from feeds alone
tl-score -e events.csv --feeds feeds.toml indicators.csv  sensors and feeds together
tl-score -e events.csv --min-score 0 indicators.csv       every entry with evidence
tl-score --category botnet-c2 indicators.csv             the C2 list
tl-score --rollup --top 1000 --explain -e events.csv ind.csv
tl-score -e today.csv --save-state s.tls ind.csv          keep the evidence for tomorrow
tl-score --state s.tls --add events.csv --previous list.csv -o list.csv
tl-score explain --state s.tls 203.0.113.7                why is it listed?
tl-score feeds --state s.tls                              which feed is noise?
tl-score merge shard-*.tls -o all.tls                     combine shards exactly";

const MODEL: &str = "\
Each piece of evidence contributes danger(category) x value, where a feed
listing's value is its confidence x 2^(-age/half-life(category)), and a
sensor's value is 0.75 while its last report of the address is at most
21 h old, then x 2^(-age/6 h) beyond that, however many events it
reported. Sensors count as category scanner. The score is the sum over
feeds and sensors, so distinct sources count more than volume: three
sensors list an address, one never does. Categories (half-life, danger):
botnet-c2 3d 3; hijacked 60d 3; malware 3d 2.5; exploit 36h 2;
bruteforce 15h 1.5; scanner 6h 1; spam 36h 0.5; anonymizer 14d 0.3;
anything else 36h 1. A plain list's listing (no per-entry times) ages from
the run that first found it (listing history). Each contribution is weighed by its source's
reliability, estimated from the data: a feed by the share of its entries
sensors saw that they saw in the last 24 h (x2, at most 1; a plain
list's listings of the last 2 days only), a sensor by
how often another source holds what it reports; a listing whose
category sensors observe loses half per 12 h that sensors who reported the
source stay silent (after 12 h of grace); and sensors that have reported a
source for over 5 days see background: their words lose half per 3 days
more. tl-score feeds prints the
estimates; --no-trust weighs every source 1.
The list: score >= T_in (--enter, 2); an entry of
--previous stays while score >= T_out (--leave, 1.5) lowered by up to 25 %
by a fixed hash of the entry, so entries leave over hours, not at once.
--rollup adds net rows: each host adds min(1, score/T_in) x T_in/8 to its
/24 (IPv4) or /48 (IPv6). Full specification: docs/scoring.md.";

const OUTPUT: &str = "\
CSV: indicator,type,score,categories,feeds,first_seen,last_seen,hits,sensors
(--explain adds reason). Sorted by score (three decimals, highest first),
then IPv4, IPv6, domains by address and prefix length. categories: the
largest contribution first; feeds: names in order; sensors: how many.
explain: query,entry,kind,source,category,first_seen,last_seen,hits,danger,
evidence,value,first_listed,last_listed,dropped, one row per contribution
and a score row per entry; a feed row's listing history is the runs that
first and last found the entry in the feed, and the one that found it gone.
Malformed rows are skipped and counted (the first three quoted as
FILE:LINE: reason: 'text'); --strict makes them errors. Times more than an
hour after --now are clamped and counted; counts over 1000000 are refused.";

const STATE: &str = "\
--save-state writes every (entry, source) pair with its value decayed to
--now: a versioned binary file (docs/formats.md). --state starts from one
(decayed on to --now); --add FILE adds events to it and rewrites it.
tl-score merge combines states exactly: states of evidence split by source
address give the same scores as all the evidence at once. A state of
another version, a truncated or corrupt one is refused.";

const EXIT_STATUS: &str = "\
0  success
1  explain: some query has no evidence
2  any error: unreadable input, bad header, bad state file, a malformed row
   under --strict, bad usage";

pub const SECTIONS: &[(&str, &str)] = &[
    ("EXAMPLES", EXAMPLES),
    ("MODEL", MODEL),
    ("OUTPUT", OUTPUT),
    ("STATE", STATE),
    ("EXIT STATUS", EXIT_STATUS),
];

/// Reputation scores: sensor events and feed indicators into one list of the
/// most active, most dangerous sources, with explanations and mergeable state.
#[derive(Parser, Debug)]
#[command(name = NAME, version, args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    score: ScoreArgs,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Every contribution to the score of addresses, networks or domains, as CSV
    Explain(ExplainArgs),
    /// Merge state files exactly into one
    Merge(MergeArgs),
    /// Each feed's and sensor's reliability as the scores weigh it, as CSV
    Feeds(FeedsArgs),
}

#[derive(Args, Debug)]
struct EvidenceArgs {
    /// Sensor events CSV (time,source,sensor,port,proto,count); repeatable
    #[arg(short, long = "events", value_name = "FILE")]
    events: Vec<String>,
    /// Indicators CSV from tl-ingest; repeatable
    #[arg(short, long = "indicators", value_name = "FILE")]
    indicators: Vec<String>,
    /// Feed configuration (TOML): each feed's category and confidence (a cap)
    #[arg(long, value_name = "FILE")]
    feeds: Option<String>,
    /// Reference time: RFC 3339, a date (its end), Unix seconds, or -2d, yesterday [default: the clock]
    #[arg(long, value_name = "TIME", value_parser = crate::time::parse_arg, allow_hyphen_values = true)]
    now: Option<i64>,
    /// Start from this state file (from --save-state or merge)
    #[arg(long, value_name = "FILE")]
    state: Option<String>,
    /// Also score networks from their hosts (net rows)
    #[arg(long)]
    rollup: bool,
    /// IPv4 roll-up prefix length
    #[arg(long, value_name = "N", default_value_t = 24, value_parser = clap::value_parser!(u8).range(1..=31))]
    rollup_prefix: u8,
    /// IPv6 roll-up prefix length
    #[arg(long, value_name = "N", default_value_t = 48, value_parser = clap::value_parser!(u8).range(1..=127))]
    rollup_prefix6: u8,
    /// Only evidence of this category counts (repeatable): a per-category list
    #[arg(short, long = "category", value_name = "NAME")]
    categories: Vec<String>,
    /// T_in: the score at which an entry joins the list
    #[arg(long, value_name = "X", default_value_t = Params::default().enter)]
    enter: f64,
    /// T_out: a listed entry leaves below this (less its jitter)
    #[arg(long, value_name = "X", default_value_t = Params::default().leave)]
    leave: f64,
    /// Weigh every feed and sensor alike and ignore sensors' silence (the
    /// model before reliability and negative evidence, for comparisons)
    #[arg(long)]
    no_trust: bool,
    /// Any malformed row is an error (exit 2)
    #[arg(long)]
    strict: bool,
    /// Print nothing on stderr but errors
    #[arg(short, long)]
    quiet: bool,
}

#[derive(Args, Debug)]
struct ScoreArgs {
    /// Indicators CSV from tl-ingest, or - for stdin (the default when no
    /// other evidence is given); gzip is read transparently
    #[arg(value_name = "INDICATORS")]
    inputs: Vec<String>,
    #[command(flatten)]
    evidence: EvidenceArgs,
    /// Events to add to --state, which is then rewritten (repeatable)
    #[arg(long, value_name = "FILE", requires = "state")]
    add: Vec<String>,
    /// Write the state (all evidence, decayed to --now) to FILE
    #[arg(long, value_name = "FILE")]
    save_state: Option<String>,
    /// The list published last time (scores CSV): its entries stay while above T_out
    #[arg(long, value_name = "FILE")]
    previous: Option<String>,
    /// Print every entry scoring at least X instead of the list (no hysteresis)
    #[arg(long, value_name = "X")]
    min_score: Option<f64>,
    /// At most N rows, the highest scores
    #[arg(long, value_name = "N")]
    top: Option<usize>,
    /// Add a reason column: each category's contribution and its sources
    #[arg(long)]
    explain: bool,
    /// Write to FILE atomically instead of stdout
    #[arg(short, long, value_name = "FILE")]
    output: Option<String>,
}

#[derive(Args, Debug)]
struct ExplainArgs {
    /// Addresses, networks (CIDR) or domains
    #[arg(value_name = "ADDRESS", required = true)]
    queries: Vec<String>,
    #[command(flatten)]
    evidence: EvidenceArgs,
    /// Write to FILE atomically instead of stdout
    #[arg(short, long, value_name = "FILE")]
    output: Option<String>,
}

#[derive(Args, Debug)]
struct FeedsArgs {
    #[command(flatten)]
    evidence: EvidenceArgs,
    /// Write to FILE atomically instead of stdout
    #[arg(short, long, value_name = "FILE")]
    output: Option<String>,
}

#[derive(Args, Debug)]
struct MergeArgs {
    /// State files
    #[arg(value_name = "STATE", required = true)]
    states: Vec<String>,
    /// The merged state, written atomically
    #[arg(short, long, value_name = "FILE", required = true)]
    output: String,
    /// Decay the result to this later time (RFC 3339, a date, Unix seconds, or -2d, yesterday) [default: the latest state's]
    #[arg(long, value_name = "TIME", value_parser = crate::time::parse_arg, allow_hyphen_values = true)]
    now: Option<i64>,
    /// Print nothing on stderr but errors
    #[arg(short, long)]
    quiet: bool,
}

pub fn command() -> clap::Command {
    super::with_sections(Cli::command(), SECTIONS)
}

pub fn main() -> ExitCode {
    let cli: Cli = cli::parse(command());
    cli::run(NAME, || match cli.command {
        Some(Command::Explain(a)) => explain(a),
        Some(Command::Merge(a)) => merge(a),
        Some(Command::Feeds(a)) => feeds(a),
        None => run(cli.score),
    })
}

/// The model's parameters from the arguments; category names are checked
/// and made canonical here, the thresholds by the stage.
fn params(e: &EvidenceArgs) -> Result<Params, Failure> {
    let mut categories = Vec::new();
    for c in &e.categories {
        if !crate::feed::is_name(c) {
            return Err(Failure::msg(format!(
                "--category: use letters, digits, '.', '_' or '-': {}",
                quote(c.as_bytes())
            )));
        }
        categories.push(score::category::canonical(c));
    }
    Ok(Params {
        enter: e.enter,
        leave: e.leave,
        rollup: e.rollup.then_some(Rollup {
            v4: e.rollup_prefix,
            v6: e.rollup_prefix6,
            ..Rollup::default()
        }),
        categories,
        trust: !e.no_trust,
        ..Params::default()
    })
}

fn evidence_plan(e: &EvidenceArgs, indicators: Vec<String>, events: Vec<String>) -> EvidencePlan {
    EvidencePlan {
        events,
        indicators,
        feeds: e.feeds.clone(),
        now: e.now,
        state: e.state.clone(),
        strict: e.strict,
    }
}

/// Prints what reading each input skipped: the first refused rows, then a
/// summary line.
fn print_inputs(inputs: &[InputReport]) {
    for InputReport { file, problems: p } in inputs {
        for e in &p.examples {
            eprintln!("{NAME}: {}", e.in_file(file));
        }
        let mut s = format!(
            "{NAME}: {file}: read {} rows, skipped {}",
            p.rows, p.skipped
        );
        if !p.by_reason.is_empty() {
            let reasons: Vec<String> = p
                .by_reason
                .iter()
                .map(|(k, v)| format!("{k}: {v}"))
                .collect();
            s.push_str(&format!(" ({})", reasons.join("; ")));
        }
        if p.future > 0 {
            s.push_str(&format!(", {} times in the future clamped", p.future));
        }
        eprintln!("{s}");
    }
}

fn run(a: ScoreArgs) -> Result<Verdict, Failure> {
    let e = &a.evidence;
    let mut indicators: Vec<String> = a.inputs.clone();
    indicators.extend(e.indicators.iter().cloned());
    let mut events = e.events.clone();
    events.extend(a.add.iter().cloned());
    if indicators.is_empty() && events.is_empty() && e.state.is_none() {
        indicators.push("-".into());
    }
    let plan = ScorePlan {
        evidence: evidence_plan(e, indicators, events),
        params: params(e)?,
        previous: a.previous.clone(),
        min_score: a.min_score,
        top: a.top,
        reasons: a.explain,
        // --add rewrites the state it added to.
        save_state: a
            .save_state
            .clone()
            .or_else(|| (!a.add.is_empty()).then(|| e.state.clone()).flatten()),
        output: a.output.clone(),
    };
    let report = score::run(&plan)?;
    if !e.quiet {
        print_inputs(&report.inputs);
        print_summary(&report);
    }
    Ok(report.verdict)
}

/// The summary line (with why nothing was written, when nothing was) and
/// the feeds too old to count.
fn print_summary(r: &ScoreReport) {
    let at = crate::time::format(r.time);
    let why = match &r.empty {
        None => String::new(),
        Some(EmptyList { top_zero: true, .. }) => ": --top 0".into(),
        Some(EmptyList { highest: None, .. }) => ": no entry has evidence left".into(),
        Some(EmptyList {
            highest: Some(h),
            bar,
            ..
        }) => {
            let bar = match bar {
                Bar::Enter(x) => format!("T_in {x} (--enter)"),
                Bar::MinScore(x) => format!("--min-score {x}"),
            };
            format!(": the highest score is {}, below {bar}", format_milli(*h))
        }
    };
    eprintln!(
        "{NAME}: {} entries with evidence at {at}, {} rows written{why}",
        r.entries, r.rows
    );
    if !r.faded.is_empty() {
        eprintln!(
            "{NAME}: {} {} read but decayed to nothing by {at}: every entry was last seen \
             about {} half-lives of its category or more before; score them as of their \
             own time with --now",
            if r.faded.len() == 1 { "feed" } else { "feeds" },
            r.faded.join(", "),
            score::fade_half_lives()
        );
    }
}

fn explain(a: ExplainArgs) -> Result<Verdict, Failure> {
    let e = &a.evidence;
    let plan = ExplainPlan {
        evidence: evidence_plan(e, e.indicators.clone(), e.events.clone()),
        params: params(e)?,
        queries: a.queries.clone(),
    };
    let found = score::explain(&plan)?;
    if !e.quiet {
        print_inputs(&found.inputs);
        let at = crate::time::format(found.time);
        let basis = match found.basis {
            TimeBasis::Given => "--now",
            TimeBasis::Clock => "the clock",
            TimeBasis::State => "the state's time; --now for another",
            TimeBasis::Evidence => "the newest time in the evidence; --now for another",
        };
        eprintln!("{NAME}: evidence weighed at {at} ({basis})");
        for q in &found.unknown {
            eprintln!("{NAME}: {}: no evidence at {at}", quote(q.as_bytes()));
        }
        for b in &found.below {
            eprintln!(
                "{NAME}: {}: not listed: its score {} is below T_in {} (--enter), so a list \
                 scored from this evidence alone leaves it out; a list that already holds it \
                 (--previous) keeps it while it scores at least {}, and a profile may block it \
                 for its country, AS or a custom block (tl-query says why)",
                quote(b.entry.as_bytes()),
                format_milli(b.score),
                format_milli(b.enter),
                format_milli(b.leave)
            );
        }
    }
    let mut out = Output::create(a.output.as_deref())
        .map_err(|err| Failure::io_at(a.output.as_deref().unwrap_or("-"), &err))?;
    out.write_all(&found.to_csv())?;
    out.finish()?;
    Ok(found.verdict)
}

fn feeds(a: FeedsArgs) -> Result<Verdict, Failure> {
    let e = &a.evidence;
    let report = score::sources(&evidence_plan(e, e.indicators.clone(), e.events.clone()))?;
    if !e.quiet {
        print_inputs(&report.inputs);
    }
    let mut buf = Vec::with_capacity(4096);
    buf.extend_from_slice(score::SOURCES_HEADER.as_bytes());
    buf.push(b'\n');
    for r in &report.rows {
        r.write_row(&mut buf);
    }
    let mut out = Output::create(a.output.as_deref())
        .map_err(|err| Failure::io_at(a.output.as_deref().unwrap_or("-"), &err))?;
    out.write_all(&buf)?;
    out.finish()?;
    Ok(Verdict::Done)
}

fn merge(a: MergeArgs) -> Result<Verdict, Failure> {
    let plan = MergePlan {
        states: a.states.clone(),
        output: a.output.clone(),
        now: a.now,
    };
    let report = score::merge(&plan)?;
    if !a.quiet {
        eprintln!(
            "{NAME}: merged {} states: {} entries, {} pairs at {}",
            report.states,
            report.entries,
            report.pairs,
            crate::time::format(report.time)
        );
    }
    Ok(report.verdict)
}

#[cfg(test)]
mod tests {
    use super::MODEL;
    use crate::score::category::{OTHER, SENSOR_FRESH, SENSOR_HALF_LIFE, SENSOR_WORD, TABLE};
    use crate::score::trust::{BACKGROUND_AFTER, BACKGROUND_HALF_LIFE};

    /// The help's table of categories is the model's, not a copy that drifts.
    #[test]
    fn the_help_states_the_model_in_force() {
        let text = MODEL.split_whitespace().collect::<Vec<_>>().join(" ");
        let span = |s: i64| match s % 86400 {
            0 => format!("{}d", s / 86400),
            _ => format!("{}h", s / 3600),
        };
        for c in TABLE {
            let want = format!("{} {} {}", c.name, span(c.half_life), c.danger);
            assert!(text.contains(&want), "{want} not in the help");
        }
        assert!(text.contains(&format!(
            "anything else {} {}",
            span(OTHER.half_life),
            OTHER.danger
        )));
        let p = crate::score::Params::default();
        assert!(text.contains(&format!("(--enter, {})", p.enter)));
        assert!(text.contains(&format!("(--leave, {})", p.leave)));
        assert!(text.contains(&format!("2^(-age/{} h)", SENSOR_HALF_LIFE / 3600)));
        assert!(text.contains(&format!(
            "value is {} while its last report of the address is at most {} h old",
            SENSOR_WORD,
            SENSOR_FRESH / 3600
        )));
        let days = |s: i64| s / 86400;
        assert!(text.contains(&format!(
            "for over {} days see background: their words lose half per {} days",
            days(BACKGROUND_AFTER),
            days(BACKGROUND_HALF_LIFE)
        )));
    }
}
