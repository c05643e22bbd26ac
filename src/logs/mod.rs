//! Firewall logs read line by line into one normalized [`Event`]: the
//! formats we know ([`Format`]), which one a file holds ([`detect`]), and
//! one parser per format ([`parse_line`]). A line that carries no event is a
//! counted [`Skip`] with a reason, never an error; only what stops a whole
//! file (it cannot be read) is an [`Error`]. Nothing here prints.
//!
//! Syslog framing (RFC 3164, RFC 5424) is stripped by [`syslog`]; each
//! format's module reads the message left, with the time readers of
//! [`stamp`] and the field readers of [`fields`] that formats share.

pub mod analyze;
mod asa;
mod bind;
mod cef;
pub mod columns;
pub(crate) mod fields;
mod filterlog;
mod fortinet;
pub mod html;
pub mod matcher;
mod mikrotik;
mod netfilter;
mod panos;
mod pf;
pub mod report;
pub mod source;
pub(crate) mod stamp;
mod suricata;
pub mod syslog;
pub mod tally;
mod ulogd;
mod unbound;
mod zeek;

use crate::error::InputError;
use std::net::IpAddr;

pub use analyze::{analyze, LogInput, LogsPlan};
pub use matcher::ListSource;
pub use syslog::YearGuess;
pub use tally::Analysis;

/// What the firewall did with the packet or connection, when it says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Drop,
    Accept,
    /// Logged without a verdict: an audit line, a connection's teardown.
    Other,
}

/// Which way the traffic went as the log line tells it (the profile's own
/// networks decide inside and outside later).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    In,
    Out,
    Unknown,
}

/// One log line, normalized. Every field a format does not carry is `None`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// Unix seconds, UTC.
    pub time: Option<i64>,
    pub action: Option<Action>,
    pub direction: Direction,
    /// Lower case, as the log names it (`tcp`, `udp`, `icmp`, `ipv6-icmp`…).
    pub protocol: Option<String>,
    pub src: Option<IpAddr>,
    pub dst: Option<IpAddr>,
    pub src_port: Option<u16>,
    pub dst_port: Option<u16>,
    /// The interface the packet came in on / went out of.
    pub iface_in: Option<String>,
    pub iface_out: Option<String>,
    /// The rule's name, number or log prefix.
    pub rule: Option<String>,
    /// The name queried, for DNS logs (lower case, no final dot).
    pub qname: Option<String>,
    /// The addresses a DNS answer gave for `qname`, when the log says.
    pub answers: Vec<IpAddr>,
    /// A host name the log gives in place of the source / destination
    /// address (Cisco ASA with `names`); the address is then `None`.
    pub src_name: Option<String>,
    pub dst_name: Option<String>,
    /// What an IDS or threat log says the traffic was (a Suricata
    /// signature, a PAN-OS threat name, a CEF event name).
    pub signature: Option<String>,
    /// The address (and port) the source / destination had on the other
    /// side of a translation, when the line gives it (Cisco ASA).
    pub src_mapped: Option<Mapped>,
    pub dst_mapped: Option<Mapped>,
}

/// An address as translated by NAT.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mapped {
    pub addr: IpAddr,
    pub port: Option<u16>,
}

impl Event {
    /// An event with nothing known yet.
    pub fn empty() -> Self {
        Event {
            time: None,
            action: None,
            direction: Direction::Unknown,
            protocol: None,
            src: None,
            dst: None,
            src_port: None,
            dst_port: None,
            iface_in: None,
            iface_out: None,
            rule: None,
            qname: None,
            answers: Vec::new(),
            src_name: None,
            dst_name: None,
            signature: None,
            src_mapped: None,
            dst_mapped: None,
        }
    }
}

/// The log formats. A file holds one; [`detect`] tells which from its
/// first lines, `--format` forces one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// Linux netfilter `LOG` target (iptables, UFW, Proxmox) via syslog or
    /// the journal (`journalctl -o short` and `-o json`), and ulogd's
    /// `LOGEMU` text.
    Netfilter,
    /// nftables `log` statement: the same key=value body after the rule's
    /// prefix. Detection cannot tell it from [`Format::Netfilter`] (the
    /// kernel writes both alike) and answers `netfilter`; the two parse the
    /// same.
    Nftables,
    /// ulogd's JSON output (`ulogd_output_JSON`).
    Ulogd,
    /// pf through `tcpdump -n -e -ttt -r pflog` (OpenBSD, FreeBSD).
    Pf,
    /// pfSense / OPNsense `filterlog` CSV.
    Filterlog,
    /// Cisco ASA / FTD / PIX syslog (`%ASA-n-NNNNNN: …`).
    Asa,
    /// Palo Alto PAN-OS TRAFFIC and THREAT CSV.
    Panos,
    /// Fortinet FortiGate `key=value` logs.
    Fortinet,
    /// MikroTik RouterOS firewall log lines.
    Mikrotik,
    /// ArcSight Common Event Format (`CEF:0|…`).
    Cef,
    /// Zeek `conn.log` and `dns.log`, TSV with `#fields` or JSON lines.
    Zeek,
    /// Suricata `eve.json` (flow, alert, dns) and `fast.log`.
    Suricata,
    /// BIND query and RPZ logs.
    Bind,
    /// Unbound query and RPZ logs.
    Unbound,
    /// CSV or TSV with a column mapping ([`columns::Columns`]); never
    /// detected.
    Csv,
}

impl Format {
    /// Every format, in the order detection prefers them on a tie.
    pub const ALL: [Format; 15] = [
        Format::Asa,
        Format::Filterlog,
        Format::Panos,
        Format::Fortinet,
        Format::Cef,
        Format::Mikrotik,
        Format::Pf,
        Format::Zeek,
        Format::Suricata,
        Format::Ulogd,
        Format::Bind,
        Format::Unbound,
        Format::Netfilter,
        Format::Nftables,
        Format::Csv,
    ];

    /// The name used on command lines and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Format::Netfilter => "netfilter",
            Format::Nftables => "nftables",
            Format::Ulogd => "ulogd",
            Format::Pf => "pf",
            Format::Filterlog => "filterlog",
            Format::Asa => "asa",
            Format::Panos => "panos",
            Format::Fortinet => "fortinet",
            Format::Mikrotik => "mikrotik",
            Format::Cef => "cef",
            Format::Zeek => "zeek",
            Format::Suricata => "suricata",
            Format::Bind => "bind",
            Format::Unbound => "unbound",
            Format::Csv => "csv",
        }
    }

    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.name() == name)
    }

    /// Whether a format reads `#` lines itself (headers) rather than
    /// skipping them as comments.
    pub fn reads_comments(self) -> bool {
        matches!(self, Format::Zeek | Format::Csv)
    }

    /// Whether a line looks like this format (for [`detect`]).
    fn looks_like(self, line: &str) -> bool {
        match self {
            Format::Netfilter => netfilter::looks_like(line),
            Format::Nftables | Format::Csv => false,
            Format::Ulogd => ulogd::looks_like(line),
            Format::Pf => pf::looks_like(line),
            Format::Filterlog => filterlog::looks_like(line),
            Format::Asa => asa::looks_like(line),
            Format::Panos => panos::looks_like(line),
            Format::Fortinet => fortinet::looks_like(line),
            Format::Mikrotik => mikrotik::looks_like(line),
            Format::Cef => cef::looks_like(line),
            Format::Zeek => zeek::looks_like(line),
            Format::Suricata => suricata::looks_like(line),
            Format::Bind => bind::looks_like(line),
            Format::Unbound => unbound::looks_like(line),
        }
    }
}

/// Why a line gave no event: counted per reason, never fatal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Skip {
    /// Blank, or a `#` comment.
    Empty,
    /// Longer than [`MAX_LINE`].
    TooLong,
    /// Another program's line, or not this format at all.
    Foreign,
    /// The format's line, but a message that carries no traffic (an ASA
    /// message id we do not read, a filterlog line of another protocol).
    Unsupported,
    /// The syslog header's time cannot be read.
    BadTime,
    /// A required field is missing or malformed (address, port, CSV column).
    Malformed,
    /// A host name where an address should be (Cisco ASA with `names`).
    HostName,
    /// A journal's or kernel's note that it dropped lines (`Suppressed N
    /// messages`, `N callbacks suppressed`): the count is added to
    /// [`Context::lost`].
    Suppressed,
}

impl Skip {
    pub fn reason(self) -> &'static str {
        match self {
            Skip::Empty => "empty or comment",
            Skip::TooLong => "line too long",
            Skip::Foreign => "not a line of this format",
            Skip::Unsupported => "message without traffic",
            Skip::BadTime => "unreadable time",
            Skip::Malformed => "malformed fields",
            Skip::HostName => "host name in place of an address",
            Skip::Suppressed => "note of suppressed lines",
        }
    }
}

/// Lines longer than this are skipped unread.
pub const MAX_LINE: usize = 64 * 1024;

/// What parsing one file carries from line to line.
#[derive(Clone, Debug)]
pub struct Context {
    /// The year of RFC 3164 lines, which write none.
    pub year: YearGuess,
    /// Lines the source says it dropped (journald rate limiting, kernel
    /// `callbacks suppressed`): lost, not silence.
    pub lost: u64,
    /// The column names of the file's header line (Zeek `#fields`, a CSV
    /// header), once read.
    pub header: Vec<String>,
    /// The column mapping of [`Format::Csv`].
    pub columns: Option<columns::Columns>,
    /// Leave out the text the analysis does not read (interfaces, rule
    /// text) where a parser can save work by it: the hot formats check it.
    pub lean: bool,
    /// What a Zeek TSV header said (separators, where each field is).
    pub(crate) zeek: zeek::Layout,
    /// The last log prefix netfilter read and the action it names (the
    /// prefix repeats from line to line).
    pub(crate) last_prefix: (String, Option<Action>),
}

impl Context {
    /// A context for a file last modified at `reference` (Unix seconds):
    /// no line of it is later than that.
    pub fn new(reference: i64) -> Self {
        Context {
            year: YearGuess::new(reference),
            lost: 0,
            header: Vec::new(),
            columns: None,
            lean: false,
            zeek: zeek::Layout::default(),
            last_prefix: (String::new(), None),
        }
    }

    /// A context for the file at `path`, from its modification time.
    pub fn for_file(path: &std::path::Path) -> Result<Self, Error> {
        let name = path.display().to_string();
        let meta = std::fs::metadata(path)
            .map_err(|e| InputError::file(&name, crate::error::describe_io(&e)))?;
        let mtime = meta
            .modified()
            .map_err(|e| InputError::file(&name, crate::error::describe_io(&e)))?;
        let secs = mtime
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        Ok(Context::new(secs))
    }
}

/// What stops reading a log file.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The file cannot be read (`FILE: reason`).
    #[error(transparent)]
    Input(#[from] InputError),
}

/// The format of a file from its first lines: the format most lines look
/// like, `None` when none does.
pub fn detect(first_lines: &[&[u8]]) -> Option<Format> {
    let mut votes = [0usize; Format::ALL.len()];
    for line in first_lines {
        if line.len() > MAX_LINE {
            continue;
        }
        let text = String::from_utf8_lossy(line);
        if let Some(i) = Format::ALL.iter().position(|f| f.looks_like(&text)) {
            votes[i] += 1;
        }
    }
    let best = votes.iter().copied().max().unwrap_or(0);
    (best > 0).then(|| Format::ALL[votes.iter().position(|v| *v == best).unwrap_or(0)])
}

/// Reads one line (without its line end) of a file in `format`.
pub fn parse_line(format: Format, line: &[u8], cx: &mut Context) -> Result<Option<Event>, Skip> {
    if line.len() > MAX_LINE {
        return Err(Skip::TooLong);
    }
    // Valid UTF-8 is the rule: checked first, the lossy copy only for the
    // exception.
    match std::str::from_utf8(line) {
        Ok(t) => parse_text(format, t, cx),
        Err(_) => parse_text(format, &String::from_utf8_lossy(line), cx),
    }
}

/// [`parse_line`] for a line already known to be UTF-8 (and no longer than
/// [`MAX_LINE`]), e.g. from a block checked whole.
pub fn parse_text(format: Format, text: &str, cx: &mut Context) -> Result<Option<Event>, Skip> {
    if text.len() > MAX_LINE {
        return Err(Skip::TooLong);
    }
    let text = text.trim_end_matches(['\r', '\n']);
    if text.trim_ascii().is_empty() || (text.starts_with('#') && !format.reads_comments()) {
        return Err(Skip::Empty);
    }
    match format {
        Format::Netfilter | Format::Nftables => netfilter::parse(text, cx),
        Format::Ulogd => ulogd::parse(text, cx),
        Format::Pf => pf::parse(text, cx),
        Format::Filterlog => filterlog::parse(text, cx),
        Format::Asa => asa::parse(text, cx),
        Format::Panos => panos::parse(text, cx),
        Format::Fortinet => fortinet::parse(text, cx),
        Format::Mikrotik => mikrotik::parse(text, cx),
        Format::Cef => cef::parse(text, cx),
        Format::Zeek => zeek::parse(text, cx),
        Format::Suricata => suricata::parse(text, cx),
        Format::Bind => bind::parse(text, cx),
        Format::Unbound => unbound::parse(text, cx),
        Format::Csv => columns::parse(text, cx),
    }
}

/// A port number, strictly.
fn port(s: &str) -> Option<u16> {
    if s.is_empty() || s.len() > 5 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// An address, strictly (IPv6 zone indexes refused).
fn addr(s: &str) -> Option<IpAddr> {
    // IPv4 by the set layer's strict reader (several times faster than
    // std's generic one, and as strict: four octets, no leading zeros).
    match crate::net::parse_v4_strict(s.as_bytes()) {
        Ok(a) => Some(IpAddr::V4(a.into())),
        Err(_) => s.parse::<std::net::Ipv6Addr>().ok().map(IpAddr::V6),
    }
}

fn some_text(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for f in Format::ALL {
            assert_eq!(Format::from_name(f.name()), Some(f));
        }
        assert_eq!(Format::from_name("pflog"), None);
    }

    #[test]
    fn detect_votes_and_ignores_noise() {
        let lines: Vec<&[u8]> = vec![
            b"Dec  7 12:00:01 gw kernel: [UFW BLOCK] IN=eth0 OUT= SRC=192.0.2.1 DST=10.0.0.1 PROTO=TCP SPT=1 DPT=2",
            b"Dec  7 12:00:01 gw sshd[1]: Accepted publickey",
        ];
        assert_eq!(detect(&lines), Some(Format::Netfilter));
        assert_eq!(detect(&[b"hello".as_slice()]), None);
        assert_eq!(detect(&[]), None);
    }

    #[test]
    fn blank_and_long_lines_are_skips() {
        let mut cx = Context::new(0);
        assert_eq!(parse_line(Format::Asa, b"  ", &mut cx), Err(Skip::Empty));
        let long = vec![b'a'; MAX_LINE + 1];
        assert_eq!(
            parse_line(Format::Netfilter, &long, &mut cx),
            Err(Skip::TooLong)
        );
    }
}
