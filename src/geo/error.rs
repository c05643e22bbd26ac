//! The one error type of the geo layer: databases that cannot be used, bad
//! input (CSV rows, lines, columns), builds that cannot be written, plans
//! that select nothing or name unknown codes, and a cache or output that
//! cannot be written.

use super::{codes, Need};
use crate::artifact::FileError;
use crate::error::{quote, InputError};
use std::fmt;

/// Where a row of build input is: `FILE:LINE`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Place {
    pub file: String,
    pub line: u64,
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// Why a geo stage or a database operation failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A database that cannot be used: missing, truncated, corrupt, of
    /// another format, or without the data needed.
    #[error("{file}: {reason}")]
    Database { file: String, reason: String },
    /// Bad input: an unreadable file, a refused CSV row or line, a missing
    /// or clashing column.
    #[error(transparent)]
    Input(#[from] InputError),
    /// Two networks of a build overlap (`row` comes later in the input).
    #[error("{row}: network overlaps the one at {earlier}")]
    Overlap { row: Place, earlier: Place },
    /// An IPv6 network of a build lies where the IPv4 space is mapped.
    #[error(
        "{row}: IPv6 network overlaps ::/96 or ::ffff:0:0/96, where IPv4 lives; write IPv4 addresses"
    )]
    ReservedSpace { row: Place },
    /// The build does not fit the format's 32-bit pointers.
    #[error("too much data for a MaxMind DB file")]
    TooLarge,
    /// The build's inputs hold no network.
    #[error("no networks in the input")]
    NoNetworks,
    /// A cached range table that could not be written.
    #[error(transparent)]
    Cache(#[from] FileError),
    /// A country or continent code that does not exist (the message lists
    /// close matches).
    #[error("{}", codes::unknown(text, *continent))]
    UnknownCode { text: String, continent: bool },
    /// Text that is not an AS number.
    #[error("not an AS number: {}", quote(text.as_bytes()))]
    NotAnAsn { text: String },
    /// An address to look up that is not one address.
    #[error("{reason}: {}", quote(text))]
    BadAddress { reason: String, text: Vec<u8> },
    /// An extraction that selects nothing.
    #[error("nothing to extract: give country codes, --continent, --asn or a flag")]
    NothingToExtract,
    /// An extraction without the database its selection needs.
    #[error("{}", needs(*.0))]
    NeedsDatabase(Need),
    /// A look-up without any database.
    #[error("no database: give --db FILE.mmdb and/or --asn-db FILE.mmdb")]
    NoDatabase,
    /// Writing the data to the caller's output failed (a closed pipe among
    /// others: `cli` finds it in the source and exits quietly).
    #[error("write error: {}", crate::error::describe_io(.0))]
    Output(#[source] std::io::Error),
}

fn needs(need: Need) -> &'static str {
    match need {
        Need::Country => "extracting countries or continents needs --db FILE.mmdb",
        Need::Asn => "extracting ASNs needs --asn-db FILE.mmdb",
    }
}

impl Error {
    /// A database that cannot be used, and why.
    pub fn database(file: impl Into<String>, reason: impl Into<String>) -> Error {
        Error::Database {
            file: file.into(),
            reason: reason.into(),
        }
    }
}
