//! `tl-query`: is an address or domain listed, by which profile and rule,
//! now or at a past time.

use crate::cli::{self, Failure, Verdict};
use crate::profile::query::{answer, Query, QueryPlan};
use clap::{CommandFactory, Parser};
use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;

pub const NAME: &str = "tl-query";

const EXAMPLES: &str = "\
tl-query 198.51.100.7
        every profile in ./out: blocked or allowed, by which rule
tl-query --out /var/lib/threatlist/out 203.0.113.9 c2.example.net
tl-query --at 2026-03-03 198.51.100.7
        was it listed on 3 March, and why?
tl-query < addresses.txt
        batch mode: one address or domain per line
tl-query --json 198.51.100.7
        the same rows as JSON, with when each entry was first listed
tl-query --provenance acme > acme-provenance.csv
        every entry of profile acme with each of its reasons";

const NOTES: &str = "\
Output is CSV: query,profile,list,entry,reason,detail,first_listed,
first_serial (--json: the same fields, one object per row). For every profile the
lists that hold the query (block-in, block-out, allow, domains,
allow-domains) with each provenance row of an entry covering it; entries the
guards or capacity left out show as list 'excluded'; 'none' when no list
holds it. A domain matches a listed name or any of its subdomains. With
--at, each profile answers from its version in force at that time
('no-version' before its first one). first_listed and first_serial say
when the query was first on that list: the time and serial of the oldest
version of the kept history (up to the one answering) whose list holds it;
empty for 'none', 'no-version' and 'excluded'. Rows follow the order of the
queries, then profile names.

A profile's provenance.csv holds its own rows (custom and allow entries,
guards, domains) and one rule row per threshold and policy rule; the
evidence itself is stored once per run, shared by all profiles. --provenance
PROFILE prints the whole provenance of a version: one row per reason of
every entry, evidence and country networks included, and each entry that
capacity or a guard left out (list 'excluded').";

const EXIT_STATUS: &str = "\
0  some profile blocks a query (block-in, block-out or domains)
1  no profile blocks any query
2  any error: a query that is neither an address nor a domain, no compiled
   profiles, an unreadable compiled list
With --provenance: 0 when the version has rows, 1 when it has none.";

/// Sections shared by `--help` and the man page.
pub const SECTIONS: &[(&str, &str)] = &[
    ("EXAMPLES", EXAMPLES),
    ("NOTES", NOTES),
    ("EXIT STATUS", EXIT_STATUS),
];

/// Which profiles list an address or domain, and why
#[derive(Parser, Debug)]
#[command(name = NAME, version)]
pub struct Cli {
    /// Addresses, CIDRs, ranges or domain names; none or - reads them from
    /// stdin, one per line
    #[arg(value_name = "ADDRESS|DOMAIN")]
    queries: Vec<String>,
    /// tl-compile's output directory
    #[arg(long, value_name = "DIR", default_value = "out")]
    out: PathBuf,
    /// Answer as of this time: RFC 3339, a date (its end), Unix seconds, or
    /// before now: -2d, -12h, yesterday
    #[arg(long, value_name = "DATE", allow_hyphen_values = true)]
    at: Option<String>,
    /// Print the whole provenance of PROFILE's version (entry,list,reason,
    /// detail) instead of answering queries
    #[arg(long, value_name = "PROFILE", conflicts_with = "queries")]
    provenance: Option<String>,
    /// Write the rows as JSON ({"rows": [{"query": ..., ...}]}) instead of CSV
    #[arg(long, conflicts_with = "provenance")]
    json: bool,
}

const COLUMNS: [&str; 8] = [
    "query",
    "profile",
    "list",
    "entry",
    "reason",
    "detail",
    "first_listed",
    "first_serial",
];

/// The clap definition, for `--help`, man pages and completions.
pub fn command() -> clap::Command {
    super::with_sections(Cli::command(), SECTIONS)
}

/// Entry point of the `tl-query` binary.
pub fn main() -> ExitCode {
    let c: Cli = cli::parse(command());
    cli::run(NAME, || run(c))
}

fn run(c: Cli) -> Result<Verdict, Failure> {
    let at = match &c.at {
        Some(s) => Some(crate::time::parse_arg(s).map_err(|e| Failure::msg(format!("--at: {e}")))?),
        None => None,
    };
    if !c.out.is_dir() {
        return Err(Failure::msg(format!(
            "{}: no such directory; tl-query reads what tl-compile --out (or tl-update's out_dir) wrote: name it with --out DIR",
            c.out.display()
        )));
    }
    if let Some(p) = &c.provenance {
        return print_provenance(&c.out, p, at);
    }
    let mut queries: Vec<Query> = Vec::new();
    if c.queries.is_empty() || c.queries == ["-"] {
        for (i, line) in std::io::stdin().lock().lines().enumerate() {
            let line = line.map_err(|e| Failure::msg(format!("-: {}", cli::describe_io(&e))))?;
            let t = line.split('#').next().unwrap_or("").trim().to_string();
            if !t.is_empty() {
                queries.push(Query {
                    file: "-".into(),
                    line: Some(i as u64 + 1),
                    text: t,
                });
            }
        }
    } else {
        queries.extend(c.queries.iter().map(|q| Query {
            file: "argument".into(),
            line: None,
            text: q.clone(),
        }));
    }
    let report = answer(&QueryPlan {
        out: c.out,
        at,
        queries,
    })?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if c.json {
        let rows: Vec<serde_json::Map<String, serde_json::Value>> = report
            .rows
            .iter()
            .map(|r| {
                COLUMNS
                    .iter()
                    .zip(r)
                    .map(|(k, v)| {
                        let v = match (*k, v.parse::<u64>()) {
                            ("first_serial", Ok(n)) => n.into(),
                            ("first_serial" | "first_listed", _) if v.is_empty() => {
                                serde_json::Value::Null
                            }
                            _ => v.as_str().into(),
                        };
                        (k.to_string(), v)
                    })
                    .collect()
            })
            .collect();
        serde_json::to_writer_pretty(&mut out, &serde_json::json!({ "rows": rows }))
            .map_err(std::io::Error::from)?;
        writeln!(out)?;
    } else {
        write_row(&mut out, &COLUMNS)?;
        for r in &report.rows {
            write_row(&mut out, r)?;
        }
    }
    out.flush()?;
    Ok(report.verdict())
}

fn write_row<S: AsRef<str>>(out: &mut impl Write, fields: &[S]) -> std::io::Result<()> {
    let mut line = Vec::new();
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            line.push(b',');
        }
        crate::record::push_field(&mut line, f.as_ref());
    }
    line.push(b'\n');
    out.write_all(&line)
}

fn print_provenance(
    out_dir: &std::path::Path,
    profile: &str,
    at: Option<i64>,
) -> Result<Verdict, Failure> {
    let rows = crate::profile::query::provenance(out_dir, profile, at)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    out.write_all(b"entry,list,reason,detail\n")?;
    for r in &rows {
        write_row(&mut out, &[&r.entry, &r.list, &r.reason, &r.detail])?;
    }
    out.flush()?;
    Ok(if rows.is_empty() {
        Verdict::No
    } else {
        Verdict::Done
    })
}
