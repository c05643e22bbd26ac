//! The pull stage: a profile's lists (block-in, block-out, allow) fetched
//! from the nameserver the customer points it at, or read from files and
//! URLs, checked, and written as plain lists into a directory.
//!
//! Over DNS the lists are read in the forms `tl-zone` publishes
//! (`zone::codec`): multi-host A/AAAA, APL or TXT, at `FORMAT.LIST.ZONE`,
//! every chunk up to the count record's K and the name after it absent,
//! over TCP (optionally TSIG-signed), with the zone's SOA serial asked
//! before and after. A serial that changed mid-pull means another try (at
//! most `retries` more); anything truncated, damaged, missing or still
//! changing after the tries is an error, and then no file is touched: the
//! previous lists stay in force.
//!
//! A block list that covers a whole address family, or any protected
//! address (always the nameserver being asked), is refused the same way.
//! Files are replaced atomically, one per list, and only when their text
//! changes: `block-in.txt`, `block-out.txt`, `allow.txt` (the names of a
//! compiled profile, `profile::layout`), one CIDR per line.

pub mod dns;
pub mod key;
pub mod read;

use crate::error::{quote, InputError};
pub use crate::firewall::lists::List;
use crate::net::{Entry, Range};
use crate::profile::layout::Format;
use crate::set::{IpSet, ListPrinter};
use dns::{Resolver, TcpResolver};
pub use key::TsigKey;
use read::Target;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Where the lists come from.
#[derive(Clone, Debug)]
pub enum Source {
    Dns(DnsSource),
    /// Plain lists: a file, `-` (stdin) or an http(s) URL per list.
    Lists(Vec<(List, String)>),
}

/// A nameserver serving a profile's zone.
#[derive(Clone, Debug)]
pub struct DnsSource {
    pub server: SocketAddr,
    /// The profile's zone (`PROFILE.ORIGIN`), without a trailing dot.
    pub zone: String,
    /// The forms to read (A, AAAA, APL, TXT); a list is the union of what
    /// they hold.
    pub formats: Vec<Format>,
    pub lists: Vec<List>,
    pub key: Option<TsigKey>,
    /// For connecting and for each read.
    pub timeout: Duration,
    /// Further tries when the zone's serial changes mid-pull.
    pub retries: u32,
}

#[derive(Clone, Debug)]
pub struct PullPlan {
    pub source: Source,
    /// The directory for the list files (created if missing).
    pub output: PathBuf,
    /// Addresses no block list may cover (the nameserver asked is added).
    pub protect: Vec<IpAddr>,
}

/// One list written (or found unchanged).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pulled {
    pub list: List,
    pub path: PathBuf,
    /// CIDRs in the file.
    pub prefixes: usize,
    /// Whether the file's text changed.
    pub changed: bool,
}

#[derive(Clone, Debug, Default)]
pub struct PullReport {
    /// The zone serial every answer came from (DNS only).
    pub serial: Option<u32>,
    /// Attempts made (DNS only): 1 unless the zone changed mid-pull.
    pub attempts: u32,
    /// DNS queries sent.
    pub queries: u64,
    pub lists: Vec<Pulled>,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A list file or URL that cannot be read, a bad line in it, an output
    /// that cannot be written.
    #[error(transparent)]
    Input(#[from] InputError),
    /// Parts of the plan that do not go together.
    #[error("{0}")]
    Plan(String),
    /// A TSIG key that cannot be used.
    #[error("TSIG key: {0}")]
    Key(String),
    /// The connection, or an answer the server should not have given.
    #[error("{server}: {reason}")]
    Server { server: SocketAddr, reason: String },
    /// A signature missing, wrong, or refused.
    #[error("{server}: TSIG: {reason}")]
    Tsig { server: SocketAddr, reason: String },
    /// An answer that does not fit its question.
    #[error("{name} {rtype}: {reason}")]
    Answer {
        name: String,
        rtype: &'static str,
        reason: String,
    },
    #[error("{zone}: {reason}")]
    Zone { zone: String, reason: String },
    /// No list at the base name.
    #[error("{list}: {name} does not exist (is the list published in the {format} form?)")]
    NotPublished {
        list: &'static str,
        format: &'static str,
        name: String,
    },
    /// A chunk below the count that is not there.
    #[error("{list}: chunk {chunk} of {chunks} is missing ({name})")]
    MissingChunk {
        list: &'static str,
        name: String,
        chunk: usize,
        chunks: usize,
    },
    /// Published data that tl-zone would not have written.
    #[error("{list}: {name}: {reason}")]
    Published {
        list: &'static str,
        name: String,
        reason: String,
    },
    /// The multi-host form leaves out wide prefixes: not the whole list.
    #[error(
        "{list}: {name} leaves out {omitted} prefixes wider than the multi-host form takes; \
         pull the apl or txt form"
    )]
    Omitted {
        list: &'static str,
        name: String,
        omitted: u64,
    },
    /// The zone changed during every try.
    #[error("{zone}: the zone's serial changed during each of {attempts} tries")]
    SerialChanged { zone: String, attempts: u32 },
    /// A block list that must not be enforced (the firewall layer's guard).
    #[error(transparent)]
    Refused(#[from] crate::firewall::Error),
}

/// Runs the pull: fetches, checks, writes.
pub fn pull(plan: &PullPlan) -> Result<PullReport, Error> {
    match &plan.source {
        Source::Dns(d) => {
            let mut r = TcpResolver::new(d.server, d.timeout, d.key.as_ref())?;
            let mut report = pull_with(plan, &mut r)?;
            report.queries = r.queries;
            Ok(report)
        }
        Source::Lists(_) => pull_with(plan, &mut NoResolver),
    }
}

struct NoResolver;

impl Resolver for NoResolver {
    fn ask(&mut self, _: &[dns::Question]) -> Result<Vec<dns::Answer>, Error> {
        Err(Error::Plan("no nameserver to ask".into()))
    }
}

/// [`pull`] through a given resolver (a test's stand-in for a server).
pub fn pull_with(plan: &PullPlan, r: &mut dyn Resolver) -> Result<PullReport, Error> {
    let mut report = PullReport::default();
    let mut protect = plan.protect.clone();
    let lists: Vec<(List, IpSet)> = match &plan.source {
        Source::Dns(d) => {
            protect.push(d.server.ip());
            let (serial, attempts, lists) = fetch(d, r)?;
            report.serial = Some(serial);
            report.attempts = attempts;
            lists
        }
        Source::Lists(files) => {
            let mut seen = Vec::new();
            let mut out = Vec::new();
            for (l, src) in files {
                if seen.contains(l) {
                    return Err(Error::Plan(format!("{} given twice", l.name())));
                }
                seen.push(*l);
                out.push((*l, read_source(src)?));
            }
            out
        }
    };
    check(&lists, &protect)?;
    report.lists = write(&plan.output, &lists)?;
    Ok(report)
}

/// The serial, the attempts it took, and each list.
type Fetched = (u32, u32, Vec<(List, IpSet)>);

fn fetch(d: &DnsSource, r: &mut dyn Resolver) -> Result<Fetched, Error> {
    let zone = crate::zone::name::check_absolute(&d.zone)
        .map_err(|reason| Error::Plan(format!("zone: {reason}: {}", quote(d.zone.as_bytes()))))?;
    if d.formats.is_empty() || d.lists.is_empty() {
        return Err(Error::Plan("nothing to pull: no form or no list".into()));
    }
    let mut targets = Vec::new();
    for &l in &d.lists {
        for &f in &d.formats {
            if !matches!(f, Format::A | Format::Aaaa | Format::Apl | Format::Txt) {
                return Err(Error::Plan(format!(
                    "the {} form holds no whole list to pull (a, aaaa, apl, txt)",
                    f.name()
                )));
            }
            targets.push(Target::new(l, f, &zone));
        }
    }
    let mut attempts = 0;
    loop {
        attempts += 1;
        let a = read::attempt(r, &zone, &targets)?;
        if a.before != a.after {
            if attempts > d.retries {
                return Err(Error::SerialChanged { zone, attempts });
            }
            continue;
        }
        let sets = a.sets?;
        let mut lists: Vec<(List, IpSet)> = Vec::new();
        for (t, s) in targets.iter().zip(sets) {
            match lists.iter_mut().find(|(l, _)| *l == t.list) {
                Some((_, acc)) => *acc = acc.union(&s),
                None => lists.push((t.list, s)),
            }
        }
        return Ok((a.before, attempts, lists));
    }
}

/// Most of a list fetched over HTTP(S), in octets.
const MAX_URL_BODY: u64 = 1 << 30;

fn read_source(src: &str) -> Result<IpSet, Error> {
    use crate::firewall::lists::read_set;
    if src.starts_with("http://") || src.starts_with("https://") {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(120)))
            .user_agent(concat!("threatlist/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        let resp = agent
            .get(src)
            .call()
            .map_err(|e| InputError::file(src, e.to_string()))?;
        let reader = std::io::Read::take(resp.into_body().into_reader(), MAX_URL_BODY);
        return Ok(read_set(src, reader)?);
    }
    let input = crate::files::open(src).map_err(|e| InputError::io(src, &e))?;
    Ok(read_set(&input.name, input.reader)?)
}

/// Refuses block lists that would cut everything off, or the nameserver:
/// the firewall layer's one guard ([`crate::firewall::Lists::check`]).
fn check(lists: &[(List, IpSet)], protect: &[IpAddr]) -> Result<(), Error> {
    let mut all = crate::firewall::Lists::default();
    for (l, set) in lists {
        *all.get_mut(*l) = set.clone();
    }
    let protect: Vec<Entry> = protect
        .iter()
        .map(|a| match a {
            IpAddr::V4(v) => Entry::V4(Range::new(u32::from(*v), u32::from(*v))),
            IpAddr::V6(v) => match v.to_ipv4_mapped() {
                Some(v4) => Entry::V4(Range::new(u32::from(v4), u32::from(v4))),
                None => Entry::V6(Range::new(u128::from(*v), u128::from(*v))),
            },
        })
        .collect();
    Ok(all.check(&protect)?)
}

/// Writes every list (only files whose text changes), after all checks.
fn write(dir: &Path, lists: &[(List, IpSet)]) -> Result<Vec<Pulled>, Error> {
    let dir_name = dir.to_string_lossy().into_owned();
    std::fs::create_dir_all(dir).map_err(|e| InputError::io(&dir_name, &e))?;
    let printer = ListPrinter::default();
    let mut texts = Vec::new();
    for (l, set) in lists {
        let mut text = Vec::new();
        printer
            .print(set, &mut text)
            .map_err(|e| InputError::io(l.file(), &e))?;
        texts.push(text);
    }
    let mut out = Vec::new();
    let mut order: Vec<usize> = (0..lists.len()).collect();
    order.sort_by_key(|&i| lists[i].0);
    for i in order {
        let (l, set) = &lists[i];
        let path = dir.join(l.file());
        let changed = std::fs::read(&path).ok().as_deref() != Some(texts[i].as_slice());
        if changed {
            crate::files::write_atomic(&path, &[&texts[i]])
                .map_err(|e| InputError::io(path.to_string_lossy(), &e))?;
        }
        out.push(Pulled {
            list: *l,
            path,
            prefixes: set.v4.prefix_count() + set.v6.prefix_count(),
            changed,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
