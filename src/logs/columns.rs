//! Generic CSV / TSV logs read through a column mapping ([`Columns`], given
//! on the command line: `time=1,src=3,dst=4,dport=6,action=8` with 1-based
//! column numbers, or header names: `src=source_ip`), and the small pieces
//! the vendor parsers share: a quote-aware field splitter, action words,
//! protocol numbers, times in the forms logs write.

use super::{addr, port, Action, Context, Direction, Event, Skip};
use std::borrow::Cow;
use std::net::IpAddr;

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
            Field::Qname => ev.qname = Some(qname(v)),
            Field::Answers => ev.answers = answers(v),
            Field::Signature => ev.signature = Some(v.to_string()),
        }
    }
    if ev.src.is_none() && ev.dst.is_none() && ev.qname.is_none() {
        return Err(Skip::Malformed);
    }
    Ok(Some(ev))
}

/// A queried name: lower case, without its final dot.
pub(super) fn qname(v: &str) -> String {
    v.trim_end_matches('.').to_ascii_lowercase()
}

/// The addresses in a list of answers (`,`, `;` or space separated); names
/// (CNAMEs) and other words are left out.
pub(super) fn answers(v: &str) -> Vec<IpAddr> {
    v.split([',', ';', ' '])
        .filter_map(|a| addr(a.trim()))
        .collect()
}

fn direction_word(v: &str) -> Direction {
    match v.to_ascii_lowercase().as_str() {
        "in" | "inbound" | "incoming" | "ingress" => Direction::In,
        "out" | "outbound" | "outgoing" | "egress" => Direction::Out,
        _ => Direction::Unknown,
    }
}

/// Splits one CSV line at `sep`: a field that starts with `"` runs to its
/// closing quote (`""` is a quote inside it) and may hold the separator.
/// An unclosed quote runs to the end of the line.
pub(super) fn split(line: &str, sep: u8) -> Vec<Cow<'_, str>> {
    let b = line.as_bytes();
    let mut out = Vec::with_capacity(64);
    let mut i = 0;
    loop {
        if b.get(i) == Some(&b'"') {
            let start = i + 1;
            let mut j = start;
            let mut doubled = false;
            let end = loop {
                match b.get(j) {
                    None => break b.len(),
                    Some(b'"') if b.get(j + 1) == Some(&b'"') => {
                        doubled = true;
                        j += 2;
                    }
                    Some(b'"') => break j,
                    Some(_) => j += 1,
                }
            };
            let text = &line[start..end];
            out.push(if doubled {
                Cow::Owned(text.replace("\"\"", "\""))
            } else {
                Cow::Borrowed(text)
            });
            // Skip to the next separator (anything after the closing quote
            // and before it is dropped).
            let next = b[end.min(b.len())..].iter().position(|c| *c == sep);
            match next {
                Some(k) => i = end + k + 1,
                None => break,
            }
        } else {
            match b[i..].iter().position(|c| *c == sep) {
                Some(k) => {
                    out.push(Cow::Borrowed(&line[i..i + k]));
                    i += k + 1;
                }
                None => {
                    out.push(Cow::Borrowed(&line[i..]));
                    break;
                }
            }
        }
    }
    out
}

/// What an action word of a firewall log means: `allow`, `accept`,
/// `permit`, `pass`, `close`, `timeout`, `alert`… let the traffic through;
/// `deny`, `drop`, `block`, `reject`, `reset-*`, `*-rst`, `sinkhole`…
/// stopped it; anything else is [`Action::Other`].
pub(super) fn action_word(v: &str) -> Action {
    let v = v.trim().to_ascii_lowercase();
    let v = v.as_str();
    match v {
        "allow" | "allowed" | "accept" | "accepted" | "permit" | "permitted" | "pass"
        | "passed" | "passthrough" | "pass_session" | "close" | "timeout" | "start" | "alert"
        | "continue" | "override" | "detected" | "monitored" | "success" => Action::Accept,
        "deny" | "denied" | "drop" | "dropped" | "block" | "blocked" | "reject" | "rejected"
        | "reset" | "server-rst" | "client-rst" | "sinkhole" | "random-drop" | "clear_session" => {
            Action::Drop
        }
        _ if v.starts_with("reset-")
            || v.starts_with("block-")
            || v.starts_with("drop-")
            || v.starts_with("deny-") =>
        {
            Action::Drop
        }
        _ => Action::Other,
    }
}

/// A protocol as logs name it: a number becomes its name (`6` → `tcp`),
/// a name goes to lower case.
pub(super) fn proto_name(v: &str) -> String {
    let name = match v {
        "1" => "icmp",
        "2" => "igmp",
        "4" => "ipip",
        "6" => "tcp",
        "17" => "udp",
        "41" => "ipv6",
        "47" => "gre",
        "50" => "esp",
        "51" => "ah",
        "58" => "ipv6-icmp",
        "89" => "ospf",
        "103" => "pim",
        "112" => "vrrp",
        "132" => "sctp",
        "136" => "udplite",
        _ => return v.to_ascii_lowercase(),
    };
    name.to_string()
}

/// Whether a protocol carries ports (an unknown one is taken as if).
pub(super) fn has_ports(proto: Option<&str>) -> bool {
    matches!(proto, None | Some("tcp" | "udp" | "sctp" | "udplite"))
}

/// Unix seconds of a civil time read as UTC (no zone applied); `None`
/// when it is no date or time.
pub(super) fn civil_utc(y: i64, mo: u8, d: u8, h: u8, mi: u8, s: u8) -> Option<i64> {
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days_in = match mo {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if d == 0 || d > days_in || h > 23 || mi > 59 || s > 59 || !(1..=9999).contains(&y) {
        return None;
    }
    // Days from civil (H. Hinnant).
    let (y, m) = if mo <= 2 {
        (y - 1, mo as i64 + 9)
    } else {
        (y, mo as i64 - 3)
    };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * m + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + h as i64 * 3600 + mi as i64 * 60 + s as i64)
}

/// A civil time: year, month, day, hour, minute, second.
pub(super) type Civil = (i64, u8, u8, u8, u8, u8);

/// `YYYY?MM?DD?hh:mm:ss` (any one-byte separators, a fraction after the
/// seconds allowed): the civil fields and what follows.
pub(super) fn ymd_hms(s: &str) -> Option<(Civil, &str)> {
    let b = s.as_bytes();
    if b.len() < 19 || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let n = |i: usize, w: usize| -> Option<i64> {
        b[i..i + w].iter().try_fold(0i64, |a, &c| {
            c.is_ascii_digit().then(|| a * 10 + i64::from(c - b'0'))
        })
    };
    let t = (
        n(0, 4)?,
        n(5, 2)? as u8,
        n(8, 2)? as u8,
        n(11, 2)? as u8,
        n(14, 2)? as u8,
        n(17, 2)? as u8,
    );
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        rest = &frac[digits..];
    }
    Some((t, rest))
}

/// Unix seconds of an epoch number in seconds, milliseconds, microseconds
/// or nanoseconds (told by its length); a fraction after seconds is
/// dropped.
pub(super) fn epoch(v: &str) -> Option<i64> {
    let whole = match v.split_once('.') {
        Some((w, f)) if f.bytes().all(|b| b.is_ascii_digit()) && w.len() <= 11 => w,
        Some(_) => return None,
        None => v,
    };
    if whole.is_empty() || whole.len() > 20 || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u64 = whole.parse().ok()?;
    let secs = match whole.len() {
        0..=11 => n,
        12..=14 => n / 1_000,
        15..=17 => n / 1_000_000,
        _ => n / 1_000_000_000,
    };
    i64::try_from(secs).ok()
}

/// `+0100`, `-05:00`, `+01`, `Z`, `UTC`, `GMT`: seconds east of UTC.
pub(super) fn offset(v: &str) -> Option<i64> {
    let v = v.trim();
    if matches!(v, "Z" | "UTC" | "GMT" | "z") {
        return Some(0);
    }
    let (sign, rest) = match v.as_bytes().first()? {
        b'+' => (1, &v[1..]),
        b'-' => (-1, &v[1..]),
        _ => return None,
    };
    let digits: String = rest.chars().filter(|c| *c != ':').collect();
    if !digits.bytes().all(|b| b.is_ascii_digit()) || !(digits.len() == 2 || digits.len() == 4) {
        return None;
    }
    let h: i64 = digits[..2].parse().ok()?;
    let m: i64 = if digits.len() == 4 {
        digits[2..].parse().ok()?
    } else {
        0
    };
    (h <= 14 && m <= 59).then_some(sign * (h * 3600 + m * 60))
}

/// A time in a CSV column: RFC 3339, epoch seconds (or ms, µs, ns), or
/// `YYYY-MM-DD hh:mm:ss` (`T` or `/` accepted) without a zone, taken in
/// the context's zone.
fn any_time(v: &str, cx: &mut Context) -> Option<i64> {
    if let Some(t) = epoch(v) {
        return Some(t);
    }
    let ((y, mo, d, h, mi, s), rest) = ymd_hms(v)?;
    if rest.is_empty() {
        return cx.year.local(y, mo, d, h, mi, s);
    }
    let off = offset(rest.trim())?;
    Some(civil_utc(y, mo, d, h, mi, s)? - off)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_quoted_fields() {
        let f = split(r#"a,"b,c",,"say ""hi""",d"#, b',');
        assert_eq!(f, vec!["a", "b,c", "", "say \"hi\"", "d"]);
        assert_eq!(split("x", b','), vec!["x"]);
        assert_eq!(split("", b','), vec![""]);
        assert_eq!(split("a,", b','), vec!["a", ""]);
        assert_eq!(split("\"open,end", b','), vec!["open,end"]);
        assert_eq!(split("a\tb", b'\t'), vec!["a", "b"]);
    }

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
    fn words_numbers_and_times() {
        assert_eq!(action_word("reset-both"), Action::Drop);
        assert_eq!(action_word("server-rst"), Action::Drop);
        assert_eq!(action_word("Permit"), Action::Accept);
        assert_eq!(action_word("ip-conn"), Action::Other);
        assert_eq!(proto_name("58"), "ipv6-icmp");
        assert_eq!(proto_name("TCP"), "tcp");
        assert_eq!(proto_name("253"), "253");
        assert_eq!(epoch("1796644801"), Some(1_796_644_801));
        assert_eq!(epoch("1796644801123"), Some(1_796_644_801));
        assert_eq!(epoch("1796644801123456"), Some(1_796_644_801));
        assert_eq!(epoch("1796644801123456789"), Some(1_796_644_801));
        assert_eq!(epoch("1796644801.5"), Some(1_796_644_801));
        assert_eq!(epoch("17966x"), None);
        assert_eq!(epoch("99999999999999999999"), None);
        assert_eq!(offset("+0100"), Some(3600));
        assert_eq!(offset("-05:30"), Some(-19_800));
        assert_eq!(offset("+1500"), None);
        assert_eq!(civil_utc(2026, 12, 7, 12, 0, 0), Some(1_796_644_800));
        assert_eq!(civil_utc(1970, 1, 1, 0, 0, 0), Some(0));
        assert_eq!(civil_utc(2024, 2, 29, 0, 0, 0), Some(1_709_164_800));
        assert_eq!(civil_utc(2026, 2, 29, 0, 0, 0), None);
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
