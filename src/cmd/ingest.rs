//! `tl-ingest`: threat feeds (files, stdin, URLs, or a feed configuration)
//! into the indicators CSV.

use crate::cli::{self, Failure, Verdict};
use crate::error::LineError;
use crate::feed::config::{parse_duration, parse_size};
use crate::feed::{
    self, Columns, Counts, Destination, FeedFormat, FeedReport, IngestReport, PlanBuilder,
};
use crate::time::format as format_time;
use clap::{CommandFactory, Parser, ValueEnum};
use serde::Serialize;
use std::process::ExitCode;

pub const NAME: &str = "tl-ingest";

const EXAMPLES: &str = "\
tl-ingest drop.txt                        Spamhaus DROP into indicators (feed 'drop')
tl-ingest --feed ssh --category bruteforce - < ips.txt
tl-ingest --format csv --column dst_ip feodo.csv
tl-ingest --format jsonl --field data.ip events.json
tl-ingest misp-feed/                      A MISP feed folder (manifest.json + events)
tl-ingest --output-dir out/ dnsmasq-blocklist.conf torbulkexitlist.zip
tl-ingest https://feeds.dshield.org/block.txt --cache /var/cache/tl
tl-ingest --config fixtures/demo/feeds.toml -o indicators.csv
tl-ingest --config feeds.toml --output-dir out/ --stats json --fail-on-stale
tl-ingest feeds/                          every feed file in feeds/, by name
tl-ingest --plain drop.txt dropv6.txt | tl-set count
                                          a plain list of addresses for tl-set";

const FORMATS: &str = "\
list          one address, CIDR or range per line; # ; // comments
firehol       FireHOL .netset/.ipset (name, category, date from the header)
spamhaus      Spamhaus DROP/EDROP/DROPv6 'prefix ; SBLnnn' (--with-ref keeps SBL)
spamhaus-json Spamhaus JSON lines (ASN-DROP entries: the AS's networks from
              --asn-db, else counted unsupported)
dshield       DShield block.txt (start, end, prefix, attacks → hits)
dshield-top   DShield-style top-sources table with a header row
ipsum         'ip<TAB>count' (count → hits)
csv           CSV/TSV, header optional (also commented out: '# id,url,…');
              --column picks the column, else a known name, else the
              content (a note says which); URLs → host, ip:port → ip
json, jsonl   JSON document or JSON lines; --field a.b.c picks the field;
              an array of strings is an array of indicators
domains       one domain (or address) per line
hosts         hosts file: 0.0.0.0 / 127.0.0.1 / :: name…
adblock       AdBlock/AdGuard '||name^', '||192.0.2.1^' (@@ exceptions counted)
rpz           RPZ zone: QNAME and rpz-ip triggers
stix          STIX 2.0/2.1 bundle (any key order), array of objects or one
              object per line: equality patterns on ipv4-addr, ipv6-addr,
              domain-name values (other patterns counted unsupported);
              expired indicators (valid_until) counted, not listed
misp          MISP events ({\"Event\": …}, {\"response\": […]}) or a MISP feed
              folder (DIR with manifest.json): ip, domain, hostname, url
              attributes; to_ids false counted, not listed
dnsmasq       'address=/name/0.0.0.0', 'server=/name/', 'local=/name/'
unbound       'local-zone: \"name\" always_nxdomain', 'local-data: \"name A 0.0.0.0\"'
bind          named.conf 'zone \"name\" { type master; file \"…\"; };'
squid         Squid ACL domain list: '.name' (the name and below) or 'name'
tor-bulk      Tor bulk exit list (category anonymizer)
tor-exits     Tor exit-addresses records: ExitAddress ADDR TIME → first/last
              seen (category anonymizer)
The format is detected from the content; --format forces one. CRLF line
ends, a UTF-8 BOM, gzip and a zip holding one file are read in any format.";

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
machines), with the first refused lines quoted as FILE:LINE: reason: 'text'.
A directory input stands for its regular files by name (hidden files and
subdirectories left out). Inputs are feeds by name: two files with the same
stem in different places (a/drop.txt, b/drop.txt) are named apart by their
directory (a-drop, b-drop; drop, drop-2 when that does not tell them apart)
with a warning; --feed or name= in the configuration picks a name instead.
--plain writes a plain list instead of the CSV: every address and prefix of
every feed once, IPv4 then IPv6, sorted, a host without /32 or /128; domains
are left out and counted.";

const FETCHING: &str = "\
URLs are fetched with a timeout, a size cap and retries with exponential
backoff. With --cache DIR (or cache_dir in the configuration) requests are
conditional (ETag, If-Modified-Since) and the last good copy is kept: a
failed fetch or a feed that suddenly holds only comments falls back to it and
the feed is reported STALE.

A feed is FAILED when it accepts nothing (entry lines present, all refused or
dropped), refuses more than half of its entry lines, shrinks by more than
max_shrink (default 0.5) since its last good copy, or is an HTML page: its
last good copy is used (STALE) when there is one, else its rows are not
written; the reason is printed and the exit status is 1. --lenient makes
these warnings and uses the copy read.";

const EXIT_STATUS: &str = "\
0  success (stale feeds are reported but not an error)
1  a feed FAILED its health rules (see FETCHING; not under --lenient), or
   --fail-on-stale and a feed is stale
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
    /// Feeds: files, directories (every file in them), http(s) URLs, or -
    /// for stdin (the default when no --config); gzip is read transparently
    #[arg(value_name = "FILE|URL|-")]
    inputs: Vec<String>,
    /// Write to FILE atomically instead of stdout
    #[arg(short, long, value_name = "FILE", conflicts_with = "output_dir")]
    output: Option<String>,
    /// Write one FEED.csv per feed into DIR (a failed feed's file is left as it was)
    #[arg(long, value_name = "DIR")]
    output_dir: Option<String>,
    /// Write a plain list (one address or prefix a line, as tl-set reads)
    /// instead of the CSV; domains are left out and counted
    #[arg(long, conflicts_with_all = ["output_dir", "with_ref"])]
    plain: bool,
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
    /// A feed failing the health rules (nothing accepted, most lines
    /// refused, shrunk, an HTML page) is used anyway, with a warning
    #[arg(long, conflicts_with = "strict")]
    lenient: bool,
    /// Drop IPv4 prefixes shorter than /N [default: 8]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(0..=32))]
    max_prefix: Option<u32>,
    /// Drop IPv6 prefixes shorter than /N [default: 32]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(0..=128))]
    max_prefix6: Option<u32>,
    /// Emit special-purpose space (private, loopback, multicast, …) too
    #[arg(long)]
    allow_special: bool,
    /// ASN database (MaxMind DB): AS numbers a feed lists (Spamhaus
    /// ASN-DROP) become the AS's networks
    #[arg(long, value_name = "FILE")]
    asn_db: Option<String>,
    /// The time for feeds that carry none (RFC 3339, a date, Unix seconds, or -2d, yesterday), and the clock for cache ages
    #[arg(long, value_name = "TIME", value_parser = crate::time::parse_arg, allow_hyphen_values = true)]
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
    /// Print nothing on stderr but errors and what makes the exit status
    /// 1 (FAILED feeds; STALE ones under --fail-on-stale)
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
    parse_size(s).ok_or_else(|| "not a size like 1048576, 512K, 256M, 1G".into())
}

pub fn command() -> clap::Command {
    super::with_sections(Cli::command(), SECTIONS)
}

pub fn main() -> ExitCode {
    let cli: Cli = cli::parse(command());
    cli::run(NAME, || run(cli))
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
    failed: bool,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    failed_reasons: &'a [String],
    /// Its rows were not written (failed without a good copy).
    withheld: bool,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    warnings: &'a [String],
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    notes: &'a [String],
    #[serde(flatten)]
    counts: &'a Counts,
    examples: Vec<&'a LineError>,
}

#[derive(Serialize)]
struct RunStats<'a> {
    feeds: Vec<FeedStats<'a>>,
    errors: Vec<String>,
}

impl Cli {
    /// The plan builder, filled from the command line.
    fn plan(&self) -> PlanBuilder {
        let destination = match &self.output_dir {
            Some(dir) => Destination::PerFeed(dir.clone()),
            None if self.plain => Destination::Plain(self.output.clone()),
            None => Destination::One(self.output.clone()),
        };
        PlanBuilder {
            config: self.config.clone(),
            loaded: None,
            inputs: self.inputs.clone(),
            feed: self.feed.clone(),
            category: self.category.clone(),
            confidence: self.confidence,
            format: self.format,
            columns: Columns {
                column: self.column.clone(),
                field: self.field.clone(),
            },
            cache_dir: self.cache.as_ref().map(Into::into),
            timeout: self.timeout,
            retries: self.retries,
            max_size: self.max_size,
            max_prefix4: self.max_prefix,
            max_prefix6: self.max_prefix6,
            allow_special: self.allow_special,
            asn: None,
            backoff: self.backoff,
            strict: self.strict,
            lenient: self.lenient,
            now: self.now,
            with_ref: self.with_ref,
            fail_on_stale: self.fail_on_stale,
            destination,
        }
    }
}

fn run(cli: Cli) -> Result<Verdict, Failure> {
    let mut builder = cli.plan();
    if let Some(path) = &cli.asn_db {
        builder.asn = Some(crate::geo::asn_networks(std::path::Path::new(path))?);
    }
    let plan = builder.build()?;
    let report = feed::ingest(&plan)?;
    print_report(&cli, &report);
    Ok(report.verdict())
}

/// The failed feeds, each feed's refused lines, STALE and EMPTY lines and
/// summary, and `--stats json`, on stderr.
fn print_report(cli: &Cli, report: &IngestReport) {
    for f in &report.failed {
        eprintln!("{NAME}: {}", f.error);
    }
    if !cli.quiet {
        for r in &report.renamed {
            eprintln!(
                "{NAME}: {}: another input has the stem '{}' too: this one is feed {} \
                 (--feed or name= in the configuration to choose)",
                r.source, r.stem, r.name
            );
        }
        if report.domains_left_out > 0 {
            let n = report.domains_left_out;
            let s = if n == 1 { "" } else { "s" };
            eprintln!("{NAME}: {n} domain{s} left out of the plain list");
        }
    }
    let summaries = !cli.quiet && cli.stats == StatsFormat::Text;
    for f in &report.feeds {
        print_notes(f, cli.quiet, cli.fail_on_stale);
        if summaries {
            eprintln!("{NAME}: {}", summary(f));
        }
    }
    if cli.stats == StatsFormat::Json && !cli.quiet {
        let stats = RunStats {
            feeds: report.feeds.iter().map(feed_stats).collect(),
            errors: report.failed.iter().map(|f| f.error.to_string()).collect(),
        };
        eprintln!("{}", serde_json::to_string(&stats).unwrap_or_default());
    }
}

/// A feed's refused lines (`FILE:LINE: reason: 'text'`), FAILED, STALE
/// and EMPTY. `quiet` keeps only what explains a non-zero exit: FAILED,
/// and STALE under `--fail-on-stale`.
fn print_notes(f: &FeedReport, quiet: bool, fail_on_stale: bool) {
    if !quiet {
        for ex in &f.examples {
            eprintln!("{NAME}: {}", ex.to_input_error());
        }
        for note in &f.notes {
            eprintln!("{NAME}: {note}");
        }
    }
    for why in &f.failed {
        let what = if f.withheld {
            "its rows are not written"
        } else {
            "its last good copy is used"
        };
        eprintln!("{NAME}: {}: FAILED: {why}; {what}", f.name);
    }
    if !quiet {
        for why in &f.warnings {
            eprintln!("{NAME}: {}: WARNING (--lenient): {why}", f.name);
        }
    }
    if !quiet || fail_on_stale {
        for s in &f.stale {
            eprintln!("{NAME}: {}: STALE: {s}", f.name);
        }
    }
    if f.empty && !quiet {
        eprintln!(
            "{NAME}: {}: the feed holds no entries (only comments)",
            f.name
        );
    }
}

fn feed_stats(f: &FeedReport) -> FeedStats<'_> {
    FeedStats {
        feed: &f.name,
        sources: &f.sources,
        format: f.format_names(),
        category: &f.category,
        time: format_time(f.time),
        stale: f.is_stale(),
        stale_reasons: &f.stale,
        empty: f.empty,
        failed: f.is_failed(),
        failed_reasons: &f.failed,
        withheld: f.withheld,
        warnings: &f.warnings,
        notes: &f.notes,
        counts: &f.counts,
        examples: f.examples.iter().map(|e| &e.error).collect(),
    }
}

fn by_reason(m: &std::collections::BTreeMap<String, u64>) -> String {
    m.iter()
        .map(|(k, v)| format!("{k}: {v}"))
        .collect::<Vec<_>>()
        .join("; ")
}

/// `NAME (FORMAT): read N, accepted N, duplicates N, rejected N (…), …`
fn summary(f: &FeedReport) -> String {
    let c = &f.counts;
    let mut s = format!(
        "{} ({}): read {}, accepted {}, duplicates {}, rejected {}",
        f.name,
        f.format_names(),
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
    if c.adjusted > 0 {
        s.push_str(&format!(", range adjusted {}", c.adjusted));
    }
    if c.exceptions > 0 {
        s.push_str(&format!(", exceptions {}", c.exceptions));
    }
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
    if f.is_failed() {
        s.push_str(", FAILED");
    }
    s
}
