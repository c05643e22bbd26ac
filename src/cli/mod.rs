//! What every binary shares: error messages and exit codes, broken-pipe
//! handling, progress bars. Only this module and `cmd` print or exit.
//!
//! Exit status, for every tool: 0 success; 1 only for documented predicate
//! answers (e.g. "the sets differ"); 2 for every error.

pub mod progress;

pub use crate::error::{describe_io, quote, Verdict};
use crate::error::{InputError, LineError};
use std::fmt;
use std::io;
use std::process::ExitCode;

/// The exit statuses, for every tool.
pub const EXIT_OK: u8 = 0;
pub const EXIT_NO: u8 = 1;
pub const EXIT_ERROR: u8 = 2;

/// The one mapping from a stage's verdict to an exit status.
pub fn exit_status(v: Verdict) -> u8 {
    match v {
        Verdict::Done => EXIT_OK,
        Verdict::No => EXIT_NO,
        Verdict::Failed => EXIT_ERROR,
    }
}

/// Why a tool stops early: any layer's error (`?` converts it), shown as
/// `tool: message`, exit status 2; a broken pipe on output is a quiet
/// success.
#[derive(Debug)]
pub struct Failure(Box<dyn std::error::Error + Send + Sync>);

impl Failure {
    /// A message of the command-line layer itself (usage beyond clap's).
    pub fn msg(m: impl Into<String>) -> Self {
        Failure(m.into().into())
    }

    /// `FILE:LINE: reason: 'text'`.
    pub fn at_line(file: &str, e: &LineError) -> Self {
        e.in_file(file).into()
    }

    /// `FILE: reason` for a file that could not be read or written.
    pub fn io_at(file: &str, e: &io::Error) -> Self {
        InputError::io(file, e).into()
    }
}

impl<E: std::error::Error + Send + Sync + 'static> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure(Box::new(e))
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.downcast_ref::<io::Error>() {
            // A bare I/O error reaching here is one of writing the output.
            Some(e) => write!(f, "write error: {}", describe_io(e)),
            None => self.0.fmt(f),
        }
    }
}

/// Runs a tool's body and maps its outcome to an exit status, the same for
/// every tool: errors are printed as `tool: message` (exit 2), a broken
/// pipe on output is success.
pub fn run(tool: &str, body: impl FnOnce() -> Result<Verdict, Failure>) -> ExitCode {
    match body() {
        Ok(v) => ExitCode::from(exit_status(v)),
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{tool}: {e}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

fn is_broken_pipe(e: &Failure) -> bool {
    // A layer may wrap the write error; look along the chain of sources.
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(&*e.0);
    while let Some(c) = cause {
        if c.downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
        {
            return true;
        }
        cause = c.source();
    }
    false
}

/// `--now TIME` (RFC 3339, a date, Unix seconds), when given.
pub fn now_arg(now: Option<&str>) -> Result<Option<i64>, Failure> {
    now.map(crate::time::parse_arg)
        .transpose()
        .map_err(|e| Failure::msg(format!("--now: {e}")))
}

/// Parses the command line through the tool's whole clap definition (so
/// `--help` shows its extra sections); a usage error exits as clap does.
pub fn parse<T: clap::FromArgMatches>(command: clap::Command) -> T {
    parse_from(command, std::env::args_os())
}

/// [`parse`] over given arguments (the first is the program name).
pub fn parse_from<T: clap::FromArgMatches>(
    command: clap::Command,
    args: impl IntoIterator<Item = impl Into<std::ffi::OsString> + Clone>,
) -> T {
    let matches = command.get_matches_from(args);
    T::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_closed_pipe_is_found_in_any_layer_error() {
        let pipe = || io::Error::from(io::ErrorKind::BrokenPipe);
        assert!(is_broken_pipe(&Failure::from(pipe())));
        assert!(is_broken_pipe(&Failure::from(crate::score::Error::Write(
            pipe()
        ))));
        assert!(is_broken_pipe(&Failure::from(crate::geo::Error::Output(
            pipe()
        ))));
        let full = io::Error::from_raw_os_error(libc::ENOSPC);
        assert!(!is_broken_pipe(&Failure::from(crate::feed::Error::Write(
            full
        ))));
        assert!(!is_broken_pipe(&Failure::msg("pipe")));
    }
}
