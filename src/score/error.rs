//! The score layer's error: what stops a stage of `score` (a refused row
//! is not an error but a count in the report, unless the plan is strict).

use crate::artifact::ArtifactError;
use crate::error::InputError;

/// Why a score stage stopped.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An input that cannot be read or is refused: `FILE:LINE: reason`.
    #[error(transparent)]
    Input(#[from] InputError),
    /// A state file that is not a usable scoring state (foreign, of another
    /// version or model, truncated, corrupt).
    #[error("{file}: not a usable scoring state: {reason}")]
    State {
        file: String,
        #[source]
        reason: ArtifactError,
    },
    /// The feed configuration could not be read; the error names it.
    #[error(transparent)]
    Feeds(#[from] crate::feed::Error),
    /// A plan that cannot be carried out: the caller's mistake (bad
    /// thresholds, stdin read twice, a time before the state's).
    #[error("{0}")]
    Plan(String),
    /// Writing the output failed (a closed pipe among others).
    #[error("write error: {}", crate::error::describe_io(.0))]
    Write(#[source] std::io::Error),
}
