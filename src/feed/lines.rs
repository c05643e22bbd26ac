//! Line-based feed formats: one call per line, state kept between lines
//! (CSV columns, the RPZ origin and parentheses). DNS-server
//! configurations are in `dns`, Tor's lists in `tor`.

mod dns;
mod tor;

use super::collect::{Collector, Meta};
use super::format::FeedFormat;
use super::header::HeaderMeta;
use super::Error;
use crate::error::InputError;
use crate::net::{parse_entry, parse_v4_strict, Entry, Range};

/// Column and field choices given by the user.
#[derive(Clone, Debug, Default)]
pub struct Columns {
    /// CSV column (header name, or 1-based number).
    pub column: Option<String>,
    /// JSON field path (`a.b.c`).
    pub field: Option<String>,
}

/// Header names of the column holding the indicator, best first.
pub(crate) const INDICATOR_NAMES: &[&str] = &[
    "indicator",
    "ioc_value",
    "ioc",
    "ip",
    "ip_address",
    "ipaddress",
    "ipv4",
    "ipv6",
    "cidr",
    "network",
    "netblock",
    "prefix",
    "dst_ip",
    "src_ip",
    "source_ip",
    "address",
    "domain",
    "hostname",
    "host",
    "fqdn",
    "url",
    "value",
];
pub(crate) const FIRST_NAMES: &[&str] = &[
    "first_seen",
    "first_seen_utc",
    "firstseen",
    "dateadded",
    "date_added",
    "valid_from",
    "created",
];
pub(crate) const LAST_NAMES: &[&str] = &[
    "last_seen",
    "last_seen_utc",
    "lastseen",
    "last_online",
    "lastonline",
    "modified",
];
pub(crate) const HITS_NAMES: &[&str] = &["hits", "count", "attacks", "reports"];
pub(crate) const CONFIDENCE_NAMES: &[&str] = &["confidence", "confidence_level"];
pub(crate) const REFERENCE_NAMES: &[&str] = &["reference", "ref", "sblid"];

/// A confidence as feeds write it (0..1, or a percentage) into 0..1.
pub(crate) fn confidence(v: f64) -> Option<f64> {
    if !v.is_finite() || v < 0.0 {
        return None;
    }
    Some(if v > 1.0 { (v / 100.0).min(1.0) } else { v })
}

/// CSV column positions, found from the header row.
#[derive(Debug, Default)]
struct CsvColumns {
    delimiter: u8,
    indicator: usize,
    first: Option<usize>,
    last: Option<usize>,
    hits: Option<usize>,
    confidence: Option<usize>,
    reference: Option<usize>,
}

/// The RPZ reader's state.
#[derive(Debug, Default)]
struct Zone {
    origin: Option<String>,
    depth: u32,
    owner: Option<Vec<u8>>,
}

/// Reads one line-based feed.
pub struct LineParser {
    format: FeedFormat,
    columns: Columns,
    pub header: HeaderMeta,
    csv: Option<CsvColumns>,
    zone: Zone,
    /// Whether any entry line has been seen (the header ends there).
    seen_data: bool,
    /// The last comment line: abuse.ch exports comment out their CSV header.
    last_comment: Vec<u8>,
    /// Field buffers reused from row to row.
    fields: Vec<Vec<u8>>,
    /// CSV rows held until the indicator column is chosen by content.
    pending: Option<Pending>,
    /// The DNS-server formats' state (a BIND statement, an Unbound zone).
    dns: dns::State,
}

/// A CSV feed whose header names no indicator column (or that has no
/// header): its first rows, held until their content shows which column
/// holds the indicators.
#[derive(Debug)]
struct Pending {
    delimiter: u8,
    /// The header's names, when there is a header.
    names: Option<Vec<String>>,
    /// The header's line and text (or the first row's), for messages.
    line: u64,
    head: Vec<u8>,
    rows: Vec<(u64, Vec<u8>)>,
}

/// Rows read before the indicator column is chosen by content.
const CHOICE_ROWS: usize = 50;

/// CSV delimiters, preferred in this order when they split a line alike.
const DELIMITERS: [u8; 4] = [b'\t', b',', b';', b'|'];

/// The delimiter that splits `line` into the most fields (quotes honoured).
fn delimiter_of(line: &[u8]) -> u8 {
    let fields = |d: u8| split_fields(line, d).map_or(0, |f| f.len());
    let mut best = DELIMITERS[0];
    for d in DELIMITERS {
        if fields(d) > fields(best) {
            best = d;
        }
    }
    best
}

/// What a CSV field holds, for choosing the indicator column: an address,
/// network or domain (also as a URL's host or `ip:port`), as a key for
/// counting distinct values.
fn indicator_key(field: &[u8]) -> Option<String> {
    match super::validate::parse_value(field) {
        Ok(super::validate::Value::Address(e)) => Some(format!("{e:?}")),
        Ok(super::validate::Value::Domain(d)) => Some(d),
        _ => None,
    }
}

/// Whether a CSV line is a data row: some field (split at `,` or a tab)
/// holds an indicator.
fn is_data_row(t: &[u8]) -> bool {
    [b',', b'\t']
        .into_iter()
        .any(|d| split_fields(t, d).is_some_and(|f| f.iter().any(|v| indicator_key(v).is_some())))
}

/// The column most rows hold an indicator in: the most distinct values,
/// then the most values, then the leftmost; `None` when no column holds one
/// in at least half of the rows.
fn choose_column(rows: &[Vec<Vec<u8>>]) -> Option<usize> {
    let width = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut best: Option<(usize, usize, usize)> = None;
    for j in 0..width {
        let mut distinct = std::collections::HashSet::new();
        let mut count = 0;
        for key in rows
            .iter()
            .filter_map(|r| r.get(j))
            .filter_map(|f| indicator_key(f))
        {
            count += 1;
            distinct.insert(key);
        }
        let score = (distinct.len(), count);
        if count * 2 >= rows.len() && best.is_none_or(|(d, n, _)| score > (d, n)) {
            best = Some((score.0, score.1, j));
        }
    }
    best.map(|(_, _, j)| j)
}

/// Cuts `#`, `;` and `//` comments, keeping `://` of a URL (so a URL line
/// is reported as a URL rather than misread).
fn strip_list_comment(line: &[u8]) -> &[u8] {
    for i in memchr::memchr3_iter(b'#', b';', b'/', line) {
        match line[i] {
            b'/' if line.get(i + 1) != Some(&b'/') => {}
            b'/' if i > 0 && line[i - 1] == b':' => {}
            _ => return &line[..i],
        }
    }
    line
}

/// Splits a delimited line, honouring double quotes (`""` inside quotes is
/// a quote). `None` for an unterminated quote.
pub(crate) fn split_fields(line: &[u8], delim: u8) -> Option<Vec<Vec<u8>>> {
    let mut out = Vec::new();
    let n = split_fields_into(line, delim, &mut out)?;
    out.truncate(n);
    Some(out)
}

/// As [`split_fields`], into reused buffers: `out[..n]` are the fields.
fn split_fields_into(line: &[u8], delim: u8, out: &mut Vec<Vec<u8>>) -> Option<usize> {
    let mut n = 0;
    let mut next = |out: &mut Vec<Vec<u8>>| -> usize {
        if out.len() == n {
            out.push(Vec::new());
        }
        out[n].clear();
        n += 1;
        n - 1
    };
    let mut cur = next(out);
    let mut quoted = false;
    let mut at_start = true;
    let mut i = 0;
    while i < line.len() {
        let c = line[i];
        if quoted {
            if c == b'"' {
                if line.get(i + 1) == Some(&b'"') {
                    out[cur].push(b'"');
                    i += 1;
                } else {
                    quoted = false;
                }
            } else {
                out[cur].push(c);
            }
        } else if c == b'"' && at_start {
            quoted = true;
        } else if c == delim {
            cur = next(out);
            at_start = true;
            i += 1;
            continue;
        } else {
            out[cur].push(c);
        }
        at_start = at_start && c == b' ' && !quoted;
        i += 1;
    }
    if quoted {
        return None;
    }
    Some(n)
}

fn find_column(names: &[String], wanted: &[&str]) -> Option<usize> {
    wanted
        .iter()
        .find_map(|w| names.iter().position(|n| n == w))
}

/// DShield pads octets to three digits (`045.148.010.240`); read them as the
/// decimal numbers they are.
fn unpad_v4(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    for (i, part) in s.split(|&c| c == b'.').enumerate() {
        if i > 0 {
            out.push(b'.');
        }
        let trimmed = match part.iter().position(|&c| c != b'0') {
            Some(p) => &part[p..],
            None if part.is_empty() => part,
            None => b"0",
        };
        out.extend_from_slice(trimmed);
    }
    out
}

impl LineParser {
    pub fn new(format: FeedFormat, columns: Columns) -> Self {
        LineParser {
            format,
            columns,
            header: HeaderMeta::default(),
            csv: None,
            zone: Zone::default(),
            seen_data: false,
            last_comment: Vec::new(),
            fields: Vec::new(),
            pending: None,
            dns: dns::State::default(),
        }
    }

    fn comment(&mut self, text: &[u8]) {
        if self.format == FeedFormat::Csv {
            self.last_comment = text.trim_ascii().to_vec();
        }
        if !self.seen_data {
            self.header
                .comment(text, self.format == FeedFormat::Firehol);
        }
    }

    /// The trimmed line when it holds data: comments (starting with one
    /// of `markers`) go to the header, blank lines are skipped.
    fn content<'t>(&mut self, line: &'t [u8], markers: &[&[u8]]) -> Option<&'t [u8]> {
        let t = line.trim_ascii();
        if let Some(rest) = markers.iter().find_map(|m| t.strip_prefix(*m)) {
            self.comment(rest);
            return None;
        }
        (!t.is_empty()).then_some(t)
    }

    /// Reads one line (without its `\n`).
    pub fn line(&mut self, c: &mut Collector, n: u64, raw: &[u8]) -> Result<(), Error> {
        c.counts.read += 1;
        let line = raw.strip_suffix(b"\r").unwrap_or(raw);
        match self.format {
            FeedFormat::List | FeedFormat::Firehol => self.list(c, n, line),
            FeedFormat::Spamhaus => self.spamhaus(c, n, line),
            FeedFormat::Ipsum => self.ipsum(c, n, line),
            FeedFormat::Dshield => self.dshield(c, n, line),
            FeedFormat::DshieldTop => self.dshield_top(c, n, line),
            FeedFormat::Csv => self.csv(c, n, line),
            FeedFormat::Domains => self.domains(c, n, line),
            FeedFormat::Hosts => self.hosts(c, n, line),
            FeedFormat::Adblock => self.adblock(c, n, line),
            FeedFormat::Rpz => self.rpz(c, n, line),
            FeedFormat::Dnsmasq => self.dnsmasq(c, n, line),
            FeedFormat::Unbound => self.unbound(c, n, line),
            FeedFormat::Bind => self.bind(c, n, line),
            FeedFormat::Squid => self.squid(c, n, line),
            FeedFormat::TorBulk => self.list(c, n, line),
            FeedFormat::TorExits => self.tor_exits(c, n, line),
            FeedFormat::Json
            | FeedFormat::Jsonl
            | FeedFormat::SpamhausJson
            | FeedFormat::Stix
            | FeedFormat::Misp => Ok(()),
        }
    }

    fn list(&mut self, c: &mut Collector, n: u64, line: &[u8]) -> Result<(), Error> {
        // The bulk of most lists: a bare dotted quad.
        if let Ok(a) = parse_v4_strict(line.trim_ascii()) {
            self.seen_data = true;
            c.entry(Entry::V4(Range::new(a, a)), None);
            return Ok(());
        }
        let Some(t) = self.content(line, &[b"#", b";", b"//"]) else {
            return Ok(());
        };
        let body = strip_list_comment(t).trim_ascii();
        if body.is_empty() {
            return Ok(());
        }
        self.seen_data = true;
        c.address_text(n, body, None)
    }

    fn spamhaus(&mut self, c: &mut Collector, n: u64, line: &[u8]) -> Result<(), Error> {
        let Some(t) = self.content(line, &[b";", b"#"]) else {
            return Ok(());
        };
        self.seen_data = true;
        let (body, reference) = match memchr::memchr(b';', t) {
            Some(i) => (t[..i].trim_ascii(), t[i + 1..].trim_ascii()),
            None => (t, &b""[..]),
        };
        let meta = is_reference(reference).then(|| Meta {
            reference: Some(String::from_utf8_lossy(reference).into()),
            ..Meta::default()
        });
        c.address_text(n, body, meta)
    }

    fn ipsum(&mut self, c: &mut Collector, n: u64, line: &[u8]) -> Result<(), Error> {
        let Some(t) = self.content(line, &[b"#"]).map(before_comment) else {
            return Ok(());
        };
        self.seen_data = true;
        let mut it = words(t);
        let (ip, count) = (it.next().unwrap_or(b""), it.next());
        let hits = match count.map(parse_u64) {
            None => 1,
            Some(Some(h)) if it.next().is_none() => h,
            Some(_) => return c.reject(n, "expected 'address<TAB>count'", t),
        };
        let meta = (hits != 1).then(|| Meta {
            hits,
            ..Meta::default()
        });
        c.address_text(n, ip, meta)
    }

    fn domains(&mut self, c: &mut Collector, n: u64, line: &[u8]) -> Result<(), Error> {
        let Some(body) = self.content(line, &[b"#", b"!"]).map(before_comment) else {
            return Ok(());
        };
        if body.is_empty() {
            return Ok(());
        }
        self.seen_data = true;
        name_or_address(c, n, body)
    }

    fn dshield(&mut self, c: &mut Collector, n: u64, line: &[u8]) -> Result<(), Error> {
        let Some(t) = self.content(line, &[b"#"]) else {
            return Ok(());
        };
        if t.starts_with(b"Start") {
            return Ok(());
        }
        self.seen_data = true;
        let f: Vec<&[u8]> = t.split(|&c| c == b'\t').map(|f| f.trim_ascii()).collect();
        if f.len() < 3 {
            return c.reject(n, "expected start, end, prefix length, attacks (tabs)", t);
        }
        let (Ok(start), Ok(end)) = (parse_v4_strict(f[0]), parse_v4_strict(f[1])) else {
            return c.reject(n, "start or end is not an IPv4 address", t);
        };
        let len = match parse_u64(f[2]) {
            Some(l) if l <= 32 => l as u32,
            _ => return c.reject(n, "prefix length is not a number up to 32", t),
        };
        // The addresses the feed names are start..end; a prefix length that
        // disagrees (an end short of the /24's last address) is noted, not
        // a reason to lose the line.
        let r = Range::from_prefix(start, len);
        if r.start != start || r.end != end {
            if end < start {
                return c.reject(n, "end address before start address", t);
            }
            c.counts.adjusted += 1;
        }
        let r = Range::new(start, end);
        let hits = f.get(3).and_then(|h| parse_u64(h)).unwrap_or(1);
        c.entry(
            Entry::V4(r),
            Some(Meta {
                hits,
                ..Meta::default()
            }),
        );
        Ok(())
    }

    fn dshield_top(&mut self, c: &mut Collector, n: u64, line: &[u8]) -> Result<(), Error> {
        let Some(t) = self.content(line, &[b"#"]) else {
            return Ok(());
        };
        let fields: Vec<&[u8]> = words(t).collect();
        let Some(cols) = &self.csv else {
            let names: Vec<String> = fields
                .iter()
                .map(|f| String::from_utf8_lossy(f).to_ascii_lowercase())
                .collect();
            self.csv = Some(CsvColumns {
                delimiter: b' ',
                indicator: find_column(&names, &["ip", "source", "ipaddress"]).unwrap_or(0),
                first: find_column(&names, &["firstseen", "first_seen", "first"]),
                last: find_column(&names, &["lastseen", "last_seen", "last"]),
                hits: find_column(&names, &["reports", "attacks", "count"]),
                confidence: None,
                reference: None,
            });
            return Ok(());
        };
        self.seen_data = true;
        let get = |i: Option<usize>| i.and_then(|i| fields.get(i)).copied();
        let Some(ip) = get(Some(cols.indicator)) else {
            return c.reject(n, "missing address column", t);
        };
        let meta = Meta {
            first: get(cols.first).and_then(time_field),
            last: get(cols.last).and_then(time_field),
            hits: get(cols.hits).and_then(parse_u64).unwrap_or(1),
            ..Meta::default()
        };
        let ip = if ip.contains(&b':') {
            ip.to_vec()
        } else {
            unpad_v4(ip)
        };
        c.address_text(n, &ip, Some(meta))
    }

    fn csv(&mut self, c: &mut Collector, n: u64, line: &[u8]) -> Result<(), Error> {
        let Some(t) = self.content(line, &[b"#"]) else {
            return Ok(());
        };
        if self.csv.is_none() {
            if let Some(p) = &mut self.pending {
                self.seen_data = true;
                p.rows.push((n, t.to_vec()));
                if p.rows.len() >= CHOICE_ROWS {
                    return self.choose(c);
                }
                return Ok(());
            }
            if !is_data_row(t) {
                return self.csv_header(c, n, t, None);
            }
            // A data row first: the header, if any, is the last comment
            // line (abuse.ch exports comment it out).
            let header = std::mem::take(&mut self.last_comment);
            self.csv_header(c, n, &header, Some(t))?;
            if let Some(p) = &mut self.pending {
                self.seen_data = true;
                p.rows.push((n, t.to_vec()));
                return Ok(());
            }
        }
        self.csv_row(c, n, t)
    }

    /// One data row, the columns known.
    fn csv_row(&mut self, c: &mut Collector, n: u64, t: &[u8]) -> Result<(), Error> {
        let Some(cols) = &self.csv else {
            return Ok(());
        };
        self.seen_data = true;
        let Some(count) = split_fields_into(t, cols.delimiter, &mut self.fields) else {
            return c.reject(n, "unterminated quote", t);
        };
        let fields = &self.fields[..count];
        let get = |i: Option<usize>| i.and_then(|i| fields.get(i)).map(|f| f.trim_ascii());
        let Some(value) = get(Some(cols.indicator)) else {
            return c.reject(n, "row has fewer columns than the header", t);
        };
        let meta = Meta {
            first: get(cols.first).and_then(time_field),
            last: get(cols.last).and_then(time_field),
            hits: get(cols.hits).and_then(parse_u64).unwrap_or(1),
            confidence: get(cols.confidence)
                .and_then(|v| std::str::from_utf8(v).ok()?.parse().ok())
                .and_then(confidence),
            reference: get(cols.reference)
                .filter(|r| is_reference(r))
                .map(|r| String::from_utf8_lossy(r).into()),
            ..Meta::default()
        };
        let meta = (meta != Meta::default()).then_some(meta);
        let value = value.to_vec();
        c.value_text(n, &value, meta)
    }

    /// Reads the header `t` (at line `n`; empty when there is none). With
    /// `first_row` (the header came before the first data row as a
    /// comment), a header whose fields do not match the row's is no
    /// header. Without `--column` and a known indicator name, the rows are
    /// held until their content chooses the column ([`Self::choose`]).
    fn csv_header(
        &mut self,
        c: &mut Collector,
        n: u64,
        t: &[u8],
        first_row: Option<&[u8]>,
    ) -> Result<(), Error> {
        let split = |d: u8, line: &[u8]| split_fields(line, d).unwrap_or_default();
        let (delimiter, names) = match first_row {
            None => (delimiter_of(t), Some(split(delimiter_of(t), t))),
            Some(row) => {
                let d = delimiter_of(row);
                let fields = split(d, t);
                (d, (fields.len() == split(d, row).len()).then_some(fields))
            }
        };
        let names: Option<Vec<String>> = names.map(|f| {
            f.iter()
                .map(|f| String::from_utf8_lossy(f.trim_ascii()).to_ascii_lowercase())
                .collect()
        });
        let indicator = match (&self.columns.column, &names) {
            (None, Some(names)) => find_column(names, INDICATOR_NAMES),
            (None, None) => None,
            (Some(col), names) => Some(self.chosen_column(c, n, t, col, names.as_deref())?),
        };
        let Some(indicator) = indicator else {
            self.pending = Some(Pending {
                delimiter,
                names,
                line: n,
                head: first_row.unwrap_or(t).to_vec(),
                rows: Vec::new(),
            });
            return Ok(());
        };
        self.set_columns(delimiter, indicator, names.as_deref());
        Ok(())
    }

    fn set_columns(&mut self, delimiter: u8, indicator: usize, names: Option<&[String]>) {
        let find = |wanted| names.and_then(|n| find_column(n, wanted));
        self.csv = Some(CsvColumns {
            delimiter,
            indicator,
            first: find(FIRST_NAMES),
            last: find(LAST_NAMES),
            hits: find(HITS_NAMES),
            confidence: find(CONFIDENCE_NAMES),
            reference: find(REFERENCE_NAMES),
        });
    }

    /// The column `--column` names (a 1-based number, or a header name).
    fn chosen_column(
        &self,
        c: &Collector,
        n: u64,
        t: &[u8],
        col: &str,
        names: Option<&[String]>,
    ) -> Result<usize, Error> {
        let list = names.map_or_else(|| "no header row".into(), |n| n.join(", "));
        let found = match (col.parse::<usize>(), names) {
            (Ok(i), None) if i > 0 => Some(i - 1),
            (Ok(i), Some(names)) => (1..=names.len()).contains(&i).then(|| i - 1),
            (Err(_), Some(names)) => names.iter().position(|x| x.eq_ignore_ascii_case(col)),
            _ => None,
        };
        found.ok_or_else(|| {
            let reason = match col.parse::<usize>() {
                Ok(_) => format!("no column {col} (columns: {list})"),
                Err(_) => format!("no column '{col}' (columns: {list})"),
            };
            InputError::text(&c.source, n, reason, t).into()
        })
    }

    /// Chooses the indicator column from the rows held, says so in a note,
    /// and reads the rows. No column holding indicators in most rows is an
    /// error naming the header's line.
    fn choose(&mut self, c: &mut Collector) -> Result<(), Error> {
        let Some(p) = self.pending.take() else {
            return Ok(());
        };
        if p.rows.is_empty() {
            return Ok(());
        }
        let split: Vec<Vec<Vec<u8>>> = p
            .rows
            .iter()
            .map(|(_, r)| split_fields(r, p.delimiter).unwrap_or_default())
            .collect();
        let Some(j) = choose_column(&split) else {
            let list = p
                .names
                .as_ref()
                .map_or_else(|| "no header row".into(), |n| n.join(", "));
            let reason = format!(
                "no column holds addresses, networks, URLs or domain names in most rows; \
                 choose one with --column (columns: {list})"
            );
            return Err(InputError::text(&c.source, p.line, reason, p.head).into());
        };
        let named = match p.names.as_ref().and_then(|n| n.get(j)) {
            Some(name) => format!(" {}", crate::error::quote(name.as_bytes())),
            None => " (no header row)".into(),
        };
        c.note(format!(
            "indicator column {}{named} chosen by its content (--column chooses another)",
            j + 1
        ));
        self.set_columns(p.delimiter, j, p.names.as_deref());
        for (n, row) in &p.rows {
            self.csv_row(c, *n, row)?;
        }
        Ok(())
    }

    /// Ends the feed: CSV rows still held are read.
    pub fn finish(&mut self, c: &mut Collector) -> Result<(), Error> {
        self.choose(c)
    }

    fn hosts(&mut self, c: &mut Collector, n: u64, line: &[u8]) -> Result<(), Error> {
        let Some(body) = self.content(line, &[b"#"]).map(before_comment) else {
            return Ok(());
        };
        if body.is_empty() {
            return Ok(());
        }
        self.seen_data = true;
        let mut tokens = words(body);
        let addr = tokens.next().unwrap_or(b"");
        if !is_sink(addr) {
            return c.reject(
                n,
                "hosts entry does not point to a sink address (0.0.0.0, 127.0.0.1, ::, ::1)",
                body,
            );
        }
        let mut any = false;
        for name in tokens {
            any = true;
            if LOCAL_NAMES.contains(&name) {
                c.unsupported("local host name");
                continue;
            }
            c.domain_text(n, name, None)?;
        }
        if !any {
            return c.reject(n, "hosts entry without a name", body);
        }
        Ok(())
    }

    fn adblock(&mut self, c: &mut Collector, n: u64, line: &[u8]) -> Result<(), Error> {
        let Some(t) = self.content(line, &[b"!"]) else {
            return Ok(());
        };
        if t.starts_with(b"[") {
            return Ok(());
        }
        if t.starts_with(b"#") && !t.starts_with(b"##") && !t.starts_with(b"#@#") {
            self.comment(&t[1..]);
            return Ok(());
        }
        self.seen_data = true;
        if t.starts_with(b"@@") {
            c.exception();
            return Ok(());
        }
        // AdGuard's DNS filters take hosts-file lines too.
        if words(t).next().is_some_and(is_sink) {
            return self.hosts(c, n, t);
        }
        if memchr::memmem::find(t, b"##").is_some()
            || memchr::memmem::find(t, b"#@#").is_some()
            || memchr::memmem::find(t, b"#?#").is_some()
        {
            c.unsupported("cosmetic rule");
            return Ok(());
        }
        let Some(rule) = t.strip_prefix(b"||") else {
            if t.starts_with(b"|") || t.starts_with(b"/") || t.contains(&b'*') {
                c.unsupported("URL pattern rule");
                return Ok(());
            }
            // AdGuard DNS lists also take bare names and addresses.
            return name_or_address(c, n, t.strip_suffix(b"^").unwrap_or(t));
        };
        let (name, options) = match memchr::memchr(b'^', rule) {
            Some(i) => (&rule[..i], &rule[i + 1..]),
            None => (rule, &b""[..]),
        };
        if name.contains(&b'*') || name.contains(&b'/') {
            c.unsupported("URL pattern rule");
            return Ok(());
        }
        let options = options.strip_prefix(b"|").unwrap_or(options);
        if let Some(opts) = options.strip_prefix(b"$") {
            let benign = opts.split(|&c| c == b',').all(|o| {
                matches!(
                    o,
                    b"important"
                        | b"all"
                        | b"document"
                        | b"doc"
                        | b"third-party"
                        | b"3p"
                        | b"popup"
                )
            });
            if !benign {
                c.unsupported("rule with options");
                return Ok(());
            }
        } else if !options.is_empty() {
            return c.reject(n, "unexpected text after '^'", t);
        }
        // `||192.0.2.1^` blocks an address.
        name_or_address(c, n, name)
    }

    fn rpz(&mut self, c: &mut Collector, n: u64, line: &[u8]) -> Result<(), Error> {
        let Some(body) = self.rpz_body(line) else {
            return Ok(());
        };
        let starts_blank = body.first().is_some_and(|c| c.is_ascii_whitespace());
        let mut tokens: Vec<&[u8]> = words(body).collect();
        if tokens[0].starts_with(b"$") {
            return self.rpz_directive(c, n, &tokens, body);
        }
        let owner = if starts_blank {
            match &self.zone.owner {
                Some(o) => o.clone(),
                None => return c.reject(n, "record without an owner name", body.trim_ascii()),
            }
        } else {
            let o = tokens.remove(0).to_vec();
            self.zone.owner = Some(o.clone());
            o
        };
        // Skip TTL and class to the record type.
        let mut rest = tokens.into_iter().skip_while(|t| is_ttl_or_class(t));
        let Some(rtype) = rest.next().map(|t| t.to_ascii_uppercase()) else {
            return c.reject(n, "record without a type", body.trim_ascii());
        };
        let rdata = rest.next().unwrap_or(b"");
        if matches!(rtype.as_slice(), b"SOA" | b"NS") || owner == b"@" {
            return Ok(());
        }
        self.seen_data = true;
        if rtype == b"CNAME" && rdata.eq_ignore_ascii_case(b"rpz-passthru.") {
            c.exception();
            return Ok(());
        }
        self.rpz_trigger(c, n, &owner)
    }

    /// The line without its comment (`;` outside quotes, which goes to the
    /// header), when a record starts on it (not inside parentheses).
    fn rpz_body<'l>(&mut self, line: &'l [u8]) -> Option<&'l [u8]> {
        let mut end = line.len();
        let mut quoted = false;
        for (i, &ch) in line.iter().enumerate() {
            match ch {
                b'"' => quoted = !quoted,
                b';' if !quoted => {
                    end = i;
                    break;
                }
                _ => {}
            }
        }
        if end < line.len() && line[..end].trim_ascii().is_empty() {
            self.comment(&line[end + 1..]);
        }
        let body = &line[..end];
        let opens = body.iter().filter(|&&c| c == b'(').count() as u32;
        let closes = body.iter().filter(|&&c| c == b')').count() as u32;
        let continuing = self.zone.depth > 0;
        self.zone.depth = (self.zone.depth + opens).saturating_sub(closes);
        (!continuing && !body.trim_ascii().is_empty()).then_some(body)
    }

    /// `$ORIGIN` and `$TTL`; other directives are refused.
    fn rpz_directive(
        &mut self,
        c: &mut Collector,
        n: u64,
        tokens: &[&[u8]],
        body: &[u8],
    ) -> Result<(), Error> {
        match tokens[0] {
            b"$ORIGIN" => {
                let o = tokens.get(1).copied().unwrap_or(b"");
                let o = String::from_utf8_lossy(o.strip_suffix(b".").unwrap_or(o));
                self.zone.origin = Some(o.to_ascii_lowercase());
                Ok(())
            }
            b"$TTL" => Ok(()),
            _ => c.reject(n, "zone directive not supported here", body.trim_ascii()),
        }
    }

    /// What an RPZ owner name triggers on: an `rpz-ip` network, a domain,
    /// or with `*.` its subdomains only (a wildcard entry: the name itself
    /// is not listed by it); the other trigger kinds are counted.
    fn rpz_trigger(&self, c: &mut Collector, n: u64, owner: &[u8]) -> Result<(), Error> {
        let owner_s = String::from_utf8_lossy(owner).to_ascii_lowercase();
        // An absolute name relative to the origin.
        let name = match owner_s.strip_suffix('.') {
            Some(abs) => match &self.zone.origin {
                Some(o) if abs.ends_with(&format!(".{o}")) => &abs[..abs.len() - o.len() - 1],
                _ => abs,
            },
            None => &owner_s,
        };
        for (suffix, kind) in [
            (".rpz-nsip", "rpz-nsip trigger"),
            (".rpz-client-ip", "rpz-client-ip trigger"),
            (".rpz-nsdname", "rpz-nsdname trigger"),
        ] {
            if name.ends_with(suffix) {
                c.unsupported(kind);
                return Ok(());
            }
        }
        if let Some(ip) = name.strip_suffix(".rpz-ip") {
            return match rpz_ip(ip) {
                Some(e) => {
                    c.entry(e, None);
                    Ok(())
                }
                None => c.reject(n, "malformed rpz-ip trigger", owner),
            };
        }
        c.domain_text(n, name.as_bytes(), None)
    }
}

/// Host names a hosts file maps to itself, not blocking entries.
const LOCAL_NAMES: &[&[u8]] = &[
    b"localhost",
    b"localhost.localdomain",
    b"local",
    b"broadcasthost",
    b"ip6-localhost",
    b"ip6-loopback",
    b"ip6-localnet",
    b"ip6-mcastprefix",
    b"ip6-allnodes",
    b"ip6-allrouters",
    b"ip6-allhosts",
    b"0.0.0.0",
];

/// `32.1.2.0.192` → 192.0.2.1/32; IPv6 labels are reversed 16-bit groups
/// with `zz` for `::`.
fn rpz_ip(labels: &str) -> Option<Entry> {
    let parts: Vec<&str> = labels.split('.').collect();
    let (len, rest) = parts.split_first()?;
    let len: u32 = len.parse().ok()?;
    let text = if rest.len() == 4 && rest.iter().all(|p| p.bytes().all(|c| c.is_ascii_digit())) {
        let mut v: Vec<&str> = rest.to_vec();
        v.reverse();
        v.join(".")
    } else {
        let mut v: Vec<&str> = rest
            .iter()
            .map(|p| if *p == "zz" { "" } else { p })
            .collect();
        v.reverse();
        let s = v.join(":");
        if s.starts_with(':') {
            format!(":{s}")
        } else if s.ends_with(':') {
            format!("{s}:")
        } else {
            s
        }
    };
    let e = parse_entry(format!("{text}/{len}").as_bytes()).ok()?;
    Some(e)
}

/// A reference such as `SBL123456`: short, letters and digits only.
fn is_reference(r: &[u8]) -> bool {
    !r.is_empty()
        && r.len() <= 64
        && r.iter()
            .all(|c| c.is_ascii_alphanumeric() || b"-_.:".contains(c))
}

/// The words of a line, split at runs of whitespace.
fn words(t: &[u8]) -> impl Iterator<Item = &[u8]> {
    t.split(|c| c.is_ascii_whitespace())
        .filter(|w| !w.is_empty())
}

/// The text before a trailing comment, trimmed: a `#`, `;` or `//` that
/// starts the text or follows a space or tab. So `x.example;$ORIGIN …`
/// stays whole (and is refused), and dnsmasq's `/#` is no comment.
pub(crate) fn before_comment(t: &[u8]) -> &[u8] {
    cut_comment(t, &[b"#", b";", b"//"], true)
}

/// The text before a comment, trimmed: the first of `markers` outside
/// double quotes; with `spaced`, only one that starts the text or follows
/// a space or tab.
fn cut_comment<'t>(t: &'t [u8], markers: &[&[u8]], spaced: bool) -> &'t [u8] {
    let mut quoted = false;
    for (i, &b) in t.iter().enumerate() {
        if b == b'"' {
            quoted = !quoted;
        } else if !quoted
            && markers.iter().any(|m| t[i..].starts_with(m))
            && (!spaced || i == 0 || matches!(t[i - 1], b' ' | b'\t'))
        {
            return t[..i].trim_ascii();
        }
    }
    t.trim_ascii()
}

/// A zone file's TTL or class field (between a record's owner and type).
fn is_ttl_or_class(t: &[u8]) -> bool {
    t.iter().all(u8::is_ascii_digit) || matches!(t, b"IN" | b"in" | b"CH" | b"HS")
}

/// The addresses hosts files and DNS servers answer with to block a name:
/// 0.0.0.0, 127.0.0.1, ::, ::1.
fn is_sink(t: &[u8]) -> bool {
    matches!(
        parse_entry(t),
        Ok(Entry::V4(Range { start: 0, end: 0 }))
            | Ok(Entry::V4(Range {
                start: 0x7f00_0001,
                end: 0x7f00_0001
            }))
            | Ok(Entry::V6(Range { start: 0, end: 0 }))
            | Ok(Entry::V6(Range { start: 1, end: 1 }))
    )
}

/// A domain name, or an address where a list of names also holds some.
fn name_or_address(c: &mut Collector, n: u64, t: &[u8]) -> Result<(), Error> {
    if looks_like_address(t) {
        c.address_text(n, t, None)
    } else {
        c.domain_text(n, t, None)
    }
}

fn looks_like_address(t: &[u8]) -> bool {
    t.contains(&b':') || t.iter().all(|c| c.is_ascii_digit() || b"./- ".contains(c))
}

pub(crate) fn parse_u64(t: &[u8]) -> Option<u64> {
    let t = t.trim_ascii();
    if t.is_empty() || t.len() > 19 || !t.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(t).ok()?.parse().ok()
}

fn time_field(t: &[u8]) -> Option<i64> {
    crate::time::feed::parse(std::str::from_utf8(t).ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_and_urls() {
        assert_eq!(strip_list_comment(b"1.2.3.4 // x"), b"1.2.3.4 ");
        assert_eq!(strip_list_comment(b"http://1.2.3.4/1"), b"http://1.2.3.4/1");
        assert_eq!(strip_list_comment(b"1.2.3.4;x#y"), b"1.2.3.4");
    }

    #[test]
    fn trailing_comments() {
        assert_eq!(before_comment(b"a.example # note"), b"a.example");
        assert_eq!(before_comment(b"a.example\t; note"), b"a.example");
        assert_eq!(before_comment(b"a.example // note"), b"a.example");
        assert_eq!(
            before_comment(b"x.example;$ORIGIN y."),
            b"x.example;$ORIGIN y."
        );
        assert_eq!(
            before_comment(b"address=/a.example/#"),
            b"address=/a.example/#"
        );
        assert_eq!(before_comment(b"a.example / b"), b"a.example / b");
    }

    #[test]
    fn fields() {
        assert_eq!(
            split_fields(b"\"a,b\",c,\"d\"\"e\"", b',').unwrap(),
            vec![b"a,b".to_vec(), b"c".to_vec(), b"d\"e".to_vec()]
        );
        assert!(split_fields(b"\"a", b',').is_none());
    }

    #[test]
    fn rpz_ip_triggers() {
        assert_eq!(
            rpz_ip("32.1.2.0.192"),
            Some(Entry::V4(Range::new(0xc0000201, 0xc0000201)))
        );
        assert_eq!(rpz_ip("48.zz.db8.2001"), parse_entry(b"2001:db8::/48").ok());
        assert_eq!(rpz_ip("24.x.2.0.192"), None);
    }
}
