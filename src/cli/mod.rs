//! What every binary shares: opening inputs, writing outputs atomically,
//! error messages and exit codes, broken-pipe handling, progress bars.
//!
//! Exit status, for every tool: 0 success; 1 only for documented predicate
//! answers (e.g. "the sets differ"); 2 for every error.

pub mod input;
pub mod output;
pub mod progress;

use crate::set::LineError;
use std::fmt;
use std::io;
use std::process::ExitCode;

pub const EXIT_OK: u8 = 0;
pub const EXIT_NO: u8 = 1;
pub const EXIT_ERROR: u8 = 2;

/// Why a tool stops early.
#[derive(Debug)]
pub enum Failure {
    /// A message for stderr (the tool's name is added in front); exit 2.
    Message(String),
    /// An I/O error on output; a broken pipe is a quiet success.
    Io(io::Error),
}

impl Failure {
    pub fn msg(m: impl Into<String>) -> Self {
        Failure::Message(m.into())
    }

    /// `FILE:LINE: reason: 'text'`.
    pub fn at_line(file: &str, e: &LineError) -> Self {
        Failure::Message(format!(
            "{}:{}: {}: {}",
            file,
            e.line,
            e.reason,
            quote(&e.text)
        ))
    }

    /// `FILE: reason` for a file that could not be read.
    pub fn io_at(file: &str, e: &io::Error) -> Self {
        Failure::Message(format!("{}: {}", file, describe_io(e)))
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Message(m) => f.write_str(m),
            Failure::Io(e) => write!(f, "write error: {}", describe_io(e)),
        }
    }
}

impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Self {
        Failure::Io(e)
    }
}

/// An I/O error without Rust's "(os error N)" suffix.
pub fn describe_io(e: &io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// Quotes untrusted text for an error message: at most 60 characters,
/// control and non-UTF-8 bytes escaped, so no input can forge terminal output.
pub fn quote(text: &[u8]) -> String {
    const MAX: usize = 60;
    let mut out = String::from("'");
    let lossy = String::from_utf8_lossy(text);
    for (n, c) in lossy.chars().enumerate() {
        if n == MAX {
            out.push_str("...");
            break;
        }
        match c {
            '\'' => out.push_str("\\'"),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() || c == '\u{fffd}' => {
                out.extend(c.escape_default());
            }
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// Runs a tool's body and maps its outcome to an exit status: errors are
/// printed as `tool: message`, a broken pipe on output is success.
pub fn run(tool: &str, body: impl FnOnce() -> Result<u8, Failure>) -> ExitCode {
    match body() {
        Ok(code) => ExitCode::from(code),
        Err(Failure::Io(e)) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{tool}: {e}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(quote(b"1.2.3"), "'1.2.3'");
        assert_eq!(quote(b"a\x1b[31m\xff"), "'a\\u{1b}[31m\\u{fffd}'");
        assert_eq!(quote(&[b'x'; 100]).len(), 2 + 60 + 3);
    }
}
