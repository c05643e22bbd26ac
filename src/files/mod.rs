//! Files in and out, for every layer: opening inputs (`-` is stdin, gzip
//! read transparently) and reading lines ([`input`]), replacing a file
//! atomically ([`output`], [`write_atomic`]), reading a TOML file with
//! errors that name its line ([`read_toml`]), and exclusive run locks
//! ([`lock`]).

pub mod input;
pub mod output;

pub use input::{open, Input, Lines};
pub use output::Output;

use crate::error::InputError;
use std::fs::File;
use std::io::{self, Write};
use std::path::Path;

/// `p` without `.` and with each `dir/..` taken out, by its text alone
/// (the file system is not asked: `p` may not exist yet). A relative path
/// stays relative; `..` that climbs out of it is kept.
pub fn clean_path(p: &Path) -> std::path::PathBuf {
    use std::path::Component;
    let mut out: Vec<Component> = Vec::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match out.last() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir) => {}
                _ => out.push(c),
            },
            c => out.push(c),
        }
    }
    if out.is_empty() {
        return ".".into();
    }
    out.iter().collect()
}

/// An exclusive lock on a file (`flock`), released when dropped or when the
/// process dies, so a crashed run never leaves a stale lock behind.
#[derive(Debug)]
pub struct Lock(#[allow(dead_code)] File);

/// Takes the exclusive lock on `path` (created if missing) without waiting:
/// `Ok(None)` when another process holds it.
pub fn lock(path: &Path) -> io::Result<Option<Lock>> {
    use std::os::unix::io::AsRawFd;
    let f = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)?;
    // SAFETY: flock on a descriptor this function owns.
    let r = unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
    if r == 0 {
        return Ok(Some(Lock(f)));
    }
    let e = io::Error::last_os_error();
    if e.raw_os_error() == Some(libc::EWOULDBLOCK) {
        Ok(None)
    } else {
        Err(e)
    }
}

/// Replaces `path` atomically (temporary file in the same directory, fsync,
/// rename, directory fsync) with the concatenated parts. The error does not
/// name `path` (the caller does); the temporary file is removed.
pub fn write_atomic(path: &Path, parts: &[&[u8]]) -> io::Result<()> {
    let write = || {
        let mut out = Output::file(path)?;
        for p in parts {
            out.write_all(p)?;
        }
        out.finish()
    };
    write().map_err(output::unnamed)
}

/// Reads a whole text file; the error names it.
pub fn read_text(path: &str) -> Result<String, InputError> {
    std::fs::read_to_string(path).map_err(|e| InputError::io(path, &e))
}

/// The 1-based line of byte `offset` in `text`.
pub fn line_of(text: &str, offset: usize) -> u64 {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count() as u64
        + 1
}

/// Parses TOML text into `T` (whose serde definition rejects unknown keys);
/// errors read `FILE:LINE: reason`.
pub fn parse_toml<T: serde::de::DeserializeOwned>(text: &str, path: &str) -> Result<T, InputError> {
    toml::from_str(text).map_err(|e: toml::de::Error| {
        let line = e.span().map_or(1, |s| line_of(text, s.start));
        InputError::line(path, line, e.message())
    })
}

/// Reads and parses a TOML file: the text (for later messages that point at
/// spans) and the value.
pub fn read_toml<T: serde::de::DeserializeOwned>(path: &str) -> Result<(String, T), InputError> {
    let text = read_text(path)?;
    let value = parse_toml(&text, path)?;
    Ok((text, value))
}
