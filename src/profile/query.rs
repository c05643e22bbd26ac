//! The forensic question: is an address or domain listed by a profile,
//! on which list, and why (from the version's provenance).

use super::publish::{history, read_version, Version, COMPILED};
use crate::net::{parse_entry, Entry};
use std::fs;
use std::path::{Path, PathBuf};

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
            crate::cli::quote(text.as_bytes())
        ))
    }
}

/// One provenance row, parsed.
struct ProvRow {
    ip: Option<Entry>,
    entry: String,
    list: String,
    reason: String,
    detail: String,
}

/// One profile version opened for queries.
struct Opened {
    profile: String,
    version: Version,
    rows: Vec<ProvRow>,
}

/// Answers queries against every profile under an output directory, as
/// published now or as in force at a time.
pub struct Querier {
    opened: Vec<Option<Opened>>,
    names: Vec<String>,
}

fn read_rows(path: &Path) -> Result<Vec<ProvRow>, String> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_path(path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let mut out = Vec::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| format!("{}: {e}", path.display()))?;
        let f = |i: usize| rec.get(i).unwrap_or("").to_string();
        out.push(ProvRow {
            ip: parse_entry(f(0).as_bytes()).ok(),
            entry: f(0),
            list: f(1),
            reason: f(2),
            detail: f(3),
        });
    }
    Ok(out)
}

fn open(profile: &str, dir: &Path) -> Result<Opened, String> {
    Ok(Opened {
        profile: profile.to_string(),
        version: read_version(&dir.join(COMPILED))?,
        rows: read_rows(&dir.join("provenance.csv"))?,
    })
}

fn covers(e: &Entry, q: &Entry) -> bool {
    match (e, q) {
        (Entry::V4(a), Entry::V4(b)) => a.start <= b.start && b.end <= a.end,
        (Entry::V6(a), Entry::V6(b)) => a.start <= b.start && b.end <= a.end,
        _ => false,
    }
}

fn domain_match(listed: &str, q: &str) -> bool {
    q == listed || q.strip_suffix(listed).is_some_and(|h| h.ends_with('.'))
}

impl Querier {
    /// Opens every profile in `out` (directories not starting with '.').
    /// With `at`, each profile's version in force at that time.
    pub fn new(out: &Path, at: Option<i64>) -> Result<Querier, String> {
        let rd = fs::read_dir(out)
            .map_err(|e| format!("{}: {}", out.display(), crate::cli::describe_io(&e)))?;
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
        for n in &names {
            let dir: Option<PathBuf> = match at {
                None => Some(out.join(n)),
                Some(t) => history(out, n)
                    .into_iter()
                    .filter(|(_, m)| m.time <= t)
                    .last()
                    .map(|(p, _)| p),
            };
            opened.push(match dir {
                Some(d) => Some(open(n, &d)?),
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
            for list in &hit_lists {
                if *list != "allow" && *list != "allow-domains" {
                    listed = true;
                }
                for r in o.rows.iter().filter(|r| r.list == *list) {
                    let m = match (s, &r.ip) {
                        (Subject::Ip(q), Some(e)) => covers(e, q),
                        (Subject::Domain(q), None) => domain_match(&r.entry, q),
                        _ => false,
                    };
                    if m {
                        rows.push(row(list, &r.entry, &r.reason, &r.detail));
                    }
                }
            }
            // Why it is not listed, when the guards or capacity took it out.
            for r in o.rows.iter().filter(|r| r.list == "excluded") {
                let m = match (s, &r.ip) {
                    (Subject::Ip(q), Some(e)) => covers(e, q),
                    (Subject::Domain(q), None) => domain_match(&r.entry, q),
                    _ => false,
                };
                if m && hit_lists.iter().all(|l| l.starts_with("allow")) {
                    rows.push(row("excluded", &r.entry, &r.reason, &r.detail));
                }
            }
            if rows.len() == before {
                rows.push(row("none", "", "", ""));
            }
            let _ = &o.profile;
        }
        (rows, listed)
    }
}
