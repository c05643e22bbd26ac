//! Feed formats and their detection from the first bytes of a feed.

use std::fmt;

/// Every feed format `tl-ingest` reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FeedFormat {
    /// One address, CIDR or range per line; `#`, `;`, `//` comments.
    List,
    /// A FireHOL `.netset`/`.ipset`: a list whose header names the feed,
    /// its category and dates.
    Firehol,
    /// Spamhaus DROP/EDROP/DROPv6: `prefix ; SBLnnn`.
    Spamhaus,
    /// Spamhaus's JSON lines (`{"cidr":…,"sblid":…}`, ASN-DROP `{"asn":…}`).
    SpamhausJson,
    /// DShield `block.txt`: start, end, prefix length, attacks, … (tabs).
    Dshield,
    /// A DShield-style top-sources table with a header row (ip, reports,
    /// targets, first seen, last seen); IPv4 may be zero-padded.
    DshieldTop,
    /// ipsum: `ip<TAB>count`; the count becomes hits.
    Ipsum,
    /// CSV or TSV with a header row and a chosen column.
    Csv,
    /// A JSON document (array, or an object holding arrays) and a field path.
    Json,
    /// JSON lines and a field path.
    Jsonl,
    /// One domain (or address) per line.
    Domains,
    /// A hosts file: `0.0.0.0 name…`, `127.0.0.1 name…`.
    Hosts,
    /// AdBlock / AdGuard filter lists: `||name^`.
    Adblock,
    /// An RPZ zone file: QNAME and `rpz-ip` triggers.
    Rpz,
    /// A STIX 2.x bundle: indicators with equality patterns.
    Stix,
    /// MISP core-format events (`{"Event": …}`, `{"response": […]}`), or a
    /// MISP feed folder (`manifest.json` and one file per event).
    Misp,
    /// dnsmasq configuration: `address=/name/…`, `server=/name/`, `local=/name/`.
    Dnsmasq,
    /// Unbound configuration: `local-zone: "name" TYPE`, `local-data: "name A …"`.
    Unbound,
    /// BIND `named.conf` zone statements: `zone "name" { type master; … };`.
    Bind,
    /// A Squid ACL domain list: `.name` (the name and below) or `name`.
    Squid,
    /// The Tor bulk exit list: one exit address per line.
    TorBulk,
    /// Tor's `exit-addresses` records (ExitNode, Published, LastStatus,
    /// ExitAddress ADDR TIME).
    TorExits,
}

impl FeedFormat {
    pub const ALL: &'static [FeedFormat] = &[
        FeedFormat::List,
        FeedFormat::Firehol,
        FeedFormat::Spamhaus,
        FeedFormat::SpamhausJson,
        FeedFormat::Dshield,
        FeedFormat::DshieldTop,
        FeedFormat::Ipsum,
        FeedFormat::Csv,
        FeedFormat::Json,
        FeedFormat::Jsonl,
        FeedFormat::Domains,
        FeedFormat::Hosts,
        FeedFormat::Adblock,
        FeedFormat::Rpz,
        FeedFormat::Stix,
        FeedFormat::Misp,
        FeedFormat::Dnsmasq,
        FeedFormat::Unbound,
        FeedFormat::Bind,
        FeedFormat::Squid,
        FeedFormat::TorBulk,
        FeedFormat::TorExits,
    ];

    pub fn name(self) -> &'static str {
        match self {
            FeedFormat::List => "list",
            FeedFormat::Firehol => "firehol",
            FeedFormat::Spamhaus => "spamhaus",
            FeedFormat::SpamhausJson => "spamhaus-json",
            FeedFormat::Dshield => "dshield",
            FeedFormat::DshieldTop => "dshield-top",
            FeedFormat::Ipsum => "ipsum",
            FeedFormat::Csv => "csv",
            FeedFormat::Json => "json",
            FeedFormat::Jsonl => "jsonl",
            FeedFormat::Domains => "domains",
            FeedFormat::Hosts => "hosts",
            FeedFormat::Adblock => "adblock",
            FeedFormat::Rpz => "rpz",
            FeedFormat::Stix => "stix",
            FeedFormat::Misp => "misp",
            FeedFormat::Dnsmasq => "dnsmasq",
            FeedFormat::Unbound => "unbound",
            FeedFormat::Bind => "bind",
            FeedFormat::Squid => "squid",
            FeedFormat::TorBulk => "tor-bulk",
            FeedFormat::TorExits => "tor-exits",
        }
    }

    pub fn from_name(s: &str) -> Option<FeedFormat> {
        let s = s.to_ascii_lowercase();
        let alias = match s.as_str() {
            "netset" | "ipset" => "firehol",
            "tsv" => "csv",
            "ndjson" => "jsonl",
            "drop" => "spamhaus",
            "adguard" | "abp" => "adblock",
            "named" | "named.conf" => "bind",
            "exit-addresses" => "tor-exits",
            other => other,
        };
        Self::ALL.iter().copied().find(|f| f.name() == alias)
    }

    /// The category a format implies when neither the user nor the feed
    /// names one.
    pub fn category(self) -> Option<&'static str> {
        matches!(self, FeedFormat::TorBulk | FeedFormat::TorExits).then_some("anonymizer")
    }

    /// Formats read as one whole document rather than line by line.
    pub fn is_document(self) -> bool {
        matches!(self, FeedFormat::Json | FeedFormat::Stix | FeedFormat::Misp)
    }
}

impl fmt::Display for FeedFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a feed's first bytes are no feed at all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotAFeed {
    Binary,
    Html,
}

impl fmt::Display for NotAFeed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NotAFeed::Binary => "binary data, not a text feed",
            NotAFeed::Html => "an HTML page, not a feed (an error or login page?)",
        })
    }
}

/// Refuses binary data and HTML pages served in place of a feed.
pub fn check_text(sample: &[u8]) -> Result<(), NotAFeed> {
    let control = sample
        .iter()
        .filter(|&&c| (c < 0x20 && !matches!(c, b'\t' | b'\n' | b'\r' | 0x0c)) || c == 0x7f)
        .count();
    if sample.contains(&0) || control * 100 > sample.len() {
        return Err(NotAFeed::Binary);
    }
    let head = &sample[..sample.len().min(4096)];
    let lower = head.to_ascii_lowercase();
    let start = lower
        .strip_prefix(b"\xef\xbb\xbf")
        .unwrap_or(&lower)
        .trim_ascii_start();
    let find = |n: &[u8]| memchr::memmem::find(&lower, n).is_some();
    if (start.starts_with(b"<")
        && (find(b"<html")
            || find(b"<!doctype")
            || find(b"<head")
            || find(b"<body")
            || find(b"<title")))
        || find(b"<!doctype html")
        || find(b"<html")
    {
        return Err(NotAFeed::Html);
    }
    Ok(())
}

/// What one sample line looks like.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Shape {
    Adblock,
    Rpz,
    Hosts,
    Spamhaus,
    Dshield,
    Ipsum,
    Address,
    Domain,
    Delimited,
    Other,
}

fn is_address(t: &[u8]) -> bool {
    super::validate::parse_address(t).is_ok()
}

fn is_domain(t: &[u8]) -> bool {
    crate::net::domain::canonical(t).is_ok()
}

const SINKS: &[&[u8]] = &[b"0.0.0.0", b"127.0.0.1", b"::", b"::1", b"0", b"::0"];

fn shape(line: &[u8]) -> Shape {
    if line.starts_with(b"||") || line.starts_with(b"@@||") {
        return Shape::Adblock;
    }
    let tokens: Vec<&[u8]> = line
        .split(|c| c.is_ascii_whitespace())
        .filter(|t| !t.is_empty())
        .collect();
    if tokens.len() >= 3
        && tokens[1..tokens.len().min(4)].iter().any(|t| {
            matches!(
                *t,
                b"CNAME" | b"SOA" | b"NS" | b"IN" | b"A" | b"AAAA" | b"TXT"
            )
        })
    {
        return Shape::Rpz;
    }
    if tokens.len() >= 2 && SINKS.contains(&tokens[0]) && !is_address(tokens[1]) {
        return Shape::Hosts;
    }
    if let Some(i) = memchr::memchr(b';', line) {
        if line[i + 1..].trim_ascii_start().starts_with(b"SBL")
            && is_address(line[..i].trim_ascii())
        {
            return Shape::Spamhaus;
        }
    }
    let tabs: Vec<&[u8]> = line.split(|&c| c == b'\t').collect();
    if tabs.len() >= 3
        && super::validate::parse_address(tabs[0].trim_ascii()).is_ok()
        && super::validate::parse_address(tabs[1].trim_ascii()).is_ok()
        && tabs[2].trim_ascii().iter().all(u8::is_ascii_digit)
    {
        return Shape::Dshield;
    }
    let body = strip_trailing_comment(line);
    // ipsum's two fields, maybe with a trailing comment.
    let mut fields = body
        .split(|c| c.is_ascii_whitespace())
        .filter(|t| !t.is_empty());
    if let (Some(ip), Some(count), None) = (fields.next(), fields.next(), fields.next()) {
        if is_address(ip) && count.iter().all(u8::is_ascii_digit) {
            return Shape::Ipsum;
        }
    }
    if is_address(body) {
        return Shape::Address;
    }
    if is_domain(body) {
        return Shape::Domain;
    }
    if [b',', b'\t', b';', b'|'].iter().any(|d| line.contains(d)) {
        return Shape::Delimited;
    }
    Shape::Other
}

fn strip_trailing_comment(line: &[u8]) -> &[u8] {
    let end = memchr::memchr2(b'#', b';', line).unwrap_or(line.len());
    line[..end].trim_ascii()
}

/// Whether a line of the sample is a comment for detection purposes.
fn is_comment(line: &[u8]) -> bool {
    line.is_empty()
        || line.starts_with(b"#")
        || line.starts_with(b";")
        || line.starts_with(b"!")
        || line.starts_with(b"//")
}

/// Whether a header row names a DShield-style sources table.
fn is_top_sources_header(line: &[u8]) -> bool {
    let lower = line.to_ascii_lowercase();
    let words: Vec<&[u8]> = lower
        .split(|c| c.is_ascii_whitespace() || *c == b',')
        .filter(|w| !w.is_empty())
        .collect();
    let has = |w: &[u8]| words.contains(&w);
    (has(b"ip") || has(b"source") || has(b"ipaddress"))
        && (has(b"reports") || has(b"attacks"))
        && !line.contains(&b',')
}

/// Guesses a feed's format from its first bytes and its name (a hint only:
/// the content decides where it is clear).
pub fn detect(sample: &[u8], name: &str) -> FeedFormat {
    let sample = sample.strip_prefix(b"\xef\xbb\xbf").unwrap_or(sample);
    let start = sample.trim_ascii_start();
    if start.len() >= 9 && start[..9].eq_ignore_ascii_case(b"[adblock ") {
        return FeedFormat::Adblock;
    }
    if start.starts_with(b"{") || start.starts_with(b"[") {
        return detect_json(start);
    }
    let lines = sample_lines(sample);
    if lines
        .iter()
        .any(|l| l.starts_with(b"$TTL") || l.starts_with(b"$ORIGIN"))
    {
        return FeedFormat::Rpz;
    }
    let hints = Hints::new(name, &lines);
    let data: Vec<&[u8]> = lines
        .iter()
        .copied()
        .filter(|l| !is_comment(l))
        .take(200)
        .collect();
    if let Some(f) = server_syntax(&data) {
        return f;
    }
    match data.first() {
        None => hints.without_data(),
        Some(first) if is_top_sources_header(first) => FeedFormat::DshieldTop,
        Some(_) => match by_shapes(&data, hints.firehol) {
            FeedFormat::List if hints.tor_bulk => FeedFormat::TorBulk,
            f => f,
        },
    }
}

/// The formats that DNS servers, proxies and Tor write, each recognised
/// by its own syntax on most data lines (BIND: most statements).
fn server_syntax(data: &[&[u8]]) -> Option<FeedFormat> {
    let most = |f: fn(&[u8]) -> bool| {
        let n = data.iter().filter(|l| f(l)).count();
        n > 0 && n * 2 > data.len()
    };
    if most(|l| {
        [&b"address=/"[..], b"server=/", b"local=/"]
            .iter()
            .any(|p| l.starts_with(p))
    }) {
        return Some(FeedFormat::Dnsmasq);
    }
    if most(|l| {
        [&b"local-zone:"[..], b"local-data:", b"server:"]
            .iter()
            .any(|p| l.starts_with(p))
    }) {
        return Some(FeedFormat::Unbound);
    }
    if most(|l| {
        [
            &b"ExitNode "[..],
            b"Published ",
            b"LastStatus ",
            b"ExitAddress ",
        ]
        .iter()
        .any(|p| l.starts_with(p))
    }) {
        return Some(FeedFormat::TorExits);
    }
    if most(|l| {
        l.strip_prefix(b".")
            .is_some_and(|l| is_domain(strip_trailing_comment(l)))
    }) {
        return Some(FeedFormat::Squid);
    }
    is_bind(data).then_some(FeedFormat::Bind)
}

/// Whether most statements (lines that start outside braces) are `zone "…"`.
fn is_bind(data: &[&[u8]]) -> bool {
    let (mut depth, mut zones, mut other) = (0i64, 0usize, 0usize);
    for l in data {
        if depth == 0 && !l.starts_with(b"/*") && !l.starts_with(b"*") {
            let zone = l
                .strip_prefix(b"zone")
                .is_some_and(|r| r.trim_ascii_start().starts_with(b"\""));
            if zone {
                zones += 1;
            } else {
                other += 1;
            }
        }
        let opens = l.iter().filter(|&&c| c == b'{').count() as i64;
        let closes = l.iter().filter(|&&c| c == b'}').count() as i64;
        depth = (depth + opens - closes).max(0);
    }
    zones > other
}

/// The sample's complete lines (it may end mid-line), trimmed.
fn sample_lines(sample: &[u8]) -> Vec<&[u8]> {
    let complete = match memchr::memrchr(b'\n', sample) {
        Some(i) if sample.len() >= 64 << 10 => &sample[..i],
        _ => sample,
    };
    complete
        .split(|&c| c == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l).trim_ascii())
        .collect()
}

/// What a feed's name and comments say about its format.
struct Hints {
    lower_name: String,
    /// A FireHOL name or header.
    firehol: bool,
    /// AdBlock's `!` comments.
    adblock_comments: bool,
    /// A Tor bulk exit list's name or comments.
    tor_bulk: bool,
}

impl Hints {
    fn new(name: &str, lines: &[&[u8]]) -> Self {
        let comments: Vec<&[u8]> = lines.iter().copied().filter(|l| is_comment(l)).collect();
        let mut hints = Hints {
            lower_name: name.to_ascii_lowercase(),
            firehol: false,
            adblock_comments: comments.iter().any(|c| c.starts_with(b"!")),
            tor_bulk: false,
        };
        // The list's own words ("This is a list of all Tor exit nodes…"),
        // or its usual names: a mention of Tor alone says nothing.
        hints.tor_bulk = ["torbulkexitlist", "tor-exit", "tor_exit", "torexit"]
            .iter()
            .any(|n| hints.lower_name.contains(n))
            || comments.iter().any(|c| {
                let lower = c.to_ascii_lowercase();
                memchr::memmem::find(&lower, b"list of all tor exit nodes").is_some()
            });
        hints.firehol = hints.ext(".netset")
            || hints.ext(".ipset")
            || (comments
                .iter()
                .any(|c| memchr::memmem::find(c, b"ipset").is_some())
                && comments.iter().any(|c| c.starts_with(b"# Maintainer")));
        hints
    }

    /// The name ends with `e`, or `e.gz`.
    fn ext(&self, e: &str) -> bool {
        self.lower_name.ends_with(e) || self.lower_name.ends_with(&format!("{e}.gz"))
    }

    /// Nothing but comments: the name decides (the feed will be reported
    /// as holding no entries).
    fn without_data(&self) -> FeedFormat {
        if self.firehol {
            FeedFormat::Firehol
        } else if self.ext(".rpz") {
            FeedFormat::Rpz
        } else if self.ext(".hosts") {
            FeedFormat::Hosts
        } else if self.adblock_comments {
            FeedFormat::Adblock
        } else if self.ext(".csv") || self.ext(".tsv") {
            FeedFormat::Csv
        } else {
            FeedFormat::List
        }
    }
}

/// The format most data lines have the shape of.
fn by_shapes(data: &[&[u8]], firehol: bool) -> FeedFormat {
    let shapes: Vec<Shape> = data.iter().map(|l| shape(l)).collect();
    // A first row of names over (mostly) delimited rows is a CSV header.
    if shapes[0] == Shape::Delimited {
        let rest = &shapes[1..];
        if rest.iter().filter(|s| **s == Shape::Delimited).count() * 2 >= rest.len() {
            return FeedFormat::Csv;
        }
    }
    let count = |s: Shape| shapes.iter().filter(|x| **x == s).count();
    let best = [
        Shape::Adblock,
        Shape::Rpz,
        Shape::Hosts,
        Shape::Spamhaus,
        Shape::Dshield,
        Shape::Ipsum,
        Shape::Address,
        Shape::Domain,
        Shape::Delimited,
    ]
    .into_iter()
    .max_by_key(|s| (count(*s), std::cmp::Reverse(*s)))
    .unwrap_or(Shape::Other);
    let list = if firehol {
        FeedFormat::Firehol
    } else {
        FeedFormat::List
    };
    match best {
        _ if count(best) == 0 => list,
        Shape::Adblock => FeedFormat::Adblock,
        Shape::Rpz => FeedFormat::Rpz,
        Shape::Hosts => FeedFormat::Hosts,
        Shape::Spamhaus => FeedFormat::Spamhaus,
        Shape::Dshield => FeedFormat::Dshield,
        Shape::Ipsum => FeedFormat::Ipsum,
        Shape::Address | Shape::Domain if count(Shape::Domain) > 0 => FeedFormat::Domains,
        Shape::Address | Shape::Domain => list,
        Shape::Delimited | Shape::Other => FeedFormat::Csv,
    }
}

/// A JSON feed's format. A first line that is a whole object starts JSON
/// lines (or is a one-line document); otherwise the start of the document is
/// outlined ([`super::json::outline`]), so that neither key order nor a
/// document larger than the sample hides what it is.
fn detect_json(start: &[u8]) -> FeedFormat {
    let first_line = start.split(|&c| c == b'\n').next().unwrap_or(start);
    if let Ok(serde_json::Value::Object(o)) =
        serde_json::from_slice::<serde_json::Value>(first_line)
    {
        let second = start
            .split(|&c| c == b'\n')
            .skip(1)
            .map(|l| l.trim_ascii())
            .find(|l| !l.is_empty());
        if second.is_none_or(|l| l.starts_with(b"{")) {
            let spamhaus = (o.contains_key("cidr") && o.contains_key("sblid"))
                || (o.contains_key("asn") && o.contains_key("rir"))
                || o.get("type").and_then(|t| t.as_str()) == Some("metadata")
                    && o.contains_key("copyright");
            return if spamhaus {
                FeedFormat::SpamhausJson
            } else {
                intel_document(&super::json::Outline::of_object(&o)).unwrap_or(FeedFormat::Jsonl)
            };
        }
    }
    if let Some(f) = intel_document(&super::json::outline(start)) {
        return f;
    }
    let head = &start[..start.len().min(8192)];
    let squeezed: Vec<u8> = head
        .iter()
        .copied()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    let find = |n: &[u8]| memchr::memmem::find(&squeezed, n).is_some();
    if find(b"\"type\":\"bundle\"")
        || (find(b"\"spec_version\":\"2.") && find(b"\"type\":\"indicator\""))
    {
        FeedFormat::Stix
    } else {
        FeedFormat::Json
    }
}

/// STIX (a bundle in any key order, a bare array of STIX objects, one
/// object) or MISP (`{"Event": …}`, `{"response": [{"Event": …}]}`, an
/// array of events), from the outline of a JSON text.
fn intel_document(o: &super::json::Outline) -> Option<FeedFormat> {
    use super::json::{is_misp_event, is_stix_object};
    let first = o.first.as_ref();
    if o.array {
        return match first {
            Some(f) if is_stix_object(f) => Some(FeedFormat::Stix),
            Some(f) if is_misp_event(f) => Some(FeedFormat::Misp),
            _ => None,
        };
    }
    let has = |k: &str| o.keys.iter().any(|x| x == k);
    if o.kind.as_deref() == Some("bundle")
        || (has("objects") && first.is_some_and(is_stix_object))
        || o.is_stix_object()
    {
        Some(FeedFormat::Stix)
    } else if has("Event") || (has("response") && first.is_some_and(is_misp_event)) {
        Some(FeedFormat::Misp)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects() {
        let d = |s: &str| detect(s.as_bytes(), "feed");
        assert_eq!(d("# c\n1.2.3.4\n10.0.0.0/8\n"), FeedFormat::List);
        assert_eq!(d("; x\n1.2.3.0/24 ; SBL1\n"), FeedFormat::Spamhaus);
        assert_eq!(d("1.2.3.4\t5\n"), FeedFormat::Ipsum);
        assert_eq!(d("0.0.0.0 evil.example\n"), FeedFormat::Hosts);
        assert_eq!(d("||evil.example^\n"), FeedFormat::Adblock);
        assert_eq!(d("evil.example\n1.2.3.4\n"), FeedFormat::Domains);
        assert_eq!(d("ip,port\n1.2.3.4,80\n"), FeedFormat::Csv);
        assert_eq!(d("$TTL 300\n"), FeedFormat::Rpz);
        assert_eq!(
            d("{\"cidr\":\"1.2.3.0/24\",\"sblid\":\"SBL1\",\"rir\":\"x\"}\n"),
            FeedFormat::SpamhausJson
        );
        assert_eq!(
            d("{\"ip\":\"1.2.3.4\"}\n{\"ip\":\"1.2.3.5\"}\n"),
            FeedFormat::Jsonl
        );
        assert_eq!(d("[{\"ip\":\"1.2.3.4\"}]"), FeedFormat::Json);
        assert_eq!(d("1.2.3.0\t1.2.3.255\t24\t5\tNAME\n"), FeedFormat::Dshield);
        assert_eq!(d("# only comments\n"), FeedFormat::List);
        assert_eq!(check_text(b"<!DOCTYPE html><html>"), Err(NotAFeed::Html));
    }

    #[test]
    fn detects_intel_documents() {
        let d = |s: &str| detect(s.as_bytes(), "feed");
        // "type": "bundle" after "objects", beyond the sample.
        let object = "{\"type\": \"indicator\", \"id\": \"indicator--1\", \"pattern\": \"[ipv4-addr:value = '1.2.3.4']\"},\n";
        let big = format!("{{\n \"objects\": [\n{}", object.repeat(2000));
        assert_eq!(d(&big[..60_000]), FeedFormat::Stix);
        let bare = format!("[\n{}", object.repeat(3));
        assert_eq!(d(&bare), FeedFormat::Stix);
        let lines = object.replace("},", "}").repeat(2);
        assert_eq!(d(&lines), FeedFormat::Stix);
        assert_eq!(d("{\n \"Event\": {\"Attribute\": []}\n}"), FeedFormat::Misp);
        assert_eq!(
            d("{\"response\": [{\"Event\": {\"Attribute\": []}}]}"),
            FeedFormat::Misp
        );
        assert_eq!(d("[{\"Event\": {}}]"), FeedFormat::Misp);
        assert_eq!(d("[\"1.2.3.4\", \"evil.example\"]"), FeedFormat::Json);
        // Not STIX: an id of another type than the object's.
        assert_eq!(
            d("[{\"type\": \"indicator\", \"id\": \"x--1\"}]"),
            FeedFormat::Json
        );
        assert_eq!(check_text(b"\x00\x01\x02"), Err(NotAFeed::Binary));
    }

    #[test]
    fn detects_server_and_tor_formats() {
        let d = |s: &str| detect(s.as_bytes(), "feed");
        assert_eq!(
            d("# x\naddress=/a.example/0.0.0.0\nserver=/b.example/\n"),
            FeedFormat::Dnsmasq
        );
        assert_eq!(
            d("server:\nlocal-zone: \"a.example\" refuse\n"),
            FeedFormat::Unbound
        );
        assert_eq!(
            d("zone \"a.example\" {\n type master;\n file \"x\";\n};\nzone \"b.example\" { type master; };\n"),
            FeedFormat::Bind
        );
        assert_eq!(d(".a.example\n.b.example\nc.example\n"), FeedFormat::Squid);
        assert_eq!(d("a.example\n.b.example\nc.example\n"), FeedFormat::Domains);
        assert_eq!(
            d("ExitNode 00AA\nPublished 2026-01-01 00:00:00\nExitAddress 192.0.2.1 2026-01-01 00:00:00\n"),
            FeedFormat::TorExits
        );
        assert_eq!(
            d("# This is a list of all Tor exit nodes from the past 16 hours #\n192.0.2.1\n"),
            FeedFormat::TorBulk
        );
        assert_eq!(
            detect(b"192.0.2.1\n", "torbulkexitlist"),
            FeedFormat::TorBulk
        );
        assert_eq!(d("# not tor exit nodes\n192.0.2.1\n"), FeedFormat::List);
        assert_eq!(
            d("||192.0.2.1^\n0.0.0.0 a.example\n||b.example^\n"),
            FeedFormat::Adblock
        );
        assert_eq!(
            FeedFormat::from_name("exit-addresses"),
            Some(FeedFormat::TorExits)
        );
    }
}
