//! What can stop a zone run: bad input (a list line, a configuration key,
//! a file that cannot be read or replaced), a plan that cannot be carried
//! out, a list too big for its form, a reload command that fails.

use super::dnsbl::TooManyNames;
use super::name::NameError;
use crate::error::{describe_io, quote, InputError};
use std::io;
use std::process::ExitStatus;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A list, provenance file, configuration or zone file: unreadable,
    /// not replaceable, or a bad line or key in it.
    #[error(transparent)]
    Input(#[from] InputError),
    /// Reading a compiled profile's version (its rules and basis).
    #[error(transparent)]
    Profile(#[from] crate::profile::Error),
    /// A name given in the plan (origin, list name) that cannot be one;
    /// `option` is the option that gave it, as `tl-zone` spells it.
    #[error("{option}: {reason}: {}", quote(text.as_bytes()))]
    Name {
        option: &'static str,
        reason: NameError,
        text: String,
    },
    /// Parts of the plan that do not go together, worded in `tl-zone`'s
    /// options.
    #[error("{0}")]
    Plan(String),
    /// A block list that covers a whole address family: never published.
    #[error(
        "{list}: refused: the list blocks all of {family} (a list must never block the world)"
    )]
    WholeFamily { list: String, family: &'static str },
    /// A list whose DNSBL form would exceed `limits.dnsbl_max_names`.
    #[error("{list}: {source}")]
    TooManyNames { list: String, source: TooManyNames },
    /// A name server inside the zone without addresses: BIND refuses such
    /// a zone.
    #[error(
        "zone {zone}: its name server {ns} is inside the zone and has no address: \
         give its addresses in the zone configuration, \
         ns_addresses = {{ \"{ns}.\" = [\"ADDRESS\"] }} (BIND refuses the zone without them)"
    )]
    NoNsAddress { zone: String, ns: String },
    /// A zone file path that cannot be quoted in a server fragment.
    #[error(
        "{}: a zone file path for the server fragments may not hold '\"', '\\' or line breaks",
        quote(path.as_bytes())
    )]
    FragmentPath { path: String },
    #[error("reload command '{program}': {reason}")]
    ReloadStart { program: String, reason: String },
    #[error("reload command for zone {zone} failed ({status})")]
    ReloadFailed { zone: String, status: ExitStatus },
    /// Writing a zone to standard output (a closed pipe is not an error).
    #[error("write error: {}", describe_io(.0))]
    Stdout(#[source] io::Error),
}

impl Error {
    /// `FILE: reason` for a file that could not be read or written.
    pub fn io(file: impl Into<String>, e: &io::Error) -> Self {
        Error::Input(InputError::io(file, e))
    }
}
