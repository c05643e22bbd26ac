//! `tl-ingest`: threat feeds (files, stdin, URLs, or a feed configuration)
//! into the indicators CSV.

use crate::cli::{self, quote, Failure, Verdict};
use crate::feed::config::{self, parse_duration};
use crate::feed::fetch::FetchSettings;
use crate::feed::{
    is_name, run_job, Collector, Columns, Counts, FeedFormat, Job, Location, Outcome, Policy,
    Rejection, RowContext, Settings,
};
use crate::files::output::Output;
use crate::record::write_header;
use crate::time::format as format_time;
use clap::{CommandFactory, Parser, ValueEnum};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write;
use std::process::ExitCode;

pub const NAME: &str = "tl-ingest";

const EXAMPLES: &str = "\
tl-ingest drop.txt                        Spamhaus DROP into indicators (feed 'drop')
tl-ingest --feed ssh --category bruteforce - < ips.txt
tl-ingest --format csv --column dst_ip feodo.csv
tl-ingest --format jsonl --field data.ip events.json
tl-ingest https://feeds.dshield.org/block.txt --cache /var/cache/tl
tl-ingest --config fixtures/demo/feeds.toml -o indicators.csv
tl-ingest --config feeds.toml --output-dir out/ --stats json --fail-on-stale";

const FORMATS: &str = "\
list          one address, CIDR or range per line; # ; // comments
firehol       FireHOL .netset/.ipset (name, category, date from the header)
spamhaus      Spamhaus DROP/EDROP/DROPv6 'prefix ; SBLnnn' (--with-ref keeps SBL)
spamhaus-json Spamhaus JSON lines (ASN-DROP entries are counted unsupported)
dshield       DShield block.txt (start, end, prefix, attacks → hits)
dshield-top   DShield-style top-sources table with a header row
ipsum         'ip<TAB>count' (count → hits)
csv           CSV/TSV with a header; --column picks the column (URLs → host)
json, jsonl   JSON document or JSON lines; --field a.b.c picks the field
domains       one domain (or address) per line
hosts         hosts file: 0.0.0.0 / 127.0.0.1 / :: name…
adblock       AdBlock/AdGuard '||name^'
rpz           RPZ zone: QNAME and rpz-ip triggers
stix          STIX 2.x bundle: equality patterns on ipv4-addr, ipv6-addr,
              domain-name values (other patterns counted unsupported)
The format is detected from the content; --format forces one.";

const OUTPUT: &str = "\
CSV with the header indicator,type,feed,category,first_seen,last_seen,hits,
confidence (docs/formats.md). Feeds in name order; in a feed IPv4 by address
and prefix length, then IPv6, then domains in byte order. Entries listed more
than once become one row: earliest first_seen, latest last_seen, summed hits.
Rows without times of their own get the feed's time: from its header, else
the HTTP Last-Modified/Date, else --now, else the file's modification time.
Special-purpose space and prefixes wider than --max-prefix/--max-prefix6 are
dropped (partly special ranges are trimmed) and counted; domains are checked
label by label. A one-line summary per feed goes to stderr (--stats json for
machines), with the first refused lines quoted as FILE:LINE: reason: 'text'.";

const FETCHING: &str = "\
URLs are fetched with a timeout, a size cap and retries with exponential
backoff. With --cache DIR (or cache_dir in the configuration) requests are
conditional (ETag, If-Modified-Since) and the last good copy is kept: a
failed fetch, an HTML page, or a feed that suddenly holds only comments falls
back to it and the feed is reported STALE.";

const EXIT_STATUS: &str = "\
0  success (stale feeds are reported but not an error)
1  --fail-on-stale and a feed is stale
2  any error: unreadable or unusable feed without a good copy, a bad line
   under --strict, a bad configuration, bad usage";

pub const SECTIONS: &[(&str, &str)] = &[
    ("EXAMPLES", EXAMPLES),
    ("FORMATS", FORMATS),
    ("OUTPUT", OUTPUT),
    ("FETCHING", FETCHING),
    ("EXIT STATUS", EXIT_STATUS),
];

/// Threat feeds into indicator records: files, stdin, URLs or a feed
/// configuration, any common format, validated, de-duplicated and sorted.
#[derive(Parser, Debug)]
#[command(name = NAME, version)]
pub struct Cli {
    /// Feeds: files, http(s) URLs, or - for stdin (the default when no
    /// --config); gzip is read transparently
    #[arg(value_name = "FILE|URL|-")]
    inputs: Vec<String>,
    /// Write to FILE atomically instead of stdout
    #[arg(short, long, value_name = "FILE", conflicts_with = "output_dir")]
    output: Option<String>,
    /// Write one FEED.csv per feed into DIR (a failed feed's file is left as it was)
    #[arg(long, value_name = "DIR")]
    output_dir: Option<String>,
    /// Feed name for the inputs (default: the file's stem, or a FireHOL header's name)
    #[arg(long, value_name = "NAME")]
    feed: Option<String>,
    /// Category for the inputs (e.g. scanner, bruteforce, botnet-c2, spam)
    #[arg(long, value_name = "C")]
    category: Option<String>,
    /// Confidence of the inputs, 0..1
    #[arg(long, value_name = "X", default_value_t = 1.0)]
    confidence: f64,
    /// Force the format instead of detecting it
    #[arg(short, long, value_name = "FORMAT", value_parser = parse_format)]
    format: Option<FeedFormat>,
    /// CSV column holding the indicator: header name or 1-based number
    #[arg(long, value_name = "COL")]
    column: Option<String>,
    /// JSON field path holding the indicator (a.b.c; '*' for any member)
    #[arg(long, value_name = "PATH")]
    field: Option<String>,
    /// Feed configuration (TOML): ingests every feed it lists, in parallel
    #[arg(short, long, value_name = "FILE")]
    config: Option<String>,
    /// Cache directory for fetched feeds (conditional requests, last good copy)
    #[arg(long, value_name = "DIR")]
    cache: Option<String>,
    /// Time limit for one request [default: 30s]
    #[arg(long, value_name = "DURATION", value_parser = duration)]
    timeout: Option<std::time::Duration>,
    /// Retries after a failed request (network errors, 5xx, 429) [default: 3]
    #[arg(long, value_name = "N")]
    retries: Option<u32>,
    /// Wait before the first retry; doubled for each further one
    #[arg(long, value_name = "DURATION", value_parser = duration, default_value = "1s")]
    backoff: std::time::Duration,
    /// Largest download or JSON document, in bytes (K, M, G suffixes) [default: 256M]
    #[arg(long, value_name = "SIZE", value_parser = size)]
    max_size: Option<u64>,
    /// Any refused line is an error (exit 2)
    #[arg(long)]
    strict: bool,
    /// Drop IPv4 prefixes shorter than /N [default: 8]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(0..=32))]
    max_prefix: Option<u32>,
    /// Drop IPv6 prefixes shorter than /N [default: 32]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(0..=128))]
    max_prefix6: Option<u32>,
    /// Emit special-purpose space (private, loopback, multicast, …) too
    #[arg(long)]
    allow_special: bool,
    /// The time for feeds that carry none (RFC 3339), and the clock for cache ages
    #[arg(long, value_name = "TIME", value_parser = crate::time::parse_arg)]
    now: Option<i64>,
    /// Per-feed summary on stderr
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t = StatsFormat::Text)]
    stats: StatsFormat,
    /// Exit 1 when a feed is stale (served from its last good copy, or missing)
    #[arg(long)]
    fail_on_stale: bool,
    /// Append a ref column with the feed's own reference (Spamhaus SBL, STIX id)
    #[arg(long)]
    with_ref: bool,
    /// Print nothing on stderr but errors
    #[arg(short, long)]
    quiet: bool,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
enum StatsFormat {
    Text,
    Json,
    None,
}

fn parse_format(s: &str) -> Result<FeedFormat, String> {
    FeedFormat::from_name(s).ok_or_else(|| {
        let names: Vec<&str> = FeedFormat::ALL.iter().map(|f| f.name()).collect();
        format!("unknown format (one of: {})", names.join(", "))
    })
}

fn duration(s: &str) -> Result<std::time::Duration, String> {
    parse_duration(s).ok_or_else(|| "not a duration like 250ms, 30s, 5m".into())
}

fn size(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let (num, mult) = match s.char_indices().last() {
        Some((i, 'K' | 'k')) => (&s[..i], 1u64 << 10),
        Some((i, 'M' | 'm')) => (&s[..i], 1 << 20),
        Some((i, 'G' | 'g')) => (&s[..i], 1 << 30),
        _ => (s, 1),
    };
    num.parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(mult))
        .ok_or_else(|| "not a size like 1048576, 512K, 256M, 1G".into())
}

pub fn command() -> clap::Command {
    super::with_sections(Cli::command(), SECTIONS)
}

pub fn main() -> ExitCode {
    // Parse through command() so --help shows the examples and exit status.
    let matches = command().get_matches();
    let cli = match <Cli as clap::FromArgMatches>::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => e.exit(),
    };
    cli::run(NAME, || run(cli))
}

/// One feed after merging its inputs.
struct FeedResult {
    name: String,
    category: String,
    confidence: f64,
    time: i64,
    formats: Vec<String>,
    sources: Vec<String>,
    stale: Vec<String>,
    empty: bool,
    collector: Collector,
}

#[derive(Serialize)]
struct FeedStats<'a> {
    feed: &'a str,
    sources: &'a [String],
    format: String,
    category: &'a str,
    time: String,
    stale: bool,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    stale_reasons: &'a [String],
    empty: bool,
    #[serde(flatten)]
    counts: &'a Counts,
    examples: &'a [Rejection],
}

#[derive(Serialize)]
struct RunStats<'a> {
    feeds: Vec<FeedStats<'a>>,
    errors: &'a [String],
}

fn jobs_from(cli: &Cli) -> Result<(Vec<Job>, config::Defaults), Failure> {
    let mut jobs = Vec::new();
    let mut defaults = config::Defaults::default();
    if let Some(path) = &cli.config {
        let c = config::load(path).map_err(Failure::msg)?;
        defaults = c.defaults;
        jobs = c.jobs;
    }
    if let Some(f) = &cli.feed {
        if !is_name(f) {
            return Err(Failure::msg(format!(
                "--feed: use letters, digits, '.', '_' or '-': {}",
                quote(f.as_bytes())
            )));
        }
    }
    if let Some(c) = &cli.category {
        if !is_name(c) {
            return Err(Failure::msg(format!(
                "--category: use letters, digits, '.', '_' or '-': {}",
                quote(c.as_bytes())
            )));
        }
    }
    if !(0.0..=1.0).contains(&cli.confidence) {
        return Err(Failure::msg("--confidence must be between 0 and 1"));
    }
    let mut inputs = cli.inputs.clone();
    if inputs.is_empty() && cli.config.is_none() {
        inputs.push("-".into());
    }
    for arg in inputs {
        let mut job = Job::new(Location::from_arg(&arg));
        job.name = cli.feed.clone();
        job.category = cli.category.clone();
        job.confidence = Some(cli.confidence);
        job.format = cli.format;
        job.columns = Columns {
            column: cli.column.clone(),
            field: cli.field.clone(),
        };
        jobs.push(job);
    }
    Ok((jobs, defaults))
}

fn run(cli: Cli) -> Result<Verdict, Failure> {
    let (jobs, defaults) = jobs_from(&cli)?;
    let clock = cli
        .now
        .unwrap_or_else(|| jiff::Timestamp::now().as_second());
    let settings = Settings {
        policy: Policy {
            max_prefix4: cli.max_prefix.or(defaults.max_prefix).unwrap_or(8),
            max_prefix6: cli.max_prefix6.or(defaults.max_prefix6).unwrap_or(32),
            allow_special: cli.allow_special || defaults.allow_special.unwrap_or(false),
            strict: cli.strict,
        },
        fetch: FetchSettings {
            timeout: cli
                .timeout
                .or(defaults.timeout)
                .unwrap_or(std::time::Duration::from_secs(30)),
            retries: cli.retries.or(defaults.retries).unwrap_or(3),
            backoff: cli.backoff,
            max_size: cli.max_size.or(defaults.max_size).unwrap_or(256 << 20),
            cache_dir: cli
                .cache
                .as_ref()
                .map(Into::into)
                .or(defaults.cache_dir.clone()),
        },
        now: cli.now,
        clock,
    };
    let results = super::set::parallel_map(&jobs, |job| run_job(job, &settings));

    let mut errors: Vec<String> = Vec::new();
    let mut feeds: BTreeMap<String, FeedResult> = BTreeMap::new();
    for r in results {
        match r {
            Err(e) => errors.push(e.message),
            Ok(o) => merge_outcome(&mut feeds, o),
        }
    }
    let quiet = cli.quiet || cli.stats == StatsFormat::None;
    for e in &errors {
        eprintln!("{NAME}: {e}");
    }
    let mut finished = Vec::new();
    for (_, f) in feeds {
        let FeedResult { collector, .. } = f;
        let examples = collector.examples.clone();
        let (rows, counts) = collector.finish();
        let f = FeedResult {
            collector: Collector::default(),
            ..f
        };
        if !cli.quiet {
            for ex in &examples {
                eprintln!(
                    "{NAME}: {}:{}: {}: {}",
                    f.sources[0],
                    ex.line,
                    ex.reason,
                    quote(&ex.text)
                );
            }
            for s in &f.stale {
                eprintln!("{NAME}: {}: STALE: {s}", f.name);
            }
            if f.empty {
                eprintln!(
                    "{NAME}: {}: the feed holds no entries (only comments)",
                    f.name
                );
            }
        }
        if !quiet && cli.stats == StatsFormat::Text {
            eprintln!("{NAME}: {}", summary(&f, &counts));
        }
        finished.push((f, rows, counts, examples));
    }
    if cli.stats == StatsFormat::Json && !cli.quiet {
        let stats = RunStats {
            feeds: finished
                .iter()
                .map(|(f, _, counts, examples)| FeedStats {
                    feed: &f.name,
                    sources: &f.sources,
                    format: f.formats.join("+"),
                    category: &f.category,
                    time: format_time(f.time),
                    stale: !f.stale.is_empty(),
                    stale_reasons: &f.stale,
                    empty: f.empty,
                    counts,
                    examples,
                })
                .collect(),
            errors: &errors,
        };
        eprintln!("{}", serde_json::to_string(&stats).unwrap_or_default());
    }

    let ctx = |f: &FeedResult| RowContext {
        feed: f.name.clone(),
        category: f.category.clone(),
        time: f.time,
        confidence: f.confidence,
        with_ref: cli.with_ref,
    };
    if let Some(dir) = &cli.output_dir {
        std::fs::create_dir_all(dir).map_err(|e| Failure::io_at(dir, &e))?;
        for (f, rows, _, _) in &finished {
            let path = std::path::Path::new(dir).join(format!("{}.csv", f.name));
            let path = path.to_string_lossy().into_owned();
            let mut out = Output::create(Some(&path)).map_err(|e| Failure::io_at(&path, &e))?;
            write_header(&mut out, cli.with_ref)?;
            rows.write(&ctx(f), &mut out)?;
            out.finish()?;
        }
    } else if errors.is_empty() {
        // One output: nothing is written when a feed failed, so a list is
        // never published with a feed silently missing.
        let mut out = Output::create(cli.output.as_deref())
            .map_err(|e| Failure::io_at(cli.output.as_deref().unwrap_or("-"), &e))?;
        write_header(&mut out, cli.with_ref)?;
        for (f, rows, _, _) in &finished {
            rows.write(&ctx(f), &mut out)?;
        }
        out.flush()?;
        out.finish()?;
    }
    if !errors.is_empty() {
        return Ok(Verdict::Failed);
    }
    if cli.fail_on_stale && finished.iter().any(|(f, ..)| !f.stale.is_empty()) {
        return Ok(Verdict::No);
    }
    Ok(Verdict::Done)
}

fn merge_outcome(feeds: &mut BTreeMap<String, FeedResult>, o: Outcome) {
    let format = o.format.map(|f| f.name().to_string()).unwrap_or_default();
    match feeds.get_mut(&o.name) {
        Some(f) => {
            f.collector.absorb(o.collector);
            f.sources.push(o.source);
            if !f.formats.contains(&format) {
                f.formats.push(format);
            }
            f.stale.extend(o.stale);
            f.empty &= o.empty;
            // One time per feed: the newest of its inputs.
            f.time = f.time.max(o.time);
            if f.category.is_empty() {
                f.category = o.category;
            }
        }
        None => {
            feeds.insert(
                o.name.clone(),
                FeedResult {
                    name: o.name,
                    category: o.category,
                    confidence: o.confidence,
                    time: o.time,
                    formats: vec![format],
                    sources: vec![o.source],
                    stale: o.stale.into_iter().collect(),
                    empty: o.empty,
                    collector: o.collector,
                },
            );
        }
    }
}

fn by_reason(m: &BTreeMap<String, u64>) -> String {
    m.iter()
        .map(|(k, v)| format!("{k}: {v}"))
        .collect::<Vec<_>>()
        .join("; ")
}

/// `NAME (FORMAT): read N, accepted N, duplicates N, rejected N (…), …`
fn summary(f: &FeedResult, c: &Counts) -> String {
    let mut s = format!(
        "{} ({}): read {}, accepted {}, duplicates {}, rejected {}",
        f.name,
        f.formats.join("+"),
        c.read,
        c.accepted,
        c.duplicates,
        c.rejected_total()
    );
    if !c.rejected.is_empty() {
        s.push_str(&format!(" ({})", by_reason(&c.rejected)));
    }
    s.push_str(&format!(
        ", special-purpose {}, too wide {}",
        c.special_purpose, c.too_wide
    ));
    let unsupported: u64 = c.unsupported.values().sum();
    if unsupported > 0 {
        s.push_str(&format!(
            ", unsupported {unsupported} ({})",
            by_reason(&c.unsupported)
        ));
    }
    if !f.stale.is_empty() {
        s.push_str(", STALE");
    }
    if f.empty {
        s.push_str(", EMPTY");
    }
    s
}
