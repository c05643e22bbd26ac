//! `tl-geo`: countries and ASNs of addresses, and the networks of countries
//! and ASNs, from MaxMind DB files; and MaxMind DB files from CSV.

use crate::cli::{self, Failure, Verdict};
use crate::files::Output;
use crate::geo::{self, writer::BuildOptions, CountryField};
use crate::set::{ListFormat, ListPrinter};
use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

pub const NAME: &str = "tl-geo";

const EXAMPLES: &str = "\
tl-geo build --db geo.mmdb fixtures/geo/country.csv      a database from CSV
tl-geo lookup --db geo.mmdb 192.0.2.7 2001:db8::1         country, continent, EU flag
tl-geo lookup --db GeoLite2-Country.mmdb --asn-db GeoLite2-ASN.mmdb < addrs.txt
tl-geo extract --db GeoLite2-Country.mmdb FR DE           the networks of France and Germany
tl-geo extract --db GeoLite2-Country.mmdb --continent AF  a whole continent
tl-geo extract --asn-db GeoLite2-ASN.mmdb --asn 64496     the networks of an ASN
tl-geo annotate --db geo.mmdb -c indicator indicators.csv add a country column";

const EXIT_STATUS: &str = "\
0  success (also when an address has no data: its fields are empty)
2  any error: a missing, truncated or foreign database, a database of the
   wrong type, an unknown country or continent code, a bad input line";

const NOTES: &str = "\
Databases: any MaxMind DB file (format 2.0): GeoLite2 and GeoIP2 Country,
City and ASN, DB-IP, ip-location-db, and what tl-geo build writes. Country
codes are ISO 3166-1 alpha-2 (GB, not UK); continents AF AN AS EU NA OC SA.

lookup writes CSV: address,country,continent,eu[,registered_country][,asn,org]
with eu 1 or 0. Large batches are answered from a flattened, sorted range
table built from the tree once; --cache-dir keeps that table as a file and
reuses it while the database is unchanged.

extract walks the whole tree and prints the minimal CIDR list of the
networks assigned to any of the selected countries, continents or ASNs,
IPv4 then IPv6. Networks that alias IPv4 (::ffff:0:0/96, 2002::/16) are
not listed twice.

build reads rows network,country[,asn[,org]] or start,end,country[,asn[,org]]
(the country may be left empty or left out: network,asn,org). Networks may
not overlap. An optional first row naming the columns is skipped.";

/// Sections shared by `--help` and the man page.
pub const SECTIONS: &[(&str, &str)] = &[
    ("EXAMPLES", EXAMPLES),
    ("NOTES", NOTES),
    ("EXIT STATUS", EXIT_STATUS),
];

/// Countries and ASNs of addresses, networks of countries and ASNs, from
/// MaxMind DB files
#[derive(Parser, Debug)]
#[command(name = NAME, version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Country, continent, EU flag (and ASN) of addresses, as CSV
    Lookup(LookupArgs),
    /// Add country and asn columns to a CSV stream
    Annotate(AnnotateArgs),
    /// The networks of countries, continents or ASNs, as a minimal CIDR list
    Extract(ExtractArgs),
    /// Write a MaxMind DB file from CSV
    Build(BuildArgs),
}

#[derive(Args, Debug)]
struct Dbs {
    /// Country database (GeoLite2/GeoIP2 Country or City, DB-IP, ...)
    #[arg(long, value_name = "FILE.mmdb")]
    db: Option<PathBuf>,
    /// ASN database (GeoLite2-ASN, ...)
    #[arg(long, value_name = "FILE.mmdb")]
    asn_db: Option<PathBuf>,
    /// Keep the flattened range tables of the databases in DIR and reuse them
    #[arg(long, value_name = "DIR")]
    cache_dir: Option<PathBuf>,
}

#[derive(Args, Debug)]
struct LookupArgs {
    #[command(flatten)]
    dbs: Dbs,
    /// Addresses to look up; without any, one per line on stdin
    #[arg(value_name = "ADDRESS")]
    addresses: Vec<String>,
    /// Also print the country where the network is registered
    #[arg(long)]
    registered: bool,
    /// Skip bad input lines (counted on stderr) instead of stopping
    #[arg(long)]
    lenient: bool,
    /// Write to FILE atomically instead of stdout
    #[arg(short, long, value_name = "FILE")]
    output: Option<String>,
    /// Print nothing on stderr but errors
    #[arg(short, long)]
    quiet: bool,
}

#[derive(Args, Debug)]
struct AnnotateArgs {
    #[command(flatten)]
    dbs: Dbs,
    /// CSV input with a header row, or - for stdin (the default)
    #[arg(value_name = "FILE")]
    file: Option<String>,
    /// The column holding addresses or networks [default: the first of
    /// indicator, source, address, ip, network]
    #[arg(short, long, value_name = "NAME")]
    column: Option<String>,
    /// Write to FILE atomically instead of stdout
    #[arg(short, long, value_name = "FILE")]
    output: Option<String>,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
enum ByField {
    /// where the network is
    Country,
    /// where it is registered
    Registered,
    /// whose embassy or forces use it
    Represented,
    /// any of the three
    Any,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Cidr,
    Range,
}

#[derive(Args, Debug)]
struct ExtractArgs {
    #[command(flatten)]
    dbs: Dbs,
    /// Country codes (ISO 3166-1 alpha-2), separated by spaces or commas
    #[arg(value_name = "COUNTRY", value_delimiter = ',')]
    countries: Vec<String>,
    /// Continent codes: AF AN AS EU NA OC SA
    #[arg(long, value_name = "CODE", value_delimiter = ',')]
    continent: Vec<String>,
    /// Autonomous system numbers (64496 or AS64496)
    #[arg(long, value_name = "ASN", value_delimiter = ',')]
    asn: Vec<String>,
    /// Which country of a network the country codes select by
    #[arg(long, value_enum, default_value_t = ByField::Country)]
    by: ByField,
    /// Also networks flagged as anonymous proxies
    #[arg(long)]
    anonymous_proxy: bool,
    /// Also networks flagged as satellite providers
    #[arg(long)]
    satellite_provider: bool,
    /// Only IPv4
    #[arg(short = '4', long = "ipv4", conflicts_with = "v6")]
    v4: bool,
    /// Only IPv6
    #[arg(short = '6', long = "ipv6")]
    v6: bool,
    /// Output: CIDR prefixes or start-end ranges
    #[arg(short, long, value_enum, default_value_t = Format::Cidr)]
    format: Format,
    /// Write to FILE atomically instead of stdout
    #[arg(short, long, value_name = "FILE")]
    output: Option<String>,
    /// Print nothing on stderr but errors
    #[arg(short, long)]
    quiet: bool,
}

#[derive(Args, Debug)]
struct BuildArgs {
    /// The database to write (replaced atomically)
    #[arg(long, short = 'o', visible_alias = "output", value_name = "FILE.mmdb")]
    db: PathBuf,
    /// CSV inputs, or - for stdin (the default)
    #[arg(value_name = "FILE")]
    inputs: Vec<String>,
    /// database_type in the metadata [default: tl-geo-Country, tl-geo-ASN or
    /// tl-geo-Country-ASN, by the columns present]
    #[arg(long = "type", value_name = "NAME")]
    database_type: Option<String>,
    /// build_epoch in the metadata, in seconds since 1970 (fixed, so the
    /// same CSV always gives the same file)
    #[arg(long, value_name = "SECONDS", default_value_t = 0)]
    build_epoch: u64,
    /// English description in the metadata
    #[arg(long, value_name = "TEXT", default_value = "Built by tl-geo build")]
    description: String,
}

/// The clap definition, for `--help`, man pages and completions.
pub fn command() -> clap::Command {
    super::with_sections(Cli::command(), SECTIONS)
}

/// Entry point of the `tl-geo` binary.
pub fn main() -> ExitCode {
    let cli: Cli = cli::parse(command());
    cli::run(NAME, || match cli.command {
        Command::Lookup(a) => lookup(a),
        Command::Annotate(a) => annotate(a),
        Command::Extract(a) => extract(a),
        Command::Build(a) => build(a),
    })
}

impl From<Dbs> for geo::Databases {
    fn from(d: Dbs) -> Self {
        geo::Databases {
            country: d.db,
            asn: d.asn_db,
            cache_dir: d.cache_dir,
        }
    }
}

fn lookup(a: LookupArgs) -> Result<Verdict, Failure> {
    let plan = geo::LookupPlan {
        databases: a.dbs.into(),
        addresses: if a.addresses.is_empty() {
            geo::Addresses::Lines("-".into())
        } else {
            geo::Addresses::List(a.addresses)
        },
        registered: a.registered,
        lenient: a.lenient,
    };
    let mut out = Output::create(a.output.as_deref())?;
    let report = geo::lookup(&plan, &mut out)?;
    out.finish()?;
    if let (Some(first), false) = (&report.first_skipped, a.quiet) {
        eprintln!(
            "{NAME}: skipped {} bad line(s); first: {first}",
            report.skipped
        );
    }
    Ok(Verdict::Done)
}

fn annotate(a: AnnotateArgs) -> Result<Verdict, Failure> {
    let plan = geo::AnnotatePlan {
        databases: a.dbs.into(),
        input: a.file.unwrap_or_else(|| "-".into()),
        column: a.column,
    };
    let mut out = Output::create(a.output.as_deref())?;
    geo::annotate(&plan, &mut out)?;
    out.finish()?;
    Ok(Verdict::Done)
}

fn extract(a: ExtractArgs) -> Result<Verdict, Failure> {
    let plan = geo::ExtractPlan {
        databases: a.dbs.into(),
        countries: a.countries,
        continents: a.continent,
        asns: a.asn,
        field: match a.by {
            ByField::Country => CountryField::Country,
            ByField::Registered => CountryField::Registered,
            ByField::Represented => CountryField::Represented,
            ByField::Any => CountryField::Any,
        },
        anonymous_proxy: a.anonymous_proxy,
        satellite_provider: a.satellite_provider,
    };
    let report = geo::extract(&plan)?;
    if !a.quiet {
        for u in &report.unmatched {
            eprintln!("{NAME}: warning: {u}");
        }
    }
    let printer = ListPrinter {
        format: match a.format {
            Format::Cidr => ListFormat::Cidr,
            Format::Range => ListFormat::Range,
        },
        skip_v4: a.v6,
        skip_v6: a.v4,
        ..ListPrinter::default()
    };
    let mut out = Output::create(a.output.as_deref())?;
    printer.print(&report.set, &mut out)?;
    out.finish()?;
    Ok(Verdict::Done)
}

fn build(a: BuildArgs) -> Result<Verdict, Failure> {
    let plan = geo::BuildPlan {
        inputs: a.inputs,
        output: a.db,
        options: BuildOptions {
            database_type: a.database_type,
            build_epoch: a.build_epoch,
            description: a.description,
        },
    };
    geo::build(&plan)?;
    Ok(Verdict::Done)
}
