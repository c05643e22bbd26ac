//! The firewall layer's one error type.

use crate::error::{describe_io, quote, InputError};
use std::io;

/// Why a firewall stage refused or failed. A refusal keeps whatever is in
/// force (files, live sets) as it was.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A list that cannot be read, or a bad line in it.
    #[error(transparent)]
    Input(#[from] InputError),
    /// A list that would block a whole address family.
    #[error(
        "{list}: refused: the list blocks all of {family} (a list must never block the world)"
    )]
    WholeFamily { list: String, family: &'static str },
    /// A list that would block the firewall's own nameserver.
    #[error("{list}: refused: the list blocks the nameserver {addr}")]
    Nameserver { list: String, addr: String },
    /// A name or text given for the rules that the target cannot carry
    /// safely (table or set name, log prefix).
    #[error("{option}: {reason}: {}", quote(.text.as_bytes()))]
    BadText {
        option: &'static str,
        reason: &'static str,
        text: String,
    },
    /// A plan that cannot be carried out (options that do not go together).
    #[error("{0}")]
    Plan(String),
    /// An output could not be written.
    #[error("{path}: {}", describe_io(.source))]
    Write { path: String, source: io::Error },
    /// A firewall tool (nft, ipset, pfctl…) could not be run or failed;
    /// the rules in force were left as they were.
    #[error("{program}: {reason}")]
    Tool { program: String, reason: String },
}
