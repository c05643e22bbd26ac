//! The CSV record types shared by the tools.
//!
//! Only the indicators record lives here so far: what `tl-ingest` writes and
//! `tl-score` reads. Columns are fixed (`docs/formats.md`):
//!
//! ```text
//! indicator,type,feed,category,first_seen,last_seen,hits,confidence
//! ```
//!
//! `tl-ingest --with-ref` appends a ninth column, `ref` (a feed's own
//! reference such as Spamhaus's `SBL123456`); readers accept both forms.

mod event;
mod score;

pub use event::*;
pub use score::*;

use crate::error::LineError;
use std::fmt;
use std::io::{self, Read, Write};

/// The header row of the indicators CSV.
pub const INDICATOR_HEADER: &str =
    "indicator,type,feed,category,first_seen,last_seen,hits,confidence";

/// What an indicator names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum IndicatorType {
    /// One address (`192.0.2.1`, `2001:db8::1`).
    Ip,
    /// A CIDR prefix with host bits zero (`192.0.2.0/24`).
    Net,
    /// A lower-case IDNA A-label name without a trailing dot.
    Domain,
}

impl IndicatorType {
    pub fn as_str(self) -> &'static str {
        match self {
            IndicatorType::Ip => "ip",
            IndicatorType::Net => "net",
            IndicatorType::Domain => "domain",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "ip" => Some(IndicatorType::Ip),
            "net" => Some(IndicatorType::Net),
            "domain" => Some(IndicatorType::Domain),
            _ => None,
        }
    }
}

impl fmt::Display for IndicatorType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One row of the indicators CSV. Times are Unix seconds (UTC).
#[derive(Clone, Debug, PartialEq)]
pub struct Indicator {
    pub indicator: String,
    pub kind: IndicatorType,
    pub feed: String,
    pub category: String,
    pub first_seen: i64,
    pub last_seen: i64,
    pub hits: u64,
    pub confidence: f64,
    /// The feed's own reference for the entry, when asked for (`ref` column).
    pub reference: Option<String>,
}

/// Appends `s` as one CSV field, quoted only when it has to be.
pub fn push_field(out: &mut Vec<u8>, s: &str) {
    push_bytes_field(out, s.as_bytes())
}

/// [`push_field`] for text that need not be UTF-8 (file names): the bytes
/// are kept as they are.
pub fn push_bytes_field(out: &mut Vec<u8>, s: &[u8]) {
    if s.iter().any(|c| matches!(c, b',' | b'"' | b'\n' | b'\r')) {
        out.push(b'"');
        for &b in s {
            if b == b'"' {
                out.push(b'"');
            }
            out.push(b);
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(s);
    }
}

/// A confidence in 0..1 as the CSV writes it: shortest exact decimal.
pub fn format_confidence(c: f64) -> String {
    format!("{}", c.clamp(0.0, 1.0))
}

impl Indicator {
    /// Appends the row (with a trailing newline) to `out`.
    pub fn write_row(&self, out: &mut Vec<u8>, with_ref: bool) {
        push_field(out, &self.indicator);
        out.push(b',');
        out.extend_from_slice(self.kind.as_str().as_bytes());
        out.push(b',');
        push_field(out, &self.feed);
        out.push(b',');
        push_field(out, &self.category);
        out.push(b',');
        out.extend_from_slice(crate::time::format(self.first_seen).as_bytes());
        out.push(b',');
        out.extend_from_slice(crate::time::format(self.last_seen).as_bytes());
        out.push(b',');
        out.extend_from_slice(self.hits.to_string().as_bytes());
        out.push(b',');
        out.extend_from_slice(format_confidence(self.confidence).as_bytes());
        end_row(
            out,
            with_ref.then(|| self.reference.as_deref().unwrap_or("")),
        );
    }
}

/// Writes the header row.
pub fn write_header(out: &mut impl Write, with_ref: bool) -> io::Result<()> {
    write_header_row(out, INDICATOR_HEADER, with_ref.then_some("ref"))
}

/// Writes `header`, then `,extra` when a record's optional last column is
/// asked for, and the newline.
fn write_header_row(out: &mut impl Write, header: &str, extra: Option<&str>) -> io::Result<()> {
    out.write_all(header.as_bytes())?;
    if let Some(extra) = extra {
        out.write_all(b",")?;
        out.write_all(extra.as_bytes())?;
    }
    out.write_all(b"\n")
}

/// Ends a row: the optional last column when asked for, then the newline.
fn end_row(out: &mut Vec<u8>, last: Option<&str>) {
    if let Some(value) = last {
        out.push(b',');
        push_field(out, value);
    }
    out.push(b'\n');
}

/// The CSV reader every record reader uses, with the project's settings:
/// a header row, and every row as long as the header (a short or long row
/// is an error of its line, not a silently padded record).
pub fn csv_reader<R: Read>(input: R) -> csv::Reader<R> {
    csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(input)
}

/// Opens a CSV whose header is `header`, or `header` plus the optional
/// column `extra`: the reader and whether the extra column is there. A
/// header error is a [`LineError`] of line 1 naming `what` the file is not.
fn open_csv<R: Read>(
    input: R,
    header: &str,
    extra: &str,
    what: &str,
) -> Result<(csv::Reader<R>, bool), LineError> {
    let mut inner = csv_reader(input);
    let found = inner
        .headers()
        .map_err(|e| LineError::new(1, e.to_string(), Vec::new()))?;
    let joined = found.iter().collect::<Vec<_>>().join(",");
    let with_extra = if joined == header {
        false
    } else if joined == format!("{header},{extra}") {
        true
    } else {
        return Err(LineError::new(
            1,
            format!("not {what} header (expected '{header}')"),
            Vec::new(),
        ));
    };
    Ok((inner, with_extra))
}

/// Reads the next row into `record` and parses it: `None` at the end, a
/// [`LineError`] with the row's line when the CSV or `parse` refuses it
/// (line 0 when the input itself failed).
fn next_row<R: Read, T>(
    inner: &mut csv::Reader<R>,
    record: &mut csv::StringRecord,
    parse: impl FnOnce(&csv::StringRecord) -> Result<T, LineError>,
) -> Option<Result<T, LineError>> {
    match inner.read_record(record) {
        Ok(false) => None,
        Ok(true) => {
            let line = record.position().map_or(0, |p| p.line());
            Some(parse(record).map_err(|e| LineError { line, ..e }))
        }
        Err(e) => Some(Err(LineError::new(
            e.position().map_or(0, |p| p.line()),
            e.to_string(),
            Vec::new(),
        ))),
    }
}

/// Reads an indicators CSV, checking the header and every field.
pub struct IndicatorReader<R: Read> {
    inner: csv::Reader<R>,
    with_ref: bool,
    record: csv::StringRecord,
}

impl<R: Read> IndicatorReader<R> {
    /// Reads and checks the header row.
    pub fn new(input: R) -> Result<Self, LineError> {
        let (inner, with_ref) = open_csv(input, INDICATOR_HEADER, "ref", "an indicators")?;
        Ok(IndicatorReader {
            inner,
            with_ref,
            record: csv::StringRecord::new(),
        })
    }

    /// The next row, `None` at the end.
    pub fn next_indicator(&mut self) -> Option<Result<Indicator, LineError>> {
        let with_ref = self.with_ref;
        next_row(&mut self.inner, &mut self.record, |r| {
            parse_row(r, with_ref)
        })
    }
}

impl<R: Read> Iterator for IndicatorReader<R> {
    type Item = Result<Indicator, LineError>;
    fn next(&mut self) -> Option<Self::Item> {
        self.next_indicator()
    }
}

/// A refused field of a CSV row: `bad WHAT 'text'`, the text quoted in the
/// reason (so a message about the row needs no text of its own). The line
/// is set by [`next_row`].
fn bad_field(what: &str, text: &str) -> LineError {
    let reason = format!("bad {what} {}", crate::error::quote(text.as_bytes()));
    LineError::new(0, reason, Vec::new())
}

fn parse_row(r: &csv::StringRecord, with_ref: bool) -> Result<Indicator, LineError> {
    let f = |i: usize| r.get(i).unwrap_or("");
    let bad = |what: &str, i: usize| bad_field(what, f(i));
    let kind = IndicatorType::parse(f(1)).ok_or_else(|| bad("type", 1))?;
    let time = |i: usize| crate::time::parse_rfc3339(f(i)).ok_or_else(|| bad("time", i));
    let confidence: f64 = f(7)
        .parse()
        .ok()
        .filter(|c: &f64| (0.0..=1.0).contains(c))
        .ok_or_else(|| bad("confidence", 7))?;
    Ok(Indicator {
        indicator: f(0).to_string(),
        kind,
        feed: f(2).to_string(),
        category: f(3).to_string(),
        first_seen: time(4)?,
        last_seen: time(5)?,
        hits: f(6).parse().map_err(|_| bad("hits", 6))?,
        confidence,
        reference: (with_ref && !f(8).is_empty()).then(|| f(8).to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let ind = Indicator {
            indicator: "192.0.2.0/24".into(),
            kind: IndicatorType::Net,
            feed: "drop".into(),
            category: "hijacked".into(),
            first_seen: 1_700_000_000,
            last_seen: 1_700_003_600,
            hits: 3,
            confidence: 0.8,
            reference: Some("SBL1".into()),
        };
        let mut buf = Vec::new();
        write_header(&mut buf, true).unwrap();
        ind.write_row(&mut buf, true);
        assert_eq!(
            String::from_utf8_lossy(&buf),
            "indicator,type,feed,category,first_seen,last_seen,hits,confidence,ref\n\
             192.0.2.0/24,net,drop,hijacked,2023-11-14T22:13:20Z,2023-11-14T23:13:20Z,3,0.8,SBL1\n"
        );
        let rows: Vec<_> = IndicatorReader::new(&buf[..]).unwrap().collect();
        assert_eq!(rows, vec![Ok(ind)]);
    }

    #[test]
    fn bad_rows_are_errors() {
        let data = format!(
            "{INDICATOR_HEADER}\n1.2.3.4,host,f,c,2020-01-01T00:00:00Z,2020-01-01T00:00:00Z,1,1\n"
        );
        let mut r = IndicatorReader::new(data.as_bytes()).unwrap();
        assert_eq!(r.next().unwrap().unwrap_err().line, 2);
        assert!(IndicatorReader::new(&b"a,b\n"[..]).is_err());
    }
}
