//! Generic CSV / TSV logs read through a column mapping ([`Columns`], given
//! on the command line: `time=1,src=3,dst=4,dport=6,action=8` with 1-based
//! column numbers, or header names: `src=source_ip`). The pieces other
//! formats share live in [`fields`](super::fields) and
//! [`stamp`](super::stamp).

use super::fields::{action_word, answers, direction_word, proto_name, qname, split};
use super::stamp::{epoch, ymd_hms, zoned};
use super::{addr, port, Context, Event, Skip};

/// A column of a [`Columns`] mapping.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Column {
    /// 0-based position (written 1-based).
    Index(usize),
    /// A name in the file's header line, resolved once the header is read.
    Name(String),
}

/// The fields of an [`Event`] a column can fill.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Time,
    Src,
    Dst,
    SrcPort,
    DstPort,
    Protocol,
    Action,
    Direction,
    IfaceIn,
    IfaceOut,
    Rule,
    Qname,
    Answers,
    Signature,
}

impl Field {
    /// The mapping's keys (and their aliases).
    const KEYS: [(&'static str, Field); 23] = [
        ("time", Field::Time),
        ("src", Field::Src),
        ("dst", Field::Dst),
        ("sport", Field::SrcPort),
        ("src_port", Field::SrcPort),
        ("dport", Field::DstPort),
        ("dst_port", Field::DstPort),
        ("proto", Field::Protocol),
        ("protocol", Field::Protocol),
        ("action", Field::Action),
        ("dir", Field::Direction),
        ("direction", Field::Direction),
        ("in", Field::IfaceIn),
        ("iface_in", Field::IfaceIn),
        ("out", Field::IfaceOut),
        ("iface_out", Field::IfaceOut),
        ("rule", Field::Rule),
        ("qname", Field::Qname),
        ("query", Field::Qname),
        ("answers", Field::Answers),
        ("answer", Field::Answers),
        ("signature", Field::Signature),
        ("sig", Field::Signature),
    ];

    fn from_key(key: &str) -> Option<Field> {
        Field::KEYS.iter().find(|(k, _)| *k == key).map(|(_, f)| *f)
    }

    fn key(self) -> &'static str {
        Field::KEYS
            .iter()
            .find(|(_, f)| *f == self)
            .map_or("?", |(k, _)| k)
    }
}

/// Which column holds which field of an [`Event`], the field separator and
/// whether the first line is a header. Parsed from the command line with
/// [`Columns::parse`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Columns {
    pub map: Vec<(Field, Column)>,
    /// The field separator (`,` by default).
    pub sep: u8,
    /// The first line is a header (implied when a column is named).
    pub header: bool,
}

impl Default for Columns {
    fn default() -> Self {
        Columns {
            map: Vec::new(),
            sep: b',',
            header: false,
        }
    }
}

/// Why a column mapping was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ColumnsError {
    #[error("column mapping: {0:?} is not KEY=COLUMN (e.g. src=3 or src=source_ip)")]
    NotKeyValue(String),
    #[error("column mapping: unknown key {0:?} (known: time, src, dst, sport, dport, proto, action, dir, in, out, rule, qname, answers, signature, sep, header)")]
    UnknownKey(String),
    #[error("column mapping: {0} is given twice")]
    Twice(&'static str),
    #[error("column mapping: column {0:?} of {1} is neither a number from 1 nor a header name")]
    BadColumn(String, &'static str),
    #[error("column mapping: separator {0:?} is not one character (or tab, comma, semicolon, pipe, space)")]
    BadSeparator(String),
    #[error("column mapping: no src, dst or qname column")]
    NoAddress,
    #[error("column mapping: the header has no column {0:?} (for {1})")]
    NotInHeader(String, &'static str),
}

impl Columns {
    /// `time=1,src=3,dst=source_ip,…[,sep=tab][,header]`: 1-based column
    /// numbers or header names; `sep=` takes one character or `tab`,
    /// `comma`, `semicolon`, `pipe`, `space` (a final `sep=,` is a comma);
    /// `header` says the first line is a header even when no column is named.
    pub fn parse(spec: &str) -> Result<Columns, ColumnsError> {
        let mut c = Columns::default();
        let items: Vec<&str> = spec.split(',').map(str::trim).collect();
        let mut i = 0;
        while i < items.len() {
            let item = items[i];
            i += 1;
            if item.is_empty() {
                continue;
            }
            if item == "header" {
                c.header = true;
                continue;
            }
            let (key, value) = item
                .split_once('=')
                .ok_or_else(|| ColumnsError::NotKeyValue(item.to_string()))?;
            let (key, value) = (key.trim(), value.trim());
            if key == "sep" {
                let value = if value.is_empty() && items.get(i) == Some(&"") {
                    i += 1;
                    ","
                } else {
                    value
                };
                c.sep = separator(value)?;
                continue;
            }
            let field = Field::from_key(key).ok_or_else(|| ColumnsError::UnknownKey(key.into()))?;
            if c.map.iter().any(|(f, _)| *f == field) {
                return Err(ColumnsError::Twice(field.key()));
            }
            let column = if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
                match value.parse::<usize>() {
                    Ok(n) if n >= 1 => Column::Index(n - 1),
                    _ => return Err(ColumnsError::BadColumn(value.into(), field.key())),
                }
            } else if value.is_empty() {
                return Err(ColumnsError::BadColumn(value.into(), field.key()));
            } else {
                c.header = true;
                Column::Name(value.to_string())
            };
            c.map.push((field, column));
        }
        if !c
            .map
            .iter()
            .any(|(f, _)| matches!(f, Field::Src | Field::Dst | Field::Qname))
        {
            return Err(ColumnsError::NoAddress);
        }
        Ok(c)
    }

    /// Replaces header names by their positions in `header`.
    pub fn resolve(&mut self, header: &[String]) -> Result<(), ColumnsError> {
        for (field, column) in &mut self.map {
            if let Column::Name(name) = column {
                let at = header
                    .iter()
                    .position(|h| h == name)
                    .or_else(|| header.iter().position(|h| h.eq_ignore_ascii_case(name)))
                    .ok_or_else(|| ColumnsError::NotInHeader(name.clone(), field.key()))?;
                *column = Column::Index(at);
            }
        }
        Ok(())
    }
}

impl std::str::FromStr for Columns {
    type Err = ColumnsError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Columns::parse(s)
    }
}

fn separator(s: &str) -> Result<u8, ColumnsError> {
    Ok(match s {
        "tab" | "\\t" | "\t" => b'\t',
        "comma" => b',',
        "semicolon" => b';',
        "pipe" => b'|',
        "space" => b' ',
        _ if s.len() == 1 && s.is_ascii() && s != "\"" => s.as_bytes()[0],
        _ => return Err(ColumnsError::BadSeparator(s.to_string())),
    })
}

pub(super) fn parse(line: &str, cx: &mut Context) -> Result<Option<Event>, Skip> {
    let Some(mut columns) = cx.columns.take() else {
        return Err(Skip::Unsupported);
    };
    let r = parse_with(line, &mut columns, cx);
    cx.columns = Some(columns);
    r
}

fn parse_with(line: &str, columns: &mut Columns, cx: &mut Context) -> Result<Option<Event>, Skip> {
    let sep = columns.sep;
    if columns.header && cx.header.is_empty() {
        let names = |text: &str| -> Vec<String> {
            split(text, sep)
                .into_iter()
                .map(|f| f.trim().to_string())
                .collect()
        };
        if let Some(text) = line.strip_prefix('#') {
            // A `#` line is the header when it names every named column
            // (`#ts,src,…`); otherwise a comment.
            let named = columns
                .map
                .iter()
                .any(|(_, c)| matches!(c, Column::Name(_)));
            let header = names(text);
            let mut trial = columns.clone();
            if named && trial.resolve(&header).is_ok() {
                cx.header = header;
                *columns = trial;
            }
            return Err(Skip::Empty);
        }
        cx.header = names(line);
        // A name the header lacks leaves the mapping unresolved: every
        // line is then malformed (the caller checks with `resolve`).
        let _ = columns.resolve(&cx.header);
        return Err(Skip::Empty);
    }
    if line.starts_with('#') {
        return Err(Skip::Empty);
    }
    let fields = split(line, sep);
    let mut ev = Event::empty();
    for (field, column) in &columns.map {
        let Column::Index(i) = column else {
            return Err(Skip::Malformed);
        };
        let raw = fields.get(*i).ok_or(Skip::Malformed)?;
        let v = raw.trim();
        if v.is_empty() || v == "-" {
            continue;
        }
        match field {
            Field::Time => ev.time = Some(any_time(v, cx).ok_or(Skip::BadTime)?),
            Field::Src => ev.src = Some(addr(v).ok_or(Skip::Malformed)?),
            Field::Dst => ev.dst = Some(addr(v).ok_or(Skip::Malformed)?),
            Field::SrcPort => ev.src_port = Some(port(v).ok_or(Skip::Malformed)?),
            Field::DstPort => ev.dst_port = Some(port(v).ok_or(Skip::Malformed)?),
            Field::Protocol => ev.protocol = Some(proto_name(v)),
            Field::Action => ev.action = Some(action_word(v)),
            Field::Direction => ev.direction = direction_word(v),
            Field::IfaceIn => ev.iface_in = Some(v.to_string()),
            Field::IfaceOut => ev.iface_out = Some(v.to_string()),
            Field::Rule => ev.rule = Some(v.to_string()),
            Field::Qname => ev.qname = qname(v),
            Field::Answers => ev.answers = answers(v),
            Field::Signature => ev.signature = Some(v.to_string()),
        }
    }
    if ev.src.is_none() && ev.dst.is_none() && ev.qname.is_none() {
        return Err(Skip::Malformed);
    }
    Ok(Some(ev))
}

/// A time in a CSV column: RFC 3339, epoch seconds (or ms, µs, ns), or
/// `YYYY-MM-DD hh:mm:ss` (`T` or `/` accepted) without a zone, taken in
/// the context's zone.
fn any_time(v: &str, cx: &mut Context) -> Option<i64> {
    if let Some(t) = epoch(v) {
        return Some(t);
    }
    let (c, rest) = ymd_hms(v)?;
    zoned(c, rest, &mut cx.year)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mapping_from_the_command_line() {
        let c =
            Columns::parse("time=1,src=3,dst=4,sport=5,dport=6,proto=7,action=8,qname=9").unwrap();
        assert_eq!(c.map.len(), 8);
        assert_eq!(c.map[1], (Field::Src, Column::Index(2)));
        assert!(!c.header);
        assert_eq!(c.sep, b',');
        let c = Columns::parse("src=source_ip,dport=4,sep=tab").unwrap();
        assert!(c.header);
        assert_eq!(c.sep, b'\t');
        assert_eq!(c.map[0], (Field::Src, Column::Name("source_ip".into())));
        assert_eq!(Columns::parse("src=1,sep=;").unwrap().sep, b';');
        assert_eq!(Columns::parse("src=1,sep=,").unwrap().sep, b',');
        assert!(Columns::parse("src=1,header").unwrap().header);
        let err = |s: &str| Columns::parse(s).unwrap_err().to_string();
        assert!(err("src").contains("not KEY=COLUMN"), "{}", err("src"));
        assert!(err("source=1").contains("unknown key \"source\""));
        assert!(err("src=1,src=2").contains("src is given twice"));
        assert!(err("src=0").contains("column \"0\" of src"));
        assert!(err("src=1,sep=ab").contains("separator \"ab\""));
        assert!(err("time=1,dport=2").contains("no src, dst or qname"));
        let mut c = Columns::parse("src=a,dst=B").unwrap();
        let header = vec!["x".to_string(), "b".into(), "a".into()];
        c.resolve(&header).unwrap();
        assert_eq!(c.map[0].1, Column::Index(2));
        assert_eq!(c.map[1].1, Column::Index(1));
        let mut c = Columns::parse("src=zz").unwrap();
        assert!(c
            .resolve(&header)
            .unwrap_err()
            .to_string()
            .contains("\"zz\""));
    }

    #[test]
    fn times() {
        let mut cx = Context::new(1_796_644_800);
        assert_eq!(
            any_time("2026-12-07 12:00:00", &mut cx),
            Some(1_796_644_800)
        );
        assert_eq!(
            any_time("2026-12-07T13:00:00+01:00", &mut cx),
            Some(1_796_644_800)
        );
        assert_eq!(
            any_time("2026-12-07T12:00:00.25Z", &mut cx),
            Some(1_796_644_800)
        );
        assert_eq!(any_time("2026-12-07 12:00:00 nonsense", &mut cx), None);
    }
}
