//! `tl-set`: set algebra on plain IP lists, and a stand-in for iprange.
//!
//! Two command lines share one engine. With a subcommand (`union`, `common`,
//! …) inputs are read strictly and options are tl-set's own. With no
//! subcommand, or when the binary is invoked as `iprange`, the arguments are
//! iprange's, and output and exit codes match iprange's (see `compat`).

mod compat;

use crate::cli::{self, Failure, Verdict};
use crate::files::{input, output::Output};
use crate::set::{
    reduce_prefixes, FamilyBuilder, IpSet, LineError, ListFormat, ListPrinter, LoadStats, Loader,
    PrefixMask, SetBuilder,
};
use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use std::ffi::OsString;
use std::io::Write;
use std::process::ExitCode;

pub const NAME: &str = "tl-set";

const EXAMPLES: &str = "\
tl-set union feeds/*.txt                 merge lists into minimal CIDRs
tl-set common a.txt b.txt                addresses listed in both
tl-set except feeds/*.txt -x allow.txt    feeds minus the allow-list
tl-set diff old.txt new.txt -f range     what changed (exit 1 if anything)
tl-set count drop.txt dropv6.txt         prefixes, IPv4 addresses, IPv6 space
tl-set count --csv --union feeds/*.txt   exact integers, IPv4 and IPv6 apart
tl-set union indicators.csv              tl-ingest's CSV: its first column
tl-set reduce --percent 20 big.netset    fewer prefix lengths for ipset
zcat list.gz | tl-set union - | head     stdin, gzip and pipes all work
tl-set --optimize a.txt --except b.txt   iprange's own command line";

const IPRANGE_NOTE: &str = "\
iprange mode: iprange manages IP ranges, and so does tl-set when it is called
as `iprange`, as `tl-set iprange ...`, or with no subcommand. It then takes
iprange's command line (--optimize, --common, --except, --diff, --compare,
--compare-first, --compare-next, --count-unique, --count-unique-all,
--ipset-reduce, --print-ranges, -1, --print-prefix, FILE as NAME, @FILELIST,
@DIRECTORY, -4, -6, ...) with iprange's output and exit codes, so scripts such
as FireHOL's update-ipsets can use it unchanged: link it as `iprange` on PATH.
Inputs are read as iprange reads them (inet_aton forms such as 010.1.1.1 are
octal), and hostnames are looked up through the system's resolver (a name
that does not resolve fails the run). Where iprange 2.x and Debian's 1.0.4
differ, tl-set follows 2.x. See docs/iprange.md.";

const EXIT_STATUS: &str = "\
0  success
1  diff: the inputs differ (iprange mode: --diff found differences)
2  any error: unreadable input, a bad line (named by file and line), bad usage";

/// Sections shared by `--help` and the man page.
pub const SECTIONS: &[(&str, &str)] = &[
    ("EXAMPLES", EXAMPLES),
    ("IPRANGE COMPATIBILITY", IPRANGE_NOTE),
    ("EXIT STATUS", EXIT_STATUS),
];

/// Set algebra on IP lists: union, common, except, diff, count, reduce.
#[derive(Parser, Debug)]
#[command(name = NAME, version)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Every address in any input, as a minimal list (alias: merge)
    #[command(visible_alias = "merge")]
    Union(Common),
    /// Addresses present in every input
    #[command(visible_alias = "intersect")]
    Common(Common),
    /// Addresses of the inputs that are in none of the --exclude lists
    Except(ExceptArgs),
    /// Addresses in exactly one of two inputs; exit 1 when they differ
    Diff(DiffArgs),
    /// Every address not in any input
    Complement(Common),
    /// Overlap of every pair of inputs (for people; --csv, --json)
    Compare(CompareArgs),
    /// Prefixes, IPv4 addresses and IPv6 space of each input (--csv, --json)
    Count(CountArgs),
    /// The union printed with fewer distinct prefix lengths (for ipset hash:net)
    Reduce(ReduceArgs),
    /// Run with iprange's command line (what tl-set does without a subcommand)
    #[command(disable_help_flag = true)]
    Iprange {
        /// iprange's arguments
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<OsString>,
    },
}

#[derive(Args, Debug, Clone)]
struct Inputs {
    /// Input lists: files, or - for stdin (the default); gzip is read
    /// transparently. One address, CIDR (prefix or netmask) or range per
    /// line; # and ; start comments.
    #[arg(value_name = "FILE")]
    files: Vec<String>,
    /// Skip bad lines (counted on stderr) instead of stopping at the first
    #[arg(long)]
    lenient: bool,
    /// Only IPv4
    #[arg(short = '4', long = "ipv4", conflicts_with = "v6")]
    v4: bool,
    /// Only IPv6
    #[arg(short = '6', long = "ipv6")]
    v6: bool,
    /// Print nothing on stderr but errors
    #[arg(short, long)]
    quiet: bool,
}

#[derive(Args, Debug, Clone)]
struct Printing {
    /// Output: CIDR prefixes, start-end ranges, or every single address
    #[arg(short, long, value_enum, default_value_t = Format::Cidr)]
    format: Format,
    /// Write to FILE atomically instead of stdout
    #[arg(short, long, value_name = "FILE")]
    output: Option<String>,
    /// Text before each line (e.g. "add blocklist ")
    #[arg(long, value_name = "TEXT", default_value = "")]
    prefix: String,
    /// Text after each line
    #[arg(long, value_name = "TEXT", default_value = "")]
    suffix: String,
    /// No IPv4 prefix shorter than N: wider networks print as several /N
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(0..=32))]
    min_prefix: Option<u32>,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Cidr,
    Range,
    Ip,
}

#[derive(Args, Debug, Clone)]
struct Common {
    #[command(flatten)]
    inputs: Inputs,
    #[command(flatten)]
    printing: Printing,
}

#[derive(Args, Debug, Clone)]
struct ExceptArgs {
    #[command(flatten)]
    common: Common,
    /// A list whose addresses are taken out (repeatable)
    #[arg(short = 'x', long = "exclude", value_name = "FILE", required = true)]
    exclude: Vec<String>,
}

#[derive(Args, Debug, Clone)]
struct DiffArgs {
    #[command(flatten)]
    common: Common,
    /// Print nothing; only the exit status tells (0 same, 1 different)
    #[arg(long)]
    status_only: bool,
}

#[derive(Args, Debug, Clone)]
struct CompareArgs {
    #[command(flatten)]
    inputs: Inputs,
    #[command(flatten)]
    report: Report,
}

#[derive(Args, Debug, Clone)]
struct CountArgs {
    #[command(flatten)]
    inputs: Inputs,
    /// One row for the union of all inputs instead of one per input
    #[arg(long)]
    union: bool,
    #[command(flatten)]
    report: Report,
}

/// How `count` and `compare` write: for people (the default), CSV or JSON.
#[derive(Args, Debug, Clone)]
struct Report {
    /// CSV with exact integers, IPv4 and IPv6 addresses in separate columns
    #[arg(long, conflicts_with = "json")]
    csv: bool,
    /// JSON with exact integers (IPv6 counts as strings: they exceed 2^64)
    #[arg(long)]
    json: bool,
    /// Write to FILE atomically instead of stdout
    #[arg(short, long, value_name = "FILE")]
    output: Option<String>,
}

#[derive(Args, Debug, Clone)]
struct ReduceArgs {
    #[command(flatten)]
    common: Common,
    /// Allowed growth of the entry count, in percent
    #[arg(long, default_value_t = 20)]
    percent: u64,
    /// Always allow growth up to this many entries
    #[arg(long, default_value_t = 16384)]
    entries: u64,
}

/// The clap definition, for `--help`, man pages and completions.
pub fn command() -> clap::Command {
    super::with_sections(Cli::command(), SECTIONS)
}

const SUBCOMMANDS: &[&str] = &[
    "union",
    "merge",
    "common",
    "intersect",
    "except",
    "diff",
    "complement",
    "compare",
    "count",
    "reduce",
    "iprange",
    "help",
    "-h",
    "--help",
    "-V",
    "--version",
];

/// Entry point of the `tl-set` binary.
/// A first argument that is a bare word, neither a subcommand nor a file:
/// a mistyped subcommand, not an iprange input (which names files and
/// options, and `as NAME` after a file).
fn is_mistyped_subcommand(a: &str) -> bool {
    a != "as"
        && !a.is_empty()
        && a.bytes().all(|c| c.is_ascii_lowercase() || c == b'-')
        && !a.starts_with('-')
        && !SUBCOMMANDS.contains(&a)
        && !std::path::Path::new(a).exists()
}

/// The usage error for a mistyped subcommand, with the nearest one.
fn unknown_subcommand(word: &str) -> String {
    let distance = |a: &str, b: &str| {
        // Levenshtein distance over bytes: the words are short.
        let b = b.as_bytes();
        let mut row: Vec<usize> = (0..=b.len()).collect();
        for (i, ca) in a.bytes().enumerate() {
            let mut prev = row[0];
            row[0] = i + 1;
            for (j, &cb) in b.iter().enumerate() {
                let cur = row[j + 1];
                row[j + 1] = (prev + usize::from(ca != cb)).min(row[j] + 1).min(cur + 1);
                prev = cur;
            }
        }
        row[b.len()]
    };
    let nearest = SUBCOMMANDS
        .iter()
        .map(|s| (distance(word, s), *s))
        .min()
        .filter(|(d, _)| *d <= 2);
    let hint = match nearest {
        Some((_, s)) => format!(" (did you mean '{s}'?)"),
        None => {
            let names: Vec<&str> = (SUBCOMMANDS.iter().copied())
                .filter(|s| !s.starts_with('-'))
                .collect();
            format!("; the subcommands are {}", names.join(", "))
        }
    };
    format!(
        "{NAME}: '{word}' is not a subcommand{hint}, nor a file to read as iprange does \
         (tl-set iprange … takes iprange's command line)"
    )
}

/// The path the kernel was asked to run (execve's first argument), which
/// names a link even when argv[0] was set to something else.
fn exec_path() -> Option<OsString> {
    use std::os::unix::ffi::OsStrExt;
    // SAFETY: getauxval only reads the auxiliary vector; AT_EXECFN, when
    // present, points to a NUL-terminated string that lives as long as the
    // process.
    let at = unsafe { libc::getauxval(libc::AT_EXECFN) };
    if at == 0 {
        return None;
    }
    let name = unsafe { std::ffi::CStr::from_ptr(at as *const libc::c_char) };
    Some(std::ffi::OsStr::from_bytes(name.to_bytes()).to_os_string())
}

pub fn main() -> ExitCode {
    use std::os::unix::ffi::OsStrExt;
    let args: Vec<OsString> = std::env::args_os().collect();
    // Called as iprange: by argv[0], or through a link of that name
    // whatever argv[0] says.
    let is_iprange = |p: &OsString| {
        std::path::Path::new(p)
            .file_name()
            .is_some_and(|n| n == "iprange")
    };
    let invoked_as_iprange =
        args.first().is_some_and(is_iprange) || exec_path().as_ref().is_some_and(is_iprange);
    let first = args.get(1).and_then(|a| a.to_str());
    if let Some(word) = first.filter(|a| !invoked_as_iprange && is_mistyped_subcommand(a)) {
        eprintln!("{}", unknown_subcommand(word));
        return ExitCode::from(cli::EXIT_ERROR);
    }
    if invoked_as_iprange || !first.is_some_and(|a| SUBCOMMANDS.contains(&a)) {
        let prog = if invoked_as_iprange { "iprange" } else { NAME };
        let invoked = args.first().map_or(&b""[..], |a| a.as_bytes());
        return compat::main(prog, invoked, &args[1.min(args.len())..]);
    }
    let cli: Cli = cli::parse_from(command(), args);
    if let Command::Iprange { args } = cli.command {
        return compat::main(NAME, b"tl-set iprange", &args);
    }
    cli::run(NAME, || run(cli.command))
}

fn run(cmd: Command) -> Result<Verdict, Failure> {
    match cmd {
        Command::Union(c) => {
            let builders = load_builders(&c.inputs)?;
            if c.printing.format == Format::Ip {
                // The size guard needs the whole set first.
                let u = union_all(builders.into_iter().map(|(_, b)| b.build()));
                return print(&u, &c.printing, &c.inputs);
            }
            // Everything is sorted once and printed as it streams by.
            let (v4, v6): (Vec<_>, Vec<_>) =
                builders.into_iter().map(|(_, b)| (b.v4, b.v6)).unzip();
            let printer = make_printer(
                &c.printing,
                &c.inputs,
                min_prefix_mask(&c.printing),
                PrefixMask::all(),
            );
            let mut out = Output::create(c.printing.output.as_deref())?;
            if !printer.skip_v4 {
                printer.print_ranges(FamilyBuilder::merge_sorted(v4), printer.mask4, &mut out)?;
            }
            if !printer.skip_v6 {
                printer.print_ranges(FamilyBuilder::merge_sorted(v6), printer.mask6, &mut out)?;
            }
            out.finish()?;
            Ok(Verdict::Done)
        }
        Command::Common(c) => {
            let mut sets = load_all(&c.inputs)?.into_iter().map(|(_, s)| s);
            let first = sets.next().unwrap_or_default();
            let r = sets.fold(first, |acc, s| acc.intersection(&s));
            print(&r, &c.printing, &c.inputs)
        }
        Command::Except(e) => {
            let c = &e.common;
            let base = union_all(load_all(&c.inputs)?.into_iter().map(|(_, s)| s));
            let minus = Inputs {
                files: e.exclude.clone(),
                ..c.inputs.clone()
            };
            let minus = union_all(load_all(&minus)?.into_iter().map(|(_, s)| s));
            print(&base.difference(&minus), &c.printing, &c.inputs)
        }
        Command::Complement(c) => {
            let sets = load_all(&c.inputs)?;
            let u = union_all(sets.into_iter().map(|(_, s)| s));
            let r = IpSet {
                v4: u.v4.complement(),
                v6: u.v6.complement(),
            };
            print(&r, &c.printing, &c.inputs)
        }
        Command::Diff(d) => {
            if d.common.inputs.files.len() != 2 {
                return Err(Failure::msg("diff takes exactly two inputs"));
            }
            let sets = load_all(&d.common.inputs)?;
            let r = sets[0].1.symmetric_difference(&sets[1].1);
            let r = filter_family(r, &d.common.inputs);
            if !d.status_only {
                print(&r, &d.common.printing, &d.common.inputs)?;
            }
            Ok(if r.is_empty() {
                Verdict::Done
            } else {
                Verdict::No
            })
        }
        Command::Compare(c) => {
            let sets: Vec<_> = load_all(&c.inputs)?
                .into_iter()
                .map(|(n, s)| (n, filter_family(s, &c.inputs)))
                .collect();
            let mut rows = Vec::new();
            for i in 0..sets.len() {
                for j in i + 1..sets.len() {
                    let (a, b) = (&sets[i], &sets[j]);
                    rows.push(Pair {
                        name1: &a.0,
                        name2: &b.0,
                        one: Size::of(&a.1),
                        two: Size::of(&b.1),
                        union: Size::of(&a.1.union(&b.1)),
                        common: Size::of(&a.1.intersection(&b.1)),
                    });
                }
            }
            let mut out = Output::create(c.report.output.as_deref())?;
            if c.report.json {
                write_json(&mut out, serde_json::json!({ "pairs": rows }))?;
            } else if c.report.csv {
                writeln!(
                    out,
                    "name1,name2,ranges1,ranges2,ipv4_addresses1,ipv6_addresses1,\
                     ipv4_addresses2,ipv6_addresses2,ipv4_union,ipv6_union,ipv4_common,ipv6_common"
                )?;
                for p in &rows {
                    writeln!(
                        out,
                        "{},{},{},{},{},{},{},{},{},{},{},{}",
                        csv_field(p.name1),
                        csv_field(p.name2),
                        p.one.ranges,
                        p.two.ranges,
                        p.one.ipv4_addresses,
                        p.one.ipv6_addresses,
                        p.two.ipv4_addresses,
                        p.two.ipv6_addresses,
                        p.union.ipv4_addresses,
                        p.union.ipv6_addresses,
                        p.common.ipv4_addresses,
                        p.common.ipv6_addresses,
                    )?;
                }
            } else {
                for (i, p) in rows.iter().enumerate() {
                    if i > 0 {
                        writeln!(out)?;
                    }
                    writeln!(out, "{} and {}", p.name1, p.name2)?;
                    writeln!(out, "  in both:   {}", p.common.human)?;
                    writeln!(out, "  in either: {}", p.union.human)?;
                    writeln!(out, "  {}: {}", p.name1, p.one.human)?;
                    writeln!(out, "  {}: {}", p.name2, p.two.human)?;
                }
            }
            out.finish()?;
            Ok(Verdict::Done)
        }
        Command::Count(c) => {
            let mut sets = load_all(&c.inputs)?;
            if c.union {
                let u = union_all(sets.into_iter().map(|(_, s)| s));
                sets = vec![("union".to_string(), u)];
            }
            let rows: Vec<Counted> = sets
                .into_iter()
                .map(|(name, s)| Counted {
                    name,
                    size: Size::of(&filter_family(s, &c.inputs)),
                })
                .collect();
            let mut out = Output::create(c.report.output.as_deref())?;
            if c.report.json {
                write_json(&mut out, serde_json::json!({ "lists": rows }))?;
            } else if c.report.csv {
                writeln!(out, "name,ranges,prefixes,ipv4_addresses,ipv6_addresses")?;
                for r in &rows {
                    let z = &r.size;
                    writeln!(
                        out,
                        "{},{},{},{},{}",
                        csv_field(&r.name),
                        z.ranges,
                        z.prefixes,
                        z.ipv4_addresses,
                        z.ipv6_addresses
                    )?;
                }
            } else {
                let width = rows
                    .iter()
                    .map(|r| r.name.chars().count())
                    .max()
                    .unwrap_or(0);
                for r in &rows {
                    let pad = width - r.name.chars().count();
                    writeln!(out, "{}:{:pad$} {}", r.name, "", r.size.human)?;
                }
            }
            out.finish()?;
            Ok(Verdict::Done)
        }
        Command::Reduce(r) => {
            let sets = load_all(&r.common.inputs)?;
            let u = union_all(sets.into_iter().map(|(_, s)| s));
            let mut printing = r.common.printing.clone();
            let mask4 = reduce_prefixes(&u.v4, PrefixMask::all(), r.percent, r.entries);
            let mask6 = reduce_prefixes(&u.v6, PrefixMask::all(), r.percent, r.entries);
            printing.format = Format::Cidr;
            print_masked(&u, &printing, &r.common.inputs, mask4, mask6)
        }
        Command::Iprange { .. } => unreachable!("dispatched in main"),
    }
}

/// A JSON document, indented, with a final line end.
fn write_json(out: &mut Output, doc: serde_json::Value) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}

/// A list's size, exact (for CSV and JSON) and for people.
#[derive(serde::Serialize)]
struct Size {
    ranges: usize,
    prefixes: usize,
    ipv4_addresses: u64,
    /// Up to 2^128: a string in JSON, which cannot hold it as a number.
    #[serde(serialize_with = "serialize_display")]
    ipv6_addresses: crate::set::Count,
    human: String,
}

impl Size {
    fn of(s: &IpSet) -> Size {
        Size {
            ranges: s.v4.range_count() + s.v6.range_count(),
            prefixes: s.v4.prefix_count() + s.v6.prefix_count(),
            ipv4_addresses: s.v4.count().as_u128().unwrap_or(0) as u64,
            ipv6_addresses: s.v6.count(),
            human: crate::set::count::human(s),
        }
    }
}

fn serialize_display<S: serde::Serializer>(
    v: &impl std::fmt::Display,
    s: S,
) -> Result<S::Ok, S::Error> {
    s.collect_str(v)
}

#[derive(serde::Serialize)]
struct Counted {
    name: String,
    #[serde(flatten)]
    size: Size,
}

#[derive(serde::Serialize)]
struct Pair<'a> {
    name1: &'a str,
    name2: &'a str,
    #[serde(rename = "list1")]
    one: Size,
    #[serde(rename = "list2")]
    two: Size,
    union: Size,
    common: Size,
}

/// Names come from the command line; quote them if CSV needs it.
fn csv_field(s: &str) -> String {
    let mut out = Vec::new();
    crate::record::push_field(&mut out, s);
    String::from_utf8_lossy(&out).into_owned()
}

fn union_all(sets: impl IntoIterator<Item = IpSet>) -> IpSet {
    sets.into_iter()
        .reduce(|a, b| a.union(&b))
        .unwrap_or_default()
}

fn filter_family(mut s: IpSet, inputs: &Inputs) -> IpSet {
    if inputs.v4 {
        s.v6 = Default::default();
    }
    if inputs.v6 {
        s.v4 = Default::default();
    }
    s
}

fn min_prefix_mask(p: &Printing) -> PrefixMask {
    p.min_prefix
        .map(PrefixMask::at_least)
        .unwrap_or_else(PrefixMask::all)
}

fn print(set: &IpSet, p: &Printing, inputs: &Inputs) -> Result<Verdict, Failure> {
    print_masked(set, p, inputs, min_prefix_mask(p), PrefixMask::all())
}

fn make_printer(
    p: &Printing,
    inputs: &Inputs,
    mask4: PrefixMask,
    mask6: PrefixMask,
) -> ListPrinter {
    ListPrinter {
        format: match p.format {
            Format::Cidr => ListFormat::Cidr,
            Format::Range => ListFormat::Range,
            Format::Ip => ListFormat::SingleIps,
        },
        mask4,
        mask6,
        ip_prefix: p.prefix.as_bytes().to_vec(),
        ip_suffix: p.suffix.as_bytes().to_vec(),
        net_prefix: p.prefix.as_bytes().to_vec(),
        net_suffix: p.suffix.as_bytes().to_vec(),
        skip_v4: inputs.v6,
        skip_v6: inputs.v4,
        single_range_as_pair: false,
    }
}

fn print_masked(
    set: &IpSet,
    p: &Printing,
    inputs: &Inputs,
    mask4: PrefixMask,
    mask6: PrefixMask,
) -> Result<Verdict, Failure> {
    let printer = make_printer(p, inputs, mask4, mask6);
    if p.format == Format::Ip {
        guard_single_ips(set, &printer)?;
    }
    let mut out = Output::create(p.output.as_deref())?;
    printer.print(set, &mut out)?;
    out.finish()?;
    Ok(Verdict::Done)
}

/// Printing every address of a /64 would never end: refuse above 2^32 lines.
fn guard_single_ips(set: &IpSet, printer: &ListPrinter) -> Result<(), Failure> {
    if !printer.skip_v6 && set.v6.count().as_u128().is_none_or(|n| n > 1 << 32) {
        return Err(Failure::msg(
            "refusing to print more than 2^32 single IPv6 addresses; use -f cidr or -f range",
        ));
    }
    Ok(())
}

/// Loads every input (stdin when none), two at a time in parallel.
fn load_all(inputs: &Inputs) -> Result<Vec<(String, IpSet)>, Failure> {
    Ok(load_builders(inputs)?
        .into_iter()
        .map(|(name, b)| (name, b.build()))
        .collect())
}

/// Reads every input (stdin when none), two at a time in parallel, leaving
/// the entries unsorted.
fn load_builders(inputs: &Inputs) -> Result<Vec<(String, SetBuilder)>, Failure> {
    let loader = Loader {
        lenient: inputs.lenient,
        csv_header: Some(crate::record::INDICATOR_HEADER),
    };
    let files: Vec<String> = if inputs.files.is_empty() {
        vec!["-".to_string()]
    } else {
        inputs.files.clone()
    };
    let results = crate::pool::map(&files, |f| read_one(f, loader, inputs.quiet));
    let mut out = Vec::with_capacity(files.len());
    for (file, r) in files.iter().zip(results) {
        let (set, stats) = r?;
        if stats.skipped > 0 && !inputs.quiet {
            report_skipped(file, &stats);
        }
        if stats.not_addresses > 0 && !inputs.quiet {
            eprintln!(
                "{NAME}: {}: left out {} domain indicator{}",
                display_name(file),
                crate::set::count::thousands(stats.not_addresses),
                if stats.not_addresses == 1 { "" } else { "s" }
            );
        }
        out.push((display_name(file), set));
    }
    Ok(out)
}

fn display_name(file: &str) -> String {
    if file == "-" {
        "stdin".into()
    } else {
        file.into()
    }
}

fn report_skipped(file: &str, stats: &LoadStats) {
    let first = stats.first_error.as_ref().map(|e: &LineError| {
        format!(
            " (first: line {}: {}: {})",
            e.line,
            e.reason,
            cli::quote(&e.text)
        )
    });
    eprintln!(
        "{NAME}: {}: skipped {} bad line{}{}",
        display_name(file),
        stats.skipped,
        if stats.skipped == 1 { "" } else { "s" },
        first.unwrap_or_default()
    );
}

/// Loads one list file.
fn read_one(file: &str, loader: Loader, quiet: bool) -> Result<(SetBuilder, LoadStats), Failure> {
    let inp = input::open(file).map_err(|e| Failure::io_at(file, &e))?;
    let name = inp.name.clone();
    let reader = cli::progress::reader(inp.reader, &name, inp.size, quiet);
    let mut b = SetBuilder::default();
    match loader.load(reader, &mut b) {
        Err(e) => Err(Failure::io_at(&name, &e)),
        Ok(Err(line)) => Err(Failure::at_line(&name, &line)),
        Ok(Ok(stats)) => Ok((b, stats)),
    }
}
