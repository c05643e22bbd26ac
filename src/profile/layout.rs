//! The layout of `tl-compile`'s output directory, the one place that names
//! its files: what `tl-compile` writes ([`super::publish`]) and what
//! `tl-query` ([`super::query`]) and `tl-zone` read.
//!
//! ```text
//! OUT/.lock                         held while a run publishes (flock)
//! OUT/.history/P/SERIAL/            one directory per published version
//! OUT/.history/P/.tmp-PID/          a version being written (never in force)
//! OUT/P -> .history/P/SERIAL        symbolic link to the version in force
//! OUT/.P.link-PID                   the next link, before its rename
//! OUT/.basis/TIME-CRC.tlb           a run's shared evidence (basis.rs),
//!                                   hard-linked into each version as
//!                                   basis.tlb
//! ```
//!
//! A version holds the lists (`block-in.txt`, `block-out.txt`,
//! `allow.txt`, `domains.txt`, `allow-domains.txt`), `formats.txt` (the
//! publication formats for `tl-zone`), `provenance.csv`, `compiled.tlc`,
//! `basis.tlb`, `evidence.crc`, `diff.txt` and `summary.txt`. Names
//! starting with '.' are never profiles.

use crate::error::InputError;
use std::path::{Path, PathBuf};

/// The lists of addresses; `LIST.txt` each ([`list_file`]).
pub const BLOCK_IN: &str = "block-in.txt";
pub const BLOCK_OUT: &str = "block-out.txt";
pub const ALLOW: &str = "allow.txt";
/// The lists of domain names.
pub const DOMAINS: &str = "domains.txt";
pub const ALLOW_DOMAINS: &str = "allow-domains.txt";
/// The publication formats `tl-zone` uses for the profile, one a line.
pub const FORMATS: &str = "formats.txt";
/// The profile's own provenance rows: `entry,list,reason,detail`.
pub const PROVENANCE: &str = "provenance.csv";
/// The lists and the profile's decisions (artifact `TLPL`).
pub const COMPILED: &str = "compiled.tlc";
/// The run's evidence (artifact `TLPB`), linked from `OUT/.basis/`.
pub const BASIS: &str = "basis.tlb";
/// The digest of why the entries are listed, without scores
/// ([`super::explain::digest`]), as 8 hex digits: what a run that keeps
/// unchanged versions compares.
pub const EVIDENCE: &str = "evidence.crc";
/// `+LIST ENTRY` / `-LIST ENTRY` against the version before.
pub const DIFF: &str = "diff.txt";
/// The line `tl-compile` prints for the version.
pub const SUMMARY: &str = "summary.txt";

/// What a version keeps once it is no longer in force: what `tl-query
/// --at` answers from.
pub const KEPT: [&str; 3] = [COMPILED, PROVENANCE, BASIS];

/// The files that make a directory a profile for `tl-zone` (any of them).
pub const LIST_FILES: [&str; 4] = [BLOCK_IN, BLOCK_OUT, ALLOW, DOMAINS];

/// The file of a list (`block-in` → `block-in.txt`).
pub fn list_file(list: &str) -> String {
    format!("{list}.txt")
}

/// [`LIST_FILES`] as a reader would name them: `a, b, c or d`.
pub fn list_files_text() -> String {
    let (last, rest) = LIST_FILES.split_last().expect("LIST_FILES is not empty");
    format!("{} or {last}", rest.join(", "))
}

/// Whether a name in `OUT` (or in a profile's history) is one of the
/// compiler's own: the lock, the history, the bases, a link or version
/// being written. Never a profile.
pub fn is_hidden(name: &str) -> bool {
    name.starts_with('.')
}

/// The paths of one output directory.
#[derive(Clone, Debug)]
pub struct OutDir {
    root: PathBuf,
}

impl OutDir {
    pub fn new(root: &Path) -> Self {
        OutDir {
            root: root.to_path_buf(),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The publication lock.
    pub fn lock(&self) -> PathBuf {
        self.root.join(".lock")
    }

    /// The link to a profile's version in force.
    pub fn current(&self, profile: &str) -> PathBuf {
        self.root.join(profile)
    }

    /// A file of a profile's version in force.
    pub fn current_file(&self, profile: &str, file: &str) -> PathBuf {
        self.current(profile).join(file)
    }

    /// The next link of a profile, before its rename over [`Self::current`].
    pub fn next_link(&self, profile: &str) -> PathBuf {
        self.root
            .join(format!(".{profile}.link-{}", std::process::id()))
    }

    /// Whether a name in `OUT` is a next link of `profile` (this process's
    /// or one left by a run that died).
    pub fn is_next_link(name: &str, profile: &str) -> bool {
        name.strip_prefix('.')
            .and_then(|n| n.strip_prefix(profile))
            .is_some_and(|n| n.starts_with(".link-"))
    }

    /// Every version of a profile, by serial.
    pub fn history(&self, profile: &str) -> PathBuf {
        self.root.join(Self::version_target(profile, None))
    }

    /// A version's directory.
    pub fn version(&self, profile: &str, serial: u64) -> PathBuf {
        self.root.join(Self::version_target(profile, Some(serial)))
    }

    /// What the link of a profile names (relative to `OUT`): its history
    /// directory, or with a serial that version.
    pub fn version_target(profile: &str, serial: Option<u64>) -> PathBuf {
        let hist = Path::new(".history").join(profile);
        match serial {
            Some(s) => hist.join(s.to_string()),
            None => hist,
        }
    }

    /// The version this process is writing, in the profile's history.
    pub fn staging(&self, profile: &str) -> PathBuf {
        self.history(profile)
            .join(format!(".tmp-{}", std::process::id()))
    }

    /// Whether a name in a history directory is a version being written
    /// (or left by a run that died).
    pub fn is_staging(name: &str) -> bool {
        name.starts_with(".tmp")
    }

    /// The shared bases of every run.
    pub fn bases(&self) -> PathBuf {
        self.root.join(".basis")
    }

    /// A run's basis: named by the run's time and the content's checksum.
    pub fn basis(&self, now: i64, crc: u32) -> PathBuf {
        let stamp = crate::time::format(now).replace([':', '-'], "");
        self.bases().join(format!("{stamp}-{crc:08x}.tlb"))
    }

    /// Where this process writes a basis before its rename.
    pub fn basis_staging(&self) -> PathBuf {
        self.bases().join(format!(".tmp-{}", std::process::id()))
    }
}

/// The publication formats `tl-zone` knows: the profile file's `formats`,
/// `formats.txt`, `tl-zone --format` and the zone configuration's
/// `formats` all name these.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Format {
    A,
    Aaaa,
    Apl,
    Txt,
    Dnsbl,
    Rbldnsd,
    Rpz,
}

impl Format {
    pub const ALL: [Format; 7] = [
        Format::A,
        Format::Aaaa,
        Format::Apl,
        Format::Txt,
        Format::Dnsbl,
        Format::Rbldnsd,
        Format::Rpz,
    ];

    pub fn parse(s: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.name() == s)
    }

    /// The format's name, as every file and flag spells it.
    pub fn name(self) -> &'static str {
        match self {
            Format::A => "a",
            Format::Aaaa => "aaaa",
            Format::Apl => "apl",
            Format::Txt => "txt",
            Format::Dnsbl => "dnsbl",
            Format::Rbldnsd => "rbldnsd",
            Format::Rpz => "rpz",
        }
    }

    /// Every name, joined by `sep`.
    pub fn names(sep: &str) -> String {
        Format::ALL.map(Format::name).join(sep)
    }
}

/// `formats.txt`: one format name a line, in name order.
pub fn formats_text(formats: &[Format]) -> Vec<u8> {
    let mut names: Vec<&str> = formats.iter().map(|f| f.name()).collect();
    names.sort_unstable();
    names.dedup();
    names
        .iter()
        .flat_map(|n| [n.as_bytes(), b"\n"])
        .flatten()
        .copied()
        .collect()
}

/// A profile's `formats.txt` (one format name a line, `#` comments), if
/// the compiler wrote one.
pub fn read_formats(dir: &Path) -> Result<Option<Vec<Format>>, InputError> {
    let path = dir.join(FORMATS);
    let file = path.display().to_string();
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(InputError::io(file, &e)),
    };
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let t = line.split('#').next().unwrap_or("").trim();
        if t.is_empty() {
            continue;
        }
        let f = Format::parse(t).ok_or_else(|| {
            let reason = format!("not a format ({})", Format::names(" "));
            InputError::text(file.clone(), i as u64 + 1, reason, t)
        })?;
        out.push(f);
    }
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_round_trip_in_name_order() {
        let text = formats_text(&[Format::Txt, Format::Dnsbl, Format::A, Format::Txt]);
        assert_eq!(text, b"a\ndnsbl\ntxt\n");
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(read_formats(dir.path()).unwrap(), None);
        std::fs::write(dir.path().join(FORMATS), &text).unwrap();
        assert_eq!(
            read_formats(dir.path()).unwrap(),
            Some(vec![Format::A, Format::Dnsbl, Format::Txt])
        );
        std::fs::write(dir.path().join(FORMATS), "a\nbind # no\n").unwrap();
        let e = read_formats(dir.path()).unwrap_err().to_string();
        assert!(
            e.ends_with(":2: not a format (a aaaa apl txt dnsbl rbldnsd rpz): 'bind'"),
            "{e}"
        );
        assert_eq!(
            list_files_text(),
            "block-in.txt, block-out.txt, allow.txt or domains.txt"
        );
    }
}
