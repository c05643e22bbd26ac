//! The profile layer's errors: bad input (a profile, the scores, a list or
//! group file, a compiled profile's files: file, line, reason), a database
//! that cannot be used, and what stops publication into the output
//! directory. A guard holding a list back is not an error: it is an outcome
//! in the [`super::CompileReport`].

use crate::error::{describe_io, InputError};
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Input(#[from] InputError),
    /// A country or ASN database that cannot be used.
    #[error(transparent)]
    Database(#[from] crate::geo::Error),
    /// A compiled file (`compiled.tlc`, `basis.tlb`) that could not be
    /// read, or that the artifact layer refused; the error names the file.
    #[error(transparent)]
    Artifact(#[from] crate::artifact::FileError),
    /// Reading or writing the output directory failed.
    #[error("{}: {}", .path.display(), describe_io(.source))]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("two profiles are named '{0}'")]
    DuplicateName(String),
    #[error("{}: another run is publishing into this directory", .0.display())]
    Locked(PathBuf),
    #[error("{}: not a link tl-compile made; move it away to publish here", .0.display())]
    NotOurLink(PathBuf),
}

impl Error {
    /// An I/O error on a path of the output directory.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}
