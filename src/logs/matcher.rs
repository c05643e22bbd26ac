//! What an event is matched against: the lists of a profile as they were
//! in force at the event's time (every version of its published history),
//! or plain lists; and which networks are inside.

use crate::error::InputError;
use crate::firewall::lists::read_list;
use crate::net::Entry;
use crate::profile::explain::Explained;
use crate::profile::layout::{self, OutDir};
use crate::profile::publish::{history, read_version};
use crate::profile::query::Opener;
use crate::set::{IndexedSet, IpSet};
use std::collections::HashSet;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The list an address or name was found on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Listed {
    BlockIn,
    BlockOut,
    Domains,
}

impl Listed {
    pub fn name(self) -> &'static str {
        match self {
            Listed::BlockIn => "block-in",
            Listed::BlockOut => "block-out",
            Listed::Domains => "domains",
        }
    }
}

/// What a version says of an address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lookup {
    Listed(Listed),
    /// On a block list and on the allow list: never a hit.
    Allowed,
    No,
}

/// One version of the lists.
#[derive(Debug, Default)]
pub struct Version {
    /// Unix seconds it was published (0 for plain lists).
    pub time: i64,
    /// Its directory, for the provenance of what it lists.
    pub dir: Option<PathBuf>,
    pub block_in: Arc<IndexedSet>,
    pub block_out: Arc<IndexedSet>,
    /// Whether the two block lists are the same set (asked once).
    same: bool,
    pub allow: IndexedSet,
    domains: HashSet<String>,
    allow_domains: HashSet<String>,
}

/// Where the lists come from.
#[derive(Clone, Debug)]
pub enum ListSource {
    /// A profile's published directory (`OUT/NAME`, as `tl-compile` writes
    /// it): every version of its history.
    Profile(PathBuf),
    /// Plain lists: addresses blocked both ways, allowed, and blocked names
    /// (one per line), each optional.
    Plain {
        block: Vec<PathBuf>,
        allow: Vec<PathBuf>,
        domains: Vec<PathBuf>,
    },
}

/// The lists and the inside networks.
#[derive(Debug)]
pub struct Matcher {
    /// Oldest first; never empty.
    pub versions: Vec<Version>,
    /// The inside networks; empty when unknown.
    pub inside: IndexedSet,
}

impl Matcher {
    /// Loads the lists; `inside` (from `--inside`) wins over the profile's
    /// own networks.
    pub fn load(source: &ListSource, inside: Option<IpSet>) -> Result<Matcher, InputError> {
        let (versions, own) = match source {
            ListSource::Profile(dir) => profile_versions(dir)?,
            ListSource::Plain {
                block,
                allow,
                domains,
            } => (
                vec![plain_version(block, allow, domains)?],
                IpSet::default(),
            ),
        };
        Ok(Matcher {
            versions,
            inside: IndexedSet::new(&inside.unwrap_or(own)),
        })
    }

    /// The version in force at `time`: the last published at or before it;
    /// the first for earlier times; the newest when the time is unknown.
    pub fn at(&self, time: Option<i64>) -> usize {
        let last = self.versions.len() - 1;
        match time {
            None => last,
            Some(t) => self
                .versions
                .partition_point(|v| v.time <= t)
                .saturating_sub(1)
                .min(last),
        }
    }

    pub fn is_inside(&self, a: IpAddr) -> bool {
        self.inside.contains(a)
    }
}

impl Version {
    /// Plain lists: `block` both ways, `allow`, and blocked names.
    pub fn plain(block: IpSet, allow: IpSet, domains: impl IntoIterator<Item = String>) -> Version {
        let block = Arc::new(IndexedSet::new(&block));
        Version {
            block_in: block.clone(),
            block_out: block,
            same: true,
            allow: IndexedSet::new(&allow),
            domains: domains.into_iter().collect(),
            ..Version::default()
        }
    }

    /// The block list holding `a` for traffic from it (`inbound`) or to it
    /// (the other block list when only that one holds it), or that it is
    /// listed but allowed.
    pub fn lookup(&self, a: IpAddr, inbound: bool) -> Lookup {
        let (first, second) = if inbound {
            (
                (&self.block_in, Listed::BlockIn),
                (&self.block_out, Listed::BlockOut),
            )
        } else {
            (
                (&self.block_out, Listed::BlockOut),
                (&self.block_in, Listed::BlockIn),
            )
        };
        // The allow list is asked only about listed addresses: most events
        // are on no list.
        let tried = if self.same { 1 } else { 2 };
        match [first, second]
            .into_iter()
            .take(tried)
            .find(|(set, _)| set.contains(a))
        {
            None => Lookup::No,
            Some(_) if self.allow.contains(a) => Lookup::Allowed,
            Some((_, l)) => Lookup::Listed(l),
        }
    }

    /// The list of [`Version::lookup`], when not allowed.
    pub fn listed(&self, a: IpAddr, inbound: bool) -> Option<Listed> {
        match self.lookup(a, inbound) {
            Lookup::Listed(l) => Some(l),
            _ => None,
        }
    }

    /// Whether `a` is on the allow list.
    pub fn allowed(&self, a: IpAddr) -> bool {
        self.allow.contains(a)
    }

    /// Whether a queried name is on the domain list (the name or a parent
    /// of it), and not allowed.
    pub fn listed_name(&self, name: &str) -> bool {
        !self.domains.is_empty() && under(&self.domains, name) && !under(&self.allow_domains, name)
    }
}

/// Whether `name` or one of its parents is in `set`.
fn under(set: &HashSet<String>, name: &str) -> bool {
    let mut n = name;
    loop {
        if set.contains(n) {
            return true;
        }
        match n.find('.') {
            Some(i) => n = &n[i + 1..],
            None => return false,
        }
    }
}

/// Every version of a profile, oldest first, and its own networks (the
/// allow entries whose reason is `own-network`, in the newest version).
fn profile_versions(dir: &Path) -> Result<(Vec<Version>, IpSet), InputError> {
    let file = dir.display().to_string();
    if !dir.join(layout::COMPILED).exists() {
        let reason = "not a compiled profile (the directory tl-compile --out writes for a profile, e.g. OUT/NAME)";
        return Err(InputError::file(file, reason));
    }
    // OUT/NAME is a link into OUT/.history/NAME: read every version there.
    let mut dirs: Vec<PathBuf> = Vec::new();
    if let (Some(out), Some(name)) = (dir.parent(), dir.file_name()) {
        let name = name.to_string_lossy();
        dirs = history(&OutDir::new(out), &name)
            .into_iter()
            .map(|(p, _)| p)
            .collect();
    }
    if dirs.is_empty() {
        dirs.push(dir.to_path_buf());
    }
    let mut versions = Vec::new();
    for d in &dirs {
        let v = read_version(&d.join(layout::COMPILED))?;
        versions.push(Version {
            time: v.meta.time,
            dir: Some(d.clone()),
            same: v.block_in == v.block_out,
            block_out: Arc::new(IndexedSet::new(&v.block_out)),
            block_in: Arc::new(IndexedSet::new(&v.block_in)),
            allow: IndexedSet::new(&v.allow),
            domains: v.meta.domains.into_iter().collect(),
            allow_domains: v.meta.allow_domains.into_iter().collect(),
        });
    }
    let newest = dirs.last().map_or(dir, |d| d.as_path());
    let explained = Opener::default().open(newest)?;
    Ok((versions, own_networks(&explained)))
}

fn own_networks(e: &Explained) -> IpSet {
    let mut b = crate::set::SetBuilder::default();
    for r in e.own.iter().filter(|r| r.reason == "own-network") {
        if let Some(entry) = r.ip() {
            match entry {
                Entry::V4(x) => b.v4.push(x),
                Entry::V6(x) => b.v6.push(x),
            }
        }
    }
    b.build()
}

fn plain_version(
    block: &[PathBuf],
    allow: &[PathBuf],
    domains: &[PathBuf],
) -> Result<Version, InputError> {
    let union = |paths: &[PathBuf]| -> Result<IpSet, InputError> {
        let mut set = IpSet::default();
        for p in paths {
            let s = read_list(&p.display().to_string()).map_err(|e| match e {
                crate::firewall::Error::Input(i) => i,
                other => InputError::file(p.display().to_string(), other.to_string()),
            })?;
            set = set.union(&s);
        }
        Ok(set)
    };
    let block = union(block)?;
    let mut names = HashSet::new();
    for p in domains {
        let file = p.display().to_string();
        let text = crate::files::read_text(&file)?;
        for (i, line) in text.lines().enumerate() {
            let line = line.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let name = crate::net::domain::canonical(line.as_bytes()).map_err(|e| InputError {
                file: file.clone(),
                line: Some(i as u64 + 1),
                reason: format!("not a domain name: {e}"),
                text: Some(line.as_bytes().to_vec()),
            })?;
            names.insert(name);
        }
    }
    Ok(Version::plain(block, union(allow)?, names))
}
