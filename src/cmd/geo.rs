//! `tl-geo`: countries and ASNs of addresses, and the networks of countries
//! and ASNs, from MaxMind DB files; and MaxMind DB files from CSV.

use crate::cli::{self, Failure, Verdict};
use crate::files::{input, output::Output};
use crate::geo::{
    self, check_records, check_type, codes, writer, Code, CountryField, Database, GeoRecord,
    GeoSelection, GeoTable, Need, Resolver,
};
use crate::net::{parse_entry, Addr, Entry};
use crate::set::{IpSet, ListFormat, ListPrinter};
use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use std::io::Write;
use std::path::{Path, PathBuf};
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
    let matches = command().get_matches();
    let cli = match <Cli as clap::FromArgMatches>::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => e.exit(),
    };
    cli::run(NAME, || match cli.command {
        Command::Lookup(a) => lookup(a),
        Command::Annotate(a) => annotate(a),
        Command::Extract(a) => extract(a),
        Command::Build(a) => build(a),
    })
}

fn open_db(path: &Path) -> Result<Database, Failure> {
    Database::open(path).map_err(|e| Failure::msg(e.to_string()))
}

/// Whether a database's type says it holds this kind of data too.
fn type_mentions(db: &Database, need: Need) -> bool {
    let t = db.meta.database_type.to_ascii_lowercase();
    let keys: &[&str] = match need {
        Need::Country => &["country", "city", "enterprise"],
        Need::Asn => &["asn", "isp", "enterprise"],
    };
    keys.iter().any(|k| t.contains(k))
}

/// The databases a command uses: for countries and for ASNs (possibly the
/// same file, when `--db` holds both).
struct Sources {
    geo: Option<Resolver>,
    asn: Option<Resolver>,
    asn_from_geo: bool,
}

impl Sources {
    fn open(dbs: &Dbs, want_geo: bool, want_asn: bool) -> Result<Sources, Failure> {
        let table = |db: &Database| -> Result<Option<GeoTable>, Failure> {
            match &dbs.cache_dir {
                Some(dir) => GeoTable::cached(db, dir).map(Some).map_err(Failure::msg),
                None => Ok(None),
            }
        };
        let mut s = Sources {
            geo: None,
            asn: None,
            asn_from_geo: false,
        };
        if want_geo {
            if let Some(p) = &dbs.db {
                let db = open_db(p)?;
                check_type(&db, Need::Country).map_err(|e| Failure::msg(e.to_string()))?;
                s.asn_from_geo = dbs.asn_db.is_none() && type_mentions(&db, Need::Asn);
                let t = table(&db)?;
                s.geo = Some(Resolver::new(db, t));
            }
        }
        if want_asn {
            if let Some(p) = &dbs.asn_db {
                let db = open_db(p)?;
                check_type(&db, Need::Asn).map_err(|e| Failure::msg(e.to_string()))?;
                let t = table(&db)?;
                s.asn = Some(Resolver::new(db, t));
            } else if !want_geo {
                if let Some(p) = &dbs.db {
                    let db = open_db(p)?;
                    check_type(&db, Need::Asn).map_err(|e| Failure::msg(e.to_string()))?;
                    let t = table(&db)?;
                    s.asn = Some(Resolver::new(db, t));
                }
            }
        }
        if s.geo.is_none() && s.asn.is_none() {
            return Err(Failure::msg(
                "no database: give --db FILE.mmdb and/or --asn-db FILE.mmdb",
            ));
        }
        Ok(s)
    }

    fn has_asn(&self) -> bool {
        self.asn.is_some() || self.asn_from_geo
    }

    /// The country record and the ASN record of an entry.
    fn lookup(&mut self, e: &Entry) -> Result<(Option<GeoRecord>, Option<GeoRecord>), Failure> {
        let msg = |e: geo::DbError| Failure::msg(e.to_string());
        let g = match &mut self.geo {
            Some(r) => r.lookup(e).map_err(msg)?.cloned(),
            None => None,
        };
        let a = match &mut self.asn {
            Some(r) => r.lookup(e).map_err(msg)?.cloned(),
            None if self.asn_from_geo => g.clone(),
            None => None,
        };
        Ok((g, a))
    }
}

/// A code's text (codes are two ASCII letters), or nothing.
fn code_bytes(c: Option<Code>) -> Vec<u8> {
    c.map(|c| c.to_vec()).unwrap_or_default()
}

/// A CSV field, quoted when needed.
fn push_field(out: &mut Vec<u8>, s: &str) {
    if s.contains([',', '"', '\n', '\r']) {
        out.push(b'"');
        out.extend_from_slice(s.replace('"', "\"\"").as_bytes());
        out.push(b'"');
    } else {
        out.extend_from_slice(s.as_bytes());
    }
}

fn lookup(a: LookupArgs) -> Result<Verdict, Failure> {
    let mut src = Sources::open(&a.dbs, a.dbs.db.is_some(), true)?;
    let has_geo = src.geo.is_some();
    let has_asn = src.has_asn();
    let mut out = Output::create(a.output.as_deref())?;
    let mut header = String::from("address");
    if has_geo {
        header.push_str(",country,continent,eu");
        if a.registered {
            header.push_str(",registered_country");
        }
    }
    if has_asn {
        header.push_str(",asn,org");
    }
    header.push('\n');
    out.write_all(header.as_bytes())?;
    let mut buf = Vec::with_capacity(1 << 16);
    let row = |src: &mut Sources, e: Entry, buf: &mut Vec<u8>| -> Result<(), Failure> {
        let (g, asn) = src.lookup(&e)?;
        match e {
            Entry::V4(r) => r.start.write_to(buf),
            Entry::V6(r) => r.start.write_to(buf),
        }
        if has_geo {
            let g = g.as_ref();
            let eu: &[u8] = match g {
                Some(r) if r.country.is_some() => [&b"0"[..], b"1"][r.eu as usize],
                _ => b"",
            };
            for f in [
                &code_bytes(g.and_then(|r| r.country))[..],
                &code_bytes(g.and_then(|r| r.continent)),
                eu,
            ] {
                buf.push(b',');
                buf.extend_from_slice(f);
            }
            if a.registered {
                buf.push(b',');
                buf.extend_from_slice(&code_bytes(g.and_then(|r| r.registered_country)));
            }
        }
        if has_asn {
            buf.push(b',');
            if let Some(n) = asn.as_ref().and_then(|r| r.asn) {
                buf.extend_from_slice(n.to_string().as_bytes());
            }
            buf.push(b',');
            if let Some(o) = asn.as_ref().and_then(|r| r.org.as_deref()) {
                push_field(buf, o);
            }
        }
        buf.push(b'\n');
        Ok(())
    };
    let single = |text: &[u8]| -> Result<Entry, String> {
        let e = parse_entry(text).map_err(|e| e.to_string())?;
        let one = match e {
            Entry::V4(r) => r.start == r.end,
            Entry::V6(r) => r.start == r.end,
        };
        if one {
            Ok(e)
        } else {
            Err("not a single address".into())
        }
    };
    if !a.addresses.is_empty() {
        for text in &a.addresses {
            let e = single(text.as_bytes())
                .map_err(|why| Failure::msg(format!("{why}: {}", cli::quote(text.as_bytes()))))?;
            row(&mut src, e, &mut buf)?;
        }
        out.write_all(&buf)?;
        out.finish()?;
        return Ok(Verdict::Done);
    }
    let inp = input::open("-").map_err(|e| Failure::io_at("stdin", &e))?;
    let mut lines = input::Lines::new(inp.reader);
    let mut skipped = 0u64;
    let mut first_bad: Option<(u64, String, Vec<u8>)> = None;
    while let Some((n, line)) = lines.next_line().map_err(|e| Failure::io_at("stdin", &e))? {
        let text = match line {
            Ok(t) => {
                let t = match memchr::memchr(b'#', t) {
                    Some(i) => &t[..i],
                    None => t,
                };
                let t = t.trim_ascii();
                if t.is_empty() {
                    continue;
                }
                single(t).map_err(|why| (why, t.to_vec()))
            }
            Err(head) => Err(("line too long".to_string(), head.to_vec())),
        };
        match text {
            Ok(e) => row(&mut src, e, &mut buf)?,
            Err((why, t)) => {
                if !a.lenient {
                    return Err(Failure::msg(format!(
                        "stdin:{n}: {why}: {}",
                        cli::quote(&t)
                    )));
                }
                skipped += 1;
                first_bad.get_or_insert((n, why, t));
            }
        }
        if buf.len() >= 1 << 16 {
            out.write_all(&buf)?;
            buf.clear();
        }
    }
    out.write_all(&buf)?;
    out.finish()?;
    if let (Some((n, why, t)), false) = (first_bad, a.quiet) {
        eprintln!(
            "{NAME}: skipped {skipped} bad line(s); first: stdin:{n}: {why}: {}",
            cli::quote(&t)
        );
    }
    Ok(Verdict::Done)
}

fn annotate(a: AnnotateArgs) -> Result<Verdict, Failure> {
    let mut src = Sources::open(&a.dbs, a.dbs.db.is_some(), true)?;
    let name = a.file.as_deref().unwrap_or("-");
    let inp = input::open(name).map_err(|e| Failure::io_at(name, &e))?;
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(inp.reader);
    let csv_err = |e: csv::Error| {
        let line = e.position().map_or(0, |p| p.line());
        Failure::msg(format!("{}:{line}: unreadable CSV: {e}", inp.name))
    };
    let headers = rdr.byte_headers().map_err(csv_err)?.clone();
    let col = match &a.column {
        Some(c) => headers.iter().position(|h| h == c.as_bytes()).ok_or_else(|| {
            Failure::msg(format!(
                "{}: no column {} in the header",
                inp.name,
                cli::quote(c.as_bytes())
            ))
        })?,
        None => ["indicator", "source", "address", "ip", "network"]
            .iter()
            .find_map(|c| headers.iter().position(|h| h == c.as_bytes()))
            .ok_or_else(|| {
                Failure::msg(format!(
                    "{}: no address column (indicator, source, address, ip, network); name one with --column",
                    inp.name
                ))
            })?,
    };
    let has_geo = src.geo.is_some();
    let has_asn = src.has_asn();
    for (add, on) in [("country", has_geo), ("asn", has_asn)] {
        if on && headers.iter().any(|h| h == add.as_bytes()) {
            return Err(Failure::msg(format!(
                "{}: the input already has a '{add}' column",
                inp.name
            )));
        }
    }
    let mut out = Output::create(a.output.as_deref())?;
    {
        let mut w = csv::WriterBuilder::new().from_writer(&mut out);
        let mut h = headers.clone();
        if has_geo {
            h.push_field(b"country");
        }
        if has_asn {
            h.push_field(b"asn");
        }
        w.write_byte_record(&h).map_err(csv_out)?;
        let mut rec = csv::ByteRecord::new();
        while rdr.read_byte_record(&mut rec).map_err(csv_err)? {
            let cell = rec.get(col).unwrap_or_default().trim_ascii();
            let (g, asn) = match parse_entry(cell) {
                Ok(e) => src.lookup(&e)?,
                Err(_) => (None, None),
            };
            if has_geo {
                rec.push_field(&code_bytes(g.and_then(|r| r.country)));
            }
            if has_asn {
                let n = asn
                    .and_then(|r| r.asn)
                    .map(|n| n.to_string())
                    .unwrap_or_default();
                rec.push_field(n.as_bytes());
            }
            w.write_byte_record(&rec).map_err(csv_out)?;
        }
        w.flush()?;
    }
    out.finish()?;
    Ok(Verdict::Done)
}

fn csv_out(e: csv::Error) -> Failure {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => Failure::from(e),
        k => Failure::msg(format!("write error: {k:?}")),
    }
}

fn parse_asn(s: &str) -> Option<u32> {
    let t = s.trim();
    let d = t
        .strip_prefix("AS")
        .or_else(|| t.strip_prefix("as"))
        .unwrap_or(t);
    d.parse().ok()
}

fn extract(a: ExtractArgs) -> Result<Verdict, Failure> {
    let mut sel = GeoSelection {
        field: match a.by {
            ByField::Country => CountryField::Country,
            ByField::Registered => CountryField::Registered,
            ByField::Represented => CountryField::Represented,
            ByField::Any => CountryField::Any,
        },
        anonymous_proxy: a.anonymous_proxy,
        satellite_provider: a.satellite_provider,
        ..GeoSelection::default()
    };
    for c in a.countries.iter().filter(|c| !c.trim().is_empty()) {
        let code = codes::code(c.trim().as_bytes())
            .filter(|k| codes::country(*k).is_some())
            .ok_or_else(|| Failure::msg(codes::unknown(c, false)))?;
        sel.countries.push(code);
    }
    for c in a.continent.iter().filter(|c| !c.trim().is_empty()) {
        let code = codes::code(c.trim().as_bytes())
            .filter(|k| codes::is_continent(*k))
            .ok_or_else(|| Failure::msg(codes::unknown(c, true)))?;
        sel.continents.push(code);
    }
    let mut asns = Vec::new();
    for s in a.asn.iter().filter(|c| !c.trim().is_empty()) {
        asns.push(parse_asn(s).ok_or_else(|| {
            Failure::msg(format!("not an AS number: {}", cli::quote(s.as_bytes())))
        })?);
    }
    if sel.is_empty() && asns.is_empty() {
        return Err(Failure::msg(
            "nothing to extract: give country codes, --continent, --asn or a flag",
        ));
    }
    if !sel.is_empty() && a.dbs.db.is_none() {
        return Err(Failure::msg(
            "extracting countries or continents needs --db FILE.mmdb",
        ));
    }
    if !asns.is_empty() && a.dbs.db.is_none() && a.dbs.asn_db.is_none() {
        return Err(Failure::msg("extracting ASNs needs --asn-db FILE.mmdb"));
    }
    let want_geo = !sel.is_empty();
    let mut src = Sources::open(&a.dbs, want_geo, !asns.is_empty())?;
    if !asns.is_empty() && src.asn.is_none() && !src.asn_from_geo {
        // --db was taken as the country database; ASNs need their own.
        let db = open_db(a.dbs.db.as_deref().expect("checked"))?;
        return Err(Failure::msg(geo::wrong_type(&db, Need::Asn).to_string()));
    }
    let mut set = IpSet::default();
    let warn = |what: String, db: &Database| {
        if !a.quiet {
            eprintln!("{NAME}: warning: no networks for {what} in {}", db.name);
        }
    };
    if let Some(r) = &mut src.geo {
        let (db, table) = r.parts().map_err(|e| Failure::msg(e.to_string()))?;
        check_records(db, table, Need::Country).map_err(|e| Failure::msg(e.to_string()))?;
        for c in &sel.countries {
            let one = GeoSelection {
                countries: vec![*c],
                field: sel.field,
                ..GeoSelection::default()
            };
            if !table.records.iter().any(|x| one.matches(x)) {
                warn(format!("country {}", codes::code_str(c)), db);
            }
        }
        set = set.union(&geo::extract_geo(table, &sel));
        if src.asn_from_geo && !asns.is_empty() {
            set = set.union(&geo::extract_asns(table, &asns));
        }
    }
    if let Some(r) = &mut src.asn {
        let (db, table) = r.parts().map_err(|e| Failure::msg(e.to_string()))?;
        check_records(db, table, Need::Asn).map_err(|e| Failure::msg(e.to_string()))?;
        for n in &asns {
            if !table.records.iter().any(|x| x.asn == Some(*n)) {
                warn(format!("AS{n}"), db);
            }
        }
        set = set.union(&geo::extract_asns(table, &asns));
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
    printer.print(&set, &mut out)?;
    out.finish()?;
    Ok(Verdict::Done)
}

fn build(a: BuildArgs) -> Result<Verdict, Failure> {
    let inputs = if a.inputs.is_empty() {
        vec!["-".to_string()]
    } else {
        a.inputs.clone()
    };
    let mut rows = Vec::new();
    let mut names = Vec::new();
    for (i, name) in inputs.iter().enumerate() {
        let inp = input::open(name).map_err(|e| Failure::io_at(name, &e))?;
        let r = writer::read_csv(i, inp.reader).map_err(|e| {
            Failure::msg(format!(
                "{}:{}: {}: {}",
                inp.name,
                e.line,
                e.reason,
                cli::quote(&e.text)
            ))
        })?;
        rows.extend(r);
        names.push(inp.name);
    }
    if rows.is_empty() {
        return Err(Failure::msg("no networks in the input"));
    }
    let opts = writer::BuildOptions {
        database_type: a.database_type.clone(),
        build_epoch: a.build_epoch,
        description: a.description.clone(),
    };
    let at = |i: usize| format!("{}:{}", names[rows[i].file], rows[i].line);
    let bytes = writer::build_mmdb(&rows, &opts).map_err(|e| {
        Failure::msg(match e {
            writer::BuildError::Overlap { row, earlier } => {
                format!("{}: network overlaps the one at {}", at(row), at(earlier))
            }
            writer::BuildError::ReservedSpace { row } => format!(
                "{}: IPv6 network overlaps ::/96 or ::ffff:0:0/96, where IPv4 lives; write IPv4 addresses",
                at(row)
            ),
            writer::BuildError::TooLarge => "too much data for a MaxMind DB file".to_string(),
        })
    })?;
    let path = a.db.to_string_lossy().to_string();
    let mut out = Output::create(Some(&path)).map_err(|e| Failure::io_at(&path, &e))?;
    out.write_all(&bytes)?;
    out.finish().map_err(|e| Failure::io_at(&path, &e))?;
    Ok(Verdict::Done)
}
