//! Zeek `conn.log` and `dns.log`, in either of Zeek's writers:
//!
//! - TSV (the ASCII writer's default): `#separator \x09`, `#set_separator`,
//!   `#empty_field`, `#unset_field`, `#path`, `#fields` and `#types`
//!   header lines, then one record per line in the `#fields` order; `-`
//!   is an unset field, `(empty)` an empty set. The header lines are read
//!   into the [`Context`] and skipped as [`Skip::Empty`], as are `#open`,
//!   `#close` and other `#` lines.
//! - JSON lines (`LogAscii::use_json`): one object per line with the same
//!   field names (`id.orig_h`…); `ts` is epoch seconds, epoch
//!   milliseconds (`JSON::TS_MILLIS`) or an ISO 8601 string
//!   (`JSON::TS_ISO8601`).
//!
//! Both logs give the originator (`id.orig_h`, `id.orig_p`) as the source
//! and the responder as the destination, `proto` as the protocol (no ports
//! for ICMP, where Zeek puts the type and code there), and the action
//! [`Action::Other`]: Zeek watches, it does not block. The direction comes
//! from `local_orig` / `local_resp` when the log has them. A dns.log line
//! (one with a `query` field) also gives the name queried and the addresses
//! among its `answers` (names and other rdata dropped); its source is the
//! client and its destination the resolver. Lines of other Zeek logs with
//! `id.orig_h` and `id.resp_h` are read the same way; those without them
//! are [`Skip::Unsupported`].

use super::fields::{json_port, opt_port, protocol, qname};
use super::stamp::{epoch, float_secs, iso_time};
use super::{addr, Action, Context, Direction, Event, Skip};
use serde::Deserialize;
use std::borrow::Cow;

/// What a TSV header said: the separators and which column holds each
/// field we read.
#[derive(Clone, Debug)]
pub(crate) struct Layout {
    sep: u8,
    set_sep: String,
    empty: String,
    unset: String,
    /// Whether `#fields` has been read.
    known: bool,
    /// Per column of `#fields`: the slot ([`FIELDS`] index) it fills, or
    /// [`NO_SLOT`].
    slots: Vec<u8>,
    /// Which slots the header has.
    has: [bool; FIELDS.len()],
}

/// The fields read, in slot order.
const FIELDS: [&str; 10] = [
    "ts",
    "id.orig_h",
    "id.orig_p",
    "id.resp_h",
    "id.resp_p",
    "proto",
    "local_orig",
    "local_resp",
    "query",
    "answers",
];
const TS: usize = 0;
const ORIG_H: usize = 1;
const ORIG_P: usize = 2;
const RESP_H: usize = 3;
const RESP_P: usize = 4;
const PROTO: usize = 5;
const LOCAL_ORIG: usize = 6;
const LOCAL_RESP: usize = 7;
const QUERY: usize = 8;
const ANSWERS: usize = 9;
const NO_SLOT: u8 = u8::MAX;

impl Default for Layout {
    fn default() -> Self {
        Layout {
            sep: b'\t',
            set_sep: ",".into(),
            empty: "(empty)".into(),
            unset: "-".into(),
            known: false,
            slots: Vec::new(),
            has: [false; FIELDS.len()],
        }
    }
}

const HEADERS: [&str; 7] = [
    "#separator",
    "#set_separator",
    "#empty_field",
    "#unset_field",
    "#path",
    "#fields",
    "#types",
];

pub(super) fn looks_like(line: &str) -> bool {
    if line.starts_with('#') {
        return HEADERS.iter().any(|h| line.starts_with(h));
    }
    if line.starts_with('{') {
        return line.contains("\"id.orig_h\"") || line.contains("\"_path\"");
    }
    // A TSV record: epoch seconds, a uid, an address.
    let mut f = line.split('\t');
    let ts = f.next().unwrap_or("");
    let _uid = f.next();
    let orig = f.next().unwrap_or("");
    !ts.is_empty()
        && ts.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && addr(orig).is_some()
        && line.matches('\t').count() >= 6
}

pub(super) fn parse(line: &str, cx: &mut Context) -> Result<Option<Event>, Skip> {
    if line.starts_with('#') {
        header(line, cx);
        return Err(Skip::Empty);
    }
    if line.starts_with('{') {
        return json(line, cx);
    }
    tsv(line, cx)
}

/// Reads a header line into the context.
fn header(line: &str, cx: &mut Context) {
    if let Some(v) = line.strip_prefix("#separator ") {
        cx.zeek.sep = unescape(v)
            .filter(|s| s.len() == 1 && s[0].is_ascii())
            .map_or(b'\t', |s| s[0]);
        return;
    }
    let sep = cx.zeek.sep as char;
    let Some((key, value)) = line.split_once(sep) else {
        return;
    };
    let z = &mut cx.zeek;
    match key {
        "#set_separator" => z.set_sep = value.to_string(),
        "#empty_field" => z.empty = value.to_string(),
        "#unset_field" => z.unset = value.to_string(),
        "#fields" => {
            cx.header = value.split(sep).map(str::to_string).collect();
            let z = &mut cx.zeek;
            z.known = true;
            z.has = [false; FIELDS.len()];
            z.slots = cx
                .header
                .iter()
                .map(|name| match FIELDS.iter().position(|f| f == name) {
                    Some(slot) => {
                        z.has[slot] = true;
                        slot as u8
                    }
                    None => NO_SLOT,
                })
                .collect();
        }
        _ => {}
    }
}

/// `\x09` → a tab; plain text as it is.
fn unescape(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && b.get(i + 1) == Some(&b'x') {
            let hex = s.get(i + 2..i + 4)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 4;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    Some(out)
}

fn tsv(line: &str, cx: &mut Context) -> Result<Option<Event>, Skip> {
    let z = &cx.zeek;
    if !z.known {
        return Err(Skip::Malformed);
    }
    // The fields read, without collecting the others.
    let mut v: [Option<&str>; FIELDS.len()] = [None; FIELDS.len()];
    let mut n = 0;
    for field in line.split(z.sep as char) {
        match z.slots.get(n) {
            Some(&slot) if slot != NO_SLOT => {
                if field != z.unset && field != z.empty && !field.is_empty() {
                    v[slot as usize] = Some(field);
                }
            }
            Some(_) => {}
            None => return Err(Skip::Malformed),
        }
        n += 1;
    }
    if n != z.slots.len() {
        return Err(Skip::Malformed);
    }
    if !z.has[ORIG_H] || !z.has[RESP_H] {
        return Err(Skip::Unsupported);
    }
    let time = match v[TS] {
        Some(t) => Some(epoch(t).ok_or(Skip::BadTime)?),
        None => None,
    };
    let mut ev = event(
        time,
        (v[ORIG_H], v[RESP_H]),
        v[PROTO],
        || Ok((opt_port(v[ORIG_P])?, opt_port(v[RESP_P])?)),
        (
            v[LOCAL_ORIG].map(|b| b == "T"),
            v[LOCAL_RESP].map(|b| b == "T"),
        ),
        v[QUERY],
    )?;
    if let Some(a) = v[ANSWERS] {
        ev.answers = a.split(z.set_sep.as_str()).filter_map(addr).collect();
    }
    Ok(Some(ev))
}

/// What both writers give, read alike: a connection (or DNS transaction)
/// from the originator to the responder, seen and not acted on. `ports`
/// reads the ports, except for ICMP (Zeek writes the type and code there).
fn event(
    time: Option<i64>,
    (orig, resp): (Option<&str>, Option<&str>),
    proto: Option<&str>,
    ports: impl FnOnce() -> Result<(Option<u16>, Option<u16>), Skip>,
    (local_orig, local_resp): (Option<bool>, Option<bool>),
    query: Option<&str>,
) -> Result<Event, Skip> {
    let mut ev = Event::empty();
    ev.action = Some(Action::Other);
    ev.time = time;
    ev.src = Some(orig.and_then(addr).ok_or(Skip::Malformed)?);
    ev.dst = Some(resp.and_then(addr).ok_or(Skip::Malformed)?);
    ev.protocol = proto.and_then(protocol);
    if ev.protocol.as_deref() != Some("icmp") {
        (ev.src_port, ev.dst_port) = ports()?;
    }
    ev.direction = direction(local_orig, local_resp);
    ev.qname = query.and_then(qname);
    Ok(ev)
}

/// Zeek's `local_orig` / `local_resp`: a local originator talking to a
/// remote responder goes out.
fn direction(local_orig: Option<bool>, local_resp: Option<bool>) -> Direction {
    match (local_orig, local_resp) {
        (Some(true), Some(false)) => Direction::Out,
        (Some(false), Some(true)) => Direction::In,
        _ => Direction::Unknown,
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Ts<'a> {
    Num(f64),
    Text(#[serde(borrow)] Cow<'a, str>),
}

#[derive(Deserialize)]
struct Json<'a> {
    #[serde(default)]
    ts: Option<Ts<'a>>,
    #[serde(rename = "id.orig_h", borrow, default)]
    orig_h: Option<Cow<'a, str>>,
    #[serde(rename = "id.orig_p", default)]
    orig_p: Option<u64>,
    #[serde(rename = "id.resp_h", borrow, default)]
    resp_h: Option<Cow<'a, str>>,
    #[serde(rename = "id.resp_p", default)]
    resp_p: Option<u64>,
    #[serde(borrow, default)]
    proto: Option<Cow<'a, str>>,
    #[serde(default)]
    local_orig: Option<bool>,
    #[serde(default)]
    local_resp: Option<bool>,
    #[serde(borrow, default)]
    query: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    answers: Option<Vec<Cow<'a, str>>>,
}

fn json(line: &str, cx: &mut Context) -> Result<Option<Event>, Skip> {
    let j: Json = serde_json::from_str(line).map_err(|_| Skip::Malformed)?;
    let (Some(orig_h), Some(resp_h)) = (&j.orig_h, &j.resp_h) else {
        return Err(Skip::Unsupported);
    };
    let time = match &j.ts {
        Some(Ts::Num(t)) => Some(float_secs(*t).ok_or(Skip::BadTime)?),
        Some(Ts::Text(t)) => Some(iso_time(t, &mut cx.year).ok_or(Skip::BadTime)?),
        None => None,
    };
    let mut ev = event(
        time,
        (Some(orig_h), Some(resp_h)),
        j.proto.as_deref(),
        || Ok((json_port(j.orig_p)?, json_port(j.resp_p)?)),
        (j.local_orig, j.local_resp),
        j.query.as_deref(),
    )?;
    if let Some(a) = &j.answers {
        ev.answers = a.iter().filter_map(|a| addr(a)).collect();
    }
    Ok(Some(ev))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEC7: i64 = 1_796_644_800;

    #[test]
    fn tsv_needs_its_header() {
        let mut cx = Context::new(DEC7);
        let rec = "1796644800.5\tC1\t10.0.0.5\t5353\t192.0.2.1\t53\tudp";
        assert_eq!(parse(rec, &mut cx), Err(Skip::Malformed));
        assert_eq!(parse("#separator \\x09", &mut cx), Err(Skip::Empty));
        assert_eq!(
            parse(
                "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto",
                &mut cx
            ),
            Err(Skip::Empty)
        );
        let ev = parse(rec, &mut cx).unwrap().unwrap();
        assert_eq!(ev.time, Some(DEC7));
        assert_eq!((ev.src_port, ev.dst_port), (Some(5353), Some(53)));
        assert_eq!(parse("1\tC1\t10.0.0.5", &mut cx), Err(Skip::Malformed));
        assert_eq!(
            parse("x\tC1\t10.0.0.5\t1\t192.0.2.1\t53\tudp", &mut cx),
            Err(Skip::BadTime)
        );
    }

    #[test]
    fn other_separators_and_orders() {
        let mut cx = Context::new(DEC7);
        for h in [
            "#separator \\x7c",
            "#unset_field|?",
            "#fields|id.resp_h|ts|id.orig_h|answers|query",
        ] {
            assert_eq!(parse(h, &mut cx), Err(Skip::Empty));
        }
        let ev = parse("192.0.2.1|1796644800|10.0.0.5|?|Example.ORG.", &mut cx)
            .unwrap()
            .unwrap();
        assert_eq!(ev.src, "10.0.0.5".parse().ok());
        assert_eq!(ev.dst, "192.0.2.1".parse().ok());
        assert_eq!((ev.time, ev.src_port), (Some(DEC7), None));
        assert_eq!(ev.qname.as_deref(), Some("example.org"));
        assert!(ev.answers.is_empty());
        assert_eq!(
            parse("192.0.2.1|1|10.0.0.5|?|x|y", &mut cx),
            Err(Skip::Malformed)
        );
    }

    #[test]
    fn json_ports_are_strict() {
        let mut cx = Context::new(DEC7);
        let line = r#"{"ts":1796644800.0,"id.orig_h":"10.0.0.5","id.orig_p":70000,"id.resp_h":"192.0.2.1","id.resp_p":53}"#;
        assert_eq!(parse(line, &mut cx), Err(Skip::Malformed));
        assert_eq!(
            parse(r#"{"_path":"files","ts":1.0}"#, &mut cx),
            Err(Skip::Unsupported)
        );
        assert_eq!(float_secs(1_796_644_800_123.0), Some(DEC7));
        assert_eq!(float_secs(1_796_644_800.9), Some(DEC7));
        assert_eq!(float_secs(-1.0), None);
        assert_eq!(float_secs(f64::NAN), None);
    }
}
