//! The log parsers' fixtures read and checked line by line, every event
//! spelled out in one line ([`describe`]).

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use threatlist::logs::{self, Action, Context, Direction, Event, Format, Skip};

/// 2026-12-07T12:00:00Z: the fixtures' "modification time".
pub const REFERENCE: i64 = 1_796_644_800;

/// A file under `fixtures/logs`.
pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/logs")
        .join(rel)
}

/// The lines of a file, without the empty one after a final line end.
pub fn lines(path: &Path) -> Vec<Vec<u8>> {
    let bytes = std::fs::read(path).unwrap();
    let mut all: Vec<Vec<u8>> = bytes.split(|b| *b == b'\n').map(<[u8]>::to_vec).collect();
    if all.last().is_some_and(Vec::is_empty) {
        all.pop();
    }
    all
}

/// One line per event, or `skip: reason` per skipped line:
/// `TIME ACTION DIRECTION PROTOCOL SRC [PORT][ (MAPPED)] -> DST [PORT][
/// (MAPPED)] in=IF out=IF rule=RULE`, a host name in place of an address
/// written `<name>`; then, when there are, ` sig=` the signature, ` q=` the
/// name queried, ` a=` its answers and ` names=SRC>DST` the host names a
/// line gives beside addresses.
pub fn describe(r: &Result<Option<Event>, Skip>) -> String {
    let e = match r {
        Ok(Some(e)) => e,
        Ok(None) => return "none".into(),
        Err(s) => return format!("skip: {}", s.reason()),
    };
    let o = |s: &Option<String>| s.clone().unwrap_or_else(|| "-".into());
    let end = |a: Option<IpAddr>, name: &Option<String>, p: Option<u16>| {
        let host = match (a, name) {
            (Some(a), _) => a.to_string(),
            (None, Some(n)) => format!("<{n}>"),
            (None, None) => return "-".into(),
        };
        match p {
            Some(p) => format!("{host} {p}"),
            None => host,
        }
    };
    let mapped = |m: Option<logs::Mapped>| match m {
        Some(m) => format!(" ({})", end(Some(m.addr), &None, m.port)),
        None => String::new(),
    };
    let mut s = format!(
        "{} {} {} {} {}{} -> {}{} in={} out={} rule={}",
        e.time.map_or("-".into(), threatlist::time::format),
        match e.action {
            Some(Action::Drop) => "drop",
            Some(Action::Accept) => "accept",
            Some(Action::Other) => "other",
            None => "-",
        },
        match e.direction {
            Direction::In => "in",
            Direction::Out => "out",
            Direction::Unknown => "?",
        },
        o(&e.protocol),
        end(e.src, &e.src_name, e.src_port),
        mapped(e.src_mapped),
        end(e.dst, &e.dst_name, e.dst_port),
        mapped(e.dst_mapped),
        o(&e.iface_in),
        o(&e.iface_out),
        o(&e.rule),
    );
    if let Some(sig) = &e.signature {
        s += &format!(" sig={sig}");
    }
    if let Some(q) = &e.qname {
        s += &format!(" q={q}");
    }
    if !e.answers.is_empty() {
        let a: Vec<String> = e.answers.iter().map(|a| a.to_string()).collect();
        s += &format!(" a={}", a.join(","));
    }
    let beside =
        (e.src.is_some() && e.src_name.is_some()) || (e.dst.is_some() && e.dst_name.is_some());
    if beside {
        s += &format!(" names={}>{}", o(&e.src_name), o(&e.dst_name));
    }
    s
}

/// Checks detection on `lines` (`detected`; CSV is never detected, what
/// other formats make of it is theirs) and every line's [`describe`],
/// printing what it got when that differs.
pub fn check_lines(
    rel: &str,
    lines: &[&[u8]],
    format: Format,
    detected: Option<Format>,
    cx: &mut Context,
    expected: &[&str],
) {
    if format != Format::Csv {
        assert_eq!(logs::detect(lines), detected, "{rel}");
    }
    let got: Vec<String> = lines
        .iter()
        .map(|l| describe(&logs::parse_line(format, l, cx)))
        .collect();
    if got != expected {
        for g in &got {
            eprintln!("            {g:?},");
        }
    }
    assert_eq!(got, expected, "{rel}");
}

/// Checks a fixture's non-empty lines, read as `format` from
/// [`REFERENCE`], detected as `detected`; returns the lines the source said
/// it lost.
pub fn check_fixture_as(rel: &str, format: Format, detected: Format, expected: &[&str]) -> u64 {
    let all = lines(&fixture(rel));
    let all: Vec<&[u8]> = all
        .iter()
        .map(Vec::as_slice)
        .filter(|l| !l.is_empty())
        .collect();
    let mut cx = Context::new(REFERENCE);
    check_lines(rel, &all, format, Some(detected), &mut cx, expected);
    cx.lost
}

/// [`check_fixture_as`] a fixture detected as its own format.
pub fn check_fixture(rel: &str, format: Format, expected: &[&str]) -> u64 {
    check_fixture_as(rel, format, format, expected)
}

/// Checks every line of a fixture, empty ones too, in `cx`.
pub fn check_every_line(
    rel: &str,
    format: Format,
    detected: Option<Format>,
    cx: &mut Context,
    expected: &[&str],
) {
    let all = lines(&fixture(rel));
    let all: Vec<&[u8]> = all.iter().map(Vec::as_slice).collect();
    check_lines(rel, &all, format, detected, cx, expected);
}

/// `../shared/data/logs`, or `None` when the shared data is missing (the
/// test is then skipped; under CI it fails).
pub fn shared_logs() -> Option<PathBuf> {
    super::shared_data().map(|d| d.join("logs"))
}

/// A real log read whole.
pub struct Read {
    /// How many non-empty lines it has.
    pub lines: usize,
    pub events: Vec<Event>,
    /// Skipped lines by reason (`none` for a line read as no event).
    pub skips: BTreeMap<&'static str, usize>,
    /// Every non-empty line's line number (from 1) and [`describe`].
    pub described: Vec<(usize, String)>,
}

/// Reads a real log as `format`: detection on its first 20 non-empty lines,
/// then every non-empty line parsed from the file's modification time,
/// each counted once.
pub fn read_log(path: &Path, format: Format) -> Read {
    let all = lines(path);
    let all: Vec<(usize, &[u8])> = all
        .iter()
        .map(Vec::as_slice)
        .enumerate()
        .filter(|(_, l)| !l.is_empty())
        .collect();
    let head: Vec<&[u8]> = all.iter().take(20).map(|(_, l)| *l).collect();
    assert_eq!(logs::detect(&head), Some(format), "{}", path.display());
    let mut cx = Context::for_file(path).unwrap();
    let mut read = Read {
        lines: all.len(),
        events: Vec::new(),
        skips: BTreeMap::new(),
        described: Vec::new(),
    };
    for (n, line) in &all {
        let r = logs::parse_line(format, line, &mut cx);
        read.described.push((n + 1, describe(&r)));
        match r {
            Ok(Some(e)) => read.events.push(e),
            Ok(None) => *read.skips.entry("none").or_default() += 1,
            Err(s) => *read.skips.entry(s.reason()).or_default() += 1,
        }
    }
    let skipped: usize = read.skips.values().sum();
    assert_eq!(
        read.events.len() + skipped,
        read.lines,
        "{}",
        path.display()
    );
    eprintln!(
        "{}: {} events, skipped {:?}",
        path.display(),
        read.events.len(),
        read.skips
    );
    read
}
