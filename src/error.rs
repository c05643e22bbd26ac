//! The error vocabulary every layer shares: where an error about input
//! points ([`InputError`]: file, line, reason, text), a refused line
//! ([`LineError`]), how untrusted text is quoted in a message ([`quote`]),
//! and what a stage's run came to ([`Verdict`]).
//!
//! Each layer has its own error type built from these; only `cli` turns
//! errors and verdicts into messages on stderr and exit statuses.

use std::fmt;
use std::io;

/// A refused line of input: where, why, and what it said. The file is added
/// by whoever knows it ([`LineError::in_file`]).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct LineError {
    pub line: u64,
    pub reason: String,
    #[serde(serialize_with = "lossy")]
    pub text: Vec<u8>,
}

fn lossy<S: serde::Serializer>(text: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&String::from_utf8_lossy(text))
}

impl LineError {
    pub fn new(line: u64, reason: impl Into<String>, text: impl Into<Vec<u8>>) -> Self {
        LineError {
            line,
            reason: reason.into(),
            text: text.into(),
        }
    }

    /// The same error, naming its file; `: 'text'` only when the line's
    /// text was kept (record readers put the offending field in the reason).
    pub fn in_file(&self, file: &str) -> InputError {
        InputError {
            file: file.to_string(),
            line: Some(self.line),
            reason: self.reason.clone(),
            text: (!self.text.is_empty()).then(|| self.text.clone()),
        }
    }
}

/// An error about input: `FILE:LINE: reason: 'text'`, or `FILE: reason`
/// when no line is to blame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputError {
    /// A path, a URL, `stdin`, or a name the user gave the input.
    pub file: String,
    pub line: Option<u64>,
    pub reason: String,
    /// The offending text, quoted when shown.
    pub text: Option<Vec<u8>>,
}

impl InputError {
    /// `FILE: reason`.
    pub fn file(file: impl Into<String>, reason: impl Into<String>) -> Self {
        InputError {
            file: file.into(),
            line: None,
            reason: reason.into(),
            text: None,
        }
    }

    /// `FILE:LINE: reason`.
    pub fn line(file: impl Into<String>, line: u64, reason: impl Into<String>) -> Self {
        InputError {
            line: Some(line),
            ..InputError::file(file, reason)
        }
    }

    /// `FILE:LINE: reason: 'text'`.
    pub fn text(
        file: impl Into<String>,
        line: u64,
        reason: impl Into<String>,
        text: impl Into<Vec<u8>>,
    ) -> Self {
        InputError {
            text: Some(text.into()),
            ..InputError::line(file, line, reason)
        }
    }

    /// `FILE: reason` for a file that could not be read or written.
    pub fn io(file: impl Into<String>, e: &io::Error) -> Self {
        InputError::file(file, describe_io(e))
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        write!(f, ": {}", self.reason)?;
        if let Some(text) = &self.text {
            write!(f, ": {}", quote(text))?;
        }
        Ok(())
    }
}

impl std::error::Error for InputError {}

/// What a stage's run came to, apart from errors. `cli` maps it to the exit
/// status, the same for every tool: 0, 1, 2.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Everything asked for was done.
    Done,
    /// A documented "no": a predicate answered false, a guard held a list
    /// back, a feed is stale under `--fail-on-stale`.
    No,
    /// Some of the work failed; the report says which, the rest was done.
    Failed,
}

/// An I/O error without Rust's "(os error N)" suffix.
pub fn describe_io(e: &io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// Quotes untrusted text for a message: at most 60 characters, control and
/// non-UTF-8 bytes escaped, so no input can forge terminal output.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(quote(b"1.2.3"), "'1.2.3'");
        assert_eq!(quote(b"a\x1b[31m\xff"), "'a\\u{1b}[31m\\u{fffd}'");
        assert_eq!(quote(&[b'x'; 100]).len(), 2 + 60 + 3);
    }

    #[test]
    fn input_errors_read_file_line_reason_text() {
        assert_eq!(
            InputError::file("a.txt", "empty").to_string(),
            "a.txt: empty"
        );
        assert_eq!(
            InputError::text("a.txt", 3, "bad prefix", b"1.2.3.4/33".to_vec()).to_string(),
            "a.txt:3: bad prefix: '1.2.3.4/33'"
        );
        assert_eq!(
            LineError::new(7, "x", b"y".to_vec())
                .in_file("-")
                .to_string(),
            "-:7: x: 'y'"
        );
    }
}
