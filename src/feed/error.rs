//! The feed layer's one error type: what stops a feed (or the whole ingest
//! run), built on the shared [`InputError`] for everything about input.

use crate::error::{describe_io, quote, InputError};
use std::io;

/// Why a feed, the feed configuration or the ingest run failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad input: a feed (`FILE:LINE: reason: 'text'`, or `FILE: reason`
    /// when it is unreadable, binary, an HTML page), or the configuration.
    #[error(transparent)]
    Input(#[from] InputError),
    /// Not a feed at all: binary data, or an HTML page (an error or login
    /// page served in place of the list).
    #[error("{file}: {why}")]
    NotAFeed { file: String, why: super::NotAFeed },
    /// A feed URL could not be fetched: network error, HTTP status, size
    /// cap, timeouts after the retries.
    #[error("{url}: {reason}")]
    Fetch { url: String, reason: String },
    /// A fetched feed failed (`cause`) and its last good copy, stored at
    /// `good` (Unix seconds), is older than the feed's `max_age`.
    #[error(
        "{cause}; the last good copy ({}) is older than the maximum age",
        crate::time::format(*.good)
    )]
    TooOld { cause: Box<Error>, good: i64 },
    /// The cache directory could not take a new good copy.
    #[error("{url}: cache: {reason}")]
    Cache { url: String, reason: String },
    /// A name given for the inputs (feed name, category) is not one.
    #[error("{option}: use letters, digits, '.', '_' or '-': {}", quote(.value.as_bytes()))]
    BadName { option: String, value: String },
    /// A confidence given for the inputs is outside 0..1.
    #[error("{option} must be between 0 and 1")]
    BadConfidence { option: String },
    /// An output file or directory could not be created.
    #[error("{path}: {}", describe_io(.source))]
    Create { path: String, source: io::Error },
    /// Writing the rows failed (a full disk, a closed pipe).
    #[error("write error: {}", describe_io(.0))]
    Write(#[source] io::Error),
}

impl Error {
    /// `FILE: reason` about a feed.
    pub(crate) fn input(file: &str, reason: impl Into<String>) -> Self {
        Error::Input(InputError::file(file, reason))
    }
}
