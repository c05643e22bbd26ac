//! The forensic question: is an address or domain listed by a profile,
//! on which list, and why (from the version's provenance).

use super::basis::{self, Basis, Ranking};
use super::compile::Row;
use super::explain::{open_basis, Explained};
use super::publish::{history, COMPILED};
use crate::net::{parse_entry, Entry};
use std::collections::HashMap;
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What is asked about.
#[derive(Clone, Debug, PartialEq)]
pub enum Subject {
    Ip(Entry),
    Domain(String),
}

/// Reads a query: an address, CIDR or range, else a domain name.
pub fn subject(text: &str) -> Result<Subject, String> {
    if let Ok(e) = parse_entry(text.as_bytes()) {
        return Ok(Subject::Ip(e));
    }
    let d = text.trim_end_matches('.').to_ascii_lowercase();
    let ok = !d.is_empty()
        && d.len() <= 253
        && d.contains(|c: char| c.is_ascii_alphabetic())
        && d.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        });
    if ok {
        Ok(Subject::Domain(d))
    } else {
        Err(format!(
            "not an address or domain name: {}",
            crate::error::quote(text.as_bytes())
        ))
    }
}

/// Answers queries against every profile under an output directory, as
/// published now or as in force at a time.
pub struct Querier {
    opened: Vec<Option<Explained>>,
    names: Vec<String>,
}

/// Opens versions, reading each basis (shared by the profiles of a run)
/// once.
#[derive(Default)]
pub struct Opener {
    bases: HashMap<(u64, u64), Arc<(Basis, Ranking)>>,
}

impl Opener {
    pub fn open(&mut self, dir: &Path) -> Result<Explained, String> {
        let path = dir.join(basis::FILE);
        let m = fs::metadata(&path)
            .map_err(|e| format!("{}: {}", path.display(), crate::error::describe_io(&e)))?;
        let id = (m.dev(), m.ino());
        let b = match self.bases.get(&id) {
            Some(b) => b.clone(),
            None => {
                let b = Arc::new(open_basis(dir)?);
                self.bases.insert(id, b.clone());
                b
            }
        };
        Explained::open(dir, b)
    }
}

fn domain_match(listed: &str, q: &str) -> bool {
    q == listed || q.strip_suffix(listed).is_some_and(|h| h.ends_with('.'))
}

/// The directory of a profile's version: in force now, or at `at`.
fn version_dir(out: &Path, profile: &str, at: Option<i64>) -> Option<PathBuf> {
    match at {
        None => Some(out.join(profile)),
        Some(t) => history(out, profile)
            .into_iter()
            .rfind(|(_, m)| m.time <= t)
            .map(|(p, _)| p),
    }
}

/// The whole provenance of a profile's version, one row per reason of
/// every entry, as `entry,list,reason,detail` rows.
pub fn provenance(out: &Path, profile: &str, at: Option<i64>) -> Result<Vec<Row>, String> {
    let dir = version_dir(out, profile, at)
        .filter(|d| d.join(COMPILED).exists())
        .ok_or_else(|| format!("{}: no version of profile '{profile}'", out.display()))?;
    Ok(Opener::default().open(&dir)?.rows(None))
}

impl Querier {
    /// Opens every profile in `out` (directories not starting with '.').
    /// With `at`, each profile's version in force at that time.
    pub fn new(out: &Path, at: Option<i64>) -> Result<Querier, String> {
        let rd = fs::read_dir(out)
            .map_err(|e| format!("{}: {}", out.display(), crate::error::describe_io(&e)))?;
        let mut names: Vec<String> = rd
            .flatten()
            .map(|d| d.file_name().to_string_lossy().into_owned())
            .filter(|n| !n.starts_with('.') && out.join(n).join(COMPILED).exists())
            .collect();
        names.sort();
        if names.is_empty() {
            return Err(format!(
                "{}: no compiled profiles (run tl-compile --out {} first)",
                out.display(),
                out.display()
            ));
        }
        let mut opened = Vec::new();
        let mut opener = Opener::default();
        for n in &names {
            opened.push(match version_dir(out, n, at) {
                Some(d) => Some(opener.open(&d)?),
                None => None,
            });
        }
        Ok(Querier { opened, names })
    }

    /// Rows `query,profile,list,entry,reason,detail` and whether any
    /// profile blocks the subject (block-in, block-out or domains).
    pub fn ask(&self, text: &str, s: &Subject) -> (Vec<[String; 6]>, bool) {
        let mut rows = Vec::new();
        let mut listed = false;
        for (name, o) in self.names.iter().zip(&self.opened) {
            let row = |list: &str, entry: &str, reason: &str, detail: &str| {
                [
                    text.to_string(),
                    name.clone(),
                    list.to_string(),
                    entry.to_string(),
                    reason.to_string(),
                    detail.to_string(),
                ]
            };
            let Some(o) = o else {
                rows.push(row("no-version", "", "", ""));
                continue;
            };
            let mut hit_lists: Vec<&str> = Vec::new();
            match s {
                Subject::Ip(e) => {
                    let v = &o.version;
                    for (list, set) in [
                        ("block-in", &v.block_in),
                        ("block-out", &v.block_out),
                        ("allow", &v.allow),
                    ] {
                        if set.contains(e) {
                            hit_lists.push(list);
                        }
                    }
                }
                Subject::Domain(d) => {
                    if o.version.meta.domains.iter().any(|l| domain_match(l, d)) {
                        hit_lists.push("domains");
                    }
                    if o.version
                        .meta
                        .allow_domains
                        .iter()
                        .any(|l| domain_match(l, d))
                    {
                        hit_lists.push("allow-domains");
                    }
                }
            }
            let before = rows.len();
            let found: Vec<Row> = match s {
                Subject::Ip(q) => o.rows(Some(q)),
                Subject::Domain(q) => o
                    .own
                    .iter()
                    .filter(|r| !r.is_rule() && r.ip().is_none() && domain_match(&r.entry, q))
                    .cloned()
                    .collect(),
            };
            for list in &hit_lists {
                if *list != "allow" && *list != "allow-domains" {
                    listed = true;
                }
                for r in found.iter().filter(|r| r.list == *list) {
                    rows.push(row(list, &r.entry, &r.reason, &r.detail));
                }
            }
            // Why it is not listed, when the guards or capacity took it out.
            if hit_lists.iter().all(|l| l.starts_with("allow")) {
                for r in found.iter().filter(|r| r.list == "excluded") {
                    rows.push(row("excluded", &r.entry, &r.reason, &r.detail));
                }
            }
            if rows.len() == before {
                rows.push(row("none", "", "", ""));
            }
        }
        (rows, listed)
    }
}
