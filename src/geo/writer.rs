//! Writing MaxMind DB files from CSV (`tl-geo build`).
//!
//! Rows are `network,country[,asn[,org]]` or `start,end,country[,asn[,org]]`;
//! the country may be left out (`network,asn,org`, as ip-location-db's ASN
//! files have it). Records follow the GeoIP2 schema (`country.iso_code`,
//! `continent.code`, `autonomous_system_number`, ...) so any MaxMind reader
//! understands them. Networks may not overlap: a row that does is an error
//! naming both lines, rather than a silent choice of which one wins.
//!
//! The tree is an IPv6 tree with IPv4 at `::/96` and `::ffff:0:0/96`
//! pointing at the same subtree, as MaxMind's own databases do; sibling
//! networks with the same record are merged, and identical records are
//! stored once.

use super::codes::{self, Code};
use super::decode::encode;
use crate::error::LineError;
use crate::net::{parse_entry, CidrIter, Entry, Range};
use std::borrow::Cow;
use std::collections::HashMap;
use std::io::Read;

/// What one CSV row says about its network.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RowData {
    pub country: Option<Code>,
    pub asn: Option<u32>,
    pub org: Option<String>,
}

/// A row: where it came from, its network and its data.
#[derive(Clone, Debug)]
pub struct Row {
    pub file: usize,
    pub line: u64,
    pub entry: Entry,
    pub data: RowData,
}

/// Options written into the metadata.
#[derive(Clone, Debug, Default)]
pub struct BuildOptions {
    /// `database_type`; by default from the columns present.
    pub database_type: Option<String>,
    pub build_epoch: u64,
    pub description: String,
}

const HEADERS: &[&str] = &["network", "start", "ip_range_start", "start_ip", "first"];

fn single(f: &[u8]) -> Option<Entry> {
    parse_entry(f).ok().filter(super::is_single)
}

/// Reads CSV rows from one input (file index `file`); a refused row is a
/// [`LineError`] (the caller adds the file name).
pub fn read_csv<R: Read>(file: usize, input: R) -> Result<Vec<Row>, LineError> {
    // Not `record::csv_reader`: MaxMind-style source CSVs have no fixed
    // header, comments and ragged rows (3, 4 or 5 columns).
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .comment(Some(b'#'))
        .trim(csv::Trim::All)
        .from_reader(input);
    let mut rows = Vec::new();
    let mut rec = csv::ByteRecord::new();
    let mut first = true;
    loop {
        let more = rdr.read_byte_record(&mut rec).map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            LineError::new(line, format!("unreadable CSV: {e}"), Vec::new())
        })?;
        if !more {
            break;
        }
        let f0 = rec.get(0).unwrap_or_default();
        if rec.len() == 1 && f0.is_empty() {
            continue;
        }
        if first
            && HEADERS
                .iter()
                .any(|h| f0.eq_ignore_ascii_case(h.as_bytes()))
        {
            first = false;
            continue;
        }
        first = false;
        let line = rec.position().map_or(0, |p| p.line());
        let fail = |reason: Cow<'static, str>| {
            LineError::new(line, reason, rec.iter().collect::<Vec<_>>().join(&b","[..]))
        };
        let (entry, data) = parse_row(&rec).map_err(fail)?;
        rows.push(Row {
            file,
            line,
            entry,
            data,
        });
    }
    Ok(rows)
}

/// Why a row was refused.
type Reason = Cow<'static, str>;

/// A row's network (`network` or `start,end`) and data.
fn parse_row(rec: &csv::ByteRecord) -> Result<(Entry, RowData), Reason> {
    let fields: Vec<&[u8]> = rec.iter().collect();
    let f0 = fields.first().copied().unwrap_or_default();
    let (entry, rest) = match (single(f0), fields.get(1).and_then(|f| single(f))) {
        (Some(a), Some(b)) => {
            let e = match (a, b) {
                (Entry::V4(a), Entry::V4(b)) if a.start <= b.start => {
                    Entry::V4(Range::new(a.start, b.start))
                }
                (Entry::V6(a), Entry::V6(b)) if a.start <= b.start => {
                    Entry::V6(Range::new(a.start, b.start))
                }
                (Entry::V4(_), Entry::V4(_)) | (Entry::V6(_), Entry::V6(_)) => {
                    return Err("range ends before it starts".into())
                }
                _ => return Err("range mixes IPv4 and IPv6".into()),
            };
            (e, &fields[2..])
        }
        _ => match parse_entry(f0) {
            Ok(e) => (e, &fields[1..]),
            Err(e) => return Err(e.to_string().into()),
        },
    };
    Ok((entry, row_data(rest)?))
}

/// `[country][,asn[,org]]`.
fn row_data(rest: &[&[u8]]) -> Result<RowData, Reason> {
    let mut i = 0;
    let mut d = RowData {
        country: None,
        asn: None,
        org: None,
    };
    if let Some(f) = rest.first() {
        if codes::asn_digits(f).is_none() {
            i = 1;
            if !f.is_empty() {
                let text = String::from_utf8_lossy(f);
                let c = codes::code(f)
                    .filter(|c| codes::country(*c).is_some())
                    .ok_or_else(|| Reason::from(codes::unknown(&text, false)))?;
                d.country = Some(c);
            }
        }
    }
    if let Some(f) = rest.get(i) {
        if !f.is_empty() {
            if codes::asn_digits(f).is_none() {
                return Err("ASN is not a number".into());
            }
            d.asn = Some(codes::parse_asn(f).ok_or("ASN out of range")?);
        }
    }
    if let Some(f) = rest.get(i + 1) {
        let s = std::str::from_utf8(f).map_err(|_| "organisation is not UTF-8")?;
        if s.chars().any(char::is_control) {
            return Err("control character in the organisation".into());
        }
        if !s.is_empty() {
            d.org = Some(s.to_string());
        }
    }
    if rest.len() > i + 2 {
        return Err("too many fields (network,country,asn,org at most)".into());
    }
    if d.country.is_none() && d.asn.is_none() {
        return Err("row has neither a country nor an ASN".into());
    }
    if d.org.is_some() && d.asn.is_none() {
        return Err("organisation without an ASN".into());
    }
    Ok(d)
}

/// Why a set of rows cannot become a database: the two rows that clash
/// (indices into the rows given), or one bad row. [`super::build`] turns it
/// into a [`super::Error`] naming files and lines; it never leaves the layer
/// otherwise.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BuildError {
    Overlap { row: usize, earlier: usize },
    ReservedSpace { row: usize },
    TooLarge,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Child {
    Empty,
    Node(u32),
    Data(u32),
}

/// `::ffff:0:0/96`, where IPv4-mapped addresses live.
const MAPPED: u128 = 0xffff_0000_0000;

/// Writes a MaxMind DB holding `rows`.
pub fn build_mmdb(rows: &[Row], opts: &BuildOptions) -> Result<Vec<u8>, BuildError> {
    let order = address_order(rows)?;
    let (data, row_off) = encode_records(rows);
    let nodes = build_trie(rows, &order, &row_off)?;
    let (queue, ids) = breadth_first(&nodes);
    let node_count = queue.len() as u64;
    let max = node_count + 16 + data.len() as u64;
    let record_size: u16 = if max < 1 << 24 {
        24
    } else if max < 1 << 28 {
        28
    } else if max <= u32::MAX as u64 {
        32
    } else {
        return Err(BuildError::TooLarge);
    };
    let mut out = Vec::with_capacity(queue.len() * 8 + data.len() + 512);
    let value = |c: Child| -> u32 {
        match c {
            Child::Empty => node_count as u32,
            Child::Node(m) => ids[m as usize],
            Child::Data(off) => (node_count + 16 + off as u64) as u32,
        }
    };
    for &n in &queue {
        write_node(&mut out, nodes[n as usize].map(value), record_size);
    }
    out.extend_from_slice(&[0u8; 16]);
    out.extend_from_slice(&data);
    out.extend_from_slice(super::reader::MARKER);
    write_metadata(
        &mut out,
        database_type(rows, opts),
        opts,
        node_count,
        record_size,
    );
    Ok(out)
}

/// `(start, end, row)` of every row, IPv4 before IPv6, each in address
/// order; refuses rows that overlap, and IPv6 rows where IPv4 is mapped.
fn address_order(rows: &[Row]) -> Result<Vec<(u128, u128, usize)>, BuildError> {
    let mut order: Vec<(u128, u128, usize)> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| match r.entry {
            Entry::V4(x) => (x.start as u128, x.end as u128, i),
            Entry::V6(x) => (x.start, x.end, i),
        })
        .collect();
    for (i, r) in rows.iter().enumerate() {
        if let Entry::V6(x) = r.entry {
            let touches = |lo: u128, hi: u128| x.start <= hi && x.end >= lo;
            if touches(0, u32::MAX as u128) || touches(MAPPED, MAPPED | u32::MAX as u128) {
                return Err(BuildError::ReservedSpace { row: i });
            }
        }
    }
    // IPv4 sorts before IPv6 by giving it the `::/96` position.
    order.sort_by_key(|&(s, _, i)| (matches!(rows[i].entry, Entry::V6(_)), s));
    for w in order.windows(2) {
        let same_family = matches!(rows[w[0].2].entry, Entry::V6(_))
            == matches!(rows[w[1].2].entry, Entry::V6(_));
        if same_family && w[1].0 <= w[0].1 {
            let (a, b) = (w[0].2.min(w[1].2), w[0].2.max(w[1].2));
            return Err(BuildError::Overlap { row: b, earlier: a });
        }
    }
    Ok(order)
}

/// The data section, each distinct record once, and each row's offset in it.
fn encode_records(rows: &[Row]) -> (Vec<u8>, Vec<u32>) {
    let mut data = Vec::new();
    let mut offsets: HashMap<&RowData, u32> = HashMap::new();
    let mut row_off = Vec::with_capacity(rows.len());
    for r in rows {
        let off = *offsets.entry(&r.data).or_insert_with(|| {
            let at = data.len() as u32;
            encode_record(&mut data, &r.data);
            at
        });
        row_off.push(off);
    }
    (data, row_off)
}

/// The search tree in 128-bit space, siblings with one record merged,
/// `::ffff:0:0/96` aliased to the IPv4 subtree at `::/96`.
fn build_trie(
    rows: &[Row],
    order: &[(u128, u128, usize)],
    row_off: &[u32],
) -> Result<Vec<[Child; 2]>, BuildError> {
    let mut nodes: Vec<[Child; 2]> = vec![[Child::Empty; 2]];
    for &(_, _, i) in order {
        let d = Child::Data(row_off[i]);
        match rows[i].entry {
            Entry::V4(x) => {
                for p in CidrIter::new(x) {
                    insert(&mut nodes, p.addr as u128, p.len + 96, d);
                }
            }
            Entry::V6(x) => {
                for p in CidrIter::new(x) {
                    insert(&mut nodes, p.addr, p.len, d);
                }
            }
        }
    }
    let root = merge(&mut nodes, 0);
    if let Child::Data(_) = root {
        // Unreachable: `::/96` and `::ffff:0:0/96` are never both data of
        // one record, so the root keeps two different children.
        return Err(BuildError::TooLarge);
    }
    // Alias `::ffff:0:0/96` to the IPv4 subtree.
    let mut v4root = Child::Node(0);
    for _ in 0..96 {
        match v4root {
            Child::Node(n) => v4root = nodes[n as usize][0],
            _ => break,
        }
    }
    if v4root != Child::Empty {
        insert(&mut nodes, MAPPED, 96, v4root);
    }
    Ok(nodes)
}

/// The nodes reachable from the root, breadth-first, and the number each
/// node gets in that order (`u32::MAX` for unreachable ones).
fn breadth_first(nodes: &[[Child; 2]]) -> (Vec<u32>, Vec<u32>) {
    let mut ids: Vec<u32> = vec![u32::MAX; nodes.len()];
    let mut queue = vec![0u32];
    ids[0] = 0;
    let mut qi = 0;
    while qi < queue.len() {
        let n = queue[qi] as usize;
        qi += 1;
        for c in nodes[n] {
            if let Child::Node(m) = c {
                if ids[m as usize] == u32::MAX {
                    ids[m as usize] = queue.len() as u32;
                    queue.push(m);
                }
            }
        }
    }
    (queue, ids)
}

/// One node's two records in `record_size` bits each.
fn write_node(out: &mut Vec<u8>, [l, r]: [u32; 2], record_size: u16) {
    match record_size {
        24 => {
            out.extend_from_slice(&l.to_be_bytes()[1..]);
            out.extend_from_slice(&r.to_be_bytes()[1..]);
        }
        28 => {
            out.extend_from_slice(&l.to_be_bytes()[1..]);
            out.push((((l >> 24) & 0x0f) << 4) as u8 | ((r >> 24) & 0x0f) as u8);
            out.extend_from_slice(&r.to_be_bytes()[1..]);
        }
        _ => {
            out.extend_from_slice(&l.to_be_bytes());
            out.extend_from_slice(&r.to_be_bytes());
        }
    }
}

/// The metadata map (after the marker).
fn write_metadata(
    m: &mut Vec<u8>,
    database_type: &str,
    opts: &BuildOptions,
    node_count: u64,
    record_size: u16,
) {
    encode::map_header(m, 9);
    encode::string(m, "binary_format_major_version");
    encode::uint(m, 16, 2);
    encode::string(m, "binary_format_minor_version");
    encode::uint(m, 16, 0);
    encode::string(m, "build_epoch");
    encode::uint(m, 64, opts.build_epoch);
    encode::string(m, "database_type");
    encode::string(m, database_type);
    encode::string(m, "description");
    encode::map_header(m, 1);
    encode::string(m, "en");
    encode::string(m, &opts.description);
    encode::string(m, "ip_version");
    encode::uint(m, 16, 6);
    encode::string(m, "languages");
    encode::array_header(m, 1);
    encode::string(m, "en");
    encode::string(m, "node_count");
    encode::uint(m, 32, node_count);
    encode::string(m, "record_size");
    encode::uint(m, 16, record_size as u64);
}

/// `database_type` in the metadata: the one given, or by the columns the
/// rows fill.
pub fn database_type<'a>(rows: &[Row], opts: &'a BuildOptions) -> &'a str {
    if let Some(t) = &opts.database_type {
        return t;
    }
    let has_country = rows.iter().any(|r| r.data.country.is_some());
    let has_asn = rows.iter().any(|r| r.data.asn.is_some());
    match (has_country, has_asn) {
        (true, true) => "tl-geo-Country-ASN",
        (false, true) => "tl-geo-ASN",
        _ => "tl-geo-Country",
    }
}

/// Sets the record for `addr/len` (len >= 1) to `d`, creating nodes; the
/// caller guarantees that networks do not overlap.
fn insert(nodes: &mut Vec<[Child; 2]>, addr: u128, len: u32, d: Child) {
    let mut n = 0usize;
    for depth in 0..len - 1 {
        let bit = ((addr >> (127 - depth)) & 1) as usize;
        n = match nodes[n][bit] {
            Child::Node(m) => m as usize,
            _ => {
                nodes.push([Child::Empty; 2]);
                let m = nodes.len() - 1;
                nodes[n][bit] = Child::Node(m as u32);
                m
            }
        };
    }
    let bit = ((addr >> (128 - len)) & 1) as usize;
    nodes[n][bit] = d;
}

/// Replaces subtrees whose two halves hold the same record by that record.
fn merge(nodes: &mut Vec<[Child; 2]>, n: usize) -> Child {
    for side in 0..2 {
        if let Child::Node(m) = nodes[n][side] {
            nodes[n][side] = merge(nodes, m as usize);
        }
    }
    match nodes[n] {
        [Child::Data(a), Child::Data(b)] if a == b => Child::Data(a),
        _ => Child::Node(n as u32),
    }
}

fn encode_record(out: &mut Vec<u8>, d: &RowData) {
    let country = d.country.and_then(codes::country);
    let entries =
        d.asn.is_some() as usize + d.org.is_some() as usize + if country.is_some() { 3 } else { 0 };
    encode::map_header(out, entries);
    if let Some(asn) = d.asn {
        encode::string(out, "autonomous_system_number");
        encode::uint(out, 32, asn as u64);
    }
    if let Some(org) = &d.org {
        encode::string(out, "autonomous_system_organization");
        encode::string(out, org);
    }
    if let Some(c) = country {
        encode::string(out, "continent");
        encode::map_header(out, 1);
        encode::string(out, "code");
        encode::string(out, c.continent);
        let eu = codes::in_eu(d.country.unwrap_or_default());
        for key in ["country", "registered_country"] {
            encode::string(out, key);
            encode::map_header(out, 1 + eu as usize);
            if eu {
                encode::string(out, "is_in_european_union");
                encode::bool(out, true);
            }
            encode::string(out, "iso_code");
            encode::string(out, c.code);
        }
    }
}
