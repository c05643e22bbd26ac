//! `tl-logs`: read firewall, IDS and DNS logs back, match them against a
//! profile's lists, and report which inside machines called out to listed
//! addresses and what hit the perimeter.

use crate::cli::{self, Failure, Verdict};
use crate::files::Output;
use crate::logs::columns::Columns;
use crate::logs::{analyze, report, Analysis, Format, ListSource, LogInput, LogsPlan};
use crate::net::parse_entry;
use crate::set::{IpSet, SetBuilder};
use clap::{CommandFactory, Parser};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub const NAME: &str = "tl-logs";

const EXAMPLES: &str = "\
tl-logs --profile out/acme /var/log/kern.log*
        who called out to acme's listed addresses, what came in; rotated
        and gzip'd files are read oldest first
tl-logs --profile out/acme --html report.html --csv hits.csv fw.log
        the same, with a page to open offline and a table for machines
tl-logs --list blocklist.txt --inside 10.0.0.0/8 --format asa asa.log
        against a plain list, inside networks given
tl-logs --profile out/acme --timezone Europe/Berlin --events ev.csv kern.log
        local syslog times; perimeter drops as sensor events for tl-score
tl-logs --profile out/acme --format csv --columns 'header,time=ts,src=client,dst=server,dport=port' flows.csv";

const NOTES: &str = "\
Formats (detected per file from its first lines, or --format): netfilter
(iptables/UFW LOG lines via syslog or the journal, ulogd text), nftables,
ulogd (JSON), pf (tcpdump text of pflog), filterlog (pfSense/OPNsense),
asa (Cisco ASA/FTD/PIX), panos (PAN-OS TRAFFIC and THREAT), fortinet,
mikrotik, cef, zeek (conn and dns, TSV or JSON), suricata (eve.json and
fast.log), bind and unbound (query and RPZ logs), csv (with --columns).
docs/logs.md says what each line gives.

Each event is matched against the version of the lists in force at its
time (the profile's published history; the newest version for events
without a time). Inside networks are the profile's own networks unless
--inside is given. An event from outside to inside is inbound: its source
is looked up in block-in. From inside to outside it is outbound: its
destination is looked up in block-out. Allowed addresses are never hits.
A DNS query of a listed name counts as an outbound hit of its client.
When the log shows only a translated source, NAT translations (Cisco ASA
302013/305011) and DNS answers naming the destination recover the inside
machine; what cannot be recovered is counted and said.

Lines that carry no event are counted by reason, with the first few
line numbers; they never fail the run unless --strict. A gzip file that
breaks off is reported and the lines before the break count. Syslog
lines carry no year: it is inferred from the file's modification time
(no line is put after it) and from the order of the months.";

const EXIT_STATUS: &str = "\
0  some event matched the lists
1  no event matched
2  any error: an unreadable log or list, a format that cannot be told,
   a bad argument; with --strict, any unparseable line";

/// Sections shared by `--help` and the man page.
pub const SECTIONS: &[(&str, &str)] = &[
    ("EXAMPLES", EXAMPLES),
    ("NOTES", NOTES),
    ("EXIT STATUS", EXIT_STATUS),
];

/// Reads firewall, IDS and DNS logs and reports hits on the lists
#[derive(Parser, Debug)]
#[command(name = NAME, version)]
pub struct Cli {
    /// Log files (plain or gzip; - for stdin)
    #[arg(value_name = "LOG", required = true)]
    logs: Vec<PathBuf>,
    /// A compiled profile's directory (tl-compile's OUT/NAME): its lists,
    /// their history and its own networks
    #[arg(short, long, value_name = "DIR", required_unless_present = "list")]
    profile: Option<PathBuf>,
    /// A plain list of addresses to match both ways, instead of a profile
    /// (repeatable)
    #[arg(long, value_name = "FILE", conflicts_with = "profile")]
    list: Vec<PathBuf>,
    /// With --list: addresses that are never hits (repeatable)
    #[arg(long, value_name = "FILE", requires = "list")]
    allow: Vec<PathBuf>,
    /// With --list: listed domain names, one per line (repeatable)
    #[arg(long, value_name = "FILE", requires = "list")]
    domains: Vec<PathBuf>,
    /// Inside networks (CIDRs, comma-separated or repeated); default: the
    /// profile's own networks
    #[arg(long, value_name = "CIDR", value_delimiter = ',')]
    inside: Vec<String>,
    /// The format of every log, instead of detecting it
    #[arg(long, value_name = "FORMAT", value_parser = format_names())]
    format: Option<String>,
    /// The zone of times written without one: an IANA name or an offset
    /// (+01:00); LOG=ZONE for one log (repeatable) [default: UTC]
    #[arg(long, value_name = "[LOG=]ZONE")]
    timezone: Vec<String>,
    /// The column mapping of --format csv: [header,][sep=tab,]FIELD=COLUMN,…
    /// (fields time, src, dst, sport, dport, proto, action, qname)
    #[arg(long, value_name = "MAP")]
    columns: Option<String>,
    /// A GeoIP country database (MaxMind DB) for the countries of listed
    /// addresses
    #[arg(long, value_name = "FILE")]
    geo_db: Option<PathBuf>,
    /// Fail (exit 2) at the first line that carries no event
    #[arg(long)]
    strict: bool,
    /// Write the text summary to FILE instead of stdout
    #[arg(short, long, value_name = "FILE")]
    output: Option<String>,
    /// Write no text summary
    #[arg(short, long, conflicts_with = "output")]
    quiet: bool,
    /// Write the hits as CSV (a row per inside host and destination, and
    /// per listed source)
    #[arg(long, value_name = "FILE")]
    csv: Option<String>,
    /// Write the whole analysis as JSON
    #[arg(long, value_name = "FILE")]
    json: Option<String>,
    /// Write a self-contained HTML report (charts as inline SVG)
    #[arg(long, value_name = "FILE")]
    html: Option<String>,
    /// Write inbound drops and IDS alerts from outside sources as sensor
    /// events (time,source,sensor,port,proto,count) for tl-score
    #[arg(long, value_name = "FILE")]
    events: Option<String>,
    /// The sensor name of --events
    #[arg(long, value_name = "NAME", default_value = "tl-logs")]
    sensor: String,
    /// Worker threads [default: every core]
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    /// The time a log read from stdin ends by (its year's reference):
    /// RFC 3339, a date, Unix seconds, or -2d, yesterday [default: now]
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    now: Option<String>,
}

fn format_names() -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(Format::ALL.map(Format::name))
}

/// The clap definition, for `--help`, man pages and completions.
pub fn command() -> clap::Command {
    super::with_sections(Cli::command(), SECTIONS)
}

/// Entry point of the `tl-logs` binary.
pub fn main() -> ExitCode {
    let c: Cli = cli::parse(command());
    cli::run(NAME, || run(c))
}

/// A zone by IANA name or fixed offset, for `--timezone`.
fn zone(text: &str) -> Result<jiff::tz::TimeZone, Failure> {
    crate::time::parse_zone(text).map_err(|e| Failure::msg(format!("--timezone: {e}")))
}

fn inside(specs: &[String]) -> Result<Option<IpSet>, Failure> {
    if specs.is_empty() {
        return Ok(None);
    }
    let mut b = SetBuilder::default();
    for s in specs {
        match parse_entry(s.trim().as_bytes()) {
            Ok(crate::net::Entry::V4(r)) => b.v4.push(r),
            Ok(crate::net::Entry::V6(r)) => b.v6.push(r),
            Err(e) => return Err(Failure::msg(format!("--inside: '{s}': {e}"))),
        }
    }
    Ok(Some(b.build()))
}

fn run(c: Cli) -> Result<Verdict, Failure> {
    let format = c.format.as_deref().and_then(Format::from_name);
    let mut default_zone = jiff::tz::TimeZone::UTC;
    let mut zones: Vec<(PathBuf, jiff::tz::TimeZone)> = Vec::new();
    for spec in &c.timezone {
        match spec.rsplit_once('=') {
            Some((log, z)) => {
                if !c.logs.iter().any(|l| l == Path::new(log)) {
                    return Err(Failure::msg(format!(
                        "--timezone {spec}: '{log}' is not one of the logs"
                    )));
                }
                zones.push((PathBuf::from(log), zone(z)?));
            }
            None => default_zone = zone(spec)?,
        }
    }
    let inputs = c
        .logs
        .iter()
        .map(|p| LogInput {
            path: p.clone(),
            format,
            zone: zones
                .iter()
                .rev()
                .find(|(l, _)| l == p)
                .map_or_else(|| default_zone.clone(), |(_, z)| z.clone()),
        })
        .collect();
    let columns = match &c.columns {
        Some(m) => Some(Columns::parse(m).map_err(|e| Failure::msg(format!("--columns: {e}")))?),
        None if format == Some(Format::Csv) => {
            return Err(Failure::msg("--format csv needs --columns"));
        }
        None => None,
    };
    if !crate::record::is_sensor_name(c.sensor.as_bytes()) {
        return Err(Failure::msg(format!(
            "--sensor: '{}' is not a sensor name (letters, digits, '.', '_', '-')",
            c.sensor
        )));
    }
    let now = cli::now_arg(c.now.as_deref())?.unwrap_or_else(crate::time::now);
    let lists = match &c.profile {
        Some(p) => ListSource::Profile(p.clone()),
        None => ListSource::Plain {
            block: c.list.clone(),
            allow: c.allow.clone(),
            domains: c.domains.clone(),
        },
    };
    let plan = LogsPlan {
        inputs,
        lists,
        inside: inside(&c.inside)?,
        columns,
        geo_db: c.geo_db.clone(),
        strict: c.strict,
        sensor_events: c.events.is_some(),
        threads: c.threads.unwrap_or_else(crate::pool::threads),
        now,
    };
    let a = analyze(&plan)?;
    write_reports(&c, &a)?;
    Ok(if a.matched() > 0 {
        Verdict::Done
    } else {
        Verdict::No
    })
}

fn write_file(
    path: &str,
    body: impl FnOnce(&mut Output) -> std::io::Result<()>,
) -> Result<(), Failure> {
    let mut out = Output::create(Some(path)).map_err(|e| Failure::io_at(path, &e))?;
    body(&mut out).map_err(|e| Failure::io_at(path, &e))?;
    out.finish().map_err(|e| Failure::io_at(path, &e))
}

fn write_reports(c: &Cli, a: &Analysis) -> Result<(), Failure> {
    if let Some(p) = &c.csv {
        write_file(p, |o| report::csv(a, o))?;
    }
    if let Some(p) = &c.json {
        write_file(p, |o| report::json(a, o))?;
    }
    if let Some(p) = &c.html {
        let title = c
            .profile
            .as_ref()
            .and_then(|p| p.file_name())
            .map_or_else(|| "lists".to_string(), |n| n.to_string_lossy().into_owned());
        write_file(p, |o| {
            o.write_all(crate::logs::html::page(a, &title).as_bytes())
        })?;
    }
    if let Some(p) = &c.events {
        write_file(p, |o| report::events(a, &c.sensor, o))?;
    }
    if !c.quiet {
        let target = c.output.as_deref().unwrap_or("-");
        write_file(target, |o| o.write_all(report::text(a).as_bytes()))?;
    }
    Ok(())
}
