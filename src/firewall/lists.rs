//! The three lists a firewall enforces: block inbound traffic from
//! `block_in`, block outbound traffic to `block_out`, and never block
//! `allow`. Read from a directory (a compiled profile's version, or what
//! `tl-fw pull` wrote: the same file names) or from files, and checked
//! before anything is rendered: a list that blocks a whole family or the
//! firewall's own nameserver is refused.

use super::Error;
use crate::error::InputError;
use crate::net::Entry;
use crate::profile::layout;
use crate::set::{IpSet, Loader, SetBuilder};
use std::path::Path;

/// The lists of one firewall.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Lists {
    pub block_in: IpSet,
    pub block_out: IpSet,
    pub allow: IpSet,
}

/// The lists a profile has, in the order they are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum List {
    BlockIn,
    BlockOut,
    Allow,
}

impl List {
    pub const ALL: [List; 3] = [List::BlockIn, List::BlockOut, List::Allow];

    /// As the zone names it (`block-in`).
    pub fn name(self) -> &'static str {
        match self {
            List::BlockIn => "block-in",
            List::BlockOut => "block-out",
            List::Allow => "allow",
        }
    }

    /// The file it is written to.
    pub fn file(self) -> &'static str {
        match self {
            List::BlockIn => layout::BLOCK_IN,
            List::BlockOut => layout::BLOCK_OUT,
            List::Allow => layout::ALLOW,
        }
    }

    pub fn parse(s: &str) -> Option<List> {
        List::ALL.into_iter().find(|l| l.name() == s)
    }
}

impl List {
    /// The lists in the order rules use them: the allow-list first.
    pub const RULE_ORDER: [List; 3] = [List::Allow, List::BlockIn, List::BlockOut];
}

impl Lists {
    /// Reads `block-in.txt`, `block-out.txt` and `allow.txt` from `dir`; a
    /// missing file is an empty list, but at least one must be there.
    pub fn read_dir(dir: &Path) -> Result<Lists, Error> {
        let file = |list: List| dir.join(list.file());
        let present: Vec<List> = List::ALL
            .into_iter()
            .filter(|&l| file(l).is_file())
            .collect();
        if present.is_empty() {
            return Err(InputError::file(
                dir.display().to_string(),
                format!("no lists here ({})", layout::list_files_text()),
            )
            .into());
        }
        let read = |list: List| -> Result<IpSet, Error> {
            match present.contains(&list) {
                true => read_list(&file(list).to_string_lossy()),
                false => Ok(IpSet::default()),
            }
        };
        Ok(Lists {
            block_in: read(List::BlockIn)?,
            block_out: read(List::BlockOut)?,
            allow: read(List::Allow)?,
        })
    }

    /// One of the lists.
    pub fn get(&self, list: List) -> &IpSet {
        match list {
            List::Allow => &self.allow,
            List::BlockIn => &self.block_in,
            List::BlockOut => &self.block_out,
        }
    }

    /// One of the lists, to fill in.
    pub fn get_mut(&mut self, list: List) -> &mut IpSet {
        match list {
            List::Allow => &mut self.allow,
            List::BlockIn => &mut self.block_in,
            List::BlockOut => &mut self.block_out,
        }
    }

    /// The block lists with the allow-list taken out: an allow entry always
    /// wins, also on devices that have no rule order (external lists).
    pub fn without_allowed(&self) -> Lists {
        Lists {
            block_in: self.block_in.difference(&self.allow),
            block_out: self.block_out.difference(&self.allow),
            allow: self.allow.clone(),
        }
    }

    /// Refuses lists that would take a network down: a block list holding
    /// all of IPv4 or IPv6, or one of `nameservers` (the resolvers the
    /// firewall itself needs to pull its lists).
    pub fn check(&self, nameservers: &[Entry]) -> Result<(), Error> {
        for list in [List::BlockIn, List::BlockOut] {
            let set = self.get(list);
            if let Some(family) = set.whole_family() {
                return Err(Error::WholeFamily {
                    list: list.name().to_string(),
                    family,
                });
            }
            let blocked = nameservers.iter().find(|ns| {
                !set.difference(&self.allow)
                    .intersection(&one(ns))
                    .is_empty()
            });
            if let Some(ns) = blocked {
                return Err(Error::Nameserver {
                    list: list.name().to_string(),
                    addr: super::render::quote::entry(ns),
                });
            }
        }
        Ok(())
    }
}

fn one(e: &Entry) -> IpSet {
    IpSet::from_entries([*e])
}

/// Reads one plain list (`-` is stdin); the first bad line is an error.
pub fn read_list(path: &str) -> Result<IpSet, Error> {
    let inp = crate::files::open(path).map_err(|e| InputError::io(path, &e))?;
    Ok(read_set(&inp.name, inp.reader)?)
}

/// Reads one plain list from `reader`, which messages call `name` (a
/// file, `stdin`, a URL); the first bad line is an error.
pub fn read_set(name: &str, reader: impl std::io::Read) -> Result<IpSet, InputError> {
    let mut b = SetBuilder::default();
    let loader = Loader {
        lenient: false,
        csv_header: None,
    };
    match loader.load(reader, &mut b) {
        Err(e) => Err(InputError::io(name, &e)),
        Ok(Err(line)) => Err(line.in_file(name)),
        Ok(Ok(_)) => Ok(b.build()),
    }
}
