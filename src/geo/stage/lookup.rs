//! The look-up stages: the country, continent, EU flag and ASN of
//! addresses as CSV ([`lookup`]), and a CSV stream with `country` and `asn`
//! columns added ([`annotate`]). Both write their data to the caller's
//! output.

use super::{Databases, Sources};
use crate::error::InputError;
use crate::files::{self, Lines};
use crate::geo::{is_single, Code, Error, GeoRecord};
use crate::net::{parse_entry, Addr, Entry};
use crate::record::push_field;
use std::borrow::Cow;
use std::io::{self, Write};

/// Where the addresses to look up come from.
#[derive(Clone, Debug)]
pub enum Addresses {
    /// Given one by one (command-line arguments); each must be one address.
    List(Vec<String>),
    /// One per line of an input (`-` is stdin); `#` starts a comment.
    Lines(String),
}

/// What to look up.
#[derive(Clone, Debug)]
pub struct LookupPlan {
    pub databases: Databases,
    pub addresses: Addresses,
    /// Also the country where each network is registered.
    pub registered: bool,
    /// Skip bad lines (counted in the report) instead of stopping.
    pub lenient: bool,
}

/// What a look-up came to.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LookupReport {
    /// Addresses answered (rows written after the header).
    pub rows: u64,
    /// Bad lines skipped (lenient look-ups only).
    pub skipped: u64,
    /// The first of them.
    pub first_skipped: Option<InputError>,
}

/// The columns of a look-up's CSV.
struct Columns {
    geo: bool,
    registered: bool,
    asn: bool,
}

impl Columns {
    fn header(&self) -> String {
        let mut h = String::from("address");
        if self.geo {
            h.push_str(",country,continent,eu");
            if self.registered {
                h.push_str(",registered_country");
            }
        }
        if self.asn {
            h.push_str(",asn,org");
        }
        h.push('\n');
        h
    }

    fn row(&self, e: &Entry, g: Option<&GeoRecord>, asn: Option<&GeoRecord>, buf: &mut Vec<u8>) {
        match e {
            Entry::V4(r) => r.start.write_to(buf),
            Entry::V6(r) => r.start.write_to(buf),
        }
        if self.geo {
            let eu: &[u8] = match g {
                Some(r) if r.country.is_some() => [&b"0"[..], b"1"][r.eu as usize],
                _ => b"",
            };
            push_code(buf, g.and_then(|r| r.country));
            push_code(buf, g.and_then(|r| r.continent));
            buf.push(b',');
            buf.extend_from_slice(eu);
            if self.registered {
                push_code(buf, g.and_then(|r| r.registered_country));
            }
        }
        if self.asn {
            buf.push(b',');
            if let Some(n) = asn.and_then(|r| r.asn) {
                buf.extend_from_slice(n.to_string().as_bytes());
            }
            buf.push(b',');
            if let Some(o) = asn.and_then(|r| r.org.as_deref()) {
                push_field(buf, o);
            }
        }
        buf.push(b'\n');
    }
}

/// `,` and a code's text (two ASCII letters), or `,` alone.
fn push_code(buf: &mut Vec<u8>, c: Option<Code>) {
    buf.push(b',');
    if let Some(c) = c {
        buf.extend_from_slice(&c);
    }
}

/// Why a text is not one address.
fn single_address(text: &[u8]) -> Result<Entry, Cow<'static, str>> {
    let e = parse_entry(text).map_err(|e| e.to_string())?;
    if is_single(&e) {
        Ok(e)
    } else {
        Err("not a single address".into())
    }
}

/// How much output is gathered before it is written.
const FLUSH_AT: usize = 1 << 16;

/// Writes a CSV row (after a header) for each address of the plan to `out`.
pub fn lookup(plan: &LookupPlan, out: &mut dyn Write) -> Result<LookupReport, Error> {
    let dbs = &plan.databases;
    let src = Sources::open(dbs, dbs.country.is_some(), true)?;
    let cols = Columns {
        geo: src.geo.is_some(),
        registered: plan.registered,
        asn: src.has_asn(),
    };
    out.write_all(cols.header().as_bytes())
        .map_err(Error::Output)?;
    let mut w = Answers {
        src,
        cols,
        out,
        buf: Vec::with_capacity(FLUSH_AT),
        rows: 0,
    };
    let mut report = LookupReport::default();
    match &plan.addresses {
        Addresses::List(list) => {
            for text in list {
                let e = single_address(text.as_bytes()).map_err(|why| Error::BadAddress {
                    reason: why.into_owned(),
                    text: text.as_bytes().to_vec(),
                })?;
                w.answer(&e)?;
            }
        }
        Addresses::Lines(name) => answer_lines(name, plan.lenient, &mut w, &mut report)?,
    }
    w.flush()?;
    report.rows = w.rows;
    Ok(report)
}

/// Answers each line of input `name`; a bad line stops the look-up, or
/// with `lenient` is counted in the report.
fn answer_lines(
    name: &str,
    lenient: bool,
    w: &mut Answers,
    report: &mut LookupReport,
) -> Result<(), Error> {
    let inp = files::open(name).map_err(|e| InputError::io(label(name), &e))?;
    let mut lines = Lines::new(inp.reader);
    let read_error = |e: io::Error| InputError::io(&inp.name, &e);
    while let Some((n, line)) = lines.next_line().map_err(read_error)? {
        let text = match line {
            Ok(t) => match uncomment(t) {
                Some(t) => single_address(t).map_err(|why| (why, t.to_vec())),
                None => continue,
            },
            Err(head) => Err(("line too long".into(), head.to_vec())),
        };
        match text {
            Ok(e) => w.answer(&e)?,
            Err((why, t)) => {
                let bad = InputError::text(&inp.name, n, why, t);
                if !lenient {
                    return Err(bad.into());
                }
                report.skipped += 1;
                report.first_skipped.get_or_insert(bad);
            }
        }
    }
    Ok(())
}

/// Rows of answers on their way to the output.
struct Answers<'o> {
    src: Sources,
    cols: Columns,
    out: &'o mut dyn Write,
    buf: Vec<u8>,
    rows: u64,
}

impl Answers<'_> {
    fn answer(&mut self, e: &Entry) -> Result<(), Error> {
        let (g, asn) = self.src.lookup(e)?;
        self.cols.row(e, g.as_ref(), asn.as_ref(), &mut self.buf);
        self.rows += 1;
        if self.buf.len() >= FLUSH_AT {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), Error> {
        self.out.write_all(&self.buf).map_err(Error::Output)?;
        self.buf.clear();
        Ok(())
    }
}

/// How an input is named in messages before it is open.
fn label(name: &str) -> &str {
    if name == "-" {
        "stdin"
    } else {
        name
    }
}

/// A line without its comment and surrounding blanks; `None` when nothing
/// is left.
fn uncomment(line: &[u8]) -> Option<&[u8]> {
    let t = match memchr::memchr(b'#', line) {
        Some(i) => &line[..i],
        None => line,
    };
    Some(t.trim_ascii()).filter(|t| !t.is_empty())
}

/// What to annotate.
#[derive(Clone, Debug)]
pub struct AnnotatePlan {
    pub databases: Databases,
    /// CSV input with a header row (`-` is stdin).
    pub input: String,
    /// The column holding addresses or networks; by default the first of
    /// indicator, source, address, ip, network.
    pub column: Option<String>,
}

/// What an annotation came to.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AnnotateReport {
    /// Data rows written.
    pub rows: u64,
    /// Whether a `country` column was added.
    pub country: bool,
    /// Whether an `asn` column was added.
    pub asn: bool,
}

/// Columns a CSV's addresses may be in, in order of preference.
const ADDRESS_COLUMNS: [&str; 5] = ["indicator", "source", "address", "ip", "network"];

/// Copies the plan's CSV to `out` with a `country` column (when a country
/// database is given) and an `asn` column (when an ASN database is).
pub fn annotate(plan: &AnnotatePlan, out: &mut dyn Write) -> Result<AnnotateReport, Error> {
    let dbs = &plan.databases;
    let mut src = Sources::open(dbs, dbs.country.is_some(), true)?;
    let name = plan.input.as_str();
    let inp = files::open(name).map_err(|e| InputError::io(name, &e))?;
    let mut rdr = crate::record::csv_reader(inp.reader);
    let csv_err = |e: csv::Error| {
        let line = e.position().map_or(0, |p| p.line());
        InputError::line(&inp.name, line, format!("unreadable CSV: {e}"))
    };
    let headers = rdr.byte_headers().map_err(csv_err)?.clone();
    let col = address_column(&headers, plan.column.as_deref(), &inp.name)?;
    let mut report = AnnotateReport {
        rows: 0,
        country: src.geo.is_some(),
        asn: src.has_asn(),
    };
    for (add, on) in [("country", report.country), ("asn", report.asn)] {
        if on && headers.iter().any(|h| h == add.as_bytes()) {
            let why = format!("the input already has a '{add}' column");
            return Err(InputError::file(&inp.name, why).into());
        }
    }
    let mut w = csv::WriterBuilder::new().from_writer(out);
    let mut h = headers.clone();
    if report.country {
        h.push_field(b"country");
    }
    if report.asn {
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
        if report.country {
            let c = g.and_then(|r| r.country);
            rec.push_field(c.as_ref().map_or(&b""[..], |c| &c[..]));
        }
        if report.asn {
            let n = asn.and_then(|r| r.asn);
            rec.push_field(n.map(|n| n.to_string()).unwrap_or_default().as_bytes());
        }
        w.write_byte_record(&rec).map_err(csv_out)?;
        report.rows += 1;
    }
    w.flush().map_err(Error::Output)?;
    Ok(report)
}

/// The index of the address column: the one named, or the first of
/// [`ADDRESS_COLUMNS`] present.
fn address_column(
    headers: &csv::ByteRecord,
    named: Option<&str>,
    file: &str,
) -> Result<usize, InputError> {
    let find = |c: &str| headers.iter().position(|h| h == c.as_bytes());
    match named {
        Some(c) => find(c).ok_or_else(|| {
            let why = format!("no column {} in the header", crate::error::quote(c.as_bytes()));
            InputError::file(file, why)
        }),
        None => ADDRESS_COLUMNS.iter().find_map(|c| find(c)).ok_or_else(|| {
            InputError::file(
                file,
                "no address column (indicator, source, address, ip, network); name one with --column",
            )
        }),
    }
}

/// A CSV write error: the I/O error itself, or one that says what failed.
fn csv_out(e: csv::Error) -> Error {
    Error::Output(match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        k => io::Error::other(format!("{k:?}")),
    })
}
